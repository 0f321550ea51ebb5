"""VS Code for real: code-server with the .vsix built by editors/vscode/build.sh
installed offline, driven by Debian's chromium through playwright-core
(tests/clients/vscode_driver.cjs). Everything listens on 127.0.0.1; the
browser aborts every request to anywhere else.

The extension runs first with an interpreter that has this repository's
server (the language status item says "environment"), then with a fresh
virtual environment without it (the bundled copy runs: "bundled"), then
with an interpreter that does not exist (an error notification)."""

from __future__ import annotations

import glob
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path
from typing import Dict, Optional

import pytest

from tests.clients.conftest import (
    FIXTURE_CONFIG,
    FIXTURE_WS,
    FIXTURE_WS2,
    HERE,
    REPO,
    client_home,
    lsp_diagnostics_of,
    lsp_send,
    require_tool,
    run_with_progress,
)

pytestmark = pytest.mark.clients

BUILD = REPO / "editors" / "vscode" / "build.sh"
EXTENSION_ID = "mmname.mmname-lsp"
HOVER_LINE = "8xb32 — gpus-x-batch: 8 GPUs x 32 images per GPU"
CODE_SERVER_FLAGS = [
    "--disable-telemetry",
    "--disable-update-check",
    "--disable-workspace-trust",
    "--disable-getting-started-override",
    "--ignore-last-opened",
    "--disable-file-downloads",
]
USER_SETTINGS = {
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    "workbench.enableExperiments": False,
    "workbench.colorTheme": "Default Light Modern",
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoCheckUpdates": False,
    "extensions.autoUpdate": False,
    "extensions.ignoreRecommendations": True,
    "security.workspace.trust.enabled": False,
    "chat.disableAIFeatures": True,
    "editor.minimap.enabled": False,
    "editor.hover.delay": 200,
    "window.commandCenter": False,
    "workbench.secondarySideBar.defaultVisibility": "hidden",
}


@pytest.fixture(scope="session")
def vsix(vscode_tools, pytestconfig) -> Path:
    """The extension, built and packaged by the one script users run too
    ($MMNAME_TEST_VSIX names an already built one, to iterate faster)."""
    prebuilt = os.environ.get("MMNAME_TEST_VSIX")
    if prebuilt:
        return Path(prebuilt)
    for tool in ("node", "npm"):
        if not shutil.which(tool):
            why = f"{tool} is not installed: cannot build the extension (Node 20+ and npm)"
            if os.environ.get("MMNAME_REQUIRE_CLIENTS") == "1":
                pytest.fail(why, pytrace=False)
            pytest.skip(why)
    t0 = time.monotonic()
    code, stdout, log = run_with_progress(
        ["bash", str(BUILD)],
        pytestconfig,
        900,
        env={**os.environ, "PYTHON": sys.executable},
    )
    if code != 0:
        ping = subprocess.run(["npm", "ping"], capture_output=True, timeout=120)
        if ping.returncode != 0:
            pytest.skip(f"the npm registry is unreachable, cannot build the extension:\n{log}")
        pytest.fail(f"editors/vscode/build.sh failed (exit {code}):\n{log}", pytrace=False)
    print(f"\nbuild.sh: {time.monotonic() - t0:.1f} s", file=sys.stderr)
    path = Path(stdout.strip().splitlines()[-1])
    assert path.suffix == ".vsix" and path.is_file(), stdout
    return path


def test_vsix_is_one_for_every_platform(vsix):
    """The .vsix: the minified bundle and the server with its dependencies,
    pure Python only, no node_modules or sources."""
    with zipfile.ZipFile(vsix) as z:
        names = z.namelist()
        manifest = json.loads(z.read("extension/package.json"))
    libs = [n for n in names if n.startswith("extension/bundled/libs/")]
    for package in ("mmname_lsp", "pygls", "lsprotocol", "yaml", "attrs", "cattrs"):
        assert f"extension/bundled/libs/{package}/__init__.py" in libs, package
    # Backports that only the oldest supported Python needs are there too.
    assert any(n.startswith("extension/bundled/libs/tomli/") for n in libs)
    compiled = [n for n in names if n.lower().endswith((".so", ".pyd", ".dylib", ".dll"))]
    assert compiled == []
    assert not any("node_modules/" in n or n.startswith("extension/src/") for n in names)
    assert manifest["main"] == "./dist/extension.js"
    assert "extension/dist/extension.js" in names
    for key in ("repository", "homepage", "bugs", "icon", "license"):
        assert manifest.get(key), key
    assert f"extension/{manifest['icon']}" in names


