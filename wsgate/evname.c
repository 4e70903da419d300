/*
 * evname.c: host names looked up without blocking (evname.h).
 *
 * libevent's evdns reads /etc/resolv.conf (name servers, search,
 * ndots, timeout, attempts) and /etc/hosts when wsgate starts
 * (evname_res_new), and again at a lookup when either has changed
 * since (reread), as glibc's getaddrinfo does; it asks on the loop: a
 * name server that is silent costs a lookup its timeouts, not the
 * loop's time.  Names of /etc/hosts are answered from it; other
 * sources of nsswitch.conf (mDNS, LDAP, ...) are not asked (wsgate(1),
 * NAME LOOKUP).
 *
 * The answer always comes from the loop, never from within
 * evname_start: evdns answers some names at once (a name of
 * /etc/hosts), and the caller is then still setting up.  A lookup
 * cancelled while evdns holds it is freed when evdns lets go of it
 * (its callback with EVUTIL_EAI_CANCEL, from the loop), without a word
 * to the caller; the resolver counts those (held) and, freed, runs the
 * loop until evdns has let go of each, so that nothing is left behind.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/dns.h>
#include <event2/util.h>

#include "evname.h"

#define RESOLV_CONF	"/etc/resolv.conf"
#define HOSTS		"/etc/hosts"

/* What tells a file changed: all zero if it could not be stat'ed. */
struct fileid {
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtime;
};

struct evname_res {
	struct event_base	*base;
	struct evdns_base	*dns;
	unsigned		 held;	/* cancelled, still held by evdns */
	struct fileid		 conf, hosts;	/* as read last */
};

struct evname {
	struct evname_res *res;
	struct evdns_getaddrinfo_request *req;	/* evdns holds it */
	int		 held;		/* evdns has not answered yet */
	int		 cancelled;
	struct event	*deliver;	/* the answer, from the loop */
	evname_fn	*fn;
	void		*arg;
	char		 host[256];
	char		 addr[EVNAME_ADDR_MAX];	/* "": failed, see why */
	char		 why[320];
};

/* evname_numeric: whether host is an address (looked up by no one). */
int
evname_numeric(const char *host)
{
	unsigned char buf[16];

	return evutil_inet_pton(AF_INET, host, buf) == 1 ||
	    evutil_inet_pton(AF_INET6, host, buf) == 1;
}

/* evdns's own lines ("Nameserver ... has failed"): the failure is said
   by the caller, once, in its words */
static void
quiet(int warn, const char *msg)
{
	(void)warn;
	(void)msg;
}

static struct fileid
fileid(const char *path)
{
	struct fileid id;
	struct stat sb;

	memset(&id, 0, sizeof(id));
	if (stat(path, &sb) == 0) {
		id.dev = sb.st_dev;
		id.ino = sb.st_ino;
		id.size = sb.st_size;
		id.mtime = sb.st_mtim;
	}
	return id;
}

static int
fileid_same(const struct fileid *a, const struct fileid *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	    a->mtime.tv_sec == b->mtime.tv_sec &&
	    a->mtime.tv_nsec == b->mtime.tv_nsec;
}

/*
 * reread: r's configuration read again if /etc/resolv.conf or
 * /etc/hosts changed since it was read: the name servers, search list,
 * options and host names of before are cleared first (an option the
 * file no longer gives is evdns's default again); lookups in flight are
 * sent again to the new name servers.
 */
static void
reread(struct evname_res *r)
{
	struct fileid conf = fileid(RESOLV_CONF), hosts = fileid(HOSTS);

	if (fileid_same(&conf, &r->conf) && fileid_same(&hosts, &r->hosts))
		return;
	r->conf = conf;
	r->hosts = hosts;
	evdns_base_clear_nameservers_and_suspend(r->dns);
	evdns_base_search_clear(r->dns);
	evdns_base_clear_host_addresses(r->dns);
	evdns_base_set_option(r->dns, "ndots:", "1");
	evdns_base_set_option(r->dns, "timeout:", "5");
	evdns_base_set_option(r->dns, "attempts:", "3");
	evdns_base_resolv_conf_parse(r->dns, DNS_OPTIONS_ALL, RESOLV_CONF);
	evdns_base_resume(r->dns);
}

