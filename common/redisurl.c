/*
 * redisurl.c: the Redis URL parser shared by redispub, wsgate and (via
 * `redispub --check-url`) the supervisor; see redisurl.h and tickpipe(7).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redisurl.h"
#include "util.h"

/*
 * pct_decode: decodes s[0..n) into out (size cap) for the user or the
 * password (what).  No control character may result, nor, in a user, a
 * space or ':' (Redis refuses such user names; ':' ends the user).
 * Returns 0, or -1 with err.
 */
static int
pct_decode(const char *s, size_t n, char *out, size_t cap, int is_user,
    char *err, size_t errlen)
{
	const char *what = is_user ? "user" : "password";
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			char hex[3] = { 0 };

			if (i + 2 < n) {
				hex[0] = s[i + 1];
				hex[1] = s[i + 2];
			}
			if (!isxdigit((unsigned char)hex[0]) ||
			    !isxdigit((unsigned char)hex[1])) {
				snprintf(err, errlen, "bad %%-escape in the %s "
				    "(%%XX, two hex digits)", what);
				return -1;
			}
			c = (int)strtoul(hex, NULL, 16);
			i += 2;
		} else if (c == '@') {
			snprintf(err, errlen, "'@' in the %s: write it %%40",
			    what);
			return -1;
		}
		if (c < 0x20 || c == 0x7f || (is_user && c == ' ')) {
			snprintf(err, errlen, "%s in the %s", c == ' ' ?
			    "a space" : "a control character", what);
			return -1;
		}
		if (o + 1 >= cap) {
			snprintf(err, errlen, "%s longer than %zu bytes", what,
			    cap - 1);
			return -1;
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

/* host_ok: a DNS name or IPv4 address; letters, digits, '.', '-', '_'. */
static int
host_ok(const char *h)
{
	for (; *h != '\0'; h++)
		if (!((*h >= 'a' && *h <= 'z') || (*h >= 'A' && *h <= 'Z') ||
		    (*h >= '0' && *h <= '9') || *h == '.' || *h == '-' ||
		    *h == '_'))
			return 0;
	return 1;
}

/* parse_unix: the socket path p (from unix://p or a bare path). */
static int
parse_unix(const char *p, struct redisurl *u, char *err, size_t errlen)
{
	size_t n = strlen(p);

	if (n == 0) {
		snprintf(err, errlen, "empty unix socket path");
		return -1;
	}
	if (n >= sizeof(u->path)) {
		snprintf(err, errlen, "unix socket path longer than %zu bytes",
		    sizeof(u->path) - 1);
		return -1;
	}
	u->is_unix = 1;
	memcpy(u->path, p, n + 1);
	return 0;
}

/*
 * parse_userinfo: s[0..n) is what comes before the '@': [user][:password].
 */
static int
parse_userinfo(const char *s, size_t n, struct redisurl *u, char *err,
    size_t errlen)
{
	const char *colon = memchr(s, ':', n);
	size_t ul = colon != NULL ? (size_t)(colon - s) : n;

	if (pct_decode(s, ul, u->user, sizeof(u->user), 1, err, errlen) < 0)
		return -1;
	if (colon == NULL) {
		if (ul == 0) {
			snprintf(err, errlen, "nothing before the '@'");
			return -1;
		}
		return 0;
	}
	if (pct_decode(colon + 1, n - ul - 1, u->password,
	    sizeof(u->password), 0, err, errlen) < 0)
		return -1;
	if (u->password[0] == '\0') {
		snprintf(err, errlen, "empty password after the ':'");
		return -1;
	}
	u->has_password = 1;
	return 0;
}

/*
 * parse_hostport: s[0..n) is host[:port] or [v6][:port], into host (of
 * hostcap bytes) and *port (defport if none is given).
 */
static int
parse_hostport(const char *s, size_t n, char *host, size_t hostcap,
    int *port, int defport, char *err, size_t errlen)
{
	const char *end = s + n, *hs = s, *he, *p;
	char num[8];
	uint64_t v;

	if (n > 0 && *s == '[') {
		hs = s + 1;
		if ((he = memchr(hs, ']', (size_t)(end - hs))) == NULL) {
			snprintf(err, errlen, "no ']' after the IPv6 address");
			return -1;
		}
		p = he + 1;
	} else {
		he = memchr(s, ':', n);
		if (he == NULL)
			he = end;
		p = he;
	}
	if (he == hs) {
		snprintf(err, errlen, "no host");
		return -1;
	}
	if ((size_t)(he - hs) >= hostcap) {
		snprintf(err, errlen, "host longer than %zu bytes",
		    hostcap - 1);
		return -1;
	}
	memcpy(host, hs, (size_t)(he - hs));
	host[he - hs] = '\0';
	if (hs != s) {
		struct in6_addr a6;

		if (inet_pton(AF_INET6, host, &a6) != 1) {
			snprintf(err, errlen, "'%s' in brackets is not an IPv6 "
			    "address", host);
			return -1;
		}
	} else if (!host_ok(host)) {
		snprintf(err, errlen, "bad host '%s' (a name, an IPv4 address "
		    "or [IPv6])", host);
		return -1;
	}
	*port = defport;
	if (p == end)
		return 0;
	if (*p != ':' || (size_t)(end - p - 1) >= sizeof(num)) {
		snprintf(err, errlen, "bad port");
		return -1;
	}
	memcpy(num, p + 1, (size_t)(end - p - 1));
	num[end - p - 1] = '\0';
	if (parse_u64(num, 1, 65535, &v) < 0) {
		snprintf(err, errlen, "bad port '%s' (1-65535)", num);
		return -1;
	}
	*port = (int)v;
	return 0;
}

/* name_ok: a Sentinel master name; letters, digits, '.', '-', '_'. */
static int
name_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == '-' || s[i] == '_'))
			return 0;
	return n > 0;
}