def python_3(minor: int) -> Optional[str]:
    """A working Python 3.<minor> on PATH or from pyenv, else None."""
    candidates = [shutil.which(f"python3.{minor}")]
    pyenv = os.path.expanduser(f"~/.pyenv/versions/3.{minor}.*/bin/python3")
    candidates += sorted(glob.glob(pyenv))
    for python in filter(None, candidates):
        ok = subprocess.run([python, "-c", "pass"], capture_output=True, timeout=60)
        if ok.returncode == 0:
            return python
    return None


@pytest.mark.parametrize("minor", [9, 10, 11, 12, 13])
def test_bundled_server_runs_on_every_python(vsix, minor, tmp_path):
    """The server bundled in the .vsix, run as the extension runs it
    (`<python> -m mmname_lsp --stdio`, PYTHONPATH=bundled/libs), by a bare
    Python of every supported version: it reports on a metafile."""
    python = python_3(minor)
    if python is None:
        pytest.skip(f"no Python 3.{minor} on this machine")
    with zipfile.ZipFile(vsix) as z:
        for name in z.namelist():
            if name.startswith("extension/bundled/"):
                z.extract(name, tmp_path)
    libs = tmp_path / "extension" / "bundled" / "libs"
    workspace = tmp_path / "ws"
    shutil.copytree(FIXTURE_WS2, workspace)
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(libs), "PYTHONNOUSERSITE": "1"}
    imports = "import mmname_lsp, pygls, yaml; print(mmname_lsp.__file__, pygls.__file__)"
    where = subprocess.run(
        [python, "-c", imports],
        capture_output=True, text=True, env=env, cwd=str(workspace), timeout=60,
    )
    assert where.returncode == 0, where.stderr
    assert all(p.startswith(str(libs)) for p in where.stdout.split()), where.stdout
    proc = subprocess.Popen(
        [python, "-m", "mmname_lsp", "--stdio"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        env=env, cwd=str(workspace),
    )
    try:
        lsp_send(proc, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "processId": os.getpid(), "rootUri": workspace.as_uri(), "capabilities": {}}})
        lsp_send(proc, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
        metafile = workspace / "configs" / "mynet" / "metafile.yml"
        lsp_send(proc, {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
            "textDocument": {"uri": metafile.as_uri(), "languageId": "yaml", "version": 1,
                             "text": metafile.read_text()}}})
        diagnostics = lsp_diagnostics_of(proc, metafile.as_uri(), 90)
        assert "MMN203" in {d.get("code") for d in diagnostics}, diagnostics
    finally:
        proc.kill()
        proc.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port: int, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"code-server exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    pytest.fail(f"code-server not healthy after {timeout} s:\n{log.read_text()[-3000:]}")


