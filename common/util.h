/*
 * util.h: small things every tickpipe program needs: checked number
 * parsing for options, clocks, the s6-style readiness notification, and
 * line reading with a length cap.  Nothing here exits or prints; errors
 * are returned.
 */
#ifndef TP_UTIL_H
#define TP_UTIL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * parse_u64 / parse_i64: parse the whole of s as a decimal integer in
 * [min, max]: digits, after a '-' for parse_i64; no blanks, no '+'.
 * Return 0 and fill *out, or -1 with errno EINVAL (not a number, junk
 * before or after) or ERANGE (outside [min, max]).
 */
int	parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int	parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

/*
 * parse_double_opt: for options only (rates, speeds), never data.
 * Parses the whole of s as a finite decimal number in [min, max]:
 * [-]digits[.digits][e[+-]digits] (".5" too); no blanks, no '+', no
 * "inf", "nan" or hexadecimal.  Returns 0, or -1 with errno EINVAL or
 * ERANGE.
 */
int	parse_double_opt(const char *s, double min, double max, double *out);

/* Wall clock and monotonic clock, in ns. */
int64_t	now_ns(void);
int64_t	mono_ns(void);

/*
 * notify_ready: writes "\n" to fd and closes it (s6 readiness protocol).
 * fd < 0 does nothing.  Returns 0 or -1 (errno).
 */
int	notify_ready(int fd);

/*
 * help_flush: standard output flushed after a program's -h usage.
 * Returns 0, also when the reader of a pipe is gone (EPIPE, with SIGPIPE
 * ignored: nobody wanted it), or -1 (errno) when the usage could not be
 * written (a full disk): the program then says so and exits 74, never 0
 * for a usage nobody got.
 */
int	help_flush(void);

/*
 * parse_fd_opt: parses the argument of -d: a file descriptor number that
 * must be open.  Returns the fd, or -1 (errno EINVAL or EBADF).
 */
int	parse_fd_opt(const char *s);

/*
 * read_line: reads one line from f into *buf (grown with realloc up to
 * max bytes, *cap tracks its size), without the newline, NUL terminated.
 * Returns the line length; -1 at end of input; -2 on a read error
 * (errno); -3 if the line is longer than max bytes, in which case the
 * rest of that line is consumed and discarded, and *buf holds its first
 * bytes.
 *
 * held carries a line across a read interrupted by a signal: with held
 * NULL such a read is retried; else it returns -2 with errno EINTR, the
 * error flag of f cleared, the part read kept in *buf and *held saying
 * how much (max + 1: a line already too long), and the next call with the
 * same buf, cap and held reads on from there.  *held is 0 after any other
 * return, and must be 0 (or held NULL) to begin a line.
 */
long	read_line(FILE *f, char **buf, size_t *cap, size_t max,
	    size_t *held);

/*
 * utf8_valid: returns 1 if s[0..len) is well-formed UTF-8 (no overlongs,
 * no surrogates, nothing above U+10FFFF), else 0.
 */
int	utf8_valid(const char *s, size_t len);

/*
 * list_each: walks a comma-separated list, calling each(item, arg, why,
 * whylen) on every item (NUL terminated, in a buffer of its own); an
 * empty item (",a", "a,,b", "a,", ""), one of max - 1 characters or
 * more, or one given twice is refused: "want a comma-separated list of
 * WHAT", "ITEM: given twice".  0, or -1 with the reason in why (each's
 * own, if it returned nonzero).  max is at most 128.
 */
int	list_each(const char *list, size_t max, const char *what,
	    int (*each)(const char *, void *, char *, size_t), void *arg,
	    char *why, size_t whylen);

/*
 * utf8_cut: the length, at most n, of s[0..n) without a last character
 * that n cuts in the middle (a text cut at a byte limit, so that it stays
 * UTF-8: one cut mid-character made the whole text print as "?").
 */
size_t	utf8_cut(const char *s, size_t n);

/*
 * text_excerpt: the first max bytes of p[0..n) as printable ASCII in out
 * (max * 4 + 4 bytes): other bytes as \xHH, "..." if cut.  For text
 * from outside (a venue's message, an HTTP head) in a log line.
 */
void	text_excerpt(const char *p, size_t n, size_t max, char *out);

/*
 * open_regular: opens path read-only (close-on-exec, never as a
 * controlling terminal) if it is a regular file; a FIFO, a socket, a
 * device or a directory is refused, "PATH: not a regular file" in err.
 * The open is made with O_NONBLOCK, cleared once the file is known to be
 * regular, so that a FIFO never makes it wait for a writer: one named
 * like a history file hung `recorder cat` for ever.  Returns the
 * descriptor, or -1 with err and errno (the open's, or EINVAL for what
 * is not a regular file).
 */
int	open_regular(const char *path, char *err, size_t errlen);

/*
 * std_fds_hold: standard descriptors the caller closed (2>&-, some cron
 * setups) are held open on /dev/null, read-only where they are written
 * and write-only where read, so that the program's own reads and writes
 * still fail as on a closed descriptor, and nothing it opens (a ring's
 * object, a socket, a history file) takes their numbers: a collector
 * run with 2>&- wrote its messages over its ring's header.  First thing
 * in main.  Exits 71 if /dev/null cannot be opened.
 */
void	std_fds_hold(void);

/*
 * sig_hold: blocks SIGTERM, SIGINT and SIGUSR1, first thing in main;
 * sig_release unblocks them once the program's handlers are in place,
 * whatever mask it was started with.  One sent in between is held
 * pending and then taken by the handler: before, it took its default
 * action (SIGUSR1, the counters signal, killed a program just started,
 * shmreader(1) SIGNALS), and one blocked by whoever started the program
 * was never taken.
 */
void	sig_hold(void);
void	sig_release(void);

#endif
