/*
 * test_backoff.c: reconnection waits (common/backoff.h): without jitter
 * they double from the floor to the cap and stay there; a reset starts
 * from the floor again; with jitter each wait lies in [w/2, w] of the
 * plain sequence, spreads over that range, and the plain sequence
 * underneath is the same.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "backoff.h"

static void
waits_double_from_the_floor_to_the_cap(void **state)
{
	static const int64_t want[] = { 100, 200, 400, 800, 1600, 3200, 5000,
	    5000, 5000 };
	struct backoff b;

	(void)state;
	backoff_init(&b, 100, 5000, 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++)
		assert_int_equal(backoff_next(&b), want[i]);
}

static void
a_cap_that_is_not_a_doubling_of_the_floor_is_reached_exactly(void **state)
{
	struct backoff b;

	(void)state;
	backoff_init(&b, 1000, 30000, 0);
	for (int i = 0; i < 5; i++)
		(void)backoff_next(&b);		/* 1, 2, 4, 8, 16 s */
	assert_int_equal(backoff_next(&b), 30000);
	assert_int_equal(backoff_next(&b), 30000);
}

static void
a_reset_starts_from_the_floor(void **state)
{
	struct backoff b;

	(void)state;
	backoff_init(&b, 100, 5000, 0);
	for (int i = 0; i < 10; i++)
		(void)backoff_next(&b);
	backoff_reset(&b);
	assert_int_equal(backoff_next(&b), 100);
	assert_int_equal(backoff_next(&b), 200);
}

static void
jittered_waits_lie_in_the_upper_half_of_the_plain_ones(void **state)
{
	struct backoff plain, jit;
	int64_t lo = INT64_MAX, hi = 0;

	(void)state;
	srandom(1);
	backoff_init(&plain, 1000, 30000, 0);
	backoff_init(&jit, 1000, 30000, 1);
	for (int i = 0; i < 1000; i++) {
		int64_t w = backoff_next(&plain), j = backoff_next(&jit);

		assert_in_range(j, w / 2, w);
		if (w == 30000) {
			lo = j < lo ? j : lo;
			hi = j > hi ? j : hi;
		}
	}
	/* 990 draws from [15000, 30000] cover most of it */
	assert_true(lo < 16000);
	assert_true(hi > 29000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(waits_double_from_the_floor_to_the_cap),
		cmocka_unit_test(
		    a_cap_that_is_not_a_doubling_of_the_floor_is_reached_exactly),
		cmocka_unit_test(a_reset_starts_from_the_floor),
		cmocka_unit_test(
		    jittered_waits_lie_in_the_upper_half_of_the_plain_ones),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
