/*
 * evredis.h: a Redis connection as a plain non-blocking redisContext
 * driven by libevent events, for connections whose replies the caller
 * classifies itself (a subscriber connection: hiredis 0.14's async API
 * would take an error reply there for a protocol error and disconnect).
 * Commands are appended and written when the socket takes them; each
 * reply read is handed to the caller, with the commands in flight kept
 * in order (struct evr_pend) so that it can tell the answer to its
 * oldest command from a pushed message.  On a connection where nothing
 * is pushed (wsgate's commands connection), a command may be sent with
 * its own callback instead (evr_call), which gets its answer.
 */
#ifndef WSGATE_EVREDIS_H
#define WSGATE_EVREDIS_H

#include <stddef.h>
#include <stdint.h>

#include "evname.h"
#include <event2/event.h>
#include <hiredis/hiredis.h>

#include "backoff.h"
#include "redisurl.h"

struct evr;

/*
 * A reply's bound (evr_cap_*): a bulk string longer than EVR_REPLY_MAX,
 * or a reply whose parts (strings, array slots, objects) take more, is
 * a protocol error.  why says it once met.
 */
#define EVR_REPLY_MAX	((size_t)128 << 20)

struct evr_cap {
	size_t	 bytes;		/* of the reply being parsed */
	char	 why[96];	/* "": within the bound */
};

/* evr_pend's kind of the PING evredis sends itself (not the caller's) */
#define EVR_PING	(-1)
/* evr_pend's kind of a command of evr_call's, answered to its fn */
#define EVR_CALL	(-2)

/*
 * An evr_call's callback: earg, the connection's (evr_new's arg); arg,
 * the command's; r, its answer (freed on return), or NULL when the
 * connection is closed (evr_close) before it came.
 */
typedef void evr_call_fn(void *earg, void *arg, redisReply *r);

/* A command in flight: its kind and the name it carries (caller's). */
struct evr_pend {
	struct evr_pend	*next;
	int64_t		 at;		/* mono_ns when it was queued */
	int		 kind;
	evr_call_fn	*fn;		/* EVR_CALL: may be NULL */
	void		*arg;
	size_t		 len;
	char		 name[];	/* NUL-terminated too */
};

/*
 * A place in the commands queued on an evr (evr_mark), to forget those
 * queued after it (evr_undo): a transaction (MULTI ... EXEC) one of
 * whose commands could not be queued (out of memory) is taken back
 * whole, rather than left open for the next command to join.
 */
struct evr_mark {
	const void	*c;		/* the context marked in (or NULL) */
	size_t		 olen;		/* its output's length then */
	size_t		 early_len;
	struct evr_pend	*tail;
	size_t		 n;
};

struct evr_cbs {
	/* one reply r (freed on return); the answer to evr_oldest or not;
	 * NULL: replies no command waits for are dropped */
	void	(*reply)(void *arg, redisReply *r);
	/* the connection is gone (or never came): closed, may be started
	 * again; not called by evr_close */
	void	(*lost)(void *arg, const char *why);
};

struct evr	*evr_new(struct event_base *, struct evname_res *,
		    const struct evr_cbs *, void *arg, int64_t timeout_ms);
int		 evr_start(struct evr *, const struct redisurl *at);
int		 evr_command(struct evr *, int kind, const char *name,
		    size_t len, const char *fmt, ...);
int		 evr_call(struct evr *, evr_call_fn *, void *arg,
		    const char *fmt, ...);
void		 evr_mark(const struct evr *, struct evr_mark *);
void		 evr_undo(struct evr *, const struct evr_mark *);
const struct evr_pend *evr_oldest(const struct evr *);
void		 evr_pop(struct evr *);
size_t		 evr_inflight(const struct evr *, int64_t *oldest);
int		 evr_connected(const struct evr *);
const char	*evr_error(const struct evr *);
void		 evr_close(struct evr *);
void		 evr_free(struct evr *);
void		 evr_keepalive(int fd, int64_t timeout_ns);
enum evr_live { EVR_LIVE_OK, EVR_LIVE_PING, EVR_LIVE_LOST };
enum evr_live	 evr_liveness(int64_t now, int64_t last_rx, int owed,
		    int64_t owed_at, int64_t timeout_ns);
int		 evr_hello(const redisReply *);
int64_t		 evr_retry_wait(struct backoff *, int64_t up_at, int64_t now);
void		 evr_cap_init(redisReader *, struct evr_cap *);
void		 evr_cap_use(struct evr_cap *);
int		 evr_cap_over(const redisReader *, struct evr_cap *);

#endif
