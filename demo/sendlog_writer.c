/* sendlog_writer.c: the send-log writer (see include/sendlog_writer.h).
 *
 * Everything that builds a line is written by hand into a caller's buffer so
 * that the same code serves a signal handler: no stdio, no malloc, no locale.
 */
#include "sendlog_writer.h"
#include "rstscope_utf8.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* What the writer remembers about one descriptor. */
struct slw_sock {
	int known;
	long long sent;	 /* bytes send() reported since connect/accept */
	long long recvd; /* bytes recv() returned since connect/accept */
	char local[SLW_ADDR_MAX];
	char peer[SLW_ADDR_MAX];
};

struct slw {
	int fd;
	int is_pipe; /* pipe, FIFO or socket: a write could raise SIGPIPE */
	unsigned long write_errors;
	struct slw_sock *socks; /* indexed by descriptor */
	size_t nsocks;
};

/* ---- names ------------------------------------------------------------- */

struct name {
	int value;
	const char *name;
};

#define N(x)                                                                                       \
	{                                                                                          \
		x, #x                                                                              \
	}
static const struct name errno_names[] = {
	N(EPIPE),	    N(ECONNRESET),   N(ECONNREFUSED),	 N(ECONNABORTED), N(ENOTCONN),
	N(ETIMEDOUT),	    N(EAGAIN),	     N(EINTR),		 N(EINPROGRESS),  N(EALREADY),
	N(EISCONN),	    N(EADDRINUSE),   N(EADDRNOTAVAIL),	 N(ENETUNREACH),  N(EHOSTUNREACH),
	N(ENETDOWN),	    N(ENETRESET),    N(EHOSTDOWN),	 N(ESHUTDOWN),	  N(EBADF),
	N(ENOTSOCK),	    N(EINVAL),	     N(EFAULT),		 N(EMSGSIZE),	  N(ENOBUFS),
	N(ENOMEM),	    N(EMFILE),	     N(ENFILE),		 N(EACCES),	  N(EPERM),
	N(EOPNOTSUPP),	    N(EAFNOSUPPORT), N(EPROTONOSUPPORT), N(EPROTOTYPE),	  N(ENOPROTOOPT),
	N(ESOCKTNOSUPPORT), N(EDESTADDRREQ), N(EPROTO),		 N(EIO),	  N(ENOSPC),
	N(EDQUOT),	    N(EFBIG),	     N(EROFS),		 N(ENOENT),	  N(EEXIST),
	N(EISDIR),	    N(ENOTDIR),	     N(ENXIO),		 N(ENODEV),	  N(ESPIPE),
	N(ERANGE),	    N(ENOSYS),	     N(ENOTSUP),	 N(EOVERFLOW),	  N(EBUSY),
	N(ECHILD),	    N(ESRCH),	     N(E2BIG),		 N(ENOEXEC),	  N(ETXTBSY),
	N(EDEADLK),	    N(ENAMETOOLONG), N(ENOLCK),		 N(ENOTEMPTY),	  N(ELOOP),
	N(ETIME),	    N(EREMOTEIO),    N(ECANCELED),
};
static const struct name signal_names[] = {
	N(SIGPIPE),   N(SIGHUP),  N(SIGINT),   N(SIGQUIT), N(SIGILL),  N(SIGTRAP),
	N(SIGABRT),   N(SIGBUS),  N(SIGFPE),   N(SIGKILL), N(SIGUSR1), N(SIGSEGV),
	N(SIGUSR2),   N(SIGALRM), N(SIGTERM),  N(SIGCHLD), N(SIGCONT), N(SIGSTOP),
	N(SIGTSTP),   N(SIGTTIN), N(SIGTTOU),  N(SIGURG),  N(SIGXCPU), N(SIGXFSZ),
	N(SIGVTALRM), N(SIGPROF), N(SIGWINCH), N(SIGIO),   N(SIGSYS),
};
static const struct name flag_names[] = {
	N(MSG_NOSIGNAL), N(MSG_DONTWAIT), N(MSG_MORE),	    N(MSG_OOB),	    N(MSG_PEEK),
	N(MSG_WAITALL),	 N(MSG_EOR),	  N(MSG_DONTROUTE), N(MSG_CONFIRM), N(MSG_TRUNC),
	N(MSG_ERRQUEUE), N(MSG_FASTOPEN), N(MSG_ZEROCOPY),
};
static const struct name how_names[] = {
	N(SHUT_RD),
	N(SHUT_WR),
	N(SHUT_RDWR),
};
#undef N

