#!/bin/sh
# check_demo.sh: rstscope-demo end to end. Every scenario, IPv4 and IPv6, in
# every --sigpipe mode: exit 0, and a send log that jq finds well formed, with
# the story's return values and errnos in order, its signals, its exit events
# and its stream offsets. Then bad input (exit 2), the log's defaults, the
# interactive server and client, and a run in a fresh network namespace.
#
#   RSTSCOPE_DEMO       the program (default ./rstscope-demo)
#   CHECK_DEMO_REPEAT   runs of each scenario, family and mode (default 1; the
#                       determinism check runs it 20 times)
set -u
DEMO=${RSTSCOPE_DEMO:-./rstscope-demo}
REPEAT=${CHECK_DEMO_REPEAT:-1}
MODES="default ignore handler nosignal"
SCENARIOS="server-close client-exit abort-close unread-close shutdown-write connect-refused recv-reset peer-eof timeout lost-rst delayed-race"
# These make the network drop or delay packets (iptables): run as root, each
# in a network namespace of its own; skipped otherwise.
ROOT_SCENARIOS="timeout lost-rst delayed-race"

command -v jq >/dev/null 2>&1 || { echo "check_demo: jq is needed (make deps installs it)"; exit 1; }
[ -x "$DEMO" ] || { echo "check_demo: $DEMO is not built (run make)"; exit 1; }
unset RSTSCOPE_LOG

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check_demo.XXXXXX") || exit 1
bg_pid=""
cleanup() {
	[ -n "$bg_pid" ] && kill "$bg_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

passed=0 failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

# ---------------------------------------------------------------------------
# The log checker: reads the log raw (so a malformed line is reported with
# its number), prints one line per problem, nothing when all is well.
cat >"$tmp/check.jq" <<'EOF'
def order:
  { "send":     ["ts","pid","event","fd","local","peer","len","ret","errno","off","flags","data"],
    "recv":     ["ts","pid","event","fd","local","peer","len","ret","errno","off","flags","data"],
    "connect":  ["ts","pid","event","fd","local","peer","ret","errno"],
    "accept":   ["ts","pid","event","fd","local","peer","ret","errno"],
    "close":    ["ts","pid","event","fd","local","peer","ret","errno"],
    "shutdown": ["ts","pid","event","fd","local","peer","how","ret","errno"],
    "signal":   ["ts","pid","event","sig","disposition"],
    "exit":     ["ts","pid","event","status","signal"] };
# the sends of the instrumented side, as "ret" or "ret:ERRNO"
def expected:
  { "server-close":   ["6","11","14","-1:EPIPE"],
    "abort-close":    ["6","11","-1:ECONNRESET","-1:EPIPE"],
    "unread-close":   ["6","11","-1:ECONNRESET","-1:EPIPE"],
    "shutdown-write": ["6","-1:EPIPE"],
    "client-exit":    ["5","5","5","-1:EPIPE","5"],
    "connect-refused": [],
    "recv-reset":     ["6","11","-1:EPIPE"],
    "peer-eof":       ["6","11"],
    "timeout":        ["6","14","-1:ETIMEDOUT"],
    "lost-rst":       ["6","11","14","-1:EPIPE"],
    "delayed-race":   ["6","11","14","13","-1:EPIPE"] }[$sc]
  | if $mode == "default" then .[0:index("-1:EPIPE")] else . end;
# the stories with no EPIPE: no SIGPIPE, whatever --sigpipe says
def nopipe: $sc == "connect-refused" or $sc == "peer-eof" or $sc == "timeout";
def tsn: .ts | split(".") | (.[0] | tonumber) * 1000000000 + (.[1] | tonumber);
def addr_re: if $fam == "6" then "^\\[::1\\]:[0-9]+$" else "^127\\.0\\.0\\.1:[0-9]+$" end;
def call: "\(.ret)" + (if .errno then ":\(.errno)" else "" end);

(split("\n") | if .[-1] == "" then .[:-1] else . end
 | to_entries | map({n: (.key + 1), raw: .value, v: (try (.value | fromjson) catch null)})) as $all
| ($all | map(select(.v | type == "object"))) as $ok
| ($ok | map(.v + {_n: .n})) as $ev
| (
  ($all[] | select(.v | type != "object") | "line \(.n): not a JSON object: \(.raw[0:80])"),
  (if ($ev | length) == 0 then "the log is empty" else empty end),
  ($ok[] | .n as $n | .v
   | (if (.ts | type) != "string" or (.ts | test("^[0-9]+\\.[0-9]{9}$") | not)
      then "line \($n): ts \(.ts) is not SECONDS.NANOSECONDS" else empty end),
     (if (.pid | type) != "number" then "line \($n): pid is not a number" else empty end),
     (if order[.event] == null then "line \($n): unknown event \(.event)"
      elif (keys_unsorted - ["data"]) != (order[.event] - ["data"])
      then "line \($n): fields \(keys_unsorted) are not \(order[.event])" else empty end),
     (if .event == "send" and (has("data") | not) then "line \($n): send without data" else empty end),
     (if has("ret") and ((.ret >= 0 and .errno != null) or (.ret == -1 and (.errno | type) != "string"))
      then "line \($n): ret \(.ret) with errno \(.errno)" else empty end),
     (if has("peer") and ((.peer | type == "string" and test(addr_re)) | not)
      then "line \($n): peer \(.peer) is not a loopback ADDR:PORT" else empty end),
     # (the close of a socket whose connect() failed: no local address, 0.0.0.0:PORT)
     (.event as $e | if has("local") and .ret >= 0 and ((.local | type == "string" and
          (test(addr_re) or ($e == "close" and test("^(0\\.0\\.0\\.0|\\[::\\]):[0-9]+$")))) | not)
      then "line \($n): local \(.local) is not a loopback ADDR:PORT" else empty end),
     (if .event == "shutdown" and .how != "SHUT_WR" then "line \($n): how \(.how)" else empty end)),
  # the instrumented side: the server in client-exit, else the client
  (($ev | map(select(.event == (if $sc == "client-exit" then "accept" else "connect" end)))[0].pid) as $ip
   | ($ev | map(select(.pid == $ip))) as $mine
   | ($mine | map(select(.event == "send"))) as $sends
   | ($mine | map(select(.event == "signal"))) as $sigs
   | ($mine | map(select(.event == "exit"))) as $exits
   | ($sends | map(call)) as $got
   | (if $got != expected then "instrumented side (pid \($ip)) sends \($got), expected \(expected)" else empty end),
     ($sends[] | select(.flags != (if $mode == "nosignal" then "MSG_NOSIGNAL" else "" end))
      | "line \(._n): flags \"\(.flags)\" with --sigpipe \($mode)"),
     (if ($mode == "handler" or $mode == "ignore") and (nopipe | not) then
        (if ($sigs | length) != 1 or $sigs[0].sig != "SIGPIPE" or $sigs[0].disposition != $mode
         then "expected one SIGPIPE signal event with disposition \($mode), got \($sigs | map({sig, disposition}))"
         else empty end)
      else
        (if ($sigs | length) != 0 then "no signal event expected with --sigpipe \($mode)" else empty end)
      end),
     (if ($exits | length) != 1 then "instrumented side: \($exits | length) exit events"
      elif $mode == "default" and (nopipe | not) and ($exits[0].signal != "SIGPIPE" or $exits[0].status != null)
      then "instrumented side should be killed by SIGPIPE: \($exits[0])"
      elif ($mode != "default" or nopipe) and ($exits[0].status != 0 or $exits[0].signal != null)
      then "instrumented side should exit 0: \($exits[0])" else empty end),
     # the signal comes with the failing send: just before it
     ($sigs[] as $s | ($sends | map(select(.errno == "EPIPE")))[0] as $f
      | if $f == null or ($s | tsn) > ($f | tsn) or $s._n > $f._n
        then "signal event (line \($s._n)) does not come just before the EPIPE send" else empty end)),
  # every process: one exit event, its last line; times never go back
  ($ev | group_by(.pid)[] | . as $p
   | (map(select(.event == "exit")) | length) as $ne
   | (if $ne != 1 then "pid \($p[0].pid): \($ne) exit events" else empty end),
     (if $p[-1].event != "exit" then "pid \($p[0].pid): the exit event is not its last line" else empty end),
     ([range(1; $p | length) | select(($p[.] | tsn) < ($p[. - 1] | tsn))]
      | if length > 0 then "pid \($p[0].pid): time goes back at line \($p[.[0]]._n)" else empty end)),
  # stream offsets: each call's off is the bytes its socket moved before it
  ($ev | map(select(.event == "send" or .event == "recv")) | group_by([.pid, .fd, .local, .peer, .event])[]
   | reduce .[] as $c ({sum: 0, bad: []};
       (if $c.off != .sum then .bad += ["line \($c._n): off \($c.off), expected \(.sum)"] else . end)
       | .sum += (if $c.ret > 0 then $c.ret else 0 end))
   | .bad[]),
  # the seed's strings, whole and without a NUL
  ($ev[] | select(.event == "send" and (.data | startswith("are you here")))
   | if .len != 14 or .data != "are you here?\n" then "line \(._n): \"are you here?\\n\" should be 14 bytes" else empty end),
  # the timeline: the peer's close comes before the send that draws the RST
  (if $sc == "server-close" or $sc == "delayed-race" then
     ($ev | map(select(.event == "close" and (.pid as $p | $ev | map(select(.event == "accept"))[0].pid == $p)))[0]) as $c
     | ($ev | map(select(.event == "send" and .len == 14))[0]) as $s
     | if $c == null or $s == null or ($c | tsn) > ($s | tsn)
       then "the server's close should come before the 14-byte send" else empty end
   elif $sc == "client-exit" then
     ($ev | map(select(.event == "accept" and .ret >= 0)) | length) as $na
     | ($ev | map(select(.event == "connect" and .errno == "ECONNREFUSED")) | length) as $nr
     | if $mode == "default" and ($na != 1 or $nr != 1)
       then "client-exit, default: expected one accept and one refused connect, got \($na) and \($nr)"
       elif $mode != "default" and ($na != 2 or $nr != 0)
       then "client-exit: expected two sessions, got \($na) accepts and \($nr) refused connects"
       else empty end
   else empty end),
  # delayed-race: the second send within the 300 ms the RST is held; EPIPE
  # (once the RST has come) not before
  (if $sc == "delayed-race" then
     ($ev | map(select(.event == "send" and .len == 14))[0]) as $a
     | ($ev | map(select(.event == "send" and .len == 13))[0]) as $b
     | ($ev | map(select(.event == "send" and .errno == "EPIPE"))[0]) as $e
     | if $a == null or $b == null then "delayed-race: the 14- and the 13-byte send should both be logged"
       elif ($b | tsn) - ($a | tsn) >= 300000000
       then "delayed-race: the 13-byte send came \((($b | tsn) - ($a | tsn)) / 1000000 | floor) ms after the 14 bytes, not within the RST's 300 ms delay"
       elif $e != null and ($e | tsn) - ($a | tsn) < 300000000
       then "delayed-race: EPIPE came \((($e | tsn) - ($a | tsn)) / 1000000 | floor) ms after the 14 bytes: the RST was not held 300 ms"
       else empty end
   else empty end)
  )
EOF

# check_log SCENARIO MODE FAMILY LOG: prints problems, returns 1 if any
check_log() {
	jq -R -s -r --arg sc "$1" --arg mode "$2" --arg fam "$3" -f "$tmp/check.jq" "$4" >"$tmp/problems" 2>&1
	if [ -s "$tmp/problems" ]; then
		sed 's/^/    /' "$tmp/problems"
		return 1
	fi
	return 0
}

# ---------------------------------------------------------------------------
echo "check_demo: $DEMO"
names=$("$DEMO" list | awk '{print $1}' | tr '\n' ' ')
if [ "$names" = "$SCENARIOS " ]; then pass; else fail "list names: '$names', expected '$SCENARIOS '"; fi

families=4
if [ -r /proc/net/if_inet6 ] && grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6; then
	families="4 6"
else
	echo "note: ::1 is not configured here: the -6 runs are left out"
fi

for fam in $families; do
	six=""; [ "$fam" = 6 ] && six=-6
	for sc in $SCENARIOS; do
		netns=""
		case " $ROOT_SCENARIOS " in *" $sc "*)
			if [ "$(id -u)" != 0 ] || ! unshare -n true 2>/dev/null; then
				echo "  $sc: skipped (needs root and a network namespace: iptables)"
				continue
			fi
			netns="unshare -n sh -c 'ip link set lo up && exec \"\$@\"' sh" ;;
		esac
		for mode in $MODES; do
			i=0 bad=0
			while [ $i -lt "$REPEAT" ]; do
				i=$((i + 1))
				log="$tmp/$sc.$mode.$fam.log"
				eval "$netns" '"$DEMO" "$sc" --log "$log" --pace 0 --sigpipe "$mode" $six' >"$tmp/out" 2>&1
				rc=$?
				if [ $rc -ne 0 ]; then
					bad=$((bad + 1)); fail "$sc --sigpipe $mode -$fam (run $i): exit $rc"
					sed 's/^/    /' "$tmp/out"
				elif ! tail -n 1 "$tmp/out" | grep -q '^as the story says'; then
					bad=$((bad + 1)); fail "$sc --sigpipe $mode -$fam (run $i): no verdict line"
				elif ! check_log "$sc" "$mode" "$fam" "$log"; then
					bad=$((bad + 1)); fail "$sc --sigpipe $mode -$fam (run $i): log"
				fi
			done
			[ $bad -eq 0 ] && pass
			echo "  $sc --sigpipe $mode -$fam: $((REPEAT - bad))/$REPEAT as the story says"
		done
	done
