/*
 * ioxbench: tickpipe's ring beside iceoryx (Debian's iceoryx 2.0, its C
 * binding), measured by the same code in one run, and the cache-line
 * floor beside both; prints table rows for bench/part-iox.sh.
 *
 * Latency, as bench/ringbench.c measures it: a writer process stamps
 * CLOCK_MONOTONIC into a 256-byte sample, a reader in another process
 * (pinned to the other core) subtracts on receipt; closed loop (the
 * writer waits until the reader took the sample, then at most one every
 * PACE_NS), so one hiccup spoils one sample.  Spinning readers poll
 * (ring_read / iox_sub_take_chunk); blocking readers sleep (ring_wait's
 * futex / an iceoryx WaitSet on the subscriber's HAS_DATA state).  The
 * kinds are interleaved in ROUNDS rounds so they see the same conditions.
 *
 * Throughput: 256-byte samples as fast as they go, one reader, lossless.
 * Both writers hold back when half the reader's queue ahead of the reader
 * (a bench-only shared counter, as ringbench does: 32768 of the ring's
 * 65536 slots, 128 of iceoryx's 256-chunk subscriber queue, its maximum),
 * so neither waits inside its transport; iceoryx is also set lossless
 * (WAIT_FOR_CONSUMER / BLOCK_PRODUCER) and loans and publishes one chunk
 * per sample.  Readers check the sum of the sequence numbers they saw
 * and the transport's loss report.
 *
 * iceoryx needs its daemon, RouDi (iox-roudi), running: part-iox.sh
 * starts and stops it.  Each iceoryx process registers with RouDi, and on
 * a loaded machine registering and deregistering is where it can hang,
 * so iceoryx runs in two processes for the whole bench (a publisher and
 * a subscriber, each with a latency and a lossless throughput port),
 * told what to run through shared memory; the ring's sides are forked
 * per run.  usage: ioxbench [-q]  (-q: fewer samples)
 */
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "iceoryx_binding_c/log.h"
#include "iceoryx_binding_c/runtime.h"
#include "iceoryx_binding_c/publisher.h"
#include "iceoryx_binding_c/subscriber.h"
#include "iceoryx_binding_c/wait_set.h"

#include "ring.h"
#include "util.h"

#define PACE_NS		20000
#define ROUNDS		10

enum kind { K_FLOOR, K_RING_SPIN, K_RING_BLOCK, K_IOX_SPIN, K_IOX_BLOCK,
	K_N, K_TPUT = K_N, K_EXIT };

static const char *kind_name[K_N] = {
	"cache-line ping-pong (floor)", "tickpipe ring, spinning reader",
	"tickpipe ring, blocking reader (futex)",
	"iceoryx, spinning subscriber (take_chunk poll)",
	"iceoryx, blocking subscriber (WaitSet)",
};

struct shared {
	_Atomic uint64_t	ready;
	uint8_t			pad1[56];
	_Atomic uint64_t	ping;
	uint8_t			pad2[56];
	_Atomic uint64_t	ack;
	uint8_t			pad3[56];
	_Atomic uint64_t	reader_pos;
	uint8_t			pad4[56];
	/* commands to the iceoryx processes: kind, sequence, done, status */
	_Atomic int		cmd;
	_Atomic uint64_t	cmd_seq, pub_done, sub_done, iox_up;
	/* futex words: bumped with cmd_seq, and with pub_done / sub_done */
	_Atomic uint32_t	cmd_fx, done_fx;
	_Atomic int		pub_rc, sub_rc;
	int64_t			t_first, t_last;	/* throughput reader */
	int64_t			lat[];
};

static struct shared *sh;
static uint64_t lat_n = 50000, tput_n;
/* samples per throughput run: iceoryx's is about 20 times slower */
static uint64_t tput_ring = 10000000, tput_iox = 1000000;
static char ringname[64], iox_inst[64];

