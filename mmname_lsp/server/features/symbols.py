"""Semantic tokens (a name's parts coloured by role) and document symbols (the
decoded file name, then the top-level keys)."""

from __future__ import annotations

import logging
import os
import re
from typing import Any, List, Tuple

from lsprotocol import types

from mmname_lsp.naming import model as m
from mmname_lsp.server.convert import (
    ZERO_RANGE,
    LineIndex,
    document_path,
)
from mmname_lsp.server.protocol import MMNameServer
from mmname_lsp.server.session import guarded

log = logging.getLogger("mmname_lsp")


# Standard token types, so that every theme colours them without configuration.
TOKEN_TYPES = ["keyword", "class", "function", "number", "enumMember", "modifier", "string"]


ROLE_TYPES = {
    m.ALGORITHM: "keyword",
    m.MODULE: "class",
    m.PRETRAIN: "function",
    m.TRAINING: "number",
    m.DATA: "enumMember",
    m.HEADLESS: "modifier",
    m.DATE: "number",
    m.HASH: "string",
}


LEGEND = types.SemanticTokensLegend(token_types=TOKEN_TYPES, token_modifiers=[])


@guarded("semantic tokens", lambda: types.SemanticTokens(data=[]))
def semantic_tokens(ls: MMNameServer, params: types.SemanticTokensParams
                    ) -> types.SemanticTokens:
    doc = ls.session.open_document(params.text_document.uri)
    result = ls.session.analysis(doc)
    return types.SemanticTokens(data=token_data(result, ls.session.line_index(doc)))


def token_data(result, index: LineIndex) -> List[int]:
    """The relative-encoded semantic tokens of every name part of ``result``."""
    spans: List[Tuple[int, int, int]] = []
    for occ in result.occurrences:
        if occ.on_filename:
            continue
        d = occ.decoded
        if result.text[occ.start:occ.end] != d.input:
            continue  # e.g. a read_base() module: the name is not written as decoded
        for part in d.parts:
            ttype = ROLE_TYPES.get(part.role)
            if ttype is None or part.end <= part.start:
                continue
            spans.append((occ.start + part.start, occ.start + part.end,
                          TOKEN_TYPES.index(ttype)))
    spans.sort()
    data: List[int] = []
    prev_line = prev_char = 0
    last_end = -1
    for start, end, ttype in spans:
        if start < last_end:
            continue  # tokens must not overlap
        a = index.position(start)
        b = index.position(end)
        if b.line != a.line:
            continue  # a token may not span lines
        length = b.character - a.character
        if length <= 0:
            continue
        delta_line = a.line - prev_line
        delta_char = a.character - prev_char if delta_line == 0 else a.character
        data.extend([delta_line, delta_char, length, ttype, 0])
        prev_line, prev_char = a.line, a.character
        last_end = end
    return data


_TOP_ASSIGN = re.compile(r"^([A-Za-z_]\w*)[ \t]*(?::[^=\n]*)?(?:\+|-|\*|\|)?=(?!=)", re.MULTILINE)


_READ_BASE = re.compile(r"^with[ \t]+read_base[ \t]*\([ \t]*\)[ \t]*:", re.MULTILINE)


_ROLE_KIND = {
    m.ALGORITHM: types.SymbolKind.Namespace,
    m.MODULE: types.SymbolKind.Class,
    m.PRETRAIN: types.SymbolKind.Function,
    m.TRAINING: types.SymbolKind.Number,
    m.DATA: types.SymbolKind.EnumMember,
}


@guarded("document symbols", list)
def document_symbols(ls: MMNameServer, params: types.DocumentSymbolParams) -> List[Any]:
    from mmname_lsp.ide.hover import summary
    from mmname_lsp.workspace.bases import statement_end
    from mmname_lsp.workspace.model import METAFILE, PYTHON, file_kind

    doc = ls.session.open_document(params.text_document.uri)
    index = ls.session.line_index(doc)
    result = ls.session.analysis(doc)
    path = document_path(doc.uri)
    kind = file_kind(path) if path else PYTHON
    text = result.text
    symbols: List[types.DocumentSymbol] = []
    if kind == PYTHON:
        occ = result.filename_occurrence()
        if occ is not None:
            d = occ.decoded
            children = [
                types.DocumentSymbol(
                    name=f"{p.role}: {p.text}", kind=_ROLE_KIND.get(p.role,
                                                                    types.SymbolKind.Key),
                    range=ZERO_RANGE, selection_range=ZERO_RANGE,
                    detail=" · ".join(t.meaning.rstrip(".") for t in p.tokens)[:200] or None,
                )
                for p in d.parts
            ]
            symbols.append(types.DocumentSymbol(
                name=os.path.basename(path or d.input), kind=types.SymbolKind.File,
                detail=summary(d), range=ZERO_RANGE, selection_range=ZERO_RANGE,
                children=children,
            ))
        for mt in _TOP_ASSIGN.finditer(text):
            end = statement_end(text, mt.end())
            rng = index.range(mt.start(), end)
            sel = index.range(mt.start(1), mt.end(1))
            name = mt.group(1)
            symbols.append(types.DocumentSymbol(
                name=name, range=rng, selection_range=sel,
                kind=types.SymbolKind.Module if name == "_base_" else
                types.SymbolKind.Variable,
            ))
        for mt in _READ_BASE.finditer(text):
            from mmname_lsp.workspace.bases import block_end

            end = block_end(text, mt.start(), "")
            symbols.append(types.DocumentSymbol(
                name="read_base()", kind=types.SymbolKind.Module,
                range=index.range(mt.start(), end), selection_range=index.range(
                    mt.start(), mt.end()),
            ))
    elif kind == METAFILE:
        from mmname_lsp.sources.yaml_source import parse_metafile

        for model in parse_metafile(text).models:
            if model.name is None:
                continue
            end = max(model.end, model.name.end)
            symbols.append(types.DocumentSymbol(
                name=model.name.value, kind=types.SymbolKind.Class,
                detail=model.config.value if model.config else None,
                range=index.range(min(model.start, model.name.start), end),
                selection_range=index.range(model.name.start, model.name.end),
            ))
    symbols.sort(key=lambda s: (s.range.start.line, s.range.start.character))
    caps = ls.client_capabilities.text_document
    hierarchical = bool(caps and caps.document_symbol
                        and caps.document_symbol.hierarchical_document_symbol_support)
    if hierarchical:
        return symbols
    return [
        types.SymbolInformation(name=s.name, kind=s.kind,
                                location=types.Location(uri=doc.uri, range=s.range))
        for s in symbols
    ]


def register(server: MMNameServer) -> None:
    server.feature(types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL, LEGEND)(semantic_tokens)
    server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)(document_symbols)
