"""The whole workspace: every config, metafile, model index and README, and the
links between them.  Pure Python (no editor protocol types): the language
server drives it (``mmname_lsp.server.workspace``) and tests use it directly.

What it holds, per file (:class:`FileRecord`):

* configs (``.py``): their ``_base_`` entries (old style and ``read_base()``
  imports) with the absolute path each points to, and the file-name findings;
* ``metafile.yml``: each model's ``Name``, ``Config``, ``Weights`` (values with
  their spans) and its zoo entry, and the findings where the name contradicts
  the metadata;
* ``model-index.yml``: its ``Import`` entries;
* ``README*.md``: links to config files.

and across files: the reverse index of ``_base_`` inheritance (who inherits a
base, directly or not), the model names with where each is defined, and the
zoo made of the workspace's own metafiles.

Findings that depend on other files (a missing base, a metafile ``Config``
that points nowhere, a duplicate model name, a README link to a missing
config) are computed when asked for (:meth:`WorkspaceIndex.report`), so that a
deleted or created file changes them at once.

Positions: every span is kept as code-point offsets *and* as a range in the
client's position encoding (``utf-16``, ``utf-8`` or ``utf-32``), computed at
indexing time, so that findings of files that are not open can be sent without
reading them again.
"""

from __future__ import annotations

import gc
import os
import re
from dataclasses import dataclass, field
from typing import (
    Any,
    Callable,
    Dict,
    FrozenSet,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Set,
    Tuple,
)

from mmname_lsp.analysis import Analysis, Finding, Occurrence, analyse, settings_decoder
from mmname_lsp.codes import RULES
from mmname_lsp.files import WalkResult, walk
from mmname_lsp.naming import model as m
from mmname_lsp.naming.model import Problem
from mmname_lsp.rules.consistency import Related
from mmname_lsp.rules.metafile import count_of, metafile_name_issues
from mmname_lsp.rules.references import (
    REF_BASE,
    REF_BASE_IMPORT,
    REF_CONFIG,
    REF_IMPORT,
    REF_LINK,
    duplicate_model,
    missing_reference,
    yaml_error,
)
from mmname_lsp.rules.suppressions import find_suppressions
from mmname_lsp.settings import Settings
from mmname_lsp.sources.python import module_to_path
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


# ---------------------------------------------------------------------------
# Walking a tree


def walk_folder(root: str, max_files: int = MAX_FILES) -> WalkResult:
    """The files under ``root`` that the index reads (see :func:`mmname_lsp.files.walk`)."""
    return walk(root, lambda name: file_kind(name) is not None, max_files)


# ---------------------------------------------------------------------------
# `_base_` entries, quickly

_BASE_STMT = re.compile(r"^_base_[ \t]*(?::[^=\n]*)?\+?=", re.MULTILINE)
_READ_BASE = re.compile(r"^([ \t]*)with[ \t]+read_base[ \t]*\([ \t]*\)[ \t]*:", re.MULTILINE)


def _statement_end(text: str, i: int) -> int:
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


def _block_end(text: str, start: int, indent: str) -> int:
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
        end = _statement_end(text, mt.end())
        for lit in extract_python(text[mt.start() : end], (BASE,)):
            out.append(_shift(lit, mt.start()))
    for mt in _READ_BASE.finditer(text):
        found_stmt = True
        end = _block_end(text, mt.start(), mt.group(1))
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


def zoo_entry(model, collections: Mapping[str, Any], metafile: str) -> Dict[str, Any]:
    """The zoo's dictionary for a metafile model (the keys ``naming.zoo`` uses)."""
    weights = model.weights.value if model.weights is not None else None
    coll = collections.get(model.collection) if model.collection else None
    return {
        "config": model.config.value if model.config is not None else None,
        "weights": weights,
        "checkpoint": weights.split("?", 1)[0].rsplit("/", 1)[-1] if weights else None,
        "top1": model.top1,
        "top1_dataset": model.top1_dataset,
        "parameters": model.parameters,
        "flops": model.flops,
        "epochs": count_of(model.epochs.value) if model.epochs is not None else None,
        "batch_size": count_of(model.batch_size.value) if model.batch_size is not None else None,
        "collection": model.collection,
        "paper": getattr(coll, "paper_title", None),
        "paper_url": getattr(coll, "paper_url", None),
        "converted_from": model.converted_code,
        "training_data": [s.value for s in model.training_data] or None,
        "metafile": metafile,
    }


