/*
 * client.c: wsgate's connections, from accept to close (struct server
 * holds them all).  A connection reads its request head (httphead.c),
 * gets the response the routes make (http.c) and, for /ws, becomes a
 * WebSocket client: client frames are read here (headers decoded by
 * frame.c: masking, fragmentation, control frames, size limit, the close
 * handshake), the JSON client protocol is handled here and passed to the
 * hub, and everything sent goes through the client's own output queue
 * of shared frames (frame.c).  Data frames from Redis are built once by
 * the hub and only referenced here; pongs and close frames are private
 * frames in the same queue, so the byte order on the wire is the queue
 * order.  The hub reaches a client only through the callbacks of its
 * struct hub_peer (peer_cbs below).
 *
 * An idle WebSocket client holds no input buffer: bytes are read into
 * the stack and handled there; only a frame that arrived in part is kept
 * (ibuf, freed once whole), and a fragmented message while it lasts
 * (msg).  Most of what a subscribed client costs is its struct, its two
 * events and its hub_peer.
 *
 * Closing is never done inside a frame handler or hiredis callback: client_doom()
 * records the wish and marks the client dirty; flush_cb(), a libevent
 * event activated for the purpose, writes queued output, carries out
 * closes and frees dead clients after every other callback has
 * returned.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include "client.h"
#include "conflate.h"
#include "frame.h"
#include "http.h"
#include "httphead.h"
#include "util.h"

/* how long a closing client gets to read what is left and answer */
#define CLOSE_GRACE_NS	(10 * 1000000000LL)

/*
 * --handshake-timeout in ns: the time to send a request head, and the
 * time an HTTP response may wait with the client taking none of it
 */
static int64_t
hs_ns(const struct server *s)
{
	return (int64_t)s->conf->handshake_timeout * 1000000000LL;
}

enum client_state {
	C_HTTP,		/* reading the request */
	C_HTTP_DONE,	/* response queued; shut down after flush */
	C_LINGER,	/* write side shut, draining input until EOF */
	C_WS,		/* WebSocket open */
	C_CLOSING,	/* close frame queued, waiting for flush + peer close */
	C_DEAD		/* fd closed, waiting to be reaped */
};

struct client {
	struct server	*s;
	int		 fd;
	uint64_t	 id;
	enum client_state st;
	struct event	*rev, *wev;
	char		 addr[64];
	int64_t		 t_start;	/* mono ns: accept */
	int64_t		 t_rx;		/* mono ns: last bytes received */
	int64_t		 deadline;	/* mono ns: closing/linger limit */
	/* HTTP */
	char		*hbuf;
	size_t		 hlen;
	size_t		 pre_off;	/* bytes of hbuf already read as frames */
	size_t		 pre_len;	/* bytes of hbuf after the request */
	int		 http_eof;	/* EOF with the response still queued */
	/* WebSocket */
	int		 ws;		/* WebSocket open (counted in nws) */
	int		 rd_off;	/* reads no more frames: closed, failed */
	int		 close_sent, close_rcvd;
	int		 code_sent;	/* the close code we sent (1005: none) */
	unsigned char	*ibuf;		/* a frame that came in part, or NULL */
	size_t		 ilen;
	unsigned char	*msg;		/* a fragmented message so far */
	size_t		 mlen;
	int		 mop;		/* its opcode; 0: none */
	struct hub_peer	*peer;		/* while ws */
	struct outq	 q;
	size_t		 big;		/* largest live frame since q was empty */
	int		 doom_code;	/* close requested from a callback */
	char		 doom_reason[64];
	int		 doom_drop;	/* discard the output queue first */
	int		 slow;		/* cut for the output cap, counted */
	int		 behind;	/* past half the cap: books conflated */
	int		 behind_due;	/* ...by the flush event */
	int		 moving;	/* ...being done now */
	int		 shed;		/* book frames dropped before it */
	int		 close_counted;
	int		 write_armed;
	int		 dirty;
	struct client	*prev, *next;	/* s->clients */
	struct client	*dnext;		/* s->dirty / s->graveyard */
};

static void client_read_cb(evutil_socket_t, short, void *);
static void client_write_cb(evutil_socket_t, short, void *);
static void flush_cb(evutil_socket_t, short, void *);
static void client_doom(struct client *, int, const char *, int);
static void ws_close(struct client *, int, const void *, size_t);

/* --- life cycle --- */

/*
 * server_init: s starts with no connection; its clients use base, conf,
 * st and hub.  0, or -1 out of memory.
 */
int
server_init(struct server *s, struct event_base *base,
    const struct wsgate_conf *conf, struct wsgate_stats *st, struct hub *hub)
{
	memset(s, 0, sizeof(*s));
	s->base = base;
	s->conf = conf;
	s->st = st;
	s->hub = hub;
	s->t0 = mono_ns();
	ratelog_init(&s->close_log, 1, WSGATE_LOG_EVERY_NS, NULL,
	    "lines like the one above not logged");
	s->flush_ev = event_new(base, -1, 0, flush_cb, s);
	return s->flush_ev != NULL ? 0 : -1;
}

