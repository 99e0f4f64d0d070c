#!/bin/sh
# check_captures.sh: for every recording in captures/, the correlator's verdicts
# must be what the kernel did in that scenario: each failed call's errno, cause
# code, cause segment (the RST, or none) and SIGPIPE verdict, and each send's
# lost bytes. The golden files pin the whole output; this names the facts.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
RSTSCOPE=${RSTSCOPE:-$top/rstscope}
command -v jq >/dev/null || { echo "SKIP: jq is not installed (make deps)"; exit 0; }
pass=0 fail=0
# The expectations are in tests/captures.expect. CAPTURES_DIR=DIR checks the
# recordings in DIR instead of captures/ (check_live.sh does).
dir=${CAPTURES_DIR:-$top/captures}
while IFS='|' read -r name fails losses eofs; do
	case "$name" in '#'*) continue ;; esac
	name=$(echo $name) fails=$(echo $fails) losses=$(echo $losses) eofs=$(echo $eofs)
	[ -n "$name" ] || continue
	pcap=$dir/$name.pcap log=$dir/$name.sendlog
	if [ ! -e "$pcap" ]; then
		echo "FAIL $name: $pcap is missing"; fail=$((fail + 1)); continue
	fi
	json=$("$RSTSCOPE" --json -r "$pcap" -l "$log") || { echo "FAIL $name: rstscope exited $?"; fail=$((fail + 1)); continue; }
	rst=$(printf '%s\n' "$json" | jq -r 'select(.kind=="segment" and (.flags|startswith("R"))) | .n' | head -1)
	got_fails=$(printf '%s\n' "$json" | jq -r --arg rst "${rst:-none}" '
		select(.kind=="call" and .cause != null and .ret != 0)
		| "\(.errno // "killed"):\(.cause.why):\(if .cause.n == null then "null" elif (.cause.n|tostring) == $rst then "rst" else (.cause.n|tostring) end):\(.sigpipe)"' | tr '\n' ' ' | sed 's/ $//')
	got_losses=$(printf '%s\n' "$json" | jq -r 'select(.kind=="call" and .event=="send" and .lost > 0) | "\(.side)#\(.send)=\(.lost)\(if .rst_in_flight then "+inflight" else "" end)"' | tr '\n' ' ' | sed 's/ $//')
	got_eofs=$(printf '%s\n' "$json" | jq -r '
		select(.kind=="call" and .event=="recv" and .ret == 0 and .cause != null)
		| "\(.side):\(.cause.why):\(.cause.n)"' | tr '\n' ' ' | sed 's/ $//')
	if [ "$got_fails" = "$fails" ] && [ "$got_losses" = "$losses" ] && [ "$got_eofs" = "$eofs" ]; then
		pass=$((pass + 1))
	else
		echo "FAIL $name:"
		echo "   failed calls: want '$fails'"
		echo "                 got  '$got_fails'"
		echo "   lost sends:   want '$losses'"
		echo "                 got  '$got_losses'"
		echo "   recv() = 0:   want '$eofs'"
		echo "                 got  '$got_eofs'"
		fail=$((fail + 1))
	fi
done <"$here/captures.expect"
echo "captures: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
