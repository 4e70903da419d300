/*
 * jscan.h: redispub's one-pass JSON line check.  It validates a whole
 * line against the JSON grammar (RFC 8259, strings as well-formed UTF-8,
 * no "\u0000", surrogate escapes paired) without building a tree, and
 * picks out the few top-level members redispub routes by: "type",
 * "venue", "symbol" (strings) and "seq", "recv" (unsigned integers).
 * It is about ten times cheaper than a jansson parse, which matters at
 * a million lines per second.
 */
#ifndef TP_JSCAN_H
#define TP_JSCAN_H

#include <stddef.h>
#include <stdint.h>

/*
 * A routed string member.  ptr points into the scanned line (the raw
 * bytes between the quotes); esc is 1 if they contain a backslash
 * escape, in which case ptr/len are not the decoded value.
 */
struct jscan_str {
	const char	*ptr;
	size_t		len;
	int		esc;
};

struct jscan_route {
	struct jscan_str type, venue, symbol;	/* ptr NULL: absent */
	uint64_t	seq, recv;
	int		has_seq, has_recv;	/* present as unsigned ints */
};

/*
 * jscan_line: checks that line[0..len) is exactly one JSON object
 * (surrounding white space allowed) and fills *r.  Returns 0, or -1 with
 * a reason (and the byte offset) in err.  Members "type", "venue" and
 * "symbol" must be strings when present, and may appear only once; "seq"
 * and "recv" are recorded when they are unsigned integers (anything else
 * there is valid JSON and is left alone).  Nesting is limited to 64.
 */
int	jscan_line(const char *line, size_t len, struct jscan_route *r,
	    char *err, size_t errlen);

#endif
