/*
 * client.c: one connection's life.  Accept, read the HTTP request
 * (http.c), then as a WebSocket: client frames are parsed by wslay
 * (masking, fragmentation, control frames, size limit), the JSON client
 * protocol is handled here, and everything sent goes through the
 * client's own output queue of shared frames (struct outq).  Data frames
 * from Redis are built once by the hub and only referenced here; wslay's
 * own output (pongs, close frames) is copied into private frames through
 * its send callback, so the byte order on the wire is the queue order.
 *
 * Closing is never done inside a wslay or hiredis callback: client_doom()
 * records the wish and marks the client dirty; client_flush_cb(), a
 * libevent event activated for the purpose, writes queued output, carries
 * out closes and frees dead clients after every other callback has
 * returned.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <jansson.h>

#include "util.h"
#include "wsgate.h"

/* how long a closing client gets to read what is left and answer */
#define CLOSE_GRACE_NS	(10 * 1000000000LL)
#define WRITE_IOV	64

static uint64_t frame_ids;
static struct ratelog close_log;

/* --- frames --- */

static struct frame *
frame_alloc(size_t len)
{
	struct frame *f = malloc(sizeof(*f) + len);

	if (f == NULL)
		return NULL;
	f->refs = 1;
	f->hlen = 0;
	f->hist = 0;
	f->len = len;
	f->id = ++frame_ids;
	f->seq = -1;
	f->kind = FRAME_OTHER;
	return f;
}

/*
 * frame_text: a complete unmasked, unfragmented text frame holding
 * payload.  Returns a frame with one reference, or NULL (no memory).
 */
