/*
 * deriver: reads a tickpipe ring as a reader and writes the derived
 * streams (quotes, top-N books, trade bars, cross-venue best prices)
 * into a ring of its own, as its single writer.  The computation is in
 * derive.c; this file is the options, the two rings and the loop.  See
 * deriver(1).
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "derive.h"
#include "jsonl.h"
#include "ratelog.h"
#include "ring.h"
#include "util.h"

static const char usage_text[] =
"usage: deriver [-hv] [-d fd] [--ring name] [--out name] [--capacity n]\n"
"               [--from oldest|latest] [--no-follow] [--top N:T] ...\n"
"               [--bar interval] ... [--stale ms] [--no-quotes] [--no-xbest]\n";

enum { O_RING = 256, O_OUT, O_CAPACITY, O_FROM, O_NOFOLLOW, O_TOP, O_BAR,
	O_STALE, O_NOQUOTES, O_NOXBEST };

static const struct option opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "ready-fd", required_argument, NULL, 'd' },
	{ "ring", required_argument, NULL, O_RING },
	{ "out", required_argument, NULL, O_OUT },
	{ "capacity", required_argument, NULL, O_CAPACITY },
	{ "from", required_argument, NULL, O_FROM },
	{ "no-follow", no_argument, NULL, O_NOFOLLOW },
	{ "top", required_argument, NULL, O_TOP },
	{ "bar", required_argument, NULL, O_BAR },
	{ "stale", required_argument, NULL, O_STALE },
	{ "no-quotes", no_argument, NULL, O_NOQUOTES },
	{ "no-xbest", no_argument, NULL, O_NOXBEST },
	{ NULL, 0, NULL, 0 },
};

#define OUT_BATCH	1024	/* output records published at once, at most */
#define LOG_PER_SEC	20	/* per-record messages: skipped, dropped */

static volatile sig_atomic_t stop, usr1;

struct deriver {
	struct ring	*in, *out;
	const char	*in_name;
	struct derive	*d;
	struct jsonl_msg msg;
	struct tp_record obuf[OUT_BATCH];
	size_t		 on, batch;	/* batch: at most OUT_BATCH, cap / 2 */
	int		 failed;	/* the output ring is gone: exit code */
	uint64_t	 records, lost, gaps, partial, skipped, published;
	int		 verbose;
	struct ratelog	 log;		/* the per-record messages */
	/*
	 * A restart on an output ring holding derived records (deriver(1),
	 * Restarts): while resume, nothing is published.  last: its last
	 * derived record, seq 0, whose src_seq (vseq) and times the input
	 * still holds, at seq at of the ring; held: a reader of the ring,
	 * whose records after at, up to its cursor end, are compared as
	 * read there (its writer is this process, publishing nothing
	 * meanwhile: they stay), not kept; matched: how many of last and
	 * those after it the engine has given again, in order.  past: the
	 * input message taken is past what the ring holds (resume_past),
	 * and so is every one after it; wait_past: compared no more (the
	 * ring's end given again, or other records than it holds) before
	 * that: what is derived is dropped until an input message is past.
	 */
	int		 resume, past, wait_past;
	struct tp_record last;
	struct ring	*held;
	uint64_t	 at, end, matched;
	uint64_t	 reread;	/* input records taken while resume */
	uint64_t	 resume_gap;	/* a src_seq no longer held, or 0 */
	const char	*out_name;
	char		 recreated[REC_REASON_LEN];	/* to say, or "" */
};

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		usr1 = 1;
	else
		stop = 1;
}

static void
counters(struct deriver *v)
{
	const struct derive_stats *s = derive_stats(v->d);

	ratelog_flush(&v->log);	/* what it held back, before the sums */
	fprintf(stderr, "deriver: counters: records %" PRIu64 " msgs %" PRIu64
	    " lost %" PRIu64 " gaps %" PRIu64 " partial %" PRIu64 " skipped %"
	    PRIu64 " ignored %" PRIu64 " quotes %" PRIu64 " tops %" PRIu64
	    " bars %" PRIu64 " xbest %" PRIu64 " status %" PRIu64 " late %"
	    PRIu64 " ahead %" PRIu64 " overflow %" PRIu64 " unread %" PRIu64
	    " reserved %" PRIu64 " deep %" PRIu64 " nomarket %" PRIu64
	    " published %" PRIu64 "\n",
	    v->records, s->msgs, v->lost, v->gaps, v->partial, v->skipped,
	    s->ignored, s->quotes, s->tops, s->bars, s->xbests, s->statuses,
	    s->late, s->ahead, s->overflow, s->unread, s->reserved, s->deep,
	    s->nomarket, v->published);
}

