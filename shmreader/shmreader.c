/*
 * shmreader: reads a tickpipe ring and prints what it holds: JSONL (one
 * line per exchange message), raw records for capture and replay, or an
 * aligned table for people.  Also shows the ring header (--stat) and the
 * record layout (--layout).  See shmreader(1).
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "dec.h"
#include "jsonl.h"
#include "recfilter.h"
#include "ring.h"
#include "ringlines.h"
#include "util.h"

static const char usage_text[] =
"usage: shmreader [-hv] [-d fd] [--ring name] [--format jsonl|raw|table]\n"
"                 [--from oldest|latest|seq] [--count n] [--no-follow]\n"
"                 [--venue venue] [--symbol symbol] [--type type]\n"
"                 [--spin | --spin-us us]\n"
"       shmreader [--ring name] --stat | --layout | --unlink\n";

enum fmt { FMT_JSONL, FMT_RAW, FMT_TABLE };
enum { O_RING = 256, O_FORMAT, O_FROM, O_COUNT, O_NOFOLLOW, O_VENUE,
	O_SYMBOL, O_TYPE, O_SPIN, O_SPINUS, O_STAT, O_LAYOUT, O_UNLINK };

/*
 * --spin-us: how long an idle reader spins on the ring before it sleeps
 * on the futex (ring_wait).  A spin saves the writer's wake-up and the
 * sleeper's, a few microseconds, only when the next record comes within
 * it; the rest of the time it burns a CPU that, on a small machine, the
 * next processes of the pipeline wait for.  Measured on and off at 10 K
 * msg/s on two busy CPUs (BENCHMARKS.md, "Where latency goes"), the old
 * 50 us spin cost 13-20 us of CPU a message and made the median worse,
 * and under SCHED_FIFO it held the CPU from the rest of the path: the
 * default is to sleep at once.
 */
#define SPIN_US_DEFAULT	0
#define SPIN_US_MAX	1000000

/*
 * After SIGTERM or SIGINT, a flush that writes nothing for this long is
 * given up (shmreader(1) SIGNALS): a reader that no longer reads must not
 * hold the stop until the supervisor's SIGKILL (tickpipe(8) STOP_TIMEOUT,
 * 5 s by default), which loses the counters and the last words.
 */
#define STOP_FLUSH_NS	2000000000LL
#define STOP_TICK_US	100000	/* SIGALRM: a blocked write returns */
#define OUT_SIZE	(1 << 16)

/* what --type accepts */

static const struct option opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "ready-fd", required_argument, NULL, 'd' },
	{ "ring", required_argument, NULL, O_RING },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "from", required_argument, NULL, O_FROM },
	{ "count", required_argument, NULL, O_COUNT },
	{ "no-follow", no_argument, NULL, O_NOFOLLOW },
	{ "venue", required_argument, NULL, O_VENUE },
	{ "symbol", required_argument, NULL, O_SYMBOL },
	{ "type", required_argument, NULL, O_TYPE },
	{ "spin", no_argument, NULL, O_SPIN },
	{ "spin-us", required_argument, NULL, O_SPINUS },
	{ "stat", no_argument, NULL, O_STAT },
	{ "layout", no_argument, NULL, O_LAYOUT },
	{ "unlink", no_argument, NULL, O_UNLINK },
	{ NULL, 0, NULL, 0 },
};

static volatile sig_atomic_t stop, usr1;

struct reader {
	struct ring	*ring;
	const char	*name;
	enum fmt	 fmt;
	struct recfilter filter;	/* --venue, --symbol, --type */
	int		 verbose;
	struct ringlines rl;		/* records into messages, counted */
	uint64_t	 msgs;		/* messages printed */
	uint64_t	 filtered;
	char		 out[JSONL_BUFSIZE(JSONL_MAX_RECS)];
	char		 obuf[OUT_SIZE];	/* not yet written */
	size_t		 olen;
	uint64_t	 owritten;	/* bytes written, all told */
	int		 stop_tick;	/* the SIGALRM tick is armed */
};

