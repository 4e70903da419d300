/*
 * sentinel.h: asks Redis Sentinel where a master's primary or a replica
 * is, for a sentinel:// URL (redisurl.h, tickpipe(7)).  Each Sentinel of
 * the URL is tried in turn, each with its own timeout, until one answers
 * SENTINEL get-master-addr-by-name (the primary) or SENTINEL replicas (a
 * replica that is up and linked to its primary).  The calls block.
 * wsgate and redispub, whose loops must not wait, ask the same
 * questions without blocking (wsgate/evsentinel.c, redispub/conn.c) and
 * read the answers with the same functions (sentinel_pick_replica,
 * sentinel_master_addr).  Nothing here prints or exits.
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
 * sentinel_resolve: asks u's Sentinels (u->is_sentinel) for what want
 * says, each for at most timeout_ms.  For a replica: the one at prefer
 * ("host:port", NULL: none) if it is up and not avoid; else the first up that is not
 * avoid ("host:port", the one just lost; NULL: none); else avoid if it
 * is up; else the primary.  On success *addr is a copy of u naming that server as a redis://
 * URL would (is_sentinel 0, host, port; user, password and db kept) and
 * 0 is returned; else -1 with why in err (each Sentinel's failure, in
 * short; never a password).
 */
int	sentinel_resolve(const struct redisurl *u, enum sentinel_want want,
	    const char *prefer, const char *avoid, int timeout_ms,
	    struct redisurl *addr, char *err, size_t errlen);

/*
 * sentinel_pick_replica: from rep, a Sentinel's answer to
 * SENTINEL_ASK_REPLICAS, the replica sentinel_resolve takes (prefer,
 * avoid: as there).  Returns 0 with *addr set as there, or -1: none up
 * (why untouched), not an array (the same), or a bad address (said in
 * why).
 */
struct redisReply;
int	sentinel_pick_replica(const struct redisurl *u,
	    const struct redisReply *rep, const char *prefer,
	    const char *avoid, struct redisurl *addr, char *why,
	    size_t whylen);

/*
 * sentinel_master_addr: from rep, a Sentinel's answer to
 * SENTINEL_ASK_MASTER, the primary: 0 with *addr set as
 * sentinel_resolve does, or -1 with why (the Sentinel's error, a master
 * it does not know, a bad address).
 */
int	sentinel_master_addr(const struct redisurl *u,
	    const struct redisReply *rep, struct redisurl *addr, char *why,
	    size_t whylen);

/*
 * sentinel_dial: a blocking connection to nd for one short query, with
 * timeout_ms for the connect and each reply; NULL with why.  The
 * Sentinel and the CLUSTER SLOTS queries (cluster.h) both use it.
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
