/* recorder.c: the kernel recorder's user side: load and attach the BPF
 * programs while privileged, then turn their events into send-log lines.
 * The lines are the demo writer's (slw_format), so the format has one
 * writer, with the fields only the kernel knows added at the end. */
#include "recorder.h"

#include <arpa/inet.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/types.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "record.h"
#include "record.skel.h"
#include "sendlog_writer.h"

/* ---- formatting: events to send-log lines -------------------------------- */

/* What the formatter remembers of a socket: where its streams start, to
 * give each call its stream offset ("off") as the demo's writer does. A
 * direct-mapped cache: a socket pushed out only loses "off" ("seq" stays). */
#define SOCK_SLOTS 4096
struct rec_sock {
	uint64_t sk;
	uint32_t isn_snd, isn_rcv; /* our ISN + 1, the peer's ISN + 1 */
	uint8_t has_snd, has_rcv;
	uint8_t fin_read; /* a receive returned 0: copied_seq counts the FIN */
};
/* The processes that made a TCP call or took SIGPIPE: only their exits
 * are told (a command's tree has many short-lived helpers). Open
 * addressing; once full, every exit is told. */
#define PID_SLOTS 4096
struct rec_fmt {
	int64_t offset; /* realtime = monotonic + offset */
	struct rec_sock socks[SOCK_SLOTS];
	uint32_t pids[PID_SLOTS]; /* 0 empty */
	unsigned npids;
};

/* Marks pid as active (add) or asks whether it is; a full set says yes. */
static int pid_active(struct rec_fmt *f, uint32_t pid, int add)
{
	unsigned i = (pid * 2654435761u) % PID_SLOTS;
	for (unsigned n = 0; n < PID_SLOTS; n++, i = (i + 1) % PID_SLOTS) {
		if (f->pids[i] == pid)
			return 1;
		if (!f->pids[i]) {
			if (add && f->npids < PID_SLOTS - 1) {
				f->pids[i] = pid;
				f->npids++;
			}
			return add || f->npids >= PID_SLOTS - 1;
		}
	}
	return 1;
}

struct rec_fmt *rec_fmt_new(void) { return calloc(1, sizeof(struct rec_fmt)); }
void rec_fmt_free(struct rec_fmt *f) { free(f); }
void rec_fmt_set_offset(struct rec_fmt *f, int64_t offset_ns) { f->offset = offset_ns; }

static struct rec_sock *sock_slot(struct rec_fmt *f, uint64_t sk)
{
	uint64_t h = sk * 0x9E3779B97F4A7C15ull;
	return &f->socks[(h >> 40) % SOCK_SLOTS];
}

static const char *const state_names[] = {
	"?",	       "ESTABLISHED", "SYN_SENT", "SYN_RECV",   "FIN_WAIT1",
	"FIN_WAIT2",   "TIME_WAIT",   "CLOSE",	  "CLOSE_WAIT", "LAST_ACK",
	"LISTEN",      "CLOSING",     "NEW_SYN_RECV",
};
static const char *state_name(unsigned s)
{
	return s < sizeof state_names / sizeof state_names[0] ? state_names[s] : "?";
}

/* x86_64 numbers, as record.bpf.c. */
static const char *syscall_name(unsigned nr)
{
	switch (nr) {
	case 0: return "read";
	case 1: return "write";
	case 3: return "close";
	case 19: return "readv";
	case 20: return "writev";
	case 40: return "sendfile";
	case 42: return "connect";
	case 43: return "accept";
	case 44: return "sendto";
	case 45: return "recvfrom";
	case 46: return "sendmsg";
	case 47: return "recvmsg";
	case 48: return "shutdown";
	case 288: return "accept4";
	case 299: return "recvmmsg";
	case 307: return "sendmmsg";
	}
	return "?";
}

static void fmt_addr(int family, const uint8_t *a, uint16_t port, char *out, size_t size)
{
	char host[INET6_ADDRSTRLEN] = "?";
	inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, host, sizeof host);
	snprintf(out, size, family == 6 ? "[%s]:%u" : "%s:%u", host, (unsigned)port);
}

