/* test_sendlog.c: the send-log reader: every event kind and field, addresses,
 * timestamps, malformed lines (each rejected with its reason and line
 * number, the rest still read), data escapes, and follow mode (the log does
 * not exist yet, grows, is truncated and rewritten). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "sendlog.h"

#define SEC ((ts_ns)1000000000)

/* ---- helpers ------------------------------------------------------------------ */

static struct call parse_ok(const char *line)
{
	struct call c;
	char err[256] = "";
	if (sendlog_parse_line(line, strlen(line), 7, &c, err, sizeof err) != 0)
		fail_msg("rejected (%s): %s", err, line);
	assert_int_equal(c.line, 7);
	return c;
}

/* Rejected, with a reason that mentions `why` ("": any reason). */
static void parse_bad(const char *line, const char *why)
{
	struct call c;
	char err[256] = "";
	if (sendlog_parse_line(line, strlen(line), 3, &c, err, sizeof err) != -1)
		fail_msg("accepted: %s", line);
	if (!err[0] || !strstr(err, why))
		fail_msg("reason '%s' does not mention '%s' for: %s", err, why, line);
}

static const uint8_t lo4[4] = { 127, 0, 0, 1 };

#define TS    "\"ts\":\"1763723790.123456789\","
#define TS_NS ((ts_ns)1763723790 * SEC + 123456789)
#define EP    "\"local\":\"127.0.0.1:40494\",\"peer\":\"127.0.0.1:8999\""

static void assert_ep4(const struct call *c)
{
	assert_int_equal(c->has_ep, 1);
	assert_int_equal(c->family, 4);
	assert_memory_equal(c->laddr, lo4, 4);
	assert_memory_equal(c->paddr, lo4, 4);
	assert_int_equal(c->lport, 40494);
	assert_int_equal(c->pport, 8999);
}

/* ---- every event kind ------------------------------------------------------------ */

static void test_connect_every_field(void **state)
{
	(void)state;
	struct call c = parse_ok("{" TS "\"pid\":4242,\"event\":\"connect\",\"fd\":3," EP
				 ",\"ret\":0,\"errno\":null}");
	assert_int_equal(c.ts, TS_NS);
	assert_int_equal(c.pid, 4242);
	assert_int_equal(c.event, EV_CONNECT);
	assert_int_equal(c.fd, 3);
	assert_ep4(&c);
	assert_int_equal(c.ret, 0);
	assert_string_equal(c.err, "");
	assert_int_equal(c.len, -1); /* absent */
	assert_int_equal(c.off, -1);
	assert_int_equal(c.has_data, 0);
	assert_string_equal(sendlog_event_name(c.event), "connect");
}

static void test_connect_failed_with_errno(void **state)
{
	(void)state;
	struct call c = parse_ok("{" TS "\"pid\":1,\"event\":\"connect\",\"fd\":3," EP
				 ",\"ret\":-1,\"errno\":\"ECONNREFUSED\"}");
	assert_int_equal(c.ret, -1);
	assert_string_equal(c.err, "ECONNREFUSED");
}

static void test_accept_every_field(void **state)
{
	(void)state;
	struct call c = parse_ok("{" TS "\"pid\":4241,\"event\":\"accept\",\"fd\":4,"
				 "\"local\":\"127.0.0.1:8999\",\"peer\":\"127.0.0.1:40494\","
				 "\"ret\":6,\"errno\":null}");
	assert_int_equal(c.event, EV_ACCEPT);
	assert_int_equal(c.pid, 4241);
	assert_int_equal(c.fd, 4);
	assert_int_equal(c.ret, 6);
	assert_int_equal(c.lport, 8999);
	assert_int_equal(c.pport, 40494);
	assert_string_equal(sendlog_event_name(c.event), "accept");
}

static void test_send_every_field(void **state)
{
	(void)state;
	/* DESIGN.md's example line */
	struct call c = parse_ok(
		"{\"ts\":\"1763723790.123456789\",\"pid\":4242,\"event\":\"send\",\"fd\":3,"
		"\"local\":\"127.0.0.1:40494\",\"peer\":\"127.0.0.1:8999\","
		"\"len\":14,\"ret\":14,\"errno\":null,\"off\":6,\"flags\":\"\",\"data\":\"are you "
		"here?\\n\"}");
	assert_int_equal(c.ts, TS_NS);
	assert_int_equal(c.event, EV_SEND);
	assert_int_equal(c.pid, 4242);
	assert_int_equal(c.fd, 3);
	assert_ep4(&c);
	assert_int_equal(c.len, 14);
	assert_int_equal(c.ret, 14);
	assert_string_equal(c.err, "");
	assert_int_equal(c.off, 6);
	assert_string_equal(c.flags, "");
	assert_int_equal(c.nosignal, 0);
	assert_int_equal(c.has_data, 1);
	assert_int_equal(c.data_len, 14);
	assert_memory_equal(c.data, "are you here?\n", 14);
	assert_string_equal(sendlog_event_name(c.event), "send");
}

static void test_send_failed_epipe_and_nosignal_flag(void **state)
{
	(void)state;
	struct call c =
		parse_ok("{" TS "\"pid\":1,\"event\":\"send\",\"fd\":3," EP
			 ",\"len\":5,\"ret\":-1,\"errno\":\"EPIPE\",\"off\":31,\"flags\":\"\"}");
	assert_int_equal(c.ret, -1);
	assert_string_equal(c.err, "EPIPE");
	assert_int_equal(c.off, 31);
	assert_int_equal(c.nosignal, 0);
	c = parse_ok(
		"{" TS "\"pid\":1,\"event\":\"send\",\"fd\":3," EP
		",\"len\":5,\"ret\":-1,\"errno\":\"EPIPE\",\"off\":31,\"flags\":\"MSG_NOSIGNAL\"}");
	assert_string_equal(c.flags, "MSG_NOSIGNAL");
	assert_int_equal(c.nosignal, 1);
	c = parse_ok("{" TS "\"pid\":1,\"event\":\"send\",\"fd\":3," EP
		     ",\"len\":5,\"ret\":-1,\"errno\":\"EPIPE\",\"off\":31,\"flags\":\"MSG_"
		     "DONTWAIT|MSG_NOSIGNAL\"}");
	assert_string_equal(c.flags, "MSG_DONTWAIT|MSG_NOSIGNAL");
	assert_int_equal(c.nosignal, 1);
	c = parse_ok("{" TS "\"pid\":1,\"event\":\"send\",\"fd\":3," EP
		     ",\"len\":5,\"ret\":5,\"errno\":null,\"off\":31,\"flags\":\"MSG_MORE\"}");
	assert_int_equal(c.nosignal, 0);
	/* a failed send needs no offset */
	c = parse_ok("{" TS "\"pid\":1,\"event\":\"send\",\"fd\":3," EP
		     ",\"len\":5,\"ret\":-1,\"errno\":\"EPIPE\"}");
	assert_int_equal(c.off, -1);
}

