/* sendlog.c: the send log reader. A malformed line is reported with its
 * number and skipped, the rest is used. Lines are parsed by a strict fast
 * path, and by jansson whenever that declines one (it decides and explains).
 * Replaying (not following), a second thread reads and parses the log ahead
 * of its consumer, in batches: parsing then costs the packet loop nothing. */
#include "sendlog.h"

#include "handoff.h"
#include "output.h"
#include "rstscope_utf8.h"
#include "strace.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const event_names[] = {
	"connect", "accept", "send", "recv", "shutdown", "close", "signal", "exit",
	"rst_recv", "rst_send", "tcp_state",
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
	unsigned long p = 0;
	const char *d = colon + 1;
	if (*d == '\0')
		return -1;
	for (; *d; d++) {
		if (*d < '0' || *d > '9' || p > 65535)
			return -1;
		p = p * 10 + (unsigned long)(*d - '0');
	}
	if (p > 65535)
		return -1;
	memset(addr, 0, 16);
	if (!v6) {
		/* Dotted quad by hand (inet_pton's rules: four decimal parts, no
		 * leading zeros); anything odd still goes to inet_pton below. */
		const char *q = buf;
		int part;
		for (part = 0; part < 4; part++) {
			unsigned v = 0;
			const char *first = q;
			while (*q >= '0' && *q <= '9' && q - first < 3)
				v = v * 10 + (unsigned)(*q++ - '0');
			if (q == first || v > 255 || (q - first > 1 && *first == '0') ||
			    *q != (part < 3 ? '.' : '\0'))
				break;
			addr[part] = (uint8_t)v;
			q++;
		}
		if (part == 4) {
			*family = 4;
			*port = (uint16_t)p;
			return 0;
		}
	}
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

/* A string field into its buffer in struct call. One that does not fit (or
 * holds a NUL byte, where a C string would end) is cut and marked: it ends
 * in "..." (DESIGN.md), never in half a UTF-8 character. */
