"""The whole workspace, end to end over stdio: indexing with progress, files
that are not open, file operations, base changes, rename edits, navigation,
semantic tokens, metafiles and READMEs.

Every test works on a copy of ``tests/fixtures/ws2`` in ``tmp_path`` (its
``gitignore`` becomes ``.gitignore`` there), with the VS Code preset (UTF-16,
pushed diagnostics, file operations, watchers) and the Neovim 0.11 preset
(UTF-8, pulled diagnostics, no file operations).
"""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.e2e.conftest import (
    PRESETS,
    ROOT,
    SERVER,
    TIMEOUT,
    encoding_of,
    init_params,
    is_pull,
    open_doc,
    pull,
    text_at,
    wait_diagnostics,
)

WS2 = ROOT / "tests" / "fixtures" / "ws2"


def make_ws(dest: Path) -> Path:
    shutil.copytree(WS2, dest)
    (dest / "gitignore").rename(dest / ".gitignore")
    return dest


@dataclass
class Ws:
    client: LanguageClient
    root: Path
    preset: str
    registrations: List[types.RegistrationParams] = field(default_factory=list)
    init: Optional[types.InitializeResult] = None

    def uri(self, rel: str) -> str:
        return (self.root / rel).as_uri()

    def text(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    @property
    def pull(self) -> bool:
        return is_pull(self.client)

    @property
    def encoding(self) -> str:
        return encoding_of(self.client)


def index_ended(client: LanguageClient, count: int = 1) -> bool:
    ends = [
        token for token, reports in client.progress_reports.items()
        if str(token).startswith("mmname-index")
        and any(isinstance(r, types.WorkDoneProgressEnd) for r in reports)
    ]
    return len(ends) >= count


async def wait_indexed(client: LanguageClient, count: int = 1, timeout: float = TIMEOUT) -> None:
    async def loop() -> None:
        while not index_ended(client, count):
            await client.wait_for_notification(types.PROGRESS)

    await asyncio.wait_for(loop(), timeout)


async def start(client: LanguageClient, preset: str, root: Path) -> Ws:
    ws = Ws(client, root, preset)

    def _register(params: types.RegistrationParams) -> None:
        ws.registrations.append(params)

    # Set directly: a shared conftest may already answer client/registerCapability.
    client.protocol.fm.features[types.CLIENT_REGISTER_CAPABILITY] = _register

    ws.init = await asyncio.wait_for(client.initialize_session(init_params(preset, root=root)),
                                     TIMEOUT)
    await wait_indexed(client)
    return ws


@pytest_lsp.fixture(params=PRESETS, config=ClientServerConfig(server_command=SERVER))
async def ws_client(request, lsp_client: LanguageClient, tmp_path: Path):
    root = make_ws(tmp_path / "ws2")
    lsp_client.mmname_ws = await start(lsp_client, request.param, root)
    yield
    await asyncio.wait_for(lsp_client.shutdown_session(), TIMEOUT)


@pytest.fixture
def ws(ws_client: LanguageClient) -> Ws:
    """The started session (pytest-lsp fixtures yield their client)."""
    return ws_client.mmname_ws


# -- helpers ---------------------------------------------------------------------


async def workspace_report(ws: Ws) -> Dict[str, List[types.Diagnostic]]:
    """Diagnostics of the files that are not open: pulled (Neovim) or pushed (VS Code)."""
    if ws.pull:
        report = await asyncio.wait_for(
            ws.client.workspace_diagnostic_async(
                types.WorkspaceDiagnosticParams(previous_result_ids=[])), TIMEOUT)
        return {item.uri: list(item.items) for item in report.items
                if isinstance(item, types.WorkspaceFullDocumentDiagnosticReport)}
    return {uri: list(d) for uri, d in ws.client.diagnostics.items()}


async def wait_report(ws: Ws, uri: str, predicate, timeout: float = TIMEOUT
                      ) -> List[types.Diagnostic]:
    """The workspace diagnostics of ``uri`` once ``predicate`` holds."""

    async def loop() -> List[types.Diagnostic]:
        while True:
            if ws.pull:
                current = (await workspace_report(ws)).get(uri, [])
                if predicate(current):
                    return current
                await asyncio.sleep(0.05)
                continue
            current = ws.client.diagnostics.get(uri)
            if current is not None and predicate(current):
                return list(current)
            await ws.client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    return await asyncio.wait_for(loop(), timeout)


def codes_of(diags: Sequence[types.Diagnostic]) -> List[str]:
    return sorted(str(d.code) for d in diags)


def has(code: str):
    return lambda diags: code in codes_of(diags)


def lacks(code: str):
    return lambda diags: code not in codes_of(diags)


def position_of(text: str, needle: str, encoding: str, delta: int = 0) -> types.Position:
    """Position (in the client's units) of ``needle``'s first occurrence (+ delta chars)."""
    offset = text.index(needle) + delta
    line = text.count("\n", 0, offset)
    col = offset - (text.rfind("\n", 0, offset) + 1)
    before = text.splitlines()[line][:col]
    if encoding == "utf-8":
        units = len(before.encode("utf-8"))
    elif encoding == "utf-16":
        units = len(before.encode("utf-16-le")) // 2
    else:
        units = len(before)
    return types.Position(line=line, character=units)


async def open_text(ws: Ws, rel: str, version: int = 1) -> List[types.Diagnostic]:
    return await open_doc(ws.client, ws.uri(rel), ws.text(rel), version)


def change(ws: Ws, rel: str, text: str, version: int) -> None:
    ws.client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=ws.uri(rel), version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
    ))


