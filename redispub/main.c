/*
 * main.c: redispub(1), JSONL on stdin (what shmreader prints) to Redis
 * pub/sub.  This file is the program's story: the options, then one
 * thread and one poll loop that moves lines along, by the parts that
 * each do one job:
 *
 *	input.c		standard input cut into lines (the 1 MiB limit)
 *	ringin.c	--ring: the lines read from a ring instead
 *	route.c		a line checked and given its channel (tickpipe(7))
 *	outbox.c	the lines held until Redis acknowledges them, and
 *			what was sent for them; resent after a reconnect
 *	batch.c		the commands for a batch of lines: PUBLISH, the
 *			late-joiner keys, SADD, XADD
 *	resp.c		RESP written by hand, replies read by hiredis
 *	conn.c		the connection: connect, handshake, backoff
 *	stats.c		the counters, and the rate-limited per-line log
 *	proof.c		sentinel://: WAIT, and the gap line for what a
 *			failover may have lost
 *	lease.c		--lease: publish only while holding a Redis lease
 *
 * Each turn of the loop: heed the signals, take the lines read into the
 * outbox (while it has room: once full, stdin is no longer read, so the
 * back-pressure reaches the writer of the pipe), run the connection's
 * timers, encode what may be sent, write it; stop once everything read
 * is delivered, or when --flush-timeout is over; else wait in ppoll for
 * input, replies or a timer.  The parts meet only here: the connection
 * reports up, down and replies through the callbacks below.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "conn.h"
#include "input.h"
#include "outbox.h"
#include "lease.h"
#include "proof.h"
#include "redisurl.h"
#include "ringin.h"
#include "route.h"
#include "secret.h"
#include "stats.h"
#include "util.h"

#define MS	((int64_t)1000000)	/* ns */

struct options {
	char		url_str[600];	/* redisurl_show(): for log lines */
	struct redisurl	url;
	const char	*prefix;
	const char	*name;		/* --name; NULL: none */
	char		 base[160];	/* PREFIX.tickpipe[.NAME] */
	char		 stats_key[168];	/* BASE.stats */
	char		*password;	/* NULL: none */
	uint64_t	max_buf, max_bytes;
	uint64_t	stream;		/* 0: no streams */
	uint64_t	pipeline;
	uint64_t	max_deltas;
	int64_t		stats_ns;
	int64_t		connect_timeout_ns;
	int64_t		flush_ns;
	int64_t		reply_ns;	/* --reply-timeout; 0: none */
	const char	*ring;		/* --ring, or NULL: stdin */
	uint64_t	 from;		/* --from: ring_from */
	const char	*lease_key;	/* --lease, or NULL */
	int64_t		lease_ms;
	int		verbose;
	int		ready_fd;	/* -1: none, or already told */
};

/* The program: its parts, and the few things of the loop's own. */
struct redispub {
	struct options	opt;
	struct input	in;
	struct ringin	ri;		/* --ring */
	struct router	rt;
	struct outbox	ob;
	struct batch	b;
	struct conn	c;
	struct stats	st;
	struct proof	pf;
	struct lease	ls;

	sigset_t	sig_ours;	/* blocked but in ppoll */
	sigset_t	sig_wait;	/* the mask ppoll waits with */
	int64_t		next_stats;
	int		stopping;	/* by a signal */
	int64_t		stop_deadline;	/* 0: not winding down yet */
	int		final_sent;	/* the last statistics object */
	uint64_t	taken_seq;	/* the highest seq taken so far */
	uint64_t	gap_to;		/* a gap line queued for refused
					   lines covers seqs up to this */
	char		not_now[320];	/* why, for conn_lost: not_now */
	int64_t		reply_wait;	/* replies due, none since; 0: not */
	int		replied;	/* a reply came: check_replies */
	char		no_reply[160];	/* why, for conn_drop */
};

static volatile sig_atomic_t sig_stop, sig_usr1;

/* ---- options ---- */

static void
usage(FILE *f)
{
	fputs("usage: redispub [-hv] [-d fd] [-u url] [--prefix prefix] "
	    "[--name name]\n"
	    "                [--password-file file] [--buffer n] "
	    "[--stream maxlen]\n"
	    "                [--stats-interval sec] [--pipeline n] "
	    "[--max-deltas n]\n"
	    "                [--connect-timeout sec] [--flush-timeout sec]\n"
	    "                [--reply-timeout sec]\n"
	    "                [--lease key] [--lease-ms ms]\n"
	    "                [--ring name [--from oldest|latest|seq]]\n"
	    "       redispub --check-url url\n", f);
}

/* opt_u64: option name's value s, in [min, max]; else exits 64. */
static uint64_t
opt_u64(const char *name, const char *s, uint64_t min, uint64_t max)
{
	uint64_t v;

	if (parse_u64(s, min, max, &v) < 0) {
		warnx("%s: '%s' is not a number in [%" PRIu64 ", %" PRIu64 "]",
		    name, s, min, max);
		exit(EX_USAGE);
	}
	return v;
}

/* opt_seconds: a number of seconds up to a day, in ns. */
static int64_t
opt_seconds(const char *name, const char *s)
{
	return (int64_t)opt_u64(name, s, 0, 86400) * 1000 * MS;
}

/*
 * read_password_file: the first line of path, allocated.  Exits 78 if
 * it cannot be read or holds no password; warns if others may read it.
 */
static char *
read_password_file(const char *path)
{
	char *pw, msg[1024];
	int rc = secret_read(path, "password", 4096, 0, &pw, msg, sizeof(msg));

	if (rc < 0)
		errx(EX_CONFIG, "password file %s", msg);
	if (rc > 0)
		warnx("password file %s", msg);
	return pw;
}

/*
 * check_url_main: --check-url.  Prints what the URL names, one "key
 * value" line each: url (without the password, for logs), then unix, or
 * host, port, db, and user and password if given; so that tickpipe(8)
 * checks REDIS_URL with this very parser and reaches the same server with
 * redis-cli(1).  Returns the exit status.
 */
