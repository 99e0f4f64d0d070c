/* explain.c: the rule table that says why a socket call failed.
 *
 * Each rule: the kinds of call it applies to, the errno (or a return of 0),
 * a test on the evidence, the cause code, which segment the cause names, and
 * the sentence. The first rule that holds wins, so the specific rules come
 * before the general ones. Sentences are written for someone who has never
 * read tcp_input.c: what happened on the wire, and what the call therefore
 * returned. Templates: %n the cause's record, %c the call ("send"), %m the
 * RST that did not land, %r how often a segment was sent, %s over how long. */
#include "explain.h"

#include <stdio.h>
#include <string.h>

/* Which record cause.n names. */
enum cite { CITE_NONE, CITE_RST, CITE_FIN, CITE_UNACKED };

#define ERR_RET0 "=0" /* the rule is for a return of 0, not an errno */

struct explain_rule {
	unsigned kinds;	 /* EXPLAIN_* bits */
	const char *err; /* errno name, ERR_RET0, or NULL: any failure */
	int (*holds)(const struct explain_evidence *ev); /* NULL: always */
	enum cause cause;
	enum cite cite;
	const char *text;
};

static int rst(const struct explain_evidence *ev) { return ev->rst_n != 0; }
static int rst_after_fin(const struct explain_evidence *ev)
{
	return ev->rst_n && ev->rst_after_fin;
}
static int rst_no_fin(const struct explain_evidence *ev) { return ev->rst_n && !ev->rst_after_fin; }
static int rst_reported(const struct explain_evidence *ev)
{
	return ev->rst_n && ev->econnreset_before;
}
static int rst_syn(const struct explain_evidence *ev) { return ev->rst_n && ev->rst_answers_syn; }
static int peer_fin(const struct explain_evidence *ev) { return ev->peer_fin_n != 0; }
static int unacked(const struct explain_evidence *ev) { return ev->unacked_n != 0; }
static int shut_wr(const struct explain_evidence *ev) { return ev->shut_wr; }
static int beyond(const struct explain_evidence *ev) { return ev->beyond; }
static int no_conn(const struct explain_evidence *ev) { return !ev->conn; }
static int missed_dropped(const struct explain_evidence *ev)
{
	return ev->rst_missed_n && ev->rst_missed == RST_MISS_DROPPED;
}
static int missed_outside(const struct explain_evidence *ev)
{
	return ev->rst_missed_n && ev->rst_missed == RST_MISS_OUTSIDE;
}