static void test_recv_every_field(void **state)
{
	(void)state;
	struct call c = parse_ok("{" TS "\"pid\":4241,\"event\":\"recv\",\"fd\":6," EP
				 ",\"len\":64,\"ret\":6,\"errno\":null,\"off\":0,\"flags\":\"\","
				 "\"data\":\"hello\\n\"}");
	assert_int_equal(c.event, EV_RECV);
	assert_int_equal(c.fd, 6);
	assert_int_equal(c.len, 64);
	assert_int_equal(c.ret, 6);
	assert_int_equal(c.off, 0);
	assert_int_equal(c.data_len, 6);
	assert_memory_equal(c.data, "hello\n", 6);
	/* end of stream: no data */
	c = parse_ok("{" TS "\"pid\":4241,\"event\":\"recv\",\"fd\":6," EP
		     ",\"len\":64,\"ret\":0,\"errno\":null,\"off\":17,\"flags\":\"\"}");
	assert_int_equal(c.ret, 0);
	assert_int_equal(c.off, 17);
	assert_int_equal(c.has_data, 0);
	assert_int_equal(c.data_len, 0);
	assert_string_equal(sendlog_event_name(EV_RECV), "recv");
}

static void test_shutdown_every_field(void **state)
{
	(void)state;
	struct call c = parse_ok("{" TS "\"pid\":1,\"event\":\"shutdown\",\"fd\":3," EP
				 ",\"how\":\"SHUT_WR\",\"ret\":0,\"errno\":null}");
	assert_int_equal(c.event, EV_SHUTDOWN);
	assert_string_equal(c.how, "SHUT_WR");
	assert_int_equal(c.ret, 0);
	assert_ep4(&c);
	assert_string_equal(sendlog_event_name(EV_SHUTDOWN), "shutdown");
}

static void test_close_every_field(void **state)
{
	(void)state;
	struct call c = parse_ok("{" TS "\"pid\":1,\"event\":\"close\",\"fd\":3," EP
				 ",\"ret\":0,\"errno\":null}");
	assert_int_equal(c.event, EV_CLOSE);
	assert_int_equal(c.fd, 3);
	assert_int_equal(c.ret, 0);
	assert_ep4(&c);
	assert_string_equal(sendlog_event_name(EV_CLOSE), "close");
}

static void test_signal_every_field(void **state)
{
	(void)state;
	static const char *const disp[] = { "default", "ignore", "handler" };
	for (int i = 0; i < 3; i++) {
		char line[256];
		snprintf(line, sizeof line,
			 "{" TS "\"pid\":4242,\"event\":\"signal\",\"sig\":\"SIGPIPE\","
				"\"disposition\":\"%s\"}",
			 disp[i]);
		struct call c = parse_ok(line);
		assert_int_equal(c.event, EV_SIGNAL);
		assert_int_equal(c.pid, 4242);
		assert_string_equal(c.sig, "SIGPIPE");
		assert_string_equal(c.disposition, disp[i]);
		assert_int_equal(c.has_ep, 0);
		assert_int_equal(c.fd, -1);
	}
	assert_string_equal(sendlog_event_name(EV_SIGNAL), "signal");
}

static void test_exit_status_and_signal(void **state)
{
	(void)state;
	struct call c =
		parse_ok("{" TS "\"pid\":4261,\"event\":\"exit\",\"status\":0,\"signal\":null}");
	assert_int_equal(c.event, EV_EXIT);
	assert_int_equal(c.status, 0);
	assert_string_equal(c.exit_sig, "");
	c = parse_ok("{" TS "\"pid\":4262,\"event\":\"exit\",\"status\":3,\"signal\":null}");
	assert_int_equal(c.status, 3);
	c = parse_ok("{" TS
		     "\"pid\":4262,\"event\":\"exit\",\"status\":null,\"signal\":\"SIGPIPE\"}");
	assert_int_equal(c.pid, 4262);
	assert_int_equal(c.status, -1);
	assert_string_equal(c.exit_sig, "SIGPIPE");
	assert_string_equal(sendlog_event_name(EV_EXIT), "exit");
	assert_string_equal(sendlog_event_name((enum call_event)99), "?");
}

/* ---- addresses, timestamps, unknown fields ------------------------------------- */

static void test_ipv6_bracketed_endpoints(void **state)
{
	(void)state;
	struct call c = parse_ok(
		"{" TS "\"pid\":1,\"event\":\"connect\",\"fd\":3,"
		"\"local\":\"[::1]:40494\",\"peer\":\"[::1]:8999\",\"ret\":0,\"errno\":null}");
	static const uint8_t lo6[16] = { [15] = 1 };
	assert_int_equal(c.has_ep, 1);
	assert_int_equal(c.family, 6);
	assert_memory_equal(c.laddr, lo6, 16);
	assert_memory_equal(c.paddr, lo6, 16);
	assert_int_equal(c.lport, 40494);
	assert_int_equal(c.pport, 8999);
	c = parse_ok("{" TS "\"pid\":1,\"event\":\"connect\",\"fd\":3,"
		     "\"local\":\"[2001:db8::a:b]:1\",\"peer\":\"[fe80::1%lo]:65535\",\"ret\":0,"
		     "\"errno\":null}");
	static const uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [13] = 0x0a, [15] = 0x0b };
	static const uint8_t ll6[16] = { 0xfe, 0x80, [15] = 1 };
	assert_memory_equal(c.laddr, a6, 16);
	assert_memory_equal(c.paddr, ll6, 16); /* the scope id names an interface */
	assert_int_equal(c.lport, 1);
	assert_int_equal(c.pport, 65535);
}