/*
 * A stop also arms SIGALRM once (alarm(2) is safe here): a write that
 * blocked before the reading loop saw the stop returns with EINTR then,
 * instead of waiting for a reader that may never read.
 */
static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		usr1 = 1;
	else if (sig != SIGALRM && !stop) {
		stop = 1;
		alarm(1);
	}
}

static void
usage(FILE *f)
{
	fputs(usage_text, f);
}

static void
counters(const struct reader *r)
{
	fprintf(stderr, "shmreader: counters: msgs %" PRIu64 " records %"
	    PRIu64 " lost %" PRIu64 " gaps %" PRIu64 " partial %" PRIu64
	    " skipped %" PRIu64 " filtered %" PRIu64 " position %" PRIu64
	    "\n", r->msgs, r->rl.records, r->rl.lost, r->rl.gaps,
	    r->rl.partial, r->rl.skipped, r->filtered, r->ring != NULL ?
	    ring_position(r->ring) : 0);
}

/*
 * Flushes stdout for the modes that print once (-h, --stat, --layout);
 * exits 0 quietly on a closed pipe, 74 on errors.  ferror too: a write
 * that failed inside printf left its error there, and the buffer it
 * dropped empty for fflush.
 */
static void
stdio_flush(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		if (errno == EPIPE)
			exit(0);
		err(EX_IOERR, "stdout");
	}
}

/*
 * out_give_up: after a stop, stdout took nothing for STOP_FLUSH_NS; says
 * what is left unwritten from off in the buffer, the counters as at any
 * exit, and exits 74.  The messages counted are those not wholly
 * written: lines (jsonl, table), records (raw; the capture header is 64
 * bytes, every record 256).
 */
static void
out_give_up(struct reader *r, size_t off)
{
	uint64_t left = r->olen - off, n = 0, hs = sizeof(struct cap_header);
	uint64_t end = r->owritten + left, done = r->owritten;

	if (r->fmt == FMT_RAW) {
		n = (end < hs ? 0 : (end - hs) / REC_SIZE) -
		    (done < hs ? 0 : (done - hs) / REC_SIZE);
	} else {
		for (size_t i = off; i < r->olen; i++)
			n += r->obuf[i] == '\n';
	}
	warnx("stdout: nothing written for %lld s after the stop: %" PRIu64
	    " bytes (%" PRIu64 " %s) not written", STOP_FLUSH_NS / 1000000000,
	    left, n, r->fmt == FMT_RAW ? "records" : "lines");
	if (r->verbose || usr1)
		counters(r);
	exit(EX_IOERR);
}

/*
 * The first flush after a stop arms a SIGALRM tick (no SA_RESTART): a
 * write blocked on a full pipe returns with EINTR, or the count it
 * wrote, every STOP_TICK_US, so that out_flush sees the time go by.
 */
static void
out_stop_tick(struct reader *r)
{
	struct itimerval it = { { 0, STOP_TICK_US }, { 0, STOP_TICK_US } };

	r->stop_tick = 1;
	setitimer(ITIMER_REAL, &it, NULL);
}

/*
 * out_flush: writes the buffer with write(2); exits 0 quietly on a closed
 * pipe, 74 on errors.  Not stdio: it cannot retry a write that failed
 * with EINTR (glibc drops what its buffer held: the reader got a torn
 * line), nor tell what it left.  EINTR is retried; once stopped, a flush
 * that writes nothing for STOP_FLUSH_NS is given up (out_give_up).
 */
