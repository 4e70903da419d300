/*
 * conn.h: redispub's one connection to Redis, non-blocking, driven by
 * the caller's poll loop.  It connects (TCP or a Unix socket), sends the
 * handshake (AUTH, SELECT, PING) and checks its replies, writes what the
 * caller encoded into its output buffer, and hands every later reply to
 * the caller.  When the connection is lost it closes and tries again,
 * after 100 ms, doubling the wait up to 5 s (redispub(1)).
 *
 * Events go to the callbacks the caller gives: up (the handshake
 * passed), down (lost; the output buffer is emptied, so what was in
 * flight must be sent again) and reply.  No callback is called from
 * inside another.  Before the first connection, failures that cannot
 * heal (a refused password or database) or --connect-timeout passing
 * put the connection in CONN_FAILED for good, with an exit status and
 * a message for the caller to give up with.
 *
 * A connection asked for it (want_run_id: a cluster node's, shard.c)
 * also learns, in the handshake, the run_id of the redis-server at the
 * other end (INFO server): it changes at every restart of the server,
 * so the owner marks written on that connection name the process that
 * holds the keys (redispub(1) CLUSTER).
 *
 * A connection given a name (conn_name) fences the connections of the
 * redispubs before it: its handshake names it (CLIENT SETNAME), and
 * closes (CLIENT KILL) the connection of the same name it had before a
 * reconnection and, at its first connection if fence_others is set,
 * every connection of another redispub of the same prefix and --name;
 * Redis then drops whatever commands they sent that it has not run yet,
 * so that none of them runs after this one's (redispub(1)).
 *
 * For a sentinel:// URL, each attempt first asks the Sentinels for the
 * primary (CONN_ASKING: each in turn, on its own non-blocking socket,
 * SENTINEL_TIMEOUT_MS to connect and as long for the answer, read by
 * sentinel_master_addr, sentinel.h) and, after the handshake, checks
 * with ROLE that the server is a primary; so a connection lost in a
 * failover finds the new primary (redispub(1)).
 */
#ifndef TP_CONN_H
#define TP_CONN_H

#include <stdint.h>

#include "backoff.h"
#include "redisurl.h"
#include "resp.h"

#define CONN_RUN_ID_LEN	40	/* INFO server's run_id: hex digits */
#define CONN_NAME_LEN	255	/* CLIENT SETNAME's */
#define CONN_FENCE_MAX	16	/* connections closed in one handshake */
/*
 * The longest reply taken, in bytes: a longer one is a protocol error
 * (redispub(1)), so that a server cannot make this process hold what it
 * likes.  The longest Redis sends redispub is CLIENT LIST's, some 400
 * bytes a client (600 with a long name): this is 200000 clients' and more.
 */
#define CONN_REPLY_MAX	(128u << 20)

struct shard;

enum conn_state {
	CONN_DOWN,		/* waiting to try again */
	CONN_ASKING,		/* a Sentinel asked for the primary */
	CONN_CONNECTING,	/* connect(2) under way */
	CONN_HANDSHAKE,		/* AUTH, SELECT, PING (, ...) sent */
	CONN_READY,		/* commands may be sent */
	CONN_FAILED		/* given up: see exit_code, errstr */
};

struct conn_events {
	void	*arg;

	/* up: the handshake passed; first: for the first time */
	void	(*up)(void *arg, int first);

	/* down: lost because of why; the next try in retry_ms */
	void	(*down)(void *arg, const char *why, int64_t retry_ms);

	/*
	 * reply: a reply to a command sent once up, in order.  Returns
	 * NULL, or why the reply makes no sense, which drops the
	 * connection.
	 */
	const char	*(*reply)(void *arg, const struct resp_reply *rep);

	/*
	 * keys_lost: cluster:// only (NULL: none).  The keys of each slot
	 * s with lost[s] may be missing writes already answered: another
	 * node now serves s (a replica promoted may lack the last writes
	 * of its primary), or its node came back and may have restarted.
	 * The caller forgets what it knew of them and writes into out the
	 * commands that delete them and mark them as the new owner's
	 * (shard.h SHARD_MARK_ID), the keys of each of one slot; they go
	 * to the slot's owner before any other command of that slot, and
	 * their replies are not handed back (redispub(1) CLUSTER).
	 */
	void	(*keys_lost)(void *arg, const uint8_t *lost,
		    struct resp_buf *out);

	/*
	 * slots: conn_ask_slots's read is over: the map is in its m (why
	 * NULL), or no node gave it (why: each one's failure).
	 */
	void	(*slots)(void *arg, const char *why);
};

struct lookup;
struct cluster_map;

struct conn {
	/* whom to reach, how, and who hears of it; the caller's */
	const struct redisurl	*url;
	const char		*url_str;	/* without the password */
	const char		*password;	/* NULL: no AUTH */
	int64_t			connect_timeout; /* ns, at startup */
	struct conn_events	ev;
	struct redisurl		addr;	/* sentinel://: the primary found */
	struct shard		*shard;	/* cluster://, else NULL */
	int			want_run_id;	/* learn run_id: shard.c */
	int64_t			reply_timeout;	/* ns, --reply-timeout: a
						   cluster's nodes' (shard.c
						   node_hung); 0: none */