static void copy_str(char *dst, size_t size, const char *src, size_t srclen)
{
	size_t n = strlen(src);
	if (n >= size || n < srclen) {
		if (n > size - 4)
			n = size - 4;
		while (n > 0 && ((uint8_t)src[n] & 0xc0) == 0x80)
			n--; /* src[n] continues a character: cut before it starts */
		memcpy(dst, src, n);
		memcpy(dst + n, "...", 4);
		return;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* A value as messages show it: escaped, at most 48 bytes of it. */
#define ESC_SIZE (48 * 4 + 4)
static const char *esc(char *buf, const char *s)
{
	return text_escape_str(buf, ESC_SIZE, s, strlen(s), 48);
}

/* The fields rstscope reads, as found on one line, by either parser. */
enum field_id {
	F_TS,
	F_PID,
	F_EVENT,
	F_FD,
	F_LOCAL,
	F_PEER,
	F_LEN,
	F_RET,
	F_ERRNO,
	F_OFF,
	F_FLAGS,
	F_DATA,
	F_SIG,
	F_DISP,
	F_HOW,
	F_STATUS,
	F_SIGNAL,
	F_COMM,
	F_TID,
	F_SYSCALL,
	F_SEQ,
	F_STATE,
	F_STATE_AFTER,
	F_SK_ERR,
	F_TS_ENTER,
	NFIELDS
};
static const char *const field_names[NFIELDS] = {
	"ts",  "pid",	"event", "fd",	"local",       "peer", "len",	 "ret",	   "errno",
	"off", "flags", "data",	 "sig", "disposition", "how",  "status", "signal",
	"comm", "tid", "syscall", "seq", "state", "state_after", "sk_err", "ts_enter",
};
enum fkind { FV_ABSENT = 0, FV_NULL, FV_INT, FV_STR, FV_OTHER };
struct fval {
	uint8_t kind; /* enum fkind */
	int64_t i;
	const char *s; /* FV_STR: decoded bytes (may hold NULs), slen of them */
	size_t slen;
};
struct fields {
	struct fval f[NFIELDS]; /* only .kind is set for an absent field */
};

static void fields_clear(struct fields *fs)
{
	for (int i = 0; i < NFIELDS; i++)
		fs->f[i].kind = FV_ABSENT;
}

static int field_lookup(const char *key, size_t n)
{
#define IS(id) (!memcmp(key, field_names[id], n) ? (id) : -1)
	switch (n) {
	case 2: return key[0] == 't' ? IS(F_TS) : IS(F_FD);
	case 3:
		switch (key[0]) {
		case 'p': return IS(F_PID);
		case 'l': return IS(F_LEN);
		case 'r': return IS(F_RET);
		case 'o': return IS(F_OFF);
		case 's': return key[1] == 'i' ? IS(F_SIG) : IS(F_SEQ);
		case 'h': return IS(F_HOW);
		case 't': return IS(F_TID);
		}
		return -1;
	case 4:
		switch (key[0]) {
		case 'p': return IS(F_PEER);
		case 'd': return IS(F_DATA);
		case 'c': return IS(F_COMM);
		}
		return -1;
	case 5:
		switch (key[0]) {
		case 'e': return key[1] == 'v' ? IS(F_EVENT) : IS(F_ERRNO);
		case 'l': return IS(F_LOCAL);
		case 'f': return IS(F_FLAGS);
		case 's': return IS(F_STATE);
		}
		return -1;
	case 6:
		switch (key[1]) {
		case 't': return IS(F_STATUS);
		case 'i': return IS(F_SIGNAL);
		case 'k': return IS(F_SK_ERR);
		}
		return -1;
	case 7: return IS(F_SYSCALL);
	case 8: return IS(F_TS_ENTER);
	case 11: return key[0] == 'd' ? IS(F_DISP) : IS(F_STATE_AFTER);
	}
	return -1;
#undef IS
}

/* An integer field: absent or null leave *out alone and return 0. */
static int get_int(const struct fields *fs, int id, int64_t *out, char *err, size_t errlen,
		   int required)
{
	const struct fval *v = &fs->f[id];
	if (v->kind == FV_ABSENT || v->kind == FV_NULL) {
		if (required) {
			snprintf(err, errlen, "missing \"%s\"", field_names[id]);
			return -1;
		}
		return 0;
	}
	if (v->kind != FV_INT) {
		snprintf(err, errlen, "\"%s\" is not an integer", field_names[id]);
		return -1;
	}
	*out = v->i;
	return 0;
}

/* A string field as a C string (up to its first NUL), or NULL. */
static const char *get_str(const struct fields *fs, int id)
{
	const struct fval *v = &fs->f[id];
	return v->kind == FV_STR ? v->s : NULL;
}

/* The optional fields of the kernel recorder and strace (DESIGN.md). */
static int fill_optional(const struct fields *fs, struct call *c, char *err, size_t errlen)
{
	if (get_int(fs, F_TID, &c->tid, err, errlen, 0) != 0)
		return -1;
	int64_t seq = -1;
	if (get_int(fs, F_SEQ, &seq, err, errlen, 0) != 0)
		return -1;
	if (fs->f[F_SEQ].kind == FV_INT) {
		if (seq < 0 || seq > UINT32_MAX) {
			snprintf(err, errlen, "\"seq\" %lld is not a TCP sequence number",
				 (long long)seq);
			return -1;
		}
		c->seq = (uint32_t)seq;
		c->has_seq = 1;
	}
	const char *v = get_str(fs, F_TS_ENTER);
	if (v && parse_ts(v, &c->ts_enter) != 0) {
		snprintf(err, errlen, "bad \"ts_enter\": want \"SECONDS.NANOSECONDS\"");
		return -1;
	}
	static const struct {
		int id;
		size_t off, size;
	} strs[] = {
		{ F_COMM, offsetof(struct call, comm), sizeof(((struct call *)0)->comm) },
		{ F_SYSCALL, offsetof(struct call, syscall), sizeof(((struct call *)0)->syscall) },
		{ F_STATE, offsetof(struct call, state), sizeof(((struct call *)0)->state) },
		{ F_STATE_AFTER, offsetof(struct call, state_after),
		  sizeof(((struct call *)0)->state_after) },
		{ F_SK_ERR, offsetof(struct call, sk_err), sizeof(((struct call *)0)->sk_err) },
	};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
		v = get_str(fs, strs[i].id);
		if (v)
			copy_str((char *)c + strs[i].off, strs[i].size, v, fs->f[strs[i].id].slen);
	}
	return 0;
}

/* Validates the fields and fills *c: the one place that knows the format. */
static int fill_call(const struct fields *fs, struct call *c, char *err, size_t errlen)
{
	const char *ts = get_str(fs, F_TS);
	if (!ts) {
		snprintf(err, errlen, "missing \"ts\" (a string \"SECONDS.NANOSECONDS\")");
		return -1;
	}
	if (parse_ts(ts, &c->ts) != 0) {
		char e[ESC_SIZE];
		snprintf(err, errlen, "bad \"ts\" '%s': want \"SECONDS.NANOSECONDS\"", esc(e, ts));
		return -1;
	}
	const char *ev = get_str(fs, F_EVENT);
	if (!ev) {
		snprintf(err, errlen, "missing \"event\"");
		return -1;
	}
	size_t i;
	for (i = 0; i < sizeof event_names / sizeof event_names[0]; i++)
		if (!strcmp(ev, event_names[i]))
			break;
	if (i == sizeof event_names / sizeof event_names[0]) {
		char e[ESC_SIZE];
		snprintf(err, errlen, "unknown event '%s'", esc(e, ev));
		return -1;
	}
	c->event = (enum call_event)i;
	if (get_int(fs, F_PID, &c->pid, err, errlen, !EV_IS_KERNEL(c->event)) != 0)
		return -1;
	if (fill_optional(fs, c, err, errlen) != 0)
		return -1;
	if (c->event == EV_SIGNAL || c->event == EV_EXIT) {
		const char *v = get_str(fs, F_SIG);
		if (v)
			copy_str(c->sig, sizeof c->sig, v, fs->f[F_SIG].slen);
		v = get_str(fs, F_DISP);
		if (v)
			copy_str(c->disposition, sizeof c->disposition, v, fs->f[F_DISP].slen);
		if (c->event == EV_SIGNAL && !c->sig[0]) {
			snprintf(err, errlen, "signal event without \"sig\"");
			return -1;
		}
		if (get_int(fs, F_STATUS, &c->status, err, errlen, 0) != 0)
			return -1;
		v = get_str(fs, F_SIGNAL);
		if (v)
			copy_str(c->exit_sig, sizeof c->exit_sig, v, fs->f[F_SIGNAL].slen);
		return 0;
	}
	/* Socket events. */
	if (get_int(fs, F_FD, &c->fd, err, errlen, 0) != 0 ||
	    get_int(fs, F_RET, &c->ret, err, errlen, !EV_IS_KERNEL(c->event)) != 0 ||
	    get_int(fs, F_LEN, &c->len, err, errlen, 0) != 0 ||
	    get_int(fs, F_OFF, &c->off, err, errlen, 0) != 0)
		return -1;
	const char *local = get_str(fs, F_LOCAL), *peer = get_str(fs, F_PEER);
	if (local && peer) {
		uint8_t f2;
		char e[ESC_SIZE];
		if (parse_ep(local, &c->family, c->laddr, &c->lport) != 0) {
			snprintf(err, errlen,
				 "bad \"local\" '%s': want \"ADDR:PORT\" or \"[ADDR]:PORT\"",
				 esc(e, local));
			return -1;
		}
		if (parse_ep(peer, &f2, c->paddr, &c->pport) != 0 || f2 != c->family) {
			snprintf(err, errlen,
				 "bad \"peer\" '%s': want \"ADDR:PORT\" or \"[ADDR]:PORT\"",
				 esc(e, peer));
			return -1;
		}
		c->has_ep = 1;
		c->hash = flow_tuple_hash(c->family, c->laddr, c->lport, c->paddr, c->pport);
	}
	const struct fval *e = &fs->f[F_ERRNO];
	if (e->kind == FV_STR)
		copy_str(c->err, sizeof c->err, e->s, e->slen);
	else if (e->kind != FV_ABSENT && e->kind != FV_NULL) {
		snprintf(err, errlen, "\"errno\" must be null or a name like \"EPIPE\"");
		return -1;
	}
	if (c->ret == -1 && !c->err[0]) {
		snprintf(err, errlen, "\"ret\" is -1 but \"errno\" is null");
		return -1;
	}
	const char *fl = get_str(fs, F_FLAGS);
	if (fl) {
		copy_str(c->flags, sizeof c->flags, fl, fs->f[F_FLAGS].slen);
		c->nosignal = strstr(fl, "MSG_NOSIGNAL") != NULL;
	}
	const char *how = get_str(fs, F_HOW);
	if (how)
		copy_str(c->how, sizeof c->how, how, fs->f[F_HOW].slen);
	const struct fval *d = &fs->f[F_DATA];
	if (d->kind == FV_STR) {
		size_t dl = d->slen > CALL_DATA_MAX ? CALL_DATA_MAX : d->slen;
		memcpy(c->data, d->s, dl);
		c->data_len = (uint8_t)dl;
		c->has_data = 1;
	}
	if ((c->event == EV_SEND || c->event == EV_RECV) && c->ret >= 0 && c->off < 0 &&
	    !c->has_seq) {
		snprintf(err, errlen, "%s without \"off\" (the stream offset) or \"seq\"", ev);
		return -1;
	}
	return 0;
}

/* ---- the fast path: a strict parser for one flat JSON object ------------
 *
 * A send log can have millions of lines, and building a jansson tree for
 * each one cost more than everything else rstscope does per packet (see
 * README, Performance). This parser checks the whole JSON grammar but keeps
 * only the fields rstscope reads; strings are decoded with \u00XX read back
 * as the byte it stands for (the writer escapes each byte that is not UTF-8
 * that way) and raw UTF-8 kept. Anything it declines (a malformed line, a
 * duplicate field, a real where an integer belongs, a string longer than its
 * buffer) goes to jansson, which decides and explains. */

struct fast {
	const char *p, *end;
	char *out; /* decoded strings */
	size_t used, cap;
};

static void skip_ws(struct fast *x)
{
	while (x->p < x->end && (*x->p == ' ' || *x->p == '\t' || *x->p == '\n' || *x->p == '\r'))
		x->p++;
}

static int hex4(const char *p, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char ch = p[i];
		unsigned d = ch >= '0' && ch <= '9'   ? (unsigned)(ch - '0')
			     : ch >= 'a' && ch <= 'f' ? (unsigned)(ch - 'a' + 10)
			     : ch >= 'A' && ch <= 'F' ? (unsigned)(ch - 'A' + 10)
						      : 16u;
		if (d > 15)
			return -1;
		*v = *v << 4 | d;
	}
	return 0;
}

