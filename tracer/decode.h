/* decode.h: link layer -> IPv4/IPv6 -> TCP, into a value struct. */
#ifndef RSTSCOPE_DECODE_H
#define RSTSCOPE_DECODE_H

#include <stddef.h>
#include <stdint.h>

/* TCP flag bits, as in the header's 13th byte. */
#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10
#define TCPF_URG 0x20
#define TCPF_ECE 0x40
#define TCPF_CWR 0x80

/* Outcomes of decode_packet(). Negative values are damage in the record. */
enum decode_result {
	DECODE_TCP = 0,	       /* a TCP segment: seg is filled in */
	DECODE_NOT_TCP = 1,    /* a well-formed packet that is not TCP */
	DECODE_FRAGMENT = 2,   /* a non-first IP fragment of a TCP datagram */
	DECODE_TRUNCATED = -1, /* the capture holds too few bytes to tell */
	DECODE_INVALID = -2,   /* the headers contradict themselves */
};

/* Options of interest; has_* say which were present. */
struct tcp_opts {
	uint16_t mss;
	uint8_t wscale;
	uint8_t has_mss : 1, has_wscale : 1, sack_ok : 1, has_ts : 1, sack_blocks : 3,
		truncated : 1; /* options cut by the snapshot length */
	uint8_t count;	       /* options seen, including NOP and EOL */
	uint32_t ts_val, ts_ecr;
	uint32_t sack[4][2]; /* left, right edges of the first SACK blocks */
};

/* One decoded TCP segment. Plain values, except payload, which points into
 * the caller's packet buffer and is valid only until the next record. */
struct tcp_segment {
	uint8_t family;	 /* 4 or 6 */
	uint8_t src[16]; /* IPv4 uses the first 4 bytes */
	uint8_t dst[16];
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags; /* TCPF_* */
	uint8_t ae;    /* the AE (ex-NS) bit, tcpdump's 'E' for AccECN handshake */
	uint16_t win;
	uint16_t urp;
	uint32_t len;		   /* payload bytes the IP header declares */
	uint32_t caplen;	   /* payload bytes actually captured (<= len) */
	uint8_t hdr_truncated;	   /* TCP options cut short by the snapshot length */
	uint8_t ip_first_fragment; /* IPv4/IPv6 datagram with more fragments */
	struct tcp_opts opts;
	const uint8_t *payload;
};

/* Link types decode_packet() understands (libpcap DLT_ values). */
int decode_linktype_supported(int dlt);
/* "EN10MB, LINUX_SLL, ..." for messages. */
const char *decode_supported_names(void);

/* Decode one captured record of link type dlt, caplen bytes at pkt.
 * On DECODE_INVALID or DECODE_TRUNCATED, *why (if not NULL) is set to a
 * static, human-readable reason. */
int decode_packet(int dlt, const uint8_t *pkt, uint32_t caplen, struct tcp_segment *seg,
		  const char **why);

/* tcpdump's letters for the flags: "S", "S.", "P.", "F.", "R", "R.", "SEW". */
size_t decode_flags_str(const struct tcp_segment *seg, char *buf, size_t size);

#endif
