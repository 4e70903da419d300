/*
 * test_ring.c: the shared-memory ring (common/ring.h), one process at a
 * time (tests/ringtool.c and tests/t-ring-*.sh cover several processes):
 * publish and read back, exact loss counts for a lapped reader, seeking,
 * writer reopen (epoch, sequence), the writer lock, capacity checks, and
 * header validation naming field, expected and found value.
 *
 * Rings live in a private directory (ring names with '/'), except where
 * the POSIX shm naming itself is under test.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ring.h"

/* header offsets, as tickpipe-ring(5) documents them */
#define H_MAGIC		0
#define H_VERSION	8
#define H_RECSIZE	12
#define H_LAYOUT	16
#define H_CAPACITY	24
#define H_EPOCH		48
#define H_CURSOR	64

static char dir[64], path[128], err[512];
static int seqno;

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/tp-unit-ring.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/ring%d", dir, ++seqno);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	/* the shm names the tests make, left behind when one fails */
	snprintf(cmd, sizeof(cmd), "/dev/shm/tickpipe.tpunit-%ld",
	    (long)getpid());
	(void)unlink(cmd);
	snprintf(cmd, sizeof(cmd), "/dev/shm/tickpipe.tpunit-link-%ld",
	    (long)getpid());
	(void)unlink(cmd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct ring *
writer(const char *name, uint64_t cap)
{
	struct ring_config cfg = { name, cap, (gid_t)-1, 0, 0 };
	struct ring *w = NULL;
	int rc = ring_writer_open(&w, &cfg, err, sizeof(err));

	if (rc != RING_OK)
		fail_msg("ring_writer_open %s: %d %s", name, rc, err);
	return w;
}

static struct ring *
reader(const char *name)
{
	struct ring *r = NULL;
	int rc = ring_reader_open(&r, name, err, sizeof(err));

	if (rc != RING_OK)
		fail_msg("ring_reader_open %s: %d %s", name, rc, err);
	return r;
}

/* A record whose every payload byte is derived from its sequence. */
static void
fill(struct tp_record *rec, uint64_t seq)
{
	memset(rec, 0, sizeof(*rec));
	rec->type = REC_TRADE;
	rec->venue = VENUE_SIM;
	strcpy(rec->symbol, "BTC-USD");
	rec->vseq = seq * 7;
	rec->ts = (int64_t)seq;
	for (int i = 0; i < 192; i++)
		rec->u.raw[i] = (uint8_t)(seq * 31 + (uint64_t)i);
}

static void
check(const struct tp_record *rec, uint64_t seq)
{
	struct tp_record want;

	fill(&want, seq);
	want.seq = seq;
	if (memcmp(rec, &want, sizeof(want)) != 0)
		fail_msg("record %llu (read as seq %llu) has wrong contents",
		    (unsigned long long)seq, (unsigned long long)rec->seq);
}

/* Publishes n records one by one, filled from the next sequences. */
static void
publish(struct ring *w, uint64_t n)
{
	struct tp_record rec;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t want = ring_cursor(w) + 1, got;

		fill(&rec, want);
		got = ring_publish(w, &rec, 1);
		assert_int_equal(got, want);
		assert_int_equal(rec.seq, want);
	}
}

static void
published_records_read_back_in_order(void **state)
{
	struct ring *w, *r;
	struct tp_record rec[5], out;
	uint64_t lost = 0;

	(void)state;
	w = writer(path, 16);
	assert_int_equal(ring_cursor(w), 0);
	r = reader(path);
	assert_int_equal(ring_position(r), 1);
	assert_int_equal(ring_read(r, &out, &lost), 0);
	publish(w, 3);
	/* a batch gets consecutive sequences, written back into rec[] */
	for (int i = 0; i < 5; i++)
		fill(&rec[i], 4 + (uint64_t)i);
	assert_int_equal(ring_publish(w, rec, 5), 8);
	for (int i = 0; i < 5; i++)
		assert_int_equal(rec[i].seq, 4 + (uint64_t)i);
	assert_int_equal(ring_cursor(w), 8);
	assert_int_equal(ring_cursor(r), 8);
	for (uint64_t s = 1; s <= 8; s++) {
		assert_int_equal(ring_read(r, &out, &lost), 1);
		assert_int_equal(out.seq, s);
		check(&out, s);
	}
	assert_int_equal(ring_read(r, &out, &lost), 0);
	assert_int_equal(lost, 0);
	assert_int_equal(ring_position(r), 9);
	ring_close(r);
	ring_close(w);
}

