/* test_output.c: the text timeline and JSON lines, byte for byte.
 *
 * Each test writes through out_new() into a memfd, feeds real flow_update()
 * results (so conn, direction and relative numbers are what the tracer would
 * print), frees the writer and compares what reached the file. JSON lines are
 * also parsed with jansson, so an escaping mistake shows as invalid JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "flow.h"
#include "output.h"
#include "testutil.h"

#define SEC ((ts_ns)1000000000)
#define MS  ((ts_ns)1000000)
#define T0  ((ts_ns)1763723790 * SEC) /* 2025-11-21 11:16:30 UTC */

/* ---- fixture ----------------------------------------------------------------- */

struct ox {
	int fd;
	struct out *o;
	struct flow_table *ft;
	uint64_t n;
};

static void ox_open(struct ox *x, int json, enum time_mode tm, int preview)
{
	struct out_opts opts = { 0 };
	opts.json = json;
	opts.time = tm;
	opts.preview = preview;
	memset(x, 0, sizeof *x);
	x->fd = memfd_create("rstscope-test-out", 0);
	assert_true(x->fd >= 0);
	x->o = out_new(x->fd, &opts);
	assert_non_null(x->o);
	x->ft = flow_table_new(NULL, NULL);
	assert_non_null(x->ft);
}

/* Frees the writer (which flushes) and returns everything it wrote. */
static char *ox_close(struct ox *x)
{
	out_free(x->o);
	x->o = NULL;
	char *s = read_fd(x->fd);
	close(x->fd);
	flow_table_free(x->ft);
	return s;
}

static const uint8_t A_CLI[16] = { 10, 0, 0, 1 }, A_SRV[16] = { 10, 0, 0, 2 };
static const uint8_t A6_CLI[16] = { [15] = 1 }, A6_SRV[16] = { [15] = 1 };

/* A segment between the client 10.0.0.1:40494 and the server 10.0.0.2:8999
 * (IPv4) or [::1]:40494 and [::1]:8999 (IPv6); dir 0 is client -> server. */
static struct tcp_segment mk(int family, int dir, uint32_t seq, uint32_t ack, uint8_t flags,
			     const char *data, uint32_t len, uint16_t win)
{
	struct tcp_segment s;
	memset(&s, 0, sizeof s);
	s.family = (uint8_t)family;
	const uint8_t *c = family == 4 ? A_CLI : A6_CLI, *v = family == 4 ? A_SRV : A6_SRV;
	memcpy(s.src, dir ? v : c, 16);
	memcpy(s.dst, dir ? c : v, 16);
	s.sport = dir ? 8999 : 40494;
	s.dport = dir ? 40494 : 8999;
	s.seq = seq;
	s.ack = ack;
	s.flags = flags;
	s.win = win;
	s.len = len;
	s.caplen = data ? len : 0;
	s.payload = (const uint8_t *)data;
	return s;
}

/* Account the segment as the next record and print it. */
static void emit(struct ox *x, ts_ns ts, const struct tcp_segment *s)
{
	struct seg_info in;
	x->n++;
	if (!out_has_start(x->o))
		out_set_start(x->o, ts);
	assert_int_equal(flow_update(x->ft, s, x->n, ts, &in), 0);
	out_segment(x->o, x->n, ts, s, &in);
}

#define S  TCPF_SYN
#define SA (TCPF_SYN | TCPF_ACK)
#define A  TCPF_ACK
#define PA (TCPF_PSH | TCPF_ACK)
#define FA (TCPF_FIN | TCPF_ACK)
#define R  TCPF_RST

/* The seed story, one record per millisecond from T0: records 1-11. */
static void seed_story(struct ox *x)
{
	struct tcp_segment syn = mk(4, 0, 1000, 0, S, NULL, 0, 65495);
	syn.opts.count = 5;
	syn.opts.has_mss = 1;
	syn.opts.mss = 65495;
	syn.opts.sack_ok = 1;
	syn.opts.has_ts = 1;
	syn.opts.ts_val = 1;
	syn.opts.ts_ecr = 0;
	syn.opts.has_wscale = 1;
	syn.opts.wscale = 7;
	struct tcp_segment segs[] = {
		syn,
		mk(4, 1, 5000, 1001, SA, NULL, 0, 512),
		mk(4, 0, 1001, 5001, A, NULL, 0, 512),
		mk(4, 0, 1001, 5001, PA, "hello\n", 6, 512),
		mk(4, 1, 5001, 1007, A, NULL, 0, 512),
		mk(4, 0, 1007, 5001, PA, "dont leave\n", 11, 512),
		mk(4, 1, 5001, 1018, A, NULL, 0, 512),
		mk(4, 1, 5001, 1018, FA, NULL, 0, 512),
		mk(4, 0, 1018, 5002, A, NULL, 0, 512),
		mk(4, 0, 1018, 5002, PA, "are you here?\n", 14, 512),
		mk(4, 1, 5002, 0, R, NULL, 0, 0),
	};
	for (size_t i = 0; i < sizeof segs / sizeof segs[0]; i++)
		emit(x, T0 + (ts_ns)i * MS, &segs[i]);
}

/* Every line of s is one valid JSON object with a "kind". */
static void assert_json_lines(const char *s)
{
	const char *p = s;
	while (*p) {
		const char *nl = strchr(p, '\n');
		assert_non_null(nl);
		json_error_t err;
		json_t *j = json_loadb(p, (size_t)(nl - p), JSON_ALLOW_NUL, &err);
		if (!j)
			fail_msg("invalid JSON (%s): %.*s", err.text, (int)(nl - p), p);
		assert_true(json_is_string(json_object_get(j, "kind")));
		assert_true(json_is_string(json_object_get(j, "ts")));
		json_decref(j);
		p = nl + 1;
	}
}

/* ---- text timeline --------------------------------------------------------------- */

