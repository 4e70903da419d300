/*
 * test_hash.c: FNV-1a (common/hash.h): the published test vectors of
 * both widths, and a hash carried over several calls equals the hash of
 * the concatenation in one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hash.h"

static uint32_t
h32(const char *s)
{
	return fnv1a32(FNV1A32_INIT, s, strlen(s));
}

static uint64_t
h64(const char *s)
{
	return fnv1a64(FNV1A64_INIT, s, strlen(s));
}

/* the vectors of the FNV reference (draft-eastlake-fnv, test suite) */
static void
fnv1a32_gives_the_reference_values(void **state)
{
	(void)state;
	assert_int_equal(h32(""), 0x811c9dc5u);
	assert_int_equal(h32("a"), 0xe40c292cu);
	assert_int_equal(h32("foobar"), 0xbf9cf968u);
}

static void
fnv1a64_gives_the_reference_values(void **state)
{
	(void)state;
	assert_true(h64("") == 0xcbf29ce484222325ULL);
	assert_true(h64("a") == 0xaf63dc4c8601ec8cULL);
	assert_true(h64("foobar") == 0x85944171f73967e8ULL);
}

static void
a_hash_carried_over_calls_equals_one_call(void **state)
{
	uint32_t a;
	uint64_t b;

	(void)state;
	a = fnv1a32(FNV1A32_INIT, "md.", 3);
	a = fnv1a32(a, "", 0);
	a = fnv1a32(a, "coinbase.BTC-USD", 16);
	assert_int_equal(a, h32("md.coinbase.BTC-USD"));
	b = fnv1a64(FNV1A64_INIT, "foo", 3);
	b = fnv1a64(b, "bar", 3);
	assert_true(b == h64("foobar"));
}

/* bytes are unsigned: 0xff hashes as 255, not as -1 */
static void
high_bytes_hash_as_unsigned(void **state)
{
	const unsigned char ff = 0xff;

	(void)state;
	assert_int_equal(fnv1a32(FNV1A32_INIT, &ff, 1),
	    (FNV1A32_INIT ^ 0xffu) * FNV1A32_PRIME);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fnv1a32_gives_the_reference_values),
		cmocka_unit_test(fnv1a64_gives_the_reference_values),
		cmocka_unit_test(a_hash_carried_over_calls_equals_one_call),
		cmocka_unit_test(high_bytes_hash_as_unsigned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
