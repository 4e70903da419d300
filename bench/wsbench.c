/*
 * wsbench.c: load generator and load sink for the WebSocket fan-out
 * benchmark (bench/part-ws.sh); the same for wsgate and for the Node.js
 * baseline, each in its own process.
 *
 *   wsbench pub PORT CHANNEL RATE COUNT SIZE
 *	PUBLISH COUNT messages of about SIZE bytes on CHANNEL of the Redis
 *	at 127.0.0.1:PORT, RATE per second (paced every millisecond), each
 *	{"type":"trade",...,"seq":N,"recv":NOW_NS,...}.
 *   wsbench sub PORT CHANNEL NCLIENTS IDLE_MS [HOLD_S]
 *	Opens NCLIENTS WebSocket connections to 127.0.0.1:PORT/ws, each
 *	subscribes to CHANNEL; prints "ready" once all are subscribed, then
 *	counts the text frames they receive until none came for IDLE_MS,
 *	and prints delivered=N secs=S rate=R p50_us=A p99_us=B (latency =
 *	receive time - "recv").  With HOLD_S: stays connected HOLD_S seconds
 *	after "ready" and exits (memory per idle client).
 *	With WSBENCH_MAX_HZ=H in the environment, each subscribes with
 *	"max_hz":H (wsgate's conflation).
 *   wsbench -p PATH sub PORT CHANNEL NCLIENTS IDLE_MS [HOLD_S]
 *	The same against another server's WebSocket subscriber endpoint
 *	(nchan's, bench/part-nchan.sh): GET PATH, where the path names the
 *	channel, so no subscribe message is sent and a client counts as
 *	subscribed once the handshake is done (CHANNEL is not used).
 *   wsbench wspub PORT PATH RATE COUNT SIZE
 *	Like pub, but through a WebSocket publisher endpoint (nchan's) at
 *	127.0.0.1:PORT PATH: one text frame per message; replies are read
 *	and discarded.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "wsframe.h"

static int
dial(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("wsbench: connect");
		exit(1);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static void
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			perror("wsbench: write");
			exit(1);
		}
		p += w;
		n -= (size_t)w;
	}
}

/* --- pub --- */

static int
pub(int port, const char *ch, long rate, long count, long size)
{
	int fd = dial(port);
	char *pad = malloc((size_t)size + 1), *buf = malloc(1 << 20), rb[65536];
	long sent = 0, acked = 0;
	int64_t t0 = mono_ns();

	memset(pad, 'x', (size_t)size);
	pad[size > 150 ? size - 150 : 0] = 0;
	while (sent < count) {
		long due = (long)((mono_ns() - t0) / 1000000 * rate / 1000);
		size_t len = 0;

		if (due > count)
			due = count;
		while (sent < due && len < (1 << 20) - 4096 - (size_t)size) {
			char msg[8192];
			int m = snprintf(msg, sizeof(msg), "{\"type\":\"trade\","
			    "\"venue\":\"bench\",\"symbol\":\"X\",\"seq\":%ld,"
			    "\"recv\":%lld,\"price\":\"100.25\",\"pad\":\"%s\"}",
			    sent + 1, (long long)now_ns(), pad);

			len += (size_t)sprintf(buf + len, "*3\r\n$7\r\nPUBLISH"
			    "\r\n$%zu\r\n%s\r\n$%d\r\n%s\r\n", strlen(ch), ch,
			    m, msg);
			sent++;
		}
		if (len > 0)
			write_all(fd, buf, len);
		/* read replies (":N\r\n" each) without blocking long */
		while (acked < sent) {
			ssize_t n = recv(fd, rb, sizeof(rb), acked + 1000 <
			    sent ? 0 : MSG_DONTWAIT);

			if (n <= 0)
				break;
			for (ssize_t i = 0; i < n; i++)
				acked += rb[i] == '\n';
		}
		struct timespec ts = { 0, 1000000 };

		if (sent < count)
			nanosleep(&ts, NULL);
	}
	while (acked < sent) {
		ssize_t n = recv(fd, rb, sizeof(rb), 0);

		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			acked += rb[i] == '\n';
	}
	printf("published=%ld secs=%.3f\n", sent,
	    (double)(mono_ns() - t0) / 1e9);
	return 0;
}

