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
# NAME | failed calls: ERRNO:WHY:CAUSE:SIGPIPE (CAUSE 'rst' = the first RST's
# record number, 'null' = none) | sends that lost bytes: SIDE#SEND=LOST
while IFS='|' read -r name fails losses; do
	name=$(echo $name) fails=$(echo $fails) losses=$(echo $losses)
	[ -n "$name" ] || continue
	pcap=$top/captures/$name.pcap log=$top/captures/$name.sendlog
	if [ ! -e "$pcap" ]; then
		echo "FAIL $name: captures/$name.pcap is missing"; fail=$((fail + 1)); continue
	fi
	json=$("$RSTSCOPE" --json -r "$pcap" -l "$log") || { echo "FAIL $name: rstscope exited $?"; fail=$((fail + 1)); continue; }
	rst=$(printf '%s\n' "$json" | jq -r 'select(.kind=="segment" and (.flags|startswith("R"))) | .n' | head -1)
	got_fails=$(printf '%s\n' "$json" | jq -r --arg rst "${rst:-none}" '
		select(.kind=="call" and .cause != null)
		| "\(.errno // "killed"):\(.cause.why):\(if .cause.n == null then "null" elif (.cause.n|tostring) == $rst then "rst" else (.cause.n|tostring) end):\(.sigpipe)"' | tr '\n' ' ' | sed 's/ $//')
	got_losses=$(printf '%s\n' "$json" | jq -r 'select(.kind=="call" and .event=="send" and .lost > 0) | "\(.side)#\(.send)=\(.lost)"' | tr '\n' ' ' | sed 's/ $//')
	if [ "$got_fails" = "$fails" ] && [ "$got_losses" = "$losses" ]; then
		pass=$((pass + 1))
	else
		echo "FAIL $name:"
		echo "   failed calls: want '$fails'"
		echo "                 got  '$got_fails'"
		echo "   lost sends:   want '$losses'"
		echo "                 got  '$got_losses'"
		fail=$((fail + 1))
	fi
done <<'EOF_LIST'
server-close    | EPIPE:rst_in_close_wait:rst:true | client#3=14
server-close-v6 | EPIPE:rst_in_close_wait:rst:true | client#3=14
client-exit     | EPIPE:rst_in_close_wait:rst:true | server#3=5
abort-close     | ECONNRESET:rst_in_established:rst:false EPIPE:after_econnreset:rst:true |
unread-close    | ECONNRESET:rst_in_established:rst:false EPIPE:after_econnreset:rst:true |
shutdown-write  | EPIPE:local_shutdown:null:true |
sigpipe-default | killed:rst_in_close_wait:rst:true | client#3=14
sigpipe-ignore  | EPIPE:rst_in_close_wait:rst:true | client#3=14
nosignal        | ECONNRESET:rst_in_established:rst:false EPIPE:after_econnreset:rst:false |
EOF_LIST
echo "captures: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
