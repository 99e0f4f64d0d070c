/* delayline.c: a network that is slow one way. A process of its own binds an
 * nfnetlink queue, over a raw NETLINK_NETFILTER socket (no library): the
 * kernel hands it each packet an iptables NFQUEUE rule sends there, and the
 * packet waits in the kernel until the process gives its verdict. It gives
 * NF_ACCEPT to each a fixed delay after it came, in the order they came (one
 * FIFO), so every packet goes on as sent, only later.
 *
 * The parent talks to it over a socketpair: the delay line writes one line,
 * "ready" once bound (or "error: WHY"), and when the parent shuts its end,
 * it lets go at once of all it still holds and writes "held N" (how many
 * packets it held in all) before it exits. SIGTERM, SIGINT and SIGHUP end it
 * the same way; so does the parent's end closing, should the parent die. A
 * packet it still held when its socket closed would be dropped by the
 * kernel, never delivered: it never exits holding one. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>

#include "demo.h"

/* <linux/netfilter.h>'s verdict; that header brings <linux/in.h>, which
 * clashes with the C library's <netinet/in.h>. */
#ifndef NF_ACCEPT
#define NF_ACCEPT 1
#endif

/* The kernel holds at most 1024 packets in a queue by default: no more can
 * be waiting for a verdict. */
#define HOLD_MAX 1024

struct held {
	uint32_t id;	     /* the kernel's packet_id */
	struct timespec due; /* CLOCK_MONOTONIC */
};

struct line {
	int nl;	    /* the netlink socket */
	int ctl;    /* the parent's socketpair */
	int queue;  /* the queue number */
	long delay; /* ns */
	uint32_t seq;
	struct held fifo[HOLD_MAX];
	size_t head, count;
	unsigned long total; /* packets held in all */
	char err[200];	     /* the first thing that went wrong, or "" */
};

static volatile sig_atomic_t stop_asked; /* the signal that stops it, or 0 */

static void on_stop(int sig) { stop_asked = sig; }

