/* glob.h: Redis's glob-style matching (glob.c). */
#ifndef WSGATE_GLOB_H
#define WSGATE_GLOB_H

#include <stddef.h>

int	glob_match(const char *pat, size_t plen, const char *s, size_t slen);

#endif
