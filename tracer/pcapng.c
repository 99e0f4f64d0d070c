/* pcapng.c: an annotated pcapng writer, and the store of comments it is
 * written from (see pcapng.h for why the file is written at the end). */
#include "pcapng.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pcapng_writer {
	FILE *f;
	char *path;
	int failed;
};

/* Blocks are written in the host's byte order, as the spec allows: the
 * section header's byte-order magic tells readers which one. */
static void put(struct pcapng_writer *w, const void *p, size_t n)
{
	if (!w->failed && n && fwrite(p, 1, n, w->f) != n)
		w->failed = errno ? errno : EIO;
}
static void put32(struct pcapng_writer *w, uint32_t v) { put(w, &v, 4); }
static void put16(struct pcapng_writer *w, uint16_t v) { put(w, &v, 2); }
static void pad4(struct pcapng_writer *w, size_t n)
{
	static const uint8_t zero[4];
	put(w, zero, (4 - n % 4) % 4);
}
static size_t opt_size(size_t len) { return 4 + (len + 3) / 4 * 4; }
static void put_opt(struct pcapng_writer *w, uint16_t code, const void *p, size_t len)
{
	put16(w, code);
	put16(w, (uint16_t)len);
	put(w, p, len);
	pad4(w, len);
}

static int fail_err(struct pcapng_writer *w, char *err, size_t errlen)
{
	snprintf(err, errlen, "--pcapng %s: %s", w->path, strerror(w->failed));
	return -1;
}

