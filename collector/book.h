/*
 * book.h: a price-level order book with exact decimals, kept by the
 * collector per venue and symbol: to emit periodic full snapshots, to
 * verify venue checksums (Kraken), and to drive the simulator.
 *
 * Each side is a sorted array (bids best = highest first, asks best =
 * lowest first).  Updates are O(levels) memmoves, which is cheap at the
 * depths venues send (tens to a few thousand levels).
 */
#ifndef TP_BOOK_H
#define TP_BOOK_H

#include <stddef.h>
#include <stdint.h>

struct book_level {
	int64_t	price;
	int64_t	qty;
	int8_t	price_exp;
	int8_t	qty_exp;
};

struct book_side {
	struct book_level	*lv;
	size_t			 n, cap;
};

struct book {
	struct book_side	bids, asks;
	size_t			max_depth;	/* 0: unlimited */
};

void	book_init(struct book *b, size_t max_depth);
void	book_free(struct book *b);
void	book_clear(struct book *b);

/*
 * book_set: sets the level at price on one side (ask != 0: asks) to qty;
 * qty 0 removes it.  Returns 0, 1 if a removal named a price that was not
 * there (venues send these; callers may count them), or -1 on allocation
 * failure.  After an insertion the side is truncated to max_depth.
 */
int	book_set(struct book *b, int ask, int64_t price, int8_t price_exp,
	    int64_t qty, int8_t qty_exp);

/* book_truncate: drops levels beyond depth on both sides. */
void	book_truncate(struct book *b, size_t depth);

#endif
