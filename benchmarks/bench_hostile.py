#!/usr/bin/env python3
"""Time the server on hostile documents at two sizes, to show the cost grows
linearly (no quadratic blow-up): didOpen -> first diagnostics, over real stdio.

Also: typing in a 1 MB document, a hover after each keystroke (its latency
is what the user feels; the whole-document analysis runs in a thread).

Usage: python benchmarks/bench_hostile.py [--scale 1.0] [--typing-only]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.rawclient import RawClient  # noqa: E402

CASES = {
    "lines of names": lambda n: "x = 'resnet50_8xb32_in1k'\n" * n,
    "one long line": lambda n: "x = [" + "'a_b', " * n + "]\n",
    "binary with NUL": lambda n: "\x00\x01 load_from = 'resnet50_8x32_in1k'\n" * (n // 10),
    "nested brackets": lambda n: "x = " + "[" * n + "]" * n + "\n",
    "string literals": lambda n: "".join(f"a{i} = 'v{i}'\n" for i in range(n)),
    "unterminated string": lambda n: "x = '" + "a_b" * n,
}
SIZES = (20_000, 80_000)


def measure(client: RawClient, name: str, text: str) -> float:
    uri = f"file:///tmp/bench-hostile/{abs(hash((name, len(text))))}.py"
    start = time.perf_counter()
    client.open(uri, text)
    client.diagnostics(uri, timeout=300)
    took = time.perf_counter() - start
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    client.diagnostics(uri, timeout=60)
    return took


def typing(client: RawClient, lines: int = 40_000, keys: int = 20) -> list:
    """Hover latencies (ms) right after each of ``keys`` edits of a large document."""
    uri = "file:///tmp/bench-hostile/typing.py"
    text = "x = 'resnet50_8xb32_in1k'\n" * lines
    client.open(uri, text)
    client.diagnostics(uri, timeout=300)
    out = []
    for version in range(2, keys + 2):
        client.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {"start": {"line": 0, "character": 0},
                                          "end": {"line": 0, "character": 0}}, "text": "a"}]})
        start = time.perf_counter()
        client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                              "position": {"line": 5, "character": 8}},
                       timeout=300)
        out.append((time.perf_counter() - start) * 1000)
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="multiply the sizes")
    ap.add_argument("--typing-only", action="store_true", help="only the typing row")
    args = ap.parse_args(argv)
    sizes = [int(s * args.scale) for s in SIZES]
    client = RawClient()
    try:
        client.initialize()
        measure(client, "warm-up", "x = 'resnet50_8xb32_in1k'\n")
        hovers = sorted(typing(client))
        size = len("x = 'resnet50_8xb32_in1k'\n") * 40_000 / 1e6
        print(f"typing in a {size:.1f} MB document: hover after each keystroke "
              f"p50 {hovers[len(hovers) // 2]:.1f} ms, max {hovers[-1]:.1f} ms\n")
        if args.typing_only:
            return 0
        print(f"| document | size {sizes[0]:,} | size {sizes[1]:,} | ratio (4x input) |")
        print("|---|---:|---:|---:|")
        for name, make in CASES.items():
            small = measure(client, name, make(sizes[0]))
            large = measure(client, name, make(sizes[1]))
            ratio = large / small if small else float("inf")
            print(f"| {name} | {small * 1000:.0f} ms | {large * 1000:.0f} ms | {ratio:.1f}x |")
    finally:
        rc = client.close()
    print(f"\nserver exit code {rc}; a ratio near 4 is linear, near 16 would be quadratic")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
