/*
 * fuzz_redispub.c: libFuzzer target for redispub's routing and batch
 * encoding (redispub/route.c, batch.c), what turns the lines anyone may
 * pipe into redispub into the commands it writes to Redis.  The input's
 * first byte sets cluster (bit 0) and --stream (bit 1), the next two the
 * free space left in the output buffer before the batch (0-65535
 * bytes); the rest is lines, each routed (route_line) and, if taken,
 * pushed to the outbox, which one batch (batch_fill) then encodes.  The
 * bytes encoded must stay inside the buffer and be whole RESP commands
 * (arrays of bulk strings), and every PUBLISH or SPUBLISH must carry a
 * JSON object (a line taken, or one published again on a book channel)
 * by the scanner that took it (common/json.c: jansson refuses numbers
 * that RFC 8259 allows, such as integers past 64 bits).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "json.h"
#include "lines.h"

/* one bulk string at *p: its bytes in [*s, *s + *n); -1 if not whole */
static int
bulk(const char **p, const char *e, const char **s, size_t *n)
{
	char *end;
	unsigned long long v;

	if (*p + 1 >= e || **p != '$' || (*p)[1] < '0' || (*p)[1] > '9')
		return -1;
	v = strtoull(*p + 1, &end, 10);
	if (end + 2 > e || end[0] != '\r' || end[1] != '\n' ||
	    v > (unsigned long long)(e - end - 2) ||
	    (size_t)(e - end - 2) - v < 2)
		return -1;
	*s = end + 2;
	*n = (size_t)v;
	if ((*s)[v] != '\r' || (*s)[v + 1] != '\n')
		return -1;
	*p = *s + v + 2;
	return 0;
}

/* the commands in [p, e): whole, PUBLISH payloads JSON objects */
static void
check(const char *p, const char *e)
{
	while (p < e) {
		unsigned long long argc;
		char *end;
		const char *s, *cmd = NULL;
		size_t n, cmdn = 0;

		if (p + 1 >= e || *p != '*' || p[1] < '0' || p[1] > '9')
			abort();
		argc = strtoull(p + 1, &end, 10);
		if (end + 2 > e || end[0] != '\r' || end[1] != '\n' ||
		    argc == 0 || argc > 1000000)
			abort();
		p = end + 2;
		for (unsigned long long i = 0; i < argc; i++) {
			if (bulk(&p, e, &s, &n) != 0)
				abort();
			if (i == 0) {
				cmd = s;
				cmdn = n;
			}
			if (i == 2 && argc == 3 && ((cmdn == 7 &&
			    memcmp(cmd, "PUBLISH", 7) == 0) || (cmdn == 8 &&
			    memcmp(cmd, "SPUBLISH", 8) == 0))) {
				struct jv top;

				if (jt_parse(s, n, &top) != 0 ||
				    jt_type(top) != JT_OBJ)
					abort();
			}
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct router rt;
	struct outbox ob;
	struct batch b;
	struct resp_buf out = { 0 };
	struct outbox_msg h;
	char why[256], *line;
	size_t i, free_;

	if (size < 3)
		return 0;
	free_ = (size_t)data[1] << 8 | data[2];
	route_init(&rt, "md", NULL);
	outbox_init(&ob, 1000, 1 << 20, 100);
	batch_init(&b, 100, 100000, data[0] & 2 ? 1000 : 0);
	b.cluster = data[0] & 1;
	if ((line = malloc(size)) == NULL)
		abort();
	for (i = 3; i < size && outbox_has_room(&ob);) {
		size_t len;

		i = fuzz_line(data, size, i, line, &len);
		memset(&h, 0, sizeof(h));
		if (route_line(&rt, line, len, &h, why, sizeof(why)) != 0)
			continue;
		h.len = (uint32_t)len;
		outbox_push(&ob, &h, line);
	}
	free(line);
	out.cap = 65536;
	if ((out.buf = malloc(out.cap)) == NULL)
		abort();
	memset(out.buf, 'x', out.cap);
	out.off = out.len = out.cap - free_;
	batch_fill(&b, &ob, &rt, &out);
	if (out.len > out.cap || out.off > out.len)
		abort();
	/* a copy ending in a NUL, where strtoull stops at the latest */
	if ((line = malloc(out.len - out.off + 1)) == NULL)
		abort();
	memcpy(line, out.buf + out.off, out.len - out.off);
	line[out.len - out.off] = '\0';
	check(line, line + (out.len - out.off));
	free(line);
	free(out.buf);
	batch_free(&b);
	outbox_free(&ob);
	route_free(&rt);
	return 0;
}
