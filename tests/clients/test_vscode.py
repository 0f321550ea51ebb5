"""VS Code for real: code-server with the .vsix built by editors/vscode/build.sh
installed offline, driven by Debian's chromium through playwright-core
(tests/clients/vscode_driver.cjs). Everything listens on 127.0.0.1; the
browser aborts every request to anywhere else."""

from __future__ import annotations

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
from pathlib import Path
from typing import Dict

import pytest

from tests.clients.conftest import (
    FIXTURE_CONFIG,
    FIXTURE_WS,
    HERE,
    REPO,
    client_home,
    require_tool,
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
def vsix(vscode_tools) -> Path:
    """The extension, built and packaged by the one script users run too
    ($MMNAME_TEST_VSIX names an already built one, to iterate faster)."""
    prebuilt = os.environ.get("MMNAME_TEST_VSIX")
    if prebuilt:
        return Path(prebuilt)
    t0 = time.monotonic()
    proc = subprocess.run(
        ["bash", str(BUILD)],
        capture_output=True,
        text=True,
        timeout=900,
        stdin=subprocess.DEVNULL,
    )
    if proc.returncode != 0:
        log = (proc.stdout + proc.stderr)[-4000:]
        ping = subprocess.run(["npm", "ping"], capture_output=True, timeout=120)
        if ping.returncode != 0:
            pytest.skip(f"the npm registry is unreachable, cannot build the extension:\n{log}")
        pytest.fail(
            f"editors/vscode/build.sh failed (exit {proc.returncode}):\n{log}", pytrace=False
        )
    print(f"\nbuild.sh: {time.monotonic() - t0:.1f} s", file=sys.stderr)
    path = Path(proc.stdout.strip().splitlines()[-1])
    assert path.suffix == ".vsix" and path.is_file(), proc.stdout
    return path


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


def python_without_server(folder: Path) -> Path:
    """An interpreter in which `import mmname_lsp` fails (isolated, no site)."""
    script = folder / "python-without-mmname"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -I -S "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_vscode_code_server(vscode_tools, vsix, server_env, tmp_path, artifacts):
    node24 = require_tool(vscode_tools["NODE24"])
    code_server = require_tool(vscode_tools["CODE_SERVER"])
    chromium = require_tool(vscode_tools["CHROMIUM"])
    playwright_core = require_tool(vscode_tools["PLAYWRIGHT_CORE"])

    workspace = tmp_path / "workspace"
    shutil.copytree(FIXTURE_WS, workspace)
    user_data = tmp_path / "user-data"
    extensions = tmp_path / "extensions"
    (user_data / "User").mkdir(parents=True)
    settings_path = user_data / "User" / "settings.json"
    settings = {**USER_SETTINGS, "mmname.server.interpreter": sys.executable}
    settings_path.write_text(json.dumps(settings, indent=2))
    broken_interpreter = str(python_without_server(tmp_path))

    port = free_port()
    config = tmp_path / "code-server.yaml"
    config.write_text(f"bind-addr: 127.0.0.1:{port}\nauth: none\ncert: false\n")
    env: Dict[str, str] = client_home(tmp_path, server_env)
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
                    "artifacts": str(artifacts),
                    "profile": str(tmp_path / "chromium-profile"),
                    "brokenInterpreter": broken_interpreter,
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
    detail = f"driver stderr:\n{drive.stderr[-3000:]}\ncode-server log:\n{log.read_text()[-3000:]}"
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
    # Unticking mmname.enable in the Settings editor cleared the squiggles.
    assert result["enable_before"] == "true"
    assert result["squiggles_after_disable"] == 0
    # A Python without the server: a clear error with the install command.
    note = result["error_notification"]
    assert "pip install mmname-lsp" in note["text"], note
    assert "not installed" in note["text"], note
    assert "Copy install command" in note["buttons"], note
    assert result["settings_ui_before"] == sys.executable
    saved = json.loads(settings_path.read_text())
    assert saved["mmname.server.interpreter"] == broken_interpreter
    for name in (
        "vscode-diagnostics.png",
        "vscode-hover.png",
        "vscode-completion-underscore.png",
        "vscode-completion-dash.png",
        "vscode-not-installed.png",
    ):
        assert (artifacts / name).stat().st_size > 1000, name
