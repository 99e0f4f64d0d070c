/* pcapcount.c: the bare libpcap baseline for `make bench`: pcap_loop over a
 * saved capture with a callback that only counts. Prints the count.
 *
 *   pcapcount FILE
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

static void count_cb(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	(void)h;
	(void)bytes;
	++*(uint64_t *)user;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "Usage: pcapcount FILE\n");
		return 2;
	}
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p =
		pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!p) {
		fprintf(stderr, "pcapcount: %s: %s\n", argv[1], ebuf);
		return 2;
	}
	uint64_t n = 0;
	int r = pcap_loop(p, -1, count_cb, (u_char *)&n);
	if (r == PCAP_ERROR) {
		fprintf(stderr, "pcapcount: %s: record %llu: %s\n", argv[1],
			(unsigned long long)n + 1, pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	pcap_close(p);
	printf("%llu\n", (unsigned long long)n);
	return 0;
}
