/*
 * test_cluster.c: the Redis Cluster slot function (common/cluster.h)
 * against the values the Redis Cluster specification and the CLUSTER
 * KEYSLOT documentation give (each also what `redis-cli cluster keyslot`
 * answered on a Redis 7.0 node), hash tags as the specification defines
 * them, the slot map read from a CLUSTER SLOTS reply, and the address
 * in -MOVED and -ASK.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cluster.h"

static unsigned
slot(const char *k)
{
	return cluster_keyslot(k, strlen(k));
}

static void
crc16_is_xmodem(void **state)
{
	(void)state;
	/* the specification's check value */
	assert_int_equal(cluster_crc16("123456789", 9), 0x31c3);
	assert_int_equal(cluster_crc16("", 0), 0);
}

static void
slots_match_redis(void **state)
{
	(void)state;
	assert_int_equal(slot("somekey"), 11058);
	assert_int_equal(slot("foo{hash_tag}"), 2515);
	assert_int_equal(slot("foo"), 12182);
	assert_int_equal(slot("bar"), 5061);
	assert_int_equal(slot("hello"), 866);
}

static void
hash_tags_follow_the_specification(void **state)
{
	(void)state;
	assert_int_equal(slot("{user1000}.following"),
	    slot("{user1000}.followers"));
	assert_int_equal(slot("{user1000}.following"), slot("user1000"));
	/* the first '{' and the next '}' */
	assert_int_equal(slot("foo{{bar}}zap"), slot("{bar"));
	assert_int_equal(slot("foo{bar}{zap}"), slot("bar"));
	/* an empty tag, or none closed: the whole key */
	assert_int_equal(slot("foo{}{bar}"),
	    cluster_crc16("foo{}{bar}", 10) & 16383);
	assert_int_equal(slot("foo{bar"), cluster_crc16("foo{bar", 7) & 16383);
	/* what redispub(1) relies on: C and {C}.last share a slot */
	assert_int_equal(slot("md.sim.BTC-USD.quote"),
	    slot("{md.sim.BTC-USD.quote}.last"));
}

static redisReply *
mk(int type)
{
	redisReply *r = test_calloc(1, sizeof(*r));

	r->type = type;
	return r;
}

static redisReply *
mk_int(long long v)
{
	redisReply *r = mk(REDIS_REPLY_INTEGER);

	r->integer = v;
	return r;
}

static redisReply *
mk_str(const char *s)
{
	redisReply *r = mk(REDIS_REPLY_STRING);

	r->str = (char *)s;
	r->len = strlen(s);
	return r;
}

static redisReply *
mk_arr(size_t n)
{
	redisReply *r = mk(REDIS_REPLY_ARRAY);

	r->elements = n;
	r->element = test_calloc(n, sizeof(*r->element));
	return r;
}

/* a range served by host:port, of node ID id (a short one: none) */
static redisReply *
mk_range(long long lo, long long hi, const char *host, int port,
    const char *id)
{
	redisReply *e = mk_arr(3), *p = mk_arr(3);

	p->element[0] = mk_str(host);
	p->element[1] = mk_int(port);
	p->element[2] = mk_str(id);
	e->element[0] = mk_int(lo);
	e->element[1] = mk_int(hi);
	e->element[2] = p;
	return e;
}

static void
free_tree(redisReply *r)
{
	size_t i;

	if (r->type == REDIS_REPLY_ARRAY) {
		for (i = 0; i < r->elements; i++)
			free_tree(r->element[i]);
		test_free(r->element);
	}
	test_free(r);
}

static void
cluster_slots_become_a_map(void **state)
{
	static struct cluster_map m;
	struct redisurl_node from = { "10.0.0.9", 7009 };
	redisReply *r = mk_arr(3);
	char err[200];

	(void)state;
	r->element[0] = mk_range(0, 5460, "127.0.0.1", 7001,
	    "0123456789abcdef0123456789abcdef01234567");
	r->element[1] = mk_range(5461, 10922, "?", 7002, "0123456789abcdef");
	r->element[2] = mk_range(10923, 16383, "127.0.0.1", 7003,
	    "fedcba9876543210fedcba9876543210fedcba98");
	assert_int_equal(cluster_map_parse(r, &from, &m, err, sizeof(err)),
	    0);
	assert_int_equal(m.nnodes, 3);
	assert_int_equal(m.owner[0], 0);
	assert_int_equal(m.owner[5460], 0);
	assert_int_equal(m.owner[5461], 1);
	assert_string_equal(m.nodes[1].host, "10.0.0.9");
	assert_int_equal(m.owner[16383], 2);
	assert_int_equal(m.nodes[2].port, 7003);
	assert_string_equal(m.id[0], "0123456789abcdef0123456789abcdef01234567");
	assert_string_equal(m.id[1], "");	/* not a node ID */
	assert_string_equal(m.id[2], "fedcba9876543210fedcba9876543210fedcba98");
	free_tree(r);

	r = mk_arr(1);
	r->element[0] = mk_range(0, 16384, "127.0.0.1", 7001, "");
	assert_int_equal(cluster_map_parse(r, &from, &m, err, sizeof(err)),
	    -1);
	free_tree(r);
}

/* an error answer to CLUSTER SLOTS is a failure with its text */
static void
cluster_slots_error_is_said(void **state)
{
	static struct cluster_map m;
	struct redisurl_node from = { "10.0.0.9", 7009 };
	redisReply *r = mk_str("ERR This instance has cluster support disabled");
	char err[200] = "";

	(void)state;
	r->type = REDIS_REPLY_ERROR;
	assert_int_equal(cluster_slots_reply(r, &from, &m, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "ERR This instance has cluster support "
	    "disabled");
	free_tree(r);
}

static void
redirections_are_read(void **state)
{
	char host[64];
	unsigned s;
	int port;

	(void)state;
	assert_int_equal(cluster_redirect("MOVED 3999 127.0.0.1:6381", &s,
	    host, sizeof(host), &port), 1);
	assert_int_equal(s, 3999);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 6381);
	assert_int_equal(cluster_redirect("ASK 12182 ::1:7002", &s, host,
	    sizeof(host), &port), 2);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 7002);
	assert_int_equal(cluster_redirect("ERR wrong", &s, host,
	    sizeof(host), &port), 0);
	assert_int_equal(cluster_redirect("MOVED 99999 h:1", &s, host,
	    sizeof(host), &port), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crc16_is_xmodem),
		cmocka_unit_test(slots_match_redis),
		cmocka_unit_test(hash_tags_follow_the_specification),
		cmocka_unit_test(cluster_slots_become_a_map),
		cmocka_unit_test(cluster_slots_error_is_said),
		cmocka_unit_test(redirections_are_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
