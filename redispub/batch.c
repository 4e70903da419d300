/*
 * batch.c: the commands for a batch of unsent messages (see batch.h).
 *
 * A latest-value channel C (quote, top, bar, xbest) keeps its last line
 * in C.last: SET and PUBLISH in one MULTI, so that C.last is never older
 * than what was published.
 *
 * A batch is planned first (plan_msg) so that the deltas of one book
 * channel go out in ONE APPEND (a group) of their lines, each followed
 * by a newline, placed right before the PUBLISH of the first of them;
 * the PUBLISHes follow in input order.  C.deltas is a string, not a
 * list: Redis then parses one argument and stores no object per delta
 * (an RPUSH of one element a delta cost it about a fifth more work a
 * line than a PUBLISH).  So every delta is in C.deltas before it is
 * published, which is all a late joiner needs (tickpipe(7)): the string
 * may hold deltas not yet published, which the joiner applies from it
 * and then skips when they arrive live (their seq is not higher).  A
 * snapshot of C closes C's group (its MULTI comes after the APPEND of
 * the deltas before it, the deltas after it start a new group), so does
 * the --max-deltas cap, counted in lines here.
 */
#include <err.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "batch.h"
#include "cluster.h"
#include "shard.h"

/*
 * cluster_note: in a cluster (b->cluster) every message of a book
 * channel writes one of its keys in the MULTI of its SPUBLISH: each
 * delta its own APPEND, and while there is no snapshot a DEL of both
 * keys.  While the channel's slot migrates, a command whose keys have
 * left the old node is answered -ASK (or -TRYAGAIN) and not run; so
 * from the first message of a channel that is refused, every later one
 * is refused too until the slot has moved, and redispub sends them all
 * again in order (shard.h).  A message that published without touching
 * a key would be served by the old node ahead of an earlier one held
 * back.
 */

/*
 * The owner mark (redispub(1) CLUSTER): in a cluster, {C}.owner names
 * the primary C's keys were written on, so that a reader can tell them
 * from stale copies replicated from a former primary.  It is written
 * once per channel and owner process, never per message: before the
 * first message of a keyed channel C on the connection, mark_if_lua
 * keeps C's keys if the mark already names the node and its server's
 * run_id (they are this process's own writes: a restarted redispub
 * keeps them, as on one Redis) and else deletes them and marks them (a
 * restarted redis-server may have come back with keys older than it
 * acknowledged); after the slot of C changed owner or its node came
 * back, mark_lua deletes and marks them whatever the mark says
 * (batch_keys_lost).  shard.c puts "<node ID> <run_id>" in place of
 * SHARD_MARK_ID.
 */
static const char mark_if_lua[] =
    "if redis.call('GET',KEYS[1])~=ARGV[1] then "
    "redis.call('DEL',KEYS[2],KEYS[3],KEYS[4]) "
    "redis.call('SET',KEYS[1],ARGV[1]) end return 0";
static const char mark_lua[] =
    "redis.call('DEL',KEYS[2],KEYS[3],KEYS[4]) "
    "redis.call('SET',KEYS[1],ARGV[1]) return 0";

/* delta actions planned for a batch */
enum { A_NONE, A_APPEND, A_DEL };
#define NO_NEXT		UINT32_MAX

void
batch_init(struct batch *b, uint64_t pipeline, uint64_t max_deltas,
    uint64_t stream)
{
	b->pipeline = pipeline;
	b->max_deltas = max_deltas;
	b->stream = stream;
	b->id = 0;
	b->gid = 0;
	b->n = 0;
	if ((b->slot = calloc(BATCH_MAX, sizeof(*b->slot))) == NULL)
		err(EX_OSERR, "calloc");
}

void
batch_free(struct batch *b)
{
	free(b->slot);
	b->slot = NULL;
}

/* is_book: c is a book channel (PREFIX.VENUE.SYMBOL.book), with keys */
static int
is_book(const struct route_chan *c)
{
	return c->len > 5 && memcmp(c->name + c->len - 5, ".book", 5) == 0;
}

