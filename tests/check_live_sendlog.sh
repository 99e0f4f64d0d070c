#!/bin/sh
# check_live_sendlog.sh: live (-i lo, the log followed as it grows), send-log
# trouble is said once on stderr, as root in a private network namespace:
#  1. a log that has not appeared after 3 s;
#  2. a log that appears but the dropped user (-Z nobody) may not open;
#  3. a log rewritten from the start (its line numbers start over).
set -u
. "$(dirname "$0")/lib.sh"
needs_root_netns "live tests need" "they capture in a private network namespace"
tmp_dir
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
LINE='{"ts":"1763723790.000000001","pid":1,"event":"exit","status":0}'

# 1 and 2 together: nothing for 3.5 s, then a file nobody may read.
unshare -n sh -c '
	ip link set lo up
	"$1" -i lo -Z nobody -l "$2/late.log" --duration 5 >"$2/out1" 2>"$2/err1" &
	sleep 3.7
	(umask 077; echo "$3" >"$2/late.log")
	wait' sh "$RSTSCOPE" "$tmp" "$LINE"
if [ "$(grep -c 'late.log: not there yet after 3 s; still waiting for it' "$tmp/err1")" -eq 1 ]; then
	ok "a log not there after 3 s is said once"
else
	bad "a log not there after 3 s:"; cat "$tmp/err1"
fi
if [ "$(grep -c 'late.log: cannot open it as uid [0-9]*: Permission denied; still trying' "$tmp/err1")" -eq 1 ]; then
	ok "a log the dropped user may not open is said once"
else
	bad "a log the dropped user may not open:"; cat "$tmp/err1"
fi

# 3. Rewritten from the start while followed.
printf '%s\n%s\n' "$LINE" "$LINE" >"$tmp/re.log"
chmod 644 "$tmp/re.log"
unshare -n sh -c '
	ip link set lo up
	"$1" -i lo -l "$2/re.log" --duration 1.5 >"$2/out3" 2>"$2/err3" &
	sleep 0.7
	echo "not json" >"$2/re.log"
	wait' sh "$RSTSCOPE" "$tmp"
if [ "$(grep -c 're.log: truncated and rewritten from the start: reading it again, its line numbers start over at 1' "$tmp/err3")" -eq 1 ] &&
	grep -q 're.log: line 1: not JSON' "$tmp/err3"; then
	ok "a log rewritten from the start is said, and numbered from 1 again"
else
	bad "a log rewritten from the start:"; cat "$tmp/err3"
fi

echo "live send log: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
