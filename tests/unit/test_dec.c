/*
 * test_dec.c: exact decimals (common/dec.h).  Text goes in, the same text
 * comes out; exponent forms are read exactly and printed plainly; a
 * positive exponent the mantissa cannot absorb is kept and printed as
 * zeros; values that do not fit are refused with DEC_ERANGE, never
 * rounded; anything that is not a decimal number is DEC_ESYNTAX; dec_cmp
 * compares by value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dec.h"

/* Parses s; asserts success; returns it printed back. */
static const char *
round_trip(const char *s, int64_t *m, int8_t *e)
{
	static char out[DEC_STRMAX];
	int n;

	assert_int_equal(dec_parse(s, strlen(s), m, e), DEC_OK);
	n = dec_format(*m, *e, out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(out));
	return out;
}

static void
plain_text_prints_back_unchanged(void **state)
{
	static const char *const cases[] = {
		"0", "1", "-1", "0.00001230", "100.50", "0.0010", "42",
		"65000.10", "-0.5", "1000000", "0.000000000000000001",
		"9223372036854775807", "-9223372036854775808",
		"922337203.6854775807", "0.9223372036854775807", "10.0",
		"0.00", "123456789012345678",
	};
	int64_t m;
	int8_t e;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		assert_string_equal(round_trip(cases[i], &m, &e), cases[i]);
}

static void
trailing_zeros_are_kept_in_the_exponent(void **state)
{
	int64_t m;
	int8_t e;

	(void)state;
	round_trip("0.00001230", &m, &e);
	assert_int_equal(m, 1230);
	assert_int_equal(e, -8);
	round_trip("100.50", &m, &e);
	assert_int_equal(m, 10050);
	assert_int_equal(e, -2);
	round_trip("-0.0010", &m, &e);
	assert_int_equal(m, -10);
	assert_int_equal(e, -4);
}

static void
exponent_forms_are_exact_and_print_plain(void **state)
{
	static const struct {
		const char *in, *out;
		int64_t m;
		int e;
	} cases[] = {
		{ "1.5e-7", "0.00000015", 15, -8 },
		{ "1.5E-7", "0.00000015", 15, -8 },
		{ "1e3", "1000", 1000, 0 },
		{ "1E+3", "1000", 1000, 0 },
		{ "1.5e1", "15", 15, 0 },
		{ "9.223372036854775807e18", "9223372036854775807",
		    INT64_MAX, 0 },
		{ "-9.223372036854775808e18", "-9223372036854775808",
		    INT64_MIN, 0 },
		{ "0e60", "0", 0, 0 },
		{ "2.50e2", "250", 250, 0 },
		{ "-1.25e-2", "-0.0125", -125, -4 },
		{ "12345e-2", "123.45", 12345, -2 },
		{ "7e0", "7", 7, 0 },
	};
	int64_t m;
	int8_t e;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		assert_string_equal(round_trip(cases[i].in, &m, &e),
		    cases[i].out);
		assert_int_equal(m, cases[i].m);
		assert_int_equal(e, cases[i].e);
	}
}

static void
exponent_extremes_print_in_full(void **state)
{
	char want[DEC_STRMAX];
	int64_t m;
	int8_t e;

	(void)state;
	/* 1e-60: "0." then 59 zeros then "1" */
	memset(want, '0', sizeof(want));
	want[1] = '.';
	want[61] = '1';
	want[62] = '\0';
	assert_string_equal(round_trip("1e-60", &m, &e), want);
}

/* Returns "1" followed by n zeros (n < DEC_STRMAX - 1). */
static const char *
one_and_zeros(int n)
{
	static char s[DEC_STRMAX];

	s[0] = '1';
	memset(s + 1, '0', (size_t)n);
	s[n + 1] = '\0';
	return s;
}

/*
 * "1e19" does not fit a mantissa as 10^19: the mantissa takes what it can
 * (10^18) and the rest stays in the exponent, up to DEC_EXP_MAX; printed
 * in plain form, the zeros read back to the same pair.
 */
