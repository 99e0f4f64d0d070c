/* test_flow.c: the connection table: direction, ISNs, relative numbers, FIN
 * and RST meanings, lost bytes, connection ids, retirement and memory.
 *
 * Segments are built as decoded values (struct tcp_segment): the flow table
 * never sees packet bytes, and test_decode covers the way there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flow.h"

#define SEC ((ts_ns)1000000000)

/* ---- fixture ---------------------------------------------------------------- */

/* Every retired connection: its id, and a copy of the first few. */
#define KEEP 64
struct retired {
	size_t n;
	uint64_t ids[KEEP];
	struct conn copy[KEEP];
	uint8_t *seen; /* seen[id]: times retired, for the big tests */
	size_t seen_len;
};

static void on_retire(const struct conn *c, void *arg)
{
	struct retired *r = arg;
	if (r->n < KEEP) {
		r->ids[r->n] = c->id;
		r->copy[r->n] = *c;
	}
	if (r->seen && c->id < r->seen_len)
		r->seen[c->id]++;
	r->n++;
}

struct fx {
	struct flow_table *t;
	struct retired r;
	uint64_t n; /* record number of the last segment fed */
	ts_ns ts;
	ts_ns step; /* capture time between two segments */
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	f->t = flow_table_new(on_retire, &f->r);
	if (!f->t)
		return -1;
	f->ts = 1763723790 * SEC;
	f->step = SEC / 1000;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	flow_table_free(f->t);
	free(f->r.seen);
	free(f);
	return 0;
}

/* Endpoints: the client 127.0.0.1:40494 and the server 127.0.0.1:8999, on
 * one address as on loopback, so only the ports tell them apart. */
struct ep {
	uint8_t family;
	uint8_t addr[16];
	uint16_t port;
};
static const struct ep CLI = { 4, { 127, 0, 0, 1 }, 40494 };
static const struct ep SRV = { 4, { 127, 0, 0, 1 }, 8999 };
static const struct ep CLI6 = { 6, { [15] = 1 }, 40494 };
static const struct ep SRV6 = { 6, { [15] = 1 }, 8999 };

static struct tcp_segment mk(const struct ep *from, const struct ep *to, uint32_t seq, uint32_t ack,
			     uint8_t flags, uint32_t len)
{
	struct tcp_segment s;
	memset(&s, 0, sizeof s);
	s.family = from->family;
	memcpy(s.src, from->addr, 16);
	memcpy(s.dst, to->addr, 16);
	s.sport = from->port;
	s.dport = to->port;
	s.seq = seq;
	s.ack = ack;
	s.flags = flags;
	s.win = 512;
	s.len = len;
	s.caplen = len;
	return s;
}

/* Feed one segment as the next record, f->step after the previous one. */
static struct seg_info feed(struct fx *f, const struct ep *from, const struct ep *to, uint32_t seq,
			    uint32_t ack, uint8_t flags, uint32_t len)
{
	struct tcp_segment s = mk(from, to, seq, ack, flags, len);
	struct seg_info in;
	f->n++;
	f->ts += f->step;
	assert_int_equal(flow_update(f->t, &s, f->n, f->ts, &in), 0);
	assert_non_null(in.conn);
	return in;
}

#define SYN TCPF_SYN
#define SA  (TCPF_SYN | TCPF_ACK)
#define A   TCPF_ACK
#define PA  (TCPF_PSH | TCPF_ACK)
#define FA  (TCPF_FIN | TCPF_ACK)
#define R   TCPF_RST
#define RA  (TCPF_RST | TCPF_ACK)

/* The three-way handshake, client ISN 1000, server ISN 5000: records 1-3. */
static struct conn *handshake(struct fx *f, const struct ep *c, const struct ep *s)
{
	struct seg_info in = feed(f, c, s, 1000, 0, SYN, 0);
	feed(f, s, c, 5000, 1001, SA, 0);
	feed(f, c, s, 1001, 5001, A, 0);
	return in.conn;
}

/* ---- direction ------------------------------------------------------------- */

static void test_syn_sender_is_client_and_handshake_directions(void **state)
{
	struct fx *f = *state;
	struct seg_info in = feed(f, &CLI, &SRV, 1000, 0, SYN, 0);
	struct conn *c = in.conn;
	assert_int_equal(in.new_conn, 1);
	assert_int_equal(in.dir, 0);
	assert_int_equal(in.note, NOTE_SYN);
	assert_int_equal(c->id, 1);
	assert_int_equal(c->port[0], 40494);
	assert_int_equal(c->port[1], 8999);
	assert_string_equal(c->ep[0], "127.0.0.1:40494");
	assert_string_equal(c->ep[1], "127.0.0.1:8999");
	assert_int_equal(c->ep_len[0], strlen("127.0.0.1:40494"));
	assert_int_equal(c->syn_seen, 1);
	assert_int_equal(c->first_n, 1);

	in = feed(f, &SRV, &CLI, 5000, 1001, SA, 0);
	assert_ptr_equal(in.conn, c);
	assert_int_equal(in.new_conn, 0);
	assert_int_equal(in.dir, 1);
	assert_int_equal(in.note, NOTE_SYNACK);

	in = feed(f, &CLI, &SRV, 1001, 5001, A, 0);
	assert_ptr_equal(in.conn, c);
	assert_int_equal(in.dir, 0);
	assert_int_equal(in.note, NOTE_NONE);
	assert_int_equal(c->side[0].pkts, 2);
	assert_int_equal(c->side[1].pkts, 1);
	assert_int_equal(c->last_n, 3);
	assert_int_equal(flow_open_count(f->t), 1);
	assert_int_equal(flow_total_count(f->t), 1);
}

