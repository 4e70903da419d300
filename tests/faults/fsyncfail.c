/*
 * fsyncfail.c: an LD_PRELOAD library for tests: fsync(2) and fdatasync(2)
 * of a file whose path contains $TP_FSYNC_FAIL fail with EIO, as they do
 * when the kernel could not write the file's pages back (a disk error,
 * ENOSPC on thin or network storage).  Every other call is the real one.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 1 if fd is a file whose path contains $TP_FSYNC_FAIL */
static int
doomed(int fd)
{
	const char *pat = getenv("TP_FSYNC_FAIL");
	char link[64], path[PATH_MAX];
	ssize_t n;

	if (pat == NULL || *pat == '\0')
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof(path) - 1)) < 0)
		return 0;
	path[n] = '\0';
	return strstr(path, pat) != NULL;
}

/* the real call name(fd), unless fd is doomed: then EIO */
static int
fail_or(const char *name, int fd)
{
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, name);

	if (doomed(fd)) {
		errno = EIO;
		return -1;
	}
	return real(fd);
}

int
fsync(int fd)
{
	return fail_or("fsync", fd);
}

int
fdatasync(int fd)
{
	return fail_or("fdatasync", fd);
}
