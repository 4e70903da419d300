/*
 * httphead.h: the HTTP/1.1 request head parser (httphead.c): bytes in,
 * a parsed head or an HTTP error status out.  It sends nothing and knows
 * no sockets.
 */
#ifndef WSGATE_HTTPHEAD_H
#define WSGATE_HTTPHEAD_H

#include <stddef.h>

#define HTTPHEAD_LINE_MAX	2048	/* request line, bytes */
#define HTTPHEAD_MAX		8192	/* whole head, bytes */
#define HTTPHEAD_FIELDS_MAX	64	/* header lines */

enum { HTTPHEAD_OK = 0, HTTPHEAD_MORE = 1 };

struct httphead_field {
	const char	*name;
	const char	*value;		/* blanks around it removed */
};

/* A parsed head; every string points into the buffer parsed. */
struct httphead {
	const char	*method;
	const char	*path;		/* the target up to '?' */
	const char	*query;		/* after '?', or NULL */
	const char	*authority;	/* of an absolute-form target, or NULL */
	size_t		 alen;		/* its bytes (not NUL-terminated) */
	int		 minor;		/* HTTP/1.minor */
	struct httphead_field f[HTTPHEAD_FIELDS_MAX];
	int		 nf;
	size_t		 len;		/* head bytes, blank line included */
	const char	*why;		/* with an error status: the reason */
	int		 head;		/* the method is HEAD, errors too */
	char		 whybuf[64];
};

int		 httphead_parse(char *buf, size_t len, struct httphead *);
const char	*httphead_get(const struct httphead *, const char *name);
int		 httphead_count(const struct httphead *, const char *name);
int		 httphead_has_token(const char *list, const char *tok);

#endif
