"""Emacs 28 + Eglot in batch mode, set up by editors/emacs/mmname.el: Python
configs, and an OpenMMLab metafile in yaml-mode."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Dict, Tuple

import pytest

from tests.clients.conftest import (
    FIXTURE_CONFIG,
    FIXTURE_WS2,
    HERE,
    REPO,
    client_home,
    require_tool,
)

pytestmark = pytest.mark.clients

HOVER_LINE = "**`8xb32`** — gpus-x-batch: 8 GPUs x 32 images per GPU"
SEVERITY_HINT = 4


# Eglot runs one server per buffer; editors/README.md shows how to put the
# multiplexer rassumfrassum (`rass`) in front of mmname-lsp and another
# Python server (here pylsp). With rass 0.3.5 hover comes from the first
# server only, so mmname-lsp goes first in this check.
RASS_COMMAND = "rass -- mmname-lsp --stdio -- pylsp"


def run_emacs(emacs: str, env: Dict[str, str], tmp_path: Path, file: Path) -> Tuple[dict, str]:
    result_file = tmp_path / "result.json"
    home = tmp_path / "home"
    home.mkdir()
    env.update(
        HOME=str(home),  # a fresh ~/.emacs.d; Debian's elpa packages are system-wide
        MMNAME_REPO=str(REPO),
        MMNAME_FILE=str(file),
        MMNAME_RESULT=str(result_file),
    )
    t0 = time.monotonic()
    proc = subprocess.run(
        [emacs, "--batch", "-l", str(HERE / "emacs_harness.el")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    took = time.monotonic() - t0
    detail = (
        f"emacs exit {proc.returncode} after {took:.1f} s\n"
        f"stdout: {proc.stdout[-2000:]}\nstderr: {proc.stderr[-3000:]}"
    )
    assert result_file.exists(), f"the harness wrote no result\n{detail}"
    result = json.loads(result_file.read_text())
    assert result["pass"] is True, f"harness problems: {result['problems']}\n{detail}"
    assert proc.returncode == 0, detail
    return result, detail


@pytest.mark.parametrize("via", ["direct", "rass"])
def test_emacs_eglot(via, emacs_tools, server_env, tmp_path, artifacts):
    emacs = require_tool(emacs_tools["EMACS"])
    env = client_home(tmp_path, server_env)
    if via == "rass":
        rass_bin = require_tool(emacs_tools["RASS_BIN"])
        env["PATH"] = f"{env['PATH']}{os.pathsep}{rass_bin}"
        env["MMNAME_SERVER_COMMAND"] = RASS_COMMAND
    result, _ = run_emacs(emacs, env, tmp_path, FIXTURE_CONFIG)
    (artifacts / f"emacs-eglot-{via}.json").write_text(json.dumps(result, indent=2))
    assert result["emacs"].startswith("28."), result["emacs"]
    assert result["major_mode"] == "python-mode"
    # Eglot took the server from mmname.el's entry in eglot-server-programs.
    command = RASS_COMMAND.split() if via == "rass" else ["mmname-lsp", "--stdio"]
    expected = "(" + " ".join(f'"{w}"' for w in command) + " :initializationOptions"
    assert result["contact"].startswith(expected), result["contact"]
    diags = {(d["line"], d["code"]): d for d in result["diagnostics"]}
    assert {(0, "MMN101"), (0, "MMN102"), (7, "MMN102"), (7, "MMN103")} <= set(diags), diags
    # mmname-settings (sent as initializationOptions) made MMN103 a hint.
    assert diags[(7, "MMN103")]["severity"] == SEVERITY_HINT
    assert diags[(7, "MMN102")]["severity"] != SEVERITY_HINT
    # Flymake shows them in the buffer.
    assert any("MMN101" in text for text in result["flymake"]), result["flymake"]
    assert HOVER_LINE in result["hover"], result["hover"]
    assert {"8xb32", "8xb64"} <= set(result["completion_after_underscore"])
    assert {"coslr", "amp"} <= set(result["completion_after_dash"])


def test_emacs_eglot_metafile(emacs_tools, server_env, tmp_path, artifacts):
    """A metafile in yaml-mode: `mmname-eglot-ensure` (the yaml-mode hook of
    editors/README.md) starts mmname-lsp for it."""
    emacs = require_tool(emacs_tools["EMACS"])
    workspace = tmp_path / "ws"
    shutil.copytree(FIXTURE_WS2, workspace)
    env = client_home(tmp_path, server_env)
    env.update(
        MMNAME_CHECK="metafile",
        MMNAME_HOVER_NAME="mynet-tiny_8xb64-300e_in1k",
        MMNAME_HOVER_TOKEN="300e",
    )
    metafile = workspace / "configs" / "mynet" / "metafile.yml"
    result, _ = run_emacs(emacs, env, tmp_path, metafile)
    (artifacts / "emacs-eglot-metafile.json").write_text(json.dumps(result, indent=2))
    assert result["major_mode"] == "yaml-mode", result["major_mode"]
    assert result["server_command"][:2] == ["mmname-lsp", "--stdio"], result["server_command"]
    codes = {d["code"] for d in result["diagnostics"]}
    assert {"MMN203", "MMN204"} <= codes, result["diagnostics"]
    assert "300e" in result["hover"], result["hover"]
