/*
 * record.h: the 256-byte record every tickpipe ring slot holds.
 *
 * One naturally aligned struct of four cache lines.  The first line is the
 * header (ring sequence, type, flags, venue, symbol, times, venue sequence);
 * the other three are the payload of the type.  Prices and quantities are
 * exact decimals (struct dec in dec.h): a mantissa and a decimal exponent,
 * never a double.  The layout is frozen by the _Static_asserts below and
 * summarised by rec_layout_hash(), which the ring header carries so that a
 * reader built from a different layout refuses to read.  The byte layout is
 * documented in tickpipe-ring(5); change both together.
 */
#ifndef TP_RECORD_H
#define TP_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define REC_SIZE	256
#define REC_SYMBOL_LEN	16	/* "BASE-QUOTE", NUL padded, NUL terminated */
#define REC_BOOK_LEVELS	10	/* price levels one book record holds */
#define REC_TID_LEN	48	/* venue trade id, NUL terminated */
#define REC_REASON_LEN	128	/* status reason, NUL terminated */

enum rec_type {
	REC_NONE = 0,
	REC_TRADE = 1,
	REC_BOOK = 2,
	REC_STATUS = 3,
};

/* flags */
#define REC_F_START	0x0001	/* first record of a book message */
#define REC_F_LAST	0x0002	/* last record of a book message */
#define REC_F_SNAPSHOT	0x0004	/* the message replaces the whole book */

enum rec_side {
	SIDE_UNKNOWN = 0,
	SIDE_BUY = 1,		/* taker bought */
	SIDE_SELL = 2,		/* taker sold */
};

enum rec_status {
	ST_CONNECTED = 1,
	ST_DISCONNECTED = 2,
	ST_RESYNC = 3,
	ST_CHECKSUM = 4,	/* checksum failure */
	ST_SEQUENCE = 5,	/* sequence failure */
	ST_INFO = 6,
};

struct rec_trade {
	int64_t		price;		/* mantissa */
	int64_t		qty;		/* mantissa */
	int8_t		price_exp;	/* decimal exponent */
	int8_t		qty_exp;
	uint8_t		side;		/* enum rec_side */
	uint8_t		pad[5];
	char		tid[REC_TID_LEN];
	uint8_t		pad2[120];
};

/*
 * Levels [0, nbids) are bids, best first; [nbids, nbids + nasks) asks,
 * best first.  Quantity 0 removes a level (in deltas).
 */
struct rec_book {
	int64_t		price[REC_BOOK_LEVELS];
	int64_t		qty[REC_BOOK_LEVELS];
	int8_t		price_exp[REC_BOOK_LEVELS];
	int8_t		qty_exp[REC_BOOK_LEVELS];
	uint8_t		nbids;
	uint8_t		nasks;
	uint8_t		pad[10];
};

struct rec_status_body {
	uint16_t	code;		/* enum rec_status */
	uint8_t		pad[6];
	char		reason[REC_REASON_LEN];
	uint8_t		pad2[56];
};

struct tp_record {
	/* cache line 0: header */
	uint64_t	seq;		/* ring sequence, written by the ring */
	uint16_t	type;		/* enum rec_type */
	uint16_t	flags;		/* REC_F_* */
	uint16_t	venue;		/* venue id, see venue_name() */
	uint16_t	hpad;
	char		symbol[REC_SYMBOL_LEN];
	int64_t		ts;		/* exchange event time, ns since epoch */
	int64_t		recv;		/* local receive time, ns since epoch */
	uint64_t	vseq;		/* venue sequence / update id, 0 if none */
	uint64_t	aux;		/* book: first venue update id (U); else 0 */
	/* cache lines 1-3: payload */
	union {
		struct rec_trade	trade;
		struct rec_book		book;
		struct rec_status_body	status;
		uint8_t			raw[192];
	} u;
};

