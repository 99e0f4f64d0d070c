#!/bin/sh
# check_json.sh: the JSON contract (README, "JSON") on every row kind of
# every recording in captures/ and every golden capture, plus the cases the
# recordings lack: a send no captured connection matches (its summary row),
# and a payload that is not UTF-8 (base64, round-tripping).
set -u
. "$(dirname "$0")/lib.sh"
export TZ=UTC LC_ALL=C
tmp_dir
for pcap in "$top"/captures/*.pcap; do
	"$RSTSCOPE" -r "$pcap" -l "${pcap%.pcap}.sendlog" --json >"$tmp/$(basename "$pcap").json" 2>/dev/null
done
for cap in "$top"/tests/golden/*.pcap "$top"/tests/golden/*.pcapng; do
	[ -e "$cap" ] || continue
	"$RSTSCOPE" -r "$cap" --json >"$tmp/golden-$(basename "$cap").json" 2>/dev/null
done
# A send with no captured connection, and its summary row.
printf '%s\n' '{"ts":"1795269357.526997669","pid":1,"event":"send","fd":4,"local":"127.0.0.1:1","peer":"127.0.0.1:2","len":3,"ret":3,"errno":null,"off":0,"flags":""}' \
	'{"ts":"1795269357.526997670","pid":1,"event":"send","fd":4,"local":"127.0.0.1:1","peer":"127.0.0.1:2","len":3,"ret":-1,"errno":"EPIPE","off":3,"flags":""}' >"$tmp/nomatch.sendlog"
"$RSTSCOPE" -r "$top/captures/server-close.pcap" -l "$tmp/nomatch.sendlog" --json >"$tmp/nomatch.json" 2>/dev/null
# A payload of bytes that are not UTF-8: "\xff\xfe\x00A".
python3 - "$tmp/binary.pcap" <<'PY'
import struct, sys
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
pay = b"\xff\xfe\x00A"
tcp = struct.pack("!HHIIBBHHH", 40000, 80, 1000, 0, 5 << 4, 0x18, 512, 0, 0) + pay
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
eth = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00"
pkt = eth + ip + tcp
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b23c4d, 2, 4, 0, 0, 65535, 1))
    f.write(struct.pack("<IIII", 1795269357, 5, len(pkt), len(pkt)) + pkt)
PY
"$RSTSCOPE" -r "$tmp/binary.pcap" --json >"$tmp/binary.json" 2>/dev/null
fail=0
b64=$(jq -r 'select(.kind == "segment") | .data_b64 // "none"' "$tmp/binary.json")
[ "$b64" = "//4AQQ==" ] || { echo "FAIL: the non-UTF-8 payload is '$b64', not base64 //4AQQ=="; fail=1; }
[ "$(jq -s '[.[] | select(.kind == "summary" and .conn == null)] | length' "$tmp/nomatch.json")" = 1 ] ||
	{ echo "FAIL: no no-connection summary row"; fail=1; }
python3 "$here/tools/json_contract.py" "$tmp"/*.json || fail=1
[ "$fail" -eq 0 ]
