#!/bin/sh
# run.sh: `make bench`: rstscope's throughput and memory against tcpdump and a
# bare libpcap loop, on generated loopback-like captures. A report, not a test:
# exits 0 when every contender ran (whether or not a target was met), 1 when
# something failed to run, 2 when the environment is incomplete.
#
# Environment (set by make): RSTSCOPE (./rstscope), TOOLS (build/tools with
# benchgen, pcapcount and peakrss). Knobs: BENCH_PACKETS (the main capture,
# default 2000000), BENCH_RUNS (runs per contender, best one kept, default 3;
# a contender whose run takes more than BENCH_SLOW seconds, default 8, runs once),
# BENCH_SMALL and BENCH_LARGE (the memory captures, default 1M and 4M packets,
# also the sizes of the SYN floods), TMPDIR (where the captures go: about
# 1.1 GB, removed at the end).
#
# The main capture (BENCH_PACKETS packets, > 150,000 connections, a quarter of
# them IPv6) is read by each contender BENCH_RUNS times, in rounds, output to
# /dev/null; the fastest run counts. rstscope's peak memory is also measured
# on captures of 1M and 4M packets: it should not grow with the capture; and
# on SYN floods of as many packets (benchgen -f: every record a SYN from a new
# source port, a new half-open connection each), where the connection
# table's cap must hold it under 64 MB.
# tcpdump keeps relative-sequence state for every connection it has ever seen
# (never freed, searched linearly per hash bucket), so its throughput falls as
# the connection count grows; that is part of what is measured. tcpdump -S
# (absolute sequence numbers, no such state) is shown for information.
set -u

: "${RSTSCOPE:?RSTSCOPE is not set (run: make bench)}"
: "${TOOLS:?TOOLS is not set (run: make bench)}"
MAIN_N=${BENCH_PACKETS:-2000000}
RUNS=${BENCH_RUNS:-3}
SLOW=${BENCH_SLOW:-8}
MEM_SMALL=${BENCH_SMALL:-1000000}
MEM_LARGE=${BENCH_LARGE:-4000000}

for tool in benchgen pcapcount peakrss; do
	if [ ! -x "$TOOLS/$tool" ]; then
		echo "bench: $TOOLS/$tool is missing; build it with: make tools" >&2
		exit 2
	fi
done
if [ ! -x "$RSTSCOPE" ]; then
	echo "bench: $RSTSCOPE is missing; build it with: make" >&2
	exit 2
fi
if ! command -v tcpdump >/dev/null 2>&1; then
	echo "bench: tcpdump is not installed (sudo apt-get install tcpdump, or sudo make deps)" >&2
	exit 2
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/rstscope-bench.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
trap 'rm -rf "$dir"; exit 130' INT TERM

fail() {
	echo "bench: $*" >&2
	exit 1
}

# measure CMD...: runs CMD under peakrss, stdout to /dev/null; sets W (wall
# seconds), C (CPU seconds, user + system) and R (peak RSS, MB). A run killed by a signal is retried once (on
# a shared machine another job's pkill may hit it); a command that fails ends
# the bench.
measure() {
	for try in 1 2; do
		: >"$dir/m"
		"$TOOLS/peakrss" -o "$dir/m" "$@" >/dev/null 2>"$dir/err" && break
		st=$(sed -n 's/.*status=\([0-9]*\).*/\1/p' "$dir/m")
		if [ "$try" = 1 ] && [ "${st:-0}" -gt 128 ]; then
			echo "bench: killed by signal $((st - 128)), running again: $*" >&2
			continue
		fi
		echo "bench: failed: $*" >&2
		sed -n '1,20s/^/  /p' "$dir/err" "$dir/m" >&2
		exit 1
	done
	W=$(sed -n 's/.*wall_s=\([0-9.]*\).*/\1/p' "$dir/m")
	R=$(sed -n 's/.*rss_mb=\([0-9.]*\).*/\1/p' "$dir/m")
	C=$(sed -n 's/.*user_s=\([0-9.]*\) sys_s=\([0-9.]*\).*/\1 \2/p' "$dir/m" | awk '{ printf "%.3f", $1 + $2 }')
	[ -n "$W" ] && [ -n "$R" ] && [ -n "$C" ] || fail "peakrss gave no measurement for: $*"
}

