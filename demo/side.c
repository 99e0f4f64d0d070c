/* side.c: the steps of a story, made through the send-log writer, told in
 * plain words and checked against what the story says the kernel does. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "demo.h"

/* The SIGPIPE handler's world. A handler gets no arguments of ours, so these
 * are globals: the flag it sets, the log it writes to, and its story line,
 * formatted before the handler is installed so that it only has to write(2). */
static volatile sig_atomic_t sigpipe_arrived;
static const struct slw *sigpipe_log;
static char sigpipe_line[160];
static size_t sigpipe_line_len;

static void on_sigpipe(int sig)
{
	slw_signal(sigpipe_log, sig, SLW_DISP_HANDLER);
	slw_write_line(STDOUT_FILENO, sigpipe_line, sigpipe_line_len);
	sigpipe_arrived = 1;
}

void side_setup_sigpipe(struct side *s)
{
	struct sigaction sa;
	sigset_t set;
	enum sigpipe_mode mode = s->instrumented ? s->opt->sigpipe : SIGPIPE_MODE_DEFAULT;
	int n;

	/* Start from a known state whatever the caller left us: SIGPIPE
	 * unblocked, and the disposition set below. */
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	s->sent_flags = 0;
	switch (mode) {
	case SIGPIPE_MODE_HANDLER:
		n = snprintf(sigpipe_line, sizeof(sigpipe_line),
			     "%s: SIGPIPE!   (the signal handler runs, before send() has even "
			     "returned)\n",
			     s->who);
		sigpipe_line_len = n > 0 && (size_t)n < sizeof(sigpipe_line) ? (size_t)n : 0;
		sigpipe_log = s->log;
		sa.sa_handler = on_sigpipe;
		sa.sa_flags = SA_RESTART;
		break;
	case SIGPIPE_MODE_IGNORE: sa.sa_handler = SIG_IGN; break;
	case SIGPIPE_MODE_NOSIGNAL: s->sent_flags = MSG_NOSIGNAL; break;
	case SIGPIPE_MODE_DEFAULT: break;
	}
	sigaction(SIGPIPE, &sa, NULL);
	sigpipe_arrived = 0;
}

int side_took_sigpipe(void)
{
	int took = sigpipe_arrived;
	sigpipe_arrived = 0;
	return took;
}

