/*
 * test_redisurl.c: the one Redis URL grammar (common/redisurl.h,
 * tickpipe(7)): redis://[[user][:password]@]host[:port][/db], unix://path
 * a bare path with a '/', sentinel://[userinfo@]host[:port],...
 * /master[/db] and cluster://[userinfo@]host[:port],...; user and
 * password percent-decoded; IPv6 in brackets; anything else refused
 * with a reason that never shows the password.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "redisurl.h"

static struct redisurl u;
static char err[200];

static void
ok(const char *s)
{
	err[0] = '\0';
	if (redisurl_parse(s, &u, err, sizeof(err)) != 0)
		fail_msg("'%s' refused: %s", s, err);
}

static void
refused(const char *s, const char *why)
{
	err[0] = '\0';
	if (redisurl_parse(s, &u, err, sizeof(err)) == 0)
		fail_msg("'%s' accepted", s);
	if (strstr(err, why) == NULL)
		fail_msg("'%s': reason '%s' does not say '%s'", s, err, why);
}

static void
host_alone_takes_the_default_port_and_db_0(void **state)
{
	(void)state;
	ok("redis://localhost");
	assert_false(u.is_unix);
	assert_string_equal(u.host, "localhost");
	assert_int_equal(u.port, 6379);
	assert_int_equal(u.db, 0);
	assert_string_equal(u.user, "");
	assert_false(u.has_password);
	ok("redis://10.1.2.3:7000/");
	assert_string_equal(u.host, "10.1.2.3");
	assert_int_equal(u.port, 7000);
	assert_int_equal(u.db, 0);
}

static void
port_and_db_are_read(void **state)
{
	(void)state;
	ok("redis://db1.example:6380/15");
	assert_string_equal(u.host, "db1.example");
	assert_int_equal(u.port, 6380);
	assert_int_equal(u.db, 15);
}

static void
user_and_password_are_split_at_the_first_colon(void **state)
{
	(void)state;
	ok("redis://a:b@h");
	assert_string_equal(u.user, "a");
	assert_true(u.has_password);
	assert_string_equal(u.password, "b");
	assert_string_equal(u.host, "h");
	ok("redis://feed:pa:ss@h:1/2");
	assert_string_equal(u.user, "feed");
	assert_string_equal(u.password, "pa:ss");
	assert_int_equal(u.port, 1);
	assert_int_equal(u.db, 2);
}

static void
password_alone_means_the_default_user(void **state)
{
	(void)state;
	ok("redis://:s3cret@127.0.0.1:6379");
	assert_string_equal(u.user, "");
	assert_true(u.has_password);
	assert_string_equal(u.password, "s3cret");
}

static void
user_alone_takes_the_password_from_elsewhere(void **state)
{
	(void)state;
	ok("redis://feed@127.0.0.1");
	assert_string_equal(u.user, "feed");
	assert_false(u.has_password);
}

static void
user_and_password_are_percent_decoded(void **state)
{
	(void)state;
	ok("redis://us%3Aer:p%40ss%2Fw%25rd%20x@h");
	assert_string_equal(u.user, "us:er");
	assert_string_equal(u.password, "p@ss/w%rd x");
	refused("redis://u:p%4@h", "%-escape");
	refused("redis://u:p%zz@h", "%-escape");
	refused("redis://u:p%@h", "%-escape");
}

static void
decoded_control_characters_and_user_spaces_are_refused(void **state)
{
	(void)state;
	refused("redis://u:a%0Ab@h", "control character");
	refused("redis://u:a%00b@h", "control character");
	refused("redis://a%20b:pw@h", "space");
	ok("redis://ab:p%20w@h");
	assert_string_equal(u.password, "p w");
}

static void
raw_at_or_slash_in_the_userinfo_is_refused(void **state)
{
	(void)state;
	refused("redis://u:p@ss@h", "%40");
	refused("redis://u:p/ss@h", "%2F");
	refused("redis://@h", "before the '@'");
	refused("redis://u:@h", "empty password");
}

static void
ipv6_goes_in_brackets(void **state)
{
	(void)state;
	ok("redis://[::1]:6380/3");
	assert_string_equal(u.host, "::1");
	assert_int_equal(u.port, 6380);
	assert_int_equal(u.db, 3);
	ok("redis://u:p@[2001:db8::7]");
	assert_string_equal(u.host, "2001:db8::7");
	assert_int_equal(u.port, 6379);
	refused("redis://[::1", "']'");
	refused("redis://[nothex]:1", "IPv6");
	refused("redis://::1", "no host");
}

static void
unix_sockets_in_both_forms(void **state)
{
	(void)state;
	ok("unix:///run/redis.sock");
	assert_true(u.is_unix);
	assert_string_equal(u.path, "/run/redis.sock");
	ok("unix://r.sock");
	assert_string_equal(u.path, "r.sock");
	ok("./redis.sock");
	assert_true(u.is_unix);
	assert_string_equal(u.path, "./redis.sock");
	ok("/tmp/x/redis.sock");
	assert_string_equal(u.path, "/tmp/x/redis.sock");
	ok("state/redis.sock");
	assert_string_equal(u.path, "state/redis.sock");
	refused("unix://", "empty");
	refused("/0123456789012345678901234567890123456789012345678901234567"
	    "8901234567890123456789012345678901234567890123456789", "longer");
}

static void
anything_else_is_refused_with_a_reason(void **state)
{
	(void)state;
	refused("bogus://x", "unknown scheme 'bogus'");
	refused("rediss://h", "unknown scheme");
	refused("redis.sock", "socket path with a '/'");
	refused("localhost:6379", "socket path with a '/'");
	refused("", "socket path with a '/'");
	refused("redis://", "no host");
	refused("redis://:6379", "no host");
	refused("redis://h:", "bad port");
	refused("redis://h:0", "bad port");
	refused("redis://h:65536", "bad port");
	refused("redis://h:12ab", "bad port");
	refused("redis://h/x", "database");
	refused("redis://h/-1", "database");
	refused("redis://h/1000001", "database");
	refused("redis://h/1/2", "database");
	refused("redis://h?db=1", "bad host");
	refused("redis://a b", "bad host");
}

static void
reasons_never_quote_the_password(void **state)
{
	static const char *const cases[] = {
		"redis://u:TOPSECRET@h:99999", "redis://u:TOPSECRET@",
		"redis://u:TOPSECRET@h/x", "redis://u:TOPSECRET%0A@h",
		"redis://u:TOPSECRET@[zz]",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		assert_int_equal(redisurl_parse(cases[i], &u, err,
		    sizeof(err)), -1);
		assert_null(strstr(err, "TOPSECRET"));
	}
}

static void
show_hides_the_password(void **state)
{
	char buf[300];

	(void)state;
	ok("redis://feed:TOPSECRET@[::1]:7/2");
	assert_string_equal(redisurl_show(&u, buf, sizeof(buf)),
	    "redis://feed:***@[::1]:7/2");
	ok("redis://h");
	assert_string_equal(redisurl_show(&u, buf, sizeof(buf)),
	    "redis://h:6379");
	ok("./r.sock");
	assert_string_equal(redisurl_show(&u, buf, sizeof(buf)),
	    "unix://./r.sock");
}

static void
sentinels_and_master_name_are_read(void **state)
{
	char buf[600];

	(void)state;
	ok("sentinel://10.0.0.1,10.0.0.2:5000,[::1]:26380/mymaster");
	assert_true(u.is_sentinel);
	assert_false(u.is_unix);
	assert_int_equal(u.nsentinels, 3);
	assert_string_equal(u.sentinels[0].host, "10.0.0.1");
	assert_int_equal(u.sentinels[0].port, 26379);
	assert_string_equal(u.sentinels[1].host, "10.0.0.2");
	assert_int_equal(u.sentinels[1].port, 5000);
	assert_string_equal(u.sentinels[2].host, "::1");
	assert_int_equal(u.sentinels[2].port, 26380);
	assert_string_equal(u.master, "mymaster");
	assert_int_equal(u.db, 0);
	assert_string_equal(u.host, "");
	ok("sentinel://feed:p%40ss@s1:1/tp-1.a_b/3");
	assert_string_equal(u.user, "feed");
	assert_true(u.has_password);
	assert_string_equal(u.password, "p@ss");
	assert_int_equal(u.nsentinels, 1);
	assert_string_equal(u.master, "tp-1.a_b");
	assert_int_equal(u.db, 3);
	assert_string_equal(redisurl_show(&u, buf, sizeof(buf)),
	    "sentinel://feed:***@s1:1/tp-1.a_b/3");
	ok("sentinel://:TOPSECRET@a,b/m");
	assert_string_equal(redisurl_show(&u, buf, sizeof(buf)),
	    "sentinel://:***@a:26379,b:26379/m");
}

static void
cluster_seed_nodes_are_read(void **state)
{
	char buf[600];

	(void)state;
	ok("cluster://10.0.0.1,10.0.0.2:7001,[::1]:7002");
	assert_true(u.is_cluster);
	assert_false(u.is_sentinel);
	assert_int_equal(u.nsentinels, 3);
	assert_string_equal(u.sentinels[0].host, "10.0.0.1");
	assert_int_equal(u.sentinels[0].port, 6379);
	assert_int_equal(u.sentinels[1].port, 7001);
	assert_string_equal(u.sentinels[2].host, "::1");
	assert_string_equal(u.host, "10.0.0.1");
	assert_int_equal(u.port, 6379);
	assert_int_equal(u.db, 0);
	ok("cluster://feed:TOPSECRET@h:7000");
	assert_string_equal(u.user, "feed");
	assert_string_equal(u.password, "TOPSECRET");
	assert_string_equal(redisurl_show(&u, buf, sizeof(buf)),
	    "cluster://feed:***@h:7000");
	refused("cluster://h:7000/1", "no /db");
	refused("cluster://h:0", "port");
	refused("cluster://", "host");
	refused("cluster://a,,b", "host");
}

static void
bad_sentinel_urls_are_refused_with_a_reason(void **state)
{
	(void)state;
	refused("sentinel://h", "no /mastername");
	refused("sentinel://h/", "bad master name");
	refused("sentinel://h/a b", "bad master name");
	refused("sentinel://h/m/x", "database");
	refused("sentinel:///m", "no host");
	refused("sentinel://a,,b/m", "no host");
	refused("sentinel://a,/m", "no host");
	refused("sentinel://h:0/m", "bad port");
	refused("sentinel://1,2,3,4,5,6,7,8,9/m", "more than 8");
	refused("sentinel://u:TOP/SECRET@h/m", "'/' in the user");
	assert_int_equal(redisurl_parse("sentinel://u:TOPSECRET@h:0/m", &u,
	    err, sizeof(err)), -1);
	assert_null(strstr(err, "TOPSECRET"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(host_alone_takes_the_default_port_and_db_0),
		cmocka_unit_test(port_and_db_are_read),
		cmocka_unit_test(user_and_password_are_split_at_the_first_colon),
		cmocka_unit_test(password_alone_means_the_default_user),
		cmocka_unit_test(user_alone_takes_the_password_from_elsewhere),
		cmocka_unit_test(user_and_password_are_percent_decoded),
		cmocka_unit_test(
		    decoded_control_characters_and_user_spaces_are_refused),
		cmocka_unit_test(raw_at_or_slash_in_the_userinfo_is_refused),
		cmocka_unit_test(ipv6_goes_in_brackets),
		cmocka_unit_test(unix_sockets_in_both_forms),
		cmocka_unit_test(anything_else_is_refused_with_a_reason),
		cmocka_unit_test(reasons_never_quote_the_password),
		cmocka_unit_test(show_hides_the_password),
		cmocka_unit_test(sentinels_and_master_name_are_read),
		cmocka_unit_test(bad_sentinel_urls_are_refused_with_a_reason),
		cmocka_unit_test(cluster_seed_nodes_are_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
