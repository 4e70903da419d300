/*
 * ringbench: measures the ring against the alternatives, side by side in
 * one run, and prints table rows for bench/run.sh.
 *
 * Latency: a writer process stamps CLOCK_MONOTONIC into a record and
 * sends it; a reader process in another process subtracts on receipt.
 * Sends are paced (one every PACE_NS at most) and the writer waits for the
 * reader to have taken each record before stamping the next, so the
 * reader is idle when a record arrives and one scheduling hiccup spoils
 * one sample, not the queue behind it: this measures one-way latency, not
 * queueing.  Compared:
 * the ring with a spinning reader, the ring with a blocking (futex)
 * reader, a pipe, a Unix stream socket, and the physical floor: one cache
 * line bounced between two processes (half a round trip).
 *
 * Throughput: 256-byte records as fast as they go.  For the ring the
 * writer holds back when it is more than half a ring ahead of the reader
 * (a bench-only shared counter), so the figure is the ring's lossless
 * rate, and the reader's loss count is checked to be zero.  Pipe and
 * socket writers write one record per write(2); readers read 64 KiB at a
 * time.  The ceiling is memcpy of 256-byte records.
 */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ring.h"
#include "util.h"

#define PACE_NS		20000
#define LAT_N		50000
#define TPUT_N		20000000ULL
#define ROUNDS		10

static uint64_t	lat_n = LAT_N;
static uint64_t	tput_n = TPUT_N;

struct shared {
	_Atomic uint64_t	ready;
	uint8_t			pad1[56];
	_Atomic uint64_t	ping;
	uint8_t			pad2[56];
	_Atomic uint64_t	reader_pos;
	uint8_t			pad3[56];
	_Atomic uint64_t	ack;		/* latency: samples taken */
	uint8_t			pad4[56];
	int64_t			lat[];	/* lat_n samples */
};

static struct shared *sh;
static char ringname[64];

static void
pin(int cpu)
{
	cpu_set_t set;
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 2)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu % n, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
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

static void
spin_until(int64_t t)
{
	while (mono_ns() < t)
		;
}

/* --- latency runs: each returns the sorted samples in sh->lat --- */

enum lat_kind { L_RING_SPIN, L_RING_BLOCK, L_PIPE, L_UNIX };

static void
lat_writer(enum lat_kind k, int fd, struct ring *w)
{
	struct tp_record rec;
	int64_t next = mono_ns() + 1000000;

	memset(&rec, 0, sizeof(rec));
	rec.type = REC_TRADE;
	for (uint64_t i = 0; i < lat_n + 100; i++) {
		int64_t now;

		next += PACE_NS;
		spin_until(next);
		rec.ts = mono_ns();
		if (k == L_RING_SPIN || k == L_RING_BLOCK)
			ring_publish(w, &rec, 1);
		else if (write(fd, &rec, sizeof(rec)) != sizeof(rec))
			_exit(1);
		/* wait until the reader took it (bench-only handshake) */
		while (atomic_load_explicit(&sh->ack, memory_order_acquire) <
		    i + 1)
			__builtin_ia32_pause();
		now = mono_ns();
		if (next < now)
			next = now;
	}
}

static void
lat_reader(enum lat_kind k, int fd)
{
	struct tp_record rec;
	struct ring *r = NULL;
	char err[256];
	uint64_t lost = 0, got = 0;

	if (k == L_RING_SPIN || k == L_RING_BLOCK) {
		if (ring_reader_open(&r, ringname, err, sizeof(err)) != RING_OK) {
			fprintf(stderr, "ringbench: %s\n", err);
			_exit(1);
		}
		ring_seek_latest(r);
	}
	atomic_store(&sh->ready, 1);
	while (got < lat_n + 100) {
		if (r != NULL) {
			if (!ring_read(r, &rec, &lost)) {
				ring_wait(r, k == L_RING_SPIN ? -1 : 0, 1000);
				continue;
			}
		} else {
			size_t have = 0;

			while (have < sizeof(rec)) {
				ssize_t n = read(fd, (char *)&rec + have,
				    sizeof(rec) - have);
				if (n <= 0)
					_exit(1);
				have += (size_t)n;
			}
		}
		int64_t d = mono_ns() - rec.ts;
		if (got >= 100)		/* warm-up */
			sh->lat[got - 100] = d;
		got++;
		atomic_store_explicit(&sh->ack, got, memory_order_release);
	}
	if (r != NULL)
		ring_close(r);
	_exit(lost != 0);
}

