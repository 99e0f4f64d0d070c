/* output.c: text timeline and JSON lines, formatted by hand into one large
 * buffer and written in blocks: no printf and no localtime() per packet. */
#include "output.h"

#include "rstscope_utf8.h"
#include "term.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct out {
	int fd;
	char flagcol[256][12]; /* " [P.]   ": the flags column, for each flag byte */
	uint8_t flagcol_len[256];
	struct out_opts opts;
	struct obuf b;
	ts_ns start;
	int has_start;
	int failed;
	int64_t date_sec; /* cached UTC date of the last absolute time */
	char date[32];
	size_t date_len;
	struct out_sink sink;
	int has_sink;
	struct term *term; /* text rewritten for a terminal, or NULL */
	struct obuf tb;	   /* ... into this */
};

struct out *out_new(int fd, const struct out_opts *opts)
{
	struct out *o = calloc(1, sizeof *o);
	if (!o)
		return NULL;
	o->b.p = malloc(OUT_BUF_SIZE);
	if (!o->b.p) {
		free(o);
		return NULL;
	}
	o->b.cap = OUT_BUF_SIZE;
	o->fd = fd;
	o->opts = *opts;
	for (int f = 0; f < 256; f++) {
		struct tcp_segment s0;
		char fl[16];
		s0.flags = (uint8_t)f;
		size_t fn = decode_flags_str(&s0, fl, sizeof fl);
		struct obuf t = { o->flagcol[f], 0, sizeof o->flagcol[f] };
		ob_str(&t, " [");
		ob_mem(&t, fl, fn);
		ob_char(&t, ']');
		ob_pad(&t, 0, 8); /* flags in a 6-column field */
		o->flagcol_len[f] = (uint8_t)t.len;
	}
	o->date_sec = INT64_MIN;
	if (!opts->json && (opts->color || opts->compact)) {
		struct term_opts to = { opts->color, opts->compact, opts->verbose, opts->width };
		o->term = term_new(&to);
		o->tb.cap = 8 * OUT_LINE_MAX + 1024;
		o->tb.p = o->term ? malloc(o->tb.cap) : NULL;
		if (!o->tb.p) {
			term_free(o->term);
			o->term = NULL;
		}
	}
	return o;
}

static int write_all(struct out *o, const char *p, size_t n)
{
	size_t off = 0;
	while (off < n) {
		ssize_t w = write(o->fd, p + off, n - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			o->failed = 1;
			return -1;
		}
		off += (size_t)w;
	}
	return 0;
}

/* The whole lines of the buffer through the terminal rewriter; a partial
 * last line waits for the rest (all of it goes when `all`). */
static int term_flush(struct out *o, int all)
{
	size_t at = 0;
	while (at < o->b.len) {
		const char *nl = memchr(o->b.p + at, '\n', o->b.len - at);
		if (!nl && !all)
			break;
		size_t n = nl ? (size_t)(nl - (o->b.p + at)) : o->b.len - at;
		size_t piece = n > OUT_LINE_MAX ? OUT_LINE_MAX : n;
		if (o->tb.len + 8 * piece + 512 > o->tb.cap) {
			if (write_all(o, o->tb.p, o->tb.len) != 0)
				break;
			o->tb.len = 0;
		}
		term_line(o->term, o->b.p + at, piece, &o->tb);
		at += n + (nl ? 1 : 0);
	}
	if (o->tb.len && write_all(o, o->tb.p, o->tb.len) == 0)
		o->tb.len = 0;
	o->tb.len = 0;
	memmove(o->b.p, o->b.p + at, o->b.len - at);
	o->b.len -= at;
	if (o->failed)
		o->b.len = 0;
	return o->failed ? -1 : 0;
}

int out_flush(struct out *o)
{
	if (o->term)
		return term_flush(o, 0);
	size_t off = 0;
	while (off < o->b.len) {
		ssize_t w = write(o->fd, o->b.p + off, o->b.len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			o->failed = 1;
			o->b.len = 0;
			return -1;
		}
		off += (size_t)w;
	}
	o->b.len = 0;
	return o->failed ? -1 : 0;
}

void out_free(struct out *o)
{
	if (!o)
		return;
	out_flush(o);
	if (o->term) {
		term_flush(o, 1);
		term_free(o->term);
		free(o->tb.p);
	}
	free(o->b.p);
	free(o);
}

void out_set_start(struct out *o, ts_ns ts)
{
	o->start = ts;
	o->has_start = 1;
}
int out_has_start(const struct out *o) { return o->has_start; }
struct obuf *out_buf(struct out *o) { return &o->b; }
const struct out_opts *out_options(const struct out *o) { return &o->opts; }

void out_reserve(struct out *o, size_t n)
{
	if (o->b.len + n > o->b.cap)
		out_flush(o);
}

void out_event_done(struct out *o)
{
	if (o->opts.line_buffered || o->b.len > o->b.cap - OUT_LINE_MAX)
		out_flush(o);
}