static void test_text_seed_story_lines(void **state)
{
	(void)state;
	struct ox x;
	ox_open(&x, 0, TIME_REL, 1);
	seed_story(&x);
	char *got = ox_close(&x);
	const char *want = "    1   0.000000 #1   10.0.0.1:40494 > 10.0.0.2:8999       [S]     seq "
			   "0 win 65495 len 0"
			   " <mss 65495,sackOK,TS val 1 ecr 0,wscale 7>\n"
			   "    2   0.001000 #1   10.0.0.1:40494 < 10.0.0.2:8999       [S.]    seq "
			   "0 ack 1 win 512 len 0\n"
			   "    3   0.002000 #1   10.0.0.1:40494 > 10.0.0.2:8999       [.]     ack "
			   "1 win 512 len 0\n"
			   "    4   0.003000 #1   10.0.0.1:40494 > 10.0.0.2:8999       [P.]    seq "
			   "1:7 ack 1 win 512 len 6"
			   " \"hello\\n\"\n"
			   "    5   0.004000 #1   10.0.0.1:40494 < 10.0.0.2:8999       [.]     ack "
			   "7 win 512 len 0\n"
			   "    6   0.005000 #1   10.0.0.1:40494 > 10.0.0.2:8999       [P.]    seq "
			   "7:18 ack 1 win 512 len 11"
			   " \"dont leave\\n\"\n"
			   "    7   0.006000 #1   10.0.0.1:40494 < 10.0.0.2:8999       [.]     ack "
			   "18 win 512 len 0\n"
			   "    8   0.007000 #1   10.0.0.1:40494 < 10.0.0.2:8999       [F.]    seq "
			   "1 ack 18 win 512 len 0"
			   "  -- FIN: 10.0.0.2:8999 will send no more (FIN_WAIT); 10.0.0.1:40494 "
			   "is now in CLOSE_WAIT"
			   " and can still send\n"
			   "    9   0.008000 #1   10.0.0.1:40494 > 10.0.0.2:8999       [.]     ack "
			   "2 win 512 len 0\n"
			   "   10   0.009000 #1   10.0.0.1:40494 > 10.0.0.2:8999       [P.]    seq "
			   "18:32 ack 2 win 512 len 14"
			   " \"are you here?\\n\"  -- 14 bytes sent after the peer's FIN (record "
			   "8): the peer may no longer"
			   " have a socket to read them\n"
			   "   11   0.010000 #1   10.0.0.1:40494 < 10.0.0.2:8999       [R]     seq "
			   "2 win 0 len 0"
			   "  -- RST: 10.0.0.2:8999 had closed (FIN) and has no socket for the "
			   "data of record 10;"
			   " 14 bytes are lost\n";
	assert_string_equal(got, want);
	free(got);
}

static void test_text_absolute_sequence_numbers_option(void **state)
{
	(void)state;
	struct ox x;
	struct out_opts opts = { 0 };
	opts.abs_seq = 1;
	memset(&x, 0, sizeof x);
	x.fd = memfd_create("rstscope-test-out", 0);
	x.o = out_new(x.fd, &opts);
	x.ft = flow_table_new(NULL, NULL);
	struct tcp_segment s1 = mk(4, 0, 1000, 0, S, NULL, 0, 512);
	struct tcp_segment s2 = mk(4, 1, 5000, 1001, SA, NULL, 0, 512);
	struct tcp_segment s3 = mk(4, 0, 1001, 5001, PA, "hey", 3, 512);
	emit(&x, T0, &s1);
	emit(&x, T0, &s2);
	emit(&x, T0, &s3);
	char *got = ox_close(&x);
	assert_non_null(strstr(got, "[S.]    seq 5000 ack 1001 win 512 len 0\n"));
	assert_non_null(strstr(got, "[P.]    seq 1001:1004 ack 5001 win 512 len 3\n"));
	free(got);
}

static void test_text_ipv6_endpoints_and_flags_column(void **state)
{
	(void)state;
	struct ox x;
	ox_open(&x, 0, TIME_REL, 0);
	struct tcp_segment s1 = mk(6, 0, 1, 0, S | TCPF_ECE | TCPF_CWR, NULL, 0, 512);
	struct tcp_segment s2 = mk(6, 1, 0, 0, 0, NULL, 0, 512);
	emit(&x, T0, &s1);
	emit(&x, T0 + MS, &s2);
	char *got = ox_close(&x);
	assert_string_equal(got, "    1   0.000000 #1   [::1]:40494 > [::1]:8999             [SEW] "
				 "  seq 0 win 512 len 0\n"
				 "    2   0.001000 #1   [::1]:40494 < [::1]:8999             "
				 "[none]  seq 0 win 512 len 0\n");
	free(got);
}

