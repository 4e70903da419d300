/*
 * fuzz_conflate.c: libFuzzer target for wsgate's conflator
 * (wsgate/conflate.c), which parses the book messages, latest values and
 * trades of what anyone who may PUBLISH to Redis sends, and builds the
 * frames its clients get.  The input's first byte picks the channel kind
 * (book, trade, latest, other); the rest is lines, each an operation and
 * its text: "F line" a live line (cfl_feed), "H" the hub starts a key
 * read (cfl_hold, from CFL_WAIT only, as the hub does), "K line" a line
 * of the keys (cfl_replay, while reading), "V" the read's end
 * (cfl_live), "R" the source lost (cfl_reset), "T" the next tick (the
 * event loop until it comes, at most 3 an input: a tick waits 1 ms).
 * Every frame the conflator emits must be one JSON object, as every
 * client is promised (tickpipe(7)), by the project's scanner
 * (common/json.c: jansson refuses numbers RFC 8259 allows, such as
 * integers past 64 bits).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "conflate.h"
#include "json.h"
#include "lines.h"

static const char *const chans[] = {
	"md.sim.X-Y.book", "md.sim.X-Y.trade", "md.sim.X-Y.quote",
	"md.sim.X-Y.other",
};

static struct event_base *base;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if ((base = event_base_new()) == NULL)
		abort();
	return 0;
}

static void
emit(void *arg, struct cfl *c, struct frame *f, enum cfl_how how)
{
	struct jv top;

	(void)arg;
	(void)c;
	if (f == NULL || how == CFL_INVALID)
		return;
	if (f->len < f->hlen)
		abort();
	if (jt_parse((const char *)f->data + f->hlen, f->len - f->hlen,
	    &top) != 0 || jt_type(top) != JT_OBJ)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wsgate_stats st;
	struct cfl *c;
	const char *chan;
	char *buf;
	int ticks = 0;
	size_t i;

	if (size < 1)
		return 0;
	chan = chans[data[0] % 4];
	memset(&st, 0, sizeof(st));
	if ((c = cfl_new(base, &st, chan, strlen(chan), CFL_HZ_MAX, emit,
	    NULL)) == NULL)
		return 0;
	if ((buf = malloc(size)) == NULL)
		abort();
	for (i = 1; i < size;) {
		size_t len, tl;
		const char *t;

		i = fuzz_line(data, size, i, buf, &len);
		if (len == 0)
			continue;
		t = len > 1 ? buf + 2 : buf + len;
		tl = len > 1 ? len - 2 : 0;
		switch (buf[0]) {
		case 'F':
			cfl_feed(c, t, tl);
			break;
		case 'H':
			if (cfl_state(c) == CFL_WAIT)
				cfl_hold(c);
			break;
		case 'K':
			if (cfl_state(c) == CFL_READING)
				cfl_replay(c, t, tl);
			break;
		case 'V':
			if (cfl_state(c) == CFL_READING)
				cfl_live(c);
			break;
		case 'R':
			cfl_reset(c);
			break;
		case 'T':
			if (ticks++ < 3) {
				cfl_poke(c);
				event_base_loop(base, EVLOOP_ONCE);
			}
			break;
		}
		/* what is due now */
		event_base_loop(base, EVLOOP_NONBLOCK);
	}
	free(buf);
	cfl_close(c);		/* drops cfl_new's reference */
	event_base_loop(base, EVLOOP_NONBLOCK);
	return 0;
}
