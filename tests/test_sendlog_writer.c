/* test_sendlog_writer.c: the send-log writer: every field, escaping, names,
 * addresses, and the wrappers on real loopback sockets. Lines are checked
 * byte for byte, and parsed with jansson (which rejects invalid UTF-8). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "sendlog_writer.h"

/* ---- helpers ---- */

static struct slw_event send_event(void)
{
	struct slw_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = SLW_SEND;
	ev.ts.tv_sec = 1763723790;
	ev.ts.tv_nsec = 123456789;
	ev.pid = 4242;
	ev.fd = 3;
	ev.local = "127.0.0.1:40494";
	ev.peer = "127.0.0.1:8999";
	ev.len = 14;
	ev.ret = 14;
	ev.off = 6;
	ev.data = "are you here?\n";
	ev.data_len = 14;
	ev.status = -1;
	return ev;
}

static void assert_format(const struct slw_event *ev, const char *want)
{
	char line[SLW_LINE_MAX];
	int n = slw_format(line, sizeof(line), ev);
	assert_int_equal(n, (int)strlen(want));
	assert_string_equal(line, want);
}

/* The line parsed as JSON; the test fails if it is not one object. */
static json_t *parse(const char *line)
{
	json_error_t e;
	json_t *j = json_loads(line, JSON_ALLOW_NUL, &e);
	if (!j)
		fail_msg("not JSON (%s): %s", e.text, line);
	assert_true(json_is_object(j));
	return j;
}

static char *escape(const void *data, size_t len)
{
	static char out[6 * 256 + 1];
	slw_escape(out, sizeof(out), data, len);
	return out;
}

/* A temporary log; returns its path in buf. */
static struct slw *temp_log(char *path, size_t size)
{
	char err[256];
	snprintf(path, size, "%s/slw-test-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	struct slw *w = slw_new(path, SLW_TRUNCATE, err, sizeof(err));
	assert_non_null(w);
	return w;
}

/* The log's lines, parsed; *n gets their number. */
static json_t **read_log(const char *path, int *n)
{
	static json_t *lines[64];
	static char text[65536];
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[len] = '\0';
	*n = 0;
	for (char *p = text, *nl; *p && *n < 64; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl); /* every line ends with a newline */
		*nl = '\0';
		lines[(*n)++] = parse(p);
	}
	return lines;
}

static void free_lines(json_t **lines, int n)
{
	for (int i = 0; i < n; i++)
		json_decref(lines[i]);
}

static const char *str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_string(v))
		fail_msg("\"%s\" is not a string", key);
	return json_string_value(v);
}

static long long num(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_integer(v))
		fail_msg("\"%s\" is not an integer", key);
	return json_integer_value(v);
}

/* A connected loopback TCP pair: *c from connect (through w), *s from
 * accept (through w). Returns 0, or -1 if family is not available. */
static int tcp_pair(struct slw *w, int family, int *c, int *s)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1;
	int l = socket(family, SOCK_STREAM, 0);
	assert_true(l >= 0);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*a);
	}
	if (bind(l, (struct sockaddr *)&ss, len) < 0) {
		close(l);
		return -1;
	}
	assert_int_equal(listen(l, 1), 0);
	len = sizeof(ss);
	getsockname(l, (struct sockaddr *)&ss, &len);
	*c = socket(family, SOCK_STREAM, 0);
	assert_int_equal(slw_connect(w, *c, (struct sockaddr *)&ss, len), 0);
	*s = slw_accept(w, l, NULL, NULL);
	assert_true(*s >= 0);
	close(l);
	return 0;
}

static int64_t ts_ns(const char *ts)
{
	long long sec = 0, nsec = 0;
	assert_int_equal(strlen(strchr(ts, '.') + 1), 9);
	sscanf(ts, "%lld.%lld", &sec, &nsec);
	return (int64_t)sec * 1000000000 + nsec;
}

static int64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* ---- formatting: every field ---- */

static void test_design_example(void **state)
{
	(void)state;
	struct slw_event ev = send_event();
	/* DESIGN.md's example line, field for field, in its order */
	assert_format(&ev,
		      "{\"ts\":\"1763723790.123456789\",\"pid\":4242,\"event\":\"send\",\"fd\":3,"
		      "\"local\":\"127.0.0.1:40494\",\"peer\":\"127.0.0.1:8999\",\"len\":14,"
		      "\"ret\":14,\"errno\":null,\"off\":6,\"flags\":\"\","
		      "\"data\":\"are you here?\\n\"}\n");
}

