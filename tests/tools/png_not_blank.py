#!/usr/bin/env python3
"""png_not_blank.py FILE.png: exit 0 when the PNG has at least two colours
and some ink (not one colour, not nearly all background): decoded with zlib
and the PNG filters, no imaging library needed. Prints what it found."""
import struct
import sys
import zlib


def pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat = 8, b""
    while pos < len(data):
        ln, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + ln]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + ln
    if depth != 8 or ctype not in (2, 6):
        raise ValueError("unsupported PNG (depth %d, colour type %d)" % (depth, ctype))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def main():
    w, h, bpp, rows = pixels(sys.argv[1])
    counts = {}
    for line in rows:
        for i in range(0, len(line), bpp):
            px = line[i:i + 3]
            counts[px] = counts.get(px, 0) + 1
    total = w * h
    bg = max(counts.values())
    ink = total - bg
    red = sum(n for px, n in counts.items() if px[0] > 150 and px[1] < 80 and px[2] < 80)
    print("png: %dx%d, %d colours, %.1f%% not background, %d red pixels"
          % (w, h, len(counts), 100.0 * ink / total, red))
    if len(counts) < 2 or ink < total // 200:
        print("png: blank")
        return 1
    if len(sys.argv) > 2 and sys.argv[2] == "--red" and red == 0:
        print("png: no red (the RST and the failed call should be red)")
        return 1
    return 0


sys.exit(main())
