"""editors/vscode/scripts/bundle_server.py: what it lets into the extension's
bundled/libs (pure Python only, requirements of every supported Python)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "editors" / "vscode" / "scripts" / "bundle_server.py"


@pytest.fixture(scope="module")
def bundle():
    spec = importlib.util.spec_from_file_location("bundle_server", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dist(libs: Path, name: str, version: str, tag: str, requires=()) -> None:
    info = libs / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    meta = [f"Name: {name}", f"Version: {version}"] + [f"Requires-Dist: {r}" for r in requires]
    (info / "METADATA").write_text("\n".join(meta) + "\n")
    (info / "WHEEL").write_text(f"Wheel-Version: 1.0\nTag: {tag}\n")


def test_pure_bundle_passes(bundle, tmp_path):
    dist(tmp_path, "purelib", "1.0", "py3-none-any")
    (tmp_path / "purelib").mkdir()
    (tmp_path / "purelib" / "__init__.py").write_text("")
    assert bundle.impure(tmp_path) == []


@pytest.mark.parametrize("name", ["_speedups.cpython-311-x86_64-linux-gnu.so", "fast.pyd",
                                  "lib.dylib"])
def test_compiled_file_is_refused(bundle, tmp_path, name):
    dist(tmp_path, "purelib", "1.0", "py3-none-any")
    (tmp_path / "purelib").mkdir()
    (tmp_path / "purelib" / name).write_bytes(b"\x7fELF")
    assert bundle.impure(tmp_path) == [f"purelib/{name}"]


def test_platform_wheel_is_refused(bundle, tmp_path):
    dist(tmp_path, "native", "2.0", "cp311-cp311-manylinux_2_17_x86_64")
    bad = bundle.impure(tmp_path)
    assert len(bad) == 1 and "native-2.0.dist-info" in bad[0] and "manylinux" in bad[0]


def test_backports_of_older_pythons_are_wanted(bundle, tmp_path):
    # Built on a new Python, the marker left tomli out; Python 3.9 needs it.
    dist(tmp_path, "server", "0.1", "py3-none-any", requires=[
        'tomli>=1.1; python_version < "3.11"',
        'PyYAML>=6',
        'pytest; extra == "test"',
        'ancient; python_version < "3.0"',
    ])
    dist(tmp_path, "PyYAML", "6.0.3", "py3-none-any")
    assert bundle.missing_requirements(tmp_path) == {"tomli>=1.1"}