/*
 * lost_by: whether message m, a loss, touches the book channel k: a gap
 * line every book, a status of a book (m->book) that one, a status of a
 * venue (on PREFIX.VENUE.status) the venue's books, PREFIX.VENUE.*.book
 * (a name holds no dot: route.c).
 */
static int
lost_by(const struct router *rt, const struct outbox_msg *m, uint32_t k)
{
	const struct route_chan *c = &rt->chans[k], *sc = &rt->chans[m->chan];
	size_t vl = sc->len - 6;	/* "PREFIX.VENUE." of ".status" */

	if (!is_book(c))
		return 0;
	if (m->loss != OB_LOSS_STATUS)
		return 1;		/* a gap line */
	if (m->book != 0)
		return k == m->book - 1;
	return c->len > vl + 5 && memcmp(c->name, sc->name, vl) == 0 &&
	    memchr(c->name + vl, '.', c->len - vl - 5) == NULL;
}

/*
 * plan_loss: a gap line (message i) says records were lost, deltas of
 * any book among them; a status "resync" or "disconnected" that a
 * book, or the venue's books, will miss deltas until a new snapshot.
 * No such book's keys may be appended to until its next snapshot, and
 * none may be read by a late joiner from now on, who would apply later
 * deltas to the book from before the loss without being told (it did
 * not see the gap line or the status).  So the keys of every such book
 * channel are deleted by one DEL (encode_loss_del, which names the same
 * channels: lost_by depends on names alone), sent right before the
 * message is published, whatever the channel's state: a DEL of keys
 * that are gone costs nothing, and a snapshot between two losses of one
 * batch may have set them again.  In a cluster the keys of the channels
 * lie on many nodes: each channel's are deleted in a MULTI of their own
 * (encode_loss_publish), and its next delta deletes them again in its
 * MULTI, as every delta without a snapshot does there (cluster_note).
 */
static void
plan_loss(struct batch *b, struct router *rt, uint32_t i)
{
	uint32_t k;

	for (k = 0; k < rt->nchans; k++) {
		struct route_chan *c = &rt->chans[k];

		if (!lost_by(rt, b->slot[i].m, k))
			continue;
		c->snap_ok = 0;
		c->batch = 0;		/* close the group */
		c->cleared = !b->cluster;
		b->slot[i].act = A_DEL;
	}
}

/*
 * plan_msg: the late-joiner action of message i of the batch, and its
 * place in its channel's APPEND group.
 */
static void
plan_msg(struct batch *b, struct router *rt, uint32_t i)
{
	struct batch_slot *s = &b->slot[i];
	struct route_chan *c = &rt->chans[s->m->chan];

	s->act = A_NONE;
	s->next = NO_NEXT;
	s->gsize = 0;
	if (s->m->type == ROUTE_SNAPSHOT) {
		c->snap_ok = 1;
		c->cleared = 0;
		c->ndeltas = 0;
		c->batch = 0;		/* close the group */
		return;
	}
	if (s->m->loss != OB_LOSS_NONE) {
		plan_loss(b, rt, i);
		return;
	}
	if (s->m->type != ROUTE_DELTA)
		return;
	if (c->snap_ok && c->ndeltas >= b->max_deltas) {
		c->snap_ok = 0;
		c->cleared = 0;
		c->batch = 0;
	}
	if (c->snap_ok) {
		s->act = A_APPEND;
		c->ndeltas++;
		if (c->batch == b->id) {
			b->slot[c->glast].next = i;
			c->glast = i;
			b->slot[c->gfirst].gsize++;
			b->slot[c->gfirst].gbytes += s->m->len;
		} else {
			c->batch = b->id;
			c->gfirst = c->glast = i;
			s->gsize = 1;
			s->gbytes = s->m->len;
		}
		/* a cluster: each delta its own APPEND (see cluster_note) */
		if (b->cluster)
			c->batch = 0;
	} else if (!c->cleared || b->cluster) {
		/*
		 * No snapshot sent on this connection (a restart, or the
		 * cap): the keys would not rebuild the book, so late
		 * joiners wait for the next snapshot.
		 */
		s->act = A_DEL;
		c->cleared = 1;
	}
}

