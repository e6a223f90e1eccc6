#!/bin/bash
# The daemon under the shipped units' sandbox, rebuilt without systemd (none runs here) from
# the same kernel primitives by sandbox-run.c: strata-clockd as in strata-clockd.service, in
# a network namespace of its own (PrivateNetwork=yes); stratad started with -k exactly like
# stratad.service's ExecStart; both as an unprivileged user (nobody stands in for _strata)
# with no capability, an empty bounding set and no_new_privs, each in its own user
# namespace (PrivateUsers=yes) on a read-only root but for its unit's writable directories
# (ProtectSystem=strict, StateDirectory= and the rest). A chroot cannot make user
# namespaces: there the test says so and rebuilds the rest. The helper runs its null driver
# (-x): the real one needs CAP_SYS_TIME, which nothing here may use. stratad follows
# chronyd, serves a client, answers its control socket, reloads, writes its drift,
# statistics, time and timesync files, and the helper applies its corrections.
. "$(dirname "$0")/lib.sh"
need_built
need chronyd
not_under_valgrind "valgrind cannot write its logs on the read-only root"
[ "$(id -u)" -eq 0 ] || fail "this test builds the sandbox as root (it is run as root in CI)"
[ -x "$STRATA_CLOCKD" ] || fail "$STRATA_CLOCKD not built"
id nobody >/dev/null 2>&1 || fail "no user nobody"
nobody_uid=$(id -u nobody)

chmod 755 "$T"
W="$T/w"
mkdir -p "$W/state" "$W/run" "$W/log" "$W/timesync" "$W/clockd"
chown nobody "$W/state" "$W/run" "$W/log" "$W/timesync" "$W/clockd"
chmod 755 "$W/run" "$W/clockd"
CS="$W/clockd/clock.sock"
P0=$(pick_port)
start_chronyd "$P0" 1
PS=$(pick_port)
cat >"$T/strata.conf" <<CONF
server "127.0.0.1" { port = $P0  iburst = true  minpoll = 1  maxpoll = 1 }
listen = { "127.0.0.1:$PS" }
allow = { "127.0.0.1" }
driftfile = "$W/state/drift"
statistics { directory = "$W/log" }
control_socket = "$W/run/ctl.sock"
time_file = "$W/run/time"
timesync_file = "$W/timesync/synchronized"
include_dir = ""
CONF
chmod 644 "$T/strata.conf"

SANDBOX="$top_builddir/tests/integration/sandbox-run"
[ -x "$SANDBOX" ] || fail "$SANDBOX not built"
# PrivateUsers= and the read-only root need a user namespace (the mount namespace must be
# owned by one, so that nothing mounted here can propagate to the host); a chroot cannot
# make one. There the rest of the sandbox is still rebuilt, and the output says what is not.
if "$SANDBOX" --probe; then
	helper_ns=(--private-users --rw "$W/clockd")
	daemon_ns=(--private-users --rw "$W/state" --rw "$W/run" --rw "$W/log" --rw "$W/timesync")
	full=1
else
	echo "NOTE: no user namespace can be made here (a chroot?): PrivateUsers= and the read-only root are not rebuilt"
	helper_ns=() daemon_ns=() full=0
fi
ids=(--uid "$nobody_uid" --gid "$(id -g nobody)")

"$SANDBOX" --net "${helper_ns[@]}" "${ids[@]}" -- "$STRATA_CLOCKD" -x -s "$CS" >"$T/h.log" 2>&1 &
HPID=$!
STARTED_PIDS="$STARTED_PIDS $HPID"
wait_for 10 test -S "$CS" || { cat "$T/h.log" >&2; fail "the helper did not start in its sandbox"; }
"$SANDBOX" "${daemon_ns[@]}" "${ids[@]}" -- "$STRATAD" -n -c "$T/strata.conf" -k "$CS" >"$T/a.log" 2>&1 &
SPID=$!
STARTED_PIDS="$STARTED_PIDS $SPID"
"$STRATACTL" waitsync --timeout 30 --interval 0.2 --socket "$W/run/ctl.sock" >/dev/null ||
	{ cat "$T/a.log" "$T/h.log" >&2; fail "stratad did not synchronise in its sandbox"; }