static void test_lone_synack_names_its_sender_the_server(void **state)
{
	struct fx *f = *state;
	/* The capture began after the SYN: the SYN-ACK comes from the server. */
	struct seg_info in = feed(f, &SRV, &CLI, 5000, 1001, SA, 0);
	assert_int_equal(in.new_conn, 1);
	assert_int_equal(in.dir, 1);
	assert_int_equal(in.conn->port[0], 40494);
	assert_int_equal(in.conn->port[1], 8999);
	assert_string_equal(in.conn->ep[1], "127.0.0.1:8999");
	assert_int_equal(in.rseq_ok, 1);
	assert_int_equal(in.rseq, 0);
	assert_int_equal(in.rack_ok, 0); /* the client's ISN was never seen */
	in = feed(f, &CLI, &SRV, 1001, 5001, A, 0);
	assert_int_equal(in.dir, 0);
	assert_int_equal(in.rack_ok, 1);
	assert_int_equal(in.rack, 1);
	assert_int_equal(in.rseq_ok, 0);
}

static void test_mid_connection_first_segment_source_is_client(void **state)
{
	struct fx *f = *state;
	/* First seen: data from 8999 to 40494. Without a SYN its source is
	 * taken as the client, and no relative numbers are known. */
	struct seg_info in = feed(f, &SRV, &CLI, 7000, 3000, PA, 10);
	assert_int_equal(in.new_conn, 1);
	assert_int_equal(in.dir, 0);
	assert_int_equal(in.conn->port[0], 8999);
	assert_int_equal(in.conn->port[1], 40494);
	assert_int_equal(in.rseq_ok, 0);
	assert_int_equal(in.rack_ok, 0);
	assert_int_equal(in.note, NOTE_NONE);
	assert_int_equal(in.conn->syn_seen, 0);
	in = feed(f, &CLI, &SRV, 3000, 7010, A, 0);
	assert_int_equal(in.dir, 1);
	assert_int_equal(in.new_conn, 0);
}

/* ---- numbers ---------------------------------------------------------------- */

static void test_relative_seq_and_ack_follow_each_side_isn(void **state)
{
	struct fx *f = *state;
	struct conn *c = handshake(f, &CLI, &SRV);
	assert_int_equal(c->side[0].isn, 1000);
	assert_int_equal(c->side[1].isn, 5000);
	assert_int_equal(c->side[0].isn_known, 1);
	assert_int_equal(c->side[1].isn_known, 1);
	struct seg_info in = feed(f, &CLI, &SRV, 1001, 5001, PA, 6);
	assert_int_equal(in.rseq_ok, 1);
	assert_int_equal(in.rseq, 1);
	assert_int_equal(in.rack_ok, 1);
	assert_int_equal(in.rack, 1);
	in = feed(f, &SRV, &CLI, 5001, 1007, PA, 100);
	assert_int_equal(in.rseq, 1);
	assert_int_equal(in.rack, 7);
	/* No ACK flag: no relative ack. */
	in = feed(f, &CLI, &SRV, 1007, 0, R, 0);
	assert_int_equal(in.rseq, 7);
	assert_int_equal(in.rack_ok, 0);
}

static void test_relative_numbers_wrap_around_2_to_the_32(void **state)
{
	struct fx *f = *state;
	feed(f, &CLI, &SRV, 0xfffffff0u, 0, SYN, 0);
	feed(f, &SRV, &CLI, 0xfffffffeu, 0xfffffff1u, SA, 0);
	struct seg_info in = feed(f, &CLI, &SRV, 0xfffffff1u, 0xffffffffu, PA, 100);
	assert_int_equal(in.rseq, 1);
	assert_int_equal(in.rack, 1);
	in = feed(f, &SRV, &CLI, 0xffffffffu, 0x55u, PA, 10); /* ack 0xfffffff1 + 100 */
	assert_int_equal(in.rseq, 1);
	assert_int_equal(in.rack, 101);
	in = feed(f, &CLI, &SRV, 0x55u, 9u, PA, 5); /* the next data, past the wrap */
	assert_int_equal(in.note, NOTE_NONE);
	assert_int_equal(in.rseq, 101);
	assert_int_equal(in.rack, 11);
	assert_int_equal(in.conn->side[0].retrans, 0);
}

static void test_retransmitted_data_is_noted_and_counted(void **state)
{
	struct fx *f = *state;
	struct conn *c = handshake(f, &CLI, &SRV);
	struct seg_info in = feed(f, &CLI, &SRV, 1001, 5001, PA, 6);
	assert_int_equal(in.note, NOTE_NONE);
	in = feed(f, &CLI, &SRV, 1001, 5001, PA, 6);
	assert_int_equal(in.note, NOTE_RETRANSMIT);
	assert_int_equal(c->side[0].retrans, 1);
	assert_int_equal(c->side[0].last_data_n, 4);
	/* A segment that carries the old bytes and new ones is new data. */
	in = feed(f, &CLI, &SRV, 1001, 5001, PA, 10);
	assert_int_equal(in.note, NOTE_NONE);
	assert_int_equal(c->side[0].retrans, 1);
	assert_int_equal(c->side[0].data_end, 1011);
	assert_int_equal(c->side[0].last_data_n, 6);
	/* The bytes count every segment sent, retransmissions included. */
	assert_int_equal(c->side[0].bytes, 22);
	/* A retransmitted SYN opens nothing new. */
	in = feed(f, &CLI, &SRV, 1000, 0, SYN, 0);
	assert_int_equal(in.new_conn, 0);
	assert_int_equal(in.conn->id, 1);
}

/* ---- FIN ---------------------------------------------------------------------- */