/*
 * put_key: the key C + suffix of channel c; in a cluster "{C}" +
 * suffix, which hashes to the slot of C, so that the keys of a channel
 * and its SPUBLISH share a MULTI and a node (redispub(1) "CLUSTER").
 */
static void
put_key(const struct batch *b, struct resp_buf *out,
    const struct route_chan *c, const char *suffix, size_t n)
{
	if (!b->cluster) {
		resp_bulk2(out, c->name, c->len, suffix, n);
		return;
	}
	resp_head(out, '$', c->len + n + 2);
	resp_raw(out, "{", 1);
	resp_raw(out, c->name, c->len);
	resp_raw(out, "}", 1);
	resp_raw(out, suffix, n);
	resp_raw(out, "\r\n", 2);
}

/* put_publish: PUBLISH, or SPUBLISH (the shard channel) in a cluster. */
static void
put_publish(const struct batch *b, struct resp_buf *out,
    const struct route_chan *c, const char *line, size_t n)
{
	if (b->cluster)
		RESP_LIT(out, "*3\r\n$8\r\nSPUBLISH\r\n");
	else
		RESP_LIT(out, "*3\r\n$7\r\nPUBLISH\r\n");
	resp_bulk(out, c->name, c->len);
	resp_bulk(out, line, n);
}

/*
 * encode_mark: the EVAL of script (mark_lua or mark_if_lua, n bytes)
 * writing c's owner mark, alone, its last argument SHARD_MARK_ID.
 */
static void
encode_mark(const struct batch *b, struct resp_buf *out,
    const struct route_chan *c, const char *script, size_t n)
{
	resp_reserve(out, n + 4 * (size_t)c->len + sizeof(SHARD_MARK_ID) +
	    160);
	RESP_LIT(out, "*8\r\n$4\r\nEVAL\r\n");
	resp_bulk(out, script, n);
	RESP_LIT(out, "$1\r\n4\r\n");
	put_key(b, out, c, ".owner", 6);
	put_key(b, out, c, ".snapshot", 9);
	put_key(b, out, c, ".deltas", 7);
	put_key(b, out, c, ".last", 5);
	resp_bulk(out, SHARD_MARK_ID, sizeof(SHARD_MARK_ID) - 1);
}

/*
 * encode_append: the APPEND of the group whose first member is slot i:
 * one argument, the members' lines each followed by "\n" (a line holds
 * no raw newline: tickpipe-json(5)).
 */
static void
encode_append(const struct batch *b, const struct route_chan *c,
    struct resp_buf *out, uint32_t i)
{
	const struct batch_slot *s = &b->slot[i];
	uint32_t j;

	resp_reserve(out, s->gbytes + (size_t)s->gsize + c->len + 72);
	RESP_LIT(out, "*3\r\n$6\r\nAPPEND\r\n");
	put_key(b, out, c, ".deltas", 7);
	resp_head(out, '$', s->gbytes + (size_t)s->gsize);
	for (j = i; j != NO_NEXT; j = b->slot[j].next) {
		resp_raw(out, outbox_line(b->slot[j].m), b->slot[j].m->len);
		resp_raw(out, "\n", 1);
	}
	resp_raw(out, "\r\n", 2);
}

/* encode_xadd: --stream: the line appended to C.stream. */
static void
encode_xadd(const struct batch *b, const struct route_chan *c,
    struct resp_buf *out, const struct outbox_msg *m)
{
	char num[24];
	int k = snprintf(num, sizeof(num), "%" PRIu64, b->stream);

