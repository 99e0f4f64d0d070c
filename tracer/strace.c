/* strace.c: strace's text output (-f -yy -ttt -T and the usual variants) read
 * as the send log's calls. strace shows every system call; the socket calls
 * on TCP connections become calls, with what the send log would have said:
 * the connection (from -yy's <TCP:[a:p->b:q]>), the stream offset (the sum of
 * the socket's earlier successful returns), errno, signals with the
 * disposition traced rt_sigaction calls set, and exits.
 *
 * A call is stamped at its entry; with -T its duration gives the return,
 * which is when the send log would have written it and what the correlator
 * orders by. Lines come out of strace roughly in order of return; each file's
 * calls pass through a short reorder buffer (sorted by return time) before
 * they are handed on, and several files (-ff) are merged by time. */
#include "strace.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "flow.h"

#define REORDER_NS ((ts_ns)1000000000)	/* a call is handed on once the file is this much past it  \
					 */
#define LIVE_HOLD_NS ((ts_ns)100000000) /* live: how long a call waits for its socket's addresses  \
					 */
#define BAD_LIMIT   20			/* unreadable lines named one by one; the rest counted */
#define SNIFF_BYTES 65536

/* ---- small parsing helpers ---------------------------------------------- */

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* a + b for counts that are not negative, saturating. */
static int64_t sat_add(int64_t a, int64_t b)
{
	return b > 0 && a > INT64_MAX - b ? INT64_MAX : a + b;
}

/* v * 10 + the digit c, saturating: input may hold any number of digits. */
static int64_t acc(int64_t v, char c)
{
	return v > (INT64_MAX - 9) / 10 ? INT64_MAX : v * 10 + (c - '0');
}

static void copy_n(char *dst, size_t size, const char *src, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* A quoted C string at s (s[0] == '"'): returns the index just past its
 * closing quote, or n when it does not close. */
static size_t skip_quoted(const char *s, size_t i, size_t n)
{
	for (i++; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return n;
}

/* Splits the arguments "a, {b, c}, "d, e"" at the top-level commas. */
#define MAX_ARGS 8
struct args {
	int n;
	const char *a[MAX_ARGS];
	size_t len[MAX_ARGS];
};

static void split_args(const char *s, size_t n, struct args *out)
{
	int depth = 0;
	size_t start = 0;
	out->n = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] == '"') {
			i = skip_quoted(s, i, n) - 1;
			continue;
		}
		if (i < n && (s[i] == '(' || s[i] == '{' || s[i] == '['))
			depth++;
		else if (i < n && (s[i] == ')' || s[i] == '}' || s[i] == ']'))
			depth--;
		else if (i == n || (s[i] == ',' && depth <= 0)) {
			size_t a = start, b = i;
			while (a < b && s[a] == ' ')
				a++;
			while (b > a && s[b - 1] == ' ')
				b--;
			if (out->n < MAX_ARGS && (b > a || i < n)) {
				out->a[out->n] = s + a;
				out->len[out->n] = b - a;
				out->n++;
			}
			start = i + 1;
		}
	}
}

static int64_t num_at(const char *s, size_t n)
{
	int64_t v = 0;
	int neg = 0;
	size_t i = 0;
	if (i < n && s[i] == '-')
		neg = 1, i++;
	if (i + 1 < n && s[i] == '0' && s[i + 1] == 'x') {
		uint64_t u = 0;
		for (i += 2; i < n; i++) {
			char h = s[i];
			int d = is_digit(h) ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10 : -1;
			if (d < 0)
				break;
			u = u * 16 + (uint64_t)d;
		}
		return neg ? -(int64_t)u : (int64_t)u;
	}
	for (; i < n && is_digit(s[i]); i++)
		v = acc(v, s[i]);
	return neg ? -v : v;
}

/* Decodes strace's C-escaped string body (after the opening quote) into
 * out, at most cap bytes. */
static size_t unescape(const char *s, size_t n, uint8_t *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 1; i < n && s[i] != '"' && o < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c != '\\' || i + 1 >= n) {
			out[o++] = c;
			continue;
		}
		c = (unsigned char)s[++i];
		switch (c) {
		case 'n': out[o++] = '\n'; break;
		case 't': out[o++] = '\t'; break;
		case 'r': out[o++] = '\r'; break;
		case 'v': out[o++] = '\v'; break;
		case 'f': out[o++] = '\f'; break;
		case 'x': {
			unsigned v = 0;
			int k;
			for (k = 0; k < 2 && i + 1 < n; k++) {
				char h = s[i + 1];
				int d = is_digit(h)		 ? h - '0'
					: (h >= 'a' && h <= 'f') ? h - 'a' + 10
					: (h >= 'A' && h <= 'F') ? h - 'A' + 10
								 : -1;
				if (d < 0)
					break;
				v = v * 16 + (unsigned)d;
				i++;
			}
			out[o++] = (uint8_t)v;
			break;
		}
		default:
			if (c >= '0' && c <= '7') {
				unsigned v = (unsigned)(c - '0');
				for (int k = 0;
				     k < 2 && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7'; k++)
					v = v * 8 + (unsigned)(s[++i] - '0');
				out[o++] = (uint8_t)v;
			} else {
				out[o++] = c; /* \" \\ */
			}
		}
	}
	return o;
}

/* "127.0.0.1:40494" or "[::1]:8999" (len bytes) -> address and port. */
static int parse_hostport(const char *s, size_t n, uint8_t *family, uint8_t *addr, uint16_t *port)
{
	char buf[64];
	size_t alen;
	const char *colon;
	int v6 = 0;
	if (n && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (!close || (size_t)(close - s) + 1 >= n || close[1] != ':')
			return -1;
		alen = (size_t)(close - s - 1);
		if (alen >= sizeof buf)
			return -1;
		memcpy(buf, s + 1, alen);
		colon = close + 1;
		v6 = 1;
	} else {
		colon = NULL;
		for (size_t i = 0; i < n; i++)
			if (s[i] == ':')
				colon = s + i;
		if (!colon || (size_t)(colon - s) >= sizeof buf)
			return -1;
		alen = (size_t)(colon - s);
		memcpy(buf, s, alen);
	}
	buf[alen] = '\0';
	size_t plen = n - (size_t)(colon + 1 - s);
	if (plen == 0 || plen > 5)
		return -1;
	unsigned long p = 0;
	for (size_t i = 0; i < plen; i++) {
		if (!is_digit(colon[1 + i]))
			return -1;
		p = p * 10 + (unsigned long)(colon[1 + i] - '0');
	}
	if (p > 65535)
		return -1;
	memset(addr, 0, 16);
	char *pct = strchr(buf, '%');
	if (pct)
		*pct = '\0';
	if (v6) {
		if (inet_pton(AF_INET6, buf, addr) != 1)
			return -1;
		static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		if (!memcmp(addr, mapped, 12)) {
			/* A v4-mapped address: on the wire the packets are IPv4. */
			memmove(addr, addr + 12, 4);
			memset(addr + 4, 0, 12);
			*family = 4;
		} else {
			*family = 6;
		}
	} else {
		if (inet_pton(AF_INET, buf, addr) != 1)
			return -1;
		*family = 4;
	}
	*port = (uint16_t)p;
	return 0;
}

/* What -y / -yy wrote after a descriptor: 4<TCP:[a:p->b:q]>. */
enum ann_kind {
	ANN_NONE = 0,	/* no <...> at all (no -y) */
	ANN_TCP_EP,	/* a connected TCP socket, addresses known */
	ANN_TCP_LISTEN, /* TCP:[a:p], one address: listening (or bound) */
	ANN_TCP_INODE,	/* TCP:[INODE]: -yy could not resolve it */
	ANN_SOCKET,	/* socket:[INODE] (-y, or a protocol -yy does not know) */
	ANN_OTHER,	/* a file, a pipe, a UNIX socket... */
};
struct ann {
	enum ann_kind kind;
	int64_t fd;
	uint64_t inode;
	uint8_t family;
	uint8_t laddr[16], paddr[16];
	uint16_t lport, pport;
};

