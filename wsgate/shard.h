/*
 * shard.h: wsgate's subscriptions on a Redis Cluster (a cluster:// URL,
 * wsgate(1) CLUSTER): the slot map and one subscription connection per
 * node, carrying SSUBSCRIBE and SUNSUBSCRIBE of exact channels and the
 * smessage pushes.  hub.c keeps the state of each channel; this layer
 * only sends, parses and reports.
 */
#ifndef WSGATE_SHARD_H
#define WSGATE_SHARD_H

#include <stddef.h>
#include <stdint.h>

#include "evname.h"
#include <event2/event.h>

#include "redisurl.h"

struct shard;

/* What the shard layer tells the hub; node is an index (shard_node). */
struct shard_cbs {
	/* an smessage on chan */
	void	(*message)(void *arg, const char *chan, size_t clen,
		    const char *msg, size_t len);
	/* node confirmed our SSUBSCRIBE (subscribe 1) or SUNSUBSCRIBE of chan */
	void	(*ack)(void *arg, int node, const char *chan, size_t clen,
		    int subscribe);
	/* node dropped chan (a pushed sunsubscribe: its slot moved away)
	 * or refused to subscribe it (why: the error, MOVED already
	 * applied to the map) */
	void	(*lost)(void *arg, int node, const char *chan, size_t clen,
		    int refused, const char *why);
	/* node's subscription connection came up (up 1: the node answered
	 * its first command), or was lost or failed */
	void	(*node)(void *arg, int node, int up, const char *why);
	/* the slot map read (shard_remap) is in place (err NULL), or could
	 * not be read from any node (err says each one's failure) */
	void	(*mapped)(void *arg, const char *err);
};

struct shard	*shard_new(struct event_base *, struct evname_res *,
		    const struct redisurl *,
		    const char *password, const struct shard_cbs *, void *arg,
		    int verbose, int64_t timeout_ms);
void		 shard_free(struct shard *);
void		 shard_remap(struct shard *);
int		 shard_remapping(const struct shard *);
int		 shard_owner(struct shard *, const char *chan, size_t clen);
int		 shard_send(struct shard *, int node, const char *chan,
		    size_t clen, int subscribe);
/* shard_slots_of: mark[s] = 1 for each slot s the map gives node. */
void		 shard_slots_of(struct shard *, int node, uint8_t *mark);
/*
 * shard_id: the node ID of host:port in the last map read (tickpipe(7)
 * "{C}.owner"); "" if the map does not give it.
 */
const char	*shard_id(const struct shard *, const char *host, int port);
int		 shard_nnodes(const struct shard *);
int		 shard_connected(const struct shard *, int node);
size_t		 shard_inflight(const struct shard *, int node,
		    int64_t *oldest);
const char	*shard_node(const struct shard *, int node, int *port);

#endif
