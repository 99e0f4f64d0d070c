#!/bin/sh
# check_live.sh: the tracer live alongside the demo, as root, each run in a
# private network namespace (unshare -n) with only lo up:
#  1. every scenario of tests/scenarios.list recorded live (rstscope -w -l --
#     rstscope-demo): the demo's own check passes, nothing is dropped, the live
#     JSON rows equal those of replaying the saved pair, and the verdicts are
#     the kernel's (tests/captures.expect);
#  2. stopped by SIGINT 50 ms after the last packet, the tracer has printed it
#     (tcpdump, capturing alongside, is the witness);
#  3. a flood (bounded in count and time) through a tiny buffer and a slow
#     reader: the statistics account for every packet, shown or dropped.
set -u
. "$(dirname "$0")/lib.sh"
needs_root_netns "live tests need" "they capture in a private network namespace"
needs_cmd jq
tmp_dir
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# 1. Every scenario, live.
if KEEP_LIVE=1 RSTSCOPE=$RSTSCOPE RSTSCOPE_DEMO=$RSTSCOPE_DEMO sh "$here/record-captures.sh" "$tmp/rec" >"$tmp/rec.log" 2>&1; then
	ok "every scenario recorded live; the demo's checks passed"
else
	bad "recording the scenarios live:"; cat "$tmp/rec.log"
fi
while read -r name scenario opts; do
	case "$name" in ''|'#'*) continue ;; esac
	d=$tmp/rec
	[ -e "$d/$name.live.json" ] || { bad "$name: no live output"; continue; }
	if grep -q ' 0 dropped by kernel, 0 dropped by interface' "$d/$name.err"; then
		ok "$name: no packet dropped"
	else
		bad "$name: drops while tracing the demo:"; cat "$d/$name.err"
	fi
	"$RSTSCOPE" --json -r "$d/$name.pcap" -l "$d/$name.sendlog" >"$d/$name.replay.json" 2>"$d/$name.replay.err"
	# The live run ends with its capture statistics (kind "stats"): the
	# rest is what a replay must give again.
	grep -v '^{"kind":"stats"' "$d/$name.live.json" >"$d/$name.live.rows"
	if cmp -s "$d/$name.live.rows" "$d/$name.replay.json"; then
		ok "$name: live rows = replayed rows ($(wc -l <"$d/$name.live.json") rows)"
	else
		bad "$name: the live rows differ from replaying the saved capture and log:"
		diff "$d/$name.live.rows" "$d/$name.replay.json" | head -20
	fi
done <"$here/scenarios.list"
if CAPTURES_DIR=$tmp/rec RSTSCOPE=$RSTSCOPE sh "$here/check_captures.sh" >"$tmp/verdicts" 2>&1; then
	ok "live verdicts are the kernel's: $(tail -1 "$tmp/verdicts")"
else
	bad "live verdicts:"; cat "$tmp/verdicts"
fi

# 2. SIGINT 50 ms after the last packet.
unshare -n sh -c '
	ip link set lo up
	tcpdump -i lo -U --immediate-mode -w "$1/witness.pcap" tcp 2>/dev/null &
	tp=$!
	"$2" --json -i lo >"$1/int.json" 2>"$1/int.err" &
	rp=$!
	sleep 0.7
	"$3" server-close --pace 10 >/dev/null
	sleep 0.05
	kill -INT $rp
	wait $rp
	echo $? >"$1/int.rc"
	sleep 0.3
	kill -INT $tp
	wait $tp
' sh "$tmp" "$RSTSCOPE" "$RSTSCOPE_DEMO"
want=$(tcpdump -r "$tmp/witness.pcap" 2>/dev/null | wc -l)
got=$(grep -c '"kind":"segment"' "$tmp/int.json")
last_want=$(tcpdump -nn -tt -r "$tmp/witness.pcap" 2>/dev/null | tail -1 | awk '{print $1}')
last_got=$(grep '"kind":"segment"' "$tmp/int.json" | tail -1 | jq -r '.ts[0:17]')
if [ "$(cat "$tmp/int.rc")" = 0 ] && [ "$want" -gt 0 ] && [ "$got" = "$want" ] && [ "$last_got" = "$last_want" ]; then
	ok "SIGINT 50 ms after the last packet: all $got segments printed, the last one too (exit 0)"
else
	bad "SIGINT: tcpdump saw $want packets (last at $last_want), rstscope printed $got (last at $last_got), exit $(cat "$tmp/int.rc")"
	cat "$tmp/int.err"
fi

# 3. A flood through a 1 MiB buffer and a reader that stalls: drops are
#    expected, and must be accounted for. On lo the kernel counts each packet
#    twice (leaving, arriving) and libpcap shows it once, so
#    received - dropped = 2 x shown, give or take a pair cut in half.
unshare -n sh -c '
	ip link set lo up
	mkfifo "$1/fifo"
	{ sleep 1; cat >/dev/null; } <"$1/fifo" &
	"$2" -B 1024 -i lo -x off --no-summary >"$1/fifo" 2>"$1/flood.err" &
	rp=$!
	sleep 0.7
	"$3" 200000 2 >"$1/flood.sent"
	sleep 2
	kill -INT $rp
	wait
' sh "$tmp" "$RSTSCOPE" "$TOOLS/flood"
stats=$(grep 'packets received by filter' "$tmp/flood.err")
shown=$(echo "$stats" | sed -n 's/.*rstscope: \([0-9]*\) segments shown.*/\1/p')
recv=$(echo "$stats" | sed -n 's/.*; \([0-9]*\) packets received by filter.*/\1/p')
drop=$(echo "$stats" | sed -n 's/.* \([0-9]*\) dropped by kernel.*/\1/p')
if [ -n "$shown" ] && [ -n "$recv" ] && [ -n "$drop" ] &&
	[ "$shown" -gt 0 ] && d=$((recv - drop - 2 * shown)) && [ "${d#-}" -le $((16 + recv / 100)) ]; then
	ok "flood of $(cat "$tmp/flood.sent") messages: $shown shown, $drop dropped by the kernel, $recv received: every packet accounted for"