static const char *name_find(const struct name *t, size_t n, int value)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].value == value)
			return t[i].name;
	return NULL;
}
#define FIND(table, v) name_find(table, sizeof(table) / sizeof(table[0]), v)

static const char *const kind_names[] = {
	[SLW_CONNECT] = "connect", [SLW_ACCEPT] = "accept",	[SLW_SEND] = "send",
	[SLW_RECV] = "recv",	   [SLW_SHUTDOWN] = "shutdown", [SLW_CLOSE] = "close",
	[SLW_SIGNAL] = "signal",   [SLW_EXIT] = "exit",
};
static const char *const disposition_names[] = {
	[SLW_DISP_DEFAULT] = "default",
	[SLW_DISP_IGNORE] = "ignore",
	[SLW_DISP_HANDLER] = "handler",
	[SLW_DISP_BLOCKED] = "blocked",
};

const char *slw_kind_name(enum slw_kind kind)
{
	if ((unsigned)kind < sizeof(kind_names) / sizeof(kind_names[0]))
		return kind_names[kind];
	return "unknown";
}

/* ---- a bounded output buffer (async-signal-safe) ----------------------- */

struct out {
	char *p;
	size_t len, cap; /* cap excludes the NUL */
	int full;	 /* something did not fit */
};

static void put_mem(struct out *o, const char *s, size_t n)
{
	if (o->full || n > o->cap - o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void put_str(struct out *o, const char *s) { put_mem(o, s, strlen(s)); }

static void put_ull(struct out *o, unsigned long long v, int min_digits)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[sizeof(tmp) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n < (int)sizeof(tmp));
	while (n < min_digits && n < (int)sizeof(tmp))
		tmp[sizeof(tmp) - 1 - n++] = '0';
	put_mem(o, tmp + sizeof(tmp) - n, (size_t)n);
}

static void put_ll(struct out *o, long long v)
{
	if (v < 0) {
		put_mem(o, "-", 1);
		put_ull(o, 0ULL - (unsigned long long)v, 1);
	} else {
		put_ull(o, (unsigned long long)v, 1);
	}
}

static const char hexdigits[] = "0123456789abcdef";

static void put_escaped(struct out *o, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i = 0;
	while (i < len && !o->full) {
		unsigned char c = p[i];
		char esc[6];
		size_t n;
		if (c == '"' || c == '\\') {
			esc[0] = '\\', esc[1] = (char)c, n = 2;
		} else if (c == '\n') {
			esc[0] = '\\', esc[1] = 'n', n = 2;
		} else if (c == '\r') {
			esc[0] = '\\', esc[1] = 'r', n = 2;
		} else if (c == '\t') {
			esc[0] = '\\', esc[1] = 't', n = 2;
		} else if (c >= 0x20 && c < 0x7F) {
			esc[0] = (char)c, n = 1;
		} else if (c >= 0x80 && (n = utf8_seq_len(p + i, len - i)) > 0) {
			put_mem(o, (const char *)p + i, n); /* a whole character, or nothing */
			i += n;
			continue;
		} else { /* control byte, DEL, or a byte of no valid character */
			esc[0] = '\\', esc[1] = 'u', esc[2] = '0', esc[3] = '0';
			esc[4] = hexdigits[c >> 4], esc[5] = hexdigits[c & 15], n = 6;
		}
		put_mem(o, esc, n);
		i++;
	}
}

static void put_json_str(struct out *o, const char *s)
{
	if (!s) {
		put_str(o, "null");
		return;
	}
	put_mem(o, "\"", 1);
	put_escaped(o, s, strlen(s));
	put_mem(o, "\"", 1);
}

static void put_key(struct out *o, const char *key)
{
	put_mem(o, ",\"", 2);
	put_str(o, key);
	put_mem(o, "\":", 2);
}

/* A name from a table, or PREFIX<number> for values it does not know. */
static void put_name(struct out *o, const char *name, const char *prefix, long long v)
{
	put_mem(o, "\"", 1);
	if (name) {
		put_str(o, name);
	} else {
		put_str(o, prefix);
		put_ll(o, v);
	}
	put_mem(o, "\"", 1);
}

static void put_flags(struct out *o, int flags)
{
	unsigned rest = (unsigned)flags;
	int first = 1;
	for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
		unsigned bit = (unsigned)flag_names[i].value;
		if (bit && (rest & bit) == bit) {
			if (!first)
				put_mem(o, "|", 1);
			put_str(o, flag_names[i].name);
			rest &= ~bit;
			first = 0;
		}
	}
	if (rest) {
		char hex[2 + 8];
		int n = 0;
		if (!first)
			put_mem(o, "|", 1);
		for (int shift = 28; shift >= 0; shift -= 4)
			if ((rest >> shift) || n)
				hex[n++] = hexdigits[(rest >> shift) & 15];
		put_str(o, "0x");
		put_mem(o, hex, (size_t)n);
	}
}