struct frame *
frame_text(const char *payload, size_t len)
{
	unsigned char h[10];
	unsigned hl = 2;
	struct frame *f;

	h[0] = 0x81;
	if (len < 126) {
		h[1] = (unsigned char)len;
	} else if (len < 65536) {
		h[1] = 126;
		h[2] = (unsigned char)(len >> 8);
		h[3] = (unsigned char)len;
		hl = 4;
	} else {
		h[1] = 127;
		for (int i = 0; i < 8; i++)
			h[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
		hl = 10;
	}
	if ((f = frame_alloc(hl + len)) == NULL)
		return NULL;
	memcpy(f->data, h, hl);
	memcpy(f->data + hl, payload, len);
	f->hlen = hl;
	return f;
}

struct frame *
frame_raw(const void *p, size_t len)
{
	struct frame *f = frame_alloc(len);

	if (f != NULL)
		memcpy(f->data, p, len);
	return f;
}

void
frame_unref(struct frame *f)
{
	if (f != NULL && --f->refs == 0)
		free(f);
}

/*
 * frame_parse_book: fills f->kind and f->seq from a JSONL payload.  The
 * key order is fixed ("type" first, "seq" before any free text), and a
 * '"' inside a JSON string is always escaped, so the first "seq": is the
 * top-level one.
 */
void
frame_parse_book(struct frame *f)
{
	const char *p = (const char *)f->data + f->hlen;
	size_t n = f->len - f->hlen;
	const char *s;

	if (n >= 24 && memcmp(p, "{\"type\":\"book_snapshot\"", 23) == 0)
		f->kind = FRAME_SNAPSHOT;
	else if (n >= 21 && memcmp(p, "{\"type\":\"book_delta\"", 20) == 0)
		f->kind = FRAME_DELTA;
	s = memmem(p, n, "\"seq\":", 6);
	if (s != NULL) {
		int64_t v = 0;
		int digits = 0;

		for (s += 6; s < p + n && *s >= '0' && *s <= '9' &&
		    digits < 18; s++, digits++)
			v = v * 10 + (*s - '0');
		if (digits > 0)
			f->seq = v;
	}
}

/* --- output queue --- */

static int
outq_push(struct outq *q, struct frame *f)
{
	if (q->n == q->cap) {
		size_t ncap = q->cap ? q->cap * 2 : 8;
		struct frame **v = malloc(ncap * sizeof(*v));

		if (v == NULL)
			return -1;
		for (size_t i = 0; i < q->n; i++)
			v[i] = q->v[(q->head + i) % q->cap];
		free(q->v);
		q->v = v;
		q->cap = ncap;
		q->head = 0;
	}
	q->v[(q->head + q->n) % q->cap] = f;
	q->n++;
	q->bytes += f->len;
	if (f->hist)
		q->hist += f->len;
	f->refs++;
	return 0;
}

static void
outq_pop(struct outq *q)
{
	struct frame *f = q->v[q->head];

	q->bytes -= f->len - q->off;
	if (f->hist)
		q->hist -= f->len - q->off;
	q->off = 0;
	q->head = (q->head + 1) % q->cap;
	q->n--;
	frame_unref(f);
}

/*
 * outq_drop: discards every queued frame except a partly written head
 * (cutting it would corrupt the stream).  Returns the frames dropped.
 */
static size_t
outq_drop(struct outq *q)
{
	size_t keep = q->off > 0 ? 1 : 0, dropped = 0;

	while (q->n > keep) {
		size_t last = (q->head + q->n - 1) % q->cap;

		q->bytes -= q->v[last]->len;
		if (q->v[last]->hist)
			q->hist -= q->v[last]->len;
		frame_unref(q->v[last]);
		q->n--;
		dropped++;
	}
	return dropped;
}

static void
outq_free(struct outq *q)
{
	while (q->n > 0)
		outq_pop(q);
	free(q->v);
	q->v = NULL;
	q->cap = 0;
	q->bytes = 0;
	q->hist = 0;
}

/* Shrinks an idle client's queue array back to nothing. */
static void
outq_trim(struct outq *q)
{
	if (q->n == 0 && q->cap > 64) {
		free(q->v);
		q->v = NULL;
		q->cap = 0;
		q->head = 0;
	}
}

/* --- life cycle --- */

static void client_read_cb(evutil_socket_t, short, void *);
static void client_write_cb(evutil_socket_t, short, void *);
static void client_write(struct client *);

void
client_accept(int fd, const char *addr)
{
	struct client *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->id = ++G.next_id;
	c->refs = 1;
	c->st = C_HTTP;
	snprintf(c->addr, sizeof(c->addr), "%s", addr);
	c->t_start = c->t_rx = wsgate_mono();
	c->rev = event_new(G.base, fd, EV_READ | EV_PERSIST, client_read_cb, c);
	c->wev = event_new(G.base, fd, EV_WRITE | EV_PERSIST, client_write_cb,
	    c);
	if (c->rev == NULL || c->wev == NULL || event_add(c->rev, NULL) != 0) {
		if (c->rev)
			event_free(c->rev);
		if (c->wev)
			event_free(c->wev);
		close(fd);
		free(c);
		return;
	}
	c->next = G.clients;
	if (G.clients)
		G.clients->prev = c;
	G.clients = c;
	G.nconn++;
	G.st.connections++;
}

static void
client_free(struct client *c)
{
	outq_free(&c->q);
	free(c->hbuf);
	free(c);
}

void
client_unref(struct client *c)
{
	if (--c->refs == 0)
		client_free(c);
}

/*
 * client_kill: closes the socket now and detaches the client from
 * everything; the memory goes to the graveyard and is freed by the flush
 * event (callers may still be holding c).
 */
static void
client_kill(struct client *c)
{
	if (c->st == C_DEAD)
		return;
	if (c->ws != NULL) {
		G.nws--;
		hub_drop_client(c);
	}
	event_del(c->rev);
	event_del(c->wev);
	event_free(c->rev);
	event_free(c->wev);
	c->rev = c->wev = NULL;
	close(c->fd);
	c->fd = -1;
	c->st = C_DEAD;
	if (c->ws != NULL) {
		wslay_event_context_free(c->ws);
		c->ws = NULL;
	}
	outq_free(&c->q);
	if (c->prev)
		c->prev->next = c->next;
	else
		G.clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	G.nconn--;
	if (!c->dirty) {
		c->dnext = G.graveyard;
		G.graveyard = c;
		c->dirty = 2;
		event_active(G.flush_ev, EV_TIMEOUT, 0);
	}
}

/* For the final teardown: close c now (it is freed by the next flush). */
void
client_kill_now(struct client *c)
{
	client_kill(c);
}

void
client_mark_dirty(struct client *c)
{
	if (c->dirty || c->st == C_DEAD)
		return;
	c->dirty = 1;
	c->dnext = G.dirty;
	G.dirty = c;
	event_active(G.flush_ev, EV_TIMEOUT, 0);
}

/*
 * client_enqueue: queues f (taking a reference) and schedules a write.
 * Past the output cap (history frames not counted: hub.c paces them) the
 * client is doomed (closed 1008 after its queue is discarded); nothing
 * more is queued to it.
 */
void
client_enqueue(struct client *c, struct frame *f)
{
	if (c->st == C_DEAD || (c->doom_code && c->doom_drop)) {
		G.st.dropped++;
		return;
	}
	if (outq_push(&c->q, f) != 0) {
		G.st.dropped++;
		client_doom(c, 1011, "out of memory", 1);
		return;
	}
	if (c->q.bytes - c->q.hist > G.conf.output_cap && (c->st == C_WS ||
	    c->st == C_CLOSING)) {
		client_slow(c, "slow client: output cap exceeded");
		return;
	}
	client_mark_dirty(c);
}

/* client_deliver: queues a data frame to a client.  1 if queued. */
int
client_deliver(struct client *c, struct frame *f)
{
	if (c->st != C_WS || (c->doom_code && c->doom_drop)) {
		G.st.dropped++;
		return 0;
	}
	G.st.msgs_out++;
	client_enqueue(c, f);
	return 1;
}

void
client_send_json(struct client *c, void *json)
{
	json_t *j = json;
	char *s = json_dumps(j, JSON_COMPACT);
	struct frame *f;

	json_decref(j);
	if (s == NULL)
		return;
	if ((f = frame_text(s, strlen(s))) != NULL) {
		client_enqueue(c, f);
		frame_unref(f);
	}
	free(s);
}

void
client_error(struct client *c, const char *fmt, ...)
{
	char reason[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	G.st.client_errors++;
	client_send_json(c, json_pack("{s:s,s:s}", "type", "error",
	    "reason", reason));
}

/*
 * client_doom: asks for the connection to be closed with code and reason
 * (drop: discard queued output first, for slow clients).  Safe inside any
 * callback; the flush event does it.
 */
void
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

/*
 * client_slow: closes c with 1008 after discarding its queue, for
 * falling behind; counted once per client however long it takes.
 */
void
client_slow(struct client *c, const char *reason)
{
	if (!c->slow) {
		c->slow = 1;
		G.st.slow_disconnects++;
	}
	client_doom(c, 1008, reason, 1);
}

static void
count_close(struct client *c, int code)
{
	if (c->close_counted)
		return;
	c->close_counted = 1;
	if (code >= 1000 && code <= 1015)
		G.st.close_codes[code - 1000]++;
}

/* Carries out a doom: queue the close frame through wslay, go CLOSING. */
static void
client_do_doom(struct client *c)
{
	if (c->st == C_HTTP || c->st == C_HTTP_DONE || c->st == C_LINGER) {
		client_kill(c);
		return;
	}
	if (c->doom_drop) {
		G.st.dropped += outq_drop(&c->q);
		c->doom_drop = 0;	/* the close frame must get through */
	}
	if (c->st == C_WS && !wslay_event_get_close_sent(c->ws)) {
		wslay_event_queue_close(c->ws, (uint16_t)c->doom_code,
		    (const uint8_t *)c->doom_reason, strlen(c->doom_reason));
		wslay_event_send(c->ws);
		count_close(c, c->doom_code);
		if (G.conf.verbose)
			fprintf(stderr, "wsgate: client %s: closing %d: %s\n",
			    c->addr, c->doom_code, c->doom_reason);
		else if (c->doom_code == 1008)
			wsgate_log_limited(&close_log, "client %s: closing "
			    "%d: %s", c->addr, c->doom_code, c->doom_reason);
	}
	if (c->st == C_WS) {
		c->st = C_CLOSING;
		c->deadline = wsgate_mono() + CLOSE_GRACE_NS;
	}
}

/* After output drained: move HTTP and closing connections along. */
static void
client_drained(struct client *c)
{
	if (c->st == C_HTTP_DONE) {
		shutdown(c->fd, SHUT_WR);
		c->st = C_LINGER;
		c->deadline = wsgate_mono() + CLOSE_GRACE_NS;
		return;
	}
	if (c->st != C_CLOSING || !wslay_event_get_close_sent(c->ws))
		return;
	if (wslay_event_get_close_received(c->ws)) {
		client_kill(c);	/* the server closes TCP first (RFC 6455 7.1.1) */
	} else if (!wslay_event_want_read(c->ws)) {
		/*
		 * wslay failed the connection (protocol error, bad UTF-8,
		 * too big) and reads no more: end our side and wait for the
		 * peer's EOF, so our close frame is not lost to a reset.
		 */
		shutdown(c->fd, SHUT_WR);
		c->st = C_LINGER;
		c->deadline = wsgate_mono() + CLOSE_GRACE_NS;
	}
}

static void
client_write(struct client *c)
{
	struct iovec iov[WRITE_IOV];
	ssize_t w;

	while (c->q.n > 0) {
		int k = 0;

		for (size_t i = 0; i < c->q.n && k < WRITE_IOV; i++, k++) {
			struct frame *f = c->q.v[(c->q.head + i) % c->q.cap];
			size_t off = i == 0 ? c->q.off : 0;

			iov[k].iov_base = f->data + off;
			iov[k].iov_len = f->len - off;
		}
		w = writev(c->fd, iov, k);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			client_kill(c);
			return;
		}
		G.st.bytes_out += (uint64_t)w;
		while (w > 0) {
			struct frame *f = c->q.v[c->q.head];
			size_t left = f->len - c->q.off;

			if ((size_t)w >= left) {
				w -= (ssize_t)left;
				outq_pop(&c->q);
			} else {
				c->q.off += (size_t)w;
				c->q.bytes -= (size_t)w;
				if (f->hist)
					c->q.hist -= (size_t)w;
				w = 0;
			}
		}
	}
	if (c->sq_head != NULL)
		hub_sync_kick(c);	/* history drained: read the next book */
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
	struct client *c = arg;

	(void)fd;
	(void)what;
	client_write(c);
}

/*
 * client_flush_cb: the deferred work.  Runs after the callbacks that
 * queued output: carries out dooms, writes every dirty client once (so
 * a burst of Redis messages goes out in one writev per client), and frees
 * the clients killed meanwhile.
 */
void
client_flush_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	while (G.dirty != NULL) {
		struct client *c = G.dirty;

		G.dirty = c->dnext;
		c->dirty = 0;
		if (c->st == C_DEAD) {
			c->dnext = G.graveyard;
			G.graveyard = c;
			c->dirty = 2;
			continue;
		}
		if (c->doom_code && c->st != C_CLOSING)
			client_do_doom(c);
		if (c->st != C_DEAD)
			client_write(c);
		if (c->st == C_DEAD && c->dirty == 0) {
			c->dnext = G.graveyard;
			G.graveyard = c;
			c->dirty = 2;
		}
	}
	while (G.graveyard != NULL) {
		struct client *c = G.graveyard;

		G.graveyard = c->dnext;
		client_unref(c);
	}
}

