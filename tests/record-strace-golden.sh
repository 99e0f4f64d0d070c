#!/bin/sh
# record-strace-golden.sh: record the server-close story under strace with
# each flag set of tests/golden/STRACE-VARIANTS into tests/golden/strace-NAME.*
# (the capture, NAME.pcap, and strace's output: NAME.strace, or for -ff the
# directory NAME.ff/ of trace.PID files). Run once, as root; the files are
# checked in and replayed by check_strace_golden.sh. Each recording is its own
# run (strace traces a process once), so pids, ports and times differ; the
# call rows, without those, must not.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
RSTSCOPE=${RSTSCOPE:-$top/rstscope}
RSTSCOPE_DEMO=${RSTSCOPE_DEMO:-$top/rstscope-demo}
dir=$here/golden
[ "$(id -u)" = 0 ] || { echo "record-strace-golden: needs root (a network namespace and a live capture)" >&2; exit 2; }
# The calls that matter, and few of the dynamic loader's: small files.
set_e='-e trace=%network,read,write,close,rt_sigaction,clone,clone3,execve,exit_group'
while IFS='|' read -r name flags; do
	name=$(echo $name)
	case "$name" in ''|'#'*) continue ;; esac
	rm -rf "$dir/strace-$name.pcap" "$dir/strace-$name.strace" "$dir/strace-$name.ff"
	case "$flags" in
	*'-ff'*) mkdir -p "$dir/strace-$name.ff"; out="-o $dir/strace-$name.ff/trace"; redir=/dev/null ;;
	*'STDERR'*) flags=$(echo "$flags" | sed 's/STDERR//'); out=""; redir=$dir/strace-$name.strace ;;
	*) out="-o $dir/strace-$name.strace"; redir=/dev/null ;;
	esac
	# shellcheck disable=SC2086
	unshare -n sh -c '
		ip link set lo up || exit 3
		exec "$1" --json -w "$2" -- sh -c "exec strace $3 2>\"$5\" \"\$0\" \"\$@\" >/dev/null" "$4" server-close --pace 20
	' sh "$RSTSCOPE" "$dir/strace-$name.pcap" "$flags $set_e $out" "$RSTSCOPE_DEMO" "$redir" >/dev/null 2>"$dir/.rec.err" ||
		{ echo "record-strace-golden: $name failed:" >&2; cat "$dir/.rec.err" >&2; }
	rm -f "$dir/.rec.err"
	echo "recorded strace-$name: $flags"
done <"$dir/STRACE-VARIANTS"
