/*
 * ring.c: the shared-memory broadcast ring; see ring.h for the contract
 * and tickpipe-ring(5) for the byte layout.
 *
 * Memory ordering, in short.  Writer, for sequence s into slot i:
 *   W1 store slot[i].seq = s|BUSY (relaxed)
 *   W2 release fence                      pairs with R3
 *   W3 store the record's other words (relaxed atomics)
 *   W4 store slot[i].seq = s (release)    pairs with R1
 *   W5 store hdr.cursor = s (release)     pairs with R0
 *   W6 seq_cst fence, load hdr.waiters    pairs with S1 (Dekker)
 *   W7 futex += 1 (release), FUTEX_WAKE   pairs with S2
 * Reader, for sequence s:
 *   R0 load hdr.cursor (acquire), only to know whether s can be there
 *   R1 load slot[i].seq (acquire); must equal s
 *   R2 load the record's words (relaxed atomics)
 *   R3 acquire fence
 *   R4 load slot[i].seq (relaxed); must still equal s, else torn: retry
 * Sleeper:
 *   S1 waiters += 1 (seq_cst), then S2 load futex (acquire), then reload
 *   the cursor; sleep only if still nothing, on the futex value from S2.
 * The record words are copied with relaxed atomic loads and stores, so
 * the race the seqlock tolerates is not undefined behaviour in C11.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ring.h"
#include "util.h"

/* "TPRING\0\1" as little-endian bytes */
#define RING_MAGIC	0x0100474e49525054ULL
#define SEQ_BUSY	(1ULL << 63)
#define REC_WORDS	(REC_SIZE / 8)

struct ring_hdr {
	_Atomic uint64_t	magic;		/*   0 written last */
	uint32_t		version;	/*   8 */
	uint32_t		record_size;	/*  12 */
	uint64_t		layout_hash;	/*  16 */
	uint64_t		capacity;	/*  24 */
	int64_t			created_ns;	/*  32 */
	_Atomic int32_t		writer_pid;	/*  40 */
	uint32_t		pad0;		/*  44 */
	_Atomic uint64_t	epoch;		/*  48 */
	uint64_t		first_seq;	/*  56 0 in old rings: read as 1 */
	_Atomic uint64_t	cursor;		/*  64 own cache line */
	uint8_t			pad2[56];
	_Atomic uint32_t	futex;		/* 128 own cache line */
	_Atomic uint32_t	waiters;	/* 132 */
	uint8_t			pad3[56];
	_Atomic int64_t		heartbeat_ns;	/* 192 */
	uint8_t			pad4[RING_HDR_SIZE - 200];
};

_Static_assert(sizeof(struct ring_hdr) == RING_HDR_SIZE, "header is a page");
_Static_assert(offsetof(struct ring_hdr, cursor) == 64, "cursor at 64");
_Static_assert(offsetof(struct ring_hdr, futex) == 128, "futex at 128");
_Static_assert(offsetof(struct ring_hdr, waiters) == 132, "waiters at 132");
_Static_assert(offsetof(struct ring_hdr, heartbeat_ns) == 192, "hb at 192");
_Static_assert(sizeof(_Atomic uint64_t) == 8, "atomic u64 is plain");

/* A slot seen as 32 atomic words; word 0 is the record's seq. */
struct ring_slot {
	_Atomic uint64_t	w[REC_WORDS];
};

struct ring {
	struct ring_hdr		*hdr;
	struct ring_slot	*slots;		/* read-only for readers */
	uint64_t		 cap;
	uint64_t		 mask;
	uint64_t		 first;		/* first seq of this object, >= 1 */
	uint64_t		 next;		/* reader: next seq to read */
	uint64_t		 seen;		/* reader: highest cursor seen */
	uint64_t		 last;		/* writer: last seq written */
	uint64_t		 epoch;		/* writer: the epoch it stored */
	int64_t			 check_at;	/* writer: next check, mono ns */
	unsigned		 check_left;	/* writer: publishes until then */
	int			 lost;		/* writer: enum ring_loss */
	off_t			 lost_size;	/* writer: size found, if resized */
	size_t			 maplen;
	int			 fd;
	int			 writer;
	int			 rdonly;	/* reader without write permission */
	volatile sig_atomic_t	 faulted;	/* SIGBUS on the mapping */
	int			 corrupt;	/* reader: a record or the
						   cursor no ring can hold */
	gid_t			 gid;		/* writer: group, (gid_t)-1 none */
	dev_t			 dev;
	ino_t			 ino;
	char			 name[128];
	char			 path[256];
};

/* Why a writer's object is no longer the ring (ring_lost). */
enum ring_loss {
	LOSS_NONE = 0,
	LOSS_TRUNCATED,		/* shrunk: SIGBUS, or a smaller size */
	LOSS_RESIZED,		/* grown: readers would refuse it */
	LOSS_REMOVED,		/* the name is gone */
	LOSS_REPLACED,		/* the name refers to another object */
	LOSS_OVERWRITTEN,	/* its header is not the one written */
};

/*
 * The writer checks its object every CHECK_EVERY publishes, at most
 * every CHECK_NS: a clock read costs more than a record here (tens of
 * ns on a VM), so it is not done per publish.
 */
#define CHECK_EVERY	64
#define CHECK_NS	200000000LL

/* rings a process may have mapped at once: the SIGBUS guard's slots */
#define RING_GUARDED	64

static int	ring_guard_add(struct ring *);
static void	ring_guard_del(struct ring *);

static int
ring_mkpath(const char *name, char *path, size_t len, char *err, size_t errlen)
{
	size_t n = strlen(name);

	if (n == 0 || n > 100) {
		snprintf(err, errlen, "ring name must be 1 to 100 characters");
		return RING_EINVAL;
	}
	if (strchr(name, '/') != NULL) {
		if (strncmp(name, "/tickpipe.", 10) == 0 &&
		    strchr(name + 1, '/') == NULL) {
			snprintf(err, errlen, "ring path %s: would be taken "
			    "for a shm name; use ./ or a directory", name);
			return RING_EINVAL;
		}
		snprintf(path, len, "%s", name);
		return RING_OK;
	}
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
			snprintf(err, errlen, "ring name %s: only letters, "
			    "digits, '.', '_' and '-' (or a path with '/')",
			    name);
			return RING_EINVAL;
		}
	}
	snprintf(path, len, "/tickpipe.%s", name);
	return RING_OK;
}

/* A name with a '/' is a file path; ring_mkpath keeps it as the path. */
static int
ring_isfile(const char *path)
{
	return strncmp(path, "/tickpipe.", 10) != 0 ||
	    strchr(path + 1, '/') != NULL;
}

/* Never follows a symbolic link (shm_open adds O_NOFOLLOW itself). */
static int
ring_openpath(const char *path, int flags, mode_t mode)
{
	if (ring_isfile(path))
		return open(path, flags | O_NOFOLLOW | O_CLOEXEC, mode);
	return shm_open(path, flags | O_NOFOLLOW, mode);
}

/*
 * A file path is removed only if it holds a ring, of any build, or a
 * ring's size with a magic of 0 (a creation that died): a path may name
 * any file, where "tickpipe." names in /dev/shm are ours.
 */
int
ring_unlink(const char *name)
{
	char path[256], err[128];
	struct ring_hdr h;
	struct stat sb;
	ssize_t n;
	int fd;

	if (ring_mkpath(name, path, sizeof(path), err, sizeof(err)) != RING_OK) {
		errno = EINVAL;
		return -1;
	}
	if (!ring_isfile(path))
		return shm_unlink(path);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK)) < 0)
		return -1;
	memset(&h, 0, sizeof(h));
	if (fstat(fd, &sb) < 0 ||
	    (n = S_ISREG(sb.st_mode) ? pread(fd, &h, sizeof(h), 0) : 0) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	if (!S_ISREG(sb.st_mode) || (h.magic != RING_MAGIC && (h.magic != 0 ||
	    sb.st_size <= RING_HDR_SIZE ||
	    (sb.st_size - RING_HDR_SIZE) % REC_SIZE != 0)))
		return -2;
	return unlink(path);
}

