/*
 * redispub.c: JSONL on stdin (what shmreader prints) to Redis pub/sub.
 *
 * Each valid line is PUBLISHed, unchanged, on the channel its "type",
 * "venue" and "symbol" name (tickpipe(7)): PREFIX.VENUE.SYMBOL.trade,
 * PREFIX.VENUE.SYMBOL.book, PREFIX.VENUE.status, PREFIX.gap.  Book lines
 * also maintain the late-joiner keys C.snapshot and C.deltas, and every
 * channel is added to the set PREFIX.channels.
 *
 * One thread, one poll loop, one connection.  Lines are validated by a
 * one-pass scanner (jscan.c) and appended to a FIFO of messages held in
 * mmap'd chunks (the --buffer).  Commands are written by hand in RESP,
 * many per write(2), with at most --pipeline messages sent and not yet
 * acknowledged; replies are parsed by hiredis' reader with allocation-free
 * callbacks.  The book deltas of a channel encoded in one batch share one
 * RPUSH, sent ahead of their PUBLISHes (see plan_msg).  A message leaves
 * the FIFO only when all the replies of its commands have arrived.  When the connection is lost, everything not
 * acknowledged is sent again on the next connection (so delivery is
 * at-least-once across a reconnect: subscribers dedupe by "seq"); while
 * Redis is away the FIFO fills and, once full, stdin is no longer read,
 * so the back-pressure reaches the writer of the pipe.
 */
#include <errno.h>
#include <err.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/read.h>

#include "jsonl.h"
#include "redisurl.h"
#include "util.h"
#include "jscan.h"

#define MS			((int64_t)1000000)	/* ns */
#define BACKOFF_MIN		(100 * MS)
#define BACKOFF_MAX		(5000 * MS)
#define CONNECT_TIMEOUT		(2000 * MS)	/* one attempt, incl. AUTH */
#define CHUNK_SIZE		(1u << 20)
#define READ_SIZE		65536
#define OBUF_HIGH		(512u * 1024)	/* stop encoding above this */
#define NAME_MAX_LEN		64		/* venue, symbol */
#define PREFIX_MAX_LEN		64
#define CHAN_MAX		(1u << 20)
#define LOG_PER_SEC		20		/* malformed/error lines */

/* message types (from "type") */
enum { T_TRADE, T_SNAP, T_DELTA, T_STATUS, T_GAP };

/* connection states */
enum { C_DOWN, C_CONNECTING, C_HANDSHAKE, C_READY };

/* handshake commands */
enum { HS_AUTH, HS_SELECT, HS_PING };

struct chan {
	char		*name;
	uint32_t	len;
	uint32_t	hash;
	uint8_t		announced;	/* SADDed on this connection */
	uint8_t		snap_ok;	/* snapshot set on this connection */
	uint8_t		cleared;	/* keys deleted on this connection */
	uint64_t	ndeltas;	/* RPUSHed since the snapshot */
	uint64_t	batch;		/* batch of the open RPUSH group */
	uint32_t	gfirst, glast;	/* its first and last member */
};

/* One buffered message, followed by its line; 8-byte aligned. */
struct msg {
	uint64_t	lineno;
	uint64_t	seq, recv;	/* 0: none */
	uint32_t	len;
	uint32_t	chan;
	uint8_t		type;
};
#define MSG_SIZE(n)	((sizeof(struct msg) + (n) + 7) & ~(size_t)7)

struct chunk {
	struct chunk	*next;
	size_t		cap, used, maplen;
	char		data[];
};

struct qpos {
	struct chunk	*c;
	size_t		off;
};

/*
 * Sent units awaiting replies: a message, or a control command group.
 * A delta whose line went out in a grouped RPUSH has that group's id;
 * the first member's unit also carries the RPUSH's reply (rp_left: the
 * value of left when it arrives).
 */
struct unit {
	uint32_t	left;		/* replies still due */
	uint32_t	rp_left;	/* 0: no RPUSH reply in this unit */
	uint32_t	gid;		/* 0: in no RPUSH group */
	uint32_t	gsize;		/* with rp_left: the group's members */
	uint8_t		is_msg;
	uint8_t		err;
};

/* An RPUSH group that Redis refused: its members are dropped. */
struct failed_group {
	uint32_t	gid;
	uint32_t	left;		/* members not yet acknowledged */
};

/* delta actions planned for a batch */
enum { A_NONE, A_RPUSH, A_DEL };
#define BATCH_MAX	4096
#define NO_NEXT		UINT32_MAX


static struct {
	/* options */
	char		url_str[600];	/* redisurl_show(): for log lines */
	struct redisurl	url;
	const char	*prefix;
	size_t		prefix_len;
	char		*password;
	uint64_t	max_buf;
	uint64_t	max_bytes;
	uint64_t	stream;		/* 0: no streams */
	uint64_t	pipeline;
	uint64_t	max_deltas;
	int64_t		stats_ns;
	int64_t		connect_timeout_ns;
	int64_t		flush_ns;
	int		verbose;
	int		ready_fd;

	/* counters; last_seq and last_recv: of what Redis acknowledged */
	uint64_t	lines, published, malformed, dropped, reconnects;
	uint64_t	redis_errors, last_seq, last_recv;

	/* input */
	char		*ibuf;
	size_t		ilen, icap;
	int		eof, skipping;

	/* the FIFO of messages */
	struct qpos	head, send;
	struct chunk	*tail, *spare;
	uint64_t	qn, qsent, qbytes;

	/* channels: a vector and an open-addressing index into it */
	struct chan	*chans;
	uint32_t	nchans, chancap;
	uint32_t	*chidx;		/* index + 1; 0 empty */
	uint32_t	chidx_mask;

	/* the connection */
	int		fd, state, ever_ready;
	int64_t		backoff, retry_at, conn_deadline, t_start;
	redisReader	*reader;
	char		*obuf;
	size_t		olen, ooff, ocap;
	struct unit	*inf;
	size_t		inf_cap, inf_head, inf_n;
	int		hs_cmd[3], hs_n, hs_i;
	char		conn_err[512];

	/* grouped RPUSH: ids, and the refused groups still in flight */
	uint32_t	gid;
	uint64_t	batch_id;
	struct failed_group *failed;
	size_t		nfailed, failed_cap;
	char		grp_err[200];

	/* timers and shutdown */
	int64_t		next_stats, stop_deadline;
	int		stopping, final_sent;
	int		log_budget;
	int64_t		log_sec;
	uint64_t	log_suppressed;
} g;

static volatile sig_atomic_t sig_stop, sig_usr1;
static sigset_t sig_block;		/* ours, blocked but in ppoll */

/* The reply being read: hiredis' reader calls these, we keep no tree. */
static struct {
	int	err;
	char	msg[200];
} rr;