static void test_ts_with_9_6_and_1_decimals(void **state)
{
	(void)state;
	struct call c = parse_ok(
		"{\"ts\":\"1763723790.000000001\",\"pid\":1,\"event\":\"exit\",\"status\":0}");
	assert_int_equal(c.ts, (ts_ns)1763723790 * SEC + 1);
	c = parse_ok("{\"ts\":\"1763723790.123456\",\"pid\":1,\"event\":\"exit\",\"status\":0}");
	assert_int_equal(c.ts, (ts_ns)1763723790 * SEC + 123456000);
	c = parse_ok("{\"ts\":\"1763723790.5\",\"pid\":1,\"event\":\"exit\",\"status\":0}");
	assert_int_equal(c.ts, (ts_ns)1763723790 * SEC + 500000000);
	c = parse_ok("{\"ts\":\"1763723790.999999999\",\"pid\":1,\"event\":\"exit\",\"status\":0}");
	assert_int_equal(c.ts, (ts_ns)1763723790 * SEC + 999999999);
	c = parse_ok("{\"ts\":\"0.000000000\",\"pid\":1,\"event\":\"exit\",\"status\":0}");
	assert_int_equal(c.ts, 0);
}

static void test_unknown_fields_ignored(void **state)
{
	(void)state;
	struct call c = parse_ok(
		"{\"comm\":\"demo\",\"ts\":\"1763723790.123456789\",\"pid\":4242,\"tid\":4243,"
		"\"event\":\"send\",\"fd\":3," EP ",\"len\":14,\"ret\":14,\"errno\":null,\"off\":6,"
		"\"flags\":\"\",\"extra\":{\"a\":[1,2,{\"b\":null}]},\"when\":1.5,\"ok\":true}");
	assert_int_equal(c.event, EV_SEND);
	assert_int_equal(c.pid, 4242);
	assert_int_equal(c.ret, 14);
	assert_int_equal(c.off, 6);
	assert_ep4(&c);
	/* a signal event with socket fields it does not use */
	c = parse_ok("{" TS "\"pid\":1,\"event\":\"signal\",\"sig\":\"SIGPIPE\",\"disposition\":"
			    "\"handler\",\"fd\":3,\"si_code\":0}");
	assert_string_equal(c.sig, "SIGPIPE");
}

/* ---- malformed lines ---------------------------------------------------------- */

static void test_malformed_lines_rejected_with_reason(void **state)
{
	(void)state;
	parse_bad("this is not json", "not JSON");
	parse_bad("{\"ts\":\"1.0\",", "not JSON");
	parse_bad("", "not JSON");
	parse_bad("[1,2,3]", "not a JSON object");
	parse_bad("[{\"ts\":\"1.0\",\"pid\":1,\"event\":\"exit\"}]", "not a JSON object");
	parse_bad("42", ""); /* jansson itself wants an object or array */
	parse_bad("\"send\"", "");
	parse_bad("{\"pid\":1,\"event\":\"exit\"}", "missing \"ts\"");
	parse_bad("{\"ts\":1763723790.5,\"pid\":1,\"event\":\"exit\"}",
		  "missing \"ts\""); /* a number */
	parse_bad("{\"ts\":\"yesterday\",\"pid\":1,\"event\":\"exit\"}", "bad \"ts\"");
	parse_bad("{\"ts\":\"1763723790.\",\"pid\":1,\"event\":\"exit\"}", "bad \"ts\"");
	parse_bad("{\"ts\":\"1763723790.5s\",\"pid\":1,\"event\":\"exit\"}", "bad \"ts\"");
	parse_bad("{\"ts\":\"-1.5\",\"pid\":1,\"event\":\"exit\"}", "bad \"ts\"");
	parse_bad("{\"ts\":\"\",\"pid\":1,\"event\":\"exit\"}", "bad \"ts\"");
	parse_bad("{\"ts\":\"99999999999999999999.0\",\"pid\":1,\"event\":\"exit\"}", "bad \"ts\"");
	parse_bad("{" TS "\"pid\":1,\"event\":\"sendto\"}", "unknown event 'sendto'");
	parse_bad("{" TS "\"pid\":1}", "missing \"event\"");
	parse_bad("{" TS "\"event\":\"exit\"}", "missing \"pid\"");
	parse_bad("{" TS "\"pid\":\"4242\",\"event\":\"exit\"}", "\"pid\" is not an integer");
	parse_bad("{" TS "\"pid\":1,\"event\":\"send\",\"fd\":3," EP
		  ",\"len\":5,\"ret\":-1,\"errno\":null,\"off\":0}",
		  "\"ret\" is -1 but \"errno\" is null");
	parse_bad("{" TS "\"pid\":1,\"event\":\"send\",\"fd\":3," EP
		  ",\"len\":5,\"ret\":-1,\"off\":0}",
		  "\"ret\" is -1 but \"errno\" is null");
	parse_bad("{" TS "\"pid\":1,\"event\":\"send\",\"fd\":3," EP
		  ",\"len\":5,\"ret\":-1,\"errno\":32}",
		  "\"errno\"");
	parse_bad("{" TS "\"pid\":1,\"event\":\"send\",\"fd\":3," EP
		  ",\"len\":5,\"errno\":null,\"off\":0}",
		  "missing \"ret\"");
	parse_bad("{" TS "\"pid\":1,\"event\":\"send\",\"fd\":3," EP
		  ",\"len\":5,\"ret\":5,\"errno\":null}",
		  "send without \"off\"");
	parse_bad("{" TS "\"pid\":1,\"event\":\"recv\",\"fd\":3," EP
		  ",\"len\":5,\"ret\":5,\"errno\":null}",
		  "recv without \"off\"");
	parse_bad("{" TS "\"pid\":1,\"event\":\"signal\"}", "without \"sig\"");
	/* a field given twice: which one would be meant? */
	parse_bad("{" TS "\"pid\":1,\"pid\":2,\"event\":\"exit\"}", "duplicate");
	parse_bad("{\"ts\":\"1.0\",\"pid\":1,\"event\":\"exit\",\"ts\":\"2.0\"}", "duplicate");
}

