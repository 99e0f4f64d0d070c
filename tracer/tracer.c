/* tracer.c: the pipeline. One pcap record at a time: decode into a value
 * struct, account it in the flow table, print it; nothing per packet
 * allocates or makes a system call (output is written in large blocks).
 * Replaying, a second thread reads and decodes the records (libpcap's reads
 * and the decoder are a quarter of a text run) and hands them over in
 * batches, in order, with the damage it found; this one does the rest. */
#include "tracer.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "correlate.h"
#include "decode.h"
#include "flow.h"
#include "handoff.h"
#include "pcapng.h"
#include "svg.h"
#include "recorder.h"
#include "sendlog.h"
#include "strace.h"
#include "sumstore.h"

#define WARN_LIMIT     50 /* damaged records named one by one; the rest are counted */
#define TICK_MS	       50 /* live mode: how often the log is read and rows settle */
#define CHILD_GRACE_NS ((ts_ns)300 * 1000000) /* trace on after the command exits */
#define LIVE_LAG_NS    ((ts_ns)100 * 1000000) /* live: calls wait this for their packets */
/* A replayed capture that simply ends may have run on with nothing to
 * capture: only calls this long after its last record are beyond it. */
#define END_SLACK_NS ((ts_ns)1000000000)
/* The latest record time kept (2116-02-20): every classic pcap time (32-bit
 * seconds) fits, and two times in nanoseconds still subtract without
 * overflow. */
#define TS_MAX_SEC 4611686017LL

/* Set from a signal handler: the only global state (CONVENTIONS habit 5). */
static volatile sig_atomic_t stop_requested, stop_count;

void tracer_request_stop(int sig)
{
	stop_requested = sig ? sig : SIGTERM;
	stop_count++;
}

/* What the reading thread hands over: a record to show (or only to move
 * the log's clock), or a damage report, in record order. */
enum rd_kind { RD_RECORD, RD_DAMAGE, RD_START };
struct rd_item {
	uint8_t kind;
	uint8_t cut;   /* RD_RECORD: caplen < len */
	int8_t result; /* RD_RECORD: decode_packet()'s */
	uint32_t hash; /* RD_RECORD, a TCP segment: its flow_hash() */
	uint64_t n;    /* record number */
	ts_ns ts;
	const char *why;      /* RD_RECORD: the decoder's reason; RD_DAMAGE: the report */
	char *msg;	      /* RD_DAMAGE: the report when it was formatted (malloc'd) */
	struct kept_seg kseg; /* RD_RECORD, a TCP segment */
};
#define RD_ITEMS   2048
#define RD_BATCHES 8
struct rd_batch {
	int n, end;
	struct rd_item it[RD_ITEMS];
};
struct reader {
	pthread_t thread;
	struct handoff *ring;
	struct rd_batch *b; /* being filled (reading thread) */
	uint64_t n;	    /* records read */
	int stopped;	    /* handoff_fill() said stop */
	int rc;		    /* pcap_loop()'s */
	char err[PCAP_ERRBUF_SIZE];
};

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
	int live;
	pcap_dumper_t *dumper;
	struct pcapng_notes *notes; /* --pcapng: the comments, by record */
	pcap_dumper_t *ng_dumper;   /* --pcapng, live or standard input: the packets */
	char *ng_tmp;		    /* ... kept in this temporary file */
	struct svg *svg;	    /* --svg: the rows drawn at the end */
	struct reader *rd; /* replaying: the reading thread */
	int threads;	   /* replaying: read the capture and the log in threads */
	char *tmp_log;	   /* a send log we created for -- COMMAND or the recorder */
	struct recorder *rec; /* live: the kernel recorder, when it loaded */
	int rec_log_fd;	      /* where it writes its lines */
	char *calls_path;     /* the recorded calls' log (malloc'd) */
	pid_t child;	      /* -- COMMAND: the command (its own process group) */
	int child_status, child_done;
	int stop_signals;     /* SIGINT/SIGTERM seen, with a command */
	struct pcap_stat ps;  /* live: the capture's statistics at the end */
	int have_ps;
	int last_signal;
	/* Replaying in threads, the reading thread writes these two on every
	 * record and the main thread the counters below on every segment:
	 * each group has its own cache lines (the struct is 64-aligned), or
	 * the line would bounce between the CPUs. */
	_Alignas(64) FILE *file; /* the savefile's stream, to spot oversized records */
	long file_pos;		 /* its offset after the previous record, -1 if unknown */
	_Alignas(64) uint64_t n; /* records read */
	uint64_t segments;	 /* TCP segments shown */
	ts_ns last_seg_ts;	 /* of the last one */
	uint64_t not_tcp, fragments, snap_cut, damaged, warned;
	uint64_t first_snap_cut;
	ts_ns last_ts; /* the last record's time */
	int store_failed;
	int stop;
	int hinted; /* the log was told the first record's time */
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
		warnf(t, "cannot save connection summaries to the temporary file; summaries will "
			 "be incomplete");
	}
}

/* The reading thread's next item, or NULL when the main thread stopped it. */
static struct rd_item *rd_item(struct tracer *t)
{
	struct reader *rd = t->rd;
	if (rd->b && rd->b->n == RD_ITEMS) {
		handoff_publish(rd->ring);
		rd->b = NULL;
	}
	if (!rd->b) {
		if (rd->stopped || !(rd->b = handoff_fill(rd->ring))) {
			rd->stopped = 1;
			pcap_breakloop(t->p);
			return NULL;
		}
		rd->b->n = rd->b->end = 0;
	}
	return &rd->b->it[rd->b->n++];
}

/* Damage found while reading: reported now, or handed over in order. */
static void report(struct tracer *t, uint64_t n, const char *what, int formatted)
{
	if (!t->rd) {
		damage(t, n, what);
		return;
	}
	struct rd_item *it = rd_item(t);
	if (!it)
		return;
	it->kind = RD_DAMAGE;
	it->n = n;
	it->why = what;
	it->msg = formatted ? strdup(what) : NULL;
	if (formatted && !it->msg)
		it->why = "damaged (no memory to say how)";
}

