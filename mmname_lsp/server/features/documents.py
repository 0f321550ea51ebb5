"""Open documents: didOpen, didChange (debounced), didSave and didClose,
their diagnostics (pushed, or pulled with textDocument/diagnostic), and the
events other features hear after the session took each change in."""

from __future__ import annotations

import logging

from lsprotocol import types

from mmname_lsp.server.convert import (
    SOURCE,
)
from mmname_lsp.server.protocol import MMNameServer
from mmname_lsp.server.session import NotOpen

log = logging.getLogger("mmname_lsp")


async def did_open(ls: MMNameServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.session.forget(params.text_document.uri)
    ls.session.opened(params.text_document.uri)
    await ls.session.wait_for_settings()
    ls.session.publish(params.text_document.uri)
    ls.session.events.emit(ls, ls.session.events.opened, params)


def did_change(ls: MMNameServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.session.schedule(params.text_document.uri)
    ls.session.events.emit(ls, ls.session.events.changed, params)


def did_save(ls: MMNameServer, params: types.DidSaveTextDocumentParams) -> None:
    # The file system may have changed (a base created next to it): recheck.
    ls.session.forget(params.text_document.uri)
    ls.session.schedule(params.text_document.uri, 0)
    ls.session.events.emit(ls, ls.session.events.saved, params)


def did_close(ls: MMNameServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.session.closed(uri)
    if not ls.session.pull_mode:
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )
    ls.session.events.emit(ls, ls.session.events.closed, params)


async def pull_diagnostics(
    ls: MMNameServer, params: types.DocumentDiagnosticParams
) -> types.FullDocumentDiagnosticReport:
    await ls.session.wait_for_settings()
    try:
        doc = ls.session.open_document(params.text_document.uri)
        items = ls.session.diagnostics(doc)
    except NotOpen:
        items = []
    except Exception:  # noqa: BLE001
        log.exception("diagnostics for %s failed", params.text_document.uri)
        items = []
    return types.FullDocumentDiagnosticReport(items=items)


def register(server: MMNameServer) -> None:
    server.feature(types.TEXT_DOCUMENT_DID_OPEN)(did_open)
    server.feature(types.TEXT_DOCUMENT_DID_CHANGE)(did_change)
    server.feature(types.TEXT_DOCUMENT_DID_SAVE)(did_save)
    server.feature(types.TEXT_DOCUMENT_DID_CLOSE)(did_close)
    server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(
            identifier=SOURCE, inter_file_dependencies=True, workspace_diagnostics=False
        ),
    )(pull_diagnostics)
