/*
 * test_outbox.c: redispub's outbox (redispub/outbox.h).  Messages leave
 * in input order, each once the last reply for it has come, published or
 * dropped if Redis refused one of its commands; a refused grouped RPUSH
 * drops each of its members once; a reply with nothing awaiting it is
 * reported and changes nothing; after a lost connection every message in
 * flight is sent again, from the oldest; lines keep their bytes across
 * chunks and in a chunk of their own; the --buffer bounds hold.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "outbox.h"

static const struct resp_reply ok_reply = { .err = 0, .msg = "" };

/* push: a message for line number lineno, its line "line N" */
static void
push(struct outbox *ob, uint64_t lineno)
{
	struct outbox_msg h = { 0 };
	char line[32];

	h.lineno = lineno;
	h.seq = lineno * 10;
	h.len = (uint32_t)snprintf(line, sizeof(line), "line %llu",
	    (unsigned long long)lineno);
	outbox_push(ob, &h, line);
}

/*
 * send_units: marks up to n unsent messages sent, each as a unit due left
 * replies; returns how many.
 */
static uint64_t
send_units(struct outbox *ob, uint64_t n, uint32_t left)
{
	struct outbox_pos p = ob->send;
	struct outbox_msg *m;
	uint64_t k = 0;

	while (k < n && (m = outbox_at(&p)) != NULL) {
		assert_non_null(outbox_unit(ob, left, 1));
		outbox_step(&p, m);
		k++;
	}
	outbox_sent(ob, &p, k);
	return k;
}

/* ack: one reply; checks the result, and the line number if one left */
static void
ack(struct outbox *ob, const struct resp_reply *rep, enum outbox_ack want,
    uint64_t lineno)
{
	struct outbox_msg m;
	enum outbox_ack got = outbox_ack(ob, rep, &m);

	assert_int_equal(got, want);
	if (want >= OUTBOX_PUBLISHED)
		assert_int_equal(m.lineno, lineno);
}

static void
messages_leave_in_order_once_all_their_replies_came(void **state)
{
	struct outbox ob;

	(void)state;
	outbox_init(&ob, 100, 1 << 20, 10);
	assert_true(outbox_empty(&ob));
	push(&ob, 1);
	push(&ob, 2);
	assert_int_equal(send_units(&ob, 10, 3), 2);
	assert_int_equal(ob.nsent, 2);
	assert_true(outbox_awaits_replies(&ob));
	ack(&ob, &ok_reply, OUTBOX_WAIT, 0);
	ack(&ob, &ok_reply, OUTBOX_WAIT, 0);
	assert_int_equal(ob.n, 2);
	ack(&ob, &ok_reply, OUTBOX_PUBLISHED, 1);
	assert_int_equal(ob.n, 1);
	ack(&ob, &ok_reply, OUTBOX_WAIT, 0);
	ack(&ob, &ok_reply, OUTBOX_WAIT, 0);
	ack(&ob, &ok_reply, OUTBOX_PUBLISHED, 2);
	assert_true(outbox_empty(&ob));
	assert_false(outbox_awaits_replies(&ob));
	assert_int_equal(ob.nsent, 0);
	assert_int_equal(ob.bytes, 0);
	outbox_free(&ob);
}

static void
a_refused_command_drops_its_message(void **state)
{
	struct resp_reply refused = { .err = 1, .msg = "ERR nope" };
	struct outbox ob;

	(void)state;
	outbox_init(&ob, 100, 1 << 20, 10);
	push(&ob, 1);
	push(&ob, 2);
	send_units(&ob, 2, 2);
	ack(&ob, &refused, OUTBOX_WAIT, 0);
	ack(&ob, &ok_reply, OUTBOX_REFUSED, 1);
	ack(&ob, &ok_reply, OUTBOX_WAIT, 0);
	ack(&ob, &ok_reply, OUTBOX_PUBLISHED, 2);
	assert_true(outbox_empty(&ob));
	outbox_free(&ob);
}