/*
 * status_info: r, a status info of venue all saying what (cut at a
 * character's end), stamped with the clock: it follows from no input
 * record.
 */
static void
status_info(struct tp_record *r, const char *what)
{
	memset(r, 0, sizeof(*r));
	r->type = REC_STATUS;
	r->venue = VENUE_ALL;
	r->ts = r->recv = now_ns();
	r->u.status.code = ST_INFO;
	snprintf(r->u.status.reason, sizeof(r->u.status.reason), "%s", what);
	r->u.status.reason[utf8_cut(r->u.status.reason,
	    strlen(r->u.status.reason))] = '\0';
}

/*
 * recreate: the output ring was lost; makes it anew, the ring to say so
 * once what was being published is (announce).  0, or -1.
 */
static int
recreate(struct deriver *v)
{
	char why[160], err[512];
	int rc;

	ring_lost(v->out, why, sizeof(why));
	if ((rc = ring_recreate(&v->out, err, sizeof(err))) != RING_OK) {
		warnx("ring lost (%s), not recreated: %s", why, err);
		v->failed = rc == RING_ELOCKED ? EX_TEMPFAIL : EX_IOERR;
		stop = 1;
		return -1;
	}
	warnx("ring %s recreated after %s", ring_name(v->out), why);
	snprintf(v->recreated, sizeof(v->recreated), "ring recreated after "
	    "%.106s", why);
	return 0;
}

/*
 * announce: a ring recreated is said in it, as tickpipe-ring(5) asks of
 * a writer ("Writer recovery") and the collector does: a status info of
 * venue all, after the batch being published when it was lost.  Lost
 * again meanwhile: said at the next recreation.
 */
static void
announce(struct deriver *v)
{
	struct tp_record r;

	if (v->recreated[0] == '\0' || v->failed)
		return;
	status_info(&r, v->recreated);
	if (ring_publish(v->out, &r, 1) == 0)
		return;
	v->recreated[0] = '\0';
	v->published++;
}

/* flush: publishes the records gathered; on a lost ring, recreates it. */
static void
flush(struct deriver *v)
{
	if (v->on == 0 || v->failed)
		return;
	while (ring_publish(v->out, v->obuf, v->on) == 0)
		if (recreate(v) < 0)
			return;
	v->published += v->on;
	v->on = 0;
	announce(v);
}

/*
 * out_replaced: the output ring was damaged and replaced at start (what,
 * as ring_writer_open said it): a status info of venue all says so in
 * it, as tickpipe-ring(5) asks of a writer.  Stamped with the clock: it
 * follows from no input record.
 */
static void
out_replaced(struct deriver *v, const char *what)
{
	char reason[REC_REASON_LEN];

	snprintf(reason, sizeof(reason), "ring recreated: %.111s", what);
	status_info(&v->obuf[v->on++], reason);
	flush(v);
}

/*
 * idle: with nothing to publish, the heartbeat; an output ring lost
 * meanwhile (removed, truncated) is recreated now, as the collector does
 * (tickpipe-ring(5), "Writer recovery"), not at the next record derived:
 * its readers found no ring for as long as the input was quiet.
 */
static void
idle(struct deriver *v)
{
	char why[160];

	ring_heartbeat(v->out);
	ratelog_tick(&v->log, mono_ns());
	if (!v->failed && ring_lost(v->out, why, sizeof(why)) &&
	    recreate(v) == 0)
		announce(v);
}

/* resume_end: publishing starts again after a restart; said. */
static void
resume_end(struct deriver *v)
{
	v->resume = 0;
	if (v->held != NULL) {
		ring_close(v->held);
		v->held = NULL;
	}
	warnx("ring %s holds what was derived up to input seq %" PRIu64
	    ": %" PRIu64 " input records re-read without publishing",
	    v->out_name, v->last.vseq, v->reread);
}

