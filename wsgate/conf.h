/*
 * conf.h: wsgate's settings, as main.c reads them from the command line
 * (wsgate(1)); every layer gets a const pointer to them.
 */
#ifndef WSGATE_CONF_H
#define WSGATE_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "redisurl.h"

struct wsgate_conf {
	const char	*listen;
	struct redisurl	 redis;		/* -u, parsed */
	const char	*replica;	/* --replica host:port, or NULL */
	const char	*prefix;
	const char	*www;
	char		*www_real;	/* realpath(www) */
	char		**origins;
	size_t		 norigins;
	char		*token;
	char		*password;
	uint64_t	 max_clients;
	uint64_t	 max_subs;
	uint64_t	 max_msg;
	uint64_t	 output_cap;
	uint64_t	 slow_hz;	/* a slow client's books, 0: cut */
	uint64_t	 ping_interval;	/* s */
	uint64_t	 idle_timeout;	/* s */
	uint64_t	 handshake_timeout;	/* s */
	uint64_t	 redis_timeout;	/* s: a reply owed, nothing read */
	int		 verbose;
};

#endif
