/* net.c: loopback sockets for the demo and the notes its processes pass. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "demo.h"

void net_loopback(int family, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
		in6->sin6_family = AF_INET6;
		in6->sin6_addr = in6addr_loopback;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*in6);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;
		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		in->sin_port = htons((uint16_t)port);
		*len = sizeof(*in);
	}
}

int net_listen(int family, int port, struct sockaddr_storage *ss, socklen_t *len, char *err,
	       size_t errlen)
{
	const char *host = family == AF_INET6 ? "::1" : "127.0.0.1";
	int one = 1;
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		snprintf(err, errlen, "cannot make a TCP socket for %s: %s", host, strerror(errno));
		return -1;
	}
	/* Lets a fixed --port be used again at once, while connections of the
	 * last run wait in TIME_WAIT; a port that a program listens on still
	 * fails with EADDRINUSE. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	net_loopback(family, port, ss, len);
	if (bind(fd, (struct sockaddr *)ss, *len) < 0) {
		int e = errno;
		if (e == EADDRINUSE)
			snprintf(err, errlen,
				 "port %d on %s is in use: choose another with --port, or leave "
				 "--port out to use a free one",
				 port, host);
		else if (e == EADDRNOTAVAIL)
			snprintf(err, errlen, "cannot use %s: %s (is the loopback interface up%s?)",
				 host, strerror(e), family == AF_INET6 ? ", with IPv6" : "");
		else if (e == EACCES)
			snprintf(err, errlen, "port %d on %s: %s (ports below 1024 need root)",
				 port, host, strerror(e));
		else
			snprintf(err, errlen, "cannot bind %s port %d: %s", host, port,
				 strerror(e));
		close(fd);
		return -1;
	}
	if (listen(fd, 8) < 0) {
		snprintf(err, errlen, "cannot listen on %s port %d: %s", host, port,
			 strerror(errno));
		close(fd);
		return -1;
	}
	*len = sizeof(*ss);
	getsockname(fd, (struct sockaddr *)ss, len);
	return fd;
}

int net_wait(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;
	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	return r == 0 ? 0 : p.revents;
}

int net_unread(int fd)
{
	int n = 0;
	if (ioctl(fd, FIONREAD, &n) < 0)
		return -1;
	return n;
}

int sync_put(int fd, char c)
{
	ssize_t r;
	do
		r = send(fd, &c, 1, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r == 1 ? 0 : -1;
}

int sync_get(int fd, int timeout_ms)
{
	char c;
	ssize_t r;
	int ev = net_wait(fd, POLLIN, timeout_ms);
	if (ev == 0)
		return -2;
	do
		r = recv(fd, &c, 1, 0);
	while (r < 0 && errno == EINTR);
	return r == 1 ? (unsigned char)c : -1;
}

/* Run iptables (ip6tables for AF_INET6) -w, -I (add) or -D, then rule: one
 * exec with an argv, no shell. Returns 0, or -1 with what iptables said (its
 * first line), or why it could not run, in err. */
static int iptables(int family, int add, const char *const *rule, char *err, size_t errlen)
{
	const char *argv[24];
	char out[512];
	size_t got = 0;
	int n = 0, p[2], status;
	ssize_t r;
	pid_t pid;

	argv[n++] = family == AF_INET6 ? "ip6tables" : "iptables";
	argv[n++] = "-w";
	argv[n++] = add ? "-I" : "-D";
	while (*rule && n < (int)(sizeof(argv) / sizeof(argv[0])) - 1)
		argv[n++] = *rule++;
	argv[n] = NULL;
	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		/* Its words, if any, are for err, not for the story. */
		dup2(p[1], 1);
		dup2(p[1], 2);
		execvp(argv[0], (char *const *)argv);
		dprintf(2, "cannot run %s: %s", argv[0], strerror(errno));
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		char skip[256];
		r = got < sizeof(out) - 1 ? read(p[0], out + got, sizeof(out) - 1 - got)
					  : read(p[0], skip, sizeof(skip));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (got < sizeof(out) - 1)
			got += (size_t)r;
	}
	close(p[0]);
	out[got] = '\0';
	out[strcspn(out, "\n")] = '\0';
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, errlen, "waitpid: %s", strerror(errno));
			return -1;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (out[0])
		snprintf(err, errlen, "%s", out);
	else if (WIFEXITED(status))
		snprintf(err, errlen, "%s exited with status %d", argv[0], WEXITSTATUS(status));
	else
		snprintf(err, errlen, "%s was killed by signal %d", argv[0],
			 WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return -1;
}

int net_drop_rule(int family, int add, const char *dir, int port, int rst_only, char *err,
		  size_t errlen)
{
	char portstr[16];
	const char *rule[16];
	int n = 0;

	snprintf(portstr, sizeof(portstr), "%d", port);
	rule[n++] = "INPUT";
	rule[n++] = "-i";
	rule[n++] = "lo";
	rule[n++] = "-p";
	rule[n++] = "tcp";
	rule[n++] = dir;
	rule[n++] = portstr;
	if (rst_only) {
		rule[n++] = "--tcp-flags";
		rule[n++] = "RST";
		rule[n++] = "RST";
	}
	rule[n++] = "-j";
	rule[n++] = "DROP";
	rule[n] = NULL;
	return iptables(family, add, rule, err, errlen);
}

int net_queue_rule(int family, int add, int port, int queue, char *err, size_t errlen)
{
	char portstr[16], queuestr[16];
	const char *rule[16];
	int n = 0;

	snprintf(portstr, sizeof(portstr), "%d", port);
	snprintf(queuestr, sizeof(queuestr), "%d", queue);
	rule[n++] = "OUTPUT";
	rule[n++] = "-o";
	rule[n++] = "lo";
	rule[n++] = "-p";
	rule[n++] = "tcp";
	rule[n++] = "--sport";
	rule[n++] = portstr;
	rule[n++] = "-j";
	rule[n++] = "NFQUEUE";
	rule[n++] = "--queue-num";
	rule[n++] = queuestr;
	rule[n++] = "--queue-bypass";
	rule[n] = NULL;
	return iptables(family, add, rule, err, errlen);
}