/*
 * resume_past: while resume, whether the input message that begins
 * with first is past what the output ring holds: 1 if past its last
 * derived record's src_seq; for a book_top, 2 if it is the record that
 * wrote it, the next trade or book record of its venue and symbol in a
 * later interval (deriver(1), Top-N books), whose own output the ring
 * holds too (those after it are past); else 0.
 */
static int
resume_past(const struct deriver *v, const struct tp_record *first)
{
	const struct tp_record *l = &v->last;
	int64_t ns;

	if (first->seq <= l->vseq)
		return 0;
	if (l->type != REC_BOOK_TOP)
		return 1;
	if ((first->type != REC_TRADE && first->type != REC_BOOK) ||
	    first->venue != l->venue ||
	    strncmp(first->symbol, l->symbol, REC_SYMBOL_LEN) != 0)
		return 0;
	ns = (int64_t)l->u.top.interval_ms * 1000000;
	return derive_ts(first) / ns > l->ts / ns ? 2 : 0;
}

/*
 * resume_held: the record at seq of the output ring, as held, its seq 0,
 * into *rec: 0, or -1 if the ring no longer holds it.
 */
static int
resume_held(struct deriver *v, uint64_t seq, struct tp_record *rec)
{
	uint64_t lost = 0;

	ring_seek(v->held, seq);
	if (!ring_read(v->held, rec, &lost) || rec->seq != seq)
		return -1;
	rec->seq = 0;
	return 0;
}

/*
 * so_far: reasons a and b are the same but for their numbers, and both
 * count records "so far" (deriver(1): a ts ahead, markets past the
 * bound), a count that depends on where the input was first read.
 */
static int
so_far(const char *a, const char *b)
{
	size_t i = 0, j = 0;

	if (memmem(a, strnlen(a, REC_REASON_LEN), " so far", 7) == NULL ||
	    memmem(b, strnlen(b, REC_REASON_LEN), " so far", 7) == NULL)
		return 0;
	for (;;) {
		while (i < REC_REASON_LEN && a[i] >= '0' && a[i] <= '9')
			i++;
		while (j < REC_REASON_LEN && b[j] >= '0' && b[j] <= '9')
			j++;
		if (i == REC_REASON_LEN || j == REC_REASON_LEN)
			return i == j;
		if (a[i] != b[j])
			return 0;
		if (a[i] == '\0')
			return 1;
		i++;
		j++;
	}
}

/*
 * resume_said: while resume, where the ring holds the status r, from the
 * record compared next to its end: the seq of the same record, or else
 * of the first the same but for a count of records so far (so_far), as
 * a run that began reading the input elsewhere says it; 0 if the ring
 * holds neither.  One read of each record left to compare.
 */
static uint64_t
resume_said(struct deriver *v, const struct tp_record *r)
{
	struct tp_record h;
	uint64_t loose = 0;

	for (uint64_t seq = v->at + v->matched; seq <= v->end; seq++) {
		if (resume_held(v, seq, &h) < 0)
			return 0;	/* the ring went */
		if (memcmp(&h, r, sizeof(h)) == 0)
			return seq;
		if (loose != 0 || h.type != REC_STATUS ||
		    !so_far(h.u.status.reason, r->u.status.reason))
			continue;
		memcpy(h.u.status.reason, r->u.status.reason,
		    sizeof(h.u.status.reason));
		if (memcmp(&h, r, sizeof(h)) == 0)
			loose = seq;
	}
	return loose;
}

/*
 * resume_drop: while resume, takes what the engine gave, recs[0..n),
 * back from the output: the records the output ring holds, compared
 * (the last derived and those after it, deriver(1) Restarts).  recs is
 * one message: returns n to drop it, or 0 to publish it (resume ended).
 * A status the ring holds further on, or with another count (resume_said),
 * is its say: those before it are passed.  Another record than the ring
 * holds after the first compared equal is other options' (or other
 * input's): published if its input message is past what the ring
 * holds, else what follows is dropped until one is (take), as after the
 * ring's end is given again.
 */
