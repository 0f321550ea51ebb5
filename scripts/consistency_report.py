"""Compare the names of MMPretrain's model configs with their content.

Runs every check of :mod:`mmname_lsp.rules.consistency` over the model configs
of an MMPretrain tree (``configs/`` and the new-style ``mmpretrain/configs/``;
``_base_`` folders and files starting with ``_`` are skipped), resolving all of
them with one shared :class:`~mmname_lsp.configs.ConfigCache`, and prints per
check how many configs agree with their name, contradict it, or could not be
compared (value absent or not readable), as a markdown table.

Usage::

    python scripts/consistency_report.py [--tree ../shared/corpus/mmpretrain/tree] [--list]

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
from typing import Dict, List, Optional, Sequence, Set, Tuple

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mmname_lsp.codes import RULES  # noqa: E402
from mmname_lsp.configs import ConfigCache, resolve_config  # noqa: E402
from mmname_lsp.naming.decoder import decode  # noqa: E402
from mmname_lsp.rules.consistency import (  # noqa: E402
    AGREE,
    CHECKS,
    CONTRADICT,
    Outcome,
    evaluate,
)

DEFAULT_TREE = ROOT.parent / "shared" / "corpus" / "mmpretrain" / "tree"


def model_configs(tree: Path) -> List[Path]:
    """Model configs of the tree: no ``_base_`` folder, no ``_private.py``."""
    out: List[Path] = []
    for top in (tree / "configs", tree / "mmpretrain" / "configs"):
        if not top.is_dir():
            continue
        for path in sorted(top.rglob("*.py")):
            rel = path.relative_to(top)
            if "_base_" in rel.parts or path.name.startswith("_"):
                continue
            out.append(path)
    return out


def config_status(outcomes: Sequence[Outcome]) -> str:
    """One config's result for one check: any contradiction wins, then agreement."""
    statuses = {o.status for o in outcomes}
    if CONTRADICT in statuses:
        return CONTRADICT
    if AGREE in statuses:
        return AGREE
    return "unknown"


def run(tree: Path) -> Tuple[Dict[str, Dict[str, int]], List[Tuple[Path, Outcome]], dict]:
    files = model_configs(tree)
    cache = ConfigCache()
    table: Dict[str, Dict[str, int]] = {
        code: {AGREE: 0, CONTRADICT: 0, "unknown": 0} for code in CHECKS
    }
    contradictions: List[Tuple[Path, Outcome]] = []
    t_resolve = t_check = t_decode = 0.0
    for path in files:
        t0 = time.perf_counter()
        resolved = resolve_config(path, cache=cache)
        t1 = time.perf_counter()
        decoded = decode(path.name, "config")
        t2 = time.perf_counter()
        outcomes, _facts = evaluate(decoded, resolved)
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


def markdown(table: Dict[str, Dict[str, int]]) -> str:
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
    parser.add_argument("--tree", type=Path, default=DEFAULT_TREE, help="MMPretrain checkout")
    parser.add_argument("--list", action="store_true", help="print every contradiction")
    parser.add_argument(
        "--code", action="append", default=[], help="only list these codes (with --list)"
    )
    args = parser.parse_args(argv)
    tree = args.tree.resolve()
    if not (tree / "configs").is_dir():
        print(f"no configs/ under {tree}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    table, contradictions, timing = run(tree)
    total = time.perf_counter() - start
    print(markdown(table))
    print()
    print(
        f"{timing['files']} configs in {total:.2f}s: resolve {timing['resolve']:.2f}s, "
        f"decode {timing['decode']:.2f}s, check {timing['check']:.3f}s"
    )
    if args.list:
        wanted: Set[str] = set(args.code)
        shown = [(p, o) for p, o in contradictions if not wanted or o.code in wanted]
        print()
        print(f"## Contradictions ({len(shown)})")
        print()
        print(listing(shown, tree))
    return 0


if __name__ == "__main__":
    sys.exit(main())
