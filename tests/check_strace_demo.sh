#!/bin/sh
# check_strace_demo.sh: strace as a call source gives the demo's verdicts.
# Every scenario of tests/scenarios.list runs once, as root, in a private
# network namespace, under `strace -f -yy -ttt -T` while rstscope captures
# (-w) and the demo writes its own send log; then the capture is replayed
# with each: the call rows (tests/strace-rows.jq: errno, cause, causing
# segment, SIGPIPE, lost bytes...) must be the same. Then --via strace live,
# with a command and attached (-p).
set -u
# LeakSanitizer cannot run under ptrace, and strace is a ptrace tracer: in
# the sanitizer build (SAN=1) the programs strace runs keep ASan and UBSan
# but leave leak detection to the rest of the suite.
[ "${SAN:-}" = 1 ] && export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
. "$(dirname "$0")/lib.sh"
needs_root_netns "the strace cross-check needs" "a network namespace and a live capture"
needs_cmd jq strace
tmp_dir
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

# Live: --via strace -- COMMAND, and --via strace -p PID (attached to a
# process that waits a moment first): what was printed live is what the
# saved capture and strace output replay to, and the verdict is the story's.
live_check() { # name, expected failed call (errno:cause:sigpipe)
	# (less the live run's closing statistics row, which a replay has not)
	grep '^{' "$tmp/$1.live" | grep -v '^{"kind":"stats"' >"$tmp/$1.live.json"
	"$RSTSCOPE" --json -r "$tmp/$1.pcap" -l "$tmp/$1.strace" >"$tmp/$1.replay.json" 2>"$tmp/$1.replay.err"
	got=$(jq -r 'select(.kind == "call" and .cause != null and .errno != null) | "\(.errno):\(.cause.why):\(.sigpipe)"' "$tmp/$1.live.json" | head -1)
	if ! cmp -s "$tmp/$1.live.json" "$tmp/$1.replay.json"; then
		fail=$((fail + 1)); echo "FAIL $1: the live rows differ from the replay of what was saved:"
		diff "$tmp/$1.live.json" "$tmp/$1.replay.json" | head -10
	elif [ "$got" != "$2" ]; then
		fail=$((fail + 1)); echo "FAIL $1: live verdict '$got', want '$2'"; cat "$tmp/$1.err"
	else
		pass=$((pass + 1)); echo "ok   $1: live = replay ($(grep -c . "$tmp/$1.live.json") rows), $got"
	fi
}
unshare -n sh -c '
	ip link set lo up || exit 3
	exec "$1" --json -w "$2.pcap" -l "$2.strace" --via strace -- "$3" server-close --pace 50
' sh "$RSTSCOPE" "$tmp/via-command" "$RSTSCOPE_DEMO" >"$tmp/via-command.live" 2>"$tmp/via-command.err"
live_check via-command "EPIPE:rst_in_close_wait:true"
unshare -n sh -c '
	ip link set lo up || exit 3
	python3 "$4/strace-peer.py" 9900 read-close "$2.ready" &
	python3 -c "import socket,time; time.sleep(1.5); s=socket.create_connection((\"127.0.0.1\",9900)); s.send(b\"hello\"); time.sleep(0.5); s.send(b\"more\"); time.sleep(0.2); s.send(b\"again\")" 2>"$2.said" &
	sleep 0.3
	"$1" --json -w "$2.pcap" -l "$2.strace" --via strace -p $!
	wait
' sh "$RSTSCOPE" "$tmp/via-attach" "$RSTSCOPE_DEMO" "$here" >"$tmp/via-attach.live" 2>"$tmp/via-attach.err"
if grep -q BrokenPipeError "$tmp/via-attach.said"; then
	live_check via-attach "EPIPE:rst_in_close_wait:true"
else
	fail=$((fail + 1)); echo "FAIL via-attach: the attached program did not fail with EPIPE:"; cat "$tmp/via-attach.said" "$tmp/via-attach.err"
fi
echo "strace demo cross-check: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
