/* sendlog.c: the send log reader. Each line is parsed with jansson; a
 * malformed line is reported with its number and skipped, the rest is used. */
#include "sendlog.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const event_names[] = {
	"connect", "accept", "send", "recv", "shutdown", "close", "signal", "exit",
};

const char *sendlog_event_name(enum call_event ev)
{
	return (unsigned)ev < sizeof event_names / sizeof event_names[0] ? event_names[ev] : "?";
}

/* "1763723790.123456789" -> nanoseconds; 1-9 decimals accepted. */
static int parse_ts(const char *s, ts_ns *out)
{
	int64_t sec = 0, ns = 0;
	const char *p = s;
	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9') {
		if (sec > (INT64_MAX / 1000000000 - 10) / 10)
			return -1;
		sec = sec * 10 + (*p++ - '0');
	}
	if (*p == '.') {
		int digits = 0;
		p++;
		while (*p >= '0' && *p <= '9') {
			if (digits < 9) {
				ns = ns * 10 + (*p - '0');
				digits++;
			}
			p++;
		}
		if (digits == 0)
			return -1;
		while (digits++ < 9)
			ns *= 10;
	}
	if (*p)
		return -1;
	*out = sec * 1000000000 + ns;
	return 0;
}

/* "127.0.0.1:40494" or "[::1]:8999". */
static int parse_ep(const char *s, uint8_t *family, uint8_t *addr, uint16_t *port)
{
	char buf[80];
	const char *colon;
	size_t alen;
	const char *a = s;
	int v6 = 0;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':')
			return -1;
		a = s + 1;
		alen = (size_t)(close - a);
		colon = close + 1;
		v6 = 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		alen = (size_t)(colon - s);
	}
	if (alen == 0 || alen >= sizeof buf)
		return -1;
	memcpy(buf, a, alen);
	buf[alen] = '\0';
	char *pct = strchr(buf, '%'); /* a scope id names an interface, not an address */
	if (pct)
		*pct = '\0';
	char *end;
	errno = 0;
	unsigned long p = strtoul(colon + 1, &end, 10);
	if (errno || *end || colon[1] == '\0' || p > 65535)
		return -1;
	memset(addr, 0, 16);
	if (v6) {
		if (inet_pton(AF_INET6, buf, addr) != 1)
			return -1;
		*family = 6;
	} else {
		if (inet_pton(AF_INET, buf, addr) != 1)
			return -1;
		*family = 4;
	}
	*port = (uint16_t)p;
	return 0;
}

static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* An integer field: absent or null leave *out alone and return 0. */
static int get_int(json_t *o, const char *key, int64_t *out, char *err, size_t errlen, int required)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v)) {
		if (required) {
			snprintf(err, errlen, "missing \"%s\"", key);
			return -1;
		}
		return 0;
	}
	if (!json_is_integer(v)) {
		snprintf(err, errlen, "\"%s\" is not an integer", key);
		return -1;
	}
	*out = (int64_t)json_integer_value(v);
	return 0;
}

static const char *get_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

int sendlog_parse_line(const char *line, size_t len, uint64_t lineno, struct call *c,
		       char *err, size_t errlen)
{
	memset(c, 0, sizeof *c);
	c->line = lineno;
	c->fd = -1;
	c->len = -1;
	c->off = -1;
	c->status = -1;
	json_error_t jerr;
	json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	if (!o) {
		snprintf(err, errlen, "not JSON: %s (column %d)", jerr.text, jerr.column);
		return -1;
	}
	int rc = -1;
	if (!json_is_object(o)) {
		snprintf(err, errlen, "not a JSON object");
		goto out;
	}
	const char *ts = get_str(o, "ts");
	if (!ts) {
		snprintf(err, errlen, "missing \"ts\" (a string \"SECONDS.NANOSECONDS\")");
		goto out;
	}
	if (parse_ts(ts, &c->ts) != 0) {
		snprintf(err, errlen, "bad \"ts\" '%s': want \"SECONDS.NANOSECONDS\"", ts);
		goto out;
	}
	const char *ev = get_str(o, "event");
	if (!ev) {
		snprintf(err, errlen, "missing \"event\"");
		goto out;
	}
	size_t i;
	for (i = 0; i < sizeof event_names / sizeof event_names[0]; i++)
		if (!strcmp(ev, event_names[i]))
			break;
	if (i == sizeof event_names / sizeof event_names[0]) {
		snprintf(err, errlen, "unknown event '%s'", ev);
		goto out;
	}
	c->event = (enum call_event)i;
	if (get_int(o, "pid", &c->pid, err, errlen, 1) != 0)
		goto out;
	if (c->event == EV_SIGNAL || c->event == EV_EXIT) {
		const char *s = get_str(o, "sig");
		if (s)
			copy_str(c->sig, sizeof c->sig, s);
		s = get_str(o, "disposition");
		if (s)
			copy_str(c->disposition, sizeof c->disposition, s);
		if (c->event == EV_SIGNAL && !c->sig[0]) {
			snprintf(err, errlen, "signal event without \"sig\"");
			goto out;
		}
		if (get_int(o, "status", &c->status, err, errlen, 0) != 0)
			goto out;
		s = get_str(o, "signal");
		if (s)
			copy_str(c->exit_sig, sizeof c->exit_sig, s);
		rc = 0;
		goto out;
	}
	/* Socket events. */
	if (get_int(o, "fd", &c->fd, err, errlen, 0) != 0 ||
	    get_int(o, "ret", &c->ret, err, errlen, 1) != 0 ||
	    get_int(o, "len", &c->len, err, errlen, 0) != 0 ||
	    get_int(o, "off", &c->off, err, errlen, 0) != 0)
		goto out;
	const char *local = get_str(o, "local"), *peer = get_str(o, "peer");
	if (local && peer) {
		uint8_t f2;
		if (parse_ep(local, &c->family, c->laddr, &c->lport) != 0) {
			snprintf(err, errlen, "bad \"local\" '%s': want \"ADDR:PORT\" or \"[ADDR]:PORT\"", local);
			goto out;
		}
		if (parse_ep(peer, &f2, c->paddr, &c->pport) != 0 || f2 != c->family) {
			snprintf(err, errlen, "bad \"peer\" '%s': want \"ADDR:PORT\" or \"[ADDR]:PORT\"", peer);
			goto out;
		}
		c->has_ep = 1;
	}
	json_t *e = json_object_get(o, "errno");
	if (json_is_string(e))
		copy_str(c->err, sizeof c->err, json_string_value(e));
	else if (e && !json_is_null(e)) {
		snprintf(err, errlen, "\"errno\" must be null or a name like \"EPIPE\"");
		goto out;
	}
	if (c->ret == -1 && !c->err[0]) {
		snprintf(err, errlen, "\"ret\" is -1 but \"errno\" is null");
		goto out;
	}
	const char *fl = get_str(o, "flags");
	if (fl) {
		copy_str(c->flags, sizeof c->flags, fl);
		c->nosignal = strstr(fl, "MSG_NOSIGNAL") != NULL;
	}
	const char *how = get_str(o, "how");
	if (how)
		copy_str(c->how, sizeof c->how, how);
	json_t *d = json_object_get(o, "data");
	if (json_is_string(d)) {
		size_t dl = json_string_length(d);
		if (dl > CALL_DATA_MAX)
			dl = CALL_DATA_MAX;
		memcpy(c->data, json_string_value(d), dl);
		c->data_len = (uint8_t)dl;
		c->has_data = 1;
	}
	if ((c->event == EV_SEND || c->event == EV_RECV) && c->ret >= 0 && c->off < 0) {
		snprintf(err, errlen, "%s without \"off\" (the stream offset)", ev);
		goto out;
	}
	rc = 0;
out:
	json_decref(o);
	return rc;
}

