/* sumstore.h: finished connections, kept on disk until the final summary.
 *
 * A capture can hold millions of connections; their summaries are printed
 * at the end, in connection order. Each retired connection is written as a
 * fixed-size record at offset (id - 1) of an unlinked temporary file, so
 * memory stays flat however many connections the capture holds, and reading
 * the file back yields them sorted by id for free. */
#ifndef RSTSCOPE_SUMSTORE_H
#define RSTSCOPE_SUMSTORE_H

#include <stddef.h>

#include "flow.h"

struct sumstore;

struct sumstore *sumstore_new(char *err, size_t errlen);
void sumstore_free(struct sumstore *s);
/* Returns 0, or -1 with errno set. */
int sumstore_put(struct sumstore *s, const struct conn *c);
/* Calls fn for every stored connection in id order. Returns 0 or -1. */
int sumstore_each(struct sumstore *s, void (*fn)(const struct conn *c, void *arg), void *arg);

#endif
