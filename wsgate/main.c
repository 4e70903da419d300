/*
 * main.c: wsgate, the WebSocket fan-out gateway from Redis pub/sub to
 * browsers (wsgate(1)).  Options, the listening socket, signals, the
 * one-second tick (timeouts, server pings), readiness; the top of the
 * layers drawn in wsgate.h.  Its state is one struct wsgate, a local of
 * main, given to each libevent callback as its argument.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "secret.h"
#include "util.h"
#include "wsgate.h"

static const char usage_text[] =
"usage: wsgate [-hv] [-d fd] [-l addr:port] [-u url] [--prefix prefix]\n"
"              [--password-file file] [--www dir] [--origin list]\n"
"              [--token-file file] [--max-clients n]\n"
"              [--max-subscriptions n] [--max-message bytes]\n"
"              [--output-cap bytes] [--ping-interval sec]\n"
"              [--idle-timeout sec] [--handshake-timeout sec]\n"
"              [--slow-client-hz n] [--replica host:port]\n"
"              [--redis-timeout sec]\n";

#define ACCEPT_PAUSE_MS	100	/* listener rest at the fd limit */

static void
usage(FILE *f)
{
	fputs(usage_text, f);
}

static void
stats_line(const struct wsgate *g)
{
	fprintf(stderr, "wsgate: clients %u subs %u redis_msgs %llu msgs_out "
	    "%llu bytes_out %llu dropped %llu slow %llu redis_reconnects "
	    "%llu not_utf8 %llu redis %s in_p50_us %.1f in_p99_us %.1f "
	    "out_p50_us %.1f out_p99_us %.1f\n", g->srv.nws, hub_nsubs(g->hub),
	    (unsigned long long)g->st.redis_msgs,
	    (unsigned long long)g->st.msgs_out,
	    (unsigned long long)g->st.bytes_out,
	    (unsigned long long)g->st.dropped,
	    (unsigned long long)g->st.slow_disconnects,
	    (unsigned long long)g->st.redis_reconnects,
	    (unsigned long long)g->st.not_utf8,
	    hub_redis_up(g->hub) ? "up" : "down",
	    lathist_quantile(&g->st.lat_in, 0.5) / 1e3,
	    lathist_quantile(&g->st.lat_in, 0.99) / 1e3,
	    lathist_quantile(&g->st.lat_out, 0.5) / 1e3,
	    lathist_quantile(&g->st.lat_out, 0.99) / 1e3);
}

/*
 * check_ready: readiness (-d): listening and both Redis connections up,
 * said once.  Also the hub's callback for a connection come up.
 */
static void
check_ready(void *arg)
{
	struct wsgate *g = arg;

	if (g->ready_fd >= 0 && g->listening && hub_both_connected(g->hub)) {
		notify_ready(g->ready_fd);
		g->ready_fd = -1;
	}
}

/* --- events --- */

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct wsgate *g = arg;
	int64_t now = mono_ns();

	(void)fd;
	(void)what;
	server_tick(&g->srv, now);
	if (g->conf.ping_interval > 0 && now - g->last_ping >=
	    (int64_t)g->conf.ping_interval * 1000000000LL) {
		/*
		 * on the interval's own schedule, not from this tick: from
		 * the tick, each interval came out up to a tick longer
		 */
		g->last_ping += (int64_t)g->conf.ping_interval * 1000000000LL;
		if (now - g->last_ping >=
		    (int64_t)g->conf.ping_interval * 1000000000LL)
			g->last_ping = now;	/* fell behind: start over */
		server_ping_all(&g->srv);
	}
	ratelog_tick(&g->accept_log, now);
	hub_tick(g->hub, now);
	if (g->conf.verbose && now - g->last_stats >= 10 * 1000000000LL) {
		g->last_stats = now;
		stats_line(g);
	}
	if (g->srv.stopping && (g->srv.nconn == 0 || now > g->stop_deadline))
		event_base_loopbreak(g->base);
}

static void
resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct wsgate *g = arg;

	(void)fd;
	(void)what;
	if (!g->srv.stopping)
		event_add(g->accept_ev, NULL);
}