/* Two decimal digits at a time. */
static const char digits2[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

static const uint64_t pow10_tab[] = {
	10ull,
	100ull,
	1000ull,
	10000ull,
	100000ull,
	1000000ull,
	10000000ull,
	100000000ull,
	1000000000ull,
	10000000000ull,
	100000000000ull,
	1000000000000ull,
	10000000000000ull,
	100000000000000ull,
	1000000000000000ull,
	10000000000000000ull,
	100000000000000000ull,
	1000000000000000000ull,
	10000000000000000000ull,
};

#define W_LIT(w, lit) (memcpy((w), (lit), sizeof(lit) - 1), (w) + sizeof(lit) - 1)

/* Decimal digits of v: from its bit length (log10(2) ~ 1233/4096), then
 * one comparison; no loop over the powers of ten. */
static inline int digits_u64(uint64_t v)
{
	int t = ((64 - __builtin_clzll(v | 1)) * 1233) >> 12; /* 10^t <= 2^bits */
	return t == 0 ? 1 : t + 1 - (v < pow10_tab[t - 1]);
}

/* v in decimal, exactly n digits (n = digits_u64(v), or more to zero-pad). */
static inline char *w_digits(char *w, uint64_t v, int n)
{
	char *p = w + n;
	while (v >= 100) {
		unsigned d = (unsigned)(v % 100) * 2;
		v /= 100;
		*--p = digits2[d + 1];
		*--p = digits2[d];
	}
	if (v >= 10) {
		unsigned d = (unsigned)v * 2;
		*--p = digits2[d + 1];
		*--p = digits2[d];
	} else {
		*--p = (char)('0' + v);
	}
	while (p > w)
		*--p = '0';
	return w + n;
}

static inline char *w_u64(char *w, uint64_t v) { return w_digits(w, v, digits_u64(v)); }

void ob_u64(struct obuf *b, uint64_t v)
{
	int n = digits_u64(v);
	if ((size_t)n > b->cap - b->len)
		return;
	w_digits(b->p + b->len, v, n);
	b->len += (size_t)n;
}

void ob_i64(struct obuf *b, int64_t v)
{
	if (v < 0) {
		ob_char(b, '-');
		ob_u64(b, (uint64_t)0 - (uint64_t)v);
	} else {
		ob_u64(b, (uint64_t)v);
	}
}

/* Exactly `digits` digits, zero-padded. */
/* Exactly `digits` digits, zero-padded; v must have no more. */
static void ob_frac(struct obuf *b, uint64_t v, int digits)
{
	if ((size_t)digits > b->cap - b->len)
		return;
	b->len = (size_t)(w_digits(b->p + b->len, v, digits) - b->p);
}

/* Seconds since the first record, right-aligned in 10 columns, 6 decimals:
 * the text timeline's time column (at most 28 bytes). */
static char *w_rel_time(char *w, ts_ns rel)
{
	int neg = rel < 0;
	if (neg)
		rel = -rel;
	uint64_t sec = (uint64_t)rel / 1000000000u, us = (uint64_t)rel % 1000000000u / 1000u;
	for (int i = digits_u64(sec) + 7 + neg; i < 10; i++)
		*w++ = ' ';
	if (neg)
		*w++ = '-';
	w = w_u64(w, sec);
	*w++ = '.';
	return w_digits(w, us, 6);
}

static void split_ts(ts_ns ts, int64_t *sec, int64_t *nsec)
{
	*sec = ts / 1000000000;
	*nsec = ts % 1000000000;
	if (*nsec < 0) {
		*nsec += 1000000000;
		(*sec)--;
	}
}

/* "SECONDS.NANOSECONDS" with its quotes, unchecked (at most 32 bytes). */
static char *w_ts_json(char *w, ts_ns ts)
{
	int64_t sec, nsec;
	split_ts(ts, &sec, &nsec);
	*w++ = '"';
	if (sec < 0) {
		*w++ = '-';
		w = w_u64(w, (uint64_t)0 - (uint64_t)sec);
	} else {
		w = w_u64(w, (uint64_t)sec);
	}
	*w++ = '.';
	w = w_digits(w, (uint64_t)nsec, 9);
	*w++ = '"';
	return w;
}

void ob_ts_json(struct obuf *b, ts_ns ts)
{
	if (b->cap - b->len >= 32)
		b->len = (size_t)(w_ts_json(b->p + b->len, ts) - b->p);
}

void ob_rjust_u64(struct obuf *b, uint64_t v, size_t width)
{
	for (size_t w = (size_t)digits_u64(v); w < width; w++)
		ob_char(b, ' ');
	ob_u64(b, v);
}

void ob_pad(struct obuf *b, size_t from, size_t width)
{
	while (b->len - from < width)
		ob_char(b, ' ');
}

void ob_time(struct out *o, ts_ns ts)
{
	struct obuf *b = &o->b;
	int64_t sec, nsec;
	switch (o->opts.time) {
	case TIME_REL:
		if (b->cap - b->len >= 32)
			b->len = (size_t)(w_rel_time(b->p + b->len, ts - o->start) - b->p);
		break;
	case TIME_EPOCH:
		split_ts(ts, &sec, &nsec);
		ob_i64(b, sec);
		ob_char(b, '.');
		ob_frac(b, (uint64_t)nsec / 1000, 6);
		break;
	case TIME_ABS:
		split_ts(ts, &sec, &nsec);
		if (sec / 86400 != o->date_sec) {
			time_t t = (time_t)sec;
			struct tm tm;
			gmtime_r(&t, &tm);
			o->date_len = strftime(o->date, sizeof o->date, "%Y-%m-%d ", &tm);
			o->date_sec = sec / 86400;
		}
		ob_mem(b, o->date, o->date_len);
		{
			int64_t s = sec % 86400;
			if (s < 0)
				s += 86400;
			ob_frac(b, (uint64_t)(s / 3600), 2);
			ob_char(b, ':');
			ob_frac(b, (uint64_t)(s / 60 % 60), 2);
			ob_char(b, ':');
			ob_frac(b, (uint64_t)(s % 60), 2);
		}
		ob_char(b, '.');
		ob_frac(b, (uint64_t)nsec / 1000, 6);
		break;
	}
}

static const char hexd[] = "0123456789abcdef";

/* The escapes both previews share: quote, backslash, \n, \r, \t, and
 * printable ASCII as itself. Returns 0 for any other byte. */
static int ob_common_escape(struct obuf *b, uint8_t ch)
{
	switch (ch) {
	case '"':
	case '\\':
		ob_char(b, '\\');
		ob_char(b, (char)ch);
		return 1;
	case '\n': ob_mem(b, "\\n", 2); return 1;
	case '\r': ob_mem(b, "\\r", 2); return 1;
	case '\t': ob_mem(b, "\\t", 2); return 1;
	default:
		if (ch >= 0x20 && ch < 0x7f) {
			ob_char(b, (char)ch);
			return 1;
		}
		return 0;
	}
}

int utf8_valid(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x80)
			continue;
		size_t need = utf8_seq_len(s + i, n - i);
		if (!need)
			return 0;
		i += need - 1;
	}
	return 1;
}

