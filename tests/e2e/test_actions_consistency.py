"""Code actions (fixes, rename, suppressions, fixAll) and name/content consistency, end to end."""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.e2e.conftest import (
    FIXTURES,
    SERVER,
    TIMEOUT,
    encoding_of,
    init_params,
    open_doc,
    pull,
    text_at,
)

CONSISTENCY = FIXTURES.parent / "consistency"


def pos(line: int, char: int) -> types.Position:
    return types.Position(line=line, character=char)


async def actions(client, uri, rng, diags, only=None):
    result = await asyncio.wait_for(
        client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=rng,
            context=types.CodeActionContext(diagnostics=diags, only=only),
        )),
        TIMEOUT,
    )
    return result or []


def apply(text: str, edit: types.WorkspaceEdit, uri: str, encoding: str) -> str:
    """Apply the text edits of ``uri`` in a workspace edit (from the end backwards)."""
    edits = []
    for change in edit.document_changes or []:
        if isinstance(change, types.TextDocumentEdit) and change.text_document.uri == uri:
            edits.extend(change.edits)
    for e in (edit.changes or {}).get(uri, []):
        edits.append(e)
    lines = text.splitlines(keepends=True)

    def off(p: types.Position) -> int:
        before = "".join(lines[: p.line])
        line = lines[p.line] if p.line < len(lines) else ""
        covered = text_at(line, types.Range(start=pos(0, 0), end=pos(0, p.character)), encoding)
        return len(before) + len(covered)

    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character),
                    reverse=True):
        a, b = off(e.range.start), off(e.range.end)
        text = text[:a] + e.new_text + text[b:]
    return text


async def test_quick_fixes_on_a_literal(client: LanguageClient, tmp_path: Path):
    line = "x = '名前'; load_from = 'resnet50_b32x8_in1k'"
    text = line + "\n"
    uri = (tmp_path / "fix.py").as_uri()
    diags = await open_doc(client, uri, text)
    (diag,) = [d for d in diags if d.code == "MMN101"]
    enc = encoding_of(client)
    acts = await actions(client, uri, diag.range, [diag])
    titles = [a.title for a in acts]
    assert titles[0] == "Replace `b32x8` with `8xb32`"
    assert acts[0].is_preferred and acts[0].kind == types.CodeActionKind.QuickFix
    assert apply(text, acts[0].edit, uri, enc) == line.replace("b32x8", "8xb32") + "\n"
    line_off = next(a for a in acts if a.title == "Disable MMN101 for this line")
    assert apply(text, line_off.edit, uri, enc) == line + "  # mmname: disable=MMN101\n"
    file_off = next(a for a in acts if a.title == "Disable MMN101 for this file")
    disabled = apply(text, file_off.edit, uri, enc)
    assert disabled == "# mmname: disable-file=MMN101\n" + text

    # The suppressed text has no MMN101 any more.
    other = (tmp_path / "fixed.py").as_uri()
    assert [d.code for d in await open_doc(client, other, disabled)] == []


async def test_fix_all_applies_safe_fixes_only(client: LanguageClient, tmp_path: Path):
    text = (
        "a = 'resnet50_b32x8_imagenet'\n"
        "b = 'swin-base_16xb64_in1k-384'\n"
        "c = 'resnet50_8xb32-colsr_in1k'\n"  # a typo fix is a guess: not applied
    )
    uri = (tmp_path / "all.py").as_uri()
    await open_doc(client, uri, text)
    acts = await actions(client, uri, types.Range(start=pos(0, 0), end=pos(0, 0)), [],
                         only=["source.fixAll.mmname"])
    (fix_all,) = acts
    fixed = apply(text, fix_all.edit, uri, encoding_of(client))
    assert fixed == (
        "a = 'resnet50_8xb32_in1k'\n"
        "b = 'swin-base_16xb64_in1k-384px'\n"
        "c = 'resnet50_8xb32-colsr_in1k'\n"
    )


@pytest_lsp.fixture(
    params=["visual-studio-code", "neovim"],
    config=ClientServerConfig(server_command=SERVER),
)
async def tmp_client(request, lsp_client: LanguageClient, tmp_path_factory):
    """A client whose workspace is a fresh temporary folder (tests may write there)."""
    root = tmp_path_factory.mktemp("ws")
    lsp_client.tmp_root = root
    await asyncio.wait_for(
        lsp_client.initialize_session(init_params(request.param, root=root)), TIMEOUT
    )
    yield
    await asyncio.wait_for(lsp_client.shutdown_session(), TIMEOUT)


