#!/usr/bin/env python3
"""Build ``mmname_lsp/data/profiles/<name>.json`` and each profile's vocabulary
and zoo from the real repositories' configs and metafiles.

Usage:
  python scripts/build_profiles.py [NAME ...] [--check] [--cache DIR] [--wheels DIR] [--offline]

Each profile starts from its hand-written seed ``scripts/profiles/<name>.json``
(parts, package, scopes, checkpoint layouts, inferencers, where its corpus is)
and the hand-written meanings of ``scripts/profile_vocabulary_seed.tsv``.  The
corpus adds the rest:

- the 1.x sister repositories are read from ``../shared/corpus/family/<dir>``
  (``"source": {"family": "<dir>"}``);
- the legacy repositories and MMOCR from the pinned PyPI wheel
  (``"source": {"wheel": "mmdet==2.28.2", "package": "mmdet"}``): the wheel
  is looked for in ``--wheels`` and in the cache, else fetched with
  ``pip download --no-deps`` into ``--cache`` (default
  ``~/.cache/mmname-lsp/corpus``), and its ``<package>/.mim`` folder is
  extracted there.  Nothing is written into the repository but the data files.

From the corpus: every model of the metafiles (name, config, weights,
metrics) for the zoo; algorithm words from the metafile collections (the
common first part of a collection's names, with its paper); legacy words
joined with ``_`` (``faster_rcnn``) from the config folders; and every other
word of the config and model names that neither the shared vocabulary nor a
shape explains, with its kind read from where it stands (before the training
part: a component; in it: a training word; after it: a dataset) unless the
seed says better.  Usage counts come from the names.

``mmpretrain`` is the shared vocabulary's own profile (``scripts/build_data.py``
builds its words and zoo); its profile file is copied from the seed.

``--check`` rebuilds in memory and exits 1 when a committed file differs
(2 when a corpus is missing).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mmname_lsp.naming import patterns  # noqa: E402
from mmname_lsp.naming.vocabulary import edit_distance  # noqa: E402

SEEDS = ROOT / "scripts" / "profiles"
WORD_SEED = ROOT / "scripts" / "profile_vocabulary_seed.tsv"
DATA = ROOT / "mmname_lsp" / "data"
OUT = DATA / "profiles"
FAMILY = ROOT.parent / "shared" / "corpus" / "family"
CACHE = Path(os.environ.get("MMNAME_CORPUS_CACHE",
                           Path.home() / ".cache" / "mmname-lsp" / "corpus"))
# Words a name's training part is recognised by (the split point of positions).
_TRAIN_SHAPES = frozenset(
    {"gpus-x-batch", "batch-no-b", "batch-upper", "batch-old", "epochs", "iterations",
     "schedule", "batch-total"}
)
_WEAK_SHAPES = frozenset({"variant-code", "depth-backbone", "number"})
# Profile fields written out, in order (the seed's `source` is not).
_FIELDS = ("name", "title", "package", "distributions", "versions", "scopes", "legacy",
           "parts", "checkpoints", "urls", "inferencers", "joiner", "batch", "shapes", "rules_off",
           "older", "vocabulary", "zoo", "docs")


_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+%]*")
_HASHLIKE = re.compile(r"(?=.*\d)[0-9a-f]{7,8}")


# Where a word stands -> (its kind, in words).
_PLACES = {"module": ("component", "a module word"), "training": ("recipe", "a training word"),
           "data": ("dataset", "a dataset")}


class MissingCorpus(Exception):
    pass


# -- where the corpus is ------------------------------------------------------------------


def _wheel_file(spec: str, wheels: Iterable[Path], cache: Path, offline: bool) -> Path:
    dist, version = spec.split("==")
    stem = f"{dist.replace('-', '_')}-{version}-"
    for folder in (*wheels, cache / "wheels"):
        if folder.is_dir():
            for p in sorted(folder.glob("*.whl")):
                if p.name.startswith(stem):
                    return p
    if offline:
        raise MissingCorpus(f"wheel {spec} not found (offline)")
    target = cache / "wheels"
    target.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
           "-d", str(target), spec]
    if subprocess.run(cmd, check=False).returncode != 0:
        raise MissingCorpus(f"pip download {spec} failed")
    for p in sorted(target.glob("*.whl")):
        if p.name.startswith(stem):
            return p
    raise MissingCorpus(f"pip download {spec} gave no wheel")


def corpus_root(seed: dict, cache: Path, wheels: Iterable[Path], offline: bool) -> Path:
    """The folder holding the profile's ``configs`` (and metafiles)."""
    src = seed["source"]
    if "family" in src:
        root = FAMILY / src["family"]
        if not (root / "configs").is_dir():
            raise MissingCorpus(f"{root} not found")
        return root
    spec, package = src["wheel"], src["package"]
    dest = cache / spec.replace("==", "-")
    mim = dest / package / ".mim"
    if not (mim / "configs").is_dir():
        wheel = _wheel_file(spec, wheels, cache, offline)
        prefix = f"{package}/.mim/"
        with zipfile.ZipFile(wheel) as zf:
            for member in zf.namelist():
                if member.startswith(prefix) and not member.endswith("/"):
                    zf.extract(member, dest)
    return mim