/* One line to the parent, whole, without SIGPIPE should it be gone. */
static void tell_parent(const struct line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void tell_parent(const struct line *l, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	while (send(l->ctl, buf, (size_t)n, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

static void fail_once(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail_once(struct line *l, const char *fmt, ...)
{
	va_list ap;
	if (l->err[0])
		return;
	va_start(ap, fmt);
	vsnprintf(l->err, sizeof(l->err), fmt, ap);
	va_end(ap);
}

/* ---- nfnetlink_queue messages ---- */

struct msg {
	union {
		struct nlmsghdr nh;
		char buf[256];
	} u;
};

/* A request of type NFQNL_MSG_* for l's queue: the netlink header and the
 * nfgenmsg. */
static void msg_start(struct line *l, struct msg *m, int type, int flags)
{
	struct nfgenmsg *g;
	memset(m, 0, sizeof(*m));
	m->u.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct nfgenmsg));
	m->u.nh.nlmsg_type = (uint16_t)((NFNL_SUBSYS_QUEUE << 8) | type);
	m->u.nh.nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	m->u.nh.nlmsg_seq = ++l->seq;
	g = NLMSG_DATA(&m->u.nh);
	g->nfgen_family = AF_UNSPEC;
	g->version = NFNETLINK_V0;
	g->res_id = htons((uint16_t)l->queue);
}

static void msg_attr(struct msg *m, int type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(m->u.buf + NLMSG_ALIGN(m->u.nh.nlmsg_len));
	a->nla_type = (uint16_t)type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy((char *)a + NLA_HDRLEN, data, len);
	m->u.nh.nlmsg_len = NLMSG_ALIGN(m->u.nh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static int msg_send(const struct line *l, const struct msg *m)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	ssize_t r;
	do
		r = sendto(l->nl, m->u.buf, m->u.nh.nlmsg_len, 0, (struct sockaddr *)&kernel,
			   sizeof(kernel));
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)m->u.nh.nlmsg_len ? 0 : -1;
}

/* Let packet id go on its way. */
static void release(struct line *l, uint32_t id)
{
	struct nfqnl_msg_verdict_hdr v = { htonl(NF_ACCEPT), htonl(id) };
	struct msg m;
	msg_start(l, &m, NFQNL_MSG_VERDICT, 0);
	msg_attr(&m, NFQA_VERDICT_HDR, &v, sizeof(v));
	if (msg_send(l, &m) < 0)
		fail_once(l, "a verdict could not be sent: %s", strerror(errno));
}

static void now(struct timespec *t) { clock_gettime(CLOCK_MONOTONIC, t); }

static int due(const struct timespec *t, const struct timespec *at)
{
	return t->tv_sec < at->tv_sec || (t->tv_sec == at->tv_sec && t->tv_nsec <= at->tv_nsec);
}

static void hold(struct line *l, uint32_t id)
{
	struct held *h;
	if (l->count == HOLD_MAX) { /* cannot happen: the kernel's queue is as long */
		release(l, l->fifo[l->head].id);
		l->head = (l->head + 1) % HOLD_MAX;
		l->count--;
	}
	h = &l->fifo[(l->head + l->count) % HOLD_MAX];
	h->id = id;
	now(&h->due);
	h->due.tv_nsec += l->delay;
	h->due.tv_sec += h->due.tv_nsec / 1000000000L;
	h->due.tv_nsec %= 1000000000L;
	l->count++;
	l->total++;
}

/* Release, in order, what is due (all when all). */
static void release_due(struct line *l, int all)
{
	struct timespec t;
	now(&t);
	while (l->count && (all || due(&l->fifo[l->head].due, &t))) {
		release(l, l->fifo[l->head].id);
		l->head = (l->head + 1) % HOLD_MAX;
		l->count--;
	}
}

/* An attribute of a packet message, or NULL. */
static const struct nlattr *attr_of(const struct nlmsghdr *nh, int type)
{
	size_t off = NLMSG_ALIGN(NLMSG_LENGTH(sizeof(struct nfgenmsg)));
	while (off + NLA_HDRLEN <= nh->nlmsg_len) {
		const struct nlattr *a = (const struct nlattr *)((const char *)nh + off);
		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > nh->nlmsg_len)
			return NULL;
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		off += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

/* Read what the kernel has sent: packets to hold, and errors. With ack_seq,
 * wait (up to 2 s) for the answer to that request: 0 if it was accepted,
 * else -errno. Without, read what is there and return 0. */
static int take_messages(struct line *l, uint32_t ack_seq)
{
	static char buf[65536] __attribute__((aligned(NLMSG_ALIGNTO)));
	for (;;) {
		struct pollfd p = { .fd = l->nl, .events = POLLIN };
		ssize_t n;
		if (ack_seq && poll(&p, 1, 2000) == 0)
			return -ETIMEDOUT;
		n = recv(l->nl, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || (ack_seq && errno == EAGAIN))
				continue;
			if (errno == EAGAIN)
				return 0;
			if (errno == ENOBUFS) { /* messages lost: their packets are stuck */
				fail_once(l, "the kernel had more packets for it than its socket "
					     "could take: some were dropped");
				continue;
			}
			fail_once(l, "reading the queue: %s", strerror(errno));
			return ack_seq ? -errno : 0;
		}
		for (size_t off = 0; off + sizeof(struct nlmsghdr) <= (size_t)n;
		     off += NLMSG_ALIGN(((struct nlmsghdr *)(buf + off))->nlmsg_len)) {
			const struct nlmsghdr *nh = (const struct nlmsghdr *)(buf + off);
			if (nh->nlmsg_len < sizeof(*nh) || off + nh->nlmsg_len > (size_t)n)
				break;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);
				if (ack_seq && nh->nlmsg_seq == ack_seq)
					return e->error;
				if (e->error)
					fail_once(l, "the kernel refused a verdict: %s",
						  strerror(-e->error));
			} else if (nh->nlmsg_type ==
				   ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET)) {
				const struct nlattr *a = attr_of(nh, NFQA_PACKET_HDR);
				struct nfqnl_msg_packet_hdr ph;
				if (!a || a->nla_len < NLA_HDRLEN + sizeof(ph)) {
					fail_once(l, "a packet came without its header");
					continue;
				}
				memcpy(&ph, (const char *)a + NLA_HDRLEN, sizeof(ph));
				hold(l, ntohl(ph.packet_id));
			}
		}
	}
}

