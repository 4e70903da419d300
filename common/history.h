/*
 * history.h: tickpipe history files, written by recorder(1) and read by
 * `recorder cat` and `collector replay`.  A file is a 64-byte header and
 * then blocks: each a 64-byte block header and a zstd frame holding whole
 * records, decodable alone and checked by CRC-32 (the zlib one) of its
 * compressed bytes, of what it decompresses to and of its header.  In
 * version 2 the frame holds the records packed (HIST_ENC_PACKED: each a
 * word mask and its non-zero 8-byte words), which is exactly reversible
 * and a quarter to a half of the bytes to compress; version 3 packs each
 * record against an earlier one of the same instrument (HIST_ENC_XREF),
 * about half that again.  Version 1 files, whose frames hold the 256-byte
 * records as they are, and version 2 files are still read.  A sidecar
 * FILE.idx, written when the file is closed, lists every block's offset,
 * sequences and times; it is only a cache of the block headers, which a
 * reader scans instead when the sidecar is missing or stale.  The byte
 * layout is documented in recorder(1), FILE FORMAT; change both together.
 */
#ifndef TP_HISTORY_H
#define TP_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define HIST_MAGIC		"TPHIST01"
#define HIST_BLOCK_MAGIC	"TPHB"
#define HIST_IDX_MAGIC		"TPHIDX01"
#define HIST_VERSION		3	/* 1 (plain), 2 (packed): still read */
#define HIST_SUFFIX		".tph"
#define HIST_MAX_BLOCK_RECS	(1u << 20)	/* records in one block, bound */

struct hist_file_hdr {
	char		magic[8];	/* HIST_MAGIC, no NUL */
	uint32_t	record_size;	/* REC_SIZE */
	uint32_t	version;	/* HIST_VERSION */
	uint64_t	layout_hash;	/* rec_layout_hash() */
	int64_t		created_ns;	/* wall clock when the file was made */
	uint64_t	prev_seq;	/* last seq of the previous file, 0 none */
	char		ring[24];	/* ring name, NUL padded */
};

struct hist_block_hdr {
	char		magic[4];	/* HIST_BLOCK_MAGIC, no NUL */
	uint32_t	nrec;		/* records in the block, >= 1 */
	uint32_t	zlen;		/* bytes of the zstd frame that follows */
	uint32_t	rawlen;		/* bytes the frame decompresses to */
	uint64_t	first_seq;	/* seq of the first and last record */
	uint64_t	last_seq;
	int64_t		min_ts;		/* least and greatest ts of its records */
	int64_t		max_ts;
	uint32_t	zcrc;		/* CRC-32 of the zstd frame */
	uint32_t	rcrc;		/* plain: CRC-32 of the records; packed:
					   0, the frame has zstd's checksum */
	uint32_t	enc;		/* HIST_ENC_*: what the frame holds */
	uint32_t	hcrc;		/* CRC-32 of the 60 bytes before */
};

/*
 * HIST_ENC_PLAIN: the nrec records as they are (rawlen nrec * REC_SIZE),
 * all version 1 writes.  HIST_ENC_PACKED: per record, a 32-bit little-
 * endian mask of its 32 8-byte words and then, in order, the words whose
 * bit is set; a clear bit is a zero word, except bit 0 (seq), whose clear
 * bit means the previous record's seq + 1 (0 before the first).
 */
#define HIST_ENC_PLAIN		0
#define HIST_ENC_PACKED		1
/*
 * HIST_ENC_XREF (version 3 writes): as HIST_ENC_PACKED, but each record
 * is preceded by a byte naming one of HIST_XREF_SLOTS reference slots,
 * and its words other than seq, ts and recv are written XORed with those
 * of the slot's reference: the last record before it in the block that
 * named the slot, or zeros.  The record then becomes the slot's
 * reference.  The lengths of the words written come after the mask, as
 * length - 1 in 4 bits, two to a byte (the first in the low half), and
 * then the words' low bytes.  The writer names the slot by a hash of type, venue and
 * symbol, so an instrument's header and exponents cost nothing and
 * nearby prices a byte or two.
 */
#define HIST_ENC_XREF		2
#define HIST_XREF_SLOTS		64

struct hist_idx_hdr {
	char		magic[8];	/* HIST_IDX_MAGIC */
	uint64_t	data_size;	/* size of the .tph file it describes */
	uint64_t	nblocks;
	uint32_t	crc;		/* CRC-32 of the entries */
	uint32_t	pad;
};

struct hist_idx_ent {
	uint64_t	offset;		/* of the block header in the file */
	uint32_t	nrec;
	uint32_t	zlen;
	uint64_t	first_seq;
	uint64_t	last_seq;
	int64_t		min_ts;
	int64_t		max_ts;
};