async def diagnostics_of_open(ws: Ws, rel: str, predicate) -> List[types.Diagnostic]:
    """Diagnostics of an open document once ``predicate`` holds (pull: pull until it does)."""
    uri = ws.uri(rel)
    if not ws.pull:
        return await wait_diagnostics(ws.client, uri, predicate)

    async def loop() -> List[types.Diagnostic]:
        while True:
            current = await pull(ws.client, uri)
            if predicate(current):
                return current
            await asyncio.sleep(0.05)

    return await asyncio.wait_for(loop(), TIMEOUT)


def locations(result: Any) -> List[types.Location]:
    if result is None:
        return []
    if isinstance(result, types.Location):
        return [result]
    return [x if isinstance(x, types.Location)
            else types.Location(uri=x.target_uri, range=x.target_selection_range)
            for x in result]


def edits_by_uri(edit: Optional[types.WorkspaceEdit]) -> Dict[str, List[types.TextEdit]]:
    assert edit is not None
    out: Dict[str, List[types.TextEdit]] = {}
    if edit.document_changes:
        for dc in edit.document_changes:
            assert isinstance(dc, types.TextDocumentEdit)
            out.setdefault(dc.text_document.uri, []).extend(dc.edits)
    for uri, edits in (edit.changes or {}).items():
        out.setdefault(uri, []).extend(edits)
    return out


# -- indexing and workspace diagnostics ---------------------------------------------


async def test_indexing_reports_progress_and_files_that_are_not_open(ws: Ws):
    tokens = [t for t in ws.client.progress_reports if str(t).startswith("mmname-index")]
    assert len(tokens) == 1
    reports = ws.client.progress_reports[tokens[0]]
    assert isinstance(reports[0], types.WorkDoneProgressBegin)
    assert "indexing" in reports[0].title
    assert isinstance(reports[-1], types.WorkDoneProgressEnd)
    assert any("mmname: indexed" in m.message for m in ws.client.log_messages)

    bad = ws.uri("configs/resnet/resnet50_8x32_in1k.py")
    diags = await wait_report(ws, bad, has("MMN101"))
    assert diags[0].range.start == types.Position(0, 0)
    assert diags[0].message.startswith("File name:")

    meta = ws.uri("configs/mynet/metafile.yml")
    got = await wait_report(ws, meta, has("MMN209"))
    assert {"MMN203", "MMN204", "MMN205", "MMN206", "MMN207", "MMN208", "MMN209"} <= set(
        codes_of(got))
    readme = ws.uri("configs/resnet/README.md")
    got = await wait_report(ws, readme, has("MMN210"))
    link = next(d for d in got if d.code == "MMN210")
    assert text_at(ws.text("configs/resnet/README.md"), link.range, ws.encoding) == \
        "resnet50_8xb16-coslr_in1k.py"
    got = await wait_report(ws, ws.uri("model-index.yml"), has("MMN211"))
    assert text_at(ws.text("model-index.yml"), got[0].range, ws.encoding) == \
        "configs/gone/metafile.yml"

    everything = await workspace_report(ws)
    assert not any("ignored" in uri or "venv_like" in uri for uri, d in everything.items() if d)
    # Well-named configs and bases have nothing to say.
    assert not everything.get(ws.uri("configs/resnet/resnet50_8xb32_in1k.py"))


