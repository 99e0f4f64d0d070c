// SPDX-License-Identifier: GPL-2.0
/* record.bpf.c: the kernel recorder. Socket calls on TCP sockets, seen from
 * the kernel's own socket at the call's entry and exit, SIGPIPE as it is
 * generated, process exits, and the wire's side (RSTs taken and sent, state
 * changes). Tracepoints only (tp_btf: no kprobes, no fentry, no tracefs);
 * fields read with BPF_CORE_READ so that one build loads on other kernels.
 * The model is libbpf-tools' tcpstates: settings fixed before load as
 * const volatile, events through a ring buffer, losses counted here. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "record.h"

#define AF_INET	 2
#define AF_INET6 10
#define S_IFMT	 00170000
#define S_IFSOCK 0140000
#define SOCK_STREAM 1
#define IPPROTO_TCP 6
#define SIGPIPE	    13
#define SIGNAL_GROUP_EXIT 0x00000004

/* x86_64 system call numbers (the BPF target is x86). */
#define NR_read	    0
#define NR_write    1
#define NR_close    3
#define NR_readv    19
#define NR_writev   20
#define NR_sendfile 40
#define NR_connect  42
#define NR_accept   43
#define NR_sendto   44
#define NR_recvfrom 45
#define NR_sendmsg  46
#define NR_recvmsg  47
#define NR_shutdown 48
#define NR_accept4  288
#define NR_recvmmsg 299
#define NR_sendmmsg 307

/* Fixed before load (user space sets them in the skeleton's rodata). */
const volatile bool trace_all = false; /* every process, not only those in tgids */
const volatile __u32 self_tgid = 0;    /* the tracer itself: never recorded */
const volatile __u32 wake_bytes = 256 * 1024; /* wake the reader past this much */

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 32 * 1024 * 1024); /* ~160k events: a burst of a second or two */
} events SEC(".maps");

/* Events the ring buffer could not take, per CPU: in .bss, which user
 * space reads through the skeleton's mapping (no system call, and no
 * privilege needed once they are dropped). */
#define DROP_SLOTS 256
__u64 drops[DROP_SLOTS];

/* The processes traced (thread group ids), when not trace_all; forks of a
 * traced process are added as they happen. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u8);
} tgids SEC(".maps");

/* A call between its entry and its exit, per thread. */
struct stash {
	__u64 ts_enter;
	__u64 sk;
	__u64 file;
	__u64 slot; /* &fdt->fd[fd]: what the fd points to at exit is one read */
	__u64 buf;  /* user buffer (or iovec / msghdr) for the data preview */
	__u64 len;
	__u32 flags;
	__s32 fd;
	__s32 arg;
	__u32 seq;
	__u16 nr;
	__u16 sk_err;
	__u16 lport, pport;
	__u8 call, family, state, shut;
	__u8 peer_from_arg; /* connect: paddr/pport from its sockaddr */
	__u8 pad[3];
	__u8 laddr[16], paddr[16];
};
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct stash);
} stashes SEC(".maps");

/* Sockets a traced call touched: the wire's events are kept for them. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u8);
} known_sks SEC(".maps");

static __always_inline bool traced(__u32 tgid)
{
	if (tgid == self_tgid)
		return false;
	if (trace_all)
		return true;
	return bpf_map_lookup_elem(&tgids, &tgid) != NULL;
}

static __always_inline void *reserve(void)
{
	void *e = bpf_ringbuf_reserve(&events, sizeof(struct rec_event), 0);
	if (!e)
		__sync_fetch_and_add(&drops[bpf_get_smp_processor_id() & (DROP_SLOTS - 1)], 1);
	return e;
}

static __always_inline void submit(void *e)
{
	/* Waking the reader costs more than the event (an interrupt, a VM
	 * exit under a hypervisor); it polls on a timer, and is woken once
	 * when the waiting events cross wake_bytes, not on every event past
	 * that (the ring's own count includes this event). */
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 flags = avail >= wake_bytes && avail < wake_bytes + 2 * sizeof(struct rec_event) + 16
			      ? BPF_RB_FORCE_WAKEUP
			      : BPF_RB_NO_WAKEUP;
	bpf_ringbuf_submit(e, flags);
}

