/* test_decode.c: decode_packet() for every link type, IP and TCP feature, and
 * every truncation of every packet here.
 *
 * Each decoder test decodes its whole packet, checks the fields, then decodes
 * every prefix of it (caplen 0 .. full-1), each copied into a malloc'd buffer
 * of exactly that size so that AddressSanitizer (make SAN=1) reports any read
 * past caplen. A prefix must give DECODE_TRUNCATED, or DECODE_TCP with the
 * same header fields and the header or payload reported as cut. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/dlt.h>

#include "decode.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#define DLT_RAW_12   12
#define DLT_RAW_14   14
#define DLT_IPV4_228 228
#define DLT_IPV6_229 229

/* ---- packet pieces ----------------------------------------------------- */

/* TCP 40494 -> 8999, seq 1001, ack 5001 (the first 12 bytes of each TCP
 * header here); TCP_HELLO goes on with [P.], win 512, "hello\n" (from
 * 10.0.0.1 to 10.0.0.2 in V4_HDR). */
#define TCP_PORTS_SEQ_ACK 0x9e, 0x2e, 0x23, 0x27, 0x00, 0x00, 0x03, 0xe9, 0x00, 0x00, 0x13, 0x89
#define TCP_HELLO                                                                                  \
	TCP_PORTS_SEQ_ACK, 0x50, 0x18, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 'h', 'e', 'l', 'l',     \
		'o', '\n'
/* IPv4 header for it: total length 46, DF, TTL 64, proto 6. */
#define V4_HDR(totlen)                                                                             \
	0x45, 0x00, 0x00, (totlen), 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00, 10, 0, 0, 1,   \
		10, 0, 0, 2
#define V4_HELLO	 V4_HDR(46), TCP_HELLO
#define V6_SRC		 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
#define V6_DST		 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2
#define V6_HDR(plen, nh) 0x60, 0x00, 0x00, 0x00, 0x00, (plen), (nh), 0x40, V6_SRC, V6_DST
#define V6_HELLO	 V6_HDR(26, 6), TCP_HELLO
#define ETH_ADDRS	 0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01
#define ETH(t0, t1)	 ETH_ADDRS, (t0), (t1)
#define SLL(t0, t1)	 0x00, 0x00, 0x03, 0x04, 0x00, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, (t0), (t1)
#define SLL2(t0, t1)                                                                               \
	(t0), (t1), 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x04, 0x00, 0x06, 0, 0, 0, 0, 0, 0,  \
		0, 0

#define V4_LEN 46u
#define V6_LEN 66u

static const uint8_t v4_src[4] = { 10, 0, 0, 1 }, v4_dst[4] = { 10, 0, 0, 2 };
static const uint8_t v6_src[16] = { V6_SRC }, v6_dst[16] = { V6_DST };

/* ---- helpers ------------------------------------------------------------ */

static int decode_copy(int dlt, const uint8_t *pkt, size_t n, struct tcp_segment *seg,
		       const char **why, uint8_t **bufp)
{
	/* An exact-size heap copy: ASan flags a read of even one byte past it. */
	uint8_t *buf = malloc(n ? n : 1);
	assert_non_null(buf);
	memcpy(buf, pkt, n);
	memset(seg, 0xa5, sizeof *seg); /* stale values must not look decoded */
	int r = decode_packet(dlt, buf, (uint32_t)n, seg, why);
	*bufp = buf;
	return r;
}

/* Decode the whole packet; the returned segment's payload points into a copy
 * that stays allocated until free_decoded(). */
static uint8_t *last_buf;
static int decode_full(int dlt, const uint8_t *pkt, size_t n, struct tcp_segment *seg)
{
	const char *why = NULL;
	free(last_buf);
	int r = decode_copy(dlt, pkt, n, seg, &why, &last_buf);
	if (r >= 0)
		assert_null(why);
	else
		assert_non_null(why);
	return r;
}

static int teardown_buf(void **state)
{
	(void)state;
	free(last_buf);
	last_buf = NULL;
	return 0;
}

/* Every prefix of pkt. l4off is the offset of the TCP header in pkt (ignored
 * when the whole packet is not TCP). tso: the IP total length is 0, so the
 * declared length follows the capture. */
static void check_truncations_ex(int dlt, const uint8_t *pkt, size_t n, uint32_t l4off, int tso)
{
	struct tcp_segment full;
	uint8_t *fbuf;
	const char *why = NULL;
	int fr = decode_copy(dlt, pkt, n, &full, &why, &fbuf);
	uint32_t thlen = fr == DECODE_TCP ? (uint32_t)(pkt[l4off + 12] >> 4) * 4 : 0;
	for (size_t cut = 0; cut < n; cut++) {
		struct tcp_segment seg;
		uint8_t *buf;
		why = NULL;
		int r = decode_copy(dlt, pkt, cut, &seg, &why, &buf);
		if (fr != DECODE_TCP) {
			/* A prefix of a non-TCP packet: truncated, or recognised as
			 * the same kind once its headers are there. */
			if (r != DECODE_TRUNCATED && r != fr)
				fail_msg("caplen %zu: got %d, want %d or TRUNCATED", cut, r, fr);
		} else if (cut < l4off + 20) {
			if (r != DECODE_TRUNCATED)
				fail_msg("caplen %zu (TCP header at %u): got %d, want TRUNCATED",
					 cut, l4off, r);
			assert_non_null(why);
		} else {
			if (r != DECODE_TCP)
				fail_msg("caplen %zu: got %d, want TCP with a cut header/payload",
					 cut, r);
			assert_int_equal(seg.family, full.family);
			assert_memory_equal(seg.src, full.src, full.family == 4 ? 4 : 16);
			assert_memory_equal(seg.dst, full.dst, full.family == 4 ? 4 : 16);
			assert_int_equal(seg.sport, full.sport);
			assert_int_equal(seg.dport, full.dport);
			assert_int_equal(seg.seq, full.seq);
			assert_int_equal(seg.ack, full.ack);
			assert_int_equal(seg.flags, full.flags);
			assert_int_equal(seg.win, full.win);
			if (tso) /* the declared length is whatever was captured */
				assert_int_equal(seg.len, cut - l4off - thlen);
			else
				assert_int_equal(seg.len, full.len);
			assert_true(seg.caplen <= seg.len);
			if (cut < l4off + thlen) {
				assert_int_equal(seg.hdr_truncated, 1);
				/* Options cut, unless parsing had already stopped
				 * (EOL, bad length) before the cut, as it did in
				 * the whole header. */
				if (!seg.opts.truncated)
					assert_int_equal(seg.opts.count, full.opts.count);
				assert_true(seg.opts.count <= full.opts.count);
				assert_int_equal(seg.caplen, 0);
				assert_null(seg.payload);
			} else {
				size_t got = cut - l4off - thlen;
				assert_int_equal(seg.hdr_truncated, 0);
				assert_int_equal(seg.opts.truncated, full.opts.truncated);
				assert_int_equal(seg.opts.count, full.opts.count);
				if (got < full.caplen)
					assert_int_equal(seg.caplen, got);
				else /* only link-layer padding was cut */
					assert_int_equal(seg.caplen, full.caplen);
				assert_ptr_equal(seg.payload, buf + l4off + thlen);
				assert_true(seg.payload + seg.caplen <= buf + cut);
				assert_memory_equal(seg.payload, pkt + l4off + thlen, seg.caplen);
			}
		}
		free(buf);
	}
	free(fbuf);
}