# -- what the corpus says -------------------------------------------------------------------


def _yaml(path: Path) -> object:
    import yaml

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return None


def metafiles(root: Path) -> List[Path]:
    index = root / "model-index.yml"
    if index.is_file():
        data = _yaml(index) or {}
        found = [root / rel for rel in (data.get("Import") or []) if (root / rel).is_file()]
        if found:
            return found
    return sorted(p for p in (root / "configs").rglob("metafile.y*ml"))


def _metrics(results: object) -> Tuple[Dict[str, object], Optional[str], Optional[str]]:
    if isinstance(results, dict):
        results = [results]
    for res in results or []:
        if isinstance(res, dict) and isinstance(res.get("Metrics"), dict):
            metrics = {k: v for k, v in list(res["Metrics"].items())[:4]
                       if isinstance(v, (int, float, str))}
            return metrics, res.get("Dataset"), res.get("Task")
    return {}, None, None


def records(root: Path) -> List[dict]:
    out = []
    for path in metafiles(root):
        meta = _yaml(path)
        if not isinstance(meta, dict):
            continue
        papers = {}
        for coll in meta.get("Collections") or []:
            if isinstance(coll, dict) and isinstance(coll.get("Name"), str):
                paper = coll.get("Paper") if isinstance(coll.get("Paper"), dict) else {}
                papers[coll["Name"]] = paper
        for m in meta.get("Models") or []:
            if not isinstance(m, dict) or not isinstance(m.get("Name"), str):
                continue
            md = m.get("Metadata") if isinstance(m.get("Metadata"), dict) else {}
            weights = m.get("Weights") or md.get("Weights")
            weights = weights if isinstance(weights, str) and weights.endswith(".pth") else None
            metrics, dataset, task = _metrics(m.get("Results"))
            paper = papers.get(m.get("In Collection")) or {}
            training = md.get("Training Data")
            entry = {
                "config": m.get("Config"),
                "weights": weights,
                "checkpoint": weights.rsplit("/", 1)[-1] if weights else None,
                "metrics": metrics or None,
                "dataset": dataset,
                "task": task,
                "epochs": md.get("Epochs"),
                "batch_size": md.get("Batch Size"),
                "collection": m.get("In Collection"),
                "paper": paper.get("Title"),
                "paper_url": paper.get("URL"),
                "training_data": training if isinstance(training, (str, list)) else None,
            }
            out.append({"name": m["Name"], **{k: v for k, v in entry.items() if v is not None}})
    return sorted(out, key=lambda r: r["name"])


def config_stems(root: Path) -> List[Tuple[str, str]]:
    """(folder, stem) of every config that is not a ``_base_`` file."""
    found = []
    for p in sorted((root / "configs").rglob("*.py")):
        rel = p.relative_to(root / "configs").parts
        if "_base_" in rel or p.name.startswith("_"):
            continue
        found.append((p.parent.name, p.stem))
    return found


# -- words ----------------------------------------------------------------------------------