static void test_text_preview_escapes_and_cuts_after_32_bytes(void **state)
{
	(void)state;
	struct ox x;
	ox_open(&x, 0, TIME_REL, 1);
	static const char ctl[] = "a\"b\\c\n\r\t\x00\x7f\xff";
	static const char longer[] = "0123456789abcdef0123456789ABCDEF++++";
	struct tcp_segment s1 = mk(4, 0, 1, 0, PA, ctl, sizeof ctl - 1, 512);
	struct tcp_segment s2 = mk(4, 0, 1 + 11, 0, PA, longer, 36, 512);
	/* Captured 5 of 10 bytes: marked [cut]. */
	struct tcp_segment s3 = mk(4, 0, 1 + 47, 0, PA, "abcde", 10, 512);
	s3.caplen = 5;
	emit(&x, T0, &s1);
	emit(&x, T0, &s2);
	emit(&x, T0, &s3);
	char *got = ox_close(&x);
	char *l2 = strchr(got, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
	assert_non_null(strstr(got, " len 11 \"a\\\"b\\\\c\\n\\r\\t\\x00\\x7f\\xff\"\n"));
	assert_non_null(strstr(l2, " len 36 \"0123456789abcdef0123456789ABCDEF...\"\n"));
	assert_non_null(strstr(l3, " len 10 \"abcde\"[cut]\n"));
	free(got);
}

static void test_text_truncated_options_are_marked(void **state)
{
	(void)state;
	struct ox x;
	ox_open(&x, 0, TIME_REL, 0);
	struct tcp_segment s = mk(4, 0, 1, 0, S, NULL, 0, 512);
	s.hdr_truncated = 1;
	s.opts.truncated = 1;
	s.opts.count = 1;
	s.opts.has_mss = 1;
	s.opts.mss = 1460;
	emit(&x, T0, &s);
	char *got = ox_close(&x);
	assert_non_null(strstr(got, " len 0 <mss 1460,|tcp>\n"));
	free(got);
}

/* ---- time modes ---------------------------------------------------------------------- */

static char *time_column(enum time_mode tm, ts_ns start, ts_ns ts)
{
	struct ox x;
	ox_open(&x, 0, tm, 0);
	out_set_start(x.o, start);
	ob_time(x.o, ts);
	return ox_close(&x);
}

static void test_number_helpers_at_digit_boundaries(void **state)
{
	(void)state;
	struct ox x;
	ox_open(&x, 0, TIME_REL, 0);
	struct obuf *b = out_buf(x.o);
	static const uint64_t u[] = { 0,
				      9,
				      10,
				      99,
				      100,
				      65535,
				      4294967295u,
				      9999999999999999999ull,
				      10000000000000000000ull,
				      UINT64_MAX };
	for (size_t i = 0; i < sizeof u / sizeof u[0]; i++) {
		ob_u64(b, u[i]);
		ob_char(b, ' ');
	}
	ob_i64(b, -1);
	ob_char(b, ' ');
	ob_i64(b, INT64_MIN);
	ob_char(b, ' ');
	ob_i64(b, INT64_MAX);
	ob_char(b, ' ');
	ob_rjust_u64(b, 7, 5);
	ob_rjust_u64(b, 123456, 5);
	char *got = ox_close(&x);
	assert_string_equal(got,
			    "0 9 10 99 100 65535 4294967295 9999999999999999999 "
			    "10000000000000000000 18446744073709551615 -1 -9223372036854775808 "
			    "9223372036854775807     7123456");
	free(got);
}

static void test_time_relative_right_aligned_in_10_columns(void **state)
{
	(void)state;
	char *s;
	s = time_column(TIME_REL, T0, T0);
	assert_string_equal(s, "  0.000000");
	free(s);
	s = time_column(TIME_REL, T0, T0 + 1234567890); /* microseconds, truncated */
	assert_string_equal(s, "  1.234567");
	free(s);
	s = time_column(TIME_REL, T0, T0 + 123456 * SEC + 1000);
	assert_string_equal(s, "123456.000001");
	free(s);
}

static void test_time_relative_negative_before_start(void **state)
{
	(void)state;
	char *s;
	s = time_column(TIME_REL, T0, T0 - SEC / 2);
	assert_string_equal(s, " -0.500000");
	free(s);
	s = time_column(TIME_REL, T0, T0 - 12 * SEC - 250 * MS);
	assert_string_equal(s, "-12.250000");
	free(s);
}

static void test_time_absolute_is_utc_date_and_microseconds(void **state)
{
	(void)state;
	char *s;
	s = time_column(TIME_ABS, T0, T0 + 123456789);
	assert_string_equal(s, "2025-11-21 11:16:30.123456");
	free(s);
	/* The cached date must change at midnight, in both directions. */
	struct ox x;
	ox_open(&x, 0, TIME_ABS, 0);
	ob_time(x.o, (ts_ns)1763769599 * SEC + 999999999);
	ob_char(out_buf(x.o), '|');
	ob_time(x.o, (ts_ns)1763769600 * SEC);
	ob_char(out_buf(x.o), '|');
	ob_time(x.o, (ts_ns)1763769599 * SEC);
	s = ox_close(&x);
	assert_string_equal(s, "2025-11-21 23:59:59.999999|2025-11-22 00:00:00.000000|"
			       "2025-11-21 23:59:59.000000");
	free(s);
}

static void test_time_epoch_seconds_and_microseconds(void **state)
{
	(void)state;
	char *s = time_column(TIME_EPOCH, 0, T0 + 5000);
	assert_string_equal(s, "1763723790.000005");
	free(s);
}

static void test_time_mode_applies_to_segment_lines(void **state)
{
	(void)state;
	struct ox x;
	ox_open(&x, 0, TIME_ABS, 0);
	struct tcp_segment s = mk(4, 0, 1, 0, S, NULL, 0, 512);
	emit(&x, T0 + 7 * MS, &s);
	char *got = ox_close(&x);
	assert_true(strncmp(got, "    1 2025-11-21 11:16:30.007000 #1 ", 36) == 0);
	free(got);
}

/* ---- JSON lines ---------------------------------------------------------------------- */

static void test_json_seed_story_keys_and_values(void **state)
{
	(void)state;
	struct ox x;
	ox_open(&x, 1, TIME_REL, 1);
	seed_story(&x);
	char *got = ox_close(&x);
	const char *want =
		"{\"kind\":\"segment\",\"ts\":\"1763723790.000000000\",\"n\":1,\"conn\":1,"
		"\"src\":\"10.0.0.1:40494\",\"dst\":\"10.0.0.2:8999\",\"flags\":\"S\",\"seq\":1000,"
		"\"rseq\":0,\"len\":0,\"caplen\":0,\"win\":65495,"
		"\"opts\":{\"mss\":65495,\"wscale\":7,\"sackOK\":true,\"ts\":[1,0]}}\n"
		"{\"kind\":\"segment\",\"ts\":\"1763723790.001000000\",\"n\":2,\"conn\":1,"
		"\"src\":\"10.0.0.2:8999\",\"dst\":\"10.0.0.1:40494\",\"flags\":\"S.\",\"seq\":"
		"5000,"
		"\"ack\":1001,\"rseq\":0,\"rack\":1,\"len\":0,\"caplen\":0,\"win\":512}\n"
		"{\"kind\":\"segment\",\"ts\":\"1763723790.002000000\",\"n\":3,\"conn\":1,"
		"\"src\":\"10.0.0.1:40494\",\"dst\":\"10.0.0.2:8999\",\"flags\":\".\",\"seq\":1001,"
		"\"ack\":5001,\"rseq\":1,\"rack\":1,\"len\":0,\"caplen\":0,\"win\":512}\n"
		"{\"kind\":\"segment\",\"ts\":\"1763723790.003000000\",\"n\":4,\"conn\":1,"
		"\"src\":\"10.0.0.1:40494\",\"dst\":\"10.0.0.2:8999\",\"flags\":\"P.\",\"seq\":"
		"1001,"
		"\"ack\":5001,\"rseq\":1,\"rack\":1,\"len\":6,\"caplen\":6,\"win\":512,"
		"\"data\":\"hello\\n\"}\n"
		"{\"kind\":\"segment\",\"ts\":\"1763723790.004000000\",\"n\":5,\"conn\":1,"
		"\"src\":\"10.0.0.2:8999\",\"dst\":\"10.0.0.1:40494\",\"flags\":\".\",\"seq\":5001,"
		"\"ack\":1007,\"rseq\":1,\"rack\":7,\"len\":0,\"caplen\":0,\"win\":512}\n"
		"{\"kind\":\"segment\",\"ts\":\"1763723790.005000000\",\"n\":6,\"conn\":1,"
		"\"src\":\"10.0.0.1:40494\",\"dst\":\"10.0.0.2:8999\",\"flags\":\"P.\",\"seq\":"
		"1007,"
		"\"ack\":5001,\"rseq\":7,\"rack\":1,\"len\":11,\"caplen\":11,\"win\":512,"
		"\"data\":\"dont leave\\n\"}\n"
		"{\"kind\":\"segment\",\"ts\":\"1763723790.006000000\",\"n\":7,\"conn\":1,"
		"\"src\":\"10.0.0.2:8999\",\"dst\":\"10.0.0.1:40494\",\"flags\":\".\",\"seq\":5001,"
		"\"ack\":1018,\"rseq\":1,\"rack\":18,\"len\":0,\"caplen\":0,\"win\":512}\n"
		"{\"kind\":\"segment\",\"ts\":\"1763723790.007000000\",\"n\":8,\"conn\":1,"
		"\"src\":\"10.0.0.2:8999\",\"dst\":\"10.0.0.1:40494\",\"flags\":\"F.\",\"seq\":"
		"5001,"
		"\"ack\":1018,\"rseq\":1,\"rack\":18,\"len\":0,\"caplen\":0,\"win\":512,"
		"\"note\":\"fin_half_close\"}\n"
		"{\"kind\":\"segment\",\"ts\":\"1763723790.008000000\",\"n\":9,\"conn\":1,"
		"\"src\":\"10.0.0.1:40494\",\"dst\":\"10.0.0.2:8999\",\"flags\":\".\",\"seq\":1018,"
		"\"ack\":5002,\"rseq\":18,\"rack\":2,\"len\":0,\"caplen\":0,\"win\":512}\n"
		"{\"kind\":\"segment\",\"ts\":\"1763723790.009000000\",\"n\":10,\"conn\":1,"
		"\"src\":\"10.0.0.1:40494\",\"dst\":\"10.0.0.2:8999\",\"flags\":\"P.\",\"seq\":"
		"1018,"
		"\"ack\":5002,\"rseq\":18,\"rack\":2,\"len\":14,\"caplen\":14,\"win\":512,"
		"\"note\":\"data_after_peer_fin\",\"fin\":8,\"data\":\"are you here?\\n\"}\n"
		"{\"kind\":\"segment\",\"ts\":\"1763723790.010000000\",\"n\":11,\"conn\":1,"
		"\"src\":\"10.0.0.2:8999\",\"dst\":\"10.0.0.1:40494\",\"flags\":\"R\",\"seq\":5002,"
		"\"rseq\":2,\"len\":0,\"caplen\":0,\"win\":0,"
		"\"note\":\"rst_after_fin\",\"lost\":14,\"answers\":10}\n";
	assert_string_equal(got, want);
	assert_json_lines(got);
	free(got);
}

static void test_json_relative_numbers_null_when_isn_unknown(void **state)
{
	(void)state;
	struct ox x;
	ox_open(&x, 1, TIME_REL, 0);
	/* Mid-connection: no SYN seen either way. */
	struct tcp_segment s1 = mk(4, 0, 777, 888, A, NULL, 0, 512);
	/* A bare RST: no "ack", no "rack". */
	struct tcp_segment s2 = mk(4, 1, 888, 0, R, NULL, 0, 0);
	emit(&x, T0, &s1);
	emit(&x, T0 + 1, &s2);
	char *got = ox_close(&x);
	const char *want =
		"{\"kind\":\"segment\",\"ts\":\"1763723790.000000000\",\"n\":1,\"conn\":1,"
		"\"src\":\"10.0.0.1:40494\",\"dst\":\"10.0.0.2:8999\",\"flags\":\".\",\"seq\":777,"
		"\"ack\":888,\"rseq\":null,\"rack\":null,\"len\":0,\"caplen\":0,\"win\":512}\n"
		"{\"kind\":\"segment\",\"ts\":\"1763723790.000000001\",\"n\":2,\"conn\":1,"
		"\"src\":\"10.0.0.2:8999\",\"dst\":\"10.0.0.1:40494\",\"flags\":\"R\",\"seq\":888,"
		"\"rseq\":null,\"len\":0,\"caplen\":0,\"win\":0,\"note\":\"rst_abort\",\"lost\":0,"
		"\"answers\":null}\n";
	assert_string_equal(got, want);
	assert_json_lines(got);
	free(got);
}

static void test_json_ts_has_nine_decimals(void **state)
{
	(void)state;
	struct ox x;
	ox_open(&x, 0, TIME_REL, 0);
	struct obuf *b = out_buf(x.o);
	ob_ts_json(b, T0 + 1);
	ob_ts_json(b, T0 + 999999999);
	ob_ts_json(b, 0);
	ob_ts_json(b, 5 * SEC + 120 * MS);
	char *got = ox_close(&x);
	assert_string_equal(got, "\"1763723790.000000001\"\"1763723790.999999999\""
				 "\"0.000000000\"\"5.120000000\"");
	free(got);
}

static void test_json_ipv6_endpoints_are_bracketed(void **state)
{
	(void)state;
	struct ox x;
	ox_open(&x, 1, TIME_REL, 0);
	struct tcp_segment s1 = mk(6, 0, 1, 0, S, NULL, 0, 512);
	struct tcp_segment s2 = mk(6, 1, 9, 2, SA, NULL, 0, 512);
	emit(&x, T0, &s1);
	emit(&x, T0, &s2);
	char *got = ox_close(&x);
	assert_non_null(
		strstr(got, "\"n\":1,\"conn\":1,\"src\":\"[::1]:40494\",\"dst\":\"[::1]:8999\""));
	assert_non_null(
		strstr(got, "\"n\":2,\"conn\":1,\"src\":\"[::1]:8999\",\"dst\":\"[::1]:40494\""));
	assert_json_lines(got);
	free(got);
}

static void test_json_truncated_header_is_flagged(void **state)
{
	(void)state;
	struct ox x;
	ox_open(&x, 1, TIME_REL, 0);
	struct tcp_segment s = mk(4, 0, 1, 0, S, NULL, 0, 512);
	s.hdr_truncated = 1;
	s.opts.truncated = 1;
	emit(&x, T0, &s);
	char *got = ox_close(&x);
	assert_non_null(strstr(got, "\"win\":512,\"truncated\":true}\n"));
	assert_json_lines(got);
	free(got);
}

/* The "data" value for payload p[0..n). */
static char *json_data_for(const void *p, size_t n)
{
	struct ox x;
	ox_open(&x, 1, TIME_REL, 1);
	struct tcp_segment s = mk(4, 0, 1, 0, PA, p, (uint32_t)n, 512);
	emit(&x, T0, &s);
	char *got = ox_close(&x);
	assert_json_lines(got);
	char *d = strstr(got, ",\"data\":\"");
	assert_non_null(d);
	d += strlen(",\"data\":\"");
	size_t len = strlen(d);
	assert_true(len >= 3 && strcmp(d + len - 3, "\"}\n") == 0);
	char *v = strndup(d, len - 3);
	free(got);
	return v;
}

static void test_json_preview_escapes_quotes_backslash_and_controls(void **state)
{
	(void)state;
	static const char p[] = "q\"b\\n\nr\rt\t\x01\x1f\x7f ~";
	char *v = json_data_for(p, sizeof p - 1);
	assert_string_equal(v, "q\\\"b\\\\n\\nr\\rt\\t\\u0001\\u001f\\u007f ~");
	free(v);
	static const uint8_t nul[] = { 'a', 0, 'b' };
	v = json_data_for(nul, sizeof nul);
	assert_string_equal(v, "a\\u0000b");
	free(v);
}

static void test_json_preview_keeps_valid_utf8(void **state)
{
	(void)state;
	/* e-acute (2 bytes), euro (3), U+FFFD (3), an emoji (4), U+10FFFF (4). */
	static const char p[] =
		"caf\xc3\xa9 \xe2\x82\xac \xef\xbf\xbd \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf";
	char *v = json_data_for(p, sizeof p - 1);
	assert_string_equal(v, p);
	free(v);
}

/* The "data_b64" value for payload p[0..n), checking there is no "data". */
static char *json_b64_for(const void *p, size_t n, uint32_t caplen)
{
	struct ox x;
	ox_open(&x, 1, TIME_REL, 1);
	struct tcp_segment s = mk(4, 0, 1, 0, PA, p, (uint32_t)n, 512);
	s.caplen = caplen;
	emit(&x, T0, &s);
	char *got = ox_close(&x);
	assert_json_lines(got);
	assert_null(strstr(got, ",\"data\":"));
	char *d = strstr(got, ",\"data_b64\":\"");
	if (!d)
		fail_msg("no data_b64 in %s", got);
	d += strlen(",\"data_b64\":\"");
	char *v = strndup(d, strcspn(d, "\""));
	free(got);
	return v;
}

/* Bytes that are not valid UTF-8 are never shown as text, where \u00XX
 * would read as a character: base64, which gives them back exactly. */
static void test_json_preview_invalid_utf8_is_base64(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "\xff", "/w==" },		 /* never valid */
		{ "\x80", "gA==" },		 /* lone continuation */
		{ "a\xc3", "YcM=" },		 /* lead byte at the end */
		{ "\xc3(", "wyg=" },		 /* lead without continuation */
		{ "\xc0\xaf", "wK8=" },		 /* overlong '/' */
		{ "\xe0\x80\xaf", "4ICv" },	 /* overlong 3-byte */
		{ "\xf0\x80\x80\xaf", "8ICArw==" }, /* overlong 4-byte */
		{ "\xed\xa0\x80", "7aCA" },	 /* surrogate U+D800 */
		{ "\xf4\x90\x80\x80", "9JCAgA==" }, /* past U+10FFFF */
		{ "\xf5\x80\x80\x80", "9YCAgA==" }, /* f5: never valid */
		{ "\xe2\x82(", "4oIo" },		 /* bad third byte */
		{ "\xff\xfe\x00" "A", "//4AQQ==" },	 /* with a NUL */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = strlen(cases[i].in);
		if (i == sizeof cases / sizeof cases[0] - 1)
			n = 4;
		char *v = json_b64_for(cases[i].in, n, (uint32_t)n);
		if (strcmp(v, cases[i].want) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, v, cases[i].want);
		free(v);
	}
	/* U+D7FF is valid: text. */
	char *v = json_data_for("\xed\x9f\xbf", 3);
	assert_string_equal(v, "\xed\x9f\xbf");
	free(v);
}

