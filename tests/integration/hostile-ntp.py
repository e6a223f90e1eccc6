#!/usr/bin/python3
"""A hostile NTP server for the integration tests: answers each client request on
ADDR:PORT with the next attack of a fixed cycle (see CASES), and writes the name of each
attack it sent, one per line, to LOG. It only reads the clock.
Usage: hostile-ntp.py PORT ADDR LOG"""
import socket
import struct
import sys
import time

NTP_UNIX = 2208988800


def ts(t):
    return struct.pack("!II", (int(t) + NTP_UNIX) & 0xFFFFFFFF,
                       int((t - int(t)) * 2**32) & 0xFFFFFFFF)


def reply(req, li=0, stratum=1, refid=b"GOOD", rdelay=16, org=None, rec=None, xmt=None):
    now = time.time()
    head = struct.pack("!BBbbII", (li << 6) | (4 << 3) | 4, stratum, req[2], -20, rdelay, 16)
    return (head + refid + ts(now - 8) + (req[40:48] if org is None else org) +
            (ts(now) if rec is None else rec) + (ts(now) if xmt is None else xmt))


WRONG = b"\x01\x02\x03\x04\x05\x06\x07\x08"
ZERO = b"\0" * 8
# Each case: name, list of datagrams to send for one request.
CASES = [
    ("wrong_origin", lambda q: [reply(q, org=WRONG)]),
    ("spoofed_kod_deny", lambda q: [reply(q, stratum=0, refid=b"DENY", org=WRONG)]),
    ("spoofed_kod_rate", lambda q: [reply(q, stratum=0, refid=b"RATE", org=WRONG)]),
    ("duplicate", lambda q: [reply(q)] * 2),
    ("zero_transmit", lambda q: [reply(q, xmt=ZERO)]),
    ("leap_alarm", lambda q: [reply(q, li=3)]),
    ("stratum0_no_kiss", lambda q: [reply(q, stratum=0, refid=b"\0\0\0\0")]),
    ("stratum16", lambda q: [reply(q, stratum=16)]),
    ("root_distance", lambda q: [reply(q, rdelay=40 << 16)]),
    ("negative_delay", lambda q: [reply(q, rec=ts(time.time() + 1), xmt=ts(time.time()))]),
    ("short", lambda q: [reply(q)[:40]]),
    ("long_garbage", lambda q: [reply(q) + b"\xff" * 1100]),
    ("bad_extension", lambda q: [reply(q) + struct.pack("!HH", 0x0104, 6) + b"\0" * 12]),
    ("era_1900", lambda q: [reply(q, rec=struct.pack("!II", 1, 0), xmt=struct.pack("!II", 1, 0))]),
]


def main():
    port, addr, log = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((addr, port))
    n = 0
    with open(log, "a", encoding="utf-8") as out:
        while True:
            req, peer = sock.recvfrom(2048)
            if len(req) < 48 or (req[0] & 7) != 3:
                continue
            name, make = CASES[n % len(CASES)]
            for pkt in make(req):
                sock.sendto(pkt, peer)
            out.write(name + "\n")
            out.flush()
            n += 1


if __name__ == "__main__":
    main()
