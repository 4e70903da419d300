/*
 * evturn.h: a list of nodes asked in turn on the libevent loop, each on
 * a non-blocking evredis.h connection given the timeout, so that nodes
 * slow, silent or unreachable cost wsgate's loop nothing (wsgate(1)):
 * the frame of the Sentinel asks (evsentinel.c) and of the slot map
 * reads (shard.c), whose questions, answers and words are their own.
 */
#ifndef WSGATE_EVTURN_H
#define WSGATE_EVTURN_H

#include "evredis.h"

struct evt;

/* What an answer does to the turn (evt_cbs reply). */
enum evt_next { EVT_DONE, EVT_WAIT, EVT_FAIL };

struct evt_cbs {
	/* the questions sent on ev (evr_command, kinds the caller's); -1
	 * if out of memory */
	int		(*send)(void *arg, struct evr *ev);
	/* r, node i's answer to a question of kind: EVT_DONE ends the
	 * turn, EVT_WAIT waits for the next answer, EVT_FAIL gives node
	 * i up for why (written there) */
	enum evt_next	(*reply)(void *arg, int i, int kind,
			    const redisReply *r, char *why, size_t whylen);
	/* the turn is over: err NULL if an answer ended it, else each
	 * node's failure ("" for no node), evt's, valid during the call */
	void		(*done)(void *arg, const char *err);
};

struct evt	*evt_new(struct event_base *, struct evname_res *,
		    int64_t timeout_ms, const char *what,
		    const struct evt_cbs *, void *arg);
void		 evt_ask(struct evt *, const struct redisurl_node *, int n);
void		 evt_cancel(struct evt *);
void		 evt_free(struct evt *);

#endif
