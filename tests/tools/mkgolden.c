/* mkgolden.c: writes the small synthetic captures used by the golden tests.
 *
 *   build/tools/mkgolden DIR
 *
 * Every capture is built byte by byte, so each one shows exactly one thing:
 * a link type, an IP feature, or one kind of damage. They are checked in
 * under tests/golden/; rerun this and read the diff if the generator changes. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE_SEC 1763723790u /* 2025-11-21 11:16:30 UTC */

enum link {
	L_EN10MB,
	L_VLAN,
	L_QINQ,
	L_SLL,
	L_SLL2,
	L_NULL,
	L_NULL_BE,
	L_LOOP,
	L_RAW,
	L_IPV4,
	L_IPV6,
	L_PPP
};
static const int link_dlt[] = { 1, 1, 1, 113, 276, 0, 0, 108, 101, 228, 229, 9 };

struct writer {
	FILE *f;
	int ng; /* pcapng */
	enum link link;
	uint32_t snaplen;
	uint64_t t_ns; /* time since BASE_SEC */
};

static void put16le(FILE *f, uint16_t v) { fwrite(&v, 2, 1, f); }
static void put32le(FILE *f, uint32_t v) { fwrite(&v, 4, 1, f); }

static struct writer *wopen(const char *dir, const char *name, enum link link, int ng,
			    uint32_t snaplen)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	struct writer *w = calloc(1, sizeof *w);
	w->f = fopen(path, "wb");
	if (!w->f) {
		perror(path);
		exit(1);
	}
	w->ng = ng;
	w->link = link;
	w->snaplen = snaplen;
	if (!ng) {
		put32le(w->f, 0xa1b23c4d); /* nanosecond pcap */
		put16le(w->f, 2);
		put16le(w->f, 4);
		put32le(w->f, 0);
		put32le(w->f, 0);
		put32le(w->f, snaplen);
		put32le(w->f, (uint32_t)link_dlt[link]);
	} else {
		/* Section header block, then one interface with nanosecond stamps. */
		put32le(w->f, 0x0a0d0d0a);
		put32le(w->f, 28);
		put32le(w->f, 0x1a2b3c4d);
		put16le(w->f, 1);
		put16le(w->f, 0);
		put32le(w->f, 0xffffffff);
		put32le(w->f, 0xffffffff);
		put32le(w->f, 28);
		put32le(w->f, 1);
		put32le(w->f, 32);
		put16le(w->f, (uint16_t)link_dlt[link]);
		put16le(w->f, 0);
		put32le(w->f, snaplen);
		put16le(w->f, 9); /* if_tsresol */
		put16le(w->f, 1);
		uint8_t res[4] = { 9, 0, 0, 0 };
		fwrite(res, 4, 1, w->f);
		put32le(w->f, 0); /* opt_endofopt */
		put32le(w->f, 32);
	}
	return w;
}

static void wclose(struct writer *w)
{
	fclose(w->f);
	free(w);
}

/* One record; caplen may be less than len (cut), or more (damage). */
static void record_raw(struct writer *w, const uint8_t *b, uint32_t caplen, uint32_t len)
{
	uint64_t ns = (uint64_t)BASE_SEC * 1000000000u + w->t_ns;
	if (!w->ng) {
		put32le(w->f, (uint32_t)(ns / 1000000000u));
		put32le(w->f, (uint32_t)(ns % 1000000000u));
		put32le(w->f, caplen);
		put32le(w->f, len);
		fwrite(b, 1, caplen, w->f);
	} else {
		uint32_t pad = (4 - caplen % 4) % 4, total = 32 + caplen + pad;
		put32le(w->f, 6);
		put32le(w->f, total);
		put32le(w->f, 0);
		put32le(w->f, (uint32_t)(ns >> 32));
		put32le(w->f, (uint32_t)ns);
		put32le(w->f, caplen);
		put32le(w->f, len);
		fwrite(b, 1, caplen, w->f);
		static const uint8_t zero[4];
		fwrite(zero, 1, pad, w->f);
		put32le(w->f, total);
	}
}

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

struct ep {
	int v6;
	uint8_t a[16];
	uint16_t port;
};

static struct ep ep4(const char *s, uint16_t port)
{
	struct ep e = { 0 };
	inet_pton(AF_INET, s, e.a);
	e.port = port;
	return e;
}
static struct ep ep6(const char *s, uint16_t port)
{
	struct ep e = { 1 };
	inet_pton(AF_INET6, s, e.a);
	e.port = port;
	return e;
}

