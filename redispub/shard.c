/*
 * shard.c: the Redis Cluster side of redispub's connection (see
 * shard.h).
 *
 * Every group written by the caller is kept (its RESP, its slot, room
 * for its replies) in a queue in the caller's order, and referred to by
 * an entry in the queue of the node it is sent to.  A node's queue is
 * in send order: its first sent entries are awaiting replies, which
 * come in that order, the rest wait for the node to be connected.  An
 * entry is "stale" when its group was moved to another node while it
 * was in flight: its replies (-MOVED, as the slot has left the node)
 * are read and thrown away.  A group is done when one entry got all
 * its replies and none was a redirection; the done groups at the head
 * of the caller's queue are handed back.
 *
 * Only a -MOVED makes the entries in flight to its node stale: that node
 * knew the slot had left when it answered, and answers the same to what
 * follows on the connection.  A slot map read from another node may
 * name the new owner before the old one knows (a migration's SETSLOT
 * NODE reaches it by the cluster bus, later): what is in flight there
 * may still run there, so it stays live and its replies decide, and the
 * slot is "draining" (nothing else of it is sent) until they are in.
 *
 * A slot whose keys may have lost writes already answered (keys_lost:
 * its owner changed, or its node came back) gets the caller's commands
 * deleting them first: "own" groups, outside the caller's queue, whose
 * replies are read and dropped.
 *
 * A group that writes an owner mark (SHARD_MARK_ID, mark_off) gets the
 * ID of its node and the run_id of the connection's server written in
 * at each node_write; a node whose ID the map has not given yet (one
 * named by a -MOVED only) is sent nothing from such a group on until a
 * refresh gives it.  The run_id is known whenever the connection is
 * ready: its handshake learnt it (conn.h want_run_id).
 */
#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sysexits.h>
#include <unistd.h>

#include "cluster.h"
#include "conn.h"
#include "shard.h"
#include "util.h"

#define MS		((int64_t)1000000)	/* ns */
#define SLOT_ANY	0xffffu		/* a group with no key */
#define RETRY_NS	(20 * MS)	/* -ASK, -TRYAGAIN, -CLUSTERDOWN, and
					   the other "not now" answers */
#define REFRESH_NS	(100 * MS)	/* between two slot map reads */

enum { R_NONE, R_MOVED, R_ASK, R_RETRY };

_Static_assert(sizeof(SHARD_MARK_ID) - 1 == 2 * CLUSTER_ID_LEN + 1 &&
    CONN_RUN_ID_LEN == CLUSTER_ID_LEN,
    "an owner mark's stand-in is as long as a node ID, a space, a run_id");

struct group {
	uint64_t		seq;	/* in the caller's order */
	uint32_t		refs;	/* the caller's queue, entries */
	uint32_t		nrep;
	uint16_t		slot;
	uint8_t			done;
	uint8_t			own;	/* keys_lost's: not the caller's */
	uint8_t			redir;	/* R_*, of the attempt answered */
	uint32_t		mark_off;	/* of SHARD_MARK_ID; 0 none */
	char			msg[200];	/* the redirection */
	struct resp_reply	*rep;	/* nrep of them */
	size_t			len;
	char			cmd[];	/* its RESP */
};

struct entry {
	struct group	*g;
	uint32_t	got;
	uint8_t		stale;
};

/* a queue of entries: v[(head + i) % cap] for i < n */
struct equeue {
	struct entry	*v;
	size_t		head, n, cap;
};

/* a socket in the epoll set */
struct reg {
	int			fd;	/* -1: none */
	unsigned		gen;	/* the conn's fd_gen then */
	uint32_t		ev;
};

struct node {
	struct shard		*sh;
	int			idx;
	struct redisurl		url;
	char			url_str[300];
	char			id[CLUSTER_ID_LEN + 1];	/* "": unknown */
	struct conn		c;
	struct equeue		q;
	size_t			nsent;	/* q's first nsent are in flight */
	int64_t			owed_at;	/* nsent last went from 0 */
	struct reg		reg;
};

struct shard {
	struct conn		*v;	/* the caller's connection */
	struct cluster_map	map;	/* the nodes asked at a refresh */
	struct node		*nodes[CLUSTER_NODES_MAX];
	int			nnodes;
	uint8_t			owner[CLUSTER_SLOTS];	/* index in nodes */
	uint8_t			known[CLUSTER_SLOTS];	/* its last owner */
	uint8_t			lost[CLUSTER_SLOTS];	/* keys_lost's */

	struct group		**gq;	/* the caller's order: a ring */
	size_t			ghead, gn, gcap;
	struct group		**held;	/* to try again, by seq */
	size_t			nheld, heldcap;
	uint64_t		seq;	/* of the last group */
	uint32_t		inflight[CLUSTER_SLOTS];	/* live entries */
	uint32_t		nheld_slot[CLUSTER_SLOTS];
	uint8_t			refused[CLUSTER_SLOTS];	/* see retry_held */
	uint8_t			draining[CLUSTER_SLOTS];	/* see refresh */
	int64_t			held_at, refresh_at, refreshed;

	/* a read of the slot map under way on the loop (refresh_cb) */
	int			asking;
	struct conn		ask;
	struct reg		ask_reg;
	struct redisurl		ask_url;	/* a node's: user, password */
	struct redisurl_node	ask_nodes[CLUSTER_ASK_MAX];
	struct cluster_map	got;

	int			epfd;
	const char		*fatal;		/* from the caller's reply */
	char			why[512];
	uint64_t		moved, asked, resent, deletions;
	int			not_now_said;	/* since a refused slot's
						   probe last went through */
};

/* ---- queues ---- */

