/* handoff.c: batches from one producer thread to one consumer thread. */
#include "handoff.h"

#include <pthread.h>
#include <stdlib.h>

struct handoff {
	pthread_mutex_t mu;
	pthread_cond_t cv_full, cv_free;
	int nbuf;
	void **buf;
	/* Buffers fill..: free; take..: published, the first of them held by
	 * the consumer when `held`. `full` counts the published ones. */
	int fill, take, full, held;
	int stop, prod_waiting, cons_waiting;
};

struct handoff *handoff_new(int nbuf, size_t size)
{
	struct handoff *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->nbuf = nbuf;
	h->buf = calloc((size_t)nbuf, sizeof *h->buf);
	if (!h->buf)
		goto fail;
	for (int i = 0; i < nbuf; i++)
		if (!(h->buf[i] = malloc(size)))
			goto fail;
	if (pthread_mutex_init(&h->mu, NULL) != 0)
		goto fail;
	if (pthread_cond_init(&h->cv_full, NULL) != 0) {
		pthread_mutex_destroy(&h->mu);
		goto fail;
	}
	if (pthread_cond_init(&h->cv_free, NULL) != 0) {
		pthread_cond_destroy(&h->cv_full);
		pthread_mutex_destroy(&h->mu);
		goto fail;
	}
	return h;
fail:
	if (h->buf)
		for (int i = 0; i < nbuf; i++)
			free(h->buf[i]);
	free(h->buf);
	free(h);
	return NULL;
}

void handoff_free(struct handoff *h)
{
	if (!h)
		return;
	for (int i = 0; i < h->nbuf; i++)
		free(h->buf[i]);
	free(h->buf);
	pthread_cond_destroy(&h->cv_free);
	pthread_cond_destroy(&h->cv_full);
	pthread_mutex_destroy(&h->mu);
	free(h);
}

void *handoff_fill(struct handoff *h)
{
	pthread_mutex_lock(&h->mu);
	if (h->full == h->nbuf && !h->stop) {
		h->prod_waiting = 1;
		while (h->full > h->nbuf / 2 && !h->stop)
			pthread_cond_wait(&h->cv_free, &h->mu);
		h->prod_waiting = 0;
	}
	void *b = h->stop ? NULL : h->buf[h->fill];
	pthread_mutex_unlock(&h->mu);
	return b;
}

void handoff_publish(struct handoff *h)
{
	pthread_mutex_lock(&h->mu);
	h->fill = (h->fill + 1) % h->nbuf;
	h->full++;
	if (h->cons_waiting)
		pthread_cond_signal(&h->cv_full);
	pthread_mutex_unlock(&h->mu);
}

void *handoff_take(struct handoff *h)
{
	pthread_mutex_lock(&h->mu);
	if (h->held) {
		h->held = 0;
		h->take = (h->take + 1) % h->nbuf;
		h->full--;
		if (h->prod_waiting && h->full <= h->nbuf / 2)
			pthread_cond_signal(&h->cv_free);
	}
	h->cons_waiting = 1;
	while (h->full == 0)
		pthread_cond_wait(&h->cv_full, &h->mu);
	h->cons_waiting = 0;
	h->held = 1;
	void *b = h->buf[h->take];
	pthread_mutex_unlock(&h->mu);
	return b;
}

void handoff_stop(struct handoff *h)
{
	pthread_mutex_lock(&h->mu);
	h->stop = 1;
	pthread_cond_signal(&h->cv_free);
	pthread_mutex_unlock(&h->mu);
}

void handoff_each_full(struct handoff *h, void (*fn)(void *buf, int held, void *arg), void *arg)
{
	for (int i = 0; i < h->full; i++)
		fn(h->buf[(h->take + i) % h->nbuf], i == 0 && h->held, arg);
}
