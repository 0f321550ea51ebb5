"""Put the language server and its Python dependencies into
``editors/vscode/bundled/libs``, so that the extension runs without a separate
``pip install`` (the extension adds the folder to ``PYTHONPATH``).

    python3 editors/vscode/scripts/bundle_server.py [--out DIR]

The server is built from this checkout (not installed in editable mode). Only
pure-Python code is accepted, so that one ``.vsix`` serves every platform and
every supported Python: pip may only pick ``py3-none-any`` wheels, PyYAML is
built from its source without its optional C extension, the requirements are
closed over every supported Python version (a backport that only 3.9 needs is
bundled too), and the result is refused when it holds a compiled file or a
wheel with another tag. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, Iterable, List, Set

HERE = Path(__file__).resolve().parent
EXTENSION = HERE.parent
REPO = EXTENSION.parents[1]
DEFAULT_OUT = EXTENSION / "bundled" / "libs"

# The Python versions the bundle must run on (pyproject's requires-python and up).
PYTHONS = ("3.9", "3.10", "3.11", "3.12", "3.13", "3.14")
# Wheel tags of pure-Python code.
PURE_TAGS = {"py3-none-any", "py2.py3-none-any"}
COMPILED_SUFFIXES = (".so", ".pyd", ".dylib", ".dll")
# Dependencies published with compiled wheels only, and how to build them pure.
FROM_SOURCE_PURE: Dict[str, Dict[str, str]] = {"pyyaml": {"PYYAML_FORCE_LIBYAML": "0"}}
# pip, told to pick only wheels that run everywhere.
PURE_ONLY = ["--only-binary=:all:", "--platform", "any", "--implementation", "py",
             "--abi", "none", "--python-version", PYTHONS[0]]


def say(message: str) -> None:
    print(f"[bundle_server] {message}", file=sys.stderr, flush=True)


def pip(*args: str, env: Dict[str, str] | None = None) -> None:
    cmd = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    t0 = time.monotonic()
    say("pip " + " ".join(args))
    subprocess.run(cmd, check=True, env={**os.environ, **(env or {})},
                   stdout=sys.stderr, stdin=subprocess.DEVNULL)
    say(f"  done in {time.monotonic() - t0:.1f} s")


def _packaging():  # noqa: ANN202 - a module
    try:
        import packaging.markers
        import packaging.requirements
        import packaging.utils
        return packaging
    except ImportError:  # pip always carries a copy
        from pip._vendor import packaging
        return packaging


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed(libs: Path) -> Dict[str, Path]:
    """Normalised distribution name -> its .dist-info folder."""
    out = {}
    for info in libs.glob("*.dist-info"):
        meta = (info / "METADATA").read_text(encoding="utf-8", errors="replace")
        m = re.search(r"^Name: (.+)$", meta, re.M)
        if m:
            out[norm(m.group(1).strip())] = info
    return out


def missing_requirements(libs: Path) -> Set[str]:
    """Requirements of the bundled distributions, on any supported Python,
    that the bundle does not hold yet."""
    pk = _packaging()
    have = installed(libs)
    want: Set[str] = set()
    for info in have.values():
        meta = (info / "METADATA").read_text(encoding="utf-8", errors="replace")
        for line in re.findall(r"^Requires-Dist: (.+)$", meta, re.M):
            req = pk.requirements.Requirement(line)
            if req.marker is not None:
                envs = [{"python_version": v, "python_full_version": v + ".0", "extra": ""}
                        for v in PYTHONS]
                if not any(req.marker.evaluate(e) for e in envs):
                    continue
            if norm(req.name) not in have:
                want.add(str(req.name) + str(req.specifier))
    return want


def impure(libs: Path) -> List[str]:
    """Compiled files and non-pure wheels in the bundle."""
    bad = [str(p.relative_to(libs)) for p in libs.rglob("*")
           if p.is_file() and p.name.lower().endswith(COMPILED_SUFFIXES)]
    for info in libs.glob("*.dist-info"):
        wheel = info / "WHEEL"
        tags = re.findall(r"^Tag: (.+)$", wheel.read_text(), re.M) if wheel.exists() else []
        if not tags or not set(tags) <= PURE_TAGS:
            bad.append(f"{info.name}: wheel tags {tags or 'unknown'}")
    return bad


def build_wheels(wheelhouse: Path) -> List[Path]:
    """This checkout's server, and the dependencies without pure wheels on
    the index, as pure wheels."""
    # setuptools builds in the source tree: leave no build/ or egg-info behind
    # that was not there before.
    leftovers = [REPO / "build", REPO / "mmname_lsp.egg-info"]
    existed = {p for p in leftovers if p.exists()}
    try:
        pip("wheel", "--no-deps", "--quiet", "-w", str(wheelhouse), str(REPO))
    finally:
        for p in leftovers:
            if p not in existed:
                shutil.rmtree(p, ignore_errors=True)
    for name, env in FROM_SOURCE_PURE.items():
        # The newest source release that still runs on the oldest supported Python.
        sdists = wheelhouse / "sdist"
        pip("download", "--no-deps", "--quiet", "--no-binary", ":all:", "--python-version",
            PYTHONS[0], "-d", str(sdists), name)
        for sdist in sorted(sdists.iterdir()):
            pip("wheel", "--no-deps", "--quiet", "-w", str(wheelhouse), str(sdist), env=env)
            sdist.unlink()
    return sorted(wheelhouse.glob("*.whl"))


def bundle(out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        wheels = build_wheels(Path(tmp))
        pip("install", "--quiet", "--no-compile", "--target", str(out), *PURE_ONLY,
            *map(str, wheels))
    for _ in range(5):
        want = sorted(missing_requirements(out))
        if not want:
            break
        say("for older Pythons too: " + ", ".join(want))
        pip("install", "--quiet", "--no-compile", "--no-deps", "--target", str(out),
            *PURE_ONLY, *want)
    else:
        raise SystemExit(f"requirements still missing: {missing_requirements(out)}")
    # Console scripts carry this machine's interpreter path: the extension runs
    # `python -m mmname_lsp` instead.
    shutil.rmtree(out / "bin", ignore_errors=True)
    for cache in list(out.rglob("__pycache__")):
        shutil.rmtree(cache, ignore_errors=True)
    bad = impure(out)
    if bad:
        raise SystemExit("compiled code in the bundle (one .vsix must serve every platform):\n  "
                         + "\n  ".join(bad))
    dists = installed(out)
    say(f"{out}: {len(dists)} distributions, pure Python: " + ", ".join(sorted(
        f"{d.name.rsplit('.dist-info', 1)[0]}" for d in dists.values())))


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"target folder (default: {DEFAULT_OUT.relative_to(REPO)})")
    args = parser.parse_args(list(argv) if argv is not None else None)
    bundle(args.out.resolve())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
