"""`_base_` entries found quickly (without resolving the config): where they
stand, what they point at, and how to write a reference to a moved file."""

from __future__ import annotations

import os
import re
from typing import (
    Any,
    List,
    Optional,
)

from mmname_lsp.rules.references import (
    REF_BASE_IMPORT,
)
from mmname_lsp.sources.python import module_to_path
from mmname_lsp.text import Positions, Range, units  # noqa: F401  (units: re-exported)

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


def base_target(path: str, text: str, context: str) -> Optional[str]:
    """Absolute path a `_base_` entry ``text`` of the file ``path`` points to."""
    if "::" in text:
        return None  # scoped (mmdet::...): another package
    rel = module_to_path(text) if context == REF_BASE_IMPORT else text
    if not rel:
        return None
    return os.path.normpath(os.path.join(os.path.dirname(path), rel))


def relative_reference(from_file: str, target: str, context: str, old_text: str) -> str:
    """How the file ``from_file`` names ``target`` in a `_base_` entry, in the
    style of ``old_text`` (``./`` kept; a dotted module for read_base imports)."""
    rel = os.path.relpath(target, os.path.dirname(from_file)).replace(os.sep, "/")
    if context == REF_BASE_IMPORT:
        stem = rel[:-3] if rel.endswith(".py") else rel
        parts = stem.split("/")
        ups = 0
        while parts and parts[0] == "..":
            ups += 1
            parts.pop(0)
        return "." * (ups + 1) + ".".join(parts)
    if old_text.startswith("./") and not rel.startswith("../"):
        rel = "./" + rel
    return rel