# ---------------------------------------------------------------------------
# The index


class WorkspaceIndex:
    """Every indexed file of the workspace's folders, and the links between them."""

    def __init__(
        self,
        encoding: str = "utf-16",
        *,
        settings_for: Optional[Callable[[str], Settings]] = None,
        published: Optional[Callable[[str], bool]] = None,
    ) -> None:
        self.encoding = encoding
        self.roots: List[str] = []
        self.files: Dict[str, FileRecord] = {}
        self._inheritors: Dict[str, Set[str]] = {}
        self._models: Dict[str, List[ModelEntry]] = {}
        self._settings_for = settings_for or (lambda path: Settings())
        self._published = published or _published_default
        self._repo_roots: Dict[str, str] = {}
        self.generation = 0
        self.truncated: List[str] = []  # roots whose walk hit MAX_FILES

    # -- folders ----------------------------------------------------------------

    def add_root(self, root: str) -> None:
        root = os.path.normpath(os.path.abspath(root))
        if root not in self.roots:
            self.roots.append(root)
            self._repo_roots.clear()

    def remove_root(self, root: str) -> List[str]:
        root = os.path.normpath(os.path.abspath(root))
        if root in self.roots:
            self.roots.remove(root)
        self._repo_roots.clear()
        gone = [p for p in self.files if _under(p, root)
                and not any(_under(p, r) for r in self.roots)]
        for p in gone:
            self.remove(p)
        return gone

    def root_of(self, path: str) -> Optional[str]:
        best = None
        for r in self.roots:
            if _under(path, r) and (best is None or len(r) > len(best)):
                best = r
        return best

    def repo_root(self, path: str) -> str:
        """The folder that holds ``model-index.yml`` above ``path`` (within its
        workspace folder), else the workspace folder (else ``path``'s folder)."""
        folder = os.path.dirname(path)
        cached = self._repo_roots.get(folder)
        if cached is not None:
            return cached
        top = self.root_of(path)
        here = folder
        found = None
        while True:
            if os.path.isfile(os.path.join(here, "model-index.yml")):
                found = here
                break
            if top is None or here == top:
                break
            parent = os.path.dirname(here)
            if parent == here or (top is not None and not _under(parent, top)):
                break
            here = parent
        result = found or top or folder
        self._repo_roots[folder] = result
        return result

    def iter_index_root(self, root: str, max_files: int = MAX_FILES) -> Iterator[Tuple[int, int]]:
        """Index every file under ``root``; yields (done, total) as it goes, so
        that a caller can interleave other work and report progress."""
        self.add_root(root)
        result = walk_folder(root, max_files)
        if result.truncated and root not in self.truncated:
            self.truncated.append(root)
        total = len(result.files)
        # Metafiles first: the configs' hover and the names' checks use the zoo.
        order = sorted(result.files, key=lambda p: file_kind(p) != METAFILE)
        yield 0, total
        for i, path in enumerate(order, 1):
            # The records are acyclic and long-lived: a cyclic garbage collection
            # in the middle of indexing only walks them again (a third of the time).
            enabled = gc.isenabled()
            gc.disable()
            try:
                self.index_file(path)
            except Exception:  # noqa: BLE001 - one bad file never stops the walk
                import logging

                logging.getLogger("mmname_lsp").exception("indexing %s failed", path)
            finally:
                if enabled:
                    gc.enable()
            yield i, total

    def index_root(self, root: str, max_files: int = MAX_FILES) -> None:
        for _ in self.iter_index_root(root, max_files):
            pass

    # -- files --------------------------------------------------------------------

    def index_file(self, path: str, text: Optional[str] = None) -> Optional[FileRecord]:
        """(Re)read ``path`` (or take ``text``, an editor's buffer) into the index."""
        path = os.path.normpath(os.path.abspath(path))
        kind = file_kind(path)
        if kind is None:
            self.remove(path)
            return None
        stamp = (0, 0)
        if text is None:
            try:
                st = os.stat(path)
                if st.st_size > MAX_FILE_BYTES:
                    self.remove(path)
                    return None
                stamp = (st.st_mtime_ns, st.st_size)
                old = self.files.get(path)
                if old is not None and old.stamp == stamp and stamp != (0, 0):
                    return old
                with open(path, encoding="utf-8", errors="replace") as fh:
                    text = fh.read()
            except OSError:
                self.remove(path)
                return None
        if text.startswith("\ufeff"):
            text = text[1:] if kind == PYTHON else text
        if kind == PYTHON:
            record = self._python_record(path, text)
        elif kind == METAFILE:
            record = self._metafile_record(path, text)
        elif kind == MODEL_INDEX:
            record = self._model_index_record(path, text)
        else:
            record = self._readme_record(path, text)
        record.stamp = stamp
        self._put(record)
        return record

    def remove(self, path: str) -> List[str]:
        """Forget ``path`` (a file, or every file under a folder); returns them."""
        path = os.path.normpath(os.path.abspath(path))
        gone = [path] if path in self.files else [p for p in self.files if _under(p, path)]
        for p in gone:
            self._drop(p)
            del self.files[p]
        if gone:
            self.generation += 1
        return gone

    def _put(self, record: FileRecord) -> None:
        if record.path in self.files:
            self._drop(record.path)
        self.files[record.path] = record
        for ref in record.refs:
            if ref.kind in (REF_BASE, REF_BASE_IMPORT) and ref.target:
                self._inheritors.setdefault(ref.target, set()).add(record.path)
        for entry in record.models:
            self._models.setdefault(entry.name, []).append(entry)
        self.generation += 1

    def _drop(self, path: str) -> None:
        old = self.files.get(path)
        if old is None:
            return
        for ref in old.refs:
            if ref.target and ref.target in self._inheritors:
                users = self._inheritors[ref.target]
                users.discard(path)
                if not users:
                    del self._inheritors[ref.target]
        for entry in old.models:
            entries = self._models.get(entry.name)
            if entries:
                entries[:] = [e for e in entries if e.path != path]
                if not entries:
                    del self._models[entry.name]

    def _suppressions(self, record: FileRecord, text: str) -> None:
        if "mmname:" not in text:
            return
        file_codes: Set[str] = set()
        lines: Dict[int, FrozenSet[str]] = {}
        for s in find_suppressions(text):
            if s.scope == "file":
                file_codes.update(s.codes)
            else:
                lines[s.line] = lines.get(s.line, frozenset()) | frozenset(s.codes)
        record.suppressed = frozenset(file_codes)
        record.line_suppressed = lines

    def _python_record(self, path: str, text: str) -> FileRecord:
        record = FileRecord(path, PYTHON)
        pos: Optional[Positions] = None
        refs = []
        for lit in base_literals(text):
            pos = pos or Positions(text, self.encoding)
            target = base_target(path, lit.text, lit.context)
            refs.append(Ref(lit.context, lit.text, lit.start, lit.end,
                            pos.range(lit.start, lit.end), target))
        record.refs = tuple(refs)
        hits = []
        name = os.path.basename(path)
        # The file name only (the content is analysed when the file is open);
        # `_base_` files and private helpers are never judged.
        if not name.startswith("_") and name.endswith(".py") and not _in_base_folder(path):
            settings = self._settings_for(path)
            result = analyse("", path, settings, consistency=False)
        else:
            result = None
        if result is not None and result.filename_occurrence() is not None:
            record.is_config = True
            pos = pos or Positions(text, self.encoding)
            first = pos.first_line()
            for f in result.findings:
                if f.on_filename:
                    hits.append(Hit(f.code, f.severity, f.message, 0, 0, first, f.replacement,
                                    on_filename=True))
        record.hits = tuple(hits)
        self._suppressions(record, text)
        return record

    def _metafile_record(self, path: str, text: str) -> FileRecord:
        from mmname_lsp.sources.yaml_source import parse_metafile

        record = FileRecord(path, METAFILE)
        mf = parse_metafile(text, urls=False)
        pos = Positions(text, self.encoding)
        decoder = settings_decoder(self._settings_for(path))
        root = self.repo_root(path)
        refs = []
        models = []
        hits = []
        for model in mf.models:
            if model.config is not None:
                target = os.path.normpath(os.path.join(root, model.config.value))
                refs.append(Ref(REF_CONFIG, model.config.value, model.config.start,
                                model.config.end,
                                pos.range(model.config.start, model.config.end), target))
            if model.name is None:
                continue
            entry = zoo_entry(model, mf.collections, path)
            w = model.weights
            models.append(ModelEntry(
                model.name.value, path, model.name.start, model.name.end,
                pos.range(model.name.start, model.name.end), entry,
                w.start if w else -1, w.end if w else -1,
                pos.range(w.start, w.end) if w else None,
            ))
            for issue in metafile_name_issues(model, decoder, self._published):
                hits.append(_hit(issue, pos))
        if mf.error is not None:
            msg, off = mf.error
            hits.append(_hit(yaml_error(msg, off), pos))
        record.refs = tuple(refs)
        record.models = tuple(models)
        record.hits = tuple(hits)
        return record

    def _model_index_record(self, path: str, text: str) -> FileRecord:
        from mmname_lsp.sources.yaml_source import parse_metafile

        record = FileRecord(path, MODEL_INDEX)
        mf = parse_metafile(text, urls=False)
        pos = Positions(text, self.encoding)
        folder = os.path.dirname(path)
        record.refs = tuple(
            Ref(REF_IMPORT, s.value, s.start, s.end, pos.range(s.start, s.end),
                os.path.normpath(os.path.join(folder, s.value)))
            for s in mf.imports
        )
        hits = []
        if mf.error is not None:
            msg, off = mf.error
            hits.append(_hit(yaml_error(msg, off), pos))
        record.hits = tuple(hits)
        return record

    def _readme_record(self, path: str, text: str) -> FileRecord:
        record = FileRecord(path, README)
        if ".py" not in text:
            return record
        pos = Positions(text, self.encoding)
        refs = []
        for span, target in readme_config_links(text, path, self.repo_root(path)):
            refs.append(Ref(REF_LINK, span.text, span.start, span.end,
                            pos.range(span.start, span.end), target))
        record.refs = tuple(refs)
        return record

    # -- questions -------------------------------------------------------------------

    def inheritors(self, path: str, transitive: bool = True) -> List[str]:
        """Files whose `_base_` names ``path`` (and, transitively, their inheritors)."""
        path = os.path.normpath(os.path.abspath(path))
        seen: Set[str] = set()
        todo = [path]
        while todo:
            cur = todo.pop()
            for user in sorted(self._inheritors.get(cur, ())):
                if user not in seen and user != path:
                    seen.add(user)
                    if transitive:
                        todo.append(user)
        return sorted(seen)

    def refs_to(self, target: str, kinds: Iterable[str] = (REF_BASE, REF_BASE_IMPORT)
                ) -> List[Tuple[str, Ref]]:
        """(file, reference) pairs that point at ``target`` (or into it, for a folder)."""
        target = os.path.normpath(os.path.abspath(target))
        kinds = set(kinds)
        out = []
        for path, record in self.files.items():
            for ref in record.refs:
                if ref.kind in kinds and ref.target and (
                    ref.target == target or _under(ref.target, target)
                ):
                    out.append((path, ref))
        out.sort(key=lambda pr: (pr[0], pr[1].start))
        return out

    def models(self, name: str) -> List[ModelEntry]:
        return list(self._models.get(name, ()))

    def model_names(self) -> List[str]:
        return sorted(self._models)

    def model_of_checkpoint(self, text: str) -> Optional[ModelEntry]:
        file = text.split("?", 1)[0].rsplit("/", 1)[-1]
        if not file:
            return None
        for entries in self._models.values():
            for e in entries:
                if e.meta.get("checkpoint") == file:
                    return e
        return None

    def models_of_config(self, path: str) -> List[ModelEntry]:
        path = os.path.normpath(os.path.abspath(path))
        out = []
        for record in self.files.values():
            if record.kind != METAFILE:
                continue
            for ref in record.refs:
                if ref.kind == REF_CONFIG and ref.target == path:
                    for e in record.models:
                        if e.meta.get("config") == ref.text:
                            out.append(e)
        seen = set()
        unique = []
        for e in out:
            if (e.name, e.path, e.start) not in seen:
                seen.add((e.name, e.path, e.start))
                unique.append(e)
        return unique

    def zoo_models(self) -> Tuple[Dict[str, Dict[str, Any]], Dict[str, str], Dict[str, List[str]]]:
        """(models, checkpoints, configs) of the workspace's metafiles, for naming.zoo.Zoo."""
        models: Dict[str, Dict[str, Any]] = {}
        checkpoints: Dict[str, str] = {}
        configs: Dict[str, List[str]] = {}
        for path in sorted(self.files):
            record = self.files[path]
            for e in record.models:
                meta = dict(e.meta)
                models[e.name] = meta
                if meta.get("checkpoint"):
                    checkpoints[meta["checkpoint"]] = e.name
                if meta.get("config"):
                    configs.setdefault(meta["config"], []).append(e.name)
        return models, checkpoints, configs

    def zoo_signature(self) -> Tuple:
        """Changes when the workspace zoo does (cheap to compare)."""
        return tuple(sorted(
            (e.name, e.path, e.meta.get("config"), e.meta.get("checkpoint"),
             e.meta.get("epochs"), e.meta.get("batch_size"), e.meta.get("top1"))
            for entries in self._models.values() for e in entries
        ))

    # -- findings -----------------------------------------------------------------------

    def report(self, path: str, exists: Callable[[str], bool] = os.path.isfile) -> List[Hit]:
        """Findings of an indexed file that is not open, with settings applied."""
        path = os.path.normpath(os.path.abspath(path))
        record = self.files.get(path)
        if record is None:
            return []
        settings = self._settings_for(path)
        if not settings.enable:
            return []
        hits = list(record.hits)
        hits.extend(self.reference_hits(record, exists))
        out = []
        for h in hits:
            if h.code in record.suppressed:
                continue
            if not h.on_filename and h.code in record.line_suppressed.get(h.range[0], ()):
                continue
            sev = settings.severity_of(h.code, h.severity)
            if sev is None:
                continue
            if sev != h.severity:
                h = Hit(h.code, sev, h.message, h.start, h.end, h.range, h.replacement,
                        h.related, h.on_filename)
            out.append(h)
        out.sort(key=lambda h: (h.range, h.code))
        return out

    def reference_hits(self, record: FileRecord, exists: Callable[[str], bool] = os.path.isfile
                       ) -> List[Hit]:
        """Findings of ``record`` that depend on other files."""
        out: List[Hit] = []
        for ref in record.refs:
            issue = reference_issue(ref, exists)
            if issue is not None:
                out.append(Hit(issue.code, issue.severity, issue.message, ref.start, ref.end,
                               ref.range))
        for entry in record.models:
            issue = self.duplicate_issue(entry.name, entry.path, entry.start, entry.end)
            if issue is not None:
                out.append(Hit(issue.code, issue.severity, issue.message, entry.start,
                               entry.end, entry.range, None, issue.related))
        return out

    def duplicate_issue(self, name: str, path: str, start: int, end: int) -> Optional[Problem]:
        entries = self._models.get(name, ())
        others = [e for e in entries if not (e.path == path and e.start == start)]
        if not others:
            return None
        related = tuple(
            Related(e.path, e.range[0], e.range[1], e.range[2], e.range[3],
                    f"`{name}` also defined here")
            for e in others[:5]
        )
        where = ", ".join(sorted({_short(e.path, self.root_of(e.path)) for e in others}))
        return duplicate_model(name, start, end, where, related)