/*
 * accept_full: accept4 failed for want of a file descriptor.  The
 * waiting connections would keep the listener readable and the loop
 * spinning, so the spare descriptor is given up to accept each of them
 * and close it at once, then taken back, and the listener rests
 * ACCEPT_PAUSE_MS.  Those clients see their connection closed.
 */
static void
accept_full(struct wsgate *g, int fd, int err)
{
	struct timeval tv = { 0, ACCEPT_PAUSE_MS * 1000 };
	unsigned long long n = 0;
	int c;

	if (g->spare_fd >= 0) {
		close(g->spare_fd);
		while (n < 1024 && (c = accept4(fd, NULL, NULL,
		    SOCK_CLOEXEC)) >= 0) {
			close(c);
			n++;
		}
		g->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
	g->st.fd_limit_closed += n;
	if (n > 0)
		ratelog_say(&g->accept_log, mono_ns(), "accept: %s: %llu "
		    "connections closed at once, listener paused %d ms",
		    strerror(err), n, ACCEPT_PAUSE_MS);
	else
		ratelog_say(&g->accept_log, mono_ns(), "accept: %s: "
		    "listener paused %d ms", strerror(err), ACCEPT_PAUSE_MS);
	if (g->resume_ev == NULL)
		g->resume_ev = evtimer_new(g->base, resume_cb, g);
	if (g->resume_ev != NULL && event_del(g->accept_ev) == 0)
		evtimer_add(g->resume_ev, &tv);
}

/*
 * conn_max: how many connections clients may have: the descriptors left
 * at start less those kept for wsgate's own (a quarter of them, if
 * fewer): FD_RESERVE, or two a Redis Cluster node and two more if that
 * is more (Redis connections made again, a static file being read).  So
 * clients holding every descriptor they may cannot keep wsgate from
 * Redis.  The reserve grows with a cluster's nodes.
 */
#define FD_RESERVE	16

static unsigned
conn_max(struct wsgate *g)
{
	unsigned keep = 2 * hub_redis_nodes(g->hub) + 2;

	if (g->fd_left == UINT_MAX)
		return UINT_MAX;
	if (keep < FD_RESERVE)
		keep = FD_RESERVE;
	if (keep > g->fd_left / 4)
		keep = g->fd_left / 4;
	return g->fd_left - keep;
}

static void
accept_cb(evutil_socket_t fd, short what, void *arg)
{
	struct wsgate *g = arg;

	(void)what;
	if (g->spare_fd < 0)
		g->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	for (int i = 0; i < 128; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		char host[INET6_ADDRSTRLEN], serv[8], addr[64];
		int one = 1;
		int c = accept4(fd, (struct sockaddr *)&ss, &sl,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (c < 0) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				accept_full(g, fd, errno);
			else if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				ratelog_say(&g->accept_log, mono_ns(),
				    "accept: %s", strerror(errno));
			return;
		}
		if (g->srv.stopping) {
			close(c);
			continue;
		}
		if (g->srv.nconn >= conn_max(g)) {
			close(c);
			g->st.fd_limit_closed++;
			ratelog_say(&g->accept_log, mono_ns(), "accept: the "
			    "last descriptors are kept for Redis: connection "
			    "closed");
			continue;
		}
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host),
		    serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
			snprintf(addr, sizeof(addr), "?");
		else
			snprintf(addr, sizeof(addr), "%s:%s", host, serv);
		server_accept(&g->srv, c, addr);
	}
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct wsgate *g = arg;

	(void)what;
	if (sig == SIGUSR1) {
		stats_line(g);
		return;
	}
	if (g->srv.stopping) {
		event_base_loopbreak(g->base);	/* second signal: now */
		return;
	}
	fprintf(stderr, "wsgate: %s: closing %u clients\n",
	    sig == SIGTERM ? "SIGTERM" : "SIGINT", g->srv.nws);
	g->stop_deadline = mono_ns() + 3 * 1000000000LL;
	if (g->accept_ev != NULL)
		event_del(g->accept_ev);
	if (g->resume_ev != NULL)
		event_del(g->resume_ev);
	server_shutdown(&g->srv);
	if (g->srv.nconn == 0)
		event_base_loopbreak(g->base);
}

/* --- setup --- */