/* Reads "N" or "N<...>" at s (n bytes: one argument or a return value). */
static int parse_fd_ann(const char *s, size_t n, struct ann *a)
{
	size_t i = 0;
	memset(a, 0, sizeof *a);
	a->fd = -1;
	if (i < n && s[i] == '-')
		return -1;
	if (i >= n || !is_digit(s[i]))
		return -1;
	int64_t fd = 0;
	while (i < n && is_digit(s[i]))
		fd = acc(fd, s[i++]);
	a->fd = fd;
	if (i >= n || s[i] != '<')
		return 0; /* ANN_NONE */
	const char *b = s + i + 1;
	size_t bl = n - i - 1;
	if (bl && b[bl - 1] == '>')
		bl--;
	a->kind = ANN_OTHER;
	const char *body = NULL;
	size_t blen = 0;
	if (bl > 5 && !memcmp(b, "TCP:[", 5))
		body = b + 5, blen = bl - 5;
	else if (bl > 7 && !memcmp(b, "TCPv6:[", 7))
		body = b + 7, blen = bl - 7;
	else if (bl > 8 && !memcmp(b, "socket:[", 8)) {
		a->kind = ANN_SOCKET;
		a->inode = (uint64_t)num_at(b + 8, bl - 8);
		return 0;
	}
	if (!body)
		return 0;
	if (blen && body[blen - 1] == ']')
		blen--;
	size_t k = 0;
	while (k < blen && is_digit(body[k]))
		k++;
	if (k == blen && k > 0) {
		a->kind = ANN_TCP_INODE;
		a->inode = (uint64_t)num_at(body, blen);
		return 0;
	}
	const char *arrow = NULL;
	for (size_t j = 0; j + 1 < blen; j++)
		if (body[j] == '-' && body[j + 1] == '>')
			arrow = body + j;
	uint8_t f2;
	if (!arrow) {
		if (parse_hostport(body, blen, &a->family, a->laddr, &a->lport) == 0)
			a->kind = ANN_TCP_LISTEN;
		return 0;
	}
	size_t l1 = (size_t)(arrow - body);
	if (parse_hostport(body, l1, &a->family, a->laddr, &a->lport) != 0 ||
	    parse_hostport(arrow + 2, blen - l1 - 2, &f2, a->paddr, &a->pport) != 0 ||
	    f2 != a->family)
		return 0;
	a->kind = ANN_TCP_EP;
	return 0;
}

/* ---- per-run state: processes, sockets, descriptors --------------------- */

struct sock {
	uint64_t inode; /* 0 unknown */
	uint8_t has_ep, family, listening;
	uint8_t laddr[16], paddr[16];
	uint16_t lport, pport;
	int64_t sent, rcvd; /* stream offsets: successful returns so far */
};

struct fdent {
	int64_t pid, fd;
	int sock; /* index in socks */
};

struct proc {
	int64_t pid;
	char comm[20];
	char disp[12]; /* SIGPIPE: "default", "ignore", "handler"; "" not traced */
	int is_child;  /* seen being made by clone or fork */
	int64_t tgid;  /* a thread (clone with CLONE_THREAD): its process; 0 for a process */
	/* An <unfinished ...> call: its entry and the text so far. */
	int has_pending;
	ts_ns pend_ts;
	char pend_name[24];
	char *pend_text;
};

/* A call on its way out, with the socket it may still learn addresses for. */
struct held {
	struct call c;
	int sock;	  /* -1 none */
	uint64_t seq;	  /* stable tie-break: order of parse */
	int64_t wait_pid; /* connect, accept: placed at this pid's next stamp */
};

struct sfile {
	char *path;
	int fd;
	int follow, eof;
	int64_t pid; /* from a ".PID" suffix (-ff), else 0 */
	uint64_t lineno;
	char *buf;
	size_t start, end, cap;
	ts_ns newest; /* latest stamp read */
	char *join;   /* strace's own message cut this line: its first part */
	size_t join_len;
	/* The held calls, sorted: q[0..qn) inside the allocation qbase[0..qcap);
	 * taken from the front by moving q (compacted when the end is reached). */
	struct held *q, *qbase;
	size_t qn, qcap;
};

struct strace_log {
	struct sfile *files;
	size_t nfiles;
	int follow;
	char *name; /* the path given, for messages */
	struct sock *socks;
	size_t nsocks, socks_cap;
	struct fdent *fds;
	size_t nfds, fds_cap;
	struct proc *procs;
	size_t nprocs, procs_cap;
	uint64_t seq;
	size_t nwait; /* held calls with a wait_pid */
	/* What the recording had. */
	int saw_yy, saw_bare_fd, saw_T, saw_notT, warned_tt;
	/* -tt: local midnight of the day, from the hint; the last time put out. */
	ts_ns hint, day0, last_tod_ts;
	int need_date_msg;
	/* strace -f on its stderr marks the lines of every process but the
	 * first with [pid N] until there are several; the first one's lines
	 * are filed under pid 0, then under its pid once that shows. */
	int64_t leader;
	int leader_known;
	uint64_t bad, bad_reported;
	int bad_tail_done;
	char notice[256];
	char pending_err[512];
};

static struct proc *proc_get(struct strace_log *s, int64_t pid)
{
	for (size_t i = 0; i < s->nprocs; i++)
		if (s->procs[i].pid == pid)
			return &s->procs[i];
	if (s->nprocs == s->procs_cap) {
		size_t nc = s->procs_cap ? s->procs_cap * 2 : 16;
		struct proc *np = realloc(s->procs, nc * sizeof *np);
		if (!np)
			return NULL;
		s->procs = np;
		s->procs_cap = nc;
	}
	struct proc *p = &s->procs[s->nprocs++];
	memset(p, 0, sizeof *p);
	p->pid = pid;
	return p;
}

static int sock_new(struct strace_log *s)
{
	if (s->nsocks == s->socks_cap) {
		size_t nc = s->socks_cap ? s->socks_cap * 2 : 16;
		struct sock *ns = realloc(s->socks, nc * sizeof *ns);
		if (!ns)
			return -1;
		s->socks = ns;
		s->socks_cap = nc;
	}
	memset(&s->socks[s->nsocks], 0, sizeof s->socks[0]);
	return (int)s->nsocks++;
}

static struct fdent *fd_find(struct strace_log *s, int64_t pid, int64_t fd)
{
	for (size_t i = s->nfds; i-- > 0;)
		if (s->fds[i].pid == pid && s->fds[i].fd == fd)
			return &s->fds[i];
	return NULL;
}

static void fd_set_sock(struct strace_log *s, int64_t pid, int64_t fd, int sock)
{
	struct fdent *e = fd_find(s, pid, fd);
	if (e) {
		e->sock = sock;
		return;
	}
	if (s->nfds == s->fds_cap) {
		size_t nc = s->fds_cap ? s->fds_cap * 2 : 32;
		struct fdent *nf = realloc(s->fds, nc * sizeof *nf);
		if (!nf)
			return;
		s->fds = nf;
		s->fds_cap = nc;
	}
	s->fds[s->nfds++] = (struct fdent){ pid, fd, sock };
}

static void fd_drop(struct strace_log *s, int64_t pid, int64_t fd)
{
	struct fdent *e = fd_find(s, pid, fd);
	if (e)
		*e = s->fds[--s->nfds];
}

/* A child (fork, clone) starts with its parent's descriptors and signal
 * dispositions. */
static void proc_fork(struct strace_log *s, int64_t parent, int64_t child)
{
	struct proc *pp = proc_get(s, parent);
	if (!pp)
		return;
	char comm[20], disp[12];
	memcpy(comm, pp->comm, sizeof comm);
	memcpy(disp, pp->disp, sizeof disp);
	struct proc *cp = proc_get(s, child);
	if (!cp)
		return;
	cp->is_child = 1;
	memcpy(cp->comm, comm, sizeof comm);
	memcpy(cp->disp, disp, sizeof disp);
	size_t n = s->nfds;
	for (size_t i = 0; i < n; i++)
		if (s->fds[i].pid == parent && !fd_find(s, child, s->fds[i].fd))
			fd_set_sock(s, child, s->fds[i].fd, s->fds[i].sock);
}

static int ep_equal(const struct sock *k, const struct ann *a)
{
	return k->has_ep && k->family == a->family && k->lport == a->lport &&
	       k->pport == a->pport && !memcmp(k->laddr, a->laddr, 16) &&
	       !memcmp(k->paddr, a->paddr, 16);
}

static void sock_set_ep(struct sock *k, const struct ann *a)
{
	k->has_ep = 1;
	k->family = a->family;
	memcpy(k->laddr, a->laddr, 16);
	memcpy(k->paddr, a->paddr, 16);
	k->lport = a->lport;
	k->pport = a->pport;
}

static void fill_held(struct strace_log *s, int sock);

/* The socket a descriptor of pid names, from its annotation (or, without
 * one, what was learned of the descriptor before): -1 when it is not a TCP
 * socket. tcp_hint: the call itself says it is (socket(AF_INET, SOCK_STREAM)). */
