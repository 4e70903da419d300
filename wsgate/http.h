/*
 * http.h: wsgate's routes (http.c): a parsed request head in, the
 * response to send out.  The connection layer (client.c) does the
 * reading and the sending.
 */
#ifndef WSGATE_HTTP_H
#define WSGATE_HTTP_H

#include <stddef.h>

#include "conf.h"
#include "httphead.h"
#include "metrics.h"
#include "upgrade.h"

/* What the routes see of the gateway when a request comes. */
struct http_env {
	const struct wsgate_conf *conf;
	struct wsgate_stats	*st;		/* refusals are counted here */
	struct metrics_gauges	 gauges;	/* clients, for the limit too */
	int			 stopping;
};

/*
 * A response: status 101 is the WebSocket upgrade (accept holds its
 * key); every other one is complete, with Connection: close.
 */
struct http_resp {
	int		 status;
	const char	*ctype;
	const char	*extra;		/* header lines, each ending in CRLF */
	const char	*why;		/* an error's reason, for the log */
	const char	*body;
	size_t		 len;
	int		 head;		/* HEAD: the body is not sent */
	char		*owned;		/* body's memory (http_resp_free) */
	char		 accept[UPGRADE_ACCEPT_LEN + 1];
	char		 text[256];	/* an error's body */
};

void	http_route(const struct http_env *, const struct httphead *,
	    struct http_resp *);
void	http_error(struct http_resp *, int status, const char *extra,
	    const char *why);
size_t	http_resp_head(const struct http_resp *, char *buf, size_t size);
void	http_resp_free(struct http_resp *);

#endif
