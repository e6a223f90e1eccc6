#!/bin/bash
# ntpq compatibility (mode 6): stratad -x synchronised to three chronyd -x upstreams (one of
# them configured by name), serving on 127.0.0.77:123 (ntpq only talks to port 123), and
# the real NTPsec ntpq (unpacked from Debian's packages, run without CAP_SYS_TIME):
# `ntpq -p` lists the same sources, reach and offsets as `stratactl sources`; `-c as`
# shows the associations with the right conditions; `-c rv` and `-c "rv ASSOC"` read the
# system and peer variables; a variable list, an unknown variable, an unknown association,
# a write opcode and an unknown opcode get the right answers; mode 7 is never answered; a
# client outside allow_control gets nothing; with server_threads = 2 every request is
# still answered.
. "$(dirname "$0")/lib.sh"
need_built
need chronyd
need python3
[ -f "$NTPSEC/usr/bin/ntpq" ] || fail "NTPsec's ntpq not in $NTPSEC (scripts/deps test fetches it)"
[ -r /etc/services ] && grep -qE '^ntp[[:space:]]+123/udp' /etc/services ||
	fail "ntpq looks up the service \"ntp\": /etc/services is missing (scripts/deps test installs netbase)"
ADDR=127.0.0.77
udp_addr_taken "$ADDR" 123 && fail "UDP port 123 of $ADDR is taken on this machine"
ntpq() { ntpsec ntpq "$@"; }

P1=$(pick_port); start_chronyd "$P1" 1 127.0.0.31
P2=$(pick_port); start_chronyd "$P2" 1 127.0.0.32
P3=$(pick_port); start_chronyd "$P3" 2 127.0.0.1
SOCK="$T/ctl.sock"
conf() {
	cat <<CONF
server "127.0.0.31" { port = $P1  iburst = true  minpoll = 1  maxpoll = 1 }
server "127.0.0.32" { port = $P2  iburst = true  minpoll = 1  maxpoll = 1 }
server "localhost" { port = $P3  iburst = true  minpoll = 1  maxpoll = 1 }
listen = { "$ADDR:123" }
allow = { "127.0.0.0/8" }
allow_control = { "$ADDR", "127.0.0.1" }
server_threads = $1
driftfile = ""
include_dir = ""
control_socket = "$SOCK"
CONF
}
conf 1 >"$T/q.conf"
start_stratad "$T/q.log" -c "$T/q.conf"; PID=$STRATAD_PID
"$STRATACTL" waitsync --timeout 30 --interval 0.2 --socket "$SOCK" >/dev/null || { cat "$T/q.log" >&2; fail "not synchronised"; }
sleep 2

# ntpq -p against stratactl sources: same sources, reach, offsets within 0.1 ms of each other.
ntpq -n -p "$ADDR" >"$T/peers" 2>&1 || fail "ntpq -p failed: $(cat "$T/peers")"
grep -q "^=====" "$T/peers" || fail "ntpq -p printed no table: $(cat "$T/peers")"
"$STRATACTL" sources --json --socket "$SOCK" >"$T/sources.json"
python3 - "$T/peers" "$T/sources.json" <<'PY' || { cat "$T/peers" >&2; fail "ntpq -p disagrees with stratactl sources"; }
import json, sys
rows = [l.split() for l in open(sys.argv[1]).read().splitlines()[2:] if l.strip()]
src = json.load(open(sys.argv[2]))["sources"]
assert len(rows) == 3 == len(src), (rows, src)
by_addr = {}
for r in rows:
    tally, addr = r[0][0], r[0][1:]
    by_addr[addr] = dict(tally=tally, st=int(r[2]), t=r[3], poll=int(r[5]), reach=r[6],
                         delay=float(r[7]), offset=float(r[8]), jitter=float(r[9]))
for s in src:
    addr = s["name"].rsplit(":", 1)[0]
    p = by_addr[addr]
    assert p["st"] == s["stratum"] and p["t"] == "u" and p["poll"] == 2, (p, s)
    assert int(p["reach"], 8) == s["reach"] or abs(int(p["reach"], 8).bit_length() - s["reach"].bit_length()) <= 1, (p, s)
    assert abs(p["offset"] - s["offset"] * 1e3) < 0.1, (p, s)
    want = {"selected": "*+", "combined": "+", "candidate": "#"}.get(s["state"], " x")
    assert p["tally"] in want, (p, s)
assert sum(p["tally"] == "*" for p in by_addr.values()) == 1, by_addr
print("PASS: ntpq -p lists the 3 sources of stratactl sources, reach and offsets agree")
PY
sed -n 3,5p "$T/peers"

ntpq -c as "$ADDR" >"$T/as" || fail "ntpq -c as"
[ "$(grep -cE '^ +[0-9]+ +[0-9]+ +[0-9a-f]{4} +yes +yes +none +(sys\.peer|candidate|backup|outlier)' "$T/as")" = 3 ] ||
	{ cat "$T/as" >&2; fail "ntpq -c as"; }
