/*
 * test_secret.c: a secret from the first line of a file (common/secret.h):
 * a password is the first line byte for byte; a token is trimmed and
 * must be printable ASCII without spaces; an empty first line, one
 * longer than the limit and a missing file are refused with a message
 * that names the file and never quotes the secret; a file others may
 * read still yields the secret, with a warning.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "secret.h"

static char path[64], msg[512];
static char *got;

/* a private file holding text, mode 0600 */
static int
setup(void **state)
{
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/test_secret.XXXXXX");
	if ((fd = mkstemp(path)) < 0)
		return -1;
	close(fd);
	got = NULL;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(path);
	free(got);
	return 0;
}

static void
put(const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static int
rd(size_t max, int flags)
{
	msg[0] = '\0';
	free(got);
	got = NULL;
	return secret_read(path, "password", max, flags, &got, msg,
	    sizeof(msg));
}

static void
refused(size_t max, int flags, const char *why)
{
	assert_int_equal(rd(max, flags), -1);
	assert_null(got);
	assert_non_null(strstr(msg, path));
	if (strstr(msg, why) == NULL)
		fail_msg("message '%s' does not say '%s'", msg, why);
}

static void
a_password_is_the_first_line_byte_for_byte(void **state)
{
	(void)state;
	put(" s3cret pass \nsecond line\n", 0600);
	assert_int_equal(rd(4096, 0), 0);
	assert_string_equal(got, " s3cret pass ");
	put("no newline", 0600);
	assert_int_equal(rd(4096, 0), 0);
	assert_string_equal(got, "no newline");
}

static void
a_token_is_trimmed_and_printable(void **state)
{
	(void)state;
	put("\t s3cret-token \r\n", 0600);
	assert_int_equal(rd(256, SECRET_TOKEN), 0);
	assert_string_equal(got, "s3cret-token");
	put("two words\n", 0600);
	refused(256, SECRET_TOKEN, "printable ASCII without spaces");
	assert_null(strstr(msg, "two"));
	put("caf\xc3\xa9\n", 0600);
	refused(256, SECRET_TOKEN, "printable ASCII without spaces");
}

static void
an_empty_first_line_is_refused(void **state)
{
	(void)state;
	put("", 0600);
	refused(4096, 0, "no password on the first line");
	put("\nsecond\n", 0600);
	refused(4096, 0, "no password on the first line");
	put("   \n", 0600);
	refused(256, SECRET_TOKEN, "no password on the first line");
}

static void
a_first_line_over_the_limit_is_refused(void **state)
{
	(void)state;
	put("0123456789\n", 0600);
	assert_int_equal(rd(10, 0), 0);
	refused(9, 0, "first line too long");
	assert_null(strstr(msg, "0123"));
}

static void
a_missing_file_is_refused_with_the_reason(void **state)
{
	(void)state;
	unlink(path);
	refused(4096, 0, "No such file or directory");
}

static void
a_file_others_may_read_yields_the_secret_and_a_warning(void **state)
{
	(void)state;
	put("pw\n", 0644);
	assert_int_equal(rd(4096, 0), 1);
	assert_string_equal(got, "pw");
	assert_non_null(strstr(msg, "readable by group or others"));
	put("pw\n", 0640);
	assert_int_equal(rd(4096, 0), 1);
	put("pw\n", 0400);
	assert_int_equal(rd(4096, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    a_password_is_the_first_line_byte_for_byte, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    a_token_is_trimmed_and_printable, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    an_empty_first_line_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    a_first_line_over_the_limit_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    a_missing_file_is_refused_with_the_reason, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    a_file_others_may_read_yields_the_secret_and_a_warning,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