/* parse_db: the database number s (after a '/'), into u->db. */
static int
parse_db(const char *s, struct redisurl *u, char *err, size_t errlen)
{
	uint64_t v;

	if (parse_u64(s, 0, REDISURL_DB_MAX, &v) < 0) {
		snprintf(err, errlen, "bad database number '%.16s' (0-%d)", s,
		    REDISURL_DB_MAX);
		return -1;
	}
	u->db = (int)v;
	return 0;
}

/*
 * parse_nodes: p[0..end) is [userinfo@]host[:port][,host[:port]]...:
 * the userinfo into u, the nodes into u->sentinels, each port dflt
 * unless given; what names them ("Sentinels", "seed nodes") is for
 * the messages.
 */
static int
parse_nodes(const char *p, const char *end, struct redisurl *u, int dflt,
    const char *what, char *err, size_t errlen)
{
	const char *at, *q, *comma;

	for (at = NULL, q = p; q < end; q++)
		if (*q == '@')
			at = q;
	if (at == NULL && strchr(end, '@') != NULL) {
		snprintf(err, errlen, "'/' in the user or password: write it "
		    "%%2F");
		return -1;
	}
	if (at != NULL) {
		if (parse_userinfo(p, (size_t)(at - p), u, err, errlen) < 0)
			return -1;
		p = at + 1;
	}
	for (; p <= end; p = comma + 1) {
		struct redisurl_node *nd = &u->sentinels[u->nsentinels];

		if ((comma = memchr(p, ',', (size_t)(end - p))) == NULL)
			comma = end;
		if (u->nsentinels == REDISURL_SENTINELS_MAX) {
			snprintf(err, errlen, "more than %d %s",
			    REDISURL_SENTINELS_MAX, what);
			return -1;
		}
		if (parse_hostport(p, (size_t)(comma - p), nd->host,
		    sizeof(nd->host), &nd->port, dflt, err, errlen) < 0)
			return -1;
		u->nsentinels++;
	}
	return 0;
}

/*
 * parse_cluster: p follows "cluster://": [userinfo@]host[:port][,...],
 * the seed nodes asked for the slot map (cluster.h); no database, as a
 * cluster has only 0.  host and port are those of the first seed.
 */
static int
parse_cluster(const char *p, struct redisurl *u, char *err, size_t errlen)
{
	const char *end = p + strlen(p);

	u->is_cluster = 1;
	if (strchr(p, '/') != NULL) {
		snprintf(err, errlen, "a cluster:// URL has no /db or path "
		    "(a cluster has only database 0)");
		return -1;
	}
	if (parse_nodes(p, end, u, REDISURL_DEFAULT_PORT, "seed nodes", err,
	    errlen) < 0)
		return -1;
	snprintf(u->host, sizeof(u->host), "%s", u->sentinels[0].host);
	u->port = u->sentinels[0].port;
	return 0;
}

/*
 * parse_sentinel: p follows "sentinel://": [userinfo@]host[:port][,...]
 * /mastername[/db].  The userinfo is for the Redis servers the
 * Sentinels name, as in redis://; a Sentinel's port defaults to 26379.
 */
