/*
 * resp.c: the slow paths of the RESP output buffer (growing, clearing)
 * and the allocation-free reply callbacks for hiredis' reader; the
 * encoding itself is inline in resp.h.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "resp.h"

void
resp_grow(struct resp_buf *o, size_t n)
{
	if (o->off > 0) {	/* drop what was written */
		memmove(o->buf, o->buf + o->off, o->len - o->off);
		o->len -= o->off;
		o->off = 0;
		if (o->cap - o->len >= n)
			return;
	}
	while (o->cap - o->len < n)
		o->cap = o->cap ? o->cap * 2 : 65536;
	if ((o->buf = realloc(o->buf, o->cap)) == NULL)
		err(EX_OSERR, "realloc");
}

void
resp_clear(struct resp_buf *o, size_t keep)
{
	o->len = o->off = 0;
	if (o->cap > keep) {
		free(o->buf);
		o->buf = NULL;
		o->cap = 0;
	}
}

/*
 * The reader's callbacks.  Each returns the struct resp_reply the reader
 * was made for (never NULL, which hiredis would take for out of memory),
 * so a whole reply, however nested, "is" that struct.
 */
static void *
rd_string(const redisReadTask *t, char *s, size_t n)
{
	struct resp_reply *rep = t->privdata;

	if (t->type == REDIS_REPLY_ERROR && !rep->err) {
		rep->err = 1;
		snprintf(rep->msg, sizeof(rep->msg), "%.*s",
		    (int)(n > 190 ? 190 : n), s);
	} else if (t->parent == NULL && rep->scan != NULL &&
	    rep->scan(rep->scan_arg, s, n)) {
		/* taken whole */
	} else if (t->parent == NULL || (t->parent->parent == NULL &&
	    t->idx == 0)) {
		snprintf(rep->first, sizeof(rep->first), "%.*s",
		    (int)(n > sizeof(rep->first) - 1 ?
		    sizeof(rep->first) - 1 : n), s);
	}
	return rep;
}

static void *
rd_array(const redisReadTask *t, int n)
{
	(void)n;
	return t->privdata;
}

static void *
rd_int(const redisReadTask *t, long long v)
{
	struct resp_reply *rep = t->privdata;

	if (t->parent == NULL)
		rep->integer = v;
	return rep;
}

static void *
rd_nil(const redisReadTask *t)
{
	return t->privdata;
}

static void
rd_free(void *p)
{
	(void)p;
}

static redisReplyObjectFunctions rd_fns = {
	rd_string, rd_array, rd_int, rd_nil, rd_free
};

redisReader *
resp_reader_new(struct resp_reply *rep)
{
	redisReader *r = redisReaderCreateWithFunctions(&rd_fns);

	if (r != NULL)
		r->privdata = rep;
	return r;
}

int
resp_not_now(const char *msg)
{
	static const char *const codes[] = { "BUSY", "LOADING", "READONLY",
	    "MASTERDOWN", "NOREPLICAS", "TRYAGAIN" };
	size_t i, k;

	if (strncmp(msg, "EXECABORT", 9) == 0) {
		for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
			if (strstr(msg, codes[i]) != NULL)
				return 1;
		return 0;
	}
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		k = strlen(codes[i]);
		if (strncmp(msg, codes[i], k) == 0 &&
		    (msg[k] == ' ' || msg[k] == '\0'))
			return 1;
	}
	return 0;
}
