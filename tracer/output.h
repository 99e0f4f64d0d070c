/* output.h: the text timeline and JSON lines, behind one small interface. */
#ifndef RSTSCOPE_OUTPUT_H
#define RSTSCOPE_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "decode.h"
#include "flow.h"

enum time_mode { TIME_REL = 0, TIME_ABS, TIME_EPOCH };

struct out_opts {
	int json; /* JSON lines instead of text */
	enum time_mode time;
	int abs_seq;	   /* -S: absolute sequence numbers in text */
	int preview;	   /* payload preview in text and JSON */
	int line_buffered; /* flush after every line (a terminal, live mode) */
	/* Text for a terminal (term.h): colours, the compact layout at this
	 * width, -v; none of them changes the output to a pipe unless asked. */
	int color, compact, verbose, width;
};

/* Output is written in blocks of OUT_BUF_SIZE (small enough to stay in the
 * cache between writes); a line flushes the block when less than
 * OUT_LINE_MAX is left. No line is longer than OUT_LINE_MAX (previews are
 * capped) except free-form text, which is cut at OUT_BUF_SIZE. */
#define OUT_BUF_SIZE ((size_t)1 << 17)
#define OUT_LINE_MAX ((size_t)8192)

/* As much of a segment's payload as any output shows (JSON's "data"). */
#define OUT_PAYLOAD_MAX 64

/* A segment kept past its record (queued, or handed to another thread): its
 * values, and the first OUT_PAYLOAD_MAX bytes of its payload, which
 * k->seg.payload then points to. */
struct kept_seg {
	struct tcp_segment seg;
	uint8_t payload[OUT_PAYLOAD_MAX];
};
static inline void seg_keep(struct kept_seg *k, const struct tcp_segment *s)
{
	size_t n = s->caplen < sizeof k->payload ? s->caplen : sizeof k->payload;
	k->seg = *s;
	if (n)
		memcpy(k->payload, s->payload, n);
	k->seg.payload = k->payload;
}

struct out;

struct out *out_new(int fd, const struct out_opts *opts);
/* Flushes and frees; out_free(NULL) is safe. */
void out_free(struct out *o);
/* Time zero for relative times: the first record. */
void out_set_start(struct out *o, ts_ns ts);
int out_has_start(const struct out *o);

void out_segment(struct out *o, uint64_t n, ts_ns ts, const struct tcp_segment *seg,
		 const struct seg_info *info);
/* What the correlator adds to a segment row: the sends an RST lost. */
struct seg_extra {
	uint8_t n_lost;
	const uint64_t *lost_lines; /* their send-log lines */
	const uint32_t *lost_sends; /* their send numbers on the connection */
	/* This RST did not land: the record that shows it (a retransmission
	 * or a challenge ACK after it, see seg_info's rst_missed). */
	uint64_t unlanded_by;
	uint8_t unlanded_outside;
	uint64_t lost_bytes; /* what those sends lost (0: take the wire's count) */
};
void out_segment_x(struct out *o, uint64_t n, ts_ns ts, const struct tcp_segment *seg,
		   const struct seg_info *info, const struct seg_extra *x);
void out_summary(struct out *o, const struct conn *c);
/* The connection table's totals; JSON only (a summary with "conn": null and
 * "evicted"), for a run in which connections were evicted or expired. */
struct table_stats {
	uint64_t connections, max_conns, evicted, expired;
};
void out_table_summary(struct out *o, ts_ns ts, const struct table_stats *st);
/* Formats c->col[d] (the text timeline's connection column) if not yet. */
void out_conn_col(struct conn *c, int d);
/* A free-form text line (text mode only), e.g. the capture statistics. */
void out_text(struct out *o, const char *line);
/* Called after each event: flushes when line-buffered. */
void out_event_done(struct out *o);
/* Returns 0, or -1 when writing failed (errno set). */
int out_flush(struct out *o);

/* Low-level helpers shared by the other emitters (correlate). */
struct obuf {
	char *p;
	size_t len, cap;
};
struct obuf *out_buf(struct out *o);
const struct out_opts *out_options(const struct out *o);
void out_reserve(struct out *o, size_t n);
/* The buffer always has a whole line's room when a line starts; these still
 * check, so an over-long line is cut rather than overflowing. */
