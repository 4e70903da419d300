/*
 * conn.c: the connection to Redis (see conn.h): a small state machine,
 * DOWN -> CONNECTING -> HANDSHAKE -> READY, back to DOWN when anything
 * fails, with the attempts spaced by an exponential backoff; FAILED only
 * before the first READY.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sysexits.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "cluster.h"
#include "conn.h"
#include "sentinel.h"
#include "shard.h"
#include "util.h"

#define MS			((int64_t)1000000)	/* ns */
#define BACKOFF_MIN_MS		100
#define BACKOFF_MAX_MS		5000
#define CONNECT_TIMEOUT		(2000 * MS)	/* one attempt, incl. AUTH */
#define LOOKUP_POLL		(5 * MS)	/* a lookup's answer looked for */

/* handshake commands */
enum { HS_AUTH, HS_SELECT, HS_PING, HS_ROLE, HS_RUN_ID, HS_SETNAME, HS_ID,
    HS_LIST, HS_KILL };

/* the run_id alone, not INFO's whole text (resp.h cuts replies) */
static const char run_id_lua[] =
    "return redis.call('INFO','server'):match('run_id:(%x+)')";

void
conn_init(struct conn *c, const struct redisurl *url, const char *url_str,
    const char *password, int64_t connect_timeout, int64_t t_start,
    const struct conn_events *ev)
{
	memset(c, 0, sizeof(*c));
	c->url = url;
	c->url_str = url_str;
	c->password = password;
	c->connect_timeout = connect_timeout;
	c->t_start = t_start;
	c->ev = *ev;
	c->state = CONN_DOWN;
	c->fd = -1;
	backoff_init(&c->backoff, BACKOFF_MIN_MS, BACKOFF_MAX_MS, 0);
	if (url->is_cluster)
		c->shard = shard_new(c);
}

void
conn_name(struct conn *c, const char *base, int fence_others)
{
	char host[65] = "";
	size_t i;

	gethostname(host, sizeof(host) - 1);
	for (i = 0; host[i] != '\0'; i++)	/* a name has no space */
		if (!isalnum((unsigned char)host[i]) &&
		    strchr("-._", host[i]) == NULL)
			host[i] = '_';
	snprintf(c->name, sizeof(c->name), "redispub:%.200s@", base);
	c->base_len = strlen(c->name);
	snprintf(c->name + c->base_len, sizeof(c->name) - c->base_len,
	    "%s:%ld", host, (long)getpid());
	c->fence_others = fence_others;
}

/*
 * A host name looked up by getaddrinfo_a(3) in glibc's own thread and
 * its answer looked for from conn_tick, so that a name server that is
 * slow or silent costs the attempt its CONNECT_TIMEOUT, not the whole
 * process its time: lines are read, signals and timers served
 * meanwhile (redispub(1)).  A lookup given up while glibc's thread
 * still runs it is kept on `abandoned` until it ends, then freed.
 */
struct lookup {
	struct lookup	*next;
	struct gaicb	 cb;
	struct addrinfo	 hints;
	char		 port[8];
	char		 host[];
};

static struct lookup *abandoned;

static void
lookup_free(struct lookup *l)
{
	if (l->cb.ar_result != NULL)
		freeaddrinfo(l->cb.ar_result);
	free(l);
}

/* lookup_sweep: the lookups given up that have ended are freed. */
static void
lookup_sweep(void)
{
	struct lookup **lp = &abandoned, *l;

	while ((l = *lp) != NULL) {
		if (gai_error(&l->cb) == EAI_INPROGRESS) {
			lp = &l->next;
			continue;
		}
		*lp = l->next;
		lookup_free(l);
	}
}

/* lookup_drop: c's lookup, if any, is given up. */
static void
lookup_drop(struct conn *c)
{
	struct lookup *l = c->look;

	if (l == NULL)
		return;
	c->look = NULL;
	if (gai_cancel(&l->cb) == EAI_NOTCANCELED &&
	    gai_error(&l->cb) == EAI_INPROGRESS) {
		l->next = abandoned;
		abandoned = l;
		return;
	}
	lookup_free(l);
}

/* conn_close: the socket, the reader and what was not written go. */
static void
conn_close(struct conn *c)
{
	lookup_drop(c);
	lookup_sweep();
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->reader != NULL)
		redisReaderFree(c->reader);
	c->reader = NULL;
	c->reply.scan = NULL;
	resp_clear(&c->out, 4 * RESP_BUF_HIGH);
	if (c->shard != NULL)
		shard_reset(c->shard);
}

void
conn_free(struct conn *c)
{
	conn_close(c);
	resp_clear(&c->out, 0);
	if (c->shard != NULL)
		shard_free(c->shard);
	c->shard = NULL;
}

/* give_up: closes c for good, with the exit status code and a message. */
static void
give_up(struct conn *c, int code, const char *fmt, ...)
{
	va_list ap;

	conn_close(c);
	c->state = CONN_FAILED;
	c->exit_code = code;
	va_start(ap, fmt);
	vsnprintf(c->errstr, sizeof(c->errstr), fmt, ap);
	va_end(ap);
}