static void test_ts_nanoseconds_padded(void **state)
{
	(void)state;
	struct slw_event ev = send_event();
	char line[SLW_LINE_MAX];
	ev.ts.tv_sec = 5;
	ev.ts.tv_nsec = 7;
	slw_format(line, sizeof(line), &ev);
	assert_non_null(strstr(line, "{\"ts\":\"5.000000007\","));
	ev.ts.tv_sec = 0;
	ev.ts.tv_nsec = 0;
	slw_format(line, sizeof(line), &ev);
	assert_non_null(strstr(line, "{\"ts\":\"0.000000000\","));
	ev.ts.tv_sec = 4102444800; /* 2100: past 32 bits */
	ev.ts.tv_nsec = 999999999;
	slw_format(line, sizeof(line), &ev);
	assert_non_null(strstr(line, "{\"ts\":\"4102444800.999999999\","));
}

static void test_failed_send(void **state)
{
	(void)state;
	struct slw_event ev = send_event();
	ev.len = 5;
	ev.ret = -1;
	ev.err = EPIPE;
	ev.off = 20;
	ev.flags = MSG_NOSIGNAL;
	ev.data = "????\n";
	ev.data_len = 5;
	assert_format(&ev,
		      "{\"ts\":\"1763723790.123456789\",\"pid\":4242,\"event\":\"send\",\"fd\":3,"
		      "\"local\":\"127.0.0.1:40494\",\"peer\":\"127.0.0.1:8999\",\"len\":5,"
		      "\"ret\":-1,\"errno\":\"EPIPE\",\"off\":20,\"flags\":\"MSG_NOSIGNAL\","
		      "\"data\":\"????\\n\"}\n");
}

static void test_recv_without_data(void **state)
{
	(void)state;
	struct slw_event ev = send_event();
	ev.kind = SLW_RECV;
	ev.len = 64;
	ev.ret = 0;
	ev.off = 17;
	ev.data = NULL;
	assert_format(&ev,
		      "{\"ts\":\"1763723790.123456789\",\"pid\":4242,\"event\":\"recv\",\"fd\":3,"
		      "\"local\":\"127.0.0.1:40494\",\"peer\":\"127.0.0.1:8999\",\"len\":64,"
		      "\"ret\":0,\"errno\":null,\"off\":17,\"flags\":\"\"}\n");
}

static void test_connect_accept_close(void **state)
{
	(void)state;
	struct slw_event ev = send_event();
	ev.kind = SLW_CONNECT;
	ev.ret = 0;
	assert_format(
		&ev, "{\"ts\":\"1763723790.123456789\",\"pid\":4242,\"event\":\"connect\",\"fd\":3,"
		     "\"local\":\"127.0.0.1:40494\",\"peer\":\"127.0.0.1:8999\",\"ret\":0,"
		     "\"errno\":null}\n");
	ev.kind = SLW_ACCEPT;
	ev.ret = 5;
	assert_format(&ev,
		      "{\"ts\":\"1763723790.123456789\",\"pid\":4242,\"event\":\"accept\",\"fd\":3,"
		      "\"local\":\"127.0.0.1:40494\",\"peer\":\"127.0.0.1:8999\",\"ret\":5,"
		      "\"errno\":null}\n");
	ev.kind = SLW_CLOSE;
	ev.ret = -1;
	ev.err = EBADF;
	ev.local = ev.peer = NULL;
	assert_format(&ev,
		      "{\"ts\":\"1763723790.123456789\",\"pid\":4242,\"event\":\"close\",\"fd\":3,"
		      "\"local\":null,\"peer\":null,\"ret\":-1,\"errno\":\"EBADF\"}\n");
}

static void test_shutdown_how(void **state)
{
	(void)state;
	struct slw_event ev = send_event();
	char line[SLW_LINE_MAX];
	ev.kind = SLW_SHUTDOWN;
	ev.how = SHUT_WR;
	ev.ret = 0;
	assert_format(
		&ev,
		"{\"ts\":\"1763723790.123456789\",\"pid\":4242,\"event\":\"shutdown\",\"fd\":3,"
		"\"local\":\"127.0.0.1:40494\",\"peer\":\"127.0.0.1:8999\",\"how\":\"SHUT_WR\","
		"\"ret\":0,\"errno\":null}\n");
	ev.how = SHUT_RD;
	slw_format(line, sizeof(line), &ev);
	assert_non_null(strstr(line, "\"how\":\"SHUT_RD\""));
	ev.how = SHUT_RDWR;
	slw_format(line, sizeof(line), &ev);
	assert_non_null(strstr(line, "\"how\":\"SHUT_RDWR\""));
}