static void
out_flush(struct reader *r)
{
	int64_t last = mono_ns();
	size_t off = 0;
	ssize_t n;

	while (off < r->olen) {
		if (stop && !r->stop_tick) {
			out_stop_tick(r);
			last = mono_ns();	/* the bound runs from here */
		}
		n = write(STDOUT_FILENO, r->obuf + off, r->olen - off);
		if (n > 0) {
			off += (size_t)n;
			r->owritten += (uint64_t)n;
			last = mono_ns();
			continue;
		}
		if (n < 0 && errno == EPIPE)
			exit(0);
		if (n < 0 && errno != EINTR)
			err(EX_IOERR, "stdout");
		if (stop && mono_ns() - last >= STOP_FLUSH_NS)
			out_give_up(r, off);
	}
	r->olen = 0;
}

/* Buffers all of buf, flushing the buffer as it fills. */
static void
out_write(struct reader *r, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		size_t n = sizeof(r->obuf) - r->olen;

		if (n > len)
			n = len;
		memcpy(r->obuf + r->olen, p, n);
		r->olen += n;
		p += n;
		len -= n;
		if (r->olen == sizeof(r->obuf))
			out_flush(r);
	}
}

static void
out_putc(struct reader *r, char c)
{
	out_write(r, &c, 1);
}

/* printf into the buffer: the table's pieces, each well under a line */
static void
out_printf(struct reader *r, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		out_write(r, buf, (size_t)n < sizeof(buf) ? (size_t)n :
		    sizeof(buf) - 1);
}

/*
 * out_reader_gone: stdout is a pipe or a socket whose reader is gone.
 * Asked only on an idle wake: a closed pipe is otherwise noticed at the
 * next write, which on an idle ring may never come (shmreader | head -1
 * ran for ever).  poll with no events still reports POLLERR (a pipe's
 * read end closed) and POLLHUP (a socket's peer gone).
 */
static int
out_reader_gone(int is_pipe)
{
	struct pollfd pfd = { STDOUT_FILENO, 0, 0 };

	return is_pipe && poll(&pfd, 1, 0) == 1 &&
	    (pfd.revents & (POLLERR | POLLHUP)) != 0;
}

static void
fmt_time(int64_t ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, len, "%02d:%02d:%02d.%06ld", tm.tm_hour, tm.tm_min,
	    tm.tm_sec, (long)(ns % 1000000000 / 1000));
}

/*
 * put_text: a text field of a record (at most max bytes, up to its NUL)
 * for a terminal: controls (C0, DEL and, in UTF-8, C1) and the bytes of
 * text that is not UTF-8 as \xHH, a backslash as \\.  A venue's trade
 * id or reason went out raw: ESC sequences reached the operator's
 * terminal, a newline cut a message in two lines.
 */
static void
put_text(struct reader *r, const char *s, size_t max, int pad)
{
	size_t n = strnlen(s, max), w = 0;
	int ok = utf8_valid(s, n);

	for (size_t i = 0; i < n; i++, w++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\') {
			out_write(r, "\\\\", 2);
			w++;
		} else if (c < 0x20 || c == 0x7f || (c >= 0x80 && !ok)) {
			out_printf(r, "\\x%02x", c);
			w += 3;
		} else if (c == 0xc2 && i + 1 < n &&
		    (unsigned char)s[i + 1] < 0xa0) {
			out_printf(r, "\\xc2\\x%02x", (unsigned char)s[++i]);
			w += 7;
		} else {
			out_putc(r, c);
			if (c >= 0x80 && (c & 0xc0) == 0x80)
				w--;	/* a continuation byte: no column */
		}
	}
	for (; (int)w < pad; w++)
		out_putc(r, ' ');
}

