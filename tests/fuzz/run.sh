#!/bin/sh
# run.sh: make fuzz: builds the libFuzzer targets with clang (AddressSanitizer
# and UndefinedBehaviorSanitizer) and runs each for FUZZ_SECONDS (default 60).
#
#   decode    one record (its first byte picks the link type); starts from nothing
#   sendlog   one send-log line; seeds: tests/fuzz/corpus-sendlog
#   strace    a whole file of strace output; seeds: tests/golden/strace-*.strace
#   pipeline  a capture and a send log together through the whole replay
#             (tracer_new/tracer_run: decode, flows, correlator, output), with
#             helper threads and in one; seeds: captures/*.pcap + .sendlog and
#             every tenth TCP capture of the corpus ($CORPUS, ../shared/corpus)
#
# FUZZ_TARGETS picks some ("pipeline"); FUZZ_PIPELINE_SECONDS overrides
# FUZZ_SECONDS for the pipeline; FUZZ_FLAGS is handed to every target
# ("-detect_leaks=0"). New inputs go to build/fuzz/, never into the
# repository, and are kept there for the next run. A crash leaves its input
# in build/fuzz/ and exits 1.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
secs=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-decode sendlog strace pipeline}
corpus=${CORPUS:-$top/../shared/corpus}
out=$top/build/fuzz
command -v clang >/dev/null || { echo "fuzz: clang is needed (sudo apt-get install clang)" >&2; exit 2; }
mkdir -p "$out/corpus-decode" "$out/corpus-sendlog" "$out/corpus-pipeline" || exit 2
cp "$here"/corpus-sendlog/* "$out/corpus-sendlog/" 2>/dev/null

# A pipeline seed: OUT OPTIONS-BYTE CAPTURE [SENDLOG].
oct() { printf "\\$(printf %03o "$(($1 & 255))")"; }
seed() {
	n=$(wc -c <"$3")
	{ oct "$2"; oct "$n"; oct $((n >> 8)); oct $((n >> 16)); oct $((n >> 24))
	  cat "$3"; [ $# -ge 4 ] && cat "$4"; } >"$1"
}
for p in "$top"/captures/*.pcap; do
	b=$(basename "$p" .pcap)
	seed "$out/corpus-pipeline/cap-$b" 0 "$p" "${p%.pcap}.sendlog"
	seed "$out/corpus-pipeline/cap-$b-json" 1 "$p" "${p%.pcap}.sendlog"
done
if [ -f "$corpus/tcpdump-with-tcp.txt" ]; then
	awk 'NR % 10 == 1' "$corpus/tcpdump-with-tcp.txt" | while read -r f; do
		[ -f "$corpus/tcpdump/$f" ] && seed "$out/corpus-pipeline/tcpdump-$f" 0 "$corpus/tcpdump/$f"
	done
fi

# The pipeline links every tracer source but main.c (and BPF programs), and
# the send-log writer; a generated header (a BPF skeleton) is looked for in
# $BUILD, which make sets.
CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I$top/include -I$top/tracer -I${BUILD:-$top/build} $(pkg-config --cflags jansson libpcap 2>/dev/null)"
LIBS="$(pkg-config --libs jansson libpcap 2>/dev/null || echo -ljansson -lpcap) $(pkg-config --libs libbpf 2>/dev/null)"
for t in $targets; do
	case $t in
	decode) clang $CFLAGS -o "$out/fuzz_decode" "$here/fuzz_decode.c" "$top/tracer/decode.c" || exit 2 ;;
	sendlog) clang $CFLAGS -pthread -o "$out/fuzz_sendlog" "$here/fuzz_sendlog.c" "$top/tracer/sendlog.c" \
		"$top/tracer/strace.c" "$top/tracer/handoff.c" "$top/tracer/flow.c" "$top/tracer/output.c" "$top/tracer/decode.c" \
		$LIBS || exit 2 ;;
	strace) clang $CFLAGS -pthread -o "$out/fuzz_strace" "$here/fuzz_strace.c" "$top/tracer/strace.c" \
		"$top/tracer/flow.c" $LIBS || exit 2
		mkdir -p "$out/corpus-strace"
		cp "$top"/tests/golden/strace-*.strace "$out/corpus-strace/" 2>/dev/null ;;
	pipeline) clang $CFLAGS -pthread -o "$out/fuzz_pipeline" "$here/fuzz_pipeline.c" \
		$(ls "$top"/tracer/*.c | grep -v -e '/main\.c$' -e '\.bpf\.c$') \
		"$top/demo/sendlog_writer.c" $LIBS || exit 2 ;;
	*) echo "fuzz: no target '$t' (decode, sendlog, strace, pipeline)" >&2; exit 2 ;;
	esac
done
status=0
for t in $targets; do
	s=$secs
	extra=
	if [ "$t" = pipeline ]; then
		s=${FUZZ_PIPELINE_SECONDS:-$secs}
		extra="-max_len=65536 -timeout=20"
	fi
	echo "fuzz: $t for $s s"
	# shellcheck disable=SC2086 # flags are words by design
	(cd "$out" && "./fuzz_$t" -max_total_time="$s" -print_final_stats=1 $extra ${FUZZ_FLAGS:-} "corpus-$t" >"$out/$t.log" 2>&1)
	rc=$?
	grep -E '^stat::number_of_executed_units|^Done|ERROR' "$out/$t.log"
	if [ $rc -ne 0 ]; then
		echo "fuzz: $t FAILED (exit $rc); the input is in $out (crash-*), the log in $out/$t.log"
		status=1
	fi
done
exit $status
