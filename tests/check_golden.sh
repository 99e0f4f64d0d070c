#!/bin/sh
# check_golden.sh: replay each case of tests/golden/TESTLIST and diff the
# output against tests/golden/NAME.out. GOLDEN_UPDATE=1 rewrites them.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
dir=$here/golden
RSTSCOPE=${RSTSCOPE:-$top/rstscope}
export TZ=UTC LC_ALL=C
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0 fail=0 updated=0
while read -r name cap opts; do
	case "$name" in ''|'#'*) continue ;; esac
	stdin=/dev/null
	case "$cap" in
	-) src="" ;;
	'<'*) stdin=${cap#<}; stdin=$(if [ -e "$dir/$stdin" ]; then echo "$dir/$stdin"; else echo "$top/$stdin"; fi); src="-r -" ;;
	*) if [ -e "$dir/$cap" ]; then src="-r $dir/$cap"; else src="-r $top/$cap"; fi ;;
	esac
	# shellcheck disable=SC2086 # options are words by design
	(cd "$top" && "$RSTSCOPE" $src $opts <"$stdin" >"$tmp/out" 2>"$tmp/err"); rc=$?
	{
		cat "$tmp/out"
		echo "--- stderr"
		sed -e "s|$dir/||g" -e "s|$top/||g" -e "s|$RSTSCOPE|rstscope|g" "$tmp/err"
		echo "--- exit $rc"
	} >"$tmp/got"
	if [ "${GOLDEN_UPDATE:-0}" = 1 ]; then
		if ! cmp -s "$tmp/got" "$dir/$name.out" 2>/dev/null; then
			cp "$tmp/got" "$dir/$name.out"
			updated=$((updated + 1))
			echo "updated $name"
		fi
		continue
	fi
	if [ ! -e "$dir/$name.out" ]; then
		echo "FAIL $name: no expected output (run 'make golden-update' and review it)"
		fail=$((fail + 1))
	elif diff -u "$dir/$name.out" "$tmp/got" >"$tmp/diff"; then
		pass=$((pass + 1))
	else
		echo "FAIL $name: output differs from tests/golden/$name.out:"
		head -40 "$tmp/diff"
		fail=$((fail + 1))
	fi
done <"$dir/TESTLIST"
if [ "${GOLDEN_UPDATE:-0}" = 1 ]; then
	echo "golden: $updated files rewritten; review them with 'git diff tests/golden'"
	exit 0
fi
echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
