/* test_explain.c: every rule of the explain table, on plain evidence: the
 * cause code, the segment it names and the sentence, with no capture, no log
 * and no correlator. Each test names the evidence a rule rests on; the last
 * one checks that every rule of the table is applied by some test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "explain.h"

#define MS ((ts_ns)1000000)

static uint64_t reached; /* the rules some test has applied: 1 << rule */

/* A call's evidence with nothing seen yet on a captured connection. */
static struct explain_evidence ev_of(enum explain_kind kind, int64_t ret, const char *err)
{
	struct explain_evidence ev = { 0 };
	ev.kind = kind;
	ev.family = kind == EXPLAIN_SEND      ? "send"
		    : kind == EXPLAIN_RECV    ? "recv"
		    : kind == EXPLAIN_CONNECT ? "connect"
					      : "shutdown";
	ev.ret = ret;
	ev.err = err;
	ev.conn = 1;
	ev.k_state = ev.k_sk_err = ev.syscall = "";
	return ev;
}

static char text[1024];

/* Explains ev; the sentence goes to text[]. */
static struct explanation run(const struct explain_evidence *ev)
{
	struct explanation x;
	explain_call(ev, &x);
	struct obuf b = { text, 0, sizeof text - 1 };
	explain_text(&b, ev, &x);
	text[b.len] = '\0';
	if (x.rule >= 0)
		reached |= 1ull << x.rule;
	/* A sentence is plain: it goes into JSON strings as it is. */
	for (const char *p = text; *p; p++)
		assert_true(*p >= ' ' && *p < 127 && *p != '"' && *p != '\\');
	return x;
}

static void expect(const struct explain_evidence *ev, enum cause cause, uint64_t n,
		   const char *code, const char *words)
{
	struct explanation x = run(ev);
	assert_int_equal(x.cause, cause);
	assert_int_equal(x.n, n);
	assert_string_equal(explain_code(x.cause), code);
	if (!strstr(text, words))
		fail_msg("\"%s\" not in \"%s\"", words, text);
}

static void test_rst_after_fin_is_epipe_in_close_wait(void **state)
{
	(void)state;
	struct explain_evidence ev = ev_of(EXPLAIN_SEND, -1, "EPIPE");
	ev.rst_n = 11;
	ev.rst_after_fin = 1;
	ev.peer_fin_n = 8;
	expect(&ev, CAUSE_RST_CLOSE_WAIT, 11, "rst_in_close_wait",
	       "the RST at record 11 came after the peer's FIN (CLOSE_WAIT): the kernel marks "
	       "the socket broken, so send() fails with EPIPE");
}

static void test_rst_without_fin_is_econnreset_for_send_and_recv(void **state)
{
	(void)state;
	struct explain_evidence ev = ev_of(EXPLAIN_SEND, -1, "ECONNRESET");
	ev.rst_n = 8;
	expect(&ev, CAUSE_RST_ESTABLISHED, 8, "rst_in_established", "abortive close");
	ev = ev_of(EXPLAIN_RECV, -1, "ECONNRESET");
	ev.rst_n = 9;
	expect(&ev, CAUSE_RST_ESTABLISHED, 9, "rst_in_established",
	       "the RST at record 9 came with no FIN before");
}

static void test_epipe_after_econnreset(void **state)
{
	(void)state;
	struct explain_evidence ev = ev_of(EXPLAIN_SEND, -1, "EPIPE");
	ev.rst_n = 8;
	ev.econnreset_before = 1;
	expect(&ev, CAUSE_AFTER_ECONNRESET, 8, "after_econnreset",
	       "every later send() fails with EPIPE");
}

/* The error an RST sets goes to whichever call comes first: a recv() took
 * the ECONNRESET, so the send() after it sees EPIPE. */
static void test_error_consumed_by_a_recv_before_the_send(void **state)
{
	(void)state;
	struct explain_evidence ev = ev_of(EXPLAIN_RECV, -1, "ECONNRESET");
	ev.rst_n = 7;
	expect(&ev, CAUSE_RST_ESTABLISHED, 7, "rst_in_established", "reports ECONNRESET");
	ev = ev_of(EXPLAIN_SEND, -1, "EPIPE");
	ev.rst_n = 7;
	ev.econnreset_before = 1; /* the recv's, on the same side */
	expect(&ev, CAUSE_AFTER_ECONNRESET, 7, "after_econnreset", "ECONNRESET reported before");
	/* ... and when that first call was not logged (getsockopt SO_ERROR). */
	ev.econnreset_before = 0;
	expect(&ev, CAUSE_AFTER_ECONNRESET, 7, "after_econnreset", "RST at record 7");
}

static void test_local_shutdown(void **state)
{
	(void)state;
	struct explain_evidence ev = ev_of(EXPLAIN_SEND, -1, "EPIPE");
	ev.shut_wr = 1;
	expect(&ev, CAUSE_LOCAL_SHUTDOWN, 0, "local_shutdown", "nothing goes on the wire");
	/* An RST from the peer comes first. */
	ev.rst_n = 5;
	expect(&ev, CAUSE_AFTER_ECONNRESET, 5, "after_econnreset", "already reset");
}

