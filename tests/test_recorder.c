/* test_recorder.c: the kernel recorder's events become send-log lines that
 * the send-log reader takes back with the same facts (no kernel needed:
 * events are made here, as record.bpf.c fills them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "recorder.h"
#include "sendlog.h"

static struct rec_event ev(uint8_t kind, uint8_t call, uint16_t nr)
{
	struct rec_event e;
	memset(&e, 0, sizeof e);
	e.kind = kind;
	e.call = call;
	e.nr = nr;
	e.pid = 4242;
	e.tid = 4243;
	e.fd = 3;
	e.sk = 0xffff888012345678ull;
	e.family = 4;
	inet_pton(AF_INET, "127.0.0.1", e.laddr);
	inet_pton(AF_INET, "127.0.0.1", e.paddr);
	e.lport = 40494;
	e.pport = 8999;
	e.ts_enter = 1000000000ull;
	e.ts = 1000020000ull;
	e.state = e.state_after = 1; /* ESTABLISHED */
	memcpy(e.comm, "python3", 8);
	return e;
}

/* Formats e and parses the line back. */
static void roundtrip(struct rec_fmt *f, const struct rec_event *e, struct call *c, char *line,
		      size_t size)
{
	int n = rec_fmt_event(f, e, line, size);
	assert_true(n > 0);
	assert_int_equal(line[n - 1], '\n');
	char err[256] = "";
	int r = sendlog_parse_line(line, (size_t)n - 1, 1, c, err, sizeof err);
	if (r != 0)
		fail_msg("%s: %s", line, err);
}

static void test_connect_then_send_has_offset_and_kernel_fields(void **state)
{
	(void)state;
	struct rec_fmt *f = rec_fmt_new();
	rec_fmt_set_offset(f, 1700000000ll * 1000000000);
	char line[2048];
	struct call c;
	struct rec_event e = ev(REC_CALL, RC_CONNECT, 42);
	e.has_isn = 1;
	e.isn_snd = 1000;
	e.isn_rcv = 5000;
	e.state = 7;
	roundtrip(f, &e, &c, line, sizeof line);
	assert_int_equal(c.event, EV_CONNECT);
	assert_string_equal(c.syscall, "connect");
	assert_string_equal(c.state, "CLOSE");
	assert_string_equal(c.state_after, "ESTABLISHED");
	assert_int_equal(c.ts, 1700000000ll * 1000000000 + 1000020000);
	assert_int_equal(c.ts_enter, 1700000000ll * 1000000000 + 1000000000);

	e = ev(REC_CALL, RC_SEND, 44);
	e.seq = 1006;
	e.seq_end = 1020;
	e.ret = 14;
	e.len = 14;
	e.flags = 0x4000;
	memcpy(e.data, "are you here?\n", 14);
	e.data_len = 14;
	roundtrip(f, &e, &c, line, sizeof line);
	assert_int_equal(c.event, EV_SEND);
	assert_int_equal(c.ret, 14);
	assert_int_equal(c.off, 6); /* seq - (ISN + 1) */
	assert_true(c.has_seq);
	assert_int_equal(c.seq, 1006);
	assert_true(c.nosignal);
	assert_int_equal(c.data_len, 14);
	assert_memory_equal(c.data, "are you here?\n", 14);
	assert_string_equal(c.comm, "python3");
	assert_int_equal(c.tid, 4243);
	assert_string_equal(c.syscall, "sendto");
	rec_fmt_free(f);
}

static void test_failed_send_after_our_fin_and_error_pending(void **state)
{
	(void)state;
	struct rec_fmt *f = rec_fmt_new();
	char line[2048];
	struct call c;
	struct rec_event e = ev(REC_CALL, RC_CONNECT, 42);
	e.has_isn = 1;
	e.isn_snd = 1000;
	roundtrip(f, &e, &c, line, sizeof line);
	/* After shutdown(SHUT_WR), write_seq counts the FIN: the stream's
	 * next byte is one before it. */
	e = ev(REC_CALL, RC_SEND, 1);
	e.state = 4; /* FIN_WAIT1 */
	e.seq = 1007;
	e.ret = -32;
	e.len = 5;
	e.sk_err = 32;
	e.shut = 2;
	roundtrip(f, &e, &c, line, sizeof line);
	assert_int_equal(c.ret, -1);
	assert_string_equal(c.err, "EPIPE");
	assert_string_equal(c.sk_err, "EPIPE");
	assert_int_equal(c.off, 6);
	assert_int_equal(c.seq, 1006);
	assert_string_equal(c.syscall, "write");
	assert_non_null(strstr(line, "\"shut_wr\":true"));
	rec_fmt_free(f);
}

static void test_recv_after_eof_does_not_count_the_fin(void **state)
{
	(void)state;
	struct rec_fmt *f = rec_fmt_new();
	char line[2048];
	struct call c;
	struct rec_event e = ev(REC_CALL, RC_ACCEPT, 288);
	e.has_isn = 1;
	e.isn_snd = 1;
	e.isn_rcv = 100;
	e.ret = 6;
	roundtrip(f, &e, &c, line, sizeof line);
	assert_int_equal(c.event, EV_ACCEPT);
	assert_int_equal(c.fd, 3); /* the listening socket; ret is the new one */
	assert_int_equal(c.ret, 6);
	for (int i = 0; i < 2; i++) { /* the FIN read, then read again */
		e = ev(REC_CALL, RC_RECV, 0);
		e.seq = 117 + (uint32_t)i; /* copied_seq counts the FIN once read */
		e.len = 64;
		e.ret = 0;
		roundtrip(f, &e, &c, line, sizeof line);
		assert_int_equal(c.event, EV_RECV);
		assert_int_equal(c.off, 17);
	}
	rec_fmt_free(f);
}

