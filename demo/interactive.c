/* interactive.c: the seeds' own programs. A server that prints what it
 * receives, and a client that sends each line typed: stop the server by hand
 * and keep typing to see the story. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "demo.h"

/* Set by SIGINT or SIGTERM: the server's blocking call returns EINTR and it
 * stops, saying so. */
static volatile sig_atomic_t stop_signal;

static void on_stop(int sig) { stop_signal = sig; }

static void catch_stop_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop; /* no SA_RESTART: accept() and recv() return EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int interactive_server(const struct demo_opts *opt, struct slw *log, char *err, size_t errlen)
{
	struct side s = { .opt = opt, .log = log, .who = "server", .listen_fd = -1, .sync_fd = -1 };
	char addr[SLW_ADDR_MAX], q[300];
	int fd = -1;

	s.listen_fd = net_listen(opt->family, opt->port, &s.srv, &s.srvlen, err, errlen);
	if (s.listen_fd < 0)
		return DEMO_USAGE;
	catch_stop_signals();
	slw_format_addr((struct sockaddr *)&s.srv, s.srvlen, addr, sizeof(addr));
	say(&s,
	    "listening on %s; stop it with Ctrl-C (its process ends and the kernel closes "
	    "the connection)",
	    addr);
	if (!log)
		say(&s, "no log is written: give --log FILE (or set RSTSCOPE_LOG) to record every "
			"call");

	while (!stop_signal) {
		char buf[64]; /* as the seed's */
		ssize_t r;

		fd = slw_accept(log, s.listen_fd, NULL, NULL);
		if (fd < 0) {
			if (errno != EINTR)
				say(&s, "accept() = -1 %s", slw_errno_name(errno));
			continue;
		}
		{
			struct sockaddr_storage ss;
			socklen_t len = sizeof(ss);
			getpeername(fd, (struct sockaddr *)&ss, &len);
			slw_format_addr((struct sockaddr *)&ss, len, addr, sizeof(addr));
		}
		say(&s, "welcome, %s   (accept() = %d)", addr, fd);
		for (;;) {
			r = slw_recv(log, fd, buf, sizeof(buf), 0);
			if (r > 0) {
				say(&s, "recv() = %zd %s", r, quoted(q, sizeof(q), buf, (size_t)r));
				continue;
			}
			if (r < 0 && errno == EINTR && stop_signal)
				break;
			if (r == 0)
				say(&s, "recv() = 0   (the client has closed its side)");
			else
				say(&s, "recv() = -1 %s", slw_errno_name(errno));
			slw_close(log, fd);
			fd = -1;
			say(&s, "waiting for the next client");
			break;
		}
	}
	say(&s,
	    "stopped by %s: it closes the connection and its process ends   (the kernel sends "
	    "FIN; the client is not told that nobody reads any more)",
	    slw_signal_name(stop_signal));
	if (fd >= 0)
		slw_close(log, fd);
	close(s.listen_fd);
	return DEMO_OK;
}

int interactive_client(const struct demo_opts *opt, struct slw *log, char *err, size_t errlen)
{
	struct side s = { .opt = opt,
			  .log = log,
			  .who = "client",
			  .instrumented = 1,
			  .listen_fd = -1,
			  .sync_fd = -1 };
	char line[4096], q[300], local[SLW_ADDR_MAX], peer[SLW_ADDR_MAX];
	int fd;

	net_loopback(opt->family, opt->port, &s.srv, &s.srvlen);
	slw_format_addr((struct sockaddr *)&s.srv, s.srvlen, peer, sizeof(peer));
	fd = socket(opt->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "cannot make a TCP socket: %s", strerror(errno));
		return DEMO_USAGE;
	}
	if (slw_connect(log, fd, (struct sockaddr *)&s.srv, s.srvlen) < 0) {
		snprintf(err, errlen,
			 "cannot connect to %s: %s (start `rstscope-demo server%s%s` first)", peer,
			 strerror(errno), opt->family == AF_INET6 ? " -6" : "",
			 opt->port != DEMO_INTERACTIVE_PORT ? " --port N" : "");
		close(fd);
		return DEMO_USAGE;
	}
	side_setup_sigpipe(&s);
	{
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		getsockname(fd, (struct sockaddr *)&ss, &len);
		slw_format_addr((struct sockaddr *)&ss, len, local, sizeof(local));
	}
	say(&s, "connected from %s to %s; SIGPIPE treatment: %s", local, peer,
	    sigpipe_mode_name(opt->sigpipe));
	if (!log)
		say(&s, "no log is written: give --log FILE (or set RSTSCOPE_LOG) to record every "
			"call");
	say(&s, "type lines: each is sent with send() when you press Enter. Stop the server "
		"(Ctrl-C) and keep typing; Ctrl-D ends");

	while (fgets(line, sizeof(line), stdin)) {
		size_t len = strlen(line);
		/* Has the server's FIN arrived? Asking poll() changes nothing. */
		int fin = (net_wait(fd, POLLRDHUP, 0) & POLLRDHUP) != 0;
		ssize_t r = slw_send(log, fd, line, len, s.sent_flags);
		int e = errno;
		const char *fl = s.sent_flags ? ", MSG_NOSIGNAL" : "";

		quoted(q, sizeof(q), line, len);
		if (r >= 0) {
			say(&s, "send(%s%s) = %zd%s", q, fl, r,
			    fin ? "   (only queued: the server has closed, but send() just copies "
				  "into the socket buffer)"
				: "");
			if (fin && (net_wait(fd, 0, 200) & (POLLHUP | POLLERR)))
				say(&s, "the server's host answered with RST: those bytes are "
					"lost, and "
					"the next send() fails");
			continue;
		}
		say(&s, "send(%s%s) = -1 %s", q, fl, slw_errno_name(e));
		if (e == ECONNRESET) {
			say(&s,
			    "the connection was reset (RST) while open both ways; no SIGPIPE; the "
			    "next send() fails with EPIPE");
			continue;
		}
		if (e == EPIPE) {
			if (side_took_sigpipe())
				say(&s,
				    "the handler caught SIGPIPE   (without one, the process would "
				    "have ended here)");
			else if (s.sent_flags)
				say(&s, "no SIGPIPE: MSG_NOSIGNAL");
			else
				say(&s, "SIGPIPE was raised and ignored (SIG_IGN)");
		}
		say(&s, "the connection is over; the client exits");
		slw_close(log, fd);
		return DEMO_OK;
	}
	slw_close(log, fd);
	say(&s, "end of input: close()");
	return DEMO_OK;
}