int
ring_name_ok(const char *name, char *err, size_t errlen)
{
	char path[256];

	return ring_mkpath(name, path, sizeof(path), err, errlen) == RING_OK ?
	    0 : -1;
}

/* The object a ring name opens, if it exists: its device and inode. */
static int
ring_ident(const char *name, struct stat *sb)
{
	char path[256], err[128];
	int fd, rc;

	if (ring_mkpath(name, path, sizeof(path), err, sizeof(err)) != RING_OK ||
	    (fd = ring_openpath(path, O_RDONLY | O_NONBLOCK, 0)) < 0)
		return -1;
	rc = fstat(fd, sb);
	close(fd);
	return rc;
}

int
ring_same(const char *a, const char *b)
{
	struct stat sa, sb;

	return ring_ident(a, &sa) == 0 && ring_ident(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* CLOCK_MONOTONIC_COARSE: ms resolution, a fraction of the cost. */
static int64_t
coarse_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
ring_cap_ok(uint64_t cap)
{
	return cap >= RING_MIN_CAPACITY && cap <= RING_MAX_CAPACITY &&
	    (cap & (cap - 1)) == 0;
}

static uint64_t
expected_layout_hash(void)
{
	return rec_layout_hash() ^ ((uint64_t)RING_HDR_SIZE << 32);
}

/*
 * No writer stores a first_seq past its cursor + 1 (tickpipe-ring(5),
 * "Creating"): one that is was written over, and a reader would start
 * at a record that never comes.
 */
static int
ring_first_ok(const struct ring_hdr *h)
{
	uint64_t c = atomic_load_explicit(&((struct ring_hdr *)h)->cursor,
	    memory_order_relaxed);

	return h->first_seq <= c + 1;
}

/*
 * hdr_first: the header's first_seq as it counts, 0 (rings made before
 * the field) read as 1 (tickpipe-ring(5), Header).
 */
static uint64_t
hdr_first(uint64_t first_seq)
{
	return first_seq > 1 ? first_seq : 1;
}

/*
 * Checks the header fields against this build and the object size.
 * Returns RING_OK or RING_EMISMATCH / RING_ENOENT with a message.
 */
static int
ring_check(const struct ring_hdr *h, off_t size, uint64_t want_cap,
    char *err, size_t errlen)
{
	uint64_t magic = atomic_load_explicit(&((struct ring_hdr *)h)->magic,
	    memory_order_acquire);	/* pairs with the release in ring_init */

	if (magic == 0) {
		snprintf(err, errlen, "not initialized yet (magic is 0)");
		return RING_ENOENT;
	}
	if (magic != RING_MAGIC) {
		snprintf(err, errlen, "magic: expected 0x%016llx, found "
		    "0x%016" PRIx64, (unsigned long long)RING_MAGIC, magic);
		return RING_EMISMATCH;
	}
	if (h->version != RING_VERSION) {
		snprintf(err, errlen, "version: expected %d, found %" PRIu32,
		    RING_VERSION, h->version);
		return RING_EMISMATCH;
	}
	if (h->layout_hash != expected_layout_hash()) {
		snprintf(err, errlen, "layout hash: expected 0x%016" PRIx64
		    ", found 0x%016" PRIx64 " (built from another record "
		    "layout)", expected_layout_hash(), h->layout_hash);
		return RING_EMISMATCH;
	}
	if (h->record_size != REC_SIZE) {
		snprintf(err, errlen, "record size: expected %d, found %"
		    PRIu32, REC_SIZE, h->record_size);
		return RING_EMISMATCH;
	}
	if (!ring_cap_ok(h->capacity) ||
	    (want_cap != 0 && h->capacity != want_cap)) {
		if (want_cap != 0)
			snprintf(err, errlen, "capacity: expected %" PRIu64
			    ", found %" PRIu64, want_cap, h->capacity);
		else
			snprintf(err, errlen, "capacity: expected a power of "
			    "two in [%d, %llu], found %" PRIu64,
			    RING_MIN_CAPACITY,
			    (unsigned long long)RING_MAX_CAPACITY,
			    h->capacity);
		return RING_EMISMATCH;
	}
	if ((uint64_t)size != RING_HDR_SIZE + h->capacity * REC_SIZE) {
		snprintf(err, errlen, "size: expected %" PRIu64 " bytes for "
		    "capacity %" PRIu64 ", found %lld",
		    RING_HDR_SIZE + h->capacity * REC_SIZE, h->capacity,
		    (long long)size);
		return RING_EMISMATCH;
	}
	if (!ring_first_ok(h)) {
		snprintf(err, errlen, "first_seq %" PRIu64 " is past the "
		    "cursor %" PRIu64 " + 1: written over", h->first_seq,
		    atomic_load_explicit(&((struct ring_hdr *)h)->cursor,
		    memory_order_relaxed));
		return RING_EMISMATCH;
	}
	return RING_OK;
}

static int
ring_map(struct ring *r, int writable, char *err, size_t errlen)
{
	void *p;

	r->maplen = RING_HDR_SIZE + r->cap * REC_SIZE;
	/*
	 * Header read-write for everyone who may (readers register as
	 * futex waiters), read-only for a reader without write permission;
	 * slots read-write only for the writer.  Two mappings, placed
	 * contiguously.
	 */
	p = mmap(NULL, r->maplen, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED)
		goto err;
	/*
	 * MAP_POPULATE: fill the page tables now, so that no read or write
	 * on the data path takes a minor page fault (a microsecond or more
	 * each, once per 16 records on the first lap otherwise).
	 */
	if (mmap(p, RING_HDR_SIZE, r->rdonly ? PROT_READ : PROT_READ |
	    PROT_WRITE, MAP_SHARED | MAP_FIXED | MAP_POPULATE, r->fd, 0) ==
	    MAP_FAILED)
		goto err_unmap;
	if (mmap((char *)p + RING_HDR_SIZE, r->maplen - RING_HDR_SIZE,
	    writable ? PROT_READ | PROT_WRITE : PROT_READ,
	    MAP_SHARED | MAP_FIXED | MAP_POPULATE, r->fd, RING_HDR_SIZE) ==
	    MAP_FAILED)
		goto err_unmap;
	r->hdr = p;
	r->slots = (struct ring_slot *)((char *)p + RING_HDR_SIZE);
	if (ring_guard_add(r) < 0) {
		r->hdr = NULL;
		r->slots = NULL;
		munmap(p, r->maplen);
		snprintf(err, errlen, "%s: more than %d rings mapped at once: "
		    "the SIGBUS guard has no slot for it", r->path,
		    RING_GUARDED);
		return RING_EGUARD;
	}
	return RING_OK;
err_unmap:
	munmap(p, r->maplen);
err:
	snprintf(err, errlen, "mmap %s: %s", r->path, strerror(errno));
	return RING_ESYS;
}

static struct ring *
ring_alloc(const char *name, char *err, size_t errlen, int *rc)
{
	struct ring *r;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(err, errlen, "out of memory");
		*rc = RING_ESYS;
		return NULL;
	}
	r->fd = -1;
	snprintf(r->name, sizeof(r->name), "%s", name);
	if ((*rc = ring_mkpath(name, r->path, sizeof(r->path), err,
	    errlen)) != RING_OK) {
		free(r);
		return NULL;
	}
	return r;
}

/*
 * Takes the writer lock; on conflict names the holder.  An open file
 * description lock (F_OFD_SETLK), not a POSIX record lock: a record lock
 * belongs to the process and is dropped when the process closes ANY
 * descriptor of the object (a reader opened and closed beside the
 * writer, ring_replaced()), letting a second writer in; and it would let
 * a second writer in the same process through.  OFD locks do not report
 * their owner (l_pid is -1), so the holder is named from the header.
 */
static int
ring_lock(struct ring *r, char *err, size_t errlen)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
	    .l_start = 0, .l_len = 1, .l_pid = 0 };
	int32_t pid = 0;

	if (fcntl(r->fd, F_OFD_SETLK, &fl) == 0)
		return RING_OK;
	if (errno != EACCES && errno != EAGAIN) {
		snprintf(err, errlen, "lock %s: %s", r->path, strerror(errno));
		return RING_ESYS;
	}
	if (pread(r->fd, &pid, sizeof(pid), offsetof(struct ring_hdr,
	    writer_pid)) == (ssize_t)sizeof(pid) && pid > 0)
		snprintf(err, errlen, "ring %s is already written by pid %ld",
		    r->name, (long)pid);
	else
		snprintf(err, errlen, "ring %s is already written by another "
		    "process", r->name);
	return RING_ELOCKED;
}

