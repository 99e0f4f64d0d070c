#!/bin/sh
# check_term.sh: the text for a terminal. In an 80-column tmux pane the
# server-close story has no wrapped line (compact layout) and is in colour
# (RST and the failed call red, FIN yellow, notes dim, lost bytes bold red);
# NO_COLOR and --color=never turn colour off; to a pipe the output is as
# before, unless --color=always or --compact is asked for.
set -u
. "$(dirname "$0")/lib.sh"
export TZ=UTC LC_ALL=C
command -v tmux >/dev/null 2>&1 || { echo "SKIP: tmux is not installed (Debian: tmux)"; exit 0; }
tmp=$(mktemp -d) || exit 1
sock=rstscope-check-$$
trap 'tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
fail=0
cap="$top/captures/server-close.pcap" log="$top/captures/server-close.sendlog"
# Runs rstscope in a fresh 80x120 pane (env: $1), waits for it, captures the pane.
pane() {
	tmux -L "$sock" kill-server 2>/dev/null
	tmux -L "$sock" -f /dev/null new-session -d -x 80 -y 120 -s t \
		"env $1 TERM=xterm-256color $RSTSCOPE -r $cap -l $log; echo __done__; sleep 60"
	i=0
	while [ $i -lt 100 ]; do
		tmux -L "$sock" capture-pane -p -t t | grep -q __done__ && break
		sleep 0.1; i=$((i + 1))
	done
	tmux -L "$sock" capture-pane -p -t t >"$tmp/plain"
	tmux -L "$sock" capture-pane -p -J -t t >"$tmp/joined"
	tmux -L "$sock" capture-pane -p -e -t t >"$tmp/esc"
}
pane "NO_COLOR="
rows=$(grep -c . "$tmp/plain") joined=$(grep -c . "$tmp/joined")
if ! grep -q __done__ "$tmp/plain"; then
	echo "FAIL: rstscope did not finish in the pane:"; cat "$tmp/plain"; fail=$((fail + 1))
elif [ "$rows" != "$joined" ]; then
	echo "FAIL: $((rows - joined)) lines wrapped at 80 columns:"; cat "$tmp/plain"; fail=$((fail + 1))
fi
grep -q 'L11 .*= -1 EPIPE' "$tmp/plain" || { echo "FAIL: the story is not all there"; fail=$((fail + 1)); }
grep -q '^#1 client 127.0.0.1:[0-9]* <-> server' "$tmp/plain" || { echo "FAIL: no connection header"; fail=$((fail + 1)); }
grep -q ' win \| <mss ' "$tmp/plain" && { echo "FAIL: window or options shown without -v"; fail=$((fail + 1)); }
esc=$(printf '\033')
# tmux re-encodes the attributes (only the changes), so here only that
# colour reached the terminal; which line gets which, from --color=always.
grep -q "${esc}\[[0-9;]*31m" "$tmp/esc" || { echo "FAIL: no colour in the terminal"; fail=$((fail + 1)); }
COLUMNS=80 "$RSTSCOPE" -r "$cap" -l "$log" --compact --color=always >"$tmp/c" 2>/dev/null
grep -q "^${esc}\[31m *11 .*\[R\]" "$tmp/c" || { echo "FAIL: the RST is not red"; fail=$((fail + 1)); }
grep -q "^${esc}\[33m *8 .*\[F\.\]" "$tmp/c" || { echo "FAIL: the FIN is not yellow"; fail=$((fail + 1)); }
grep -q "^${esc}\[31m L11 " "$tmp/c" || { echo "FAIL: the failed call is not red"; fail=$((fail + 1)); }
grep -q "^${esc}\[1;31m *-- RST" "$tmp/c" || { echo "FAIL: the lost bytes are not highlighted"; fail=$((fail + 1)); }
grep -q "^${esc}\[2m *-- FIN" "$tmp/c" || { echo "FAIL: notes are not dim"; fail=$((fail + 1)); }
pane "NO_COLOR=1"
grep -q "$esc\[[0-9;]*3[13]m" "$tmp/esc" && { echo "FAIL: colour despite NO_COLOR"; fail=$((fail + 1)); }
# To a pipe: as it was (the golden file), colour only when asked.
"$RSTSCOPE" -r "$cap" -l "$log" >"$tmp/pipe" 2>/dev/null
sed '/^--- stderr$/,$d' "$here/golden/cap-server-close.out" >"$tmp/want"
cmp -s "$tmp/want" "$tmp/pipe" || { echo "FAIL: the output to a pipe changed"; fail=$((fail + 1)); }
"$RSTSCOPE" -r "$cap" -l "$log" --color=always >"$tmp/always" 2>/dev/null
grep -q "$esc\[31m" "$tmp/always" || { echo "FAIL: --color=always gave no colour"; fail=$((fail + 1)); }
[ "$(sed "s/$esc\[[0-9;]*m//g" "$tmp/always" | md5sum)" = "$(md5sum <"$tmp/pipe")" ] ||
	{ echo "FAIL: --color=always changed more than the colours"; fail=$((fail + 1)); }
COLUMNS=60 "$RSTSCOPE" -r "$cap" -l "$log" --compact -v >"$tmp/v" 2>/dev/null
grep -q ' win ' "$tmp/v" || { echo "FAIL: --compact -v leaves out the window"; fail=$((fail + 1)); }
awk 'length($0) > 60 { bad = 1 } END { exit bad }' "$tmp/v" || { echo "FAIL: --compact at COLUMNS=60 has longer lines"; fail=$((fail + 1)); }
echo "term: $fail failures"
[ "$fail" -eq 0 ]
