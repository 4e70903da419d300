/*
 * util.c: option numbers, clocks, readiness and bounded line reading;
 * see util.h.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

int
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (s == NULL || *s < '0' || *s > '9') {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end != '\0') {
		errno = EINVAL;
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

int
parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	long long v;
	char *end;

	/* strtoll also takes blanks and a '+' before the number */
	if (s == NULL || !(isdigit((unsigned char)*s) || (*s == '-' &&
	    isdigit((unsigned char)s[1])))) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end != '\0') {
		errno = EINVAL;
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

int
parse_double_opt(const char *s, double min, double max, double *out)
{
	double v;
	char *end;

	/*
	 * strtod also takes blanks before the number, a '+', "inf", "nan"
	 * and hexadecimal: only [-]digits[.digits][e[+-]digits] here.
	 */
	if (s == NULL || !(isdigit((unsigned char)*s) || *s == '.' ||
	    *s == '-') || s[strspn(s, "0123456789.eE+-")] != '\0') {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || !isfinite(v)) {
		errno = EINVAL;
		return -1;
	}
	if (v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int
notify_ready(int fd)
{
	ssize_t n;

	if (fd < 0)
		return 0;
	do
		n = write(fd, "\n", 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	return n == 1 ? 0 : -1;
}

int
help_flush(void)
{
	if (fflush(stdout) != EOF && !ferror(stdout))
		return 0;
	return errno == EPIPE ? 0 : -1;
}

int
parse_fd_opt(const char *s)
{
	uint64_t v;

	if (parse_u64(s, 0, INT_MAX, &v) < 0) {
		errno = EINVAL;
		return -1;
	}
	if (fcntl((int)v, F_GETFD) < 0) {
		errno = EBADF;
		return -1;
	}
	return (int)v;
}

long
read_line(FILE *f, char **buf, size_t *cap, size_t max, size_t *held)
{
	size_t n = held != NULL ? *held : 0;
	int c, over = 0;

	if (n > max) {
		over = 1;
		n = max;
	}
	if (held != NULL)
		*held = 0;
	if (*buf == NULL || *cap == 0) {
		*cap = 4096;
		if ((*buf = malloc(*cap)) == NULL)
			return -2;
	}
again:
	while ((c = getc_unlocked(f)) != EOF) {
		if (c == '\n')
			break;
		if (over)
			continue;
		if (n >= max) {
			over = 1;
			continue;
		}
		if (n + 1 >= *cap) {
			size_t ncap = *cap * 2;
			char *nb;

			if (ncap > max + 1)
				ncap = max + 1;
			if ((nb = realloc(*buf, ncap)) == NULL)
				return -2;
			*buf = nb;
			*cap = ncap;
		}
		(*buf)[n++] = (char)c;
	}
	(*buf)[n] = '\0';
	if (c == EOF) {
		if (ferror(f) && errno == EINTR) {
			/* what stdio handed out is ours alone to keep */
			clearerr(f);
			if (held == NULL)
				goto again;
			*held = over ? max + 1 : n;
			errno = EINTR;
			return -2;
		}
		if (ferror(f))
			return -2;
		if (n == 0 && !over)
			return -1;
	}
	return over ? -3 : (long)n;
}

int
utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		unsigned c = *p;
		size_t n;
		uint32_t cp;

		if (c < 0x80) {
			p++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else
			return 0;
		if ((size_t)(end - p) <= n)
			return 0;
		for (size_t i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += n + 1;
	}
	return 1;
}

int
open_regular(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd, fl;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) < 0) {
		int e = errno;

		/* a socket's ENXIO says nothing of what it is */
		if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
			goto notreg;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	if (fstat(fd, &st) < 0 || (fl = fcntl(fd, F_GETFL)) < 0 ||
	    (S_ISREG(st.st_mode) && fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)) {
		int e = errno;

		close(fd);
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	if (S_ISREG(st.st_mode))
		return fd;
	close(fd);
notreg:
	snprintf(err, errlen, "%s: not a regular file", path);
	errno = EINVAL;
	return -1;
}

void
std_fds_hold(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		int n;

		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		/* the lowest free number: fd itself */
		n = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
		if (n != fd)
			_exit(71);	/* no /dev/null: nowhere to say so */
	}
}

static void
sig_mask(int how)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	sigprocmask(how, &set, NULL);
}

void
sig_hold(void)
{
	sig_mask(SIG_BLOCK);
}

void
sig_release(void)
{
	sig_mask(SIG_UNBLOCK);
}

int
list_each(const char *list, size_t max, const char *what,
    int (*each)(const char *, void *, char *, size_t), void *arg, char *why,
    size_t whylen)
{
	char item[128];
	size_t n;

	if (max > sizeof(item))
		max = sizeof(item);
	for (const char *p = list;; p += n + 1) {
		n = strcspn(p, ",");
		if (n == 0 || n >= max) {
			snprintf(why, whylen, "want a comma-separated list of "
			    "%s", what);
			return -1;
		}
		memcpy(item, p, n);
		item[n] = '\0';
		for (const char *q = list; q < p; q += strcspn(q, ",") + 1)
			if (strncmp(q, p, n) == 0 && q[n] == ',') {
				snprintf(why, whylen, "%s: given twice", item);
				return -1;
			}
		if (each != NULL && each(item, arg, why, whylen) != 0)
			return -1;
		if (p[n] == '\0')
			return 0;
	}
}

size_t
utf8_cut(const char *s, size_t n)
{
	size_t j = n, len;
	unsigned char c;

	/* back over up to 3 continuation bytes to the lead byte */
	while (j > 0 && n - j < 3 && ((unsigned char)s[j - 1] & 0xc0) == 0x80)
		j--;
	if (j == 0)
		return n;
	c = (unsigned char)s[j - 1];
	if (c < 0x80)
		return n;
	len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	return j - 1 + len > n ? j - 1 : n;
}

void
text_excerpt(const char *p, size_t n, size_t max, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n && i < max; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c >= 0x20 && c < 0x7f)
			out[o++] = (char)c;
		else
			o += (size_t)sprintf(out + o, "\\x%02x", c);
	}
	strcpy(out + o, n > max ? "..." : "");
}
