/*
 * fuzz_jsonl.c: libFuzzer target for jsonl_decode.  Any line it accepts
 * must encode, and the encoding must decode to the same records (the ring
 * sequence aside): decode(encode(decode(x))) == decode(x).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"

static struct tp_record a[JSONL_MAX_RECS], b[JSONL_MAX_RECS];
static char buf[JSONL_BUFSIZE(JSONL_MAX_RECS)];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	size_t len;
	int n, n2;

	memset(a, 0, sizeof(a));
	n = jsonl_decode((const char *)data, size, a, JSONL_MAX_RECS, NULL,
	    err, sizeof(err));
	if (n <= 0)
		return 0;
	len = jsonl_encode(a, (size_t)n, buf);
	if (len == 0 || buf[len - 1] != '\n')
		abort();
	memset(b, 0, sizeof(b));
	n2 = jsonl_decode(buf, len - 1, b, JSONL_MAX_RECS, NULL, err,
	    sizeof(err));
	if (n2 != n)
		abort();
	if (memcmp(a, b, sizeof(a[0]) * (size_t)n) != 0)
		abort();
	return 0;
}
