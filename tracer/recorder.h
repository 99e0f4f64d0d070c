/* recorder.h: the kernel recorder's user side. Loads record.bpf.c (CO-RE,
 * through its skeleton), attaches it while privileged, and turns its events
 * into send-log lines (DESIGN.md, with the kernel's extra fields) written
 * to a descriptor: the correlator follows that log as it follows any. */
#ifndef RSTSCOPE_RECORDER_H
#define RSTSCOPE_RECORDER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct recorder;

/* Decides whether a call on this connection is kept (the capture's
 * filter): 1 keep, 0 drop. family 4 or 6; addresses in network order,
 * ports in host order. */
typedef int (*recorder_keep_fn)(int family, const uint8_t *laddr, uint16_t lport,
				const uint8_t *paddr, uint16_t pport, void *arg);

struct recorder_opts {
	int all;	    /* every process (else: only those added) */
	const pid_t *pids;  /* -p: traced from the start, with what they fork */
	int npids;
	int log_fd;	    /* where the send-log lines go (not closed) */
	recorder_keep_fn keep; /* NULL keeps every call */
	void *keep_arg;
	/* Also handed every batch of lines (the correlator's feed); returns
	 * -1 when it could not take them. */
	int (*lines)(const char *p, size_t n, void *arg);
	void *lines_arg;
};

/* Loads and attaches; NULL with the reason and what to do in err. */
struct recorder *recorder_open(const struct recorder_opts *o, char *err, size_t errlen);
void recorder_free(struct recorder *r);
/* Where the lines are written from now on (opened once privileges are
 * dropped); -1 for no file. */
void recorder_set_log_fd(struct recorder *r, int fd);
/* Traces pid (and what it forks from now on). */
int recorder_add_pid(struct recorder *r, pid_t pid);
/* A descriptor to poll for readability (the ring buffer's epoll). */
int recorder_fd(const struct recorder *r);
/* Turns every event waiting into log lines. Returns the number of events,
 * or -1 (errno set) when the log cannot be written. */
int recorder_poll(struct recorder *r);
/* Events taken, and those the ring buffer had no room for (summed over
 * CPUs, read from the kernel). */
uint64_t recorder_events(const struct recorder *r);
uint64_t recorder_drops(const struct recorder *r);
/* Batches of lines the correlator's feed could not take. */
uint64_t recorder_unread(const struct recorder *r);

/* Send-log lines for events, formatted apart from the kernel (tests). */
struct rec_event;
struct rec_fmt;
struct rec_fmt *rec_fmt_new(void);
void rec_fmt_free(struct rec_fmt *f);
/* CLOCK_MONOTONIC to CLOCK_REALTIME: realtime = monotonic + offset. */
void rec_fmt_set_offset(struct rec_fmt *f, int64_t offset_ns);
/* Formats one event as a line (with its newline) into buf; returns its
 * length, 0 when the event makes no line, -1 when it does not fit. */
int rec_fmt_event(struct rec_fmt *f, const struct rec_event *e, char *buf, size_t size);

/* The best offset from CLOCK_MONOTONIC to CLOCK_REALTIME, sampled n times
 * (the narrowest bracket wins); *err_ns gets the bracket's half-width. */
int64_t rec_clock_offset(int n, int64_t *err_ns);

#endif
