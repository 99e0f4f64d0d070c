#!/bin/sh
# run-checks.sh: run the cmocka programs given as arguments, then every
# tests/check_*.sh script in name order; print one line per suite and a total.
#   --unit-only   run only the cmocka programs
set -u
unit_only=0
[ "${1:-}" = "--unit-only" ] && { unit_only=1; shift; }
here=$(dirname "$0")
passed=0 failed=0 skipped=0
failures=""
run() { # name, command...
	name=$1; shift
	out=$("$@" 2>&1); rc=$?
	printf '%s\n' "$out"
	if [ $rc -eq 0 ]; then
		if printf '%s\n' "$out" | grep -q '^SKIP:'; then
			skipped=$((skipped + 1)); echo "== $name: skipped"
		else
			passed=$((passed + 1)); echo "== $name: ok"
		fi
	else
		failed=$((failed + 1)); failures="$failures $name"; echo "== $name: FAILED (exit $rc)"
	fi
}
for t in "$@"; do
	run "$(basename "$t")" "$t"
done
if [ $unit_only -eq 0 ]; then
	for s in "$here"/check_*.sh; do
		[ -e "$s" ] || continue
		run "$(basename "$s" .sh)" sh "$s"
	done
fi
echo
[ -n "$failures" ] && echo "failed suites:$failures"
echo "suites: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
