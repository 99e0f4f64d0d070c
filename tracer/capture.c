/* capture.c: libpcap handles for saved captures. Errors come from errbuf
 * before a handle exists and from pcap_geterr() after, as libpcap's own test
 * programs do. */
#include "capture.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

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
			snprintf(err, errlen, "%s: the file ends inside its header: %s", name,
				 ebuf);
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

pcap_t *capture_open_live(const char *iface, int buffer_kib, char *warn, size_t warnlen, char *err,
			  size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	warn[0] = '\0';
	pcap_t *p = pcap_create(iface, ebuf);
	if (!p) {
		snprintf(err, errlen, "%s: %s", iface, ebuf);
		return NULL;
	}
	pcap_set_snaplen(p, 262144);
	pcap_set_promisc(p, 0);
	pcap_set_immediate_mode(p, 1);
	pcap_set_timeout(p, 50);
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
	/* 8 MiB by default (tcpdump: 2): a burst on loopback is fast. */
	pcap_set_buffer_size(p, (buffer_kib > 0 ? buffer_kib : 8192) * 1024);
	int r = pcap_activate(p);
	if (r < 0) {
		switch (r) {
		case PCAP_ERROR_PERM_DENIED:
			snprintf(err, errlen,
				 "%s: no permission to capture (%s); run it with sudo, or once: "
				 "sudo setcap cap_net_raw+eip %s",
				 iface, pcap_geterr(p), "$(command -v rstscope)");
			break;
		case PCAP_ERROR_NO_SUCH_DEVICE:
			snprintf(err, errlen, "%s: no such interface (see 'ip link'): %s", iface,
				 pcap_geterr(p));
			break;
		default: snprintf(err, errlen, "%s: %s", iface, pcap_geterr(p)); break;
		}
		pcap_close(p);
		return NULL;
	}
	if (r > 0)
		snprintf(warn, warnlen, "%s: %s", iface, pcap_geterr(p));
	return p;
}

/* Clears every capability of this thread: what setcap granted is no longer
 * needed once the capture is open. */
static int drop_caps(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	memset(data, 0, sizeof data);
	return (int)syscall(SYS_capset, &hdr, data);
}

int capture_drop_privileges(const char *user, char *dropped_to, size_t dlen, char *err,
			    size_t errlen)
{
	uid_t uid;
	gid_t gid;
	const char *name = user;
	if (geteuid() != 0 && getuid() != 0) {
		if (drop_caps() != 0) {
			snprintf(err, errlen, "cannot drop capabilities: %s", strerror(errno));
			return -1;
		}
		return 0;
	}
	if (user) {
		struct passwd *pw = getpwnam(user);
		if (!pw) {
			snprintf(err, errlen, "-Z %s: no such user", user);
			return -1;
		}
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	} else {
		const char *su = getenv("SUDO_UID"), *sg = getenv("SUDO_GID");
		if (!su || !sg || !*su || !*sg)
			return 0; /* plain root, not through sudo: stay, as asked */
		char *end;
		unsigned long u = strtoul(su, &end, 10);
		if (*end) {
			snprintf(err, errlen, "SUDO_UID '%s' is not a number", su);
			return -1;
		}
		unsigned long g = strtoul(sg, &end, 10);
		if (*end) {
			snprintf(err, errlen, "SUDO_GID '%s' is not a number", sg);
			return -1;
		}
		uid = (uid_t)u;
		gid = (gid_t)g;
		name = getenv("SUDO_USER");
	}
	if (uid == 0)
		return 0;
	struct passwd *pw = getpwuid(uid);
	if ((pw && initgroups(pw->pw_name, gid) != 0) || (!pw && setgroups(0, NULL) != 0) ||
	    setgid(gid) != 0 || setuid(uid) != 0) {
		snprintf(err, errlen, "cannot drop privileges to uid %u: %s", (unsigned)uid,
			 strerror(errno));
		return -1;
	}
	if (setuid(0) == 0) {
		snprintf(err, errlen, "dropping privileges failed: root could be regained");
		return -1;
	}
	snprintf(dropped_to, dlen, "%s", name ? name : pw ? pw->pw_name : "the invoking user");
	return 0;
}
