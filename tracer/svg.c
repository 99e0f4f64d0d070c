/* svg.c: the TCP ladder diagram (see svg.h). The rows are kept as they are
 * printed (time order); at the end each connection is laid out top-down,
 * its rows in that order, and the connections stacked. */
#include "svg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "sendlog.h"

/* The layout, in pixels. The calls' text goes outside the two timelines,
 * the segments' labels between them. */
#define W	 1220
#define X_TIME	 8   /* the time column */
#define X_CLIENT 450 /* the client's timeline */
#define X_SERVER 830 /* the server's */
#define SLANT                                                                                      \
	8			     /* an arrow's drop: loopback captures give one time per       \
				      * packet, so its time in flight is drawn as this minimum */
#define LINE_H	  13		     /* a line of small text */
#define GAP_LONG  ((ts_ns)500000000) /* a gap longer than this is compressed */
#define WRAP_SIDE 56		     /* characters of a call's note per line */
#define WRAP_MID  58		     /* characters of a segment's note per line */

struct srow {
	uint8_t is_call;
	uint8_t dir;	/* segment: the sending side; call: its side (0, 1; 2 unknown) */
	uint8_t flags;	/* TCP flags */
	uint8_t failed; /* call */
	uint8_t again;	/* RST: the connection was reset already (its data is lost too) */
	ts_ns ts;
	uint64_t conn;
	uint64_t id;   /* segment: n; call: line */
	uint64_t ref;  /* segment: the data an RST answered (note_ref) */
	uint64_t lost; /* RST: bytes lost; call: bytes of it lost */
	uint32_t rseq, len;
	uint8_t rseq_ok;
	size_t what, what_len; /* call text, in the arena */
	size_t note, note_len;
	size_t ord; /* the order it came in, for a stable sort */
};

struct sconn {
	uint64_t id;
	char ep[2][48];
};

struct pidmap {
	int64_t pid;
	uint64_t conn;
	int side;
};

struct svg {
	uint64_t only;
	struct srow *rows;
	size_t n, cap;
	char *arena;
	size_t alen, acap;
	struct sconn *conns;
	size_t nconn, conncap;
	uint64_t cut;
	int nomem;
};

struct svg *svg_new(uint64_t only_conn)
{
	struct svg *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->only = only_conn;
	s->acap = 65536; /* never NULL: rows point into it by offset */
	if (!(s->arena = malloc(s->acap))) {
		free(s);
		return NULL;
	}
	return s;
}

void svg_free(struct svg *s)
{
	if (!s)
		return;
	free(s->rows);
	free(s->arena);
	free(s->conns);
	free(s);
}

uint64_t svg_cut(const struct svg *s) { return s->cut; }

static size_t keep_str(struct svg *s, const char *p, size_t n)
{
	if (n > 1024)
		n = 1024;
	if (n == 0)
		return s->alen; /* nothing to copy (and the arena may not exist yet) */
	if (s->alen + n > s->acap) {
		size_t nc = s->acap ? s->acap * 2 : 65536;
		while (nc < s->alen + n)
			nc *= 2;
		char *na = realloc(s->arena, nc);
		if (!na) {
			s->nomem = 1;
			return SIZE_MAX;
		}
		s->arena = na;
		s->acap = nc;
	}
	memcpy(s->arena + s->alen, p, n);
	s->alen += n;
	return s->alen - n;
}

static struct srow *new_row(struct svg *s)
{
	if (s->n == SVG_ROWS_MAX) {
		s->cut++;
		return NULL;
	}
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 256;
		struct srow *nr = realloc(s->rows, nc * sizeof *nr);
		if (!nr) {
			s->nomem = 1;
			return NULL;
		}
		s->rows = nr;
		s->cap = nc;
	}
	struct srow *r = &s->rows[s->n];
	memset(r, 0, sizeof *r);
	r->ord = s->n++;
	return r;
}

static struct sconn *find_conn(struct svg *s, uint64_t id)
{
	for (size_t i = s->nconn; i-- > 0;)
		if (s->conns[i].id == id)
			return &s->conns[i];
	return NULL;
}