/* Bytes that stand for themselves inside a JSON string. */
static const uint8_t plain_json[256] = {
	[' '] = 1,
	['!'] = 1,
	['#' ... '['] = 1,
	[']' ... '~'] = 1,
};

/* Appends decoded bytes, keeping at most `keep` of this string; the rest is
 * checked and dropped. Returns -1 when the buffer cannot hold what must be
 * kept. */
static int put(struct fast *x, size_t start, size_t keep, const void *b, size_t n)
{
	size_t have = x->used - start;
	if (have >= keep)
		return 0;
	if (n > keep - have)
		n = keep - have;
	if (x->used + n + 1 > x->cap)
		return -1;
	memcpy(x->out + x->used, b, n);
	x->used += n;
	return 0;
}

/* A string at x->p (on its opening quote), decoded into x->out: all of it,
 * or its first `keep` bytes when keep is not SIZE_MAX. */
static int fast_string(struct fast *x, const char **s, size_t *n, size_t keep)
{
	x->p++;
	size_t start = x->used;
	while (x->p < x->end) {
		/* Plain ASCII runs at once. */
		const char *q = x->p;
		while (q < x->end && plain_json[(unsigned char)*q])
			q++;
		if (q > x->p) {
			if (put(x, start, keep, x->p, (size_t)(q - x->p)) != 0)
				return -1;
			x->p = q;
			if (q >= x->end)
				break;
		}
		unsigned char ch = (unsigned char)*x->p++;
		if (ch == '"') {
			if (x->used + 1 > x->cap)
				return -1;
			x->out[x->used++] = '\0';
			*s = x->out + start;
			*n = x->used - 1 - start;
			return 0;
		}
		if (ch < 0x20)
			return -1;
		char u8[4];
		size_t un = 0;
		if (ch >= 0x80) {
			/* Raw UTF-8 is kept as it is, once checked well-formed. */
			size_t k = utf8_seq_len((const unsigned char *)x->p - 1,
						(size_t)(x->end - x->p + 1));
			if (!k || put(x, start, keep, x->p - 1, k) != 0)
				return -1;
			x->p += k - 1;
			continue;
		}
		if (ch != '\\') {
			u8[un++] = (char)ch;
		} else {
			if (x->p >= x->end)
				return -1;
			char e = *x->p++;
			switch (e) {
			case '"':
			case '\\':
			case '/': u8[un++] = e; break;
			case 'b': u8[un++] = '\b'; break;
			case 'f': u8[un++] = '\f'; break;
			case 'n': u8[un++] = '\n'; break;
			case 'r': u8[un++] = '\r'; break;
			case 't': u8[un++] = '\t'; break;
			case 'u': {
				unsigned u;
				if (x->end - x->p < 4 || hex4(x->p, &u) != 0)
					return -1;
				x->p += 4;
				if (u >= 0xdc00 && u <= 0xdfff)
					return -1; /* a lone low surrogate */
				if (u < 0x100) {
					/* The writer escapes each byte that is not UTF-8
					 * as \u00XX: read it back as that byte. */
					u8[un++] = (char)u;
				} else if (u < 0x800) {
					u8[un++] = (char)(0xc0 | u >> 6);
					u8[un++] = (char)(0x80 | (u & 0x3f));
				} else if (u >= 0xd800 && u <= 0xdbff) {
					unsigned lo;
					if (x->end - x->p < 6 || x->p[0] != '\\' ||
					    x->p[1] != 'u' || hex4(x->p + 2, &lo) != 0 ||
					    lo < 0xdc00 || lo > 0xdfff)
						return -1;
					x->p += 6;
					unsigned cp =
						0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
					u8[un++] = (char)(0xf0 | cp >> 18);
					u8[un++] = (char)(0x80 | (cp >> 12 & 0x3f));
					u8[un++] = (char)(0x80 | (cp >> 6 & 0x3f));
					u8[un++] = (char)(0x80 | (cp & 0x3f));
				} else {
					u8[un++] = (char)(0xe0 | u >> 12);
					u8[un++] = (char)(0x80 | (u >> 6 & 0x3f));
					u8[un++] = (char)(0x80 | (u & 0x3f));
				}
				break;
			}
			default: return -1;
			}
		}
		if (put(x, start, keep, u8, un) != 0)
			return -1;
	}
	return -1;
}

