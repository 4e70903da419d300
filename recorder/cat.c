/*
 * cat.c: `recorder cat`: prints the messages of a time range from
 * history files as JSONL or as a raw capture (capture.h), with
 * shmreader's filters.  The block index skips files and blocks outside
 * the range; a damaged block is reported by file and offset and skipped.
 * See recorder(1).
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "capture.h"
#include "history.h"
#include "jsonl.h"
#include "recfilter.h"
#include "recorder.h"
#include "util.h"

enum { O_FROM = 256, O_TO, O_FORMAT, O_VENUE, O_SYMBOL, O_TYPE };

static const struct option cat_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "from", required_argument, NULL, O_FROM },
	{ "to", required_argument, NULL, O_TO },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "venue", required_argument, NULL, O_VENUE },
	{ "symbol", required_argument, NULL, O_SYMBOL },
	{ "type", required_argument, NULL, O_TYPE },
	{ NULL, 0, NULL, 0 },
};

struct cat {
	int64_t		 from, to;
	int		 raw;
	struct recfilter filter;	/* shmreader's --venue, --symbol, --type */
	int		 verbose;
	uint64_t	 msgs, gaps, partial, skipped;
	struct jsonl_msg msg;
	char		 out[JSONL_BUFSIZE(JSONL_MAX_RECS)];
	struct cap_gap_hold pgap;	/* a gap before --from */
	uint64_t	 next;		/* the seq the next record must have */
	struct hist_stats hst;		/* the reader's, at the last record */
};

static uint64_t damaged;

static void
note_cb(const char *line)
{
	warnx("%s", line);
}

static void
out_write(const void *buf, size_t len)
{
	if (fwrite(buf, 1, len, stdout) != len) {
		if (errno == EPIPE)
			exit(0);
		err(EX_IOERR, "stdout");
	}
}

/* the time range, then the message filters of shmreader(1) */
static int
wanted(const struct cat *c, const struct tp_record *rec)
{
	if (rec->ts < c->from || rec->ts >= c->to)
		return 0;
	return recfilter_wants(&c->filter, rec);
}

static void
emit(struct cat *c, const struct tp_record *recs, size_t n)
{
	if (!wanted(c, &recs[0]))
		return;
	if (c->raw)
		out_write(recs, n * sizeof(*recs));
	else
		out_write(c->out, jsonl_encode(recs, n, c->out));
	c->msgs++;
}

/* A recorded gap, printed as shmreader prints one (capture.h). */
static void
gap_out(struct cat *c, const struct tp_record *g)
{
	struct jsonl_gap jg = { g->vseq, g->aux,
	    (g->flags & REC_F_NEW_RING) != 0 };
	struct tp_record m;
	char buf[128];

	c->gaps++;
	if (c->raw) {
		cap_gap_init(&m, jg.from, jg.lost, jg.new_ring);
		out_write(&m, sizeof(m));
	} else
		out_write(buf, jsonl_encode_gap(&jg, buf));
}

/*
 * take: the next record in recorded order.  A book message a gap cuts
 * is said with -v only, as shmreader says one: the gap line shows it
 * (recorder(1)).
 */
static void
take(struct cat *c, const struct tp_record *rec)
{
	const struct tp_record *g;
	char why[256];
	int rc;

	g = cap_gap_range(&c->pgap, rec, 0, c->from, c->to);
	if (rec->type == REC_NONE) {
		if (jsonl_msg_cut(&c->msg, "cut by a gap", why, sizeof(why))) {
			c->partial++;
			if (c->verbose)
				warnx("%s: dropped", why);
		}
		if (g != NULL)
			gap_out(c, g);
		return;
	}
	if (g != NULL)
		gap_out(c, g);
	do {
		rc = jsonl_msg_add(&c->msg, rec, why, sizeof(why));
		if (rc == JSONL_MSG_READY)
			emit(c, c->msg.recs, c->msg.n);
		else if (rc == JSONL_MSG_BAD) {
			c->skipped++;
			warnx("%s: skipped", why);
		} else if (rc != JSONL_MSG_MORE) {
			c->partial++;
			if (c->verbose)
				warnx("%s: dropped", why);
		}
	} while (rc == JSONL_MSG_AGAIN);
}

/*
 * follows: rec, read by hr, must go on from the one before it, as a
 * recorder writes every record and every gap in ring order.  Where it
 * does not (records the reader skipped: damage, said, blocks the index
 * skipped, or another --name's file), the book message begun is cut,
 * its rest never to come: said with -v only, as one a gap cuts.  The
 * records damage took are printed as a gap before rec if rec is in the
 * range, as a recorded gap is, so that the output shows the loss where
 * it is (recorder(1)).
 */
static void
follows(struct cat *c, struct hist_reader *hr, const struct tp_record *rec)
{
	const struct hist_stats *st = hist_reader_stats(hr);
	uint64_t got = cap_seq(rec);
	struct tp_record g;
	char why[256];

	if (st->records > 1 && got != c->next && !cap_new_ring(rec)) {
		if (jsonl_msg_cut(&c->msg, "cut by records missing from the "
		    "history", why, sizeof(why))) {
			c->partial++;
			if (c->verbose)
				warnx("%s: dropped", why);
		}
		if (hist_lost(&c->hst, st) && got > c->next &&
		    rec->ts >= c->from && rec->ts < c->to) {
			cap_gap_init(&g, c->next, got - c->next, 0);
			gap_out(c, &g);
		}
	}
	c->hst = *st;
	c->next = cap_seq_after(rec);
}

