/*
 * history.c: the history file format (history.h, recorder(1) FILE
 * FORMAT): block making, index sidecars, scanning, and a reader that
 * walks the records of a time range across files.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "history.h"
#include "util.h"

uint32_t
hist_crc(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uLong c = crc32(0L, Z_NULL, 0);

	/* crc32 takes a uInt length */
	while (len > 0) {
		uInt k = len > (1u << 30) ? (1u << 30) : (uInt)len;

		c = crc32(c, p, k);
		p += k;
		len -= k;
	}
	return (uint32_t)c;
}

void
hist_file_hdr_init(struct hist_file_hdr *h, const char *ring,
    int64_t created_ns, uint64_t prev_seq)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, HIST_MAGIC, 8);
	h->record_size = REC_SIZE;
	h->version = HIST_VERSION;
	h->layout_hash = rec_layout_hash();
	h->created_ns = created_ns;
	h->prev_seq = prev_seq;
	if (ring != NULL)
		strncpy(h->ring, ring, sizeof(h->ring) - 1);
}

int
hist_file_hdr_check(const struct hist_file_hdr *h, char *err, size_t errlen)
{
	if (memcmp(h->magic, HIST_MAGIC, 8) != 0) {
		snprintf(err, errlen, "not a tickpipe history file (bad magic)");
		return -1;
	}
	if (h->version < 1 || h->version > HIST_VERSION ||
	    h->record_size != REC_SIZE ||
	    h->layout_hash != rec_layout_hash()) {
		snprintf(err, errlen, "history format differs: version %" PRIu32
		    " (expected 1 to %d), record size %" PRIu32 " (expected %d), "
		    "layout hash 0x%016" PRIx64 " (expected 0x%016" PRIx64 ")",
		    h->version, HIST_VERSION, h->record_size, REC_SIZE,
		    h->layout_hash, rec_layout_hash());
		return -1;
	}
	return 0;
}

int
hist_block_check(const struct hist_block_hdr *h)
{
	if (memcmp(h->magic, HIST_BLOCK_MAGIC, 4) != 0 ||
	    hist_crc(h, offsetof(struct hist_block_hdr, hcrc)) != h->hcrc)
		return -1;
	if (h->nrec == 0 || h->nrec > HIST_MAX_BLOCK_RECS || h->zlen == 0 ||
	    h->zlen > ZSTD_compressBound(h->rawlen) ||
	    h->first_seq > h->last_seq || h->min_ts > h->max_ts)
		return -1;
	switch (h->enc) {
	case HIST_ENC_PLAIN:
		return h->rawlen == h->nrec * REC_SIZE ? 0 : -1;
	case HIST_ENC_PACKED:
	case HIST_ENC_XREF:
		return h->rawlen >= h->nrec * (h->enc == HIST_ENC_XREF ? 5 : 4) &&
		    h->rawlen <= h->nrec * HIST_PACKED_MAX ? 0 : -1;
	}
	return -1;
}

#define REC_WORDS64	(REC_SIZE / 8)
#define W_TS		(offsetof(struct tp_record, ts) / 8)
#define W_RECV		(offsetof(struct tp_record, recv) / 8)

/* Zigzag: a signed difference as an unsigned number, small if near 0. */
static inline uint64_t
zz(uint64_t d)
{
	return (d << 1) ^ (uint64_t)((int64_t)d >> 63);
}

static inline uint64_t
unzz(uint64_t v)
{
	return (v >> 1) ^ (0 - (v & 1));
}

/*
 * HIST_ENC_XREF's reference slot of a record: a hash of its type, venue
 * and symbol, so that the records of one instrument and type meet their
 * predecessor there.  Only the encoder hashes: the slot is written.
 */
static inline unsigned
xref_slot(const uint64_t *w)
{
	uint64_t k = (w[1] & 0x0000ffff0000ffffULL) ^ w[2] ^ (w[3] << 1);

	return (unsigned)((k * 0x9e3779b97f4a7c15ULL) >> 58) &
	    (HIST_XREF_SLOTS - 1);
}

static const uint64_t zero_rec[REC_WORDS64];

/*
 * c[k] = w[k] ^ rw[k] for the 32 words of a record; returns the mask of
 * the non-zero ones.  With SSE2, two words at a time: a third of the
 * instructions of the plain loop, which the compiler does not vectorize.
 */
static inline uint32_t
xor_mask(const uint64_t *w, const uint64_t *rw, uint64_t *c)
{
	uint32_t z = 0;

#ifdef __SSE2__
	const __m128i zero = _mm_setzero_si128();

#pragma GCC unroll 16
	for (unsigned k = 0; k < REC_WORDS64; k += 2) {
		__m128i x = _mm_xor_si128(
		    _mm_loadu_si128((const __m128i *)(const void *)(w + k)),
		    _mm_loadu_si128((const __m128i *)(const void *)(rw + k)));
		__m128i e = _mm_cmpeq_epi32(x, zero);

		_mm_storeu_si128((__m128i *)(void *)(c + k), x);
		/* a word is zero when both its halves are */
		e = _mm_and_si128(e, _mm_shuffle_epi32(e, _MM_SHUFFLE(2, 3, 0,
		    1)));
		z |= (uint32_t)_mm_movemask_pd(_mm_castsi128_pd(e)) << k;
	}
#else
	for (unsigned k = 0; k < REC_WORDS64; k++) {
		c[k] = w[k] ^ rw[k];
		z |= (uint32_t)(c[k] == 0) << k;
	}
#endif
	return ~z;
}

/* Bytes of the non-zero c[k] of mask m: a length byte and the low bytes. */
static inline unsigned char *
put_words(unsigned char *o, uint32_t m, const uint64_t *c)
{
	for (; m != 0; m &= m - 1) {
		unsigned k = (unsigned)__builtin_ctz(m);
		unsigned len = (unsigned)(64 - __builtin_clzll(c[k] | 1) + 7) / 8;

		*o++ = (unsigned char)len;
		memcpy(o, &c[k], 8);	/* little-endian: low first */
		o += len;
	}
	return o;
}

/*
 * Set bits of a 32-bit mask, in registers: __builtin_popcount is a call
 * into libgcc on a build for any x86-64.
 */
