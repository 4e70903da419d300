/*
 * ringlines.c: a ring reader's records joined into whole messages, gaps
 * announced, drops counted (see ringlines.h).
 */
#include <err.h>
#include <inttypes.h>
#include <string.h>

#include "ringlines.h"

void
ringlines_init(struct ringlines *rl,
    int (*emit)(void *, const struct tp_record *, size_t),
    void (*gap)(void *, uint64_t, uint64_t, int), void *arg, int verbose)
{
	memset(rl, 0, sizeof(*rl));
	rl->emit = emit;
	rl->gap = gap;
	rl->arg = arg;
	rl->verbose = verbose;
	jsonl_msg_init(&rl->msg);
}

/*
 * dropped: what the message assembly dropped: a malformed message always
 * said, an unfinished one always but for the tail expected at the start
 * and after a cut (said with -v only); tickpipe-ring(5), "Book messages".
 */
static void
dropped(struct ringlines *rl, int rc, const char *why)
{
	if (rc == JSONL_MSG_BAD) {
		rl->skipped++;
		warnx("%s: skipped", why);
		return;
	}
	rl->partial++;
	if (rc != JSONL_MSG_TAIL || rl->verbose)
		warnx("%s: dropped", why);
}

/* gap_flush: announces the open gap, if any. */
static void
gap_flush(struct ringlines *rl)
{
	if (!rl->gap_open)
		return;
	rl->gap_open = 0;
	rl->gaps++;
	rl->lost += rl->gap_lost;
	if (rl->verbose)
		warnx("%s: lost %" PRIu64 " records from seq %" PRIu64,
		    rl->gap_new ? "ring created anew" : "lapped", rl->gap_lost,
		    rl->gap_from);
	rl->gap(rl->arg, rl->gap_from, rl->gap_lost, rl->gap_new);
}

void
ringlines_cut(struct ringlines *rl, const char *what, int say)
{
	char why[256];

	gap_flush(rl);
	if (jsonl_msg_cut(&rl->msg, what, why, sizeof(why))) {
		rl->partial++;
		if (say || rl->verbose)
			warnx("%s: dropped", why);
	}
}

/*
 * gap_cut: the records lost from seq `from` on are to be announced.  A
 * message the gap cut short is lost with them: the gap starts at its
 * first record, and it is announced only at the first record after it
 * that is not the rest of such a message (a record of a book message
 * without START, right after the gap, up to the one marked LAST), which
 * it takes in too (tickpipe-json(5)): no message a reader never gets is
 * left out of a gap line, and no record either, even in raw output.
 */
static void
gap_cut(struct ringlines *rl, uint64_t from, uint64_t lost, int new_ring,
    uint64_t next)
{
	if (jsonl_msg_pending(&rl->msg) && rl->msg.n > 0 &&
	    rl->msg.recs[0].seq < from) {
		lost += from - rl->msg.recs[0].seq;
		from = rl->msg.recs[0].seq;
	}
	ringlines_cut(rl, "cut by a gap", 0);	/* an open gap announced */
	rl->gap_open = 1;
	rl->gap_tail = 1;
	rl->gap_new = new_ring;
	rl->gap_next = next;
	rl->gap_from = from;
	rl->gap_lost = lost;
}

/* take: one record into the message being collected. */
static int
take(struct ringlines *rl, const struct tp_record *rec)
{
	char why[256];
	int rc;

	rl->records++;
	if (rl->gap_open) {
		if (rl->gap_tail && rec->seq == rl->gap_next &&
		    jsonl_multi(rec->type) && !(rec->flags & REC_F_START)) {
			rl->gap_lost++;		/* the rest of a cut message */
			rl->gap_next++;
			rl->gap_tail = !(rec->flags & REC_F_LAST);
			return 0;
		}
		gap_flush(rl);
	}
	do {
		rc = jsonl_msg_add(&rl->msg, rec, why, sizeof(why));
		if (rc == JSONL_MSG_READY)
			return rl->emit(rl->arg, rl->msg.recs, rl->msg.n);
		if (rc != JSONL_MSG_MORE)
			dropped(rl, rc, why);
	} while (rc == JSONL_MSG_AGAIN);
	return 0;
}

int
ringlines_read(struct ringlines *rl, struct ring *r)
{
	struct tp_record rec;
	uint64_t pos = ring_position(r), lost = 0;

	if (!ring_read(r, &rec, &lost)) {
		gap_flush(rl);		/* not held back while idle */
		return -1;
	}
	if (lost > 0)
		gap_cut(rl, pos, lost, 0, rec.seq);
	return take(rl, &rec);
}

int
ringlines_follow(struct ringlines *rl, struct ring **rp, const char *name,
    char *err, size_t errlen)
{
	uint64_t from, lost = 0;
	int rc;

	rc = ring_follow(rp, &from, &lost, err, errlen);
	if (rc > 0) {
		if (rc & RING_FOLLOW_ATLEAST)
			warnx("ring %s: its object was truncated and a new "
			    "ring made from sequence 1: %" PRIu64 " records "
			    "from seq %" PRIu64 " lost at least (how many the "
			    "old object held after what this reader saw is "
			    "unknown)", name, lost, from);
		warnx("ring %s was removed or replaced; reopening", name);
		if (lost > 0 || (rc & RING_FOLLOW_NEW))
			gap_cut(rl, from, lost, (rc & RING_FOLLOW_NEW) != 0,
			    ring_position(*rp));
		rc = 1;
	}
	return rc;
}

int
ringlines_pending(const struct ringlines *rl)
{
	return jsonl_msg_pending(&rl->msg);
}