/* The rest of a record, after reading and decoding: the send log's clock,
 * the flow table, the output. */
static void show_record(struct tracer *t, uint64_t n, ts_ns ts, int r, const char *why, int cut,
			const struct tcp_segment *seg, uint32_t hash)
{
	t->last_ts = ts;
	if (t->log && !t->hinted) {
		t->hinted = 1;
		sendlog_time_hint(t->log, ts); /* strace -tt: the date */
	}
	if (t->corr)
		corr_advance(t->corr, ts);
	switch (r) {
	case DECODE_TCP: break;
	case DECODE_NOT_TCP: t->not_tcp++; return;
	case DECODE_FRAGMENT: t->fragments++; return;
	case DECODE_TRUNCATED:
		if (cut) {
			/* Cut by the snapshot length: expected, not damage. */
			if (!t->snap_cut++)
				t->first_snap_cut = n;
			return;
		}
		damage(t, n, why);
		return;
	default: damage(t, n, why); return;
	}
	struct seg_info info;
	if (flow_update_h(t->flows, seg, hash, n, ts, &info) != 0) {
		damage(t, n, "out of memory for the connection table; segment skipped");
		return;
	}
	if (t->notes) /* relative to the client: what it sends goes out */
		pcapng_notes_dir(t->notes, n, info.dir ? PCAPNG_DIR_INBOUND : PCAPNG_DIR_OUTBOUND);
	if (t->corr)
		corr_segment(t->corr, n, ts, seg, &info);
	else
		out_segment(t->out, n, ts, seg, &info);
	t->segments++;
	t->last_seg_ts = ts;
	if (t->opts.max_segments && t->segments >= t->opts.max_segments) {
		t->stop = 1;
		if (!t->live && !t->rd)
			pcap_breakloop(t->p);
	}
}

/* One record: checked and decoded here (in the reading thread, replaying),
 * shown by show_record(). */
static void on_record(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct tracer *t = (struct tracer *)user;
	uint64_t n = t->rd ? ++t->rd->n : ++t->n;
	if (t->dumper)
		pcap_dump((u_char *)t->dumper, h, bytes);
	if (t->ng_dumper)
		pcap_dump((u_char *)t->ng_dumper, h, bytes);
	long long sec = (long long)h->ts.tv_sec;
	if (sec < 0 || sec > TS_MAX_SEC) {
		/* A pcapng clock of 64 bits can say anything; in nanoseconds it
		 * would overflow. Kept where any two times still subtract. */
		char msg[160];
		long long shown = sec < 0 ? 0 : TS_MAX_SEC;
		snprintf(msg, sizeof msg,
			 "timestamp %lld s is out of range (0 to %lld); shown at %lld s", sec,
			 (long long)TS_MAX_SEC, shown);
		report(t, n, msg, 1);
		sec = shown;
	}
	ts_ns ts = (ts_ns)sec * 1000000000 + (ts_ns)h->ts.tv_usec;
	if (h->ts.tv_usec < 0 || h->ts.tv_usec >= 1000000000) {
		/* libpcap hands the fraction on as stored (scaled to ns): an
		 * out-of-range one would put the record at another time. */
		char msg[160];
		snprintf(msg, sizeof msg,
			 "timestamp fraction %ld ns is out of range; shown at %lld.000000000",
			 (long)h->ts.tv_usec, sec);
		report(t, n, msg, 1);
		ts = (ts_ns)sec * 1000000000;
	}
	if (n == 1) {
		/* Time zero for relative times: the first record. */
		if (!t->rd) {
			if (!out_has_start(t->out))
				out_set_start(t->out, ts);
		} else {
			struct rd_item *it = rd_item(t);
			if (!it)
				return;
			it->kind = RD_START;
			it->ts = ts;
		}
	}

	/* libpcap silently cuts a record longer than the file's snapshot length;
	 * the stream offset tells how many bytes the record really had. */
	if (t->file_pos >= 0) {
		/* Only a record cut to exactly the snapshot length can have been
		 * cut by libpcap; ftell() costs a system call, so ask only then. */
		long expect = t->file_pos + 16 + (long)h->caplen;
		if ((int)h->caplen == pcap_snapshot(t->p)) {
			long pos = ftell(t->file);
			if (pos > expect) {
				char msg[160];
				snprintf(msg, sizeof msg,
					 "captured length %ld is larger than the snapshot length "
					 "%d; read %u bytes",
					 pos - t->file_pos - 16, pcap_snapshot(t->p), h->caplen);
				report(t, n, msg, 1);
			}
			expect = pos;
		}
		t->file_pos = expect;
	}
	if (h->caplen > h->len) {
		char msg[160];
		snprintf(msg, sizeof msg,
			 "captured length %u is larger than the original length %u", h->caplen,
			 h->len);
		report(t, n, msg, 1);
	}
	if (h->caplen == 0) {
		report(t, n, "zero-length frame", 0);
		return;
	}
	if (t->has_prog && !t->live && !pcap_offline_filter(&t->prog, h, bytes))
		return;

	struct tcp_segment seg;
	const char *why = NULL;
	int r = decode_packet(t->dlt, bytes, h->caplen, &seg, &why);
	int cut = h->caplen < h->len;
	if (!t->rd) {
		show_record(t, n, ts, r, why, cut, &seg, r == DECODE_TCP ? flow_hash(&seg) : 0);
		return;
	}
	struct rd_item *it = rd_item(t);
	if (!it)
		return;
	it->kind = RD_RECORD;
	it->n = n;
	it->ts = ts;
	it->result = (int8_t)r;
	it->why = why;
	it->cut = (uint8_t)cut;
	if (r == DECODE_TCP) {
		seg_keep(&it->kseg, &seg);
		it->hash = flow_hash(&seg);
	}
}

