"""Jupyter notebooks over real stdio: the server advertises notebook sync,
analyses each Python code cell as a script's source, publishes per cell,
answers hover and completion in cells (positions in the cell's own text),
follows cells added, edited and deleted, and clears on close."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Dict, List

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.e2e.conftest import (
    PRESETS,
    SERVER,
    TIMEOUT,
    encoding_of,
    is_pull,
    pull,
    text_at,
)
from tests.e2e.test_workspace import codes_of, position_of

CELL0 = "from mmpretrain import get_model\nmodel = get_model('resnet50_8x32_in1k')\n"
NOTES = "# resnet50_8x32_in1k\nTrained with `8x32` GPUs.\n"
CELL2 = "x = 1\n"
CELL3 = "load_from = 'resnet50_8xb32-colsr_in1k'\nm = get_model('resnet50_8xb32_i')\n"


@pytest_lsp.fixture(params=PRESETS, config=ClientServerConfig(server_command=SERVER))
async def nb_client(request, lsp_client: LanguageClient, tmp_path: Path):
    caps = client_capabilities(request.param)
    caps.notebook_document = types.NotebookDocumentClientCapabilities(
        synchronization=types.NotebookDocumentSyncClientCapabilities())
    lsp_client.mmname_init = await asyncio.wait_for(lsp_client.initialize_session(
        types.InitializeParams(capabilities=caps, root_uri=tmp_path.as_uri(),
                               workspace_folders=[types.WorkspaceFolder(
                                   uri=tmp_path.as_uri(), name="ws")])), TIMEOUT)
    yield
    await asyncio.wait_for(lsp_client.shutdown_session(), TIMEOUT)


class Notebook:
    """A notebook as VS Code sends it: a file URI, and cells whose URIs use
    the `vscode-notebook-cell` scheme with a fragment per cell."""

    def __init__(self, client: LanguageClient, path: Path) -> None:
        self.client = client
        self.uri = path.as_uri()
        self.version = 1
        self.texts: Dict[str, str] = {}
        self.count = 0

    def cell_uri(self) -> str:
        self.count += 1
        return f"vscode-notebook-cell:{self.uri[len('file://'):]}#W{self.count}sZmlsZQ%3D%3D"

    def cell(self, text: str, kind=types.NotebookCellKind.Code,
             language: str = "python") -> types.TextDocumentItem:
        uri = self.cell_uri()
        self.texts[uri] = text
        return types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)


def nb_cell(item: types.TextDocumentItem) -> types.NotebookCell:
    kind = (types.NotebookCellKind.Code if item.language_id == "python"
            else types.NotebookCellKind.Markup)
    return types.NotebookCell(kind=kind, document=item.uri)


async def diagnostics(client: LanguageClient, uri: str, predicate) -> List[types.Diagnostic]:
    """A cell's diagnostics once ``predicate`` holds (pushed, or pulled)."""

    async def loop() -> List[types.Diagnostic]:
        while True:
            if is_pull(client):
                got = await pull(client, uri)
                if predicate(got):
                    return got
                await asyncio.sleep(0.05)
                continue
            got = client.diagnostics.get(uri)
            if got is not None and predicate(got):
                return list(got)
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    return await asyncio.wait_for(loop(), TIMEOUT)


