#!/bin/sh
# check_record.sh: the kernel recorder (eBPF), as root, each run in a private
# network namespace with only lo up. The truth of each story is what the
# kernel did as the program itself saw it (its exception, its exit status,
# its stderr), never what rstscope says.
#  1. every demo scenario (tests/scenarios.list) traced twice at once: the
#     demo's own send log and the calls recorded from the kernel give the same
#     call rows (event, pid, fd, ret, errno, off, conn, side, cause, sigpipe,
#     lost): two witnesses of one run;
#  2. real programs, uninstrumented: python3, perl, node, curl, netcat-openbsd,
#     busybox (static) nc, and socat as a server writing to a client that left;
#  3. a capture started after the connection opened (no SYN): each send maps
#     to exactly the segments that carry its sequence numbers;
#  4. a child forked after attaching, an fd number reused by a new socket, a
#     thread closing an fd another thread is blocked on, two processes
#     interleaved;
#  5. the replay of what a live run saved (-w) gives the live run's rows;
#  6. without permission for BPF (cap_net_raw only), packets are captured and
#     one line says why calls are not.
set -u
. "$(dirname "$0")/lib.sh"
PEER="$PY $here/programs/peer.py"
needs_root_netns "the kernel recorder's tests need" "BPF and a capture in a private network namespace"
needs_cmd jq
tmp_dir
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# Can the recorder load here at all? (A kernel without BTF, a container
# without bpf(): the whole suite is skipped, visibly.)
unshare -n sh -c 'ip link set lo up; exec "$1" --duration 0.2 --json' sh "$RSTSCOPE" >/dev/null 2>"$tmp/probe.err"
if grep -q 'calls are not recorded' "$tmp/probe.err"; then
	echo "SKIP: the kernel recorder cannot load here: $(grep 'calls are not recorded' "$tmp/probe.err")"
	exit 0
fi


# 1. The demo, two witnesses.
while read -r name scenario opts; do
	case "$name" in ''|'#'*) continue ;; esac
	d=$tmp/demo-$name
	mkdir -p "$d"
	# shellcheck disable=SC2086
	unshare -n sh -c 'ip link set lo up || exit 3
		exec "$1" --json -w "$2/x.pcap" --write-calls "$2/kernel.sendlog" -- "$3" --log "$2/demo.sendlog" $4 --pace 50 "$5" >"$2/story"' \
		sh "$RSTSCOPE" "$d" "$RSTSCOPE_DEMO" "$opts" "$scenario" >"$d/live.json" 2>"$d/err"
	rc=$?
	if [ $rc -ne 0 ]; then
		bad "$name: the demo run failed (exit $rc):"; cat "$d/err" "$d/story"; continue
	fi
	"$RSTSCOPE" --json -r "$d/x.pcap" -l "$d/demo.sendlog" >"$d/demo.json" 2>/dev/null
	"$RSTSCOPE" --json -r "$d/x.pcap" -l "$d/kernel.sendlog" >"$d/kernel.json" 2>/dev/null
	if $PY "$here/programs/witnesses.py" "$d/demo.json" "$d/kernel.json" >"$d/cmp"; then
		ok "$name: the kernel's calls agree with the demo's own log ($(tail -1 "$d/cmp"))"
	else
		bad "$name: the kernel's calls differ from the demo's own log:"
		head -30 "$d/cmp"
	fi
	if grep -q ' 0 lost (ring buffer full)' "$d/err"; then
		ok "$name: no call event lost"
	else
		bad "$name: call events lost or not counted:"; cat "$d/err"
	fi
done <"$here/scenarios.list"

