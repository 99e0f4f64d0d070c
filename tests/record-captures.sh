#!/bin/sh
# record-captures.sh: record each demo scenario (capture + send log) into
# captures/, for replay and the golden tests. Needs root: each recording runs
# in a private network namespace (unshare -n) with only lo, so nothing else
# is on the wire. Usage: sudo make captures
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
out=${CAPTURES_DIR:-$top/captures}
RSTSCOPE_DEMO=${RSTSCOPE_DEMO:-$top/rstscope-demo}
if [ "$(id -u)" != 0 ]; then
	echo "record-captures: recording needs root (a network namespace and a capture): run 'sudo make captures'" >&2
	exit 2
fi
command -v tcpdump >/dev/null || { echo "record-captures: tcpdump is missing (make deps)" >&2; exit 2; }
mkdir -p "$out"
# NAME  SCENARIO  DEMO-OPTIONS
cat <<'LIST' | while read -r name scenario opts; do
server-close      server-close
server-close-v6   server-close   -6
client-exit       client-exit
abort-close       abort-close
unread-close      unread-close
shutdown-write    shutdown-write
sigpipe-default   server-close   --sigpipe default
sigpipe-ignore    server-close   --sigpipe ignore
nosignal          abort-close    --sigpipe nosignal
LIST
	[ -n "$name" ] || continue
	pcap=$out/$name.pcap log=$out/$name.sendlog
	rm -f "$pcap" "$log"
	# shellcheck disable=SC2086
	unshare -n sh -c '
		ip link set lo up
		tcpdump -i lo -U --immediate-mode --time-stamp-precision=nano -s 256 -w "$1" tcp 2>/dev/null &
		tp=$!
		sleep 0.5
		"$2" $4 --pace 100 --log "$3" "$5" >/dev/null; rc=$?
		sleep 0.3
		kill -INT $tp; wait $tp
		exit $rc
	' sh "$pcap" "$RSTSCOPE_DEMO" "$log" "$opts" "$scenario"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "record-captures: $name: the demo exited $rc (the kernel did not behave as the story says)" >&2
		exit 1
	fi
	echo "recorded $name: $(wc -c <"$pcap") bytes of capture, $(wc -l <"$log") log lines"
done