static void test_signal_and_exit(void **state)
{
	(void)state;
	struct slw_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = SLW_SIGNAL;
	ev.ts.tv_sec = 10;
	ev.ts.tv_nsec = 1;
	ev.pid = 7;
	ev.sig = SIGPIPE;
	ev.disposition = SLW_DISP_HANDLER;
	assert_format(&ev,
		      "{\"ts\":\"10.000000001\",\"pid\":7,\"event\":\"signal\",\"sig\":\"SIGPIPE\","
		      "\"disposition\":\"handler\"}\n");
	ev.disposition = SLW_DISP_IGNORE;
	assert_format(&ev,
		      "{\"ts\":\"10.000000001\",\"pid\":7,\"event\":\"signal\",\"sig\":\"SIGPIPE\","
		      "\"disposition\":\"ignore\"}\n");
	ev.disposition = SLW_DISP_DEFAULT;
	assert_format(&ev,
		      "{\"ts\":\"10.000000001\",\"pid\":7,\"event\":\"signal\",\"sig\":\"SIGPIPE\","
		      "\"disposition\":\"default\"}\n");

	ev.kind = SLW_EXIT;
	ev.status = -1;
	ev.sig = SIGPIPE;
	assert_format(&ev, "{\"ts\":\"10.000000001\",\"pid\":7,\"event\":\"exit\",\"status\":null,"
			   "\"signal\":\"SIGPIPE\"}\n");
	ev.status = 3;
	ev.sig = 0;
	assert_format(&ev, "{\"ts\":\"10.000000001\",\"pid\":7,\"event\":\"exit\",\"status\":3,"
			   "\"signal\":null}\n");
}

static void test_null_off_and_addresses(void **state)
{
	(void)state;
	struct slw_event ev = send_event();
	char line[SLW_LINE_MAX];
	ev.off = -1;
	ev.local = NULL;
	slw_format(line, sizeof(line), &ev);
	assert_non_null(strstr(line, "\"off\":null,"));
	assert_non_null(strstr(line, "\"local\":null,\"peer\":\"127.0.0.1:8999\""));
}

static void test_line_too_small(void **state)
{
	(void)state;
	struct slw_event ev = send_event();
	char line[40];
	memset(line, 'x', sizeof(line));
	assert_int_equal(slw_format(line, sizeof(line), &ev), -1);
	assert_int_equal(line[0], '\0');
	assert_int_equal(slw_format(line, 0, &ev), -1);
}

/* ---- names ---- */

static void test_errno_names(void **state)
{
	(void)state;
	assert_null(slw_errno_name(0));
	assert_string_equal(slw_errno_name(EPIPE), "EPIPE");
	assert_string_equal(slw_errno_name(ECONNRESET), "ECONNRESET");
	assert_string_equal(slw_errno_name(ECONNREFUSED), "ECONNREFUSED");
	assert_string_equal(slw_errno_name(ENOTCONN), "ENOTCONN");
	assert_string_equal(slw_errno_name(ETIMEDOUT), "ETIMEDOUT");
	assert_string_equal(slw_errno_name(EAGAIN), "EAGAIN"); /* = EWOULDBLOCK */
	assert_string_equal(slw_errno_name(EINTR), "EINTR");
	assert_string_equal(slw_errno_name(EBADF), "EBADF");
	assert_string_equal(slw_errno_name(EADDRINUSE), "EADDRINUSE");
	assert_string_equal(slw_errno_name(9999), "E9999");

	struct slw_event ev = send_event();
	char line[SLW_LINE_MAX];
	ev.ret = -1;
	ev.err = ECONNRESET;
	slw_format(line, sizeof(line), &ev);
	assert_non_null(strstr(line, "\"ret\":-1,\"errno\":\"ECONNRESET\","));
	ev.err = 9999;
	slw_format(line, sizeof(line), &ev);
	assert_non_null(strstr(line, "\"errno\":\"E9999\","));
}

static void test_signal_and_flag_names(void **state)
{
	(void)state;
	char buf[128];
	assert_string_equal(slw_signal_name(SIGPIPE), "SIGPIPE");
	assert_string_equal(slw_signal_name(SIGKILL), "SIGKILL");
	assert_string_equal(slw_signal_name(SIGALRM), "SIGALRM");
	assert_string_equal(slw_signal_name(200), "SIG200");
	slw_flags_name(0, buf, sizeof(buf));
	assert_string_equal(buf, "");
	slw_flags_name(MSG_NOSIGNAL, buf, sizeof(buf));
	assert_string_equal(buf, "MSG_NOSIGNAL");
	slw_flags_name(MSG_NOSIGNAL | MSG_MORE, buf, sizeof(buf));
	assert_string_equal(buf, "MSG_NOSIGNAL|MSG_MORE");
	slw_flags_name(MSG_DONTWAIT | 0x40000000, buf, sizeof(buf));
	assert_string_equal(buf, "MSG_DONTWAIT|0x40000000");
	assert_string_equal(slw_kind_name(SLW_SHUTDOWN), "shutdown");
	assert_string_equal(slw_kind_name(SLW_EXIT), "exit");
}

/* ---- escaping ---- */

static void test_escape_quotes_backslashes_whitespace(void **state)
{
	(void)state;
	assert_string_equal(escape("say \"hi\"", 8), "say \\\"hi\\\"");
	assert_string_equal(escape("a\\b", 3), "a\\\\b");
	assert_string_equal(escape("\n\r\t", 3), "\\n\\r\\t");
	assert_string_equal(escape("/", 1), "/");
}