static struct timespec to_realtime(const struct rec_fmt *f, uint64_t mono)
{
	int64_t t = (int64_t)mono + f->offset;
	struct timespec ts = { (time_t)(t / 1000000000), (long)(t % 1000000000) };
	return ts;
}

/* Appends ,"key":"value" (value escaped) before the line's closing brace. */
struct tail {
	char *buf;
	size_t len, size;
	int full;
};
static void tail_printf(struct tail *t, const char *fmt, ...)
{
	if (t->full)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= t->size - t->len)
		t->full = 1;
	else
		t->len += (size_t)n;
}
static void tail_str(struct tail *t, const char *key, const char *v, size_t n)
{
	char esc[4 * REC_DATA_MAX + 8];
	slw_escape(esc, sizeof esc, v, n);
	tail_printf(t, ",\"%s\":\"%s\"", key, esc);
}

static const char *const event_of_kind[] = {
	[REC_RST_RECV] = "rst_recv",
	[REC_RST_SEND] = "rst_send",
	[REC_STATE] = "tcp_state",
};

int rec_fmt_event(struct rec_fmt *f, const struct rec_event *e, char *buf, size_t size)
{
	struct slw_event ev;
	memset(&ev, 0, sizeof ev);
	char local[80], peer[80];
	ev.ts = to_realtime(f, e->ts);
	ev.pid = (long)e->pid;
	ev.fd = e->fd;
	ev.off = -1;
	int64_t ret = e->ret;
	size_t comm_len = strnlen(e->comm, sizeof e->comm);
	/* Once our FIN is queued (FIN_WAIT1, FIN_WAIT2, TIME_WAIT, LAST_ACK,
	 * CLOSING), write_seq counts it: the stream's next byte, which can
	 * never be sent, is one before. */
	uint32_t seq = e->seq;
	if (e->call == RC_SEND && ((e->state >= 4 && e->state <= 6) || e->state == 9 || e->state == 11))
		seq--;
	/* Likewise copied_seq, once a receive has read the peer's FIN. */
	struct rec_sock *s = NULL;
	if (e->kind == REC_CALL) {
		s = sock_slot(f, e->sk);
		if (s->sk != e->sk)
			memset(s, 0, sizeof *s), s->sk = e->sk;
		if (e->call == RC_RECV && s->fin_read)
			seq--;
		if (e->call == RC_RECV && ret == 0 && e->len)
			s->fin_read = 1;
	}
	switch (e->kind) {
	case REC_SIGNAL:
		pid_active(f, e->pid, 1);
		ev.kind = SLW_SIGNAL;
		ev.sig = e->arg;
		ev.disposition = e->disp == REC_DISP_IGNORE    ? SLW_DISP_IGNORE
				 : e->disp == REC_DISP_HANDLER ? SLW_DISP_HANDLER
				 : e->disp == REC_DISP_BLOCKED ? SLW_DISP_BLOCKED
							       : SLW_DISP_DEFAULT;
		break;
	case REC_EXIT:
		if (!pid_active(f, e->pid, 0))
			return 0;
		ev.kind = SLW_EXIT;
		if (e->arg & 0x7f) {
			ev.sig = e->arg & 0x7f;
			ev.status = -1;
		} else {
			ev.status = (e->arg >> 8) & 0xff;
		}
		break;
	case REC_CALL:
		pid_active(f, e->pid, 1);
		fmt_addr(e->family, e->laddr, e->lport, local, sizeof local);
		fmt_addr(e->family, e->paddr, e->pport, peer, sizeof peer);
		ev.local = local;
		ev.peer = peer;
		if (ret < 0) {
			ev.err = (int)-ret;
			ev.ret = -1;
		} else {
			ev.ret = ret;
		}
		switch (e->call) {
		case RC_SEND:
		case RC_RECV:
			ev.kind = e->call == RC_SEND ? SLW_SEND : SLW_RECV;
			ev.flags = (int)e->flags;
			/* sendmmsg and recvmmsg count messages: the send log
			 * counts bytes, which the sequence numbers give. */
			if (e->nr == 307 || e->nr == 299) {
				if (ret >= 0)
					ev.ret = (uint32_t)(e->seq_end - e->seq);
				ev.len = (size_t)ev.ret;
			} else if (e->nr == 20 || e->nr == 19 || e->nr == 46 || e->nr == 47) {
				ev.len = ret >= 0 ? (size_t)ret : 0; /* no asked-for count */
			} else {
				ev.len = (size_t)e->len;
			}
			if (e->call == RC_SEND && s->has_snd)
				ev.off = (uint32_t)(seq - s->isn_snd);
			else if (e->call == RC_RECV && s->has_rcv)
				ev.off = (uint32_t)(seq - s->isn_rcv);
			if (e->data_len) {
				ev.data = e->data;
				ev.data_len = e->data_len;
			}
			break;
		case RC_CONNECT:
		case RC_ACCEPT:
			ev.kind = e->call == RC_CONNECT ? SLW_CONNECT : SLW_ACCEPT;
			if (e->has_isn) {
				s->isn_snd = e->isn_snd;
				s->has_snd = 1;
				if (e->isn_rcv) {
					s->isn_rcv = e->isn_rcv;
					s->has_rcv = 1;
				}
			}
			break;
		case RC_SHUTDOWN:
			ev.kind = SLW_SHUTDOWN;
			ev.how = e->arg;
			break;
		case RC_CLOSE: ev.kind = SLW_CLOSE; break;
		default: return 0;
		}
		break;
	case REC_RST_RECV:
	case REC_RST_SEND:
	case REC_STATE: {
		/* The wire's side: no process (softirq), tied to the socket. */
		fmt_addr(e->family, e->laddr, e->lport, local, sizeof local);
		fmt_addr(e->family, e->paddr, e->pport, peer, sizeof peer);
		struct timespec ts = to_realtime(f, e->ts);
		int n = snprintf(buf, size,
				 "{\"ts\":\"%lld.%09ld\",\"pid\":null,\"event\":\"%s\",\"local\":"
				 "\"%s\",\"peer\":\"%s\",\"state\":\"%s\",\"state_after\":\"%s\"",
				 (long long)ts.tv_sec, ts.tv_nsec, event_of_kind[e->kind], local,
				 peer, state_name(e->state), state_name(e->state_after));
		if (n < 0 || (size_t)n >= size)
			return -1;
		struct tail t = { buf, (size_t)n, size, 0 };
		if (e->sk_err)
			tail_printf(&t, ",\"sk_err\":\"%s\"", slw_errno_name(e->sk_err));
		if (e->kind == REC_RST_SEND && e->reason)
			tail_printf(&t, ",\"reason\":%u", e->reason - 1);
		tail_printf(&t, "}\n");
		return t.full ? -1 : (int)t.len;
	}
	default: return 0;
	}
	int n = slw_format(buf, size, &ev);
	if (n < 2)
		return -1;
	/* The kernel's own facts, after the writer's fields. */
	struct tail t = { buf, (size_t)n - 2, size, 0 };
	tail_printf(&t, ",\"tid\":%u", e->tid);
	tail_str(&t, "comm", e->comm, comm_len);
	if (e->kind == REC_CALL) {
		struct timespec te = to_realtime(f, e->ts_enter);
		tail_printf(&t, ",\"syscall\":\"%s\"", syscall_name(e->nr));
		if (e->call == RC_SEND || e->call == RC_RECV)
			tail_printf(&t, ",\"seq\":%u", seq);
		tail_printf(&t, ",\"state\":\"%s\",\"state_after\":\"%s\"", state_name(e->state),
			    state_name(e->state_after));
		if (e->sk_err)
			tail_printf(&t, ",\"sk_err\":\"%s\"", slw_errno_name(e->sk_err));
		if (e->shut & 2)
			tail_printf(&t, ",\"shut_wr\":true");
		if (e->fd_changed)
			tail_printf(&t, ",\"fd_closed\":true");
		tail_printf(&t, ",\"ts_enter\":\"%lld.%09ld\"", (long long)te.tv_sec, te.tv_nsec);
	}
	tail_printf(&t, "}\n");
	if (e->kind == REC_CALL && e->call == RC_CLOSE && s)
		memset(s, 0, sizeof *s);
	return t.full ? -1 : (int)t.len;
}