static void
usage(FILE *f)
{
	fputs("usage: redispub [-hv] [-d fd] [-u url] [--prefix prefix] "
	    "[--password-file file]\n"
	    "                [--buffer n] [--stream maxlen] "
	    "[--stats-interval sec] [--pipeline n]\n"
	    "                [--max-deltas n] [--connect-timeout sec] "
	    "[--flush-timeout sec]\n"
	    "       redispub --check-url url\n", f);
}

/* ---- logging with a rate limit for per-line messages ---- */

/* log_flush: says how many per-line messages the rate limit held back. */
static void
log_flush(void)
{
	if (g.log_suppressed > 0)
		warnx("%" PRIu64 " more malformed or rejected lines not logged "
		    "(at most %d a second)", g.log_suppressed, LOG_PER_SEC);
	g.log_suppressed = 0;
}

static void
log_line(const char *fmt, ...)
{
	int64_t sec = mono_ns() / 1000000000LL;
	va_list ap;

	if (sec != g.log_sec) {
		log_flush();
		g.log_sec = sec;
		g.log_budget = LOG_PER_SEC;
	}
	if (g.log_budget <= 0) {
		g.log_suppressed++;
		return;
	}
	g.log_budget--;
	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
}

static void
print_counters(const char *what)
{
	log_flush();
	warnx("%s: lines=%" PRIu64 " published=%" PRIu64 " malformed=%" PRIu64
	    " dropped=%" PRIu64 " buffered=%" PRIu64 " inflight=%" PRIu64
	    " reconnects=%" PRIu64 " redis_errors=%" PRIu64 " last_seq=%"
	    PRIu64 " last_recv=%" PRIu64, what, g.lines, g.published,
	    g.malformed, g.dropped, g.qn, g.qsent, g.reconnects,
	    g.redis_errors, g.last_seq, g.last_recv);
}

/* ---- the message FIFO ---- */

static struct chunk *
chunk_new(size_t need)
{
	size_t len = sizeof(struct chunk) + (need > CHUNK_SIZE ? need :
	    CHUNK_SIZE);
	struct chunk *c;

	if (g.spare != NULL && need <= g.spare->cap) {
		c = g.spare;
		g.spare = NULL;
	} else {
		len = (len + 4095) & ~(size_t)4095;
		c = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (c == MAP_FAILED)
			err(EX_OSERR, "mmap %zu bytes", len);
		c->maplen = len;
		c->cap = len - sizeof(struct chunk);
	}
	c->next = NULL;
	c->used = 0;
	return c;
}

static void
chunk_free(struct chunk *c)
{
	if (g.spare == NULL && c->maplen == ((sizeof(struct chunk) +
	    CHUNK_SIZE + 4095) & ~(size_t)4095)) {
		g.spare = c;
		return;
	}
	munmap(c, c->maplen);
}

/* q_at: the message at p (stepping to the next chunk), or NULL. */
static struct msg *
q_at(struct qpos *p)
{
	if (p->c == NULL)
		return NULL;
	if (p->off == p->c->used) {
		if (p->c->next == NULL)
			return NULL;
		p->c = p->c->next;
		p->off = 0;
	}
	return (struct msg *)(void *)(p->c->data + p->off);
}

static void
q_push(const char *line, size_t len, uint32_t chan, int type,
    uint64_t lineno, const struct jscan_route *r)
{
	size_t need = MSG_SIZE(len);
	struct msg *m;

	if (g.tail == NULL || g.tail->cap - g.tail->used < need) {
		struct chunk *c = chunk_new(need);

		if (g.tail != NULL)
			g.tail->next = c;
		g.tail = c;
		if (g.head.c == NULL) {
			g.head.c = g.send.c = c;
			g.head.off = g.send.off = 0;
		}
	}
	m = (struct msg *)(void *)(g.tail->data + g.tail->used);
	m->lineno = lineno;
	m->seq = r->has_seq ? r->seq : 0;
	m->recv = r->has_recv ? r->recv : 0;
	m->len = (uint32_t)len;
	m->chan = chan;
	m->type = (uint8_t)type;
	memcpy(m + 1, line, len);
	g.tail->used += need;
	g.qn++;
	g.qbytes += need;
}

/*
 * q_pop: removes the oldest message (it must have been sent), all of whose
 * replies have arrived.  Messages leave in input order, so its seq is the
 * highest with it and every line before it acknowledged: the resume point
 * the stats report as last_seq (redispub(1)).
 */
static void
q_pop(void)
{
	struct msg *m = q_at(&g.head);
	size_t sz = MSG_SIZE(m->len);

	if (m->seq > g.last_seq)
		g.last_seq = m->seq;
	if (m->recv > g.last_recv)
		g.last_recv = m->recv;

	g.head.off += sz;
	g.qn--;
	g.qsent--;
	g.qbytes -= sz;
	if (g.head.off == g.head.c->used && g.head.c->next != NULL) {
		struct chunk *old = g.head.c;

		if (g.send.c == old) {
			g.send.c = old->next;
			g.send.off = 0;
		}
		g.head.c = old->next;
		g.head.off = 0;
		chunk_free(old);
	} else if (g.qn == 0) {
		/* empty: start the one chunk over, keeping it warm */
		g.tail->used = 0;
		g.head.off = g.send.off = 0;
		g.send.c = g.head.c;
	}
}

/* ---- channels ---- */

static uint32_t
hash_bytes(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	while (n-- > 0)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static void
chan_rehash(uint32_t size)
{
	uint32_t i;

	free(g.chidx);
	g.chidx = calloc(size, sizeof(*g.chidx));
	if (g.chidx == NULL)
		err(EX_OSERR, "calloc");
	g.chidx_mask = size - 1;
	for (i = 0; i < g.nchans; i++) {
		uint32_t j = g.chans[i].hash & g.chidx_mask;

		while (g.chidx[j] != 0)
			j = (j + 1) & g.chidx_mask;
		g.chidx[j] = i + 1;
	}
}

/* chan_get: the index of channel name[0..n), added if new; -1 if full. */
static long
chan_get(const char *name, size_t n)
{
	uint32_t h = hash_bytes(name, n), j;
	struct chan *c;

	for (j = h & g.chidx_mask; g.chidx[j] != 0; j = (j + 1) & g.chidx_mask) {
		c = &g.chans[g.chidx[j] - 1];
		if (c->hash == h && c->len == n && memcmp(c->name, name, n) == 0)
			return (long)(g.chidx[j] - 1);
	}
	if (g.nchans >= CHAN_MAX)
		return -1;
	if (g.nchans == g.chancap) {
		g.chancap = g.chancap ? g.chancap * 2 : 64;
		g.chans = realloc(g.chans, g.chancap * sizeof(*g.chans));
		if (g.chans == NULL)
			err(EX_OSERR, "realloc");
	}
	c = &g.chans[g.nchans];
	memset(c, 0, sizeof(*c));
	if ((c->name = malloc(n + 1)) == NULL)
		err(EX_OSERR, "malloc");
	memcpy(c->name, name, n);
	c->name[n] = '\0';
	c->len = (uint32_t)n;
	c->hash = h;
	g.chidx[j] = ++g.nchans;
	if ((uint64_t)g.nchans * 2 > g.chidx_mask)
		chan_rehash((g.chidx_mask + 1) * 2);
	return (long)(g.nchans - 1);
}

/* ---- input lines ---- */

/* name_ok: a venue or symbol that fits in a channel name. */
static int
name_ok(const struct jscan_str *s)
{
	size_t i;

	if (s->ptr == NULL || s->esc || s->len == 0 || s->len > NAME_MAX_LEN)
		return 0;
	for (i = 0; i < s->len; i++) {
		unsigned char c = (unsigned char)s->ptr[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '/' || c == ':' || c == '+'))
			return 0;
	}
	return 1;
}