static inline unsigned
popcount32(uint32_t m)
{
	m = m - ((m >> 1) & 0x55555555);
	m = (m & 0x33333333) + ((m >> 2) & 0x33333333);
	return (((m + (m >> 4)) & 0x0f0f0f0f) * 0x01010101) >> 24;
}

/* The same with the lengths first, less one, two to a byte. */
static inline unsigned char *
put_words_nib(unsigned char *o, uint32_t m, const uint64_t *c)
{
	unsigned char *nib = o;
	unsigned j = 0;

	o += (popcount32(m) + 1) / 2;
	for (; m != 0; m &= m - 1, j++) {
		unsigned k = (unsigned)__builtin_ctz(m);
		unsigned len = (unsigned)(64 - __builtin_clzll(c[k] | 1) + 7) / 8;

		if (j & 1)
			nib[j / 2] |= (unsigned char)((len - 1) << 4);
		else
			nib[j / 2] = (unsigned char)(len - 1);
		memcpy(o, &c[k], 8);	/* little-endian: low first */
		o += len;
	}
	return o;
}

void
hist_pack_begin(struct hist_packer *pk, unsigned enc)
{
	for (unsigned k = 0; k < HIST_XREF_SLOTS; k++)
		pk->ref[k] = -1;
	pk->prev = pk->prev_ts = 0;
	pk->enc = enc;
}

size_t
hist_pack_rec(struct hist_packer *pk, const struct tp_record *recs,
    size_t i, unsigned char *out)
{
	const uint64_t *w = (const uint64_t *)(const void *)&recs[i];
	const uint64_t *rw = zero_rec;
	uint64_t c[REC_WORDS64];
	unsigned char *o = out, *mp;
	uint32_t m;

	if (pk->enc == HIST_ENC_XREF) {
		unsigned s = xref_slot(w);

		if (pk->ref[s] >= 0)
			rw = (const uint64_t *)(const void *)&recs[pk->ref[s]];
		pk->ref[s] = (int32_t)i;
		*o++ = (unsigned char)s;
	}
	/* a clear bit stands for the reference's word (0 or its own) */
	m = xor_mask(w, rw, c);
	/* the ring's seq rises by one: said by a clear bit 0 */
	c[0] = w[0] == pk->prev + 1 ? 0 : w[0];
	pk->prev = w[0];
	/* times as differences: small numbers take fewer bytes */
	c[W_RECV] = zz(w[W_RECV] - w[W_TS]);
	c[W_TS] = zz(w[W_TS] - pk->prev_ts);
	pk->prev_ts = w[W_TS];
	/* a zero seq is written as one 0 byte */
	m &= ~(1u | 1u << W_TS | 1u << W_RECV);
	m |= (uint32_t)(c[0] != 0 || w[0] == 0) |
	    (uint32_t)(c[W_TS] != 0) << W_TS |
	    (uint32_t)(c[W_RECV] != 0) << W_RECV;
	mp = o;
	o += 4;
	if (pk->enc == HIST_ENC_XREF)
		o = put_words_nib(o, m, c);
	else
		o = put_words(o, m, c);
	mp[0] = (unsigned char)m;
	mp[1] = (unsigned char)(m >> 8);
	mp[2] = (unsigned char)(m >> 16);
	mp[3] = (unsigned char)(m >> 24);
	return (size_t)(o - out);
}

size_t
hist_pack(const struct tp_record *recs, size_t n, unsigned char *out,
    unsigned enc)
{
	struct hist_packer pk;
	size_t len = 0;

	hist_pack_begin(&pk, enc);
	for (size_t i = 0; i < n; i++)
		len += hist_pack_rec(&pk, recs, i, out + len);
	return len;
}

/*
 * The low l bytes (1 to 8) at p, which has at least l: one unaligned
 * load when 8 bytes are there to read.
 */
static inline uint64_t
get_word(const unsigned char *p, const unsigned char *end, unsigned l)
{
	uint64_t v = 0;

	if (end - p >= 8) {
		memcpy(&v, p, 8);
		return v & (~0ULL >> (64 - 8 * l));
	}
	memcpy(&v, p, l);
	return v;
}

int
hist_unpack(const unsigned char *in, size_t len, struct tp_record *recs,
    size_t n, unsigned enc)
{
	const uint64_t *ref[HIST_XREF_SLOTS];
	const unsigned char *p = in, *end = in + len;
	uint64_t prev = 0, prev_ts = 0;
	int xref = enc == HIST_ENC_XREF;

	for (unsigned k = 0; k < HIST_XREF_SLOTS; k++)
		ref[k] = zero_rec;
	for (size_t i = 0; i < n; i++) {
		uint64_t c[REC_WORDS64], *w = (uint64_t *)(void *)&recs[i];
		const uint64_t *rw = zero_rec;
		const unsigned char *nib = NULL;
		uint32_t m;
		unsigned s = 0, j = 0;

		if (xref) {
			if (p >= end || (s = *p++) >= HIST_XREF_SLOTS)
				return -1;
			rw = ref[s];
		}
		if (end - p < 4)
			return -1;
		m = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		p += 4;
		if (xref) {
			nib = p;
			p += ((unsigned)__builtin_popcount(m) + 1) / 2;
			if (p > end)
				return -1;
		}
		memset(c, 0, sizeof(c));
		for (uint32_t t = m; t != 0; t &= t - 1, j++) {
			unsigned k = (unsigned)__builtin_ctz(t), l;

			if (xref)
				l = (nib[j / 2] >> (j & 1 ? 4 : 0) & 15) + 1;
			else if (p >= end)
				return -1;
			else
				l = *p++;
			if (l < 1 || l > 8 || (size_t)(end - p) < l)
				return -1;
			c[k] = get_word(p, end, l);
			p += l;
		}
		/* the words but seq, ts and recv are XORed with the reference */
		for (unsigned k = 0; k < REC_WORDS64; k++)
			w[k] = c[k] ^ rw[k];
		w[0] = m & 1 ? c[0] : prev + 1;
		prev = w[0];
		w[W_TS] = prev_ts + unzz(c[W_TS]);
		w[W_RECV] = w[W_TS] + unzz(c[W_RECV]);
		prev_ts = w[W_TS];
		if (xref)
			ref[s] = w;
	}
	return p == end ? 0 : -1;
}

size_t
hist_block_bound(size_t n)
{
	return sizeof(struct hist_block_hdr) +
	    ZSTD_compressBound(n * HIST_PACKED_MAX) + n * HIST_PACKED_MAX;
}

