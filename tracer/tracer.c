/* tracer.c: the replay pipeline. One pcap record at a time: decode into a
 * value struct, account it in the flow table, print it; nothing per packet
 * allocates or makes a system call (output is written in large blocks). */
#include "tracer.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "correlate.h"
#include "decode.h"
#include "flow.h"
#include "sendlog.h"
#include "sumstore.h"

#define WARN_LIMIT     50 /* damaged records named one by one; the rest are counted */
#define TICK_MS	       50 /* live mode: how often the log is read and rows settle */
#define CHILD_GRACE_NS ((ts_ns)300 * 1000000) /* trace on after the command exits */

/* Set from a signal handler: the only global state (CONVENTIONS habit 5). */
static volatile sig_atomic_t stop_requested;

void tracer_request_stop(void) { stop_requested = 1; }

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
	FILE *file;	   /* the savefile's stream, to spot oversized records */
	long file_pos;	   /* its offset after the previous record, -1 if unknown */
	uint64_t n;	   /* records read */
	uint64_t segments; /* TCP segments shown */
	uint64_t not_tcp, fragments, snap_cut, damaged, warned;
	uint64_t first_snap_cut;
	int store_failed;
	int stop;
	int live;
	pcap_dumper_t *dumper;
	char *tmp_log; /* a send log we created for -- COMMAND */
	pid_t child;
	int child_status, child_done;
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

