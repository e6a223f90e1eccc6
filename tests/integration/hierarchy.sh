#!/bin/bash
# A stratum hierarchy on loopback: chronyd -x (local stratum 1) -> stratad -x A (stratum 2,
# serving on a high port) -> stratad -x B (stratum 3, serving on 127.0.0.1:123, the only
# port NTPsec's ntpdig speaks to) -> real clients: chronyd -Q and ntpdig accept B's time at
# stratum 3 within +-1 ms. Then A loses its upstream, goes unsynchronised, and B stops
# following it. Clients other than chronyd run without CAP_SYS_TIME; ntpdig never gets -s/-S.
. "$(dirname "$0")/lib.sh"
need_built
need chronyd
need setpriv
[ -x "$NTPSEC/usr/bin/ntpdig" ] || fail "NTPsec's ntpdig not in $NTPSEC (scripts/deps test fetches it)"
udp_addr_taken 127.0.0.1 123 && fail "UDP port 123 of 127.0.0.1 is taken on this machine: B needs it for ntpdig"

has() { grep -qE "$2" "$1"; }

P0=$(pick_port); start_chronyd "$P0" 1; CHRONY_UP=$CHRONYD_PID
PA=$(pick_port)
cat >"$T/a.conf" <<CONF
server "127.0.0.1" { port = $P0  iburst = true  minpoll = 1  maxpoll = 1 }
listen = { "127.0.0.1:$PA" }
allow = { "127.0.0.0/8" }
driftfile = ""
include_dir = ""
CONF
cat >"$T/b.conf" <<CONF
server "127.0.0.1" { port = $PA  iburst = true  minpoll = 1  maxpoll = 1 }
listen = { "127.0.0.1:123" }
allow = { "127.0.0.1" }
driftfile = ""
include_dir = ""
CONF
start_stratad "$T/a.log" -c "$T/a.conf"; PID_A=$STRATAD_PID
expect_line 20 "$T/a.log" "synchronised to 127\.0\.0\.1:$P0, stratum 2" "A"
start_stratad "$T/b.log" -c "$T/b.conf"; PID_B=$STRATAD_PID
expect_line 20 "$T/b.log" "synchronised to 127\.0\.0\.1:$PA, stratum 3" "B"

# chronyd -Q against B: one measurement, printed, never applied.
timeout 30 chronyd -Q -u root -f /dev/null "server 127.0.0.1 port 123 iburst maxsamples 4" \
	>"$T/chrony-q.out" 2>&1 || { cat "$T/chrony-q.out" >&2; fail "chronyd -Q failed against B"; }
line=$(grep -E "System clock wrong by" "$T/chrony-q.out") ||
	{ cat "$T/chrony-q.out" >&2; fail "chronyd -Q: no measurement"; }
off=$(echo "$line" | sed -E 's/.*wrong by (-?[0-9.]+) seconds.*/\1/')
awk -v o="$off" 'BEGIN { exit !(o < 0.001 && o > -0.001) }' || fail "chronyd -Q: offset $off s"
pass "chronyd -Q: $line"

# ntpdig (query only) against B, without CAP_SYS_TIME.
ntpsec ntpdig -t 2 127.0.0.1 >"$T/ntpdig.out" 2>&1 || { cat "$T/ntpdig.out" >&2; fail "ntpdig failed against B"; }
read -r _ _ _ off _ _ host stratum _ < <(grep -E " 127\.0\.0\.1 s[0-9]+ " "$T/ntpdig.out") ||
	{ cat "$T/ntpdig.out" >&2; fail "ntpdig: no result line"; }
[ "$stratum" = s3 ] || { cat "$T/ntpdig.out" >&2; fail "ntpdig: stratum $stratum, want s3"; }
awk -v o="$off" 'BEGIN { exit !(o < 0.001 && o > -0.001) }' || fail "ntpdig: offset $off s"
pass "ntpdig: $(cat "$T/ntpdig.out")"

# Access control and the reply's fields, by a raw probe: 127.0.0.2 is not allowed by B, a
# version 3 request from 127.0.0.1 gets a version 3 reply, stratum 3, origin = its transmit.
# probe FROM [PORT]: one request from address FROM to 127.0.0.1:PORT (default 123).
probe() {
	python3 - "$1" "${2:-123}" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
s.settimeout(1.0)
req = bytes([0x1b]) + bytes(39) + struct.pack("!II", 0x12345678, 0x9abcdef0)
s.sendto(req, ("127.0.0.1", int(sys.argv[2])))
try:
    rep = s.recv(1024)
except socket.timeout:
    print("no reply")
    sys.exit(0)
print("reply len=%d li=%d vn=%d mode=%d stratum=%d org_ok=%s" % (len(rep), rep[0] >> 6,
      (rep[0] >> 3) & 7, rep[0] & 7, rep[1], rep[24:32] == req[40:48]))
PY
}
out=$(probe 127.0.0.2)
[ "$out" = "no reply" ] || fail "B answered 127.0.0.2, which no allow rule covers: $out"
pass "127.0.0.2 (not allowed): $out"
out=$(probe 127.0.0.1)
[ "$out" = "reply len=48 li=0 vn=3 mode=4 stratum=3 org_ok=True" ] || fail "B's reply to a v3 probe: $out"
pass "127.0.0.1 (allowed): $out"

# An isolated server with no sources and local_stratum 10 serves its own clock at stratum 10.
PD=$(pick_port)
printf 'listen = { "127.0.0.1:%s" }\nallow = { "127.0.0.1" }\nlocal_stratum = 10\ndriftfile = ""\ninclude_dir = ""\n' \
	"$PD" >"$T/d.conf"
start_stratad "$T/d.log" -c "$T/d.conf"
wait_for 10 udp_port_open "$PD" || { cat "$T/d.log" >&2; fail "local-stratum server did not start"; }
out=$(probe 127.0.0.1 "$PD")
[ "$out" = "reply len=48 li=0 vn=3 mode=4 stratum=10 org_ok=True" ] || fail "local_stratum 10: $out"
pass "local_stratum 10, no sources: $out"

# A second daemon cannot take B's port: it says so and exits 1.
cp "$T/b.conf" "$T/c.conf"
"$STRATAD" -x -n -u root -c "$T/c.conf" >"$T/c.log" 2>&1 && fail "a second stratad started on port 123"
has "$T/c.log" "cannot listen on 127\.0\.0\.1:123: Address already in use" ||
	{ cat "$T/c.log" >&2; fail "no 'cannot listen' error"; }
pass "port taken: $(grep -m1 'cannot listen' "$T/c.log" | sed 's/^stratad: //')"

# A loses its upstream: it goes unsynchronised (LI 3, stratum 0 on the wire), and B no
# longer follows it.
kill "$CHRONY_UP"
expect_line 60 "$T/a.log" "warning: not synchronised" "A after losing chronyd"
expect_line 30 "$T/b.log" "warning: not synchronised" "B after A went unsynchronised"
kill -0 "$PID_A" && kill -0 "$PID_B" || fail "a stratad exited"