static void
exponents_beyond_the_mantissa_stay_in_the_exponent(void **state)
{
	static const struct {
		const char *in;
		int64_t m;
		int e, zeros;	/* printed: "1" and that many zeros */
	} cases[] = {
		{ "1e19", 1000000000000000000LL, 1, 19 },
		{ "1E+19", 1000000000000000000LL, 1, 19 },
		{ "10e18", 1000000000000000000LL, 1, 19 },
		{ "0.1e20", 1000000000000000000LL, 1, 19 },
		{ "1e60", 1000000000000000000LL, 42, 60 },
		{ "1e61", 1000000000000000000LL, 43, 61 },
		{ "1e78", 1000000000000000000LL, 60, 78 },
		{ "10000000000000000000", 1000000000000000000LL, 1, 19 },
		{ "100000000000000000000000000000", 1000000000000000000LL, 11,
		    29 },
	};
	int64_t m;
	int8_t e;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		assert_string_equal(round_trip(cases[i].in, &m, &e),
		    one_and_zeros(cases[i].zeros));
		assert_int_equal(m, cases[i].m);
		assert_int_equal(e, cases[i].e);
	}
	/* the largest magnitudes: 19 digits and 60 zeros */
	round_trip("9223372036854775807e60", &m, &e);
	assert_int_equal(m, INT64_MAX);
	assert_int_equal(e, DEC_EXP_MAX);
	assert_string_equal(round_trip("-9.223372036854775808e78", &m, &e),
	    "-9223372036854775808000000000000000000000000000000000000000000"
	    "000000000000000000");
	assert_int_equal(m, INT64_MIN);
	assert_int_equal(e, DEC_EXP_MAX);
	/* a mantissa that takes one zero but not two */
	round_trip("922337203685477581e2", &m, &e);
	assert_int_equal(m, 922337203685477581LL);
	assert_int_equal(e, 2);
	round_trip("92233720368547758e3", &m, &e);
	assert_int_equal(m, 9223372036854775800LL);
	assert_int_equal(e, 1);
	round_trip("1.23e20", &m, &e);
	assert_int_equal(m, 1230000000000000000LL);
	assert_int_equal(e, 2);
}

static void
values_that_do_not_fit_are_erange(void **state)
{
	static const char *const cases[] = {
		"9223372036854775808",		/* INT64_MAX + 1 */
		"-9223372036854775809",		/* INT64_MIN - 1 */
		"99999999999999999999",
		"922337203685477580.8",		/* mantissa overflows */
		"1.0000000000000000000000",	/* trailing zeros kept: too many */
		"1e79", "1e-61", "1.5e-60",	/* exponent out of range */
		"9223372036854775807e61", "10e78",
		"-9.223372036854775809e18",	/* > int64 */
		"92233720368547758071",		/* a nonzero digit past int64 */
		"100000000000000000001",
		"10000000000000000000.0",	/* digits after the point count */
		"10000000000000000000.5",
		"1e99999999999999999999",	/* huge exponent */
		"0.0000000000000000000000000000000000000000000000000000000000001",
	};
	int64_t m = 77;
	int8_t e = 7;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		assert_int_equal(dec_parse(cases[i], strlen(cases[i]), &m, &e),
		    DEC_ERANGE);
		/* outputs untouched on error */
		assert_int_equal(m, 77);
		assert_int_equal(e, 7);
	}
}

static void
non_numbers_are_esyntax(void **state)
{
	static const char *const cases[] = {
		"", "-", "+", ".5", "-.5", "1.", "1..2", "1.2.3", "abc", "1a",
		" 1", "1 ", "1e", "1e+", "1e-", "e5", "0x10", "1,5", "NaN",
		"inf", "--1", "+-1", "1e5.5", "1.5e-7x", "١",
	};
	int64_t m = 77;
	int8_t e = 7;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		int rc = dec_parse(cases[i], strlen(cases[i]), &m, &e);

		if (rc != DEC_ESYNTAX)
			fail_msg("dec_parse(\"%s\") = %d, expected DEC_ESYNTAX",
			    cases[i], rc);
		assert_int_equal(m, 77);
		assert_int_equal(e, 7);
	}
}

