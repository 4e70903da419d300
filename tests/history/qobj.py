#!/usr/bin/python3
"""qobj.py PATH CASE: writes at PATH a recorder queue object (recorder(1),
Crashes and restarts) damaged as CASE says, for t-recorder-queue-damaged:

  wrap    head and tail just below 2**64, a block at the queue's start
  qsize   a queue size that wraps when added to the header's room
  plen    a block whose packing is longer than its records can make
  zero    a header of zeros (a recorder killed while making it)
  magic   not a queue at all

Layout (recorder.c): the header (magic[8] "TPRECQ1", qsize, head, tail,
little-endian u64s) in the first 4096 bytes, then the queue; a block is
a 64-byte block header (first_seq at 16, last_seq at 24), then n, t,
plen and ext (u64s), then its packing.
"""
import struct
import sys

QDATA = 4096
QSIZE = 1 << 20


def block(n, first, last, plen):
    hdr = bytearray(64)
    struct.pack_into("<QQ", hdr, 16, first, last)
    return bytes(hdr) + struct.pack("<QqQQ", n, 0, plen, 0)


def main():
    path, case = sys.argv[1], sys.argv[2]
    body = bytearray(QSIZE)
    if case == "wrap":
        head = (1 << 64) - 16
        hdr = struct.pack("<8sQQQ", b"TPRECQ1", QSIZE, head, head + 8)
        body[0:96] = block(1, 1, 1, 8)
    elif case == "qsize":
        hdr = struct.pack("<8sQQQ", b"TPRECQ1", (1 << 64) - QDATA, 0, 104)
        body[0:96] = block(1, 1, 1, 1 << 62)
    elif case == "plen":
        hdr = struct.pack("<8sQQQ", b"TPRECQ1", QSIZE, 0, 96 + 100000)
        body[0:96] = block(1, 1, 1, 100000)
        body[96:96 + 100000] = bytes((i * 7919) & 0xff for i in range(100000))
    elif case == "zero":
        hdr = b""
    elif case == "magic":
        hdr = b"NOTAQUEUE"
    else:
        sys.exit(f"qobj: {case}: unknown case")
    with open(path, "wb") as f:
        f.write(hdr.ljust(QDATA, b"\0"))
        f.write(body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