pass "stratad synchronised through the helper, both sandboxed"

# The sandbox is what it claims to be.
st() { awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "/proc/$1/status"; }
for c in CapPrm CapEff CapAmb; do
	[ "$(st "$SPID" $c)" = 0000000000000000 ] || fail "stratad $c: $(st "$SPID" $c)"
	[ "$(st "$HPID" $c)" = 0000000000000000 ] || fail "helper $c: $(st "$HPID" $c)"
done
[ "$(st "$SPID" NoNewPrivs)" = 1 ] && [ "$(st "$HPID" NoNewPrivs)" = 1 ] || fail "no_new_privs not set"
[ "$(st "$SPID" Seccomp)" = 2 ] || fail "stratad has no seccomp filter"
[ "$(st "$SPID" Uid | awk '{ print $1 }')" = "$nobody_uid" ] || fail "stratad uid $(st "$SPID" Uid)"
[ "$(readlink /proc/$HPID/ns/net)" != "$(readlink /proc/self/ns/net)" ] || fail "the helper shares our network namespace"
[ "$(st "$HPID" CapBnd)" = 0000000000000000 ] && [ "$(st "$SPID" CapBnd)" = 0000000000000000 ] ||
	fail "a bounding set is not empty"
what="stratad: uid nobody, no capability, empty bounding set, no_new_privs, seccomp; helper: own network namespace"
if [ "$full" = 1 ]; then
	[ "$(readlink /proc/$SPID/ns/user)" != "$(readlink /proc/self/ns/user)" ] || fail "stratad shares our user namespace"
	for p in "$SPID" "$HPID"; do
		for dir in /etc /usr "$T"; do
			[ "$(nsenter -t "$p" -m -- findmnt -n -o OPTIONS -T "$dir" | cut -d, -f1)" = ro ] ||
				fail "process $p: $dir is not read only"
		done
		[ "$(nsenter -t "$p" -m -- findmnt -n -o OPTIONS -T "$W/run" | cut -d, -f1)" = rw ] || [ "$p" = "$HPID" ] ||
			fail "stratad: $W/run is not writable"
	done
	what="$what; stratad in its own user namespace, both on a read-only root"
fi
expect_line 5 "$T/a.log" "seccomp filter on: clock adjustment calls are forbidden" "stratad's filter"
expect_line 5 "$T/a.log" "running as uid $nobody_uid gid [0-9]+, capabilities: none" "stratad's user"
pass "$what"

out=$("$STRATACTL" query --port "$PS" --count 3 127.0.0.1) || fail "no answers from the sandboxed stratad: $out"
echo "$out" | awk 'NR == 2 && $4 == 2 && $11 == "3/3" { ok = 1 } END { exit !ok }' || fail "query: $out"
kill -HUP "$SPID"
expect_line 10 "$T/a.log" "configuration reloaded" "reload in the sandbox"
"$STRATACTL" now --file "$W/run/time" >/dev/null || fail "no time file: $(cat "$T/a.log")"
wait_for 20 test -e "$W/timesync/synchronized" || fail "no timesync file"
wait_for 20 sh -c "ls '$W/log'/peerstats.* >/dev/null 2>&1" || fail "no statistics file"
kill -TERM "$SPID"
wait "$SPID" || fail "stratad exited $?: $(tail -5 "$T/a.log")"
[ -s "$W/state/drift" ] || fail "no drift file written at exit"
if grep -qE "forbidden system call|Read-only file system|Permission denied" "$T/a.log"; then
	fail "in the sandbox: $(grep -E "forbidden|Read-only|Permission denied" "$T/a.log")"
fi
kill -TERM "$HPID"
wait "$HPID" || fail "strata-clockd exited $?: $(tail -3 "$T/h.log")"
expect_line 1 "$T/h.log" "stopped: [1-9][0-9]* requests, 0 steps, 0 refused, 0 failed, 0 malformed" "the helper's work"
pass "served, reloaded, wrote the drift, statistics, time and timesync files under the units' settings"
