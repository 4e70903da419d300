/*
 * fuzz_histpack.c: libFuzzer target for hist_pack / hist_unpack, the
 * packing of history blocks (recorder(1) FILE FORMAT).  Any records
 * (the input, padded to whole records) must pack and unpack to the same
 * bytes, and unpacking any bytes must stay in bounds and either fail or
 * give records that pack back to those very bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"

#define MAXREC	16

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tp_record in[MAXREC], out[MAXREC];
	static unsigned char packed[MAXREC * HIST_PACKED_MAX];
	size_t n = (size + REC_SIZE - 1) / REC_SIZE, len;

	if (n > MAXREC)
		n = MAXREC;
	memset(in, 0, sizeof(in));
	memcpy(in, data, size < n * REC_SIZE ? size : n * REC_SIZE);
	if (n > 0) {
		len = hist_pack(in, n, packed);
		if (len > n * HIST_PACKED_MAX ||
		    hist_unpack(packed, len, out, n) != 0 ||
		    memcmp(in, out, n * REC_SIZE) != 0)
			abort();
	}
	/* the input as packed bytes of 1 to MAXREC records */
	for (size_t k = 1; k <= MAXREC; k++) {
		unsigned char *copy = malloc(size ? size : 1);

		memcpy(copy, data, size);
		if (hist_unpack(copy, size, out, k) == 0 &&
		    (hist_pack(out, k, packed) != size ||
		    memcmp(packed, data, size) != 0)) {
			/* not canonical (a longer length byte): still exact */
			struct tp_record again[MAXREC];

			if (hist_unpack(packed, hist_pack(out, k, packed),
			    again, k) != 0 ||
			    memcmp(again, out, k * REC_SIZE) != 0)
				abort();
		}
		free(copy);
	}
	return 0;
}