static void
a_refused_group_rpush_drops_each_member_once(void **state)
{
	struct resp_reply refused = { .err = 1, .msg = "NOPERM no rpush" };
	struct outbox ob;
	struct outbox_pos p;
	struct outbox_unit *u;
	int i;

	(void)state;
	outbox_init(&ob, 100, 1 << 20, 10);
	for (i = 1; i <= 4; i++)
		push(&ob, (uint64_t)i);
	/* 1-3: a group of deltas; 1 carries the RPUSH, then its PUBLISH */
	p = ob.send;
	u = outbox_unit(&ob, 2, 1);
	u->rp_left = 2;
	u->gid = 7;
	u->gsize = 3;
	outbox_unit(&ob, 1, 1)->gid = 7;
	outbox_unit(&ob, 1, 1)->gid = 7;
	outbox_unit(&ob, 1, 1);		/* 4: in no group */
	for (i = 0; i < 4; i++)
		outbox_step(&p, outbox_at(&p));
	outbox_sent(&ob, &p, 4);

	ack(&ob, &refused, OUTBOX_WAIT, 0);
	ack(&ob, &ok_reply, OUTBOX_REFUSED, 1);
	ack(&ob, &ok_reply, OUTBOX_GROUP_REFUSED, 2);
	assert_string_equal(ob.group_err, "NOPERM no rpush");
	ack(&ob, &ok_reply, OUTBOX_GROUP_REFUSED, 3);
	ack(&ob, &ok_reply, OUTBOX_PUBLISHED, 4);
	assert_int_equal(ob.nfailed, 0);
	assert_true(outbox_empty(&ob));
	outbox_free(&ob);
}

static void
a_wrongtype_group_append_publishes_and_says_so_once(void **state)
{
	struct resp_reply wrong = { .err = 1, .msg = "WRONGTYPE Operation "
	    "against a key holding the wrong kind of value" };
	struct outbox ob;
	struct outbox_pos p;
	struct outbox_unit *u;
	int i;

	(void)state;
	outbox_init(&ob, 100, 1 << 20, 10);
	for (i = 1; i <= 3; i++)
		push(&ob, (uint64_t)i);
	/* 1-2: a group of deltas; 1 carries the APPEND, then its PUBLISH */
	p = ob.send;
	u = outbox_unit(&ob, 2, 1);
	u->rp_left = u->keys_left = 2;
	u->gid = 7;
	u->gsize = 2;
	outbox_unit(&ob, 1, 1)->gid = 7;
	/* 3: a cluster's delta: the APPEND's outcome in its EXEC, last */
	u = outbox_unit(&ob, 4, 1);
	u->rp_left = 3;
	u->keys_left = 1;
	u->gid = 8;
	u->gsize = 1;
	for (i = 0; i < 3; i++)
		outbox_step(&p, outbox_at(&p));
	outbox_sent(&ob, &p, 3);

	ack(&ob, &wrong, OUTBOX_WAIT, 0);
	ack(&ob, &ok_reply, OUTBOX_KEYS_WRONGTYPE, 1);
	ack(&ob, &ok_reply, OUTBOX_PUBLISHED, 2);
	assert_int_equal(ob.nfailed, 0);
	ack(&ob, &ok_reply, OUTBOX_WAIT, 0);	/* MULTI */
	ack(&ob, &ok_reply, OUTBOX_WAIT, 0);	/* APPEND queued */
	ack(&ob, &ok_reply, OUTBOX_WAIT, 0);	/* SPUBLISH queued */
	ack(&ob, &wrong, OUTBOX_KEYS_WRONGTYPE, 3);	/* EXEC */
	assert_true(outbox_empty(&ob));
	outbox_free(&ob);
}

static void
statistics_units_leave_no_message(void **state)
{
	struct resp_reply refused = { .err = 1, .msg = "NOPERM no set" };
	struct outbox ob;

	(void)state;
	outbox_init(&ob, 100, 1 << 20, 10);
	push(&ob, 1);
	assert_non_null(outbox_unit(&ob, 2, 0));
	ack(&ob, &refused, OUTBOX_WAIT, 0);
	ack(&ob, &ok_reply, OUTBOX_STATS_REFUSED, 0);
	assert_non_null(outbox_unit(&ob, 1, 0));
	ack(&ob, &ok_reply, OUTBOX_STATS, 0);
	assert_int_equal(ob.n, 1);
	outbox_free(&ob);
}

static void
a_reply_with_nothing_awaiting_it_is_confusion(void **state)
{
	struct outbox ob;
	struct outbox_msg m;

	(void)state;
	outbox_init(&ob, 100, 1 << 20, 10);
	assert_int_equal(outbox_ack(&ob, &ok_reply, &m), OUTBOX_CONFUSED);
	push(&ob, 1);
	assert_int_equal(outbox_ack(&ob, &ok_reply, &m), OUTBOX_CONFUSED);
	assert_int_equal(ob.n, 1);
	outbox_free(&ob);
}

