/*
 * evredis.c: a Redis connection as a non-blocking redisContext on the
 * libevent loop, its replies classified by the caller (evredis.h).
 *
 * The socket is connected when it first turns writable; then commands
 * appended (redisAppendCommand) are written as the socket takes them
 * (redisBufferWrite), and replies are read and parsed by hiredis's
 * reader (redisBufferRead, redisGetReplyFromReader), each handed to the
 * caller's reply callback.  The commands in flight are a FIFO (struct
 * evr_pend) the caller reads with evr_oldest and pops with evr_pop when
 * a reply answers the oldest: on a subscriber connection, where
 * messages are pushed between the answers, that is the only way to
 * pair an error with its command.  A command sent with evr_call is
 * answered to its own callback instead, popped first: on a connection
 * where nothing is pushed (wsgate's commands connection) each reply
 * answers the oldest command, so each reaches the code that asked, and
 * a command closed before its answer gets NULL, as hiredis's async API
 * does.  A callback may close the connection (evr_close), or start it
 * again; the rest of what was read is then dropped.
 *
 * Liveness.  A connection that reads nothing for the timeout while a
 * reply is owed (the connect itself, or a command in flight, counted
 * from the later of its sending and the last byte read) is lost: a Redis
 * that stopped answering (stopped, frozen, a network gone quiet) is
 * noticed as if it had closed.  A connection quiet for half the timeout
 * with nothing in flight is sent a PING (kind EVR_PING), whose answer
 * ("pong" on a subscriber connection, +PONG else) evredis takes itself.
 * Bytes read are life: a Redis slow to send a long reply is not lost.
 * TCP keepalive is on too, with the timeout as its idle time.
 *
 * Names.  A host name is looked up on the loop first (evname.h), not by
 * hiredis's connect, whose getaddrinfo blocks while a name server is
 * silent; the lookup counts as the connect for the liveness rule, and
 * the commands sent meanwhile are kept (early) and appended once the
 * address is connected to.
 *
 * Up, and the backoff.  A connection is up only once Redis has
 * answered its first command, AUTH or the caller's first, without an
 * error (evr_hello), and a lost one is tried again with the backoff,
 * which starts again from its floor only after a connection that stayed
 * up for as long as its cap (evr_retry_wait): the rules of each Redis
 * connection of wsgate's (wsgate(1)).
 *
 * Bounds.  A reply past EVR_REPLY_MAX loses e as a protocol error: its
 * parts are counted as hiredis's reader makes them (cap_fns, wrapping
 * its own functions) and a bulk string is judged by the length it
 * announces as soon as that is read (evr_cap_over), so neither a bulk
 * of 2^40 bytes nor an array of 10^9 elements is taken in whole first.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <hiredis/sds.h>

#include "evname.h"
#include "evredis.h"
#include "util.h"

struct evr {
	struct event_base	*base;
	struct evname_res	*dns;	/* NULL: hiredis's lookup, blocking */
	struct evname		*look;	/* the host being looked up */
	char			 host[256];	/* it, and its port */
	int			 port;
	char			*early;	/* commands sent during the lookup */
	size_t			 early_len;
	const struct evr_cbs	*cbs;
	void			*arg;
	redisContext		*c;
	struct event		*rev, *wev;
	int			 connected;
	unsigned		 gen;	/* bumped by each close */
	struct evr_pend		*head, *tail;
	size_t			 n;	/* commands in flight */
	struct event		*live;	/* the liveness check, periodic */
	int64_t			 timeout_ns;
	int64_t			 last_rx;	/* mono_ns: started, last read */
	struct evr_cap		 cap;
	char			 why[128];	/* evr_start's failure */
};

/* The bound of the reader being read (evr_cap_use); one loop, one read. */
static struct evr_cap *cap_cur;
static redisReplyObjectFunctions *cap_orig;	/* hiredis's own */

/* Counts n bytes of the reply being made; 0 if past the bound. */
static int
cap_add(const redisReadTask *t, size_t n)
{
	struct evr_cap *c = cap_cur;

	if (c == NULL)
		return 1;
	if (t->parent == NULL)
		c->bytes = 0;	/* a new reply */
	c->bytes += n + sizeof(redisReply);
	if (c->bytes <= EVR_REPLY_MAX)
		return 1;
	snprintf(c->why, sizeof(c->why), "protocol error: a reply past "
	    "%zu MiB", EVR_REPLY_MAX >> 20);
	return 0;
}