/* The fraction and exponent of a number, already past its integer part. */
static int skip_fraction(struct fast *x)
{
	if (x->p < x->end && *x->p == '.') {
		x->p++;
		if (x->p >= x->end || *x->p < '0' || *x->p > '9')
			return -1;
		while (x->p < x->end && *x->p >= '0' && *x->p <= '9')
			x->p++;
	}
	if (x->p < x->end && (*x->p == 'e' || *x->p == 'E')) {
		x->p++;
		if (x->p < x->end && (*x->p == '+' || *x->p == '-'))
			x->p++;
		if (x->p >= x->end || *x->p < '0' || *x->p > '9')
			return -1;
		while (x->p < x->end && *x->p >= '0' && *x->p <= '9')
			x->p++;
	}
	return 0;
}

#define NEST_MAX 2048 /* as deep as jansson goes */

/* An object or array of a field rstscope does not read: checked and
 * skipped, iteratively, nothing of it kept. */
static int skip_nested(struct fast *x)
{
	uint8_t is_obj[NEST_MAX / 8];
	int depth = 0;
	const char *str;
	size_t n;
	memset(is_obj, 0, sizeof is_obj);
#define SET_OBJ(d, v)                                                                              \
	(v ? (is_obj[(d) / 8] |= (uint8_t)(1u << ((d) % 8)))                                       \
	   : (is_obj[(d) / 8] &= (uint8_t) ~(1u << ((d) % 8))))
#define OBJ(d) (is_obj[(d) / 8] >> ((d) % 8) & 1)
	/* Opening the outermost container. */
	SET_OBJ(0, *x->p == '{');
	x->p++;
	skip_ws(x);
	if (x->p < x->end && *x->p == (OBJ(0) ? '}' : ']')) {
		x->p++;
		return 0;
	}
	for (;;) {
		/* A member (or element) of the container at depth. */
		skip_ws(x);
		if (x->p >= x->end)
			return -1;
		if (OBJ(depth)) {
			if (*x->p != '"' || fast_string(x, &str, &n, 0) != 0)
				return -1;
			x->used -= n + 1;
			skip_ws(x);
			if (x->p >= x->end || *x->p++ != ':')
				return -1;
			skip_ws(x);
			if (x->p >= x->end)
				return -1;
		}
		char ch = *x->p;
		if (ch == '{' || ch == '[') {
			if (++depth >= NEST_MAX)
				return -1;
			SET_OBJ(depth, ch == '{');
			x->p++;
			skip_ws(x);
			if (x->p < x->end && *x->p == (ch == '{' ? '}' : ']')) {
				x->p++;
				depth--;
			} else {
				continue;
			}
		} else if (ch == '"') {
			if (fast_string(x, &str, &n, 0) != 0)
				return -1;
			x->used -= n + 1;
		} else if (ch == '-' || (ch >= '0' && ch <= '9')) {
			if (ch == '-')
				x->p++;
			if (x->p >= x->end || *x->p < '0' || *x->p > '9')
				return -1;
			while (x->p < x->end && *x->p >= '0' && *x->p <= '9')
				x->p++;
			if (skip_fraction(x) != 0)
				return -1;
		} else if (x->end - x->p >= 4 &&
			   (!memcmp(x->p, "null", 4) || !memcmp(x->p, "true", 4))) {
			x->p += 4;
		} else if (x->end - x->p >= 5 && !memcmp(x->p, "false", 5)) {
			x->p += 5;
		} else {
			return -1;
		}
		/* After a value: more members, or the ends of containers. */
		for (;;) {
			skip_ws(x);
			if (x->p >= x->end)
				return -1;
			if (*x->p == ',') {
				x->p++;
				break;
			}
			if (*x->p++ != (OBJ(depth) ? '}' : ']'))
				return -1;
			if (depth-- == 0)
				return 0;
		}
	}
#undef SET_OBJ
#undef OBJ
}