static void
the_unit_ring_holds_no_more_than_its_room(void **state)
{
	struct outbox ob;
	int i;

	(void)state;
	outbox_init(&ob, 100, 1 << 20, 4);	/* room for 4 + 16 */
	for (i = 0; i < 20; i++)
		assert_non_null(outbox_unit(&ob, 1, 0));
	assert_null(outbox_unit(&ob, 1, 0));
	outbox_free(&ob);
}

static void
after_a_rewind_all_in_flight_is_sent_again_from_the_oldest(void **state)
{
	struct outbox ob;
	struct outbox_msg *m;
	struct outbox_pos p;
	uint64_t i;

	(void)state;
	outbox_init(&ob, 100, 1 << 20, 10);
	for (i = 1; i <= 5; i++)
		push(&ob, i);
	send_units(&ob, 3, 1);
	ack(&ob, &ok_reply, OUTBOX_PUBLISHED, 1);
	outbox_rewind(&ob);
	assert_int_equal(ob.nsent, 0);
	assert_false(outbox_awaits_replies(&ob));
	assert_int_equal(ob.n, 4);
	p = ob.send;
	m = outbox_at(&p);
	assert_non_null(m);
	assert_int_equal(m->lineno, 2);
	assert_int_equal(send_units(&ob, 10, 1), 4);
	for (i = 2; i <= 5; i++)
		ack(&ob, &ok_reply, OUTBOX_PUBLISHED, i);
	assert_true(outbox_empty(&ob));
	outbox_free(&ob);
}

static void
lines_keep_their_bytes_across_chunks(void **state)
{
	size_t big = (2u << 20) + 3, mid = 10000, i;
	char *line = malloc(big);
	struct outbox ob;
	struct outbox_pos p;
	struct outbox_msg h = { 0 }, *m;
	int round;

	(void)state;
	assert_non_null(line);
	for (i = 0; i < big; i++)
		line[i] = (char)(i % 251);
	outbox_init(&ob, 1000, 1u << 30, 1000);
	for (round = 0; round < 2; round++) {	/* the 2nd on reused chunks */
		for (i = 0; i < 300; i++) {
			h.lineno = i;
			h.len = (uint32_t)(i == 150 ? big : mid + i);
			outbox_push(&ob, &h, line);
		}
		p = ob.send;
		for (i = 0; i < 300; i++) {
			m = outbox_at(&p);
			assert_non_null(m);
			assert_int_equal(m->lineno, i);
			assert_int_equal(m->len, i == 150 ? big : mid + i);
			assert_memory_equal(outbox_line(m), line, m->len);
			outbox_unit(&ob, 1, 1);
			outbox_step(&p, m);
		}
		assert_null(outbox_at(&p));
		outbox_sent(&ob, &p, 300);
		for (i = 0; i < 300; i++)
			ack(&ob, &ok_reply, OUTBOX_PUBLISHED, i);
		assert_true(outbox_empty(&ob));
		assert_int_equal(ob.bytes, 0);
	}
	outbox_free(&ob);
	free(line);
}

static void
the_buffer_bounds_count_and_bytes(void **state)
{
	struct outbox ob;
	struct outbox_msg h = { 0 };
	char line[3000] = { 0 };

	(void)state;
	outbox_init(&ob, 2, 1 << 20, 10);
	push(&ob, 1);
	assert_true(outbox_has_room(&ob));
	push(&ob, 2);
	assert_false(outbox_has_room(&ob));
	outbox_free(&ob);

	outbox_init(&ob, 100, 4096, 10);
	h.len = sizeof(line);
	outbox_push(&ob, &h, line);
	assert_true(outbox_has_room(&ob));
	outbox_push(&ob, &h, line);
	assert_false(outbox_has_room(&ob));
	outbox_drop_all(&ob);
	assert_true(outbox_empty(&ob));
	assert_true(outbox_has_room(&ob));
	push(&ob, 3);
	assert_int_equal(ob.n, 1);
	outbox_free(&ob);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    messages_leave_in_order_once_all_their_replies_came),
		cmocka_unit_test(a_refused_command_drops_its_message),
		cmocka_unit_test(a_refused_group_rpush_drops_each_member_once),
		cmocka_unit_test(
		    a_wrongtype_group_append_publishes_and_says_so_once),
		cmocka_unit_test(statistics_units_leave_no_message),
		cmocka_unit_test(a_reply_with_nothing_awaiting_it_is_confusion),
		cmocka_unit_test(the_unit_ring_holds_no_more_than_its_room),
		cmocka_unit_test(
		    after_a_rewind_all_in_flight_is_sent_again_from_the_oldest),
		cmocka_unit_test(lines_keep_their_bytes_across_chunks),
		cmocka_unit_test(the_buffer_bounds_count_and_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
