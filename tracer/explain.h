/* explain.h: why a socket call failed, from a plain record of the evidence.
 *
 * The rules are one table (explain.c): kind of call, errno (or a return of
 * 0) and what the evidence shows -> a cause code and a sentence. The caller
 * (correlate.c) gathers the evidence for the call's connection: what the
 * wire showed (the RST that reached this side, the peer's FIN, our segments
 * left unanswered) and what the kernel recorder saw at the call's entry.
 * This module knows nothing of rows, queues or the send log: it is tested
 * alone (tests/test_explain.c). A new cause is one table entry and one test. */
#ifndef RSTSCOPE_EXPLAIN_H
#define RSTSCOPE_EXPLAIN_H

#include <stdint.h>

#include "flow.h"
#include "output.h"

/* The kind of call: every send-type call (write, writev, sendto, sendmsg,
 * sendfile) is a send, every receive-type call a recv. */
enum explain_kind {
	EXPLAIN_SEND = 1,
	EXPLAIN_RECV = 2,
	EXPLAIN_CONNECT = 4,
	EXPLAIN_OTHER = 8, /* shutdown, close, accept, getpeername... */
};
#define EXPLAIN_ANY (EXPLAIN_SEND | EXPLAIN_RECV | EXPLAIN_CONNECT | EXPLAIN_OTHER)

/* Why a call failed (or, for recv() = 0, why it ended). */
enum cause {
	CAUSE_NONE = 0, /* nothing to explain */
	CAUSE_RST_CLOSE_WAIT,
	CAUSE_RST_ESTABLISHED,
	CAUSE_AFTER_ECONNRESET,
	CAUSE_LOCAL_SHUTDOWN,
	CAUSE_NONBLOCK, /* EAGAIN, EINPROGRESS...: not a failure */
	CAUSE_RST_REFUSED,
	CAUSE_PEER_FIN_EOF,
	CAUSE_TIMEOUT,
	CAUSE_NOTCONN_AFTER_RESET,
	CAUSE_UNKNOWN,
};

/* Why an RST on the wire did not reach the socket. */
enum rst_miss {
	RST_MISS_NONE = 0,
	RST_MISS_DROPPED, /* the side went on sending after it */
	RST_MISS_OUTSIDE, /* outside the window: a challenge ACK answered it */
};

/* What the wire and the kernel showed for one call's connection. Strings
 * are "" when absent, never NULL. */
struct explain_evidence {
	enum explain_kind kind;
	const char *family; /* "send", "recv", "connect": the name in sentences */
	int64_t ret;
	const char *err; /* errno name, "" when the call did not fail */
	uint8_t conn;	 /* a captured connection matches the call */
	uint8_t beyond;	 /* logged after the end of the capture */
	/* The RST from the peer that reached this side before the call. */
	uint64_t rst_n;		 /* 0: none */
	uint8_t rst_after_fin;	 /* the peer had sent its FIN before it */
	uint8_t rst_answers_syn; /* it answered our SYN (ack = our ISN + 1) */
	/* An RST on the wire that did not reach the socket (never blamed). */
	uint64_t rst_missed_n;
	enum rst_miss rst_missed;
	uint64_t peer_fin_n;	   /* the peer's FIN before the call, 0: none */
	uint8_t econnreset_before; /* an earlier call on this side got ECONNRESET */
	uint8_t shut_wr;	   /* this side shut down its sending side, or sent FIN */
	/* Our oldest segment never acknowledged, and how often it was resent. */
	uint64_t unacked_n;
	uint32_t retrans;
	ts_ns unacked_span; /* from it to its last retransmission */
	/* The kernel recorder's facts at the call's entry ("" when not seen). */
	const char *k_state, *k_sk_err, *syscall;
};

/* The verdict: the cause and the segment it rests on (0: none). */
struct explanation {
	enum cause cause;
	uint64_t n;
	int rule; /* index in the table, for tests and debugging; -1: none */
};

/* Applies the table: the first rule that holds wins. */
void explain_call(const struct explain_evidence *ev, struct explanation *x);
/* "rst_in_close_wait", ... ("unknown" for CAUSE_NONE). */
const char *explain_code(enum cause c);
/* The sentence, plain ASCII without quotes (safe in JSON as it is). */
void explain_text(struct obuf *b, const struct explain_evidence *ev, const struct explanation *x);
/* "; the kernel: the socket was in CLOSE and held EPIPE when sendto() was
 * called", and where they disagree with the wire, says so. */
void explain_kernel_text(struct obuf *b, const struct explain_evidence *ev,
			 const struct explanation *x);
/* Writes how the wire and the kernel disagree (no prefix); returns 1 when
 * they do, 0 (nothing written) when they do not. */
int explain_disagreement(struct obuf *b, const struct explain_evidence *ev,
			 const struct explanation *x);
/* The table's size and the code of rule i, for tests. */
int explain_rule_count(void);
enum cause explain_rule_cause(int i);

#endif