static int
run_latency(enum lat_kind k, struct pct *out)
{
	struct ring *w = NULL;
	struct ring_config cfg = { ringname, 4096, (gid_t)-1, 1, 0 };
	char err[256];
	int fds[2] = { -1, -1 }, st;
	pid_t pid;

	if (k == L_RING_SPIN || k == L_RING_BLOCK) {
		ring_unlink(ringname);
		if (ring_writer_open(&w, &cfg, err, sizeof(err)) != RING_OK) {
			fprintf(stderr, "ringbench: %s\n", err);
			return -1;
		}
	} else if (k == L_PIPE) {
		if (pipe(fds) < 0)
			return -1;
	} else if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) < 0)
		return -1;
	atomic_store(&sh->ready, 0);
	atomic_store(&sh->ack, 0);
	if ((pid = fork()) == 0) {
		pin(1);
		if (fds[1] >= 0)
			close(fds[1]);
		lat_reader(k, fds[0]);
	}
	pin(0);
	if (fds[0] >= 0)
		close(fds[0]);
	while (!atomic_load(&sh->ready))
		usleep(1000);
	usleep(10000);
	lat_writer(k, fds[1], w);
	if (fds[1] >= 0)
		close(fds[1]);
	waitpid(pid, &st, 0);
	if (w != NULL) {
		ring_close(w);
		ring_unlink(ringname);
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	*out = percentiles(sh->lat, lat_n);
	return 0;
}

/* cache-line ping-pong: the floor for any cross-core handoff */
static int
run_floor(struct pct *out)
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
	*out = percentiles(sh->lat, lat_n);
	return 0;
}

/* --- throughput --- */

static double
run_tput_ring(uint64_t *lost_out)
{
	struct ring *w;
	struct ring_config cfg = { ringname, 65536, (gid_t)-1, 1, 0 };
	char err[256];
	struct tp_record rec;
	int64_t t0, t1;
	pid_t pid;
	int st;

	ring_unlink(ringname);
	if (ring_writer_open(&w, &cfg, err, sizeof(err)) != RING_OK) {
		fprintf(stderr, "ringbench: %s\n", err);
		return -1;
	}
	atomic_store(&sh->ready, 0);
	atomic_store(&sh->reader_pos, 0);
	if ((pid = fork()) == 0) {
		struct ring *r;
		uint64_t lost = 0, got = 0, sum = 0;

		pin(1);
		if (ring_reader_open(&r, ringname, err, sizeof(err)) != RING_OK)
			_exit(2);
		atomic_store(&sh->ready, 1);
		while (got < tput_n) {
			if (ring_read(r, &rec, &lost)) {
				got++;
				sum += rec.vseq;
				if ((got & 1023) == 0)
					atomic_store_explicit(&sh->reader_pos,
					    got, memory_order_release);
			} else
				ring_wait(r, -1, 1000);
		}
		/* the payload check: vseq was i for record i */
		if (sum != tput_n * (tput_n - 1) / 2)
			_exit(3);
		ring_close(r);
		sh->lat[0] = (int64_t)lost;
		_exit(lost != 0 ? 4 : 0);
	}
	pin(0);
	while (!atomic_load(&sh->ready))
		usleep(1000);
	memset(&rec, 0, sizeof(rec));
	rec.type = REC_TRADE;
	t0 = mono_ns();
	for (uint64_t i = 0; i < tput_n; i++) {
		rec.vseq = i;
		/* bench-only flow control: never more than half a ring ahead */
		while (i - atomic_load_explicit(&sh->reader_pos,
		    memory_order_acquire) > 32768)
			__builtin_ia32_pause();
		ring_publish(w, &rec, 1);
	}
	waitpid(pid, &st, 0);
	t1 = mono_ns();
	*lost_out = (uint64_t)sh->lat[0];
	ring_close(w);
	ring_unlink(ringname);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "ringbench: ring reader exit %d\n",
		    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		return -1;
	}
	return (double)tput_n * 1e9 / (double)(t1 - t0);
}

static double
run_tput_fd(int unixsock)
{
	struct tp_record rec;
	int fds[2], st;
	int64_t t0, t1;
	uint64_t n = tput_n / 4;
	pid_t pid;

	if (unixsock ? socketpair(AF_UNIX, SOCK_STREAM, 0, fds) < 0 :
	    pipe(fds) < 0)
		return -1;
	if ((pid = fork()) == 0) {
		static char buf[65536];
		uint64_t total = 0;
		ssize_t k;

		pin(1);
		close(fds[1]);
		while ((k = read(fds[0], buf, sizeof(buf))) > 0)
			total += (uint64_t)k;
		_exit(total == n * sizeof(rec) ? 0 : 1);
	}
	pin(0);
	close(fds[0]);
	memset(&rec, 0, sizeof(rec));
	t0 = mono_ns();
	for (uint64_t i = 0; i < n; i++) {
		rec.vseq = i;
		if (write(fds[1], &rec, sizeof(rec)) != sizeof(rec))
			return -1;
	}
	close(fds[1]);
	waitpid(pid, &st, 0);
	t1 = mono_ns();
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	return (double)n * 1e9 / (double)(t1 - t0);
}