/* The reading thread: the whole capture, then an end mark. */
static void *reader_main(void *arg)
{
	struct tracer *t = arg;
	struct reader *rd = t->rd;
	rd->rc = pcap_loop(t->p, -1, on_record, (u_char *)t);
	if (rd->rc == PCAP_ERROR)
		snprintf(rd->err, sizeof rd->err, "%s", pcap_geterr(t->p));
	if (rd->stopped)
		return NULL;
	if (!rd->b) {
		if (!(rd->b = handoff_fill(rd->ring)))
			return NULL;
		rd->b->n = 0;
	}
	rd->b->end = 1;
	handoff_publish(rd->ring);
	return NULL;
}

static void rd_free_msgs(void *buf, int held, void *arg)
{
	struct rd_batch *b = buf;
	int from = held ? *(int *)arg : 0;
	for (int i = from; i < b->n; i++)
		if (b->it[i].kind == RD_DAMAGE)
			free(b->it[i].msg);
}

#define RD_NO_THREAD (-100)

/* Replaying with the reading thread. Returns pcap_loop()'s result, or
 * RD_NO_THREAD when the thread could not start (nothing was read). */
static int replay_threaded(struct tracer *t)
{
	struct reader *rd = calloc(1, sizeof *rd);
	if (!rd)
		return RD_NO_THREAD;
	rd->ring = handoff_new(RD_BATCHES, sizeof(struct rd_batch));
	if (!rd->ring) {
		free(rd);
		return RD_NO_THREAD;
	}
	t->rd = rd;
	if (pthread_create(&rd->thread, NULL, reader_main, t) != 0) {
		handoff_free(rd->ring);
		free(rd);
		t->rd = NULL;
		return RD_NO_THREAD;
	}
	struct rd_batch *b = NULL;
	int i = 0;
	while (!t->stop) {
		if (!b || i == b->n) {
			if (b && b->end)
				break;
			b = handoff_take(rd->ring);
			i = 0;
			continue;
		}
		/* The connections of the next segments are fetched while this
		 * one is shown: their buckets 8 items ahead, the first
		 * connection in each 4 ahead. */
		if (i + 8 < b->n && b->it[i + 8].kind == RD_RECORD &&
		    b->it[i + 8].result == DECODE_TCP)
			flow_prefetch(t->flows, b->it[i + 8].hash, 1);
		if (i + 4 < b->n && b->it[i + 4].kind == RD_RECORD &&
		    b->it[i + 4].result == DECODE_TCP)
			flow_prefetch(t->flows, b->it[i + 4].hash, 2);
		struct rd_item *it = &b->it[i++];
		switch (it->kind) {
		case RD_START:
			if (!out_has_start(t->out))
				out_set_start(t->out, it->ts);
			break;
		case RD_DAMAGE:
			damage(t, it->n, it->msg ? it->msg : it->why);
			free(it->msg);
			break;
		default:
			t->n = it->n;
			show_record(t, it->n, it->ts, it->result, it->why, it->cut, &it->kseg.seg,
				    it->hash);
			break;
		}
	}
	handoff_stop(rd->ring);
	pthread_join(rd->thread, NULL);
	handoff_each_full(rd->ring, rd_free_msgs, &i);
	handoff_free(rd->ring);
	int rc = t->stop ? 0 : rd->rc;
	if (rc == PCAP_ERROR) {
		t->n = rd->n;
		warnf(t, "%s: record %llu: %s; stopped reading there", t->name,
		      (unsigned long long)t->n + 1, rd->err);
	}
	free(rd);
	t->rd = NULL;
	return rc;
}

/* Replaying, the capture and the send log are read by helper threads when
 * there is a CPU for them; RSTSCOPE_THREADS=1 keeps everything in one, any
 * other value asks for the helpers whatever the CPUs. */
static int replay_threads(void)
{
	const char *e = getenv("RSTSCOPE_THREADS");
	if (e && *e)
		return strcmp(e, "1") != 0;
	cpu_set_t set; /* the CPUs this process may use (taskset, cgroups) */
	if (sched_getaffinity(0, sizeof set, &set) == 0)
		return CPU_COUNT(&set) > 1;
	return sysconf(_SC_NPROCESSORS_ONLN) > 1;
}

/* Is this address loopback (127/8, ::1, or 127/8 mapped in IPv6)? */
static int addr_loopback(int family, const uint8_t *a)
{
	static const uint8_t v6lo[16] = { [15] = 1 };
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	if (family == 4)
		return a[0] == 127;
	return !memcmp(a, v6lo, 16) || (!memcmp(a, mapped, 12) && a[12] == 127);
}

/* A recorded call is kept when its connection is one the capture keeps:
 * on lo, a connection within this host; and one whose packets pass the
 * filter expression (tried on a stand-in packet, either way round). */
