/*
 * recorder: reads a tickpipe ring as one more reader and writes every
 * record, and every gap, to append-only history files: zstd blocks, each
 * decodable alone and checksummed, flushed at the latest --flush ms
 * after their first record, a second later while a book message is
 * open; files rotated by time and size, indexed, and removed by age or
 * total size.  The main thread reads the ring and fills a block, packing each
 * record as it comes; a writer thread compresses and writes the blocks
 * before, so that compression does not stop the reading.  The reader is
 * the one that must keep up, or be lapped: it runs real-time where
 * permitted (--rt-prio), the writer at a lower priority (--writer-nice),
 * and the packed blocks wait for the writer in a queue of --queue bytes
 * made once, handed over without a lock, so that a writer held up (by
 * the reader itself on a busy core, a slow disk) does not make the
 * reader wait.  The queue is a shm object, so that what it holds
 * outlives a recorder killed: the next one started writes it first.  A
 * restarted recorder continues after the last recorded sequence in a
 * new file.  `recorder cat` (cat.c) reads them back.  See
 * recorder(1).
 */
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "capture.h"
#include "history.h"
#include "jsonl.h"
#include "ratelog.h"
#include "recorder.h"
#include "ring.h"
#include "util.h"

static const char usage_text[] =
"usage: recorder [-hv] [-d fd] [--ring name] [--name name] [--flush ms]\n"
"                [--block n] [--level n] [--queue bytes] [--writer-nice n]\n"
"                [--rt-prio n] [--rotate sec] [--max-size bytes]\n"
"                [--keep-age age] [--keep-size bytes] dir\n"
"       recorder cat [-hv] [--from time] [--to time] [--format jsonl|raw]\n"
"                [--venue venue] [--symbol symbol] [--type type] path ...\n";

enum { O_RING = 256, O_NAME, O_FLUSH, O_BLOCK, O_LEVEL, O_QUEUE, O_NICE,
	O_RTPRIO, O_ROTATE, O_MAXSIZE, O_KEEPAGE, O_KEEPSIZE };

static const struct option opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "ready-fd", required_argument, NULL, 'd' },
	{ "ring", required_argument, NULL, O_RING },
	{ "name", required_argument, NULL, O_NAME },
	{ "flush", required_argument, NULL, O_FLUSH },
	{ "block", required_argument, NULL, O_BLOCK },
	{ "level", required_argument, NULL, O_LEVEL },
	{ "queue", required_argument, NULL, O_QUEUE },
	{ "writer-nice", required_argument, NULL, O_NICE },
	{ "rt-prio", required_argument, NULL, O_RTPRIO },
	{ "rotate", required_argument, NULL, O_ROTATE },
	{ "max-size", required_argument, NULL, O_MAXSIZE },
	{ "keep-age", required_argument, NULL, O_KEEPAGE },
	{ "keep-size", required_argument, NULL, O_KEEPSIZE },
	{ NULL, 0, NULL, 0 },
};

static volatile sig_atomic_t stop, usr1;

/* a nap of the reader when caught up with the ring (record()) */
#define NAP_NS	1000000

/*
 * A filled block in the queue: what its header and its file need of its
 * records, followed by their packing (plen bytes, rounded up to 8), so
 * that the records themselves are not kept (a packed sim record takes
 * some 37 bytes, not 256).  n 0: padding to the queue's end.
 */
struct qblock {
	struct hist_block_hdr sum;	/* first and last seq, min and max ts */
	size_t		 n;		/* records */
	int64_t		 t;		/* the time of its first (rec_time) */
	size_t		 plen;
	unsigned char	*ext;		/* the packing, if not after this
					   (then not kept past the process) */
};

/*
 * The queue's shm object (recorder(1), FILES): this header, then at
 * QDATA the queue's qsize bytes.  head and tail are written after the
 * block they pass, so that a recorder killed leaves the blocks between
 * them whole.  It is read and written with pread/pwrite, never mapped:
 * an object cut short under us makes a call fail, not a fault.
 */
struct qfile {
	char		 magic[8];	/* QMAGIC */
	uint64_t	 qsize;
	uint64_t	 head, tail;
};
#define QMAGIC	"TPRECQ1"
#define QDATA	4096

struct recorder {
	/* configuration */
	const char	*dir;
	const char	*name;		/* file name prefix */
	const char	*ring_name;
	int		 level;
	int64_t		 flush_ns;
	size_t		 block_max;	/* records that make a block */
	int64_t		 rotate_ns;
	uint64_t	 max_size;
	int64_t		 keep_age_ns;	/* 0: keep */
	uint64_t	 keep_size;	/* 0: keep */
	int		 verbose;
	uint64_t	 queue_max;	/* packed bytes that may wait */
	int		 writer_nice;	/* added to the writer thread's nice */
	int		 rt_prio;	/* the reader's SCHED_FIFO priority, 0: off */
	/* the block being filled (main thread), and packed as it fills */
	struct ring	*ring;
	struct tp_record *buf;
	size_t		 n, cap;
	unsigned char	*pk;		/* cap * HIST_PACKED_MAX bytes */
	size_t		 plen;
	int64_t		 block_time;	/* rec_time of its first record */
	int64_t		 horizon;	/* rec_time's: the clock + FUTURE_NS */
	struct hist_packer packer;
	/*
	 * The queue: a ring of qsize bytes holding struct qblocks, put at
	 * qtail by the reader only and taken at qhead by the writer only
	 * (byte counts that only grow), so that neither ever waits for a
	 * lock the other holds: the writer runs at a lower priority and may
	 * be off the processor at any moment.  work counts the blocks put,
	 * room is posted when the writer frees some while room_wanted.
	 */
	int		 qfd;		/* the shm object, locked */
	int		 qready;	/* made anew, ours */
	char		 qname[256];
	dev_t		 qdev;		/* the dir qname was made for */
	ino_t		 qino;
	uint64_t	 qsize;
	_Atomic uint64_t qhead, qtail;
	sem_t		 work, room;
	atomic_int	 room_wanted;
	uint64_t	 queue_peak;	/* the most queued (reader's) */
	atomic_int	 werr;		/* errno of a failed write, sticky */
	atomic_int	 quit;
	/* the writer's counters and file name, for the status, under mu */
	pthread_mutex_t	 mu;
	pthread_t	 writer;
	int		 writer_on;
	_Atomic int	 writer_set;	/* its policy and nice are set */
	char		 shown[4096];	/* the file written, for the status */
	/* the rest is the writer thread's while it runs */
	size_t		 outcap;	/* records r->out has room for */
	int		 in_msg;	/* a book or book_top message begun */
	int64_t		 block_t0;	/* monotonic time of its first record */
	int64_t		 block_end;	/* end of its rotation period, ns */
	int64_t		 last_ts;	/* of the last record added */
	ZSTD_CCtx	*cctx;
	unsigned char	*out;
	unsigned char	*wpk;		/* a block's packing, read back */
	size_t		 wpkcap;
	/* the file being written; fd -1: none */
	int		 fd;
	char		 path[4096];
	uint64_t	 size;
	int64_t		 period;	/* start of its rotation period, ns */
	int		 period_min;	/* its files' names have minutes */
	struct hist_idx_ent *ents;
	size_t		 nents, entcap;
	uint64_t	 last_seq;	/* last recorded */
	struct tp_record last_rec;	/* the record of last_seq at start */
	int		 have_last;
	struct hist_idx_ent last_blk;	/* the files' last block at start */
	int		 have_blk;
	struct ratelog	 gaplog;
	/* counters */
	uint64_t	 records, gaps, lost, blocks, files, bytes, removed;
	uint64_t	 waits;		/* the reader waited: queue full */
};

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		usr1 = 1;
	else
		stop = 1;
}

static void
counters(struct recorder *r)
{
	/* the writer's head first: it never passes the tail (ours) */
	uint64_t head = atomic_load(&r->qhead), queued;

	queued = atomic_load(&r->qtail) - head;
	if (r->writer_on)
		pthread_mutex_lock(&r->mu);
	fprintf(stderr, "recorder: status: records %" PRIu64 " gaps %" PRIu64
	    " lost %" PRIu64 " blocks %" PRIu64 " files %" PRIu64 " bytes %"
	    PRIu64 " removed %" PRIu64 " last_seq %" PRIu64 " waits %" PRIu64
	    " queued %" PRIu64 " queue_peak %" PRIu64 " file %s\n",
	    r->records, r->gaps, r->lost, r->blocks, r->files, r->bytes,
	    r->removed, r->last_seq, r->waits, queued, r->queue_peak,
	    r->shown[0] ? r->shown : "-");
	if (r->writer_on)
		pthread_mutex_unlock(&r->mu);
}

int
print_usage(const char *text)
{
	fputs(text, stdout);
	if (help_flush() < 0)
		err(EX_IOERR, "stdout");
	return 0;
}

int
parse_size(const char *s, uint64_t *out)
{
	char num[32];
	size_t n = strlen(s);
	unsigned sh = 0;
	uint64_t v;

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n + 1);
	switch (num[n - 1]) {
	case 'K': sh = 10; break;
	case 'M': sh = 20; break;
	case 'G': sh = 30; break;
	case 'T': sh = 40; break;
	}
	if (sh != 0)
		num[n - 1] = '\0';
	if (parse_u64(num, 1, UINT64_MAX >> sh, &v) < 0)
		return -1;
	*out = v << sh;
	return 0;
}

