/*
 * outbox.h: redispub's outbox, every accepted line that Redis has not
 * yet acknowledged, in input order, and the record of what was sent for
 * them.
 *
 * Messages (a line and what routing found in it) are held in mmap'd
 * chunks.  Two cursors walk them: head, the oldest message, and send,
 * the oldest not yet sent; [head, send) is in flight.  For every group
 * of commands sent, a message's or a statistics object's, a unit in a
 * ring counts the replies still due; a message leaves at the head only
 * when the last reply of its unit has arrived, so the outbox empties in
 * input order.  When the connection is lost, outbox_rewind makes every
 * message in flight unsent again: the next connection sends it again
 * (at-least-once delivery, redispub(1)).
 *
 * The book deltas of one channel sent in one batch share one APPEND (see
 * batch.c): its reply comes with the first member's unit, and if Redis
 * refuses it every member is dropped as it is acknowledged.
 */
#ifndef TP_OUTBOX_H
#define TP_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "resp.h"

/* One held message, followed by its line; 8-byte aligned. */
struct outbox_msg {
	uint64_t	lineno;
	uint64_t	seq, recv;	/* 0: none */
	int64_t		rd;		/* read at (stats_read); 0: not timed */
	uint32_t	len;		/* of the line */
	uint32_t	chan;		/* index in the router's table */
	uint8_t		type;		/* enum route_type */
	uint8_t		loss;		/* enum ob_loss: it ends book keys */
	uint32_t	book;		/* OB_LOSS_STATUS: its book channel + 1,
					   or 0 for every book of the venue */
};

/* The losses a line announces (route.c), which end book keys (batch.c). */
enum ob_loss {
	OB_LOSS_NONE,
	OB_LOSS_STATUS,		/* a status resync or disconnected */
	OB_LOSS_GAP,		/* a gap line */
	OB_LOSS_NEW_RING,	/* a gap line after which seq starts again */
};
#define OUTBOX_MSG_SIZE(n)	((sizeof(struct outbox_msg) + (n) + 7) & \
				    ~(size_t)7)

struct outbox_chunk {
	struct outbox_chunk	*next;
	size_t			cap, used, maplen;
	char			data[];
};

struct outbox_pos {
	struct outbox_chunk	*c;
	size_t			off;
};

/*
 * Sent units awaiting replies: a message, or a statistics object.  A
 * delta whose line went out in a grouped APPEND has that group's id; the
 * first member's unit also carries the APPEND's reply (rp_left: the value
 * of left when it arrives; keys_left: when its outcome arrives, the
 * EXEC's reply in a cluster's MULTI, else rp_left).  A WRONGTYPE there
 * is not the line's failure but its channel's C.deltas holding another
 * type (an older redispub's list): the line counts as published and
 * the ack says OUTBOX_KEYS_WRONGTYPE.
 */
struct outbox_unit {
	uint32_t	left;		/* replies still due */
	uint32_t	rp_left;	/* 0: no APPEND reply in this unit */
	uint32_t	keys_left;	/* 0: no APPEND outcome in this unit */
	uint32_t	gid;		/* 0: in no APPEND group */
	uint32_t	gsize;		/* with rp_left: the group's members */
	uint32_t	ann_left;	/* the replies while left is above it
					   are its channel's SADDs */
	uint8_t		is_msg;
	uint8_t		err;		/* one of its replies was an error */
	uint8_t		wrongtype;	/* the APPEND was WRONGTYPE */
	uint8_t		ann_err;	/* a SADD of its channel refused */
	uint8_t		last_err;	/* its last reply was an error: the
					   PUBLISH, or the EXEC of the MULTI
					   holding it, did not run */
};

/* An APPEND group that Redis refused: its members are dropped. */
struct outbox_failed {
	uint32_t	gid;
	uint32_t	left;		/* members not yet acknowledged */
};

struct outbox {
	uint64_t		max_n, max_bytes;	/* the --buffer bound */

	struct outbox_pos	head, send;
	struct outbox_chunk	*tail, *spare;
	uint64_t		n, nsent, bytes;

	struct outbox_unit	*units;		/* ring */
	size_t			ucap, uhead, un;

	struct outbox_failed	*failed;
	size_t			nfailed, failed_cap;
	char			group_err[200];	/* why the last was refused */
	int			unpublished;	/* OUTBOX_REFUSED: last_err */
	char			ann_err[200];	/* why a SADD was refused */
};

/* What the acknowledgement of a unit meant (outbox_ack). */
enum outbox_ack {
	OUTBOX_CONFUSED = -1,	/* a reply with no unit awaiting it */
	OUTBOX_WAIT,		/* more replies due for the oldest unit */
	OUTBOX_STATS,		/* a statistics object stored */
	OUTBOX_STATS_REFUSED,	/* ... not stored */
	OUTBOX_PUBLISHED,	/* a message delivered */
	OUTBOX_REFUSED,		/* a message dropped: a command refused
				   (ob->unpublished: its PUBLISH too) */
	OUTBOX_GROUP_REFUSED,	/* a message dropped: its group's APPEND */
	OUTBOX_KEYS_WRONGTYPE,	/* a message published; its C.deltas had
				   another type */
	OUTBOX_ANNOUNCE_REFUSED, /* a message published; the SADD of its
				   channel to the sets of channels refused
				   (why: ob->ann_err) */
	OUTBOX_WAITED,		/* a WAIT answered (proof.h) */
	OUTBOX_LEASE		/* a lease command answered (lease.h) */
};