static void check_truncations(int dlt, const uint8_t *pkt, size_t n, uint32_t l4off)
{
	check_truncations_ex(dlt, pkt, n, l4off, 0);
}

/* Every prefix of a packet whose whole decode is INVALID: truncated or
 * invalid, never a segment, never a read past the prefix. */
static void check_invalid_truncations(int dlt, const uint8_t *pkt, size_t n)
{
	for (size_t cut = 0; cut < n; cut++) {
		struct tcp_segment seg;
		const char *why = NULL;
		uint8_t *buf;
		int r = decode_copy(dlt, pkt, cut, &seg, &why, &buf);
		if (r != DECODE_TRUNCATED && r != DECODE_INVALID)
			fail_msg("caplen %zu: got %d, want TRUNCATED or INVALID", cut, r);
		assert_non_null(why);
		free(buf);
	}
}

static void assert_hello(const struct tcp_segment *s, int family)
{
	assert_int_equal(s->family, family);
	if (family == 4) {
		assert_memory_equal(s->src, v4_src, 4);
		assert_memory_equal(s->dst, v4_dst, 4);
	} else {
		assert_memory_equal(s->src, v6_src, 16);
		assert_memory_equal(s->dst, v6_dst, 16);
	}
	assert_int_equal(s->sport, 40494);
	assert_int_equal(s->dport, 8999);
	assert_int_equal(s->seq, 1001);
	assert_int_equal(s->ack, 5001);
	assert_int_equal(s->flags, TCPF_PSH | TCPF_ACK);
	assert_int_equal(s->ae, 0);
	assert_int_equal(s->win, 512);
	assert_int_equal(s->urp, 0);
	assert_int_equal(s->len, 6);
	assert_int_equal(s->caplen, 6);
	assert_int_equal(s->hdr_truncated, 0);
	assert_int_equal(s->ip_first_fragment, 0);
	assert_int_equal(s->opts.count, 0);
	assert_int_equal(s->opts.truncated, 0);
	assert_non_null(s->payload);
	assert_memory_equal(s->payload, "hello\n", 6);
}

/* One link-type case: decode, check the hello segment, every truncation.
 * The IP packet ends `trailer` bytes before the end of pkt (link padding). */
static void check_hello_trailer(int dlt, const uint8_t *pkt, size_t n, int family, size_t trailer)
{
	struct tcp_segment seg;
	assert_int_equal(decode_full(dlt, pkt, n, &seg), DECODE_TCP);
	assert_hello(&seg, family);
	uint32_t iplen = family == 4 ? V4_LEN : V6_LEN;
	uint32_t l4off = (uint32_t)(n - trailer) - iplen + (family == 4 ? 20 : 40);
	assert_ptr_equal(seg.payload, last_buf + l4off + 20);
	check_truncations(dlt, pkt, n, l4off);
}

static void check_hello(int dlt, const uint8_t *pkt, size_t n, int family)
{
	check_hello_trailer(dlt, pkt, n, family, 0);
}

/* ---- link layers --------------------------------------------------------- */

static void test_en10mb_ipv4_decodes_addresses_ports_numbers_payload(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { ETH(0x08, 0x00), V4_HELLO };
	check_hello(DLT_EN10MB, pkt, sizeof pkt, 4);
}

static void test_en10mb_ipv6_decodes_addresses_ports_numbers_payload(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { ETH(0x86, 0xdd), V6_HELLO };
	check_hello(DLT_EN10MB, pkt, sizeof pkt, 6);
}

static void test_en10mb_8021q_tag_is_skipped(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { ETH_ADDRS, 0x81, 0x00, 0x00, 0x64, 0x08, 0x00, V4_HELLO };
	check_hello(DLT_EN10MB, pkt, sizeof pkt, 4);
}

static void test_en10mb_qinq_88a8_then_8100_tags_are_skipped(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { ETH_ADDRS, 0x88, 0xa8, 0x00, 0xc8, 0x81,
				       0x00,	  0x00, 0x64, 0x86, 0xdd, V6_HELLO };
	check_hello(DLT_EN10MB, pkt, sizeof pkt, 6);
}

static void test_en10mb_arp_is_not_tcp(void **state)
{
	(void)state;
	static const uint8_t
		pkt[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0,	  0,	0,
			  0,	1,    0x08, 0x06, /* ARP request who-has 10.0.0.2 tell 10.0.0.1 */
			  0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0,
			  0,	0,    0,    1,	  10,	0,    0,    1,	  0,	0,
			  0,	0,    0,    0,	  10,	0,    0,    2 };
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_EN10MB, pkt, sizeof pkt, &seg), DECODE_NOT_TCP);
	check_truncations(DLT_EN10MB, pkt, sizeof pkt, 0);
}

static void test_en10mb_too_many_vlan_tags_is_invalid(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { ETH_ADDRS, 0x81, 0, 0,	 1, 0x81, 0, 0,	   2,	 0x81,
				       0,	  0,	3, 0x81, 0, 0,	  4, 0x81, 0,	 0,
				       5,	  0x81, 0, 0,	 6, 0x81, 0, 0,	   7,	 0x81,
				       0,	  0,	8, 0x81, 0, 0,	  9, 0x08, 0x00, V4_HELLO };
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_EN10MB, pkt, sizeof pkt, &seg), DECODE_INVALID);
	check_invalid_truncations(DLT_EN10MB, pkt, sizeof pkt);
}

static void test_linux_sll_ipv4(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { SLL(0x08, 0x00), V4_HELLO };
	check_hello(DLT_LINUX_SLL, pkt, sizeof pkt, 4);
}

static void test_linux_sll_ipv6(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { SLL(0x86, 0xdd), V6_HELLO };
	check_hello(DLT_LINUX_SLL, pkt, sizeof pkt, 6);
}

static void test_linux_sll2_ipv4_protocol_is_first_field(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { SLL2(0x08, 0x00), V4_HELLO };
	check_hello(DLT_LINUX_SLL2, pkt, sizeof pkt, 4);
}

static void test_linux_sll2_ipv6(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { SLL2(0x86, 0xdd), V6_HELLO };
	check_hello(DLT_LINUX_SLL2, pkt, sizeof pkt, 6);
}

static void test_null_little_endian_af_inet(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { 0x02, 0x00, 0x00, 0x00, V4_HELLO };
	check_hello(DLT_NULL, pkt, sizeof pkt, 4);
}

static void test_null_big_endian_af_inet(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { 0x00, 0x00, 0x00, 0x02, V4_HELLO };
	check_hello(DLT_NULL, pkt, sizeof pkt, 4);
}