size_t
hist_block_make(void *cctx, int level, const struct tp_record *recs,
    size_t n, void *out, char *err, size_t errlen)
{
	unsigned char *packed = (unsigned char *)out +
	    sizeof(struct hist_block_hdr) +
	    ZSTD_compressBound(n * HIST_PACKED_MAX);
	struct hist_block_hdr sum;

	sum.first_seq = recs[0].seq;
	sum.last_seq = recs[n - 1].seq;
	sum.min_ts = sum.max_ts = recs[0].ts;
	for (size_t i = 1; i < n; i++) {
		if (recs[i].ts < sum.min_ts)
			sum.min_ts = recs[i].ts;
		if (recs[i].ts > sum.max_ts)
			sum.max_ts = recs[i].ts;
	}
	/* the zero pads of the records need not be compressed at all */
	return hist_block_make_packed(cctx, level, &sum, n, packed,
	    hist_pack(recs, n, packed, HIST_ENC_XREF), out, err, errlen);
}

size_t
hist_block_make_packed(void *cctx, int level,
    const struct hist_block_hdr *sum, size_t n, const unsigned char *packed,
    size_t raw, void *out, char *err, size_t errlen)
{
	struct hist_block_hdr h;
	unsigned char *z = (unsigned char *)out + sizeof(h);
	size_t zcap = ZSTD_compressBound(n * HIST_PACKED_MAX);
	size_t zl;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, HIST_BLOCK_MAGIC, 4);
	/*
	 * The frame carries zstd's own checksum (XXH64) of the packed bytes,
	 * checked by every decode and a fifth the cost of a CRC-32 here.
	 */
	if (ZSTD_isError(zl = ZSTD_CCtx_setParameter(cctx,
	    ZSTD_c_compressionLevel, level)) ||
	    ZSTD_isError(zl = ZSTD_CCtx_setParameter(cctx,
	    ZSTD_c_checksumFlag, 1)))
		goto zerr;
	/*
	 * At the fast levels, matches of at least 7 bytes: on packed sim
	 * records level -3 then takes 15% fewer instructions for 2.4%
	 * more bytes (callgrind; 0: the level's own).
	 */
	if (ZSTD_isError(zl = ZSTD_CCtx_setParameter(cctx, ZSTD_c_minMatch,
	    level < 0 ? 7 : 0)))
		goto zerr;
	zl = ZSTD_compress2(cctx, z, zcap, packed, raw);
	if (ZSTD_isError(zl)) {
zerr:
		snprintf(err, errlen, "zstd: %s", ZSTD_getErrorName(zl));
		return 0;
	}
	h.nrec = (uint32_t)n;
	h.zlen = (uint32_t)zl;
	h.rawlen = (uint32_t)raw;
	h.enc = HIST_ENC_XREF;	/* what hist_pack_begin was told */
	h.first_seq = sum->first_seq;
	h.last_seq = sum->last_seq;
	h.min_ts = sum->min_ts;
	h.max_ts = sum->max_ts;
	h.zcrc = hist_crc(z, zl);
	h.rcrc = 0;	/* packed: zstd's checksum instead */
	h.hcrc = hist_crc(&h, offsetof(struct hist_block_hdr, hcrc));
	memcpy(out, &h, sizeof(h));
	return sizeof(h) + zl;
}

int
hist_index_write(const char *path, uint64_t data_size,
    const struct hist_idx_ent *ents, size_t n, char *err, size_t errlen)
{
	struct hist_idx_hdr h;
	char tmp[4096], dst[4096];
	FILE *f;
	int fd;

	snprintf(dst, sizeof(dst), "%s.idx", path);
	snprintf(tmp, sizeof(tmp), "%s.idx.tmp", path);
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, HIST_IDX_MAGIC, 8);
	h.data_size = data_size;
	h.nblocks = n;
	h.crc = hist_crc(ents, n * sizeof(*ents));
	/*
	 * The temporary is ours: whatever holds its name (one a crash left,
	 * a FIFO, a link) is replaced, never opened; a FIFO there hung the
	 * recorder for ever closing the file, waiting in open(2) for a reader.
	 */
	if (unlink(tmp) < 0 && errno != ENOENT)
		goto err;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) < 0)
		goto err;
	if ((f = fdopen(fd, "wb")) == NULL) {
		close(fd);
		goto err_unlink;
	}
	if (fwrite(&h, sizeof(h), 1, f) != 1 ||
	    (n > 0 && fwrite(ents, sizeof(*ents), n, f) != n)) {
		int e = errno;

		fclose(f);
		errno = e;
		goto err_unlink;
	}
	if (fclose(f) == EOF)
		goto err_unlink;
	if (rename(tmp, dst) < 0)
		goto err_unlink;
	return 0;
err_unlink: {
		int e = errno;

		unlink(tmp);
		errno = e;
	}
err:
	snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
	return -1;
}

/*
 * index_tiles: the n entries e, as a recorder writes them, describe
 * blocks that follow one another from the file header to data_size, the
 * end of the file.  An index that leaves a block out, or lists one twice,
 * would have it skipped or read again with nothing said.
 */
static int
index_tiles(const struct hist_idx_ent *e, size_t n, uint64_t data_size)
{
	uint64_t off = sizeof(struct hist_file_hdr);

	for (size_t i = 0; i < n; i++) {
		if (e[i].offset != off)
			return 0;
		off += sizeof(struct hist_block_hdr) + e[i].zlen;
	}
	return off == data_size;
}

/*
 * Reads the sidecar of path if it describes data_size bytes, its blocks
 * one after another to the end (index_tiles); else -1.
 */
