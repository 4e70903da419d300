/*
 * ringtool: a test helper that drives the ring library (common/ring.h)
 * from several processes, for tests/t-ring-*.sh.  Not installed.
 *
 *   ringtool write RING --until SEQ [--capacity N] [--batch-max B]
 *                 [--pace-us U]
 *	Opens RING as writer (creating it) and publishes records until its
 *	cursor reaches SEQ, in batches of 1..B records (varying), sleeping
 *	U microseconds between batches.  Every byte of a record but its seq
 *	is derived from the sequence it gets (fill()), so readers can check
 *	each one.  Prints "epoch E first F last L" on stdout.
 *
 *   ringtool read RING --until SEQ [--wait-open] [--slow-every N]
 *                 [--slow-us U] [--timeout SEC] [--ready-file PATH]
 *	Reads RING from the oldest record until it has passed SEQ, and
 *	checks every record: its contents must match its sequence (never
 *	torn), sequences strictly increase, and each jump is exactly the
 *	loss ring_read reported.  --slow-* makes it sleep U us every N
 *	records, to get lapped.  --wait-open retries while the ring does
 *	not exist yet.  --ready-file is created once the first record is
 *	read.  Prints "read N lost L gaps G first F last S epoch E"
 *	and exits 0; 1 on any violation (with the reason on stderr); 74
 *	via the SIGBUS guard if the object is truncated under it.
 *
 *   ringtool put RING [--capacity N]
 *	Opens RING as writer (creating it) and publishes one record per line
 *	of standard input, each its own batch, exactly as given: no field is
 *	checked, so tests can forge malformed records.  A line is words
 *	FIELD=VALUE, named as in tickpipe-ring(5): type flags venue symbol
 *	ts recv vseq aux; price qty pexp qexp side tid (trade); nbids nasks
 *	and level=PRICE:PEXP:QTY:QEXP, filling levels 0, 1, ... (book); code
 *	reason (status); venues (xbest: its mask).  Numbers are C integers
 *	(0x.. too); strings take \xHH escapes and no white space.  Unset
 *	fields are 0.  Empty lines and lines starting with '#' are skipped.
 *	Prints "first F last L".
 *
 *   ringtool set PATH FIELD VALUE
 *	Overwrites one header field of a ring file (magic, version,
 *	record_size, layout_hash, capacity, cursor), as tickpipe-ring(5)
 *	places it, to forge incompatible rings.
 *
 *   ringtool seqcheck < JSONL
 *	Checks what shmreader printed for silent loss: each message's
 *	"seq" must be the one after the previous message's records (a book
 *	message of L levels is ceil(L / 10) records), unless a gap line
 *	came between; a gap starts at or after the sequence expected, and
 *	the next message at or after its end (a message cut by the gap is
 *	dropped).  Prints "lines N gaps G lost L first F last S" and exits
 *	0; 1 at the first violation, with the line number.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jsonl.h"
#include "ring.h"
#include "util.h"

static void
usage(void)
{
	fprintf(stderr, "usage: ringtool write RING --until SEQ [--capacity N] "
	    "[--batch-max B] [--pace-us U]\n"
	    "       ringtool read RING --until SEQ [--wait-open] "
	    "[--slow-every N] [--slow-us U] [--timeout SEC] "
	    "[--ready-file PATH]\n"
	    "       ringtool put RING [--capacity N] < records\n"
	    "       ringtool set PATH FIELD VALUE\n"
	    "       ringtool seqcheck < JSONL\n");
	exit(64);
}

/* A valid trade whose every other byte is a function of seq. */
static void
fill(struct tp_record *rec, uint64_t seq)
{
	memset(rec, 0, sizeof(*rec));
	for (int i = 0; i < 192; i++)
		rec->u.raw[i] = (uint8_t)(seq * 131 + (uint64_t)i * 7);
	rec->type = REC_TRADE;
	rec->flags = (uint16_t)(seq & 0xf000);
	rec->venue = VENUE_SIM;
	rec->hpad = (uint16_t)(seq >> 16);
	strcpy(rec->symbol, "BTC-USD");
	rec->ts = (int64_t)(seq * 1000);
	rec->recv = (int64_t)(seq * 1000 + 7);
	rec->vseq = seq ^ 0x5555555555555555ULL;
	rec->aux = ~seq;
	rec->u.trade.price = (int64_t)(seq * 3 + 1);
	rec->u.trade.price_exp = -2;
	rec->u.trade.qty = (int64_t)(seq % 1000 + 1);
	rec->u.trade.qty_exp = -3;
	rec->u.trade.side = (uint8_t)(1 + seq % 2);
	memset(rec->u.trade.tid, 0, sizeof(rec->u.trade.tid));
	snprintf(rec->u.trade.tid, sizeof(rec->u.trade.tid), "t%" PRIu64, seq);
}

