"""Where names stand in a README (Markdown): code spans, table cells, links,
bare URLs and fenced code blocks.

:func:`extract_markdown` returns every span that may hold a model name, a
config path or a checkpoint URL, with code-point offsets into the text.  It is
a small line-based reader, not a full CommonMark parser: it knows fenced code
blocks (```` ``` ```` and ``~~~``), inline code spans, ``[text](target)``
links, pipe tables and bare ``http(s)://`` URLs, which is what MMPretrain's
READMEs use.  It never fails on odd input.

Pure: no editor protocol, no file access.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import List

__all__ = ["CODE", "LINK", "TABLE", "URL", "Fence", "MdSpan", "Markdown", "extract_markdown"]

CODE = "code"  # an inline code span's content
TABLE = "table"  # the plain text of a table cell (no code span, no link)
LINK = "link"  # the target of a [text](target) link
URL = "url"  # a bare URL (also inside fenced blocks)


@dataclass(frozen=True)
class MdSpan:
    kind: str
    text: str
    start: int
    end: int
    label: str = ""  # the link text, for LINK
    in_table: bool = False
    column: int = -1  # table column, when in a table row


@dataclass(frozen=True)
class Fence:
    lang: str
    start: int  # offsets of the block's content (between the fence lines)
    end: int


@dataclass
class Markdown:
    spans: List[MdSpan] = field(default_factory=list)
    fences: List[Fence] = field(default_factory=list)


_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})[ \t]*([\w+.-]*)")
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_LINK = re.compile(r"!?\[((?:[^\[\]\\]|\\.)*)\]\(\s*<?([^()\s<>]+(?:\([^()\s]*\)[^()\s<>]*)*)>?"
                   r"(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
_BARE_URL = re.compile(r"https?://[^\s<>()\[\]`'\"|]+")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def extract_markdown(text: str) -> Markdown:
    out = Markdown()
    fence_char = ""
    fence_len = 0
    fence_lang = ""
    fence_start = 0
    for mt in re.finditer(r"[^\r\n]*(?:\r\n|\r|\n|$)", text):
        if mt.start() == len(text) and not mt.group():
            break
        raw = mt.group()
        line = raw.rstrip("\r\n")
        start = mt.start()
        fm = _FENCE.match(line)
        if fence_char:
            if fm and fm.group(1)[0] == fence_char and len(fm.group(1)) >= fence_len \
                    and not line[fm.end():].strip():
                out.fences.append(Fence(fence_lang, fence_start, start))
                fence_char = ""
                continue
            _bare_urls(line, start, out, ())
            continue
        if fm:
            fence_char, fence_len = fm.group(1)[0], len(fm.group(1))
            fence_lang = fm.group(2).lower()
            fence_start = mt.end()
            continue
        _line(line, start, out)
    if fence_char:  # an unclosed block runs to the end (mid-edit)
        out.fences.append(Fence(fence_lang, fence_start, len(text)))
    return out


def _line(line: str, start: int, out: Markdown) -> None:
    taken: List[range] = []
    in_table = line.lstrip().startswith("|") and not _TABLE_RULE.match(line)
    cells: List[range] = []
    if in_table:
        pos = 0
        for cm in _CELL_SPLIT.finditer(line):
            cells.append(range(pos, cm.start()))
            pos = cm.end()
        cells.append(range(pos, len(line)))
        cells = cells[1:]  # before the leading pipe

    def column(i: int) -> int:
        for k, c in enumerate(cells):
            if c.start <= i <= c.stop:
                return k
        return -1

    for cm in _CODE_SPAN.finditer(line):
        body = cm.group(2)
        lead = len(body) - len(body.lstrip(" "))
        content = body.strip(" ")
        if content:
            s = cm.start(2) + lead
            out.spans.append(MdSpan(CODE, content, start + s, start + s + len(content),
                                    in_table=in_table, column=column(s) if in_table else -1))
        taken.append(range(cm.start(), cm.end()))
    for lm in _LINK.finditer(line):
        if any(lm.start() in r for r in taken):
            continue
        target = lm.group(2)
        out.spans.append(MdSpan(LINK, target, start + lm.start(2), start + lm.end(2),
                                label=lm.group(1), in_table=in_table,
                                column=column(lm.start()) if in_table else -1))
        taken.append(range(lm.start(), lm.end()))
    _bare_urls(line, start, out, taken)
    if in_table:
        for k, c in enumerate(cells):
            cell = line[c.start:c.stop]
            content = cell.strip()
            if not content or any(c.start <= r.start < c.stop for r in taken):
                continue
            if "`" in content or "[" in content or " " in content:
                continue
            s = c.start + (len(cell) - len(cell.lstrip()))
            out.spans.append(MdSpan(TABLE, content, start + s, start + s + len(content),
                                    in_table=True, column=k))


def _bare_urls(line: str, start: int, out: Markdown, taken) -> None:
    if "://" not in line:
        return
    for um in _BARE_URL.finditer(line):
        if any(um.start() in r for r in taken):
            continue
        url = um.group().rstrip(".,;:")
        out.spans.append(MdSpan(URL, url, start + um.start(), start + um.start() + len(url)))