/* server_accept: fd, a new connection from addr, is s's to serve. */
void
server_accept(struct server *s, int fd, const char *addr)
{
	struct client *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		close(fd);
		return;
	}
	c->s = s;
	c->fd = fd;
	c->id = ++s->next_id;
	c->st = C_HTTP;
	snprintf(c->addr, sizeof(c->addr), "%s", addr);
	c->t_start = c->t_rx = mono_ns();
	c->rev = event_new(s->base, fd, EV_READ | EV_PERSIST, client_read_cb,
	    c);
	c->wev = event_new(s->base, fd, EV_WRITE | EV_PERSIST,
	    client_write_cb, c);
	if (c->rev == NULL || c->wev == NULL || event_add(c->rev, NULL) != 0) {
		if (c->rev)
			event_free(c->rev);
		if (c->wev)
			event_free(c->wev);
		close(fd);
		free(c);
		return;
	}
	c->next = s->clients;
	if (s->clients)
		s->clients->prev = c;
	s->clients = c;
	s->nconn++;
	s->st->connections++;
}

static void
client_free(struct client *c)
{
	outq_free(&c->q);
	free(c->hbuf);
	free(c->ibuf);
	free(c->msg);
	free(c);
}

/*
 * client_kill: closes the socket now and detaches the client from
 * everything; the memory goes to the graveyard and is freed by the flush
 * event (callers may still be holding c).
 */
static void
client_kill(struct client *c)
{
	struct server *s = c->s;

	if (c->st == C_DEAD)
		return;
	if (c->ws)
		s->nws--;
	if (c->peer != NULL) {
		hub_peer_drop(c->peer);
		c->peer = NULL;
	}
	event_del(c->rev);
	event_del(c->wev);
	event_free(c->rev);
	event_free(c->wev);
	c->rev = c->wev = NULL;
	close(c->fd);
	c->fd = -1;
	c->st = C_DEAD;
	c->ws = 0;
	free(c->ibuf);
	free(c->msg);
	c->ibuf = c->msg = NULL;
	c->ilen = c->mlen = 0;
	outq_free(&c->q);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nconn--;
	if (!c->dirty) {
		c->dnext = s->graveyard;
		s->graveyard = c;
		c->dirty = 2;
		event_active(s->flush_ev, EV_TIMEOUT, 0);
	}
}

static void
client_mark_dirty(struct client *c)
{
	struct server *s = c->s;

	if (c->dirty || c->st == C_DEAD)
		return;
	c->dirty = 1;
	c->dnext = s->dirty;
	s->dirty = c;
	event_active(s->flush_ev, EV_TIMEOUT, 0);
}

/*
 * client_slow: closes c with 1008 after discarding its queue, for
 * falling behind; counted once per client however long it takes.
 */
static void
client_slow(struct client *c, const char *reason)
{
	if (!c->slow) {
		c->slow = 1;
		c->s->st->slow_disconnects++;
	}
	client_doom(c, 1008, reason, 1);
}

/*
 * client_queued: the bytes queued to c that count against the output
 * cap: neither history frames (the hub paces them) nor the largest live
 * frame queued since the queue was last empty, so that one message of
 * any size (redispub's 1 MiB lines, the answer to "channels") reaches a
 * client that keeps up, on its own or amid others, while one that falls
 * behind holds at most the cap and that message.
 */
static size_t
client_queued(const struct client *c)
{
	size_t live = c->q.bytes - c->q.hist;

	return live > c->big ? live - c->big : 0;
}

/*
 * client_behind: c's queue is past half the output cap: the hub moves
 * its unconflated book channels to conflation (wsgate(1)
 * --slow-client-hz) and tells it so; when no book frame can reach it
 * unconflated any more, the queued ones are dropped, since the join
 * snapshot of each conflated channel replaces them.  Tried once until
 * the queue is back under the threshold.  Done by the flush event (the
 * hub may be amid a client's books when its queue passes the mark),
 * which then cuts the client if it is still past the cap, or if book
 * frames were dropped ahead of the move (client_shed) and the move did
 * not take them all: it would miss messages of a book still unconflated.
 */
static void
client_behind(struct client *c)
{
	size_t dropped = 0;
	int all, n;

	c->behind_due = 0;
	c->moving = 1;
	n = c->peer != NULL ? hub_peer_behind(c->peer, &all) : 0;
	if (n > 0 && all)
		dropped = outq_drop_book(&c->q);
	c->moving = 0;
	c->s->st->dropped += dropped;
	if (c->s->conf->verbose)
		fprintf(stderr, "wsgate: client %s: behind: %d book channels "
		    "conflated, %zu book messages dropped, %zu bytes queued\n",
		    c->addr, n, dropped, c->q.bytes - c->q.hist);
	if (client_queued(c) > c->s->conf->output_cap ||
	    (c->shed && !(n > 0 && all)))
		client_slow(c, "slow client: output cap exceeded");
	c->shed = 0;
}

/*
 * client_shed: c's queue passed the output cap while its move to
 * conflation waits for the flush event (client_behind): the book frames
 * the move is to drop are dropped now, and those queued to it until then
 * are not queued (client_enqueue), so that it never holds more than the
 * cap and one message (wsgate(1) --output-cap).  Waiting for the move
 * let it hold twice the cap within one loop turn, and cut it at twice
 * the cap, book frames the move would have dropped and all.
 */
static void
client_shed(struct client *c)
{
	c->shed = 1;
	c->s->st->dropped += outq_drop_book(&c->q);
}