done

# --pace: the steps are spread out in time (5 pauses one after another in server-close).
start=$(date +%s%N)
"$DEMO" server-close --pace 100 >"$tmp/out" 2>&1; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
if [ $rc -eq 0 ] && [ $ms -ge 500 ]; then pass; else fail "--pace 100: exit $rc after $ms ms (expected >= 500)"; fi
if grep -q '^no log is written' "$tmp/out"; then pass; else fail "without --log the story should say that no log is written"; fi

# ---------------------------------------------------------------------------
# Bad input: a clear message on stderr and exit 2.
expect2() { # description, pattern expected on stderr, command...
	what=$1 pat=$2; shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
	if [ $rc -eq 2 ] && grep -q -- "$pat" "$tmp/err"; then
		pass
	else
		fail "$what: exit $rc, stderr: $(cat "$tmp/err")"
	fi
}
expect2 "unknown scenario" "unknown scenario 'nosuch'" "$DEMO" nosuch
expect2 "no scenario" "no scenario given" "$DEMO"
expect2 "bad port" "'abc' is not a port number" "$DEMO" server-close --port abc
expect2 "port too big" "'70000' is not a port number" "$DEMO" server-close --port 70000
expect2 "bad pace" "is not a number of milliseconds" "$DEMO" server-close --pace -5
expect2 "bad sigpipe" "'loud' is not one of" "$DEMO" server-close --sigpipe loud
expect2 "unknown option" "unknown option" "$DEMO" server-close --frobnicate
expect2 "missing value" "needs a value" "$DEMO" server-close --port
expect2 "extra argument" "unexpected argument" "$DEMO" server-close abort-close
expect2 "unwritable log" "cannot open log '$tmp/no/such/dir/x.log'" "$DEMO" server-close --log "$tmp/no/such/dir/x.log"
expect2 "unwritable RSTSCOPE_LOG" "RSTSCOPE_LOG" env RSTSCOPE_LOG="$tmp/no/such/dir/x.log" "$DEMO" server-close
expect2 "client with nobody listening" "cannot connect" "$DEMO" client --port 1 </dev/null

