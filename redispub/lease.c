/*
 * lease.c: the Redis lease of lease.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lease.h"
#include "util.h"

#define MS	((int64_t)1000000)	/* ns */

/* renew: PEXPIRE the key only while it holds our value */
static const char renew_lua[] =
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

void
lease_init(struct lease *ls, const char *key, int64_t ms)
{
	char host[64] = "";
	struct timespec ts;

	memset(ls, 0, sizeof(*ls));
	ls->key = key;
	ls->ms = ms;
	gethostname(host, sizeof(host) - 1);
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(ls->value, sizeof(ls->value), "%.63s:%ld:%lx", host,
	    (long)getpid(), (unsigned long)ts.tv_nsec);
}

void
lease_skip(struct lease *ls, uint64_t seq, int new_ring, const char *venue,
    size_t n)
{
	int i;

	ls->skipped++;
	if (new_ring)
		ls->next_seq = 0;	/* seq starts again after it */
	if (seq > 0 && seq + 1 > ls->next_seq)
		ls->next_seq = seq + 1;
	if (venue == NULL || n == 0 || n >= sizeof(ls->venues[0]))
		return;
	for (i = 0; i < ls->nvenues; i++)
		if (strlen(ls->venues[i]) == n &&
		    memcmp(ls->venues[i], venue, n) == 0)
			return;
	if (ls->nvenues < LEASE_VENUES) {
		memcpy(ls->venues[ls->nvenues], venue, n);
		ls->venues[ls->nvenues++][n] = '\0';
	} else
		ls->venues_over = 1;
}

int
lease_tick(struct lease *ls, int ready, struct outbox *ob,
    struct resp_buf *out, int64_t now)
{
	char num[24];
	int k;

	if (ls->key == NULL)
		return 0;
	if (ls->leader && now >= ls->held_until - ls->ms * MS / 10) {
		ls->leader = 0;
		return -1;
	}
	if (!ready || ls->in_flight || now < ls->next_at)
		return 0;
	if (outbox_unit(ob, 1, OUTBOX_UNIT_LEASE) == NULL)
		return 0;	/* the ring is full: the next turn */
	k = snprintf(num, sizeof(num), "%lld", (long long)ls->ms);
	resp_reserve(out, strlen(ls->key) + sizeof(renew_lua) + 256);
	if (ls->leader) {
		RESP_LIT(out, "*6\r\n$4\r\nEVAL\r\n");
		resp_bulk(out, renew_lua, sizeof(renew_lua) - 1);
		resp_bulk(out, "1", 1);
	} else {
		RESP_LIT(out, "*6\r\n$3\r\nSET\r\n");
	}
	resp_bulk(out, ls->key, strlen(ls->key));
	resp_bulk(out, ls->value, strlen(ls->value));
	if (ls->leader) {
		resp_bulk(out, num, (size_t)k);
	} else {
		resp_bulk(out, "NX", 2);
		resp_bulk(out, "PX", 2);
		resp_bulk(out, num, (size_t)k);
	}
	ls->in_flight = 1;
	ls->sent_at = now;
	ls->next_at = now + ls->ms * MS / 3;
	return 0;
}

int
lease_reply(struct lease *ls, const struct resp_reply *rep)
{
	int ok, first = !ls->decided;

	ls->in_flight = 0;
	ls->refused = rep->err;
	if (rep->err)
		return 0;	/* not proof either way: the next tick */
	ls->decided = 1;
	ok = ls->leader ? rep->integer == 1 : strcmp(rep->first, "OK") == 0;
	if (ok) {
		ls->held_until = ls->sent_at + ls->ms * MS;
		if (!ls->leader) {
			ls->leader = 1;
			ls->takeovers++;
			return 1;
		}
		return 0;
	}
	if (ls->leader) {
		ls->leader = 0;
		return -1;
	}
	return first ? 2 : 0;
}

void
lease_conn_lost(struct lease *ls)
{
	ls->in_flight = 0;
	ls->next_at = 0;
}

int64_t
lease_next_timer(const struct lease *ls)
{
	int64_t t = INT64_MAX;

	if (ls->key == NULL)
		return t;
	if (!ls->in_flight)
		t = ls->next_at;
	if (ls->leader && ls->held_until - ls->ms * MS / 10 < t)
		t = ls->held_until - ls->ms * MS / 10;
	return t;
}
