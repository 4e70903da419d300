/*
 * evname.h: a host name looked up on the libevent loop (evdns), for
 * wsgate, whose one event loop serves every client: hiredis's connect
 * looks a name up with getaddrinfo, which blocks for as long as a name
 * server is silent (wsgate(1), NAME LOOKUP).
 */
#ifndef WSGATE_EVNAME_H
#define WSGATE_EVNAME_H

#include <event2/event.h>

struct evname;
struct evname_res;

/* INET6_ADDRSTRLEN: an address, as evname's answer gives it */
#define EVNAME_ADDR_MAX	46

/*
 * The answer: addr, the name's address (numeric: IPv4 when it has one,
 * as hiredis's own lookup prefers), or NULL with why saying the
 * failure.  Both are evname's, valid during the call; the lookup is
 * over (freed) once it returns.
 */
typedef void evname_fn(void *arg, const char *addr, const char *why);

int		 evname_numeric(const char *host);
struct evname_res *evname_res_new(struct event_base *);
void		 evname_res_free(struct evname_res *);
struct evname	*evname_start(struct evname_res *, const char *host,
		    evname_fn *, void *arg);
void		 evname_cancel(struct evname *);

#endif
