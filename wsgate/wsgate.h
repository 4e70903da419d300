/*
 * wsgate.h: the WebSocket fan-out gateway's shared state.  wsgate holds
 * one listening socket; a connection starts as HTTP (http.c), and either
 * gets one response (static file, /healthz, /metrics, an error) or is
 * upgraded to WebSocket (client.c).  The hub (hub.c) owns the two Redis
 * connections (one subscriber, one for commands), the table of the
 * channels and patterns clients subscribe to, shared by all of them, and
 * the fan-out: each Redis message is framed once into a refcounted struct
 * frame and the same frame is queued to every interested client.
 *
 * Everything runs on one libevent loop; nothing is freed from inside a
 * wslay or hiredis callback: a client is closed by marking it and letting
 * the deferred "flush" event (client_flush_cb) do the work.
 */
#ifndef WSGATE_H
#define WSGATE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <event2/event.h>
#include <wslay/wslay.h>

#include "redisurl.h"

/*
 * A frame: bytes ready for the wire (WebSocket header + payload, or an
 * HTTP response chunk), shared by every client queue that holds it.
 * seq/kind are parsed once for book channels (late-joiner dedup); id
 * identifies one Redis message, so a message that several subscriptions
 * of one client match reaches it once.  hist marks a late joiner's
 * history (one client's), paced apart from the output cap.
 */
enum { FRAME_OTHER, FRAME_SNAPSHOT, FRAME_DELTA };

struct frame {
	unsigned	 refs;
	unsigned	 hlen;		/* WebSocket header bytes before payload */
	int		 hist;		/* history read from the keys */
	size_t		 len;		/* total bytes in data */
	uint64_t	 id;
	int64_t		 seq;		/* -1 if none */
	int		 kind;
	unsigned char	 data[];
};

struct frame	*frame_text(const char *payload, size_t len);
struct frame	*frame_raw(const void *p, size_t len);
void		 frame_unref(struct frame *);
void		 frame_parse_book(struct frame *);

/* Per-client output queue: a ring of shared frames. */
struct outq {
	struct frame	**v;
	size_t		 cap, head, n;
	size_t		 off;		/* bytes of v[head] already written */
	size_t		 bytes;		/* bytes still to write */
	size_t		 hist;		/* of them, in history frames */
};

struct sub;
struct client;

/*
 * A client's book on one book channel, as far as wsgate has sent it: the
 * seq filter shared by every subscription of that client that covers the
 * channel (an exact one and patterns), so each book message reaches it
 * once and in seq order, and its late-joiner sync: queued for a read of
 * its keys (live frames dropped: the read covers them), being read (live
 * frames held), or live.  Kept while some subscription covers it.
 */
enum book_sync { BOOK_LIVE, BOOK_QUEUED, BOOK_READING };

struct book {
	struct book	*next;		/* hash chain in c->books */
	struct book	*qnext;		/* in c's sync queue */
	int		 have_snap;
	int64_t		 last_seq;
	enum book_sync	 sync;
	struct frame	**held;		/* live frames held while reading */
	size_t		 nheld, capheld, held_bytes;
	size_t		 len;
	char		 name[];
};

/*
 * One client's interest in one subscription.  Once the subscription is
 * in effect (member_start) the books it covers are queued for a read; a
 * pattern first lists PREFIX.channels for them.
 */
struct member {
	struct client	*c;
	struct sub	*s;
	struct member	*s_prev, *s_next;	/* in s->members */
	struct member	*c_next;		/* in c->members */
	int		 waiting;	/* for the subscription to take effect */
	int		 listing;	/* SMEMBERS in flight (holds a ref on c) */
	int		 orphan;	/* detached while listing: freed by the cb */
	int		 again;		/* list again once the reply is in */
};

enum sub_state { S_IDLE, S_SUBSCRIBING, S_ACTIVE, S_UNSUBSCRIBING };

/*
 * A channel or pattern clients subscribe to, shared by all of them.  An
 * exact channel has a Redis SUBSCRIBE (st) unless the cover pattern
 * carries it (hub.c); a pattern is matched in wsgate, never sent to Redis.
 */
struct sub {
	char		*name;
	size_t		 len;
	int		 pattern;
	int		 book;		/* exact channel ending in ".book" */
	int		 prefixed;	/* exact channel under PREFIX. */
	enum sub_state	 st;
	struct member	*members;
	unsigned	 nmembers;
	struct sub	*hnext;
	struct sub	*pnext;		/* pattern: in the list of patterns */
};

enum client_state {
	C_HTTP,		/* reading the request */
	C_HTTP_DONE,	/* response queued; shut down after flush */
	C_LINGER,	/* write side shut, draining input until EOF */
	C_WS,		/* WebSocket open */
	C_CLOSING,	/* close frame queued, waiting for flush + peer close */
	C_DEAD		/* fd closed, waiting to be reaped */
};

