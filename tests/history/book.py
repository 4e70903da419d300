#!/usr/bin/python3
"""book.py: the books a reader builds from tickpipe JSONL, for the
history tests.

  book.py TS < JSONL     the book of every venue and symbol after applying
                         the book messages whose ts is below TS (ns), in
                         order: a snapshot replaces the book, a delta sets
                         each level, a zero quantity removes it.  Prints
                         one line per level, "venue symbol side price qty",
                         best first, and exits 1 on a gap line (the book
                         would not be known).
"""
import json
import sys
from decimal import Decimal


def main():
    cut = int(sys.argv[1])
    books = {}
    for line in sys.stdin:
        m = json.loads(line)
        t = m.get("type")
        if t == "gap":
            sys.exit("book.py: a gap: " + line.strip())
        if t not in ("book_snapshot", "book_delta") or m["ts"] >= cut:
            continue
        key = (m["venue"], m["symbol"])
        if t == "book_snapshot" or key not in books:
            books[key] = {"bid": {}, "ask": {}}
        for side, levels in (("bid", m["bids"]), ("ask", m["asks"])):
            book = books[key][side]
            for price, qty in levels:
                if Decimal(qty) == 0:
                    book.pop(price, None)
                else:
                    book[price] = qty
    for key in sorted(books):
        for side in ("bid", "ask"):
            prices = sorted(books[key][side], key=Decimal,
                            reverse=side == "bid")
            for p in prices:
                print(key[0], key[1], side, p, books[key][side][p])
    return 0


if __name__ == "__main__":
    sys.exit(main())