static int
index_read(const char *path, uint64_t data_size, struct hist_idx_ent **ents,
    size_t *n, uint64_t *was)
{
	struct hist_idx_hdr h;
	struct hist_idx_ent *e = NULL;
	char p[4096], why[256];
	FILE *f;
	int fd;

	/* a sidecar that is no regular file (a FIFO) is none: the blocks
	   are scanned */
	snprintf(p, sizeof(p), "%s.idx", path);
	if ((fd = open_regular(p, why, sizeof(why))) < 0)
		return -1;
	if ((f = fdopen(fd, "rb")) == NULL) {
		close(fd);
		return -1;
	}
	if (fread(&h, sizeof(h), 1, f) != 1 ||
	    memcmp(h.magic, HIST_IDX_MAGIC, 8) != 0)
		goto err;
	if (h.data_size > data_size) {
		*was = h.data_size;	/* cut short since it was closed */
		fclose(f);
		return -2;
	}
	if (h.data_size != data_size || h.nblocks > data_size / 64)
		goto err;
	if ((e = malloc((h.nblocks + 1) * sizeof(*e))) == NULL)
		goto err;
	if (fread(e, sizeof(*e), h.nblocks, f) != h.nblocks ||
	    hist_crc(e, h.nblocks * sizeof(*e)) != h.crc ||
	    !index_tiles(e, h.nblocks, data_size))
		goto err;
	fclose(f);
	*ents = e;
	*n = h.nblocks;
	return 0;
err:
	free(e);
	fclose(f);
	return -1;
}

static void
say(void (*note)(const char *), const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
say(void (*note)(const char *), const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (note == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	note(buf);
}

/*
 * Searches fd from off for the next valid block header whose frame ends
 * within size.  Returns its offset, or -1 if there is none.
 */
static int64_t
resync(int fd, uint64_t off, uint64_t size)
{
	static unsigned char buf[1 << 16];
	struct hist_block_hdr h;

	while (off + sizeof(h) <= size) {
		ssize_t got = pread(fd, buf, sizeof(buf), (off_t)off);

		if (got < (ssize_t)sizeof(h))
			return -1;
		for (ssize_t i = 0; i + 4 <= got; i++) {
			if (memcmp(buf + i, HIST_BLOCK_MAGIC, 4) != 0)
				continue;
			/* from the buffer if there, lengths before the CRC:
			   64 MiB of nothing but magics took 9 s, a pread each */
			if (i + (ssize_t)sizeof(h) <= got)
				memcpy(&h, buf + i, sizeof(h));
			else if (pread(fd, &h, sizeof(h), (off_t)(off +
			    (uint64_t)i)) != (ssize_t)sizeof(h))
				return -1;
			if (h.nrec != 0 && h.nrec <= HIST_MAX_BLOCK_RECS &&
			    off + (uint64_t)i + sizeof(h) + h.zlen <= size &&
			    hist_block_check(&h) == 0)
				return (int64_t)(off + (uint64_t)i);
		}
		off += (uint64_t)got - 3;
	}
	return -1;
}

int
hist_scan(const char *path, struct hist_idx_ent **entsp, size_t *np,
    unsigned *found, uint64_t *prev_seq, void (*note)(const char *),
    char *err, size_t errlen)
{
	struct hist_file_hdr fh;
	struct hist_block_hdr h;
	struct hist_idx_ent *ents = NULL, *ne;
	struct stat st;
	size_t n = 0, cap = 0;
	uint64_t off, size, was = 0;
	int fd;

	unsigned dummy;

	if (found == NULL)
		found = &dummy;
	*found = 0;
	if ((fd = open_regular(path, err, errlen)) < 0)
		goto err;
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto err;
	}
	size = (uint64_t)st.st_size;
	if (pread(fd, &fh, sizeof(fh), 0) != (ssize_t)sizeof(fh)) {
		snprintf(err, errlen, "%s: shorter than a history file header",
		    path);
		goto err;
	}
	if (hist_file_hdr_check(&fh, err, errlen) < 0) {
		char why[512];

		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errlen, "%s: %s", path, why);
		goto err;
	}
	if (prev_seq != NULL)
		*prev_seq = fh.prev_seq;
	switch (index_read(path, size, entsp, np, &was)) {
	case 0:
		close(fd);
		return 0;
	case -2:
		/* its index was written when it was closed: it only grows */
		say(note, "%s: %" PRIu64 " bytes, %" PRIu64 " when it was "
		    "closed: cut short, records missing from the history",
		    path, size, was);
		*found |= HIST_DAMAGED | HIST_CUT;
		break;
	}
	for (off = sizeof(fh); off < size; ) {
		ssize_t got = pread(fd, &h, sizeof(h), (off_t)off);
		int64_t next;

		if (got < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto err;
		}
		if ((size_t)got == sizeof(h) && hist_block_check(&h) == 0) {
			if (off + sizeof(h) + h.zlen > size) {
				say(note, "%s: torn last block at offset %"
				    PRIu64 ": %" PRIu64 " of %zu bytes, "
				    "ignored", path, off, size - off,
				    sizeof(h) + h.zlen);
				*found |= HIST_TORN;
				break;
			}
			if (n == cap) {
				cap = cap ? cap * 2 : 256;
				if ((ne = realloc(ents, cap * sizeof(*ents))) ==
				    NULL) {
					snprintf(err, errlen, "out of memory");
					goto err;
				}
				ents = ne;
			}
			ents[n].offset = off;
			ents[n].nrec = h.nrec;
			ents[n].zlen = h.zlen;
			ents[n].first_seq = h.first_seq;
			ents[n].last_seq = h.last_seq;
			ents[n].min_ts = h.min_ts;
			ents[n].max_ts = h.max_ts;
			n++;
			off += sizeof(h) + h.zlen;
			continue;
		}
		/*
		 * A block is written with one write(2), its header first: a
		 * write cut short leaves a valid header (above) or less than
		 * one.  A whole header that is not valid is damage, even with
		 * no block after it: its records are lost (recorder(1)).
		 */
		if ((size_t)got < sizeof(h)) {
			say(note, "%s: torn last block at offset %" PRIu64
			    ": %" PRIu64 " bytes that are no whole block, "
			    "ignored", path, off, size - off);
			*found |= HIST_TORN;
			break;
		}
		next = resync(fd, off + 1, size);
		if (next < 0) {
			say(note, "%s: damaged block header at offset %" PRIu64
			    ": %" PRIu64 " bytes to the end of the file that "
			    "are no block, skipped", path, off, size - off);
			*found |= HIST_DAMAGED | HIST_CUT;
			break;
		}
		say(note, "%s: damaged block header at offset %" PRIu64
		    ": %" PRIu64 " bytes skipped to the next block", path, off,
		    (uint64_t)next - off);
		*found |= HIST_DAMAGED;
		off = (uint64_t)next;
	}
	close(fd);
	*entsp = ents;
	*np = n;
	return 0;
err:
	if (fd >= 0)
		close(fd);
	free(ents);
	return -1;
}