def _in_base_folder(path: str) -> bool:
    return f"{os.sep}_base_{os.sep}" in path or "/_base_/" in path


def _short(path: str, root: Optional[str]) -> str:
    if root and _under(path, root):
        return os.path.relpath(path, root).replace(os.sep, "/")
    return os.path.basename(path)


def _published_default(name: str) -> bool:
    from mmname_lsp.naming.zoo import default_zoo

    return default_zoo().model(name) is not None


def _under(path: str, folder: str) -> bool:
    folder = folder.rstrip("/\\")
    return path.startswith(folder + os.sep) or path.startswith(folder + "/")


def _hit(issue: Problem, pos: Positions) -> Hit:
    return Hit(issue.code, issue.severity, issue.message, issue.start, issue.end,
               pos.range(issue.start, issue.end), issue.replacement, issue.related)


def reference_issue(ref: Ref, exists: Callable[[str], bool] = os.path.isfile
                    ) -> Optional[Problem]:
    """A finding when ``ref`` points at a file that does not exist."""
    if ref.target is None or exists(ref.target):
        return None
    return missing_reference(ref.kind, ref.text, ref.target, ref.start, ref.end)


@dataclass(frozen=True)
class _LinkSpan:
    text: str
    start: int
    end: int


# The target of a Markdown link to a `.py` file: `[label](path.py)`.
_PY_LINK = re.compile(r"\]\(\s*<?([^()\s<>`]+?\.py(?:[#?][^()\s<>]*)?)>?(?:\s+[\"'][^)]*)?\)")