/*
 * client_enqueue: queues f (taking a reference) and schedules a write.
 * Past half the output cap (client_queued) its book channels go to
 * conflation (client_behind); past the cap before that is done, its
 * book frames are dropped at once (client_shed); past the cap still, the
 * client is doomed (closed 1008 after its queue is discarded); nothing
 * more is queued to it.
 */
static void
client_enqueue(struct client *c, struct frame *f)
{
	struct server *s = c->s;

	if (c->st == C_DEAD || (c->doom_code && c->doom_drop) ||
	    (c->shed && (f->kind == FRAME_SNAPSHOT ||
	    f->kind == FRAME_DELTA))) {
		s->st->dropped++;
		return;
	}
	if (c->q.n == 0)
		c->big = 0;
	if (outq_push(&c->q, f) != 0) {
		s->st->dropped++;
		client_doom(c, 1011, "out of memory", 1);
		return;
	}
	if (!f->hist && f->len > c->big)
		c->big = f->len;
	if (client_queued(c) > s->conf->output_cap / 2 &&
	    c->st == C_WS && c->peer != NULL && !c->behind && !c->doom_code)
		c->behind = c->behind_due = 1;	/* flush_cb: client_behind */
	if (client_queued(c) > s->conf->output_cap && !c->moving &&
	    c->behind_due && !c->shed)
		client_shed(c);
	if (client_queued(c) > s->conf->output_cap && !c->moving &&
	    (c->st == C_WS || c->st == C_CLOSING)) {
		client_slow(c, "slow client: output cap exceeded");
		return;
	}
	client_mark_dirty(c);
}

/* client_deliver: queues a data frame to a client, or counts it dropped. */
static void
client_deliver(struct client *c, struct frame *f)
{
	if (c->st != C_WS || (c->doom_code && c->doom_drop)) {
		c->s->st->dropped++;
		return;
	}
	c->s->st->msgs_out++;
	client_enqueue(c, f);
}

/*
 * client_send_json: queues the message j (stolen).  Without it the
 * client is closed (1011): a notice it misses (book_invalid, redis_down)
 * would leave it trusting a book it should not.  j NULL is a message
 * json_pack could not make (a string not UTF-8, or out of memory), said
 * as such: only the frame's own allocation is known to be memory.
 */
static void
client_send_json(struct client *c, json_t *j)
{
	struct frame *f;

	if (j == NULL) {
		fprintf(stderr, "wsgate: %s: a message could not be made\n",
		    c->addr);
		client_doom(c, 1011, "internal error", 1);
		return;
	}
	if ((f = frame_json(j)) == NULL) {
		client_doom(c, 1011, "out of memory", 1);
		return;
	}
	client_enqueue(c, f);
	frame_unref(f);
}

static void
client_error(struct client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * text_mend: s, NUL-terminated, made UTF-8 for a JSON string (json_pack
 * refuses any other): a last character cut by a byte limit is dropped,
 * any other byte not part of a well-formed character becomes '?'.
 */
static void
text_mend(char *s)
{
	size_t n = utf8_cut(s, strlen(s)), i = 0, k;
	unsigned char b;

	s[n] = 0;
	while (i < n) {
		b = (unsigned char)s[i];
		k = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
		if (k <= n - i && utf8_valid(s + i, k))
			i += k;
		else
			s[i++] = '?';
	}
}

/*
 * client_error: tells c {"type":"error","reason":...}.  The buffer takes
 * a channel name (256 bytes) with hub.c's longest reasons; a longer
 * reason is cut at a character, never inside one (text_mend).
 */
static void
client_error(struct client *c, const char *fmt, ...)
{
	char reason[640];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	text_mend(reason);
	c->s->st->client_errors++;
	client_send_json(c, json_pack("{s:s,s:s}", "type", "error",
	    "reason", reason));
}

/*
 * client_doom: asks for the connection to be closed with code and reason
 * (drop: discard queued output first, for slow clients).  Safe inside any
 * callback; the flush event does it.
 */
static void
client_doom(struct client *c, int code, const char *reason, int drop)
{
	if (c->st == C_DEAD)
		return;
	if (c->doom_code == 0) {
		c->doom_code = code;
		snprintf(c->doom_reason, sizeof(c->doom_reason), "%s", reason);
	}
	if (drop)
		c->doom_drop = 1;
	client_mark_dirty(c);
}

static void
count_close(struct client *c, int code)
{
	if (c->close_counted)
		return;
	c->close_counted = 1;
	if (code >= 1000 && code <= 1015)
		c->s->st->close_codes[code - 1000]++;
}

/* Carries out a doom: queue the close frame, go CLOSING. */
static void
client_do_doom(struct client *c)
{
	struct server *s = c->s;

	if (c->st == C_HTTP || c->st == C_HTTP_DONE || c->st == C_LINGER) {
		client_kill(c);
		return;
	}
	if (c->doom_drop) {
		s->st->dropped += outq_drop(&c->q);
		c->doom_drop = 0;	/* the close frame must get through */
	}
	if (c->st == C_WS && !c->close_sent) {
		ws_close(c, c->doom_code, c->doom_reason,
		    strlen(c->doom_reason));
		count_close(c, c->doom_code);
		if (s->conf->verbose)
			fprintf(stderr, "wsgate: client %s: closing %d: %s\n",
			    c->addr, c->doom_code, c->doom_reason);
		else if (c->doom_code == 1008)
			ratelog_say(&s->close_log, mono_ns(), "client %s: "
			    "closing %d: %s", c->addr, c->doom_code,
			    c->doom_reason);
	}
	if (c->st == C_WS) {
		c->st = C_CLOSING;
		c->deadline = mono_ns() + CLOSE_GRACE_NS;
	}
}

/* After output drained: move HTTP and closing connections along. */
static void
client_drained(struct client *c)
{
	if (c->st == C_HTTP_DONE && c->http_eof) {
		client_kill(c);		/* all sent; the client said all */
		return;
	}
	if (c->st == C_HTTP_DONE) {
		shutdown(c->fd, SHUT_WR);
		c->st = C_LINGER;
		c->deadline = mono_ns() + CLOSE_GRACE_NS;
		return;
	}
	if (c->st != C_CLOSING || !c->close_sent)
		return;
	if (c->close_rcvd) {
		client_kill(c);	/* the server closes TCP first (RFC 6455 7.1.1) */
	} else if (c->rd_off) {
		/*
		 * we failed the connection (protocol error, bad UTF-8,
		 * too big) and reads no more: end our side and wait for the
		 * peer's EOF, so our close frame is not lost to a reset.
		 */
		shutdown(c->fd, SHUT_WR);
		c->st = C_LINGER;
		c->deadline = mono_ns() + CLOSE_GRACE_NS;
	}
}

static void
client_write(struct client *c)
{
	size_t before = c->q.bytes;

	if (outq_write(&c->q, c->fd, &c->s->st->bytes_out,
	    &c->s->st->lat_out) != 0) {
		client_kill(c);
		return;
	}
	/* an HTTP response ends if the client takes none of it for long */
	if (c->st == C_HTTP_DONE && c->q.bytes < before)
		c->deadline = mono_ns() + hs_ns(c->s);
	if (c->peer != NULL)
		hub_peer_drained(c->peer);	/* history read on, paced */
	if (client_queued(c) <= c->s->conf->output_cap / 2)
		c->behind = 0;
	if (c->q.n > 0) {
		if (!c->write_armed) {
			event_add(c->wev, NULL);
			c->write_armed = 1;
		}
		return;
	}
	if (c->write_armed) {
		event_del(c->wev);
		c->write_armed = 0;
	}
	outq_trim(&c->q);
	client_drained(c);
}

static void
client_write_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	client_write(arg);
}

