/*
 * ring.h: the tickpipe ring, a POSIX shared-memory broadcast ring of
 * 256-byte records with one writer and any number of readers.
 *
 * The writer never waits for readers.  Each slot carries its own sequence
 * (a per-slot seqlock), so a reader that copies a slot while the writer
 * overwrites it notices and never returns a torn record; a reader that was
 * lapped skips to the oldest valid record and is told exactly how many it
 * lost.  Idle readers sleep on a futex in the shared header; the writer
 * makes the wake-up system call only when someone sleeps.  The byte layout
 * and the protocol are documented in tickpipe-ring(5).
 *
 * A ring NAME is the POSIX shm object "/tickpipe.NAME" (NAME made of
 * letters, digits, '.', '_' and '-').  A NAME containing '/' is taken as a
 * plain file path instead (for rings on a chosen tmpfs, and for tests).
 */
#ifndef TP_RING_H
#define TP_RING_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "record.h"

#define RING_VERSION		1
#define RING_HDR_SIZE		4096
#define RING_DEFAULT_CAPACITY	65536
#define RING_MIN_CAPACITY	16
#define RING_MAX_CAPACITY	(1ULL << 26)

enum ring_err {
	RING_OK = 0,
	RING_ESYS = -1,		/* a system call failed; see the message */
	RING_ENOENT = -2,	/* no such ring, or not yet initialized */
	RING_EMISMATCH = -3,	/* header or size differ from this build */
	RING_ELOCKED = -4,	/* another writer holds the ring */
	RING_ENOSPC = -5,	/* the shm filesystem cannot hold the ring */
	RING_EINVAL = -6,	/* bad name or capacity */
	RING_ETRUNC = -7,	/* truncated under a reader; no writer left */
	RING_EGUARD = -8,	/* more rings mapped than the SIGBUS guard
				   holds */
};

struct ring;

struct ring_config {
	const char	*name;		/* ring name, see above */
	uint64_t	 capacity;	/* records, power of two; 0: the default
					   for a new ring, any for an existing one */
	gid_t		 gid;		/* group that may read; (gid_t)-1: none */
	int		 recreate;	/* unlink an incompatible ring and create anew */
	int		 no_recreate;	/* the program has no --recreate to hint */
};

/*
 * ring_writer_open: opens the ring as its single writer.  Creates it
 * (O_CREAT|O_EXCL, mode 0600, or 0640 with cfg->gid) with every page
 * reserved by posix_fallocate, or reopens an existing compatible ring,
 * continuing its sequence and bumping its epoch.  A damaged ring that no
 * writer holds (wrong size, unfinished or foreign header; tickpipe-ring(5)
 * "Writer recovery" says which) is replaced, continuing its sequence if
 * its header is of this build.  Returns RING_OK and sets *rp, with err
 * empty or saying what was replaced; or an error code with a one-line
 * message in err.  RING_ELOCKED names the holder's pid.
 */
int	 ring_writer_open(struct ring **rp, const struct ring_config *cfg,
	    char *err, size_t errlen);

/*
 * ring_publish: copies n >= 1 records into the ring, assigning them
 * consecutive sequence numbers (written into rec[i].seq too), and wakes
 * sleeping readers once.  Returns the sequence of the last record, or 0
 * if the writer's object is lost (ring_lost): then the batch does not
 * count and goes again, under the same sequences, after ring_recreate.
 * Every 64 calls it checks, at most every 200 ms, that the object still
 * has the ring's name and its size; a SIGBUS on the mapping is caught by
 * ring_sigbus_guard in recover mode.
 */
uint64_t ring_publish(struct ring *r, struct tp_record *rec, size_t n);

/*
 * ring_heartbeat: stores the current time as the writer heartbeat, and
 * makes the check ring_publish makes if it is due, so that an idle
 * writer notices a lost object too.
 */
void	 ring_heartbeat(struct ring *r);

/*
 * ring_lost: 1 if the writer's object is no longer the ring (truncated,
 * resized, removed, or its name taken by another object), with why, if
 * not NULL, saying which ("truncation: the object is 4096 bytes, not
 * 16781312"); else 0.  Only a flag: the checks run in ring_publish and
 * ring_heartbeat.
 */
int	 ring_lost(const struct ring *r, char *why, size_t len);

/*
 * ring_recreate: after a loss, removes the ring's name if it still
 * refers to the lost object, creates a new object under it (same
 * capacity and mode; first sequence the one after the last published,
 * epoch one more), wakes the old object's sleeping readers so that they
 * follow (ring_follow), closes the old handle and sets *rp to the new
 * one.  An object of our user that no writer holds is replaced; another
 * writer's is not (RING_ELOCKED).  On error *rp is unchanged (still lost)
 * and err says why.
 */
int	 ring_recreate(struct ring **rp, char *err, size_t errlen);

/*
 * ring_reader_open: opens an existing ring for reading, after checking
 * with fstat that the object is exactly the size its header says and that
 * magic, version, layout hash, record size and capacity match this build
 * (RING_EMISMATCH names the field, expected and found values).  Returns
 * RING_ENOENT while the ring does not exist or is still being created.
 * Without write permission on the object it reads through a read-only
 * descriptor and ring_wait polls.  The reader starts at the oldest record.
 */
int	 ring_reader_open(struct ring **rp, const char *name, char *err,
	    size_t errlen);

/*
 * ring_read: copies the record at the reader's position into *out.
 * Returns 1 with a record, 0 if none is available yet.  If the reader was
 * lapped, it skips to the oldest valid record, adds the number of records
 * skipped to *lost, and goes on; *lost is never reset here.
 */
int	 ring_read(struct ring *r, struct tp_record *out, uint64_t *lost);