static void test_sendmmsg_counts_bytes_not_messages(void **state)
{
	(void)state;
	struct rec_fmt *f = rec_fmt_new();
	char line[2048];
	struct call c;
	struct rec_event e = ev(REC_CALL, RC_SEND, 307);
	e.seq = 10;
	e.seq_end = 310;
	e.ret = 3; /* messages */
	e.len = 3;
	roundtrip(f, &e, &c, line, sizeof line);
	assert_int_equal(c.ret, 300);
	assert_int_equal(c.len, 300);
	assert_int_equal(c.off, -1); /* no ISN seen: only seq */
	assert_true(c.has_seq);
	rec_fmt_free(f);
}

static void test_signal_and_exit(void **state)
{
	(void)state;
	struct rec_fmt *f = rec_fmt_new();
	char line[2048];
	struct call c;
	struct rec_event e = ev(REC_SIGNAL, 0, 0);
	e.arg = 13;
	e.disp = REC_DISP_BLOCKED;
	roundtrip(f, &e, &c, line, sizeof line);
	assert_int_equal(c.event, EV_SIGNAL);
	assert_string_equal(c.sig, "SIGPIPE");
	assert_string_equal(c.disposition, "blocked");
	e = ev(REC_EXIT, 0, 0);
	e.arg = 13; /* killed by SIGPIPE (wait status) */
	roundtrip(f, &e, &c, line, sizeof line);
	assert_int_equal(c.event, EV_EXIT);
	assert_string_equal(c.exit_sig, "SIGPIPE");
	e.arg = 3 << 8; /* exit(3) */
	roundtrip(f, &e, &c, line, sizeof line);
	assert_int_equal(c.status, 3);
	assert_string_equal(c.exit_sig, "");
	rec_fmt_free(f);
}

static void test_exit_of_a_process_without_tcp_is_not_told(void **state)
{
	(void)state;
	struct rec_fmt *f = rec_fmt_new();
	char line[2048];
	struct rec_event e = ev(REC_EXIT, 0, 0);
	e.pid = 777;
	assert_int_equal(rec_fmt_event(f, &e, line, sizeof line), 0);
	rec_fmt_free(f);
}

static void test_wire_events_parse_as_kernel_events(void **state)
{
	(void)state;
	struct rec_fmt *f = rec_fmt_new();
	char line[2048];
	struct call c;
	struct rec_event e = ev(REC_RST_SEND, 0, 0);
	e.reason = 3; /* the kernel's reason 2 */
	e.state = 6;
	roundtrip(f, &e, &c, line, sizeof line);
	assert_int_equal(c.event, EV_RST_SEND);
	assert_true(EV_IS_KERNEL(c.event));
	assert_string_equal(c.state, "TIME_WAIT");
	assert_non_null(strstr(line, "\"reason\":2"));
	e = ev(REC_STATE, 0, 0);
	e.state = 8;
	e.state_after = 7;
	e.sk_err = 32;
	roundtrip(f, &e, &c, line, sizeof line);
	assert_int_equal(c.event, EV_TCP_STATE);
	assert_string_equal(c.state_after, "CLOSE");
	assert_string_equal(c.sk_err, "EPIPE");
	rec_fmt_free(f);
}

static void test_comm_is_escaped_and_ipv6_bracketed(void **state)
{
	(void)state;
	struct rec_fmt *f = rec_fmt_new();
	char line[2048];
	struct call c;
	struct rec_event e = ev(REC_CALL, RC_CLOSE, 3);
	memcpy(e.comm, "a\x1b[2J\"b", 8);
	e.family = 6;
	memset(e.laddr, 0, 16);
	memset(e.paddr, 0, 16);
	e.laddr[15] = e.paddr[15] = 1;
	roundtrip(f, &e, &c, line, sizeof line);
	assert_null(strchr(line, '\x1b'));
	assert_string_equal(c.comm, "a\x1b[2J\"b");
	assert_non_null(strstr(line, "\"local\":\"[::1]:40494\""));
	assert_int_equal(c.family, 6);
	rec_fmt_free(f);
}

static void test_too_small_a_buffer_is_refused(void **state)
{
	(void)state;
	struct rec_fmt *f = rec_fmt_new();
	char line[64];
	struct rec_event e = ev(REC_CALL, RC_CLOSE, 3);
	assert_int_equal(rec_fmt_event(f, &e, line, sizeof line), -1);
	rec_fmt_free(f);
}

static void test_clock_offset_is_tight(void **state)
{
	(void)state;
	int64_t err1, err2;
	int64_t a = rec_clock_offset(200, &err1), b = rec_clock_offset(200, &err2);
	/* Sampled twice, the offset from MONOTONIC to REALTIME agrees within
	 * a microsecond, and each bracket is well under one. */
	assert_true(err1 < 1000 && err2 < 1000);
	assert_true(llabs(a - b) < 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_then_send_has_offset_and_kernel_fields),
		cmocka_unit_test(test_failed_send_after_our_fin_and_error_pending),
		cmocka_unit_test(test_recv_after_eof_does_not_count_the_fin),
		cmocka_unit_test(test_sendmmsg_counts_bytes_not_messages),
		cmocka_unit_test(test_signal_and_exit),
		cmocka_unit_test(test_exit_of_a_process_without_tcp_is_not_told),
		cmocka_unit_test(test_wire_events_parse_as_kernel_events),
		cmocka_unit_test(test_comm_is_escaped_and_ipv6_bracketed),
		cmocka_unit_test(test_too_small_a_buffer_is_refused),
		cmocka_unit_test(test_clock_offset_is_tight),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