_Static_assert(sizeof(struct hist_file_hdr) == 64, "file header 64 bytes");
_Static_assert(sizeof(struct hist_block_hdr) == 64, "block header 64 bytes");
_Static_assert(sizeof(struct hist_idx_hdr) == 32, "index header 32 bytes");
_Static_assert(sizeof(struct hist_idx_ent) == 48, "index entry 48 bytes");

/* hist_crc: CRC-32 (zlib's polynomial) of buf[0..len). */
uint32_t hist_crc(const void *buf, size_t len);

/* hist_file_hdr_init: a header for a new file of ring (NULL: none). */
void	 hist_file_hdr_init(struct hist_file_hdr *h, const char *ring,
	    int64_t created_ns, uint64_t prev_seq);

/*
 * hist_file_hdr_check: 0 if h is a history file header of this build,
 * else -1 with the reason in err.
 */
int	 hist_file_hdr_check(const struct hist_file_hdr *h, char *err,
	    size_t errlen);

/*
 * hist_block_check: 0 if h is a block header with a good magic, its own
 * CRC and sane lengths, else -1.
 */
int	 hist_block_check(const struct hist_block_hdr *h);

/*
 * hist_block_make: packs recs[0..n) (1 <= n <= HIST_MAX_BLOCK_RECS) and
 * compresses them at zstd level into out, which must hold
 * hist_block_bound(n) bytes (its end is the packing's scratch space),
 * after a block header it fills in.  Returns the bytes of header and
 * frame, or 0 on a zstd error (err says which).  cctx is a ZSTD_CCtx *,
 * made by the caller and reused.
 */
size_t	 hist_block_bound(size_t n);
size_t	 hist_block_make(void *cctx, int level, const struct tp_record *recs,
	    size_t n, void *out, char *err, size_t errlen);

/*
 * hist_block_make_packed: the same for n records already packed, as
 * HIST_ENC_XREF, by hist_pack_rec into packed[0..raw), which need not be
 * kept themselves: sum gives their first and last seq and their least
 * and greatest ts (its first_seq, last_seq, min_ts and max_ts; the rest
 * of it is not read).
 */
size_t	 hist_block_make_packed(void *cctx, int level,
	    const struct hist_block_hdr *sum, size_t n,
	    const unsigned char *packed, size_t raw, void *out, char *err,
	    size_t errlen);

/*
 * hist_pack: packs recs[0..n) as enc (HIST_ENC_PACKED or HIST_ENC_XREF)
 * into out, which holds n * HIST_PACKED_MAX bytes; returns the bytes
 * written.  hist_unpack: the reverse, of exactly len bytes into n
 * records; 0, or -1 if the bytes are not n records packed as enc.
 */
#define HIST_PACKED_MAX		(1 + 4 + 9 * (REC_SIZE / 8) + 8)
size_t	 hist_pack(const struct tp_record *recs, size_t n, unsigned char *out,
	    unsigned enc);

/*
 * A packing one record at a time, as the records of a block arrive:
 * hist_pack_begin at the block's first record, then hist_pack_rec for
 * each recs[i], i = 0, 1, ..., which writes at most HIST_PACKED_MAX bytes
 * to out and returns how many it packed to.  References are kept as
 * indices in recs, so that recs may be moved (realloc) between records.
 */
struct hist_packer {
	int32_t		ref[HIST_XREF_SLOTS];	/* index in recs, -1: zeros */
	uint64_t	prev, prev_ts;
	unsigned	enc;
};

void	 hist_pack_begin(struct hist_packer *pk, unsigned enc);
size_t	 hist_pack_rec(struct hist_packer *pk, const struct tp_record *recs,
	    size_t i, unsigned char *out);
int	 hist_unpack(const unsigned char *in, size_t len, struct tp_record *recs,
	    size_t n, unsigned enc);

/*
 * hist_index_write: writes path's sidecar (path + ".idx") through a
 * temporary file (path + ".idx.tmp": whatever holds that name is removed
 * first, never opened) and rename, for the data_size bytes of blocks
 * ents[0..n).  Returns 0, or -1 with errno and the reason in err.
 */
int	 hist_index_write(const char *path, uint64_t data_size,
	    const struct hist_idx_ent *ents, size_t n, char *err,
	    size_t errlen);

/*
 * hist_scan: the index of one file.  Uses the sidecar when it describes
 * the file as it is (same size, good CRC, its blocks one after another
 * from the file header to the end), else reads every block header
 * (no decompression), stepping over a damaged header by searching for the
 * next valid one.  Sets *ents (malloc'd; the caller frees) and *n.
 * Problems found (a damaged header, a torn last block) are passed to note
 * as one line each, without the program name.  *found, if not NULL, is
 * set to the problems found: HIST_TORN (the file ends in an incomplete
 * block, as a crash mid-write leaves it: a valid header and less than its
 * frame, or less than a header), HIST_DAMAGED (bytes that are no block
 * were skipped, even at the end of the file), with HIST_CUT if the
 * file's end is lost: it is shorter than when it was closed, or the
 * bytes to its end are no block.  *prev_seq, if not NULL, is set to the header's
 * prev_seq (the last seq recorded before the file, 0 none).  Returns 0,
 * or -1 if the file cannot be read or is not a history file (err says
 * why), or is no regular file: a FIFO is refused, never waited on
 * (open_regular).  A sidecar that is no regular file is none.
 */
