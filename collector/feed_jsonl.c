/*
 * feed_jsonl.c: `collector jsonl`: normalized JSONL (exactly what
 * shmreader prints) from a file or stdin into the ring.  A bad line is
 * reported with its line number and reason, counted and skipped (fatal
 * with --strict).  Gap lines carry no data; each is reported.  Reports are
 * limited to LOG_PER_SEC a second, so that a flood of bad input (say
 * /dev/urandom) cannot flood the log: how many were held back is said
 * once a second and at the end.
 */
#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <sys/stat.h>

#include "feeds.h"
#include "ratelog.h"
#include "util.h"

#define LOG_PER_SEC	20

/*
 * 1 if line[0..len) is only JSON white space (space, tab, CR), which
 * tickpipe-json(5) has skipped as an empty line is.
 */
static int
blank_line(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			return 0;
	return 1;
}

int
jsonl_main(struct collector *c, const struct feed_opts *o, const char *file)
{
	static struct tp_record recs[JSONL_MAX_RECS];
	const char *name = file != NULL && strcmp(file, "-") != 0 ? file :
	    "stdin";
	struct jsonl_gap gap;
	struct ratelog lim;
	char *line = NULL, errbuf[256], shown[sizeof(errbuf) * 4 + 4];
	size_t cap = 0, held = 0;
	uint64_t lineno = 0, gaps = 0;
	int64_t last_hb = 0;
	FILE *f = stdin;
	long len;
	int n, rv = 0;

	if (file != NULL && strcmp(file, "-") != 0 &&
	    (f = fopen(file, "r")) == NULL) {
		warn("%s", file);
		return EX_NOINPUT;
	}
	if (f != stdin) {
		struct stat st;

		/* made a directory since main looked (jsonl_input_check) */
		if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
			warnx("%s: %s", file, strerror(EISDIR));
			fclose(f);
			return EX_NOINPUT;
		}
	}
	ratelog_init(&lim, LOG_PER_SEC, 1000000000LL, name,
	    "bad or gap lines not reported");
	notify_ready(c->ready_fd);
	c->ready_fd = -1;
	for (;;) {
		if (collector_poll_signals(c))
			break;
		/* + 1: the limit is the line's without a final CR */
		len = read_line(f, &line, &cap, JSONL_MAX_LINE + 1, &held);
		if (len == -1)
			break;
		if (len == -2) {
			/* a signal: read_line keeps what it read of the line */
			if (errno == EINTR)
				continue;
			warn("%s: read", name);
			rv = EX_IOERR;
			break;
		}
		lineno++;
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';	/* CRLF: the CR is no part of it */
		if (len == -3 || len > JSONL_MAX_LINE) {
			ratelog_say(&lim, mono_ns(), "%s:%" PRIu64 ": line "
			    "longer than %d bytes%s", name, lineno,
			    JSONL_MAX_LINE, o->strict ? "" : ": skipped");
			c->rejected++;
			if (o->strict) {
				rv = EX_DATAERR;
				break;
			}
			continue;
		}
		if (blank_line(line, (size_t)len))
			continue;	/* blank lines carry nothing */
		n = jsonl_decode(line, (size_t)len, recs, JSONL_MAX_RECS, &gap,
		    errbuf, sizeof(errbuf));
		if (n < 0) {
			/* the reason quotes the input: one printable line */
			text_excerpt(errbuf, strlen(errbuf), sizeof(errbuf),
			    shown);
			ratelog_say(&lim, mono_ns(), "%s:%" PRIu64 ": %s%s",
			    name, lineno, shown, o->strict ? "" : ": skipped");
			c->rejected++;
			if (o->strict) {
				rv = EX_DATAERR;
				break;
			}
			continue;
		}
		if (n == 0) {
			ratelog_say(&lim, mono_ns(), "%s:%" PRIu64 ": input "
			    "reports %" PRIu64 " records lost upstream from seq "
			    "%" PRIu64, name, lineno, gap.lost, gap.from);
			gaps++;
			continue;
		}
		collector_emit(c, recs, (size_t)n);
		if ((c->msgs & 1023) == 0) {
			int64_t t = mono_ns();

			if (t - last_hb > 100000000) {
				ring_heartbeat(c->ring);
				last_hb = t;
			}
		}
	}
	ratelog_flush(&lim);
	if (c->rejected > 0 || gaps > 0)
		warnx("%s: %" PRIu64 " lines, %" PRIu64 " rejected, %" PRIu64
		    " gap lines", name, lineno, c->rejected, gaps);
	free(line);
	if (f != stdin)
		fclose(f);
	return rv;
}