static void
print_table(struct reader *r, const struct tp_record *recs, size_t n)
{
	const struct tp_record *h = &recs[0];
	char tbuf[32], p[DEC_STRMAX], q[DEC_STRMAX], p2[DEC_STRMAX],
	    q2[DEC_STRMAX];
	size_t nb = 0, na = 0;

	fmt_time(h->recv, tbuf, sizeof(tbuf));
	out_printf(r, "%10" PRIu64 " %s %-8s ", h->seq, tbuf,
	    venue_name(h->venue));
	put_text(r, h->symbol[0] ? h->symbol : "-", sizeof(h->symbol), 10);
	out_putc(r, ' ');
	switch (h->type) {
	case REC_TRADE:
		dec_format(h->u.trade.price, h->u.trade.price_exp, p, sizeof(p));
		dec_format(h->u.trade.qty, h->u.trade.qty_exp, q, sizeof(q));
		out_printf(r, "%-8s %-4s %16s x %-16s id ", "trade",
		    side_name(h->u.trade.side), p, q);
		put_text(r, h->u.trade.tid, sizeof(h->u.trade.tid), 0);
		out_putc(r, '\n');
		break;
	case REC_BOOK: {
		const struct rec_book *bl = NULL, *al = NULL;
		int bi = 0, ai = 0;

		for (size_t k = 0; k < n; k++) {
			nb += recs[k].u.book.nbids;
			na += recs[k].u.book.nasks;
			if (bl == NULL && recs[k].u.book.nbids > 0)
				bl = &recs[k].u.book;
			if (al == NULL && recs[k].u.book.nasks > 0) {
				al = &recs[k].u.book;
				ai = al->nbids;
			}
		}
		out_printf(r, "%-8s %zu bids %zu asks",
		    h->flags & REC_F_SNAPSHOT ? "snapshot" : "delta", nb, na);
		if (bl != NULL) {
			dec_format(bl->price[bi], bl->price_exp[bi], p,
			    sizeof(p));
			dec_format(bl->qty[bi], bl->qty_exp[bi], q, sizeof(q));
			out_printf(r, "  bid %s x %s", p, q);
		}
		if (al != NULL) {
			dec_format(al->price[ai], al->price_exp[ai], p2,
			    sizeof(p2));
			dec_format(al->qty[ai], al->qty_exp[ai], q2,
			    sizeof(q2));
			out_printf(r, "  ask %s x %s", p2, q2);
		}
		out_putc(r, '\n');
		break;
	}
	case REC_STATUS:
		out_printf(r, "%-8s %s: ", "status",
		    status_name(h->u.status.code));
		put_text(r, h->u.status.reason, sizeof(h->u.status.reason), 0);
		out_putc(r, '\n');
		break;
	case REC_QUOTE:
	case REC_XBEST: {
		const struct rec_quote *qq = &h->u.quote;
		const struct rec_xbest *x = &h->u.xbest;
		int isq = h->type == REC_QUOTE;

		/* quote and xbest share the offsets of their four prices */
		strcpy(p, "-");
		strcpy(q, "-");
		strcpy(p2, "-");
		strcpy(q2, "-");
		if (isq ? qq->has_bid : x->has_bid) {
			dec_format(qq->bid, qq->bid_exp, p, sizeof(p));
			dec_format(qq->bid_qty, qq->bid_qty_exp, q, sizeof(q));
		}
		if (isq ? qq->has_ask : x->has_ask) {
			dec_format(qq->ask, qq->ask_exp, p2, sizeof(p2));
			dec_format(qq->ask_qty, qq->ask_qty_exp, q2,
			    sizeof(q2));
		}
		out_printf(r, "%-8s bid %s x %s  ask %s x %s",
		    isq ? "quote" : "xbest", p, q, p2, q2);
		if (!isq)
			out_printf(r, "  %s", xbest_state_name(x->state));
		out_putc(r, '\n');
		break;
	}
	case REC_BOOK_TOP:
		for (size_t k = 0; k < n; k++) {
			nb += recs[k].u.top.nbids;
			na += recs[k].u.top.nasks;
		}
		out_printf(r, "%-8s %u:%" PRIu32 " %zu bids %zu asks\n", "top",
		    h->u.top.depth, h->u.top.interval_ms, nb, na);
		break;
	case REC_BAR: {
		char iv[32];

		jsonl_interval_name(h->u.bar.interval_ms, iv, sizeof(iv));
		dec_format(h->u.bar.close, h->u.bar.close_exp, p, sizeof(p));
		dec_format(h->u.bar.volume, h->u.bar.volume_exp, q, sizeof(q));
		out_printf(r, "%-8s %s %" PRIu64 " trades close %s volume %s\n",
		    "bar", iv, h->u.bar.trades, h->u.bar.trades > 0 ? p : "-",
		    q);
		break;
	}
	default:
		out_printf(r, "type %u\n", h->type);
	}
}