/*
 * flush_cb: the deferred work.  Runs after the callbacks that queued
 * output: carries out dooms, writes every dirty client once (so a burst
 * of Redis messages goes out in one writev per client), and frees the
 * clients killed meanwhile.
 */
static void
flush_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;

	(void)fd;
	(void)what;
	while (s->dirty != NULL) {
		struct client *c = s->dirty;

		s->dirty = c->dnext;
		c->dirty = 0;
		if (c->st == C_DEAD) {
			c->dnext = s->graveyard;
			s->graveyard = c;
			c->dirty = 2;
			continue;
		}
		if (c->behind_due && c->st == C_WS && !c->doom_code)
			client_behind(c);
		else if (c->shed && !c->doom_drop)	/* none moved */
			client_slow(c, "slow client: output cap exceeded");
		c->behind_due = c->shed = 0;
		if (c->doom_code && c->st != C_CLOSING)
			client_do_doom(c);
		if (c->st != C_DEAD)
			client_write(c);
		if (c->st == C_DEAD && c->dirty == 0) {
			c->dnext = s->graveyard;
			s->graveyard = c;
			c->dirty = 2;
		}
	}
	while (s->graveyard != NULL) {
		struct client *c = s->graveyard;

		s->graveyard = c->dnext;
		client_free(c);
	}
}

/* --- what the hub may do to a client (struct hub_peer_cbs) --- */

static void
peer_deliver_cb(void *arg, struct frame *f)
{
	client_deliver(arg, f);
}

static void
peer_notice_cb(void *arg, struct frame *f)
{
	struct client *c = arg;

	if (c->st == C_WS && !c->doom_code)
		client_enqueue(c, f);
}

static void
peer_error_cb(void *arg, const char *reason)
{
	client_error(arg, "%s", reason);
}

static void
peer_fail_cb(void *arg, int code, const char *reason)
{
	client_doom(arg, code, reason, 1);
}

static int
peer_open_cb(void *arg)
{
	return ((struct client *)arg)->st == C_WS;
}

static size_t
peer_history_cb(void *arg)
{
	return ((struct client *)arg)->q.hist;
}

static size_t
peer_queued_cb(void *arg)
{
	return client_queued(arg);
}

static const struct hub_peer_cbs peer_cbs = {
	peer_deliver_cb, peer_notice_cb, peer_error_cb, peer_fail_cb,
	peer_open_cb, peer_history_cb, peer_queued_cb
};

/* --- WebSocket: what wsgate says itself (RFC 6455 5.5) --- */

/* ws_control: queues the control frame op with payload p (n <= 125). */
static void
ws_control(struct client *c, int op, const void *p, size_t n)
{
	unsigned char b[2 + 125];
	struct frame *f;

	b[0] = (unsigned char)(0x80 | op);
	b[1] = (unsigned char)n;
	memcpy(b + 2, p, n);
	if ((f = frame_raw(b, 2 + n)) == NULL) {
		client_doom(c, 1011, "out of memory", 1);
		return;
	}
	client_enqueue(c, f);
	frame_unref(f);
}

