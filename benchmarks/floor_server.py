"""The floor for benchmarks/bench_server.py: a bare pygls server that does no work.

Incremental sync; didOpen/didChange publish an empty diagnostics list for the
document's version.  Hover and completion answer constants *of the size of
mmname-lsp's answers* (a Markdown hover of about 1 kB, 50 completion items of
about 300 bytes each, each with a text edit and Markdown documentation), so that
the ratios in the benchmark measure our work, not the size of what we send:
pygls and lsprotocol serialise the floor's typed answers on every request, as
they would any server's.  Whatever this server costs is what pygls,
lsprotocol, the JSON-RPC transport and an answer of that size cost.

Run: ``python3 benchmarks/floor_server.py`` (stdio; ``--stdio`` is accepted).
"""

from __future__ import annotations

import json

from lsprotocol import converters, types
from pygls.lsp.server import LanguageServer

# pygls builds its cattrs converter once per server; the answers' sizes are
# measured with that same converter (a second one would cost 0.2 s of start-up).
_CONVERTER = converters.get_converter()
server = LanguageServer(
    "mmname-floor", "0.1.0", text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
    converter_factory=lambda: _CONVERTER,
)

# Sizes (serialised JSON) of mmname-lsp's answers in the benchmark;
# bench_server.py reports both servers' answer sizes, so that a drift shows.
HOVER_BYTES = 950
COMPLETION_ITEMS = 50
ITEM_BYTES = 300


def _size(obj) -> int:
    return len(json.dumps(_CONVERTER.unstructure(obj), separators=(",", ":")).encode("utf-8"))


def _fit(make, text: str, size: int):
    """``make(text[:n])`` for the largest n whose JSON is at most ``size`` bytes."""
    # ASCII text: one byte per character, so one measurement finds the cut.
    n = max(0, len(text) - max(0, _size(make(text)) - size))
    return make(text[:n])


def _hover() -> types.Hover:
    head = "**resnet50_8xb32_in1k** - model\n\n| part | value |\n|---|---|\n"
    rows = "".join(f"| part {i} | word {i} of the name |\n" for i in range(60))
    # The response wraps the result in {"jsonrpc","id","result"}: about 40 bytes.
    return _fit(lambda v: types.Hover(contents=types.MarkupContent(
        kind=types.MarkupKind.Markdown, value=v)), head + rows, HOVER_BYTES - 40)


def _items() -> types.CompletionList:
    rng = types.Range(start=types.Position(line=40, character=13),
                      end=types.Position(line=40, character=22))
    items = []
    for i in range(COMPLETION_ITEMS):
        label = f"resnet50_8xb{32 + i}_in1k"
        # label twice (label, newText), range, kind, sortText and keys: ~150 bytes
        doc = "model: " + "ResNet-50, 8 GPUs x 32, ImageNet-1k; " * 8
        items.append(_fit(lambda d, label=label, i=i: types.CompletionItem(
            label=label,
            kind=types.CompletionItemKind.Value,
            detail="model",
            documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=d),
            sort_text=f"{i:05d}",
            text_edit=types.TextEdit(range=rng, new_text=label),
        ), doc, ITEM_BYTES))
    return types.CompletionList(is_incomplete=False, items=items)


# Built at the first request, not at start-up (the floor's initialize stays
# that of a bare server).
_ANSWERS: dict = {}


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
    if "hover" not in _ANSWERS:
        _ANSWERS["hover"] = _hover()
    return _ANSWERS["hover"]


@server.feature(
    types.TEXT_DOCUMENT_COMPLETION,
    types.CompletionOptions(trigger_characters=["_", "-", "'", '"', "/"]),
)
def completion(ls: LanguageServer, params: types.CompletionParams) -> types.CompletionList:
    if "completion" not in _ANSWERS:
        _ANSWERS["completion"] = _items()
    return _ANSWERS["completion"]


if __name__ == "__main__":
    server.start_io()