void ob_base64(struct obuf *b, const uint8_t *s, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		ob_char(b, tab[v >> 18 & 63]);
		ob_char(b, tab[v >> 12 & 63]);
		ob_char(b, i + 1 < n ? tab[v >> 6 & 63] : '=');
		ob_char(b, i + 2 < n ? tab[v & 63] : '=');
	}
}

/* JSON string body: valid UTF-8 kept, everything else \u00XX. */
void ob_json_escape(struct obuf *b, const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t ch = s[i];
		if (ob_common_escape(b, ch))
			continue;
		size_t need = utf8_seq_len(s + i, n - i);
		if (need) {
			ob_mem(b, s + i, need);
			i += need - 1;
		} else {
			ob_mem(b, "\\u00", 4);
			ob_char(b, hexd[ch >> 4]);
			ob_char(b, hexd[ch & 15]);
		}
	}
}

/* Bytes shown as they are in a text preview: printable ASCII but " and \. */
static const uint8_t plain_byte[256] = {
	[' '] = 1,
	['!'] = 1,
	['#' ... '['] = 1,
	[']' ... '~'] = 1,
};

/* Text preview: printable ASCII, C escapes, \xNN; "..." past max bytes. */
void ob_text_escape(struct obuf *b, const uint8_t *s, size_t n, size_t max)
{
	size_t m = n < max ? n : max;
	for (size_t i = 0; i < m; i++) {
		/* Runs of plain bytes are copied at once. */
		size_t j = i;
		while (j < m && plain_byte[s[j]])
			j++;
		if (j > i) {
			ob_mem(b, s + i, j - i);
			i = j;
			if (i == m)
				break;
		}
		uint8_t ch = s[i];
		if (!ob_common_escape(b, ch)) {
			ob_mem(b, "\\x", 2);
			ob_char(b, hexd[ch >> 4]);
			ob_char(b, hexd[ch & 15]);
		}
	}
	if (n > max)
		ob_str(b, "...");
}

const char *text_escape_str(char *buf, size_t size, const char *s, size_t n, size_t max)
{
	struct obuf b = { buf, 0, size ? size - 1 : 0 };
	if (!size)
		return buf;
	ob_text_escape(&b, (const uint8_t *)s, n, max);
	buf[b.len] = '\0';
	return buf;
}

/* "14 bytes are lost", or with the send log "the 14 bytes of send #3 are lost". */
static void ob_lost(struct obuf *b, uint64_t bytes, const struct seg_extra *x)
{
	if (x && x->n_lost) {
		if (x->lost_bytes)
			bytes = x->lost_bytes; /* with what never left the sender's buffer */
		ob_str(b, "the ");
		ob_u64(b, bytes);
		ob_str(b, bytes == 1 ? " byte of send #" : " bytes of send #");
		for (int i = 0; i < x->n_lost; i++) {
			if (i)
				ob_str(b, i + 1 == x->n_lost ? " and #" : ", #");
			ob_u64(b, x->lost_sends[i]);
		}
		ob_str(b, bytes == 1 ? " is lost" : " are lost");
		return;
	}
	ob_u64(b, bytes);
	ob_str(b, bytes == 1 ? " byte is lost" : " bytes are lost");
}

/* What an RST did to the bytes in flight: "; the 14 bytes of send #3 are
 * lost"; for one that did not land, or came after the connection was reset
 * already, that instead. Returns 1 if it said one of those two; with
 * always, it says the loss otherwise. */
