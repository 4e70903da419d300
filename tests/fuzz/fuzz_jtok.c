/*
 * fuzz_jtok.c: libFuzzer target for the collector's JSON scanner
 * (collector/jtok.c).  Whatever jt_parse accepts must agree with jansson
 * (which must accept it too, numbers jansson cannot hold aside), and
 * walking every value of it, reading strings and integers, must stay
 * inside the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jtok.h"

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
		if (jt_str(v, buf, sizeof(buf), &s, &n) == 0 && n > 0 &&
		    s[n - 1] == '\0' && memchr(s, '\0', n) != NULL)
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jv root;
	json_error_t e;
	json_t *j;

	if (jt_parse((const char *)data, size, &root) != 0)
		return 0;
	walk(root, 0);
	j = json_loadb((const char *)data, size, JSON_DECODE_ANY, &e);
	if (j == NULL && strstr(e.text, "too big") == NULL &&
	    strstr(e.text, "real number") == NULL &&
	    strstr(e.text, "maximum parsing depth") == NULL)
		abort();	/* we accepted what jansson calls invalid */
	json_decref(j);
	return 0;
}