static uint64_t
num(const char *s, uint64_t min, uint64_t max, const char *what)
{
	uint64_t v;

	if (parse_u64(s, min, max, &v) < 0) {
		fprintf(stderr, "ringtool: %s %s: bad number\n", what, s);
		exit(64);
	}
	return v;
}

static int
do_write(const char *name, int argc, char **argv)
{
	struct ring_config cfg = { name, 1024, (gid_t)-1, 0, 0 };
	static struct tp_record recs[64];
	uint64_t until = 0, bmax = 16, pace = 0, first, s;
	struct ring *w;
	char err[512];
	int rc, i;

	for (i = 0; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "--until") == 0)
			until = num(argv[++i], 1, UINT64_MAX / 2, "--until");
		else if (strcmp(argv[i], "--capacity") == 0)
			cfg.capacity = num(argv[++i], 0, UINT64_MAX, "--capacity");
		else if (strcmp(argv[i], "--batch-max") == 0)
			bmax = num(argv[++i], 1, 64, "--batch-max");
		else if (strcmp(argv[i], "--pace-us") == 0)
			pace = num(argv[++i], 0, 10000000, "--pace-us");
		else
			usage();
	}
	if (until == 0)
		usage();
	if ((rc = ring_writer_open(&w, &cfg, err, sizeof(err))) != RING_OK) {
		fprintf(stderr, "ringtool: %s\n", err);
		return rc == RING_ELOCKED ? 75 : rc == RING_ENOSPC ? 74 : 69;
	}
	first = ring_cursor(w) + 1;
	s = ring_cursor(w);
	for (uint64_t k = 0; s < until; k++) {
		uint64_t n = k % bmax + 1, last;

		if (n > until - s)
			n = until - s;
		for (uint64_t j = 0; j < n; j++)
			fill(&recs[j], s + 1 + j);
		last = ring_publish(w, recs, (size_t)n);
		for (uint64_t j = 0; j < n; j++)
			if (recs[j].seq != s + 1 + j) {
				fprintf(stderr, "ringtool: publish gave seq "
				    "%" PRIu64 ", expected %" PRIu64 "\n",
				    recs[j].seq, s + 1 + j);
				return 1;
			}
		if (last != s + n) {
			fprintf(stderr, "ringtool: publish returned %" PRIu64
			    ", expected %" PRIu64 "\n", last, s + n);
			return 1;
		}
		s = last;
		if (pace > 0)
			usleep((useconds_t)pace);
	}
	printf("epoch %" PRIu64 " first %" PRIu64 " last %" PRIu64 "\n",
	    ring_epoch(w), first, s);
	ring_close(w);
	return 0;
}