static void test_bad_addresses_rejected(void **state)
{
	(void)state;
	static const char *const bad_local[] = {
		"localhost:80",	  "127.0.0.1", "127.0.0.1:",   "127.0.0.1:65536",
		"127.0.0.1:80x",  "::1:8999",  "[::1]8999",    "[::1",
		"[127.0.0.1]:80", ":80",       "300.0.0.1:80",
	};
	for (size_t i = 0; i < sizeof bad_local / sizeof bad_local[0]; i++) {
		char line[256];
		snprintf(line, sizeof line,
			 "{" TS "\"pid\":1,\"event\":\"close\",\"fd\":3,\"local\":\"%s\",\"peer\":"
				"\"127.0.0.1:8999\",\"ret\":0,\"errno\":null}",
			 bad_local[i]);
		parse_bad(line, "bad \"local\"");
	}
	parse_bad("{" TS "\"pid\":1,\"event\":\"close\",\"fd\":3,\"local\":\"127.0.0.1:1\","
			 "\"peer\":\"nowhere\",\"ret\":0,\"errno\":null}",
		  "bad \"peer\"");
	/* the two ends of one socket are of one family */
	parse_bad("{" TS "\"pid\":1,\"event\":\"close\",\"fd\":3,\"local\":\"127.0.0.1:1\","
			 "\"peer\":\"[::1]:2\",\"ret\":0,\"errno\":null}",
		  "bad \"peer\"");
}

/* ---- data ----------------------------------------------------------------------- */

static void test_data_escapes_decoded(void **state)
{
	(void)state;
	/* NUL, newline, tab, quote, backslash, a control byte */
	struct call c = parse_ok("{" TS "\"pid\":1,\"event\":\"send\",\"fd\":3," EP
				 ",\"len\":9,\"ret\":9,\"errno\":null,\"off\":0,\"data\":"
				 "\"hello\\u0000\\n\\t\\\"\\\\\\u0001\"}");
	assert_int_equal(c.has_data, 1);
	assert_int_equal(c.data_len, 11);
	assert_memory_equal(c.data, "hello\0\n\t\"\\\x01", 11);
	/* valid UTF-8, raw and as a \u escape of a character: its UTF-8 bytes */
	c = parse_ok("{" TS "\"pid\":1,\"event\":\"send\",\"fd\":3," EP
		     ",\"len\":7,\"ret\":7,\"errno\":null,\"off\":0,\"data\":"
		     "\"\xc3\xa9\xe2\x82\xac\\u20ac\"}");
	assert_int_equal(c.data_len, 8);
	assert_memory_equal(c.data, "\xc3\xa9\xe2\x82\xac\xe2\x82\xac", 8);
	c = parse_ok("{" TS "\"pid\":1,\"event\":\"send\",\"fd\":3," EP
		     ",\"len\":7,\"ret\":7,\"errno\":null,\"off\":0,\"data\":"
		     "\"\\u0101\\u07ff\\u0800\\u8fde\"}");
	assert_int_equal(c.data_len, 10);
	assert_memory_equal(c.data, "\xc4\x81\xdf\xbf\xe0\xa0\x80\xe8\xbf\x9e", 10);
	/* the same NUL on a line with a nested unknown field */
	c = parse_ok(
		"{" TS "\"pid\":1,\"event\":\"send\",\"fd\":3," EP
		",\"len\":3,\"ret\":3,\"errno\":null,\"off\":0,\"x\":[{}],\"data\":\"a\\u0000b\"}");
	assert_int_equal(c.data_len, 3);
	assert_memory_equal(c.data, "a\0b", 3);
	/* an empty string is data of length 0 */
	c = parse_ok("{" TS "\"pid\":1,\"event\":\"send\",\"fd\":3," EP
		     ",\"len\":0,\"ret\":0,\"errno\":null,\"off\":0,\"data\":\"\"}");
	assert_int_equal(c.has_data, 1);
	assert_int_equal(c.data_len, 0);
}

/* The writer escapes each byte that is not part of valid UTF-8 as \u00XX:
 * read back, it is that byte (the seed's GBK text c4 e3 ba c3). */
static void test_data_u00xx_escapes_are_the_raw_bytes(void **state)
{
	(void)state;
	struct call c = parse_ok("{" TS "\"pid\":1,\"event\":\"send\",\"fd\":3," EP
				 ",\"len\":6,\"ret\":6,\"errno\":null,\"off\":0,"
				 "\"data\":\"\\u00c4\\u00e3\\u00ba\\u00c3\\u00ff\\u0080\"}");
	assert_int_equal(c.has_data, 1);
	assert_int_equal(c.data_len, 6);
	assert_memory_equal(c.data, "\xc4\xe3\xba\xc3\xff\x80", 6);
}

static void test_data_longer_than_64_bytes_cut(void **state)
{
	(void)state;
	char line[512], data[101];
	memset(data, 'a', 100);
	data[100] = '\0';
	data[63] = 'Z';
	data[64] = 'Q';
	snprintf(line, sizeof line,
		 "{" TS "\"pid\":1,\"event\":\"send\",\"fd\":3," EP
		 ",\"len\":100,\"ret\":100,\"errno\":null,\"off\":0,\"data\":\"%s\"}",
		 data);
	struct call c = parse_ok(line);
	assert_int_equal(c.data_len, CALL_DATA_MAX);
	assert_memory_equal(c.data, data, CALL_DATA_MAX);
	assert_int_equal(c.data[63], 'Z');
}

/* Control bytes are kept as they were (escaping is the output's); a value
 * cut to its buffer says so with "...", never in half a UTF-8 character; a
 * NUL byte (where a C string would end) is a cut too. */