static void
reader_opened_later_starts_at_oldest(void **state)
{
	struct ring *w, *r;
	struct tp_record out;
	uint64_t lost = 0;

	(void)state;
	w = writer(path, 16);
	publish(w, 5);
	r = reader(path);
	assert_int_equal(ring_position(r), 1);
	ring_close(r);
	publish(w, 100);	/* cursor 105: oldest is 105 - 16 + 1 = 90 */
	r = reader(path);
	assert_int_equal(ring_position(r), 90);
	assert_int_equal(ring_read(r, &out, &lost), 1);
	assert_int_equal(out.seq, 90);
	check(&out, 90);
	assert_int_equal(lost, 0);
	ring_close(r);
	ring_close(w);
}

static void
lapped_reader_reports_exact_loss(void **state)
{
	struct ring *w, *r;
	struct tp_record out;
	uint64_t lost = 0, next = 1, got = 0;

	(void)state;
	w = writer(path, 16);
	r = reader(path);
	publish(w, 100);	/* reader at 1, oldest now 85 */
	assert_int_equal(ring_read(r, &out, &lost), 1);
	assert_int_equal(out.seq, 85);
	assert_int_equal(lost, 84);
	check(&out, 85);
	/* read a few, get lapped again by a partial amount */
	assert_int_equal(ring_read(r, &out, &lost), 1);
	assert_int_equal(out.seq, 86);
	publish(w, 20);		/* cursor 120, oldest 105; reader at 87 */
	assert_int_equal(ring_read(r, &out, &lost), 1);
	assert_int_equal(out.seq, 105);
	assert_int_equal(lost, 84 + 18);
	/* lost is cumulative, never reset */
	for (next = 106; ring_read(r, &out, &lost) == 1; next++) {
		assert_int_equal(out.seq, next);
		check(&out, next);
		got++;
	}
	assert_int_equal(next, 121);
	assert_int_equal(got, 15);
	assert_int_equal(lost, 102);
	/* exactly a full lap behind is not a loss */
	publish(w, 16);
	for (next = 121; ring_read(r, &out, &lost) == 1; next++)
		assert_int_equal(out.seq, next);
	assert_int_equal(next, 137);
	assert_int_equal(lost, 102);
	/* one more than a lap: exactly one lost */
	publish(w, 17);
	assert_int_equal(ring_read(r, &out, &lost), 1);
	assert_int_equal(out.seq, 138);
	assert_int_equal(lost, 103);
	ring_close(r);
	ring_close(w);
}

/*
 * A ring removed and created anew from sequence 1, whose writer wrapped
 * it before the reader followed: the records before the new object's
 * oldest count as lost (tickpipe-ring(5) "Writer recovery").
 */
static void
follow_counts_records_a_new_ring_lost_before_it_came(void **state)
{
	struct ring *w, *r;
	struct tp_record out;
	uint64_t lost = 0, from = 0;

	(void)state;
	w = writer(path, 16);
	r = reader(path);
	publish(w, 10);
	while (ring_read(r, &out, &lost) == 1)
		;
	assert_int_equal(out.seq, 10);
	assert_int_equal(ring_follow(&r, &from, &lost, err, sizeof(err)), 0);
	ring_close(w);
	assert_int_equal(unlink(path), 0);
	w = writer(path, 16);
	publish(w, 40);		/* sequences 1 to 40; oldest 25 */
	assert_int_equal(ring_follow(&r, &from, &lost, err, sizeof(err)),
	    RING_FOLLOWED | RING_FOLLOW_NEW);
	assert_int_equal(from, 11);
	assert_int_equal(lost, 24);
	lost = 0;
	assert_int_equal(ring_read(r, &out, &lost), 1);
	assert_int_equal(out.seq, 25);
	assert_int_equal(lost, 0);
	ring_close(r);
	ring_close(w);
}