/* ---- formatting -------------------------------------------------------- */

int slw_format(char *buf, size_t size, const struct slw_event *ev)
{
	struct out o = { buf, 0, size ? size - 1 : 0, size == 0 };

	put_str(&o, "{\"ts\":\"");
	put_ll(&o, (long long)ev->ts.tv_sec);
	put_mem(&o, ".", 1);
	put_ull(&o, (unsigned long long)ev->ts.tv_nsec, 9);
	put_str(&o, "\",\"pid\":");
	put_ll(&o, ev->pid);
	put_key(&o, "event");
	put_json_str(&o, slw_kind_name(ev->kind));

	switch (ev->kind) {
	case SLW_SIGNAL:
		put_key(&o, "sig");
		put_name(&o, FIND(signal_names, ev->sig), "SIG", ev->sig);
		put_key(&o, "disposition");
		put_json_str(&o, (unsigned)ev->disposition < sizeof disposition_names /
								     sizeof disposition_names[0]
					 ? disposition_names[ev->disposition]
					 : "unknown");
		break;
	case SLW_EXIT:
		put_key(&o, "status");
		if (ev->status >= 0)
			put_ll(&o, ev->status);
		else
			put_str(&o, "null");
		put_key(&o, "signal");
		if (ev->sig)
			put_name(&o, FIND(signal_names, ev->sig), "SIG", ev->sig);
		else
			put_str(&o, "null");
		break;
	default:
		put_key(&o, "fd");
		put_ll(&o, ev->fd);
		put_key(&o, "local");
		put_json_str(&o, ev->local);
		put_key(&o, "peer");
		put_json_str(&o, ev->peer);
		if (ev->kind == SLW_SEND || ev->kind == SLW_RECV) {
			put_key(&o, "len");
			put_ull(&o, ev->len, 1);
		}
		if (ev->kind == SLW_SHUTDOWN) {
			put_key(&o, "how");
			put_name(&o, FIND(how_names, ev->how), "", ev->how);
		}
		put_key(&o, "ret");
		put_ll(&o, ev->ret);
		put_key(&o, "errno");
		if (ev->err)
			put_name(&o, FIND(errno_names, ev->err), "E", ev->err);
		else
			put_str(&o, "null");
		if (ev->kind == SLW_SEND || ev->kind == SLW_RECV) {
			put_key(&o, "off");
			if (ev->off >= 0)
				put_ll(&o, ev->off);
			else
				put_str(&o, "null");
			put_key(&o, "flags");
			put_mem(&o, "\"", 1);
			put_flags(&o, ev->flags);
			put_mem(&o, "\"", 1);
			if (ev->data) {
				put_key(&o, "data");
				put_mem(&o, "\"", 1);
				put_escaped(&o, ev->data,
					    ev->data_len < SLW_DATA_MAX ? ev->data_len
									: SLW_DATA_MAX);
				put_mem(&o, "\"", 1);
			}
		}
		break;
	}
	put_str(&o, "}\n");
	if (o.full) {
		if (size)
			buf[0] = '\0';
		return -1;
	}
	buf[o.len] = '\0';
	return (int)o.len;
}

size_t slw_escape(char *out, size_t size, const void *data, size_t len)
{
	struct out o = { out, 0, size ? size - 1 : 0, size == 0 };
	if (size == 0)
		return 0;
	/* Escape as much as fits: put_escaped stops before the first piece
	 * that does not, so nothing is ever cut in half. */
	put_escaped(&o, data, len);
	out[o.len] = '\0';
	return o.len;
}