void svg_segment(struct svg *s, const struct out_seg_row *row)
{
	const struct conn *c = row->info->conn;
	if (s->only && c->id != s->only)
		return;
	if (!find_conn(s, c->id)) {
		if (s->nconn == s->conncap) {
			size_t nc = s->conncap ? s->conncap * 2 : 16;
			struct sconn *n = realloc(s->conns, nc * sizeof *n);
			if (!n) {
				s->nomem = 1;
				return;
			}
			s->conns = n;
			s->conncap = nc;
		}
		struct sconn *k = &s->conns[s->nconn++];
		k->id = c->id;
		for (int i = 0; i < 2; i++)
			snprintf(k->ep[i], sizeof k->ep[i], "%.*s", (int)c->ep_len[i], c->ep[i]);
	}
	struct srow *r = new_row(s);
	if (!r)
		return;
	r->ts = row->ts;
	r->conn = c->id;
	r->id = row->n;
	r->dir = (uint8_t)row->info->dir;
	r->flags = row->seg->flags;
	r->len = row->seg->len;
	r->rseq_ok = row->info->rseq_ok;
	r->rseq = row->info->rseq_ok ? row->info->rseq : row->seg->seq;
	if (row->seg->flags & TCPF_RST) {
		r->ref = row->info->note_ref;
		r->lost = row->info->note_bytes;
		r->again = row->info->rst_again != 0;
	}
	r->note = keep_str(s, row->note, row->note_len);
	r->note_len = r->note == SIZE_MAX ? 0 : (row->note_len > 1024 ? 1024 : row->note_len);
}

void svg_call(struct svg *s, const struct out_call_row *row)
{
	/* A call with no connection of its own (a signal, an exit) is drawn on
	 * the connection and side of its process's last socket call. */
	uint64_t conn = row->conn;
	int side = row->side;
	if (!conn) {
		for (size_t i = s->n; i-- > 0;) {
			const struct srow *p = &s->rows[i];
			if (p->is_call && p->conn && (int64_t)p->ref == row->pid) {
				conn = p->conn;
				side = p->dir;
				break;
			}
		}
	}
	if (s->only && conn != s->only)
		return;
	struct srow *r = new_row(s);
	if (!r)
		return;
	r->is_call = 1;
	r->ts = row->ts;
	r->conn = conn;
	r->dir = (uint8_t)(side == 0 || side == 1 ? side : 2);
	r->id = row->line;
	r->ref = (uint64_t)row->pid;
	r->failed = (uint8_t)row->failed;
	r->lost = row->lost;
	r->what = keep_str(s, row->what, row->what_len);
	r->what_len = r->what == SIZE_MAX ? 0 : (row->what_len > 1024 ? 1024 : row->what_len);
	r->note = keep_str(s, row->note, row->note_len);
	r->note_len = r->note == SIZE_MAX ? 0 : (row->note_len > 1024 ? 1024 : row->note_len);
}

/* ---- writing ------------------------------------------------------------ */

/* Text from the capture or the log, as XML character data: the markup
 * characters escaped, control bytes and anything not ASCII shown as '?'
 * (the text was escaped for a terminal already). */
static void put_text(FILE *f, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];
		switch (ch) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(ch < 0x20 || ch >= 0x7f ? '?' : ch, f); break;
		}
	}
}
static void put_cstr(FILE *f, const char *p) { put_text(f, p, strlen(p)); }

/* Lines of at most width characters, cut at a space where there is one:
 * how many bytes of p (n of them) the next line takes. */
static size_t line_cut(const char *p, size_t n, int width)
{
	size_t k = n <= (size_t)width ? n : (size_t)width;
	if (k < n) {
		size_t sp = k;
		while (sp > (size_t)width / 2 && p[sp] != ' ')
			sp--;
		if (p[sp] == ' ')
			k = sp + 1;
	}
	return k;
}

static void put_wrapped(FILE *f, const char *p, size_t n, int width, double x, double y,
			const char *anchor, const char *cls)
{
	while (n) {
		size_t k = line_cut(p, n, width);
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"%s\">", x, y,
			anchor, cls);
		put_text(f, p, k);
		fputs("</text>\n", f);
		p += k;
		n -= k;
		y += LINE_H;
	}
}