/*
 * Where a writer's new object starts, and what ring_writer_setup found on
 * the way: a fresh ring starts at sequence 1 and epoch 1; a ring that
 * replaces an object of this build (recreated after a loss, or a damaged
 * ring replaced at start) continues its sequence and epoch.
 */
struct ring_start {
	uint64_t	 first;		/* first sequence of a new object */
	uint64_t	 epoch;		/* epoch of a new object */
	uint64_t	 cap;		/* capacity of a new object, 0: default */
	int		 force;		/* replace any object we can (recovery) */
	char		 note[512];	/* what was replaced, "" if nothing */
};

static int
ring_unlink_path(const char *path)
{
	return ring_isfile(path) ? unlink(path) : shm_unlink(path);
}

static int
ring_create(struct ring *r, const struct ring_config *cfg,
    const struct ring_start *st, char *err, size_t errlen)
{
	mode_t mode = cfg->gid != (gid_t)-1 ? 0640 : 0600;
	off_t size = RING_HDR_SIZE + (off_t)r->cap * REC_SIZE;
	struct ring_hdr *h;
	struct stat sb;
	int rc;

	r->fd = ring_openpath(r->path, O_RDWR | O_CREAT | O_EXCL, mode);
	if (r->fd < 0) {
		if (errno == EEXIST)
			return RING_ENOENT;	/* caller reopens instead */
		snprintf(err, errlen, "create %s: %s", r->path,
		    strerror(errno));
		return RING_ESYS;
	}
	if ((rc = ring_lock(r, err, errlen)) != RING_OK)
		goto err;
	if (cfg->gid != (gid_t)-1 && (fchown(r->fd, (uid_t)-1, cfg->gid) < 0 ||
	    fchmod(r->fd, mode) < 0)) {
		snprintf(err, errlen, "%s: set group %ld: %s", r->path,
		    (long)cfg->gid, strerror(errno));
		rc = RING_ESYS;
		goto err;
	}
	if (ftruncate(r->fd, size) < 0) {
		snprintf(err, errlen, "ftruncate %s to %lld bytes: %s",
		    r->path, (long long)size, strerror(errno));
		rc = RING_ESYS;
		goto err;
	}
	/*
	 * Reserve every page now, so a full tmpfs fails here with ENOSPC
	 * instead of faulting a reader with SIGBUS later.
	 */
	if ((errno = posix_fallocate(r->fd, 0, size)) != 0) {
		if (errno == ENOSPC) {
			snprintf(err, errlen, "%s: no space for %lld bytes "
			    "(%llu records) on the shm filesystem: use a "
			    "smaller --capacity or a larger /dev/shm",
			    r->path, (long long)size,
			    (unsigned long long)r->cap);
			rc = RING_ENOSPC;
		} else {
			snprintf(err, errlen, "posix_fallocate %s: %s",
			    r->path, strerror(errno));
			rc = RING_ESYS;
		}
		goto err;
	}
	if (fstat(r->fd, &sb) < 0) {
		snprintf(err, errlen, "fstat %s: %s", r->path, strerror(errno));
		rc = RING_ESYS;
		goto err;
	}
	r->dev = sb.st_dev;
	r->ino = sb.st_ino;
	if ((rc = ring_map(r, 1, err, errlen)) != RING_OK)
		goto err;
	h = r->hdr;
	h->version = RING_VERSION;
	h->record_size = REC_SIZE;
	h->layout_hash = expected_layout_hash();
	h->capacity = r->cap;
	h->created_ns = now_ns();
	h->first_seq = st->first;
	r->first = st->first;
	r->epoch = st->epoch;
	atomic_store_explicit(&h->writer_pid, (int32_t)getpid(),
	    memory_order_relaxed);
	atomic_store_explicit(&h->epoch, st->epoch, memory_order_relaxed);
	atomic_store_explicit(&h->cursor, st->first - 1, memory_order_relaxed);
	atomic_store_explicit(&h->heartbeat_ns, now_ns(), memory_order_relaxed);
	/* Magic last: pairs with the acquire load in ring_check. */
	atomic_store_explicit(&h->magic, RING_MAGIC, memory_order_release);
	return RING_OK;
err:
	ring_unlink_path(r->path);
	close(r->fd);
	r->fd = -1;
	return rc;
}

/* The header is of this build: magic, version, layout and record size. */
static int
ring_hdr_ours(const struct ring_hdr *h)
{
	return h->magic == RING_MAGIC && h->version == RING_VERSION &&
	    h->layout_hash == expected_layout_hash() &&
	    h->record_size == REC_SIZE;
}

/*
 * A ring that no writer holds and that cannot be used as it is, but is
 * safe to replace without being asked (tickpipe-ring(5), "Writer
 * recovery"): a header of this build whose capacity or object size is
 * wrong (truncated or resized); an empty object, or one of a ring's size
 * with a magic of 0 (a creation that died); or, under a shm name, whose
 * "tickpipe." prefix is ours, any header but another build's (h is zeros
 * if the object is shorter than a header).
 * A ring of another build or version, of another capacity than asked
 * for, or a file path that holds something else is not damaged: it
 * needs --recreate.
 */
static int
ring_damaged(const struct ring_hdr *h, off_t size, const char *path)
{
	uint64_t magic = atomic_load_explicit(&h->magic, memory_order_relaxed);

	if (ring_hdr_ours(h))
		return !ring_cap_ok(h->capacity) ||
		    (uint64_t)size != RING_HDR_SIZE + h->capacity * REC_SIZE ||
		    !ring_first_ok(h);
	if (size == 0 || (magic == 0 && size > RING_HDR_SIZE &&
	    (size - RING_HDR_SIZE) % REC_SIZE == 0 &&
	    ring_cap_ok((uint64_t)(size - RING_HDR_SIZE) / REC_SIZE)))
		return 1;
	/* a recorder's queue ("TPRECQ", recorder(1)) is tickpipe's too, and
	   in use, not a damaged ring */
	if (memcmp(&magic, "TPRECQ", 6) == 0)
		return 0;
	return magic != RING_MAGIC && !ring_isfile(path);
}

/*
 * Opens an existing ring as writer.  A compatible one is reopened: its
 * sequence continues and its epoch goes up by one.  One that is damaged
 * (see ring_damaged), or any with st->force or cfg->recreate, is removed
 * (we hold its lock, so no writer is using it) and RING_ENOENT returned
 * for the caller to create anew; unless asked to (--recreate), after
 * carrying its sequence and epoch into st when its header is of this
 * build.  Automatic replacement (damaged, force) touches only objects of
 * our own user.  Returns RING_ENOENT also if the ring vanished.
 */
static int
ring_reopen_writer(struct ring *r, const struct ring_config *cfg,
    struct ring_start *st, char *err, size_t errlen)
{
	struct ring_hdr hcopy;
	struct stat sb;
	char why[256];
	int rc, damaged;
	ssize_t n;