static int rst_fate(struct obuf *b, const struct conn *c, const struct seg_info *in,
		    const struct seg_extra *x, int always)
{
	if (x && x->unlanded_by) {
		ob_str(b, "; it never reached ");
		ob_str(b, c->ep[1 - in->dir]);
		ob_str(b, x->unlanded_outside ? "'s connection (ignored: record "
					      : "'s socket (dropped on the way: record ");
		ob_u64(b, x->unlanded_by);
		ob_str(b, " shows it), so nothing is lost by it");
		return 1;
	}
	if (in->rst_again) {
		ob_str(b, "; the connection was already reset by the RST at record ");
		ob_u64(b, in->rst_again);
		return 1;
	}
	if (always) {
		ob_str(b, "; ");
		ob_lost(b, in->note_bytes, x);
	}
	return 0;
}

static void ob_note_text(struct obuf *b, const struct conn *c, const struct seg_info *in,
			 const struct seg_extra *x)
{
	const char *from = c->ep[in->dir], *to = c->ep[1 - in->dir];
	if (in->rst_missed) {
		if (in->rst_outside) {
			ob_str(b, "  -- an ACK alone after the RST at record ");
			ob_u64(b, in->rst_missed);
			ob_str(b, ": that RST's sequence number was not the one expected, so ");
			ob_str(b, from);
			ob_str(b, " ignored it and answered to check (RFC 5961 challenge ACK)");
		} else {
			ob_str(b, "  -- ");
			ob_str(b, in->note == NOTE_RETRANSMIT ? "retransmission" : "sent");
			ob_str(b, " after the RST at record ");
			ob_u64(b, in->rst_missed);
			ob_str(b, ": that RST never reached ");
			ob_str(b, from);
			ob_str(b,
			       "'s socket (a reset socket sends nothing more): it was dropped on "
			       "the way");
		}
		return;
	}
	switch (in->note) {
	case NOTE_NONE:
	case NOTE_SYN:
	case NOTE_SYNACK: return;
	case NOTE_RETRANSMIT: ob_str(b, "  -- retransmission"); return;
	case NOTE_FIN_HALF_CLOSE:
		ob_str(b, "  -- FIN: ");
		ob_str(b, from);
		ob_str(b, " will send no more (FIN_WAIT); ");
		ob_str(b, to);
		ob_str(b, " is now in CLOSE_WAIT and can still send");
		return;
	case NOTE_FIN_BOTH:
		ob_str(b, "  -- FIN: ");
		ob_str(b, from);
		ob_str(b, " closes too (LAST_ACK); both directions are now closed");
		return;
	case NOTE_DATA_AFTER_PEER_FIN:
		ob_str(b, "  -- ");
		ob_u64(b, in->note_bytes);
		ob_str(b, " bytes sent after the peer's FIN (record ");
		ob_u64(b, in->note_ref);
		ob_str(b, "): the peer may no longer have a socket to read them");
		return;
	case NOTE_DATA_AFTER_OWN_FIN:
		ob_str(b, "  -- data after this side's own FIN (record ");
		ob_u64(b, in->note_ref);
		ob_str(b, "): invalid");
		return;
	case NOTE_RST_AFTER_FIN:
		ob_str(b, "  -- RST: ");
		ob_str(b, from);
		ob_str(b, " had closed (FIN) and has no socket for the data");
		if (in->note_ref) {
			ob_str(b, " of record ");
			ob_u64(b, in->note_ref);
		}
		rst_fate(b, c, in, x, 1);
		return;
	case NOTE_RST_ABORT:
		ob_str(b, "  -- RST: ");
		ob_str(b, from);
		ob_str(b, " aborted the connection (no FIN before: SO_LINGER 0, or close() with "
			  "unread data)");
		if (!rst_fate(b, c, in, x, 0) && (in->note_bytes || (x && x->n_lost))) {
			ob_str(b, "; unacknowledged data from ");
			ob_str(b, to);
			ob_str(b, ": ");
			ob_lost(b, in->note_bytes, x);
		}
		return;
	case NOTE_RST_REFUSED:
		ob_str(b, "  -- RST: nothing listens on ");
		ob_str(b, from);
		ob_str(b, ": connection refused");
		return;
	case NOTE_RST_AFTER_CLOSE:
		ob_str(b, "  -- RST after both FINs: a late segment found no socket");
		if (in->note_bytes || in->rst_again || (x && x->unlanded_by))
			rst_fate(b, c, in, x, 1);
		return;
	}
}

/* " #ID  client > server    ": the client always on the left, the arrow
 * for the direction. */
void out_conn_col(struct conn *c, int d)
{
	struct obuf t = { c->col[d], 0, sizeof c->col[d] };
	ob_str(&t, " #");
	ob_u64(&t, c->id);
	ob_pad(&t, 2, 3);
	ob_char(&t, ' ');
	size_t from = t.len;
	ob_mem(&t, c->ep[0], c->ep_len[0]);
	ob_str(&t, d == 0 ? " > " : " < ");
	ob_mem(&t, c->ep[1], c->ep_len[1]);
	ob_pad(&t, from, 36);
	c->col_len[d] = (uint8_t)t.len;
}

/* ---- the segment line, written without per-append checks -------------
 *
 * This is the hot path of a replay. out_segment_x() reserves OUT_LINE_MAX
 * before a line starts, and everything written here is bounded: the
 * connection column (112), flags (12), eight numbers (20 each), the options
 * (under 120), the preview (32 bytes, 4 each at most, plus 10). The note,
 * rare, goes through the checked appenders. */