/* Prints one message if the filters want it; returns 1 if printed. */
static int
emit(void *arg, const struct tp_record *recs, size_t n)
{
	struct reader *r = arg;

	if (!recfilter_wants(&r->filter, &recs[0])) {
		r->filtered++;
		return 0;
	}
	switch (r->fmt) {
	case FMT_JSONL:
		out_write(r, r->out, jsonl_encode(recs, n, r->out));
		break;
	case FMT_RAW:
		out_write(r, recs, n * sizeof(*recs));
		break;
	case FMT_TABLE:
		print_table(r, recs, n);
		break;
	}
	r->msgs++;
	return 1;
}

static void
emit_gap(void *arg, uint64_t from, uint64_t lost, int new_ring)
{
	struct reader *r = arg;
	struct jsonl_gap g = { from, lost, new_ring };
	struct tp_record m;
	char buf[128];

	switch (r->fmt) {
	case FMT_JSONL:
		out_write(r, buf, jsonl_encode_gap(&g, buf));
		break;
	case FMT_RAW:
		cap_gap_init(&m, from, lost, new_ring);
		out_write(r, &m, sizeof(m));
		break;
	case FMT_TABLE:
		out_printf(r, "%10" PRIu64 " gap: %" PRIu64 " records lost%s\n",
		    from, lost,
		    new_ring ? "; a new ring: seq starts again" : "");
		break;
	}
}

static int
open_ring(struct reader *r, int follow, int ready_fd)
{
	char errbuf[512];
	int rc, said = 0;

	/* before the ring is mapped: opening it reads it (tickpipe-ring(5));
	   recover: a truncated ring is followed or reported (ring_follow) */
	ring_sigbus_guard("shmreader", r->name, 0);
	for (;;) {
		rc = ring_reader_open(&r->ring, r->name, errbuf,
		    sizeof(errbuf));
		if (rc == RING_OK)
			break;
		if (rc != RING_ENOENT || !follow) {
			warnx("%s", errbuf);
			return ring_exit(rc);
		}
		if (!said && r->verbose)
			warnx("%s; waiting for the writer", errbuf);
		said = 1;
		(void)ready_fd;
		usleep(100000);
		if (stop)
			return -1;
	}
	return 0;
}