/* How many lines put_wrapped() makes of it. */
static int lines_of(const char *p, size_t n, int width)
{
	int lines = 0;
	while (n) {
		size_t k = line_cut(p, n, width);
		p += k;
		n -= k;
		lines++;
	}
	return lines;
}

static const char *state_name(int st)
{
	static const char *names[] = { "",	     "SYN_SENT",   "SYN_RCVD",	 "ESTABLISHED",
				       "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "LAST_ACK",
				       "TIME_WAIT",  "CLOSED" };
	return names[st];
}
enum { ST_NONE, ST_SYN_SENT, ST_SYN_RCVD, ST_EST, ST_FW1, ST_FW2, ST_CW, ST_LA, ST_TW, ST_CLOSED };

/* Each side's state after segment r, as the wire shows it. */
static void step_state(int st[2], const struct srow *r)
{
	int s = r->dir, o = 1 - s;
	if (r->flags & TCPF_RST) {
		st[0] = st[1] = ST_CLOSED;
		return;
	}
	if ((r->flags & TCPF_SYN) && !(r->flags & TCPF_ACK)) {
		st[s] = ST_SYN_SENT;
		return;
	}
	if (r->flags & TCPF_SYN) {
		st[s] = ST_SYN_RCVD;
		st[o] = ST_EST;
		return;
	}
	if ((r->flags & TCPF_ACK) && st[s] == ST_SYN_RCVD)
		st[s] = ST_EST;
	if ((r->flags & TCPF_ACK) && st[s] == ST_EST && st[o] == ST_SYN_RCVD)
		st[o] = ST_EST;
	if ((r->flags & TCPF_ACK) && st[o] == ST_FW1)
		st[o] = ST_FW2;
	if ((r->flags & TCPF_ACK) && st[o] == ST_LA)
		st[o] = ST_CLOSED;
	if (r->flags & TCPF_FIN) {
		if (st[s] == ST_CW) {
			st[s] = ST_LA;
			if (st[o] == ST_FW1 || st[o] == ST_FW2)
				st[o] = ST_TW;
		} else {
			st[s] = ST_FW1;
			if (st[o] == ST_EST || st[o] == ST_NONE)
				st[o] = ST_CW;
		}
	}
}

static void flags_str(uint8_t flags, char *buf, size_t size)
{
	struct tcp_segment s0;
	memset(&s0, 0, sizeof s0);
	s0.flags = flags;
	size_t n = decode_flags_str(&s0, buf, size);
	buf[n < size ? n : size - 1] = '\0';
}

static void put_time(FILE *f, double y, ts_ns t, ts_ns t0)
{
	ts_ns d = t - t0;
	fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"time\">%lld.%06lld</text>\n", X_TIME, y + 4,
		(long long)(d / 1000000000), (long long)(d % 1000000000 / 1000));
}

