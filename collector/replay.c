/*
 * replay.c: `collector replay PATH`: replays into the ring a raw capture
 * made by `shmreader --format raw` (capture.h), or history recorded by
 * recorder(1) (a directory of history files, or one file), limited to
 * the messages whose ts falls in [--from, --to), at the recorded pace (by
 * receive time), --speed times faster, or as fast as possible.  Records
 * go into the ring byte for byte as recorded; the ring assigns new
 * sequences, so that records lost in the recording are told to its
 * readers by status records "resync" (loss_tell).
 */
#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "capture.h"
#include "feeds.h"
#include "history.h"
#include "ratelog.h"
#include "util.h"

struct replay {
	struct collector	*c;
	const struct feed_opts	*o;
	const char		*path;
	struct tp_record	 recs[JSONL_MAX_RECS];
	size_t			 n;
	int			 tail;	/* in the rest of a message dropped */
	uint64_t		 nrec, partial;
	int64_t			 first_recv, start;
	struct ratelog		 gaplog;
	struct cap_gap_hold	 pgap;	/* a gap before --from */
	uint32_t		 venues;	/* bit v: venue v replayed */
	uint64_t		 next;	/* the seq the next record must have */
	struct hist_stats	 hst;	/* the history's, at the last record */
	int64_t			 last_ts, last_recv;	/* that record's */
	struct loss {			/* gaps said, not yet told the ring */
		uint64_t	 from, lost;
	}			*loss;
	size_t			 nloss, lcap;
	int64_t			 loss_ts, loss_recv;	/* the last one's */
	/* the books replayed so far */
	struct rbook {
		uint16_t	 venue;
		char		 symbol[REC_SYMBOL_LEN];
	}			*books;
	size_t			 nbooks, bhit;	/* bhit: the last found */
};

/*
 * book_seen: notes the book message recs[0..n); the first of a book
 * that is not a snapshot (a range from the middle of a history, or one
 * whose start was removed) is said: a reader of the ring cannot build
 * that book until its next snapshot.  The message is replayed all the
 * same, as recorded.
 */
static void
book_seen(struct replay *p, const struct tp_record *r)
{
	struct rbook *b = NULL;

	/* the last book found first: messages of one book come in runs */
	for (size_t k = 0; k < p->nbooks && b == NULL; k++) {
		size_t i = (p->bhit + k) % p->nbooks;

		if (p->books[i].venue == r->venue &&
		    memcmp(p->books[i].symbol, r->symbol, REC_SYMBOL_LEN) == 0) {
			b = &p->books[i];
			p->bhit = i;
		}
	}
	if (b == NULL) {
		if ((b = realloc(p->books, (p->nbooks + 1) *
		    sizeof(*b))) == NULL)
			err(EX_OSERR, "realloc");
		p->books = b;
		b = &p->books[p->nbooks++];
		b->venue = r->venue;
		memcpy(b->symbol, r->symbol, REC_SYMBOL_LEN);
		if (!(r->flags & REC_F_SNAPSHOT))
			warnx("%s: %s %.*s: book deltas with no snapshot "
			    "before them (from ts %" PRId64 "): a reader cannot "
			    "build this book until its next snapshot", p->path,
			    venue_name(r->venue), REC_SYMBOL_LEN, r->symbol,
			    r->ts);
	}
}

/*
 * loss_tell: the records the recording lost, in the gaps said since the
 * last message replayed, are told to the ring's readers, whose sequences
 * have no gap for them: a status "resync" without a symbol for each
 * venue replayed so far and for venue, if not VENUE_UNKNOWN (for venue
 * "all" if none), at ts and recv, as tickpipe-json(5) announces a loss:
 * books wait for their next snapshot.  Several gaps since the last
 * message are told one by one, in their order, so that a reader knows
 * where each was (collector(1)).
 */
