"""Public data model of a statically resolved MMEngine config.

Positions are 0-based; columns count code points of the line (not UTF-8
bytes, not UTF-16 units).  A *key path* addresses a value inside the merged
config: a tuple of dict keys and integer list/tuple indexes, or the same
written as a dotted string (``"train_dataloader.dataset.pipeline.1.scale"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, List, NamedTuple, Optional, Sequence, Tuple, Union

from . import nodes as _n

Key = Union[str, int]
KeyPath = Tuple[Any, ...]

# Issue kinds (``ConfigIssue.kind``).
CYCLE = "cycle"
MISSING = "missing"
UNREADABLE = "unreadable"
SYNTAX = "syntax"
NOT_A_FILE = "not-a-file"
ISSUE_KINDS = (CYCLE, MISSING, UNREADABLE, SYNTAX, NOT_A_FILE)


class Location(NamedTuple):
    """A source span: file plus 0-based start/end line and code-point column."""

    file: str
    line: int
    col: int
    end_line: int
    end_col: int


@dataclass
class Value:
    """A resolved value and the span of the expression that set it.

    ``file``/``line``/... point at the expression that last *set* this key
    (``pipeline=train_pipeline`` points at ``train_pipeline`` in that keyword).
    ``origin`` is the span where the value itself was written when that
    differs (the ``[...]`` literal assigned to ``train_pipeline``; for a class
    reference, the import that brought the name in), else None.
    ``imported_from`` is set for new-style class references (``type=ImageNet``
    after ``from mmpretrain.datasets import ImageNet``): the module path.
    Nested ``dict``/``list`` values are plain Python objects; treat them as
    read-only because :meth:`ResolvedConfig.walk` may share them between
    the values it yields.
    """

    value: Any
    file: str
    line: int
    col: int
    end_line: int
    end_col: int
    origin: Optional[Location] = None
    imported_from: Optional[str] = None

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, self.col, self.end_line, self.end_col)


@dataclass
class ConfigIssue:
    """A problem met while reading a config chain.

    For ``cycle``/``missing``/``unreadable``/``not-a-file`` of a base, ``file``
    and the span are the ``_base_`` entry (or ``from ... import``) in the
    including file and ``target`` is the base path.  For ``syntax`` (and an
    invalid UTF-8 ``unreadable``) the span is inside the broken file itself.
    """

    kind: str
    message: str
    file: str
    line: int = 0
    col: int = 0
    end_line: int = 0
    end_col: int = 0
    target: Optional[str] = None


def format_key_path(path: Sequence[Key]) -> str:
    """``("a", 0, "b")`` -> ``"a.0.b"`` (for display; see ``ResolvedConfig.get``)."""
    return ".".join(str(p) for p in path)


def _node_value(node: Any, plain_memo: Optional[dict] = None) -> Value:
    loc = node.loc
    org = node.org
    return Value(
        value=_n.to_plain(node, plain_memo),
        file=loc[0],
        line=loc[1],
        col=loc[2],
        end_line=loc[3],
        end_col=loc[4],
        origin=Location(*org) if org is not None and org != loc else None,
        imported_from=node.mod if node.kind == _n.TYPE else None,
    )


@dataclass
class ResolvedConfig:
    """The effective config of one file, as ``Config.fromfile`` would build it.

    ``files``: every file read (the config first), for cache invalidation and a
    reverse index.  ``bases``: the direct bases as absolute paths (those that
    could be read).  ``skipped``: ``(path_or_text, reason)`` for everything
    left out quietly: a scoped base's text (``mmdet::...``), a base path, or
    ``"<path>:<line>"`` (1-based, as editors print it) for a statement that
    needs running code; ``deps``: every path looked at, files that were
    missing included.  ``style`` is ``"old"`` (``_base_``/plain) or ``"new"``
    (``with read_base():``).
    """

    path: str
    files: List[str] = field(default_factory=list)
    bases: List[str] = field(default_factory=list)
    issues: List[ConfigIssue] = field(default_factory=list)
    skipped: List[Tuple[str, str]] = field(default_factory=list)
    style: str = "old"
    # Every path the result depends on, probed-but-missing ones too (for
    # caches that outlive the process).
    deps: List[str] = field(default_factory=list)
    _root: Any = field(default=None, repr=False, compare=False)

    # -- lookup -----------------------------------------------------------
    def _node(self, key: Union[str, Sequence[Key]]) -> Any:
        root = self._root
        if root is None:
            return None
        if isinstance(key, str):
            if not key:
                return None
            return _n.lookup_dotted(root, key.split("."))
        return _n.lookup_exact(root, list(key))

    def get(self, key: Union[str, Sequence[Key]]) -> Optional[Value]:
        """The value at a dotted key path (or a tuple of keys), or None.

        In the dotted form a numeric part indexes a list/tuple (or matches an
        int/str dict key); a dict key that itself contains dots
        (``custom_keys={'backbone.cls_token': ...}``) is still found.
        """
        node = self._node(key)
        return None if node is None else _node_value(node)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, (str, tuple, list)):
            return False
        return self._node(key) is not None

    def keys(self) -> List[str]:
        """Top-level keys, in definition order."""
        root = self._root
        return [] if root is None else [k for k in root.data]

    def items(self) -> Iterator[Tuple[str, Value]]:
        """Top-level ``(key, Value)`` pairs."""
        root = self._root
        if root is None:
            return
        memo: dict = {}
        for k, child in root.data.items():
            yield k, _node_value(child, memo)

    def walk(self) -> Iterator[Tuple[KeyPath, Value]]:
        """Every value below the root, depth first, as ``(key_path, Value)``."""
        root = self._root
        if root is None:
            return
        memo: dict = {}
        for path, node in _n.iter_nodes(root):
            yield path, _node_value(node, memo)

    def to_plain(self) -> dict:
        """The merged config as plain Python values (a fresh ``dict``)."""
        root = self._root
        if root is None:
            return {}
        out = _n.to_plain(root)
        return out if isinstance(out, dict) else {}


def iter_values(resolved: ResolvedConfig) -> Iterator[Tuple[KeyPath, Value]]:
    """Same as ``resolved.walk()``."""
    return resolved.walk()


def find_all(
    resolved: ResolvedConfig, predicate: Callable[[Value], bool]
) -> List[Tuple[KeyPath, Value]]:
    """Every ``(key_path, Value)`` below the root for which ``predicate`` holds.

    Example: every dict with a ``type`` and where it was set::

        find_all(cfg, lambda v: isinstance(v.value, dict) and "type" in v.value)
    """
    found = []
    for path, value in resolved.walk():
        try:
            ok = predicate(value)
        except Exception:  # a predicate failing on an odd value is not our crash
            ok = False
        if ok:
            found.append((path, value))
    return found