static int call_kept(int family, const uint8_t *laddr, uint16_t lport, const uint8_t *paddr,
		     uint16_t pport, void *arg)
{
	struct tracer *t = arg;
	size_t alen = family == 6 ? 16 : 4;
	if (!strcmp(t->name, "lo") && !addr_loopback(family, paddr) && memcmp(laddr, paddr, alen))
		return 0;
	if (!t->opts.filter || t->dlt != DLT_EN10MB)
		return 1;
	for (int way = 0; way < 2; way++) {
		uint8_t pkt[14 + 40 + 20] = { 0 };
		const uint8_t *src = way ? paddr : laddr, *dst = way ? laddr : paddr;
		uint16_t sport = way ? pport : lport, dport = way ? lport : pport;
		size_t ip = family == 6 ? 40 : 20;
		pkt[12] = family == 6 ? 0x86 : 0x08;
		pkt[13] = family == 6 ? 0xdd : 0x00;
		uint8_t *h = pkt + 14;
		if (family == 6) {
			h[0] = 0x60;
			h[5] = 20; /* payload length */
			h[6] = 6;  /* TCP */
			h[7] = 64;
			memcpy(h + 8, src, 16);
			memcpy(h + 24, dst, 16);
		} else {
			h[0] = 0x45;
			h[3] = 40; /* total length */
			h[8] = 64;
			h[9] = 6;
			memcpy(h + 12, src, 4);
			memcpy(h + 16, dst, 4);
		}
		uint8_t *tcp = h + ip;
		tcp[0] = (uint8_t)(sport >> 8), tcp[1] = (uint8_t)sport;
		tcp[2] = (uint8_t)(dport >> 8), tcp[3] = (uint8_t)dport;
		tcp[12] = 5 << 4;
		tcp[13] = 0x10; /* ACK */
		struct pcap_pkthdr ph = { { 0, 0 }, (bpf_u_int32)(14 + ip + 20),
					  (bpf_u_int32)(14 + ip + 20) };
		if (pcap_offline_filter(&t->prog, &ph, pkt))
			return 1;
	}
	return 0;
}

/* The name the recorded calls go to beside -w FILE: FILE less .pcap (or
 * .pcapng), plus .sendlog. */
static char *calls_path_for(const char *pcap_path)
{
	size_t n = strlen(pcap_path);
	const char *dot = strrchr(pcap_path, '.');
	if (dot && (!strcmp(dot, ".pcap") || !strcmp(dot, ".pcapng")) && !strchr(dot, '/'))
		n = (size_t)(dot - pcap_path);
	char *p = malloc(n + sizeof ".sendlog");
	if (p) {
		memcpy(p, pcap_path, n);
		memcpy(p + n, ".sendlog", sizeof ".sendlog");
	}
	return p;
}

/* The recorder's lines handed to the correlator (and saved, if asked). */
static int feed_lines(const char *p, size_t n, void *arg)
{
	struct tracer *t = arg;
	return t->log ? sendlog_feed(t->log, p, n) : 0;
}

/* Live, with no -l: the kernel recorder, loaded while still privileged.
 * When it cannot load, one line says why, and the capture goes on. */
static void recorder_start(struct tracer *t)
{
	const struct tracer_opts *o = &t->opts;
	if (!t->live || o->sendlog || o->no_calls || o->via_strace)
		return;
	pid_t pids[64];
	int np = o->npids < 64 ? o->npids : 64;
	for (int i = 0; i < np; i++)
		pids[i] = (pid_t)o->pids[i];
	struct recorder_opts ro = {
		.all = !o->command && !o->npids,
		.pids = pids,
		.npids = np,
		.log_fd = -1,
		.keep = call_kept,
		.keep_arg = t,
		.lines = feed_lines,
		.lines_arg = t,
	};
	char why[512];
	t->rec = recorder_open(&ro, why, sizeof why);
	if (!t->rec)
		warnf(t, "calls are not recorded: %s; packets are still captured (or give the calls "
			 "with -l SENDLOG)",
		      why);
}

/* Where the recorder's lines are kept: --write-calls FILE, or beside -w
 * FILE. Made once privileges are dropped, so that it belongs to the user.
 * Returns the path, or NULL (err set). */
static const char *recorder_log(struct tracer *t, char *err, size_t errlen)
{
	const struct tracer_opts *o = &t->opts;
	t->calls_path = o->calls_path ? strdup(o->calls_path) : calls_path_for(o->write_path);
	if (!t->calls_path) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	int fd = open(t->calls_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", t->calls_path, strerror(errno));
		return NULL;
	}
	t->rec_log_fd = fd;
	recorder_set_log_fd(t->rec, fd);
	return t->calls_path;
}

/* ---- the rows, as printed, for the outputs written at the end ---------- */

static void sink_segment(void *arg, const struct out_seg_row *row)
{
	struct tracer *t = arg;
	if (t->notes)
		pcapng_notes_add(t->notes, row->n, row->note, row->note_len);
	if (t->svg)
		svg_segment(t->svg, row);
}

/* "caused L11: send #3 ("x", 5) = -1 EPIPE: the RST at record 9 came ..." */
static void note_call(struct tracer *t, uint64_t n, const char *role,
		      const struct out_call_row *row)
{
	char buf[PCAPNG_COMMENT_MAX];
	int len = snprintf(buf, sizeof buf, "%s L%llu: %.*s%s%.*s", role,
			   (unsigned long long)row->line, (int)row->what_len, row->what,
			   row->note_len ? ": " : "", (int)row->note_len, row->note);
	if (len > 0)
		pcapng_notes_add(t->notes, n, buf,
				 (size_t)len < sizeof buf ? (size_t)len : sizeof buf - 1);
}

static void sink_call(void *arg, const struct out_call_row *row)
{
	struct tracer *t = arg;
	if (t->notes) {
		if (row->cause_n)
			note_call(t, row->cause_n, "caused", row);
		if (row->lost_at && row->lost_at != row->cause_n)
			note_call(t, row->lost_at, "lost the bytes of", row);
		if (row->event == EV_RECV && row->fin_n && row->ret == 0)
			note_call(t, row->fin_n, "read by", row);
		for (int i = 0; i < row->nsegs && i < 8; i++)
			note_call(t, row->segs[i], "carries", row);
	}
	if (t->svg)
		svg_call(t->svg, row);
}

/* Says a path that cannot be written now, not after the replay. */
static int probe_path(const char *opt, const char *path, char *err, size_t errlen)
{
	FILE *probe = fopen(path, "wb");
	if (!probe) {
		snprintf(err, errlen, "%s %s: %s", opt, path, strerror(errno));
		return -1;
	}
	fclose(probe);
	return 0;
}

/* --pcapng: the temporary pcap of the packets (live, or standard input)
 * and the comment store. */