static void test_json_preview_never_completes_a_character_past_the_cut(void **state)
{
	(void)state;
	/* caplen stops after the lead byte of an e-acute: the byte after it
	 * is not captured and must not be read to complete the character;
	 * the two bytes and a lead byte are not UTF-8: base64. */
	static const char cut[] = "ab\xc3\xa9";
	char *v = json_b64_for(cut, 4, 3);
	assert_string_equal(v, "YWLD");
	free(v);
	/* Likewise at the 64-byte preview cap: byte 63 leads a 2-byte character. */
	char p[80];
	memset(p, 'x', sizeof p);
	p[63] = (char)0xc3;
	p[64] = (char)0xa9;
	v = json_b64_for(p, sizeof p, sizeof p);
	assert_int_equal(strlen(v), 88); /* 64 bytes */
	assert_string_equal(v + 84, "ww=="); /* 63 x, then 0xc3 */
	free(v);
}

static void test_json_preview_is_capped_at_64_bytes(void **state)
{
	(void)state;
	char p[100];
	for (int i = 0; i < 100; i++)
		p[i] = (char)('0' + i % 10);
	char *v = json_data_for(p, sizeof p);
	assert_int_equal(strlen(v), 64);
	assert_memory_equal(v, p, 64);
	free(v);
}

