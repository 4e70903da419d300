/*
 * test_resp.c: redispub's RESP (redispub/resp.h).  Commands written by
 * hand are byte for byte what hiredis' redisFormatCommandArgv writes for
 * the same arguments, including empty, binary and long ones; the output
 * buffer keeps the unwritten bytes when it makes room; and the reader's
 * allocation-free callbacks tell error replies (also inside an EXEC's
 * array, and across partial reads) from the others and keep the text of
 * the latest error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <hiredis/hiredis.h>

#include "resp.h"

/* encode: argv as one command, the way redispub writes them */
static void
encode(struct resp_buf *o, int argc, const char **argv, const size_t *len)
{
	size_t total = 32;
	int i;

	for (i = 0; i < argc; i++)
		total += len[i] + 32;
	resp_reserve(o, total);
	resp_head(o, '*', (size_t)argc);
	for (i = 0; i < argc; i++)
		resp_bulk(o, argv[i], len[i]);
}

/* same_as_hiredis: o's pending bytes are hiredis' encoding of argv */
static void
same_as_hiredis(const struct resp_buf *o, int argc, const char **argv,
    const size_t *len)
{
	char *want;
	int n = redisFormatCommandArgv(&want, argc, argv, len);

	assert_true(n > 0);
	assert_int_equal(resp_pending(o), (size_t)n);
	assert_memory_equal(o->buf + o->off, want, (size_t)n);
	free(want);
}

static void
publish_is_what_hiredis_writes(void **state)
{
	static const char line[] = "{\"type\":\"trade\",\"venue\":\"sim\","
	    "\"symbol\":\"BTC-USD\",\"seq\":1}";
	const char *argv[] = { "PUBLISH", "md.sim.BTC-USD.trade", line };
	size_t len[] = { 7, 20, sizeof(line) - 1 };
	struct resp_buf o = { 0 };

	(void)state;
	resp_reserve(&o, 256);
	RESP_LIT(&o, "*3\r\n$7\r\nPUBLISH\r\n");
	resp_bulk(&o, argv[1], len[1]);
	resp_bulk(&o, line, len[2]);
	same_as_hiredis(&o, 3, argv, len);
	free(o.buf);
}

static void
a_key_in_two_parts_is_one_bulk_string(void **state)
{
	const char *argv[] = { "DEL", "md.sim.X.book.snapshot" };
	size_t len[] = { 3, 22 };
	struct resp_buf o = { 0 };

	(void)state;
	resp_reserve(&o, 128);
	RESP_LIT(&o, "*2\r\n$3\r\nDEL\r\n");
	resp_bulk2(&o, "md.sim.X.book", 13, ".snapshot", 9);
	same_as_hiredis(&o, 2, argv, len);
	free(o.buf);
}

static void
lengths_of_every_size_are_what_hiredis_writes(void **state)
{
	static const size_t sizes[] = { 0, 1, 9, 10, 99, 100, 65535, 65536,
	    1048576, 3000001 };
	char *big = malloc(3000001);
	size_t i;

	(void)state;
	assert_non_null(big);
	for (i = 0; i < 3000001; i++)
		big[i] = (char)(i * 7);	/* binary: NULs, CRs, LFs */
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		const char *argv[] = { "RPUSH", "k", big, "", big };
		size_t len[] = { 5, 1, sizes[i], 0, sizes[i] / 2 };
		struct resp_buf o = { 0 };

		encode(&o, 5, argv, len);
		same_as_hiredis(&o, 5, argv, len);
		free(o.buf);
	}
	free(big);
}

static void
making_room_keeps_the_unwritten_bytes(void **state)
{
	struct resp_buf o = { 0 };
	char want[1000];
	size_t i;

	(void)state;
	resp_reserve(&o, 100);
	assert_int_equal(o.cap, 65536);
	for (i = 0; i < 65000; i++)
		resp_raw(&o, "a", 1);
	/* all but 1000 written: room is made by moving those 1000 down */
	o.off = 64000;
	memset(o.buf + o.off, 'b', 1000);
	memcpy(want, o.buf + o.off, sizeof(want));
	resp_reserve(&o, 60000);
	assert_int_equal(o.off, 0);
	assert_int_equal(o.len, 1000);
	assert_int_equal(o.cap, 65536);
	assert_memory_equal(o.buf, want, sizeof(want));
	/* more than fits: the buffer grows, the bytes stay */
	o.off = 10;
	resp_reserve(&o, 200000);
	assert_true(o.cap - o.len >= 200000);
	assert_int_equal(o.len, 990);
	assert_memory_equal(o.buf, want + 10, 990);
	/* clearing keeps a small buffer, frees a large one */
	resp_clear(&o, 4 * RESP_BUF_HIGH);
	assert_int_equal(resp_pending(&o), 0);
	assert_non_null(o.buf);
	resp_clear(&o, 1024);
	assert_null(o.buf);
	assert_int_equal(o.cap, 0);
}

/* feed: s into r; returns 1 if a whole reply came out (in *rep) */
static int
feed(redisReader *r, struct resp_reply *rep, const char *s)
{
	void *reply;

	assert_int_equal(redisReaderFeed(r, s, strlen(s)), REDIS_OK);
	rep->err = 0;
	assert_int_equal(redisReaderGetReply(r, &reply), REDIS_OK);
	if (reply != NULL)
		assert_ptr_equal(reply, rep);
	return reply != NULL;
}

static void
replies_say_whether_they_hold_an_error(void **state)
{
	struct resp_reply rep = { 0 };
	redisReader *r = resp_reader_new(&rep);
	char big[400];

	(void)state;
	assert_non_null(r);
	assert_true(feed(r, &rep, ":1\r\n"));
	assert_int_equal(rep.err, 0);
	assert_true(feed(r, &rep, "+OK\r\n"));
	assert_int_equal(rep.err, 0);
	assert_true(feed(r, &rep, "$-1\r\n"));
	assert_int_equal(rep.err, 0);
	assert_true(feed(r, &rep, "-NOPERM no rpush\r\n"));
	assert_int_equal(rep.err, 1);
	assert_string_equal(rep.msg, "NOPERM no rpush");

	/* an EXEC's array: the first error inside is the one kept */
	assert_true(feed(r, &rep,
	    "*3\r\n+OK\r\n-ERR one\r\n*1\r\n-ERR two\r\n"));
	assert_int_equal(rep.err, 1);
	assert_string_equal(rep.msg, "ERR one");

	/* a good reply leaves the text of the last error */
	assert_true(feed(r, &rep, "*2\r\n:1\r\n$1\r\nx\r\n"));
	assert_int_equal(rep.err, 0);
	assert_string_equal(rep.msg, "ERR one");

	/* a reply in pieces comes out once whole */
	assert_false(feed(r, &rep, "-LOAD"));
	assert_true(feed(r, &rep, "ING later\r\n"));
	assert_int_equal(rep.err, 1);
	assert_string_equal(rep.msg, "LOADING later");

	/* a long error is cut at 190 bytes */
	memset(big, 'e', sizeof(big));
	big[0] = '-';
	memcpy(big + sizeof(big) - 3, "\r\n", 3);
	assert_true(feed(r, &rep, big));
	assert_int_equal(rep.err, 1);
	assert_int_equal(strlen(rep.msg), 190);
	redisReaderFree(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(publish_is_what_hiredis_writes),
		cmocka_unit_test(a_key_in_two_parts_is_one_bulk_string),
		cmocka_unit_test(lengths_of_every_size_are_what_hiredis_writes),
		cmocka_unit_test(making_room_keeps_the_unwritten_bytes),
		cmocka_unit_test(replies_say_whether_they_hold_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