static int sock_resolve(struct strace_log *s, int64_t pid, const struct ann *a, int tcp_hint)
{
	struct fdent *e = fd_find(s, pid, a->fd);
	int known = e ? e->sock : -1;
	int k = -1;
	switch (a->kind) {
	case ANN_TCP_EP:
		s->saw_yy = 1;
		for (size_t i = s->nsocks; i-- > 0;)
			if (ep_equal(&s->socks[i], a)) {
				k = (int)i;
				break;
			}
		if (k < 0 && known >= 0 && !s->socks[known].has_ep)
			k = known; /* the socket now connected: learn its addresses */
		if (k < 0 && (k = sock_new(s)) < 0)
			return -1;
		if (!s->socks[k].has_ep) {
			sock_set_ep(&s->socks[k], a);
			fill_held(s, k);
		}
		s->socks[k].listening = 0;
		break;
	case ANN_TCP_LISTEN:
		s->saw_yy = 1;
		if (known >= 0 && !s->socks[known].has_ep)
			k = known;
		else if ((k = sock_new(s)) < 0)
			return -1;
		s->socks[k].listening = 1;
		break;
	case ANN_TCP_INODE:
	case ANN_SOCKET:
		if (a->kind == ANN_TCP_INODE)
			s->saw_yy = 1;
		for (size_t i = s->nsocks; i-- > 0;)
			if (s->socks[i].inode == a->inode) {
				k = (int)i;
				break;
			}
		if (k < 0 && known >= 0 && !s->socks[known].inode)
			k = known;
		if (k < 0) {
			if (a->kind == ANN_SOCKET && !tcp_hint)
				return -1;
			if ((k = sock_new(s)) < 0)
				return -1;
		}
		s->socks[k].inode = a->inode;
		break;
	case ANN_NONE:
		s->saw_bare_fd = 1;
		if (known >= 0) {
			k = known;
		} else if (tcp_hint) {
			if ((k = sock_new(s)) < 0)
				return -1;
		} else {
			return -1;
		}
		break;
	case ANN_OTHER:
		if (e)
			fd_drop(s, pid, a->fd); /* the descriptor now names something else */
		return -1;
	}
	fd_set_sock(s, pid, a->fd, k);
	return k;
}

/* A pid shows on a line: if it is no child seen being made, it is the
 * first process, whose lines so far had no pid. */
static void leader_alias(struct strace_log *s, int64_t pid)
{
	for (size_t i = 0; i < s->nprocs; i++)
		if (s->procs[i].pid == pid && s->procs[i].is_child)
			return;
	s->leader_known = 1;
	s->leader = pid;
	for (size_t i = 0; i < s->nprocs; i++)
		if (s->procs[i].pid == 0)
			s->procs[i].pid = pid;
	for (size_t i = 0; i < s->nfds; i++)
		if (s->fds[i].pid == 0)
			s->fds[i].pid = pid;
	for (size_t j = 0; j < s->nfiles; j++)
		for (size_t i = 0; i < s->files[j].qn; i++)
			if (s->files[j].q[i].c.pid == 0)
				s->files[j].q[i].c.pid = pid;
}

/* ---- the reorder buffer ------------------------------------------------- */

static int held_push(struct strace_log *s, struct sfile *f, const struct call *c, int sock)
{
	if (f->q && f->q > f->qbase && (size_t)(f->q - f->qbase) + f->qn == f->qcap) {
		memmove(f->qbase, f->q, f->qn * sizeof *f->q);
		f->q = f->qbase;
	}
	if (f->qn == f->qcap) {
		size_t nc = f->qcap ? f->qcap * 2 : 64;
		struct held *nq = realloc(f->qbase, nc * sizeof *nq);
		if (!nq)
			return -1;
		f->q = f->qbase = nq;
		f->qcap = nc;
	}
	size_t i = f->qn++;
	/* Sorted by time, then by order of parse: almost always at the end. */
	while (i > 0 && f->q[i - 1].c.ts > c->ts) {
		f->q[i] = f->q[i - 1];
		i--;
	}
	f->q[i].c = *c;
	f->q[i].sock = sock;
	f->q[i].seq = s->seq++;
	f->q[i].wait_pid = 0;
	/* A connect() or accept() completes its handshake inside the call, yet
	 * entry + duration (-T) can come out before the handshake's packets
	 * (strace's stamps are its own, taken around its decoding): such a
	 * call is placed at the process's next stamp instead, when it had
	 * surely returned, so that its connection is known by then. */
	if (c->event == EV_CONNECT || c->event == EV_ACCEPT) {
		f->q[i].wait_pid = c->pid;
		s->nwait++;
	}
	return 0;
}

/* The process pid shows a new stamp: the calls waiting for it take it. */
static void settle_pid(struct strace_log *s, int64_t pid, ts_ns ts)
{
	for (size_t j = 0; j < s->nfiles && s->nwait; j++) {
		struct sfile *f = &s->files[j];
		for (size_t i = f->qn;
		     i-- > 0;) { /* backwards: a move disturbs only what follows */
			if (f->q[i].wait_pid != pid)
				continue;
			f->q[i].wait_pid = 0;
			s->nwait--;
			if (ts <= f->q[i].c.ts)
				continue;
			f->q[i].c.ts = ts;
			/* Keep the queue sorted: move it later. */
			for (size_t k = i; k + 1 < f->qn && f->q[k + 1].c.ts <= ts; k++) {
				struct held t = f->q[k];
				f->q[k] = f->q[k + 1];
				f->q[k + 1] = t;
			}
		}
	}
}

static void call_set_ep(struct call *c, const struct sock *k)
{
	c->has_ep = 1;
	c->family = k->family;
	memcpy(c->laddr, k->laddr, 16);
	memcpy(c->paddr, k->paddr, 16);
	c->lport = k->lport;
	c->pport = k->pport;
	c->hash = flow_tuple_hash(c->family, c->laddr, c->lport, c->paddr, c->pport);
}

/* A socket learned its addresses: the calls on it still held get them too
 * (a connect() is shown before the socket has them). */
static void fill_held(struct strace_log *s, int sock)
{
	for (size_t j = 0; j < s->nfiles; j++) {
		struct sfile *f = &s->files[j];
		for (size_t i = 0; i < f->qn; i++)
			if (f->q[i].sock == sock && !f->q[i].c.has_ep)
				call_set_ep(&f->q[i].c, &s->socks[sock]);
	}
}

/* ---- reading lines ------------------------------------------------------ */

static char *next_line(struct sfile *f, size_t *len)
{
	for (;;) {
		char *nl = f->start < f->end ? memchr(f->buf + f->start, '\n', f->end - f->start)
					     : NULL;
		if (nl) {
			char *line = f->buf + f->start;
			*len = (size_t)(nl - line);
			f->start = (size_t)(nl - f->buf) + 1;
			return line;
		}
		if (f->fd < 0)
			return NULL;
		if (f->start > 0) {
			memmove(f->buf, f->buf + f->start, f->end - f->start);
			f->end -= f->start;
			f->start = 0;
		}
		if (f->end == f->cap) {
			char *nb = realloc(f->buf, f->cap * 2);
			if (!nb)
				return NULL;
			f->buf = nb;
			f->cap *= 2;
		}
		ssize_t r = read(f->fd, f->buf + f->end, f->cap - f->end);
		if (r < 0 && errno == EINTR)
			continue;
		if (r > 0) {
			f->end += (size_t)r;
			continue;
		}
		if (f->follow)
			return NULL; /* a partial line waits for the rest */
		f->eof = 1;
		if (f->end > f->start) {
			char *line = f->buf + f->start;
			*len = f->end - f->start;
			f->start = f->end;
			return line;
		}
		return NULL;
	}
}

/* ---- one line ----------------------------------------------------------- */

/* The line's head: "[pid N] " or "N ", then a time stamp. */
struct head {
	int64_t pid; /* 0 when the line has none */
	int has_ts, tod;
	ts_ns ts; /* epoch ns, or (tod) ns since midnight */
	size_t rest;
};

