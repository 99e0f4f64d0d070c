#!/bin/sh
# check_pcapng.sh: --pcapng on every recording in captures/: tshark reads the
# file, with the same packets (bytes, lengths, nanosecond times) as the pcap;
# server-close's RST carries the explanation of the EPIPE that followed, and
# the directions are those of the client. Also from standard input (the
# packets kept in a temporary file).
set -u
. "$(dirname "$0")/lib.sh"
export TZ=UTC LC_ALL=C
command -v tshark >/dev/null 2>&1 || { echo "SKIP: tshark is not installed (Debian: tshark)"; exit 0; }
tmp_dir
fail=0 n=0
fields() { # file: time, lengths, and every byte of every frame
	tshark -r "$1" -T fields -e frame.time_epoch -e frame.len -e frame.cap_len 2>/dev/null
	tshark -r "$1" -x 2>/dev/null
}
for pcap in "$top"/captures/*.pcap; do
	name=$(basename "$pcap" .pcap)
	log=${pcap%.pcap}.sendlog
	out=$tmp/$name.pcapng
	if ! "$RSTSCOPE" -r "$pcap" -l "$log" --pcapng "$out" >/dev/null 2>"$tmp/err"; then
		echo "FAIL $name: rstscope --pcapng failed:"; cat "$tmp/err"; fail=$((fail + 1)); continue
	fi
	n=$((n + 1))
	fields "$pcap" >"$tmp/want"
	fields "$out" >"$tmp/got"
	if [ ! -s "$tmp/want" ] || ! cmp -s "$tmp/want" "$tmp/got"; then
		echo "FAIL $name: the pcapng's packets differ from the pcap's:"
		diff "$tmp/want" "$tmp/got" | head -10; fail=$((fail + 1))
	fi
	# Every TCP segment has a direction (the client's sends go out: 0).
	nodir=$(tshark -r "$out" -Y 'tcp && !frame.p2p_dir' -T fields -e frame.number 2>/dev/null | wc -l)
	[ "$nodir" -eq 0 ] || { echo "FAIL $name: $nodir TCP packets without a direction"; fail=$((fail + 1)); }
done
# server-close: the RST says which call it made fail, with what, and why.
sc=$tmp/server-close.pcapng
rst=$(tshark -r "$sc" -Y 'tcp.flags.reset==1' -T fields -e frame.comment 2>/dev/null)
case "$rst" in
*"caused L11: send #4"*"= -1 EPIPE: the RST at record 11 came after the peer's FIN (CLOSE_WAIT)"*) ;;
*) echo "FAIL server-close: the RST's comment does not explain the EPIPE of L11: '$rst'"; fail=$((fail + 1)) ;;
esac
case "$rst" in
*"RST: 127.0.0.1:"*"had closed (FIN)"*) ;;
*) echo "FAIL server-close: the RST's own note is missing: '$rst'"; fail=$((fail + 1)) ;;
esac
dirs=$(tshark -r "$sc" -T fields -e frame.p2p_dir 2>/dev/null | tr '\n' ' ')
[ "$dirs" = "0 1 0 0 1 0 1 1 0 0 1 " ] || { echo "FAIL server-close: directions '$dirs'"; fail=$((fail + 1)); }
# Standard input: the packets come from a temporary copy.
if "$RSTSCOPE" -r - -l "$top/captures/server-close.sendlog" --pcapng "$tmp/stdin.pcapng" \
	<"$top/captures/server-close.pcap" >/dev/null 2>"$tmp/err"; then
	fields "$tmp/stdin.pcapng" >"$tmp/got"
	fields "$top/captures/server-close.pcap" >"$tmp/want"
	cmp -s "$tmp/want" "$tmp/got" || { echo "FAIL stdin: packets differ"; fail=$((fail + 1)); }
	c=$(tshark -r "$tmp/stdin.pcapng" -T fields -e frame.comment 2>/dev/null | grep -c "caused L11")
	[ "$c" -eq 1 ] || { echo "FAIL stdin: no explanation on the RST"; fail=$((fail + 1)); }
else
	echo "FAIL stdin: rstscope failed:"; cat "$tmp/err"; fail=$((fail + 1))
fi
# Live (as root, in a private network namespace): the packets seen, kept in
# a temporary file until the end, with the same comments.
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 && [ -n "${RSTSCOPE_DEMO:-}" ]; then
	if timeout 60 unshare -n sh -c 'ip link set lo up && "$1" -i lo --pcapng "$2" -l "$3" -- "$4" server-close' \
		sh "$RSTSCOPE" "$tmp/live.pcapng" "$tmp/live.sendlog" "$RSTSCOPE_DEMO" >/dev/null 2>"$tmp/err"; then
		np=$(tshark -r "$tmp/live.pcapng" -T fields -e frame.number 2>/dev/null | wc -l)
		c=$(tshark -r "$tmp/live.pcapng" -Y 'tcp.flags.reset==1' -T fields -e frame.comment 2>/dev/null)
		[ "$np" -ge 11 ] || { echo "FAIL live: $np packets"; fail=$((fail + 1)); }
		case "$c" in *"caused L11: send #4"*EPIPE*) ;; *) echo "FAIL live: the RST says '$c'"; fail=$((fail + 1)) ;; esac
		ls "${TMPDIR:-/tmp}"/rstscope-*.pcap >/dev/null 2>&1 && echo "note: a temporary pcap is left in ${TMPDIR:-/tmp} (another run?)"
	else
		echo "FAIL live: rstscope failed:"; cat "$tmp/err"; fail=$((fail + 1))
	fi
else
	echo "pcapng: live case skipped (needs root, unshare and RSTSCOPE_DEMO)"
fi
# An unwritable path is an error that names it.
if "$RSTSCOPE" -r "$top/captures/server-close.pcap" --pcapng /nonexistent/x.pcapng >/dev/null 2>"$tmp/err"; then
	echo "FAIL: an unwritable --pcapng path was not an error"; fail=$((fail + 1))
elif ! grep -q "/nonexistent/x.pcapng" "$tmp/err"; then
	echo "FAIL: the error does not name the file:"; cat "$tmp/err"; fail=$((fail + 1))
fi
echo "pcapng: $n recordings written and read back by tshark, $fail failures"
[ "$fail" -eq 0 ]
