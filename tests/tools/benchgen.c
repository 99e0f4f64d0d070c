/* benchgen.c: writes a large, deterministic loopback-like TCP capture for
 * `make bench`, and optionally the client's send log for it.
 *
 *   benchgen -n PACKETS -o FILE.pcap [-l SENDLOG] [-w WINDOW] [-s SEED]
 *   benchgen -f -n PACKETS -o FILE.pcap
 *
 * -f writes a SYN flood instead (a scan looks the same to a connection
 * table): every record a lone IPv4 SYN from a new source, port 1024 onward
 * on 10.0.0.1, then on 10.0.0.2 and so on, to 10.255.0.1:80, 1..4 us apart;
 * nothing answers. Each SYN is a new half-open connection.
 *
 * The capture is classic pcap (nanosecond magic 0xa1b23c4d, EN10MB, snaplen
 * 262144), as tcpdump -i lo writes it on Linux: zero MAC addresses, IPv4 and
 * IPv6 (one connection in four), 127.0.0.1 / ::1 on both ends. A rolling
 * window of WINDOW connections (default 800) is open at any time; each packet
 * belongs to a connection picked at random from the window, so connections are
 * interleaved. A connection that ends is replaced at once by a new one.
 *
 * Each connection: SYN, SYN-ACK, ACK (MSS, SACK-permitted, timestamps and
 * window scale on the SYNs; timestamps on every other segment), then one to
 * three rounds of request (client data), response (server data acking it) and
 * client ACK, then either an orderly close (client FIN, server FIN, ACK) or,
 * one connection in eight, the rstscope story: the server closes (FIN), the
 * client ACKs it, sends more data (send() succeeds), and the server, having no
 * socket any more, answers with RST; the client's next send() fails with EPIPE
 * and SIGPIPE. About 12 packets per connection: 2 million packets hold more
 * than 150,000 connections. The 4-tuples (client port cycling through the
 * ephemeral range, server port through 8000..8015) never repeat within
 * 451,712 connections.
 *
 * The send log (DESIGN.md format) is the client process's: a connect line when
 * connect() returns, one send line per client data segment (ts a few hundred
 * nanoseconds after the segment's capture time: loopback transmits within the
 * call), and for the RST-ending connections the failing send (-1, EPIPE) with
 * the SIGPIPE signal line (disposition "ignore", as the demo's writer logs it)
 * just before it; a close line ends every connection. Lines are in time order.
 *
 * The same seed and window give the same bytes; a capture of N packets is a
 * prefix (records) of one of M > N packets. Statistics go to stderr.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SNAPLEN	    262144
#define DLT_EN10MB_ 1
#define CLIENT_PID  4242
#define PORT_LO	    32768
#define PORT_N	    28232 /* 32768..60999, Linux's default ephemeral range */
#define SPORT_LO    8000
#define SPORT_N	    16
#define START_SEC   1763723790LL
#define MAX_ROUNDS  3
#define RST_ONE_IN  8
#define V6_ONE_IN   4

/* splitmix64: small, fast, and the same everywhere. */
static uint64_t rng_state;
static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}
static uint32_t rng_below(uint32_t n)
{
	return (uint32_t)(((rng_next() >> 32) * (uint64_t)n) >> 32);
}

/* Steps of a connection's script; the packet each step emits is in step_emit. */
enum step {
	ST_SYN,
	ST_SYNACK,
	ST_ACK,
	ST_REQ,	     /* client data */
	ST_RESP,     /* server data, acks the request */
	ST_REQ_ACK,  /* client acks the response */
	ST_CFIN,     /* orderly: client FIN */
	ST_SFIN2,    /* orderly: server FIN */
	ST_LAST_ACK, /* orderly: client acks it; done */
	ST_SFIN,     /* story: server closes first */
	ST_FIN_ACK,  /* story: client acks the FIN */
	ST_LATE,     /* story: client data after the peer's FIN */
	ST_RST,	     /* story: server answers with RST; done */
};