/*
 * ws_close: queues our close frame, once: code and reason (at most 123
 * bytes), or no payload for code 0 (then 1005 counts as the code sent).
 */
static void
ws_close(struct client *c, int code, const void *reason, size_t n)
{
	unsigned char b[125];

	if (c->close_sent)
		return;
	c->close_sent = 1;
	c->code_sent = code != 0 ? code : 1005;
	if (code == 0) {
		ws_control(c, 0x8, "", 0);
		return;
	}
	if (n > sizeof(b) - 2)
		n = sizeof(b) - 2;
	b[0] = (unsigned char)(code >> 8);
	b[1] = (unsigned char)code;
	memcpy(b + 2, reason, n);
	ws_control(c, 0x8, b, 2 + n);
}

/* ws_fail: the client broke the protocol: close with code, read no more. */
static void
ws_fail(struct client *c, int code, const char *reason)
{
	c->rd_off = 1;
	ws_close(c, code, reason, strlen(reason));
}

/* --- the client protocol --- */

static int
channel_ok(const char *s, size_t n)
{
	if (n == 0 || n > 256)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return 0;
	return 1;
}

/*
 * Handles "subscribe" (with "max_hz", conflated: 1..CFL_HZ_MAX) and
 * "unsubscribe".  "unsubscribed" is answered at once; "subscribed" by
 * the hub, once Redis has every channel of the request (wsgate(1)).
 */
static void
client_op_channels(struct client *c, json_t *msg, int sub)
{
	json_t *chs = json_object_get(msg, "channels"), *done, *v;
	json_t *hzv = json_object_get(msg, "max_hz");
	unsigned hz = 0;
	size_t i;

	if (!json_is_array(chs)) {
		client_error(c, "\"channels\" must be an array of strings");
		return;
	}
	if (sub && hzv != NULL) {
		if (!json_is_integer(hzv) || json_integer_value(hzv) < 1 ||
		    json_integer_value(hzv) > CFL_HZ_MAX) {
			client_error(c, "\"max_hz\" must be an integer from "
			    "1 to %d", CFL_HZ_MAX);
			return;
		}
		hz = (unsigned)json_integer_value(hzv);
	}
	if (sub && hub_waiting(c->peer) >= HUB_WAITING_MAX) {
		client_error(c, "too many subscribes waiting for Redis (at most "
		    "%d)", HUB_WAITING_MAX);
		return;
	}
	done = json_array();
	json_array_foreach(chs, i, v) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		char why[128];

		if (s == NULL || !channel_ok(s, n) || memchr(s, 0, n)) {
			client_error(c, "invalid channel name (1 to 256 "
			    "bytes, no spaces or control characters)");
			continue;
		}
		if (sub) {
			if (hub_subscribe(c->peer, s, n, hz, why,
			    sizeof(why)) != 0) {
				client_error(c, "%s: %s", s, why);
				continue;
			}
		} else if (hub_unsubscribe(c->peer, s, n) != 0) {
			continue;
		}
		json_array_append_new(done, json_stringn(s, n));
	}
	if (sub)
		hub_subscribed(c->peer, done);	/* once in effect */
	else
		client_send_json(c, json_pack("{s:s,s:o}", "type",
		    "unsubscribed", "channels", done));
}

static void
client_message(struct client *c, const uint8_t *p, size_t n)
{
	json_error_t je;
	json_t *msg, *id;
	const char *op;

	c->s->st->client_msgs++;
	msg = json_loadb((const char *)p, n, JSON_REJECT_DUPLICATES, &je);
	if (msg == NULL) {
		client_error(c, "invalid JSON: %s", je.text);
		return;
	}
	op = json_string_value(json_object_get(msg, "op"));
	if (!json_is_object(msg) || op == NULL)
		client_error(c, "expected an object with a string \"op\"");
	else if (strcmp(op, "subscribe") == 0)
		client_op_channels(c, msg, 1);
	else if (strcmp(op, "unsubscribe") == 0)
		client_op_channels(c, msg, 0);
	else if (strcmp(op, "ping") == 0) {
		json_t *r = json_pack("{s:s}", "type", "pong");

		if ((id = json_object_get(msg, "id")) != NULL)
			json_object_set(r, "id", id);
		client_send_json(c, r);
	} else if (strcmp(op, "channels") == 0) {
		if (hub_channels(c->peer) != 0)
			client_error(c, "channels: redis unavailable");
	} else
		client_error(c, "unknown op \"%.*s\"",
		    (int)utf8_cut(op, strnlen(op, 32)), op);
	json_decref(msg);
}

/* --- WebSocket: what the client says (RFC 6455 5) --- */

/* ws_message: a whole data message (op 1 text, 2 binary) from c. */
static void
ws_message(struct client *c, int op, const unsigned char *p, size_t n)
{
	if (c->doom_code)
		return;
	/*
	 * These fail the connection at once, as a bad frame does (RFC 6455
	 * 7.1.7): reading stops here, so that a ping or a message sent
	 * after it is not answered and a later bad frame cannot change the
	 * close code (a deferred client_doom did both).  client_ws_after
	 * counts the error.
	 */
	if (op == 0x2) {
		ws_fail(c, 1003, "binary messages are not accepted");
		return;
	}
	if (!utf8_valid((const char *)p, n)) {
		ws_fail(c, 1007, "invalid UTF-8 in text message");
		return;
	}
	client_message(c, p, n);
}

