"""Finding where a model name is written in files (references)."""

from __future__ import annotations

import re
from typing import (
    List,
    Mapping,
    Sequence,
    Tuple,
)

from mmname_lsp.files import read_regular
from mmname_lsp.text import Positions, Range, units  # noqa: F401  (units: re-exported)
from mmname_lsp.workspace.index import WorkspaceIndex
from mmname_lsp.workspace.model import MAX_FILE_BYTES, METAFILE, PYTHON, README

# ---------------------------------------------------------------------------
# Finding a name in files (references)

_WORD_EDGE = r"[\w.-]"


def find_in_text(text: str, name: str) -> List[Tuple[int, int]]:
    """Spans where ``name`` stands in ``text`` as a whole name (not inside a
    longer one; a checkpoint ``name_2021...`` counts)."""
    if not name or name not in text:
        return []
    out = []
    pat = re.compile(rf"(?<!{_WORD_EDGE}){re.escape(name)}"
                     r"(?!(?!_\d{8}-)[\w-]|\.(?!py\b|pth\b)\w)")
    for mt in pat.finditer(text):
        out.append((mt.start(), mt.end()))
    return out


def find_name(
    index: WorkspaceIndex,
    name: str,
    overlay: Mapping[str, str] = {},  # noqa: B006 - read only
    kinds: Sequence[str] = (PYTHON, METAFILE, README),
) -> List[Tuple[str, int, int, Range]]:
    """Every (path, start, end, range) where ``name`` stands in the indexed files
    (open buffers from ``overlay`` win over the disk)."""
    out = []
    for path in sorted(index.files):
        record = index.files[path]
        if record.kind not in kinds:
            continue
        text = overlay.get(path)
        if text is None:
            try:
                text = read_regular(path, MAX_FILE_BYTES).decode("utf-8", "replace")
            except OSError:
                continue
        spans = find_in_text(text, name)
        if not spans:
            continue
        pos = Positions(text, index.encoding)
        for a, b in spans:
            out.append((path, a, b, pos.range(a, b)))
    return out
