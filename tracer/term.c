/* term.c: the text timeline rewritten for a terminal (see term.h). It reads
 * the lines output.c and correlate.c wrote, so the layout of those lines is
 * its input format: "N TIME #C  EP0 > EP1  [FL]  REST  -- NOTE" for a
 * segment, " LN TIME #C  WHO CALL = RET  -- NOTE" for a call. */
#include "term.h"

#include <stdlib.h>
#include <string.h>

#define C_RED	 "\033[31m"
#define C_YELLOW "\033[33m"
#define C_DIM	 "\033[2m"
#define C_LOST	 "\033[1;31m"
#define C_BOLD	 "\033[1m"
#define C_OFF	 "\033[0m"

#define SEEN_MAX ((size_t)1 << 20) /* connections whose header was printed */

struct term {
	struct term_opts o;
	unsigned char *seen; /* a bit per connection id */
	size_t seen_bytes;
};

struct term *term_new(const struct term_opts *opts)
{
	struct term *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->o = *opts;
	if (t->o.width < 40)
		t->o.width = 40;
	return t;
}

void term_free(struct term *t)
{
	if (!t)
		return;
	free(t->seen);
	free(t);
}

/* Was connection id's header printed? Marks it. Past SEEN_MAX, says no. */
static int seen_once(struct term *t, unsigned long id)
{
	size_t byte = id / 8;
	if (byte >= SEEN_MAX / 8)
		return 0;
	if (byte >= t->seen_bytes) {
		size_t nb = t->seen_bytes ? t->seen_bytes : 64;
		while (nb <= byte)
			nb *= 2;
		unsigned char *ns = realloc(t->seen, nb);
		if (!ns)
			return 0;
		memset(ns + t->seen_bytes, 0, nb - t->seen_bytes);
		t->seen = ns;
		t->seen_bytes = nb;
	}
	int was = t->seen[byte] >> (id % 8) & 1;
	t->seen[byte] |= (unsigned char)(1u << (id % 8));
	return was;
}

static void put(struct obuf *b, const char *p, size_t n) { ob_mem(b, p, n); }

/* text[0..n) on lines of at most width columns, the first after `first`
 * (already that many columns in), the others indented by `indent`; cut at
 * a space where there is one. Each physical line gets `colour`. */
static void wrap(struct term *t, struct obuf *b, const char *p, size_t n, size_t first,
		 size_t indent, const char *colour)
{
	size_t width = (size_t)t->o.width;
	size_t col = first;
	while (1) {
		size_t room = width > col ? width - col : 1;
		size_t k = n;
		if (t->o.compact && n > room) {
			k = room;
			while (k > room / 3 && p[k] != ' ')
				k--;
			if (p[k] != ' ')
				k = room;
		}
		if (colour && t->o.color)
			ob_str(b, colour);
		put(b, p, k);
		if (colour && t->o.color)
			ob_str(b, C_OFF);
		ob_char(b, '\n');
		p += k;
		n -= k;
		while (n && *p == ' ')
			p++, n--;
		if (!n)
			return;
		for (size_t i = 0; i < indent; i++)
			ob_char(b, ' ');
		col = indent;
	}
}

static const char *memfind(const char *p, size_t n, const char *s)
{
	size_t l = strlen(s);
	for (size_t i = 0; i + l <= n; i++)
		if (!memcmp(p + i, s, l))
			return p + i;
	return NULL;
}

/* The note: dim, or bold red when it tells of lost bytes. */
static const char *note_colour(const char *p, size_t n)
{
	return memfind(p, n, "lost") ? C_LOST : C_DIM;
}

/* The compact segment head: "N TIME #C > [FL] seq ... len N "preview"",
 * the TCP options and the window left out unless verbose. 0 when the line
 * is not a segment line. */