/*
 * conn_lost: closes the connection and schedules the next attempt with
 * exponential backoff.  Before the first successful connection, gives up
 * (exit 69) once --connect-timeout has passed.
 */
static void
conn_lost(struct conn *c, const char *why)
{
	int64_t now = mono_ns();

	conn_close(c);
	if (!c->ever_ready && now - c->t_start >= c->connect_timeout) {
		give_up(c, EX_UNAVAILABLE, "redis %s: %s; giving up after "
		    "%" PRId64 " s (--connect-timeout)", c->url_str, why,
		    c->connect_timeout / 1000000000LL);
		return;
	}
	c->state = CONN_DOWN;
	c->retry_at = now + backoff_next(&c->backoff) * MS;
	if (!c->ever_ready && c->retry_at > c->t_start + c->connect_timeout)
		c->retry_at = c->t_start + c->connect_timeout;
	c->ev.down(c->ev.arg, why, (c->retry_at - now) / MS);
}

/* conn_lost_errno: conn_lost because what failed with errno e. */
static void
conn_lost_errno(struct conn *c, const char *what, int e)
{
	snprintf(c->why, sizeof(c->why), "%s: %s", what, strerror(e));
	conn_lost(c, c->why);
}

/* encode_auth: AUTH [user] password, for the URL's user if any. */
static void
encode_auth(struct conn *c)
{
	size_t pl = strlen(c->password), ul = strlen(c->url->user);

	resp_reserve(&c->out, pl + ul + 64);
	if (ul > 0) {
		RESP_LIT(&c->out, "*3\r\n$4\r\nAUTH\r\n");
		resp_bulk(&c->out, c->url->user, ul);
	} else {
		RESP_LIT(&c->out, "*2\r\n$4\r\nAUTH\r\n");
	}
	resp_bulk(&c->out, c->password, pl);
}

/*
 * list_scan: CLIENT LIST's text, while its reply is the one read: the
 * connections to close (conn.h): c's own before a reconnection (its
 * exact name and ID), and those of another process with c's base at
 * the first connection with fence_others or after conn_fence_next.  Lines are "id=N addr=...
 * name=NAME age=...", NAME without spaces.
 */
static int
list_scan(void *arg, const char *s, size_t n)
{
	struct conn *c = arg;
	const char *p, *end = s + n, *eol, *nm, *sp;
	size_t nl = strlen(c->name), vl;

	if (c->state != CONN_HANDSHAKE || c->hs_i >= c->hs_n ||
	    c->hs_cmd[c->hs_i] != HS_LIST)
		return 0;
	for (p = s; p < end; p = eol + 1) {
		long long id;
		int own;

		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		if (eol - p < 4 || memcmp(p, "id=", 3) != 0 ||
		    (nm = memmem(p, (size_t)(eol - p), " name=", 6)) == NULL)
			continue;
		id = strtoll(p + 3, NULL, 10);
		nm += 6;
		sp = memchr(nm, ' ', (size_t)(eol - nm));
		vl = (size_t)((sp != NULL ? sp : eol) - nm);
		own = vl == nl && memcmp(nm, c->name, nl) == 0;
		if (id <= 0 || id == c->my_id)
			continue;
		if (own ? id != c->prev_id : ((!c->fence_others ||
		    c->ever_ready) && !c->fence_next) ||
		    vl <= c->base_len || memcmp(nm, c->name, c->base_len) != 0)
			continue;
		if (c->nfence == CONN_FENCE_MAX) {
			warnx("redis %s: more than %d connections named %.*s..."
			    ": the rest stay open", c->url_str,
			    CONN_FENCE_MAX, (int)c->base_len, c->name);
			break;
		}
		c->fence_own[c->nfence] = own;
		c->fence[c->nfence++] = id;
	}
	return 1;
}

/*
 * conn_handshake: AUTH, SELECT, PING, ROLE for a Sentinel's primary,
 * the run_id's EVAL if wanted, with a name CLIENT SETNAME, ID and LIST
 * (then KILL: hs_fence); replies checked in hs_reply.
 */