enum { F_FIN = 1, F_SYN = 2, F_RST = 4, F_PSH = 8, F_ACK = 16 };

struct seg_spec {
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	const uint8_t *opts;
	uint8_t optlen;
	const char *data;
	uint32_t dlen;
	uint8_t ip_opts; /* IPv4: bytes of IP options (NOPs + EOL) */
	int v6_ext;	 /* IPv6: hop-by-hop + destination options */
};

/* IP + TCP into b; returns the length. */
static size_t build_ip_tcp(uint8_t *b, const struct ep *s, const struct ep *d,
			   const struct seg_spec *g)
{
	uint8_t tcp[60 + 1500];
	size_t thl = 20 + g->optlen;
	memset(tcp, 0, sizeof tcp);
	tcp[0] = (uint8_t)(s->port >> 8), tcp[1] = (uint8_t)s->port;
	tcp[2] = (uint8_t)(d->port >> 8), tcp[3] = (uint8_t)d->port;
	uint32_t v = htonl(g->seq);
	memcpy(tcp + 4, &v, 4);
	v = htonl(g->ack);
	memcpy(tcp + 8, &v, 4);
	tcp[12] = (uint8_t)((thl / 4) << 4);
	tcp[13] = g->flags;
	tcp[14] = (uint8_t)(g->win >> 8), tcp[15] = (uint8_t)g->win;
	if (g->optlen)
		memcpy(tcp + 20, g->opts, g->optlen);
	if (g->dlen)
		memcpy(tcp + thl, g->data, g->dlen);
	size_t tlen = thl + g->dlen;
	size_t n = 0;
	if (!s->v6) {
		size_t ihl = 20 + g->ip_opts;
		memset(b, 0, ihl);
		b[0] = (uint8_t)(0x40 | ihl / 4);
		b[2] = (uint8_t)((ihl + tlen) >> 8), b[3] = (uint8_t)(ihl + tlen);
		b[6] = 0x40; /* DF */
		b[8] = 64;
		b[9] = 6;
		memcpy(b + 12, s->a, 4);
		memcpy(b + 16, d->a, 4);
		for (size_t i = 20; i < ihl; i++)
			b[i] = i + 1 < ihl ? 1 : 0; /* NOPs, then EOL */
		uint16_t c = csum(b, ihl);
		b[10] = (uint8_t)(c >> 8), b[11] = (uint8_t)c;
		n = ihl;
	} else {
		size_t ext = g->v6_ext ? 16 : 0;
		memset(b, 0, 40 + ext);
		b[0] = 0x60;
		b[4] = (uint8_t)((ext + tlen) >> 8), b[5] = (uint8_t)(ext + tlen);
		b[6] = g->v6_ext ? 0 : 6;
		b[7] = 64;
		memcpy(b + 8, s->a, 16);
		memcpy(b + 24, d->a, 16);
		if (g->v6_ext) {
			b[40] = 60; /* hop-by-hop -> destination options */
			b[41] = 0;
			b[42] = 1, b[43] = 4; /* PadN */
			b[48] = 6;	      /* destination options -> TCP */
			b[49] = 0;
			b[50] = 1, b[51] = 4;
		}
		n = 40 + ext;
	}
	memcpy(b + n, tcp, tlen);
	return n + tlen;
}

