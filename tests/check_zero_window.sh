#!/bin/sh
# check_zero_window.sh: sends stalled behind a window of 0 are not lost until
# the connection really ends. A real program (tests/programs/zerowin.py,
# python3) fills a receiver that stops reading, traced live by the kernel
# recorder (root, in a private network namespace). The truth is the
# kernel's own account, read by the program: what send() accepted, the
# client's send queue (SIOCOUTQ: not yet acknowledged) and the server's
# receive queue (SIOCINQ) once stalled, what the server read, and what the
# next send() got.
#   read:  the server reads it all, after a stall of 6 s: rstscope names the
#          zero window and counts nothing lost (live, a send waiting 5 s is
#          printed unsettled, its fate counted in the summary); replaying the
#          saved capture and calls, the stalled sends wait for their
#          acknowledgment: every one acknowledged in full, none unsettled;
#   reset: the server closes unread: RST. The bytes rstscope counts lost are
#          exactly the client's send queue, those acknowledged exactly what
#          the server's kernel held, and the next send's ECONNRESET is caused
#          by that RST.
set -u
. "$(dirname "$0")/lib.sh"
needs_root_netns "the zero-window story needs" "the kernel recorder and a capture in a private network namespace"
needs_cmd jq
tmp_dir
pass=0 fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

for mode in read reset; do
	stall=1.5
	[ "$mode" = read ] && stall=6
	unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
		"$RSTSCOPE" --json -w "$tmp/$mode.pcap" -- "$PY" "$here/programs/zerowin.py" "$mode" 9100 $stall \
		>"$tmp/$mode.out" 2>"$tmp/$mode.err"
	rc=$?
	grep '"kind"' "$tmp/$mode.out" >"$tmp/$mode.rows"
	grep -v '"kind"' "$tmp/$mode.out" | jq -s 'add' >"$tmp/$mode.truth" 2>/dev/null
	if grep -q 'calls are not recorded' "$tmp/$mode.err"; then
		echo "SKIP: the kernel recorder cannot load here: $(grep -m1 'calls are not recorded' "$tmp/$mode.err")"
		exit 0
	fi
	t() { jq -r ".$1 // \"none\"" "$tmp/$mode.truth"; }
	sent=$(t sent) unacked=$(t unacked) unread=$(t unread)
	if [ $rc -ne 0 ] || [ "$sent" = none ] || [ "$unacked" = 0 ] || [ "$unacked" = none ]; then
		bad "$mode: the program did not stall its sender (exit $rc, sent $sent, unacked $unacked): $(head -c 400 "$tmp/$mode.err")"
		continue
	fi
	got=$(jq -s -r '
	  (map(select(.kind == "segment" and .zero_window)) | length) as $zw
	  | (map(select(.kind == "call" and .event == "send" and .ret > 0))) as $s
	  | "\($zw > 0) \($s | map(.lost // 0) | add) \($s | map(.acked) | add) \($s | map(select(.unsettled)) | length)"' "$tmp/$mode.rows")
	set -- $got
	named=$1 lost=$2 acked=$3 unsettled=$4
	if [ "$mode" = read ]; then
		read=$(t read)
		blost=$(jq -s -r 'map(select(.kind == "summary" and .conn != null)) | .[0].bytes_lost' "$tmp/$mode.rows")
		if [ "$read" = "$sent" ] && [ "$named" = true ] && [ "$lost" = 0 ] && [ "$blost" = 0 ]; then
			ok "read: the server read all $sent bytes after a 6 s stall; live, rstscope names the zero window and counts none of the stalled $unacked bytes lost"
		else
			bad "read: the program read $read of $sent; rstscope live: zero window named $named, lost $lost (summary $blost)"
		fi
		"$RSTSCOPE" --json -r "$tmp/$mode.pcap" -l "$tmp/$mode.sendlog" >"$tmp/replay.rows" 2>"$tmp/replay.err"
		got=$(jq -s -r '(map(select(.kind == "call" and .event == "send" and .ret > 0))) as $s
		  | "\($s | map(.lost // 0) | add) \($s | map(.acked) | add) \($s | map(select(.unsettled)) | length) \($s | map(select(.zero_window_at)) | length)"' "$tmp/replay.rows")
		set -- $got
		if [ "$1" = 0 ] && [ "$2" = "$sent" ] && [ "$3" = 0 ]; then
			ok "read, replayed: the stalled sends waited for their acknowledgment: all $2 bytes acknowledged, none lost, none printed unsettled"
		else
			bad "read, replayed: lost $1, acked $2 of $sent, unsettled $3"
		fi
	else
		after=$(t after)
		cause=$(jq -s -r '(map(select(.kind == "segment" and (.flags | startswith("R")))) | .[0].n) as $rst
		  | map(select(.kind == "call" and .errno == "ECONNRESET")) | .[0]
		  | "\(.cause.why):\(.cause.n == $rst)"' "$tmp/$mode.rows")
		if [ "$named" = true ] && [ "$lost" = "$unacked" ] && [ "$acked" = "$unread" ] &&
			[ $((acked + lost)) = "$sent" ] && [ "$after" = ECONNRESET ] &&
			[ "$cause" = "rst_in_established:true" ]; then
			ok "reset: the server closed with $unread bytes unread; the $lost bytes rstscope counts lost are the client's send queue (SIOCOUTQ $unacked), and the next send's ECONNRESET is that RST's"
		else
			bad "reset: the kernel: sent $sent, send queue $unacked, receive queue $unread, next send $after; rstscope: zero window named $named, lost $lost, acked $acked, cause $cause"
		fi
	fi
done
echo "zero window: $pass passed, $fail failed"
[ $fail -eq 0 ]
