/*
 * book.c: sorted-array order book with room at both ends; see book.h.
 */
#include <stdlib.h>
#include <string.h>

#include "book.h"
#include "dec.h"

#define SIDE_MIN_CAP	64

void
book_init(struct book *b, size_t max_depth)
{
	memset(b, 0, sizeof(*b));
	b->max_depth = max_depth;
}

void
book_free(struct book *b)
{
	free(b->bids.mem);
	free(b->asks.mem);
	memset(b, 0, sizeof(*b));
}

/* An empty side starts in the middle of its room. */
static void
side_clear(struct book_side *s)
{
	s->n = 0;
	s->lv = s->mem != NULL ? s->mem + s->cap / 2 : NULL;
}

void
book_clear(struct book *b)
{
	side_clear(&b->bids);
	side_clear(&b->asks);
}

static int
pcmp(int64_t a, int8_t ae, int64_t b, int8_t be)
{
	if (ae == be)
		return a < b ? -1 : a > b;
	return dec_cmp(a, ae, b, be);
}

int
book_better(int ask, int64_t a, int8_t ae, int64_t b, int8_t be)
{
	int c = pcmp(a, ae, b, be);

	return ask ? c : -c;
}

size_t
book_find(const struct book *b, int ask, int64_t p, int8_t e, int *found)
{
	const struct book_side *s = ask ? &b->asks : &b->bids;
	size_t lo = 0, hi = s->n;

	*found = 0;
	/* past the worst level: where a snapshot, best first, puts each */
	if (hi > 0 && book_better(ask, p, e, s->lv[hi - 1].price,
	    s->lv[hi - 1].price_exp) > 0)
		return hi;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = pcmp(s->lv[mid].price, s->lv[mid].price_exp, p, e);

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

/*
 * Makes room for one more level at both ends: the levels are moved to
 * the middle of the allocation, which first grows (at least doubling)
 * unless it leaves max(n / 2, SIDE_MIN_CAP / 2) free slots at each end.
 * So this O(n) move happens at most once every n / 2 changes.  Returns
 * 0 or -1 (out of memory; the side is unchanged).
 */
static int
side_room(struct book_side *s)
{
	size_t want = s->n + 2 * (s->n / 2 > SIDE_MIN_CAP / 2 ? s->n / 2 :
	    SIDE_MIN_CAP / 2);
	size_t head = s->lv != NULL ? (size_t)(s->lv - s->mem) : 0, nhead;

	if (s->cap < want) {
		size_t ncap = s->cap * 2 > want ? s->cap * 2 : want;
		struct book_level *nm = realloc(s->mem, ncap * sizeof(*nm));

		if (nm == NULL)
			return -1;
		s->mem = nm;
		s->cap = ncap;
	}
	nhead = (s->cap - s->n) / 2;
	memmove(s->mem + nhead, s->mem + head, s->n * sizeof(*s->mem));
	s->lv = s->mem + nhead;
	return 0;
}

int
book_set(struct book *b, int ask, int64_t price, int8_t price_exp,
    int64_t qty, int8_t qty_exp)
{
	int found;
	size_t i = book_find(b, ask, price, price_exp, &found);

	return book_set_at(b, ask, i, found, price, price_exp, qty, qty_exp);
}

int
book_set_at(struct book *b, int ask, size_t i, int found, int64_t price,
    int8_t price_exp, int64_t qty, int8_t qty_exp)
{
	struct book_side *s = ask ? &b->asks : &b->bids;
	size_t head, sz;

	if (qty == 0) {
		if (!found)
			return 1;
		/* close the gap from the nearer end */
		if (i < s->n - 1 - i) {
			memmove(s->lv + 1, s->lv, i * sizeof(*s->lv));
			s->lv++;
		} else {
			memmove(s->lv + i, s->lv + i + 1,
			    (s->n - i - 1) * sizeof(*s->lv));
		}
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
	sz = sizeof(*s->lv);
	head = s->lv != NULL ? (size_t)(s->lv - s->mem) : 0;
	if (i < s->n - i) {
		if (head == 0 && side_room(s) < 0)
			return -1;
		memmove(s->lv - 1, s->lv, i * sz);
		s->lv--;
	} else {
		if ((s->lv == NULL || head + s->n == s->cap) &&
		    side_room(s) < 0)
			return -1;
		memmove(s->lv + i + 1, s->lv + i, (s->n - i) * sz);
	}
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
