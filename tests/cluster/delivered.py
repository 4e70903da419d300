#!/usr/bin/python3
"""delivered.py T NEW PORT [MOVING]: checks what the cluster tests'
subscribers got against what redispub read.  $T/in holds the lines fed
(rp-gen JSONL), $T/owners "channel slot port" per channel, $T/*.msgs each
subscriber's messages ("channel seq", or "UNSUB channel"), $T/NEW.msgs
the subscriber of the moved channels' new owner, read last (NEW "-":
no slot moved, and there is none).  Each
channel's lines, the old owner's then the new owner's, must be every
line it was fed, in order, once; on node PORT (whose connection the test
closed) at least once, the repeats counted.  Every channel named first on
a line of MOVING must have lines on the new owner and an UNSUB from its
old one.  Says each failure on stderr and exits 1 if any."""
import json
import os
import sys

T, port = sys.argv[1], sys.argv[3]
new = sys.argv[2] + ".msgs" if sys.argv[2] != "-" else None
moving = [l.split()[0] for l in open(sys.argv[4])] if len(sys.argv) > 4 else []
owner = dict((l.split()[0], l.split()[2]) for l in open(T + "/owners"))
want = {}
for line in open(T + "/in"):
    m = json.loads(line)
    ch = "md.sim.%s.%s" % (m["symbol"], "trade" if m["type"] == "trade" else "book")
    want.setdefault(ch, []).append(m["seq"])
got, unsub, on_new = {}, {}, {}
# the old owner's messages before the new owner's
names = sorted(f for f in os.listdir(T) if f.endswith(".msgs") and f != new)
for f in names + ([new] if new else []):
    for line in open(T + "/" + f):
        a, b = line.split()
        if a == "UNSUB":
            unsub[b] = f
            continue
        got.setdefault(a, []).append(int(b))
        if f == new:
            on_new[a] = on_new.get(a, 0) + 1
bad = dups = 0
for ch, seqs in want.items():
    g = got.get(ch, [])
    if owner[ch] == port:
        seen, first = set(), []
        for x in g:
            if x not in seen:
                seen.add(x)
                first.append(x)
        dups += len(g) - len(first)
        g = first
    if g != seqs:
        bad += 1
        lost = sorted(set(seqs) - set(g))
        print("%s: %d lines, %d received, %d lost (%s), %d duplicated, "
              "in order: %s" % (ch, len(seqs), len(g), len(lost), lost[:5],
              len(g) - len(set(g)), g == sorted(g)), file=sys.stderr)
for ch in moving:
    if ch not in unsub:
        print("%s: the old owner pushed no SUNSUBSCRIBE" % ch, file=sys.stderr)
        bad += 1
    # followed to its new owner, by -MOVED or the slot map
    if ch not in on_new:
        print("%s: nothing published on the new owner" % ch, file=sys.stderr)
        bad += 1
n = sum(on_new.values())
print("  channels %d, lines %d, on the new owner after the move %d, "
      "repeated by node %s after its connection was closed %d" %
      (len(want), sum(len(v) for v in want.values()), n, port, dups),
      file=sys.stderr)
if n == 0 and new:
    print("nothing published on the new owner: the move came too late",
          file=sys.stderr)
    bad += 1
sys.exit(1 if bad else 0)
