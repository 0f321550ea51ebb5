#!/usr/bin/env python3
"""Calibration: how often each rule fires on real MMPretrain data.

Runs the same pipeline as `mmname check --min-severity hint` over every config
of the shared corpus tree (``configs/`` with ``_base_``, and the new-style
``mmpretrain/configs/``) and over the 548 model names of the metafiles (as
``--name`` decodes them), and prints a markdown table: one row per rule and
severity it was reported with (upstream names are capped to hints by the zoo,
so a rule can show up with two severities).

Usage: python scripts/rule_counts.py [--corpus DIR] [--list] [--json]

``--list`` also prints every error and warning, one per line, to look at.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mmname_lsp.cli.check import Checker, CheckOptions  # noqa: E402
from mmname_lsp.cli.output import Positions  # noqa: E402
from mmname_lsp.codes import RULES  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "mmpretrain"
SEVERITIES = ("error", "warning", "information", "hint")


def collect(corpus: Path):
    tree = corpus / "tree"
    names = (corpus / "model_names.txt").read_text(encoding="utf-8").split()
    roots = [str(tree / "configs"), str(tree / "mmpretrain" / "configs")]
    checker = Checker(CheckOptions(paths=roots, min_severity="hint", use_git=False))
    result = checker.run()
    name_reports = checker.check_names(names)
    return result, name_reports, len(names)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--list", action="store_true", help="list every error and warning")
    ap.add_argument("--json", action="store_true", help="print the counts as JSON")
    args = ap.parse_args(argv)
    if not (args.corpus / "model_names.txt").is_file():
        print(f"corpus not found at {args.corpus}", file=sys.stderr)
        return 2
    result, name_reports, n_names = collect(args.corpus)
    on_configs: collections.Counter[tuple[str, str]] = collections.Counter()
    on_names: collections.Counter[tuple[str, str]] = collections.Counter()
    listing = []
    for report in result.reports:
        pos = Positions(report.text)
        for f in report.findings:
            on_configs[(f.code, f.severity)] += 1
            if f.severity in ("error", "warning"):
                (line, col), _ = pos.range_of(f)
                listing.append(f"{report.path}:{line + 1}:{col + 1}: {f.code} {f.severity} "
                               f"{f.message}")
    for report in name_reports:
        for f in report.findings:
            on_names[(f.code, f.severity)] += 1
            if f.severity in ("error", "warning"):
                listing.append(f"{f.code} {f.severity} {f.message}")
    keys = set(on_configs) | set(on_names)
    seen_codes = {code for code, _ in keys}
    for code, rule in RULES.items():
        if code not in seen_codes:
            keys.add((code, rule.severity))
    rows = sorted(keys, key=lambda k: (k[0], SEVERITIES.index(k[1])))
    if args.json:
        print(json.dumps([{"code": c, "name": RULES[c].name if c in RULES else "?",
                           "severity": s, "configs": on_configs[(c, s)],
                           "model_names": on_names[(c, s)]} for c, s in rows], indent=2))
        return 0
    files = result.files_checked
    print(f"Corpus: {files} config files, {n_names} model names "
          f"(`mmname check --min-severity hint`, default settings).\n")
    print("| code | name | severity | configs | model names |")
    print("|---|---|---|---:|---:|")
    for code, sev in rows:
        name = RULES[code].name if code in RULES else "?"
        default = RULES[code].severity if code in RULES else "?"
        shown = sev if sev == default else f"{sev} (default {default})"
        print(f"| {code} | {name} | {shown} | {on_configs[(code, sev)]} | "
              f"{on_names[(code, sev)]} |")
    total_c = sum(on_configs.values())
    total_n = sum(on_names.values())
    print(f"| | | **total** | **{total_c}** | **{total_n}** |")
    reported = sum(v for (c, s), v in on_configs.items() if s != "hint")
    reported_n = sum(v for (c, s), v in on_names.items() if s != "hint")
    print(f"\nReported by default (errors, warnings, information): {reported} on configs, "
          f"{reported_n} on model names.")
    for n in result.notices:
        print(f"note: {n.path}: {n.message}", file=sys.stderr)
    if args.list:
        print("\nErrors and warnings:\n")
        for line in listing:
            print(f"- {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
