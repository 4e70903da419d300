/*
 * fuzz_jsonl.c: libFuzzer target for jsonl_decode and jsonl_check.  Any
 * line it accepts must encode, and the encoding must decode to the same
 * records (the ring sequence aside): decode(encode(decode(x))) ==
 * decode(x).  And the input taken as up to 8 raw ring records, one
 * message: if jsonl_check accepts it, its line must decode, and print
 * again as the same line (what shmreader prints, collector jsonl reads).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"

static struct tp_record a[JSONL_MAX_RECS], b[JSONL_MAX_RECS];
static char buf[JSONL_BUFSIZE(JSONL_MAX_RECS)], buf2[JSONL_BUFSIZE(8)];

static void
records(const uint8_t *data, size_t size)
{
	size_t n = size / REC_SIZE, len, len2;
	char err[256];
	int n2;

	if (n == 0)
		return;
	if (n > 8)
		n = 8;
	memcpy(a, data, n * REC_SIZE);
	if (jsonl_check(a, n, err, sizeof(err)) != 0)
		return;
	a[0].seq = 0;	/* decode does not keep it */
	len = jsonl_encode(a, n, buf);
	n2 = jsonl_decode(buf, len - 1, b, JSONL_MAX_RECS, NULL, err,
	    sizeof(err));
	if (n2 < 1)
		abort();
	len2 = jsonl_encode(b, (size_t)n2, buf2);
	if (len2 != len || memcmp(buf, buf2, len) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	size_t len;
	int n, n2;

	records(data, size);
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
