"""Compare the names of OpenMMLab model configs with their content.

Runs every check of :mod:`mmname_lsp.rules.consistency` over the model configs
of a tree (``configs/`` and the new-style ``<package>/configs/``; ``_base_``
folders and files starting with ``_`` are skipped), resolving all of them with
one shared :class:`~mmname_lsp.configs.ConfigCache`, with the meanings of one
profile (``--profile``), and prints per check how many configs agree with
their name, contradict it, or could not be compared (the value is absent from
the content or not readable); the configs whose name lacks the word are the
rest.

Usage::

    python scripts/consistency_report.py [--tree ../shared/corpus/mmpretrain/tree] [--list]
    python scripts/consistency_report.py --profile mmdet --tree ../shared/corpus/family/mmdet
    python scripts/consistency_report.py --family    # MMPretrain and the four sister trees

``--list`` also prints every contradiction: file, name token, what the config
sets and where.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mmname_lsp.codes import RULES  # noqa: E402
from mmname_lsp.configs import ConfigCache, resolve_config  # noqa: E402
from mmname_lsp.naming import decoder as naming_decoder  # noqa: E402
from mmname_lsp.naming.model import Decoded  # noqa: E402
from mmname_lsp.naming.profiles import profiles  # noqa: E402
from mmname_lsp.rules.consistency import (  # noqa: E402
    AGREE,
    CHECKS,
    CONTRADICT,
    Outcome,
    evaluate,
    family_checks,
    family_of,
)

CORPUS = ROOT.parent / "shared" / "corpus"
DEFAULT_TREE = CORPUS / "mmpretrain" / "tree"
# family -> (title, tree) of the real trees in ../shared/corpus.
TREES: Dict[str, Tuple[str, Path]] = {
    "mmpretrain": ("MMPretrain", DEFAULT_TREE),
    "mmdet": ("MMDetection", CORPUS / "family" / "mmdet"),
    "mmseg": ("MMSegmentation", CORPUS / "family" / "mmseg"),
    "mmpose": ("MMPose", CORPUS / "family" / "mmpose"),
    "mmaction2": ("MMAction2", CORPUS / "family" / "mmaction2"),
}
PACKAGES = {"mmpretrain": "mmpretrain", "mmdet": "mmdet", "mmseg": "mmseg",
            "mmpose": "mmpose", "mmaction2": "mmaction"}


def model_configs(tree: Path, package: str = "mmpretrain") -> List[Path]:
    """Model configs of the tree: no ``_base_`` folder, no ``_private.py``."""
    out: List[Path] = []
    for top in (tree / "configs", tree / package / "configs"):
        if not top.is_dir():
            continue
        for path in sorted(top.rglob("*.py")):
            rel = path.relative_to(top)
            if "_base_" in rel.parts or path.name.startswith("_"):
                continue
            out.append(path)
    return out


def profile_name(family: str) -> Optional[str]:
    """The name of the shipped profile of ``family`` (today's convention, not
    a legacy one), or None when no profile file describes it yet."""
    found = [p for p in profiles().values() if family_of(p.name) == family]
    found.sort(key=lambda p: (p.legacy, p.name))
    return found[0].name if found else None


def decoder_for(profile: Optional[str]) -> Callable[[str], Decoded]:
    """Decode config file names with the profile's words when the decoder
    knows profiles, else with the default decoder."""
    make = getattr(naming_decoder, "profile_decoder", None)
    if profile and make is not None:
        dec = make(profile)
        return lambda name: dec.decode(name, "config")
    return lambda name: naming_decoder.decode(name, "config")


def config_status(outcomes: Sequence[Outcome]) -> str:
    """One config's result for one check: any contradiction wins, then agreement."""
    statuses = {o.status for o in outcomes}
    if CONTRADICT in statuses:
        return CONTRADICT
    if AGREE in statuses:
        return AGREE
    return "unknown"


def run(
    tree: Path, family: str = "mmpretrain", profile: Optional[str] = None
) -> Tuple[Dict[str, Dict[str, int]], List[Tuple[Path, Outcome]], dict]:
    files = model_configs(tree, PACKAGES.get(family, family))
    cache = ConfigCache()
    decode = decoder_for(profile)
    codes = family_checks(family)
    table: Dict[str, Dict[str, int]] = {
        code: {AGREE: 0, CONTRADICT: 0, "unknown": 0} for code in codes
    }
    contradictions: List[Tuple[Path, Outcome]] = []
    t_resolve = t_check = t_decode = 0.0
    for path in files:
        t0 = time.perf_counter()
        resolved = resolve_config(path, cache=cache)
        t1 = time.perf_counter()
        decoded = decode(path.name)
        t2 = time.perf_counter()
        outcomes, _facts = evaluate(decoded, resolved, profile or family)
        t3 = time.perf_counter()
        t_resolve += t1 - t0
        t_decode += t2 - t1
        t_check += t3 - t2
        by_code: Dict[str, List[Outcome]] = defaultdict(list)
        for o in outcomes:
            by_code[o.code].append(o)
            if o.status == CONTRADICT:
                contradictions.append((path, o))
        for code, found in by_code.items():
            table[code][config_status(found)] += 1
    timing = {
        "files": len(files),
        "resolve": t_resolve,
        "decode": t_decode,
        "check": t_check,
    }
    return table, contradictions, timing


