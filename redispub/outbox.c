/*
 * outbox.c: the messages held until Redis acknowledges them, in mmap'd
 * chunks of 1 MiB (or one line's size, for a longer line), and the ring
 * of units of commands awaiting replies (see outbox.h).  One chunk is
 * kept as a spare so that a steady stream does not map and unmap.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sysexits.h>

#include "outbox.h"

#define CHUNK_SIZE	(1u << 20)
#define CHUNK_MAPLEN	((sizeof(struct outbox_chunk) + CHUNK_SIZE + 4095) & \
			    ~(size_t)4095)

void
outbox_init(struct outbox *ob, uint64_t max_n, uint64_t max_bytes,
    uint64_t pipeline)
{
	memset(ob, 0, sizeof(*ob));
	ob->max_n = max_n;
	ob->max_bytes = max_bytes;
	ob->ucap = pipeline + 16;
	if ((ob->units = calloc(ob->ucap, sizeof(*ob->units))) == NULL)
		err(EX_OSERR, "calloc");
}

void
outbox_free(struct outbox *ob)
{
	outbox_drop_all(ob);
	if (ob->spare != NULL)
		munmap(ob->spare, ob->spare->maplen);
	free(ob->units);
	free(ob->failed);
	memset(ob, 0, sizeof(*ob));
}

/* chunk_new: an empty chunk with room for need bytes, the spare if it fits. */
static struct outbox_chunk *
chunk_new(struct outbox *ob, size_t need)
{
	size_t len = sizeof(struct outbox_chunk) + (need > CHUNK_SIZE ? need :
	    CHUNK_SIZE);
	struct outbox_chunk *c;

	if (ob->spare != NULL && need <= ob->spare->cap) {
		c = ob->spare;
		ob->spare = NULL;
	} else {
		len = (len + 4095) & ~(size_t)4095;
		c = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (c == MAP_FAILED)
			err(EX_OSERR, "mmap %zu bytes", len);
		c->maplen = len;
		c->cap = len - sizeof(struct outbox_chunk);
	}
	c->next = NULL;
	c->used = 0;
	return c;
}

/* chunk_free: keeps c as the spare if there is none and c is standard. */
static void
chunk_free(struct outbox *ob, struct outbox_chunk *c)
{
	if (ob->spare == NULL && c->maplen == CHUNK_MAPLEN) {
		ob->spare = c;
		return;
	}
	munmap(c, c->maplen);
}

void
outbox_push(struct outbox *ob, const struct outbox_msg *h, const char *line)
{
	size_t need = OUTBOX_MSG_SIZE(h->len);
	struct outbox_msg *m;

	if (ob->tail == NULL || ob->tail->cap - ob->tail->used < need) {
		struct outbox_chunk *c = chunk_new(ob, need);

		if (ob->tail != NULL)
			ob->tail->next = c;
		ob->tail = c;
		if (ob->head.c == NULL) {
			ob->head.c = ob->send.c = c;
			ob->head.off = ob->send.off = 0;
		}
	}
	m = (struct outbox_msg *)(void *)(ob->tail->data + ob->tail->used);
	*m = *h;
	memcpy(m + 1, line, h->len);
	ob->tail->used += need;
	ob->n++;
	ob->bytes += need;
}

/* pop: removes the oldest message, which has been sent. */
static void
pop(struct outbox *ob)
{
	struct outbox_msg *m = outbox_at(&ob->head);
	size_t sz = OUTBOX_MSG_SIZE(m->len);

	ob->head.off += sz;
	ob->n--;
	ob->nsent--;
	ob->bytes -= sz;
	if (ob->head.off == ob->head.c->used && ob->head.c->next != NULL) {
		struct outbox_chunk *old = ob->head.c;

		if (ob->send.c == old) {
			ob->send.c = old->next;
			ob->send.off = 0;
		}
		ob->head.c = old->next;
		ob->head.off = 0;
		chunk_free(ob, old);
	} else if (ob->n == 0) {
		/* empty: start the one chunk over, keeping it warm */
		ob->tail->used = 0;
		ob->head.off = ob->send.off = 0;
		ob->send.c = ob->head.c;
	}
}

