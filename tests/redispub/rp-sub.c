/*
 * rp-sub.c: a hiredis subscriber for redispub's tests and benchmark.
 * Prints each message's payload (with -c, "CHANNEL<TAB>PAYLOAD") on a
 * line of its own, or with -l only measures latency: now - the
 * payload's "recv", and prints "n=N p50_us=X p99_us=Y max_us=Z" at the
 * end.  Stops after -n messages, or when none came for -t seconds (the
 * first one: -T seconds, -t unless given).
 *
 * usage: rp-sub [-clp] [-n COUNT] [-t SEC] [-T SEC] [-w SKIP] [-H HOST]
 *               -P PORT CHANNEL|PATTERN ...
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "util.h"

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	const char *host = "127.0.0.1";
	int port = 0, pat = 0, chan = 0, lat = 0, c, i;
	uint64_t count = 0, got = 0, skip = 0;
	long idle = 10, first = -1;
	int64_t *lats = NULL;
	size_t nlat = 0, caplat = 0;
	redisContext *rc;
	redisReply *r;
	struct timeval tv;

	while ((c = getopt(argc, argv, "clpn:t:T:w:H:P:")) != -1) {
		switch (c) {
		case 'c': chan = 1; break;
		case 'l': lat = 1; break;
		case 'p': pat = 1; break;
		case 'n': count = strtoull(optarg, NULL, 10); break;
		case 't': idle = strtol(optarg, NULL, 10); break;
		case 'T': first = strtol(optarg, NULL, 10); break;
		case 'w': skip = strtoull(optarg, NULL, 10); break;
		case 'H': host = optarg; break;
		case 'P': port = atoi(optarg); break;
		default:
			fprintf(stderr, "rp-sub: bad option\n");
			return 64;
		}
	}
	if (port == 0 || optind == argc) {
		fprintf(stderr, "usage: rp-sub [-clp] [-n COUNT] [-t SEC] "
		    "[-T SEC] [-w SKIP] [-H HOST] -P PORT CHANNEL ...\n");
		return 64;
	}
	if ((rc = redisConnect(host, port)) == NULL || rc->err) {
		fprintf(stderr, "rp-sub: connect: %s\n", rc ? rc->errstr : "?");
		return 69;
	}
	for (i = optind; i < argc; i++) {
		r = redisCommand(rc, "%s %s", pat ? "PSUBSCRIBE" : "SUBSCRIBE",
		    argv[i]);
		if (r == NULL) {
			fprintf(stderr, "rp-sub: subscribe: %s\n", rc->errstr);
			return 69;
		}
		freeReplyObject(r);
	}
	tv.tv_sec = first >= 0 ? first : idle;
	tv.tv_usec = 0;
	redisSetTimeout(rc, tv);
	while (count == 0 || got < count) {
		redisReply *ch, *pl;

		if (redisGetReply(rc, (void **)&r) != REDIS_OK) {
			if (rc->err != REDIS_ERR_IO)
				fprintf(stderr, "rp-sub: %s\n", rc->errstr);
			break;
		}
		if (r->type != REDIS_REPLY_ARRAY || r->elements < 3) {
			freeReplyObject(r);
			continue;
		}
		if (strcmp(r->element[0]->str, "message") == 0) {
			ch = r->element[1];
			pl = r->element[2];
		} else if (strcmp(r->element[0]->str, "pmessage") == 0 &&
		    r->elements == 4) {
			ch = r->element[2];
			pl = r->element[3];
		} else {
			freeReplyObject(r);
			continue;
		}
		if (got++ == 0 && first >= 0) {
			tv.tv_sec = idle;
			redisSetTimeout(rc, tv);
		}
		if (lat) {
			const char *p = strstr(pl->str, "\"recv\":");

			if (p != NULL && got > skip) {
				int64_t d = now_ns() - strtoll(p + 7, NULL, 10);

				if (nlat == caplat) {
					caplat = caplat ? caplat * 2 : 65536;
					lats = realloc(lats, caplat *
					    sizeof(*lats));
				}
				lats[nlat++] = d;
			}
		} else if (chan) {
			printf("%s\t%s\n", ch->str, pl->str);
		} else {
			printf("%s\n", pl->str);
		}
		freeReplyObject(r);
	}
	fflush(stdout);
	if (lat) {
		if (nlat == 0) {
			printf("n=0\n");
			return 1;
		}
		qsort(lats, nlat, sizeof(*lats), cmp_i64);
		printf("n=%zu p50_us=%.1f p99_us=%.1f max_us=%.1f\n", nlat,
		    lats[nlat / 2] / 1e3, lats[nlat * 99 / 100] / 1e3,
		    lats[nlat - 1] / 1e3);
	}
	fprintf(stderr, "rp-sub: %" PRIu64 " messages\n", got);
	redisFree(rc);
	return 0;
}
