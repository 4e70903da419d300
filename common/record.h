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
	REC_QUOTE = 4,		/* derived (deriver(1)): best bid and ask */
	REC_BOOK_TOP = 5,	/* derived: best N levels, a multi-record message */
	REC_BAR = 6,		/* derived: trade bar of one interval */
	REC_XBEST = 7,		/* derived: best bid and ask across venues */
};

/* flags */
#define REC_F_START	0x0001	/* first record of a book message */
#define REC_F_LAST	0x0002	/* last record of a book message */
#define REC_F_SNAPSHOT	0x0004	/* the message replaces the whole book */
#define REC_F_NEW_RING	0x0008	/* a gap record of a capture (type 0):
				   then the sequence starts again */

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

/*
 * Derived records (deriver(1)) carry in the header's vseq the sequence,
 * in the source ring, of the input record that caused them ("src_seq");
 * aux is 0.  A price or quantity absent (an empty side, a bar without
 * trades) has its has_ flag 0 and mantissa and exponent 0.
 */
struct rec_quote {
	int64_t		bid;		/* mantissas */
	int64_t		bid_qty;
	int64_t		ask;
	int64_t		ask_qty;
	int8_t		bid_exp;	/* exponents */
	int8_t		bid_qty_exp;
	int8_t		ask_exp;
	int8_t		ask_qty_exp;
	uint8_t		has_bid;
	uint8_t		has_ask;
	uint8_t		pad[154];
};

/*
 * Levels as in struct rec_book (the same offsets), then the depth N and
 * the interval T of the (N, T) stream the message belongs to.
 */
struct rec_top {
	int64_t		price[REC_BOOK_LEVELS];
	int64_t		qty[REC_BOOK_LEVELS];
	int8_t		price_exp[REC_BOOK_LEVELS];
	int8_t		qty_exp[REC_BOOK_LEVELS];
	uint8_t		nbids;
	uint8_t		nasks;
	uint16_t	depth;
	uint32_t	interval_ms;
	uint8_t		pad[4];
};

/* Bar of [start, end) of venue time; trades 0: the prices are absent. */
struct rec_bar {
	int64_t		start;		/* ns since epoch */
	int64_t		end;
	uint64_t	interval_ms;
	uint64_t	trades;
	int64_t		open;		/* mantissas */
	int64_t		high;
	int64_t		low;
	int64_t		close;
	int64_t		vwap;
	int64_t		volume;
	int64_t		buy_volume;
	int64_t		sell_volume;
	int8_t		open_exp;	/* exponents */
	int8_t		high_exp;
	int8_t		low_exp;
	int8_t		close_exp;
	int8_t		vwap_exp;
	int8_t		volume_exp;
	int8_t		buy_volume_exp;
	int8_t		sell_volume_exp;
	uint8_t		pad[88];
};

/* xbest state, and why a venue is left out */
enum { XB_NORMAL = 0, XB_LOCKED = 1, XB_CROSSED = 2 };
enum { XB_WHY_NONE = 0, XB_WHY_RESYNC = 1, XB_WHY_STALE = 2,
	XB_WHY_DISCONNECTED = 3 };
#define REC_XB_VENUES	32	/* venue ids the masks can hold */

struct rec_xbest {
	int64_t		bid;		/* mantissas */
	int64_t		bid_qty;
	int64_t		ask;
	int64_t		ask_qty;
	int8_t		bid_exp;	/* exponents */
	int8_t		bid_qty_exp;
	int8_t		ask_exp;
	int8_t		ask_qty_exp;
	uint8_t		has_bid;
	uint8_t		has_ask;
	uint16_t	bid_venue;
	uint16_t	ask_venue;
	uint8_t		state;		/* XB_NORMAL, XB_LOCKED, XB_CROSSED */
	uint8_t		pad0;
	uint32_t	venues;		/* bit v: venue id v included */
	uint32_t	excluded;	/* bit v: venue id v left out */
	uint8_t		why[REC_XB_VENUES];	/* XB_WHY_* by venue id */
	uint8_t		pad[108];
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
		struct rec_quote	quote;
		struct rec_top		top;
		struct rec_bar		bar;
		struct rec_xbest	xbest;
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
_Static_assert(sizeof(struct rec_quote) == 192, "quote payload 192");
_Static_assert(sizeof(struct rec_top) == 192, "book_top payload 192");
_Static_assert(sizeof(struct rec_bar) == 192, "bar payload 192");
_Static_assert(sizeof(struct rec_xbest) == 192, "xbest payload 192");
_Static_assert(offsetof(struct rec_quote, bid_exp) == 32, "quote bid_exp");
_Static_assert(offsetof(struct rec_quote, has_bid) == 36, "quote has_bid");
_Static_assert(offsetof(struct rec_top, price) ==
    offsetof(struct rec_book, price), "top levels as book's");
_Static_assert(offsetof(struct rec_top, qty) ==
    offsetof(struct rec_book, qty), "top qty as book's");
_Static_assert(offsetof(struct rec_top, price_exp) ==
    offsetof(struct rec_book, price_exp), "top price_exp as book's");
_Static_assert(offsetof(struct rec_top, qty_exp) ==
    offsetof(struct rec_book, qty_exp), "top qty_exp as book's");
_Static_assert(offsetof(struct rec_top, nbids) ==
    offsetof(struct rec_book, nbids), "top nbids as book's");
_Static_assert(offsetof(struct rec_top, nasks) ==
    offsetof(struct rec_book, nasks), "top nasks as book's");
_Static_assert(offsetof(struct rec_top, depth) == 182, "top depth");
_Static_assert(offsetof(struct rec_top, interval_ms) == 184,
    "top interval_ms");
_Static_assert(offsetof(struct rec_bar, trades) == 24, "bar trades");
_Static_assert(offsetof(struct rec_bar, open) == 32, "bar open");
_Static_assert(offsetof(struct rec_bar, sell_volume) == 88, "bar sell");
_Static_assert(offsetof(struct rec_bar, open_exp) == 96, "bar open_exp");
_Static_assert(offsetof(struct rec_xbest, bid_exp) ==
    offsetof(struct rec_quote, bid_exp), "xbest prices as quote's");
_Static_assert(offsetof(struct rec_xbest, has_bid) ==
    offsetof(struct rec_quote, has_bid), "xbest has_ as quote's");
_Static_assert(offsetof(struct rec_xbest, bid_venue) == 38, "xbest bid_venue");
_Static_assert(offsetof(struct rec_xbest, state) == 42, "xbest state");
_Static_assert(offsetof(struct rec_xbest, venues) == 44, "xbest venues");
_Static_assert(offsetof(struct rec_xbest, why) == 52, "xbest why");

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

_Static_assert(VENUE_MAX <= REC_XB_VENUES, "xbest masks hold every venue");

/* Returns the venue's name ("sim", "coinbase", ...), "unknown" if none. */
const char	*venue_name(unsigned id);
/* Returns the venue id for name, or VENUE_UNKNOWN. */
unsigned	 venue_id(const char *name);

const char	*side_name(unsigned side);	/* "buy", "sell", "unknown" */
const char	*status_name(unsigned code);	/* "connected", ... */
unsigned	 status_code(const char *name);	/* 0 if unknown */
const char	*xbest_state_name(unsigned state); /* "normal", ... */
const char	*xbest_why_name(unsigned why);	/* "resync", ... */

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
