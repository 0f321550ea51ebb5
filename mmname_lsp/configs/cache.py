"""A bounded cache of parsed and evaluated config files.

Two LRU tables keyed by absolute path:

* parsed sources, valid while the file's *stamp* is unchanged: ``(mtime_ns,
  ctime_ns, size, inode)`` on disk, or a hash of the text when an editor overlay
  provides it;
* evaluated files (their namespace and merged config), valid while the stamp
  of every file they depend on is unchanged, including paths probed but
  missing (creating a missing base invalidates its includers).

Note: a change that keeps size, mtime and ctime (two writes inside one coarse
filesystem clock tick) is not seen; editors go through the overlay, and
``invalidate`` is there for file watchers.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, List, Optional, Union

from .source import SourceFile, Stamp, read_source

DEFAULT_MAX_FILES = 2000


@dataclass
class CacheStats:
    """Counters, mainly for tests and a verbose mode."""

    parse_hits: int = 0
    parse_misses: int = 0
    eval_hits: int = 0
    eval_misses: int = 0


def normalize_path(path: Union[str, os.PathLike[str]]) -> str:
    """Absolute, lexically normalised path (symlinks are kept as named)."""
    text = os.fspath(path)
    if text.startswith("~"):
        text = os.path.expanduser(text)
    return os.path.abspath(text)


class ConfigCache:
    """Parsed and evaluated configs shared between ``resolve_config`` calls.

    Thread-safe: one lock serialises resolves that share a cache.
    """

    def __init__(self, max_files: int = DEFAULT_MAX_FILES) -> None:
        self.max_files = max(1, int(max_files))
        self.stats = CacheStats()
        self._sources: OrderedDict[str, SourceFile] = OrderedDict()
        self._results: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.RLock()

    # -- public -----------------------------------------------------------
    def invalidate(self, path: Union[str, Path]) -> None:
        """Forget ``path`` and every evaluated config that depends on it."""
        key = normalize_path(path)
        with self._lock:
            self._sources.pop(key, None)
            for name in [n for n, r in self._results.items() if n == key or key in r.deps]:
                del self._results[name]

    def clear(self) -> None:
        with self._lock:
            self._sources.clear()
            self._results.clear()

    def dependents(self, path: Union[str, Path]) -> List[str]:
        """Cached configs whose result depends on ``path`` (a reverse index)."""
        key = normalize_path(path)
        with self._lock:
            return [n for n, r in self._results.items() if n != key and key in r.deps]

    def __len__(self) -> int:
        return len(self._sources)

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, (str, Path)):
            return False
        return normalize_path(path) in self._sources

    # -- internal ---------------------------------------------------------
    def source(self, path: str, stamp: Stamp, overlay_text: Optional[str]) -> SourceFile:
        cached = self._sources.get(path)
        if cached is not None and cached.stamp == stamp:
            self._sources.move_to_end(path)
            self.stats.parse_hits += 1
            return cached
        self.stats.parse_misses += 1
        src = read_source(path, stamp, overlay_text)
        self._sources[path] = src
        self._sources.move_to_end(path)
        while len(self._sources) > self.max_files:
            self._sources.popitem(last=False)
        return src

    def result(self, path: str) -> Any:
        found = self._results.get(path)
        if found is not None:
            self._results.move_to_end(path)
        return found

    def store_result(self, path: str, result: Any) -> None:
        self._results[path] = result
        self._results.move_to_end(path)
        while len(self._results) > self.max_files:
            self._results.popitem(last=False)

    def drop_result(self, path: str) -> None:
        self._results.pop(path, None)
