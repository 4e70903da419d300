/*
 * rdeliv: S subscribers of one Redis channel in one process, counting
 * what Redis delivers to them (bench/part-rdeliv.sh).
 *
 *   rdeliv PORT CHANNEL S N SECONDS
 *
 * Opens S connections to 127.0.0.1:PORT, SUBSCRIBEs each to CHANNEL,
 * prints "ready" and waits (poll(2) over all S sockets, each with its own
 * hiredis reader) until every connection has counted N "message" pushes,
 * or nothing came for SECONDS.  Prints
 *	"deliveries=D min=M ns=T"
 * with T the time from the first message to the last one; exits 1 if a
 * connection counted fewer than N (the measurement must not hide loss).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

struct sub {
	redisContext	*c;
	long		 n;	/* "message" pushes counted */
};

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
subscribe(struct sub *s, int port, const char *chan)
{
	redisReply *r;

	s->c = redisConnect("127.0.0.1", port);
	if (s->c == NULL || s->c->err) {
		fprintf(stderr, "rdeliv: connect: %s\n",
		    s->c ? s->c->errstr : "out of memory");
		exit(1);
	}
	r = redisCommand(s->c, "SUBSCRIBE %s", chan);
	if (r == NULL || r->type != REDIS_REPLY_ARRAY) {
		fprintf(stderr, "rdeliv: SUBSCRIBE failed\n");
		exit(1);
	}
	freeReplyObject(r);
	/* from here on: our own reads, fed to the context's reader */
	fcntl(s->c->fd, F_SETFL, fcntl(s->c->fd, F_GETFL) | O_NONBLOCK);
}

/*
 * Counts the complete replies in the reader.  Called after every read:
 * feeding everything first would let the reader's buffer grow to the
 * whole backlog, and hiredis trims consumed bytes by moving the rest.
 */
static int
count(struct sub *s)
{
	redisReply *r;
	void *v;

	for (;;) {
		if (redisReaderGetReply(s->c->reader, &v) != REDIS_OK)
			return -1;
		if ((r = v) == NULL)
			return 0;
		if (r->type == REDIS_REPLY_ARRAY && r->elements == 3 &&
		    strcmp(r->element[0]->str, "message") == 0)
			s->n++;
		freeReplyObject(r);
	}
}

/* Reads what is there; returns -1 on EOF or a protocol error. */
static int
drain(struct sub *s)
{
	char buf[65536];
	ssize_t k;

	for (;;) {
		k = read(s->c->fd, buf, sizeof(buf));
		if (k < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (k <= 0)
			return -1;
		if (redisReaderFeed(s->c->reader, buf, (size_t)k) != REDIS_OK ||
		    count(s) < 0)
			return -1;
	}
}

int
main(int argc, char **argv)
{
	struct sub *subs;
	struct pollfd *pfd;
	long long first = 0, last = 0, total = 0;
	long n, min;
	int i, s, port, idle_ms, done;

	if (argc != 6) {
		fprintf(stderr, "usage: rdeliv PORT CHANNEL S N SECONDS\n");
		return 2;
	}
	port = atoi(argv[1]);
	s = atoi(argv[3]);
	n = atol(argv[4]);
	idle_ms = atoi(argv[5]) * 1000;
	if (s < 1 || n < 1 || idle_ms < 1000) {
		fprintf(stderr, "rdeliv: bad S, N or SECONDS\n");
		return 2;
	}
	subs = calloc((size_t)s, sizeof(*subs));
	pfd = calloc((size_t)s, sizeof(*pfd));
	if (subs == NULL || pfd == NULL)
		return 1;
	for (i = 0; i < s; i++) {
		subscribe(&subs[i], port, argv[2]);
		pfd[i].fd = subs[i].c->fd;
		pfd[i].events = POLLIN;
	}
	printf("ready\n");
	fflush(stdout);

	for (done = 0; done < s; ) {
		int k = poll(pfd, (nfds_t)s, idle_ms);

		if (k == 0)
			break;		/* nothing for SECONDS: report what came */
		if (k < 0 && errno != EINTR)
			return 1;
		for (i = 0; i < s; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (first == 0)
				first = now_ns();
			if (drain(&subs[i]) < 0) {
				fprintf(stderr, "rdeliv: connection %d lost"
				    " after %ld messages\n", i, subs[i].n);
				return 1;
			}
			if (subs[i].n >= n) {
				pfd[i].fd = -1;		/* poll skips it */
				done++;
				last = now_ns();
			}
		}
	}
	min = n;
	for (i = 0; i < s; i++) {
		total += subs[i].n;
		if (subs[i].n < min)
			min = subs[i].n;
	}
	printf("deliveries=%lld min=%ld ns=%lld\n", total, min,
	    last > first ? last - first : 0);
	if (min < n) {
		fprintf(stderr, "rdeliv: a subscriber counted %ld of %ld\n",
		    min, n);
		return 1;
	}
	return 0;
}
