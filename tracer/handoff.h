/* handoff.h: batches from one producer thread to one consumer thread.
 *
 * A ring of fixed-size buffers. The producer fills a free one and publishes
 * it; the consumer takes them in order, and a buffer it took goes back to
 * the producer when it asks for the next. Each side sleeps only when it must
 * (the producer until half the ring is free again), so a batch costs no
 * system call in the common case. Replaying, rstscope reads the capture and
 * parses the send log this way, ahead of the thread that correlates and
 * prints. */
#ifndef RSTSCOPE_HANDOFF_H
#define RSTSCOPE_HANDOFF_H

#include <stddef.h>

struct handoff;

/* nbuf buffers of size bytes each; NULL without memory. */
struct handoff *handoff_new(int nbuf, size_t size);
/* Both threads must be done with it. */
void handoff_free(struct handoff *h);

/* Producer: a free buffer to fill (waits for one), or NULL once the
 * consumer has called handoff_stop(). */
void *handoff_fill(struct handoff *h);
/* Producer: the buffer from handoff_fill() is ready for the consumer. */
void handoff_publish(struct handoff *h);

/* Consumer: gives back the buffer it had (if any) and returns the next
 * published one, waiting for it. */
void *handoff_take(struct handoff *h);
/* Consumer: the producer's next handoff_fill() returns NULL (it stops
 * early); buffers published meanwhile are never taken. */
void handoff_stop(struct handoff *h);

/* Calls fn on every buffer published but not given back (including the one
 * the consumer holds): to free what they own. Only once both threads have
 * stopped using the ring. */
void handoff_each_full(struct handoff *h, void (*fn)(void *buf, int held, void *arg), void *arg);

#endif