static void
seek_oldest_latest_and_sequence(void **state)
{
	struct ring *w, *r;
	struct tp_record out;
	uint64_t lost = 0;

	(void)state;
	w = writer(path, 32);
	r = reader(path);
	ring_seek_latest(r);
	assert_int_equal(ring_position(r), 1);
	publish(w, 100);	/* cursor 100, oldest 69 */
	ring_seek_oldest(r);
	assert_int_equal(ring_position(r), 69);
	assert_int_equal(ring_read(r, &out, &lost), 1);
	assert_int_equal(out.seq, 69);
	ring_seek_latest(r);
	assert_int_equal(ring_position(r), 101);
	assert_int_equal(ring_read(r, &out, &lost), 0);
	publish(w, 1);
	assert_int_equal(ring_read(r, &out, &lost), 1);
	assert_int_equal(out.seq, 101);
	check(&out, 101);
	ring_seek(r, 90);
	assert_int_equal(ring_read(r, &out, &lost), 1);
	assert_int_equal(out.seq, 90);
	check(&out, 90);
	assert_int_equal(lost, 0);
	/* seeking before the oldest: reported as loss on the next read */
	ring_seek(r, 50);
	assert_int_equal(ring_read(r, &out, &lost), 1);
	assert_int_equal(out.seq, 70);
	assert_int_equal(lost, 20);
	/* seq 0 does not exist: seek(0) means the first record */
	ring_seek(r, 0);
	assert_int_equal(ring_position(r), 1);
	/* seeking into the future waits for that sequence */
	ring_seek(r, 105);
	assert_int_equal(ring_read(r, &out, &lost), 0);
	publish(w, 3);
	assert_int_equal(ring_read(r, &out, &lost), 0);
	publish(w, 1);
	assert_int_equal(ring_read(r, &out, &lost), 1);
	assert_int_equal(out.seq, 105);
	ring_close(r);
	ring_close(w);
}

static void
writer_reopen_bumps_epoch_and_continues_sequence(void **state)
{
	struct ring *w, *r;
	struct tp_record out;
	uint64_t lost = 0;

	(void)state;
	w = writer(path, 16);
	assert_int_equal(ring_epoch(w), 1);
	assert_int_equal(ring_writer_pid(w), getpid());
	publish(w, 10);
	r = reader(path);
	for (uint64_t s = 1; s <= 10; s++)
		assert_int_equal(ring_read(r, &out, &lost), 1);
	ring_close(w);
	/* the reader keeps its mapping across the writer's absence */
	assert_int_equal(ring_read(r, &out, &lost), 0);
	w = writer(path, 16);
	assert_int_equal(ring_epoch(w), 2);
	assert_int_equal(ring_epoch(r), 2);
	assert_int_equal(ring_cursor(w), 10);
	publish(w, 3);
	assert_int_equal(ring_cursor(w), 13);
	for (uint64_t s = 11; s <= 13; s++) {
		assert_int_equal(ring_read(r, &out, &lost), 1);
		assert_int_equal(out.seq, s);
		check(&out, s);
	}
	assert_int_equal(lost, 0);
	assert_int_equal(ring_replaced(r), 0);
	ring_close(w);
	w = writer(path, 16);
	assert_int_equal(ring_epoch(r), 3);
	ring_close(w);
	ring_close(r);
}

/*
 * A writer killed between W4 and W5 leaves records published past the
 * cursor, which readers may have read, and perhaps a slot still BUSY.
 * The next writer continues after the published ones (tickpipe-ring(5),
 * "The writer lock, reopening and the epoch"): no sequence a reader saw
 * is reused; the BUSY slot, never published, gets its first record.
 */
