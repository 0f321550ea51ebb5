"""Start-up cost of the core: ``import mmname_lsp.naming`` and the first decode.

    python3 benchmarks/bench_import.py [--runs 9]

Every figure is the best of ``--runs`` fresh interpreters (``python -c``), so
nothing is shared between runs:
  import       perf_counter around ``import mmname_lsp.naming``;
  importtime   the cumulative figure ``python -X importtime`` gives the package;
  first decode the first ``decode()`` call, which loads the vocabulary and the
               zoo (bundled JSON) lazily.
Both are measured twice: with compiled bytecode (a normal install; the
``.pyc`` files go to a temporary ``PYTHONPYCACHEPREFIX``, warmed first) and
with ``PYTHONDONTWRITEBYTECODE=1`` (the project's modules compiled from source
on every start, as in a checkout run with that variable set and no
``__pycache__``; the standard library keeps its installed bytecode).

It also reports which heavy modules ``import mmname_lsp.cli`` pulls in: the
CLI must not import pygls or lsprotocol.  This is a measurement, not a test:
it exits 0 and prints what it measured, target met or not (core import < 50 ms).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 50.0

TIMED = """\
import time
t0 = time.perf_counter()
import mmname_lsp.naming
t1 = time.perf_counter()
mmname_lsp.naming.decode("resnet50_8xb32_in1k")
t2 = time.perf_counter()
print((t1 - t0) * 1e3, (t2 - t1) * 1e3)
"""
CLI_MODULES = """\
import sys
import mmname_lsp.cli
heavy = ("pygls", "lsprotocol", "cattrs", "attrs", "yaml", "mmname_lsp.server")
print(",".join(sorted(m for m in sys.modules if m.split(".")[0] in heavy
                     or m.startswith("mmname_lsp.server"))))
print(",".join(sorted(m for m in sys.modules if m.startswith("mmname_lsp"))))
"""


def _env(bytecode: bool, prefix: Optional[str]) -> Dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("PYTHONPYCACHEPREFIX", None)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = prefix or ""
    else:
        # The standard library keeps its installed .pyc files; the project's
        # modules are compiled on every start unless a __pycache__ exists.
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _run(args: List[str], env: Dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )


def _importtime_ms(stderr: str) -> Optional[float]:
    for line in stderr.splitlines():
        m = re.match(r"import time:\s+\d+\s+\|\s+(\d+)\s+\|\s*mmname_lsp\.naming$", line)
        if m:
            return int(m.group(1)) / 1e3
    return None


def measure(runs: int, bytecode: bool, prefix: Optional[str]) -> Dict[str, float]:
    env = _env(bytecode, prefix)
    if bytecode:
        _run(["-c", TIMED], env)  # writes the .pyc files once
    imports, firsts, importtimes = [], [], []
    for _ in range(runs):
        proc = _run(["-c", TIMED], env)
        if proc.returncode != 0:
            raise SystemExit(proc.stderr)
        imp, first = (float(x) for x in proc.stdout.split())
        imports.append(imp)
        firsts.append(first)
        proc = _run(["-X", "importtime", "-c", "import mmname_lsp.naming"], env)
        value = _importtime_ms(proc.stderr)
        if value is not None:
            importtimes.append(value)
    return {
        "import": min(imports),
        "importtime": min(importtimes) if importtimes else float("nan"),
        "first decode": min(firsts),
        "import median": sorted(imports)[len(imports) // 2],
    }


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9)
    args = ap.parse_args(argv)
    runs = max(1, args.runs)

    with tempfile.TemporaryDirectory(prefix="mmname-pyc-") as prefix:
        with_pyc = measure(runs, True, prefix)
    without_pyc = measure(runs, False, None)

    print(f"Python {platform.python_version()} on {platform.machine()}, best of {runs} runs")
    print()
    print(
        "| bytecode | import mmname_lsp.naming (ms) | -X importtime (ms) | median (ms) "
        "| first decode (ms) | target < 50 ms |"
    )
    print("|---|---:|---:|---:|---:|---|")
    for label, r in (("cached .pyc", with_pyc), ("project from source", without_pyc)):
        ok = "met" if r["import"] < TARGET_MS else "missed"
        print(
            f"| {label} | {r['import']:.1f} | {r['importtime']:.1f} | {r['import median']:.1f} "
            f"| {r['first decode']:.1f} | {ok} |"
        )

    proc = _run(["-c", CLI_MODULES], _env(True, None))
    heavy, ours = (proc.stdout.splitlines() + ["", ""])[:2]
    print()
    if proc.returncode != 0:
        print(f"import mmname_lsp.cli failed:\n{proc.stderr}")
    elif heavy:
        print(f"import mmname_lsp.cli pulls in: {heavy}  (should be none)")
    else:
        print("import mmname_lsp.cli: pygls, lsprotocol and the server are not imported")
        print(f"  mmname_lsp modules loaded: {ours}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