static void test_fin_half_close_then_both_closes_connection(void **state)
{
	struct fx *f = *state;
	struct conn *c = handshake(f, &CLI, &SRV);
	struct seg_info in = feed(f, &SRV, &CLI, 5001, 1001, FA, 0); /* record 4 */
	assert_int_equal(in.note, NOTE_FIN_HALF_CLOSE);
	assert_int_equal(in.note_ref, 0);
	assert_int_equal(c->first_fin_from, 1);
	assert_int_equal(c->side[1].fin_n, 4);
	assert_int_equal(c->closed, 0);
	assert_int_equal(flow_open_count(f->t), 1);
	feed(f, &CLI, &SRV, 1001, 5002, A, 0);
	in = feed(f, &CLI, &SRV, 1001, 5002, FA, 0); /* record 6 */
	assert_int_equal(in.note, NOTE_FIN_BOTH);
	assert_int_equal(in.note_ref, 4);
	assert_int_equal(c->side[0].fin_n, 6);
	assert_int_equal(c->first_fin_from, 1);
	assert_int_equal(c->closed, 1);
	assert_int_equal(flow_open_count(f->t), 0);
	/* The last ACK still finds the closed connection. */
	in = feed(f, &SRV, &CLI, 5002, 1002, A, 0);
	assert_ptr_equal(in.conn, c);
	assert_int_equal(in.new_conn, 0);
	assert_int_equal(in.dir, 1);
	assert_int_equal(f->r.n, 0);
}

static void test_data_after_peer_fin_is_noted_with_bytes_and_fin_record(void **state)
{
	struct fx *f = *state;
	struct conn *c = handshake(f, &CLI, &SRV);
	feed(f, &SRV, &CLI, 5001, 1001, FA, 0); /* record 4 */
	feed(f, &CLI, &SRV, 1001, 5002, A, 0);
	struct seg_info in = feed(f, &CLI, &SRV, 1001, 5002, PA, 14);
	assert_int_equal(in.note, NOTE_DATA_AFTER_PEER_FIN);
	assert_int_equal(in.note_bytes, 14);
	assert_int_equal(in.note_ref, 4);
	in = feed(f, &CLI, &SRV, 1015, 5002, PA, 3);
	assert_int_equal(in.note, NOTE_DATA_AFTER_PEER_FIN);
	assert_int_equal(in.note_bytes, 3);
	assert_int_equal(c->side[0].data_after_fin, 17);
	assert_int_equal(c->side[1].data_after_fin, 0);
}

static void test_data_after_own_fin_is_noted_invalid(void **state)
{
	struct fx *f = *state;
	handshake(f, &CLI, &SRV);
	feed(f, &CLI, &SRV, 1001, 5001, FA, 0); /* record 4: FIN at seq 1001 */
	struct seg_info in = feed(f, &CLI, &SRV, 1002, 5001, PA, 5);
	assert_int_equal(in.note, NOTE_DATA_AFTER_OWN_FIN);
	assert_int_equal(in.note_ref, 4);
}

static void test_fin_carrying_data_after_peer_fin_keeps_the_data_note(void **state)
{
	struct fx *f = *state;
	struct conn *c = handshake(f, &CLI, &SRV);
	feed(f, &SRV, &CLI, 5001, 1001, FA, 0); /* record 4 */
	struct seg_info in = feed(f, &CLI, &SRV, 1001, 5002, FA | TCPF_PSH, 8);
	assert_int_equal(in.note, NOTE_DATA_AFTER_PEER_FIN);
	assert_int_equal(in.note_bytes, 8);
	assert_int_equal(c->side[0].fin_n, 5);
	assert_int_equal(c->side[0].fin_seq, 1009);
	assert_int_equal(c->closed, 1);
}

/* ---- RST ------------------------------------------------------------------------ */

/* The seed story: the client sends "hello\n" and "dont leave\n", the server
 * closes (FIN), the client sends "are you here?\n" (14 bytes), and the server,
 * with no socket left, answers with a bare RST whose seq is the client's ack. */
static struct conn *seed_story(struct fx *f, struct seg_info *rst)
{
	struct conn *c = handshake(f, &CLI, &SRV);		     /* 1-3 */
	feed(f, &CLI, &SRV, 1001, 5001, PA, 6);			     /* 4: hello\n */
	feed(f, &SRV, &CLI, 5001, 1007, A, 0);			     /* 5 */
	feed(f, &CLI, &SRV, 1007, 5001, PA, 11);		     /* 6: dont leave\n */
	feed(f, &SRV, &CLI, 5001, 1018, A, 0);			     /* 7 */
	struct seg_info in = feed(f, &SRV, &CLI, 5001, 1018, FA, 0); /* 8: FIN */
	assert_int_equal(in.note, NOTE_FIN_HALF_CLOSE);
	feed(f, &CLI, &SRV, 1018, 5002, A, 0);	      /* 9 */
	in = feed(f, &CLI, &SRV, 1018, 5002, PA, 14); /* 10: are you here?\n */
	assert_int_equal(in.note, NOTE_DATA_AFTER_PEER_FIN);
	assert_int_equal(in.note_bytes, 14);
	assert_int_equal(in.note_ref, 8);
	*rst = feed(f, &SRV, &CLI, 5002, 0, R, 0); /* 11: RST, no ACK */
	return c;
}