static size_t
resume_drop(struct deriver *v, const struct tp_record *recs, size_t n)
{
	if (v->wait_past)
		return n;
	for (size_t i = 0; i < n; i++) {
		struct tp_record want;
		uint64_t said;
		int same;

		if (v->matched == 0)
			want = v->last;
		else if (resume_held(v, v->at + v->matched, &want) < 0) {
			/* the ring went (recreated meanwhile): what is
			   derived from here on is published, whole */
			resume_end(v);
			return 0;
		}
		same = memcmp(&recs[i], &want, sizeof(want)) == 0;
		if (!same && v->matched > 0 && recs[i].type == REC_STATUS &&
		    (said = resume_said(v, &recs[i])) > 0) {
			v->matched = said - v->at;
			same = 1;
		}
		if (same) {
			if (v->at + ++v->matched <= v->end)
				continue;
			/* the ring's last record given again: what follows
			   is new (the ring's last message ends there: it
			   was published whole), from an input message past
			   it; what else this one gives is other options' */
			if (v->past)
				resume_end(v);
			else
				v->wait_past = 1;
			return n;
		}
		if (v->matched > 0) {
			/* no longer what the ring holds: new, and whole,
			   from an input message past it */
			if (v->past) {
				resume_end(v);
				return 0;
			}
			v->wait_past = 1;
			return n;
		}
	}
	return n;
}

/* derive_out_fn: gathers an output message, whole, for one publish. */
static void
out_cb(void *arg, struct tp_record *recs, size_t n)
{
	struct deriver *v = arg;

	if (v->resume) {
		size_t k = resume_drop(v, recs, n);

		recs += k;
		n -= k;
		if (n == 0)
			return;
	}
	if (v->on + n > v->batch)
		flush(v);
	if (v->failed)		/* the output ring is gone: stopping */
		return;
	memcpy(&v->obuf[v->on], recs, n * sizeof(*recs));
	v->on += n;
}

/*
 * take: one input record into the message assembly and the engine.  A
 * record skipped or a message dropped is said at most LOG_PER_SEC times
 * a second (deriver(1)); the counters count every one.
 */
static void
take(struct deriver *v, const struct tp_record *rec)
{
	char why[256];
	int rc;

	v->records++;
	if (v->resume)
		v->reread++;
	do {
		rc = jsonl_msg_add(&v->msg, rec, why, sizeof(why));
		if (rc == JSONL_MSG_READY) {
			int past = v->resume && !v->past ?
			    resume_past(v, &v->msg.recs[0]) : 0;

			if (past == 1)
				v->past = 1;
			/* past, and nothing being compared (the last derived
			   record not given again, as with other options, or
			   compared no more): what it derives is published;
			   else the comparison decides (resume_drop) */
			if (v->resume && v->past &&
			    (v->matched == 0 || v->wait_past)) {
				v->reread -= v->msg.n;
				resume_end(v);
			}
			if (derive_msg(v->d, v->msg.recs, v->msg.n) < 0)
				errx(EX_OSERR, "out of memory");
			if (past == 2 && v->resume) {	/* what follows is */
				v->past = 1;
				if (v->matched == 0 || v->wait_past)
					resume_end(v);
			}
		} else if (rc == JSONL_MSG_BAD) {
			v->skipped++;
			ratelog_say(&v->log, mono_ns(), "%s: skipped", why);
		} else if (rc != JSONL_MSG_MORE) {
			v->partial++;
			if (rc != JSONL_MSG_TAIL || v->verbose)
				ratelog_say(&v->log, mono_ns(), "%s: dropped",
				    why);
		}
	} while (rc == JSONL_MSG_AGAIN);
}

/* A gap before rec: the books are invalid (derive_cut). */
static void
gap(struct deriver *v, uint64_t from, uint64_t lost,
    const struct tp_record *next)
{
	char why[256];

	if (jsonl_msg_cut(&v->msg, "cut by a gap", why, sizeof(why))) {
		v->partial++;
		ratelog_say(&v->log, mono_ns(), "%s: dropped", why);
	}
	v->gaps++;
	v->lost += lost;
	if (lost > 0)
		warnx("input gap: %" PRIu64 " records lost from seq %" PRIu64
		    "; books invalid until their next snapshot", lost, from);
	else	/* how many is not known: as the status says it */
		warnx("input ring replaced: books invalid until their next "
		    "snapshot");
	/* every book invalid: the ring's last top is not written again */
	if (v->resume && (v->matched == 0 || v->wait_past) &&
	    next->seq > v->last.vseq)
		resume_end(v);
	derive_cut(v->d, from, lost, next);
}

