#!/bin/bash
# The changing side of the control socket and the rest of stratactl, with real chronyd -x
# upstreams: waitsync (in bounds, out of bounds), sourcestats and clients (tables, --json),
# burst, makestep (refused with -x: no clock to step), who may change things (a member of
# control_group reads but may not reload while control_write = "root"; may once it is
# "group"), and the full reload: one source of three replaced, the other two keep their
# samples; a broken file keeps the old configuration and `stratactl status` shows the error.
. "$(dirname "$0")/lib.sh"
need_built
NTPLOAD="$top_builddir/bench/ntpload"
need chronyd
need python3
need setpriv

# One chronyd per address (a server section is titled by its host, so names differ).
P1=$(pick_port); start_chronyd "$P1" 1 127.0.0.11
P2=$(pick_port); start_chronyd "$P2" 1 127.0.0.12
P3=$(pick_port); start_chronyd "$P3" 1 127.0.0.13
P4=$(pick_port); start_chronyd "$P4" 1 127.0.0.14
PS=$(pick_port)
SOCK="$T/ctl.sock"
chmod 755 "$T"
conf() { # conf N_OF_THIRD_SOURCE CONTROL_WRITE [EXTRA]
	local p; eval "p=\$P$1"
	cat <<CONF
server "127.0.0.11" { port = $P1  iburst = true  minpoll = 1  maxpoll = 2 }
server "127.0.0.12" { port = $P2  iburst = true  minpoll = 1  maxpoll = 2 }
server "127.0.0.1$1" { port = $p  iburst = true  minpoll = 1  maxpoll = 2 }
listen = { "127.0.0.1:$PS" }
allow = { "127.0.0.0/8" }
driftfile = ""
include_dir = ""
control_socket = "$SOCK"
control_group = "nogroup"
control_write = "$2"
${3:-}
CONF
}
conf 3 root >"$T/s.conf"
start_stratad "$T/s.log" -c "$T/s.conf"; PID=$STRATAD_PID
ctl() { "$STRATACTL" "$@" --socket "$SOCK"; }

ctl waitsync --timeout 30 --interval 0.2 >"$T/wait" || { cat "$T/s.log" >&2; fail "waitsync"; }
grep -q "^synchronised to 127\.0\.0\.1[1-3]:" "$T/wait" || fail "waitsync said: $(cat "$T/wait")"
pass "stratactl waitsync: $(cat "$T/wait")"
ctl waitsync --json --timeout 5 | python3 -c 'import json,sys; r=json.load(sys.stdin); assert r["synchronised"] is True, r' ||
	fail "waitsync --json"
ctl waitsync --timeout 1 --interval 0.2 --max-offset 0 2>"$T/err" && fail "waitsync --max-offset 0 succeeded"
grep -q "not synchronised within the offset bound after 1 s" "$T/err" || fail "waitsync timeout: $(cat "$T/err")"
pass "stratactl waitsync --max-offset 0 --timeout 1: exit 1, $(cat "$T/err")"
[ "$(stat -c %G "$SOCK")" = nogroup ] || fail "socket group $(stat -c %G "$SOCK"), want nogroup"
pass "control socket given to control_group nogroup"

# sourcestats
wait_for 15 sh -c "'$STRATACTL' sourcestats --json --socket '$SOCK' | python3 -c 'import json,sys; s=json.load(sys.stdin)[\"sources\"]; sys.exit(not all(x[\"samples\"] >= 3 for x in s))'" ||
	fail "sources do not reach 3 samples"
ctl sourcestats >"$T/ss" || fail "stratactl sourcestats"
[ "$(grep -cE "^127\.0\.0\.1[1-3]:($P1|$P2|$P3) +[0-9]+ +[0-9]+s " "$T/ss")" = 3 ] || { cat "$T/ss" >&2; fail "sourcestats table"; }
ctl sourcestats --json | python3 -c '
import json, sys
s = json.load(sys.stdin)["sources"]
assert len(s) == 3, s
for x in s:
    assert x["samples"] >= 3 and x["span"] > 0 and abs(x["offset"]) < 0.001, x
    assert x["jitter"] >= 0 and x["offset_sd"] >= 0 and "frequency_ppm" in x and "skew_ppm" in x, x
