#!/bin/sh
# check_strace_demo.sh: strace as a call source gives the demo's verdicts.
# Every scenario of tests/scenarios.list runs once, as root, in a private
# network namespace, under `strace -f -yy -ttt -T` while rstscope captures
# (-w) and the demo writes its own send log; then the capture is replayed
# with each: the call rows (tests/strace-rows.jq: errno, cause, causing
# segment, SIGPIPE, lost bytes...) must be the same.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
RSTSCOPE=${RSTSCOPE:-$top/rstscope}
RSTSCOPE_DEMO=${RSTSCOPE_DEMO:-$top/rstscope-demo}
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: the strace cross-check needs root (a network namespace and a live capture): run 'sudo make check'"
	exit 0
fi
unshare -n true 2>/dev/null || { echo "SKIP: network namespaces are not available (unshare -n failed)"; exit 0; }
command -v jq >/dev/null || { echo "SKIP: jq is not installed (make deps)"; exit 0; }
command -v strace >/dev/null || { echo "SKIP: strace is not installed (make deps)"; exit 0; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0 fail=0
while read -r name scenario opts; do
	[ -z "${ONLY:-}" ] || [ "$ONLY" = "$name" ] || continue
	case "$name" in ''|'#'*) continue ;; esac
	# strace shows no local port for a refused connect() (the socket never
	# had a connection: -yy gives only its inode), so nothing ties that call
	# to its SYN; the demo's own log has the port.
	case "$name" in connect-refused)
		echo "note $name: skipped: strace does not show the local port of a refused connect()"
		continue ;;
	esac
	d=$tmp/$name
	mkdir -p "$d"
	# shellcheck disable=SC2086
	unshare -n sh -c '
		ip link set lo up || exit 3
		exec "$1" --json -w "$2/cap.pcap" -l "$2/demo.sendlog" -- \
			strace -f -yy -ttt -T -o "$2/demo.strace" "$3" $4 >/dev/null
	' sh "$RSTSCOPE" "$d" "$RSTSCOPE_DEMO" "$opts --pace 50 $scenario" >"$d/live.json" 2>"$d/live.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		fail=$((fail + 1)); echo "FAIL $name: recording under strace exited $rc:"; cat "$d/live.err"; continue
	fi
	"$RSTSCOPE" --json -r "$d/cap.pcap" -l "$d/demo.sendlog" 2>"$d/a.err" | jq -c -s -f "$here/strace-rows.jq" >"$d/a.rows"
	"$RSTSCOPE" --json -r "$d/cap.pcap" -l "$d/demo.strace" 2>"$d/b.err" | jq -c -s -f "$here/strace-rows.jq" >"$d/b.rows"
	if [ -s "$d/b.err" ]; then
		fail=$((fail + 1)); echo "FAIL $name: replaying the strace output said:"; cat "$d/b.err"
	elif ! grep -q '"errno":"E\|"signal":"SIGPIPE"\|"cause":"peer_fin_eof' "$d/a.rows"; then
		fail=$((fail + 1)); echo "FAIL $name: the demo's log shows no failed call (the comparison would prove nothing)"
	elif cmp -s "$d/a.rows" "$d/b.rows"; then
		pass=$((pass + 1)); echo "ok   $name: strace rows = send-log rows ($(wc -l <"$d/a.rows") rows)"
	else
		fail=$((fail + 1)); echo "FAIL $name: the strace rows differ from the send log's:"
		diff "$d/a.rows" "$d/b.rows" | head -20
	fi
done <"$here/scenarios.list"
echo "strace demo cross-check: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
