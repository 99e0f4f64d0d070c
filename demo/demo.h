/* demo.h: what rstscope-demo's modules share: options, one side of a story
 * (server or client process), the steps it takes, and the scenario table. */
#ifndef DEMO_H
#define DEMO_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "rstscope_version.h"
#include "sendlog_writer.h"

#define DEMO_WAIT_MS	      5000 /* longest wait for a segment or the other side */
#define DEMO_PACE_DEFAULT     100  /* ms between steps */
#define DEMO_PACE_MAX	      60000
#define DEMO_INTERACTIVE_PORT 8999 /* the port of seed 000 */

/* Exit codes of rstscope-demo. */
#define DEMO_OK	      0 /* the kernel behaved as the story says */
#define DEMO_DIFFERED 1 /* it did not (what differed was said) */
#define DEMO_USAGE    2 /* bad input: unknown scenario, bad port, unwritable log */

/* How the instrumented side treats SIGPIPE (--sigpipe). */
enum sigpipe_mode {
	SIGPIPE_MODE_DEFAULT,  /* SIG_DFL: the signal ends the process */
	SIGPIPE_MODE_IGNORE,   /* SIG_IGN */
	SIGPIPE_MODE_HANDLER,  /* a handler that logs it and sets a flag */
	SIGPIPE_MODE_NOSIGNAL, /* send(..., MSG_NOSIGNAL): no signal at all */
};

struct demo_opts {
	int family;  /* AF_INET or AF_INET6 */
	int port;    /* 0: a free one */
	int pace_ms; /* pause between steps */
	enum sigpipe_mode sigpipe;
	const char *log_path; /* NULL: no log */
};

/* One process of a story. */
struct side {
	const struct demo_opts *opt;
	struct slw *log;	     /* NULL when no log is written */
	const char *who;	     /* "server", "client", "client 2": starts its story lines */
	int instrumented;	     /* --sigpipe applies to this side */
	int listen_fd;		     /* server: the listening socket, else -1 */
	int sync_fd;		     /* to the other side (or the parent), else -1 */
	struct sockaddr_storage srv; /* the server's address */
	socklen_t srvlen;
	int sent_flags; /* flags for every send(): MSG_NOSIGNAL or 0 */
};

/* ---- story.c: what the demo prints ---- */

/* Print one line (a newline is added) with a single write(2) on stdout, so
 * lines from the server and client processes never mix. */