/*
 * listen_on: ADDR:PORT ("127.0.0.1:8080", "[::1]:8080", "localhost:80",
 * ":8080" for every address).  Returns the fd, or with msg -2 if spec is
 * malformed, -1 if it cannot be used.
 */
static int
listen_on(const char *spec, char *msg, size_t msglen)
{
	char host[256];
	const char *colon = strrchr(spec, ':');
	struct addrinfo hints, *res = NULL, *ai;
	uint64_t port;
	int fd = -1, one = 1, e;

	if (colon == NULL || parse_u64(colon + 1, 0, 65535, &port) != 0 ||
	    (size_t)(colon - spec) >= sizeof(host)) {
		snprintf(msg, msglen, "bad listen address '%s' (ADDR:PORT)",
		    spec);
		return -2;
	}
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = 0;
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = 0;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((e = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints,
	    &res)) != 0) {
		snprintf(msg, msglen, "%s: %s", spec, gai_strerror(e));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, 1024) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
		errno = e;
	}
	if (fd < 0)
		snprintf(msg, msglen, "%s: %s", spec, strerror(errno));
	freeaddrinfo(res);
	return fd;
}

static int
split_origins(struct wsgate_conf *conf, const char *list)
{
	char *s = strdup(list), *tok, *save = NULL;

	if (s == NULL)
		return -1;
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",",
	    &save)) {
		while (*tok == ' ')
			tok++;
		char **v = realloc(conf->origins, (conf->norigins + 1) *
		    sizeof(*v));

		if (v != NULL)
			conf->origins = v;
		if (v == NULL || *tok == 0 || strchr(tok, ' ')) {
			free(s);
			return -1;
		}
		conf->origins[conf->norigins++] = strdup(tok);
	}
	free(s);
	return conf->norigins > 0 ? 0 : -1;
}

/*
 * load_secret: reads a secret (the token, or the Redis password) with
 * secret_read; 0, or -1 with the reason in msg.  A file others may read
 * is said on stderr and used all the same.
 */
static int
load_secret(const char *path, const char *what, int flags, char **out,
    char *msg, size_t msglen)
{
	int rc = secret_read(path, what, 256, flags, out, msg, msglen);

	if (rc > 0)
		fprintf(stderr, "wsgate: %s file %s\n", what, msg);
	return rc < 0 ? -1 : 0;
}

/* raise_nofile: the descriptor limit as high as allowed, in g->nofile */
static void
raise_nofile(struct wsgate *g)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)INT_MAX)
		g->nofile = (unsigned)rl.rlim_cur;
}

/*
 * conn_limit: once set up, the descriptors left: the limit less those in
 * use now (the lowest free one; they are allocated lowest first).
 */