static void *
cap_string(const redisReadTask *t, char *str, size_t len)
{
	return cap_add(t, len) ? cap_orig->createString(t, str, len) : NULL;
}

static void *
cap_array(const redisReadTask *t, int n)
{
	return cap_add(t, (size_t)(n > 0 ? n : 0) * sizeof(void *)) ?
	    cap_orig->createArray(t, n) : NULL;
}

static void *
cap_integer(const redisReadTask *t, long long v)
{
	return cap_add(t, 0) ? cap_orig->createInteger(t, v) : NULL;
}

static void *
cap_nil(const redisReadTask *t)
{
	return cap_add(t, 0) ? cap_orig->createNil(t) : NULL;
}

static void
cap_free(void *o)
{
	cap_orig->freeObject(o);
}

static redisReplyObjectFunctions cap_fns = {
	cap_string, cap_array, cap_integer, cap_nil, cap_free
};

/*
 * evr_cap_init: r's replies are counted against EVR_REPLY_MAX in c
 * (cleared), while c is the one in use (evr_cap_use).  A part past it
 * is not made: the reader fails ("Out of memory"; c->why says why).
 */
void
evr_cap_init(redisReader *r, struct evr_cap *c)
{
	if (cap_orig == NULL)
		cap_orig = r->fn;
	r->fn = &cap_fns;
	c->bytes = 0;
	c->why[0] = '\0';
}

/* evr_cap_use: c is the bound of the reader read next (NULL: none). */
void
evr_cap_use(struct evr_cap *c)
{
	cap_cur = c;
}

/*
 * evr_cap_over: whether r, as left by a read, holds a reply past the
 * bound c: a part refused, a bulk string announcing more, or more
 * bytes waiting for one item (a line with no end); c->why says it.
 */
int
evr_cap_over(const redisReader *r, struct evr_cap *c)
{
	const char *p;
	long long n;

	if (c->why[0] != '\0')
		return 1;
	if (r->ridx >= 0 && r->rstack[r->ridx].type == REDIS_REPLY_STRING &&
	    r->pos < r->len) {
		/* waiting for a bulk's bytes: pos is at its length */
		p = r->buf + r->pos;
		for (n = 0; p < r->buf + r->len && *p >= '0' && *p <= '9' &&
		    n <= (long long)EVR_REPLY_MAX; p++)
			n = n * 10 + (*p - '0');
		if (n > (long long)EVR_REPLY_MAX) {
			snprintf(c->why, sizeof(c->why), "protocol error: a "
			    "bulk string past %zu MiB", EVR_REPLY_MAX >> 20);
			return 1;
		}
	}
	if (r->len - r->pos > EVR_REPLY_MAX + 65536) {
		snprintf(c->why, sizeof(c->why), "protocol error: a reply "
		    "past %zu MiB", EVR_REPLY_MAX >> 20);
		return 1;
	}
	return 0;
}

/*
 * evr_new: a connection, not started, whose events go to base and
 * callbacks to cbs with arg, lost when Redis owes a reply and sends
 * nothing for timeout_ms (see the top); host names are looked up with
 * dns (evname.h; NULL: by hiredis, blocking).  NULL if out of memory.
 */
struct evr *
evr_new(struct event_base *base, struct evname_res *dns,
    const struct evr_cbs *cbs, void *arg, int64_t timeout_ms)
{
	struct evr *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	e->base = base;
	e->dns = dns;
	e->cbs = cbs;
	e->arg = arg;
	e->timeout_ns = timeout_ms * 1000000;
	return e;
}

/* Takes the oldest command in flight off e's FIFO: the caller's now. */
static struct evr_pend *
pend_take(struct evr *e)
{
	struct evr_pend *p = e->head;

	if (p == NULL)
		return NULL;
	e->head = p->next;
	if (e->head == NULL)
		e->tail = NULL;
	e->n--;
	return p;
}

