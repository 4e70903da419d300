/*
 * emit.c: the one way feeds write to the ring (collector_emit), status
 * records, counters, recreating a lost ring, and building multi-record
 * book messages.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "collector.h"
#include "util.h"

volatile sig_atomic_t collector_stop;
volatile sig_atomic_t collector_usr1;
int collector_ring_err;

/*
 * A recreated ring is announced with a status record "info" to every
 * venue written so far (bit v of ring_venues: venue id v < 32), or to
 * venue 0 if none yet; ring_note holds the reason until it is written.
 */
static uint32_t	ring_venues;
static char	ring_note[REC_REASON_LEN];

void
collector_ring_note(const char *reason)
{
	snprintf(ring_note, sizeof(ring_note), "%s", reason);
}

static void
ring_announce(struct collector *c)
{
	char reason[REC_REASON_LEN];

	memcpy(reason, ring_note, sizeof(reason));
	ring_note[0] = '\0';
	for (unsigned v = 0; v < 32; v++)
		if ((ring_venues & (1u << v)) != 0 || (v == 0 &&
		    ring_venues == 0))
			collector_status(c, v, NULL, ST_INFO, reason);
}

/*
 * Replaces a lost ring (tickpipe-ring(5), "Writer recovery") and queues
 * its announcement.  Returns 0, or -1 after asking the feed to stop, with
 * collector_ring_err set for main's exit status.
 */
static int
ring_recover(struct collector *c)
{
	char why[160], err[512];
	int rc;

	if (collector_ring_err != 0)
		return -1;	/* lost for good, and said so once */
	ring_lost(c->ring, why, sizeof(why));
	if ((rc = ring_recreate(&c->ring, err, sizeof(err))) != RING_OK) {
		fprintf(stderr, "%s: ring lost (%s), not recreated: %s\n",
		    c->prog, why, err);
		collector_ring_err = rc;
		collector_stop = 1;
		return -1;
	}
	fprintf(stderr, "%s: ring %s recreated after %s: epoch %" PRIu64
	    ", first seq %" PRIu64 "\n", c->prog, ring_name(c->ring), why,
	    ring_epoch(c->ring), ring_cursor(c->ring) + 1);
	snprintf(ring_note, sizeof(ring_note), "ring recreated after %.106s",
	    why);
	return 0;
}

void
collector_emit(struct collector *c, struct tp_record *recs, size_t n)
{
	int64_t now = 0;

	for (size_t i = 0; i < n; i++) {
		if (recs[i].recv == 0) {
			if (now == 0)
				now = now_ns();
			recs[i].recv = now;
		}
	}
	/* 0: lost; the batch goes again into the new object */
	while (ring_publish(c->ring, recs, n) == 0)
		if (ring_recover(c) < 0)
			return;
	if (recs[0].venue < 32)
		ring_venues |= 1u << recs[0].venue;
	if (ring_note[0] != '\0' && recs[0].type != REC_STATUS)
		ring_announce(c);
	c->msgs++;
	c->records += n;
	switch (recs[0].type) {
	case REC_TRADE:
		c->trades++;
		break;
	case REC_BOOK:
		c->books++;
		break;
	case REC_STATUS:
		c->statuses++;
		break;
	}
}

void
collector_status(struct collector *c, unsigned venue, const char *symbol,
    unsigned code, const char *reason)
{
	struct tp_record r;

	memset(&r, 0, sizeof(r));
	r.type = REC_STATUS;
	r.venue = (uint16_t)venue;
	if (symbol != NULL)
		snprintf(r.symbol, sizeof(r.symbol), "%s", symbol);
	r.ts = now_ns();
	r.u.status.code = (uint16_t)code;
	snprintf(r.u.status.reason, sizeof(r.u.status.reason), "%s",
	    reason != NULL ? reason : "");
	/* cut where a character ends: a reason cut in the middle of one
	   (a long URL, a venue's text) printed whole as "?" */
	r.u.status.reason[utf8_cut(r.u.status.reason,
	    strlen(r.u.status.reason))] = '\0';
	if (code == ST_RESYNC)
		c->resyncs++;
	collector_emit(c, &r, 1);
}