static int fast_parse(const char *line, size_t len, struct fields *fs, char *scratch, size_t cap)
{
	struct fast x = { line, line + len, scratch, 0, cap };
	fields_clear(fs);
	skip_ws(&x);
	if (x.p >= x.end || *x.p != '{')
		return -1;
	x.p++;
	skip_ws(&x);
	if (x.p < x.end && *x.p == '}') {
		x.p++;
		goto done;
	}
	for (;;) {
		const char *key;
		size_t klen;
		skip_ws(&x);
		if (x.p >= x.end || *x.p != '"' || fast_string(&x, &key, &klen, 64) != 0)
			return -1;
		skip_ws(&x);
		if (x.p >= x.end || *x.p++ != ':')
			return -1;
		skip_ws(&x);
		if (x.p >= x.end)
			return -1;
		int id = field_lookup(key, klen);
		struct fval v = { FV_OTHER, 0, NULL, 0 };
		char ch = *x.p;
		if (ch == '"') {
			/* All of a field we read (data: what is shown of it);
			 * nothing of one we do not. */
			size_t keep = id < 0 ? 0 : id == F_DATA ? CALL_DATA_MAX : SIZE_MAX;
			if (fast_string(&x, &v.s, &v.slen, keep) != 0)
				return -1;
			v.kind = FV_STR;
		} else if (ch == '-' || (ch >= '0' && ch <= '9')) {
			int neg = ch == '-';
			if (neg)
				x.p++;
			if (x.p >= x.end || *x.p < '0' || *x.p > '9' ||
			    (*x.p == '0' && x.p + 1 < x.end && x.p[1] >= '0' && x.p[1] <= '9'))
				return -1;
			uint64_t u = 0;
			while (x.p < x.end && *x.p >= '0' && *x.p <= '9') {
				if (u > (UINT64_MAX - 9) / 10)
					return -1;
				u = u * 10 + (uint64_t)(*x.p++ - '0');
			}
			if (x.p < x.end && (*x.p == '.' || *x.p == 'e' || *x.p == 'E')) {
				if (id >= 0)
					return -1; /* a real where an integer belongs: jansson
						      explains */
				if (skip_fraction(&x) != 0)
					return -1;
				u = 0;
			}
			if (u > (uint64_t)INT64_MAX + (uint64_t)neg)
				return -1;
			v.kind = FV_INT;
			v.i = neg ? (int64_t)(0 - u) : (int64_t)u;
		} else if (id < 0 && (ch == '{' || ch == '[')) {
			if (skip_nested(&x) != 0)
				return -1;
		} else if (x.end - x.p >= 4 && !memcmp(x.p, "null", 4)) {
			x.p += 4;
			v.kind = FV_NULL;
		} else if (x.end - x.p >= 4 && !memcmp(x.p, "true", 4)) {
			x.p += 4;
		} else if (x.end - x.p >= 5 && !memcmp(x.p, "false", 5)) {
			x.p += 5;
		} else {
			return -1; /* nested or invalid: jansson decides */
		}
		if (id >= 0) {
			if (fs->f[id].kind != FV_ABSENT)
				return -1; /* duplicate key */
			fs->f[id] = v;
		}
		skip_ws(&x);
		if (x.p >= x.end)
			return -1;
		if (*x.p == ',') {
			x.p++;
			continue;
		}
		if (*x.p++ != '}')
			return -1;
		break;
	}
done:
	skip_ws(&x);
	return x.p == x.end ? 0 : -1;
}

/* jansson: the reference for everything the fast path declines. */
static int slow_parse(const char *line, size_t len, struct call *c, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	if (!o) {
		char e[JSON_ERROR_TEXT_LENGTH * 4];
		/* jansson's text quotes the input near the error: escaped too. */
		snprintf(err, errlen, "not JSON: %s (column %d)",
			 text_escape_str(e, sizeof e, jerr.text, strlen(jerr.text), sizeof e / 4 - 1),
			 jerr.column);
		return -1;
	}
	int rc = -1;
	if (!json_is_object(o)) {
		snprintf(err, errlen, "not a JSON object");
		goto out;
	}
	struct fields fs;
	fields_clear(&fs);
	for (int i = 0; i < NFIELDS; i++) {
		json_t *v = json_object_get(o, field_names[i]);
		struct fval *f = &fs.f[i];
		if (!v)
			f->kind = FV_ABSENT;
		else if (json_is_null(v))
			f->kind = FV_NULL;
		else if (json_is_integer(v))
			f->kind = FV_INT, f->i = (int64_t)json_integer_value(v);
		else if (json_is_string(v))
			f->kind = FV_STR, f->s = json_string_value(v),
			f->slen = json_string_length(v);
		else
			f->kind = FV_OTHER;
	}
	rc = fill_call(&fs, c, err, errlen);
out:
	json_decref(o);
	return rc;
}

static void call_init(struct call *c, uint64_t lineno)
{
	/* The scalar head only: the string fields are set or emptied below. */
	memset(c, 0, offsetof(struct call, flags));
	c->flags[0] = c->sig[0] = c->disposition[0] = c->how[0] = c->exit_sig[0] = '\0';
	c->data_len = c->has_data = 0;
	c->tid = -1;
	c->has_seq = 0;
	c->seq = 0;
	c->ts_enter = 0;
	c->comm[0] = c->syscall[0] = c->state[0] = c->state_after[0] = c->sk_err[0] = '\0';
	c->line = lineno;
	c->fd = -1;
	c->len = -1;
	c->off = -1;
	c->status = -1;
}

