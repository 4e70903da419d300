/*
 * tickpipe-logrelay: stands between a stage's log fifo (its standard
 * input) and the s6-log that writes the log, so that a logger which takes
 * nothing (a full log disk) never holds up the stage writing its lines.
 * It reads its input at all times and passes it on, through a pipe that
 * is never written in a blocking way, from a buffer of RELAY_BUF bytes;
 * with that full, whole lines are dropped and counted, the count written
 * to a file for tickpipe status, and said by one line in the log once
 * there is room again.  It ends with its logger.  See tickpipe(8), LOGS.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#define RELAY_BUF	(256 * 1024)	/* what is held for the logger */
#define RELAY_READ	(64 * 1024)	/* one read of the input */
#define END_GIVE_MS	2000	/* the handover at the end, at most */
#define END_WAIT_MS	2000	/* then the logger's own end, before TERM */
#define END_TERM_MS	1000	/* and after TERM, before KILL */

static const char usage_text[] =
"usage: tickpipe-logrelay [-h] [-f countfile] -- logger [arg ...]\n";

struct relay {
	char		buf[RELAY_BUF];
	size_t		len;		/* bytes held */
	size_t		whole;		/* of which whole lines (or a cut) */
	int		skip;		/* the rest of a dropped line */
	uint64_t	gap_lines;	/* dropped since the last notice */
	uint64_t	gap_bytes;
	time_t		gap_start;	/* monotonic, of the first drop */
	uint64_t	all_lines;	/* dropped in all: the count file */
	uint64_t	all_bytes;
	time_t		all_last;	/* wall clock, of the last drop */
	int		dirty;		/* the count file is behind */
	time_t		written;	/* monotonic, of its last write */
	const char	*countfile;
};

static volatile sig_atomic_t stop;

static void
stop_cb(int sig)
{
	(void)sig;
	stop = 1;
}

static time_t
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/*
 * relay_count_write: the count file replaced whole (a temporary renamed
 * over it), at most once a second unless force; "LINES BYTES LAST", LAST
 * the time of the last drop in seconds since the epoch.  A file that
 * cannot be written is tried again at the next second: the relay goes on.
 */
static void
relay_count_write(struct relay *r, int force)
{
	char tmp[4096];
	FILE *f;
	time_t now = mono();

	if (r->countfile == NULL || !r->dirty || (!force && now == r->written))
		return;
	r->written = now;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", r->countfile) >=
	    (int)sizeof(tmp))
		return;
	if ((f = fopen(tmp, "w")) == NULL)
		return;
	fprintf(f, "%llu %llu %lld\n", (unsigned long long)r->all_lines,
	    (unsigned long long)r->all_bytes, (long long)r->all_last);
	if (fclose(f) == 0 && rename(tmp, r->countfile) == 0)
		r->dirty = 0;
	else
		unlink(tmp);
}

static void
relay_drop(struct relay *r, size_t n, int line)
{
	if (r->gap_lines == 0 && r->gap_bytes == 0)
		r->gap_start = mono();
	r->gap_lines += line;
	r->gap_bytes += n;
	r->all_lines += line;
	r->all_bytes += n;
	r->all_last = time(NULL);
	r->dirty = 1;
}

/*
 * relay_notice: the line that says a gap, put where the gap is, once at
 * least half the buffer is free again (so that a logger taking a little
 * at a time does not get a notice between every two lines).  Returns 0
 * once no gap is left to say.
 */
static int
relay_notice(struct relay *r, int last)
{
	char line[256];
	int n;

	if (r->gap_lines == 0 && r->gap_bytes == 0)
		return 0;
	if (!last && RELAY_BUF - r->len < RELAY_BUF / 2)
		return -1;
	n = snprintf(line, sizeof(line), "tickpipe-logrelay: %llu lines "
	    "(%llu bytes) not logged over %llds: the logger took nothing "
	    "(log disk full?)\n", (unsigned long long)r->gap_lines,
	    (unsigned long long)r->gap_bytes,
	    (long long)(mono() - r->gap_start + 1));
	if ((size_t)n > RELAY_BUF - r->len)
		return -1;
	memcpy(r->buf + r->len, line, n);
	r->len += n;
	r->whole = r->len;
	r->gap_lines = r->gap_bytes = 0;
	return 0;
}