	RESP_LIT(out, "*8\r\n$4\r\nXADD\r\n");
	put_key(b, out, c, ".stream", 7);
	RESP_LIT(out, "$6\r\nMAXLEN\r\n$1\r\n~\r\n");
	resp_bulk(out, num, (size_t)k);
	RESP_LIT(out, "$1\r\n*\r\n$4\r\nline\r\n");
	resp_bulk(out, outbox_line(m), m->len);
}

/*
 * encode_loss_del: the DEL of the keys of the book channels the loss in
 * slot i ends (plan_loss).
 */
static void
encode_loss_del(const struct batch *b, const struct router *rt,
    struct resp_buf *out, uint32_t i)
{
	size_t nkeys = 0, bytes = 32;
	uint32_t k;

	for (k = 0; k < rt->nchans; k++) {
		const struct route_chan *c = &rt->chans[k];

		if (lost_by(rt, b->slot[i].m, k)) {
			nkeys += 2;
			bytes += 2 * (size_t)c->len + 64;
		}
	}
	resp_reserve(out, bytes);
	resp_head(out, '*', nkeys + 1);
	RESP_LIT(out, "$3\r\nDEL\r\n");
	for (k = 0; k < rt->nchans; k++) {
		const struct route_chan *c = &rt->chans[k];

		if (lost_by(rt, b->slot[i].m, k)) {
			put_key(b, out, c, ".snapshot", 9);
			put_key(b, out, c, ".deltas", 7);
		}
	}
}

/*
 * encode_loss_publish: the loss line of slot i published again on each
 * book channel it ends the keys of (plan_loss), after its own channel:
 * a subscriber of a book channel alone, and wsgate for its clients
 * (book_invalid), learn in the channel's own order that its deltas from
 * here on do not apply to the book it has (redispub(1) "Late
 * joiners").  In a cluster each goes to its channel's node in a MULTI
 * with the DEL of the channel's keys (plan_loss), which shard.c sends
 * there as one group.  Returns the number of replies.
 */
static uint32_t
encode_loss_publish(const struct batch *b, const struct router *rt,
    struct resp_buf *out, uint32_t i)
{
	const struct outbox_msg *m = b->slot[i].m;
	uint32_t k, n = 0;

	for (k = 0; k < rt->nchans; k++) {
		const struct route_chan *c = &rt->chans[k];

		if (!lost_by(rt, m, k))
			continue;
		resp_reserve(out, (size_t)m->len + 3 * (size_t)c->len + 160);
		if (b->cluster) {
			RESP_LIT(out, "*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nDEL\r\n");
			put_key(b, out, c, ".snapshot", 9);
			put_key(b, out, c, ".deltas", 7);
			n += 2;
		}
		put_publish(b, out, c, outbox_line(m), m->len);
		n++;
		if (b->cluster) {
			RESP_LIT(out, "*1\r\n$4\r\nEXEC\r\n");
			n++;
		}
	}
	return n;
}

/*
 * The pipeline's book channels, PREFIX.tickpipe[.NAME].books (tickpipe(7)
 * "Redis keys"): each is added as it is first published on a connection,
 * so that a loss line of a later process of the pipeline (a restart, a
 * standby that took the lease), which has not published on them, ends
 * their keys too (encode_loss_sweep).  One Redis only: in a cluster the
 * set and the keys lie on many nodes.
 */
static void
put_books_key(struct resp_buf *out, const struct router *rt)
{
	char k[ROUTE_PREFIX_MAX + 96];
	int n = snprintf(k, sizeof(k), "%.*s.tickpipe%s%s.books",
	    (int)rt->prefix_len, rt->prefix, rt->name != NULL ? "." : "",
	    rt->name != NULL ? rt->name : "");

	resp_bulk(out, k, (size_t)n);
}

/*
 * sweep: the books the loss of slot i ends: [prefix, prefix + *pl) of
 * their names ("" and 0 for a gap line: every book); 0 if the loss names
 * one book, which the process has routed (status_loss).
 */
