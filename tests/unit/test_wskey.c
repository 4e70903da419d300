/*
 * test_wskey.c: the WebSocket handshake keys (common/wskey.h): the
 * accept value of RFC 6455's own example; fresh keys are valid, differ,
 * and a server accepts them; what is not 16 bytes in base64 is not a
 * valid key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wskey.h"

/* RFC 6455 1.3 and 4.2.2 */
static void
accept_matches_the_rfc_example(void **state)
{
	char acc[WSKEY_ACCEPT_LEN + 1];

	(void)state;
	assert_int_equal(wskey_accept("dGhlIHNhbXBsZSBub25jZQ==", acc), 0);
	assert_string_equal(acc, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	assert_int_equal(strlen(acc), WSKEY_ACCEPT_LEN);
}

static void
fresh_keys_are_valid_and_differ(void **state)
{
	char a[WSKEY_LEN + 1], b[WSKEY_LEN + 1];

	(void)state;
	assert_int_equal(wskey_new(a), 0);
	assert_int_equal(wskey_new(b), 0);
	assert_int_equal(strlen(a), WSKEY_LEN);
	assert_true(wskey_valid(a));
	assert_true(wskey_valid(b));
	assert_string_not_equal(a, b);
}

static void
what_is_not_16_bytes_in_base64_is_not_a_key(void **state)
{
	(void)state;
	assert_true(wskey_valid("dGhlIHNhbXBsZSBub25jZQ=="));
	assert_false(wskey_valid(NULL));
	assert_false(wskey_valid(""));
	assert_false(wskey_valid("dGhlIHNhbXBsZSBub25jZQ="));	/* 23 */
	assert_false(wskey_valid("dGhlIHNhbXBsZSBub25jZQ==="));	/* 25 */
	assert_false(wskey_valid("dGhlIHNhbXBsZSBub25jZQAA"));	/* 18 bytes */
	assert_false(wskey_valid("dGhlIHNhbXBsZSBub25jZQA="));	/* 17 bytes */
	assert_false(wskey_valid("dGhl=HNhbXBsZSBub25jZQ=="));	/* '=' in */
	assert_false(wskey_valid("dGhlIHNhbXBsZSBub25j!Q=="));
	assert_false(wskey_valid(" GhlIHNhbXBsZSBub25jZQ=="));
}

static void
an_overlong_key_gets_no_accept(void **state)
{
	char key[80], acc[WSKEY_ACCEPT_LEN + 1];

	(void)state;
	memset(key, 'A', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	assert_int_equal(wskey_accept(key, acc), -1);
	assert_string_equal(acc, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accept_matches_the_rfc_example),
		cmocka_unit_test(fresh_keys_are_valid_and_differ),
		cmocka_unit_test(what_is_not_16_bytes_in_base64_is_not_a_key),
		cmocka_unit_test(an_overlong_key_gets_no_accept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