async def test_file_watchers_are_registered_when_the_client_allows(ws: Ws):
    if ws.preset != "visual-studio-code":
        assert ws.registrations == []  # Neovim's preset has no dynamic watcher registration
        return

    async def registered() -> None:
        while not ws.registrations:
            await asyncio.sleep(0.02)

    await asyncio.wait_for(registered(), TIMEOUT)
    reg = ws.registrations[0].registrations[0]
    assert reg.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    globs = [w["globPattern"] if isinstance(w, dict) else w.glob_pattern
             for w in (reg.register_options["watchers"] if isinstance(reg.register_options, dict)
                       else reg.register_options.watchers)]
    assert "**/*.py" in globs and "**/metafile.yml" in globs
    assert "**/pyproject.toml" in globs  # [tool.mmname] is read again when it changes


async def test_server_declares_file_operations_when_the_client_has_them(ws: Ws):
    caps = ws.init.capabilities
    assert caps.diagnostic_provider is not None or ws.preset == "visual-studio-code"
    if caps.diagnostic_provider is not None:
        assert caps.diagnostic_provider.workspace_diagnostics is True
    ops = caps.workspace.file_operations if caps.workspace else None
    if ws.preset == "visual-studio-code":
        assert ops is not None
        for op in (ops.did_create, ops.did_rename, ops.did_delete, ops.will_rename):
            assert op is not None and op.filters
    else:  # the Neovim preset has no file operations: nothing is declared
        assert ops is None or ops.will_rename is None


async def test_a_created_config_is_checked_at_once(ws: Ws):
    rel = "configs/resnet/resnet18_8x16_in1k.py"
    (ws.root / rel).write_text("_base_ = ['../_base_/models/missing.py']\n", encoding="utf-8")
    uri = ws.uri(rel)
    if ws.preset == "visual-studio-code":
        ws.client.workspace_did_create_files(types.CreateFilesParams(
            files=[types.FileCreate(uri=uri)]))
    else:
        ws.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=uri, type=types.FileChangeType.Created)]))
    got = await wait_report(ws, uri, lambda d: {"MMN101", "MMN201"} <= set(codes_of(d)))
    missing = next(d for d in got if d.code == "MMN201")
    assert text_at(ws.text(rel), missing.range, ws.encoding) == "../_base_/models/missing.py"


async def test_a_deleted_base_breaks_its_inheritors(ws: Ws):
    inheritor = "configs/resnet/resnet50_8xb32_in1k.py"
    diags = await open_text(ws, inheritor)
    assert "MMN201" not in codes_of(diags)
    base = ws.root / "configs/_base_/default_runtime.py"
    base.unlink()
    if ws.preset == "visual-studio-code":
        ws.client.workspace_did_delete_files(types.DeleteFilesParams(
            files=[types.FileDelete(uri=base.as_uri())]))
    else:
        ws.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=base.as_uri(), type=types.FileChangeType.Deleted)]))
    got = await diagnostics_of_open(ws, inheritor, has("MMN201"))
    missing = next(d for d in got if d.code == "MMN201")
    assert text_at(ws.text(inheritor), missing.range, ws.encoding) == \
        "../_base_/default_runtime.py"
    # An inheritor that is not open is reported too.
    closed = ws.uri("configs/resnet/resnet50_8xb64_in1k.py")
    got = await wait_report(ws, closed, has("MMN201"))
    assert text_at(ws.text("configs/resnet/resnet50_8xb64_in1k.py"),
                   next(d for d in got if d.code == "MMN201").range, ws.encoding) == \
        "../_base_/default_runtime.py"