def readme_config_links(text: str, path: str, repo_root: Optional[str]) -> List[Tuple[Any, str]]:
    """(span, absolute target) of the links of a README to ``.py`` files."""
    out = []
    folder = os.path.dirname(path)
    for mt in _PY_LINK.finditer(text):
        span = _LinkSpan(mt.group(1), mt.start(1), mt.end(1))
        target = span.text.split("#", 1)[0].split("?", 1)[0]
        if not target.endswith(".py") or "://" in target or target.startswith("mailto:"):
            continue
        if target.startswith("/"):
            base = repo_root or folder
            out.append((span, os.path.normpath(os.path.join(base, target.lstrip("/")))))
            continue
        local = os.path.normpath(os.path.join(folder, target))
        if not os.path.isfile(local) and repo_root and target.startswith("configs/"):
            alt = os.path.normpath(os.path.join(repo_root, target))
            if os.path.isfile(alt):
                local = alt
        out.append((span, local))
    return out


# ---------------------------------------------------------------------------
# Open documents: the same, with occurrences (hover, semantic tokens)


def analyse_document(
    text: str,
    path: str,
    settings: Optional[Settings] = None,
    index: Optional[WorkspaceIndex] = None,
    *,
    exists: Callable[[str], bool] = os.path.isfile,
) -> Analysis:
    """The Analysis of a metafile, model index or README (for an open editor).

    The names in it are occurrences (hover, semantic tokens, navigation); the
    findings are those the workspace reports for the file, with offsets."""
    settings = settings or Settings()
    result = Analysis(text, path)
    if not settings.enable:
        return result
    kind = file_kind(path)
    decoder = settings_decoder(settings)
    published = index._published if index is not None else _published_default
    root = index.repo_root(path) if index is not None else os.path.dirname(path)
    issues: List[Tuple[Problem, Optional[Occurrence]]] = []
    if kind == METAFILE:
        _metafile_document(result, text, path, decoder, published, root, index, exists, issues)
    elif kind == MODEL_INDEX:
        from mmname_lsp.sources.yaml_source import parse_metafile

        mf = parse_metafile(text)
        folder = os.path.dirname(path)
        for s in mf.imports:
            ref = Ref(REF_IMPORT, s.value, s.start, s.end, (0, 0, 0, 0),
                      os.path.normpath(os.path.join(folder, s.value)))
            issue = reference_issue(ref, exists)
            if issue is not None:
                issues.append((issue, None))
        if mf.error is not None:
            issues.append((yaml_error(mf.error[0], mf.error[1]), None))
    elif kind == README:
        _readme_document(result, text, path, decoder, root, exists, issues)
    findings = []
    for issue, occ in issues:
        rule = RULES.get(issue.code)
        findings.append(Finding(issue.code, issue.severity, issue.message, issue.start,
                                issue.end, issue.replacement, occ,
                                rule.category if rule else "reference", issue.related))
    from mmname_lsp.rules.suppressions import finalize_findings

    result.findings = finalize_findings(text, findings, settings)
    result.occurrences.sort(key=lambda o: o.start)
    return result