static void
conn_limit(struct wsgate *g)
{
	unsigned used;
	int probe;

	g->fd_left = UINT_MAX;
	if (g->nofile == 0 ||
	    (probe = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
		return;
	used = (unsigned)probe;
	close(probe);
	g->fd_left = g->nofile > used ? g->nofile - used : 0;
}

enum {
	O_PREFIX = 256, O_WWW, O_ORIGIN, O_TOKEN, O_MAXCLIENTS, O_MAXSUBS,
	O_MAXMSG, O_OUTCAP, O_PING, O_IDLE, O_HANDSHAKE, O_REDISTMO, O_PASSFILE,
	O_SLOWHZ
};
enum { O_REPLICA = 400 };	/* tickpipe(7) "Sentinel" */

static int
num_opt(const char *name, const char *arg, uint64_t min, uint64_t max,
    uint64_t *out)
{
	if (parse_u64(arg, min, max, out) != 0) {
		fprintf(stderr, "wsgate: %s: '%s': want a number from %llu to "
		    "%llu\n", name, arg, (unsigned long long)min,
		    (unsigned long long)max);
		return -1;
	}
	return 0;
}

/*
 * configure: g->conf from the command line (wsgate(1)) and the files it
 * names.  Returns -1 to run, or the status to exit with (0 after -h).
 */
static int
configure(struct wsgate *g, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "prefix", required_argument, NULL, O_PREFIX },
		{ "password-file", required_argument, NULL, O_PASSFILE },
		{ "www", required_argument, NULL, O_WWW },
		{ "origin", required_argument, NULL, O_ORIGIN },
		{ "token-file", required_argument, NULL, O_TOKEN },
		{ "max-clients", required_argument, NULL, O_MAXCLIENTS },
		{ "max-subscriptions", required_argument, NULL, O_MAXSUBS },
		{ "max-message", required_argument, NULL, O_MAXMSG },
		{ "output-cap", required_argument, NULL, O_OUTCAP },
		{ "ping-interval", required_argument, NULL, O_PING },
		{ "idle-timeout", required_argument, NULL, O_IDLE },
		{ "handshake-timeout", required_argument, NULL, O_HANDSHAKE },
		{ "slow-client-hz", required_argument, NULL, O_SLOWHZ },
		{ "replica", required_argument, NULL, O_REPLICA },
		{ "redis-timeout", required_argument, NULL, O_REDISTMO },
		{ NULL, 0, NULL, 0 }
	};
	const char *token_file = NULL, *pass_file = NULL, *env;
	const char *url = "redis://127.0.0.1:6379";
	struct wsgate_conf *conf = &g->conf;
	char msg[512];
	uint64_t port;
	int ch;

	g->ready_fd = -1;
	conf->listen = "127.0.0.1:8080";
	conf->prefix = "md";
	conf->max_clients = 10000;
	conf->max_subs = 64;
	conf->max_msg = 65536;
	conf->output_cap = 1u << 20;
	conf->ping_interval = 20;
	conf->idle_timeout = 60;
	conf->handshake_timeout = 10;
	conf->redis_timeout = 10;
	conf->slow_hz = 10;
	while ((ch = getopt_long(argc, argv, "hvd:l:u:", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			if (help_flush() < 0) {
				fprintf(stderr, "wsgate: stdout: %s\n",
				    strerror(errno));
				return EX_IOERR;
			}
			return 0;
		case 'v':
			conf->verbose = 1;
			break;
		case 'd':
			if ((g->ready_fd = parse_fd_opt(optarg)) < 0) {
				fprintf(stderr, "wsgate: -d: '%s': not an open "
				    "file descriptor\n", optarg);
				return EX_USAGE;
			}
			break;
		case 'l':
			conf->listen = optarg;
			break;
		case 'u':
			url = optarg;
			break;
		case O_PREFIX:
			if (!*optarg || strpbrk(optarg, " *?[")) {
				fprintf(stderr, "wsgate: --prefix: '%s': "
				    "no spaces or glob characters\n", optarg);
				return EX_USAGE;
			}
			conf->prefix = optarg;
			break;
		case O_PASSFILE:
			pass_file = optarg;
			break;
		case O_WWW:
			conf->www = optarg;
			break;
		case O_ORIGIN:
			if (split_origins(conf, optarg) != 0) {
				fprintf(stderr, "wsgate: --origin: '%s': want "
				    "a comma-separated list of origins\n",
				    optarg);
				return EX_USAGE;
			}
			break;
		case O_TOKEN:
			token_file = optarg;
			break;
		case O_MAXCLIENTS:
			if (num_opt("--max-clients", optarg, 1, 1000000,
			    &conf->max_clients))
				return EX_USAGE;
			break;
		case O_MAXSUBS:
			if (num_opt("--max-subscriptions", optarg, 1, 100000,
			    &conf->max_subs))
				return EX_USAGE;
			break;
		case O_MAXMSG:
			if (num_opt("--max-message", optarg, 64, 1u << 26,
			    &conf->max_msg))
				return EX_USAGE;
			break;
		case O_OUTCAP:
			if (num_opt("--output-cap", optarg, 4096,
			    (uint64_t)1 << 32, &conf->output_cap))
				return EX_USAGE;
			break;
		case O_PING:
			if (num_opt("--ping-interval", optarg, 0, 3600,
			    &conf->ping_interval))
				return EX_USAGE;
			break;
		case O_IDLE:
			if (num_opt("--idle-timeout", optarg, 0, 86400,
			    &conf->idle_timeout))
				return EX_USAGE;
			break;
		case O_HANDSHAKE:
			if (num_opt("--handshake-timeout", optarg, 1, 3600,
			    &conf->handshake_timeout))
				return EX_USAGE;
			break;
		case O_REDISTMO:
			if (num_opt("--redis-timeout", optarg, 1, 3600,
			    &conf->redis_timeout))
				return EX_USAGE;
			break;
		case O_SLOWHZ:
			if (num_opt("--slow-client-hz", optarg, 0, CFL_HZ_MAX,
			    &conf->slow_hz))
				return EX_USAGE;
			break;
		case O_REPLICA:
			if (strchr(optarg, ':') == NULL ||
			    parse_u64(strrchr(optarg, ':') + 1, 1, 65535,
			    &port) < 0) {
				fprintf(stderr, "wsgate: --replica: '%s': want "
				    "host:port\n", optarg);
				return EX_USAGE;
			}
			conf->replica = optarg;
			break;
		default:
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "wsgate: unexpected argument '%s'\n",
		    argv[optind]);
		return EX_USAGE;
	}
	if (token_file != NULL && load_secret(token_file, "token", SECRET_TOKEN,
	    &conf->token, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "wsgate: --token-file: %s\n", msg);
		return EX_CONFIG;
	}
	if (redisurl_parse(url, &conf->redis, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "wsgate: -u: bad Redis URL: %s\n", msg);
		return EX_USAGE;
	}
	if (conf->redis.has_password && pass_file != NULL) {
		fprintf(stderr, "wsgate: -u: a password in the URL and "
		    "--password-file: give one\n");
		return EX_USAGE;
	}
	/* the URL's or the file's password, else the environment's */
	if (conf->redis.has_password) {
		conf->password = strdup(conf->redis.password);
	} else if (pass_file != NULL) {
		if (load_secret(pass_file, "password", 0, &conf->password,
		    msg, sizeof(msg)) != 0) {
			fprintf(stderr, "wsgate: --password-file: %s\n", msg);
			return EX_CONFIG;
		}
	} else if ((env = getenv("TICKPIPE_REDIS_PASSWORD")) != NULL &&
	    *env) {
		conf->password = strdup(env);
	}
	if (conf->redis.user[0] != '\0' && conf->password == NULL) {
		fprintf(stderr, "wsgate: user '%s' in the URL but no password "
		    "(TICKPIPE_REDIS_PASSWORD or --password-file)\n",
		    conf->redis.user);
		return EX_CONFIG;
	}
#ifdef WSGATE_WWW_DEFAULT
	/* without --www: the installed dashboard, if it is there */
	if (conf->www == NULL) {
		struct stat sb;

		if (stat(WSGATE_WWW_DEFAULT, &sb) == 0 && S_ISDIR(sb.st_mode) &&
		    (conf->www_real = realpath(WSGATE_WWW_DEFAULT, NULL)) !=
		    NULL)
			conf->www = WSGATE_WWW_DEFAULT;
	}
#endif
	if (conf->www != NULL && conf->www_real == NULL &&
	    (conf->www_real = realpath(conf->www, NULL)) == NULL) {
		fprintf(stderr, "wsgate: --www: %s: %s\n", conf->www,
		    strerror(errno));
		return EX_CONFIG;
	}
	if (conf->www != NULL) {
		struct stat sb;

		if (stat(conf->www_real, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
			fprintf(stderr, "wsgate: --www: %s: not a directory\n",
			    conf->www);
			return EX_CONFIG;
		}
	}
	return -1;
}

/* The listening socket and the loop's events; 0, or an exit status. */
static int
start(struct wsgate *g)
{
	struct timeval one_s = { 1, 0 };
	char msg[512];

	if ((g->base = event_base_new()) == NULL) {
		fprintf(stderr, "wsgate: event_base_new failed\n");
		return EX_SOFTWARE;
	}
	if ((g->listen_fd = listen_on(g->conf.listen, msg, sizeof(msg))) < 0) {
		fprintf(stderr, "wsgate: listen: %s\n", msg);
		return g->listen_fd == -2 ? EX_USAGE : EX_UNAVAILABLE;
	}
	if ((g->hub = hub_new(g->base, &g->conf, &g->st, check_ready, g)) ==
	    NULL || server_init(&g->srv, g->base, &g->conf, &g->st,
	    g->hub) != 0) {
		fprintf(stderr, "wsgate: out of memory\n");
		return EX_SOFTWARE;
	}
	g->accept_ev = event_new(g->base, g->listen_fd, EV_READ | EV_PERSIST,
	    accept_cb, g);
	g->tick_ev = event_new(g->base, -1, EV_PERSIST, tick_cb, g);
	g->term_ev = evsignal_new(g->base, SIGTERM, signal_cb, g);
	g->int_ev = evsignal_new(g->base, SIGINT, signal_cb, g);
	g->usr1_ev = evsignal_new(g->base, SIGUSR1, signal_cb, g);
	if (g->accept_ev == NULL || g->tick_ev == NULL ||
	    g->term_ev == NULL || g->int_ev == NULL || g->usr1_ev == NULL ||
	    event_add(g->accept_ev, NULL) || event_add(g->tick_ev, &one_s) ||
	    event_add(g->term_ev, NULL) || event_add(g->int_ev, NULL) ||
	    event_add(g->usr1_ev, NULL)) {
		fprintf(stderr, "wsgate: cannot set up events\n");
		return EX_SOFTWARE;
	}
	sig_release();	/* held since main: now taken by the loop */
	g->listening = 1;
	conn_limit(g);
	if (g->conf.verbose) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		char host[NI_MAXHOST], port[NI_MAXSERV], at[NI_MAXHOST + 16];

		/* the address bound: port 0 asks the kernel for one */
		if (getsockname(g->listen_fd, (struct sockaddr *)&ss, &sl) == 0 &&
		    getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host),
		    port, sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) == 0)
			snprintf(at, sizeof(at), strchr(host, ':') != NULL ?
			    "[%s]:%s" : "%s:%s", host, port);
		else
			snprintf(at, sizeof(at), "%s", g->conf.listen);
		fprintf(stderr, "wsgate: listening on %s, redis %s, files "
		    "%s\n", at, redisurl_show(&g->conf.redis, msg,
		    sizeof(msg)), g->conf.www_real ?
		    g->conf.www_real : "none");
	}
	check_ready(g);
	return 0;
}