int64_t rec_clock_offset(int n, int64_t *err_ns)
{
	int64_t best = INT64_MAX, off = 0;
	for (int i = 0; i < n; i++) {
		struct timespec m1, r, m2;
		clock_gettime(CLOCK_MONOTONIC, &m1);
		clock_gettime(CLOCK_REALTIME, &r);
		clock_gettime(CLOCK_MONOTONIC, &m2);
		int64_t a = (int64_t)m1.tv_sec * 1000000000 + m1.tv_nsec;
		int64_t b = (int64_t)m2.tv_sec * 1000000000 + m2.tv_nsec;
		int64_t rt = (int64_t)r.tv_sec * 1000000000 + r.tv_nsec;
		if (b - a < best) {
			best = b - a;
			off = rt - (a + (b - a) / 2);
		}
	}
	if (err_ns)
		*err_ns = best / 2;
	return off;
}

/* ---- the recorder ---------------------------------------------------------- */

#define REC_BUF (1 << 20)

struct recorder {
	struct record_bpf *skel;
	struct ring_buffer *rb;
	struct rec_fmt *fmt;
	int log_fd;
	recorder_keep_fn keep;
	void *keep_arg;
	int (*lines)(const char *p, size_t n, void *arg);
	void *lines_arg;
	uint64_t lines_lost; /* events the correlator could not take */
	char *buf; /* lines waiting to be written */
	size_t len;
	uint64_t events;
	int write_failed;
	struct timespec last_sync;
};

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || !getenv("RSTSCOPE_BPF_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int flush_lines(struct recorder *r)
{
	size_t done = 0;
	if (r->lines && r->len && r->lines(r->buf, r->len, r->lines_arg) != 0)
		r->lines_lost++;
	if (r->log_fd < 0) {
		r->len = 0;
		return 0;
	}
	while (done < r->len) {
		ssize_t w = write(r->log_fd, r->buf + done, r->len - done);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			r->write_failed = 1;
			r->len = 0;
			return -1;
		}
		done += (size_t)w;
	}
	r->len = 0;
	return 0;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct recorder *r = ctx;
	const struct rec_event *e = data;
	if (size < sizeof *e)
		return 0;
	r->events++;
	if (e->kind == REC_CALL && r->keep &&
	    !r->keep(e->family, e->laddr, e->lport, e->paddr, e->pport, r->keep_arg))
		return 0;
	if (REC_BUF - r->len < 2048 && flush_lines(r) != 0)
		return 0;
	int n = rec_fmt_event(r->fmt, e, r->buf + r->len, REC_BUF - r->len);
	if (n > 0)
		r->len += (size_t)n;
	return 0;
}

