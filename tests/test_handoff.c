/* test_handoff.c: batches from a producer thread reach the consumer whole,
 * in order, none lost or repeated, whatever the ring size and however the two
 * threads' speeds differ; a consumer that stops early unblocks the producer,
 * and the batches left over can still be cleaned up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>

#include <cmocka.h>

#include "handoff.h"

#define WORDS 64 /* a batch: a sequence number, then WORDS-1 words derived from it */

struct prod {
	struct handoff *h;
	uint64_t batches;  /* how many to publish (the last one says end) */
	int slow_every;	   /* sleep briefly every k batches (0: never) */
	uint64_t produced; /* batches published */
	int stopped;	   /* handoff_fill() returned NULL */
};

static void nap(void)
{
	struct timespec ts = { 0, 200000 }; /* 0.2 ms */
	nanosleep(&ts, NULL);
}

static void *producer(void *arg)
{
	struct prod *p = arg;
	for (uint64_t i = 0; i < p->batches; i++) {
		uint64_t *b = handoff_fill(p->h);
		if (!b) {
			p->stopped = 1;
			return NULL;
		}
		b[0] = i;
		for (int w = 1; w < WORDS; w++)
			b[w] = i * 1000003u + (uint64_t)w;
		if (p->slow_every && i % (uint64_t)p->slow_every == 0)
			nap();
		handoff_publish(p->h);
		p->produced++;
	}
	return NULL;
}

/* Consumes n batches, checking each; slow_every as for the producer. */
static void consume(struct handoff *h, uint64_t n, int slow_every)
{
	for (uint64_t i = 0; i < n; i++) {
		const uint64_t *b = handoff_take(h);
		if (b[0] != i)
			fail_msg("batch %llu arrived as batch %llu", (unsigned long long)b[0],
				 (unsigned long long)i);
		for (int w = 1; w < WORDS; w++)
			if (b[w] != i * 1000003u + (uint64_t)w)
				fail_msg("batch %llu word %d is not what was published",
					 (unsigned long long)i, w);
		if (slow_every && i % (uint64_t)slow_every == 0)
			nap();
	}
}

static void run(int nbuf, uint64_t batches, int prod_slow, int cons_slow)
{
	struct handoff *h = handoff_new(nbuf, WORDS * sizeof(uint64_t));
	assert_non_null(h);
	struct prod p = { h, batches, prod_slow, 0, 0 };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, producer, &p), 0);
	consume(h, batches, cons_slow);
	pthread_join(th, NULL);
	assert_int_equal(p.produced, batches);
	assert_false(p.stopped);
	handoff_free(h);
}

static void test_every_batch_arrives_once_in_order(void **state)
{
	(void)state;
	run(8, 20000, 0, 0);
}

static void test_a_ring_of_two_still_passes_everything(void **state)
{
	(void)state;
	run(2, 5000, 0, 0);
}

static void test_a_slow_consumer_makes_the_producer_wait_not_overwrite(void **state)
{
	(void)state;
	run(4, 300, 0, 7);
}

static void test_a_slow_producer_makes_the_consumer_wait(void **state)
{
	(void)state;
	run(4, 300, 5, 0);
}

struct leftovers {
	int calls, held;
};

static void count_left(void *buf, int held, void *arg)
{
	(void)buf;
	struct leftovers *l = arg;
	l->calls++;
	l->held += held;
}

static void test_stopping_early_releases_a_waiting_producer(void **state)
{
	(void)state;
	struct handoff *h = handoff_new(4, WORDS * sizeof(uint64_t));
	assert_non_null(h);
	struct prod p = { h, 1000000, 0, 0, 0 };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, producer, &p), 0);
	consume(h, 10, 0);
	/* The producer is far ahead and soon blocked on a full ring. */
	handoff_stop(h);
	pthread_join(th, NULL); /* hangs here if handoff_stop() did not wake it */
	assert_true(p.stopped);
	assert_true(p.produced < p.batches);
	/* What was published and not given back: the batch held, and the
	 * ones after it (at most the ring). */
	struct leftovers l = { 0, 0 };
	handoff_each_full(h, count_left, &l);
	assert_int_equal(l.held, 1);
	assert_in_range(l.calls, 1, 4);
	assert_int_equal((uint64_t)l.calls, p.produced - 9);
	handoff_free(h);
}

static void test_nothing_taken_nothing_held(void **state)
{
	(void)state;
	struct handoff *h = handoff_new(3, 16);
	assert_non_null(h);
	struct leftovers l = { 0, 0 };
	handoff_each_full(h, count_left, &l);
	assert_int_equal(l.calls, 0);
	/* A producer alone fills at most the ring, then stop() frees it. */
	for (int i = 0; i < 3; i++) {
		assert_non_null(handoff_fill(h));
		handoff_publish(h);
	}
	handoff_each_full(h, count_left, &l);
	assert_int_equal(l.calls, 3);
	assert_int_equal(l.held, 0);
	handoff_stop(h);
	assert_null(handoff_fill(h));
	handoff_free(h);
	handoff_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_batch_arrives_once_in_order),
		cmocka_unit_test(test_a_ring_of_two_still_passes_everything),
		cmocka_unit_test(test_a_slow_consumer_makes_the_producer_wait_not_overwrite),
		cmocka_unit_test(test_a_slow_producer_makes_the_consumer_wait),
		cmocka_unit_test(test_stopping_early_releases_a_waiting_producer),
		cmocka_unit_test(test_nothing_taken_nothing_held),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
