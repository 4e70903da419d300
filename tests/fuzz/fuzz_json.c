/*
 * fuzz_json.c: libFuzzer target for the JSON scanner (common/json.h),
 * with jansson as the oracle under its default flags (an object or array
 * at the top, \u0000 refused).  jt_parse accepts exactly what jansson
 * accepts, except where jansson meets its own limits (numbers it cannot
 * hold) and ours (JT_MAXDEPTH); jt_pick agrees with jt_parse on objects,
 * finds each name exactly when jansson's object has it, with a value
 * jansson reads as equal to its own; walking every value and reading
 * strings and integers stays inside the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "json.h"

/* Names the seeds (tests/fuzz/seed) have at their top, and a few more. */
static const char *const names[] = {
	"type", "venue", "symbol", "seq", "recv", "a", "c", "channel",
	"data", "events", "arg", "topic", "stream", "bids", "", "\xc3\xa9",
};
#define NNAMES	(sizeof(names) / sizeof(names[0]))

static void
walk(struct jv v, int depth)
{
	struct jit it;
	struct jv k, x;
	char buf[256];
	const char *s;
	size_t n;
	uint64_t u;
	int64_t i;

	if (depth > JT_MAXDEPTH + 1)
		abort();
	switch (jt_type(v)) {
	case JT_OBJ:
	case JT_ARR:
		if (jt_begin(v, &it) < 0)
			abort();
		while (jt_next(&it, &k, &x)) {
			if (k.p != NULL && jt_str(k, buf, sizeof(buf), &s, &n) == 0)
				(void)jt_member(v, "x");
			walk(x, depth + 1);
		}
		(void)jt_index(v, 1);
		break;
	case JT_STR:
		if (jt_str(v, buf, sizeof(buf), &s, &n) == 0 &&
		    memchr(s, '\0', n) != NULL)
			abort();	/* \u0000 is refused */
		break;
	case JT_NUM:
		(void)jt_u64(v, &u);
		(void)jt_i64(v, &i);
		break;
	default:
		break;
	}
}

/* The nesting depth of a jansson value (a scalar: 0). */
static int
depth(json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;
	int d = 0, e;

	/* each child's depth once: twice a level took 2^depth calls, and a
	   deep input the fuzzer made hung make check's brief run */
	if (json_is_object(j))
		json_object_foreach(j, k, v)
			if ((e = depth(v)) > d)
				d = e;
	if (json_is_array(j))
		json_array_foreach(j, i, v)
			if ((e = depth(v)) > d)
				d = e;
	return json_is_object(j) || json_is_array(j) ? d + 1 : 0;
}

/*
 * jansson 2.14 skips a NUL byte just after a number, true, false or null
 * ("[0\0,1]" loads as [0,1]); JSON has no such byte there, so we refuse
 * it.  Is there a NUL after a digit, 'e' or 'l'?
 */
static int
nul_quirk(const char *s, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (s[i] == '\0' && ((s[i - 1] >= '0' && s[i - 1] <= '9') ||
		    s[i - 1] == 'e' || s[i - 1] == 'l'))
			return 1;
	return 0;
}

/* The picks out[] of the text jansson loaded as object j agree with it. */
static void
picks_agree(json_t *j, const struct jv *out, int found)
{
	int want = 0;

	for (size_t i = 0; i < NNAMES; i++) {
		json_t *theirs = json_object_get(j, names[i]), *ours;

		if ((theirs == NULL) != (out[i].p == NULL))
			abort();	/* found by one only */
		if (theirs == NULL)
			continue;
		want++;
		ours = json_loadb(out[i].p, out[i].n, JSON_DECODE_ANY, NULL);
		if (ours == NULL || !json_equal(ours, theirs))
			abort();	/* a different value */
		json_decref(ours);
	}
	if (found != want)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct jv root, out[NNAMES];
	struct jt_scan sc;
	json_error_t e;
	json_t *j;
	int ours, picked;

	ours = jt_parse(s, size, &root) == 0;
	picked = jt_pick(s, size, names, out, NNAMES, &sc);
	if (picked >= 0 && (!ours || root.p[0] != '{'))
		abort();	/* jt_pick accepts what jt_parse refuses */
	if (picked < 0 && ours && root.p[0] == '{')
		abort();	/* jt_pick refuses what jt_parse accepts */
	if (picked < 0 && (sc.why == NULL || sc.at > size))
		abort();
	if (ours)
		walk(root, 0);
	j = json_loadb(s, size, 0, &e);
	if (ours && j == NULL && strstr(e.text, "too big") == NULL &&
	    strstr(e.text, "real number") == NULL &&
	    strstr(e.text, "maximum parsing depth") == NULL)
		abort();	/* we accept what jansson calls invalid */
	if (!ours && j != NULL && depth(j) <= JT_MAXDEPTH && !nul_quirk(s, size))
		abort();	/* we refuse what jansson accepts */
	if (picked >= 0 && j != NULL)
		picks_agree(j, out, picked);
	json_decref(j);
	return 0;
}