static void test_json_no_data_key_without_preview_or_payload(void **state)
{
	(void)state;
	struct ox x;
	ox_open(&x, 1, TIME_REL, 0);
	struct tcp_segment s = mk(4, 0, 1, 0, PA, "secret", 6, 512);
	emit(&x, T0, &s);
	char *got = ox_close(&x);
	assert_null(strstr(got, "\"data\""));
	assert_null(strstr(got, "secret"));
	free(got);
	/* Preview on, but nothing captured (len 6, caplen 0). */
	ox_open(&x, 1, TIME_REL, 1);
	s = mk(4, 0, 1, 0, PA, NULL, 6, 512);
	emit(&x, T0, &s);
	got = ox_close(&x);
	assert_null(strstr(got, "\"data\""));
	assert_non_null(strstr(got, "\"len\":6,\"caplen\":0,"));
	free(got);
}

/* ---- summaries -------------------------------------------------------------------------- */

static struct conn *seed_conn(struct ox *x)
{
	seed_story(x);
	struct conn *c = flow_lookup(x->ft, 4, A_CLI, 40494, A_SRV, 8999, NULL);
	assert_non_null(c);
	return c;
}

static void test_text_summary_of_reset_connection(void **state)
{
	(void)state;
	struct ox x;
	ox_open(&x, 0, TIME_REL, 0);
	struct conn *c = seed_conn(&x);
	out_flush(x.o);
	size_t before = (size_t)lseek(x.fd, 0, SEEK_END);
	out_summary(x.o, c);
	char *all = ox_close(&x);
	assert_string_equal(all + before,
			    "#1 10.0.0.1:40494 <-> 10.0.0.2:8999: client 6 segments, 31 bytes; "
			    "server 5 segments, 0 bytes\n"
			    "    ended: FIN from server (record 8); RST from server (record 11) "
			    "answering record 10: 14 bytes lost\n");
	free(all);
}