static void
loss_tell(struct replay *p, unsigned venue, int64_t ts, int64_t recv)
{
	struct tp_record r;
	uint32_t v = p->venues;

	if (p->nloss == 0)
		return;
	if (venue != VENUE_UNKNOWN && venue < 32)
		v |= 1u << venue;
	if (v == 0)	/* none to name: still told, as deriver(1) tells */
		v = 1u << VENUE_ALL;
	memset(&r, 0, sizeof(r));
	r.type = REC_STATUS;
	r.ts = ts;
	r.u.status.code = ST_RESYNC;
	for (size_t k = 0; k < p->nloss; k++) {
		if (p->loss[k].lost > 0)
			snprintf(r.u.status.reason, sizeof(r.u.status.reason),
			    "replay: the recording lost %" PRIu64 " records "
			    "from seq %" PRIu64 "; books wait for a snapshot",
			    p->loss[k].lost, p->loss[k].from);
		else	/* at the end, damage of no known size */
			snprintf(r.u.status.reason, sizeof(r.u.status.reason),
			    "replay: the recording lost records from seq %"
			    PRIu64 " at its end, how many unknown; books wait "
			    "for a snapshot", p->loss[k].from);
		for (unsigned i = 0; i < 32; i++) {
			if ((v & (1u << i)) == 0)
				continue;
			r.venue = (uint16_t)i;
			r.recv = recv;	/* collector_emit sets a recv of 0 */
			collector_emit(p->c, &r, 1);
			p->c->resyncs++;
		}
	}
	p->nloss = 0;
}

/* Paces and publishes the message recs[0..n) if its ts is in range. */
static void
replay_msg(struct replay *p)
{
	const struct feed_opts *o = p->o;

	if (p->recs[0].ts < o->from || p->recs[0].ts >= o->to)
		return;
	if (p->recs[0].type == REC_BOOK)
		book_seen(p, &p->recs[0]);
	if (o->speed > 0) {
		if (p->first_recv == 0) {
			p->first_recv = p->recs[0].recv;
			p->start = mono_ns();
		} else if (p->recs[0].recv > p->first_recv)
			sleep_until(p->start + (int64_t)((double)(p->recs[0].recv -
			    p->first_recv) / o->speed));
	}
	loss_tell(p, p->recs[0].venue, p->recs[0].ts, p->recs[0].recv);
	collector_emit(p->c, p->recs, p->n);
	if (p->recs[0].venue < 32)
		p->venues |= 1u << p->recs[0].venue;
	if ((p->c->msgs & 1023) == 0)
		ring_heartbeat(p->c->ring);
}

/*
 * loss_push: lost records from seq from, lost of them (0: how many not
 * known), are held for loss_tell; ts and recv: the times of the record
 * before them, or after.  loss_hold: the same if lost > 0.
 */
static void
loss_push(struct replay *p, uint64_t from, uint64_t lost, int64_t ts,
    int64_t recv)
{
	struct loss *l;

	if (p->nloss == p->lcap) {
		p->lcap = p->lcap ? p->lcap * 2 : 8;
		if ((l = realloc(p->loss, p->lcap * sizeof(*l))) == NULL)
			err(EX_OSERR, "realloc");
		p->loss = l;
	}
	p->loss[p->nloss].from = from;
	p->loss[p->nloss++].lost = lost;
	p->loss_ts = ts;
	p->loss_recv = recv;
}

static void
loss_hold(struct replay *p, uint64_t from, uint64_t lost, int64_t ts,
    int64_t recv)
{
	if (lost > 0)
		loss_push(p, from, lost, ts, recv);
}

/*
 * gap_say: the gap g, the record nrec, is said on standard error, and
 * its records lost, if any, are held for loss_tell.
 */
static void
gap_say(struct replay *p, const struct tp_record *g, uint64_t nrec)
{
	ratelog_say(&p->gaplog, mono_ns(), "%s: record %" PRIu64
	    ": the recording lost %" PRIu64 " records from seq %" PRIu64,
	    p->path, nrec, g->aux, g->vseq);
	loss_hold(p, g->vseq, g->aux, g->ts, g->recv);
}

/*
 * cut: the book message recs[0..n) begun, if any, is dropped, none of
 * it written (a reader of the ring would take its START for a message
 * the collector left unfinished), and counted; said, if say, as
 * "book message at seq N[..M]: WHY: dropped", the words of shmreader
 * and `recorder cat`.
 */
static void
cut(struct replay *p, const char *why, int say)
{
	uint64_t f, l;

	if (p->n == 0)
		return;
	f = p->recs[0].seq;
	l = p->recs[p->n - 1].seq;
	p->partial++;
	if (say && f == l)
		warnx("%s: book message at seq %" PRIu64 ": %s: dropped",
		    p->path, f, why);
	else if (say)
		warnx("%s: book message at seq %" PRIu64 "..%" PRIu64 ": %s: "
		    "dropped", p->path, f, l, why);
	p->n = 0;
}