static void test_escape_control_bytes(void **state)
{
	(void)state;
	assert_string_equal(escape("\0", 1), "\\u0000");
	assert_string_equal(escape("\x01\x1f", 2), "\\u0001\\u001f");
	assert_string_equal(escape("\b\f\x1b", 3), "\\u0008\\u000c\\u001b");
	assert_string_equal(escape("\x7f", 1), "\\u007f");
	assert_string_equal(escape("hello\0", 6), "hello\\u0000"); /* the seed's trailing NUL */
}

static void test_escape_non_utf8(void **state)
{
	(void)state;
	assert_string_equal(escape("\xff", 1), "\\u00ff");
	assert_string_equal(escape("\x80", 1), "\\u0080");   /* lone continuation */
	assert_string_equal(escape("\xc3", 1), "\\u00c3");   /* lead byte cut short */
	assert_string_equal(escape("\xc3x", 2), "\\u00c3x"); /* lead byte, no continuation */
	assert_string_equal(escape("\xc0\xaf", 2), "\\u00c0\\u00af");		 /* overlong '/' */
	assert_string_equal(escape("\xe0\x80\xaf", 3), "\\u00e0\\u0080\\u00af"); /* overlong */
	assert_string_equal(escape("\xed\xa0\x80", 3), "\\u00ed\\u00a0\\u0080"); /* surrogate */
	assert_string_equal(escape("\xf4\x90\x80\x80", 4),
			    "\\u00f4\\u0090\\u0080\\u0080"); /* > U+10FFFF */
	assert_string_equal(escape("\xf5\x80", 2), "\\u00f5\\u0080");
	assert_string_equal(escape("\xe2\x82", 2), "\\u00e2\\u0082"); /* cut at the end */
	/* the GBK bytes of the seed's Chinese text are not UTF-8 */
	assert_string_equal(escape("\xc4\xe3\xba\xc3", 4), "\\u00c4\\u00e3\\u00ba\\u00c3");
}

static void test_escape_keeps_valid_utf8(void **state)
{
	(void)state;
	assert_string_equal(escape("\xc3\xa9", 2), "\xc3\xa9");			/* é */
	assert_string_equal(escape("\xe2\x82\xac", 3), "\xe2\x82\xac");		/* € */
	assert_string_equal(escape("\xf0\x9f\x98\x80", 4), "\xf0\x9f\x98\x80"); /* 😀 */
	assert_string_equal(escape("\xf4\x8f\xbf\xbf", 4), "\xf4\x8f\xbf\xbf"); /* U+10FFFF */
	assert_string_equal(escape("\xe8\xa3\x82\xe5\xbc\x80", 6),
			    "\xe8\xa3\x82\xe5\xbc\x80"); /* 裂开 */
	assert_string_equal(escape("\xc3\xa9\xff\xc3\xa9", 5), "\xc3\xa9\\u00ff\xc3\xa9");
}

static void test_escape_never_cuts(void **state)
{
	(void)state;
	char out[8];
	/* room for 7 bytes: "\\n" "\\n" "\\n" is 6, the next would be 8 */
	assert_int_equal(slw_escape(out, sizeof(out), "\n\n\n\n", 4), 6);
	assert_string_equal(out, "\\n\\n\\n");
	/* a \u00XX escape does not fit in 5: nothing of it is written */
	assert_int_equal(slw_escape(out, 6, "a\x01", 2), 1);
	assert_string_equal(out, "a");
	/* nor half a character */
	assert_int_equal(slw_escape(out, 3, "a\xe2\x82\xac", 4), 1);
	assert_string_equal(out, "a");
	assert_int_equal(slw_escape(out, 0, "a", 1), 0);
}

static void test_data_limited_to_64_bytes(void **state)
{
	(void)state;
	struct slw_event ev = send_event();
	char data[100], line[SLW_LINE_MAX], want[80];
	memset(data, 'a', sizeof(data));
	ev.data = data;
	ev.data_len = ev.len = sizeof(data);
	slw_format(line, sizeof(line), &ev);
	memset(want, 'a', 64);
	memcpy(want + 64, "\"}\n", 4);
	assert_non_null(strstr(line, "\"len\":100,"));
	assert_non_null(strstr(line, "\"data\":\""));
	assert_string_equal(strstr(line, "\"data\":\"") + 8, want);

	/* a character across the 64-byte boundary: its first bytes are not
	 * a whole character, so they are escaped */
	memcpy(data + 63, "\xe2\x82\xac", 3);
	slw_format(line, sizeof(line), &ev);
	assert_non_null(strstr(line, "a\\u00e2\"}\n"));
}