/*
 * relay_take: n bytes of input into the buffer, by whole lines.  The
 * line being received is held after the whole ones; a line that does not
 * fit is dropped, all of it (what is held of it and what comes until its
 * newline).  A line longer than the whole buffer is passed on in pieces
 * (the logger cuts such lines anyway).
 */
static void
relay_take(struct relay *r, const char *p, size_t n)
{
	const char *nl;
	size_t k;

	while (n > 0) {
		nl = memchr(p, '\n', n);
		k = nl != NULL ? (size_t)(nl - p) + 1 : n;
		if (r->skip) {
			relay_drop(r, k, 0);
		} else if (r->len == r->whole && relay_notice(r, 0) < 0) {
			/* a gap is not said yet: nothing passes it */
			relay_drop(r, r->len - r->whole + k, 0);
			r->len = r->whole;
			r->skip = 1;
		} else if (k <= RELAY_BUF - r->len) {
			memcpy(r->buf + r->len, p, k);
			r->len += k;
			if (nl != NULL)
				r->whole = r->len;
		} else if (r->whole == 0) {
			k = RELAY_BUF - r->len;
			memcpy(r->buf + r->len, p, k);
			r->len = r->whole = RELAY_BUF;
			nl = NULL;
		} else {
			relay_drop(r, r->len - r->whole + k, 0);
			r->len = r->whole;
			r->skip = 1;
		}
		if (nl != NULL && r->skip) {
			r->gap_lines++;
			r->all_lines++;
			r->skip = 0;
		}
		p += k;
		n -= k;
	}
}

/*
 * relay_give: the whole lines held written to the logger, as much as it
 * takes now.  Returns -1 once the logger is gone (EPIPE).
 */
