#!/bin/bash
# Prometheus metrics: stratad -x synchronised to two chronyd -x upstreams with a metrics
# section, /metrics scraped over HTTP and parsed with the prometheus_client library's own
# parser (Debian's python3-prometheus-client); values checked against stratactl; 404 for
# another path, 405 for POST; a reload that moves the listener; a port in use is an error
# in the log and the daemon keeps serving time.
. "$(dirname "$0")/lib.sh"
need_built
need chronyd
need python3
PY3=/usr/bin/python3 # Debian's, where python3-prometheus-client is
[ -x "$PY3" ] || PY3=python3
"$PY3" -c 'import prometheus_client.parser' 2>/dev/null || fail "python3-prometheus-client is required (scripts/test installs it)"
NTPLOAD="$top_builddir/bench/ntpload"

tcp_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
P1=$(pick_port); start_chronyd "$P1" 1 127.0.0.21
P2=$(pick_port); start_chronyd "$P2" 2 127.0.0.22
PS=$(pick_port)
M1=$(tcp_port)
SOCK="$T/ctl.sock"
conf() {
	cat <<CONF
server "127.0.0.21" { port = $P1  iburst = true  minpoll = 1  maxpoll = 1 }
server "127.0.0.22" { port = $P2  iburst = true  minpoll = 1  maxpoll = 1 }
listen = { "127.0.0.1:$PS" }
allow = { "127.0.0.1" }
driftfile = ""
include_dir = ""
control_socket = "$SOCK"
metrics { listen = "127.0.0.1:$1" }
CONF
}
conf "$M1" >"$T/m.conf"
start_stratad "$T/m.log" -c "$T/m.conf"; PID=$STRATAD_PID
expect_line 10 "$T/m.log" "Prometheus metrics on http://127\.0\.0\.1:$M1/metrics" "metrics listener"
"$STRATACTL" waitsync --timeout 30 --interval 0.2 --socket "$SOCK" >/dev/null || fail "not synchronised"
sleep 3
"$NTPLOAD" -p "$PS" -m rate -r 40 -d 1 >/dev/null
"$STRATACTL" sources --json --socket "$SOCK" >"$T/sources.json" || fail "stratactl sources"

"$PY3" - "$M1" "$T/sources.json" "$P1" "$P2" <<'PY' || fail "metrics do not parse or disagree"
import json, sys, urllib.request, urllib.error
from prometheus_client.parser import text_string_to_metric_families
port, sources, p1, p2 = sys.argv[1], json.load(open(sys.argv[2]))["sources"], sys.argv[3], sys.argv[4]
url = "http://127.0.0.1:%s/metrics" % port
r = urllib.request.urlopen(url, timeout=5)
assert r.status == 200 and r.headers["Content-Type"].startswith("text/plain; version=0.0.4"), r.headers
text = r.read().decode()
fam = {f.name: f for f in text_string_to_metric_families(text)}
def one(name):
    s = fam[name].samples
    assert len(s) == 1, (name, s)
    return s[0].value
assert one("strata_synchronised") == 1 and one("strata_stratum") == 2, text
assert abs(one("strata_offset_seconds")) < 0.001 and one("strata_root_distance_seconds") > 0
assert one("strata_clock_updates") >= 1 and fam["strata_clock_updates"].type == "counter"
assert one("strata_uptime_seconds") > 3
assert one("strata_server_requests") >= 40 and one("strata_server_answered") >= 40, text
assert one("strata_serving") == 1
def per_source(name):
    return {s.labels["source"]: s.value for s in fam[name].samples}
names = {"127.0.0.21:" + p1, "127.0.0.22:" + p2}
reach = per_source("strata_source_reach")
assert set(reach) == names, reach
for s in sources:
    assert reach[s["name"]] == s["reach"] or abs(reach[s["name"]] - s["reach"]) < 256, (s, reach)
    assert per_source("strata_source_stratum")[s["name"]] == s["stratum"], s
assert per_source("strata_source_stratum") == {"127.0.0.21:" + p1: 1, "127.0.0.22:" + p2: 2}
states = {s.labels["source"]: s.labels["state"] for s in fam["strata_source_state"].samples}
assert states["127.0.0.21:" + p1] == "selected", states
for n in ("strata_source_offset_seconds", "strata_source_delay_seconds",
          "strata_source_jitter_seconds", "strata_source_requests"):
    assert set(per_source(n)) == names, n
assert all(abs(v) < 0.001 for v in per_source("strata_source_offset_seconds").values())
for path, method, want in (("/other", "GET", 404), ("/metrics", "POST", 405)):
    try:
        urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:%s%s" % (port, path),
                               method=method, data=b"x" if method == "POST" else None), timeout=5)
        raise AssertionError(path + " answered 200")
    except urllib.error.HTTPError as e:
        assert e.code == want, (path, e.code)
print("PASS: /metrics parses (%d families, %d samples); system, source and server values agree"
      % (len(fam), sum(len(f.samples) for f in fam.values())))
PY

# A reload moves the listener; the old port closes.
M2=$(tcp_port)
conf "$M2" >"$T/m.conf"
kill -HUP "$PID"
expect_line 10 "$T/m.log" "Prometheus metrics on http://127\.0\.0\.1:$M2/metrics" "reload moved the listener"
python3 -c "
import sys, urllib.request
urllib.request.urlopen('http://127.0.0.1:$M2/metrics', timeout=5)
try:
    urllib.request.urlopen('http://127.0.0.1:$M1/metrics', timeout=5)
    sys.exit('old port still answers')
except OSError:
    pass" || fail "after the reload"
pass "after the reload only port $M2 answers"

# A second daemon on the same port: error logged, time still served.
PB=$(pick_port)
sed -e "s/127.0.0.1:$PS/127.0.0.1:$PB/" -e "s|$SOCK|$T/b.sock|" "$T/m.conf" >"$T/b.conf"
start_stratad "$T/b.log" -c "$T/b.conf"
expect_line 10 "$T/b.log" "metrics disabled: cannot listen for metrics on 127\.0\.0\.1:$M2" "port in use"
wait_for 10 udp_port_open "$PB" || fail "second daemon not serving"
kill -0 "$PID" || fail "stratad died"
