/*
 * main.c: wsgate, the WebSocket fan-out gateway from Redis pub/sub to
 * browsers.  Options, the listening socket, signals, the one-second tick
 * (timeouts, server pings), readiness, and the /metrics text.  The rest
 * lives in http.c (requests, handshake, static files), client.c (the
 * WebSocket connection and its output queue) and hub.c (Redis).
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

#include "util.h"
#include "wsgate.h"

struct wsgate G;

static const char usage_text[] =
"usage: wsgate [-hv] [-d fd] [-l addr:port] [-u url] [--prefix prefix]\n"
"              [--password-file file] [--www dir] [--origin list]\n"
"              [--token-file file] [--max-clients n]\n"
"              [--max-subscriptions n] [--max-message bytes]\n"
"              [--output-cap bytes] [--ping-interval sec]\n"
"              [--idle-timeout sec] [--handshake-timeout sec]\n";

#define ACCEPT_PAUSE_MS	100	/* listener rest at the fd limit */
#define LOG_EVERY_NS	(10 * 1000000000LL)	/* a limited line, at most */

static struct event *tick_ev, *term_ev, *int_ev, *usr1_ev, *accept_ev;
static struct event *resume_ev;
static int listen_fd = -1;
static int spare_fd = -1;	/* given up at the fd limit, see accept_full */
static int64_t stop_deadline, last_ping, last_stats;
static struct ratelog accept_log;
static struct ratelog *ratelogs;	/* every limited line used so far */

int64_t
wsgate_mono(void)
{
	return mono_ns();
}

static void
usage(FILE *f)
{
	fputs(usage_text, f);
}

static void
stats_line(void)
{
	fprintf(stderr, "wsgate: clients %u subs %u redis_msgs %llu msgs_out "
	    "%llu bytes_out %llu dropped %llu slow %llu redis_reconnects "
	    "%llu redis %s\n", G.nws, hub_nsubs(),
	    (unsigned long long)G.st.redis_msgs,
	    (unsigned long long)G.st.msgs_out,
	    (unsigned long long)G.st.bytes_out,
	    (unsigned long long)G.st.dropped,
	    (unsigned long long)G.st.slow_disconnects,
	    (unsigned long long)G.st.redis_reconnects,
	    hub_redis_up() ? "up" : "down");
}

static void
ratelog_said(struct ratelog *rl)
{
	if (rl->held > 0)
		fprintf(stderr, "wsgate: (the line above came %llu more times "
		    "in %lld s)\n", (unsigned long long)rl->held,
		    (long long)(LOG_EVERY_NS / 1000000000LL));
	rl->held = 0;
}

/*
 * wsgate_log_limited: logs one line (fmt, after "wsgate: ") unless rl's
 * line was said less than LOG_EVERY_NS ago; the repeats are counted, and
 * their number is said with the next one or by the tick, so a flood
 * (connections at the fd limit, slow clients) leaves a few lines.
 */
void
wsgate_log_limited(struct ratelog *rl, const char *fmt, ...)
{
	int64_t now = mono_ns();
	va_list ap;

	if (!rl->listed) {
		rl->listed = 1;
		rl->next = ratelogs;
		ratelogs = rl;
	}
	if (rl->last != 0 && now - rl->last < LOG_EVERY_NS) {
		rl->held++;
		return;
	}
	ratelog_said(rl);
	fputs("wsgate: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	rl->last = now;
}

/* Readiness: listening and both Redis connections up, once. */
void
wsgate_check_ready(void)
{
	if (G.ready_fd >= 0 && G.listening && hub_both_connected()) {
		notify_ready(G.ready_fd);
		G.ready_fd = -1;
	}
}

/* --- /metrics --- */

struct mbuf {
	char	*p;
	size_t	 len, cap;
};

static void
mprintf(struct mbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		char *np = realloc(b->p, b->cap * 2 + (size_t)n);

		if (np == NULL)
			return;
		b->p = np;
		b->cap = b->cap * 2 + (size_t)n;
	}
}

static void
metric(struct mbuf *b, const char *name, const char *type, const char *help,
    double v)
{
	mprintf(b, "# HELP wsgate_%s %s\n# TYPE wsgate_%s %s\nwsgate_%s %.17g\n",
	    name, help, name, type, name, v);
}

