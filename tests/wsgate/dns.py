"""dns.py: a name server for tests/t-wsgate-redis-name-lookup-*.sh.

  dns.py ADDRFILE NAME=IPV4...

Listens on UDP port 53 of an address of 127.53.0.0/16 free for it,
written to ADDRFILE once it listens.  A question (RFC 1035 4.1) for
one of the NAMEs, of type A, is answered with its IPV4; of another
type, with no record (NOERROR, the name exists); a question for any
other name is read and never answered: a name server that has gone
silent.  Each question's name and type is printed, one a line.
"""
import os
import random
import socket
import struct
import sys


def qname(msg, off):
    labels = []
    while True:
        n = msg[off]
        off += 1
        if n == 0:
            return ".".join(labels).lower(), off
        labels.append(msg[off:off + n].decode("ascii", "replace"))
        off += n


def main():
    addrfile = sys.argv[1]
    names = dict(a.split("=", 1) for a in sys.argv[2:])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(100):
        addr = "127.53.%d.%d" % (random.randint(0, 255),
                                 random.randint(1, 254))
        try:
            s.bind((addr, 53))
            break
        except OSError:
            continue
    else:
        sys.exit("dns.py: no address of 127.53.0.0/16 free for port 53")
    with open(addrfile + ".tmp", "w") as f:
        f.write(addr + "\n")
    os.rename(addrfile + ".tmp", addrfile)
    while True:
        msg, peer = s.recvfrom(4096)
        if len(msg) < 12:
            continue
        qid, flags, qd = struct.unpack(">HHH", msg[:6])
        name, off = qname(msg, 12)
        qtype, qclass = struct.unpack(">HH", msg[off:off + 4])
        print(name, qtype, flush=True)
        if name not in names:
            continue        # silent
        question = msg[12:off + 4]
        answers = b""
        if qtype == 1:
            answers = (b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 5, 4) +
                       socket.inet_aton(names[name]))
        head = struct.pack(">HHHHHH", qid, 0x8180 | (flags & 0x0100), 1,
                           1 if answers else 0, 0, 0)
        s.sendto(head + question + answers, peer)


main()
