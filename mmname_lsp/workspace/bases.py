"""`_base_` entries found quickly (without resolving the config): where they
stand, what they point at, and how to write a reference to a moved file."""

from __future__ import annotations

import os
from typing import Optional

from mmname_lsp.rules.references import (
    REF_BASE_IMPORT,
)
from mmname_lsp.sources.bases import (  # noqa: F401  (re-exported)
    base_literals,
    block_end,
    statement_end,
)
from mmname_lsp.sources.python import module_to_path
from mmname_lsp.text import Positions, Range, units  # noqa: F401  (units: re-exported)


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
