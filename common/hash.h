/*
 * hash.h: FNV-1a, the one hash of tickpipe's tables (redispub's channel
 * index, wsgate's subscription table) and of the record layout hash
 * (tickpipe-ring(5), "Layout hash").  Small, fast on short keys such as
 * channel names, and good enough for tables whose keys come from the
 * programs' own data; it is not meant to resist chosen keys.
 *
 * Both widths continue a hash: start from FNV1A32_INIT (FNV1A64_INIT)
 * and feed the bytes in as many calls as convenient; the result is the
 * same as for one call over the concatenation.
 */
#ifndef TP_HASH_H
#define TP_HASH_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A32_INIT	2166136261u
#define FNV1A32_PRIME	16777619u
#define FNV1A64_INIT	0xcbf29ce484222325ULL
#define FNV1A64_PRIME	0x100000001b3ULL

/* fnv1a32: h (FNV1A32_INIT to start) carried over p[0..n). */
static inline uint32_t
fnv1a32(uint32_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n-- > 0)
		h = (h ^ *s++) * FNV1A32_PRIME;
	return h;
}

/* fnv1a64: h (FNV1A64_INIT to start) carried over p[0..n). */
static inline uint64_t
fnv1a64(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n-- > 0)
		h = (h ^ *s++) * FNV1A64_PRIME;
	return h;
}

#endif