static int parse_head(const char *l, size_t n, struct head *h)
{
	size_t i = 0;
	memset(h, 0, sizeof *h);
	if (n >= 5 && !memcmp(l, "[pid ", 5)) {
		i = 5;
		while (i < n && l[i] == ' ')
			i++;
		while (i < n && is_digit(l[i]))
			h->pid = acc(h->pid, l[i++]);
		if (i >= n || l[i] != ']')
			return -1;
		i++;
		while (i < n && l[i] == ' ')
			i++;
	} else {
		size_t j = i;
		int64_t v = 0;
		while (j < n && is_digit(l[j]))
			v = acc(v, l[j++]);
		if (j > i && j < n && l[j] == ' ') {
			h->pid = v;
			i = j;
			while (i < n && l[i] == ' ')
				i++;
		}
	}
	/* A stamp: SECONDS.FRACTION (-ttt, --timestamps=unix), HH:MM:SS[.F] (-t, -tt). */
	size_t j = i;
	while (j < n && is_digit(l[j]))
		j++;
	if (j > i && j < n && (l[j] == ':' || l[j] == '.')) {
		int64_t a = num_at(l + i, j - i), frac = 0;
		int digits = 0;
		if (l[j] == ':') {
			/* HH:MM:SS */
			if (j + 6 > n || l[j + 3] != ':')
				return -1;
			int64_t mm = num_at(l + j + 1, 2), ss = num_at(l + j + 4, 2);
			if (a > 99)
				return -1;
			a = a * 3600 + mm * 60 + ss;
			j += 6;
			h->tod = 1;
		}
		if (j < n && l[j] == '.') {
			j++;
			while (j < n && is_digit(l[j])) {
				if (digits < 9) {
					frac = frac * 10 + (l[j] - '0');
					digits++;
				}
				j++;
			}
			while (digits++ < 9)
				frac *= 10;
		}
		/* Up to the year 2255 (and no overflow in nanoseconds). */
		if (j >= n || l[j] != ' ' || a >= (int64_t)9000000000)
			return -1;
		h->has_ts = 1;
		h->ts = a * 1000000000 + frac;
		i = j;
		while (i < n && l[i] == ' ')
			i++;
	}
	h->rest = i;
	return 0;
}

int strace_line_is_strace(const char *l, size_t n)
{
	struct head h;
	while (n && (l[n - 1] == '\r' || l[n - 1] == ' '))
		n--;
	if (parse_head(l, n, &h) != 0)
		return 0;
	const char *r = l + h.rest;
	size_t m = n - h.rest;
	if (m >= 4 && (!memcmp(r, "--- ", 4) || !memcmp(r, "+++ ", 4)))
		return 1;
	if (m >= 5 && !memcmp(r, "<... ", 5))
		return 1;
	if (m >= 8 && !memcmp(r, "strace: ", 8))
		return 1;
	size_t k = 0;
	while (k < m && (r[k] == '_' || is_digit(r[k]) || (r[k] >= 'a' && r[k] <= 'z')))
		k++;
	if (k == 0 || k >= m || r[k] != '(')
		return 0;
	/* A finished call has " = "; an unfinished one says so. */
	for (size_t q = k; q + 2 < m; q++)
		if (r[q] == ' ' && r[q + 1] == '=' && r[q + 2] == ' ')
			return 1;
	return m >= 16 && !memcmp(r + m - 16, "<unfinished ...>", 16);
}

/* Time of day (-tt) to epoch, on the day of the hint; a day later (or
 * earlier) when that is nearer the last time put out (a run past midnight). */
static ts_ns tod_to_epoch(struct strace_log *s, ts_ns tod)
{
	const ts_ns day = (ts_ns)86400 * 1000000000;
	ts_ns t = s->day0 + tod;
	ts_ns ref = s->last_tod_ts ? s->last_tod_ts : s->hint;
	while (t - ref > day / 2)
		t -= day;
	while (ref - t > day / 2)
		t += day;
	s->last_tod_ts = t;
	return t;
}

static const struct {
	int num;
	const char *name;
} errnos[] = {
	{ 4, "EINTR" },		 { 9, "EBADF" },	  { 11, "EAGAIN" },
	{ 32, "EPIPE" },	 { 103, "ECONNABORTED" }, { 104, "ECONNRESET" },
	{ 107, "ENOTCONN" },	 { 110, "ETIMEDOUT" },	  { 111, "ECONNREFUSED" },
	{ 113, "EHOSTUNREACH" }, { 115, "EINPROGRESS" },  { 101, "ENETUNREACH" },
};

/* The return value text: "6", "-1 EPIPE (Broken pipe)", "-1 (errno 32)"
 * (-X raw), "? ERESTARTSYS (...)", "6<TCP:[...]>", then " <0.000017>". */
struct ret {
	int unknown; /* "?": the call did not return (restarted, or the process ended) */
	int64_t val;
	char err[24];
	const char *text; /* the value's text (an fd's annotation) */
	size_t text_len;
	int has_dur;
	ts_ns dur;
};

static int parse_ret(const char *r, size_t n, struct ret *out)
{
	size_t i = 0;
	memset(out, 0, sizeof *out);
	while (i < n && r[i] == ' ')
		i++;
	/* The duration, at the end: " <0.000017>". */
	if (n > i && r[n - 1] == '>') {
		size_t k = n - 1;
		while (k > i && r[k - 1] != '<')
			k--;
		if (k > i && is_digit(r[k])) {
			const char *d = r + k;
			size_t dl = n - 1 - k;
			int64_t sec = 0, frac = 0;
			int digits = 0;
			size_t q = 0;
			while (q < dl && is_digit(d[q]))
				sec = acc(sec, d[q++]);
			if (q < dl && d[q] == '.') {
				for (q++; q < dl && is_digit(d[q]); q++)
					if (digits < 9)
						frac = frac * 10 + (d[q] - '0'), digits++;
			}
			if (q == dl && sec < 1000000) { /* a duration of 11 days at most */
				while (digits++ < 9)
					frac *= 10;
				out->has_dur = 1;
				out->dur = sec * 1000000000 + frac;
				n = k - 1;
				while (n > i && r[n - 1] == ' ')
					n--;
			}
		}
	}
	if (i >= n)
		return -1;
	const char *v = r + i;
	size_t vl = n - i, k = 0;
	if (v[0] == '?') {
		out->unknown = 1;
		return 0;
	}
	if (v[0] == '-' || is_digit(v[0])) {
		k = 1;
		while (k < vl && (is_digit(v[k]) || (v[k] >= 'a' && v[k] <= 'f') || v[k] == 'x'))
			k++;
		out->val = num_at(v, k);
		/* An annotated fd: "6<TCP:[...]>" up to the next space. */
		size_t e = k;
		if (e < vl && v[e] == '<') {
			int depth = 0;
			for (; e < vl; e++) {
				if (v[e] == '<')
					depth++;
				else if (v[e] == '>' && v[e - 1] != '-' && --depth == 0) {
					e++;
					break;
				}
			}
		}
		out->text = v;
		out->text_len = e;
		k = e;
	} else {
		return -1;
	}
	while (k < vl && v[k] == ' ')
		k++;
	if (out->val == -1 && k < vl) {
		if (v[k] == 'E') {
			size_t e = k;
			while (e < vl && v[e] != ' ')
				e++;
			copy_n(out->err, sizeof out->err, v + k, e - k);
		} else if (vl - k > 7 && !memcmp(v + k, "(errno ", 7)) {
			int num = (int)num_at(v + k + 7, vl - k - 7);
			for (size_t q = 0; q < sizeof errnos / sizeof errnos[0]; q++)
				if (errnos[q].num == num)
					snprintf(out->err, sizeof out->err, "%s", errnos[q].name);
			if (!out->err[0])
				snprintf(out->err, sizeof out->err, "E%d", num);
		}
	}
	if (out->val == -1 && !out->err[0])
		snprintf(out->err, sizeof out->err, "EUNKNOWN");
	return 0;
}

/* Flag names from "MSG_NOSIGNAL|MSG_MORE", "0x4000 /\* MSG_NOSIGNAL *\/"
 * (-X verbose) or "0x4000" (-X raw). */
static void msg_flags(const char *s, size_t n, char *out, size_t cap)
{
	static const struct {
		unsigned v;
		const char *name;
	} names[] = { { 0x1, "MSG_OOB" },	  { 0x2, "MSG_PEEK" },
		      { 0x40, "MSG_DONTWAIT" },	  { 0x100, "MSG_WAITALL" },
		      { 0x4000, "MSG_NOSIGNAL" }, { 0x8000, "MSG_MORE" } };
	out[0] = '\0';
	unsigned bits = 0;
	int named = 0;
	for (size_t i = 0; i + 4 < n; i++)
		if (!memcmp(s + i, "MSG_", 4))
			named = 1;
	if (named) {
		for (size_t q = 0; q < sizeof names / sizeof names[0]; q++) {
			size_t l = strlen(names[q].name);
			for (size_t i = 0; i + l <= n; i++)
				if (!memcmp(s + i, names[q].name, l) &&
				    (i + l == n ||
				     !(s[i + l] == '_' || (s[i + l] >= 'A' && s[i + l] <= 'Z'))))
					bits |= names[q].v;
		}
	} else {
		bits = (unsigned)num_at(s, n);
	}
	for (size_t q = 0; q < sizeof names / sizeof names[0]; q++)
		if (bits & names[q].v) {
			size_t l = strlen(out);
			snprintf(out + l, cap - l, "%s%s", l ? "|" : "", names[q].name);
		}
}