int
parse_age(const char *s, int64_t *ns)
{
	char num[32];
	size_t n = strlen(s);
	int64_t mul = 1;
	uint64_t v;

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n + 1);
	switch (num[n - 1]) {
	case 's': mul = 1; break;
	case 'm': mul = 60; break;
	case 'h': mul = 3600; break;
	case 'd': mul = 86400; break;
	}
	if (strchr("smhd", num[n - 1]) != NULL)
		num[n - 1] = '\0';
	if (parse_u64(num, 1, (uint64_t)(INT64_MAX / 1000000000 / mul),
	    &v) < 0)
		return -1;
	*ns = (int64_t)v * mul * 1000000000;
	return 0;
}

/*
 * The time a record is filed under: ts, else recv, else now; and now if
 * that lies more than FUTURE_NS ahead of the clock (a venue's clock far
 * off, a bad ts), so that one such record does not make every file
 * after it, which is never of an earlier period, one of the future.
 * The clock is read only for a time past the horizon it last gave.
 */
#define FUTURE_NS	(300 * 1000000000LL)

static int64_t
rec_time(struct recorder *r, const struct tp_record *rec)
{
	int64_t t = rec->ts > 0 ? rec->ts : rec->recv > 0 ? rec->recv : 0;
	int64_t now;

	if (t > 0 && t <= r->horizon)
		return t;
	now = now_ns();
	r->horizon = now + FUTURE_NS;
	return t > 0 && t <= r->horizon ? t : now;
}

/* 1 if path is a history file of the recorder's --name (NAME-...). */
static int
own_file(const struct recorder *r, const char *path)
{
	const char *b = strrchr(path, '/');
	size_t nl = strlen(r->name);

	b = b != NULL ? b + 1 : path;
	return strncmp(b, r->name, nl) == 0 && b[nl] == '-';
}

/*
 * Removes its own files (its --name's: another recorder's in the same
 * directory are that one's to remove, one of them being written) by
 * --keep-age (modification time) and --keep-size (oldest first), never
 * the one being written, each with its sidecar, and day directories
 * left empty.  What holds one of its names but is no file (a FIFO, a
 * device: hist_list lists them for readers to say) is not its to remove.
 */
static void
retention(struct recorder *r)
{
	char **files, errbuf[512];
	size_t n;
	uint64_t total = 0, *sz;
	int64_t now = now_ns();
	struct stat st;
	char idx[4200];

	if (r->keep_age_ns == 0 && r->keep_size == 0)
		return;
	if (hist_list(r->dir, &files, &n, errbuf, sizeof(errbuf)) < 0) {
		warnx("retention: %s", errbuf);
		return;
	}
	if ((sz = calloc(n + 1, sizeof(*sz))) == NULL) {
		hist_list_free(files, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!own_file(r, files[i]))
			continue;
		if (stat(files[i], &st) == 0)
			sz[i] = (uint64_t)st.st_size;
		snprintf(idx, sizeof(idx), "%s.idx", files[i]);
		if (stat(idx, &st) == 0)
			sz[i] += (uint64_t)st.st_size;
		total += sz[i];
	}
	for (size_t i = 0; i < n; i++) {
		const char *why = NULL;
		char *slash;

		if (!own_file(r, files[i]) ||
		    (strcmp(files[i], r->path) == 0 && r->fd >= 0) ||
		    (stat(files[i], &st) == 0 && !S_ISREG(st.st_mode)))
			continue;
		if (r->keep_age_ns > 0 && stat(files[i], &st) == 0 &&
		    (int64_t)st.st_mtim.tv_sec * 1000000000 +
		    st.st_mtim.tv_nsec < now - r->keep_age_ns)
			why = "older than --keep-age";
		else if (r->keep_size > 0 && total > r->keep_size)
			why = "over --keep-size";
		if (why == NULL)
			continue;
		if (unlink(files[i]) < 0) {
			warn("retention: %s", files[i]);
			continue;
		}
		snprintf(idx, sizeof(idx), "%s.idx", files[i]);
		unlink(idx);
		total -= sz[i];
		if (r->writer_on)
			pthread_mutex_lock(&r->mu);
		r->removed++;
		if (r->writer_on)
			pthread_mutex_unlock(&r->mu);
		warnx("retention: removed %s (%s)", files[i], why);
		if ((slash = strrchr(files[i], '/')) != NULL) {
			*slash = '\0';
			if (strcmp(files[i], r->dir) != 0)
				rmdir(files[i]);	/* only if empty */
		}
	}
	free(sz);
	hist_list_free(files, n);
}

/* file_gone: the open file has no name left (removed, or its directory) */
static int
file_gone(const struct recorder *r)
{
	struct stat st;

	return fstat(r->fd, &st) == 0 && st.st_nlink == 0;
}

/*
 * file_drop_gone: closes the open file if it has no name left, without
 * an index (one would be another file's once the name is reused); 1 if
 * it did.
 */
static int
file_drop_gone(struct recorder *r)
{
	if (!file_gone(r))
		return 0;
	close(r->fd);
	r->fd = -1;
	r->nents = 0;
	return 1;
}

/*
 * Closes the current file: syncs it and writes its index sidecar.
 * Returns 0; -1 if the sidecar could not be written (said; readers scan
 * the block headers instead); or -2 with errno set if the file could
 * not be synced or closed (said): what was written to it may not be on
 * disk, and the queue no longer holds it, a write error.
 */
static int
file_close(struct recorder *r)
{
	char errbuf[1024];
	int rv = 0, e = 0;

	if (r->fd < 0 || file_drop_gone(r))
		return 0;
	if (fsync(r->fd) < 0) {
		e = errno;
		warn("%s: fsync: the blocks written to it may not be on disk",
		    r->path);
	}
	if (close(r->fd) < 0 && e == 0) {
		e = errno;
		warn("%s: close: the blocks written to it may not be on disk",
		    r->path);
	}
	r->fd = -1;
	if (hist_index_write(r->path, r->size, r->ents, r->nents, errbuf,
	    sizeof(errbuf)) < 0) {
		warnx("%s; readers scan the file instead", errbuf);
		rv = -1;
	}
	r->nents = 0;
	if (e != 0) {
		errno = e;
		return -2;
	}
	return rv;
}

/*
 * last_count: the highest NNNN of the entries NAME-...NNNN.tph of day
 * whose name begins with stem (NAME-time.), whatever they are: one that
 * is no file (a directory, a link to nothing) holds its name as well, and
 * a file opened under it with O_EXCL failed on every restart.  Such an
 * entry with the highest number is said.  Returns 0 and sets *count (0:
 * none), or -1 with errno if day cannot be read (said).
 */
static int
last_count(const char *day, const char *stem, unsigned *count)
{
	struct dirent *de;
	struct stat st;
	const char *hi = NULL;
	char name[256];
	size_t sl = strlen(stem);
	DIR *d;
	int e;

	*count = 0;
	name[0] = '\0';
	if ((d = opendir(day)) == NULL) {
		warn("%s", day);
		return -1;
	}
	while (errno = 0, (de = readdir(d)) != NULL) {
		const char *p = de->d_name + sl;
		size_t nd = strspn(p, "0123456789");
		unsigned long k;

		if (strncmp(de->d_name, stem, sl) != 0 || nd == 0 || nd > 9 ||
		    strcmp(p + nd, HIST_SUFFIX) != 0)
			continue;
		k = strtoul(p, NULL, 10);
		if (k < *count || (k == *count && hi != NULL))
			continue;
		*count = (unsigned)k;
		hi = NULL;
		if (fstatat(dirfd(d), de->d_name, &st, 0) < 0 ||
		    !S_ISREG(st.st_mode)) {
			snprintf(name, sizeof(name), "%s", de->d_name);
			hi = name;
		}
	}
	e = errno;
	closedir(d);
	if (e != 0) {
		errno = e;
		warn("%s", day);
		return -1;
	}
	if (hi != NULL)
		warnx("%s/%s: not a history file (a directory, a link to "
		    "nothing?): the next file is numbered past it", day, hi);
	return 0;
}

/*
 * Opens a new file for the period of time t: DIR/YYYY-MM-DD/NAME-
 * YYYY-MM-DDTHH[MM].NNNN.tph, NNNN one more than the highest there,
 * whatever holds that name (last_count).
 * Never a period before the last file's (r->period; at the start, the
 * newest file's, resume_seq): a time behind it (a venue clock behind
 * another's, a size rotation or a restart after a record ahead) stays in
 * that period, so that the files' names sort in the order they were
 * written, which readers and resume_seq take for the records' order.
 * A period kept is named as its files were (with minutes or not), even
 * if --rotate changed since: another spelling of its time could sort
 * before them.  Returns 0, or -1 with errno and a message said.
 */
