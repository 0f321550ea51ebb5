"""`[tool.mmname]` in pyproject.toml, read by the language server per file
(the nearest project above it), under the editor's settings; re-read when a
pyproject.toml changes; a bad one reported once.  Real server over stdio, a
temporary workspace per test."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.e2e.conftest import PRESETS, SERVER, TIMEOUT, is_pull, open_doc
from tests.e2e.test_workspace import (
    Ws,
    codes_of,
    diagnostics_of_open,
    has,
    lacks,
    start,
    wait_report,
)

# MMN102 (a typo, warning), MMN101 (8x32, error) and MMN202 (not a zoo model, warning).
DOC = "load_from = 'resnet50_8xb32-colsr_in1k'\nget_model('resnet50_8x32_in1k')\n"
SEVERITY = {
    types.DiagnosticSeverity.Error: "error",
    types.DiagnosticSeverity.Warning: "warning",
    types.DiagnosticSeverity.Information: "information",
    types.DiagnosticSeverity.Hint: "hint",
}
# What VS Code sends for the section when the user set one severity: every
# other key with its default.
VSCODE_SECTION = {
    "enable": True,
    "severity": {"MMN101": "error"},
    "extraTokens": {},
    "sources": ["filename", "base", "base_import", "checkpoint", "model_api", "literal"],
    "configGlobs": [],
    "workspaceDiagnostics": True,
    "trace": {"server": "off"},
    "server": {"path": "", "interpreter": ""},
}


def graded(diags) -> Set[Tuple[str, str]]:
    return {(str(d.code), SEVERITY[d.severity]) for d in diags}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def cli_findings(root: Path) -> Dict[str, Set[Tuple[str, str]]]:
    """What `mmname check` reports per file (relative path) in ``root``."""
    proc = subprocess.run(
        [sys.executable, "-m", "mmname_lsp.cli", "check", "--format", "json", "--no-cache",
         "--min-severity", "hint", "."],
        cwd=root, capture_output=True, text=True, timeout=60)
    assert proc.returncode in (0, 1), proc.stderr
    out: Dict[str, Set[Tuple[str, str]]] = {}
    for f in json.loads(proc.stdout):
        out.setdefault(f["path"], set()).add((f["code"], f["severity"]))
    return out


@pytest_lsp.fixture(params=PRESETS, config=ClientServerConfig(server_command=SERVER))
async def lsp(request, lsp_client: LanguageClient):
    """A client not yet initialized: each test lays out its workspace first."""
    lsp_client.mmname_preset = request.param
    yield
    if getattr(lsp_client, "mmname_started", False):
        await asyncio.wait_for(lsp_client.shutdown_session(), TIMEOUT)


async def begin(client: LanguageClient, root: Path) -> Ws:
    client.mmname_started = True
    return await start(client, client.mmname_preset, root)


async def open_diags(ws: Ws, rel: str, text: str = DOC) -> List[types.Diagnostic]:
    return await open_doc(ws.client, ws.uri(rel), text)


def watched(ws: Ws, path: Path, kind=types.FileChangeType.Changed) -> None:
    ws.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=path.as_uri(), type=kind)]))


async def test_pyproject_regrades_and_ignores_as_the_cli_does(lsp: LanguageClient,
                                                               tmp_path: Path):
    root = tmp_path / "ws"
    write(root / "pyproject.toml",
          '[tool.mmname]\nseverity = {MMN101 = "warning"}\nignore = ["MMN202"]\n')
    write(root / "a.py", DOC)
    ws = await begin(lsp, root)
    editor = graded(await open_diags(ws, "a.py"))
    assert editor == {("MMN101", "warning"), ("MMN102", "warning")}
    assert editor == cli_findings(root)["a.py"]


async def test_the_editors_settings_win_only_where_set(lsp: LanguageClient, tmp_path: Path):
    root = tmp_path / "ws"
    write(root / "pyproject.toml",
          '[tool.mmname]\nenable = true\nseverity = {MMN101 = "hint", MMN102 = "off"}\n'
          'ignore = ["MMN202"]\n')
    # The whole section with defaults, as VS Code sends it: only the severity
    # of MMN101 was set by the user.
    lsp.set_configuration(VSCODE_SECTION, section="mmname")
    ws = await begin(lsp, root)
    # MMN101 from the editor, MMN102 still off and MMN202 still ignored.
    assert graded(await open_diags(ws, "a.py")) == {("MMN101", "error")}
    # `enable: false` differs from the default: the editor's word wins.
    lsp.set_configuration({**VSCODE_SECTION, "enable": False}, section="mmname")
    lsp.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    assert await diagnostics_of_open(ws, "a.py", lambda d: not d) == []


async def test_exclude_hides_open_documents_and_indexed_files(lsp: LanguageClient,
                                                               tmp_path: Path):
    root = tmp_path / "ws"
    write(root / "pyproject.toml", '[tool.mmname]\nexclude = ["legacy/"]\n')
    write(root / "legacy" / "configs" / "resnet50_8x32_in1k.py", "x = 1\n")
    write(root / "configs" / "resnet50_8x32_in1k.py", "x = 1\n")
    write(root / "legacy" / "old.py", DOC)
    write(root / "new.py", DOC)
    ws = await begin(lsp, root)
    assert await open_diags(ws, "legacy/old.py") == []
    assert "MMN101" in codes_of(await open_diags(ws, "new.py"))
    if is_pull(lsp):  # a closed file without findings is never pushed: pull to see it
        await wait_report(ws, ws.uri("configs/resnet50_8x32_in1k.py"), has("MMN101"))
        got = await wait_report(ws, ws.uri("legacy/configs/resnet50_8x32_in1k.py"),
                                lambda d: True)
        assert got == []
    # The same files as `mmname check`.
    assert set(cli_findings(root)) == {"configs/resnet50_8x32_in1k.py", "new.py"}


async def test_editing_pyproject_republishes_open_and_indexed_files(lsp: LanguageClient,
                                                                    tmp_path: Path):
    root = tmp_path / "ws"
    project = write(root / "pyproject.toml", "[tool.mmname]\n")
    write(root / "configs" / "resnet50_8x32_in1k.py", "x = 1\n")
    ws = await begin(lsp, root)
    assert "MMN102" in codes_of(await open_diags(ws, "a.py"))
    closed = ws.uri("configs/resnet50_8x32_in1k.py")
    await wait_report(ws, closed, has("MMN101"))
    write(project, '[tool.mmname]\nseverity = {MMN102 = "off"}\nselect = ["MMN2"]\n')
    watched(ws, project)
    # select MMN2 keeps MMN202 only; the closed config's MMN101 goes too.
    got = await diagnostics_of_open(ws, "a.py", lambda d: codes_of(d) == ["MMN202"])
    assert codes_of(got) == ["MMN202"]
    await wait_report(ws, closed, lacks("MMN101"))
    # Deleting the pyproject.toml brings the defaults back.
    project.unlink()
    watched(ws, project, types.FileChangeType.Deleted)
    got = await diagnostics_of_open(ws, "a.py", has("MMN102"))
    assert codes_of(got) == ["MMN101", "MMN102", "MMN202"]
    await wait_report(ws, closed, has("MMN101"))


async def test_a_nested_project_has_its_own_settings(lsp: LanguageClient, tmp_path: Path):
    root = tmp_path / "ws"
    write(root / "pyproject.toml", '[tool.mmname]\nseverity = {MMN102 = "off"}\n')
    # No inheritance between tables (as the CLI): MMN102 is on again in sub/.
    write(root / "sub" / "pyproject.toml", '[tool.mmname]\nseverity = {MMN101 = "hint"}\n')
    # A pyproject.toml without the table is passed over.
    write(root / "sub" / "plain" / "pyproject.toml", "[project]\nname = 'x'\n")
    ws = await begin(lsp, root)
    assert graded(await open_diags(ws, "a.py")) == {("MMN101", "error"), ("MMN202", "warning")}
    assert graded(await open_diags(ws, "sub/b.py")) == {
        ("MMN101", "hint"), ("MMN102", "warning"), ("MMN202", "warning")}
    assert graded(await open_diags(ws, "sub/plain/c.py")) == {
        ("MMN101", "hint"), ("MMN102", "warning"), ("MMN202", "warning")}


def config_warnings(client: LanguageClient) -> List[str]:
    return [m.message for m in client.messages
            if m.type == types.MessageType.Warning and "configuration error" in m.message]


async def test_a_bad_pyproject_is_reported_once_and_defaults_apply(lsp: LanguageClient,
                                                                   tmp_path: Path):
    root = tmp_path / "ws"
    project = write(root / "pyproject.toml",
                    '[tool.mmname]\ncolour = "red"\nseverity = {MMN102 = "off"}\n')
    write(root / "configs" / "resnet50_8x32_in1k.py", "x = 1\n")
    ws = await begin(lsp, root)
    # Defaults for that project: MMN102 is not turned off by the bad table.
    assert "MMN102" in codes_of(await open_diags(ws, "a.py"))
    assert "MMN102" in codes_of(await open_diags(ws, "sub/b.py"))
    for version in range(2, 5):  # keystrokes
        ws.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=ws.uri("a.py"),
                                                                version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(
                text=DOC + "#" * version + "\n")]))
        await diagnostics_of_open(ws, "a.py", has("MMN102"))
    warnings = config_warnings(lsp)
    assert len(warnings) == 1, warnings
    assert "tool.mmname.colour" in warnings[0] and str(project) in warnings[0]

    # The same error after an edit of the file: nothing new.
    write(project, '[tool.mmname]\ncolour = "red"\n')
    watched(ws, project)
    await diagnostics_of_open(ws, "a.py", has("MMN102"))
    assert "MMN102" in codes_of(await open_diags(ws, "c.py"))
    assert len(config_warnings(lsp)) == 1

    # A different error: one more message.
    write(project, '[tool.mmname]\nseverity = {MMN102 = "loud"}\n')
    watched(ws, project)

    async def second() -> None:
        while len(config_warnings(lsp)) < 2:
            await lsp.wait_for_notification(types.WINDOW_SHOW_MESSAGE)

    await asyncio.wait_for(second(), TIMEOUT)
    assert "MMN102" in config_warnings(lsp)[1]
    assert "MMN102" in codes_of(await open_diags(ws, "d.py"))
    assert len(config_warnings(lsp)) == 2

    # Fixed: the table applies.
    write(project, '[tool.mmname]\nseverity = {MMN102 = "off"}\n')
    watched(ws, project)
    await diagnostics_of_open(ws, "a.py", lacks("MMN102"))
    assert len(config_warnings(lsp)) == 2
