/* flow.h: the connection table: direction, ISNs, FIN/RST, acked bytes, notes.
 *
 * The flow table knows nothing about link layers or output: it takes decoded
 * segments and says, for each, which connection and direction it belongs to,
 * its relative numbers, and what it means ("RST: the peer had closed; these 14
 * bytes are lost"). Memory grows with the number of open connections, up to
 * a hard cap; a connection that ends is kept for a short while (late RSTs and
 * ACKs still find it) and then retired through a callback that receives its
 * summary. So is one that stays silent too long (by capture time) or that
 * the full table evicts: c->gone says which. */
#ifndef RSTSCOPE_FLOW_H
#define RSTSCOPE_FLOW_H

#include <stdint.h>
#include <string.h>

#include "decode.h"

/* Capture time, nanoseconds since the epoch. */
typedef int64_t ts_ns;

/* What a segment means, from the wire alone. */
enum seg_note {
	NOTE_NONE = 0,
	NOTE_SYN,		  /* connection request */
	NOTE_SYNACK,		  /* connection accepted */
	NOTE_FIN_HALF_CLOSE,	  /* first FIN: this side will send no more */
	NOTE_FIN_BOTH,		  /* second FIN: both sides have closed */
	NOTE_DATA_AFTER_PEER_FIN, /* data sent after the peer's FIN */
	NOTE_DATA_AFTER_OWN_FIN,  /* data sent after this side's own FIN: invalid */
	NOTE_RST_AFTER_FIN,	  /* RST answering data sent after the RST sender's FIN */
	NOTE_RST_ABORT,		  /* RST with no FIN before: abortive close */
	NOTE_RST_REFUSED,	  /* RST answering a SYN: nothing listening */
	NOTE_RST_AFTER_CLOSE,	  /* RST after both FINs: a late segment */
	NOTE_RETRANSMIT,	  /* data already sent once */
};

/* One side of a connection. Side 0 is the client (the SYN sender, or the
 * source of the first segment seen), side 1 the server. */
struct flow_side {
	uint32_t isn;	   /* valid when isn_known */
	uint32_t data_end; /* highest seq + payload length sent (valid when sent_any) */
	uint32_t acked;	   /* highest ack the other side sent for our data (valid when acked_any) */
	uint32_t fin_seq;
	uint64_t pkts, bytes;	    /* segments and payload bytes sent */
	uint64_t fin_n;		    /* record number of the first FIN, 0 when none */
	uint64_t rst_n;		    /* record number of the first RST, 0 when none */
	uint64_t last_data_n;	    /* record number of the last new data segment */
	uint64_t data_after_fin;    /* payload bytes sent after the peer's FIN */
	uint64_t first_after_fin_n; /* record number of the first data after the peer's FIN */
	uint64_t retrans;	    /* retransmitted segments */
	uint8_t isn_known, sent_any, acked_any;
};

/* Counters the correlator keeps per connection (zero without a send log). */
struct flow_calls {
	uint64_t sends, sends_failed, bytes_sent_ok, bytes_acked, bytes_lost;
	uint64_t calls;
};

