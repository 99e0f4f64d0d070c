/* correlate.c: tie each send() to its segments, and each failure to its cause.
 *
 * The map between the two worlds is the stream offset: a send() that returned
 * ret at offset off put bytes [off, off+ret) of the stream on the wire, and
 * those are sequence numbers ISN+1+off onward. With no SYN in the capture the
 * ISN is unknown, and a send is matched to the segments its side sent since
 * the previous send (by time), which the output says. */
#include "correlate.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corr_row.h"
#include "explain.h"

#define RECENT	       16    /* data segments remembered per side at first */
#define RECENT_MAX     4096  /* ... and at most */
#define PEND_MAX       256   /* unsettled sends per side before the oldest is forced */
#define PEND_INL       4     /* ... of them held in the connection itself */
#define QUEUE_MAX      65536 /* rows held before the oldest is forced out */
#define LOOKAHEAD_NS   ((ts_ns)60 * 1000000) /* log read ahead of the packets */
#define SCAN_BACK      4096		     /* rows searched from the tail for a back-annotation */
#define RST_PULL_NS    ((ts_ns)50 * 1000000) /* sends returning this soon after an RST */
#define PENDING_MAX_NS ((ts_ns)5 * 1000000000)	 /* a send printed unsettled after this */
#define PENDING_ZW_NS  ((ts_ns)300 * 1000000000) /* ... replaying, behind a window of 0 */
#define DTEXT_MAX      ((size_t)16 << 20) /* deferred text held before waiting rows are forced */
#define LIVE_SETTLE_NS ((ts_ns)250 * 1000000) /* live: late log lines still find their place */
/* An RST is taken to have landed when its receiver has not sent again this
 * long after it (a retransmission comes after one RTO: 200 ms at least),
 * or at once when a call on the receiving socket fails. */
#define RST_LAND_NS ((ts_ns)2 * 1000000000)

static void nl_add(struct nlist *l, uint64_t v)
{
	const uint64_t *items = nl_items(l);
	for (uint32_t i = l->n; i > 0; i--) {
		if (items[i - 1] == v)
			return;
		if (items[i - 1] < v)
			break;
	}
	if (l->n == ROW_SEGS && !l->x) {
		l->x = malloc(4 * ROW_SEGS * sizeof *l->x);
		if (!l->x)
			return;
		l->cap = 4 * ROW_SEGS;
		memcpy(l->x, l->inl, sizeof l->inl);
	} else if (l->x && l->n == l->cap) {
		uint64_t *nx = realloc(l->x, 2 * l->cap * sizeof *nx);
		if (!nx)
			return;
		l->x = nx;
		l->cap *= 2;
	}
	uint64_t *list = l->x ? l->x : l->inl;
	uint32_t i = l->n++;
	while (i > 0 && list[i - 1] > v) {
		list[i] = list[i - 1];
		i--;
	}
	list[i] = v;
}

static void nl_free(struct nlist *l)
{
	free(l->x);
	l->x = NULL;
}

struct recent_seg {
	uint64_t n;
	uint32_t a, b;	       /* stream offsets [a, b) (ISN known) */
	uint32_t seq, len;     /* as on the wire */
	uint32_t t30;	       /* its time >> 30 (about a second), for a log that does not fit */
	uint8_t retrans, used; /* used: given to a send matched by time */
	uint8_t claimed;       /* some send's bytes were in it */
};

struct cside {
	uint32_t sends;
	uint32_t calls;	   /* logged calls made from this side */
	struct row **pend; /* the sends waiting for their fate, oldest first */
	int npend, pcap;
	struct recent_seg *recent; /* a ring that grows while sends are outstanding */
	int rhead, rcount, rcap;
	uint8_t forgot;	     /* an unclaimed segment fell out of the ring */
	uint32_t forgot_end; /* ... the stream offset its bytes ended at */
	uint8_t shut_wr, econnreset;
	/* Our oldest segment not yet acknowledged (for ETIMEDOUT): its record
	 * and time, how often it was sent again, the last time; the peer's
	 * acknowledgment when it was taken (a new one clears it). */
	uint64_t unacked_n, syn_n;
	ts_ns unacked_ts, last_tx_ts;
	uint32_t retx, mark_ack;
	uint8_t mark_any;
	uint64_t off_end, off_line; /* the end of the logged sends' bytes, and its line */
	uint64_t zero_win_n; /* this side's last window was 0: that segment (the peer's data waits)
			      */
	/* The first ring and waiting list live here (no allocation for most
	 * connections); larger ones go to the heap. */
	struct row *pend_inl[PEND_INL];
	struct recent_seg recent_inl[RECENT];
};

struct cconn {
	struct conn *c;
	uint8_t reset;
	int rst_from;
	uint64_t rst_n, rst_row;
	struct row *rst_rowp; /* that row, while rst_row is its id (see rst_row_of()) */
	/* Not yet known to have landed: the sends it would lose wait. */
	uint8_t rst_held;
	ts_ns rst_ts;
	uint64_t rst_ans_n;    /* the data segment it answers (0: none, or not known) */
	uint32_t rst_ans_end;  /* ... where that segment's bytes end (stream offset) */
	uint8_t rst_ans_known; /* rst_ans_end is set */
	uint8_t rst_after_fin; /* the RST sender had sent its FIN first */
	uint8_t rst_refused;   /* it answered the other side's SYN (ack = ISN + 1) */
	struct cside side[2];  /* last: cc_get() clears up to their arrays */
};

/* The last failed send of each process, for the signal events after it. */
struct pid_slot {
	int64_t pid;
	uint64_t used;	   /* 0: free; else when last used */
	uint64_t row_id;   /* its last failed EPIPE send, while queued */
	uint64_t sig_line; /* a SIGPIPE logged before that send returned */
	ts_ns sig_ts;
	char sig_disp[12];
	uint8_t has_ep, family; /* its last socket call, for an exit by signal */
	uint8_t laddr[16], paddr[16];
	uint16_t lport, pport;
};
#define PID_SLOTS 256 /* open addressing; the least recently used goes */

struct correlator {
	struct out *out;
	struct flow_table *flows;
	struct sendlog *log;
	corr_warn_fn warn;
	void *warn_arg;
	/* The queue: row pointers in time order, as a ring. */
	struct row **q;
	size_t qcap, qhead, qlen;
	int inline_cc;	       /* the flow table holds each cconn (flow_user_area) */
	struct row *free_rows; /* a free list, threaded through row.id */
	struct row *scratch;   /* the row of calls printed at once (process_call) */
	struct row *dead;      /* settled stand-ins, freed at the next flush */
	struct obuf dtext;     /* the deferred text of ROW_TEXT rows */
	uint64_t next_id;
	ts_ns now;
	/* Log look-ahead, sorted (la_*); calls are recycled through a free list. */
	struct call **la;
	size_t la_head, la_len, la_cap;
	ts_ns la_front_ts; /* the first call's time; INT64_MAX when there is none */
	struct call *free_calls;
	ts_ns settle_ns; /* how long a row waits for late evidence */
	int log_eof;
	ts_ns log_last_ts;
	struct pid_slot pids[PID_SLOTS];
	uint64_t pid_clock;
	uint64_t unmatched, unmatched_first, bad_lines;
	int log_failed; /* no memory to read the log on: it was not all used */
	/* The end of the evidence (corr_set_end()): calls after it are marked
	 * and counted, not explained from what the capture lacks. */
	ts_ns end_ts; /* INT64_MAX: not set */
	char end_why[96];
	uint64_t beyond, beyond_first;
	/* A log that does not fit the capture: each kind said once. */
	unsigned said;		     /* FIT_* bits */
	ts_ns seg_first, seg_last;   /* the segments' times (seg_first 0: none yet) */
	ts_ns call_first, call_last; /* the calls' times (call_first 0: none yet) */
	uint64_t log_last_line;	     /* the line of log_last_ts */
	uint64_t unmatched_sends, unmatched_failed;
	/* The row sink (out_sink()): call_text() says where its parts start. */
	size_t ct_what, ct_note;
	struct obuf sinkbuf;
};

#define BACK_NS	  ((ts_ns)1000000000) /* log times going back more than this: said */
#define EARLY_T30 10		      /* bytes on the wire this long (2^30 ns) before their call */
enum { FIT_BACK = 1, FIT_OVERLAP = 2, FIT_EARLY = 4, FIT_APART = 8 };