static int pcapng_start(struct tracer *t, char *err, size_t errlen)
{
	if (probe_path("--pcapng", t->opts.pcapng_path, err, errlen) != 0)
		return -1;
	t->notes = pcapng_notes_new(err, errlen);
	if (!t->notes)
		return -1;
	if (!t->live && strcmp(t->opts.read_path, "-") != 0)
		return 0; /* the input file is read again */
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	size_t n = strlen(dir) + 32;
	t->ng_tmp = malloc(n);
	if (!t->ng_tmp) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(t->ng_tmp, n, "%s/rstscope-XXXXXX.pcap", dir);
	int fd = mkstemps(t->ng_tmp, 5);
	FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!f) {
		snprintf(err, errlen, "--pcapng: cannot create a temporary file in %s: %s", dir,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		free(t->ng_tmp);
		t->ng_tmp = NULL;
		return -1;
	}
	t->ng_dumper = pcap_dump_fopen(t->p, f);
	if (!t->ng_dumper) {
		snprintf(err, errlen, "--pcapng: %s", pcap_geterr(t->p));
		fclose(f);
		return -1;
	}
	return 0;
}

/* Writes the annotated pcapng; 0, or -1 (said). */
static int pcapng_finish(struct tracer *t)
{
	char err[512];
	if (t->ng_dumper) {
		pcap_dump_close(t->ng_dumper);
		t->ng_dumper = NULL;
	}
	const char *src = t->ng_tmp ? t->ng_tmp : t->opts.read_path;
	if (pcapng_notes_write(t->notes, src, t->opts.pcapng_path, err, sizeof err) != 0) {
		warnf(t, "%s", err);
		return -1;
	}
	if (pcapng_notes_dropped(t->notes))
		warnf(t, "--pcapng %s: %llu comments left out (more than %zu, or no room for them)",
		      t->opts.pcapng_path, (unsigned long long)pcapng_notes_dropped(t->notes),
		      (size_t)PCAPNG_NOTES_MAX);
	return 0;
}

