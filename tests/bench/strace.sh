#!/bin/sh
# strace.sh: what strace as a call source costs the traced program (part of
# `make bench`; alone: make bench-strace). tests/tools/sendbench sends
# BENCH_SENDS (default 20000) x 64 bytes on loopback TCP and times them
# itself: alone, then under `strace -f -yy -ttt -T -o FILE` (the flags
# rstscope reads and --via strace uses), then under `strace -f -o FILE`
# (no -yy: what the descriptor lookups cost). Then rstscope reads the
# strace output it made (lines per second). The best of BENCH_RUNS
# (default 3) counts. A report, not a test.
set -u
: "${TOOLS:?TOOLS is not set (run: make bench)}"
: "${RSTSCOPE:?RSTSCOPE is not set (run: make bench)}"
N=${BENCH_SENDS:-20000}
RUNS=${BENCH_RUNS:-3}
command -v strace >/dev/null || { echo "bench strace: strace is not installed (make deps)"; exit 2; }
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
best() { # label, command prefix...: best ns_per_send over RUNS
	label=$1; shift
	b=""
	i=0
	while [ $i -lt "$RUNS" ]; do
		rm -f "$tmp/port"
		"$TOOLS/sendbench" sink "$tmp/port" & sink=$!
		while [ ! -s "$tmp/port" ]; do sleep 0.01; done
		ns=$("$@" "$TOOLS/sendbench" send "$(cat "$tmp/port")" "$N" | sed -n 's/.*ns_per_send=\([0-9]*\).*/\1/p')
		wait $sink
		[ -n "$ns" ] || { echo "bench strace: $label: sendbench failed" >&2; exit 1; }
		if [ -z "$b" ] || [ "$ns" -lt "$b" ]; then b=$ns; fi
		i=$((i + 1))
	done
	echo "$b"
}
echo "strace as a call source: $N sends of 64 bytes on loopback TCP, timed inside the sender (best of $RUNS)"
alone=$(best alone env) || exit 1
yy=$(best yy strace -f -yy -ttt -T -qq -o "$tmp/yy.strace") || exit 1
plain=$(best plain strace -f -qq -o "$tmp/plain.strace") || exit 1
printf '  %-36s %8s ns per send\n' "alone" "$alone"
printf '  %-36s %8s ns per send  (%s x)\n' "strace -f -yy -ttt -T (rstscope's)" "$yy" "$(echo "$yy $alone" | awk '{printf "%.1f", $1 / $2}')"
printf '  %-36s %8s ns per send  (%s x)\n' "strace -f (no -yy, no stamps)" "$plain" "$(echo "$plain $alone" | awk '{printf "%.1f", $1 / $2}')"
lines=$(wc -l <"$tmp/yy.strace")
t0=$(date +%s.%N)
here_pcap=$(cd "$(dirname "$0")/.." && pwd)/golden/strace-base.pcap
"$RSTSCOPE" --json -r "$here_pcap" -l "$tmp/yy.strace" >/dev/null 2>&1 || true
t1=$(date +%s.%N)
echo "$lines $t0 $t1" | awk '{ s = $3 - $2; printf "  rstscope reading that strace output: %d lines in %.2f s (%.0f lines/s)\n", $1, s, $1 / s }'