_Static_assert(sizeof(struct tp_record) == REC_SIZE, "record is 256 bytes");
_Static_assert(offsetof(struct tp_record, seq) == 0, "seq at 0");
_Static_assert(offsetof(struct tp_record, type) == 8, "type at 8");
_Static_assert(offsetof(struct tp_record, flags) == 10, "flags at 10");
_Static_assert(offsetof(struct tp_record, venue) == 12, "venue at 12");
_Static_assert(offsetof(struct tp_record, symbol) == 16, "symbol at 16");
_Static_assert(offsetof(struct tp_record, ts) == 32, "ts at 32");
_Static_assert(offsetof(struct tp_record, recv) == 40, "recv at 40");
_Static_assert(offsetof(struct tp_record, vseq) == 48, "vseq at 48");
_Static_assert(offsetof(struct tp_record, aux) == 56, "aux at 56");
_Static_assert(offsetof(struct tp_record, u) == 64, "payload at 64");
_Static_assert(sizeof(struct rec_trade) == 192, "trade payload 192");
_Static_assert(sizeof(struct rec_book) == 192, "book payload 192");
_Static_assert(sizeof(struct rec_status_body) == 192, "status payload 192");
_Static_assert(offsetof(struct rec_trade, price) == 0, "trade price at 64");
_Static_assert(offsetof(struct rec_trade, qty) == 8, "trade qty at 72");
_Static_assert(offsetof(struct rec_trade, price_exp) == 16, "trade price_exp");
_Static_assert(offsetof(struct rec_trade, qty_exp) == 17, "trade qty_exp");
_Static_assert(offsetof(struct rec_trade, side) == 18, "trade side");
_Static_assert(offsetof(struct rec_trade, tid) == 24, "trade tid");
_Static_assert(offsetof(struct rec_book, price) == 0, "book price");
_Static_assert(offsetof(struct rec_book, qty) == 80, "book qty");
_Static_assert(offsetof(struct rec_book, price_exp) == 160, "book price_exp");
_Static_assert(offsetof(struct rec_book, qty_exp) == 170, "book qty_exp");
_Static_assert(offsetof(struct rec_book, nbids) == 180, "book nbids");
_Static_assert(offsetof(struct rec_book, nasks) == 181, "book nasks");
_Static_assert(offsetof(struct rec_status_body, code) == 0, "status code");
_Static_assert(offsetof(struct rec_status_body, reason) == 8, "status reason");

/* Venue ids.  Stable: they are stored in rings and captures. */
enum venue_id {
	VENUE_UNKNOWN = 0,
	VENUE_SIM = 1,
	VENUE_COINBASE = 2,
	VENUE_KRAKEN = 3,
	VENUE_BINANCE = 4,
	VENUE_BYBIT = 5,
	VENUE_OKX = 6,
	VENUE_SIM2 = 7,		/* second and third simulated venues */
	VENUE_SIM3 = 8,
	VENUE_ALL = 9,		/* consolidated: records derived across venues */
	VENUE_MAX
};

/* Returns the venue's name ("sim", "coinbase", ...), "unknown" if none. */
const char	*venue_name(unsigned id);
/* Returns the venue id for name, or VENUE_UNKNOWN. */
unsigned	 venue_id(const char *name);

const char	*side_name(unsigned side);	/* "buy", "sell", "unknown" */
const char	*status_name(unsigned code);	/* "connected", ... */
unsigned	 status_code(const char *name);	/* 0 if unknown */

/*
 * rec_layout_hash: FNV-1a 64 over the record size and every field offset
 * and size listed in record.c.  Two builds with the same hash agree on the
 * byte layout.
 */
uint64_t	 rec_layout_hash(void);

/*
 * rec_print_layout: writes the layout table (field, offset, size) to f, as
 * `shmreader --layout` shows it.
 */
void		 rec_print_layout(FILE *f);

/*
 * rec_symbol_ok: returns 1 if s is a valid normalized symbol: BASE-QUOTE,
 * upper-case letters and digits, 3 to 15 characters, exactly one dash.
 */
int		 rec_symbol_ok(const char *s);

#endif