static void test_text_summary_open_connections_and_send_counters(void **state)
{
	(void)state;
	struct ox x;
	ox_open(&x, 0, TIME_REL, 0);
	struct tcp_segment s1 = mk(4, 0, 1000, 0, S, NULL, 0, 512);
	emit(&x, T0, &s1);
	struct conn *c = flow_lookup(x.ft, 4, A_CLI, 40494, A_SRV, 8999, NULL);
	out_flush(x.o);
	size_t before = (size_t)lseek(x.fd, 0, SEEK_END);
	out_summary(x.o, c);
	/* Mid-connection, a retransmission, and the correlator's counters. */
	struct conn m = *c;
	m.syn_seen = 0;
	m.side[0].pkts = 1;
	m.side[0].bytes = 1;
	m.side[0].retrans = 2;
	m.calls.calls = 4;
	m.calls.sends = 3;
	m.calls.sends_failed = 1;
	m.calls.bytes_sent_ok = 31;
	m.calls.bytes_acked = 17;
	m.calls.bytes_lost = 14;
	out_summary(x.o, &m);
	char *all = ox_close(&x);
	assert_string_equal(
		all + before,
		"#1 10.0.0.1:40494 <-> 10.0.0.2:8999: client 1 segment, 0 bytes; "
		"server 0 segments, 0 bytes\n"
		"    ended: still open at the end of the capture\n"
		"#1 10.0.0.1:40494 <-> 10.0.0.2:8999: client 1 segment, 1 byte "
		"(2 retransmitted); server 0 segments, 0 bytes\n"
		"    calls: 3 sends (1 failed), 31 bytes accepted by send(), 17 acknowledged, "
		"14 lost\n"
		"    ended: still open (no SYN seen: the capture began mid-connection)\n");
	free(all);
}

static void test_text_summary_both_fins(void **state)
{
	(void)state;
	struct ox x;
	ox_open(&x, 0, TIME_REL, 0);
	struct tcp_segment s[] = {
		mk(4, 0, 1000, 0, S, NULL, 0, 512),
		mk(4, 1, 5000, 1001, SA, NULL, 0, 512),
		mk(4, 0, 1001, 5001, FA, NULL, 0, 512),
		mk(4, 1, 5001, 1002, FA, NULL, 0, 512),
	};
	for (size_t i = 0; i < 4; i++)
		emit(&x, T0, &s[i]);
	struct conn *c = flow_lookup(x.ft, 4, A_CLI, 40494, A_SRV, 8999, NULL);
	out_flush(x.o);
	size_t before = (size_t)lseek(x.fd, 0, SEEK_END);
	out_summary(x.o, c);
	char *all = ox_close(&x);
	assert_non_null(
		strstr(all + before,
		       "    ended: FIN from client (record 3), FIN from server (record 4)\n"));
	free(all);
}