static void test_strings_cut_to_their_buffer_end_in_dots(void **state)
{
	(void)state;
	struct call c = parse_ok("{" TS "\"pid\":1,\"event\":\"send\",\"fd\":3," EP
				 ",\"len\":1,\"ret\":1,\"errno\":null,\"off\":0,\"flags\":"
				 "\"MSG_\\u001b[2J\",\"comm\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
				 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\",\"state\":\"ESTABLISHED\"}");
	assert_string_equal(c.flags, "MSG_\x1b[2J");
	assert_string_equal(c.state, "ESTABLISHED"); /* 11 of 15: not cut */
	/* comm: 20 bytes of room, 10 two-byte characters: 8 whole ones and "..." */
	assert_string_equal(c.comm,
			    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9...");
	c = parse_ok("{" TS "\"pid\":1,\"event\":\"send\",\"fd\":3," EP
		     ",\"len\":1,\"ret\":1,\"errno\":null,\"off\":0,\"flags\":\"MSG_MORE|MSG_DONTWAIT|"
		     "MSG_EOR|MSG_OOB|MSG_CONFIRM|MSG_NOSIGNAL\"}");
	assert_int_equal(strlen(c.flags), sizeof c.flags - 1);
	assert_string_equal(c.flags + sizeof c.flags - 4, "...");
	assert_int_equal(c.nosignal, 1); /* read from the whole value */
	c = parse_ok("{" TS "\"pid\":1,\"event\":\"exit\",\"signal\":\"SIGPIPE\\u0000x\"}");
	assert_string_equal(c.exit_sig, "SIGPIPE..."); /* not SIGPIPE */
	c = parse_ok("{" TS "\"pid\":1,\"event\":\"signal\",\"sig\":\"SIGPIPE\","
		     "\"disposition\":\"handler\\u001b[2J!!\"}");
	assert_string_equal(c.sig, "SIGPIPE");
	assert_string_equal(c.disposition, "handler\x1b..."); /* 12 bytes of room */
}

/* The values a message echoes are escaped: no control byte reaches stderr. */
static void test_messages_escape_what_they_echo(void **state)
{
	(void)state;
	static const char *const lines[] = {
		"{\"ts\":\"1.5\\u001b[2J\",\"pid\":1,\"event\":\"exit\"}",
		"{" TS "\"pid\":1,\"event\":\"ex\\u001b[2Jit\"}",
		"{" TS "\"pid\":1,\"event\":\"close\",\"local\":\"\\u001b[2J:1\",\"peer\":\"1.2.3.4:5\","
		"\"ret\":0}",
		"{" TS "\"pid\":1,\"event\":\"close\",\"local\":\"1.2.3.4:5\",\"peer\":\"\\u009b2J:1\","
		"\"ret\":0}",
		"\x1b[2J{}",
		"{\"a\":\x1b[2J}",
	};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		struct call c;
		char err[512] = "";
		assert_int_equal(sendlog_parse_line(lines[i], strlen(lines[i]), 1, &c, err, sizeof err),
				 -1);
		for (const char *p = err; *p; p++)
			if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
				fail_msg("byte 0x%02x in '%s'", (unsigned char)*p, err);
		if (!strstr(err, "\\x1b") && !strstr(err, "\\xc2\\x9b2J"))
			fail_msg("the value is not shown escaped: '%s'", err);
	}
}

/* ---- reading a file ----------------------------------------------------------------- */

