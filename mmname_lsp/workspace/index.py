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
from dataclasses import dataclass
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
    Set,
    Tuple,
)

from mmname_lsp.analysis import analyse, settings_decoder
from mmname_lsp.analysis.pipeline import workspace_words
from mmname_lsp.analysis.profile_of import (
    SHARED_CODES,
    Decision,
    ProfileFinder,
    default_finder,
)
from mmname_lsp.files import read_regular_stat
from mmname_lsp.naming.learned import LearnedWords, WordCounter, words_of_name
from mmname_lsp.naming.model import Problem
from mmname_lsp.naming.profiles import DEFAULT as DEFAULT_PROFILE
from mmname_lsp.naming.profiles import SHARED
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
from mmname_lsp.sources.python import looks_like_config
from mmname_lsp.text import Positions, Range, units  # noqa: F401  (units: re-exported)
from mmname_lsp.workspace.bases import base_literals, base_target
from mmname_lsp.workspace.model import (
    MAX_FILE_BYTES,
    MAX_FILES,
    METAFILE,
    MODEL_INDEX,
    PYTHON,
    README,
    FileRecord,
    Hit,
    ModelEntry,
    Ref,
    file_kind,
    walk_folder,
)


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


@dataclass(frozen=True)
class Loaded:
    """A file read for indexing (``text`` None: not readable, or not to be read)."""

    path: str
    text: Optional[str]
    stamp: Tuple[int, int]
    unchanged: bool = False


