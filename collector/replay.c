/*
 * replay.c: `collector replay FILE`: replays a raw capture made by
 * `shmreader --format raw` (capture.h) into the ring, at the recorded
 * pace (by receive time), --speed times faster, or as fast as possible.
 * Records keep their recorded timestamps; the ring assigns new sequences.
 */
#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "capture.h"
#include "feeds.h"
#include "util.h"

int
replay_main(struct collector *c, const struct feed_opts *o, const char *file)
{
	static struct tp_record recs[JSONL_MAX_RECS];
	struct cap_header h, want;
	struct tp_record r;
	size_t n = 0;
	uint64_t nrec = 0, partial = 0;
	int64_t first_recv = 0, start = 0;
	FILE *f;
	int rv = 0;

	if ((f = fopen(file, "rb")) == NULL) {
		warn("%s", file);
		return EX_NOINPUT;
	}
	cap_header_init(&want);
	if (fread(&h, sizeof(h), 1, f) != 1 ||
	    memcmp(h.magic, want.magic, 8) != 0) {
		warnx("%s: not a tickpipe capture (bad magic)", file);
		fclose(f);
		return EX_DATAERR;
	}
	if (h.record_size != REC_SIZE || h.layout_hash != want.layout_hash) {
		warnx("%s: capture record layout differs: record size %" PRIu32
		    " (expected %d), layout hash 0x%016" PRIx64 " (expected "
		    "0x%016" PRIx64 ")", file, h.record_size, REC_SIZE,
		    h.layout_hash, want.layout_hash);
		fclose(f);
		return EX_DATAERR;
	}
	notify_ready(c->ready_fd);
	c->ready_fd = -1;
	while (!collector_poll_signals(c) && fread(&r, sizeof(r), 1, f) == 1) {
		nrec++;
		if (r.type == REC_NONE) {
			warnx("%s: record %" PRIu64 ": the capture lost %"
			    PRIu64 " records from seq %" PRIu64, file, nrec,
			    r.aux, r.vseq);
			continue;
		}
		if (r.type == REC_BOOK && !(r.flags & REC_F_START) && n == 0) {
			partial++;
			continue;	/* tail of a message cut by a gap */
		}
		if (r.type == REC_BOOK && (r.flags & REC_F_START) && n > 0) {
			partial++;	/* previous message never ended */
			n = 0;
		}
		if (n == JSONL_MAX_RECS) {
			partial++;
			n = 0;
			continue;
		}
		recs[n++] = r;
		if (r.type == REC_BOOK && !(r.flags & REC_F_LAST))
			continue;
		if (o->speed > 0) {
			if (first_recv == 0) {
				first_recv = recs[0].recv;
				start = mono_ns();
			} else if (recs[0].recv > first_recv)
				sleep_until(start + (int64_t)((double)(recs[0].recv -
				    first_recv) / o->speed));
		}
		collector_emit(c, recs, n);
		n = 0;
		if ((c->msgs & 1023) == 0)
			ring_heartbeat(c->ring);
	}
	if (ferror(f)) {
		warn("%s: read", file);
		rv = EX_IOERR;
	} else if (!collector_stop && !feof(f)) {
		rv = EX_IOERR;
	} else if (!collector_stop) {
		long pos = ftell(f);

		if (pos >= 0 && (pos - (long)sizeof(h)) % REC_SIZE != 0)
			warnx("%s: ends with a partial record", file);
	}
	if (partial > 0)
		warnx("%s: %" PRIu64 " incomplete book messages skipped", file,
		    partial);
	fclose(f);
	return rv;
}