/*
 * cut_at_end: the records of path stop here, at its end or at a read
 * error.  A book message begun in the range and not ended is lost: said
 * whatever -v, as shmreader says one it stops inside, and no error, as
 * a recorder stopped or still writing leaves one (recorder(1)).  One
 * begun outside the range is not wanted, nor said: after --to, its rest
 * may lie in a block the index skipped, no end of the history at all.
 */
static void
cut_at_end(struct cat *c, const char *path, int failed)
{
	int said = c->verbose || (jsonl_msg_pending(&c->msg) &&
	    c->msg.recs[0].ts >= c->from && c->msg.recs[0].ts < c->to);
	char why[256];

	if (!jsonl_msg_cut(&c->msg, failed ? "no LAST before the read error" :
	    "no LAST at the end of the history", why, sizeof(why)))
		return;
	c->partial++;
	if (said)
		warnx("%s: %s: dropped", path, why);
}

static int
bad_time(const char *opt, const char *s)
{
	warnx("%s %s: want ns since the epoch or ISO 8601 such as "
	    "2026-12-02T14:00:00Z", opt, s);
	return EX_USAGE;
}

int
cat_main(int argc, char **argv)
{
	static struct cat c;
	const struct tp_record *rec;
	struct hist_reader *hr;
	char errbuf[1024], emsg[160];
	int ch, rv = 0;

	c.from = INT64_MIN;
	c.to = INT64_MAX;
	argv[0] = (char *)"recorder";	/* getopt's own messages: not "cat:" */
	optind = 1;
	while ((ch = getopt_long(argc, argv, "hv", cat_opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			return print_usage("usage: recorder cat [-hv] [--from "
			    "time] [--to time] [--format jsonl|raw]\n"
			    "                [--venue venue] [--symbol symbol] "
			    "[--type type] path ...\n");
		case 'v':
			c.verbose++;
			break;
		case O_FROM:
			if (hist_parse_time(optarg, &c.from) < 0)
				return bad_time("--from", optarg);
			break;
		case O_TO:
			if (hist_parse_time(optarg, &c.to) < 0)
				return bad_time("--to", optarg);
			break;
		case O_FORMAT:
			if (strcmp(optarg, "jsonl") == 0)
				c.raw = 0;
			else if (strcmp(optarg, "raw") == 0)
				c.raw = 1;
			else
				errx(EX_USAGE, "--format %s: must be jsonl or "
				    "raw", optarg);
			break;
		case O_VENUE:
		case O_SYMBOL:
		case O_TYPE:
			if (recfilter_option(&c.filter, ch == O_VENUE ? "venue" :
			    ch == O_SYMBOL ? "symbol" : "type", optarg, emsg,
			    sizeof(emsg)) < 0)
				errx(EX_USAGE, "%s", emsg);
			break;
		default:
			return EX_USAGE;
		}
	}
	if (optind == argc) {
		warnx("cat: no file or directory given");
		return EX_USAGE;
	}
	if (c.from >= c.to) {
		warnx("cat: --from must be before --to");
		return EX_USAGE;
	}
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (c.raw) {
		struct cap_header h;

		cap_header_init(&h);
		out_write(&h, sizeof(h));
	}
	/* a path that cannot be read is said, and the others are read */
	for (int i = optind; i < argc && rv != EX_IOERR; i++) {
		jsonl_msg_init(&c.msg);
		c.pgap.has = 0;
		/* a path a level too high fails too, not read as empty */
		if (hist_reader_open(&hr, argv[i], c.from, c.to, note_cb,
		    errbuf, sizeof(errbuf)) < 0) {
			warnx("%s", errbuf);
			rv = EX_NOINPUT;
			continue;
		}
		hist_reader_verify(hr, 1);
		while ((ch = hist_reader_next(hr, &rec)) == 1) {
			follows(&c, hr, rec);
			take(&c, rec);
		}
		if (ch < 0) {
			warnx("%s", hist_reader_err(hr));
			rv = EX_IOERR;
		}
		cut_at_end(&c, argv[i], ch < 0);
		damaged += hist_reader_stats(hr)->bad;
		if (c.verbose) {
			const struct hist_stats *s = hist_reader_stats(hr);

			warnx("%s: files %" PRIu64 " blocks %" PRIu64
			    " skipped by the index %" PRIu64 " damaged %"
			    PRIu64 " torn %" PRIu64 " records %" PRIu64,
			    argv[i], s->files, s->blocks, s->skipped, s->bad,
			    s->torn, s->records);
		}
		hist_reader_close(hr);
	}
	if (fflush(stdout) == EOF && errno != EPIPE)
		err(EX_IOERR, "stdout");
	if (c.verbose)
		warnx("messages %" PRIu64 " gaps %" PRIu64 " partial %" PRIu64
		    " skipped %" PRIu64, c.msgs, c.gaps, c.partial, c.skipped);
	/*
	 * damage was read past, but it is not silence: exit 65; a torn
	 * last block, which a crash leaves, is said but not an error
	 */
	if (rv == 0 && damaged > 0)
		rv = EX_DATAERR;
	return rv;
}