static void
writer_reopen_continues_after_slots_published_past_the_cursor(void **state)
{
	struct tp_record rec, out;
	struct ring *w, *r;
	uint64_t lost = 0, cur = 10, busy = 13ULL | (1ULL << 63);
	int fd;

	(void)state;
	w = writer(path, 16);
	publish(w, 10);
	r = reader(path);
	ring_close(w);
	/* the killed writer's W4 for 11 and 12, W1 for 13; no W5 */
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	for (uint64_t s = 11; s <= 12; s++) {
		fill(&rec, s);
		rec.seq = s;
		assert_int_equal(pwrite(fd, &rec, sizeof(rec), 4096 +
		    (off_t)(s & 15) * 256), (ssize_t)sizeof(rec));
	}
	assert_int_equal(pwrite(fd, &busy, 8, 4096 + 13 * 256), 8);
	assert_int_equal(pread(fd, &cur, 8, H_CURSOR), 8);
	close(fd);
	assert_int_equal(cur, 10);
	for (uint64_t s = 1; s <= 12; s++) {
		assert_int_equal(ring_read(r, &out, &lost), 1);
		check(&out, s);
	}
	assert_int_equal(ring_read(r, &out, &lost), 0);	/* 13 is BUSY */
	w = writer(path, 16);
	assert_int_equal(ring_cursor(w), 12);
	publish(w, 2);
	for (uint64_t s = 13; s <= 14; s++) {
		assert_int_equal(ring_read(r, &out, &lost), 1);
		check(&out, s);
	}
	assert_int_equal(lost, 0);
	ring_close(w);
	ring_close(r);
}

static void
second_writer_is_refused_naming_the_holder(void **state)
{
	struct ring_config cfg = { path, 16, (gid_t)-1, 0, 0 };
	struct ring *w = NULL;
	int p[2], status;
	pid_t pid;
	char c, want[64];

	(void)state;
	assert_int_equal(pipe(p), 0);
	if ((pid = fork()) == 0) {
		struct ring *cw = NULL;

		close(p[0]);
		if (ring_writer_open(&cw, &cfg, err, sizeof(err)) != RING_OK)
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(2);
		pause();
		_exit(0);
	}
	assert_true(pid > 0);
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	assert_int_equal(ring_writer_open(&w, &cfg, err, sizeof(err)),
	    RING_ELOCKED);
	snprintf(want, sizeof(want), "pid %ld", (long)pid);
	if (strstr(err, want) == NULL)
		fail_msg("\"%s\" does not name %s", err, want);
	assert_non_null(strstr(err, path));
	/* once the holder is gone, the ring can be taken over */
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	w = writer(path, 16);
	assert_int_equal(ring_epoch(w), 2);
	ring_close(w);
}

static void
capacity_must_be_a_power_of_two_in_range(void **state)
{
	static const uint64_t bad[] = { 1, 8, 15, 17, 48, 65535,
	    RING_MAX_CAPACITY + 1, RING_MAX_CAPACITY * 2, UINT64_MAX,
	    1ULL << 63 };
	struct ring_config cfg = { path, 0, (gid_t)-1, 0, 0 };
	struct ring *w;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		int rc;

		cfg.capacity = bad[i];
		w = NULL;
		rc = ring_writer_open(&w, &cfg, err, sizeof(err));
		if (rc != RING_EINVAL)
			fail_msg("capacity %llu: %d, expected RING_EINVAL",
			    (unsigned long long)bad[i], rc);
		assert_null(w);
		assert_non_null(strstr(err, "power of two"));
		assert_int_equal(access(path, F_OK), -1);	/* not created */
	}
	w = writer(path, RING_MIN_CAPACITY);
	assert_int_equal(ring_capacity(w), RING_MIN_CAPACITY);
	ring_close(w);
}

static void
capacity_zero_means_default_or_the_existing_one(void **state)
{
	struct ring *w;

	(void)state;
	w = writer(path, 0);
	assert_int_equal(ring_capacity(w), RING_DEFAULT_CAPACITY);
	ring_close(w);
	assert_int_equal(unlink(path), 0);
	w = writer(path, 64);
	publish(w, 3);
	ring_close(w);
	w = writer(path, 0);
	assert_int_equal(ring_capacity(w), 64);
	assert_int_equal(ring_epoch(w), 2);
	assert_int_equal(ring_cursor(w), 3);
	ring_close(w);
}