# A story: SERVER-COMMAND runs in the background, CLIENT-COMMAND under
# rstscope -- (its own output to NAME.self, its exit status to NAME.status).
# With TRACE=server, the server is the command and the client runs beside it.
story() { # name server-command client-command
	d=$tmp/$1
	mkdir -p "$d"
	READY=$d/ready unshare -n sh -c '
		ip link set lo up || exit 3
		d=$1 rs=$2 srv=$3 cli=$4
		if [ "${TRACE:-client}" = server ]; then
			"$rs" --json -w "$d/x.pcap" -- sh -c "$srv" >"$d/live.json" 2>"$d/err" &
			r=$!
			i=0; while [ ! -e "$READY" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
			sh -c "$cli" >"$d/self" 2>&1; echo $? >"$d/status"
			wait $r
		else
			sh -c "$srv" >"$d/server.out" 2>&1 &
			i=0; while [ ! -e "$READY" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
			"$rs" --json -w "$d/x.pcap" -- sh -c "( $cli ) >\"$d/self\" 2>&1; echo \$? >\"$d/status\"" >"$d/live.json" 2>"$d/err"
			wait
		fi' sh "$d" "$RSTSCOPE" "$2" "$3"
	[ -s "$d/live.json" ] || { bad "$1: no output:"; cat "$d/err"; return 1; }
	return 0
}
# The failed call rows of a story (a non-blocking socket's EINPROGRESS
# or EAGAIN is no failure).
failed() { jq -c 'select(.kind == "call" and .ret == -1 and .cause.why != "nonblocking")' "$tmp/$1/live.json"; }
# Does any row of a JSON-lines file satisfy the jq condition?
has() { jq -s -e "any(.[]; $1)" "$2" >/dev/null; }
# errno name for strerror's text, as programs print it.
errno_of() {
	case "$1" in
	*"Broken pipe"*|*EPIPE*) echo EPIPE ;;
	*"Connection reset by peer"*|*ECONNRESET*) echo ECONNRESET ;;
	*) echo "?" ;;
	esac
}

# 2a. python3: BrokenPipeError on the third send; the second was lost.
if story python "$PEER server close 9000" "$PEER client-epipe 9000"; then
	self=$(cat "$tmp/python/self")
	f=$(failed python | head -1)
	if echo "$self" | grep -q 'exception BrokenPipeError errno 32' &&
		[ "$(echo "$f" | jq -r '[.event, .errno, .cause.why, .sigpipe, .disposition, .comm] | join(" ")')" = "send EPIPE rst_in_close_wait true ignore python3" ] &&
		[ "$(jq -s '[.[] | select(.kind == "call" and .event == "send" and .lost == 14)] | length' "$tmp/python/live.json")" = 1 ]; then
		ok "python3: BrokenPipeError = send EPIPE after the RST in CLOSE_WAIT, SIGPIPE ignored, the 14 bytes before it lost"
	else
		bad "python3: the program said '$self'; rstscope: $f"
	fi
	rst=$(jq -r 'select(.kind == "segment" and (.flags | startswith("R"))) | .n' "$tmp/python/live.json" | head -1)
	if [ -n "$rst" ] && [ "$(echo "$f" | jq -r .cause.n)" = "$rst" ]; then
		ok "python3: the cause is the RST on the wire (record $rst)"
	else
		bad "python3: cause.n is not the RST (record ${rst:-none}): $f"
	fi
fi

if [ "$(tail -1 "$tmp/python/live.json" | jq -r '[.kind, .calls_recorded > 0, .calls_lost] | join(" ")')" = "stats true 0" ]; then
	ok "the JSON output ends with the statistics: calls recorded, none lost"
else
	bad "no statistics row at the end of the JSON: $(tail -1 "$tmp/python/live.json")"
fi

# 2b. perl, SIGPIPE at its default: killed (141), and rstscope says so.
if story perl "$PEER server close 9000" \
	"perl -e 'use IO::Socket::INET; \$s = IO::Socket::INET->new(q(127.0.0.1:9000)) or die; syswrite(\$s, qq(hello\\n)); select(undef,undef,undef,0.3); syswrite(\$s, qq(are you here?\\n)); select(undef,undef,undef,0.2); syswrite(\$s, qq(????\\n)); print qq(survived\\n)'"; then
	st=$(cat "$tmp/perl/status")
	f=$(failed perl | head -1)
	if [ "$st" = 141 ] && [ "$(echo "$f" | jq -r '[.errno, .sigpipe, .process] | join(" ")')" = "EPIPE true killed by SIGPIPE" ] &&
		has '.kind == "call" and .event == "exit" and .signal == "SIGPIPE"' "$tmp/perl/live.json"; then
		ok "perl: killed by SIGPIPE (status $st) = send EPIPE, SIGPIPE at its default, exit killed by SIGPIPE"
	else
		bad "perl: status $st; rstscope: $f"
	fi
fi