static int
str_is(const struct jscan_str *s, const char *lit)
{
	size_t n = strlen(lit);

	return s->ptr != NULL && !s->esc && s->len == n &&
	    memcmp(s->ptr, lit, n) == 0;
}

static void
malformed(const char *why)
{
	g.malformed++;
	log_line("line %" PRIu64 ": %s; skipped", g.lines, why);
}

/*
 * handle_line: validates and routes one input line and appends it to the
 * FIFO.  The caller guarantees room.
 */
static void
handle_line(const char *l, size_t n)
{
	struct jscan_route r;
	char why[160], ch[PREFIX_MAX_LEN + 2 * NAME_MAX_LEN + 16];
	size_t cl;
	long ci;
	int type;

	g.lines++;
	if (jscan_line(l, n, &r, why, sizeof(why)) < 0) {
		malformed(why);
		return;
	}
	if (r.type.ptr == NULL) {
		malformed("no \"type\"");
		return;
	}
	if (str_is(&r.type, "trade"))
		type = T_TRADE;
	else if (str_is(&r.type, "book_snapshot"))
		type = T_SNAP;
	else if (str_is(&r.type, "book_delta"))
		type = T_DELTA;
	else if (str_is(&r.type, "status"))
		type = T_STATUS;
	else if (str_is(&r.type, "gap"))
		type = T_GAP;
	else {
		snprintf(why, sizeof(why), "unknown type \"%.*s\"",
		    (int)(r.type.len > 32 ? 32 : r.type.len), r.type.ptr);
		malformed(why);
		return;
	}
	memcpy(ch, g.prefix, g.prefix_len);
	cl = g.prefix_len;
	if (type != T_GAP) {
		if (!name_ok(&r.venue)) {
			malformed(r.venue.ptr == NULL ? "no \"venue\"" :
			    "bad \"venue\" (1-64 of A-Z a-z 0-9 - _ / : +)");
			return;
		}
		ch[cl++] = '.';
		memcpy(ch + cl, r.venue.ptr, r.venue.len);
		cl += r.venue.len;
	}
	if (type == T_TRADE || type == T_SNAP || type == T_DELTA) {
		if (!name_ok(&r.symbol)) {
			malformed(r.symbol.ptr == NULL ? "no \"symbol\"" :
			    "bad \"symbol\" (1-64 of A-Z a-z 0-9 - _ / : +)");
			return;
		}
		ch[cl++] = '.';
		memcpy(ch + cl, r.symbol.ptr, r.symbol.len);
		cl += r.symbol.len;
	}
	switch (type) {
	case T_TRADE:
		memcpy(ch + cl, ".trade", 6);
		cl += 6;
		break;
	case T_SNAP:
	case T_DELTA:
		memcpy(ch + cl, ".book", 5);
		cl += 5;
		break;
	case T_STATUS:
		memcpy(ch + cl, ".status", 7);
		cl += 7;
		break;
	default:
		memcpy(ch + cl, ".gap", 4);
		cl += 4;
	}
	if ((ci = chan_get(ch, cl)) < 0) {
		malformed("too many channels");
		return;
	}
	q_push(l, n, (uint32_t)ci, type, g.lines, &r);
}

static int
q_has_room(void)
{
	return g.qn < g.max_buf && g.qbytes < g.max_bytes;
}

/*
 * process_input: consumes the complete lines in ibuf while the FIFO has
 * room; keeps the rest.  At end of input a last unterminated line counts.
 */
static void
process_input(void)
{
	char *p = g.ibuf, *end = g.ibuf + g.ilen, *nl;

	while (p < end && q_has_room()) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			if (g.eof && !g.skipping) {
				if ((size_t)(end - p) > JSONL_MAX_LINE) {
					g.lines++;
					malformed("line longer than 1 MiB");
				} else {
					handle_line(p, (size_t)(end - p));
				}
				p = end;
			}
			break;
		}
		if (g.skipping) {
			g.skipping = 0;
		} else if ((size_t)(nl - p) > JSONL_MAX_LINE) {
			g.lines++;
			malformed("line longer than 1 MiB");
		} else {
			handle_line(p, (size_t)(nl - p));
		}
		p = nl + 1;
	}
	if (p != g.ibuf) {
		g.ilen = (size_t)(end - p);
		memmove(g.ibuf, p, g.ilen);
	}
	/* a line longer than the limit: count it, then skip to its end */
	if (g.ilen > JSONL_MAX_LINE && memchr(g.ibuf, '\n', g.ilen) == NULL) {
		if (!g.skipping) {
			g.lines++;
			malformed("line longer than 1 MiB");
			g.skipping = 1;
		}
		g.ilen = 0;
	}
}

/* input_pending: a complete line (or the unterminated last) waits. */
static int
input_pending(void)
{
	return g.ilen > 0 && (g.eof || memchr(g.ibuf, '\n', g.ilen) != NULL);
}

static void
read_input(void)
{
	ssize_t n;
	size_t room = g.icap - g.ilen;

	if (room > READ_SIZE)
		room = READ_SIZE;
	n = read(STDIN_FILENO, g.ibuf + g.ilen, room);
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return;
		warn("stdin");
		g.eof = 1;
		return;
	}
	if (n == 0) {
		g.eof = 1;
		if (g.skipping) {
			g.skipping = 0;
			g.ilen = 0;
		}
		return;
	}
	g.ilen += (size_t)n;
}

/* ---- RESP output ---- */

static void
ob_reserve(size_t n)
{
	if (g.ocap - g.olen >= n)
		return;
	if (g.ooff > 0) {	/* drop what was written */
		memmove(g.obuf, g.obuf + g.ooff, g.olen - g.ooff);
		g.olen -= g.ooff;
		g.ooff = 0;
		if (g.ocap - g.olen >= n)
			return;
	}
	while (g.ocap - g.olen < n)
		g.ocap = g.ocap ? g.ocap * 2 : 65536;
	if ((g.obuf = realloc(g.obuf, g.ocap)) == NULL)
		err(EX_OSERR, "realloc");
}

static void
ob_raw(const char *s, size_t n)
{
	memcpy(g.obuf + g.olen, s, n);
	g.olen += n;
}