struct sendlog {
	char *path;
	FILE *f;
	int follow;
	uint64_t lineno;
	char *buf;      /* a partial line kept between reads (follow mode) */
	size_t len, cap;
	long pos;       /* bytes consumed, to notice truncation */
	ino_t ino;
};

struct sendlog *sendlog_open(const char *path, int follow, char *err, size_t errlen)
{
	struct sendlog *s = calloc(1, sizeof *s);
	if (!s || !(s->path = strdup(path))) {
		free(s);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->follow = follow;
	s->f = fopen(path, "r");
	if (!s->f && !(follow && errno == ENOENT)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		sendlog_free(s);
		return NULL;
	}
	if (s->f) {
		struct stat st;
		if (fstat(fileno(s->f), &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				snprintf(err, errlen, "%s: is a directory, not a send log", path);
				sendlog_free(s);
				return NULL;
			}
			s->ino = st.st_ino;
		}
	}
	return s;
}

void sendlog_free(struct sendlog *s)
{
	if (!s)
		return;
	if (s->f)
		fclose(s->f);
	free(s->buf);
	free(s->path);
	free(s);
}

const char *sendlog_path(const struct sendlog *s) { return s->path; }

/* Follow mode: reopen when the file appears, is replaced or is truncated. */
static void follow_check(struct sendlog *s)
{
	struct stat st;
	if (stat(s->path, &st) != 0)
		return;
	if (s->f && st.st_ino == s->ino && st.st_size >= s->pos)
		return;
	if (s->f)
		fclose(s->f);
	s->f = fopen(s->path, "r");
	s->ino = st.st_ino;
	s->pos = 0;
	s->len = 0;
	s->lineno = 0;
}

int sendlog_next(struct sendlog *s, struct call *c, char *err, size_t errlen)
{
	for (;;) {
		if (!s->f) {
			if (!s->follow)
				return 0;
			follow_check(s);
			if (!s->f)
				return 0;
		}
		int ch;
		while ((ch = getc_unlocked(s->f)) != EOF) {
			s->pos++;
			if (ch == '\n')
				break;
			if (s->len + 1 >= s->cap) {
				size_t ncap = s->cap ? s->cap * 2 : 512;
				char *nb = realloc(s->buf, ncap);
				if (!nb) {
					snprintf(err, errlen, "%s: out of memory", s->path);
					return -1;
				}
				s->buf = nb;
				s->cap = ncap;
			}
			s->buf[s->len++] = (char)ch;
		}
		if (ch == EOF) {
			clearerr(s->f);
			if (s->follow) {
				/* Keep the partial line; it is finished by a later write. */
				size_t keep = s->len;
				follow_check(s);
				if (s->len != keep || s->pos == 0)
					continue;
				return 0;
			}
			if (s->len == 0)
				return 0;
			/* The last line has no newline: use it all the same. */
		}
		uint64_t lineno = ++s->lineno;
		size_t n = s->len;
		s->len = 0;
		size_t start = 0;
		while (start < n && (s->buf[start] == ' ' || s->buf[start] == '\t' || s->buf[start] == '\r'))
			start++;
		while (n > start && (s->buf[n - 1] == ' ' || s->buf[n - 1] == '\t' || s->buf[n - 1] == '\r'))
			n--;
		if (n == start)
			continue; /* blank lines are allowed */
		char reason[256];
		if (sendlog_parse_line(s->buf + start, n - start, lineno, c, reason, sizeof reason) != 0) {
			snprintf(err, errlen, "%s: line %llu: %s; line skipped", s->path,
				 (unsigned long long)lineno, reason);
			return -1;
		}
		return 1;
	}
}