static int
check_url_main(const char *s)
{
	struct redisurl u;
	char uerr[160], shown[600];

	if (redisurl_parse(s, &u, uerr, sizeof(uerr)) < 0) {
		warnx("--check-url: bad Redis URL: %s", uerr);
		return EX_USAGE;
	}
	printf("url %s\n", redisurl_show(&u, shown, sizeof(shown)));
	if (u.is_cluster) {
		for (int i = 0; i < u.nsentinels; i++)
			printf("seed %s %d\n", u.sentinels[i].host,
			    u.sentinels[i].port);
		if (u.user[0] != '\0')
			printf("user %s\n", u.user);
		if (u.has_password)
			printf("password %s\n", u.password);
	} else if (u.is_sentinel) {
		for (int i = 0; i < u.nsentinels; i++)
			printf("sentinel %s %d\n", u.sentinels[i].host,
			    u.sentinels[i].port);
		printf("master %s\ndb %d\n", u.master, u.db);
		if (u.user[0] != '\0')
			printf("user %s\n", u.user);
		if (u.has_password)
			printf("password %s\n", u.password);
	} else if (u.is_unix) {
		printf("unix %s\n", u.path);
	} else {
		printf("host %s\nport %d\ndb %d\n", u.host, u.port, u.db);
		if (u.user[0] != '\0')
			printf("user %s\n", u.user);
		if (u.has_password)
			printf("password %s\n", u.password);
	}
	return fflush(stdout) == 0 ? 0 : EX_IOERR;
}

/*
 * The arguments seen by parse_args that need checking together:
 * check_options turns them into the options.
 */
struct args {
	const char	*url, *pwfile, *check_url;
	int		 from;		/* --from given */
};

/* the long options and the defaults */
enum { O_PREFIX = 256, O_PWFILE, O_BUFFER, O_STREAM, O_STATS, O_PIPELINE,
    O_MAXDELTAS, O_CONNTO, O_FLUSHTO, O_CHECKURL, O_NAME, O_REPLYTO };
enum { O_LEASE = 400, O_LEASEMS };	/* tickpipe(7) "Standby" */
enum { O_RING = 420, O_FROM };		/* redispub(1) "READING THE RING" */
static const struct option long_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "url", required_argument, NULL, 'u' },
	{ "prefix", required_argument, NULL, O_PREFIX },
	{ "name", required_argument, NULL, O_NAME },
	{ "password-file", required_argument, NULL, O_PWFILE },
	{ "buffer", required_argument, NULL, O_BUFFER },
	{ "stream", required_argument, NULL, O_STREAM },
	{ "stats-interval", required_argument, NULL, O_STATS },
	{ "pipeline", required_argument, NULL, O_PIPELINE },
	{ "max-deltas", required_argument, NULL, O_MAXDELTAS },
	{ "connect-timeout", required_argument, NULL, O_CONNTO },
	{ "flush-timeout", required_argument, NULL, O_FLUSHTO },
	{ "reply-timeout", required_argument, NULL, O_REPLYTO },
	{ "check-url", required_argument, NULL, O_CHECKURL },
	{ "lease", required_argument, NULL, O_LEASE },
	{ "lease-ms", required_argument, NULL, O_LEASEMS },
	{ "ring", required_argument, NULL, O_RING },
	{ "from", required_argument, NULL, O_FROM },
	{ NULL, 0, NULL, 0 }
};
/*
 * max_deltas: 20000, the most deltas wsgate(1) replays to a late joiner;
 * longer keys only cost Redis (an APPEND past 1 MiB grows the string by
 * 1 MiB, reallocating it), redispub(1).
 */
static const struct options default_options = {
	.prefix = "md", .max_buf = 65536, .pipeline = 8192,
	.max_deltas = 20000, .stats_ns = 2000 * MS,
	.connect_timeout_ns = 10000 * MS, .flush_ns = 5000 * MS,
	.reply_ns = 10000 * MS,
	.lease_ms = 3000, .from = RING_FROM_OLDEST,
	.ready_fd = -1
};

/*
 * parse_args: the getopt loop, mirroring the SYNOPSIS; fills *o (the
 * defaults first) and *a.  Returns -1 to go on, or the exit status (-h:
 * 0, after the usage; 64 for a bad option or value, said on stderr).
 */