/* Why loading failed, said for a user: what to do about it. */
static void explain_load(int e, char *err, size_t errlen)
{
	struct stat st;
	if (stat("/sys/kernel/btf/vmlinux", &st) != 0)
		snprintf(err, errlen,
			 "the kernel has no BTF (/sys/kernel/btf/vmlinux; CONFIG_DEBUG_INFO_BTF)");
	else if (e == EPERM || e == EACCES)
		snprintf(err, errlen,
			 "not permitted to load BPF programs (%s): run as root, or give the binary "
			 "cap_bpf,cap_perfmon (setcap, see rstscope(1)); a container may forbid "
			 "bpf() altogether",
			 strerror(e));
	else
		snprintf(err, errlen, "cannot load the BPF programs: %s (set RSTSCOPE_BPF_DEBUG=1 "
				      "for libbpf's messages)",
			 strerror(e));
}

struct recorder *recorder_open(const struct recorder_opts *o, char *err, size_t errlen)
{
	libbpf_set_print(libbpf_quiet);
	struct recorder *r = calloc(1, sizeof *r);
	if (!r || !(r->fmt = rec_fmt_new()) || !(r->buf = malloc(REC_BUF))) {
		snprintf(err, errlen, "out of memory");
		recorder_free(r);
		return NULL;
	}
	r->log_fd = o->log_fd;
	r->lines = o->lines;
	r->lines_arg = o->lines_arg;
	r->keep = o->keep;
	r->keep_arg = o->keep_arg;
	r->skel = record_bpf__open();
	if (!r->skel) {
		explain_load(errno, err, errlen);
		recorder_free(r);
		return NULL;
	}
	r->skel->rodata->trace_all = o->all != 0;
	r->skel->rodata->self_tgid = (__u32)getpid();
	/* tcp_send_reset has had a reason argument since 6.10. */
	struct btf *vm = btf__load_vmlinux_btf();
	int has_reason = vm && btf__find_by_name_kind(vm, "sk_rst_reason", BTF_KIND_ENUM) > 0;
	btf__free(vm);
	bpf_program__set_autoload(has_reason ? r->skel->progs.rec_rst_send_old
					     : r->skel->progs.rec_rst_send,
				  false);
	int rc = record_bpf__load(r->skel);
	if (rc) {
		explain_load(-rc > 0 ? -rc : errno, err, errlen);
		recorder_free(r);
		return NULL;
	}
	for (int i = 0; i < o->npids; i++)
		if (recorder_add_pid(r, o->pids[i]) != 0) {
			snprintf(err, errlen, "cannot trace pid %d: %s", (int)o->pids[i],
				 strerror(errno));
			recorder_free(r);
			return NULL;
		}
	rc = record_bpf__attach(r->skel);
	if (rc) {
		explain_load(-rc > 0 ? -rc : errno, err, errlen);
		recorder_free(r);
		return NULL;
	}
	r->rb = ring_buffer__new(bpf_map__fd(r->skel->maps.events), on_event, r, NULL);
	if (!r->rb) {
		snprintf(err, errlen, "cannot map the ring buffer: %s", strerror(errno));
		recorder_free(r);
		return NULL;
	}
	rec_fmt_set_offset(r->fmt, rec_clock_offset(200, NULL));
	clock_gettime(CLOCK_MONOTONIC, &r->last_sync);
	return r;
}