/* One connection's block from y; returns the y after it. */
static double draw_conn(struct svg *s, FILE *f, const struct sconn *k, uint64_t id, double y,
			ts_ns t0)
{
	const char *ep0 = k ? k->ep[0] : "?", *ep1 = k ? k->ep[1] : "?";
	fprintf(f, "<g class=\"connection\" data-conn=\"%llu\">\n", (unsigned long long)id);
	fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"title\">#%llu  ", X_TIME, y + 16,
		(unsigned long long)id);
	put_cstr(f, ep0);
	fputs(" (client)  &#8596;  ", f);
	put_cstr(f, ep1);
	fputs(" (server)</text>\n", f);
	y += 30;
	fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\" class=\"side\">client ",
		X_CLIENT, y + 10);
	put_cstr(f, ep0);
	fprintf(f,
		"</text>\n<text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\" class=\"side\">server ",
		X_SERVER, y + 10);
	put_cstr(f, ep1);
	fputs("</text>\n", f);
	y += 22;
	double top = y;
	double gaps[64][2]; /* where the timelines break */
	int ngaps = 0;
	int st[2] = { ST_NONE, ST_NONE };
	ts_ns prev = 0;
	/* The data segments an RST answered: their bytes were lost (also those
	 * that came after the connection was reset, answered by another). */
	for (size_t i = 0; i < s->n; i++) {
		const struct srow *r = &s->rows[i];
		if (r->conn != id)
			continue;
		if (prev) {
			ts_ns gap = r->ts - prev;
			if (gap > GAP_LONG) {
				/* Compressed: a break in both timelines, and how long. */
				y += 8;
				if (ngaps < 64) {
					gaps[ngaps][0] = y - 2;
					gaps[ngaps++][1] = y + 14;
				}
				fprintf(f,
					"<g class=\"gap\"><path d=\"M%d %.1f l-6 4 l12 4 l-6 4 M%d "
					"%.1f l-6 4 l12 4 l-6 4\" class=\"gapmark\"/>",
					X_CLIENT, y, X_SERVER, y);
				fprintf(f,
					"<text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\" "
					"class=\"gaptext\">%lld.%03lld s later (gap "
					"compressed)</text></g>\n",
					(X_CLIENT + X_SERVER) / 2, y + 10,
					(long long)(gap / 1000000000),
					(long long)(gap % 1000000000 / 1000000));
				y += 34; /* clear of the next row's label */
			} else {
				/* Up to 30 px for the time between rows: 1 px per 10 ms. */
				y += (double)(gap / 10000000 > 30 ? 30 : gap / 10000000);
			}
		}
		prev = r->ts;
		const char *note = s->arena + r->note;
		if (!r->is_call) {
			int from = r->dir ? X_SERVER : X_CLIENT, to = r->dir ? X_CLIENT : X_SERVER;
			int lost = 0;
			for (size_t j = i + 1; j < s->n && !lost; j++)
				if (s->rows[j].conn == id && !s->rows[j].is_call &&
				    (s->rows[j].flags & TCPF_RST) && s->rows[j].ref == r->id &&
				    (s->rows[j].lost || s->rows[j].again))
					lost = 1;
			const char *cls = r->flags & TCPF_RST	? "rst"
					  : r->flags & TCPF_FIN ? "fin"
					  : lost		? "lostdata"
					  : r->len		? "data"
								: "ack";
			char fl[16];
			flags_str(r->flags, fl, sizeof fl);
			fprintf(f, "<g class=\"segment %s\" data-n=\"%llu\">", cls,
				(unsigned long long)r->id);
			put_time(f, y, r->ts, t0);
			fprintf(f,
				"<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
				"class=\"arrow\" marker-end=\"url(#head-%s)\"/>",
				from, y, to + (r->dir ? 4 : -4), y + SLANT, cls);
			fprintf(f,
				"<text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\" "
				"class=\"label\">%llu "
				"[",
				(X_CLIENT + X_SERVER) / 2, y - 3, (unsigned long long)r->id);
			put_cstr(f, fl);
			fputs("]", f);
			if (r->len)
				fprintf(f, " %s%u:%u (%u)", r->rseq_ok ? "" : "seq ", r->rseq,
					(uint32_t)(r->rseq + r->len), r->len);
			else if (r->flags & (TCPF_SYN | TCPF_FIN | TCPF_RST))
				fprintf(f, " %s%u", r->rseq_ok ? "" : "seq ", r->rseq);
			if (lost)
				fputs(" LOST", f);
			fputs("</text>", f);
			y += SLANT + 4;
			if (r->note_len) {
				put_wrapped(f, note, r->note_len, WRAP_MID, X_CLIENT + 12, y + 8,
					    "start", r->flags & TCPF_RST ? "note rstnote" : "note");
				y += LINE_H * lines_of(note, r->note_len, WRAP_MID);
			}
			fputs("</g>\n", f);
			int before[2] = { st[0], st[1] };
			step_state(st, r);
			for (int sd = 0; sd < 2; sd++)
				if (st[sd] != before[sd])
					fprintf(f,
						"<text x=\"%d\" y=\"%.1f\" text-anchor=\"%s\" "
						"class=\"state\">%s</text>\n",
						sd ? X_SERVER - 4 : X_CLIENT + 4, y + 10,
						sd ? "end" : "start", state_name(st[sd]));
			if (st[0] != before[0] || st[1] != before[1])
				y += LINE_H;
			y += 10;
		} else {
			int side = r->dir == 1 ? 1 : 0;
			int x = side ? X_SERVER : X_CLIENT;
			int tx = side ? X_SERVER + 10 : X_CLIENT - 10;
			const char *anchor = side ? "start" : "end";
			fprintf(f, "<g class=\"call%s\" data-line=\"%llu\">",
				r->failed ? " failed" : "", (unsigned long long)r->id);
			put_time(f, y, r->ts, t0);
			fprintf(f,
				"<rect x=\"%d\" y=\"%.1f\" width=\"10\" height=\"10\" "
				"class=\"mark\"/>",
				x - 5, y - 5);
			fprintf(f,
				"<text x=\"%d\" y=\"%.1f\" text-anchor=\"%s\" "
				"class=\"calltext\">L%llu ",
				tx, y + 4, anchor, (unsigned long long)r->id);
			put_text(f, s->arena + r->what, r->what_len);
			fputs("</text>", f);
			y += LINE_H + 2;
			if (r->note_len) {
				put_wrapped(f, note, r->note_len, WRAP_SIDE, tx, y + 2, anchor,
					    r->failed ? "note cause"
						      : (r->lost ? "note lost" : "note"));
				y += LINE_H * lines_of(note, r->note_len, WRAP_SIDE);
			}
			fputs("</g>\n", f);
			y += 8;
		}
	}
	y += 10;
	/* The timelines, broken where a gap was compressed. */
	double from = top - 6;
	for (int g = 0; g <= ngaps; g++) {
		double to = g < ngaps ? gaps[g][0] : y;
		fprintf(f,
			"<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"timeline\"/>\n"
			"<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"timeline\"/>\n",
			X_CLIENT, from, X_CLIENT, to, X_SERVER, from, X_SERVER, to);
		if (g < ngaps)
			from = gaps[g][1];
	}
	fputs("</g>\n", f);
	return y + 30;
}

