#!/bin/sh
# check_race.sh: sends made while an RST is on its way, between two real
# programs (tests/programs/race.py, python3) on a network with delay: client
# and server in network namespaces of their own, joined through a third, a
# router whose FORWARD chain hands every packet from the server to a delay
# line (tests/tools/delayline: NFQUEUE, 300 ms). Root only.
#   A (client) va 10.77.1.1 --- ma 10.77.1.2 M (router, delay) mb 10.77.2.2 --- vb 10.77.2.1 B (server)
# The truth is what the client saw: its first two sends after the server's
# FIN return their lengths, the one after the RST fails with EPIPE. rstscope
# must show it from both ends of the wire:
#   1. live at the client (rstscope -i va -- the client): the RST arrives after
#      both sends; the first is lost with it, the second was made while it was
#      on its way (rst_in_flight, rst_answered: the first's segment); the EPIPE
#      is caused by that RST;
#   2. replaying a capture taken at the server's end (-i vb), where the RST
#      shows before the second send's bytes, with the client's saved calls:
#      the same verdicts.
set -u
. "$(dirname "$0")/lib.sh"
RACE="$here/programs/race.py"
needs_root_netns "the race needs" "network namespaces, iptables NFQUEUE, a live capture"
needs_cmd jq iptables
[ -x "$TOOLS/delayline" ] || { echo "FAIL: $TOOLS/delayline is missing (make tools)"; exit 1; }
ns="rsrace$$"
A=${ns}a M=${ns}m B=${ns}b
ip netns add "$A" 2>/dev/null || skip "ip netns add failed here (no network namespaces)"
tmp=$(mktemp -d) || exit 1
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for n in "$A" "$M" "$B"; do ip netns del "$n" 2>/dev/null; done
	[ -n "${KEEP_TMP:-}" ] && echo "tmp: $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
pass=0 fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

# The network.
set -e
ip netns add "$M"
ip netns add "$B"
for n in "$A" "$M" "$B"; do ip -n "$n" link set lo up; done
ip -n "$A" link add va type veth peer name ma netns "$M"
ip -n "$B" link add vb type veth peer name mb netns "$M"
ip -n "$A" addr add 10.77.1.1/24 dev va
ip -n "$M" addr add 10.77.1.2/24 dev ma
ip -n "$M" addr add 10.77.2.2/24 dev mb
ip -n "$B" addr add 10.77.2.1/24 dev vb
for l in "$A va" "$M ma" "$M mb" "$B vb"; do set -- $l; ip -n "$1" link set dev "$2" up; done
ip -n "$A" route add default via 10.77.1.2
ip -n "$B" route add default via 10.77.2.2
ip netns exec "$M" sysctl -q -w net.ipv4.ip_forward=1
set +e
port=9200 queue=4242
ip netns exec "$M" "$TOOLS/delayline" "$queue" 300 >"$tmp/dl.out" 2>&1 &
pids="$pids $!"
for i in $(seq 50); do grep -q ready "$tmp/dl.out" && break; sleep 0.1; done
grep -q ready "$tmp/dl.out" || { echo "FAIL: the delay line did not start: $(cat "$tmp/dl.out")"; exit 1; }
ip netns exec "$M" iptables -w -I FORWARD -i mb -o ma -p tcp --sport $port \
	-j NFQUEUE --queue-num $queue --queue-bypass ||
	{ echo "FAIL: iptables could not add the NFQUEUE rule"; exit 1; }

# The server, with a capture at its end of the wire; then the client, traced.
ip netns exec "$B" "$RSTSCOPE" -i vb --no-calls -w "$tmp/server.pcap" --duration 20 \
	>/dev/null 2>"$tmp/server-cap.err" &
capid=$!
pids="$pids $capid"
ip netns exec "$B" "$PY" "$RACE" server 10.77.2.1 $port >"$tmp/server.out" 2>&1 &
pids="$pids $!"
for i in $(seq 50); do
	grep -q listening "$tmp/server.out" && grep -q "listening on" "$tmp/server-cap.err" && break
	sleep 0.1
