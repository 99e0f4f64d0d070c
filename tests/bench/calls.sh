#!/bin/sh
# calls.sh: part of `make bench`: what recording the calls costs the traced
# program. 100,000 send() calls of 64 bytes over loopback (BENCH_SENDS,
# BENCH_SIZE), timed inside the program (tests/tools/sendloop), pinned to
# CPU 0 with its peer (a sink that reads and discards), and the tracer on
# CPU 1, in a private network namespace:
#   alone; with tcpdump -i lo -w /dev/null capturing; under rstscope -i lo
#   --json -- PROG (packets and calls, the kernel recorder); under rstscope
#   --via strace; under strace -f with tcpdump capturing.
# Targets (issue 11): rstscope at most 2x the tcpdump-only time, strace at
# least 10x slower than rstscope, and all the sends shown as call rows.
# Then the recorder's rate: BENCH_BURST sends of 1 byte as fast as the
# program can (each its own event), and what the ring buffer dropped.
# A report, not a test: needs root (skipped with a notice otherwise).
set -u
: "${RSTSCOPE:?RSTSCOPE is not set (run: make bench)}"
: "${TOOLS:?TOOLS is not set (run: make bench)}"
N=${BENCH_SENDS:-100000}
SIZE=${BENCH_SIZE:-64}
BURST=${BENCH_BURST:-300000}
RUNS=${BENCH_RUNS:-3}
if [ "$(id -u)" != 0 ] || ! unshare -n true 2>/dev/null; then
	echo "bench calls: skipped: recording calls needs root and network namespaces (sudo make bench)"
	exit 0
fi
for c in taskset tcpdump jq; do
	command -v $c >/dev/null || { echo "bench calls: skipped: $c is not installed"; exit 0; }
done
[ "$(nproc)" -ge 2 ] || { echo "bench calls: skipped: needs 2 CPUs (the program on one, the tracer on the other)"; exit 0; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/rstscope-bench-calls.XXXXXX") || exit 2
chmod 755 "$dir"
trap 'rm -rf "$dir"' EXIT
echo
echo "cost to the traced program: $N sends of $SIZE bytes over lo, timed inside it; it and its peer on CPU 0, the tracer on CPU 1 (best of $RUNS; strace once)"
unshare -n sh -c '
	ip link set lo up
	dir=$1 rs=$2 loop=$3 n=$4 size=$5 runs=$6 burst=$7
	taskset -c 0 "$loop" sink 9100 >"$dir/sink" &
	sink=$!
	while [ ! -s "$dir/sink" ]; do sleep 0.05; done
	prog="taskset -c 0 $loop send 9100"
	tcpd() { taskset -c 1 tcpdump -i lo -w /dev/null -s 128 2>"$dir/tcpdump.err" & t=$!; while ! grep -q listening "$dir/tcpdump.err"; do sleep 0.05; done; }
	r=1
	while [ $r -le $runs ]; do
		$prog $n $size >>"$dir/alone"
		tcpd; $prog $n $size >>"$dir/tcpdump"; kill $t; wait $t 2>/dev/null
		taskset -c 1 "$rs" -i lo --json -- $prog $n $size >"$dir/rs.json" 2>"$dir/rs.err" 
		grep -v "^{" "$dir/rs.json" >>"$dir/rstscope"
		jq -cR "fromjson? | select(.kind == \"call\" and .event == \"send\")" "$dir/rs.json" | wc -l >>"$dir/rows"
		grep "call events" "$dir/rs.err" >>"$dir/events"
		r=$((r + 1))
	done
	taskset -c 1 "$rs" -i lo --json --via strace -- $prog $n $size >"$dir/vs.json" 2>"$dir/vs.err"
	grep -v "^{" "$dir/vs.json" >>"$dir/via_strace"
	jq -cR "fromjson? | select(.kind == \"call\" and .event == \"send\")" "$dir/vs.json" | wc -l >"$dir/vs.rows"
	tcpd; taskset -c 1 strace -f -o /dev/null $prog $n $size >>"$dir/strace"; kill $t; wait $t 2>/dev/null
	# The recorder held at a rate for 2 s: one event (and one segment) per
	# 1-byte send; what the ring buffer dropped.
	for rate in 25000 50000 100000 200000 0; do
		n2=$((rate ? rate * 2 : burst))
		taskset -c 1 "$rs" -i lo --json -- $prog $n2 1 $rate >"$dir/burst.json" 2>"$dir/burst.err"
		t2=$(grep -v "^{" "$dir/burst.json")
		ev=$(grep -o "[0-9]* call events recorded from the kernel, [0-9]* lost" "$dir/burst.err")
		echo "$n2 $t2 $ev" >>"$dir/rates"
	done
	rm -f "$dir/burst.json" "$dir/rs.json" "$dir/vs.json"
	kill $sink
' sh "$dir" "$RSTSCOPE" "$TOOLS/sendloop" "$N" "$SIZE" "$RUNS" "$BURST"
best() { sort -n "$dir/$1" 2>/dev/null | head -1; }
alone=$(best alone) tcpd=$(best tcpdump) rs=$(best rstscope) vs=$(best via_strace) st=$(best strace)
rows=$(sort -n "$dir/rows" | head -1) vsrows=$(cat "$dir/vs.rows" 2>/dev/null)
[ -n "$alone" ] && [ -n "$tcpd" ] && [ -n "$rs" ] && [ -n "$st" ] || { echo "bench calls: a contender did not run"; cat "$dir"/*.err; exit 1; }
awk -v a="$alone" -v t="$tcpd" -v r="$rs" -v v="${vs:-0}" -v s="$st" -v n="$N" -v rows="$rows" -v vrows="${vsrows:-0}" '
function row(name, x, note) { printf "  %-40s %9.3f s  %6.2fx alone  %s\n", name, x, x / a, note }
BEGIN {
	row("alone", a, "")
	row("tcpdump -i lo -w /dev/null", t, "")
	row("rstscope -i lo --json -- PROG", r, sprintf("%d of %d sends shown as call rows", rows, n))
	if (v > 0) row("rstscope --via strace -- PROG", v, sprintf("%d of %d sends shown", vrows, n))
	row("strace -f, tcpdump capturing", s, "")
	printf "  target: rstscope at most 2x tcpdump: %.2fx: %s\n", r / t, (r / t <= 2 ? "met" : "MISSED")
	printf "  target: strace at least 10x rstscope: %.1fx: %s\n", s / r, (s / r >= 10 ? "met" : "MISSED")
	printf "  target: every send a call row: %s\n", (rows == n ? "met" : "MISSED")
}'
echo "the recorder held at a rate (1-byte sends, each an event and a segment, 2 s or BENCH_BURST sends):"
awk '{ split($0, w, " "); printf "  %8.0f events/s: %s events, %s lost (%.1f%%)\n", $1 / $2, $3, $10, $3 ? 100 * $10 / $3 : 0 }' "$dir/rates"
exit 0
