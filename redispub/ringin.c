/*
 * ringin.c: redispub --ring, the lines read from a ring (see ringin.h).
 */
#include <err.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "jsonl.h"
#include "ringin.h"
#include "util.h"

#define MS	((int64_t)1000000)	/* ns */
#define LOOK_NS	(100 * MS)	/* how often an idle reader looks around */
#define FINISH_NS (200 * MS)	/* for the rest of a message at a stop */
#define GAP_MAX	128		/* a gap line's bytes, at most */

/*
 * emit: a whole message, encoded in place when the buffer has room for
 * the most it may take, else through big.  ringin_fill reads a record
 * only while the buffer holds less than one read of lines less a gap
 * line (which the same record may bring first), so a line of up to
 * 1 MiB always fits; a longer one is what standard input would count as
 * malformed: here it is skipped.
 */
static int
emit(void *arg, const struct tp_record *recs, size_t n)
{
	struct ringin *ri = arg;
	struct input *in = ri->in;
	char *dst = in->buf + in->len;
	size_t len;

	if (JSONL_BUFSIZE(n) > in->cap - in->len) {
		if (ri->big == NULL &&
		    (ri->big = malloc(JSONL_BUFSIZE(JSONL_MAX_RECS))) == NULL)
			err(EX_OSERR, "malloc");
		dst = ri->big;
	}
	len = jsonl_encode(recs, n, dst);
	if (len - 1 > JSONL_MAX_LINE || len > in->cap - in->len) {
		ri->rl.skipped++;
		warnx("ring %s: the message at seq %" PRIu64 " is %zu bytes, "
		    "longer than a line may be (1 MiB): skipped", ri->name,
		    recs[0].seq, len - 1);
		return 0;
	}
	if (dst != in->buf + in->len)
		memcpy(in->buf + in->len, dst, len);
	in->len += len;
	return 1;
}

/* emit_gap: the gap line (tickpipe-json(5)), as shmreader prints it. */
static void
emit_gap(void *arg, uint64_t from, uint64_t lost, int new_ring)
{
	struct ringin *ri = arg;
	struct jsonl_gap g = { from, lost, new_ring };

	ri->in->len += jsonl_encode_gap(&g, ri->in->buf + ri->in->len);
}

void
ringin_init(struct ringin *ri, struct input *in, const char *name,
    uint64_t from, int verbose)
{
	memset(ri, 0, sizeof(*ri));
	ri->name = name;
	ri->from = from;
	ri->in = in;
	ringlines_init(&ri->rl, emit, emit_gap, ri, verbose);
	/* before the ring is mapped: opening it reads it (tickpipe-ring(5));
	   recover: a truncated ring is followed or reported (ring_follow) */
	ring_sigbus_guard("redispub", name, 0);
}

void
ringin_free(struct ringin *ri)
{
	if (ri->ring != NULL)
		ring_close(ri->ring);
	ri->ring = NULL;
	free(ri->big);
	ri->big = NULL;
}

/* fail: the ring's error rc ends the input, with its exit status. */
static void
fail(struct ringin *ri, int rc, const char *why)
{
	warnx("%s", why);
	ri->exit_code = ring_exit(rc);
	ri->in->eof = 1;
}

/* open_ring: 1 once the ring is open and positioned at --from. */
static int
open_ring(struct ringin *ri, int64_t now)
{
	char errbuf[512];
	int rc;

	if (now < ri->next_look)
		return 0;
	rc = ring_reader_open(&ri->ring, ri->name, errbuf, sizeof(errbuf));
	if (rc == RING_ENOENT) {
		if (!ri->said)
			warnx("%s; waiting for the writer", errbuf);
		ri->said = 1;
		ri->next_look = now + LOOK_NS;
		return 0;
	}
	if (rc != RING_OK) {
		fail(ri, rc, errbuf);
		return 0;
	}
	ring_seek_from(ri->ring, ri->from);
	ri->next_look = now + LOOK_NS;
	return 1;
}

void
ringin_fill(struct ringin *ri, int stopping, int64_t now)
{
	struct input *in = ri->in;
	size_t len0 = in->len;

	if (in->eof || (ri->ring == NULL && !open_ring(ri, now)))
		return;
	if (stopping) {
		if (ri->stop_by == 0)
			ri->stop_by = now + FINISH_NS;
		if (!ringlines_pending(&ri->rl) || now >= ri->stop_by) {
			ringlines_cut(&ri->rl, "no LAST when redispub stopped",
			    1);
			in->eof = 1;
			return;
		}
	}
	while (in->len < INPUT_READ_SIZE - GAP_MAX &&
	    (!stopping || ringlines_pending(&ri->rl)) &&
	    ringlines_read(&ri->rl, ri->ring) >= 0)
		;
	if (in->len > len0)
		in->rd_ns = now_ns();
}

int
ringin_can_wait(const struct ringin *ri)
{
	return ri->ring != NULL && !ri->in->eof;
}

void
ringin_wait(struct ringin *ri, int timeout_ms)
{
	char errbuf[512];
	int64_t now;
	int rc;

	if (ring_wait(ri->ring, 0, timeout_ms))
		return;
	now = mono_ns();
	if (now < ri->next_look)
		return;
	ri->next_look = now + LOOK_NS;
	rc = ringlines_follow(&ri->rl, &ri->ring, ri->name, errbuf,
	    sizeof(errbuf));
	if (rc < 0)
		fail(ri, rc, errbuf);
}

int64_t
ringin_next_timer(const struct ringin *ri)
{
	if (ri->in->eof)
		return INT64_MAX;
	if (ri->ring == NULL)
		return ri->next_look;
	return ri->stop_by != 0 ? ri->stop_by : INT64_MAX;
}