/*
 * resume_start: at a start from the input's oldest record, an output
 * ring that holds derived records is continued, not written again
 * (deriver(1), Restarts): if the input holds the src_seq of its last
 * derived record, with the same times, everything is derived again from
 * the oldest, and published only past what the ring holds (resume); if
 * the input no longer holds it but began after it, those between are a
 * gap (resume_gap); else the input is a new ring, derived whole, said.
 */
static void
resume_start(struct deriver *v)
{
	struct tp_record rec, *l = &v->last;
	uint64_t seq, oldest, lost = 0, src;
	char errbuf[512];
	int found = 0;

	if (ring_cursor(v->out) == 0 ||
	    ring_reader_open(&v->held, v->out_name, errbuf, sizeof(errbuf)) !=
	    RING_OK)
		return;
	oldest = ring_oldest(v->held);
	v->end = ring_cursor(v->held);
	/* its writer is this process: nothing moves under the reading */
	for (seq = v->end; seq >= oldest && seq > 0; seq--) {
		if (resume_held(v, seq, &rec) < 0)
			break;
		if (rec.type >= REC_QUOTE && rec.type <= REC_XBEST) {
			*l = rec;
			v->at = seq;
			found = 1;
			break;
		}
	}
	if (!found) {
		ring_close(v->held);
		v->held = NULL;
		return;
	}
	src = l->vseq;
	lost = 0;
	if (src > 0 && src <= ring_cursor(v->in)) {
		ring_seek(v->in, src);
		if (ring_read(v->in, &rec, &lost)) {
			if (rec.seq == src && rec.recv == l->recv &&
			    (rec.ts == l->ts || derive_ts(&rec) == l->ts))
				v->resume = 1;
			else if (rec.seq > src && lost > 0 &&
			    rec.recv >= l->recv) {
				v->resume_gap = src;
				warnx("ring %s: continued after input seq %"
				    PRIu64 ", which ring %s no longer holds",
				    v->out_name, src, v->in_name);
			}
		}
		ring_seek_oldest(v->in);
	}
	if (!v->resume) {
		ring_close(v->held);
		v->held = NULL;
	}
	if (!v->resume && !v->resume_gap)
		warnx("ring %s: input seq %" PRIu64 " of its last derived "
		    "record is not the same record in ring %s (a new ring?): "
		    "derived from its oldest again", v->out_name, src,
		    v->in_name);
}

static int
parse_top(const char *s, struct derive_config *c)
{
	uint64_t n, t;
	const char *colon = strchr(s, ':');
	char nbuf[16];

	if (colon == NULL || (size_t)(colon - s) >= sizeof(nbuf))
		return -1;
	memcpy(nbuf, s, (size_t)(colon - s));
	nbuf[colon - s] = '\0';
	if (parse_u64(nbuf, 1, DERIVE_MAX_DEPTH, &n) < 0 ||
	    parse_u64(colon + 1, 1, 86400000, &t) < 0)
		return -1;
	if (c->ntops == DERIVE_MAX_TOPS)
		errx(EX_USAGE, "--top: at most %d", DERIVE_MAX_TOPS);
	for (unsigned i = 0; i < c->ntops; i++)
		if (c->top_depth[i] == n && c->top_ms[i] == t)
			errx(EX_USAGE, "--top %s: given twice", s);
	c->top_depth[c->ntops] = (uint16_t)n;
	c->top_ms[c->ntops++] = (uint32_t)t;
	return 0;
}

static int
parse_bar(const char *s, struct derive_config *c)
{
	uint64_t ms;

	if (jsonl_interval_parse(s, &ms) < 0 || ms > 86400000ULL * 366)
		return -1;
	if (c->nbars == DERIVE_MAX_BARS)
		errx(EX_USAGE, "--bar: at most %d", DERIVE_MAX_BARS);
	for (unsigned i = 0; i < c->nbars; i++)
		if (c->bar_ms[i] == ms)
			errx(EX_USAGE, "--bar %s: given twice", s);
	c->bar_ms[c->nbars++] = ms;
	return 0;
}