static int
relay_give(struct relay *r, int fd)
{
	ssize_t w;

	if (r->whole == 0)
		return 0;
	w = write(fd, r->buf, r->whole);
	if (w < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	memmove(r->buf, r->buf + w, r->len - w);
	r->len -= w;
	r->whole -= w;
	return 0;
}

static pid_t
logger_start(char **argv, int *wfd)
{
	int pfd[2];
	pid_t pid;

	if (pipe(pfd) < 0)
		err(EX_OSERR, "pipe");
	if ((pid = fork()) < 0)
		err(EX_OSERR, "fork");
	if (pid == 0) {
		if (dup2(pfd[0], 0) < 0)
			_exit(EX_OSERR);
		close(pfd[0]);
		close(pfd[1]);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		warn("%s", argv[0]);
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(pfd[0]);
	if (fcntl(pfd[1], F_SETFL, O_NONBLOCK) < 0)
		err(EX_OSERR, "fcntl");
	*wfd = pfd[1];
	return pid;
}

/* ms_since: milliseconds from t0 (CLOCK_MONOTONIC) to now */
static long long
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000LL +
	    (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * logger_end: its end waited for, END_WAIT_MS at most (a logger on a
 * full disk may never end: it holds lines it cannot write), then TERM,
 * then KILL; its exit status as ours (128+N if killed).
 */
static int
logger_end(pid_t pid)
{
	struct timespec t0;
	int st, sent = 0;
	pid_t w;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((w = waitpid(pid, &st, WNOHANG)) == 0 ||
	    (w < 0 && errno == EINTR)) {
		long long ms = ms_since(&t0);

		if (sent == 0 && ms >= END_WAIT_MS) {
			warnx("the logger did not end in %d ms: stopped "
			    "(what it held is not logged)", END_WAIT_MS);
			kill(pid, SIGTERM);
			sent = 1;
		} else if (sent == 1 && ms >= END_WAIT_MS + END_TERM_MS) {
			kill(pid, SIGKILL);
			sent = 2;
		}
		poll(NULL, 0, 10);
	}
	if (w < 0)
		return EX_OSERR;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * relay_hand_over: at the end, what is held given to the logger as it
 * takes it, END_GIVE_MS at most; what it has not taken by then is
 * dropped, counted.
 */
static void
relay_hand_over(struct relay *r, int wfd)
{
	struct timespec t0;
	struct pollfd pf;
	long long left;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (r->whole > 0 && (left = END_GIVE_MS - ms_since(&t0)) > 0) {
		pf.fd = wfd;
		pf.events = POLLOUT;
		if (poll(&pf, 1, (int)left) < 0 && errno != EINTR)
			break;
		if (pf.revents & POLLERR || relay_give(r, wfd) < 0)
			return;		/* the logger is gone */
	}
	if (r->whole > 0) {
		size_t lines = 0;

		for (size_t i = 0; i < r->whole; i++)
			lines += r->buf[i] == '\n';
		relay_drop(r, r->whole, 0);
		r->gap_lines += lines;
		r->all_lines += lines;
		r->len = r->whole = 0;
	}
}

/*
 * relay_run: until the input ends (or TERM, INT, HUP) or the logger does.
 * At the end of the input what is held is handed over (relay_hand_over),
 * a gap said, and the logger given its EOF and waited for (logger_end):
 * on a full disk neither waits for ever, so that a stop ends.
 */
static int
relay_run(struct relay *r, int wfd, pid_t pid)
{
	static char in[RELAY_READ];
	struct pollfd pf[2];
	ssize_t n;
	int eof = 0;

	while (!eof && !stop) {
		pf[0].fd = 0;
		pf[0].events = POLLIN;
		pf[1].fd = wfd;
		pf[1].events = r->whole > 0 ? POLLOUT : 0;
		if (poll(pf, 2, r->dirty ? 1000 : -1) < 0 && errno != EINTR)
			err(EX_OSERR, "poll");
		if (pf[1].revents & POLLERR || relay_give(r, wfd) < 0)
			goto gone;
		if (pf[0].revents & (POLLIN | POLLHUP)) {
			if ((n = read(0, in, sizeof(in))) > 0)
				relay_take(r, in, n);
			else if (n == 0 || (errno != EINTR && errno != EAGAIN))
				eof = 1;
		}
		/*
		 * a gap is said once the logger has taken half the buffer,
		 * even within a line being dropped (its rest is a new gap)
		 */
		if (r->len == r->whole)
			relay_notice(r, 0);
		relay_count_write(r, 0);
	}
	/* the last line cut short is passed on as it is */
	r->whole = r->len;
	relay_notice(r, 1);
	relay_hand_over(r, wfd);
gone:
	relay_count_write(r, 1);
	close(wfd);
	return logger_end(pid);
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static struct relay r;
	struct sigaction sa;
	pid_t pid;
	int ch, wfd;

	/* '+': the options end at the logger's name, -- or not */
	while ((ch = getopt_long(argc, argv, "+hf:", opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			fputs(usage_text, stdout);
			if (fflush(stdout) == EOF || ferror(stdout))
				err(EX_IOERR, "stdout");
			return 0;
		case 'f':
			if (*optarg == '\0')
				errx(EX_USAGE, "-f: an empty file name");
			r.countfile = optarg;
			break;
		default:	/* getopt said which */
			return EX_USAGE;
		}
	}
	argv += optind;
	if (*argv == NULL) {
		warnx("no logger to run: see tickpipe(8), LOGS");
		return EX_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = stop_cb;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	pid = logger_start(argv, &wfd);
	return relay_run(&r, wfd, pid);
}