struct conn {
	uint64_t id;
	int v6;
	int story;  /* ends with data after FIN and RST */
	int rounds; /* request/response rounds left */
	enum step step;
	uint16_t cport, sport;
	uint32_t cseq, sseq;	     /* next sequence number of each side */
	uint32_t cts_off, sts_off;   /* per-side timestamp clock offsets */
	uint32_t cts_last, sts_last; /* last TSval each side sent */
	uint32_t flow[2];	     /* IPv6 flow labels */
	uint16_t ipid[2];
	uint64_t off; /* client bytes sent so far (send-log "off") */
	int fd;
};

struct gen {
	FILE *pcap, *log;
	uint64_t ts; /* ns since the epoch of the current packet */
	uint64_t packets, conns, conns_v6, stories, sends, log_lines;
	uint64_t next_conn;
	uint8_t pkt[256];
	char line[512];
};

static const char text[] =
	"GET /api/v1/items?page=2 HTTP/1.1 Host: localhost:8999 Accept: */* "
	"HTTP/1.1 200 OK Content-Length: 42 Connection: keep-alive {\"ok\":true} "
	"are you here? yes, still here. bye for now, see you later, alligator!";

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}
static void put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}
static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void conn_start(struct gen *g, struct conn *c, int fd)
{
	uint64_t id = g->next_conn++;
	memset(c, 0, sizeof *c);
	c->id = id;
	c->fd = fd;
	c->v6 = rng_below(V6_ONE_IN) == 0;
	c->story = rng_below(RST_ONE_IN) == 0;
	c->rounds = 1 + (int)rng_below(MAX_ROUNDS);
	c->step = ST_SYN;
	c->cport = (uint16_t)(PORT_LO + id % PORT_N);
	c->sport = (uint16_t)(SPORT_LO + (id / PORT_N) % SPORT_N);
	c->cseq = (uint32_t)rng_next();
	c->sseq = (uint32_t)rng_next();
	c->cts_off = (uint32_t)rng_next();
	c->sts_off = (uint32_t)rng_next();
	c->flow[0] = (uint32_t)rng_next() & 0xfffff;
	c->flow[1] = (uint32_t)rng_next() & 0xfffff;
	c->ipid[0] = (uint16_t)rng_next();
	c->ipid[1] = (uint16_t)rng_next();
}

static void fmt_ep(char *out, size_t size, int v6, uint16_t port)
{
	snprintf(out, size, v6 ? "[::1]:%u" : "127.0.0.1:%u", port);
}

static void log_ts(char *out, size_t size, uint64_t ns)
{
	snprintf(out, size, "%" PRIu64 ".%09" PRIu64, ns / 1000000000, ns % 1000000000);
}

/* Connect, close: ts pid event fd local peer ret errno. */
static void log_sock(struct gen *g, const struct conn *c, uint64_t ns, const char *event)
{
	if (!g->log)
		return;
	char ts[32], lo[48], pe[48];
	log_ts(ts, sizeof ts, ns);
	fmt_ep(lo, sizeof lo, c->v6, c->cport);
	fmt_ep(pe, sizeof pe, c->v6, c->sport);
	fprintf(g->log,
		"{\"ts\":\"%s\",\"pid\":%d,\"event\":\"%s\",\"fd\":%d,\"local\":\"%s\",\"peer\":\"%"
		"s\","
		"\"ret\":0,\"errno\":null}\n",
		ts, CLIENT_PID, event, c->fd, lo, pe);
	g->log_lines++;
}

/* JSON-escapes the payload (printable ASCII, quotes, a newline at the end). */
static void json_escape(char *out, const char *in, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char ch = in[i];
		if (ch == '"' || ch == '\\') {
			*out++ = '\\';
			*out++ = ch;
		} else if (ch == '\n') {
			*out++ = '\\';
			*out++ = 'n';
		} else {
			*out++ = ch;
		}
	}
	*out = '\0';
}