/* group_refused: Redis refused the APPEND of group gid (n members). */
static void
group_refused(struct outbox *ob, uint32_t gid, uint32_t n, const char *why)
{
	if (ob->nfailed == ob->failed_cap) {
		ob->failed_cap = ob->failed_cap ? 2 * ob->failed_cap : 16;
		ob->failed = realloc(ob->failed, ob->failed_cap *
		    sizeof(*ob->failed));
		if (ob->failed == NULL)
			err(EX_OSERR, "realloc");
	}
	ob->failed[ob->nfailed].gid = gid;
	ob->failed[ob->nfailed].left = n;
	ob->nfailed++;
	snprintf(ob->group_err, sizeof(ob->group_err), "%s", why);
}

/* group_member_done: 1 if the APPEND of the acknowledged member failed. */
static int
group_member_done(struct outbox *ob, uint32_t gid)
{
	size_t i;

	for (i = 0; i < ob->nfailed; i++) {
		if (ob->failed[i].gid != gid)
			continue;
		if (--ob->failed[i].left == 0)
			ob->failed[i] = ob->failed[--ob->nfailed];
		return 1;
	}
	return 0;
}

enum outbox_ack
outbox_ack(struct outbox *ob, const struct resp_reply *rep,
    struct outbox_msg *acked)
{
	struct outbox_unit *u;
	enum outbox_ack res;

	if (ob->un == 0)
		return OUTBOX_CONFUSED;
	u = &ob->units[ob->uhead];
	if (rep->err && u->left > u->ann_left) {
		/* not the line's failure: only its channel is not listed */
		u->ann_err = 1;
		snprintf(ob->ann_err, sizeof(ob->ann_err), "%s", rep->msg);
	} else if (rep->err && u->keys_left != 0 && u->left == u->keys_left &&
	    strncmp(rep->msg, "WRONGTYPE", 9) == 0) {
		u->wrongtype = 1;
	} else if (rep->err) {
		u->err = 1;
		u->last_err = u->left == 1;
		if (u->rp_left != 0 && u->left == u->rp_left)
			group_refused(ob, u->gid, u->gsize, rep->msg);
	}
	if (--u->left > 0)
		return OUTBOX_WAIT;
	ob->uhead = (ob->uhead + 1) % ob->ucap;
	ob->un--;
	if (u->is_msg == OUTBOX_UNIT_WAIT)
		return OUTBOX_WAITED;
	if (u->is_msg == OUTBOX_UNIT_LEASE)
		return OUTBOX_LEASE;
	if (!u->is_msg)
		return u->err ? OUTBOX_STATS_REFUSED : OUTBOX_STATS;
	if (u->gid != 0 && ob->nfailed > 0 && group_member_done(ob, u->gid) &&
	    !u->err)
		res = OUTBOX_GROUP_REFUSED;
	else if (u->err)
		res = OUTBOX_REFUSED;
	else if (u->wrongtype)
		res = OUTBOX_KEYS_WRONGTYPE;
	else if (u->ann_err)
		res = OUTBOX_ANNOUNCE_REFUSED;
	else
		res = OUTBOX_PUBLISHED;
	ob->unpublished = res == OUTBOX_REFUSED && u->last_err;
	*acked = *outbox_at(&ob->head);
	pop(ob);
	return res;
}

void
outbox_rewind(struct outbox *ob)
{
	ob->un = 0;
	ob->uhead = 0;
	ob->nfailed = 0;
	ob->send = ob->head;
	ob->nsent = 0;
}

void
outbox_drop_all(struct outbox *ob)
{
	struct outbox_chunk *c = ob->head.c, *next;

	for (; c != NULL; c = next) {
		next = c->next;
		munmap(c, c->maplen);
	}
	memset(&ob->head, 0, sizeof(ob->head));
	memset(&ob->send, 0, sizeof(ob->send));
	ob->tail = NULL;
	ob->n = ob->nsent = ob->bytes = 0;
	ob->un = ob->uhead = 0;
	ob->nfailed = 0;
}