static void
eq_push(struct equeue *q, struct group *g)
{
	if (q->n == q->cap) {
		size_t ncap = q->cap ? 2 * q->cap : 64, i;
		struct entry *v = malloc(ncap * sizeof(*v));

		if (v == NULL)
			err(EX_OSERR, "malloc");
		for (i = 0; i < q->n; i++)
			v[i] = q->v[(q->head + i) % q->cap];
		free(q->v);
		q->v = v;
		q->head = 0;
		q->cap = ncap;
	}
	q->v[(q->head + q->n) % q->cap] = (struct entry){ g, 0, 0 };
	q->n++;
	g->refs++;
}

static struct entry *
eq_at(struct equeue *q, size_t i)
{
	return &q->v[(q->head + i) % q->cap];
}

/* eq_insert: g into q at position pos (pos <= q->n), the rest behind. */
static void
eq_insert(struct equeue *q, size_t pos, struct group *g)
{
	size_t i;

	eq_push(q, g);
	for (i = q->n - 1; i > pos; i--)
		*eq_at(q, i) = *eq_at(q, i - 1);
	*eq_at(q, pos) = (struct entry){ g, 0, 0 };
}

static void
unref(struct group *g)
{
	if (--g->refs == 0) {
		free(g->rep);
		free(g);
	}
}

static void
eq_pop(struct equeue *q)
{
	unref(q->v[q->head].g);
	q->head = (q->head + 1) % q->cap;
	q->n--;
}

static void
eq_clear(struct equeue *q)
{
	while (q->n > 0)
		eq_pop(q);
}

/*
 * held_push: g is to be sent again at held_at, in its place among the
 * held groups (the caller's order); so is every later group of its slot
 * until then (send_group).
 */
static void
held_push(struct shard *sh, struct group *g)
{
	size_t i;

	if (sh->nheld == sh->heldcap) {
		sh->heldcap = sh->heldcap ? 2 * sh->heldcap : 64;
		sh->held = realloc(sh->held, sh->heldcap * sizeof(*sh->held));
		if (sh->held == NULL)
			err(EX_OSERR, "realloc");
	}
	g->refs++;
	for (i = sh->nheld; i > 0 && sh->held[i - 1]->seq > g->seq; i--)
		sh->held[i] = sh->held[i - 1];
	sh->held[i] = g;
	sh->nheld++;
	if (g->slot != SLOT_ANY)
		sh->nheld_slot[g->slot]++;
	if (sh->held_at == 0)
		sh->held_at = mono_ns() + RETRY_NS;
}

/* live_done: an entry of g in flight is answered or moved away. */
static void
live_done(struct shard *sh, const struct group *g)
{
	if (g->slot != SLOT_ANY && --sh->inflight[g->slot] == 0)
		sh->draining[g->slot] = 0;
}

/* ---- nodes ---- */

static void	node_up_cb(void *, int);
static void	node_down_cb(void *, const char *, int64_t);
static const char *node_reply_cb(void *, const struct resp_reply *);

/*
 * node_get: the node at host:port, connecting to it if new; -1 if there
 * are too many.
 */
static int
node_get(struct shard *sh, const char *host, int port)
{
	struct conn_events ev = { NULL, node_up_cb, node_down_cb,
	    node_reply_cb, NULL, NULL };
	struct node *n;
	int i;

	for (i = 0; i < sh->nnodes; i++)
		if (sh->nodes[i]->url.port == port &&
		    strcmp(sh->nodes[i]->url.host, host) == 0)
			return i;
	if (sh->nnodes == CLUSTER_NODES_MAX ||
	    strlen(host) >= sizeof(n->url.host))
		return -1;
	if ((n = calloc(1, sizeof(*n))) == NULL)
		err(EX_OSERR, "calloc");
	n->sh = sh;
	n->idx = sh->nnodes;
	n->reg.fd = -1;
	n->url = *sh->v->url;
	n->url.is_cluster = 0;
	n->url.nsentinels = 0;
	snprintf(n->url.host, sizeof(n->url.host), "%s", host);
	n->url.port = port;
	redisurl_show(&n->url, n->url_str, sizeof(n->url_str));
	ev.arg = n;
	/* a node never gives up: the cluster may name it again */
	conn_init(&n->c, &n->url, n->url_str, sh->v->password, INT64_MAX / 4,
	    mono_ns(), &ev);
	n->c.want_run_id = 1;	/* the owner marks' */
	memcpy(n->c.name, sh->v->name, sizeof(n->c.name));	/* conn_name */
	n->c.base_len = sh->v->base_len;
	n->c.fence_others = sh->v->fence_others;
	sh->nodes[sh->nnodes++] = n;
	conn_start(&n->c);
	return n->idx;
}

/*
 * node_write: the node is ready: every queued entry is written, an
 * owner mark with the node's ID and its server's run_id, up to the
 * first mark while that ID is unknown (refresh writes the rest).
 */
static void
node_write(struct node *n)
{
	struct equeue *q = &n->q;
	size_t i, keep = n->nsent, sent = n->nsent;
	int held = 0;

	if (!conn_is_ready(&n->c))
		return;
	/* compact the unsent part, dropping the stale entries */
	for (i = n->nsent; i < q->n; i++) {
		struct entry e = *eq_at(q, i);

		if (e.stale) {
			unref(e.g);
			continue;
		}
		if (!held && e.g->mark_off != 0) {
			if (n->id[0] == '\0')
				held = 1;
			else {
				char *m = e.g->cmd + e.g->mark_off;

				memcpy(m, n->id, CLUSTER_ID_LEN);
				m[CLUSTER_ID_LEN] = ' ';
				memcpy(m + CLUSTER_ID_LEN + 1, n->c.run_id,
				    CLUSTER_ID_LEN);
			}
		}
		if (!held) {
			resp_reserve(&n->c.out, e.g->len);
			resp_raw(&n->c.out, e.g->cmd, e.g->len);
			sent++;
		}
		*eq_at(q, keep++) = e;
	}
	q->n = keep;
	if (n->nsent == 0 && sent > 0)
		n->owed_at = mono_ns();
	n->nsent = sent;
}