struct tracer *tracer_new(const struct tracer_opts *opts, int out_fd, tracer_warn_fn warn,
			  void *warn_arg, char *err, size_t errlen)
{
	struct tracer *t = aligned_alloc(_Alignof(struct tracer), sizeof *t);
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	memset(t, 0, sizeof *t);
	t->rec_log_fd = -1;
	t->opts = *opts;
	t->warn = warn;
	t->warn_arg = warn_arg;
	t->live = opts->read_path == NULL;
	t->threads = replay_threads();
	if (t->live) {
		char w[PCAP_ERRBUF_SIZE + 64];
		t->name = opts->iface;
		t->p = capture_open_live(opts->iface, opts->buffer_kib, w, sizeof w, err, errlen);
		if (!t->p)
			goto fail;
		if (w[0])
			warnf(t, "warning: %s", w);
		if (!strcmp(opts->iface, "any") && pcap_set_datalink(t->p, DLT_LINUX_SLL2) != 0)
			warnf(t, "warning: any: %s", pcap_geterr(t->p));
	} else {
		t->name = strcmp(opts->read_path, "-") == 0 ? "standard input" : opts->read_path;
		t->p = capture_open_offline(opts->read_path, err, errlen);
		if (!t->p)
			goto fail;
	}
	t->dlt = pcap_datalink(t->p);
	if (!decode_linktype_supported(t->dlt)) {
		char buf[32];
		snprintf(err, errlen, "%s: link type %s is not supported; supported: %s", t->name,
			 capture_dlt_name(t->dlt, buf, sizeof buf), decode_supported_names());
		goto fail;
	}
	if (opts->filter || t->live) {
		/* Live, the kernel filters (TCP only by default); a file is
		 * filtered here, record by record, to keep record numbers. */
		const char *expr = opts->filter ? opts->filter : "tcp";
		if (capture_compile(t->p, expr, &t->prog, err, errlen) != 0)
			goto fail;
		t->has_prog = 1;
		if (t->live && pcap_setfilter(t->p, &t->prog) != 0) {
			snprintf(err, errlen, "%s: cannot set the filter: %s", t->name,
				 pcap_geterr(t->p));
			goto fail;
		}
	}
	recorder_start(t);
	if (t->live && !t->rec && opts->command && !opts->sendlog && !opts->no_calls &&
	    !opts->via_strace && strace_installed()) {
		/* No kernel recorder here: strace sees the command's calls too. */
		t->opts.via_strace = 1;
		warnf(t, "strace is installed: the command's calls are recorded with strace instead "
			 "(--via strace)");
	}
	if (t->live) {
		char who[128] = "";
		if (capture_drop_privileges(opts->user, who, sizeof who, err, errlen) != 0)
			goto fail;
		char buf[32];
		warnf(t, "listening on %s, link-type %s%s%s", t->name,
		      capture_dlt_name(t->dlt, buf, sizeof buf), who[0] ? "; running as " : "",
		      who);
	}
	if (opts->write_path) {
		t->dumper = pcap_dump_open(t->p, opts->write_path);
		if (!t->dumper) {
			snprintf(err, errlen, "-w %s: %s", opts->write_path, pcap_geterr(t->p));
			goto fail;
		}
	}
	t->file = t->live ? NULL : pcap_file(t->p);
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
	const char *max = getenv("RSTSCOPE_MAX_CONNS");
	if (max && *max) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(max, &end, 10);
		if (errno || *end || max[0] == '-' || v == 0 || v > UINT32_MAX) {
			snprintf(err, errlen,
				 "RSTSCOPE_MAX_CONNS wants a number of connections (1 to %u), not "
				 "'%.64s'",
				 (unsigned)UINT32_MAX, max);
			goto fail;
		}
		flow_table_set_max(t->flows, (uint32_t)v);
	}
	if (opts->pcapng_path && pcapng_start(t, err, errlen) != 0)
		goto fail;
	if (opts->svg_path) {
		if (probe_path("--svg", opts->svg_path, err, errlen) != 0)
			goto fail;
		if (!(t->svg = svg_new(opts->svg_conn))) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	if (t->notes || t->svg) {
		struct out_sink sink = { sink_segment, sink_call, t };
		out_set_sink(t->out, &sink);
	}
	const char *logpath = opts->sendlog;
	int via = t->opts.via_strace;
	if (t->rec) {
		/* The recorder's lines go straight to the correlator, and to a
		 * file only when they are to be kept. */
		if ((opts->calls_path || opts->write_path) && !recorder_log(t, err, errlen))
			goto fail;
		if (t->calls_path)
			warnf(t, "recorded calls: %s", t->calls_path);
		t->log = sendlog_open_feed(t->calls_path ? t->calls_path : "the recorded calls", err,
					   errlen);
		if (!t->log)
			goto fail;
	} else if (opts->command || via) {
		/* The command writes the log: start it empty (or make one). */
		if (!logpath) {
			const char *dir = getenv("TMPDIR");
			if (!dir || !*dir)
				dir = "/tmp";
			size_t n = strlen(dir) + 40;
			t->tmp_log = malloc(n);
			if (!t->tmp_log) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			snprintf(t->tmp_log, n, "%s/rstscope-XXXXXX.%s", dir, via ? "strace" : "sendlog");
			int fd = mkstemps(t->tmp_log, via ? 7 : 8);
			if (fd < 0) {
				snprintf(err, errlen, "cannot create a send log in %s: %s", dir,
					 strerror(errno));
				goto fail;
			}
			close(fd);
			logpath = t->tmp_log;
		} else {
			int fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			if (fd < 0) {
				snprintf(err, errlen, "-l %s: %s", logpath, strerror(errno));
				goto fail;
			}
			close(fd);
		}
		if (via)
			warnf(t, "strace output: %s (strace -f -yy -ttt -T)", logpath);
		else
			warnf(t, "send log: %s (RSTSCOPE_LOG for the command)", logpath);
	}
	if (logpath && !t->log) {
		if (opts->nsendlogs > 1 && !opts->command && !via)
			t->log = sendlog_open_paths(opts->sendlogs, (size_t)opts->nsendlogs, t->live,
						    (enum log_format)opts->log_format, err, errlen);
		else
			t->log = sendlog_open_format(logpath, t->live,
						     via ? LOG_FORMAT_STRACE
							 : (enum log_format)opts->log_format,
						     err, errlen);
		if (!t->log)
			goto fail;
		if (sendlog_notice(t->log)[0])
			warnf(t, "%s", sendlog_notice(t->log));
		if (!t->threads)
			sendlog_inline(t->log);
	}
	if (t->log) {
		t->corr = corr_new(t->out, t->flows, t->log, t->live, t->warn, t->warn_arg);
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

static void print_summary_cb(const struct conn *c, void *arg) { out_summary(arg, c); }

static ts_ns now_realtime(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (ts_ns)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Starts the command in its own process group; it runs as this process
 * now does, privileges already dropped. The kernel recorder traces it from
 * its fork on (it traces what this process forks); without the recorder,
 * the command gets RSTSCOPE_LOG, for a program that writes its own log.
 * This process becomes the subreaper of the command's tree, so that the
 * descendants it leaves behind are still waited for. */
static int spawn(struct tracer *t)
{
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) != 0)
		return -1;
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		setpgid(0, 0);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		/* --via strace: strace runs the command (or attaches) and
		 * writes the log; the command writes none of its own. */
		char **argv = t->opts.via_strace ? strace_argv(t->opts.command, t->opts.attach_pid,
							       sendlog_path(t->log))
						 : t->opts.command;
		if (!argv)
			_exit(127);
		if (!t->rec && !t->opts.via_strace)
			setenv("RSTSCOPE_LOG", sendlog_path(t->log), 1);
		/* The command gets none of our descriptors (the capture socket,
		 * the log, the dump file, BPF's); only the error pipe, close-on-exec. */
		for (int fd = 3; fd < 1024; fd++)
			if (fd != pipefd[1])
				close(fd);
		execvp(argv[0], argv);
		int e = errno;
		if (write(pipefd[1], &e, sizeof e) < 0)
			_exit(127);
		_exit(127);
	}
	setpgid(pid, pid); /* also here: no race with a signal sent to the group */
	close(pipefd[1]);
	int e = 0;
	ssize_t r = read(pipefd[0], &e, sizeof e);
	close(pipefd[0]);
	if (r == (ssize_t)sizeof e) {
		waitpid(pid, NULL, 0);
		warnf(t, "%s: %s%s", t->opts.via_strace ? "strace" : t->opts.command[0], strerror(e),
		      t->opts.via_strace && e == ENOENT
			      ? "; --via strace runs strace(1): install it (apt-get install strace)"
			      : "");
		errno = e;
		return -2;
	}
	t->child = pid;
	return 0;
}

/* Reaps the command and whatever of its tree was left to us. Returns 1
 * when no descendant is left. */
static int reap(struct tracer *t, ts_ns now, ts_ns *child_end)
{
	for (;;) {
		int st;
		pid_t p = waitpid(-1, &st, WNOHANG);
		if (p == t->child) {
			t->child_done = 1;
			t->child_status = st;
		} else if (p < 0 && errno == ECHILD) {
			if (!*child_end)
				*child_end = now;
			return 1;
		} else if (p <= 0) {
			return 0;
		}
	}
}

/* SIGINT or SIGTERM with a command: the first is passed on to the command
 * (its process group), and tracing goes on until it has ended; a second
 * kills the group, and rstscope ends with 128 + the signal. Returns 1 when
 * the trace must end now. */