static int segment_head(struct term *t, const char *p, size_t n, struct obuf *h, struct obuf *hdr)
{
	const char *e = p + n;
	const char *q = p;
	while (q < e && *q == ' ')
		q++;
	if (q == e || *q < '0' || *q > '9')
		return 0;
	const char *hash = memfind(q, (size_t)(e - q), " #");
	if (!hash)
		return 0;
	const char *id = hash + 2, *ide = id;
	while (ide < e && *ide >= '0' && *ide <= '9')
		ide++;
	if (ide == id)
		return 0;
	const char *ep0 = ide;
	while (ep0 < e && *ep0 == ' ')
		ep0++;
	const char *arrow = memfind(ep0, (size_t)(e - ep0), " > ");
	const char *arrow2 = memfind(ep0, (size_t)(e - ep0), " < ");
	if (!arrow || (arrow2 && arrow2 < arrow))
		arrow = arrow2;
	const char *fl = memfind(ep0, (size_t)(e - ep0), " [");
	if (!arrow || !fl || fl < arrow)
		return 0;
	const char *ep1 = arrow + 3, *ep1e = ep1;
	while (ep1e < e && *ep1e != ' ')
		ep1e++;
	unsigned long cid = strtoul(id, NULL, 10);
	if (!seen_once(t, cid)) {
		ob_char(hdr, '#');
		put(hdr, id, (size_t)(ide - id));
		ob_str(hdr, " client ");
		put(hdr, ep0, (size_t)(arrow - ep0));
		ob_str(hdr, " <-> server ");
		put(hdr, ep1, (size_t)(ep1e - ep1));
	}
	put(h, p, (size_t)(hash - p) + 1); /* "    N     TIME ", aligned as wide */
	put(h, hash + 1, (size_t)(ide - hash - 1));
	ob_str(h, arrow[1] == '>' ? " >" : " <");
	const char *rest = fl;
	/* the flags, then the rest with the options and window cut */
	const char *quote = memfind(rest, (size_t)(e - rest), " \"");
	const char *opts = memfind(rest, (size_t)(e - rest), " <");
	if (opts && quote && opts > quote)
		opts = NULL;
	const char *win = memfind(rest, (size_t)(e - rest), " win ");
	if (win && quote && win > quote)
		win = NULL;
	const char *r = rest;
	size_t start = h->len;
	while (r < e) {
		if (!t->o.verbose && r == win) {
			r += 5;
			while (r < e && *r >= '0' && *r <= '9')
				r++;
			continue;
		}
		if (!t->o.verbose && r == opts) {
			const char *gt = memchr(r, '>', (size_t)(e - r));
			r = gt ? gt + 1 : e;
			continue;
		}
		if (quote && r == quote) {
			put(h, r, (size_t)(e - r)); /* the preview as it is */
			break;
		}
		if (*r != ' ' || h->len == start || h->p[h->len - 1] != ' ')
			ob_char(h, *r);
		r++;
	}
	return 1;
}

void term_line(struct term *t, const char *p, size_t n, struct obuf *out)
{
	const char *note = memfind(p, n, "  -- ");
	size_t hn = note ? (size_t)(note - p) : n;
	const char *np = note ? note + 5 : NULL;
	size_t nn = note ? n - hn - 5 : 0;
	/* What kind of line, for the colour. */
	const char *head_colour = NULL;
	const char *br = memfind(p, hn, " [");
	int is_call = n > 2 && p[0] == ' ' && p[1] == 'L' && p[2] >= '0' && p[2] <= '9';
	if (is_call) {
		if (memfind(p, hn, ") = -1 "))
			head_colour = C_RED;
	} else if (br && br + 2 < p + hn) {
		const char *f = br + 2, *fe = memchr(f, ']', (size_t)(p + hn - f));
		if (fe && memchr(f, 'R', (size_t)(fe - f)))
			head_colour = C_RED;
		else if (fe && memchr(f, 'F', (size_t)(fe - f)))
			head_colour = C_YELLOW;
	}
	if (!t->o.compact) {
		if (head_colour && t->o.color)
			ob_str(out, head_colour);
		put(out, p, hn);
		if (head_colour && t->o.color)
			ob_str(out, C_OFF);
		if (note) {
			put(out, "  ", 2);
			if (t->o.color)
				ob_str(out, note_colour(np, nn));
			put(out, "-- ", 3);
			put(out, np, nn);
			if (t->o.color)
				ob_str(out, C_OFF);
		}
		ob_char(out, '\n');
		return;
	}
	char hbuf[OUT_LINE_MAX], hdrbuf[256];
	struct obuf h = { hbuf, 0, sizeof hbuf }, hdr = { hdrbuf, 0, sizeof hdrbuf };
	if (is_call) {
		put(&h, p, hn); /* already narrow: its columns stay aligned */
	} else if (!segment_head(t, p, hn, &h, &hdr)) {
		put(&h, p, hn);
	}
	if (hdr.len)
		wrap(t, out, hdr.p, hdr.len, 0, 8, C_BOLD);
	size_t indent = 8;
	wrap(t, out, h.p, h.len, 0, indent, head_colour);
	if (note) {
		char nbuf[OUT_LINE_MAX];
		struct obuf nb = { nbuf, 0, sizeof nbuf };
		ob_str(&nb, "        -- ");
		put(&nb, np, nn);
		wrap(t, out, nb.p, nb.len, 0, 11, note_colour(np, nn));
	}
}