# gen N NAME [LOG]: writes $dir/NAME.pcap (and the send log); sets CONNS.
gen() {
	if [ $# -ge 3 ]; then
		"$TOOLS/benchgen" -n "$1" -o "$dir/$2.pcap" -l "$3" 2>"$dir/gen.err"
	else
		"$TOOLS/benchgen" -n "$1" -o "$dir/$2.pcap" 2>"$dir/gen.err"
	fi || { cat "$dir/gen.err" >&2; fail "benchgen -n $1 failed"; }
	CONNS=$(sed -n 's/.* packets, \([0-9]*\) connections.*/\1/p' "$dir/gen.err")
	V6=$(sed -n 's/.* connections (\([0-9]*\) IPv6.*/\1/p' "$dir/gen.err")
	LOGLINES=$(sed -n 's/.* sends and \([0-9]*\) lines logged.*/\1/p' "$dir/gen.err")
	# The bare loop doubles as a check that the capture reads back whole.
	got=$("$TOOLS/pcapcount" "$dir/$2.pcap") || fail "pcapcount cannot read $dir/$2.pcap"
	[ "$got" = "$1" ] || fail "$2.pcap holds $got records, not $1"
}

# Correlation needs -l SENDLOG, which not every build has.
has_log=0
if "$RSTSCOPE" --help 2>&1 | grep -qE -- '(^|[[:space:],])-l([[:space:],=]|$)'; then
	has_log=1
fi

echo "rstscope bench: $("$RSTSCOPE" --version 2>/dev/null | head -n1); $(tcpdump --version 2>&1 | head -n1)"
echo "machine: $(nproc 2>/dev/null || echo '?') CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n1)"
load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null)
if [ -n "$load" ] && awk -v l="$load" -v n="$(nproc 2>/dev/null || echo 1)" 'BEGIN { exit !(l > n / 2) }'; then
	echo "note: the machine is busy (load average $load): wall-clock figures will be inflated"
	echo "      and noisy; the cpu s column (user + system, best run) is steadier"
fi
echo "generating captures in $dir ..."
t0=$(date +%s)
gen "$MEM_SMALL" small
conns_small=$CONNS
gen "$MEM_LARGE" large
conns_large=$CONNS
"$TOOLS/benchgen" -f -n "$MEM_SMALL" -o "$dir/flood-small.pcap" 2>"$dir/gen.err" &&
	"$TOOLS/benchgen" -f -n "$MEM_LARGE" -o "$dir/flood-large.pcap" 2>"$dir/gen.err" ||
	{ cat "$dir/gen.err" >&2; fail "benchgen -f failed"; }
if [ "$has_log" = 1 ]; then
	gen "$MAIN_N" main "$dir/main.sendlog"
else
	gen "$MAIN_N" main
fi
conns_main=$CONNS v6_main=$V6
main_mb=$(( $(wc -c <"$dir/main.pcap") / 1048576 ))
echo "generated in $(( $(date +%s) - t0 )) s"
echo

# Contenders: name and command; the capture is $F, the send log $L.
F=$dir/main.pcap
L=$dir/main.sendlog
set -- bare tcpdump tcpdump_S text json
[ "$has_log" = 1 ] && set -- "$@" log
contenders="$*"

run_one() {
	case $1 in
	bare) measure "$TOOLS/pcapcount" "$F" ;;
	tcpdump) measure env TZ=UTC tcpdump -nn -tt -r "$F" ;;
	tcpdump_S) measure env TZ=UTC tcpdump -S -nn -tt -r "$F" ;;
	text) measure "$RSTSCOPE" -r "$F" ;;
	json) measure "$RSTSCOPE" --json -r "$F" ;;
	log) measure "$RSTSCOPE" -r "$F" -l "$L" ;;
	esac
}

# Rounds, so that noise from the machine spreads over every contender; per
# contender the best wall time and the highest peak RSS are kept. Noise
# matters little to a run of many seconds: those run once (so does the
# informational -S row), which keeps the bench within a few minutes.
: >"$dir/results"
once=" tcpdump_S "
r=1
while [ "$r" -le "$RUNS" ]; do
	for c in $contenders; do
		case $once in *" $c "*) [ "$r" -gt 1 ] && continue ;; esac
		run_one "$c"
		echo "$c $W $R $C" >>"$dir/results"
		if awk -v w="$W" -v s="$SLOW" 'BEGIN { exit !(w > s) }'; then
			once="$once$c "
		fi
	done
	r=$((r + 1))
done

measure "$RSTSCOPE" -r "$dir/small.pcap"
small_w=$W small_r=$R
measure "$RSTSCOPE" -r "$dir/large.pcap"
large_w=$W large_r=$R
measure "$RSTSCOPE" -r "$dir/flood-small.pcap"
fsmall_w=$W fsmall_r=$R
measure "$RSTSCOPE" -r "$dir/flood-large.pcap"
flarge_w=$W flarge_r=$R

awk -v n="$MAIN_N" -v runs="$RUNS" -v slow="$SLOW" -v conns="$conns_main" -v v6="$v6_main" -v mb="$main_mb" \
    -v has_log="$has_log" -v loglines="${LOGLINES:-0}" \
    -v sn="$MEM_SMALL" -v sw="$small_w" -v sr="$small_r" -v sc="$conns_small" \
    -v ln="$MEM_LARGE" -v lw="$large_w" -v lr="$large_r" -v lc="$conns_large" \
    -v fsw="$fsmall_w" -v fsr="$fsmall_r" -v flw="$flarge_w" -v flr="$flarge_r" '
