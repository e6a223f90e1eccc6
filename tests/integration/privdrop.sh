#!/bin/bash
# Least privilege: started as root with -u nobody, stratad -x runs every thread as nobody
# with no capability left (-x needs none), an empty bounding set, no_new_privs and the
# seccomp filter in every thread (two server threads), and still follows chronyd, serves
# clients, answers its control socket, reloads and writes its statistics files. -u root keeps
# uid 0 without capabilities; an unknown user stops the start with a clear error;
# seccomp = false leaves the filter off.
. "$(dirname "$0")/lib.sh"
need_built
not_under_valgrind "it checks the seccomp filter every thread carries, which valgrind cannot run"
need chronyd
[ "$(id -u)" -eq 0 ] || fail "this test starts stratad as root (it is run as root in CI)"
id nobody >/dev/null 2>&1 || fail "no user nobody"
nobody_uid=$(id -u nobody)

P0=$(pick_port)
start_chronyd "$P0" 1
PS=$(pick_port)
chmod 755 "$T"
mkdir -p "$T/run"
chown nobody "$T/run"
SOCK="$T/run/ctl.sock"
conf() {
	cat <<CONF
server "127.0.0.1" { port = $P0  iburst = true  minpoll = 1  maxpoll = 1 }
listen = { "127.0.0.1:$PS" }
allow = { "127.0.0.1" }
server_threads = 2
driftfile = "$T/run/drift"
statistics { directory = "$T/run" }
include_dir = ""
control_socket = "$SOCK"
$1
CONF
}
conf "" >"$T/p.conf"

# field PID NAME: a line of /proc/PID/status, value only.
field() { awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "/proc/$1/status"; }

start_stratad "$T/p.log" -c "$T/p.conf" -u nobody; PID=$STRATAD_PID
"$STRATACTL" waitsync --timeout 30 --interval 0.2 --socket "$SOCK" >/dev/null ||
	{ cat "$T/p.log" >&2; fail "not synchronised as nobody"; }
