/*
 * collector: writes normalized market data into a tickpipe ring from one
 * feed: the built-in simulator, JSONL, a raw capture, or live venues.
 * See collector(1).
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "feeds.h"
#include "history.h"
#include "util.h"

static const char usage_text[] =
"usage: collector [-hv] [-d fd] [--ring name] [--capacity n] [--group group]\n"
"                 [--recreate] feed ...\n"
"feeds:\n"
"  sim [--seed n] [--symbols list] [--venues list] [--rate n|max]\n"
"      [--count n] [--snapshot-interval ms]\n"
"  jsonl [--strict] [file]\n"
"  replay [--speed x|max] [--from time] [--to time] path\n"
"  venue[:symbols] ... [--symbols list] [--snapshot-interval ms]\n"
"      (coinbase kraken binance bybit okx)\n";

static void
usage(FILE *f)
{
	fputs(usage_text, f);
	if (live_usage[0] != '\0')
		fputs(live_usage, f);
}

enum {
	O_RING = 256, O_CAPACITY, O_GROUP, O_RECREATE, O_SNAPINT, O_SEED,
	O_SYMBOLS, O_RATE, O_COUNT, O_STRICT, O_SPEED,
	O_FROM, O_TO, O_VENUES,
};

static const struct option base_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "ready-fd", required_argument, NULL, 'd' },
	{ "ring", required_argument, NULL, O_RING },
	{ "capacity", required_argument, NULL, O_CAPACITY },
	{ "group", required_argument, NULL, O_GROUP },
	{ "recreate", no_argument, NULL, O_RECREATE },
	{ "snapshot-interval", required_argument, NULL, O_SNAPINT },
	{ "seed", required_argument, NULL, O_SEED },
	{ "symbols", required_argument, NULL, O_SYMBOLS },
	{ "rate", required_argument, NULL, O_RATE },
	{ "count", required_argument, NULL, O_COUNT },
	{ "strict", no_argument, NULL, O_STRICT },
	{ "speed", required_argument, NULL, O_SPEED },
	{ "from", required_argument, NULL, O_FROM },
	{ "to", required_argument, NULL, O_TO },
	{ "venues", required_argument, NULL, O_VENUES },
};

/*
 * The feeds an option is for (collector(1) SYNOPSIS): one given with
 * another feed is a usage error, not ignored.  0: every feed.
 */
enum { F_SIM = 1, F_JSONL = 2, F_REPLAY = 4, F_LIVE = 8 };

static unsigned
opt_feeds(int ch)
{
	switch (ch) {
	case O_SEED: case O_RATE: case O_COUNT: case O_VENUES:
		return F_SIM;
	case O_SYMBOLS: case O_SNAPINT:
		return F_SIM | F_LIVE;
	case O_STRICT:
		return F_JSONL;
	case O_SPEED: case O_FROM: case O_TO:
		return F_REPLAY;
	default:
		return ch >= 1000 ? F_LIVE : 0;
	}
}

static const char *
feeds_name(unsigned f)
{
	switch (f) {
	case F_SIM: return "the sim feed";
	case F_JSONL: return "the jsonl feed";
	case F_REPLAY: return "replay";
	case F_LIVE: return "the live venues";
	default: return "the sim feed and the live venues";
	}
}

/* symbol_ok: one symbol of a --symbols list (list_each) */
static int
symbol_ok(const char *sym, void *arg, char *why, size_t whylen)
{
	(void)arg;
	if (rec_symbol_ok(sym))
		return 0;
	snprintf(why, whylen, "%s: not a BASE-QUOTE symbol", sym);
	return -1;
}

/*
 * symbols_ok: a --symbols list, checked before the ring is opened: no
 * empty entry, none given twice (the simulator would run two books of
 * one symbol).  0, or -1 with the reason in why.
 */
static int
symbols_ok(const char *list, char *why, size_t whylen)
{
	return list_each(list, 64, "BASE-QUOTE", symbol_ok, NULL, why,
	    whylen);
}

/*
 * jsonl_input_check: the file `collector jsonl` is to read, before the
 * ring is opened: one that cannot be read, or a directory (fopen(3) takes
 * it and the first read fails, EISDIR, with the ring made), is refused:
 * 66.  A FIFO or a device is read as it comes, as standard input is.  0
 * if it will do.
 */
static int
jsonl_input_check(const char *file)
{
	struct stat st;

	if (access(file, R_OK) != 0 || stat(file, &st) != 0) {
		warn("%s", file);
		return EX_NOINPUT;
	}
	if (S_ISDIR(st.st_mode)) {
		warnx("%s: %s", file, strerror(EISDIR));
		return EX_NOINPUT;
	}
	return 0;
}

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		collector_usr1 = 1;
	else
		collector_stop = 1;
}

