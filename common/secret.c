/*
 * secret.c: a password or token from the first line of a file; see
 * secret.h.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "secret.h"
#include "util.h"

/* token: trims buf in place to its token; 0, or -1 with msg. */
static int
token(char *buf, const char *path, const char *what, char *msg,
    size_t msglen)
{
	char *s = buf, *e;

	while (*s == ' ' || *s == '\t')
		s++;
	for (e = s + strlen(s); e > s && isspace((unsigned char)e[-1]); e--)
		;
	*e = '\0';
	for (char *p = s; p < e; p++)
		if (*p < '!' || *p > '~') {
			snprintf(msg, msglen, "%s: %s must be printable ASCII "
			    "without spaces", path, what);
			return -1;
		}
	memmove(buf, s, (size_t)(e - s) + 1);
	return 0;
}

int
secret_read(const char *path, const char *what, size_t max, int flags,
    char **out, char *msg, size_t msglen)
{
	FILE *f;
	struct stat st;
	char *buf = NULL;
	size_t cap = 0;
	long n;
	int loose;

	*out = NULL;
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(msg, msglen, "%s: %s", path, strerror(errno));
		return -1;
	}
	loose = fstat(fileno(f), &st) == 0 && (st.st_mode & 077) != 0;
	n = read_line(f, &buf, &cap, max, NULL);
	if (n == -2)
		snprintf(msg, msglen, "%s: %s", path, strerror(errno));
	fclose(f);
	if (n == -2)
		goto err;
	if (n == -3) {
		snprintf(msg, msglen, "%s: first line too long", path);
		goto err;
	}
	if (n > 0 && (flags & SECRET_TOKEN) &&
	    token(buf, path, what, msg, msglen) < 0)
		goto err;
	if (n <= 0 || buf[0] == '\0') {
		snprintf(msg, msglen, "%s: no %s on the first line", path,
		    what);
		goto err;
	}
	*out = buf;
	if (loose) {
		snprintf(msg, msglen, "%s: readable by group or others", path);
		return 1;
	}
	return 0;
err:
	if (buf != NULL)
		memset(buf, 0, cap);
	free(buf);
	return -1;
}