static void test_null_af_inet6_24_28_30_both_byte_orders(void **state)
{
	(void)state;
	static const uint8_t le24[] = { 24, 0, 0, 0, V6_HELLO }, be24[] = { 0, 0, 0, 24, V6_HELLO };
	static const uint8_t le28[] = { 28, 0, 0, 0, V6_HELLO }, be28[] = { 0, 0, 0, 28, V6_HELLO };
	static const uint8_t le30[] = { 30, 0, 0, 0, V6_HELLO }, be30[] = { 0, 0, 0, 30, V6_HELLO };
	check_hello(DLT_NULL, le24, sizeof le24, 6);
	check_hello(DLT_NULL, be24, sizeof be24, 6);
	check_hello(DLT_NULL, le28, sizeof le28, 6);
	check_hello(DLT_NULL, be28, sizeof be28, 6);
	check_hello(DLT_NULL, le30, sizeof le30, 6);
	check_hello(DLT_NULL, be30, sizeof be30, 6);
}

static void test_null_unknown_address_family_is_not_tcp(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { 7, 0, 0, 0, V4_HELLO };
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_NULL, pkt, sizeof pkt, &seg), DECODE_NOT_TCP);
	check_truncations(DLT_NULL, pkt, sizeof pkt, 0);
}

static void test_loop_is_network_byte_order_ipv4_and_ipv6(void **state)
{
	(void)state;
	static const uint8_t v4[] = { 0, 0, 0, 2, V4_HELLO };
	static const uint8_t v6[] = { 0, 0, 0, 24, V6_HELLO };
	check_hello(DLT_LOOP, v4, sizeof v4, 4);
	check_hello(DLT_LOOP, v6, sizeof v6, 6);
}

static void test_loop_little_endian_af_is_not_byte_swapped(void **state)
{
	(void)state;
	/* LOOP, unlike NULL, is always big-endian: 02 00 00 00 is AF 0x02000000. */
	static const uint8_t pkt[] = { 2, 0, 0, 0, V4_HELLO };
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_LOOP, pkt, sizeof pkt, &seg), DECODE_NOT_TCP);
	check_truncations(DLT_LOOP, pkt, sizeof pkt, 0);
}

static void test_raw_dlt12_ipv4_and_ipv6_by_version_nibble(void **state)
{
	(void)state;
	static const uint8_t v4[] = { V4_HELLO }, v6[] = { V6_HELLO };
	check_hello(DLT_RAW_12, v4, sizeof v4, 4);
	check_hello(DLT_RAW_12, v6, sizeof v6, 6);
}

static void test_raw_dlt14_ipv4_and_ipv6_by_version_nibble(void **state)
{
	(void)state;
	static const uint8_t v4[] = { V4_HELLO }, v6[] = { V6_HELLO };
	check_hello(DLT_RAW_14, v4, sizeof v4, 4);
	check_hello(DLT_RAW_14, v6, sizeof v6, 6);
}

static void test_raw_unknown_ip_version_is_not_tcp(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { 0x55, 0, 0, 0 };
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_RAW_12, pkt, sizeof pkt, &seg), DECODE_NOT_TCP);
	check_truncations(DLT_RAW_12, pkt, sizeof pkt, 0);
}

static void test_dlt_ipv4_228(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { V4_HELLO };
	check_hello(DLT_IPV4_228, pkt, sizeof pkt, 4);
}

static void test_dlt_ipv6_229(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { V6_HELLO };
	check_hello(DLT_IPV6_229, pkt, sizeof pkt, 6);
}

static void test_dlt_ipv4_228_rejects_an_ipv6_header(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { V6_HELLO };
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_IPV4_228, pkt, sizeof pkt, &seg), DECODE_INVALID);
	check_invalid_truncations(DLT_IPV4_228, pkt, sizeof pkt);
}

static void test_ppp_with_hdlc_address_control_ff03(void **state)
{
	(void)state;
	static const uint8_t v4[] = { 0xff, 0x03, 0x00, 0x21, V4_HELLO };
	static const uint8_t v6[] = { 0xff, 0x03, 0x00, 0x57, V6_HELLO };
	check_hello(DLT_PPP, v4, sizeof v4, 4);
	check_hello(DLT_PPP, v6, sizeof v6, 6);
}

static void test_ppp_without_address_control(void **state)
{
	(void)state;
	static const uint8_t v4[] = { 0x00, 0x21, V4_HELLO };
	static const uint8_t v6[] = { 0x00, 0x57, V6_HELLO };
	check_hello(DLT_PPP, v4, sizeof v4, 4);
	check_hello(DLT_PPP, v6, sizeof v6, 6);
}

static void test_ppp_lcp_is_not_tcp(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { 0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x04 };
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_PPP, pkt, sizeof pkt, &seg), DECODE_NOT_TCP);
	check_truncations(DLT_PPP, pkt, sizeof pkt, 0);
}

static void test_supported_link_types_are_reported_and_others_invalid(void **state)
{
	(void)state;
	static const int ok[] = {
		DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL,	 DLT_LOOP,
		DLT_RAW_12, DLT_RAW_14,	   DLT_IPV4_228,   DLT_IPV6_229, DLT_PPP
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		assert_true(decode_linktype_supported(ok[i]));
	assert_false(decode_linktype_supported(105)); /* IEEE802_11 */
	assert_false(decode_linktype_supported(127)); /* radiotap */
	assert_non_null(strstr(decode_supported_names(), "LINUX_SLL2"));
	static const uint8_t pkt[] = { V4_HELLO };
	struct tcp_segment seg;
	const char *why = NULL;
	assert_int_equal(decode_packet(105, pkt, sizeof pkt, &seg, &why), DECODE_INVALID);
	assert_non_null(why);
	/* A NULL why is allowed. */
	assert_int_equal(decode_packet(105, pkt, sizeof pkt, &seg, NULL), DECODE_INVALID);
	assert_int_equal(decode_packet(DLT_RAW_12, pkt, 10, &seg, NULL), DECODE_TRUNCATED);
}

/* ---- IPv4 ------------------------------------------------------------------ */

static void test_ipv4_options_ihl6_put_tcp_after_24_bytes(void **state)
{
	(void)state;
	/* IHL 6: four bytes of IP options (NOP NOP NOP EOL), total 50. */
	static const uint8_t pkt[] = { 0x46, 0x00, 0x00, 50,   0x12, 0x34, 0x40,     0x00, 0x40,
				       0x06, 0x00, 0x00, 10,   0,    0,	   1,	     10,   0,
				       0,    2,	   0x01, 0x01, 0x01, 0x00, TCP_HELLO };
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_RAW_12, pkt, sizeof pkt, &seg), DECODE_TCP);
	assert_hello(&seg, 4);
	check_truncations(DLT_RAW_12, pkt, sizeof pkt, 24);
}

static void test_ipv4_first_fragment_mf_offset0_is_decoded_and_flagged(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { 0x45, 0x00, 0x00, 46,   0x12, 0x34, 0x20,
				       0x00, 0x40, 0x06, 0x00, 0x00, 10,   0,
				       0,    1,	   10,	 0,    0,    2,	   TCP_HELLO };
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_RAW_12, pkt, sizeof pkt, &seg), DECODE_TCP);
	assert_int_equal(seg.ip_first_fragment, 1);
	assert_int_equal(seg.seq, 1001);
	assert_int_equal(seg.len, 6);
	check_truncations(DLT_RAW_12, pkt, sizeof pkt, 20);
}

