/* sendlog.h: read the send log (JSON Lines, DESIGN.md), one call at a time. */
#ifndef RSTSCOPE_SENDLOG_H
#define RSTSCOPE_SENDLOG_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"

enum call_event {
	EV_CONNECT = 0,
	EV_ACCEPT,
	EV_SEND,
	EV_RECV,
	EV_SHUTDOWN,
	EV_CLOSE,
	EV_SIGNAL,
	EV_EXIT,
	/* The wire's side of the kernel (the kernel recorder): no process. */
	EV_RST_RECV,  /* "rst_recv": a socket took an RST (tcp_receive_reset) */
	EV_RST_SEND,  /* "rst_send": the kernel sent an RST (tcp_send_reset) */
	EV_TCP_STATE, /* "tcp_state": a socket changed state */
};
#define EV_IS_KERNEL(ev) ((ev) >= EV_RST_RECV)

#define CALL_DATA_MAX 64

/* One logged call: plain values. */
struct call {
	uint64_t line; /* 1-based line number in the log */
	ts_ns ts;
	int64_t pid;
	enum call_event event;
	int64_t fd;	/* -1 when absent */
	uint8_t has_ep; /* local and peer parsed */
	uint8_t family; /* 4 or 6 */
	uint8_t laddr[16], paddr[16];
	uint16_t lport, pport;
	uint32_t hash;	  /* has_ep: flow_tuple_hash() of the pair (computed with the parse) */
	int64_t len, ret; /* len -1 when absent */
	char err[24];	  /* "" for null */
	int64_t off;	  /* -1 when absent */
	uint8_t nosignal; /* flags included MSG_NOSIGNAL */
	char flags[48];
	uint8_t data[CALL_DATA_MAX];
	uint8_t data_len, has_data;
	char sig[16];	      /* signal event: "SIGPIPE" */
	char disposition[12]; /* "default", "ignore", "handler" */
	char how[12];	      /* shutdown: "SHUT_WR" */
	int64_t status;	      /* exit: status, -1 when null */
	char exit_sig[16];    /* exit: the signal that killed it, "" when none */
	/* Optional, from sources that know them (the kernel recorder, strace). */
	int64_t tid;	      /* -1 when absent */
	uint8_t has_seq;      /* seq is the TCP sequence number of the call's first byte */
	uint32_t seq;
	ts_ns ts_enter;	      /* 0 when absent */
	char comm[20];	      /* the process name, "" when unknown */
	char syscall[16];     /* the real call ("write", "sendto"), "" when unknown */
	char state[16];	      /* TCP state at entry ("CLOSE_WAIT"), "" when unknown */
	char state_after[16]; /* TCP state at exit */
	char sk_err[24];      /* the socket error pending at entry, "" when none or unknown */
};

const char *sendlog_event_name(enum call_event ev);

/* Parses one line (without its newline) into *c. Returns 0, or -1 with the
 * reason in err. Unknown fields are ignored. */
int sendlog_parse_line(const char *line, size_t len, uint64_t lineno, struct call *c, char *err,
		       size_t errlen);

struct sendlog;

/* Opens a log for reading. follow: keep reading as it grows (live mode); the
 * file may not exist yet and may be truncated and rewritten. */
struct sendlog *sendlog_open(const char *path, int follow, char *err, size_t errlen);
/* The same, for -l FILE whatever it holds: a send log, or strace output
 * (strace.h: a file, a directory of -ff files, or their PREFIX), told apart
 * by the first line unless format says. */
enum log_format { LOG_FORMAT_AUTO = 0, LOG_FORMAT_SENDLOG, LOG_FORMAT_STRACE };
struct sendlog *sendlog_open_format(const char *path, int follow, enum log_format format,
				    char *err, size_t errlen);
/* Several files (-l more than once): strace output only, merged by time. */
struct sendlog *sendlog_open_paths(const char *const *paths, size_t n, int follow,
				   enum log_format format, char *err, size_t errlen);
/* -tt strace stamps have no date: the first record's time gives it. */
void sendlog_time_hint(struct sendlog *s, ts_ns t);
/* A one-line notice about the input (strace recorded without -yy), or "". */
const char *sendlog_notice(const struct sendlog *s);
void sendlog_free(struct sendlog *s);
/* A log with no file behind it: its lines are handed in as they are made
 * (the kernel recorder's), read as a followed log's are. name is for
 * messages. */
struct sendlog *sendlog_open_feed(const char *name, char *err, size_t errlen);
/* Appends n bytes of lines; -1 when they would pass the bound (64 MiB not
 * yet read) or there is no memory: then they are not taken. */
int sendlog_feed(struct sendlog *s, const char *p, size_t n);
/* Not following, the log is read and parsed ahead by a second thread,
 * started at the first sendlog_next(); this keeps it in the caller's. */
void sendlog_inline(struct sendlog *s);
/* The longest line read (without its newline); a longer one is reported as
 * malformed and skipped without being kept in memory. */
#define SENDLOG_LINE_MAX (1 << 20)

/* Following, a log that has not appeared after this long is said (once). */
#define SENDLOG_WAIT_NS ((int64_t)3 * 1000000000)
#define SENDLOG_NOTICE	2

/* Next call: 1 got one, 0 nothing more now (end of file), -1 a malformed line
 * (reported in err, with its line number; call again for the next one), -2
 * no memory to read on (in err; the log cannot be read further), and
 * SENDLOG_NOTICE (following) something to say once about the file, in err:
 * it has not appeared after SENDLOG_WAIT_NS, it cannot be opened, it was
 * rewritten from the start (line numbers start over); call again. */
int sendlog_next(struct sendlog *s, struct call *c, char *err, size_t errlen);
const char *sendlog_path(const struct sendlog *s);

#endif