' || fail "stratactl sourcestats --json"
pass "stratactl sourcestats: $(sed -n 2p "$T/ss" | tr -s ' ')"

# clients: 30 requests from 127.0.0.2, 20 from 127.0.0.3
"$NTPLOAD" -p "$PS" -b 127.0.0.2 -m rate -r 30 -d 1 >/dev/null
"$NTPLOAD" -p "$PS" -b 127.0.0.3 -m rate -r 20 -d 1 >/dev/null
ctl clients >"$T/cl" || fail "stratactl clients"
grep -qE "^127\.0\.0\.2 +30 +0 +0 " "$T/cl" && grep -qE "^127\.0\.0\.3 +20 +0 +0 " "$T/cl" || { cat "$T/cl" >&2; fail "clients table"; }
ctl clients --json | python3 -c '
import json, sys
c = json.load(sys.stdin)["clients"]
assert [x["address"] for x in c[:2]] == ["127.0.0.2", "127.0.0.3"], c
assert c[0]["requests"] == 30 and c[1]["requests"] == 20, c
assert 0.01 < c[0]["interval"] < 0.1 and c[0]["last_rx_ago"] < 30, c
' || fail "stratactl clients --json"
pass "stratactl clients: $(sed -n 2p "$T/cl" | tr -s ' ')"

# burst and makestep
before=$(ctl sources --json | python3 -c 'import json,sys; print(sum(x["requests"] for x in json.load(sys.stdin)["sources"]))')
ctl burst --count 3 >"$T/b" || fail "stratactl burst"
grep -q "^burst: 3 sources, 3 requests each" "$T/b" || fail "burst said $(cat "$T/b")"
expect_line 5 "$T/s.log" "burst: 3 sources will send 3 requests each" "burst logged"
sleep 5
after=$(ctl sources --json | python3 -c 'import json,sys; print(sum(x["requests"] for x in json.load(sys.stdin)["sources"]))')
[ $((after - before)) -ge 9 ] || fail "burst sent $((after - before)) requests, want >= 9"
pass "stratactl burst --count 3: $((after - before)) requests in 5 s"
ctl burst --json --count 1 | python3 -c 'import json,sys; r=json.load(sys.stdin); assert r == {"sources": 3, "count": 1}, r' ||
	fail "burst --json"
ctl burst --count 9 2>"$T/err" && fail "burst --count 9 accepted"
grep -q "1..6" "$T/err" || fail "burst --count 9: $(cat "$T/err")"
ctl makestep 2>"$T/err" && fail "makestep succeeded with -x"
grep -q "the clock is not controlled (-x): nothing to step" "$T/err" || fail "makestep: $(cat "$T/err")"
pass "stratactl makestep with -x: $(cat "$T/err")"

# Who may change things: nobody (group nogroup) reads, may not reload while "root".
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$STRATACTL" "$@" --socket "$SOCK"; }
as_nobody status >/dev/null || fail "a member of control_group cannot read"
as_nobody reload 2>"$T/err" && fail "nobody reloaded with control_write = root"
grep -q "permission denied" "$T/err" || fail "reload as nobody: $(cat "$T/err")"
pass "control_write = root: a group member reads; reload refused: $(cat "$T/err")"