void recorder_free(struct recorder *r)
{
	if (!r)
		return;
	if (r->rb) {
		ring_buffer__consume(r->rb);
		flush_lines(r);
	}
	ring_buffer__free(r->rb);
	record_bpf__destroy(r->skel);
	rec_fmt_free(r->fmt);
	free(r->buf);
	free(r);
}

void recorder_set_log_fd(struct recorder *r, int fd) { r->log_fd = fd; }

int recorder_add_pid(struct recorder *r, pid_t pid)
{
	__u32 key = (__u32)pid;
	__u8 one = 1;
	return bpf_map__update_elem(r->skel->maps.tgids, &key, sizeof key, &one, sizeof one,
				    BPF_ANY);
}

int recorder_fd(const struct recorder *r) { return r->rb ? ring_buffer__epoll_fd(r->rb) : -1; }

int recorder_poll(struct recorder *r)
{
	/* The clocks drift apart (NTP slews CLOCK_REALTIME): re-aligned each
	 * second, before the events that follow are stamped. */
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec != r->last_sync.tv_sec) {
		rec_fmt_set_offset(r->fmt, rec_clock_offset(20, NULL));
		r->last_sync = now;
	}
	uint64_t before = r->events;
	if (ring_buffer__consume(r->rb) < 0)
		return -1;
	if (r->len && flush_lines(r) != 0)
		return -1;
	if (r->write_failed) {
		errno = EIO;
		return -1;
	}
	return (int)(r->events - before);
}

uint64_t recorder_events(const struct recorder *r) { return r ? r->events : 0; }
uint64_t recorder_unread(const struct recorder *r) { return r ? r->lines_lost : 0; }

uint64_t recorder_drops(const struct recorder *r)
{
	if (!r || !r->skel || !r->skel->bss)
		return 0;
	uint64_t sum = 0;
	for (size_t i = 0; i < sizeof r->skel->bss->drops / sizeof r->skel->bss->drops[0]; i++)
		sum += __atomic_load_n(&r->skel->bss->drops[i], __ATOMIC_RELAXED);
	return sum;
}