/* Send: ts pid event fd local peer len ret errno off flags data. */
static void log_send(struct gen *g, const struct conn *c, uint64_t ns, const char *data, size_t len,
		     int epipe)
{
	if (!g->log)
		return;
	char ts[32], lo[48], pe[48], esc[2 * 64 + 1];
	log_ts(ts, sizeof ts, ns);
	fmt_ep(lo, sizeof lo, c->v6, c->cport);
	fmt_ep(pe, sizeof pe, c->v6, c->sport);
	json_escape(esc, data, len);
	fprintf(g->log,
		"{\"ts\":\"%s\",\"pid\":%d,\"event\":\"send\",\"fd\":%d,\"local\":\"%s\",\"peer\":"
		"\"%s\","
		"\"len\":%zu,\"ret\":%lld,\"errno\":%s,\"off\":%" PRIu64
		",\"flags\":\"\",\"data\":\"%s\"}\n",
		ts, CLIENT_PID, c->fd, lo, pe, len, epipe ? -1LL : (long long)len,
		epipe ? "\"EPIPE\"" : "null", c->off, esc);
	g->log_lines++;
	g->sends++;
}

static void log_signal(struct gen *g, uint64_t ns)
{
	if (!g->log)
		return;
	char ts[32];
	log_ts(ts, sizeof ts, ns);
	fprintf(g->log,
		"{\"ts\":\"%s\",\"pid\":%d,\"event\":\"signal\",\"sig\":\"SIGPIPE\","
		"\"disposition\":\"ignore\"}\n",
		ts, CLIENT_PID);
	g->log_lines++;
}

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10

/* One record: Ethernet, IPv4 or IPv6, TCP with options, payload. */
static void emit(struct gen *g, struct conn *c, int from_server, uint8_t flags, uint32_t seq,
		 uint32_t ack, const char *data, size_t dlen)
{
	uint8_t *p = g->pkt;
	size_t l3 = 14;
	memset(p, 0, 14);
	put16(p + 12, c->v6 ? 0x86dd : 0x0800);
	size_t iplen = c->v6 ? 40 : 20;
	uint8_t *tcp = p + l3 + iplen;

	/* TCP options, Linux order. */
	uint8_t opt[20];
	size_t olen = 0;
	uint32_t tsval = (uint32_t)(g->ts / 1000000) + (from_server ? c->sts_off : c->cts_off);
	uint32_t tsecr = from_server ? c->cts_last : c->sts_last;
	if (flags & F_RST) {
		tsval = 0; /* Linux sends a bare RST for a closed socket */
	} else if (flags & F_SYN) {
		opt[0] = 2;
		opt[1] = 4;
		put16(opt + 2, c->v6 ? 65476 : 65495);
		opt[4] = 4;
		opt[5] = 2;
		opt[6] = 8;
		opt[7] = 10;
		put32(opt + 8, tsval);
		put32(opt + 12, (flags & F_ACK) ? tsecr : 0);
		opt[16] = 1;
		opt[17] = 3;
		opt[18] = 3;
		opt[19] = 7;
		olen = 20;
	} else {
		opt[0] = 1;
		opt[1] = 1;
		opt[2] = 8;
		opt[3] = 10;
		put32(opt + 4, tsval);
		put32(opt + 8, tsecr);
		olen = 12;
	}
	if (!(flags & F_RST)) {
		if (from_server)
			c->sts_last = tsval;
		else
			c->cts_last = tsval;
	}
	size_t thl = 20 + olen;
	put16(tcp, from_server ? c->sport : c->cport);
	put16(tcp + 2, from_server ? c->cport : c->sport);
	put32(tcp + 4, seq);
	put32(tcp + 8, (flags & F_ACK) ? ack : 0);
	tcp[12] = (uint8_t)((thl / 4) << 4);
	tcp[13] = flags;
	put16(tcp + 14, (flags & F_SYN) ? (c->v6 ? 65464 : 65483) : (flags & F_RST) ? 0 : 512);
	tcp[16] = tcp[17] = 0;
	put16(tcp + 18, 0);
	if (olen)
		memcpy(tcp + 20, opt, olen);
	if (dlen)
		memcpy(tcp + thl, data, dlen);
	size_t tcplen = thl + dlen;

	uint8_t *ip = p + l3;
	uint32_t sum = 0;
	if (c->v6) {
		uint32_t fl = c->flow[from_server];
		put32(ip, 0x60000000u | fl);
		put16(ip + 4, (uint16_t)tcplen);
		ip[6] = 6;
		ip[7] = 64;
		memset(ip + 8, 0, 32);
		ip[23] = 1; /* ::1 */
		ip[39] = 1;
		sum = csum_add(sum, ip + 8, 32);
	} else {
		ip[0] = 0x45;
		ip[1] = 0;
		put16(ip + 2, (uint16_t)(20 + tcplen));
		put16(ip + 4, c->ipid[from_server]++);
		put16(ip + 6, (flags & F_RST) ? 0 : 0x4000);
		ip[8] = 64;
		ip[9] = 6;
		ip[10] = ip[11] = 0;
		ip[12] = 127;
		ip[13] = 0;
		ip[14] = 0;
		ip[15] = 1;
		memcpy(ip + 16, ip + 12, 4);
		put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
		sum = csum_add(sum, ip + 12, 8);
	}
	sum += 6 + (uint32_t)tcplen;
	put16(tcp + 16, csum_fold(csum_add(sum, tcp, tcplen)));

	size_t caplen = l3 + iplen + tcplen;
	uint8_t rec[16];
	put32le(rec, (uint32_t)(g->ts / 1000000000));
	put32le(rec + 4, (uint32_t)(g->ts % 1000000000));
	put32le(rec + 8, (uint32_t)caplen);
	put32le(rec + 12, (uint32_t)caplen);
	fwrite(rec, 1, 16, g->pcap);
	fwrite(p, 1, caplen, g->pcap);
	g->packets++;
}

