#!/bin/sh
# check_corpus.sh: the tracer against the capture corpus ($CORPUS/tcpdump: 830
# real captures from tcpdump's test suite, many link types, many of them
# deliberately broken).
#
# 1. Robustness: every capture replayed in text and in --json, each run under
#    `timeout 10`, two at a time. Passes when every run exits 0, 1 or 2 (124
#    is a hang, above 128 a signal), both modes exit alike, every --json line
#    parses, and no AddressSanitizer / LeakSanitizer / UBSan report appears on
#    stderr (looked for always; it matters with SAN=1).
# 2. Agreement with tcpdump, over the captures in $CORPUS/tcpdump-with-tcp.txt
#    and every other one in which tcpdump or rstscope finds TCP: each plain
#    TCP line of `TZ=UTC tcpdump -# -nn -S -tt -r FILE` must have a segment
#    row with the same n, ts (to the microsecond), src, dst, flags, seq, ack
#    and len;
#    each segment row must belong to a record tcpdump shows as TCP. Which
#    lines are plain, and why the other shapes are not compared, is written
#    down in tests/corpus/tcpdump-agree.awk. Captures whose link type
#    rstscope rejects are listed as skipped. Without tcpdump (or jq) this
#    part is skipped with a notice and the script's status is part 1's.
#
# Environment (set by `make check`): RSTSCOPE, SAN, CORPUS; optional TCPDUMP
# (default tcpdump) and JOBS (parallel runs, default 2).
set -u
LC_ALL=C # byte order for sort/comm, and awk over arbitrary bytes
export LC_ALL
here=$(cd "$(dirname "$0")" && pwd)
RSTSCOPE=${RSTSCOPE:-$here/../rstscope}
SAN=${SAN:-0}
CORPUS=${CORPUS:-$here/../../shared/corpus}
TCPDUMP=${TCPDUMP:-tcpdump}
JOBS=${JOBS:-2}
dir=$CORPUS/tcpdump
tcplist=$CORPUS/tcpdump-with-tcp.txt
agree_awk=$here/corpus/tcpdump-agree.awk

if [ ! -d "$dir" ]; then
	echo "SKIP: no capture corpus at $dir"
	exit 0
fi
if ! command -v timeout >/dev/null 2>&1; then
	echo "SKIP: timeout (coreutils) is not installed"
	exit 0
fi
if [ ! -x "$RSTSCOPE" ]; then
	echo "check_corpus: no tracer at $RSTSCOPE (run make)" >&2
	exit 1
fi
have_jq=1
command -v jq >/dev/null 2>&1 || have_jq=0
have_tcpdump=1
command -v "$TCPDUMP" >/dev/null 2>&1 || have_tcpdump=0

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rstscope-corpus.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# A sanitizer report must never pass for exit status 1 ("input damaged"),
# which is also ASan's default exit code.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=99"
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=99:print_stacktrace=1"
export ASAN_OPTIONS UBSAN_OPTIONS

status=0
t0=$(date +%s)

# ---------------------------------------------------------------- robustness
for p in "$dir"/*.pcap "$dir"/*.pcapng "$dir"/*.cap; do
	[ -f "$p" ] && echo "${p##*/}"
done | sort >"$tmp/files"
nfiles=$(wc -l <"$tmp/files" | tr -d ' ')
if [ "$nfiles" -eq 0 ]; then
	echo "check_corpus: no captures in $dir" >&2
	exit 1
fi
mkdir "$tmp/res" "$tmp/err" "$tmp/json" "$tmp/td" "$tmp/agree"
# Per capture: res/NAME holds "NAME text_rc text_san json_rc json_san",
# json/NAME the --json output; err/NAME.MODE the run's stderr, kept when the
# run failed, and for --json when it exited 2 (to tell a rejected link type).
# tcpdump's text for part 2 is made here too (td/NAME), in the same parallel
# pass, so that part 2 can look at every capture tcpdump shows TCP in.
[ $have_tcpdump = 1 ] && td_bin=$TCPDUMP || td_bin=""
# shellcheck disable=SC2016 # the worker script expands its own variables
tr '\n' '\0' <"$tmp/files" | xargs -0 -n 8 -P "$JOBS" sh -c '
	bin=$1 dir=$2 out=$3 td=$4; shift 4
	san_re="runtime error|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer"
	for f; do
		e=$out/err/$f
		timeout -k 2 10 "$bin" -r "$dir/$f" >/dev/null 2>"$e.text"
		trc=$?
		tsan=0; grep -qE "$san_re" "$e.text" && tsan=1
		timeout -k 2 10 "$bin" --json -r "$dir/$f" >"$out/json/$f" 2>"$e.json"
		jrc=$?
		jsan=0; grep -qE "$san_re" "$e.json" && jsan=1
		case $trc in 0|1|2) [ $tsan = 0 ] && rm -f "$e.text" ;; esac
		case $jrc in 0|1) [ $jsan = 0 ] && rm -f "$e.json" ;; esac
		echo "$f $trc $tsan $jrc $jsan" >"$out/res/$f"
		[ -z "$td" ] || TZ=UTC timeout -k 2 10 "$td" -# -nn -S -tt -r "$dir/$f" >"$out/td/$f" 2>/dev/null
	done' worker "$RSTSCOPE" "$dir" "$tmp" "$td_bin"

