#!/bin/bash
# Send errors: requests forged (raw socket, loopback only) with source port 0 cannot be
# answered (the kernel refuses a datagram to port 0: EINVAL). Mixed into a good client's
# traffic, each is counted as a send error, the rest of the batch still goes out, the good
# client keeps every answer and stratad keeps running and synchronised.
. "$(dirname "$0")/lib.sh"
need_built
need chronyd
NTPLOAD="$top_builddir/bench/ntpload"
[ -x "$NTPLOAD" ] || fail "$NTPLOAD not built"

serving_setup # chronyd -x on P0, $T/a.conf serving on PS, control socket $SOCK
start_stratad "$T/s.log" -c "$T/a.conf"; PID=$STRATAD_PID
"$STRATACTL" waitsync --timeout 30 --interval 0.2 --socket "$SOCK" >/dev/null || fail "not synchronised"

"$NTPLOAD" -p "$PS" -b 127.0.0.1 -m rate -r 200 -d 3 >"$T/good" &
GOOD=$!
/usr/bin/python3 - "$PS" <<'PY' || fail "could not send the forged requests"
import socket, struct, sys, time
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
ntp = bytes([0x23]) + bytes(39) + struct.pack("!II", 0xE0000000, 1)   # v4 client request
udp = struct.pack("!HHHH", 0, port, 8 + len(ntp), 0) + ntp             # source port 0, no checksum
src = dst = socket.inet_aton("127.0.0.1")
for i in range(200):
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i, 0, 64, 17, 0, src, dst)
    s.sendto(ip + udp, ("127.0.0.1", 0))
    time.sleep(0.01)
PY
wait "$GOOD" || fail "the good client's load generator failed"
good=$(cat "$T/good")
sent=$(sed -n 's/.* sent=\([0-9]*\).*/\1/p' <<<"$good"); valid=$(sed -n 's/.* valid=\([0-9]*\).*/\1/p' <<<"$good")
[ "$sent" -ge 500 ] && [ "$valid" = "$sent" ] || fail "the good client lost answers: $good"
errs=$("$STRATACTL" serverstats --json --socket "$SOCK" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["send_errors"])')
[ "$errs" -ge 150 ] || fail "only $errs send errors counted for 200 unanswerable requests"
kill -0 "$PID" || fail "stratad died"
"$STRATACTL" status --json --socket "$SOCK" | /usr/bin/python3 -c 'import json,sys; assert json.load(sys.stdin)["synchronised"]' ||
	fail "lost synchronisation"
pass "200 requests from port 0: $errs send errors counted; the good client got $valid of $sent; still synchronised"
