"""Emacs 28 + Eglot in batch mode, set up by editors/emacs/mmname.el."""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest

from tests.clients.conftest import FIXTURE_CONFIG, HERE, REPO, client_home, require_tool

pytestmark = pytest.mark.clients

HOVER_LINE = "**`8xb32`** — gpus-x-batch: 8 GPUs x 32 images per GPU"
SEVERITY_HINT = 4


# Eglot runs one server per buffer; editors/README.md shows how to put the
# multiplexer rassumfrassum (`rass`) in front of mmname-lsp and another
# Python server (here pylsp). With rass 0.3.5 hover comes from the first
# server only, so mmname-lsp goes first in this check.
RASS_COMMAND = "rass -- mmname-lsp --stdio -- pylsp"


@pytest.mark.parametrize("via", ["direct", "rass"])
def test_emacs_eglot(via, emacs_tools, server_env, tmp_path, artifacts):
    emacs = require_tool(emacs_tools["EMACS"])
    result_file = tmp_path / "result.json"
    env = client_home(tmp_path, server_env)
    if via == "rass":
        rass_bin = require_tool(emacs_tools["RASS_BIN"])
        env["PATH"] = f"{env['PATH']}{os.pathsep}{rass_bin}"
        env["MMNAME_SERVER_COMMAND"] = RASS_COMMAND
    home = tmp_path / "home"
    home.mkdir()
    env.update(
        HOME=str(home),  # a fresh ~/.emacs.d; Debian's elpa packages are system-wide
        MMNAME_REPO=str(REPO),
        MMNAME_FILE=str(FIXTURE_CONFIG),
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
    (artifacts / f"emacs-eglot-{via}.json").write_text(json.dumps(result, indent=2))
    assert result["pass"] is True, f"harness problems: {result['problems']}\n{detail}"
    assert proc.returncode == 0, detail
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