/* "$N\r\n" or "*N\r\n" */
static void
ob_len(char c, size_t v)
{
	char tmp[24];
	int i = (int)sizeof(tmp);

	tmp[--i] = '\n';
	tmp[--i] = '\r';
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	tmp[--i] = c;
	ob_raw(tmp + i, sizeof(tmp) - (size_t)i);
}

static void
ob_bulk(const char *s, size_t n)
{
	ob_len('$', n);
	ob_raw(s, n);
	ob_raw("\r\n", 2);
}

/* a bulk string of a followed by b (a key: channel + suffix) */
static void
ob_bulk2(const char *a, size_t an, const char *b, size_t bn)
{
	ob_len('$', an + bn);
	ob_raw(a, an);
	ob_raw(b, bn);
	ob_raw("\r\n", 2);
}

#define OB_LIT(s)	ob_raw(s, sizeof(s) - 1)

/*
 * The batch fill() encodes: a run of unsent messages, planned first
 * (plan_msg) so that the deltas of one book channel go out in ONE RPUSH
 * (a group), placed right before the PUBLISH of the first of them; the
 * PUBLISHes follow in input order.  So every delta is in C.deltas before
 * it is published, which is all a late joiner needs (tickpipe(7)): the
 * list may hold deltas not yet published, which the joiner applies from
 * the list and then skips when they arrive live (their seq is not
 * higher).  A snapshot of C closes C's group (its MULTI comes after the
 * RPUSH of the deltas before it, the deltas after it start a new group),
 * so does the --max-deltas cap.
 */
static struct {
	struct msg	*m[BATCH_MAX];
	uint8_t		act[BATCH_MAX];
	uint32_t	next[BATCH_MAX];	/* next member of its group */
	uint32_t	gsize[BATCH_MAX];	/* first member: members */
	size_t		gbytes[BATCH_MAX];	/* first member: their bytes */
	uint32_t	gid[BATCH_MAX];		/* the group's id */
	uint32_t	n;
} b;

/* plan_msg: the late-joiner action of message i of the batch. */
static void
plan_msg(uint32_t i)
{
	struct msg *m = b.m[i];
	struct chan *c = &g.chans[m->chan];

	b.act[i] = A_NONE;
	b.next[i] = NO_NEXT;
	b.gsize[i] = 0;
	if (m->type == T_SNAP) {
		c->snap_ok = 1;
		c->cleared = 0;
		c->ndeltas = 0;
		c->batch = 0;		/* close the group */
		return;
	}
	if (m->type != T_DELTA)
		return;
	if (c->snap_ok && c->ndeltas >= g.max_deltas) {
		c->snap_ok = 0;
		c->cleared = 0;
		c->batch = 0;
	}
	if (c->snap_ok) {
		b.act[i] = A_RPUSH;
		c->ndeltas++;
		if (c->batch == g.batch_id) {
			b.next[c->glast] = i;
			c->glast = i;
			b.gsize[c->gfirst]++;
			b.gbytes[c->gfirst] += m->len;
		} else {
			c->batch = g.batch_id;
			c->gfirst = c->glast = i;
			b.gsize[i] = 1;
			b.gbytes[i] = m->len;
		}
	} else if (!c->cleared) {
		/*
		 * No snapshot sent on this connection (a restart, or the
		 * cap): the keys would not rebuild the book, so late
		 * joiners wait for the next snapshot.
		 */
		b.act[i] = A_DEL;
		c->cleared = 1;
	}
}

/*
 * encode_msg: appends the commands for message i of the batch to the
 * output buffer; returns the number of replies they will produce, and in
 * *rp_idx the index among them of a grouped RPUSH's reply (or -1).
 */
static uint32_t
encode_msg(uint32_t i, int *rp_idx)
{
	const struct msg *m = b.m[i];
	struct chan *c = &g.chans[m->chan];
	const char *line = (const char *)(m + 1);
	uint32_t n = 0;

	*rp_idx = -1;
	ob_reserve(3 * m->len + 3 * c->len + g.prefix_len + 512);
	if (!c->announced) {
		OB_LIT("*3\r\n$4\r\nSADD\r\n");
		ob_bulk2(g.prefix, g.prefix_len, ".channels", 9);
		ob_bulk(c->name, c->len);
		c->announced = 1;
		n++;
	}
	switch (m->type) {
	case T_SNAP:
		OB_LIT("*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n");
		ob_bulk2(c->name, c->len, ".snapshot", 9);
		ob_bulk(line, m->len);
		OB_LIT("*2\r\n$3\r\nDEL\r\n");
		ob_bulk2(c->name, c->len, ".deltas", 7);
		OB_LIT("*3\r\n$7\r\nPUBLISH\r\n");
		ob_bulk(c->name, c->len);
		ob_bulk(line, m->len);
		OB_LIT("*1\r\n$4\r\nEXEC\r\n");
		n += 5;
		break;
	case T_DELTA:
		if (b.act[i] == A_RPUSH && b.gsize[i] > 0) {
			uint32_t j;

			ob_reserve(b.gbytes[i] + 24 * (size_t)b.gsize[i] +
			    c->len + 64);
			ob_len('*', 2 + (size_t)b.gsize[i]);
			OB_LIT("$5\r\nRPUSH\r\n");
			ob_bulk2(c->name, c->len, ".deltas", 7);
			for (j = i; j != NO_NEXT; j = b.next[j])
				ob_bulk((const char *)(b.m[j] + 1),
				    b.m[j]->len);
			*rp_idx = (int)n;
			n++;
		} else if (b.act[i] == A_DEL) {
			OB_LIT("*3\r\n$3\r\nDEL\r\n");
			ob_bulk2(c->name, c->len, ".snapshot", 9);
			ob_bulk2(c->name, c->len, ".deltas", 7);
			n++;
		}
		/* FALLTHROUGH */
	default:
		OB_LIT("*3\r\n$7\r\nPUBLISH\r\n");
		ob_bulk(c->name, c->len);
		ob_bulk(line, m->len);
		n++;
	}
	if (g.stream > 0) {
		OB_LIT("*8\r\n$4\r\nXADD\r\n");
		ob_bulk2(c->name, c->len, ".stream", 7);
		OB_LIT("$6\r\nMAXLEN\r\n$1\r\n~\r\n");
		{
			char num[24];
			int k = snprintf(num, sizeof(num), "%" PRIu64,
			    g.stream);

			ob_bulk(num, (size_t)k);
		}
		OB_LIT("$1\r\n*\r\n$4\r\nline\r\n");
		ob_bulk(line, m->len);
		n++;
	}
	return n;
}

static struct unit *
inf_push(uint32_t left, int is_msg)
{
	struct unit *u;

	if (g.inf_n == g.inf_cap)
		return NULL;
	u = &g.inf[(g.inf_head + g.inf_n) % g.inf_cap];
	u->left = left;
	u->rp_left = 0;
	u->gid = 0;
	u->gsize = 0;
	u->is_msg = (uint8_t)is_msg;
	u->err = 0;
	g.inf_n++;
	return u;
}