done
ip netns exec "$A" "$RSTSCOPE" -i va --json -w "$tmp/client.pcap" -- \
	"$PY" "$RACE" client 10.77.2.1 $port >"$tmp/live.json" 2>"$tmp/live.err"
rc=$?
kill -INT "$capid" 2>/dev/null
wait "$capid" 2>/dev/null

# 0. What the client itself saw.
got=$(grep '^{"send"\|^{"error"' "$tmp/live.json" | jq -r 'if .error then "error: " + .error elif .errno then "\(.send):\(.errno)" else "\(.send):\(.ret)" end' | tr '\n' ' ')
if [ $rc -eq 0 ] && [ "$got" = "1:6 2:14 3:13 4:EPIPE " ]; then
	ok "the client saw the race: its two sends after the server's FIN returned 14 and 13, the one after the RST EPIPE (exit $rc)"
else
	bad "the client saw: '$got' (exit $rc; want '1:6 2:14 3:13 4:EPIPE '); stderr: $(head -c 600 "$tmp/live.err")"
fi

# The verdicts of one run of rstscope's JSON: send 2 lost with the first RST,
# send 3 made while it was on its way, send 4's EPIPE caused by it.
verdicts() {
	jq -rs '
	  (map(select(.kind == "segment" and (.flags | startswith("R")))) | .[0].n) as $rst
	  | (map(select(.kind == "segment" and .len == 14)) | .[0].n) as $a
	  | map(select(.kind == "call" and .event == "send" and .side == "client"))
	  | map("\(.send):\(.ret):\(.lost):\(if .lost_at == $rst then "rst" else .lost_at end):\(.rst_in_flight // false):\(if .rst_answered == $a then "a" else .rst_answered end):\(.cause.why // "-"):\(if .cause.n == $rst then "rst" else (.cause.n // "-") end)")
	  | join(" ")' "$1"
}
want="1:6:0:null:false:null:-:- 2:14:14:rst:false:null:-:- 3:13:13:rst:true:a:-:- 4:-1:0:null:false:null:rst_in_close_wait:rst"
got=$(grep '"kind"' "$tmp/live.json" > "$tmp/live.rows"; verdicts "$tmp/live.rows")
[ "$got" = "$want" ] && ok "live at the client: send 2 lost with the RST, send 3 made while it was on its way, send 4's EPIPE caused by it" ||
	bad "live at the client: got '$got', want '$want'"
order=$(jq -rs '(map(select(.kind == "segment" and (.flags | startswith("R")))) | .[0].n) as $rst
	| map(select(.kind == "segment" and .len == 13)) | .[0].n < $rst' "$tmp/live.rows")
[ "$order" = true ] && ok "at the client the second send's bytes leave before the RST arrives" ||
	bad "at the client the RST came before the second send's bytes"

# 2. The server's end of the wire, with the client's calls.
if [ -s "$tmp/server.pcap" ] && [ -s "$tmp/client.sendlog" ]; then
	"$RSTSCOPE" --json -r "$tmp/server.pcap" -l "$tmp/client.sendlog" >"$tmp/server.rows" 2>"$tmp/server.err"
	got=$(verdicts "$tmp/server.rows")
	order=$(jq -rs '(map(select(.kind == "segment" and (.flags | startswith("R")))) | .[0].n) as $rst
		| map(select(.kind == "segment" and .len == 13)) | .[0].n > $rst' "$tmp/server.rows")
	[ "$order" = true ] && ok "at the server's end the RST leaves before the second send's bytes come" ||
		bad "at the server's end the second send's bytes came before the RST"
	[ "$got" = "$want" ] && ok "the server's capture with the client's calls: the same verdicts" ||
		bad "the server's capture with the client's calls: got '$got', want '$want'"
else
	bad "no capture at the server's end, or no saved calls ($(head -c 300 "$tmp/server-cap.err"))"
fi
kill -TERM $(echo $pids | awk '{print $1}') 2>/dev/null
echo "race: $pass passed, $fail failed"
[ $fail -eq 0 ]
