/*
 * live.c: the live venue feeds.
 * XXX placeholder until the venue adapters land: no venue is recognised,
 * so `collector coinbase` is rejected as an unknown feed.
 */
#include <getopt.h>
#include <stddef.h>
#include <sysexits.h>

#include "collector.h"

const struct option live_longopts[] = { { NULL, 0, NULL, 0 } };
const char live_usage[] = "";

int
live_opt(int ch, const char *arg)
{
	(void)ch;
	(void)arg;
	return -1;
}

int
live_is_feed(const char *name)
{
	(void)name;
	return 0;
}

int
live_main(struct collector *c, char **feeds, int nfeeds, const char *symbols)
{
	(void)c;
	(void)feeds;
	(void)nfeeds;
	(void)symbols;
	return EX_SOFTWARE;
}