static int
file_open(struct recorder *r, int64_t t)
{
	struct hist_file_hdr h;
	char day[1200], stem[256], tbuf[32];
	struct tm tm;
	time_t sec;
	unsigned seqno = 0;
	ssize_t w;

	if (t / r->rotate_ns * r->rotate_ns > r->period) {
		r->period = t / r->rotate_ns * r->rotate_ns;
		r->period_min = r->rotate_ns % (3600LL * 1000000000) != 0;
	}
	sec = (time_t)(r->period / 1000000000);
	gmtime_r(&sec, &tm);
	strftime(tbuf, sizeof(tbuf), "%Y-%m-%d", &tm);
	snprintf(day, sizeof(day), "%s/%s", r->dir, tbuf);
	if (!r->period_min)
		strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H", &tm);
	else
		strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H%M", &tm);
	snprintf(stem, sizeof(stem), "%s-%s.", r->name, tbuf);
	if (mkdir(day, 0755) < 0 && errno != EEXIST) {
		warn("%s", day);
		return -1;
	}
	/* a number below one there would break the files' name order */
	if (last_count(day, stem, &seqno) < 0)
		return -1;
	snprintf(r->path, sizeof(r->path), "%s/%s%04u%s", day, stem,
	    seqno + 1, HIST_SUFFIX);
	if ((r->fd = open(r->path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND |
	    O_CLOEXEC, 0644)) < 0) {
		warn("%s", r->path);
		return -1;
	}
	hist_file_hdr_init(&h, r->ring_name, now_ns(), r->last_seq);
	if ((w = write(r->fd, &h, sizeof(h))) != (ssize_t)sizeof(h)) {
		int e = w < 0 ? errno : ENOSPC;

		close(r->fd);
		r->fd = -1;
		unlink(r->path);
		errno = e;
		warn("%s: file header not written, file removed", r->path);
		return -1;
	}
	r->size = sizeof(h);
	if (r->writer_on)
		pthread_mutex_lock(&r->mu);
	r->files++;
	r->bytes += sizeof(h);
	if (r->writer_on)
		pthread_mutex_unlock(&r->mu);
	if (r->verbose)
		warnx("writing %s", r->path);
	retention(r);
	return 0;
}

/*
 * Writes qb as one block, rotating first if its time or the file size
 * says so.  On a failed write the file is cut back to the end of its
 * last whole block, so that it stays intact.  Returns 0, or -1 with
 * errno and a message said.
 */
static int
write_block(struct recorder *r, const struct qblock *qb,
    const unsigned char *pk)
{
	size_t n = qb->n;
	struct hist_block_hdr h;
	struct hist_idx_ent *e;
	char errbuf[256];
	int64_t t;
	size_t len;
	ssize_t w;

	if (n > r->outcap) {
		free(r->out);
		if ((r->out = malloc(hist_block_bound(n))) == NULL) {
			r->outcap = 0;
			warnx("out of memory");
			errno = ENOMEM;
			return -1;
		}
		r->outcap = n;
	}
	t = qb->t;
	if (r->fd >= 0 && ((r->max_size > 0 && r->size >= r->max_size) ||
	    t / r->rotate_ns * r->rotate_ns > r->period) &&
	    file_close(r) == -2)
		return -1;
	if (r->fd < 0 && file_open(r, t) < 0)
		return -1;
	len = hist_block_make_packed(r->cctx, r->level, &qb->sum, n, pk,
	    qb->plen, r->out, errbuf, sizeof(errbuf));
	if (len == 0) {
		warnx("%s", errbuf);
		errno = EINVAL;		/* the block, not the disk */
		return -1;
	}
	if ((w = write(r->fd, r->out, len)) != (ssize_t)len) {
		int e = w < 0 ? errno : ENOSPC;

		if (ftruncate(r->fd, (off_t)r->size) < 0)
			warn("%s: cutting back to %" PRIu64 " bytes", r->path,
			    r->size);
		errno = e;
		warn("%s: block of %zu records (seq %" PRIu64 "..%" PRIu64
		    ") not written; the file is whole up to offset %" PRIu64,
		    r->path, n, qb->sum.first_seq, qb->sum.last_seq, r->size);
		errno = e;
		return -1;
	}
	/*
	 * a file removed under us (its directory removed) takes every block
	 * written to it: this one stays in the queue, and we stop (74);
	 * queue_close says what becomes of the queue
	 */
	if (file_gone(r)) {
		warnx("%s: removed while being written: block of %zu records "
		    "(seq %" PRIu64 "..%" PRIu64 ") not written", r->path,
		    n, qb->sum.first_seq, qb->sum.last_seq);
		errno = ENOENT;
		return -1;
	}
	if (r->nents == r->entcap) {
		size_t nc = r->entcap ? r->entcap * 2 : 1024;

		if ((e = realloc(r->ents, nc * sizeof(*e))) == NULL)
			err(EX_OSERR, "realloc");
		r->ents = e;
		r->entcap = nc;
	}
	memcpy(&h, r->out, sizeof(h));
	e = &r->ents[r->nents++];
	e->offset = r->size;
	e->nrec = h.nrec;
	e->zlen = h.zlen;
	e->first_seq = h.first_seq;
	e->last_seq = h.last_seq;
	e->min_ts = h.min_ts;
	e->max_ts = h.max_ts;
	r->size += len;
	/* what counters() shows, under the lock while the writer runs */
	if (r->writer_on)
		pthread_mutex_lock(&r->mu);
	r->bytes += len;
	r->blocks++;
	r->last_seq = h.last_seq;
	snprintf(r->shown, sizeof(r->shown), "%s", r->path);
	if (r->writer_on)
		pthread_mutex_unlock(&r->mu);
	return 0;
}

/*
 * The queue's object, at QDATA + off: a and then b written whole, or the
 * recorder stops (the object is ours, locked, and its room reserved).
 */
static void
q_write(struct recorder *r, uint64_t off, const void *a, size_t alen,
    const void *b, size_t blen)
{
	struct iovec iov[2] = {
		{ (void *)(uintptr_t)a, alen }, { (void *)(uintptr_t)b, blen } };
	off_t at = (off_t)QDATA + (off_t)off;
	size_t want = alen + blen;
	ssize_t w;

	while ((w = pwritev(r->qfd, iov, blen > 0 ? 2 : 1, at)) !=
	    (ssize_t)want) {
		if (w < 0 && errno == EINTR)
			continue;
		if (w >= 0)
			errno = ENOSPC;
		err(EX_OSERR, "queue /dev/shm%s: writing %zu bytes", r->qname,
		    want);
	}
}

/* Reads len bytes at QDATA + off of the queue's object; 0, or -1. */
static int
q_read(const struct recorder *r, uint64_t off, void *buf, size_t len)
{
	ssize_t n;

	while ((n = pread(r->qfd, buf, len, (off_t)QDATA + (off_t)off)) < 0 &&
	    errno == EINTR)
		;
	if (n != (ssize_t)len) {
		if (n >= 0)
			errno = EIO;	/* cut short by someone else */
		return -1;
	}
	return 0;
}

/* Keeps the head or the tail in the object's header, for the next one. */
static void
q_mark(struct recorder *r, int tail, uint64_t v)
{
	off_t at = tail ? offsetof(struct qfile, tail) :
	    offsetof(struct qfile, head);

	while (pwrite(r->qfd, &v, sizeof(v), at) != (ssize_t)sizeof(v))
		if (errno != EINTR)
			err(EX_OSERR, "queue /dev/shm%s: header", r->qname);
}

/*
 * q_head: reads into qb the header of the block at *head, past any
 * padding (*head moves to the block).  Returns 0 or -1 (errno).
 */
static int
q_head(struct recorder *r, uint64_t qsize, uint64_t *head, struct qblock *qb)
{
	uint64_t off = *head % qsize;
	int rc = 0;

	if (qsize - off >= sizeof(*qb))
		rc = q_read(r, off, qb, sizeof(*qb));
	if (rc == 0 && (qsize - off < sizeof(*qb) || qb->n == 0)) {
		*head += qsize - off;		/* padding */
		rc = q_read(r, 0, qb, sizeof(*qb));
	}
	return rc;
}

/*
 * Reads the block at *head of a queue of qsize bytes into *qb and its
 * packing into r->wpk, passing the padding at the queue's end (*head
 * moves to the block).  Returns the packing; NULL for a block larger
 * than the queue (its packing at qb->ext, which did not outlive its
 * process), or NULL with *bad set (said) if the object holds no block
 * there.
 */
static const unsigned char *
q_take(struct recorder *r, uint64_t qsize, uint64_t *head, struct qblock *qb,
    int *bad)
{
	int rc = q_head(r, qsize, head, qb);
	uint64_t off = *head % qsize;

	*bad = 0;
	if (rc < 0) {
		warn("queue /dev/shm%s: reading a block", r->qname);
		*bad = 1;
		return NULL;
	}
	if (qb->ext != NULL)
		return NULL;
	if (qb->n == 0 || qb->n > HIST_MAX_BLOCK_RECS ||
	    qb->plen > qsize - off - sizeof(*qb) ||
	    qb->plen > qb->n * HIST_PACKED_MAX ||
	    qb->sum.first_seq > qb->sum.last_seq) {
		warnx("queue /dev/shm%s: no block at %" PRIu64, r->qname, off);
		*bad = 1;
		return NULL;
	}
	if (qb->plen > r->wpkcap) {
		free(r->wpk);
		if ((r->wpk = malloc(qb->plen)) == NULL)
			err(EX_OSERR, "malloc");
		r->wpkcap = qb->plen;
	}
	if (q_read(r, off + sizeof(*qb), r->wpk, qb->plen) < 0) {
		warn("queue /dev/shm%s: reading a block", r->qname);
		*bad = 1;
		return NULL;
	}
	return r->wpk;
}