async def test_notebook_cells_get_diagnostics_hover_and_completion(nb_client: LanguageClient,
                                                                    tmp_path: Path):
    client = nb_client
    enc = encoding_of(client)
    sync = client.mmname_init.capabilities.notebook_document_sync
    assert sync is not None
    selector = sync.notebook_selector[0]
    assert selector.notebook == "jupyter-notebook"
    assert [c.language for c in selector.cells] == ["python"]

    nb = Notebook(client, tmp_path / "explore.ipynb")
    cells = [nb.cell(CELL0), nb.cell(NOTES, language="markdown"), nb.cell(CELL2)]
    c0, c1, c2 = (c.uri for c in cells)
    client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(
        notebook_document=types.NotebookDocument(
            uri=nb.uri, notebook_type="jupyter-notebook", version=1,
            cells=[nb_cell(c) for c in cells]),
        cell_text_documents=cells))

    got = await diagnostics(client, c0, lambda d: "MMN101" in codes_of(d))
    batch = next(d for d in got if d.code == "MMN101")
    assert batch.range.start.line == 1  # the cell's own line, not the notebook's
    assert text_at(CELL0, batch.range, enc) == "8x32"
    # The other code cell is a plain script: nothing to say; the Markdown cell
    # (with the same name in it) is not analysed.
    assert await diagnostics(client, c2, lambda d: True) == []
    if is_pull(client):
        assert await pull(client, c1) == []
    else:
        assert not client.diagnostics.get(c1)
        assert {u for u, d in client.diagnostics.items() if d} == {c0}

    hover = await asyncio.wait_for(client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=c0),
        position=position_of(CELL0, "8x32", enc, 1))), TIMEOUT)
    assert hover is not None and "resnet50" in hover.contents.value
    assert text_at(CELL0, hover.range, enc) == "resnet50_8x32_in1k"
    assert await asyncio.wait_for(client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=c1),
        position=position_of(NOTES, "8x32", enc, 1))), TIMEOUT) is None

    # A new cell at the end, and the empty script cell edited: both re-published.
    added = nb.cell(CELL3)
    client.notebook_document_did_change(types.DidChangeNotebookDocumentParams(
        notebook_document=types.VersionedNotebookDocumentIdentifier(uri=nb.uri, version=2),
        change=types.NotebookDocumentChangeEvent(cells=types.NotebookDocumentCellChanges(
            structure=types.NotebookDocumentCellChangeStructure(
                array=types.NotebookCellArrayChange(start=3, delete_count=0,
                                                    cells=[nb_cell(added)]),
                did_open=[added]),
            text_content=[types.NotebookDocumentCellContentChanges(
                document=types.VersionedTextDocumentIdentifier(uri=c2, version=2),
                changes=[types.TextDocumentContentChangePartial(
                    range=types.Range(start=types.Position(0, 4), end=types.Position(0, 5)),
                    text="get_model('resnet50_8x32_in1k')")])]))))
    got = await diagnostics(client, added.uri, lambda d: "MMN102" in codes_of(d))
    assert text_at(CELL3, next(d for d in got if d.code == "MMN102").range, enc) == "colsr"
    result = await asyncio.wait_for(client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=added.uri),
                               position=position_of(CELL3, "i')", enc, 1))), TIMEOUT)
    labels = [i.label for i in result.items]
    assert labels[0] == "resnet50_8xb32_in1k"  # zoo names in get_model(...)
    assert text_at(CELL3, result.items[0].text_edit.range, enc) == "resnet50_8xb32_i"

    edited = "x = get_model('resnet50_8x32_in1k')\n"
    got = await diagnostics(client, c2, lambda d: "MMN101" in codes_of(d))
    assert text_at(edited, next(d for d in got if d.code == "MMN101").range, enc) == "8x32"

    # Saving re-checks the code cells.
    if not is_pull(client):
        client.diagnostics.pop(c0, None)
    client.notebook_document_did_save(types.DidSaveNotebookDocumentParams(
        notebook_document=types.NotebookDocumentIdentifier(uri=nb.uri)))
    assert "MMN101" in codes_of(await diagnostics(client, c0, lambda d: True))

    # The first cell deleted: its diagnostics go.
    client.notebook_document_did_change(types.DidChangeNotebookDocumentParams(
        notebook_document=types.VersionedNotebookDocumentIdentifier(uri=nb.uri, version=3),
        change=types.NotebookDocumentChangeEvent(cells=types.NotebookDocumentCellChanges(
            structure=types.NotebookDocumentCellChangeStructure(
                array=types.NotebookCellArrayChange(start=0, delete_count=1),
                did_close=[types.TextDocumentIdentifier(uri=c0)])))))
    assert await diagnostics(client, c0, lambda d: not d) == []
    assert "MMN101" in codes_of(await diagnostics(client, c2, lambda d: True))

    # Closing the notebook clears every cell.
    client.notebook_document_did_close(types.DidCloseNotebookDocumentParams(
        notebook_document=types.NotebookDocumentIdentifier(uri=nb.uri),
        cell_text_documents=[types.TextDocumentIdentifier(uri=u)
                             for u in (c1, c2, added.uri)]))
    for uri in (c2, added.uri):
        assert await diagnostics(client, uri, lambda d: not d) == []
    hover = await asyncio.wait_for(client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=c2),
        position=position_of(edited, "8x32", enc, 1))), TIMEOUT)
    assert hover is None


async def test_a_notebook_cell_follows_its_project_settings(nb_client: LanguageClient,
                                                            tmp_path: Path):
    client = nb_client
    (tmp_path / "pyproject.toml").write_text('[tool.mmname]\nseverity = {MMN101 = "hint"}\n')
    nb = Notebook(client, tmp_path / "explore.ipynb")
    cell = nb.cell(CELL0)
    client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(
        notebook_document=types.NotebookDocument(
            uri=nb.uri, notebook_type="jupyter-notebook", version=1, cells=[nb_cell(cell)]),
        cell_text_documents=[cell]))
    got = await diagnostics(client, cell.uri, lambda d: "MMN101" in codes_of(d))
    assert next(d for d in got if d.code == "MMN101").severity == types.DiagnosticSeverity.Hint
