/* flow.c: the connection table, a chained hash plus three age lists (p0f
 * style), with a hard cap and expiry by capture time.
 *
 * A connection begun with a SYN sits on the half-open list, any other on the
 * open list, in order of creation: touching a list on every packet costs
 * more than it saves, so one whose handshake completes only clears its
 * `half` flag and moves to the open list when it reaches the head of the
 * half-open one, and the lists are kept in age order lazily: a head that saw
 * traffic since it was listed goes back to the tail. A connection that ends
 * (RST, or a FIN each way) moves to the closed list, where it lingers for
 * late segments until FLOW_CLOSED_KEEP newer ones have closed or
 * FLOW_CLOSED_LINGER of capture time has passed. Once a second of capture
 * time, the heads of the other two lists are expired after FLOW_HALF_IDLE or
 * FLOW_IDLE without a segment; at the cap, creating a connection evicts
 * the head of the closed list, else the idlest of the first few half-open
 * ones, else of the first few open ones. Retiring hands the connection to
 * the caller's callback (for its summary) and frees it. */
#include "flow.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLOW_CLOSED_KEEP   4096
#define FLOW_CLOSED_LINGER ((ts_ns)10 * 1000000000)
#define FLOW_SCAN_EVERY	   ((ts_ns)1000000000) /* expiry runs once per second of capture time */
#define FLOW_EVICT_LOOK	   8 /* at the cap, the idlest of this many oldest is evicted */
#define FLOW_MIN_BUCKETS   1024
#define FLOW_SPARE_MAX	   4096 /* retired connections kept for reuse, not freed */

struct conn_list {
	struct conn *head, *tail;
	uint64_t count;
};

enum list_id { L_HALF, L_OPEN, L_CLOSED };

struct flow_table {
	struct conn **buckets;
	uint32_t nbuckets; /* power of two */
	uint64_t count;	   /* connections held (on any of the lists) */
	uint64_t next_id;
	struct conn_list lists[3]; /* enum list_id */
	uint32_t max;		   /* cap on count */
	int max_set;		   /* by flow_table_set_max(), not from FLOW_TABLE_BYTES */
	ts_ns scanned;		   /* capture time of the last expiry scan */
	uint64_t evicted, expired;
	flow_retire_fn retire;
	void *arg;
	/* Retired connections are reused (threaded through hnext): a busy
	 * capture retires and creates one every few packets, and malloc and
	 * free of cold memory cost more than the rest of such a packet. */
	struct conn *spare;
	uint32_t nspare;
	size_t user_size; /* bytes after each conn for its user (the correlator) */
};

/* Bytes of one connection, with the user's area, in whole cache lines. */
static size_t conn_bytes(const struct flow_table *t)
{
	return (sizeof(struct conn) + t->user_size + 63) / 64 * 64;
}

int flow_table_set_user_size(struct flow_table *t, size_t size)
{
	if (t->next_id != 1)
		return -1; /* connections exist, or have existed */
	t->user_size = size;
	if (!t->max_set)
		t->max = (uint32_t)(FLOW_TABLE_BYTES / conn_bytes(t));
	return 0;
}

void *flow_user_area(struct conn *c) { return c + 1; }

void flow_table_set_max(struct flow_table *t, uint32_t max)
{
	t->max = max ? max : 1;
	t->max_set = 1;
}
uint32_t flow_table_max(const struct flow_table *t) { return t->max; }

static void list_remove(struct conn_list *l, struct conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		l->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		l->tail = c->prev;
	c->prev = c->next = NULL;
	l->count--;
}

static void list_append(struct conn_list *l, struct conn *c)
{
	c->next = NULL;
	c->prev = l->tail;
	if (l->tail)
		l->tail->next = c;
	else
		l->head = c;
	l->tail = c;
	l->count++;
}

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static inline uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

/* A hash of the 4-tuple that is the same both ways: each endpoint is hashed
 * on its own and the two are combined with a symmetric operation. */