static int
do_read(const char *name, int argc, char **argv)
{
	uint64_t until = 0, slow_every = 0, slow_us = 0, timeout = 60;
	uint64_t lost = 0, prev_lost = 0, got = 0, gaps = 0, first = 0;
	uint64_t expect, maxepoch = 0;
	int wait_open = 0, rc, i;
	const char *ready = NULL;
	struct tp_record rec, want;
	struct ring *r;
	char err[512];
	int64_t idle_since;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--wait-open") == 0) {
			wait_open = 1;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "--until") == 0)
			until = num(argv[++i], 1, UINT64_MAX / 2, "--until");
		else if (strcmp(argv[i], "--slow-every") == 0)
			slow_every = num(argv[++i], 1, UINT64_MAX, "--slow-every");
		else if (strcmp(argv[i], "--slow-us") == 0)
			slow_us = num(argv[++i], 0, 10000000, "--slow-us");
		else if (strcmp(argv[i], "--timeout") == 0)
			timeout = num(argv[++i], 1, 3600, "--timeout");
		else if (strcmp(argv[i], "--ready-file") == 0)
			ready = argv[++i];
		else
			usage();
	}
	if (until == 0)
		usage();
	idle_since = mono_ns();
	while ((rc = ring_reader_open(&r, name, err, sizeof(err))) !=
	    RING_OK) {
		if (rc != RING_ENOENT || !wait_open) {
			fprintf(stderr, "ringtool: %s\n", err);
			return rc == RING_EMISMATCH ? 78 : 69;
		}
		if (mono_ns() - idle_since > (int64_t)timeout * 1000000000) {
			fprintf(stderr, "ringtool: no ring after %" PRIu64
			    " s: %s\n", timeout, err);
			return 1;
		}
		usleep(2000);
	}
	ring_sigbus_guard("ringtool", name, 74);
	expect = ring_position(r);
	first = expect;
	idle_since = mono_ns();
	while (expect <= until) {
		uint64_t e = ring_epoch(r);

		if (e > maxepoch)
			maxepoch = e;
		if (ring_read(r, &rec, &lost) == 0) {
			if (mono_ns() - idle_since >
			    (int64_t)timeout * 1000000000) {
				fprintf(stderr, "ringtool: stuck at %" PRIu64
				    " for %" PRIu64 " s (cursor %" PRIu64 ")\n",
				    expect, timeout, ring_cursor(r));
				return 1;
			}
			ring_wait(r, 20000, 100);
			continue;
		}
		idle_since = mono_ns();
		if (lost < prev_lost) {
			fprintf(stderr, "ringtool: loss count went down\n");
			return 1;
		}
		/* a jump in sequence must be exactly the reported loss */
		if (rec.seq != expect + (lost - prev_lost)) {
			fprintf(stderr, "ringtool: expected seq %" PRIu64
			    " + lost %" PRIu64 ", got %" PRIu64 "\n", expect,
			    lost - prev_lost, rec.seq);
			return 1;
		}
		if (lost != prev_lost)
			gaps++;
		prev_lost = lost;
		fill(&want, rec.seq);
		want.seq = rec.seq;
		if (memcmp(&want, &rec, sizeof(rec)) != 0) {
			fprintf(stderr, "ringtool: torn or wrong record at "
			    "seq %" PRIu64 "\n", rec.seq);
			return 1;
		}
		got++;
		expect = rec.seq + 1;
		if (got == 1 && ready != NULL) {
			int fd = open(ready, O_WRONLY | O_CREAT, 0600);

			if (fd >= 0)
				close(fd);
		}
		if (slow_every != 0 && got % slow_every == 0)
			usleep((useconds_t)slow_us);
	}
	if (got + lost != expect - first) {
		fprintf(stderr, "ringtool: read %" PRIu64 " + lost %" PRIu64
		    " != %" PRIu64 " sequences\n", got, lost, expect - first);
		return 1;
	}
	printf("read %" PRIu64 " lost %" PRIu64 " gaps %" PRIu64 " first %"
	    PRIu64 " last %" PRIu64 " epoch %" PRIu64 "\n", got, lost, gaps,
	    first, expect - 1, maxepoch);
	ring_close(r);
	return 0;
}

/* A signed or unsigned C integer, all of s; exits 64 if not. */
static uint64_t
putnum(const char *s, const char *field)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = *s == '-' ? (uint64_t)strtoll(s, &end, 0) : strtoull(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0') {
		fprintf(stderr, "ringtool: put: %s=%s: bad number\n", field, s);
		exit(64);
	}
	return v;
}

/* Copies s into dst[0..max) with \xHH escapes undone, NUL padded. */
static void
putstr(char *dst, size_t max, const char *s, const char *field)
{
	size_t n = 0;

	memset(dst, 0, max);
	while (*s != '\0') {
		unsigned c = (unsigned char)*s++;

		if (c == '\\' && s[0] == 'x' && s[1] != '\0' && s[2] != '\0') {
			char hex[3] = { s[1], s[2], '\0' };

			c = (unsigned)strtoul(hex, NULL, 16);
			s += 3;
		}
		if (n == max) {
			fprintf(stderr, "ringtool: put: %s: longer than %zu "
			    "bytes\n", field, max);
			exit(64);
		}
		dst[n++] = (char)c;
	}
}