"$DEMO" --help >"$tmp/out" 2>&1 && grep -q '^usage: ' "$tmp/out" && grep -q -- '--sigpipe MODE' "$tmp/out" && pass || fail "--help"
"$DEMO" -h >"$tmp/out" 2>&1 && grep -q '^usage: ' "$tmp/out" && pass || fail "-h"
"$DEMO" --version >"$tmp/out" 2>&1 && grep -q '^rstscope-demo [0-9]' "$tmp/out" && pass || fail "--version"

# wait_for FILE PATTERN: until a line of FILE matches (5 s at most)
wait_for() {
	n=0
	while ! grep -q -- "$2" "$1" 2>/dev/null; do
		n=$((n + 1)); [ $n -gt 100 ] && return 1
		sleep 0.05
	done
}

# port_of FILE: the port in the server's "listening on" line
port_of() {
	sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$1"
}

# A port in use: the interactive server holds one (port 0: any free port).
# (Each server writes a file of its own: waiting on a file that the shell
# has yet to truncate would read the last server's port.)
"$DEMO" server --port 0 >"$tmp/busy.out" 2>&1 &
bg_pid=$!
if wait_for "$tmp/busy.out" 'listening on'; then
	port=$(port_of "$tmp/busy.out")
	expect2 "port in use" "port $port on 127.0.0.1 is in use" "$DEMO" server-close --port "$port"