def _metafile_document(result, text, path, decoder, published, root, index, exists, issues):
    from mmname_lsp.sources.yaml_source import parse_metafile

    mf = parse_metafile(text)
    for model in mf.models:
        name_occ = None
        if model.name is not None and model.name.exact:
            decoded = decoder.decode(model.name.value, m.KIND_MODEL)
            name_occ = Occurrence(META_NAME, model.name.start, model.name.end, decoded, "Name")
            result.occurrences.append(name_occ)
        if model.config is not None and model.config.exact:
            decoded = decoder.decode(model.config.value, m.KIND_CONFIG)
            result.occurrences.append(Occurrence(META_CONFIG, model.config.start,
                                                 model.config.end, decoded, "Config"))
            ref = Ref(REF_CONFIG, model.config.value, model.config.start, model.config.end,
                      (0, 0, 0, 0), os.path.normpath(os.path.join(root, model.config.value)))
            issue = reference_issue(ref, exists)
            if issue is not None:
                issues.append((issue, None))
        if model.weights is not None and model.weights.exact and ".pth" in model.weights.value:
            decoded = decoder.decode(model.weights.value, m.KIND_CHECKPOINT)
            result.occurrences.append(Occurrence(META_WEIGHTS, model.weights.start,
                                                 model.weights.end, decoded, "Weights"))
        for issue in metafile_name_issues(model, decoder, published):
            issues.append((issue, name_occ if issue.code != "MMN208" else None))
        if index is not None and model.name is not None:
            dup = _duplicate_in_document(index, mf, model, path)
            if dup is not None:
                issues.append((dup, name_occ))
    if mf.error is not None:
        issues.append((yaml_error(mf.error[0], mf.error[1]), None))


