#!/usr/bin/env python3
"""Build ``mmname_lsp/data/vocabulary.json`` and ``zoo.json`` from the shared corpus.

Usage: python scripts/build_data.py [--corpus ../shared/corpus/mmpretrain] [--check]

The vocabulary is the hand-written seed (``scripts/vocabulary_seed.tsv``) plus
what the corpus says: how often each word and each ``NxbM`` is used, and the
paper title of each algorithm or backbone.  The build fails when a word of the
real corpus has neither a seed entry nor a pattern the decoder understands, so
the vocabulary never silently falls behind the data.

``--check`` rebuilds in memory and exits 1 when the committed files differ.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mmname_lsp.naming import patterns  # noqa: E402

SEED = ROOT / "scripts" / "vocabulary_seed.tsv"
DATA = ROOT / "mmname_lsp" / "data"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "mmpretrain"
DATA_HEADS = ("in1k", "in21k", "cifar10", "cifar100", "cub")
CKPT_SUFFIX = re.compile(r"_[^_]*-[^_]*\.pth$")


def read_seed() -> dict[str, dict]:
    tokens: dict[str, dict] = {}
    for lineno, line in enumerate(SEED.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 3:
            raise SystemExit(f"{SEED}:{lineno}: expected token, kind, meaning")
        token, kind, meaning = cols[0], cols[1], cols[2]
        if token in tokens:
            raise SystemExit(f"{SEED}:{lineno}: duplicate token {token!r}")
        entry = {"kind": kind, "meaning": meaning, "count": 0}
        if len(cols) > 3 and cols[3]:
            entry["collection"] = cols[3]
        if len(cols) > 4 and cols[4]:
            entry["preferred"] = cols[4]
        tokens[token] = entry
    return tokens


def corpus_names(corpus: Path) -> list[str]:
    names = (corpus / "model_names.txt").read_text().split()
    configs = [Path(p).name[:-3] for p in (corpus / "config_files.txt").read_text().split()]
    ckpts = [CKPT_SUFFIX.sub("", c) for c in (corpus / "checkpoints.txt").read_text().split()]
    return names + configs + ckpts


def build(corpus: Path) -> tuple[dict, dict]:
    tokens = read_seed()
    compounds = sorted((t for t in tokens if "-" in t), key=lambda t: -t.count("-"))
    batches: collections.Counter[str] = collections.Counter()
    shapes: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    parts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    unknown: collections.Counter[str] = collections.Counter()
    for name in corpus_names(corpus):
        for part in name.split("_"):
            if part.endswith("-pre"):
                parts["pretrain"][part] += 1
            elif "-pre" not in part and part.split("-")[0] in DATA_HEADS:
                parts["data"][part] += 1
            words = part.split("-")
            i = 0
            while i < len(words):
                # Longest compound first, the way the decoder groups words.
                for size in (3, 2, 1):
                    cand = "-".join(words[i : i + size])
                    if size == 1 or cand in tokens:
                        break
                if cand in tokens:
                    tokens[cand]["count"] += 1
                elif patterns.classify(cand) is not None:
                    shape = patterns.classify(cand)
                    if shape == "gpus-x-batch":
                        batches[cand] += 1
                    elif shape in ("epochs", "resolution", "patch", "window"):
                        shapes[shape][cand] += 1
                elif cand:
                    unknown[cand] += 1
                i += max(1, cand.count("-") + 1)
    if unknown:
        listing = ", ".join(f"{w} ({n})" for w, n in unknown.most_common())
        raise SystemExit(f"words of the corpus with no seed entry and no pattern: {listing}")

    records = [json.loads(line) for line in (corpus / "metafile_records.jsonl").open()]
    papers: dict[str, dict] = {}
    for r in records:
        if r.get("paper") and r["collection"] not in papers:
            papers[r["collection"]] = {
                "title": r["paper"].get("Title"),
                "url": r["paper"].get("URL"),
            }
    for tok in tokens.values():
        coll = tok.get("collection")
        if coll and coll in papers:
            tok["paper"] = papers[coll]["title"]
            tok["paper_url"] = papers[coll]["url"]

    vocabulary = {
        "source": "scripts/build_data.py: MMPretrain model names, configs, checkpoints",
        "tokens": dict(sorted(tokens.items())),
        "compounds": compounds,
        "gpus_x_batch": dict(batches.most_common()),
        "shapes": {k: dict(v.most_common()) for k, v in sorted(shapes.items())},
        "parts": {k: dict(v.most_common()) for k, v in sorted(parts.items())},
    }
    zoo = build_zoo(records)
    return vocabulary, zoo


def build_zoo(records: list[dict]) -> dict:
    models: dict[str, dict] = {}
    checkpoints: dict[str, str] = {}
    configs: dict[str, list[str]] = collections.defaultdict(list)
    for r in sorted(records, key=lambda r: r["name"]):
        paper = r.get("paper") or {}
        models[r["name"]] = {
            "config": r.get("config"),
            "weights": r.get("weights"),
            "checkpoint": r.get("checkpoint"),
            "top1": r.get("top1"),
            "top1_dataset": r.get("top1_dataset"),
            "parameters": r.get("parameters"),
            "flops": r.get("flops"),
            "epochs": r.get("epochs"),
            "batch_size": r.get("batch_size"),
            "collection": r.get("collection"),
            "paper": paper.get("Title"),
            "paper_url": paper.get("URL"),
            "converted_from": (r.get("converted_from") or {}).get("code"),
            "training_data": r.get("training_data"),
            "metafile": r.get("metafile"),
        }
        if r.get("checkpoint"):
            checkpoints[r["checkpoint"]] = r["name"]
        if r.get("config"):
            configs[r["config"]].append(r["name"])
    return {
        "source": "scripts/build_data.py from metafile_records.jsonl",
        "models": models,
        "checkpoints": dict(sorted(checkpoints.items())),
        "configs": dict(sorted(configs.items())),
    }


def dump(obj: dict) -> str:
    return json.dumps(obj, indent=1, sort_keys=False, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--check", action="store_true", help="exit 1 when the data files are stale")
    args = ap.parse_args(argv)
    if not (args.corpus / "model_names.txt").is_file():
        print(f"corpus not found at {args.corpus}", file=sys.stderr)
        return 2
    vocabulary, zoo = build(args.corpus)
    outputs = {DATA / "vocabulary.json": dump(vocabulary), DATA / "zoo.json": dump(zoo)}
    stale = [p for p, text in outputs.items() if not p.is_file() or p.read_text("utf-8") != text]
    if args.check:
        for p in stale:
            print(f"stale: {p.relative_to(ROOT)}", file=sys.stderr)
        return 1 if stale else 0
    DATA.mkdir(parents=True, exist_ok=True)
    for p, text in outputs.items():
        p.write_text(text, encoding="utf-8")
    print(
        f"{len(vocabulary['tokens'])} tokens, {len(vocabulary['gpus_x_batch'])} NxbM values, "
        f"{len(zoo['models'])} models, {len(zoo['checkpoints'])} checkpoints"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