static void test_every_byte_gives_valid_json(void **state)
{
	(void)state;
	struct slw_event ev = send_event();
	char line[SLW_LINE_MAX];
	unsigned char data[SLW_DATA_MAX];
	unsigned seed = 12345;

	for (int b = 0; b < 256; b++) {
		data[0] = (unsigned char)b;
		ev.data = data;
		ev.data_len = 1;
		assert_true(slw_format(line, sizeof(line), &ev) > 0);
		json_t *j = parse(line);
		/* ASCII that is not a control byte comes back as itself */
		if (b >= 0x20 && b < 0x7f) {
			assert_int_equal(strlen(str(j, "data")), 1);
			assert_int_equal((unsigned char)str(j, "data")[0], b);
		}
		json_decref(j);
	}
	for (int round = 0; round < 2000; round++) {
		for (size_t i = 0; i < sizeof(data); i++) {
			seed = seed * 1103515245u + 12345u;
			data[i] = (unsigned char)(seed >> 16);
		}
		ev.data_len = sizeof(data);
		assert_true(slw_format(line, sizeof(line), &ev) > 0);
		json_decref(parse(line)); /* jansson rejects invalid UTF-8 */
	}
	/* the worst case fits in SLW_LINE_MAX */
	memset(data, 0x01, sizeof(data));
	ev.local = ev.peer = "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff%4294967295]:65535";
	ev.len = (size_t)-1;
	ev.ret = ev.off = INT64_MIN;
	ev.err = 9999;
	ev.flags = -1;
	assert_true(slw_format(line, sizeof(line), &ev) > 0);
	ev.len = (size_t)INT64_MAX; /* what jansson can hold */
	assert_true(slw_format(line, sizeof(line), &ev) > 0);
	json_decref(parse(line));
}

/* ---- addresses ---- */

static void test_addresses(void **state)
{
	(void)state;
	char out[SLW_ADDR_MAX];
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
	struct sockaddr_un un;

	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	in.sin_port = htons(40494);
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(slw_format_addr((struct sockaddr *)&in, sizeof(in), out, sizeof(out)), 0);
	assert_string_equal(out, "127.0.0.1:40494");

	memset(&in6, 0, sizeof(in6));
	in6.sin6_family = AF_INET6;
	in6.sin6_port = htons(8999);
	in6.sin6_addr = in6addr_loopback;
	assert_int_equal(slw_format_addr((struct sockaddr *)&in6, sizeof(in6), out, sizeof(out)),
			 0);
	assert_string_equal(out, "[::1]:8999");

	inet_pton(AF_INET6, "2001:db8::1:0:0:1", &in6.sin6_addr);
	in6.sin6_port = htons(443);
	slw_format_addr((struct sockaddr *)&in6, sizeof(in6), out, sizeof(out));
	assert_string_equal(out, "[2001:db8::1:0:0:1]:443");

	inet_pton(AF_INET6, "::ffff:127.0.0.1", &in6.sin6_addr);
	slw_format_addr((struct sockaddr *)&in6, sizeof(in6), out, sizeof(out));
	assert_string_equal(out, "[::ffff:127.0.0.1]:443");

	inet_pton(AF_INET6, "fe80::1", &in6.sin6_addr);
	in6.sin6_scope_id = 2;
	in6.sin6_port = htons(0);
	slw_format_addr((struct sockaddr *)&in6, sizeof(in6), out, sizeof(out));
	assert_string_equal(out, "[fe80::1%2]:0");

	/* too small: nothing rather than half */
	assert_int_equal(slw_format_addr((struct sockaddr *)&in, sizeof(in), out, 8), -1);
	assert_string_equal(out, "");
	/* a short length or another family */
	assert_int_equal(slw_format_addr((struct sockaddr *)&in6, sizeof(in), out, sizeof(out)),
			 -1);
	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	assert_int_equal(slw_format_addr((struct sockaddr *)&un, sizeof(un), out, sizeof(out)), -1);
	assert_string_equal(out, "");
	assert_int_equal(slw_format_addr(NULL, 0, out, sizeof(out)), -1);
}

/* ---- the wrappers, on real sockets ---- */