void side_pace(const struct side *s)
{
	struct timespec t = { s->opt->pace_ms / 1000, (long)(s->opt->pace_ms % 1000) * 1000000L };
	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

int differs(const struct side *s, const char *fmt, ...)
{
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	say(s, "UNLIKE THE STORY: %s", what);
	return -1;
}

/* "14", or "-1 EPIPE". */
static const char *result(char *buf, size_t size, long r, int err)
{
	if (r < 0)
		snprintf(buf, size, "%ld %s", r, slw_errno_name(err) ? slw_errno_name(err) : "");
	else
		snprintf(buf, size, "%ld", r);
	return buf;
}

/* "   (note)", or "" */
static const char *paren(char *buf, size_t size, const char *note)
{
	if (note && *note)
		snprintf(buf, size, "   (%s)", note);
	else
		buf[0] = '\0';
	return buf;
}

static int as_expected(long r, int err, long want, int want_err)
{
	return r == want && (r >= 0 || err == want_err);
}

static void addr_str(int fd, int peer, char *out, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int r = peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
		     : getsockname(fd, (struct sockaddr *)&ss, &len);
	if (r < 0 || slw_format_addr((struct sockaddr *)&ss, len, out, size) < 0)
		snprintf(out, size, "?");
}

int step_connect(struct side *s, int want_err, const char *note)
{
	char res[64], p[512], local[SLW_ADDR_MAX], peer[SLW_ADDR_MAX];
	int fd = socket(s->srv.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int r, err;

	if (fd < 0)
		return differs(s, "socket() failed: %s", strerror(errno));
	r = slw_connect(s->log, fd, (struct sockaddr *)&s->srv, s->srvlen);
	err = errno;
	slw_format_addr((struct sockaddr *)&s->srv, s->srvlen, peer, sizeof(peer));
	if (r == 0) {
		addr_str(fd, 0, local, sizeof(local));
		say(s, "connect() = 0   (from %s to the server at %s)%s", local, peer,
		    paren(p, sizeof(p), note));
	} else {
		int ok = as_expected(r, err, -1, want_err) && note;
		say(s, "connect() = %s   (to %s%s%s)", result(res, sizeof(res), r, err), peer,
		    ok ? ": " : "", ok ? note : "");
	}
	if (want_err == 0) {
		if (r == 0)
			return fd;
		close(fd);
		return differs(s, "expected connect() = 0");
	}
	slw_close(s->log, fd); /* logged: a tracer of the kernel's calls sees it too */
	if (as_expected(r, err, -1, want_err))
		return 0;
	return differs(s, "expected connect() = -1 %s", slw_errno_name(want_err));
}

int step_accept(struct side *s, const char *note)
{
	char res[64], p[512], peer[SLW_ADDR_MAX];
	int fd = slw_accept(s->log, s->listen_fd, NULL, NULL);
	int err = errno;

	if (fd < 0) {
		say(s, "accept() = %s", result(res, sizeof(res), fd, err));
		return differs(s, "expected accept() to give a connection");
	}
	addr_str(fd, 1, peer, sizeof(peer));
	say(s, "accept() = %d   (a client connected from %s)%s", fd, peer,
	    paren(p, sizeof(p), note));
	return fd;
}

int step_send(struct side *s, int fd, const char *str, long want, int want_err, const char *note)
{
	char q[160], res[64], want_res[64], p[512];
	size_t len = strlen(str);
	ssize_t r = slw_send(s->log, fd, str, len, s->sent_flags);
	int err = errno;
	int ok = as_expected(r, err, want, want_err);

	say(s, "send(%s%s) = %s%s", quoted(q, sizeof(q), str, len),
	    s->sent_flags & MSG_NOSIGNAL ? ", MSG_NOSIGNAL" : "", result(res, sizeof(res), r, err),
	    ok ? paren(p, sizeof(p), note) : "");
	if (ok)
		return 0;
	return differs(s, "expected send() = %s",
		       result(want_res, sizeof(want_res), want, want_err));
}

int step_recv(struct side *s, int fd, const char *want, const char *note)
{
	char buf[64], q[300], res[64], p[512];
	size_t want_len = want ? strlen(want) : 0;
	ssize_t r = slw_recv(s->log, fd, buf, sizeof(buf), 0);
	int err = errno;
	int ok = r == (ssize_t)want_len && (want_len == 0 || memcmp(buf, want, want_len) == 0);

	if (r > 0)
		say(s, "recv() = %zd %s%s", r, quoted(q, sizeof(q), buf, (size_t)r),
		    ok ? paren(p, sizeof(p), note) : "");
	else
		say(s, "recv() = %s%s", result(res, sizeof(res), r, err),
		    ok ? paren(p, sizeof(p), note) : "");
	if (ok)
		return 0;
	if (want)
		return differs(s, "expected recv() = %zu %s", want_len,
			       quoted(q, sizeof(q), want, want_len));
	return differs(s, "expected recv() = 0 (the end of the stream)");
}

int step_recv_err(struct side *s, int fd, int want_err, const char *note)
{
	char buf[64], res[64], p[512];
	ssize_t r = slw_recv(s->log, fd, buf, sizeof(buf), 0);
	int err = errno;
	int ok = as_expected(r, err, -1, want_err);

	say(s, "recv() = %s%s", result(res, sizeof(res), r, err), ok ? paren(p, sizeof(p), note) : "");
	if (ok)
		return 0;
	return differs(s, "expected recv() = -1 %s", slw_errno_name(want_err));
}

int step_shutdown(struct side *s, int fd, int how, const char *note)
{
	char res[64], p[512];
	int r = slw_shutdown(s->log, fd, how);
	int err = errno;
	const char *name = how == SHUT_WR ? "SHUT_WR" : how == SHUT_RD ? "SHUT_RD" : "SHUT_RDWR";

	say(s, "shutdown(%s) = %s%s", name, result(res, sizeof(res), r, err),
	    r == 0 ? paren(p, sizeof(p), note) : "");
	return r == 0 ? 0 : differs(s, "expected shutdown() = 0");
}

int step_close(struct side *s, int fd, const char *note)
{
	char res[64], p[512];
	int r = slw_close(s->log, fd);
	int err = errno;

	say(s, "close() = %s%s", result(res, sizeof(res), r, err),
	    r == 0 ? paren(p, sizeof(p), note) : "");
	return r == 0 ? 0 : differs(s, "expected close() = 0");
}

int step_sigpipe(struct side *s, int raised)
{
	enum sigpipe_mode mode = s->instrumented ? s->opt->sigpipe : SIGPIPE_MODE_DEFAULT;
	int took = side_took_sigpipe();

	if (!raised) {
		if (took)
			return differs(s, "SIGPIPE arrived, but ECONNRESET raises none");
		say(s, "no SIGPIPE: that signal comes only with EPIPE");
		return 0;
	}
	switch (mode) {
	case SIGPIPE_MODE_HANDLER:
		if (!took)
			return differs(s, "expected SIGPIPE with EPIPE; the handler never ran");
		say(s, "the handler caught SIGPIPE, so the process goes on   (without one, "
		       "SIGPIPE ends the process: --sigpipe default)");
		return 0;
	case SIGPIPE_MODE_IGNORE:
		say(s, "SIGPIPE was raised and ignored (SIG_IGN): only the errno tells");
		return 0;
	case SIGPIPE_MODE_NOSIGNAL:
		say(s, "no SIGPIPE: send() was called with MSG_NOSIGNAL; only the errno tells");
		return 0;
	case SIGPIPE_MODE_DEFAULT: break;
	}
	return differs(s,
		       "the process is still alive: SIGPIPE's default action should have ended it");
}

int step_wait(struct side *s, int fd, short events, short forbid, const char *what)
{
	int r = net_wait(fd, events, DEMO_WAIT_MS);
	if (r < 0)
		return differs(s, "poll() failed: %s", strerror(errno));
	if (r == 0)
		return differs(s, "no %s within %d s", what, DEMO_WAIT_MS / 1000);
	if (r & forbid)
		return differs(s, "waiting for the %s, found the connection %s instead", what,
			       r & POLLERR ? "reset (an error is pending)" : "closed both ways");
	return 0;
}

int step_sync(struct side *s, char c, const char *what)
{
	int r = sync_get(s->sync_fd, DEMO_WAIT_MS + 2 * s->opt->pace_ms);
	if (r == c)
		return 0;
	if (r == -2)
		return differs(s, "waited %d s for %s", DEMO_WAIT_MS / 1000, what);
	if (r >= 0) /* a bug of the demo's, not the kernel's */
		return differs(s, "waiting for %s, got the note '%c' instead", what, r);
	return differs(s, "the other process ended before %s", what);
}