static char *w_opts(char *w, const struct tcp_opts *op)
{
	char *start;
	*w++ = ' ';
	*w++ = '<';
	start = w;
#define SEP()                                                                                      \
	do {                                                                                       \
		if (w != start)                                                                    \
			*w++ = ',';                                                                \
	} while (0)
	if (op->has_mss) {
		w = W_LIT(w, "mss ");
		w = w_u64(w, op->mss);
	}
	if (op->sack_ok) {
		SEP();
		w = W_LIT(w, "sackOK");
	}
	if (op->has_ts) {
		SEP();
		w = W_LIT(w, "TS val ");
		w = w_u64(w, op->ts_val);
		w = W_LIT(w, " ecr ");
		w = w_u64(w, op->ts_ecr);
	}
	if (op->has_wscale) {
		SEP();
		w = W_LIT(w, "wscale ");
		w = w_u64(w, op->wscale);
	}
	if (op->sack_blocks) {
		SEP();
		w = W_LIT(w, "sack ");
		w = w_u64(w, op->sack_blocks);
	}
	if (op->truncated) {
		SEP();
		w = W_LIT(w, "|tcp");
	}
#undef SEP
	*w++ = '>';
	return w;
}

/* A window of 0 on an ACK that is not an RST or a handshake: the sender's
 * receive buffer is full, and the peer must wait (persist timer). */
static int zero_window(const struct tcp_segment *seg)
{
	return seg->win == 0 && (seg->flags & TCPF_ACK) &&
	       !(seg->flags & (TCPF_RST | TCPF_SYN | TCPF_FIN));
}

static void segment_text(struct out *o, uint64_t n, ts_ns ts, const struct tcp_segment *seg,
			 const struct seg_info *in, const struct seg_extra *x)
{
	struct obuf *b = &o->b;
	const struct conn *c = in->conn;
	char *w = b->p + b->len;
	/* Record number, right-aligned in 5. */
	int nd = digits_u64(n);
	for (int i = nd; i < 5; i++)
		*w++ = ' ';
	w = w_u64(w, n);
	*w++ = ' ';
	if (o->opts.time == TIME_REL) {
		w = w_rel_time(w, ts - o->start);
	} else {
		b->len = (size_t)(w - b->p);
		ob_time(o, ts);
		w = b->p + b->len;
	}
	int d = in->dir;
	if (!in->conn->col_len[d])
		out_conn_col(in->conn, d);
	/* Whole fixed-size copies (the room is reserved): cheaper than copies
	 * of a varying length, which compile to a slow string move. */
	memcpy(w, c->col[d], sizeof c->col[d]);
	w += c->col_len[d];
	memcpy(w, o->flagcol[seg->flags], sizeof o->flagcol[0]);
	w += o->flagcol_len[seg->flags];
	int rel_ok = !o->opts.abs_seq && in->rseq_ok;
	if (seg->len || !(seg->flags & TCPF_ACK) ||
	    (seg->flags & (TCPF_SYN | TCPF_FIN | TCPF_RST))) {
		uint32_t sq = rel_ok ? in->rseq : seg->seq;
		w = W_LIT(w, " seq ");
		w = w_u64(w, sq);
		if (seg->len) {
			*w++ = ':';
			w = w_u64(w, (uint32_t)(sq + seg->len));
		}
	}
	if (seg->flags & TCPF_ACK) {
		w = W_LIT(w, " ack ");
		w = w_u64(w, !o->opts.abs_seq && in->rack_ok ? in->rack : seg->ack);
	}
	w = W_LIT(w, " win ");
	w = w_u64(w, seg->win);
	w = W_LIT(w, " len ");
	w = w_u64(w, seg->len);
	if (seg->opts.count || seg->hdr_truncated)
		w = w_opts(w, &seg->opts);
	b->len = (size_t)(w - b->p);
	if (o->opts.preview && seg->caplen) {
		ob_mem(b, " \"", 2);
		ob_text_escape(b, seg->payload, seg->caplen, 32);
		ob_char(b, '"');
		if (seg->caplen < seg->len && seg->caplen <= 32)
			ob_mem(b, "[cut]", 5);
	}
	if (in->note != NOTE_NONE || in->rst_missed)
		ob_note_text(b, c, in, x);
	else if (zero_window(seg)) {
		ob_str(b, "  -- zero window: ");
		ob_str(b, c->ep[in->dir]);
		ob_str(b, "'s receive buffer is full (its program is not reading): data to it "
			  "waits, it is not lost");
	}
	ob_char(b, '\n');
}

static void json_key(struct obuf *b, const char *k)
{
	ob_str(b, ",\"");
	ob_str(b, k);
	ob_str(b, "\":");
}

static void json_ep(struct obuf *b, const char *k, const struct conn *c, int side)
{
	json_key(b, k);
	ob_char(b, '"');
	ob_mem(b, c->ep[side], c->ep_len[side]);
	ob_char(b, '"');
}

static void json_n_or_null(struct obuf *b, const char *k, uint64_t v)
{
	json_key(b, k);
	if (v)
		ob_u64(b, v);
	else
		ob_str(b, "null");
}