else
	fail "the interactive server did not start: $(cat "$tmp/busy.out")"
fi
kill "$bg_pid" 2>/dev/null; wait "$bg_pid" 2>/dev/null; bg_pid=""

# ---------------------------------------------------------------------------
# The log's defaults: RSTSCOPE_LOG is appended to, --log is emptied first.
echo '{"ts":"1.000000000","pid":1,"event":"exit","status":0,"signal":null}' >"$tmp/env.log"
RSTSCOPE_LOG="$tmp/env.log" "$DEMO" shutdown-write --pace 0 >"$tmp/out" 2>&1; rc=$?
if [ $rc -eq 0 ] && [ "$(head -n 1 "$tmp/env.log" | jq -r .pid)" = 1 ] && [ "$(wc -l <"$tmp/env.log")" -gt 5 ]; then
	pass
else
	fail "RSTSCOPE_LOG should be appended to (exit $rc)"
fi
cp "$tmp/env.log" "$tmp/opt.log"
"$DEMO" shutdown-write --pace 0 --log "$tmp/opt.log" >"$tmp/out" 2>&1
if [ "$(head -n 1 "$tmp/opt.log" | jq -r .pid)" != 1 ] && check_log shutdown-write handler 4 "$tmp/opt.log"; then
	pass
else
	fail "--log should empty the file first"
