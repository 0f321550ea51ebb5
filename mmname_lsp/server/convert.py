"""Core results -> LSP types, at the edge: code-point offsets to the client's
position encoding, findings and workspace hits to diagnostics, related
locations, file URIs to paths."""

from __future__ import annotations

from bisect import bisect_right
from typing import Any, Dict, List, Optional, Sequence, Tuple

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import ServerTextPosition, TextDocument

from mmname_lsp.codes import RULES
from mmname_lsp.findings import Finding

SOURCE = "mmname"
SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}
ZERO_RANGE = types.Range(start=types.Position(0, 0), end=types.Position(0, 0))


class JsonResult(dict):
    """An answer built in its JSON shape (plain dicts, lists, strings and
    numbers): the protocol's converter sends it as it is.  cattrs would
    otherwise walk a plain dict given for a union-typed result (completion's
    ``CompletionList | list | None``) key by key, which cost more than
    building 50 completion items (see :func:`json_converter`)."""


def json_converter() -> Any:
    """pygls's converter, with :class:`JsonResult` passed through untouched."""
    from pygls.protocol import default_converter

    converter = default_converter()
    converter.register_unstructure_hook(JsonResult, lambda value: value)
    return converter


def document_path(uri: str) -> Optional[str]:
    if not uri.startswith("file:"):
        return None  # untitled: documents: no file name, no folder
    try:
        return to_fs_path(uri)
    except Exception:  # noqa: BLE001
        return None


class LineIndex:
    """Code-point offsets <-> client positions, in O(log n) per conversion."""

    def __init__(self, doc: TextDocument) -> None:
        self.doc = doc
        self.lines = doc.lines
        starts = [0]
        total = 0
        for line in self.lines:
            total += len(line)
            starts.append(total)
        self.starts = starts

    def position(self, offset: int) -> types.Position:
        offset = max(0, min(offset, self.starts[-1]))
        line = max(0, bisect_right(self.starts, offset) - 1)
        if line >= len(self.lines):
            if not self.lines:
                return types.Position(line=0, character=0)
            line = len(self.lines) - 1
        col = offset - self.starts[line]
        return self.doc.position_codec.position_to_client_units(
            self.lines, ServerTextPosition(line=line, character=col)
        )

    def range(self, start: int, end: int) -> types.Range:
        return types.Range(start=self.position(start), end=self.position(end))

    def first_line_range(self) -> types.Range:
        if not self.lines:
            return types.Range(start=types.Position(0, 0), end=types.Position(0, 0))
        first = self.lines[0].rstrip("\r\n")
        return types.Range(start=types.Position(0, 0), end=self.position(len(first)))

    def offset(self, pos: types.Position) -> int:
        if pos.line >= len(self.lines):
            return self.starts[-1]
        line = self.lines[pos.line]
        server = self.doc.position_codec.position_from_client_units(self.lines, pos)
        return self.starts[pos.line] + min(server.character, len(line))


def to_lsp_range(r: Tuple[int, int, int, int]) -> types.Range:
    """A range already in the client's units (the workspace index's)."""
    return types.Range(start=types.Position(r[0], r[1]), end=types.Position(r[2], r[3]))


_CODE_DESCRIPTIONS: Dict[str, types.CodeDescription] = {}


def code_description(code: str) -> Optional[types.CodeDescription]:
    desc = _CODE_DESCRIPTIONS.get(code)
    if desc is None and code in RULES:
        desc = _CODE_DESCRIPTIONS[code] = types.CodeDescription(href=RULES[code].url)
    return desc


def related_information(related: Sequence[Any]
                        ) -> Optional[List[types.DiagnosticRelatedInformation]]:
    """LSP related information from the core's `Related` locations (0-based)."""
    if not related:
        return None
    return [
        types.DiagnosticRelatedInformation(
            location=types.Location(
                uri=from_fs_path(r.file) or r.file,
                range=types.Range(start=types.Position(r.line, r.col),
                                  end=types.Position(r.end_line, r.end_col)),
            ),
            message=r.message,
        )
        for r in related
    ]


def diagnostic(code: str, severity: str, message: str, rng: types.Range,
               related: Sequence[Any] = (), data: Any = None) -> types.Diagnostic:
    """The one place an mmname diagnostic is built (documents and the index)."""
    return types.Diagnostic(
        range=rng,
        message=message,
        severity=SEVERITY.get(severity, types.DiagnosticSeverity.Warning),
        code=code,
        code_description=code_description(code),
        source=SOURCE,
        data=data,
        related_information=related_information(related),
    )


def to_diagnostic(f: Finding, index: LineIndex) -> types.Diagnostic:
    """A finding of an open document."""
    rng = index.first_line_range() if f.on_filename else index.range(f.start, f.end)
    data = None
    if f.replacement is not None:
        data = {"replacement": f.replacement, "start": f.start, "end": f.end}
        if f.on_filename and f.occurrence is not None:
            d = f.occurrence.decoded
            data["filename"] = d.input
            data["name_start"] = d.name_start
    return diagnostic(f.code, f.severity, f.message, rng, f.related, data)


def hit_to_diagnostic(h: Any) -> types.Diagnostic:
    """A finding of the workspace index (a file that is not open; its range is
    already in the client's units)."""
    return diagnostic(h.code, h.severity, h.message, to_lsp_range(h.range), h.related)
