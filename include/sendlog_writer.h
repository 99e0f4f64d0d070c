/* sendlog_writer.h: write rstscope's send log (JSON Lines) from any C program.
 *
 * slw = "send-log writer". The format is the contract in DESIGN.md: one JSON
 * object per line, one line per socket call, with the CLOCK_REALTIME time at
 * which the call returned, so that the tracer can merge it with pcap times.
 *
 * Two ways to use it:
 *
 *   1. Wrap the calls:  n = slw_send(log, fd, buf, len, 0);
 *      The wrapper makes the real call first, reads the clock right after it
 *      returns, writes the line, and returns the call's result with errno as
 *      the call left it. A NULL log is allowed: the call is made, nothing is
 *      written. Logging never changes what the socket call does; a failed log
 *      write is only counted (slw_write_errors).
 *
 *   2. Make the calls yourself and describe them: fill a struct slw_event and
 *      pass it to slw_log (or format it with slw_format).
 *
 * Every line is written with a single write(2) on a descriptor opened with
 * O_APPEND, so processes sharing one log (after fork, or opening the same
 * path) never interleave within a line, and a process killed by a signal
 * leaves every line it wrote. Writes never raise SIGPIPE, even when the log is
 * a pipe whose reader has gone.
 *
 * slw_signal and slw_write_line are async-signal-safe: call them from a signal
 * handler. They format by hand into a stack buffer (no stdio, no malloc, no
 * locale) and use only clock_gettime, getpid, fstat, write and, for a log that
 * is a pipe or socket, sigprocmask/sigpending/sigtimedwait.
 *
 * The writer keeps, per descriptor, the socket's addresses and stream offsets
 * ("off"): bytes sent and received since slw_connect/slw_accept, or since the
 * writer first saw the descriptor. Addresses are remembered because
 * getpeername() fails once a connection has been reset, and the tracer needs
 * them on the very call that failed. slw_close forgets the descriptor.
 */
#ifndef SENDLOG_WRITER_H
#define SENDLOG_WRITER_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#define SLW_DATA_MAX 64	  /* bytes of a buffer previewed in "data" */
#define SLW_LINE_MAX 1024 /* longest line the writer produces, newline included */
#define SLW_ADDR_MAX 64	  /* "[ffff:...:ffff%ifname]:65535" and its NUL fit */

/* slw_new flags */
#define SLW_TRUNCATE 1 /* empty the file once when opening it */

enum slw_kind {
	SLW_CONNECT,
	SLW_ACCEPT,
	SLW_SEND,
	SLW_RECV,
	SLW_SHUTDOWN,
	SLW_CLOSE,
	SLW_SIGNAL,
	SLW_EXIT,
};

enum slw_disposition {
	SLW_DISP_DEFAULT,
	SLW_DISP_IGNORE,
	SLW_DISP_HANDLER,
	SLW_DISP_BLOCKED, /* the kernel recorder: the signal was blocked */
};

/* One line of the log. Which fields are written depends on kind, in this order:
 *   connect, accept, close: ts pid event fd local peer ret errno
 *   send, recv:             ts pid event fd local peer len ret errno off flags [data]
 *   shutdown:               ts pid event fd local peer how ret errno
 *   signal:                 ts pid event sig disposition
 *   exit:                   ts pid event status signal
 * fd is the descriptor the call was made on (for accept: the listening
 * socket; ret is then the new descriptor, and local/peer are the accepted
 * connection's). */
struct slw_event {
	enum slw_kind kind;
	struct timespec ts; /* CLOCK_REALTIME when the call returned */
	long pid;	    /* exit: the process that ended */
	int fd;
	const char *local; /* "ADDR:PORT"; NULL writes null */
	const char *peer;  /* likewise */
	size_t len;	   /* send, recv: bytes asked for */
	long long ret;	   /* the call's return value */
	int err;	   /* errno when ret == -1; 0 writes null */
	long long off;	   /* send, recv: stream offset; < 0 writes null */
	int flags;	   /* send, recv: MSG_* flags */
	const void *data;  /* send, recv: NULL omits "data" */
	size_t data_len;   /* at most SLW_DATA_MAX of it is written */
	int how;	   /* shutdown: SHUT_RD, SHUT_WR or SHUT_RDWR */
	int sig;	   /* signal: the signal; exit: the one that killed it, or 0 */
	enum slw_disposition disposition; /* signal */
	int status;			  /* exit: exit status, or -1 (written null) if killed */
};