/* A close frame came (payload p, n bytes): answer it, read no more. */
static void
ws_got_close(struct client *c, const unsigned char *p, size_t n)
{
	int code = 0;

	if (n == 1) {
		ws_fail(c, 1002, "bad close frame");
		return;
	}
	if (n >= 2) {
		code = p[0] << 8 | p[1];
		if (!((code >= 1000 && code <= 1011 && code != 1004 &&
		    code != 1005 && code != 1006) ||
		    (code >= 3000 && code <= 4999))) {
			ws_fail(c, 1002, "bad close code");
			return;
		}
	}
	/* the reason is UTF-8 (RFC 6455 5.5.1): not echoed otherwise */
	if (n > 2 && !utf8_valid((const char *)p + 2, n - 2)) {
		ws_fail(c, 1007, "invalid UTF-8 in close reason");
		return;
	}
	c->close_rcvd = 1;
	c->rd_off = 1;
	ws_close(c, code, p + 2, n >= 2 ? n - 2 : 0);	/* the echo */
}

/*
 * ws_frame: one whole frame (header h, payload p unmasked).  Fragments
 * of a data message are gathered in c->msg, allocated for them only;
 * control frames may come between them.
 */
static void
ws_frame(struct client *c, const struct ws_head *h, const unsigned char *p)
{
	size_t n = (size_t)h->plen;
	unsigned char *m;

	switch (h->op) {
	case 0x8:
		ws_got_close(c, p, n);
		return;
	case 0x9:
		if (!c->close_sent)
			ws_control(c, 0xa, p, n);	/* pong */
		return;
	case 0xa:
		return;
	case 0x0:
		if (c->mop == 0) {
			ws_fail(c, 1002, "continuation without a message");
			return;
		}
		break;
	default:
		if (c->mop != 0) {
			ws_fail(c, 1002, "message inside a message");
			return;
		}
		if (h->fin) {
			ws_message(c, h->op, p, n);
			return;
		}
		c->mop = h->op;
		break;
	}
	if ((m = realloc(c->msg, c->mlen + n + 1)) == NULL) {
		client_doom(c, 1011, "out of memory", 1);
		c->rd_off = 1;
		return;
	}
	memcpy(m + c->mlen, p, n);
	c->msg = m;
	c->mlen += n;
	if (h->fin) {
		ws_message(c, c->mop, c->msg, c->mlen);
		free(c->msg);
		c->msg = NULL;
		c->mlen = 0;
		c->mop = 0;
	}
}

/*
 * ws_frames: handles the whole frames among the n bytes at p (changed:
 * payloads are unmasked in place).  Returns how many bytes were used; the
 * rest is the start of a frame, or nothing to keep once reading is off.
 * A data frame that would make its message longer than --max-message
 * fails the connection (1009) before its payload is waited for.
 */
static size_t
ws_frames(struct client *c, unsigned char *p, size_t n)
{
	size_t off = 0;
	struct ws_head h;
	int r;

	while (off < n && !c->rd_off) {
		if ((r = ws_head(p + off, n - off, &h)) == WS_HEAD_MORE)
			break;
		if (r != 0) {
			ws_fail(c, r, "protocol error");
			break;
		}
		if (h.op < 0x8 && h.plen > c->s->conf->max_msg - c->mlen) {
			ws_fail(c, 1009, "message too big");
			break;
		}
		if (n - off - h.hlen < h.plen)
			break;
		ws_unmask(p + off + h.hlen, (size_t)h.plen, h.mask);
		ws_frame(c, &h, p + off + h.hlen);
		off += h.hlen + (size_t)h.plen;
	}
	return c->rd_off ? n : off;
}

/*
 * ws_input: n bytes read from c (in a buffer the caller reuses).  With
 * no part frame kept they are handled where they are and only what is
 * left of a frame is copied; else they join c->ibuf.  c->ibuf is freed
 * as soon as it holds no part frame.  0, or -1 out of memory.
 */
static int
ws_input(struct client *c, unsigned char *p, size_t n)
{
	unsigned char *b;
	size_t used;

	if (c->ilen > 0) {
		if ((b = realloc(c->ibuf, c->ilen + n)) == NULL)
			return -1;
		memcpy(b + c->ilen, p, n);
		c->ibuf = b;
		p = b;
		n += c->ilen;
	}
	used = ws_frames(c, p, n);
	if (used == n) {
		free(c->ibuf);
		c->ibuf = NULL;
		c->ilen = 0;
		return 0;
	}
	if (p == c->ibuf) {
		memmove(c->ibuf, c->ibuf + used, n - used);
	} else {
		if ((b = malloc(n - used)) == NULL)
			return -1;
		memcpy(b, p + used, n - used);
		free(c->ibuf);
		c->ibuf = b;
	}
	c->ilen = n - used;
	return 0;
}

/*
 * ws_read: handles what the client sent: first the bytes that followed
 * its request head in hbuf, then what the socket has (read until it has
 * no more, or reading is off).  0, or -1 at EOF, on an error or out of
 * memory: the connection is over.
 */