static size_t
stats_json(char *buf, size_t len)
{
	int n = snprintf(buf, len, "{\"type\":\"stats\",\"prog\":\"redispub\","
	    "\"pid\":%ld,\"ts\":%" PRId64 ",\"lines\":%" PRIu64 ",\"published\":%"
	    PRIu64 ",\"malformed\":%" PRIu64 ",\"dropped\":%" PRIu64
	    ",\"buffered\":%" PRIu64 ",\"reconnects\":%" PRIu64 ",\"last_seq\":%"
	    PRIu64 ",\"last_recv\":%" PRIu64 "}", (long)getpid(), now_ns(),
	    g.lines, g.published, g.malformed, g.dropped, g.qn, g.reconnects,
	    g.last_seq, g.last_recv);

	return (size_t)n;
}

/*
 * send_stats: SET and PUBLISH PREFIX.tickpipe.stats; needs C_READY.  The
 * key is where tickpipe(8) resumes after a restart, so it is left alone
 * until this process has a last_seq of its own: the value there (from
 * the process before) is still a true resume point, a 0 would not be.
 */
static void
send_stats(void)
{
	char js[512];
	size_t n = stats_json(js, sizeof(js));
	int set = g.last_seq > 0;

	if (inf_push(set ? 2 : 1, 0) == NULL)
		return;
	ob_reserve(2 * n + 2 * g.prefix_len + 128);
	if (set) {
		OB_LIT("*3\r\n$3\r\nSET\r\n");
		ob_bulk2(g.prefix, g.prefix_len, ".tickpipe.stats", 15);
		ob_bulk(js, n);
	}
	OB_LIT("*3\r\n$7\r\nPUBLISH\r\n");
	ob_bulk2(g.prefix, g.prefix_len, ".tickpipe.stats", 15);
	ob_bulk(js, n);
}

/*
 * fill: encodes unsent messages within the pipeline and buffer bounds,
 * a batch at a time (see plan_msg).
 */
static void
fill(void)
{
	struct qpos p;
	struct msg *m;
	uint32_t i;

	if (g.state != C_READY)
		return;
	while (g.qsent < g.pipeline && g.olen - g.ooff < OBUF_HIGH) {
		size_t room = OBUF_HIGH - (g.olen - g.ooff), est = 0;
		uint64_t max = g.pipeline - g.qsent;

		if (max > BATCH_MAX)
			max = BATCH_MAX;
		/* the batch: what fits, at least one message */
		p = g.send;
		b.n = 0;
		while (b.n < max && (m = q_at(&p)) != NULL) {
			size_t sz = (g.stream > 0 ? 3 : 2) * (size_t)m->len +
			    3 * (size_t)g.chans[m->chan].len + 160;

			if (b.n > 0 && est + sz > room)
				break;
			est += sz;
			b.m[b.n++] = m;
			p.off += MSG_SIZE(m->len);
		}
		if (b.n == 0)
			return;
		g.batch_id++;
		for (i = 0; i < b.n; i++)
			plan_msg(i);
		for (i = 0; i < b.n; i++) {
			struct unit *u;
			int rp_idx;
			uint32_t n = encode_msg(i, &rp_idx);

			/* cannot fail: cap > pipeline */
			if ((u = inf_push(n, 1)) == NULL)
				errx(EX_SOFTWARE, "in-flight ring overflow");
			if (b.act[i] != A_RPUSH)
				continue;
			if (b.gsize[i] > 0) {	/* the group's first member */
				uint32_t j;

				if (++g.gid == 0)
					g.gid = 1;
				for (j = i; j != NO_NEXT; j = b.next[j])
					b.gid[j] = g.gid;
				u->rp_left = n - (uint32_t)rp_idx;
				u->gsize = b.gsize[i];
			}
			u->gid = b.gid[i];
		}
		g.send = p;
		g.qsent += b.n;
	}
}

/* ---- the connection ---- */

static void
conn_close(void)
{
	if (g.fd >= 0)
		close(g.fd);
	g.fd = -1;
	if (g.reader != NULL)
		redisReaderFree(g.reader);
	g.reader = NULL;
	g.olen = g.ooff = 0;
	if (g.ocap > 4 * OBUF_HIGH) {
		free(g.obuf);
		g.obuf = NULL;
		g.ocap = 0;
	}
	g.inf_n = 0;
	g.inf_head = 0;
	g.nfailed = 0;
	/* everything not acknowledged is sent again */
	g.send = g.head;
	g.qsent = 0;
}

static void
fatal_startup(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
	if (g.lines > 0) {
		g.dropped += g.qn;
		print_counters("exiting");
	}
	exit(code);
}

/*
 * conn_lost: closes the connection and schedules the next attempt with
 * exponential backoff.  Before the first successful connection, gives up
 * (exit 69) once --connect-timeout has passed.
 */
static void
conn_lost(const char *why)
{
	int64_t now = mono_ns();

	conn_close();
	if (!g.ever_ready && now - g.t_start >= g.connect_timeout_ns)
		fatal_startup(EX_UNAVAILABLE, "redis %s: %s; giving up after "
		    "%" PRId64 " s (--connect-timeout)", g.url_str, why,
		    g.connect_timeout_ns / 1000000000LL);
	g.state = C_DOWN;
	g.retry_at = now + g.backoff;
	if (!g.ever_ready && g.retry_at > g.t_start + g.connect_timeout_ns)
		g.retry_at = g.t_start + g.connect_timeout_ns;
	warnx("redis %s: %s; retrying in %" PRId64 " ms (%" PRIu64
	    " buffered)", g.url_str, why, (g.retry_at - now) / MS, g.qn);
	g.backoff *= 2;
	if (g.backoff > BACKOFF_MAX)
		g.backoff = BACKOFF_MAX;
}

static void *
rd_string(const redisReadTask *t, char *s, size_t n)
{
	if (t->type == REDIS_REPLY_ERROR && !rr.err) {
		rr.err = 1;
		snprintf(rr.msg, sizeof(rr.msg), "%.*s",
		    (int)(n > 190 ? 190 : n), s);
	}
	return &rr;
}

static void *
rd_array(const redisReadTask *t, int n)
{
	(void)t;
	(void)n;
	return &rr;
}

static void *
rd_int(const redisReadTask *t, long long v)
{
	(void)t;
	(void)v;
	return &rr;
}

static void *
rd_nil(const redisReadTask *t)
{
	(void)t;
	return &rr;
}

static void
rd_free(void *p)
{
	(void)p;
}

static redisReplyObjectFunctions rd_fns = {
	rd_string, rd_array, rd_int, rd_nil, rd_free
};

static void
ob_cmd_auth(void)
{
	size_t pl = strlen(g.password), ul = strlen(g.url.user);

	ob_reserve(pl + ul + 64);
	if (ul > 0) {
		OB_LIT("*3\r\n$4\r\nAUTH\r\n");
		ob_bulk(g.url.user, ul);
	} else {
		OB_LIT("*2\r\n$4\r\nAUTH\r\n");
	}
	ob_bulk(g.password, pl);
}