# 2c. node: the peer resets; node's error names the call and the errno.
if command -v node >/dev/null; then
	if story node "$PEER server reset 9000" \
		"node -e 'const s = require(\"net\").connect(9000, \"127.0.0.1\", () => { s.write(\"hello, this is more than sixteen bytes\\n\"); setTimeout(() => s.write(\"again\\n\"), 300); }); s.on(\"error\", e => { console.log(e.syscall, e.code); process.exit(3); }); s.on(\"close\", () => console.log(\"closed\"));'"; then
		self=$(cat "$tmp/node/self")
		call=$(echo "$self" | awk '{print $1}') code=$(echo "$self" | awk '{print $2}')
		ev=$([ "$call" = read ] && echo recv || echo send)
		f=$(failed node | head -1)
		if [ -n "$code" ] && [ "$(echo "$f" | jq -r '[.event, .errno, .cause.why] | join(" ")')" = "$ev $code rst_in_established" ]; then
			ok "node: '$self' = $ev $code, reset by the peer's RST"
		else
			bad "node: the program said '$self'; rstscope: $f"
		fi
	fi
else
	echo "SKIP: node is not installed: its story was not run"
fi

# 2d. curl: an upload the server resets: exit 55 (send) or 56 (recv).
if story curl "$PEER server reset 9000" \
	"head -c 4000000 /dev/zero >$tmp/upload; curl -sS --data-binary @$tmp/upload http://127.0.0.1:9000/"; then
	st=$(cat "$tmp/curl/status") self=$(cat "$tmp/curl/self")
	ev=$([ "$st" = 55 ] && echo send || echo recv)
	f=$(failed curl | head -1)
	if { [ "$st" = 55 ] || [ "$st" = 56 ]; } &&
		[ "$(echo "$f" | jq -r '[.event, .errno, .comm] | join(" ")')" = "$ev $(errno_of "$self") curl" ] &&
		[ "$(echo "$f" | jq -r .sigpipe)" != true ]; then
		ok "curl: exit $st '$self' = $ev $(errno_of "$self"), no SIGPIPE (MSG_NOSIGNAL)"
	else
		bad "curl: exit $st '$self'; rstscope: $f"
	fi
fi

# 2e, 2f. netcat-openbsd and busybox's nc: whatever each reports, rstscope agrees.
for nc in "nc" "busybox nc"; do
	name=$(echo "$nc" | tr ' ' -)
	command -v ${nc%% *} >/dev/null || { echo "SKIP: $nc is not installed"; continue; }
	if story "$name" "$PEER server close 9000" \
		"(printf 'hello\\n'; sleep 0.3; printf 'are you here?\\n'; sleep 0.3; printf '????\\n'; sleep 0.5) | $nc 127.0.0.1 9000"; then
		st=$(cat "$tmp/$name/status")
		f=$(failed "$name" | head -1)
		p=$(jq -s 'map(select(.kind == "call" and .event == "connect")) | .[0].pid' "$tmp/$name/live.json")
		ex=$(jq -c --argjson p "$p" 'select(.kind == "call" and .event == "exit" and .pid == $p)' "$tmp/$name/live.json")
		if [ "$st" = 141 ]; then
			verdict=$(echo "$f" | jq -r '[.errno, .sigpipe, .process] | join(" ")')
			want="EPIPE true killed by SIGPIPE"
		else
			verdict="exit status $(echo "$ex" | jq -r .status)"
			want="exit status $st"
		fi
		if [ "$verdict" = "$want" ]; then
			ok "$nc: status $st = $want"
		else
			bad "$nc: status $st, want '$want'; rstscope: '$verdict' $f $ex"
		fi
	fi
done

# 2g. A real server writing to a client that left (seed 004): socat sends
# an endless stream; the client reads a little and goes away.
if command -v socat >/dev/null; then
	if TRACE=server story socat \
		"touch \$READY; socat -d TCP-LISTEN:9000,bind=127.0.0.1,reuseaddr SYSTEM:'yes hello'" \
		"$PY -c 'import socket; s = socket.create_connection((\"127.0.0.1\", 9000)); s.recv(100); s.close()'"; then
		# socat names the call that failed first, and its error.
		self=$(grep -E ' (read|write)\(' "$tmp/socat/err" | head -1)
		ev=$(echo "$self" | grep -q ' read(' && echo recv || echo send)
		want=$(errno_of "$self")
		f=$(jq -c 'select(.kind == "call" and .ret == -1 and .comm == "socat" and .cause.why != "nonblocking")' "$tmp/socat/live.json" | head -1)
		why=$([ "$want" = ECONNRESET ] && echo rst_in_established || echo rst_in_close_wait)
		if [ -n "$self" ] && [ "$(echo "$f" | jq -r '[.event, .errno, .cause.why, .side] | join(" ")')" = "$ev $want $why server" ]; then
			ok "socat (server): '${self##*: }' in $ev = $ev $want, caused by the client's RST (record $(echo "$f" | jq -r .cause.n))"
		else
			bad "socat (server): it said '$self'; rstscope: $f"
		fi
	fi
