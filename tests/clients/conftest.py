"""Shared set-up for the real-client tests: installs (tests/clients/install.sh,
once per session and part), the server under test, and where artifacts go.

A part whose install cannot reach a package registry is skipped with the
reason; any other install failure fails the tests that need it.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, Tuple

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
INSTALL = HERE / "install.sh"
FIXTURE_WS = REPO / "tests" / "fixtures" / "workspace"
FIXTURE_CONFIG = FIXTURE_WS / "configs" / "resnet" / "resnet50_8x32-colsr_in1k.py"
# A fork with its own metafile, model index and README.
FIXTURE_WS2 = REPO / "tests" / "fixtures" / "ws2"
ARTIFACTS = REPO / "test-artifacts" / "clients"
REGISTRY_UNREACHABLE = 3  # install.sh's exit code for that case
INSTALL_TIMEOUT_S = 1800

# One outcome per part and session: ("ok", paths) / ("skip", why) / ("fail", why).
_installs: Dict[str, Tuple[str, object]] = {}


def _install(part: str) -> Dict[str, str]:
    if part not in _installs:
        t0 = time.monotonic()
        try:
            proc = subprocess.run(
                ["bash", str(INSTALL), f"--{part}"],
                capture_output=True,
                text=True,
                timeout=INSTALL_TIMEOUT_S,
                env={**os.environ, "PYTHON": sys.executable},
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired as exc:
            _installs[part] = ("fail", f"install.sh --{part} timed out: {exc.stderr!r}")
        else:
            took = time.monotonic() - t0
            log = proc.stderr[-4000:]
            if proc.returncode == 0:
                paths = dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)
                _installs[part] = ("ok", paths)
                print(f"\ninstall.sh --{part}: {took:.1f} s", file=sys.stderr)
            elif proc.returncode == REGISTRY_UNREACHABLE:
                _installs[part] = (
                    "skip",
                    f"a package registry is unreachable, cannot install {part}:\n{log}",
                )
            else:
                _installs[part] = (
                    "fail",
                    f"install.sh --{part} failed (exit {proc.returncode}):\n{log}",
                )
    status, value = _installs[part]
    if status == "skip":
        pytest.skip(str(value))
    if status == "fail":
        pytest.fail(str(value), pytrace=False)
    return value  # type: ignore[return-value]


@pytest.fixture(scope="session")
def nvim_tools() -> Dict[str, str]:
    return _install("nvim")


@pytest.fixture(scope="session")
def emacs_tools() -> Dict[str, str]:
    return _install("emacs")


@pytest.fixture(scope="session")
def vscode_tools() -> Dict[str, str]:
    return _install("vscode")


@pytest.fixture(scope="session")
def server_env(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, str]:
    """Environment in which `mmname-lsp` (the name the shipped editor configs
    run) is this repository's server, whatever else is installed."""
    bin_dir = tmp_path_factory.mktemp("server-bin")
    wrapper = bin_dir / "mmname-lsp"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m mmname_lsp "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    env = dict(os.environ)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.pop("PYTHONHOME", None)
    return env


def client_home(tmp_path: Path, env: Dict[str, str]) -> Dict[str, str]:
    """`env` with every XDG folder in tmp_path, so no client touches $HOME's config."""
    env = dict(env)
    for name in ("CONFIG", "DATA", "STATE", "CACHE"):
        folder = tmp_path / f"xdg-{name.lower()}"
        folder.mkdir(exist_ok=True)
        env[f"XDG_{name}_HOME"] = str(folder)
    return env


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def require_tool(path: str) -> str:
    if not path or not (Path(path).exists() or shutil.which(path)):
        pytest.fail(f"installed tool not found: {path!r}", pytrace=False)
    return path
