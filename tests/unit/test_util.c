/*
 * test_util.c: option numbers (common/util.h) are strict: the whole
 * argument is the number, in range; no blanks before or after (" 1" is
 * not 1), no '+', no "inf", "nan" or hexadecimal; EINVAL for what is not
 * a number, ERANGE for one out of range.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "util.h"

static const char *const not_numbers[] = {
	"", " 1", "1 ", "\t1", "1\n", "\n1", "+1", "1x", "x", "0x10", "inf",
	"nan", "-", ".", "1,5", "--1",
};

static void
u64_takes_digits_in_range_only(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(parse_u64("0", 0, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_u64("18446744073709551615", 0, UINT64_MAX,
	    &v), 0);
	assert_true(v == UINT64_MAX);
	for (size_t i = 0; i < sizeof(not_numbers) / sizeof(*not_numbers);
	    i++) {
		errno = 0;
		if (parse_u64(not_numbers[i], 0, UINT64_MAX, &v) == 0 ||
		    errno != EINVAL)
			fail_msg("parse_u64 '%s': not refused as EINVAL",
			    not_numbers[i]);
	}
	assert_int_equal(parse_u64("-1", 0, 10, &v), -1);
	assert_int_equal(parse_u64("11", 0, 10, &v), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(parse_u64("99999999999999999999999", 0, UINT64_MAX,
	    &v), -1);
	assert_int_equal(errno, ERANGE);
}

static void
i64_takes_a_minus_and_digits_in_range_only(void **state)
{
	int64_t v;

	(void)state;
	assert_int_equal(parse_i64("-5", -10, 10, &v), 0);
	assert_int_equal(v, -5);
	for (size_t i = 0; i < sizeof(not_numbers) / sizeof(*not_numbers);
	    i++) {
		errno = 0;
		if (parse_i64(not_numbers[i], INT64_MIN, INT64_MAX, &v) == 0 ||
		    errno != EINVAL)
			fail_msg("parse_i64 '%s': not refused as EINVAL",
			    not_numbers[i]);
	}
	assert_int_equal(parse_i64("- 1", -10, 10, &v), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(parse_i64("-11", -10, 10, &v), -1);
	assert_int_equal(errno, ERANGE);
}

static void
double_takes_plain_decimals_in_range_only(void **state)
{
	static const struct { const char *s; double v; } ok[] = {
		{ "1", 1 }, { "0.5", 0.5 }, { ".5", 0.5 }, { "2.", 2 },
		{ "1e3", 1000 }, { "1E-2", 0.01 }, { "2.5e+1", 25 },
		{ "-1", -1 },
	};
	double v;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(*ok); i++) {
		if (parse_double_opt(ok[i].s, -10, 1e6, &v) != 0)
			fail_msg("'%s' refused", ok[i].s);
		assert_true(v == ok[i].v);
	}
	for (size_t i = 0; i < sizeof(not_numbers) / sizeof(*not_numbers);
	    i++) {
		errno = 0;
		if (parse_double_opt(not_numbers[i], -1e9, 1e9, &v) == 0 ||
		    errno != EINVAL)
			fail_msg("parse_double_opt '%s': not refused as EINVAL",
			    not_numbers[i]);
	}
	assert_int_equal(parse_double_opt("1e999", 0, 1e9, &v), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(parse_double_opt("0.0001", 0.001, 1e9, &v), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(parse_double_opt("-1", 0.001, 1e9, &v), -1);
	assert_int_equal(errno, ERANGE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(u64_takes_digits_in_range_only),
		cmocka_unit_test(i64_takes_a_minus_and_digits_in_range_only),
		cmocka_unit_test(double_takes_plain_decimals_in_range_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