else
	echo "SKIP: socat is not installed: the server-side story was not run"
fi

# 3. No SYN in the capture: -p attaches after the connection opened; each
# send maps, by the kernel's sequence numbers, to exactly its segments.
d=$tmp/late
mkdir -p "$d"
READY=$d/ready unshare -n sh -c '
	ip link set lo up
	d=$1 rs=$2
	$3 server echo 9000 &
	while [ ! -e "$READY" ]; do sleep 0.05; done
	$3 client-late 9000 "$d/go" >"$d/self" &
	c=$!
	sleep 0.3
	"$rs" --json -w "$d/x.pcap" -p $c >"$d/live.json" 2>"$d/err" &
	r=$!
	# the first send only once the recorder is attached (it says so)
	i=0; while ! grep -q listening "$d/err" && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	sleep 0.2; touch "$d/go"
	wait $c; sleep 0.3; kill -INT $r; wait $r' sh "$d" "$RSTSCOPE" "$PEER"
sends=$(jq -c 'select(.kind == "call" and .event == "send")' "$d/live.json")
n=$(echo "$sends" | grep -c . )
exact=0
for s in $(echo "$sends" | jq -c '[.seq, .ret, .segments, .mapping]'); do
	seq=$(echo "$s" | jq '.[0]') ret=$(echo "$s" | jq '.[1]')
	want=$(jq -c --argjson a "$seq" --argjson l "$ret" -s \
		'[.[] | select(.kind == "segment" and .len > 0 and ((.seq - $a) < $l) and (($a - .seq) < .len)) | .n]' "$d/live.json")
	[ "$(echo "$s" | jq -c '.[2]')" = "$want" ] && [ "$(echo "$s" | jq -r '.[3]')" = kernel_seq ] && exact=$((exact + 1))
done
if [ "$n" = 3 ] && [ "$exact" = 3 ] && ! has '.kind == "segment" and (.flags | startswith("S"))' "$d/live.json"; then
	ok "no SYN captured: the 3 sends map to their segments by the kernel's sequence numbers"
else
	bad "no SYN captured: $exact of $n sends mapped exactly:"; echo "$sends"; cat "$d/err"
fi

# 4a. A child forked after attaching writes on the inherited socket.
if story fork "$PEER server echo 9000" "$PEER client-fork 9000"; then
	child=$(awk '/^child/ {print $2}' "$tmp/fork/self")
	row=$(jq -c --argjson p "${child:-0}" 'select(.kind == "call" and .event == "send" and .pid == $p)' "$tmp/fork/live.json")
	if [ -n "$child" ] && [ "$(echo "$row" | jq -r '[.ret, .conn, (.segments | length > 0)] | join(" ")')" = "15 1 true" ]; then
		ok "a forked child's send: its own pid $child, the parent's connection, its segments"
	else
		bad "forked child ${child:-?}: $row"
	fi
fi

# 4b. An fd number reused by a new socket after close.
if story reuse "$PEER server echo 9000 2" "$PEER client-reuse 9000"; then
	fds=$(awk '/^fds/ {print $2, $3}' "$tmp/reuse/self")
	got=$(jq -r 'select(.kind == "call" and .event == "send") | "\(.fd):\(.conn):\(.ret)"' "$tmp/reuse/live.json" | tr '\n' ' ')
	fd=${fds%% *}
	if [ "${fds#* }" = "$fd" ] && [ "$got" = "$fd:1:13 $fd:2:14 " ]; then
		ok "fd $fd reused: the first send is on connection 1, the second on connection 2"
	else
		bad "fd reuse: fds '$fds', sends (fd:conn:ret) $got"
	fi
fi