static void on_record(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct tracer *t = (struct tracer *)user;
	uint64_t n = ++t->n;
	if (t->dumper)
		pcap_dump((u_char *)t->dumper, h, bytes);
	ts_ns ts = (ts_ns)h->ts.tv_sec * 1000000000 + (ts_ns)h->ts.tv_usec;
	if (h->ts.tv_usec < 0 || h->ts.tv_usec >= 1000000000) {
		/* libpcap hands the fraction on as stored (scaled to ns): an
		 * out-of-range one would put the record at another time. */
		char msg[160];
		snprintf(msg, sizeof msg,
			 "timestamp fraction %ld ns is out of range; shown at %lld.000000000",
			 (long)h->ts.tv_usec, (long long)h->ts.tv_sec);
		damage(t, n, msg);
		ts = (ts_ns)h->ts.tv_sec * 1000000000;
	}
	if (!out_has_start(t->out))
		out_set_start(t->out, ts);

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
				damage(t, n, msg);
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
		damage(t, n, msg);
	}
	if (h->caplen == 0) {
		damage(t, n, "zero-length frame");
		return;
	}
	if (t->has_prog && !t->live && !pcap_offline_filter(&t->prog, h, bytes))
		return;

	if (t->corr)
		corr_advance(t->corr, ts);
	struct tcp_segment seg;
	const char *why = NULL;
	int r = decode_packet(t->dlt, bytes, h->caplen, &seg, &why);
	switch (r) {
	case DECODE_TCP: break;
	case DECODE_NOT_TCP: t->not_tcp++; return;
	case DECODE_FRAGMENT: t->fragments++; return;
	case DECODE_TRUNCATED:
		if (h->caplen < h->len) {
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
		if (!t->live)
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
	t->live = opts->read_path == NULL;
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
	const char *logpath = opts->sendlog;
	if (opts->command) {
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
			snprintf(t->tmp_log, n, "%s/rstscope-XXXXXX.sendlog", dir);
			int fd = mkstemps(t->tmp_log, 8);
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
		warnf(t, "send log: %s (RSTSCOPE_LOG for the command)", logpath);
	}
	if (logpath) {
		t->log = sendlog_open(logpath, t->live, err, errlen);
		if (!t->log)
			goto fail;
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

/* Starts the command with RSTSCOPE_LOG set; it runs as this process now
 * does, privileges already dropped. */
static int spawn(struct tracer *t)
{
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) != 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		setenv("RSTSCOPE_LOG", sendlog_path(t->log), 1);
		/* The command gets none of our descriptors (the capture socket,
		 * the log, the dump file); only the error pipe, close-on-exec. */
		for (int fd = 3; fd < 1024; fd++)
			if (fd != pipefd[1])
				close(fd);
		execvp(t->opts.command[0], t->opts.command);
		int e = errno;
		if (write(pipefd[1], &e, sizeof e) < 0)
			_exit(127);
		_exit(127);
	}
	close(pipefd[1]);
	int e = 0;
	ssize_t r = read(pipefd[0], &e, sizeof e);
	close(pipefd[0]);
	if (r == (ssize_t)sizeof e) {
		waitpid(pid, NULL, 0);
		warnf(t, "%s: %s", t->opts.command[0], strerror(e));
		errno = e;
		return -2;
	}
	t->child = pid;
	return 0;
}

/* Live: poll the capture, read the log as it grows, settle rows on a tick. */
static int run_live(struct tracer *t)
{
	int fd = pcap_get_selectable_fd(t->p);
	char ebuf[PCAP_ERRBUF_SIZE];
	if (pcap_setnonblock(t->p, 1, ebuf) != 0)
		warnf(t, "warning: %s", ebuf);
	if (t->opts.command) {
		int r = spawn(t);
		if (r != 0) {
			if (r == -1)
				warnf(t, "cannot start %s: %s", t->opts.command[0],
				      strerror(errno));
			return 127;
		}
	}
	ts_ns start = now_realtime(), child_end = 0;
	ts_ns deadline = t->opts.duration > 0 ? start + (ts_ns)(t->opts.duration * 1e9) : 0;
	while (!stop_requested && !t->stop) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		poll(&pfd, fd >= 0 ? 1 : 0, TICK_MS);
		if (pcap_dispatch(t->p, -1, on_record, (u_char *)t) == PCAP_ERROR) {
			warnf(t, "%s: %s", t->name, pcap_geterr(t->p));
			break;
		}
		ts_ns now = now_realtime();
		if (t->corr)
			corr_advance(t->corr, now);
		if (t->dumper)
			pcap_dump_flush(t->dumper);
		if (t->child && !t->child_done) {
			int st;
			if (waitpid(t->child, &st, WNOHANG) == t->child) {
				t->child_done = 1;
				t->child_status = st;
				child_end = now;
			}
		}
		if (t->child_done && now - child_end > CHILD_GRACE_NS)
			break;
		if (deadline && now >= deadline)
			break;
	}
	/* Everything the kernel already captured is still shown. */
	while (!t->stop && pcap_dispatch(t->p, -1, on_record, (u_char *)t) > 0)
		;
	struct pcap_stat ps;
	if (pcap_stats(t->p, &ps) == 0)
		warnf(t,
		      "%llu segments shown; %u packets received by filter, %u dropped by kernel, "
		      "%u dropped by interface%s",
		      (unsigned long long)t->segments, ps.ps_recv, ps.ps_drop, ps.ps_ifdrop,
		      t->dlt == DLT_EN10MB && !strcmp(t->name, "lo")
			      ? " (on lo the kernel counts each packet twice, leaving and arriving)"
			      : "");
	if (t->child && !t->child_done) {
		/* Stopped first (Ctrl-C, -c, --duration): the command keeps its
		 * own course; wait for it as strace does. */
		waitpid(t->child, &t->child_status, 0);
		t->child_done = 1;
	}
	return 0;
}

int tracer_run(struct tracer *t)
{
	int rc = EXIT_CLEAN;
	if (t->live) {
		int lr = run_live(t);
		if (lr) {
			/* The command never ran: nothing was traced, and the
			 * log we made for it holds nothing. */
			if (t->tmp_log)
				unlink(t->tmp_log);
			return lr;
		}
	} else if (pcap_loop(t->p, -1, on_record, (u_char *)t) == PCAP_ERROR) {
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
		warnf(t, "%s: %llu malformed line%s skipped (see above); the rest was used",
		      sendlog_path(t->log), (unsigned long long)corr_bad_lines(t->corr),
		      corr_bad_lines(t->corr) == 1 ? "" : "s");
		rc = EXIT_DAMAGED;
	}
	if (t->store_failed)
		rc = EXIT_DAMAGED;
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
	flow_table_free(t->flows);
	corr_free(t->corr);
	sendlog_free(t->log);
	out_free(t->out);
	sumstore_free(t->sums);
	if (t->dumper)
		pcap_dump_close(t->dumper);
	free(t->tmp_log);
	if (t->has_prog)
		pcap_freecode(&t->prog);
	if (t->p)
		pcap_close(t->p);
	free(t);
}
