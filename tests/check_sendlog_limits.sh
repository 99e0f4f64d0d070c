#!/bin/sh
# check_sendlog_limits.sh: a hostile send log costs bounded memory and says
# what it did. A 200 MB line of NUL bytes is skipped by number without being
# held; a failed allocation while reading the log is an error (exit 1), never
# a log that silently ended.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
RSTSCOPE=${RSTSCOPE:-$top/rstscope}
TOOLS=${TOOLS:-$top/build/tools}
cap=$top/captures/server-close.pcap
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

# 1. A 200 MB line of NUL bytes (a sparse file: no disk written). It is
# neither a send log nor strace output by its first line: --log-format
# says it is a send log, so that the reader's limits are what is tested.
truncate -s 200M "$tmp/nul.log" || exit 2
"$TOOLS/peakrss" -o "$tmp/rss" "$RSTSCOPE" -r "$cap" --log-format sendlog -l "$tmp/nul.log" >/dev/null 2>"$tmp/err"
rc=$?
rss=$(sed -n 's/.*rss_kb=\([0-9]*\).*/\1/p' "$tmp/rss")
limit=65536 # KiB; the reader holds at most twice the 1 MiB line limit
[ "${SAN:-}" = 1 ] && limit=262144 # the sanitizers' shadow memory
if [ "$rc" -eq 1 ] && grep -q 'nul.log: line 1: longer than 1 MiB (209715200 bytes); line skipped' "$tmp/err" &&
	[ -n "$rss" ] && [ "$rss" -lt "$limit" ]; then ok; else
	bad "200 MB NUL line: exit $rc, peak RSS ${rss:-?} KiB (limit $limit), stderr:"; cat "$tmp/err"
fi

# 2. The line after an over-long one is still used, numbered on.
{
	head -c 1100000 /dev/zero | tr '\0' 'x'
	echo
	head -1 "$top/captures/server-close.sendlog"
} >"$tmp/long.log"
out=$("$RSTSCOPE" --json -r "$cap" --log-format sendlog -l "$tmp/long.log" 2>"$tmp/err"); rc=$?
if [ "$rc" -eq 1 ] && printf '%s\n' "$out" | grep -q '"kind":"call","ts":"[0-9.]*","line":2,"event":"connect"' &&
	grep -q 'line 1: longer than 1 MiB (1100000 bytes)' "$tmp/err"; then ok; else
	bad "over-long line then a good one: exit $rc"; cat "$tmp/err"
fi

# 3. No memory to read a long line: an error, exit 1. A preloaded realloc()
# fails past 1 MiB (not with the sanitizers, whose runtime must come first).
if [ "${SAN:-}" = 1 ] || ! command -v cc >/dev/null; then
	echo "note: the allocation-failure case is skipped (SAN=1 or no cc)"
else
	cat >"$tmp/shim.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
void *realloc(void *p, size_t n)
{
	static void *(*next)(void *, size_t);
	if (p && n >= ((size_t)1 << 20)) {
		errno = ENOMEM;
		return NULL;
	}
	if (!next)
		next = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	return next(p, n);
}
EOF
	cc -shared -fPIC -o "$tmp/shim.so" "$tmp/shim.c" -ldl || exit 2
	{
		head -1 "$top/captures/server-close.sendlog"
		head -c 900000 /dev/zero | tr '\0' 'x'
		echo
		sed -n 2p "$top/captures/server-close.sendlog"
	} >"$tmp/oom.log"
	for threads in 1 2; do
		LD_PRELOAD=$tmp/shim.so RSTSCOPE_THREADS=$threads "$RSTSCOPE" -r "$cap" -l "$tmp/oom.log" \
			>/dev/null 2>"$tmp/err"
		rc=$?
		if [ "$rc" -eq 1 ] && grep -q 'oom.log: line 2: out of memory reading the log' "$tmp/err" &&
			grep -q 'could not be read to its end' "$tmp/err"; then ok; else
			bad "realloc failing (RSTSCOPE_THREADS=$threads): exit $rc, stderr:"; cat "$tmp/err"
		fi
	done
fi

# 4. 10,000 malformed lines: 20 named, one line saying more follow, and the
# total at the end (not 10,001 lines).
i=0
while [ $i -lt 10000 ]; do echo "{garbage $i"; i=$((i + 1)); done >"$tmp/bad.log"
"$RSTSCOPE" -r "$cap" -l "$tmp/bad.log" >/dev/null 2>"$tmp/err"; rc=$?
named=$(grep -c 'bad.log: line [0-9]*: not JSON' "$tmp/err")
if [ "$rc" -eq 1 ] && [ "$named" -eq 20 ] && [ "$(wc -l <"$tmp/err")" -eq 22 ] &&
	grep -q 'bad.log: line 20: ' "$tmp/err" && ! grep -q 'bad.log: line 21: ' "$tmp/err" &&
	grep -q 'bad.log: more malformed lines follow; only their count is reported, at the end' "$tmp/err" &&
	grep -q 'bad.log: 10000 malformed lines skipped (the first 20 named above); the rest was used' "$tmp/err"
then ok; else
	bad "10,000 malformed lines: exit $rc, $named named, $(wc -l <"$tmp/err") lines on stderr:"; head -30 "$tmp/err"
fi

# 5. A capture with a damaged tail: the calls after its last good record are
# marked beyond_capture and counted, in both thread modes.
head -c 700 "$cap" >"$tmp/cut.pcap"
for threads in 1 2; do
	out=$(RSTSCOPE_THREADS=$threads "$RSTSCOPE" --json -r "$tmp/cut.pcap" -l "$top/captures/server-close.sendlog" 2>"$tmp/err"); rc=$?
	n=$(printf '%s\n' "$out" | grep -c '"beyond_capture":true')
	first=$(printf '%s\n' "$out" | grep '"beyond_capture":true' | head -1 | sed 's/.*"line":\([0-9]*\).*/\1/')
	if [ "$rc" -eq 1 ] && [ "$n" -eq 9 ] && [ "$first" = 5 ] &&
		grep -q 'server-close.sendlog: 9 logged calls (first: line 5) came after the end of the capture (it is damaged after record 7); they are marked, not explained from it' "$tmp/err" &&
		! printf '%s\n' "$out" | grep -q 'no RST reached'; then ok; else
		bad "damaged tail (RSTSCOPE_THREADS=$threads): exit $rc, $n calls beyond (first line $first), stderr:"; cat "$tmp/err"
	fi
done

echo "sendlog limits: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