static int
parse_args(int argc, char **argv, struct options *o, struct args *a)
{
	int c;

	*o = default_options;
	a->url = "redis://127.0.0.1:6379";
	a->pwfile = a->check_url = NULL;
	a->from = 0;

	while ((c = getopt_long(argc, argv, "hvd:u:", long_options,
	    NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			if (help_flush() < 0)
				err(EX_IOERR, "stdout");
			return 0;
		case 'v':
			o->verbose = 1;
			break;
		case 'd':
			if ((o->ready_fd = parse_fd_opt(optarg)) < 0) {
				warnx("-d: '%s' is not an open file "
				    "descriptor", optarg);
				return EX_USAGE;
			}
			break;
		case 'u':
			a->url = optarg;
			break;
		case O_CHECKURL:
			a->check_url = optarg;
			break;
		case O_PREFIX:
			o->prefix = optarg;
			break;
		case O_NAME:
			o->name = optarg;
			break;
		case O_PWFILE:
			a->pwfile = optarg;
			break;
		case O_BUFFER:
			o->max_buf = opt_u64("--buffer", optarg, 1, 100000000);
			break;
		case O_STREAM:
			o->stream = opt_u64("--stream", optarg, 1,
			    1000000000);
			break;
		case O_STATS:
			o->stats_ns = opt_seconds("--stats-interval", optarg);
			break;
		case O_PIPELINE:
			o->pipeline = opt_u64("--pipeline", optarg, 1,
			    1000000);
			break;
		case O_MAXDELTAS:
			o->max_deltas = opt_u64("--max-deltas", optarg, 1,
			    100000000);
			break;
		case O_CONNTO:
			o->connect_timeout_ns = opt_seconds(
			    "--connect-timeout", optarg);
			break;
		case O_FLUSHTO:
			/* not 0: at the end of a pipe read at once, that
			   dropped it all before the first connection was
			   made (redispub(1)) */
			o->flush_ns = (int64_t)opt_u64("--flush-timeout",
			    optarg, 1, 86400) * 1000 * MS;
			break;
		case O_REPLYTO:
			o->reply_ns = opt_seconds("--reply-timeout", optarg);
			break;
		case O_LEASE:
			if (*optarg == '\0' || strlen(optarg) > 200) {
				warnx("--lease: a key of 1-200 bytes");
				return EX_USAGE;
			}
			o->lease_key = optarg;
			break;
		case O_LEASEMS:
			o->lease_ms = (int64_t)opt_u64("--lease-ms", optarg,
			    100, 600000);
			break;
		case O_RING:
			o->ring = optarg;
			break;
		case O_FROM:
			if (ring_from(optarg, &o->from) < 0) {
				warnx("--from %s: must be oldest, latest or a "
				    "sequence number", optarg);
				return EX_USAGE;
			}
			a->from = 1;
			break;
		default:
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		warnx("unexpected argument '%s'", argv[optind]);
		return EX_USAGE;
	}
	if (a->from && o->ring == NULL) {
		warnx("--from: only with --ring");
		return EX_USAGE;
	}
	return -1;
}

/*
 * check_options: the URL, the prefix and the password; the password is
 * the URL's, else the file's, else TICKPIPE_REDIS_PASSWORD's, which is
 * then removed from the environment.  Returns -1 to go on, or the exit
 * status (64, said on stderr).  Exits 78 for a password file that cannot
 * be read, or a user without a password.
 */
static int
check_options(struct options *o, const struct args *a)
{
	char uerr[160];
	const char *env;

	if (redisurl_parse(a->url, &o->url, uerr, sizeof(uerr)) < 0) {
		warnx("-u: bad Redis URL: %s", uerr);
		return EX_USAGE;
	}
	redisurl_show(&o->url, o->url_str, sizeof(o->url_str));
	if (o->url.has_password && a->pwfile != NULL) {
		warnx("-u: a password in the URL and --password-file: "
		    "give one");
		return EX_USAGE;
	}
	if (!route_prefix_ok(o->prefix)) {
		warnx("bad --prefix '%s': 1-64 of A-Z a-z 0-9 - _ . : /",
		    o->prefix);
		return EX_USAGE;
	}
	if (o->name != NULL && !route_name_ok(o->name)) {
		warnx("bad --name '%s': 1-32 of a-z 0-9 - _", o->name);
		return EX_USAGE;
	}
	snprintf(o->base, sizeof(o->base), "%s.tickpipe%s%s", o->prefix,
	    o->name != NULL ? "." : "", o->name != NULL ? o->name : "");
	snprintf(o->stats_key, sizeof(o->stats_key), "%s.stats", o->base);
	if (o->url.has_password) {
		o->password = o->url.password;
	} else if (a->pwfile != NULL) {
		o->password = read_password_file(a->pwfile);
	} else if ((env = getenv("TICKPIPE_REDIS_PASSWORD")) != NULL &&
	    *env != '\0') {
		if ((o->password = strdup(env)) == NULL)
			err(EX_OSERR, "strdup");
	}
	unsetenv("TICKPIPE_REDIS_PASSWORD");
	if (o->url.user[0] != '\0' && o->password == NULL)
		errx(EX_CONFIG, "user '%s' in the URL but no password "
		    "(TICKPIPE_REDIS_PASSWORD or --password-file)",
		    o->url.user);
	/* memory bound of the buffer, whatever the line sizes */
	o->max_bytes = o->max_buf * 4096 > (256u << 20) ? o->max_buf * 4096 :
	    (256u << 20);
	return -1;
}

/* ---- signals ---- */

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		sig_usr1 = 1;
	else
		sig_stop = 1;
}

/*
 * catch_signals: SIGTERM, SIGINT and SIGUSR1 set the flags above; they
 * are blocked (ours) except while ppoll waits (with waitmask).  SIGPIPE is
 * ignored: a write to a closed socket is an error to handle.
 */
static void
catch_signals(sigset_t *ours, sigset_t *waitmask)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(ours);
	sigaddset(ours, SIGTERM);
	sigaddset(ours, SIGINT);
	sigaddset(ours, SIGUSR1);
	sigprocmask(SIG_BLOCK, ours, waitmask);
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);
	sigdelset(waitmask, SIGUSR1);
}

/*
 * take_signals: ppoll delivers our signals only when it blocks, which it
 * never does while stdin always has input (a flood of bad lines); so
 * each turn of the loop also takes those pending.
 */
static void
take_signals(const sigset_t *ours)
{
	static const struct timespec zero;
	int sig;

	while ((sig = sigtimedwait(ours, NULL, &zero)) > 0)
		on_signal(sig);
}

/* ---- what the connection reports ---- */

/*
 * redis_up_cb: a connection is ready.  It may be to a new Redis, so the
 * late-joiner keys start over (route_new_connection); the first one is
 * reported to -d's readiness fd.
 */
static void
redis_up_cb(void *arg, int first)
{
	struct redispub *rp = arg;

	route_new_connection(&rp->rt);
	if (!first) {
		rp->st.reconnects++;
		warnx("redis %s: reconnected; resending %" PRIu64 " messages",
		    rp->opt.url_str, rp->ob.n);
		return;
	}
	if (rp->opt.verbose)
		warnx("redis %s: connected", rp->opt.url_str);
	if (rp->opt.ready_fd >= 0 && notify_ready(rp->opt.ready_fd) < 0)
		warn("readiness fd");
	rp->opt.ready_fd = -1;
}

/*
 * redis_keys_lost_cb: in a cluster, slots whose keys may lack writes
 * already answered (a failover, a node back): their channels' keys are
 * deleted, marked as the new owner's, and start over (batch_keys_lost),
 * so that a late joiner finds them right or absent, never stale.
 */