void
wsgate_metrics(struct client *c, int head)
{
	struct mbuf b = { malloc(4096), 0, 4096 };
	const struct wsgate_stats *s = &G.st;

	if (b.p == NULL) {
		http_respond(c, 500, "text/plain", NULL, "", 0, head);
		return;
	}
	metric(&b, "clients", "gauge", "Connected WebSocket clients.", G.nws);
	metric(&b, "connections", "gauge", "Open TCP connections.", G.nconn);
	metric(&b, "connections_total", "counter", "Accepted TCP "
	    "connections.", (double)s->connections);
	metric(&b, "websocket_opened_total", "counter", "WebSocket "
	    "handshakes completed.", (double)s->ws_opened);
	metric(&b, "subscriptions", "gauge", "Channels and patterns "
	    "clients subscribe to (each counted once).", hub_nsubs());
	metric(&b, "redis_up", "gauge", "1 if the Redis subscriber "
	    "connection is up.", hub_redis_up());
	metric(&b, "messages_in_total", "counter", "Messages received "
	    "from Redis.", (double)s->redis_msgs);
	metric(&b, "bytes_in_total", "counter", "Payload bytes received "
	    "from Redis.", (double)s->redis_bytes);
	metric(&b, "messages_out_total", "counter", "Data messages queued "
	    "to clients.", (double)s->msgs_out);
	metric(&b, "bytes_out_total", "counter", "Bytes written to client "
	    "sockets.", (double)s->bytes_out);
	metric(&b, "client_messages_total", "counter", "Messages received "
	    "from clients.", (double)s->client_msgs);
	metric(&b, "client_bytes_total", "counter", "Bytes received from "
	    "WebSocket clients.", (double)s->client_bytes);
	metric(&b, "client_errors_total", "counter", "Bad client messages "
	    "and protocol errors.", (double)s->client_errors);
	metric(&b, "dropped_total", "counter", "Messages not delivered "
	    "(client cut loose or closing).", (double)s->dropped);
	metric(&b, "slow_client_disconnects_total", "counter", "Clients "
	    "closed for exceeding the output cap.",
	    (double)s->slow_disconnects);
	metric(&b, "idle_timeouts_total", "counter", "Clients closed for "
	    "silence.", (double)s->idle_timeouts);
	metric(&b, "handshake_timeouts_total", "counter", "Connections "
	    "that sent no complete request in time.",
	    (double)s->handshake_timeouts);
	metric(&b, "fd_limit_closed_total", "counter", "Connections "
	    "closed on arrival for want of a file descriptor.",
	    (double)s->fd_limit_closed);
	metric(&b, "late_joins_total", "counter", "Book and pattern "
	    "subscriptions "
	    "started from snapshot and deltas.", (double)s->late_joins);
	metric(&b, "redis_reconnects_total", "counter", "Redis "
	    "reconnections after a loss.", (double)s->redis_reconnects);
	metric(&b, "redis_errors_total", "counter", "Redis error replies.",
	    (double)s->redis_errors);
	mprintf(&b, "# HELP wsgate_refused_total WebSocket upgrades "
	    "refused, by reason.\n# TYPE wsgate_refused_total counter\n");
	mprintf(&b, "wsgate_refused_total{reason=\"max_clients\"} %llu\n",
	    (unsigned long long)s->max_clients_refused);
	mprintf(&b, "wsgate_refused_total{reason=\"origin\"} %llu\n",
	    (unsigned long long)s->origin_refused);
	mprintf(&b, "wsgate_refused_total{reason=\"token\"} %llu\n",
	    (unsigned long long)s->token_refused);
	metric(&b, "subscription_limit_total", "counter", "Subscriptions "
	    "refused by --max-subscriptions.", (double)s->sub_limit_refused);
	mprintf(&b, "# HELP wsgate_http_responses_total HTTP responses by "
	    "status.\n# TYPE wsgate_http_responses_total counter\n");
	for (int i = 100; i < 600; i++)
		if (s->http[i])
			mprintf(&b, "wsgate_http_responses_total{code=\"%d\"} "
			    "%llu\n", i, (unsigned long long)s->http[i]);
	mprintf(&b, "# HELP wsgate_close_frames_total WebSocket close "
	    "frames sent, by code.\n# TYPE wsgate_close_frames_total "
	    "counter\n");
	for (int i = 0; i < 16; i++)
		if (s->close_codes[i])
			mprintf(&b, "wsgate_close_frames_total{code=\"%d\"} "
			    "%llu\n", 1000 + i,
			    (unsigned long long)s->close_codes[i]);
	mprintf(&b, "# HELP wsgate_uptime_seconds Seconds since start.\n"
	    "# TYPE wsgate_uptime_seconds gauge\nwsgate_uptime_seconds %.3f\n",
	    (double)(mono_ns() - G.t0) / 1e9);
	/* the response counts itself only after it is built */
	http_respond(c, 200, "text/plain; version=0.0.4; charset=utf-8", NULL,
	    b.p, b.len, head);
	free(b.p);
}

