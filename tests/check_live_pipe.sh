#!/bin/sh
# check_live_pipe.sh: live output flows into a pipe (issue 10 item 8). As
# root, in a private network namespace (unshare -n) with only lo up, the
# tracer's standard output is a pipe (as in `rstscope | grep RST`); a demo
# scenario makes a few connections; while the tracer still runs, the reader
# of the pipe must already have the segment lines, in text and in JSON.
# Before, a pipe got nothing until 120 KiB or the end.
set -u
. "$(dirname "$0")/lib.sh"
needs_root_netns "live tests need" "they capture in a private network namespace"
tmp_dir
pass=0 fail=0

for mode in text json; do
	opt=
	[ $mode = json ] && opt=--json
	# The reader copies each line to a file as it gets it; once the demo
	# is done, the file is looked at while the tracer is still running.
	unshare -n sh -c '
		ip link set lo up
		mkfifo "$1/pipe"
		while IFS= read -r line; do printf "%s\n" "$line" >>"$1/seen"; done <"$1/pipe" &
		reader=$!
		"$2" $4 -i lo >"$1/pipe" 2>"$1/err" &
		rp=$!
		i=0
		while ! grep -q "^rstscope: listening on" "$1/err" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1; i=$((i + 1))
		done
		"$3" server-close --pace 10 >/dev/null 2>&1
		sleep 0.5
		if kill -0 $rp 2>/dev/null; then echo running >"$1/state"; fi
		cp "$1/seen" "$1/seen-while-running" 2>/dev/null || : >"$1/seen-while-running"
		kill -INT $rp
		wait $rp
		wait $reader
	' sh "$tmp" "$RSTSCOPE" "$RSTSCOPE_DEMO" "$opt"
	if [ $mode = json ]; then
		n=$(grep -c '"kind":"segment"' "$tmp/seen-while-running")
		total=$(grep -c '"kind":"segment"' "$tmp/seen")
	else
		n=$(grep -cE '^ +[0-9]+ +[0-9.]+ #' "$tmp/seen-while-running")
		total=$(grep -cE '^ +[0-9]+ +[0-9.]+ #' "$tmp/seen")
	fi
	if [ "$(cat "$tmp/state" 2>/dev/null)" != running ]; then
		fail=$((fail + 1))
		echo "FAIL $mode: the tracer had stopped before the check: $(cat "$tmp/err")"
	elif [ "$n" -ge 10 ] && [ "$n" = "$total" ]; then
		pass=$((pass + 1))
		echo "ok   $mode: $n segment lines through the pipe while the tracer ran"
	else
		fail=$((fail + 1))
		echo "FAIL $mode: $n segment lines through the pipe while the tracer ran, $total in all"
		sed -n '1,5s/^/   /p' "$tmp/err"
	fi
	rm -f "$tmp/pipe" "$tmp/seen" "$tmp/seen-while-running" "$tmp/state" "$tmp/err"
done

echo "live pipe: $pass passed, $fail failed"
[ "$fail" = 0 ]
