/*
 * conflate.h: conflation (conflate.c): one conflator per channel and
 * rate (max_hz, wsgate(1)), shared by every client that asked for that
 * rate.  It takes each message of its channel and, at most max_hz times
 * a second and only while something changed, makes one frame for all of
 * its clients: a merged book delta or a snapshot, a batch of trades, or
 * the latest line.  It knows no client and no Redis: the hub feeds it
 * and gets its frames through the emit callback given to cfl_new.
 */
#ifndef WSGATE_CONFLATE_H
#define WSGATE_CONFLATE_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "frame.h"
#include "metrics.h"

#define CFL_HZ_MAX	1000

struct cfl;

/* What a channel carries, by its name (tickpipe(7)). */
enum cfl_kind {
	CFL_BOOK,	/* ....book: snapshots and deltas */
	CFL_TRADE,	/* ....trade: every line counts */
	CFL_LATEST,	/* quote, topN-Tms, bar-I, xbest: the last line */
	CFL_OTHER	/* anything else: batched like trades */
};

/*
 * A conflator's source: CFL_WAIT has no book (a book channel waits for
 * a snapshot: its keys or a live one), CFL_READING holds live lines
 * while the hub reads the channel's keys, CFL_LIVE sends.
 */
enum cfl_state { CFL_WAIT, CFL_READING, CFL_LIVE };

/*
 * How emit's frame goes out: CFL_TICK, a tick's frame for the clients
 * already in step (one that joined gets cfl_join_frame instead);
 * CFL_FULL, a frame that brings every client to the latest state
 * (snapshot, latest line); CFL_PASS, a line on a book channel that is
 * neither snapshot nor delta, passed on as it came; CFL_INVALID, the book
 * is lost until the next snapshot (a loss line, frame_loss, or a message
 * that does not apply), f an empty FRAME_LOSS carrying why in f->loss.  f may be NULL on a tick that only serves
 * joiners.
 */
enum cfl_how { CFL_TICK, CFL_FULL, CFL_PASS, CFL_INVALID };

typedef void	cfl_emit_fn(void *arg, struct cfl *, struct frame *f,
		    enum cfl_how);

enum cfl_kind	 cfl_kind_of(const char *chan, size_t len);
int		 cfl_latest_channel(const char *chan, size_t len);

struct cfl	*cfl_new(struct event_base *, struct wsgate_stats *,
		    const char *chan, size_t len, unsigned hz, cfl_emit_fn *,
		    void *arg);
void		 cfl_close(struct cfl *);
struct cfl	*cfl_ref(struct cfl *);
void		 cfl_unref(struct cfl *);
int		 cfl_closed(const struct cfl *);

unsigned	 cfl_hz(const struct cfl *);
enum cfl_kind	 cfl_kind(const struct cfl *);
enum cfl_state	 cfl_state(const struct cfl *);
const char	*cfl_channel(const struct cfl *, size_t *lenp);

void		 cfl_feed(struct cfl *, const char *line, size_t len);
uint64_t	 cfl_hold(struct cfl *);
int		 cfl_reading(const struct cfl *, uint64_t read);
void		 cfl_replay(struct cfl *, const char *line, size_t len);
void		 cfl_live(struct cfl *);
void		 cfl_reset(struct cfl *);
void		 cfl_poke(struct cfl *);
struct frame	*cfl_join_frame(struct cfl *);

#endif