static void wrappers_on(int family)
{
	char path[256], buf[64];
	struct slw *w = temp_log(path, sizeof(path));
	int c, s, n;
	int64_t before, after;

	if (tcp_pair(w, family, &c, &s) < 0) {
		slw_free(w);
		unlink(path);
		skip(); /* no ::1 here */
	}
	before = now_ns();
	assert_int_equal(slw_send(w, c, "hello\n", 6, 0), 6);
	after = now_ns();
	assert_int_equal(slw_send(w, c, "dont leave\n", 11, 0), 11);
	assert_int_equal(slw_recv(w, s, buf, 6, 0), 6);
	assert_int_equal(slw_recv(w, s, buf, sizeof(buf), 0), 11);
	assert_int_equal(slw_shutdown(w, c, SHUT_WR), 0);
	assert_int_equal(slw_recv(w, s, buf, sizeof(buf), 0), 0);
	/* the writer hands back the call's errno untouched */
	errno = 0;
	assert_int_equal(slw_send(w, c, "????\n", 5, MSG_NOSIGNAL), -1);
	assert_int_equal(errno, EPIPE);
	assert_int_equal(slw_send(w, c, "!\n", 2, MSG_NOSIGNAL),
			 -1); /* a failure moves no offset */
	assert_int_equal(slw_close(w, c), 0);
	assert_int_equal(slw_close(w, s), 0);
	errno = 0;
	assert_int_equal(slw_close(w, c), -1); /* closed already */
	assert_int_equal(errno, EBADF);
	slw_free(w);

	json_t **l = read_log(path, &n);
	assert_int_equal(n, 13);
	const char *want[] = { "connect", "accept", "send", "send",  "recv",  "recv", "shutdown",
			       "recv",	  "send",   "send", "close", "close", "close" };
	for (int i = 0; i < 13; i++) {
		assert_string_equal(str(l[i], "event"), want[i]);
		assert_int_equal(num(l[i], "pid"), getpid());
	}
	/* both ends name the same connection */
	const char *cl = str(l[0], "local"), *cp = str(l[0], "peer");
	assert_string_equal(str(l[1], "peer"), cl);
	assert_string_equal(str(l[1], "local"), cp);
	if (family == AF_INET6)
		assert_int_equal(strncmp(cl, "[::1]:", 6), 0);
	else
		assert_int_equal(strncmp(cl, "127.0.0.1:", 10), 0);
	assert_int_equal(num(l[1], "ret"), s);
	/* the time is taken when the call returns */
	assert_true(ts_ns(str(l[2], "ts")) >= before && ts_ns(str(l[2], "ts")) <= after);
	/* sends: len, ret, off, data */
	assert_int_equal(num(l[2], "len"), 6);
	assert_int_equal(num(l[2], "off"), 0);
	assert_string_equal(str(l[2], "data"), "hello\n");
	assert_string_equal(str(l[2], "flags"), "");
	assert_int_equal(num(l[3], "off"), 6);
	assert_true(json_is_null(json_object_get(l[3], "errno")));
	/* recvs: the bytes received, and their own offsets */
	assert_int_equal(num(l[4], "len"), 6);
	assert_string_equal(str(l[4], "data"), "hello\n");
	assert_int_equal(num(l[5], "off"), 6);
	assert_string_equal(str(l[5], "data"), "dont leave\n");
	assert_string_equal(str(l[6], "how"), "SHUT_WR");
	assert_int_equal(num(l[7], "ret"), 0);
	assert_int_equal(num(l[7], "off"), 17);
	assert_null(json_object_get(l[7], "data"));
	/* the failed send */
	assert_int_equal(num(l[8], "ret"), -1);
	assert_string_equal(str(l[8], "errno"), "EPIPE");
	assert_int_equal(num(l[8], "off"), 17);
	assert_string_equal(str(l[8], "flags"), "MSG_NOSIGNAL");
	assert_string_equal(str(l[8], "peer"), cp);
	assert_int_equal(num(l[9], "off"), 17);
	/* close keeps the addresses it had */
	assert_string_equal(str(l[10], "local"), cl);
	assert_string_equal(str(l[11], "local"), cp);
	assert_string_equal(str(l[12], "errno"), "EBADF");
	assert_true(json_is_null(json_object_get(l[12], "peer")));
	free_lines(l, n);
	unlink(path);
}

static void test_wrappers_ipv4(void **state)
{
	(void)state;
	wrappers_on(AF_INET);
}

static void test_wrappers_ipv6(void **state)
{
	(void)state;
	wrappers_on(AF_INET6);
}

static void test_addresses_kept_after_reset(void **state)
{
	(void)state;
	char path[256];
	struct slw *w = temp_log(path, sizeof(path));
	struct linger lg = { 1, 0 };
	struct pollfd p;
	int c, s, n;

	assert_int_equal(tcp_pair(w, AF_INET, &c, &s), 0);
	setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(s); /* RST */
	p.fd = c;
	p.events = 0;
	assert_int_equal(poll(&p, 1, 5000), 1);
	/* getpeername() now fails; the log still names the peer */
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	assert_int_equal(getpeername(c, (struct sockaddr *)&ss, &len), -1);
	assert_int_equal(slw_send(w, c, "x", 1, MSG_NOSIGNAL), -1);
	assert_int_equal(errno, ECONNRESET);
	close(c);
	slw_free(w);
	json_t **l = read_log(path, &n);
	assert_int_equal(n, 3);
	assert_string_equal(str(l[2], "errno"), "ECONNRESET");
	assert_string_equal(str(l[2], "peer"), str(l[0], "peer"));
	free_lines(l, n);
	unlink(path);
}

