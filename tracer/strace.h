/* strace.h: strace's text output read as calls (struct call, sendlog.h), as
 * the send log gives them: the correlator cannot tell the two apart. */
#ifndef RSTSCOPE_STRACE_H
#define RSTSCOPE_STRACE_H

#include <stddef.h>
#include <sys/types.h>

#include "sendlog.h"

/* What a file holds, from its first non-empty line (strace_sniff). */
enum strace_kind {
	STRACE_KIND_SENDLOG = 0, /* a send log (or empty, or not there yet) */
	STRACE_KIND_STRACE,	 /* strace output: a file, a directory of -ff files,
				    or the PREFIX of PREFIX.PID files */
	STRACE_KIND_NEITHER,	 /* text that is neither */
};
enum strace_kind strace_sniff(const char *path);

/* 1 when one line (without its newline) reads as a line of strace output. */
int strace_line_is_strace(const char *line, size_t len);

struct strace_log;

/* Opens strace output: a file, a directory (every regular file in it, the
 * pid from a ".PID" suffix as -ff writes them) or a -ff PREFIX. follow: keep
 * reading a single file as it grows (live). NULL with the reason in err. */
struct strace_log *strace_open(const char *path, int follow, char *err, size_t errlen);
/* The same for several paths (-l given more than once), merged by time. */
struct strace_log *strace_open_paths(const char *const *paths, size_t n, int follow, char *err,
				     size_t errlen);
void strace_free(struct strace_log *s);
/* -tt stamps give a time of day only: the date is taken from this time (the
 * capture's first record), in the local time zone. */
void strace_time_hint(struct strace_log *s, ts_ns t);
/* A one-line notice about the recording (flags missing), "" when none. */
const char *strace_notice(const struct strace_log *s);
/* As sendlog_next(): 1 a call, 0 nothing more now, -1 an unreadable line
 * (reported in err with file:line; the first 20 are, then only counted). */
int strace_next(struct strace_log *s, struct call *c, char *err, size_t errlen);

/* The command line that runs COMMAND (or attaches to pid, when COMMAND is
 * NULL) under strace with the flags rstscope reads, writing to outfile.
 * Returns a NULL-terminated malloc'd vector (free it with free()), or NULL. */
char **strace_argv(char *const *command, pid_t pid, const char *outfile);
/* Is strace on the PATH (as execvp() would find it)? */
int strace_installed(void);

#endif