class WorkspaceIndex:
    """Every indexed file of the workspace's folders, and the links between them."""

    def __init__(
        self,
        encoding: str = "utf-16",
        *,
        settings_for: Optional[Callable[[str], Settings]] = None,
        published: Optional[Callable[[str], bool]] = None,
        finder: Optional[ProfileFinder] = None,
    ) -> None:
        self.encoding = encoding
        # Finds each file's profile (the owner's: the session forgets what it
        # read when files change).
        self.finder = finder or default_finder()
        # Python files' profiles per folder: the names around a metafile.
        self._profiles: Dict[str, Dict[str, int]] = {}
        self.roots: List[str] = []
        self.files: Dict[str, FileRecord] = {}
        self._inheritors: Dict[str, Set[str]] = {}
        self._models: Dict[str, List[ModelEntry]] = {}
        self._settings_for = settings_for or (lambda path: Settings())
        self.published = published or published_in_zoo
        self._repo_roots: Dict[str, str] = {}
        self.generation = 0
        self.learned = LearnedWords()
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

    # -- the workspace's own words -------------------------------------------------

    def refresh_learned(self) -> Set[str]:
        """Count the words of the indexed names and registered classes again;
        returns the words whose standing changed (learned now, or no more)."""
        counter = WordCounter()
        # A snapshot: a worker thread may count while the owner takes in records.
        for record in list(self.files.values()):
            counter.add_names(record.names)
            counter.add_classes(record.classes)
        learned = counter.freeze()
        before = {w: self.learned.count(w) for w in self.learned.known()}
        after = {w: learned.count(w) for w in learned.known()}
        self.learned = learned
        return {w for w in before.keys() | after.keys() if before.get(w) != after.get(w)}

    def concerned(self, changed: Set[str]) -> List[str]:
        """The files whose names hold one of the words ``changed`` (to index again)."""
        if not changed:
            return []
        return [path for path, record in list(self.files.items())
                if any(w in changed for n in record.names for w in words_of_name(n))]

    def learn_and_recheck(self) -> bool:
        """Refresh the learned words and index again the files whose names they
        concern; True when the words changed."""
        changed = self.refresh_learned()
        if not changed:
            return False
        for path in self.concerned(changed):
            self.forget_stamp(path)
            self.index_file(path)
        return True

    def forget_stamp(self, path: str) -> None:
        """Read ``path`` again at its next indexing, though unchanged on disk."""
        record = self.files.get(path)
        if record is not None:
            record.stamp = (0, 0)

    def stale_under(self, folder: str) -> List[str]:
        """Mark the files under ``folder`` to be read again though unchanged on
        disk (the settings that judged them changed); returns them."""
        folder = os.path.normpath(os.path.abspath(folder))
        out = []
        for path, record in self.files.items():
            if _under(path, folder):
                record.stamp = (0, 0)
                out.append(path)
        return out

    def files_to_index(self, root: str, max_files: int = MAX_FILES) -> List[str]:
        """Add ``root`` and list the files under it to index, metafiles first
        (the configs' hover and the names' checks use the zoo)."""
        self.add_root(root)
        result = walk_folder(root, max_files)
        if result.truncated and root not in self.truncated:
            self.truncated.append(root)
        return sorted(result.files, key=lambda p: file_kind(p) != METAFILE)

    def iter_index_root(self, root: str, max_files: int = MAX_FILES) -> Iterator[Tuple[int, int]]:
        """Index every file under ``root``; yields (done, total) as it goes, so
        that a caller can interleave other work and report progress."""
        order = self.files_to_index(root, max_files)
        total = len(order)
        yield 0, total
        for i, path in enumerate(order, 1):
            self.index_loaded(self.load(path))
            yield i, total
        self.learn_and_recheck()

    def index_root(self, root: str, max_files: int = MAX_FILES) -> None:
        for _ in self.iter_index_root(root, max_files):
            pass

    # -- files --------------------------------------------------------------------

    def load(self, path: str) -> Loaded:
        """Read ``path`` for indexing: regular files only (links followed), at most
        MAX_FILE_BYTES, never blocking; nothing read when its stamp is the one
        indexed.  Touches no state of the index, so it may run in a thread."""
        path = os.path.normpath(os.path.abspath(path))
        try:
            st = os.stat(path)
        except (OSError, ValueError):
            return Loaded(path, None, (0, 0))
        stamp = (st.st_mtime_ns, st.st_size)
        old = self.files.get(path)
        if old is not None and old.stamp == stamp:
            return Loaded(path, None, stamp, unchanged=True)
        try:
            data, st = read_regular_stat(path, MAX_FILE_BYTES)
        except OSError:  # missing, unreadable, a FIFO or device, too large
            return Loaded(path, None, (0, 0))
        return Loaded(path, data.decode("utf-8", "replace"), (st.st_mtime_ns, st.st_size))

    def index_loaded(self, loaded: Loaded) -> Optional[FileRecord]:
        """Index what :meth:`load` read (forget the file when it could not be read)."""
        return self.put(loaded, self.build(loaded))

    def build(self, loaded: Loaded) -> Optional[FileRecord]:
        """The record of what :meth:`load` read, without changing the index: it
        only reads the index's settings, learned words and caches, so a worker
        thread may run it while the owner answers requests (then :meth:`put`)."""
        if loaded.unchanged or loaded.text is None or file_kind(loaded.path) is None:
            return None
        # The records are acyclic and long-lived: a cyclic garbage collection
        # in the middle of indexing only walks them again (a third of the time).
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._record(loaded.path, loaded.text, loaded.stamp)
        except Exception:  # noqa: BLE001 - one bad file never stops the walk
            import logging

            logging.getLogger("mmname_lsp").exception("indexing %s failed", loaded.path)
            return None
        finally:
            if enabled:
                gc.enable()

    def put(self, loaded: Loaded, record: Optional[FileRecord]) -> Optional[FileRecord]:
        """Take in the record :meth:`build` made of ``loaded`` (None: it failed)."""
        if loaded.unchanged:
            return self.files.get(loaded.path)
        if loaded.text is None or file_kind(loaded.path) is None:
            self.remove(loaded.path)
            return None
        if record is not None:
            self._put(record)
        return record

    def build_many(self, paths: Iterable[str]) -> List[Tuple[Loaded, Optional[FileRecord]]]:
        """Read and build the records of ``paths`` (for a worker thread; then
        :meth:`put` each on the owner's thread)."""
        return [(loaded, self.build(loaded)) for loaded in map(self.load, paths)]

    def index_file(self, path: str, text: Optional[str] = None,
                   stamp: Tuple[int, int] = (0, 0)) -> Optional[FileRecord]:
        """(Re)read ``path`` (or take ``text``, an editor's buffer) into the index."""
        path = os.path.normpath(os.path.abspath(path))
        kind = file_kind(path)
        if kind is None:
            self.remove(path)
            return None
        if text is None:
            return self.index_loaded(self.load(path))
        record = self._record(path, text, stamp)
        self._put(record)
        return record

    def _record(self, path: str, text: str, stamp: Tuple[int, int]) -> FileRecord:
        kind = file_kind(path)
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
        return record

    def remove(self, path: str) -> List[str]:
        """Forget ``path`` (a file, or every file under a folder); returns them."""
        return self.remove_many([path])

    def remove_many(self, paths: Iterable[str]) -> List[str]:
        """Forget many files or folders in one pass over the index (a watcher
        storm of deletions must not scan it once per path); returns them."""
        gone: List[str] = []
        folders: Set[str] = set()
        for path in paths:
            path = os.path.normpath(os.path.abspath(path))
            if path in self.files:
                gone.append(path)
            else:
                folders.add(path)
        if folders:
            taken = set(gone)
            for p in self.files:
                d = os.path.dirname(p)
                while d not in folders:
                    up = os.path.dirname(d)
                    if up == d:
                        break
                    d = up
                if d in folders and p not in taken:
                    gone.append(p)
                    taken.add(p)
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
        if record.kind == PYTHON and record.profile and record.profile != SHARED:
            around = self._profiles.setdefault(os.path.dirname(record.path), {})
            around[record.profile] = around.get(record.profile, 0) + 1
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
        around = self._profiles.get(os.path.dirname(path))
        if around is not None and old.kind == PYTHON and around.get(old.profile):
            around[old.profile] -= 1
            if not around[old.profile]:
                del around[old.profile]
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
        settings = self._settings_for(path)
        # Read once: both the words and the file-name check ask whether the
        # content is a config's.
        is_config = looks_like_config(text)
        record.names, record.classes = workspace_words(path, text, settings, is_config)
        decision = self.profile_of(path, text)
        record.profile, record.profile_reason = decision.choice.name, decision.choice.reason
        if not name.startswith("_") and name.endswith(".py") and not _in_base_folder(path):
            result = analyse("", path, settings, consistency=False,
                             decoder=settings_decoder(settings, self.learned,
                                                      decision.choice.name),
                             is_config=is_config, choice=decision.choice)
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
        choice = self.profile_of(path).choice
        record.profile, record.profile_reason = choice.name, choice.reason
        decoder = settings_decoder(self._settings_for(path), self.learned, choice.name)
        # Published models cannot be renamed (findings capped at hints): those
        # of the metafile's own repository's zoo.
        published = self.published if zoo_profile(choice.name) == DEFAULT_PROFILE \
            else decoder.zoo.is_published
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
            for issue in metafile_name_issues(model, decoder, published):
                if choice.profile is not None or issue.code in SHARED_CODES:
                    hits.append(_hit(issue, pos))
        if mf.error is not None:
            msg, off = mf.error
            hits.append(_hit(yaml_error(msg, off), pos))
        record.refs = tuple(refs)
        record.models = tuple(models)
        record.hits = tuple(hits)
        record.names = tuple(m.name for m in models)
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

    def profile_of(self, path: str, text: str = "") -> Decision:
        """The profile of ``path`` (``text``: its content, when a config's own
        ``default_scope`` may say it); a metafile or README takes that of the
        Python files indexed in its folder when its repository does not say."""
        path = os.path.normpath(os.path.abspath(path))
        around = None
        if file_kind(path) != PYTHON:
            # Python files read their neighbours' `default_scope` themselves
            # (the same answer whatever order the folder is indexed in).
            around = self._profiles.get(os.path.dirname(path))
        return self.finder.decide(path, text, self._settings_for(path),
                                  neighbours=dict(around) if around else None)

    def reprofile(self, changed: str) -> List[str]:
        """Index again the files whose profile ``changed`` (a repository's
        ``setup.py``, ``pyproject.toml`` or ``version.py``, created, edited or
        deleted) may have changed: those below it that no ``default_scope`` or
        scoped base placed.  Returns them."""
        name = os.path.basename(changed)
        if name not in ("setup.py", "pyproject.toml", "version.py"):
            return []
        folder = os.path.dirname(os.path.normpath(os.path.abspath(changed)))
        if name == "version.py":
            folder = os.path.dirname(folder)  # <repository>/<package>/version.py
        again = [p for p, r in self.files.items()
                 if _under(p, folder) and r.profile and not _placed_by_scope(r.profile_reason)]
        for p in again:
            self.files[p].stamp = (0, 0)  # unchanged on disk, but to be read again
            self.index_file(p)
        return again

    def profiles(self) -> Dict[str, int]:
        """How many indexed Python files each profile judges."""
        counts: Dict[str, int] = {}
        for record in self.files.values():
            if record.kind == PYTHON and record.profile:
                counts[record.profile] = counts.get(record.profile, 0) + 1
        return counts

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

    def zoo_models(self, profile: Optional[str] = None,
                   ) -> Tuple[Dict[str, Dict[str, Any]], Dict[str, str], Dict[str, List[str]]]:
        """(models, checkpoints, configs) of the workspace's metafiles, for
        naming.zoo.Zoo: of those a ``profile`` judges (its zoo's; ``mmpretrain``
        also takes those nothing places), or of all (None)."""
        models: Dict[str, Dict[str, Any]] = {}
        checkpoints: Dict[str, str] = {}
        configs: Dict[str, List[str]] = {}
        # A snapshot (sorted by path): a worker thread may ask while the owner indexes.
        for _path, record in sorted(self.files.items()):
            if profile is not None and zoo_profile(record.profile) != profile:
                continue
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
        # A snapshot of the lists: a worker thread may ask while the owner indexes.
        return tuple(sorted(
            (e.name, e.path, e.meta.get("config"), e.meta.get("checkpoint"),
             e.meta.get("epochs"), e.meta.get("batch_size"), e.meta.get("top1"),
             self.metafile_profile(e.path))
            for entries in list(self._models.values()) for e in tuple(entries)
        ))

    def metafile_profile(self, path: str) -> str:
        """The profile whose zoo the models of metafile ``path`` join."""
        record = self.files.get(path)
        return zoo_profile(record.profile if record is not None else "")

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
        where = ", ".join(sorted({short_path(e.path, self.root_of(e.path)) for e in others}))
        return duplicate_model(name, start, end, where, related)


def _placed_by_scope(reason: str) -> bool:
    """Whether a profile came from the file's own or its bases' registry scope
    (which no repository file changes)."""
    return reason.startswith("`default_scope") or reason.startswith("it inherits")


def zoo_profile(profile: str) -> str:
    """The profile whose zoo takes the models of a metafile that ``profile``
    judges: its own, MMPretrain's for one nothing places (as before profiles)."""
    return DEFAULT_PROFILE if profile in ("", SHARED) else profile


def _in_base_folder(path: str) -> bool:
    return f"{os.sep}_base_{os.sep}" in path or "/_base_/" in path


def short_path(path: str, root: Optional[str]) -> str:
    if root and _under(path, root):
        return os.path.relpath(path, root).replace(os.sep, "/")
    return os.path.basename(path)


def published_in_zoo(name: str) -> bool:
    from mmname_lsp.naming.zoo import default_zoo

    return default_zoo().is_published(name)


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