static void
redis_keys_lost_cb(void *arg, const uint8_t *lost, struct resp_buf *out)
{
	struct redispub *rp = arg;

	batch_keys_lost(&rp->b, &rp->rt, lost, out);
}

static void take_line(struct redispub *, const char *, size_t);

/*
 * announce_gap: queues the gap line {"type":"gap","from":from,"lost":n}
 * (tickpipe-json(5)) for PREFIX.gap, as if it had been read, so that
 * subscribers learn that ring sequences from .. from + n - 1 may be
 * lost, because of why.
 */
static void
announce_gap(struct redispub *rp, uint64_t from, uint64_t n,
    const char *why)
{
	char line[96];
	int k = snprintf(line, sizeof(line), "{\"type\":\"gap\",\"from\":%"
	    PRIu64 ",\"lost\":%" PRIu64 "}", from, n);

	warnx("redis %s: %s: announcing seq %" PRIu64 "..%" PRIu64
	    " as a gap", rp->opt.url_str, why, from, from + n - 1);
	rp->st.lines++;
	take_line(rp, line, (size_t)k);
}

/*
 * announce_takeover: this process has just taken the lease: for each
 * venue of its input, a status line "resync" (tickpipe-json(5)) tells
 * subscribers that the stream now comes from another collector, from
 * ring sequence next_seq of its ring; books wait for a snapshot.
 */
static void
announce_takeover(struct redispub *rp)
{
	struct lease *ls = &rp->ls;
	char line[512];
	int i, k;

	warnx("lease %s taken: publishing from seq %" PRIu64 " (%" PRIu64
	    " lines read while standing by)", ls->key, ls->next_seq,
	    ls->skipped);
	if (ls->venues_over)
		warnx("lease %s: more than %d venues read while standing by: "
		    "those past the first %d are not told of the takeover",
		    ls->key, LEASE_VENUES, LEASE_VENUES);
	for (i = 0; i < ls->nvenues; i++) {
		int64_t t = now_ns();

		k = snprintf(line, sizeof(line), "{\"type\":\"status\","
		    "\"venue\":\"%s\",\"seq\":%" PRIu64 ",\"vseq\":0,"
		    "\"ts\":%" PRId64 ",\"recv\":%" PRId64 ",\"status\":"
		    "\"resync\",\"reason\":\"standby took over lease %.60s\"}",
		    ls->venues[i], ls->next_seq, t, t, ls->key);
		rp->st.lines++;
		take_line(rp, line, (size_t)k);
	}
}

/*
 * step_down: the lease is no longer ours (why): nothing more is
 * published until it is taken again, and no earlier connection is
 * to be closed any more (conn_fence_next).  What the outbox still holds
 * goes with the connection (redis_down_cb), unless Redis answers it
 * first.
 */
static void
step_down(struct redispub *rp, const char *why)
{
	rp->c.fence_next = 0;
	warnx("lease %s lost (%s): standing by; %" PRIu64 " messages held",
	    rp->ls.key, why, rp->ob.n);
}

/*
 * redis_down_cb: what was in flight is to be sent again; what Redis
 * acknowledged but no replica was proven to hold is announced (proof.h).
 */
static void
redis_down_cb(void *arg, const char *why, int64_t retry_ms)
{
	struct redispub *rp = arg;
	uint64_t from, n, k;

	outbox_rewind(&rp->ob);
	if (!lease_may_publish(&rp->ls) && rp->ob.n > 0) {
		/* another leads now: sent again, these would run after
		   its lines (lease.h) */
		warnx("lease %s is another's: dropping %" PRIu64 " messages "
		    "held", rp->ls.key, rp->ob.n);
		rp->st.dropped += rp->ob.n;
		outbox_drop_all(&rp->ob);
	}
	lease_conn_lost(&rp->ls);
	if ((k = proof_lost(&rp->pf, &from, &n)) > 0) {
		char msg[64];

		snprintf(msg, sizeof(msg), "%" PRIu64 " messages not proven "
		    "replicated", k);
		announce_gap(rp, from, n, msg);
	}
	warnx("redis %s: %s; retrying in %" PRId64 " ms (%" PRIu64
	    " buffered)", rp->opt.url_str, why, retry_ms, rp->ob.n);
}

/*
 * gap_for_refused: ring sequences from .. to may have reached some
 * subscribers out of order, or some not at all, because Redis refused a
 * command of them (why): a gap line covering them is queued, so that
 * subscribers drop their books and wait for the next snapshots
 * (tickpipe(7)), unless one queued earlier for such lines, and not yet
 * published (every line before it is), covers them already.
 */
static void
gap_for_refused(struct redispub *rp, uint64_t from, uint64_t to,
    const char *why)
{
	if (from == 0 || to < from || to <= rp->gap_to)
		return;
	if (from <= rp->gap_to)
		from = rp->gap_to + 1;
	rp->gap_to = to;
	announce_gap(rp, from, to - from + 1, why);
}

/*
 * not_now: Redis answered msg, a "not now" (resp_not_now: busy, loading,
 * not the primary), to a command in flight.  Nothing is dropped: the
 * connection is dropped instead (the returned reason, for conn_lost),
 * and the next one, after the usual backoff, sends everything not
 * acknowledged again, in order, as after a lost connection.  The lines
 * sent after the refused one may have run meanwhile (Redis answers each
 * command of a pipeline as it comes to it): if more than one was in
 * flight, a gap line covers them, since a subscriber may have had a later
 * one before the one sent again (or drop that by "seq").
 */
static const char *
not_now(struct redispub *rp, const char *msg)
{
	struct outbox_pos p = rp->ob.head;
	struct outbox_msg *m;
	uint64_t i, from = UINT64_MAX, to = 0;

	rp->st.redis_errors++;
	for (i = 0; i < rp->ob.nsent && (m = outbox_at(&p)) != NULL; i++) {
		if (m->seq != 0 && m->seq < from)
			from = m->seq;
		if (m->seq > to)
			to = m->seq;
		outbox_step(&p, m);
	}
	if (rp->ob.nsent > 1 && to != 0)
		gap_for_refused(rp, from, to, "lines sent after one redis "
		    "refused for now may have run before it is sent again");
	snprintf(rp->not_now, sizeof(rp->not_now), "redis refused a "
	    "command for now (%s): holding %" PRIu64 " messages, to send "
	    "again in order on a new connection", msg, rp->ob.n);
	return rp->not_now;
}

