/*
 * recorder.h: what recorder.c (recording) and cat.c (reading history)
 * share.  See recorder(1).
 */
#ifndef TP_RECORDER_H
#define TP_RECORDER_H

#include <stdint.h>

/* exit status when the disk is full (recorder(1), EXIT STATUS) */
#define RECORDER_EX_FULL	73	/* EX_CANTCREAT */

/*
 * print_usage: -h and --help of both commands.  Returns the exit status,
 * 0; exits 74 (EX_IOERR) saying so if standard output cannot take it,
 * as shmreader and deriver do: a usage lost to a full disk is no
 * success.  A pipe whose reader is gone, if SIGPIPE was ignored, is no
 * error.
 */
int	print_usage(const char *text);

/* cat_main: `recorder cat ...`, argv[0] being "cat". */
int	cat_main(int argc, char **argv);

/*
 * parse_size: a byte count with an optional K, M, G or T suffix (powers
 * of 1024).  parse_age: seconds with an optional s, m, h or d suffix,
 * returned in ns.  Both return 0, or -1 if s is not one.
 */
int	parse_size(const char *s, uint64_t *out);
int	parse_age(const char *s, int64_t *ns);

#endif