/*
 * send_to: g goes to the owner of its slot (any node for no key); held
 * for a while if no node serves the slot (a refresh is due), or, unless
 * it is a refused slot's probe (retry_held), if earlier groups of its
 * slot are held or the slot is draining (what a former owner has of it
 * in flight is not answered yet: refresh).  send_group: not a probe.
 */
static void
send_to(struct shard *sh, struct group *g, int probe)
{
	unsigned o = sh->owner[g->slot == SLOT_ANY ? 0 : g->slot];
	struct node *n;

	g->done = 0;
	g->redir = R_NONE;
	if (!probe && g->slot != SLOT_ANY && sh->draining[g->slot]) {
		held_push(sh, g);
		return;
	}
	if (o == CLUSTER_NO_NODE || (int)o >= sh->nnodes || (!probe &&
	    g->slot != SLOT_ANY && sh->nheld_slot[g->slot] > 0)) {
		held_push(sh, g);
		if (sh->refresh_at == 0)
			sh->refresh_at = mono_ns();
		return;
	}
	n = sh->nodes[o];
	eq_push(&n->q, g);
	if (g->slot != SLOT_ANY)
		sh->inflight[g->slot]++;
	node_write(n);
}

static void
send_group(struct shard *sh, struct group *g)
{
	send_to(sh, g, 0);
}

/*
 * rehome: every live entry of n whose slot another node now serves
 * moves there, in order, behind what that node has; of those in flight
 * only the ones of slot moved (a -MOVED's; CLUSTER_SLOTS: none), which
 * stay as stale ones to read their replies.
 */
static void
rehome(struct shard *sh, struct node *n, unsigned moved)
{
	size_t i;

	for (i = 0; i < n->q.n; i++) {
		struct entry *e = eq_at(&n->q, i);

		if (e->stale || e->g->slot == SLOT_ANY ||
		    sh->owner[e->g->slot] == n->idx ||
		    (i < n->nsent && e->g->slot != moved))
			continue;
		e->stale = 1;
		live_done(sh, e->g);
		send_group(sh, e->g);
	}
}

/* ---- lost keys ---- */

static void	keys_lost(struct shard *sh);

/*
 * owner_set: node k serves slot s now.  If another node served it
 * before, its keys there may lack writes already answered (a replica
 * promoted, a node lost and its slots given to another; conservatively
 * a planned migration too): s is marked in sh->lost.  Returns whether
 * it was.
 */
static int
owner_set(struct shard *sh, unsigned s, unsigned k)
{
	int lost = k != CLUSTER_NO_NODE && sh->known[s] != CLUSTER_NO_NODE &&
	    sh->known[s] != k;

	sh->owner[s] = (uint8_t)k;
	if (k != CLUSTER_NO_NODE)
		sh->known[s] = (uint8_t)k;
	if (lost)
		sh->lost[s] = 1;
	return lost;
}

/* ---- the slot map ---- */

/*
 * refresh_apply: sh->map is the slot map just read; the groups waiting
 * for a node that no longer serves their slot go to the new owner, once
 * what that node has of the slot in flight is answered (the slot drains
 * meanwhile: see the top).  Returns 0, or -1 with why.
 */
static int
refresh_apply(struct shard *sh, char *why, size_t whylen)
{
	uint8_t owner[CLUSTER_SLOTS];
	int idx[CLUSTER_NODES_MAX], i, k, lost = 0;

	for (i = 0; i < sh->map.nnodes; i++) {
		idx[i] = node_get(sh, sh->map.nodes[i].host,
		    sh->map.nodes[i].port);
		if (idx[i] < 0) {
			snprintf(why, whylen, "more than %d primaries",
			    CLUSTER_NODES_MAX);
			return -1;
		}
		memcpy(sh->nodes[idx[i]]->id, sh->map.id[i],
		    sizeof(sh->map.id[i]));
	}
	for (k = 0; k < CLUSTER_SLOTS; k++) {
		owner[k] = sh->map.owner[k] == CLUSTER_NO_NODE ?
		    CLUSTER_NO_NODE : (uint8_t)idx[sh->map.owner[k]];
		lost |= owner_set(sh, (unsigned)k, owner[k]);
	}
	/* what a former owner has in flight holds its slot back */
	for (i = 0; i < sh->nnodes; i++) {
		struct node *n = sh->nodes[i];
		size_t j;

		for (j = 0; j < n->nsent; j++) {
			struct entry *e = eq_at(&n->q, j);

			if (!e->stale && e->g->slot != SLOT_ANY &&
			    sh->owner[e->g->slot] != n->idx)
				sh->draining[e->g->slot] = 1;
		}
	}
	/* the deletions first, then what moves behind them */
	if (lost)
		keys_lost(sh);
	/* also when nothing changed: a former owner lost since */
	for (i = 0; i < sh->nnodes; i++)
		rehome(sh, sh->nodes[i], CLUSTER_SLOTS);
	for (i = 0; i < sh->nnodes; i++)
		node_write(sh->nodes[i]);	/* marks held for an ID */
	return 0;
}

/*
 * refresh: reads the slot map at the start, blocking up to
 * CLUSTER_TIMEOUT_MS per node asked (redispub(1)), and applies it.
 * Returns 0, or -1 with why (the map is kept).
 */
