/*
 * batch.h: the commands redispub sends for its lines, encoded a batch of
 * unsent messages at a time.  Every line is PUBLISHed on its channel;
 * a channel new on the connection is first added to PREFIX.channels
 * (SADD); with --stream every line is also XADDed to C.stream.  A book
 * channel C also keeps its late-joiner keys (tickpipe(7)): a snapshot
 * replaces C.snapshot and empties C.deltas in one MULTI with its PUBLISH,
 * and the deltas of C in one batch are appended to C.deltas, a string of
 * lines each ended by a newline, by a single APPEND, sent before the
 * PUBLISH of the first of them.
 *
 * In a cluster (cluster://) the channel is a shard channel (SPUBLISH)
 * and its keys are {C}.snapshot, {C}.deltas, {C}.last and {C}.stream:
 * the hash tag puts them in the channel's slot.  Before the first
 * message of a channel with late-joiner keys on the connection, an EVAL
 * marks them as the node's ({C}.owner: the node ID and its server's
 * run_id, shard.h SHARD_MARK_ID), deleting them first unless the mark
 * named the node and run_id already.
 */
#ifndef TP_BATCH_H
#define TP_BATCH_H

#include <stdint.h>

#include "outbox.h"
#include "resp.h"
#include "route.h"

#define BATCH_MAX	4096

/* What a message of the batch does to its channel's late-joiner keys. */
struct batch_slot {
	struct outbox_msg	*m;
	uint8_t			act;	/* A_NONE, A_APPEND, A_DEL */
	uint32_t		next;	/* next member of its APPEND group */
	uint32_t		gsize;	/* first member: members */
	uint32_t		gid;	/* the group's id */
	size_t			gbytes;	/* first member: their bytes */
};

struct batch {
	uint64_t		pipeline;	/* --pipeline */
	uint64_t		max_deltas;	/* --max-deltas */
	uint64_t		stream;		/* --stream; 0: no XADD */
	int			cluster;	/* cluster://: SPUBLISH, {C} keys */

	uint64_t		id;		/* of the batch being planned */
	uint32_t		gid;		/* of the last APPEND group */
	struct batch_slot	*slot;		/* BATCH_MAX of them */
	uint32_t		n;
};

/*
 * batch_init: a batch encoder for the options given (stream 0: none).
 * Exits 71 if out of memory.
 */
void	batch_init(struct batch *b, uint64_t pipeline, uint64_t max_deltas,
	    uint64_t stream);

/* batch_free: frees what batch_init took. */
void	batch_free(struct batch *b);

/*
 * batch_fill: encodes unsent messages of ob into out, batch after batch,
 * while fewer than --pipeline are in flight and out holds less than
 * RESP_BUF_HIGH unwritten bytes; records a unit per message in ob and
 * marks them sent.  Only for a connection past its handshake.
 */
void	batch_fill(struct batch *b, struct outbox *ob, struct router *rt,
	    struct resp_buf *out);

/*
 * batch_keys_lost: in a cluster, the keys of the channels whose slot s
 * has lost[s] may lack writes already answered (conn.h keys_lost):
 * each such channel starts over as on a new connection (a book's keys
 * wait for its next snapshot, every delta until then deleting them),
 * and DEL {C}.snapshot {C}.deltas {C}.last is appended to out for it,
 * with SET {C}.owner to the node's mark in the same EVAL if it has
 * late-joiner keys;
 * if the slot of PREFIX.channels is lost, every channel is added to it
 * again.  The messages already encoded are sent as they are: a delta's
 * APPEND may then make a {C}.deltas without {C}.snapshot, which a late
 * joiner never uses (redispub(1) CLUSTER).
 */
void	batch_keys_lost(const struct batch *b, struct router *rt,
	    const uint8_t *lost, struct resp_buf *out);

/*
 * batch_keys_reset: channel chan's late-joiner keys missed a write:
 * Redis refused its APPEND (WRONGTYPE: C.deltas held another type than a
 * string, an older redispub's list; or -OOM at maxmemory) or its
 * snapshot's commands.  The channel starts over as on a new connection,
 * so its next delta deletes both of its keys and its next snapshot
 * rebuilds them.  What
 * is already encoded is sent as it is (its APPENDs fail the same way,
 * or, after a snapshot already sent, make keys that the next delta
 * deletes, a snapshot early).
 */
void	batch_keys_reset(struct router *rt, uint32_t chan);

/*
 * batch_loss_refused: Redis refused a command of loss m (a gap line, a
 * status resync or disconnected): the DEL of the keys of the books it
 * ends may not have run, so the next delta of each of them that has had
 * no snapshot since deletes them again.
 */
void	batch_loss_refused(struct router *rt, const struct outbox_msg *m);

#endif