static void test_ipv4_dont_fragment_bit_is_not_a_fragment(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { V4_HELLO }; /* flags 0x40: DF */
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_RAW_12, pkt, sizeof pkt, &seg), DECODE_TCP);
	assert_int_equal(seg.ip_first_fragment, 0);
	check_truncations(DLT_RAW_12, pkt, sizeof pkt, 20);
}

static void test_ipv4_later_fragment_is_fragment(void **state)
{
	(void)state;
	/* offset 185 (1480 bytes), MF clear: the last fragment. */
	static const uint8_t pkt[] = { 0x45, 0x00, 0x00, 28, 0x12, 0x34, 0x00, 0xb9, 0x40, 0x06,
				       0x00, 0x00, 10,	 0,  0,	   1,	 10,   0,    0,	   2,
				       1,    2,	   3,	 4,  5,	   6,	 7,    8 };
	static const uint8_t mf[] = { 0x45, 0x00, 0x00, 28, 0x12, 0x34, 0x20, 0xb9, 0x40, 0x06,
				      0x00, 0x00, 10,	0,  0,	  1,	10,   0,    0,	  2,
				      1,    2,	  3,	4,  5,	  6,	7,    8 };
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_RAW_12, pkt, sizeof pkt, &seg), DECODE_FRAGMENT);
	check_truncations(DLT_RAW_12, pkt, sizeof pkt, 0);
	assert_int_equal(decode_full(DLT_RAW_12, mf, sizeof mf, &seg), DECODE_FRAGMENT);
	check_truncations(DLT_RAW_12, mf, sizeof mf, 0);
}

static void test_ipv4_udp_later_fragment_is_not_tcp(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { 0x45, 0x00, 0x00, 28, 0x12, 0x34, 0x00, 0xb9, 0x40, 17,
				       0x00, 0x00, 10,	 0,  0,	   1,	 10,   0,    0,	   2,
				       1,    2,	   3,	 4,  5,	   6,	 7,    8 };
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_RAW_12, pkt, sizeof pkt, &seg), DECODE_NOT_TCP);
	check_truncations(DLT_RAW_12, pkt, sizeof pkt, 0);
}

static void test_ipv4_total_length_0_tso_takes_length_from_capture(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { V4_HDR(0), TCP_HELLO };
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_RAW_12, pkt, sizeof pkt, &seg), DECODE_TCP);
	assert_hello(&seg, 4);
	check_truncations_ex(DLT_RAW_12, pkt, sizeof pkt, 20, 1);
}

static void test_ipv4_ethernet_padding_is_trimmed_to_total_length(void **state)
{
	(void)state;
	/* A 1-byte segment in a 60-byte minimum frame: 5 bytes of padding. */
	static const uint8_t one[] = { ETH(0x08, 0x00),
				       V4_HDR(41),
				       TCP_PORTS_SEQ_ACK,
				       0x50,
				       0x18,
				       0x02,
				       0x00,
				       0x00,
				       0x00,
				       0x00,
				       0x00,
				       'x',
				       0xee,
				       0xee,
				       0xee,
				       0xee,
				       0xee };
	/* A pure ACK (54 bytes) padded to 60. */
	static const uint8_t ack[] = { ETH(0x08, 0x00),
				       V4_HDR(40),
				       TCP_PORTS_SEQ_ACK,
				       0x50,
				       0x10,
				       0x02,
				       0x00,
				       0x00,
				       0x00,
				       0x00,
				       0x00,
				       0xee,
				       0xee,
				       0xee,
				       0xee,
				       0xee,
				       0xee };
	/* "hello\n" followed by a 4-byte frame check sequence. */
	static const uint8_t fcs[] = { ETH(0x08, 0x00), V4_HELLO, 0xde, 0xad, 0xbe, 0xef };
	struct tcp_segment seg;
	assert_int_equal(sizeof one, 60);
	assert_int_equal(decode_full(DLT_EN10MB, one, sizeof one, &seg), DECODE_TCP);
	assert_int_equal(seg.len, 1);
	assert_int_equal(seg.caplen, 1);
	assert_int_equal(seg.payload[0], 'x');
	check_truncations(DLT_EN10MB, one, sizeof one, 34);
	assert_int_equal(decode_full(DLT_EN10MB, ack, sizeof ack, &seg), DECODE_TCP);
	assert_int_equal(seg.len, 0);
	assert_int_equal(seg.caplen, 0);
	check_truncations(DLT_EN10MB, ack, sizeof ack, 34);
	assert_int_equal(decode_full(DLT_EN10MB, fcs, sizeof fcs, &seg), DECODE_TCP);
	assert_hello(&seg, 4);
	check_truncations(DLT_EN10MB, fcs, sizeof fcs, 34);
}

static void test_ipv6_padding_is_trimmed_to_payload_length(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { ETH(0x86, 0xdd), V6_HELLO, 0xee, 0xee, 0xee, 0xee };
	check_hello_trailer(DLT_EN10MB, pkt, sizeof pkt, 6, 4);
}

static void test_ipv4_ihl_below_5_is_invalid(void **state)
{
	(void)state;
	for (uint8_t ihl = 0; ihl < 5; ihl++) {
		uint8_t pkt[] = { 0x40, 0x00, 0x00, 46,	  0x12, 0x34, 0x40,
				  0x00, 0x40, 0x06, 0x00, 0x00, 10,   0,
				  0,	1,    10,   0,	  0,	2,    TCP_HELLO };
		pkt[0] = (uint8_t)(0x40 | ihl);
		struct tcp_segment seg;
		const char *why = NULL;
		uint8_t *buf;
		assert_int_equal(decode_copy(DLT_RAW_12, pkt, sizeof pkt, &seg, &why, &buf),
				 DECODE_INVALID);
		assert_non_null(why);
		assert_non_null(strstr(why, "IHL"));
		free(buf);
		check_invalid_truncations(DLT_RAW_12, pkt, sizeof pkt);
	}
}

static void test_ipv4_total_length_below_header_is_invalid(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { V4_HDR(19), TCP_HELLO };
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_RAW_12, pkt, sizeof pkt, &seg), DECODE_INVALID);
	check_invalid_truncations(DLT_RAW_12, pkt, sizeof pkt);
}

static void test_ipv4_version_6_under_ethertype_0800_is_invalid(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { ETH(0x08, 0x00), V6_HELLO };
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_EN10MB, pkt, sizeof pkt, &seg), DECODE_INVALID);
	check_invalid_truncations(DLT_EN10MB, pkt, sizeof pkt);
}