static void
reopen_with_another_capacity_is_refused_or_recreated(void **state)
{
	struct ring_config cfg = { path, 32, (gid_t)-1, 0, 0 };
	struct ring *w;

	(void)state;
	w = writer(path, 16);
	publish(w, 5);
	ring_close(w);
	w = NULL;
	assert_int_equal(ring_writer_open(&w, &cfg, err, sizeof(err)),
	    RING_EMISMATCH);
	assert_non_null(strstr(err, "capacity: expected 32, found 16"));
	assert_non_null(strstr(err, "--recreate"));
	cfg.recreate = 1;
	assert_int_equal(ring_writer_open(&w, &cfg, err, sizeof(err)),
	    RING_OK);
	assert_int_equal(ring_capacity(w), 32);
	assert_int_equal(ring_epoch(w), 1);
	assert_int_equal(ring_cursor(w), 0);
	ring_close(w);
}

static void
pwrite_u64(const char *p, off_t off, uint64_t v)
{
	int fd = open(p, O_RDWR);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, &v, sizeof(v), off), sizeof(v));
	close(fd);
}

static void
pwrite_u32(const char *p, off_t off, uint32_t v)
{
	int fd = open(p, O_RDWR);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, &v, sizeof(v), off), sizeof(v));
	close(fd);
}

/* Opening path must fail with code and a message containing want. */
static void
reader_refuses(int code, const char *want)
{
	struct ring *r = NULL;
	int rc = ring_reader_open(&r, path, err, sizeof(err));

	if (rc != code)
		fail_msg("ring_reader_open: %d (%s), expected %d", rc, err,
		    code);
	assert_null(r);
	if (strstr(err, want) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", err, want);
	assert_null(strchr(err, '\n'));
}

static void
header_mismatch_names_field_expected_and_found(void **state)
{
	struct ring *w;
	uint64_t good_hash;
	char want[128];

	(void)state;
	w = writer(path, 16);
	good_hash = ring_layout_hash(w);
	ring_close(w);

	pwrite_u64(path, H_MAGIC, 0x1122334455667788ULL);
	reader_refuses(RING_EMISMATCH, "magic: expected 0x0100474e49525054, "
	    "found 0x1122334455667788");
	pwrite_u64(path, H_MAGIC, 0x0100474e49525054ULL);

	pwrite_u32(path, H_VERSION, 7);
	reader_refuses(RING_EMISMATCH, "version: expected 1, found 7");
	pwrite_u32(path, H_VERSION, RING_VERSION);

	pwrite_u64(path, H_LAYOUT, good_hash ^ 1);
	snprintf(want, sizeof(want), "layout hash: expected 0x%016llx, found "
	    "0x%016llx", (unsigned long long)good_hash,
	    (unsigned long long)(good_hash ^ 1));
	reader_refuses(RING_EMISMATCH, want);
	pwrite_u64(path, H_LAYOUT, good_hash);

	pwrite_u32(path, H_RECSIZE, 128);
	reader_refuses(RING_EMISMATCH, "record size: expected 256, found 128");
	pwrite_u32(path, H_RECSIZE, REC_SIZE);

	pwrite_u64(path, H_CAPACITY, 24);
	reader_refuses(RING_EMISMATCH, "capacity: expected a power of two");
	reader_refuses(RING_EMISMATCH, "found 24");
	/* a valid capacity that does not match the object's size */
	pwrite_u64(path, H_CAPACITY, 32);
	reader_refuses(RING_EMISMATCH, "size: expected 12288 bytes for "
	    "capacity 32, found 8192");
	pwrite_u64(path, H_CAPACITY, 16);

	/* the object shrunk or grew under its header */
	assert_int_equal(truncate(path, RING_HDR_SIZE + 10 * REC_SIZE), 0);
	reader_refuses(RING_EMISMATCH, "size: expected 8192 bytes for "
	    "capacity 16, found 6656");
	assert_int_equal(truncate(path, RING_HDR_SIZE + 17 * REC_SIZE), 0);
	reader_refuses(RING_EMISMATCH, "found 8448");
	assert_int_equal(truncate(path, 100), 0);
	reader_refuses(RING_EMISMATCH, "size: expected at least 4096 bytes, "
	    "found 100");
	/* empty again: looks like a ring still being created */
	assert_int_equal(truncate(path, 0), 0);
	reader_refuses(RING_ENOENT, "not initialized");
}

static void
ring_being_created_is_not_there_yet(void **state)
{
	int fd;

	(void)state;
	reader_refuses(RING_ENOENT, "does not exist");
	/* created, sized, magic not yet written */
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	reader_refuses(RING_ENOENT, "not initialized");
	assert_int_equal(ftruncate(fd, RING_HDR_SIZE + 16 * REC_SIZE), 0);
	reader_refuses(RING_ENOENT, "not initialized");
	close(fd);
	/* a writer finding such a leftover (no writer holds it) replaces it */
	{
		struct ring_config cfg = { path, 16, (gid_t)-1, 0, 0 };
		struct ring *w = NULL;

		assert_int_equal(ring_writer_open(&w, &cfg, err, sizeof(err)),
		    RING_OK);
		assert_non_null(strstr(err, "replaced damaged ring"));
		assert_int_equal(ring_epoch(w), 1);
		assert_int_equal(ring_cursor(w), 0);
		ring_close(w);
	}
}

static void
bad_names_are_refused(void **state)
{
	static const char *const bad[] = { "", "a b", "x;y", "tab\t",
	    "/tickpipe.x", "é" };
	struct ring_config cfg = { NULL, 16, (gid_t)-1, 0, 0 };
	struct ring *w = NULL;
	char longname[128];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		cfg.name = bad[i];
		assert_int_equal(ring_writer_open(&w, &cfg, err, sizeof(err)),
		    RING_EINVAL);
		assert_int_equal(ring_reader_open(&w, bad[i], err, sizeof(err)),
		    RING_EINVAL);
	}
	memset(longname, 'a', 101);
	longname[101] = '\0';
	assert_int_equal(ring_reader_open(&w, longname, err, sizeof(err)),
	    RING_EINVAL);
	assert_null(w);
}

