"""Rules about what a name points at: missing or broken `_base_` files
(MMN201, MMN291, MMN292), unknown zoo models (MMN202), metafile, README and
model-index references to files that do not exist (MMN207, MMN210, MMN211),
duplicate model names (MMN209) and YAML that does not parse (MMN212).

Each returns :class:`~mmname_lsp.naming.model.Problem` objects with offsets;
the analysis pipeline and the workspace index place them.
"""

from __future__ import annotations

import difflib
import os
from functools import lru_cache
from typing import Any, Optional, Sequence, Tuple

from mmname_lsp.findings import problem
from mmname_lsp.naming.model import Problem

# Reference kinds (where a path is written): a `_base_` entry, a read_base()
# import, a metafile's Config, a model index's Import, a README link.
REF_BASE = "base"
REF_BASE_IMPORT = "base_import"
REF_CONFIG = "config"
REF_IMPORT = "import"
REF_LINK = "link"
_MISSING_CODES = {REF_CONFIG: "MMN207", REF_LINK: "MMN210", REF_IMPORT: "MMN211"}


def missing_reference(kind: str, found: str, target: str, start: int, end: int
                      ) -> Problem:
    """``found`` (a reference of ``kind``) points at ``target``, which is not a file."""
    if kind in (REF_BASE, REF_BASE_IMPORT):
        where = "is a folder" if os.path.isdir(target) else f"looked for {target}"
        return problem("MMN201", start, end, found=found, where=where)
    return problem(_MISSING_CODES[kind], start, end, found=found, where=target)


def broken_base(kind: str, found: str, detail: str, start: int, end: int) -> Problem:
    """A base reached through ``found`` is part of a cycle (``kind`` "cycle") or
    cannot be read."""
    if kind == "cycle":
        return problem("MMN291", start, end, found=detail, detail=detail)
    return problem("MMN292", start, end, found=found, detail=detail)


def unknown_model(found: str, names: Sequence[str], start: int, end: int,
                  zoo: str = "MMPretrain") -> Problem:
    """``found`` is not a model of the zoo (whose model names are ``names``;
    ``zoo`` the title of its repository)."""
    stem = found[:-3] if found.endswith(".py") else found
    guess = closest_model(stem, tuple(names))
    hint = f"; did you mean `{guess}`?" if guess else ""
    return problem("MMN202", start, end, replacement=guess, found=found, hint=hint, zoo=zoo)


@lru_cache(maxsize=1024)
def closest_model(name: str, names: Tuple[str, ...]) -> Optional[str]:
    found = difflib.get_close_matches(name, names, n=1, cutoff=0.8)
    return found[0] if found else None


def duplicate_model(name: str, start: int, end: int, where: str,
                    related: Sequence[Any]) -> Problem:
    return problem("MMN209", start, end, related=tuple(related), found=name, where=where)


def yaml_error(detail: str, offset: int) -> Problem:
    return problem("MMN212", offset, offset, detail=detail)
