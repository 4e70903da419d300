/*
 * cluster.c: the slot function, the slot map and the redirections of
 * cluster.h.  cluster_fetch asks for the map with hiredis' blocking
 * API, one short connection to each node asked, like sentinel.c;
 * redispub's reads while it runs ask on its loop (its conn.h) and judge
 * the answer by the same cluster_slots_reply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "cluster.h"
#include "sentinel.h"
#include "util.h"

uint16_t
cluster_crc16(const char *s, size_t n)
{
	uint16_t crc = 0;
	size_t i;
	int b;

	for (i = 0; i < n; i++) {
		crc ^= (uint16_t)((unsigned char)s[i] << 8);
		for (b = 0; b < 8; b++)
			crc = (uint16_t)(crc & 0x8000 ? (crc << 1) ^ 0x1021 :
			    crc << 1);
	}
	return crc;
}

unsigned
cluster_keyslot(const char *k, size_t n)
{
	const char *open = memchr(k, '{', n), *close;

	if (open != NULL) {
		size_t rest = n - (size_t)(open - k) - 1;

		close = memchr(open + 1, '}', rest);
		if (close != NULL && close > open + 1)
			return cluster_crc16(open + 1, (size_t)(close -
			    open - 1)) & (CLUSTER_SLOTS - 1);
	}
	return cluster_crc16(k, n) & (CLUSTER_SLOTS - 1);
}

int
cluster_map_node(struct cluster_map *m, const char *host, int port)
{
	int i;

	for (i = 0; i < m->nnodes; i++)
		if (m->nodes[i].port == port &&
		    strcmp(m->nodes[i].host, host) == 0)
			return i;
	if (m->nnodes == CLUSTER_NODES_MAX ||
	    strlen(host) >= sizeof(m->nodes[0].host))
		return -1;
	snprintf(m->nodes[i].host, sizeof(m->nodes[i].host), "%s", host);
	m->nodes[i].port = port;
	m->id[i][0] = '\0';
	return m->nnodes++;
}

/*
 * CLUSTER SLOTS answers an array of ranges: start, end, then the
 * primary [ip, port, id, ...] and its replicas.  The ID names the node
 * whatever its address (tickpipe(7) "{C}.owner").
 */
int
cluster_map_parse(const redisReply *r, const struct redisurl_node *from,
    struct cluster_map *m, char *err, size_t errlen)
{
	size_t i;

	m->nnodes = 0;
	memset(m->owner, CLUSTER_NO_NODE, sizeof(m->owner));
	if (r->type != REDIS_REPLY_ARRAY || r->elements == 0) {
		snprintf(err, errlen, "CLUSTER SLOTS: no slot ranges");
		return -1;
	}
	for (i = 0; i < r->elements; i++) {
		const redisReply *e = r->element[i], *p;
		const char *host;
		long long lo, hi, s;
		int k;

		if (e->type != REDIS_REPLY_ARRAY || e->elements < 3 ||
		    e->element[0]->type != REDIS_REPLY_INTEGER ||
		    e->element[1]->type != REDIS_REPLY_INTEGER ||
		    (p = e->element[2])->type != REDIS_REPLY_ARRAY ||
		    p->elements < 2 ||
		    p->element[0]->type != REDIS_REPLY_STRING ||
		    p->element[1]->type != REDIS_REPLY_INTEGER)
			goto bad;
		lo = e->element[0]->integer;
		hi = e->element[1]->integer;
		if (lo < 0 || hi < lo || hi >= CLUSTER_SLOTS ||
		    p->element[1]->integer < 1 ||
		    p->element[1]->integer > 65535)
			goto bad;
		host = p->element[0]->str;
		if (*host == '\0' || strcmp(host, "?") == 0)
			host = from->host;
		if ((k = cluster_map_node(m, host,
		    (int)p->element[1]->integer)) < 0) {
			snprintf(err, errlen, "CLUSTER SLOTS: more than %d "
			    "primaries", CLUSTER_NODES_MAX);
			return -1;
		}
		if (p->elements >= 3 &&
		    p->element[2]->type == REDIS_REPLY_STRING &&
		    p->element[2]->len == CLUSTER_ID_LEN)
			memcpy(m->id[k], p->element[2]->str,
			    CLUSTER_ID_LEN + 1);
		for (s = lo; s <= hi; s++)
			m->owner[s] = (uint8_t)k;
	}
	return 0;
bad:
	snprintf(err, errlen, "CLUSTER SLOTS: a range not [start, end, "
	    "[host, port, ...], ...]");
	return -1;
}

