/*
 * hub.h: wsgate's Redis side (hub.c): the two Redis connections, the
 * subscriptions shared by all clients, the fan-out of each message, and
 * the late joiners' reads.  The hub knows no client: the layer above
 * gives each one a struct hub_peer, with the callbacks through which the
 * hub reaches it.
 */
#ifndef WSGATE_HUB_H
#define WSGATE_HUB_H

#include <stddef.h>

#include <event2/event.h>
#include <jansson.h>

#include "conf.h"
#include "frame.h"
#include "metrics.h"

/* subscribe requests of one client waiting for their answer, at most */
#define HUB_WAITING_MAX	64
/*
 * (un)subscribes waiting for Redis's answer, the oldest for HUB_STALL_MS,
 * past which a channel new to the hub is refused: while Redis holds
 * still, a client subscribing and unsubscribing ever new names would
 * queue commands without end
 */
#define HUB_INFLIGHT_MAX	65536
#define HUB_STALL_MS		1000

struct hub;
struct hub_peer;

/*
 * What the hub may do to a client: arg is the pointer given to
 * hub_peer_new.  None of them is called after hub_peer_drop.
 */
struct hub_peer_cbs {
	/* a data message: queue f (taking a reference) or count it dropped */
	void	(*deliver)(void *arg, struct frame *f);
	/* a gateway message ({"type":"gateway"|"book_invalid"|"channels"}):
	 * queue f if the client is open and not being closed */
	void	(*notice)(void *arg, struct frame *f);
	/* an error reply ({"type":"error","reason":...}) */
	void	(*error)(void *arg, const char *reason);
	/* close the client with code: 1011 out of memory, 1008 a limit */
	void	(*fail)(void *arg, int code, const char *reason);
	/* 1 while the client takes messages (WebSocket open) */
	int	(*open)(void *arg);
	/* history bytes queued to the client and not yet written */
	size_t	(*history)(void *arg);
	/* other bytes queued to the client and not yet written, as they
	 * count against --output-cap (its largest message left out) */
	size_t	(*queued)(void *arg);
};

struct hub	*hub_new(struct event_base *, const struct wsgate_conf *,
		    struct wsgate_stats *, void (*connected)(void *),
		    void *arg);
void		 hub_close(struct hub *);
void		 hub_free(struct hub *);
int		 hub_redis_up(const struct hub *);
int		 hub_both_connected(const struct hub *);
unsigned	 hub_nsubs(const struct hub *);
void		 hub_tick(struct hub *, int64_t now);

struct hub_peer	*hub_peer_new(struct hub *, const struct hub_peer_cbs *,
		    void *arg);
void		 hub_peer_drop(struct hub_peer *);
void		 hub_peer_drained(struct hub_peer *);
int		 hub_subscribe(struct hub_peer *, const char *name,
		    size_t len, unsigned hz, char *msg, size_t msglen);
void		 hub_subscribed(struct hub_peer *, json_t *channels);
unsigned	 hub_waiting(const struct hub_peer *);
unsigned	 hub_redis_nodes(const struct hub *);
int		 hub_peer_behind(struct hub_peer *, int *all);
int		 hub_unsubscribe(struct hub_peer *, const char *name,
		    size_t len);
int		 hub_channels(struct hub_peer *);

#endif
