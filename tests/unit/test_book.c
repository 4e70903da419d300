/*
 * test_book.c: the collector's order book (collector/book.h).  Each side
 * stays sorted best first whatever end a change is nearer to, through
 * growth and recentering; removals of absent prices say so; prices are
 * levels by value; max_depth cuts; a side 50,000 levels deep takes
 * changes near its top cheaply.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "book.h"

/* A plain model of one side: prices best first, kept by shifting. */
struct model {
	int64_t	p[8192], q[8192];
	size_t	n;
};

static void
model_set(struct model *m, int ask, int64_t p, int64_t q)
{
	size_t i = 0;

	while (i < m->n && (ask ? m->p[i] < p : m->p[i] > p))
		i++;
	if (i < m->n && m->p[i] == p) {
		if (q == 0) {
			memmove(&m->p[i], &m->p[i + 1], (m->n - i - 1) * 8);
			memmove(&m->q[i], &m->q[i + 1], (m->n - i - 1) * 8);
			m->n--;
		} else {
			m->q[i] = q;
		}
		return;
	}
	if (q == 0)
		return;
	memmove(&m->p[i + 1], &m->p[i], (m->n - i) * 8);
	memmove(&m->q[i + 1], &m->q[i], (m->n - i) * 8);
	m->p[i] = p;
	m->q[i] = q;
	m->n++;
}

static void
same(const struct book_side *s, const struct model *m)
{
	assert_int_equal(s->n, m->n);
	for (size_t i = 0; i < m->n; i++) {
		assert_int_equal(s->lv[i].price, m->p[i]);
		assert_int_equal(s->lv[i].qty, m->q[i]);
	}
	if (s->n > 0) {
		assert_true(s->lv >= s->mem);
		assert_true(s->lv + s->n <= s->mem + s->cap);
	}
}

/*
 * Random changes on both sides, each drawn near the top, near the bottom
 * or anywhere, match the model after every one.
 */
static void
random_changes_keep_each_side_sorted(void **state)
{
	static struct model mb, ma;
	struct book b;

	(void)state;
	srand(7);
	book_init(&b, 0);
	for (int round = 0; round < 3; round++) {
		mb.n = ma.n = 0;
		book_clear(&b);
		for (int k = 0; k < 60000; k++) {
			int ask = rand() & 1, where = rand() % 3;
			struct model *m = ask ? &ma : &mb;
			/* prices 1..6000: asks from 1 up, bids from 6000 down */
			int64_t off = where == 0 ? rand() % 50 : where == 1 ?
			    5950 + rand() % 50 : rand() % 6000;
			int64_t p = ask ? 1 + off : 6000 - off;
			int64_t q = rand() % 4 == 0 ? 0 : 1 + rand() % 1000;
			int had, r;

			book_find(&b, ask, p, 0, &had);
			r = book_set(&b, ask, p, 0, q, 0);
			assert_int_equal(r, q == 0 && !had ? 1 : 0);
			model_set(m, ask, p, q);
			same(ask ? &b.asks : &b.bids, m);
		}
	}
	book_free(&b);
}

/* 100.5 and 100.50 are one level, which keeps the latest text. */
static void
prices_are_levels_by_value(void **state)
{
	struct book b;
	int found;

	(void)state;
	book_init(&b, 0);
	assert_int_equal(book_set(&b, 0, 1005, -1, 3, 0), 0);
	assert_int_equal(book_set(&b, 0, 10050, -2, 4, 0), 0);
	assert_int_equal(b.bids.n, 1);
	assert_int_equal(b.bids.lv[0].price, 10050);
	assert_int_equal(b.bids.lv[0].price_exp, -2);
	assert_int_equal(book_find(&b, 0, 1005, -1, &found), 0);
	assert_int_equal(found, 1);
	assert_int_equal(book_find(&b, 0, 100, 0, &found), 1);
	assert_int_equal(found, 0);
	assert_true(book_better(0, 101, 0, 1005, -1) < 0);
	assert_true(book_better(1, 101, 0, 1005, -1) > 0);
	assert_int_equal(book_better(1, 1005, -1, 10050, -2), 0);
	assert_int_equal(book_set(&b, 0, 100500, -3, 0, 0), 0);
	assert_int_equal(b.bids.n, 0);
	book_free(&b);
}

/* With max_depth, levels past it are not kept. */
static void
max_depth_cuts_each_side(void **state)
{
	struct book b;

	(void)state;
	book_init(&b, 3);
	for (int64_t p = 1; p <= 5; p++) {
		book_set(&b, 0, p, 0, 1, 0);
		book_set(&b, 1, p, 0, 1, 0);
	}
	assert_int_equal(b.bids.n, 3);
	assert_int_equal(b.bids.lv[0].price, 5);
	assert_int_equal(b.bids.lv[2].price, 3);
	assert_int_equal(b.asks.n, 3);
	assert_int_equal(b.asks.lv[2].price, 3);
	book_truncate(&b, 1);
	assert_int_equal(b.asks.n, 1);
	book_free(&b);
}

static int64_t
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * 50,000 asks; 200,000 changes (inserts and removals in turn) within the
 * top 300 levels.  Moving the shorter part keeps each to a few hundred
 * bytes: the bound, far above what it takes, fails only if changes move
 * the whole side (about 1.2 MB each).
 */
static void
deep_side_takes_changes_near_the_top_cheaply(void **state)
{
	struct book b;
	int64_t t0, ns;
	const int n = 200000;

	(void)state;
	book_init(&b, 0);
	for (int64_t p = 0; p < 50000; p++)
		book_set(&b, 1, 2 * p, 0, 1, 0);
	t0 = mono();
	for (int k = 0; k < n; k++) {
		int64_t p = 2 * (k * 7919 % 300) + 1;

		book_set(&b, 1, p, 0, 1, 0);
		book_set(&b, 1, p, 0, 0, 0);
	}
	ns = (mono() - t0) / (2 * n);
	print_message("book: %lld ns a change near the top of 50000 levels\n",
	    (long long)ns);
	assert_int_equal(b.asks.n, 50000);
	assert_true(ns < 20000);
	book_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_changes_keep_each_side_sorted),
		cmocka_unit_test(prices_are_levels_by_value),
		cmocka_unit_test(max_depth_cuts_each_side),
		cmocka_unit_test(deep_side_takes_changes_near_the_top_cheaply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
