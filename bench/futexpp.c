/*
 * futexpp: this machine's wake-up floor (issue 12, bench/part-hops.sh):
 * two processes ping-pong through a futex in shared memory, each
 * blocking in FUTEX_WAIT until the other changes the word and wakes
 * it, as a ring reader blocks in ring_wait.  A one-way latency is the
 * time from the waker's stamp, taken just before FUTEX_WAKE, to the
 * woken process's first clock read: the least one hop that must wake a
 * sleeping process can cost here.
 *
 *   futexpp [-p same|cross] [ROUNDS]
 *
 * ROUNDS round trips (20000 by default; the first 1000 one-way
 * latencies are not sampled, start-up); prints "n=N p50_us=A p99_us=B
 * p999_us=C".  -p same pins both processes to CPU 0, -p cross one to
 * CPU 0 and the other to CPU 1; without -p the scheduler places them.
 * The two placements are two floors, far apart on a VM whose idle vCPU
 * halts: on one CPU a wake is a context switch (0.9 us here); to the
 * other, halted, vCPU it is an interrupt through the host (27 us here
 * with guest_halt_poll_ns 0), and unpinned runs land on either
 * (BENCHMARKS.md).
 */
#include <linux/futex.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define SKIP	1000

struct shared {
	_Atomic uint32_t	turn;	/* the futex word: whose turn, a count */
	_Atomic int64_t		stamp;	/* mono ns, when the turn was passed */
	int64_t			lat[];	/* one-way latencies, both sides */
};

static void
fwait(_Atomic uint32_t *w, uint32_t val)
{
	while (atomic_load(w) == val)
		syscall(SYS_futex, w, FUTEX_WAIT, val, NULL, NULL, 0);
}

static void
fwake(_Atomic uint32_t *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/*
 * play: side 0 passes on even turns, side 1 on odd ones; each wait
 * ends with a sample of now - the stamp of the pass that ended it.
 */
static void
play(struct shared *s, int side, uint32_t turns)
{
	for (uint32_t t = (uint32_t)side; t < turns; t += 2) {
		if (t > 0) {
			fwait(&s->turn, t - 1);
			s->lat[t - 1] = mono_ns() - atomic_load(&s->stamp);
		}
		atomic_store(&s->stamp, mono_ns());
		atomic_store(&s->turn, t + 1);
		fwake(&s->turn);
	}
}

/* pin: the calling process to CPU cpu, or exit 71 */
static void
pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0) {
		perror("futexpp: sched_setaffinity");
		exit(71);
	}
}

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	uint64_t rounds = 20000;
	uint32_t turns;
	struct shared *s;
	size_t len, n;
	pid_t pid;
	int st, place = 0;	/* 0: unpinned, 1: same CPU, 2: cross */

	if (argc >= 3 && strcmp(argv[1], "-p") == 0) {
		place = strcmp(argv[2], "same") == 0 ? 1 :
		    strcmp(argv[2], "cross") == 0 ? 2 : -1;
		argc -= 2;
		argv += 2;
	}
	if (place < 0 || argc > 2 || (argc == 2 &&
	    parse_u64(argv[1], SKIP, 10000000, &rounds) < 0)) {
		fprintf(stderr, "usage: futexpp [-p same|cross] [ROUNDS]\n");
		return 64;
	}
	if (place == 2 && sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		fprintf(stderr, "futexpp: -p cross: one CPU\n");
		return 69;
	}
	if (place != 0)
		pin(0);
	turns = (uint32_t)(2 * rounds);
	len = sizeof(*s) + (size_t)turns * sizeof(int64_t);
	s = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	if (s == MAP_FAILED) {
		perror("futexpp: mmap");
		return 71;
	}
	if ((pid = fork()) < 0) {
		perror("futexpp: fork");
		return 71;
	}
	if (pid == 0) {
		if (place == 2)
			pin(1);
		play(s, 1, turns);
		_exit(0);
	}
	play(s, 0, turns);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		return 70;
	/* the last pass (turns - 1) is never waited for */
	n = turns - 1 - SKIP;
	qsort(s->lat + SKIP, n, sizeof(int64_t), cmp64);
	printf("n=%zu p50_us=%.1f p99_us=%.1f p999_us=%.1f\n", n,
	    (double)s->lat[SKIP + n / 2] / 1e3,
	    (double)s->lat[SKIP + n * 99 / 100] / 1e3,
	    (double)s->lat[SKIP + n * 999 / 1000] / 1e3);
	return 0;
}