struct pcapng_writer *pcapng_writer_open(const char *path, int linktype, uint32_t snaplen,
					 char *err, size_t errlen)
{
	struct pcapng_writer *w = calloc(1, sizeof *w);
	if (!w || !(w->path = strdup(path))) {
		free(w);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->f = fopen(path, "wb");
	if (!w->f) {
		snprintf(err, errlen, "--pcapng %s: %s", path, strerror(errno));
		free(w->path);
		free(w);
		return NULL;
	}
	static const char app[] = "rstscope";
	/* Section header block: type, length, magic, version 1.0, section
	 * length unknown (-1), shb_userappl, opt_endofopt. */
	uint32_t shb_len = 28 + (uint32_t)opt_size(sizeof app - 1) + 4;
	put32(w, 0x0A0D0D0A);
	put32(w, shb_len);
	put32(w, 0x1A2B3C4D);
	put16(w, 1);
	put16(w, 0);
	put32(w, 0xFFFFFFFF);
	put32(w, 0xFFFFFFFF);
	put_opt(w, 4, app, sizeof app - 1);
	put32(w, 0);
	put32(w, shb_len);
	/* Interface description block: link type, snaplen, if_tsresol 9. */
	uint8_t tsresol = 9;
	uint32_t idb_len = 20 + (uint32_t)opt_size(1) + 4;
	put32(w, 1);
	put32(w, idb_len);
	put16(w, (uint16_t)linktype);
	put16(w, 0);
	put32(w, snaplen);
	put_opt(w, 9, &tsresol, 1);
	put32(w, 0);
	put32(w, idb_len);
	if (w->failed) {
		fail_err(w, err, errlen);
		pcapng_writer_close(w, NULL, 0);
		return NULL;
	}
	return w;
}

int pcapng_write_packet(struct pcapng_writer *w, ts_ns ts, const uint8_t *data, uint32_t caplen,
			uint32_t origlen, int dir, const char *const *comments, const size_t *lens,
			int ncomments, char *err, size_t errlen)
{
	size_t len = 28 + (caplen + 3) / 4 * 4;
	size_t olen = 0;
	for (int i = 0; i < ncomments; i++)
		olen += opt_size(lens[i] > 65535 ? 65535 : lens[i]);
	if (dir)
		olen += opt_size(4);
	if (olen)
		olen += 4;
	len += olen + 4;
	uint64_t t = (uint64_t)ts;
	put32(w, 6);
	put32(w, (uint32_t)len);
	put32(w, 0); /* interface 0 */
	put32(w, (uint32_t)(t >> 32));
	put32(w, (uint32_t)t);
	put32(w, caplen);
	put32(w, origlen);
	put(w, data, caplen);
	pad4(w, caplen);
	for (int i = 0; i < ncomments; i++)
		put_opt(w, 1, comments[i], lens[i] > 65535 ? 65535 : lens[i]);
	if (dir) {
		uint32_t flags = (uint32_t)dir & 3;
		put_opt(w, 2, &flags, 4);
	}
	if (olen)
		put32(w, 0);
	put32(w, (uint32_t)len);
	return w->failed ? fail_err(w, err, errlen) : 0;
}

int pcapng_writer_close(struct pcapng_writer *w, char *err, size_t errlen)
{
	if (!w)
		return 0;
	if (fflush(w->f) != 0 && !w->failed)
		w->failed = errno;
	if (fclose(w->f) != 0 && !w->failed)
		w->failed = errno;
	int rc = w->failed ? -1 : 0;
	if (rc && err)
		fail_err(w, err, errlen);
	free(w->path);
	free(w);
	return rc;
}

/* ---- the comments, by record number ----------------------------------- */

struct note_ix {
	uint64_t n;
	uint32_t off_hi; /* the text at ((off_hi << 32) | off_lo) in the file */
	uint32_t off_lo;
};

struct pcapng_notes {
	FILE *text; /* "LEN\0TEXT" records: u16 length, then the bytes */
	uint64_t text_len;
	struct note_ix *ix;
	size_t nix, cap;
	uint64_t dropped;
	FILE *dirs;	 /* one byte per record, from record 1 */
	uint64_t dirs_n; /* records written to it */
	int dirs_failed;
};

struct pcapng_notes *pcapng_notes_new(char *err, size_t errlen)
{
	struct pcapng_notes *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->text = tmpfile();
	s->dirs = s->text ? tmpfile() : NULL;
	if (!s->dirs) {
		snprintf(err, errlen, "--pcapng: cannot create a temporary file: %s",
			 strerror(errno));
		pcapng_notes_free(s);
		return NULL;
	}
	return s;
}

void pcapng_notes_free(struct pcapng_notes *s)
{
	if (!s)
		return;
	if (s->text)
		fclose(s->text);
	if (s->dirs)
		fclose(s->dirs);
	free(s->ix);
	free(s);
}

void pcapng_notes_add(struct pcapng_notes *s, uint64_t n, const char *text, size_t len)
{
	if (!len)
		return;
	if (len > PCAPNG_COMMENT_MAX)
		len = PCAPNG_COMMENT_MAX;
	if (s->nix == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 1024;
		struct note_ix *nx =
			ncap <= PCAPNG_NOTES_MAX ? realloc(s->ix, ncap * sizeof *nx) : NULL;
		if (!nx) {
			s->dropped++;
			return;
		}
		s->ix = nx;
		s->cap = ncap;
	}
	uint16_t l = (uint16_t)len;
	if (fwrite(&l, 2, 1, s->text) != 1 || fwrite(text, 1, len, s->text) != len) {
		s->dropped++;
		return;
	}
	struct note_ix *x = &s->ix[s->nix++];
	x->n = n;
	x->off_hi = (uint32_t)(s->text_len >> 32);
	x->off_lo = (uint32_t)s->text_len;
	s->text_len += 2 + len;
}

void pcapng_notes_dir(struct pcapng_notes *s, uint64_t n, int dir)
{
	if (n <= s->dirs_n || s->dirs_failed)
		return;
	while (s->dirs_n + 1 < n) {
		if (putc(0, s->dirs) == EOF)
			s->dirs_failed = 1;
		s->dirs_n++;
	}
	if (putc(dir, s->dirs) == EOF)
		s->dirs_failed = 1;
	s->dirs_n++;
}

uint64_t pcapng_notes_dropped(const struct pcapng_notes *s) { return s->dropped; }

/* By record, then in the order added (the offset grows with it). */
static int ix_cmp(const void *a, const void *b)
{
	const struct note_ix *x = a, *y = b;
	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	uint64_t ox = ((uint64_t)x->off_hi << 32) | x->off_lo;
	uint64_t oy = ((uint64_t)y->off_hi << 32) | y->off_lo;
	return ox < oy ? -1 : ox > oy;
}

#define NOTES_PER_PACKET 32

int pcapng_notes_write(struct pcapng_notes *s, const char *source, const char *path, char *err,
		       size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	if (fflush(s->text) != 0 || fflush(s->dirs) != 0) {
		snprintf(err, errlen, "--pcapng: temporary file: %s", strerror(errno));
		return -1;
	}
	pcap_t *p =
		pcap_open_offline_with_tstamp_precision(source, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!p) {
		snprintf(err, errlen, "--pcapng: cannot read the packets again: %s", ebuf);
		return -1;
	}
	struct pcapng_writer *w =
		pcapng_writer_open(path, pcap_datalink(p), (uint32_t)pcap_snapshot(p), err, errlen);
	if (!w) {
		pcap_close(p);
		return -1;
	}
	qsort(s->ix, s->nix, sizeof *s->ix, ix_cmp);
	rewind(s->dirs);
	char *texts = malloc((size_t)NOTES_PER_PACKET * PCAPNG_COMMENT_MAX);
	if (!texts) {
		snprintf(err, errlen, "out of memory");
		pcapng_writer_close(w, NULL, 0);
		pcap_close(p);
		return -1;
	}
	size_t at = 0;
	uint64_t n = 0;
	int rc = 0;
	struct pcap_pkthdr *h;
	const u_char *bytes;
	int r;
	while ((r = pcap_next_ex(p, &h, &bytes)) == 1) {
		n++;
		int dir = n <= s->dirs_n ? getc(s->dirs) : 0;
		if (dir == EOF)
			dir = 0;
		const char *cm[NOTES_PER_PACKET];
		size_t cl[NOTES_PER_PACKET];
		int nc = 0;
		while (at < s->nix && s->ix[at].n < n)
			at++;
		for (; at < s->nix && s->ix[at].n == n; at++) {
			if (nc == NOTES_PER_PACKET)
				continue;
			uint64_t off = ((uint64_t)s->ix[at].off_hi << 32) | s->ix[at].off_lo;
			uint16_t l;
			char *t = texts + (size_t)nc * PCAPNG_COMMENT_MAX;
			if (fseeko(s->text, (off_t)off, SEEK_SET) != 0 ||
			    fread(&l, 2, 1, s->text) != 1 || l > PCAPNG_COMMENT_MAX ||
			    fread(t, 1, l, s->text) != l)
				continue;
			cm[nc] = t;
			cl[nc++] = l;
		}
		ts_ns ts = (ts_ns)h->ts.tv_sec * 1000000000 + h->ts.tv_usec;
		if (pcapng_write_packet(w, ts, bytes, h->caplen, h->len, dir, cm, cl, nc, err,
					errlen) != 0) {
			rc = -1;
			break;
		}
	}
	free(texts);
	pcap_close(p);
	if (pcapng_writer_close(w, rc ? NULL : err, errlen) != 0)
		rc = -1;
	return rc;
}
