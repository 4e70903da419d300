/*
 * shard.c: SSUBSCRIBE on a Redis Cluster, one connection per node.
 *
 * hiredis 0.14's async API knows only SUBSCRIBE and PSUBSCRIBE: it would
 * take an smessage for the reply of the next command, or assert.  So each
 * node's subscription connection is an evredis.h connection (a plain
 * non-blocking redisContext on the libevent loop, as the hub's
 * subscriber connection), and every reply is classified here.  On that
 * connection, in RESP2, a reply is one of:
 *
 *	smessage C payload	a message (pushed)
 *	ssubscribe C n		our SSUBSCRIBE took effect
 *	sunsubscribe C n	our SUNSUBSCRIBE, or pushed by the node when
 *				C's slot moved away from it
 *	-ERR ...		the answer to our oldest command in flight
 *				(-MOVED slot host:port for an SSUBSCRIBE
 *				sent to a node that does not own C)
 *	+OK, +PONG		AUTH, the PING sent after it
 *
 * A node's connection is up only once the node has answered its first
 * command (AUTH, else that PING) without an error (evr_hello, the rule
 * of every Redis connection of wsgate's): one refused then (a refused
 * AUTH, maxclients reached, -NOAUTH) is closed and tried again with the
 * backoff growing, the hub told nothing is up in between; and the
 * backoff starts again from 100 ms only after a connection that stayed
 * up 5 s, its cap (evr_retry_wait, the same rule again).
 *
 * Commands in flight are kept in order (struct evr_pend), so that a
 * sunsubscribe is told apart from our own: ours is the oldest command in
 * flight and names the same channel.  A -MOVED fixes the slot it names
 * at once.  Node indices are stable for the life of the shard: a node
 * once known keeps its index.
 *
 * The slot map is read when the hub asks (shard_remap), on the loop:
 * cluster_fetch's blocking reads would stall every client, /healthz and
 * /metrics up to CLUSTER_TIMEOUT_MS for each node that does not answer
 * (wsgate(1) CLUSTER).  The same nodes in the same order
 * (cluster_ask_list), asked in turn (evturn.h), each given
 * CLUSTER_TIMEOUT_MS, the same AUTH and CLUSTER SLOTS, pipelined, read by
 * the same code (cluster_map_parse), each failure in cluster_fetch's
 * words but a timeout.  The map read replaces the shard's only when whole.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/event.h>
#include <hiredis/hiredis.h>

#include "backoff.h"
#include "cluster.h"
#include "evredis.h"
#include "evturn.h"
#include "shard.h"
#include "util.h"

#define BACKOFF_MIN_MS	100
#define BACKOFF_MAX_MS	5000

/* The kinds of command in flight on a node (evr_pend's kind). */
enum pend_kind { P_AUTH, P_HELLO, P_SUB, P_UNSUB };

/* The kinds of command in flight on a map read. */
enum { M_AUTH, M_SLOTS };

struct snode {
	struct shard	*sh;
	int		 idx;
	char		 host[256];
	int		 port;
	struct evr	*ev;
	int		 up;		/* answered since its start */
	int64_t		 up_at;		/* mono_ns when up, or 0 */
	struct event	*retry;
	struct backoff	 backoff;
};

struct shard {
	struct event_base	*base;
	struct evname_res	*dns;	/* evr_new's */
	const struct redisurl	*u;
	const char		*pw;
	const struct shard_cbs	*cbs;
	void			*arg;
	int			 verbose;
	int64_t			 timeout_ms;	/* evr_new's */
	struct cluster_map	 map;		/* the last one read */
	int			 nnodes;
	struct snode		*nodes[CLUSTER_NODES_MAX];
	uint8_t			 owner[CLUSTER_SLOTS];	/* index in nodes */
	/* the map read in flight (shard_remap; see the top) */
	struct evt		*mt;
	int			 reading;
	struct redisurl_node	 ask[CLUSTER_ASK_MAX];	/* the nodes asked */
	struct cluster_map	*got;	/* its answer, parsed */
};

static void node_start(struct snode *);

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	node_start(arg);
}

/*
 * n's connection is gone (or never came, or failed its first answer):
 * told (on stderr too if say, or -v), then tried again.
 */
static void
node_down(struct snode *n, int say, const char *why)
{
	struct shard *sh = n->sh;
	struct timeval tv;
	int64_t ms;
	char msg[256];

	snprintf(msg, sizeof(msg), "%s", why);
	if (say || sh->verbose)
		fprintf(stderr, "wsgate: redis node %s:%d: %s\n", n->host,
		    n->port, msg);
	/*
	 * Told on every failed attempt too, not only when the connection
	 * drops: the hub reads the map again each time, so that a primary
	 * that stays dead is left for the replica promoted in its place.
	 */
	sh->cbs->node(sh->arg, n->idx, 0, msg);
	ms = evr_retry_wait(&n->backoff, n->up_at, mono_ns());
	n->up_at = 0;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	event_add(n->retry, &tv);
}

