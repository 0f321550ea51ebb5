"""The floor for benchmarks/bench_server.py: a bare pygls server that does no work.

Incremental sync; hover and completion answer constants; didOpen/didChange
publish an empty diagnostics list for the document's version.  Whatever this
server costs is what pygls, lsprotocol and the JSON-RPC transport cost.

Run: ``python3 benchmarks/floor_server.py`` (stdio; ``--stdio`` is accepted).
"""

from __future__ import annotations

from lsprotocol import types
from pygls.lsp.server import LanguageServer

server = LanguageServer(
    "mmname-floor", "0.1.0", text_document_sync_kind=types.TextDocumentSyncKind.Incremental
)

HOVER = types.Hover(
    contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="**floor**: constant hover")
)
COMPLETION = types.CompletionList(
    is_incomplete=False,
    items=[
        types.CompletionItem(label="resnet50_8xb32_in1k", kind=types.CompletionItemKind.Value),
        types.CompletionItem(label="resnet50_8xb256-rsb-a1-600e_in1k",
                             kind=types.CompletionItemKind.Value),
        types.CompletionItem(label="resnet50_8xb32-fp16_in1k", kind=types.CompletionItemKind.Value),
    ],
)


def _publish(ls: LanguageServer, uri: str, version) -> None:
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=[])
    )


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: LanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    _publish(ls, params.text_document.uri, params.text_document.version)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: LanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    _publish(ls, params.text_document.uri, params.text_document.version)


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: LanguageServer, params: types.HoverParams) -> types.Hover:
    return HOVER


@server.feature(
    types.TEXT_DOCUMENT_COMPLETION,
    types.CompletionOptions(trigger_characters=["_", "-", "'", '"', "/"]),
)
def completion(ls: LanguageServer, params: types.CompletionParams) -> types.CompletionList:
    return COMPLETION


if __name__ == "__main__":
    server.start_io()