def python_with_repo_server(folder: Path) -> Path:
    """An interpreter in which `import mmname_lsp` is this repository's server."""
    script = folder / "python-with-mmname"
    script.write_text(f'#!/bin/sh\nPYTHONPATH="{REPO}" exec "{sys.executable}" "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def bare_venv(folder: Path) -> Path:
    """A fresh virtual environment, without mmname-lsp or any of its dependencies."""
    venv = folder / "venv-without-mmname"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    python = venv / "bin" / "python"
    probe = subprocess.run([str(python), "-c", "import mmname_lsp"], capture_output=True,
                           env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
                           cwd=str(folder), timeout=60)
    assert probe.returncode != 0, "the fresh venv imports mmname_lsp"
    return python


def test_vscode_code_server(vscode_tools, vsix, server_env, tmp_path, artifacts):
    node24 = require_tool(vscode_tools["NODE24"])
    code_server = require_tool(vscode_tools["CODE_SERVER"])
    chromium = require_tool(vscode_tools["CHROMIUM"])
    playwright_core = require_tool(vscode_tools["PLAYWRIGHT_CORE"])

    workspace = tmp_path / "workspace"
    shutil.copytree(FIXTURE_WS, workspace)
    # A fork's own model with its metafile (YAML), next to the configs.
    shutil.copytree(FIXTURE_WS2 / "configs" / "mynet", workspace / "configs" / "mynet")
    user_data = tmp_path / "user-data"
    extensions = tmp_path / "extensions"
    (user_data / "User").mkdir(parents=True)
    settings_path = user_data / "User" / "settings.json"
    with_server = str(python_with_repo_server(tmp_path))
    settings = {**USER_SETTINGS, "mmname.server.interpreter": with_server}
    settings_path.write_text(json.dumps(settings, indent=2))
    bare_interpreter = str(bare_venv(tmp_path))
    missing_interpreter = str(tmp_path / "no-such-python")

    port = free_port()
    config = tmp_path / "code-server.yaml"
    config.write_text(f"bind-addr: 127.0.0.1:{port}\nauth: none\ncert: false\n")
    # No PYTHONPATH: only the interpreter chosen in the settings decides
    # whether an installed server exists.
    env: Dict[str, str] = client_home(
        tmp_path, {k: v for k, v in server_env.items() if k != "PYTHONPATH"}
    )
    env["PATH"] = f"{Path(node24).parent}{os.pathsep}{env['PATH']}"
    # No extension gallery: code-server would otherwise query one on the network.
    env["EXTENSIONS_GALLERY"] = "{}"
    base = [
        code_server,
        "--config",
        str(config),
        "--user-data-dir",
        str(user_data),
        "--extensions-dir",
        str(extensions),
    ]

    t0 = time.monotonic()
    inst = subprocess.run(
        base + ["--install-extension", str(vsix)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert inst.returncode == 0, inst.stdout + inst.stderr
    listed = subprocess.run(
        base + ["--list-extensions", "--show-versions"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert f"{EXTENSION_ID}@" in listed.stdout, listed.stdout + listed.stderr
    install_s = time.monotonic() - t0

    log = tmp_path / "code-server.log"
    with log.open("w") as log_file:
        server = subprocess.Popen(
            base + CODE_SERVER_FLAGS + [str(workspace)],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            cwd=str(tmp_path),  # not a checkout with an mmname_lsp folder in it
        )
    try:
        wait_healthy(port, server, log)
        driver_config = tmp_path / "driver.json"
        driver_config.write_text(
            json.dumps(
                {
                    "playwrightCore": playwright_core,
                    "chromium": chromium,
                    "url": f"http://127.0.0.1:{port}/?folder={workspace}",
                    "fileName": FIXTURE_CONFIG.name,
                    "metafileName": "metafile.yml",
                    "metafileHover": {"name": "mynet-tiny_8xb64_in1k", "token": "8xb64"},
                    "artifacts": str(artifacts),
                    "profile": str(tmp_path / "chromium-profile"),
                    "settingsPath": str(settings_path),
                    "bareInterpreter": bare_interpreter,
                    "missingInterpreter": missing_interpreter,
                }
            )
        )
        drive = subprocess.run(
            ["node", str(HERE / "vscode_driver.cjs"), str(driver_config)],
            env=env,
            capture_output=True,
            text=True,
            timeout=420,
            stdin=subprocess.DEVNULL,
        )
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(server.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            server.wait(timeout=20)
    shutil.copy(log, artifacts / "vscode-code-server.log")
    # The extension's own log (the "mmname" output channel).
    ext_logs = sorted(user_data.rglob("*mmname*.log"))
    ext_log = "\n".join(p.read_text(errors="replace") for p in ext_logs)
    (artifacts / "vscode-extension.log").write_text(ext_log)
    detail = (
        f"driver stderr:\n{drive.stderr[-3000:]}\ncode-server log:\n{log.read_text()[-3000:]}"
        f"\nextension log:\n{ext_log[-3000:]}"
    )
    lines = [line for line in drive.stdout.splitlines() if line.startswith("{")]
    assert lines, f"the driver printed no result (exit {drive.returncode})\n{detail}"
    result = json.loads(lines[-1])
    result["install_extension_s"] = round(install_s, 1)
    (artifacts / "vscode.json").write_text(json.dumps(result, indent=2))
    assert result["problems"] == [], f"{result['problems']}\n{detail}"
    assert drive.returncode == 0, detail
    assert result["blocked"] == [], f"requests off 127.0.0.1 were made: {result['blocked']}"

    # The settings reached the server without complaint (it would show a
    # warning for an unknown key such as the client-only mmname.server.*).
    assert not any("mmname" in t for t in result["toasts_at_start"]), result["toasts_at_start"]
    # Squiggles: errors (MMN101 on the file name) and warnings.
    assert "squiggly-error" in result["squiggles"] and "squiggly-warning" in result["squiggles"]
    problems = " | ".join(result["problems_panel"])
    for code in ("MMN101", "MMN102", "MMN103"):
        assert code in problems, problems
    assert "mmname" in problems, problems
    # Hover: the breakdown, with the hovered token in bold.
    assert HOVER_LINE in result["hover_text"], result["hover_text"]
    assert "8xb32" in result["hover_bold"], result["hover_bold"]
    # Completion inside the name.
    assert {"8xb32", "8xb64"} <= set(result["completion_after_underscore"])
    assert "coslr" in result["completion_after_dash_cos"]
    # The language status item: this repository's server, from the interpreter.
    version = mmname_lsp_version()
    environment = " | ".join(result["status_environment"])
    assert f"mmname-lsp {version} (environment)" in environment, environment
    assert sys.executable in environment or str(Path(sys.executable).resolve()) in environment
    assert "indexed" in environment or "indexing" in environment, environment
    # The metafile: squiggles, the name breakdown on hover, the status item.
    assert result["metafile_squiggles"], result
    assert "gpus-x-batch" in result["metafile_hover"], result["metafile_hover"]
    assert "8xb64" in result["metafile_hover"], result["metafile_hover"]
    assert any("mmname-lsp" in t for t in result["status_metafile"]), result["status_metafile"]
    # Unticking mmname.enable in the Settings editor cleared the squiggles.
    assert result["enable_before"] == "true"
    assert result["squiggles_after_disable"] == 0
    assert result["enable_after"] == "true"
    # A fresh venv without the server: the bundled copy runs, and works.
    assert result["settings_ui_before"] == with_server
    bundled = " | ".join(result["status_bundled"])
    assert f"mmname-lsp {version} (bundled)" in bundled, bundled
    assert "venv-without-mmname" in bundled, bundled
    assert result["bundled_squiggles"], result
    assert HOVER_LINE in result["bundled_hover"], result["bundled_hover"]
    assert "PYTHONPATH=" in ext_log and "bundled" in ext_log, ext_log[-3000:]
    # No interpreter where the setting points: a clear error.
    note = result["error_notification"]
    assert "no Python 3.9 or newer was found" in note["text"], note
    assert missing_interpreter in note["text"], note
    assert "Open settings" in note["buttons"], note
    saved = json.loads(settings_path.read_text())
    assert saved["mmname.server.interpreter"] == missing_interpreter
    for name in (
        "vscode-diagnostics.png",
        "vscode-hover.png",
        "vscode-completion-underscore.png",
        "vscode-completion-dash.png",
        "vscode-status-environment.png",
        "vscode-metafile.png",
        "vscode-status-bundled.png",
        "vscode-no-python.png",
    ):
        assert (artifacts / name).stat().st_size > 1000, name


def mmname_lsp_version() -> str:
    from mmname_lsp import __version__

    return __version__