/* Says once that the log does not fit the capture (one line for each kind). */
static void fit_warn(struct correlator *k, unsigned kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fit_warn(struct correlator *k, unsigned kind, const char *fmt, ...)
{
	if (k->said & kind || !k->warn)
		return;
	k->said |= kind;
	char msg[512];
	int n = snprintf(msg, sizeof msg, "%s: ", sendlog_path(k->log));
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
	va_end(ap);
	k->warn(msg, k->warn_arg);
}

/* ---- rows ---------------------------------------------------------------- */

/* A row (new or reused) starts here: only the common head is cleared,
 * each kind fills its own part. */
static struct row *row_start(struct correlator *k, struct row *r)
{
	r->pending = 0;
	r->ghost = 0;
	r->unsettled = 0;
	r->id = ++k->next_id;
	return r;
}

static struct row *row_alloc(struct correlator *k)
{
	struct row *r = k->free_rows;
	if (r)
		k->free_rows = *(struct row **)r;
	else if (!(r = malloc(sizeof *r)))
		return NULL;
	return row_start(k, r);
}

/* What a call row holds on the heap: its record-number lists past ROW_SEGS. */
static void row_free_lists(struct row *r)
{
	nl_free(&r->segs);
	nl_free(&r->retrans);
}

static void row_release(struct correlator *k, struct row *r)
{
	if (r->kind == ROW_CALL)
		row_free_lists(r);
	*(struct row **)r = k->free_rows;
	k->free_rows = r;
}

/* The queue's capacity is a power of two. */
static struct row **qat(struct correlator *k, size_t i)
{
	return &k->q[(k->qhead + i) & (k->qcap - 1)];
}

static int q_grow(struct correlator *k)
{
	size_t ncap = k->qcap ? k->qcap * 2 : 1024;
	struct row **nq = malloc(ncap * sizeof *nq);
	if (!nq)
		return -1;
	for (size_t i = 0; i < k->qlen; i++)
		nq[i] = *qat(k, i);
	free(k->q);
	k->q = nq;
	k->qcap = ncap;
	k->qhead = 0;
	return 0;
}

/* Rows in time order; at equal times a segment goes before a call (the
 * kernel puts the bytes on the wire before send() returns). */
static int row_before(const struct row *a, const struct row *b)
{
	if (a->ts != b->ts)
		return a->ts < b->ts;
	int a_seg = a->kind == ROW_SEG || (a->kind == ROW_TEXT && a->text_seg);
	int b_seg = b->kind == ROW_SEG || (b->kind == ROW_TEXT && b->text_seg);
	return a_seg && !b_seg;
}

static void print_row(struct correlator *k, struct row *r);
static void settle(struct correlator *k, struct row *r, uint8_t how);

/* Prints the head row now. A send still waiting for its acknowledgment is
 * printed as unsettled; a stand-in takes its place among the pending sends,
 * so the connection's summary still counts its fate. */
static void pop_head(struct correlator *k)
{
	struct row *h = *qat(k, 0);
	int waiting = h->pending && h->cc;
	if (waiting)
		h->unsettled = 1;
	print_row(k, h);
	if (waiting) {
		struct row *g = malloc(sizeof *g);
		if (g) {
			memcpy(g, h, sizeof *g);
			g->ghost = 1;
			g->unsettled = 0;
			h->segs.x = h->retrans.x = NULL; /* the stand-in owns them now */
			struct cside *cs = &h->cc->side[h->side];
			for (int i = 0; i < cs->npend; i++)
				if (cs->pend[i] == h)
					cs->pend[i] = g;
		} else {
			settle(k, h, 4);
		}
		h->pending = 0;
		h->cc = NULL;
	}
	k->qhead = (k->qhead + 1) & (k->qcap - 1);
	k->qlen--;
	row_release(k, h);
	if (k->qlen == 0)
		k->dtext.len = 0; /* nothing refers to the deferred text any more */
}

/* Drops the deferred text that no queued row refers to any more (the rows
 * before them were printed), when that is at least half of it. */
static void dtext_compact(struct correlator *k)
{
	size_t live = k->dtext.len;
	for (size_t i = 0; i < k->qlen; i++) {
		const struct row *r = *qat(k, i);
		if (r->kind == ROW_TEXT && r->text_off < live)
			live = r->text_off;
	}
	if (live == 0 || live < k->dtext.len / 2)
		return; /* nothing, or too little, to drop */
	memmove(k->dtext.p, k->dtext.p + live, k->dtext.len - live);
	k->dtext.len -= live;
	for (size_t i = 0; i < k->qlen; i++) {
		struct row *r = *qat(k, i);
		if (r->kind == ROW_TEXT)
			r->text_off -= live;
	}
}

/* Room for one more line in the deferred text; 0, or -1 without memory. */
static int dtext_room(struct correlator *k)
{
	if (k->dtext.cap - k->dtext.len >= 8192)
		return 0;
	dtext_compact(k);
	if (k->dtext.cap - k->dtext.len >= 8192)
		return 0;
	size_t ncap = k->dtext.cap ? k->dtext.cap * 2 : (size_t)1 << 20;
	char *np = realloc(k->dtext.p, ncap);
	if (!np)
		return -1;
	k->dtext.p = np;
	k->dtext.cap = ncap;
	return 0;
}

static void q_push(struct correlator *k, struct row *r);

/* The bytes the deferred text gained since start, as a row: appended to the
 * last row when that one is text too and ends where these begin. */
static void push_text(struct correlator *k, size_t start, ts_ns ts, int is_seg)
{
	size_t n = k->dtext.len - start;
	struct row *t = k->qlen ? *qat(k, k->qlen - 1) : NULL;
	if (t && t->kind == ROW_TEXT && t->text_off + t->text_len == start && ts >= t->ts_last) {
		t->text_len += n;
		t->ts_last = ts;
		return;
	}
	struct row *r = row_alloc(k);
	if (!r) {
		k->dtext.len = start; /* dropped; better than out of order */
		return;
	}
	r->kind = ROW_TEXT;
	r->text_seg = (uint8_t)is_seg;
	r->ts = r->ts_last = ts;
	r->text_off = start;
	r->text_len = n;
	q_push(k, r);
}

static void q_push(struct correlator *k, struct row *r)
{
	if (k->qlen == QUEUE_MAX)
		pop_head(k);
	if (k->qlen == k->qcap && q_grow(k) != 0) {
		print_row(k, r); /* no memory to queue it: print it as it is */
		row_release(k, r);
		return;
	}
	size_t i = k->qlen++;
	*qat(k, i) = r;
	while (i > 0 && row_before(r, *qat(k, i - 1))) {
		*qat(k, i) = *qat(k, i - 1);
		*qat(k, i - 1) = r;
		i--;
	}
}

static struct row *q_find(struct correlator *k, uint64_t id)
{
	if (!id)
		return NULL;
	for (size_t i = k->qlen, seen = 0; i > 0 && seen < SCAN_BACK; i--, seen++) {
		struct row *r = *qat(k, i - 1);
		if (r->id == id)
			return r;
	}
	return NULL;
}

/* ---- per-connection state ------------------------------------------------- */

static struct cconn *cc_get(struct correlator *k, struct conn *c)
{
	if (!c->user) {
		/* In the connection's own memory when the table made room for
		 * it (corr_new() asks), else on the heap. */
		struct cconn *cc = k->inline_cc ? flow_user_area(c) : malloc(sizeof *cc);
		if (!cc)
			return NULL;
		/* Cleared but for the sides' inline arrays: an entry is
		 * written before it is read (1 KB a connection saved). */
		memset(cc, 0, offsetof(struct cconn, side));
		for (int s = 0; s < 2; s++) {
			struct cside *cs = &cc->side[s];
			memset(cs, 0, offsetof(struct cside, pend_inl));
			cs->pend = cs->pend_inl;
			cs->pcap = PEND_INL;
			cs->recent = cs->recent_inl;
			cs->rcap = RECENT;
		}
		cc->c = c;
		cc->rst_from = -1;
		c->user = cc;
	}
	return c->user;
}

/* Stream offset of a sequence number on side s; 0 if the ISN is unknown. */
static int stream_off(const struct conn *c, int s, uint32_t seq, uint32_t *off)
{
	if (!c->side[s].isn_known)
		return 0;
	*off = seq - (c->side[s].isn + 1);
	return 1;
}

static int overlaps(uint32_t a1, uint32_t l1, uint32_t a2, uint32_t l2)
{
	return (int32_t)(a2 - a1) < (int32_t)l1 && (int32_t)(a1 - a2) < (int32_t)l2 && l1 && l2;
}

static void add_seg(struct row *r, uint64_t n, int retrans)
{
	nl_add(retrans ? &r->retrans : &r->segs, n);
}

/* Bytes of this send that the other side has acknowledged. */
static uint64_t acked_of(const struct conn *c, int s, const struct row *r)
{
	const struct flow_side *fs = &c->side[s];
	if (!fs->acked_any)
		return r->acked;
	if (!fs->isn_known) {
		/* No SYN: the segments matched by time tell the sequence range. */
		if (!r->has_seq || !seq_after(fs->acked, r->seq_lo))
			return r->acked;
		uint32_t d = fs->acked - r->seq_lo;
		return d >= r->seq_hi - r->seq_lo ? (uint64_t)r->call.ret : d;
	}
	uint32_t a = fs->acked - (fs->isn + 1);
	uint32_t off = (uint32_t)r->call.off;
	int32_t d = (int32_t)(a - off);
	if (d <= 0)
		return 0;
	return (uint64_t)d > (uint64_t)r->call.ret ? (uint64_t)r->call.ret : (uint64_t)d;
}

static void pend_remove(struct cside *cs, struct row *r)
{
	for (int i = 0; i < cs->npend; i++)
		if (cs->pend[i] == r) {
			memmove(cs->pend + i, cs->pend + i + 1,
				(size_t)(cs->npend - i - 1) * sizeof *cs->pend);
			cs->npend--;
			return;
		}
}

/* Room for more waiting sends (the array starts with PEND_INL in the
 * connection: most sides have one or two at a time). Returns 0, or -1
 * without memory. */
static int pend_grow(struct cside *cs)
{
	int ncap = cs->pcap * 2;
	if (ncap > PEND_MAX)
		ncap = PEND_MAX;
	struct row **np = malloc((size_t)ncap * sizeof *np);
	if (!np)
		return -1;
	memcpy(np, cs->pend, (size_t)cs->npend * sizeof *np);
	if (cs->pend != cs->pend_inl)
		free(cs->pend);
	cs->pend = np;
	cs->pcap = ncap;
	return 0;
}

/* A send's fate is known: count it in its connection's summary. */
static void settle(struct correlator *k, struct row *r, uint8_t how)
{
	if (!r->pending)
		return;
	r->pending = 0;
	r->settled_how = how;
	struct cconn *cc = r->cc;
	if (cc) {
		if (how != 4 && how != 3)
			r->acked = acked_of(cc->c, r->side, r);
		else if (cc->c)
			r->acked = acked_of(cc->c, r->side, r);
		if (how == 1 || how == 2)
			r->lost = (uint64_t)r->call.ret - r->acked;
		if (how == 3 && (cc->reset || cc->c->closed))
			r->lost = (uint64_t)r->call.ret - r->acked;
		cc->c->calls.bytes_acked += r->acked;
		cc->c->calls.bytes_lost += r->lost;
		if (r->acked >= (uint64_t)r->call.ret)
			r->zero_win_n = 0; /* it waited, but got through */
		pend_remove(&cc->side[r->side], r);
	}
	r->cc = NULL;
	if (r->ghost == 1) {
		r->ghost = 2;
		*(struct row **)r = k->dead;
		k->dead = r;
	}
}

/* The row of the connection's first RST while it is queued, else NULL. Row
 * memory is only reused for rows (never freed before corr_free()), and a
 * row that was printed has another id then, or none. */
static struct row *rst_row_of(const struct cconn *cc)
{
	struct row *r = cc->rst_rowp;
	return r && cc->rst_row && r->id == cc->rst_row && r->kind == ROW_SEG ? r : NULL;
}

/* The connection's first RST has landed (a call on the receiving socket
 * failed, or its receiver stayed silent RST_LAND_NS, or the connection
 * ended): the sends it caught are lost with it. A send of the receiver's
 * whose bytes come after the data the RST answers was made while the RST
 * was already on its way. */
static void rst_confirm(struct correlator *k, struct cconn *cc)
{
	if (!cc->rst_held)
		return;
	cc->rst_held = 0;
	struct row *rr = rst_row_of(cc);
	if (rr) {
		rr->rst_hold = 0;
		rr->cc = NULL;
	}
	int rcv = 1 - cc->rst_from;
	for (int side = 0; side < 2; side++) {
		struct cside *ps = &cc->side[side];
		while (ps->npend) {
			struct row *p = ps->pend[0];
			if (side == rcv && cc->rst_ans_n && p->call.off >= 0) {
				int later =
					cc->rst_ans_known
						? !seq_after(cc->rst_ans_end, (uint32_t)p->call.off)
						: p->segs.n &&
							  nl_items(&p->segs)[0] > cc->rst_ans_n;
				if (later)
					p->in_flight = cc->rst_ans_n;
			}
			p->settle_n = cc->rst_n;
			settle(k, p, 1);
		}
	}
}

/* The connection's first RST did not land (record n shows it; outside:
 * RFC 5961's challenge ACK; flow.c keeps the fact in the conn): it loses nothing,
 * its row says so, and the next RST is the one that may count. */
static void rst_unland(struct cconn *cc, uint64_t n, int outside)
{
	struct row *rr = rst_row_of(cc);
	if (rr) {
		rr->rst_hold = 0;
		rr->cc = NULL;
		rr->n_lost = 0;
		rr->lost_bytes = 0;
		rr->unlanded_by = n;
		rr->unlanded_outside = (uint8_t)outside;
		rr->info.note_bytes = 0;
	}
	cc->reset = 0;
	cc->rst_from = -1;
	cc->rst_held = 0;
	cc->rst_row = 0;
	for (int side = 0; side < 2; side++)
		for (int i = 0; i < cc->side[side].npend; i++)
			cc->side[side].pend[i]->settle_n = 0;
}

/* ---- rendering ----------------------------------------------------------- */

static void print_row(struct correlator *k, struct row *r)
{
	if (r->kind == ROW_TEXT) {
		out_raw(k->out, k->dtext.p + r->text_off, r->text_len);
		return;
	}
	if (r->kind == ROW_SEG) {
		struct seg_extra x = { r->n_lost,      r->lost_lines,	    r->lost_sends,
				       r->unlanded_by, r->unlanded_outside, r->lost_bytes };
		r->info.conn = &r->conn;
		out_segment_x(k->out, r->n, r->ts, &r->kseg.seg, &r->info,
			      r->n_lost || r->unlanded_by ? &x : NULL);
		return;
	}
	callrow_sink(k->out, &k->sinkbuf, r);
	out_reserve(k->out, 8192);
	if (out_options(k->out)->json)
		callrow_json(k->out, r);
	else
		callrow_text(k->out, r, &k->ct_what, &k->ct_note);
	out_event_done(k->out);
}

/* ---- calls ---------------------------------------------------------------- */

static struct pid_slot *pid_slot(struct correlator *k, int64_t pid)
{
	/* Linear probing over a few places; a new process takes an empty one,
	 * or the one used least recently. */
	size_t h = (size_t)((uint64_t)pid * 0x9e3779b97f4a7c15u >> 56) % PID_SLOTS;
	struct pid_slot *victim = NULL;
	for (int i = 0; i < 16; i++) {
		struct pid_slot *s = &k->pids[(h + (size_t)i) % PID_SLOTS];
		if (s->used && s->pid == pid) {
			s->used = ++k->pid_clock;
			return s;
		}
		if (!s->used) {
			if (!victim || victim->used)
				victim = s;
		} else if (!victim || (victim->used && s->used < victim->used)) {
			victim = s;
		}
	}
	memset(victim, 0, sizeof *victim);
	victim->pid = pid;
	victim->used = ++k->pid_clock;
	return victim;
}

/* The evidence for one call, from what its connection showed so far. */
static void gather_evidence(struct row *r, const struct cconn *cc)
{
	const struct call *c = &r->call;
	struct explain_evidence *ev = &r->ev;
	int s = r->side;
	memset(ev, 0, sizeof *ev);
	ev->kind = c->event == EV_SEND	    ? EXPLAIN_SEND
		   : c->event == EV_RECV    ? EXPLAIN_RECV
		   : c->event == EV_CONNECT ? EXPLAIN_CONNECT
					    : EXPLAIN_OTHER;
	ev->ret = c->ret;
	if (c->event == EV_EXIT) { /* killed inside a send() that never returned */
		ev->kind = EXPLAIN_SEND;
		ev->ret = -1;
	}
	callrow_ev(r);
	if (!cc || s < 0)
		return;
	const struct conn *conn = cc->c;
	const struct cside *cs = &cc->side[s];
	if (cc->reset && cc->rst_from == 1 - s) {
		ev->rst_n = cc->rst_n;
		ev->rst_after_fin = cc->rst_after_fin;
		ev->rst_answers_syn = cc->rst_refused;
	}
	if (conn->rst_missed_n && conn->rst_missed_to == s) {
		ev->rst_missed_n = conn->rst_missed_n;
		ev->rst_missed = conn->rst_missed_outside ? RST_MISS_OUTSIDE : RST_MISS_DROPPED;
	}
	ev->peer_fin_n = conn->side[1 - s].fin_n;
	ev->econnreset_before = cs->econnreset;
	ev->shut_wr = cs->shut_wr || conn->side[s].fin_n;
	ev->unacked_n = cs->unacked_n;
	ev->retrans = cs->retx;
	ev->unacked_span = cs->unacked_n ? cs->last_tx_ts - cs->unacked_ts : 0;
}

static void explain_failure(struct correlator *k, struct row *r, struct cconn *cc)
{
	const struct call *c = &r->call;
	int s = r->side;
	int epipe = !strcmp(c->err, "EPIPE"), reset = !strcmp(c->err, "ECONNRESET");
	gather_evidence(r, cc);
	explain_call(&r->ev, &r->x);
	if (r->x.cause == CAUSE_NONBLOCK)
		return;
	if (cc && reset)
		cc->side[s].econnreset = 1;
	if (c->event == EV_SEND && epipe && !c->nosignal) {
		struct pid_slot *ps = pid_slot(k, c->pid);
		r->sigpipe = 1;
		ps->row_id = r->id;
		/* A handler (or the writer, for SIG_IGN) logs the signal before
		 * send() returns: claim it. */
		if (ps->sig_line && c->ts - ps->sig_ts < (ts_ns)1000000000) {
			r->sig_line = ps->sig_line;
			snprintf(r->disposition, sizeof r->disposition, "%s", ps->sig_disp);
			ps->sig_line = 0;
		}
	}
}

/* A process killed by SIGPIPE never logs the send() it died in: explain the
 * exit from the last connection it used. */
static void explain_exit(struct correlator *k, struct row *r, struct pid_slot *ps)
{
	if (!ps->has_ep)
		return;
	int dir = 0;
	struct conn *conn =
		flow_lookup(k->flows, ps->family, ps->laddr, ps->lport, ps->paddr, ps->pport, &dir);
	if (!conn)
		return;
	struct cconn *cc = cc_get(k, conn);
	r->conn_id = conn->id;
	r->side = dir;
	snprintf(r->call.err, sizeof r->call.err, "EPIPE");
	explain_failure(k, r, cc);
	r->call.err[0] = '\0';
	r->killed = 1;
	r->sigpipe = 1;
	snprintf(r->disposition, sizeof r->disposition, "default");
}

/* A connect() that failed leaves its socket without a local address (the
 * writer logs 0.0.0.0:PORT): the port is still the SYN's. The source address is then taken to be
 * the peer's (true on loopback, where the demos run). */
static int unspecified(const struct call *c)
{
	static const uint8_t zero[16];
	return !memcmp(c->laddr, zero, c->family == 4 ? 4 : 16);
}

/* The kernel says a socket took an RST (tcp_receive_reset): the RST held on
 * that connection landed. It makes no row: the capture has the RST. */
static void kernel_rst(struct correlator *k, const struct call *c)
{
	if (!c->has_ep)
		return;
	int dir = 0;
	struct conn *conn = flow_lookup_h(k->flows, c->hash, c->family, c->laddr, c->lport,
					  c->paddr, c->pport, &dir);
	struct cconn *cc = conn ? conn->user : NULL;
	if (cc && cc->rst_held && dir == 1 - cc->rst_from)
		rst_confirm(k, cc);
}

/* The captured connection a call is on (NULL: none), and its side; the
 * unmatched ones are counted. The kernel's seq, where given, sets the call's
 * stream offset. A failing call on the socket a held RST went to says that
 * RST landed. */
static struct conn *call_conn(struct correlator *k, struct row *r, struct cconn **ccp)
{
	const struct call *c = &r->call;
	struct cconn *cc = NULL;
	struct conn *conn = NULL;
	if (c->has_ep) {
		int dir = 0;
		conn = flow_lookup_h(k->flows, c->hash, c->family, c->laddr, c->lport, c->paddr,
				     c->pport, &dir);
		if (!conn && unspecified(c) && c->event == EV_CONNECT && c->ret == -1)
			conn = flow_lookup(k->flows, c->family, c->paddr, c->lport, c->paddr,
					   c->pport, &dir);
		if (conn) {
			r->conn_id = conn->id;
			r->side = dir; /* our local endpoint is the side that sends "from" it */
			conn->calls.calls++;
			cc = cc_get(k, conn);
			if (cc) {
				r->was_reset = cc->reset;
				cc->side[dir].calls++;
				/* The socket the RST went to reports an error: it landed. */
				if (cc->rst_held && dir == 1 - cc->rst_from && c->ret == -1 &&
				    (!strcmp(c->err, "EPIPE") || !strcmp(c->err, "ECONNRESET") ||
				     !strcmp(c->err, "ENOTCONN")))
					rst_confirm(k, cc);
			}
			r->fin_n = conn->side[1 - dir].fin_n; /* the peer's FIN, if already seen */
			if (c->has_seq && (c->event == EV_SEND || c->event == EV_RECV)) {
				/* The kernel said where the call's bytes are: that
				 * wins over a counted offset. A receive's bytes are
				 * the peer's stream. */
				const struct flow_side *fs =
					&conn->side[c->event == EV_SEND ? dir : 1 - dir];
				if (fs->isn_known)
					r->call.off = (int64_t)(uint32_t)(c->seq - (fs->isn + 1));
			}
		} else if (!r->beyond) {
			if (!k->unmatched++)
				k->unmatched_first = c->line;
			if (c->event == EV_SEND) {
				k->unmatched_sends++;
				if (c->ret < 0)
					k->unmatched_failed++;
			}
		}
	}
	*ccp = cc;
	return conn;
}

/* A send that succeeded, on a captured connection: the segments already
 * seen that carried its bytes, then its fate: acknowledged already, lost
 * with an RST, or waiting among the side's pending sends. */
static void send_taken(struct correlator *k, struct row *r, struct cconn *cc, struct conn *conn)
{
	const struct call *c = &r->call;
	struct cside *cs = &cc->side[r->side];
	conn->calls.bytes_sent_ok += (uint64_t)c->ret;
	if (c->off >= 0 && c->ret > 0) {
		if ((uint64_t)c->off < cs->off_end)
			fit_warn(k, FIT_OVERLAP,
				 "line %llu: this send's bytes (offset %lld) were "
				 "already sent on this socket (up to offset %llu, "
				 "line "
				 "%llu): is the log appended twice, or from two "
				 "runs?",
				 (unsigned long long)c->line, (long long)c->off,
				 (unsigned long long)cs->off_end, (unsigned long long)cs->off_line);
		if ((uint64_t)c->off + (uint64_t)c->ret > cs->off_end) {
			cs->off_end = (uint64_t)c->off + (uint64_t)c->ret;
			cs->off_line = c->line;
		}
	}
	uint32_t call_t30 = (uint32_t)((c->ts_enter ? c->ts_enter : c->ts) >> 30);
	/* The segments that carried it, already seen. */
	int have_isn = conn->side[r->side].isn_known;
	if (!have_isn && c->has_seq && c->ret > 0) {
		r->by_kseq = r->has_seq = 1;
		r->seq_lo = c->seq;
		r->seq_hi = c->seq + (uint32_t)c->ret;
	}
	for (int i = cs->rcount - 1; i >= 0; i--) { /* oldest first */
		struct recent_seg *g = &cs->recent[(cs->rhead + cs->rcap - 1 - i) % cs->rcap];
		if (r->by_kseq) {
			if (overlaps(c->seq, (uint32_t)c->ret, g->seq, g->len)) {
				add_seg(r, g->n, g->retrans);
				g->claimed = 1;
			}
		} else if (have_isn) {
			if (overlaps((uint32_t)c->off, (uint32_t)c->ret, g->a, g->b - g->a)) {
				add_seg(r, g->n, g->retrans);
				g->claimed = 1;
				if ((int32_t)(call_t30 - g->t30) > EARLY_T30)
					fit_warn(k, FIT_EARLY,
						 "line %llu: the bytes of this send "
						 "were "
						 "on the wire about %d s before the "
						 "call "
						 "(record %llu): is the log's clock "
						 "or "
						 "\"ts\" off?",
						 (unsigned long long)c->line,
						 (int)((int64_t)(call_t30 - g->t30) * 1074 / 1000),
						 (unsigned long long)g->n);
			}
		} else if (!g->used) {
			g->used = g->claimed = 1;
			add_seg(r, g->n, g->retrans);
			r->by_time = 1;
			if (!g->retrans) {
				if (!r->has_seq || seq_after(r->seq_lo, g->seq))
					r->seq_lo = g->seq;
				if (!r->has_seq || seq_after(g->seq + g->len, r->seq_hi))
					r->seq_hi = g->seq + g->len;
				r->has_seq = 1;
			}
		}
	}
	if (!have_isn && !r->by_kseq)
		r->by_time = 1;
	else if (cs->forgot && seq_after(cs->forgot_end, (uint32_t)c->off))
		r->segs_incomplete = 1;
	/* A call can return late (the process was not running): what
	 * counts is whether its bytes left after the peer's FIN. */
	if (r->fin_n && r->segs.n && nl_items(&r->segs)[0] < r->fin_n)
		r->fin_n = 0;
	r->acked = acked_of(conn, r->side, r);
	r->pending = 1;
	r->cc = cc;
	if (r->acked >= (uint64_t)c->ret && (have_isn || r->has_seq)) {
		settle(k, r, 0);
	} else {
		if (cc->reset) {
			/* The RST came in before this call returned (it usually
			 * does on loopback): its bytes are lost with it, at once
			 * if it has landed, else once it is known to have. Its
			 * row, if it still waits, names this send. */
			r->settle_n = cc->rst_n;
			struct row *rst = rst_row_of(cc);
			if (rst && rst->n_lost < ROW_LOST && r->acked < (uint64_t)c->ret) {
				rst->lost_bytes += (uint64_t)c->ret - r->acked;
				rst->lost_lines[rst->n_lost] = c->line;
				rst->lost_sends[rst->n_lost++] = r->send_no;
			}
			if (!cc->rst_held) {
				settle(k, r, 1);
				return;
			}
		}
		/* Full (and no memory for more): the oldest is forced. */
		if (cs->npend == PEND_MAX || (cs->npend == cs->pcap && pend_grow(cs) != 0))
			settle(k, cs->pend[0], 4);
		cs->pend[cs->npend++] = r;
		/* Sent while the peer's window is 0: it waits behind it. */
		r->zero_win_n = cc->side[1 - r->side].zero_win_n;
	}
}

/* A SIGPIPE signal or exit event: the failed send it belongs to (the
 * process's last EPIPE send, while queued) takes it. */
static void claim_signal(struct correlator *k, struct row *r)
{
	const struct call *c = &r->call;
	struct pid_slot *ps = pid_slot(k, c->pid);
	struct row *f = q_find(k, ps->row_id);
	if (c->event == EV_SIGNAL) {
		if (strcmp(c->sig, "SIGPIPE") != 0)
			return;
		if (f && !f->sig_line) {
			f->sig_line = c->line;
			snprintf(f->disposition, sizeof f->disposition, "%s", c->disposition);
			r->conn_id = f->conn_id;
			r->side = f->side;
		} else {
			ps->sig_line = c->line;
			ps->sig_ts = c->ts;
			snprintf(ps->sig_disp, sizeof ps->sig_disp, "%s", c->disposition);
		}
		return;
	}
	if (strcmp(c->exit_sig, "SIGPIPE") != 0)
		return;
	if (f) {
		f->killed = 1;
		f->exit_line = c->line;
		snprintf(f->disposition, sizeof f->disposition, "default");
		r->conn_id = f->conn_id;
		r->side = f->side;
	} else {
		explain_exit(k, r, ps);
	}
}

/* A call's row: printed now when it is final and nothing earlier waits,
 * kept as text when earlier rows wait (replaying), else queued. */
static void call_row_out(struct correlator *k, struct row *r)
{
	/* Final already (not a send waiting for its fate, not a failed send a
	 * later signal line may still claim) and nothing earlier waits: print
	 * it now instead of queueing it. */
	const struct call *c = &r->call;
	if (k->settle_ns == 0 && !r->pending && !(c->ret == -1 && c->event == EV_SEND)) {
		if (k->qlen == 0) {
			print_row(k, r);
			row_free_lists(r);
			return;
		}
		if (dtext_room(k) == 0) {
			/* Final, but rows before it wait: keep it as text. */
			callrow_sink(k->out, &k->sinkbuf, r);
			size_t start = k->dtext.len;
			out_swap_buf(k->out, &k->dtext);
			if (out_options(k->out)->json)
				callrow_json(k->out, r);
			else
				callrow_text(k->out, r, &k->ct_what, &k->ct_note);
			out_swap_buf(k->out, &k->dtext);
			ts_ns ts = r->ts;
			row_free_lists(r);
			push_text(k, start, ts, 0);
			return;
		}
	}
	k->scratch = NULL;
	q_push(k, r);
}

static void process_call(struct correlator *k, const struct call *c)
{
	if (EV_IS_KERNEL(c->event)) {
		kernel_rst(k, c);
		return;
	}
	/* The same row (warm in the cache) serves every call that is printed
	 * at once; one that must wait keeps it, and the next call takes another. */
	struct row *r = k->scratch ? row_start(k, k->scratch) : row_alloc(k);
	if (!r)
		return;
	k->scratch = r;
	/* The call's own part of the row is cleared; the call is copied in. */
	memset(&r->cc, 0, sizeof *r - offsetof(struct row, cc));
	r->kind = ROW_CALL;
	r->ts = c->ts;
	r->call = *c;
	c = &r->call; /* what follows may correct the copy (off from the kernel's seq) */
	r->side = -1;
	if (c->ts > k->end_ts) {
		r->beyond = 1;
		if (!k->beyond++)
			k->beyond_first = c->line;
	}
	struct cconn *cc = NULL;
	struct conn *conn = call_conn(k, r, &cc);
	if (c->has_ep) {
		struct pid_slot *ps = pid_slot(k, c->pid);
		ps->has_ep = 1;
		ps->family = c->family;
		memcpy(ps->laddr, c->laddr, 16);
		memcpy(ps->paddr, c->paddr, 16);
		ps->lport = c->lport;
		ps->pport = c->pport;
	}
	/* Every failed socket call is explained, and a recv() that returns 0. */
	if ((c->ret == -1 && c->event != EV_SIGNAL && c->event != EV_EXIT && c->event != EV_SEND &&
	     c->event != EV_RECV && !EV_IS_KERNEL(c->event)) ||
	    (c->event == EV_RECV && c->ret == 0))
		explain_failure(k, r, cc);
	switch (c->event) {
	case EV_SEND:
		if (cc) {
			struct cside *cs = &cc->side[r->side];
			r->send_no = ++cs->sends;
			conn->calls.sends++;
		}
		if (c->ret < 0) {
			if (conn)
				conn->calls.sends_failed++;
			explain_failure(k, r, cc);
			break;
		}
		if (!cc)
			break;
		send_taken(k, r, cc, conn);
		break;
	case EV_RECV:
		if (c->ret < 0)
			explain_failure(k, r, cc);
		break;
	case EV_SHUTDOWN:
		if (cc && c->ret == 0 && (strstr(c->how, "WR") || !c->how[0]))
			cc->side[r->side].shut_wr = 1;
		break;
	case EV_SIGNAL:
	case EV_EXIT: claim_signal(k, r); break;
	default: break;
	}
	call_row_out(k, r);
}

/* ---- the log look-ahead order ---------------------------------------------- */

static int call_before(const struct call *a, const struct call *b);
static int call_before(const struct call *a, const struct call *b)
{
	return a->ts != b->ts ? a->ts < b->ts : a->line < b->line;
}

static struct call *call_alloc(struct correlator *k)
{
	struct call *c = k->free_calls;
	if (c) {
		k->free_calls = *(struct call **)c;
		return c;
	}
	return malloc(sizeof *c);
}

static void call_release(struct correlator *k, struct call *c)
{
	*(struct call **)c = k->free_calls;
	k->free_calls = c;
}

/* The look-ahead: calls read from the log, kept sorted by (ts, line) in a
 * ring (its capacity a power of two). Lines come nearly in order (each is
 * written as its call returns), so a new one is placed by moving it back past
 * the few later ones. */
static struct call **la_at(struct correlator *k, size_t i)
{
	return &k->la[(k->la_head + i) & (k->la_cap - 1)];
}

/* Notes the first call's time (checked on every packet; the call itself was
 * read long ago and is no longer in the cache) and fetches the call. */
static void la_front(struct correlator *k)
{
	if (!k->la_len) {
		k->la_front_ts = INT64_MAX;
		return;
	}
	const struct call *c = *la_at(k, 0);
	k->la_front_ts = c->ts;
	for (size_t i = 0; i < sizeof *c; i += 64)
		__builtin_prefetch((const char *)c + i);
	if (c->has_ep)
		flow_prefetch(k->flows, c->hash, 1);
}

static void log_fail(struct correlator *k, const char *msg);

static void la_push(struct correlator *k, struct call *c)
{
	if (k->la_len == k->la_cap) {
		size_t ncap = k->la_cap ? k->la_cap * 2 : 256;
		struct call **n = malloc(ncap * sizeof *n);
		if (!n) {
			char msg[512];
			snprintf(msg, sizeof msg,
				 "%s: line %llu: out of memory for the calls read ahead",
				 sendlog_path(k->log), (unsigned long long)c->line);
			call_release(k, c);
			log_fail(k, msg);
			return;
		}
		for (size_t i = 0; i < k->la_len; i++)
			n[i] = *la_at(k, i);
		free(k->la);
		k->la = n;
		k->la_cap = ncap;
		k->la_head = 0;
	}
	size_t i = k->la_len++;
	while (i > 0 && call_before(c, *la_at(k, i - 1))) {
		*la_at(k, i) = *la_at(k, i - 1);
		i--;
	}
	*la_at(k, i) = c;
	if (i == 0)
		la_front(k);
}

static struct call *la_pop(struct correlator *k)
{
	struct call *c = *la_at(k, 0);
	k->la_head = (k->la_head + 1) & (k->la_cap - 1);
	k->la_len--;
	la_front(k);
	return c;
}

/* Removes entry i, keeping the order. */
static void la_remove(struct correlator *k, size_t i)
{
	int front = i == 0;
	for (; i + 1 < k->la_len; i++)
		*la_at(k, i) = *la_at(k, i + 1);
	k->la_len--;
	if (front)
		la_front(k);
}

/* No memory to read the log on: said, and the rest of it is not read (an
 * error at the end, never a log that silently ended early). */
static void log_fail(struct correlator *k, const char *msg)
{
	k->log_failed = 1;
	k->log_eof = 1;
	if (k->warn)
		k->warn(msg, k->warn_arg);
}

/* Reads log lines until one is later than until (or the log ends for now). */
static void read_log(struct correlator *k, ts_ns until)
{
	if (!k->log || k->log_failed)
		return;
	while (k->log_last_ts <= until) {
		struct call *c = call_alloc(k);
		char err[512];
		if (!c) {
			snprintf(err, sizeof err, "%s: out of memory for the calls read ahead",
				 sendlog_path(k->log));
			log_fail(k, err);
			return;
		}
		int r = sendlog_next(k->log, c, err, sizeof err);
		if (r <= 0)
			call_release(k, c);
		if (r == 0) {
			k->log_eof = 1;
			return;
		}
		if (r == -2) {
			log_fail(k, err);
			return;
		}
		if (r == SENDLOG_NOTICE) {
			if (k->warn)
				k->warn(err, k->warn_arg);
			continue;
		}
		if (r < 0) {
			/* The first CORR_WARN_MAX by number, then only counted. */
			if (++k->bad_lines <= CORR_WARN_MAX) {
				if (k->warn)
					k->warn(err, k->warn_arg);
			} else if (k->bad_lines == CORR_WARN_MAX + 1 && k->warn) {
				snprintf(err, sizeof err,
					 "%s: more malformed lines follow; only their count is "
					 "reported, at the end",
					 sendlog_path(k->log));
				k->warn(err, k->warn_arg);
			}
			continue;
		}
		k->log_eof = 0;
		if (c->ts > k->log_last_ts) {
			k->log_last_ts = c->ts;
			k->log_last_line = c->line;
		} else if (c->ts < k->log_last_ts - BACK_NS) {
			ts_ns d = k->log_last_ts - c->ts;
			fit_warn(k, FIT_BACK,
				 "line %llu: the log's time goes back %lld.%03lld s (line %llu is "
				 "later): is it appended twice, or from two runs?",
				 (unsigned long long)c->line, (long long)(d / 1000000000),
				 (long long)(d % 1000000000 / 1000000),
				 (unsigned long long)k->log_last_line);
		}
		if (!k->call_first || c->ts < k->call_first)
			k->call_first = c->ts;
		if (c->ts > k->call_last)
			k->call_last = c->ts;
		if (EV_IS_KERNEL(c->event) && c->event != EV_RST_RECV) {
			/* The wire's side, as the kernel saw it: kept in the log
			 * for the record; the rows come from the capture. An
			 * RST taken by a socket is used (kernel_rst()). */
			call_release(k, c);
			continue;
		}
		la_push(k, c);
	}
}

/* ---- the public side -------------------------------------------------------- */

struct correlator *corr_new(struct out *o, struct flow_table *flows, struct sendlog *log, int live,
			    corr_warn_fn warn, void *warn_arg)
{
	struct correlator *k = calloc(1, sizeof *k);
	if (!k)
		return NULL;
	k->out = o;
	k->flows = flows;
	k->log = log;
	k->warn = warn;
	k->warn_arg = warn_arg;
	k->log_last_ts = INT64_MIN;
	k->now = INT64_MIN;
	k->end_ts = INT64_MAX;
	k->inline_cc = flow_table_set_user_size(flows, sizeof(struct cconn)) == 0;
	k->la_front_ts = INT64_MAX;
	/* Replaying, calls are merged in time order from the log read ahead, so
	 * a row is final at once; live, a log line can be read after later
	 * packets, so rows wait a little. */
	k->settle_ns = live ? LIVE_SETTLE_NS : 0;
	return k;
}

/* The settled stand-ins (settle() puts them on k->dead). */
static void free_dead(struct correlator *k)
{
	while (k->dead) {
		struct row *d = k->dead;
		k->dead = *(struct row **)d;
		row_free_lists(d);
		free(d);
	}
}

/* How long a send waits for its fate before it is printed unsettled. Behind
 * a window of 0 the wait is the peer's program, not the network: replaying,
 * such a send waits longer (the queue's memory is bounded all the same). */
static ts_ns pending_max(const struct correlator *k, const struct row *h)
{
	if (k->settle_ns == 0 && h->zero_win_n)
		return PENDING_ZW_NS;
	return PENDING_MAX_NS;
}

void corr_flush(struct correlator *k, ts_ns now)
{
	if (now > k->now)
		k->now = now;
	free_dead(k);
	while (k->qlen) {
		struct row *h = *qat(k, 0);
		if (h->ts > k->now - k->settle_ns)
			break;
		/* A first RST, and the sends it would lose, wait to know whether
		 * it landed (a retransmission after it says it did not). */
		if (h->pending) {
			struct cconn *cc = h->cc;
			if (cc && cc->rst_held) {
				if (k->now - cc->rst_ts < RST_LAND_NS && k->dtext.len < DTEXT_MAX)
					break;
				rst_confirm(k, cc); /* settles h too */
			} else if (cc && (cc->c->closed || cc->reset)) {
				settle(k, h, 2);
			} else if (k->dtext.len < DTEXT_MAX &&
				   (h->ts > k->now - PENDING_MAX_NS ||
				    h->ts > k->now - pending_max(k, h))) {
				break; /* wait for its acknowledgment */
			}
		} else if (h->rst_hold && h->kind == ROW_SEG) {
			if (k->now - h->cc->rst_ts < RST_LAND_NS && k->dtext.len < DTEXT_MAX)
				break;
			rst_confirm(k, h->cc);
			h->rst_hold = 0;
		}
		pop_head(k);
	}
}

void corr_advance(struct correlator *k, ts_ns now)
{
	read_log(k, now + LOOKAHEAD_NS);
	while (k->la_front_ts < now) {
		struct call *c = la_pop(k);
		process_call(k, c);
		call_release(k, c);
	}
	corr_flush(k, now);
}

/* Makes room for one more remembered segment: on a side whose calls are
 * logged, the ring (RECENT in the connection at first) doubles while it is
 * full of segments no send has claimed yet (a large send() still on its way
 * back), up to RECENT_MAX. Without memory the oldest is overwritten. */
static void recent_room(struct cside *cs)
{
	if (cs->rcount == cs->rcap && cs->rcap < RECENT_MAX && cs->calls &&
	    !cs->recent[cs->rhead].claimed) {
		int ncap = cs->rcap * 2;
		struct recent_seg *nr = malloc((size_t)ncap * sizeof *nr);
		if (!nr)
			return;
		/* Unroll the ring, oldest first. */
		for (int i = 0; i < cs->rcount; i++)
			nr[i] = cs->recent[(cs->rhead + cs->rcap - cs->rcount + i) % cs->rcap];
		if (cs->recent != cs->recent_inl)
			free(cs->recent);
		cs->recent = nr;
		cs->rhead = cs->rcount;
		cs->rcap = ncap;
	}
}

/* Does a logged call belong to this connection (either end)? */
static int call_on(const struct call *c, const struct conn *conn)
{
	int dir;
	return c->has_ep &&
	       flow_conn_is(conn, c->family, c->laddr, c->lport, c->paddr, c->pport, &dir);
}

/* On loopback the RST for a send's bytes is made inside that send(), so it
 * is stamped before the call returns: take such sends first, so the RST row
 * can name them. The look-ahead is sorted: only calls before until are read. */
static void pull_sends(struct correlator *k, const struct conn *conn, ts_ns until)
{
	for (size_t i = 0; i < k->la_len;) {
		struct call *c = *la_at(k, i);
		if (c->ts >= until)
			break;
		if (c->event == EV_SEND && c->ret >= 0 && call_on(c, conn)) {
			la_remove(k, i);
			process_call(k, c);
			call_release(k, c);
		} else {
			i++;
		}
	}
}

/* Do the sends already taken cover everything the peer of the RST's sender
 * had sent? Then no later call can be named by this RST. */
static int lost_covered(const struct conn *conn, const struct cconn *cc, int rst_dir)
{
	int p = 1 - rst_dir;
	const struct flow_side *fs = &conn->side[p];
	if (!cc || !fs->isn_known || !fs->sent_any)
		return 0;
	uint32_t end = fs->data_end - (fs->isn + 1);
	for (int i = 0; i < cc->side[p].npend; i++) {
		const struct row *r = cc->side[p].pend[i];
		if (!seq_after(end, (uint32_t)r->call.off + (uint32_t)r->call.ret))
			return 1;
	}
	return 0;
}

/* Keeps each side's oldest segment not yet acknowledged, and how often it
 * was sent again (for ETIMEDOUT). An acknowledgment that moves clears it:
 * what is outstanding then is counted from the next segment or
 * retransmission (close enough for a connection that went silent). */
static void track_unacked(struct cconn *cc, const struct conn *conn, uint64_t n, ts_ns ts,
			  const struct tcp_segment *seg, const struct seg_info *info)
{
	int s = info->dir;
	struct cside *os = &cc->side[1 - s], *cs = &cc->side[s];
	const struct flow_side *ofs = &conn->side[1 - s];
	if (os->unacked_n && (ofs->acked_any != os->mark_any || ofs->acked != os->mark_ack))
		os->unacked_n = 0;
	if (seg->flags & TCPF_RST)
		return;
	int syn = (seg->flags & TCPF_SYN) != 0;
	if (!seg->len && !syn && !(seg->flags & TCPF_FIN))
		return;
	int again = info->note == NOTE_RETRANSMIT || (syn && cs->syn_n);
	if (syn && !cs->syn_n)
		cs->syn_n = n;
	if (!cs->unacked_n) {
		cs->unacked_n = n;
		cs->unacked_ts = ts;
		cs->retx = 0;
		cs->mark_any = conn->side[s].acked_any;
		cs->mark_ack = conn->side[s].acked;
	} else if (again) {
		cs->retx++;
	}
	cs->last_tx_ts = ts;
}

void corr_segment(struct correlator *k, uint64_t n, ts_ns ts, const struct tcp_segment *seg,
		  const struct seg_info *info)
{
	struct conn *conn = info->conn;
	struct cconn *cc = cc_get(k, conn);
	if (!k->seg_first)
		k->seg_first = ts;
	k->seg_last = ts;
	if ((seg->flags & TCPF_RST) && k->la_len && info->note_bytes &&
	    !lost_covered(conn, cc, info->dir))
		pull_sends(k, conn, ts + RST_PULL_NS);
	uint64_t lost_lines[ROW_LOST];
	uint32_t lost_sends[ROW_LOST];
	uint8_t n_lost = 0;
	uint64_t lost_bytes = 0;
	int s = info->dir;
	int is_rst_first = 0;
	if (cc) {
		struct cside *cs = &cc->side[s];
		/* Data: remember it, and give it to the sends it carries. */
		uint32_t a;
		if (seg->len && !(seg->flags & TCPF_RST)) {
			recent_room(cs);
			struct recent_seg *g = &cs->recent[cs->rhead];
			if (cs->rcount == cs->rcap && !g->claimed && g->b != g->a &&
			    (!cs->forgot || seq_after(g->b, cs->forgot_end))) {
				cs->forgot = 1;
				cs->forgot_end = g->b;
			}
			cs->rhead = (cs->rhead + 1) % cs->rcap;
			if (cs->rcount < cs->rcap)
				cs->rcount++;
			g->n = n;
			g->t30 = (uint32_t)(ts >> 30);
			g->seq = seg->seq;
			g->len = seg->len;
			g->retrans = info->note == NOTE_RETRANSMIT;
			g->used = g->claimed = 0;
			if (stream_off(conn, s, seg->seq, &a)) {
				g->a = a;
				g->b = a + seg->len;
				for (int i = 0; i < cs->npend; i++) {
					struct row *p = cs->pend[i];
					if (overlaps((uint32_t)p->call.off, (uint32_t)p->call.ret,
						     g->a, seg->len)) {
						add_seg(p, n, g->retrans);
						g->claimed = 1;
					}
				}
			} else {
				g->a = g->b = 0;
				for (int i = 0; i < cs->npend; i++) {
					struct row *p = cs->pend[i];
					if (p->by_kseq && overlaps(p->seq_lo, p->seq_hi - p->seq_lo,
								   seg->seq, seg->len)) {
						add_seg(p, n, g->retrans);
						g->claimed = 1;
					}
				}
			}
		}
		/* Acknowledgments settle the other side's sends. */
		if (seg->flags & TCPF_ACK) {
			struct cside *os = &cc->side[1 - s];
			for (int i = 0; i < os->npend;) {
				struct row *p = os->pend[i];
				p->acked = acked_of(conn, 1 - s, p);
				if (p->acked >= (uint64_t)p->call.ret &&
				    (conn->side[1 - s].isn_known || p->has_seq))
					settle(k, p, 0); /* removes it from pend */
				else
					i++;
			}
		}
		track_unacked(cc, conn, n, ts, seg, info);
		/* A window of 0: the other side's data waits (it is not lost).
		 * Its sends waiting now keep the last such segment, also once
		 * the window opens (their acknowledgment comes after). */
		if ((seg->flags & TCPF_ACK) && !(seg->flags & (TCPF_RST | TCPF_SYN))) {
			cs->zero_win_n = seg->win == 0 && !(seg->flags & TCPF_FIN) ? n : 0;
			struct cside *ws = &cc->side[1 - s];
			for (int i = 0; cs->zero_win_n && i < ws->npend; i++)
				ws->pend[i]->zero_win_n = n;
		}
		/* This side went on after the other's RST (flow.c): it did not land. */
		if (info->rst_missed && cc->reset && cc->rst_from == 1 - s)
			rst_unland(cc, n, info->rst_outside);
		if ((seg->flags & TCPF_RST) && !cc->reset) {
			is_rst_first = 1;
			cc->reset = 1;
			/* It waits to be known to have landed when it would lose
			 * sends (an RST that loses none is final at once). */
			cc->rst_held = cc->side[0].npend || cc->side[1].npend;
			cc->rst_row = 0;
			cc->rst_from = s;
			cc->rst_n = n;
			cc->rst_ts = ts;
			cc->rst_after_fin = conn->side[s].fin_n != 0;
			cc->rst_refused = (seg->flags & TCPF_ACK) && conn->side[1 - s].isn_known &&
					  (info->note == NOTE_RST_REFUSED ||
					   seg->ack == conn->side[1 - s].isn + 1) &&
					  !conn->side[1 - s].bytes;
			/* The data it answers, and where that data ends. */
			cc->rst_ans_n = info->note == NOTE_RST_AFTER_FIN ? info->note_ref : 0;
			cc->rst_ans_known = 0;
			struct cside *ps = &cc->side[1 - s];
			for (int i = 0; cc->rst_ans_n && i < ps->rcount; i++) {
				const struct recent_seg *g =
					&ps->recent[(ps->rhead + ps->rcap - 1 - i) % ps->rcap];
				if (g->n == cc->rst_ans_n && g->b != g->a) {
					cc->rst_ans_end = g->b;
					cc->rst_ans_known = 1;
					break;
				}
			}
			/* Whatever is unacknowledged now is lost with it, both ways,
			 * once it is known to have landed (rst_confirm()). */
			for (int side = 0; side < 2; side++) {
				struct cside *qs = &cc->side[side];
				for (int i = 0; i < qs->npend; i++) {
					struct row *p = qs->pend[i];
					p->settle_n = n;
					uint64_t got = acked_of(conn, side, p);
					if (side != s && n_lost < ROW_LOST &&
					    got < (uint64_t)p->call.ret) {
						lost_bytes += (uint64_t)p->call.ret - got;
						lost_lines[n_lost] = p->call.line;
						lost_sends[n_lost++] = p->send_no;
					}
				}
			}
		}
	}
	/* Rows before it that are final go out first; then, when nothing earlier
	 * waits and no late evidence can come (replaying), this row is printed
	 * as it is, without a copy into the queue. */
	corr_flush(k, ts);
	/* A first RST that would lose sends waits in the queue until it is
	 * known to have landed. */
	int hold = is_rst_first && cc->rst_held;
	if (k->qlen == 0 && k->settle_ns == 0 && !hold) {
		struct seg_extra x = { n_lost, lost_lines, lost_sends, 0, 0, lost_bytes };
		out_segment_x(k->out, n, ts, seg, info, n_lost ? &x : NULL);
		return;
	}
	if (k->settle_ns == 0 && !hold && dtext_room(k) == 0) {
		/* Replaying, nothing can change this line any more: keep it as
		 * text behind the rows that wait. */
		struct seg_extra x = { n_lost, lost_lines, lost_sends, 0, 0, lost_bytes };
		size_t start = k->dtext.len;
		out_swap_buf(k->out, &k->dtext);
		out_segment_fmt(k->out, n, ts, seg, info, n_lost ? &x : NULL);
		out_swap_buf(k->out, &k->dtext);
		push_text(k, start, ts, 1);
		return;
	}
	struct row *r = row_alloc(k);
	if (!r)
		return;
	r->kind = ROW_SEG;
	r->ts = ts;
	r->n = n;
	seg_keep(&r->kseg, seg);
	r->info = *info;
	/* Of the connection, only what its line shows: the id and the labels. */
	if (!conn->col_len[info->dir])
		out_conn_col(conn, info->dir);
	r->conn.id = conn->id;
	memcpy(r->conn.ep, conn->ep, sizeof *conn - offsetof(struct conn, ep));
	r->n_lost = n_lost;
	r->lost_bytes = lost_bytes;
	r->unlanded_by = 0;
	r->unlanded_outside = 0;
	r->rst_hold = (uint8_t)hold;
	r->cc = hold ? cc : NULL;
	memcpy(r->lost_lines, lost_lines, n_lost * sizeof *lost_lines);
	memcpy(r->lost_sends, lost_sends, n_lost * sizeof *lost_sends);
	if (is_rst_first) {
		cc->rst_row = r->id;
		cc->rst_rowp = r;
	}
	q_push(k, r);
}

void corr_conn_retire(struct correlator *k, struct conn *c)
{
	struct cconn *cc = c->user;
	if (!cc)
		return;
	rst_confirm(k, cc);
	for (int s = 0; s < 2; s++) {
		while (cc->side[s].npend)
			settle(k, cc->side[s].pend[0], c->closed || cc->reset ? 2 : 3);
		if (cc->side[s].recent != cc->side[s].recent_inl)
			free(cc->side[s].recent);
		if (cc->side[s].pend != cc->side[s].pend_inl)
			free(cc->side[s].pend);
	}
	if ((void *)cc != flow_user_area(c))
		free(cc); /* the table had no room for it */
	c->user = NULL;
}

void corr_finish(struct correlator *k)
{
	read_log(k, INT64_MAX);
	while (k->la_len) {
		struct call *c = la_pop(k);
		process_call(k, c);
		call_release(k, c);
		read_log(k, INT64_MAX);
	}
	/* Calls return after their segments (a refused connect() just after
	 * the RST, and nothing more): within a second is no sign of another run. */
	ts_ns apart = 0;
	if (k->call_first && k->seg_first && k->call_last < k->seg_first)
		apart = k->seg_first - k->call_last;
	else if (k->call_first && k->seg_first && k->call_first > k->seg_last)
		apart = k->call_first - k->seg_last;
	if (apart > BACK_NS) {
		int before = k->call_last < k->seg_first;
		ts_ns d = apart;
		fit_warn(k, FIT_APART,
			 "no logged call falls within the capture's time: they %s %lld.%03lld s "
			 "%s its %s segment; is the log from another run, or its clock off?",
			 before ? "end" : "start", (long long)(d / 1000000000),
			 (long long)(d % 1000000000 / 1000000), before ? "before" : "after",
			 before ? "first" : "last");
	}
	if (k->beyond && k->warn) {
		char msg[512];
		snprintf(msg, sizeof msg,
			 "%s: %llu logged call%s (first: line %llu) came after the end of the "
			 "capture (%s); they are marked, not explained from it",
			 sendlog_path(k->log), (unsigned long long)k->beyond,
			 k->beyond == 1 ? "" : "s", (unsigned long long)k->beyond_first,
			 k->end_why);
		k->warn(msg, k->warn_arg);
	}
	/* Everything still pending: the input has ended. */
	for (size_t i = 0; i < k->qlen; i++) {
		struct row *r = *qat(k, i);
		if (r->pending)
			settle(k, r, 3);
	}
	corr_flush(k, INT64_MAX);
}

uint64_t corr_bad_lines(const struct correlator *k) { return k->bad_lines; }

void corr_set_end(struct correlator *k, ts_ns end, const char *why)
{
	k->end_ts = end;
	snprintf(k->end_why, sizeof k->end_why, "%s", why);
}

uint64_t corr_beyond(const struct correlator *k) { return k->beyond; }

int corr_log_failed(const struct correlator *k) { return k->log_failed; }

void corr_summary(struct correlator *k)
{
	if (!k->unmatched)
		return;
	struct obuf *b = out_buf(k->out);
	out_reserve(k->out, 1024);
	if (out_options(k->out)->json) {
		ob_str(b, "{\"kind\":\"summary\",\"ts\":");
		ob_ts_json(b, k->log_last_ts > 0 ? k->log_last_ts : 0);
		ob_str(b, ",\"conn\":null,\"calls\":");
		ob_u64(b, k->unmatched);
		ob_str(b, ",\"sends\":");
		ob_u64(b, k->unmatched_sends);
		ob_str(b, ",\"sends_failed\":");
		ob_u64(b, k->unmatched_failed);
		ob_str(b, ",\"first_line\":");
		ob_u64(b, k->unmatched_first);
		ob_str(b, "}\n");
	} else {
		ob_str(b, "no connection: ");
		ob_u64(b, k->unmatched);
		ob_str(b, k->unmatched == 1 ? " logged call" : " logged calls");
		ob_str(b, " matched no captured connection (first: line ");
		ob_u64(b, k->unmatched_first);
		ob_str(b, "); is the capture from the same run and interface?\n");
	}
	out_event_done(k->out);
}

void corr_free(struct correlator *k)
{
	if (!k)
		return;
	/* Stand-ins settled after corr_finish(), when the flow table retired
	 * their connections (flow_table_flush()), were never flushed. */
	free_dead(k);
	for (size_t i = 0; i < k->qlen; i++) {
		struct row *r = *qat(k, i);
		if (r->kind == ROW_CALL)
			row_free_lists(r);
		free(r);
	}
	while (k->free_rows) {
		struct row *r = k->free_rows;
		k->free_rows = *(struct row **)r;
		free(r);
	}
	free(k->scratch);
	for (size_t i = 0; i < k->la_len; i++)
		free(*la_at(k, i));
	while (k->free_calls) {
		struct call *c = k->free_calls;
		k->free_calls = *(struct call **)c;
		free(c);
	}
	free(k->q);
	free(k->la);
	free(k->dtext.p);
	free(k->sinkbuf.p);
	free(k);
}