struct slw;

/* Open (creating it, mode 0644) the log at path for appending; flags is 0 or
 * SLW_TRUNCATE. Returns NULL with a message in err on failure. */
struct slw *slw_new(const char *path, int flags, char *err, size_t errlen);
/* Use an open descriptor (opened with O_APPEND for sharing); takes ownership:
 * slw_free closes it. Returns NULL only when out of memory. */
struct slw *slw_new_fd(int fd);
void slw_free(struct slw *w); /* closes the log; NULL is fine */
int slw_fd(const struct slw *w);
unsigned long slw_write_errors(const struct slw *w);

/* Wrappers: make the call, log it, return its result with its errno. */
int slw_connect(struct slw *w, int fd, const struct sockaddr *addr, socklen_t addrlen);
int slw_accept(struct slw *w, int fd, struct sockaddr *addr, socklen_t *addrlen);
/* On EPIPE without MSG_NOSIGNAL while SIGPIPE is ignored (SIG_IGN), also logs
 * a signal event with disposition "ignore", just before the send line: the
 * kernel raised the signal and it was discarded. A handler should log its own
 * with slw_signal; with the default action the process is gone. */
ssize_t slw_send(struct slw *w, int fd, const void *buf, size_t len, int flags);
ssize_t slw_recv(struct slw *w, int fd, void *buf, size_t len, int flags);
int slw_shutdown(struct slw *w, int fd, int how);
int slw_close(struct slw *w, int fd);

/* A signal event for this process, timestamped now. Async-signal-safe. */
int slw_signal(const struct slw *w, int sig, enum slw_disposition disposition);
/* An exit event for child pid from waitpid()'s status, timestamped now. */
int slw_exit(struct slw *w, pid_t pid, int wstatus);
/* Write one event as given. Returns 0, or -1 if it could not be written. */
int slw_log(struct slw *w, const struct slw_event *ev);

/* Format ev as one line, newline included, NUL-terminated. Returns its length,
 * or -1 if size is too small (SLW_LINE_MAX always suffices). */
int slw_format(char *buf, size_t size, const struct slw_event *ev);
/* JSON-escape len bytes (no surrounding quotes): \" \\ \n \r \t; other control
 * bytes, DEL and every byte that is not part of a valid UTF-8 sequence as
 * \u00XX; valid UTF-8 kept. Writes at most size-1 bytes and a NUL, never
 * cutting an escape or a character; returns the bytes written. 6*len+1 always
 * suffices. */
size_t slw_escape(char *out, size_t size, const void *data, size_t len);
/* "127.0.0.1:8999" or "[::1]:8999". Returns 0, or -1 (out = "") for other
 * families. */
int slw_format_addr(const struct sockaddr *sa, socklen_t salen, char *out, size_t size);
/* "EPIPE", "ECONNRESET", ...; "E<number>" for unknown values (in a static
 * buffer then: not thread-safe); NULL for 0. */
const char *slw_errno_name(int err);
/* "SIGPIPE", ...; "SIG<number>" for unknown values (same caveat). */
const char *slw_signal_name(int sig);
/* "connect", "send", ... */
const char *slw_kind_name(enum slw_kind kind);
/* "MSG_NOSIGNAL|MSG_MORE", "" for none; unknown bits as hex. */
void slw_flags_name(int flags, char *out, size_t size);

/* Write buf to fd with one write(2) (the rest, if the kernel took only part),
 * without ever raising SIGPIPE. Async-signal-safe. Returns bytes written or
 * -1 with errno set. */
ssize_t slw_write_line(int fd, const void *buf, size_t len);

#endif