function commas(x,   s, out) {
	s = sprintf("%.0f", x); out = ""
	while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
	return s out
}
function short(x) { return x % 1000000 == 0 ? (x / 1000000) "M" : x % 1000 == 0 ? (x / 1000) "k" : x }
function cr(base, c) { return cpu[c] > 0 ? cpu[base] / cpu[c] : 0 }
function target(ok, what, measured) {
	printf "  %-4s  %-42s %s\n", ok < 0 ? "n/a" : ok ? "PASS" : "MISS", what, measured
}
{
	if (!($1 in best) || $2 < best[$1]) best[$1] = $2
	if (!($1 in peak) || $3 > peak[$1]) peak[$1] = $3
	if (!($1 in cpu) || $4 < cpu[$1]) cpu[$1] = $4
	nruns[$1]++
}
END {
	label["bare"] = "bare pcap_loop, count only"
	label["tcpdump"] = "TZ=UTC tcpdump -nn -tt -r"
	label["tcpdump_S"] = "  (info) the same with -S"
	label["text"] = "rstscope -r (text)"
	label["json"] = "rstscope --json -r"
	label["log"] = "rstscope -r -l SENDLOG"
	order = "bare tcpdump tcpdump_S text json log"
	printf "main capture: %s packets, %s connections (%s IPv6), %d MB", commas(n), commas(conns), commas(v6), mb
	if (has_log) printf "; send log: %s lines", commas(loglines)
	printf "\nbest of %d runs (1 for a run over %s s), output to /dev/null\n\n", runs, slow
	printf "%-28s %9s %4s %8s %12s %10s %9s %8s %8s\n", "contender", "packets", "runs", "seconds", "packets/s", "/tcpdump", "/bare", "peak MB", "cpu s"
	for (i = 1; i <= split(order, o, " "); i++) {
		c = o[i]
		if (!(c in best)) continue
		pps[c] = best[c] > 0 ? n / best[c] : 0
	}
	for (i = 1; i <= split(order, o, " "); i++) {
		c = o[i]
		if (!(c in best)) continue
		rt = pps["tcpdump"] > 0 ? pps[c] / pps["tcpdump"] : 0
		rb = pps["bare"] > 0 ? pps[c] / pps["bare"] : 0
		printf "%-28s %9s %4d %8.3f %12s %9.2fx %8.1f%% %8.1f %8.3f\n", label[c], commas(n), nruns[c], best[c], commas(pps[c]), rt, 100 * rb, peak[c], cpu[c]
	}
	if (!has_log) printf "%-28s correlation: not available in this build\n", label["log"]
	printf "\nrstscope -r (text), one run each, peak memory by capture size:\n"
	printf "  %9s packets  %7s connections  %7.3f s  %12s packets/s  peak %5.1f MB\n", commas(sn), commas(sc), sw, commas(sn / sw), sr
	printf "  %9s packets  %7s connections  %7.3f s  %12s packets/s  peak %5.1f MB\n", commas(ln), commas(lc), lw, commas(ln / lw), lr
	printf "\nrstscope -r (text) on a SYN flood (every record a SYN from a new source port):\n"
	printf "  %9s packets  %7s connections  %7.3f s  %12s packets/s  peak %5.1f MB\n", commas(sn), commas(sn), fsw, commas(sn / fsw), fsr
	printf "  %9s packets  %7s connections  %7.3f s  %12s packets/s  peak %5.1f MB\n", commas(ln), commas(ln), flw, commas(ln / flw), flr

	maxpeak = sr > lr ? sr : lr; what = "text, " commas(sr > lr ? sn : ln) " packets"
	if (peak["text"] > maxpeak) { maxpeak = peak["text"]; what = "text" }
	if (peak["json"] > maxpeak) { maxpeak = peak["json"]; what = "--json" }
	if (("log" in peak) && peak["log"] > maxpeak) { maxpeak = peak["log"]; what = "-l SENDLOG" }
	d = lr - sr; if (d < 0) d = -d
	same = (d <= 2 || d <= 0.10 * (sr > lr ? sr : lr))

	printf "\ntargets:\n"
	x = pps["text"] / pps["tcpdump"]
	target(x >= 3, "text throughput >= 3x tcpdump", sprintf("%.2fx   (by cpu s: %.2fx)", x, cr("tcpdump", "text")))
	x = pps["text"] / pps["bare"]
	target(x >= 0.40, "text throughput >= 40% of the bare loop", sprintf("%.1f%%   (by cpu s: %.1f%%)", 100 * x, 100 * cr("bare", "text")))
	target(maxpeak < 64, "peak memory < 64 MB", sprintf("highest %.1f MB (%s)", maxpeak, what))
	target(same, "same peak for " short(sn) " and " short(ln) " packets", sprintf("%.1f vs %.1f MB (within 10%% or 2 MB)", sr, lr))
	fmax = fsr > flr ? fsr : flr
	target(fmax < 64, "SYN flood peak < 64 MB (" short(sn) " and " short(ln) ")", sprintf("%.1f and %.1f MB", fsr, flr))
	if (has_log) {
		x = pps["log"] / pps["text"]
		target(x >= 0.70, "with send log >= 70% of text throughput", sprintf("%.1f%%   (by cpu s: %.1f%%)", 100 * x, 100 * cr("text", "log")))
	} else {
		target(-1, "with send log >= 70% of text throughput", "correlation: not available in this build")
	}
}' "$dir/results"
echo
echo "bench: done in $(( $(date +%s) - t0 )) s"
exit 0