# 4c. A thread closes the fd another thread is blocked on; the read still
# returns data, on the socket it started on.
if story thread "$PEER server hold 9000" "$PEER client-thread-close 9000"; then
	n=$(awk '/^read/ {print $2}' "$tmp/thread/self")
	row=$(jq -c 'select(.kind == "call" and .event == "recv" and .ret > 0)' "$tmp/thread/live.json" | head -1)
	if [ -n "$n" ] && [ "$(echo "$row" | jq -r '[.ret, .conn] | join(" ")')" = "$n 1" ]; then
		ok "recv() blocked while another thread closed its fd: $n bytes, on connection 1"
	else
		bad "thread close: the program read ${n:-?} bytes; rstscope: $row"
	fi
fi

# 4d. Two processes interleaved on two connections: each call is its own.
if story two "$PEER server echo 9000 2" "$PEER client-epipe 9000 & $PEER client-epipe 9000; wait"; then
	owners=$(awk '/^pid/ {print $2 ":" $4}' "$tmp/two/self" | sort)
	seen=$(jq -s -r '[.[] | select(.kind == "segment" and .flags == "S")] as $syn | .[] | select(.kind == "call" and .event == "send") | . as $c | ($syn[] | select(.conn == $c.conn) | .src | split(":") | .[1]) as $p | "\($c.pid):\($p)"' "$tmp/two/live.json" | sort -u)
	if [ "$(echo "$owners" | wc -l)" = 2 ] && [ "$owners" = "$seen" ]; then
		ok "two processes interleaved: every send is on its own process's connection"
	else
		bad "two processes: pid:port from the programs '$owners', from rstscope '$seen'"
	fi
fi

# 4e. The clocks: a send's segments leave inside the send() on loopback, so
# each segment's capture time lies between the call's entry and exit as the
# kernel recorder stamped them (on the capture's clock, CLOCK_REALTIME).
if $PY - "$tmp/python/live.json" >"$tmp/clock" <<'PYEOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
seg = {r["n"]: r for r in rows if r["kind"] == "segment"}
ns = lambda t: int(t.replace(".", ""))
worst, n = 0, 0
for r in rows:
    if r["kind"] == "call" and r["event"] == "send" and r.get("ts_enter"):
        for s in r["segments"]:
            t = ns(seg[s]["ts"])
            out = max(ns(r["ts_enter"]) - t, t - ns(r["ts"]), 0)
            worst, n = max(worst, out), n + 1
print(f"{n} segments, worst {worst} ns outside their send's span")
sys.exit(0 if n >= 2 and worst < 1000 else 1)
PYEOF
then
	ok "clocks aligned: every data segment was captured within its send() ($(cat "$tmp/clock"))"
else
	bad "clocks: $(cat "$tmp/clock")"
fi

# 4f. The command's whole tree is traced: sh starts a child and exits at
# once; tracing lasts until the child, connecting later, has exited.
if story tree "$PEER server close 9000" "sh -c '(sleep 0.5; exec $PEER client-epipe 9000) & exit 0'"; then
	if has '.kind == "segment" and .flags == "S"' "$tmp/tree/live.json" &&
		has '.kind == "call" and .event == "send" and .errno == "EPIPE" and .comm == "python3"' "$tmp/tree/live.json"; then
		ok "a command that starts a child and exits: the child's connection and calls are traced to the end"
	else
		bad "process tree: the grandchild's story is missing:"; cat "$tmp/tree/err"
	fi
fi

# 4g. Signals with a command: the first SIGTERM goes to the command (which
# here ignores it), and the trace goes on; a second kills the command's
# process group, and rstscope exits 128 + 15.
d=$tmp/sig
mkdir -p "$d"
unshare -n sh -c 'ip link set lo up
	"$1" --no-calls -- sh -c "trap \"\" TERM; echo \$\$ >$2/pid; while :; do sleep 0.1; done" >/dev/null 2>"$2/err" &
	r=$!
	while [ ! -s "$2/pid" ]; do sleep 0.05; done
	kill -TERM $r; sleep 0.5
	kill -0 $r 2>/dev/null && echo alive >"$2/after1"
	kill -TERM $r; wait $r; echo $? >"$2/rc"
	sleep 0.2; kill -0 "$(cat "$2/pid")" 2>/dev/null && echo "left running" >"$2/left"' sh "$RSTSCOPE" "$d"
