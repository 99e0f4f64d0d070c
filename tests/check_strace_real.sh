#!/bin/sh
# check_strace_real.sh: real programs, uninstrumented (tests/strace-real.list:
# python3, perl, node, curl, nc, busybox, and socat as a server whose client
# left), each run as root in a private network namespace under
# `strace -f -yy -ttt -T` while rstscope captures (-w); then replayed with
# `-r CAP.pcap -l CAP.strace`. Right is what the program itself reported
# (exit status, stderr), and rstscope's verdict must say the same.
# KEEP=DIR keeps the recordings there.
set -u
# LeakSanitizer cannot run under ptrace, and strace is a ptrace tracer: in
# the sanitizer build (SAN=1) the programs strace runs keep ASan and UBSan
# but leave leak detection to the rest of the suite.
[ "${SAN:-}" = 1 ] && export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
. "$(dirname "$0")/lib.sh"
needs_root_netns "the real-program stories need" "a network namespace and a live capture"
needs_cmd jq strace python3
tmp=${KEEP:-$(mktemp -d)} || exit 1
mkdir -p "$tmp"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0 fail=0 skip=0
cd "$top" || exit 1
while IFS='|' read -r name mode rc said verdict cmd; do
	name=$(echo $name) mode=$(echo $mode) rc=$(echo $rc) verdict=$(echo $verdict)
	said=$(printf '%s' "$said" | sed 's/^ *//; s/ *$//')
	cmd=$(printf '%s' "$cmd" | sed 's/^ *//')
	case "$name" in ''|'#'*) continue ;; esac
	prog=${name%%-*}
	if ! command -v "$prog" >/dev/null 2>&1; then
		skip=$((skip + 1)); echo "skip $name: $prog is not installed (make deps)"; continue
	fi
	d=$tmp/$name
	timeout 60 unshare -n sh -c '
		ip link set lo up || exit 3
		d=$1 mode=$2 cmd=$3 here=$4
		exec "$5" -w "$d.pcap" -- sh -c "
			python3 \"$here/strace-peer.py\" 9900 $mode $d.ready & peer=\$!
			n=0; while [ ! -e $d.ready ] && [ \$n -lt 100 ]; do sleep 0.05; n=\$((n + 1)); done
			eval \"strace -f -yy -ttt -T -o $d.strace \$0\" >\"$d.out\" 2>\"$d.said\"
			echo \$? >\"$d.rc\"
			wait \$peer" "$cmd"
	' sh "$d" "$mode" "$cmd" "$here" "$RSTSCOPE" >/dev/null 2>"$d.rec.err"
	got_rc=$(cat "$d.rc" 2>/dev/null)
	if [ "$got_rc" != "$rc" ] || { [ "$said" != - ] && ! grep -Eq "$said" "$d.said"; }; then
		fail=$((fail + 1))
		echo "FAIL $name: the program did not tell the story (exit $got_rc, want $rc; stderr must match '$said'):"
		head -5 "$d.said" "$d.rec.err"
		continue
	fi
	"$RSTSCOPE" --json -r "$d.pcap" -l "$d.strace" >"$d.json" 2>"$d.err"
	got=$(jq -r -s '
		[.[] | select(.kind == "call")] as $c
		| ([$c[] | select(.conn != null and .errno != null and (.errno | IN("EINPROGRESS", "EAGAIN") | not))] | first) as $f
		| if $f == null then "none" else
			"\($f.event):\($f.errno):\($f.cause.why // "-"):\($f.disposition // "-")"
			+ (if ([$c[] | select(.event == "exit" and .pid == $f.pid and .signal == "SIGPIPE")] | length) > 0 then "+killed" else "" end)
		  end' "$d.json")
	if [ "$got" = "$verdict" ] && [ ! -s "$d.err" ]; then
		pass=$((pass + 1)); echo "ok   $name: exit $got_rc${said:+, '$said'}; rstscope: $got"
	else
		fail=$((fail + 1)); echo "FAIL $name: the program said exit $got_rc, '$(head -1 "$d.said")'; rstscope: '$got', want '$verdict'"
		cat "$d.err"
	fi
done <"$here/strace-real.list"
echo "strace real programs: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