expect_line 5 "$T/p.log" "running as uid $nobody_uid gid [0-9]+ \\(switched from root\\), capabilities: none" "user switch"
expect_line 5 "$T/p.log" "seccomp filter on: clock adjustment calls are forbidden" "seccomp"
tasks=0
for st in /proc/"$PID"/task/*/status; do
	tasks=$((tasks + 1))
	tid=${st%/status}
	tid=${tid##*/}
	s="/proc/$PID/task/$tid"
	get() { awk -v k="$1:" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$s/status"; }
	[ "$(get Uid)" = "$nobody_uid $nobody_uid $nobody_uid $nobody_uid" ] || fail "thread $tid Uid: $(get Uid)"
	[ "$(get Groups)" = "" ] || [ "$(get Groups)" = "$(id -g nobody)" ] || fail "thread $tid Groups: $(get Groups)"
	for c in CapInh CapPrm CapEff CapBnd CapAmb; do
		[ "$(get $c)" = 0000000000000000 ] || fail "thread $tid $c: $(get $c)"
	done
	[ "$(get Seccomp)" = 2 ] || fail "thread $tid Seccomp: $(get Seccomp)"
	[ "$(get NoNewPrivs)" = 1 ] || fail "thread $tid NoNewPrivs: $(get NoNewPrivs)"
done
[ "$tasks" -ge 2 ] || fail "expected the main thread and a server thread, saw $tasks"
pass "-u nobody: $tasks threads, uid $nobody_uid, no capabilities, empty bounding set, seccomp filter, no_new_privs"

out=$("$STRATACTL" query --port "$PS" --count 4 127.0.0.1) || fail "no answers from stratad as nobody: $out"
echo "$out" | awk 'NR == 2 && $4 == 2 && $11 == "4/4" { ok = 1 } END { exit !ok }' || fail "query: $out"
"$STRATACTL" status --socket "$SOCK" >/dev/null || fail "control socket as nobody"
"$STRATACTL" reload --socket "$SOCK" >/dev/null || fail "reload as nobody"
expect_line 5 "$T/p.log" "configuration reloaded" "reload as nobody"
sleep 1
"$STRATACTL" query --port "$PS" --count 2 127.0.0.1 >/dev/null || fail "no answers after a reload as nobody"
kill -TERM "$PID"
wait_for 10 sh -c "! kill -0 $PID 2>/dev/null" || fail "stratad did not stop"
wait "$PID" || fail "stratad as nobody exited $?: $(tail -5 "$T/p.log")"
# -x writes no drift file (its frequency would describe a clock nobody steers): the
# statistics files show that files are written as nobody.
stats=$(ls "$T/run"/peerstats.* 2>/dev/null | head -1)
[ -s "$stats" ] || { ls -l "$T/run" >&2; fail "no peerstats file written as nobody"; }
[ "$(stat -c %u "$stats")" = "$nobody_uid" ] || fail "$stats not owned by nobody"
if grep -q "forbidden system call" "$T/p.log"; then fail "seccomp: $(grep forbidden "$T/p.log")"; fi
pass "as nobody: served, followed chronyd, control socket, reload, $(wc -l <"$stats") peerstats lines"

# -u root: uid 0 is kept, the capabilities are not.
start_stratad "$T/r.log" -c "$T/p.conf"; PID=$STRATAD_PID
"$STRATACTL" waitsync --timeout 30 --interval 0.2 --socket "$SOCK" >/dev/null || fail "not synchronised as root"
[ "$(field "$PID" CapEff)" = 0000000000000000 ] || fail "-u root CapEff: $(field "$PID" CapEff)"
[ "$(field "$PID" Seccomp)" = 2 ] || fail "-u root Seccomp: $(field "$PID" Seccomp)"
expect_line 5 "$T/r.log" "running as uid 0 gid 0, capabilities: none" "-u root"
kill -TERM "$PID"
wait "$PID" || fail "stratad -u root exited $?"
pass "-u root: uid 0, no capabilities, seccomp filter"

# As systemd starts it: already nobody, with an ambient capability (here
# CAP_NET_BIND_SERVICE; never CAP_SYS_TIME). Without a port below 1024 it is dropped; with
# one it is kept, the only one, and the port is served.
need setpriv
as_unit() {
	local log=$1
	shift
	setpriv --reuid nobody --regid "$(id -g nobody)" --clear-groups \
		--inh-caps +net_bind_service --ambient-caps +net_bind_service \
		--bounding-set -all,+net_bind_service -- "$STRATAD" -x -n "$@" >"$log" 2>&1 &
	STRATAD_PID=$!
	STARTED_PIDS="$STARTED_PIDS $STRATAD_PID"
}
as_unit "$T/a1.log" -c "$T/p.conf"; PID=$STRATAD_PID
expect_line 5 "$T/a1.log" "running as uid $nobody_uid gid [0-9]+, capabilities: none" "ambient capability, no low port"
[ "$(field "$PID" CapEff)" = 0000000000000000 ] && [ "$(field "$PID" CapAmb)" = 0000000000000000 ] ||
	fail "ambient capability not dropped: CapEff $(field "$PID" CapEff) CapAmb $(field "$PID" CapAmb)"
kill -TERM "$PID"
wait "$PID" || fail "stratad as nobody (ambient) exited $?"
LOW=127.0.0.91:1000
conf "listen = { \"$LOW\" }" >"$T/low.conf"
as_unit "$T/a2.log" -c "$T/low.conf"; PID=$STRATAD_PID
expect_line 5 "$T/a2.log" "running as uid $nobody_uid gid [0-9]+, capabilities: cap_net_bind_service" "port below 1024"
[ "$(field "$PID" CapEff)" = 0000000000000400 ] || fail "low port: CapEff $(field "$PID" CapEff)"
"$STRATACTL" query --port 1000 --count 2 127.0.0.91 >/dev/null || fail "no answer on $LOW"
kill -TERM "$PID"
wait "$PID" || fail "stratad on $LOW exited $?"
pass "started as nobody with an ambient capability: dropped, or kept alone for $LOW"

# seccomp = false, and an unknown user.
conf "seccomp = false" >"$T/n.conf"
start_stratad "$T/n.log" -c "$T/n.conf"; PID=$STRATAD_PID
expect_line 5 "$T/n.log" "seccomp filter off \\(seccomp = false\\)" "seccomp = false"
[ "$(field "$PID" Seccomp)" = 0 ] || fail "seccomp = false: Seccomp $(field "$PID" Seccomp)"
kill -TERM "$PID"
wait "$PID" || true
rc=0
"$STRATAD" -x -n -u no_such_user_strata -c "$T/p.conf" >"$T/u.log" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "an unknown user: exit $rc"
grep -q 'user "no_such_user_strata" does not exist' "$T/u.log" || fail "an unknown user: $(cat "$T/u.log")"
pass "seccomp = false leaves the filter off; an unknown user stops the start (exit 1)"
