/* rstscope_utf8.h: one check of UTF-8, for the writer, the reader and the
 * output alike (each keeps valid UTF-8 and escapes every other byte). */
#ifndef RSTSCOPE_UTF8_H
#define RSTSCOPE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length of the well-formed UTF-8 sequence at p (avail bytes left), or 0
 * when there is none (RFC 3629: no overlong forms, no surrogates, nothing
 * past U+10FFFF). */
static inline size_t utf8_seq_len(const unsigned char *p, size_t avail)
{
	unsigned char c0 = p[0], lo = 0x80, hi = 0xbf; /* allowed second bytes */
	size_t len;
	if (c0 >= 0xc2 && c0 <= 0xdf) {
		len = 2;
	} else if (c0 >= 0xe0 && c0 <= 0xef) {
		len = 3;
		if (c0 == 0xe0)
			lo = 0xa0;
		else if (c0 == 0xed)
			hi = 0x9f;
	} else if (c0 >= 0xf0 && c0 <= 0xf4) {
		len = 4;
		if (c0 == 0xf0)
			lo = 0x90;
		else if (c0 == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (avail < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t k = 2; k < len; k++)
		if ((p[k] & 0xc0) != 0x80)
			return 0;
	return len;
}

#endif
