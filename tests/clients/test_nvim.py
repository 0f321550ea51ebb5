"""Headless Neovim with the configs shipped in editors/nvim/: Debian's 0.7.2
(the 0.7 snippet) and 0.11 from PyPI (lsp/mmname.lua, and the 0.8-0.10
snippet, which 0.11 also runs). Python configs, and an OpenMMLab metafile
(YAML): every config attaches the server to both."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Dict, Optional

import pytest

from tests.clients.conftest import (
    FIXTURE_CONFIG,
    FIXTURE_WS2,
    HERE,
    REPO,
    client_home,
    require_tool,
    skip_unless_installed,
)

pytestmark = pytest.mark.clients

HOVER_LINE = "**`8xb32`** — gpus-x-batch: 8 GPUs x 32 images per GPU"
SEVERITY_HINT = 4  # vim.diagnostic.severity.HINT


def run_nvim(
    nvim: str,
    setup: str,
    tmp_path: Path,
    env: Dict[str, str],
    file: Path = FIXTURE_CONFIG,
    cwd: Optional[Path] = None,
    extra: Optional[Dict[str, str]] = None,
) -> dict:
    result_file = tmp_path / "result.json"
    env = client_home(tmp_path, env)
    env.update(
        MMNAME_REPO=str(REPO),
        MMNAME_NVIM_SETUP=setup,
        MMNAME_RESULT=str(result_file),
        **(extra or {}),
    )
    t0 = time.monotonic()
    proc = subprocess.run(
        [
            nvim,
            "--headless",
            "-i",
            "NONE",
            "-u",
            str(HERE / "nvim_harness.lua"),
            str(file),
        ],
        env=env,
        cwd=str(cwd or file.parent),
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    took = time.monotonic() - t0
    lsp_log = next(Path(env["XDG_STATE_HOME"]).rglob("lsp.log"), None)
    detail = (
        f"nvim exit {proc.returncode} after {took:.1f} s\nstdout: {proc.stdout[-2000:]}\n"
        f"stderr: {proc.stderr[-2000:]}\n"
        f"lsp.log: {lsp_log.read_text()[-3000:] if lsp_log else '(none)'}"
    )
    assert result_file.exists(), f"the harness wrote no result\n{detail}"
    result = json.loads(result_file.read_text())
    result["_detail"] = detail
    result["_seconds"] = took
    return result


def check_common(result: dict, expect_version: str) -> None:
    detail = result.pop("_detail")
    assert result["nvim"].startswith(expect_version), result["nvim"]
    assert result.get("pass") is True, f"harness problems: {result['problems']}\n{detail}"
    assert result["filetype"] == "python"
    assert result["clients"] == ["mmname"]
    codes = {(d["lnum"], d["code"]) for d in result["diagnostics"]}
    # The file name (line 0) and the name literal in load_from (line 7).
    assert {(0, "MMN101"), (0, "MMN102"), (7, "MMN102"), (7, "MMN103")} <= codes, codes
    assert any("8xb32" in d["message"] for d in result["diagnostics"] if d["code"] == "MMN101")
    assert HOVER_LINE in result["hover"], result["hover"]
    assert "| **training** | **`8xb32`** |" in result["hover"]
    assert {"8xb32", "8xb64"} <= set(result["completion_after_underscore"])
    assert {"coslr", "amp"} <= set(result["completion_after_dash"])
    # The harness added severity MMN103=hint to the shipped config's settings:
    # the server got it (and only that rule changed).
    severities = {d["code"]: d["severity"] for d in result["diagnostics"] if d["lnum"] == 7}
    assert severities["MMN103"] == SEVERITY_HINT, severities
    assert severities["MMN102"] != SEVERITY_HINT, severities


@pytest.mark.parametrize("setup", ["lsp", "snippet-0.8"])
def test_nvim_011(setup, nvim_tools, server_env, tmp_path, artifacts):
    nvim = require_tool(nvim_tools["NVIM011"])
    result = run_nvim(nvim, setup, tmp_path, server_env)
    (artifacts / f"nvim-0.11-{setup}.json").write_text(json.dumps(result, indent=2))
    check_common(result, "0.11.")
    # 0.11 answers the server's workspace/configuration from `settings`.
    answers = result["config_answers"]
    assert answers and all(isinstance(a, list) for a in answers), answers
    first = answers[0][0]
    assert first["enable"] is True and "literal" in first["sources"], first
    assert first["severity"] == {"MMN103": "hint"}, first


def test_nvim_07(nvim_tools, server_env, tmp_path, artifacts):
    nvim = skip_unless_installed(nvim_tools, "NVIM07")
    result = run_nvim(nvim, "snippet-0.7", tmp_path, server_env)
    (artifacts / "nvim-0.7-snippet-0.7.json").write_text(json.dumps(result, indent=2))
    check_common(result, "0.7.")
    # 0.7 does not offer workspace/configuration; the snippet's on_init sends
    # the settings with workspace/didChangeConfiguration instead.
    assert result["config_answers"] == []
    sent = result["sent_settings"]
    assert len(sent) == 1, sent
    assert sent[0]["mmname"]["enable"] is True
    assert sent[0]["mmname"]["severity"] == {"MMN103": "hint"}


# The fork's own metafile: model entries whose names disagree with their
# metadata (epochs, batch size) and with the configs they point to.
METAFILE = Path("configs") / "mynet" / "metafile.yml"


@pytest.mark.parametrize(
    "version,setup",
    [("0.11.", "lsp"), ("0.11.", "snippet-0.8"), ("0.7.", "snippet-0.7")],
)
def test_nvim_metafile(version, setup, nvim_tools, server_env, tmp_path, artifacts):
    """A metafile.yml (filetype yaml) gets the server: its diagnostics and hover."""
    nvim = skip_unless_installed(nvim_tools, "NVIM011" if version == "0.11." else "NVIM07")
    workspace = tmp_path / "ws"
    shutil.copytree(FIXTURE_WS2, workspace)
    result = run_nvim(
        nvim,
        setup,
        tmp_path,
        server_env,
        file=workspace / METAFILE,
        cwd=workspace,
        extra={
            "MMNAME_NVIM_CHECK": "metafile",
            "MMNAME_HOVER_NAME": "mynet-tiny_8xb64-300e_in1k",
            "MMNAME_HOVER_TOKEN": "300e",
        },
    )
    name = f"nvim-{version}{setup}-metafile.json".replace("..", ".")
    (artifacts / name).write_text(json.dumps(result, indent=2))
    detail = result.pop("_detail")
    assert result["nvim"].startswith(version), result["nvim"]
    assert result.get("pass") is True, f"harness problems: {result['problems']}\n{detail}"
    assert result["filetype"] == "yaml"
    assert result["clients"] == ["mmname"], detail
    codes = {d["code"] for d in result["diagnostics"]}
    # `300e` against `Epochs: 100`, `8xb64` against `Batch Size: 256`.
    assert {"MMN203", "MMN204"} <= codes, result["diagnostics"]
    lines = (workspace / METAFILE).read_text().splitlines()
    epochs = next(d for d in result["diagnostics"] if d["code"] == "MMN203")
    assert "300e" in lines[epochs["lnum"]], (epochs, lines[epochs["lnum"]])
    assert "300e" in result["hover"], result["hover"]