enum sysc_kind { SK_NONE, SK_SEND, SK_RECV, SK_CONNECT, SK_ACCEPT, SK_SHUTDOWN, SK_CLOSE };
static const struct {
	const char *name;
	enum sysc_kind kind;
	int len_arg, flags_arg, data_arg; /* -1 none; data_arg -2: the first string */
} syscalls[] = {
	{ "write", SK_SEND, 2, -1, 1 },
	{ "writev", SK_SEND, -1, -1, -2 },
	{ "send", SK_SEND, 2, 3, 1 },
	{ "sendto", SK_SEND, 2, 3, 1 },
	{ "sendmsg", SK_SEND, -1, 2, -2 },
	{ "sendmmsg", SK_SEND, -1, 3, -2 },
	{ "sendfile", SK_SEND, 3, -1, -1 },
	{ "sendfile64", SK_SEND, 3, -1, -1 },
	{ "read", SK_RECV, 2, -1, 1 },
	{ "readv", SK_RECV, -1, -1, -2 },
	{ "recv", SK_RECV, 2, 3, 1 },
	{ "recvfrom", SK_RECV, 2, 3, 1 },
	{ "recvmsg", SK_RECV, -1, 2, -2 },
	{ "connect", SK_CONNECT, -1, -1, -1 },
	{ "accept", SK_ACCEPT, -1, -1, -1 },
	{ "accept4", SK_ACCEPT, -1, -1, -1 },
	{ "shutdown", SK_SHUTDOWN, -1, -1, -1 },
	{ "close", SK_CLOSE, -1, -1, -1 },
};

static void call_init(struct call *c, uint64_t lineno)
{
	memset(c, 0, sizeof *c);
	c->line = lineno;
	c->fd = -1;
	c->len = -1;
	c->off = -1;
	c->status = -1;
	c->tid = -1;
}

static void sigpipe_disp(const char *a, size_t n, char *out, size_t cap)
{
	/* {sa_handler=SIG_IGN, ...}; -X raw: {sa_handler=0x1, ...}. */
	const char *h = NULL;
	for (size_t i = 0; i + 11 <= n; i++)
		if (!memcmp(a + i, "sa_handler=", 11)) {
			h = a + i + 11;
			n -= i + 11;
			break;
		}
	if (!h)
		return;
	size_t l = 0;
	while (l < n && h[l] != ',' && h[l] != '}')
		l++;
	int ign = 0, dfl = 0;
	for (size_t i = 0; i + 7 <= l; i++) {
		if (!memcmp(h + i, "SIG_IGN", 7))
			ign = 1;
		if (!memcmp(h + i, "SIG_DFL", 7))
			dfl = 1;
	}
	if (!ign && !dfl) {
		int64_t v = num_at(h, l);
		if (l >= 1 && (is_digit(h[0])) && v == 1)
			ign = 1;
		else if ((l >= 1 && is_digit(h[0]) && v == 0) || (l == 4 && !memcmp(h, "NULL", 4)))
			dfl = 1;
	}
	snprintf(out, cap, "%s", ign ? "ignore" : dfl ? "default" : "handler");
}