/*
 * pend_is: whether the oldest command in flight on n is of kind and
 * names s.
 */
static int
pend_is(const struct snode *n, int kind, const char *s, size_t len)
{
	const struct evr_pend *p = evr_oldest(n->ev);

	return p != NULL && p->kind == kind && p->len == len &&
	    memcmp(p->name, s, len) == 0;
}

static void node_up(struct snode *);

/* One reply r from n (see the top); arg is n. */
static void
node_reply(void *arg, redisReply *r)
{
	struct snode *n = arg;
	struct shard *sh = n->sh;
	redisReply **e = r->element;
	const struct evr_pend *q = evr_oldest(n->ev);

	if (!n->up && q != NULL) {
		/* its first answer (AUTH's, else the PING's): up, or failed */
		if (!evr_hello(r)) {
			char why[256];

			snprintf(why, sizeof(why), "%s", r->str);
			evr_close(n->ev);
			node_down(n, 1, why);
			return;
		}
		node_up(n);	/* only appends: q stays the oldest */
	}
	if (r->type == REDIS_REPLY_ERROR || r->type == REDIS_REPLY_STATUS) {
		struct evr_pend *p;

		if (q == NULL || r->type == REDIS_REPLY_STATUS) {
			evr_pop(n->ev);		/* +OK, +PONG: AUTH, PING */
			return;
		}
		/* a copy: the callbacks below may close the connection */
		if ((p = malloc(sizeof(*p) + q->len + 1)) == NULL) {
			evr_pop(n->ev);
			return;
		}
		memcpy(p, q, sizeof(*p) + q->len + 1);
		evr_pop(n->ev);
		if (p->kind == P_AUTH || p->kind == P_HELLO)
			fprintf(stderr, "wsgate: redis node %s:%d: %s\n",
			    n->host, n->port, r->str);
		else if (p->kind == P_SUB) {
			char host[256];
			unsigned slot;
			int port, i;

			/* MOVED: the slot's owner, known at once */
			if (cluster_redirect(r->str, &slot, host, sizeof(host),
			    &port) == 1 && (i = cluster_map_node(&sh->map,
			    host, port)) >= 0) {
				sh->map.owner[slot] = (uint8_t)i;
				sh->owner[slot] = CLUSTER_NO_NODE;
			}
			sh->cbs->lost(sh->arg, n->idx, p->name, p->len, 1,
			    r->str);
		} else
			sh->cbs->ack(sh->arg, n->idx, p->name, p->len, 0);
		free(p);
		return;
	}
	if (r->type != REDIS_REPLY_ARRAY || r->elements < 3 ||
	    e[0]->type != REDIS_REPLY_STRING ||
	    e[1]->type != REDIS_REPLY_STRING)
		return;
	if (strcasecmp(e[0]->str, "smessage") == 0) {
		if (e[2]->type == REDIS_REPLY_STRING)
			sh->cbs->message(sh->arg, e[1]->str, e[1]->len,
			    e[2]->str, e[2]->len);
	} else if (strcasecmp(e[0]->str, "ssubscribe") == 0) {
		if (pend_is(n, P_SUB, e[1]->str, e[1]->len)) {
			evr_pop(n->ev);
			sh->cbs->ack(sh->arg, n->idx, e[1]->str, e[1]->len, 1);
		}
	} else if (strcasecmp(e[0]->str, "sunsubscribe") == 0) {
		if (pend_is(n, P_UNSUB, e[1]->str, e[1]->len)) {
			evr_pop(n->ev);
			sh->cbs->ack(sh->arg, n->idx, e[1]->str, e[1]->len, 0);
		} else
			sh->cbs->lost(sh->arg, n->idx, e[1]->str, e[1]->len,
			    0, "its slot moved to another node");
	}
}

/* n's connection is up: the node answered its first command. */
static void
node_up(struct snode *n)
{
	struct shard *sh = n->sh;

	n->up = 1;
	n->up_at = mono_ns();
	if (sh->verbose)
		fprintf(stderr, "wsgate: redis node %s:%d: connected\n",
		    n->host, n->port);
	sh->cbs->node(sh->arg, n->idx, 1, "connected");
}

/* n's connection is gone (evredis closed it); arg is n. */
static void
node_lost(void *arg, const char *why)
{
	struct snode *n = arg;
	int was = n->up;

	n->up = 0;
	node_down(n, was, why);
}

static const struct evr_cbs node_cbs = {
	.reply = node_reply,
	.lost = node_lost,
};