static int
parse_sentinel(const char *p, struct redisurl *u, char *err, size_t errlen)
{
	const char *slash = strchr(p, '/'), *end;
	size_t n;

	u->is_sentinel = 1;
	if (slash == NULL) {
		snprintf(err, errlen, "no /mastername after the Sentinels");
		return -1;
	}
	if (parse_nodes(p, slash, u, REDISURL_SENTINEL_PORT, "Sentinels",
	    err, errlen) < 0)
		return -1;
	p = slash + 1;
	end = strchr(p, '/');
	n = end != NULL ? (size_t)(end - p) : strlen(p);
	if (!name_ok(p, n) || n >= sizeof(u->master)) {
		snprintf(err, errlen, "bad master name '%.*s' (1-%zu of A-Z "
		    "a-z 0-9 . - _)", (int)(n > 32 ? 32 : n), p,
		    sizeof(u->master) - 1);
		return -1;
	}
	memcpy(u->master, p, n);
	u->master[n] = '\0';
	if (end != NULL && end[1] != '\0')
		return parse_db(end + 1, u, err, errlen);
	return 0;
}

int
redisurl_parse(const char *s, struct redisurl *u, char *err, size_t errlen)
{
	const char *p, *slash, *at, *q;

	memset(u, 0, sizeof(*u));
	if (strncmp(s, "unix://", 7) == 0)
		return parse_unix(s + 7, u, err, errlen);
	if (strncmp(s, "sentinel://", 11) == 0)
		return parse_sentinel(s + 11, u, err, errlen);
	if (strncmp(s, "cluster://", 10) == 0)
		return parse_cluster(s + 10, u, err, errlen);
	if (strncmp(s, "redis://", 8) != 0) {
		/* a scheme, "name://", that is not ours */
		for (q = s; (*q >= 'a' && *q <= 'z') || (*q >= 'A' &&
		    *q <= 'Z') || (q > s && ((*q >= '0' && *q <= '9') ||
		    *q == '+' || *q == '-' || *q == '.')); q++)
			;
		if (q > s && strncmp(q, "://", 3) == 0) {
			snprintf(err, errlen, "unknown scheme '%.*s' (redis://, "
			    "unix://, sentinel:// or cluster://)", (int)(q - s > 16 ? 16 : q - s), s);
			return -1;
		}
		if (strchr(s, '/') != NULL)
			return parse_unix(s, u, err, errlen);
		snprintf(err, errlen, "not redis://[[user][:password]@]host"
		    "[:port][/db], unix://path or a socket path with a '/'");
		return -1;
	}
	p = s + 8;
	slash = strchr(p, '/');
	if (slash == NULL)
		slash = p + strlen(p);
	/* the userinfo ends at the last '@' before the path */
	for (at = NULL, q = p; q < slash; q++)
		if (*q == '@')
			at = q;
	if (at == NULL && strchr(slash, '@') != NULL) {
		snprintf(err, errlen, "'/' in the user or password: write it "
		    "%%2F");
		return -1;
	}
	if (at != NULL) {
		if (parse_userinfo(p, (size_t)(at - p), u, err, errlen) < 0)
			return -1;
		p = at + 1;
	}
	if (parse_hostport(p, (size_t)(slash - p), u->host, sizeof(u->host),
	    &u->port, REDISURL_DEFAULT_PORT, err, errlen) < 0)
		return -1;
	if (*slash == '/' && slash[1] != '\0')
		return parse_db(slash + 1, u, err, errlen);
	return 0;
}

/* show_sentinel: redisurl_show for sentinel:// and cluster://. */
static char *
show_sentinel(const struct redisurl *u, const char *db, char *buf,
    size_t len)
{
	size_t o;
	int i;

	snprintf(buf, len, "%s://%s%s%s", u->is_cluster ? "cluster" :
	    "sentinel", u->user,
	    u->has_password ? ":***" : "",
	    u->user[0] != '\0' || u->has_password ? "@" : "");
	for (i = 0; i < u->nsentinels; i++) {
		const struct redisurl_node *nd = &u->sentinels[i];
		int v6 = strchr(nd->host, ':') != NULL;

		o = strlen(buf);
		snprintf(buf + o, len - o, "%s%s%s%s:%d", i > 0 ? "," : "",
		    v6 ? "[" : "", nd->host, v6 ? "]" : "", nd->port);
	}
	o = strlen(buf);
	if (!u->is_cluster)
		snprintf(buf + o, len - o, "/%s%s", u->master, db);
	return buf;
}

char *
redisurl_show(const struct redisurl *u, char *buf, size_t len)
{
	char db[16] = "";
	int v6 = strchr(u->host, ':') != NULL;

	if (u->is_unix) {
		snprintf(buf, len, "unix://%s", u->path);
		return buf;
	}
	if (u->db != 0)
		snprintf(db, sizeof(db), "/%d", u->db);
	if (u->is_sentinel || u->is_cluster)
		return show_sentinel(u, db, buf, len);
	snprintf(buf, len, "redis://%s%s%s%s%s%s:%d%s", u->user,
	    u->has_password ? ":***" : "",
	    u->user[0] != '\0' || u->has_password ? "@" : "",
	    v6 ? "[" : "", u->host, v6 ? "]" : "", u->port, db);
	return buf;
}
