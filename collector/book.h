/*
 * book.h: a price-level order book with exact decimals, kept by the
 * collector per venue and symbol: the venue's whole book, of which the
 * live feeds publish a window (see venue.h), to verify venue checksums
 * (Kraken), and to drive the simulator.
 *
 * Each side is a sorted array, best first (bids highest first, asks
 * lowest first): lv[0] is the best level, lv[n - 1] the worst.  The array
 * keeps free room before lv[0] as well as after lv[n - 1], and an
 * insertion or removal moves the shorter part, so a change i levels from
 * the top costs O(min(i, n - i)) moves plus a binary search: cheap near
 * the top of books tens of thousands of levels deep (Coinbase sends full
 * depth).  Pointers into lv are good until the next book_set.
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
	struct book_level	*lv;	/* the best level; lv[0..n) best first */
	size_t			 n;
	struct book_level	*mem;	/* the allocation lv points into */
	size_t			 cap;	/* levels mem holds */
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
 * qty 0 removes it.  A level that exists takes the new price text too
 * (100.50 replaces 100.5).  Returns 0, 1 if a removal named a price that
 * was not there (venues send these; callers may count them), or -1 on
 * allocation failure.  After an insertion the side is truncated to
 * max_depth.
 */
int	book_set(struct book *b, int ask, int64_t price, int8_t price_exp,
	    int64_t qty, int8_t qty_exp);

/*
 * book_set_at: book_set, with i and found as book_find gave them for
 * this price on this side and nothing changed the side since: saves
 * the search when the caller has just made it.
 */
int	book_set_at(struct book *b, int ask, size_t i, int found,
	    int64_t price, int8_t price_exp, int64_t qty, int8_t qty_exp);

/*
 * book_find: the index on one side of the level at price if *found is
 * set to 1, else of the first level worse than price (where it would be
 * inserted; n if none).
 */
size_t	book_find(const struct book *b, int ask, int64_t price,
	    int8_t price_exp, int *found);

/*
 * book_better: <0 if price a is better than price b on that side (higher
 * for bids, lower for asks), 0 if equal by value, >0 if worse.
 */
int	book_better(int ask, int64_t a, int8_t ae, int64_t b, int8_t be);

/* book_truncate: drops levels beyond depth on both sides. */
void	book_truncate(struct book *b, size_t depth);

#endif