/* Link header in front of an IP packet of ip_len bytes at b + hl. */
static size_t link_header(enum link l, uint8_t *b, int v6)
{
	uint16_t et = v6 ? 0x86dd : 0x0800;
	switch (l) {
	case L_EN10MB:
	case L_VLAN:
	case L_QINQ: {
		static const uint8_t macs[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
		memcpy(b, macs, 12);
		size_t o = 12;
		if (l == L_QINQ) {
			b[o] = 0x88, b[o + 1] = 0xa8, b[o + 2] = 0x00, b[o + 3] = 0x64;
			o += 4;
		}
		if (l == L_VLAN || l == L_QINQ) {
			b[o] = 0x81, b[o + 1] = 0x00, b[o + 2] = 0x00, b[o + 3] = 0x0a;
			o += 4;
		}
		b[o] = (uint8_t)(et >> 8), b[o + 1] = (uint8_t)et;
		return o + 2;
	}
	case L_SLL:
		memset(b, 0, 16);
		b[1] = 0; /* to us */
		b[3] = 1;
		b[5] = 6;
		b[14] = (uint8_t)(et >> 8), b[15] = (uint8_t)et;
		return 16;
	case L_SLL2:
		memset(b, 0, 20);
		b[0] = (uint8_t)(et >> 8), b[1] = (uint8_t)et;
		b[7] = 1;	   /* ifindex 1 */
		b[9] = 772 & 0xff; /* ARPHRD_LOOPBACK, low byte */
		b[8] = 772 >> 8;
		b[11] = 6;
		return 20;
	case L_NULL: {
		uint32_t af = v6 ? 30 : 2; /* host order, little-endian writer */
		memcpy(b, &af, 4);
		return 4;
	}
	case L_NULL_BE: {
		uint32_t af = htonl(v6 ? 24 : 2);
		memcpy(b, &af, 4);
		return 4;
	}
	case L_LOOP: {
		uint32_t af = htonl(v6 ? 24 : 2);
		memcpy(b, &af, 4);
		return 4;
	}
	case L_PPP: b[0] = 0xff, b[1] = 0x03, b[2] = 0x00, b[3] = v6 ? 0x57 : 0x21; return 4;
	case L_RAW:
	case L_IPV4:
	case L_IPV6: return 0;
	}
	return 0;
}

static void emit(struct writer *w, const struct ep *s, const struct ep *d, const struct seg_spec *g,
		 uint32_t gap_us)
{
	uint8_t b[2048];
	w->t_ns += (uint64_t)gap_us * 1000u;
	size_t hl = link_header(w->link, b, s->v6);
	size_t n = hl + build_ip_tcp(b + hl, s, d, g);
	uint32_t cap = n > w->snaplen ? w->snaplen : (uint32_t)n;
	record_raw(w, b, cap, (uint32_t)n);
}

static const uint8_t syn_opts[20] = { 2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0,
				      0, 1, 0,	  0,	0, 0, 1, 3,  3, 7 };
static const uint8_t ts_opts[12] = { 1, 1, 8, 10, 0, 0, 0, 2, 0, 0, 0, 1 };

/* The seed story: hello, dont leave, the server closes (FIN), the client
 * sends "are you here?" anyway, and the server's host answers with RST. */
static void story(struct writer *w, struct ep c, struct ep s, int ext)
{
	uint32_t ci = 1000, si = 5000;
	struct seg_spec g = { .win = 65495, .v6_ext = ext };
	g.seq = ci, g.flags = F_SYN, g.opts = syn_opts, g.optlen = 20;
	emit(w, &c, &s, &g, 0);
	g.seq = si, g.ack = ci + 1, g.flags = F_SYN | F_ACK;
	emit(w, &s, &c, &g, 20);
	g.opts = ts_opts, g.optlen = 12, g.win = 512;
	g.seq = ci + 1, g.ack = si + 1, g.flags = F_ACK;
	emit(w, &c, &s, &g, 15);
	g.data = "hello\n", g.dlen = 6, g.flags = F_PSH | F_ACK;
	emit(w, &c, &s, &g, 100000);
	g.data = NULL, g.dlen = 0;
	g.seq = si + 1, g.ack = ci + 7, g.flags = F_ACK;
	emit(w, &s, &c, &g, 30);
	g.seq = ci + 7, g.ack = si + 1, g.data = "dont leave\n", g.dlen = 11,
	g.flags = F_PSH | F_ACK;
	emit(w, &c, &s, &g, 100000);
	g.data = NULL, g.dlen = 0;
	g.seq = si + 1, g.ack = ci + 18, g.flags = F_ACK;
	emit(w, &s, &c, &g, 30);
	g.seq = si + 1, g.ack = ci + 18, g.flags = F_FIN | F_ACK; /* the server closes */
	emit(w, &s, &c, &g, 100000);
	g.seq = ci + 18, g.ack = si + 2, g.flags = F_ACK;
	emit(w, &c, &s, &g, 40);
	g.data = "are you here?\n", g.dlen = 14, g.flags = F_PSH | F_ACK;
	emit(w, &c, &s, &g, 100000);
	g.data = NULL, g.dlen = 0, g.opts = NULL, g.optlen = 0, g.win = 0;
	g.seq = si + 2, g.ack = 0, g.flags = F_RST; /* no socket: RST, seq = their ack */
	emit(w, &s, &c, &g, 25);
}

/* A connection refused, and one aborted with RST after data both ways. */
static void refused_and_abort(struct writer *w, struct ep c, struct ep s)
{
	struct seg_spec g = { .win = 64240 };
	struct ep c2 = c;
	c2.port++;
	g.seq = 77, g.flags = F_SYN;
	emit(w, &c2, &s, &g, 1000);
	struct ep closed = s;
	closed.port = 9;
	g.seq = 300, g.flags = F_SYN;
	emit(w, &c, &closed, &g, 1000);
	g.seq = 0, g.ack = 301, g.flags = F_RST | F_ACK, g.win = 0;
	emit(w, &closed, &c, &g, 20);
	/* c2 continues: handshake, data, then the server aborts. */
	g.win = 64240;
	g.seq = 900, g.ack = 78, g.flags = F_SYN | F_ACK;
	emit(w, &s, &c2, &g, 30);
	g.seq = 78, g.ack = 901, g.flags = F_ACK;
	emit(w, &c2, &s, &g, 30);
	g.data = "GET / HTTP/1.0\r\n\r\n", g.dlen = 18, g.flags = F_PSH | F_ACK;
	emit(w, &c2, &s, &g, 500);
	g.data = "GET / HTTP/1.0\r\n\r\n", g.dlen = 18, g.flags = F_PSH | F_ACK; /* retransmitted */
	emit(w, &c2, &s, &g, 200000);
	g.data = NULL, g.dlen = 0;
	g.seq = 901, g.ack = 96, g.flags = F_RST | F_ACK, g.win = 0;
	emit(w, &s, &c2, &g, 50);
}

static void damaged(const char *dir)
{
	struct ep c = ep4("127.0.0.1", 40494), s = ep4("127.0.0.1", 8999);
	struct writer *w;
	uint8_t b[256];

	/* A record whose data stops short of its caplen: the file ends early. */
	w = wopen(dir, "damaged-truncated.pcap", L_EN10MB, 0, 262144);
	story(w, c, s, 0);
	fflush(w->f);
	{
		struct seg_spec g = { .seq = 1, .flags = F_ACK, .win = 1 };
		size_t hl = link_header(L_EN10MB, b, 0);
		size_t n = hl + build_ip_tcp(b + hl, &c, &s, &g);
		w->t_ns += 1000;
		uint64_t ns = (uint64_t)BASE_SEC * 1000000000u + w->t_ns;
		put32le(w->f, (uint32_t)(ns / 1000000000u));
		put32le(w->f, (uint32_t)(ns % 1000000000u));
		put32le(w->f, (uint32_t)n);
		put32le(w->f, (uint32_t)n);
		fwrite(b, 1, n / 2, w->f); /* cut */
	}
	wclose(w);

	/* Bad magic. */
	{
		char path[1024];
		snprintf(path, sizeof path, "%s/damaged-badmagic.pcap", dir);
		FILE *f = fopen(path, "wb");
		fputs("this is not a capture file, just text\n", f);
		fclose(f);
	}

	/* Header-level damage, one kind per record, between good ones. */
	w = wopen(dir, "damaged-records.pcap", L_EN10MB, 0, 128);
	{
		struct seg_spec g = { .seq = 1000, .flags = F_SYN, .win = 100 };
		emit(w, &c, &s, &g, 0); /* 1: fine */
		size_t hl = link_header(L_EN10MB, b, 0);
		size_t n = hl + build_ip_tcp(b + hl, &c, &s, &g);
		w->t_ns += 1000;
		record_raw(w, b, (uint32_t)n, (uint32_t)n - 10); /* 2: caplen > len */
		uint8_t bad[256];
		memcpy(bad, b, n);
		bad[hl] = 0x43; /* 3: IHL 3 */
		w->t_ns += 1000;
		record_raw(w, bad, (uint32_t)n, (uint32_t)n);
		memcpy(bad, b, n);
		bad[hl + 20 + 12] = 0x30; /* 4: TCP data offset 3 */
		w->t_ns += 1000;
		record_raw(w, bad, (uint32_t)n, (uint32_t)n);
		memcpy(bad, b, n);
		bad[hl + 20 + 12] = 0xf0; /* 5: data offset 60 > segment */
		w->t_ns += 1000;
		record_raw(w, bad, (uint32_t)n, (uint32_t)n);
		w->t_ns += 1000;
		record_raw(w, b, 0, 60); /* 6: zero-length frame */
		w->t_ns += 1000;
		record_raw(w, b, 20, 20);   /* 7: IP header cut, not by snaplen */
		memset(bad, 0, sizeof bad); /* 8: caplen 200 > snaplen 128 */
		memcpy(bad, b, n);
		w->t_ns += 1000;
		record_raw(w, bad, 200, 200);
		g.seq = 2000, g.ack = 1001, g.flags = F_SYN | F_ACK;
		emit(w, &s, &c, &g, 1000); /* 9: fine */
	}
	wclose(w);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mkgolden DIR\n");
		return 2;
	}
	const char *dir = argv[1];
	struct ep c4 = ep4("127.0.0.1", 40494), s4 = ep4("127.0.0.1", 8999);
	struct ep c6 = ep6("::1", 40494), s6 = ep6("::1", 8999);
	struct writer *w;

	w = wopen(dir, "story-en10mb.pcap", L_EN10MB, 0, 262144);
	story(w, c4, s4, 0);
	refused_and_abort(w, ep4("10.0.0.1", 51000), ep4("10.0.0.2", 80));
	wclose(w);

	w = wopen(dir, "story-v6-sll2.pcapng", L_SLL2, 1, 262144);
	story(w, c6, s6, 1);
	wclose(w);

	static const struct {
		const char *name;
		enum link link;
		int v6;
	} small[] = {
		{ "link-vlan.pcap", L_VLAN, 0 },       { "link-qinq.pcap", L_QINQ, 1 },
		{ "link-sll.pcap", L_SLL, 0 },	       { "link-null.pcap", L_NULL, 1 },
		{ "link-null-be.pcap", L_NULL_BE, 0 }, { "link-loop.pcap", L_LOOP, 0 },
		{ "link-raw.pcap", L_RAW, 1 },	       { "link-ipv4.pcap", L_IPV4, 0 },
		{ "link-ipv6.pcap", L_IPV6, 1 },       { "link-ppp.pcap", L_PPP, 0 },
	};
	for (size_t i = 0; i < sizeof small / sizeof small[0]; i++) {
		w = wopen(dir, small[i].name, small[i].link, 0, 262144);
		struct ep c = small[i].v6 ? c6 : c4, s = small[i].v6 ? s6 : s4;
		struct seg_spec g = {
			.seq = 10, .flags = F_SYN, .win = 1000, .opts = syn_opts, .optlen = 20
		};
		emit(w, &c, &s, &g, 0);
		g.seq = 20, g.ack = 11, g.flags = F_SYN | F_ACK;
		emit(w, &s, &c, &g, 10);
		g.opts = NULL, g.optlen = 0;
		g.seq = 11, g.ack = 21, g.flags = F_PSH | F_ACK, g.data = "ping\n", g.dlen = 5;
		emit(w, &c, &s, &g, 10);
		g.seq = 21, g.ack = 16, g.flags = F_FIN | F_PSH | F_ACK, g.data = "pong\n",
		g.dlen = 5;
		emit(w, &s, &c, &g, 10);
		g.seq = 16, g.ack = 27, g.flags = F_FIN | F_ACK, g.data = NULL, g.dlen = 0;
		emit(w, &c, &s, &g, 10);
		wclose(w);
	}

	/* IPv4 options, fragments, and a snapshot length that cuts payloads. */
	w = wopen(dir, "ip-features.pcap", L_EN10MB, 0, 70);
	{
		struct seg_spec g = { .seq = 10, .flags = F_SYN, .win = 1000, .ip_opts = 8 };
		emit(w, &c4, &s4, &g, 0); /* IPv4 with 8 bytes of options */
		g.ip_opts = 0;
		g.seq = 20, g.ack = 11, g.flags = F_SYN | F_ACK;
		emit(w, &s4, &c4, &g, 10);
		g.seq = 11, g.ack = 21, g.flags = F_PSH | F_ACK;
		g.data = "a payload longer than the snapshot length lets through", g.dlen = 54;
		emit(w, &c4, &s4, &g, 10); /* cut by snaplen 70: caplen < len */
		/* A first fragment (MF) and its second fragment. */
		uint8_t b[256];
		size_t hl = link_header(L_EN10MB, b, 0);
		g.seq = 65, g.data = "0123456789abcdef0123456789abcdef", g.dlen = 32;
		size_t n = hl + build_ip_tcp(b + hl, &c4, &s4, &g);
		b[hl + 6] = 0x20; /* MF, offset 0 */
		w->t_ns += 10000;
		record_raw(w, b, (uint32_t)(n < 70 ? n : 70), (uint32_t)n);
		b[hl + 6] = 0x00, b[hl + 7] = 0x05; /* offset 40 bytes, last */
		w->t_ns += 10000;
		record_raw(w, b, (uint32_t)(n < 70 ? n : 70), (uint32_t)n);
	}
	wclose(w);

	damaged(dir);
	return 0;
}