/*
 * refused_for_good: Redis refused the PUBLISH of book line m, or the
 * MULTI holding it (an error that will not change: an ACL, out of
 * memory); it is dropped, and a subscriber's book would miss it
 * silently, so a gap line says so, covering every line taken so far
 * (they all reach Redis before it).
 */
static void
refused_for_good(struct redispub *rp, const struct outbox_msg *m)
{
	if (m->loss == OB_LOSS_NONE && (m->type == ROUTE_SNAPSHOT ||
	    m->type == ROUTE_DELTA))
		gap_for_refused(rp, m->seq, rp->taken_seq, "a book line "
		    "was refused by redis");
}

/*
 * redis_reply_cb: a reply acknowledges, in order, the commands of the
 * oldest unit in the outbox; a message whose last reply came in is
 * counted as published, or as dropped (and logged) if Redis refused one
 * of its commands.
 */
static const char *
redis_reply_cb(void *arg, const struct resp_reply *rep)
{
	struct redispub *rp = arg;
	struct outbox_msg m;
	enum outbox_ack ack;

	if (rep->err && outbox_awaits_replies(&rp->ob) &&
	    resp_not_now(rep->msg))
		return not_now(rp, rep->msg);
	rp->replied = 1;
	ack = outbox_ack(&rp->ob, rep, &m);
	if (ack == OUTBOX_CONFUSED)
		return "reply to no command (protocol confusion)";
	if (rep->err)
		rp->st.redis_errors++;
	switch (ack) {
	case OUTBOX_STATS_REFUSED:
		warnx("redis: stats not stored: %s", rep->msg);
		return NULL;
	case OUTBOX_GROUP_REFUSED:
		/* the keys lack its delta: late joiners must not use them */
		batch_keys_reset(&rp->rt, m.chan);
		rp->st.dropped++;
		stats_log_line(&rp->st, "line %" PRIu64 ": redis refused the "
		    "APPEND of its delta: %s; counted as dropped, its "
		    "channel's keys deleted until its next snapshot",
		    m.lineno, rp->ob.group_err);
		break;
	case OUTBOX_KEYS_WRONGTYPE:
		/* published; only the late-joiner keys are off (batch.h) */
		batch_keys_reset(&rp->rt, m.chan);
		stats_log_line(&rp->st, "line %" PRIu64 ": its channel's "
		    ".deltas is not a string (WRONGTYPE); its keys are "
		    "deleted until its next snapshot", m.lineno);
		rp->st.published++;
		proof_acked(&rp->pf, m.seq);
		break;
	case OUTBOX_ANNOUNCE_REFUSED:
		/* published: only PREFIX.channels (or .books) lacks it
		   (redispub(1)), which is no dropped line */
		stats_log_line(&rp->st, "line %" PRIu64 ": published, but "
		    "redis refused adding its channel to the sets of "
		    "channels: %s; not added again before the next "
		    "connection", m.lineno, rp->ob.ann_err);
		rp->st.published++;
		proof_acked(&rp->pf, m.seq);
		break;
	case OUTBOX_REFUSED:
		/* a delta's or a snapshot's key writes may be among them */
		batch_keys_reset(&rp->rt, m.chan);
		if (m.loss != OB_LOSS_NONE)	/* its DEL of book keys */
			batch_loss_refused(&rp->rt, &m);
		rp->st.dropped++;
		stats_log_line(&rp->st, "line %" PRIu64 ": redis refused a "
		    "command: %s; counted as dropped", m.lineno, rep->msg);
		if (rp->ob.unpublished)
			refused_for_good(rp, &m);
		break;
	case OUTBOX_PUBLISHED:
		rp->st.published++;
		proof_acked(&rp->pf, m.seq);
		break;
	case OUTBOX_WAITED:
		proof_waited(&rp->pf, rep);
		return NULL;
	case OUTBOX_LEASE:
		if (rep->err && !rp->ls.refused)
			warnx("lease %s: redis refused the lease command: %s;"
			    " trying again, input not read until it is "
			    "answered", rp->ls.key, rep->msg);
		switch (lease_reply(&rp->ls, rep)) {
		case 2:
			warnx("lease %s is another's: standing by (the lines "
			    "read are dropped, counted as standby)",
			    rp->ls.key);
			break;
		case 1:
			announce_takeover(rp);
			if (rp->opt.url.is_cluster)
				break;
			/* what the old leader sent and Redis has not run
			   (a network cut off meanwhile) must not run after
			   ours: its connection is closed first (conn.h) */
			conn_fence_next(&rp->c);
			return "lease taken: reconnecting, to close the old "
			    "leader's connection first";
		case -1:
			step_down(rp, "renewal refused");
			break;
		}
		return NULL;
	default:	/* more replies due, or a statistics object stored */
		return NULL;
	}
	stats_acked(&rp->st, &m);
	return NULL;
}

/* ---- the steps of the loop ---- */

/*
 * heed_signals: SIGUSR1 prints the counters; SIGTERM or SIGINT stop the
 * reading and start the --flush-timeout.
 */
static void
heed_signals(struct redispub *rp, int64_t now)
{
	take_signals(&rp->sig_ours);
	if (sig_usr1) {
		sig_usr1 = 0;
		stats_print(&rp->st, &rp->ob, "counters");
	}
	if (sig_stop && !rp->stopping) {
		rp->stopping = 1;
		rp->stop_deadline = now + rp->opt.flush_ns;
		if (rp->opt.verbose || !outbox_empty(&rp->ob))
			warnx("stopping: flushing %" PRIu64 " buffered "
			    "messages", rp->ob.n);
	}
}

