/* fuzz_sendlog.c: libFuzzer target for sendlog_parse_line(): one log line,
 * through the fast parser and, when it declines, jansson. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sendlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size ? size : 1);
	if (!line)
		return 0;
	memcpy(line, data, size);
	struct call c;
	char err[256];
	if (sendlog_parse_line(line, size, 1, &c, err, sizeof err) == 0) {
		if (c.data_len > CALL_DATA_MAX || (c.has_ep && c.family != 4 && c.family != 6))
			abort();
	} else if (!err[0]) {
		abort(); /* a rejected line always says why */
	}
	free(line);
	return 0;
}
