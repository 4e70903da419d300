/*
 * lines.h: the fuzz targets that take their input as lines.  fuzz_line
 * copies the line of data[0..size) that starts at i into buf (room for
 * size bytes), NUL terminated, its length in *len, and returns where the
 * next line starts (size + 1 past the last).
 */
#ifndef TP_FUZZ_LINES_H
#define TP_FUZZ_LINES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline size_t
fuzz_line(const uint8_t *data, size_t size, size_t i, char *buf,
    size_t *len)
{
	const uint8_t *nl = memchr(data + i, '\n', size - i);
	size_t end = nl != NULL ? (size_t)(nl - data) : size;

	*len = end - i;
	memcpy(buf, data + i, *len);
	buf[*len] = '\0';
	return end + 1;
}

#endif
