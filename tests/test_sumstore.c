/* test_sumstore.c: finished connections stored out of order, read back in id
 * order, from an unlinked temporary file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <errno.h>
#include <unistd.h>

#include <cmocka.h>

#include "flow.h"
#include "sumstore.h"

/* What sumstore_each() handed back. */
#define KEEP 64
struct seen {
	size_t n;
	uint64_t last_id; /* to check the order of every call */
	int out_of_order;
	struct conn copy[KEEP];
};

static void collect(const struct conn *c, void *arg)
{
	struct seen *s = arg;
	if (s->n && c->id <= s->last_id)
		s->out_of_order = 1;
	s->last_id = c->id;
	if (s->n < KEEP)
		s->copy[s->n] = *c;
	s->n++;
}

static struct sumstore *new_store(void)
{
	char err[256] = "";
	struct sumstore *s = sumstore_new(err, sizeof err);
	if (!s)
		fail_msg("sumstore_new: %s", err);
	return s;
}

static struct conn mkconn(uint64_t id)
{
	struct conn c;
	memset(&c, 0, sizeof c);
	c.id = id;
	c.family = 4;
	c.port[0] = (uint16_t)(40000 + id % 20000);
	c.port[1] = 8999;
	c.lost = id * 3;
	c.rst_from = -1;
	c.first_fin_from = -1;
	c.side[0].pkts = id + 1;
	snprintf(c.ep[0], sizeof c.ep[0], "10.0.0.1:%u", (unsigned)c.port[0]);
	c.ep_len[0] = (uint8_t)strlen(c.ep[0]);
	return c;
}

static void test_put_out_of_order_reads_back_in_id_order(void **state)
{
	(void)state;
	struct sumstore *s = new_store();
	static const uint64_t order[] = { 3, 1, 5, 2, 4 };
	for (size_t i = 0; i < 5; i++) {
		struct conn c = mkconn(order[i]);
		assert_int_equal(sumstore_put(s, &c), 0);
	}
	struct seen got = { 0 };
	assert_int_equal(sumstore_each(s, collect, &got), 0);
	assert_int_equal(got.n, 5);
	for (uint64_t i = 0; i < 5; i++) {
		struct conn want = mkconn(i + 1);
		assert_int_equal(got.copy[i].id, i + 1);
		assert_int_equal(got.copy[i].lost, want.lost);
		assert_int_equal(got.copy[i].port[0], want.port[0]);
		assert_int_equal(got.copy[i].side[0].pkts, want.side[0].pkts);
		assert_int_equal(got.copy[i].rst_from, -1);
		assert_string_equal(got.copy[i].ep[0], want.ep[0]);
	}
	sumstore_free(s);
}

static void test_every_field_survives_and_pointers_are_cleared(void **state)
{
	(void)state;
	struct sumstore *s = new_store();
	struct conn c = mkconn(1);
	int dummy;
	c.hnext = (struct conn *)&dummy;
	c.prev = (struct conn *)&dummy;
	c.next = (struct conn *)&dummy;
	c.user = &dummy;
	c.first_ts = -5;
	c.last_ts = INT64_MAX;
	c.side[1].fin_n = 8;
	c.side[1].rst_n = 11;
	c.rst_lost_n = 10;
	c.rst_from = 1;
	c.calls.bytes_lost = 14;
	assert_int_equal(sumstore_put(s, &c), 0);
	struct seen got = { 0 };
	assert_int_equal(sumstore_each(s, collect, &got), 0);
	assert_int_equal(got.n, 1);
	struct conn *r = &got.copy[0];
	assert_null(r->hnext);
	assert_null(r->prev);
	assert_null(r->next);
	assert_null(r->user);
	/* Everything else is as it was put. */
	assert_int_equal(r->id, 1);
	assert_int_equal(r->first_ts, -5);
	assert_int_equal(r->last_ts, INT64_MAX);
	assert_int_equal(r->side[1].fin_n, 8);
	assert_int_equal(r->side[1].rst_n, 11);
	assert_int_equal(r->rst_lost_n, 10);
	assert_int_equal(r->rst_from, 1);
	assert_int_equal(r->first_fin_from, -1);
	assert_int_equal(r->calls.bytes_lost, 14);
	assert_int_equal(r->lost, 3);
	assert_string_equal(r->ep[0], c.ep[0]);
	assert_int_equal(r->ep_len[0], c.ep_len[0]);
	sumstore_free(s);
}

static void test_missing_ids_are_skipped(void **state)
{
	(void)state;
	struct sumstore *s = new_store();
	struct conn a = mkconn(2), b = mkconn(7);
	assert_int_equal(sumstore_put(s, &b), 0);
	assert_int_equal(sumstore_put(s, &a), 0);
	struct seen got = { 0 };
	assert_int_equal(sumstore_each(s, collect, &got), 0);
	assert_int_equal(got.n, 2);
	assert_int_equal(got.copy[0].id, 2);
	assert_int_equal(got.copy[1].id, 7);
	sumstore_free(s);
}