static void test_failed_connect_names_target(void **state)
{
	(void)state;
	char path[256];
	struct slw *w = temp_log(path, sizeof(path));
	struct sockaddr_in in;
	socklen_t len = sizeof(in);
	int n, l = socket(AF_INET, SOCK_STREAM, 0), c;

	/* a port that was just free: bind, learn it, close */
	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(l, (struct sockaddr *)&in, sizeof(in));
	getsockname(l, (struct sockaddr *)&in, &len);
	close(l);
	c = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(slw_connect(w, c, (struct sockaddr *)&in, sizeof(in)), -1);
	assert_int_equal(errno, ECONNREFUSED);
	close(c);
	slw_free(w);
	json_t **lines = read_log(path, &n);
	assert_int_equal(n, 1);
	char want[64];
	snprintf(want, sizeof(want), "127.0.0.1:%u", ntohs(in.sin_port));
	assert_string_equal(str(lines[0], "peer"), want);
	assert_string_equal(str(lines[0], "errno"), "ECONNREFUSED");
	free_lines(lines, n);
	unlink(path);
}

static void test_null_writer_makes_the_calls(void **state)
{
	(void)state;
	int sv[2];
	char buf[8];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(slw_send(NULL, sv[0], "abc", 3, 0), 3);
	assert_int_equal(slw_recv(NULL, sv[1], buf, sizeof(buf), 0), 3);
	assert_int_equal(slw_shutdown(NULL, sv[0], SHUT_WR), 0);
	assert_int_equal(slw_close(NULL, sv[0]), 0);
	assert_int_equal(slw_close(NULL, sv[1]), 0);
	assert_int_equal(slw_signal(NULL, SIGPIPE, SLW_DISP_HANDLER), 0);
	assert_int_equal(slw_log(NULL, NULL), -1);
	slw_free(NULL);
}

/* ---- signals ---- */

static struct slw *handler_log;

static void on_usr1(int sig) { slw_signal(handler_log, sig, SLW_DISP_HANDLER); }

static void test_signal_from_handler(void **state)
{
	(void)state;
	char path[256];
	struct sigaction sa, old;
	int n;

	handler_log = temp_log(path, sizeof(path));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, &old);
	errno = 1234;
	raise(SIGUSR1);
	assert_int_equal(errno, 1234); /* the handler leaves errno alone */
	sigaction(SIGUSR1, &old, NULL);
	slw_free(handler_log);

	json_t **l = read_log(path, &n);
	assert_int_equal(n, 1);
	assert_string_equal(str(l[0], "event"), "signal");
	assert_string_equal(str(l[0], "sig"), "SIGUSR1");
	assert_string_equal(str(l[0], "disposition"), "handler");
	assert_int_equal(num(l[0], "pid"), getpid());
	assert_int_equal(json_object_size(l[0]), 5);
	free_lines(l, n);
	unlink(path);
}

static void test_ignored_sigpipe_is_logged(void **state)
{
	(void)state;
	char path[256];
	struct slw *w = temp_log(path, sizeof(path));
	struct sigaction ign, old;
	int sv[2], n;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	slw_shutdown(w, sv[0], SHUT_WR);
	assert_int_equal(slw_send(w, sv[0], "x", 1, 0), -1);
	assert_int_equal(errno, EPIPE);
	/* with MSG_NOSIGNAL nothing was raised: no signal line */
	assert_int_equal(slw_send(w, sv[0], "y", 1, MSG_NOSIGNAL), -1);
	sigaction(SIGPIPE, &old, NULL);
	close(sv[0]);
	close(sv[1]);
	slw_free(w);

	json_t **l = read_log(path, &n);
	assert_int_equal(n, 4);
	assert_string_equal(str(l[1], "event"), "signal");
	assert_string_equal(str(l[1], "disposition"), "ignore");
	assert_string_equal(str(l[1], "ts"), str(l[2], "ts"));
	assert_string_equal(str(l[2], "event"), "send");
	assert_string_equal(str(l[3], "event"), "send");
	free_lines(l, n);
	unlink(path);
}

static void test_exit_events(void **state)
{
	(void)state;
	char path[256];
	struct slw *w = temp_log(path, sizeof(path));
	int st, n;
	pid_t a, b;

	a = fork();
	if (a == 0)
		_exit(3);
	waitpid(a, &st, 0);
	slw_exit(w, a, st);
	b = fork();
	if (b == 0) {
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
		_exit(0);
	}
	waitpid(b, &st, 0);
	slw_exit(w, b, st);
	slw_free(w);

	json_t **l = read_log(path, &n);
	assert_int_equal(n, 2);
	assert_int_equal(num(l[0], "pid"), a);
	assert_int_equal(num(l[0], "status"), 3);
	assert_true(json_is_null(json_object_get(l[0], "signal")));
	assert_int_equal(num(l[1], "pid"), b);
	assert_true(json_is_null(json_object_get(l[1], "status")));
	assert_string_equal(str(l[1], "signal"), "SIGPIPE");
	free_lines(l, n);
	unlink(path);
}

