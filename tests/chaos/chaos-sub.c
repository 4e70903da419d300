/*
 * chaos-sub.c: a client that follows everything and logs what it gets,
 * for tests/t-chaos-pipeline.sh and tests/t-redispub-redis-restart.sh;
 * tests/chaos/chaos.py reads the logs.  In C so that it keeps up with
 * 20000 messages a second on a loaded machine.
 *
 *   chaos-sub redis PORT AUTH_FILE PATTERN LOG
 *	PSUBSCRIBE PATTERN on the Redis at 127.0.0.1:PORT, after AUTH with
 *	the first line of AUTH_FILE ("PASSWORD" or "USER PASSWORD"; - for
 *	none); reconnects every 50 ms while Redis is away.
 *   chaos-sub ws PORT PATTERN LOG
 *	a WebSocket client of wsgate at ws://127.0.0.1:PORT/ws (RFC 6455),
 *	subscribed to PATTERN (tickpipe(7)); reconnects every 50 ms.
 *
 * It runs until SIGTERM, then reads what is already there (until 0.2 s
 * pass without data, at most 1 s) and exits.  The log, one line an event
 * (MS: wall clock milliseconds when it happened):
 *   H KIND			first: redis or ws
 *   M MS SEQ CHANNEL		a data line (trade, book, status) with its seq
 *   G MS FROM LOST		a gap line
 *   A MS JSON			any other document but redispub's stats
 *   D MS WHY			blind from now: disconnected, or redis_down
 *   U MS WHY			subscribed again, or redis_up; "subscribed
 *				clean": to a Redis that holds no key yet, so
 *				nothing was published on it before (redispub
 *				SADDs PREFIX.channels before its first PUBLISH
 *				on a connection): it missed nothing while blind
 *   C MS CHANNEL		wsgate moved the book CHANNEL of this slow
 *				client to conflation ({"type":"conflated"},
 *				wsgate(1) --slow-client-hz): its queued book
 *				frames are dropped, and it gets the book
 *				conflated from then on, until it reconnects
 *   B MS CHANNEL WHY		a book went wrong without notice (see below)
 *   L CHANNEL LINE		at exit, for each exact book: its snapshot
 *				and the deltas applied since, in order
 *   F CHANNEL STATE		at exit, for each book: exact, invalid or
 *				conflated (not checked: conflated deltas skip
 *				vseqs)
 *
 * Books are kept by the venue's vseq: a snapshot makes a book exact; a
 * delta must carry its book's vseq plus one (the collector numbers each
 * symbol's deltas so, and a snapshot carries the vseq of the last delta
 * in it); an older one is a duplicate.  A gap line, a document with
 * "from" and "lost", or the client's own reconnection make every book
 * invalid until its next snapshot (tickpipe(7)); wsgate's book_invalid
 * frame makes the book of its "channel" invalid.  A delta further on in
 * an exact book is a loss nobody announced: logged as B.  wsgate's
 * redis_down does not invalidate books: wsgate(1) promises to make them
 * exact again when Redis is back.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "wsframe.h"

#define MAX_BOOKS	256

struct book {
	char	*chan;
	int	 exact;
	int	 conflated;	/* by wsgate, until the client reconnects */
	uint64_t vseq;
	char	*lines;		/* snapshot and deltas since, '\n' ended */
	size_t	 len, cap;
};

static FILE *logf;
static struct book books[MAX_BOOKS];
static int nbooks;
static volatile sig_atomic_t stop;
static int64_t stop_at;
static const char *prefix = "md";