static int on_stop_with_command(struct tracer *t, int *seen)
{
	int n = stop_count, sig = stop_requested;
	if (n == *seen)
		return 0;
	*seen = n;
	t->last_signal = sig;
	if (n == 1) {
		kill(-t->child, sig);
		warnf(t, "%s passed to %s; waiting for it to end (again to kill it)",
		      sig == SIGINT ? "SIGINT" : "SIGTERM", t->opts.command ? t->opts.command[0] : "strace");
		return 0;
	}
	kill(-t->child, SIGKILL);
	t->stop_signals = n;
	return 1;
}

/* The recorder's events into its log, then the log into the correlator. */
static void take_calls(struct tracer *t)
{
	if (t->rec && recorder_poll(t->rec) < 0 && !t->store_failed) {
		t->store_failed = 1;
		warnf(t, "cannot write the recorded calls: %s", strerror(errno));
	}
}

/* Live: poll the capture, read the log as it grows, settle rows on a tick. */
static int run_live(struct tracer *t)
{
	int fd = pcap_get_selectable_fd(t->p);
	char ebuf[PCAP_ERRBUF_SIZE];
	if (pcap_setnonblock(t->p, 1, ebuf) != 0)
		warnf(t, "warning: %s", ebuf);
	if (t->opts.command || t->opts.via_strace) {
		int r = spawn(t);
		if (r != 0) {
			if (r == -1)
				warnf(t, "cannot start %s: %s",
				      t->opts.command ? t->opts.command[0] : "strace",
				      strerror(errno));
			return 127;
		}
	}
	ts_ns start = now_realtime(), child_end = 0;
	ts_ns deadline = t->opts.duration > 0 ? start + (ts_ns)(t->opts.duration * 1e9) : 0;
	int seen = 0;
	while (!t->stop) {
		if (t->child ? on_stop_with_command(t, &seen) : stop_requested != 0)
			break;
		struct pollfd pfd[2] = { { fd, POLLIN, 0 }, { -1, POLLIN, 0 } };
		if (t->rec)
			pfd[1].fd = recorder_fd(t->rec);
		poll(pfd, 2, TICK_MS);
		if (pcap_dispatch(t->p, -1, on_record, (u_char *)t) == PCAP_ERROR) {
			warnf(t, "%s: %s", t->name, pcap_geterr(t->p));
			break;
		}
		take_calls(t);
		ts_ns now = now_realtime();
		/* Calls are taken once the packets of the same moment have
		 * surely been read: a packet captured just before a call may
		 * still wait in the kernel's buffer when the call's event is
		 * here (under load, the recorder's events come as fast). */
		if (t->corr)
			corr_advance(t->corr, now - LIVE_LAG_NS);
		/* Live, the lines made final by this batch go out now, to a pipe
		 * as to a terminal (`rstscope | grep RST`); replay keeps its
		 * block writes. One write per batch, not per line. */
		out_flush(t->out);
		if (t->dumper)
			pcap_dump_flush(t->dumper);
		if (t->child && reap(t, now, &child_end) && now - child_end > CHILD_GRACE_NS)
			break;
		if (deadline && now >= deadline)
			break;
	}
	/* Everything the kernel already captured is still shown. */
	while (!t->stop && pcap_dispatch(t->p, -1, on_record, (u_char *)t) > 0)
		;
	take_calls(t);
	struct pcap_stat ps;
	if ((t->have_ps = pcap_stats(t->p, &ps) == 0))
		t->ps = ps;
	if (t->have_ps)
		warnf(t,
		      "%llu segments shown; %u packets received by filter, %u dropped by kernel, "
		      "%u dropped by interface%s",
		      (unsigned long long)t->segments, ps.ps_recv, ps.ps_drop, ps.ps_ifdrop,
		      t->dlt == DLT_EN10MB && !strcmp(t->name, "lo")
			      ? " (on lo the kernel counts each packet twice, leaving and arriving)"
			      : "");
	if (t->rec)
		warnf(t, "%llu call events recorded from the kernel, %llu lost (ring buffer full)%s",
		      (unsigned long long)recorder_events(t->rec),
		      (unsigned long long)recorder_drops(t->rec),
		      recorder_unread(t->rec) ? "; some not correlated: rstscope fell behind by "
						"more than 64 MiB of calls"
					      : "");
	if (t->child && !t->child_done) {
		/* Stopped first (-c, --duration): the command keeps its own
		 * course; wait for it as strace does. A second kill left it
		 * to be reaped. */
		while (waitpid(t->child, &t->child_status, 0) < 0 && errno == EINTR)
			if (on_stop_with_command(t, &seen))
				t->stop_signals = stop_count;
		t->child_done = 1;
	}
	return 0;
}

/* Where the evidence ends, for the calls logged after it. */
static void set_end(struct tracer *t, int damaged_tail)
{
	char why[96];
	unsigned long long n = t->n;
	if (!t->corr || !t->n)
		return;
	ts_ns end = t->last_ts;
	if (t->stop)
		snprintf(why, sizeof why, "-c %llu reached at record %llu",
			 (unsigned long long)t->opts.max_segments, n);
	else if (damaged_tail)
		snprintf(why, sizeof why, "it is damaged after record %llu", n);
	else if (t->live)
		snprintf(why, sizeof why, "stopped after record %llu", n), end = now_realtime();
	else
		snprintf(why, sizeof why, "more than 1 s after its last record, %llu", n),
			end += END_SLACK_NS;
	corr_set_end(t->corr, end, why);
}

/* Live, in JSON: the capture's and the recorder's statistics, last. */
static void json_stats(struct tracer *t)
{
	char line[512];
	int n = snprintf(line, sizeof line, "{\"kind\":\"stats\",\"segments\":%llu",
			 (unsigned long long)t->segments);
	if (t->have_ps)
		n += snprintf(line + n, sizeof line - (size_t)n,
			      ",\"packets_received\":%u,\"packets_dropped\":%u,"
			      "\"packets_dropped_by_interface\":%u",
			      t->ps.ps_recv, t->ps.ps_drop, t->ps.ps_ifdrop);
	if (t->rec)
		n += snprintf(line + n, sizeof line - (size_t)n,
			      ",\"calls_recorded\":%llu,\"calls_lost\":%llu",
			      (unsigned long long)recorder_events(t->rec),
			      (unsigned long long)recorder_drops(t->rec));
	n += snprintf(line + n, sizeof line - (size_t)n, "}\n");
	out_raw(t->out, line, (size_t)n);
}