static void test_json_summary_with_fin_and_rst_record_numbers(void **state)
{
	(void)state;
	struct ox x;
	ox_open(&x, 1, TIME_REL, 0);
	struct conn *c = seed_conn(&x);
	out_flush(x.o);
	size_t before = (size_t)lseek(x.fd, 0, SEEK_END);
	out_summary(x.o, c);
	char *all = ox_close(&x);
	assert_string_equal(
		all + before,
		"{\"kind\":\"summary\",\"ts\":\"1763723790.010000000\",\"conn\":1,"
		"\"src\":\"10.0.0.1:40494\",\"dst\":\"10.0.0.2:8999\",\"sends\":0,"
		"\"sends_failed\":0,\"bytes_sent_ok\":0,\"bytes_acked\":0,\"bytes_lost\":14,"
		"\"fin\":8,\"rst\":11,\"fin_from\":\"dst\",\"rst_from\":\"dst\","
		"\"rst_answers\":10,\"wire_lost\":14,\"pkts\":[6,5],\"bytes\":[31,0],"
		"\"syn\":true}\n");
	assert_json_lines(all);
	free(all);
}

static void test_json_summary_nulls_when_no_fin_or_rst(void **state)
{
	(void)state;
	struct ox x;
	ox_open(&x, 1, TIME_REL, 0);
	struct tcp_segment s1 = mk(4, 0, 1, 2, A, NULL, 0, 512);
	emit(&x, T0 + 3, &s1);
	struct conn *c = flow_lookup(x.ft, 4, A_CLI, 40494, A_SRV, 8999, NULL);
	out_flush(x.o);
	size_t before = (size_t)lseek(x.fd, 0, SEEK_END);
	out_summary(x.o, c);
	/* With send-log counters, bytes_lost comes from them, wire_lost from the wire. */
	struct conn m = *c;
	m.calls.calls = 2;
	m.calls.sends = 2;
	m.calls.bytes_sent_ok = 20;
	m.calls.bytes_lost = 5;
	m.lost = 7;
	out_summary(x.o, &m);
	char *all = ox_close(&x);
	assert_string_equal(
		all + before,
		"{\"kind\":\"summary\",\"ts\":\"1763723790.000000003\",\"conn\":1,"
		"\"src\":\"10.0.0.1:40494\",\"dst\":\"10.0.0.2:8999\",\"sends\":0,"
		"\"sends_failed\":0,\"bytes_sent_ok\":0,\"bytes_acked\":0,\"bytes_lost\":0,"
		"\"fin\":null,\"rst\":null,\"fin_from\":null,\"rst_from\":null,"
		"\"rst_answers\":null,\"wire_lost\":0,\"pkts\":[1,0],\"bytes\":[0,0],"
		"\"syn\":false}\n"
		"{\"kind\":\"summary\",\"ts\":\"1763723790.000000003\",\"conn\":1,"
		"\"src\":\"10.0.0.1:40494\",\"dst\":\"10.0.0.2:8999\",\"sends\":2,"
		"\"sends_failed\":0,\"bytes_sent_ok\":20,\"bytes_acked\":0,\"bytes_lost\":5,"
		"\"fin\":null,\"rst\":null,\"fin_from\":null,\"rst_from\":null,"
		"\"rst_answers\":null,\"wire_lost\":7,\"pkts\":[1,0],\"bytes\":[0,0],"
		"\"syn\":false}\n");
	assert_json_lines(all);
	free(all);
}

/* ---- buffering and errors ---------------------------------------------------------------- */

static void test_out_text_only_in_text_mode(void **state)
{
	(void)state;
	struct ox x;
	ox_open(&x, 0, TIME_REL, 0);
	out_text(x.o, "capture: 3 records");
	char *got = ox_close(&x);
	assert_string_equal(got, "capture: 3 records\n");
	free(got);
	ox_open(&x, 1, TIME_REL, 0);
	out_text(x.o, "capture: 3 records");
	got = ox_close(&x);
	assert_string_equal(got, "");
	free(got);
}

static void test_output_is_buffered_until_flush_unless_line_buffered(void **state)
{
	(void)state;
	struct ox x;
	ox_open(&x, 0, TIME_REL, 0);
	struct tcp_segment s = mk(4, 0, 1, 0, S, NULL, 0, 512);
	emit(&x, T0, &s);
	assert_int_equal(lseek(x.fd, 0, SEEK_END), 0);
	assert_int_equal(out_flush(x.o), 0);
	assert_true(lseek(x.fd, 0, SEEK_END) > 0);
	free(ox_close(&x));

	struct out_opts opts = { 0 };
	opts.line_buffered = 1;
	memset(&x, 0, sizeof x);
	x.fd = memfd_create("rstscope-test-out", 0);
	x.o = out_new(x.fd, &opts);
	x.ft = flow_table_new(NULL, NULL);
	emit(&x, T0, &s);
	char *now = read_fd(x.fd);
	assert_true(strlen(now) > 0 && now[strlen(now) - 1] == '\n');
	free(now);
	free(ox_close(&x));
}