static int
sweep(const struct router *rt, const struct outbox_msg *m, size_t *pl)
{
	if (m->loss == OB_LOSS_NONE || (m->loss == OB_LOSS_STATUS &&
	    m->book != 0))
		return 0;
	*pl = m->loss == OB_LOSS_STATUS ? rt->chans[m->chan].len - 6 : 0;
	return 1;
}

/*
 * Deletes the keys of, and publishes the loss line on, each book of the
 * set KEYS[1] whose name begins with ARGV[1] followed by a name without a
 * dot and ".book" (ARGV[1] "": every book), but those given after the
 * line (ARGV[3..]), which encode_loss_del and encode_loss_publish have
 * done.  Returns how many.
 */
static const char sweep_lua[] =
    "local p, s, n = ARGV[1], {}, 0 "
    "for i = 3, #ARGV do s[ARGV[i]] = true end "
    "for _, c in ipairs(redis.call('smembers', KEYS[1])) do "
    "if not s[c] and (p == '' or (c:sub(1, #p) == p and "
    "not c:sub(#p + 1, -6):find('.', 1, true))) then "
    "redis.call('del', c .. '.snapshot', c .. '.deltas') "
    "redis.call('publish', c, ARGV[2]) n = n + 1 end end "
    "return n";

/*
 * encode_loss_sweep: for the loss of slot i, the books of the pipeline
 * that this process has not published on (sweep_lua): their keys, left
 * by a process before it, would hold a book the loss made wrong.
 */
static void
encode_loss_sweep(const struct batch *b, const struct router *rt,
    struct resp_buf *out, uint32_t i, size_t pl)
{
	const struct outbox_msg *m = b->slot[i].m;
	size_t nargs = 2, bytes = sizeof(sweep_lua) + m->len + pl + 256;
	uint32_t k;

	for (k = 0; k < rt->nchans; k++)
		if (lost_by(rt, m, k)) {
			nargs++;
			bytes += (size_t)rt->chans[k].len + 16;
		}
	resp_reserve(out, bytes);
	resp_head(out, '*', nargs + 4);	/* EVAL script 1 key, args */
	RESP_LIT(out, "$4\r\nEVAL\r\n");
	resp_bulk(out, sweep_lua, sizeof(sweep_lua) - 1);
	resp_bulk(out, "1", 1);
	put_books_key(out, rt);
	resp_bulk(out, rt->chans[m->chan].name, pl);
	resp_bulk(out, outbox_line(m), m->len);
	for (k = 0; k < rt->nchans; k++)
		if (lost_by(rt, m, k))
			resp_bulk(out, rt->chans[k].name, rt->chans[k].len);
}

/*
 * encode_msg: appends the commands for message i of the batch to out;
 * returns the number of replies they will produce, in *rp_idx the index
 * among them of a grouped APPEND's reply (or -1), in *keys_idx that of
 * the reply that says whether the APPEND ran (in a cluster its MULTI's
 * EXEC; else *rp_idx), and in *nann how many of them, first, are the
 * SADDs that add its channel to the sets of channels.
 */
