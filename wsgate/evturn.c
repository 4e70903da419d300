/*
 * evturn.c: nodes asked in turn (evturn.h).  Node i is given up when it
 * is not connected, or owes an answer and sends nothing, for the timeout
 * (evredis.c's liveness rule: "not connected in 500 ms", "no reply in
 * 500 ms"), when it closes, or when the caller finds its answer wanting;
 * its failure is appended to err (sentinel_why) and node i + 1 is asked.
 * A node given by a host name is looked up on the loop too, within its
 * timeout (evr_start, evname.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evturn.h"
#include "sentinel.h"

struct evt {
	struct evr			*ev;
	struct event			*kick;	/* the turn begun, from the loop */
	const struct evt_cbs		*cbs;
	void				*arg;
	const char			*what;	/* before each node in err */
	const struct redisurl_node	*nodes;	/* the caller's */
	int				 n, i;	/* i: the node being asked */
	char				 err[600];	/* each node's failure */
	size_t				 o;	/* in err */
};

static void ask_next(struct evt *);

/*
 * failed: the node asked failed for why (evr_cbs lost too: it closed,
 * refused, or was silent for the timeout); the next one is asked.
 */
static void
failed(void *arg, const char *why)
{
	struct evt *t = arg;

	sentinel_why(t->err, sizeof(t->err), &t->o, t->i == 0, t->what,
	    &t->nodes[t->i], why);
	t->i++;
	ask_next(t);
}

/*
 * ask_next: asks node t->i, or the first after it whose connection can
 * be started; done told when none is left.
 */
static void
ask_next(struct evt *t)
{
	struct redisurl at;

	evr_close(t->ev);
	if (t->i >= t->n) {
		t->cbs->done(t->arg, t->err);
		return;
	}
	memset(&at, 0, sizeof(at));
	snprintf(at.host, sizeof(at.host), "%s", t->nodes[t->i].host);
	at.port = t->nodes[t->i].port;
	if (evr_start(t->ev, &at) != 0)
		failed(t, evr_error(t->ev));
	else if (t->cbs->send(t->arg, t->ev) != 0)
		failed(t, "out of memory");
}

/* reply_cb: an answer, to the oldest question (nothing is pushed). */
static void
reply_cb(void *arg, redisReply *r)
{
	struct evt *t = arg;
	const struct evr_pend *q = evr_oldest(t->ev);
	enum evt_next next;
	char why[200];
	int kind;

	if (q == NULL) {
		failed(t, "protocol error: an answer to no question");
		return;
	}
	kind = q->kind;
	evr_pop(t->ev);
	why[0] = '\0';
	next = t->cbs->reply(t->arg, t->i, kind, r, why, sizeof(why));
	if (next == EVT_FAIL)
		failed(t, why);
	else if (next == EVT_DONE) {
		evr_close(t->ev);
		t->cbs->done(t->arg, NULL);
	}
}

static const struct evr_cbs evt_evr_cbs = { reply_cb, failed };

static void
kick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	ask_next(arg);
}

/*
 * evt_new: an asker on base, names looked up by dns, giving each node
 * timeout_ms (evr_new), what written before each node's failure, cbs
 * called with arg.  NULL if out of memory.
 */
struct evt *
evt_new(struct event_base *base, struct evname_res *dns, int64_t timeout_ms,
    const char *what, const struct evt_cbs *cbs, void *arg)
{
	struct evt *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->cbs = cbs;
	t->arg = arg;
	t->what = what;
	t->ev = evr_new(base, dns, &evt_evr_cbs, t, timeout_ms);
	t->kick = event_new(base, -1, 0, kick_cb, t);
	if (t->ev == NULL || t->kick == NULL) {
		evt_free(t);
		return NULL;
	}
	return t;
}

/*
 * evt_ask: asks nodes[0..n) in turn (the caller's, kept until done), a
 * turn in progress given up first.  The turn begins on the loop, and
 * cbs->done is called from the loop, never from here.
 */
void
evt_ask(struct evt *t, const struct redisurl_node *nodes, int n)
{
	evt_cancel(t);
	t->nodes = nodes;
	t->n = n;
	t->i = 0;
	t->o = 0;
	t->err[0] = '\0';
	event_active(t->kick, EV_TIMEOUT, 0);
}

/* evt_cancel: the turn in progress, if any, is given up; done not told. */
void
evt_cancel(struct evt *t)
{
	event_del(t->kick);
	evr_close(t->ev);
}

void
evt_free(struct evt *t)
{
	if (t == NULL)
		return;
	if (t->kick != NULL)
		event_free(t->kick);
	evr_free(t->ev);
	free(t);
}
