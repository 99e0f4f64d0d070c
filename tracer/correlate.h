/* correlate.h: merge send-log calls with captured segments, and explain.
 *
 * Packets and calls are merged in time order. Each becomes a row in a short
 * queue; a row is printed once nothing earlier waits and, for a send(), once
 * its fate is known (acknowledged, lost to an RST or close, the input ended,
 * or 5 s without an acknowledgment: then it is printed as unsettled). Live,
 * rows also wait a settle window, so that log lines read late still take
 * their place and can annotate queued rows. */
#ifndef RSTSCOPE_CORRELATE_H
#define RSTSCOPE_CORRELATE_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "flow.h"
#include "output.h"
#include "sendlog.h"

struct correlator;
typedef void (*corr_warn_fn)(const char *msg, void *arg);

/* live: rows wait a settle window for log lines read late. */
struct correlator *corr_new(struct out *o, struct flow_table *flows, struct sendlog *log, int live,
			    corr_warn_fn warn, void *warn_arg);
void corr_free(struct correlator *k);

/* Reads and processes every logged call earlier than `now`. */
void corr_advance(struct correlator *k, ts_ns now);
/* Takes one segment, just accounted by flow_update(). */
void corr_segment(struct correlator *k, uint64_t n, ts_ns ts, const struct tcp_segment *seg,
		  const struct seg_info *info);
/* Prints every row that is final by `now` (live mode calls this on a timer). */
void corr_flush(struct correlator *k, ts_ns now);
/* The evidence ends at `end` (why: "-c 4 reached at record 4", for the
 * message): calls logged later, read by corr_finish(), are marked
 * "beyond_capture" and counted (said through warn), not explained from
 * what the capture lacks. */
void corr_set_end(struct correlator *k, ts_ns end, const char *why);
uint64_t corr_beyond(const struct correlator *k);
/* End of input: reads the rest of the log, resolves and prints everything. */
void corr_finish(struct correlator *k);
/* A connection is about to be retired: settle its sends first. */
void corr_conn_retire(struct correlator *k, struct conn *c);
/* Messages of one kind (malformed log lines) named one by one; past this,
 * one line says more follow, and only their count is given at the end. */
#define CORR_WARN_MAX     20
#define CORR_WARN_MAX_STR "20"
/* Malformed log lines. */
uint64_t corr_bad_lines(const struct correlator *k);
/* Reading the log failed (no memory; said through warn): not all of it was used. */
int corr_log_failed(const struct correlator *k);
/* The summary row for calls with no captured connection (if any). */
void corr_summary(struct correlator *k);

#endif
