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
    void (*gap)(void *, uint64_t, uint64_t), void *arg, int verbose)
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

void
ringlines_cut(struct ringlines *rl, const char *what, int say)
{
	char why[256];

	if (jsonl_msg_cut(&rl->msg, what, why, sizeof(why))) {
		rl->partial++;
		if (say || rl->verbose)
			warnx("%s: dropped", why);
	}
}

/*
 * gap_cut: the records lost from seq `from` on are announced; a message
 * the gap cut short is lost with them, so the gap then starts at its
 * first record (tickpipe-json(5)): no message a reader never gets is left
 * out of a gap line.
 */
static void
gap_cut(struct ringlines *rl, uint64_t from, uint64_t lost)
{
	if (jsonl_msg_pending(&rl->msg) && rl->msg.n > 0 &&
	    rl->msg.recs[0].seq < from) {
		lost += from - rl->msg.recs[0].seq;
		from = rl->msg.recs[0].seq;
	}
	ringlines_cut(rl, "cut by a gap", 0);
	rl->gaps++;
	rl->lost += lost;
	if (rl->verbose)
		warnx("lapped: lost %" PRIu64 " records from seq %" PRIu64,
		    lost, from);
	rl->gap(rl->arg, from, lost);
}

/* take: one record into the message being collected. */
static int
take(struct ringlines *rl, const struct tp_record *rec)
{
	char why[256];
	int rc;

	rl->records++;
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

	if (!ring_read(r, &rec, &lost))
		return -1;
	if (lost > 0)
		gap_cut(rl, pos, lost);
	return take(rl, &rec);
}

int
ringlines_follow(struct ringlines *rl, struct ring **rp, const char *name,
    char *err, size_t errlen)
{
	uint64_t from, lost = 0;
	int rc;

	rc = ring_follow(rp, &from, &lost, err, errlen);
	if (rc == 1) {
		warnx("ring %s was removed or replaced; reopening", name);
		if (lost > 0)
			gap_cut(rl, from, lost);
	}
	return rc;
}

int
ringlines_pending(const struct ringlines *rl)
{
	return jsonl_msg_pending(&rl->msg);
}
