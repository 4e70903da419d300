/*
 * input.h: redispub's standard input, cut into lines.  Reads go into
 * one buffer of 1 MiB (the longest line, tickpipe-json(5)) plus one read;
 * the lines are handed out in place, and the buffer is compacted once
 * after a run of them.  A line longer than 1 MiB is reported once and
 * its bytes are skipped up to its end.  The caller stops taking lines
 * when it has no room for them, and stops reading when lines are left:
 * so a full outbox stops the reading of standard input, and the
 * back-pressure reaches the writer of the pipe (redispub(1)).
 */
#ifndef TP_INPUT_H
#define TP_INPUT_H

#include <stddef.h>
#include <stdint.h>

#define INPUT_READ_SIZE	65536	/* the most one read adds */

struct input {
	int	fd;
	char	*buf;
	size_t	off, len, cap;	/* buf[off..len) not yet taken */
	int	eof;		/* no more to read (end or error) */
	int	rderr;		/* the errno of a read error, or 0 */
	int	fl;		/* fd's status flags before, or -1 */
	int	skipping;	/* inside a line too long, counted already */
	int64_t	rd_ns;		/* wall clock of the last read with data */
};

/* what input_line found */
enum input_got {
	INPUT_NONE,		/* no complete line */
	INPUT_LINE,
	INPUT_TOO_LONG		/* a line longer than 1 MiB: skipped */
};

/*
 * input_init: lines from fd, which is made non-blocking (a failure is
 * logged, and harmless but for a stall).  Exits 71 if out of memory.
 */
void	input_init(struct input *in, int fd);

/*
 * input_free: frees what input_init took and gives fd its status flags
 * back (the fd stays open): a pipe or terminal shared with the processes
 * after redispub is not left non-blocking for them.
 */
void	input_free(struct input *in);

/*
 * input_read: one read(2) into the buffer, when the poll said so.  At
 * end of input, or on a read error (logged, its errno in rderr: the exit
 * status is then 71, not 0), sets eof, and lets go of the part read of a
 * line too long being skipped: it was counted already, and is no line
 * left to take (redispub(1) STATISTICS).  A read that got
 * data sets rd_ns, the read time of the lines it completed (the per-hop
 * latency, redispub(1) STATISTICS).
 */
void	input_read(struct input *in);

/*
 * input_line: the next complete line, without its newline, in
 * *line and *len; at end of input the unterminated last line counts.  The
 * line stays valid until input_compact.  Returns INPUT_NONE when no line
 * is complete, INPUT_TOO_LONG for a line over the limit (skipped).
 */
enum input_got	input_line(struct input *in, const char **line,
		    size_t *len);

/*
 * input_compact: drops the lines taken, keeping the rest.  Returns
 * INPUT_TOO_LONG if what is left is already longer than a line may be:
 * that line is counted then (once), and skipped to its end; else
 * INPUT_NONE.
 */
enum input_got	input_compact(struct input *in);

/*
 * input_pending: a complete line (or the unterminated last) waits to be
 * taken.
 */
int	input_pending(const struct input *in);

/*
 * input_drop_pending: takes every line that input_pending would see,
 * without looking at them (at exit, when they can no longer be sent);
 * returns how many.  The end of a line too long being skipped is taken
 * too, but not counted: the line was counted when its skipping began,
 * and each line read counts once (redispub(1) STATISTICS).
 */
uint64_t	input_drop_pending(struct input *in);

#endif