static void test_ipv4_udp_is_not_tcp(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { 0x45, 0x00, 0x00, 32,   0x12, 0x34, 0x40, 0x00,
				       0x40, 17,   0x00, 0x00, 10,   0,	   0,	 1,
				       10,   0,	   0,	 2,    0x9e, 0x2e, 0x00, 53,
				       0x00, 12,   0x00, 0x00, 'a',  'b',  'c',	 'd' };
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_RAW_12, pkt, sizeof pkt, &seg), DECODE_NOT_TCP);
	check_truncations(DLT_RAW_12, pkt, sizeof pkt, 0);
}

/* ---- IPv6 ------------------------------------------------------------------ */

static void test_ipv6_hop_dest_routing_fragment_headers_are_walked(void **state)
{
	(void)state;
	static const uint8_t pkt[] = {
		V6_HDR(58, 0),
		60,
		0,
		0x01,
		0x04,
		0,
		0,
		0,
		0, /* hop-by-hop, PadN -> dest opts */
		43,
		0,
		0x01,
		0x04,
		0,
		0,
		0,
		0, /* destination options -> routing */
		44,
		0,
		0x00,
		0x00,
		0,
		0,
		0,
		0, /* routing, 0 segments left -> fragment */
		6,
		0,
		0x00,
		0x01,
		0x00,
		0x00,
		0xab,
		0xcd, /* fragment: offset 0, M=1 -> TCP */
		TCP_HELLO,
	};
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_IPV6_229, pkt, sizeof pkt, &seg), DECODE_TCP);
	assert_int_equal(seg.family, 6);
	assert_memory_equal(seg.src, v6_src, 16);
	assert_int_equal(seg.sport, 40494);
	assert_int_equal(seg.seq, 1001);
	assert_int_equal(seg.len, 6);
	assert_int_equal(seg.caplen, 6);
	assert_memory_equal(seg.payload, "hello\n", 6);
	assert_int_equal(seg.ip_first_fragment, 1);
	check_truncations(DLT_IPV6_229, pkt, sizeof pkt, 72);
}

static void test_ipv6_unfragmented_via_fragment_header_is_not_first_fragment(void **state)
{
	(void)state;
	/* An atomic fragment (offset 0, M=0), as RFC 8021 describes. */
	static const uint8_t pkt[] = { V6_HDR(34, 44), 6, 0, 0x00, 0x00, 0, 0, 0, 1, TCP_HELLO };
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_IPV6_229, pkt, sizeof pkt, &seg), DECODE_TCP);
	assert_int_equal(seg.ip_first_fragment, 0);
	assert_int_equal(seg.len, 6);
	check_truncations(DLT_IPV6_229, pkt, sizeof pkt, 48);
}

static void test_ipv6_non_first_fragment_is_fragment(void **state)
{
	(void)state;
	/* Fragment offset 185 (<< 3 = 0x05c8), M set. */
	static const uint8_t tcp[] = {
		V6_HDR(16, 44), 6, 0, 0x05, 0xc9, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8
	};
	static const uint8_t udp[] = {
		V6_HDR(16, 44), 17, 0, 0x05, 0xc8, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8
	};
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_IPV6_229, tcp, sizeof tcp, &seg), DECODE_FRAGMENT);
	check_truncations(DLT_IPV6_229, tcp, sizeof tcp, 0);
	assert_int_equal(decode_full(DLT_IPV6_229, udp, sizeof udp, &seg), DECODE_NOT_TCP);
	check_truncations(DLT_IPV6_229, udp, sizeof udp, 0);
}

static void test_ipv6_udp_and_no_next_header_are_not_tcp(void **state)
{
	(void)state;
	static const uint8_t udp[] = { V6_HDR(8, 17), 0x9e, 0x2e, 0, 53, 0, 8, 0, 0 };
	static const uint8_t none[] = { V6_HDR(0, 59) };
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_IPV6_229, udp, sizeof udp, &seg), DECODE_NOT_TCP);
	check_truncations(DLT_IPV6_229, udp, sizeof udp, 0);
	assert_int_equal(decode_full(DLT_IPV6_229, none, sizeof none, &seg), DECODE_NOT_TCP);
	check_truncations(DLT_IPV6_229, none, sizeof none, 0);
}

static void test_ipv6_extension_header_past_payload_is_invalid(void **state)
{
	(void)state;
	/* Payload length 8, but the hop-by-hop header says 16 bytes. */
	static const uint8_t pkt[] = {
		V6_HDR(8, 0), 6, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
	};
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_IPV6_229, pkt, sizeof pkt, &seg), DECODE_INVALID);
	check_invalid_truncations(DLT_IPV6_229, pkt, sizeof pkt);
}

static void test_ipv6_version_4_under_ethertype_86dd_is_invalid(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { ETH(0x86, 0xdd),
				       V4_HELLO,
				       0,
				       0,
				       0,
				       0,
				       0,
				       0,
				       0,
				       0,
				       0,
				       0,
				       0,
				       0,
				       0,
				       0,
				       0,
				       0,
				       0,
				       0,
				       0,
				       0 };
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_EN10MB, pkt, sizeof pkt, &seg), DECODE_INVALID);
	check_invalid_truncations(DLT_EN10MB, pkt, sizeof pkt);
}

/* ---- TCP header and options -------------------------------------------------- */

/* Linux's SYN: mss 65495, sackOK, TS val 1 ecr 0, nop, wscale 7. */
#define TCP_SYN_OPTS                                                                               \
	0x9e, 0x2e, 0x23, 0x27, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xff,  \
		0xd7, 0x00, 0x00, 0x00, 0x00, 0x02, 0x04, 0xff, 0xd7, 0x04, 0x02, 0x08, 0x0a,      \
		0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07
static const uint8_t syn_opts_pkt[] = { V4_HDR(60), TCP_SYN_OPTS };

static void test_tcp_syn_options_mss_sackok_timestamps_nop_wscale(void **state)
{
	(void)state;
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_RAW_12, syn_opts_pkt, sizeof syn_opts_pkt, &seg),
			 DECODE_TCP);
	assert_int_equal(seg.flags, TCPF_SYN);
	assert_int_equal(seg.seq, 1000);
	assert_int_equal(seg.win, 65495);
	assert_int_equal(seg.len, 0);
	assert_int_equal(seg.caplen, 0);
	assert_int_equal(seg.hdr_truncated, 0);
	assert_int_equal(seg.opts.has_mss, 1);
	assert_int_equal(seg.opts.mss, 65495);
	assert_int_equal(seg.opts.sack_ok, 1);
	assert_int_equal(seg.opts.has_ts, 1);
	assert_int_equal(seg.opts.ts_val, 1);
	assert_int_equal(seg.opts.ts_ecr, 0);
	assert_int_equal(seg.opts.has_wscale, 1);
	assert_int_equal(seg.opts.wscale, 7);
	assert_int_equal(seg.opts.sack_blocks, 0);
	assert_int_equal(seg.opts.truncated, 0);
	assert_int_equal(seg.opts.count, 5);
	check_truncations(DLT_RAW_12, syn_opts_pkt, sizeof syn_opts_pkt, 20);
}

