#!/bin/bash
# Privilege separation: stratad -k corrects the clock only through strata-clockd, the clock
# helper (here with its null driver, -x; both processes without CAP_SYS_TIME in their
# bounding sets). stratad follows chronyd with no capability and its seccomp filter
# forbidding the clock calls, and the helper receives its frequency and status; a server 5 s
# ahead makes it step through the helper; a helper with -m 2 refuses that step and stratad
# logs the refusal; a helper restart is survived; other users, malformed requests and too
# many connections are turned away while the helper goes on serving; usage errors are clear.
. "$(dirname "$0")/lib.sh"
need_built
need chronyd
[ -x "$STRATA_CLOCKD" ] || fail "$STRATA_CLOCKD not built"
[ "$(id -u)" -eq 0 ] || fail "this test checks peer credentials as root and nobody (run as root in CI)"

chmod 755 "$T"
CS="$T/clock.sock"
P0=$(pick_port)
start_chronyd "$P0" 1
SOCK="$T/ctl.sock"
conf() { # conf PORT: follow 127.0.0.1:PORT every 2 s
	cat <<CONF
server "127.0.0.1" { port = $1  iburst = true  minpoll = 1  maxpoll = 1 }
driftfile = ""
include_dir = ""
control_socket = "$SOCK"
CONF
}
conf "$P0" >"$T/a.conf"

start_clockd "$T/h.log" "$CS" -d
HPID=$CLOCKD_PID
expect_line 5 "$T/h.log" "serving the null clock on $CS to uid 0 and 0, steps up to 1000 s" "helper start"
[ "$(stat -c %a "$CS")" = 660 ] || fail "socket mode $(stat -c %a "$CS"), want 660"
expect_line 5 "$T/h.log" "running as uid 0 gid 0, capabilities: none" "helper with -x keeps no capability"
if [ -z "${STRATA_VALGRIND:-}" ]; then
	expect_line 5 "$T/h.log" "seccomp filter on" "helper's own filter"
	[ "$(awk '$1 == "Seccomp:" { print $2 }' "/proc/$HPID/status")" = 2 ] || fail "the helper has no seccomp filter"
fi
start_stratad_helper "$T/a.log" "$CS" -c "$T/a.conf"
SPID=$STRATAD_PID
"$STRATACTL" waitsync --timeout 30 --interval 0.2 --socket "$SOCK" >/dev/null ||
	{ cat "$T/a.log" "$T/h.log" >&2; fail "stratad -k did not synchronise"; }
expect_line 5 "$T/a.log" "clock driver helper" "stratad's driver"
expect_line 5 "$T/a.log" "capabilities: none" "no capability"
if [ -n "${STRATA_VALGRIND:-}" ]; then
	expect_line 5 "$T/a.log" "seccomp filter off: valgrind cannot run it" "stratad's filter (under valgrind)"
else
	expect_line 5 "$T/a.log" "seccomp filter on: clock adjustment calls are forbidden" "stratad's filter"
fi
expect_line 10 "$T/h.log" "set-frequency [-+][0-9.]+ ppm" "frequency through the helper"
expect_line 10 "$T/h.log" "set-status leap 0, maximum error [0-9.]+ s, estimated [0-9.]+ s, synchronised" "sync status through the helper"
grep -q "connection from uid 0 pid $SPID" "$T/h.log" || fail "helper did not log stratad's connection"
for tid in /proc/"$SPID"/task/*; do
	eff=$(awk '$1 == "CapEff:" { print $2 }' "$tid/status")
	[ "$eff" = 0000000000000000 ] || fail "stratad thread ${tid##*/} has capabilities $eff"
done
pass "stratad -k follows chronyd with no capability; the helper applies its corrections"

