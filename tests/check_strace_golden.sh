#!/bin/sh
# check_strace_golden.sh: the server-close story recorded under strace with
# each flag set of tests/golden/STRACE-VARIANTS (record-strace-golden.sh)
# gives the same call rows (tests/strace-rows.jq, without the pids, which
# differ between recordings) as the -f -yy -ttt -T one; without -T the calls
# are placed at their entry, so only the set of rows is compared; without
# -yy the rows cannot be matched and rstscope says which flags to use.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
RSTSCOPE=${RSTSCOPE:-$top/rstscope}
dir=$here/golden
export TZ=UTC LC_ALL=C
command -v jq >/dev/null || { echo "SKIP: jq is not installed (make deps)"; exit 0; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0 fail=0
rows() { # name -> $tmp/name.rows, $tmp/name.err
	src=$dir/strace-$1.strace
	[ -d "$dir/strace-$1.ff" ] && src=$dir/strace-$1.ff/trace
	"$RSTSCOPE" --json -r "$dir/strace-$1.pcap" -l "$src" 2>"$tmp/$1.err" |
		jq -c -s -f "$here/strace-rows.jq" | jq -c 'del(.pid)' >"$tmp/$1.rows"
}
rows base
if grep -q '"errno":"EPIPE"' "$tmp/base.rows" && grep -q '"lost":14' "$tmp/base.rows" && [ ! -s "$tmp/base.err" ]; then
	pass=$((pass + 1)); echo "ok   base: EPIPE from the RST in CLOSE_WAIT, 14 bytes lost, nothing on stderr"
else
	fail=$((fail + 1)); echo "FAIL base: not the server-close verdicts:"; cat "$tmp/base.rows" "$tmp/base.err"
fi
while IFS='|' read -r name flags; do
	name=$(echo $name)
	case "$name" in ''|'#'*|base) continue ;; esac
	rows "$name"
	case "$name" in
	noyy)
		if grep -q 'no TCP addresses (recorded without -yy).*strace -f -yy -ttt -T -o FILE' "$tmp/noyy.err" &&
		   [ "$(wc -l <"$tmp/noyy.err")" -eq 1 ] && ! grep -q '"conn":[0-9]' "$tmp/noyy.rows" &&
		   [ "$(grep -c '"event":"send"' "$tmp/noyy.rows")" -eq 4 ]; then
			pass=$((pass + 1)); echo "ok   noyy: one line naming the flags; the 4 sends listed, unmatched"
		else
			fail=$((fail + 1)); echo "FAIL noyy:"; cat "$tmp/noyy.err" "$tmp/noyy.rows"
		fi
		continue ;;
	noT) sort "$tmp/base.rows" >"$tmp/want"; sort "$tmp/noT.rows" >"$tmp/got" ;;
	*) cp "$tmp/base.rows" "$tmp/want"; cp "$tmp/$name.rows" "$tmp/got" ;;
	esac
	if [ -s "$tmp/$name.err" ]; then
		fail=$((fail + 1)); echo "FAIL $name ($flags): rstscope said:"; cat "$tmp/$name.err"
	elif cmp -s "$tmp/want" "$tmp/got"; then
		pass=$((pass + 1)); echo "ok   $name ($(echo $flags)): the same call rows"
	else
		fail=$((fail + 1)); echo "FAIL $name ($flags): rows differ from -f -yy -ttt -T:"; diff "$tmp/want" "$tmp/got" | head -20
	fi
done <"$dir/STRACE-VARIANTS"
echo "strace golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