static void test_tcp_sack_blocks_and_timestamps_after_nops(void **state)
{
	(void)state;
	/* ACK with nop nop TS, nop nop SACK 2 blocks; data offset 13 (52 bytes). */
	static const uint8_t pkt[] = {
		V4_HDR(72), 0x23, 0x27, 0x9e, 0x2e, 0x00, 0x00, 0x13, 0x89, 0x00, 0x00,
		0x03,	    0xe9, 0xd0, 0x10, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x01,	    0x08, 0x0a, 0x00, 0x01, 0x02, 0x03, 0x0a, 0x0b, 0x0c, 0x0d,
		0x01,	    0x01, 0x05, 0x12, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x20,
		0x00,	    0x00, 0x00, 0x30, 0x00, 0x00, 0x00, 0x40, 0x00,
	};
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_RAW_12, pkt, sizeof pkt, &seg), DECODE_TCP);
	assert_int_equal(seg.flags, TCPF_ACK);
	assert_int_equal(seg.len, 0);
	assert_int_equal(seg.opts.has_ts, 1);
	assert_int_equal(seg.opts.ts_val, 0x00010203);
	assert_int_equal(seg.opts.ts_ecr, 0x0a0b0c0d);
	assert_int_equal(seg.opts.sack_blocks, 2);
	assert_int_equal(seg.opts.sack[0][0], 0x1000);
	assert_int_equal(seg.opts.sack[0][1], 0x2000);
	assert_int_equal(seg.opts.sack[1][0], 0x3000);
	assert_int_equal(seg.opts.sack[1][1], 0x4000);
	assert_int_equal(seg.opts.has_mss, 0);
	assert_int_equal(seg.opts.count, 6);
	assert_int_equal(seg.opts.truncated, 0);
	check_truncations(DLT_RAW_12, pkt, sizeof pkt, 20);
}

static void test_tcp_options_after_eol_are_ignored(void **state)
{
	(void)state;
	/* nop, EOL, then what would be an MSS: padding after EOL. */
	static const uint8_t pkt[] = { V4_HDR(48), 0x9e, 0x2e, 0x23, 0x27, 0x00, 0x00, 0x03,
				       0xe8,	   0x00, 0x00, 0x00, 0x00, 0x70, 0x02, 0xff,
				       0xd7,	   0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02,
				       0x04,	   0x05, 0xb4, 0x00, 0x00 };
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_RAW_12, pkt, sizeof pkt, &seg), DECODE_TCP);
	assert_int_equal(seg.opts.count, 2);
	assert_int_equal(seg.opts.has_mss, 0);
	assert_int_equal(seg.opts.truncated, 0);
	assert_int_equal(seg.len, 0);
	check_truncations(DLT_RAW_12, pkt, sizeof pkt, 20);
}

static void test_tcp_option_length_below_2_stops_option_parsing(void **state)
{
	(void)state;
	/* An MSS with length 1, then a valid wscale that must not be read. */
	static const uint8_t pkt[] = { V4_HDR(48), 0x9e, 0x2e, 0x23, 0x27, 0x00, 0x00, 0x03,
				       0xe8,	   0x00, 0x00, 0x00, 0x00, 0x70, 0x02, 0xff,
				       0xd7,	   0x00, 0x00, 0x00, 0x00, 0x02, 0x01, 0x05,
				       0xb4,	   0x03, 0x03, 0x07, 0x00 };
	static const uint8_t zero[] = { V4_HDR(48), 0x9e, 0x2e, 0x23, 0x27, 0x00, 0x00, 0x03,
					0xe8,	    0x00, 0x00, 0x00, 0x00, 0x70, 0x02, 0xff,
					0xd7,	    0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x05,
					0xb4,	    0x03, 0x03, 0x07, 0x00 };
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_RAW_12, pkt, sizeof pkt, &seg), DECODE_TCP);
	assert_int_equal(seg.opts.count, 1);
	assert_int_equal(seg.opts.has_mss, 0);
	assert_int_equal(seg.opts.has_wscale, 0);
	assert_int_equal(seg.len, 0);
	check_truncations(DLT_RAW_12, pkt, sizeof pkt, 20);
	/* Length 0 must not loop forever either. */
	assert_int_equal(decode_full(DLT_RAW_12, zero, sizeof zero, &seg), DECODE_TCP);
	assert_int_equal(seg.opts.count, 1);
	assert_int_equal(seg.opts.has_ts, 0);
	assert_int_equal(seg.opts.has_wscale, 0);
	check_truncations(DLT_RAW_12, zero, sizeof zero, 20);
}

static void test_tcp_option_running_past_header_is_not_read(void **state)
{
	(void)state;
	/* Data offset 6: an MSS whose length (8) runs past the 4 option bytes,
	 * followed by payload "hi" that must not be taken for option bytes. */
	static const uint8_t pkt[] = { V4_HDR(46), 0x9e, 0x2e, 0x23, 0x27, 0x00, 0x00, 0x03, 0xe9,
				       0x00,	   0x00, 0x13, 0x89, 0x60, 0x18, 0x02, 0x00, 0x00,
				       0x00,	   0x00, 0x00, 0x02, 0x08, 0x05, 0xb4, 'h',  'i' };
	/* A SACK claiming 4 blocks in a 12-byte option space. */
	static const uint8_t sack[] = { V4_HDR(52), 0x9e, 0x2e, 0x23, 0x27, 0x00, 0x00, 0x03, 0xe9,
					0x00,	    0x00, 0x13, 0x89, 0x80, 0x10, 0x02, 0x00, 0x00,
					0x00,	    0x00, 0x00, 0x01, 0x01, 0x05, 0x22, 0,    0,
					0,	    1,	  0,	0,    0,    2 };
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_RAW_12, pkt, sizeof pkt, &seg), DECODE_TCP);
	assert_int_equal(seg.opts.has_mss, 0);
	assert_int_equal(seg.opts.mss, 0);
	assert_int_equal(seg.hdr_truncated, 0);
	assert_int_equal(seg.len, 2);
	assert_int_equal(seg.caplen, 2);
	assert_memory_equal(seg.payload, "hi", 2);
	check_truncations(DLT_RAW_12, pkt, sizeof pkt, 20);
	assert_int_equal(decode_full(DLT_RAW_12, sack, sizeof sack, &seg), DECODE_TCP);
	assert_int_equal(seg.opts.sack_blocks, 0);
	assert_int_equal(seg.len, 0);
	check_truncations(DLT_RAW_12, sack, sizeof sack, 20);
}

static void test_tcp_options_with_wrong_lengths_are_ignored(void **state)
{
	(void)state;
	/* MSS with length 2, wscale with length 4, TS with length 6, sackOK
	 * with length 3: each skipped by its length, none taken; then
	 * nop x4, EOL. */
	static const uint8_t pkt[] = { V4_HDR(60), 0x9e, 0x2e, 0x23, 0x27, 0x00, 0x00, 0x03, 0xe8,
				       0x00,	   0x00, 0x00, 0x00, 0xa0, 0x02, 0xff, 0xd7, 0x00,
				       0x00,	   0x00, 0x00, 0x02, 0x02, 0x03, 0x04, 0x07, 0x01,
				       0x08,	   0x06, 0x00, 0x00, 0x00, 0x09, 0x04, 0x03, 0x01,
				       0x01,	   0x01, 0x01, 0x01, 0x00 };
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_RAW_12, pkt, sizeof pkt, &seg), DECODE_TCP);
	assert_int_equal(seg.opts.has_mss, 0);
	assert_int_equal(seg.opts.has_wscale, 0);
	assert_int_equal(seg.opts.has_ts, 0);
	assert_int_equal(seg.opts.sack_ok, 0);
	assert_int_equal(seg.opts.truncated, 0);
	assert_int_equal(seg.opts.count, 9);
	check_truncations(DLT_RAW_12, pkt, sizeof pkt, 20);
}