static inline uint64_t ep_hash(uint8_t family, const uint8_t *a, uint16_t port)
{
	uint64_t h;
	if (family == 4) {
		uint32_t v;
		memcpy(&v, a, 4);
		h = (uint64_t)v << 16 | port;
	} else {
		h = load64(a) ^ mix64(load64(a + 8) ^ port);
	}
	return mix64(h + family);
}

uint32_t flow_tuple_hash(uint8_t family, const uint8_t *a, uint16_t ap, const uint8_t *b,
			 uint16_t bp)
{
	uint64_t x = ep_hash(family, a, ap), y = ep_hash(family, b, bp);
	return (uint32_t)mix64((x + y) ^ (x * y));
}

uint32_t flow_hash(const struct tcp_segment *seg)
{
	return flow_tuple_hash(seg->family, seg->src, seg->sport, seg->dst, seg->dport);
}

void flow_prefetch(const struct flow_table *t, uint32_t h, int step)
{
	struct conn *const *b = &t->buckets[h & (t->nbuckets - 1)];
	if (step == 1)
		__builtin_prefetch(b);
	else if (*b) {
		const char *c = (const char *)*b;
		for (size_t o = 0; o < sizeof(struct conn); o += 64)
			__builtin_prefetch(c + o);
	}
}

struct flow_table *flow_table_new(flow_retire_fn retire, void *arg)
{
	struct flow_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->nbuckets = FLOW_MIN_BUCKETS;
	t->buckets = calloc(t->nbuckets, sizeof *t->buckets);
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	t->next_id = 1;
	t->max = (uint32_t)(FLOW_TABLE_BYTES / conn_bytes(t));
	t->retire = retire;
	t->arg = arg;
	return t;
}

static void unhash(struct flow_table *t, struct conn *c)
{
	struct conn **pp = &t->buckets[c->hash & (t->nbuckets - 1)];
	while (*pp && *pp != c)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = c->hnext;
}

static void retire(struct flow_table *t, struct conn *c)
{
	unhash(t, c);
	list_remove(&t->lists[c->list], c);
	t->count--;
	if (t->retire)
		t->retire(c, t->arg);
	if (t->nspare < FLOW_SPARE_MAX) {
		c->hnext = t->spare;
		t->spare = c;
		t->nspare++;
	} else {
		free(c);
	}
}

static int cmp_id(const void *a, const void *b)
{
	const struct conn *x = *(const struct conn *const *)a, *y = *(const struct conn *const *)b;
	return x->id < y->id ? -1 : x->id > y->id;
}

void flow_table_flush(struct flow_table *t)
{
	if (!t || t->count == 0)
		return;
	struct conn **all = malloc(t->count * sizeof *all);
	size_t n = 0;
	if (all) {
		for (int l = 0; l < 3; l++)
			for (struct conn *c = t->lists[l].head; c; c = c->next)
				all[n++] = c;
		qsort(all, n, sizeof *all, cmp_id);
		for (size_t i = 0; i < n; i++)
			retire(t, all[i]);
		free(all);
		return;
	}
	/* Out of memory for the sort: retire in list order rather than leak. */
	for (int l = 0; l < 3; l++)
		while (t->lists[l].head)
			retire(t, t->lists[l].head);
}

void flow_table_free(struct flow_table *t)
{
	if (!t)
		return;
	flow_table_flush(t);
	while (t->spare) {
		struct conn *c = t->spare;
		t->spare = c->hnext;
		free(c);
	}
	free(t->buckets);
	free(t);
}