def read_word_seed(profile: str) -> Dict[str, dict]:
    found: Dict[str, dict] = {}
    for lineno, line in enumerate(WORD_SEED.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 4:
            raise SystemExit(f"{WORD_SEED}:{lineno}: expected profiles, token, kind, meaning")
        names, token, kind, meaning = cols[:4]
        if profile in names.split(",") or names == "*":
            found[token] = {"kind": kind, "meaning": meaning, "count": 0}
    return found


def shared_tokens() -> Dict[str, dict]:
    return json.loads((DATA / "vocabulary.json").read_text(encoding="utf-8"))["tokens"]


def _shape(word: str, shapes: List[str]) -> Optional[str]:
    return patterns.classify_profile(word, shapes) or patterns.classify(word)


def _split(name: str, joined: Dict[str, dict]) -> List[List[str]]:
    """Parts of ``name`` (``_``), words of each (``-``); legacy words joined
    with ``_`` that ``joined`` knows stay one part."""
    raw = name.split("_")
    parts: List[str] = []
    i = 0
    while i < len(raw):
        for size in (4, 3, 2, 1):
            cand = "_".join(raw[i : i + size])
            if size == 1 or cand in joined:
                break
        parts.append(cand)
        i += cand.count("_") + 1
    return [p.split("-") for p in parts if p]


def _group(words: List[str], known: Dict[str, dict]) -> List[str]:
    out, i = [], 0
    while i < len(words):
        for size in (3, 2, 1):
            cand = "-".join(words[i : i + size])
            if size == 1 or cand in known:
                break
        out.append(cand)
        i += cand.count("-") + 1
    return [w for w in out if w]


def _known_depth(word: str, shared: Dict[str, dict]) -> bool:
    """``seresnet101``: a known backbone with its depth, not a new algorithm."""
    mt = patterns.DEPTH_BACKBONE.fullmatch(word)
    return mt is not None and mt.group(1) in shared


def _plain(part: str, shared: Dict[str, dict]) -> bool:
    """A first part made of new words only (``faster-rcnn``, ``td-hm``): no
    known word, no shape after its first word (``knet-s3``, ``vit-base-p16``)."""
    words = part.split("-")
    if re.fullmatch(r"[a-z0-9]*[a-z][a-z0-9]*", words[0]) is None or _known_depth(words[0], shared):
        return False
    return all(shared.get(w, {}).get("kind") not in ("size", "dataset", "patch", "window")
               and patterns.classify(w) in (None, "depth-backbone") for w in words[1:])


def _algorithms(recs: List[dict], legacy: bool, folders: Dict[str, List[str]],
                shared: Dict[str, dict]) -> Dict[str, dict]:
    """Algorithm words: the first part most of a collection's names share."""
    by_coll: Dict[str, List[dict]] = collections.defaultdict(list)
    for r in recs:
        if r.get("collection"):
            by_coll[r["collection"]].append(r)
    found: Dict[str, dict] = {}
    for coll, rs in sorted(by_coll.items()):
        firsts = collections.Counter(r["name"].split("_")[0] for r in rs)
        word, n = firsts.most_common(1)[0]
        if n * 2 < len(rs) or word in shared or not _plain(word, shared):
            words = collections.Counter(r["name"].split("_")[0].split("-")[0] for r in rs)
            word, n = words.most_common(1)[0]
            if n * 2 < len(rs) or word in shared or _known_depth(word, shared):
                continue
        title = rs[0].get("paper")
        meaning = f"{coll}" + (f": {title}." if title else ".")
        found[word] = {"kind": "algorithm", "meaning": meaning, "count": 0}
    if not legacy:
        # `mask-rcnn`: the first part most configs of a folder share, when
        # no collection named it (collections spread over several folders).
        for folder, stems in sorted(folders.items()):
            firsts = collections.Counter(stem.split("_")[0] for stem in stems)
            word, n = firsts.most_common(1)[0]
            if n * 2 >= len(stems) and n >= 2 and word not in shared and _plain(word, shared):
                found.setdefault(word, {"kind": "algorithm",
                                        "meaning": f"The `{word}` algorithm (configs/{folder}).",
                                        "count": 0})
    if legacy:
        # `cascade_mask_rcnn_r50_...`: the new words a legacy name begins with,
        # joined with `_`, are one algorithm when two names or more share them.
        firsts: collections.Counter = collections.Counter()
        for stems in folders.values():
            for stem in stems:
                lead = []
                pieces = stem.split("_")
                for k, piece in enumerate(pieces[:3]):
                    head = shared.get(piece, {}).get("kind")
                    if not re.fullmatch(r"[a-z][a-z0-9]*", piece) or head == "dataset" or (
                            k and not piece.isalpha()) or _known_depth(piece, shared):
                        break
                    if head == "backbone":
                        # `mask_rcnn_r50`: a known word ends the algorithm when
                        # a backbone shape follows it; else it is the module.
                        nxt = pieces[k + 1] if k + 1 < len(pieces) else ""
                        if k and patterns.classify(nxt) not in (None, "number"):
                            lead.append(piece)
                        break
                    lead.append(piece)
                for k in (3, 2):
                    if len(lead) >= k:
                        firsts["_".join(lead[:k])] += 1
        for word, n in sorted(firsts.items()):
            if n >= 2 and not any(o != word and o.startswith(word + "_") and firsts[o] == n
                                  for o in firsts):
                found.setdefault(word, {"kind": "algorithm",
                                        "meaning": f"The `{word}` algorithm ({n} names).",
                                        "count": 0})
        # `faster_rcnn`: a legacy algorithm written with `_`, named by its folder.
        for folder, stems in sorted(folders.items()):
            if "_" in folder and sum(s.startswith(folder + "_") for s in stems) * 2 >= len(stems):
                head = shared.get(folder.split("_")[0])
                kind = head["kind"] if head and head["kind"] == "backbone" else "algorithm"
                found.setdefault(folder, {"kind": kind,
                                          "meaning": f"The `{folder}` {kind} (its config folder).",
                                          "count": 0})
    return found


def _upstream_typo(word: str, uses: int, positions: Dict[str, collections.Counter],
                   counts: collections.Counter) -> bool:
    """``crowpose`` (once) beside ``crowdpose`` (often): a slip in an upstream
    name, one edit from a word used five times as often, is not a word."""
    if uses > 2 or len(word) < 6 or not word.isalpha():
        return False
    for other in list(positions) + list(counts):
        if other == word or abs(len(other) - len(word)) > 1 or not other.isalpha():
            continue
        freq = counts.get(other, 0) + sum(positions.get(other, {}).values())
        if freq >= 5 * uses and edit_distance(word, other, 1) <= 1:
            return True
    return False


def vocabulary(seed: dict, names: List[str], recs: List[dict],
               folders: Dict[str, List[str]]) -> Tuple[Dict[str, dict], Dict[str, int]]:
    shared = shared_tokens()
    shapes = list(seed.get("shapes", ()))
    added = read_word_seed(seed["name"])
    for word, entry in _algorithms(recs, bool(seed.get("legacy")), folders, shared).items():
        added.setdefault(word, entry)
    joined = {t: e for t, e in added.items() if "_" in t}
    known = {**shared, **added}
    positions: Dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    counts: collections.Counter = collections.Counter()
    for name in names:
        parts = [_group(p, known) for p in _split(name, joined)]
        marked = [i for i, p in enumerate(parts)
                  if any(_shape(w, shapes) in _TRAIN_SHAPES for w in p)]
        train_at = marked[0] if marked else None
        # Legacy names spread the training information over several parts.
        train_end = marked[-1] if marked and seed.get("legacy") else train_at
        for i, words in enumerate(parts):
            for w in words:
                if w in known:
                    counts[w] += 1
                    continue
                shape = _shape(w, shapes)
                if shape is not None and shape not in _WEAK_SHAPES:
                    continue
                if shape in _WEAK_SHAPES and not w.isalpha():
                    continue
                low = w.lower()
                if low in known or not _WORD.fullmatch(w) or _HASHLIKE.fullmatch(w):
                    continue
                if train_at is None:
                    where = "data" if i == len(parts) - 1 and i > 0 else "module"
                else:
                    where = ("module" if i < train_at else
                             "training" if i <= train_end else "data")
                positions[w][where] += 1
    slips = []
    for word, where in sorted(positions.items()):
        if _upstream_typo(word, sum(where.values()), positions, counts):
            slips.append(word)  # left unknown: the decoder reports it
            continue
        place, n = where.most_common(1)[0]
        kind, what = _PLACES[place]
        added[word] = {
            "kind": kind,
            "meaning": f"A word of {seed['title']} names, read as {what} where it stands.",
            "count": sum(where.values()),
        }
    for word in added:
        if word in counts:
            added[word]["count"] = counts[word]
    batches = collections.Counter()
    for name in names:
        for part in name.split("_"):
            for w in part.split("-"):
                shape = _shape(w, shapes)
                if shape in ("gpus-x-batch",):
                    batches[w] += 1
    return dict(sorted(added.items())), dict(batches.most_common()), slips


def build_zoo(recs: List[dict], title: str) -> dict:
    models, checkpoints, configs = {}, {}, collections.defaultdict(list)
    for r in recs:
        entry = {k: v for k, v in r.items() if k != "name"}
        models[r["name"]] = entry
        if r.get("checkpoint"):
            checkpoints[r["checkpoint"]] = r["name"]
        if r.get("config"):
            configs[r["config"]].append(r["name"])
    return {
        "source": f"scripts/build_profiles.py from the {title} metafiles",
        "models": models,
        "checkpoints": dict(sorted(checkpoints.items())),
        "configs": {k: sorted(v) for k, v in sorted(configs.items())},
    }


def dump(obj: dict) -> str:
    return json.dumps(obj, indent=1, ensure_ascii=False) + "\n"


def build(name: str, cache: Path, wheels: List[Path], offline: bool) -> Dict[Path, str]:
    seed = json.loads((SEEDS / f"{name}.json").read_text(encoding="utf-8"))
    profile = {k: seed[k] for k in _FIELDS if k in seed}
    if seed["source"].get("corpus") == "mmpretrain":
        profile["vocabulary"] = "vocabulary.json"
        profile["zoo"] = "zoo.json"
        return {OUT / f"{name}.json": dump({k: profile[k] for k in _FIELDS if k in profile})}
    root = corpus_root(seed, cache, wheels, offline)
    recs = records(root)
    stems = config_stems(root)
    folders: Dict[str, List[str]] = collections.defaultdict(list)
    for folder, stem in stems:
        folders[folder].append(stem)
    names = sorted({s for _, s in stems} | {r["name"].removesuffix(".py") for r in recs}
                   | {re.sub(r"[_-]\d{8}.*$|-[0-9a-f]{8}(_\d{8})?$", "", r["checkpoint"][:-4])
                      for r in recs if r.get("checkpoint")})
    words, batches, slips = vocabulary(seed, names, recs, folders)
    profile["vocabulary"] = f"profiles/vocabulary/{name}.json"
    profile["zoo"] = f"profiles/zoo/{name}.json"
    vocab = {
        "source": f"scripts/build_profiles.py: {len(names)} names of {seed['title']} "
                  f"(configs, metafile models, checkpoints); words the shared vocabulary lacks",
        "tokens": words,
        "gpus_x_batch": batches,
        # Words of the corpus taken for slips (one edit from a far more used
        # word) and left out, so that the decoder reports them.
        "slips": slips,
    }
    return {
        OUT / f"{name}.json": dump({k: profile[k] for k in _FIELDS if k in profile}),
        OUT / "vocabulary" / f"{name}.json": dump(vocab),
        OUT / "zoo" / f"{name}.json": dump(build_zoo(recs, seed["title"])),
    }


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help="profiles to build (default: every seed)")
    ap.add_argument("--check", action="store_true", help="exit 1 when a data file is stale")
    ap.add_argument("--cache", type=Path, default=CACHE,
                    help="where wheels are downloaded and extracted")
    ap.add_argument("--wheels", type=Path, action="append", default=[],
                    help="a folder of already downloaded wheels (repeatable)")
    ap.add_argument("--offline", action="store_true", help="never run pip download")
    args = ap.parse_args(argv)
    names = args.names or sorted(p.stem for p in SEEDS.glob("*.json"))
    outputs: Dict[Path, str] = {}
    try:
        for name in names:
            outputs.update(build(name, args.cache, args.wheels, args.offline))
    except MissingCorpus as exc:
        print(f"corpus missing: {exc}", file=sys.stderr)
        return 2
    stale = [p for p, text in outputs.items()
             if not p.is_file() or p.read_text(encoding="utf-8") != text]
    if args.check:
        for p in stale:
            print(f"stale: {p.relative_to(ROOT)}", file=sys.stderr)
        return 1 if stale else 0
    for p, text in outputs.items():
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    for p in sorted(outputs):
        print(f"{p.relative_to(ROOT)}: {len(outputs[p])} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
