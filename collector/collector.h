/*
 * collector.h: what the collector's feeds share: the ring writer, message
 * building (one exchange message -> one or more records), counters, and
 * periodic snapshots from the books the collector keeps.
 *
 * Every feed (sim, jsonl, replay, and the live venues in live.c) turns its
 * input into records and hands them to collector_emit().  Feeds never
 * write the ring directly.
 */
#ifndef TP_COLLECTOR_H
#define TP_COLLECTOR_H

#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "book.h"
#include "jsonl.h"
#include "record.h"
#include "ring.h"

struct collector {
	struct ring	*ring;
	const char	*prog;
	int		 verbose;
	int		 ready_fd;		/* -d FD, -1 if none */
	int64_t		 snapshot_interval_ns;	/* 0: no periodic snapshots */
	/* counters, printed on SIGUSR1 and at exit */
	uint64_t	 msgs;			/* messages emitted */
	uint64_t	 records;		/* records written */
	uint64_t	 trades, books, statuses;
	uint64_t	 rejected;		/* bad input, skipped */
	uint64_t	 snapshots;		/* periodic snapshots emitted */
	uint64_t	 resyncs;
	uint64_t	 truncated;		/* books deeper than --depth */
};

/* Set by the signal handlers; feeds poll them. */
extern volatile sig_atomic_t collector_stop;	/* SIGTERM / SIGINT */
extern volatile sig_atomic_t collector_usr1;	/* SIGUSR1 */

/*
 * collector_emit: writes one message, recs[0..n), to the ring.  Fills
 * recv with the current time where it is 0.  Counts it.  If the ring
 * was lost (truncated, removed: ring_lost), recreates it, writes the
 * message into the new one and announces it with a status record "info"
 * to every venue written so far; if it cannot, sets collector_ring_err
 * and collector_stop.  collector_poll_signals recovers an idle writer.
 */
void	collector_emit(struct collector *c, struct tp_record *recs, size_t n);

/* collector_ring_note: queues such an announcement with this reason. */
void	collector_ring_note(const char *reason);
extern int collector_ring_err;	/* enum ring_err that stopped it, or 0 */

/*
 * collector_status: writes one status record (code from enum rec_status)
 * for venue and symbol (symbol may be NULL or "").
 */
void	collector_status(struct collector *c, unsigned venue,
	    const char *symbol, unsigned code, const char *reason);

/* collector_counters: prints one line of counters to stderr. */
void	collector_counters(struct collector *c);

/*
 * collector_poll_signals: handles a pending SIGUSR1 (counters) and a
 * lost ring, and returns 1 if the collector should stop.
 */
int	collector_poll_signals(struct collector *c);

/*
 * Building a message of book levels: msg_begin with the header fields,
 * then every bid (best first), then every ask (best first), then msg_end,
 * which sets START/LAST/SNAPSHOT flags and returns the record count.
 * A message holds at most JSONL_MAX_RECS * REC_BOOK_LEVELS levels; more
 * are dropped and msg_add returns -1.
 */
struct msgbuf {
	struct tp_record	recs[JSONL_MAX_RECS];
	size_t			nlev;
	int			snapshot;
	int			asks;	/* an ask was added: no more bids */
};

void	msg_begin(struct msgbuf *m, unsigned venue, const char *symbol,
	    int snapshot, int64_t ts, int64_t recv, uint64_t vseq);
int	msg_add(struct msgbuf *m, int ask, int64_t price, int8_t price_exp,
	    int64_t qty, int8_t qty_exp);
size_t	msg_end(struct msgbuf *m);

/*
 * msg_from_book: builds a full snapshot message of book b (all levels,
 * or the best depth levels a side if depth != 0) into m; returns the
 * record count.
 */
size_t	msg_from_book(struct msgbuf *m, const struct book *b, unsigned venue,
	    const char *symbol, int64_t ts, uint64_t vseq, size_t depth);

/*
 * The live venue feeds (live.c and the venue files) plug into main.c's
 * single getopt_long pass through these:
 * live_longopts: their long options, terminated by a zero entry; their
 *   `val` fields are >= 1000 so they never clash with main.c's.
 * live_opt: handles one of them; returns 0, or -1 after printing why the
 *   argument is bad (main then exits 64).
 * live_usage: the lines they add to the usage message.
 * live_is_feed: 1 if a feed argument names a venue ("coinbase",
 *   "kraken:BTC-USD,ETH-USD", ...).
 * live_check: the feed arguments and their symbols checked, and the TLS
 *   context made (--ca-file read), before the ring is opened; returns 0
 *   or an exit status after saying why.
 * live_main: runs the live feeds named by feeds[0..nfeeds) with the
 *   symbols from --symbols (NULL if not given) until collector_stop;
 *   returns an exit status (sysexits.h).
 */

extern const struct option live_longopts[];
extern const char live_usage[];
int	live_opt(int ch, const char *arg);
int	live_is_feed(const char *name);
int	live_check(struct collector *c, char **feeds, int nfeeds,
	    const char *symbols);
int	live_main(struct collector *c, char **feeds, int nfeeds,
	    const char *symbols);

#endif
