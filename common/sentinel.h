/*
 * sentinel.h: what Redis Sentinel is asked, for a sentinel:// URL
 * (redisurl.h, tickpipe(7)), and how its answers are read.  The asker
 * (wsgate/evsentinel.c, redispub/conn.c, each on its own loop without
 * blocking) tries each Sentinel of the URL in turn, each for
 * SENTINEL_TIMEOUT_MS, until one answers SENTINEL_ASK_MASTER (the
 * primary) or, for SENTINEL_REPLICA, SENTINEL_ASK_REPLICAS (a replica
 * that is up and linked to its primary; else the primary is asked).
 * The server found is a copy of the URL naming it as a redis:// URL
 * would (is_sentinel 0, host, port; user, password and db kept); when
 * none answers, each Sentinel's failure is said, in short, as
 * sentinel_why joins them (never a password).  Nothing here prints or
 * exits.
 */
#ifndef TP_SENTINEL_H
#define TP_SENTINEL_H

#include <stddef.h>

#include "redisurl.h"

#define SENTINEL_TIMEOUT_MS	500	/* per Sentinel asked */

/* The questions, each with the master name as its one argument. */
#define SENTINEL_ASK_REPLICAS	"SENTINEL replicas %s"
#define SENTINEL_ASK_MASTER	"SENTINEL get-master-addr-by-name %s"

enum sentinel_want {
	SENTINEL_PRIMARY,
	SENTINEL_REPLICA	/* a replica, else the primary */
};

/*
 * sentinel_pick_replica: from rep, a Sentinel's answer to
 * SENTINEL_ASK_REPLICAS, the replica to take: the one at prefer
 * ("host:port", NULL: none) if it is up and not avoid; else the first
 * up that is not avoid ("host:port", the one just lost; NULL: none);
 * else avoid if it is up.  Returns 0 with *addr set (see above), or -1:
 * none up (why untouched; the primary is asked next), not an array (the
 * same), or a bad address (said in why).
 */
struct redisReply;
int	sentinel_pick_replica(const struct redisurl *u,
	    const struct redisReply *rep, const char *prefer,
	    const char *avoid, struct redisurl *addr, char *why,
	    size_t whylen);

/*
 * sentinel_master_addr: from rep, a Sentinel's answer to
 * SENTINEL_ASK_MASTER, the primary: 0 with *addr set (see above),
 * or -1 with why (the Sentinel's error, a master
 * it does not know, a bad address).
 */
int	sentinel_master_addr(const struct redisurl *u,
	    const struct redisReply *rep, struct redisurl *addr, char *why,
	    size_t whylen);

/*
 * sentinel_dial: a blocking connection to nd for one short query, with
 * timeout_ms for the connect and each reply; NULL with why.  The
 * CLUSTER SLOTS queries (cluster.h) use it.
 */
struct redisContext;
struct redisContext *sentinel_dial(const struct redisurl_node *nd,
	    int timeout_ms, char *why, size_t whylen);

/*
 * sentinel_why: appends "; WHAThost:port: why" (no "; " for the first)
 * to err at *o, as far as errlen allows.
 */
void	sentinel_why(char *err, size_t errlen, size_t *o, int first,
	    const char *what, const struct redisurl_node *nd, const char *why);

#endif
