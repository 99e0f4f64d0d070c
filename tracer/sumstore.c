/* sumstore.c: connection summaries in an unlinked temporary file. */
#include "sumstore.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct sumstore {
	int fd;
	uint64_t max_id;
};

struct sumstore *sumstore_new(char *err, size_t errlen)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	if (!dir || !*dir)
		dir = "/tmp";
	snprintf(path, sizeof path, "%s/rstscope-summaries-XXXXXX", dir);
	int fd = mkstemp(path);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a temporary file in %s: %s (set TMPDIR)", dir,
			 strerror(errno));
		return NULL;
	}
	unlink(path);
	struct sumstore *s = calloc(1, sizeof *s);
	if (!s) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->fd = fd;
	return s;
}

void sumstore_free(struct sumstore *s)
{
	if (!s)
		return;
	close(s->fd);
	free(s);
}

int sumstore_put(struct sumstore *s, const struct conn *c)
{
	struct conn rec = *c;
	rec.hnext = rec.prev = rec.next = NULL;
	rec.user = NULL;
	off_t off = (off_t)(c->id - 1) * (off_t)sizeof rec;
	const char *p = (const char *)&rec;
	size_t left = sizeof rec;
	while (left) {
		ssize_t w = pwrite(s->fd, p, left, off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		left -= (size_t)w;
		off += w;
	}
	if (c->id > s->max_id)
		s->max_id = c->id;
	return 0;
}

int sumstore_each(struct sumstore *s, void (*fn)(const struct conn *c, void *arg), void *arg)
{
	enum { BATCH = 256 };
	struct conn *buf = malloc(BATCH * sizeof *buf);
	if (!buf)
		return -1;
	uint64_t id = 0;
	int rc = 0;
	while (id < s->max_id) {
		size_t want = s->max_id - id < BATCH ? (size_t)(s->max_id - id) : BATCH;
		ssize_t r = pread(s->fd, buf, want * sizeof *buf, (off_t)id * (off_t)sizeof *buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = -1;
			break;
		}
		size_t got = (size_t)r / sizeof *buf;
		for (size_t i = 0; i < got; i++)
			if (buf[i].id) /* a hole would read as zeros */
				fn(&buf[i], arg);
		id += got;
		if (got == 0)
			break;
	}
	free(buf);
	return rc;
}
