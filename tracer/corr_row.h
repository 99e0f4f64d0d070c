/* corr_row.h: the correlator's row (a segment, a call, or final text
 * waiting in the queue), shared by correlate.c, which fills rows in, and
 * callrow.c, which writes a call row out. Private to the two. */
#ifndef RSTSCOPE_CORR_ROW_H
#define RSTSCOPE_CORR_ROW_H

#include <stdint.h>

#include "explain.h"
#include "flow.h"
#include "output.h"
#include "sendlog.h"

#define ROW_SEGS 8 /* record numbers kept in a row itself; more go to the heap */
#define ROW_LOST 4 /* send numbers named per RST row */

/* ROW_TEXT: lines already final, formatted into the deferred text (replay
 * only): they wait behind a row that is not final yet, as bytes. */
enum row_kind { ROW_SEG, ROW_CALL, ROW_TEXT };

/* A list of record numbers: inline while short, on the heap beyond. */
struct nlist {
	uint64_t inl[ROW_SEGS];
	uint64_t *x;
	uint32_t n, cap;
};

static inline const uint64_t *nl_items(const struct nlist *l) { return l->x ? l->x : l->inl; }

struct cconn;

struct row {
	uint64_t id;
	ts_ns ts;
	uint8_t kind;
	uint8_t pending;   /* a send whose fate is not known yet */
	uint8_t ghost;	   /* 1: a stand-in, already printed unsettled; 2: settled too */
	uint8_t unsettled; /* printed before its fate was known */
	/* ROW_TEXT: bytes [text_off, text_off + text_len) of the deferred text,
	 * lines of times ts .. ts_last */
	size_t text_off, text_len;
	ts_ns ts_last;
	uint8_t text_seg; /* its first line is a segment (for the tie-break) */
	/* ROW_SEG */
	uint64_t n;
	struct kept_seg kseg;
	struct seg_info info;
	struct conn conn; /* a copy: the live one may be retired first */
	uint64_t lost_lines[ROW_LOST];
	uint32_t lost_sends[ROW_LOST];
	uint8_t n_lost;
	uint64_t lost_bytes; /* what those sends lose */
	/* The first RST of a connection waits until it is known to have landed
	 * (rst_hold; cc is its connection meanwhile), or shown not to have:
	 * unlanded_by is then the record that shows it. */
	uint8_t rst_hold, unlanded_outside;
	uint64_t unlanded_by;
	/* ROW_CALL */
	struct call call;
	struct cconn *cc; /* valid while pending */
	uint64_t conn_id; /* 0: no captured connection */
	int side;	  /* 0 client, 1 server, -1 unknown */
	uint32_t send_no;
	struct nlist segs, retrans; /* record numbers, in record order */
	uint8_t by_time;	    /* matched by time: no SYN captured */
	uint8_t segs_incomplete;    /* some of its segments were no longer remembered */
	uint8_t has_seq;	    /* by time, or from the kernel: the send's sequence range */
	uint8_t by_kseq;	    /* no SYN seen: mapped by the kernel's sequence numbers */
	uint32_t seq_lo, seq_hi;
	uint64_t acked, lost;
	uint8_t settled_how; /* 0 acked, 1 reset, 2 closed, 3 end of input, 4 forced */
	uint64_t settle_n;   /* the RST that lost it */
	uint64_t in_flight;  /* that RST was on its way when it was sent: the data it answered */
	uint64_t zero_win_n; /* settled unacknowledged while the peer's window was 0 */
	uint64_t fin_n;	     /* the peer's FIN before the call, if any */
	struct explain_evidence ev; /* what explain_call() was given (strings: see row_ev()) */
	struct explanation x;	    /* its verdict: x.cause, x.n */
	uint8_t sigpipe;	    /* the kernel raised SIGPIPE */
	uint64_t sig_line;	    /* the log's signal event for it */
	char disposition[12];
	uint8_t killed;	   /* an exit event says SIGPIPE killed the process */
	uint8_t was_reset; /* the connection had already been reset */
	uint8_t beyond;	   /* logged after the end of the capture (corr_set_end()) */
	uint64_t exit_line;
};

/* A call row, written out (callrow.c). The text: *what and *note are set
 * to where the call and its note begin in the output's buffer. */
void callrow_text(struct out *o, struct row *r, size_t *what, size_t *note);
void callrow_json(struct out *o, struct row *r);
/* Hands a call row to the output's sink, if it has one (scratch: a buffer
 * for its text, allocated on first use). */
void callrow_sink(struct out *o, struct obuf *scratch, struct row *r);
/* The row's evidence, its strings pointed at the row's own call again. */
const struct explain_evidence *callrow_ev(struct row *r);

#endif
