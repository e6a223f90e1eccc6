#!/bin/bash
# The shipped systemd unit: its exposure by `systemd-analyze security --offline=true` stays
# at most 1.9, and its system call filter lets through every call stratad's own seccomp
# allow-list (src/daemon/sandbox.c) may make, clock adjustment, capset and seccomp
# included: a unit that forbade one of them would stop the daemon at start or, worse, leave
# it running but unable to discipline the clock.
. "$(dirname "$0")/lib.sh"
need systemd-analyze
unit="$top_srcdir/packaging/systemd/stratad.service"
[ -f "$unit" ] || fail "no $unit"

out=$(systemd-analyze security --offline=true "$unit" 2>&1) || { echo "$out" >&2; fail "systemd-analyze security"; }
score=$(echo "$out" | sed -nE 's/.*Overall exposure level for [^:]*: ([0-9.]+).*/\1/p')
[ -n "$score" ] || { echo "$out" >&2; fail "no exposure score"; }
awk -v s="$score" 'BEGIN { exit !(s <= 1.9) }' || fail "exposure $score > 1.9"
pass "exposure $score (at most 1.9)"

# expand WORDS...: the system calls a filter list names, groups expanded.
expand() {
	local w
	for w in "$@"; do
		case $w in
		@*) systemd-analyze syscall-filter "$w" </dev/null | sed -nE 's/^ +([a-z0-9_@-]+)$/\1/p' |
			while read -r x; do expand "$x"; done ;;
		*) echo "$w" ;;
		esac
	done
}
allow=() deny=()
while IFS= read -r line; do
	v=${line#SystemCallFilter=}
	if [ "${v#\~}" != "$v" ]; then
		read -ra words <<<"${v#\~}"
		deny+=("${words[@]}")
	else
		read -ra words <<<"$v"
		allow+=("${words[@]}")
	fi
done < <(grep -E '^SystemCallFilter=' "$unit")
[ "${#allow[@]}" -gt 0 ] || fail "the unit has no SystemCallFilter allow list"
expand "${allow[@]}" | sort -u >"$T/allow"
expand "${deny[@]}" | sort -u >"$T/deny"
comm -23 "$T/allow" "$T/deny" >"$T/unit"

# What stratad's filter allows: the quoted names of its allow-lists (not the sanitizer one).
awk '/^static const char \*const sandbox_(allowed|clock)\[\]/ { on = 1 } on { print } on && /};/ { on = 0 }' \
	"$top_srcdir/src/daemon/sandbox.c" | grep -oE '"[a-z0-9_]+"' | tr -d '"' | sort -u >"$T/daemon"
echo socket ioctl seccomp | tr ' ' '\n' >>"$T/daemon"
sort -u -o "$T/daemon" "$T/daemon"
[ "$(wc -l <"$T/daemon")" -gt 50 ] || fail "read too few names from sandbox.c"
# Calls x86-64 has no number for (or that systemd does not know) cannot be blocked there.
systemd-analyze syscall-filter </dev/null 2>/dev/null | sed -nE 's/^ +([a-z0-9_]+)$/\1/p' | sort -u >"$T/known"
missing=""
for c in $(comm -23 "$T/daemon" "$T/unit"); do
	grep -qx "$c" "$T/known" || continue
	missing="$missing $c"
done
[ -z "$missing" ] || fail "the unit's SystemCallFilter forbids calls stratad makes:$missing"
for c in clock_adjtime capset seccomp sendmmsg recvmmsg; do
	grep -qx "$c" "$T/unit" || fail "the unit forbids $c"
done
pass "the unit's filter allows all $(wc -l <"$T/daemon") calls of stratad's allow-list"
