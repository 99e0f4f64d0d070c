/* test_pcapng.c: the pcapng writer's blocks, read back by libpcap, and the
 * comment store: comments added out of order land on their records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "pcapng.h"

static const uint8_t pkt1[] = { 1, 2, 3, 4, 5 }; /* 5: padded to 8 */
static const uint8_t pkt2[] = { 9, 8, 7, 6, 5, 4, 3, 2 };

static char *tmp_path(const char *suffix)
{
	static char buf[64];
	snprintf(buf, sizeof buf, "/tmp/test_pcapng-XXXXXX%s", suffix);
	int fd = mkstemps(buf, (int)strlen(suffix));
	assert_true(fd >= 0);
	close(fd);
	return strdup(buf);
}

/* The file as libpcap reads it: same bytes, lengths and nanosecond times. */
static void test_writer_blocks_read_back_by_libpcap(void **state)
{
	(void)state;
	char *path = tmp_path(".pcapng");
	char err[256];
	struct pcapng_writer *w = pcapng_writer_open(path, DLT_EN10MB, 262144, err, sizeof err);
	assert_non_null(w);
	const char *cm[] = { "first note", "second, a longer note of 27" };
	size_t cl[] = { 10, 27 };
	assert_int_equal(pcapng_write_packet(w, 1763723790123456789LL, pkt1, 5, 60,
					     PCAPNG_DIR_OUTBOUND, cm, cl, 2, err, sizeof err),
			 0);
	assert_int_equal(pcapng_write_packet(w, 1763723791000000001LL, pkt2, 8, 8, 0, NULL, NULL, 0,
					     err, sizeof err),
			 0);
	assert_int_equal(pcapng_writer_close(w, err, sizeof err), 0);

	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	assert_non_null(p);
	assert_int_equal(pcap_datalink(p), DLT_EN10MB);
	struct pcap_pkthdr *h;
	const u_char *b;
	assert_int_equal(pcap_next_ex(p, &h, &b), 1);
	assert_int_equal(h->caplen, 5);
	assert_int_equal(h->len, 60);
	assert_int_equal(h->ts.tv_sec, 1763723790);
	assert_int_equal(h->ts.tv_usec, 123456789);
	assert_memory_equal(b, pkt1, 5);
	assert_int_equal(pcap_next_ex(p, &h, &b), 1);
	assert_int_equal(h->caplen, 8);
	assert_int_equal(h->ts.tv_usec, 1);
	assert_memory_equal(b, pkt2, 8);
	assert_int_equal(pcap_next_ex(p, &h, &b), PCAP_ERROR_BREAK);
	pcap_close(p);
	unlink(path);
	free(path);
}

static void test_open_names_the_file_on_error(void **state)
{
	(void)state;
	char err[256] = "";
	assert_null(pcapng_writer_open("/nonexistent/dir/x.pcapng", 1, 65535, err, sizeof err));
	assert_non_null(strstr(err, "/nonexistent/dir/x.pcapng"));
}

/* Finds `want` in the raw file (the comments are stored as they are). */
static long find_in_file(const char *path, const char *want)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	size_t wl = strlen(want);
	for (size_t i = 0; i + wl <= n; i++)
		if (!memcmp(buf + i, want, wl))
			return (long)i;
	return -1;
}

/* A comment for an earlier record, added later, lands on that record, after
 * the record's own; records without one keep theirs empty. */
static void test_notes_out_of_order_land_on_their_record(void **state)
{
	(void)state;
	char *src = tmp_path(".pcap");
	pcap_t *dead =
		pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
	pcap_dumper_t *d = pcap_dump_open(dead, src);
	assert_non_null(d);
	for (int i = 0; i < 3; i++) {
		struct pcap_pkthdr h = { { 100 + i, 5 }, 8, 8 };
		pcap_dump((u_char *)d, &h, pkt2);
	}
	pcap_dump_close(d);
	pcap_close(dead);

	char err[256];
	struct pcapng_notes *s = pcapng_notes_new(err, sizeof err);
	assert_non_null(s);
	pcapng_notes_dir(s, 1, PCAPNG_DIR_OUTBOUND);
	pcapng_notes_dir(s, 3, PCAPNG_DIR_INBOUND);
	pcapng_notes_add(s, 3, "THIRD-OWN", 9);
	pcapng_notes_add(s, 1, "FIRST-LATE", 10);
	pcapng_notes_add(s, 3, "THIRD-LATE", 10);
	char *out = tmp_path(".pcapng");
	assert_int_equal(pcapng_notes_write(s, src, out, err, sizeof err), 0);
	pcapng_notes_free(s);
	long a = find_in_file(out, "FIRST-LATE"), b = find_in_file(out, "THIRD-OWN"),
	     c = find_in_file(out, "THIRD-LATE");
	assert_true(a > 0 && b > a && c > b);

	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(out, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	assert_non_null(p);
	struct pcap_pkthdr *h;
	const u_char *bytes;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(pcap_next_ex(p, &h, &bytes), 1);
		assert_int_equal(h->ts.tv_sec, 100 + i);
		assert_int_equal(h->ts.tv_usec, 5);
	}
	assert_int_equal(pcap_next_ex(p, &h, &bytes), PCAP_ERROR_BREAK);
	pcap_close(p);
	unlink(src);
	unlink(out);
	free(src);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_blocks_read_back_by_libpcap),
		cmocka_unit_test(test_open_names_the_file_on_error),
		cmocka_unit_test(test_notes_out_of_order_land_on_their_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