static int
do_stat(const char *name)
{
	struct ring *ring;
	char errbuf[512], tbuf[64];
	uint64_t c0, c1;
	int64_t t0, t1, hb;
	time_t ct;
	pid_t pid;
	int rc;

	ring_sigbus_guard("shmreader", name, EX_IOERR);	/* before it is read */
	if ((rc = ring_reader_open(&ring, name, errbuf, sizeof(errbuf))) !=
	    RING_OK) {
		warnx("%s", errbuf);
		return ring_exit(rc);
	}
	c0 = ring_cursor(ring);
	t0 = mono_ns();
	usleep(250000);
	c1 = ring_cursor(ring);
	t1 = mono_ns();
	pid = ring_writer_pid(ring);
	hb = ring_heartbeat_ns(ring);
	ct = (time_t)(ring_created_ns(ring) / 1000000000);
	strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%SZ", gmtime(&ct));
	printf("ring: %s\n", ring_name(ring));
	printf("path: %s\n", ring_path(ring));
	printf("version: %d\n", RING_VERSION);
	printf("record_size: %d\n", REC_SIZE);
	printf("layout_hash: 0x%016" PRIx64 "\n", ring_layout_hash(ring));
	printf("capacity: %" PRIu64 "\n", ring_capacity(ring));
	printf("bytes: %" PRIu64 "\n", (uint64_t)RING_HDR_SIZE +
	    ring_capacity(ring) * REC_SIZE);
	printf("created: %s\n", tbuf);
	printf("writer_pid: %ld\n", (long)pid);
	printf("writer_alive: %s\n", pid > 0 && (kill(pid, 0) == 0 ||
	    errno == EPERM) ? "yes" : "no");
	printf("epoch: %" PRIu64 "\n", ring_epoch(ring));
	printf("seq: %" PRIu64 "\n", c1);
	printf("oldest: %" PRIu64 "\n", c1 >= ring_oldest(ring) ?
	    ring_oldest(ring) : 0);
	printf("heartbeat_age_ms: %" PRId64 "\n", (now_ns() - hb) / 1000000);
	printf("waiters: %" PRIu32 "\n", ring_waiters(ring));
	printf("rate: %.0f\n", (double)(c1 - c0) * 1e9 / (double)(t1 - t0));
	ring_close(ring);
	return 0;
}