static void test_nonblocking_is_not_a_failure(void **state)
{
	(void)state;
	struct explain_evidence ev = ev_of(EXPLAIN_CONNECT, -1, "EINPROGRESS");
	expect(&ev, CAUSE_NONBLOCK, 0, "nonblocking", "the handshake goes on");
	ev = ev_of(EXPLAIN_RECV, -1, "EAGAIN");
	ev.rst_n = 3; /* even on a reset connection: it would have had to wait */
	expect(&ev, CAUSE_NONBLOCK, 0, "nonblocking", "would have had to wait");
	ev = ev_of(EXPLAIN_SEND, -1, "EWOULDBLOCK");
	expect(&ev, CAUSE_NONBLOCK, 0, "nonblocking", "would have had to wait");
	ev = ev_of(EXPLAIN_CONNECT, -1, "EALREADY");
	expect(&ev, CAUSE_NONBLOCK, 0, "nonblocking", "the handshake goes on");
}

static void test_connect_refused_by_the_rst_answering_our_syn(void **state)
{
	(void)state;
	struct explain_evidence ev = ev_of(EXPLAIN_CONNECT, -1, "ECONNREFUSED");
	ev.rst_n = 2;
	ev.rst_answers_syn = 1;
	expect(&ev, CAUSE_RST_REFUSED, 2, "rst_refused",
	       "nothing was listening on that port: the RST at record 2 answered the connection "
	       "request (SYN), so connect() fails with ECONNREFUSED");
	/* An RST that did not answer our SYN does not explain it. */
	ev.rst_answers_syn = 0;
	expect(&ev, CAUSE_UNKNOWN, 0, "unknown", "cause unknown");
}

static void test_recv_zero_is_the_peers_fin(void **state)
{
	(void)state;
	struct explain_evidence ev = ev_of(EXPLAIN_RECV, 0, "");
	ev.peer_fin_n = 6;
	expect(&ev, CAUSE_PEER_FIN_EOF, 6, "peer_fin_eof",
	       "end of stream: the peer's FIN (record 6)");
	assert_non_null(strstr(text, "recv() returns 0"));
	/* No FIN seen: nothing said (the caller keeps its plain note). */
	ev.peer_fin_n = 0;
	struct explanation x = run(&ev);
	assert_int_equal(x.cause, CAUSE_NONE);
	assert_string_equal(text, "");
	/* A send that returned 0, or a recv that returned bytes: nothing to explain. */
	ev = ev_of(EXPLAIN_RECV, 5, "");
	ev.peer_fin_n = 6;
	x = run(&ev);
	assert_int_equal(x.cause, CAUSE_NONE);
}

static void test_timeout_counts_the_retransmissions(void **state)
{
	(void)state;
	struct explain_evidence ev = ev_of(EXPLAIN_SEND, -1, "ETIMEDOUT");
	ev.unacked_n = 7;
	ev.retrans = 5;
	ev.unacked_span = 3200 * MS;
	expect(&ev, CAUSE_TIMEOUT, 7, "timeout",
	       "the data at record 7 was sent 6 times over 3.2 s and never acknowledged");
	ev = ev_of(EXPLAIN_RECV, -1, "ETIMEDOUT");
	ev.unacked_n = 4;
	ev.retrans = 0;
	ev.unacked_span = 0;
	expect(&ev, CAUSE_TIMEOUT, 4, "timeout", "was sent once over 0 ms");
	ev = ev_of(EXPLAIN_CONNECT, -1, "ETIMEDOUT");
	ev.unacked_n = 1;
	ev.retrans = 3;
	ev.unacked_span = 850 * MS;
	expect(&ev, CAUSE_TIMEOUT, 1, "timeout",
	       "the connection request (SYN at record 1) was sent 4 times over 850 ms and never "
	       "answered");
	/* Nothing left unacknowledged: not a timeout we can show. */
	ev.unacked_n = 0;
	expect(&ev, CAUSE_UNKNOWN, 0, "unknown", "not explained by segments");
}

static void test_enotconn_after_a_reset(void **state)
{
	(void)state;
	struct explain_evidence ev = ev_of(EXPLAIN_OTHER, -1, "ENOTCONN");
	ev.rst_n = 9;
	expect(&ev, CAUSE_NOTCONN_AFTER_RESET, 9, "notconn_after_reset",
	       "the connection was reset (RST at record 9): the socket is no longer connected, "
	       "so shutdown() fails with ENOTCONN");
	ev.rst_n = 0;
	expect(&ev, CAUSE_UNKNOWN, 0, "unknown", "cause unknown");
}

/* An RST that did not reach the socket is never blamed: dropped on the way
 * (the side went on sending), or outside the window (challenge ACK). */
