/* story.c: the demo's plain-words output, one line per write(2). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "demo.h"

static void vline(const char *prefix, const char *fmt, va_list ap)
{
	char line[1024];
	size_t n = 0;
	int r;

	if (prefix) {
		r = snprintf(line, sizeof(line), "%s: ", prefix);
		n = r > 0 ? (size_t)r : 0;
	}
	r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (r > 0)
		n += (size_t)r < sizeof(line) - n ? (size_t)r : sizeof(line) - n - 1;
	if (n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* Never SIGPIPE: stdout may be a pipe whose reader went away, and a
	 * signal from printing would get mixed up with the story's own. */
	slw_write_line(STDOUT_FILENO, line, n);
}

void story(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vline(NULL, fmt, ap);
	va_end(ap);
}

void say(const struct side *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vline(s->who, fmt, ap);
	va_end(ap);
}

const char *quoted(char *out, size_t size, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t n = 0;

	if (size < 3) {
		if (size)
			out[0] = '\0';
		return out;
	}
	out[n++] = '"';
	for (size_t i = 0; i < len; i++) {
		char esc[5];
		size_t k;
		switch (p[i]) {
		case '\n': memcpy(esc, "\\n", k = 2); break;
		case '\r': memcpy(esc, "\\r", k = 2); break;
		case '\t': memcpy(esc, "\\t", k = 2); break;
		case '"': memcpy(esc, "\\\"", k = 2); break;
		case '\\': memcpy(esc, "\\\\", k = 2); break;
		default:
			if (p[i] >= 0x20 && p[i] < 0x7f) {
				esc[0] = (char)p[i], k = 1;
			} else {
				snprintf(esc, sizeof(esc), "\\x%02x", p[i]);
				k = 4;
			}
		}
		if (n + k + 2 > size) { /* room for the closing quote and NUL */
			if (n + 5 <= size) {
				memcpy(out + n, "...", 3);
				n += 3;
			}
			break;
		}
		memcpy(out + n, esc, k);
		n += k;
	}
	out[n++] = '"';
	out[n] = '\0';
	return out;
}

static const char *const mode_names[] = {
	[SIGPIPE_MODE_DEFAULT] = "default",
	[SIGPIPE_MODE_IGNORE] = "ignore",
	[SIGPIPE_MODE_HANDLER] = "handler",
	[SIGPIPE_MODE_NOSIGNAL] = "nosignal",
};

const char *sigpipe_mode_name(enum sigpipe_mode mode)
{
	return (unsigned)mode < 4 ? mode_names[mode] : "?";
}

int sigpipe_mode_parse(const char *name, enum sigpipe_mode *mode)
{
	for (unsigned i = 0; i < 4; i++)
		if (strcmp(name, mode_names[i]) == 0) {
			*mode = (enum sigpipe_mode)i;
			return 0;
		}
	return -1;
}
