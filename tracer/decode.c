/* decode.c: link layer -> IPv4/IPv6 -> TCP, every read bounds-checked.
 *
 * The model is tcpdump's netdissect: a cursor over the captured bytes and
 * getters that check before they read, so no header length in the packet can
 * make us read past caplen. Two outcomes for bad records: TRUNCATED (the
 * capture stopped early: usually the snapshot length) and INVALID (the
 * headers contradict themselves). Checksums are never checked: on loopback
 * they are offloaded and look wrong. */
#include "decode.h"

#include <pcap/dlt.h>
#include <string.h>

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

/* A bounded view of packet bytes. */
struct cursor {
	const uint8_t *p;
	uint32_t len;
};

static inline int cur_has(const struct cursor *c, uint32_t off, uint32_t n)
{
	return off <= c->len && n <= c->len - off;
}
static inline uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

#define FAIL(code, reason)                                                                         \
	do {                                                                                       \
		if (why)                                                                           \
			*why = (reason);                                                           \
		return (code);                                                                     \
	} while (0)

int decode_linktype_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_NULL:
	case DLT_LOOP:
	case 12: /* DLT_RAW on most systems; 14 on OpenBSD: both mean raw IP */
	case 14:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_PPP: return 1;
	default: return 0;
	}
}

const char *decode_supported_names(void)
{
	return "EN10MB (with 802.1Q/QinQ), LINUX_SLL, LINUX_SLL2, NULL, LOOP, RAW, IPV4, IPV6, PPP";
}

/* TCP options, as far as they were captured. */
static void decode_tcp_opts(const uint8_t *o, uint32_t n, int cut, struct tcp_opts *opts)
{
	uint32_t i = 0;
	while (i < n) {
		uint8_t kind = o[i];
		opts->count++;
		if (kind == 0) /* EOL */
			return;
		if (kind == 1) { /* NOP */
			i++;
			continue;
		}
		/* An option running past the end is cut by the snapshot length
		 * only when the header itself was cut; otherwise it is malformed,
		 * and decoding stops there, like tcpdump's. */
		if (i + 1 >= n || o[i + 1] > n - i) {
			if (cut)
				opts->truncated = 1;
			return;
		}
		uint8_t olen = o[i + 1];
		if (olen < 2)
			return;
		const uint8_t *v = o + i + 2;
		switch (kind) {
		case 2:
			if (olen == 4) {
				opts->has_mss = 1;
				opts->mss = be16(v);
			}
			break;
		case 3:
			if (olen == 3) {
				opts->has_wscale = 1;
				opts->wscale = v[0];
			}
			break;
		case 4:
			if (olen == 2)
				opts->sack_ok = 1;
			break;
		case 5: {
			uint32_t blocks = (olen - 2u) / 8u;
			for (uint32_t b = 0; b < blocks && b < 4; b++) {
				opts->sack[b][0] = be32(v + 8 * b);
				opts->sack[b][1] = be32(v + 8 * b + 4);
			}
			opts->sack_blocks = blocks > 4 ? 4 : blocks;
			break;
		}
		case 8:
			if (olen == 10) {
				opts->has_ts = 1;
				opts->ts_val = be32(v);
				opts->ts_ecr = be32(v + 4);
			}
			break;
		default: break;
		}
		i += olen;
	}
	if (cut)
		opts->truncated = 1;
}

/* TCP header at c[off...]; l4len is the TCP length the IP header declares. */
static int decode_tcp(const struct cursor *c, uint32_t off, uint32_t l4len, int len_declared,
		      struct tcp_segment *seg, const char **why)
{
	/* With no declared length (TSO), a short segment is a short capture. */
	if (l4len < 20 && len_declared)
		FAIL(DECODE_INVALID, "IP length leaves less than a TCP header");
	if (!cur_has(c, off, 20))
		FAIL(DECODE_TRUNCATED, "TCP header cut short");
	const uint8_t *t = c->p + off;
	uint32_t thlen = (uint32_t)(t[12] >> 4) * 4;
	if (thlen < 20)
		FAIL(DECODE_INVALID, "TCP data offset < 5");
	if (thlen > l4len)
		FAIL(DECODE_INVALID, "TCP data offset past the end of the segment");
	seg->sport = be16(t);
	seg->dport = be16(t + 2);
	seg->seq = be32(t + 4);
	seg->ack = be32(t + 8);
	seg->ae = t[12] & 1;
	seg->flags = t[13];
	seg->win = be16(t + 14);
	seg->urp = be16(t + 18);
	seg->len = l4len - thlen;
	memset(&seg->opts, 0, sizeof seg->opts);
	uint32_t have = c->len - off; /* bytes captured from the TCP header on */
	if (have < thlen) {
		seg->hdr_truncated = 1;
		decode_tcp_opts(t + 20, have - 20, 1, &seg->opts);
		seg->caplen = 0;
		seg->payload = NULL;
	} else {
		seg->hdr_truncated = 0;
		if (thlen > 20)
			decode_tcp_opts(t + 20, thlen - 20, 0, &seg->opts);
		uint32_t cap = have - thlen;
		seg->caplen = cap < seg->len ? cap : seg->len;
		seg->payload = t + thlen;
	}
	return DECODE_TCP;
}