else
	bad "flood statistics do not add up: $stats"
	cat "$tmp/flood.err"
fi

# -- COMMAND: the command's exit status comes back, as strace's does; one
# that cannot be started is 127, and leaves no send log behind.
unshare -n sh -c 'ip link set lo up; "$1" -- sh -c "exit 7" >/dev/null 2>&1; echo $?' sh "$RSTSCOPE" >"$tmp/rc7"
TMPDIR=$tmp/cmdtmp && mkdir -p "$TMPDIR" && export TMPDIR
unshare -n sh -c 'ip link set lo up; "$1" -- /no/such/command >/dev/null 2>&1; echo $?' sh "$RSTSCOPE" >"$tmp/rc127"
unset TMPDIR
if [ "$(cat "$tmp/rc7")" = 7 ] && [ "$(cat "$tmp/rc127")" = 127 ] && [ -z "$(ls "$tmp/cmdtmp")" ]; then
	ok "-- COMMAND: its exit status (7) comes back; a command that cannot start gives 127 and no log file"
else
	bad "-- COMMAND: exit $(cat "$tmp/rc7") for 'exit 7', $(cat "$tmp/rc127") for a missing command; left: $(ls "$tmp/cmdtmp")"
fi

# 4. Privileges: once the capture is open, nothing of root is left.
#    (a) run through sudo: the tracer becomes the sudo caller;
#    (b) an ordinary user without CAP_NET_RAW: one clear line, exit 2;
#    (c) with the file capability (setcap): it captures, then holds no
#        capability while it reads packets.
uid_of() { awk '/^Uid:/ {print $3}' "/proc/$1/status" 2>/dev/null; }
caps_of() { awk '/^CapEff:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
SUDO_UID=65534 SUDO_GID=65534 SUDO_USER=nobody "$RSTSCOPE" -i lo --duration 2 port 1 >/dev/null 2>"$tmp/sudo.err" &
rp=$!
# Once it says it listens (the capture open, the BPF programs loaded and
# privileges dropped, which takes a moment with the kernel recorder).
i=0; while ! grep -q 'listening on' "$tmp/sudo.err" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
u=$(uid_of $rp)
wait $rp
if [ "$u" = 65534 ] && grep -q 'running as nobody' "$tmp/sudo.err"; then
	ok "through sudo: capturing as the sudo caller (uid 65534) once the capture is open"
else
	bad "through sudo: effective uid '$u' while capturing:"; cat "$tmp/sudo.err"
fi
if command -v setcap >/dev/null 2>&1 && command -v su >/dev/null 2>&1; then
	cp "$RSTSCOPE" "$tmp/rstscope-cap" && chmod 755 "$tmp" "$tmp/rstscope-cap"
	su nobody -s /bin/sh -c "\"$tmp/rstscope-cap\" -i lo --duration 1" >/dev/null 2>"$tmp/noperm.err"
	rc=$?
	if [ $rc = 2 ] && grep -q 'no permission to capture.*sudo.*setcap cap_net_raw+eip' "$tmp/noperm.err"; then
		ok "without permission: exit 2 and one line naming sudo and setcap"
	else
		bad "without permission: exit $rc:"; cat "$tmp/noperm.err"
	fi
	if setcap cap_net_raw+eip "$tmp/rstscope-cap" 2>/dev/null; then
		su nobody -s /bin/sh -c "exec \"$tmp/rstscope-cap\" -i lo --duration 1 port 1" >/dev/null 2>"$tmp/cap.err" &
		sleep 0.6
		cp_pid=$(pgrep -x -u nobody rstscope-cap | head -1)
		c=$(caps_of "$cp_pid")
		wait
		if grep -q 'listening on lo' "$tmp/cap.err" && [ "$c" = 0000000000000000 ]; then
			ok "with setcap cap_net_raw+eip: captures as nobody, and holds no capability while it runs"
		else
			bad "with setcap: CapEff '$c' while capturing:"; cat "$tmp/cap.err"
		fi
		# With the recorder's capabilities too: it loads as nobody, then
		# holds none of them either.
		setcap cap_net_raw,cap_bpf,cap_perfmon,cap_dac_read_search+eip "$tmp/rstscope-cap"
		su nobody -s /bin/sh -c "exec \"$tmp/rstscope-cap\" -i lo --duration 2 port 1" >/dev/null 2>"$tmp/capbpf.err" &
		i=0; while ! grep -q 'listening on' "$tmp/capbpf.err" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
		cp_pid=$(pgrep -x -u nobody rstscope-cap | head -1)
		c=$(caps_of "$cp_pid")
		wait
		if grep -q 'listening on lo' "$tmp/capbpf.err" && ! grep -q 'calls are not recorded' "$tmp/capbpf.err" &&
			grep -q 'call events recorded from the kernel' "$tmp/capbpf.err" && [ "$c" = 0000000000000000 ]; then
			ok "with setcap cap_net_raw,cap_bpf,cap_perfmon: records calls as nobody, and holds no capability while it runs"
		else
			bad "with setcap for BPF: CapEff '$c' while capturing:"; cat "$tmp/capbpf.err"
		fi
	else
		echo "note: setcap cannot set file capabilities here; that case is not tried"
	fi
else
	echo "note: setcap or su is missing (libcap2-bin, login); the capability cases are not tried"
fi

echo "live: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
