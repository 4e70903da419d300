#!/usr/bin/python3
"""caputil.py: raw captures (common/capture.h) for the history tests.

  spread IN OUT START_NS SPAN_NS   give the messages of IN times evenly
                                   spread over [START, START+SPAN): ts and
                                   recv, the records of a message alike
  filter IN OUT FROM_NS TO_NS      keep the messages whose ts is in
                                   [FROM, TO) (gaps too, by their place)
  noseq IN OUT                     zero every record's ring seq
  told IN OUT                      the records of IN but the status
                                   records of `collector replay` telling
                                   a loss, each printed: venue reason
  seqs IN                          print first and last seq and the count;
                                   exit 1 if seqs do not rise by one
  blocks IDX                       print each block of a history index
                                   sidecar: offset zlen first_seq last_seq
  flip FILE OFFSET                 invert the bits of the byte at OFFSET
  idxlie IDX I drop|twice          rewrite a history index sidecar with
                                   its block I left out, or listed twice,
                                   its CRC made right for the lie
  before IN NS                     print how many records have recv < NS
  gap FROM LOST                    write a gap record of LOST records
                                   from seq FROM (cap_gap_init)
  tphblocks FILE                   print each whole block of a history
                                   file, from its headers: nrec first_seq
                                   last_seq min_ts max_ts
"""
import struct
import sys
import zlib

HDR = 64
REC = 256
NONE, BOOK = 0, 2
F_START, F_LAST = 1, 2
TOLD = b"replay: the recording lost "


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    head, body = data[:HDR], data[HDR:]
    if head[:8] != b"TPCAP001" or len(body) % REC:
        sys.exit(f"{path}: not a whole capture")
    return head, [bytearray(body[i:i + REC]) for i in range(0, len(body), REC)]


def messages(recs):
    """Yields lists of records: one message (or one gap record) each."""
    cur = []
    for r in recs:
        typ, flags = struct.unpack_from("<HH", r, 8)
        if typ == BOOK:
            if flags & F_START and cur:
                yield cur
                cur = []
            cur.append(r)
            if flags & F_LAST:
                yield cur
                cur = []
            continue
        if cur:
            yield cur
            cur = []
        yield [r]
    if cur:
        yield cur


def write(path, head, recs):
    with open(path, "wb") as f:
        f.write(head)
        for r in recs:
            f.write(r)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "blocks":
        with open(args[0], "rb") as f:
            data = f.read()
        n = struct.unpack_from("<Q", data, 16)[0]
        for i in range(n):
            off, _, zlen, first, last = struct.unpack_from(
                "<QIIQQ", data, 32 + 48 * i)
            print(off, zlen, first, last)
        return 0
    if cmd == "tphblocks":
        with open(args[0], "rb") as f:
            data = f.read()
        off = 64
        while off + 64 <= len(data) and data[off:off + 4] == b"TPHB":
            nrec, zlen, _, first, last, lo, hi = struct.unpack_from(
                "<IIIQQqq", data, off + 4)
            if off + 64 + zlen > len(data):
                break
            print(nrec, first, last, lo, hi)
            off += 64 + zlen
        return 0
    if cmd == "idxlie":
        with open(args[0], "rb") as f:
            data = f.read()
        n = struct.unpack_from("<Q", data, 16)[0]
        ents = [data[32 + 48 * i:80 + 48 * i] for i in range(n)]
        i = int(args[1])
        ents[i:i + 1] = [] if args[2] == "drop" else [ents[i]] * 2
        body = b"".join(ents)
        with open(args[0], "wb") as f:
            f.write(data[:16] + struct.pack("<QII", len(ents),
                                            zlib.crc32(body), 0) + body)
        return 0
    if cmd == "gap":
        r = bytearray(REC)
        struct.pack_into("<QQ", r, 48, int(args[0]), int(args[1]))
        sys.stdout.buffer.write(r)
        return 0
    if cmd == "flip":
        with open(args[0], "r+b") as f:
            f.seek(int(args[1]))
            b = f.read(1)
            f.seek(int(args[1]))
            f.write(bytes([b[0] ^ 0xff]))
        return 0
    head, recs = read(args[0])
    if cmd == "spread":
        start, span = int(args[2]), int(args[3])
        msgs = list(messages(recs))
        out = []
        for i, m in enumerate(msgs):
            t = start + span * i // len(msgs)
            for r in m:
                struct.pack_into("<qq", r, 32, t, t)
                out.append(r)
        write(args[1], head, out)
    elif cmd == "filter":
        lo, hi = int(args[2]), int(args[3])
        out = []
        for m in messages(recs):
            ts = struct.unpack_from("<q", m[0], 32)[0]
            if lo <= ts < hi:
                out.extend(m)
        write(args[1], head, out)
    elif cmd == "before":
        ns = int(args[1])
        print(sum(1 for r in recs if struct.unpack_from("<q", r, 40)[0] < ns))
    elif cmd == "noseq":
        for r in recs:
            struct.pack_into("<Q", r, 0, 0)
        write(args[1], head, recs)
    elif cmd == "told":
        told = [r for r in recs if struct.unpack_from("<H", r, 8)[0] == 3
                and r[72:72 + len(TOLD)] == TOLD]
        for r in told:
            print(struct.unpack_from("<H", r, 12)[0],
                  r[72:200].split(b"\0")[0].decode())
        write(args[1], head, [r for r in recs if r not in told])
    elif cmd == "seqs":
        seqs = [struct.unpack_from("<Q", r, 0)[0] for r in recs]
        if not seqs:
            print("0 0 0")
            return 1
        print(seqs[0], seqs[-1], len(seqs))
        return 0 if seqs == list(range(seqs[0], seqs[0] + len(seqs))) else 1
    else:
        sys.exit(f"caputil: {cmd}: unknown command")
    return 0


if __name__ == "__main__":
    sys.exit(main())
