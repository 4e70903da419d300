/*
 * redisurl.h: the one Redis URL grammar of every tickpipe program, as
 * tickpipe(7) ("Redis URLs") writes it:
 *
 *	redis://[[user][:password]@]host[:port][/db]
 *	unix://path
 *	path				(contains a '/')
 *	sentinel://[[user][:password]@]host[:port][,host[:port]]...
 *	    /mastername[/db]
 *	cluster://[[user][:password]@]host[:port][,host[:port]]...
 *
 * user and password are percent-decoded (%40 is '@'); the host is a name,
 * an IPv4 address or an IPv6 address in brackets.  Nothing here prints,
 * exits or allocates.
 */
#ifndef TP_REDISURL_H
#define TP_REDISURL_H

#include <stddef.h>

#define REDISURL_DEFAULT_PORT	6379
#define REDISURL_DB_MAX		1000000
#define REDISURL_SENTINEL_PORT	26379
#define REDISURL_SENTINELS_MAX	8

/* One Sentinel of a sentinel:// URL. */
struct redisurl_node {
	char	host[256];	/* IPv6 without its brackets */
	int	port;
};

struct redisurl {
	int	is_unix;
	char	path[108];	/* the socket, for is_unix (sun_path) */
	char	host[256];	/* IPv6 without its brackets */
	int	port;
	int	db;
	char	user[128];	/* "" for none: AUTH password */
	int	has_password;
	char	password[1024];

	/*
	 * sentinel://: the Sentinels to ask, in order, and the master
	 * name; host and port are then empty until a Sentinel's answer
	 * (sentinel.h) fills them in a copy.
	 */
	int			is_sentinel;
	int			nsentinels;
	struct redisurl_node	sentinels[REDISURL_SENTINELS_MAX];
	char			master[128];

	/*
	 * cluster://: a Redis Cluster; sentinels[] then holds the seed
	 * nodes (cluster.h), and host and port the first of them.
	 */
	int			is_cluster;
};

/*
 * redisurl_parse: parses s into *u.  Returns 0, or -1 with the reason in
 * err (which never quotes the password, so it may be logged).
 */
int	redisurl_parse(const char *s, struct redisurl *u, char *err,
	    size_t errlen);

/*
 * redisurl_show: writes u back as a URL with the password replaced by
 * "***", for log lines; returns buf.
 */
char	*redisurl_show(const struct redisurl *u, char *buf, size_t len);

#endif