/* The time part of a history file name, after NAME- (a NAME has no '-'). */
static const char *
time_part(const char *path)
{
	const char *b = strrchr(path, '/'), *d;

	b = b != NULL ? b + 1 : path;
	return (d = strchr(b, '-')) != NULL ? d + 1 : b;
}

/*
 * cmp_count: the file counters at x and y (the digits after the time's
 * '.'), compared as numbers: the 10 000th file of a period, .10000,
 * comes after .9999, as it was written (recorder(1)), where strcmp put
 * it before .1001.  Leading zeros do not count.
 */
static int
cmp_count(const char *x, const char *y)
{
	size_t lx, ly;

	x += strspn(x, "0");
	y += strspn(y, "0");
	lx = strspn(x, "0123456789");
	ly = strspn(y, "0123456789");
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return memcmp(x, y, lx);
}

static int
cmp_str(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	const char *tx = time_part(x), *ty = time_part(y);
	size_t lx = strcspn(tx, "."), ly = strcspn(ty, ".");
	int c;

	/* by the time in the name first, then by its counter, then by name */
	if (lx != ly || memcmp(tx, ty, lx) != 0)
		return strcmp(tx, ty);
	if (tx[lx] == '.' && ty[ly] == '.' &&
	    (c = cmp_count(tx + lx + 1, ty + ly + 1)) != 0)
		return c;
	c = strcmp(tx, ty);
	return c != 0 ? c : strcmp(x, y);
}

static int
has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);

	return n > k && strcmp(s + n - k, suf) == 0;
}

/*
 * Adds the *.tph of dir (and of its subdirectories if depth > 0).  A
 * directory or entry that cannot be read fails it, named in err: its
 * files would be missing unsaid.  One gone meanwhile (ENOENT: removed
 * by a recorder's retention while we list) is skipped.  A *.tph symbolic
 * link that leads to nothing stat(2) can read (a loop, ELOOP) is listed
 * all the same: its reader says it cannot be read, "(file skipped)",
 * and reads the files after it (recorder(1)), where one such link made
 * the whole listing fail.  So is a *.tph that is neither a regular file
 * nor a directory (a FIFO, a socket, a device): its reader refuses it
 * unopened (open_regular), where it was left out unsaid.
 */
static int
list_dir(const char *dir, int depth, char ***files, size_t *n, size_t *cap,
    char *err, size_t errlen)
{
	struct dirent *de;
	struct stat st;
	char p[4096];
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		if (depth == 0 && errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno == 0)
				break;
			snprintf(err, errlen, "%s: %s", dir, strerror(errno));
			closedir(d);
			return -1;
		}
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (stat(p, &st) < 0) {
			int e = errno;

			/* gone meanwhile, or no history file nor directory */
			if (e == ENOENT || (!has_suffix(de->d_name,
			    HIST_SUFFIX) && (de->d_type != DT_DIR || depth == 0)))
				continue;
			/* the link's fault, not the directory's */
			if (lstat(p, &st) == 0 && S_ISLNK(st.st_mode) &&
			    has_suffix(de->d_name, HIST_SUFFIX))
				goto add;
			snprintf(err, errlen, "%s: %s", p, strerror(e));
			closedir(d);
			return -1;
		}
		if (S_ISDIR(st.st_mode) && depth > 0) {
			if (list_dir(p, depth - 1, files, n, cap, err,
			    errlen) < 0) {
				closedir(d);
				return -1;
			}
			continue;
		}
		if (S_ISDIR(st.st_mode) || !has_suffix(de->d_name, HIST_SUFFIX))
			continue;
add:
		if (*n == *cap) {
			char **nf;

			*cap = *cap ? *cap * 2 : 64;
			if ((nf = realloc(*files, *cap * sizeof(*nf))) == NULL)
				goto err;
			*files = nf;
		}
		if (((*files)[*n] = strdup(p)) == NULL)
			goto err;
		(*n)++;
	}
	closedir(d);
	return 0;
err:
	closedir(d);
	snprintf(err, errlen, "out of memory");
	return -1;
}

