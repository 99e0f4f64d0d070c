/* record.h: the event the kernel recorder's BPF programs (record.bpf.c) hand
 * to user space (recorder.c) through the ring buffer. Shared by both sides,
 * as libbpf-tools' tcpstates.h is: fixed-size fields only, no pointers to
 * follow (sk is an identity, never dereferenced in user space). */
#ifndef RSTSCOPE_RECORD_H
#define RSTSCOPE_RECORD_H

#define REC_COMM_LEN 16
#define REC_DATA_MAX 64

/* What an event is. */
enum rec_kind {
	REC_CALL = 1,	  /* a system call on a TCP socket, at its exit */
	REC_SIGNAL = 2,	  /* SIGPIPE generated for a traced process */
	REC_EXIT = 3,	  /* a traced process (thread group) ended */
	REC_RST_RECV = 4, /* tcp_receive_reset: a socket took an RST */
	REC_RST_SEND = 5, /* tcp_send_reset: the kernel sent an RST */
	REC_STATE = 6,	  /* inet_sock_set_state on a TCP socket */
};

/* Signal dispositions at signal_generate. */
enum rec_disp { REC_DISP_DEFAULT = 0, REC_DISP_IGNORE, REC_DISP_HANDLER, REC_DISP_BLOCKED };

/* Which family of call: the send log's event. */
enum rec_call {
	RC_SEND = 1,
	RC_RECV,
	RC_CONNECT,
	RC_ACCEPT,
	RC_SHUTDOWN,
	RC_CLOSE,
};

struct rec_event {
	__u64 ts_enter; /* CLOCK_MONOTONIC ns (bpf_ktime_get_ns) */
	__u64 ts;	/* at exit, or when the event happened */
	__u64 sk;	/* the socket's address in the kernel: its identity */
	__s64 ret;	/* the call's return value (-errno on failure) */
	__u32 pid, tid;
	__s32 fd;      /* the call's descriptor (accept: the listening one; ret is the new) */
	__u32 seq;     /* send: write_seq at entry; recv: copied_seq at entry */
	__u32 seq_end; /* the same at exit: the bytes the call moved */
	__u32 isn_snd; /* connect/accept: write_seq at exit (our ISN + 1) */
	__u32 isn_rcv; /* connect/accept: rcv_nxt at exit (the peer's ISN + 1), 0 unknown */
	__u64 len;     /* bytes asked for; sendmmsg/recvmmsg: messages */
	__u32 flags;   /* MSG_* flags of send/recv calls */
	__s32 arg;     /* shutdown: how; signal: the signal; exit: exit code (wait status) */
	__u32 reason;  /* tcp_send_reset: the kernel's reason code + 1; 0 unknown */
	__u16 nr;      /* the system call number */
	__u16 sk_err;  /* the socket error pending at entry (consumed by the call) */
	__u16 lport, pport; /* host byte order */
	__u8 kind;	    /* enum rec_kind */
	__u8 call;	    /* enum rec_call */
	__u8 family;	    /* 4 or 6 */
	__u8 state;	    /* TCP state at entry (1 ESTABLISHED ... 12 NEW_SYN_RECV) */
	__u8 state_after;   /* TCP state at exit; REC_STATE: the new state */
	__u8 shut;	    /* sk_shutdown at entry (1 RCV, 2 SEND) */
	__u8 disp;	    /* signal: enum rec_disp */
	__u8 data_len;	    /* bytes of data[] */
	__u8 has_isn;	    /* connect/accept: isn_snd (and isn_rcv if nonzero) are set */
	__u8 fd_changed;    /* the fd pointed to another file at exit (closed meanwhile) */
	__u8 pad[6];
	__u8 laddr[16], paddr[16];
	char comm[REC_COMM_LEN];
	__u8 data[REC_DATA_MAX];
};

#endif