static double
run_memcpy(void)
{
	size_t cap = 65536;
	struct tp_record *src = calloc(cap, sizeof(*src)), dst;
	volatile uint64_t sink = 0;
	int64_t t0, t1;

	if (src == NULL)
		return -1;
	t0 = mono_ns();
	for (uint64_t i = 0; i < tput_n; i++) {
		memcpy(&dst, &src[i & (cap - 1)], sizeof(dst));
		__asm__ __volatile__("" : : "r"(&dst) : "memory");
		sink += dst.vseq;
	}
	t1 = mono_ns();
	free(src);
	return (double)tput_n * 1e9 / (double)(t1 - t0);
}

static const char *
met(int ok)
{
	return ok ? "yes" : "**no**";
}

int
main(void)
{
	struct pct floor_, spin, block, pip, uds;
	double r_ring, r_pipe, r_unix, r_mem;
	uint64_t lost = 0;

	if (getenv("RINGBENCH_QUICK") != NULL) {
		lat_n = 5000;
		tput_n = 2000000;
	}
	snprintf(ringname, sizeof(ringname), "bench.%ld", (long)getpid());
	sh = mmap(NULL, sizeof(*sh) + lat_n * sizeof(int64_t),
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	/*
	 * The kinds are measured in ROUNDS interleaved rounds, so that all
	 * of them see the same conditions (on a VM the two vCPUs may move
	 * between physical cores, which changes even the floor).
	 */
	{
		int64_t *all[5];
		uint64_t per = lat_n / ROUNDS, full = lat_n;
		struct pct *outs[5] = { &floor_, &spin, &block, &pip, &uds };

		for (int k = 0; k < 5; k++)
			if ((all[k] = calloc(full, sizeof(int64_t))) == NULL)
				return 1;
		lat_n = per;
		for (int round = 0; round < ROUNDS; round++) {
			for (int k = 0; k < 5; k++) {
				struct pct tmp;
				int rc = k == 0 ? run_floor(&tmp) :
				    run_latency((enum lat_kind)(k - 1), &tmp);

				if (rc < 0) {
					fprintf(stderr, "ringbench: a latency "
					    "run failed\n");
					return 1;
				}
				memcpy(all[k] + (uint64_t)round * per, sh->lat,
				    per * sizeof(int64_t));
			}
		}
		lat_n = per * ROUNDS;
		for (int k = 0; k < 5; k++) {
			*outs[k] = percentiles(all[k], lat_n);
			free(all[k]);
		}
	}
#define LROW(name, p) \
	printf("| ring latency | %s one-way p50 / p99 / p99.9 / max (%llu samples) | %.0f / %.0f / %.0f / %.0f ns | | |\n", \
	    name, (unsigned long long)lat_n, (p).p50, (p).p99, (p).p999, \
	    (p).max)
	LROW("cache-line ping-pong (floor)", floor_);
	LROW("ring, spinning reader", spin);
	LROW("ring, blocking reader", block);
	LROW("pipe", pip);
	LROW("unix socket", uds);
	/* the goals in BENCHMARKS.md (issue 12), as ioxbench prints them */
	printf("| ring latency | ring spin p50 / floor p50 | %.2fx | <= 2x | %s |\n",
	    spin.p50 / floor_.p50, met(spin.p50 <= 2 * floor_.p50));
	printf("| ring latency | ring spin p99 | %.2f us | < 2 us | %s |\n",
	    spin.p99 / 1000, met(spin.p99 < 2000));
	printf("| ring latency | ring blocking p50 | %.2f us | < 10 us | %s |\n",
	    block.p50 / 1000, met(block.p50 < 10000));

	r_ring = run_tput_ring(&lost);
	r_pipe = run_tput_fd(0);
	r_unix = run_tput_fd(1);
	r_mem = run_memcpy();
	if (r_ring < 0 || r_pipe < 0 || r_unix < 0 || r_mem < 0) {
		fprintf(stderr, "ringbench: a throughput run failed\n");
		return 1;
	}
	printf("| ring throughput | ring, 1 reader, lossless (lost %" PRIu64 ") | %.2f M rec/s | >= 30 M/s | %s |\n",
	    lost, r_ring / 1e6, met(r_ring >= 30e6 && lost == 0));
	printf("| ring throughput | pipe, 256 B writes | %.2f M rec/s | | |\n", r_pipe / 1e6);
	printf("| ring throughput | unix socket, 256 B writes | %.2f M rec/s | | |\n", r_unix / 1e6);
	printf("| ring throughput | memcpy 256 B (ceiling) | %.2f M rec/s | | |\n", r_mem / 1e6);
	printf("| ring throughput | ring / pipe | %.1fx | >= 5x | %s |\n",
	    r_ring / r_pipe, met(r_ring >= 5 * r_pipe));
	printf("| ring throughput | ring / memcpy ceiling | %.0f%% | | |\n",
	    100 * r_ring / r_mem);
	return 0;
}
