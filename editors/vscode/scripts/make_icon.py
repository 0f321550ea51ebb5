"""Draw the extension's icon, ``images/icon.png`` (128x128, RGBA), with the
standard library only: a name split into its parts, as the hover shows it
(coloured blocks joined by `_` and `-` marks, on a rounded square).

    python3 editors/vscode/scripts/make_icon.py
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import List, Tuple

SIZE = 128
OUT = Path(__file__).resolve().parents[1] / "images" / "icon.png"
Pixel = Tuple[int, int, int, int]

BACKGROUND = (31, 54, 92, 255)
# The parts of a name: model, training, data (the hover's colours).
PARTS = [
    # (x0, x1, y0, y1, colour)
    (18, 62, 34, 56, (255, 196, 61, 255)),
    (70, 110, 34, 56, (108, 203, 255, 255)),
    (18, 48, 72, 94, (140, 230, 140, 255)),
    (56, 110, 72, 94, (255, 140, 120, 255)),
]
MARK = (230, 236, 245, 255)


def inside_rounded(x: float, y: float, x0: float, y0: float, x1: float, y1: float,
                   r: float) -> bool:
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def coverage(px: int, py: int, x0: float, y0: float, x1: float, y1: float, r: float) -> float:
    """Share of the pixel inside the rounded box (4x4 samples: smooth edges)."""
    hits = sum(inside_rounded(px + (i + 0.5) / 4, py + (j + 0.5) / 4, x0, y0, x1, y1, r)
               for i in range(4) for j in range(4))
    return hits / 16


def blend(under: Pixel, over: Pixel, share: float) -> Pixel:
    if share <= 0:
        return under
    a = over[3] / 255 * share
    out_a = a + under[3] / 255 * (1 - a)
    if out_a == 0:
        return (0, 0, 0, 0)
    rgb = [round((o * a + u * under[3] / 255 * (1 - a)) / out_a) for o, u in zip(over, under)]
    return (rgb[0], rgb[1], rgb[2], round(out_a * 255))


def draw() -> List[List[Pixel]]:
    img: List[List[Pixel]] = [[(0, 0, 0, 0)] * SIZE for _ in range(SIZE)]
    shapes = [(4, 4, SIZE - 4, SIZE - 4, 22, BACKGROUND)]
    shapes += [(x0, y0, x1, y1, 5, colour) for x0, x1, y0, y1, colour in PARTS]
    # `_` between the first two parts, `-` between the last two.
    shapes += [(63, 53, 69, 57, 1, MARK), (49, 81, 55, 85, 1, MARK)]
    for x0, y0, x1, y1, r, colour in shapes:
        for py in range(int(y0), int(y1) + 1):
            for px in range(int(x0), int(x1) + 1):
                if 0 <= px < SIZE and 0 <= py < SIZE:
                    img[py][px] = blend(img[py][px], colour,
                                        coverage(px, py, x0, y0, x1, y1, r))
    return img


def png(img: List[List[Pixel]]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    raw = b"".join(b"\x00" + bytes(v for p in row for v in p) for row in img)
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main() -> int:
    OUT.write_bytes(png(draw()))
    print(OUT)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