/*
 * ring_wait: waits until a record may be available at the reader's
 * position: spins for spin_ns, then sleeps on the futex up to timeout_ms.
 * spin_ns < 0 spins until the timeout; 0 looks once and sleeps at once.
 * Returns 1 if data is available, 0 on timeout.
 */
int	 ring_wait(struct ring *r, int64_t spin_ns, int timeout_ms);

/*
 * ring_follow: for an idle reader (ring_wait returned 0).  If a writer
 * recreated the ring under its name, opens the new object, positions the
 * reader and closes the old handle; *rp is the new one and the function
 * returns RING_FOLLOWED, with *lost records from sequence *from never to
 * be seen by this reader (0: none; for a new ring from sequence 1, the
 * old object's records from *from that it did not read and the new one's
 * before its oldest).  With a new ring from sequence 1 it adds
 * RING_FOLLOW_NEW (the sequence starts again), and RING_FOLLOW_ATLEAST
 * when the count is a lower bound: the old object's header was truncated
 * away, and its records are counted up to the highest cursor the reader
 * saw in it.  Returns 0 while there is nothing to follow (the
 * old object still has records to read, or its name is gone and no new
 * object has come yet, or its writer is still to replace it).  Errors:
 * RING_ETRUNC if the object was truncated under the reader and no writer
 * holds it; those of ring_reader_open for the new object.
 */
int	 ring_follow(struct ring **rp, uint64_t *from, uint64_t *lost,
	    char *err, size_t errlen);
enum { RING_FOLLOWED = 1, RING_FOLLOW_NEW = 2, RING_FOLLOW_ATLEAST = 4 };

/* Reader positioning: next sequence to read. */
void	 ring_seek(struct ring *r, uint64_t seq);
void	 ring_seek_oldest(struct ring *r);
void	 ring_seek_latest(struct ring *r);

/*
 * A reader's --from: oldest (RING_FROM_OLDEST), latest (RING_FROM_LATEST)
 * or a sequence number.  ring_from parses s into *from (-1 for anything
 * else); ring_seek_from positions the reader there (a sequence the ring
 * no longer holds is reported by ring_read as lost).
 */
#define RING_FROM_OLDEST	0
#define RING_FROM_LATEST	UINT64_MAX
int	 ring_from(const char *s, uint64_t *from);
void	 ring_seek_from(struct ring *r, uint64_t from);
uint64_t ring_position(const struct ring *r);

/*
 * ring_replaced: returns 1 if the ring's name no longer refers to the
 * object this handle maps (removed, or removed and created anew), else 0.
 * Costs an open and an fstat: call it when idle.
 */
int	 ring_replaced(const struct ring *r);

/*
 * ring_broken: 1 if reading stopped on a record or cursor no writer wrote
 * (written over in place: a cursor at or past the next sequence, whose
 * slot holds an older one, is looked at now) or on the object truncated
 * under the reader (SIGBUS); ring_follow says whether that ends the
 * reading, and why.  For a reader that stops at the end (--no-follow):
 * an end that is no end of what was written.
 */
int	 ring_broken(struct ring *r);

/* ring_oldest: the oldest sequence the ring can still hold. */
uint64_t ring_oldest(const struct ring *r);

/* Header fields, read from the shared header. */
uint64_t ring_cursor(const struct ring *r);	/* last published seq */
uint64_t ring_capacity(const struct ring *r);
uint64_t ring_epoch(const struct ring *r);
pid_t	 ring_writer_pid(const struct ring *r);
int64_t	 ring_created_ns(const struct ring *r);
int64_t	 ring_heartbeat_ns(const struct ring *r);
uint64_t ring_layout_hash(const struct ring *r);
uint32_t ring_waiters(const struct ring *r);
const char *ring_name(const struct ring *r);
const char *ring_path(const struct ring *r);	/* shm name or file path */

/* ring_close: unmaps and closes; a writer releases its lock. */
void	 ring_close(struct ring *r);

/*
 * ring_exit: the sysexits(3) status a program exits with for the ring
 * error rc, the same in every program: EX_USAGE (bad name or capacity),
 * EX_UNAVAILABLE (no such ring), EX_CONFIG (another build's layout),
 * EX_TEMPFAIL (another writer), EX_CANTCREAT (no room in /dev/shm),
 * EX_IOERR (truncated under a reader), else EX_OSERR (a system call
 * failed, or RING_EGUARD).
 */
int	 ring_exit(int rc);

/*
 * ring_unlink: removes the ring by name.  Returns 0, -1 (errno), or -2
 * for a path that holds no ring (not a regular file, or no ring's
 * header): left as it is.
 */
int	 ring_unlink(const char *name);

/* ring_name_ok: 0 if name is a ring's name or path, else -1 and why. */
int	 ring_name_ok(const char *name, char *err, size_t errlen);

/*
 * ring_same: 1 if the names a and b (a shm name, a path) both open one
 * existing object, such as a ring's name and its path in /dev/shm.
 */
int	 ring_same(const char *a, const char *b);

/*
 * ring_sigbus_guard: installs the process's SIGBUS handler for the rings
 * it maps, so that a fault on a mapping (the object truncated by another
 * process) is never a core dump.  With code != 0 the handler prints
 * "PROG: ring NAME: ..." explaining that the shared memory went away and
 * exits with status code (tickpipe uses 74, EX_IOERR).  With code 0 it
 * recovers: it puts zeros where the object went, marks that ring faulted
 * and returns; the writer learns it from ring_publish (0), a reader from
 * ring_wait (0) then ring_follow.  A fault elsewhere exits as with 74.
 */
void	 ring_sigbus_guard(const char *prog, const char *name, int code);

#endif