/* send_auth: AUTH on ev as kind, with a password; -1 if out of memory. */
static int
send_auth(const struct shard *sh, struct evr *ev, int kind)
{
	if (sh->pw == NULL)
		return 0;
	return sh->u->user[0] != '\0' ? evr_command(ev, kind, "", 0,
	    "AUTH %s %s", sh->u->user, sh->pw) : evr_command(ev, kind, "", 0,
	    "AUTH %s", sh->pw);
}

/*
 * Connects n; with a password its AUTH goes first, then a PING, so that
 * the node answers something before n is up whatever the hub sends (see
 * the top).  A connection that never came is node_lost's too, from
 * evredis, and the retry; one that could not even be started, here.
 */
static void
node_start(struct snode *n)
{
	struct redisurl at;

	memset(&at, 0, sizeof(at));
	snprintf(at.host, sizeof(at.host), "%s", n->host);
	at.port = n->port;
	if (evr_start(n->ev, &at) != 0) {
		node_down(n, 0, "cannot start a connection");
		return;
	}
	if (send_auth(n->sh, n->ev, P_AUTH) != 0 ||
	    evr_command(n->ev, P_HELLO, "", 0, "PING") != 0) {
		evr_close(n->ev);
		node_down(n, 0, "out of memory");
	}
}

/* The index of node host:port, its connection started if new; -1 full. */
static int
node_get(struct shard *sh, const char *host, int port)
{
	struct snode *n;

	for (int i = 0; i < sh->nnodes; i++)
		if (sh->nodes[i]->port == port &&
		    strcmp(sh->nodes[i]->host, host) == 0)
			return i;
	if (sh->nnodes == CLUSTER_NODES_MAX ||
	    (n = calloc(1, sizeof(*n))) == NULL)
		return -1;
	n->sh = sh;
	n->idx = sh->nnodes;
	snprintf(n->host, sizeof(n->host), "%s", host);
	n->port = port;
	backoff_init(&n->backoff, BACKOFF_MIN_MS, BACKOFF_MAX_MS, 0);
	if ((n->retry = evtimer_new(sh->base, retry_cb, n)) == NULL ||
	    (n->ev = evr_new(sh->base, sh->dns, &node_cbs, n,
	    sh->timeout_ms)) == NULL) {
		if (n->retry != NULL)
			event_free(n->retry);
		free(n);
		return -1;
	}
	sh->nodes[sh->nnodes++] = n;
	node_start(n);
	return n->idx;
}

/* map_send: AUTH (with a password), then CLUSTER SLOTS. */
static int
map_send(void *arg, struct evr *ev)
{
	return send_auth(arg, ev, M_AUTH) != 0 ||
	    evr_command(ev, M_SLOTS, "", 0, "CLUSTER SLOTS") != 0 ? -1 : 0;
}

/*
 * map_reply: a refused AUTH fails the node, as the map it answers; a map
 * read whole ends the read.
 */
static enum evt_next
map_reply(void *arg, int i, int kind, const redisReply *r, char *why,
    size_t whylen)
{
	struct shard *sh = arg;

	if (r->type == REDIS_REPLY_ERROR) {
		snprintf(why, whylen, "%s%s", kind == M_AUTH ? "AUTH: " : "",
		    r->str);
		return EVT_FAIL;
	}
	if (kind != M_SLOTS)
		return EVT_WAIT;
	return cluster_map_parse(r, &sh->ask[i], sh->got, why, whylen) == 0 ?
	    EVT_DONE : EVT_FAIL;
}

/*
 * map_done: the read is over: the map read (err NULL), in place, a
 * connection started to each node new in it, or none; the hub told.
 */
static void
map_done(void *arg, const char *err)
{
	struct shard *sh = arg;

	sh->reading = 0;
	if (err == NULL) {
		memcpy(&sh->map, sh->got, sizeof(sh->map));
		memset(sh->owner, CLUSTER_NO_NODE, sizeof(sh->owner));
		for (int i = 0; i < sh->map.nnodes; i++)
			(void)node_get(sh, sh->map.nodes[i].host,
			    sh->map.nodes[i].port);
	}
	sh->cbs->mapped(sh->arg, err);
}

static const struct evt_cbs map_cbs = { map_send, map_reply, map_done };

/*
 * shard_remap: reads the slot map again (see the top), unless a read is
 * in flight already: its answer is the one told.  The end is told by
 * cbs->mapped, from the loop, never from here.
 */
void
shard_remap(struct shard *sh)
{
	if (sh->reading)
		return;
	sh->reading = 1;
	evt_ask(sh->mt, sh->ask, cluster_ask_list(sh->u, &sh->map, sh->ask));
}

/* shard_remapping: whether a map read is in flight (shard_remap). */
int
shard_remapping(const struct shard *sh)
{
	return sh->reading;
}

/*
 * shard_owner: the node that serves chan's slot, as far as the map
 * knows (its connection started if new); -1 if none.
 */
