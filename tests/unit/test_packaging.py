"""The distributions are ready to publish: an sdist and a wheel build from a
clean copy of the tracked files, hold the license and the data, pass
`twine check --strict`, and the installed wheel runs `mmname rule` offline
(the rule docs come from the rule table inside the package)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 600


def _need(module: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"`{module}` is not installed: pip install -e '.[test]' brings it "
                    "(the test extra lists build and twine)")


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    _need("build")
    _need("twine")
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout to know the tracked files")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=ROOT, capture_output=True,
                            timeout=60, check=True).stdout.decode().split("\0")
    src = tmp_path_factory.mktemp("src")
    for rel in filter(None, listed):
        if (ROOT / rel).is_file():
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, src / rel)
    out = tmp_path_factory.mktemp("dist")
    # No --sdist/--wheel: the wheel is built from the sdist, which proves the
    # sdist complete.  Build isolation fetches the build backend.
    proc = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(src)],
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)
    offline = ("Could not find a version", "No matching distribution",
               "Failed to establish a new connection", "Temporary failure in name resolution",
               "Network is unreachable")
    if proc.returncode != 0 and any(s in proc.stdout + proc.stderr for s in offline):
        pytest.skip("the build backend (setuptools>=77) cannot be installed: no package index")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return sdist, wheel


def test_sdist_holds_license_data_docs_and_completions(dists):
    sdist, _ = dists
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    for needed in ("LICENSE", "README.md", "CHANGELOG.md", "pyproject.toml",
                   ".pre-commit-hooks.yaml", "docs/rules.md", "completions/mmname.bash",
                   "completions/_mmname", "completions/mmname.fish",
                   "mmname_lsp/data/vocabulary.json", "mmname_lsp/data/zoo.json",
                   "mmname_lsp/codes.py"):
        assert needed in names, needed


def test_wheel_holds_license_and_data_and_metadata(dists):
    _, wheel = dists
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = zf.read(meta_name).decode()
        license_name = next(n for n in names if n.endswith("/licenses/LICENSE"))
        assert "Apache License" in zf.read(license_name).decode()
    assert {"mmname_lsp/data/vocabulary.json", "mmname_lsp/data/zoo.json",
            "mmname_lsp/codes.py", "mmname_lsp/rules/docs.py"} <= names
    assert "License-Expression: Apache-2.0" in meta
    assert "Project-URL: Source, https://github.com/mmname-lsp/mmname-lsp" in meta
    assert "Classifier: Topic :: Software Development :: Quality Assurance" in meta
    assert "Keywords: " in meta and "mmpretrain" in meta


def test_twine_check_passes(dists):
    proc = subprocess.run([sys.executable, "-m", "twine", "check", "--strict",
                           *map(str, dists)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_readme_links_work_on_the_package_index():
    # The index shows README.md away from the repository: relative links break.
    import re

    text = (ROOT / "README.md").read_text()
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    relative = [u for u in links if not re.match(r"(https?:|mailto:|#)", u)]
    assert relative == []


def test_mmname_rule_runs_from_the_installed_wheel(dists, tmp_path):
    _, wheel = dists
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    # Nothing of this checkout on the path (pip would take it as installed).
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    # Only the wheel (no dependencies, no index): `mmname rule` needs none of them.
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    str(wheel)], check=True, capture_output=True, timeout=TIMEOUT, env=env,
                   cwd=tmp_path)
    proc = subprocess.run([str(bindir / "mmname"), "rule", "MMN101"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("### MMN101 batch-format")
    where = subprocess.run([str(python), "-c", "import mmname_lsp; print(mmname_lsp.__file__)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
                           check=True).stdout
    assert str(env_dir) in where  # the wheel's copy, not this checkout