struct client {
	int		 fd;
	uint64_t	 id;
	unsigned	 refs;
	enum client_state st;
	struct event	*rev, *wev;
	char		 addr[64];
	int64_t		 t_start;	/* mono ns: accept */
	int64_t		 t_rx;		/* mono ns: last bytes received */
	int64_t		 deadline;	/* mono ns: closing/linger limit */
	/* HTTP */
	char		*hbuf;
	size_t		 hlen;
	size_t		 pre_off;	/* bytes of hbuf already given to wslay */
	size_t		 pre_len;	/* bytes of hbuf after the request */
	/* WebSocket */
	wslay_event_context_ptr ws;
	struct outq	 q;
	struct member	*members;
	unsigned	 nsubs;
	struct book	**books;	/* hash of book channels, nbooks_cap slots */
	size_t		 nbooks, nbooks_cap;
	struct book	*sq_head, *sq_tail;	/* books queued for a read */
	struct book	*reading;	/* the book being read, if still wanted */
	int		 read_inflight;	/* a read in flight (holds a ref on c) */
	uint64_t	 last_msg_id;
	int		 doom_code;	/* close requested from a callback */
	char		 doom_reason[64];
	int		 doom_drop;	/* discard the output queue first */
	int		 slow;		/* cut for the output cap, counted */
	int		 close_counted;
	int		 write_armed;
	int		 dirty;
	struct client	*prev, *next;	/* G.clients */
	struct client	*dnext;		/* G.dirty / G.graveyard */
};

struct wsgate_stats {
	uint64_t	 connections;
	uint64_t	 ws_opened;
	uint64_t	 redis_msgs;
	uint64_t	 redis_bytes;
	uint64_t	 msgs_out;
	uint64_t	 bytes_out;
	uint64_t	 client_msgs;
	uint64_t	 client_bytes;
	uint64_t	 client_errors;
	uint64_t	 dropped;
	uint64_t	 slow_disconnects;
	uint64_t	 idle_timeouts;
	uint64_t	 handshake_timeouts;
	uint64_t	 fd_limit_closed;
	uint64_t	 redis_reconnects;
	uint64_t	 redis_errors;
	uint64_t	 max_clients_refused;
	uint64_t	 origin_refused;
	uint64_t	 token_refused;
	uint64_t	 sub_limit_refused;
	uint64_t	 late_joins;
	uint64_t	 http[600];	/* responses by status */
	uint64_t	 close_codes[16];	/* 1000..1015 sent */
};

struct wsgate_conf {
	const char	*listen;
	struct redisurl	 redis;		/* -u, parsed */
	const char	*prefix;
	const char	*www;
	char		*www_real;	/* realpath(www) */
	char		**origins;
	size_t		 norigins;
	char		*token;
	char		*password;
	uint64_t	 max_clients;
	uint64_t	 max_subs;
	uint64_t	 max_msg;
	uint64_t	 output_cap;
	uint64_t	 ping_interval;	/* s */
	uint64_t	 idle_timeout;	/* s */
	uint64_t	 handshake_timeout;	/* s */
	int		 verbose;
};

struct wsgate {
	struct event_base	*base;
	struct wsgate_conf	 conf;
	struct wsgate_stats	 st;
	struct client		*clients;
	unsigned		 nws;	/* WebSocket clients */
	unsigned		 nconn;	/* all connections */
	struct client		*dirty;
	struct client		*graveyard;
	struct event		*flush_ev;
	int			 stopping;
	int64_t			 t0;	/* mono ns at start */
	uint64_t		 next_id;
	int			 ready_fd;
	int			 listening;
};

extern struct wsgate G;

/* A log line said at most every 10 s; the repeats are counted and said. */
struct ratelog {
	int64_t		 last;		/* mono ns it was last said */
	unsigned long long held;	/* repeats not said since */
	int		 listed;
	struct ratelog	*next;		/* every ratelog in use, for the tick */
};

/* client.c */
void	client_accept(int fd, const char *addr);
void	client_flush_cb(evutil_socket_t, short, void *);
void	client_mark_dirty(struct client *);
void	client_enqueue(struct client *, struct frame *);
int	client_deliver(struct client *, struct frame *);
void	client_send_json(struct client *, void *json);	/* json_t *, stolen */
void	client_error(struct client *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	client_doom(struct client *, int code, const char *reason, int drop);
void	client_slow(struct client *, const char *reason);
void	client_ws_open(struct client *);
void	client_tick(int64_t now);
void	client_ping_all(void);
void	client_shutdown_all(void);
void	client_unref(struct client *);
void	client_kill_now(struct client *);
void	client_http_done(struct client *);
void	client_broadcast(struct frame *);

/* http.c */
void	http_input(struct client *);
void	http_respond(struct client *, int status, const char *ctype,
	    const char *extra, const void *body, size_t len, int head);
void	http_timeout(struct client *);
int	http_load_token(const char *path, char **out, char *msg, size_t msglen);

/* hub.c */
int	hub_init(char *msg, size_t msglen);
int	hub_redis_up(void);
int	hub_subscribe(struct client *, const char *name, size_t len,
	    char *msg, size_t msglen);
int	hub_unsubscribe(struct client *, const char *name, size_t len);
void	hub_drop_client(struct client *);
void	hub_sync_kick(struct client *);
int	hub_channels(struct client *);
unsigned hub_nsubs(void);
void	hub_close(void);
int	hub_both_connected(void);

/* glob.c */
int	glob_match(const char *pat, size_t plen, const char *s, size_t slen);

/* main.c */
void	wsgate_check_ready(void);
void	wsgate_log_limited(struct ratelog *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	wsgate_metrics(struct client *, int head);
int64_t	wsgate_mono(void);

#endif