static void grow(struct flow_table *t)
{
	uint32_t nb = t->nbuckets * 2;
	struct conn **b = calloc(nb, sizeof *b);
	if (!b)
		return; /* keep the longer chains; still correct */
	for (uint32_t i = 0; i < t->nbuckets; i++) {
		struct conn *c = t->buckets[i];
		while (c) {
			struct conn *next = c->hnext;
			c->hnext = b[c->hash & (nb - 1)];
			b[c->hash & (nb - 1)] = c;
			c = next;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = nb;
}

static struct conn *find(struct flow_table *t, uint32_t h, uint8_t family, const uint8_t *a,
			 uint16_t ap, const uint8_t *b, uint16_t bp, int *dir)
{
	for (struct conn *c = t->buckets[h & (t->nbuckets - 1)]; c; c = c->hnext)
		if (c->hash == h && flow_conn_is(c, family, a, ap, b, bp, dir))
			return c;
	return NULL;
}

struct conn *flow_lookup(struct flow_table *t, uint8_t family, const uint8_t *a, uint16_t aport,
			 const uint8_t *b, uint16_t bport, int *dir)
{
	return flow_lookup_h(t, flow_tuple_hash(family, a, aport, b, bport), family, a, aport, b,
			     bport, dir);
}

struct conn *flow_lookup_h(struct flow_table *t, uint32_t h, uint8_t family, const uint8_t *a,
			   uint16_t aport, const uint8_t *b, uint16_t bport, int *dir)
{
	int d = 0;
	struct conn *c = find(t, h, family, a, aport, b, bport, &d);
	if (dir)
		*dir = d;
	return c;
}

static void format_ep(struct conn *c, int s)
{
	char *p = c->ep[s];
	size_t n;
	if (c->family == 4) {
		/* By hand: inet_ntop and snprintf cost more than the rest of a
		 * connection's first segment. */
		const uint8_t *a = c->addr[s];
		n = 0;
		for (int i = 0; i < 4; i++) {
			unsigned v = a[i];
			if (v >= 100)
				p[n++] = (char)('0' + v / 100);
			if (v >= 10)
				p[n++] = (char)('0' + v / 10 % 10);
			p[n++] = (char)('0' + v % 10);
			p[n++] = i < 3 ? '.' : ':';
		}
		char tmp[6];
		int k = 0;
		unsigned port = c->port[s];
		do {
			tmp[k++] = (char)('0' + port % 10);
			port /= 10;
		} while (port);
		while (k)
			p[n++] = tmp[--k];
		p[n] = '\0';
	} else {
		char addr[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, c->addr[s], addr, sizeof addr);
		int w = snprintf(p, sizeof c->ep[s], "[%s]:%u", addr, (unsigned)c->port[s]);
		n = (size_t)(w < (int)sizeof c->ep[s] ? w : (int)sizeof c->ep[s] - 1);
	}
	c->ep_len[s] = (uint8_t)n;
}

/* Moves c to the tail of list l, listed at time ts. */
static void relist(struct flow_table *t, struct conn *c, int l, ts_ns ts)
{
	list_remove(&t->lists[c->list], c);
	c->list = (uint8_t)l;
	c->list_ts = ts;
	list_append(&t->lists[l], c);
}

static void retire_as(struct flow_table *t, struct conn *c, enum flow_gone why)
{
	c->gone = (uint8_t)why;
	if (why == FLOW_GONE_EVICTED)
		t->evicted++;
	else
		t->expired++;
	retire(t, c);
}

/* The head of the half-open list, once those whose handshake completed have
 * moved on to the open list. */
static struct conn *half_head(struct flow_table *t)
{
	struct conn *c;
	while ((c = t->lists[L_HALF].head) && !c->half)
		relist(t, c, L_OPEN, c->last_ts);
	return c;
}

/* Of the first FLOW_EVICT_LOOK connections from c on (half-open ones only,
 * when half), the one whose last segment is oldest. */
static struct conn *idlest(struct conn *c, int half)
{
	struct conn *best = c;
	for (int i = 0; c && i < FLOW_EVICT_LOOK; c = c->next, i++)
		if ((!half || c->half) && c->last_ts < best->last_ts)
			best = c;
	return best;
}

/* The table is full: one connection makes room. A closed one first (it has
 * ended), then a half-open one (a SYN flood or a scan fills the table with
 * those), then an open one; of each list, the idlest of the oldest few (the
 * lists are in about the order of their last traffic, see above). */
static void evict(struct flow_table *t)
{
	struct conn *c = t->lists[L_CLOSED].head;
	if (!c && (c = half_head(t)))
		c = idlest(c, 1);
	if (!c && (c = t->lists[L_OPEN].head))
		c = idlest(c, 0);
	if (c)
		retire_as(t, c, FLOW_GONE_EVICTED);
}

/* Once a second of capture time: retire what was silent too long. The lists
 * are in about the order of their last traffic (see above), so only their
 * heads are looked at. */
static void expire_idle(struct flow_table *t, ts_ns now)
{
	t->scanned = now;
	struct conn *c;
	while ((c = half_head(t))) {
		if (now - c->last_ts > FLOW_HALF_IDLE)
			retire_as(t, c, FLOW_GONE_EXPIRED);
		else if (now - c->list_ts > FLOW_HALF_IDLE)
			relist(t, c, L_HALF, c->last_ts);
		else
			break;
	}
	while ((c = t->lists[L_OPEN].head)) {
		if (now - c->last_ts > FLOW_IDLE)
			retire_as(t, c, FLOW_GONE_EXPIRED);
		else if (now - c->list_ts > FLOW_IDLE)
			relist(t, c, L_OPEN, c->last_ts);
		else
			break;
	}
}

static struct conn *create(struct flow_table *t, uint32_t h, const struct tcp_segment *seg,
			   uint64_t n, ts_ns ts)
{
	while (t->count >= t->max && t->count)
		evict(t);
	/* Aligned, so that what find() compares is one cache line. */
	struct conn *c = t->spare;
	if (c) {
		t->spare = c->hnext;
		t->nspare--;
	} else if (!(c = aligned_alloc(64, conn_bytes(t)))) {
		return NULL;
	}
	memset(c, 0, sizeof *c);
	/* The client is the SYN sender; a lone SYN-ACK names the server; else
	 * the first segment's source is taken to be the client. */
	int src_is_server = (seg->flags & (TCPF_SYN | TCPF_ACK)) == (TCPF_SYN | TCPF_ACK);
	size_t alen = seg->family == 4 ? 4 : 16;
	int cs = src_is_server ? 1 : 0;
	c->family = seg->family;
	memcpy(c->addr[cs], seg->src, alen);
	memcpy(c->addr[1 - cs], seg->dst, alen);
	c->port[cs] = seg->sport;
	c->port[1 - cs] = seg->dport;
	c->hash = h;
	c->id = t->next_id++;
	c->first_ts = ts;
	c->first_n = n;
	c->rst_from = -1;
	c->first_fin_from = -1;
	c->half = (seg->flags & TCPF_SYN) != 0;
	c->list = c->half ? L_HALF : L_OPEN;
	c->list_ts = ts;
	format_ep(c, 0);
	format_ep(c, 1);
	uint32_t b = h & (t->nbuckets - 1);
	c->hnext = t->buckets[b];
	t->buckets[b] = c;
	list_append(&t->lists[c->list], c);
	t->count++;
	if (t->count > (uint64_t)t->nbuckets)
		grow(t);
	return c;
}

static void expire_closed(struct flow_table *t, ts_ns now)
{
	struct conn_list *l = &t->lists[L_CLOSED];
	while (l->head &&
	       (l->count > FLOW_CLOSED_KEEP || now - l->head->closed_ts > FLOW_CLOSED_LINGER))
		retire(t, l->head);
}

static void mark_closed(struct flow_table *t, struct conn *c, ts_ns ts)
{
	if (c->closed)
		return;
	c->closed = 1;
	c->closed_ts = ts;
	relist(t, c, L_CLOSED, ts);
}

/* Payload bytes of side s not acknowledged by the other side. */
static uint64_t unacked(const struct flow_side *s)
{
	if (!s->sent_any)
		return 0;
	if (s->acked_any)
		return seq_after(s->data_end, s->acked) ? s->data_end - s->acked : 0;
	if (s->isn_known)
		return seq_after(s->data_end, s->isn + 1) ? s->data_end - (s->isn + 1) : 0;
	return s->data_after_fin;
}

int flow_update(struct flow_table *t, const struct tcp_segment *seg, uint64_t n, ts_ns ts,
		struct seg_info *info)
{
	return flow_update_h(t, seg, flow_hash(seg), n, ts, info);
}

int flow_update_h(struct flow_table *t, const struct tcp_segment *seg, uint32_t h, uint64_t n,
		  ts_ns ts, struct seg_info *info)
{
	memset(info, 0, sizeof *info);
	expire_closed(t, ts);
	/* Unsigned: a capture whose time jumps back scans at once too. */
	if ((uint64_t)ts - (uint64_t)t->scanned >= (uint64_t)FLOW_SCAN_EVERY)
		expire_idle(t, ts);
	int d = 0;
	struct conn *c = find(t, h, seg->family, seg->src, seg->sport, seg->dst, seg->dport, &d);
	int syn_only = (seg->flags & (TCPF_SYN | TCPF_ACK | TCPF_RST)) == TCPF_SYN;
	if (c && syn_only && c->closed) {
		/* The 4-tuple is reused by a new connection. */
		retire(t, c);
		c = NULL;
	}
	if (!c) {
		c = create(t, h, seg, n, ts);
		if (!c)
			return -1;
		info->new_conn = 1;
		d = (seg->flags & (TCPF_SYN | TCPF_ACK)) == (TCPF_SYN | TCPF_ACK) ? 1 : 0;
	}
	info->conn = c;
	info->dir = d;
	struct flow_side *me = &c->side[d], *peer = &c->side[1 - d];
	c->last_ts = ts;
	c->last_n = n;
	/* The handshake is complete once each side has sent and a segment
	 * without SYN follows (the client's ACK of the SYN-ACK). */
	if (c->half && !(seg->flags & TCPF_SYN) && peer->pkts && me->pkts)
		c->half = 0;
	me->pkts++;
	me->bytes += seg->len;

	if (seg->flags & TCPF_SYN) {
		me->isn = seg->seq;
		me->isn_known = 1;
		c->syn_seen = 1;
		if (!me->sent_any || seq_after(seg->seq + 1, me->data_end))
			me->data_end = seg->seq + 1;
		me->sent_any = 1;
		info->note = (seg->flags & TCPF_ACK) ? NOTE_SYNACK : NOTE_SYN;
	}
	if (me->isn_known) {
		info->rseq_ok = 1;
		info->rseq = seg->seq - me->isn;
	}
	if ((seg->flags & TCPF_ACK) && peer->isn_known) {
		info->rack_ok = 1;
		info->rack = seg->ack - peer->isn;
	}

	/* New data, retransmission, or data where none belongs. */
	if (seg->len > 0 && !(seg->flags & TCPF_RST)) {
		uint32_t end = seg->seq + seg->len;
		if (me->sent_any && !seq_after(end, me->data_end)) {
			me->retrans++;
			info->note = NOTE_RETRANSMIT;
		} else {
			me->data_end = end;
			me->sent_any = 1;
			me->last_data_n = n;
			/* New bytes after the peer's RST (it was still on its way
			 * to us): lost as well. */
			if (c->rst_from == 1 - d)
				c->lost += seg->len;
			if (me->fin_n && !seq_after(me->fin_seq, seg->seq)) {
				info->note = NOTE_DATA_AFTER_OWN_FIN;
				info->note_ref = me->fin_n;
			} else if (peer->fin_n) {
				if (!me->data_after_fin)
					me->first_after_fin_n = n;
				me->data_after_fin += seg->len;
				info->note = NOTE_DATA_AFTER_PEER_FIN;
				info->note_bytes = seg->len;
				info->note_ref = peer->fin_n;
			}
		}
	} else if (!me->sent_any && !(seg->flags & TCPF_RST)) {
		me->data_end = seg->seq;
		me->sent_any = 1;
	}

	/* What the other side acknowledged of ours, from this segment's ack. */
	if (seg->flags & TCPF_ACK) {
		if (!peer->acked_any || seq_after(seg->ack, peer->acked)) {
			peer->acked = seg->ack;
			peer->acked_any = 1;
		}
	}

	/* The peer's RST did not land if this side goes on after it: a reset
	 * socket sends nothing more, so data sent again means it was dropped
	 * on the way; an ACK alone, when the RST's seq was not the one
	 * expected, is the challenge ACK of RFC 5961 (it was ignored). The
	 * connection is open again, and the next RST may land. */
	if (c->rst_from == 1 - d && !(seg->flags & TCPF_RST)) {
		int again = info->note == NOTE_RETRANSMIT;
		int challenge =
			c->rst_seq_off && !seg->len && !(seg->flags & (TCPF_SYN | TCPF_FIN));
		if (again || challenge) {
			info->rst_missed = c->rst_missed_n = peer->rst_n;
			info->rst_outside = c->rst_missed_outside = !again;
			c->rst_missed_to = (uint8_t)d;
			peer->rst_n = 0;
			c->rst_from = -1;
			c->rst_lost_n = 0;
			c->lost = 0;
			if (c->closed_by_rst) {
				c->closed = 0;
				c->closed_by_rst = 0;
				relist(t, c, L_OPEN, ts);
			}
		}
	}

	if ((seg->flags & TCPF_FIN) && !me->fin_n) {
		me->fin_n = n;
		me->fin_seq = seg->seq + seg->len;
		if (c->first_fin_from < 0)
			c->first_fin_from = d;
		if (info->note != NOTE_DATA_AFTER_PEER_FIN &&
		    info->note != NOTE_DATA_AFTER_OWN_FIN) {
			info->note = peer->fin_n ? NOTE_FIN_BOTH : NOTE_FIN_HALF_CLOSE;
			info->note_ref = peer->fin_n;
		}
		if (peer->fin_n)
			mark_closed(t, c, ts);
	}

	if (seg->flags & TCPF_RST) {
		uint64_t lost = unacked(peer);
		if (!me->rst_n)
			me->rst_n = n;
		info->note_ref = peer->last_data_n;
		/* Our first segment, answering their SYN: nothing listens here. */
		if (!me->isn_known && peer->isn_known && me->pkts == 1 && peer->bytes == 0) {
			info->note = NOTE_RST_REFUSED;
			info->note_ref = 0;
		} else if (me->fin_n && peer->data_after_fin > 0) {
			info->note = NOTE_RST_AFTER_FIN;
			/* The first answers the first bytes its closed socket could
			 * not take; one after it, the latest. */
			if (c->rst_from < 0)
				info->note_ref = peer->first_after_fin_n;
		} else if (me->fin_n && peer->fin_n) {
			info->note = NOTE_RST_AFTER_CLOSE;
		} else {
			info->note = NOTE_RST_ABORT;
		}
		/* Count each lost byte once, even when RSTs repeat. */
		if (c->rst_from < 0) {
			c->rst_from = d;
			c->rst_lost_n = lost ? info->note_ref : 0;
			c->lost = lost;
			info->note_bytes = lost;
			/* Its receiver expects our next byte: what it acknowledged. */
			c->rst_seq_off = me->acked_any && seg->seq != me->acked;
			if (!c->closed)
				c->closed_by_rst = 1;
		} else if (c->side[c->rst_from].rst_n && c->side[c->rst_from].rst_n != n) {
			info->rst_again = c->side[c->rst_from].rst_n;
		}
		mark_closed(t, c, ts);
	}
	return 0;
}

uint64_t flow_open_count(const struct flow_table *t)
{
	return t->lists[L_HALF].count + t->lists[L_OPEN].count;
}
uint64_t flow_total_count(const struct flow_table *t) { return t->next_id - 1; }
uint64_t flow_evicted_count(const struct flow_table *t) { return t->evicted; }
uint64_t flow_expired_count(const struct flow_table *t) { return t->expired; }

const char *flow_note_code(enum seg_note note)
{
	switch (note) {
	case NOTE_NONE: return "";
	case NOTE_SYN: return "syn";
	case NOTE_SYNACK: return "synack";
	case NOTE_FIN_HALF_CLOSE: return "fin_half_close";
	case NOTE_FIN_BOTH: return "fin_both_closed";
	case NOTE_DATA_AFTER_PEER_FIN: return "data_after_peer_fin";
	case NOTE_DATA_AFTER_OWN_FIN: return "data_after_own_fin";
	case NOTE_RST_AFTER_FIN: return "rst_after_fin";
	case NOTE_RST_ABORT: return "rst_abort";
	case NOTE_RST_REFUSED: return "rst_refused";
	case NOTE_RST_AFTER_CLOSE: return "rst_after_close";
	case NOTE_RETRANSMIT: return "retransmission";
	}
	return "";
}
