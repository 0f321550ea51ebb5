"""Completion inside a name: in Python strings (by context: `_base_`, checkpoints,
model APIs), in metafile values and in README code spans."""

from __future__ import annotations

import logging
import os
import re
from typing import Any, Optional, Tuple

from lsprotocol import types

from mmname_lsp.analysis.pipeline import call_profile
from mmname_lsp.server.convert import JsonResult, document_path
from mmname_lsp.server.protocol import MMNameServer
from mmname_lsp.server.session import OTHER_KINDS, guarded
from mmname_lsp.sources.python import MODEL_APIS

log = logging.getLogger("mmname_lsp")


MAX_COMPLETIONS = 50


# A call that takes a model name, of any profile (`DetInferencer(`, `init_detector(`).
_MODEL_CALL = re.compile(
    r"(?<![\w.])(?:[A-Za-z_]\w*\.)*(?P<callee>" + "|".join(sorted(MODEL_APIS, key=len,
                                                                  reverse=True))
    + r"|\w*Inferencer)\s*\(\s*(?:model\s*=\s*)?$"
)


_CHECKPOINT_KEY = re.compile(r"(?:checkpoint|pretrained|load_from|resume_from)['\"]?\s*[=:]\s*$")


_BASE = re.compile(r"_base_\s*=\s*[\[(]?\s*(?:(['\"]).*?\1\s*,\s*)*$")


@guarded("completion")
def completion(ls: MMNameServer, params: types.CompletionParams) -> Any:
    from mmname_lsp.workspace.model import file_kind

    path = document_path(params.text_document.uri)
    if path and file_kind(path) in OTHER_KINDS:
        return complete_other(ls, params)
    return _completion(ls, params)


def string_before_cursor(line: str, col: int) -> Optional[Tuple[int, str]]:
    """(index of the opening quote, quote char) of the string the cursor is in."""
    quote: Optional[str] = None
    start = -1
    i = 0
    while i < col:
        ch = line[i]
        if quote is None:
            if ch == "#":
                return None
            if ch in "'\"":
                quote, start = ch, i
        elif ch == "\\":
            i += 1
        elif ch == quote:
            quote = None
        i += 1
    return (start, quote) if quote is not None else None


_COMPLETION_KINDS = {
    "config": int(types.CompletionItemKind.File),
    "folder": int(types.CompletionItemKind.Folder),
    "model": int(types.CompletionItemKind.Module),
}


_VALUE_KIND = int(types.CompletionItemKind.Value)


def _completion(ls: MMNameServer, params: types.CompletionParams) -> Optional[JsonResult]:
    from mmname_lsp.ide.completion import complete

    doc, index, offset = ls.session.doc_and_offset(params)
    line_no = params.position.line
    if line_no >= len(index.lines):
        return None
    line_start = index.starts[line_no]
    line = index.lines[line_no]
    col = offset - line_start
    found = string_before_cursor(line, col)
    if found is None:
        return None
    q, _ = found
    prefix = line[q + 1 : col]
    before = line[:q]
    context = None
    analysis = ls.session.analysis(doc)
    occ = analysis.occurrence_at(offset)
    call = _MODEL_CALL.search(before)
    if occ is not None and occ.start == line_start + q + 1:
        context = occ.source
    elif call is not None:
        context = "model_api"
    elif _CHECKPOINT_KEY.search(before):
        context = "checkpoint"
    elif _BASE.search(before):
        context = "base"
    path = document_path(doc.uri)
    base_dir = os.path.dirname(path) if path else None
    settings = ls.session.settings_for(doc.uri)
    choice = analysis.choice
    decoder = ls.session.decoder(settings, choice.name if choice is not None else None)
    if context == "model_api" and call is not None:
        # The names of the profile the call belongs to (`DetInferencer('` in
        # any file offers MMDetection's models).
        owner = call_profile(call.group("callee"), choice)
        if owner is not None:
            decoder, choice = ls.session.decoder(settings, owner.name), owner
    title = choice.profile.title if choice is not None and choice.profile else "MMPretrain"
    token_start, cands = complete(prefix, context, base_dir=base_dir, decoder=decoder,
                                  title=title)
    rng = index.range(line_start + q + 1 + token_start, offset)
    # Items are built as plain LSP-shaped dicts: constructing and validating
    # 50 typed objects per keystroke cost more than the completion itself.
    edit_range = {
        "start": {"line": rng.start.line, "character": rng.start.character},
        "end": {"line": rng.end.line, "character": rng.end.character},
    }
    incomplete = len(cands) > MAX_COMPLETIONS
    items = []
    for i, c in enumerate(cands[:MAX_COMPLETIONS]):
        items.append({
            "label": c.label,
            "kind": _COMPLETION_KINDS.get(c.kind, _VALUE_KIND),
            "detail": c.kind,
            "documentation": {"kind": "markdown", "value": c.documentation},
            "sortText": f"{i:05d}",
            "textEdit": {"range": edit_range, "newText": c.label},
        })
    return JsonResult(isIncomplete=incomplete, items=items)


