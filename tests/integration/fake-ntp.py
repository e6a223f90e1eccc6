#!/usr/bin/python3
"""A lying NTP server for the integration tests: answers client requests on ADDR:PORT (default 127.0.0.1)
with its clock OFFSET seconds away from this machine's (positive = ahead), at STRATUM.
It only reads the clock. Usage: fake-ntp.py PORT OFFSET [STRATUM [ADDR]]"""
import socket
import struct
import sys
import time

NTP_UNIX = 2208988800


def ntp_ts(t):
    sec = int(t) + NTP_UNIX
    frac = int((t - int(t)) * 2**32) & 0xFFFFFFFF
    return struct.pack("!II", sec & 0xFFFFFFFF, frac)


def main():
    port = int(sys.argv[1])
    offset = float(sys.argv[2])
    stratum = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    addr = sys.argv[4] if len(sys.argv) > 4 else "127.0.0.1"
    sock.bind((addr, port))
    while True:
        req, peer = sock.recvfrom(1024)
        rx = time.time() + offset
        if len(req) < 48 or (req[0] & 7) != 3:
            continue
        version = (req[0] >> 3) & 7
        head = struct.pack("!BBbbII", (version << 3) | 4, stratum, req[2], -20, 0, 16)
        refid = b"FAKE"
        reply = head + refid + ntp_ts(rx - 8) + req[40:48] + ntp_ts(rx)
        reply += ntp_ts(time.time() + offset)
        sock.sendto(reply, peer)


if __name__ == "__main__":
    main()
