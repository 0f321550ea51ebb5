#!/usr/bin/env python3
"""Check the OpenMMLab family's config trees, each with its own naming profile,
and print per tree: files checked, files with an error or a warning, and the
most frequent codes -- the figures of the README's family table.

Usage: python scripts/family_report.py [PROFILE ...] [--list N] [--shared]
       [--cache DIR] [--wheels DIR]

Trees: the 1.x repositories from ``../shared/corpus/family``, the legacy ones
and MMOCR from the wheels ``scripts/build_profiles.py`` extracts (run it first
when the cache is empty).  Each file is analysed as ``mmname check`` does
(the same pipeline, the words of the tree learnt first), with the decoder of
the tree's profile; ``--shared`` uses MMPretrain's decoder instead, to compare.
``--list N`` prints N findings (warnings and errors) per tree, spread over the
tree, for review.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import sys
from pathlib import Path
from typing import List, Optional

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import build_profiles as bp  # noqa: E402

from mmname_lsp.analysis import analyse  # noqa: E402
from mmname_lsp.analysis.pipeline import workspace_words  # noqa: E402
from mmname_lsp.naming.decoder import Decoder, base_vocabulary, profile_vocabulary  # noqa: E402
from mmname_lsp.naming.learned import WordCounter  # noqa: E402
from mmname_lsp.naming.profiles import Choice, get_profile  # noqa: E402
from mmname_lsp.settings import Settings  # noqa: E402

LOUD = ("error", "warning")


def tree(name: str, cache: Path, wheels: List[Path]) -> Optional[Path]:
    seed = json.loads((bp.SEEDS / f"{name}.json").read_text(encoding="utf-8"))
    if "corpus" in seed["source"]:
        path = ROOT.parent / "shared" / "corpus" / "mmpretrain" / "tree"
        return path if path.is_dir() else None
    try:
        return bp.corpus_root(seed, cache, wheels, offline=True) / "configs"
    except bp.MissingCorpus:
        return None


def report(name: str, root: Path, shared: bool, listing: int) -> dict:
    settings = Settings()
    files = sorted(p for p in root.rglob("*.py") if p.is_file())
    counter = WordCounter()
    texts = {}
    for p in files:
        text = p.read_text(encoding="utf-8", errors="replace")
        texts[p] = text
        names, classes = workspace_words(str(p), text, settings)
        counter.add_names(names)
        counter.add_classes(classes)
    learned = counter.freeze()
    # The tree is judged by one profile, as `mmname check --profile NAME` does:
    # a legacy tree's configs carry no `default_scope` to find it by.
    if shared:
        decoder = Decoder(base_vocabulary().with_learned(learned))
        choice = Choice(get_profile("mmpretrain"), "--shared")
    else:
        decoder = Decoder(profile_vocabulary(name).with_learned(learned), profile=name)
        choice = Choice(get_profile(name), "the tree's profile")
    flagged = 0
    codes: collections.Counter = collections.Counter()
    found = []
    misread_hxw = 0
    for p in files:
        analysis = analyse(texts[p], str(p), settings, decoder=decoder, choice=choice)
        loud = [f for f in analysis.findings if f.severity in LOUD]
        for occ in analysis.occurrences:
            for part in occ.decoded.parts:
                for t in part.tokens:
                    if t.kind == "gpus-x-batch" and "x" in t.text and "xb" not in t.text \
                            and part.role in ("data", "test-data"):
                        misread_hxw += 1
        if loud:
            flagged += 1
            for f in loud:
                codes[f.code] += 1
                found.append((str(p.relative_to(root)), f.code, f.severity, f.message))
    rng = random.Random(14)
    sample = rng.sample(found, min(listing, len(found))) if listing else []
    return {"profile": name, "files": len(files), "flagged": flagged, "codes": codes,
            "sample": sorted(sample), "hxw_as_batch": misread_hxw}


def _label(name: str) -> str:
    src = json.loads((bp.SEEDS / f"{name}.json").read_text(encoding="utf-8"))["source"]
    if "family" in src:
        return f"family/{src['family']}"
    return src.get("wheel") or "mmpretrain tree"


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("profiles", nargs="*")
    ap.add_argument("--list", type=int, default=0, metavar="N")
    ap.add_argument("--shared", action="store_true", help="judge with MMPretrain's decoder")
    ap.add_argument("--cache", type=Path, default=bp.CACHE)
    ap.add_argument("--wheels", type=Path, action="append", default=[])
    args = ap.parse_args(argv)
    names = args.profiles or sorted(p.stem for p in bp.SEEDS.glob("*.json"))
    print("| profile | tree | files | with error or warning | share | top codes |")
    print("|---|---|---:|---:|---:|---|")
    samples = []
    for name in names:
        root = tree(name, args.cache, args.wheels)
        if root is None:
            print(f"| {name} | (corpus missing) | | | | |")
            continue
        r = report(name, root, args.shared, args.list)
        top = ", ".join(f"{c} {n}" for c, n in r["codes"].most_common(4))
        share = 100.0 * r["flagged"] / max(1, r["files"])
        label = _label(name)
        print(f"| {name} | {label} | {r['files']} | {r['flagged']} | {share:.1f}% | {top} |")
        if r["hxw_as_batch"]:
            print(f"|   | HxW in a data part read as GPUs x batch: {r['hxw_as_batch']} | | | | |")
        samples.extend((name, *s) for s in r["sample"])
    for name, path, code, sev, msg in samples:
        print(f"{name}: {path}: {code} [{sev}] {msg}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
