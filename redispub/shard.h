/*
 * shard.h: redispub's connection to a Redis Cluster (a cluster:// URL,
 * redispub(1) "CLUSTER"), behind the one connection of conn.h.  The
 * rest of redispub writes its commands into the connection's output
 * buffer and reads the replies in order as for one Redis; this part
 * cuts the buffer into groups (a command, or MULTI ... EXEC), sends
 * each to the primary that serves the slot of its key or shard channel
 * (cluster.h), over one connection per primary, and hands the replies
 * back in the order the groups were written.
 *
 * A group answered -MOVED is sent again to the new owner, after every
 * group of that slot already sent to the old owner is moved behind it
 * (so a channel's messages stay in order); -ASK, -TRYAGAIN and
 * -CLUSTERDOWN are tried again on the owner 20 ms later; a primary's
 * lost connection sends again what it had not answered once it is back
 * or once a new slot map names another owner; one that owes replies and
 * sends nothing for the caller's reply_timeout (conn.h) is taken as lost
 * (a node stopped, or behind a network that drops everything).  Only
 * the groups' final replies reach the caller, so a redirection is
 * invisible to it.
 */
#ifndef TP_SHARD_H
#define TP_SHARD_H

#include <stddef.h>
#include <stdint.h>

#include "resp.h"

/*
 * SHARD_MARK_ID: as the last argument of an EVAL sent alone (not in a
 * MULTI), stands for the owner mark of the primary the command goes to,
 * "<node ID> <run_id>": shard.c writes the node's ID and the run_id of
 * its redis-server process (learnt in the handshake of each connection
 * to it, conn.h) in its place each time it sends the command (to a new
 * owner after a redirection too), and holds it, and what follows on
 * that node, until the slot map has given the node's ID.  So the owner
 * mark {C}.owner always names the node it is written on, and the
 * process: a restart changes it (redispub(1) CLUSTER, tickpipe(7)).
 * As long as two IDs and a space.
 */
#define SHARD_MARK_ID	"????????????????????????????????????????" \
			" ????????????????????????????????????????"

struct conn;
struct shard;

/* shard_new: the cluster side of c (c->url->is_cluster).  Exits 71. */
struct shard	*shard_new(struct conn *c);

/* shard_free: closes every node's connection and frees all. */
void	shard_free(struct shard *sh);

/*
 * shard_start: asks the seed nodes for the slot map and starts a
 * connection to each primary.  Returns 0, or -1 with why.  Blocks up to
 * CLUSTER_TIMEOUT_MS per node asked (redispub(1) CLUSTER); the map's
 * later reads, from shard_tick, do not (conn_ask_slots).
 */
int	shard_start(struct shard *sh, char *why, size_t whylen);

/*
 * shard_reset: forgets every group and node (the caller's connection
 * is lost: everything in flight is sent again from the outbox).
 */
void	shard_reset(struct shard *sh);

/*
 * shard_flush: takes every command in out (emptied) into groups for
 * their primaries, and writes what the nodes may be sent.
 */
void	shard_flush(struct shard *sh, struct resp_buf *out);

/*
 * shard_poll, shard_io, shard_tick, shard_next_timer: as conn.h's, for
 * all the nodes at once (the descriptor is an epoll one).  shard_io and
 * shard_tick return NULL, or why the caller's connection must be
 * dropped (its reply callback refused a reply).
 */
int		shard_poll(struct shard *sh, short *events);
const char	*shard_io(struct shard *sh);
const char	*shard_tick(struct shard *sh, int64_t now);
int64_t		shard_next_timer(const struct shard *sh);

#endif