async def test_an_edited_base_rechecks_its_open_inheritors(ws: Ws):
    child = "configs/resnet/resnet50_8xb32_in1k.py"
    grandchild = "configs/resnet/resnet50_8xb32-coslr_in1k.py"
    assert "MMN301" not in codes_of(await open_text(ws, child))
    assert "MMN301" not in codes_of(await open_text(ws, grandchild))
    base = "configs/_base_/datasets/imagenet_bs32.py"
    await open_text(ws, base)
    change(ws, base, ws.text(base).replace("batch_size=32, num_workers",
                                           "batch_size=48, num_workers"), 2)
    for rel in (child, grandchild):
        got = await diagnostics_of_open(ws, rel, has("MMN301"))
        assert any("48" in d.message for d in got if d.code == "MMN301")
    # And back.
    change(ws, base, ws.text(base), 3)
    for rel in (child, grandchild):
        await diagnostics_of_open(ws, rel, lacks("MMN301"))


async def test_a_base_changed_on_disk_rechecks_its_open_inheritors(ws: Ws):
    child = "configs/resnet/resnet50_8xb64_in1k.py"
    assert "MMN301" not in codes_of(await open_text(ws, child))
    base = ws.root / "configs/_base_/datasets/imagenet_bs64.py"
    base.write_text(base.read_text().replace("batch_size=64", "batch_size=128"))
    ws.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=base.as_uri(), type=types.FileChangeType.Changed)]))
    got = await diagnostics_of_open(ws, child, has("MMN301"))
    assert any("128" in d.message for d in got if d.code == "MMN301")


# -- renames ---------------------------------------------------------------------------


async def test_renaming_a_base_updates_every_reference(ws: Ws):
    open_rel = "configs/resnet/resnet50_8xb32_in1k.py"
    await open_text(ws, open_rel, version=7)
    old = ws.root / "configs/_base_/datasets/imagenet_bs32.py"
    new = ws.root / "configs/_base_/datasets/in1k_bs32.py"
    edit = await asyncio.wait_for(ws.client.workspace_will_rename_files_async(
        types.RenameFilesParams(files=[types.FileRename(old_uri=old.as_uri(),
                                                        new_uri=new.as_uri())])), TIMEOUT)
    by_uri = edits_by_uri(edit)
    assert set(by_uri) == {ws.uri(open_rel), ws.uri("configs/_base_/datasets/imagenet_bs64.py")}
    assert [e.new_text for e in by_uri[ws.uri(open_rel)]] == ["../_base_/datasets/in1k_bs32.py"]
    assert text_at(ws.text(open_rel), by_uri[ws.uri(open_rel)][0].range, ws.encoding) == \
        "../_base_/datasets/imagenet_bs32.py"
    assert [e.new_text for e in by_uri[ws.uri("configs/_base_/datasets/imagenet_bs64.py")]] == \
        ["./in1k_bs32.py"]
    if edit.document_changes:  # VS Code: versioned edits, the open buffer's version
        versions = {dc.text_document.uri: dc.text_document.version
                    for dc in edit.document_changes}
        assert versions[ws.uri(open_rel)] == 7
        assert versions[ws.uri("configs/_base_/datasets/imagenet_bs64.py")] is None


async def test_renaming_a_folder_updates_old_and_new_style_references(ws: Ws):
    old = ws.root / "configs/_base_/datasets"
    new = ws.root / "configs/_base_/data"
    edit = await asyncio.wait_for(ws.client.workspace_will_rename_files_async(
        types.RenameFilesParams(files=[types.FileRename(old_uri=old.as_uri(),
                                                        new_uri=new.as_uri())])), TIMEOUT)
    by_uri = edits_by_uri(edit)
    assert [e.new_text for e in by_uri[ws.uri("configs/resnet/resnet50_8xb64_in1k.py")]] == \
        ["../_base_/data/imagenet_bs64.py"]
    assert [e.new_text for e in by_uri[ws.uri("configs/mynet/mynet-tiny_8xb64_in1k.py")]] == \
        [".._base_.data.imagenet_bs64"]
    # A file inside the folder keeps its sibling reference as it is.
    assert ws.uri("configs/_base_/datasets/imagenet_bs64.py") not in by_uri


