#!/bin/bash
# A pool through DNS, with a DNS failure and its recovery: stratad -x reads a resolv_conf
# that points at fake-dns.py on loopback (the machine's resolver is never asked). The resolver
# first answers SERVFAIL: stratad warns, keeps running and retries in 60 s; once the
# resolver answers with three addresses (each a chronyd -x), the pool gets its three
# members and stratad synchronises. About 70 s: the retry interval is the daemon's own.
. "$(dirname "$0")/lib.sh"
need_built
need chronyd

P=$(pick_port)
for a in 51 52 53; do start_chronyd "$P" 1 "127.0.0.$a"; done
DP=$(pick_port)
here="$top_srcdir/tests/integration"
/usr/bin/python3 "$here/fake-dns.py" 127.0.0.1 "$DP" pool.test "$T/dns-ok" 127.0.0.51 127.0.0.52 127.0.0.53 >"$T/dns.log" 2>&1 &
STARTED_PIDS="$STARTED_PIDS $!"
wait_for 10 grep -q LISTENING "$T/dns.log" || fail "fake DNS did not start: $(cat "$T/dns.log")"
printf 'nameserver 127.0.0.1:%s\noptions timeout:1 attempts:1\n' "$DP" >"$T/resolv.conf"
SOCK="$T/ctl.sock"
cat >"$T/p.conf" <<CONF
pool "pool.test" { port = $P  iburst = true  minpoll = 1  maxpoll = 1  maxsources = 3 }
driftfile = ""
include_dir = ""
control_socket = "$SOCK"
resolv_conf = "$T/resolv.conf"
CONF

start_stratad "$T/s.log" -d -c "$T/p.conf"; PID=$STRATAD_PID
expect_line 15 "$T/s.log" "warning: cannot resolve pool\\.test: .*; retrying in 60 s" "DNS failure"
kill -0 "$PID" || fail "stratad stopped on a DNS failure"
"$STRATACTL" status --socket "$SOCK" >/dev/null || fail "no control socket during the DNS failure"
grep -qE '^1 pool\.test 2$' "$T/dns.log" || fail "the fake DNS saw no failing A query: $(cat "$T/dns.log")"

touch "$T/dns-ok"
expect_line 80 "$T/s.log" "resolved pool\\.test to 3 addresses" "DNS recovery"
"$STRATACTL" waitsync --timeout 30 --interval 0.2 --socket "$SOCK" >/dev/null || fail "not synchronised to the pool"
"$STRATACTL" sources --json --socket "$SOCK" | /usr/bin/python3 -c '
import json, sys
srcs = json.load(sys.stdin)["sources"]
addrs = sorted(s["name"].rsplit(":", 1)[0] for s in srcs)
assert addrs == ["127.0.0.51", "127.0.0.52", "127.0.0.53"], addrs
assert any(s["state"] in ("selected", "combined") for s in srcs), srcs' ||
	fail "the pool's members: $("$STRATACTL" sources --socket "$SOCK")"
pass "pool.test: 3 members after the resolver recovered, synchronised"
kill -TERM "$PID"
wait "$PID" || fail "stratad exited $?"