/* --- WebSocket glue (wslay callbacks) --- */

static ssize_t
ws_recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len,
    int flags, void *user)
{
	struct client *c = user;
	ssize_t n;

	(void)flags;
	if (c->pre_off < c->pre_len) {
		size_t k = c->pre_len - c->pre_off;

		if (k > len)
			k = len;
		memcpy(buf, c->hbuf + c->hlen - c->pre_len + c->pre_off, k);
		c->pre_off += k;
		return (ssize_t)k;
	}
	n = recv(c->fd, buf, len, 0);
	if (n > 0) {
		c->t_rx = wsgate_mono();
		G.st.client_bytes += (uint64_t)n;
		return n;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
	else
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
	return -1;
}

static ssize_t
ws_send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len,
    int flags, void *user)
{
	struct client *c = user;
	struct frame *f = frame_raw(data, len);

	(void)flags;
	if (f == NULL) {
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
		return -1;
	}
	client_enqueue(c, f);
	frame_unref(f);
	return (ssize_t)len;
}

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

/* Handles "subscribe" and "unsubscribe". */
static void
client_op_channels(struct client *c, json_t *msg, int sub)
{
	json_t *chs = json_object_get(msg, "channels"), *done, *v;
	size_t i;

	if (!json_is_array(chs)) {
		client_error(c, "\"channels\" must be an array of strings");
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
			if (hub_subscribe(c, s, n, why, sizeof(why)) != 0) {
				client_error(c, "%s: %s", s, why);
				continue;
			}
		} else if (hub_unsubscribe(c, s, n) != 0) {
			continue;
		}
		json_array_append_new(done, json_stringn(s, n));
	}
	client_send_json(c, json_pack("{s:s,s:o}", "type",
	    sub ? "subscribed" : "unsubscribed", "channels", done));
}