/* The bytes the block qb takes in the queue. */
static uint64_t
q_len(const struct qblock *qb)
{
	return sizeof(*qb) + (qb->ext != NULL ? 0 : (qb->plen + 7) &
	    ~(uint64_t)7);
}

/*
 * The writer thread: writes the blocks handed over until told to quit,
 * first lowering its own priority by --writer-nice so that, when both
 * want the processor, the reader has it: the reader must keep up with
 * the ring, the writer only with the queue.
 */
static void *
writer_main(void *arg)
{
	struct recorder *r = arg;
	struct sched_param sp;
	sigset_t all;
	int pol, rc;

	/* signals are the main thread's */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	/*
	 * Never real-time, even in a process started so (chrt(1)): the
	 * writer compresses without pause while the queue holds blocks, and
	 * would hold a processor from every normal process meanwhile.
	 */
	if (pthread_getschedparam(pthread_self(), &pol, &sp) == 0 &&
	    pol != SCHED_OTHER) {
		sp.sched_priority = 0;
		if ((rc = pthread_setschedparam(pthread_self(), SCHED_OTHER,
		    &sp)) != 0)
			warnx("writer thread: SCHED_OTHER: %s", strerror(rc));
	}
	/* Linux: a nice per thread, this one's by its thread id */
	if (r->writer_nice > 0) {
		id_t tid = (id_t)gettid();
		int cur;

		errno = 0;
		cur = getpriority(PRIO_PROCESS, tid);
		if ((cur != -1 || errno == 0) && setpriority(PRIO_PROCESS, tid,
		    cur + r->writer_nice > 19 ? 19 : cur + r->writer_nice) < 0)
			warn("writer thread: setpriority");
	}
	atomic_store_explicit(&r->writer_set, 1, memory_order_release);
	for (;;) {
		uint64_t head = atomic_load_explicit(&r->qhead,
		    memory_order_relaxed);
		const unsigned char *pk;
		struct qblock qb;
		int bad;

		/* one post a block put, and one to quit after the last */
		while (sem_wait(&r->work) < 0)
			;	/* EINTR */
		/* Q1: pairs with Q2 in flush_block */
		if (head == atomic_load_explicit(&r->qtail,
		    memory_order_acquire))
			break;
		pk = q_take(r, r->qsize, &head, &qb, &bad);
		if (bad || write_block(r, &qb, pk != NULL ? pk : qb.ext) < 0) {
			/* this block and those after it stay in the queue */
			atomic_store(&r->werr, bad || errno == 0 ? EIO : errno);
			if (!bad)
				free(qb.ext);
			if (atomic_exchange(&r->room_wanted, 0))
				sem_post(&r->room);
			break;
		}
		free(qb.ext);
		head += q_len(&qb);
		/*
		 * In the object first: once the reader sees the room it may
		 * write over the block, and the object must not then show a
		 * tail more than the queue ahead of its head.
		 */
		q_mark(r, 0, head);
		/* Q3: pairs with Q4 in flush_block */
		atomic_store_explicit(&r->qhead, head, memory_order_release);
		/* Q6: pairs with Q5 in flush_block */
		atomic_thread_fence(memory_order_seq_cst);
		if (atomic_exchange(&r->room_wanted, 0))
			sem_post(&r->room);
	}
	return NULL;
}

/*
 * 1 if a block of need bytes in the queue (need == sizeof(struct qblock):
 * its packing apart) fits after pad bytes at tail, the writer at head.
 */
static int
queue_fits(const struct recorder *r, uint64_t head, uint64_t tail,
    uint64_t pad, uint64_t need, int ext)
{
	/* a block larger than the queue waits for it to be empty */
	return ext ? head == tail : tail + pad + need - head <= r->qsize;
}

/*
 * Hands the block being filled to the writer: its packing and what its
 * header needs go into the queue (or, for a block larger than the whole
 * queue, its packing into memory of its own, once the queue is empty),
 * and its records are not kept.  Waits only while the queue has no room
 * for it.  Returns 0, or -1 with errno if a write failed (the block is
 * then kept).
 */
static int
flush_block(struct recorder *r)
{
	struct qblock qb;
	uint64_t tail, head, off, pad, need;
	int waited = 0, e;

	if (r->n == 0)
		return 0;
	memset(&qb, 0, sizeof(qb));
	qb.n = r->n;
	qb.t = r->block_time;
	qb.plen = r->plen;
	qb.sum.first_seq = r->buf[0].seq;
	qb.sum.last_seq = r->buf[r->n - 1].seq;
	qb.sum.min_ts = qb.sum.max_ts = r->buf[0].ts;
	for (size_t i = 1; i < r->n; i++) {
		if (r->buf[i].ts < qb.sum.min_ts)
			qb.sum.min_ts = r->buf[i].ts;
		if (r->buf[i].ts > qb.sum.max_ts)
			qb.sum.max_ts = r->buf[i].ts;
	}
	need = sizeof(qb) + ((r->plen + 7) & ~(size_t)7);
	if (need > r->qsize) {
		/* XXX copied: only with a --queue smaller than one block */
		if ((qb.ext = malloc(r->plen)) == NULL)
			err(EX_OSERR, "malloc");
		memcpy(qb.ext, r->pk, r->plen);
		need = sizeof(qb);
	}
	tail = atomic_load_explicit(&r->qtail, memory_order_relaxed);
	off = tail % r->qsize;
	pad = r->qsize - off < need ? r->qsize - off : 0;
	for (;;) {
		/* Q4: pairs with Q3 in writer_main */
		head = atomic_load_explicit(&r->qhead, memory_order_acquire);
		if (queue_fits(r, head, tail, pad, need, qb.ext != NULL))
			break;
		if (atomic_load(&r->werr) != 0)
			break;
		if (!waited)
			r->waits++;
		waited = 1;
		/*
		 * A last look after saying so, then sleep until posted.  Q5:
		 * pairs with Q6 in writer_main (store-load ordering).
		 */
		atomic_store(&r->room_wanted, 1);
		atomic_thread_fence(memory_order_seq_cst);
		head = atomic_load_explicit(&r->qhead, memory_order_acquire);
		if (queue_fits(r, head, tail, pad, need, qb.ext != NULL) ||
		    atomic_load(&r->werr) != 0)
			break;
		while (sem_wait(&r->room) < 0)
			if (usr1) {	/* EINTR: say where it waits */
				usr1 = 0;
				counters(r);
			}
	}
	if ((e = atomic_load(&r->werr)) != 0) {
		free(qb.ext);
		errno = e;
		return -1;
	}
	if (pad >= sizeof(qb)) {
		struct qblock padding = { .n = 0 };

		q_write(r, off, &padding, sizeof(padding), NULL, 0);
	}
	q_write(r, (tail + pad) % r->qsize, &qb, sizeof(qb), r->pk,
	    qb.ext == NULL ? r->plen : 0);
	tail += pad + need;
	/* Q2: pairs with Q1 in writer_main */
	atomic_store_explicit(&r->qtail, tail, memory_order_release);
	q_mark(r, 1, tail);
	sem_post(&r->work);
	if (qb.ext != NULL && qb.plen > r->queue_peak)
		r->queue_peak = qb.plen;
	else if (tail - head > r->queue_peak)
		r->queue_peak = tail - head;
	r->n = 0;
	r->plen = 0;
	return 0;
}

/*
 * Waits for the writer to write what it was handed and ends it.  Returns
 * 0, or -1 with errno if a write failed.
 */
static int
writer_stop(struct recorder *r)
{
	int e;

	if (!r->writer_on)
		return 0;
	atomic_store(&r->quit, 1);
	sem_post(&r->work);
	pthread_join(r->writer, NULL);
	r->writer_on = 0;
	if ((e = atomic_load(&r->werr)) != 0) {
		errno = e;
		return -1;
	}
	return 0;
}

/* 1 if the writer failed (the main thread then stops). */
static int
writer_failed(struct recorder *r)
{
	int e = atomic_load(&r->werr);

	if (e != 0)
		errno = e;
	return e != 0;
}

/*
 * Notes rec, the record just put at r->buf[r->n], as added: the block's
 * start, the last ts and whether a book or book_top message is open.
 */
static void
added(struct recorder *r, const struct tp_record *rec)
{
	if (r->n == 0) {
		int64_t t = rec_time(r, rec);

		r->block_t0 = mono_ns();
		r->block_time = t;
		r->block_end = (t / r->rotate_ns + 1) * r->rotate_ns;
		hist_pack_begin(&r->packer, HIST_ENC_XREF);
		r->plen = 0;
	}
	/* packed here, so that the writer thread only compresses */
	r->plen += hist_pack_rec(&r->packer, r->buf, r->n, r->pk + r->plen);
	r->n++;
	if (rec->ts > 0)
		r->last_ts = rec->ts;
	r->in_msg = jsonl_multi(rec->type) && !(rec->flags & REC_F_LAST);
}