int
hist_list(const char *path, char ***files, size_t *n, char *err,
    size_t errlen)
{
	struct stat st;
	size_t cap = 0;

	*files = NULL;
	*n = 0;
	if (stat(path, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
		/* a FIFO would be waited on for ever: only files are read */
		snprintf(err, errlen, "%s: not a regular file nor a directory",
		    path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		if ((*files = malloc(sizeof(**files))) == NULL ||
		    ((*files)[0] = strdup(path)) == NULL) {
			free(*files);
			*files = NULL;
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		*n = 1;
		return 0;
	}
	if (list_dir(path, 1, files, n, &cap, err, errlen) < 0) {
		hist_list_free(*files, *n);
		*files = NULL;
		*n = 0;
		return -1;
	}
	if (*n > 1)
		qsort(*files, *n, sizeof(**files), cmp_str);
	return 0;
}

void
hist_list_free(char **files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
}

/* is_day: name is a day directory's, YYYY-MM-DD; a shorter one fails at
   its NUL */
static int
is_day(const char *name)
{
	for (int i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? name[i] != '-' :
		    name[i] < '0' || name[i] > '9')
			return 0;
	return name[10] == '\0';
}

/*
 * A directory with no history file in it nor under it is an empty
 * history, which a recorder's directory is until its first block is
 * written, only if it holds nothing a recorder does not make there: day
 * directories (YYYY-MM-DD), a history file's index, hidden names (which
 * readers skip) and a file system's lost+found (the directory a mount
 * point).  Anything else, as the history/ under a directory named a
 * level too high, makes it no recorder's directory.  Returns 1 with the
 * message that says so, naming it, in err; else 0, an empty history
 * (also if dir cannot be read: hist_list says why).  Checked by
 * hist_reader_open, so that recorder cat and collector replay say it
 * alike, on the listing they read.
 */
static int
hist_foreign(const char *dir, char *err, size_t errlen)
{
	struct dirent *de;
	struct stat st;
	char p[4096];
	DIR *d;
	int rc = 0;

	if ((d = opendir(dir)) == NULL)
		return 0;	/* hist_list says why */
	while (rc == 0 && (de = readdir(d)) != NULL) {
		const char *n = de->d_name;

		if (n[0] == '.' || strcmp(n, "lost+found") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, n);
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (is_day(n))
				continue;
		} else if (has_suffix(n, HIST_SUFFIX ".idx") ||
		    has_suffix(n, HIST_SUFFIX ".idx.tmp"))
			continue;
		snprintf(err, errlen, "%s: no history files in it nor in a "
		    "directory under it, and %s there is none of a "
		    "recorder's: not a recorder's directory", dir, n);
		rc = 1;
	}
	closedir(d);
	return rc;
}

struct hist_reader {
	char		**files;
	size_t		 nfiles;
	size_t		 fi;		/* next file to open */
	int64_t		 from, to;
	void		(*note)(const char *);
	int		 fd;		/* current file, -1 none */
	const char	*path;
	struct hist_idx_ent *ents;
	size_t		 nents, ei;	/* blocks, next block */
	void		*dctx;
	unsigned char	*zbuf;
	size_t		 zcap;
	unsigned char	*pbuf;		/* a packed block, decompressed */
	size_t		 pcap;
	struct tp_record *recs;
	size_t		 rcap, nrecs, ri;
	struct hist_stats st;
	int		 verify;	/* check rcrc too */
	int		 cut;		/* the current file's end lost (HIST_CUT):
					   counted when it is closed */
	char		 err[1024];
	/* the last file read of each name: the last seq of its blocks */
	struct chain {
		const char	*path;
		size_t		 stem;	/* its name's length */
		uint64_t	 last;
		int		 have;	/* last known */
	}		*chains;	/* chain_check */
	size_t		 nchains;
	/* the block before in this file, read whole: the seq it leaves
	   its next block to go on from (block_follows) */
	uint64_t	 bnext;
	uint64_t	 bend;		/* the offset where that block ends */
	int		 bhave;		/* bnext and bend known */
	/* the last block skipped, as before --from, at the end of its file
	   (pend_path): read if the next file's first block is (next_file) */
	const char	*pend_path;	/* NULL: none */
	struct hist_idx_ent pend_ent;
};

int
hist_reader_open(struct hist_reader **rp, const char *path, int64_t from,
    int64_t to, void (*note)(const char *), char *err, size_t errlen)
{
	struct hist_reader *r;

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->dctx = ZSTD_createDCtx()) == NULL) {
		free(r);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r->fd = -1;
	r->from = from;
	r->to = to;
	r->note = note;
	if (hist_list(path, &r->files, &r->nfiles, err, errlen) < 0) {
		hist_reader_close(r);
		return -1;
	}
	/* a path a level too high is a mistake, an empty history not */
	if (r->nfiles == 0 && hist_foreign(path, err, errlen)) {
		hist_reader_close(r);
		return -1;
	}
	if (r->nfiles == 0)
		say(note, "%s: no history files in it nor in a directory "
		    "under it", path);
	*rp = r;
	return 0;
}

/* The length of NAME in a history file's base name NAME-YYYY-MM-DDT... */
static size_t
stem_len(const char *b)
{
	for (size_t i = strlen(b); i-- > 0; )
		if (b[i] == '-' && strlen(b + i) > 12 &&
		    strspn(b + i + 1, "0123456789") == 4 && b[i + 5] == '-' &&
		    b[i + 8] == '-' && b[i + 11] == 'T')
			return i;
	return 0;
}

/*
 * damage: counts damage said, whose records end before seq lost_to if
 * known (a block's), else 0.
 */
static void
damage(struct hist_reader *r, uint64_t lost_to)
{
	r->st.bad++;
	r->st.lost_to = lost_to;
}

/*
 * chain_check: path, whose blocks are e[0..n) and whose header's prev_seq
 * is prev (hist_scan), follows the file before it of the same name, read
 * before it (files sort by their times, so those of several names in one
 * directory alternate): prev, the last seq recorded before it, must be
 * the last of that file's blocks.  A file removed between them, or one
 * cut short, breaks the chain: said and counted as damage, not read as a
 * whole history.  So does a prev of 0, nothing recorded before, after a
 * file of the name with blocks: the first file written does not come
 * first, as when a later one was renamed to sort before it.  Returns -1
 * out of memory, else 0.
 */
static int
chain_check(struct hist_reader *r, const char *path,
    const struct hist_idx_ent *e, size_t n, uint64_t prev)
{
	const char *b = strrchr(path, '/'), *cb;
	struct chain *c = NULL;
	size_t bl;

	b = b != NULL ? b + 1 : path;
	if ((bl = stem_len(b)) == 0)
		return 0;	/* not NAME-time: no chain */
	for (size_t i = 0; i < r->nchains && c == NULL; i++) {
		cb = strrchr(r->chains[i].path, '/');
		cb = cb != NULL ? cb + 1 : r->chains[i].path;
		if (r->chains[i].stem == bl && memcmp(b, cb, bl) == 0)
			c = &r->chains[i];
	}
	if (c == NULL) {
		c = realloc(r->chains, (r->nchains + 1) * sizeof(*c));
		if (c == NULL)
			return -1;
		r->chains = c;
		c = &r->chains[r->nchains++];
		*c = (struct chain){ path, bl, 0, 0 };
	} else if (c->have && prev == 0) {
		say(r->note, "%s: follows no record, but %s ends at seq %"
		    PRIu64 ": a file out of its place in the history (one "
		    "renamed?)", path, c->path, c->last);
		damage(r, 0);
	} else if (c->have && prev != c->last) {
		say(r->note, "%s: follows seq %" PRIu64 ", but %s ends "
		    "at seq %" PRIu64 ": records %s the history (a file "
		    "removed or cut short?)", path, prev, c->path, c->last,
		    prev > c->last ? "missing from" : "repeated in");
		damage(r, 0);
	}
	if (n > 0) {
		c->last = e[n - 1].last_seq;
		c->have = 1;
	}
	c->path = path;
	return 0;
}

/*
 * The seq a record leaves the next one to go on from: a gap record
 * (capture.h) covers vseq to vseq + aux - 1 (a new ring's: the old ring's
 * records lost; its own seq is the one before the new ring's next).
 */
static uint64_t
rec_next_seq(const struct tp_record *x)
{
	if (x->type == REC_NONE && !(x->flags & REC_F_NEW_RING))
		return x->vseq + x->aux;
	return x->seq + 1;
}

/*
 * block_follows: the block e just decoded must go on from the block read
 * before it in the same file, whose last record left r->bnext: a
 * recorder writes every record and every gap, in ring order, so a file
 * with a block cut out of its middle, or one repeated, breaks the chain
 * there.  Said and counted as damage; its records are read all the same.
 * A block that begins with a new ring's gap follows anything; so does
 * one after bytes that are no block (the scan said them already).
 */
static void
block_follows(struct hist_reader *r, const struct hist_idx_ent *e)
{
	const struct tp_record *x = &r->recs[0];
	uint64_t got = x->type == REC_NONE ? x->vseq : x->seq;

	if (r->bhave && e->offset == r->bend && got != r->bnext &&
	    !(x->type == REC_NONE && (x->flags & REC_F_NEW_RING))) {
		say(r->note, "%s: block at offset %" PRIu64 " (seq %" PRIu64
		    "..%" PRIu64 ") follows seq %" PRIu64 ": records %s the "
		    "history (a block cut out or copied in?)", r->path,
		    e->offset, e->first_seq, e->last_seq, r->bnext - 1,
		    got > r->bnext ? "missing from" : "repeated in");
		damage(r, 0);
	}
	r->bnext = rec_next_seq(&r->recs[r->nrecs - 1]);
	r->bend = e->offset + sizeof(struct hist_block_hdr) + e->zlen;
	r->bhave = 1;
}

static int	load_block(struct hist_reader *, const struct hist_idx_ent *);
static int	read_pend(struct hist_reader *);

/* Opens the next file that has blocks; 1, 0 at the end, -1 error. */
static int
next_file(struct hist_reader *r)
{
	struct hist_idx_ent *e;
	int64_t lo, hi;
	size_t n;
	unsigned found;
	uint64_t prev = 0;

	if (r->fd >= 0) {
		close(r->fd);
		r->fd = -1;
	}
	if (r->cut) {
		damage(r, 0);
		r->cut = 0;
	}
	free(r->ents);
	r->ents = NULL;
	while (r->fi < r->nfiles) {
		r->path = r->files[r->fi++];
		/*
		 * a file whose header is damaged, or that cannot be read,
		 * is said and counted as damage, and the files after it
		 * are read: one bad byte must not hide the rest
		 */
		if (hist_scan(r->path, &e, &n, &found, &prev, r->note, r->err,
		    sizeof(r->err)) < 0) {
			say(r->note, "%s (file skipped)", r->err);
			damage(r, 0);
			r->pend_path = NULL;
			continue;
		}
		r->st.torn += (found & HIST_TORN) != 0;
		/* a lost end after the file's records (hist_reader) */
		if ((found & HIST_DAMAGED) && !(found & HIST_CUT))
			damage(r, 0);
		if (chain_check(r, r->path, e, n, prev) < 0) {
			free(e);
			snprintf(r->err, sizeof(r->err), "out of memory");
			return -1;
		}
		lo = INT64_MAX;
		hi = INT64_MIN;
		for (size_t i = 0; i < n; i++) {
			lo = e[i].min_ts < lo ? e[i].min_ts : lo;
			hi = e[i].max_ts > hi ? e[i].max_ts : hi;
		}
		if (n == 0 || lo >= r->to || hi < r->from) {
			if (found & HIST_CUT)
				damage(r, 0);
			r->st.skipped += n;
			if (n > 0 && hi < r->from) {
				r->pend_path = r->path;
				r->pend_ent = e[n - 1];
			} else if (n > 0) {
				r->pend_path = NULL;
			}
			free(e);
			continue;
		}
		if (r->pend_path != NULL && e[0].max_ts >= r->from &&
		    e[0].min_ts < r->to && read_pend(r) < 0) {
			free(e);
			return -1;
		}
		r->pend_path = NULL;
		if ((r->fd = open_regular(r->path, r->err,
		    sizeof(r->err))) < 0) {
			free(e);
			return -1;
		}
		r->st.files++;
		r->cut = (found & HIST_CUT) != 0;
		r->ents = e;
		r->nents = n;
		r->ei = 0;
		r->bhave = 0;
		return 1;
	}
	return 0;
}

/*
 * Decodes block e of the current file into r->recs.  Returns 1, 0 if
 * the block is damaged (said and counted), -1 on an error.
 */
static int
load_block(struct hist_reader *r, const struct hist_idx_ent *e)
{
	struct hist_block_hdr h;
	unsigned char *dst;
	size_t got;
	ssize_t k;

	if (pread(r->fd, &h, sizeof(h), (off_t)e->offset) !=
	    (ssize_t)sizeof(h) || hist_block_check(&h) < 0 ||
	    h.zlen != e->zlen || h.nrec != e->nrec ||
	    h.first_seq != e->first_seq) {
		say(r->note, "%s: block at offset %" PRIu64 " (seq %" PRIu64
		    "..%" PRIu64 "): damaged header, %" PRIu32 " records "
		    "skipped", r->path, e->offset, e->first_seq, e->last_seq,
		    e->nrec);
		damage(r, e->last_seq + 1);
		return 0;
	}
	if (h.zlen > r->zcap) {
		unsigned char *z = realloc(r->zbuf, h.zlen);

		if (z == NULL)
			goto nomem;
		r->zbuf = z;
		r->zcap = h.zlen;
	}
	if (h.enc != HIST_ENC_PLAIN && h.rawlen > r->pcap) {
		unsigned char *p = realloc(r->pbuf, h.rawlen);

		if (p == NULL)
			goto nomem;
		r->pbuf = p;
		r->pcap = h.rawlen;
	}
	if (h.nrec > r->rcap) {
		struct tp_record *p = realloc(r->recs,
		    (size_t)h.nrec * sizeof(*p));

		if (p == NULL)
			goto nomem;
		r->recs = p;
		r->rcap = h.nrec;
	}
	k = pread(r->fd, r->zbuf, h.zlen, (off_t)(e->offset + sizeof(h)));
	if (k < 0) {
		snprintf(r->err, sizeof(r->err), "%s: %s", r->path,
		    strerror(errno));
		return -1;
	}
	if ((size_t)k != h.zlen || hist_crc(r->zbuf, h.zlen) != h.zcrc) {
		say(r->note, "%s: block at offset %" PRIu64 " (seq %" PRIu64
		    "..%" PRIu64 "): checksum mismatch, %" PRIu32 " records "
		    "skipped", r->path, e->offset, h.first_seq, h.last_seq,
		    h.nrec);
		damage(r, h.last_seq + 1);
		return 0;
	}
	dst = h.enc != HIST_ENC_PLAIN ? r->pbuf : (unsigned char *)r->recs;
	got = ZSTD_decompressDCtx(r->dctx, dst, h.rawlen, r->zbuf, h.zlen);
	if (ZSTD_isError(got) || got != h.rawlen ||
	    (r->verify && h.enc == HIST_ENC_PLAIN &&
	    hist_crc(dst, h.rawlen) != h.rcrc) ||
	    (h.enc != HIST_ENC_PLAIN &&
	    hist_unpack(dst, h.rawlen, r->recs, h.nrec, h.enc) < 0)) {
		say(r->note, "%s: block at offset %" PRIu64 " (seq %" PRIu64
		    "..%" PRIu64 "): does not decode (%s), %" PRIu32
		    " records skipped", r->path, e->offset, h.first_seq,
		    h.last_seq, ZSTD_isError(got) ? ZSTD_getErrorName(got) :
		    got != h.rawlen ? "wrong length" : r->verify &&
		    h.enc == HIST_ENC_PLAIN &&
		    hist_crc(dst, h.rawlen) != h.rcrc ?
		    "record checksum mismatch" : "bad packing", h.nrec);
		damage(r, h.last_seq + 1);
		return 0;
	}
	r->nrecs = h.nrec;
	r->ri = 0;
	r->st.blocks++;
	return 1;
nomem:
	snprintf(r->err, sizeof(r->err), "out of memory");
	return -1;
}

/*
 * read_pend: the block skipped at the end of the file before, as before
 * --from, decoded (into r->recs, returned before the next file's) since
 * the next file's first block is read: a gap that ends it, whose ts is
 * the record's before it, is printed if the record after it is in the
 * range (recorder(1)).  Returns 0 (the block damaged: said), or -1.
 */
static int
read_pend(struct hist_reader *r)
{
	const char *path = r->path;
	int rc;

	r->path = r->pend_path;
	if ((r->fd = open_regular(r->path, r->err, sizeof(r->err))) < 0) {
		r->path = path;
		return -1;
	}
	rc = load_block(r, &r->pend_ent);
	close(r->fd);
	r->fd = -1;
	r->path = path;
	if (rc > 0)
		r->st.skipped--;	/* read after all */
	return rc < 0 ? -1 : 0;
}

int
hist_reader_next(struct hist_reader *r, const struct tp_record **rec)
{
	int rc;

	while (r->ri >= r->nrecs) {
		const struct hist_idx_ent *e;

		if (r->fd < 0 || r->ei >= r->nents) {
			if ((rc = next_file(r)) <= 0)
				return rc;
			continue;
		}
		e = &r->ents[r->ei++];
		/*
		 * a block before --from is read all the same when the next
		 * one is: a gap that ends it is printed if the record after
		 * it is in the range (read_pend, for the file's last)
		 */
		if (e->min_ts >= r->to || (e->max_ts < r->from &&
		    (r->ei == r->nents || r->ents[r->ei].max_ts < r->from ||
		    r->ents[r->ei].min_ts >= r->to))) {
			if (e->max_ts < r->from && r->ei == r->nents) {
				r->pend_path = r->path;
				r->pend_ent = *e;
			}
			r->st.skipped++;
			r->bhave = 0;
			continue;
		}
		if ((rc = load_block(r, e)) < 0)
			return -1;
		if (rc == 0)
			r->bhave = 0;	/* said: no chain across it */
		else
			block_follows(r, e);
	}
	*rec = &r->recs[r->ri++];
	r->st.records++;
	return 1;
}

void
hist_reader_verify(struct hist_reader *r, int on)
{
	r->verify = on;
}

const char *
hist_reader_err(const struct hist_reader *r)
{
	return r->err;
}

const struct hist_stats *
hist_reader_stats(const struct hist_reader *r)
{
	return &r->st;
}

void
hist_reader_close(struct hist_reader *r)
{
	if (r == NULL)
		return;
	if (r->fd >= 0)
		close(r->fd);
	hist_list_free(r->files, r->nfiles);
	free(r->chains);
	free(r->ents);
	free(r->zbuf);
	free(r->pbuf);
	free(r->recs);
	ZSTD_freeDCtx(r->dctx);
	free(r);
}

/* Reads exactly n digits at *s into *v; advances *s. */
static int
digits(const char **s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++, (*s)++) {
		if (**s < '0' || **s > '9')
			return -1;
		*v = *v * 10 + (**s - '0');
	}
	return 0;
}