static void test_big_ids_across_read_batches(void **state)
{
	(void)state;
	struct sumstore *s = new_store();
	/* Around the 256-record read batch, and far out (a sparse file). */
	static const uint64_t ids[] = { 1000001, 257, 1, 256, 512, 513, 65537 };
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		struct conn c = mkconn(ids[i]);
		assert_int_equal(sumstore_put(s, &c), 0);
	}
	struct seen got = { 0 };
	assert_int_equal(sumstore_each(s, collect, &got), 0);
	static const uint64_t want[] = { 1, 256, 257, 512, 513, 65537, 1000001 };
	assert_int_equal(got.n, 7);
	for (size_t i = 0; i < 7; i++) {
		assert_int_equal(got.copy[i].id, want[i]);
		assert_int_equal(got.copy[i].lost, want[i] * 3);
	}
	sumstore_free(s);
}

static void test_many_puts_in_reverse_come_back_sorted(void **state)
{
	(void)state;
	struct sumstore *s = new_store();
	enum { N = 10000 };
	for (uint64_t id = N; id >= 1; id--) {
		struct conn c = mkconn(id);
		assert_int_equal(sumstore_put(s, &c), 0);
	}
	struct seen got = { 0 };
	assert_int_equal(sumstore_each(s, collect, &got), 0);
	assert_int_equal(got.n, N);
	assert_int_equal(got.out_of_order, 0);
	assert_int_equal(got.last_id, N);
	/* A second pass reads the same. */
	struct seen again = { 0 };
	assert_int_equal(sumstore_each(s, collect, &again), 0);
	assert_int_equal(again.n, N);
	sumstore_free(s);
}

static void test_ascending_puts_across_many_windows_all_come_back(void **state)
{
	(void)state;
	struct sumstore *s = new_store();
	enum { N = 20000 };
	/* Mostly ascending, as connections retire, with every 7th one late. */
	for (uint64_t id = 1; id <= N; id++) {
		if (id % 7) {
			struct conn c = mkconn(id);
			assert_int_equal(sumstore_put(s, &c), 0);
		}
		if (id % 700 == 0) /* the late ones of the last 700 */
			for (uint64_t late = id - 693; late <= id; late += 7) {
				struct conn l = mkconn(late);
				assert_int_equal(sumstore_put(s, &l), 0);
			}
	}
	for (uint64_t late = N - N % 700 + 7; late <= N; late += 7) {
		struct conn l = mkconn(late);
		assert_int_equal(sumstore_put(s, &l), 0);
	}
	struct seen got = { 0 };
	assert_int_equal(sumstore_each(s, collect, &got), 0);
	assert_int_equal(got.n, N);
	assert_int_equal(got.out_of_order, 0);
	assert_int_equal(got.last_id, N);
	for (size_t i = 0; i < KEEP; i++)
		assert_int_equal(got.copy[i].lost, (i + 1) * 3);
	sumstore_free(s);
}

static void test_each_then_more_puts_then_each_again(void **state)
{
	(void)state;
	struct sumstore *s = new_store();
	for (uint64_t id = 1; id <= 3000; id++) {
		struct conn c = mkconn(id);
		assert_int_equal(sumstore_put(s, &c), 0);
	}
	struct seen got = { 0 };
	assert_int_equal(sumstore_each(s, collect, &got), 0);
	assert_int_equal(got.n, 3000);
	for (uint64_t id = 3001; id <= 9000; id++) {
		struct conn c = mkconn(id);
		assert_int_equal(sumstore_put(s, &c), 0);
	}
	struct conn again = mkconn(2);
	again.lost = 12345; /* an id already written, put again: the last wins */
	assert_int_equal(sumstore_put(s, &again), 0);
	struct seen all = { 0 };
	assert_int_equal(sumstore_each(s, collect, &all), 0);
	assert_int_equal(all.n, 9000);
	assert_int_equal(all.out_of_order, 0);
	assert_int_equal(all.copy[1].lost, 12345);
	assert_int_equal(all.copy[2].lost, 9);
	sumstore_free(s);
}

static void test_same_id_put_twice_keeps_the_last(void **state)
{
	(void)state;
	struct sumstore *s = new_store();
	struct conn c = mkconn(4);
	assert_int_equal(sumstore_put(s, &c), 0);
	c.lost = 99;
	assert_int_equal(sumstore_put(s, &c), 0);
	struct seen got = { 0 };
	assert_int_equal(sumstore_each(s, collect, &got), 0);
	assert_int_equal(got.n, 1);
	assert_int_equal(got.copy[0].lost, 99);
	sumstore_free(s);
}

static void test_empty_store_calls_nothing(void **state)
{
	(void)state;
	struct sumstore *s = new_store();
	struct seen got = { 0 };
	assert_int_equal(sumstore_each(s, collect, &got), 0);
	assert_int_equal(got.n, 0);
	sumstore_free(s);
}

static void test_id_zero_is_refused(void **state)
{
	(void)state;
	struct sumstore *s = new_store();
	struct conn c = mkconn(0);
	assert_int_equal(sumstore_put(s, &c), -1);
	struct seen got = { 0 };
	assert_int_equal(sumstore_each(s, collect, &got), 0);
	assert_int_equal(got.n, 0);
	sumstore_free(s);
}