/* Appends a record to the block; may grow it while a message is open. */
static void
add(struct recorder *r, const struct tp_record *rec)
{
	if (r->n == r->cap) {
		struct tp_record *nb = NULL;
		unsigned char *np;
		size_t nc = r->cap * 2;

		/* the packing's references are indices: moving is fine */
		if (nc > HIST_MAX_BLOCK_RECS ||
		    (np = realloc(r->pk, nc * HIST_PACKED_MAX)) == NULL ||
		    (r->pk = np, nb = realloc(r->buf, nc * sizeof(*nb))) ==
		    NULL) {
			/* XXX a message this long is split across blocks */
			if (flush_block(r) < 0) {
				stop = 2;	/* the write error is said */
				return;
			}
		} else {
			r->buf = nb;
			r->cap = nc;
		}
	}
	r->buf[r->n] = *rec;
	added(r, &r->buf[r->n]);
}

/*
 * A gap: lost records from seq from, as a REC_NONE record; new_ring: a
 * new ring follows, its sequence starting again (REC_F_NEW_RING), and
 * the reader is on it.  The record's own seq keeps a block's in order:
 * the last it covers, or (a gap of 0) from; of a new ring the one before
 * the reader's next, in the new ring's numbering, so that it starts a
 * block (the caller writes the one before first) and, the last record of
 * a history, resumes a restarted recorder on the new ring where it was.
 */
static void
add_gap(struct recorder *r, uint64_t from, uint64_t lost, int new_ring)
{
	struct tp_record g;

	cap_gap_init(&g, from, lost, new_ring);
	if (new_ring)
		g.seq = ring_position(r->ring) > 0 ?
		    ring_position(r->ring) - 1 : 0;
	else
		g.seq = lost > 0 ? from + lost - 1 : from;
	g.recv = now_ns();
	/* keeps its file; not a far-off ts, which rec_time files as now */
	g.ts = r->last_ts > 0 && r->last_ts <= g.recv + FUTURE_NS ?
	    r->last_ts : g.recv;
	r->gaps++;
	r->lost += lost;
	ratelog_say(&r->gaplog, mono_ns(), "ring %s: lost %" PRIu64
	    " records from seq %" PRIu64 "%s (recorded as a gap)", r->ring_name,
	    lost, from, new_ring ? ", then a new ring: seq starts again" : "");
	add(r, &g);
	r->in_msg = 0;
}

/* Keeps the record of seq from the blocks of path from ts on. */
static void
last_record(struct recorder *r, const char *path, int64_t ts, uint64_t seq)
{
	struct hist_reader *hr;
	const struct tp_record *rec;
	char errbuf[1024];

	if (hist_reader_open(&hr, path, ts, INT64_MAX, NULL, errbuf,
	    sizeof(errbuf)) < 0)
		return;
	while (hist_reader_next(hr, &rec) == 1)
		if (rec->seq == seq && rec->type != REC_NONE) {
			r->last_rec = *rec;
			r->have_last = 1;
		}
	hist_reader_close(hr);
}

/*
 * name_period: the start of the period a file name's YYYY-MM-DDTHH[MM]
 * (what follows NAME-) names, in ns, read as --from reads a time
 * (hist_parse_time); 0 if it names none.  *min becomes 1 if it has the
 * minutes.
 */
static int64_t
name_period(const char *s, int *min)
{
	char iso[32];
	int64_t ns;
	size_t n;

	if (strlen(s) < 13 || s[10] != 'T')
		return 0;
	n = strspn(s + 11, "0123456789");
	if (n != 2 && n != 4)
		return 0;
	*min = n == 4;
	snprintf(iso, sizeof(iso), "%.13s:%.2sZ", s, n == 4 ? s + 13 : "00");
	return hist_parse_time(iso, &ns) == 0 ? ns : 0;
}

/*
 * Finds the last sequence recorded under dir with our name: the last
 * block of the newest file that has one.  Rebuilds the newest file's
 * sidecar if a crash left it without one.  Returns 0 and sets *seq (0:
 * nothing recorded), or -1 if the directory cannot be read.
 */
static int
resume_seq(struct recorder *r, uint64_t *seq)
{
	char **files, errbuf[1024], idx[4200];
	size_t n, k, ne;
	struct hist_idx_ent *ents;
	size_t pl = strlen(r->name);
	struct stat st;
	unsigned found;

	*seq = 0;
	if (hist_list(r->dir, &files, &n, errbuf, sizeof(errbuf)) < 0) {
		warnx("%s", errbuf);
		return -1;
	}
	for (k = n; k-- > 0; ) {
		const char *b = strrchr(files[k], '/');

		b = b != NULL ? b + 1 : files[k];
		if (strncmp(b, r->name, pl) != 0 || b[pl] != '-')
			continue;
		if (r->period == 0)
			r->period = name_period(b + pl + 1,
			    &r->period_min);	/* file_open */
		if (hist_scan(files[k], &ents, &ne, &found, NULL, NULL, errbuf,
		    sizeof(errbuf)) < 0) {
			warnx("%s (skipped)", errbuf);
			continue;
		}
		if (found & HIST_TORN)
			warnx("%s: ends in a torn block (the recorder stopped "
			    "mid-write); readers skip it", files[k]);
		snprintf(idx, sizeof(idx), "%s.idx", files[k]);
		if (found == 0 && stat(idx, &st) < 0 && stat(files[k], &st) == 0 &&
		    hist_index_write(files[k], (uint64_t)st.st_size, ents, ne,
		    errbuf, sizeof(errbuf)) < 0)
			warnx("%s", errbuf);
		if (ne > 0) {
			*seq = ents[ne - 1].last_seq;
			r->last_blk = ents[ne - 1];
			r->have_blk = 1;
			last_record(r, files[k], ents[ne - 1].min_ts, *seq);
		}
		free(ents);
		if (ne > 0) {
			if (r->verbose)
				warnx("%s: last recorded seq %" PRIu64,
				    files[k], *seq);
			break;
		}
	}
	hist_list_free(files, n);
	return 0;
}

/*
 * name_taken: the ring another running recorder records into r->dir as
 * r->name (a queue of that name and dir, of another ring, that it holds
 * locked), copied into ring; 0 if none, -1 if /dev/shm cannot be read.
 * Each of two starting at once finds the other's, its own locked first,
 * so that at most one goes on (none may).
 */
static int
name_taken(struct recorder *r, char *ring, size_t len)
{
	char suf[160];
	struct dirent *e;
	size_t sl, nl;
	DIR *d;
	int fd, found = 0;

	snprintf(suf, sizeof(suf), ".recorder.%s.%jx.%jx", r->name,
	    (uintmax_t)r->qdev, (uintmax_t)r->qino);
	sl = strlen(suf);
	if ((d = opendir("/dev/shm")) == NULL)
		return -1;
	while (!found && (e = readdir(d)) != NULL) {
		nl = strlen(e->d_name);
		if (nl <= sl + 9 || strncmp(e->d_name, "tickpipe.", 9) != 0 ||
		    strcmp(e->d_name + nl - sl, suf) != 0 ||
		    strcmp(e->d_name, r->qname + 1) == 0)
			continue;
		if ((fd = openat(dirfd(d), e->d_name, O_RDONLY | O_CLOEXEC |
		    O_NOFOLLOW)) < 0)
			continue;	/* gone meanwhile */
		if (flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK) {
			found = 1;
			snprintf(ring, len, "%.*s", (int)(nl - sl - 9),
			    e->d_name + 9);
		}
		close(fd);	/* a kept queue, nobody's now: its lock goes */
	}
	closedir(d);
	return found;
}

/*
 * Opens and locks the queue's shm object, named after the ring, --name
 * and dir (recorder(1), FILES), so that the next recorder of the same
 * finds what one killed left in it, and no two record at once; nor two
 * rings into one dir under one --name (name_taken).  Returns 0, or an
 * exit status (said).
 */