int slw_format_addr(const struct sockaddr *sa, socklen_t salen, char *out, size_t size)
{
	char host[INET6_ADDRSTRLEN];
	unsigned port;
	int n;

	if (size)
		out[0] = '\0';
	if (!sa)
		return -1;
	if (sa->sa_family == AF_INET && salen >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		if (!inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host)))
			return -1;
		port = ntohs(in->sin_port);
		n = snprintf(out, size, "%s:%u", host, port);
	} else if (sa->sa_family == AF_INET6 && salen >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		if (!inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host)))
			return -1;
		port = ntohs(in6->sin6_port);
		if (in6->sin6_scope_id)
			n = snprintf(out, size, "[%s%%%u]:%u", host, (unsigned)in6->sin6_scope_id,
				     port);
		else
			n = snprintf(out, size, "[%s]:%u", host, port);
	} else {
		return -1;
	}
	if (n < 0 || (size_t)n >= size) {
		if (size)
			out[0] = '\0';
		return -1;
	}
	return 0;
}

static const char *name_or_number(const char *name, const char *prefix, int v, char *buf,
				  size_t size)
{
	if (name)
		return name;
	snprintf(buf, size, "%s%d", prefix, v);
	return buf;
}

const char *slw_errno_name(int err)
{
	static char unknown[24];
	if (err == 0)
		return NULL;
	return name_or_number(FIND(errno_names, err), "E", err, unknown, sizeof(unknown));
}

const char *slw_signal_name(int sig)
{
	static char unknown[24];
	return name_or_number(FIND(signal_names, sig), "SIG", sig, unknown, sizeof(unknown));
}

void slw_flags_name(int flags, char *out, size_t size)
{
	struct out o = { out, 0, size ? size - 1 : 0, size == 0 };
	if (size == 0)
		return;
	put_flags(&o, flags);
	out[o.full ? 0 : o.len] = '\0';
}

/* ---- writing ----------------------------------------------------------- */

static ssize_t write_all(int fd, const char *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, buf + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return done ? (ssize_t)done : -1;
		}
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* Write with SIGPIPE blocked; if the write raised one that was not already
 * pending, take it off the queue so that nobody ever sees it. */
static ssize_t write_nosigpipe(int fd, const char *buf, size_t len)
{
	sigset_t pipe_set, old, pending;
	int was_pending, saved;
	ssize_t n;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	if (sigprocmask(SIG_BLOCK, &pipe_set, &old) < 0)
		return write_all(fd, buf, len);
	sigemptyset(&pending);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	n = write_all(fd, buf, len);
	saved = errno;
	if (n < 0 && saved == EPIPE && !was_pending) {
		struct timespec zero = { 0, 0 };
		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = saved;
	return n;
}

static int fd_is_pipe(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return 0;
	return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
}

ssize_t slw_write_line(int fd, const void *buf, size_t len)
{
	if (fd_is_pipe(fd))
		return write_nosigpipe(fd, buf, len);
	return write_all(fd, buf, len);
}

static int write_event(const struct slw *w, const struct slw_event *ev, unsigned long *errors)
{
	char line[SLW_LINE_MAX];
	int saved = errno;
	int n = slw_format(line, sizeof(line), ev);
	ssize_t r = -1;
	if (n > 0)
		r = w->is_pipe ? write_nosigpipe(w->fd, line, (size_t)n)
			       : write_all(w->fd, line, (size_t)n);
	if (r != n && errors)
		++*errors;
	errno = saved;
	return r == n ? 0 : -1;
}

int slw_log(struct slw *w, const struct slw_event *ev)
{
	if (!w || !ev)
		return -1;
	return write_event(w, ev, &w->write_errors);
}

/* ---- lifecycle --------------------------------------------------------- */

struct slw *slw_new_fd(int fd)
{
	struct slw *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->fd = fd;
	w->is_pipe = fd_is_pipe(fd);
	return w;
}

struct slw *slw_new(const char *path, int flags, char *err, size_t errlen)
{
	int oflags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC;
	struct slw *w;
	int fd;

	if (!path || !*path) {
		snprintf(err, errlen, "no log file name given");
		return NULL;
	}
	fd = open(path, oflags, 0644);
	if (fd < 0) {
		snprintf(err, errlen,
			 "cannot open log '%s': %s (check that its directory exists and is "
			 "writable)",
			 path, strerror(errno));
		return NULL;
	}
	/* Truncate after opening, not with O_TRUNC: a FIFO or /dev/stdout
	 * cannot be truncated, and that is fine. */
	if ((flags & SLW_TRUNCATE) && !fd_is_pipe(fd)) {
		struct stat st;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ftruncate(fd, 0) < 0) {
			snprintf(err, errlen, "cannot empty log '%s': %s", path, strerror(errno));
			close(fd);
			return NULL;
		}
	}
	w = slw_new_fd(fd);
	if (!w) {
		snprintf(err, errlen, "out of memory");
		close(fd);
	}
	return w;
}