# Full reload: the third source replaced; the other two keep their samples.
samples() { # samples N...: the samples of the source on 127.0.0.1N:$PN, -1 if none
	local args="" n p
	for n in "$@"; do eval "p=\$P$n"; args="$args 127.0.0.1$n:$p"; done
	ctl sources --json | python3 -c "
import json, sys
s = {x['name']: x['samples'] for x in json.load(sys.stdin)['sources']}
print(' '.join(str(s.get(n, -1)) for n in sys.argv[1:]))" $args; }
read -r n1 n2 <<<"$(samples 1 2)"
conf 4 group >"$T/s.conf"
ctl reload >"$T/r" || fail "stratactl reload: $(cat "$T/r")"
grep -q "^configuration reloaded" "$T/r" || fail "reload said $(cat "$T/r")"
read -r m1 m2 m3 m4 <<<"$(samples 1 2 3 4)"
[ "$m1" -ge "$n1" ] && [ "$m2" -ge "$n2" ] && [ "$n1" -ge 3 ] || fail "kept sources lost samples: $n1 $n2 -> $m1 $m2"
[ "$m3" = -1 ] && [ "$m4" -ge 0 ] || fail "third source not replaced: $m3 $m4"
pass "stratactl reload: sources on $P1 and $P2 kept $m1 and $m2 samples (had $n1, $n2); $P3 gone, $P4 added"
as_nobody status >/dev/null || fail "control socket lost after the reload"
wait_for 5 sh -c "setpriv --reuid=nobody --regid=nogroup --clear-groups -- '$STRATACTL' reload --socket '$SOCK'" ||
	fail "control_write = group: nogroup member still may not reload"
pass "control_write = group: a member of control_group may reload"

# Runtime add and remove: the new source polls at once, the others keep their samples.
read -r k1 k2 <<<"$(samples 1 2)"
ctl add server 127.0.0.13 --port "$P3" --iburst --minpoll 1 --maxpoll 2 >"$T/add" || fail "stratactl add: $(cat "$T/add")"
grep -q "^added server 127\.0\.0\.13 port $P3$" "$T/add" || fail "add said $(cat "$T/add")"
expect_line 5 "$T/s.log" "stratactl add: server 127\.0\.0\.13 port $P3" "add logged"
wait_for 15 sh -c "[ \$('$STRATACTL' sources --json --socket '$SOCK' | python3 -c 'import json,sys; print(sum(x[\"samples\"] for x in json.load(sys.stdin)[\"sources\"] if x[\"name\"] == \"127.0.0.13:$P3\"))') -ge 1 ]" ||
	fail "the added source gives no samples"
read -r j1 j2 <<<"$(samples 1 2)"
[ "$j1" -ge "$k1" ] && [ "$j2" -ge "$k2" ] || fail "add reset the other sources: $k1 $k2 -> $j1 $j2"
ctl add server 127.0.0.13 --port "$P3" 2>"$T/err" && fail "a duplicate add succeeded"
grep -q "already a source" "$T/err" || fail "duplicate add: $(cat "$T/err")"
ctl add server 'bad name!' 2>"$T/err" && fail "a bad name was added"
grep -q '"name" must be a host name or address' "$T/err" || fail "bad name: $(cat "$T/err")"
ctl add server x.example --minpoll 5 --maxpoll 3 2>"$T/err" && fail "maxpoll < minpoll accepted"
grep -q "maxpoll 3 is less than minpoll 5" "$T/err" || fail "poll range: $(cat "$T/err")"
ctl remove 127.0.0.13 --json | python3 -c 'import json,sys; assert json.load(sys.stdin) == {"removed": "127.0.0.13"}' || fail "remove --json"
[ "$(samples 3)" = -1 ] || fail "the removed source still runs"
ctl remove 127.0.0.99 2>"$T/err" && fail "removing an unknown source succeeded"
grep -q "no source 127.0.0.99" "$T/err" || fail "remove unknown: $(cat "$T/err")"
pass "stratactl add and remove: the added source sampled, the others kept theirs ($k1 $k2 -> $j1 $j2), errors refused"

# A broken file: the old configuration stays; the error is shown.
conf 4 group "minpoll = {" >"$T/s.conf"
ctl reload 2>"$T/err" && fail "a broken configuration was reloaded"
grep -q "s.conf:" "$T/err" || fail "reload error: $(cat "$T/err")"
ctl status | grep -q "^Reload failed: .*s.conf:" || fail "status does not show the reload error"
ctl status --json | python3 -c 'import json,sys; r=json.load(sys.stdin); assert "s.conf:" in r["reload_error"] and r["synchronised"], r' ||
	fail "status --json reload_error"
[ "$(samples 4)" -ge 0 ] || fail "sources lost after a failed reload"
pass "broken reload refused: $(cat "$T/err")"
conf 4 group >"$T/s.conf"
ctl reload --json | python3 -c 'import json,sys; assert json.load(sys.stdin) == {"reloaded": True}' || fail "reload --json of the fixed file"
ctl status --json | python3 -c 'import json,sys; r=json.load(sys.stdin); assert r["reload_error"] == "", r' || fail "reload_error not cleared"
pass "fixed file reloaded, reload_error cleared"
kill -0 "$PID" || fail "stratad died"