/*
 * evr_close: closes e's connection, if any, and forgets its commands;
 * those of evr_call get their callbacks with NULL, once e is closed (a
 * command they send fails; one sent on e started again is kept).
 */
void
evr_close(struct evr *e)
{
	struct evr_pend *p = e->head, *next;

	if (e->rev != NULL)
		event_free(e->rev);
	if (e->wev != NULL)
		event_free(e->wev);
	if (e->live != NULL)
		event_free(e->live);
	e->rev = e->wev = e->live = NULL;
	evname_cancel(e->look);
	e->look = NULL;
	free(e->early);
	e->early = NULL;
	e->early_len = 0;
	if (e->c != NULL)
		redisFree(e->c);
	e->c = NULL;
	e->connected = 0;
	e->gen++;
	e->head = e->tail = NULL;
	e->n = 0;
	for (; p != NULL; p = next) {
		next = p->next;
		if (p->fn != NULL)
			p->fn(e->arg, p->arg, NULL);
		free(p);
	}
}

void
evr_free(struct evr *e)
{
	if (e == NULL)
		return;
	evr_close(e);
	free(e);
}

/* Closes e, then tells the caller why. */
static void
evr_lost(struct evr *e, const char *why)
{
	char msg[320];

	snprintf(msg, sizeof(msg), "%s", why != NULL && why[0] != '\0' ?
	    why : "disconnected");
	evr_close(e);
	e->cbs->lost(e->arg, msg);
}

/*
 * pong: whether r answers evredis's own PING, the oldest in flight: if
 * so it is popped, and an error answer loses e.  A pushed message is
 * not its answer (0).
 */
static int
pong(struct evr *e, const redisReply *r)
{
	char msg[200];

	if (r->type == REDIS_REPLY_ERROR) {
		evr_pop(e);
		snprintf(msg, sizeof(msg), "PING: %s", r->str);
		evr_lost(e, msg);
		return 1;
	}
	if ((r->type == REDIS_REPLY_STATUS && strcasecmp(r->str, "PONG") ==
	    0) || (r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
	    r->element[0]->type == REDIS_REPLY_STRING &&
	    strcasecmp(r->element[0]->str, "pong") == 0)) {
		evr_pop(e);
		return 1;
	}
	return 0;
}

/*
 * evr_liveness: the liveness rule (see the top): with a reply owed
 * since owed_at, lost once nothing has been read for timeout_ns since
 * the later of owed_at and last_rx; with none owed, a PING once quiet
 * for half of it.
 */
enum evr_live
evr_liveness(int64_t now, int64_t last_rx, int owed, int64_t owed_at,
    int64_t timeout_ns)
{
	if (!owed)
		return now - last_rx >= timeout_ns / 2 ? EVR_LIVE_PING :
		    EVR_LIVE_OK;
	if (owed_at < last_rx)
		owed_at = last_rx;
	return now - owed_at >= timeout_ns ? EVR_LIVE_LOST : EVR_LIVE_OK;
}

/*
 * evr_hello: whether r, the answer to the first command sent on a new
 * connection (AUTH, else the caller's first: a SUBSCRIBE, a PING), makes
 * it up: not if it is an error (a refused AUTH, maxclients reached,
 * -NOAUTH, -LOADING), which fails the connection, to be tried again with
 * the backoff, not every 100 ms, clients told nothing in between.  An
 * ACL's -NOPERM refuses that command alone: Redis has answered.
 */
int
evr_hello(const redisReply *r)
{
	return r->type != REDIS_REPLY_ERROR ||
	    strncmp(r->str, "NOPERM", 6) == 0;
}

/*
 * evr_retry_wait: the wait from b (ms) before a connection lost, or
 * never up, is tried again; up_at, when it was up (mono_ns; 0: never).
 * b starts again from its floor only if the connection stayed up for
 * at least b's cap, as the supervisor resets a stage's backoff only
 * after BACKOFF_RESET seconds up (tickpipe(8)): a Redis that answers the
 * first command, then breaks each connection (a protocol error, a
 * close) is tried as seldom as one that refuses it, not every 100 ms
 * with clients told redis_up and redis_down each time.
 */