int
shard_owner(struct shard *sh, const char *chan, size_t clen)
{
	unsigned slot;
	uint8_t i;
	int k;

	slot = cluster_keyslot(chan, clen);
	if (sh->owner[slot] != CLUSTER_NO_NODE)
		return sh->owner[slot];
	if ((i = sh->map.owner[slot]) == CLUSTER_NO_NODE || i >= sh->map.nnodes)
		return -1;
	if ((k = node_get(sh, sh->map.nodes[i].host,
	    sh->map.nodes[i].port)) < 0)
		return -1;
	sh->owner[slot] = (uint8_t)k;
	return k;
}

void
shard_slots_of(struct shard *sh, int node, uint8_t *mark)
{
	int idx[CLUSTER_NODES_MAX];
	unsigned s;

	for (int i = 0; i < sh->map.nnodes; i++)
		idx[i] = node_get(sh, sh->map.nodes[i].host,
		    sh->map.nodes[i].port);
	for (s = 0; s < CLUSTER_SLOTS; s++) {
		uint8_t i = sh->map.owner[s];
		int k = sh->owner[s] != CLUSTER_NO_NODE ? sh->owner[s] :
		    i != CLUSTER_NO_NODE && i < sh->map.nnodes ? idx[i] : -1;

		if (k == node)
			mark[s] = 1;
	}
}

/*
 * shard_send: SSUBSCRIBE (subscribe 1) or SUNSUBSCRIBE chan on node.
 * 0 if sent; -1 if node is not up (the hub subscribes again when it
 * is) or out of memory.
 */
int
shard_send(struct shard *sh, int node, const char *chan, size_t clen,
    int subscribe)
{
	struct snode *n;

	if (node < 0 || node >= sh->nnodes || !(n = sh->nodes[node])->up)
		return -1;
	return evr_command(n->ev, subscribe ? P_SUB : P_UNSUB, chan, clen,
	    "%s %b", subscribe ? "SSUBSCRIBE" : "SUNSUBSCRIBE", chan, clen);
}

const char *
shard_id(const struct shard *sh, const char *host, int port)
{
	for (int i = 0; i < sh->map.nnodes; i++)
		if (sh->map.nodes[i].port == port &&
		    strcmp(sh->map.nodes[i].host, host) == 0)
			return sh->map.id[i];
	return "";
}

int
shard_nnodes(const struct shard *sh)
{
	return sh->nnodes;
}

/* shard_inflight: evr_inflight of node's connection; 0 if no node. */
size_t
shard_inflight(const struct shard *sh, int node, int64_t *oldest)
{
	*oldest = 0;
	if (node < 0 || node >= sh->nnodes)
		return 0;
	return evr_inflight(sh->nodes[node]->ev, oldest);
}

/* shard_connected: whether node's connection is up (see the top). */
int
shard_connected(const struct shard *sh, int node)
{
	return node >= 0 && node < sh->nnodes && sh->nodes[node]->up;
}

const char *
shard_node(const struct shard *sh, int node, int *port)
{
	*port = sh->nodes[node]->port;
	return sh->nodes[node]->host;
}

/*
 * shard_new: the shard layer of u (a cluster:// URL), its callbacks cbs
 * called with arg, its node connections lost at timeout_ms (evr_new).
 * The map is not read yet: shard_remap.  NULL if out of memory.
 */
struct shard *
shard_new(struct event_base *base, struct evname_res *dns,
    const struct redisurl *u,
    const char *password, const struct shard_cbs *cbs, void *arg,
    int verbose, int64_t timeout_ms)
{
	struct shard *sh = calloc(1, sizeof(*sh));

	if (sh == NULL)
		return NULL;
	sh->base = base;
	sh->dns = dns;
	sh->u = u;
	sh->pw = password;
	sh->cbs = cbs;
	sh->arg = arg;
	sh->verbose = verbose;
	sh->timeout_ms = timeout_ms;
	memset(sh->owner, CLUSTER_NO_NODE, sizeof(sh->owner));
	memset(sh->map.owner, CLUSTER_NO_NODE, sizeof(sh->map.owner));
	if ((sh->got = malloc(sizeof(*sh->got))) == NULL ||
	    (sh->mt = evt_new(base, dns, CLUSTER_TIMEOUT_MS, "", &map_cbs,
	    sh)) == NULL) {
		shard_free(sh);
		return NULL;
	}
	return sh;
}

/*
 * shard_free: closes every node's connection and gives up a map read in
 * flight; no callback is called.
 */
void
shard_free(struct shard *sh)
{
	if (sh == NULL)
		return;
	evt_free(sh->mt);
	free(sh->got);
	for (int i = 0; i < sh->nnodes; i++) {
		struct snode *n = sh->nodes[i];

		evr_free(n->ev);
		event_free(n->retry);
		free(n);
	}
	free(sh);
}