struct conn {
	/* What a lookup compares, in the first 64 bytes (conns are aligned to
	 * 64): one cache line per connection looked at. */
	struct conn *hnext; /* hash chain */
	uint32_t hash;
	uint16_t port[2];
	uint8_t family;
	uint8_t addr[2][16];	  /* addr[side] */
	struct conn *prev, *next; /* age list: open ones, then closed ones */
	uint64_t id;		  /* 1, 2, ... in order of first segment */
	ts_ns first_ts, last_ts, closed_ts;
	uint64_t first_n, last_n;
	uint8_t closed; /* RST seen, or both FINs and the last ACK */
	uint8_t syn_seen;
	uint8_t half;  /* half-open: begun with a SYN, the handshake not complete */
	uint8_t list;  /* the table's list it is on */
	uint8_t gone;  /* why it was retired: enum flow_gone */
	ts_ns list_ts; /* when it was put on that list (or last seen active there) */
	struct flow_side side[2];
	uint64_t lost;	     /* payload bytes never acknowledged at RST */
	uint64_t rst_lost_n; /* the data segment the first RST answered */
	int rst_from;	     /* side that sent the first RST, -1 when none */
	/* An RST that did not reach its socket: the receiver sent again after
	 * it (dropped on the way), or answered it with an ACK alone when its
	 * seq was not the one expected (RFC 5961's challenge ACK). It is then
	 * as if it had not been sent: rst_from and the loss wait for the next. */
	uint64_t rst_missed_n;
	uint8_t rst_missed_outside; /* ... ignored (challenge ACK), not dropped */
	uint8_t rst_missed_to;	    /* ... the side it was sent to */
	uint8_t rst_seq_off;	    /* the first RST's seq was not the one its receiver expects */
	uint8_t closed_by_rst;	    /* closed is that RST's doing */
	int first_fin_from;	    /* side that sent the first FIN, -1 when none */
	struct flow_calls calls;
	void *user; /* the correlator's per-connection state */
	/* The labels: these stay last, the correlator copies from ep on. */
	char ep[2][48]; /* "ADDR:PORT" of each side, formatted once */
	uint8_t ep_len[2];
	/* The text timeline's connection column for each direction, made by
	 * the output on first use (0: not yet): formatting it once per
	 * connection instead of once per segment. */
	char col[2][112];
	uint8_t col_len[2];
};

/* What flow_update() says about one segment. */
struct seg_info {
	struct conn *conn;
	int dir; /* sending side: 0 client->server, 1 server->client */
	uint8_t rseq_ok, rack_ok;
	uint32_t rseq, rack;
	enum seg_note note;
	uint64_t note_bytes; /* lost bytes for RST notes, bytes for data notes */
	uint64_t
		note_ref; /* record number the note refers to (RST: data answered; FIN: peer FIN) */
	uint8_t new_conn; /* this segment opened the connection entry */
	/* This segment shows that the RST at record rst_missed never reached
	 * this side's socket: sent again after it (dropped on the way), or,
	 * rst_outside, an ACK alone answering an RST whose seq was not the one
	 * expected (RFC 5961). 0: nothing of the kind. */
	uint64_t rst_missed;
	uint8_t rst_outside;
	uint64_t rst_again; /* an RST after the connection was reset: the first RST's record */
};

/* Why a connection was retired (struct conn's gone). */
enum flow_gone {
	FLOW_GONE_ENDED = 0, /* it ended, or the input did */
	FLOW_GONE_EXPIRED,   /* no traffic for FLOW_HALF_IDLE (half-open) or FLOW_IDLE */
	FLOW_GONE_EVICTED,   /* the table was full and it was the oldest or idlest */
};

/* Expiry by capture time: a half-open connection after this long without a
 * segment (longer than any gap between Linux's SYN retransmissions, which
 * back off to at most 120 s), any other one after FLOW_IDLE (about the 924 s
 * Linux retransmits unacknowledged data before giving up, tcp_retries2 = 15;
 * the gaps between retransmissions are at most 120 s). */
#define FLOW_HALF_IDLE ((ts_ns)180 * 1000000000)
#define FLOW_IDLE      ((ts_ns)900 * 1000000000)
/* The cap on connections held (open, half-open and lingering closed ones),
 * unless set: as many as fit in FLOW_TABLE_BYTES (35,746 alone, 12,684 with
 * the correlator's area). At the cap, a closed one goes first, then the
 * oldest half-open one, then the one idle longest. */
#define FLOW_TABLE_BYTES ((size_t)24 << 20)

/* A finished connection, as handed to the retire callback (POD). */
struct flow_table;
typedef void (*flow_retire_fn)(const struct conn *c, void *arg);

