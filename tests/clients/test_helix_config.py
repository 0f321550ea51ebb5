"""editors/helix/languages.toml, checked against the server's real CLI and
capabilities (Helix itself cannot be installed here: it is in none of the
registries this machine reaches)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Dict, List

import pytest

from mmname_lsp.server.__main__ import build_parser
from mmname_lsp.settings import parse_settings
from tests.clients.conftest import (
    FIXTURE_WS2,
    REPO,
    lsp_diagnostics_of,
    lsp_frame,
    lsp_read,
    lsp_send,
)

pytestmark = pytest.mark.clients
tomllib = pytest.importorskip("tomllib")  # Python 3.11+

LANGUAGES = REPO / "editors" / "helix" / "languages.toml"
# Helix's names for the features a server entry can be limited to (its book,
# "Configuring Language Servers for a language").
HELIX_FEATURES = {
    "format",
    "goto-definition",
    "goto-declaration",
    "goto-type-definition",
    "goto-reference",
    "goto-implementation",
    "signature-help",
    "hover",
    "document-highlight",
    "completion",
    "code-action",
    "workspace-command",
    "document-symbols",
    "workspace-symbols",
    "diagnostics",
    "rename-symbol",
    "inlay-hints",
}


@pytest.fixture(scope="module")
def config() -> dict:
    with LANGUAGES.open("rb") as f:
        return tomllib.load(f)


def server_entry(config: dict) -> dict:
    return config["language-server"]["mmname-lsp"]


def test_command_is_the_console_script(config):
    with (REPO / "pyproject.toml").open("rb") as f:
        scripts = tomllib.load(f)["project"]["scripts"]
    assert server_entry(config)["command"] == "mmname-lsp"
    assert scripts["mmname-lsp"] == "mmname_lsp.server.__main__:main"


def test_args_are_accepted_by_the_server_cli(config):
    args: List[str] = server_entry(config)["args"]
    parser = build_parser()
    # parse_args (not the server's lenient parse_known_args): an unknown
    # argument exits with status 2 and fails the test.
    ns = parser.parse_args(args)
    assert ns.stdio and not ns.tcp
    # ... and each is documented in the real `mmname-lsp --help`.
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from mmname_lsp.server.__main__ import main; sys.exit(main())",
            "--help",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=str(REPO),
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: mmname-lsp"), proc.stdout
    for arg in args:
        if arg.startswith("-"):
            assert re.search(rf"(^|\s){re.escape(arg)}\b", proc.stdout), (arg, proc.stdout)


def test_commented_venv_alternative_is_valid(config):
    text = LANGUAGES.read_text()
    m = re.search(r"^# args = (\[.*\])$", text, re.M)
    assert m, "the venv example is gone"
    alt = json.loads(m.group(1))
    assert alt[:2] == ["-m", "mmname_lsp"]
    ns = build_parser().parse_args(alt[2:])
    assert ns.stdio


# Helix's language names (its default languages.toml) of the files the
# server reads: configs, metafiles and model indexes, README model tables.
LANGUAGES_SERVED = ("python", "yaml", "markdown")


@pytest.mark.parametrize("name", LANGUAGES_SERVED)
def test_language_gets_mmname_as_an_extra_server(config, name):
    language = [lang for lang in config["language"] if lang["name"] == name]
    assert len(language) == 1
    entries = language[0]["language-servers"]
    ours = [e for e in entries if isinstance(e, dict) and e.get("name") == "mmname-lsp"]
    assert len(ours) == 1, entries
    features = ours[0]["only-features"]
    assert set(features) <= HELIX_FEATURES, features
    assert {"diagnostics", "hover", "completion"} <= set(features)
    # Another Python server stays in the list: mmname-lsp is a second server.
    assert any(e != ours[0] for e in entries)


def test_settings_are_valid_for_the_server(config):
    settings = server_entry(config)["config"]
    # workspace/configuration section "mmname" gets config.mmname ...
    parsed, errors = parse_settings(settings["mmname"])
    assert errors == [] and parsed.enable
    # ... and initializationOptions get the whole `config` table.
    parsed, errors = parse_settings(settings)
    assert errors == []


def test_roots_of_yaml_and_markdown_mark_an_openmmlab_project(config):
    for lang in config["language"]:
        if lang["name"] in ("yaml", "markdown"):
            assert "model-index.yml" in lang["roots"], lang


def _start_as_helix(entry: dict, env: Dict[str, str], root: Path) -> subprocess.Popen:
    """The server, started as Helix starts it (command + args, stdio), and
    sent `initialize` for ``root`` with the entry's `config`."""
    proc = subprocess.Popen(
        [entry["command"], *entry["args"]],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=str(root),
    )
    lsp_send(proc, {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "processId": os.getpid(),
            "rootUri": Path(root).as_uri(),
            "capabilities": {},
            "initializationOptions": entry["config"],
        },
    })
    return proc


@pytest.mark.parametrize(
    "language,path,code",
    [
        ("yaml", "configs/mynet/metafile.yml", "MMN203"),
        ("markdown", "configs/resnet/README.md", "MMN210"),
    ],
)
def test_server_reports_on_the_yaml_and_markdown_helix_sends(
    config, server_env, tmp_path, language, path, code
):
    """Started as Helix starts it, the server reports on a metafile sent as
    languageId yaml and on a README sent as markdown."""
    workspace = tmp_path / "ws"
    shutil.copytree(FIXTURE_WS2, workspace)
    proc = _start_as_helix(server_entry(config), server_env, workspace)
    try:
        lsp_send(proc, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
        file = workspace / path
        uri = file.as_uri()
        lsp_send(proc, {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {"textDocument": {
                "uri": uri, "languageId": language, "version": 1, "text": file.read_text(),
            }},
        })
        diagnostics = lsp_diagnostics_of(proc, uri, 60)
        assert code in {d.get("code") for d in diagnostics}, diagnostics
    finally:
        proc.kill()
        proc.wait()


def test_server_offers_the_features_helix_is_told_to_use(config, server_env):
    """Start the server exactly as Helix would (command + args, stdio) and
    check that it announces hover and completion."""
    proc = _start_as_helix(server_entry(config), server_env, REPO)
    try:
        response = None

        def read():
            nonlocal response
            while True:
                msg = lsp_read(proc.stdout)
                if msg.get("id") == 1:
                    response = msg
                    return

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(30)
        assert response is not None, "no answer to initialize within 30 s"
        caps = response["result"]["capabilities"]
        assert caps.get("hoverProvider"), caps
        assert caps.get("completionProvider"), caps
        for message in (
            {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
            {"jsonrpc": "2.0", "method": "exit"},
        ):
            proc.stdin.write(lsp_frame(message))
            proc.stdin.flush()
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
