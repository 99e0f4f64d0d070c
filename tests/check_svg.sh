#!/bin/sh
# check_svg.sh: --svg on every recording in captures/: valid XML, one
# "segment" element per JSON segment row and one "call" element per JSON call
# row; golden SVG files (tests/golden/svg/NAME.svg, rewritten with
# GOLDEN_UPDATE=1); server-close rendered by headless Chromium to a PNG that
# is not blank; --svg-conn; text from the log escaped.
set -u
. "$(dirname "$0")/lib.sh"
export TZ=UTC LC_ALL=C
tmp_dir
fail=0 n=0 updated=0
xml_ok() {
	if command -v xmllint >/dev/null 2>&1; then
		xmllint --noout "$1"
	else
		python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$1"
	fi
}
count() { # file, class: elements whose class list starts with it
	grep -o "<g class=\"$2[ \"]" "$1" | wc -l
}
for pcap in "$top"/captures/*.pcap; do
	name=$(basename "$pcap" .pcap)
	log=${pcap%.pcap}.sendlog
	svg=$tmp/$name.svg
	if ! (cd "$top" && "$RSTSCOPE" -r "captures/$name.pcap" -l "captures/$name.sendlog" \
		--svg "$svg" >/dev/null 2>"$tmp/err"); then
		echo "FAIL $name: rstscope --svg failed:"; cat "$tmp/err"; fail=$((fail + 1)); continue
	fi
	n=$((n + 1))
	xml_ok "$svg" || { echo "FAIL $name: not valid XML"; fail=$((fail + 1)); }
	"$RSTSCOPE" -r "$pcap" -l "$log" --json >"$tmp/json" 2>/dev/null
	js=$(jq -s '[.[] | select(.kind == "segment")] | length' "$tmp/json")
	jc=$(jq -s '[.[] | select(.kind == "call")] | length' "$tmp/json")
	ss=$(count "$svg" segment) sc=$(count "$svg" call)
	[ "$js" = "$ss" ] || { echo "FAIL $name: $ss segment elements, $js JSON segment rows"; fail=$((fail + 1)); }
	[ "$jc" = "$sc" ] || { echo "FAIL $name: $sc call elements, $jc JSON call rows"; fail=$((fail + 1)); }
	# data-n and data-line are the JSON rows' n and line, in the same order.
	jn=$(jq -r 'select(.kind == "segment") | .n' "$tmp/json" | sort -n | tr '\n' ' ')
	sn=$(grep -o '<g class="segment[^>]*data-n="[0-9]*"' "$svg" | sed 's/.*data-n="//; s/"//' | sort -n | tr '\n' ' ')
	[ "$jn" = "$sn" ] || { echo "FAIL $name: data-n '$sn' is not the JSON's n '$jn'"; fail=$((fail + 1)); }
	gold=$here/golden/svg/$name.svg
	if [ "${GOLDEN_UPDATE:-0}" = 1 ]; then
		cmp -s "$svg" "$gold" 2>/dev/null || { cp "$svg" "$gold"; updated=$((updated + 1)); echo "updated svg/$name.svg"; }
	elif [ ! -e "$gold" ]; then
		echo "FAIL $name: no tests/golden/svg/$name.svg (run 'make golden-update' and look at it)"; fail=$((fail + 1))
	elif ! diff -u "$gold" "$svg" >"$tmp/diff"; then
		echo "FAIL $name: the SVG differs from tests/golden/svg/$name.svg:"; head -20 "$tmp/diff"; fail=$((fail + 1))
	fi
done
[ "${GOLDEN_UPDATE:-0}" = 1 ] && { echo "svg: $updated golden files rewritten"; exit 0; }
sc=$tmp/server-close.svg
# The story's marks: the RST red, the FIN in the warning colour, the failed
# call marked failed with its cause, the lost bytes.
grep -q '<g class="segment rst" data-n="11"' "$sc" || { echo "FAIL server-close: record 11 is not drawn as an RST"; fail=$((fail + 1)); }
grep -q '<g class="segment fin" data-n="8"' "$sc" || { echo "FAIL server-close: record 8 is not drawn as a FIN"; fail=$((fail + 1)); }
grep -q '<g class="segment lostdata" data-n="10"' "$sc" || { echo "FAIL server-close: record 10's lost bytes are not marked"; fail=$((fail + 1)); }
grep -q '<g class="call failed" data-line="11"' "$sc" || { echo "FAIL server-close: L11 is not drawn as failed"; fail=$((fail + 1)); }
grep -q 'CLOSE_WAIT' "$sc" || { echo "FAIL server-close: no TCP state written"; fail=$((fail + 1)); }
# --svg-conn: one connection of several (client-exit has more than one? then 1 of them).
"$RSTSCOPE" -r "$top/captures/server-close.pcap" -l "$top/captures/server-close.sendlog" --svg-conn 2 --svg "$tmp/none.svg" >/dev/null 2>&1
xml_ok "$tmp/none.svg" && [ "$(count "$tmp/none.svg" segment)" = 0 ] || { echo "FAIL --svg-conn 2: connection 1 was drawn"; fail=$((fail + 1)); }
# A long gap (server-close with 3 s added from record 8 on) is compressed
# and marked, and the timelines break there.
python3 - "$top/captures/server-close.pcap" "$tmp/gap.pcap" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
out, pos, i = bytearray(d[:24]), 24, 0
while pos < len(d):
    s, us, cl, ol = struct.unpack("<IIII", d[pos:pos + 16]); i += 1
    out += struct.pack("<IIII", s + (3 if i >= 8 else 0), us, cl, ol) + d[pos + 16:pos + 16 + cl]
    pos += 16 + cl
open(sys.argv[2], "wb").write(out)
PY
"$RSTSCOPE" -r "$tmp/gap.pcap" --svg "$tmp/gap.svg" >/dev/null 2>&1
xml_ok "$tmp/gap.svg" && grep -q '3.100 s later (gap compressed)' "$tmp/gap.svg" &&
	[ "$(grep -c 'class="timeline"' "$tmp/gap.svg")" = 4 ] || { echo "FAIL: the 3 s gap is not compressed and marked"; fail=$((fail + 1)); }
# Text from the log is escaped: a send of "<&>" stays valid XML.
printf '%s\n' '{"ts":"1795269357.526997669","pid":1,"event":"send","fd":4,"local":"127.0.0.1:1","peer":"127.0.0.1:2","len":3,"ret":-1,"errno":"EPIPE","off":0,"flags":"","data":"<&>\"\u0001\u00e9"}' >"$tmp/esc.sendlog"
"$RSTSCOPE" -r "$top/captures/server-close.pcap" -l "$tmp/esc.sendlog" --svg "$tmp/esc.svg" >/dev/null 2>&1
xml_ok "$tmp/esc.svg" || { echo "FAIL: log text not escaped in the SVG"; fail=$((fail + 1)); }
[ "$(count "$tmp/esc.svg" call)" = 1 ] || { echo "FAIL: the unmatched call is not drawn"; fail=$((fail + 1)); }
# Rendered by headless Chromium: a PNG that is not blank, with red in it.
if command -v chromium >/dev/null 2>&1; then
	prof=$(mktemp -d)
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$prof" \
		--screenshot="$tmp/sc.png" --window-size=1220,1400 "file://$sc" >"$tmp/chr" 2>&1
	rm -rf "$prof"
	if [ ! -s "$tmp/sc.png" ]; then
		echo "FAIL chromium: no screenshot:"; tail -5 "$tmp/chr"; fail=$((fail + 1))
	elif ! python3 "$here/tools/png_not_blank.py" "$tmp/sc.png" --red; then
		echo "FAIL chromium: the rendered SVG is blank"; fail=$((fail + 1))
	fi
else
	echo "svg: chromium is not installed (Debian: chromium): the rendering is not checked"
fi
echo "svg: $n recordings drawn, $fail failures"
[ "$fail" -eq 0 ]
