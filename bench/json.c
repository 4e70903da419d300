/*
 * json.c: the JSON scanner (common/json.h) beside jansson on the same
 * messages.  Each message is read three ways, in rounds over the whole
 * set until each way has taken at least a quarter CPU second: jt_pick
 * (check and pick the named top-level members in one pass), jt_parse
 * (the check alone) and jansson (json_loadb, json_object_get of the same
 * names, json_decref).  A message the two judge differently fails the
 * run: the numbers are only worth something for the same work.
 *
 * usage: json [-k name,...] file ...
 * Each file holds one message per line.  Prints one line: "messages
 * mean_bytes pick_ns parse_ns jansson_ns", the CPU nanoseconds per
 * message of each way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "json.h"

struct msgs {
	char	**p;
	size_t	 *n;
	size_t	  count, cap, bytes;
};

static int64_t
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
load(struct msgs *m, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	if (f == NULL) {
		perror(path);
		exit(1);
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			len--;
		if (len == 0)
			continue;
		if (m->count == m->cap) {
			m->cap = m->cap ? m->cap * 2 : 1024;
			m->p = realloc(m->p, m->cap * sizeof(*m->p));
			m->n = realloc(m->n, m->cap * sizeof(*m->n));
			if (m->p == NULL || m->n == NULL)
				abort();
		}
		if ((m->p[m->count] = malloc((size_t)len)) == NULL)
			abort();
		memcpy(m->p[m->count], line, (size_t)len);
		m->n[m->count++] = (size_t)len;
		m->bytes += (size_t)len;
	}
	free(line);
	fclose(f);
}

enum way { W_PICK, W_PARSE, W_JANSSON };

/* One round over every message one way; returns a checksum of results. */
static size_t
round1(const struct msgs *m, enum way w, const char *const *names,
    size_t nn)
{
	struct jv v[JT_PICK_MAX], root;
	size_t sum = 0;

	for (size_t i = 0; i < m->count; i++) {
		json_t *j;

		switch (w) {
		case W_PICK:
			sum += (size_t)jt_pick(m->p[i], m->n[i], names, v, nn,
			    NULL);
			break;
		case W_PARSE:
			sum += (size_t)jt_parse(m->p[i], m->n[i], &root);
			break;
		case W_JANSSON:
			if ((j = json_loadb(m->p[i], m->n[i], 0, NULL)) == NULL)
				break;
			for (size_t k = 0; k < nn; k++)
				sum += json_object_get(j, names[k]) != NULL;
			json_decref(j);
			break;
		}
	}
	return sum;
}

/* CPU ns per message of way w, over rounds of at least 250 ms in all. */
static double
per_msg(const struct msgs *m, enum way w, const char *const *names,
    size_t nn)
{
	int64_t t0 = cpu_ns(), t;
	size_t rounds = 0;
	volatile size_t sink = 0;

	do {
		sink += round1(m, w, names, nn);
		rounds++;
	} while ((t = cpu_ns() - t0) < 250000000);
	(void)sink;
	return (double)t / ((double)rounds * (double)m->count);
}

int
main(int argc, char **argv)
{
	const char *names[JT_PICK_MAX];
	char defkeys[] = "type,venue,symbol,seq,recv", *keys = defkeys, *tok;
	struct msgs m = { 0 };
	struct jv v[JT_PICK_MAX];
	size_t nn = 0;
	int ch;

	while ((ch = getopt(argc, argv, "k:")) != -1) {
		if (ch != 'k') {
			fprintf(stderr, "usage: json [-k name,...] file ...\n");
			return 2;
		}
		keys = optarg;
	}
	if (optind == argc) {
		fprintf(stderr, "usage: json [-k name,...] file ...\n");
		return 2;
	}
	for (tok = strtok(keys, ","); tok != NULL && nn < JT_PICK_MAX;
	    tok = strtok(NULL, ","))
		names[nn++] = tok;
	for (int i = optind; i < argc; i++)
		load(&m, argv[i]);
	if (m.count == 0) {
		fprintf(stderr, "json: no messages\n");
		return 1;
	}
	for (size_t i = 0; i < m.count; i++) {
		json_error_t e;
		json_t *j = json_loadb(m.p[i], m.n[i], 0, &e);
		struct jv root;
		int ours = jt_parse(m.p[i], m.n[i], &root) == 0;

		/* an integer past 64 bits is JSON, but jansson cannot hold it
		 * (Kraken's connectionID): both run on it, it is not compared */
		if (ours && j == NULL &&
		    json_error_code(&e) == json_error_numeric_overflow)
			continue;
		if (ours != (j != NULL) || (ours && root.p[0] == '{' &&
		    jt_pick(m.p[i], m.n[i], names, v, nn, NULL) < 0)) {
			fprintf(stderr, "json: message %zu judged differently\n",
			    i + 1);
			return 1;
		}
		json_decref(j);
	}
	printf("%zu %zu %.0f %.0f %.0f\n", m.count, m.bytes / m.count,
	    per_msg(&m, W_PICK, names, nn), per_msg(&m, W_PARSE, names, nn),
	    per_msg(&m, W_JANSSON, names, nn));
	return 0;
}