static void test_rst_that_did_not_land_is_never_the_cause(void **state)
{
	(void)state;
	struct explain_evidence ev = ev_of(EXPLAIN_SEND, -1, "EPIPE");
	ev.rst_missed_n = 10;
	ev.rst_missed = RST_MISS_DROPPED;
	ev.rst_after_fin = 1;
	expect(&ev, CAUSE_UNKNOWN, 0, "unknown",
	       "the RST at record 10 never reached the socket (this side went on sending after "
	       "it: it was dropped on the way)");
	ev.rst_missed = RST_MISS_OUTSIDE;
	expect(&ev, CAUSE_UNKNOWN, 0, "unknown",
	       "the RST at record 10 was ignored (its sequence number was not the one expected");
	/* The RST that did land, later, is the cause. */
	ev.rst_n = 12;
	expect(&ev, CAUSE_RST_CLOSE_WAIT, 12, "rst_in_close_wait", "the RST at record 12");
	ev.rst_missed = RST_MISS_DROPPED;
	expect(&ev, CAUSE_RST_CLOSE_WAIT, 12, "rst_in_close_wait", "the RST at record 12");
}

static void test_unknown_says_what_is_missing(void **state)
{
	(void)state;
	struct explain_evidence ev = ev_of(EXPLAIN_SEND, -1, "EPIPE");
	expect(&ev, CAUSE_UNKNOWN, 0, "unknown", "no RST reached this side and no shutdown");
	ev.err = "ECONNRESET";
	expect(&ev, CAUSE_UNKNOWN, 0, "unknown", "no RST without a FIN before it");
	ev.err = "EBADF";
	expect(&ev, CAUSE_UNKNOWN, 0, "unknown", "not explained by segments on the wire");
	ev.err = ""; /* a failure without an errno name */
	expect(&ev, CAUSE_UNKNOWN, 0, "unknown", "not explained by segments on the wire");
	ev.err = "EPIPE";
	ev.conn = 0;
	expect(&ev, CAUSE_UNKNOWN, 0, "unknown", "no captured connection matches");
	ev.beyond = 1;
	expect(&ev, CAUSE_UNKNOWN, 0, "unknown", "after the end of the capture");
}

static void kernel(const struct explain_evidence *ev, const char *want)
{
	struct explanation x;
	explain_call(ev, &x);
	struct obuf b = { text, 0, sizeof text - 1 };
	explain_kernel_text(&b, ev, &x);
	text[b.len] = '\0';
	assert_string_equal(text, want);
}

static void test_kernel_facts_and_disagreement(void **state)
{
	(void)state;
	struct explain_evidence ev = ev_of(EXPLAIN_SEND, -1, "EPIPE");
	ev.rst_n = 11;
	ev.rst_after_fin = 1;
	kernel(&ev, ""); /* no recorder */
	ev.k_state = "CLOSE";
	ev.k_sk_err = "EPIPE";
	ev.syscall = "sendto";
	kernel(&ev,
	       "; the kernel: the socket was in CLOSE and held EPIPE when sendto() was called");
	ev.k_state = "CLOSE_WAIT";
	ev.k_sk_err = "";
	kernel(&ev, "; the kernel: the socket was in CLOSE_WAIT when sendto() was called; but the "
		    "wire and the kernel disagree: the capture shows the RST at record 11 before "
		    "this call, but the socket had not taken it when the call was made (it was in "
		    "CLOSE_WAIT, no error pending)");
	ev = ev_of(EXPLAIN_SEND, -1, "ECONNRESET");
	ev.k_state = "CLOSE";
	ev.k_sk_err = "ECONNRESET";
	kernel(&ev, "; the kernel: the socket was in CLOSE and held ECONNRESET when send() was "
		    "called; but the wire and the kernel disagree: the kernel held ECONNRESET for "
		    "the socket when the call was made, but no segment that explains it was "
		    "captured");
	/* Non-blocking calls: the kernel's facts are not a verdict. */
	ev = ev_of(EXPLAIN_RECV, -1, "EAGAIN");
	ev.k_state = "ESTABLISHED";
	kernel(&ev, "");
}

/* Every rule of the table was applied by a test above (cmocka runs them in
 * order): a new rule without a test fails here. */
static void test_every_rule_is_tested(void **state)
{
	(void)state;
	assert_true(explain_rule_count() <= 64);
	for (int i = 0; i < explain_rule_count(); i++) {
		enum cause c = explain_rule_cause(i);
		if (!(reached & (1ull << i)))
			fail_msg("rule %d (%s) has no test", i, explain_code(c));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rst_after_fin_is_epipe_in_close_wait),
		cmocka_unit_test(test_rst_without_fin_is_econnreset_for_send_and_recv),
		cmocka_unit_test(test_epipe_after_econnreset),
		cmocka_unit_test(test_error_consumed_by_a_recv_before_the_send),
		cmocka_unit_test(test_local_shutdown),
		cmocka_unit_test(test_nonblocking_is_not_a_failure),
		cmocka_unit_test(test_connect_refused_by_the_rst_answering_our_syn),
		cmocka_unit_test(test_recv_zero_is_the_peers_fin),
		cmocka_unit_test(test_timeout_counts_the_retransmissions),
		cmocka_unit_test(test_enotconn_after_a_reset),
		cmocka_unit_test(test_rst_that_did_not_land_is_never_the_cause),
		cmocka_unit_test(test_unknown_says_what_is_missing),
		cmocka_unit_test(test_kernel_facts_and_disagreement),
		cmocka_unit_test(test_every_rule_is_tested),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
