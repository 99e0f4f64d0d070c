/* tracer.c: the replay pipeline. One pcap record at a time: decode into a
 * value struct, account it in the flow table, print it; nothing per packet
 * allocates or makes a system call (output is written in large blocks). */
#include "tracer.h"

#include <pcap/pcap.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "correlate.h"
#include "decode.h"
#include "flow.h"
#include "sendlog.h"
#include "sumstore.h"

#define WARN_LIMIT 50 /* per kind of damage; the rest are counted */

struct tracer {
	struct tracer_opts opts;
	const char *name; /* the input, for messages */
	pcap_t *p;
	int dlt;
	struct bpf_program prog;
	int has_prog;
	struct out *out;
	struct flow_table *flows;
	struct sumstore *sums;
	struct sendlog *log;
	struct correlator *corr;
	tracer_warn_fn warn;
	void *warn_arg;
	FILE *file;        /* the savefile's stream, to spot oversized records */
	long file_pos;     /* its offset after the previous record, -1 if unknown */
	uint64_t n;        /* records read */
	uint64_t segments; /* TCP segments shown */
	uint64_t not_tcp, fragments, snap_cut, damaged, warned;
	uint64_t first_snap_cut;
	int store_failed;
	int stop;
};

static void warnf(struct tracer *t, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (t->warn)
		t->warn(msg, t->warn_arg);
}

/* A damaged record: named, counted, and the rest still read. */
static void damage(struct tracer *t, uint64_t n, const char *what)
{
	t->damaged++;
	if (t->warned < WARN_LIMIT)
		warnf(t, "%s: record %llu: %s", t->name, (unsigned long long)n, what);
	else if (t->warned == WARN_LIMIT)
		warnf(t, "%s: more damaged records follow; only their count is reported", t->name);
	t->warned++;
}

static void retire_cb(const struct conn *c, void *arg)
{
	struct tracer *t = arg;
	if (t->corr)
		corr_conn_retire(t->corr, (struct conn *)c);
	if (t->sums && sumstore_put(t->sums, c) != 0 && !t->store_failed) {
		t->store_failed = 1;
		warnf(t, "cannot save connection summaries to the temporary file; summaries will be incomplete");
	}
}

static void on_record(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct tracer *t = (struct tracer *)user;
	uint64_t n = ++t->n;
	ts_ns ts = (ts_ns)h->ts.tv_sec * 1000000000 + (ts_ns)h->ts.tv_usec;
	if (!out_has_start(t->out))
		out_set_start(t->out, ts);

	/* libpcap silently cuts a record longer than the file's snapshot length;
	 * the stream offset tells how many bytes the record really had. */
	if (t->file_pos >= 0) {
		long pos = ftell(t->file);
		if (pos >= 0) {
			long stored = pos - t->file_pos - 16;
			if (stored > (long)h->caplen) {
				char msg[160];
				snprintf(msg, sizeof msg,
					 "captured length %ld is larger than the snapshot length %d; read %u bytes",
					 stored, pcap_snapshot(t->p), h->caplen);
				damage(t, n, msg);
			}
		}
		t->file_pos = pos;
	}
	if (h->caplen > h->len) {
		char msg[160];
		snprintf(msg, sizeof msg, "captured length %u is larger than the original length %u",
			 h->caplen, h->len);
		damage(t, n, msg);
	}
	if (h->caplen == 0) {
		damage(t, n, "zero-length frame");
		return;
	}
	if (t->has_prog && !pcap_offline_filter(&t->prog, h, bytes))
		return;

	if (t->corr)
		corr_advance(t->corr, ts);
	struct tcp_segment seg;
	const char *why = NULL;
	int r = decode_packet(t->dlt, bytes, h->caplen, &seg, &why);
	switch (r) {
	case DECODE_TCP:
		break;
	case DECODE_NOT_TCP:
		t->not_tcp++;
		return;
	case DECODE_FRAGMENT:
		t->fragments++;
		return;
	case DECODE_TRUNCATED:
		if (h->caplen < h->len) {
			/* Cut by the snapshot length: expected, not damage. */
			if (!t->snap_cut++)
				t->first_snap_cut = n;
			return;
		}
		damage(t, n, why);
		return;
	default:
		damage(t, n, why);
		return;
	}
	struct seg_info info;
	if (flow_update(t->flows, &seg, n, ts, &info) != 0) {
		damage(t, n, "out of memory for the connection table; segment skipped");
		return;
	}
	if (t->corr)
		corr_segment(t->corr, n, ts, &seg, &info);
	else
		out_segment(t->out, n, ts, &seg, &info);
	t->segments++;
	if (t->opts.max_segments && t->segments >= t->opts.max_segments) {
		t->stop = 1;
		pcap_breakloop(t->p);
	}
}

