"""Hover on a name (its parts and words, problems, zoo entry) and the code lens
that decodes a config's file name."""

from __future__ import annotations

import logging
from typing import List, Optional, Tuple

from lsprotocol import types

from mmname_lsp.analysis import Analysis, Occurrence
from mmname_lsp.server.protocol import MMNameServer
from mmname_lsp.server.session import guarded

log = logging.getLogger("mmname_lsp")


def _findings_of(result: Analysis, occ: Occurrence) -> List[Tuple[str, str, str]]:
    return [(f.code, f.severity, f.message) for f in result.findings if f.occurrence is occ]


@guarded("hover")
def hover(ls: MMNameServer, params: types.HoverParams) -> Optional[types.Hover]:
    from mmname_lsp.ide.hover import hover_markdown, rule_hover

    doc, index, offset = ls.session.doc_and_offset(params)
    rule = rule_hover(doc.source, offset)
    if rule is not None:
        md, start, end = rule
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=md),
                           range=index.range(start, end))
    result = ls.session.analysis(doc)
    occ = result.occurrence_at(offset)
    if occ is not None:
        md = hover_markdown(occ.decoded, offset - occ.start, _findings_of(result, occ))
        rng = index.range(occ.start, occ.end)
    elif params.position.line == 0 and result.filename_occurrence() is not None:
        occ = result.filename_occurrence()
        md = "File name: " + hover_markdown(occ.decoded, None, _findings_of(result, occ),
                                            result.facts)
        rng = index.first_line_range()
    else:
        return None
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=md), range=rng
    )


@guarded("code lens", list)
def code_lens(ls: MMNameServer, params: types.CodeLensParams) -> List[types.CodeLens]:
    from mmname_lsp.ide.hover import summary

    doc = ls.session.open_document(params.text_document.uri)
    occ = ls.session.analysis(doc).filename_occurrence()
    if occ is None:
        return []
    title = f"mmname: {summary(occ.decoded)}"
    return [
        types.CodeLens(
            range=types.Range(start=types.Position(0, 0), end=types.Position(0, 0)),
            command=types.Command(title=title, command=""),
        )
    ]


def register(server: MMNameServer) -> None:
    server.feature(types.TEXT_DOCUMENT_HOVER)(hover)
    server.feature(types.TEXT_DOCUMENT_CODE_LENS)(code_lens)