/* winding_down: stopped by a signal, or at the end of input. */
static int
winding_down(const struct redispub *rp)
{
	return rp->stopping || rp->in.eof;
}

/*
 * all_lines_done: every line read has left: delivered, dropped or
 * skipped.
 */
static int
all_lines_done(const struct redispub *rp)
{
	return !input_pending(&rp->in) && outbox_empty(&rp->ob);
}

/*
 * may_take_input: input is neither read nor taken before a --lease
 * knows whether it leads: a leader would drop the lines, a standby not
 * yet say so (redispub(1) --lease).
 */
static int
may_take_input(const struct redispub *rp)
{
	return lease_decided(&rp->ls) && outbox_has_room(&rp->ob);
}

/* can_take_input: a line waits and may be taken. */
static int
can_take_input(const struct redispub *rp)
{
	return input_pending(&rp->in) && may_take_input(rp);
}

/*
 * wants_input: more is to be read: not winding down, input may be taken,
 * and every line read taken (which keeps the back-pressure).
 */
static int
wants_input(const struct redispub *rp)
{
	return !winding_down(rp) && may_take_input(rp) &&
	    !input_pending(&rp->in);
}

/*
 * take_line: one input line routed into the outbox, or skipped: a
 * malformed one, standing by or not, or one read while standing by
 * (its seq and venue, as route_line found them, noted for a takeover).
 */
static void
take_line(struct redispub *rp, const char *line, size_t len)
{
	struct outbox_msg h;
	char why[160];

	if (route_line(&rp->rt, line, len, &h, why, sizeof(why)) < 0) {
		stats_malformed(&rp->st, why);
		return;
	}
	if (!lease_may_publish(&rp->ls)) {
		const char *venue;
		size_t vn = 0;

		venue = route_venue(&rp->rt, &h, &vn);
		lease_skip(&rp->ls, h.seq, h.loss == OB_LOSS_NEW_RING, venue,
		    vn);
		rp->st.lines--;		/* not taken: see lease.h */
		rp->st.standby++;
		return;
	}
	h.lineno = stats_lineno(&rp->st);
	h.len = (uint32_t)len;
	if (h.loss == OB_LOSS_NEW_RING)	/* seq starts again at 1 */
		rp->taken_seq = rp->gap_to = 0;
	if (h.seq > rp->taken_seq)
		rp->taken_seq = h.seq;
	stats_read(&rp->st, &h, rp->in.rd_ns);
	outbox_push(&rp->ob, &h, line);
}

/*
 * read_ring: --ring: the ring's records, encoded as lines into the input
 * (ringin.h), once every line read before is taken: a full outbox stops
 * the reading, and the ring holds the rest (a reader it laps gets a gap
 * line, as shmreader would write into a pipe redispub no longer reads).
 */
static void
read_ring(struct redispub *rp, int64_t now)
{
	if (rp->opt.ring != NULL && may_take_input(rp) &&
	    !input_pending(&rp->in))
		ringin_fill(&rp->ri, rp->stopping, now);
}

/* take_input: the complete lines read, while the outbox has room. */
static void
take_input(struct redispub *rp)
{
	const char *line;
	size_t len;
	enum input_got got;

	if (!lease_decided(&rp->ls))
		return;
	while (outbox_has_room(&rp->ob) &&
	    (got = input_line(&rp->in, &line, &len)) != INPUT_NONE) {
		rp->st.lines++;
		if (got == INPUT_TOO_LONG)
			stats_malformed(&rp->st, "line longer than 1 MiB");
		else
			take_line(rp, line, len);
	}
	if (input_compact(&rp->in) == INPUT_TOO_LONG) {
		rp->st.lines++;
		stats_malformed(&rp->st, "line longer than 1 MiB");
	}
}

/* send_stats: the statistics object, unless the unit ring is full. */
static void
send_stats(struct redispub *rp)
{
	(void)stats_send(&rp->st, &rp->ob, &rp->c.out, rp->opt.stats_key,
	    strlen(rp->opt.stats_key));
}

/* tick_stats: every --stats-interval, the statistics object. */
static void
tick_stats(struct redispub *rp, int64_t now)
{
	if (rp->opt.stats_ns == 0 || now < rp->next_stats)
		return;
	if (conn_is_ready(&rp->c))
		send_stats(rp);
	if (rp->opt.verbose)
		stats_print(&rp->st, &rp->ob, "counters");
	rp->next_stats = now + rp->opt.stats_ns;
}

/*
 * check_replies: with replies due and none for --reply-timeout, the
 * server hangs (stopped, or a network that drops everything without a
 * reset, which TCP would notice only after hours): the connection is
 * dropped, said, and made again, and what was in flight sent again, as
 * after a lost connection (redis_down_cb).  Not for cluster://, whose
 * replies come to this loop in input order only, so that a group held
 * through a long slot migration would look like a hang: there each
 * node's connection has its own deadline, on the bytes read from it
 * (shard.c node_hung, given reply_timeout).
 */
static void
check_replies(struct redispub *rp, int64_t now)
{
	if (rp->replied) {
		rp->replied = 0;
		rp->reply_wait = now;
	}
	if (rp->opt.reply_ns == 0 || rp->opt.url.is_cluster ||
	    !conn_is_ready(&rp->c) || !outbox_awaits_replies(&rp->ob)) {
		rp->reply_wait = 0;
		return;
	}
	if (rp->reply_wait == 0) {
		rp->reply_wait = now;
		return;
	}
	if (now - rp->reply_wait < rp->opt.reply_ns)
		return;
	rp->reply_wait = 0;
	snprintf(rp->no_reply, sizeof(rp->no_reply), "no reply for %" PRId64
	    " s with %" PRIu64 " messages in flight (--reply-timeout)",
	    rp->opt.reply_ns / (1000 * MS), rp->ob.nsent);
	conn_drop(&rp->c, rp->no_reply);
}

