/*
 * stats.c: the counters' renderings and the rate-limited per-line log
 * (see stats.h).
 */
#include <err.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "stats.h"
#include "util.h"

void
stats_init(struct stats *st)
{
	memset(st, 0, sizeof(*st));
	ratelog_init(&st->log, STATS_LOG_PER_SEC, 1000000000LL, NULL,
	    "malformed or rejected lines not logged");
}

void
stats_log_line(struct stats *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ratelog_vsay(&st->log, mono_ns(), fmt, ap);
	va_end(ap);
}

void
stats_malformed(struct stats *st, const char *why)
{
	st->malformed++;
	stats_log_line(st, "line %" PRIu64 ": %s; skipped", stats_lineno(st),
	    why);
}

void
stats_sent(struct stats *st, struct outbox_pos from, uint64_t n)
{
	struct outbox_msg *m;
	int64_t now;

	if (n == 0)
		return;
	now = now_ns();
	while (n-- > 0 && (m = outbox_at(&from)) != NULL) {
		if (m->rd != 0)
			lathist_add(&st->lat_send, now - m->rd);
		m->rd = 0;
		outbox_step(&from, m);
	}
}

void
stats_print(struct stats *st, const struct outbox *ob, const char *what)
{
	ratelog_flush(&st->log);
	warnx("%s: lines=%" PRIu64 " published=%" PRIu64 " malformed=%" PRIu64
	    " dropped=%" PRIu64 " buffered=%" PRIu64 " inflight=%" PRIu64
	    " standby=%" PRIu64 " reconnects=%" PRIu64 " redis_errors=%"
	    PRIu64 " last_seq=%" PRIu64 " last_recv=%" PRIu64
	    " read_p50_us=%.1f read_p99_us=%.1f"
	    " send_p50_us=%.1f send_p99_us=%.1f", what, st->lines,
	    st->published, st->malformed, st->dropped, ob->n, ob->nsent,
	    st->standby, st->reconnects, st->redis_errors, st->last_seq, st->last_recv,
	    lathist_quantile(&st->lat_read, 0.5) / 1e3,
	    lathist_quantile(&st->lat_read, 0.99) / 1e3,
	    lathist_quantile(&st->lat_send, 0.5) / 1e3,
	    lathist_quantile(&st->lat_send, 0.99) / 1e3);
}

/* stats_json: the statistics object (redispub(1)) in buf; its length. */
static size_t
stats_json(const struct stats *st, const struct outbox *ob, char *buf,
    size_t len)
{
	int n = snprintf(buf, len, "{\"type\":\"stats\",\"prog\":\"redispub\","
	    "\"pid\":%ld,\"ts\":%" PRId64 ",\"lines\":%" PRIu64
	    ",\"published\":%" PRIu64 ",\"malformed\":%" PRIu64
	    ",\"dropped\":%" PRIu64 ",\"buffered\":%" PRIu64
	    ",\"reconnects\":%" PRIu64 ",\"last_seq\":%" PRIu64
	    ",\"last_recv\":%" PRIu64 ",\"lat_read\":", (long)getpid(),
	    now_ns(), st->lines, st->published, st->malformed, st->dropped,
	    ob->n, st->reconnects, st->last_seq, st->last_recv);
	size_t k = n < 0 ? 0 : (size_t)n;

	k += lathist_json(&st->lat_read, k < len ? buf + k : NULL,
	    k < len ? len - k : 0);
	n = snprintf(k < len ? buf + k : NULL, k < len ? len - k : 0,
	    ",\"lat_send\":");
	k += n < 0 ? 0 : (size_t)n;
	k += lathist_json(&st->lat_send, k < len ? buf + k : NULL,
	    k < len ? len - k : 0);
	n = snprintf(k < len ? buf + k : NULL, k < len ? len - k : 0, "}");
	k += n < 0 ? 0 : (size_t)n;
	return k < len ? k : len - 1;
}

/*
 * The key is where tickpipe(8) resumes after a restart, so it is left
 * alone until this process has a last_seq of its own: the value there
 * (from the process before) is still a true resume point, a 0 would not
 * be.
 */
int
stats_send(const struct stats *st, struct outbox *ob, struct resp_buf *out,
    const char *key, size_t key_len)
{
	char js[2048];	/* two histograms of 23 buckets: well under */
	size_t n = stats_json(st, ob, js, sizeof(js));
	int set = st->last_seq > 0;

	if (outbox_unit(ob, set ? 2 : 1, 0) == NULL)
		return -1;
	resp_reserve(out, 2 * n + 2 * key_len + 128);
	if (set) {
		RESP_LIT(out, "*3\r\n$3\r\nSET\r\n");
		resp_bulk(out, key, key_len);
		resp_bulk(out, js, n);
	}
	RESP_LIT(out, "*3\r\n$7\r\nPUBLISH\r\n");
	resp_bulk(out, key, key_len);
	resp_bulk(out, js, n);
	return 0;
}