/* conn_handshake: AUTH, SELECT, PING; replies checked in on_reply. */
static void
conn_handshake(void)
{
	g.state = C_HANDSHAKE;
	g.hs_n = g.hs_i = 0;
	if (g.password != NULL) {
		ob_cmd_auth();
		g.hs_cmd[g.hs_n++] = HS_AUTH;
	}
	if (g.url.db != 0) {
		char num[24];
		int k = snprintf(num, sizeof(num), "%d", g.url.db);

		ob_reserve(64);
		OB_LIT("*2\r\n$6\r\nSELECT\r\n");
		ob_bulk(num, (size_t)k);
		g.hs_cmd[g.hs_n++] = HS_SELECT;
	}
	ob_reserve(32);
	OB_LIT("*1\r\n$4\r\nPING\r\n");
	g.hs_cmd[g.hs_n++] = HS_PING;
}

static void
conn_start(void)
{
	int fd, one = 1;

	g.reader = redisReaderCreateWithFunctions(&rd_fns);
	if (g.reader == NULL)
		err(EX_OSERR, "redisReaderCreate");
	g.state = C_CONNECTING;
	g.conn_deadline = mono_ns() + CONNECT_TIMEOUT;
	if (g.url.is_unix) {
		struct sockaddr_un sun;

		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		strcpy(sun.sun_path, g.url.path);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
		if (fd < 0)
			err(EX_OSERR, "socket");
		g.fd = fd;
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 &&
		    errno != EINPROGRESS) {
			snprintf(g.conn_err, sizeof(g.conn_err), "connect: %s",
			    strerror(errno));
			conn_lost(g.conn_err);
		}
		return;
	} else {
		struct addrinfo hints, *ai;
		char port[8];
		int rc;

		/* XXX getaddrinfo blocks; a name that needs DNS can stall */
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		snprintf(port, sizeof(port), "%d", g.url.port);
		rc = getaddrinfo(g.url.host, port, &hints, &ai);
		if (rc != 0) {
			snprintf(g.conn_err, sizeof(g.conn_err), "resolve "
			    "%s: %s", g.url.host, gai_strerror(rc));
			conn_lost(g.conn_err);
			return;
		}
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			err(EX_OSERR, "socket");
		g.fd = fd;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
		rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
		freeaddrinfo(ai);
		if (rc < 0 && errno != EINPROGRESS) {
			snprintf(g.conn_err, sizeof(g.conn_err), "connect: %s",
			    strerror(errno));
			conn_lost(g.conn_err);
		}
	}
}

static void
conn_ready(void)
{
	uint32_t i;

	g.state = C_READY;
	g.backoff = BACKOFF_MIN;
	for (i = 0; i < g.nchans; i++) {
		g.chans[i].announced = 0;
		g.chans[i].snap_ok = 0;
		g.chans[i].cleared = 0;
	}
	if (g.ever_ready) {
		g.reconnects++;
		warnx("redis %s: reconnected; resending %" PRIu64 " messages",
		    g.url_str, g.qn);
	} else {
		if (g.verbose)
			warnx("redis %s: connected", g.url_str);
		g.ever_ready = 1;
		if (g.ready_fd >= 0 && notify_ready(g.ready_fd) < 0)
			warn("readiness fd");
		g.ready_fd = -1;
	}
}

/*
 * on_handshake_reply: a reply to AUTH, SELECT or PING.  Before the first
 * successful connection a refused password (77) or database (78) is
 * fatal; afterwards every failure just means: try again later.
 */
static int
on_handshake_reply(void)
{
	int cmd = g.hs_cmd[g.hs_i++];

	if (rr.err) {
		int code = 0, loading = strncmp(rr.msg, "LOADING", 7) == 0;

		if (cmd == HS_AUTH || (cmd == HS_PING &&
		    strncmp(rr.msg, "NOAUTH", 6) == 0) ||
		    (cmd == HS_SELECT && strncmp(rr.msg, "NOAUTH", 6) == 0))
			code = EX_NOPERM;
		else if (cmd == HS_SELECT && !loading)
			code = EX_CONFIG;
		snprintf(g.conn_err, sizeof(g.conn_err), "%s refused: %s",
		    cmd == HS_AUTH ? "AUTH" : cmd == HS_SELECT ? "SELECT" :
		    "PING", rr.msg);
		if (code != 0 && !g.ever_ready)
			fatal_startup(code, "redis %s: %s", g.url_str,
			    g.conn_err);
		conn_lost(g.conn_err);
		return -1;
	}
	if (g.hs_i == g.hs_n)
		conn_ready();
	return 0;
}

/* group_refused: Redis refused the RPUSH of group gid (n members). */
static void
group_refused(uint32_t gid, uint32_t n)
{
	if (g.nfailed == g.failed_cap) {
		g.failed_cap = g.failed_cap ? 2 * g.failed_cap : 16;
		g.failed = realloc(g.failed, g.failed_cap * sizeof(*g.failed));
		if (g.failed == NULL)
			err(EX_OSERR, "realloc");
	}
	g.failed[g.nfailed].gid = gid;
	g.failed[g.nfailed].left = n;
	g.nfailed++;
	snprintf(g.grp_err, sizeof(g.grp_err), "%s", rr.msg);
}

/* group_member_done: 1 if the RPUSH of the acknowledged member failed. */
static int
group_member_done(uint32_t gid)
{
	size_t i;

	for (i = 0; i < g.nfailed; i++) {
		if (g.failed[i].gid != gid)
			continue;
		if (--g.failed[i].left == 0)
			g.failed[i] = g.failed[--g.nfailed];
		return 1;
	}
	return 0;
}

/* on_reply: one complete top-level reply in rr. */
static int
on_reply(void)
{
	struct unit *u;

	if (g.state == C_HANDSHAKE)
		return on_handshake_reply();
	if (g.inf_n == 0) {
		conn_lost("reply to no command (protocol confusion)");
		return -1;
	}
	u = &g.inf[g.inf_head];
	if (rr.err) {
		u->err = 1;
		g.redis_errors++;
		if (u->rp_left != 0 && u->left == u->rp_left)
			group_refused(u->gid, u->gsize);
	}
	if (--u->left > 0)
		return 0;
	g.inf_head = (g.inf_head + 1) % g.inf_cap;
	g.inf_n--;
	if (!u->is_msg) {
		if (u->err)
			warnx("redis: stats not stored: %s", rr.msg);
		return 0;
	}
	if (u->gid != 0 && g.nfailed > 0 && group_member_done(u->gid) &&
	    !u->err) {
		struct msg *m = q_at(&g.head);

		g.dropped++;
		log_line("line %" PRIu64 ": redis refused the RPUSH of its "
		    "delta: %s; counted as dropped", m->lineno, g.grp_err);
	} else if (u->err) {
		struct msg *m = q_at(&g.head);

		g.dropped++;
		log_line("line %" PRIu64 ": redis refused a command: %s; "
		    "counted as dropped", m->lineno, rr.msg);
	} else {
		g.published++;
	}
	q_pop();
	return 0;
}