/*
 * drop_undelivered: --flush-timeout is over: what is still held, or
 * read and not yet taken, is counted as dropped.  Returns the exit
 * status: 69 if lines were lost at the end of input, 0 if stopped by a
 * signal or nothing was lost.
 */
static int
drop_undelivered(struct redispub *rp)
{
	uint64_t unread = input_drop_pending(&rp->in);
	uint64_t left = rp->ob.n + unread;
	int rc = 0;

	rp->st.lines += unread;
	if (left > 0) {
		warnx("redis %s: %s within --flush-timeout; dropping %"
		    PRIu64 " undelivered messages", rp->opt.url_str,
		    conn_is_ready(&rp->c) ? "not all acknowledged" :
		    "no connection", left);
		rp->st.dropped += left;
		rc = rp->stopping ? 0 : EX_UNAVAILABLE;
	}
	outbox_drop_all(&rp->ob);
	return rc;
}

/*
 * give_up: the connection failed for good at startup: says why and,
 * if lines were read, the counters, every line held or read and not
 * taken counted as dropped (and no longer buffered: lines = published +
 * dropped + malformed + buffered, redispub(1)).  Returns the exit status.
 */
static int
give_up(struct redispub *rp)
{
	uint64_t unread = input_drop_pending(&rp->in);

	warnx("%s", rp->c.errstr);
	rp->st.lines += unread;
	if (rp->st.lines > 0) {
		rp->st.dropped += rp->ob.n + unread;
		outbox_drop_all(&rp->ob);
		stats_print(&rp->st, &rp->ob, "exiting");
	}
	return rp->c.exit_code;
}

/*
 * wait_ring: --ring, with nothing to do but wait, and room for what the
 * ring brings: a look at the connection without waiting, then a sleep on
 * the ring's futex, so that a record wakes this process alone, no
 * shmreader between (redispub(1) "READING THE RING").  The futex cannot
 * be polled with the socket: while the connection is being made, has
 * output waiting or replies due, the sleep lasts 1 ms at most, else
 * 100 ms; timers are heeded to the millisecond; a signal waits for the
 * end of a sleep.
 */
static void
wait_ring(struct redispub *rp, struct pollfd *pfd, int np, int64_t now,
    int64_t wake)
{
	static const struct timespec zero;
	int64_t ms = (wake - now + MS - 1) / MS, most = 100;
	int n;

	if (np > 0 && (pfd[0].events != POLLIN || !conn_is_ready(&rp->c) ||
	    outbox_awaits_replies(&rp->ob)))
		most = 1;
	if ((n = ppoll(pfd, (nfds_t)np, &zero, &rp->sig_wait)) < 0) {
		if (errno == EINTR)
			return;
		err(EX_OSERR, "ppoll");
	}
	if (n > 0) {
		conn_io(&rp->c, pfd[0].revents);
		return;
	}
	ringin_wait(&rp->ri, (int)(ms < most ? ms : most));
}

/*
 * wait_for_work: ppoll until stdin (if more lines are wanted) or the
 * connection has something, a timer is due or a signal comes; then
 * hands what came to the connection and the input.
 */
static void
wait_for_work(struct redispub *rp, int64_t now)
{
	struct pollfd pfd[2];
	int np = 0, ifd = -1, rfd = -1, fd;
	int64_t wake = now + 1000 * MS, t;
	short events;
	struct timespec ts;

	if (wants_input(rp) && rp->opt.ring == NULL) {
		pfd[np].fd = rp->in.fd;
		pfd[np].events = POLLIN;
		ifd = np++;
	}
	if ((fd = conn_poll(&rp->c, &events)) >= 0) {
		pfd[np].fd = fd;
		pfd[np].events = events;
		rfd = np++;
	}
	if ((t = conn_next_timer(&rp->c)) < wake)
		wake = t;
	if ((t = lease_next_timer(&rp->ls)) < wake)
		wake = t;
	if (rp->reply_wait != 0 && rp->reply_wait + rp->opt.reply_ns < wake)
		wake = rp->reply_wait + rp->opt.reply_ns;
	if (rp->opt.stats_ns > 0 && rp->next_stats < wake)
		wake = rp->next_stats;
	if (winding_down(rp) && rp->stop_deadline < wake)
		wake = rp->stop_deadline;
	if (rp->opt.ring != NULL && (t = ringin_next_timer(&rp->ri)) < wake)
		wake = t;
	if (can_take_input(rp) || wake < now)
		wake = now;
	if (wake > now && rp->opt.ring != NULL && ringin_can_wait(&rp->ri) &&
	    may_take_input(rp)) {
		wait_ring(rp, pfd, np, now, wake);
		return;
	}
	ts.tv_sec = (wake - now) / 1000000000LL;
	ts.tv_nsec = (wake - now) % 1000000000LL;
	if (ppoll(pfd, (nfds_t)np, &ts, &rp->sig_wait) < 0) {
		if (errno == EINTR)
			return;
		err(EX_OSERR, "ppoll");
	}
	if (rfd >= 0 && pfd[rfd].revents != 0) {
		conn_io(&rp->c, pfd[rfd].revents);
		if (conn_failed(&rp->c))
			return;
	}
	if (ifd >= 0 && (pfd[ifd].revents & (POLLIN | POLLHUP | POLLERR)))
		input_read(&rp->in);
}

/*
 * finished: winding down, every line done, and the last statistics
 * object answered, or not to be sent (no connection to send it on).
 */
static int
finished(const struct redispub *rp)
{
	if (!winding_down(rp) || !all_lines_done(rp))
		return 0;
	return rp->final_sent ? !outbox_awaits_replies(&rp->ob) :
	    !conn_is_ready(&rp->c);
}

/*
 * end_status: the exit status once every line has left: 0, or at the
 * end of input 69 if some were dropped (said; redispub(1) EXIT STATUS).
 */
static int
end_status(const struct redispub *rp)
{
	if (rp->stopping || rp->st.dropped == 0)
		return 0;
	warnx("%" PRIu64 " of %" PRIu64 " lines dropped (refused by Redis, "
	    "or held when the lease went to another): exit %d",
	    rp->st.dropped, rp->st.lines, EX_UNAVAILABLE);
	return EX_UNAVAILABLE;
}