/* Sets one FIELD=VALUE of rec; *nlev counts level= words. */
static void
putfield(struct tp_record *rec, const char *field, const char *val,
    unsigned *nlev)
{
	struct rec_book *b = &rec->u.book;

	if (strcmp(field, "type") == 0)
		rec->type = (uint16_t)putnum(val, field);
	else if (strcmp(field, "flags") == 0)
		rec->flags = (uint16_t)putnum(val, field);
	else if (strcmp(field, "venue") == 0)
		rec->venue = (uint16_t)putnum(val, field);
	else if (strcmp(field, "symbol") == 0)
		putstr(rec->symbol, REC_SYMBOL_LEN, val, field);
	else if (strcmp(field, "ts") == 0)
		rec->ts = (int64_t)putnum(val, field);
	else if (strcmp(field, "recv") == 0)
		rec->recv = (int64_t)putnum(val, field);
	else if (strcmp(field, "vseq") == 0)
		rec->vseq = putnum(val, field);
	else if (strcmp(field, "aux") == 0)
		rec->aux = putnum(val, field);
	else if (strcmp(field, "price") == 0)
		rec->u.trade.price = (int64_t)putnum(val, field);
	else if (strcmp(field, "qty") == 0)
		rec->u.trade.qty = (int64_t)putnum(val, field);
	else if (strcmp(field, "pexp") == 0)
		rec->u.trade.price_exp = (int8_t)putnum(val, field);
	else if (strcmp(field, "qexp") == 0)
		rec->u.trade.qty_exp = (int8_t)putnum(val, field);
	else if (strcmp(field, "side") == 0)
		rec->u.trade.side = (uint8_t)putnum(val, field);
	else if (strcmp(field, "tid") == 0)
		putstr(rec->u.trade.tid, REC_TID_LEN, val, field);
	else if (strcmp(field, "nbids") == 0)
		b->nbids = (uint8_t)putnum(val, field);
	else if (strcmp(field, "nasks") == 0)
		b->nasks = (uint8_t)putnum(val, field);
	else if (strcmp(field, "level") == 0) {
		char part[4][32];

		if (*nlev == REC_BOOK_LEVELS || sscanf(val, "%31[^:]:%31[^:]:"
		    "%31[^:]:%31s", part[0], part[1], part[2], part[3]) != 4) {
			fprintf(stderr, "ringtool: put: level=%s: bad or more "
			    "than %d\n", val, REC_BOOK_LEVELS);
			exit(64);
		}
		b->price[*nlev] = (int64_t)putnum(part[0], field);
		b->price_exp[*nlev] = (int8_t)putnum(part[1], field);
		b->qty[*nlev] = (int64_t)putnum(part[2], field);
		b->qty_exp[*nlev] = (int8_t)putnum(part[3], field);
		(*nlev)++;
	} else if (strcmp(field, "code") == 0)
		rec->u.status.code = (uint16_t)putnum(val, field);
	else if (strcmp(field, "reason") == 0)
		putstr(rec->u.status.reason, REC_REASON_LEN, val, field);
	else if (strcmp(field, "venues") == 0)
		rec->u.xbest.venues = (uint32_t)putnum(val, field);
	else {
		fprintf(stderr, "ringtool: put: unknown field %s\n", field);
		exit(64);
	}
}

static int
do_put(const char *name, int argc, char **argv)
{
	struct ring_config cfg = { name, 1024, (gid_t)-1, 0, 0 };
	struct tp_record rec;
	uint64_t first = 0, last = 0;
	char line[4096], err[512];
	struct ring *w;
	int rc;

	if (argc == 2 && strcmp(argv[0], "--capacity") == 0)
		cfg.capacity = num(argv[1], 0, UINT64_MAX, "--capacity");
	else if (argc != 0)
		usage();
	if ((rc = ring_writer_open(&w, &cfg, err, sizeof(err))) != RING_OK) {
		fprintf(stderr, "ringtool: %s\n", err);
		return rc == RING_ELOCKED ? 75 : 69;
	}
	while (fgets(line, sizeof(line), stdin) != NULL) {
		unsigned nlev = 0;
		char *word, *save = NULL;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		memset(&rec, 0, sizeof(rec));
		for (word = strtok_r(line, " \t", &save); word != NULL;
		    word = strtok_r(NULL, " \t", &save)) {
			char *eq = strchr(word, '=');

			if (eq == NULL) {
				fprintf(stderr, "ringtool: put: %s: not "
				    "FIELD=VALUE\n", word);
				return 64;
			}
			*eq = '\0';
			putfield(&rec, word, eq + 1, &nlev);
		}
		last = ring_publish(w, &rec, 1);
		if (first == 0)
			first = last;
	}
	printf("first %" PRIu64 " last %" PRIu64 "\n", first, last);
	ring_close(w);
	return 0;
}

