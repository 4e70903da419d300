/*
 * route.h: which channel a line goes to (tickpipe(7)).  A line's "type",
 * "venue" and "symbol" name its channel: PREFIX.VENUE.SYMBOL.trade,
 * PREFIX.VENUE.SYMBOL.book (snapshots and deltas), PREFIX.VENUE.status,
 * PREFIX.gap (PREFIX.NAME.gap with --name NAME), and for the derived
 * types PREFIX.VENUE.SYMBOL.quote, .top{N}-{T}ms, .bar-{I} and .xbest.
 * The router checks the line, names the channel and keeps
 * the table of channels seen, each with the state of its late-joiner
 * keys on the current connection (kept by batch.c).
 */
#ifndef TP_ROUTE_H
#define TP_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "outbox.h"

#define ROUTE_PREFIX_MAX	64
#define ROUTE_NAME_MAX		64	/* venue, symbol */
#define ROUTE_CHAN_MAX		(1u << 20)

/* message types, from "type" */
enum route_type {
	ROUTE_TRADE, ROUTE_SNAPSHOT, ROUTE_DELTA, ROUTE_STATUS, ROUTE_GAP,
	ROUTE_QUOTE, ROUTE_TOP, ROUTE_BAR, ROUTE_XBEST	/* latest-value: C.last */
};


struct route_chan {
	char		*name;
	uint32_t	len;
	uint32_t	hash;

	/* the late-joiner keys on this connection (batch.c) */
	uint8_t		announced;	/* SADDed to PREFIX.channels */
	uint8_t		snap_ok;	/* snapshot set */
	uint8_t		cleared;	/* keys deleted */
	uint8_t		keyed;		/* cluster: has late-joiner keys */
	uint8_t		marked;		/* cluster: {C}.owner written */
	uint64_t	ndeltas;	/* APPENDed since the snapshot */
	uint64_t	batch;		/* batch of the open APPEND group */
	uint32_t	gfirst, glast;	/* its first and last member */
};

/* The channels: a vector and an open-addressing index into it. */
struct router {
	const char		*prefix;
	size_t			prefix_len;
	const char		*name;		/* --name, or NULL */
	struct route_chan	*chans;
	uint32_t		nchans, chancap;
	uint32_t		*idx;		/* index + 1; 0 empty */
	uint32_t		idx_mask;
	struct route_memo	*memo;		/* route.c */
};

/*
 * route_prefix_ok: prefix is 1 to 64 of A-Z a-z 0-9 - _ . : / (so that
 * channel names and patterns stay unambiguous).
 */
int	route_prefix_ok(const char *prefix);

/* route_name_ok: a --name: 1 to 32 of a-z 0-9 - _. */
int	route_name_ok(const char *name);

/*
 * route_init: a router with no channels, for names starting with prefix
 * (which must outlive it and pass route_prefix_ok), and name (NULL, or
 * passing route_name_ok) for the gap channel.  Exits 71 if out of
 * memory.
 */
void	route_init(struct router *rt, const char *prefix, const char *name);

/* route_free: frees the table of channels. */
void	route_free(struct router *rt);

/*
 * route_line: checks line[0..len) (one JSON object, tickpipe-json(5),
 * with a known "type" and the "venue" and "symbol" it needs) and finds or
 * adds its channel.  Returns 0 and fills h's type, chan, seq and recv,
 * and its loss and book for a status that ends book keys (batch.c); or
 * -1 with the reason in why (the line is malformed, or the table is
 * full).  Exits 71 if out of memory.
 */
int	route_line(struct router *rt, const char *line, size_t len,
	    struct outbox_msg *h, char *why, size_t whylen);

/*
 * route_venue: the venue of message h, which route_line routed: its
 * channel's name from after the prefix to the next dot (a venue holds
 * none), its length in *n; NULL for a gap line, which has no venue.
 */
const char	*route_venue(const struct router *rt,
		    const struct outbox_msg *h, size_t *n);

/*
 * route_new_connection: a new connection may be to another Redis: no
 * channel is announced, nor has keys to trust, until sent again.
 */
void	route_new_connection(struct router *rt);

#endif
