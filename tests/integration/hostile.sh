#!/bin/bash
# Hostile replies: stratad -x with two good chronyd -x upstreams and a hostile server that
# answers every request with the next attack of a cycle (tests/integration/hostile-ntp.py:
# wrong origin, spoofed KoD DENY and RATE, duplicates, zero timestamps, LI=3, stratum 0
# without a kiss code, stratum 16, root distance over the limit, negative delay, short,
# over 1 KB, malformed extension fields, 1900-era timestamps). After two cycles: every
# attack is counted under its verdict in `stratactl sources --json` (a duplicate's second
# copy never reaches the engine: each request has its own socket, closed by the first
# reply), the spoofed kisses stopped nothing, the hostile source was never followed, and
# the daemon stays synchronised to the good majority.
. "$(dirname "$0")/lib.sh"
need_built
need chronyd
need python3

PG=$(pick_port); start_chronyd "$PG" 1 127.0.0.51
PG2=$(pick_port); start_chronyd "$PG2" 1 127.0.0.53
PH=$(pick_port)
python3 "$(dirname "$0")/hostile-ntp.py" "$PH" 127.0.0.52 "$T/attacks" >"$T/hostile.out" 2>&1 &
STARTED_PIDS="$STARTED_PIDS $!"
wait_for 10 udp_port_open "$PH" || { cat "$T/hostile.out" >&2; fail "hostile server did not start"; }
SOCK="$T/ctl.sock"
cat >"$T/h.conf" <<CONF
server "127.0.0.51" { port = $PG  iburst = true  minpoll = 1  maxpoll = 1 }
server "127.0.0.53" { port = $PG2  iburst = true  minpoll = 1  maxpoll = 1 }
server "127.0.0.52" { port = $PH  minpoll = 1  maxpoll = 1 }
driftfile = ""
include_dir = ""
control_socket = "$SOCK"
CONF
start_stratad "$T/h.log" -c "$T/h.conf"; PID=$STRATAD_PID
"$STRATACTL" waitsync --timeout 30 --interval 0.2 --socket "$SOCK" >/dev/null || { cat "$T/h.log" >&2; fail "not synchronised"; }
cases=$(grep -c '", lambda' "$(dirname "$0")/hostile-ntp.py")
wait_for 90 sh -c "[ \$(wc -l <'$T/attacks') -ge $((2 * cases)) ]" || fail "the hostile server got $(wc -l <"$T/attacks") requests, want $((2 * cases))"
sleep 1
kill -0 "$PID" || fail "stratad died"
"$STRATACTL" sources --json --socket "$SOCK" >"$T/sources.json"
"$STRATACTL" status --json --socket "$SOCK" >"$T/status.json"
python3 - "$T/sources.json" "$T/status.json" "$PH" <<'PY' || { cat "$T/sources.json" >&2; fail "hostile replies not all refused"; }
import json, sys
src = {s["name"]: s for s in json.load(open(sys.argv[1]))["sources"]}
st = json.load(open(sys.argv[2]))
h = src["127.0.0.52:" + sys.argv[3]]
rx = h["received"]
want = {"bogus": 6, "zero_timestamp": 2, "unsync": 6, "bad_header": 2, "bad_delay": 2,
        "malformed": 6}
for k, n in want.items():
    assert rx[k] >= n, (k, rx[k], n, rx)
assert rx["kod_deny"] == 0 and rx["kod_rate"] == 0 and h["kiss"] == "", rx   # spoofed: ignored
assert rx["sample"] <= 2 * 2, rx   # per cycle: the duplicate's first copy, the 1900 one
assert h["state"] != "selected" and h["poll"] == 1, h                         # never followed, not slowed
assert st["synchronised"] and st["system_peer"].split(":")[0] in ("127.0.0.51", "127.0.0.53"), st
assert abs(st["offset"]) < 0.01, st
print("PASS: hostile verdicts %s; still synchronised to %s, offset %+.6f s" %
      (json.dumps({k: rx[k] for k in sorted(rx) if rx[k]}), st["system_peer"], st["offset"]))
PY
grep -q "insane time\|stepping" "$T/h.log" && fail "a hostile reply moved the daemon: $(grep 'insane time\|stepping' "$T/h.log")"
pass "no step, no insane-time alarm from the hostile source"
