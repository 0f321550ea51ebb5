"""`_base_` entries found quickly, without lexing the whole file: only the
statements that can hold them (``_base_ = ...`` and ``with read_base():``
blocks) are read by the Python scanner."""

from __future__ import annotations

import re
from typing import Any, List

# ---------------------------------------------------------------------------
# `_base_` entries, quickly

_BASE_STMT = re.compile(r"^_base_[ \t]*(?::[^=\n]*)?\+?=", re.MULTILINE)
_READ_BASE = re.compile(r"^([ \t]*)with[ \t]+read_base[ \t]*\([ \t]*\)[ \t]*:", re.MULTILINE)


def statement_end(text: str, i: int) -> int:
    """End of the (bracketed, maybe continued) statement starting at ``i``."""
    depth = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in "'\"":
            q = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else ch
            j = text.find(q, i + len(q))
            while j > 0 and text[j - 1] == "\\" and len(q) == 1:
                j = text.find(q, j + 1)
            if j < 0:
                return n
            i = j + len(q)
            continue
        if ch == "#":
            j = text.find("\n", i)
            if j < 0:
                return n
            i = j
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif ch == "\\" and text[i + 1 : i + 2] == "\n":
            i += 2
            continue
        elif ch == "\n" and depth == 0:
            return i
        i += 1
    return n


def block_end(text: str, start: int, indent: str) -> int:
    """End of the indented block after the line at ``start``."""
    nl = text.find("\n", start)
    if nl < 0:
        return len(text)
    i = nl + 1
    while i < len(text):
        j = text.find("\n", i)
        line = text[i : j if j >= 0 else len(text)]
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            lead = len(line) - len(line.lstrip(" \t"))
            if lead <= len(indent):
                return i
        if j < 0:
            return len(text)
        i = j + 1
    return len(text)


def base_literals(text: str) -> List[Any]:
    """The ``_base_`` entries and ``read_base()`` imports of a Python text
    (``mmname_lsp.sources.python.Occurrence`` objects, offsets into ``text``).

    Only the statements that can hold them are lexed, which makes this cheap
    enough to run over every file of a large tree."""
    has_base = "_base_" in text
    if not has_base and "read_base" not in text:
        return []
    from mmname_lsp.sources.python import BASE, BASE_IMPORT, extract_python

    out: List[Any] = []
    found_stmt = False
    for mt in _BASE_STMT.finditer(text):
        found_stmt = True
        end = statement_end(text, mt.end())
        for lit in extract_python(text[mt.start() : end], (BASE,)):
            out.append(_shift(lit, mt.start()))
    for mt in _READ_BASE.finditer(text):
        found_stmt = True
        end = block_end(text, mt.start(), mt.group(1))
        for lit in extract_python(text[mt.start() : end], (BASE_IMPORT,)):
            out.append(_shift(lit, mt.start()))
    if not found_stmt and has_base:
        # `_base_` set somewhere unusual (inside an `if`, ...): lex it all.
        out = [lit for lit in extract_python(text, (BASE, BASE_IMPORT))]
    out.sort(key=lambda o: o.start)
    return out


def _shift(lit, by: int):
    from dataclasses import replace

    return replace(lit, start=lit.start + by, end=lit.end + by) if by else lit