static uint32_t
encode_msg(struct batch *b, struct router *rt, struct resp_buf *out,
    uint32_t i, int *rp_idx, int *keys_idx, uint32_t *nann)
{
	const struct batch_slot *s = &b->slot[i];
	const struct outbox_msg *m = s->m;
	struct route_chan *c = &rt->chans[m->chan];
	const char *line = outbox_line(m);
	uint32_t n = 0;
	size_t pl;
	/*
	 * Room for all but the mark and the APPEND, which make their own
	 * and may take this one's: made again after each of them.
	 */
	size_t room = 3 * (size_t)m->len + 6 * (size_t)c->len +
	    rt->prefix_len + 520;

	*rp_idx = *keys_idx = -1;
	resp_reserve(out, room);
	if (!c->announced) {
		RESP_LIT(out, "*3\r\n$4\r\nSADD\r\n");
		resp_bulk2(out, rt->prefix, rt->prefix_len, ".channels", 9);
		resp_bulk(out, c->name, c->len);
		c->announced = 1;
		n++;
		if (!b->cluster && is_book(c)) {	/* encode_loss_sweep */
			resp_reserve(out, room);
			RESP_LIT(out, "*3\r\n$4\r\nSADD\r\n");
			put_books_key(out, rt);
			resp_bulk(out, c->name, c->len);
			n++;
		}
	}
	*nann = n;
	if (b->cluster && !c->marked && m->type != ROUTE_TRADE &&
	    m->type != ROUTE_STATUS && m->type != ROUTE_GAP) {
		encode_mark(b, out, c, mark_if_lua, sizeof(mark_if_lua) - 1);
		resp_reserve(out, room);
		c->keyed = c->marked = 1;
		n++;
	}
	switch (m->type) {
	case ROUTE_SNAPSHOT:
		RESP_LIT(out, "*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n");
		put_key(b, out, c, ".snapshot", 9);
		resp_bulk(out, line, m->len);
		RESP_LIT(out, "*2\r\n$3\r\nDEL\r\n");
		put_key(b, out, c, ".deltas", 7);
		put_publish(b, out, c, line, m->len);
		RESP_LIT(out, "*1\r\n$4\r\nEXEC\r\n");
		n += 5;
		break;
	case ROUTE_QUOTE:
	case ROUTE_TOP:
	case ROUTE_BAR:
	case ROUTE_XBEST:
		/* latest-value channels: C.last and the message, at once */
		RESP_LIT(out, "*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n");
		put_key(b, out, c, ".last", 5);
		resp_bulk(out, line, m->len);
		put_publish(b, out, c, line, m->len);
		RESP_LIT(out, "*1\r\n$4\r\nEXEC\r\n");
		n += 4;
		break;
	case ROUTE_DELTA:
		if (b->cluster) {
			RESP_LIT(out, "*1\r\n$5\r\nMULTI\r\n");
			n++;
		}
		if (s->act == A_APPEND && s->gsize > 0) {
			encode_append(b, c, out, i);
			resp_reserve(out, room);
			*rp_idx = *keys_idx = (int)n;
			n++;
		} else if (s->act == A_DEL) {
			RESP_LIT(out, "*3\r\n$3\r\nDEL\r\n");
			put_key(b, out, c, ".snapshot", 9);
			put_key(b, out, c, ".deltas", 7);
			n++;
		}
		put_publish(b, out, c, line, m->len);
		n++;
		if (b->cluster) {
			RESP_LIT(out, "*1\r\n$4\r\nEXEC\r\n");
			if (*rp_idx >= 0)
				*keys_idx = (int)n;
			n++;
		}
		break;
	default:
		if (s->act == A_DEL && !b->cluster) {	/* a loss: plan_loss */
			encode_loss_del(b, rt, out, i);
			resp_reserve(out, room);
			n++;
		}
		put_publish(b, out, c, line, m->len);
		n++;
		if (s->act == A_DEL) {
			n += encode_loss_publish(b, rt, out, i);
			resp_reserve(out, room);
		}
		if (!b->cluster && sweep(rt, m, &pl)) {
			encode_loss_sweep(b, rt, out, i, pl);
			resp_reserve(out, room);
			n++;
		}
	}
	if (b->stream > 0) {
		encode_xadd(b, c, out, m);
		n++;
	}
	return n;
}

/*
 * gather: the next batch, from the first unsent message: at most max
 * messages, as many as fit in about room bytes of RESP, and at least
 * one.  Returns the position after its last message.
 */
static struct outbox_pos
gather(struct batch *b, const struct outbox *ob, const struct router *rt,
    uint64_t max, size_t room)
{
	struct outbox_pos p = ob->send;
	struct outbox_msg *m;
	size_t est = 0;

	b->n = 0;
	while (b->n < max && (m = outbox_at(&p)) != NULL) {
		size_t sz = (b->stream > 0 ? 3 : 2) * (size_t)m->len +
		    3 * (size_t)rt->chans[m->chan].len + 160;

		/* a loss is published again on books: at most every channel */
		if (m->loss != OB_LOSS_NONE)
			sz += (size_t)rt->nchans * ((size_t)m->len +
			    ROUTE_PREFIX_MAX + 2 * ROUTE_NAME_MAX + 160);

		if (b->n > 0 && est + sz > room)
			break;
		est += sz;
		b->slot[b->n++].m = m;
		outbox_step(&p, m);
	}
	return p;
}

