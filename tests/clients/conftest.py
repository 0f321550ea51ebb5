"""Shared set-up for the real-client tests: installs (tests/clients/install.sh,
once per session and part, its progress shown as it goes), the server under
test, and where artifacts go.

A part that cannot be installed on this machine (a package registry is
unreachable; Debian packages are missing and cannot be installed: no
apt-get, or no root) is skipped with the reason; any other install failure
fails the tests that need it. With MMNAME_REQUIRE_CLIENTS=1 (as `.ci/run`
sets it) a part that cannot be installed fails instead of skipping.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import threading
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
INSTALL = HERE / "install.sh"
FIXTURE_WS = REPO / "tests" / "fixtures" / "workspace"
FIXTURE_CONFIG = FIXTURE_WS / "configs" / "resnet" / "resnet50_8x32-colsr_in1k.py"
# A fork with its own metafile, model index and README.
FIXTURE_WS2 = REPO / "tests" / "fixtures" / "ws2"
ARTIFACTS = REPO / "test-artifacts" / "clients"
REGISTRY_UNREACHABLE = 3  # install.sh's exit codes for these cases
CANNOT_INSTALL_HERE = 4
INSTALL_TIMEOUT_S = 1800

# One outcome per part and session: ("ok", paths) / ("skip", why) / ("fail", why).
_installs: Dict[str, Tuple[str, object]] = {}


def run_with_progress(
    cmd: List[str], config: pytest.Config, timeout: float, env: Optional[Dict[str, str]] = None
) -> Tuple[int, str, str]:
    """Run ``cmd``; its stderr (progress lines) goes to the terminal as it
    comes, even under pytest's output capture. Returns the exit code, stdout
    and the last part of stderr (-1 and what came so far on a timeout)."""
    capture = config.pluginmanager.getplugin("capturemanager")
    lines: List[str] = []
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )

    def pump_stderr() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if line.startswith("["):  # the scripts' own progress lines
                with capture.global_and_fixture_disabled() if capture else nullcontext():
                    sys.stderr.write(line)
                    sys.stderr.flush()

    pump = threading.Thread(target=pump_stderr, daemon=True)
    pump.start()
    try:
        stdout, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, _ = proc.communicate()
        pump.join(10)
        return -1, stdout, "".join(lines)[-4000:]
    pump.join(10)
    return proc.returncode, stdout, "".join(lines)[-4000:]


def _install(part: str, config: pytest.Config) -> Dict[str, str]:
    if part not in _installs:
        t0 = time.monotonic()
        code, stdout, log = run_with_progress(
            ["bash", str(INSTALL), f"--{part}"],
            config,
            INSTALL_TIMEOUT_S,
            env={**os.environ, "PYTHON": sys.executable},
        )
        took = time.monotonic() - t0
        reason = log.strip().splitlines()[-1] if log.strip() else ""
        if code == 0:
            paths = dict(line.split("=", 1) for line in stdout.splitlines() if "=" in line)
            _installs[part] = ("ok", paths)
            print(f"\ninstall.sh --{part}: {took:.1f} s", file=sys.stderr)
        elif code == -1:
            _installs[part] = ("fail", f"install.sh --{part} timed out:\n{log}")
        elif code == REGISTRY_UNREACHABLE:
            _installs[part] = (
                "skip",
                f"a package registry is unreachable, cannot install {part}:\n{log}",
            )
        elif code == CANNOT_INSTALL_HERE:
            _installs[part] = ("skip", f"{part} cannot be installed on this machine: {reason}")
        else:
            _installs[part] = ("fail", f"install.sh --{part} failed (exit {code}):\n{log}")
    status, value = _installs[part]
    if status == "skip" and os.environ.get("MMNAME_REQUIRE_CLIENTS") == "1":
        pytest.fail(f"MMNAME_REQUIRE_CLIENTS=1: {value}", pytrace=False)
    if status == "skip":
        pytest.skip(str(value))
    if status == "fail":
        pytest.fail(str(value), pytrace=False)
    return value  # type: ignore[return-value]


def skip_unless_installed(tools: Dict[str, str], key: str) -> str:
    """The path of ``key`` from install.sh, or a skip with its KEY_SKIP reason."""
    why = tools.get(f"{key}_SKIP")
    if why and not tools.get(key):
        if os.environ.get("MMNAME_REQUIRE_CLIENTS") == "1":
            pytest.fail(f"MMNAME_REQUIRE_CLIENTS=1: {why}", pytrace=False)
        pytest.skip(why)
    return require_tool(tools.get(key, ""))


@pytest.fixture(scope="session")
def nvim_tools(pytestconfig: pytest.Config) -> Dict[str, str]:
    return _install("nvim", pytestconfig)


@pytest.fixture(scope="session")
def emacs_tools(pytestconfig: pytest.Config) -> Dict[str, str]:
    return _install("emacs", pytestconfig)


@pytest.fixture(scope="session")
def vscode_tools(pytestconfig: pytest.Config) -> Dict[str, str]:
    return _install("vscode", pytestconfig)


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


# -- a bare LSP client over stdio (no editor), for the checks of what a client sends


def lsp_frame(message: dict) -> bytes:
    """``message`` with its Content-Length header, as sent over stdio."""
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def lsp_read(stream) -> Dict:
    """The next message from a server's stdout."""
    length = None
    while True:
        line = stream.readline()
        if not line:
            raise EOFError("server closed its output")
        line = line.strip()
        if not line:
            break
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return json.loads(stream.read(length))


def lsp_send(proc: subprocess.Popen, message: dict) -> None:
    proc.stdin.write(lsp_frame(message))
    proc.stdin.flush()


def lsp_diagnostics_of(proc: subprocess.Popen, uri: str, timeout: float) -> List[dict]:
    """The first non-empty publishDiagnostics for ``uri``; answers the
    server's own requests with null, as a client that offers nothing."""
    found: List[dict] = []

    def read():
        while True:
            msg = lsp_read(proc.stdout)
            if "id" in msg and "method" in msg:
                lsp_send(proc, {"jsonrpc": "2.0", "id": msg["id"], "result": None})
            elif msg.get("method") == "textDocument/publishDiagnostics":
                params = msg["params"]
                if params["uri"] == uri and params["diagnostics"]:
                    found.extend(params["diagnostics"])
                    return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout)
    return found