static int
open_in(struct deriver *v, int follow)
{
	char errbuf[512];
	int rc, said = 0;

	if (v->in != NULL)
		return 0;
	for (;;) {
		rc = ring_reader_open(&v->in, v->in_name, errbuf,
		    sizeof(errbuf));
		if (rc == RING_OK)
			return 0;
		if (rc != RING_ENOENT || !follow) {
			warnx("%s", errbuf);
			return rc == RING_ENOENT ? EX_UNAVAILABLE :
			    rc == RING_EMISMATCH ? EX_CONFIG :
			    rc == RING_EINVAL ? EX_USAGE : EX_OSERR;
		}
		if (!said && v->verbose)
			warnx("%s; waiting for the writer", errbuf);
		said = 1;
		usleep(100000);
		if (stop)
			return -1;
		if (usr1) {	/* the counters: all 0, no input yet */
			usr1 = 0;
			counters(v);
		}
	}
}

int
main(int argc, char **argv)
{
	static struct deriver v;
	struct derive_config cfg;
	struct ring_config rc_out;
	struct sigaction sa;
	struct tp_record rec;
	const char *from = "oldest";
	char errbuf[512];
	uint64_t cap = 0, lost, rgap_from = 0, rgap_lost = 0;
	size_t maxdepth = 0, maxmsg;
	int replaced = 0;	/* the input ring was: gap() at the next read */
	int ch, follow = 1, ready_fd = -1, rc, waited = 0;

	sig_hold();	/* until the handlers are in place, below */
	std_fds_hold();
	/* a pipe whose reader is gone (standard error, -d) is an error of
	   the write, which is not checked, not a death that loses the
	   records derived and not yet published (deriver(1)) */
	signal(SIGPIPE, SIG_IGN);
	memset(&cfg, 0, sizeof(cfg));
	cfg.stale_ms = 5000;
	cfg.quotes = cfg.xbest = 1;
	memset(&rc_out, 0, sizeof(rc_out));
	rc_out.name = NULL;	/* default: the input's name + ".derived" */
	rc_out.gid = (gid_t)-1;
	rc_out.no_recreate = 1;	/* no --recreate here */
	v.in_name = "default";
	while ((ch = getopt_long(argc, argv, "hvd:", opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			fputs(usage_text, stdout);
			if (help_flush() < 0)
				err(EX_IOERR, "stdout");
			return 0;
		case 'v':
			v.verbose++;
			break;
		case 'd':
			if ((ready_fd = parse_fd_opt(optarg)) < 0)
				errx(EX_USAGE, "-d %s: not an open file "
				    "descriptor", optarg);
			break;
		case O_RING:
			v.in_name = optarg;
			break;
		case O_OUT:
			rc_out.name = optarg;
			break;
		case O_CAPACITY:
			if (parse_u64(optarg, RING_MIN_CAPACITY,
			    RING_MAX_CAPACITY, &cap) < 0 ||
			    (cap & (cap - 1)) != 0)
				errx(EX_USAGE, "--capacity %s: must be a power "
				    "of two from %d to %llu", optarg,
				    RING_MIN_CAPACITY,
				    (unsigned long long)RING_MAX_CAPACITY);
			break;
		case O_FROM:
			if (strcmp(optarg, "oldest") != 0 &&
			    strcmp(optarg, "latest") != 0)
				errx(EX_USAGE, "--from %s: must be oldest or "
				    "latest", optarg);
			from = optarg;
			break;
		case O_NOFOLLOW:
			follow = 0;
			break;
		case O_TOP:
			if (parse_top(optarg, &cfg) < 0)
				errx(EX_USAGE, "--top %s: must be N:T, depth N "
				    "1 to %d, interval T 1 to 86400000 ms",
				    optarg, DERIVE_MAX_DEPTH);
			break;
		case O_BAR:
			if (parse_bar(optarg, &cfg) < 0)
				errx(EX_USAGE, "--bar %s: must be a number and "
				    "a unit (ms, s, m, h, d), up to 366d",
				    optarg);
			break;
		case O_STALE:
			if (parse_u64(optarg, 0, 86400000, &cfg.stale_ms) < 0)
				errx(EX_USAGE, "--stale %s: must be 0 to "
				    "86400000 ms", optarg);
			break;
		case O_NOQUOTES:
			cfg.quotes = 0;
			break;
		case O_NOXBEST:
			cfg.xbest = 0;
			break;
		default:
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		warnx("%s: unexpected argument", argv[optind]);
		return EX_USAGE;
	}
	if (cfg.ntops == 0)
		parse_top("20:100", &cfg);
	if (cfg.nbars == 0) {
		parse_bar("1s", &cfg);
		parse_bar("1m", &cfg);
	}
	rc_out.capacity = cap;
	/*
	 * What one publish writes must fit twice in the output ring, or it
	 * laps every reader before one can read it whole: a publish is at
	 * most half the ring, and the largest message, a book_top of the
	 * deepest --top, is no more than that (deriver(1), --capacity).
	 */
	for (unsigned i = 0; i < cfg.ntops; i++)
		if (cfg.top_depth[i] > maxdepth)
			maxdepth = cfg.top_depth[i];
	maxmsg = (2 * maxdepth + REC_BOOK_LEVELS - 1) / REC_BOOK_LEVELS;
	if (cap != 0 && cap < 2 * maxmsg)
		errx(EX_USAGE, "--capacity %" PRIu64 ": too small for --top "
		    "depth %zu, a book_top of up to %zu records: at least "
		    "twice that", cap, maxdepth, maxmsg);
	if (rc_out.name == NULL) {
		static char out_name[128];

		/* a ring name is at most 100 characters (tickpipe-ring(5)) */
		if (strlen(v.in_name) > 100 - strlen(".derived"))
			errx(EX_USAGE, "--ring %s: too long to name the output "
			    "after it (NAME.derived, at most 100 characters): "
			    "give --out", v.in_name);
		snprintf(out_name, sizeof(out_name), "%s.derived", v.in_name);
		rc_out.name = out_name;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sig_release();

	if ((v.d = derive_new(&cfg, out_cb, &v)) == NULL)
		errx(EX_OSERR, "out of memory");
	jsonl_msg_init(&v.msg);
	ratelog_init(&v.log, LOG_PER_SEC, 1000000000LL, NULL,
	    "skipped or dropped input records not reported");
	if (strcmp(rc_out.name, v.in_name) == 0 ||
	    ring_same(rc_out.name, v.in_name))
		errx(EX_USAGE, "--out %s: the ring read from", rc_out.name);
	/* before a ring is mapped (opening one reads it, closing the output
	   writes it), for both; recover: the input is followed (ring_follow),
	   the output recreated */
	ring_sigbus_guard("deriver", v.in_name, 0);
	/* a bad input name is a usage error before anything is created, and
	   with --no-follow any input that cannot be read now */
	rc = ring_reader_open(&v.in, v.in_name, errbuf, sizeof(errbuf));
	if (rc == RING_EINVAL)
		errx(EX_USAGE, "--ring: %s", errbuf);
	if (rc != RING_OK && !follow) {
		if (ring_name_ok(rc_out.name, errbuf, sizeof(errbuf)) < 0)
			errx(EX_USAGE, "--out: %s", errbuf);
		rc = open_in(&v, 0);
		if (v.verbose || usr1)
			counters(&v);
		return rc;
	}
	/* the output first: a bad name is a usage error, and readers of it
	   can attach while the input is awaited */
	rc = ring_writer_open(&v.out, &rc_out, errbuf, sizeof(errbuf));
	if (rc != RING_OK) {
		warnx("%s", errbuf);
		return ring_exit(rc);
	}
	if (errbuf[0] != '\0')
		warnx("%s", errbuf);
	/* an existing output ring keeps its capacity: checked as --capacity */
	cap = ring_capacity(v.out);
	if (cap < 2 * maxmsg) {
		ring_close(v.out);
		errx(EX_USAGE, "ring %s: capacity %" PRIu64 ": too small for "
		    "--top depth %zu, a book_top of up to %zu records: at "
		    "least twice that; remove it (shmreader --unlink)",
		    rc_out.name, cap, maxdepth, maxmsg);
	}
	v.batch = cap / 2 < OUT_BATCH ? (size_t)(cap / 2) : OUT_BATCH;
	if (errbuf[0] != '\0')	/* said above: a damaged ring replaced */
		out_replaced(&v, errbuf);
	if ((rc = open_in(&v, follow)) != 0) {
		/* stopped while awaiting the input, or it failed: at exit
		   all the same (deriver(1), -v) */
		if (v.verbose || usr1)
			counters(&v);
		ring_close(v.out);
		return rc < 0 ? v.failed : rc;
	}
	/*
	 * The input, awaited, may be the output made meanwhile under the
	 * input's name (--out its path, before it existed): it would read
	 * its own records and lock its real writer out.
	 */
	if (ring_same(rc_out.name, v.in_name)) {
		ring_close(v.in);
		ring_close(v.out);
		ring_unlink(rc_out.name);
		errx(EX_USAGE, "--out %s: the ring read from", rc_out.name);
	}
	v.out_name = rc_out.name;
	if (strcmp(from, "oldest") == 0)
		resume_start(&v);
	if (strcmp(from, "latest") == 0) {
		ring_seek_latest(v.in);
		/* records before it not read: said now, since the ring may
		   be replaced before the first read, starting again at 1 */
		if (ring_position(v.in) > 1)
			derive_late_start(v.d);
	}
	notify_ready(ready_fd);

	while (!stop) {
		uint64_t pos = ring_position(v.in);

		lost = 0;
		if (ring_read(v.in, &rec, &lost)) {
			if (v.records == 0 && rec.seq > 1)
				derive_late_start(v.d);	/* seqs before it */
			if (v.resume_gap > 0) {
				/* those after what the output holds, lost:
				   with the lap at this read, if any */
				if (rec.seq > v.resume_gap + 1)
					gap(&v, v.resume_gap + 1,
					    rec.seq - v.resume_gap - 1, &rec);
				v.resume_gap = 0;
				lost = 0;
			}
			if (replaced) {
				/* said now: stamped with the first record
				   after it, as a gap is */
				replaced = 0;
				/* another stream than the one the output
				   ring holds the derivation of: published */
				if (v.resume)
					resume_end(&v);
				gap(&v, rgap_from, rgap_lost, &rec);
			}
			if (lost > 0)
				gap(&v, pos, lost, &rec);
			take(&v, &rec);
			waited = 0;
			continue;
		}
		flush(&v);
		idle(&v);
		if (usr1) {
			usr1 = 0;
			counters(&v);
		}
		if (stop)
			break;
		if (!follow) {
			if (jsonl_msg_pending(&v.msg) && !waited++ &&
			    ring_wait(v.in, 50000, 200))
				continue;
			/* not the end of what was written: the same verdict
			   as when following (deriver(1) EXIT STATUS) */
			if (ring_broken(v.in)) {
				uint64_t gap_from;

				rc = ring_follow(&v.in, &gap_from, &lost,
				    errbuf, sizeof(errbuf));
				if (rc < 0) {
					flush(&v);
					warnx("%s", errbuf);
					v.failed = ring_exit(rc);
				}
			}
			break;
		}
		if (!ring_wait(v.in, 50000, 200)) {
			uint64_t gap_from;

			rc = ring_follow(&v.in, &gap_from, &lost, errbuf,
			    sizeof(errbuf));
			if (rc < 0) {
				flush(&v);
				warnx("%s", errbuf);
				v.failed = ring_exit(rc);
				break;
			}
			if (rc > 0) {	/* RING_FOLLOWED, and how */
				warnx("ring %s was removed or replaced; "
				    "reopening", v.in_name);
				rgap_from = gap_from;
				rgap_lost = lost;
				replaced = 1;
			}
		}
	}
	if (v.resume)	/* nothing past what the output ring holds */
		resume_end(&v);
	/* a book message whose LAST never came is dropped: said and
	   counted as any other (deriver(1)), as shmreader(1) says it */
	if (jsonl_msg_cut(&v.msg, "no LAST when deriver stopped", errbuf,
	    sizeof(errbuf))) {
		v.partial++;
		ratelog_say(&v.log, mono_ns(), "%s: dropped", errbuf);
	}
	flush(&v);
	ratelog_flush(&v.log);
	if (v.verbose || usr1)
		counters(&v);
	ring_close(v.in);
	ring_close(v.out);
	derive_free(v.d);
	return v.failed;
}