	enum conn_state		state;
	struct lookup		*look;	/* CONN_CONNECTING, CONN_ASKING:
					   the host name being looked up
					   (conn.c) */
	int			ask_i;	/* CONN_ASKING: the Sentinel asked,
					   or ask_nodes' (conn_ask_slots) */
	int			ask_up;	/* its connect(2) done */
	int			ask_nrep;	/* its replies still due */
	const struct redisurl_node *ask_nodes;	/* conn_ask_slots's */
	int			ask_n;
	struct cluster_map	*ask_map;	/* NULL: Sentinels asked */
	size_t			ask_got;	/* bytes of its answer */
	size_t			ask_o;	/* in ask_err */
	char			ask_err[472];	/* each Sentinel's failure */
	int			fd, ever_ready;
	int			proven;	/* a command of the caller's
					   answered: the backoff reset */
	unsigned		fd_gen;		/* sockets made so far */
	struct backoff		backoff;
	int64_t			retry_at, deadline, t_start;
	int64_t			read_at;	/* bytes last read; 0: never */
	redisReader		*reader;
	size_t			reply_run;	/* bytes fed to it since it
						   was last empty */
	struct resp_reply	reply;		/* the reply being read */
	struct resp_buf		out;		/* encoded, not yet written */
	int			hs_cmd[8 + CONN_FENCE_MAX], hs_n, hs_i;
	char			why[512];
	/* want_run_id: the server's, learnt in this connection's handshake */
	char			run_id[CONN_RUN_ID_LEN + 1];	/* "": unknown */

	/*
	 * conn_name's: the name, "redispub:BASE@HOST:PID" ("": none),
	 * its first base_len bytes (to the "@") shared by every redispub
	 * of the same prefix and --name
	 */
	char			name[CONN_NAME_LEN + 1];
	size_t			base_len;
	int			fence_others;
	int			fence_next;	/* at the next handshake too */
	int			fence_refused;	/* CLIENT refused: said once */
	int			role_refused;	/* ROLE refused: said once */
	long long		my_id, prev_id;	/* CLIENT ID; 0: unknown */
	long long		fence[CONN_FENCE_MAX];	/* to close */
	int			nfence, fence_own[CONN_FENCE_MAX];

	/* CONN_FAILED: the exit status (sysexits(3)) and why */
	int			exit_code;
	char			errstr[1280];
};

/*
 * conn_init: a connection to url (shown in log lines as url_str), with
 * password if not NULL, that gives up at startup connect_timeout ns
 * after t_start.  Nothing is started: see conn_start.  The strings and
 * url must outlive c.
 */
void	conn_init(struct conn *c, const struct redisurl *url,
	    const char *url_str, const char *password,
	    int64_t connect_timeout, int64_t t_start,
	    const struct conn_events *ev);

/*
 * conn_name: c's connections are named "redispub:BASE@HOST:PID" (BASE:
 * PREFIX.tickpipe[.NAME]), and fence those of earlier redispubs (see
 * above): its own earlier one always, every other one of BASE at the
 * first connection if fence_others.  Call before conn_start.
 */
void	conn_name(struct conn *c, const char *base, int fence_others);

/*
 * conn_fence_next: the next handshake closes every other connection of
 * c's base, as a first one with fence_others does (--lease: this
 * process has just taken the lease over; the caller drops the
 * connection to get there at once).
 */
static inline void
conn_fence_next(struct conn *c)
{
	c->fence_next = c->name[0] != '\0';
}

/* conn_free: closes the connection, and frees what it holds. */
void	conn_free(struct conn *c);

/*
 * conn_start: starts connecting.  A failure that can be retried is a
 * "down" event; one that cannot leaves c in CONN_FAILED.  Exits 71 if
 * a socket cannot be had at all.
 */
void	conn_start(struct conn *c);

/*
 * conn_ask_slots: c (not cluster:// itself: a cluster's node, with its
 * user and password) asks nodes[0..n) in turn for CLUSTER SLOTS as the
 * Sentinels are asked (CONN_ASKING, CLUSTER_TIMEOUT_MS to connect and
 * as long to answer, AUTH first if there is a password), the answer
 * parsed into *m by cluster_slots_reply (cluster.h); then c is idle and
 * its slots event says how it went (maybe at once, from here).  nodes
 * and m must last until then.  c is polled and ticked meanwhile as any
 * connection; conn_free stops it.  Never blocks.
 */
void	conn_ask_slots(struct conn *c, const struct redisurl_node *nodes,
	    int n, struct cluster_map *m);

/*
 * conn_tick: the timers, at time now: tries again when the wait is
 * over, drops an attempt that took longer than 2 s.
 */
void	conn_tick(struct conn *c, int64_t now);

/*
 * conn_drop: the caller gives up on the connection (why: a server that
 * stopped answering): it is closed and made again later, as when it is
 * lost (a "down" event).  Nothing happens if c is not open.
 */
void	conn_drop(struct conn *c, const char *why);

/* conn_flush: writes what out holds, as far as the socket takes it. */
void	conn_flush(struct conn *c);

/*
 * conn_poll: the descriptor to poll, and in *events what for; or -1
 * when there is nothing to wait for.
 */
int	conn_poll(const struct conn *c, short *events);

/* conn_next_timer: when conn_tick has something to do; INT64_MAX: never. */
int64_t	conn_next_timer(const struct conn *c);

/* conn_io: what poll reported (revents) on the descriptor. */
void	conn_io(struct conn *c, short revents);

static inline int
conn_is_ready(const struct conn *c)
{
	return c->state == CONN_READY;
}

static inline int
conn_failed(const struct conn *c)
{
	return c->state == CONN_FAILED;
}

#endif