async def test_moving_a_config_rewrites_its_own_references_and_checks_it(ws: Ws):
    old_rel = "configs/resnet/resnet50_8xb32-coslr_in1k.py"
    new_rel = "configs/resnet/coslr/resnet50_8xb32-colsr_in1k.py"
    old, new = ws.root / old_rel, ws.root / new_rel
    edit = await asyncio.wait_for(ws.client.workspace_will_rename_files_async(
        types.RenameFilesParams(files=[types.FileRename(old_uri=old.as_uri(),
                                                        new_uri=new.as_uri())])), TIMEOUT)
    by_uri = edits_by_uri(edit)
    assert [e.new_text for e in by_uri[old.as_uri()]] == ["../resnet50_8xb32_in1k.py"]
    # The client applies the edit, then renames, then tells the server.
    new.parent.mkdir()
    text = old.read_text().replace("'./resnet50_8xb32_in1k.py'", "'../resnet50_8xb32_in1k.py'")
    new.write_text(text)
    old.unlink()
    ws.client.workspace_did_rename_files(types.RenameFilesParams(
        files=[types.FileRename(old_uri=old.as_uri(), new_uri=new.as_uri())]))
    got = await wait_report(ws, new.as_uri(), has("MMN102"))
    assert "MMN201" not in codes_of(got)
    assert not (await workspace_report(ws)).get(old.as_uri())


async def test_a_new_workspace_folder_is_indexed(ws: Ws):
    extra = make_ws(ws.root.parent / "second")
    ws.client.workspace_did_change_workspace_folders(types.DidChangeWorkspaceFoldersParams(
        event=types.WorkspaceFoldersChangeEvent(
            added=[types.WorkspaceFolder(uri=extra.as_uri(), name="second")], removed=[])))
    await wait_indexed(ws.client, 2)
    uri = (extra / "configs/resnet/resnet50_8x32_in1k.py").as_uri()
    await wait_report(ws, uri, has("MMN101"))


# -- navigation -----------------------------------------------------------------------


async def test_definition_of_a_base_a_model_and_a_checkpoint(ws: Ws):
    enc = ws.encoding
    cfg = "configs/resnet/resnet50_8xb64_in1k.py"
    await open_text(ws, cfg)
    text = ws.text(cfg)
    got = locations(await asyncio.wait_for(ws.client.text_document_definition_async(
        types.DefinitionParams(text_document=types.TextDocumentIdentifier(uri=ws.uri(cfg)),
                               position=position_of(text, "imagenet_bs64", enc, 3))), TIMEOUT))
    assert [loc.uri for loc in got] == [ws.uri("configs/_base_/datasets/imagenet_bs64.py")]

    demo = "tools/demo.py"
    await open_text(ws, demo)
    text = ws.text(demo)
    got = locations(await asyncio.wait_for(ws.client.text_document_definition_async(
        types.DefinitionParams(text_document=types.TextDocumentIdentifier(uri=ws.uri(demo)),
                               position=position_of(text, "mynet-tiny", enc, 2))), TIMEOUT))
    uris = [loc.uri for loc in got]
    assert ws.uri("configs/mynet/metafile.yml") in uris
    assert ws.uri("configs/mynet/mynet-tiny_8xb64_in1k.py") in uris
    entry = next(loc for loc in got if loc.uri.endswith("metafile.yml"))
    assert text_at(ws.text("configs/mynet/metafile.yml"), entry.range, enc) == \
        "mynet-tiny_8xb64_in1k"

    readme = "configs/resnet/README.md"
    await open_text(ws, readme)
    text = ws.text(readme)
    got = locations(await asyncio.wait_for(ws.client.text_document_definition_async(
        types.DefinitionParams(text_document=types.TextDocumentIdentifier(uri=ws.uri(readme)),
                               position=position_of(text, "resnet50_8xb32-coslr_in1k_2022",
                                                    enc, 5))), TIMEOUT))
    assert len(got) == 1 and got[0].uri == ws.uri("configs/resnet/metafile.yml")
    assert text_at(ws.text("configs/resnet/metafile.yml"), got[0].range, enc) == \
        "resnet50_8xb32-coslr_in1k"

    meta = "configs/resnet/metafile.yml"
    await open_text(ws, meta)
    text = ws.text(meta)
    got = locations(await asyncio.wait_for(ws.client.text_document_definition_async(
        types.DefinitionParams(text_document=types.TextDocumentIdentifier(uri=ws.uri(meta)),
                               position=position_of(text, "Config: configs/resnet/resnet50_8xb32-"
                                                    "coslr", enc, 12))), TIMEOUT))
    assert [loc.uri for loc in got] == [ws.uri("configs/resnet/resnet50_8xb32-coslr_in1k.py")]