/* final_stats_due: all is done and the last statistics can be sent. */
static int
final_stats_due(const struct redispub *rp)
{
	return winding_down(rp) && all_lines_done(rp) &&
	    conn_is_ready(&rp->c) && !rp->final_sent;
}

/* out_of_time: winding down, and --flush-timeout is over. */
static int
out_of_time(const struct redispub *rp, int64_t now)
{
	return winding_down(rp) && now >= rp->stop_deadline;
}

/*
 * run: the loop, from the first connection attempt to the end.  Returns
 * the exit status.
 */
static int
run(struct redispub *rp)
{
	int rc;

	conn_start(&rp->c);
	for (;;) {
		int64_t now;
		struct outbox_pos sent_from;	/* for stats_sent */
		uint64_t nsent0;

		/* a failure at startup ends it here, and below */
		if (conn_failed(&rp->c))
			return give_up(rp);
		now = mono_ns();
		heed_signals(rp, now);
		/* the end of input starts the --flush-timeout as well */
		if (rp->in.eof && rp->stop_deadline == 0)
			rp->stop_deadline = now + rp->opt.flush_ns;
		read_ring(rp, now);
		take_input(rp);

		conn_tick(&rp->c, now);
		if (conn_failed(&rp->c))
			return give_up(rp);
		check_replies(rp, now);
		if (lease_tick(&rp->ls, conn_is_ready(&rp->c), &rp->ob,
		    &rp->c.out, now) < 0)
			step_down(rp, "not renewed in time");
		tick_stats(rp, now);
		sent_from = rp->ob.send;
		nsent0 = rp->ob.nsent;
		if (conn_is_ready(&rp->c) && lease_may_publish(&rp->ls))
			batch_fill(&rp->b, &rp->ob, &rp->rt, &rp->c.out);
		if (conn_is_ready(&rp->c) && !rp->final_sent)
			proof_send(&rp->pf, &rp->ob, &rp->c.out);
		if (final_stats_due(rp)) {
			send_stats(rp);
			rp->final_sent = 1;
		}
		conn_flush(&rp->c);
		if (conn_failed(&rp->c))
			return give_up(rp);
		if (conn_is_ready(&rp->c) && rp->ob.nsent > nsent0)
			stats_sent(&rp->st, sent_from, rp->ob.nsent - nsent0);

		if (finished(rp)) {
			rc = end_status(rp);
			break;
		}
		if (out_of_time(rp, now)) {
			rc = drop_undelivered(rp);
			break;
		}
		wait_for_work(rp, now);
	}
	stats_print(&rp->st, &rp->ob, "exiting");
	return rc;
}

/*
 * open_input: standard input, or the ring of --ring, opened at once so
 * that a ring that cannot be read is said before anything else.
 * Returns 0, or the exit status.
 */
static int
open_input(struct redispub *rp)
{
	input_init(&rp->in, rp->opt.ring != NULL ? -1 : STDIN_FILENO);
	if (rp->opt.ring == NULL)
		return 0;
	ringin_init(&rp->ri, &rp->in, rp->opt.ring, rp->opt.from,
	    rp->opt.verbose);
	ringin_fill(&rp->ri, 0, mono_ns());
	return rp->ri.exit_code;
}

/* serve: the parts set up, the loop run, the parts freed: exit status. */
static int
serve(struct redispub *rp)
{
	struct conn_events ev = {
		.arg = rp, .up = redis_up_cb, .down = redis_down_cb,
		.reply = redis_reply_cb, .keys_lost = redis_keys_lost_cb
	};
	int rc;

	outbox_init(&rp->ob, rp->opt.max_buf, rp->opt.max_bytes,
	    rp->opt.pipeline);
	route_init(&rp->rt, rp->opt.prefix, rp->opt.name);
	batch_init(&rp->b, rp->opt.pipeline, rp->opt.max_deltas,
	    rp->opt.stream);
	rp->b.cluster = rp->opt.url.is_cluster;
	catch_signals(&rp->sig_ours, &rp->sig_wait);
	proof_init(&rp->pf, rp->opt.url.is_sentinel);
	lease_init(&rp->ls, rp->opt.lease_key, rp->opt.lease_ms);

	conn_init(&rp->c, &rp->opt.url, rp->opt.url_str, rp->opt.password,
	    rp->opt.connect_timeout_ns, mono_ns(), &ev);
	rp->c.reply_timeout = rp->opt.reply_ns;
	/* a standby (--lease) must not close its leader's connection */
	conn_name(&rp->c, rp->opt.base, rp->opt.lease_key == NULL);
	rp->next_stats = rp->c.t_start + rp->opt.stats_ns;
	rc = run(rp);
	if (rc == 0 && rp->ri.exit_code != 0)
		rc = rp->ri.exit_code;	/* the ring ended the input */
	if (rc == 0 && rp->in.rderr != 0)
		rc = EX_OSERR;		/* not the end of input: said */

	conn_free(&rp->c);
	batch_free(&rp->b);
	route_free(&rp->rt);
	outbox_free(&rp->ob);
	return rc;
}

int
main(int argc, char **argv)
{
	struct redispub rp;
	struct args a;
	int rc;

	sig_hold();	/* until catch_signals, which keeps them so */
	std_fds_hold();
	memset(&rp, 0, sizeof(rp));
	if ((rc = parse_args(argc, argv, &rp.opt, &a)) >= 0)
		return rc;
	if (a.check_url != NULL) {
		sig_release();	/* no handlers: as any short command */
		return check_url_main(a.check_url);
	}
	if ((rc = check_options(&rp.opt, &a)) >= 0)
		return rc;

	stats_init(&rp.st);
	if ((rc = open_input(&rp)) == 0)
		rc = serve(&rp);
	input_free(&rp.in);
	ringin_free(&rp.ri);
	if (rp.opt.password != rp.opt.url.password)
		free(rp.opt.password);
	return rc;
}
