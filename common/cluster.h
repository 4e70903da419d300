/*
 * cluster.h: what every tickpipe program needs to talk to a Redis
 * Cluster (cluster:// URLs, tickpipe(7) "Sharded pub/sub"): the slot of
 * a key or a shard channel, as the Redis Cluster specification defines
 * it (CRC16, XMODEM variant, of the key or of its {hash tag}, modulo
 * 16384), the slot map read from CLUSTER SLOTS, and the address in a
 * -MOVED or -ASK redirection.  Nothing here prints or exits.
 */
#ifndef TP_CLUSTER_H
#define TP_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include "redisurl.h"

#define CLUSTER_SLOTS		16384
#define CLUSTER_NODES_MAX	64	/* primaries in one map */
#define CLUSTER_NO_NODE		0xff
#define CLUSTER_TIMEOUT_MS	500	/* per seed node asked */
#define CLUSTER_ID_LEN		40	/* a node ID: hex digits */

/*
 * The slot map: which primary serves each slot, and each primary's node
 * ID ("" if the map did not give it, or it came from a redirection).
 */
struct cluster_map {
	int			nnodes;
	struct redisurl_node	nodes[CLUSTER_NODES_MAX];
	char			id[CLUSTER_NODES_MAX][CLUSTER_ID_LEN + 1];
	uint8_t			owner[CLUSTER_SLOTS];	/* index in nodes */
};

/* cluster_crc16: CRC16-CCITT (XMODEM: poly 0x1021, init 0) of s[0..n). */
uint16_t	cluster_crc16(const char *s, size_t n);

/*
 * cluster_keyslot: the slot of key k[0..n): of the part between the
 * first '{' and the next '}' if that part is not empty, else of all k.
 */
unsigned	cluster_keyslot(const char *k, size_t n);

/*
 * cluster_map_parse: the reply r to CLUSTER SLOTS into *m (every slot
 * no range names is CLUSTER_NO_NODE), with each primary's node ID (the
 * third element of its entry, Redis >= 4).  A node given as "" or "?" (its
 * address unknown to the node asked) is from, the node that answered.
 * Returns 0, or -1 with why in err.
 */
int	cluster_map_parse(const redisReply *r, const struct redisurl_node *from,
	    struct cluster_map *m, char *err, size_t errlen);

/*
 * cluster_slots_reply: node nd's reply r to CLUSTER SLOTS into *m, by
 * cluster_map_parse; an error reply is a failure with its text.  What
 * cluster_fetch and redispub's reads on its loop (conn.h) both judge
 * the reply by.  Returns 0, or -1 with why in err.
 */
int	cluster_slots_reply(const redisReply *r,
	    const struct redisurl_node *nd, struct cluster_map *m, char *err,
	    size_t errlen);

/*
 * cluster_map_node: the index in m of host:port, added if new (with no
 * node ID); -1 if m is full.
 */
int	cluster_map_node(struct cluster_map *m, const char *host, int port);

/* The most nodes one map read asks: the seeds, then the map's. */
#define CLUSTER_ASK_MAX		(REDISURL_SENTINELS_MAX + CLUSTER_NODES_MAX)

/*
 * cluster_ask_list: the nodes a read of the slot map asks, in turn, into
 * ask (CLUSTER_ASK_MAX of them): u's seed nodes, then the nodes of *m.
 * Returns how many.
 */
int	cluster_ask_list(const struct redisurl *u, const struct cluster_map *m,
	    struct redisurl_node *ask);

/*
 * cluster_fetch: asks the nodes of cluster_ask_list (u->is_cluster) in
 * turn, each for at most timeout_ms, for CLUSTER SLOTS (with AUTH first
 * if u has a password: pw, NULL for none).
 * Returns 0 with the new map in *m, or -1 with each failure, in short,
 * in err (never a password).  Blocks.
 */
int	cluster_fetch(const struct redisurl *u, const char *pw, int timeout_ms,
	    struct cluster_map *m, char *err, size_t errlen);

/*
 * cluster_redirect: if msg (an error reply's text) is "MOVED slot
 * host:port" or "ASK slot host:port", returns 1 (MOVED) or 2 (ASK)
 * with *slot, host (hostcap bytes) and *port; else 0.
 */
int	cluster_redirect(const char *msg, unsigned *slot, char *host,
	    size_t hostcap, int *port);

#endif
