/* capture.h: open a saved capture (or, later, an interface) with libpcap. */
#ifndef RSTSCOPE_CAPTURE_H
#define RSTSCOPE_CAPTURE_H

#include <pcap/pcap.h>
#include <stddef.h>

/* Opens a pcap or pcapng file ("-" for standard input) with nanosecond
 * timestamps. Returns NULL with the reason in err. */
pcap_t *capture_open_offline(const char *path, char *err, size_t errlen);

/* Compiles a BPF expression for p. Returns 0, or -1 with the reason in err. */
int capture_compile(pcap_t *p, const char *expr, struct bpf_program *prog, char *err,
		    size_t errlen);

/* "EN10MB", or "DLT 147" when libpcap has no name for it. */
const char *capture_dlt_name(int dlt, char *buf, size_t size);

#endif

/* Opens iface for live capture: immediate mode, nanosecond timestamps,
 * buffer_kib of kernel buffer (0: libpcap's default). Returns NULL with a
 * message that says what to do (sudo, setcap) in err. A warning from
 * pcap_activate() is copied into warn (empty when none). */
pcap_t *capture_open_live(const char *iface, int buffer_kib, char *warn, size_t warnlen, char *err,
			  size_t errlen);

/* After the capture is open: give up root (to -Z user, or the sudo caller)
 * and any capabilities, before a packet or log line is parsed. Returns 0, or
 * -1 with the reason in err. *dropped_to names the user (or is left alone). */
int capture_drop_privileges(const char *user, char *dropped_to, size_t dlen, char *err,
			    size_t errlen);