async def test_references_of_a_base_and_of_a_model(ws: Ws):
    enc = ws.encoding
    base = "configs/_base_/datasets/imagenet_bs32.py"
    await open_text(ws, base)
    got = locations(await asyncio.wait_for(ws.client.text_document_references_async(
        types.ReferenceParams(text_document=types.TextDocumentIdentifier(uri=ws.uri(base)),
                              position=types.Position(3, 4),
                              context=types.ReferenceContext(include_declaration=False))),
        TIMEOUT))
    seen = {(loc.uri, text_at((ws.root / loc.uri[len(ws.root.as_uri()) + 1:]).read_text(),
                              loc.range, enc)) for loc in got}
    assert (ws.uri("configs/resnet/resnet50_8xb32_in1k.py"),
            "../_base_/datasets/imagenet_bs32.py") in seen
    assert (ws.uri("configs/_base_/datasets/imagenet_bs64.py"), "./imagenet_bs32.py") in seen
    # Through another base or config: inheritors two levels down.
    assert (ws.uri("configs/resnet/resnet50_8xb64_in1k.py"),
            "../_base_/datasets/imagenet_bs64.py") in seen
    assert (ws.uri("configs/mynet/mynet-tiny_8xb64_in1k.py"),
            ".._base_.datasets.imagenet_bs64") in seen
    assert (ws.uri("configs/resnet/resnet50_8xb32-coslr_in1k.py"),
            "./resnet50_8xb32_in1k.py") in seen

    demo = "tools/demo.py"
    await open_text(ws, demo)
    got = locations(await asyncio.wait_for(ws.client.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri=ws.uri(demo)),
            position=position_of(ws.text(demo), "resnet50_8xb32_in1k", enc, 4),
            context=types.ReferenceContext(include_declaration=True))), TIMEOUT))
    uris = {loc.uri for loc in got}
    assert {ws.uri(demo), ws.uri("configs/resnet/README.md"),
            ws.uri("configs/resnet/metafile.yml"), ws.uri("configs/mynet/metafile.yml")} <= uris


async def test_document_links(ws: Ws):
    cfg = "configs/resnet/resnet50_8xb32_in1k.py"
    await open_text(ws, cfg)
    links = await asyncio.wait_for(ws.client.text_document_document_link_async(
        types.DocumentLinkParams(text_document=types.TextDocumentIdentifier(uri=ws.uri(cfg)))),
        TIMEOUT)
    targets = [link.target for link in links]
    assert ws.uri("configs/_base_/datasets/imagenet_bs32.py") in targets
    assert len(targets) == 4
    meta = "configs/resnet/metafile.yml"
    await open_text(ws, meta)
    links = await asyncio.wait_for(ws.client.text_document_document_link_async(
        types.DocumentLinkParams(text_document=types.TextDocumentIdentifier(uri=ws.uri(meta)))),
        TIMEOUT)
    targets = [link.target for link in links]
    assert any("He_Deep_Residual" in t for t in targets)  # the paper
    assert any(t.endswith("resnet50_8xb32_in1k_20210831-ea4938fc.pth") for t in targets)
    assert ws.uri("configs/resnet/resnet50_8xb32_in1k.py") in targets
    readme = "configs/resnet/README.md"
    await open_text(ws, readme)
    links = await asyncio.wait_for(ws.client.text_document_document_link_async(
        types.DocumentLinkParams(text_document=types.TextDocumentIdentifier(
            uri=ws.uri(readme)))), TIMEOUT)
    text = ws.text(readme)
    for link in links:
        if link.target.endswith(".pth"):
            assert text_at(text, link.range, ws.encoding) == link.target