void
batch_fill(struct batch *b, struct outbox *ob, struct router *rt,
    struct resp_buf *out)
{
	struct outbox_pos p;
	uint32_t i;

	while (ob->nsent < b->pipeline && resp_pending(out) < RESP_BUF_HIGH) {
		uint64_t max = b->pipeline - ob->nsent;

		if (max > BATCH_MAX)
			max = BATCH_MAX;
		p = gather(b, ob, rt, max, RESP_BUF_HIGH - resp_pending(out));
		if (b->n == 0)
			return;
		b->id++;
		for (i = 0; i < b->n; i++)
			plan_msg(b, rt, i);
		for (i = 0; i < b->n; i++) {
			struct batch_slot *s = &b->slot[i];
			struct outbox_unit *u;
			int rp_idx, keys_idx;
			uint32_t nann;
			uint32_t n = encode_msg(b, rt, out, i, &rp_idx,
			    &keys_idx, &nann);

			/* cannot fail: the ring holds more than --pipeline */
			if ((u = outbox_unit(ob, n, 1)) == NULL)
				errx(EX_SOFTWARE, "in-flight ring overflow");
			u->ann_left = n - nann;
			if (s->act != A_APPEND)
				continue;
			if (s->gsize > 0) {	/* the group's first member */
				uint32_t j;

				if (++b->gid == 0)
					b->gid = 1;
				for (j = i; j != NO_NEXT; j = b->slot[j].next)
					b->slot[j].gid = b->gid;
				u->rp_left = n - (uint32_t)rp_idx;
				u->keys_left = n - (uint32_t)keys_idx;
				u->gsize = s->gsize;
			}
			u->gid = s->gid;
		}
		outbox_sent(ob, &p, b->n);
	}
}

void
batch_keys_lost(const struct batch *b, struct router *rt,
    const uint8_t *lost, struct resp_buf *out)
{
	char set[ROUTE_PREFIX_MAX + 16];
	int n = snprintf(set, sizeof(set), "%s.channels", rt->prefix);
	int all = lost[cluster_keyslot(set, (size_t)n)];
	uint32_t i;

	for (i = 0; i < rt->nchans; i++) {
		struct route_chan *c = &rt->chans[i];

		if (all)
			c->announced = 0;
		if (!lost[cluster_keyslot(c->name, c->len)])
			continue;
		c->snap_ok = 0;
		c->cleared = 0;
		c->batch = 0;
		if (c->keyed) {
			encode_mark(b, out, c, mark_lua, sizeof(mark_lua) - 1);
			c->marked = 1;
			continue;
		}
		resp_reserve(out, 3 * c->len + 80);
		RESP_LIT(out, "*4\r\n$3\r\nDEL\r\n");
		put_key(b, out, c, ".snapshot", 9);
		put_key(b, out, c, ".deltas", 7);
		put_key(b, out, c, ".last", 5);
	}
}

void
batch_loss_refused(struct router *rt, const struct outbox_msg *m)
{
	for (uint32_t k = 0; k < rt->nchans; k++) {
		struct route_chan *c = &rt->chans[k];

		/* a snapshot planned since (plan_loss cleared snap_ok) made
		 * the keys anew: they are good */
		if (lost_by(rt, m, k) && !c->snap_ok) {
			c->cleared = 0;
			c->batch = 0;
		}
	}
}

void
batch_keys_reset(struct router *rt, uint32_t chan)
{
	struct route_chan *c = &rt->chans[chan];

	c->snap_ok = 0;
	c->cleared = 0;
	c->batch = 0;
}