static void test_many_lines_cross_buffer_boundaries_intact(void **state)
{
	(void)state;
	struct ox x;
	ox_open(&x, 1, TIME_REL, 1);
	enum { N = 30000 };
	static const char data[] = "0123456789012345678901234567890123456789";
	for (uint32_t i = 0; i < N; i++) {
		struct tcp_segment s = mk(4, 0, 1 + i * 40, 0, PA, data, 40, 512);
		emit(&x, T0 + i, &s);
	}
	char *got = ox_close(&x);
	assert_true(strlen(got) > (1u << 20)); /* more than one buffer */
	size_t lines = 0;
	for (char *p = got, *nl; (nl = strchr(p, '\n')); p = nl + 1) {
		char want[32];
		snprintf(want, sizeof want, "\"n\":%zu,", lines + 1);
		if (!strstr(p, want) || strstr(p, want) > nl)
			fail_msg("line %zu is not record %zu", lines + 1, lines + 1);
		lines++;
	}
	assert_int_equal(lines, N);
	free(got);
}

static void test_long_line_after_a_nearly_full_buffer_is_written_whole(void **state)
{
	(void)state;
	struct ox x;
	ox_open(&x, 0, TIME_REL, 0);
	size_t big = OUT_BUF_SIZE / 2;
	char *line = malloc(big + 1);
	assert_non_null(line);
	memset(line, 'a', 1000);
	line[1000] = '\0';
	/* Lines of 1001 bytes up to just under the point where a line-end
	 * flushes (the buffer less OUT_LINE_MAX): then less than OUT_LINE_MAX
	 * is free, and nothing has been written yet. */
	size_t k = (OUT_BUF_SIZE - OUT_LINE_MAX) / 1001;
	for (size_t i = 0; i < k; i++)
		out_text(x.o, line);
	assert_int_equal(lseek(x.fd, 0, SEEK_END), 0);
	memset(line, 'b', big);
	line[big] = '\0';
	out_text(x.o, line);
	char *got = ox_close(&x);
	assert_int_equal(strlen(got), k * 1001 + big + 1);
	assert_memory_equal(got + k * 1001, line, big);
	assert_int_equal(got[k * 1001 + big], '\n');
	free(got);
	free(line);
}

static void test_line_longer_than_the_buffer_is_cut_not_overflowed(void **state)
{
	(void)state;
	struct ox x;
	ox_open(&x, 0, TIME_REL, 0);
	size_t n = OUT_BUF_SIZE + OUT_BUF_SIZE / 2; /* more than the buffer */
	char *line = malloc(n + 1);
	assert_non_null(line);
	memset(line, 'c', n);
	line[n] = '\0';
	out_text(x.o, line);
	out_text(x.o, "next");
	char *got = ox_close(&x);
	size_t len = strlen(got);
	assert_true(len < n);
	assert_true(len >= 5 && strcmp(got + len - 5, "next\n") == 0);
	free(got);
	free(line);
}

static void test_flush_reports_write_failure_and_remembers_it(void **state)
{
	(void)state;
	struct out_opts opts = { 0 };
	int fd = memfd_create("rstscope-test-out", 0);
	assert_true(fd >= 0);
	struct out *o = out_new(fd, &opts);
	assert_non_null(o);
	out_text(o, "x");
	close(fd); /* the write fails with EBADF */
	assert_int_equal(out_flush(o), -1);
	/* The descriptor works again, but a line was lost: still -1. */
	int again = memfd_create("rstscope-test-out", 0);
	assert_true(again >= 0);
	assert_int_equal(dup2(again, fd), fd);
	out_text(o, "y");
	assert_int_equal(out_flush(o), -1);
	char *got = read_fd(fd);
	assert_string_equal(got, "y\n");
	free(got);
	out_free(o);
	out_free(NULL);
	close(fd);
	close(again);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_seed_story_lines),
		cmocka_unit_test(test_text_absolute_sequence_numbers_option),
		cmocka_unit_test(test_text_ipv6_endpoints_and_flags_column),
		cmocka_unit_test(test_text_preview_escapes_and_cuts_after_32_bytes),
		cmocka_unit_test(test_text_truncated_options_are_marked),
		cmocka_unit_test(test_number_helpers_at_digit_boundaries),
		cmocka_unit_test(test_time_relative_right_aligned_in_10_columns),
		cmocka_unit_test(test_time_relative_negative_before_start),
		cmocka_unit_test(test_time_absolute_is_utc_date_and_microseconds),
		cmocka_unit_test(test_time_epoch_seconds_and_microseconds),
		cmocka_unit_test(test_time_mode_applies_to_segment_lines),
		cmocka_unit_test(test_json_seed_story_keys_and_values),
		cmocka_unit_test(test_json_relative_numbers_null_when_isn_unknown),
		cmocka_unit_test(test_json_ts_has_nine_decimals),
		cmocka_unit_test(test_json_ipv6_endpoints_are_bracketed),
		cmocka_unit_test(test_json_truncated_header_is_flagged),
		cmocka_unit_test(test_json_preview_escapes_quotes_backslash_and_controls),
		cmocka_unit_test(test_json_preview_keeps_valid_utf8),
		cmocka_unit_test(test_json_preview_invalid_utf8_is_base64),
		cmocka_unit_test(test_json_preview_never_completes_a_character_past_the_cut),
		cmocka_unit_test(test_json_preview_is_capped_at_64_bytes),
		cmocka_unit_test(test_json_no_data_key_without_preview_or_payload),
		cmocka_unit_test(test_text_summary_of_reset_connection),
		cmocka_unit_test(test_text_summary_open_connections_and_send_counters),
		cmocka_unit_test(test_text_summary_both_fins),
		cmocka_unit_test(test_json_summary_with_fin_and_rst_record_numbers),
		cmocka_unit_test(test_json_summary_nulls_when_no_fin_or_rst),
		cmocka_unit_test(test_out_text_only_in_text_mode),
		cmocka_unit_test(test_output_is_buffered_until_flush_unless_line_buffered),
		cmocka_unit_test(test_many_lines_cross_buffer_boundaries_intact),
		cmocka_unit_test(test_long_line_after_a_nearly_full_buffer_is_written_whole),
		cmocka_unit_test(test_line_longer_than_the_buffer_is_cut_not_overflowed),
		cmocka_unit_test(test_flush_reports_write_failure_and_remembers_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