/* Bind the queue, in copy mode META (the packet's id and facts, not its
 * bytes: holding it needs no more). 0, or -1 with the reason in l->err. */
static int bind_queue(struct line *l)
{
	struct sockaddr_nl me = { .nl_family = AF_NETLINK };
	struct nfqnl_msg_config_cmd cmd = { .command = NFQNL_CFG_CMD_BIND };
	struct nfqnl_msg_config_params params = { .copy_range = 0, .copy_mode = NFQNL_COPY_META };
	struct msg m;
	int r;

	l->nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (l->nl < 0) {
		fail_once(l, "no netfilter netlink socket: %s", strerror(errno));
		return -1;
	}
	if (bind(l->nl, (struct sockaddr *)&me, sizeof(me)) < 0) {
		fail_once(l, "cannot bind a netlink socket: %s", strerror(errno));
		return -1;
	}
	msg_start(l, &m, NFQNL_MSG_CONFIG, NLM_F_ACK);
	msg_attr(&m, NFQA_CFG_CMD, &cmd, sizeof(cmd));
	msg_attr(&m, NFQA_CFG_PARAMS, &params, sizeof(params));
	if (msg_send(l, &m) < 0) {
		fail_once(l, "cannot ask the kernel for queue %d: %s", l->queue, strerror(errno));
		return -1;
	}
	r = take_messages(l, m.u.nh.nlmsg_seq);
	if (r == 0)
		return 0;
	if (r == -EPERM || r == -EBUSY)
		fail_once(l,
			  "the kernel refused to bind queue %d: %s (it needs CAP_NET_ADMIN, and "
			  "no other program may hold that queue)",
			  l->queue, strerror(-r));
	else if (r == -ETIMEDOUT)
		fail_once(l, "the kernel did not answer the request for queue %d", l->queue);
	else
		fail_once(l,
			  "the kernel refused to bind queue %d: %s (is nfnetlink_queue in "
			  "this kernel?)",
			  l->queue, strerror(-r));
	return -1;
}

/* Until it is told to stop. */
static void run_line(struct line *l)
{
	sigset_t open;
	sigemptyset(&open);
	for (;;) {
		struct pollfd p[2] = { { .fd = l->nl, .events = POLLIN },
				       { .fd = l->ctl, .events = POLLIN } };
		struct timespec wait, t, *tp = NULL;
		int r;

		if (l->count) {
			now(&t);
			const struct timespec *d = &l->fifo[l->head].due;
			long ns = (d->tv_sec - t.tv_sec) * 1000000000L + (d->tv_nsec - t.tv_nsec);
			if (ns < 0)
				ns = 0;
			wait.tv_sec = ns / 1000000000L;
			wait.tv_nsec = ns % 1000000000L;
			tp = &wait;
		}
		/* The stop signals are blocked but here, so that none is
		 * missed between the check and the wait. */
		r = ppoll(p, 2, tp, &open);
		if (stop_asked)
			return;
		if (r < 0 && errno != EINTR) {
			fail_once(l, "poll: %s", strerror(errno));
			return;
		}
		if (r > 0 && p[1].revents) /* the parent: shut, closed or gone */
			return;
		if (r > 0 && p[0].revents)
			take_messages(l, 0);
		release_due(l, 0);
	}
}

static void __attribute__((noreturn)) delayline_main(int ctl, int queue, int delay_ms)
{
	static struct line l;
	struct sigaction sa;
	sigset_t stops;

	/* Nothing of the story's: not the listening socket (the server's
	 * alone), not the notes, not the log. Closed at once with
	 * close_range(), so the process makes no call on a TCP socket: a
	 * recorder of the story's calls has nothing of it to show. */
	if (ctl > 3)
		close_range(3, (unsigned)ctl - 1, 0);
	close_range(ctl < 3 ? 3 : (unsigned)ctl + 1, ~0U, 0);

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGHUP);
	sigprocmask(SIG_BLOCK, &stops, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	l.ctl = ctl;
	l.nl = -1;
	l.queue = queue;
	l.delay = (long)delay_ms * 1000000L;
	if (bind_queue(&l) < 0) {
		tell_parent(&l, "error: %s", l.err);
		_exit(1);
	}
	tell_parent(&l, "ready");
	run_line(&l);
	take_messages(&l, 0);
	release_due(&l, 1);
	if (stop_asked)
		fail_once(
			&l,
			"the delay line was stopped by %s before the end of the story, and let go "
			"of all it held at once",
			slw_signal_name(stop_asked));
	if (l.err[0])
		tell_parent(&l, "error: %s", l.err);
	else
		tell_parent(&l, "held %lu", l.total);
	_exit(l.err[0] ? 1 : 0);
}