static int
refresh(struct shard *sh, char *why, size_t whylen)
{
	sh->refreshed = mono_ns();
	sh->refresh_at = 0;
	if (cluster_fetch(sh->v->url, sh->v->password, CLUSTER_TIMEOUT_MS,
	    &sh->map, why, whylen) < 0)
		return -1;
	return refresh_apply(sh, why, whylen);
}

/*
 * refresh_failed: a read of the slot map while running failed for why
 * (said); the next in a second.
 */
static void
refresh_failed(struct shard *sh, const char *why)
{
	warnx("redis cluster: slot map not read again: %s", why);
	sh->refresh_at = mono_ns() + 10 * REFRESH_NS;
}

/*
 * refresh_cb: the read of the slot map that refresh_begin started is
 * over (conn.h slots): its map applied, or its failure said.
 */
static void
refresh_cb(void *arg, const char *why)
{
	struct shard *sh = arg;

	sh->asking = 0;
	if (why != NULL) {
		refresh_failed(sh, why);
		return;
	}
	memcpy(&sh->map, &sh->got, sizeof(sh->map));
	if (refresh_apply(sh, sh->why, sizeof(sh->why)) < 0)
		refresh_failed(sh, sh->why);
}

/*
 * refresh_begin: the slot map is read again while running, on the loop
 * (conn_ask_slots): the seeds, then the nodes of the map in use, which
 * stays in use meanwhile.
 */
static void
refresh_begin(struct shard *sh)
{
	int n = cluster_ask_list(sh->v->url, &sh->map, sh->ask_nodes);

	sh->refreshed = mono_ns();
	sh->refresh_at = 0;
	sh->asking = 1;
	conn_ask_slots(&sh->ask, sh->ask_nodes, n, &sh->got);
}

/* ask_reset: the read of the slot map under way, if any, is stopped. */
static void
ask_reset(struct shard *sh)
{
	struct conn_events ev = { sh, NULL, NULL, NULL, NULL, refresh_cb };

	if (sh->ask.url != NULL)
		conn_free(&sh->ask);
	conn_init(&sh->ask, &sh->ask_url, "", sh->v->password, INT64_MAX / 4,
	    mono_ns(), &ev);
	sh->ask.retry_at = INT64_MAX;	/* started by conn_ask_slots only */
	sh->ask_reg.fd = -1;
	sh->asking = 0;
}

/* ---- replies ---- */

/* deliver: the done groups at the head of the caller's order, handed back. */
static void
deliver(struct shard *sh)
{
	struct conn *v = sh->v;

	while (sh->fatal == NULL && sh->gn > 0) {
		struct group *g = sh->gq[sh->ghead];
		uint32_t i;

		if (!g->done)
			return;
		for (i = 0; i < g->nrep && sh->fatal == NULL; i++)
			sh->fatal = v->ev.reply(v->ev.arg, &g->rep[i]);
		sh->ghead = (sh->ghead + 1) % sh->gcap;
		sh->gn--;
		unref(g);
	}
}

/*
 * redirected: g's attempt on n was answered with a redirection (g->msg):
 * MOVED updates the map for the slot, sends g to the new owner and
 * moves the rest of the slot's groups after it; the others try again.
 */
static void
redirected(struct shard *sh, struct node *n, struct group *g)
{
	char host[256];
	unsigned slot;
	int port, k;

	if (g->redir == R_MOVED && cluster_redirect(g->msg, &slot, host,
	    sizeof(host), &port) == 1 && (k = node_get(sh, host, port)) >= 0) {
		sh->moved++;
		if (owner_set(sh, slot, (unsigned)k))
			keys_lost(sh);
		send_group(sh, g);
		rehome(sh, n, slot);
		if (sh->refresh_at == 0)
			sh->refresh_at = sh->refreshed + REFRESH_NS;
		return;
	}
	/*
	 * -ASK: the slot is being migrated and a key of g has left.  A
	 * shard channel is served by the old owner until the migration
	 * ends (the subscribers are still there), so g is tried again
	 * there rather than sent with ASKING to the new one.  No later
	 * group of g's channel is published before it: every group of a
	 * channel with keys is a MULTI of a key and the SPUBLISH, which
	 * a migrating node refuses whichever keys it still has (Redis
	 * 7.0 counts the shard channel among the keys it lacks:
	 * -TRYAGAIN), so what of it was in flight behind g is refused
	 * too and held in order; a channel without keys is a bare
	 * SPUBLISH, never refused.  Only another channel's group of the
	 * slot may overtake g (redispub(1) CLUSTER).
	 */
	sh->asked++;
	if (g->redir == R_RETRY && !sh->not_now_said &&
	    strncmp(g->msg, "TRYAGAIN", 8) != 0 &&
	    strncmp(g->msg, "CLUSTERDOWN", 11) != 0) {
		/* a busy or loading node: said once, not at each retry */
		sh->not_now_said = 1;
		warnx("redis cluster node %s: refused a command for now (%s): "
		    "holding its slot's lines, trying again every %d ms",
		    n->url_str, g->msg, (int)(RETRY_NS / MS));
	}
	if (g->slot != SLOT_ANY)
		sh->refused[g->slot] = 1;
	held_push(sh, g);
	if (g->redir == R_RETRY && sh->refresh_at == 0)
		sh->refresh_at = sh->refreshed + REFRESH_NS;
}