void story(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same, starting with "WHO: ". */
void say(const struct side *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* data as a C string literal, quotes included: "are you here?\n". */
const char *quoted(char *out, size_t size, const void *data, size_t len);
const char *sigpipe_mode_name(enum sigpipe_mode mode);
int sigpipe_mode_parse(const char *name, enum sigpipe_mode *mode);

/* ---- net.c: sockets and coordination ---- */

/* The loopback address of family with port. */
void net_loopback(int family, int port, struct sockaddr_storage *ss, socklen_t *len);
/* A listening socket on loopback (port 0: any free port); the address it got
 * goes into ss. Returns the descriptor, or -1 with a message in err. */
int net_listen(int family, int port, struct sockaddr_storage *ss, socklen_t *len, char *err,
	       size_t errlen);
/* poll() fd for events; POLLHUP and POLLERR always count. Returns revents,
 * 0 on timeout, -1 on error. Never reads: the socket's state is untouched. */
int net_wait(int fd, short events, int timeout_ms);
/* Bytes waiting unread in fd's receive buffer, or -1. */
int net_unread(int fd);
/* Adds (add 1) or removes an iptables (ip6tables) rule that drops TCP
 * packets arriving on lo with dir ("--dport" or "--sport") port, only RSTs
 * when rst_only. Needs root; meant for a private network namespace.
 * Returns 0, or -1 when the rule could not be changed, with what iptables
 * said (or why it could not run) in err. */
int net_drop_rule(int family, int add, const char *dir, int port, int rst_only, char *err,
		  size_t errlen);
/* The same for a rule that hands every TCP packet leaving on lo from port to
 * nfnetlink queue `queue` (NFQUEUE, --queue-bypass: while nobody is bound to
 * the queue, packets pass). */
int net_queue_rule(int family, int add, int port, int queue, char *err, size_t errlen);
/* The other side's notes: one byte each over a socketpair (MSG_NOSIGNAL, so
 * a side that has died raises no signal in the one that writes). */
int sync_put(int fd, char c);
/* The next note: the byte, -1 if the other side has gone, -2 on timeout. */
int sync_get(int fd, int timeout_ms);

/* ---- delayline.c: the network holds packets (root, iptables NFQUEUE) ---- */

/* A process that binds nfnetlink queue `queue` and holds every packet the
 * kernel hands it there (an iptables NFQUEUE rule sends them) delay_ms
 * before letting it go, in the order they came. It is no side of the
 * story: it logs nothing and keeps none of its parent's descriptors. */
struct delayline {
	pid_t pid; /* -1: none */
	int fd;	   /* the parent's end of its socketpair, or -1 */
	int reaped;
	int status; /* its wait status, once reaped */
};

/* Fork it and wait until it has bound the queue. Returns 0, or -1 with the
 * reason in err (the process has then ended and been reaped). */
int delayline_start(struct delayline *dl, int queue, int delay_ms, char *err, size_t errlen);
/* Someone else (run_wait) has reaped it, with status. */
void delayline_reaped(struct delayline *dl, int status);
/* It lets go at once of all it still holds, says how many packets it held
 * in all (held) and ends; it is reaped. Returns 0, or -1 with what went
 * wrong in err. */
int delayline_stop(struct delayline *dl, unsigned long *held, char *err, size_t errlen);

/* ---- side.c: the steps of a story, each checked against what it says ---- */

void side_pace(const struct side *s);
/* Make the story's SIGPIPE treatment this process's (instrumented side: the
 * --sigpipe mode; other side: the default action). */
void side_setup_sigpipe(struct side *s);
/* Whether SIGPIPE arrived since the last call (handler mode only). */
int side_took_sigpipe(void);

/* Each step makes the call through the send-log writer, prints one story
 * line and checks the result against the story: on a difference it says what
 * was expected and returns -1. note is printed after the result when the
 * result is the expected one. */
int step_connect(struct side *s, int want_err, const char *note);
int step_accept(struct side *s, const char *note);
/* send str; want is the return value expected (-1 with want_err). */
int step_send(struct side *s, int fd, const char *str, long want, int want_err, const char *note);
/* recv up to 64 bytes; want is the expected data, or NULL for 0 (end of stream). */
int step_recv(struct side *s, int fd, const char *want, const char *note);
/* recv that should fail with want_err. */
int step_recv_err(struct side *s, int fd, int want_err, const char *note);
int step_shutdown(struct side *s, int fd, int how, const char *note);
int step_close(struct side *s, int fd, const char *note);
/* After a send that failed: check SIGPIPE against the story (raised: 1 for
 * EPIPE, 0 for ECONNRESET) and the --sigpipe mode, and say what happened. */
int step_sigpipe(struct side *s, int raised);
/* Wait until poll() reports events on fd (a FIN: POLLRDHUP; an RST: POLLHUP
 * or POLLERR); finding any of forbid instead differs from the story. what
 * names the awaited segment in messages. */
int step_wait(struct side *s, int fd, short events, short forbid, const char *what);
/* Wait for the other side's note c. */
int step_sync(struct side *s, char c, const char *what);
/* Report a difference from the story; returns -1. */
int differs(const struct side *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- run.c: the parent process of a scenario ---- */

#define RUN_MAX_PROCS 8

struct run {
	const struct demo_opts *opt;
	struct slw *log;
	int listen_fd; /* -1 once the server has it */
	int sync[2];   /* socketpair: [0] the server's end, [1] the client's (or parent's) */
	struct sockaddr_storage srv;
	socklen_t srvlen;
	struct {
		pid_t pid;
		int status;
	} ended[RUN_MAX_PROCS]; /* children reaped so far (exit events logged) */
	size_t nended;
	/* A child of the parent that is no part of the story (the delay
	 * line), or 0: run_wait reaps it without an exit event, and the
	 * sides do not keep aside_fd (its descriptor, or -1). */
	pid_t aside;
	int aside_fd;
	int aside_ended, aside_status;
};

/* A process of the story, as the parent sees it. */
struct proc {
	pid_t pid;
	const char *who;
	int expect_sig;	 /* the signal that should end it, or 0: it should exit 0 */
	int close_after; /* a descriptor the parent closes once it has ended, or -1 */
};

/* Fork a process that runs fn(s) and exits 0 if it went as the story says,
 * 1 if not. The child keeps, of the run's descriptors, only s's. */
pid_t run_spawn(struct run *r, struct side *s, int (*fn)(struct side *));
/* Wait for the n processes in the order they end, log an exit event for
 * each, and check how each ended. Returns 0 if all ended as expected. */
int run_wait(struct run *r, struct proc *procs, int n);
/* A side for this run: addresses, log and options filled in. */
void run_side(const struct run *r, struct side *s, const char *who, int instrumented);

/* ---- scenarios.c ---- */

struct scenario {
	const char *name;
	const char *seed;    /* "seed 000", or NULL */
	const char *summary; /* one line, for `rstscope-demo list` */
	const char *intro;   /* the story's first line */
	int server_instrumented;
	int (*server)(struct side *s);
	int (*client)(struct side *s);
	/* The parent's part, when it is more than running server and client
	 * side by side; NULL for that. */
	int (*parent)(const struct scenario *sc, struct run *r);
	/* No EPIPE in this story: SIGPIPE never comes, whatever --sigpipe says. */
	int no_epipe;
};

extern const struct scenario scenarios[];
extern const size_t scenario_count;
const struct scenario *scenario_find(const char *name);
/* Run sc: listen, fork the sides, wait, judge. Returns a DEMO_ exit code;
 * for DEMO_USAGE (e.g. the port is in use) the reason is in err. */
int scenario_run(const struct scenario *sc, const struct demo_opts *opt, struct slw *log, char *err,
		 size_t errlen);
/* Run server and client side by side: the usual parent. */
int run_pair(const struct scenario *sc, struct run *r);

/* ---- interactive.c: the seeds' programs ---- */

/* Both return a DEMO_ exit code; for DEMO_USAGE (port in use, nobody
 * listening) the reason is in err. */
int interactive_server(const struct demo_opts *opt, struct slw *log, char *err, size_t errlen);
int interactive_client(const struct demo_opts *opt, struct slw *log, char *err, size_t errlen);

#endif
