/*
 * secret.h: a secret (a Redis password, a bearer token) read from the
 * first line of a file, as --password-file and --token-file take it, so
 * that it never appears in a command line or in ps(1).  Nothing here
 * prints or exits: the caller says what went wrong, with the message it
 * is given, which never quotes the secret.
 */
#ifndef TP_SECRET_H
#define TP_SECRET_H

#include <stddef.h>

/*
 * SECRET_TOKEN: blanks around the secret are removed, and what is left
 * must be printable ASCII without spaces ([!-~]); without it the first
 * line is the secret byte for byte, spaces included.
 */
#define SECRET_TOKEN	1

/*
 * secret_read: the first line of path (without its newline), at most
 * max bytes, in *out, allocated; the caller frees it.  what names the
 * secret in messages ("password", "token").  Returns 0; or 1 when the
 * file may be read or written by its group or others, with the secret in
 * *out all the same and a warning in msg; or -1 with the reason in msg:
 * the file cannot be opened or read, its first line is longer than max
 * bytes, holds nothing, or (SECRET_TOKEN) holds a character outside
 * [!-~].  Messages start with path.
 */
int	secret_read(const char *path, const char *what, size_t max, int flags,
	    char **out, char *msg, size_t msglen);

#endif