async def test_semantic_tokens_colour_parts_by_role(ws: Ws):
    provider = ws.init.capabilities.semantic_tokens_provider
    legend = list(provider.legend.token_types)
    demo = "tools/demo.py"
    await open_text(ws, demo)
    tokens = await asyncio.wait_for(ws.client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=types.TextDocumentIdentifier(
            uri=ws.uri(demo)))), TIMEOUT)
    standard = {t.value for t in types.SemanticTokenTypes}
    assert set(legend) <= standard
    lines = ws.text(demo).splitlines(keepends=True)
    line = col = 0
    seen = []
    data = tokens.data
    for i in range(0, len(data), 5):
        dl, dc, length, ttype, _mods = data[i:i + 5]
        line += dl
        col = col + dc if dl == 0 else dc
        rng = types.Range(start=types.Position(line, col), end=types.Position(line, col + length))
        seen.append((text_at("".join(lines), rng, ws.encoding), legend[ttype]))
    assert ("resnet50", "class") in seen
    assert ("8xb32", "number") in seen
    assert ("in1k", "enumMember") in seen
    assert ("mynet-tiny", "class") in seen


async def test_document_symbols_of_a_config(ws: Ws):
    cfg = "configs/resnet/resnet50_8xb32-coslr_in1k.py"
    await open_text(ws, cfg)
    symbols = await asyncio.wait_for(ws.client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(
            uri=ws.uri(cfg)))), TIMEOUT)
    assert symbols[0].name == "resnet50_8xb32-coslr_in1k.py"
    assert symbols[0].kind == types.SymbolKind.File
    assert [c.name for c in symbols[0].children] == [
        "module: resnet50", "training: 8xb32-coslr", "data: in1k"]
    names = [s.name for s in symbols[1:]]
    assert names == ["_base_", "param_scheduler"]
    text = ws.text(cfg)
    assert text_at(text, symbols[2].selection_range, ws.encoding) == "param_scheduler"


# -- metafiles and READMEs as documents ------------------------------------------------------


async def test_metafile_diagnostics_hover_and_completion(ws: Ws):
    meta = "configs/mynet/metafile.yml"
    diags = await open_text(ws, meta)
    assert {"MMN203", "MMN204", "MMN205", "MMN206", "MMN207", "MMN209"} <= set(codes_of(diags))
    text = ws.text(meta)
    epochs = next(d for d in diags if d.code == "MMN203")
    assert text_at(text, epochs.range, ws.encoding) == "300e"
    batch = next(d for d in diags if d.code == "MMN204")
    assert text_at(text, batch.range, ws.encoding) == "8xb64"
    hover = await asyncio.wait_for(ws.client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=ws.uri(meta)),
        position=position_of(text, "mynet-tiny_8xb64_in1k", ws.encoding, 12))), TIMEOUT)
    assert hover is not None and "8xb64" in hover.contents.value
    assert "Zoo model" in hover.contents.value  # the fork's own model is in the zoo
    # Completion while typing a new model's name.
    new_text = text + "  - Name: mynet-base_8xb\n"
    change(ws, meta, new_text, 2)
    lines = new_text.splitlines()
    items = await asyncio.wait_for(ws.client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=ws.uri(meta)),
            position=types.Position(len(lines) - 1, len(lines[-1])))), TIMEOUT)
    labels = [i.label for i in items.items]
    assert "8xb32" in labels
    assert all(i.text_edit.new_text.startswith("8xb") for i in items.items)


async def test_broken_yaml_is_still_read(ws: Ws):
    meta = "configs/resnet/metafile.yml"
    text = ws.text(meta).replace("Epochs: 100\n", "Epochs: [100\n", 1)
    uri = ws.uri(meta)
    diags = await open_doc(ws.client, uri, text)
    assert "MMN212" in codes_of(diags)
    hover = await asyncio.wait_for(ws.client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=position_of(text, "resnet50_8xb32-coslr_in1k", ws.encoding, 3))), TIMEOUT)
    assert hover is not None and "coslr" in hover.contents.value