static int
queue_open(struct recorder *r)
{
	const char *rb = r->ring_name;
	char base[101], rp[PATH_MAX];
	struct stat st;
	size_t i;
	int lk;

	/*
	 * the ring's name, however spelled: a path to /dev/shm/tickpipe.X
	 * is the ring X (tickpipe-ring(5)), and a file ring is named by its
	 * real path's last part, so that one ring has one queue (and lock)
	 */
	if (strchr(rb, '/') != NULL && realpath(rb, rp) != NULL)
		rb = rp;	/* a ring made yet */
	if (strncmp(rb, "/dev/shm/tickpipe.", 18) == 0)
		rb += 18;	/* as spelled, if it is not */
	if (strrchr(rb, '/') != NULL)
		rb = strrchr(rb, '/') + 1;
	for (i = 0; rb[i] != '\0' && i < sizeof(base) - 1; i++)
		base[i] = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS"
		    "TUVWXYZ0123456789._-", rb[i]) != NULL ? rb[i] : '_';
	base[i] = '\0';
	if (stat(r->dir, &st) < 0) {
		warn("%s", r->dir);
		return EX_CANTCREAT;
	}
	snprintf(r->qname, sizeof(r->qname), "/tickpipe.%s.recorder.%s.%jx.%jx",
	    base, r->name, (uintmax_t)st.st_dev, (uintmax_t)st.st_ino);
	r->qdev = st.st_dev;
	r->qino = st.st_ino;
	for (;;) {
		if ((r->qfd = shm_open(r->qname, O_RDWR | O_CREAT | O_CLOEXEC |
		    O_NOFOLLOW, 0600)) < 0) {
			warn("queue /dev/shm%s", r->qname);
			return EX_OSERR;
		}
		/*
		 * a held lock is another recorder's, or, for a moment,
		 * name_taken's probe by one of another ring: tried for
		 * 100 ms
		 */
		for (int t = 0; (lk = flock(r->qfd, LOCK_EX | LOCK_NB)) < 0 &&
		    errno == EWOULDBLOCK && t < 10; t++)
			usleep(10000);
		if (lk < 0) {
			int e = errno;

			/* not ours: queue_close must not remove it */
			close(r->qfd);
			r->qfd = -1;
			if (e == EWOULDBLOCK) {
				warnx("%s: another recorder records ring %s "
				    "there as %s (it holds /dev/shm%s)", r->dir,
				    r->ring_name, r->name, r->qname);
				return EX_TEMPFAIL;
			}
			errno = e;
			warn("queue /dev/shm%s: flock", r->qname);
			return EX_OSERR;
		}
		/* locked, but removed meanwhile by one that ended: again */
		if (fstat(r->qfd, &st) < 0 || st.st_nlink > 0)
			break;
		close(r->qfd);
	}
	switch (name_taken(r, rp, sizeof(rp))) {
	case 1:
		warnx("%s: another recorder records ring %s there as %s: give "
		    "each ring its own --name", r->dir, rp, r->name);
		return EX_TEMPFAIL;
	case -1:
		warn("/dev/shm: not read, so a recorder of another ring "
		    "there as %s is not looked for", r->name);
		break;
	}
	return 0;
}

/* Closes the written file after a failed write, with what index it can. */
static void
file_abandon(struct recorder *r)
{
	if (r->fd < 0 || file_drop_gone(r))
		return;
	close(r->fd);
	r->fd = -1;
	/* the sidecar may not fit either: readers scan instead */
	hist_index_write(r->path, r->size, r->ents, r->nents,
	    (char[256]){ 0 }, 256);
	r->nents = 0;
}

/*
 * queue_recover's end on a write error e: says the queue is kept, and
 * returns the exit status.
 */
static int
recover_kept(struct recorder *r, int e)
{
	int full = e == ENOSPC || e == EDQUOT;

	warnx("%s: the queue /dev/shm%s is kept for the next start",
	    full ? "disk full" : "write error", r->qname);
	counters(r);
	return full ? RECORDER_EX_FULL : EX_IOERR;
}

/*
 * q_written: where the blocks of the queue h that the files already hold
 * end: just after the files' last block, if the queue holds it (the
 * writer writes the blocks in queue order, and moves the head past one
 * after it is in its file), else at the head.  Told by the block's
 * summary, not by seq alone: the queue may hold a new ring's blocks,
 * numbered from 1 again, after the last ring's.
 */
static uint64_t
q_written(struct recorder *r, const struct qfile *h)
{
	const struct hist_idx_ent *e = &r->last_blk;
	uint64_t head = h->head, next;
	struct qblock qb;

	while (r->have_blk && head != h->tail) {
		if (q_head(r, h->qsize, &head, &qb) < 0 || qb.n == 0 ||
		    (next = head + q_len(&qb)) <= head || next > h->tail)
			break;		/* queue_recover says it */
		if (qb.n == e->nrec && qb.sum.first_seq == e->first_seq &&
		    qb.sum.last_seq == e->last_seq &&
		    qb.sum.min_ts == e->min_ts && qb.sum.max_ts == e->max_ts)
			return next;
		head = next;
	}
	return h->head;
}

/*
 * Writes the blocks a recorder stopped before writing (killed, or by a
 * write error) left in the queue h describes, those after the files'
 * last block (q_written), into a new file, up to the first it cannot
 * write (a block larger than the queue, which was its process's; a
 * damaged one): from there on the ring gives what it still holds and
 * the rest is recorded as a gap, as after any restart.  Returns 0; or an exit status (said),
 * or -1 if told to stop, with the queue left as it was for the next
 * start.
 */
static int
queue_recover(struct recorder *r, const struct qfile *h)
{
	uint64_t head = h->head, from = 0, to = 0, left = 0;
	uint64_t written = q_written(r, h);
	size_t blocks = 0, recs = 0, had = 0;
	int64_t last_ts = 0;
	const char *why = NULL;
	int bad = 0;

	while (head != h->tail && why == NULL) {
		uint64_t at = head, next;
		struct qblock qb;
		const unsigned char *pk = q_take(r, h->qsize, &head, &qb, &bad);

		next = head + q_len(&qb);
		if (bad || head < at || next < head || next > h->tail ||
		    next - at > h->qsize) {
			why = "a damaged block";
			break;
		}
		if (stop) {
			file_close(r);
			return -1;	/* kept as it is */
		}
		if (next <= written)
			had += qb.n;	/* written, the head not yet moved */
		else if (pk == NULL) {
			why = "a block larger than the queue (lost with its "
			    "process)";
			left = qb.sum.first_seq;
		} else if (write_block(r, &qb, pk) < 0) {
			int e = errno;

			if (e == EINVAL) {
				why = "a block that could not be compressed";
				left = qb.sum.first_seq;
				break;
			}
			file_abandon(r);
			return recover_kept(r, e);
		} else {
			if (blocks++ == 0)
				from = qb.sum.first_seq;
			to = qb.sum.last_seq;
			last_ts = qb.sum.min_ts;
			recs += qb.n;
		}
		head = next;
	}
	if (r->verbose && had > 0)
		warnx("queue /dev/shm%s: %zu records already written", r->qname,
		    had);
	if (blocks > 0) {
		warnx("wrote %zu records (seq %" PRIu64 "..%" PRIu64 ") that a "
		    "recorder stopped left in its queue (/dev/shm%s) to %s",
		    recs, from, to, r->qname, r->path);
		r->have_last = 0;
		last_record(r, r->path, last_ts, to);
		if (file_close(r) == -2)
			return recover_kept(r, errno);
	}
	if (why != NULL && left > 0)
		warnx("queue /dev/shm%s: %s from seq %" PRIu64 ": the rest of "
		    "the queue is read again from the ring, or recorded as a "
		    "gap", r->qname, why, left);
	else if (why != NULL)
		warnx("queue /dev/shm%s: %s: the rest of the queue is read "
		    "again from the ring, or recorded as a gap", r->qname, why);
	return 0;
}

/*
 * Writes what the queue's object holds (queue_recover), then makes it
 * anew: --queue bytes, empty, its room reserved, so that a full /dev/shm
 * fails here and not in a write.  Returns 0, or an exit status (said).
 */
static int
queue_setup(struct recorder *r)
{
	struct qfile h;
	struct stat st;
	int rc;

	if (fstat(r->qfd, &st) < 0) {
		warn("queue /dev/shm%s: fstat", r->qname);
		return EX_OSERR;
	}
	memset(&h, 0, sizeof(h));
	if (st.st_size > 0 && pread(r->qfd, &h, sizeof(h), 0) < 0) {
		warn("queue /dev/shm%s: reading", r->qname);
		return EX_OSERR;
	}
	if (st.st_size == 0 || h.magic[0] == '\0')
		;	/* made by queue_open, or killed making it */
	else if (memcmp(h.magic, QMAGIC, sizeof(h.magic)) != 0 ||
	    h.qsize == 0 || h.qsize % 8 != 0 || st.st_size < QDATA ||
	    h.qsize > (uint64_t)st.st_size - QDATA || h.tail < h.head ||
	    h.tail - h.head > h.qsize)
		warnx("queue /dev/shm%s: not a queue this recorder can read "
		    "(damaged?): made anew, what it held read again from the "
		    "ring", r->qname);
	else if (h.tail != h.head && (rc = queue_recover(r, &h)) != 0)
		return rc;
	if (ftruncate(r->qfd, 0) < 0) {
		warn("queue /dev/shm%s: ftruncate", r->qname);
		return EX_OSERR;
	}
	if ((errno = posix_fallocate(r->qfd, 0, (off_t)(QDATA + r->qsize))) !=
	    0) {
		warn("queue /dev/shm%s: reserving %" PRIu64 " bytes%s",
		    r->qname, QDATA + r->qsize, errno == ENOSPC ? ": use a "
		    "smaller --queue or a larger /dev/shm" : "");
		/* empty, queue_close removes it */
		if (ftruncate(r->qfd, 0) < 0)
			warn("queue /dev/shm%s: ftruncate", r->qname);
		return EX_OSERR;
	}
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, QMAGIC, sizeof(h.magic));
	h.qsize = r->qsize;
	if (pwrite(r->qfd, &h, sizeof(h), 0) != (ssize_t)sizeof(h)) {
		warn("queue /dev/shm%s: header", r->qname);
		return EX_OSERR;
	}
	r->qready = 1;
	return 0;
}