/* A complete call: NAME, its arguments' text, the return text, entry time. */
static int on_syscall(struct strace_log *s, struct sfile *f, uint64_t lineno, int64_t pid,
		      const char *name, const char *argtext, size_t alen, const char *rettext,
		      size_t rlen, ts_ns ts, int has_ts)
{
	struct ret rv;
	if (parse_ret(rettext, rlen, &rv) != 0)
		return -1;
	if (rv.has_dur)
		s->saw_T = 1;
	else if (!rv.unknown)
		s->saw_notT = 1;
	struct proc *p = proc_get(s, pid);
	if (!p)
		return 0;
	/* Threads share their process's descriptors: the table is keyed by it,
	 * and the calls carry it as pid (the thread as tid). */
	int64_t tid = pid;
	if (p->tgid) {
		pid = p->tgid;
		if (!(p = proc_get(s, pid)))
			return 0;
	}
	struct args a;
	split_args(argtext, alen, &a);
	/* Process bookkeeping first: names, forks, dispositions. */
	if (!strcmp(name, "execve") && !rv.unknown && rv.val == 0 && a.n > 0 && a.a[0][0] == '"') {
		size_t l = a.len[0];
		const char *b = a.a[0] + 1;
		size_t bl = l >= 2 ? l - 2 : 0;
		for (size_t i = 0; i < bl; i++)
			if (b[i] == '/')
				b += i + 1, bl -= i + 1, i = (size_t)-1;
		copy_n(p->comm, 16, b, bl);
		if (!strcmp(p->disp, "handler"))
			snprintf(p->disp, sizeof p->disp, "default"); /* exec resets handlers */
		return 0;
	}
	if ((!strcmp(name, "clone") || !strcmp(name, "clone3") || !strcmp(name, "fork") ||
	     !strcmp(name, "vfork")) &&
	    !rv.unknown && rv.val > 0) {
		if (memmem(argtext, alen, "CLONE_THREAD", 12)) {
			/* A thread: the process's descriptors, its pid in the calls. */
			int64_t tgid = p->tgid ? p->tgid : pid;
			struct proc *t = proc_get(s, rv.val);
			if (t) {
				struct proc *pp = proc_get(s, pid);
				t->is_child = 1;
				t->tgid = tgid;
				if (pp) {
					memcpy(t->comm, pp->comm, sizeof t->comm);
					memcpy(t->disp, pp->disp, sizeof t->disp);
				}
			}
			return 0;
		}
		proc_fork(s, pid, rv.val);
		return 0;
	}
	if (!strcmp(name, "rt_sigaction") && a.n >= 2 && !rv.unknown && rv.val == 0) {
		int64_t signo = num_at(a.a[0], a.len[0]);
		int pipe = memmem(a.a[0], a.len[0], "SIGPIPE", 7) != NULL ||
			   (is_digit(a.a[0][0]) && signo == 13);
		if (pipe && a.a[1][0] == '{')
			sigpipe_disp(a.a[1], a.len[1], p->disp, sizeof p->disp);
		return 0;
	}
	if (!strcmp(name, "socket") && !rv.unknown && rv.val >= 0 && a.n >= 2) {
		/* socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 4<TCP:[INODE]>: a new TCP
		 * socket, even without -yy (-X raw: 2 or 10, and 1). */
		struct ann an;
		if (parse_fd_ann(rv.text, rv.text_len, &an) != 0)
			return 0;
		fd_drop(s, pid, an.fd);
		int inet = memmem(a.a[0], a.len[0], "AF_INET", 7) != NULL ||
			   num_at(a.a[0], a.len[0]) == 2 || num_at(a.a[0], a.len[0]) == 10;
		int stream = (a.len[1] >= 11 && !memcmp(a.a[1], "SOCK_STREAM", 11)) ||
			     (is_digit(a.a[1][0]) && (num_at(a.a[1], a.len[1]) & 0xf) == 1) ||
			     memmem(a.a[1], a.len[1], "SOCK_STREAM", 11) != NULL;
		if (inet && stream)
			sock_resolve(s, pid, &an, 1);
		return 0;
	}
	if ((!strcmp(name, "dup") || !strcmp(name, "dup2") || !strcmp(name, "dup3")) &&
	    !rv.unknown && rv.val >= 0 && a.n >= 1) {
		struct ann an;
		if (parse_fd_ann(a.a[0], a.len[0], &an) == 0) {
			struct fdent *e = fd_find(s, pid, an.fd);
			if (e)
				fd_set_sock(s, pid, rv.val, e->sock);
			else
				fd_drop(s, pid, rv.val);
		}
		return 0;
	}
	size_t q;
	for (q = 0; q < sizeof syscalls / sizeof syscalls[0]; q++)
		if (!strcmp(name, syscalls[q].name))
			break;
	/* Any call on a descriptor teaches what it is (getsockname shows the
	 * addresses a connect() did not). */
	struct ann an;
	if (a.n < 1 || parse_fd_ann(a.a[0], a.len[0], &an) != 0)
		return 0;
	if (q == sizeof syscalls / sizeof syscalls[0]) {
		if (an.kind != ANN_NONE)
			sock_resolve(s, pid, &an, 0);
		return 0;
	}
	int k = sock_resolve(s, pid, &an, 0);
	if (k < 0)
		return 0;
	if (rv.unknown)
		return 0; /* restarted (ERESTARTSYS) or cut off: it had no effect yet */
	struct sock *sk = &s->socks[k];
	struct call c;
	call_init(&c, lineno);
	c.pid = pid;
	if (tid != pid)
		c.tid = tid;
	c.fd = an.fd;
	c.ret = rv.val;
	memcpy(c.err, rv.err, sizeof c.err);
	snprintf(c.syscall, sizeof c.syscall, "%s", name);
	memcpy(c.comm, p->comm, sizeof c.comm);
	if (has_ts) {
		c.ts = rv.has_dur ? ts + rv.dur : ts;
		if (rv.has_dur)
			c.ts_enter = ts;
	}
	int sock_for_fill = k;
	switch (syscalls[q].kind) {
	case SK_SEND:
	case SK_RECV: {
		if (sk->listening)
			return 0;
		int send = syscalls[q].kind == SK_SEND;
		c.event = send ? EV_SEND : EV_RECV;
		int la = syscalls[q].len_arg, fa = syscalls[q].flags_arg, da = syscalls[q].data_arg;
		if (la >= 0 && la < a.n)
			c.len = num_at(a.a[la], a.len[la]);
		else if (la < 0) {
			/* writev, sendmsg: the iov_len fields. */
			int64_t sum = 0;
			int any = 0;
			for (size_t i = 0; i + 8 < alen; i++)
				if (!memcmp(argtext + i, "iov_len=", 8)) {
					sum = sat_add(sum, num_at(argtext + i + 8, alen - i - 8));
					any = 1;
				}
			if (any)
				c.len = sum;
		}
		if (fa >= 0 && fa < a.n)
			msg_flags(a.a[fa], a.len[fa], c.flags, sizeof c.flags);
		c.nosignal = strstr(c.flags, "MSG_NOSIGNAL") != NULL;
		const char *str = NULL;
		size_t sl = 0;
		if (da >= 0 && da < a.n && a.a[da][0] == '"')
			str = a.a[da], sl = a.len[da];
		else if (da == -2)
			for (size_t i = 0; i < alen; i++)
				if (argtext[i] == '"') {
					str = argtext + i;
					sl = skip_quoted(argtext, i, alen) - i;
					break;
				}
		if (str) {
			/* A send's buffer is what it was given; a recv's, what it got. */
			int64_t got = send ? (c.len >= 0 ? c.len : c.ret) : c.ret;
			size_t want = got > 0 ? (size_t)got : 0;
			if (want > CALL_DATA_MAX)
				want = CALL_DATA_MAX;
			c.data_len = (uint8_t)unescape(str, sl, c.data, want);
			c.has_data = 1;
		}
		int64_t *ctr = send ? &sk->sent : &sk->rcvd;
		c.off = *ctr;
		if (c.ret > 0 && !(!send && strstr(c.flags, "MSG_PEEK")))
			*ctr = sat_add(*ctr, c.ret);
		break;
	}
	case SK_CONNECT: c.event = EV_CONNECT; break;
	case SK_ACCEPT: {
		c.event = EV_ACCEPT;
		if (c.ret < 0)
			break;
		struct ann na;
		if (parse_fd_ann(rv.text, rv.text_len, &na) != 0)
			return 0;
		fd_drop(s, pid, na.fd);
		int nk = sock_resolve(s, pid, &na, 1);
		if (nk < 0)
			return 0;
		sock_for_fill = nk;
		sk = &s->socks[k]; /* sock_resolve() may have moved the table */
		break;
	}
	case SK_SHUTDOWN: {
		c.event = EV_SHUTDOWN;
		if (a.n >= 2) {
			const char *h = a.a[1];
			size_t hl = a.len[1];
			const char *how = NULL;
			static const char *const hows[] = { "SHUT_RDWR", "SHUT_RD", "SHUT_WR" };
			for (size_t i = 0; i + 7 <= hl && !how; i++)
				for (int q2 = 0; q2 < 3 && !how; q2++) {
					size_t l = strlen(hows[q2]);
					if (i + l <= hl && !memcmp(h + i, hows[q2], l))
						how = hows[q2];
				}
			if (!how) {
				int64_t v = num_at(h, hl);
				how = v == 0 ? "SHUT_RD" : v == 1 ? "SHUT_WR" : "SHUT_RDWR";
			}
			snprintf(c.how, sizeof c.how, "%s", how);
		}
		break;
	}
	case SK_CLOSE:
		c.event = EV_CLOSE;
		if (sk->listening)
			return 0;
		break;
	default: return 0;
	}
	if (sk->listening && c.event != EV_ACCEPT)
		return 0;
	if (s->socks[sock_for_fill].has_ep)
		call_set_ep(&c, &s->socks[sock_for_fill]);
	if (c.event == EV_CLOSE)
		fd_drop(s, pid, an.fd);
	return held_push(s, f, &c, sock_for_fill) == 0 ? 0 : -2;
}

/* Keeps the entry of an <unfinished ...> call until its <... resumed>. */
static void pend_set(struct proc *p, const char *name, size_t nl, const char *text, size_t tl,
		     ts_ns ts)
{
	free(p->pend_text);
	p->pend_text = malloc(tl + 1);
	p->has_pending = p->pend_text != NULL;
	if (!p->pend_text)
		return;
	memcpy(p->pend_text, text, tl);
	p->pend_text[tl] = '\0';
	copy_n(p->pend_name, sizeof p->pend_name, name, nl);
	p->pend_ts = ts;
}

/* Splits "ARGS) = RET" at the ')' that closes the call. */
static int split_call(const char *r, size_t m, size_t *args_end, size_t *ret_at)
{
	int depth = 0;
	for (size_t i = 0; i < m; i++) {
		if (r[i] == '"') {
			i = skip_quoted(r, i, m) - 1;
			continue;
		}
		if (r[i] == '(' || r[i] == '{' || r[i] == '[')
			depth++;
		else if (r[i] == '}' || r[i] == ']')
			depth--;
		else if (r[i] == ')') {
			if (depth == 0) {
				size_t k = i + 1;
				while (k < m && r[k] == ' ')
					k++;
				if (k < m && r[k] == '=') {
					*args_end = i;
					*ret_at = k + 1;
					return 0;
				}
			} else {
				depth--;
			}
		}
	}
	return -1;
}