/* ,"key":"ADDR:PORT" for one side, unchecked (a label is under 48 bytes). */
static char *w_json_ep(char *w, const char *key, size_t klen, const struct conn *c, int side)
{
	memcpy(w, key, klen);
	w += klen;
	memcpy(w, c->ep[side], sizeof c->ep[side]);
	w += c->ep_len[side];
	*w++ = '"';
	return w;
}

/* The segment's JSON line. Like the text line, its head and options are
 * written without per-append checks into the room reserved for a line
 * (OUT_LINE_MAX): the labels 2 x 48, flags 16, ten numbers of 20 and the
 * keys, then the options (under 120): under 600 bytes. The note and the
 * data go through the checked appenders. */
static void segment_json(struct out *o, uint64_t n, ts_ns ts, const struct tcp_segment *seg,
			 const struct seg_info *in, const struct seg_extra *x)
{
	struct obuf *b = &o->b;
	const struct conn *c = in->conn;
	char *w = b->p + b->len;
	w = W_LIT(w, "{\"kind\":\"segment\",\"ts\":");
	w = w_ts_json(w, ts);
	w = W_LIT(w, ",\"n\":");
	w = w_u64(w, n);
	w = W_LIT(w, ",\"conn\":");
	w = w_u64(w, c->id);
	w = w_json_ep(w, ",\"src\":\"", 8, c, in->dir);
	w = w_json_ep(w, ",\"dst\":\"", 8, c, 1 - in->dir);
	w = W_LIT(w, ",\"flags\":\"");
	w += decode_flags_str(seg, w, 16);
	*w++ = '"';
	w = W_LIT(w, ",\"seq\":");
	w = w_u64(w, seg->seq);
	if (seg->flags & TCPF_ACK) {
		w = W_LIT(w, ",\"ack\":");
		w = w_u64(w, seg->ack);
	}
	w = W_LIT(w, ",\"rseq\":");
	if (in->rseq_ok)
		w = w_u64(w, in->rseq);
	else
		w = W_LIT(w, "null");
	if (seg->flags & TCPF_ACK) {
		w = W_LIT(w, ",\"rack\":");
		if (in->rack_ok)
			w = w_u64(w, in->rack);
		else
			w = W_LIT(w, "null");
	}
	w = W_LIT(w, ",\"len\":");
	w = w_u64(w, seg->len);
	w = W_LIT(w, ",\"caplen\":");
	w = w_u64(w, seg->caplen);
	w = W_LIT(w, ",\"win\":");
	w = w_u64(w, seg->win);
	const struct tcp_opts *op = &seg->opts;
	if (op->has_mss || op->has_wscale || op->sack_ok || op->has_ts || op->sack_blocks) {
		char *start;
		w = W_LIT(w, ",\"opts\":{");
		start = w;
#define K(lit)                                                                                     \
	do {                                                                                       \
		if (w != start)                                                                    \
			*w++ = ',';                                                                \
		w = W_LIT(w, lit);                                                                 \
	} while (0)
		if (op->has_mss) {
			K("\"mss\":");
			w = w_u64(w, op->mss);
		}
		if (op->has_wscale) {
			K("\"wscale\":");
			w = w_u64(w, op->wscale);
		}
		if (op->sack_ok)
			K("\"sackOK\":true");
		if (op->has_ts) {
			K("\"ts\":[");
			w = w_u64(w, op->ts_val);
			*w++ = ',';
			w = w_u64(w, op->ts_ecr);
			*w++ = ']';
		}
		if (op->sack_blocks) {
			K("\"sack\":");
			w = w_u64(w, op->sack_blocks);
		}
#undef K
		*w++ = '}';
	}
	b->len = (size_t)(w - b->p);
	if (seg->hdr_truncated) {
		json_key(b, "truncated");
		ob_str(b, "true");
	}
	if (in->note != NOTE_NONE && in->note != NOTE_SYN && in->note != NOTE_SYNACK) {
		json_key(b, "note");
		ob_char(b, '"');
		ob_str(b, flow_note_code(in->note));
		ob_char(b, '"');
		switch (in->note) {
		case NOTE_RST_AFTER_FIN:
		case NOTE_RST_ABORT:
		case NOTE_RST_AFTER_CLOSE:
			json_key(b, "lost");
			ob_u64(b, in->note_bytes);
			json_n_or_null(b, "answers", in->note_ref);
			break;
		case NOTE_DATA_AFTER_PEER_FIN:
		case NOTE_DATA_AFTER_OWN_FIN:
		case NOTE_FIN_BOTH: json_n_or_null(b, "fin", in->note_ref); break;
		default: break;
		}
	}
	if ((in->note == NOTE_NONE || in->note == NOTE_RETRANSMIT) && zero_window(seg)) {
		json_key(b, "zero_window");
		ob_str(b, "true");
	}
	if (in->rst_missed) {
		json_key(b, "rst_missed");
		ob_u64(b, in->rst_missed);
		json_key(b, "rst_missed_why");
		ob_str(b, in->rst_outside ? "\"outside_window\"" : "\"dropped\"");
	}
	if (x && x->unlanded_by) {
		json_key(b, "landed");
		ob_str(b, "false");
		json_key(b, "unlanded_by");
		ob_u64(b, x->unlanded_by);
	}
	if (in->rst_again)
		json_n_or_null(b, "already_reset_by", in->rst_again);
	if (x && x->n_lost) {
		json_key(b, "lost_calls");
		ob_char(b, '[');
		for (int i = 0; i < x->n_lost; i++) {
			if (i)
				ob_char(b, ',');
			ob_u64(b, x->lost_lines[i]);
		}
		ob_char(b, ']');
	}
	if (o->opts.preview && seg->caplen) {
		/* Unambiguous bytes: text only when they are valid UTF-8 (then
		 * JSON's escapes give them back exactly), base64 otherwise. */
		size_t dn = seg->caplen < OUT_PAYLOAD_MAX ? seg->caplen : OUT_PAYLOAD_MAX;
		if (utf8_valid(seg->payload, dn)) {
			json_key(b, "data");
			ob_char(b, '"');
			ob_json_escape(b, seg->payload, dn);
		} else {
			json_key(b, "data_b64");
			ob_char(b, '"');
			ob_base64(b, seg->payload, dn);
		}
		ob_char(b, '"');
	}
	ob_str(b, "}\n");
}