int sendlog_parse_line(const char *line, size_t len, uint64_t lineno, struct call *c, char *err,
		       size_t errlen)
{
	struct fields fs;
	char scratch[8192];
	call_init(c, lineno);
	if (fast_parse(line, len, &fs, scratch, sizeof scratch) == 0) {
		char ferr[256];
		if (fill_call(&fs, c, ferr, sizeof ferr) == 0)
			return 0;
		call_init(c, lineno);
	}
	return slow_parse(line, len, c, err, errlen);
}

/* Parsed lines travel from the reader thread in batches. */
#define BATCH_LINES 1024
#define BATCHES	    8 /* in flight: parsed ahead, or being consumed */
struct item {
	int rc;	   /* sendlog_next()'s */
	char *err; /* rc not 1: the report (malloc'd) */
	struct call c;
};
struct batch {
	int n;	 /* items */
	int end; /* the log ended after these */
	struct item it[BATCH_LINES];
};

struct sendlog {
	/* The reader thread (replay only); the consumer is on cur. */
	int threaded; /* 0 not yet started, 1 the thread reads, -1 inline: asked, the
			 thread could not start, or it has finished */
	pthread_t thread;
	struct handoff *ring;
	struct batch *cur;
	int cur_i;
	/* From here on, the reading thread's (written on every line): in
	 * their own cache lines (the struct is 64-aligned), or the consumer's
	 * cur_i and the reader's offsets would bounce between the CPUs. */
	_Alignas(64) char *path;
	int fd; /* -1 until the file exists (follow mode) */
	int follow;
	uint64_t lineno;
	char *buf; /* read in large blocks; lines are found with memchr */
	size_t start, end, cap;
	off_t pos; /* bytes read, to notice truncation */
	ino_t ino;
	/* Why next_line() gave no line (LS_*), and an over-long line being
	 * skipped: its bytes so far (none of them kept). */
	int line_status;
	int skipping;
	uint64_t skipped;
	/* Following: what is wrong with the file, said once (notice, for the
	 * next sendlog_next()), and since when it has been awaited. */
	char notice[512];
	struct timespec opened_at;
	int ever_opened, said_missing, trouble; /* trouble: the errno last said */
	struct strace_log *st; /* not a send log but strace output: read by strace.c */
	int feed;	       /* no file: lines are handed in by sendlog_feed() */
};

enum { LS_NONE = 0, LS_TOO_LONG, LS_NOMEM };
#define FEED_MAX ((size_t)64 << 20) /* lines handed in and not yet read */