grep -q "sys.peer" "$T/as" || fail "no sys.peer in ntpq -c as"
pass "ntpq -c as: 3 associations, one sys.peer"

ntpq -c rv "$ADDR" >"$T/rv" || fail "ntpq -c rv"
for want in 'version="stratad ' 'stratum=2' 'leap=00' 'precision=-20' 'rootdist=' 'refid=127\.0\.0\.3[12]' 'clock=' 'peer=[1-9]'; do
	grep -q "$want" "$T/rv" || { cat "$T/rv" >&2; fail "ntpq -c rv lacks $want"; }
done
pass "ntpq -c rv: $(tr -d '\n' <"$T/rv" | grep -oE 'status=[0-9a-f]+ [^,]*, [^,]*')"
peer=$(grep -oE 'peer=[0-9]+' "$T/rv" | cut -d= -f2)
ntpq -c "rv $peer" "$ADDR" >"$T/rvp" || fail "ntpq -c rv $peer"
for want in 'srcadr=127\.0\.0\.3[12]' 'srcport=' 'stratum=1' 'reach=' 'hmode=3' 'offset=' 'delay=' 'jitter=' 'rec='; do
	grep -q "$want" "$T/rvp" || { cat "$T/rvp" >&2; fail "ntpq -c 'rv $peer' lacks $want"; }
done
grep -q "sel_sys.peer" "$T/rvp" || fail "the system peer's status word"
for a in 1 2 3; do ntpq -c "rv $a" "$ADDR"; done >"$T/rvall"
[ "$(grep -c 'srchost="localhost"' "$T/rvall")" = 1 ] || fail "the source configured by name lacks srchost"
pass "ntpq -c 'rv $peer': $(head -1 "$T/rvp")"

ntpq -c "rv 0 stratum,offset" "$ADDR" >"$T/list"
grep -qE '^stratum=2, offset=-?[0-9.]+$' "$T/list" || fail "rv with a list: $(cat "$T/list")"
ntpq -c "rv 0 nosuchvar" "$ADDR" 2>&1 | grep -q "UNKNOWNVAR" || fail "unknown variable not refused"
ntpq -c "mrulist" "$ADDR" 2>&1 | grep -q "BADOP" || fail "mrulist not refused with BADOP"
pass "rv with a variable list; unknown variable -> UNKNOWNVAR; mrulist -> BADOP"

# Raw packets: bad association, WRITEVAR, mode 7, and a client outside allow_control.
python3 - "$ADDR" <<'PY' || fail "raw mode 6/7 requests"
import socket, struct, sys
addr = sys.argv[1]
def ask(pkt, src="127.0.0.1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.settimeout(1.5)
    s.sendto(pkt, (addr, 123))
    try:
        return s.recv(2000)
    except socket.timeout:
        return None
def m6(op, assoc=0, data=b"", seq=7):
    return struct.pack("!BBHHHHH", (2 << 3) | 6, op, seq, 0, assoc, 0, len(data)) + data + b"\0" * (-len(data) % 4)
r = ask(m6(2, assoc=999))
assert r and r[1] == 0xC2 and r[4] == 4 and r[2:4] == b"\0\7", r   # error, BADASSOC
r = ask(m6(3, data=b"stratum=1"))
assert r and r[1] == 0xC3 and r[4] == 1, r                         # WRITEVAR: permission
r = ask(m6(1))
assert r and r[1] == 0x81 and struct.unpack("!H", r[10:12])[0] == 12, r  # 3 associations
assert ask(bytes([(2 << 3) | 7, 0, 3, 42]) + b"\0" * 44) is None    # mode 7: never
assert ask(m6(1) [:11]) is None                                     # short: dropped
r = ask(m6(1) , src="127.0.0.9")
assert r is None, r                                                 # not in allow_control
print("PASS: BADASSOC, WRITEVAR refused, READSTAT raw; mode 7, short and foreign requests unanswered")
PY
"$STRATACTL" serverstats --json --socket "$SOCK" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["control"] >= 10 and r["denied"] >= 1, r' || fail "control counter"
pass "serverstats counts the control requests"

# Two server threads: ntpq keeps working whichever thread a request lands on.
conf 2 >"$T/q.conf"
kill -HUP "$PID"
expect_line 10 "$T/q.log" "2 server threads" "reload to server_threads = 2"
sleep 1
for i in 1 2 3 4 5 6; do
	ntpq -n -p "$ADDR" >"$T/peers2" || fail "ntpq -p with 2 threads (try $i)"
	[ "$(grep -cE '^[*+# x.-]127\.0\.0\.' "$T/peers2")" = 3 ] || { cat "$T/peers2" >&2; fail "ntpq -p with 2 threads (try $i)"; }
done
pass "server_threads = 2: ntpq -p answered 6 times out of 6"
kill -0 "$PID" || fail "stratad died"