/* The TCP socket behind descriptor fd of the current task, or NULL. */
static __always_inline struct sock *fd_sock(int fd, __u64 *filep, __u64 *slotp)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	if (!fdt || fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;
	/* fds[fd] directly fails the verifier: read the entry. */
	if (bpf_probe_read_kernel(&f, sizeof f, &fds[fd]) != 0 || !f)
		return NULL;
	if (slotp)
		*slotp = (__u64)&fds[fd];
	if ((BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return NULL;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return NULL;
	__u16 fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (fam != AF_INET && fam != AF_INET6)
		return NULL;
	if (BPF_CORE_READ(sk, sk_type) != SOCK_STREAM ||
	    BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return NULL;
	*filep = (__u64)f;
	return sk;
}

/* The socket's addresses; the local port falls back to inet_sport, which
 * stays set once the port is released at close. */
static __always_inline void sk_addrs(struct sock *sk, __u8 *family, __u8 *laddr, __u8 *paddr,
				     __u16 *lport, __u16 *pport)
{
	__u16 fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (fam == AF_INET6) {
		*family = 6;
		bpf_core_read(laddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(paddr, 16, &sk->__sk_common.skc_v6_daddr);
	} else {
		*family = 4;
		bpf_core_read(laddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(paddr, 4, &sk->__sk_common.skc_daddr);
	}
	__u16 lp = BPF_CORE_READ(sk, __sk_common.skc_num);
	if (!lp) {
		struct inet_sock *inet = (struct inet_sock *)sk;
		lp = bpf_ntohs(BPF_CORE_READ(inet, inet_sport));
	}
	*lport = lp;
	*pport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
}

static __always_inline __u8 call_of(long nr)
{
	switch (nr) {
	case NR_write:
	case NR_writev:
	case NR_sendfile:
	case NR_sendto:
	case NR_sendmsg:
	case NR_sendmmsg: return RC_SEND;
	case NR_read:
	case NR_readv:
	case NR_recvfrom:
	case NR_recvmsg:
	case NR_recvmmsg: return RC_RECV;
	case NR_connect: return RC_CONNECT;
	case NR_accept:
	case NR_accept4: return RC_ACCEPT;
	case NR_shutdown: return RC_SHUTDOWN;
	case NR_close: return RC_CLOSE;
	}
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(rec_sys_enter, struct pt_regs *regs, long nr)
{
	__u8 call = call_of(nr);
	if (!call)
		return 0;
	__u64 id = bpf_get_current_pid_tgid();
	if (!traced(id >> 32))
		return 0;
	int fd = (int)BPF_CORE_READ(regs, di);
	__u64 file = 0, slot = 0;
	struct sock *sk = fd_sock(fd, &file, &slot);
	if (!sk)
		return 0;
	struct stash st = {};
	st.slot = slot;
	st.ts_enter = bpf_ktime_get_ns();
	st.sk = (__u64)sk;
	st.file = file;
	st.fd = fd;
	st.nr = (__u16)nr;
	st.call = call;
	st.state = BPF_CORE_READ(sk, __sk_common.skc_state);
	st.sk_err = (__u16)BPF_CORE_READ(sk, sk_err);
	st.shut = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_shutdown);
	sk_addrs(sk, &st.family, st.laddr, st.paddr, &st.lport, &st.pport);
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	__u64 a1 = BPF_CORE_READ(regs, si), a2 = BPF_CORE_READ(regs, dx),
	      a3 = BPF_CORE_READ(regs, r10);
	switch (nr) {
	case NR_write:
	case NR_read:
		st.buf = a1;
		st.len = a2;
		break;
	case NR_sendto:
	case NR_recvfrom:
		st.buf = a1;
		st.len = a2;
		st.flags = (__u32)a3;
		break;
	case NR_writev:
	case NR_readv:
		st.buf = a1; /* iovec; len is the total, found at exit */
		st.len = a2; /* the iovec count until then */
		break;
	case NR_sendmsg:
	case NR_recvmsg:
		st.buf = a1; /* msghdr */
		st.flags = (__u32)a2;
		break;
	case NR_sendmmsg:
	case NR_recvmmsg:
		st.len = a2;
		st.flags = (__u32)a3;
		break;
	case NR_sendfile: st.len = BPF_CORE_READ(regs, r10); break;
	case NR_shutdown: st.arg = (__s32)a1; break;
	case NR_connect: {
		/* A refused connect clears the socket's addresses: keep the
		 * peer from the call's own sockaddr. */
		struct {
			__u16 family;
			__u16 port;
			__u32 flow_or_v4;
			__u8 v6[16];
		} sa = {};
		if (bpf_probe_read_user(&sa, sizeof sa, (void *)a1) == 0) {
			if (sa.family == AF_INET) {
				st.peer_from_arg = 1;
				__builtin_memset(st.paddr, 0, 16);
				__builtin_memcpy(st.paddr, &sa.flow_or_v4, 4);
				st.pport = bpf_ntohs(sa.port);
			} else if (sa.family == AF_INET6) {
				st.peer_from_arg = 1;
				__builtin_memcpy(st.paddr, sa.v6, 16);
				st.pport = bpf_ntohs(sa.port);
			}
		}
		break;
	}
	}
	if (call == RC_SEND)
		st.seq = BPF_CORE_READ(tp, write_seq);
	else if (call == RC_RECV)
		st.seq = BPF_CORE_READ(tp, copied_seq);
	__u32 tid = (__u32)id;
	bpf_map_update_elem(&stashes, &tid, &st, BPF_ANY);
	return 0;
}

/* The first bytes of a send's or a receive's buffer. */
static __always_inline void preview(struct rec_event *e, const struct stash *st, long ret)
{
	__u64 buf = st->buf, n = 0;
	/* A failed send still shows what it tried to send. */
	if (ret < 0 && st->call == RC_SEND && st->len && st->len < 0x7fffffff &&
	    (st->nr == NR_write || st->nr == NR_sendto))
		ret = (long)st->len;
	if (ret <= 0 || !buf)
		return;
	switch (st->nr) {
	case NR_write:
	case NR_read:
	case NR_sendto:
	case NR_recvfrom: break;
	case NR_writev:
	case NR_readv: {
		struct iovec iov;
		if (bpf_probe_read_user(&iov, sizeof iov, (void *)buf) != 0)
			return;
		buf = (__u64)iov.iov_base;
		if (iov.iov_len < (__u64)ret)
			ret = (long)iov.iov_len;
		break;
	}
	case NR_sendmsg:
	case NR_recvmsg: {
		struct user_msghdr m;
		struct iovec iov;
		if (bpf_probe_read_user(&m, sizeof m, (void *)buf) != 0 || !m.msg_iov ||
		    bpf_probe_read_user(&iov, sizeof iov, m.msg_iov) != 0)
			return;
		buf = (__u64)iov.iov_base;
		if (iov.iov_len < (__u64)ret)
			ret = (long)iov.iov_len;
		break;
	}
	default: return;
	}
	n = (__u64)ret;
	if (n > REC_DATA_MAX)
		n = REC_DATA_MAX;
	/* 1 to REC_DATA_MAX, in a form the verifier can bound. */
	n = ((n - 1) & (REC_DATA_MAX - 1)) + 1;
	if (bpf_probe_read_user(e->data, n, (void *)buf) == 0)
		e->data_len = (__u8)n;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(rec_sys_exit, struct pt_regs *regs, long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct stash *st = bpf_map_lookup_elem(&stashes, &tid);
	if (!st)
		return 0;
	struct rec_event *e = reserve();
	if (!e) {
		bpf_map_delete_elem(&stashes, &tid);
		return 0;
	}
	__builtin_memset(e, 0, sizeof *e);
	e->kind = REC_CALL;
	e->ts_enter = st->ts_enter;
	e->ts = bpf_ktime_get_ns();
	e->ret = ret;
	e->pid = id >> 32;
	e->tid = tid;
	e->fd = st->fd;
	e->nr = st->nr;
	e->call = st->call;
	e->len = st->len;
	e->flags = st->flags;
	e->arg = st->arg;
	e->sk_err = st->sk_err;
	e->state = st->state;
	e->shut = st->shut;
	e->seq = st->seq;
	bpf_get_current_comm(e->comm, sizeof e->comm);
	struct sock *sk = (struct sock *)st->sk;
	if (st->call == RC_ACCEPT && ret >= 0) {
		/* The new connection's socket, behind the returned descriptor. */
		__u64 file = 0;
		struct sock *nsk = fd_sock((int)ret, &file, NULL);
		if (nsk)
			sk = nsk;
	} else if (st->call != RC_CLOSE) {
		/* Another thread may have closed the fd while the call blocked:
		 * the socket is read through the pointer kept at entry. (If the
		 * table grew meanwhile, the old slot may say so wrongly: the
		 * flag is a hint, the socket is right either way.) */
		__u64 now = 0;
		bpf_probe_read_kernel(&now, sizeof now, (void *)st->slot);
		e->fd_changed = now != st->file;
	}
	__u64 skey = (__u64)sk;
	__u8 one = 1;
	e->sk = skey;
	/* An LRU update costs more than a lookup: only a new socket's. */
	if (!bpf_map_lookup_elem(&known_sks, &skey))
		bpf_map_update_elem(&known_sks, &skey, &one, BPF_ANY);
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	e->state_after = BPF_CORE_READ(sk, __sk_common.skc_state);
	if (st->call == RC_SEND)
		e->seq_end = BPF_CORE_READ(tp, write_seq);
	else if (st->call == RC_RECV)
		e->seq_end = BPF_CORE_READ(tp, copied_seq);
	if ((st->call == RC_CONNECT || st->call == RC_ACCEPT) && (ret >= 0 || ret == -115)) {
		e->has_isn = 1;
		e->isn_snd = BPF_CORE_READ(tp, write_seq);
		if (e->state_after == 1 /* ESTABLISHED */)
			e->isn_rcv = BPF_CORE_READ(tp, copied_seq);
	}
	/* Addresses: those of entry, but connect binds the local port and
	 * accept's are the new socket's: read again then, and kept from
	 * entry where the socket lost them (refused). */
	__builtin_memcpy(e->laddr, st->laddr, 16);
	__builtin_memcpy(e->paddr, st->paddr, 16);
	e->lport = st->lport;
	e->pport = st->pport;
	e->family = st->family;
	if (st->call == RC_CONNECT || st->call == RC_ACCEPT) {
		struct stash a = {};
		sk_addrs(sk, &a.family, a.laddr, a.paddr, &a.lport, &a.pport);
		if (a.lport)
			e->lport = a.lport, __builtin_memcpy(e->laddr, a.laddr, 16);
		if (a.pport)
			e->pport = a.pport, __builtin_memcpy(e->paddr, a.paddr, 16);
		e->family = a.family;
	}
	if (st->call == RC_CONNECT && st->peer_from_arg && ret < 0 && ret != -115) {
		__builtin_memcpy(e->paddr, st->paddr, 16);
		e->pport = st->pport;
	}
	if (st->call == RC_SEND || st->call == RC_RECV)
		preview(e, st, ret);
	bpf_map_delete_elem(&stashes, &tid);
	submit(e);
	return 0;
}

/* SIGPIPE as it is generated: the task sends it to itself, so the
 * disposition read now is the one that decides. */
SEC("tp_btf/signal_generate")
int BPF_PROG(rec_signal, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	if (sig != SIGPIPE)
		return 0;
	__u32 tgid = BPF_CORE_READ(task, tgid);
	if (!traced(tgid))
		return 0;
	struct rec_event *e = reserve();
	if (!e)
		return 0;
	__builtin_memset(e, 0, sizeof *e);
	e->kind = REC_SIGNAL;
	e->ts = bpf_ktime_get_ns();
	e->pid = tgid;
	e->tid = BPF_CORE_READ(task, pid);
	e->arg = sig;
	e->ret = result;
	BPF_CORE_READ_STR_INTO(&e->comm, task, comm);
	__u64 handler = (__u64)BPF_CORE_READ(task, sighand, action[SIGPIPE - 1].sa.sa_handler);
	__u64 blocked = BPF_CORE_READ(task, blocked.sig[0]);
	if (blocked & (1ULL << (SIGPIPE - 1)))
		e->disp = REC_DISP_BLOCKED;
	else if (handler == 0)
		e->disp = REC_DISP_DEFAULT;
	else if (handler == 1)
		e->disp = REC_DISP_IGNORE;
	else
		e->disp = REC_DISP_HANDLER;
	submit(e);
	return 0;
}

/* A thread group's end: status, or the signal that killed it. A group
 * killed by SIGPIPE's default action shows no signal_deliver: its
 * group_exit_code says 13. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(rec_exit, struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);
	if (!traced(tgid))
		return 0;
	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0; /* other threads of the group live on */
	struct rec_event *e = reserve();
	if (!e)
		return 0;
	__builtin_memset(e, 0, sizeof *e);
	e->kind = REC_EXIT;
	e->ts = bpf_ktime_get_ns();
	e->pid = tgid;
	e->tid = BPF_CORE_READ(p, pid);
	BPF_CORE_READ_STR_INTO(&e->comm, p, comm);
	int code = BPF_CORE_READ(p, exit_code);
	if (BPF_CORE_READ(p, signal, flags) & SIGNAL_GROUP_EXIT)
		code = BPF_CORE_READ(p, signal, group_exit_code);
	e->arg = code;
	submit(e);
	if (!trace_all)
		bpf_map_delete_elem(&tgids, &tgid);
	return 0;
}

/* What a traced process forks is traced too, as strace -f. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(rec_fork, struct task_struct *parent, struct task_struct *child)
{
	if (trace_all)
		return 0;
	/* What the tracer forks is the command: traced from its first
	 * instruction, with no map update needed once privileges are gone. */
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	if (ptgid != self_tgid && !bpf_map_lookup_elem(&tgids, &ptgid))
		return 0;
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	__u8 one = 1;
	bpf_map_update_elem(&tgids, &ctgid, &one, BPF_ANY);
	return 0;
}

/* The wire's side, for the sockets traced calls touched (pid and comm mean
 * nothing here: this runs in softirq, for whatever task was running). */
static __always_inline int wire_event(const struct sock *sk, __u8 kind, int newstate,
				      __u32 reason)
{
	if (!sk)
		return 0;
	__u64 key = (__u64)sk;
	if (!trace_all && !bpf_map_lookup_elem(&known_sks, &key))
		return 0;
	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	struct rec_event *e = reserve();
	if (!e)
		return 0;
	__builtin_memset(e, 0, sizeof *e);
	e->kind = kind;
	e->ts = bpf_ktime_get_ns();
	e->sk = key;
	e->state = BPF_CORE_READ(sk, __sk_common.skc_state);
	e->state_after = newstate >= 0 ? (__u8)newstate : e->state;
	e->reason = reason;
	e->sk_err = (__u16)BPF_CORE_READ(sk, sk_err);
	sk_addrs((struct sock *)sk, &e->family, e->laddr, e->paddr, &e->lport, &e->pport);
	submit(e);
	return 0;
}

SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(rec_rst_recv, struct sock *sk) { return wire_event(sk, REC_RST_RECV, -1, 0); }

/* The reason argument came with 6.10; the loader picks the program that
 * fits the running kernel. */
SEC("tp_btf/tcp_send_reset")
int BPF_PROG(rec_rst_send, const struct sock *sk, const struct sk_buff *skb, int reason)
{
	return wire_event(sk, REC_RST_SEND, -1, (__u32)reason + 1);
}

SEC("tp_btf/tcp_send_reset")
int BPF_PROG(rec_rst_send_old, const struct sock *sk, const struct sk_buff *skb)
{
	return wire_event(sk, REC_RST_SEND, -1, 0);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(rec_state, const struct sock *sk, const int oldstate, const int newstate)
{
	return wire_event(sk, REC_STATE, newstate, 0);
}