struct fx {
	char dir[64];
	char path[96];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/test_sendlog.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/send.log", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	unlink(f->path);
	char other[128];
	snprintf(other, sizeof other, "%s.new", f->path);
	unlink(other);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void write_file(const char *path, const char *mode, const char *text)
{
	FILE *fp = fopen(path, mode);
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
	assert_int_equal(fclose(fp), 0);
}

#define LINE(pid) "{" TS "\"pid\":" #pid ",\"event\":\"exit\",\"status\":0}"

/* The next call: want 1 with this pid and line number. */
static void next_is(struct sendlog *s, int64_t pid, uint64_t line)
{
	struct call c;
	char err[512] = "";
	int r = sendlog_next(s, &c, err, sizeof err);
	if (r != 1)
		fail_msg("sendlog_next = %d (%s), want line %llu", r, err,
			 (unsigned long long)line);
	assert_int_equal(c.pid, pid);
	assert_int_equal(c.line, line);
}

/* The next is a malformed line: its number and reason in err. */
static void next_is_bad(struct sendlog *s, const char *path, uint64_t line, const char *why)
{
	struct call c;
	char err[512] = "", want[160];
	assert_int_equal(sendlog_next(s, &c, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s: line %llu: ", path, (unsigned long long)line);
	if (!strstr(err, want) || !strstr(err, why))
		fail_msg("'%s' lacks '%s' or '%s'", err, want, why);
}

/* The next is a notice about the followed file, naming `what`. */
static void next_is_notice(struct sendlog *s, const char *path, const char *what)
{
	struct call c;
	char err[512] = "";
	int r = sendlog_next(s, &c, err, sizeof err);
	if (r != SENDLOG_NOTICE || strncmp(err, path, strlen(path)) || !strstr(err, what))
		fail_msg("sendlog_next = %d ('%s'), want a notice about %s: '%s'", r, err, path,
			 what);
}

static void next_is_end(struct sendlog *s)
{
	struct call c;
	char err[512] = "";
	int r = sendlog_next(s, &c, err, sizeof err);
	if (r != 0)
		fail_msg("sendlog_next = %d (%s), want 0 (nothing more)", r, err);
}

static void test_next_reports_bad_lines_by_number_and_goes_on(void **state)
{
	struct fx *f = *state;
	write_file(f->path, "w",
		   LINE(1) "\n"						      /* 1 */
			   "garbage\n"					      /* 2 */
			   "[1]\n"					      /* 3 */
			   "{\"pid\":1,\"event\":\"exit\"}\n"		      /* 4 */
			   "{\"ts\":\"soon\",\"pid\":1,\"event\":\"exit\"}\n" /* 5 */
			   "{" TS "\"pid\":1,\"event\":\"bind\"}\n"	      /* 6 */
			   "{" TS "\"pid\":1,\"event\":\"send\",\"fd\":3," EP
			   ",\"ret\":-1,\"errno\":null}\n" /* 7 */
			   "{" TS "\"pid\":1,\"event\":\"close\",\"fd\":3,\"local\":\"x:1\","
				  "\"peer\":\"127.0.0.1:2\",\"ret\":0}\n" /* 8 */
			   "{" TS "\"pid\":1,\"event\":\"send\",\"fd\":3," EP
			   ",\"ret\":4,\"errno\":null}\n" /* 9 */
		   LINE(10) "\n");			  /* 10 */
	char err[256] = "";
	struct sendlog *s = sendlog_open(f->path, 0, err, sizeof err);
	assert_non_null(s);
	assert_string_equal(sendlog_path(s), f->path);
	next_is(s, 1, 1);
	next_is_bad(s, f->path, 2, "not JSON");
	next_is_bad(s, f->path, 3, "not a JSON object");
	next_is_bad(s, f->path, 4, "missing \"ts\"");
	next_is_bad(s, f->path, 5, "bad \"ts\"");
	next_is_bad(s, f->path, 6, "unknown event");
	next_is_bad(s, f->path, 7, "errno");
	next_is_bad(s, f->path, 8, "bad \"local\"");
	next_is_bad(s, f->path, 9, "without \"off\"");
	next_is(s, 10, 10);
	next_is_end(s);
	next_is_end(s); /* and stays so */
	sendlog_free(s);
}

static void test_next_skips_blank_lines_and_reads_last_line_without_newline(void **state)
{
	struct fx *f = *state;
	write_file(f->path, "w",
		   "\n"			       /* 1 */
		   LINE(2) "\r\n"	       /* 2: CRLF */
			   "   \t \n"	       /* 3 */
			   "\r\n"	       /* 4 */
			   "  " LINE(5) "  \n" /* 5: surrounding blanks */
					"\n"   /* 6 */
		   LINE(7));		       /* 7: no newline */
	char err[256] = "";
	struct sendlog *s = sendlog_open(f->path, 0, err, sizeof err);
	assert_non_null(s);
	next_is(s, 2, 2);
	next_is(s, 5, 5);
	next_is(s, 7, 7);
	next_is_end(s);
	sendlog_free(s);
}

static void test_next_reads_long_lines(void **state)
{
	struct fx *f = *state;
	/* a line far longer than the reader's first buffer (64 KiB) */
	size_t pad = 200000;
	char *text = malloc(pad + 256);
	assert_non_null(text);
	int n = snprintf(text, 256, "{" TS "\"pid\":3,\"event\":\"exit\",\"status\":0,\"x\":\"");
	memset(text + n, 'y', pad);
	strcpy(text + n + pad, "\"}\n" LINE(4) "\n");
	write_file(f->path, "w", text);
	free(text);
	char err[256] = "";
	struct sendlog *s = sendlog_open(f->path, 0, err, sizeof err);
	assert_non_null(s);
	next_is(s, 3, 1);
	next_is(s, 4, 2);
	next_is_end(s);
	sendlog_free(s);
}

/* A line over SENDLOG_LINE_MAX is reported by number and skipped, its bytes
 * not kept; the lines after it are read, numbered on. Read by the reader
 * thread and inline; the last, without its newline, too. */
static void check_line_max(struct fx *f, int inl)
{
	size_t pad = SENDLOG_LINE_MAX + 10;
	char *text = malloc(4 * pad + 1024);
	assert_non_null(text);
	int n = snprintf(text, 256, "%s\n{" TS "\"pid\":3,\"event\":\"exit\",\"x\":\"", LINE(1));
	memset(text + n, 'y', pad);
	n += (int)pad;
	n += snprintf(text + n, 256, "\"}\n%s\n", LINE(4));
	memset(text + n, 0, pad); /* a line of NUL bytes, then one just short enough */
	n += (int)pad;
	text[n++] = '\n';
	int m = snprintf(text + n, 256, "{" TS "\"pid\":5,\"event\":\"exit\",\"x\":\"");
	memset(text + n + m, 'z', SENDLOG_LINE_MAX - (size_t)m - 2);
	n += SENDLOG_LINE_MAX - 2;
	n += snprintf(text + n, 256, "\"}\n{\"x\":\"");
	memset(text + n, 'w', pad); /* the last line: no newline */
	n += (int)pad;
	FILE *fp = fopen(f->path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, (size_t)n, fp), (size_t)n);
	assert_int_equal(fclose(fp), 0);
	free(text);
	char err[256] = "";
	struct sendlog *s = sendlog_open(f->path, 0, err, sizeof err);
	assert_non_null(s);
	if (inl)
		sendlog_inline(s);
	next_is(s, 1, 1);
	next_is_bad(s, f->path, 2, "longer than 1 MiB");
	next_is(s, 4, 3);
	next_is_bad(s, f->path, 4, "longer than 1 MiB");
	next_is(s, 5, 5);
	next_is_bad(s, f->path, 6, "longer than 1 MiB");
	next_is_end(s);
	sendlog_free(s);
}

static void test_next_skips_lines_over_the_maximum(void **state)
{
	check_line_max(*state, 0);
	check_line_max(*state, 1);
}

/* Following, an over-long line may still be growing: skipped up to its
 * newline whenever that comes. */
static void test_follow_skips_a_growing_line_over_the_maximum(void **state)
{
	struct fx *f = *state;
	char err[256] = "";
	write_file(f->path, "w", LINE(1) "\n{\"x\":\"");
	struct sendlog *s = sendlog_open(f->path, 1, err, sizeof err);
	assert_non_null(s);
	next_is(s, 1, 1);
	char *pad = malloc(SENDLOG_LINE_MAX / 2 + 1);
	assert_non_null(pad);
	memset(pad, 'y', SENDLOG_LINE_MAX / 2);
	pad[SENDLOG_LINE_MAX / 2] = '\0';
	for (int i = 0; i < 3; i++) {
		write_file(f->path, "a", pad);
		next_is_end(s);
	}
	free(pad);
	write_file(f->path, "a", "\"}\n" LINE(3) "\n");
	next_is_bad(s, f->path, 2, "longer than 1 MiB");
	next_is(s, 3, 3);
	next_is_end(s);
	sendlog_free(s);
}

static void test_open_missing_file_or_directory_fails_with_path(void **state)
{
	struct fx *f = *state;
	char err[256] = "";
	assert_null(sendlog_open(f->path, 0, err, sizeof err));
	assert_non_null(strstr(err, f->path));
	err[0] = '\0';
	assert_null(sendlog_open(f->dir, 0, err, sizeof err));
	assert_non_null(strstr(err, f->dir));
	assert_non_null(strstr(err, "directory"));
	sendlog_free(NULL);
}

/* ---- follow mode ------------------------------------------------------------------ */

static void test_follow_file_created_later_then_appended(void **state)
{
	struct fx *f = *state;
	char err[256] = "";
	struct sendlog *s = sendlog_open(f->path, 1, err, sizeof err);
	if (!s)
		fail_msg("follow open of a missing log: %s", err);
	next_is_end(s);
	next_is_end(s);
	write_file(f->path, "w", LINE(1) "\n");
	next_is(s, 1, 1);
	next_is_end(s);
	write_file(f->path, "a", LINE(2) "\n" LINE(3) "\n");
	next_is(s, 2, 2);
	next_is(s, 3, 3);
	next_is_end(s);
	sendlog_free(s);
}

/* A line is used only once its newline is written: a writer may be halfway. */
static void test_follow_partial_line_waits_for_its_newline(void **state)
{
	struct fx *f = *state;
	char err[256] = "";
	write_file(f->path, "w", LINE(1) "\n{\"ts\":\"1763723790.5\",\"pid\":2,");
	struct sendlog *s = sendlog_open(f->path, 1, err, sizeof err);
	assert_non_null(s);
	next_is(s, 1, 1);
	next_is_end(s);
	next_is_end(s);
	write_file(f->path, "a", "\"event\":\"exit\"");
	next_is_end(s);
	write_file(f->path, "a", ",\"status\":0}\n");
	next_is(s, 2, 2);
	next_is_end(s);
	sendlog_free(s);
}

static void test_follow_truncated_and_rewritten_read_from_start(void **state)
{
	struct fx *f = *state;
	char err[256] = "";
	write_file(f->path, "w", LINE(1) "\n" LINE(2) "\n" LINE(3) "\n");
	struct sendlog *s = sendlog_open(f->path, 1, err, sizeof err);
	assert_non_null(s);
	next_is(s, 1, 1);
	next_is(s, 2, 2);
	next_is(s, 3, 3);
	next_is_end(s);
	/* a new run truncates the same file and writes again: said, once */
	write_file(f->path, "w", LINE(7) "\n");
	next_is_notice(s, f->path,
		       "truncated and rewritten from the start: reading it again, its line "
		       "numbers start over at 1");
	next_is(s, 7, 1);
	next_is_end(s);
	write_file(f->path, "a", LINE(8) "\n");
	next_is(s, 8, 2);
	next_is_end(s);
	sendlog_free(s);
}

static void test_follow_replaced_file_read_from_start(void **state)
{
	struct fx *f = *state;
	char err[256] = "", other[128];
	snprintf(other, sizeof other, "%s.new", f->path);
	write_file(f->path, "w", LINE(1) "\n");
	struct sendlog *s = sendlog_open(f->path, 1, err, sizeof err);
	assert_non_null(s);
	next_is(s, 1, 1);
	next_is_end(s);
	/* a new file renamed over it, longer than the old one */
	write_file(other, "w", LINE(5) "\n" LINE(6) "\n" LINE(7) "\n");
	assert_int_equal(rename(other, f->path), 0);
	next_is_notice(s, f->path, "replaced from the start");
	next_is(s, 5, 1);
	next_is(s, 6, 2);
	next_is(s, 7, 3);
	next_is_end(s);
	sendlog_free(s);
}

/* A log that has not appeared after SENDLOG_WAIT_NS is said, once; when it
 * comes it is read as usual. */
static void test_follow_log_not_there_after_a_few_seconds_said_once(void **state)
{
	struct fx *f = *state;
	char err[256] = "";
	struct sendlog *s = sendlog_open(f->path, 1, err, sizeof err);
	assert_non_null(s);
	next_is_end(s);
	struct timespec d = { SENDLOG_WAIT_NS / 1000000000, 100 * 1000000 };
	nanosleep(&d, NULL);
	next_is_notice(s, f->path, "not there yet after 3 s; still waiting for it");
	next_is_end(s);
	next_is_end(s);
	write_file(f->path, "w", LINE(1) "\n");
	next_is(s, 1, 1);
	next_is_end(s);
	sendlog_free(s);
}

/* A path that appears but cannot be opened (here a symbolic link to itself:
 * root may open anything else) is said once per error, and read once it can. */
static void test_follow_unopenable_path_said_once(void **state)
{
	struct fx *f = *state;
	char err[256] = "";
	struct sendlog *s = sendlog_open(f->path, 1, err, sizeof err);
	assert_non_null(s);
	next_is_end(s);
	assert_int_equal(symlink(f->path, f->path), 0);
	next_is_notice(s, f->path, "cannot open it as uid");
	next_is_end(s);
	next_is_end(s);
	assert_int_equal(unlink(f->path), 0);
	write_file(f->path, "w", LINE(1) "\n");
	next_is(s, 1, 1);
	next_is_end(s);
	sendlog_free(s);
}

/* Without follow, the end of the file is the end of the log; a line
 * appended later is still read by a later call (replay reads to the end). */
static void test_no_follow_missing_file_is_an_error_but_growth_is_read(void **state)
{
	struct fx *f = *state;
	char err[256] = "";
	write_file(f->path, "w", LINE(1) "\n");
	struct sendlog *s = sendlog_open(f->path, 0, err, sizeof err);
	assert_non_null(s);
	next_is(s, 1, 1);
	next_is_end(s);
	write_file(f->path, "a", LINE(2) "\n");
	next_is(s, 2, 2);
	next_is_end(s);
	sendlog_free(s);
}

/* The same \u00XX bytes on lines that also hold raw UTF-8 (as the writer
 * writes c3 a9 ff c3 a9: "\xc3\xa9\\u00ff\xc3\xa9") or an unknown nested
 * field. Once, such lines went to jansson, which read \u00ff as U+00FF in
 * UTF-8 (c3 bf). */
static void test_data_u00xx_is_the_raw_byte_beside_utf8_and_nested_fields(void **state)
{
	(void)state;
	struct call c = parse_ok("{" TS "\"pid\":1,\"event\":\"send\",\"fd\":3," EP
				 ",\"len\":5,\"ret\":5,\"errno\":null,\"off\":0,\"data\":"
				 "\"\xc3\xa9\\u00ff\xc3\xa9\"}");
	assert_int_equal(c.data_len, 5);
	assert_memory_equal(c.data, "\xc3\xa9\xff\xc3\xa9", 5);
	c = parse_ok("{" TS "\"pid\":1,\"event\":\"send\",\"fd\":3," EP
		     ",\"len\":2,\"ret\":2,\"errno\":null,\"off\":0,\"x\":{\"y\":[1.5,\"\\u00ff\"]}"
		     ",\"data\":\"\\u00c4\\u00e3\"}");
	assert_int_equal(c.data_len, 2);
	assert_memory_equal(c.data, "\xc4\xe3", 2);
}

/* ---- regressions ------------------------------------------------------------ */

/* Regression: an unknown field that is long (more than the fast path's
 * 8 KiB buffer) or deeply nested once sent the whole line to jansson, which
 * reads the writer's \u00c4 (the byte 0xc4) as U+00C4 in UTF-8 (c3 84): a
 * field readers must ignore changed how "data" was read. The fast path now
 * skips such fields itself, keeping nothing of them. */
static char *line_with(const char *unknown)
{
	size_t n = strlen(unknown) + 512;
	char *line = malloc(n);
	assert_non_null(line);
	snprintf(line, n,
		 "{" TS "\"pid\":1,\"event\":\"send\",\"fd\":3," EP
		 ",\"len\":2,\"ret\":2,\"errno\":null,\"off\":0,\"x\":%s,\"data\":"
		 "\"\\u00c4\\u00e3\"}",
		 unknown);
	return line;
}

static void test_data_u00xx_is_the_raw_byte_beside_long_or_deep_unknown_fields(void **state)
{
	(void)state;
	char *big = malloc(9003), deep[128] = "";
	assert_non_null(big);
	big[0] = '"';
	memset(big + 1, 'a', 9000);
	strcpy(big + 9001, "\"");
	for (int i = 0; i < 40; i++)
		strcat(deep, "[");
	for (int i = 0; i < 40; i++)
		strcat(deep, "]");
	char *l1 = line_with(big), *l2 = line_with(deep);
	free(big);
	struct call c1 = parse_ok(l1), c2 = parse_ok(l2);
	free(l1);
	free(l2);
	assert_int_equal(c1.data_len, 2); /* got 4: c3 84 c3 a3 */
	assert_memory_equal(c1.data, "\xc4\xe3", 2);
	assert_int_equal(c2.data_len, 2); /* got 4 */
	assert_memory_equal(c2.data, "\xc4\xe3", 2);
}

/* A log with no file: lines handed in, a partial one waiting for its rest,
 * read as a followed log's. */
static void test_feed_hands_lines_in_and_waits_for_a_partial_one(void **state)
{
	(void)state;
	char err[256];
	struct sendlog *s = sendlog_open_feed("the recorded calls", err, sizeof err);
	assert_non_null(s);
	struct call c;
	assert_int_equal(sendlog_next(s, &c, err, sizeof err), 0);
	const char *l1 = "{\"ts\":\"1.000000001\",\"pid\":7,\"event\":\"close\",\"fd\":3,"
			 "\"ret\":0,\"errno\":null,\"comm\":\"nc\"}\n";
	const char *l2 = "{\"ts\":\"2.0\",\"pid\":7,\"event\":\"exit\",\"status\":0}\n";
	assert_int_equal(sendlog_feed(s, l1, strlen(l1)), 0);
	assert_int_equal(sendlog_feed(s, l2, 10), 0); /* a line cut in two */
	assert_int_equal(sendlog_next(s, &c, err, sizeof err), 1);
	assert_int_equal(c.event, EV_CLOSE);
	assert_string_equal(c.comm, "nc");
	assert_int_equal(c.line, 1);
	assert_int_equal(sendlog_next(s, &c, err, sizeof err), 0);
	assert_int_equal(sendlog_feed(s, l2 + 10, strlen(l2) - 10), 0);
	assert_int_equal(sendlog_next(s, &c, err, sizeof err), 1);
	assert_int_equal(c.event, EV_EXIT);
	assert_int_equal(c.line, 2);
	assert_string_equal(sendlog_path(s), "the recorded calls");
	sendlog_free(s);
}

int main(void)
{
#define U(fn) cmocka_unit_test(fn)
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		U(test_connect_every_field),
		U(test_feed_hands_lines_in_and_waits_for_a_partial_one),
		U(test_connect_failed_with_errno),
		U(test_accept_every_field),
		U(test_send_every_field),
		U(test_send_failed_epipe_and_nosignal_flag),
		U(test_recv_every_field),
		U(test_shutdown_every_field),
		U(test_close_every_field),
		U(test_signal_every_field),
		U(test_exit_status_and_signal),
		U(test_ipv6_bracketed_endpoints),
		U(test_ts_with_9_6_and_1_decimals),
		U(test_unknown_fields_ignored),
		U(test_malformed_lines_rejected_with_reason),
		U(test_bad_addresses_rejected),
		U(test_data_escapes_decoded),
		U(test_data_u00xx_escapes_are_the_raw_bytes),
		U(test_data_longer_than_64_bytes_cut),
		T(test_next_reports_bad_lines_by_number_and_goes_on),
		T(test_strings_cut_to_their_buffer_end_in_dots),
		T(test_messages_escape_what_they_echo),
		T(test_next_skips_blank_lines_and_reads_last_line_without_newline),
		T(test_next_reads_long_lines),
		T(test_next_skips_lines_over_the_maximum),
		T(test_follow_skips_a_growing_line_over_the_maximum),
		T(test_open_missing_file_or_directory_fails_with_path),
		T(test_follow_file_created_later_then_appended),
		T(test_follow_partial_line_waits_for_its_newline),
		T(test_follow_truncated_and_rewritten_read_from_start),
		T(test_follow_replaced_file_read_from_start),
		T(test_no_follow_missing_file_is_an_error_but_growth_is_read),
		T(test_follow_log_not_there_after_a_few_seconds_said_once),
		T(test_follow_unopenable_path_said_once),
		/* regressions: bugs these tests found, fixed in cb6568d */
		U(test_data_u00xx_is_the_raw_byte_beside_utf8_and_nested_fields),
		/* known bugs, last */
		U(test_data_u00xx_is_the_raw_byte_beside_long_or_deep_unknown_fields),
	};
#undef U
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
