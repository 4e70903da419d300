/*
 * evsentinel.c: the Sentinel queries of sentinel.h without blocking, for
 * wsgate, whose one event loop serves every client: sentinel_resolve
 * waits up to its timeout for each Sentinel that does not answer (a
 * partition, a host that accepts and never answers), and wsgate asks
 * before each connection attempt, so it would stall every client, its
 * /healthz and /metrics, for as long as the Sentinels are silent
 * (wsgate(1)).
 *
 * The same questions as sentinel_resolve, to each Sentinel of the URL in
 * turn, each on its own connection (evredis.c), read by the same code
 * (sentinel_pick_replica, sentinel_master_addr) and failing with the
 * same words, except a timeout: a Sentinel is given up when it is not
 * connected, or owes a reply and sends nothing, for the timeout, by
 * evredis.c's liveness rule ("not connected in 500 ms", "no reply in
 * 500 ms").  Both questions are sent at once: the second, the primary,
 * is read only if the first names no replica up.
 * XXX a Sentinel given by a host name is looked up with getaddrinfo,
 * which blocks, as for each of wsgate's Redis connections (hiredis's
 * connect).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evredis.h"
#include "evsentinel.h"

/* The questions in flight (evr_pend's kind). */
enum { Q_REPLICAS, Q_MASTER };

struct evs {
	struct evr		*ev;
	struct event		*kick;	/* the ask begun, from the loop */
	evs_done_fn		*done;
	void			*arg;
	struct redisurl		 u;	/* the URL asked about */
	enum sentinel_want	 want;
	char			*prefer, *avoid;	/* NULL: none */
	int			 i;	/* the Sentinel being asked */
	struct redisurl		 node;	/* it, for evr_start */
	struct redisurl		 addr;	/* the answer */
	char			 err[600];	/* each Sentinel's failure */
	size_t			 o;	/* in err */
};

static void ask_next(struct evs *);

/* finish: the ask is over, with addr (NULL: err says why); done told. */
static void
finish(struct evs *s, const struct redisurl *addr)
{
	evr_close(s->ev);
	s->done(s->arg, addr, addr != NULL ? NULL : s->err);
}

/* failed: the Sentinel asked failed for why; the next one is asked. */
static void
failed(struct evs *s, const char *why)
{
	sentinel_why(s->err, sizeof(s->err), &s->o, s->i == 0, "Sentinel ",
	    &s->u.sentinels[s->i], why);
	s->i++;
	ask_next(s);
}

/*
 * ask_next: asks Sentinel s->i, or the first after it whose connection
 * can be started; finish when none is left.
 */
static void
ask_next(struct evs *s)
{
	const struct redisurl_node *nd;

	evr_close(s->ev);
	if (s->i >= s->u.nsentinels) {
		if (s->u.nsentinels == 0)
			snprintf(s->err, sizeof(s->err), "no Sentinels");
		finish(s, NULL);
		return;
	}
	nd = &s->u.sentinels[s->i];
	snprintf(s->node.host, sizeof(s->node.host), "%s", nd->host);
	s->node.port = nd->port;
	if (evr_start(s->ev, &s->node) != 0) {
		failed(s, evr_error(s->ev));
		return;
	}
	if ((s->want == SENTINEL_REPLICA && evr_command(s->ev, Q_REPLICAS,
	    "", 0, SENTINEL_ASK_REPLICAS, s->u.master) != 0) ||
	    evr_command(s->ev, Q_MASTER, "", 0, SENTINEL_ASK_MASTER,
	    s->u.master) != 0)
		failed(s, "out of memory");
}

/*
 * reply_cb: an answer, to the oldest question in flight (a Sentinel
 * pushes nothing).  A replica up, or the primary, ends the ask.
 */
static void
reply_cb(void *arg, redisReply *r)
{
	struct evs *s = arg;
	const struct evr_pend *q = evr_oldest(s->ev);
	char why[160];
	int kind;

	if (q == NULL) {
		failed(s, "protocol error: an answer to no question");
		return;
	}
	kind = q->kind;
	evr_pop(s->ev);
	why[0] = '\0';
	if (kind == Q_REPLICAS) {
		/* else the answer to Q_MASTER, next, says */
		if (sentinel_pick_replica(&s->u, r, s->prefer, s->avoid,
		    &s->addr, why, sizeof(why)) == 0)
			finish(s, &s->addr);
		return;
	}
	if (sentinel_master_addr(&s->u, r, &s->addr, why, sizeof(why)) == 0)
		finish(s, &s->addr);
	else
		failed(s, why);
}

static void
up_cb(void *arg)
{
	(void)arg;
}

/* lost_cb: the Sentinel closed, refused, or was silent for the timeout. */
static void
lost_cb(void *arg, const char *why)
{
	failed(arg, why);
}

static const struct evr_cbs evs_cbs = { up_cb, reply_cb, lost_cb };

static void
kick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	ask_next(arg);
}

/*
 * evs_new: an asker on base, giving each Sentinel timeout_ms (the
 * connect, and each answer, counted from the later of its question and
 * the last byte read), telling done with arg how each ask ended.  NULL
 * if out of memory.
 */
struct evs *
evs_new(struct event_base *base, int timeout_ms, evs_done_fn *done,
    void *arg)
{
	struct evs *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->done = done;
	s->arg = arg;
	s->ev = evr_new(base, &evs_cbs, s, timeout_ms);
	s->kick = event_new(base, -1, 0, kick_cb, s);
	if (s->ev == NULL || s->kick == NULL) {
		evs_free(s);
		return NULL;
	}
	return s;
}

/*
 * evs_ask: asks u's Sentinels (u->is_sentinel), as sentinel_resolve
 * does, for what want says, with prefer and avoid as there (copied), an
 * ask in progress given up first.  The ask begins on the loop, and done
 * is called from the loop, never from here.  0, or -1 if out of memory
 * (done is not called).
 */
int
evs_ask(struct evs *s, const struct redisurl *u, enum sentinel_want want,
    const char *prefer, const char *avoid)
{
	evs_cancel(s);
	free(s->prefer);
	free(s->avoid);
	s->prefer = prefer != NULL ? strdup(prefer) : NULL;
	s->avoid = avoid != NULL ? strdup(avoid) : NULL;
	if ((prefer != NULL && s->prefer == NULL) ||
	    (avoid != NULL && s->avoid == NULL))
		return -1;
	s->u = *u;
	s->want = want;
	memset(&s->node, 0, sizeof(s->node));
	s->i = 0;
	s->o = 0;
	s->err[0] = '\0';
	event_active(s->kick, EV_TIMEOUT, 0);
	return 0;
}

/* evs_cancel: the ask in progress, if any, is given up; done not told. */
void
evs_cancel(struct evs *s)
{
	if (s->kick != NULL)
		event_del(s->kick);
	evr_close(s->ev);
}

void
evs_free(struct evs *s)
{
	if (s == NULL)
		return;
	if (s->kick != NULL)
		event_free(s->kick);
	evr_free(s->ev);
	free(s->prefer);
	free(s->avoid);
	free(s);
}