static inline void ob_mem(struct obuf *b, const void *s, size_t n)
{
	if (n > b->cap - b->len)
		n = b->cap - b->len;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}
static inline void ob_str(struct obuf *b, const char *s) { ob_mem(b, s, strlen(s)); }
static inline void ob_char(struct obuf *b, char ch)
{
	if (b->len < b->cap)
		b->p[b->len++] = ch;
}
void ob_u64(struct obuf *b, uint64_t v);
void ob_i64(struct obuf *b, int64_t v);
void ob_ts_json(struct obuf *b, ts_ns ts); /* "SECONDS.NANOSECONDS" with quotes */
void ob_time(struct out *o, ts_ns ts);	   /* the text time column */
void ob_json_escape(struct obuf *b, const uint8_t *s, size_t n); /* no quotes */
int utf8_valid(const uint8_t *s, size_t n);
void ob_base64(struct obuf *b, const uint8_t *s, size_t n); /* no quotes */
void ob_text_escape(struct obuf *b, const uint8_t *s, size_t n, size_t max);
/* A string from the input (a send-log value) in text: all of it, escaped as
 * previews are, so no control byte reaches a terminal. */
static inline void ob_text_str(struct obuf *b, const char *s)
{
	ob_text_escape(b, (const uint8_t *)s, strlen(s), SIZE_MAX);
}
/* The same into a C string of size bytes, for messages: at most max bytes
 * of s shown ("..." past them). Returns buf. */
const char *text_escape_str(char *buf, size_t size, const char *s, size_t n, size_t max);
void ob_pad(struct obuf *b, size_t from, size_t width);
void ob_rjust_u64(struct obuf *b, uint64_t v, size_t width);

/* Formats a segment line into the output buffer as it is: no room is
 * reserved and nothing is flushed (out_swap_buf() points it elsewhere). */
void out_segment_fmt(struct out *o, uint64_t n, ts_ns ts, const struct tcp_segment *seg,
		     const struct seg_info *info, const struct seg_extra *x);
/* The rows as they are printed, for the outputs made at the end (the
 * annotated pcapng, the SVG ladder): a row is final once printed. The note
 * and the call's text are what the text timeline says, without the "  -- ". */
struct out_seg_row {
	uint64_t n;
	ts_ns ts;
	const struct tcp_segment *seg;
	const struct seg_info *info;
	const char *note; /* "" when the segment has none */
	size_t note_len;
};
struct out_call_row {
	uint64_t line;
	ts_ns ts;
	int64_t pid;
	uint64_t conn; /* 0: no captured connection */
	int side;      /* 0 client, 1 server, -1 unknown */
	int event;     /* enum call_event (sendlog.h) */
	int failed;    /* ret == -1 (a socket call) */
	int64_t ret;
	const char *what; /* "send #2 (\"...\", 14) = -1 EPIPE" */
	size_t what_len;
	const char *note;
	size_t note_len;
	uint64_t cause_n;     /* the segment that caused its failure, 0 none */
	uint64_t lost_at;     /* the RST that lost its bytes, 0 none */
	uint64_t fin_n;	      /* the peer's FIN before it, 0 none */
	uint64_t lost;	      /* bytes of it never acknowledged */
	const uint64_t *segs; /* the segments that carried its bytes */
	int nsegs;
};
struct out_sink {
	void (*segment)(void *arg, const struct out_seg_row *row);
	void (*call)(void *arg, const struct out_call_row *row);
	void *arg;
};
/* NULL (the default) for none. The sink is copied. */
void out_set_sink(struct out *o, const struct out_sink *s);
const struct out_sink *out_sink(const struct out *o); /* NULL when none */

/* Exchanges the output's buffer with *b: formatting into another buffer. */
void out_swap_buf(struct out *o, struct obuf *b);
/* Appends n bytes of finished output, flushing as needed. */
void out_raw(struct out *o, const char *p, size_t n);

#endif