/*
 * Ends the queue: removes its object if empty; otherwise (a write error
 * stopped the writer) keeps it for the next start, saying what it holds.
 */
static void
queue_close(struct recorder *r)
{
	uint64_t head = atomic_load(&r->qhead), tail = atomic_load(&r->qtail);
	size_t recs = 0;
	int bad = 0;
	struct stat st;

	if (r->qfd < 0)
		return;
	if (r->qready && head == tail)
		shm_unlink(r->qname);
	else if (r->qready && (stat(r->dir, &st) < 0 ? errno == ENOENT ||
	    errno == ENOTDIR : st.st_dev != r->qdev || st.st_ino != r->qino)) {
		/* no later start on dir would find it: its name is dir's */
		warnx("%s: the history directory is gone: its queue (/dev/shm%s) "
		    "is removed; a recorder started there records what the "
		    "ring still holds", r->dir, r->qname);
		shm_unlink(r->qname);
	} else if (r->qready) {
		while (head < tail && !bad) {
			struct qblock qb;

			if (q_take(r, r->qsize, &head, &qb, &bad) != NULL)
				recs += qb.n;
			else if (!bad)
				break;	/* larger than the queue: not kept */
			head += q_len(&qb);
		}
		warnx("%zu records not written are kept in the queue "
		    "(/dev/shm%s) for the next start", recs, r->qname);
	} else if (fstat(r->qfd, &st) == 0 && st.st_size == 0)
		shm_unlink(r->qname);	/* made, never used */
	close(r->qfd);
	r->qfd = -1;
}

static int
open_ring(struct recorder *r)
{
	char errbuf[512];
	int rc, said = 0;

	/* before the ring is mapped: opening it reads it */
	ring_sigbus_guard("recorder", r->ring_name, 0);
	for (;;) {
		rc = ring_reader_open(&r->ring, r->ring_name, errbuf,
		    sizeof(errbuf));
		if (rc == RING_OK)
			break;
		if (rc != RING_ENOENT) {
			warnx("%s", errbuf);
			return ring_exit(rc);
		}
		if (!said && r->verbose)
			warnx("%s; waiting for the writer", errbuf);
		said = 1;
		/*
		 * Often: a writer at full rate fills a ring of 65536 in
		 * about 40 ms, and what it overwrites before we look is
		 * never seen (not even as a gap).
		 */
		usleep(10000);
		if (stop)
			return -1;
		if (usr1) {	/* the status line: nothing read yet */
			usr1 = 0;
			counters(r);
		}
	}
	return 0;
}

/*
 * new_ring_gap: at a start, the ring is not the one recorded before: the
 * history marks it as a running recorder does (a gap of "new_ring",
 * from the seq after the last recorded, counting the new ring's records
 * before its oldest; those of the old ring after the last recorded, if
 * any, are not known), and recording starts at the new ring's oldest.
 */
static void
new_ring_gap(struct recorder *r)
{
	uint64_t oldest;

	ring_seek_oldest(r->ring);
	oldest = ring_position(r->ring);
	/* stamped now (no record added yet): filed with the new ring's */
	add_gap(r, r->last_seq + 1, oldest > 0 ? oldest - 1 : 0, 1);
}

/*
 * Positions the reader after what was recorded (recorder(1), "Crashes and
 * restarts").
 */
static void
position(struct recorder *r)
{
	uint64_t want = r->last_seq + 1, oldest, cursor;

	if (r->last_seq == 0)
		return;
	oldest = ring_oldest(r->ring);
	cursor = ring_cursor(r->ring);
	if (cursor < r->last_seq) {
		warnx("ring %s: its last seq %" PRIu64 " is below the last "
		    "recorded %" PRIu64 " (a new ring?): recording from its "
		    "oldest record", r->ring_name, cursor, r->last_seq);
		new_ring_gap(r);
		return;
	}
	if (r->have_last && r->last_seq >= oldest) {
		struct tp_record cur;
		uint64_t lost = 0;

		/* the same stream only if the ring still has that record */
		ring_seek(r->ring, r->last_seq);
		if (ring_read(r->ring, &cur, &lost) && lost == 0 &&
		    memcmp(&cur, &r->last_rec, sizeof(cur)) != 0) {
			warnx("ring %s: its record %" PRIu64 " is not the one "
			    "recorded (a new ring?): recording from its oldest "
			    "record", r->ring_name, r->last_seq);
			new_ring_gap(r);
			return;
		}
	}
	if (cursor >= oldest && oldest > want) {
		add_gap(r, want, oldest - want, 0);
		ring_seek(r->ring, oldest);
		return;
	}
	ring_seek(r->ring, want);
}

/*
 * Runs the calling thread, the reader, under SCHED_FIFO at --rt-prio, so
 * that no normal process keeps it from a processor for longer than the
 * ring takes to lap it (recorder(1)).  Called after the writer thread is
 * made, which keeps the normal policy.  Safe because the reader never
 * spins: caught up it naps, and with the queue full it sleeps on a
 * semaphore.  Without permission says so once and goes on.
 */
static void
reader_rt(struct recorder *r)
{
	struct sched_param sp;
	int rc;

	if (r->rt_prio == 0)
		return;
	memset(&sp, 0, sizeof(sp));
	sp.sched_priority = r->rt_prio;
	if ((rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp)) != 0)
		warnx("--rt-prio %d: SCHED_FIFO: %s: the reader runs under "
		    "the normal policy", r->rt_prio, strerror(rc));
	else if (r->verbose)
		warnx("reader thread: SCHED_FIFO priority %d", r->rt_prio);
}

/* Returns 0, or an exit status. */
static int
record(struct recorder *r, int ready_fd)
{
	struct tp_record rec;
	uint64_t lost, pos;
	unsigned tick = 0;
	int rc, napped = 0;

	if ((rc = queue_open(r)) != 0)
		return rc;
	if (resume_seq(r, &r->last_seq) < 0)
		return EX_NOINPUT;
	if ((rc = queue_setup(r)) != 0)
		return rc < 0 ? 0 : rc;
	if ((rc = open_ring(r)) != 0) {
		/* stopped while awaiting the ring, or it could not be
		   opened: the status line at exit all the same (-v) */
		if (r->verbose)
			counters(r);
		return rc < 0 ? 0 : rc;
	}
	position(r);
	if ((rc = pthread_create(&r->writer, NULL, writer_main, r)) != 0) {
		errno = rc;
		warn("pthread_create");
		return EX_OSERR;
	}
	r->writer_on = 1;
	reader_rt(r);
	/* ready once both threads run as they will (recorder(1) -d) */
	while (!atomic_load_explicit(&r->writer_set, memory_order_acquire))
		usleep(100);
	notify_ready(ready_fd);
	while (!stop) {
		struct tp_record *slot;

		pos = ring_position(r->ring);
		lost = 0;
		/* straight into the block: the record is copied once */
		slot = r->n < r->cap ? &r->buf[r->n] : &rec;
		if (ring_read(r->ring, slot, &lost)) {
			napped = 0;
			/* a block holds one rotation period */
			if (lost > 0 || slot == &rec || (r->n > 0 &&
			    !r->in_msg && rec_time(r, slot) >= r->block_end)) {
				if (slot != &rec)
					rec = *slot;
				if (lost > 0)
					add_gap(r, pos, lost, 0);
				if (r->n > 0 && !r->in_msg &&
				    rec_time(r, &rec) >= r->block_end &&
				    flush_block(r) < 0)
					goto werr;
				add(r, &rec);
			} else
				added(r, slot);
			r->records++;
			if (usr1) {
				usr1 = 0;
				counters(r);
			}
			if ((r->n >= r->block_max && !r->in_msg) ||
			    ((++tick & 255) == 0 && mono_ns() - r->block_t0 >=
			    r->flush_ns && !r->in_msg)) {
				if (flush_block(r) < 0)
					goto werr;
			}
			continue;
		}
		/* caught up */
		if (writer_failed(r))
			goto werr;
		/*
		 * A book message open here has a writer that stalls in it:
		 * its LAST is waited for a second past --flush, then the
		 * block is cut, which readers read across (recorder(1)).
		 */
		if (r->n > 0 && mono_ns() - r->block_t0 >= r->flush_ns &&
		    (!r->in_msg || mono_ns() - r->block_t0 >= r->flush_ns +
		    1000000000)) {
			if (flush_block(r) < 0)
				goto werr;
		}
		ratelog_tick(&r->gaplog, mono_ns());
		if (usr1) {
			usr1 = 0;
			counters(r);
		}
		if (stop)
			break;
		/*
		 * Caught up: nap a millisecond, unseen by the writer, and
		 * read what came meanwhile as a batch.  Spinning in
		 * ring_wait would take a whole core from our writer thread
		 * while a writer at full rate publishes every microsecond
		 * or so, and sleeping on the futex would make it wake us
		 * for each record; a ring of 65536 records takes some 40 ms
		 * to lap at full rate.
		 */
		if (!napped) {
			napped = 1;
			nanosleep(&(struct timespec){ 0, NAP_NS }, NULL);
			continue;
		}
		if (!ring_wait(r->ring, 0, r->n > 0 ? 1 +
		    (int)(r->flush_ns / 1000000 / 4) : 200)) {
			char errbuf[512];
			uint64_t gap_from;

			rc = ring_follow(&r->ring, &gap_from, &lost, errbuf,
			    sizeof(errbuf));
			if (rc < 0) {
				warnx("%s", errbuf);
				if (flush_block(r) < 0 || writer_stop(r) < 0)
					goto werr;
				file_close(r);
				counters(r);
				return ring_exit(rc);
			}
			if (rc > 0) {	/* RING_FOLLOWED, and how */
				warnx("ring %s was removed or replaced; "
				    "reopening", r->ring_name);
				/*
				 * A new ring starts a block, with its gap:
				 * a block's records go up in seq (its
				 * summary, the queue's check).  It is marked
				 * even with none lost.
				 */
				if ((rc & RING_FOLLOW_NEW) &&
				    flush_block(r) < 0)
					goto werr;
				if (lost > 0 || (rc & RING_FOLLOW_NEW))
					add_gap(r, gap_from, lost,
					    rc & RING_FOLLOW_NEW);
			}
		}
	}
	if (stop == 2 || flush_block(r) < 0 || writer_stop(r) < 0 ||
	    file_close(r) == -2)
		goto werr;
	ratelog_flush(&r->gaplog);
	if (r->verbose)
		counters(r);
	ring_close(r->ring);
	return 0;
werr:
	rc = errno;
	writer_stop(r);
	if (atomic_load(&r->werr) != 0)
		rc = atomic_load(&r->werr);
	rc = rc == ENOSPC || rc == EDQUOT ? RECORDER_EX_FULL : EX_IOERR;
	file_abandon(r);
	ratelog_flush(&r->gaplog);
	if (r->n > 0)
		warnx("%s: stopping; the %zu records of the block being "
		    "filled are not written", rc == RECORDER_EX_FULL ?
		    "disk full" : "write error", r->n);
	else
		warnx("%s: stopping", rc == RECORDER_EX_FULL ? "disk full" :
		    "write error");
	counters(r);
	ring_close(r->ring);
	return rc;
}

