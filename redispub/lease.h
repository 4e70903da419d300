/*
 * lease.h: --lease, leadership of a standby pair of pipelines held by a
 * Redis lease (redispub(1), tickpipe(7) "Standby").  Two redispubs, each
 * fed by its own collector on the same venues, share one Redis and one
 * key; the one that holds the key publishes, the other reads its input
 * and drops it (it runs warm: its collector connected, its books built)
 * until the key is free.  Nothing is read before Redis has answered the
 * first SET NX (lease_decided): until then neither is the standby, and
 * a leader would drop what it read before it knew.  The key is taken with SET key value NX PX ms
 * and kept by renewing it every ms / 3 while its value is still ours (a
 * compare-and-PEXPIRE script); nothing else decides who leads.
 *
 * A leader steps down when a renewal is refused, or when ms - ms / 10
 * have passed since the last renewal it sent that Redis accepted (it can
 * no longer know that it still holds the key); what it still holds is
 * then dropped, not published.  Lease commands ride on the connection as
 * units of the outbox (OUTBOX_UNIT_LEASE).
 */
#ifndef TP_LEASE_H
#define TP_LEASE_H

#include <stdint.h>

#include "outbox.h"
#include "resp.h"
#include "route.h"

#define LEASE_VENUES	64	/* venues told of a takeover, at most */

struct lease {
	const char	*key;		/* NULL: no --lease, always lead */
	int64_t		ms;
	char		value[96];	/* host:pid:random */

	int		leader;
	int		decided;	/* a SET NX or renewal answered */
	int		refused;	/* the last one answered an error */
	int		in_flight;	/* a lease command awaits its reply */
	int64_t		sent_at;	/* ns, of the command in flight */
	int64_t		next_at;	/* ns, the next command is due */
	int64_t		held_until;	/* ns, leader: last proof + ms */
	uint64_t	skipped;	/* lines dropped while standing by */
	uint64_t	next_seq;	/* the ring sequence after the last */
	uint64_t	takeovers;
	int		nvenues;
	int		venues_over;	/* more venues read than fit */
	char		venues[LEASE_VENUES][ROUTE_NAME_MAX + 1];
};

/* lease_init: --lease key for ms milliseconds (key NULL: none). */
void	lease_init(struct lease *ls, const char *key, int64_t ms);

/* lease_may_publish: this process leads (or has no --lease). */
static inline int
lease_may_publish(const struct lease *ls)
{
	return ls->key == NULL || ls->leader;
}

/*
 * lease_decided: this process knows whether it leads (or has no
 * --lease): a lease command has been answered, so lines may be read.
 */
static inline int
lease_decided(const struct lease *ls)
{
	return ls->key == NULL || ls->decided;
}

/*
 * lease_skip: a line read while standing by, checked and routed by
 * route_line (a malformed one is not skipped here but counted as
 * malformed, as a leader's): notes its seq (0: none), at most 2^63 - 1
 * as route_line checked, and its venue[0..n) (NULL: none, as of a gap
 * line) for the takeover announcement; new_ring: the line is a gap after
 * which a new ring begins, and seq starts again (tickpipe-json(5)).
 * Nothing here reads the line: one scanner, route_line's, says what its
 * seq and venue are.
 */
void	lease_skip(struct lease *ls, uint64_t seq, int new_ring,
	    const char *venue, size_t n);

/*
 * lease_tick: at time now, with the connection ready (ready): appends the
 * next SET NX or renewal to out with its unit, when due.  Returns -1 if
 * the leader must step down (its lease may have expired), else 0.
 */
int	lease_tick(struct lease *ls, int ready, struct outbox *ob,
	    struct resp_buf *out, int64_t now);

/*
 * lease_reply: the reply to the lease command in flight.  Returns 1 if
 * this process has just become the leader, -1 if it has just lost the
 * lease, 2 if this first answer says that another holds it, else 0 (an
 * error reply too: see refused).
 */
int	lease_reply(struct lease *ls, const struct resp_reply *rep);

/* lease_conn_lost: the command in flight, if any, has no reply coming. */
void	lease_conn_lost(struct lease *ls);

/* lease_next_timer: when lease_tick has something to do. */
int64_t	lease_next_timer(const struct lease *ls);

#endif