static void
conn_read(void)
{
	char buf[65536];
	ssize_t n;
	void *reply;

	for (;;) {
		n = read(g.fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			snprintf(g.conn_err, sizeof(g.conn_err), "read: %s",
			    strerror(errno));
			conn_lost(g.conn_err);
			return;
		}
		if (n == 0) {
			conn_lost("connection closed by server");
			return;
		}
		if (redisReaderFeed(g.reader, buf, (size_t)n) != REDIS_OK) {
			conn_lost("reply buffer");
			return;
		}
		for (;;) {
			rr.err = 0;
			if (redisReaderGetReply(g.reader, &reply) != REDIS_OK) {
				snprintf(g.conn_err, sizeof(g.conn_err),
				    "protocol error: %s", g.reader->errstr);
				conn_lost(g.conn_err);
				return;
			}
			if (reply == NULL)
				break;
			if (on_reply() < 0)
				return;
		}
		if ((size_t)n < sizeof(buf))
			return;
	}
}

static void
conn_write(void)
{
	while (g.ooff < g.olen) {
		ssize_t n = write(g.fd, g.obuf + g.ooff, g.olen - g.ooff);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			snprintf(g.conn_err, sizeof(g.conn_err), "write: %s",
			    strerror(errno));
			conn_lost(g.conn_err);
			return;
		}
		g.ooff += (size_t)n;
	}
	g.ooff = g.olen = 0;
}

/* conn_connected: the non-blocking connect finished (POLLOUT). */
static void
conn_connected(void)
{
	int e = 0;
	socklen_t el = sizeof(e);

	if (getsockopt(g.fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
		e = errno;
	if (e != 0) {
		snprintf(g.conn_err, sizeof(g.conn_err), "connect: %s",
		    strerror(e));
		conn_lost(g.conn_err);
		return;
	}
	conn_handshake();
}

/* ---- setup ---- */

static char *
read_password_file(const char *path)
{
	FILE *f;
	char *buf = NULL;
	size_t cap = 0;
	long n;
	struct stat st;

	if ((f = fopen(path, "r")) == NULL)
		err(EX_CONFIG, "password file %s", path);
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077) != 0)
		warnx("password file %s: readable by group or others", path);
	n = read_line(f, &buf, &cap, 4096);
	fclose(f);
	if (n <= 0)
		errx(EX_CONFIG, "password file %s: %s", path, n == -3 ?
		    "first line too long" : "no password on the first line");
	return buf;
}

static int
prefix_ok(const char *p)
{
	size_t n = strlen(p), i;

	if (n == 0 || n > PREFIX_MAX_LEN)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == ':' || c == '/'))
			return 0;
	}
	return 1;
}

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		sig_usr1 = 1;
	else
		sig_stop = 1;
}

/*
 * take_signals: ppoll delivers our signals only when it blocks, which it
 * never does while stdin always has input (a flood of bad lines); so
 * each turn of the loop also takes those pending.
 */