int
main(int argc, char **argv)
{
	static struct reader r;
	struct sigaction sa;
	uint64_t from = RING_FROM_OLDEST;
	uint64_t count = 0, done = 0, v;
	int64_t spin_ns = SPIN_US_DEFAULT * 1000;
	int ch, follow = 1, ready_fd = -1, mode = 0, rc, waited = 0, is_pipe;
	struct stat st;
	char msg[160];

	sig_hold();	/* until the handlers are in place, below */
	std_fds_hold();
	/* every mode: a closed pipe is an error of write (exit 0), no signal */
	signal(SIGPIPE, SIG_IGN);
	r.name = "default";
	r.fmt = FMT_JSONL;
	while ((ch = getopt_long(argc, argv, "hvd:", opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			stdio_flush();
			return 0;
		case 'v':
			r.verbose++;
			break;
		case 'd':
			if ((ready_fd = parse_fd_opt(optarg)) < 0)
				errx(EX_USAGE, "-d %s: not an open file "
				    "descriptor", optarg);
			break;
		case O_RING:
			r.name = optarg;
			break;
		case O_FORMAT:
			if (strcmp(optarg, "jsonl") == 0)
				r.fmt = FMT_JSONL;
			else if (strcmp(optarg, "raw") == 0)
				r.fmt = FMT_RAW;
			else if (strcmp(optarg, "table") == 0)
				r.fmt = FMT_TABLE;
			else
				errx(EX_USAGE, "--format %s: must be jsonl, raw "
				    "or table", optarg);
			break;
		case O_FROM:
			if (ring_from(optarg, &from) < 0)
				errx(EX_USAGE, "--from %s: must be oldest, "
				    "latest or a sequence number", optarg);
			break;
		case O_COUNT:
			if (parse_u64(optarg, 1, UINT64_MAX, &count) < 0)
				errx(EX_USAGE, "--count %s: must be a positive "
				    "number", optarg);
			break;
		case O_NOFOLLOW:
			follow = 0;
			break;
		case O_VENUE:
		case O_SYMBOL:
		case O_TYPE:
			if (recfilter_option(&r.filter, ch == O_VENUE ? "venue" :
			    ch == O_SYMBOL ? "symbol" : "type", optarg, msg,
			    sizeof(msg)) < 0)
				errx(EX_USAGE, "%s", msg);
			break;
		case O_SPIN:
			spin_ns = -1;
			break;
		case O_SPINUS:
			if (parse_u64(optarg, 0, SPIN_US_MAX, &v) < 0)
				errx(EX_USAGE, "--spin-us %s: must be 0 to %d",
				    optarg, SPIN_US_MAX);
			spin_ns = (int64_t)v * 1000;
			break;
		case O_STAT:
		case O_LAYOUT:
		case O_UNLINK:
			if (mode != 0 && mode != ch)
				errx(EX_USAGE, "--stat, --layout and --unlink "
				    "exclude each other");
			mode = ch;
			break;
		default:
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		warnx("%s: unexpected argument", argv[optind]);
		return EX_USAGE;
	}
	if (mode == O_LAYOUT) {
		rec_print_layout(stdout);
		stdio_flush();
		return 0;
	}
	if (mode == O_STAT) {
		if ((rc = do_stat(r.name)) == 0)
			stdio_flush();
		return rc;
	}
	if (mode == O_UNLINK) {
		int rc = ring_unlink(r.name);

		if (rc == -2) {
			warnx("%s: not a ring (no ring's header): not removed",
			    r.name);
			return EX_CONFIG;
		}
		if (rc < 0) {
			warn("unlink ring %s", r.name);
			return errno == ENOENT ? EX_UNAVAILABLE : EX_OSERR;
		}
		return 0;
	}

	/*
	 * No SA_RESTART for a stop: a write blocked on a full pipe returns
	 * (EINTR, or the count it wrote), and out_flush, which writes on
	 * after either, sees the stop and bounds the rest.  SIGUSR1 need
	 * not interrupt anything.  The futex wait (ring_wait) has a
	 * timeout and sleeps are never restarted, so the flags are seen.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	sig_release();
	is_pipe = fstat(STDOUT_FILENO, &st) == 0 && (S_ISFIFO(st.st_mode) ||
	    S_ISSOCK(st.st_mode));

	ringlines_init(&r.rl, emit, emit_gap, &r, r.verbose);
	if ((rc = open_ring(&r, follow, ready_fd)) != 0)
		return rc < 0 ? 0 : rc;
	ring_seek_from(r.ring, from);
	if (r.fmt == FMT_RAW) {
		struct cap_header ch;

		cap_header_init(&ch);
		out_write(&r, &ch, sizeof(ch));
	}
	notify_ready(ready_fd);

	/* on SIGTERM, still finish a message begun, as far as it is there */
	while ((!stop || ringlines_pending(&r.rl)) &&
	    (count == 0 || done < count)) {
		if ((rc = ringlines_read(&r.rl, r.ring)) >= 0) {
			done += (uint64_t)rc;
			waited = 0;
			continue;
		}
		/* idle: hand over what we have, then wait */
		out_flush(&r);
		if (usr1) {
			usr1 = 0;
			counters(&r);
		}
		if (stop)
			break;
		if (!follow) {
			/*
			 * The writer publishes a message in one batch: give
			 * the rest of one begun a moment before stopping.
			 */
			if (ringlines_pending(&r.rl) && !waited++ &&
			    ring_wait(r.ring, spin_ns, 200))
				continue;
			/* not the end of what was written: the same verdict
			   as when following (shmreader(1) EXIT STATUS) */
			if (ring_broken(r.ring)) {
				char errbuf[512];

				rc = ringlines_follow(&r.rl, &r.ring, r.name,
				    errbuf, sizeof(errbuf));
				if (rc < 0) {
					out_flush(&r);
					warnx("%s", errbuf);
					return ring_exit(rc);
				}
			}
			break;
		}
		if (!ring_wait(r.ring, spin_ns, 200)) {
			char errbuf[512];

			if (out_reader_gone(is_pipe))
				break;	/* as on a closed pipe: exit 0 */
			rc = ringlines_follow(&r.rl, &r.ring, r.name, errbuf,
			    sizeof(errbuf));
			if (rc < 0) {
				out_flush(&r);
				warnx("%s", errbuf);
				return ring_exit(rc);
			}
		}
	}
	ringlines_cut(&r.rl, "no LAST when shmreader stopped", 1);
	out_flush(&r);
	if (r.verbose || usr1)
		counters(&r);
	ring_close(r.ring);
	return 0;
}