: >"$tmp/robfail" # "NAME: problem" lines, each maybe followed by indented detail
while read -r f; do
	if [ ! -f "$tmp/res/$f" ]; then
		echo "$f: not run" >>"$tmp/robfail"
		continue
	fi
	read -r _ trc tsan jrc jsan <"$tmp/res/$f"
	for m in text json; do
		if [ $m = text ]; then rc=$trc san=$tsan; else rc=$jrc san=$jsan; fi
		case $rc in
		0 | 1 | 2) why="" ;;
		124) why="hang (timed out after 10 s)" ;;
		99) why="sanitizer exit status 99" ;;
		*) if [ "$rc" -gt 128 ]; then why="killed by signal $((rc - 128))"; else why="exit status $rc"; fi ;;
		esac
		[ "$san" = 1 ] && why="${why:+$why, }sanitizer report"
		[ -n "$why" ] || continue
		echo "$f: $m: $why" >>"$tmp/robfail"
		if [ -s "$tmp/err/$f.$m" ]; then
			grep -E 'runtime error|ERROR: |SUMMARY: |#[0-3] ' "$tmp/err/$f.$m" | head -n 8 |
				sed 's/^/    /' >>"$tmp/robfail"
		fi
	done
	[ "$trc" = "$jrc" ] || echo "$f: exit status $trc in text but $jrc with --json" >>"$tmp/robfail"
done <"$tmp/files"

# Every segment row of every capture as TSV, "capture n src dst flags seq ack
# len ts" (ack "-" when absent), from one jq run: starting jq costs more than
# replaying most captures. Only if some output does not parse is each file
# read on its own, to name it.
: >"$tmp/allrows"
: >"$tmp/badjson"
if [ $have_jq = 1 ]; then
	rows_prog='select(type == "object" and .kind == "segment")
		| [(input_filename | sub(".*/"; "")), .n, .src, .dst, .flags, .seq,
		   (if has("ack") then .ack else "-" end), .len, .ts] | @tsv'
	if ! (cd "$tmp/json" && jq -r "$rows_prog" ./* >"$tmp/allrows" 2>/dev/null); then
		: >"$tmp/allrows"
		while read -r f; do
			(cd "$tmp/json" && jq -r "$rows_prog" "./$f" >>"$tmp/allrows" 2>/dev/null) ||
				echo "$f" >>"$tmp/badjson"
		done <"$tmp/files"
	fi
	sed 's/$/: --json wrote a line jq cannot parse/' "$tmp/badjson" >>"$tmp/robfail"
fi

counts=$(cat "$tmp"/res/* | awk 'NF == 5 { t[$2]++; j[$4]++ }
	END { printf "text exit 0/1/2: %d/%d/%d; --json exit 0/1/2: %d/%d/%d",
		t[0], t[1], t[2], j[0], j[1], j[2] }')
echo "corpus robustness: $nfiles captures, $((nfiles * 2)) runs (SAN=$SAN); $counts"
[ $have_jq = 1 ] || echo "corpus robustness: jq is not installed: --json output not parsed (make deps)"
nfail=$(grep -c '^[^ ]' "$tmp/robfail")
if [ "$nfail" -gt 0 ]; then
	echo "corpus robustness: FAILED: $nfail problems:"
	head -n 100 "$tmp/robfail" | sed 's/^/  /'
	[ "$(wc -l <"$tmp/robfail")" -gt 100 ] && echo "  ..."
	status=1
else
	echo "corpus robustness: no crash, hang or sanitizer report"
fi
t1=$(date +%s)
echo "corpus robustness: $((t1 - t0)) s (with tcpdump's runs for part 2)"

# ------------------------------------------------------ agreement with tcpdump
if [ $have_tcpdump = 0 ]; then
	echo "corpus agreement: SKIP: tcpdump is not installed (make deps)"
	exit $status
fi
if [ $have_jq = 0 ]; then
	echo "corpus agreement: SKIP: jq is not installed (make deps)"
	exit $status
fi
if [ ! -f "$tcplist" ]; then
	echo "corpus agreement: SKIP: no list of the captures with TCP at $tcplist"
	exit $status
fi
: >"$tmp/findings"
: >"$tmp/skipped"
: >"$tmp/broken"
# The list, plus every other capture in which tcpdump shows TCP flags or
# rstscope found TCP (the list misses some: tunnels, unsupported link types,
# IPv6 with extension headers). rstscope's side is the --json run above.
grep -v '^$' "$tcplist" >"$tmp/agree-list"
nlisted=$(wc -l <"$tmp/agree-list" | tr -d ' ')
{
	cut -f 1 "$tmp/allrows"
	(cd "$tmp/td" && grep -lE '^ *[0-9]+  .*: Flags \[(none|[FSRP.UEW]+)\]' ./*) | sed 's|^\./||'
} | sort -u >"$tmp/with-tcp"
sort "$tmp/agree-list" | comm -13 - "$tmp/with-tcp" >"$tmp/unlisted"
nunlisted=$(wc -l <"$tmp/unlisted" | tr -d ' ')
cat "$tmp/unlisted" >>"$tmp/agree-list"
# The rows of capture NAME into agree/NAME.rows, without the name column.
awk -F '\t' -v d="$tmp/agree" '
	$1 != cur { if (cur != "") close(out); cur = $1; out = d "/" cur ".rows" }
	{ sub(/^[^\t]*\t/, ""); print >>out }' "$tmp/allrows"

while read -r f; do
	a=$tmp/agree/$f
	if [ ! -f "$tmp/res/$f" ]; then
		echo "$f: listed in $(basename "$tcplist") but not in the corpus" >>"$tmp/broken"
		continue
	fi
	read -r _ _ _ rc _ <"$tmp/res/$f"
	if [ "$rc" = 2 ] && grep -q 'link type .* is not supported' "$tmp/err/$f.json"; then
		echo "$f ($(sed -n 's/.*link type \([^ ]*\) is not supported.*/\1/p' "$tmp/err/$f.json" | head -n 1))" >>"$tmp/skipped"
		continue
	fi
	case $rc in
	0 | 1) ;;
	*)
		echo "$f: rstscope --json exited $rc" >>"$tmp/broken"
		continue
		;;
	esac
	if grep -qxF "$f" "$tmp/badjson"; then
		echo "$f: jq cannot read rstscope's JSON" >>"$tmp/broken"
		continue
	fi
	[ -f "$a.rows" ] || : >"$a.rows"
	hex=""
	if grep -q '^ *[0-9]*  [0-9.]* IP bad-len ' "$tmp/td/$f"; then
		TZ=UTC timeout -k 2 10 "$TCPDUMP" -# -x -nn -tt -r "$dir/$f" >"$a.hex" 2>/dev/null
		hex=$a.hex
	fi
	awk -v cap="$f" -f "$agree_awk" "$a.rows" "$tmp/td/$f" ${hex:+"$hex"} >>"$tmp/findings"