def markdown(table: Dict[str, Dict[str, int]], files: Optional[int] = None) -> str:
    lines = [
        "| check | rule | compares | configs | agree | contradict | absent/unreadable |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    totals = [0, 0, 0, 0]
    for code, row in table.items():
        n = row[AGREE] + row[CONTRADICT] + row["unknown"]
        totals = [a + b for a, b in zip(totals, (n, row[AGREE], row[CONTRADICT], row["unknown"]))]
        lines.append(
            f"| {code} | {RULES[code].name} | {CHECKS[code]} | {n} | {row[AGREE]} "
            f"| {row[CONTRADICT]} | {row['unknown']} |"
        )
    lines.append(f"| total | | | {totals[0]} | {totals[1]} | {totals[2]} | {totals[3]} |")
    if files is not None:
        lines.append("")
        lines.append(f"{files} model configs; those a check does not count have no such word.")
    return "\n".join(lines)


def family_markdown(results: Dict[str, Tuple[Dict[str, Dict[str, int]], int]]) -> str:
    """One row per check, one column per tree: agree / contradict / absent
    (the content lacks the value); `–` where the profile gives no word that
    meaning."""
    head = ["check", "rule"] + [
        f"{TREES[f][0]} ({files})" for f, (_, files) in results.items()
    ]
    lines = ["| " + " | ".join(head) + " |", "|---|---|" + "---:|" * len(results)]
    totals = {f: [0, 0, 0] for f in results}
    for code in CHECKS:
        cells = []
        for fam, (table, _files) in results.items():
            row = table.get(code)
            if row is None:
                cells.append("–")
                continue
            a, c, u = row[AGREE], row[CONTRADICT], row["unknown"]
            totals[fam] = [t + x for t, x in zip(totals[fam], (a, c, u))]
            cells.append(f"{a} / {c} / {u}")
        lines.append(f"| {code} | {RULES[code].name} | " + " | ".join(cells) + " |")
    lines.append(
        "| total | | " + " | ".join(" / ".join(map(str, totals[f])) for f in results) + " |"
    )
    return "\n".join(lines)


def listing(contradictions: Sequence[Tuple[Path, Outcome]], tree: Path) -> str:
    out: List[str] = []
    for path, o in contradictions:
        f = o.finding
        assert f is not None
        try:
            rel = path.relative_to(tree)
        except ValueError:
            rel = path
        fix = f" -> `{f.replacement}`" if f.replacement else ""
        out.append(f"- {o.code} `{rel}`: `{o.token.text}`{fix}: {f.message}")
        for r in f.related:
            where = os.path.relpath(r.file, tree) if r.file.startswith(str(tree)) else r.file
            out.append(f"    - {r.message} at {where}:{r.line + 1}:{r.col + 1}")
    return "\n".join(out)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, default=None, help="a checkout with configs/")
    parser.add_argument(
        "--profile", default=None,
        help="the profile whose meanings the words have (mmpretrain, mmdet, mmseg, "
             "mmpose, mmaction2 or a profile's name); default: the tree's",
    )
    parser.add_argument(
        "--family", action="store_true",
        help="all five trees of ../shared/corpus, one table",
    )
    parser.add_argument("--list", action="store_true", help="print every contradiction")
    parser.add_argument(
        "--code", action="append", default=[], help="only list these codes (with --list)"
    )
    args = parser.parse_args(argv)
    if args.family:
        runs = [(fam, tree) for fam, (_, tree) in TREES.items() if (tree / "configs").is_dir()]
    else:
        family = family_of(args.profile) if args.profile else None
        if args.profile and family is None:
            print(f"unknown profile {args.profile!r}", file=sys.stderr)
            return 2
        tree = args.tree or TREES[family or "mmpretrain"][1]
        if family is None:
            family = next((f for f, (_, t) in TREES.items() if t.name == tree.name),
                          "mmpretrain")
        runs = [(family, tree)]
    results: Dict[str, Tuple[Dict[str, Dict[str, int]], int]] = {}
    listed: List[Tuple[Path, Sequence[Tuple[Path, Outcome]]]] = []
    for family, tree in runs:
        tree = tree.resolve()
        if not (tree / "configs").is_dir():
            print(f"no configs/ under {tree}", file=sys.stderr)
            return 2
        profile = args.profile if not args.family and args.profile else None
        profile = profile or profile_name(family) or family
        start = time.perf_counter()
        table, contradictions, timing = run(tree, family, profile)
        total = time.perf_counter() - start
        results[family] = (table, timing["files"])
        if not args.family:
            print(markdown(table, timing["files"]))
            print()
        print(
            f"{TREES.get(family, (family,))[0]}: {timing['files']} configs in {total:.2f}s "
            f"(profile {profile}): resolve {timing['resolve']:.2f}s, "
            f"decode {timing['decode']:.2f}s, check {timing['check']:.3f}s"
        )
        listed.append((tree, contradictions))
    if args.family:
        print()
        print(family_markdown(results))
    if args.list:
        wanted: Set[str] = set(args.code)
        for tree, contradictions in listed:
            shown = [(p, o) for p, o in contradictions if not wanted or o.code in wanted]
            print()
            print(f"## Contradictions in {tree.name} ({len(shown)})")
            print()
            print(listing(shown, tree))
    return 0


if __name__ == "__main__":
    sys.exit(main())
