/*
 * resp.h: redispub's side of RESP, the Redis protocol.  Commands are
 * written by hand into a growing output buffer (about ten times cheaper
 * per PUBLISH than hiredis' redisFormatCommandArgv, and no allocation per
 * command); replies are read by hiredis' reader with callbacks that build
 * nothing, keeping only whether the reply held an error and its text.
 *
 * The encoding calls are inline: they run several times per line.  The
 * caller reserves room first (resp_reserve, for the whole command or
 * commands), then appends; the appending calls never check for room.
 */
#ifndef TP_RESP_H
#define TP_RESP_H

#include <stddef.h>
#include <string.h>

#include <hiredis/read.h>

/* Unwritten bytes above which no more lines are encoded. */
#define RESP_BUF_HIGH	(512u * 1024)

/*
 * An output buffer: buf[off..len) is encoded and not yet written to the
 * socket; buf[0..off) was written.  The owner frees buf.
 */
struct resp_buf {
	char	*buf;
	size_t	len, off, cap;
};

/*
 * The reply just read.  err is 1 if it was, or held, an error reply (an
 * EXEC's array may hold one); msg is the text of the latest error read
 * on this reader (up to 190 bytes), kept until the next error replaces
 * it.  The reader's user clears err before each reply.
 */
struct resp_reply {
	int	err;
	char	msg[200];
	long long integer;	/* an integer reply's value */
	char	first[48];	/* a string reply, or an array reply's first
				   string, cut (a run_id fits: conn.c) */
	/* if set, offered a string reply whole; 1: taken (CLIENT LIST's,
	   conn.c), 0: cut into first as any other */
	int	(*scan)(void *arg, const char *s, size_t n);
	void	*scan_arg;
};

void	resp_grow(struct resp_buf *o, size_t n);

/*
 * resp_reserve: makes room for n more bytes, first by dropping what was
 * written, else by growing buf (exits 71 if memory runs out).
 */
static inline void
resp_reserve(struct resp_buf *o, size_t n)
{
	if (o->cap - o->len < n)
		resp_grow(o, n);
}

/* resp_pending: bytes encoded and not yet written. */
static inline size_t
resp_pending(const struct resp_buf *o)
{
	return o->len - o->off;
}

static inline void
resp_raw(struct resp_buf *o, const char *s, size_t n)
{
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

/* resp_head: a length line, "$N\r\n" (c '$') or "*N\r\n" (c '*'). */
static inline void
resp_head(struct resp_buf *o, char c, size_t v)
{
	char tmp[24];
	int i = (int)sizeof(tmp);

	tmp[--i] = '\n';
	tmp[--i] = '\r';
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	tmp[--i] = c;
	resp_raw(o, tmp + i, sizeof(tmp) - (size_t)i);
}

/* resp_bulk: the bulk string s[0..n). */
static inline void
resp_bulk(struct resp_buf *o, const char *s, size_t n)
{
	resp_head(o, '$', n);
	resp_raw(o, s, n);
	resp_raw(o, "\r\n", 2);
}

/* resp_bulk2: one bulk string of a then b (a key: channel + suffix). */
static inline void
resp_bulk2(struct resp_buf *o, const char *a, size_t an, const char *b,
    size_t bn)
{
	resp_head(o, '$', an + bn);
	resp_raw(o, a, an);
	resp_raw(o, b, bn);
	resp_raw(o, "\r\n", 2);
}

/* RESP_LIT: a string literal of ready-made RESP. */
#define RESP_LIT(o, s)	resp_raw(o, s, sizeof(s) - 1)

/*
 * resp_clear: forgets everything in o (the connection it was for is
 * gone), freeing buf if it grew beyond keep bytes.
 */
void	resp_clear(struct resp_buf *o, size_t keep);

/*
 * resp_reader_new: a hiredis reader whose replies are summed up in *rep
 * (see struct resp_reply) instead of built; the reply it hands out is rep
 * itself.  Returns NULL if out of memory.  Free with redisReaderFree.
 */
redisReader	*resp_reader_new(struct resp_reply *rep);

/*
 * resp_not_now: msg, an error reply's text, says "not now" rather than
 * "never": the server is busy (-BUSY, a long script), loading its data
 * (-LOADING), not (or no longer) the primary (-READONLY, -MASTERDOWN,
 * -NOREPLICAS), or asks for a retry (-TRYAGAIN); or an -EXECABORT
 * names one of them.  The command may succeed if sent again later, on
 * this connection or on the next one (redispub(1) ERRORS).
 */
int	resp_not_now(const char *msg);

#endif