static void
client_message(struct client *c, const uint8_t *p, size_t n)
{
	json_error_t je;
	json_t *msg, *id;
	const char *op;

	G.st.client_msgs++;
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
		if (hub_channels(c) != 0)
			client_error(c, "channels: redis unavailable");
	} else
		client_error(c, "unknown op \"%.32s\"", op);
	json_decref(msg);
}

static void
ws_msg_cb(wslay_event_context_ptr ctx,
    const struct wslay_event_on_msg_recv_arg *arg, void *user)
{
	struct client *c = user;

	(void)ctx;
	if (c->doom_code)
		return;
	switch (arg->opcode) {
	case WSLAY_TEXT_FRAME:
		if (!utf8_valid((const char *)arg->msg, arg->msg_length)) {
			G.st.client_errors++;
			client_doom(c, 1007, "invalid UTF-8 in text message", 0);
			return;
		}
		client_message(c, arg->msg, arg->msg_length);
		break;
	case WSLAY_BINARY_FRAME:
		G.st.client_errors++;
		client_doom(c, 1003, "binary messages are not accepted", 0);
		break;
	default:
		break;	/* ping/pong/close: wslay answers */
	}
}

/*
 * client_ws_open: the 101 response is queued; from here on the client
 * speaks WebSocket.  Bytes that followed the request in hbuf are fed to
 * wslay first.
 */
