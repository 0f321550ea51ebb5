"""Internal value graph: every value the reader computes is a :class:`Node`.

A node pairs a value with the span that set it.  Containers hold child nodes
in a Python ``dict``/``list`` (``data``); two nodes may share one container,
which is how a name bound twice (``test_dataloader = val_dataloader``) keeps
Python's aliasing while each reference remembers its own span.

Merging helpers are *functional* (they build new containers and never touch
their inputs) because evaluated base configs live in a cache shared by later
resolves; only the evaluator's own in-file mutations change containers, and
those always act on copies it owns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

# Node kinds.
DICT = "dict"
LIST = "list"
TUPLE = "tuple"
SCALAR = "scalar"
UNRES = "unresolved"
TYPE = "type"  # a class imported by name (new style ``type=ImageNet``)
MODULE = "module"  # a Python module (``import copy``); data = dotted name
FUNC = "func"  # a callable; data = identifier ("copy.deepcopy", "<def f>")
NAMESPACE = "namespace"  # an imported config module; data = its names

CONTAINERS = (DICT, LIST, TUPLE)
DELETE_KEY = "_delete_"

Loc = Tuple[str, int, int, int, int]


@dataclass(frozen=True)
class Unresolved:
    """Marker for a value that cannot be computed without running code."""

    reason: str

    def __repr__(self) -> str:
        return f"Unresolved({self.reason!r})"


class Node:
    """One value: ``kind``, ``data``, the span that set it (``loc``), the span
    where it was first written when different (``org``), whether it behaves
    like an MMEngine ``ConfigDict`` (``cfg``; recursive ``update``, copying
    assignment), and for TYPE nodes the module it came from (``mod``)."""

    __slots__ = ("kind", "data", "loc", "org", "cfg", "mod")

    def __init__(
        self,
        kind: str,
        data: Any,
        loc: Loc,
        org: Optional[Loc] = None,
        cfg: bool = False,
        mod: Optional[str] = None,
    ) -> None:
        self.kind = kind
        self.data = data
        self.loc = loc
        self.org = org
        self.cfg = cfg
        self.mod = mod

    def __repr__(self) -> str:  # debugging aid only
        return f"Node({self.kind}, {self.data!r}, {self.loc[1]}:{self.loc[2]})"


def relocate(node: Node, loc: Loc) -> Node:
    """The same value (shared container) as seen from another span."""
    return Node(node.kind, node.data, loc, node.org or node.loc, node.cfg, node.mod)


def unres(reason: str, loc: Loc) -> Node:
    return Node(UNRES, Unresolved(reason), loc)


def scalar(value: Any, loc: Loc) -> Node:
    return Node(SCALAR, value, loc)


def from_plain(value: Any, loc: Loc, depth: int = 0) -> Node:
    """Wrap a plain Python value computed by a builtin (all parts share ``loc``)."""
    if depth > 50:
        return unres("value nested too deeply", loc)
    if isinstance(value, Unresolved):
        return Node(UNRES, value, loc)
    if isinstance(value, dict):
        return Node(DICT, {k: from_plain(v, loc, depth + 1) for k, v in value.items()}, loc)
    if isinstance(value, list):
        return Node(LIST, [from_plain(v, loc, depth + 1) for v in value], loc)
    if isinstance(value, tuple):
        return Node(TUPLE, [from_plain(v, loc, depth + 1) for v in value], loc)
    if isinstance(value, (str, int, float, bool, complex, bytes)) or value is None:
        return Node(SCALAR, value, loc)
    return unres(f"unsupported value of type {type(value).__name__}", loc)


_RECURSIVE = Unresolved("recursive reference")


def to_plain(node: Node, memo: Optional[dict] = None, _active: Optional[set] = None) -> Any:
    """Plain Python value of a node (dict/list/tuple/scalars/Unresolved).

    Each container is converted once (``memo``, keyed by identity; a walk
    passes one memo for all its values), so a value shared many times
    (``b = [a, a]; c = [b, b]; ...``) costs its size, not its number of
    paths; the plain result shares sub-objects the same way.  A container
    reached again while being converted is a cycle (``a['self'] = a``) and
    becomes ``Unresolved``.
    """
    if memo is None:
        memo = {}
    kind = node.kind
    if kind == SCALAR:
        return node.data
    if kind == TYPE:
        return node.data
    if kind == UNRES:
        return node.data
    if kind not in CONTAINERS:
        return Unresolved(f"{kind} object ({node.data if isinstance(node.data, str) else '...'})")
    key = id(node.data)
    if (kind, key) in memo:
        return memo[(kind, key)]
    if _active is None:
        _active = set()
    if key in _active:
        return _RECURSIVE
    _active.add(key)
    try:
        if kind == DICT:
            out: Any = {k: to_plain(v, memo, _active) for k, v in node.data.items()}
        elif kind == LIST:
            out = [to_plain(v, memo, _active) for v in node.data]
        else:
            out = tuple(to_plain(v, memo, _active) for v in node.data)
    finally:
        _active.discard(key)
    memo[(kind, key)] = out
    return out


def truthy(node: Optional[Node]) -> Optional[bool]:
    """Python truthiness, or None when the value is unknown."""
    if node is None:
        return None
    if node.kind in (SCALAR,):
        try:
            return bool(node.data)
        except Exception:
            return None
    if node.kind in CONTAINERS:
        return bool(node.data)
    if node.kind in (TYPE, MODULE, FUNC, NAMESPACE):
        return True
    return None


# -- copies -----------------------------------------------------------------


def shallow_copy(node: Node, loc: Loc) -> Node:
    """``x.copy()`` / ``copy.copy(x)``: a new container with the same children."""
    if node.kind == DICT:
        return Node(DICT, dict(node.data), loc, node.org or node.loc, node.cfg)
    if node.kind in (LIST, TUPLE):
        return Node(node.kind, list(node.data), loc, node.org or node.loc, node.cfg)
    return relocate(node, loc)


def _copy(node: Node, memo: Dict[int, Any], rebuild: Callable[[Node, Any], Node]) -> Node:
    """Copy the containers of ``node``, memoised by identity so that sharing
    (and cycles) inside the value stay bounded; ``rebuild`` makes each new
    container node from the old one and its copied data."""
    if node.kind not in CONTAINERS:
        return node
    key = id(node.data)
    data = memo.get(key)
    if data is None:
        if node.kind == DICT:
            data = {}
            memo[key] = data
            for k, v in node.data.items():
                data[k] = _copy(v, memo, rebuild)
        else:
            data = []
            memo[key] = data
            data.extend(_copy(v, memo, rebuild) for v in node.data)
    return rebuild(node, data)


def _same_node(node: Node, data: Any) -> Node:
    return Node(node.kind, data, node.loc, node.org, node.cfg, node.mod)


def _config_node(node: Node, data: Any) -> Node:
    return Node(node.kind, data, node.loc, node.org, node.kind == DICT or node.cfg)


def deep_copy(node: Node, memo: Optional[Dict[int, Any]] = None) -> Node:
    """``copy.deepcopy``: shared containers stay shared inside the copy."""
    return _copy(node, {} if memo is None else memo, _same_node)


def export_copy(node: Node, _memo: Optional[dict] = None) -> Node:
    """Copy a value leaving its file, as MMEngine's ConfigDict conversion does.

    Every dict becomes a ConfigDict and every list/tuple is rebuilt, so
    aliasing between names of the source file is *not* preserved: a
    new-style child that edits ``train_pipeline`` does not change
    ``train_dataloader.dataset.pipeline``.  It also keeps the cached base
    untouched by the importing file's edits.  (Sharing *inside* one copied
    value is kept, which bounds the work on shared and cyclic values.)
    """
    return _copy(node, {} if _memo is None else _memo, _config_node)


def hook(node: Node, _memo: Optional[dict] = None) -> Node:
    """``ConfigDict._hook``: what a ConfigDict stores when assigned ``node``.

    A plain dict is copied into a ConfigDict, lists/tuples are rebuilt with
    hooked items, ConfigDicts and scalars are kept as they are.
    """
    kind = node.kind
    if kind == DICT and node.cfg:
        return node
    if kind not in CONTAINERS:
        return node
    if _memo is None:
        _memo = {}
    key = id(node.data)
    data = _memo.get(key)
    if data is None:
        if kind == DICT:
            data = {}
            _memo[key] = data
            for k, v in node.data.items():
                data[k] = hook(v, _memo)
        else:
            data = []
            _memo[key] = data
            data.extend(hook(v, _memo) for v in node.data)
    return Node(kind, data, node.loc, node.org, kind == DICT or node.cfg)


# -- merging ----------------------------------------------------------------


def _without_delete(node: Node) -> Node:
    data = {k: v for k, v in node.data.items() if k != DELETE_KEY}
    return Node(DICT, data, node.loc, node.org, True)


def merge_into_base(
    child: Node, base: Node, notes: Optional[List[Tuple[str, Loc]]] = None, depth: int = 0
) -> Node:
    """``Config._merge_a_into_b(child, base)`` without mutating either side.

    Faithful details: a nested dict replaces the base one when it carries a
    true ``_delete_``; ``_delete_`` is dropped only where the key existed in
    the base (elsewhere MMEngine keeps it as an ordinary key).  Where
    MMEngine would raise (a dict merged onto a non-dict base value) the child
    wins and a note is recorded.
    """
    data = dict(base.data)
    for k, v in child.data.items():
        if v.kind == DICT and depth < 100:
            if k in data:
                stripped = _without_delete(v) if DELETE_KEY in v.data else v
                if truthy(v.data.get(DELETE_KEY)):
                    data[k] = stripped
                elif data[k].kind != DICT:
                    if notes is not None:
                        notes.append(
                            (f"key '{k}' is a dict in the child but not in its base", v.loc)
                        )
                    data[k] = stripped
                else:
                    data[k] = merge_into_base(stripped, data[k], notes, depth + 1)
            else:
                data[k] = v
        else:
            data[k] = v
    return Node(DICT, data, child.loc, child.org, True)


_MISSING = object()


def merge_configdict(a: Any, b: Any, depth: int = 0) -> Any:
    """``ConfigDict.merge`` (new style ``cfg.merge(dict(...))``), functional.

    Returns ``a`` merged over ``b``; either may be ``_MISSING``.  A true
    ``_delete_`` in ``a`` drops what ``b`` had at that level.
    """
    if a is _MISSING:
        return b
    if a.kind != DICT or depth > 100:
        return a
    if b is _MISSING or b.kind != DICT:
        return _without_delete(a) if DELETE_KEY in a.data else a
    bdata = {} if truthy(a.data.get(DELETE_KEY)) else b.data
    keys = list(bdata) + [k for k in a.data if k not in bdata]
    data = {
        k: merge_configdict(a.data.get(k, _MISSING), bdata.get(k, _MISSING), depth + 1)
        for k in keys
        if k != DELETE_KEY
    }
    return Node(DICT, data, a.loc, a.org, True)


def update_functional(base: Node, other: Node, depth: int = 0) -> Node:
    """``ConfigDict.update`` (recursive) of ``base`` by ``other``, as a new node.

    Used to combine the bases of one old-style file in order, like MMEngine's
    ``base_cfg_dict.update(...)``: a later base overrides an earlier one key by
    key inside nested dicts.
    """
    data = dict(base.data)
    for k, v in other.data.items():
        cur = data.get(k)
        if cur is None or cur.kind != DICT or v.kind != DICT or depth > 100:
            data[k] = v
        else:
            data[k] = update_functional(relocate(cur, v.loc), v, depth + 1)
    return Node(DICT, data, base.loc, base.org, True)


def update_inplace(target: Node, items: List[Tuple[Any, Node]], depth: int = 0) -> None:
    """``d.update(...)`` on a node the evaluator owns.

    A ConfigDict (``cfg``) updates recursively and stores hooked copies,
    exactly like MMEngine's override; a dict built in this file with
    ``dict(...)`` is a builtin dict, whose ``update`` is shallow.  A nested
    dict that is updated takes the span of the update, as the place it was
    last set.
    """
    data = target.data
    if not target.cfg:
        for k, v in items:
            data[k] = v
        return
    for k, v in items:
        cur = data.get(k)
        if cur is None or cur.kind != DICT or v.kind != DICT or depth > 100:
            data[k] = hook(v)
        else:
            moved = relocate(cur, v.loc)
            moved.cfg = True
            data[k] = moved
            update_inplace(moved, list(v.data.items()), depth + 1)


# -- navigation -------------------------------------------------------------


def _dict_child(data: dict, key: str) -> Optional[Node]:
    child = data.get(key)
    if child is None and key.lstrip("-").isdigit():
        child = data.get(int(key))
    return child


def lookup_dotted(node: Node, parts: List[str]) -> Optional[Node]:
    """Follow dotted parts; dict keys that contain dots are tried as well."""
    if not parts:
        return node
    if node.kind == DICT:
        for i in range(1, len(parts) + 1):
            child = _dict_child(node.data, ".".join(parts[:i]))
            if child is not None:
                found = lookup_dotted(child, parts[i:])
                if found is not None:
                    return found
        return None
    if node.kind in (LIST, TUPLE):
        head = parts[0]
        if head.lstrip("-").isdigit():
            idx = int(head)
            if -len(node.data) <= idx < len(node.data):
                return lookup_dotted(node.data[idx], parts[1:])
    return None


def lookup_exact(node: Node, keys: List[Any]) -> Optional[Node]:
    """Follow exact keys (dict keys or int indexes)."""
    for key in keys:
        if node.kind == DICT:
            child = node.data.get(key)
            if child is None and isinstance(key, str):
                child = _dict_child(node.data, key)
            elif child is None and isinstance(key, int) and not isinstance(key, bool):
                child = node.data.get(str(key))
            if child is None:
                return None
            node = child
        elif node.kind in (LIST, TUPLE):
            if isinstance(key, str) and key.lstrip("-").isdigit():
                key = int(key)
            if not isinstance(key, int) or not -len(node.data) <= key < len(node.data):
                return None
            node = node.data[key]
        else:
            return None
    return node


MAX_WALK = 50_000


def iter_nodes(root: Node, limit: int = MAX_WALK) -> Iterator[Tuple[Tuple[Any, ...], Node]]:
    """Depth-first ``(path, node)`` for everything below ``root``.

    Stops after ``limit`` nodes: a value shared many times has a number of
    *paths* exponential in the source size.  Cycles are not re-entered.
    """
    active: set = set()
    count = [0]

    def visit(path: Tuple[Any, ...], node: Node) -> Iterator[Tuple[Tuple[Any, ...], Node]]:
        if node.kind not in CONTAINERS:
            return
        key = id(node.data)
        if key in active:  # a cycle: do not descend again
            return
        active.add(key)
        try:
            pairs = node.data.items() if node.kind == DICT else enumerate(node.data)
            for k, child in list(pairs):
                count[0] += 1
                if count[0] > limit:
                    return
                sub = path + (k,)
                yield sub, child
                yield from visit(sub, child)
        finally:
            active.discard(key)

    return visit((), root)
