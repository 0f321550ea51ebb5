#!/usr/bin/env python3
"""Benchmark `mmname check` over the real MMPretrain tree against a bare scan.

The floor reads every ``.py`` file of the same tree and finds its string
literals with one regular expression: what any tool that looks at the names in
these files has to pay at least.  Floor and check run in the same invocation,
alternating, ``--runs`` times; the table shows the best and the median run.

    python3 benchmarks/bench_check.py [--runs 5] [--tree DIR] [--json]

Measured, each against the floor:
  * cold: ``--no-cache``, every file analysed.  As a subprocess (``python -m
    mmname_lsp.cli``) every run starts from nothing, in worker processes (one
    per CPU, the default) and in one process (``-j 1``).  In process
    (``mmname_lsp.cli.main``, ``-j 1``) the first run loads the vocabulary and
    the zoo and later runs find them and the parsed bases in memory;
  * warm: the persistent cache filled by a previous run and nothing changed
    (what CI with a restored cache, pre-commit and a second run see);
  * one config edited / a shared base edited: a copy of the tree in a temporary
    folder where one leaf config, or ``_base_/default_runtime.py`` (inherited
    by most configs), gets a new comment before each run.
The cache lives in a temporary folder.  Bytecode is compiled first, as in an
installed package (this environment may set PYTHONDONTWRITEBYTECODE).

This is a measurement, not a test: it exits 0 and prints what it has.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import io
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Tuple

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


def check_in_process(tree: str, *extra: str) -> int:
    from mmname_lsp.cli import main

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(io.StringIO()):
        rc = main(["check", tree, *CHECK_ARGS, *extra])
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


def _touch(path: Path, counter: List[int]) -> None:
    counter[0] += 1
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"# edit {counter[0]}\n")


def measure(tree: str, runs: int, scratch: Path) -> Dict[str, Dict[str, List[float]]]:
    cache = str(scratch / "cache")
    copy = scratch / "tree"
    shutil.copytree(tree, copy, symlinks=True)
    leaf = copy / "configs" / "resnet" / "resnet50_8xb32_in1k.py"
    base = copy / "configs" / "_base_" / "default_runtime.py"
    cold = ["--no-cache"]
    warm = ["--cache-dir", cache]
    # The copy is another project: a cache of its own, as next to its pyproject.toml.
    warm_copy = ["--cache-dir", str(scratch / "cache-copy")]
    py = [sys.executable, "-m", "mmname_lsp.cli", "check"]
    floor_cmd = [sys.executable, str(Path(__file__).resolve()), "--floor", tree]
    counter = [0]
    cases: Dict[str, Tuple[str, Callable[[], object]]] = {
        "in process, cold": ("in", lambda: check_in_process(tree, *cold, "-j", "1")),
        "in process, warm": ("in", lambda: check_in_process(tree, *warm)),
        "subprocess, cold": ("sub", lambda: _run([*py, tree, *CHECK_ARGS, *cold])),
        "subprocess, cold, one process": ("sub", lambda: _run([*py, tree, *CHECK_ARGS, *cold,
                                                               "-j", "1"])),
        "subprocess, warm": ("sub", lambda: _run([*py, tree, *CHECK_ARGS, *warm])),
        "subprocess, one config edited": ("sub", lambda: _run([*py, str(copy), *CHECK_ARGS,
                                                               *warm_copy])),
        "subprocess, shared base edited": ("sub", lambda: _run([*py, str(copy), *CHECK_ARGS,
                                                                *warm_copy])),
    }
    before = {"subprocess, one config edited": leaf, "subprocess, shared base edited": base}
    # Fill the cache from other processes, so that the in-process warm runs
    # measure a process that has analysed nothing yet (as a real second run).
    _run([*py, tree, *CHECK_ARGS, *warm])
    _run([*py, str(copy), *CHECK_ARGS, *warm_copy])
    times: Dict[str, Dict[str, List[float]]] = {k: {"floor": [], "check": []} for k in cases}
    # In-process cold runs last: they leave every parsed config in memory.
    order = ["in process, warm", *[k for k in cases if not k.startswith("in process")],
             "in process, cold"]
    phases = [order[:1], order[1:-1], order[-1:]]
    for phase in phases:
        for _ in range(runs):
            for label in phase:
                mode, fn = cases[label]
                if mode == "in":
                    times[label]["floor"].append(_timed(lambda: floor_scan(tree)))
                else:
                    times[label]["floor"].append(_run(floor_cmd))
                if label in before:
                    _touch(before[label], counter)
                times[label]["check"].append(_timed(fn))
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
    compileall.compile_dir(str(ROOT / "mmname_lsp"), quiet=1)
    with tempfile.TemporaryDirectory(prefix="mmname-bench-") as scratch:
        times = measure(tree, max(1, args.runs), Path(scratch))
    findings = check_in_process(tree, "--no-cache")
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
    print()
    for r in rows:
        verdict = "within" if r["ratio_best"] <= TARGET_RATIO else "over"
        print(f"{r['mode']}: check / floor = {r['ratio_best']:.2f}x "
              f"({verdict} the {TARGET_RATIO:.0f}x aim)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
