"""Entry point: resolve a config file (and its bases) into a ResolvedConfig."""

from __future__ import annotations

import gc
import hashlib
from collections import ChainMap
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Optional, Tuple, Union

from ..filestate import Stamp, stamp_of
from . import nodes as N
from .cache import ConfigCache, normalize_path
from .evaluator import Evaluator
from .model import ConfigIssue, ResolvedConfig


class FileResult:
    """One evaluated file: its merged config, the names it exports to a
    new-style importer, and everything needed to reuse it from the cache."""

    __slots__ = (
        "path",
        "style",
        "config",
        "exports",
        "issues",
        "skipped",
        "files",
        "deps",
        "bases",
        "error",
        "tainted",
    )

    def __init__(self, path: str) -> None:
        self.path = path
        self.style = "old"
        self.config: Optional[N.Node] = None
        self.exports: Dict[str, N.Node] = {}
        self.issues: List[ConfigIssue] = []
        self.skipped: List[Tuple[str, str]] = []
        self.files: List[str] = []
        # Stamps of every path this result depends on, probed-but-missing ones too.
        self.deps: Dict[str, Stamp] = {}
        self.bases: List[str] = []
        self.error: Optional[Tuple[str, str]] = None  # (kind, message) when unreadable
        # Met an inheritance cycle: the result depends on who included us,
        # so it must not be cached.
        self.tainted = False

    def add_skipped(self, what: str, reason: str) -> None:
        entry = (what, reason)
        if entry not in self.skipped:
            self.skipped.append(entry)

    def absorb(self, other: FileResult) -> None:
        """Fold a base's bookkeeping into this (includer's) result."""
        self.deps.update(other.deps)
        for f in other.files:
            if f not in self.files:
                self.files.append(f)
        for issue in other.issues:
            if issue not in self.issues:
                self.issues.append(issue)
        for entry in other.skipped:
            if entry not in self.skipped:
                self.skipped.append(entry)
        self.tainted = self.tainted or other.tainted


class Session:
    """State of one ``resolve_config`` call: overlay, inclusion stack, stamps."""

    def __init__(self, cache: ConfigCache, overlay: Mapping[str, str]) -> None:
        self.cache = cache
        self.overlay = overlay
        self.stack: List[str] = []
        self._stamps: Dict[str, Stamp] = {}

    def stamp(self, path: str) -> Stamp:
        # Memoised per call: one stat per path per resolve, and a stable view
        # of the disk while one config chain is read.
        found = self._stamps.get(path)
        if found is None:
            text = self.overlay.get(path)
            if text is not None:
                digest = hashlib.blake2b(
                    text.encode("utf-8", "surrogatepass"), digest_size=16
                ).hexdigest()
                found = ("overlay", digest)
            else:
                found = stamp_of(path)
            self._stamps[path] = found
        return found

    def evaluate(self, path: str) -> Optional[FileResult]:
        """The evaluated file, or None when ``path`` is already being read
        (an inheritance cycle)."""
        if path in self.stack:
            return None
        cache = self.cache
        cached = cache.result(path)
        if cached is not None and all(self.stamp(p) == s for p, s in cached.deps.items()):
            cache.stats.eval_hits += 1
            return cached
        cache.stats.eval_misses += 1
        stamp = self.stamp(path)
        src = cache.source(path, stamp, self.overlay.get(path))
        result = FileResult(path)
        result.deps[path] = stamp
        if src.error is not None:
            result.error = src.error
        else:
            result.files.append(path)
            result.issues.extend(src.problems)
            self.stack.append(path)
            try:
                Evaluator(self, src, result).run()
            except RecursionError:
                result.add_skipped(path, "config nested too deeply to read")
            except Exception as exc:  # never let a reader bug escape
                result.add_skipped(path, f"internal error while reading: {exc!r}")
            finally:
                self.stack.pop()
            if result.config is None:
                result.config = N.Node(N.DICT, {}, (path, 0, 0, 0, 0), cfg=True)
        if result.tainted:
            cache.drop_result(path)
        else:
            cache.store_result(path, result)
        return result


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one resolve.

    A resolve allocates many small objects while the cache holds the ASTs
    of every file read; each automatic full collection then rescans all of
    them (about a third of the time on a whole tree).  Reading builds no
    reference cycles in practice, and the previous state is restored.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def resolve_config(
    path: Union[str, Path],
    text: Optional[str] = None,
    *,
    overlay: Optional[Mapping[str, str]] = None,
    cache: Optional[ConfigCache] = None,
) -> ResolvedConfig:
    """Resolve ``path`` like ``mmengine.Config.fromfile`` would, statically.

    ``text`` replaces the file's content on disk (an editor buffer);
    ``overlay`` maps absolute paths of other files to unsaved texts.  Never
    raises: problems are in ``issues`` and ``skipped``.
    """
    try:
        abs_path = normalize_path(path)
    except Exception:  # not a path at all; still no exception for the caller
        abs_path = str(path)
    texts: Mapping[str, str]
    if overlay is None or isinstance(overlay, dict):
        own: Dict[str, str] = {}
        for key, value in (overlay or {}).items():
            if isinstance(value, str) and isinstance(key, (str, Path)):
                own[normalize_path(key)] = value
        if text is not None:
            own[abs_path] = text
        texts = own
    else:
        # A live view keyed by normalised paths (the server's open documents):
        # looked up per base, never copied, so opening a document does not
        # cost a pass over every other open one.
        texts = ChainMap({abs_path: text} if text is not None else {}, overlay)
    if cache is None:
        cache = ConfigCache()
    with cache._lock, _gc_paused():
        try:
            result = Session(cache, texts).evaluate(abs_path)
        except Exception as exc:  # belt and braces: the API promises no raise
            resolved = ResolvedConfig(path=abs_path, deps=[abs_path])
            resolved.skipped.append((abs_path, f"internal error while resolving: {exc!r}"))
            resolved._root = N.Node(N.DICT, {}, (abs_path, 0, 0, 0, 0), cfg=True)
            return resolved
    assert result is not None  # the stack is empty for the root
    issues = list(result.issues)
    if result.error is not None:
        kind, message = result.error
        issues.insert(0, ConfigIssue(kind, message, abs_path, 0, 0, 0, 0, abs_path))
    root = result.config
    if root is None:
        root = N.Node(N.DICT, {}, (abs_path, 0, 0, 0, 0), cfg=True)
    return ResolvedConfig(
        path=abs_path,
        files=list(result.files),
        bases=list(result.bases),
        issues=issues,
        skipped=list(result.skipped),
        style=result.style,
        deps=list(result.deps),
        _root=root,
    )