/*
 * cut_by_gap: a gap cuts the book message begun: its rest is lost.  Said
 * with -v only, as shmreader -v and `recorder cat -v` say one, since the
 * gap is said (collector(1)).
 */
static void
cut_by_gap(struct replay *p)
{
	cut(p, "cut by a gap", p->c->verbose);
}

/*
 * cut_by_next: r, another record or another message's START, comes
 * before the LAST of the book message begun, whose rest then never
 * comes (its writer stopped inside it and was started again): it is
 * dropped, none of it written with r, and counted; said with -v only,
 * as `recorder cat -v` says one, in its words (recorder(1)).
 */
static void
cut_by_next(struct replay *p, const struct tp_record *r)
{
	char why[128];

	snprintf(why, sizeof(why), "no LAST before the %s%s record at seq %"
	    PRIu64, jsonl_type_word(r->type), jsonl_multi(r->type) ?
	    " START" : "", r->seq);
	cut(p, why, p->c->verbose);
}

/*
 * too_long: r would be record 1025 of the message recs[0..n): the
 * message is dropped there, none of it written, with its rest up to its
 * LAST, as a reader drops one (tickpipe-ring(5)); counted, and said
 * whatever -v, as `recorder cat` says one, since nothing else says it.
 */
static void
too_long(struct replay *p, const struct tp_record *r)
{
	warnx("%s: book message from seq %" PRIu64 ": more than %d records: "
	    "skipped", p->path, p->recs[0].seq, JSONL_MAX_RECS);
	p->partial++;
	p->n = 0;
	p->tail = !(r->flags & REC_F_LAST);
}

/*
 * Takes the next record in recorded order.  A gap is said as `recorder
 * cat` prints one: in the range, or before --from (its ts is the
 * record's before it) if the record after it is in the range.
 */
static void
replay_rec(struct replay *p, const struct tp_record *r)
{
	const struct tp_record *g;

	p->nrec++;
	if ((g = cap_gap_range(&p->pgap, r, p->nrec, p->o->from,
	    p->o->to)) != NULL)
		gap_say(p, g, g == r ? p->nrec : p->pgap.tag);
	if (r->type == REC_NONE) {
		if (p->n > 0)
			cut_by_gap(p);
		p->tail = 0;
		return;
	}
	if (p->n > 0 && (r->type != p->recs[0].type ||
	    (r->flags & REC_F_START)))
		cut_by_next(p, r);
	/* the rest of a message whose START a gap took, or of one too
	   long: one message, counted once, whatever its records */
	if (jsonl_multi(r->type) && !(r->flags & REC_F_START) && p->n == 0) {
		p->partial += !p->tail;
		p->tail = !(r->flags & REC_F_LAST);
		return;
	}
	p->tail = 0;
	if (p->n == JSONL_MAX_RECS) {
		too_long(p, r);
		return;
	}
	p->recs[p->n++] = *r;
	if (jsonl_multi(r->type) && !(r->flags & REC_F_LAST))
		return;
	replay_msg(p);
	p->n = 0;
}

/*
 * cut_at_end: the history or capture of p ends here, inside the book
 * message recs[0..n) if n > 0 (its writer stalled and the recorder or
 * shmreader stopped, or the recorder still waits for its rest), or the
 * reading of it fails there; why says which ("no LAST at the end of the
 * capture").  The message is dropped and counted (cut), as cut_by_gap
 * drops one; it is said whatever -v, in the words
 * of `recorder cat`, since nothing else says it is lost.  One begun
 * outside --from/--to is not wanted, said with -v only: in a history its
 * rest may lie in a block the reader skipped (collector(1)).
 */
static void
cut_at_end(struct replay *p, const char *why)
{
	cut(p, why, p->c->verbose || (p->n > 0 &&
	    p->recs[0].ts >= p->o->from && p->recs[0].ts < p->o->to));
}