void slw_free(struct slw *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	free(w->socks);
	free(w);
}

int slw_fd(const struct slw *w) { return w ? w->fd : -1; }

unsigned long slw_write_errors(const struct slw *w) { return w ? w->write_errors : 0; }

/* ---- per-descriptor memory --------------------------------------------- */

static void addr_of(int fd, int peer, char *out, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int r = peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
		     : getsockname(fd, (struct sockaddr *)&ss, &len);
	out[0] = '\0';
	if (r == 0)
		slw_format_addr((struct sockaddr *)&ss, len, out, size);
}

/* The slot for fd, growing the table if needed; NULL if fd is negative or
 * memory is short (the line is then written without offsets). */
static struct slw_sock *sock_slot(struct slw *w, int fd)
{
	if (fd < 0)
		return NULL;
	if ((size_t)fd >= w->nsocks) {
		size_t n = w->nsocks ? w->nsocks : 16;
		while (n <= (size_t)fd)
			n *= 2;
		struct slw_sock *s = realloc(w->socks, n * sizeof(*s));
		if (!s)
			return NULL;
		memset(s + w->nsocks, 0, (n - w->nsocks) * sizeof(*s));
		w->socks = s;
		w->nsocks = n;
	}
	return &w->socks[fd];
}

/* Start remembering fd from now on: addresses as the kernel has them. */
static struct slw_sock *sock_learn(struct slw *w, int fd, const char *peer_fallback)
{
	struct slw_sock *s = sock_slot(w, fd);
	if (!s)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->known = 1;
	addr_of(fd, 0, s->local, sizeof(s->local));
	addr_of(fd, 1, s->peer, sizeof(s->peer));
	if (!s->peer[0] && peer_fallback)
		snprintf(s->peer, sizeof(s->peer), "%s", peer_fallback);
	return s;
}

static struct slw_sock *sock_get(struct slw *w, int fd)
{
	struct slw_sock *s = sock_slot(w, fd);
	if (s && !s->known)
		s = sock_learn(w, fd, NULL);
	else if (s && (!s->local[0] || !s->peer[0])) {
		/* learnt before the socket was bound or connected: try again */
		if (!s->local[0])
			addr_of(fd, 0, s->local, sizeof(s->local));
		if (!s->peer[0])
			addr_of(fd, 1, s->peer, sizeof(s->peer));
	}
	return s;
}

static void event_init(struct slw_event *ev, enum slw_kind kind, int fd, long long ret, int err)
{
	memset(ev, 0, sizeof(*ev));
	clock_gettime(CLOCK_REALTIME, &ev->ts);
	ev->kind = kind;
	ev->pid = (long)getpid();
	ev->fd = fd;
	ev->ret = ret;
	ev->err = ret < 0 ? err : 0;
	ev->off = -1;
	ev->status = -1;
}

static void event_addrs(struct slw_event *ev, const struct slw_sock *s)
{
	ev->local = s && s->local[0] ? s->local : NULL;
	ev->peer = s && s->peer[0] ? s->peer : NULL;
}

/* ---- wrappers ---------------------------------------------------------- */

int slw_connect(struct slw *w, int fd, const struct sockaddr *addr, socklen_t addrlen)
{
	int r = connect(fd, addr, addrlen);
	int err = errno;
	struct slw_event ev;
	char target[SLW_ADDR_MAX];

	if (!w)
		return r;
	event_init(&ev, SLW_CONNECT, fd, r, err);
	slw_format_addr(addr, addrlen, target, sizeof(target));
	event_addrs(&ev, sock_learn(w, fd, target[0] ? target : NULL));
	write_event(w, &ev, &w->write_errors);
	errno = err;
	return r;
}

int slw_accept(struct slw *w, int fd, struct sockaddr *addr, socklen_t *addrlen)
{
	int r = accept(fd, addr, addrlen);
	int err = errno;
	struct slw_event ev;
	char local[SLW_ADDR_MAX];

	if (!w)
		return r;
	event_init(&ev, SLW_ACCEPT, fd, r, err);
	if (r >= 0) {
		event_addrs(&ev, sock_learn(w, r, NULL));
	} else { /* no connection: say which listening socket failed */
		addr_of(fd, 0, local, sizeof(local));
		ev.local = local[0] ? local : NULL;
	}
	write_event(w, &ev, &w->write_errors);
	errno = err;
	return r;
}

