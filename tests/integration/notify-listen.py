#!/usr/bin/python3
"""A stand-in for systemd's notification socket: binds an AF_UNIX datagram socket at PATH
and appends every message it receives to OUT, one field per line, flushed at once.
Usage: notify-listen.py PATH OUT"""
import os
import socket
import sys


def main():
    path, out = sys.argv[1], sys.argv[2]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    with open(out, "a", encoding="utf-8") as f:
        f.write("LISTENING\n")
        f.flush()
        while True:
            msg = sock.recv(4096).decode("utf-8", "replace")
            for line in msg.split("\n"):
                if line:
                    f.write(line + "\n")
            f.flush()
            os.fsync(f.fileno())


if __name__ == "__main__":
    main()
