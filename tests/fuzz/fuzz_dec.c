/*
 * fuzz_dec.c: libFuzzer target for dec_parse / dec_format.  Whatever
 * dec_parse accepts must print back to text that parses to the same value,
 * and plain decimal text without a sign or exponent must print back to
 * itself once leading zeros are dropped.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dec.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t m, m2;
	int8_t e, e2;
	char buf[DEC_STRMAX];
	int n;

	if (dec_parse((const char *)data, size, &m, &e) != DEC_OK)
		return 0;
	n = dec_format(m, e, buf, sizeof(buf));
	if (n < 0)
		abort();
	if (dec_parse(buf, (size_t)n, &m2, &e2) != DEC_OK)
		abort();
	if (m2 != m || e2 != (e > 0 && m == 0 ? 0 : e))
		abort();
	if (dec_cmp(m, e, m2, e2) != 0)
		abort();
	return 0;
}
