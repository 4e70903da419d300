/*
 * fuzz_wshead.c: libFuzzer target for the client frame header decoder
 * (ws_head, wsgate/frame.c), fed the bytes recv happened to give.  It
 * never reads past n (the input is copied to a buffer of exactly n
 * bytes, so ASan sees any overread).  As bytes arrive the answer only
 * goes from WS_HEAD_MORE to a final one and stays there: a header
 * accepted after k bytes decodes the same from any longer buffer, and a
 * refused one stays refused with the same code.  An accepted header is
 * sane (hlen 6, 8 or 14 with the masking key; lengths in their shortest
 * form, below 2^63; control frames final and short).  WS_HEAD_MORE from
 * 2 bytes on means some bytes could still complete it, except inside a
 * 64-bit length, judged only once whole.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

static int
same(const struct ws_head *a, const struct ws_head *b)
{
	return a->fin == b->fin && a->op == b->op && a->hlen == b->hlen &&
	    a->plen == b->plen && memcmp(a->mask, b->mask, 4) == 0;
}

static void
sane(const struct ws_head *h, const unsigned char *p)
{
	size_t k = h->hlen - 4;

	if (h->hlen != 6 && h->hlen != 8 && h->hlen != 14)
		abort();
	if (memcmp(h->mask, p + k, 4) != 0 || h->plen >> 63)
		abort();
	if ((k == 2 && h->plen > 125) || (k == 4 && (h->plen < 126 ||
	    h->plen > 65535)) || (k == 10 && h->plen < 65536))
		abort();
	if (h->op >= 0x8 && (!h->fin || h->plen > 125 || h->op > 0xa))
		abort();
	if (h->op > 0x2 && h->op < 0x8)
		abort();
}

/* ws_head on a heap copy of exactly n bytes of p */
static int
head_of(const unsigned char *p, size_t n, struct ws_head *h)
{
	unsigned char *b = malloc(n ? n : 1);
	int r;

	if (b == NULL)
		abort();
	memcpy(b, p, n);
	r = ws_head(b, n, h);
	free(b);
	return r;
}

/*
 * could_complete: p (n bytes, ws_head says more) is accepted with some
 * continuation: the first missing byte one of a few, the rest 0xff
 * (every shortest-form length below 2^63 has such a spelling) or 0x00.
 */
static int
could_complete(const unsigned char *p, size_t n)
{
	static const unsigned char first[] = { 0x00, 0x01, 0x7f, 0xff };
	unsigned char b[14];
	struct ws_head h;

	memcpy(b, p, n);
	for (size_t c = 0; c < 2 * sizeof(first); c++) {
		for (size_t i = n; i < sizeof(b); i++)
			b[i] = i == n ? first[c / 2] : c & 1 ? 0x00 : 0xff;
		if (ws_head(b, sizeof(b), &h) == 0)
			return 1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ws_head h, first;
	int r, fin = WS_HEAD_MORE;
	size_t at = 0;

	if (size > 64)
		size = 64;
	for (size_t k = 0; k <= size; k++) {
		memset(&h, 0xa5, sizeof(h));
		r = head_of(data, k, &h);
		if (fin == WS_HEAD_MORE) {
			if (r == WS_HEAD_MORE) {
				/*
				 * A 64-bit length is judged once all 8 bytes
				 * are there, even if its first bytes already
				 * doom it (top bit set, or too short): a
				 * refusal a few bytes late, nothing read
				 * past it.
				 */
				if (k >= 2 && !could_complete(data, k) &&
				    !((data[1] & 0x7f) == 127 && k < 10))
					abort();
				continue;
			}
			if (r != 0 && r != 1002)
				abort();
			fin = r;
			at = k;
			if (r == 0) {
				if (h.hlen != k)	/* accepted as soon as whole */
					abort();
				sane(&h, data);
				first = h;
			}
			continue;
		}
		if (r != fin || (r == 0 && !same(&h, &first)))
			abort();
	}
	(void)at;
	return 0;
}