void out_set_sink(struct out *o, const struct out_sink *s)
{
	o->has_sink = s && (s->segment || s->call);
	if (o->has_sink)
		o->sink = *s;
}

const struct out_sink *out_sink(const struct out *o) { return o->has_sink ? &o->sink : NULL; }

static void sink_segment(struct out *o, uint64_t n, ts_ns ts, const struct tcp_segment *seg,
			 const struct seg_info *info, const struct seg_extra *x)
{
	char note[1024];
	struct obuf t = { note, 0, sizeof note };
	if (info->note != NOTE_NONE || info->rst_missed)
		ob_note_text(&t, info->conn, info, x);
	size_t skip = t.len >= 5 && !memcmp(note, "  -- ", 5) ? 5 : 0;
	struct out_seg_row row = { n, ts, seg, info, note + skip, t.len - skip };
	o->sink.segment(o->sink.arg, &row);
}

void out_segment_fmt(struct out *o, uint64_t n, ts_ns ts, const struct tcp_segment *seg,
		     const struct seg_info *info, const struct seg_extra *x)
{
	if (o->has_sink && o->sink.segment)
		sink_segment(o, n, ts, seg, info, x);
	if (o->opts.json)
		segment_json(o, n, ts, seg, info, x);
	else
		segment_text(o, n, ts, seg, info, x);
}

void out_segment_x(struct out *o, uint64_t n, ts_ns ts, const struct tcp_segment *seg,
		   const struct seg_info *info, const struct seg_extra *x)
{
	out_reserve(o, OUT_LINE_MAX);
	out_segment_fmt(o, n, ts, seg, info, x);
	out_event_done(o);
}

void out_swap_buf(struct out *o, struct obuf *b)
{
	struct obuf t = o->b;
	o->b = *b;
	*b = t;
}

void out_raw(struct out *o, const char *p, size_t n)
{
	while (n) {
		if (o->b.len == o->b.cap)
			out_flush(o);
		size_t k = o->b.cap - o->b.len < n ? o->b.cap - o->b.len : n;
		memcpy(o->b.p + o->b.len, p, k);
		o->b.len += k;
		p += k;
		n -= k;
	}
	out_event_done(o);
}

void out_segment(struct out *o, uint64_t n, ts_ns ts, const struct tcp_segment *seg,
		 const struct seg_info *info)
{
	out_segment_x(o, n, ts, seg, info, NULL);
}

static void summary_text(struct out *o, const struct conn *c)
{
	struct obuf *b = &o->b;
	ob_char(b, '#');
	ob_u64(b, c->id);
	ob_char(b, ' ');
	ob_mem(b, c->ep[0], c->ep_len[0]);
	ob_str(b, " <-> ");
	ob_mem(b, c->ep[1], c->ep_len[1]);
	ob_str(b, ": ");
	for (int s = 0; s < 2; s++) {
		ob_str(b, s ? "; " : "");
		ob_str(b, s ? "server " : "client ");
		ob_u64(b, c->side[s].pkts);
		ob_str(b, c->side[s].pkts == 1 ? " segment, " : " segments, ");
		ob_u64(b, c->side[s].bytes);
		ob_str(b, c->side[s].bytes == 1 ? " byte" : " bytes");
		if (c->side[s].retrans) {
			ob_str(b, " (");
			ob_u64(b, c->side[s].retrans);
			ob_str(b, " retransmitted)");
		}
	}
	ob_char(b, '\n');
	if (c->calls.calls) {
		ob_str(b, "    calls: ");
		ob_u64(b, c->calls.sends);
		ob_str(b, " sends (");
		ob_u64(b, c->calls.sends_failed);
		ob_str(b, " failed), ");
		ob_u64(b, c->calls.bytes_sent_ok);
		ob_str(b, " bytes accepted by send(), ");
		ob_u64(b, c->calls.bytes_acked);
		ob_str(b, " acknowledged, ");
		ob_u64(b, c->calls.bytes_lost);
		ob_str(b, " lost\n");
	}
	ob_str(b, "    ended: ");
	int any = 0;
	if (c->first_fin_from >= 0) {
		int f = c->first_fin_from;
		ob_str(b, "FIN from ");
		ob_str(b, f ? "server" : "client");
		ob_str(b, " (record ");
		ob_u64(b, c->side[f].fin_n);
		ob_char(b, ')');
		if (c->side[1 - f].fin_n) {
			ob_str(b, ", FIN from ");
			ob_str(b, f ? "client" : "server");
			ob_str(b, " (record ");
			ob_u64(b, c->side[1 - f].fin_n);
			ob_char(b, ')');
		}
		any = 1;
	}
	if (c->rst_from >= 0) {
		int r = c->rst_from;
		ob_str(b, any ? "; RST from " : "RST from ");
		ob_str(b, r ? "server" : "client");
		ob_str(b, " (record ");
		ob_u64(b, c->side[r].rst_n);
		ob_char(b, ')');
		if (c->rst_lost_n) {
			ob_str(b, " answering record ");
			ob_u64(b, c->rst_lost_n);
		}
		ob_str(b, ": ");
		ob_u64(b, c->lost);
		ob_str(b, c->lost == 1 ? " byte lost" : " bytes lost");
		any = 1;
	}
	if (c->gone == FLOW_GONE_EVICTED) {
		ob_str(b, any ? "; " : "");
		ob_str(b, "evicted while open: the connection table was full");
	} else if (c->gone == FLOW_GONE_EXPIRED) {
		ob_str(b, any ? "; " : "");
		ob_str(b, c->half ? "expired: half-open and silent for " : "expired: silent for ");
		ob_u64(b, (uint64_t)((c->half ? FLOW_HALF_IDLE : FLOW_IDLE) / 1000000000));
		ob_str(b, " s");
	} else if (!any) {
		ob_str(b, c->syn_seen
				  ? "still open at the end of the capture"
				  : "still open (no SYN seen: the capture began mid-connection)");
	}
	ob_char(b, '\n');
}