/* One line. 0 used (or not about sockets), -1 unreadable, -2 no memory. */
static int parse_line(struct strace_log *s, struct sfile *f, const char *l, size_t n,
		      uint64_t lineno)
{
	struct head h;
	if (parse_head(l, n, &h) != 0)
		return -1;
	if (h.pid && !s->leader_known)
		leader_alias(s, h.pid);
	int64_t pid = h.pid ? h.pid : f->pid ? f->pid : s->leader;
	ts_ns ts = 0;
	if (h.has_ts) {
		if (h.tod) {
			if (!s->hint) {
				s->need_date_msg = 1;
				return 0;
			}
			ts = tod_to_epoch(s, h.ts);
		} else {
			ts = h.ts;
		}
		if (ts > f->newest)
			f->newest = ts;
		settle_pid(s, pid, ts);
	}
	const char *r = l + h.rest;
	size_t m = n - h.rest;
	if (m >= 8 && !memcmp(r, "strace: ", 8))
		return 0; /* "strace: Process 123 attached" */
	if (m >= 4 && !memcmp(r, "--- ", 4)) {
		/* --- SIGPIPE {si_signo=SIGPIPE, ...} --- */
		size_t e = 4;
		while (e < m && r[e] != ' ')
			e++;
		if (e - 4 != 7 || memcmp(r + 4, "SIGPIPE", 7))
			return 0;
		struct proc *p = proc_get(s, pid);
		int64_t tid = pid;
		if (p && p->tgid)
			pid = p->tgid, p = proc_get(s, pid);
		struct call c;
		call_init(&c, lineno);
		c.event = EV_SIGNAL;
		c.pid = pid;
		if (tid != pid)
			c.tid = tid;
		c.ts = ts;
		snprintf(c.sig, sizeof c.sig, "SIGPIPE");
		snprintf(c.disposition, sizeof c.disposition, "%s",
			 p && p->disp[0] ? p->disp : "unknown");
		if (p)
			memcpy(c.comm, p->comm, sizeof c.comm);
		return held_push(s, f, &c, -1) == 0 ? 0 : -2;
	}
	if (m >= 4 && !memcmp(r, "+++ ", 4)) {
		/* +++ exited with 0 +++, +++ killed by SIGPIPE [(core dumped)] +++ */
		struct call c;
		call_init(&c, lineno);
		c.event = EV_EXIT;
		c.pid = pid;
		c.ts = ts;
		struct proc *p = proc_get(s, pid);
		if (p && p->tgid) {
			/* A thread ended: the process's exit is its leader's. */
			free(p->pend_text);
			p->pend_text = NULL;
			p->has_pending = 0;
			return 0;
		}
		if (p)
			memcpy(c.comm, p->comm, sizeof c.comm);
		if (m > 16 && !memcmp(r + 4, "exited with ", 12)) {
			c.status = num_at(r + 16, m - 16);
		} else if (m > 14 && !memcmp(r + 4, "killed by ", 10)) {
			size_t e = 14;
			while (e < m && r[e] != ' ')
				e++;
			copy_n(c.exit_sig, sizeof c.exit_sig, r + 14, e - 14);
			if (!strcmp(c.exit_sig, "SIGPIPE")) {
				/* The signal shown just before was not handled. */
				for (size_t i = f->qn; i-- > 0;)
					if (f->q[i].c.event == EV_SIGNAL && f->q[i].c.pid == pid) {
						if (!strcmp(f->q[i].c.disposition, "unknown"))
							snprintf(f->q[i].c.disposition,
								 sizeof f->q[i].c.disposition,
								 "default");
						break;
					}
			}
		} else {
			return -1;
		}
		if (p) {
			free(p->pend_text);
			p->pend_text = NULL;
			p->has_pending = 0;
		}
		return held_push(s, f, &c, -1) == 0 ? 0 : -2;
	}
	if (m >= 5 && !memcmp(r, "<... ", 5)) {
		/* <... NAME resumed>REST */
		size_t e = 5;
		while (e < m && r[e] != ' ')
			e++;
		const char *name = r + 5;
		size_t nl = e - 5;
		if (e + 9 > m || memcmp(r + e, " resumed>", 9))
			return -1;
		struct proc *p = proc_get(s, pid);
		if (!p)
			return -2;
		const char *rest = r + e + 9;
		size_t rl = m - e - 9;
		if (!p->has_pending || strlen(p->pend_name) != nl || memcmp(p->pend_name, name, nl))
			return 0; /* its start was before the trace (attached) */
		p->has_pending = 0;
		if (rl >= 16 && !memcmp(rest + rl - 16, "<unfinished ...>", 16))
			return 0; /* the process ended inside it */
		size_t pl = strlen(p->pend_text);
		char *whole = malloc(pl + rl + 1);
		if (!whole)
			return -2;
		memcpy(whole, p->pend_text, pl);
		memcpy(whole + pl, rest, rl);
		whole[pl + rl] = '\0';
		size_t ae, ra;
		char nm[24];
		copy_n(nm, sizeof nm, name, nl);
		int rc = -1;
		if (split_call(whole, pl + rl, &ae, &ra) == 0)
			rc = on_syscall(s, f, lineno, pid, nm, whole, ae, whole + ra, pl + rl - ra,
					p->pend_ts, h.has_ts);
		free(whole);
		return rc;
	}
	size_t k = 0;
	while (k < m && (r[k] == '_' || is_digit(r[k]) || (r[k] >= 'a' && r[k] <= 'z')))
		k++;
	if (k == 0 || k >= m || r[k] != '(' || k >= 24)
		return -1;
	char nm[24];
	copy_n(nm, sizeof nm, r, k);
	const char *body = r + k + 1;
	size_t bl = m - k - 1;
	if (bl >= 16 && !memcmp(body + bl - 16, "<unfinished ...>", 16)) {
		struct proc *p = proc_get(s, pid);
		if (!p)
			return -2;
		size_t tl = bl - 16;
		pend_set(p, r, k, body, tl, ts);
		return 0;
	}
	size_t ae, ra;
	if (split_call(body, bl, &ae, &ra) != 0)
		return -1;
	return on_syscall(s, f, lineno, pid, nm, body, ae, body + ra, bl - ra, ts, h.has_ts);
}

/* ---- opening ------------------------------------------------------------ */