static void test_free_null_is_safe(void **state)
{
	(void)state;
	sumstore_free(NULL);
}

static void test_temporary_file_is_unlinked_in_tmpdir(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_sumstore-XXXXXX";
	assert_non_null(mkdtemp(dir));
	const char *old = getenv("TMPDIR");
	char *saved = old ? strdup(old) : NULL;
	setenv("TMPDIR", dir, 1);
	struct sumstore *s = new_store();
	if (saved) {
		setenv("TMPDIR", saved, 1);
		free(saved);
	} else {
		unsetenv("TMPDIR");
	}
	/* Nothing is left to clean up: the directory is empty already. */
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	int entries = 0;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			entries++;
	closedir(d);
	assert_int_equal(entries, 0);
	struct conn c = mkconn(1);
	assert_int_equal(sumstore_put(s, &c), 0);
	struct seen got = { 0 };
	assert_int_equal(sumstore_each(s, collect, &got), 0);
	assert_int_equal(got.n, 1);
	sumstore_free(s);
	assert_int_equal(rmdir(dir), 0);
}

static void test_unusable_tmpdir_is_named_in_the_error(void **state)
{
	(void)state;
	const char *old = getenv("TMPDIR");
	char *saved = old ? strdup(old) : NULL;
	setenv("TMPDIR", "/nonexistent/rstscope-test", 1);
	char err[256] = "";
	struct sumstore *s = sumstore_new(err, sizeof err);
	if (saved) {
		setenv("TMPDIR", saved, 1);
		free(saved);
	} else {
		unsetenv("TMPDIR");
	}
	assert_null(s);
	assert_non_null(strstr(err, "/nonexistent/rstscope-test"));
	assert_non_null(strstr(err, "TMPDIR"));
}

/* The tracer's use: the flow table retires into the store, connections
 * closing in an order unrelated to their ids. */
static void retire_to_store(const struct conn *c, void *arg)
{
	assert_int_equal(sumstore_put(arg, c), 0);
}

static void test_retired_connections_come_back_in_id_order(void **state)
{
	(void)state;
	struct sumstore *s = new_store();
	struct flow_table *t = flow_table_new(retire_to_store, s);
	assert_non_null(t);
	enum { N = 600 };
	struct tcp_segment seg;
	struct seg_info in;
	uint64_t n = 0;
	for (uint32_t i = 0; i < N; i++) {
		memset(&seg, 0, sizeof seg);
		seg.family = 4;
		seg.src[0] = 10, seg.src[2] = (uint8_t)(i >> 8), seg.src[3] = (uint8_t)i;
		seg.dst[0] = 10, seg.dst[3] = 250;
		seg.sport = (uint16_t)(1024 + i);
		seg.dport = 8999;
		seg.flags = TCPF_SYN;
		n++;
		assert_int_equal(flow_update(t, &seg, n, (ts_ns)n, &in), 0);
	}
	/* Close every third one, newest first; the rest retire at free. */
	for (uint32_t i = N; i-- > 0;) {
		if (i % 3)
			continue;
		memset(&seg, 0, sizeof seg);
		seg.family = 4;
		seg.dst[0] = 10, seg.dst[2] = (uint8_t)(i >> 8), seg.dst[3] = (uint8_t)i;
		seg.src[0] = 10, seg.src[3] = 250;
		seg.dport = (uint16_t)(1024 + i);
		seg.sport = 8999;
		seg.flags = TCPF_RST;
		n++;
		assert_int_equal(flow_update(t, &seg, n, (ts_ns)n, &in), 0);
		assert_int_equal(in.conn->id, i + 1);
	}
	flow_table_free(t);
	struct seen got = { 0 };
	assert_int_equal(sumstore_each(s, collect, &got), 0);
	assert_int_equal(got.n, N);
	assert_int_equal(got.out_of_order, 0);
	for (size_t i = 0; i < KEEP; i++) {
		assert_int_equal(got.copy[i].id, i + 1);
		assert_int_equal(got.copy[i].port[0], 1024 + i);
		assert_int_equal(got.copy[i].rst_from, i % 3 ? -1 : 1);
	}
	sumstore_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_out_of_order_reads_back_in_id_order),
		cmocka_unit_test(test_every_field_survives_and_pointers_are_cleared),
		cmocka_unit_test(test_missing_ids_are_skipped),
		cmocka_unit_test(test_big_ids_across_read_batches),
		cmocka_unit_test(test_many_puts_in_reverse_come_back_sorted),
		cmocka_unit_test(test_ascending_puts_across_many_windows_all_come_back),
		cmocka_unit_test(test_each_then_more_puts_then_each_again),
		cmocka_unit_test(test_same_id_put_twice_keeps_the_last),
		cmocka_unit_test(test_empty_store_calls_nothing),
		cmocka_unit_test(test_id_zero_is_refused),
		cmocka_unit_test(test_free_null_is_safe),
		cmocka_unit_test(test_temporary_file_is_unlinked_in_tmpdir),
		cmocka_unit_test(test_unusable_tmpdir_is_named_in_the_error),
		cmocka_unit_test(test_retired_connections_come_back_in_id_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