static void
parse_reads_exactly_len_bytes(void **state)
{
	const char s[] = "12.34567";
	int64_t m;
	int8_t e;

	(void)state;
	assert_int_equal(dec_parse(s, 5, &m, &e), DEC_OK);	/* "12.34" */
	assert_int_equal(m, 1234);
	assert_int_equal(e, -2);
	/* an embedded NUL is not the end of the number: it is junk */
	assert_int_equal(dec_parse("1\0" "2", 3, &m, &e), DEC_ESYNTAX);
}

static void
format_refuses_small_buffers_and_bad_exponents(void **state)
{
	char buf[DEC_STRMAX];

	(void)state;
	assert_int_equal(dec_format(12345, -2, buf, 7), 6);	/* "123.45" */
	assert_string_equal(buf, "123.45");
	assert_int_equal(dec_format(12345, -2, buf, 6), -1);
	assert_int_equal(dec_format(1, DEC_EXP_MAX + 1, buf, sizeof(buf)), -1);
	assert_int_equal(dec_format(1, DEC_EXP_MIN - 1, buf, sizeof(buf)), -1);
	/* the longest outputs fit DEC_STRMAX */
	assert_true(dec_format(INT64_MIN, DEC_EXP_MAX, buf, sizeof(buf)) > 0);
	assert_true(dec_format(INT64_MIN, DEC_EXP_MIN, buf, sizeof(buf)) > 0);
	assert_true(dec_format(1, DEC_EXP_MIN, buf, sizeof(buf)) > 0);
}

/* (m, x) prints as text that parses back to the same pair, or value. */
static void
parses_back(int64_t m, int x, int same_pair)
{
	char out[DEC_STRMAX];
	int64_t m2;
	int8_t e2;

	assert_true(dec_format(m, x, out, sizeof(out)) > 0);
	if (dec_parse(out, strlen(out), &m2, &e2) != DEC_OK ||
	    (same_pair ? m2 != m || e2 != x : dec_cmp(m2, e2, m, x) != 0))
		fail_msg("(%lld, %d) -> \"%s\" does not parse back", (long long)m,
		    x, out);
}

/*
 * Whatever dec_parse returns, dec_format prints as text that dec_parse
 * reads back to the same mantissa and exponent (what makes shmreader |
 * collector jsonl lossless).
 */
static void
formatted_text_parses_back_to_the_same_value(void **state)
{
	static const char *const cases[] = {
		"1e3", "1e18", "9e18", "1.5e-7", "0e60", "-0.0", "1e-60",
		"-9223372036854775808e-60", "9223372036854775807",
		"12.5e3", "0.00001230", "-42e-3", "7E+2", "1e19", "1e78",
		"-9223372036854775808e60", "9223372036854775807e60", "5e60",
		"922337203685477581e5",
	};
	static const int64_t mants[] = { 0, 1, -1, 7, 10, 1230, -99999,
	    INT64_MAX, INT64_MIN, 1000000000000000000LL };
	static const int64_t full[] = { INT64_MAX, INT64_MIN,
	    1000000000000000000LL, 922337203685477581LL,
	    -922337203685477581LL, -1000000000000000000LL };
	char out[DEC_STRMAX];
	int64_t m, m2;
	int8_t e, e2;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		assert_int_equal(dec_parse(cases[i], strlen(cases[i]), &m, &e),
		    DEC_OK);
		/* a positive exponent only where the mantissa is full */
		assert_true(e <= 0 || m > INT64_MAX / 10 || m < INT64_MIN / 10);
		assert_true(dec_format(m, e, out, sizeof(out)) > 0);
		if (dec_parse(out, strlen(out), &m2, &e2) != DEC_OK ||
		    m2 != m || e2 != e)
			fail_msg("%s -> (%lld, %d) -> \"%s\" does not parse "
			    "back", cases[i], (long long)m, e, out);
	}
	/* every exponent dec_parse can return, with extreme mantissas */
	for (int x = DEC_EXP_MIN; x <= 0; x++)
		for (size_t i = 0; i < sizeof(mants) / sizeof(*mants); i++)
			parses_back(mants[i], x, 1);
	/* positive exponents: the same pair where the mantissa is full */
	for (int x = 1; x <= DEC_EXP_MAX; x++)
		for (size_t i = 0; i < sizeof(full) / sizeof(*full); i++)
			parses_back(full[i], x, 1);
	/* elsewhere (a ring can hold them) the same value */
	for (int x = 1; x <= DEC_EXP_MAX; x++)
		for (size_t i = 0; i < sizeof(mants) / sizeof(*mants); i++)
			parses_back(mants[i], x, 0);
}

