#!/bin/sh
# record-captures.sh [DIR]: record each scenario of tests/scenarios.list with
# the tracer live alongside the demo: DIR/NAME.pcap (rstscope -w), the send
# log DIR/NAME.sendlog, and what the live run printed, DIR/NAME.live.json.
# Needs root: each recording runs in a private network namespace (unshare -n)
# with only lo up, so nothing else is on the wire.
#   sudo make captures     records into captures/ (and drops the .live.json)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
out=${1:-$top/captures}
RSTSCOPE=${RSTSCOPE:-$top/rstscope}
RSTSCOPE_DEMO=${RSTSCOPE_DEMO:-$top/rstscope-demo}
keep_live=${KEEP_LIVE:-0}
if [ "$(id -u)" != 0 ]; then
	echo "record-captures: recording needs root (a network namespace and a live capture): run 'sudo make captures'" >&2
	exit 2
fi
mkdir -p "$out" || exit 2
status=0
while read -r name scenario opts; do
	case "$name" in ''|'#'*) continue ;; esac
	# ONLY="name ..." records just those (the others keep their recordings).
	case " ${ONLY:-$name} " in *" $name "*) ;; *) continue ;; esac
	pcap=$out/$name.pcap log=$out/$name.sendlog live=$out/$name.live.json
	rm -f "$pcap" "$log" "$live"
	# The demo's own story goes to NAME.story; its exit status (0: the
	# kernel behaved as the story says) comes back through rstscope.
	# shellcheck disable=SC2086
	unshare -n sh -c '
		ip link set lo up || exit 3
		exec "$1" --json -w "$2" -l "$3" -- sh -c "exec \"\$0\" \"\$@\" >\"$5\"" "$4" $6
	' sh "$RSTSCOPE" "$pcap" "$log" "$RSTSCOPE_DEMO" "$out/$name.story" "$opts --pace 100 $scenario" \
		>"$live" 2>"$out/$name.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "record-captures: $name: exit $rc (the demo says the kernel did not behave as the story says, or the capture failed):" >&2
		cat "$out/$name.err" "$out/$name.story" >&2
		status=1
	else
		echo "recorded $name: $(wc -c <"$pcap") bytes of capture, $(wc -l <"$log") log lines"
	fi
	rm -f "$out/$name.story"
	[ "$keep_live" = 1 ] || rm -f "$live" "$out/$name.err"
done <"$here/scenarios.list"
exit $status