struct tracer *tracer_new(const struct tracer_opts *opts, int out_fd, tracer_warn_fn warn,
			  void *warn_arg, char *err, size_t errlen)
{
	struct tracer *t = calloc(1, sizeof *t);
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->opts = *opts;
	t->warn = warn;
	t->warn_arg = warn_arg;
	t->name = strcmp(opts->read_path, "-") == 0 ? "standard input" : opts->read_path;
	t->p = capture_open_offline(opts->read_path, err, errlen);
	if (!t->p)
		goto fail;
	t->dlt = pcap_datalink(t->p);
	if (!decode_linktype_supported(t->dlt)) {
		char buf[32];
		snprintf(err, errlen, "%s: link type %s is not supported; supported: %s", t->name,
			 capture_dlt_name(t->dlt, buf, sizeof buf), decode_supported_names());
		goto fail;
	}
	if (opts->filter) {
		if (capture_compile(t->p, opts->filter, &t->prog, err, errlen) != 0)
			goto fail;
		t->has_prog = 1;
	}
	t->file = pcap_file(t->p);
	t->file_pos = -1;
	if (t->file && pcap_major_version(t->p) == 2) {
		/* Classic pcap (pcapng reports 1.0): records follow the 24-byte header. */
		t->file_pos = ftell(t->file);
	}
	t->out = out_new(out_fd, &opts->out);
	t->sums = sumstore_new(err, errlen);
	t->flows = flow_table_new(retire_cb, t);
	if (!t->out || !t->sums || !t->flows) {
		if (!t->sums)
			goto fail;
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (opts->sendlog) {
		t->log = sendlog_open(opts->sendlog, 0, err, errlen);
		if (!t->log)
			goto fail;
		t->corr = corr_new(t->out, t->flows, t->log, t->warn, t->warn_arg);
		if (!t->corr) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	return t;
fail:
	tracer_free(t);
	return NULL;
}

static void print_summary_cb(const struct conn *c, void *arg)
{
	out_summary(arg, c);
}

int tracer_run(struct tracer *t)
{
	int rc = EXIT_CLEAN;
	int r = pcap_loop(t->p, -1, on_record, (u_char *)t);
	if (r == PCAP_ERROR) {
		/* libpcap stops at a damaged record; report it by number. */
		warnf(t, "%s: record %llu: %s; stopped reading there", t->name,
		      (unsigned long long)t->n + 1, pcap_geterr(t->p));
		rc = EXIT_DAMAGED;
	}
	if (t->corr)
		corr_finish(t->corr);
	flow_table_flush(t->flows);
	if (t->opts.summaries) {
		if (!t->opts.out.json && t->segments)
			out_text(t->out, "");
		sumstore_each(t->sums, print_summary_cb, t->out);
		if (t->corr)
			corr_summary(t->corr);
	}
	if (out_flush(t->out) != 0) {
		warnf(t, "cannot write the output: %s", strerror(errno));
		return EXIT_USAGE;
	}
	if (t->snap_cut)
		warnf(t, "%s: %llu records were cut by the snapshot length before the end of their "
			 "TCP/IP headers (first: record %llu); they are not shown",
		      t->name, (unsigned long long)t->snap_cut, (unsigned long long)t->first_snap_cut);
	if (t->damaged) {
		warnf(t, "%s: %llu damaged record%s (see above); the rest was read", t->name,
		      (unsigned long long)t->damaged, t->damaged == 1 ? "" : "s");
		rc = EXIT_DAMAGED;
	}
	if (t->corr && corr_bad_lines(t->corr)) {
		warnf(t, "%s: %llu malformed line%s skipped (see above); the rest was used",
		      sendlog_path(t->log), (unsigned long long)corr_bad_lines(t->corr),
		      corr_bad_lines(t->corr) == 1 ? "" : "s");
		rc = EXIT_DAMAGED;
	}
	if (t->store_failed)
		rc = EXIT_DAMAGED;
	return rc;
}

void tracer_free(struct tracer *t)
{
	if (!t)
		return;
	flow_table_free(t->flows);
	corr_free(t->corr);
	sendlog_free(t->log);
	out_free(t->out);
	sumstore_free(t->sums);
	if (t->has_prog)
		pcap_freecode(&t->prog);
	if (t->p)
		pcap_close(t->p);
	free(t);
}
