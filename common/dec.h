/*
 * dec.h: exact decimals.  A value is a signed 64-bit mantissa m and a
 * decimal exponent e, meaning m * 10^e.  Parsed from the text a venue sent
 * and printed back as the same text: the exponent keeps trailing zeros, so
 * "0.00001230" is (1230, -8) and prints as "0.00001230".  Exponent forms
 * ("1.5e-7") are accepted and print in plain form ("0.00000015").
 * Nothing here uses floating point.
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
 * them untouched.  A mantissa that does not fit in int64 is DEC_ERANGE,
 * never rounded.  A positive exponent is folded into the mantissa ("1e3"
 * is (1000, 0)), so *e <= 0 and dec_format's text parses back to the
 * same (m, e).
 */
int	dec_parse(const char *s, size_t len, int64_t *m, int8_t *e);

/*
 * dec_format: writes m * 10^e as plain decimal text into buf (size len,
 * at least DEC_STRMAX is always enough), NUL terminated.  Returns the
 * length written, or -1 if buf is too small or e is out of range.
 */
int	dec_format(int64_t m, int e, char *buf, size_t len);

/*
 * dec_cmp: compares two decimals by value (1.50 == 1.5).  Returns <0, 0,
 * >0.  Exact for every pair dec_parse can produce.
 */
int	dec_cmp(int64_t m1, int e1, int64_t m2, int e2);

#endif