static void
conn_handshake(struct conn *c)
{
	c->state = CONN_HANDSHAKE;
	c->hs_n = c->hs_i = 0;
	c->run_id[0] = '\0';
	if (c->password != NULL) {
		encode_auth(c);
		c->hs_cmd[c->hs_n++] = HS_AUTH;
	}
	if (c->url->db != 0) {
		char num[24];
		int k = snprintf(num, sizeof(num), "%d", c->url->db);

		resp_reserve(&c->out, 64);
		RESP_LIT(&c->out, "*2\r\n$6\r\nSELECT\r\n");
		resp_bulk(&c->out, num, (size_t)k);
		c->hs_cmd[c->hs_n++] = HS_SELECT;
	}
	resp_reserve(&c->out, 32);
	RESP_LIT(&c->out, "*1\r\n$4\r\nPING\r\n");
	c->hs_cmd[c->hs_n++] = HS_PING;
	if (!c->want_run_id) {	/* not a cluster node: shard.c */
		resp_reserve(&c->out, 32);
		RESP_LIT(&c->out, "*1\r\n$4\r\nROLE\r\n");
		c->hs_cmd[c->hs_n++] = HS_ROLE;
	}
	if (c->want_run_id) {
		resp_reserve(&c->out, sizeof(run_id_lua) + 32);
		RESP_LIT(&c->out, "*3\r\n$4\r\nEVAL\r\n");
		resp_bulk(&c->out, run_id_lua, sizeof(run_id_lua) - 1);
		RESP_LIT(&c->out, "$1\r\n0\r\n");
		c->hs_cmd[c->hs_n++] = HS_RUN_ID;
	}
	if (c->name[0] != '\0') {
		c->my_id = 0;
		c->nfence = 0;
		resp_reserve(&c->out, sizeof(c->name) + 160);
		RESP_LIT(&c->out, "*3\r\n$6\r\nCLIENT\r\n$7\r\nSETNAME\r\n");
		resp_bulk(&c->out, c->name, strlen(c->name));
		RESP_LIT(&c->out, "*2\r\n$6\r\nCLIENT\r\n$2\r\nID\r\n");
		RESP_LIT(&c->out, "*4\r\n$6\r\nCLIENT\r\n$4\r\nLIST\r\n"
		    "$4\r\nTYPE\r\n$6\r\nnormal\r\n");
		c->hs_cmd[c->hs_n++] = HS_SETNAME;
		c->hs_cmd[c->hs_n++] = HS_ID;
		c->hs_cmd[c->hs_n++] = HS_LIST;
		c->reply.scan = list_scan;
		c->reply.scan_arg = c;
	}
}

/*
 * hs_fence: the reply to CLIENT SETNAME, ID, LIST or KILL.  A refusal
 * (an ACL without them, say) is said once and the handshake goes on:
 * nothing is closed.  After LIST, a CLIENT KILL ID for each connection
 * list_scan chose; "killed 0" is one that went by itself.
 */
static void
hs_fence(struct conn *c, int cmd)
{
	char num[24];
	int i, k;

	if (c->reply.err) {
		if (cmd != HS_KILL && !c->fence_refused) {
			c->fence_refused = 1;
			warnx("redis %s: CLIENT %s refused (%s): the connections "
			    "of earlier redispubs named %.*s... are not closed, "
			    "and commands they left unrun may run after ours",
			    c->url_str, cmd == HS_SETNAME ? "SETNAME" :
			    cmd == HS_ID ? "ID" : "LIST", c->reply.msg,
			    (int)c->base_len, c->name);
		}
		if (cmd == HS_ID || cmd == HS_LIST)
			c->nfence = 0;
		if (cmd == HS_ID)	/* LIST is not to be trusted then */
			c->my_id = -1;
		return;
	}
	if (cmd == HS_ID) {
		c->my_id = c->reply.integer;
	} else if (cmd == HS_LIST) {
		if (c->my_id < 0)
			c->nfence = 0;
		for (i = 0; i < c->nfence; i++) {
			k = snprintf(num, sizeof(num), "%lld", c->fence[i]);
			resp_reserve(&c->out, 64);
			RESP_LIT(&c->out, "*4\r\n$6\r\nCLIENT\r\n$4\r\nKILL\r\n"
			    "$2\r\nID\r\n");
			resp_bulk(&c->out, num, (size_t)k);
			c->hs_cmd[c->hs_n++] = HS_KILL;
		}
	} else if (cmd == HS_KILL && c->reply.integer > 0) {
		i = c->nfence - 1 - (c->hs_n - c->hs_i);
		warnx("redis %s: closed connection id=%lld, %s: Redis drops "
		    "the commands it had not run yet", c->url_str,
		    c->fence[i], c->fence_own[i] ?
		    "this redispub's before the reconnection" :
		    "an earlier redispub's of the same prefix and --name");
	}
}

/* is_run_id: s is a run_id, CONN_RUN_ID_LEN hex digits. */
static int
is_run_id(const char *s)
{
	return strlen(s) == CONN_RUN_ID_LEN &&
	    strspn(s, "0123456789abcdef") == CONN_RUN_ID_LEN;
}

/*
 * connect_unix, connect_tcp: a non-blocking connect(2) started; c->fd
 * set.  Return 0, or -1 (errno, or the reason in c->why for a name that
 * does not resolve).  Exit 71 if no socket can be had.
 */
