/*
 * test_json.c: the JSON scanner (common/json.h).  Malformed text is
 * refused by both jt_parse and jt_pick (truncated, bad escapes, invalid
 * UTF-8, trailing junk, bad numbers, control characters, too deep), and
 * jt_pick says where and why; values are read as exact text; jt_pick
 * picks top-level members only, keys compared unescaped, repeats
 * flagged; readers refuse wrong types; and on thousands of mutated venue
 * messages and JSONL lines the scanner accepts exactly what jansson
 * accepts (except for numbers jansson cannot represent) and picks the
 * values jansson finds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "json.h"

/* jt_parse's verdict, which jt_pick must share for an object. */
static int
parse(const char *s)
{
	struct jv root, v;
	const char *name = "a";
	int r = jt_parse(s, strlen(s), &root), pr;

	pr = jt_pick(s, strlen(s), &name, &v, 1, NULL);
	if (pr >= 0 && (r != 0 || root.p[0] != '{'))
		fail_msg("jt_pick accepts what jt_parse refuses: %s", s);
	if (pr < 0 && r == 0 && root.p[0] == '{')
		fail_msg("jt_pick refuses what jt_parse accepts: %s", s);
	return r;
}

static void
malformed_text_is_refused(void **state)
{
	static const char *const bad[] = {
		/* truncated */
		"", "{", "[", "{\"a\"", "{\"a\":", "{\"a\":1", "{\"a\":1,",
		"[1,2", "{\"a\":\"xy", "{\"a\":tru", "{\"a\":[1,2]",
		"{\"a\":\"\\", "{\"a\":\"\\u12",
		/* bad escapes */
		"[\"\\x\"]", "[\"\\u12G4\"]", "[\"\\U0041\"]", "[\"\\'\"]",
		"[\"\\u0000\"]", "[\"\\ud800\"]", "[\"\\udc00\"]",
		"[\"\\ud800\\u0041\"]", "[\"\\ud800x\"]",
		/* invalid UTF-8 */
		"[\"\x80\"]", "[\"\xc0\xaf\"]", "[\"\xc3\"]", "[\"\xe0\x80\xaf\"]",
		"[\"\xed\xa0\x80\"]", "[\"\xf4\x90\x80\x80\"]", "[\"\xf5\x80\x80\x80\"]",
		"[\"\xe2\x82\"]", "[\"\xff\"]", "\xef\xbb\xbf[]",
		/* control characters in strings */
		"[\"a\tb\"]", "[\"a\nb\"]", "[\"\x01\"]",
		/* trailing junk, several values */
		"{} x", "{}{}", "[1]]", "{\"a\":1}}", "[1] 2", "{\"a\":1},",
		/* structure */
		"{,}", "[,]", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}",
		"{'a':1}", "{1:2}", "[1 2]", "{\"a\":1 \"b\":2}", "[}", "{]",
		"{\"a\"}", "[:]",
		/* numbers */
		"[01]", "[-]", "[1.]", "[.5]", "[1e]", "[1e+]", "[+1]",
		"[0x10]", "[1.5.5]", "[NaN]", "[Infinity]", "[-01]", "[--1]",
		/* literals */
		"[tru]", "[True]", "[nul]", "[falsey]", "[nulll]",
		/* the top is an object or an array */
		"1", "\"a\"", "true", "null",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(bad[i]) == 0)
			fail_msg("accepted malformed #%zu: %s", i, bad[i]);
}