static int
cmp_text(const char *a, const char *b)
{
	int64_t ma, mb;
	int8_t ea, eb;

	assert_int_equal(dec_parse(a, strlen(a), &ma, &ea), DEC_OK);
	assert_int_equal(dec_parse(b, strlen(b), &mb, &eb), DEC_OK);
	return dec_cmp(ma, ea, mb, eb);
}

static void
cmp_compares_by_value(void **state)
{
	(void)state;
	assert_int_equal(cmp_text("1.50", "1.5"), 0);
	assert_int_equal(cmp_text("0", "0.000"), 0);
	assert_int_equal(cmp_text("0", "-0.0"), 0);
	assert_int_equal(cmp_text("1e3", "1000.00"), 0);
	assert_true(cmp_text("100.49", "100.5") < 0);
	assert_true(cmp_text("100.51", "100.5") > 0);
	assert_true(cmp_text("-1", "0.00001") < 0);
	assert_true(cmp_text("-2", "-1.99999") < 0);
	assert_true(cmp_text("-1.99999", "-2") > 0);
	assert_true(cmp_text("0.00000015", "1.5e-7") == 0);
	/* scaling must not overflow: huge vs tiny exponents */
	assert_true(dec_cmp(INT64_MAX, 0, 1, DEC_EXP_MAX) < 0);
	assert_true(dec_cmp(1, DEC_EXP_MAX, INT64_MAX, 0) > 0);
	assert_true(dec_cmp(INT64_MAX, DEC_EXP_MIN, 1, DEC_EXP_MAX) < 0);
	assert_true(dec_cmp(INT64_MIN, 0, -1, DEC_EXP_MAX) > 0);
	assert_true(dec_cmp(5, 1, 50, 0) == 0);
	assert_true(cmp_text("1e-60", "0.0000000000000000001") < 0);
	assert_true(cmp_text("-9223372036854775808", "9223372036854775807")
	    < 0);
	assert_true(cmp_text("9223372036854775807e-60", "1e-41") < 0);
	assert_true(cmp_text("9223372036854775807e-60", "9e-42") > 0);
	/* antisymmetric */
	assert_true(cmp_text("3.14159", "3.1416") < 0);
	assert_true(cmp_text("3.1416", "3.14159") > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_text_prints_back_unchanged),
		cmocka_unit_test(trailing_zeros_are_kept_in_the_exponent),
		cmocka_unit_test(exponent_forms_are_exact_and_print_plain),
		cmocka_unit_test(exponent_extremes_print_in_full),
		cmocka_unit_test(exponents_beyond_the_mantissa_stay_in_the_exponent),
		cmocka_unit_test(values_that_do_not_fit_are_erange),
		cmocka_unit_test(non_numbers_are_esyntax),
		cmocka_unit_test(parse_reads_exactly_len_bytes),
		cmocka_unit_test(format_refuses_small_buffers_and_bad_exponents),
		cmocka_unit_test(formatted_text_parses_back_to_the_same_value),
		cmocka_unit_test(cmp_compares_by_value),
	};

	return cmocka_run_group_tests_name("dec", tests, NULL, NULL);
}