static void test_rst_after_fin_loses_the_unacknowledged_data_it_answers(void **state)
{
	struct fx *f = *state;
	struct seg_info in;
	struct conn *c = seed_story(f, &in);
	assert_ptr_equal(in.conn, c);
	assert_int_equal(in.dir, 1);
	assert_int_equal(in.note, NOTE_RST_AFTER_FIN);
	assert_int_equal(in.note_bytes, 14);
	assert_int_equal(in.note_ref, 10);
	assert_int_equal(in.rseq_ok, 1);
	assert_int_equal(in.rseq, 2);
	assert_int_equal(in.rack_ok, 0);
	assert_int_equal(c->lost, 14);
	assert_int_equal(c->rst_lost_n, 10);
	assert_int_equal(c->rst_from, 1);
	assert_int_equal(c->side[1].rst_n, 11);
	assert_int_equal(c->side[0].rst_n, 0);
	assert_int_equal(c->first_fin_from, 1);
	assert_int_equal(c->side[1].fin_n, 8);
	assert_int_equal(c->side[0].fin_n, 0);
	assert_int_equal(c->closed, 1);
	assert_int_equal(c->side[0].pkts, 6);
	assert_int_equal(c->side[1].pkts, 5);
	assert_int_equal(c->side[0].bytes, 31);
	assert_int_equal(flow_open_count(f->t), 0);
}

/* The client sends the 14 bytes again after the RST: that RST never reached
 * its socket. The connection is open again, and the RST answering the
 * retransmission is the one that loses the bytes. */
static void test_rst_that_did_not_land_leaves_the_loss_to_the_next(void **state)
{
	struct fx *f = *state;
	struct seg_info in;
	struct conn *c = seed_story(f, &in);
	in = feed(f, &CLI, &SRV, 1018, 5002, PA, 14); /* 12 */
	assert_ptr_equal(in.conn, c);
	assert_int_equal(in.note, NOTE_RETRANSMIT);
	assert_int_equal(in.rst_missed, 11);
	assert_int_equal(in.rst_outside, 0);
	assert_int_equal(c->closed, 0);
	assert_int_equal(c->rst_from, -1);
	assert_int_equal(c->lost, 0);
	assert_int_equal(c->rst_missed_n, 11);
	assert_int_equal(c->rst_missed_to, 0); /* the client's socket missed it */
	assert_int_equal(c->rst_missed_outside, 0);
	in = feed(f, &SRV, &CLI, 5002, 0, R, 0); /* 13 */
	assert_ptr_equal(in.conn, c);
	assert_int_equal(in.note, NOTE_RST_AFTER_FIN);
	assert_int_equal(in.note_bytes, 14);
	assert_int_equal(in.note_ref, 10);
	assert_int_equal(in.rst_again, 0);
	assert_int_equal(c->lost, 14);
	assert_int_equal(c->rst_lost_n, 10);
	assert_int_equal(c->side[1].rst_n, 13);
	assert_int_equal(c->closed, 1);
	flow_table_flush(f->t);
	assert_int_equal(f->r.n, 1);
	assert_int_equal(f->r.copy[0].lost, 14);
}

/* New data after the RST (it was still on its way) draws a second RST: the
 * bytes are counted once, the new ones too, and the second says the first
 * had reset it. */
static void test_repeated_rst_counts_lost_bytes_once(void **state)
{
	struct fx *f = *state;
	struct seg_info in;
	struct conn *c = seed_story(f, &in);
	in = feed(f, &CLI, &SRV, 1032, 5002, PA, 8); /* 12: new data, sent before the RST came */
	assert_int_equal(in.rst_missed, 0);
	in = feed(f, &SRV, &CLI, 5002, 0, R, 0); /* 13 */
	assert_int_equal(in.note, NOTE_RST_AFTER_FIN);
	assert_int_equal(in.note_bytes, 0);
	assert_int_equal(in.rst_again, 11);
	assert_int_equal(in.note_ref, 12);
	assert_int_equal(c->lost, 22);
	assert_int_equal(c->rst_lost_n, 10);
	assert_int_equal(c->side[1].rst_n, 11);
}

static void test_rst_without_fin_is_abort_and_loses_unacked_bytes(void **state)
{
	struct fx *f = *state;
	struct conn *c = handshake(f, &CLI, &SRV);
	feed(f, &CLI, &SRV, 1001, 5001, PA, 10); /* 4 */
	feed(f, &SRV, &CLI, 5001, 1011, A, 0);
	feed(f, &CLI, &SRV, 1011, 5001, PA, 5); /* 6: never acknowledged */
	struct seg_info in = feed(f, &SRV, &CLI, 5001, 0, R, 0);
	assert_int_equal(in.note, NOTE_RST_ABORT);
	assert_int_equal(in.note_bytes, 5);
	assert_int_equal(in.note_ref, 6);
	assert_int_equal(c->lost, 5);
	assert_int_equal(c->rst_lost_n, 6);
	assert_int_equal(c->closed, 1);
}

static void test_rst_abort_with_everything_acked_loses_nothing(void **state)
{
	struct fx *f = *state;
	struct conn *c = handshake(f, &CLI, &SRV);
	feed(f, &CLI, &SRV, 1001, 5001, PA, 10);
	/* SO_LINGER 0 on the server: RST,ACK acknowledging all it received. */
	struct seg_info in = feed(f, &SRV, &CLI, 5001, 1011, RA, 0);
	assert_int_equal(in.note, NOTE_RST_ABORT);
	assert_int_equal(in.note_bytes, 0);
	assert_int_equal(c->lost, 0);
	assert_int_equal(c->rst_lost_n, 0);
	assert_int_equal(c->rst_from, 1);
}

static void test_rst_after_both_fins_is_a_late_segment(void **state)
{
	struct fx *f = *state;
	struct conn *c = handshake(f, &CLI, &SRV);
	feed(f, &CLI, &SRV, 1001, 5001, FA, 0);
	feed(f, &SRV, &CLI, 5001, 1002, FA, 0);
	assert_int_equal(c->closed, 1);
	struct seg_info in = feed(f, &CLI, &SRV, 1002, 0, R, 0);
	assert_ptr_equal(in.conn, c);
	assert_int_equal(in.note, NOTE_RST_AFTER_CLOSE);
	assert_int_equal(in.note_bytes, 0);
	assert_int_equal(c->rst_from, 0);
}