int64_t
evr_retry_wait(struct backoff *b, int64_t up_at, int64_t now)
{
	if (up_at != 0 && now - up_at >= b->max_ms * 1000000)
		backoff_reset(b);
	return backoff_next(b);
}

/*
 * live_cb: the liveness check (see the top), every quarter of the
 * timeout.  The connect is owed too.
 */
static void
live_cb(evutil_socket_t fd, short what, void *arg)
{
	struct evr *e = arg;
	char msg[320];

	(void)fd;
	(void)what;
	switch (evr_liveness(mono_ns(), e->last_rx, !e->connected ||
	    e->head != NULL, e->head != NULL ? e->head->at : 0,
	    e->timeout_ns)) {
	case EVR_LIVE_LOST:
		if (e->look != NULL)
			snprintf(msg, sizeof(msg), "name lookup of %s: no "
			    "answer in %lld ms", e->host,
			    (long long)(e->timeout_ns / 1000000));
		else
			snprintf(msg, sizeof(msg), "%s in %lld ms",
			    e->connected ? "no reply" : "not connected",
			    (long long)(e->timeout_ns / 1000000));
		evr_lost(e, msg);
		break;
	case EVR_LIVE_PING:
		if (evr_command(e, EVR_PING, "", 0, "PING") != 0)
			evr_lost(e, "out of memory");
		break;
	case EVR_LIVE_OK:
		break;
	}
}

/* r answers e's oldest command, one of evr_call's: to its callback. */
static void
call(struct evr *e, redisReply *r)
{
	struct evr_pend *p = pend_take(e);

	if (p->fn != NULL)
		p->fn(e->arg, p->arg, r);
	free(p);
}

static void
read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct evr *e = arg;
	unsigned gen = e->gen;
	void *r;
	int rc;

	(void)fd;
	(void)what;
	if (redisBufferRead(e->c) != REDIS_OK) {
		evr_lost(e, e->c->errstr);
		return;
	}
	e->last_rx = mono_ns();
	for (;;) {
		evr_cap_use(&e->cap);
		rc = redisGetReplyFromReader(e->c, &r);
		evr_cap_use(NULL);
		if (rc != REDIS_OK) {
			evr_lost(e, e->cap.why[0] != '\0' ? e->cap.why :
			    e->c->errstr);
			return;
		}
		if (r == NULL) {
			if (evr_cap_over(e->c->reader, &e->cap))
				evr_lost(e, e->cap.why);
			break;
		}
		if (e->head != NULL && e->head->kind == EVR_PING &&
		    pong(e, r)) {
			freeReplyObject(r);
			if (e->gen != gen)
				return;
			continue;
		}
		if (e->head != NULL && e->head->kind == EVR_CALL)
			call(e, r);
		else if (e->cbs->reply != NULL)
			e->cbs->reply(e->arg, r);
		freeReplyObject(r);
		if (e->gen != gen)
			return;		/* closed in the callback */
	}
}

static void
write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct evr *e = arg;
	int done = 0;

	(void)what;
	if (!e->connected) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err != 0) {
			evr_lost(e, strerror(err));
			return;
		}
		e->connected = 1;
		event_add(e->rev, NULL);
	}
	if (redisBufferWrite(e->c, &done) != REDIS_OK) {
		evr_lost(e, e->c->errstr);
		return;
	}
	if (done)
		event_del(e->wev);
}

/*
 * evr_keepalive: TCP keepalive on fd, its probes starting after
 * timeout_ns idle, 3 of them a third of it apart: a peer gone without a
 * word (a host down, a link cut) is noticed even when nothing is owed.
 * Failures are ignored: the PINGs notice it too.
 */