fi

# ---------------------------------------------------------------------------
# Interactive, as in seed 000: type two lines, stop the server, type two more.
"$DEMO" server --port 0 --log "$tmp/i.log" >"$tmp/srv.out" 2>&1 &
bg_pid=$!
if wait_for "$tmp/srv.out" 'listening on'; then
	port=$(port_of "$tmp/srv.out")
	{
		printf 'hello\n'; wait_for "$tmp/srv.out" 'recv() = 6'
		printf 'dont leave\n'; wait_for "$tmp/srv.out" 'recv() = 11'
		kill -TERM "$bg_pid"; wait_for "$tmp/srv.out" 'stopped by SIGTERM'
		sleep 0.2
		printf 'are you here?\n'; wait_for "$tmp/cli.out" 'answered with RST'
		printf '????\n'; wait_for "$tmp/cli.out" 'client exits'
	} | "$DEMO" client --port "$port" --log "$tmp/i.log" >"$tmp/cli.out" 2>&1
	rc=$?
	# It has stopped already, unless the story went wrong early.
	kill "$bg_pid" 2>/dev/null; wait "$bg_pid" 2>/dev/null; bg_pid=""
	got=$(jq -r -s '[.[] | select(.event == "send") | "\(.ret)" + (if .errno then ":\(.errno)" else "" end)] | join(" ")' "$tmp/i.log")
	sig=$(jq -r -s '[.[] | select(.event == "signal") | .disposition] | join(" ")' "$tmp/i.log")
	if [ $rc -eq 0 ] && [ "$got" = "6 11 14 -1:EPIPE" ] && [ "$sig" = handler ] &&
	   grep -q 'only queued' "$tmp/cli.out"; then
		pass
	else
		fail "interactive: exit $rc, sends '$got', signals '$sig'"
		sed 's/^/    /' "$tmp/srv.out" "$tmp/cli.out"
	fi
else
	fail "the interactive server did not start: $(cat "$tmp/srv.out")"
	kill "$bg_pid" 2>/dev/null; bg_pid=""
fi

# ---------------------------------------------------------------------------
# A fresh network namespace with only lo up, as the live tests use.
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null && command -v ip >/dev/null 2>&1; then
	for fam in $families; do
		six=""; [ "$fam" = 6 ] && six=-6
		unshare -n sh -c 'ip link set lo up && exec "$0" "$@"' "$DEMO" server-close \
			--pace 0 $six --log "$tmp/ns.log" >"$tmp/out" 2>&1; rc=$?
		if [ $rc -eq 0 ] && check_log server-close handler "$fam" "$tmp/ns.log"; then
			pass
		else
			fail "server-close -$fam in a fresh network namespace: exit $rc"
			sed 's/^/    /' "$tmp/out"
		fi
	done
else
	echo "note: not root (or no unshare): the run in a fresh network namespace is left out"
fi

echo "check_demo: $passed passed, $failed failed"
[ $failed -eq 0 ]