/* redir_kind: what an error reply asks of the client. */
static int
redir_kind(const char *msg)
{
	if (strncmp(msg, "MOVED ", 6) == 0)
		return R_MOVED;
	if (strncmp(msg, "ASK ", 4) == 0)
		return R_ASK;
	/* -BUSY, -LOADING and the like (resp_not_now): held and tried
	   again as -TRYAGAIN is, not dropped, as on one Redis (main.c) */
	if (strncmp(msg, "TRYAGAIN", 8) == 0 ||
	    strncmp(msg, "CLUSTERDOWN", 11) == 0 || resp_not_now(msg))
		return R_RETRY;
	return R_NONE;
}

static const char *
node_reply_cb(void *arg, const struct resp_reply *rep)
{
	struct node *n = arg;
	struct shard *sh = n->sh;
	struct entry *e;
	struct group *g;
	int r, stale;

	if (n->nsent == 0)
		return "reply to no command (protocol confusion)";
	e = eq_at(&n->q, 0);
	g = e->g;
	if (!e->stale) {
		g->rep[e->got] = *rep;
		if (rep->err && g->redir == R_NONE &&
		    (r = redir_kind(rep->msg)) != R_NONE) {
			g->redir = (uint8_t)r;
			snprintf(g->msg, sizeof(g->msg), "%s", rep->msg);
		}
	}
	if (++e->got < g->nrep)
		return NULL;
	stale = e->stale;
	if (!stale)
		live_done(sh, g);
	g->refs++;
	eq_pop(&n->q);		/* before redirected, which may move n's */
	n->nsent--;
	if (!stale) {
		if (g->redir != R_NONE)
			redirected(sh, n, g);
		else {
			g->done = 1;
			if (g->own && rep->err)
				warnx("redis cluster node %s: deleting and "
				    "marking keys of slot %u: %s", n->url_str,
				    g->slot, rep->msg);
			/* a refused slot's probe went through: the rest now */
			if (g->slot != SLOT_ANY && sh->refused[g->slot]) {
				sh->refused[g->slot] = 0;
				sh->not_now_said = 0;
				if (sh->nheld_slot[g->slot] > 0)
					sh->held_at = mono_ns();
			}
		}
	}
	unref(g);
	deliver(sh);
	return NULL;
}

/*
 * node_up_cb: n is (again) ready for what waits for it.  A node back
 * may have restarted without its keys, or with old ones: the keys of
 * its slots are deleted (keys_lost), and the caller is told, as of a
 * reconnection, so that no channel trusts its late-joiner keys until
 * they are written again.
 */
static void
node_up_cb(void *arg, int first)
{
	struct node *n = arg;
	struct conn *v = n->sh->v;

	if (!first) {
		int k, lost = 0;

		warnx("redis cluster node %s: reconnected", n->url_str);
		/* nothing is in flight: the deletions go first */
		for (k = 0; k < CLUSTER_SLOTS; k++)
			if (n->sh->owner[k] == n->idx)
				lost = n->sh->lost[k] = 1;
		if (lost)
			keys_lost(n->sh);
		v->ev.up(v->ev.arg, 0);
	}
	node_write(n);
}

/*
 * node_down_cb: what n had in flight is sent again, to n once it is
 * back or to another node if the slot map, read again soon, says so.
 */
static void
node_down_cb(void *arg, const char *why, int64_t retry_ms)
{
	struct node *n = arg;
	struct shard *sh = n->sh;
	size_t i, keep = 0;

	for (i = 0; i < n->q.n; i++) {
		struct entry e = *eq_at(&n->q, i);

		if (e.stale) {
			unref(e.g);
			continue;
		}
		if (i < n->nsent)
			sh->resent++;
		e.got = 0;
		e.g->redir = R_NONE;
		*eq_at(&n->q, keep++) = e;
	}
	n->q.n = keep;
	n->nsent = 0;
	warnx("redis cluster node %s: %s; retrying in %" PRId64 " ms (%zu "
	    "commands to send)", n->url_str, why, retry_ms, keep);
	if (sh->refresh_at == 0)
		sh->refresh_at = sh->refreshed + REFRESH_NS;
}

/*
 * node_deadline: when n, owing replies, is taken for hung if nothing is
 * read from it before (node_hung); INT64_MAX: not (nothing owed, not
 * ready, or no --reply-timeout).
 */
static int64_t
node_deadline(const struct node *n)
{
	int64_t to = n->sh->v->reply_timeout;

	if (to == 0 || n->nsent == 0 || !conn_is_ready(&n->c))
		return INT64_MAX;
	return (n->c.read_at > n->owed_at ? n->c.read_at : n->owed_at) + to;
}

/*
 * node_hung: n owes replies and nothing was read from it for
 * --reply-timeout, counted from the later of the last byte read and its
 * first reply owed: the node hangs (stopped, or behind a network that
 * drops everything without a reset, which TCP would notice only after
 * hours).  Its connection is dropped, said once, and made again with
 * the usual backoff, what it had in flight sent again (node_down_cb).
 * Bytes read from n are its life, not the replies the caller gets in
 * its order: a group another node holds back (a slot migrating there)
 * makes no node look hung, and a slow reply is not lost.  What the
 * socket holds is read first, as this process may be the one that was
 * stalled.
 */
static void
node_hung(struct node *n, int64_t now)
{
	if (now < node_deadline(n))
		return;
	conn_io(&n->c, POLLIN);
	if (now < node_deadline(n))
		return;
	snprintf(n->c.why, sizeof(n->c.why), "no reply for %" PRId64 " s "
	    "with %zu commands in flight (--reply-timeout)",
	    n->sh->v->reply_timeout / (1000 * MS), n->nsent);
	conn_drop(&n->c, n->c.why);
}

/* ---- the caller's side ---- */

