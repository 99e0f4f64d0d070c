/* capture.c: libpcap handles for saved captures. Errors come from errbuf
 * before a handle exists and from pcap_geterr() after, as libpcap's own test
 * programs do. */
#include "capture.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

pcap_t *capture_open_offline(const char *path, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	if (strcmp(path, "-") != 0) {
		struct stat st;
		if (stat(path, &st) != 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return NULL;
		}
		if (S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s: is a directory, not a capture file", path);
			return NULL;
		}
	}
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!p) {
		const char *name = strcmp(path, "-") == 0 ? "standard input" : path;
		if (strstr(ebuf, "unknown file format") || strstr(ebuf, "bad dump file format"))
			snprintf(err, errlen, "%s: not a pcap or pcapng capture (%s)", name, ebuf);
		else if (strstr(ebuf, "truncated"))
			snprintf(err, errlen, "%s: the file ends inside its header: %s", name, ebuf);
		else
			snprintf(err, errlen, "%s: %s", name, ebuf);
		return NULL;
	}
	return p;
}

int capture_compile(pcap_t *p, const char *expr, struct bpf_program *prog, char *err, size_t errlen)
{
	if (pcap_compile(p, prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(err, errlen, "bad filter expression '%s': %s", expr, pcap_geterr(p));
		return -1;
	}
	return 0;
}

const char *capture_dlt_name(int dlt, char *buf, size_t size)
{
	const char *name = pcap_datalink_val_to_name(dlt);
	if (name)
		return name;
	snprintf(buf, size, "DLT %d", dlt);
	return buf;
}