_YAML_KEY = re.compile(r"^(?P<lead>[ \t]*(?:-[ \t]+)?)(?P<key>Name|Config|Weights)[ \t]*:[ \t]*"
                       r"(?P<q>['\"]?)")


def complete_other(ls: MMNameServer, params: types.CompletionParams
                   ) -> Optional[types.CompletionList]:
    """Completion in a metafile value or a README code span; None: not such a place."""
    from mmname_lsp.ide.completion import complete
    from mmname_lsp.workspace.model import METAFILE, README, file_kind

    doc, index, offset = ls.session.doc_and_offset(params)
    path = document_path(doc.uri)
    kind = file_kind(path) if path else None
    line_no = params.position.line
    if line_no >= len(index.lines):
        return None
    line_start = index.starts[line_no]
    line = index.lines[line_no].rstrip("\r\n")
    col = offset - line_start
    choice = ls.session.analysis(doc).choice
    decoder = ls.session.decoder(ls.session.settings_for(doc.uri),
                                 choice.name if choice is not None else None)
    base_dir = None
    if kind == METAFILE:
        km = _YAML_KEY.match(line)
        if km is None or col < km.end():
            return None
        prefix = line[km.end():col]
        key = km.group("key")
        if key == "Config":
            context: Optional[str] = "base"
            base_dir = ls.session.index().repo_root(path) if path else None
        elif key == "Name":
            context = None
        else:
            return None
        value_start = km.end()
    elif kind == README:
        before = line[:col]
        if before.count("`") % 2 == 0:
            return None
        value_start = before.rfind("`") + 1
        prefix = before[value_start:]
        context = "model_api" if "_" not in prefix and "/" not in prefix else None
    else:
        return None
    token_start, cands = complete(prefix, context, base_dir=base_dir, decoder=decoder)
    rng = index.range(line_start + value_start + token_start, offset)
    items = []
    for i, c in enumerate(cands[:MAX_COMPLETIONS]):
        items.append(types.CompletionItem(
            label=c.label,
            kind=types.CompletionItemKind.File if c.kind == "config" else (
                types.CompletionItemKind.Folder if c.kind == "folder" else (
                    types.CompletionItemKind.Module if c.kind == "model"
                    else types.CompletionItemKind.Value)),
            detail=c.kind,
            documentation=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                              value=c.documentation),
            sort_text=f"{i:05d}",
            text_edit=types.TextEdit(range=rng, new_text=c.label),
        ))
    return types.CompletionList(is_incomplete=len(cands) > MAX_COMPLETIONS, items=items)


def register(server: MMNameServer) -> None:
    server.feature(
    types.TEXT_DOCUMENT_COMPLETION,
    types.CompletionOptions(trigger_characters=["_", "-", "'", '"', "/"], resolve_provider=False),
)(completion)