	r->fd = ring_openpath(r->path, O_RDWR, 0);
	if (r->fd < 0) {
		if (errno == ENOENT)
			return RING_ENOENT;
		snprintf(err, errlen, "open %s: %s", r->path, strerror(errno));
		return RING_ESYS;
	}
	if ((rc = ring_lock(r, err, errlen)) != RING_OK)
		goto err;
	if (fstat(r->fd, &sb) < 0) {
		snprintf(err, errlen, "fstat %s: %s", r->path, strerror(errno));
		rc = RING_ESYS;
		goto err;
	}
	/* a device or a FIFO is no ring, never replaced (even --recreate) */
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "ring %s: %s is not a regular file: not "
		    "replaced", r->name, r->path);
		rc = RING_EMISMATCH;
		goto err;
	}
	memset(&hcopy, 0, sizeof(hcopy));
	if (sb.st_size >= RING_HDR_SIZE) {
		n = pread(r->fd, &hcopy, sizeof(hcopy), 0);
		if (n != (ssize_t)sizeof(hcopy))
			memset(&hcopy, 0, sizeof(hcopy));
	}
	rc = ring_check(&hcopy, sb.st_size, r->cap, why, sizeof(why));
	if (sb.st_size > 0 && sb.st_size < RING_HDR_SIZE)
		snprintf(why, sizeof(why), "size: expected at least %d bytes, "
		    "found %lld", RING_HDR_SIZE, (long long)sb.st_size);
	if (rc == RING_OK && !st->force) {
		r->dev = sb.st_dev;
		r->ino = sb.st_ino;
		r->cap = hcopy.capacity;
		r->mask = r->cap - 1;
		r->first = hdr_first(hcopy.first_seq);
		if ((rc = ring_map(r, 1, err, errlen)) != RING_OK)
			goto err;
		atomic_store_explicit(&r->hdr->writer_pid, (int32_t)getpid(),
		    memory_order_relaxed);
		r->epoch = atomic_fetch_add_explicit(&r->hdr->epoch, 1,
		    memory_order_relaxed) + 1;
		atomic_store_explicit(&r->hdr->heartbeat_ns, now_ns(),
		    memory_order_relaxed);
		return RING_OK;
	}
	if (rc == RING_OK)
		snprintf(why, sizeof(why), "no writer holds it");
	damaged = rc != RING_OK && ring_damaged(&hcopy, sb.st_size, r->path);
	if (!cfg->recreate && !st->force && !damaged) {
		snprintf(err, errlen, "ring %s exists but is not compatible: "
		    "%s; remove it (shmreader --unlink)%s", r->name, why,
		    cfg->no_recreate ? "" : " or use --recreate");
		rc = RING_EMISMATCH;
		goto err;
	}
	if (!cfg->recreate && sb.st_uid != geteuid()) {
		snprintf(err, errlen, "ring %s is %s (%s) but belongs to uid "
		    "%ld: not replaced", r->name, damaged ? "damaged" :
		    "stale", why, (long)sb.st_uid);
		rc = RING_EMISMATCH;
		goto err;
	}
	if ((damaged || st->force) && ring_hdr_ours(&hcopy)) {
		uint64_t c = atomic_load_explicit(&hcopy.cursor,
		    memory_order_relaxed);
		uint64_t e = atomic_load_explicit(&hcopy.epoch,
		    memory_order_relaxed);

		if (c + 1 > st->first)
			st->first = c + 1;
		if (e + 1 > st->epoch)
			st->epoch = e + 1;
		if (st->cap == 0 && ring_cap_ok(hcopy.capacity))
			st->cap = hcopy.capacity;
	}
	snprintf(st->note, sizeof(st->note), "replaced %s ring %s: %s",
	    damaged ? "damaged" : rc == RING_OK ? "stale" : "incompatible",
	    r->name, why);
	if (ring_unlink_path(r->path) < 0 && errno != ENOENT) {
		snprintf(err, errlen, "remove %s: %s", r->path,
		    strerror(errno));
		rc = RING_ESYS;
		goto err;
	}
	close(r->fd);
	r->fd = -1;
	return RING_ENOENT;	/* caller creates anew */
err:
	close(r->fd);
	r->fd = -1;
	return rc;
}

/*
 * Creates the ring or opens the existing one as writer, per st; retries
 * a few times if it vanishes between.  On success sets the writer's
 * position after the last record published.
 */
static int
ring_writer_setup(struct ring *r, const struct ring_config *cfg,
    struct ring_start *st, char *err, size_t errlen)
{
	int rc = RING_ENOENT;

	r->writer = 1;
	r->gid = cfg->gid;
	for (int tries = 0; tries < 5; tries++) {
		r->cap = st->cap != 0 ? st->cap : RING_DEFAULT_CAPACITY;
		r->mask = r->cap - 1;
		rc = ring_create(r, cfg, st, err, errlen);
		if (rc != RING_ENOENT)
			break;
		/* an existing ring: any capacity unless one was asked for */
		r->cap = cfg->capacity;
		rc = ring_reopen_writer(r, cfg, st, err, errlen);
		if (rc != RING_ENOENT)
			break;
	}
	if (rc == RING_ENOENT)
		snprintf(err, errlen, "ring %s keeps vanishing while opened",
		    r->name);
	if (rc != RING_OK)
		return rc;
	r->last = atomic_load_explicit(&r->hdr->cursor, memory_order_relaxed);
	/*
	 * A writer killed inside ring_publish may have published slots
	 * (W4) past the cursor (W5) of its last batch.  Readers may have
	 * read them, so continue after the last one rather than reuse
	 * their sequences for other records.
	 */
	for (uint64_t s = r->last + 1;; s++) {
		uint64_t v = atomic_load_explicit(&r->slots[s & r->mask].w[0],
		    memory_order_relaxed);

		if (v != s)
			break;
		r->last = s;
	}
	atomic_store_explicit(&r->hdr->cursor, r->last, memory_order_release);
	r->check_left = CHECK_EVERY;
	r->check_at = coarse_ns() + CHECK_NS;
	return RING_OK;
}

int
ring_writer_open(struct ring **rp, const struct ring_config *cfg, char *err,
    size_t errlen)
{
	struct ring_start st = { 1, 1, cfg->capacity, 0, "" };
	struct ring *r;
	int rc;

	if (cfg->capacity != 0 && !ring_cap_ok(cfg->capacity)) {
		snprintf(err, errlen, "capacity %llu: must be a power of two "
		    "in [%d, %llu]", (unsigned long long)cfg->capacity,
		    RING_MIN_CAPACITY, (unsigned long long)RING_MAX_CAPACITY);
		return RING_EINVAL;
	}
	if ((r = ring_alloc(cfg->name, err, errlen, &rc)) == NULL)
		return rc;
	if ((rc = ring_writer_setup(r, cfg, &st, err, errlen)) != RING_OK) {
		free(r);
		return rc;
	}
	snprintf(err, errlen, "%s", st.note);
	*rp = r;
	return RING_OK;
}