/* --- events --- */

static void
stop_now(void)
{
	event_base_loopbreak(G.base);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	int64_t now = mono_ns();

	(void)fd;
	(void)what;
	(void)arg;
	client_tick(now);
	if (G.conf.ping_interval > 0 && now - last_ping >=
	    (int64_t)G.conf.ping_interval * 1000000000LL) {
		last_ping = now;
		client_ping_all();
	}
	for (struct ratelog *rl = ratelogs; rl != NULL; rl = rl->next)
		if (rl->held > 0 && now - rl->last >= LOG_EVERY_NS) {
			ratelog_said(rl);
			rl->last = now;
		}
	if (G.conf.verbose && now - last_stats >= 10 * 1000000000LL) {
		last_stats = now;
		stats_line();
	}
	if (G.stopping && (G.nconn == 0 || now > stop_deadline))
		stop_now();
}

static void
resume_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (!G.stopping)
		event_add(accept_ev, NULL);
}

/*
 * accept_full: accept4 failed for want of a file descriptor.  The
 * waiting connections would keep the listener readable and the loop
 * spinning, so the spare descriptor is given up to accept each of them
 * and close it at once, then taken back, and the listener rests
 * ACCEPT_PAUSE_MS.  Those clients see their connection closed.
 */
static void
accept_full(int fd, int err)
{
	struct timeval tv = { 0, ACCEPT_PAUSE_MS * 1000 };
	unsigned long long n = 0;
	int c;

	if (spare_fd >= 0) {
		close(spare_fd);
		while (n < 1024 && (c = accept4(fd, NULL, NULL,
		    SOCK_CLOEXEC)) >= 0) {
			close(c);
			n++;
		}
		spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
	G.st.fd_limit_closed += n;
	wsgate_log_limited(&accept_log, "accept: %s: %llu connections "
	    "closed at once, listener paused %d ms", strerror(err), n,
	    ACCEPT_PAUSE_MS);
	if (resume_ev == NULL)
		resume_ev = evtimer_new(G.base, resume_cb, NULL);
	if (resume_ev != NULL && event_del(accept_ev) == 0)
		evtimer_add(resume_ev, &tv);
}

static void
accept_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	(void)arg;
	if (spare_fd < 0)
		spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
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
				accept_full(fd, errno);
			else if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				wsgate_log_limited(&accept_log, "accept: %s",
				    strerror(errno));
			return;
		}
		if (G.stopping) {
			close(c);
			continue;
		}
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host),
		    serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
			snprintf(addr, sizeof(addr), "?");
		else
			snprintf(addr, sizeof(addr), "%s:%s", host, serv);
		client_accept(c, addr);
	}
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	(void)arg;
	if (sig == SIGUSR1) {
		stats_line();
		return;
	}
	if (G.stopping) {
		stop_now();	/* second signal: now */
		return;
	}
	fprintf(stderr, "wsgate: %s: closing %u clients\n",
	    sig == SIGTERM ? "SIGTERM" : "SIGINT", G.nws);
	G.stopping = 1;
	stop_deadline = mono_ns() + 3 * 1000000000LL;
	if (accept_ev != NULL)
		event_del(accept_ev);
	if (resume_ev != NULL)
		event_del(resume_ev);
	client_shutdown_all();
	if (G.nconn == 0)
		stop_now();
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
split_origins(const char *list)
{
	char *s = strdup(list), *tok, *save = NULL;

	if (s == NULL)
		return -1;
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",",
	    &save)) {
		while (*tok == ' ')
			tok++;
		char **v = realloc(G.conf.origins, (G.conf.norigins + 1) *
		    sizeof(*v));

		if (v != NULL)
			G.conf.origins = v;
		if (v == NULL || *tok == 0 || strchr(tok, ' ')) {
			free(s);
			return -1;
		}
		G.conf.origins[G.conf.norigins++] = strdup(tok);
	}
	free(s);
	return G.conf.norigins > 0 ? 0 : -1;
}

