#!/usr/bin/python3
"""A tiny DNS server for tests, on loopback only.
Usage: fake-dns.py ADDR PORT NAME OKFILE IP...

Answers queries for NAME: SERVFAIL while OKFILE does not exist (a broken resolver), then
the A records IP... (AAAA and other types: an empty NOERROR answer). Any other name gets
NXDOMAIN. Appends one line per query to stdout ("QTYPE NAME RCODE"), flushed."""
import os
import socket
import struct
import sys


def parse_question(msg):
    """(id, flags, qname, qtype, end offset of the question) or None."""
    if len(msg) < 12:
        return None
    qid, flags, qd = struct.unpack("!HHH", msg[:6])
    if qd != 1:
        return None
    labels, i = [], 12
    while i < len(msg) and msg[i] != 0:
        n = msg[i]
        labels.append(msg[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    i += 1
    if i + 4 > len(msg):
        return None
    qtype, _ = struct.unpack("!HH", msg[i:i + 4])
    return qid, flags, ".".join(labels).lower(), qtype, i + 4


def reply(msg, q, rcode, ips):
    qid, flags, _, qtype, qend = q
    answers = b""
    if rcode == 0 and qtype == 1:
        for ip in ips:
            answers += struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + socket.inet_aton(ip)
    n_an = len(ips) if rcode == 0 and qtype == 1 else 0
    rflags = 0x8000 | (flags & 0x0100) | 0x0080 | rcode  # QR, RD echoed, RA
    return struct.pack("!HHHHHH", qid, rflags, 1, n_an, 0, 0) + msg[12:qend] + answers


def main():
    addr, port, name, okfile, ips = sys.argv[1], int(sys.argv[2]), sys.argv[3].lower(), sys.argv[4], sys.argv[5:]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((addr, port))
    print("LISTENING", flush=True)
    while True:
        msg, peer = sock.recvfrom(512)
        q = parse_question(msg)
        if q is None:
            continue
        if q[2] != name:
            rcode = 3  # NXDOMAIN
        elif not os.path.exists(okfile):
            rcode = 2  # SERVFAIL
        else:
            rcode = 0
        sock.sendto(reply(msg, q, rcode, ips), peer)
        print(q[3], q[2], rcode, flush=True)


if __name__ == "__main__":
    main()