static const char style[] =
	"<style>\n"
	"text{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:11px;fill:#222}\n"
	".title{font-size:14px;font-weight:bold}\n"
	".side{font-size:12px;font-weight:bold}\n"
	".time{fill:#777;font-size:10px}\n"
	".timeline{stroke:#444;stroke-width:2}\n"
	".arrow{stroke-width:1.5;stroke:#2a6fb0}\n"
	".ack .arrow{stroke:#999}\n"
	".fin .arrow{stroke:#d98200;stroke-width:2}\n"
	".rst .arrow{stroke:#d00000;stroke-width:2.5}\n"
	".lostdata .arrow{stroke:#d00000;stroke-dasharray:6 3}\n"
	".fin .label{fill:#b36b00;font-weight:bold}\n"
	".rst .label,.lostdata .label{fill:#d00000;font-weight:bold}\n"
	".note{fill:#666;font-size:10px}\n"
	".rstnote,.cause,.lost{fill:#b00000}\n"
	".mark{fill:#2a6fb0}\n"
	".failed .mark{fill:#d00000}\n"
	".failed .calltext{fill:#d00000;font-weight:bold}\n"
	".state{fill:#4a8a4a;font-size:9px;font-style:italic}\n"
	".gapmark{stroke:#888;fill:none}\n"
	".gaptext{fill:#888;font-size:10px;font-style:italic}\n"
	".cut{fill:#d00000;font-weight:bold}\n"
	"</style>\n";

static void marker(FILE *f, const char *name, const char *colour)
{
	fprintf(f,
		"<marker id=\"head-%s\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
		"markerWidth=\"11\" "
		"markerHeight=\"11\" markerUnits=\"userSpaceOnUse\" orient=\"auto\"><path d=\"M0 0 "
		"L10 5 L0 10 z\" fill=\"%s\"/></marker>\n",
		name, colour);
}

/* Rows come as they are printed: a send waiting for its fate comes after
 * rows later in time. Drawn in time order, with the timeline's tie-break
 * (at equal times a segment first), else as they came. */
static int row_cmp(const void *a, const void *b)
{
	const struct srow *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->is_call != y->is_call)
		return x->is_call ? 1 : -1;
	return x->ord < y->ord ? -1 : x->ord > y->ord;
}