static void
die(const char *what)
{
	fprintf(stderr, "chaos-sub: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long long
now_ms(void)
{
	return (long long)(now_ns() / 1000000);
}

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* stopping: after SIGTERM, true once the 1 s of draining is over */
static int
stopping(void)
{
	if (!stop)
		return 0;
	if (stop_at == 0)
		stop_at = mono_ns();
	return mono_ns() - stop_at > 1000000000LL;
}

/* ---- books ---- */

static struct book *
book_of(const char *chan, size_t n)
{
	for (int i = 0; i < nbooks; i++)
		if (strlen(books[i].chan) == n && memcmp(books[i].chan, chan, n) == 0)
			return &books[i];
	if (nbooks == MAX_BOOKS) {
		fprintf(stderr, "chaos-sub: more than %d books\n", MAX_BOOKS);
		exit(1);
	}
	books[nbooks].chan = strndup(chan, n);
	return &books[nbooks++];
}

static void
book_keep(struct book *b, const char *line, size_t n, int reset)
{
	if (reset)
		b->len = 0;
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		if ((b->lines = realloc(b->lines, b->cap)) == NULL)
			die("realloc");
	}
	memcpy(b->lines + b->len, line, n);
	b->lines[b->len + n] = '\n';
	b->len += n + 1;
}

static void
books_invalidate(void)
{
	for (int i = 0; i < nbooks; i++)
		books[i].exact = 0;
}

static void
book_msg(long long ms, const char *chan, size_t cl, int snap, uint64_t seq,
    uint64_t vseq, const char *line, size_t n)
{
	struct book *b = book_of(chan, cl);

	if (b->conflated)
		return;
	if (snap) {
		b->exact = 1;
		b->vseq = vseq;
		book_keep(b, line, n, 1);
		return;
	}
	if (!b->exact || vseq <= b->vseq)
		return;
	if (vseq != b->vseq + 1) {
		fprintf(logf, "B %lld %s delta vseq %llu on a book at vseq %llu, "
		    "seq %llu\n", ms, b->chan, (unsigned long long)vseq,
		    (unsigned long long)b->vseq, (unsigned long long)seq);
		b->exact = 0;
		return;
	}
	b->vseq = vseq;
	book_keep(b, line, n, 0);
}

static void
books_final(void)
{
	for (int i = 0; i < nbooks; i++) {
		struct book *b = &books[i];

		if (b->exact) {
			char *p = b->lines, *end = b->lines + b->len;

			while (p < end) {
				char *nl = memchr(p, '\n', (size_t)(end - p));

				fprintf(logf, "L %s %.*s\n", b->chan,
				    (int)(nl - p), p);
				p = nl + 1;
			}
		}
		fprintf(logf, "F %s %s\n", b->chan, b->exact ? "exact" :
		    b->conflated ? "conflated" : "invalid");
	}
}

/* ---- one document ---- */

/* str_at: if s (of n bytes) at *i holds "KEY":"VALUE", the value */
static int
str_at(const char *s, size_t n, size_t *i, const char *key, const char **v,
    size_t *vl)
{
	size_t kl = strlen(key), j;

	if (*i + kl + 4 > n || s[*i] != '"' || memcmp(s + *i + 1, key, kl) != 0 ||
	    memcmp(s + *i + 1 + kl, "\":\"", 3) != 0)
		return 0;
	j = *i + kl + 4;
	*v = s + j;
	while (j < n && s[j] != '"')
		j++;
	if (j == n)
		return 0;
	*vl = (size_t)(s + j - *v);
	*i = j + 1;
	return 1;
}

/* num_at: if s at *i holds "KEY":DIGITS, the number */
static int
num_at(const char *s, size_t n, size_t *i, const char *key, uint64_t *v)
{
	size_t kl = strlen(key), j;

	if (*i + kl + 3 > n || s[*i] != '"' || memcmp(s + *i + 1, key, kl) != 0 ||
	    memcmp(s + *i + 1 + kl, "\":", 2) != 0)
		return 0;
	j = *i + kl + 3;
	if (j >= n || s[j] < '0' || s[j] > '9')
		return 0;
	for (*v = 0; j < n && s[j] >= '0' && s[j] <= '9'; j++)
		*v = *v * 10 + (uint64_t)(s[j] - '0');
	*i = j;
	return 1;
}

/*
 * A data line's head has its keys in a fixed order (tickpipe-json(5)):
 * {"type":T,"venue":V[,"symbol":S],"seq":N,"vseq":N, ...
 */
static void
document(const char *s, size_t n)
{
	long long ms = now_ms();
	const char *t, *v, *sym = NULL;
	size_t tl, vl, syml = 0, i = 1;
	uint64_t seq, vseq;
	char chan[512];
	int cl;

	if (n > 0 && s[0] == '{' && str_at(s, n, &i, "type", &t, &tl) &&
	    s[i] == ',' && (i++, str_at(s, n, &i, "venue", &v, &vl)) &&
	    s[i] == ',') {
		i++;
		if (str_at(s, n, &i, "symbol", &sym, &syml)) {
			if (s[i++] != ',')
				goto other;
		}
		if (!num_at(s, n, &i, "seq", &seq) || s[i++] != ',' ||
		    !num_at(s, n, &i, "vseq", &vseq))
			goto other;
		if (tl == 6 && memcmp(t, "status", 6) == 0)
			cl = snprintf(chan, sizeof(chan), "%s.%.*s.status",
			    prefix, (int)vl, v);
		else if (sym != NULL && tl == 5 && memcmp(t, "trade", 5) == 0)
			cl = snprintf(chan, sizeof(chan), "%s.%.*s.%.*s.trade",
			    prefix, (int)vl, v, (int)syml, sym);
		else if (sym != NULL && tl >= 10 && memcmp(t, "book_", 5) == 0)
			cl = snprintf(chan, sizeof(chan), "%s.%.*s.%.*s.book",
			    prefix, (int)vl, v, (int)syml, sym);
		else
			goto other;
		if (cl < 0 || (size_t)cl >= sizeof(chan))
			goto other;
		fprintf(logf, "M %lld %llu %s\n", ms, (unsigned long long)seq,
		    chan);
		if (t[0] == 'b')
			book_msg(ms, chan, (size_t)cl, t[5] == 's', seq, vseq,
			    s, n);
		return;
	}
other:
	i = 1;
	if (n > 0 && str_at(s, n, &i, "type", &t, &tl)) {
		uint64_t from, lost;

		if ((tl == 5 && memcmp(t, "stats", 5) == 0) ||
		    (tl == 4 && memcmp(t, "pong", 4) == 0) ||
		    (tl == 10 && memcmp(t, "subscribed", 10) == 0))
			return;
		if (tl == 3 && memcmp(t, "gap", 3) == 0 && s[i++] == ',' &&
		    num_at(s, n, &i, "from", &from) && s[i++] == ',' &&
		    num_at(s, n, &i, "lost", &lost)) {
			fprintf(logf, "G %lld %llu %llu\n", ms,
			    (unsigned long long)from, (unsigned long long)lost);
			books_invalidate();
			return;
		}
	}
	fprintf(logf, "A %lld %.*s\n", ms, (int)(n > 4000 ? 4000 : n), s);
	i = 1;
	if (str_at(s, n, &i, "type", &t, &tl) && tl == 12 &&
	    memcmp(t, "book_invalid", 12) == 0 && s[i++] == ',' &&
	    str_at(s, n, &i, "channel", &v, &vl))
		book_of(v, vl)->exact = 0;
	i = 1;
	if (str_at(s, n, &i, "type", &t, &tl) && tl == 9 &&
	    memcmp(t, "conflated", 9) == 0 && s[i++] == ',' &&
	    str_at(s, n, &i, "channel", &v, &vl)) {
		struct book *b = book_of(v, vl);

		fprintf(logf, "C %lld %.*s\n", ms, (int)vl, v);
		b->conflated = 1;
		b->exact = 0;
	}
	if (memmem(s, n, "\"from\":", 7) && memmem(s, n, "\"lost\":", 7))
		books_invalidate();
	if (memmem(s, n, "\"type\":\"gateway\"", 16)) {
		if (memmem(s, n, "\"status\":\"redis_down\"", 21))
			fprintf(logf, "D %lld redis_down\n", ms);
		else if (memmem(s, n, "\"status\":\"redis_up\"", 19))
			fprintf(logf, "U %lld redis_up\n", ms);
		fflush(logf);	/* the test waits for the client to be back */
	}
}

/* ---- connections ---- */

static int up;

static void
blind(const char *why)
{
	if (!up)
		return;
	up = 0;
	fprintf(logf, "D %lld %s\n", now_ms(), why);
	fflush(logf);
	books_invalidate();
	for (int i = 0; i < nbooks; i++)	/* a new connection is not */
		books[i].conflated = 0;
}

static void
back(const char *why)
{
	up = 1;
	fprintf(logf, "U %lld %s\n", now_ms(), why);
	fflush(logf);
}

static int
dial(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		die("socket");
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int
write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

struct rbuf {
	char	*p;
	size_t	 len, cap;
};

/*
 * fill: reads what the socket has into b; 1 if something came, 0 after
 * 0.2 s without (or, once stopping, when it is time to go), -1 when the
 * connection ended.
 */
static int
fill(int fd, struct rbuf *b)
{
	struct pollfd pf = { fd, POLLIN, 0 };
	ssize_t n;
	int r;

	if (stopping())
		return 0;
	r = poll(&pf, 1, 200);
	if (r < 0 && errno == EINTR)
		return stop ? 0 : 1;
	if (r <= 0)
		return 0;
	if (b->cap - b->len < 65536) {
		b->cap = b->cap ? b->cap * 2 : 1 << 20;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			die("realloc");
	}
	n = read(fd, b->p + b->len, b->cap - b->len);
	if (n < 0 && errno == EINTR)
		return 1;
	if (n <= 0)
		return -1;
	b->len += (size_t)n;
	return 1;
}

static void
consume(struct rbuf *b, size_t n)
{
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
}

/* ---- Redis ---- */

static int redis_port;
static char *auth[3] = { "AUTH", NULL, NULL };
static int nauth = 1;

static void resp_cmd(struct rbuf *o, int argc, char **argv);

/* redis_empty: the Redis holds no key (DBSIZE 0), asked on a connection
 * of its own */
static int
redis_empty(void)
{
	struct rbuf o = { 0 }, in = { 0 };
	char *dbsize[1] = { "DBSIZE" };
	int fd = dial(redis_port), empty = 0;
	const char *p;

	if (fd < 0)
		return 0;
	if (nauth > 1) {
		resp_cmd(&o, nauth, auth);
		write_all(fd, o.p, o.len);
	}
	resp_cmd(&o, 1, dbsize);
	write_all(fd, o.p, o.len);
	while (fill(fd, &in) > 0) {
		if ((p = memchr(in.p, ':', in.len)) != NULL &&
		    memchr(p, '\n', in.len - (size_t)(p - in.p)) != NULL) {
			empty = strtol(p + 1, NULL, 10) == 0;
			break;
		}
		if (memchr(in.p, '-', in.len) != NULL)
			break;
	}
	close(fd);
	free(o.p);
	free(in.p);
	return empty;
}

/* resp_line: the number after the type byte at p, and the end of line */
static const char *
resp_line(const char *p, const char *end, long *v)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	if (nl == NULL)
		return NULL;
	*v = strtol(p + 1, NULL, 10);
	return nl + 1;
}

/*
 * redis_parse: handles the whole replies in b; -1 on an error reply.
 * Only arrays of bulk strings ("pmessage" PATTERN CHANNEL PAYLOAD, and
 * the psubscribe confirmation) and simple replies (+OK of AUTH) come.
 */
static int
redis_parse(struct rbuf *b)
{
	size_t off = 0;

	for (;;) {
		const char *p = b->p + off, *end = b->p + b->len, *q;
		const char *el[4];
		long n, len[4] = { 0 };

		if (p >= end)
			break;
		if (*p == '-') {
			q = memchr(p, '\n', (size_t)(end - p));
			fprintf(stderr, "chaos-sub: redis: %.*s\n",
			    q ? (int)(q - p) : 40, p);
			return -1;
		}
		if (*p != '*') {
			if ((q = memchr(p, '\n', (size_t)(end - p))) == NULL)
				break;
			off = (size_t)(q + 1 - b->p);
			continue;
		}
		if ((q = resp_line(p, end, &n)) == NULL)
			break;
		for (long k = 0; k < n; k++) {
			long l;

			if (q >= end) {
				q = NULL;
				break;
			}
			if (*q != '$' && *q != ':') {
				fprintf(stderr, "chaos-sub: odd reply\n");
				return -1;
			}
			if (*q == ':') {
				if ((q = resp_line(q, end, &l)) == NULL)
					break;
				continue;
			}
			if ((q = resp_line(q, end, &l)) == NULL)
				break;
			if (end - q < l + 2) {
				q = NULL;
				break;
			}
			if (k < 4) {
				el[k] = q;
				len[k] = l;
			}
			q += l + 2;
		}
		if (q == NULL)
			break;
		if (n == 4 && len[0] == 8 && memcmp(el[0], "pmessage", 8) == 0)
			document(el[3], (size_t)len[3]);
		else if (n == 3 && len[0] == 10 &&
		    memcmp(el[0], "psubscribe", 10) == 0)
			back(redis_empty() ? "subscribed clean" : "subscribed");
		off = (size_t)(q - b->p);
	}
	consume(b, off);
	return 0;
}

static void
resp_cmd(struct rbuf *o, int argc, char **argv)
{
	size_t need = 32;

	for (int i = 0; i < argc; i++)
		need += strlen(argv[i]) + 32;
	o->p = realloc(o->p, need);
	o->len = (size_t)sprintf(o->p, "*%d\r\n", argc);
	for (int i = 0; i < argc; i++)
		o->len += (size_t)sprintf(o->p + o->len, "$%zu\r\n%s\r\n",
		    strlen(argv[i]), argv[i]);
}

static void
redis_client(int port, const char *authfile, const char *pattern)
{
	static char line[512];
	char *save;
	struct rbuf in = { 0 }, out = { 0 };

	redis_port = port;

	if (strcmp(authfile, "-") != 0) {
		FILE *f = fopen(authfile, "r");

		if (f == NULL || fgets(line, sizeof(line), f) == NULL)
			die(authfile);
		fclose(f);
		for (char *w = strtok_r(line, " \t\r\n", &save); w != NULL &&
		    nauth < 3; w = strtok_r(NULL, " \t\r\n", &save))
			auth[nauth++] = w;
	}
	while (!stop) {
		int fd = dial(port), r = 0;

		if (fd < 0) {
			usleep(50000);
			continue;
		}
		if (nauth > 1) {
			resp_cmd(&out, nauth, auth);
			r = write_all(fd, out.p, out.len);
		}
		char *ps[2] = { "PSUBSCRIBE", (char *)pattern };

		resp_cmd(&out, 2, ps);
		if (r == 0)
			r = write_all(fd, out.p, out.len);
		in.len = 0;
		while (r == 0) {
			int f = fill(fd, &in);

			if (f < 0 || redis_parse(&in) < 0)
				r = -1;
			else if (f == 0 && stop)
				break;
		}
		close(fd);
		if (r < 0)
			blind("redis: connection lost");
		if (!stop)
			usleep(50000);
	}
	free(in.p);
	free(out.p);
}

/* ---- WebSocket ---- */

static void
ws_send(int fd, int op, const char *p, size_t n)
{
	unsigned char f[256];
	size_t h = 2;

	if (n > 125)
		n = 125;
	f[0] = (unsigned char)(0x80 | op);
	f[1] = (unsigned char)(0x80 | n);
	memcpy(f + h, "\x11\x22\x33\x44", 4);
	for (size_t i = 0; i < n; i++)
		f[h + 4 + i] = (unsigned char)p[i] ^ f[h + i % 4];
	write_all(fd, f, h + 4 + n);
}

/* ws_parse: handles the whole frames in b; -1 on close or bad frame */
static int
ws_parse(int fd, struct rbuf *b)
{
	size_t off = 0;
	int rc = 0;

	while (rc == 0) {
		unsigned char *p = (unsigned char *)b->p + off;
		size_t hl, pl;

		if (!wsframe_head(p, b->len - off, &hl, &pl))
			break;
		switch (p[0] & 0x0f) {
		case 1:
			if (!(p[0] & 0x80)) {
				fprintf(stderr, "chaos-sub: fragmented frame\n");
				rc = -1;
				break;
			}
			document((char *)p + hl, pl);
			break;
		case 8:
			rc = -1;
			if (pl >= 2)
				fprintf(logf, "A %lld {\"close\":%d}\n", now_ms(),
				    p[hl] << 8 | p[hl + 1]);
			break;
		case 9:
			ws_send(fd, 10, (char *)p + hl, pl);
			break;
		}
		off += hl + pl;
	}
	consume(b, off);
	return rc;
}

static void
ws_client(int port, const char *pattern)
{
	struct rbuf in = { 0 };
	char req[512], sub[256];

	snprintf(req, sizeof(req), "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n", port);
	snprintf(sub, sizeof(sub), "{\"op\":\"subscribe\",\"channels\":"
	    "[\"%s\"]}", pattern);
	while (!stop) {
		int fd = dial(port), r = -1;
		char *eoh = NULL;

		in.len = 0;
		if (fd >= 0 && write_all(fd, req, strlen(req)) == 0) {
			int64_t end = mono_ns() + 5000000000LL;
			int f = 0;

			while (eoh == NULL && f >= 0 && !stop && mono_ns() < end)
				if ((f = fill(fd, &in)) > 0)
					eoh = memmem(in.p, in.len, "\r\n\r\n", 4);
			if (eoh != NULL && in.len > 12 &&
			    memcmp(in.p, "HTTP/1.1 101", 12) == 0)
				r = 0;
		}
		if (r == 0) {
			consume(&in, (size_t)(eoh + 4 - in.p));
			ws_send(fd, 1, sub, strlen(sub));
			back("connected");
		}
		while (r == 0) {
			int f = fill(fd, &in);

			if (f < 0 || ws_parse(fd, &in) < 0)
				r = -1;
			else if (f == 0 && stop)
				break;
		}
		if (fd >= 0)
			close(fd);
		if (r < 0)
			blind("ws: connection lost");
		if (!stop)
			usleep(50000);
	}
	free(in.p);
}

int
main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_term };
	const char *log;

	if (argc == 6 && strcmp(argv[1], "redis") == 0)
		log = argv[5];
	else if (argc == 5 && strcmp(argv[1], "ws") == 0)
		log = argv[4];
	else {
		fprintf(stderr, "usage: chaos-sub redis PORT AUTH_FILE PATTERN LOG\n"
		    "       chaos-sub ws PORT PATTERN LOG\n");
		return 64;
	}
	if ((logf = fopen(log, "w")) == NULL)
		die(log);
	setvbuf(logf, NULL, _IOFBF, 1 << 20);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fprintf(logf, "H %s\n", argv[1]);
	prefix = strndup(argv[argc - 2], strcspn(argv[argc - 2], "."));
	if (argv[1][0] == 'r')
		redis_client(atoi(argv[2]), argv[3], argv[4]);
	else
		ws_client(atoi(argv[2]), argv[3]);
	books_final();
	if (fclose(logf) != 0)
		die(log);
	return 0;
}