static void
take_signals(void)
{
	static const struct timespec zero;
	int sig;

	while ((sig = sigtimedwait(&sig_block, NULL, &zero)) > 0)
		on_signal(sig);
}

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
	if (u.is_unix) {
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

int
main(int argc, char **argv)
{
	enum { O_PREFIX = 256, O_PWFILE, O_BUFFER, O_STREAM, O_STATS,
	    O_PIPELINE, O_MAXDELTAS, O_CONNTO, O_FLUSHTO, O_CHECKURL };
	static const struct option lopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "url", required_argument, NULL, 'u' },
		{ "prefix", required_argument, NULL, O_PREFIX },
		{ "password-file", required_argument, NULL, O_PWFILE },
		{ "buffer", required_argument, NULL, O_BUFFER },
		{ "stream", required_argument, NULL, O_STREAM },
		{ "stats-interval", required_argument, NULL, O_STATS },
		{ "pipeline", required_argument, NULL, O_PIPELINE },
		{ "max-deltas", required_argument, NULL, O_MAXDELTAS },
		{ "connect-timeout", required_argument, NULL, O_CONNTO },
		{ "flush-timeout", required_argument, NULL, O_FLUSHTO },
		{ "check-url", required_argument, NULL, O_CHECKURL },
		{ NULL, 0, NULL, 0 }
	};
	const char *pwfile = NULL, *env, *url = "redis://127.0.0.1:6379";
	const char *check_url = NULL;
	char uerr[160];
	struct sigaction sa;
	sigset_t waitmask;
	int c, rc = 0;

	g.prefix = "md";
	g.max_buf = 65536;
	g.pipeline = 8192;
	g.max_deltas = 100000;
	g.stats_ns = 2000 * MS;
	g.connect_timeout_ns = 10000 * MS;
	g.flush_ns = 5000 * MS;
	g.ready_fd = -1;
	g.fd = -1;

	while ((c = getopt_long(argc, argv, "hvd:u:", lopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case 'v':
			g.verbose = 1;
			break;
		case 'd':
			if ((g.ready_fd = parse_fd_opt(optarg)) < 0) {
				warnx("-d: '%s' is not an open file "
				    "descriptor", optarg);
				return EX_USAGE;
			}
			break;
		case 'u':
			url = optarg;
			break;
		case O_CHECKURL:
			check_url = optarg;
			break;
		case O_PREFIX:
			g.prefix = optarg;
			break;
		case O_PWFILE:
			pwfile = optarg;
			break;
		case O_BUFFER:
			g.max_buf = opt_u64("--buffer", optarg, 1, 100000000);
			break;
		case O_STREAM:
			g.stream = opt_u64("--stream", optarg, 1,
			    1000000000);
			break;
		case O_STATS:
			g.stats_ns = (int64_t)opt_u64("--stats-interval",
			    optarg, 0, 86400) * 1000 * MS;
			break;
		case O_PIPELINE:
			g.pipeline = opt_u64("--pipeline", optarg, 1,
			    1000000);
			break;
		case O_MAXDELTAS:
			g.max_deltas = opt_u64("--max-deltas", optarg, 1,
			    100000000);
			break;
		case O_CONNTO:
			g.connect_timeout_ns = (int64_t)opt_u64(
			    "--connect-timeout", optarg, 0, 86400) * 1000 * MS;
			break;
		case O_FLUSHTO:
			g.flush_ns = (int64_t)opt_u64("--flush-timeout",
			    optarg, 0, 86400) * 1000 * MS;
			break;
		default:
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		warnx("unexpected argument '%s'", argv[optind]);
		return EX_USAGE;
	}
	if (check_url != NULL)
		return check_url_main(check_url);
	if (redisurl_parse(url, &g.url, uerr, sizeof(uerr)) < 0) {
		warnx("-u: bad Redis URL: %s", uerr);
		return EX_USAGE;
	}
	redisurl_show(&g.url, g.url_str, sizeof(g.url_str));
	if (g.url.has_password && pwfile != NULL) {
		warnx("-u: a password in the URL and --password-file: give one");
		return EX_USAGE;
	}
	if (!prefix_ok(g.prefix)) {
		warnx("bad --prefix '%s': 1-64 of A-Z a-z 0-9 - _ . : /",
		    g.prefix);
		return EX_USAGE;
	}
	g.prefix_len = strlen(g.prefix);
	/* the URL's or the file's password, else the environment's */
	if (g.url.has_password) {
		g.password = g.url.password;
	} else if (pwfile != NULL) {
		g.password = read_password_file(pwfile);
	} else if ((env = getenv("TICKPIPE_REDIS_PASSWORD")) != NULL &&
	    *env != '\0') {
		if ((g.password = strdup(env)) == NULL)
			err(EX_OSERR, "strdup");
	}
	unsetenv("TICKPIPE_REDIS_PASSWORD");
	if (g.url.user[0] != '\0' && g.password == NULL)
		errx(EX_CONFIG, "user '%s' in the URL but no password "
		    "(TICKPIPE_REDIS_PASSWORD or --password-file)", g.url.user);
	/* memory bound of the buffer, whatever the line sizes */
	g.max_bytes = g.max_buf * 4096 > (256u << 20) ? g.max_buf * 4096 :
	    (256u << 20);

	g.icap = JSONL_MAX_LINE + READ_SIZE;
	if ((g.ibuf = malloc(g.icap)) == NULL)
		err(EX_OSERR, "malloc");
	g.inf_cap = g.pipeline + 16;
	if ((g.inf = calloc(g.inf_cap, sizeof(*g.inf))) == NULL)
		err(EX_OSERR, "calloc");
	chan_rehash(256);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sig_block);
	sigaddset(&sig_block, SIGTERM);
	sigaddset(&sig_block, SIGINT);
	sigaddset(&sig_block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &sig_block, &waitmask);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGUSR1);
	if (fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) |
	    O_NONBLOCK) < 0 && errno != EBADF)
		warn("stdin: O_NONBLOCK");

	g.t_start = mono_ns();
	g.backoff = BACKOFF_MIN;
	g.next_stats = g.t_start + g.stats_ns;
	conn_start();

	for (;;) {
		struct pollfd pfd[2];
		int np = 0, ifd = -1, rfd = -1;
		int64_t now = mono_ns(), wake = now + 1000 * MS;
		struct timespec ts;

		take_signals();
		if (sig_usr1) {
			sig_usr1 = 0;
			print_counters("counters");
		}
		if (sig_stop && !g.stopping) {
			g.stopping = 1;
			g.stop_deadline = now + g.flush_ns;
			if (g.verbose || g.qn > 0)
				warnx("stopping: flushing %" PRIu64
				    " buffered messages", g.qn);
		}
		if (g.eof && g.stop_deadline == 0)
			g.stop_deadline = now + g.flush_ns;

		/* input: take what is read, then read more if there is room */
		process_input();

		/* timers */
		if (g.state == C_DOWN && now >= g.retry_at)
			conn_start();
		if ((g.state == C_CONNECTING || g.state == C_HANDSHAKE) &&
		    now >= g.conn_deadline)
			conn_lost("connect timed out");
		if (g.stats_ns > 0 && now >= g.next_stats) {
			if (g.state == C_READY)
				send_stats();
			if (g.verbose)
				print_counters("counters");
			g.next_stats = now + g.stats_ns;
		}

		/* output */
		fill();
		if ((g.stopping || g.eof) && !input_pending() && g.qn == 0 &&
		    g.state == C_READY && !g.final_sent) {
			send_stats();
			g.final_sent = 1;
		}
		if ((g.state == C_READY || g.state == C_HANDSHAKE) &&
		    g.olen > g.ooff)
			conn_write();

		/* done? */
		if ((g.stopping || g.eof) && !input_pending() && g.qn == 0 &&
		    (g.final_sent ? g.inf_n == 0 : g.state != C_READY))
			break;
		if ((g.stopping || g.eof) && now >= g.stop_deadline) {
			uint64_t left = g.qn;

			/* what was read and not queued counts as well */
			while (input_pending()) {
				char *nl = memchr(g.ibuf, '\n', g.ilen);
				size_t n = nl ? (size_t)(nl - g.ibuf) + 1 :
				    g.ilen;

				g.lines++;
				left++;
				memmove(g.ibuf, g.ibuf + n, g.ilen - n);
				g.ilen -= n;
			}
			if (left > 0) {
				warnx("redis %s: not reachable in time; "
				    "dropping %" PRIu64 " undelivered messages",
				    g.url_str, left);
				g.dropped += left;
				rc = g.stopping ? 0 : EX_UNAVAILABLE;
			}
			g.qn = g.qsent = 0;
			break;
		}

		/* poll */
		if (!g.eof && !g.stopping && q_has_room() && !input_pending()) {
			pfd[np].fd = STDIN_FILENO;
			pfd[np].events = POLLIN;
			ifd = np++;
		}
		if (g.fd >= 0 && g.state != C_DOWN) {
			pfd[np].fd = g.fd;
			pfd[np].events = g.state == C_CONNECTING ? POLLOUT :
			    POLLIN | (g.olen > g.ooff ? POLLOUT : 0);
			rfd = np++;
		}
		if (g.state == C_DOWN && g.retry_at < wake)
			wake = g.retry_at;
		if ((g.state == C_CONNECTING || g.state == C_HANDSHAKE) &&
		    g.conn_deadline < wake)
			wake = g.conn_deadline;
		if (g.stats_ns > 0 && g.next_stats < wake)
			wake = g.next_stats;
		if ((g.stopping || g.eof) && g.stop_deadline < wake)
			wake = g.stop_deadline;
		if (input_pending() && q_has_room())
			wake = now;
		if (wake < now)
			wake = now;
		ts.tv_sec = (wake - now) / 1000000000LL;
		ts.tv_nsec = (wake - now) % 1000000000LL;
		if (ppoll(pfd, (nfds_t)np, &ts, &waitmask) < 0) {
			if (errno == EINTR)
				continue;
			err(EX_OSERR, "ppoll");
		}
		if (rfd >= 0 && pfd[rfd].revents != 0) {
			if (g.state == C_CONNECTING)
				conn_connected();
			else if (pfd[rfd].revents & (POLLIN | POLLERR | POLLHUP))
				conn_read();
			if (g.state != C_DOWN && g.fd >= 0 &&
			    (pfd[rfd].revents & POLLOUT) && g.olen > g.ooff)
				conn_write();
		}
		if (ifd >= 0 && (pfd[ifd].revents & (POLLIN | POLLHUP | POLLERR)))
			read_input();
	}
	print_counters("exiting");
	return rc;
}