void
collector_counters(struct collector *c)
{
	fprintf(stderr, "%s: counters: msgs %" PRIu64 " records %" PRIu64
	    " trades %" PRIu64 " books %" PRIu64 " status %" PRIu64
	    " snapshots %" PRIu64 " resyncs %" PRIu64 " truncated %" PRIu64
	    " rejected %" PRIu64 " seq %" PRIu64 "\n", c->prog, c->msgs,
	    c->records, c->trades, c->books, c->statuses, c->snapshots,
	    c->resyncs, c->truncated, c->rejected,
	    c->ring != NULL ? ring_cursor(c->ring) : 0);
}

int
collector_poll_signals(struct collector *c)
{
	if (collector_usr1) {
		collector_usr1 = 0;
		collector_counters(c);
	}
	if (ring_lost(c->ring, NULL, 0) && ring_recover(c) == 0)
		ring_announce(c);
	return collector_stop != 0;
}

void
msg_begin(struct msgbuf *m, unsigned venue, const char *symbol, int snapshot,
    int64_t ts, int64_t recv, uint64_t vseq)
{
	struct tp_record *r = &m->recs[0];

	memset(r, 0, sizeof(*r));
	r->type = REC_BOOK;
	r->venue = (uint16_t)venue;
	/* as snprintf "%s" would, without its cost on every message */
	memcpy(r->symbol, symbol, strnlen(symbol, sizeof(r->symbol) - 1));
	r->ts = ts;
	r->recv = recv;
	r->vseq = vseq;
	m->nlev = 0;
	m->snapshot = snapshot;
	m->asks = 0;
}

int
msg_add(struct msgbuf *m, int ask, int64_t price, int8_t price_exp,
    int64_t qty, int8_t qty_exp)
{
	size_t k = m->nlev / REC_BOOK_LEVELS, j = m->nlev % REC_BOOK_LEVELS;
	struct rec_book *b;

	if (k >= JSONL_MAX_RECS || (!ask && m->asks))
		return -1;
	if (ask)
		m->asks = 1;
	if (j == 0 && k > 0) {
		/* a new record: same header, empty payload */
		m->recs[k] = m->recs[0];
		m->recs[k].flags = 0;
		memset(&m->recs[k].u, 0, sizeof(m->recs[k].u));
	} else if (j == 0)
		memset(&m->recs[0].u, 0, sizeof(m->recs[0].u));
	b = &m->recs[k].u.book;
	b->price[j] = price;
	b->price_exp[j] = price_exp;
	b->qty[j] = qty;
	b->qty_exp[j] = qty_exp;
	if (ask)
		b->nasks++;
	else
		b->nbids++;
	m->nlev++;
	return 0;
}

size_t
msg_end(struct msgbuf *m)
{
	size_t n = m->nlev == 0 ? 1 : (m->nlev + REC_BOOK_LEVELS - 1) /
	    REC_BOOK_LEVELS;

	if (m->nlev == 0)
		memset(&m->recs[0].u, 0, sizeof(m->recs[0].u));
	for (size_t k = 0; k < n; k++)
		m->recs[k].flags = 0;
	m->recs[0].flags |= REC_F_START;
	if (m->snapshot)
		m->recs[0].flags |= REC_F_SNAPSHOT;
	m->recs[n - 1].flags |= REC_F_LAST;
	return n;
}

size_t
msg_from_book(struct msgbuf *m, const struct book *b, unsigned venue,
    const char *symbol, int64_t ts, uint64_t vseq, size_t depth)
{
	size_t nb = b->bids.n, na = b->asks.n;
	size_t max = (size_t)JSONL_MAX_RECS * REC_BOOK_LEVELS;

	if (depth != 0 && nb > depth)
		nb = depth;
	if (depth != 0 && na > depth)
		na = depth;
	/* keep both sides within one message: share the room evenly */
	if (nb + na > max) {
		if (nb > max / 2)
			nb = na < max / 2 ? max - na : max / 2;
		if (na > max - nb)
			na = max - nb;
	}
	msg_begin(m, venue, symbol, 1, ts, 0, vseq);
	for (size_t i = 0; i < nb; i++)
		msg_add(m, 0, b->bids.lv[i].price, b->bids.lv[i].price_exp,
		    b->bids.lv[i].qty, b->bids.lv[i].qty_exp);
	for (size_t i = 0; i < na; i++)
		msg_add(m, 1, b->asks.lv[i].price, b->asks.lv[i].price_exp,
		    b->asks.lv[i].qty, b->asks.lv[i].qty_exp);
	return msg_end(m);
}