def _duplicate_in_document(index: WorkspaceIndex, mf, model, path: str) -> Optional[Problem]:
    """A duplicate of ``model``'s name: in this (open) text or in other files."""
    name = model.name
    related: List[Related] = []
    for other in mf.models:
        if other is not model and other.name is not None and other.name.value == name.value:
            related.append(Related(path, 0, 0, 0, 0, f"`{name.value}` also defined here"))
    elsewhere = [e for e in index.models(name.value) if e.path != path]
    for e in elsewhere[:5]:
        related.append(Related(e.path, e.range[0], e.range[1], e.range[2], e.range[3],
                               f"`{name.value}` also defined here"))
    if not related:
        return None
    places = sorted({_short(e.path, index.root_of(e.path)) for e in elsewhere})
    if len(related) > len(elsewhere):
        places.insert(0, "this file")
    # Positions of same-file duplicates are filled in by the caller's index
    # conversion; offsets are not known to Related: keep only other files there.
    related = [r for r in related if r.file != path]
    return duplicate_model(name.value, name.start, name.end, ", ".join(places), related)


# Model names stand in a README as code spans, table cells and fenced Python.
_MD_NAME_CONFIDENCE = 0.6


def _readme_document(result, text, path, decoder, root, exists, issues):
    from mmname_lsp.sources.markdown import CODE, LINK, TABLE, URL, extract_markdown
    from mmname_lsp.sources.python import CHECKPOINT, MODEL_API, extract_python

    md = extract_markdown(text)
    links = {span.start: target for span, target in readme_config_links(text, path, root)}
    taken: Set[int] = set()
    for span in md.spans:
        value = span.text
        occ = None
        if span.kind in (CODE, TABLE):
            if span.kind == TABLE and span.column != 0:
                continue
            if len(value) > 200 or " " in value:
                continue
            decoded = decoder.decode(value)
            if decoded.zoo is None and not _name_like(decoded):
                continue
            occ = Occurrence(MD_NAME, span.start, span.end, decoded, span.kind)
        elif span.kind == LINK and span.start in links:
            decoded = decoder.decode(value, m.KIND_CONFIG)
            occ = Occurrence(MD_CONFIG, span.start, span.end, decoded, "link")
            ref = Ref(REF_LINK, value, span.start, span.end, (0, 0, 0, 0), links[span.start])
            issue = reference_issue(ref, exists)
            if issue is not None:
                issues.append((issue, occ))
        elif span.kind in (LINK, URL) and ".pth" in value:
            decoded = decoder.decode(value, m.KIND_CHECKPOINT)
            occ = Occurrence(MD_CHECKPOINT, span.start, span.end, decoded, "url")
        if occ is not None and occ.start not in taken:
            taken.add(occ.start)
            result.occurrences.append(occ)
    for fence in md.fences:
        if fence.lang not in ("python", "py", "python3"):
            continue
        body = text[fence.start:fence.end]
        for lit in extract_python(body, (MODEL_API, CHECKPOINT)):
            start = fence.start + lit.start
            if start in taken or not lit.text:
                continue
            expected = m.KIND_MODEL if lit.context == MODEL_API else None
            if lit.expected == "pattern":
                continue
            decoded = decoder.decode(lit.text, expected)
            if lit.context == CHECKPOINT and decoded.kind != m.KIND_CHECKPOINT:
                continue
            taken.add(start)
            result.occurrences.append(Occurrence(lit.context, start, fence.start + lit.end,
                                                 decoded, lit.key))


def _name_like(decoded) -> bool:
    if decoded.confidence < _MD_NAME_CONFIDENCE or len(decoded.parts) < 2:
        return False
    return any(p.role in (m.TRAINING, m.DATA, m.PRETRAIN) for p in decoded.parts)


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
                with open(path, encoding="utf-8", errors="replace") as fh:
                    text = fh.read()
            except OSError:
                continue
        spans = find_in_text(text, name)
        if not spans:
            continue
        pos = Positions(text, index.encoding)
        for a, b in spans:
            out.append((path, a, b, pos.range(a, b)))
    return out