/*
 * ws_read: reads and handles the client's frames, at most WS_READ_TURN
 * reads of buf a call: the read event is level triggered, so what is
 * left is read on the loop's next turn, after every other client's and
 * Redis's events.  Reading one socket until it is empty let a client
 * that sends without pause hold up all the others, and the replies it
 * asked for grow past the output cap before the flush could check it.
 */
#define WS_READ_TURN	4

static int
ws_read(struct client *c)
{
	unsigned char buf[16384];
	ssize_t n;
	int turns = 0;

	while (!c->rd_off && turns++ < WS_READ_TURN) {
		if (c->pre_off < c->pre_len) {
			n = (ssize_t)(c->pre_len - c->pre_off);
			if ((size_t)n > sizeof(buf))
				n = sizeof(buf);
			memcpy(buf, c->hbuf + c->hlen - c->pre_len +
			    c->pre_off, (size_t)n);
			c->pre_off += (size_t)n;
		} else if ((n = recv(c->fd, buf, sizeof(buf), 0)) > 0) {
			c->t_rx = mono_ns();
			c->s->st->client_bytes += (uint64_t)n;
		} else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			return 0;
		} else {
			return -1;
		}
		if (ws_input(c, buf, (size_t)n) != 0)
			return -1;
		if ((size_t)n < sizeof(buf) && c->pre_off >= c->pre_len)
			return 0;	/* the socket is likely empty */
	}
	return 0;
}

/*
 * client_ws_open: the 101 response is queued; from here on the client
 * speaks WebSocket.  Bytes that followed the request in hbuf are read
 * as frames first.
 */
static void
client_ws_open(struct client *c)
{
	struct server *s = c->s;

	if ((c->peer = hub_peer_new(s->hub, &peer_cbs, c)) == NULL) {
		client_kill(c);
		return;
	}
	c->ws = 1;
	c->st = C_WS;
	c->t_rx = mono_ns();
	s->nws++;
	s->st->ws_opened++;
	if (!hub_redis_up(s->hub))
		client_send_json(c, json_pack("{s:s,s:s,s:s}", "type",
		    "gateway", "status", "redis_down", "reason",
		    "not connected to redis"));
	if (c->pre_len == 0) {
		free(c->hbuf);
		c->hbuf = NULL;
		c->hlen = 0;
	} else {
		client_read_cb(c->fd, EV_READ, c);	/* pipelined frames */
	}
}

/* After ws_read: notice closes (ours, or the echo of the client's). */
static void
client_ws_after(struct client *c, int rv)
{
	if (!c->ws)
		return;
	if (c->close_sent) {
		if (!c->close_counted) {
			int code = c->code_sent;

			count_close(c, code);
			if (code != 1000 && code != 1005)
				c->s->st->client_errors++;
		}
		if (c->st == C_WS) {
			c->st = C_CLOSING;
			c->deadline = mono_ns() + CLOSE_GRACE_NS;
		}
	}
	if (rv != 0) {
		/* EOF or I/O error: nothing more can be said */
		client_kill(c);
		return;
	}
	if (c->pre_len != 0 && c->pre_off >= c->pre_len) {
		free(c->hbuf);
		c->hbuf = NULL;
		c->hlen = c->pre_len = c->pre_off = 0;
	}
	client_mark_dirty(c);
}

/* --- HTTP --- */

/* Marks an HTTP response queued: the connection ends after the flush. */
static void
client_http_done(struct client *c)
{
	c->st = C_HTTP_DONE;
	c->deadline = mono_ns() + hs_ns(c->s);
	client_mark_dirty(c);
}

/*
 * client_respond: queues response r and counts it; a 101 makes c a
 * WebSocket client, any other status ends the connection after it.
 */
static void
client_respond(struct client *c, const struct http_resp *r)
{
	struct server *s = c->s;
	char h[1024];
	size_t n = http_resp_head(r, h, sizeof(h));
	struct frame *f;

	if (r->why != NULL && s->conf->verbose)
		fprintf(stderr, "wsgate: http %s: %d: %s\n", c->addr,
		    r->status, r->why);
	if (r->status >= 100 && r->status < 600)
		s->st->http[r->status]++;
	if (r->status == 101) {
		struct http_resp e = { 0 };

		if ((f = frame_raw(h, n)) == NULL) {
			http_error(&e, 500, NULL, "out of memory");
			client_respond(c, &e);
			return;
		}
		client_enqueue(c, f);
		frame_unref(f);
		client_ws_open(c);
		return;
	}
	if ((f = frame_raw(h, n)) != NULL) {
		client_enqueue(c, f);
		frame_unref(f);
	}
	if (!r->head && r->len > 0 && (f = frame_raw(r->body, r->len)) !=
	    NULL) {
		client_enqueue(c, f);
		frame_unref(f);
	}
	client_http_done(c);
}

/* client_timeout: no complete request head in time: 408. */
static void
client_timeout(struct client *c)
{
	struct http_resp r = { 0 };

	c->s->st->handshake_timeouts++;
	http_error(&r, 408, NULL, "request not received in time");
	r.head = c->hlen >= 5 && memcmp(c->hbuf, "HEAD ", 5) == 0;
	client_respond(c, &r);
}

