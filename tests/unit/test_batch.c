/*
 * test_batch: redispub's batch encoding (redispub/batch.c) writes only
 * into room it made in the output buffer.  A message's commands are
 * encoded after one resp_reserve for all but its APPEND group (and owner
 * mark), which reserve their own; when the buffer had just the group's
 * room left, the PUBLISH after the APPEND was written past the end of
 * the buffer (found by ASan in t-redispub-redis-restart).  Here the
 * buffer is set up to have exactly that room; under the sanitizer build
 * an overflow aborts, and in both builds the bytes encoded are checked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "batch.h"

#define NDELTAS	12

static const char *
delta(char *buf, size_t cap, int i)
{
	snprintf(buf, cap, "{\"type\":\"book_delta\",\"venue\":\"sim\","
	    "\"symbol\":\"BTC-USD\",\"seq\":%d,\"recv\":%d,\"vseq\":%d,"
	    "\"bids\":[[\"100.%02d\",\"1.5\"]],\"asks\":[]}", 10 + i,
	    1000 + i, 10 + i, i);
	return buf;
}

/* an APPEND group that fills the buffer to its end: the PUBLISH after */
static void
test_publish_after_append_has_room(void **state)
{
	struct router rt;
	struct outbox ob;
	struct batch b;
	struct resp_buf out = { 0 };
	struct outbox_msg h;
	struct route_chan *c = NULL;
	char line[256], why[128], *got;
	size_t gbytes = 0, need;
	int i;

	(void)state;
	route_init(&rt, "md", NULL);
	outbox_init(&ob, 1000, 1 << 20, 100);
	batch_init(&b, 100, 100000, 0);
	b.cluster = 0;
	for (i = 0; i < NDELTAS; i++) {
		delta(line, sizeof(line), i);
		memset(&h, 0, sizeof(h));
		assert_int_equal(route_line(&rt, line, strlen(line), &h, why,
		    sizeof(why)), 0);
		h.len = (uint32_t)strlen(line);
		outbox_push(&ob, &h, line);
		gbytes += h.len;
		c = &rt.chans[h.chan];
	}
	/* a snapshot was sent on this connection, the channel announced */
	c->snap_ok = 1;
	c->announced = 1;
	/* exactly encode_append's own room left, none written before */
	need = gbytes + NDELTAS + c->len + 72;
	assert_true(need > 3 * (size_t)h.len + 6 * (size_t)c->len + 2 + 520);
	out.cap = 65536;
	out.buf = malloc(out.cap);
	assert_non_null(out.buf);
	out.len = out.off = out.cap - need;
	batch_fill(&b, &ob, &rt, &out);
	/* the APPEND, then the PUBLISH of each delta, all in the buffer */
	assert_true(out.len <= out.cap);
	got = out.buf + out.off;
	assert_true(out.len - out.off > need);
	assert_memory_equal(got, "*3\r\n$6\r\nAPPEND\r\n", 16);
	assert_non_null(memmem(got, out.len - out.off, "$7\r\nPUBLISH\r\n", 13));
	free(out.buf);
	batch_free(&b);
	outbox_free(&ob);
	route_free(&rt);
}

/*
 * A loss line published again on each of NBOOKS book channels, then
 * (--stream) its XADD: the XADD used to be written with only the last
 * book's room reserved, past the end of the buffer when that room was
 * all there was (a heap overflow under ASan, found by a review).  Every
 * free space from 0 to 16 KiB is tried, on one Redis and on a cluster.
 */
#define NBOOKS	20
static void
loss_then_xadd(int cluster)
{
	char line[256], why[128];
	const char *gap = "{\"type\":\"status\",\"venue\":\"sim\","
	    "\"seq\":99,\"vseq\":0,\"ts\":1,\"recv\":1,\"status\":"
	    "\"disconnected\",\"reason\":\"a reason long enough to be longer "
	    "than twice a book channel's name and some, as a venue's may be\"}";

	for (size_t free_ = 0; free_ < 16384; free_++) {
		struct router rt;
		struct outbox ob;
		struct batch b;
		struct resp_buf out = { 0 };
		struct outbox_msg h;
		int i;

		route_init(&rt, "md", NULL);
		outbox_init(&ob, 1000, 1 << 20, 100);
		batch_init(&b, 100, 100000, 1000);
		b.cluster = cluster;
		for (i = 0; i < NBOOKS; i++) {	/* known book channels */
			snprintf(line, sizeof(line), "{\"type\":\"book_snapshot\","
			    "\"venue\":\"sim\",\"symbol\":\"S%02d-USD\",\"seq\":%d,"
			    "\"vseq\":1,\"ts\":1,\"recv\":1,\"bids\":[],\"asks\":[]}",
			    i, i + 1);
			memset(&h, 0, sizeof(h));
			assert_int_equal(route_line(&rt, line, strlen(line), &h,
			    why, sizeof(why)), 0);
			rt.chans[h.chan].announced = 1;
			rt.chans[h.chan].marked = 1;
		}
		memset(&h, 0, sizeof(h));
		assert_int_equal(route_line(&rt, gap, strlen(gap), &h, why,
		    sizeof(why)), 0);
		rt.chans[h.chan].announced = 1;
		h.len = (uint32_t)strlen(gap);
		outbox_push(&ob, &h, gap);
		out.cap = 65536;
		out.buf = malloc(out.cap);
		assert_non_null(out.buf);
		memset(out.buf, 'x', out.cap);
		out.off = 0;
		out.len = out.cap - free_;	/* nothing written to drop */
		batch_fill(&b, &ob, &rt, &out);
		assert_true(out.len <= out.cap);
		assert_non_null(memmem(out.buf, out.len, "$4\r\nXADD\r\n", 10));
		free(out.buf);
		batch_free(&b);
		outbox_free(&ob);
		route_free(&rt);
	}
}

static void
test_loss_xadd_has_room(void **state)
{
	(void)state;
	loss_then_xadd(0);
}

static void
test_loss_xadd_has_room_cluster(void **state)
{
	(void)state;
	loss_then_xadd(1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_publish_after_append_has_room),
		cmocka_unit_test(test_loss_xadd_has_room),
		cmocka_unit_test(test_loss_xadd_has_room_cluster),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
