/*
 * stats.h: redispub's counters (redispub(1)), their two renderings (a
 * line on standard error; the statistics object stored and published in
 * Redis) and the log of per-line messages, which is rate limited so that
 * a flood of bad lines cannot flood the log.
 *
 * At any time lines = published + dropped + malformed + buffered, where
 * buffered is the outbox's count.
 */
#ifndef TP_STATS_H
#define TP_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "lathist.h"
#include "outbox.h"
#include "ratelog.h"
#include "resp.h"

#define STATS_LOG_PER_SEC	20	/* malformed/refused line messages */

struct stats {
	/* last_seq and last_recv: of what Redis acknowledged */
	uint64_t	lines, published, malformed, dropped, reconnects;
	uint64_t	redis_errors, last_seq, last_recv;
	uint64_t	standby;	/* --lease: read while another led,
					   and dropped; not in lines */

	/*
	 * The per-hop latencies of the lines with a "recv" stamp
	 * (redispub(1) STATISTICS): lat_read, read(2) - recv, the way
	 * through the ring, shmreader and the pipe; lat_send, written to
	 * Redis - read, this process's own residence, batching included.
	 */
	struct lathist	lat_read, lat_send;

	struct ratelog	log;		/* the per-line log */
};

/* stats_init: counters at 0, the per-line log not used yet. */
void	stats_init(struct stats *st);

/*
 * stats_log_line: logs one per-line message (warnx), at most
 * STATS_LOG_PER_SEC a second; how many were held back is said when the
 * next second logs, or at the next print.
 */
void	stats_log_line(struct stats *st, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * stats_lineno: the number of the input line read last, counting from 1
 * the lines read while standing by (standby), which lines leaves out.
 */
#define stats_lineno(st)	((st)->lines + (st)->standby)

/* stats_malformed: input line stats_lineno(st) was skipped for why. */
void	stats_malformed(struct stats *st, const char *why);

/*
 * stats_acked: message m has left the outbox: its seq and recv may be
 * the new resume point (the outbox leaves in input order, so every line
 * before m has been acknowledged or dropped).  After a gap line that
 * says a new ring begins, seq starts again: so does last_seq, from the
 * next line's (the old ring's would be no resume point in the new one).
 */
static inline void
stats_acked(struct stats *st, const struct outbox_msg *m)
{
	if (m->loss == OB_LOSS_NEW_RING)
		st->last_seq = 0;
	if (m->seq > st->last_seq)
		st->last_seq = m->seq;
	if (m->recv > st->last_recv)
		st->last_recv = m->recv;
}

/*
 * stats_read: message h, whose line came in the read at rd (wall clock
 * ns), is being taken: its input latency is recorded and h->rd set, if
 * the line had a recv stamp (else neither: such lines are not timed).
 */
static inline void
stats_read(struct stats *st, struct outbox_msg *h, int64_t rd)
{
	h->rd = h->recv > 0 && rd > 0 ? rd : 0;
	if (h->rd != 0)
		lathist_add(&st->lat_read, rd - (int64_t)h->recv);
}

/*
 * stats_sent: the n messages from position from have just been written
 * to Redis: the residence of each one timed records now - its read time,
 * once (a message sent again after a reconnection is not timed again).
 */
void	stats_sent(struct stats *st, struct outbox_pos from, uint64_t n);

/* stats_print: "redispub: what: lines=N ..." on standard error. */
void	stats_print(struct stats *st, const struct outbox *ob,
	    const char *what);

/*
 * stats_send: SET (once this process has a last_seq of its own, see
 * stats.c) and PUBLISH the statistics object on key (PREFIX.tickpipe.stats,
 * or PREFIX.tickpipe.NAME.stats with --name NAME), appended to out, with
 * its unit in ob.  Returns 0, or -1 (nothing sent) when the outbox has
 * no room for another unit.
 */
int	stats_send(const struct stats *st, struct outbox *ob,
	    struct resp_buf *out, const char *key, size_t key_len);

#endif