static void test_bare_rst_answering_syn_is_refused(void **state)
{
	struct fx *f = *state;
	feed(f, &CLI, &SRV, 1000, 0, SYN, 0);
	struct seg_info in = feed(f, &SRV, &CLI, 0, 0, R, 0);
	assert_int_equal(in.dir, 1);
	assert_int_equal(in.note, NOTE_RST_REFUSED);
	assert_int_equal(in.note_ref, 0);
	assert_int_equal(in.note_bytes, 0);
	assert_int_equal(in.conn->lost, 0);
	assert_int_equal(in.conn->closed, 1);
}

static void test_rst_ack_answering_syn_is_refused(void **state)
{
	struct fx *f = *state;
	/* The usual form: RST,ACK with ack = ISN + 1 (RFC 793, Linux
	 * tcp_v4_send_reset). Its ACK must not hide the refusal. */
	feed(f, &CLI, &SRV, 1000, 0, SYN, 0);
	struct seg_info in = feed(f, &SRV, &CLI, 0, 1001, RA, 0);
	assert_int_equal(in.dir, 1);
	assert_int_equal(in.note, NOTE_RST_REFUSED);
	assert_int_equal(in.note_ref, 0);
	assert_int_equal(in.note_bytes, 0);
	assert_int_equal(in.conn->lost, 0);
	/* The client tries again: a new connection, refused again. */
	in = feed(f, &CLI, &SRV, 1000, 0, SYN, 0);
	assert_int_equal(in.new_conn, 1);
	assert_int_equal(in.conn->id, 2);
	in = feed(f, &SRV, &CLI, 0, 1001, RA, 0);
	assert_int_equal(in.conn->id, 2);
	assert_int_equal(in.note, NOTE_RST_REFUSED);
}

/* ---- ids, reuse, IPv6, lookup --------------------------------------------------- */

static void test_connection_ids_in_order_of_first_segment(void **state)
{
	struct fx *f = *state;
	struct ep c2 = CLI, c3 = CLI;
	c2.port = 40496;
	c3.port = 40498;
	/* Interleaved: 40496 starts first, 40494 second, 40498 (mid-stream) third. */
	struct seg_info a = feed(f, &c2, &SRV, 1, 0, SYN, 0);
	struct seg_info b = feed(f, &CLI, &SRV, 1, 0, SYN, 0);
	feed(f, &SRV, &c2, 9, 2, SA, 0);
	struct seg_info c = feed(f, &SRV, &c3, 9, 2, PA, 3);
	struct seg_info again = feed(f, &CLI, &SRV, 1, 0, SYN, 0);
	assert_int_equal(a.conn->id, 1);
	assert_int_equal(b.conn->id, 2);
	assert_int_equal(c.conn->id, 3);
	assert_int_equal(again.conn->id, 2);
	assert_int_equal(flow_total_count(f->t), 3);
	assert_int_equal(flow_open_count(f->t), 3);
}

static void test_four_tuple_reuse_after_close_opens_a_new_connection(void **state)
{
	struct fx *f = *state;
	struct conn *c = handshake(f, &CLI, &SRV);
	feed(f, &SRV, &CLI, 5001, 0, R, 0);
	assert_int_equal(c->closed, 1);
	/* The same 4-tuple, a new SYN: connection 2; connection 1 is retired. */
	struct seg_info in = feed(f, &CLI, &SRV, 90000, 0, SYN, 0);
	assert_int_equal(in.new_conn, 1);
	assert_int_equal(in.conn->id, 2);
	assert_int_equal(in.rseq, 0);
	assert_int_equal(in.conn->side[0].isn, 90000);
	assert_int_equal(in.conn->rst_from, -1);
	assert_int_equal(f->r.n, 1);
	assert_int_equal(f->r.ids[0], 1);
	/* And after a FIN close, from the other end this time. */
	feed(f, &SRV, &CLI, 7000, 90001, SA, 0);
	feed(f, &CLI, &SRV, 90001, 7001, FA, 0);
	feed(f, &SRV, &CLI, 7001, 90002, FA, 0);
	in = feed(f, &SRV, &CLI, 123, 0, SYN, 0);
	assert_int_equal(in.new_conn, 1);
	assert_int_equal(in.conn->id, 3);
	assert_int_equal(in.dir, 0);
	assert_int_equal(in.conn->port[0], 8999);
	assert_int_equal(f->r.n, 2);
	assert_int_equal(f->r.ids[1], 2);
	assert_int_equal(flow_total_count(f->t), 3);
}

static void test_ipv6_connection_endpoints_are_bracketed(void **state)
{
	struct fx *f = *state;
	struct conn *c = handshake(f, &CLI6, &SRV6);
	assert_int_equal(c->family, 6);
	assert_string_equal(c->ep[0], "[::1]:40494");
	assert_string_equal(c->ep[1], "[::1]:8999");
	assert_int_equal(c->ep_len[1], strlen("[::1]:8999"));
	struct seg_info in = feed(f, &SRV6, &CLI6, 5001, 1001, PA, 4);
	assert_ptr_equal(in.conn, c);
	assert_int_equal(in.dir, 1);
	assert_int_equal(in.rseq, 1);
	/* The same ports over IPv4 are another connection. */
	in = feed(f, &CLI, &SRV, 1000, 0, SYN, 0);
	assert_int_equal(in.new_conn, 1);
	assert_int_equal(in.conn->id, 2);
}