/* What the routes see of s now. */
static void
server_env(struct server *s, struct http_env *e)
{
	e->conf = s->conf;
	e->st = s->st;
	e->gauges.clients = s->nws;
	e->gauges.connections = s->nconn;
	e->gauges.subscriptions = hub_nsubs(s->hub);
	e->gauges.redis_up = hub_redis_up(s->hub);
	e->gauges.uptime = (double)(mono_ns() - s->t0) / 1e9;
	e->stopping = s->stopping;
}

/*
 * client_http_read: reads what is there, and once the head is complete
 * answers it.  Bytes after the head stay in hbuf (pre_len) for ws_read.
 */
static void
client_http_read(struct client *c)
{
	struct httphead h;
	struct http_resp r = { 0 };
	struct http_env e;
	ssize_t n;
	int st;

	if (c->hbuf == NULL && (c->hbuf = malloc(HTTPHEAD_MAX + 1)) == NULL) {
		client_doom(c, 1011, "", 1);
		return;
	}
	n = recv(c->fd, c->hbuf + c->hlen, HTTPHEAD_MAX - c->hlen, 0);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		client_doom(c, 1001, "", 1);
		return;
	}
	if (n < 0)
		return;
	c->hlen += (size_t)n;
	if ((st = httphead_parse(c->hbuf, c->hlen, &h)) == HTTPHEAD_MORE)
		return;
	if (st != HTTPHEAD_OK) {
		http_error(&r, st, NULL, h.why);
		r.head = h.head;	/* no body, an error too: wsgate(1) */
		client_respond(c, &r);
		return;
	}
	c->pre_len = c->hlen - h.len;
	c->pre_off = 0;
	server_env(c->s, &e);
	http_route(&e, &h, &r);
	client_respond(c, &r);
	http_resp_free(&r);
}

static void
client_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct client *c = arg;

	(void)what;
	if (c->st == C_HTTP) {
		client_http_read(c);
		return;
	}
	if (c->st == C_HTTP_DONE || c->st == C_LINGER) {
		char junk[4096];
		ssize_t n = recv(fd, junk, sizeof(junk), 0);

		/*
		 * EOF before the response is out is a half-close: the
		 * client may still read, and gets the whole response
		 * (read no more; --handshake-timeout still bounds a
		 * client that takes none of it)
		 */
		if (n == 0 && c->st == C_HTTP_DONE) {
			event_del(c->rev);
			c->http_eof = 1;
			return;
		}
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			client_kill(c);
		return;
	}
	if (c->st == C_WS || c->st == C_CLOSING) {
		int rv = 0;

		if (!c->rd_off)
			rv = ws_read(c);
		else {
			/* after the peer's close: drain, notice EOF */
			char junk[4096];
			ssize_t n = recv(fd, junk, sizeof(junk), 0);

			if (n == 0 || (n < 0 && errno != EAGAIN &&
			    errno != EINTR))
				rv = -1;
		}
		client_ws_after(c, rv);
	}
}

/* --- the server's timers and ends --- */

/* server_tick: timeouts (handshake, idle, closing), once a second. */
void
server_tick(struct server *s, int64_t now)
{
	int64_t hs = hs_ns(s);
	int64_t idle = (int64_t)s->conf->idle_timeout * 1000000000LL;

	for (struct client *c = s->clients, *next; c != NULL; c = next) {
		next = c->next;
		switch (c->st) {
		case C_HTTP:
			if (now - c->t_start > hs)
				client_timeout(c);
			break;
		case C_HTTP_DONE:
		case C_LINGER:
		case C_CLOSING:
			if (c->deadline && now > c->deadline)
				client_kill(c);
			break;
		case C_WS:
			if (idle > 0 && now - c->t_rx > idle) {
				s->st->idle_timeouts++;
				client_doom(c, 1008, "idle timeout", 1);
			}
			break;
		case C_DEAD:
			break;
		}
	}
	ratelog_tick(&s->close_log, now);
}

/* server_ping_all: a WebSocket ping to every open client. */
void
server_ping_all(struct server *s)
{
	static const unsigned char ping[2] = { 0x89, 0x00 };
	struct frame *f = frame_raw(ping, sizeof(ping));

	if (f == NULL)
		return;
	for (struct client *c = s->clients; c != NULL; c = c->next)
		if (c->st == C_WS && !c->doom_code)
			client_enqueue(c, f);
	frame_unref(f);
}

/*
 * server_shutdown: SIGTERM: no more clients; every WebSocket client gets
 * 1001, HTTP connections are cut.
 */
void
server_shutdown(struct server *s)
{
	s->stopping = 1;
	for (struct client *c = s->clients; c != NULL; c = c->next) {
		if (c->st == C_WS)
			client_doom(c, 1001, "server shutting down", 0);
		else if (c->st == C_HTTP)
			client_doom(c, 1001, "", 1);
	}
}

/*
 * server_close: closes every connection now and frees it (the hub is
 * closed first, so that no Redis reply is still to come for them).
 */
void
server_close(struct server *s)
{
	for (struct client *c = s->clients, *next; c != NULL; c = next) {
		next = c->next;
		client_doom(c, 1001, "", 1);
		client_kill(c);
	}
	if (s->flush_ev != NULL) {
		flush_cb(-1, 0, s);
		event_free(s->flush_ev);
		s->flush_ev = NULL;
	}
	ratelog_flush(&s->close_log);
}