static void
shm_ring_is_private_and_named_tickpipe_dot_name(void **state)
{
	char name[64], shm[128];
	struct ring *w, *r;
	struct stat st;

	(void)state;
	snprintf(name, sizeof(name), "tpunit-%ld", (long)getpid());
	snprintf(shm, sizeof(shm), "/dev/shm/tickpipe.%s", name);
	ring_unlink(name);
	w = writer(name, 16);
	assert_string_equal(ring_path(w), shm + 8);
	assert_string_equal(ring_name(w), name);
	assert_int_equal(stat(shm, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, RING_HDR_SIZE + 16 * REC_SIZE);
	/* every page reserved at creation (posix_fallocate) */
	assert_true(st.st_blocks * 512 >= st.st_size);
	r = reader(name);
	assert_int_equal(ring_layout_hash(r), ring_layout_hash(w));
	assert_true(ring_created_ns(r) > 0);
	assert_true(ring_heartbeat_ns(r) >= ring_created_ns(r));
	assert_int_equal(ring_replaced(r), 0);
	ring_close(w);
	assert_int_equal(ring_unlink(name), 0);
	assert_int_equal(ring_replaced(r), 1);		/* removed */
	w = writer(name, 16);
	assert_int_equal(ring_replaced(r), 1);		/* created anew */
	assert_int_equal(ring_epoch(w), 1);
	ring_close(r);
	ring_close(w);
	assert_int_equal(ring_unlink(name), 0);
	assert_int_equal(ring_unlink(name), -1);
	assert_int_equal(errno, ENOENT);
}

static void
wait_times_out_then_sees_data(void **state)
{
	struct ring *w, *r;
	struct tp_record out;
	uint64_t lost = 0;

	(void)state;
	w = writer(path, 16);
	r = reader(path);
	assert_int_equal(ring_wait(r, 0, 20), 0);	/* sleeps, times out */
	assert_int_equal(ring_wait(r, -1, 5), 0);	/* spins, times out */
	assert_int_equal(ring_waiters(r), 0);
	publish(w, 1);
	assert_int_equal(ring_wait(r, 0, 1000), 1);
	assert_int_equal(ring_wait(r, -1, 1000), 1);
	assert_int_equal(ring_read(r, &out, &lost), 1);
	assert_int_equal(ring_wait(r, 0, 0), 0);
	ring_close(r);
	ring_close(w);
}

static void
blocked_reader_is_woken_by_another_process(void **state)
{
	struct ring *w, *r;
	struct tp_record out;
	uint64_t lost = 0;
	pid_t pid;
	int status, rc;

	(void)state;
	w = writer(path, 16);
	r = reader(path);
	if ((pid = fork()) == 0) {
		/* the child publishes once the parent sleeps on the futex */
		int slept;

		for (int i = 0; i < 5000 && ring_waiters(w) == 0; i++)
			usleep(1000);
		slept = ring_waiters(w) != 0;
		publish(w, 1);
		_exit(slept ? 0 : 3);
	}
	assert_true(pid > 0);
	rc = ring_wait(r, 0, 30000);
	assert_int_equal(rc, 1);
	assert_int_equal(ring_read(r, &out, &lost), 1);
	assert_int_equal(out.seq, 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(ring_waiters(r), 0);
	ring_close(r);
	ring_close(w);
}

/* Forks a process that tries to become the writer; returns its result. */
static int
writer_in_child(const char *name)
{
	struct ring_config cfg = { name, 16, (gid_t)-1, 0, 0 };
	int status;
	pid_t pid;

	if ((pid = fork()) == 0) {
		struct ring *w = NULL;

		_exit(ring_writer_open(&w, &cfg, err, sizeof(err)) == RING_OK ?
		    0 : 1);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status) == 0 ? RING_OK : RING_ELOCKED;
}

static void
writer_lock_survives_other_handles_in_its_process(void **state)
{
	struct ring_config cfg = { path, 16, (gid_t)-1, 0, 0 };
	struct ring *w, *w2 = NULL, *r;
	char want[64];

	(void)state;
	w = writer(path, 16);
	/* a second writer in the same process is refused as well */
	assert_int_equal(ring_writer_open(&w2, &cfg, err, sizeof(err)),
	    RING_ELOCKED);
	snprintf(want, sizeof(want), "pid %ld", (long)getpid());
	if (strstr(err, want) == NULL)
		fail_msg("\"%s\" does not name %s", err, want);
	/* opening and closing a reader, or checking for replacement, in
	 * the writer's process must not drop the writer's lock */
	r = reader(path);
	assert_int_equal(ring_replaced(r), 0);
	ring_close(r);
	assert_int_equal(writer_in_child(path), RING_ELOCKED);
	ring_close(w);
	assert_int_equal(writer_in_child(path), RING_OK);
}

static void
symbolic_links_are_never_followed(void **state)
{
	char target[160], name[64], shm[128];
	struct ring *w = NULL, *r = NULL;
	struct ring_config cfg = { path, 16, (gid_t)-1, 0, 0 };

	(void)state;
	/* a file ring path that is a link to an existing ring */
	snprintf(target, sizeof(target), "%s/real", dir);
	w = writer(target, 16);
	ring_close(w);
	w = NULL;
	assert_int_equal(symlink(target, path), 0);
	assert_int_not_equal(ring_writer_open(&w, &cfg, err, sizeof(err)),
	    RING_OK);
	assert_null(w);
	assert_int_not_equal(ring_reader_open(&r, path, err, sizeof(err)),
	    RING_OK);
	assert_null(r);
	/* a shm name that is a link */
	snprintf(name, sizeof(name), "tpunit-link-%ld", (long)getpid());
	snprintf(shm, sizeof(shm), "/dev/shm/tickpipe.%s", name);
	unlink(shm);
	assert_int_equal(symlink(target, shm), 0);
	cfg.name = name;
	assert_int_not_equal(ring_writer_open(&w, &cfg, err, sizeof(err)),
	    RING_OK);
	assert_int_not_equal(ring_reader_open(&r, name, err, sizeof(err)),
	    RING_OK);
	unlink(shm);
}

static void
group_ring_is_mode_0640_with_that_group(void **state)
{
	struct ring_config cfg = { path, 16, 4242, 0, 0 };
	struct ring *w = NULL;
	struct stat st;

	(void)state;
	if (geteuid() != 0)
		skip();		/* only root may give a file any group */
	assert_int_equal(ring_writer_open(&w, &cfg, err, sizeof(err)), RING_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_gid, 4242);
	ring_close(w);
}

/* Permissions of this process's mappings of path at offset off. */
static void
mapping_perms(const char *p, unsigned long off, char perms[5])
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];

	perms[0] = '\0';
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		char pm[5], file[256];
		unsigned long o;

		file[0] = '\0';
		if (sscanf(line, "%*x-%*x %4s %lx %*s %*s %255s", pm, &o,
		    file) == 3 && strcmp(file, p) == 0 && o == off)
			memcpy(perms, pm, 5);
	}
	fclose(f);
}

