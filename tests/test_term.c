/* test_term.c: text lines rewritten for a terminal: the compact layout
 * (endpoints once, options and window only verbose, notes indented and
 * wrapped) and the colours. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "term.h"

static const char seg_fin[] =
	"    8   0.301388 #1   127.0.0.1:50128 < 127.0.0.1:36361    [F.]    seq 1 ack 18 win 64 "
	"len 0 <TS val 2497331697 ecr 3115050318>  -- FIN: 127.0.0.1:36361 will send no more "
	"(FIN_WAIT); 127.0.0.1:50128 is now in CLOSE_WAIT and can still send";
static const char seg_data[] =
	"   10   0.401711 #1   127.0.0.1:50128 > 127.0.0.1:36361    [P.]    seq 18:32 ack 2 win 64 "
	"len 14 <TS val 3115050519 ecr 2497331697> \"a <b> win 3\"";
static const char call_fail[] =
	" L11    0.501936 #1   client pid 16314 send #4 (\"????\\n\", 5) = -1 EPIPE  -- the RST at "
	"record 11 came after the peer's FIN";

static char *run(struct term *t, const char *line)
{
	static char buf[65536];
	struct obuf b = { buf, 0, sizeof buf - 1 };
	term_line(t, line, strlen(line), &b);
	buf[b.len] = '\0';
	return buf;
}

static void test_compact_segment_header_once_and_note_wrapped(void **state)
{
	(void)state;
	struct term_opts o = { 0, 1, 0, 80 };
	struct term *t = term_new(&o);
	const char *got = run(t, seg_fin);
	assert_string_equal(got, "#1 client 127.0.0.1:50128 <-> server 127.0.0.1:36361\n"
				 "    8   0.301388 #1 < [F.] seq 1 ack 18 len 0\n"
				 "        -- FIN: 127.0.0.1:36361 will send no more (FIN_WAIT); "
				 "127.0.0.1:50128 is\n"
				 "           now in CLOSE_WAIT and can still send\n");
	/* The second segment of the connection: no header; the preview kept
	 * as it is, even what looks like options or a window inside it. */
	got = run(t, seg_data);
	assert_string_equal(got,
			    "   10   0.401711 #1 > [P.] seq 18:32 ack 2 len 14 \"a <b> win 3\"\n");
	term_free(t);
}

static void test_compact_verbose_keeps_window_and_options(void **state)
{
	(void)state;
	struct term_opts o = { 0, 1, 1, 200 };
	struct term *t = term_new(&o);
	const char *got = run(t, seg_data);
	assert_non_null(strstr(got, " win 64 len 14 <TS val 3115050519 ecr 2497331697> \"a <b>"));
	term_free(t);
}

static void test_every_line_fits_the_width(void **state)
{
	(void)state;
	struct term_opts o = { 1, 1, 0, 40 };
	struct term *t = term_new(&o);
	const char *lines[] = { seg_fin, seg_data, call_fail };
	for (int i = 0; i < 3; i++) {
		char *got = run(t, lines[i]);
		for (char *l = strtok(got, "\n"); l; l = strtok(NULL, "\n")) {
			size_t w = 0;
			for (const char *c = l; *c; c++) {
				if (*c == '\033') { /* not a column */
					while (*c && *c != 'm')
						c++;
					continue;
				}
				w++;
			}
			if (w > 40)
				fail_msg("line %d: %zu columns: %s", i, w, l);
		}
	}
	term_free(t);
}

static void test_colours_wide(void **state)
{
	(void)state;
	struct term_opts o = { 1, 0, 0, 300 };
	struct term *t = term_new(&o);
	const char *got = run(t, call_fail);
	assert_true(!strncmp(got, "\033[31m L11 ", 10));
	assert_non_null(strstr(got, "EPIPE\033[0m  \033[2m-- the RST"));
	got = run(t, seg_fin);
	assert_true(!strncmp(got, "\033[33m    8 ", 10));
	/* The text without the colours is the line as it was. */
	char plain[4096];
	size_t n = 0;
	for (const char *c = got; *c; c++) {
		if (*c == '\033') {
			while (*c && *c != 'm')
				c++;
			continue;
		}
		plain[n++] = *c;
	}
	plain[n] = '\0';
	assert_int_equal(n, strlen(seg_fin) + 1);
	assert_memory_equal(plain, seg_fin, strlen(seg_fin));
	term_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compact_segment_header_once_and_note_wrapped),
		cmocka_unit_test(test_compact_verbose_keeps_window_and_options),
		cmocka_unit_test(test_every_line_fits_the_width),
		cmocka_unit_test(test_colours_wide),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
