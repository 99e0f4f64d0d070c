/* testutil.h: helpers shared by the cmocka tests (include after cmocka.h). */
#ifndef RSTSCOPE_TESTUTIL_H
#define RSTSCOPE_TESTUTIL_H

#include <stdlib.h>
#include <unistd.h>

/* Everything written to fd so far, NUL-terminated (malloc'd); the file
 * offset is left at its end. */
static inline char *read_fd(int fd)
{
	off_t size = lseek(fd, 0, SEEK_END);
	assert_true(size >= 0);
	char *s = malloc((size_t)size + 1);
	assert_non_null(s);
	assert_int_equal(pread(fd, s, (size_t)size, 0), size);
	s[size] = '\0';
	return s;
}

#endif
