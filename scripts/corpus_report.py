#!/usr/bin/env python3
"""Decode every name of the shared corpus and print how many have no problem,
hints only, warnings or errors -- per input kind -- and list every warning and
error so that each can be looked at.

Usage: python scripts/corpus_report.py [--corpus DIR] [--list] [--raw]

``--raw`` decodes without the zoo (no cap of upstream names to hints), to see
what the rules alone say about upstream names.
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mmname_lsp.naming.decoder import Decoder  # noqa: E402
from mmname_lsp.naming.zoo import Zoo  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "mmpretrain"


def inputs(corpus: Path) -> dict[str, list[str]]:
    base = set((corpus / "base_configs.txt").read_text().split())
    return {
        "model": (corpus / "model_names.txt").read_text().split(),
        "config": [c for c in (corpus / "config_files.txt").read_text().split() if c not in base],
        "checkpoint": (corpus / "checkpoints.txt").read_text().split(),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--list", action="store_true", help="list every warning and error")
    ap.add_argument("--raw", action="store_true", help="decode without the zoo")
    args = ap.parse_args(argv)
    if not (args.corpus / "model_names.txt").is_file():
        print(f"corpus not found at {args.corpus}", file=sys.stderr)
        return 2
    decoder = Decoder(zoo=Zoo({}, {}, {})) if args.raw else Decoder()
    print("| kind | names | no problem | hint only | warning | error |")
    print("|---|---:|---:|---:|---:|---:|")
    listing = []
    per_code: collections.Counter[tuple[str, str]] = collections.Counter()
    for kind, names in inputs(args.corpus).items():
        counts = collections.Counter()
        for name in names:
            d = decoder.decode(name)
            worst = d.worst_severity()
            bucket = {None: "none", "hint": "hint", "information": "hint"}.get(worst, worst)
            counts[bucket] += 1
            for p in d.problems:
                per_code[(p.code, p.severity)] += 1
                if p.severity in ("warning", "error"):
                    listing.append(f"{p.severity:7} {p.code} {name}: {p.message}")
        print(
            f"| {kind} | {len(names)} | {counts['none']} | {counts['hint']} | "
            f"{counts['warning']} | {counts['error']} |"
        )
    print()
    print("| code | severity | count |")
    print("|---|---|---:|")
    for (code, sev), n in sorted(per_code.items()):
        print(f"| {code} | {sev} | {n} |")
    if args.list:
        print()
        print("\n".join(listing))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