async def test_rename_config_file_updates_base_references(tmp_client: LanguageClient):
    client = tmp_client
    cfg_dir = client.tmp_root / "configs" / "resnet"
    cfg_dir.mkdir(parents=True)
    child = cfg_dir / "child_8xb32_in1k.py"
    bad = cfg_dir / "resnet50_b32x8_in1k.py"
    bad.write_text("model = dict()\n")
    child.write_text("_base_ = ['./resnet50_b32x8_in1k.py']\n")
    await open_doc(client, child.as_uri(), child.read_text())
    diags = await open_doc(client, bad.as_uri(), bad.read_text())
    (diag,) = [d for d in diags if d.code == "MMN101"]
    acts = await actions(client, bad.as_uri(), diag.range, [diag])
    rename = next(a for a in acts if a.title.startswith("Rename file"))
    assert rename.title == "Rename file to `resnet50_8xb32_in1k.py`"
    ops = rename.edit.document_changes
    assert isinstance(ops[0], types.RenameFile)
    assert ops[0].old_uri == bad.as_uri()
    assert ops[0].new_uri == (cfg_dir / "resnet50_8xb32_in1k.py").as_uri()
    child_edit = next(o for o in ops if isinstance(o, types.TextDocumentEdit))
    assert child_edit.text_document.uri == child.as_uri()
    assert apply(child.read_text(), rename.edit, child.as_uri(), encoding_of(client)) == (
        "_base_ = ['./resnet50_8xb32_in1k.py']\n"
    )


async def test_consistency_diagnostic_hover_and_go_to_setting(client: LanguageClient):
    path = CONSISTENCY / "contradict" / "resnet101_8xb32_in1k.py"
    diags = await open_doc(client, path.as_uri(), path.read_text())
    (diag,) = [d for d in diags if d.code == "MMN310"]
    assert diag.range.start == pos(0, 0)
    assert "depth 101" in diag.message and "depth = 50" in diag.message
    (rel,) = diag.related_information
    base = CONSISTENCY / "_base_" / "model_resnet50.py"
    assert rel.location.uri == base.as_uri()
    base_line = base.read_text().splitlines()[rel.location.range.start.line]
    assert "depth=50" in base_line
    assert rel.message == "model.backbone.depth = 50"

    hover = await asyncio.wait_for(client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=path.as_uri()), position=pos(0, 3))),
        TIMEOUT)
    value = hover.contents.value
    assert "**What the config says**" in value
    assert "`8xb32`" in value and "train_dataloader.batch_size = 32" in value

    acts = await actions(client, path.as_uri(), diag.range, [diag])
    goto = next(a for a in acts if a.title.startswith("Go to the setting"))
    rename = next(a for a in acts if a.title.startswith("Rename file"))
    assert rename.title == "Rename file to `resnet50_8xb32_in1k.py`"
    # lsprotocol's client-side converter reads any result item with a `command`
    # key as a Command and keeps our nested command as its repr; recover it.
    command = goto.command
    if isinstance(goto, types.Command):
        command = types.Command(**ast.literal_eval(goto.command))
    assert command.command == "mmname.showLocation"
    before = len(client.shown_documents)
    ok = await asyncio.wait_for(client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command.command,
                                   arguments=command.arguments)), TIMEOUT)
    assert ok is True
    shown = client.shown_documents[before]
    assert shown.uri == base.as_uri()
    assert shown.selection == rel.location.range


async def test_no_rename_outside_the_workspace(client: LanguageClient, tmp_path: Path):
    # tmp_path is outside the fixture workspace the client opened.
    bad = tmp_path / "configs" / "resnet50_b32x8_in1k.py"
    bad.parent.mkdir()
    bad.write_text("model = dict()\n")
    diags = await open_doc(client, bad.as_uri(), bad.read_text())
    (diag,) = [d for d in diags if d.code == "MMN101"]
    acts = await actions(client, bad.as_uri(), diag.range, [diag])
    assert not [a for a in acts if a.title.startswith("Rename file")]
    assert [a.title for a in acts] == ["Disable MMN101 for this file"]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def traced_client(lsp_client: LanguageClient):
    lsp_client.traces = asyncio.Queue()

    @lsp_client.feature(types.LOG_TRACE)
    def _log_trace(client: LanguageClient, params: types.LogTraceParams) -> None:
        client.traces.put_nowait(params)

    params = init_params("visual-studio-code")
    params.trace = types.TraceValue.Verbose
    await asyncio.wait_for(lsp_client.initialize_session(params), TIMEOUT)
    yield
    await asyncio.wait_for(lsp_client.shutdown_session(), TIMEOUT)


async def next_trace(client: LanguageClient, needle: str) -> types.LogTraceParams:
    """The next $/logTrace about what the config reader left out in ``needle``."""
    while True:
        found = await asyncio.wait_for(client.traces.get(), TIMEOUT)
        if needle in found.message:
            return found


async def test_what_the_reader_left_out_goes_to_the_trace(traced_client, tmp_path: Path):
    path = tmp_path / "configs" / "resnet" / "resnet50_8xb32_in1k.py"
    path.parent.mkdir(parents=True)
    text = "_base_ = ['mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py']\n"
    await open_doc(traced_client, path.as_uri(), text)
    found = await next_trace(traced_client, path.name)
    assert "not read statically: 1 item(s)" in found.message
    assert "scoped base from package 'mmdet' is not read" in found.verbose
    # Messages level: the summary only, after the next change of what is left out.
    traced_client.set_trace(types.SetTraceParams(value=types.TraceValue.Messages))
    traced_client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=path.as_uri(), version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(
            text="_base_ = ['mmdet::a/b.py', 'mmseg::x/y.py']\n")],
    ))
    await pull(traced_client, path.as_uri())  # the VS Code preset pulls diagnostics
    again = await next_trace(traced_client, path.name)
    assert "not read statically: 2 item(s)" in again.message
    assert again.verbose is None