static long
futex(_Atomic uint32_t *uaddr, int op, uint32_t val,
    const struct timespec *ts)
{
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

/*
 * Is the writer's object still the ring?  One fstat of our descriptor
 * tells truncation, resizing and removal (no links left); then, as
 * another object may have been renamed over the name (which also leaves
 * ours without links), an open and fstat of the name tells which: a new
 * object under it, or none.
 */
static int
ring_writer_check(struct ring *r)
{
	struct stat sb;
	int fd, loss = LOSS_NONE;

	if (fstat(r->fd, &sb) == 0) {
		r->lost_size = sb.st_size;
		if ((size_t)sb.st_size < r->maplen || r->faulted)
			return LOSS_TRUNCATED;
		if ((size_t)sb.st_size > r->maplen)
			return LOSS_RESIZED;
		if (sb.st_nlink == 0)
			loss = LOSS_REMOVED;
	}
	if (r->faulted)
		return LOSS_TRUNCATED;
	if ((fd = ring_openpath(r->path, O_RDONLY, 0)) < 0)
		return errno == ENOENT ? LOSS_REMOVED : loss;
	if (fstat(fd, &sb) == 0 && (sb.st_dev != r->dev || sb.st_ino != r->ino))
		loss = LOSS_REPLACED;
	close(fd);
	/*
	 * Written over in place (the object truncated and grown back to its
	 * size between two checks, or bytes written into it): readers can no
	 * longer open it, or read a cursor it never stored.
	 */
	if (loss == LOSS_NONE && (!ring_hdr_ours(r->hdr) ||
	    r->hdr->capacity != r->cap || atomic_load_explicit(&r->hdr->cursor,
	    memory_order_relaxed) != r->last ||
	    hdr_first(r->hdr->first_seq) != r->first))
		loss = LOSS_OVERWRITTEN;
	return loss;
}

/* Runs ring_writer_check if CHECK_NS have passed since the last one. */
static void
ring_writer_poll(struct ring *r)
{
	int64_t t = coarse_ns();

	if (r->lost != LOSS_NONE || t < r->check_at)
		return;
	r->check_at = t + CHECK_NS;
	r->lost = ring_writer_check(r);
}

/*
 * The object shrank under the writer (the SIGBUS guard put zeros in its
 * place): the batch is not published; r->last stays, so it goes again,
 * under the same sequences, into the object ring_recreate makes.
 */
static uint64_t
ring_publish_fault(struct ring *r)
{
	r->lost = ring_writer_check(r);
	r->check_left = 1;	/* every later call returns 0 at once */
	return 0;
}

/*
 * After each record the writer asks for the four lines of the slot
 * WRITE_AHEAD on, for writing (PREFETCHW where the target has it, else
 * PREFETCHT0, as on plain x86-64), so that they (a lap old, long out of
 * its cache) are on hand when it gets there: ringbench's lossless rate
 * went from 21-25 M to 56-60 M records/s (tickpipe-ring(5),
 * BENCHMARKS.md).  Issued after W4, so not on the path of a reader
 * waiting for the record just written; only a hint, which never faults,
 * not even on a truncated object.
 */
#define WRITE_AHEAD	16

static inline void
slot_prefetch_write(struct ring_slot *sl)
{
	for (int i = 0; i < REC_WORDS; i += 8)
		__builtin_prefetch((void *)&sl->w[i], 1);
}

/* Writes a batch: W1 to W7.  Kept apart from the checks, which are cold. */
static inline uint64_t
ring_publish_batch(struct ring *r, struct tp_record *rec, size_t n)
{
	struct ring_hdr *h = r->hdr;
	uint64_t s = r->last;

	for (size_t k = 0; k < n; k++) {
		struct ring_slot *sl;
		const uint64_t *src;

		s++;
		rec[k].seq = s;
		sl = &r->slots[s & r->mask];
		src = (const uint64_t *)(const void *)&rec[k];
		/* W1: mark busy */
		atomic_store_explicit(&sl->w[0], s | SEQ_BUSY,
		    memory_order_relaxed);
		/* W2: pairs with R3 in ring_read */
		atomic_thread_fence(memory_order_release);
		/* W3 */
		for (int i = 1; i < REC_WORDS; i++)
			atomic_store_explicit(&sl->w[i], src[i],
			    memory_order_relaxed);
		/* W4: pairs with R1 in ring_read */
		atomic_store_explicit(&sl->w[0], s, memory_order_release);
		/* after W4: off the path of a reader waiting for this one */
		slot_prefetch_write(&r->slots[(s + WRITE_AHEAD) & r->mask]);
	}
	if (r->faulted)
		return ring_publish_fault(r);
	r->last = s;
	/* W5: pairs with R0 in ring_read / ring_wait */
	atomic_store_explicit(&h->cursor, s, memory_order_release);
	/* W6: pairs with S1 in ring_wait (store-load ordering) */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&h->waiters, memory_order_relaxed) != 0) {
		/* W7: pairs with S2 in ring_wait */
		atomic_fetch_add_explicit(&h->futex, 1, memory_order_release);
		futex(&h->futex, FUTEX_WAKE, INT_MAX, NULL);
	}
	return s;
}

/* ring_publish every CHECK_EVERY calls: checks first; 0 if lost. */
static uint64_t
ring_publish_check(struct ring *r, struct tp_record *rec, size_t n)
{
	r->check_left = CHECK_EVERY;
	ring_writer_poll(r);
	if (r->lost != LOSS_NONE) {
		r->check_left = 1;	/* every later call comes here again */
		return 0;
	}
	return ring_publish_batch(r, rec, n);
}

uint64_t
ring_publish(struct ring *r, struct tp_record *rec, size_t n)
{
	if (--r->check_left == 0)
		return ring_publish_check(r, rec, n);
	return ring_publish_batch(r, rec, n);
}

void
ring_heartbeat(struct ring *r)
{
	atomic_store_explicit(&r->hdr->heartbeat_ns, now_ns(),
	    memory_order_relaxed);
	ring_writer_poll(r);
	if (r->lost != LOSS_NONE)
		r->check_left = 1;
}

int
ring_lost(const struct ring *r, char *why, size_t len)
{
	uint64_t want = r->maplen;

	if (r->lost == LOSS_NONE)
		return 0;
	if (why == NULL)
		return 1;
	switch (r->lost) {
	case LOSS_TRUNCATED:
		snprintf(why, len, "truncation: the object is %lld bytes, "
		    "not %" PRIu64, (long long)r->lost_size, want);
		break;
	case LOSS_RESIZED:
		snprintf(why, len, "resizing: the object is %lld bytes, "
		    "not %" PRIu64, (long long)r->lost_size, want);
		break;
	case LOSS_REMOVED:
		snprintf(why, len, "removal: %s no longer exists", r->path);
		break;
	case LOSS_OVERWRITTEN:
		snprintf(why, len, "overwriting: the header of %s is not the "
		    "one written", r->path);
		break;
	default:
		snprintf(why, len, "replacement: %s is another object",
		    r->path);
		break;
	}
	return 1;
}

int
ring_recreate(struct ring **rp, char *err, size_t errlen)
{
	struct ring *old = *rp, *r;
	struct ring_config cfg = { old->name, old->cap, old->gid, 0, 0 };
	struct ring_start st = { old->last + 1, old->epoch + 1, old->cap, 1,
	    "" };
	struct stat sb;
	int fd, rc;

	/*
	 * Truncated or resized, the object still has the name: remove it
	 * (we hold its lock).  XXX: another process could replace the name
	 * between the fstat and the unlink; it would lose its object.
	 */
	if ((fd = ring_openpath(old->path, O_RDONLY, 0)) >= 0) {
		if (fstat(fd, &sb) == 0 && sb.st_dev == old->dev &&
		    sb.st_ino == old->ino)
			ring_unlink_path(old->path);
		close(fd);
	}
	if ((r = ring_alloc(old->name, err, errlen, &rc)) == NULL)
		return rc;
	if ((rc = ring_writer_setup(r, &cfg, &st, err, errlen)) != RING_OK) {
		free(r);
		return rc;
	}
	/*
	 * Retire the old object: wake its sleeping readers, who then find
	 * the name on the new object and follow it (ring_follow).
	 */
	atomic_fetch_add_explicit(&old->hdr->futex, 1, memory_order_release);
	futex(&old->hdr->futex, FUTEX_WAKE, INT_MAX, NULL);
	ring_close(old);
	*rp = r;
	return RING_OK;
}

