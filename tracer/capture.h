/* capture.h: open a saved capture (or, later, an interface) with libpcap. */
#ifndef RSTSCOPE_CAPTURE_H
#define RSTSCOPE_CAPTURE_H

#include <pcap/pcap.h>
#include <stddef.h>

/* Opens a pcap or pcapng file ("-" for standard input) with nanosecond
 * timestamps. Returns NULL with the reason in err. */
pcap_t *capture_open_offline(const char *path, char *err, size_t errlen);

/* Compiles a BPF expression for p. Returns 0, or -1 with the reason in err. */
int capture_compile(pcap_t *p, const char *expr, struct bpf_program *prog, char *err, size_t errlen);

/* "EN10MB", or "DLT 147" when libpcap has no name for it. */
const char *capture_dlt_name(int dlt, char *buf, size_t size);

#endif