static int
connect_unix(struct conn *c)
{
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, c->addr.path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		err(EX_OSERR, "socket");
	c->fd_gen++;
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 &&
	    errno != EINPROGRESS) {
		snprintf(c->why, sizeof(c->why), "connect: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* connect_ai: the connect(2) to ai's first address started. */
static int
connect_ai(struct conn *c, const struct addrinfo *ai)
{
	int one = 1;

	c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (c->fd < 0)
		err(EX_OSERR, "socket");
	c->fd_gen++;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(c->fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) < 0 &&
	    errno != EINPROGRESS) {
		snprintf(c->why, sizeof(c->why), "connect: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * resolve_failed: c->why says host's lookup failed with getaddrinfo's
 * rc (a Sentinel's as hiredis said it: after its name, in ask_failed).
 */
static void
resolve_failed(struct conn *c, const char *host, int rc)
{
	const char *e = rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc);

	if (c->state == CONN_ASKING)
		snprintf(c->why, sizeof(c->why), "%s", e);
	else
		snprintf(c->why, sizeof(c->why), "resolve %s: %s", host, e);
}

/*
 * connect_tcp: host:port (the server's, or a Sentinel's when
 * CONN_ASKING): an address is connected to at once; a host name is
 * looked up first (struct lookup), the connect started by lookup_check.
 */
static int
connect_tcp(struct conn *c, const char *host, int port)
{
	struct gaicb *list[1];
	struct lookup *l;
	unsigned char buf[sizeof(struct in6_addr)];
	size_t n = strlen(host);
	int rc;

	if ((l = calloc(1, sizeof(*l) + n + 1)) == NULL)
		err(EX_OSERR, "calloc");
	memcpy(l->host, host, n + 1);
	snprintf(l->port, sizeof(l->port), "%d", port);
	l->hints.ai_family = AF_UNSPEC;
	l->hints.ai_socktype = SOCK_STREAM;
	if (inet_pton(AF_INET, l->host, buf) == 1 ||
	    inet_pton(AF_INET6, l->host, buf) == 1) {
		l->hints.ai_flags = AI_NUMERICHOST;
		rc = getaddrinfo(l->host, l->port, &l->hints,
		    &l->cb.ar_result);
		if (rc == 0)
			rc = connect_ai(c, l->cb.ar_result);
		else
			resolve_failed(c, l->host, rc);
		lookup_free(l);
		return rc == 0 ? 0 : -1;
	}
	l->cb.ar_name = l->host;
	l->cb.ar_service = l->port;
	l->cb.ar_request = &l->hints;
	list[0] = &l->cb;
	if ((rc = getaddrinfo_a(GAI_NOWAIT, list, 1, NULL)) != 0) {
		resolve_failed(c, l->host, rc);
		free(l);
		return -1;
	}
	c->look = l;
	return 0;
}

static void	ask_failed(struct conn *, const char *);

/* ask_ms: how long the node asked has to connect, and to answer */
static int
ask_ms(const struct conn *c)
{
	return c->ask_map != NULL ? CLUSTER_TIMEOUT_MS : SENTINEL_TIMEOUT_MS;
}

/* ask_node: the node asked: a Sentinel, or a cluster's (conn_ask_slots) */
static const struct redisurl_node *
ask_node(const struct conn *c)
{
	return c->ask_map != NULL ? &c->ask_nodes[c->ask_i] :
	    &c->url->sentinels[c->ask_i];
}

/*
 * attempt_failed: the attempt failed for c->why: the Sentinel being
 * asked is given up, else the connection is lost.
 */
static void
attempt_failed(struct conn *c)
{
	if (c->state == CONN_ASKING)
		ask_failed(c, c->why);
	else
		conn_lost(c, c->why);
}

/*
 * lookup_check: c's lookup answered: the connect started; failed, or
 * unanswered at c's deadline: the attempt failed.
 */
static void
lookup_check(struct conn *c, int64_t now)
{
	struct lookup *l = c->look;
	int rc = gai_error(&l->cb);

	if (rc == EAI_INPROGRESS) {
		if (now < c->deadline)
			return;
		snprintf(c->why, sizeof(c->why), "resolve %s: no answer in "
		    "%" PRId64 " ms", l->host, c->state == CONN_ASKING ?
		    (int64_t)ask_ms(c) : CONNECT_TIMEOUT / MS);
	} else if (rc != 0) {
		resolve_failed(c, l->host, rc);
	} else {
		c->look = NULL;
		rc = connect_ai(c, l->cb.ar_result);
		lookup_free(l);
		if (rc == 0)
			return;
	}
	attempt_failed(c);
}

/*
 * The Sentinels are asked for the primary as sentinel.h says, without
 * blocking: each in turn (c->ask_i) on a socket of c's own, its name
 * looked up as the server's is (struct lookup), given
 * SENTINEL_TIMEOUT_MS to connect and as long again to answer, its answer
 * read by hiredis' reader (resp.c's keeps too little of an array) and
 * judged by sentinel_master_addr.  Lines, signals and timers are served
 * meanwhile (redispub(1)).  A cluster's nodes are asked for the slot map
 * the same way (conn_ask_slots, CLUSTER_TIMEOUT_MS), the answer judged
 * by cluster_slots_reply, the one cluster_fetch uses.
 */
static void	connect_primary(struct conn *, const struct redisurl *);

/*
 * slots_done: the slot map's read is over: *c->ask_map holds the map
 * (why NULL), or no node gave it (why: each one's failure).
 */
static void
slots_done(struct conn *c, const char *why)
{
	conn_close(c);
	c->state = CONN_DOWN;
	c->retry_at = INT64_MAX;
	c->ev.slots(c->ev.arg, why);
}

/* ask_command: the command q[0..n) queued for the node asked. */
static void
ask_command(struct conn *c, char *q, int n)
{
	if (n < 0)
		err(EX_OSERR, "redisFormatCommand");
	resp_reserve(&c->out, (size_t)n);
	resp_raw(&c->out, q, (size_t)n);
	redisFreeCommand(q);
}

/*
 * ask_next: node c->ask_i is asked (a Sentinel for the primary; a
 * cluster's node for CLUSTER SLOTS, AUTH first if there is a password);
 * with none left, the attempt is lost, or the slot map's read failed,
 * for each one's failure.
 */
static void
ask_next(struct conn *c)
{
	const struct redisurl_node *nd;
	char *q;
	int n;

	conn_close(c);
	if (c->ask_map != NULL && c->ask_i >= c->ask_n) {
		slots_done(c, c->ask_n == 0 ? "no nodes" : c->ask_err);
		return;
	}
	if (c->ask_map == NULL && c->ask_i >= c->url->nsentinels) {
		snprintf(c->why, sizeof(c->why), "no primary from the "
		    "Sentinels: %s", c->url->nsentinels == 0 ? "no Sentinels" :
		    c->ask_err);
		conn_lost(c, c->why);
		return;
	}
	nd = ask_node(c);
	if ((c->reader = redisReaderCreate()) == NULL)
		err(EX_OSERR, "redisReaderCreate");
	c->ask_nrep = 1;
	if (c->ask_map == NULL) {
		n = redisFormatCommand(&q, SENTINEL_ASK_MASTER,
		    c->url->master);
		ask_command(c, q, n);
	} else {
		if (c->password != NULL) {
			n = c->url->user[0] != '\0' ? redisFormatCommand(&q,
			    "AUTH %s %s", c->url->user, c->password) :
			    redisFormatCommand(&q, "AUTH %s", c->password);
			ask_command(c, q, n);
			c->ask_nrep = 2;
		}
		ask_command(c, q, redisFormatCommand(&q, "CLUSTER SLOTS"));
	}
	c->ask_up = 0;
	c->ask_got = 0;
	c->deadline = mono_ns() + ask_ms(c) * MS;
	if (connect_tcp(c, nd->host, nd->port) < 0)
		ask_failed(c, c->why);
}

/* ask_failed: the node asked failed for why; the next one is asked. */
static void
ask_failed(struct conn *c, const char *why)
{
	sentinel_why(c->ask_err, sizeof(c->ask_err), &c->ask_o,
	    c->ask_i == 0, c->ask_map != NULL ? "" : "Sentinel ", ask_node(c),
	    why);
	c->ask_i++;
	ask_next(c);
}

/* ask_start: the Sentinels, or a cluster's nodes, are asked from the first. */
static void
ask_start(struct conn *c)
{
	c->state = CONN_ASKING;
	c->ask_i = 0;
	c->ask_o = 0;
	c->ask_err[0] = '\0';
	ask_next(c);
}

/*
 * A Sentinel's answer to SENTINEL_ASK_MASTER is a host and a port: one
 * that sends more than ASK_REPLY_MAX bytes is given up, not buffered
 * for its 500 ms (redispub(1)).
 */
#define ASK_REPLY_MAX	65536

/*
 * A node's answer to CLUSTER SLOTS: one range of a primary with three
 * replicas is some 500 bytes (Redis 7: each node's address, port, ID
 * and host name), so this holds 64 primaries' in over 8000 ranges; a
 * node that sends more is given up as a Sentinel is (redispub(1)).
 */
#define SLOTS_REPLY_MAX	(4 << 20)

/*
 * ask_reply: the node asked answered rep (freed): the Sentinel's
 * primary connected to, a cluster's AUTH passed or its slot map taken,
 * or the node given up.  Returns whether more replies are due.
 */
static int
ask_reply(struct conn *c, redisReply *rep)
{
	struct redisurl found;
	char why[160] = "";
	int rc;

	if (c->ask_map == NULL) {
		rc = sentinel_master_addr(c->url, rep, &found, why,
		    sizeof(why));
		freeReplyObject(rep);
		if (rc < 0)
			ask_failed(c, why);
		else
			connect_primary(c, &found);
		return 0;
	}
	if (--c->ask_nrep > 0) {
		rc = rep->type == REDIS_REPLY_ERROR ? -1 : 0;
		if (rc < 0)
			snprintf(why, sizeof(why), "AUTH: %s", rep->str);
		freeReplyObject(rep);
		if (rc < 0)
			ask_failed(c, why);
		return rc == 0;
	}
	rc = cluster_slots_reply(rep, ask_node(c), c->ask_map, why,
	    sizeof(why));
	freeReplyObject(rep);
	if (rc < 0)
		ask_failed(c, why);
	else
		slots_done(c, NULL);
	return 0;
}

/*
 * ask_read: the node's answer read, as far as it came, and judged by
 * ask_reply once whole.
 */
static void
ask_read(struct conn *c)
{
	size_t max = c->ask_map != NULL ? SLOTS_REPLY_MAX : ASK_REPLY_MAX;
	char buf[16384], why[160];
	void *rep = NULL;
	ssize_t n;

	while ((n = read(c->fd, buf, sizeof(buf))) < 0 && errno == EINTR)
		;
	if (n < 0 && errno == EAGAIN)
		return;
	if (n <= 0) {
		ask_failed(c, n == 0 ? "Server closed the connection" :
		    strerror(errno));
		return;
	}
	if ((c->ask_got += (size_t)n) > max) {
		snprintf(why, sizeof(why), "a reply past %zu bytes", max);
		ask_failed(c, why);
		return;
	}
	if (redisReaderFeed(c->reader, buf, (size_t)n) != REDIS_OK) {
		snprintf(why, sizeof(why), "%s", c->reader->errstr);
		ask_failed(c, why);
		return;
	}
	do {
		if (redisReaderGetReply(c->reader, &rep) != REDIS_OK) {
			snprintf(why, sizeof(why), "%s", c->reader->errstr);
			ask_failed(c, why);
			return;
		}
	} while (rep != NULL && ask_reply(c, rep));
}

/* ask_io: what poll reported on the socket of the node asked. */
static void
ask_io(struct conn *c, short revents)
{
	int e = 0;
	socklen_t el = sizeof(e);

	if (!c->ask_up) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
			e = errno;
		if (e != 0) {
			ask_failed(c, strerror(e));
			return;
		}
		c->ask_up = 1;
		c->deadline = mono_ns() + ask_ms(c) * MS;
	}
	while (resp_pending(&c->out) > 0) {
		ssize_t n = write(c->fd, c->out.buf + c->out.off,
		    resp_pending(&c->out));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			ask_failed(c, strerror(errno));
			return;
		}
		c->out.off += (size_t)n;
	}
	if (revents & (POLLIN | POLLERR | POLLHUP))
		ask_read(c);
}

static void	conn_up(struct conn *);

/*
 * cluster_start: a cluster:// connection is up as soon as the slot map
 * is read; the primaries' connections are the shard's (shard.h).
 */
static void
cluster_start(struct conn *c)
{
	c->state = CONN_CONNECTING;
	if (shard_start(c->shard, c->why, sizeof(c->why)) < 0)
		conn_lost(c, c->why);
	else
		conn_up(c);
}

/*
 * connect_primary: the attempt connects to addr, the server (for
 * sentinel://, the primary a Sentinel named: said when it changes).
 */
static void
connect_primary(struct conn *c, const struct redisurl *addr)
{
	if (c->url->is_sentinel && (strcmp(c->addr.host, addr->host) != 0 ||
	    c->addr.port != addr->port))
		warnx("redis %s: primary is %s:%d", c->url_str, addr->host,
		    addr->port);
	conn_close(c);
	c->addr = *addr;
	c->reader = resp_reader_new(&c->reply);
	if (c->reader == NULL)
		err(EX_OSERR, "redisReaderCreate");
	c->reply_run = 0;
	c->state = CONN_CONNECTING;
	c->deadline = mono_ns() + CONNECT_TIMEOUT;
	if ((c->addr.is_unix ? connect_unix(c) : connect_tcp(c, c->addr.host,
	    c->addr.port)) < 0)
		conn_lost(c, c->why);
}

void
conn_ask_slots(struct conn *c, const struct redisurl_node *nodes, int n,
    struct cluster_map *m)
{
	c->ask_nodes = nodes;
	c->ask_n = n;
	c->ask_map = m;
	ask_start(c);
}

void
conn_start(struct conn *c)
{
	if (c->shard != NULL)
		cluster_start(c);
	else if (c->url->is_sentinel)
		ask_start(c);
	else
		connect_primary(c, c->url);
}

/* conn_up: the handshake passed. */
static void
conn_up(struct conn *c)
{
	int first = !c->ever_ready;

	c->state = CONN_READY;
	c->reply.scan = NULL;
	c->prev_id = c->my_id;
	c->fence_next = 0;
	/* the wait doubles until a command of the caller's is answered: a
	   server that passes the handshake, then fails each command, is
	   not knocked on every 100 ms (redispub(1)); a cluster's slot map
	   read is such an answer */
	c->proven = c->shard != NULL;
	if (c->proven)
		backoff_reset(&c->backoff);
	c->ever_ready = 1;
	c->ev.up(c->ev.arg, first);
}

/*
 * hs_reply: a reply to AUTH, SELECT, PING, ROLE or the run_id's EVAL
 * (an error or no run_id: try again later).  Before the first
 * successful connection a refused password (77) or database (78) is
 * fatal; afterwards every failure just means: try again later.  Returns
 * 0, or -1 if the connection is gone.
 */
static int
hs_reply(struct conn *c)
{
	int cmd = c->hs_cmd[c->hs_i++];
	const char *msg = c->reply.msg;

	if (cmd >= HS_SETNAME) {
		hs_fence(c, cmd);
		if (c->hs_i == c->hs_n)
			conn_up(c);
		return 0;
	}
	if (c->reply.err && cmd == HS_ROLE && !c->url->is_sentinel &&
	    !resp_not_now(msg)) {
		/* an ACL without ROLE, an old server: a replica is then
		   found out by the -READONLY of a write (main.c not_now) */
		if (!c->role_refused)
			warnx("redis %s: ROLE refused (%s): not checking that "
			    "the server is the primary", c->url_str, msg);
		c->role_refused = 1;
		if (c->hs_i == c->hs_n)
			conn_up(c);
		return 0;
	}
	if (c->reply.err) {
		int code = 0, loading = resp_not_now(msg);

		if (cmd == HS_AUTH || (cmd == HS_PING &&
		    strncmp(msg, "NOAUTH", 6) == 0) ||
		    (cmd == HS_SELECT && strncmp(msg, "NOAUTH", 6) == 0))
			code = EX_NOPERM;
		else if (cmd == HS_SELECT && !loading)
			code = EX_CONFIG;
		snprintf(c->why, sizeof(c->why), "%s refused: %s",
		    cmd == HS_AUTH ? "AUTH" : cmd == HS_SELECT ? "SELECT" :
		    cmd == HS_ROLE ? "ROLE" : cmd == HS_RUN_ID ?
		    "EVAL of INFO server" : "PING", msg);
		if (code != 0 && !c->ever_ready)
			give_up(c, code, "redis %s: %s", c->url_str, c->why);
		else
			conn_lost(c, c->why);
		return -1;
	}
	if (cmd == HS_ROLE && strcmp(c->reply.first, "master") != 0) {
		if (c->url->is_sentinel)
			snprintf(c->why, sizeof(c->why), "%s:%d is a %s, not "
			    "the primary (failover under way?)", c->addr.host,
			    c->addr.port, c->reply.first);
		else
			snprintf(c->why, sizeof(c->why), "the server is a %s, "
			    "not the primary (ROLE): holding the lines until "
			    "it is one", c->reply.first);
		conn_lost(c, c->why);
		return -1;
	}
	if (cmd == HS_RUN_ID) {
		if (!is_run_id(c->reply.first)) {
			snprintf(c->why, sizeof(c->why), "no run_id in INFO "
			    "server (got \"%s\")", c->reply.first);
			conn_lost(c, c->why);
			return -1;
		}
		memcpy(c->run_id, c->reply.first, sizeof(c->run_id));
	}
	if (c->hs_i == c->hs_n)
		conn_up(c);
	return 0;
}

/* on_reply: one complete top-level reply in c->reply; -1: c is gone. */
static int
on_reply(struct conn *c)
{
	const char *why;

	if (c->state == CONN_HANDSHAKE)
		return hs_reply(c);
	if ((why = c->ev.reply(c->ev.arg, &c->reply)) != NULL) {
		conn_lost(c, why);
		return -1;
	}
	if (!c->proven) {
		c->proven = 1;
		backoff_reset(&c->backoff);
	}
	return 0;
}

/*
 * take_simple: the replies at the start of buf[0..n) that are integers
 * or statuses (":0" for a PUBLISH, ":N" for an APPEND, "+OK", "+QUEUED"),
 * taken as the hiredis reader would have summed them up (resp.c), while
 * the reader holds nothing: nearly every reply, at a fraction of the
 * reader's cost.  Returns the bytes taken (the reader is fed the rest),
 * or -1 if c is gone.
 */
static ssize_t
take_simple(struct conn *c, const char *buf, size_t n)
{
	size_t off = 0;

	if (c->reader->ridx != -1 || c->reader->pos != c->reader->len)
		return 0;
	while (n - off >= 4) {
		const char *p = buf + off, *cr;
		size_t left = n - off, k;

		if (p[0] == ':') {
			long long v = 0;
			int neg = p[1] == '-';

			for (k = 1 + (size_t)neg; k < left && k < 19 &&
			    (unsigned)(p[k] - '0') < 10; k++)
				v = v * 10 + (p[k] - '0');
			if (k == 1 + (size_t)neg || k + 1 >= left ||
			    p[k] != '\r' || p[k + 1] != '\n')
				break;
			c->reply.err = 0;
			c->reply.integer = neg ? -v : v;
			c->reply.first[0] = '\0';
		} else if (p[0] == '+') {
			if ((cr = memchr(p, '\r', left)) == NULL ||
			    (size_t)(cr - p) + 1 >= left || cr[1] != '\n')
				break;
			k = (size_t)(cr - p);
			c->reply.err = 0;
			c->reply.integer = 0;
			memcpy(c->reply.first, p + 1, k - 1 > 15 ? 15 : k - 1);
			c->reply.first[k - 1 > 15 ? 15 : k - 1] = '\0';
		} else {
			break;
		}
		off += k + 2;
		if (on_reply(c) < 0)
			return -1;
	}
	return (ssize_t)off;
}

/*
 * reply_too_long: n bytes were fed to the reader, and it has taken what
 * replies they completed: if it now holds part of one, that reply has
 * had n more bytes (and those of the replies before it in the same read,
 * a little more).  Past CONN_REPLY_MAX the connection is lost, as for
 * any protocol error: hiredis would hold a bulk string whole, however
 * long its announced length, and go on reading an array for ever.
 * Returns 1 if so (c is gone), else 0.
 */
static int
reply_too_long(struct conn *c, size_t n)
{
	if (c->reader->ridx == -1 && c->reader->pos == c->reader->len) {
		c->reply_run = 0;
		return 0;
	}
	c->reply_run += n;
	if (c->reply_run <= CONN_REPLY_MAX)
		return 0;
	snprintf(c->why, sizeof(c->why), "protocol error: a reply longer "
	    "than %u MiB", CONN_REPLY_MAX >> 20);
	conn_lost(c, c->why);
	return 1;
}

/* conn_read: reads and takes every complete reply, until EAGAIN. */
static void
conn_read(struct conn *c)
{
	char buf[65536];
	ssize_t n, k;
	void *reply;

	for (;;) {
		n = read(c->fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				conn_lost_errno(c, "read", errno);
			return;
		}
		if (n == 0) {
			conn_lost(c, "connection closed by server");
			return;
		}
		c->read_at = mono_ns();
		if ((k = take_simple(c, buf, (size_t)n)) < 0)
			return;
		if (k < n && redisReaderFeed(c->reader, buf + k,
		    (size_t)(n - k)) != REDIS_OK) {
			conn_lost(c, "reply buffer");
			return;
		}
		for (;;) {
			c->reply.err = 0;
			c->reply.integer = 0;
			c->reply.first[0] = '\0';
			if (redisReaderGetReply(c->reader, &reply) !=
			    REDIS_OK) {
				snprintf(c->why, sizeof(c->why),
				    "protocol error: %s", c->reader->errstr);
				conn_lost(c, c->why);
				return;
			}
			if (reply == NULL)
				break;
			if (on_reply(c) < 0)
				return;
		}
		if (reply_too_long(c, (size_t)(n - k)))
			return;
		if ((size_t)n < sizeof(buf))
			return;
	}
}

/* conn_write: writes out until done or EAGAIN. */
static void
conn_write(struct conn *c)
{
	struct resp_buf *o = &c->out;

	while (o->off < o->len) {
		ssize_t n = write(c->fd, o->buf + o->off, o->len - o->off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				conn_lost_errno(c, "write", errno);
			return;
		}
		o->off += (size_t)n;
	}
	o->off = o->len = 0;
}

/* conn_connected: the non-blocking connect finished (POLLOUT). */
static void
conn_connected(struct conn *c)
{
	int e = 0;
	socklen_t el = sizeof(e);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
		e = errno;
	if (e != 0) {
		conn_lost_errno(c, "connect", e);
		return;
	}
	conn_handshake(c);
}

/* conn_open: commands may be written: the handshake's or any. */
static int
conn_open(const struct conn *c)
{
	return c->state == CONN_HANDSHAKE || c->state == CONN_READY;
}

void
conn_tick(struct conn *c, int64_t now)
{
	const char *why;

	if (c->shard != NULL && c->state == CONN_READY) {
		if ((why = shard_tick(c->shard, now)) != NULL)
			conn_lost(c, why);
		return;
	}
	if (c->state == CONN_DOWN && now >= c->retry_at)
		conn_start(c);
	if (c->look != NULL)
		lookup_check(c, now);
	if (c->state == CONN_ASKING && now >= c->deadline) {
		snprintf(c->why, sizeof(c->why), "%s in %d ms", c->ask_up ?
		    "no reply" : "not connected", ask_ms(c));
		ask_failed(c, c->why);
	}
	if ((c->state == CONN_CONNECTING || c->state == CONN_HANDSHAKE) &&
	    now >= c->deadline)
		conn_lost(c, "connect timed out");
}

void
conn_drop(struct conn *c, const char *why)
{
	if (c->state == CONN_CONNECTING || c->state == CONN_HANDSHAKE ||
	    c->state == CONN_READY)
		conn_lost(c, why);
}

void
conn_flush(struct conn *c)
{
	if (c->shard != NULL) {
		if (c->state == CONN_READY)
			shard_flush(c->shard, &c->out);
		return;
	}
	if (conn_open(c) && resp_pending(&c->out) > 0)
		conn_write(c);
}

int
conn_poll(const struct conn *c, short *events)
{
	if (c->shard != NULL)
		return c->state == CONN_READY ? shard_poll(c->shard, events) :
		    -1;
	if (c->fd < 0 || c->state == CONN_DOWN)
		return -1;
	if (c->state == CONN_CONNECTING ||
	    (c->state == CONN_ASKING && !c->ask_up))
		*events = POLLOUT;
	else
		*events = POLLIN | (resp_pending(&c->out) > 0 ? POLLOUT : 0);
	return c->fd;
}

int64_t
conn_next_timer(const struct conn *c)
{
	if (c->shard != NULL && c->state == CONN_READY)
		return shard_next_timer(c->shard);
	if (c->state == CONN_DOWN)
		return c->retry_at;
	if (c->look != NULL) {
		int64_t t = mono_ns() + LOOKUP_POLL;

		return t < c->deadline ? t : c->deadline;
	}
	if (c->state == CONN_CONNECTING || c->state == CONN_HANDSHAKE ||
	    c->state == CONN_ASKING)
		return c->deadline;
	return INT64_MAX;
}

void
conn_io(struct conn *c, short revents)
{
	const char *why;

	if (c->shard != NULL) {
		if (c->state == CONN_READY &&
		    (why = shard_io(c->shard)) != NULL)
			conn_lost(c, why);
		return;
	}
	if (c->state == CONN_ASKING) {
		ask_io(c, revents);
		return;
	}
	if (c->state == CONN_CONNECTING)
		conn_connected(c);
	else if (revents & (POLLIN | POLLERR | POLLHUP))
		conn_read(c);
	if (conn_open(c) && (revents & POLLOUT) && resp_pending(&c->out) > 0)
		conn_write(c);
}
