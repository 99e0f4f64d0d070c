#!/bin/sh
# demo.sh [SCENARIO]: the README's main command (sudo make demo). Runs a demo
# scenario with the tracer live alongside it on loopback and shows the
# annotated timeline; the demo's own story is printed as it happens too. As
# root, it runs in a private network namespace so only the demo is on the
# wire. The capture and the send log are kept for replay.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
scenario=${1:-server-close}
RSTSCOPE=${RSTSCOPE:-$top/rstscope}
RSTSCOPE_DEMO=${RSTSCOPE_DEMO:-$top/rstscope-demo}
PACE=${PACE:-400}
if ! "$RSTSCOPE_DEMO" list | grep -q "^$scenario "; then
	echo "make demo: no scenario '$scenario'; the scenarios are:" >&2
	"$RSTSCOPE_DEMO" list >&2
	exit 2
fi
if [ "$(id -u)" != 0 ]; then
	echo "make demo: capturing packets needs root: run 'sudo make demo' (SCENARIO=name for another story)" >&2
	exit 2
fi
keep=$(mktemp -d "${TMPDIR:-/tmp}/rstscope-demo.XXXXXX") || exit 2
# rstscope drops to the sudo caller once the capture is open: let it write here.
[ -n "${SUDO_UID:-}" ] && chown "$SUDO_UID:${SUDO_GID:-$SUDO_UID}" "$keep"
pcap=$keep/$scenario.pcap log=$keep/$scenario.sendlog
ns="unshare -n"
$ns true 2>/dev/null || ns=""
echo "== rstscope: the '$scenario' story, traced live on loopback (demo lines: the program's own story; numbered lines: the wire and the calls, explained)"
$ns sh -c '
	[ -z "$6" ] || ip link set lo up
	exec "$1" -i lo -w "$2" -l "$3" -- sh -c "exec \"\$0\" \"\$@\" >&2" "$4" --pace "$5" "$7"
' sh "$RSTSCOPE" "$pcap" "$log" "$RSTSCOPE_DEMO" "$PACE" "$ns" "$scenario"
rc=$?
echo
echo "== replay it (no root needed):  $RSTSCOPE -r $pcap -l $log"
exit $rc
