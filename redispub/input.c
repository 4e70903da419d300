/*
 * input.c: standard input cut into lines, with the 1 MiB line limit of
 * tickpipe-json(5) (see input.h).
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "input.h"
#include "jsonl.h"
#include "util.h"

void
input_init(struct input *in, int fd)
{
	memset(in, 0, sizeof(*in));
	in->fd = fd;
	in->cap = JSONL_MAX_LINE + INPUT_READ_SIZE;
	if ((in->buf = malloc(in->cap)) == NULL)
		err(EX_OSERR, "malloc");
	in->fl = fd >= 0 ? fcntl(fd, F_GETFL) : -1;
	if (in->fl != -1 && fcntl(fd, F_SETFL, in->fl | O_NONBLOCK) < 0)
		warn("stdin: O_NONBLOCK");
}

void
input_free(struct input *in)
{
	if (in->fl != -1 && !(in->fl & O_NONBLOCK))
		fcntl(in->fd, F_SETFL, in->fl);
	in->fl = -1;
	free(in->buf);
	in->buf = NULL;
	in->len = in->off = in->cap = 0;
}

void
input_read(struct input *in)
{
	ssize_t n;
	size_t room = in->cap - in->len;

	if (room > INPUT_READ_SIZE)
		room = INPUT_READ_SIZE;
	n = read(in->fd, in->buf + in->len, room);
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return;
		warn("stdin");
		in->rderr = errno;
	}
	if (n <= 0) {
		/*
		 * The rest of a line too long, counted when its skipping
		 * began, is no line to take, nor to drop at exit.
		 */
		in->eof = 1;
		if (in->skipping) {
			in->skipping = 0;
			in->len = in->off = 0;
		}
		return;
	}
	in->len += (size_t)n;
	in->rd_ns = now_ns();
}

enum input_got
input_line(struct input *in, const char **line, size_t *len)
{
	for (;;) {
		const char *p = in->buf + in->off, *nl;
		size_t left = in->len - in->off;

		if (left == 0)
			return INPUT_NONE;
		if ((nl = memchr(p, '\n', left)) == NULL) {
			/* the unterminated last line */
			if (!in->eof || in->skipping)
				return INPUT_NONE;
			in->off = in->len;
			*line = p;
			*len = left;
			return left > JSONL_MAX_LINE ? INPUT_TOO_LONG :
			    INPUT_LINE;
		}
		in->off = (size_t)(nl + 1 - in->buf);
		if (in->skipping) {	/* the end of a line too long */
			in->skipping = 0;
			continue;
		}
		*line = p;
		*len = (size_t)(nl - p);
		return *len > JSONL_MAX_LINE ? INPUT_TOO_LONG : INPUT_LINE;
	}
}

enum input_got
input_compact(struct input *in)
{
	int first;

	if (in->off > 0) {
		in->len -= in->off;
		memmove(in->buf, in->buf + in->off, in->len);
		in->off = 0;
	}
	if (in->len <= JSONL_MAX_LINE || memchr(in->buf, '\n', in->len) != NULL)
		return INPUT_NONE;
	/* a line longer than the limit: count it, then skip to its end */
	first = !in->skipping;
	in->skipping = 1;
	in->len = 0;
	return first ? INPUT_TOO_LONG : INPUT_NONE;
}

int
input_pending(const struct input *in)
{
	return in->len > in->off && (in->eof ||
	    memchr(in->buf + in->off, '\n', in->len - in->off) != NULL);
}

uint64_t
input_drop_pending(struct input *in)
{
	uint64_t n = 0;

	if (in->skipping && input_pending(in)) {
		/* the end of a line too long, counted when skipping began */
		const char *nl = memchr(in->buf + in->off, '\n',
		    in->len - in->off);

		in->off = nl != NULL ? (size_t)(nl + 1 - in->buf) : in->len;
		in->skipping = 0;
	}
	while (input_pending(in)) {
		const char *p = in->buf + in->off;
		const char *nl = memchr(p, '\n', in->len - in->off);

		in->off = nl != NULL ? (size_t)(nl + 1 - in->buf) : in->len;
		n++;
	}
	return n;
}
