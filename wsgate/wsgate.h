/*
 * wsgate.h: the WebSocket fan-out gateway, Redis pub/sub to browsers
 * (wsgate(1)), and the map of its layers.  Each file calls only the
 * files below it; nothing calls back up by name, and no state is global:
 * each layer gets its state as an argument (libevent and hiredis
 * callbacks through their argument).
 *
 *   main.c       options, listener, signals, tick, readiness: struct wsgate
 *     |
 *   client.c     the connections (struct server): read a head, send the
 *     |          response, then WebSocket frames and the client protocol
 *     +--------------------+
 *   http.c               hub.c     Redis, subscriptions, fan-out, late
 *     |  the routes:       |       joiners; reaches each client only
 *     |  head in,          |       through the callbacks of its struct
 *     |  response out      |       hub_peer (set by client.c)
 *     |                    |
 *     |                  conflate.c  conflators, one per channel and
 *     |                    |         max_hz: a book, trades or the
 *     |                    |         latest line, framed once per tick
 *   httphead.c  upgrade.c  metrics.c  frame.c  glob.c
 *     pure: the HTTP head parser, the WebSocket handshake, the /metrics
 *     text, frames and output queues, glob matching, rate-limited logs
 *
 * A connection starts as HTTP and either gets one response (a file,
 * /healthz, /metrics, an error) or is upgraded to WebSocket.  Each Redis
 * message is framed once into a refcounted struct frame and the same
 * frame is queued to every interested client.  Everything runs on one
 * libevent loop; nothing is freed from inside a frame handler or hiredis
 * callback: a client is closed by marking it and letting the deferred
 * flush event of client.c do the work.
 *
 * This header includes every layer's, so that it shows the program's
 * whole interface; the files of a layer include only what they use.
 */
#ifndef WSGATE_H
#define WSGATE_H

#include <stdint.h>

#include <event2/event.h>

#include "client.h"
#include "conf.h"
#include "conflate.h"
#include "frame.h"
#include "glob.h"
#include "http.h"
#include "httphead.h"
#include "hub.h"
#include "metrics.h"
#include "ratelog.h"
#include "upgrade.h"

/* The whole program's state: main's, given to its callbacks. */
struct wsgate {
	struct event_base	*base;
	struct wsgate_conf	 conf;
	struct wsgate_stats	 st;
	struct hub		*hub;
	struct server		 srv;
	int			 listen_fd;
	int			 spare_fd;	/* given up at the fd limit */
	unsigned		 nofile;	/* the descriptor limit, or 0 */
	unsigned		 fd_left;	/* free at start (conn_limit) */
	int			 ready_fd;	/* -d, until ready */
	int			 listening;
	struct event		*accept_ev, *resume_ev, *tick_ev;
	struct event		*term_ev, *int_ev, *usr1_ev;
	int64_t			 stop_deadline, last_ping, last_stats;
	struct ratelog		 accept_log;
};

#endif
