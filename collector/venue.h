/*
 * venue.h: what a live venue adapter (venue_*.c) and the feed runner
 * (live.c) share.
 *
 * A feed is one WebSocket connection to one venue carrying a set of
 * symbols.  The runner owns the connection: connect, reconnect with
 * backoff, the data watchdog, keepalive ticks, periodic snapshots, REST
 * requests.  The adapter owns the venue's protocol: the URL and the
 * subscriptions, parsing, symbol mapping, the book rules and the
 * integrity check.  Adapters reach the network only through the feed_*
 * functions below, so they run unchanged without one (bench/venues.c
 * drives them with recorded messages).
 */
#ifndef TP_VENUE_H
#define TP_VENUE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "book.h"
#include "collector.h"
#include "json.h"
#include "record.h"
#include "ratelog.h"

#define VENUE_NATIVE_MAX	32
#define FEED_URL_MAX		2048
/* --depth: a snapshot of the window, both sides, fits one book message */
#define FEED_DEPTH_MAX		5000
_Static_assert(2 * FEED_DEPTH_MAX <= JSONL_MAX_RECS * REC_BOOK_LEVELS,
    "a window snapshot fits one book message");

struct feed;
struct fsym;

/*
 * The updates a book holds back while it waits for its REST snapshot
 * (Binance, OKX): at most FEED_PEND_MAX of them and FEED_PEND_BYTES of
 * their text a symbol (collector(1) VENUES), so that a venue's flood
 * cannot take the host's memory.  The byte cap is the longest message
 * collector(1) takes, so one always fits.
 */
#define FEED_PEND_MAX	100000
#define FEED_PEND_BYTES	((size_t)64 << 20)

/* A depth update held back until the book's snapshot arrives. */
struct pend {
	char	*text;		/* the message, NUL terminated */
	size_t	 len;
	uint64_t first, last;	/* U, u */
};

/* One symbol of a feed: its book and integrity state. */
struct fsym {
	char		 sym[REC_SYMBOL_LEN];	/* normalized BASE-QUOTE */
	char		 native[VENUE_NATIVE_MAX];	/* the venue's name */
	struct book	 book;
	int		 synced;	/* book known right: publishable */
	uint64_t	 last;		/* last update id / sequence applied */
	int64_t		 last_ts;	/* exchange time of the last update */
	uint64_t	 updates;	/* book messages applied */
	uint64_t	 snap_updates;	/* updates at its last snapshot */
	/* the REST snapshot's horizon per side (venue_horizon) */
	struct book_level horizon[2];	/* bids, asks: the worst level */
	int		 has_horizon[2];
	/* REST snapshot sync (Binance) */
	struct pend	*pend;
	size_t		 npend, cappend;
	size_t		 pend_bytes;	/* their text, NULs not counted */
	int		 rest_state;	/* 0 idle, 1 queued, 2 in flight */
	int64_t		 rest_not_before;	/* mono ns */
	unsigned	 refetches;
	unsigned	 resubs;	/* OKX: resubscribed, no snapshot yet */
	uint32_t	 top_crc;	/* Kraken: the last checksum made */
	struct feed	*feed;
};

/*
 * The adapter.  native_sep: what the venue's symbol names put between
 * base and quote ("BTC-USD" -> "BTC" sep "USD"; see venue_native).
 * url: writes the WebSocket URL to connect to (base is --url or
 * default_url); NULL connects to base as it is.  on_open: the connection is up: reset per
 * connection state, send subscriptions.  on_msg: one text message.
 * on_tick: about once a second while connected (keepalive pings).
 * resync: the book of s was discarded; ask the venue for a fresh one.
 * on_rest: a REST snapshot answer for s (status 0: failed).
 */
struct venue_ops {
	const char	*name;
	unsigned	 id;
	const char	*default_url;
	const char	*default_rest_url;	/* NULL: no REST */
	const char	*default_symbols;
	size_t		 default_depth;
	const char	*native_sep;
	void		(*url)(struct feed *f, const char *base, char *out,
			    size_t len);
	void		(*on_open)(struct feed *f);
	void		(*on_msg)(struct feed *f, const char *data, size_t len,
			    int64_t recv);
	void		(*on_tick)(struct feed *f, int64_t mono);
	void		(*resync)(struct feed *f, struct fsym *s);
	void		(*on_rest)(struct feed *f, struct fsym *s, int status,
			    const char *body, size_t len, int64_t recv);
};

