#!/bin/sh
# run.sh: make fuzz: builds the libFuzzer targets with clang (AddressSanitizer
# and UndefinedBehaviorSanitizer) and runs each for FUZZ_SECONDS (default 60).
# Seeds: tests/fuzz/corpus-sendlog (send-log lines), tests/golden/strace-*
# (strace output: the strace reader's whole-file target); the decoder starts from
# nothing (its first input byte picks the link type). New inputs go to
# build/fuzz/, never into the repository, and are kept there for the next
# run. A crash leaves its input in build/fuzz/ and exits 1.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
secs=${FUZZ_SECONDS:-60}
out=$top/build/fuzz
command -v clang >/dev/null || { echo "fuzz: clang is needed (sudo apt-get install clang)" >&2; exit 2; }
mkdir -p "$out/corpus-decode" "$out/corpus-sendlog" || exit 2
cp "$here"/corpus-sendlog/* "$out/corpus-sendlog/" 2>/dev/null
CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I$top/include -I$top/tracer $(pkg-config --cflags jansson libpcap 2>/dev/null)"
clang $CFLAGS -o "$out/fuzz_decode" "$here/fuzz_decode.c" "$top/tracer/decode.c" || exit 2
clang $CFLAGS -pthread -o "$out/fuzz_sendlog" "$here/fuzz_sendlog.c" "$top/tracer/sendlog.c" \
	"$top/tracer/strace.c" "$top/tracer/handoff.c" "$top/tracer/flow.c" \
	$(pkg-config --libs jansson 2>/dev/null || echo -ljansson) || exit 2
clang $CFLAGS -pthread -o "$out/fuzz_strace" "$here/fuzz_strace.c" "$top/tracer/strace.c" \
	"$top/tracer/flow.c" || exit 2
# strace: seeded with the golden recordings (small ones, whole files).
mkdir -p "$out/corpus-strace"
cp "$top"/tests/golden/strace-*.strace "$out/corpus-strace/" 2>/dev/null
status=0
for t in decode sendlog strace; do
	echo "fuzz: $t for $secs s"
	(cd "$out" && "./fuzz_$t" -max_total_time="$secs" -print_final_stats=1 "corpus-$t" >"$out/$t.log" 2>&1)
	rc=$?
	grep -E '^stat::number_of_executed_units|^Done|ERROR' "$out/$t.log"
	if [ $rc -ne 0 ]; then
		echo "fuzz: $t FAILED (exit $rc); the input is in $out (crash-*), the log in $out/$t.log"
		status=1
	fi
done
exit $status
