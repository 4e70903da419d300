/*
 * dec.h: exact decimals.  A value is a signed 64-bit mantissa m and a
 * decimal exponent e, meaning m * 10^e.  Parsed from the text a venue sent
 * and printed back as the same text: the exponent keeps trailing zeros, so
 * "0.00001230" is (1230, -8) and prints as "0.00001230".  Exponent forms
 * ("1.5e-7") are accepted and print in plain form ("0.00000015"), and so
 * do values too large for the mantissa alone ("1e19" is (10^18, 1) and
 * prints as "10000000000000000000").  Nothing here uses floating point.
 */
#ifndef TP_DEC_H
#define TP_DEC_H

#include <stddef.h>
#include <stdint.h>

#define DEC_EXP_MIN	(-60)
#define DEC_EXP_MAX	60
#define DEC_STRMAX	88	/* longest dec_format output, with NUL */

enum dec_err {
	DEC_OK = 0,
	DEC_ESYNTAX = -1,	/* not a decimal number */
	DEC_ERANGE = -2,	/* mantissa or exponent out of range */
};

/*
 * dec_parse: parses s[0..len) as [-+]?digits[.digits][(e|E)[-+]?digits].
 * At least one digit before the point is required; no white space.
 * Returns DEC_OK and fills *m, *e, or DEC_ESYNTAX / DEC_ERANGE, leaving
 * them untouched.  The digits must fit in int64, except for zeros ending
 * the integer part when there is no point, which count as exponent;
 * nothing is ever rounded.  A positive exponent is folded into the
 * mantissa as far as it fits ("1e3" is (1000, 0), "1e19" is (10^18, 1)),
 * so *e > 0 only when m * 10 would overflow.  The resulting exponent must
 * be in [DEC_EXP_MIN, DEC_EXP_MAX].  dec_format's text parses back to the
 * same (m, e).
 */
int	dec_parse(const char *s, size_t len, int64_t *m, int8_t *e);

/*
 * dec_format: writes m * 10^e as plain decimal text into buf (size len,
 * at least DEC_STRMAX is always enough), NUL terminated: no exponent, e
 * zeros after the digits when e > 0 ("0" when m is 0).  Returns the
 * length written, or -1 if buf is too small or e is out of range.
 */
int	dec_format(int64_t m, int e, char *buf, size_t len);

/*
 * dec_cmp: compares two decimals by value (1.50 == 1.5).  Returns <0, 0,
 * >0.  Exact for every pair dec_parse can produce.
 */
int	dec_cmp(int64_t m1, int e1, int64_t m2, int e2);

#endif