static void
well_formed_text_is_accepted(void **state)
{
	static const char *const good[] = {
		"{}", "[]", " \t\r\n{ } \n", "[1,-1,0,0.5,-0.0,1e5,1E-5,2.5e+3]",
		"{\"a\":{\"b\":[true,false,null]}}", "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]",
		"[\"\\u00e9\\uD83D\\uDE00\"]", "[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]",
		"[[[[[[[[[[1]]]]]]]]]]", "{\"\":\"\"}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (parse(good[i]) != 0)
			fail_msg("refused well-formed #%zu: %s", i, good[i]);
}

static void
nesting_is_limited(void **state)
{
	char s[2 * JT_MAXDEPTH + 8];
	size_t n = 0;

	(void)state;
	for (int i = 0; i < JT_MAXDEPTH; i++)
		s[n++] = '[';
	for (int i = 0; i < JT_MAXDEPTH; i++)
		s[n++] = ']';
	s[n] = '\0';
	assert_int_equal(parse(s), 0);
	memmove(s + 1, s, n + 1);
	s[0] = '[';
	s[n + 1] = ']';
	s[n + 2] = '\0';
	assert_int_equal(parse(s), -1);
}

static void
values_are_exact_text(void **state)
{
	static const char *const names[] = { "price", "qty", "side", "id",
	    "missing" };
	const char *msg = "{\"price\": 30000.10 , \"qty\":1.50000000,"
	    "\"s\\u0069de\":\"b\\u0075y\",\"id\":\"42\",\"qty\":0.00100}";
	struct jv root, v[5];
	const char *t;
	size_t n;
	char buf[16];

	(void)state;
	assert_int_equal(jt_parse(msg, strlen(msg), &root), 0);
	assert_int_equal(jt_get(root, names, v, 5), 4);
	assert_int_equal(jt_type(v[0]), JT_NUM);
	assert_int_equal(v[0].n, 8);
	assert_memory_equal(v[0].p, "30000.10", 8);
	/* a repeated key: the last one, as jansson */
	assert_int_equal(v[1].n, 7);
	assert_memory_equal(v[1].p, "0.00100", 7);
	/* escaped key and value */
	assert_true(jt_eq(v[2], "buy"));
	assert_false(jt_eq(v[2], "bu"));
	assert_int_equal(jt_str(v[2], buf, sizeof(buf), &t, &n), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(t, "buy", 3);
	assert_int_equal(jt_type(v[4]), JT_NONE);
	assert_int_equal(jt_str(v[4], buf, sizeof(buf), &t, &n), -1);
	/* a string that does not fit the buffer */
	msg = "[\"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\"]";
	assert_int_equal(jt_parse(msg, strlen(msg), &root), 0);
	assert_int_equal(jt_str(jt_index(root, 0), buf, sizeof(buf), &t, &n),
	    -1);
}

static void
pick_takes_top_level_members(void **state)
{
	static const char *const names[] = { "type", "seq", "venue", "x" };
	const char *line = " {\"venue\":{\"type\":\"no\",\"seq\":9},"
	    "\"\\u0074ype\":\"trade\",\"seq\" : 12 ,\"s\":[{\"seq\":3}],"
	    "\"seq\":18446744073709551615} ";
	struct jt_scan sc;
	struct jv v[4];
	uint64_t u;

	(void)state;
	assert_int_equal(jt_pick(line, strlen(line), names, v, 4, &sc), 3);
	assert_true(jt_eq(v[0], "trade"));	/* the key had an escape */
	assert_int_equal(jt_type(v[2]), JT_OBJ);	/* nested not picked */
	assert_true(jt_eq(jt_member(v[2], "type"), "no"));
	assert_int_equal(jt_type(v[3]), JT_NONE);
	/* "seq" repeated: the last one, and flagged */
	assert_int_equal(jt_u64(v[1], &u), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(sc.dup, 1u << 1);
	assert_null(sc.why);
	/* only an object is picked from */
	assert_int_equal(jt_pick("[1]", 3, names, v, 4, &sc), -1);
	assert_int_equal(jt_type(v[0]), JT_NONE);
	assert_int_equal(jt_pick("{}", 2, names, v, 4, NULL), 0);
}

static void
pick_says_where_and_why(void **state)
{
	static const struct {
		const char	*text;
		size_t		 at;
		const char	*why;
	} bad[] = {
		{ "", 0, "no text" },
		{ " \n", 2, "no text" },
		{ "  [1]", 2, "not a JSON object" },
		{ "{\"a\":1,}", 7, "expected a member name" },
		{ "{\"a\":1 \"b\":2}", 7, "expected ',' or '}'" },
		{ "{\"a\":[1 2]}", 8, "expected ',' or ']'" },
		{ "{\"a\" 1}", 5, "expected ':'" },
		{ "{\"a\":\"x\x01\"}", 7, "control character in string" },
		{ "{\"a\":\"\\q\"}", 6, "bad escape in string" },
		{ "{\"a\":\"\\u0000\"}", 6, "\\u0000 in string" },
		{ "{\"a\":\"\\ud800\"}", 12, "lone high surrogate escape" },
		{ "{\"a\":\"\xc3(\"}", 6, "invalid UTF-8 in string" },
		{ "{\"a\":01}", 6, "expected ',' or '}'" },
		{ "{\"a\":-x}", 5, "bad number" },
		{ "{\"a\":1.e1}", 5, "bad number fraction" },
		{ "{\"a\":nul}", 5, "unexpected character" },
		{ "{\"a\":1", 6, "unterminated object or array" },
		{ "{\"a\":\"abc", 9, "unterminated string" },
		{ "{\"a\":1} x", 8, "text after the value" },
		{ "{\"a\":", 5, "missing value" },
	};
	const char *name = "a";
	struct jt_scan sc;
	struct jv v;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(jt_pick(bad[i].text, strlen(bad[i].text),
		    &name, &v, 1, &sc), -1);
		if (sc.at != bad[i].at || strcmp(sc.why, bad[i].why) != 0)
			fail_msg("#%zu %s: at %zu (%s), want %zu (%s)", i,
			    bad[i].text, sc.at, sc.why, bad[i].at, bad[i].why);
	}
}

static void
readers_refuse_wrong_types(void **state)
{
	const char *msg = "[18446744073709551615,\"18446744073709551616\","
	    "-1,1.0,1e3,\"12a\",true,null,[1],{\"a\":1},\"\","
	    "-9223372036854775808,9223372036854775808,\"7\",[\"x\",\"y\"],[]]";
	struct jv root, x, y;
	uint64_t u;
	int64_t i;

	(void)state;
	assert_int_equal(jt_parse(msg, strlen(msg), &root), 0);
	assert_int_equal(jt_u64(jt_index(root, 0), &u), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(jt_u64(jt_index(root, 1), &u), -1);	/* range */
	assert_int_equal(jt_u64(jt_index(root, 2), &u), -1);	/* negative */
	assert_int_equal(jt_i64(jt_index(root, 2), &i), 0);
	assert_true(i == -1);
	for (size_t k = 3; k <= 10; k++) {
		assert_int_equal(jt_u64(jt_index(root, k), &u), -1);
		assert_int_equal(jt_i64(jt_index(root, k), &i), -1);
	}
	assert_int_equal(jt_i64(jt_index(root, 11), &i), 0);
	assert_true(i == INT64_MIN);
	assert_int_equal(jt_i64(jt_index(root, 12), &i), -1);
	assert_int_equal(jt_u64(jt_index(root, 13), &u), 0);
	assert_true(u == 7);
	assert_int_equal(jt_u64(jt_index(root, 99), &u), -1);	/* absent */
	assert_int_equal(jt_pair(jt_index(root, 14), &x, &y), 0);
	assert_true(jt_eq(x, "x") && jt_eq(y, "y"));
	assert_int_equal(jt_pair(jt_index(root, 15), &x, &y), -1);
	assert_int_equal(jt_pair(jt_index(root, 8), &x, &y), -1);
	assert_true(jt_empty(jt_index(root, 15)));
	assert_false(jt_empty(jt_index(root, 8)));
	assert_false(jt_eq(jt_index(root, 13), "8"));
	assert_false(jt_eq(jt_index(root, 0), "18446744073709551615"));
	assert_int_equal(jt_get(jt_index(root, 8), (const char *const[]){ "a" },
	    &x, 1), 0);	/* an array is no object */
}

static void
iteration_visits_every_member(void **state)
{
	const char *msg = "{ \"a\" : [ 1 , \"x,]}\" , { \"b\" : [ ] } ] ,"
	    " \"c\" : \"\\\"}\" }";
	struct jv root, k, v, e;
	struct jit it, it2;
	int n = 0;

	(void)state;
	assert_int_equal(jt_parse(msg, strlen(msg), &root), 0);
	assert_int_equal(jt_begin(root, &it), 0);
	assert_int_equal(jt_next(&it, &k, &v), 1);
	assert_true(jt_eq(k, "a"));
	assert_int_equal(jt_begin(v, &it2), 0);
	while (jt_next(&it2, &k, &e)) {
		assert_null(k.p);
		n++;
	}
	assert_int_equal(n, 3);
	assert_int_equal(jt_next(&it, &k, &v), 1);
	assert_true(jt_eq(k, "c"));
	assert_true(jt_eq(v, "\"}"));
	assert_int_equal(jt_next(&it, &k, &v), 0);
	assert_int_equal(jt_next(&it, &k, &v), 0);
	assert_int_equal(jt_begin(k, &it), -1);
}

/* same_jv: a and b are the same span of the input */
static void
same_jv(struct jv a, struct jv b)
{
	assert_ptr_equal(a.p, b.p);
	assert_int_equal(a.n, b.n);
}

/*
 * jt_next_get gives each element and its names as jt_next then jt_get
 * do: objects (read in one pass), other values (names absent), with
 * white space and commas between, and ends at the array's end.
 */
static void
next_get_agrees_with_next_then_get(void **state)
{
	const char *msg = "[ {\"p\":\"1.5\",\"x\":[1,{\"q\":2}],\"q\":\"2\"} ,"
	    "7,{ } , {\"q\" : \"}\" , \"p\":\"3\"},[{\"p\":9}],\"s\" ]";
	static const char *const names[] = { "p", "q" };
	struct jt_names ns;
	struct jv root, a[2], b[2], v, w;
	struct jit it, it2;
	int n = 0;

	(void)state;
	jt_names_init(&ns, names, 2);
	assert_int_equal(jt_parse(msg, strlen(msg), &root), 0);
	assert_int_equal(jt_begin(root, &it), 0);
	assert_int_equal(jt_begin(root, &it2), 0);
	for (;;) {
		int r1 = jt_next_get(&it, &ns, a, &v), r2 = jt_next(&it2, NULL, &w);

		assert_int_equal(r1, r2);
		if (!r1)
			break;
		n++;
		same_jv(v, w);
		jt_get(w, names, b, 2);
		for (int i = 0; i < 2; i++)
			same_jv(a[i], b[i]);
	}
	assert_int_equal(n, 6);
	assert_null(a[0].p);
	assert_int_equal(jt_next_get(&it, &ns, a, &v), 0);
	/* the first element's members, and the fourth's */
	assert_int_equal(jt_begin(root, &it), 0);
	assert_int_equal(jt_next_get(&it, &ns, a, &v), 1);
	assert_true(jt_eq(a[0], "1.5") && jt_eq(a[1], "2"));
	assert_int_equal(jt_next_get(&it, &ns, a, &v), 1);
	assert_null(a[0].p);
	assert_null(a[1].p);
	assert_int_equal(jt_next_get(&it, &ns, a, &v), 1);
	assert_int_equal(jt_next_get(&it, &ns, a, &v), 1);
	assert_true(jt_eq(a[0], "3") && jt_eq(a[1], "}"));
}

/* jt_next_pair gives each element and its first two as jt_next, jt_pair. */
static void
next_pair_agrees_with_next_then_pair(void **state)
{
	const char *msg = "[ [\"1.5\" , \"2\"] ,[\"3\"],[4,5,6], 7 ,[],"
	    "[[1],{\"x\":[\"]\"]},\"z\"], {\"a\":1} ]";
	struct jv root, x, y, x2, y2, v, w;
	struct jit it, it2;
	int n = 0;

	(void)state;
	assert_int_equal(jt_parse(msg, strlen(msg), &root), 0);
	assert_int_equal(jt_begin(root, &it), 0);
	assert_int_equal(jt_begin(root, &it2), 0);
	for (;;) {
		int r1 = jt_next_pair(&it, &x, &y, &v), r2 = jt_next(&it2, NULL, &w);

		assert_int_equal(r1, r2);
		if (!r1)
			break;
		n++;
		same_jv(v, w);
		(void)jt_pair(w, &x2, &y2);
		same_jv(x, x2);
		same_jv(y, y2);
	}
	assert_int_equal(n, 7);
	assert_int_equal(jt_begin(root, &it), 0);
	assert_int_equal(jt_next_pair(&it, &x, &y, &v), 1);
	assert_true(jt_eq(x, "1.5") && jt_eq(y, "2"));
	assert_int_equal(jt_next_pair(&it, &x, &y, &v), 1);
	assert_null(x.p);	/* one element: no pair */
	assert_null(y.p);
}

/* jt_names_once prepares its names once, and again for other names. */
static void
names_once_follows_the_names(void **state)
{
	static const char *const a[] = { "x" }, *const b[] = { "y", "x" };
	const char *msg = "{\"x\":1,\"y\":2}";
	struct jt_names ns;
	struct jv root, v[2];

	(void)state;
	memset(&ns, 0, sizeof(ns));
	assert_int_equal(jt_parse(msg, strlen(msg), &root), 0);
	assert_int_equal(jt_get_names(root, jt_names_once(&ns, a, 1), v), 1);
	assert_true(v[0].n == 1 && v[0].p[0] == '1');
	assert_ptr_equal(jt_names_once(&ns, a, 1), &ns);
	assert_int_equal(jt_get_names(root, jt_names_once(&ns, b, 2), v), 2);
	assert_true(v[0].n == 1 && v[0].p[0] == '2');
	assert_true(v[1].n == 1 && v[1].p[0] == '1');
}

/* Messages in the venues' shapes, mutated below. */
static const char *const seeds[] = {
	"{\"channel\":\"l2_data\",\"client_id\":\"\",\"timestamp\":\"2023-02-09T20:32:50.714964855Z\",\"sequence_num\":3,\"events\":[{\"type\":\"update\",\"product_id\":\"BTC-USD\",\"updates\":[{\"side\":\"bid\",\"event_time\":\"2023-02-09T20:32:50.714964855Z\",\"price_level\":\"30000.01\",\"new_quantity\":\"1.5\"}]}]}",
	"{\"channel\":\"book\",\"type\":\"update\",\"data\":[{\"symbol\":\"BTC/USD\",\"bids\":[{\"price\":30000.10,\"qty\":0.00100000}],\"asks\":[],\"checksum\":2439117997,\"timestamp\":\"2023-10-06T17:35:55.440295Z\"}]}",
	"{\"stream\":\"btcusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":1672515782136,\"s\":\"BTCUSDT\",\"U\":157,\"u\":160,\"b\":[[\"0.0024\",\"10\"]],\"a\":[[\"0.0026\",\"100\"]]}}",
	"{\"topic\":\"publicTrade.BTCUSDT\",\"type\":\"snapshot\",\"ts\":1672304486868,\"data\":[{\"T\":1672304486865,\"s\":\"BTCUSDT\",\"S\":\"Buy\",\"v\":\"0.001\",\"p\":\"16578.50\",\"L\":\"PlusTick\",\"i\":\"20f43950-d8dd-5b31-9112-a178eb6023af\",\"BT\":false,\"seq\":1}]}",
	"{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"action\":\"update\",\"data\":[{\"asks\":[[\"8476.98\",\"415\",\"0\",\"13\"]],\"bids\":[],\"ts\":\"1597026383085\",\"checksum\":0,\"prevSeqId\":123,\"seqId\":124}]}",
	"{\"s\":\"\\u00e9\\ud83d\\ude00 \\\"q\\\" \\\\ \\/\",\"n\":[-0.5e-3,0,true,false,null,{}]}",
	/* JSONL lines (tickpipe-json(5)) as redispub routes them */
	"{\"type\":\"status\",\"venue\":\"sim\",\"seq\":1,\"vseq\":0,\"ts\":1796200881482300288,\"recv\":1796200881482300529,\"status\":\"connected\",\"reason\":\"simulator, seed 1\"}",
	"{\"type\":\"book_delta\",\"venue\":\"sim\",\"symbol\":\"SOL-USD\",\"seq\":834,\"vseq\":203,\"ts\":1796200881482657457,\"recv\":1796200881482657698,\"bids\":[[\"149.80\",\"1.3849\"]],\"asks\":[[\"150.08\",\"0.7243\"]]}",
	"{\"type\":\"trade\",\"venue\":\"sim\",\"symbol\":\"SOL-USD\",\"seq\":1234,\"vseq\":86,\"ts\":1796200881482769157,\"recv\":1796200881482769347,\"price\":\"150.07\",\"qty\":\"0.1896\",\"side\":\"sell\",\"tid\":\"86\"}",
};

/* Top-level names of the seeds, for jt_pick. */
static const char *const pick_names[] = {
	"type", "venue", "symbol", "seq", "recv", "channel", "data", "stream",
	"topic", "arg", "s", "n", "events", "bids", "sequence_num", "action",
};

/*
 * picks_agree: jt_pick on buf[0..n), which jansson loaded as j, finds
 * each name exactly when jansson does, with a value jansson reads as
 * equal to its own.
 */
static int
picks_agree(const char *buf, size_t n, json_t *j)
{
	size_t k = sizeof(pick_names) / sizeof(pick_names[0]);
	struct jv v[sizeof(pick_names) / sizeof(pick_names[0])];
	int found = jt_pick(buf, n, pick_names, v, k, NULL), want = 0;

	if (!json_is_object(j))
		return found == -1;
	for (size_t i = 0; i < k; i++) {
		json_t *theirs = json_object_get(j, pick_names[i]), *ours;
		int same;

		if ((theirs == NULL) != (v[i].p == NULL))
			return 0;
		if (theirs == NULL)
			continue;
		want++;
		ours = json_loadb(v[i].p, v[i].n, JSON_DECODE_ANY, NULL);
		same = ours != NULL && json_equal(ours, theirs);
		json_decref(ours);
		if (!same)
			return 0;
	}
	return found == want;
}

static void
mutations_agree_with_jansson(void **state)
{
	static const char alphabet[] = "{}[]\":,\\/-+.0123456789eEtrufalsn "
	    "\t\nabcu\x01\x7f\x80\xbf\xc3\xe2\xed\xf0\xff";
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	size_t tried = 0, refused = 0, picked = 0;
	char buf[1024];

	(void)state;
	for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
		for (int k = 0; k < 4000; k++) {
			size_t n = strlen(seeds[s]), muts;
			json_error_t jerr;
			json_t *j;
			struct jv root;
			int ours, theirs;

			memcpy(buf, seeds[s], n);
			rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
			muts = 1 + (rng >> 60) % 3;
			for (size_t m = 0; m < muts && n > 0; m++) {
				size_t at;
				int op;
				char c;

				rng = rng * 6364136223846793005ULL +
				    1442695040888963407ULL;
				at = (size_t)(rng >> 33) % n;
				op = (int)((rng >> 20) % 4);
				c = alphabet[(rng >> 8) % (sizeof(alphabet) - 1)];
				if (op == 0) {
					buf[at] = c;		/* replace */
				} else if (op == 1) {
					memmove(buf + at, buf + at + 1, n - at - 1);
					n--;			/* delete */
				} else if (op == 2 && n + 1 < sizeof(buf)) {
					memmove(buf + at + 1, buf + at, n - at);
					buf[at] = c;		/* insert */
					n++;
				} else {
					n = at;			/* truncate */
				}
			}
			ours = jt_parse(buf, n, &root) == 0;
			j = json_loadb(buf, n, 0, &jerr);
			theirs = j != NULL;
			if (theirs && ours) {
				if (!picks_agree(buf, n, j))
					fail_msg("seed %zu: picks differ from "
					    "jansson's: %.*s", s, (int)n, buf);
				picked += json_is_object(j);
			}
			json_decref(j);
			/* numbers jansson cannot hold are its own limit */
			if (!theirs && (strstr(jerr.text, "too big") != NULL ||
			    strstr(jerr.text, "overflow") != NULL))
				continue;
			tried++;
			refused += !ours;
			if (ours != theirs)
				fail_msg("seed %zu: scanner %s, jansson %s (%s): "
				    "%.*s", s, ours ? "accepts" : "refuses",
				    theirs ? "accepts" : "refuses", jerr.text,
				    (int)n, buf);
		}
	}
	/* both outcomes must have been exercised */
	assert_true(refused > tried / 4 && refused < tried);
	assert_true(picked > (tried - refused) / 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(malformed_text_is_refused),
		cmocka_unit_test(well_formed_text_is_accepted),
		cmocka_unit_test(nesting_is_limited),
		cmocka_unit_test(values_are_exact_text),
		cmocka_unit_test(pick_takes_top_level_members),
		cmocka_unit_test(pick_says_where_and_why),
		cmocka_unit_test(readers_refuse_wrong_types),
		cmocka_unit_test(iteration_visits_every_member),
		cmocka_unit_test(next_get_agrees_with_next_then_get),
		cmocka_unit_test(next_pair_agrees_with_next_then_pair),
		cmocka_unit_test(names_once_follows_the_names),
		cmocka_unit_test(mutations_agree_with_jansson),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