/*
 * stop: tears down in dependency order: Redis first (its pending
 * callbacks run now and drop their peer references), then the clients,
 * then wsgate's own events, then the hub (which runs the loop once more
 * for the name lookups it gave up: evname_res_free) and the loop.
 */
static void
stop(struct wsgate *g)
{
	if (g->hub != NULL)
		hub_close(g->hub);
	server_close(&g->srv);
	ratelog_flush(&g->accept_log);
	if (g->accept_ev)
		event_free(g->accept_ev);
	if (g->resume_ev)
		event_free(g->resume_ev);
	if (g->tick_ev)
		event_free(g->tick_ev);
	if (g->term_ev)
		event_free(g->term_ev);
	if (g->int_ev)
		event_free(g->int_ev);
	if (g->usr1_ev)
		event_free(g->usr1_ev);
	hub_free(g->hub);
	if (g->listen_fd >= 0)
		close(g->listen_fd);
	if (g->spare_fd >= 0)
		close(g->spare_fd);
	if (g->base)
		event_base_free(g->base);
	for (size_t i = 0; i < g->conf.norigins; i++)
		free(g->conf.origins[i]);
	free(g->conf.origins);
	free(g->conf.token);
	free(g->conf.password);
	free(g->conf.www_real);
}

int
main(int argc, char **argv)
{
	struct wsgate g;
	int rc;

	sig_hold();	/* until the handlers are in place, start() */
	std_fds_hold();
	memset(&g, 0, sizeof(g));
	ratelog_init(&g.accept_log, 1, WSGATE_LOG_EVERY_NS, NULL,
	    "lines like the one above not logged");
	g.ready_fd = g.listen_fd = g.spare_fd = -1;
	if ((rc = configure(&g, argc, argv)) < 0) {
		signal(SIGPIPE, SIG_IGN);
		raise_nofile(&g);
		g.last_ping = g.last_stats = mono_ns();
		if ((rc = start(&g)) == 0) {
			event_base_dispatch(g.base);
			if (g.conf.verbose)
				stats_line(&g);
		}
	}
	stop(&g);
	return rc;
}