void
sleep_until(int64_t t)
{
	struct timespec ts = { t / 1000000000, t % 1000000000 };

	while (!collector_stop &&
	    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

int
main(int argc, char **argv)
{
	struct collector c;
	struct feed_opts fo;
	struct ring_config rc = { "default", 0, (gid_t)-1, 0, 0 };
	static struct option *opts;	/* static: no LSan report on early return */
	struct sigaction sa;
	const char *feed;
	char errbuf[512];
	size_t nbase = sizeof(base_opts) / sizeof(*base_opts), nlive = 0;
	uint64_t v;
	int ch, rv, longi;
	uint64_t given = 0;	/* bit i: opts[i] given */
	unsigned is;

	sig_hold();	/* until the handlers are in place, below */
	std_fds_hold();
	memset(&c, 0, sizeof(c));
	memset(&fo, 0, sizeof(fo));
	c.prog = "collector";
	c.ready_fd = -1;
	c.snapshot_interval_ns = 1000000000;
	fo.seed = 1;
	fo.rate = 1000;
	fo.speed = 1;
	fo.from = INT64_MIN;
	fo.to = INT64_MAX;

	/* one getopt_long pass over base and live options */
	while (live_longopts[nlive].name != NULL)
		nlive++;
	if ((opts = calloc(nbase + nlive + 1, sizeof(*opts))) == NULL)
		err(EX_OSERR, "calloc");
	memcpy(opts, base_opts, sizeof(base_opts));
	memcpy(opts + nbase, live_longopts, nlive * sizeof(*opts));
	if (nbase + nlive > 64)
		errx(EX_SOFTWARE, "more options than the bits of given");

	while ((longi = -1, ch = getopt_long(argc, argv, "hvd:", opts,
	    &longi)) != -1) {
		/* an option for some feeds: checked once the feed is known */
		if (longi >= 0)
			given |= (uint64_t)1 << longi;
		switch (ch) {
		case 'h':
			usage(stdout);
			if (help_flush() < 0)
				err(EX_IOERR, "stdout");
			return 0;
		case 'v':
			c.verbose++;
			break;
		case 'd':
			if ((c.ready_fd = parse_fd_opt(optarg)) < 0)
				errx(EX_USAGE, "-d %s: not an open file "
				    "descriptor", optarg);
			break;
		case O_RING:
			rc.name = optarg;
			break;
		case O_CAPACITY:
			if (parse_u64(optarg, RING_MIN_CAPACITY,
			    RING_MAX_CAPACITY, &v) < 0 || (v & (v - 1)) != 0)
				errx(EX_USAGE, "--capacity %s: must be a power "
				    "of two from %d to %llu", optarg,
				    RING_MIN_CAPACITY,
				    (unsigned long long)RING_MAX_CAPACITY);
			rc.capacity = v;
			break;
		case O_GROUP: {
			struct group *g = getgrnam(optarg);

			if (g != NULL)
				rc.gid = g->gr_gid;
			else if (parse_u64(optarg, 0, 0x7fffffff, &v) == 0)
				rc.gid = (gid_t)v;
			else
				errx(EX_USAGE, "--group %s: no such group",
				    optarg);
			break;
		}
		case O_RECREATE:
			rc.recreate = 1;
			break;
		case O_SNAPINT:
			if (parse_u64(optarg, 0, 86400000, &v) < 0)
				errx(EX_USAGE, "--snapshot-interval %s: must be "
				    "0 to 86400000 ms", optarg);
			c.snapshot_interval_ns = (int64_t)v * 1000000;
			break;
		case O_SEED:
			if (parse_u64(optarg, 0, UINT64_MAX, &fo.seed) < 0)
				errx(EX_USAGE, "--seed %s: not a number", optarg);
			break;
		case O_SYMBOLS: {
			char why[96];

			if (symbols_ok(optarg, why, sizeof(why)) < 0)
				errx(EX_USAGE, "--symbols %s: %s", optarg, why);
			fo.symbols = optarg;
			break;
		}
		case O_VENUES: {
			char why[96];

			if (sim_venues(optarg, fo.venues, &fo.nvenues, why,
			    sizeof(why)) < 0)
				errx(EX_USAGE, "--venues %s: %s", optarg, why);
			break;
		}
		case O_RATE:
			if (strcmp(optarg, "max") == 0)
				fo.rate = 0;
			else if (parse_double_opt(optarg, 0.001, 1e9,
			    &fo.rate) < 0)
				errx(EX_USAGE, "--rate %s: must be a number of "
				    "messages per second or max", optarg);
			break;
		case O_COUNT:
			if (parse_u64(optarg, 1, UINT64_MAX, &fo.count) < 0)
				errx(EX_USAGE, "--count %s: must be a positive "
				    "number", optarg);
			break;
		case O_STRICT:
			fo.strict = 1;
			break;
		case O_SPEED:
			if (strcmp(optarg, "max") == 0)
				fo.speed = 0;
			else if (parse_double_opt(optarg, 0.001, 1e6,
			    &fo.speed) < 0)
				errx(EX_USAGE, "--speed %s: must be a positive "
				    "factor or max", optarg);
			break;
		case O_FROM:
		case O_TO:
			if (hist_parse_time(optarg, ch == O_FROM ? &fo.from :
			    &fo.to) < 0)
				errx(EX_USAGE, "--%s %s: want ns since the "
				    "epoch or ISO 8601 such as "
				    "2026-12-02T14:00:00Z", ch == O_FROM ?
				    "from" : "to", optarg);
			break;
		default:
			if (ch >= 1000) {
				if (live_opt(ch, optarg) < 0)
					return EX_USAGE;
				break;
			}
			return EX_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		warnx("no feed given");
		return EX_USAGE;
	}
	feed = argv[0];
	if (strcmp(feed, "sim") != 0 && strcmp(feed, "jsonl") != 0 &&
	    strcmp(feed, "replay") != 0 && !live_is_feed(feed)) {
		warnx("%s: unknown feed", feed);
		return EX_USAGE;
	}
	if ((strcmp(feed, "sim") == 0 && argc != 1) ||
	    (strcmp(feed, "jsonl") == 0 && argc > 2) ||
	    (strcmp(feed, "replay") == 0 && argc != 2)) {
		warnx("%s: wrong number of arguments", feed);
		return EX_USAGE;
	}
	is = strcmp(feed, "sim") == 0 ? F_SIM : strcmp(feed, "jsonl") == 0 ?
	    F_JSONL : strcmp(feed, "replay") == 0 ? F_REPLAY : F_LIVE;
	for (size_t i = 0; i < nbase + nlive; i++)
		if ((given >> i & 1) && opt_feeds(opts[i].val) != 0 &&
		    (opt_feeds(opts[i].val) & is) == 0) {
			warnx("--%s is for %s only", opts[i].name,
			    feeds_name(opt_feeds(opts[i].val)));
			return EX_USAGE;
		}
	if (fo.from >= fo.to) {
		warnx("--from must be before --to");
		return EX_USAGE;
	}
	/* jsonl and replay pass the input through: no snapshots of our own */
	if (is == F_JSONL || is == F_REPLAY)
		c.snapshot_interval_ns = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sig_release();

	/*
	 * What the feed reads, checked before the ring is opened: a start
	 * that fails on it would make a ring, or raise an existing one's
	 * epoch, for nothing.
	 */
	if (is == F_LIVE && (rv = live_check(&c, argv, argc, fo.symbols)) != 0)
		return rv;
	if (is == F_JSONL && argc > 1 && strcmp(argv[1], "-") != 0 &&
	    (rv = jsonl_input_check(argv[1])) != 0)
		return rv;
	if (is == F_REPLAY && (rv = replay_check(&fo, argv[1])) != 0)
		return rv;

	/* a truncated ring is recreated, not a crash (collector_emit): from
	   before it is mapped, as making or reopening it writes it */
	ring_sigbus_guard(c.prog, rc.name, 0);
	if ((rv = ring_writer_open(&c.ring, &rc, errbuf, sizeof(errbuf))) !=
	    RING_OK) {
		warnx("%s", errbuf);
		hist_reader_close(fo.hist);	/* replay_check's, unread */
		return ring_exit(rv);
	}
	if (errbuf[0] != '\0') {
		char note[REC_REASON_LEN];

		warnx("%s", errbuf);	/* a damaged ring was replaced */
		snprintf(note, sizeof(note), "ring recreated: %.111s", errbuf);
		collector_ring_note(note);
	}
	if (c.verbose)
		warnx("ring %s: capacity %llu, epoch %llu, last seq %llu",
		    rc.name, (unsigned long long)ring_capacity(c.ring),
		    (unsigned long long)ring_epoch(c.ring),
		    (unsigned long long)ring_cursor(c.ring));

	if (strcmp(feed, "sim") == 0)
		rv = sim_main(&c, &fo);
	else if (strcmp(feed, "jsonl") == 0)
		rv = jsonl_main(&c, &fo, argc > 1 ? argv[1] : NULL);
	else if (strcmp(feed, "replay") == 0)
		rv = replay_main(&c, &fo, argv[1]);
	else
		rv = live_main(&c, argv, argc, fo.symbols);

	if (rv == 0 && collector_ring_err != 0)
		rv = ring_exit(collector_ring_err);
	if (c.verbose || rv != 0)
		collector_counters(&c);
	ring_close(c.ring);
	free(opts);
	return rv;
}