/* -f: PACKETS SYNs, each from a source address and port never used before. */
static void flood(struct gen *g, uint64_t npackets)
{
	uint8_t *p = g->pkt;
	for (uint64_t i = 0; i < npackets; i++) {
		memset(p, 0, 14);
		put16(p + 12, 0x0800);
		uint8_t *ip = p + 14, *tcp = ip + 20;
		uint32_t src = 0x0a000001u + (uint32_t)(i / 64512);
		memset(ip, 0, 20);
		ip[0] = 0x45;
		put16(ip + 2, 20 + 24);
		put16(ip + 4, (uint16_t)i);
		ip[8] = 64;
		ip[9] = 6;
		put32(ip + 12, src);
		put32(ip + 16, 0x0aff0001u);
		put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
		memset(tcp, 0, 24);
		put16(tcp, (uint16_t)(1024 + i % 64512));
		put16(tcp + 2, 80);
		put32(tcp + 4, (uint32_t)rng_next());
		tcp[12] = 6 << 4;
		tcp[13] = F_SYN;
		put16(tcp + 14, 1024);
		tcp[20] = 2; /* MSS 1460 */
		tcp[21] = 4;
		put16(tcp + 22, 1460);
		uint32_t sum = csum_add(0, ip + 12, 8) + 6 + 24;
		put16(tcp + 16, csum_fold(csum_add(sum, tcp, 24)));
		uint8_t rec[16];
		put32le(rec, (uint32_t)(g->ts / 1000000000));
		put32le(rec + 4, (uint32_t)(g->ts % 1000000000));
		put32le(rec + 8, 58);
		put32le(rec + 12, 58);
		fwrite(rec, 1, 16, g->pcap);
		fwrite(p, 1, 58, g->pcap);
		g->packets++;
		g->conns++;
		g->ts += 1000 + rng_below(3000);
	}
}