struct flow_table *flow_table_new(flow_retire_fn retire, void *arg);
/* Gives every connection `size` bytes of its own for the caller, at
 * flow_user_area(c) (uninitialized; c->user stays NULL until the caller sets
 * it). Only before the first segment: returns -1 after. */
int flow_table_set_user_size(struct flow_table *t, size_t size);
void *flow_user_area(struct conn *c);
/* The cap on connections held (see FLOW_TABLE_BYTES; at least 1). */
void flow_table_set_max(struct flow_table *t, uint32_t max);
uint32_t flow_table_max(const struct flow_table *t);
/* Retires every connection still held, in id order, then frees the table. */
void flow_table_free(struct flow_table *t);
/* Retire every connection still held (in id order) without freeing the table. */
void flow_table_flush(struct flow_table *t);

/* Account one segment (record number n, time ts); fills *info. Returns 0, or
 * -1 when memory ran out (the segment is then not attributed). */
int flow_update(struct flow_table *t, const struct tcp_segment *seg, uint64_t n, ts_ns ts,
		struct seg_info *info);
/* The same, with the segment's flow_hash() already known. */
int flow_update_h(struct flow_table *t, const struct tcp_segment *seg, uint32_t hash, uint64_t n,
		  ts_ns ts, struct seg_info *info);

/* Look a connection up by one of its endpoints pairs (any order). */
struct conn *flow_lookup(struct flow_table *t, uint8_t family, const uint8_t *a, uint16_t aport,
			 const uint8_t *b, uint16_t bport, int *dir);
/* The same, with the pair's flow_tuple_hash() already known. */
struct conn *flow_lookup_h(struct flow_table *t, uint32_t hash, uint8_t family, const uint8_t *a,
			   uint16_t aport, const uint8_t *b, uint16_t bport, int *dir);

/* The table's hash of a 4-tuple, the same both ways (any thread may compute
 * it), and of a segment's. */
uint32_t flow_tuple_hash(uint8_t family, const uint8_t *a, uint16_t aport, const uint8_t *b,
			 uint16_t bport);
uint32_t flow_hash(const struct tcp_segment *seg);
/* Hints that segments of this hash come soon: step 1 fetches the bucket,
 * step 2 (a few segments later) the whole of the first connection in it (a
 * segment touches most of its lines: lookup, sides, the text column). */
void flow_prefetch(const struct flow_table *t, uint32_t hash, int step);

/* Connections held and not closed (half-open included). */
uint64_t flow_open_count(const struct flow_table *t);
uint64_t flow_total_count(const struct flow_table *t);
/* Connections retired because the table was full, or for silence. */
uint64_t flow_evicted_count(const struct flow_table *t);
uint64_t flow_expired_count(const struct flow_table *t);

/* Equal addresses: fixed-size compares the compiler inlines (a memcmp of
 * 4-or-16 bytes is a library call on every segment). */
static inline int flow_addr_eq(const uint8_t *x, const uint8_t *y, int v6)
{
	if (!v6) {
		uint32_t a, b;
		memcpy(&a, x, 4);
		memcpy(&b, y, 4);
		return a == b;
	}
	return !memcmp(x, y, 16);
}

/* Is c the connection between a:ap and b:bp? *dir: 0 when a is its side 0
 * (the client), 1 when a is its side 1. */
static inline int flow_conn_is(const struct conn *c, uint8_t family, const uint8_t *a, uint16_t ap,
			       const uint8_t *b, uint16_t bp, int *dir)
{
	if (c->family != family)
		return 0;
	int v6 = family != 4;
	for (int d = 0; d < 2; d++)
		if (c->port[d] == ap && c->port[1 - d] == bp && flow_addr_eq(c->addr[d], a, v6) &&
		    flow_addr_eq(c->addr[1 - d], b, v6)) {
			*dir = d;
			return 1;
		}
	return 0;
}

/* Short code and sentence for a note, e.g. "rst_after_fin". */
const char *flow_note_code(enum seg_note note);

/* Serial-number comparison (RFC 1982): a after b. */
static inline int seq_after(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }

#endif