static const struct explain_rule rules[] = {
	/* A non-blocking socket: the call would have waited. */
	{ EXPLAIN_ANY, "EINPROGRESS", NULL, CAUSE_NONBLOCK, CITE_NONE,
	  "not a failure: the socket is non-blocking, and the handshake goes on after connect() "
	  "returns" },
	{ EXPLAIN_ANY, "EALREADY", NULL, CAUSE_NONBLOCK, CITE_NONE,
	  "not a failure: the socket is non-blocking, and the handshake goes on after connect() "
	  "returns" },
	{ EXPLAIN_ANY, "EAGAIN", NULL, CAUSE_NONBLOCK, CITE_NONE,
	  "not a failure: the socket is non-blocking, and the call would have had to wait" },
	{ EXPLAIN_ANY, "EWOULDBLOCK", NULL, CAUSE_NONBLOCK, CITE_NONE,
	  "not a failure: the socket is non-blocking, and the call would have had to wait" },
	/* tcp_reset() in SYN_SENT: ECONNREFUSED. */
	{ EXPLAIN_CONNECT, "ECONNREFUSED", rst_syn, CAUSE_RST_REFUSED, CITE_RST,
	  "nothing was listening on that port: the RST at record %n answered the connection "
	  "request (SYN), so connect() fails with ECONNREFUSED" },
	/* recv() = 0: the peer's FIN, after every byte before it. */
	{ EXPLAIN_RECV, ERR_RET0, peer_fin, CAUSE_PEER_FIN_EOF, CITE_FIN,
	  "end of stream: the peer's FIN (record %n) says it will send no more, and every byte "
	  "before it has been read, so %c() returns 0" },
	/* tcp_reset(): EPIPE in CLOSE_WAIT, ECONNRESET otherwise, reported once
	 * to whichever call comes first; EPIPE after that. */
	{ EXPLAIN_SEND | EXPLAIN_RECV, "EPIPE", rst_after_fin, CAUSE_RST_CLOSE_WAIT, CITE_RST,
	  "the RST at record %n came after the peer's FIN (CLOSE_WAIT): the kernel marks the "
	  "socket broken, so %c() fails with EPIPE" },
	{ EXPLAIN_SEND | EXPLAIN_RECV, "EPIPE", rst_reported, CAUSE_AFTER_ECONNRESET, CITE_RST,
	  "the connection was already reset (RST at record %n, ECONNRESET reported before): "
	  "every later %c() fails with EPIPE" },
	{ EXPLAIN_SEND | EXPLAIN_RECV | EXPLAIN_CONNECT, "ECONNRESET", rst_no_fin,
	  CAUSE_RST_ESTABLISHED, CITE_RST,
	  "the RST at record %n came with no FIN before (abortive close): the first call after it "
	  "reports ECONNRESET" },
	/* The ECONNRESET went to a call not logged here (getsockopt SO_ERROR). */
	{ EXPLAIN_SEND | EXPLAIN_RECV, "EPIPE", rst, CAUSE_AFTER_ECONNRESET, CITE_RST,
	  "the connection was already reset (RST at record %n, ECONNRESET reported before): "
	  "every later %c() fails with EPIPE" },
	{ EXPLAIN_OTHER | EXPLAIN_SEND | EXPLAIN_RECV, "ENOTCONN", rst, CAUSE_NOTCONN_AFTER_RESET,
	  CITE_RST,
	  "the connection was reset (RST at record %n): the socket is no longer connected, so "
	  "%c() fails with ENOTCONN" },
	/* tcp_write_err(): retransmitted unanswered until the kernel gave up. */
	{ EXPLAIN_CONNECT, "ETIMEDOUT", unacked, CAUSE_TIMEOUT, CITE_UNACKED,
	  "the connection request (SYN at record %n) was sent %r over %s and never answered: the "
	  "kernel gave up, so connect() fails with ETIMEDOUT" },
	{ EXPLAIN_ANY, "ETIMEDOUT", unacked, CAUSE_TIMEOUT, CITE_UNACKED,
	  "the data at record %n was sent %r over %s and never acknowledged: the peer went "
	  "silent, the kernel gave up on the connection, so %c() fails with ETIMEDOUT" },
	{ EXPLAIN_SEND | EXPLAIN_RECV, "EPIPE", shut_wr, CAUSE_LOCAL_SHUTDOWN, CITE_NONE,
	  "this side shut down its sending direction (SHUT_WR): %c() fails with EPIPE, nothing "
	  "goes on the wire" },
	/* No cause: say what is missing. */
	{ EXPLAIN_ANY, NULL, beyond, CAUSE_UNKNOWN, CITE_NONE,
	  "after the end of the capture: no evidence of the cause was captured" },
	{ EXPLAIN_ANY, NULL, no_conn, CAUSE_UNKNOWN, CITE_NONE,
	  "no captured connection matches this call, so there is no evidence of the cause" },
	{ EXPLAIN_ANY, NULL, missed_dropped, CAUSE_UNKNOWN, CITE_NONE,
	  "cause unknown: the RST at record %m never reached the socket (this side went on "
	  "sending after it: it was dropped on the way), so it is not the cause" },
	{ EXPLAIN_ANY, NULL, missed_outside, CAUSE_UNKNOWN, CITE_NONE,
	  "cause unknown: the RST at record %m was ignored (its sequence number was not the one "
	  "expected, and the receiver answered with an ACK to check), so it is not the cause" },
	{ EXPLAIN_ANY, "EPIPE", NULL, CAUSE_UNKNOWN, CITE_NONE,
	  "cause unknown: no RST reached this side and no shutdown was logged" },
	{ EXPLAIN_ANY, "ECONNRESET", NULL, CAUSE_UNKNOWN, CITE_NONE,
	  "cause unknown: no RST without a FIN before it reached this side" },
	{ EXPLAIN_ANY, NULL, NULL, CAUSE_UNKNOWN, CITE_NONE,
	  "cause unknown: this error is not explained by segments on the wire" },
};
#define NRULES ((int)(sizeof rules / sizeof rules[0]))

int explain_rule_count(void) { return NRULES; }
enum cause explain_rule_cause(int i) { return i >= 0 && i < NRULES ? rules[i].cause : CAUSE_NONE; }

static int rule_applies(const struct explain_rule *r, const struct explain_evidence *ev)
{
	if (!(r->kinds & ev->kind))
		return 0;
	int failed = ev->ret == -1; /* err may be "": a failure without a name */
	if (r->err && !strcmp(r->err, ERR_RET0)) {
		if (ev->ret != 0)
			return 0;
	} else if (!failed || (r->err && strcmp(r->err, ev->err) != 0)) {
		return 0;
	}
	return !r->holds || r->holds(ev);
}

