/*
 * test_evredis: wsgate's Redis connection (wsgate/evredis.c) on a unix
 * socket of the test's own, which reads what was sent.  wsgate reads a
 * channel's keys in a transaction (MULTI; GET ...; EXEC); one of whose
 * commands could not be queued (out of memory) left the MULTI sent and
 * open, so that the next command joined it and each answer after went
 * to the wrong command.  evr_undo takes such a transaction back whole:
 * what is written is exactly the commands kept, and their count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "evredis.h"

struct peer {
	struct event_base	*base;
	struct evr		*e;
	int			 lfd, fd;
	char			 dir[64];
	struct redisurl		 url;
};

static void
on_reply(void *arg, redisReply *r)
{
	(void)arg;
	(void)r;
}

static void
on_lost(void *arg, const char *why)
{
	(void)arg;
	fail_msg("connection lost: %s", why);
}

static const struct evr_cbs cbs = { on_reply, on_lost };

static int
setup(void **state)
{
	struct peer *p = calloc(1, sizeof(*p));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	assert_non_null(p);
	snprintf(p->dir, sizeof(p->dir), "/tmp/test_evredis.XXXXXX");
	assert_non_null(mkdtemp(p->dir));
	p->url.is_unix = 1;
	snprintf(p->url.path, sizeof(p->url.path), "%s/s", p->dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", p->url.path);
	p->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(p->lfd >= 0);
	assert_int_equal(bind(p->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(p->lfd, 1), 0);
	p->base = event_base_new();
	assert_non_null(p->base);
	p->e = evr_new(p->base, NULL, &cbs, NULL, 10000);
	assert_non_null(p->e);
	assert_int_equal(evr_start(p->e, &p->url), 0);
	p->fd = accept(p->lfd, NULL, NULL);
	assert_true(p->fd >= 0);
	*state = p;
	return 0;
}

static int
teardown(void **state)
{
	struct peer *p = *state;

	evr_free(p->e);
	event_base_free(p->base);
	close(p->fd);
	close(p->lfd);
	unlink(p->url.path);
	rmdir(p->dir);
	free(p);
	return 0;
}

/* runs the loop until want bytes came to the server side; what came */
static char *
sent(struct peer *p, size_t want)
{
	static char buf[4096];
	size_t got = 0;

	for (int i = 0; i < 200 && got < want; i++) {
		struct pollfd pf = { p->fd, POLLIN, 0 };
		ssize_t n;

		event_base_loop(p->base, EVLOOP_NONBLOCK);
		if (poll(&pf, 1, 10) == 1 &&
		    (n = read(p->fd, buf + got, sizeof(buf) - 1 - got)) > 0)
			got += (size_t)n;
	}
	buf[got] = '\0';
	return buf;
}

static size_t
inflight(struct peer *p)
{
	int64_t oldest;

	return evr_inflight(p->e, &oldest);
}

#define PING	"*1\r\n$4\r\nPING\r\n"
#define ECHO_B	"*2\r\n$4\r\nECHO\r\n$1\r\nb\r\n"

static void
undo_takes_back_a_transaction(void **state)
{
	struct peer *p = *state;
	struct evr_mark m;

	assert_int_equal(evr_call(p->e, NULL, NULL, "PING"), 0);
	evr_mark(p->e, &m);
	assert_int_equal(evr_call(p->e, NULL, NULL, "MULTI"), 0);
	assert_int_equal(evr_call(p->e, NULL, NULL, "GET %s", "a"), 0);
	evr_undo(p->e, &m);	/* as if the EXEC could not be queued */
	assert_int_equal(inflight(p), 1);
	assert_int_equal(evr_call(p->e, NULL, NULL, "ECHO %s", "b"), 0);
	assert_int_equal(inflight(p), 2);
	assert_string_equal(sent(p, strlen(PING ECHO_B)), PING ECHO_B);
}

/* marked with nothing in flight: the queue is empty again */
static void
undo_to_an_empty_queue(void **state)
{
	struct peer *p = *state;
	struct evr_mark m;

	evr_mark(p->e, &m);
	assert_int_equal(evr_call(p->e, NULL, NULL, "MULTI"), 0);
	evr_undo(p->e, &m);
	assert_int_equal(inflight(p), 0);
	assert_null(evr_oldest(p->e));
	assert_int_equal(evr_call(p->e, NULL, NULL, "ECHO %s", "b"), 0);
	assert_int_equal(inflight(p), 1);
	assert_string_equal(sent(p, strlen(ECHO_B)), ECHO_B);
}

/* what was written before the mark is not taken back */
static void
undo_after_a_write(void **state)
{
	struct peer *p = *state;
	struct evr_mark m;

	assert_int_equal(evr_call(p->e, NULL, NULL, "PING"), 0);
	assert_string_equal(sent(p, strlen(PING)), PING);
	evr_mark(p->e, &m);
	assert_int_equal(evr_call(p->e, NULL, NULL, "MULTI"), 0);
	evr_undo(p->e, &m);
	assert_int_equal(evr_call(p->e, NULL, NULL, "ECHO %s", "b"), 0);
	assert_int_equal(inflight(p), 2);
	assert_string_equal(sent(p, strlen(ECHO_B)), ECHO_B);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(undo_takes_back_a_transaction,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(undo_to_an_empty_queue,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(undo_after_a_write, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