/*
 * hist_follows: r, read from the history of hr, must go on from the
 * record before it, as a recorder writes every record and every gap in
 * ring order (recorder(1)).  Where it does not, the reader skipped
 * damage, said (a block, a file removed or cut short), and its records
 * are lost as in a gap: the message begun is cut, said with -v only as
 * one a gap cuts, and the records up to r's are held for loss_tell if r
 * is in the range.  Where blocks the index skipped lie before r, or r
 * begins a file of another --name or ring (read file after file, no
 * damage said), nothing is lost: the message begun, whose rest never
 * comes, is cut all the same.
 */
static void
hist_follows(struct replay *p, struct hist_reader *hr,
    const struct tp_record *r)
{
	const struct hist_stats *st = hist_reader_stats(hr);
	uint64_t got = cap_seq(r);
	int lost = hist_lost(&p->hst, st);

	if (st->records > 1 && got != p->next && !cap_new_ring(r)) {
		if (p->n > 0)
			cut(p, "cut by records missing from the history",
			    p->c->verbose);
		p->tail = 0;
		if (lost && got > p->next && r->ts >= p->o->from &&
		    r->ts < p->o->to)
			loss_hold(p, p->next, got - p->next, r->ts, r->recv);
	}
	p->hst = *st;
	p->next = cap_seq_after(r);
	p->last_ts = r->ts;
	p->last_recv = r->recv;
}

/*
 * lost_at_end: damage said after the last record read from the history
 * of hr (its last blocks damaged, its last file cut short, files after
 * it skipped) took records no record after shows: they are held for
 * loss_tell at the end, from the seq after that record, as many as lie
 * up to the end of the last damaged block if its header or index tells
 * (lost_to), else how many unknown.  Not if that record is at or after
 * --to: the damage may lie past the range (collector(1)).
 */
static void
lost_at_end(struct replay *p, struct hist_reader *hr)
{
	const struct hist_stats *st = hist_reader_stats(hr);

	if (st->bad == p->hst.bad || p->hst.records == 0 ||
	    p->last_ts >= p->o->to)
		return;
	loss_push(p, p->next, st->lost_to > p->next ? st->lost_to - p->next :
	    0, p->last_ts, p->last_recv);
}

static void
note_cb(const char *line)
{
	warnx("%s", line);
}

/*
 * History files: recorder(1), read by hr, or by a reader opened here if
 * hr is NULL; hr is closed.  Returns an exit status.
 */
static int
replay_history(struct replay *p, struct hist_reader *hr)
{
	const struct tp_record *r;
	char errbuf[1024];
	int rc;

	if (hr == NULL && hist_reader_open(&hr, p->path, p->o->from, p->o->to,
	    note_cb, errbuf, sizeof(errbuf)) < 0) {
		warnx("%s", errbuf);
		return EX_NOINPUT;
	}
	notify_ready(p->c->ready_fd);
	p->c->ready_fd = -1;
	while (!collector_poll_signals(p->c) &&
	    (rc = hist_reader_next(hr, &r)) == 1) {
		hist_follows(p, hr, r);
		replay_rec(p, r);
	}
	if (!collector_stop && rc < 0) {
		warnx("%s", hist_reader_err(hr));
		cut_at_end(p, "no LAST before the read error");
		hist_reader_close(hr);
		return EX_IOERR;
	}
	/* stopped by a signal, the history has not ended */
	if (!collector_stop) {
		cut_at_end(p, "no LAST at the end of the history");
		lost_at_end(p, hr);
	}
	/* damage said (a block or file skipped, records missing), the rest
	   replayed: the exit status says it, as recorder cat's */
	rc = hist_reader_stats(hr)->bad > 0 ? EX_DATAERR : 0;
	hist_reader_close(hr);
	return rc;
}

/*
 * cap_check: reads the header of the capture f, named path, and checks
 * it is one of this build's; 0, or an exit status (said).
 */
static int
cap_check(FILE *f, const char *path)
{
	struct cap_header h, want;

	cap_header_init(&want);
	if (fread(&h, sizeof(h), 1, f) != 1 ||
	    memcmp(h.magic, want.magic, 8) != 0) {
		warnx("%s: not a tickpipe capture or history (bad magic)",
		    path);
		return EX_DATAERR;
	}
	if (h.record_size != REC_SIZE || h.layout_hash != want.layout_hash) {
		warnx("%s: capture record layout differs: record size %" PRIu32
		    " (expected %d), layout hash 0x%016" PRIx64 " (expected "
		    "0x%016" PRIx64 ")", path, h.record_size, REC_SIZE,
		    h.layout_hash, want.layout_hash);
		return EX_DATAERR;
	}
	return 0;
}