int
ring_reader_open(struct ring **rp, const char *name, char *err,
    size_t errlen)
{
	struct ring_hdr hcopy;
	struct ring *r;
	struct stat st;
	char why[256];
	int rc;

	if ((r = ring_alloc(name, err, errlen, &rc)) == NULL)
		return rc;
	/*
	 * O_RDWR: the header page is shared read-write for the futex.
	 * Without write permission (a --group member), read-only: such a
	 * reader polls instead of sleeping until woken (ring_wait).
	 */
	r->fd = ring_openpath(r->path, O_RDWR, 0);
	if (r->fd < 0 && errno == EACCES) {
		r->rdonly = 1;
		r->fd = ring_openpath(r->path, O_RDONLY, 0);
	}
	if (r->fd < 0) {
		if (errno == ENOENT) {
			snprintf(err, errlen, "ring %s does not exist", name);
			rc = RING_ENOENT;
		} else {
			snprintf(err, errlen, "open %s: %s", r->path,
			    strerror(errno));
			rc = RING_ESYS;
		}
		goto err;
	}
	if (fstat(r->fd, &st) < 0) {
		snprintf(err, errlen, "fstat %s: %s", r->path, strerror(errno));
		rc = RING_ESYS;
		goto err;
	}
	memset(&hcopy, 0, sizeof(hcopy));
	if (st.st_size >= RING_HDR_SIZE &&
	    pread(r->fd, &hcopy, sizeof(hcopy), 0) != (ssize_t)sizeof(hcopy))
		memset(&hcopy, 0, sizeof(hcopy));
	if (st.st_size < RING_HDR_SIZE && st.st_size != 0) {
		snprintf(err, errlen, "ring %s: size: expected at least %d "
		    "bytes, found %lld", name, RING_HDR_SIZE,
		    (long long)st.st_size);
		rc = RING_EMISMATCH;
		goto err;
	}
	if ((rc = ring_check(&hcopy, st.st_size, 0, why, sizeof(why))) !=
	    RING_OK) {
		snprintf(err, errlen, "ring %s: %s", name, why);
		goto err;
	}
	r->cap = hcopy.capacity;
	r->mask = r->cap - 1;
	r->first = hdr_first(hcopy.first_seq);
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	if ((rc = ring_map(r, 0, err, errlen)) != RING_OK)
		goto err;
	ring_seek_oldest(r);
	*rp = r;
	return RING_OK;
err:
	if (r->fd >= 0)
		close(r->fd);
	free(r);
	return rc;
}

/*
 * ring_read asks for the four lines of the record READ_AHEAD slots after
 * the one it read, so that a reader behind the writer finds them on hand
 * when it gets there: ringbench's lossless rate went from 11-18 M to
 * 20-25 M records/s (BENCHMARKS.md), and 8, 32 or 64 slots did about
 * as well; 4 slots, close enough to the writer to take lines from it as
 * it writes them, did worse.  Only a hint: the seqlock checks what is
 * read.
 */
#define READ_AHEAD	16

/* slot_prefetch: asks for the cache lines of sl from word first on. */
static inline void
slot_prefetch(const struct ring_slot *sl, int first)
{
	for (int i = first; i < REC_WORDS; i += 8)
		__builtin_prefetch((const void *)&sl->w[i]);
}

int
ring_read(struct ring *r, struct tp_record *out, uint64_t *lost)
{
	uint64_t *dst = (uint64_t *)(void *)out;
	const uint64_t s0 = r->next, lost0 = *lost;

	for (;;) {
		uint64_t s = r->next, c, v1, v2;
		struct ring_slot *sl = &r->slots[s & r->mask];

		/* R1: pairs with W4 in ring_publish */
		v1 = atomic_load_explicit(&sl->w[0], memory_order_acquire);
		if (v1 == s) {
			/*
			 * R2, unrolled: the loop's own counting took more
			 * instructions than the 31 loads and stores (callgrind)
			 */
#pragma GCC unroll 32
			for (int i = 1; i < REC_WORDS; i++)
				dst[i] = atomic_load_explicit(&sl->w[i],
				    memory_order_relaxed);
			/* R3: pairs with W2 in ring_publish */
			atomic_thread_fence(memory_order_acquire);
			/* R4 */
			v2 = atomic_load_explicit(&sl->w[0],
			    memory_order_relaxed);
			if (v2 == s) {
				slot_prefetch(&r->slots[(s + READ_AHEAD) &
				    r->mask], 0);
				dst[0] = s;
				r->next = s + 1;
				return 1;
			}
			/* overwritten while copying: lapped */
		} else if ((v1 & ~SEQ_BUSY) <= s) {
			if (s < r->first) {
				/* before this object's first record: gone */
				*lost += r->first - s;
				r->next = r->first;
				continue;
			}
			/*
			 * Older lap or s itself being written: not yet.
			 * After a skip, the cursor may not say s is written
			 * (a ring can hold no such record: corrupt).  The
			 * skip waits for the record after it, so that the
			 * loss comes with it and from s0 (a caller takes it
			 * only with a record).
			 */
			if (r->next != s0) {
				c = atomic_load_explicit(&r->hdr->cursor,
				    memory_order_acquire);
				if (c >= s)
					r->corrupt = 1;
				r->next = s0;
				*lost = lost0;
			}
			return 0;
		}
		/*
		 * A later sequence in the slot, but one that is not of this
		 * slot, or a header that is no ring's: not written by a
		 * writer (tickpipe-ring(5)); ring_follow sorts it out.
		 */
		if (v1 != s && (((v1 & ~SEQ_BUSY) ^ s) & r->mask ||
		    atomic_load_explicit(&r->hdr->magic, memory_order_relaxed)
		    != RING_MAGIC)) {
			r->corrupt = 1;
			r->next = s0;
			*lost = lost0;
			return 0;
		}
		/*
		 * Lapped: slot holds a later sequence.  Skip to the oldest
		 * record the writer cannot be overwriting right now.
		 * R0: pairs with W5 in ring_publish.
		 */
		c = atomic_load_explicit(&r->hdr->cursor, memory_order_acquire);
		if (c > r->seen)
			r->seen = c;
		if (c + 1 > r->cap && c + 1 - r->cap > s) {
			*lost += c + 1 - r->cap - s;
			r->next = c + 1 - r->cap;
		} else {
			/* s itself is being overwritten right now */
			*lost += 1;
			r->next = s + 1;
		}
	}
}

static int
ring_ready(struct ring *r)
{
	/* R0: pairs with W5 in ring_publish */
	uint64_t c = atomic_load_explicit(&r->hdr->cursor,
	    memory_order_acquire), v;

	if (c < r->next)
		return 0;
	/*
	 * The cursor past next: the slot was written before it (W4, W5),
	 * with next or a later lap's.  An older sequence there means a
	 * cursor no writer stored (corrupt: ring_follow sorts it out).
	 */
	v = atomic_load_explicit(&r->slots[r->next & r->mask].w[0],
	    memory_order_relaxed) & ~SEQ_BUSY;
	if (v < r->next && r->next >= r->first) {
		r->corrupt = 1;
		return 0;
	}
	if (c > r->seen)
		r->seen = c;	/* kept for ring_follow: the header may go */
	return 1;
}

/*
 * ring_slot_ready: the spinning check.  Looks at the slot itself rather
 * than the cursor, so a spinning reader touches only the cache line the
 * writer is about to hand over.  Published (== next) or overwritten by a
 * later lap (ring_read then reports the loss) both mean "go read".
 * Relaxed: ring_read re-loads with acquire (R1).
 */
static int
ring_slot_ready(struct ring *r)
{
	uint64_t v = atomic_load_explicit(&r->slots[r->next & r->mask].w[0],
	    memory_order_relaxed);

	return v == r->next || (v & ~SEQ_BUSY) > r->next;
}

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

static void
ring_sleep(int64_t ns)
{
	struct timespec ts = { ns / 1000000000, ns % 1000000000 };

	nanosleep(&ts, NULL);
}

/*
 * A reader that may not write the header (ring_reader_open) cannot count
 * itself in waiters, so no writer wakes it for its own sake: it sleeps on
 * the futex RDONLY_POLL_NS at a time, woken early only when the writer
 * wakes other readers.
 */
#define RDONLY_POLL_NS	1000000

