#!/bin/sh
# check_threads.sh: replaying, helper threads read the capture and the send log
# ahead of the one that correlates and prints (tracer.c, sendlog.c). That must
# change nothing a user sees: standard output, standard error and the exit
# status with RSTSCOPE_THREADS=2 (the helper threads, even on one CPU) are
# compared with RSTSCOPE_THREADS=1 (everything in one thread)
#  - on generated captures of many batches (30,000 records, a 10,800-line log),
#    with damaged records and malformed log lines far from the start, with -c
#    stopping mid-capture, in text and JSON;
#  - on every TCP capture of the corpus (../shared/corpus), damaged ones too.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
RSTSCOPE=${RSTSCOPE:-$top/rstscope}
TOOLS=${TOOLS:-$top/build/tools}
CORPUS=${CORPUS:-$top/../shared/corpus}
for tool in benchgen mkgolden; do
	[ -x "$TOOLS/$tool" ] || { echo "FAIL: $TOOLS/$tool is missing (make tools)"; exit 1; }
done
dir=$(mktemp -d "${TMPDIR:-/tmp}/rstscope-threads.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
pass=0 fail=0

# same NAME ARGS...: one thread and the default give the same result.
same() {
	name=$1
	shift
	RSTSCOPE_THREADS=1 "$RSTSCOPE" "$@" >"$dir/one.out" 2>"$dir/one.err"
	one=$?
	RSTSCOPE_THREADS=2 "$RSTSCOPE" "$@" >"$dir/thr.out" 2>"$dir/thr.err"
	thr=$?
	if [ "$one" = "$thr" ] && cmp -s "$dir/one.out" "$dir/thr.out" &&
		cmp -s "$dir/one.err" "$dir/thr.err"; then
		pass=$((pass + 1))
		return 0
	fi
	fail=$((fail + 1))
	echo "FAIL $name: rstscope $*"
	echo "   exit status: one thread $one, threads $thr"
	diff "$dir/one.out" "$dir/thr.out" | sed -n '1,6s/^/   out: /p'
	diff "$dir/one.err" "$dir/thr.err" | sed -n '1,6s/^/   err: /p'
	return 1
}

"$TOOLS/benchgen" -n 30000 -w 300 -o "$dir/big.pcap" -l "$dir/big.sendlog" 2>/dev/null ||
	{ echo "FAIL: benchgen"; exit 1; }
"$TOOLS/mkgolden" "$dir" >/dev/null 2>&1 || { echo "FAIL: mkgolden"; exit 1; }
# Damaged records after 30,000 good ones: the records of mkgolden's
# damaged-records.pcap (EN10MB too), appended without its 24-byte file header;
# then the same file cut short in its last record.
dmg=$dir/damaged-records.pcap
if [ -s "$dmg" ]; then
	{ cat "$dir/big.pcap"; tail -c +25 "$dmg"; } >"$dir/big-damaged.pcap"
else
	echo "FAIL: mkgolden wrote no damaged-records.pcap"; exit 1
fi
head -c -7 "$dir/big-damaged.pcap" >"$dir/big-cut.pcap"
# Malformed lines at 5,000 and 9,000 (of about 10,800; batches hold 1,024).
awk 'NR == 5000 { print "{\"ts\": oops" } NR == 9000 { print "not json at all" } { print }' \
	"$dir/big.sendlog" >"$dir/big-bad.sendlog"

same big -r "$dir/big.pcap"
same big-json --json -r "$dir/big.pcap"
same big-log -r "$dir/big.pcap" -l "$dir/big.sendlog"
same big-log-json --json -r "$dir/big.pcap" -l "$dir/big.sendlog"
same big-damaged -r "$dir/big-damaged.pcap" -l "$dir/big-bad.sendlog"
same big-cut -r "$dir/big-cut.pcap" -l "$dir/big-bad.sendlog"
same big-count -c 12345 -r "$dir/big-damaged.pcap" -l "$dir/big-bad.sendlog"
same big-count-json --json -c 4097 -r "$dir/big.pcap"
same big-filter -r "$dir/big-damaged.pcap" 'tcp[tcpflags] & tcp-rst != 0'
# The output must also be whole: 30,000 segments and a summary line each.
n=$("$RSTSCOPE" --json --no-summary -r "$dir/big.pcap" | wc -l)
if [ "$n" -eq 30000 ]; then
	pass=$((pass + 1))
else
	fail=$((fail + 1))
	echo "FAIL big-count-lines: $n JSON lines for 30000 records"
fi

if [ -d "$CORPUS/tcpdump" ] && [ -f "$CORPUS/tcpdump-with-tcp.txt" ]; then
	while read -r f; do
		[ -n "$f" ] || continue
		p=$CORPUS/tcpdump/$f
		[ -f "$p" ] || continue
		same "corpus/$f" -r "$p" >/dev/null || echo "FAIL corpus/$f"
	done <"$CORPUS/tcpdump-with-tcp.txt"
else
	echo "note: no corpus at $CORPUS; generated captures only"
fi

echo "threads: $pass passed, $fail failed"
[ "$fail" = 0 ]