int
hist_parse_time(const char *s, int64_t *ns)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, sec = 0, oh, om;
	int64_t frac = 0, t;
	time_t tt;
	const char *p = s;

	if (*s == '\0')
		return -1;
	if (strspn(s, "0123456789") == strlen(s)) {
		if (strlen(s) > 19)
			return -1;
		errno = 0;
		t = (int64_t)strtoll(s, NULL, 10);
		if (errno != 0)
			return -1;
		*ns = t;
		return 0;
	}
	if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 ||
	    *p++ != '-' || digits(&p, 2, &d) < 0)
		return -1;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) < 0 || *p++ != ':' ||
		    digits(&p, 2, &mi) < 0)
			return -1;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec) < 0)
				return -1;
			if (*p == '.' || *p == ',') {
				int nd = 0;

				p++;
				for (; *p >= '0' && *p <= '9'; p++, nd++)
					if (nd < 9)
						frac = frac * 10 + (*p - '0');
				if (nd == 0)
					return -1;
				for (; nd < 9; nd++)
					frac *= 10;
			}
		}
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		return -1;
	/* a day the month has: not February 30 read as March 2 */
	{
		static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31,
		    30, 31, 30, 31 };
		int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

		if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
			return -1;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tt = timegm(&tm);
	t = (int64_t)tt;
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '+' ? 1 : -1;

		if (digits(&p, 2, &oh) < 0)
			return -1;
		if (*p == ':')
			p++;
		if (digits(&p, 2, &om) < 0 || oh > 23 || om > 59)
			return -1;
		t -= sign * (oh * 3600 + om * 60);
	}
	if (*p != '\0' || t < 0 || t > INT64_MAX / 1000000000 - 1)
		return -1;
	*ns = t * 1000000000 + frac;
	return 0;
}
