#!/bin/bash
# The shipped systemd units, privilege-separated: stratad.service (the network daemon, no
# capability, ProtectClock=yes, its own user namespace, -k to the helper's socket) and
# strata-clockd.service (the clock helper: CAP_SYS_TIME alone, no network) each score at
# most 1.5 by `systemd-analyze security --offline=true`; stratad's unit lets through every
# call of stratad's own seccomp allow-list (src/daemon/sandbox.c) except the clock calls,
# which it forbids; the helper's unit lets through clock_adjtime and the calls the helper
# makes; the socket unit listens where stratad.service's -k points, with the helper's user.
# A unit that forbade a needed call would stop the daemon at start or, worse, leave it
# running but unable to discipline the clock.
. "$(dirname "$0")/lib.sh"
need systemd-analyze
dir="$top_srcdir/packaging/systemd"
daemon_unit="$dir/stratad.service"
helper_unit="$dir/strata-clockd.service"
socket_unit="$dir/strata-clockd.socket"
for u in "$daemon_unit" "$helper_unit" "$socket_unit"; do [ -f "$u" ] || fail "no $u"; done

for u in "$daemon_unit" "$helper_unit"; do
	out=$(systemd-analyze security --offline=true "$u" 2>&1) || { echo "$out" >&2; fail "systemd-analyze security $u"; }
	score=$(echo "$out" | sed -nE 's/.*Overall exposure level for [^:]*: ([0-9.]+).*/\1/p')
	[ -n "$score" ] || { echo "$out" >&2; fail "no exposure score for $u"; }
	awk -v s="$score" 'BEGIN { exit !(s <= 1.5) }' || fail "$(basename "$u"): exposure $score > 1.5"
	pass "$(basename "$u"): exposure $score (at most 1.5)"
done

# setting UNIT KEY: the value of KEY= in UNIT (the last one).
setting() { sed -nE "s/^$2=(.*)/\\1/p" "$1" | tail -1; }

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
# filter UNIT OUT: the calls UNIT's SystemCallFilter= lines let through, into OUT.
filter() {
	local allow=() deny=() line v words
	while IFS= read -r line; do
		v=${line#SystemCallFilter=}
		if [ "${v#\~}" != "$v" ]; then
			read -ra words <<<"${v#\~}"
			deny+=("${words[@]}")
		else
			read -ra words <<<"$v"
			allow+=("${words[@]}")
		fi
	done < <(grep -E '^SystemCallFilter=' "$1")
	[ "${#allow[@]}" -gt 0 ] || fail "$1 has no SystemCallFilter allow list"
	expand "${allow[@]}" | sort -u >"$T/allow"
	expand "${deny[@]}" | sort -u >"$T/deny"
	comm -23 "$T/allow" "$T/deny" >"$2"
}
filter "$daemon_unit" "$T/daemon-unit"
filter "$helper_unit" "$T/helper-unit"
# Calls x86-64 has no number for (or that systemd does not know) cannot be blocked there.
systemd-analyze syscall-filter </dev/null 2>/dev/null | sed -nE 's/^ +([a-z0-9_]+)$/\1/p' | sort -u >"$T/known"

# stratad's own allow-list: the quoted names of sandbox_allowed (not the clock list or the
# sanitizer one).
awk '/^static const char \*const sandbox_allowed\[\]/ { on = 1 } on { print } on && /};/ { on = 0 }' \
	"$top_srcdir/src/daemon/sandbox.c" | grep -oE '"[a-z0-9_]+"' | tr -d '"' | sort -u >"$T/daemon"
echo socket ioctl seccomp | tr ' ' '\n' >>"$T/daemon"
sort -u -o "$T/daemon" "$T/daemon"
[ "$(wc -l <"$T/daemon")" -gt 50 ] || fail "read too few names from sandbox.c"
missing=""
for c in $(comm -23 "$T/daemon" "$T/daemon-unit"); do
	grep -qx "$c" "$T/known" || continue
	missing="$missing $c"
done
[ -z "$missing" ] || fail "stratad.service forbids calls stratad makes:$missing"
for c in capset seccomp sendmmsg recvmmsg connect; do
	grep -qx "$c" "$T/daemon-unit" || fail "stratad.service forbids $c"
done
for c in clock_adjtime adjtimex clock_settime settimeofday; do
	grep -qx "$c" "$T/daemon-unit" && fail "stratad.service allows $c"
done
[ "$(setting "$daemon_unit" ProtectClock)" = yes ] || fail "stratad.service: ProtectClock is not yes"
[ "$(setting "$daemon_unit" PrivateUsers)" = yes ] || fail "stratad.service: PrivateUsers is not yes"
[ -z "$(setting "$daemon_unit" CapabilityBoundingSet)" ] || fail "stratad.service keeps capabilities"
[ -z "$(setting "$daemon_unit" AmbientCapabilities)" ] || fail "stratad.service gets ambient capabilities"
pass "stratad.service allows all $(wc -l <"$T/daemon") calls of stratad's allow-list, no clock call, no capability"

# The helper: the calls src/clockd/main.c makes, and nothing of the network.
for c in clock_adjtime clock_gettime socket bind listen accept4 getsockopt recvfrom sendto poll \
	signalfd4 rt_sigprocmask umask unlink newfstatat openat read write close exit_group; do
	grep -qx "$c" "$T/helper-unit" || fail "strata-clockd.service forbids $c"
done
[ "$(setting "$helper_unit" PrivateNetwork)" = yes ] || fail "strata-clockd.service has the network"
[ "$(setting "$helper_unit" RestrictAddressFamilies)" = AF_UNIX ] || fail "strata-clockd.service: families $(setting "$helper_unit" RestrictAddressFamilies)"
[ "$(setting "$helper_unit" CapabilityBoundingSet)" = CAP_SYS_TIME ] || fail "strata-clockd.service: capabilities"
pass "strata-clockd.service: clock_adjtime and the helper's calls, CAP_SYS_TIME alone, no network"

# The socket: where stratad's -k points, owned by the user both units run as, mode 0660.
path=$(setting "$socket_unit" ListenSequentialPacket)
[ -n "$path" ] || fail "strata-clockd.socket has no ListenSequentialPacket="
setting "$daemon_unit" ExecStart | grep -q -- " -k $path\\( \\|$\\)" || fail "stratad.service's ExecStart does not use -k $path"
user=$(setting "$daemon_unit" User)
[ "$(setting "$helper_unit" User)" = "$user" ] && [ "$(setting "$socket_unit" SocketUser)" = "$user" ] ||
	fail "the units disagree on the user"
[ "$(setting "$socket_unit" SocketMode)" = 0660 ] || fail "strata-clockd.socket: mode $(setting "$socket_unit" SocketMode)"
grep -qx "Requires=strata-clockd.socket" "$daemon_unit" || fail "stratad.service does not require the helper's socket"
pass "strata-clockd.socket: $path, $user, 0660, required by stratad.service"