void explain_call(const struct explain_evidence *ev, struct explanation *x)
{
	x->cause = CAUSE_NONE;
	x->n = 0;
	x->rule = -1;
	for (int i = 0; i < NRULES; i++) {
		const struct explain_rule *r = &rules[i];
		if (!rule_applies(r, ev))
			continue;
		x->cause = r->cause;
		x->rule = i;
		x->n = r->cite == CITE_RST	 ? ev->rst_n
		       : r->cite == CITE_FIN	 ? ev->peer_fin_n
		       : r->cite == CITE_UNACKED ? ev->unacked_n
						 : 0;
		return;
	}
}

const char *explain_code(enum cause c)
{
	switch (c) {
	case CAUSE_RST_CLOSE_WAIT: return "rst_in_close_wait";
	case CAUSE_RST_ESTABLISHED: return "rst_in_established";
	case CAUSE_AFTER_ECONNRESET: return "after_econnreset";
	case CAUSE_LOCAL_SHUTDOWN: return "local_shutdown";
	case CAUSE_NONBLOCK: return "nonblocking";
	case CAUSE_RST_REFUSED: return "rst_refused";
	case CAUSE_PEER_FIN_EOF: return "peer_fin_eof";
	case CAUSE_TIMEOUT: return "timeout";
	case CAUSE_NOTCONN_AFTER_RESET: return "notconn_after_reset";
	default: return "unknown";
	}
}

/* "850 ms", "3.2 s". */
static void span_text(struct obuf *b, ts_ns span)
{
	char t[32];
	if (span < 0)
		span = 0;
	if (span < (ts_ns)1000000000)
		snprintf(t, sizeof t, "%lld ms", (long long)(span / 1000000));
	else
		snprintf(t, sizeof t, "%.1f s", (double)span / 1e9);
	ob_str(b, t);
}

void explain_text(struct obuf *b, const struct explain_evidence *ev, const struct explanation *x)
{
	if (x->cause == CAUSE_NONE || x->rule < 0 || x->rule >= NRULES)
		return;
	for (const char *p = rules[x->rule].text; *p; p++) {
		if (*p != '%' || !p[1]) {
			ob_char(b, *p);
			continue;
		}
		switch (*++p) {
		case 'n': ob_u64(b, x->n); break;
		case 'm': ob_u64(b, ev->rst_missed_n); break;
		case 'c': ob_str(b, ev->family); break;
		case 'r':
			if (ev->retrans == 0) {
				ob_str(b, "once");
			} else {
				ob_u64(b, (uint64_t)ev->retrans + 1);
				ob_str(b, " times");
			}
			break;
		case 's': span_text(b, ev->unacked_span); break;
		default: ob_char(b, *p); break;
		}
	}
}

static int rst_cause(enum cause c)
{
	return c == CAUSE_RST_CLOSE_WAIT || c == CAUSE_RST_ESTABLISHED ||
	       c == CAUSE_AFTER_ECONNRESET || c == CAUSE_NOTCONN_AFTER_RESET;
}

int explain_disagreement(struct obuf *b, const struct explain_evidence *ev,
			 const struct explanation *x)
{
	if (!ev->k_state[0] || x->cause == CAUSE_NONBLOCK)
		return 0;
	int taken = !strcmp(ev->k_state, "CLOSE") || ev->k_sk_err[0];
	if (rst_cause(x->cause) && !taken) {
		ob_str(b, "the capture shows the RST at record ");
		ob_u64(b, x->n);
		ob_str(b,
		       " before this call, but the socket had not taken it when the call was made "
		       "(it was in ");
		ob_str(b, ev->k_state);
		ob_str(b, ", no error pending)");
		return 1;
	}
	if ((x->cause == CAUSE_UNKNOWN || x->cause == CAUSE_NONE) && ev->k_sk_err[0] && ev->conn &&
	    !ev->beyond) {
		ob_str(b, "the kernel held ");
		ob_text_str(b, ev->k_sk_err);
		ob_str(b, " for the socket when the call was made, but no segment that explains it "
			  "was captured");
		return 1;
	}
	return 0;
}

void explain_kernel_text(struct obuf *b, const struct explain_evidence *ev,
			 const struct explanation *x)
{
	if (!ev->k_state[0] || x->cause == CAUSE_NONBLOCK)
		return;
	ob_str(b, "; the kernel: the socket was in ");
	ob_text_str(b, ev->k_state);
	if (ev->k_sk_err[0]) {
		ob_str(b, " and held ");
		ob_text_str(b, ev->k_sk_err);
	}
	ob_str(b, " when ");
	ob_text_str(b, ev->syscall[0] ? ev->syscall : ev->family);
	ob_str(b, "() was called");
	size_t at = b->len;
	ob_str(b, "; but the wire and the kernel disagree: ");
	if (!explain_disagreement(b, ev, x))
		b->len = at;
}
