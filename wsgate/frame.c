/*
 * frame.c: frames and output queues.  A Redis message is framed once
 * (frame_text) and the same frame is queued to every client that wants
 * it; a queue holds a reference on each of its frames and writes them in
 * order with writev, so HTTP responses, data, pongs and close frames
 * leave in the order they were queued.  Nothing here knows clients.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "frame.h"
#include "json.h"
#include "lathist.h"
#include "util.h"

#define WRITE_IOV	64

static struct frame *
frame_alloc(size_t len)
{
	struct frame *f = malloc(sizeof(*f) + len);

	if (f == NULL)
		return NULL;
	f->refs = 1;
	f->hlen = 0;
	f->hist = 0;
	f->len = len;
	f->id = 0;
	f->seq = -1;
	f->kind = FRAME_OTHER;
	f->rx = 0;
	f->loss = NULL;
	return f;
}

/*
 * frame_text: a complete unmasked, unfragmented text frame holding
 * payload.  Returns a frame with one reference, or NULL (no memory).
 */
struct frame *
frame_text(const char *payload, size_t len)
{
	unsigned char h[10];
	unsigned hl = 2;
	struct frame *f;

	h[0] = 0x81;
	if (len < 126) {
		h[1] = (unsigned char)len;
	} else if (len < 65536) {
		h[1] = 126;
		h[2] = (unsigned char)(len >> 8);
		h[3] = (unsigned char)len;
		hl = 4;
	} else {
		h[1] = 127;
		for (int i = 0; i < 8; i++)
			h[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
		hl = 10;
	}
	if ((f = frame_alloc(hl + len)) == NULL)
		return NULL;
	memcpy(f->data, h, hl);
	memcpy(f->data + hl, payload, len);
	f->hlen = hl;
	return f;
}

/* frame_raw: len bytes sent as they are (one reference, or NULL). */
struct frame *
frame_raw(const void *p, size_t len)
{
	struct frame *f = frame_alloc(len);

	if (f != NULL)
		memcpy(f->data, p, len);
	return f;
}

/*
 * frame_json: a text frame of j, compact; j is stolen (freed here).
 * NULL if j is NULL or out of memory.
 */
struct frame *
frame_json(json_t *j)
{
	char *s = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
	struct frame *f = NULL;

	json_decref(j);
	if (s != NULL)
		f = frame_text(s, strlen(s));
	free(s);
	return f;
}

void
frame_unref(struct frame *f)
{
	if (f != NULL && --f->refs == 0)
		free(f);
}

/*
 * frame_loss: why a line of a book channel whose members "type" and
 * "status" are these says the book lost messages, or NULL: redispub(1)
 * publishes a gap line, and a status "resync" or "disconnected", again
 * on each book channel it touches, before the deltas that no longer
 * apply to the book a client has.
 */
const char *
frame_loss(struct jv type, struct jv status)
{
	if (jt_eq(type, "gap"))
		return "records lost (a gap line)";
	if (!jt_eq(type, "status"))
		return NULL;
	if (jt_eq(status, "resync"))
		return "book resync (a status line)";
	if (jt_eq(status, "disconnected"))
		return "venue disconnected (a status line)";
	return NULL;
}

/*
 * frame_parse_book: fills f->kind and f->seq from a book payload
 * (tickpipe(7)): "type" and "seq" are members of the top object, found
 * wherever they are (the common scanner, json.h), so any valid JSON that
 * redispub forwards is read alike.  A payload that is not a JSON object
 * stays FRAME_OTHER; a seq that is no unsigned integer stays -1.
 */
void
frame_parse_book(struct frame *f)
{
	static const char *const names[] = { "type", "seq", "status" };
	struct jv v[3];
	uint64_t seq;

	if (jt_pick((const char *)f->data + f->hlen, f->len - f->hlen, names,
	    v, 3, NULL) < 0)
		return;
	if (jt_eq(v[0], "book_snapshot"))
		f->kind = FRAME_SNAPSHOT;
	else if (jt_eq(v[0], "book_delta"))
		f->kind = FRAME_DELTA;
	else if ((f->loss = frame_loss(v[0], v[2])) != NULL)
		f->kind = FRAME_LOSS;
	if (jt_type(v[1]) == JT_NUM && jt_u64(v[1], &seq) == 0 &&
	    seq <= INT64_MAX)
		f->seq = (int64_t)seq;
}

/* --- output queue --- */

/* outq_push: queues f, taking a reference.  0, or -1 out of memory. */
int
outq_push(struct outq *q, struct frame *f)
{
	if (q->n == q->cap) {
		size_t ncap = q->cap ? q->cap * 2 : 8;
		struct frame **v = malloc(ncap * sizeof(*v));

		if (v == NULL)
			return -1;
		for (size_t i = 0; i < q->n; i++)
			v[i] = q->v[(q->head + i) & (q->cap - 1)];
		free(q->v);
		q->v = v;
		q->cap = ncap;
		q->head = 0;
	}
	q->v[(q->head + q->n) & (q->cap - 1)] = f;
	q->n++;
	q->bytes += f->len;
	if (f->hist)
		q->hist += f->len;
	f->refs++;
	return 0;
}

static void
outq_pop(struct outq *q)
{
	struct frame *f = q->v[q->head];

	q->bytes -= f->len - q->off;
	if (f->hist)
		q->hist -= f->len - q->off;
	q->off = 0;
	q->head = (q->head + 1) & (q->cap - 1);
	q->n--;
	frame_unref(f);
}

/*
 * outq_write: writes what fd takes of q, adding the bytes written to
 * *bytes.  Returns 0 (q empty, or fd takes no more now), or -1 with
 * errno on a write error.
 */
int
outq_write(struct outq *q, int fd, uint64_t *bytes, struct lathist *lat)
{
	struct iovec iov[WRITE_IOV];
	ssize_t w;
	int64_t now = 0;

	while (q->n > 0) {
		int k = 0;

		for (size_t i = 0; i < q->n && k < WRITE_IOV; i++, k++) {
			struct frame *f = q->v[(q->head + i) & (q->cap - 1)];
			size_t off = i == 0 ? q->off : 0;

			iov[k].iov_base = f->data + off;
			iov[k].iov_len = f->len - off;
		}
		w = writev(fd, iov, k);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			return -1;
		}
		*bytes += (uint64_t)w;
		while (w > 0) {
			struct frame *f = q->v[q->head];
			size_t left = f->len - q->off;

			if ((size_t)w >= left) {
				w -= (ssize_t)left;
				if (f->rx != 0 && lat != NULL) {
					if (now == 0)	/* one clock read */
						now = now_ns();
					lathist_add(lat, now - f->rx);
				}
				outq_pop(q);
			} else {
				q->off += (size_t)w;
				q->bytes -= (size_t)w;
				if (f->hist)
					q->hist -= (size_t)w;
				w = 0;
			}
		}
	}
	return 0;
}