async def test_readme_names_hover_and_links(ws: Ws):
    readme = "configs/resnet/README.md"
    diags = await open_text(ws, readme)
    text = ws.text(readme)
    assert codes_of(diags) == ["MMN210"]
    assert text_at(text, diags[0].range, ws.encoding) == "resnet50_8xb16-coslr_in1k.py"
    hover = await asyncio.wait_for(ws.client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=ws.uri(readme)),
        position=position_of(text, "`resnet50_8xb32-coslr_in1k`", ws.encoding, 12))),
        TIMEOUT)
    assert hover is not None and "coslr" in hover.contents.value
    assert text_at(text, hover.range, ws.encoding) == "resnet50_8xb32-coslr_in1k"


async def test_the_forks_models_are_known_to_the_zoo(ws: Ws):
    demo = "tools/demo.py"
    diags = await open_text(ws, demo)
    assert "MMN202" not in codes_of(diags)
    hover = await asyncio.wait_for(ws.client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=ws.uri(demo)),
        position=position_of(ws.text(demo), "mynet-tiny", ws.encoding, 1))), TIMEOUT)
    assert hover is not None and "Zoo model" in hover.contents.value
    assert "71.25" in hover.contents.value


async def test_bad_requests_never_crash_the_server(ws: Ws):
    uri = "untitled:Untitled-1"
    await open_doc(ws.client, uri, "_base_ = ['x.py']\nget_model('resnet50_8xb32_in1k')\n")
    for call in (
        ws.client.text_document_definition_async(types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(0, 12))),
        ws.client.text_document_references_async(types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(9, 0),
            context=types.ReferenceContext(include_declaration=True))),
        ws.client.text_document_document_symbol_async(types.DocumentSymbolParams(
            text_document=types.TextDocumentIdentifier(uri=uri))),
        ws.client.text_document_semantic_tokens_full_async(types.SemanticTokensParams(
            text_document=types.TextDocumentIdentifier(uri=uri))),
        ws.client.workspace_will_rename_files_async(types.RenameFilesParams(files=[
            types.FileRename(old_uri="file:///nowhere/a.py", new_uri="file:///nowhere/b.py")])),
    ):
        await asyncio.wait_for(call, TIMEOUT)
    ws.client.workspace_did_delete_files(types.DeleteFilesParams(
        files=[types.FileDelete(uri="file:///nowhere/x.py")]))
    ws.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri="file:///nowhere/y.py", type=types.FileChangeType.Changed)]))
    # Still answering.
    await asyncio.wait_for(ws.client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(1, 14))),
        TIMEOUT)


# -- the real MMPretrain tree ----------------------------------------------------------

CORPUS_TREE = ROOT.parent / "shared" / "corpus" / "mmpretrain" / "tree"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def corpus_client(lsp_client: LanguageClient):
    if not (CORPUS_TREE / "model-index.yml").is_file():
        pytest.skip("../shared/corpus/mmpretrain/tree is absent")
    await asyncio.wait_for(lsp_client.initialize_session(
        init_params("neovim", root=CORPUS_TREE)), TIMEOUT)
    yield
    await asyncio.wait_for(lsp_client.shutdown_session(), TIMEOUT)


@pytest.mark.corpus
async def test_the_mmpretrain_tree_is_indexed(corpus_client: LanguageClient):
    lsp_client = corpus_client
    await wait_indexed(lsp_client, timeout=120)
    message = next(m.message for m in lsp_client.log_messages
                   if "mmname: indexed" in m.message)
    assert "(548 metafile models)" in message
    report = await asyncio.wait_for(lsp_client.workspace_diagnostic_async(
        types.WorkspaceDiagnosticParams(previous_result_ids=[])), 60)
    # Published upstream names and metafiles are at most hints.
    severities = {d.severity for item in report.items for d in item.items}
    assert severities <= {types.DiagnosticSeverity.Hint}
