"""What the workspace index keeps per file: kinds of files, references,
findings with their ranges, metafile models."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import (
    Any,
    FrozenSet,
    Mapping,
    Optional,
    Tuple,
)

from mmname_lsp.files import WalkResult, walk
from mmname_lsp.rules.consistency import Related
from mmname_lsp.text import Positions, Range, units  # noqa: F401  (units: re-exported)

# Stop walking a tree after this many files (a home folder opened by mistake).
MAX_FILES = 20_000
# Files larger than this are not read (generated data, not configs).
MAX_FILE_BYTES = 2 * 1024 * 1024

PYTHON = "python"
METAFILE = "metafile"
MODEL_INDEX = "model_index"
README = "readme"

# Occurrence sources of names outside Python files.
META_NAME = "metafile_name"
META_CONFIG = "metafile_config"
META_WEIGHTS = "metafile_weights"
MD_NAME = "markdown_name"
MD_CONFIG = "markdown_config"
MD_CHECKPOINT = "markdown_checkpoint"

# Reference kinds (from a file to another file).



def file_kind(path: str) -> Optional[str]:
    """What kind of file the index reads ``path`` as (None: not read)."""
    name = os.path.basename(path)
    low = name.lower()
    if low.endswith((".py", ".pyi")):
        return PYTHON
    if low in ("metafile.yml", "metafile.yaml"):
        return METAFILE
    if low in ("model-index.yml", "model-index.yaml"):
        return MODEL_INDEX
    if low.startswith("readme") and low.endswith(".md"):
        return README
    return None


# ---------------------------------------------------------------------------
# Records


@dataclass(frozen=True)
class Ref:
    """A reference from a file to another file, as written in it."""

    kind: str
    text: str
    start: int
    end: int
    range: Range
    target: Optional[str]  # absolute normalised path; None when it cannot be resolved


@dataclass(frozen=True)
class Hit:
    """A finding of the workspace layer: offsets for open documents, a range for
    files that are not open."""

    code: str
    severity: str
    message: str
    start: int
    end: int
    range: Range
    replacement: Optional[str] = None
    related: Tuple[Related, ...] = ()
    on_filename: bool = False


@dataclass(frozen=True)
class ModelEntry:
    """A model of a workspace metafile."""

    name: str
    path: str  # the metafile
    start: int  # span of the Name value
    end: int
    range: Range
    meta: Mapping[str, Any]  # the zoo entry
    weights_start: int = -1
    weights_end: int = -1
    weights_range: Optional[Range] = None


@dataclass
class FileRecord:
    path: str
    kind: str
    stamp: Tuple[int, int] = (0, 0)
    refs: Tuple[Ref, ...] = ()
    hits: Tuple[Hit, ...] = ()  # findings that depend on this file only
    models: Tuple[ModelEntry, ...] = ()
    suppressed: FrozenSet[str] = frozenset()  # file-scope suppressions
    line_suppressed: Mapping[int, FrozenSet[str]] = field(default_factory=dict)
    is_config: bool = False  # a named config (its file name is judged)
    # The profile that judges its names ("shared": none) and why.
    profile: str = ""
    profile_reason: str = ""
    # What the file adds to the workspace's words: names (its own file name,
    # metafile model names) and registered classes / `type` values.
    names: Tuple[str, ...] = ()
    classes: Tuple[str, ...] = ()


# ---------------------------------------------------------------------------
# Walking a tree


def walk_folder(root: str, max_files: int = MAX_FILES) -> WalkResult:
    """The files under ``root`` that the index reads (see :func:`mmname_lsp.files.walk`)."""
    return walk(root, lambda name: file_kind(name) is not None, max_files)