/*
 * outq_drop: discards every queued frame except a partly written head
 * (cutting it would corrupt the stream).  Returns the frames dropped.
 */
size_t
outq_drop(struct outq *q)
{
	size_t keep = q->off > 0 ? 1 : 0, dropped = 0;

	while (q->n > keep) {
		size_t last = (q->head + q->n - 1) & (q->cap - 1);

		q->bytes -= q->v[last]->len;
		if (q->v[last]->hist)
			q->hist -= q->v[last]->len;
		frame_unref(q->v[last]);
		q->n--;
		dropped++;
	}
	return dropped;
}

/*
 * outq_drop_book: discards the queued book frames (snapshots and deltas),
 * except a partly written head; other frames keep their
 * order.  For a client whose books go to conflation, whose join
 * snapshot replaces them.  Returns the frames dropped.
 */
size_t
outq_drop_book(struct outq *q)
{
	size_t k = 0, dropped = 0;

	for (size_t i = 0; i < q->n; i++) {
		struct frame *f = q->v[(q->head + i) & (q->cap - 1)];

		if ((f->kind == FRAME_SNAPSHOT || f->kind == FRAME_DELTA) &&
		    (i > 0 || q->off == 0)) {
			q->bytes -= f->len;
			if (f->hist)
				q->hist -= f->len;
			frame_unref(f);
			dropped++;
			continue;
		}
		q->v[(q->head + k) & (q->cap - 1)] = f;
		k++;
	}
	q->n = k;
	return dropped;
}

/* outq_trim: shrinks an idle queue's array back to nothing. */
void
outq_trim(struct outq *q)
{
	if (q->n == 0 && q->cap > 64) {
		free(q->v);
		q->v = NULL;
		q->cap = 0;
		q->head = 0;
	}
}

void
outq_free(struct outq *q)
{
	while (q->n > 0)
		outq_pop(q);
	free(q->v);
	q->v = NULL;
	q->cap = 0;
	q->bytes = 0;
	q->hist = 0;
}

/* --- what clients send --- */

/*
 * ws_head: decodes the header of the client frame starting at p (n bytes
 * there).  0 with h filled, WS_HEAD_MORE if the header is not all there,
 * or 1002, the close code for a frame a server must refuse (RFC 6455
 * 5.1, 5.2, 5.5): unmasked, RSV bits without an extension, an unknown
 * opcode, a fragmented or long control frame, a length not in its
 * shortest form or with the top bit set.
 */
int
ws_head(const unsigned char *p, size_t n, struct ws_head *h)
{
	size_t k = 2;

	if (n < 2)
		return WS_HEAD_MORE;
	h->fin = p[0] >> 7;
	h->op = p[0] & 0x0f;
	h->plen = p[1] & 0x7f;
	if ((p[0] & 0x70) || !(p[1] & 0x80))
		return 1002;
	if (h->op >= 0x8 && (h->op > 0xa || !h->fin || h->plen > 125))
		return 1002;
	if (h->op > 0x2 && h->op < 0x8)
		return 1002;
	if (h->plen == 126) {
		if (n < 4)
			return WS_HEAD_MORE;
		h->plen = (uint64_t)p[2] << 8 | p[3];
		if (h->plen < 126)
			return 1002;
		k = 4;
	} else if (h->plen == 127) {
		if (n < 10)
			return WS_HEAD_MORE;
		h->plen = 0;
		for (int i = 0; i < 8; i++)
			h->plen = h->plen << 8 | p[2 + i];
		if (h->plen < 65536 || h->plen >> 63)
			return 1002;
		k = 10;
	}
	if (n < k + 4)
		return WS_HEAD_MORE;
	memcpy(h->mask, p + k, 4);
	h->hlen = k + 4;
	return 0;
}

/* ws_unmask: unmasks n payload bytes at p in place (RFC 6455 5.3). */
void
ws_unmask(unsigned char *p, size_t n, const unsigned char mask[4])
{
	for (size_t i = 0; i < n; i++)
		p[i] ^= mask[i & 3];
}