#define HIST_TORN	1
#define HIST_DAMAGED	2
#define HIST_CUT	4
int	 hist_scan(const char *path, struct hist_idx_ent **ents, size_t *n,
	    unsigned *found, uint64_t *prev_seq, void (*note)(const char *),
	    char *err, size_t errlen);

/*
 * hist_list: the history files under path, in time order: path itself if
 * it is a file, else every *.tph in path and in its subdirectories one
 * level down, sorted by the time in their names (NAME-YYYY-MM-DDTHH.NNNN
 * .tph), then by the counter NNNN as a number (.10000 after .9999), then
 * by NAME.  A *.tph link that cannot be followed (a loop), and a *.tph
 * that is neither a regular file nor a directory (a FIFO, a device), are
 * listed, for their reader to say they cannot be read.  Sets *files (an
 * array of malloc'd strings, freed with hist_list_free) and *n.  Returns
 * 0 or -1 with err (a directory that cannot be read, or a path that is
 * neither a regular file nor a directory).
 */
int	 hist_list(const char *path, char ***files, size_t *n, char *err,
	    size_t errlen);
void	 hist_list_free(char **files, size_t n);

/*
 * A reader of records across files, in file and block order, limited to
 * the blocks whose times meet [from, to): the index skips the others
 * without reading them.  Damaged blocks are reported to note and skipped.
 * Damage is counted where it lies among the records returned: a file's
 * lost end (HIST_CUT) once its records are read, so that damage counted
 * after the last record returned lies after every record read.
 */
struct hist_reader;

struct hist_stats {
	uint64_t	files;		/* files opened */
	uint64_t	blocks;		/* blocks decoded */
	uint64_t	skipped;	/* blocks skipped by the index */
	uint64_t	bad;		/* blocks skipped as damaged, and runs of
					   bytes that are no block */
	uint64_t	torn;		/* files ending in a torn block */
	uint64_t	records;	/* records returned */
	uint64_t	lost_to;	/* the seq after the records the last
					   damage counted in bad took, where a
					   block's header or index tells; 0 if
					   not told */
};

/*
 * hist_lost: the records a reader skipped between two it returned, its
 * stats was after the first and now after the second, are lost to
 * damage, said (a block, a file removed or cut short): not blocks the
 * index skipped, nor those of a file of another --name read after the
 * first's, with no damage said (recorder(1)).
 */
static inline int
hist_lost(const struct hist_stats *was, const struct hist_stats *now)
{
	return now->skipped == was->skipped && (now->files == was->files ||
	    now->bad != was->bad);
}

/*
 * hist_reader_open: lists path (hist_list) and prepares to read.  A
 * directory in which it lists no history file is an empty history, said
 * to note, if it holds nothing but what a recorder makes there (day
 * directories, indexes, hidden names, a lost+found); else it is no
 * recorder's directory (as one named a level too high), and fails.  note
 * gets one line per problem (NULL: none said).  Returns 0 or -1 with err.
 */
int	 hist_reader_open(struct hist_reader **rp, const char *path,
	    int64_t from, int64_t to, void (*note)(const char *), char *err,
	    size_t errlen);

/*
 * hist_reader_next: sets *rec to the next record (valid until the next
 * call) and returns 1; 0 at the end; -1 on an error that stops reading
 * (a file that cannot be read, out of memory), with hist_reader_err.
 */
int	 hist_reader_next(struct hist_reader *r, const struct tp_record **rec);
const char *hist_reader_err(const struct hist_reader *r);

/*
 * hist_reader_verify: with on != 0, also checks each plain (version 1)
 * block's records against rcrc after decompression (about a fifth more
 * time); the frame CRC and the decompressed length are always checked,
 * and so is the zstd checksum of a packed block's bytes.
 */
void	 hist_reader_verify(struct hist_reader *r, int on);
const struct hist_stats *hist_reader_stats(const struct hist_reader *r);
void	 hist_reader_close(struct hist_reader *r);

/*
 * hist_parse_time: parses s as nanoseconds since the epoch (digits) or as
 * ISO 8601 in UTC or with an offset: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS[.f]]
 * followed by Z, +HH:MM or -HH:MM (no suffix: UTC).  Returns 0 and sets
 * *ns, or -1.
 */
int	 hist_parse_time(const char *s, int64_t *ns);

#endif