int
main(int argc, char **argv)
{
	static struct recorder r;
	pthread_mutexattr_t ma;
	struct sigaction sa;
	uint64_t v;
	int ch, ready_fd = -1, rv;

	std_fds_hold();
	/*
	 * A reader gone from standard output ends cat's output (and -h's)
	 * with exit 0, as shmreader's (out_write, print_usage); one gone
	 * from standard error or -d loses what is said there, not the
	 * recorder and the block it fills.
	 */
	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && strcmp(argv[1], "cat") == 0)
		return cat_main(argc - 1, argv + 1);
	sig_hold();	/* until the handlers are in place, below */
	r.ring_name = "default";
	r.name = "tickpipe";
	r.level = -3;
	r.flush_ns = 1000000000;
	r.block_max = 4096;
	r.rotate_ns = 3600LL * 1000000000;
	r.max_size = 1ULL << 30;
	r.queue_max = 32ULL << 20;
	r.writer_nice = 10;
	r.rt_prio = 1;
	r.fd = -1;
	r.qfd = -1;
	ratelog_init(&r.gaplog, 5, 1000000000, NULL, "gaps not reported");
	while ((ch = getopt_long(argc, argv, "hvd:", opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			return print_usage(usage_text);
		case 'v':
			r.verbose++;
			break;
		case 'd':
			if ((ready_fd = parse_fd_opt(optarg)) < 0)
				errx(EX_USAGE, "-d %s: not an open file "
				    "descriptor", optarg);
			break;
		case O_RING:
			r.ring_name = optarg;
			break;
		case O_NAME:
			/* a leading '.': a hidden file, which readers skip
			   (recorder(1)) */
			if (optarg[0] == '\0' || optarg[0] == '.' ||
			    strlen(optarg) > 64 ||
			    strspn(optarg, "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") !=
			    strlen(optarg))
				errx(EX_USAGE, "--name %s: want 1 to 64 letters, "
				    "digits, '_' or '.', not starting with '.'",
				    optarg);
			r.name = optarg;
			break;
		case O_FLUSH:
			if (parse_u64(optarg, 1, 3600000, &v) < 0)
				errx(EX_USAGE, "--flush %s: must be 1 to "
				    "3600000 ms", optarg);
			r.flush_ns = (int64_t)v * 1000000;
			break;
		case O_BLOCK:
			if (parse_u64(optarg, 1, HIST_MAX_BLOCK_RECS / 2,
			    &v) < 0)
				errx(EX_USAGE, "--block %s: must be 1 to %u "
				    "records", optarg, HIST_MAX_BLOCK_RECS / 2);
			r.block_max = (size_t)v;
			break;
		case O_LEVEL:
			/* negative: zstd's fast levels */
			if (parse_u64(optarg + (optarg[0] == '-'), 1,
			    optarg[0] == '-' ? 7 : 19, &v) < 0)
				errx(EX_USAGE, "--level %s: must be -7 to -1 "
				    "or 1 to 19", optarg);
			r.level = optarg[0] == '-' ? -(int)v : (int)v;
			break;
		case O_QUEUE:
			if (parse_size(optarg, &r.queue_max) < 0)
				errx(EX_USAGE, "--queue %s: must be a size "
				    "in bytes, K, M, G or T", optarg);
			break;
		case O_NICE:
			if (parse_u64(optarg, 0, 19, &v) < 0)
				errx(EX_USAGE, "--writer-nice %s: must be 0 to "
				    "19", optarg);
			r.writer_nice = (int)v;
			break;
		case O_RTPRIO:
			if (parse_u64(optarg, 0, 99, &v) < 0)
				errx(EX_USAGE, "--rt-prio %s: must be 0 to 99",
				    optarg);
			r.rt_prio = (int)v;
			break;
		case O_ROTATE:
			if (parse_u64(optarg, 60, 86400, &v) < 0 ||
			    v % 60 != 0 || 86400 % v != 0)
				errx(EX_USAGE, "--rotate %s: must be a number "
				    "of seconds from 60 to 86400 that divides "
				    "a day in whole minutes", optarg);
			r.rotate_ns = (int64_t)v * 1000000000;
			break;
		case O_MAXSIZE:
			if (parse_size(optarg, &r.max_size) < 0)
				errx(EX_USAGE, "--max-size %s: must be a size "
				    "in bytes, K, M, G or T", optarg);
			break;
		case O_KEEPAGE:
			if (parse_age(optarg, &r.keep_age_ns) < 0)
				errx(EX_USAGE, "--keep-age %s: must be a "
				    "number of seconds, or of m, h or d",
				    optarg);
			break;
		case O_KEEPSIZE:
			if (parse_size(optarg, &r.keep_size) < 0)
				errx(EX_USAGE, "--keep-size %s: must be a size "
				    "in bytes, K, M, G or T", optarg);
			break;
		default:
			return EX_USAGE;
		}
	}
	if (argc == optind) {
		warnx("no directory given");
		return EX_USAGE;
	}
	if (argc - optind > 1) {
		warnx("%s: unexpected argument", argv[optind + 1]);
		return EX_USAGE;
	}
	r.dir = argv[optind];
	if (strlen(r.dir) > 1024)
		errx(EX_USAGE, "%s: directory name too long", r.dir);
	{
		struct stat st;

		if (stat(r.dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
			if (mkdir(r.dir, 0755) < 0 && errno != EEXIST) {
				warn("%s", r.dir);
				return EX_CANTCREAT;
			}
			/* something else under the name: said before the
			   ring is read and a queue made */
			if (stat(r.dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
				warnx("%s: not a directory", r.dir);
				return EX_CANTCREAT;
			}
		}
	}
	r.cap = r.block_max + JSONL_MAX_RECS + 1;
	if ((r.buf = malloc(r.cap * sizeof(*r.buf))) == NULL ||
	    (r.cctx = ZSTD_createCCtx()) == NULL)
		err(EX_OSERR, "malloc");
	r.qsize = (r.queue_max + 7) & ~(uint64_t)7;
	if (r.qsize < r.queue_max || r.qsize > (uint64_t)INT64_MAX - QDATA)
		errx(EX_USAGE, "--queue: too large");
	if ((r.pk = malloc(r.cap * HIST_PACKED_MAX)) == NULL)
		err(EX_OSERR, "malloc");
	/*
	 * Priority inheritance: the writer, at a lower priority, holds mu a
	 * moment; a real-time reader waiting for it lends it its priority.
	 */
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setprotocol(&ma, PTHREAD_PRIO_INHERIT);
	pthread_mutex_init(&r.mu, &ma);
	pthread_mutexattr_destroy(&ma);
	sem_init(&r.work, 0, 0);
	sem_init(&r.room, 0, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sig_release();

	rv = record(&r, ready_fd);
	queue_close(&r);
	ZSTD_freeCCtx(r.cctx);
	free(r.buf);
	free(r.pk);
	free(r.wpk);
	free(r.out);
	free(r.ents);
	return rv;
}
