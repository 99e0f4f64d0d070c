/* tracer.h: the pipeline: capture -> decode -> flow -> output. */
#ifndef RSTSCOPE_TRACER_H
#define RSTSCOPE_TRACER_H

#include <stddef.h>
#include <stdint.h>

#include "output.h"

struct tracer_opts {
	const char *read_path;	/* -r FILE, "-" for standard input */
	const char *iface;	/* -i IFACE: live capture (when read_path is NULL) */
	const char *write_path; /* -w FILE: save every captured packet */
	const char *user;	/* -Z USER: drop privileges to this user */
	int buffer_kib;		/* -B KiB: kernel capture buffer, 0 for the default */
	double duration;	/* --duration S: stop after S seconds, 0 for never */
	char **command;		/* -- COMMAND ARGS: run it, trace until it exits */
	const char *sendlog;	/* -l FILE: the send log to correlate, or NULL */
	const char *const *sendlogs; /* every -l FILE (nsendlogs of them; sendlog is the first) */
	int nsendlogs;
	int log_format;		/* --log-format: enum log_format (sendlog.h), 0 auto */
	int via_strace;		/* --via strace: run COMMAND (or attach) under strace */
	int attach_pid;		/* -p PID with --via strace, 0 for none */
	const char *filter;	/* BPF expression, NULL for every TCP segment */
	uint64_t max_segments;	/* -c N, 0 for no limit */
	int summaries;		/* print per-connection summaries at the end */
	int no_calls;		/* --no-calls: live, record no calls from the kernel */
	const int *pids;	/* -p PID,...: record only these processes (and forks) */
	int npids;
	const char *calls_path; /* --write-calls FILE: where recorded calls go */
	const char *pcapng_path; /* --pcapng FILE: the capture, annotated */
	const char *svg_path;	 /* --svg FILE: the ladder diagram */
	uint64_t svg_conn;	 /* --svg-conn N: only connection N, 0 for all */
	struct out_opts out;
};

/* Exit statuses, as documented in the man page. */
enum { EXIT_CLEAN = 0, EXIT_DAMAGED = 1, EXIT_USAGE = 2 };

/* Receives every message about the input (damaged records, statistics). */
typedef void (*tracer_warn_fn)(const char *msg, void *arg);

struct tracer;

/* Opens the input and output; NULL with the reason in err. */
struct tracer *tracer_new(const struct tracer_opts *opts, int out_fd, tracer_warn_fn warn,
			  void *warn_arg, char *err, size_t errlen);
/* Reads everything, prints, and returns EXIT_CLEAN, EXIT_DAMAGED or EXIT_USAGE;
 * with a command, the command's exit status (128 + signal if it was killed). */
int tracer_run(struct tracer *t);
/* From a signal handler: stop a live capture, or with a command pass sig
 * on to it (a second one kills it); async-signal-safe. */
void tracer_request_stop(int sig);
void tracer_free(struct tracer *t);

#endif
