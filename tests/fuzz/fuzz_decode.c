/* fuzz_decode.c: libFuzzer target for decode_packet(). The first byte picks
 * the link type; the rest is the captured record. Any read past the record
 * is an AddressSanitizer report. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int dlts[] = { 1, 113, 276, 0, 108, 12, 14, 228, 229, 9 };
	if (size < 1)
		return 0;
	int dlt = dlts[data[0] % (sizeof dlts / sizeof dlts[0])];
	/* An exact-size copy, so ASan sees the end of the record. */
	uint8_t *pkt = malloc(size - 1 ? size - 1 : 1);
	if (!pkt)
		return 0;
	memcpy(pkt, data + 1, size - 1);
	struct tcp_segment seg;
	const char *why;
	int r = decode_packet(dlt, pkt, (uint32_t)(size - 1), &seg, &why);
	if (r == DECODE_TCP && seg.caplen > seg.len)
		abort(); /* captured payload can never exceed the declared one */
	if (r == DECODE_TCP && seg.caplen) {
		volatile uint8_t sink = seg.payload[seg.caplen - 1];
		(void)sink;
	}
	char fl[16];
	decode_flags_str(&seg, fl, sizeof fl);
	free(pkt);
	return 0;
}
