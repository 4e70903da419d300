/*
 * client.h: wsgate's connections (client.c): struct server holds them
 * all, from accept to close; each one is HTTP first and then, for /ws,
 * a WebSocket client of the hub.
 */
#ifndef WSGATE_CLIENT_H
#define WSGATE_CLIENT_H

#include <stdint.h>

#include <event2/event.h>

#include "conf.h"
#include "hub.h"
#include "metrics.h"
#include "ratelog.h"

/* a repeated log line (refused connections, closes) is said this often */
#define WSGATE_LOG_EVERY_NS	(10 * 1000000000LL)

struct client;

struct server {
	struct event_base	*base;
	const struct wsgate_conf *conf;
	struct wsgate_stats	*st;
	struct hub		*hub;
	int64_t			 t0;	/* mono ns at start, for uptime */
	struct client		*clients;
	unsigned		 nws;	/* WebSocket clients */
	unsigned		 nconn;	/* all connections */
	struct client		*dirty;		/* to flush, by dnext */
	struct client		*graveyard;	/* to free, by dnext */
	struct event		*flush_ev;
	int			 stopping;
	uint64_t		 next_id;
	struct ratelog		 close_log;
};

int	server_init(struct server *, struct event_base *,
	    const struct wsgate_conf *, struct wsgate_stats *, struct hub *);
void	server_accept(struct server *, int fd, const char *addr);
void	server_tick(struct server *, int64_t now);
void	server_ping_all(struct server *);
void	server_shutdown(struct server *);
void	server_close(struct server *);

#endif