static void test_tcp_data_offset_below_5_is_invalid(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { V4_HDR(46), 0x9e, 0x2e, 0x23, 0x27, 0x00, 0x00, 0x03, 0xe9,
				       0x00,	   0x00, 0x13, 0x89, 0x40, 0x18, 0x02, 0x00, 0x00,
				       0x00,	   0x00, 0x00, 'h',  'e',  'l',	 'l',  'o',  '\n' };
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_RAW_12, pkt, sizeof pkt, &seg), DECODE_INVALID);
	check_invalid_truncations(DLT_RAW_12, pkt, sizeof pkt);
}

static void test_tcp_data_offset_past_ip_declared_segment_is_invalid(void **state)
{
	(void)state;
	/* IP says 24 bytes of TCP; the data offset says a 32-byte header. The
	 * 8 bytes of link padding after it must not make it fit. */
	static const uint8_t pkt[] = { ETH(0x08, 0x00),
				       V4_HDR(44),
				       TCP_PORTS_SEQ_ACK,
				       0x80,
				       0x10,
				       0x02,
				       0x00,
				       0x00,
				       0x00,
				       0x00,
				       0x00,
				       0x01,
				       0x01,
				       0x01,
				       0x01,
				       0x01,
				       0x01,
				       0x01,
				       0x01,
				       0x01,
				       0x01,
				       0x01,
				       0x01 };
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_EN10MB, pkt, sizeof pkt, &seg), DECODE_INVALID);
	check_invalid_truncations(DLT_EN10MB, pkt, sizeof pkt);
}

static void test_ip_length_shorter_than_tcp_header_is_invalid_not_truncated(void **state)
{
	(void)state;
	/* Everything captured, but the IP header leaves fewer than 20 bytes
	 * for TCP: the headers contradict themselves, nothing was cut.
	 * IPv4 total length 30 (10 bytes of TCP); IPv6 payload length 10. */
	static const uint8_t v4[] = { V4_HDR(30), TCP_HELLO };
	static const uint8_t v6[] = { V6_HDR(10, 6), TCP_HELLO };
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_RAW_12, v4, sizeof v4, &seg), DECODE_INVALID);
	check_invalid_truncations(DLT_RAW_12, v4, sizeof v4);
	assert_int_equal(decode_full(DLT_RAW_12, v6, sizeof v6, &seg), DECODE_INVALID);
	check_invalid_truncations(DLT_RAW_12, v6, sizeof v6);
}

static void test_malformed_option_in_complete_header_is_not_snapshot_truncation(void **state)
{
	(void)state;
	/* opts.truncated means "cut by the snapshot length" (decode.h). In a
	 * fully captured header, an option whose length runs past the data
	 * offset, or a kind byte in the last option byte, is malformed. */
	static const uint8_t overrun[] = { V4_HDR(44), 0x9e, 0x2e, 0x23, 0x27, 0x00, 0x00,
					   0x03,       0xe9, 0x00, 0x00, 0x13, 0x89, 0x60,
					   0x10,       0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
					   0x02,       0x08, 0x05, 0xb4 };
	static const uint8_t lastkind[] = { V4_HDR(44), 0x9e, 0x2e, 0x23, 0x27, 0x00, 0x00,
					    0x03,	0xe9, 0x00, 0x00, 0x13, 0x89, 0x60,
					    0x10,	0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
					    0x01,	0x01, 0x01, 0x02 };
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_RAW_12, overrun, sizeof overrun, &seg), DECODE_TCP);
	assert_int_equal(seg.hdr_truncated, 0);
	assert_int_equal(seg.opts.truncated, 0);
	assert_int_equal(seg.opts.has_mss, 0);
	check_truncations(DLT_RAW_12, overrun, sizeof overrun, 20);
	assert_int_equal(decode_full(DLT_RAW_12, lastkind, sizeof lastkind, &seg), DECODE_TCP);
	assert_int_equal(seg.hdr_truncated, 0);
	assert_int_equal(seg.opts.truncated, 0);
	assert_int_equal(seg.opts.count, 4);
	check_truncations(DLT_RAW_12, lastkind, sizeof lastkind, 20);
}

static void test_tcp_header_cut_by_capture_is_tcp_with_truncated_options(void **state)
{
	(void)state;
	/* The SYN cut after mss and sackOK: 6 of its 20 option bytes. */
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_RAW_12, syn_opts_pkt, 20 + 20 + 6, &seg), DECODE_TCP);
	assert_int_equal(seg.hdr_truncated, 1);
	assert_int_equal(seg.opts.truncated, 1);
	assert_int_equal(seg.opts.has_mss, 1);
	assert_int_equal(seg.opts.mss, 65495);
	assert_int_equal(seg.opts.sack_ok, 1);
	assert_int_equal(seg.opts.has_ts, 0);
	assert_int_equal(seg.opts.has_wscale, 0);
	assert_int_equal(seg.seq, 1000);
	assert_int_equal(seg.len, 0);
	assert_int_equal(seg.caplen, 0);
	assert_null(seg.payload);
	/* Cut in the middle of the timestamp option. */
	assert_int_equal(decode_full(DLT_RAW_12, syn_opts_pkt, 20 + 20 + 9, &seg), DECODE_TCP);
	assert_int_equal(seg.hdr_truncated, 1);
	assert_int_equal(seg.opts.truncated, 1);
	assert_int_equal(seg.opts.has_ts, 0);
}

static void test_payload_cut_by_capture_keeps_ip_declared_len(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { ETH(0x08, 0x00), V4_HELLO };
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_EN10MB, pkt, sizeof pkt - 3, &seg), DECODE_TCP);
	assert_int_equal(seg.len, 6);
	assert_int_equal(seg.caplen, 3);
	assert_int_equal(seg.hdr_truncated, 0);
	assert_memory_equal(seg.payload, "hel", 3);
	static const uint8_t v6[] = { V6_HELLO };
	assert_int_equal(decode_full(DLT_RAW_12, v6, sizeof v6 - 5, &seg), DECODE_TCP);
	assert_int_equal(seg.len, 6);
	assert_int_equal(seg.caplen, 1);
}

static void test_tcp_header_cut_before_20_bytes_is_truncated_with_reason(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { V4_HELLO };
	struct tcp_segment seg;
	const char *why = NULL;
	uint8_t *buf;
	assert_int_equal(decode_copy(DLT_RAW_12, pkt, 39, &seg, &why, &buf), DECODE_TRUNCATED);
	assert_non_null(why);
	assert_non_null(strstr(why, "TCP"));
	free(buf);
}