/* A payload of 8..63 bytes drawn from the text, ending in a newline. */
static const char *payload(size_t *len)
{
	static char buf[64];
	size_t n = 8 + rng_below(56);
	size_t at = rng_below((uint32_t)(sizeof text - n));
	memcpy(buf, text + at, n - 1);
	buf[n - 1] = '\n';
	*len = n;
	return buf;
}

/* Emits the connection's next packet. Returns 1 when the connection is done. */
static int step(struct gen *g, struct conn *c)
{
	const char *d;
	size_t n;
	/* Log lines a few hundred ns after the packet: before the next packet,
	 * which is at least 1 us later, so the log stays in time order. */
	uint64_t lt = g->ts + 300 + rng_below(200);
	switch (c->step) {
	case ST_SYN:
		g->conns++; /* counted once on the wire */
		g->conns_v6 += c->v6;
		g->stories += c->story;
		emit(g, c, 0, F_SYN, c->cseq++, 0, NULL, 0);
		c->step = ST_SYNACK;
		return 0;
	case ST_SYNACK:
		emit(g, c, 1, F_SYN | F_ACK, c->sseq++, c->cseq, NULL, 0);
		c->step = ST_ACK;
		return 0;
	case ST_ACK:
		emit(g, c, 0, F_ACK, c->cseq, c->sseq, NULL, 0);
		log_sock(g, c, lt, "connect");
		c->step = ST_REQ;
		return 0;
	case ST_REQ:
		d = payload(&n);
		emit(g, c, 0, F_PSH | F_ACK, c->cseq, c->sseq, d, n);
		log_send(g, c, lt, d, n, 0);
		c->cseq += (uint32_t)n;
		c->off += n;
		c->step = ST_RESP;
		return 0;
	case ST_RESP:
		d = payload(&n);
		emit(g, c, 1, F_PSH | F_ACK, c->sseq, c->cseq, d, n);
		c->sseq += (uint32_t)n;
		c->step = ST_REQ_ACK;
		return 0;
	case ST_REQ_ACK:
		emit(g, c, 0, F_ACK, c->cseq, c->sseq, NULL, 0);
		if (--c->rounds > 0)
			c->step = ST_REQ;
		else
			c->step = c->story ? ST_SFIN : ST_CFIN;
		return 0;
	case ST_CFIN:
		emit(g, c, 0, F_FIN | F_ACK, c->cseq++, c->sseq, NULL, 0);
		log_sock(g, c, lt, "close");
		c->step = ST_SFIN2;
		return 0;
	case ST_SFIN2:
		emit(g, c, 1, F_FIN | F_ACK, c->sseq++, c->cseq, NULL, 0);
		c->step = ST_LAST_ACK;
		return 0;
	case ST_LAST_ACK: emit(g, c, 0, F_ACK, c->cseq, c->sseq, NULL, 0); return 1;
	case ST_SFIN:
		emit(g, c, 1, F_FIN | F_ACK, c->sseq++, c->cseq, NULL, 0);
		c->step = ST_FIN_ACK;
		return 0;
	case ST_FIN_ACK:
		emit(g, c, 0, F_ACK, c->cseq, c->sseq, NULL, 0);
		c->step = ST_LATE;
		return 0;
	case ST_LATE:
		d = payload(&n);
		emit(g, c, 0, F_PSH | F_ACK, c->cseq, c->sseq, d, n);
		log_send(g, c, lt, d, n, 0); /* succeeds: only queued */
		c->cseq += (uint32_t)n;
		c->off += n;
		c->step = ST_RST;
		return 0;
	case ST_RST:
		/* The server's socket is gone: RST with seq = the data's ack. */
		emit(g, c, 1, F_RST, c->sseq, 0, NULL, 0);
		d = payload(&n);
		log_signal(g, lt);
		log_send(g, c, lt + 50, d, n, 1);
		log_sock(g, c, lt + 100, "close");
		return 1;
	}
	return 1;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: benchgen -n PACKETS -o FILE.pcap [-l SENDLOG] [-w WINDOW] [-s SEED]\n"
		   "       benchgen -f -n PACKETS -o FILE.pcap\n"
		   "Writes a deterministic loopback-like TCP capture (IPv4 and IPv6, WINDOW\n"
		   "connections interleaved, default 800) and optionally the client's send log;\n"
		   "with -f, a SYN flood: every record a SYN from a new source port.\n");
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || !*s || *end || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t npackets = 0, window = 800, seed = 1;
	const char *out = NULL, *logpath = NULL;
	int c, syn_flood = 0;
	while ((c = getopt(argc, argv, "fn:o:l:w:s:h")) != -1) {
		switch (c) {
		case 'f': syn_flood = 1; break;
		case 'n':
			if (parse_u64(optarg, &npackets) || !npackets) {
				fprintf(stderr, "benchgen: -n wants a positive number, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'o': out = optarg; break;
		case 'l': logpath = optarg; break;
		case 'w':
			if (parse_u64(optarg, &window) || !window || window > 60000) {
				fprintf(stderr, "benchgen: -w wants 1..60000, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 's':
			if (parse_u64(optarg, &seed)) {
				fprintf(stderr, "benchgen: -s wants a number, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!npackets || !out || optind != argc || (syn_flood && logpath)) {
		usage(stderr);
		return 2;
	}

	struct gen g;
	memset(&g, 0, sizeof g);
	rng_state = seed;
	g.pcap = fopen(out, "wb");
	if (!g.pcap) {
		fprintf(stderr, "benchgen: %s: %s\n", out, strerror(errno));
		return 1;
	}
	static char pbuf[1 << 20], lbuf[1 << 20];
	setvbuf(g.pcap, pbuf, _IOFBF, sizeof pbuf);
	if (logpath) {
		g.log = fopen(logpath, "w");
		if (!g.log) {
			fprintf(stderr, "benchgen: %s: %s\n", logpath, strerror(errno));
			return 1;
		}
		setvbuf(g.log, lbuf, _IOFBF, sizeof lbuf);
	}

	uint8_t hdr[24];
	put32le(hdr, 0xa1b23c4d);
	hdr[4] = 2;
	hdr[5] = 0;
	hdr[6] = 4;
	hdr[7] = 0;
	memset(hdr + 8, 0, 8);
	put32le(hdr + 16, SNAPLEN);
	put32le(hdr + 20, DLT_EN10MB_);
	fwrite(hdr, 1, sizeof hdr, g.pcap);

	g.ts = (uint64_t)START_SEC * 1000000000 + 123456789;
	struct conn *win = syn_flood ? NULL : calloc(window, sizeof *win);
	if (syn_flood)
		flood(&g, npackets);
	else if (!win) {
		fprintf(stderr, "benchgen: out of memory\n");
		return 1;
	}
	for (uint64_t i = 0; !syn_flood && i < window; i++)
		conn_start(&g, &win[i], (int)(3 + i));
	while (g.packets < npackets) {
		uint32_t i = rng_below((uint32_t)window);
		if (step(&g, &win[i]))
			conn_start(&g, &win[i], win[i].fd);
		g.ts += 1000 + rng_below(3000); /* 1..4 us apart */
	}
	free(win);

	int bad = 0;
	if (fclose(g.pcap) != 0 || (g.log && (ferror(g.log) | fclose(g.log)) != 0)) {
		fprintf(stderr, "benchgen: write failed: %s\n", strerror(errno));
		bad = 1;
	}
	fprintf(stderr,
		"benchgen: %" PRIu64 " packets, %" PRIu64 " connections (%" PRIu64 " IPv6, %" PRIu64
		" ending in RST), %" PRIu64 " sends and %" PRIu64 " lines logged\n",
		g.packets, g.conns, g.conns_v6, g.stories, g.sends, g.log_lines);
	return bad;
}