static int
do_set(const char *path, const char *field, const char *value)
{
	static const struct {
		const char	*name;
		off_t		 off;
		int		 size;
	} fields[] = {
		{ "magic", 0, 8 }, { "version", 8, 4 }, { "record_size", 12, 4 },
		{ "layout_hash", 16, 8 }, { "capacity", 24, 8 },
		{ "epoch", 48, 8 }, { "first_seq", 56, 8 },
		{ "cursor", 64, 8 },
	};
	unsigned long long v;
	char *end;
	int fd;

	errno = 0;
	v = strtoull(value, &end, 0);
	if (errno != 0 || *end != '\0' || end == value)
		usage();
	for (size_t i = 0; i < sizeof(fields) / sizeof(*fields); i++) {
		uint64_t v64 = v;
		uint32_t v32 = (uint32_t)v;
		ssize_t n;

		if (strcmp(field, fields[i].name) != 0)
			continue;
		if ((fd = open(path, O_RDWR)) < 0) {
			fprintf(stderr, "ringtool: %s: %s\n", path,
			    strerror(errno));
			return 1;
		}
		n = fields[i].size == 8 ? pwrite(fd, &v64, 8, fields[i].off) :
		    pwrite(fd, &v32, 4, fields[i].off);
		close(fd);
		return n == fields[i].size ? 0 : 1;
	}
	usage();
	return 64;
}

static int
do_seqcheck(void)
{
	static struct tp_record recs[JSONL_MAX_RECS];
	uint64_t lineno = 0, gaps = 0, lost = 0, first = 0, last = 0;
	uint64_t expect = 0, atleast = 0, s;
	struct jsonl_gap g;
	char *line = NULL, err[256];
	const char *p;
	size_t cap = 0;
	ssize_t len;
	int n;

	while ((len = getline(&line, &cap, stdin)) > 0) {
		lineno++;
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		n = jsonl_decode(line, (size_t)len, recs, JSONL_MAX_RECS, &g,
		    err, sizeof(err));
		if (n < 0) {
			fprintf(stderr, "ringtool: line %" PRIu64 ": %s\n",
			    lineno, err);
			return 1;
		}
		if (n == 0) {
			if (g.from < expect) {
				fprintf(stderr, "ringtool: line %" PRIu64 ": gap "
				    "from %" PRIu64 ", before %" PRIu64 "\n",
				    lineno, g.from, expect);
				return 1;
			}
			gaps++;
			lost += g.lost;
			expect = 0;
			atleast = g.from + g.lost;
			continue;
		}
		if ((p = strstr(line, "\"seq\":")) == NULL) {
			fprintf(stderr, "ringtool: line %" PRIu64 ": no seq\n",
			    lineno);
			return 1;
		}
		s = strtoull(p + 6, NULL, 10);
		if ((expect != 0 && s != expect) || s < atleast) {
			fprintf(stderr, "ringtool: line %" PRIu64 ": seq %"
			    PRIu64 ", expected %s%" PRIu64 " (no gap line "
			    "says why)\n", lineno, s, expect != 0 ? "" :
			    "at least ", expect != 0 ? expect : atleast);
			return 1;
		}
		if (first == 0)
			first = s;
		last = s + (uint64_t)n - 1;
		expect = last + 1;
	}
	free(line);
	printf("lines %" PRIu64 " gaps %" PRIu64 " lost %" PRIu64 " first %"
	    PRIu64 " last %" PRIu64 "\n", lineno, gaps, lost, first, last);
	return 0;
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && strcmp(argv[1], "seqcheck") == 0)
		return do_seqcheck();
	if (argc < 3)
		usage();
	if (strcmp(argv[1], "write") == 0)
		return do_write(argv[2], argc - 3, argv + 3);
	if (strcmp(argv[1], "read") == 0)
		return do_read(argv[2], argc - 3, argv + 3);
	if (strcmp(argv[1], "put") == 0)
		return do_put(argv[2], argc - 3, argv + 3);
	if (strcmp(argv[1], "set") == 0 && argc == 5)
		return do_set(argv[2], argv[3], argv[4]);
	usage();
	return 64;
}
