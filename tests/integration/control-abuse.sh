#!/bin/bash
# Control-socket abuse while time is served: 3000 connections opened and dropped as fast as
# possible, 20 slow clients dribbling a request a byte every 0.2 s, 5 clients that send a
# megabyte without a newline, and 5 idle ones the daemon must close after 10 s, all at once, while a client
# asks for the time at 50 requests/s. Every request is answered, the daemon stays
# synchronised, `stratactl status` still works, and afterwards every connection is gone.
. "$(dirname "$0")/lib.sh"
need_built
need chronyd
need python3
NTPLOAD="$top_builddir/bench/ntpload"

serving_setup
start_stratad "$T/a.log" -c "$T/a.conf"; PID=$STRATAD_PID
"$STRATACTL" waitsync --timeout 30 --interval 0.2 --socket "$SOCK" >/dev/null || fail "not synchronised"

python3 - "$SOCK" >"$T/abuse.out" 2>&1 <<'PY' &
import socket, sys, threading, time
path = sys.argv[1]
def churn():
    for _ in range(3000):
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(path)
        except OSError:
            pass
        s.close()
def slow():
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    for b in b'{"version":1,"command":"status"}\n':
        s.send(bytes([b]))
        time.sleep(0.2)
    s.settimeout(5)
    assert b'"ok":' in s.recv(65536)
def idle():
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.settimeout(15)
    assert s.recv(100) == b"", "an idle client was not closed"  # CONTROL_IDLE_TIMEOUT is 10 s
def flood():
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    try:
        for _ in range(256):
            s.sendall(b"x" * 4096)
    except OSError:
        pass  # the daemon hung up on the endless line: what it should do
errors = []
def guard(fn):
    def run():
        try:
            fn()
        except Exception as e:  # a thread's failure fails the script
            errors.append("%s: %r" % (fn.__name__, e))
    return run
churn, slow, flood, idle = guard(churn), guard(slow), guard(flood), guard(idle)
# The slow, flooding and idle clients connect first (30 of the 32 allowed); the churn's
# connections may then be told "busy", which is what the limit is for.
threads = [threading.Thread(target=slow) for _ in range(20)] + \
          [threading.Thread(target=flood) for _ in range(5)] + \
          [threading.Thread(target=idle) for _ in range(5)]
for t in threads: t.start()
time.sleep(0.5)
threads.append(threading.Thread(target=churn))
threads[-1].start()
for t in threads: t.join()
if errors:
    sys.exit("\n".join(errors))
print("abuse done")
PY
ABUSE=$!
STARTED_PIDS="$STARTED_PIDS $ABUSE"
"$NTPLOAD" -p "$PS" -m rate -r 50 -d 6 >"$T/load"
grep -q " valid=300 " "$T/load" || fail "time requests lost under control-socket abuse: $(cat "$T/load")"
pass "300 of 300 time requests answered during the abuse"
wait "$ABUSE" || { cat "$T/abuse.out" >&2; fail "abuse script failed (a slow client got no answer?)"; }
grep -q "abuse done" "$T/abuse.out" || fail "abuse script: $(cat "$T/abuse.out")"
"$STRATACTL" status --socket "$SOCK" | grep -qE "^Synchronised: +yes" || fail "status after the abuse"
kill -0 "$PID" || fail "stratad died"
# Every abusive connection closed: the daemon holds no more than its listening socket.
wait_for 15 sh -c "[ \$(ls -l /proc/$PID/fd | grep -c socket:) -le 8 ]" ||
	fail "sockets left open: $(ls -l /proc/$PID/fd | grep -c socket:)"
pass "slow clients answered, floods cut off, $(ls -l /proc/$PID/fd | grep -c socket:) sockets left; still synchronised"