/*
 * evname_res_new: the resolver of base's lookups, configured from
 * /etc/resolv.conf and /etc/hosts now (and again when they change);
 * it does not keep the loop running.  NULL if out of memory.
 */
struct evname_res *
evname_res_new(struct event_base *base)
{
	struct evname_res *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	evdns_set_log_fn(quiet);
	r->base = base;
	r->conf = fileid(RESOLV_CONF);
	r->hosts = fileid(HOSTS);
	if ((r->dns = evdns_base_new(base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
	    EVDNS_BASE_DISABLE_WHEN_INACTIVE)) == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

/*
 * evname_res_free: frees r, its lookups cancelled before: the loop is
 * run (without waiting) until evdns has let go of them, so r's base
 * must have no other event left that could run.
 */
void
evname_res_free(struct evname_res *r)
{
	if (r == NULL)
		return;
	for (int i = 0; r->held > 0 && i < 100; i++)
		event_base_loop(r->base, EVLOOP_NONBLOCK);
	evdns_base_free(r->dns, 0);
	free(r);
}

static void
evname_free(struct evname *n)
{
	if (n->deliver != NULL)
		event_free(n->deliver);
	free(n);
}

static void
deliver_cb(evutil_socket_t fd, short what, void *arg)
{
	struct evname *n = arg;

	(void)fd;
	(void)what;
	n->fn(n->arg, n->addr[0] != '\0' ? n->addr : NULL, n->why);
	evname_free(n);
}

/* evdns's answer: the first IPv4 address, else the first IPv6 one. */
static void
answer_cb(int rc, struct evutil_addrinfo *res, void *arg)
{
	struct evname *n = arg;
	const struct evutil_addrinfo *pick = NULL;

	n->held = 0;
	n->req = NULL;
	for (const struct evutil_addrinfo *a = res; a != NULL;
	    a = a->ai_next) {
		if (a->ai_family == AF_INET) {
			pick = a;
			break;
		}
		if (a->ai_family == AF_INET6 && pick == NULL)
			pick = a;
	}
	if (rc == 0 && pick != NULL) {
		const void *in = pick->ai_family == AF_INET ?
		    (const void *)&((const struct sockaddr_in *)
		    (const void *)pick->ai_addr)->sin_addr :
		    (const void *)&((const struct sockaddr_in6 *)
		    (const void *)pick->ai_addr)->sin6_addr;

		if (evutil_inet_ntop(pick->ai_family, in, n->addr,
		    sizeof(n->addr)) == NULL)
			n->addr[0] = '\0';
	}
	if (n->addr[0] == '\0')
		snprintf(n->why, sizeof(n->why), "name lookup of %s: %s",
		    n->host, rc != 0 ? evutil_gai_strerror(rc) :
		    "no address");
	if (res != NULL)
		evutil_freeaddrinfo(res);
	if (n->cancelled) {
		n->res->held--;
		evname_free(n);
		return;
	}
	event_active(n->deliver, EV_TIMEOUT, 0);
}

/*
 * evname_start: host looked up by r; fn(arg, ...) is called once, from
 * r's loop, unless cancelled first.  NULL if out of memory.
 */
struct evname *
evname_start(struct evname_res *r, const char *host, evname_fn *fn,
    void *arg)
{
	struct evutil_addrinfo hints;
	struct evname *n = calloc(1, sizeof(*n));

	if (n == NULL)
		return NULL;
	n->res = r;
	n->fn = fn;
	n->arg = arg;
	snprintf(n->host, sizeof(n->host), "%s", host);
	if ((n->deliver = event_new(r->base, -1, 0, deliver_cb, n)) == NULL) {
		free(n);
		return NULL;
	}
	reread(r);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	n->held = 1;
	/* NULL: answered already (answer_cb ran); else held till it runs */
	n->req = evdns_getaddrinfo(r->dns, host, NULL, &hints, answer_cb, n);
	return n;
}

/*
 * evname_cancel: n's answer is not wanted; fn is not called.  n is
 * freed now, or, while evdns holds it, when evdns lets it go.
 */
void
evname_cancel(struct evname *n)
{
	if (n == NULL)
		return;
	if (!n->held) {
		evname_free(n);	/* its answer not delivered yet */
		return;
	}
	n->cancelled = 1;
	n->res->held++;
	evdns_getaddrinfo_cancel(n->req);
}