struct shard *
shard_new(struct conn *c)
{
	struct shard *sh = calloc(1, sizeof(*sh));

	if (sh == NULL)
		err(EX_OSERR, "calloc");
	sh->v = c;
	memset(sh->owner, CLUSTER_NO_NODE, sizeof(sh->owner));
	memset(sh->known, CLUSTER_NO_NODE, sizeof(sh->known));
	if ((sh->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		err(EX_OSERR, "epoll_create1");
	sh->ask_url = *c->url;
	sh->ask_url.is_cluster = 0;
	sh->ask_url.nsentinels = 0;
	ask_reset(sh);
	return sh;
}

void
shard_reset(struct shard *sh)
{
	int i;

	for (i = 0; i < sh->nnodes; i++) {
		struct node *n = sh->nodes[i];

		conn_free(&n->c);
		eq_clear(&n->q);
		free(n->q.v);
		free(n);
	}
	sh->nnodes = 0;
	ask_reset(sh);
	while (sh->gn > 0) {
		unref(sh->gq[sh->ghead]);
		sh->ghead = (sh->ghead + 1) % sh->gcap;
		sh->gn--;
	}
	while (sh->nheld > 0)
		unref(sh->held[--sh->nheld]);
	memset(sh->inflight, 0, sizeof(sh->inflight));
	memset(sh->nheld_slot, 0, sizeof(sh->nheld_slot));
	memset(sh->refused, 0, sizeof(sh->refused));
	memset(sh->draining, 0, sizeof(sh->draining));
	sh->held_at = sh->refresh_at = 0;
	sh->map.nnodes = 0;
	memset(sh->owner, CLUSTER_NO_NODE, sizeof(sh->owner));
	memset(sh->known, CLUSTER_NO_NODE, sizeof(sh->known));
	memset(sh->lost, 0, sizeof(sh->lost));
	/* the closed descriptors left the epoll set by themselves */
	close(sh->epfd);
	if ((sh->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		err(EX_OSERR, "epoll_create1");
}

void
shard_free(struct shard *sh)
{
	if (sh->moved + sh->asked + sh->resent > 0 || sh->v->ever_ready)
		warnx("redis cluster: %" PRIu64 " MOVED and %" PRIu64
		    " ASK/TRYAGAIN/CLUSTERDOWN answers followed, %" PRIu64
		    " commands sent again after a lost node connection, %"
		    PRIu64 " channels' keys deleted after a slot changed "
		    "owner or a node came back", sh->moved, sh->asked,
		    sh->resent, sh->deletions);
	shard_reset(sh);
	conn_free(&sh->ask);
	close(sh->epfd);
	free(sh->gq);
	free(sh->held);
	free(sh);
}

int
shard_start(struct shard *sh, char *why, size_t whylen)
{
	char err[400];

	shard_reset(sh);
	if (refresh(sh, err, sizeof(err)) < 0) {
		snprintf(why, whylen, "no slot map from the cluster: %s", err);
		return -1;
	}
	return 0;
}

/*
 * next_cmd: the command at p[0..len): its length in *clen, its name
 * and first key (or none: *key NULL).  Returns 0, or -1 if p does not
 * hold one whole command (the caller's encoders write whole ones).
 */
static int
next_cmd(const char *p, size_t len, size_t *clen, const char **name,
    size_t *namelen, const char **key, size_t *keylen)
{
	const char *q = p, *end = p + len, *arg[4] = { NULL };
	size_t alen[4] = { 0 }, argc, i;
	char *e;

	if (q >= end || *q != '*')
		return -1;
	argc = strtoul(q + 1, &e, 10);
	if ((q = memchr(q, '\n', (size_t)(end - q))) == NULL || argc == 0)
		return -1;
	q++;
	for (i = 0; i < argc; i++) {
		size_t n;

		if (q >= end || *q != '$')
			return -1;
		n = strtoul(q + 1, &e, 10);
		if ((q = memchr(q, '\n', (size_t)(end - q))) == NULL ||
		    (size_t)(end - q) < n + 3)
			return -1;
		q++;
		if (i < 4) {
			arg[i] = q;
			alen[i] = n;
		}
		q += n + 2;
	}
	*clen = (size_t)(q - p);
	*name = arg[0];
	*namelen = alen[0];
	*key = NULL;
	if ((alen[0] == 4 && strncasecmp(arg[0], "EVAL", 4) == 0) ||
	    (alen[0] == 7 && strncasecmp(arg[0], "EVALSHA", 7) == 0)) {
		if (argc >= 4 && !(alen[2] == 1 && arg[2][0] == '0')) {
			*key = arg[3];
			*keylen = alen[3];
		}
	} else if (argc >= 2 && !(alen[0] == 4 &&
	    strncasecmp(arg[0], "WAIT", 4) == 0)) {
		*key = arg[1];
		*keylen = alen[1];
	}
	return 0;
}

/*
 * mark_at: where, in the one command p[0..len) named name (nl bytes),
 * an owner mark's SHARD_MARK_ID is (an EVAL's last argument); 0: none.
 * Only for a group of one command: a mark is never in a MULTI.
 */
static uint32_t
mark_at(const char *p, size_t len, const char *name, size_t nl)
{
	const size_t idl = sizeof(SHARD_MARK_ID) - 1;

	if (nl != 4 || strncasecmp(name, "EVAL", 4) != 0 || len < idl + 8 ||
	    memcmp(p + len - idl - 2, SHARD_MARK_ID, idl) != 0)
		return 0;
	return (uint32_t)(len - idl - 2);
}

/* group_alloc: a group of the commands p[0..len), nrep of them. */
static struct group *
group_alloc(const char *p, size_t len, uint32_t nrep, unsigned slot)
{
	struct group *g = malloc(sizeof(*g) + len);

	if (g == NULL || (g->rep = calloc(nrep, sizeof(*g->rep))) == NULL)
		err(EX_OSERR, "malloc");
	g->refs = 0;
	g->seq = 0;
	g->nrep = nrep;
	g->slot = (uint16_t)slot;
	g->done = 0;
	g->own = 0;
	g->redir = R_NONE;	/* keys_lost's groups skip send_to */
	g->msg[0] = '\0';
	g->mark_off = 0;
	g->len = len;
	memcpy(g->cmd, p, len);
	return g;
}

/*
 * new_group: a group of the caller's commands p[0..len), nrep of them,
 * with an owner mark at mark_off (0: none).
 */
static void
new_group(struct shard *sh, const char *p, size_t len, uint32_t nrep,
    unsigned slot, uint32_t mark_off)
{
	struct group *g = group_alloc(p, len, nrep, slot);

	g->mark_off = mark_off;
	g->refs = 1;
	g->seq = ++sh->seq;
	if (sh->gn == sh->gcap) {
		size_t ncap = sh->gcap ? 2 * sh->gcap : 256, i;
		struct group **v = malloc(ncap * sizeof(*v));

		if (v == NULL)
			err(EX_OSERR, "malloc");
		for (i = 0; i < sh->gn; i++)
			v[i] = sh->gq[(sh->ghead + i) % sh->gcap];
		free(sh->gq);
		sh->gq = v;
		sh->ghead = 0;
		sh->gcap = ncap;
	}
	sh->gq[(sh->ghead + sh->gn++) % sh->gcap] = g;
	send_group(sh, g);
}

void
shard_flush(struct shard *sh, struct resp_buf *out)
{
	const char *p = out->buf + out->off, *end = out->buf + out->len;
	const char *gstart = NULL, *name, *key;
	size_t clen, nl, kl = 0;
	unsigned slot = SLOT_ANY;
	uint32_t ncmd = 0;
	int i;

	while (p < end) {
		if (next_cmd(p, (size_t)(end - p), &clen, &name, &nl, &key,
		    &kl) < 0)
			errx(EX_SOFTWARE, "cluster: a partial command in the "
			    "output buffer");
		if (gstart == NULL && nl == 5 &&
		    strncasecmp(name, "MULTI", 5) == 0) {
			gstart = p;
			ncmd = 0;
			slot = SLOT_ANY;
		}
		if (key != NULL && slot == SLOT_ANY)
			slot = cluster_keyslot(key, kl);
		p += clen;
		ncmd++;
		if (gstart == NULL) {
			new_group(sh, p - clen, clen, 1, slot,
			    mark_at(p - clen, clen, name, nl));
			slot = SLOT_ANY;
			ncmd = 0;
		} else if (nl == 4 && strncasecmp(name, "EXEC", 4) == 0) {
			new_group(sh, gstart, (size_t)(p - gstart), ncmd, slot,
			    0);
			gstart = NULL;
			slot = SLOT_ANY;
			ncmd = 0;
		}
	}
	if (gstart != NULL)
		errx(EX_SOFTWARE, "cluster: MULTI without EXEC");
	out->off = out->len = 0;
	for (i = 0; i < sh->nnodes; i++)
		conn_flush(&sh->nodes[i]->c);
}

/*
 * keys_lost: the caller deletes the keys of the slots in sh->lost
 * (conn_events keys_lost), and marks them as the owner's (an EVAL
 * ending in SHARD_MARK_ID); each of its commands is an own group put
 * before everything of its slot not yet sent to the slot's owner, or
 * first among the held ones (seq 0) if no node serves the slot now.
 * In flight, nothing of the slot is on its new owner yet: refresh and
 * redirected call this before they move anything there, node_up_cb
 * before anything is sent.
 */
static void
keys_lost(struct shard *sh)
{
	struct conn *v = sh->v;
	struct resp_buf out = { NULL, 0, 0, 0 };
	const char *p, *end, *name, *key;
	size_t clen, nl, kl = 0;

	if (v->ev.keys_lost != NULL)
		v->ev.keys_lost(v->ev.arg, sh->lost, &out);
	memset(sh->lost, 0, sizeof(sh->lost));
	for (p = out.buf + out.off, end = out.buf + out.len; p < end;
	    p += clen) {
		struct group *g;
		unsigned slot, o;

		if (next_cmd(p, (size_t)(end - p), &clen, &name, &nl, &key,
		    &kl) < 0 || key == NULL)
			errx(EX_SOFTWARE, "cluster: a bad key deletion");
		slot = cluster_keyslot(key, kl);
		g = group_alloc(p, clen, 1, slot);
		g->own = 1;
		g->mark_off = mark_at(p, clen, name, nl);
		sh->deletions++;
		o = sh->owner[slot];
		if (o == CLUSTER_NO_NODE || (int)o >= sh->nnodes) {
			held_push(sh, g);
			continue;
		}
		eq_insert(&sh->nodes[o]->q, sh->nodes[o]->nsent, g);
		sh->inflight[slot]++;
	}
	free(out.buf);
	for (int i = 0; i < sh->nnodes; i++)
		node_write(sh->nodes[i]);
}

/*
 * reg_update: c's socket in sh's epoll set, with ptr, for what it waits
 * for now (r: how it was registered).
 */
static void
reg_update(struct shard *sh, const struct conn *c, void *ptr, struct reg *r)
{
	struct epoll_event ev;
	short want;
	int fd = conn_poll(c, &want);

	ev.events = (want & POLLIN ? EPOLLIN : 0) |
	    (want & POLLOUT ? EPOLLOUT : 0);
	ev.data.ptr = ptr;
	/*
	 * A socket registered before is closed if fd or its generation
	 * differ, and close(2) took it out of the set: its number, maybe
	 * another node's socket now, is not to be deleted (which left
	 * that node, ready, never polled).
	 */
	if (fd < 0) {
		r->fd = -1;
		return;
	}
	if (fd != r->fd || c->fd_gen != r->gen) {
		if (epoll_ctl(sh->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 &&
		    (errno != EEXIST || epoll_ctl(sh->epfd, EPOLL_CTL_MOD, fd,
		    &ev) < 0))
			err(EX_OSERR, "epoll_ctl");
	} else if (ev.events != r->ev &&
	    epoll_ctl(sh->epfd, EPOLL_CTL_MOD, fd, &ev) < 0) {
		err(EX_OSERR, "epoll_ctl");
	}
	r->fd = fd;
	r->gen = c->fd_gen;
	r->ev = ev.events;
}

int
shard_poll(struct shard *sh, short *events)
{
	int i;

	for (i = 0; i < sh->nnodes; i++)
		reg_update(sh, &sh->nodes[i]->c, sh->nodes[i],
		    &sh->nodes[i]->reg);
	if (sh->asking)
		reg_update(sh, &sh->ask, &sh->ask, &sh->ask_reg);
	*events = POLLIN;
	return sh->epfd;
}

const char *
shard_io(struct shard *sh)
{
	struct epoll_event evs[CLUSTER_NODES_MAX + 1];
	int i, k;

	k = epoll_wait(sh->epfd, evs, CLUSTER_NODES_MAX + 1, 0);
	for (i = 0; i < k && sh->fatal == NULL; i++) {
		struct node *n = evs[i].data.ptr;
		short re = (short)((evs[i].events & EPOLLIN ? POLLIN : 0) |
		    (evs[i].events & EPOLLOUT ? POLLOUT : 0) |
		    (evs[i].events & EPOLLERR ? POLLERR : 0) |
		    (evs[i].events & EPOLLHUP ? POLLHUP : 0));

		if (evs[i].data.ptr == &sh->ask) {
			if (sh->asking)
				conn_io(&sh->ask, re);
		} else {
			conn_io(&n->c, re);
		}
	}
	for (i = 0; i < sh->nnodes && sh->fatal == NULL; i++)
		conn_flush(&sh->nodes[i]->c);
	return sh->fatal;
}

/*
 * retry_held: the held groups go out again, those of a slot only once
 * nothing of that slot is in flight (a reply still due may hold it back
 * too, and must come first), in the caller's order.  A slot whose last
 * answer was a refusal (-CLUSTERDOWN, -TRYAGAIN, -ASK) sends only its
 * first held group, a probe; the rest follow once it goes through
 * (node_reply_cb).  Sent all at once, the first ones could be refused
 * and later ones taken, the cluster coming back up while they were in
 * flight: a channel's messages out of order, as a failover of a
 * primary showed (tests/t-wsgate-cluster-failover.sh).
 */
static void
retry_held(struct shard *sh)
{
	struct group **h = sh->held, **keep;
	size_t i, n = sh->nheld, nk = 0;
	uint8_t *go = calloc(n ? n : 1, 1);
	uint8_t *probed = calloc(CLUSTER_SLOTS, 1);

	if (go == NULL || probed == NULL ||
	    (keep = malloc((n ? n : 1) * sizeof(*keep))) == NULL)
		err(EX_OSERR, "malloc");
	for (i = 0; i < n; i++) {
		unsigned sl = h[i]->slot;

		if (sl == SLOT_ANY) {
			go[i] = 1;
			continue;
		}
		go[i] = sh->inflight[sl] == 0 && !probed[sl];
		if (sh->refused[sl])
			probed[sl] = 1;
	}
	free(probed);
	for (i = 0; i < n; i++) {
		if (!go[i])
			keep[nk++] = h[i];
		else if (h[i]->slot != SLOT_ANY)
			sh->nheld_slot[h[i]->slot]--;
	}
	sh->held = keep;
	sh->nheld = nk;
	sh->heldcap = n ? n : 1;
	sh->held_at = nk > 0 ? mono_ns() + RETRY_NS : 0;
	for (i = 0; i < n; i++) {
		if (!go[i])
			continue;
		send_to(sh, h[i], 1);
		unref(h[i]);
	}
	free(go);
	free(h);
}

const char *
shard_tick(struct shard *sh, int64_t now)
{
	int k;

	for (k = 0; k < sh->nnodes; k++)
		conn_tick(&sh->nodes[k]->c, now);
	for (k = 0; k < sh->nnodes && sh->fatal == NULL; k++)
		node_hung(sh->nodes[k], now);
	if (sh->asking)
		conn_tick(&sh->ask, now);
	else if (sh->refresh_at != 0 && now >= sh->refresh_at)
		refresh_begin(sh);
	if (sh->held_at != 0 && now >= sh->held_at)
		retry_held(sh);
	for (k = 0; k < sh->nnodes; k++)
		conn_flush(&sh->nodes[k]->c);
	return sh->fatal;
}

int64_t
shard_next_timer(const struct shard *sh)
{
	int64_t t = INT64_MAX, u;
	int k;

	for (k = 0; k < sh->nnodes; k++)
		if ((u = conn_next_timer(&sh->nodes[k]->c)) < t)
			t = u;
	for (k = 0; k < sh->nnodes; k++)
		if ((u = node_deadline(sh->nodes[k])) < t)
			t = u;
	if (sh->asking && (u = conn_next_timer(&sh->ask)) < t)
		t = u;
	else if (!sh->asking && sh->refresh_at != 0 && sh->refresh_at < t)
		t = sh->refresh_at;
	if (sh->held_at != 0 && sh->held_at < t)
		t = sh->held_at;
	return t;
}