# Other users: nobody may not even connect (mode 660); with the mode opened, the helper's
# peer check refuses nobody. Malformed requests and a fifth connection are turned away.
client() { # client USER PYTHON: run a Python client against $CS as USER
	setpriv --reuid="$1" --regid="$(id -g "$1")" --clear-groups -- /usr/bin/python3 -c "$2" "$CS"
}
out=$(client nobody 'import socket,sys
s=socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
try:
    s.connect(sys.argv[1]); print("connected")
except PermissionError: print("EACCES")' 2>&1)
[ "$out" = EACCES ] || fail "nobody connecting to the 660 socket: $out"
chmod 666 "$CS"
out=$(client nobody 'import socket,sys,struct
s=socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.connect(sys.argv[1]); s.settimeout(5)
try:
    s.send(b"STCQ\x01\x03\x00\x00" + bytes(8) + struct.pack(">dd", 3600.0, 0.0))
    print("closed" if s.recv(64) == b"" else "answered")
except (BrokenPipeError, ConnectionResetError): print("closed")' 2>&1)
[ "$out" = closed ] || fail "nobody's step request: $out"
chmod 660 "$CS"
expect_line 5 "$T/h.log" "refused a connection from uid $(id -u nobody) pid [0-9]+: only root and uid 0 may adjust the clock" "peer check"
grep -q "stepped the clock by +3600" "$T/h.log" && fail "nobody's step was applied"
out=$(client root 'import socket,sys
s=socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.connect(sys.argv[1]); s.settimeout(5)
try:
    s.send(b"STCQ\x01"); print("closed" if s.recv(64) == b"" else "answered")
except (BrokenPipeError, ConnectionResetError): print("closed")
socks=[socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) for i in range(5)]
for x in socks: x.connect(sys.argv[1]); x.settimeout(5)
try: print("open" if socks[4].recv(64) else "closed")
except socket.timeout: print("open")
except ConnectionResetError: print("closed")' 2>&1)
[ "$out" = "closed
closed" ] || fail "malformed request / fifth connection: $out"
expect_line 5 "$T/h.log" "malformed request \\(5 bytes\\): not a clock request" "malformed request"
expect_line 5 "$T/h.log" "refused a connection from pid [0-9]+: 4 connections open already" "connection limit"
# Still serving: a valid request of root's (get-frequency, sequence 7) is answered.
out=$(client root 'import socket,sys
s=socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.connect(sys.argv[1]); s.settimeout(5)
s.send(b"STCQ\x01\x01\x00\x00\x00\x00\x00\x07" + bytes(20)); r=s.recv(64)
print(len(r), r[:6], r[8:16].hex())' 2>&1)
[ "$out" = "24 b'STCR\x01\x01' 0000000700000000" ] || fail "a valid request after the abuse: $out"
kill -0 "$HPID" || fail "the helper died"
if grep -q "forbidden system call" "$T/h.log"; then fail "helper: $(grep forbidden "$T/h.log")"; fi
pass "other users, malformed requests and a fifth connection refused; stratad still served"

# A restart of the helper: stratad logs the failed calls, reconnects and goes on.
kill -TERM "$HPID"
wait "$HPID" || fail "strata-clockd exited $? on SIGTERM"
expect_line 1 "$T/h.log" "stopped: [0-9]+ requests, 0 steps, 0 refused, 0 failed, 1 malformed" "helper stop"
[ ! -e "$CS" ] || fail "the helper left its socket behind"
expect_line 70 "$T/a.log" "clock driver helper: setting (the frequency|the kernel sync status) failed" "stratad without its helper"
kill -0 "$SPID" || fail "stratad died with its helper"
start_clockd "$T/h2.log" "$CS" -d
expect_line 70 "$T/h2.log" "set-(frequency|status)" "stratad reconnected to a new helper"
kill -TERM "$SPID"
wait "$SPID" || fail "stratad exited $?"
kill -TERM "$CLOCKD_PID"
wait "$CLOCKD_PID" || fail "strata-clockd exited $?"

# Steps go through the helper, within its limit only.
P1=$(pick_port)
python3 "$top_srcdir/tests/integration/fake-ntp.py" "$P1" 5.0 &
STARTED_PIDS="$STARTED_PIDS $!"
wait_for 10 udp_port_open "$P1" || fail "fake server did not start"
conf "$P1" >"$T/b.conf"
start_clockd "$T/h3.log" "$CS"
start_stratad_helper "$T/b.log" "$CS" -c "$T/b.conf"
expect_line 30 "$T/h3.log" "stepped the clock by \\+5\\.0[0-9]+ s" "a step through the helper"
kill -TERM "$STRATAD_PID" "$CLOCKD_PID"
wait "$STRATAD_PID" "$CLOCKD_PID"
start_clockd "$T/h4.log" "$CS" -m 2
expect_line 5 "$T/h4.log" "steps up to 2 s" "helper with -m 2"
start_stratad_helper "$T/c.log" "$CS" -c "$T/b.conf"
expect_line 30 "$T/h4.log" "refused to step the clock by \\+5\\.0[0-9]+ s: beyond the limit" "step refused"
expect_line 10 "$T/c.log" "clock driver helper: stepping the clock failed: Operation not permitted" "stratad told"
kill -TERM "$STRATAD_PID" "$CLOCKD_PID"
wait "$STRATAD_PID" "$CLOCKD_PID"

# Usage and start-up errors.
"$STRATAD" -x -k "$CS" -n -c "$T/a.conf" >"$T/u.out" 2>&1
[ $? -eq 2 ] && grep -q -- "-x and -k exclude each other" "$T/u.out" || fail "stratad -x -k: $(cat "$T/u.out")"
setpriv --bounding-set=-sys_time -- "$STRATAD" -k "$T/none.sock" -n -c "$T/a.conf" >"$T/u.out" 2>&1
[ $? -eq 1 ] && grep -q "cannot open the helper clock driver at $T/none.sock: No such file or directory (is strata-clockd running?)" "$T/u.out" ||
	fail "stratad -k without a helper: $(cat "$T/u.out")"
"$STRATA_CLOCKD" -x >"$T/u.out" 2>&1
[ $? -eq 1 ] && grep -q "no socket: give -s SOCKET, or start from strata-clockd.socket" "$T/u.out" || fail "no socket: $(cat "$T/u.out")"
"$STRATA_CLOCKD" -x -s "$CS" -m -1 >"$T/u.out" 2>&1
[ $? -eq 2 ] && grep -q "\-m wants seconds from 0 to 1e9, not '-1'" "$T/u.out" || fail "-m -1: $(cat "$T/u.out")"
"$STRATA_CLOCKD" -x -s "$CS" -u no-such-user-here >"$T/u.out" 2>&1
[ $? -eq 2 ] && grep -q "unknown user 'no-such-user-here'" "$T/u.out" || fail "-u: $(cat "$T/u.out")"
touch "$T/plain"
"$STRATA_CLOCKD" -x -s "$T/plain" >"$T/u.out" 2>&1
[ $? -eq 1 ] && grep -q "cannot listen on $T/plain: Address already in use" "$T/u.out" && [ -f "$T/plain" ] ||
	fail "a plain file in the way: $(cat "$T/u.out")"
pass "usage errors: -x with -k, no helper, no socket, bad -m, unknown user, a file in the way"
