/*
 * proof.c: the WAIT bookkeeping of proof.h.
 */
#include <stdio.h>
#include <string.h>

#include "proof.h"

void
proof_init(struct proof *pf, int on)
{
	memset(pf, 0, sizeof(*pf));
	pf->on = on;
}

void
proof_send(struct proof *pf, struct outbox *ob, struct resp_buf *out)
{
	char num[16];
	int k;

	if (!pf->on || pf->waiting || (ob->nsent == 0 && pf->n == 0))
		return;
	if (outbox_unit(ob, 1, OUTBOX_UNIT_WAIT) == NULL)
		return;		/* the ring is full: the next turn */
	k = snprintf(num, sizeof(num), "%d", PROOF_WAIT_MS);
	resp_reserve(out, 48);
	RESP_LIT(out, "*3\r\n$4\r\nWAIT\r\n$1\r\n1\r\n");
	resp_bulk(out, num, (size_t)k);
	pf->waiting = 1;
	pf->waits++;
}

void
proof_acked(struct proof *pf, uint64_t seq)
{
	if (!pf->on || seq == 0)
		return;
	if (pf->n == 0 || seq < pf->first)
		pf->first = seq;
	if (seq > pf->last || pf->n == 0)
		pf->last = seq;
	pf->n++;
}

void
proof_waited(struct proof *pf, const struct resp_reply *rep)
{
	pf->waiting = 0;
	if (rep->err || rep->integer < 1)
		return;
	pf->n = 0;
	pf->proven++;
}

uint64_t
proof_lost(struct proof *pf, uint64_t *from, uint64_t *n)
{
	uint64_t k = pf->n;

	pf->waiting = 0;
	pf->n = 0;
	if (k == 0)
		return 0;
	*from = pf->first;
	*n = pf->last - pf->first + 1;
	return k;
}
