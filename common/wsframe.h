/*
 * wsframe.h: the length of a WebSocket frame header (RFC 6455 5.2) as an
 * unmasked server frame carries it, for the small hand-written clients of
 * the tests and the benchmark (tests/chaos/chaos-sub.c, bench/wsbench.c);
 * the programs themselves use wslay.
 */
#ifndef TP_WSFRAME_H
#define TP_WSFRAME_H

#include <stddef.h>

/*
 * wsframe_head: if p[0..avail) holds a whole frame, sets *hl to its
 * header length and *pl to its payload length and returns 1; returns 0
 * while more bytes are needed.
 */
static inline int
wsframe_head(const unsigned char *p, size_t avail, size_t *hl, size_t *pl)
{
	size_t h = 2, n;

	if (avail < 2)
		return 0;
	n = p[1] & 0x7f;
	if (n == 126) {
		if (avail < 4)
			return 0;
		n = (size_t)p[2] << 8 | p[3];
		h = 4;
	} else if (n == 127) {
		if (avail < 10)
			return 0;
		n = 0;
		for (int i = 2; i < 10; i++)
			n = n << 8 | p[i];
		h = 10;
	}
	if (avail - h < n)
		return 0;
	*hl = h;
	*pl = n;
	return 1;
}

#endif