/* ---- the parent's side ---- */

/* One line from the delay line within timeout_ms, without its newline:
 * 0, or -1 (it has gone, or said nothing in time). */
static int hear(int fd, char *buf, size_t size, int timeout_ms)
{
	size_t n = 0;
	while (n < size - 1) {
		ssize_t r;
		if (net_wait(fd, POLLIN, timeout_ms) <= 0)
			break;
		r = recv(fd, buf + n, size - 1 - n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		if (memchr(buf, '\n', n))
			break;
	}
	buf[n] = '\0';
	if (!memchr(buf, '\n', n))
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static void how_it_ended(char *err, size_t errlen, const char *what, int st)
{
	if (WIFSIGNALED(st))
		snprintf(err, errlen, "the delay line %s: killed by %s", what,
			 slw_signal_name(WTERMSIG(st)));
	else
		snprintf(err, errlen, "the delay line %s (exit status %d)", what,
			 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static int reap(struct delayline *dl)
{
	while (!dl->reaped) {
		if (waitpid(dl->pid, &dl->status, 0) == dl->pid)
			dl->reaped = 1;
		else if (errno != EINTR)
			return -1;
	}
	return 0;
}

int delayline_start(struct delayline *dl, int queue, int delay_ms, char *err, size_t errlen)
{
	char said[256];
	int sp[2];

	memset(dl, 0, sizeof(*dl));
	dl->fd = -1;
	dl->pid = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		return -1;
	}
	dl->pid = fork();
	if (dl->pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(sp[0]);
		close(sp[1]);
		return -1;
	}
	if (dl->pid == 0) {
		close(sp[0]);
		delayline_main(sp[1], queue, delay_ms);
	}
	close(sp[1]);
	dl->fd = sp[0];
	if (hear(dl->fd, said, sizeof(said), DEMO_WAIT_MS) == 0 && strcmp(said, "ready") == 0)
		return 0;
	if (strncmp(said, "error: ", 7) == 0)
		snprintf(err, errlen, "%s", said + 7);
	else
		snprintf(err, errlen, "the delay line did not say it was ready");
	close(dl->fd);
	dl->fd = -1;
	kill(dl->pid, SIGTERM);
	reap(dl);
	return -1;
}

void delayline_reaped(struct delayline *dl, int status)
{
	dl->reaped = 1;
	dl->status = status;
}

int delayline_stop(struct delayline *dl, unsigned long *held, char *err, size_t errlen)
{
	char said[256] = "";
	int heard = -1;

	*held = 0;
	if (dl->pid <= 0)
		return 0;
	if (dl->fd >= 0) {
		shutdown(dl->fd, SHUT_WR);
		heard = hear(dl->fd, said, sizeof(said), DEMO_WAIT_MS);
		close(dl->fd);
		dl->fd = -1;
	}
	if (heard < 0 && !dl->reaped)
		kill(dl->pid, SIGTERM);
	if (reap(dl) < 0) {
		snprintf(err, errlen, "waitpid: %s", strerror(errno));
		return -1;
	}
	dl->pid = -1;
	if (heard == 0 && sscanf(said, "held %lu", held) == 1 && WIFEXITED(dl->status) &&
	    WEXITSTATUS(dl->status) == 0)
		return 0;
	if (heard == 0 && strncmp(said, "error: ", 7) == 0)
		snprintf(err, errlen, "%s", said + 7);
	else
		how_it_ended(err, errlen, "ended before it was told to", dl->status);
	return -1;
}
