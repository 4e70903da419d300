/*
 * test_conflate: wsgate's conflator (wsgate/conflate.c) on its own, with
 * an event base and an emit callback that records what it is given.  A
 * loss line of a book channel (a gap line published again there by
 * redispub) that came while the conflator read its keys was held, then
 * replayed as if it came from the keys and dropped: the deltas after it
 * were applied to the book from before the loss, and the clients got a
 * snapshot built so, told nothing (found by a review).  The loss must
 * lose the book and tell the clients (CFL_INVALID) whenever it comes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <event2/event.h>

#include "conflate.h"

#define CHAN	"md.sim.X-Y.book"

struct seen {
	int	 invalid, full, tick, pass;
	char	 last[512];
};

static void
emit(void *arg, struct cfl *c, struct frame *f, enum cfl_how how)
{
	struct seen *s = arg;

	(void)c;
	if (how == CFL_INVALID)
		s->invalid++;
	else if (how == CFL_FULL && f != NULL)
		s->full++;
	else if (how == CFL_TICK && f != NULL)
		s->tick++;
	else if (how == CFL_PASS)
		s->pass++;
	if (f != NULL)
		snprintf(s->last, sizeof(s->last), "%.*s",
		    (int)(f->len - f->hlen), (const char *)f->data + f->hlen);
}

static const char snap[] = "{\"type\":\"book_snapshot\",\"venue\":\"sim\","
    "\"symbol\":\"X-Y\",\"seq\":1,\"vseq\":1,\"ts\":1,\"recv\":1,"
    "\"bids\":[[\"100\",\"1\"]],\"asks\":[[\"101\",\"1\"]]}";
static const char gap[] = "{\"type\":\"gap\",\"from\":2,\"lost\":5}";
static const char delta[] = "{\"type\":\"book_delta\",\"venue\":\"sim\","
    "\"symbol\":\"X-Y\",\"seq\":8,\"vseq\":8,\"ts\":1,\"recv\":1,"
    "\"bids\":[[\"99\",\"1\"]],\"asks\":[]}";

/* runs the loop until nothing is pending (the tick included) */
static void
settle(struct event_base *base)
{
	for (int i = 0; i < 20; i++)
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
}

/* one conflator of CHAN at 1000 Hz on its own event base */
struct fx {
	struct event_base	*base;
	struct wsgate_stats	 st;
	struct seen		 s;
	struct cfl		*c;
};

static void
fx_open(struct fx *x)
{
	memset(x, 0, sizeof(*x));
	x->base = event_base_new();
	assert_non_null(x->base);
	x->c = cfl_new(x->base, &x->st, CHAN, strlen(CHAN), 1000, emit,
	    &x->s);
	assert_non_null(x->c);
}

/* cfl_close drops cfl_new's reference */
static void
fx_close(struct fx *x)
{
	cfl_close(x->c);
	event_base_free(x->base);
}

static void
run(int during_read)
{
	struct fx x;

	fx_open(&x);
	cfl_hold(x.c);
	cfl_replay(x.c, snap, strlen(snap));
	if (!during_read) {
		cfl_live(x.c);
		settle(x.base);
		assert_int_equal(x.s.full, 1);
	}
	cfl_feed(x.c, gap, strlen(gap));
	cfl_feed(x.c, delta, strlen(delta));
	if (during_read)
		cfl_live(x.c);
	settle(x.base);
	/* told, and no frame since built on the book from before */
	assert_int_equal(x.s.invalid, 1);
	assert_int_equal(x.s.full, during_read ? 0 : 1);
	assert_int_equal(x.s.tick, 0);
	assert_int_equal(cfl_state(x.c), CFL_WAIT);
	assert_null(cfl_join_frame(x.c));
	fx_close(&x);
}

/*
 * A line of a book channel that is neither a book message nor a loss is
 * passed on as it came, live or held while the keys were read (held ones
 * were replayed as if from the keys, and dropped).
 */
static void
test_other_line_passed(void **state)
{
	static const char other[] = "{\"type\":\"note\",\"n\":1}";
	struct fx x;

	(void)state;
	fx_open(&x);
	cfl_hold(x.c);
	cfl_replay(x.c, snap, strlen(snap));
	cfl_feed(x.c, other, strlen(other));	/* held */
	cfl_live(x.c);
	settle(x.base);
	assert_int_equal(x.s.pass, 1);
	cfl_feed(x.c, other, strlen(other));	/* live */
	settle(x.base);
	assert_int_equal(x.s.pass, 2);
	assert_int_equal(x.s.invalid, 0);
	/* JSON, but no object: not for the clients (tickpipe(7)), counted */
	cfl_feed(x.c, "[1]", 3);
	settle(x.base);
	assert_int_equal(x.s.pass, 2);
	assert_int_equal(x.st.conflate_errors, 1);
	fx_close(&x);
}

/*
 * A read given up (a line that could not be held: here a second one
 * longer than all that may be held, the first, the largest, not counted:
 * wsgate(1) Conflation) must not be taken for the next one: its keys are
 * older than the lines dropped meanwhile.  The hub sends a second read
 * when another member joins; the first one's reply comes first.
 */
static void
test_read_given_up(void **state)
{
	size_t big = (9u << 20);
	char *line = malloc(big);
	uint64_t r1, r2;
	struct fx x;

	(void)state;
	assert_non_null(line);
	memset(line, ' ', big);
	memcpy(line, "{\"type\":\"note\"}", 15);
	fx_open(&x);
	r1 = cfl_hold(x.c);
	assert_true(cfl_reading(x.c, r1));
	cfl_feed(x.c, line, big);	/* held: the largest is not counted */
	assert_true(cfl_reading(x.c, r1));
	cfl_feed(x.c, line, big);	/* cannot be held: read 1 given up */
	assert_int_equal(cfl_state(x.c), CFL_WAIT);
	assert_false(cfl_reading(x.c, r1));
	r2 = cfl_hold(x.c);
	assert_false(cfl_reading(x.c, r1));	/* read 1's reply: dropped */
	assert_true(cfl_reading(x.c, r2));
	cfl_ref(x.c);		/* the read's, as the hub takes */
	cfl_close(x.c);		/* drops cfl_new's */
	assert_false(cfl_reading(x.c, r2));
	cfl_unref(x.c);
	event_base_free(x.base);
	free(line);
}

static void
test_loss_live(void **state)
{
	(void)state;
	run(0);
}

static void
test_loss_while_reading(void **state)
{
	(void)state;
	run(1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loss_live),
		cmocka_unit_test(test_loss_while_reading),
		cmocka_unit_test(test_other_line_passed),
		cmocka_unit_test(test_read_given_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
