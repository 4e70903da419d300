/*
 * sentinel.c: the Sentinel queries of sentinel.h, with hiredis'
 * blocking API: one short connection to each Sentinel asked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

#include "sentinel.h"
#include "util.h"

struct redisContext *
sentinel_dial(const struct redisurl_node *nd, int timeout_ms, char *why,
    size_t whylen)
{
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	redisContext *rc = redisConnectWithTimeout(nd->host, nd->port, tv);

	if (rc == NULL || rc->err) {
		snprintf(why, whylen, "%s", rc != NULL ? rc->errstr :
		    "out of memory");
		if (rc != NULL)
			redisFree(rc);
		return NULL;
	}
	redisSetTimeout(rc, tv);
	return rc;
}

void
sentinel_why(char *err, size_t errlen, size_t *o, int first,
    const char *what, const struct redisurl_node *nd, const char *why)
{
	if (*o < errlen)
		*o += (size_t)snprintf(err + *o, errlen - *o, "%s%s%s:%d: %s",
		    first ? "" : "; ", what, nd->host, nd->port, why);
}

/* set_addr: *addr is u, naming host:port. */
static int
set_addr(const struct redisurl *u, const char *host, const char *port,
    struct redisurl *addr, char *why, size_t whylen)
{
	uint64_t p;

	if (strlen(host) >= sizeof(addr->host) ||
	    parse_u64(port, 1, 65535, &p) < 0) {
		snprintf(why, whylen, "bad address '%.64s:%.8s'", host, port);
		return -1;
	}
	*addr = *u;
	addr->is_sentinel = 0;
	snprintf(addr->host, sizeof(addr->host), "%s", host);
	addr->port = (int)p;
	return 0;
}

/* field: the value of key in a flat array of key, value, ...; or "". */
static const char *
field(const redisReply *r, const char *key)
{
	size_t i;

	if (r->type != REDIS_REPLY_ARRAY)
		return "";
	for (i = 0; i + 1 < r->elements; i += 2)
		if (r->element[i]->type == REDIS_REPLY_STRING &&
		    r->element[i + 1]->type == REDIS_REPLY_STRING &&
		    strcmp(r->element[i]->str, key) == 0)
			return r->element[i + 1]->str;
	return "";
}

/* replica_up: the flags say neither down nor disconnected, link ok. */
static int
replica_up(const redisReply *r)
{
	const char *flags = field(r, "flags");

	return strstr(flags, "s_down") == NULL &&
	    strstr(flags, "o_down") == NULL &&
	    strstr(flags, "disconnected") == NULL &&
	    strcmp(field(r, "master-link-status"), "ok") == 0 &&
	    field(r, "ip")[0] != '\0';
}

/*
 * sentinel_pick_replica: in the reply to SENTINEL replicas, the replica
 * prefer if it is up and not avoid, else the first up that is not
 * avoid, else avoid if up.
 */
int
sentinel_pick_replica(const struct redisurl *u, const redisReply *rep,
    const char *prefer, const char *avoid, struct redisurl *addr,
    char *why, size_t whylen)
{
	const redisReply *first = NULL, *avoided = NULL, *r;
	char at[300];
	size_t i;

	if (rep->type != REDIS_REPLY_ARRAY)
		return -1;
	for (i = 0; i < rep->elements; i++) {
		r = rep->element[i];
		if (!replica_up(r))
			continue;
		snprintf(at, sizeof(at), "%s:%s", field(r, "ip"),
		    field(r, "port"));
		if (avoid != NULL && strcmp(at, avoid) == 0)
			avoided = r;
		else if (prefer != NULL && strcmp(at, prefer) == 0)
			return set_addr(u, field(r, "ip"), field(r, "port"),
			    addr, why, whylen);
		else if (first == NULL)
			first = r;
	}
	if ((r = first != NULL ? first : avoided) == NULL)
		return -1;
	return set_addr(u, field(r, "ip"), field(r, "port"), addr, why,
	    whylen);
}

int
sentinel_master_addr(const struct redisurl *u, const redisReply *rep,
    struct redisurl *addr, char *why, size_t whylen)
{
	if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 2 &&
	    rep->element[0]->type == REDIS_REPLY_STRING &&
	    rep->element[1]->type == REDIS_REPLY_STRING)
		return set_addr(u, rep->element[0]->str, rep->element[1]->str,
		    addr, why, whylen);
	if (rep->type == REDIS_REPLY_ERROR)
		snprintf(why, whylen, "%.120s", rep->str);
	else
		snprintf(why, whylen, "does not know master '%s'", u->master);
	return -1;
}