extern const struct venue_ops venue_coinbase, venue_kraken, venue_binance,
    venue_bybit, venue_okx;

/*
 * kraken_checksum: Kraken v2's book checksum of b: CRC32 of the top 10
 * asks (low to high) then the top 10 bids (high to low), each level as
 * price then quantity text with the point and leading zeros removed.
 */
uint32_t	kraken_checksum(const struct book *b);

/*
 * kraken_verify: 1 (the default) checks every Kraken book message's
 * checksum; 0 skips the check, for bench/venues -C only: the peers it is
 * compared with (tardis-dev) verify none.
 */
extern int	kraken_verify;

/* venue_find: the adapter called name, or NULL. */
const struct venue_ops	*venue_find(const char *name, size_t len);

struct feed {
	const struct venue_ops	*ops;
	struct collector	*c;
	struct fsym		*syms;
	size_t			 nsyms;
	size_t			 depth;		/* the window: --depth or default */
	char			 url[FEED_URL_MAX];	/* --url base */
	char			 rest_url[FEED_URL_MAX];
	/* connection state, kept by live.c */
	void			*net;		/* live.c's private part */
	int			 connected;
	int64_t			 last_data;	/* mono ns of the last data message */
	int64_t			 last_send;	/* mono ns of our last message */
	int64_t			 last_rx;	/* mono ns of the last message */
	/* per connection venue state */
	uint64_t		 conn_seq;	/* Coinbase sequence_num */
	int			 have_conn_seq;
	int64_t			 resub_at;	/* mono ns of the last resubscribe */
	int			 resub_due;	/* a resubscribe is to be sent */
	/* counters */
	uint64_t		 msgs, data, malformed, resyncs, reconnects;
	uint64_t		 ignored, refetches;
	uint64_t		 unknown;	/* messages of kinds not known */
	struct ratelog		 malformed_log;	/* feed_malformed's lines */
};

/* ---- implemented in live.c: the network side ---- */

/*
 * venue_ms_ns: a venue's time v in ms (a number or a numeric string) in
 * ns; recv if v is absent, not positive or too large: a book message
 * without the venue's time is stamped with its receive time, as Kraken's
 * snapshots, which carry none, are (collector(1) VENUES).
 */
int64_t	venue_ms_ns(struct jv v, int64_t recv);

/* feed_send: sends one text message (ignored when not connected). */
void	feed_send(struct feed *f, const char *text);

/*
 * feed_reconnect: drops the connection (status disconnected with why)
 * and connects again after a short delay, without backoff growth.
 */
void	feed_reconnect(struct feed *f, const char *why);

/*
 * feed_rest_request: queues a REST snapshot GET of url for s; the answer
 * goes to ops->on_rest.  Requests of a feed run one at a time, spaced
 * out, and obey Retry-After.  Returns 0 or -1.
 */
int	feed_rest_request(struct feed *f, struct fsym *s, const char *url,
	    int64_t delay_ns);

/* ---- implemented in venue.c: shared by the adapters ---- */

/* feed_data: a data (book or trade) message arrived: feeds the watchdog. */
void	feed_data(struct feed *f);

/*
 * feed_malformed: counts a message the adapter could not use and logs
 * it, at most 5 lines per 10 s per feed.
 */
void	feed_malformed(struct feed *f, const char *why, const char *data,
	    size_t len);

/*
 * feed_unknown: a message of a kind the adapter did not subscribe to or
 * does not know; kind is the JSON value that names it (a channel, an
 * event, a topic: its text up to the first '.').  Counts it in
 * f->unknown and, the first time this venue sends this kind, says so on
 * standard error with the start of the message; later ones are only
 * counted.
 */
void	feed_unknown(struct feed *f, struct jv kind, const char *data,
	    size_t len);

/*
 * feed_unsubscribed: a message of a known kind but of a topic the adapter
 * did not subscribe to (Bybit's orderbook.200.X on an orderbook.50.X
 * subscription: another stream, whose update ids are not the book's).
 * As feed_unknown, counted in f->unknown and said once, but per whole
 * topic (its first 63 bytes).
 */
void	feed_unsubscribed(struct feed *f, struct jv topic, const char *data,
	    size_t len);

/*
 * feed_resync: integrity failure on s: writes status resync with reason,
 * counts it, discards the book and calls ops->resync.
 */
void	feed_resync(struct feed *f, struct fsym *s, const char *reason);

