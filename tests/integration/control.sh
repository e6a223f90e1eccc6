#!/bin/bash
# The control socket with the real stratactl: stratad -x synchronised to chronyd -x, then
# `stratactl status|sources|serverstats` (tables and --json, parsed with python3's json),
# protocol errors (unknown command, not JSON, wrong version, an oversized line), more
# clients than allowed, a stale socket file replaced at start, a socket in use by another
# daemon left alone (that daemon keeps serving time), and the file removed at exit.
. "$(dirname "$0")/lib.sh"
need_built
NTPLOAD="$top_builddir/bench/ntpload"
need chronyd
need python3

serving_setup
# A stale socket file, as a daemon killed with -9 leaves it.
python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" "$SOCK"
[ -S "$SOCK" ] || fail "could not make a stale socket file"
start_stratad "$T/a.log" -c "$T/a.conf"; PID_A=$STRATAD_PID
expect_line 20 "$T/a.log" "synchronised to 127\.0\.0\.1:$P0, stratum 2" "stratad"
expect_line 5 "$T/a.log" "control socket $SOCK" "stale socket file replaced"
[ "$(stat -c %a "$SOCK")" = 660 ] || fail "socket mode $(stat -c %a "$SOCK"), want 660"

ctl() { "$STRATACTL" "$@" --socket "$SOCK"; }
ctl status >"$T/status" || fail "stratactl status failed"
grep -qE "^Synchronised: +yes" "$T/status" && grep -qE "^System peer: +127\.0\.0\.1:$P0" "$T/status" &&
	grep -qE "^Stratum: +2" "$T/status" || { cat "$T/status" >&2; fail "status table"; }
pass "stratactl status: $(grep -E '^(Synchronised|System peer|Last offset)' "$T/status" | tr -s ' ' | paste -sd ';')"
ctl status --json | python3 -c '
import json, os, sys
r = json.load(sys.stdin)
assert r["synchronised"] is True and r["stratum"] == 2, r
assert r["system_peer"].startswith("127.0.0.1:"), r
assert abs(r["offset"]) < 0.001 * int(os.environ.get("STRATA_TEST_SLOW", "1")) and r["root_delay"] >= 0 and r["leap"] == "none", r
for k in ("refid", "reference_time", "rms_offset", "frequency_ppm", "skew_ppm",
          "root_dispersion", "error_bound", "updates", "steps", "uptime", "unsync_reason"):
    assert k in r, k
' || fail "stratactl status --json"
pass "stratactl status --json: every documented field, offset within 1 ms"
ctl sources >"$T/sources" || fail "stratactl sources failed"
grep -qE "^127\.0\.0\.1:$P0 +selected +1 +1 +[0-7]+ " "$T/sources" || { cat "$T/sources" >&2; fail "sources table"; }
pass "stratactl sources: $(grep -E "^127" "$T/sources" | tr -s ' ')"
ctl sources -v >"$T/sources-v" || fail "stratactl sources -v failed"
grep -qE "^NAME +STATE +ST +REFID .* ROOT DIST +REQUESTS +KISS$" "$T/sources-v" &&
	grep -qE "^127\.0\.0\.1:$P0 +selected +1 +[^ ]+ +1 +[0-7]+ +[0-9]+ .* [0-9]+ +-$" "$T/sources-v" ||
	{ cat "$T/sources-v" >&2; fail "sources -v table"; }
pass "stratactl sources -v: $(grep -E "^127" "$T/sources-v" | tr -s ' ')"
ctl sources --json | python3 -c '
import json, sys
s = json.load(sys.stdin)["sources"]
assert len(s) == 1 and s[0]["state"] == "selected" and s[0]["stratum"] == 1, s
assert s[0]["reach"] > 0 and s[0]["have_sample"] and s[0]["last_rx_ago"] < 10, s
' || fail "stratactl sources --json"
pass "stratactl sources --json"
"$NTPLOAD" -p "$PS" -m rate -r 50 -d 1 >/dev/null
ctl serverstats --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["serving"] and r["received"] >= 50 and r["answered"] >= 50, r
' || fail "stratactl serverstats --json"
pass "stratactl serverstats: $(ctl serverstats | grep -E 'received|Answered' | tr -s ' ' | paste -sd ';')"

# Protocol errors: each answered, the connection kept; an endless line: answered, closed.
python3 - "$SOCK" <<'PY' || fail "protocol errors"
import json, socket, sys, time
def talk(data):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    s.sendall(data)
    s.settimeout(3)
    buf = b""
    while buf.count(b"\n") < data.count(b"\n") or not buf:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    return [json.loads(l) for l in buf.decode().splitlines()]
r = talk(b'{"version":1,"command":"nope"}\nnot json\n[1,2]\n{"version":2,"command":"status"}\n'
         b'{"command":"status"}\n{"version":1,"command":"status"}\n')
assert [x["ok"] for x in r] == [False] * 5 + [True], r
assert r[0]["error"] == "unknown command" and "malformed" in r[1]["error"], r
assert "version" in r[3]["error"], r
r = talk(b"x" * 10000)
assert r and r[0]["ok"] is False and "longer" in r[0]["error"], r
# More clients than allowed: the extra ones are told "busy"; the rest still work.
socks = []
for i in range(40):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); socks.append(s)
time.sleep(0.3)
busy = 0
for s in socks[32:]:
    s.settimeout(2)
    busy += b"busy" in s.recv(1000)
assert busy == 8, busy
for s in socks: s.close()
time.sleep(0.2)
assert talk(b'{"version":1,"command":"sources"}\n')[0]["ok"]
print("PASS: protocol errors answered; 8 of 40 clients told busy; the daemon still answers")
PY
kill -0 "$PID_A" || fail "stratad died"
"$NTPLOAD" -p "$PS" -m rate -r 20 -d 1 | grep -q " valid=20 " || fail "stratad stopped serving time"

# A second daemon on the same socket: it leaves it alone and serves time anyway.
PB=$(pick_port)
sed -e "s/127.0.0.1:$PS/127.0.0.1:$PB/" "$T/a.conf" >"$T/b.conf"
start_stratad "$T/b.log" -c "$T/b.conf"; PID_B=$STRATAD_PID
expect_line 10 "$T/b.log" "control socket disabled: $SOCK is in use by another running daemon" "second daemon"
wait_for 10 udp_port_open "$PB" || fail "second daemon not serving"
ctl status >/dev/null || fail "the first daemon's socket was taken"
kill "$PID_B"; wait_for 5 sh -c "! kill -0 $PID_B" || fail "second daemon did not stop"
[ -S "$SOCK" ] || fail "the second daemon removed the first one's socket"
pass "second daemon left the socket alone"
kill "$PID_A"; wait_for 5 sh -c "! kill -0 $PID_A" || fail "stratad did not stop"
[ ! -e "$SOCK" ] || fail "socket file left behind at exit"
"$STRATACTL" status --socket "$SOCK" 2>"$T/err" && fail "status succeeded with no daemon"
grep -q "cannot connect to $SOCK" "$T/err" || fail "no clear error without a daemon: $(cat "$T/err")"
pass "socket removed at exit; stratactl says: $(cat "$T/err")"