void
client_ws_open(struct client *c)
{
	static const struct wslay_event_callbacks cbs = {
		ws_recv_cb, ws_send_cb, NULL, NULL, NULL, NULL, ws_msg_cb
	};

	if (wslay_event_context_server_init(&c->ws, &cbs, c) != 0) {
		c->ws = NULL;
		client_kill(c);
		return;
	}
	wslay_event_config_set_max_recv_msg_length(c->ws, G.conf.max_msg);
	c->st = C_WS;
	c->t_rx = wsgate_mono();
	G.nws++;
	G.st.ws_opened++;
	if (!hub_redis_up())
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

/* After wslay_event_recv: push wslay's output, notice closes. */
static void
client_ws_after(struct client *c, int rv)
{
	if (c->ws == NULL)
		return;
	wslay_event_send(c->ws);
	if (wslay_event_get_close_sent(c->ws)) {
		if (!c->close_counted) {
			int code = wslay_event_get_status_code_sent(c->ws);

			count_close(c, code);
			if (code != 1000 && code != 1005)
				G.st.client_errors++;
		}
		if (c->st == C_WS) {
			c->st = C_CLOSING;
			c->deadline = wsgate_mono() + CLOSE_GRACE_NS;
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

static void
client_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct client *c = arg;

	(void)what;
	if (c->st == C_HTTP) {
		http_input(c);
		return;
	}
	if (c->st == C_HTTP_DONE || c->st == C_LINGER) {
		char junk[4096];
		ssize_t n = recv(fd, junk, sizeof(junk), 0);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			client_kill(c);
		return;
	}
	if (c->st == C_WS || c->st == C_CLOSING) {
		int rv = 0;

		if (wslay_event_want_read(c->ws))
			rv = wslay_event_recv(c->ws);
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

/* Marks an HTTP response queued: the connection ends after the flush. */
void
client_http_done(struct client *c)
{
	c->st = C_HTTP_DONE;
	client_mark_dirty(c);
}

/* --- timers --- */

void
client_tick(int64_t now)
{
	int64_t hs = (int64_t)G.conf.handshake_timeout * 1000000000LL;
	int64_t idle = (int64_t)G.conf.idle_timeout * 1000000000LL;

	for (struct client *c = G.clients, *next; c != NULL; c = next) {
		next = c->next;
		switch (c->st) {
		case C_HTTP:
			if (now - c->t_start > hs)
				http_timeout(c);
			break;
		case C_HTTP_DONE:
		case C_LINGER:
		case C_CLOSING:
			if (c->deadline && now > c->deadline)
				client_kill(c);
			break;
		case C_WS:
			if (idle > 0 && now - c->t_rx > idle) {
				G.st.idle_timeouts++;
				client_doom(c, 1008, "idle timeout", 1);
			}
			break;
		case C_DEAD:
			break;
		}
	}
}

void
client_broadcast(struct frame *f)
{
	for (struct client *c = G.clients; c != NULL; c = c->next)
		if (c->st == C_WS && !c->doom_code)
			client_enqueue(c, f);
}

void
client_ping_all(void)
{
	static const unsigned char ping[2] = { 0x89, 0x00 };
	struct frame *f = frame_raw(ping, sizeof(ping));

	if (f == NULL)
		return;
	client_broadcast(f);
	frame_unref(f);
}

/* SIGTERM: every WebSocket client gets 1001; HTTP connections are cut. */
void
client_shutdown_all(void)
{
	for (struct client *c = G.clients; c != NULL; c = c->next) {
		if (c->st == C_WS)
			client_doom(c, 1001, "server shutting down", 0);
		else if (c->st == C_HTTP)
			client_doom(c, 1001, "", 1);
	}
}
