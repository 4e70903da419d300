/*
 * glob.c: Redis's glob-style matching (the rules of PSUBSCRIBE, KEYS and
 * SCAN MATCH), so that wsgate can tell which known channels a client's
 * pattern covers.  Written to give the same answer as Redis 7 for every
 * pattern and string, quirks included:
 *
 *	*	any run of bytes, also none
 *	?	any one byte
 *	[...]	one byte of the set: single bytes, ranges a-z (the ends may
 *		come in either order), \x for x itself; [^...] inverts; a
 *		set with no closing ] ends with the pattern; [] matches
 *		nothing
 *	\x	x itself (a \ at the end of the pattern is a \)
 *
 * Bytes compare as the platform's char, as in Redis.  A '*' that cannot
 * match the rest anywhere stops every earlier '*' from trying further
 * (Redis does the same), so no pattern takes exponential time.
 */
#include <stddef.h>

#include "glob.h"

static int
match(const char *p, size_t pn, const char *s, size_t sn, int *give_up)
{
	while (pn > 0 && sn > 0) {
		switch (p[0]) {
		case '*':
			while (pn >= 2 && p[1] == '*') {
				p++;
				pn--;
			}
			if (pn == 1)
				return 1;
			while (sn > 0) {
				if (match(p + 1, pn - 1, s, sn, give_up))
					return 1;
				if (*give_up)
					return 0;
				s++;
				sn--;
			}
			*give_up = 1;
			return 0;
		case '?':
			s++;
			sn--;
			break;
		case '[': {
			int not, hit = 0;

			p++;
			pn--;
			not = pn > 0 && p[0] == '^';
			if (not) {
				p++;
				pn--;
			}
			for (;;) {
				if (pn == 0) {
					/* unterminated: the set ends here */
					p--;
					pn++;
					break;
				} else if (p[0] == '\\' && pn >= 2) {
					p++;
					pn--;
					if (p[0] == s[0])
						hit = 1;
				} else if (p[0] == ']') {
					break;
				} else if (pn >= 3 && p[1] == '-') {
					int lo = p[0], hi = p[2], c = s[0];

					if (lo > hi) {
						int t = lo;

						lo = hi;
						hi = t;
					}
					p += 2;
					pn -= 2;
					if (c >= lo && c <= hi)
						hit = 1;
				} else if (p[0] == s[0]) {
					hit = 1;
				}
				p++;
				pn--;
			}
			if (not)
				hit = !hit;
			if (!hit)
				return 0;
			s++;
			sn--;
			break;
		}
		case '\\':
			if (pn >= 2) {
				p++;
				pn--;
			}
			/* FALLTHROUGH */
		default:
			if (p[0] != s[0])
				return 0;
			s++;
			sn--;
			break;
		}
		p++;
		pn--;
		if (sn == 0) {
			while (pn > 0 && p[0] == '*') {
				p++;
				pn--;
			}
			break;
		}
	}
	return pn == 0 && sn == 0;
}

/* glob_match: 1 if the pattern p (pn bytes) matches s (sn bytes). */
int
glob_match(const char *p, size_t pn, const char *s, size_t sn)
{
	int give_up = 0;

	return match(p, pn, s, sn, &give_up);
}