/* A reader with its name and its line buffer, nothing opened yet. */
static struct sendlog *sendlog_alloc(const char *path, char *err, size_t errlen)
{
	struct sendlog *s = aligned_alloc(_Alignof(struct sendlog), sizeof *s);
	if (s)
		memset(s, 0, sizeof *s);
	if (!s || !(s->path = strdup(path)) || !(s->buf = malloc(1 << 16))) {
		if (s)
			free(s->path);
		free(s);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->cap = 1 << 16;
	return s;
}

struct sendlog *sendlog_open(const char *path, int follow, char *err, size_t errlen)
{
	struct sendlog *s = sendlog_alloc(path, err, errlen);
	if (!s)
		return NULL;
	s->follow = follow;
	clock_gettime(CLOCK_MONOTONIC, &s->opened_at);
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	s->ever_opened = s->fd >= 0;
	if (s->fd < 0 && !(follow && errno == ENOENT)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		sendlog_free(s);
		return NULL;
	}
	if (s->fd >= 0) {
		struct stat st;
		if (fstat(s->fd, &st) == 0) {
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

struct sendlog *sendlog_open_feed(const char *name, char *err, size_t errlen)
{
	struct sendlog *s = sendlog_alloc(name, err, errlen);
	if (!s)
		return NULL;
	s->follow = s->feed = s->ever_opened = 1;
	s->fd = -1;
	s->threaded = -1;
	return s;
}

int sendlog_feed(struct sendlog *s, const char *p, size_t n)
{
	if (s->start > 0) {
		memmove(s->buf, s->buf + s->start, s->end - s->start);
		s->end -= s->start;
		s->start = 0;
	}
	while (s->cap - s->end < n) {
		/* The consumer drains the lines every tick; past a bound, the
		 * lines are dropped (and the caller told), not the memory. */
		if (s->cap >= FEED_MAX)
			return -1;
		char *nb = realloc(s->buf, s->cap * 2);
		if (!nb)
			return -1;
		s->buf = nb;
		s->cap *= 2;
	}
	memcpy(s->buf + s->end, p, n);
	s->end += n;
	return 0;
}

/* strace output given as the log: the same calls, from strace.c. */
struct sendlog *sendlog_open_format(const char *path, int follow, enum log_format format,
				    char *err, size_t errlen)
{
	enum strace_kind kind = format == LOG_FORMAT_STRACE    ? STRACE_KIND_STRACE
				: format == LOG_FORMAT_SENDLOG ? STRACE_KIND_SENDLOG
							       : strace_sniff(path);
	if (kind == STRACE_KIND_SENDLOG)
		return sendlog_open(path, follow, err, errlen);
	if (kind == STRACE_KIND_NEITHER) {
		snprintf(err, errlen,
			 "%s: neither a send log (JSON Lines: its first line would start with '{') "
			 "nor strace output (a line such as '1234 1763723790.123456 write(3, ...) = "
			 "5'); --log-format says which it is",
			 path);
		return NULL;
	}
	return sendlog_open_paths(&path, 1, follow, LOG_FORMAT_STRACE, err, errlen);
}

struct sendlog *sendlog_open_paths(const char *const *paths, size_t n, int follow,
				   enum log_format format, char *err, size_t errlen)
{
	if (n == 1 && format != LOG_FORMAT_STRACE)
		return sendlog_open_format(paths[0], follow, format, err, errlen);
	for (size_t i = 0; i < n && format != LOG_FORMAT_STRACE; i++)
		if (format == LOG_FORMAT_SENDLOG || strace_sniff(paths[i]) != STRACE_KIND_STRACE) {
			snprintf(err, errlen,
				 "%s: several -l files are read as strace output (merged by time), "
				 "and this is not strace output",
				 paths[i]);
			return NULL;
		}
	struct sendlog *s = aligned_alloc(_Alignof(struct sendlog), sizeof *s);
	if (s)
		memset(s, 0, sizeof *s);
	if (!s || !(s->path = strdup(paths[0]))) {
		free(s);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->fd = -1;
	s->threaded = -1; /* strace.c reads in the caller's thread */
	if (!(s->st = strace_open_paths(paths, n, follow, err, errlen))) {
		sendlog_free(s);
		return NULL;
	}
	return s;
}

void sendlog_time_hint(struct sendlog *s, ts_ns t)
{
	if (s->st)
		strace_time_hint(s->st, t);
}

const char *sendlog_notice(const struct sendlog *s) { return s->st ? strace_notice(s->st) : ""; }

static void reader_stop(struct sendlog *s);

void sendlog_free(struct sendlog *s)
{
	if (!s)
		return;
	reader_stop(s);
	strace_free(s->st);
	if (s->fd >= 0)
		close(s->fd);
	free(s->buf);
	free(s->path);
	free(s);
}

const char *sendlog_path(const struct sendlog *s) { return s->path; }

/* Something to say about the followed file, at the next sendlog_next(). */
static void follow_notice(struct sendlog *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void follow_notice(struct sendlog *s, const char *fmt, ...)
{
	size_t n = strlen(s->notice);
	if (n + 3 >= sizeof s->notice)
		return;
	if (n) {
		memcpy(s->notice + n, "; ", 3);
		n += 2;
	} else {
		n = (size_t)snprintf(s->notice, sizeof s->notice, "%s: ", s->path);
		if (n >= sizeof s->notice)
			return;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->notice + n, sizeof s->notice - n, fmt, ap);
	va_end(ap);
}

/* The followed file could not be opened (errno e): a log that has not
 * appeared after SENDLOG_WAIT_NS is said once, any other error once. */
static void follow_trouble(struct sendlog *s, int e)
{
	if (e == ENOENT) {
		if (s->ever_opened || s->said_missing)
			return;
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		int64_t waited = (int64_t)(now.tv_sec - s->opened_at.tv_sec) * 1000000000 +
				 (now.tv_nsec - s->opened_at.tv_nsec);
		if (waited < SENDLOG_WAIT_NS)
			return;
		s->said_missing = 1;
		follow_notice(s, "not there yet after %d s; still waiting for it",
			      (int)(SENDLOG_WAIT_NS / 1000000000));
		return;
	}
	if (s->trouble == e)
		return;
	s->trouble = e;
	follow_notice(s, "cannot open it as uid %ld: %s; still trying", (long)geteuid(),
		      strerror(e));
}

/* Follow mode: reopen when the file appears, is replaced or is truncated.
 * Returns 1 when it started over. */
static int follow_check(struct sendlog *s)
{
	struct stat st;
	if (stat(s->path, &st) != 0) {
		if (s->fd < 0)
			follow_trouble(s, errno);
		return 0;
	}
	if (s->fd >= 0 && st.st_ino == s->ino && st.st_size >= s->pos)
		return 0;
	if (s->pos > 0 || s->lineno > 0)
		follow_notice(s,
			      "%s from the start: reading it again, its line numbers start "
			      "over at 1",
			      st.st_ino != s->ino ? "replaced" : "truncated and rewritten");
	if (s->fd >= 0)
		close(s->fd);
	s->fd = open(s->path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0) {
		follow_trouble(s, errno);
	} else {
		s->ever_opened = 1;
		s->trouble = 0;
	}
	s->ino = st.st_ino;
	s->pos = 0;
	s->start = s->end = 0;
	s->skipping = 0;
	s->lineno = 0;
	return 1;
}

/* The next complete line, without its newline; NULL when there is none now,
 * or (s->line_status) when a line longer than SENDLOG_LINE_MAX was skipped
 * (s->skipped its length) or there was no memory to read on. */
static char *next_line(struct sendlog *s, size_t *len)
{
	s->line_status = LS_NONE;
	for (;;) {
		char *nl = s->start < s->end ? memchr(s->buf + s->start, '\n', s->end - s->start)
					     : NULL;
		if (nl) {
			char *line = s->buf + s->start;
			*len = (size_t)(nl - line);
			s->start = (size_t)(nl - s->buf) + 1;
			if (s->skipping || *len > SENDLOG_LINE_MAX) {
				s->skipped += *len;
				s->skipping = 0;
				s->line_status = LS_TOO_LONG;
				return NULL;
			}
			return line;
		}
		if (s->end - s->start > SENDLOG_LINE_MAX || s->skipping) {
			/* Too long to be a line: its bytes are counted, not kept,
			 * until its newline. */
			if (!s->skipping)
				s->skipped = 0;
			s->skipping = 1;
			s->skipped += s->end - s->start;
			s->start = s->end = 0;
		}
		if (s->feed)
			return NULL; /* a partial line waits for the rest */
		if (s->fd < 0) {
			if (!s->follow || !follow_check(s) || s->fd < 0)
				return NULL;
		}
		if (s->start > 0) {
			memmove(s->buf, s->buf + s->start, s->end - s->start);
			s->end -= s->start;
			s->start = 0;
		}
		if (s->end == s->cap) {
			/* Bounded: a line over SENDLOG_LINE_MAX is dropped above. */
			char *nb = realloc(s->buf, s->cap * 2);
			if (!nb) {
				s->line_status = LS_NOMEM;
				return NULL;
			}
			s->buf = nb;
			s->cap *= 2;
		}
		ssize_t r = read(s->fd, s->buf + s->end, s->cap - s->end);
		if (r < 0 && errno == EINTR)
			continue;
		if (r > 0) {
			s->end += (size_t)r;
			s->pos += r;
			continue;
		}
		/* End of file for now. */
		if (s->follow) {
			if (follow_check(s))
				continue;
			return NULL; /* a partial line waits for the rest */
		}
		if (s->skipping) {
			s->skipped += s->end - s->start;
			s->start = s->end = 0;
			s->skipping = 0;
			s->line_status = LS_TOO_LONG;
			return NULL;
		}
		if (s->end > s->start) {
			/* The last line has no newline: use it all the same. */
			char *line = s->buf + s->start;
			*len = s->end - s->start;
			s->start = s->end;
			if (*len > SENDLOG_LINE_MAX) {
				s->skipped = *len;
				s->line_status = LS_TOO_LONG;
				return NULL;
			}
			return line;
		}
		return NULL;
	}
}

static int next_inline(struct sendlog *s, struct call *c, char *err, size_t errlen)
{
	size_t n;
	char *line;
	for (;;) {
		line = next_line(s, &n);
		if (s->notice[0] && s->line_status == LS_NONE) {
			/* Said before the line (if any) it came with: that one
			 * is read again next time. */
			if (line)
				s->start = (size_t)(line - s->buf);
			snprintf(err, errlen, "%s", s->notice);
			s->notice[0] = '\0';
			return SENDLOG_NOTICE;
		}
		if (!line && s->line_status == LS_TOO_LONG) {
			snprintf(err, errlen,
				 "%s: line %llu: longer than %d MiB (%llu bytes); line skipped",
				 s->path, (unsigned long long)++s->lineno,
				 SENDLOG_LINE_MAX >> 20, (unsigned long long)s->skipped);
			return -1;
		}
		if (!line && s->line_status == LS_NOMEM) {
			snprintf(err, errlen, "%s: line %llu: out of memory reading the log",
				 s->path, (unsigned long long)s->lineno + 1);
			return -2;
		}
		if (!line)
			break;
		uint64_t lineno = ++s->lineno;
		size_t a = 0;
		while (a < n && (line[a] == ' ' || line[a] == '\t' || line[a] == '\r'))
			a++;
		while (n > a && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r'))
			n--;
		if (n == a)
			continue; /* blank lines are allowed */
		char reason[256];
		if (sendlog_parse_line(line + a, n - a, lineno, c, reason, sizeof reason) != 0) {
			snprintf(err, errlen, "%s: line %llu: %s; line skipped", s->path,
				 (unsigned long long)lineno, reason);
			return -1;
		}
		return 1;
	}
	return 0;
}

/* ---- the reader thread --------------------------------------------------- */

static void *reader_main(void *arg)
{
	struct sendlog *s = arg;
	struct batch *b;
	while ((b = handoff_fill(s->ring)) != NULL) {
		b->n = 0;
		b->end = 0;
		while (b->n < BATCH_LINES) {
			struct item *it = &b->it[b->n];
			char e[512];
			it->err = NULL;
			it->rc = next_inline(s, &it->c, e, sizeof e);
			if (it->rc == 0) {
				b->end = 1;
				break;
			}
			if (it->rc != 1 && !(it->err = strdup(e)))
				it->rc = -2; /* no memory for the report: an error all the same */
			b->n++;
			if (it->rc == -2) {
				b->end = 1; /* reading stops there */
				break;
			}
		}
		handoff_publish(s->ring);
		if (b->end)
			break;
	}
	return NULL;
}

/* Frees the reports a batch still owns (from the consumer's place in it). */
static void batch_drop(void *buf, int held, void *arg)
{
	struct batch *b = buf;
	struct sendlog *s = arg;
	for (int i = held ? s->cur_i : 0; i < b->n; i++)
		free(b->it[i].err);
}

static void reader_stop(struct sendlog *s)
{
	if (s->threaded != 1)
		return;
	handoff_stop(s->ring);
	pthread_join(s->thread, NULL);
	handoff_each_full(s->ring, batch_drop, s);
	handoff_free(s->ring);
	s->ring = NULL;
	s->threaded = -1;
}

/* Starts the reader thread; -1 (and nothing started) when it cannot. */
static int reader_start(struct sendlog *s)
{
	s->ring = handoff_new(BATCHES, sizeof(struct batch));
	if (!s->ring)
		return -1;
	s->cur = NULL;
	if (pthread_create(&s->thread, NULL, reader_main, s) != 0) {
		handoff_free(s->ring);
		s->ring = NULL;
		return -1;
	}
	return 0;
}

void sendlog_inline(struct sendlog *s)
{
	if (!s->threaded)
		s->threaded = -1;
}

int sendlog_next(struct sendlog *s, struct call *c, char *err, size_t errlen)
{
	if (s->st)
		return strace_next(s->st, c, err, errlen);
	if (!s->follow && !s->threaded) /* at the first read: after any privilege drop */
		s->threaded = reader_start(s) == 0 ? 1 : -1;
	if (s->threaded != 1)
		return next_inline(s, c, err, errlen);
	for (;;) {
		struct batch *b = s->cur;
		if (b && s->cur_i < b->n) {
			struct item *it = &b->it[s->cur_i++];
			if (it->rc == 1) {
				*c = it->c;
				return 1;
			}
			if (it->err)
				snprintf(err, errlen, "%s", it->err);
			else
				snprintf(err, errlen, "%s: out of memory reading the log", s->path);
			free(it->err);
			it->err = NULL;
			return it->rc;
		}
		if (b && b->end) {
			/* The thread is done: what the log gains from now on
			 * is read inline, as without it. */
			reader_stop(s);
			return 0;
		}
		s->cur = handoff_take(s->ring);
		s->cur_i = 0;
	}
}