done <"$tmp/agree-list"

awk -F '\t' -v listed="$nlisted" -v unlisted="$nunlisted" '
$1 == "S" {
	caps++; plain += $3; tip += $4; ext6 += $5; matched += $6; evid += $7
	rows += $8; nonplain += $9; badts += $10
}
$1 == "E" { ev[$4]++ }
END {
	printf "corpus agreement: %d captures compared (%d listed as having TCP, %d more in which tcpdump or rstscope found TCP)\n", caps, listed, unlisted
	printf "corpus agreement: %d plain tcpdump TCP lines (%d behind truncated-ip, %d behind IPv6 extension headers), %d matched\n", plain, tip, ext6, matched
	if (badts)
		printf "corpus agreement: %d of them with a timestamp fraction out of range: ts not compared\n", badts
	if (nonplain)
		printf "corpus agreement: %d TCP lines in other shapes (tunnels, MPLS): not compared\n", nonplain
	printf "corpus agreement: %d segment rows, %d of them for records tcpdump shows as TCP in other shapes", rows, evid
	sep = ": "
	for (k in ev) { printf "%s%d %s", sep, ev[k], k; sep = "; " }
	printf "\n"
}' "$tmp/findings"
nskip=$(wc -l <"$tmp/skipped" | tr -d ' ')
if [ "$nskip" -gt 0 ]; then
	echo "corpus agreement: $nskip captures skipped, link type not supported: $(tr '\n' ' ' <"$tmp/skipped")"
fi
nbroken=$(wc -l <"$tmp/broken" | tr -d ' ')
if [ "$nbroken" -gt 0 ]; then
	echo "corpus agreement: FAILED: $nbroken captures could not be compared:"
	sed 's/^/  /' "$tmp/broken"
	status=1
fi
nmis=$(grep -c '^M' "$tmp/findings")
if [ "$nmis" -gt 0 ]; then
	echo "corpus agreement: FAILED: $nmis mismatches (the first 20):"
	grep '^M' "$tmp/findings" | head -n 20 | awk -F '\t' '{ printf "  %s #%s: %s\n", $2, $3, $4 }'
	echo "  mismatches per capture:"
	grep '^M' "$tmp/findings" | cut -f 2 | sort | uniq -c | sort -rn | sed 's/^/  /'
	status=1
fi
ncaps=$(grep -c '^S' "$tmp/findings")
nmatched=$(awk -F '\t' '$1 == "S" { m += $6 } END { print m + 0 }' "$tmp/findings")
echo "corpus agreement: $(($(date +%s) - t1)) s"
echo "corpus agreement: $nmatched segments agree over $ncaps captures"
exit $status