int tracer_run(struct tracer *t)
{
	int rc = EXIT_CLEAN;
	int damaged_tail = 0;
	if (t->live) {
		int lr = run_live(t);
		if (lr) {
			/* The command never ran: nothing was traced, and the
			 * log we made for it holds nothing. */
			if (t->tmp_log)
				unlink(t->tmp_log);
			return lr;
		}
	} else {
		/* -w writes what was read: no reading ahead then. */
		int lr = t->dumper || t->ng_dumper || !t->threads ? RD_NO_THREAD
								  : replay_threaded(t);
		if (lr == RD_NO_THREAD &&
		    (lr = pcap_loop(t->p, -1, on_record, (u_char *)t)) == PCAP_ERROR)
			warnf(t, "%s: record %llu: %s; stopped reading there", t->name,
			      (unsigned long long)t->n + 1, pcap_geterr(t->p));
		/* libpcap stops at a damaged record; it was reported by number. */
		if (lr == PCAP_ERROR)
			rc = EXIT_DAMAGED, damaged_tail = 1;
	}
	set_end(t, damaged_tail);
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
	if (t->live && t->opts.out.json)
		json_stats(t);
	struct table_stats st = { flow_total_count(t->flows), flow_table_max(t->flows),
				  flow_evicted_count(t->flows), flow_expired_count(t->flows) };
	if (t->opts.summaries && (st.evicted || st.expired))
		out_table_summary(t->out, t->last_seg_ts, &st);
	if (out_flush(t->out) != 0) {
		warnf(t, "cannot write the output: %s", strerror(errno));
		return EXIT_USAGE;
	}
	if (st.evicted)
		warnf(t,
		      "%llu of %llu connections were evicted from the full connection table "
		      "(at most %llu held; RSTSCOPE_MAX_CONNS sets it); each is summarized as it "
		      "was then, and a later segment of it starts a new one",
		      (unsigned long long)st.evicted, (unsigned long long)st.connections,
		      (unsigned long long)st.max_conns);
	if (st.expired)
		warnf(t,
		      "%llu connection%s expired after silence (%d s half-open, %d s otherwise, "
		      "by capture time)",
		      (unsigned long long)st.expired, st.expired == 1 ? "" : "s",
		      (int)(FLOW_HALF_IDLE / 1000000000), (int)(FLOW_IDLE / 1000000000));
	if (t->notes && pcapng_finish(t) != 0)
		return EXIT_USAGE;
	if (t->svg) {
		char err[512];
		if (svg_write(t->svg, t->opts.svg_path, err, sizeof err) != 0) {
			warnf(t, "%s", err);
			return EXIT_USAGE;
		}
		if (svg_cut(t->svg))
			warnf(t, "--svg %s: only the first %d rows are drawn (%llu more left out)",
			      t->opts.svg_path, SVG_ROWS_MAX, (unsigned long long)svg_cut(t->svg));
	}
	if (t->snap_cut)
		warnf(t,
		      "%s: %llu records were cut by the snapshot length before the end of their "
		      "TCP/IP headers (first: record %llu); they are not shown",
		      t->name, (unsigned long long)t->snap_cut,
		      (unsigned long long)t->first_snap_cut);
	if (t->damaged) {
		warnf(t, "%s: %llu damaged record%s (see above); the rest was read", t->name,
		      (unsigned long long)t->damaged, t->damaged == 1 ? "" : "s");
		rc = EXIT_DAMAGED;
	}
	if (t->corr && corr_bad_lines(t->corr)) {
		uint64_t bad = corr_bad_lines(t->corr);
		warnf(t, "%s: %llu malformed line%s skipped (%s); the rest was used",
		      sendlog_path(t->log), (unsigned long long)bad, bad == 1 ? "" : "s",
		      bad > CORR_WARN_MAX ? "the first " CORR_WARN_MAX_STR " named above"
					  : "see above");
		rc = EXIT_DAMAGED;
	}
	if (t->corr && corr_log_failed(t->corr)) {
		warnf(t, "%s: the log could not be read to its end (see above)",
		      sendlog_path(t->log));
		rc = EXIT_DAMAGED;
	}
	if (t->store_failed)
		rc = EXIT_DAMAGED;
	if (t->stop_signals > 1)
		return 128 + t->last_signal;
	if (t->child) {
		/* As strace: the command's own status. */
		if (WIFEXITED(t->child_status))
			return WEXITSTATUS(t->child_status);
		if (WIFSIGNALED(t->child_status))
			return 128 + WTERMSIG(t->child_status);
	}
	return rc;
}

void tracer_free(struct tracer *t)
{
	if (!t)
		return;
	/* First: the recorder writes what it still held, to the saved log and
	 * through feed_lines() to t->log, which must still be there. */
	recorder_free(t->rec);
	if (t->rec_log_fd >= 0)
		close(t->rec_log_fd);
	flow_table_free(t->flows);
	corr_free(t->corr);
	sendlog_free(t->log);
	out_free(t->out);
	sumstore_free(t->sums);
	if (t->dumper)
		pcap_dump_close(t->dumper);
	if (t->ng_dumper)
		pcap_dump_close(t->ng_dumper);
	if (t->ng_tmp)
		unlink(t->ng_tmp);
	free(t->ng_tmp);
	pcapng_notes_free(t->notes);
	svg_free(t->svg);
	free(t->tmp_log);
	free(t->calls_path);
	if (t->has_prog)
		pcap_freecode(&t->prog);
	if (t->p)
		pcap_close(t->p);
	free(t);
}