int svg_write(struct svg *s, const char *path, char *err, size_t errlen)
{
	if (s->n)
		qsort(s->rows, s->n, sizeof *s->rows, row_cmp);
	/* The height first: drawn once into nowhere. */
	FILE *null = fopen("/dev/null", "w");
	if (!null) {
		snprintf(err, errlen, "--svg: /dev/null: %s", strerror(errno));
		return -1;
	}
	ts_ns t0 = s->n ? s->rows[0].ts : 0;
	/* Connections in order of their first row; then the calls that match none. */
	uint64_t *order = malloc((s->nconn + 1) * sizeof *order);
	size_t no = 0;
	int has_none = 0;
	if (!order) {
		fclose(null);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < s->n; i++) {
		uint64_t c = s->rows[i].conn;
		if (!c) {
			has_none = 1;
			continue;
		}
		size_t j = 0;
		while (j < no && order[j] != c)
			j++;
		if (j == no && no <= s->nconn)
			order[no++] = c;
	}
	double y = 60;
	for (int pass = 0; pass < 2; pass++) {
		FILE *f = pass ? fopen(path, "w") : null;
		if (!f) {
			snprintf(err, errlen, "--svg %s: %s", path, strerror(errno));
			free(order);
			fclose(null);
			return -1;
		}
		if (pass) {
			fprintf(f,
				"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
				"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
				"height=\"%.0f\" "
				"viewBox=\"0 0 %d %.0f\">\n<title>rstscope: TCP ladder "
				"diagram</title>\n",
				W, y, W, y);
			fputs(style, f);
			fputs("<defs>\n", f);
			marker(f, "data", "#2a6fb0");
			marker(f, "ack", "#999");
			marker(f, "fin", "#d98200");
			marker(f, "rst", "#d00000");
			marker(f, "lostdata", "#d00000");
			fputs("</defs>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n",
			      f);
			fprintf(f,
				"<text x=\"%d\" y=\"20\" class=\"title\">rstscope: TCP ladder "
				"diagram "
				"(time flows down; seconds since the first row at the "
				"left)</text>\n",
				X_TIME);
		}
		y = 34;
		if (s->cut || s->nomem) {
			if (pass)
				fprintf(f,
					"<text x=\"%d\" y=\"%.1f\" class=\"cut\">Cut: only the "
					"first %zu "
					"rows are drawn (%llu more left out%s)</text>\n",
					X_TIME, y + 10, s->n, (unsigned long long)s->cut,
					s->nomem ? "; out of memory" : "");
			y += 20;
		}
		if (!s->n && pass)
			fprintf(f, "<text x=\"%d\" y=\"%.1f\">nothing to draw</text>\n", X_TIME,
				y + 14);
		y += 10;
		for (size_t i = 0; i < no; i++)
			y = draw_conn(s, f, find_conn(s, order[i]), order[i], y, t0);
		if (has_none) {
			/* Calls that match no captured connection: listed, on the left. */
			fprintf(f,
				"<text x=\"%d\" y=\"%.1f\" class=\"title\">calls with no captured "
				"connection</text>\n",
				X_TIME, y + 16);
			y += 34;
			for (size_t i = 0; i < s->n; i++) {
				const struct srow *r = &s->rows[i];
				if (r->conn || !r->is_call)
					continue;
				fprintf(f, "<g class=\"call%s\" data-line=\"%llu\">",
					r->failed ? " failed" : "", (unsigned long long)r->id);
				put_time(f, y, r->ts, t0);
				fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"calltext\">L%llu ",
					90, y + 4, (unsigned long long)r->id);
				put_text(f, s->arena + r->what, r->what_len);
				fputs("</text>", f);
				y += LINE_H + 2;
				if (r->note_len) {
					put_wrapped(f, s->arena + r->note, r->note_len, 150, 100,
						    y + 2, "start",
						    r->failed ? "note cause" : "note");
					y += LINE_H *
					     lines_of(s->arena + r->note, r->note_len, 150);
				}
				fputs("</g>\n", f);
				y += 8;
			}
		}
		y += 10;
		if (pass) {
			fputs("</svg>\n", f);
			int bad = ferror(f);
			if (fclose(f) != 0 || bad) {
				snprintf(err, errlen, "--svg %s: %s", path,
					 strerror(errno ? errno : EIO));
				free(order);
				fclose(null);
				return -1;
			}
		}
	}
	free(order);
	fclose(null);
	return 0;
}
