/* sumstore.c: connection summaries in an unlinked temporary file. */
#include "sumstore.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Connections retire in roughly the order they were made, so records are
 * gathered in a window of consecutive ids and written a window at a time:
 * one system call per WINDOW connections rather than one each. */
#define WINDOW 2048

/* What a summary needs of a connection: a quarter of struct conn, so a
 * capture of many connections writes (and the system copies) that much less. */
struct sumrec {
	uint64_t id;
	ts_ns first_ts, last_ts;
	uint64_t first_n, last_n, lost, rst_lost_n;
	struct {
		uint64_t pkts, bytes, retrans, fin_n, rst_n;
	} side[2];
	struct flow_calls calls;
	uint8_t addr[2][16];
	uint16_t port[2];
	int8_t first_fin_from, rst_from;
	uint8_t family, syn_seen, closed, half, gone;
	uint8_t ep_len[2];
	char ep[2][48];
};

/* The fields a summary shows, copied either way: struct sumrec and struct
 * conn name them alike. */
#define SUMREC_COPY(d, s)                                                                          \
	do {                                                                                       \
		(d)->id = (s)->id;                                                                 \
		(d)->first_ts = (s)->first_ts;                                                     \
		(d)->last_ts = (s)->last_ts;                                                       \
		(d)->first_n = (s)->first_n;                                                       \
		(d)->last_n = (s)->last_n;                                                         \
		(d)->lost = (s)->lost;                                                             \
		(d)->rst_lost_n = (s)->rst_lost_n;                                                 \
		for (int i_ = 0; i_ < 2; i_++) {                                                   \
			(d)->side[i_].pkts = (s)->side[i_].pkts;                                   \
			(d)->side[i_].bytes = (s)->side[i_].bytes;                                 \
			(d)->side[i_].retrans = (s)->side[i_].retrans;                             \
			(d)->side[i_].fin_n = (s)->side[i_].fin_n;                                 \
			(d)->side[i_].rst_n = (s)->side[i_].rst_n;                                 \
		}                                                                                  \
		(d)->calls = (s)->calls;                                                           \
		memcpy((d)->addr, (s)->addr, sizeof(d)->addr);                                     \
		memcpy((d)->port, (s)->port, sizeof(d)->port);                                     \
		(d)->first_fin_from = (s)->first_fin_from;                                         \
		(d)->rst_from = (s)->rst_from;                                                     \
		(d)->family = (s)->family;                                                         \
		(d)->syn_seen = (s)->syn_seen;                                                     \
		(d)->closed = (s)->closed;                                                         \
		(d)->half = (s)->half;                                                             \
		(d)->gone = (s)->gone;                                                             \
		memcpy((d)->ep_len, (s)->ep_len, sizeof(d)->ep_len);                               \
		memcpy((d)->ep, (s)->ep, sizeof(d)->ep);                                           \
	} while (0)

static void rec_from_conn(struct sumrec *r, const struct conn *c) { SUMREC_COPY(r, c); }

static void conn_from_rec(struct conn *c, const struct sumrec *r)
{
	memset(c, 0, sizeof *c);
	SUMREC_COPY(c, r);
}

struct sumstore {
	int fd;
	uint64_t max_id;
	uint64_t base; /* the window holds ids base .. base + WINDOW - 1 */
	struct sumrec *win;
	uint8_t *have; /* which of them are filled */
	size_t nhave;
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
	s->base = 1;
	s->win = malloc(WINDOW * sizeof *s->win);
	s->have = calloc(WINDOW, 1);
	if (!s->win || !s->have) {
		sumstore_free(s);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return s;
}

static int write_at(int fd, const void *buf, size_t len, off_t off)
{
	const char *p = buf;
	while (len) {
		ssize_t w = pwrite(fd, p, len, off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
		off += w;
	}
	return 0;
}

/* Writes the window's filled records, in runs of consecutive ids. */
static int flush_window(struct sumstore *s)
{
	int rc = 0;
	size_t i = 0;
	while (s->nhave && i < WINDOW) {
		if (!s->have[i]) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < WINDOW && s->have[j])
			j++;
		if (write_at(s->fd, s->win + i, (j - i) * sizeof *s->win,
			     (off_t)(s->base - 1 + i) * (off_t)sizeof *s->win) != 0)
			rc = -1;
		memset(s->have + i, 0, j - i);
		s->nhave -= j - i;
		i = j;
	}
	return rc;
}

void sumstore_free(struct sumstore *s)
{
	if (!s)
		return;
	close(s->fd);
	free(s->win);
	free(s->have);
	free(s);
}

int sumstore_put(struct sumstore *s, const struct conn *c)
{
	int rc = 0;
	struct sumrec *rec;
	struct sumrec one;
	if (c->id >= s->base && c->id < s->base + WINDOW) {
		rec = &s->win[c->id - s->base];
	} else if (c->id >= s->base + WINDOW) {
		/* Move the window on, keeping a quarter of it for stragglers. */
		rc = flush_window(s);
		s->base = c->id > WINDOW / 4 ? c->id - WINDOW / 4 : 1;
		rec = &s->win[c->id - s->base];
	} else {
		rec = &one; /* an old straggler: write it alone */
	}
	rec_from_conn(rec, c);
	if (c->id > s->max_id)
		s->max_id = c->id;
	if (rec == &one)
		return write_at(s->fd, rec, sizeof *rec, (off_t)(c->id - 1) * (off_t)sizeof *rec) |
		       rc;
	size_t i = (size_t)(rec - s->win);
	if (!s->have[i]) {
		s->have[i] = 1;
		s->nhave++;
	}
	return rc;
}

int sumstore_each(struct sumstore *s, void (*fn)(const struct conn *c, void *arg), void *arg)
{
	if (flush_window(s) != 0)
		return -1;
	enum { BATCH = 256 };
	struct sumrec *buf = malloc(BATCH * sizeof *buf);
	struct conn *c = malloc(sizeof *c);
	if (!buf || !c) {
		free(buf);
		free(c);
		return -1;
	}
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
		for (size_t i = 0; i < got; i++) {
			if (!buf[i].id) /* a hole would read as zeros */
				continue;
			conn_from_rec(c, &buf[i]);
			fn(c, arg);
		}
		id += got;
		if (got == 0)
			break;
	}
	free(buf);
	free(c);
	return rc;
}