/* --- wspub --- */

/* a masked client text frame of msg[0..n) into f; returns its length */
static size_t
ws_text_frame(unsigned char *f, const char *msg, size_t n)
{
	static const unsigned char mask[4] = { 7, 1, 2, 3 };
	size_t h;

	f[0] = 0x81;
	if (n < 126) {
		f[1] = (unsigned char)(0x80 | n);
		h = 2;
	} else {
		f[1] = 0x80 | 126;
		f[2] = (unsigned char)(n >> 8);
		f[3] = (unsigned char)n;
		h = 4;
	}
	memcpy(f + h, mask, 4);
	for (size_t i = 0; i < n; i++)
		f[h + 4 + i] = (unsigned char)msg[i] ^ mask[i % 4];
	return h + 4 + n;
}

/*
 * Reads what fd has (waiting up to 10 s if block) into rb[*have..n) and
 * returns the number of whole frames consumed, keeping a partial one in
 * rb[0..*have); -1 on end of file, error or timeout.
 */
static long
replies(int fd, unsigned char *rb, size_t n, size_t *have, int block)
{
	long frames_ = 0;
	ssize_t r;
	size_t off = 0, hl, pl;

	if (block) {
		struct timeval tv = { 10, 0 };

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	r = recv(fd, rb + *have, n - *have, block ? 0 : MSG_DONTWAIT);
	if (r <= 0)
		return block ? -1 : 0;
	*have += (size_t)r;
	while (wsframe_head(rb + off, *have - off, &hl, &pl)) {
		frames_ += (rb[off] & 0x0f) <= 2;	/* data frames */
		off += hl + pl;
	}
	memmove(rb, rb + off, *have - off);
	*have -= off;
	return frames_;
}

static int
wspub(int port, const char *path, long rate, long count, long size)
{
	int fd, rv = 1;
	char *pad, req[512];
	unsigned char *buf, rb[65536];
	long sent = 0, acked = 0;
	int64_t t0;
	size_t got = 0;

	if (size > 4000 || size < 1 || rate < 1) {
		fprintf(stderr, "wsbench: wspub: SIZE 1..4000, RATE >= 1\n");
		return 64;
	}
	fd = dial(port);
	pad = malloc((size_t)size + 1);
	buf = malloc(1 << 20);
	if (pad == NULL || buf == NULL)
		goto err;
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n", path, port);
	write_all(fd, req, strlen(req));
	for (;;) {
		ssize_t n = read(fd, rb + got, sizeof(rb) - 1 - got);

		if (n <= 0) {
			fprintf(stderr, "wsbench: wspub: no handshake reply\n");
			goto err;
		}
		got += (size_t)n;
		rb[got] = 0;
		if (strstr((char *)rb, "\r\n\r\n") != NULL)
			break;
	}
	if (memcmp(rb, "HTTP/1.1 101", 12) != 0) {
		fprintf(stderr, "wsbench: wspub: %.40s\n", rb);
		goto err;
	}
	memset(pad, 'x', (size_t)size);
	pad[size > 150 ? size - 150 : 0] = 0;
	got = 0;
	t0 = mono_ns();
	while (sent < count) {
		long due = (long)((mono_ns() - t0) / 1000000 * rate / 1000);
		size_t len = 0;

		if (due > count)
			due = count;
		while (sent < due && len < (1 << 20) - 8192) {
			char msg[8192];
			int m = snprintf(msg, sizeof(msg), "{\"type\":\"trade\","
			    "\"venue\":\"bench\",\"symbol\":\"X\",\"seq\":%ld,"
			    "\"recv\":%lld,\"price\":\"100.25\",\"pad\":\"%s\"}",
			    sent + 1, (long long)now_ns(), pad);

			len += ws_text_frame(buf + len, msg, (size_t)m);
			sent++;
		}
		if (len > 0)
			write_all(fd, (const char *)buf, len);
		/* the server's replies, one frame a message: count them */
		acked += replies(fd, rb, sizeof(rb), &got, 0);
		struct timespec ts = { 0, 1000000 };

		if (sent < count)
			nanosleep(&ts, NULL);
	}
	/* closing with messages unread would reset the connection */
	while (acked < sent) {
		long a = replies(fd, rb, sizeof(rb), &got, 1);

		if (a < 0) {
			fprintf(stderr, "wsbench: wspub: %ld of %ld replies\n",
			    acked, sent);
			goto err;
		}
		acked += a;
	}
	printf("published=%ld secs=%.3f\n", sent,
	    (double)(mono_ns() - t0) / 1e9);
	rv = 0;
err:
	free(pad);
	free(buf);
	close(fd);
	return rv;
}

/* --- sub --- */

/* -p PATH: the subscriber endpoint's path (another server's) */
static const char *sub_path;

struct conn {
	int		 fd;
	int		 st;	/* 0 handshake, 1 wait subscribed, 2 data */
	int64_t		 since;	/* wall clock ns when subscribed */
	unsigned char	*buf;
	size_t		 len;
};

static int64_t *lat;
static size_t nlat, caplat;

/*
 * One latency sample, now - recv.  Messages received by the collector
 * before this client subscribed are history wsgate replays to a late
 * joiner (snapshot and deltas): delivered, but not live, so not sampled.
 */
static void
sample(const struct conn *c, const unsigned char *p, size_t n, int64_t now)
{
	const unsigned char *s = memmem(p, n, "\"recv\":", 7);
	int64_t v = 0;

	if (s == NULL)
		return;
	for (s += 7; s < p + n && *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (*s - '0');
	if (v < c->since)
		return;
	if (nlat == caplat) {
		caplat = caplat ? caplat * 2 : 1 << 20;
		lat = realloc(lat, caplat * sizeof(*lat));
	}
	lat[nlat++] = now - v;
}

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void
send_text(int fd, const char *s)
{
	unsigned char f[512];
	size_t n = strlen(s);
	unsigned char mask[4] = { 1, 2, 3, 4 };

	f[0] = 0x81;
	f[1] = (unsigned char)(0x80 | n);
	memcpy(f + 2, mask, 4);
	for (size_t i = 0; i < n; i++)
		f[6 + i] = (unsigned char)s[i] ^ mask[i % 4];
	write_all(fd, (const char *)f, 6 + n);
}

/*
 * Parses whole frames from c->buf; returns data frames seen (text),
 * counting only after subscription.  Server pings are answered.
 */
static long
frames(struct conn *c, int64_t now, int measure)
{
	size_t off = 0;
	long n = 0;

	for (;;) {
		unsigned char *p = c->buf + off;
		size_t hl, pl;

		if (!wsframe_head(p, c->len - off, &hl, &pl))
			break;
		if ((p[0] & 0x0f) == 1) {
			if (c->st == 1) {
				if (pl >= 20 && memmem(p + hl, pl,
				    "\"subscribed\"", 12)) {
					c->st = 2;
					c->since = now;
				}
			} else {
				n++;
				if (measure)
					sample(c, p + hl, pl, now);
			}
		} else if ((p[0] & 0x0f) == 9) {
			static const char pong[6] = { (char)0x8a, (char)0x80 };

			write_all(c->fd, pong, 6);
		}
		off += hl + pl;
	}
	memmove(c->buf, c->buf + off, c->len - off);
	c->len -= off;
	return n;
}

static int
sub(int port, const char *ch, int nclients, int idle_ms, int hold)
{
	struct conn *cs = calloc((size_t)nclients, sizeof(*cs));
	int ep = epoll_create1(0), ready = 0, bufsz = 1 << 18;
	long total = 0;
	int64_t first = 0, last = 0;
	char req[512], subm[300];

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n",
	    sub_path != NULL ? sub_path : "/ws", port);
	snprintf(subm, sizeof(subm), "{\"op\":\"subscribe\",\"channels\":"
	    "[\"%s\"]}", ch);
	if (getenv("WSBENCH_MAX_HZ") != NULL)
		snprintf(subm, sizeof(subm), "{\"op\":\"subscribe\","
		    "\"channels\":[\"%s\"],\"max_hz\":%d}", ch,
		    atoi(getenv("WSBENCH_MAX_HZ")));
	for (int i = 0; i < nclients; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &cs[i] };

		cs[i].fd = dial(port);
		cs[i].buf = malloc((size_t)bufsz);
		write_all(cs[i].fd, req, strlen(req));
		epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
	}
	for (;;) {
		struct epoll_event evs[256];
		int n = epoll_wait(ep, evs, 256, ready == nclients ? idle_ms :
		    20000);
		int64_t now = now_ns();

		if (n == 0) {
			if (ready < nclients) {
				fprintf(stderr, "wsbench: only %d of %d "
				    "subscribed\n", ready, nclients);
				return 1;
			}
			if (total > 0 || hold)
				break;
			continue;
		}
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			ssize_t r = read(c->fd, c->buf + c->len,
			    (size_t)bufsz - c->len);
			long got;

			if (r <= 0) {
				fprintf(stderr, "wsbench: connection closed\n");
				return 1;
			}
			c->len += (size_t)r;
			if (c->st == 0) {
				unsigned char *e = memmem(c->buf, c->len,
				    "\r\n\r\n", 4);

				if (e == NULL)
					continue;
				if (memcmp(c->buf, "HTTP/1.1 101", 12) != 0) {
					fprintf(stderr, "wsbench: %.40s\n",
					    c->buf);
					return 1;
				}
				size_t hl = (size_t)(e + 4 - c->buf);

				memmove(c->buf, c->buf + hl, c->len - hl);
				c->len -= hl;
				c->st = 1;
				if (sub_path == NULL)
					send_text(c->fd, subm);
			}
			int was = c->st;

			if (sub_path != NULL && c->st == 1) {
				/* subscribed by the URL: live from now */
				c->st = 2;
				c->since = now;
			}

			got = frames(c, now, 1);
			if (was == 1 && c->st == 2 && ++ready == nclients) {
				printf("ready\n");
				fflush(stdout);
				if (hold) {
					sleep((unsigned)hold);
					return 0;
				}
			}
			if (got > 0) {
				if (first == 0)
					first = now;
				last = now;
				total += got;
			}
		}
	}
	double secs = (double)(last - first) / 1e9;

	qsort(lat, nlat, sizeof(*lat), cmp64);
	printf("delivered=%ld secs=%.3f rate=%.0f p50_us=%.0f p99_us=%.0f\n",
	    total, secs, secs > 0 ? (double)total / secs : 0,
	    nlat ? (double)lat[nlat / 2] / 1e3 : 0,
	    nlat ? (double)lat[nlat * 99 / 100] / 1e3 : 0);
	return 0;
}

int
main(int argc, char **argv)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (argc >= 3 && strcmp(argv[1], "-p") == 0) {
		sub_path = argv[2];
		argc -= 2;
		argv += 2;
		argv[0] = "wsbench";
	}
	if (argc == 7 && strcmp(argv[1], "wspub") == 0)
		return wspub(atoi(argv[2]), argv[3], atol(argv[4]),
		    atol(argv[5]), atol(argv[6]));
	if (argc == 7 && strcmp(argv[1], "pub") == 0)
		return pub(atoi(argv[2]), argv[3], atol(argv[4]),
		    atol(argv[5]), atol(argv[6]));
	if ((argc == 6 || argc == 7) && strcmp(argv[1], "sub") == 0)
		return sub(atoi(argv[2]), argv[3], atoi(argv[4]),
		    atoi(argv[5]), argc == 7 ? atoi(argv[6]) : 0);
	fprintf(stderr, "usage: wsbench pub PORT CHANNEL RATE COUNT SIZE\n"
	    "       wsbench [-p PATH] sub PORT CHANNEL NCLIENTS IDLE_MS [HOLD_S]\n"
	    "       wsbench wspub PORT PATH RATE COUNT SIZE\n");
	return 64;
}