/* Is SIGPIPE ignored right now? */
static int sigpipe_ignored(void)
{
	struct sigaction sa;
	if (sigaction(SIGPIPE, NULL, &sa) < 0)
		return 0;
	return !(sa.sa_flags & SA_SIGINFO) && sa.sa_handler == SIG_IGN;
}

ssize_t slw_send(struct slw *w, int fd, const void *buf, size_t len, int flags)
{
	ssize_t r = send(fd, buf, len, flags);
	int err = errno;
	struct slw_event ev;
	struct slw_sock *s;

	if (!w)
		return r;
	event_init(&ev, SLW_SEND, fd, r, err);
	s = sock_get(w, fd);
	event_addrs(&ev, s);
	ev.len = len;
	ev.flags = flags;
	ev.data = buf ? buf : "";
	ev.data_len = buf ? len : 0;
	if (s) {
		ev.off = s->sent;
		if (r > 0)
			s->sent += r;
	}
	if (r < 0 && err == EPIPE && !(flags & MSG_NOSIGNAL) && sigpipe_ignored()) {
		struct slw_event sig;
		memset(&sig, 0, sizeof(sig));
		sig.kind = SLW_SIGNAL;
		sig.ts = ev.ts;
		sig.pid = ev.pid;
		sig.sig = SIGPIPE;
		sig.disposition = SLW_DISP_IGNORE;
		sig.status = -1;
		write_event(w, &sig, &w->write_errors);
	}
	write_event(w, &ev, &w->write_errors);
	errno = err;
	return r;
}

ssize_t slw_recv(struct slw *w, int fd, void *buf, size_t len, int flags)
{
	ssize_t r = recv(fd, buf, len, flags);
	int err = errno;
	struct slw_event ev;
	struct slw_sock *s;

	if (!w)
		return r;
	event_init(&ev, SLW_RECV, fd, r, err);
	s = sock_get(w, fd);
	event_addrs(&ev, s);
	ev.len = len;
	ev.flags = flags;
	if (r > 0 && buf) {
		ev.data = buf;
		ev.data_len = (size_t)r;
	}
	if (s) {
		ev.off = s->recvd;
		if (r > 0 && !(flags & MSG_PEEK))
			s->recvd += r;
	}
	write_event(w, &ev, &w->write_errors);
	errno = err;
	return r;
}

int slw_shutdown(struct slw *w, int fd, int how)
{
	int r = shutdown(fd, how);
	int err = errno;
	struct slw_event ev;

	if (!w)
		return r;
	event_init(&ev, SLW_SHUTDOWN, fd, r, err);
	event_addrs(&ev, sock_get(w, fd));
	ev.how = how;
	write_event(w, &ev, &w->write_errors);
	errno = err;
	return r;
}

int slw_close(struct slw *w, int fd)
{
	struct slw_sock *s = w ? sock_get(w, fd) : NULL; /* addresses go with the socket */
	int r = close(fd);
	int err = errno;
	struct slw_event ev;

	if (!w)
		return r;
	event_init(&ev, SLW_CLOSE, fd, r, err);
	event_addrs(&ev, s);
	write_event(w, &ev, &w->write_errors);
	if (s)
		memset(s, 0, sizeof(*s));
	errno = err;
	return r;
}

int slw_signal(const struct slw *w, int sig, enum slw_disposition disposition)
{
	struct slw_event ev;
	int saved = errno;

	if (!w)
		return 0;
	/* memset, like every function used here, is async-signal-safe
	 * (POSIX.1-2016 lists the mem and str functions). */
	memset(&ev, 0, sizeof(ev));
	ev.kind = SLW_SIGNAL;
	clock_gettime(CLOCK_REALTIME, &ev.ts);
	ev.pid = (long)getpid();
	ev.sig = sig;
	ev.disposition = disposition;
	ev.fd = -1;
	ev.off = -1;
	ev.status = -1;
	int r = write_event(w, &ev, NULL);
	errno = saved;
	return r;
}

int slw_exit(struct slw *w, pid_t pid, int wstatus)
{
	struct slw_event ev;
	if (!w)
		return 0;
	event_init(&ev, SLW_EXIT, -1, 0, 0);
	ev.pid = (long)pid;
	if (WIFEXITED(wstatus))
		ev.status = WEXITSTATUS(wstatus);
	else if (WIFSIGNALED(wstatus))
		ev.sig = WTERMSIG(wstatus);
	return write_event(w, &ev, &w->write_errors);
}