static int decode_ipv4(struct cursor c, struct tcp_segment *seg, const char **why)
{
	if (!cur_has(&c, 0, 20))
		FAIL(DECODE_TRUNCATED, "IPv4 header cut short");
	const uint8_t *ip = c.p;
	if ((ip[0] >> 4) != 4)
		FAIL(DECODE_INVALID, "IP version is not 4");
	uint32_t ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	if (ihl < 20)
		FAIL(DECODE_INVALID, "IPv4 header length (IHL) < 5");
	uint32_t tot = be16(ip + 2);
	int declared = tot != 0;
	if (tot == 0)
		tot = c.len; /* TSO: the stack left the length to the NIC, as tcpdump assumes */
	if (tot < ihl)
		FAIL(DECODE_INVALID, "IPv4 total length shorter than its header");
	if (!cur_has(&c, 0, ihl))
		FAIL(DECODE_TRUNCATED, "IPv4 options cut short");
	if (ip[9] != 6)
		return DECODE_NOT_TCP;
	uint16_t frag = be16(ip + 6);
	if (frag & 0x1fff)
		return DECODE_FRAGMENT;
	seg->ip_first_fragment = (frag & 0x2000) != 0;
	if (c.len > tot)
		c.len = tot; /* trim link-layer padding */
	seg->family = 4;
	memcpy(seg->src, ip + 12, 4);
	memcpy(seg->dst, ip + 16, 4);
	return decode_tcp(&c, ihl, tot - ihl, declared, seg, why);
}

static int decode_ipv6(struct cursor c, struct tcp_segment *seg, const char **why)
{
	if (!cur_has(&c, 0, 40))
		FAIL(DECODE_TRUNCATED, "IPv6 header cut short");
	const uint8_t *ip = c.p;
	if ((ip[0] >> 4) != 6)
		FAIL(DECODE_INVALID, "IP version is not 6");
	uint32_t plen = be16(ip + 4);
	int declared = plen != 0;
	if (plen == 0)
		plen = c.len - 40; /* jumbogram or TSO: trust the capture */
	uint32_t end = 40 + plen;
	if (c.len > end)
		c.len = end;
	uint8_t nh = ip[6];
	uint32_t off = 40;
	seg->ip_first_fragment = 0;
	for (int hops = 0; nh != 6; hops++) {
		if (hops > 16)
			FAIL(DECODE_INVALID, "too many IPv6 extension headers");
		switch (nh) {
		case 0:	  /* hop-by-hop */
		case 43:  /* routing */
		case 60:  /* destination options */
		case 135: /* mobility */
			if (!cur_has(&c, off, 2))
				FAIL(DECODE_TRUNCATED, "IPv6 extension header cut short");
			nh = c.p[off];
			off += ((uint32_t)c.p[off + 1] + 1) * 8;
			break;
		case 51: /* AH: length in 4-byte units, minus 2 */
			if (!cur_has(&c, off, 2))
				FAIL(DECODE_TRUNCATED, "IPv6 AH header cut short");
			nh = c.p[off];
			off += ((uint32_t)c.p[off + 1] + 2) * 4;
			break;
		case 44: /* fragment */
			if (!cur_has(&c, off, 8))
				FAIL(DECODE_TRUNCATED, "IPv6 fragment header cut short");
			if (be16(c.p + off + 2) & 0xfff8) {
				/* A later fragment: TCP only if the chain says so. */
				return c.p[off] == 6 ? DECODE_FRAGMENT : DECODE_NOT_TCP;
			}
			seg->ip_first_fragment = (c.p[off + 3] & 1) != 0;
			nh = c.p[off];
			off += 8;
			break;
		default: return DECODE_NOT_TCP;
		}
		if (off > end)
			FAIL(DECODE_INVALID, "IPv6 extension headers longer than the payload");
	}
	seg->family = 6;
	memcpy(seg->src, ip + 8, 16);
	memcpy(seg->dst, ip + 24, 16);
	return decode_tcp(&c, off, end - off, declared, seg, why);
}

/* Dispatch on an ethertype (after any VLAN tags). */
static int decode_ethertype(struct cursor c, uint32_t off, uint16_t type, struct tcp_segment *seg,
			    const char **why)
{
	for (int tags = 0; type == 0x8100 || type == 0x88a8 || type == 0x9100 || type == 0x9200;
	     tags++) {
		if (tags >= 8)
			FAIL(DECODE_INVALID, "too many VLAN tags");
		if (!cur_has(&c, off, 4))
			FAIL(DECODE_TRUNCATED, "VLAN tag cut short");
		type = be16(c.p + off + 2);
		off += 4;
	}
	c.p += off;
	c.len -= off;
	if (type == 0x0800)
		return decode_ipv4(c, seg, why);
	if (type == 0x86dd)
		return decode_ipv6(c, seg, why);
	return DECODE_NOT_TCP;
}

