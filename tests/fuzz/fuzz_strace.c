/* fuzz_strace.c: libFuzzer target for the strace reader: the input is a
 * whole strace output file (in a memfd), read to its end with strace_next(). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "strace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz_strace", 0);
	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64], err[512];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	struct strace_log *s = strace_open(path, 0, err, sizeof err);
	if (s) {
		strace_time_hint(s, (int64_t)1700000000 * 1000000000);
		struct call c;
		int r, n = 0;
		while ((r = strace_next(s, &c, err, sizeof err)) != 0 && n++ < 100000) {
			if (r < 0 && !err[0])
				abort(); /* a skipped line always says why */
			if (r > 0 && (c.data_len > CALL_DATA_MAX ||
				      (c.has_ep && c.family != 4 && c.family != 6)))
				abort();
		}
		strace_free(s);
	}
	close(fd);
	return 0;
}