static int
ring_wait_rdonly(struct ring *r, int64_t deadline)
{
	struct timespec ts;
	int64_t left;
	uint32_t f;

	for (;;) {
		f = atomic_load_explicit(&r->hdr->futex, memory_order_acquire);
		if (ring_ready(r))
			return 1;
		if ((left = deadline - mono_ns()) <= 0)
			return 0;
		if (left > RDONLY_POLL_NS)
			left = RDONLY_POLL_NS;
		ts.tv_sec = 0;
		ts.tv_nsec = left;
		if (futex(&r->hdr->futex, FUTEX_WAIT, f, &ts) < 0 &&
		    errno != ETIMEDOUT && errno != EAGAIN && errno != EINTR)
			ring_sleep(left);
	}
}

int
ring_wait(struct ring *r, int64_t spin_ns, int timeout_ms)
{
	struct ring_hdr *h = r->hdr;
	int64_t start = mono_ns(), deadline;
	struct timespec ts;
	uint32_t f;
	int ready;

	deadline = start + (int64_t)timeout_ms * 1000000;
	if (r->faulted || r->corrupt) {
		/* nothing more will come: let the caller ask ring_follow */
		ring_sleep(timeout_ms < 20 ? (int64_t)timeout_ms * 1000000 :
		    20000000);
		return 0;
	}
	if (spin_ns < 0)
		spin_ns = (int64_t)timeout_ms * 1000000;
	/* spin_ns 0: one look, then to sleep (no 64 pauses first) */
	for (unsigned i = 0;; i++) {
		if (ring_slot_ready(r))
			return 1;
		if (spin_ns == 0)
			break;
		/*
		 * The record's other three lines, asked for while spinning on
		 * the first, travel with it instead of one transfer after it
		 * once ring_read copies the record: ringbench's spin p50 fell
		 * from 247-290 ns to 220-259 (floor 103-123 ns),
		 * BENCHMARKS.md.  Only a hint: the seqlock (R1-R4) checks
		 * what ring_read copies.
		 */
		slot_prefetch(&r->slots[r->next & r->mask], 8);
		/*
		 * One pause every 64 looks, not one between each two: a pause
		 * takes up to 140 cycles on Intel CPUs since Skylake, and a
		 * record published during one waits for its end.  Without
		 * it ringbench's spin p50 fell from 215-262 ns to 162-198
		 * (floor 99-128 ns), its p99 went from 488-676 ns to 529-643
		 * (BENCHMARKS.md).
		 */
		if ((i & 63) == 63) {
			if (mono_ns() - start >= spin_ns)
				break;
			cpu_relax();
		}
	}
	if (mono_ns() >= deadline)
		return 0;
	if (r->rdonly)
		return ring_wait_rdonly(r, deadline);
	/* S1: pairs with W6 in ring_publish */
	atomic_fetch_add_explicit(&h->waiters, 1, memory_order_seq_cst);
	/* S2: pairs with W7 in ring_publish */
	f = atomic_load_explicit(&h->futex, memory_order_acquire);
	ready = ring_ready(r);
	if (!ready) {
		int64_t left = deadline - mono_ns();

		if (left > 0) {
			ts.tv_sec = left / 1000000000;
			ts.tv_nsec = left % 1000000000;
			futex(&h->futex, FUTEX_WAIT, f, &ts);
		}
		ready = ring_ready(r);
	}
	atomic_fetch_sub_explicit(&h->waiters, 1, memory_order_relaxed);
	return ready;
}

void
ring_seek(struct ring *r, uint64_t seq)
{
	r->next = seq == 0 ? 1 : seq;
}

uint64_t
ring_oldest(const struct ring *r)
{
	uint64_t c = ring_cursor(r);

	return c >= r->cap && c - r->cap + 1 > r->first ? c - r->cap + 1 :
	    r->first;
}

void
ring_seek_oldest(struct ring *r)
{
	r->seen = ring_cursor(r);
	r->next = ring_oldest(r);
}

void
ring_seek_latest(struct ring *r)
{
	r->seen = ring_cursor(r);
	r->next = r->seen + 1;
}

int
ring_from(const char *s, uint64_t *from)
{
	if (strcmp(s, "oldest") == 0)
		*from = RING_FROM_OLDEST;
	else if (strcmp(s, "latest") == 0)
		*from = RING_FROM_LATEST;
	else if (parse_u64(s, 1, RING_FROM_LATEST - 1, from) < 0)
		return -1;
	return 0;
}

void
ring_seek_from(struct ring *r, uint64_t from)
{
	if (from == RING_FROM_OLDEST)
		ring_seek_oldest(r);
	else if (from == RING_FROM_LATEST)
		ring_seek_latest(r);
	else
		ring_seek(r, from);
}

uint64_t
ring_position(const struct ring *r)
{
	return r->next;
}

int
ring_broken(struct ring *r)
{
	if (!r->faulted && !r->corrupt)
		(void)ring_ready(r);	/* sets corrupt if so */
	return r->faulted || r->corrupt;
}

int
ring_replaced(const struct ring *r)
{
	struct stat st;
	int fd, rc;

	fd = ring_openpath(r->path, O_RDONLY, 0);
	if (fd < 0)
		return errno == ENOENT;
	rc = fstat(fd, &st) == 0 && (st.st_ino != r->ino || st.st_dev != r->dev);
	close(fd);
	return rc;
}

/* Does a writer hold the lock of fd's object (F_OFD_GETLK, see ring_lock)? */
static int
writer_holds(int fd)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
	    .l_start = 0, .l_len = 1, .l_pid = 0 };

	return fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
}

static int
ring_writer_alive(const struct ring *r)
{
	return writer_holds(r->fd);
}

/*
 * replaced_later: the object fd, now under r's name, failed the reader's
 * checks.  True if it is damaged (ring_damaged: truncated, resized or
 * overwritten again before the reader came) and a writer holds it or
 * r's object, whose name it took: that writer replaces it, and the
 * reader waits to follow the ring it makes (tickpipe-ring(5), "Writer
 * recovery").
 */