static void
readers_map_the_slots_read_only(void **state)
{
	struct ring *w, *r;
	char perms[5];

	(void)state;
	w = writer(path, 16);
	mapping_perms(path, 0, perms);	/* one mapping once merged */
	assert_string_equal(perms, "rw-s");
	ring_close(w);
	r = reader(path);
	mapping_perms(path, 0, perms);
	assert_string_equal(perms, "rw-s");	/* header: futex waiters */
	mapping_perms(path, RING_HDR_SIZE, perms);
	assert_string_equal(perms, "r--s");	/* slots */
	ring_close(r);
}

/*
 * The SIGBUS guard places a fault by the ring it hit, in a table of 64:
 * a 65th ring mapped at once is refused (RING_EGUARD), leaving no
 * object behind, rather than mapped where a fault on it cannot be
 * recovered from.  Closing one frees its slot.
 */
static void
ring_past_the_guard_table_is_refused(void **state)
{
	struct ring_config cfg = { NULL, 16, (gid_t)-1, 0, 0 };
	struct ring *w[65] = { NULL }, *r = NULL;
	char name[65][160];
	struct stat sb;
	int i, rc;

	(void)state;
	for (i = 0; i < 65; i++)
		snprintf(name[i], sizeof(name[i]), "%s/many%d", dir, i);
	for (i = 0; i < 64; i++)
		w[i] = writer(name[i], 16);
	cfg.name = name[64];
	rc = ring_writer_open(&w[64], &cfg, err, sizeof(err));
	assert_int_equal(rc, RING_EGUARD);
	assert_null(w[64]);
	assert_non_null(strstr(err, "more than 64 rings mapped at once"));
	assert_int_equal(stat(name[64], &sb), -1);	/* not left behind */
	rc = ring_reader_open(&r, name[0], err, sizeof(err));
	assert_int_equal(rc, RING_EGUARD);
	assert_null(r);
	assert_int_equal(ring_exit(RING_EGUARD), 71);
	ring_close(w[63]);
	w[63] = NULL;
	w[64] = writer(name[64], 16);
	for (i = 0; i < 65; i++)
		ring_close(w[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(published_records_read_back_in_order),
		T(reader_opened_later_starts_at_oldest),
		T(lapped_reader_reports_exact_loss),
		T(follow_counts_records_a_new_ring_lost_before_it_came),
		T(seek_oldest_latest_and_sequence),
		T(writer_reopen_bumps_epoch_and_continues_sequence),
		T(writer_reopen_continues_after_slots_published_past_the_cursor),
		T(second_writer_is_refused_naming_the_holder),
		T(capacity_must_be_a_power_of_two_in_range),
		T(capacity_zero_means_default_or_the_existing_one),
		T(reopen_with_another_capacity_is_refused_or_recreated),
		T(header_mismatch_names_field_expected_and_found),
		T(ring_being_created_is_not_there_yet),
		T(bad_names_are_refused),
		T(shm_ring_is_private_and_named_tickpipe_dot_name),
		T(wait_times_out_then_sees_data),
		T(blocked_reader_is_woken_by_another_process),
		T(writer_lock_survives_other_handles_in_its_process),
		T(symbolic_links_are_never_followed),
		T(group_ring_is_mode_0640_with_that_group),
		T(readers_map_the_slots_read_only),
		T(ring_past_the_guard_table_is_refused),
#undef T
	};

	return cmocka_run_group_tests_name("ring", tests, NULL, NULL);
}
