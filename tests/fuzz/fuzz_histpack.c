/*
 * fuzz_histpack.c: libFuzzer target for hist_pack / hist_unpack, the
 * packing of history blocks (recorder(1) FILE FORMAT), in both packed
 * encodings: HIST_ENC_PACKED (version 2) and HIST_ENC_XREF (version 3).
 * Any records (the input, padded to whole records) must pack and unpack
 * to the same bytes, and unpacking any bytes must stay in bounds and
 * either fail or give records that pack and unpack to themselves again.
 * The first input byte picks the encoding for the second half; records
 * are also repeated with a changed word, so that XREF's references are
 * met.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"

#define MAXREC	16

static void
roundtrip(const struct tp_record *in, size_t n, unsigned enc)
{
	static struct tp_record out[MAXREC];
	static unsigned char packed[MAXREC * HIST_PACKED_MAX];
	size_t len;

	len = hist_pack(in, n, packed, enc);
	if (len > n * HIST_PACKED_MAX ||
	    hist_unpack(packed, len, out, n, enc) != 0 ||
	    memcmp(in, out, n * REC_SIZE) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tp_record in[MAXREC], out[MAXREC], again[MAXREC];
	static unsigned char packed[MAXREC * HIST_PACKED_MAX];
	size_t n = (size + REC_SIZE - 1) / REC_SIZE;
	unsigned enc = size > 0 && (data[0] & 1) ? HIST_ENC_XREF :
	    HIST_ENC_PACKED;

	if (n > MAXREC / 2)
		n = MAXREC / 2;
	memset(in, 0, sizeof(in));
	memcpy(in, data, size < n * REC_SIZE ? size : n * REC_SIZE);
	/* each record again, one word changed: a reference for XREF */
	for (size_t i = 0; i < n; i++) {
		uint64_t *w = (uint64_t *)(void *)&in[n + i];

		in[n + i] = in[i];
		w[(i * 7 + 9) % (REC_SIZE / 8)] += i + 1;
	}
	if (n > 0) {
		roundtrip(in, 2 * n, HIST_ENC_PACKED);
		roundtrip(in, 2 * n, HIST_ENC_XREF);
	}
	/* the input as packed bytes of 1 to MAXREC records */
	for (size_t k = 1; k <= MAXREC; k++) {
		unsigned char *copy = malloc(size ? size : 1);

		memcpy(copy, data, size);
		if (hist_unpack(copy, size, out, k, enc) == 0) {
			/* maybe not canonical (a longer length byte): exact */
			size_t len = hist_pack(out, k, packed, enc);

			if (hist_unpack(packed, len, again, k, enc) != 0 ||
			    memcmp(again, out, k * REC_SIZE) != 0)
				abort();
		}
		free(copy);
	}
	return 0;
}