static int
read_password(const char *path, char *msg, size_t msglen)
{
	return http_load_token(path, &G.conf.password, msg, msglen);
}

static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

enum {
	O_PREFIX = 256, O_WWW, O_ORIGIN, O_TOKEN, O_MAXCLIENTS, O_MAXSUBS,
	O_MAXMSG, O_OUTCAP, O_PING, O_IDLE, O_HANDSHAKE, O_PASSFILE
};

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

int
main(int argc, char **argv)
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
		{ NULL, 0, NULL, 0 }
	};
	const char *token_file = NULL, *pass_file = NULL, *env;
	const char *url = "redis://127.0.0.1:6379";
	char msg[512];
	struct timeval one_s = { 1, 0 };
	int ch, rc = 0;

	G.ready_fd = -1;
	G.conf.listen = "127.0.0.1:8080";
	G.conf.prefix = "md";
	G.conf.max_clients = 10000;
	G.conf.max_subs = 64;
	G.conf.max_msg = 65536;
	G.conf.output_cap = 1u << 20;
	G.conf.ping_interval = 20;
	G.conf.idle_timeout = 60;
	G.conf.handshake_timeout = 10;
	while ((ch = getopt_long(argc, argv, "hvd:l:u:", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			return 0;
		case 'v':
			G.conf.verbose = 1;
			break;
		case 'd':
			if ((G.ready_fd = parse_fd_opt(optarg)) < 0) {
				fprintf(stderr, "wsgate: -d: '%s': not an open "
				    "file descriptor\n", optarg);
				return EX_USAGE;
			}
			break;
		case 'l':
			G.conf.listen = optarg;
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
			G.conf.prefix = optarg;
			break;
		case O_PASSFILE:
			pass_file = optarg;
			break;
		case O_WWW:
			G.conf.www = optarg;
			break;
		case O_ORIGIN:
			if (split_origins(optarg) != 0) {
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
			    &G.conf.max_clients))
				return EX_USAGE;
			break;
		case O_MAXSUBS:
			if (num_opt("--max-subscriptions", optarg, 1, 100000,
			    &G.conf.max_subs))
				return EX_USAGE;
			break;
		case O_MAXMSG:
			if (num_opt("--max-message", optarg, 64, 1u << 26,
			    &G.conf.max_msg))
				return EX_USAGE;
			break;
		case O_OUTCAP:
			if (num_opt("--output-cap", optarg, 4096,
			    (uint64_t)1 << 32, &G.conf.output_cap))
				return EX_USAGE;
			break;
		case O_PING:
			if (num_opt("--ping-interval", optarg, 0, 3600,
			    &G.conf.ping_interval))
				return EX_USAGE;
			break;
		case O_IDLE:
			if (num_opt("--idle-timeout", optarg, 0, 86400,
			    &G.conf.idle_timeout))
				return EX_USAGE;
			break;
		case O_HANDSHAKE:
			if (num_opt("--handshake-timeout", optarg, 1, 3600,
			    &G.conf.handshake_timeout))
				return EX_USAGE;
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
	if (token_file != NULL && http_load_token(token_file, &G.conf.token,
	    msg, sizeof(msg)) != 0) {
		fprintf(stderr, "wsgate: --token-file: %s\n", msg);
		return EX_CONFIG;
	}
	if (redisurl_parse(url, &G.conf.redis, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "wsgate: -u: bad Redis URL: %s\n", msg);
		return EX_USAGE;
	}
	if (G.conf.redis.has_password && pass_file != NULL) {
		fprintf(stderr, "wsgate: -u: a password in the URL and "
		    "--password-file: give one\n");
		return EX_USAGE;
	}
	/* the URL's or the file's password, else the environment's */
	if (G.conf.redis.has_password) {
		G.conf.password = strdup(G.conf.redis.password);
	} else if (pass_file != NULL) {
		if (read_password(pass_file, msg, sizeof(msg)) != 0) {
			fprintf(stderr, "wsgate: --password-file: %s\n", msg);
			return EX_CONFIG;
		}
	} else if ((env = getenv("TICKPIPE_REDIS_PASSWORD")) != NULL &&
	    *env) {
		G.conf.password = strdup(env);
	}
	if (G.conf.redis.user[0] != '\0' && G.conf.password == NULL) {
		fprintf(stderr, "wsgate: user '%s' in the URL but no password "
		    "(TICKPIPE_REDIS_PASSWORD or --password-file)\n",
		    G.conf.redis.user);
		return EX_CONFIG;
	}
#ifdef WSGATE_WWW_DEFAULT
	/* without --www: the installed dashboard, if it is there */
	if (G.conf.www == NULL) {
		struct stat sb;

		if (stat(WSGATE_WWW_DEFAULT, &sb) == 0 && S_ISDIR(sb.st_mode) &&
		    (G.conf.www_real = realpath(WSGATE_WWW_DEFAULT, NULL)) !=
		    NULL)
			G.conf.www = WSGATE_WWW_DEFAULT;
	}
#endif
	if (G.conf.www != NULL && G.conf.www_real == NULL &&
	    (G.conf.www_real = realpath(G.conf.www, NULL)) == NULL) {
		fprintf(stderr, "wsgate: --www: %s: %s\n", G.conf.www,
		    strerror(errno));
		return EX_CONFIG;
	}
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	G.t0 = last_ping = last_stats = mono_ns();
	if ((G.base = event_base_new()) == NULL) {
		fprintf(stderr, "wsgate: event_base_new failed\n");
		return EX_SOFTWARE;
	}
	if ((listen_fd = listen_on(G.conf.listen, msg, sizeof(msg))) < 0) {
		fprintf(stderr, "wsgate: listen: %s\n", msg);
		rc = listen_fd == -2 ? EX_USAGE : EX_UNAVAILABLE;
		listen_fd = -1;
		goto out;
	}
	G.flush_ev = event_new(G.base, -1, 0, client_flush_cb, NULL);
	accept_ev = event_new(G.base, listen_fd, EV_READ | EV_PERSIST,
	    accept_cb, NULL);
	tick_ev = event_new(G.base, -1, EV_PERSIST, tick_cb, NULL);
	term_ev = evsignal_new(G.base, SIGTERM, signal_cb, NULL);
	int_ev = evsignal_new(G.base, SIGINT, signal_cb, NULL);
	usr1_ev = evsignal_new(G.base, SIGUSR1, signal_cb, NULL);
	if (G.flush_ev == NULL || accept_ev == NULL || tick_ev == NULL ||
	    term_ev == NULL || int_ev == NULL || usr1_ev == NULL ||
	    event_add(accept_ev, NULL) || event_add(tick_ev, &one_s) ||
	    event_add(term_ev, NULL) || event_add(int_ev, NULL) ||
	    event_add(usr1_ev, NULL)) {
		fprintf(stderr, "wsgate: cannot set up events\n");
		rc = EX_SOFTWARE;
		goto out;
	}
	if (hub_init(msg, sizeof(msg)) != 0) {
		fprintf(stderr, "wsgate: redis: %s\n", msg);
		rc = EX_SOFTWARE;
		goto out;
	}
	G.listening = 1;
	if (G.conf.verbose)
		fprintf(stderr, "wsgate: listening on %s, redis %s, files "
		    "%s\n", G.conf.listen, redisurl_show(&G.conf.redis, msg,
		    sizeof(msg)), G.conf.www_real ?
		    G.conf.www_real : "none");
	wsgate_check_ready();
	event_base_dispatch(G.base);
	if (G.conf.verbose)
		stats_line();
out:
	/*
	 * Tear down in dependency order: Redis first (its pending callbacks
	 * run now and drop their client references), then the clients, then
	 * the loop.
	 */
	if (G.flush_ev != NULL)
		hub_close();
	for (struct client *c = G.clients, *next; c != NULL; c = next) {
		next = c->next;
		client_doom(c, 1001, "", 1);
		client_kill_now(c);
	}
	if (G.flush_ev != NULL)
		client_flush_cb(-1, 0, NULL);
	if (listen_fd >= 0)
		close(listen_fd);
	if (accept_ev)
		event_free(accept_ev);
	if (resume_ev)
		event_free(resume_ev);
	if (spare_fd >= 0)
		close(spare_fd);
	if (tick_ev)
		event_free(tick_ev);
	if (term_ev)
		event_free(term_ev);
	if (int_ev)
		event_free(int_ev);
	if (usr1_ev)
		event_free(usr1_ev);
	if (G.flush_ev)
		event_free(G.flush_ev);
	if (G.base)
		event_base_free(G.base);
	for (size_t i = 0; i < G.conf.norigins; i++)
		free(G.conf.origins[i]);
	free(G.conf.origins);
	free(G.conf.token);
	free(G.conf.password);
	free(G.conf.www_real);
	return rc;
}
