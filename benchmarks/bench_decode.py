"""Decoder throughput over every name of the shared MMPretrain corpus.

    python3 benchmarks/bench_decode.py [--passes 7] [--corpus DIR] [--json]

Inputs: the 548 model names, the 538 config paths, the 522 checkpoint file
names and the 527 checkpoint URLs of the metafiles (2,135 texts).

Modes (each the best of ``--passes`` passes over all inputs):
  cold        ``Decoder._decode`` on a decoder whose data is loaded: the full
              decoding work for every name, no result cache involved;
  cold-api    ``Decoder.decode`` on a fresh ``Decoder`` per pass (the public
              call with an empty cache: decoding plus the cache insert);
  warm        ``Decoder.decode`` with every result already cached (what an
              editor sees when it asks about a name again).
Loading the vocabulary and the zoo (once per process) is timed apart.

This is a measurement, not a test: it prints what it measured and exits 0
even when the target (100,000 names/s) is missed.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mmname_lsp.naming.decoder import Decoder  # noqa: E402
from mmname_lsp.naming.vocabulary import default_vocabulary  # noqa: E402
from mmname_lsp.naming.zoo import default_zoo  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "mmpretrain"
TARGET = 100_000


def corpus_inputs(corpus: Path) -> List[str]:
    def lines(name: str) -> List[str]:
        return (corpus / name).read_text(encoding="utf-8").split()

    weights = []
    with (corpus / "metafile_records.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                url = json.loads(line).get("weights")
                if url:
                    weights.append(url)
    return lines("model_names.txt") + lines("config_files.txt") + lines("checkpoints.txt") + weights


def best_of(passes: int, run: Callable[[], None]) -> float:
    best = float("inf")
    for _ in range(passes):
        t0 = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - t0)
    return best


def measure(names: List[str], passes: int) -> Dict[str, Dict[str, float]]:
    t0 = time.perf_counter()
    default_vocabulary()
    default_zoo()
    load_s = time.perf_counter() - t0

    loaded = Decoder()
    loaded.decode("resnet50_8xb32_in1k")  # binds the default vocabulary and zoo
    uncached = loaded._decode

    def cold() -> None:
        for n in names:
            uncached(n, None)

    def cold_api() -> None:
        dec = Decoder()
        for n in names:
            dec.decode(n)

    warm_decoder = Decoder()
    for n in names:
        warm_decoder.decode(n)
    cached = warm_decoder.decode

    def warm() -> None:
        for n in names:
            cached(n)

    results = {"data load (once)": {"seconds": load_s, "names": 0}}
    for label, run in (("cold", cold), ("cold-api", cold_api), ("warm", warm)):
        run()  # one unmeasured pass: imports, allocator, branch caches
        seconds = best_of(passes, run)
        results[label] = {"seconds": seconds, "names": len(names)}
    return results


def table(results: Dict[str, Dict[str, float]], passes: int) -> str:
    rows = [
        "| mode | names | best of | time (ms) | names/s | us/name | target 100k/s |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for label, r in results.items():
        ms = r["seconds"] * 1e3
        if not r["names"]:
            rows.append(f"| {label} | - | 1 | {ms:.1f} | - | - | - |")
            continue
        rate = r["names"] / r["seconds"]
        us = r["seconds"] / r["names"] * 1e6
        ok = "met" if rate >= TARGET else "missed"
        rows.append(
            f"| {label} | {r['names']} | {passes} | {ms:.1f} | {rate:,.0f} | {us:.1f} | {ok} |"
        )
    return "\n".join(rows)


def main(argv: List[str] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--passes", type=int, default=7)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = ap.parse_args(argv)
    if not (args.corpus / "model_names.txt").is_file():
        print(f"shared corpus not found at {args.corpus}; nothing to measure", file=sys.stderr)
        return 0
    names = corpus_inputs(args.corpus)
    results = measure(names, max(1, args.passes))
    print(
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{len(names)} corpus inputs, best of {args.passes} passes"
    )
    print()
    print(table(results, args.passes))
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