static void
pin(int cpu)
{
	cpu_set_t set;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

struct pct {
	double p50, p99, p999, max;
};

static struct pct
percentiles(int64_t *v, uint64_t n)
{
	struct pct p;

	qsort(v, n, sizeof(*v), cmp64);
	p.p50 = (double)v[n / 2];
	p.p99 = (double)v[n * 99 / 100];
	p.p999 = (double)v[n * 999 / 1000];
	p.max = (double)v[n - 1];
	return p;
}

/* the bench-only handshake: wait until the reader has taken n samples */
static void
wait_ack(uint64_t n)
{
	while (atomic_load_explicit(&sh->ack, memory_order_acquire) < n)
		__builtin_ia32_pause();
}

static void
wait_ready(void)
{
	while (!atomic_load(&sh->ready))
		usleep(1000);
	usleep(20000);
}

/* --- one side of a run, whatever the transport --- */

/*
 * The latency reader: lat_n + 100 samples from r (the ring) or s (an
 * iceoryx subscriber; ws: its WaitSet, to block in), the first 100 not
 * kept.  Returns 0, or 1 when the ring reported a loss.
 */
static int
lat_read(enum kind k, struct ring *r, iox_sub_t s, iox_ws_t ws)
{
	struct tp_record rec;
	uint64_t lost = 0, got = 0;

	atomic_store(&sh->ready, 1);
	while (got < lat_n + 100) {
		int64_t ts;

		if (r != NULL) {
			if (!ring_read(r, &rec, &lost)) {
				ring_wait(r, k == K_RING_SPIN ? -1 : 0, 1000);
				continue;
			}
			ts = rec.ts;
		} else {
			const void *p;

			if (iox_sub_take_chunk(s, &p) !=
			    ChunkReceiveResult_SUCCESS) {
				if (ws != NULL) {
					iox_notification_info_t ni[1];
					uint64_t missed;

					iox_ws_wait(ws, ni, 1, &missed);
				}
				continue;
			}
			ts = ((const struct tp_record *)p)->ts;
			iox_sub_release_chunk(s, p);
		}
		int64_t d = mono_ns() - ts;

		if (got >= 100)
			sh->lat[got - 100] = d;
		got++;
		atomic_store_explicit(&sh->ack, got, memory_order_release);
	}
	return lost != 0;
}

/* the latency writer: lat_n + 100 paced samples, to w or to p */
static int
lat_write(struct ring *w, iox_pub_t p)
{
	struct tp_record rec;
	int64_t next;

	memset(&rec, 0, sizeof(rec));
	rec.type = REC_TRADE;
	next = mono_ns();
	for (uint64_t i = 0; i < lat_n + 100; i++) {
		int64_t now;

		next += PACE_NS;
		while (mono_ns() < next)
			;
		if (w != NULL) {
			rec.ts = mono_ns();
			ring_publish(w, &rec, 1);
		} else {
			void *c;

			if (iox_pub_loan_chunk(p, &c, sizeof(rec)) !=
			    AllocationResult_SUCCESS) {
				fprintf(stderr, "ioxbench: loan failed\n");
				return 1;
			}
			rec.ts = mono_ns();
			memcpy(c, &rec, sizeof(rec));
			iox_pub_publish_chunk(p, c);
		}
		wait_ack(i + 1);
		now = mono_ns();
		if (next < now)
			next = now;
	}
	return 0;
}

/*
 * The throughput reader: tput_n samples from r or s; stamps the first
 * and the last in sh->t_first, sh->t_last.  Returns 0, 3 when the sum of
 * the sequence numbers is wrong, 4 when the transport reported a loss.
 */
static int
tput_read(struct ring *r, iox_sub_t s)
{
	struct tp_record rec;
	uint64_t lost = 0, got = 0, sum = 0;

	atomic_store(&sh->reader_pos, 0);
	atomic_store(&sh->ready, 1);
	while (got < tput_n) {
		if (r != NULL) {
			if (!ring_read(r, &rec, &lost)) {
				ring_wait(r, -1, 1000);
				continue;
			}
		} else {
			const void *c;

			if (iox_sub_take_chunk(s, &c) !=
			    ChunkReceiveResult_SUCCESS)
				continue;
			memcpy(&rec, c, sizeof(rec));
			iox_sub_release_chunk(s, c);
			lost += iox_sub_has_lost_chunks(s);
		}
		if (got == 0)
			sh->t_first = mono_ns();
		sum += rec.vseq;
		got++;
		if ((got & (r != NULL ? 1023 : 31)) == 0)
			atomic_store_explicit(&sh->reader_pos, got,
			    memory_order_release);
	}
	sh->t_last = mono_ns();
	return sum != tput_n * (tput_n - 1) / 2 ? 3 : lost != 0 ? 4 : 0;
}

/* the throughput writer: tput_n samples numbered 0.., to w or to p */
static int
tput_write(struct ring *w, iox_pub_t p)
{
	struct tp_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.type = REC_TRADE;
	for (uint64_t i = 0; i < tput_n; i++) {
		rec.vseq = i;
		/*
		 * bench-only flow control, the same for both: at most half
		 * the reader's queue ahead (the ring: 65536 slots; iceoryx's
		 * subscriber queue: 256 chunks, its maximum)
		 */
		while (i - atomic_load_explicit(&sh->reader_pos,
		    memory_order_acquire) > (w != NULL ? 32768 : 128))
			__builtin_ia32_pause();
		if (w != NULL)
			ring_publish(w, &rec, 1);
		else {
			void *c;

			if (iox_pub_loan_chunk(p, &c, sizeof(rec)) !=
			    AllocationResult_SUCCESS)
				return 1;
			memcpy(c, &rec, sizeof(rec));
			iox_pub_publish_chunk(p, c);
		}
	}
	return 0;
}

/* --- the two iceoryx processes --- */

/* iceoryx: a runtime per process, named after the bench and the role */
static void
iox_start(const char *role)
{
	char name[100];

	snprintf(name, sizeof(name), "tpbench%s%d", role, (int)getpid());
	iox_set_loglevel(Iceoryx_LogLevel_Warn);
	iox_runtime_init(name);
}

/*
 * The waits between runs sleep on a futex, with no timer: a process that
 * woke every millisecond to poll would take the CPU, now and then, from
 * the pinned reader of whatever runs meanwhile (it did: the ring's spin
 * p99 was 18-21 us with the iceoryx processes polling, BENCHMARKS.md).
 * fx_wait returns when *w is no longer v, or after ms milliseconds.
 */
static void
fx_wait(_Atomic uint32_t *w, uint32_t v, long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	syscall(SYS_futex, w, FUTEX_WAIT, v, &ts, NULL, 0);
}

static void
fx_bump(_Atomic uint32_t *w)
{
	atomic_fetch_add(w, 1);
	syscall(SYS_futex, w, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
}

/* Waits for the next command after seq; returns it and sets *seq. */
static int
next_cmd(uint64_t *seq)
{
	for (;;) {
		uint32_t f = atomic_load(&sh->cmd_fx);

		if (atomic_load(&sh->cmd_seq) != *seq)
			break;
		fx_wait(&sh->cmd_fx, f, 1000);
	}
	*seq = atomic_load(&sh->cmd_seq);
	return atomic_load(&sh->cmd);
}

/*
 * The iceoryx subscriber process: a latency port (default policy, with a
 * WaitSet on its HAS_DATA state) and a lossless throughput port.
 */
static void
iox_sub_proc(void)
{
	iox_sub_storage_t s1, s2;
	iox_ws_storage_t wss;
	iox_sub_options_t o;
	iox_sub_t lat, tp;
	iox_ws_t ws;
	uint64_t seq = 0;
	int k;

	pin(1);
	iox_start("sub");
	iox_sub_options_init(&o);
	o.queueCapacity = 256;
	o.historyRequest = 0;
	lat = iox_sub_init(&s1, "tickpipe", iox_inst, "lat", &o);
	o.queueFullPolicy = QueueFullPolicy_BLOCK_PRODUCER;
	tp = iox_sub_init(&s2, "tickpipe", iox_inst, "tput", &o);
	ws = iox_ws_init(&wss);
	if (iox_ws_attach_subscriber_state(ws, lat, SubscriberState_HAS_DATA,
	    0, NULL) != WaitSetResult_SUCCESS)
		_exit(1);
	atomic_fetch_add(&sh->iox_up, 1);
	while ((k = next_cmd(&seq)) != K_EXIT) {
		int rc = k == K_TPUT ? tput_read(NULL, tp) :
		    lat_read((enum kind)k, NULL, lat,
		    k == K_IOX_BLOCK ? ws : NULL);

		atomic_store(&sh->sub_rc, rc);
		atomic_store(&sh->sub_done, seq);
		fx_bump(&sh->done_fx);
	}
	iox_ws_deinit(ws);
	iox_sub_deinit(lat);
	iox_sub_deinit(tp);
	iox_runtime_shutdown();
	exit(0);	/* not _exit: the runtime deregisters from RouDi */
}

/* The iceoryx publisher process: the two ports the subscriber's match. */
static void
iox_pub_proc(void)
{
	iox_pub_storage_t p1, p2;
	iox_pub_options_t o;
	iox_pub_t lat, tp;
	uint64_t seq = 0;
	int k;

	pin(0);
	iox_start("pub");
	iox_pub_options_init(&o);
	o.historyCapacity = 0;
	lat = iox_pub_init(&p1, "tickpipe", iox_inst, "lat", &o);
	o.subscriberTooSlowPolicy = ConsumerTooSlowPolicy_WAIT_FOR_CONSUMER;
	tp = iox_pub_init(&p2, "tickpipe", iox_inst, "tput", &o);
	/* the subscriber connects through RouDi: wait for it */
	while (!iox_pub_has_subscribers(lat) || !iox_pub_has_subscribers(tp))
		usleep(1000);
	atomic_fetch_add(&sh->iox_up, 1);
	while ((k = next_cmd(&seq)) != K_EXIT) {
		int rc;

		wait_ready();
		rc = k == K_TPUT ? tput_write(NULL, tp) : lat_write(NULL, lat);
		atomic_store(&sh->pub_rc, rc);
		atomic_store(&sh->pub_done, seq);
		fx_bump(&sh->done_fx);
	}
	iox_pub_deinit(lat);
	iox_pub_deinit(tp);
	iox_runtime_shutdown();
	exit(0);
}

/*
 * Runs kind k (a latency kind or K_TPUT) in the iceoryx processes and
 * waits for both sides.  Returns 0, or -1 when a side failed or took
 * longer than 10 minutes.
 */
static int
iox_run(int k)
{
	uint64_t seq = atomic_load(&sh->cmd_seq) + 1;
	int64_t t0 = mono_ns();

	atomic_store(&sh->ready, 0);
	atomic_store(&sh->ack, 0);
	atomic_store(&sh->reader_pos, 0);
	atomic_store(&sh->cmd, k);
	atomic_store(&sh->cmd_seq, seq);
	fx_bump(&sh->cmd_fx);
	for (;;) {
		uint32_t f = atomic_load(&sh->done_fx);

		if (atomic_load(&sh->pub_done) == seq &&
		    atomic_load(&sh->sub_done) == seq)
			break;
		if (mono_ns() - t0 > 600 * (int64_t)1000000000) {
			fprintf(stderr, "ioxbench: an iceoryx run hung\n");
			return -1;
		}
		fx_wait(&sh->done_fx, f, 1000);
	}
	if (atomic_load(&sh->pub_rc) != 0 || atomic_load(&sh->sub_rc) != 0) {
		fprintf(stderr, "ioxbench: iceoryx: publisher %d, subscriber "
		    "%d\n", atomic_load(&sh->pub_rc),
		    atomic_load(&sh->sub_rc));
		return -1;
	}
	return 0;
}

/* --- the floor, and the ring's runs (forked per run) --- */

static int
run_floor(void)
{
	pid_t pid;
	int st;

	atomic_store(&sh->ping, 0);
	if ((pid = fork()) == 0) {
		pin(1);
		for (uint64_t i = 1; i <= 2 * (lat_n + 100); i += 2) {
			while (atomic_load_explicit(&sh->ping,
			    memory_order_acquire) != i)
				;
			atomic_store_explicit(&sh->ping, i + 1,
			    memory_order_release);
		}
		_exit(0);
	}
	pin(0);
	for (uint64_t i = 0; i < lat_n + 100; i++) {
		int64_t t0 = mono_ns(), t1;
		uint64_t v = 2 * i + 1;

		atomic_store_explicit(&sh->ping, v, memory_order_release);
		while (atomic_load_explicit(&sh->ping, memory_order_acquire) !=
		    v + 1)
			;
		t1 = mono_ns();
		if (i >= 100)
			sh->lat[i - 100] = (t1 - t0) / 2;
	}
	waitpid(pid, &st, 0);
	return 0;
}

/*
 * One run of the ring: kind k (a latency kind or K_TPUT), the reader
 * forked, the writer here.  Returns 0 or -1.
 */
static int
ring_run(int k)
{
	struct ring *w;
	struct ring_config cfg = { ringname, k == K_TPUT ? 65536 : 4096,
	    (gid_t)-1, 1, 0 };
	char err[256];
	pid_t pid;
	int st;

	ring_unlink(ringname);
	if (ring_writer_open(&w, &cfg, err, sizeof(err)) != RING_OK) {
		fprintf(stderr, "ioxbench: %s\n", err);
		return -1;
	}
	atomic_store(&sh->ready, 0);
	atomic_store(&sh->ack, 0);
	atomic_store(&sh->reader_pos, 0);
	if ((pid = fork()) == 0) {
		struct ring *r;
		int rc;

		pin(1);
		if (ring_reader_open(&r, ringname, err, sizeof(err)) != RING_OK) {
			fprintf(stderr, "ioxbench: %s\n", err);
			_exit(2);
		}
		if (k != K_TPUT)
			ring_seek_latest(r);
		rc = k == K_TPUT ? tput_read(r, NULL) :
		    lat_read((enum kind)k, r, NULL, NULL);
		ring_close(r);
		_exit(rc);
	}
	pin(0);
	wait_ready();
	if (k == K_TPUT)
		tput_write(w, NULL);
	else
		lat_write(w, NULL);
	waitpid(pid, &st, 0);
	ring_close(w);
	ring_unlink(ringname);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "ioxbench: ring reader exit %d\n",
		    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		return -1;
	}
	return 0;
}

static int
run_latency(enum kind k)
{
	if (k == K_FLOOR)
		return run_floor();
	if (k == K_RING_SPIN || k == K_RING_BLOCK)
		return ring_run(k);
	return iox_run(k);
}

/* lossless samples per second, first to last received; -1 on failure */
static double
run_tput(int iox)
{
	if ((iox ? iox_run(K_TPUT) : ring_run(K_TPUT)) != 0)
		return -1;
	return (double)(tput_n - 1) * 1e9 / (double)(sh->t_last - sh->t_first);
}

/*
 * Tells the iceoryx processes pid[0..2) to deregister and exit, and
 * reaps them; one that has not exited after 30 s is killed (RouDi then
 * still lists it).  Returns 0 if both exited with status 0.
 */
static int
iox_stop(const pid_t *pid)
{
	int rv = 0;

	atomic_store(&sh->cmd, K_EXIT);
	atomic_fetch_add(&sh->cmd_seq, 1);
	fx_bump(&sh->cmd_fx);
	for (int i = 0; i < 2; i++) {
		int st, n = 0;
		pid_t r;

		while ((r = waitpid(pid[i], &st, WNOHANG)) == 0 && n++ < 30000)
			usleep(1000);
		if (r == 0) {
			kill(pid[i], SIGKILL);
			waitpid(pid[i], &st, 0);
		}
		if (r != pid[i] || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			rv = -1;
	}
	return rv;
}

static const char *
met(int ok)
{
	return ok ? "yes" : "**no**";
}

int
main(int argc, char **argv)
{
	struct pct res[K_N];
	int64_t *all[K_N];
	pid_t iox_pid[2];
	uint64_t per, full;
	double t_ring, t_iox;

	if (argc > 1 && strcmp(argv[1], "-q") == 0) {
		lat_n = 5000;
		tput_ring = 1000000;
		tput_iox = 200000;
	} else if (argc > 1) {
		fprintf(stderr, "usage: ioxbench [-q]\n");
		return 64;
	}
	snprintf(ringname, sizeof(ringname), "benchiox.%ld", (long)getpid());
	snprintf(iox_inst, sizeof(iox_inst), "b%ld", (long)getpid());
	full = lat_n;
	per = lat_n / ROUNDS;
	sh = mmap(NULL, sizeof(*sh) + full * sizeof(int64_t),
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("ioxbench: mmap");
		return 1;
	}
	for (int k = 0; k < K_N; k++)
		if ((all[k] = calloc(full, sizeof(int64_t))) == NULL)
			return 1;
	/* the iceoryx processes, for the whole bench, with these counts */
	lat_n = per;
	tput_n = tput_iox;
	if ((iox_pid[0] = fork()) == 0)
		iox_sub_proc();
	if ((iox_pid[1] = fork()) == 0)
		iox_pub_proc();
	while (atomic_load(&sh->iox_up) < 2) {
		if (waitpid(-1, NULL, WNOHANG) > 0) {
			fprintf(stderr, "ioxbench: an iceoryx process failed\n");
			iox_stop(iox_pid);
			return 1;
		}
		usleep(1000);
	}
	for (int round = 0; round < ROUNDS; round++)
		for (int k = 0; k < K_N; k++) {
			if (run_latency((enum kind)k) < 0) {
				fprintf(stderr, "ioxbench: %s: a latency run "
				    "failed\n", kind_name[k]);
				iox_stop(iox_pid);
				return 1;
			}
			memcpy(all[k] + (uint64_t)round * per, sh->lat,
			    per * sizeof(int64_t));
		}
	lat_n = per * ROUNDS;
	for (int k = 0; k < K_N; k++) {
		res[k] = percentiles(all[k], lat_n);
		free(all[k]);
	}
	tput_n = tput_ring;
	t_ring = run_tput(0);
	tput_n = tput_iox;
	t_iox = run_tput(1);
	if (iox_stop(iox_pid) != 0) {
		fprintf(stderr, "ioxbench: an iceoryx process failed at exit\n");
		return 1;
	}
	if (t_ring < 0 || t_iox < 0)
		return 1;

	for (int k = 0; k < K_N; k++)
		printf("| ring vs iceoryx | %s, 256 B, one-way p50 / p99 / "
		    "p99.9 / max (%llu samples) | %.0f / %.0f / %.0f / %.0f "
		    "ns | | |\n", kind_name[k], (unsigned long long)lat_n,
		    res[k].p50, res[k].p99, res[k].p999, res[k].max);
	{
		struct pct *f = &res[K_FLOOR];
		struct pct *rs = &res[K_RING_SPIN], *is = &res[K_IOX_SPIN];
		struct pct *rb = &res[K_RING_BLOCK], *ib = &res[K_IOX_BLOCK];

		printf("| ring vs iceoryx | spinning: ring p50 / iceoryx p50; "
		    "ring p99 / iceoryx p99 | %.2fx; %.2fx | p50 < 1x, p99 "
		    "<= 1x | %s |\n", rs->p50 / is->p50, rs->p99 / is->p99,
		    met(rs->p50 < is->p50 && rs->p99 <= is->p99));
		printf("| ring vs iceoryx | blocking: ring p50 / iceoryx p50; "
		    "ring p99 / iceoryx p99 | %.2fx; %.2fx | p50 < 1x, p99 "
		    "<= 1x | %s |\n", rb->p50 / ib->p50, rb->p99 / ib->p99,
		    met(rb->p50 < ib->p50 && rb->p99 <= ib->p99));
		printf("| ring vs iceoryx | ring spin p50 / floor p50 (iceoryx"
		    " spin: %.2fx) | %.2fx | <= 2x | %s |\n",
		    is->p50 / f->p50, rs->p50 / f->p50,
		    met(rs->p50 <= 2 * f->p50));
	}
	printf("| ring vs iceoryx | throughput, 1 reader, lossless, 256 B "
	    "(%" PRIu64 " samples): iceoryx (loan + publish per sample)"
	    " | %.2f M/s | | |\n", tput_iox, t_iox / 1e6);
	printf("| ring vs iceoryx | throughput (%" PRIu64 " samples): tickpipe "
	    "ring | %.2f M/s = %.2fx iceoryx | > 1x iceoryx, >= 30 M/s | %s "
	    "|\n", tput_ring, t_ring / 1e6, t_ring / t_iox,
	    met(t_ring > t_iox && t_ring >= 30e6));
	return 0;
}