void
evr_keepalive(int fd, int64_t timeout_ns)
{
	int on = 1, idle = (int)(timeout_ns / 1000000000), cnt = 3, intvl;

	if (idle < 1)
		idle = 1;
	intvl = idle / 3 > 0 ? idle / 3 : 1;
	(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl,
	    sizeof(intvl));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

/* Starts the liveness check of e (live_cb), or starts it again. */
static int
evr_live_start(struct evr *e)
{
	struct timeval tv;

	tv.tv_sec = (time_t)(e->timeout_ns / 4 / 1000000000);
	tv.tv_usec = (suseconds_t)(e->timeout_ns / 4 % 1000000000 / 1000);
	if (e->live == NULL)
		e->live = event_new(e->base, -1, EV_PERSIST, live_cb, e);
	e->last_rx = mono_ns();
	return e->live == NULL || event_add(e->live, &tv) != 0 ? -1 : 0;
}

/* evr_connect: evr_start's connect, to host (an address) or path. */
static int
evr_connect(struct evr *e, const char *host, int port, const char *path)
{
	redisContext *c;

	snprintf(e->why, sizeof(e->why), "out of memory");
	c = host == NULL ? redisConnectUnixNonBlock(path) :
	    redisConnectNonBlock(host, port);
	if (c == NULL || c->err) {
		if (c != NULL)
			snprintf(e->why, sizeof(e->why), "%s", c->errstr);
		redisFree(c);
		evr_close(e);
		return -1;
	}
	e->c = c;
	if (e->early != NULL && redisAppendFormattedCommand(c, e->early,
	    e->early_len) != REDIS_OK) {
		evr_close(e);
		return -1;
	}
	free(e->early);
	e->early = NULL;
	e->early_len = 0;
	evr_cap_init(c->reader, &e->cap);
	if (c->connection_type == REDIS_CONN_TCP)
		evr_keepalive(c->fd, e->timeout_ns);
	e->rev = event_new(e->base, c->fd, EV_READ | EV_PERSIST, read_cb, e);
	e->wev = event_new(e->base, c->fd, EV_WRITE | EV_PERSIST, write_cb,
	    e);
	if (e->rev == NULL || e->wev == NULL || event_add(e->wev, NULL) ||
	    evr_live_start(e) != 0) {
		evr_close(e);
		return -1;
	}
	return 0;
}

/* evname's answer: the address connected to, or e lost. */
static void
looked(void *arg, const char *addr, const char *why)
{
	struct evr *e = arg;

	e->look = NULL;		/* evname frees it */
	if (addr == NULL)
		evr_lost(e, why);
	else if (evr_connect(e, addr, e->port, NULL) != 0)
		evr_lost(e, e->why);
}

/*
 * evr_start: connects e (closed first) to at's host and port or unix
 * socket, a host name looked up first (evname.h) unless e has no
 * resolver; up or lost is called from the loop.  0, or -1 if the
 * connection could not even be started (lost is not called; evr_error
 * says why).  The lookup counts as the connect for the liveness rule.
 */
int
evr_start(struct evr *e, const struct redisurl *at)
{
	evr_close(e);
	if (at->is_unix)
		return evr_connect(e, NULL, 0, at->path);
	if (e->dns == NULL || evname_numeric(at->host))
		return evr_connect(e, at->host, at->port, NULL);
	snprintf(e->host, sizeof(e->host), "%s", at->host);
	e->port = at->port;
	snprintf(e->why, sizeof(e->why), "out of memory");
	if ((e->look = evname_start(e->dns, at->host, looked, e)) ==
	    NULL || evr_live_start(e) != 0) {
		evr_close(e);
		return -1;
	}
	return 0;
}

/* The command of fmt kept until e is connected to its host's address. */
static int
early_add(struct evr *e, const char *fmt, va_list ap)
{
	char *cmd, *to;
	int n = redisvFormatCommand(&cmd, fmt, ap);

	if (n < 0)
		return REDIS_ERR;
	if ((to = realloc(e->early, e->early_len + (size_t)n)) == NULL) {
		redisFreeCommand(cmd);
		return REDIS_ERR;
	}
	memcpy(to + e->early_len, cmd, (size_t)n);
	e->early = to;
	e->early_len += (size_t)n;
	redisFreeCommand(cmd);
	return REDIS_OK;
}

/* evr_command's and evr_call's: the command of fmt, queued as p. */
static int
pend_add(struct evr *e, struct evr_pend *p, const char *fmt, va_list ap)
{
	int rc = e->c != NULL ? redisvAppendCommand(e->c, fmt, ap) :
	    early_add(e, fmt, ap);

	if (rc != REDIS_OK) {
		free(p);	/* nothing appended: still in step */
		return -1;
	}
	p->next = NULL;
	p->at = mono_ns();
	if (e->tail != NULL)
		e->tail->next = p;
	else
		e->head = p;
	e->tail = p;
	e->n++;
	if (e->connected)
		event_add(e->wev, NULL);
	return 0;
}

/*
 * evr_command: appends the command of fmt (redisAppendCommand's) and
 * queues it as the newest in flight, of kind and name (len bytes).
 * 0, or -1 if e is closed or out of memory (nothing appended).  During
 * the lookup of its host (evr_start), the command is kept till then.
 */
int
evr_command(struct evr *e, int kind, const char *name, size_t len,
    const char *fmt, ...)
{
	struct evr_pend *p;
	va_list ap;
	int rc;

	if (e->c == NULL && e->look == NULL)
		return -1;
	if ((p = malloc(sizeof(*p) + len + 1)) == NULL)
		return -1;
	p->kind = kind;
	p->fn = NULL;
	p->arg = NULL;
	p->len = len;
	memcpy(p->name, name, len);
	p->name[len] = '\0';
	va_start(ap, fmt);
	rc = pend_add(e, p, fmt, ap);
	va_end(ap);
	return rc;
}

/*
 * evr_call: as evr_command, of kind EVR_CALL: the command's answer goes
 * to fn (NULL: none) with arg, not to the reply callback, and fn gets
 * NULL if e is closed first.  Only for a connection where nothing is
 * pushed: its replies answer its commands in order.  0, or -1 (fn is
 * not called).
 */
int
evr_call(struct evr *e, evr_call_fn *fn, void *arg, const char *fmt, ...)
{
	struct evr_pend *p;
	va_list ap;
	int rc;

	if (e->c == NULL && e->look == NULL)
		return -1;
	if ((p = malloc(sizeof(*p) + 1)) == NULL)
		return -1;
	p->kind = EVR_CALL;
	p->fn = fn;
	p->arg = arg;
	p->len = 0;
	p->name[0] = '\0';
	va_start(ap, fmt);
	rc = pend_add(e, p, fmt, ap);
	va_end(ap);
	return rc;
}

/*
 * evr_mark: where the commands queued on e end now, for evr_undo.
 * Nothing is written between the two: both are called in one turn of
 * the loop, with no reply read between them.
 */
void
evr_mark(const struct evr *e, struct evr_mark *m)
{
	m->c = e->c;
	m->olen = e->c != NULL ? sdslen(e->c->obuf) : 0;
	m->early_len = e->early_len;
	m->tail = e->tail;
	m->n = e->n;
}

/*
 * evr_undo: forgets the commands queued on e since evr_mark gave m,
 * their bytes and their places in flight; their callbacks are not
 * called.  Nothing if e was closed or started again since.
 */
void
evr_undo(struct evr *e, const struct evr_mark *m)
{
	struct evr_pend *p, *next;

	if (e->c != m->c)
		return;
	if (e->c != NULL) {
		sdssetlen(e->c->obuf, m->olen);
		e->c->obuf[m->olen] = '\0';
	} else {
		e->early_len = m->early_len;
	}
	for (p = m->tail != NULL ? m->tail->next : e->head; p != NULL;
	    p = next) {
		next = p->next;
		free(p);
	}
	if (m->tail != NULL)
		m->tail->next = NULL;
	else
		e->head = NULL;
	e->tail = m->tail;
	e->n = m->n;
}

/* evr_oldest: the oldest command in flight, or NULL. */
const struct evr_pend *
evr_oldest(const struct evr *e)
{
	return e->head;
}

/* evr_pop: forgets the oldest command in flight (its answer came). */
void
evr_pop(struct evr *e)
{
	free(pend_take(e));
}

/*
 * evr_inflight: how many commands are in flight on e; *oldest, when the
 * oldest of them was queued (mono_ns), 0 if none.
 */
size_t
evr_inflight(const struct evr *e, int64_t *oldest)
{
	*oldest = e->head != NULL ? e->head->at : 0;
	return e->n;
}

int
evr_connected(const struct evr *e)
{
	return e->connected;
}

/* evr_error: why the last evr_start failed. */
const char *
evr_error(const struct evr *e)
{
	return e->why;
}