static void test_ae_bit_and_urgent_pointer_are_decoded(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { V4_HDR(40), 0x9e, 0x2e, 0x23, 0x27, 0x00, 0x00,
				       0x03,	   0xe8, 0x00, 0x00, 0x00, 0x00, 0x51,
				       0xe2,	   0xff, 0xd7, 0x00, 0x00, 0x12, 0x34 };
	struct tcp_segment seg;
	assert_int_equal(decode_full(DLT_RAW_12, pkt, sizeof pkt, &seg), DECODE_TCP);
	assert_int_equal(seg.ae, 1);
	assert_int_equal(seg.flags, TCPF_SYN | TCPF_URG | TCPF_ECE | TCPF_CWR);
	assert_int_equal(seg.urp, 0x1234);
	check_truncations(DLT_RAW_12, pkt, sizeof pkt, 20);
}

/* ---- flags ------------------------------------------------------------------- */

static void assert_flags(uint8_t flags, const char *want)
{
	struct tcp_segment seg;
	memset(&seg, 0, sizeof seg);
	seg.flags = flags;
	char buf[16];
	memset(buf, 'X', sizeof buf);
	size_t n = decode_flags_str(&seg, buf, sizeof buf);
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

static void test_flags_str_uses_tcpdump_letters_in_tcpdump_order(void **state)
{
	(void)state;
	assert_flags(TCPF_SYN, "S");
	assert_flags(TCPF_SYN | TCPF_ACK, "S.");
	assert_flags(TCPF_ACK, ".");
	assert_flags(TCPF_PSH | TCPF_ACK, "P.");
	assert_flags(TCPF_FIN | TCPF_ACK, "F.");
	assert_flags(TCPF_RST, "R");
	assert_flags(TCPF_RST | TCPF_ACK, "R.");
	assert_flags(TCPF_FIN | TCPF_PSH | TCPF_ACK, "FP.");
	assert_flags(TCPF_SYN | TCPF_ECE | TCPF_CWR, "SEW");
	assert_flags(0, "none");
	assert_flags(0xff, "FSRP.UEW");
}

static void test_flags_str_respects_buffer_size(void **state)
{
	(void)state;
	struct tcp_segment seg;
	memset(&seg, 0, sizeof seg);
	seg.flags = 0xff;
	char buf[4] = { 'X', 'X', 'X', 'X' };
	assert_int_equal(decode_flags_str(&seg, buf, 0), 0);
	assert_int_equal(buf[0], 'X');
	assert_int_equal(decode_flags_str(&seg, buf, 1), 0);
	assert_string_equal(buf, "");
	assert_int_equal(decode_flags_str(&seg, buf, 4), 3);
	assert_string_equal(buf, "FSR");
	seg.flags = 0;
	assert_int_equal(decode_flags_str(&seg, buf, 3), 2);
	assert_string_equal(buf, "no");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_teardown(f, teardown_buf)
		T(test_en10mb_ipv4_decodes_addresses_ports_numbers_payload),
		T(test_en10mb_ipv6_decodes_addresses_ports_numbers_payload),
		T(test_en10mb_8021q_tag_is_skipped),
		T(test_en10mb_qinq_88a8_then_8100_tags_are_skipped),
		T(test_en10mb_arp_is_not_tcp),
		T(test_en10mb_too_many_vlan_tags_is_invalid),
		T(test_linux_sll_ipv4),
		T(test_linux_sll_ipv6),
		T(test_linux_sll2_ipv4_protocol_is_first_field),
		T(test_linux_sll2_ipv6),
		T(test_null_little_endian_af_inet),
		T(test_null_big_endian_af_inet),
		T(test_null_af_inet6_24_28_30_both_byte_orders),
		T(test_null_unknown_address_family_is_not_tcp),
		T(test_loop_is_network_byte_order_ipv4_and_ipv6),
		T(test_loop_little_endian_af_is_not_byte_swapped),
		T(test_raw_dlt12_ipv4_and_ipv6_by_version_nibble),
		T(test_raw_dlt14_ipv4_and_ipv6_by_version_nibble),
		T(test_raw_unknown_ip_version_is_not_tcp),
		T(test_dlt_ipv4_228),
		T(test_dlt_ipv6_229),
		T(test_dlt_ipv4_228_rejects_an_ipv6_header),
		T(test_ppp_with_hdlc_address_control_ff03),
		T(test_ppp_without_address_control),
		T(test_ppp_lcp_is_not_tcp),
		T(test_supported_link_types_are_reported_and_others_invalid),
		T(test_ipv4_options_ihl6_put_tcp_after_24_bytes),
		T(test_ipv4_first_fragment_mf_offset0_is_decoded_and_flagged),
		T(test_ipv4_dont_fragment_bit_is_not_a_fragment),
		T(test_ipv4_later_fragment_is_fragment),
		T(test_ipv4_udp_later_fragment_is_not_tcp),
		T(test_ipv4_total_length_0_tso_takes_length_from_capture),
		T(test_ipv4_ethernet_padding_is_trimmed_to_total_length),
		T(test_ipv6_padding_is_trimmed_to_payload_length),
		T(test_ipv4_ihl_below_5_is_invalid),
		T(test_ipv4_total_length_below_header_is_invalid),
		T(test_ipv4_version_6_under_ethertype_0800_is_invalid),
		T(test_ipv4_udp_is_not_tcp),
		T(test_ipv6_hop_dest_routing_fragment_headers_are_walked),
		T(test_ipv6_unfragmented_via_fragment_header_is_not_first_fragment),
		T(test_ipv6_non_first_fragment_is_fragment),
		T(test_ipv6_udp_and_no_next_header_are_not_tcp),
		T(test_ipv6_extension_header_past_payload_is_invalid),
		T(test_ipv6_version_4_under_ethertype_86dd_is_invalid),
		T(test_tcp_syn_options_mss_sackok_timestamps_nop_wscale),
		T(test_tcp_sack_blocks_and_timestamps_after_nops),
		T(test_tcp_options_after_eol_are_ignored),
		T(test_tcp_option_length_below_2_stops_option_parsing),
		T(test_tcp_option_running_past_header_is_not_read),
		T(test_tcp_options_with_wrong_lengths_are_ignored),
		T(test_tcp_data_offset_below_5_is_invalid),
		T(test_tcp_data_offset_past_ip_declared_segment_is_invalid),
		T(test_ip_length_shorter_than_tcp_header_is_invalid_not_truncated),
		T(test_malformed_option_in_complete_header_is_not_snapshot_truncation),
		T(test_tcp_header_cut_by_capture_is_tcp_with_truncated_options),
		T(test_payload_cut_by_capture_keeps_ip_declared_len),
		T(test_tcp_header_cut_before_20_bytes_is_truncated_with_reason),
		T(test_ae_bit_and_urgent_pointer_are_decoded),
		T(test_flags_str_uses_tcpdump_letters_in_tcpdump_order),
		T(test_flags_str_respects_buffer_size),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