static int
replaced_later(const struct ring *r, int fd, const struct stat *sb)
{
	struct ring_hdr h;

	memset(&h, 0, sizeof(h));
	if (sb->st_size >= RING_HDR_SIZE &&
	    pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		memset(&h, 0, sizeof(h));
	return ring_damaged(&h, sb->st_size, r->path) &&
	    (writer_holds(fd) || ring_writer_alive(r));
}

int
ring_follow(struct ring **rp, uint64_t *from, uint64_t *lost, char *err,
    size_t errlen)
{
	struct ring *r = *rp, *n;
	uint64_t p = r->next, c, to;
	struct stat sb;
	int fd, same, rc, how = RING_FOLLOWED;

	*from = p;
	*lost = 0;
	if (!r->faulted && !r->corrupt && ring_ready(r))
		return 0;	/* read the old object to its end first */
	if ((fd = ring_openpath(r->path, O_RDONLY, 0)) < 0) {
		if (errno == ENOENT)
			return 0;	/* removed: the writer will make one */
		/* the name closed to us (its mode changed): judged by the
		   object we have */
		if (fstat(r->fd, &sb) < 0)
			return 0;
		same = 1;
	} else if (fstat(fd, &sb) < 0) {
		close(fd);
		return 0;
	} else
		same = sb.st_dev == r->dev && sb.st_ino == r->ino;
	if (same) {
		if (fd >= 0)
			close(fd);
		if (r->faulted && !ring_writer_alive(r)) {
			snprintf(err, errlen, "ring %s: SIGBUS reading shared "
			    "memory: the object was truncated or resized by "
			    "another process", r->name);
			return RING_ETRUNC;
		}
		/* the same, where the reader has not faulted (yet) */
		if ((size_t)sb.st_size != r->maplen && !ring_writer_alive(r)) {
			snprintf(err, errlen, "ring %s: the object is %lld "
			    "bytes, not %zu: truncated or resized by another "
			    "process", r->name, (long long)sb.st_size,
			    r->maplen);
			return RING_ETRUNC;
		}
		/* a header written over is looked at here too: a reader
		   with nothing to read never finds a record that tells */
		if ((r->corrupt || !ring_hdr_ours(r->hdr) ||
		    !ring_first_ok(r->hdr)) && !ring_writer_alive(r)) {
			snprintf(err, errlen, "ring %s: written over by "
			    "another process (a record or the cursor no "
			    "writer wrote)", r->name);
			return RING_ETRUNC;
		}
		/* still ours, or its writer will replace it (a header
		   written over) or write over what was (records): looked
		   at again at the next read */
		r->corrupt = 0;
		return 0;
	}
	if ((rc = ring_reader_open(&n, r->name, err, errlen)) != RING_OK) {
		if (rc == RING_EMISMATCH && replaced_later(r, fd, &sb))
			rc = RING_ENOENT;
		close(fd);
		return rc == RING_ENOENT ? 0 : rc;
	}
	close(fd);
	if (n->first > 1) {
		/*
		 * A writer recreated the ring, continuing the sequence:
		 * what lies between our position and the new object's
		 * oldest record is lost to us.
		 */
		to = ring_oldest(n) > p ? ring_oldest(n) : p;
		*lost = to - p;
	} else {
		/*
		 * A new ring from sequence 1: lost is what the old object
		 * held that we did not read, and what the new one no
		 * longer holds (its writer lapped it before we came).  If
		 * the old header was truncated away (it reads as zeros),
		 * the old part is counted to the highest cursor this
		 * reader saw: all it can know, a lower bound.
		 */
		how |= RING_FOLLOW_NEW;
		c = ring_cursor(r);
		if ((r->faulted && r->seen > c) ||
		    (r->corrupt && r->seen != c)) {
			c = r->seen;
			how |= RING_FOLLOW_ATLEAST;
		}
		to = ring_oldest(n);
		*lost = (c >= p ? c - p + 1 : 0) + (to > 1 ? to - 1 : 0);
	}
	ring_seek(n, to);
	ring_close(r);
	*rp = n;
	return how;
}

uint64_t
ring_cursor(const struct ring *r)
{
	return atomic_load_explicit(&r->hdr->cursor, memory_order_acquire);
}

uint64_t
ring_capacity(const struct ring *r)
{
	return r->cap;
}

uint64_t
ring_epoch(const struct ring *r)
{
	return atomic_load_explicit(&r->hdr->epoch, memory_order_relaxed);
}

pid_t
ring_writer_pid(const struct ring *r)
{
	return atomic_load_explicit(&r->hdr->writer_pid, memory_order_relaxed);
}

int64_t
ring_created_ns(const struct ring *r)
{
	return r->hdr->created_ns;
}

int64_t
ring_heartbeat_ns(const struct ring *r)
{
	return atomic_load_explicit(&r->hdr->heartbeat_ns,
	    memory_order_relaxed);
}

uint64_t
ring_layout_hash(const struct ring *r)
{
	return r->hdr->layout_hash;
}

uint32_t
ring_waiters(const struct ring *r)
{
	return atomic_load_explicit(&r->hdr->waiters, memory_order_relaxed);
}

const char *
ring_name(const struct ring *r)
{
	return r->name;
}

const char *
ring_path(const struct ring *r)
{
	return r->path;
}

void
ring_close(struct ring *r)
{
	if (r == NULL)
		return;
	if (r->hdr != NULL) {
		if (r->writer) {
			atomic_store_explicit(&r->hdr->heartbeat_ns, now_ns(),
			    memory_order_relaxed);
			msync(r->hdr, RING_HDR_SIZE, MS_ASYNC);
		}
		ring_guard_del(r);
		munmap(r->hdr, r->maplen);
	}
	if (r->fd >= 0)
		close(r->fd);	/* releases the fcntl lock */
	free(r);
}

/*
 * The SIGBUS guard.  Every mapped ring is in ring_guarded, so the handler
 * can tell which ring a fault hit.  In recover mode it maps zero-filled
 * private memory over the part of the mapping past the object's new end
 * (from the faulting page at the latest), marks the ring faulted and
 * returns: the faulting access is retried and completes on the zeros, and
 * the program finds out through ring_publish, ring_wait, ring_lost and
 * ring_follow.  In exit mode, and for a fault it cannot place, it prints
 * one line and exits.  mmap and fstat are plain system calls on Linux,
 * safe in a handler.
 */
static struct ring *_Atomic ring_guarded[RING_GUARDED];
static char	sigbus_msg[512];
static size_t	sigbus_len;
static int	sigbus_code = 74;	/* 0: recover */
static long	sigbus_page = 4096;

/* Puts to in the first slot holding from; 0, or -1 if none holds it. */
static int
ring_guard_swap(struct ring *from, struct ring *to)
{
	for (int i = 0; i < RING_GUARDED; i++) {
		struct ring *want = from;

		if (atomic_compare_exchange_strong(&ring_guarded[i], &want, to))
			return 0;
	}
	return -1;
}

/*
 * 0, or -1 when every slot is taken: the caller does not map the ring,
 * as a fault on it could not be placed (exit, never recover).
 */
static int
ring_guard_add(struct ring *r)
{
	return ring_guard_swap(NULL, r);
}

static void
ring_guard_del(struct ring *r)
{
	ring_guard_swap(r, NULL);
}

/* Replaces the lost part of r's mapping with zeros; 0 or -1. */
static int
ring_zero_map(struct ring *r, const char *addr)
{
	char *base = (char *)r->hdr;
	size_t keep = 0, at = (size_t)(addr - base) / (size_t)sigbus_page *
	    (size_t)sigbus_page;
	struct stat st;

	if (fstat(r->fd, &st) == 0 && st.st_size > 0)
		keep = (size_t)st.st_size / (size_t)sigbus_page *
		    (size_t)sigbus_page;
	if (keep > at)
		keep = at;
	if (mmap(base + keep, r->maplen - keep, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
		return -1;
	r->faulted = 1;
	return 0;
}

static void
sigbus_handler(int sig, siginfo_t *si, void *ctx)
{
	const char *a = si->si_addr;
	ssize_t n;

	(void)sig;
	(void)ctx;
	for (int i = 0; i < RING_GUARDED; i++) {
		struct ring *r = atomic_load(&ring_guarded[i]);

		if (r == NULL || r->hdr == NULL || a < (char *)r->hdr ||
		    a >= (char *)r->hdr + r->maplen)
			continue;
		if (sigbus_code == 0 && ring_zero_map(r, a) == 0)
			return;
		break;
	}
	n = write(STDERR_FILENO, sigbus_msg, sigbus_len);
	(void)n;
	_exit(sigbus_code != 0 ? sigbus_code : 74);
}

void
ring_sigbus_guard(const char *prog, const char *name, int code)
{
	struct sigaction sa;
	int n;

	n = snprintf(sigbus_msg, sizeof(sigbus_msg), "%s: ring %s: SIGBUS "
	    "reading shared memory: the object was truncated or resized by "
	    "another process\n", prog, name);
	sigbus_len = n > 0 && (size_t)n < sizeof(sigbus_msg) ? (size_t)n :
	    sizeof(sigbus_msg) - 1;
	sigbus_code = code;
	if ((sigbus_page = sysconf(_SC_PAGESIZE)) <= 0)
		sigbus_page = 4096;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sigbus_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

int
ring_exit(int rc)
{
	switch (rc) {
	case RING_EINVAL:
		return EX_USAGE;
	case RING_ENOENT:
		return EX_UNAVAILABLE;
	case RING_EMISMATCH:
		return EX_CONFIG;
	case RING_ELOCKED:
		return EX_TEMPFAIL;
	case RING_ENOSPC:
		return EX_CANTCREAT;
	case RING_ETRUNC:
		return EX_IOERR;
	default:
		return EX_OSERR;
	}
}