/* outbox_unit's is_msg for a WAIT (proof.h), a lease command (lease.h) */
#define OUTBOX_UNIT_WAIT	2
#define OUTBOX_UNIT_LEASE	3

/*
 * outbox_init: an empty outbox holding at most max_n messages and about
 * max_bytes bytes, with room for the units of pipeline messages in
 * flight (and a few statistics objects).  Exits 71 if out of memory.
 */
void	outbox_init(struct outbox *ob, uint64_t max_n, uint64_t max_bytes,
	    uint64_t pipeline);

/* outbox_free: unmaps and frees all the outbox holds. */
void	outbox_free(struct outbox *ob);

/* outbox_has_room: another message may be pushed. */
static inline int
outbox_has_room(const struct outbox *ob)
{
	return ob->n < ob->max_n && ob->bytes < ob->max_bytes;
}

/* outbox_empty: every message pushed has left (acknowledged or dropped). */
static inline int
outbox_empty(const struct outbox *ob)
{
	return ob->n == 0;
}

/* outbox_awaits_replies: some unit sent still has replies due. */
static inline int
outbox_awaits_replies(const struct outbox *ob)
{
	return ob->un > 0;
}

/*
 * outbox_push: appends a message with header *h (its len is line's
 * length) and a copy of line; the caller checked outbox_has_room.  Exits
 * 71 if a chunk cannot be mapped.
 */
void	outbox_push(struct outbox *ob, const struct outbox_msg *h,
	    const char *line);

static inline const char *
outbox_line(const struct outbox_msg *m)
{
	return (const char *)(m + 1);
}

/*
 * outbox_at: the message at p, stepping p into the next chunk when it is
 * at the end of one; NULL when p is at the end of the outbox.  The
 * unsent messages are read from a copy of ob->send, with outbox_step.
 */
static inline struct outbox_msg *
outbox_at(struct outbox_pos *p)
{
	if (p->c == NULL)
		return NULL;
	if (p->off == p->c->used) {
		if (p->c->next == NULL)
			return NULL;
		p->c = p->c->next;
		p->off = 0;
	}
	return (struct outbox_msg *)(void *)(p->c->data + p->off);
}

/* outbox_step: moves p past m, the message at p. */
static inline void
outbox_step(struct outbox_pos *p, const struct outbox_msg *m)
{
	p->off += OUTBOX_MSG_SIZE(m->len);
}

/* outbox_sent: the n messages from ob->send up to p have been sent. */
static inline void
outbox_sent(struct outbox *ob, const struct outbox_pos *p, uint64_t n)
{
	ob->send = *p;
	ob->nsent += n;
}

/*
 * outbox_unit: records a unit of commands sent, due left replies; is_msg
 * 0 for a statistics object.  Returns it (to be completed by the caller
 * while no other unit is added), or NULL if the ring is full.
 */
static inline struct outbox_unit *
outbox_unit(struct outbox *ob, uint32_t left, int is_msg)
{
	struct outbox_unit *u;

	if (ob->un == ob->ucap)
		return NULL;
	u = &ob->units[(ob->uhead + ob->un) % ob->ucap];
	u->left = left;
	u->rp_left = 0;
	u->keys_left = 0;
	u->gid = 0;
	u->gsize = 0;
	u->is_msg = (uint8_t)is_msg;
	u->err = 0;
	u->wrongtype = 0;
	u->last_err = 0;
	u->ann_left = left;
	u->ann_err = 0;
	ob->un++;
	return u;
}

/*
 * outbox_ack: takes one reply, in order, for the oldest unit.  While
 * more are due, returns OUTBOX_WAIT.  On the last: a statistics unit
 * returns OUTBOX_STATS or OUTBOX_STATS_REFUSED; a message leaves the
 * outbox, *acked gets a copy of its header and the result says whether
 * it was delivered (the text of a refused group's error is in
 * ob->group_err, of another error in rep->msg).  OUTBOX_CONFUSED: no
 * unit was awaiting a reply; nothing changed.
 */
enum outbox_ack	outbox_ack(struct outbox *ob, const struct resp_reply *rep,
		    struct outbox_msg *acked);

/*
 * outbox_rewind: the connection is gone and with it every reply due;
 * every message in flight is unsent again, in its place.
 */
void	outbox_rewind(struct outbox *ob);

/*
 * outbox_drop_all: forgets every message (at exit, once they are counted
 * as dropped).
 */
void	outbox_drop_all(struct outbox *ob);

#endif
