/*
 * test_ratelog.c: rate-limited log lines (common/ratelog.h): at most max
 * lines an interval, the rest counted; the count is said once, in one
 * summary line, when the next interval begins with a line, when the
 * tick finds the interval over, or at a flush; nothing is said of an
 * interval that held nothing back.  Standard error is captured in a
 * file between capture() and said(), and asserts come after said(), so
 * that a failure's message reaches the terminal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ratelog.h"

#define SEC	1000000000LL
#define T0	(1000 * SEC)

static FILE *cap;
static int saved_fd = -1;
static char out[8192];

/* capture: stderr goes to a fresh file until said() */
static void
capture(void)
{
	fflush(stderr);
	cap = tmpfile();
	assert_non_null(cap);
	saved_fd = dup(2);
	assert_true(saved_fd >= 0);
	assert_true(dup2(fileno(cap), 2) >= 0);
}

/* said: stderr back; out: what it got since capture(), less "prog: " */
static void
said(void)
{
	size_t n;
	char *p, *q;

	fflush(stderr);
	dup2(saved_fd, 2);
	close(saved_fd);
	rewind(cap);
	n = fread(out, 1, sizeof(out) - 1, cap);
	out[n] = '\0';
	fclose(cap);
	/* drop each line's "program: " */
	for (p = q = out; *p; ) {
		char *colon = strstr(p, ": "), *nl = strchr(p, '\n');

		if (colon != NULL && (nl == NULL || colon < nl))
			p = colon + 2;
		while (*p && *p != '\n')
			*q++ = *p++;
		if (*p == '\n')
			*q++ = *p++;
	}
	*q = '\0';
}

static void
at_most_max_lines_an_interval_and_the_count_with_the_next(void **state)
{
	struct ratelog rl;
	int r[11];

	(void)state;
	ratelog_init(&rl, 3, SEC, "stdin", "bad lines not reported");
	capture();
	for (int i = 0; i < 10; i++)
		r[i] = ratelog_say(&rl, T0 + i * (SEC / 20), "line %d", i);
	said();
	assert_string_equal(out, "line 0\nline 1\nline 2\n");
	for (int i = 0; i < 10; i++)
		assert_int_equal(r[i], i < 3);
	capture();
	r[10] = ratelog_say(&rl, T0 + SEC, "line %d", 10);
	said();
	assert_int_equal(r[10], 1);
	assert_string_equal(out, "stdin: 7 more bad lines not reported "
	    "(at most 3 a second)\nline 10\n");
}

static void
an_interval_that_held_nothing_says_nothing(void **state)
{
	struct ratelog rl;

	(void)state;
	ratelog_init(&rl, 2, SEC, NULL, "lines not logged");
	capture();
	ratelog_say(&rl, T0, "a");
	ratelog_say(&rl, T0 + 5 * SEC, "b");
	ratelog_tick(&rl, T0 + 10 * SEC);
	ratelog_flush(&rl);
	said();
	assert_string_equal(out, "a\nb\n");
}

static void
the_tick_says_the_count_once_the_interval_is_over(void **state)
{
	struct ratelog rl;
	int r;

	(void)state;
	ratelog_init(&rl, 1, 10 * SEC, NULL, "lines like it not logged");
	capture();
	ratelog_say(&rl, T0, "refused");
	ratelog_say(&rl, T0 + SEC, "refused");
	ratelog_say(&rl, T0 + 2 * SEC, "refused");
	ratelog_tick(&rl, T0 + 9 * SEC);
	said();
	assert_string_equal(out, "refused\n");
	capture();
	ratelog_tick(&rl, T0 + 10 * SEC);
	said();
	assert_string_equal(out, "2 more lines like it not logged "
	    "(at most 1 every 10 s)\n");
	capture();
	ratelog_tick(&rl, T0 + 30 * SEC);
	said();
	assert_string_equal(out, "");
	/* the next line begins a new interval: said at once */
	capture();
	r = ratelog_say(&rl, T0 + 31 * SEC, "refused");
	said();
	assert_int_equal(r, 1);
	assert_string_equal(out, "refused\n");
}

static void
a_flush_says_the_count_once(void **state)
{
	struct ratelog rl;

	(void)state;
	ratelog_init(&rl, 1, SEC / 4, "coinbase", "messages not logged");
	capture();
	ratelog_say(&rl, T0, "m");
	ratelog_say(&rl, T0, "m");
	ratelog_flush(&rl);
	ratelog_flush(&rl);
	said();
	assert_string_equal(out, "m\ncoinbase: 1 more messages not logged "
	    "(at most 1 every 250 ms)\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    at_most_max_lines_an_interval_and_the_count_with_the_next),
		cmocka_unit_test(an_interval_that_held_nothing_says_nothing),
		cmocka_unit_test(
		    the_tick_says_the_count_once_the_interval_is_over),
		cmocka_unit_test(a_flush_says_the_count_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