static int first_line(const char *path, char *out, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	char buf[4096];
	ssize_t r = read(fd, buf, sizeof buf);
	close(fd);
	if (r <= 0)
		return 0;
	size_t i = 0, n = (size_t)r;
	while (i < n && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	size_t e = i;
	while (e < n && buf[e] != '\n')
		e++;
	copy_n(out, cap, buf + i, e - i);
	return (int)(e - i) > 0;
}

/* The files of a -ff PREFIX (PREFIX.PID) or a directory, sorted. */
static int list_files(const char *path, int is_dir, char ***names, size_t *count)
{
	char dirbuf[4096];
	const char *dir, *base = "";
	if (is_dir) {
		dir = path;
	} else {
		snprintf(dirbuf, sizeof dirbuf, "%s", path);
		char *slash = strrchr(dirbuf, '/');
		if (slash) {
			*slash = '\0';
			base = path + (slash - dirbuf) + 1;
			dir = dirbuf[0] ? dirbuf : "/";
		} else {
			dir = ".";
			base = path;
		}
	}
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	struct dirent *de;
	size_t bl = strlen(base), n = 0, cap = 0;
	char **v = NULL;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (!is_dir) {
			if (strncmp(de->d_name, base, bl) || de->d_name[bl] != '.')
				continue;
			const char *p = de->d_name + bl + 1;
			if (!*p || strspn(p, "0123456789") != strlen(p))
				continue;
		}
		char full[4096 + 256];
		snprintf(full, sizeof full, "%s/%s", dir, de->d_name);
		struct stat st;
		if (stat(full, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char **nv = realloc(v, cap * sizeof *nv);
			if (!nv)
				break;
			v = nv;
		}
		if (!(v[n] = strdup(full)))
			break;
		n++;
	}
	closedir(d);
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	*names = v;
	*count = n;
	return 0;
}

enum strace_kind strace_sniff(const char *path)
{
	struct stat st;
	char line[1024];
	if (stat(path, &st) != 0) {
		char **v;
		size_t n;
		if (errno == ENOENT && list_files(path, 0, &v, &n) == 0) {
			for (size_t i = 0; i < n; i++)
				free(v[i]);
			free(v);
			if (n > 0)
				return STRACE_KIND_STRACE;
		}
		return STRACE_KIND_SENDLOG; /* sendlog_open says what is wrong */
	}
	if (S_ISDIR(st.st_mode))
		return STRACE_KIND_STRACE;
	if (first_line(path, line, sizeof line) <= 0 || line[0] == '{')
		return STRACE_KIND_SENDLOG;
	return strace_line_is_strace(line, strlen(line)) ? STRACE_KIND_STRACE : STRACE_KIND_NEITHER;
}

static int file_init(struct sfile *f, const char *path, int follow, char *err, size_t errlen)
{
	memset(f, 0, sizeof *f);
	f->fd = -1;
	if (!(f->path = strdup(path)) || !(f->buf = malloc(1 << 16))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	f->cap = 1 << 16;
	f->follow = follow;
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
	if (dot && (!slash || dot > slash) && dot[1] &&
	    strspn(dot + 1, "0123456789") == strlen(dot + 1))
		f->pid = strtoll(dot + 1, NULL, 10);
	return 0;
}

/* The recording's flags, from its first lines: is -yy there? */
static void sniff_flags(struct strace_log *s)
{
	int yy = 0, inet = 0;
	for (size_t j = 0; j < s->nfiles && !yy; j++) {
		int fd = open(s->files[j].path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		char *buf = malloc(SNIFF_BYTES + 1);
		ssize_t r = buf ? read(fd, buf, SNIFF_BYTES) : -1;
		close(fd);
		if (r > 0) {
			buf[r] = '\0';
			yy = strstr(buf, "<TCP:[") || strstr(buf, "<TCPv6:[");
			inet = inet || strstr(buf, "AF_INET") || strstr(buf, "inet_addr(") ||
			       strstr(buf, "sin_port");
		}
		free(buf);
	}
	if (!yy && inet)
		snprintf(s->notice, sizeof s->notice,
			 "%s: the strace output has no TCP addresses (recorded without -yy): its "
			 "calls are listed but matched to no connection; record with 'strace -f "
			 "-yy -ttt -T -o FILE'",
			 s->name);
}

struct strace_log *strace_open(const char *path, int follow, char *err, size_t errlen)
{
	return strace_open_paths(&path, 1, follow, err, errlen);
}

struct strace_log *strace_open_paths(const char *const *paths, size_t np, int follow, char *err,
				     size_t errlen)
{
	struct strace_log *s = calloc(1, sizeof *s);
	char **names = NULL;
	size_t n = 0;
	if (!s || !np || !(s->name = strdup(paths[0]))) {
		free(s);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->follow = follow;
	/* Each path: a file, or the files of a directory or a -ff PREFIX. */
	for (size_t k = 0; k < np; k++) {
		const char *path = paths[k];
		struct stat st;
		int exists = stat(path, &st) == 0;
		char **v = NULL;
		size_t m = 0;
		if (exists && !S_ISDIR(st.st_mode)) {
			v = malloc(sizeof *v);
			if (v && (v[0] = strdup(path)))
				m = 1;
		} else if (list_files(path, exists, &v, &m) != 0 || m == 0) {
			snprintf(err, errlen, "%s: %s", path,
				 exists ? "a directory with no strace output files in it"
					: "no such file, and no -ff files PREFIX.PID by that name");
			free(v);
			goto fail;
		}
		char **nn = realloc(names, (n + m) * sizeof *nn);
		if (!nn) {
			for (size_t i = 0; i < m; i++)
				free(v[i]);
			free(v);
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		names = nn;
		memcpy(names + n, v, m * sizeof *v);
		n += m;
		free(v);
	}
	s->files = calloc(n ? n : 1, sizeof *s->files);
	if (!s->files) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		if (file_init(&s->files[i], names[i], follow && n == 1, err, errlen) != 0) {
			s->nfiles = i + 1;
			goto fail;
		}
		s->nfiles = i + 1;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (!follow)
		sniff_flags(s);
	return s;
fail:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	strace_free(s);
	return NULL;
}

void strace_free(struct strace_log *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nfiles; i++) {
		struct sfile *f = &s->files[i];
		if (f->fd >= 0)
			close(f->fd);
		free(f->buf);
		free(f->path);
		free(f->join);
		free(f->qbase);
	}
	for (size_t i = 0; i < s->nprocs; i++)
		free(s->procs[i].pend_text);
	free(s->files);
	free(s->socks);
	free(s->fds);
	free(s->procs);
	free(s->name);
	free(s);
}

void strace_time_hint(struct strace_log *s, ts_ns t)
{
	if (s->hint)
		return;
	s->hint = t;
	time_t sec = (time_t)(t / 1000000000);
	struct tm tm;
	localtime_r(&sec, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	s->day0 = (ts_ns)mktime(&tm) * 1000000000;
}

const char *strace_notice(const struct strace_log *s) { return s->notice; }

/* Reads the file until its first held call may go (REORDER_NS behind the
 * newest stamp), or to its end. Returns -1 with a report in err. */
static int fill(struct strace_log *s, struct sfile *f, char *err, size_t errlen)
{
	while (!f->eof && !(f->qn && f->newest - f->q[0].c.ts > REORDER_NS)) {
		size_t n;
		char *line = next_line(f, &n);
		if (!line)
			return 0;
		uint64_t lineno = ++f->lineno;
		while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
			n--;
		/* strace writing to a terminal or its stderr puts "strace: Process
		 * N attached" inside the line it was writing; the line goes on on
		 * the next one. */
		const char *msg = memmem(line, n, "strace: Process ", 16);
		if (msg && msg > line) {
			char *nj = realloc(f->join, f->join_len + (size_t)(msg - line) + 1);
			if (nj) {
				memcpy(nj + f->join_len, line, (size_t)(msg - line));
				f->join = nj;
				f->join_len += (size_t)(msg - line);
			}
			continue;
		}
		char *joined = NULL;
		if (f->join_len) {
			if ((joined = malloc(f->join_len + n + 1)) != NULL) {
				memcpy(joined, f->join, f->join_len);
				memcpy(joined + f->join_len, line, n);
				line = joined;
				n += f->join_len;
			}
			f->join_len = 0;
		}
		if (!n)
			continue;
		int r = parse_line(s, f, line, n, lineno);
		if (r == -2) {
			free(joined);
			snprintf(err, errlen, "%s: line %llu: out of memory; line skipped", f->path,
				 (unsigned long long)lineno);
			return -1;
		}
		if (r == -1) {
			s->bad++;
			if (s->bad_reported < BAD_LIMIT) {
				s->bad_reported++;
				snprintf(err, errlen,
					 "%s: line %llu: not a line of strace output: '%.*s%s'; "
					 "line "
					 "skipped",
					 f->path, (unsigned long long)lineno, n > 60 ? 60 : (int)n,
					 line, n > 60 ? "..." : "");
				free(joined);
				return -1;
			}
		}
		free(joined);
		if (s->need_date_msg && !s->warned_tt) {
			s->warned_tt = 1;
			snprintf(err, errlen,
				 "%s: line %llu: -tt stamps give no date and no capture gave one: "
				 "its "
				 "calls are skipped; record with -ttt",
				 f->path, (unsigned long long)lineno);
			return -1;
		}
	}
	return 0;
}

int strace_next(struct strace_log *s, struct call *c, char *err, size_t errlen)
{
	for (;;) {
		struct sfile *best = NULL;
		int wait = 0;
		for (size_t i = 0; i < s->nfiles; i++) {
			struct sfile *f = &s->files[i];
			if (fill(s, f, err, errlen) != 0)
				return -1;
			if (!f->qn) {
				if (!f->eof && !f->follow)
					wait = 1; /* cannot happen: fill() reads to the end */
				continue;
			}
			if (!best || f->q[0].c.ts < best->q[0].c.ts ||
			    (f->q[0].c.ts == best->q[0].c.ts && f->q[0].seq < best->q[0].seq))
				best = f;
		}
		(void)wait;
		if (!best)
			break;
		struct held *hd = &best->q[0];
		if (best->follow && ((!hd->c.has_ep && hd->sock >= 0) || hd->wait_pid)) {
			/* Live: give the socket a moment to show its addresses, a
			 * connect() its process's next stamp (well inside the
			 * correlator's live settling time). */
			struct timespec now;
			clock_gettime(CLOCK_REALTIME, &now);
			ts_ns t = (ts_ns)now.tv_sec * 1000000000 + now.tv_nsec;
			if (t - hd->c.ts < LIVE_HOLD_NS)
				return 0;
		}
		*c = hd->c;
		if (hd->wait_pid)
			s->nwait--;
		best->qn--;
		best->q++;
		return 1;
	}
	if (s->bad > s->bad_reported && !s->bad_tail_done) {
		s->bad_tail_done = 1;
		snprintf(err, errlen,
			 "%s: %llu more lines that are not strace output were skipped (not named "
			 "one by one)",
			 s->name, (unsigned long long)(s->bad - s->bad_reported));
		return -1;
	}
	return 0;
}

/* ---- live: the command line --------------------------------------------- */

char **strace_argv(char *const *command, pid_t pid, const char *outfile)
{
	static const char *const flags[] = { "strace", "-f", "-yy", "-ttt", "-T",
					     "-qq",    "-s", "64",  "-o" };
	size_t nf = sizeof flags / sizeof flags[0], nc = 0;
	while (command && command[nc])
		nc++;
	/* The vector, then room for the pid's digits (one allocation, one free). */
	char **v = calloc(1, (nf + nc + 5) * sizeof *v + 24);
	if (!v)
		return NULL;
	size_t i = 0;
	for (size_t j = 0; j < nf; j++)
		v[i++] = (char *)flags[j];
	v[i++] = (char *)outfile;
	if (command) {
		v[i++] = "--";
		for (size_t j = 0; j < nc; j++)
			v[i++] = command[j];
	} else {
		char *pidbuf = (char *)(v + nf + nc + 5);
		snprintf(pidbuf, 24, "%d", (int)pid);
		v[i++] = "-p";
		v[i++] = pidbuf;
	}
	v[i] = NULL;
	return v;
}

int strace_installed(void)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/bin:/bin";
	while (*path) {
		const char *end = strchr(path, ':');
		size_t n = end ? (size_t)(end - path) : strlen(path);
		char file[4096];
		if (n && n < sizeof file - 8) {
			memcpy(file, path, n);
			memcpy(file + n, "/strace", 8);
			if (access(file, X_OK) == 0)
				return 1;
		}
		path += n + (end != NULL);
	}
	return 0;
}
