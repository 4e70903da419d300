/*
 * proof.h: which acknowledged messages a replica is proven to hold, for
 * a sentinel:// URL (redispub(1)).  A primary acknowledges a PUBLISH
 * before its replicas have it; if the primary dies then, the promoted
 * replica never had the message and its subscribers never get it.  So
 * after each batch redispub sends WAIT 1 PROOF_WAIT_MS (one at a time):
 * its reply, in order after the replies of every message sent before
 * it, says whether a replica holds them all.  The messages acknowledged
 * since the last WAIT that said so are "unproven"; when the connection
 * is lost, the span of ring sequences they cover is announced as a gap
 * line (tickpipe-json(5)) on PREFIX.gap, since some of them may be lost.
 */
#ifndef TP_PROOF_H
#define TP_PROOF_H

#include <stdint.h>

#include "outbox.h"
#include "resp.h"

#define PROOF_WAIT_MS	100	/* WAIT's timeout */

struct proof {
	int		on;		/* sentinel://: WAIT sent */
	int		waiting;	/* a WAIT is in flight */
	uint64_t	n;		/* unproven messages with a seq */
	uint64_t	first, last;	/* their ring sequences */
	uint64_t	waits, proven;	/* WAITs sent, and that proved */
};

/* proof_init: on if the messages' delivery is to be proved with WAIT. */
void	proof_init(struct proof *pf, int on);

/*
 * proof_send: if on, no WAIT in flight, and messages in flight or
 * unproven, appends WAIT 1 PROOF_WAIT_MS to out with its unit.
 */
void	proof_send(struct proof *pf, struct outbox *ob, struct resp_buf *out);

/* proof_acked: message with ring sequence seq (0: none) acknowledged. */
void	proof_acked(struct proof *pf, uint64_t seq);

/* proof_waited: WAIT's reply: rep->integer replicas hold all before it. */
void	proof_waited(struct proof *pf, const struct resp_reply *rep);

/*
 * proof_lost: the connection is gone.  Returns the number of unproven
 * messages (0: nothing to announce) with their span in *from and *n
 * (ring sequences from .. from + n - 1), and forgets them.
 */
uint64_t proof_lost(struct proof *pf, uint64_t *from, uint64_t *n);

#endif
