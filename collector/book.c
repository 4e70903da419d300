/*
 * book.c: sorted-array order book; see book.h.
 */
#include <stdlib.h>
#include <string.h>

#include "book.h"
#include "dec.h"

void
book_init(struct book *b, size_t max_depth)
{
	memset(b, 0, sizeof(*b));
	b->max_depth = max_depth;
}

void
book_free(struct book *b)
{
	free(b->bids.lv);
	free(b->asks.lv);
	memset(b, 0, sizeof(*b));
}

void
book_clear(struct book *b)
{
	b->bids.n = 0;
	b->asks.n = 0;
}

static int
pcmp(const struct book_level *l, int64_t p, int8_t e)
{
	if (l->price_exp == e)
		return l->price < p ? -1 : l->price > p;
	return dec_cmp(l->price, l->price_exp, p, e);
}

/*
 * Binary search: index of the first level not better than price.
 * Bids are sorted descending, asks ascending.
 */
static size_t
side_find(const struct book_side *s, int ask, int64_t p, int8_t e, int *found)
{
	size_t lo = 0, hi = s->n;

	*found = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = pcmp(&s->lv[mid], p, e);

		if (c == 0) {
			*found = 1;
			return mid;
		}
		/* level mid is better than p: go right */
		if (ask ? c < 0 : c > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
book_set(struct book *b, int ask, int64_t price, int8_t price_exp,
    int64_t qty, int8_t qty_exp)
{
	struct book_side *s = ask ? &b->asks : &b->bids;
	int found;
	size_t i = side_find(s, ask, price, price_exp, &found);

	if (qty == 0) {
		if (!found)
			return 1;
		memmove(&s->lv[i], &s->lv[i + 1],
		    (s->n - i - 1) * sizeof(*s->lv));
		s->n--;
		return 0;
	}
	if (found) {
		s->lv[i].qty = qty;
		s->lv[i].qty_exp = qty_exp;
		s->lv[i].price_exp = price_exp;
		s->lv[i].price = price;
		return 0;
	}
	if (b->max_depth != 0 && i >= b->max_depth)
		return 0;	/* worse than the depth we keep */
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 64;
		struct book_level *nl = realloc(s->lv, ncap * sizeof(*nl));

		if (nl == NULL)
			return -1;
		s->lv = nl;
		s->cap = ncap;
	}
	memmove(&s->lv[i + 1], &s->lv[i], (s->n - i) * sizeof(*s->lv));
	s->lv[i] = (struct book_level){ price, qty, price_exp, qty_exp };
	s->n++;
	if (b->max_depth != 0 && s->n > b->max_depth)
		s->n = b->max_depth;
	return 0;
}

void
book_truncate(struct book *b, size_t depth)
{
	if (b->bids.n > depth)
		b->bids.n = depth;
	if (b->asks.n > depth)
		b->asks.n = depth;
}