static void test_ipv4_endpoints_format_every_digit_count(void **state)
{
	struct fx *f = *state;
	struct ep a = { 4, { 0, 0, 0, 0 }, 0 }, b = { 4, { 255, 255, 255, 255 }, 65535 };
	struct ep c = { 4, { 100, 10, 9, 199 }, 100 }, d = { 4, { 1, 99, 200, 109 }, 9 };
	struct seg_info in = feed(f, &a, &b, 1, 0, SYN, 0);
	assert_string_equal(in.conn->ep[0], "0.0.0.0:0");
	assert_string_equal(in.conn->ep[1], "255.255.255.255:65535");
	assert_int_equal(in.conn->ep_len[0], 9);
	assert_int_equal(in.conn->ep_len[1], 21);
	in = feed(f, &c, &d, 1, 0, SYN, 0);
	assert_string_equal(in.conn->ep[0], "100.10.9.199:100");
	assert_string_equal(in.conn->ep[1], "1.99.200.109:9");
	assert_int_equal(in.conn->ep_len[0], 16);
}

static void test_longest_ipv6_endpoint_fits_unclipped(void **state)
{
	struct fx *f = *state;
	struct ep a = { 6, { 0 }, 65535 }, b = { 6, { 0 }, 1 };
	memset(a.addr, 0xff, 16);
	memset(b.addr, 0xfe, 16);
	struct seg_info in = feed(f, &a, &b, 1, 0, SYN, 0);
	assert_string_equal(in.conn->ep[0], "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
	assert_int_equal(in.conn->ep_len[0], 47);
	assert_string_equal(in.conn->ep[1], "[fefe:fefe:fefe:fefe:fefe:fefe:fefe:fefe]:1");
}

static void test_lookup_finds_connection_from_either_direction(void **state)
{
	struct fx *f = *state;
	struct conn *c = handshake(f, &CLI, &SRV);
	int dir = -1;
	assert_ptr_equal(flow_lookup(f->t, 4, CLI.addr, CLI.port, SRV.addr, SRV.port, &dir), c);
	assert_int_equal(dir, 0);
	assert_ptr_equal(flow_lookup(f->t, 4, SRV.addr, SRV.port, CLI.addr, CLI.port, &dir), c);
	assert_int_equal(dir, 1);
	assert_ptr_equal(flow_lookup(f->t, 4, SRV.addr, SRV.port, CLI.addr, CLI.port, NULL), c);
	assert_null(flow_lookup(f->t, 4, CLI.addr, 1, SRV.addr, SRV.port, &dir));
	assert_null(flow_lookup(f->t, 6, CLI.addr, CLI.port, SRV.addr, SRV.port, &dir));
}

/* ---- retirement and memory ---------------------------------------------------- */

static void test_free_retires_every_connection_once_in_id_order(void **state)
{
	struct fx *f = *state;
	struct ep cl[5];
	for (int i = 0; i < 5; i++) {
		cl[i] = CLI;
		cl[i].port = (uint16_t)(50000 + i);
		feed(f, &cl[i], &SRV, 100, 0, SYN, 0);
	}
	/* Reorder the activity lists: 1 and 4 closed, 5 then 2 most recent. */
	feed(f, &SRV, &cl[3], 0, 0, R, 0);
	feed(f, &SRV, &cl[0], 0, 0, R, 0);
	feed(f, &cl[4], &SRV, 101, 0, A, 0);
	feed(f, &cl[1], &SRV, 101, 0, A, 0);
	assert_int_equal(flow_open_count(f->t), 3);
	assert_int_equal(f->r.n, 0);
	flow_table_free(f->t);
	f->t = NULL;
	assert_int_equal(f->r.n, 5);
	for (uint64_t i = 0; i < 5; i++) {
		assert_int_equal(f->r.ids[i], i + 1);
		assert_int_equal(f->r.copy[i].port[0], 50000 + i);
	}
	assert_true(f->r.copy[0].closed && f->r.copy[3].closed && !f->r.copy[1].closed);
}

static void test_flush_retires_all_and_table_stays_usable(void **state)
{
	struct fx *f = *state;
	handshake(f, &CLI, &SRV);
	flow_table_flush(f->t);
	assert_int_equal(f->r.n, 1);
	assert_int_equal(flow_open_count(f->t), 0);
	assert_null(flow_lookup(f->t, 4, CLI.addr, CLI.port, SRV.addr, SRV.port, NULL));
	/* The tuple is unknown now: the next segment opens connection 2. */
	struct seg_info in = feed(f, &CLI, &SRV, 1001, 5001, A, 0);
	assert_int_equal(in.new_conn, 1);
	assert_int_equal(in.conn->id, 2);
	flow_table_flush(f->t);
	assert_int_equal(f->r.n, 2);
	flow_table_flush(f->t); /* nothing left: no retire */
	assert_int_equal(f->r.n, 2);
}

static void test_closed_connection_lingers_then_is_retired_by_capture_time(void **state)
{
	struct fx *f = *state;
	struct conn *c = handshake(f, &CLI, &SRV);
	feed(f, &SRV, &CLI, 5001, 0, R, 0);
	/* A late ACK 5 s later still finds it. */
	f->ts += 5 * SEC;
	struct seg_info in = feed(f, &CLI, &SRV, 1001, 5001, A, 0);
	assert_ptr_equal(in.conn, c);
	assert_int_equal(in.new_conn, 0);
	assert_int_equal(f->r.n, 0);
	/* More than 10 s after the close, any segment retires it first. */
	struct ep other = CLI;
	other.port = 1234;
	f->ts += 6 * SEC;
	feed(f, &other, &SRV, 1, 0, SYN, 0);
	assert_int_equal(f->r.n, 1);
	assert_int_equal(f->r.ids[0], 1);
	assert_null(flow_lookup(f->t, 4, CLI.addr, CLI.port, SRV.addr, SRV.port, NULL));
}

static void test_100k_connections_keep_memory_bounded_and_all_retire(void **state)
{
	struct fx *f = *state;
	enum { N = 100000 };
	f->r.seen_len = N + 1;
	f->r.seen = calloc(f->r.seen_len, 1);
	assert_non_null(f->r.seen);
	f->step = 0; /* one capture instant: only the cap on closed ones retires */
	uint64_t max_open = 0;
	for (uint32_t i = 0; i < N; i++) {
		/* Distinct clients 10.x.y.z:port, all to one server. */
		struct ep c = { 4,
				{ 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i },
				40000 };
		struct seg_info in = feed(f, &c, &SRV, i, 0, SYN, 0);
		assert_int_equal(in.conn->id, i + 1);
		feed(f, &SRV, &c, 7, i + 1, SA, 0);
		feed(f, &c, &SRV, i + 1, 8, FA, 0);
		feed(f, &SRV, &c, 8, i + 2, FA, 0);
		if (flow_open_count(f->t) > max_open)
			max_open = flow_open_count(f->t);
	}
	assert_true(max_open <= 1);
	assert_int_equal(flow_open_count(f->t), 0);
	assert_int_equal(flow_total_count(f->t), N);
	assert_true(f->r.n >= N - 4097);
	assert_true(f->r.n < N);
	flow_table_free(f->t);
	f->t = NULL;
	assert_int_equal(f->r.n, N);
	for (uint32_t id = 1; id <= N; id++)
		if (f->r.seen[id] != 1)
			fail_msg("connection %u retired %u times", id, f->r.seen[id]);
}

static void test_many_open_connections_all_found_after_table_grows(void **state)
{
	struct fx *f = *state;
	enum { N = 5000 };
	for (uint32_t i = 0; i < N; i++) {
		struct ep c = { 4, { 10, 1, (uint8_t)(i >> 8), (uint8_t)i }, (uint16_t)(1024 + i) };
		feed(f, &c, &SRV, i, 0, SYN, 0);
	}
	assert_int_equal(flow_open_count(f->t), N);
	for (uint32_t i = 0; i < N; i++) {
		struct ep c = { 4, { 10, 1, (uint8_t)(i >> 8), (uint8_t)i }, (uint16_t)(1024 + i) };
		int dir = -1;
		struct conn *k = flow_lookup(f->t, 4, SRV.addr, SRV.port, c.addr, c.port, &dir);
		assert_non_null(k);
		assert_int_equal(k->id, i + 1);
		assert_int_equal(dir, 1);
	}
}

/* ---- the cap and expiry ------------------------------------------------------ */

static struct ep client_no(uint32_t i)
{
	struct ep c = { 4, { 10, 2, (uint8_t)(i >> 8), (uint8_t)i }, (uint16_t)(1024 + i) };
	return c;
}

static void test_syn_flood_is_capped_and_evicts_half_open_before_established(void **state)
{
	struct fx *f = *state;
	flow_table_set_max(f->t, 100);
	assert_int_equal(flow_table_max(f->t), 100);
	struct conn *est = handshake(f, &CLI, &SRV);
	for (uint32_t i = 0; i < 1000; i++) {
		struct ep c = client_no(i);
		feed(f, &c, &SRV, i, 0, SYN, 0);
		assert_true(flow_open_count(f->t) <= 100);
	}
	/* 1001 connections, 100 held: 901 evicted, every one a half-open SYN. */
	assert_int_equal(flow_total_count(f->t), 1001);
	assert_int_equal(flow_evicted_count(f->t), 901);
	assert_int_equal(flow_expired_count(f->t), 0);
	assert_int_equal(f->r.n, 901);
	for (size_t i = 0; i < KEEP; i++) {
		assert_int_equal(f->r.copy[i].gone, FLOW_GONE_EVICTED);
		assert_int_equal(f->r.copy[i].half, 1);
		assert_int_equal(f->r.ids[i], i + 2); /* the oldest first */
	}
	/* The established connection is still the one its segments find. */
	struct seg_info in = feed(f, &CLI, &SRV, 1001, 5001, A, 0);
	assert_ptr_equal(in.conn, est);
	assert_int_equal(in.new_conn, 0);
}

static void test_full_table_evicts_closed_then_half_open_then_idlest(void **state)
{
	struct fx *f = *state;
	flow_table_set_max(f->t, 3);
	struct ep a = client_no(1), b = client_no(2), c = client_no(3), d = client_no(4),
		  e = client_no(5), g = client_no(6);
	handshake(f, &a, &SRV);		 /* 1: established */
	feed(f, &b, &SRV, 1, 0, SYN, 0); /* 2: half-open */
	handshake(f, &c, &SRV);		 /* 3: established, then reset */
	feed(f, &SRV, &c, 5001, 0, R, 0);
	feed(f, &d, &SRV, 1, 0, SYN, 0); /* 4: the closed one (3) makes room */
	assert_int_equal(f->r.n, 1);
	assert_int_equal(f->r.ids[0], 3);
	feed(f, &e, &SRV, 1, 1, A, 0); /* 5: the oldest half-open one (2) goes */
	assert_int_equal(f->r.n, 2);
	assert_int_equal(f->r.ids[1], 2);
	/* 1 and 5 established, 4 half-open: 4 goes, then of 1 and 5 the idler. */
	feed(f, &a, &SRV, 1001, 5001, A, 0);
	feed(f, &g, &SRV, 1, 1, A, 0);
	assert_int_equal(f->r.ids[2], 4);
	struct ep h = client_no(7);
	feed(f, &h, &SRV, 1, 1, A, 0);
	assert_int_equal(f->r.n, 4);
	assert_int_equal(f->r.ids[3], 5); /* 1 was seen after 5 */
	assert_int_equal(flow_evicted_count(f->t), 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(f->r.copy[i].gone, FLOW_GONE_EVICTED);
}

static void test_silent_connections_expire_by_capture_time(void **state)
{
	struct fx *f = *state;
	struct ep half = client_no(1), idle = client_no(2), busy = client_no(3),
		  other = client_no(4);
	feed(f, &half, &SRV, 1, 0, SYN, 0);
	handshake(f, &idle, &SRV);
	struct conn *b = handshake(f, &busy, &SRV);
	/* 181 s on: only the half-open one has been silent too long. */
	f->ts += FLOW_HALF_IDLE;
	feed(f, &busy, &SRV, 1001, 5001, A, 0);
	assert_int_equal(f->r.n, 1);
	assert_int_equal(f->r.ids[0], 1);
	assert_int_equal(f->r.copy[0].gone, FLOW_GONE_EXPIRED);
	assert_int_equal(f->r.copy[0].half, 1);
	/* 900 s after its last segment the idle one goes; the busy one, seen
	 * 720 s ago, stays. */
	f->ts += FLOW_IDLE - FLOW_HALF_IDLE;
	feed(f, &other, &SRV, 1, 1, A, 0);
	assert_int_equal(f->r.n, 2);
	assert_int_equal(f->r.ids[1], 2);
	assert_int_equal(f->r.copy[1].gone, FLOW_GONE_EXPIRED);
	assert_int_equal(f->r.copy[1].half, 0);
	assert_ptr_equal(flow_lookup(f->t, 4, busy.addr, busy.port, SRV.addr, SRV.port, NULL), b);
	assert_int_equal(flow_expired_count(f->t), 2);
	assert_int_equal(flow_evicted_count(f->t), 0);
	/* A segment of an expired one starts a new connection. */
	struct seg_info in = feed(f, &idle, &SRV, 1001, 5001, A, 0);
	assert_int_equal(in.new_conn, 1);
	/* Nothing expires while time stands still or goes back. */
	f->step = -SEC;
	feed(f, &busy, &SRV, 1001, 5001, A, 0);
	assert_int_equal(f->r.n, 2);
}

static void test_free_null_is_safe(void **state)
{
	(void)state;
	flow_table_free(NULL);
	flow_table_flush(NULL);
}

static void test_note_codes(void **state)
{
	(void)state;
	assert_string_equal(flow_note_code(NOTE_NONE), "");
	assert_string_equal(flow_note_code(NOTE_SYN), "syn");
	assert_string_equal(flow_note_code(NOTE_SYNACK), "synack");
	assert_string_equal(flow_note_code(NOTE_FIN_HALF_CLOSE), "fin_half_close");
	assert_string_equal(flow_note_code(NOTE_FIN_BOTH), "fin_both_closed");
	assert_string_equal(flow_note_code(NOTE_DATA_AFTER_PEER_FIN), "data_after_peer_fin");
	assert_string_equal(flow_note_code(NOTE_DATA_AFTER_OWN_FIN), "data_after_own_fin");
	assert_string_equal(flow_note_code(NOTE_RST_AFTER_FIN), "rst_after_fin");
	assert_string_equal(flow_note_code(NOTE_RST_ABORT), "rst_abort");
	assert_string_equal(flow_note_code(NOTE_RST_REFUSED), "rst_refused");
	assert_string_equal(flow_note_code(NOTE_RST_AFTER_CLOSE), "rst_after_close");
	assert_string_equal(flow_note_code(NOTE_RETRANSMIT), "retransmission");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_syn_sender_is_client_and_handshake_directions),
		T(test_lone_synack_names_its_sender_the_server),
		T(test_mid_connection_first_segment_source_is_client),
		T(test_relative_seq_and_ack_follow_each_side_isn),
		T(test_relative_numbers_wrap_around_2_to_the_32),
		T(test_retransmitted_data_is_noted_and_counted),
		T(test_fin_half_close_then_both_closes_connection),
		T(test_data_after_peer_fin_is_noted_with_bytes_and_fin_record),
		T(test_data_after_own_fin_is_noted_invalid),
		T(test_fin_carrying_data_after_peer_fin_keeps_the_data_note),
		T(test_rst_after_fin_loses_the_unacknowledged_data_it_answers),
		T(test_rst_that_did_not_land_leaves_the_loss_to_the_next),
		T(test_repeated_rst_counts_lost_bytes_once),
		T(test_rst_without_fin_is_abort_and_loses_unacked_bytes),
		T(test_rst_abort_with_everything_acked_loses_nothing),
		T(test_rst_after_both_fins_is_a_late_segment),
		T(test_bare_rst_answering_syn_is_refused),
		T(test_rst_ack_answering_syn_is_refused),
		T(test_connection_ids_in_order_of_first_segment),
		T(test_four_tuple_reuse_after_close_opens_a_new_connection),
		T(test_ipv6_connection_endpoints_are_bracketed),
		T(test_ipv4_endpoints_format_every_digit_count),
		T(test_longest_ipv6_endpoint_fits_unclipped),
		T(test_lookup_finds_connection_from_either_direction),
		T(test_free_retires_every_connection_once_in_id_order),
		T(test_flush_retires_all_and_table_stays_usable),
		T(test_closed_connection_lingers_then_is_retired_by_capture_time),
		T(test_100k_connections_keep_memory_bounded_and_all_retire),
		T(test_many_open_connections_all_found_after_table_grows),
		T(test_syn_flood_is_capped_and_evicts_half_open_before_established),
		T(test_full_table_evicts_closed_then_half_open_then_idlest),
		T(test_silent_connections_expire_by_capture_time),
		T(test_free_null_is_safe),
		T(test_note_codes),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