/*
 * feed_resync_all: feed_resync of every synced book: a message that may
 * have been about any of them was lost (a sequence gap of the whole
 * connection, a book message that does not say whose it is).
 */
void	feed_resync_all(struct feed *f, const char *reason);

/* feed_sym: the symbol whose native name is native[0..len), or NULL. */
struct fsym	*feed_sym(struct feed *f, const char *native, size_t len);

/*
 * The published window (collector(1) --depth): each book is kept whole, as
 * the venue sends it, and only its best f->depth levels a side (all if 0)
 * are published, so that after every venue message a reader's book equals
 * the top of the collector's (tickpipe-json(5)).
 *
 * feed_emit_book: publishes the window of s as a book_snapshot (or, past
 * its horizon, resyncs it: see venue_horizon).  Unless
 * periodic (a repeat of a book already published), a book deeper than the
 * window is said in a status info record and counted (truncated).
 */
void	feed_emit_book(struct feed *f, struct fsym *s, int64_t ts,
	    int64_t recv, int periodic);

/*
 * A venue update message of s is published as one book_delta of what it
 * changed in the window: venue_delta_begin (header fields as msg_begin)
 * before its levels, each applied with venue_level(..., emit 1) (or the
 * j/jv forms) and cut with venue_truncate(..., emit 1), then
 * venue_delta_end.  The delta holds, best first, every level that changed
 * inside the window, every level that left it (quantity 0: removed, or
 * pushed out by a better one) and every level that came into it (its
 * quantity: a better one went).  A level outside the window before and
 * after publishes nothing, and a message that changed nothing in it
 * publishes no delta at all.  A change set too big for one message is
 * published as a book_snapshot of the window instead.  Without
 * venue_delta_end (a malformed message, a failed check) nothing is
 * published; the next venue_delta_begin starts afresh.  Between the two,
 * the book of s changes only through those emitting calls, and a feed's
 * book keeps no depth of its own (book_init with max_depth 0):
 * venue_delta_end takes the last level noted at a price as what the book
 * holds there, without searching it.
 */
void	venue_delta_begin(struct feed *f, struct fsym *s, int64_t ts,
	    int64_t recv, uint64_t vseq);
void	venue_delta_end(struct feed *f, struct fsym *s);

/*
 * venue_truncate: drops the levels of one side of s beyond depth (a venue
 * that keeps only so many and sends no removal for those pushed out);
 * with emit, they count as removed in the current delta.
 */
void	venue_truncate(struct fsym *s, int ask, size_t depth, int emit);

/*
 * venue_horizon: s's book was just replaced by venue_rest_jlevels(s,
 * sides, n) from a REST snapshot that asked for limit levels a side
 * (Binance); n: the levels of each side the body held.  A side that came
 * back with limit levels is known only down to its worst one, the
 * horizon: what lies beyond it is unknown, and levels the venue names
 * there later are known only one by one, not what lies between them.
 * The window (--depth) must then lie at or better than the horizon: when
 * fewer than f->depth levels of a side do (a window of depth 0 never
 * does), feed_emit_book and venue_delta_end publish nothing and resync
 * the book (feed_resync, which clears the horizon) with the reason.  A
 * side that came back shorter is whole and has no horizon.
 */
void	venue_horizon(struct fsym *s, size_t limit, const size_t n[2]);

/*
 * feed_emit_trade: publishes one trade (tid[0..tidlen), cut to the
 * record's field); one whose price or quantity is not a decimal above 0
 * is counted and logged as malformed (feed_malformed) instead.
 */
void	feed_emit_trade(struct feed *f, struct fsym *s, int64_t ts,
	    int64_t recv, const char *price, size_t plen, const char *qty,
	    size_t qlen, unsigned side, const char *tid, size_t tidlen,
	    uint64_t vseq);

/* feed_jsym: the symbol whose native name is the JSON string v, or NULL. */
struct fsym	*feed_jsym(struct feed *f, struct jv v);

/*
 * venue_level: parses one level (price and quantity text), applies it to
 * the book of s and, if emit, notes it for venue_delta_end.  Returns 0, or
 * -1 if the text is not a decimal or memory ran out.
 */
int	venue_level(struct fsym *s, int ask, const char *p, size_t plen,
	    const char *q, size_t qlen, int emit);

/* venue_jlevel: the same from two JSON strings (jansson values). */
int	venue_jlevel(struct fsym *s, int ask, json_t *p, json_t *q, int emit);