/* Raw IP: the version nibble decides. */
static int decode_ip(struct cursor c, uint32_t off, struct tcp_segment *seg, const char **why)
{
	if (!cur_has(&c, off, 1))
		FAIL(DECODE_TRUNCATED, "IP header cut short");
	c.p += off;
	c.len -= off;
	switch (c.p[0] >> 4) {
	case 4: return decode_ipv4(c, seg, why);
	case 6: return decode_ipv6(c, seg, why);
	default: return DECODE_NOT_TCP;
	}
}

static int decode_af(struct cursor c, uint32_t af, struct tcp_segment *seg, const char **why)
{
	c.p += 4;
	c.len -= 4;
	switch (af) {
	case 2: return decode_ipv4(c, seg, why);
	case 24: /* NetBSD, OpenBSD, BSD/OS */
	case 28: /* FreeBSD */
	case 30: /* Darwin */ return decode_ipv6(c, seg, why);
	default: return DECODE_NOT_TCP;
	}
}

int decode_packet(int dlt, const uint8_t *pkt, uint32_t caplen, struct tcp_segment *seg,
		  const char **why)
{
	struct cursor c = { pkt, caplen };
	if (why)
		*why = NULL;
	switch (dlt) {
	case DLT_EN10MB:
		if (!cur_has(&c, 0, 14))
			FAIL(DECODE_TRUNCATED, "Ethernet header cut short");
		return decode_ethertype(c, 14, be16(pkt + 12), seg, why);
	case DLT_LINUX_SLL:
		if (!cur_has(&c, 0, 16))
			FAIL(DECODE_TRUNCATED, "Linux cooked (SLL) header cut short");
		return decode_ethertype(c, 16, be16(pkt + 14), seg, why);
	case DLT_LINUX_SLL2:
		if (!cur_has(&c, 0, 20))
			FAIL(DECODE_TRUNCATED, "Linux cooked (SLL2) header cut short");
		return decode_ethertype(c, 20, be16(pkt), seg, why);
	case DLT_NULL: {
		if (!cur_has(&c, 0, 4))
			FAIL(DECODE_TRUNCATED, "loopback (NULL) header cut short");
		/* Host byte order of the machine that captured: take whichever
		 * reading is small, as tcpdump does. */
		uint32_t af = le32(pkt);
		if (af & 0xffff0000u)
			af = be32(pkt);
		return decode_af(c, af, seg, why);
	}
	case DLT_LOOP:
		if (!cur_has(&c, 0, 4))
			FAIL(DECODE_TRUNCATED, "loopback (LOOP) header cut short");
		return decode_af(c, be32(pkt), seg, why);
	case 12:
	case 14: return decode_ip(c, 0, seg, why);
	case DLT_IPV4:
		if (!cur_has(&c, 0, 1))
			FAIL(DECODE_TRUNCATED, "IPv4 header cut short");
		return decode_ipv4(c, seg, why);
	case DLT_IPV6:
		if (!cur_has(&c, 0, 1))
			FAIL(DECODE_TRUNCATED, "IPv6 header cut short");
		return decode_ipv6(c, seg, why);
	case DLT_PPP: {
		/* Optional HDLC address/control (ff 03), then a 2-byte protocol. */
		uint32_t off = 0;
		if (cur_has(&c, 0, 2) && pkt[0] == 0xff && pkt[1] == 0x03)
			off = 2;
		if (!cur_has(&c, off, 2))
			FAIL(DECODE_TRUNCATED, "PPP header cut short");
		uint16_t proto = be16(pkt + off);
		c.p += off + 2;
		c.len -= off + 2;
		if (proto == 0x0021)
			return decode_ipv4(c, seg, why);
		if (proto == 0x0057)
			return decode_ipv6(c, seg, why);
		return DECODE_NOT_TCP;
	}
	default: FAIL(DECODE_INVALID, "unsupported link type");
	}
}

size_t decode_flags_str(const struct tcp_segment *seg, char *buf, size_t size)
{
	static const struct {
		uint8_t bit;
		char letter;
	} tab[] = {
		{ TCPF_FIN, 'F' }, { TCPF_SYN, 'S' }, { TCPF_RST, 'R' }, { TCPF_PSH, 'P' },
		{ TCPF_ACK, '.' }, { TCPF_URG, 'U' }, { TCPF_ECE, 'E' }, { TCPF_CWR, 'W' },
	};
	size_t n = 0;
	if (size == 0)
		return 0;
	if (seg->flags == 0) {
		const char *none = "none";
		while (*none && n + 1 < size)
			buf[n++] = *none++;
	}
	for (size_t i = 0; i < sizeof tab / sizeof tab[0] && n + 1 < size; i++)
		if (seg->flags & tab[i].bit)
			buf[n++] = tab[i].letter;
	buf[n] = '\0';
	return n;
}
