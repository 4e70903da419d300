/*
 * frame.h: frames, the bytes wsgate writes, shared between the clients
 * they go to, and each client's output queue of them (frame.c).
 */
#ifndef WSGATE_FRAME_H
#define WSGATE_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "json.h"

/*
 * A frame: bytes ready for the wire (WebSocket header + payload, or an
 * HTTP response chunk), refcounted, shared by every queue that holds it.
 * seq/kind are parsed once for book channels and latest-value ones
 * (FRAME_LATEST, whatever the line's type: late-joiner dedup); id
 * names one Redis message (given by the hub, 0 otherwise), so a message
 * that several subscriptions of one client match reaches it once.  hist
 * marks a late joiner's history (one client's), paced apart from the
 * output cap.  FRAME_LOSS is a loss line on a book channel (frame_loss),
 * loss its reason.
 */
enum { FRAME_OTHER, FRAME_SNAPSHOT, FRAME_DELTA, FRAME_LATEST, FRAME_LOSS };

struct frame {
	unsigned	 refs;
	unsigned	 hlen;		/* WebSocket header bytes before payload */
	int		 hist;		/* history read from the keys */
	size_t		 len;		/* total bytes in data */
	uint64_t	 id;
	int64_t		 seq;		/* -1 if none */
	int		 kind;
	int64_t		 rx;		/* from Redis at (metrics_rx); 0: none */
	const char	*loss;		/* FRAME_LOSS: why (static) */
	unsigned char	 data[];
};

struct frame	*frame_text(const char *payload, size_t len);
struct frame	*frame_raw(const void *p, size_t len);
struct frame	*frame_json(json_t *);
void		 frame_unref(struct frame *);
void		 frame_parse_book(struct frame *);
const char	*frame_loss(struct jv type, struct jv status);

static inline struct frame *
frame_ref(struct frame *f)
{
	f->refs++;
	return f;
}

/* One client's output: a ring of shared frames, written in order. */
struct outq {
	struct frame	**v;
	size_t		 cap, head, n;	/* cap: 0 or a power of 2 */
	size_t		 off;		/* bytes of v[head] already written */
	size_t		 bytes;		/* bytes still to write */
	size_t		 hist;		/* of them, in history frames */
};

int	outq_push(struct outq *, struct frame *);
struct lathist;
int	outq_write(struct outq *, int fd, uint64_t *bytes,
	    struct lathist *lat);
size_t	outq_drop(struct outq *);
size_t	outq_drop_book(struct outq *);
void	outq_trim(struct outq *);
void	outq_free(struct outq *);

/*
 * A client's frame header (RFC 6455 5.2), decoded by ws_head(): fin,
 * opcode, header bytes (mask included), payload bytes and masking key.
 */
struct ws_head {
	int		 fin, op;
	size_t		 hlen;
	uint64_t	 plen;
	unsigned char	 mask[4];
};

#define WS_HEAD_MORE	(-1)	/* ws_head: not all of it is there yet */

int	ws_head(const unsigned char *, size_t, struct ws_head *);
void	ws_unmask(unsigned char *, size_t, const unsigned char[4]);

#endif
