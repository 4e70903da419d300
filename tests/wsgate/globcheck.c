/*
 * globcheck.c: wsgate's glob matcher (wsgate/glob.c) for its tests.
 * usage: wsgate-glob PATTERN [STRING ...]: prints each STRING that
 * PATTERN matches, one a line, in the order given.
 */
#include <stdio.h>
#include <string.h>

#include "wsgate.h"

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fputs("usage: wsgate-glob PATTERN [STRING ...]\n", stderr);
		return 64;
	}
	for (int i = 2; i < argc; i++)
		if (glob_match(argv[1], strlen(argv[1]), argv[i],
		    strlen(argv[i])))
			puts(argv[i]);
	return 0;
}
