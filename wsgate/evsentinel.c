/*
 * evsentinel.c: sentinel.h's questions to each Sentinel of the URL
 * in turn on the loop (evturn.h), read by the same code
 * (sentinel_pick_replica, sentinel_master_addr) and failing with the
 * same words but a timeout.  Both questions are sent at once: the second,
 * the primary, is read only if the first names no replica up.
 */
#include <stdlib.h>
#include <string.h>

#include "evsentinel.h"

/* The questions in flight (evr_pend's kind). */
enum { Q_REPLICAS, Q_MASTER };

struct evs {
	struct evt		*t;
	evs_done_fn		*done;
	void			*arg;
	struct redisurl		 u;	/* the URL asked about */
	enum sentinel_want	 want;
	char			*prefer, *avoid;	/* NULL: none */
	struct redisurl		 addr;	/* the answer */
};

static int
send_cb(void *arg, struct evr *ev)
{
	struct evs *s = arg;

	return (s->want == SENTINEL_REPLICA && evr_command(ev, Q_REPLICAS,
	    "", 0, SENTINEL_ASK_REPLICAS, s->u.master) != 0) ||
	    evr_command(ev, Q_MASTER, "", 0, SENTINEL_ASK_MASTER,
	    s->u.master) != 0 ? -1 : 0;
}

/* reply_cb: a replica up, or the primary, ends the ask. */
static enum evt_next
reply_cb(void *arg, int i, int kind, const redisReply *r, char *why,
    size_t whylen)
{
	struct evs *s = arg;

	(void)i;
	if (kind == Q_REPLICAS)	/* else the answer to Q_MASTER, next, says */
		return sentinel_pick_replica(&s->u, r, s->prefer, s->avoid,
		    &s->addr, why, whylen) == 0 ? EVT_DONE : EVT_WAIT;
	return sentinel_master_addr(&s->u, r, &s->addr, why, whylen) == 0 ?
	    EVT_DONE : EVT_FAIL;
}

static void
done_cb(void *arg, const char *err)
{
	struct evs *s = arg;

	s->done(s->arg, err == NULL ? &s->addr : NULL, err != NULL &&
	    s->u.nsentinels == 0 ? "no Sentinels" : err);
}

static const struct evt_cbs evs_cbs = { send_cb, reply_cb, done_cb };

/*
 * evs_new: an asker on base, names looked up by dns, giving each
 * Sentinel timeout_ms (evt_new), telling done with arg how each ask
 * ended.  NULL if out of memory.
 */
struct evs *
evs_new(struct event_base *base, struct evname_res *dns, int timeout_ms,
    evs_done_fn *done, void *arg)
{
	struct evs *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->done = done;
	s->arg = arg;
	if ((s->t = evt_new(base, dns, timeout_ms, "Sentinel ", &evs_cbs,
	    s)) == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

/*
 * evs_ask: asks u's Sentinels (u->is_sentinel), as sentinel.h says,
 * for what want says, with prefer and avoid as sentinel_pick_replica
 * takes them (copied), an ask in progress given up first.  The ask begins on the loop, and done
 * is called from the loop, never from here.  0, or -1 if out of memory
 * (done is not called).
 */
int
evs_ask(struct evs *s, const struct redisurl *u, enum sentinel_want want,
    const char *prefer, const char *avoid)
{
	evt_cancel(s->t);
	free(s->prefer);
	free(s->avoid);
	s->prefer = prefer != NULL ? strdup(prefer) : NULL;
	s->avoid = avoid != NULL ? strdup(avoid) : NULL;
	if ((prefer != NULL && s->prefer == NULL) ||
	    (avoid != NULL && s->avoid == NULL))
		return -1;
	s->u = *u;
	s->want = want;
	evt_ask(s->t, s->u.sentinels, s->u.nsentinels);
	return 0;
}

void
evs_free(struct evs *s)
{
	if (s == NULL)
		return;
	evt_free(s->t);
	free(s->prefer);
	free(s->avoid);
	free(s);
}