static void summary_json(struct out *o, const struct conn *c)
{
	struct obuf *b = &o->b;
	ob_str(b, "{\"kind\":\"summary\",\"ts\":");
	ob_ts_json(b, c->last_ts);
	json_key(b, "conn");
	ob_u64(b, c->id);
	json_ep(b, "src", c, 0);
	json_ep(b, "dst", c, 1);
	json_key(b, "sends");
	ob_u64(b, c->calls.sends);
	json_key(b, "sends_failed");
	ob_u64(b, c->calls.sends_failed);
	json_key(b, "bytes_sent_ok");
	ob_u64(b, c->calls.bytes_sent_ok);
	json_key(b, "bytes_acked");
	ob_u64(b, c->calls.bytes_acked);
	json_key(b, "bytes_lost");
	ob_u64(b, c->calls.calls ? c->calls.bytes_lost : c->lost);
	json_n_or_null(b, "fin", c->first_fin_from >= 0 ? c->side[c->first_fin_from].fin_n : 0);
	json_n_or_null(b, "rst", c->rst_from >= 0 ? c->side[c->rst_from].rst_n : 0);
	json_key(b, "fin_from");
	ob_str(b, c->first_fin_from < 0 ? "null" : c->first_fin_from ? "\"dst\"" : "\"src\"");
	json_key(b, "rst_from");
	ob_str(b, c->rst_from < 0 ? "null" : c->rst_from ? "\"dst\"" : "\"src\"");
	json_n_or_null(b, "rst_answers", c->rst_lost_n);
	json_key(b, "wire_lost");
	ob_u64(b, c->lost);
	json_key(b, "pkts");
	ob_char(b, '[');
	ob_u64(b, c->side[0].pkts);
	ob_char(b, ',');
	ob_u64(b, c->side[1].pkts);
	ob_char(b, ']');
	json_key(b, "bytes");
	ob_char(b, '[');
	ob_u64(b, c->side[0].bytes);
	ob_char(b, ',');
	ob_u64(b, c->side[1].bytes);
	ob_char(b, ']');
	json_key(b, "syn");
	ob_str(b, c->syn_seen ? "true" : "false");
	if (c->gone == FLOW_GONE_EVICTED)
		ob_str(b, ",\"evicted\":true");
	else if (c->gone == FLOW_GONE_EXPIRED)
		ob_str(b, ",\"expired\":true");
	ob_str(b, "}\n");
}

void out_table_summary(struct out *o, ts_ns ts, const struct table_stats *st)
{
	if (!o->opts.json)
		return;
	out_reserve(o, 256);
	struct obuf *b = &o->b;
	ob_str(b, "{\"kind\":\"summary\",\"ts\":");
	ob_ts_json(b, ts);
	ob_str(b, ",\"conn\":null,\"connections\":");
	ob_u64(b, st->connections);
	ob_str(b, ",\"max_conns\":");
	ob_u64(b, st->max_conns);
	ob_str(b, ",\"evicted\":");
	ob_u64(b, st->evicted);
	ob_str(b, ",\"expired\":");
	ob_u64(b, st->expired);
	ob_str(b, "}\n");
	out_event_done(o);
}

void out_summary(struct out *o, const struct conn *c)
{
	out_reserve(o, OUT_LINE_MAX);
	if (o->opts.json)
		summary_json(o, c);
	else
		summary_text(o, c);
	out_event_done(o);
}

void out_text(struct out *o, const char *line)
{
	if (o->opts.json)
		return;
	out_reserve(o, strlen(line) + 2);
	ob_str(&o->b, line);
	ob_char(&o->b, '\n');
	out_event_done(o);
}