if [ -e "$d/after1" ] && [ "$(cat "$d/rc")" = 143 ] && [ ! -e "$d/left" ] && grep -q 'SIGTERM passed to sh' "$d/err"; then
	ok "SIGTERM once: passed to the command, tracing goes on; twice: the command's group killed, exit 143"
else
	bad "signals: after the first ${after1:-$(cat "$d/after1" 2>/dev/null)}, exit $(cat "$d/rc" 2>/dev/null), $(cat "$d/left" 2>/dev/null):"; cat "$d/err"
fi

# 4h. No command and no -p: every process's calls, on the connections the
# capture keeps: the filter expression applies to calls as to packets.
d=$tmp/all
mkdir -p "$d"
READY=$d/ready unshare -n sh -c '
	ip link set lo up
	d=$1 rs=$2 peer=$3
	READY=$d/r1 $peer server echo 9000 & READY=$d/r2 $peer server echo 9001 &
	"$rs" --json port 9000 >"$d/live.json" 2>"$d/err" &
	r=$!
	while [ ! -e "$d/r1" ] || [ ! -e "$d/r2" ] || ! grep -q listening "$d/err"; do sleep 0.05; done
	$peer client-fork 9000 >"$d/a"; $peer client-fork 9001 >"$d/b"
	sleep 0.3; kill -INT $r; wait $r; kill $(jobs -p) 2>/dev/null' sh "$d" "$RSTSCOPE" "$PEER"
pa=$(awk '/^pid/ {print $2}' "$d/a") pb=$(awk '/^pid/ {print $2}' "$d/b")
if [ -n "$pa" ] && has ".kind == \"call\" and .pid == $pa and .event == \"send\"" "$d/live.json" &&
	! has ".kind == \"call\" and .pid == ${pb:-0}" "$d/live.json"; then
	ok "every process, with 'port 9000': the client on 9000 is shown, the one on 9001 is not"
else
	bad "every process with a filter: pid ${pa:-?} (port 9000) / ${pb:-?} (port 9001):"; jq -c 'select(.kind == "call") | [.pid, .event, .conn]' "$d/live.json" | head
fi

# 5. What a live run saved replays to the same rows.
d=$tmp/python
"$RSTSCOPE" --json -r "$d/x.pcap" -l "$d/x.sendlog" >"$d/replay.json" 2>/dev/null
grep -v '^{"kind":"stats"' "$d/live.json" >"$d/live.rows"
if [ -s "$d/x.sendlog" ] && cmp -s "$d/live.rows" "$d/replay.json"; then
	ok "replaying -w's capture with the calls saved beside it (x.sendlog) gives the live rows"
else
	bad "the replay of the saved capture and calls differs from the live run:"
	diff "$d/live.rows" "$d/replay.json" | head -10
fi

# 6. No permission for BPF: packets still, and one line says why not calls.
if command -v setpriv >/dev/null; then
	d=$tmp/noperm
	mkdir -p "$d"; chmod 777 "$d"
	unshare -n sh -c 'ip link set lo up
		setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=+net_raw --ambient-caps=+net_raw \
			"$1" --json -- sh -c "exec $2 -c \"import socket; l = socket.socket(); l.bind((\\\"127.0.0.1\\\", 0)); l.listen(); socket.create_connection(l.getsockname())\""' \
		sh "$RSTSCOPE" "$PY" >"$d/out.json" 2>"$d/err"
	if grep -q 'calls are not recorded: not permitted' "$d/err" &&
		[ "$(grep -c 'calls are not recorded' "$d/err")" = 1 ] &&
		has '.kind == "segment" and .flags == "S"' "$d/out.json" &&
		{ ! command -v strace >/dev/null ||
		  { grep -q "recorded with strace instead" "$d/err" && has '.kind == "call" and .event == "connect" and .conn == 1' "$d/out.json"; }; }; then
		ok "as nobody with cap_net_raw only: packets captured; '$(grep 'calls are not recorded' "$d/err" | cut -c1-80)...'$(command -v strace >/dev/null && echo "; the command's calls recorded with strace instead")"
	else
		bad "without BPF permission:"; cat "$d/err"; head -3 "$d/out.json"
	fi
else
	echo "SKIP: setpriv is not installed: the no-permission case was not run"
fi

echo "record: $pass passed, $fail failed"
[ $fail -eq 0 ]