/* A raw capture: capture.h.  Returns an exit status. */
static int
replay_capture(struct replay *p, FILE *f)
{
	struct tp_record r;
	int rv;

	if ((rv = cap_check(f, p->path)) != 0)
		return rv;
	notify_ready(p->c->ready_fd);
	p->c->ready_fd = -1;
	while (!collector_poll_signals(p->c) && fread(&r, sizeof(r), 1, f) == 1)
		replay_rec(p, &r);
	if (ferror(f)) {
		warn("%s: read", p->path);
		cut_at_end(p, "no LAST before the read error");
		rv = EX_IOERR;
	} else if (!collector_stop && !feof(f)) {
		rv = EX_IOERR;
	} else if (!collector_stop) {	/* a signal: the capture not ended */
		long pos = ftell(f);

		if (pos >= 0 && (pos - (long)sizeof(struct cap_header)) %
		    REC_SIZE != 0) {
			warnx("%s: ends with a partial record", p->path);
			cut_at_end(p, "no LAST before the partial record");
		} else
			cut_at_end(p, "no LAST at the end of the capture");
	}
	return rv;
}

/*
 * replay_open: path, which is no directory, opened for reading if it is
 * a regular file (open_regular), else NULL (said): a FIFO was waited on
 * for ever, and one with a writer lost to replay_check the bytes it read.
 */
static FILE *
replay_open(const char *path)
{
	char errbuf[1024];
	FILE *f;
	int fd;

	if ((fd = open_regular(path, errbuf, sizeof(errbuf))) < 0) {
		warnx("%s", errbuf);
		return NULL;
	}
	if ((f = fdopen(fd, "rb")) == NULL) {
		warn("%s", path);
		close(fd);
	}
	return f;
}

int
replay_check(struct feed_opts *o, const char *path)
{
	struct stat st;
	char magic[8], errbuf[1024];
	FILE *f;
	int rv = 0;

	/*
	 * what is neither a directory nor a file hist_list refuses, and a
	 * directory a level too high is no recorder's (an empty history
	 * is), as for recorder cat; the reader opened is replay_main's,
	 * so that the directory is listed once
	 */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (hist_reader_open(&o->hist, path, o->from, o->to, note_cb,
		    errbuf, sizeof(errbuf)) < 0) {
			warnx("%s", errbuf);
			return EX_NOINPUT;
		}
		return 0;
	}
	if ((f = replay_open(path)) == NULL)
		return EX_NOINPUT;
	if (fread(magic, sizeof(magic), 1, f) != 1 ||
	    memcmp(magic, HIST_MAGIC, 8) != 0) {
		rewind(f);
		rv = cap_check(f, path);
	}
	fclose(f);
	return rv;
}

int
replay_main(struct collector *c, struct feed_opts *o, const char *path)
{
	static struct replay p;
	struct hist_reader *hr = o->hist;
	struct stat st;
	char magic[8];
	FILE *f;
	int rv;

	o->hist = NULL;
	p.c = c;
	p.o = o;
	p.path = path;
	ratelog_init(&p.gaplog, 5, 1000000000, NULL, "gaps not reported");
	if (hr != NULL || (stat(path, &st) == 0 && S_ISDIR(st.st_mode)))
		rv = replay_history(&p, hr);
	else if ((f = replay_open(path)) == NULL) {
		return EX_NOINPUT;
	} else {
		if (fread(magic, sizeof(magic), 1, f) == 1 &&
		    memcmp(magic, HIST_MAGIC, 8) == 0) {
			fclose(f);
			rv = replay_history(&p, NULL);
		} else {
			rewind(f);
			rv = replay_capture(&p, f);
			fclose(f);
		}
	}
	/* the history or capture ends after a gap: told all the same */
	if (!collector_stop)
		loss_tell(&p, VENUE_UNKNOWN, p.loss_ts > 0 ? p.loss_ts :
		    now_ns(), p.loss_recv);
	ratelog_flush(&p.gaplog);
	free(p.books);
	free(p.loss);
	if (p.partial > 0)
		warnx("%s: %" PRIu64 " incomplete book messages skipped", path,
		    p.partial);
	return rv;
}