int
cluster_slots_reply(const redisReply *r, const struct redisurl_node *nd,
    struct cluster_map *m, char *err, size_t errlen)
{
	if (r->type == REDIS_REPLY_ERROR) {
		snprintf(err, errlen, "%s", r->str);
		return -1;
	}
	return cluster_map_parse(r, nd, m, err, errlen);
}

/* ask_one: CLUSTER SLOTS of the node nd into *m; 0, or -1 with why. */
static int
ask_one(const struct redisurl *u, const char *pw,
    const struct redisurl_node *nd, int timeout_ms, struct cluster_map *m,
    char *why, size_t whylen)
{
	redisContext *rc = sentinel_dial(nd, timeout_ms, why, whylen);
	redisReply *rep = NULL;
	int rv = -1;

	if (rc == NULL)
		goto err;
	if (pw != NULL) {
		rep = u->user[0] != '\0' ? redisCommand(rc, "AUTH %s %s",
		    u->user, pw) : redisCommand(rc, "AUTH %s", pw);
		if (rep == NULL || rep->type == REDIS_REPLY_ERROR) {
			snprintf(why, whylen, "AUTH: %s", rep != NULL ?
			    rep->str : rc->errstr);
			goto err;
		}
		freeReplyObject(rep);
	}
	rep = redisCommand(rc, "CLUSTER SLOTS");
	if (rep == NULL) {
		snprintf(why, whylen, "%s", rc->errstr);
		goto err;
	}
	rv = cluster_slots_reply(rep, nd, m, why, whylen);
err:
	if (rep != NULL)
		freeReplyObject(rep);
	if (rc != NULL)
		redisFree(rc);
	return rv;
}

int
cluster_ask_list(const struct redisurl *u, const struct cluster_map *m,
    struct redisurl_node *ask)
{
	int i, n = 0;

	for (i = 0; i < u->nsentinels; i++)
		ask[n++] = u->sentinels[i];
	for (i = 0; i < m->nnodes; i++)
		ask[n++] = m->nodes[i];
	return n;
}

int
cluster_fetch(const struct redisurl *u, const char *pw, int timeout_ms,
    struct cluster_map *m, char *err, size_t errlen)
{
	struct redisurl_node ask[CLUSTER_ASK_MAX];
	struct cluster_map *got = malloc(sizeof(*got));
	char why[200];
	size_t o = 0;
	int i, n;

	if (got == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	n = cluster_ask_list(u, m, ask);
	err[0] = '\0';
	for (i = 0; i < n; i++) {
		if (ask_one(u, pw, &ask[i], timeout_ms, got, why,
		    sizeof(why)) == 0) {
			memcpy(m, got, sizeof(*m));
			free(got);
			return 0;
		}
		sentinel_why(err, errlen, &o, i == 0, "", &ask[i], why);
	}
	free(got);
	return -1;
}

int
cluster_redirect(const char *msg, unsigned *slot, char *host, size_t hostcap,
    int *port)
{
	const char *p, *colon;
	uint64_t v;
	char num[8];
	int kind;
	size_t n;

	if (strncmp(msg, "MOVED ", 6) == 0)
		kind = 1, p = msg + 6;
	else if (strncmp(msg, "ASK ", 4) == 0)
		kind = 2, p = msg + 4;
	else
		return 0;
	*slot = (unsigned)strtoul(p, NULL, 10);
	if ((p = strchr(p, ' ')) == NULL || *slot >= CLUSTER_SLOTS)
		return 0;
	p++;
	if ((colon = strrchr(p, ':')) == NULL || (n = (size_t)(colon - p)) ==
	    0 || n >= hostcap || strlen(colon + 1) >= sizeof(num))
		return 0;
	snprintf(num, sizeof(num), "%s", colon + 1);
	if (parse_u64(num, 1, 65535, &v) < 0)
		return 0;
	memcpy(host, p, n);
	host[n] = '\0';
	*port = (int)v;
	return kind;
}