/*
 * venue_jvlevel: the same from two scanned JSON values: strings, or also
 * numbers (their exact text) if nums.
 */
int	venue_jvlevel(struct fsym *s, int ask, struct jv p, struct jv q,
	    int nums, int emit);

/*
 * venue_pick: checks a venue message as jt_parse does and reads the
 * members ns names (prepared once a call site: jt_names_once) of its
 * top object into k (jt_pick: one pass where jt_parse and jt_get took
 * two).  A message that is valid JSON but no
 * object gets every member absent, as jt_get gave it.  Returns 0, or -1
 * after counting the message malformed ("not JSON").
 */
int	venue_pick(struct feed *f, const char *data, size_t len,
	    const struct jt_names *ns, struct jv *k);

/*
 * jv_dec: the decimal text of v (a string's content, or a number's text
 * if nums) in *t and *n, using buf (cap bytes) for escaped strings.
 * Returns 0 or -1.
 */
int	jv_dec(struct jv v, int nums, char *buf, size_t cap, const char **t,
	    size_t *n);

/* feed_clear_pend: drops the buffered updates of s. */
void	feed_clear_pend(struct fsym *s);

/*
 * feed_pend_add: holds back text[0..len), an update of s covering ids
 * first to last (Binance's U and u, OKX's prevSeqId and seqId).  Past
 * FEED_PEND_MAX or FEED_PEND_BYTES it first resyncs s (feed_resync: a
 * status resync saying which cap, the buffer dropped), then begins the
 * buffer anew with this update.  Returns 0, or -1 after counting it
 * malformed ("out of memory").
 */
int	feed_pend_add(struct feed *f, struct fsym *s, const char *text,
	    size_t len, uint64_t first, uint64_t last);

/* Scratch message buffer for the adapters (one thread). */
extern struct msgbuf	venue_msg;

/* ---- JSON helpers (messages are read with json.h) ---- */

/*
 * venue_json_init: makes jansson allocate from a per-message arena (see
 * venue.c).  Strings from json_dumps are then freed with jfree().
 */
void	venue_json_init(void);
void	jfree(void *p);

/*
 * VENUE_ID_MAX: the largest venue id or sequence number taken (update
 * ids, sequence numbers, trade ids), 2^63 - 1: a record's vseq and aux
 * are integers no larger (tickpipe-json(5)), and readers skip a record
 * with one above.  A venue message with a larger one is malformed
 * (collector(1) VENUES).
 */
#define VENUE_ID_MAX	((uint64_t)INT64_MAX)

/*
 * jv_id: an id from a JSON integer or a string of digits (jt_u64), at
 * most VENUE_ID_MAX.  Returns 0, or -1 leaving *out as it was.
 */
int	jv_id(struct jv v, uint64_t *out);

/* ju64: jv_id of a jansson value. */
int	ju64(json_t *v, uint64_t *out);

/*
 * rfc3339_ns: "2023-02-09T20:32:50.714964855Z" (s[0..len)) -> ns since
 * the epoch, or -1 (also for a year before 1970 or after 2261, whose ns
 * do not fit).
 */
int64_t	rfc3339_ns(const char *s, size_t len);

/* jv_time: rfc3339_ns of the JSON string v, or -1. */
int64_t	jv_time(struct jv v);

/*
 * venue_native: the venue's name for the normalized symbol BASE-QUOTE:
 * base, ops->native_sep, quote (the quote is taken literally).  Returns 0,
 * or -1 if sym is not BASE-QUOTE or the name does not fit in len bytes.
 */
int	venue_native(const struct venue_ops *ops, const char *sym, char *out,
	    size_t len);

/*
 * venue_rest_levels: replaces the book of s with the levels of a REST
 * snapshot, sides[0] bids and sides[1] asks, each a JSON array of
 * ["price","qty",...] arrays.  Returns 0, or -1 on a level that is not
 * two decimal strings, leaving the book empty.
 */
int	venue_rest_levels(struct fsym *s, json_t *sides[2]);

/*
 * venue_rest_jlevels: venue_rest_levels for a body read by the scanner
 * (json.h): sides[0] bids, sides[1] asks, arrays of [price, qty] string
 * pairs; on success n[0] and n[1] are the levels each held.  The scanner
 * reads a deep snapshot several times faster than jansson builds it.
 */
int	venue_rest_jlevels(struct fsym *s, const struct jv sides[2],
	    size_t n[2]);

#endif
