"""Jupyter notebooks: notebookDocument/didOpen, didChange, didSave and
didClose.  pygls keeps each cell as a text document under its own URI (and
applies the changes before these handlers run); the session analyses a
Python code cell as a script's source, and the features that answer about
documents (hover, completion, code actions, ...) work in cells unchanged,
with positions in the cell's own text.  Diagnostics are published per cell."""

from __future__ import annotations

import logging
from typing import Iterable, Set

from lsprotocol import types

from mmname_lsp.server.protocol import MMNameServer

log = logging.getLogger("mmname_lsp")


def _clear(ls: MMNameServer, uris: Iterable[str]) -> None:
    """Cells that are gone: forget them, and their diagnostics (push)."""
    for uri in uris:
        ls.session.closed(uri)
        if not ls.session.pull_mode:
            ls.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


async def did_open(ls: MMNameServer, params: types.DidOpenNotebookDocumentParams) -> None:
    try:
        await ls.session.wait_for_settings()
        for cell in params.cell_text_documents:
            ls.session.forget(cell.uri)
            if ls.session.is_code_cell(cell.uri):
                ls.session.publish(cell.uri)
    except Exception:  # noqa: BLE001 - a handler never raises into pygls
        log.exception("notebookDocument/didOpen failed")


def did_change(ls: MMNameServer, params: types.DidChangeNotebookDocumentParams) -> None:
    try:
        cells = params.change.cells
        if cells is None:
            return
        touched: Set[str] = set()
        if cells.structure is not None:
            _clear(ls, [c.uri for c in cells.structure.did_close or []])
            touched.update(c.uri for c in cells.structure.did_open or [])
        for data in cells.data or []:
            # The kind may have changed (code <-> Markdown) with the same text.
            ls.session.drop_analysis(data.document)
            touched.add(data.document)
        touched.update(c.document.uri for c in cells.text_content or [])
        for uri in touched:
            if ls.session.is_open(uri):
                ls.session.schedule(uri)
    except Exception:  # noqa: BLE001
        log.exception("notebookDocument/didChange failed")


def did_save(ls: MMNameServer, params: types.DidSaveNotebookDocumentParams) -> None:
    try:
        notebook = ls.workspace.get_notebook_document(notebook_uri=params.notebook_document.uri)
        for cell in notebook.cells if notebook is not None else []:
            # Files a cell names may have appeared on disk meanwhile.
            ls.session.drop_analysis(cell.document)
            if ls.session.is_code_cell(cell.document):
                ls.session.schedule(cell.document, 0)
    except Exception:  # noqa: BLE001
        log.exception("notebookDocument/didSave failed")


def did_close(ls: MMNameServer, params: types.DidCloseNotebookDocumentParams) -> None:
    try:
        _clear(ls, [c.uri for c in params.cell_text_documents])
    except Exception:  # noqa: BLE001
        log.exception("notebookDocument/didClose failed")


def register(server: MMNameServer) -> None:
    server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)(did_open)
    server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)(did_change)
    server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)(did_save)
    server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)(did_close)