static volatile sig_atomic_t pipe_signals;
static void count_sigpipe(int sig)
{
	(void)sig;
	pipe_signals++;
}

static void test_writes_never_raise_sigpipe(void **state)
{
	(void)state;
	struct sigaction sa, old;
	sigset_t pending;
	int p[2];

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = count_sigpipe;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, &old);
	pipe_signals = 0;
	assert_int_equal(pipe(p), 0);
	close(p[0]); /* nobody reads */
	assert_int_equal(slw_write_line(p[1], "x\n", 2), -1);
	assert_int_equal(errno, EPIPE);

	/* a log that is such a pipe: the line is lost (and counted), no signal,
	 * and the call's own result and errno are untouched */
	struct slw *w = slw_new_fd(p[1]);
	struct slw_event ev = send_event();
	int sv[2];
	char c;
	assert_int_equal(slw_log(w, &ev), -1);
	assert_int_equal(slw_write_errors(w), 1);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	errno = 1234;
	assert_int_equal(slw_send(w, sv[0], "z", 1, 0), 1);
	assert_int_equal(errno, 1234);
	assert_int_equal(slw_recv(w, sv[1], &c, 1, 0), 1);
	assert_int_equal(errno, 1234);
	assert_int_equal(slw_recv(w, sv[1], &c, 1, MSG_DONTWAIT), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(slw_write_errors(w), 4);
	close(sv[0]);
	close(sv[1]);
	assert_int_equal(slw_signal(w, SIGPIPE, SLW_DISP_HANDLER), -1);
	slw_free(w);

	sigpending(&pending);
	assert_false(sigismember(&pending, SIGPIPE));
	assert_int_equal(pipe_signals, 0);
	sigaction(SIGPIPE, &old, NULL);
}

/* ---- opening ---- */

static void test_open_truncate_append_and_errors(void **state)
{
	(void)state;
	char path[256], err[512];
	struct slw *w = temp_log(path, sizeof(path));
	struct slw_event ev = send_event();
	int n;

	slw_log(w, &ev);
	slw_free(w);
	w = slw_new(path, 0, err, sizeof(err)); /* appends */
	slw_log(w, &ev);
	slw_free(w);
	json_t **l = read_log(path, &n);
	assert_int_equal(n, 2);
	free_lines(l, n);
	w = slw_new(path, SLW_TRUNCATE, err, sizeof(err)); /* empties */
	slw_log(w, &ev);
	slw_free(w);
	l = read_log(path, &n);
	assert_int_equal(n, 1);
	free_lines(l, n);
	unlink(path);

	assert_null(slw_new("/nonexistent-dir/x/y.log", 0, err, sizeof(err)));
	assert_non_null(strstr(err, "'/nonexistent-dir/x/y.log'"));
	assert_null(slw_new("", 0, err, sizeof(err)));
	assert_null(slw_new(NULL, 0, err, sizeof(err)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_design_example),
		cmocka_unit_test(test_ts_nanoseconds_padded),
		cmocka_unit_test(test_failed_send),
		cmocka_unit_test(test_recv_without_data),
		cmocka_unit_test(test_connect_accept_close),
		cmocka_unit_test(test_shutdown_how),
		cmocka_unit_test(test_signal_and_exit),
		cmocka_unit_test(test_null_off_and_addresses),
		cmocka_unit_test(test_line_too_small),
		cmocka_unit_test(test_errno_names),
		cmocka_unit_test(test_signal_and_flag_names),
		cmocka_unit_test(test_escape_quotes_backslashes_whitespace),
		cmocka_unit_test(test_escape_control_bytes),
		cmocka_unit_test(test_escape_non_utf8),
		cmocka_unit_test(test_escape_keeps_valid_utf8),
		cmocka_unit_test(test_escape_never_cuts),
		cmocka_unit_test(test_data_limited_to_64_bytes),
		cmocka_unit_test(test_every_byte_gives_valid_json),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_wrappers_ipv4),
		cmocka_unit_test(test_wrappers_ipv6),
		cmocka_unit_test(test_addresses_kept_after_reset),
		cmocka_unit_test(test_failed_connect_names_target),
		cmocka_unit_test(test_null_writer_makes_the_calls),
		cmocka_unit_test(test_signal_from_handler),
		cmocka_unit_test(test_ignored_sigpipe_is_logged),
		cmocka_unit_test(test_exit_events),
		cmocka_unit_test(test_writes_never_raise_sigpipe),
		cmocka_unit_test(test_open_truncate_append_and_errors),
	};
	return cmocka_run_group_tests_name("sendlog_writer", tests, NULL, NULL);
}
