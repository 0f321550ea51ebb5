#!/usr/bin/env python3
"""Benchmark `mmname check` over the real MMPretrain tree against a bare scan.

The floor reads every ``.py`` file of the same tree and finds its string
literals with one regular expression: what any tool that looks at the names in
these files has to pay at least.  Both run in the same invocation, alternating,
``--runs`` times; the table shows the best and the median run.

    python3 benchmarks/bench_check.py [--runs 5] [--tree DIR] [--json]

Measured:
  * in process: ``mmname_lsp.cli.main(["check", TREE, ...])`` with its output
    rendered into a buffer, against the floor function; the first check run
    pays for loading the vocabulary and the zoo, later ones find them loaded;
  * as a subprocess (wall time, what CI and pre-commit see): ``python -m
    mmname_lsp.cli check TREE`` against ``python bench_check.py --floor TREE``,
    both including interpreter start-up.

This is a measurement, not a test: it exits 0 and prints what it has.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_TREE = ROOT.parent / "shared" / "corpus" / "mmpretrain" / "tree"
TARGET_RATIO = 2.0
CHECK_ARGS = ["--no-config", "--exit-zero", "--format", "json"]

# Plain single- and double-quoted strings, and triple-quoted ones.
_STRING = re.compile(
    r"'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"", re.DOTALL
)


def floor_scan(tree: str) -> int:
    """Walk ``tree`` for .py files, read each, count its string literals."""
    count = 0
    for dirpath, dirnames, filenames in os.walk(tree):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.endswith(".py"):
                with open(os.path.join(dirpath, name), "rb") as fh:
                    text = fh.read().decode("utf-8")
                count += len(_STRING.findall(text))
    return count


def check_in_process(tree: str) -> int:
    from mmname_lsp.cli import main

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(io.StringIO()):
        rc = main(["check", tree, *CHECK_ARGS])
    if rc != 0:
        raise RuntimeError(f"mmname check exited {rc}")
    return len(json.loads(buf.getvalue()))


def _timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _run(cmd: List[str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False,
                          cwd=str(ROOT))
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[:4]} exited {proc.returncode}: {proc.stderr.decode()[-500:]}")
    return wall


def measure(tree: str, runs: int) -> Dict[str, Dict[str, List[float]]]:
    times: Dict[str, Dict[str, List[float]]] = {
        "in process": {"floor": [], "check": []},
        "subprocess": {"floor": [], "check": []},
    }
    check_cmd = [sys.executable, "-m", "mmname_lsp.cli", "check", tree, *CHECK_ARGS]
    floor_cmd = [sys.executable, str(Path(__file__).resolve()), "--floor", tree]
    for _ in range(runs):
        times["in process"]["floor"].append(_timed(lambda: floor_scan(tree)))
        times["in process"]["check"].append(_timed(lambda: check_in_process(tree)))
        times["subprocess"]["floor"].append(_run(floor_cmd))
        times["subprocess"]["check"].append(_run(check_cmd))
    return times


def main(argv: List[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--tree", type=Path, default=DEFAULT_TREE)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--floor", metavar="TREE", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.floor:
        print(floor_scan(args.floor))
        return 0
    tree = str(args.tree)
    if not os.path.isdir(tree):
        print(f"tree not found at {tree}", file=sys.stderr)
        return 0
    sys.path.insert(0, str(ROOT))
    files = sum(1 for _, _, fs in os.walk(tree) for f in fs if f.endswith(".py"))
    literals = floor_scan(tree)
    findings = check_in_process(tree)
    times = measure(tree, max(1, args.runs))
    rows = []
    for mode, pair in times.items():
        best_f, best_c = min(pair["floor"]), min(pair["check"])
        med_f, med_c = statistics.median(pair["floor"]), statistics.median(pair["check"])
        rows.append({"mode": mode, "floor_best": best_f, "check_best": best_c,
                     "ratio_best": best_c / best_f, "floor_median": med_f,
                     "check_median": med_c, "ratio_median": med_c / med_f})
    if args.json:
        print(json.dumps({"files": files, "literals": literals, "findings": findings,
                          "runs": args.runs, "rows": rows}, indent=2))
        return 0
    print(f"`mmname check` over {tree}: {files} .py files, {literals} string literals, "
          f"{findings} findings (errors, warnings); best and median of {args.runs} runs; "
          f"Python {platform.python_version()}, {os.cpu_count()} CPUs.\n")
    print("| measure | floor best | check best | ratio | floor median | check median | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['mode']} | {r['floor_best'] * 1000:.0f} ms | {r['check_best'] * 1000:.0f} ms "
              f"| {r['ratio_best']:.2f}x | {r['floor_median'] * 1000:.0f} ms "
              f"| {r['check_median'] * 1000:.0f} ms | {r['ratio_median']:.2f}x |")
    for r in rows:
        verdict = "within" if r["ratio_best"] <= TARGET_RATIO else "over"
        print(f"\n{r['mode']}: check / floor = {r['ratio_best']:.2f}x "
              f"({verdict} the {TARGET_RATIO:.0f}x aim)", end="")
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
