/*
 * dec.c: exact decimal parsing, printing and comparison; see dec.h.
 */
#include <stdint.h>
#include <string.h>

#include "dec.h"

/*
 * A mantissa below this takes any digit without passing INT64_MAX
 * (10 * (DEC_SAFE - 1) + 9 < INT64_MAX), and while it is below, no
 * integer digit has been sent to the exponent (zeros is 0).
 */
#define DEC_SAFE	(INT64_MAX / 10)

/*
 * The common case, digits with at most one point inside them and at
 * most 18 digits in all, which can overflow nothing: into *m and *e as
 * the general parse gives them.  Returns -1 for anything else.
 */
static int
dec_plain(const char *s, size_t len, int64_t *m, int8_t *e)
{
	uint64_t v = 0;
	size_t dot = 0;

	if (len == 0 || len > 19)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (d < 10)
			v = v * 10 + d;
		else if (s[i] == '.' && dot == 0 && i > 0 && i + 1 < len)
			dot = i;
		else
			return -1;
	}
	if (dot == 0 && len > 18)
		return -1;
	*m = (int64_t)v;
	*e = (int8_t)(dot != 0 ? -(int)(len - dot - 1) : 0);
	return 0;
}

int
dec_parse(const char *s, size_t len, int64_t *m, int8_t *e)
{
	const char *p = s, *end = s + len;
	uint64_t mant = 0, lim;
	int neg = 0, exp = 0, zeros = 0;
	long xexp = 0;

	if (dec_plain(s, len, m, e) == 0)
		return DEC_OK;
	if (p < end && (*p == '-' || *p == '+'))
		neg = (*p++ == '-');
	if (p >= end || *p < '0' || *p > '9')
		return DEC_ESYNTAX;
	/* magnitude limit: INT64_MAX, or INT64_MAX + 1 for negatives */
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');

		/*
		 * Integer digits past what the mantissa holds can only be
		 * zeros, and they go to the exponent: that is how
		 * dec_format prints a positive exponent ("1e19" is
		 * (10^18, 1) and prints as 1 and 19 zeros).
		 */
		/* below DEC_SAFE no digit can overflow: one compare */
		if (mant >= DEC_SAFE && (zeros > 0 || mant > (lim - d) / 10)) {
			if (d != 0)
				return DEC_ERANGE;
			if (++zeros > DEC_EXP_MAX)
				return DEC_ERANGE;
			continue;
		}
		mant = mant * 10 + d;
	}
	if (p < end && *p == '.') {
		p++;
		if (p >= end || *p < '0' || *p > '9')
			return DEC_ESYNTAX;
		for (; p < end && *p >= '0' && *p <= '9'; p++) {
			unsigned d = (unsigned)(*p - '0');
			/* a digit after the point needs every zero before it */
			if (mant >= DEC_SAFE && (zeros > 0 ||
			    mant > (lim - d) / 10))
				return DEC_ERANGE;
			mant = mant * 10 + d;
			exp--;
		}
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		int xneg = 0;
		p++;
		if (p < end && (*p == '-' || *p == '+'))
			xneg = (*p++ == '-');
		if (p >= end || *p < '0' || *p > '9')
			return DEC_ESYNTAX;
		for (; p < end && *p >= '0' && *p <= '9'; p++) {
			xexp = xexp * 10 + (*p - '0');
			if (xexp > 1000)
				return DEC_ERANGE;
		}
		exp += xneg ? -(int)xexp : (int)xexp;
	}
	if (p != end)
		return DEC_ESYNTAX;
	exp += zeros;
	/*
	 * Fold a positive exponent into the mantissa as far as it fits, so
	 * that "1e3" is (1000, 0) like "1000"; what does not fit stays in
	 * the exponent.  The result is the one representation of its value
	 * with that exponent or less, and dec_format prints it as text
	 * that parses back to it.
	 */
	for (; exp > 0 && mant <= lim / 10; exp--)
		mant *= 10;
	if (exp < DEC_EXP_MIN || exp > DEC_EXP_MAX)
		return DEC_ERANGE;
	*m = neg ? (int64_t)(0 - mant) : (int64_t)mant;
	*e = (int8_t)exp;
	return DEC_OK;
}

int
dec_format(int64_t m, int e, char *buf, size_t len)
{
	char dig[24];
	uint64_t u;
	int nd = 0, i, n = 0, need;

	if (e < DEC_EXP_MIN || e > DEC_EXP_MAX)
		return -1;
	if (m == 0 && e > 0)
		e = 0;
	u = m < 0 ? 0 - (uint64_t)m : (uint64_t)m;
	do {
		dig[nd++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	/* dig[] holds the digits, least significant first */
	if (e >= 0)
		need = (m < 0) + nd + e;
	else if (nd > -e)
		need = (m < 0) + nd + 1;
	else
		need = (m < 0) + 2 + -e;
	if ((size_t)need + 1 > len)
		return -1;
	if (m < 0)
		buf[n++] = '-';
	if (e >= 0) {
		for (i = nd - 1; i >= 0; i--)
			buf[n++] = dig[i];
		for (i = 0; i < e; i++)
			buf[n++] = '0';
	} else if (nd > -e) {
		for (i = nd - 1; i >= -e; i--)
			buf[n++] = dig[i];
		buf[n++] = '.';
		for (; i >= 0; i--)
			buf[n++] = dig[i];
	} else {
		buf[n++] = '0';
		buf[n++] = '.';
		for (i = 0; i < -e - nd; i++)
			buf[n++] = '0';
		for (i = nd - 1; i >= 0; i--)
			buf[n++] = dig[i];
	}
	buf[n] = '\0';
	return n;
}

/*
 * Compare |a| * 10^ea with |b| * 10^eb for nonnegative a, b without
 * overflow: scale the one with the larger exponent down instead of up.
 */
static int
ucmp(uint64_t a, int ea, uint64_t b, int eb)
{
	if (ea == eb)
		return a < b ? -1 : a > b;
	if (ea > eb) {
		/* compare a * 10^(ea-eb) with b */
		int d = ea - eb;
		while (d-- > 0) {
			if (a > UINT64_MAX / 10)
				return 1;
			a *= 10;
		}
		return a < b ? -1 : a > b;
	}
	return -ucmp(b, eb, a, ea);
}

int
dec_cmp(int64_t m1, int e1, int64_t m2, int e2)
{
	int s1 = (m1 > 0) - (m1 < 0), s2 = (m2 > 0) - (m2 < 0);

	if (s1 != s2)
		return s1 < s2 ? -1 : 1;
	if (s1 == 0)
		return 0;
	if (s1 > 0)
		return ucmp((uint64_t)m1, e1, (uint64_t)m2, e2);
	return ucmp(0 - (uint64_t)m2, e2, 0 - (uint64_t)m1, e1);
}
