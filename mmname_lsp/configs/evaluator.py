"""Evaluate one config file's statements from its AST, never running code.

The evaluator is a tiny interpreter for the subset of Python that configs
use: assignments, literals, ``dict(...)``, arithmetic, slicing,
comprehensions, f-strings, a few pure builtins, dict/list methods that edit
values in place, ``copy.deepcopy``, ``if`` on known values, bounded ``for``.
Everything else becomes an ``Unresolved`` value (expressions) or an entry in
``skipped`` (statements).  It never imports, ``exec``s or ``eval``s user code.

MMEngine semantics mirrored (``mmengine.config.Config``):

* old style: the first top-level ``_base_ = ...`` names the bases; their
  merged config is the Python name ``_base_`` while the file runs (so
  ``_base_.model.backbone`` and ``_base_.x.y = v`` work); base variables are
  not plain names; ``{{_base_.a.b}}`` (bare or as a whole string literal)
  is replaced by the base value; finally the file's variables are merged
  into the bases (``_delete_`` replaces);
* new style: ``with read_base():`` + ``from ..x import *`` / ``import a, b``
  imports a base module's names (copied as ConfigDicts, so aliasing inside
  the base is not kept), ``from pkg import Cls`` makes ``Cls`` a class
  reference whose value is the string ``"Cls"``; imported dicts have the
  ConfigDict ``update`` (recursive) and ``merge`` (``_delete_``-aware).
"""

from __future__ import annotations

import ast
import itertools
import operator
import os
import re
import sys
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple

from . import nodes as N
from .model import CYCLE, ConfigIssue
from .nodes import Node, Unresolved

if TYPE_CHECKING:  # pragma: no cover
    from .resolver import FileResult, Session
    from .source import SourceFile

BASE_KEY = "_base_"
_MAX_ITEMS = 100_000  # elements of a list/str built by repetition or range
_MAX_STR = 1_000_000
_MAX_INT_BITS = 100_000
_MAX_LOOP = 10_000  # iterations of comprehensions and for loops, per file
_MAX_WORK = 2_000_000  # elements built by +, * and loops, per file

_BASE_STRING = re.compile(r"\s*\{\{\s*_base_\.([\w.]+)\s*\}\}\s*\Z")
_PREDEFINED = re.compile(
    r"\{\{\s*(fileDirname|fileBasename|fileBasenameNoExtension|fileExtname)\s*\}\}"
)
_ENV_VAR = re.compile(r"\{\{['\"]?\s*\$(\w+)\s*:\s*(\S*?)\s*['\"]?\}\}")
_SIMPLE_FORMAT = re.compile(r"(?:[^{}]|\{\{|\}\}|\{\w*(?:![rsa])?(?::[^{}]*)?\})*\Z")
_FORMAT_SPEC_NUMBERS = re.compile(r"\d+")

_BIN_OPS: Dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
    ast.LShift: operator.lshift,
    ast.RShift: operator.rshift,
    ast.BitOr: operator.or_,
    ast.BitAnd: operator.and_,
    ast.BitXor: operator.xor,
}
_CMP_OPS: Dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}
_NUMBER = (int, float, complex, bool)

# Builtins computed on plain values (none of them can run user code or
# reach the file system when given plain data).
_PURE_BUILTINS: Dict[str, Callable[..., Any]] = {
    "round": round,
    "int": int,
    "float": float,
    "str": str,
    "bool": bool,
    "abs": abs,
    "len": len,
    "min": min,
    "max": max,
    "sum": sum,
    "sorted": sorted,
    "any": any,
    "all": all,
    "reversed": reversed,
    "enumerate": enumerate,
    "zip": zip,
    "range": range,
    "pow": pow,
    "divmod": divmod,
}
_SPECIAL_BUILTINS = ("dict", "list", "tuple")
_STR_METHODS = frozenset(
    {
        "upper",
        "lower",
        "strip",
        "lstrip",
        "rstrip",
        "split",
        "startswith",
        "endswith",
        "join",
        "format",
        "title",
        "capitalize",
    }
)
_COPY_FUNCS = {"deepcopy": "copy.deepcopy", "copy": "copy.copy"}


def _has_unresolved(value: Any, _seen: Optional[set] = None) -> bool:
    if isinstance(value, Unresolved):
        return True
    if not isinstance(value, (dict, list, tuple)):
        return False
    # Plain values may share sub-objects (see ``nodes.to_plain``): visit each once.
    if _seen is None:
        _seen = set()
    if id(value) in _seen:
        return False
    _seen.add(id(value))
    items = value.values() if isinstance(value, dict) else value
    return any(_has_unresolved(v, _seen) for v in items)


def _size(node: Node) -> int:
    data = node.data
    if node.kind in N.CONTAINERS or isinstance(data, (str, bytes)):
        return len(data)
    return 0


def _too_big(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value.bit_length() > _MAX_INT_BITS
    if isinstance(value, (str, bytes)):
        return len(value) > _MAX_STR
    if isinstance(value, (list, tuple)):
        return len(value) > _MAX_ITEMS
    return False


def _safe_binop(op: type, left: Any, right: Any) -> Any:
    """Apply ``op`` to plain values, refusing results that would explode."""
    if op is ast.Pow and isinstance(left, int) and isinstance(right, int):
        if right > 0 and left not in (0, 1, -1) and left.bit_length() * right > _MAX_INT_BITS:
            raise OverflowError("power too large")
    if op is ast.LShift and isinstance(right, int) and right > _MAX_INT_BITS:
        raise OverflowError("shift too large")
    if op is ast.Mult:
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, (str, bytes, list, tuple)) and isinstance(times, int):
                if len(seq) * max(times, 0) > _MAX_ITEMS * (10 if isinstance(seq, str) else 1):
                    raise OverflowError("repetition too large")
    if op is ast.Mod and isinstance(left, (str, bytes)):
        raise TypeError("%-formatting is not evaluated")
    fn = _BIN_OPS[op]
    result = fn(left, right)
    if _too_big(result):
        raise OverflowError("result too large")
    return result


def _dotted(node: ast.AST) -> Optional[List[str]]:
    """``a.b.c`` -> ``["a", "b", "c"]`` for Name/Attribute chains."""
    parts: List[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        parts.reverse()
        return parts
    return None


def _is_read_base(stmt: ast.stmt) -> bool:
    if not isinstance(stmt, ast.With) or not stmt.items:
        return False
    expr = stmt.items[0].context_expr
    if not isinstance(expr, ast.Call):
        return False
    func = expr.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    return name == "read_base"


_STDLIB_FALLBACK = frozenset(
    "abc argparse ast collections contextlib copy dataclasses datetime enum functools glob "
    "itertools json logging math operator os pathlib platform random re shutil string sys "
    "tempfile time types typing uuid warnings".split()
)
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | _STDLIB_FALLBACK


def _is_builtin_module(module: str) -> bool:
    """Like MMEngine's check, without looking anything up on ``sys.path``."""
    if module.startswith("mmengine.config"):
        return True
    top = module.split(".")[0]
    return top in _STDLIB or top in sys.builtin_module_names


def is_lazy_import(body: List[ast.stmt]) -> bool:
    """MMEngine's ``Config._is_lazy_import``: is this a new-style config?

    The first decisive statement in breadth-first order wins: ``_base_ = ...``
    means old style; ``with read_base()``, a relative import or an import of a
    non-standard-library module means new style.  Only statements are walked
    (expressions hold none), which keeps the check cheap.
    """
    queue: List[ast.stmt] = list(body)
    i = 0
    while i < len(queue):
        node = queue[i]
        i += 1
        if _is_base_assign(node):
            return False
        if isinstance(node, ast.With):
            return True
        if isinstance(node, ast.ImportFrom):
            if node.level:
                return True
            if node.module == "mmengine" and [a.name for a in node.names] == ["Config"]:
                continue
            if isinstance(node.module, str) and not _is_builtin_module(node.module):
                return True
        elif isinstance(node, ast.Import):
            if any(not _is_builtin_module(a.name) for a in node.names):
                return True
        for field in ("body", "orelse", "finalbody", "handlers"):
            sub = getattr(node, field, None)
            if isinstance(sub, list):
                queue.extend(x for x in sub if isinstance(x, (ast.stmt, ast.excepthandler)))
    return False


def _is_base_assign(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Assign)
        and isinstance(stmt.targets[0], ast.Name)
        and stmt.targets[0].id == BASE_KEY
    )


class _Stop(Exception):
    """Internal: abandon a comprehension/loop whose result cannot be known."""


class Evaluator:
    """Runs one file's statements into ``FileResult``."""

    def __init__(self, session: Session, src: SourceFile, res: FileResult) -> None:
        self.session = session
        self.src = src
        self.res = res
        self.path = src.path
        # The span of an AST node (hot path: bound once, not wrapped).
        self.loc: Callable[[ast.AST], N.Loc] = src.loc
        self.dir = os.path.dirname(src.path)
        self.env: Dict[str, Node] = {}
        self.scopes: List[Dict[str, Node]] = []
        self.old_style = True
        self.base_root: Optional[Node] = None  # merged bases, shared with the cache
        self.base_view: Optional[Node] = None  # private copy once ``_base_`` is used
        self.loop_budget = 0
        self.work = 0
        self._expr: Dict[type, Callable[[Any], Node]] = {
            ast.Constant: self._constant,
            ast.Name: self._name,
            ast.Attribute: self._attribute,
            ast.Subscript: self._subscript,
            ast.Call: self._call,
            ast.Dict: self._dict,
            ast.List: self._list,
            ast.Tuple: self._list,
            ast.Set: self._set,
            ast.BinOp: self._binop,
            ast.UnaryOp: self._unaryop,
            ast.BoolOp: self._boolop,
            ast.Compare: self._compare,
            ast.IfExp: self._ifexp,
            ast.JoinedStr: self._joinedstr,
            ast.ListComp: self._listcomp,
            ast.GeneratorExp: self._listcomp,
            ast.DictComp: self._dictcomp,
            ast.Lambda: self._lambda,
            ast.NamedExpr: self._namedexpr,
        }

    # -- helpers ------------------------------------------------------------
    def skip(self, node: ast.AST, reason: str) -> None:
        line = getattr(node, "lineno", 1)
        entry = (f"{self.path}:{line}", reason)
        if entry not in self.res.skipped:
            self.res.skipped.append(entry)

    def issue(self, kind: str, message: str, where: Any, target: Optional[str]) -> None:
        """Record an issue at an AST node or at a node span tuple."""
        _, line, col, end_line, end_col = where if isinstance(where, tuple) else self.loc(where)
        found = ConfigIssue(kind, message, self.path, line, col, end_line, end_col, target)
        if found not in self.res.issues:
            self.res.issues.append(found)

    # -- driver -------------------------------------------------------------
    def run(self) -> None:
        body = self.src.body
        self.old_style = not is_lazy_import(body)
        self.res.style = "old" if self.old_style else "new"
        base_stmt = next((st for st in body if _is_base_assign(st)), None)
        if base_stmt is not None and self.old_style:
            self._old_bases(base_stmt)  # type: ignore[arg-type]
        for stmt in body:
            self.exec_stmt(stmt)
        self._finish()

    def _finish(self) -> None:
        root_loc: N.Loc = (self.path, 0, 0, 0, 0)
        own = {
            k: v
            for k, v in self.env.items()
            if not k.startswith("__") and v.kind not in (N.TYPE, N.MODULE, N.FUNC, N.NAMESPACE)
        }
        config = Node(N.DICT, own, root_loc, cfg=True)
        if self.old_style:
            base = self.base_view if self.base_view is not None else self.base_root
            if base is not None and base.kind == N.DICT:
                notes: List[Tuple[str, N.Loc]] = []
                config = N.merge_into_base(config, base, notes)
                config.loc = root_loc
                for msg, loc in notes:
                    entry = (f"{loc[0]}:{loc[1] + 1}", msg + " (MMEngine raises; the child wins)")
                    if entry not in self.res.skipped:
                        self.res.skipped.append(entry)
            self.res.exports = dict(config.data)
        else:
            self.res.exports = dict(self.env)
        self.res.config = config

    # -- bases ----------------------------------------------------------------
    def _include(self, target: str, where: Any, what: str) -> Optional[FileResult]:
        """Evaluate a base file and fold its bookkeeping into ours."""
        result = self.session.evaluate(target)
        if result is None:
            chain = " -> ".join(os.path.basename(p) for p in self.session.stack)
            self.issue(
                CYCLE,
                f"inheritance cycle: {chain} -> {os.path.basename(target)}",
                where,
                target,
            )
            self.res.tainted = True
            self.res.deps[target] = self.session.stamp(target)
            return None
        self.res.absorb(result)
        if result.error is not None:
            kind, message = result.error
            self.issue(kind, f"{what}: {message}", where, target)
            return None
        if target not in self.res.bases:
            self.res.bases.append(target)
        return result

    def _old_bases(self, stmt: ast.Assign) -> None:
        value = self.ev(stmt.value)
        if value.kind in (N.LIST, N.TUPLE):
            entries = list(value.data)
        else:
            entries = [value]
        merged: Optional[Node] = None
        for entry in entries:
            if entry.kind != N.SCALAR or not isinstance(entry.data, str):
                self.skip(stmt, f"_base_ entry is not a string: {N.to_plain(entry)!r}")
                continue
            text = entry.data
            if "::" in text:
                scope = text.partition("::")[0]
                self.res.add_skipped(text, f"scoped base from package '{scope}' is not read")
                continue
            ext = os.path.splitext(text)[1].lower()
            target = os.path.normpath(os.path.join(self.dir, os.path.expanduser(text)))
            if ext in (".json", ".yaml", ".yml"):
                self.res.add_skipped(target, f"{ext} bases are not read")
                continue
            if ext != ".py":
                self.res.add_skipped(text, "base is not a .py/.json/.yaml file")
                continue
            result = self._include(target, entry.loc, f"base {text!r}")
            if result is None or result.config is None:
                continue
            if result.style == "new":
                self.res.add_skipped(
                    target,
                    "is a new-style (lazy import) config by MMEngine's rule; MMEngine "
                    "refuses it as the base of an old-style config (read anyway)",
                )
            if merged is None:
                merged = result.config
            else:
                dup = [k for k in result.config.data if k in merged.data]
                if dup:
                    self.res.add_skipped(
                        target,
                        "keys also set by an earlier base (MMEngine raises KeyError; "
                        f"the later base wins): {', '.join(map(str, dup))}",
                    )
                merged = N.update_functional(merged, result.config)
        self.base_root = merged

    def _base_node(self) -> Node:
        """``_base_`` as the running file sees it: a private, mutable copy."""
        if self.base_view is None:
            if self.base_root is not None:
                # Copied key by key: MMEngine converts each base value to a
                # ConfigDict separately, so ``_base_.train_pipeline`` is not
                # the list inside ``_base_.train_dataloader`` any more.
                data = {k: N.export_copy(v) for k, v in self.base_root.data.items()}
                self.base_view = Node(N.DICT, data, self.base_root.loc, cfg=True)
            else:
                self.base_view = Node(N.DICT, {}, (self.path, 0, 0, 0, 0), cfg=True)
        return self.base_view

    def _base_ref(self, parts: List[str], loc: N.Loc) -> Node:
        dotted = ".".join(parts)
        if not self.old_style:
            return N.unres(f"{{{{_base_.{dotted}}}}} only works in _base_-style configs", loc)
        node = N.lookup_exact(self._base_node(), parts)
        if node is None:
            return N.unres(f"the bases define no '{dotted}'", loc)
        return N.relocate(node, loc)

    def _module_file(self, stmt: ast.ImportFrom) -> Optional[str]:
        module = stmt.module or ""
        if stmt.level:
            parts = [".."] * (stmt.level - 1) + (module.split(".") if module else [])
            return os.path.normpath(os.path.join(self.dir, *parts)) + ".py"
        parts = module.split(".")
        # ``mmpretrain.configs._base_.x``: look for the package among our
        # ancestors instead of asking an installed package (nothing imported).
        current = self.dir
        while True:
            candidate = os.path.join(current, *parts) + ".py"
            st = self.session.stamp(candidate)
            self.res.deps[candidate] = st
            if st[0] in ("file", "overlay"):
                return candidate
            parent = os.path.dirname(current)
            if parent == current:
                return None
            current = parent

    def _read_base_import(self, stmt: ast.stmt) -> None:
        if not isinstance(stmt, ast.ImportFrom):
            self.exec_stmt(stmt)
            return
        if stmt.module is None:
            self.skip(stmt, "'from . import module' of config modules is not read")
            return
        target = self._module_file(stmt)
        if target is None:
            self.res.add_skipped(stmt.module, "config module from another package is not read")
            self._bind_missing(stmt, "module from another package")
            return
        result = self._include(target, stmt, f"base module {'.' * stmt.level}{stmt.module}")
        if result is None:
            self._bind_missing(stmt, "base module could not be read")
            return
        exports = result.exports
        for alias in stmt.names:
            if alias.name == "*":
                for name, node in exports.items():
                    if not name.startswith("_"):
                        self.env[name] = N.export_copy(node)
                continue
            found = exports.get(alias.name)
            bound = alias.asname or alias.name
            if found is None:
                self.skip(stmt, f"cannot import name '{alias.name}' from {target}")
                self.env[bound] = N.unres(
                    f"'{alias.name}' is not defined in {target}", self.loc(stmt)
                )
            else:
                self.env[bound] = N.export_copy(found)

    def _bind_missing(self, stmt: ast.ImportFrom, why: str) -> None:
        for alias in stmt.names:
            if alias.name != "*":
                self.env[alias.asname or alias.name] = N.unres(why, self.loc(stmt))

    # -- statements -----------------------------------------------------------
    def exec_stmt(self, stmt: ast.stmt) -> None:
        try:
            self._exec(stmt)
        except _Stop as stop:
            self.skip(stmt, str(stop) or "statement not evaluated")
        except RecursionError:
            self.skip(stmt, "statement nested too deeply")
        except Exception as exc:  # a reader bug must not take the server down
            self.skip(stmt, f"internal error while reading statement: {exc!r}")

    def _exec(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Assign):
            if self.old_style and _is_base_assign(stmt):
                return  # MMEngine removes every ``_base_ = ...`` before running
            value = self.ev(stmt.value)
            for target in stmt.targets:
                self.assign(target, value)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None:
                self.assign(stmt.target, self.ev(stmt.value))
        elif isinstance(stmt, ast.AugAssign):
            self._augassign(stmt)
        elif isinstance(stmt, ast.Expr):
            if isinstance(stmt.value, ast.Constant):
                return  # docstring
            result = self.ev(stmt.value)
            if result.kind == N.UNRES:
                self.skip(stmt, f"expression statement not evaluated: {result.data.reason}")
        elif isinstance(stmt, ast.ImportFrom):
            self._import_from(stmt)
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    self.env[alias.asname] = Node(N.MODULE, alias.name, self.loc(stmt))
                else:
                    top = alias.name.split(".")[0]
                    self.env[top] = Node(N.MODULE, top, self.loc(stmt))
        elif isinstance(stmt, ast.With):
            if _is_read_base(stmt):
                for sub in stmt.body:
                    try:
                        self._read_base_import(sub)
                    except Exception as exc:
                        self.skip(sub, f"internal error while reading import: {exc!r}")
            else:
                self.skip(stmt, "'with' block not evaluated")
        elif isinstance(stmt, ast.If):
            test = N.truthy(self.ev(stmt.test))
            if test is None:
                self.skip(stmt, "'if' condition cannot be known statically")
                return
            for sub in stmt.body if test else stmt.orelse:
                self.exec_stmt(sub)
        elif isinstance(stmt, ast.For):
            self._for(stmt)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.env[stmt.name] = Node(N.FUNC, f"<def {stmt.name}>", self.loc(stmt))
        elif isinstance(stmt, ast.Delete):
            for target in stmt.targets:
                self._delete(target)
        elif isinstance(stmt, ast.Try):
            # The handlers only run when the body raises, which evaluation
            # of plain data does not do: read body, else and finally.
            for sub in stmt.body + stmt.orelse + stmt.finalbody:
                self.exec_stmt(sub)
        elif isinstance(stmt, (ast.Pass, ast.Global, ast.Nonlocal)):
            return
        else:
            self.skip(stmt, f"'{type(stmt).__name__}' statement not evaluated")

    def _import_from(self, stmt: ast.ImportFrom) -> None:
        if stmt.level:
            # Relative imports of config modules outside ``read_base``:
            # MMEngine wants them inside it, but the intent is clear.
            self._read_base_import(stmt)
            return
        module = stmt.module or ""
        loc = self.loc(stmt)
        for alias in stmt.names:
            if alias.name == "*":
                self.res.add_skipped(module, "'import *' from a Python package is not read")
                continue
            bound = alias.asname or alias.name
            if module == "copy" and alias.name in _COPY_FUNCS:
                self.env[bound] = Node(N.FUNC, _COPY_FUNCS[alias.name], loc)
            else:
                self.env[bound] = Node(N.TYPE, alias.name, loc, mod=module)

    def _for(self, stmt: ast.For) -> None:
        if any(isinstance(n, (ast.Break, ast.Continue, ast.Return)) for n in ast.walk(stmt)):
            raise _Stop("'for' loop with break/continue not evaluated")
        items = self._iterate(self.ev(stmt.iter))
        if items is None:
            raise _Stop("'for' loop over an unknown value not evaluated")
        if len(items) > _MAX_LOOP:
            raise _Stop("'for' loop too long")
        for item in items:
            self.loop_budget += 1
            if self.loop_budget > _MAX_LOOP or not self._charge(1):
                raise _Stop("'for' loop too long")
            self.assign(stmt.target, item)
            for sub in stmt.body:
                self.exec_stmt(sub)
        for sub in stmt.orelse:
            self.exec_stmt(sub)

    def _delete(self, target: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self.env.pop(target.id, None)
            return
        if isinstance(target, (ast.Attribute, ast.Subscript)):
            container = self.ev(target.value)
            key = self._target_key(target)
            if container.kind == N.DICT and key is not _NO_KEY:
                container.data.pop(key, None)
                return
            if container.kind == N.LIST and isinstance(key, int):
                if -len(container.data) <= key < len(container.data):
                    del container.data[key]
                    return
        raise _Stop("'del' target not evaluated")

    def _target_key(self, target: ast.expr) -> Any:
        if isinstance(target, ast.Attribute):
            return target.attr
        if isinstance(target, ast.Subscript) and not isinstance(target.slice, ast.Slice):
            key = self.ev(target.slice)
            if key.kind in (N.SCALAR, N.TYPE):
                return key.data
            if key.kind == N.TUPLE:
                plain = N.to_plain(key)
                if not _has_unresolved(plain):
                    return plain
        return _NO_KEY

    def assign(self, target: ast.expr, value: Node) -> None:
        if isinstance(target, ast.Name):
            if self.scopes:
                self.scopes[-1][target.id] = value
            else:
                self.env[target.id] = value
            return
        if isinstance(target, (ast.Tuple, ast.List)):
            names = target.elts
            items = self._iterate(value)
            if (
                items is not None
                and len(items) == len(names)
                and not any(isinstance(e, ast.Starred) for e in names)
            ):
                for sub, item in zip(names, items):
                    self.assign(sub, item)
                return
            for sub in names:
                inner = sub.value if isinstance(sub, ast.Starred) else sub
                self.assign(inner, N.unres("unpacking of an unknown value", value.loc))
            return
        if isinstance(target, (ast.Attribute, ast.Subscript)):
            container = self.ev(target.value)
            key = self._target_key(target)
            if key is _NO_KEY:
                raise _Stop("assignment target key cannot be known statically")
            if container.kind == N.DICT:
                if isinstance(target, ast.Attribute) and not container.cfg:
                    pass  # a builtin dict has no attributes; be lenient, the intent is clear
                container.data[key] = N.hook(value) if container.cfg else value
                return
            if container.kind == N.LIST and isinstance(key, int) and not isinstance(key, bool):
                if -len(container.data) <= key < len(container.data):
                    container.data[key] = value
                    return
                raise _Stop("list index out of range")
            if container.kind == N.UNRES:
                raise _Stop(f"assignment into an unknown value: {container.data.reason}")
            raise _Stop(f"cannot assign into a {container.kind} value")
        raise _Stop(f"assignment to {type(target).__name__} not evaluated")

    def _augassign(self, stmt: ast.AugAssign) -> None:
        current = self.ev(stmt.target)
        right = self.ev(stmt.value)
        loc = self.loc(stmt)
        combined = self._combine(type(stmt.op), current, right, loc)
        if combined.kind == N.LIST and current.kind == N.LIST:
            # ``lst += other`` extends the list object in place.
            current.data[:] = combined.data
            return
        self.assign(stmt.target, combined)

    # -- expressions ----------------------------------------------------------
    def ev(self, node: ast.AST) -> Node:
        handler = self._expr.get(type(node))
        if handler is None:
            return N.unres(f"unsupported expression: {type(node).__name__}", self.loc(node))
        return handler(node)

    def _constant(self, node: ast.Constant) -> Node:
        value = node.value
        loc = self.loc(node)
        if isinstance(value, str) and "{{" in value:
            match = _BASE_STRING.match(value)
            if match and self.old_style:
                return self._base_ref(match.group(1).split("."), loc)
            value = self._substitute_templates(value)
        if value is Ellipsis:
            return N.unres("'...' placeholder", loc)
        return Node(N.SCALAR, value, loc)

    def _substitute_templates(self, text: str) -> str:
        """MMEngine's predefined ``{{ fileDirname }}``-style variables and
        ``{{$ENV:default}}`` (always the default: results must not depend on
        the reader's environment)."""
        base = os.path.basename(self.path)

        def predefined(m: re.Match[str]) -> str:
            name = m.group(1)
            value = {
                "fileDirname": self.dir,
                "fileBasename": base,
                "fileBasenameNoExtension": os.path.splitext(base)[0],
                "fileExtname": os.path.splitext(base)[1],
            }[name]
            return value.replace("\\", "/")

        text = _PREDEFINED.sub(predefined, text)
        return _ENV_VAR.sub(lambda m: m.group(2), text)

    def _name(self, node: ast.Name) -> Node:
        name = node.id
        loc = self.loc(node)
        for scope in reversed(self.scopes):
            found = scope.get(name)
            if found is not None:
                return N.relocate(found, loc)
        found = self.env.get(name)
        if found is not None:
            return N.relocate(found, loc)
        if name == BASE_KEY and self.old_style:
            return N.relocate(self._base_node(), loc)
        if name in _PURE_BUILTINS or name in _SPECIAL_BUILTINS:
            return Node(N.FUNC, f"builtins.{name}", loc)
        if name == "__name__":
            return Node(N.SCALAR, "__config__", loc)  # a config never runs as __main__
        if self.old_style and self.base_root is not None and name in self.base_root.data:
            return N.unres(
                f"'{name}' is defined in a base; old-style bases are not Python names "
                f"(use {{{{_base_.{name}}}}} or _base_.{name})",
                loc,
            )
        return N.unres(f"undefined name '{name}'", loc)

    def _attribute(self, node: ast.Attribute) -> Node:
        return self._attr_of(self.ev(node.value), node.attr, self.loc(node))

    def _attr_of(self, obj: Node, attr: str, loc: N.Loc) -> Node:
        kind = obj.kind
        if kind == N.DICT:
            found = obj.data.get(attr)
            if found is None:
                return N.unres(f"no key '{attr}'", loc)
            return N.relocate(found, loc)
        if kind == N.MODULE:
            if obj.data == "copy" and attr in _COPY_FUNCS:
                return Node(N.FUNC, _COPY_FUNCS[attr], loc)
            return Node(N.TYPE, attr, loc, mod=obj.data)
        if kind == N.TYPE:
            parent = f"{obj.mod}.{obj.data}" if obj.mod else obj.data
            return Node(N.TYPE, attr, loc, mod=parent)
        if kind == N.UNRES:
            return Node(N.UNRES, obj.data, loc)
        return N.unres(f"attribute '{attr}' of a {kind} value", loc)

    def _index(self, obj: Node, key: Any, loc: N.Loc) -> Node:
        if obj.kind == N.DICT:
            try:
                found = obj.data.get(key)
            except TypeError:
                found = None
            if found is None:
                return N.unres(f"no key {key!r}", loc)
            return N.relocate(found, loc)
        if obj.kind in (N.LIST, N.TUPLE):
            if isinstance(key, int):
                if -len(obj.data) <= key < len(obj.data):
                    return N.relocate(obj.data[key], loc)
                return N.unres(f"index {key} out of range", loc)
            if isinstance(key, slice):
                return Node(obj.kind, obj.data[key], loc, None, obj.cfg)
            return N.unres("list index is not an integer", loc)
        if obj.kind == N.SCALAR:
            try:
                return N.from_plain(obj.data[key], loc)
            except Exception as exc:
                return N.unres(f"indexing failed: {exc}", loc)
        if obj.kind == N.UNRES:
            return Node(N.UNRES, obj.data, loc)
        return N.unres(f"indexing a {obj.kind} value", loc)

    def _subscript(self, node: ast.Subscript) -> Node:
        obj = self.ev(node.value)
        loc = self.loc(node)
        sl = node.slice
        if isinstance(sl, ast.Slice):
            bounds = []
            for part in (sl.lower, sl.upper, sl.step):
                if part is None:
                    bounds.append(None)
                    continue
                value = self.ev(part)
                if value.kind != N.SCALAR or not isinstance(value.data, (int, type(None))):
                    return N.unres("slice bound cannot be known statically", loc)
                bounds.append(value.data)
            try:
                key: Any = slice(*bounds)
                if bounds[2] == 0:
                    return N.unres("slice step is zero", loc)
            except Exception:
                return N.unres("invalid slice", loc)
            return self._index(obj, key, loc)
        index = self.ev(sl)
        if index.kind == N.UNRES:
            return Node(N.UNRES, index.data, loc)
        key = N.to_plain(index)
        if _has_unresolved(key):
            return N.unres("subscript cannot be known statically", loc)
        return self._index(obj, key, loc)

    def _dict(self, node: ast.Dict) -> Node:
        data: Dict[Any, Node] = {}
        loc = self.loc(node)
        for k, v in zip(node.keys, node.values):
            value = self.ev(v)
            if k is None:  # ``**other``
                if value.kind == N.DICT:
                    data.update(value.data)
                else:
                    data[f"<**{ast.unparse(v)}>"] = N.unres("'**' of an unknown value", value.loc)
                continue
            key = self.ev(k)
            plain = N.to_plain(key)
            if _has_unresolved(plain):
                self.skip(k, "dict key cannot be known statically")
                continue
            try:
                hash(plain)
            except TypeError:
                self.skip(k, "unhashable dict key")
                continue
            data[plain] = value
        return Node(N.DICT, data, loc)

    def _elements(self, elts: List[ast.expr]) -> Optional[List[Node]]:
        out: List[Node] = []
        for elt in elts:
            if isinstance(elt, ast.Starred):
                items = self._iterate(self.ev(elt.value))
                if items is None:
                    return None
                out.extend(items)
            else:
                out.append(self.ev(elt))
        return out

    def _list(self, node: Any) -> Node:
        loc = self.loc(node)
        items = self._elements(node.elts)
        if items is None:
            return N.unres("'*' of an unknown value", loc)
        return Node(N.LIST if isinstance(node, ast.List) else N.TUPLE, items, loc)

    def _set(self, node: ast.Set) -> Node:
        loc = self.loc(node)
        # ``{{_base_.x}}`` written bare is a set of a set to Python.
        if (
            len(node.elts) == 1
            and isinstance(node.elts[0], ast.Set)
            and len(node.elts[0].elts) == 1
        ):
            inner = node.elts[0].elts[0]
            parts = _dotted(inner)
            if parts and parts[0] == BASE_KEY and len(parts) > 1:
                return self._base_ref(parts[1:], loc)
            if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
                env = _ENV_VAR.fullmatch("{{" + inner.value + "}}")
                if env:
                    try:
                        return N.from_plain(ast.literal_eval(env.group(2)), loc)
                    except Exception:
                        return Node(N.SCALAR, env.group(2), loc)
        return N.unres("set literal", loc)

    def _charge(self, amount: int) -> bool:
        """Count work done building values; False once the file's budget is gone
        (a loop doubling a list must not stall the server)."""
        self.work += amount
        return self.work <= _MAX_WORK

    def _combine(self, op: type, left: Node, right: Node, loc: N.Loc) -> Node:
        if not self._charge(1 + _size(left) + _size(right)):
            return N.unres("evaluation budget exhausted", loc)
        if left.kind == N.UNRES:
            return Node(N.UNRES, left.data, loc)
        if right.kind == N.UNRES:
            return Node(N.UNRES, right.data, loc)
        if op is ast.Add and left.kind in (N.LIST, N.TUPLE) and left.kind == right.kind:
            if len(left.data) + len(right.data) > _MAX_ITEMS:
                return N.unres("sequence too long", loc)
            return Node(left.kind, list(left.data) + list(right.data), loc)
        if op is ast.BitOr and left.kind == N.DICT and right.kind == N.DICT:
            return Node(N.DICT, {**left.data, **right.data}, loc)
        if op is ast.Mult and {left.kind, right.kind} <= {N.LIST, N.TUPLE, N.SCALAR}:
            seq, times = (left, right) if left.kind in (N.LIST, N.TUPLE) else (right, left)
            if seq.kind in (N.LIST, N.TUPLE):
                if not isinstance(times.data, int) or isinstance(times.data, bool):
                    return N.unres("sequence repeated by a non-integer", loc)
                if len(seq.data) * max(times.data, 0) > _MAX_ITEMS:
                    return N.unres("sequence too long", loc)
                return Node(seq.kind, list(seq.data) * max(times.data, 0), loc)
        if left.kind == N.SCALAR and right.kind == N.SCALAR:
            try:
                return Node(N.SCALAR, _safe_binop(op, left.data, right.data), loc)
            except Exception as exc:
                return N.unres(f"arithmetic failed: {exc}", loc)
        return N.unres(f"operator on {left.kind} and {right.kind} values", loc)

    def _binop(self, node: ast.BinOp) -> Node:
        return self._combine(type(node.op), self.ev(node.left), self.ev(node.right), self.loc(node))

    def _unaryop(self, node: ast.UnaryOp) -> Node:
        operand = self.ev(node.operand)
        loc = self.loc(node)
        if isinstance(node.op, ast.Not):
            test = N.truthy(operand)
            return (
                N.unres("'not' of an unknown value", loc)
                if test is None
                else Node(N.SCALAR, not test, loc)
            )
        if operand.kind != N.SCALAR or not isinstance(operand.data, _NUMBER):
            if operand.kind == N.UNRES:
                return Node(N.UNRES, operand.data, loc)
            return N.unres("unary operator on a non-number", loc)
        try:
            if isinstance(node.op, ast.USub):
                return Node(N.SCALAR, -operand.data, loc)
            if isinstance(node.op, ast.UAdd):
                return Node(N.SCALAR, +operand.data, loc)
            return Node(N.SCALAR, ~operand.data, loc)
        except Exception as exc:
            return N.unres(f"unary operator failed: {exc}", loc)

    def _boolop(self, node: ast.BoolOp) -> Node:
        loc = self.loc(node)
        is_and = isinstance(node.op, ast.And)
        result: Optional[Node] = None
        for sub in node.values:
            result = self.ev(sub)
            test = N.truthy(result)
            if test is None:
                return N.unres("boolean operand cannot be known statically", loc)
            if test != is_and:
                break
        assert result is not None
        return N.relocate(result, loc)

    def _compare(self, node: ast.Compare) -> Node:
        loc = self.loc(node)
        left = N.to_plain(self.ev(node.left))
        for op, comp in zip(node.ops, node.comparators):
            right = N.to_plain(self.ev(comp))
            if _has_unresolved(left) or _has_unresolved(right):
                return N.unres("comparison of an unknown value", loc)
            try:
                if isinstance(op, (ast.Is, ast.IsNot)):
                    # Identity only means something for singletons here.
                    same = left is right if right in (None, True, False) else left == right
                    ok = same if isinstance(op, ast.Is) else not same
                else:
                    ok = bool(_CMP_OPS[type(op)](left, right))
            except Exception as exc:
                return N.unres(f"comparison failed: {exc}", loc)
            if not ok:
                return Node(N.SCALAR, False, loc)
            left = right
        return Node(N.SCALAR, True, loc)

    def _ifexp(self, node: ast.IfExp) -> Node:
        test = N.truthy(self.ev(node.test))
        if test is None:
            return N.unres("condition cannot be known statically", self.loc(node))
        return self.ev(node.body if test else node.orelse)

    def _format_value(self, node: ast.FormattedValue) -> Optional[str]:
        value = N.to_plain(self.ev(node.value))
        if _has_unresolved(value):
            return None
        if node.conversion == ord("r"):
            value = repr(value)
        elif node.conversion == ord("s"):
            value = str(value)
        elif node.conversion == ord("a"):
            value = ascii(value)
        spec = ""
        if node.format_spec is not None:
            spec_node = self.ev(node.format_spec)
            if spec_node.kind != N.SCALAR or not isinstance(spec_node.data, str):
                return None
            spec = spec_node.data
            if any(int(n) > 1000 for n in _FORMAT_SPEC_NUMBERS.findall(spec)):
                return None  # a width of millions would build a huge string
        try:
            return format(value, spec)
        except Exception:
            return None

    def _joinedstr(self, node: ast.JoinedStr) -> Node:
        loc = self.loc(node)
        parts: List[str] = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                parts.append(str(part.value))
            elif isinstance(part, ast.FormattedValue):
                text = self._format_value(part)
                if text is None:
                    return N.unres("f-string field cannot be known statically", loc)
                parts.append(text)
        return Node(N.SCALAR, "".join(parts), loc)

    # -- comprehensions ---------------------------------------------------------
    def _iterate(self, node: Node) -> Optional[List[Node]]:
        if node.kind in (N.LIST, N.TUPLE):
            return list(node.data)
        if node.kind == N.DICT:
            return [Node(N.SCALAR, k, node.loc) for k in node.data]
        if node.kind == N.SCALAR and isinstance(node.data, str):
            return [Node(N.SCALAR, ch, node.loc) for ch in node.data]
        return None

    def _bind(self, target: ast.expr, value: Node, scope: Dict[str, Node]) -> None:
        if isinstance(target, ast.Name):
            scope[target.id] = value
            return
        if isinstance(target, (ast.Tuple, ast.List)):
            items = self._iterate(value)
            if items is None or len(items) != len(target.elts):
                raise _Stop("comprehension target cannot be unpacked")
            for sub, item in zip(target.elts, items):
                self._bind(sub, item, scope)
            return
        raise _Stop("comprehension target not supported")

    def _run_generators(self, gens: List[ast.comprehension], emit: Callable[[], None]) -> None:
        scope: Dict[str, Node] = {}
        self.scopes.append(scope)
        try:

            def level(i: int) -> None:
                if i == len(gens):
                    emit()
                    return
                gen = gens[i]
                items = self._iterate(self.ev(gen.iter))
                if items is None:
                    raise _Stop("comprehension over an unknown value")
                for item in items:
                    self.loop_budget += 1
                    if self.loop_budget > _MAX_LOOP:
                        raise _Stop("comprehension too long")
                    self._bind(gen.target, item, scope)
                    keep = True
                    for cond in gen.ifs:
                        test = N.truthy(self.ev(cond))
                        if test is None:
                            raise _Stop("comprehension condition cannot be known statically")
                        if not test:
                            keep = False
                            break
                    if keep:
                        level(i + 1)

            level(0)
        finally:
            self.scopes.pop()

    def _listcomp(self, node: Any) -> Node:
        loc = self.loc(node)
        out: List[Node] = []
        try:
            self._run_generators(node.generators, lambda: out.append(self.ev(node.elt)))
        except _Stop as stop:
            return N.unres(str(stop), loc)
        return Node(N.LIST, out, loc)

    def _dictcomp(self, node: ast.DictComp) -> Node:
        loc = self.loc(node)
        out: Dict[Any, Node] = {}

        def emit() -> None:
            key = N.to_plain(self.ev(node.key))
            if _has_unresolved(key):
                raise _Stop("dict comprehension key cannot be known statically")
            try:
                out[key] = self.ev(node.value)
            except TypeError:
                raise _Stop("unhashable dict key") from None

        try:
            self._run_generators(node.generators, emit)
        except _Stop as stop:
            return N.unres(str(stop), loc)
        return Node(N.DICT, out, loc)

    def _lambda(self, node: ast.Lambda) -> Node:
        return Node(N.FUNC, "<lambda>", self.loc(node))

    def _namedexpr(self, node: ast.NamedExpr) -> Node:
        value = self.ev(node.value)
        self.env[node.target.id] = value
        return value

    # -- calls --------------------------------------------------------------------
    def _arguments(self, node: ast.Call) -> Optional[Tuple[List[Node], List[Tuple[Any, Node]]]]:
        args = self._elements(node.args)
        if args is None:
            return None
        kwargs: List[Tuple[Any, Node]] = []
        for kw in node.keywords:
            value = self.ev(kw.value)
            if kw.arg is None:  # ``**other``
                if value.kind != N.DICT:
                    return None
                kwargs.extend(value.data.items())
            else:
                kwargs.append((kw.arg, value))
        return args, kwargs

    def _call(self, node: ast.Call) -> Node:
        loc = self.loc(node)
        func = node.func
        if isinstance(func, ast.Attribute):
            obj = self.ev(func.value)
            if obj.kind in (N.DICT, N.LIST, N.TUPLE, N.SCALAR):
                return self._method(obj, func.attr, node, loc)
            callee = self._attr_of(obj, func.attr, self.loc(func))
        else:
            callee = self.ev(func)
        if callee.kind == N.UNRES:
            return Node(N.UNRES, callee.data, loc)
        if callee.kind == N.TYPE:
            qualname = f"{callee.mod}.{callee.data}" if callee.mod else callee.data
            return N.unres(f"call of {qualname}() is not evaluated (built at run time)", loc)
        if callee.kind != N.FUNC:
            return N.unres(f"call of a {callee.kind} value", loc)
        parsed = self._arguments(node)
        if parsed is None:
            return N.unres("call arguments cannot be known statically", loc)
        args, kwargs = parsed
        name = callee.data
        if name == "builtins.dict":
            return self._builtin_dict(args, kwargs, loc)
        if name in ("builtins.list", "builtins.tuple") and len(args) <= 1 and not kwargs:
            kind = N.LIST if name == "builtins.list" else N.TUPLE
            if not args:
                return Node(kind, [], loc)
            items = self._iterate(args[0])
            if items is not None:
                return Node(kind, items, loc)
        if name == "copy.deepcopy" and len(args) == 1:
            copied = N.deep_copy(args[0])
            return N.relocate(copied, loc) if copied is args[0] else _with_loc(copied, loc)
        if name == "copy.copy" and len(args) == 1:
            return N.shallow_copy(args[0], loc)
        if name.startswith("builtins."):
            return self._pure_builtin(name[len("builtins.") :], args, kwargs, loc)
        return N.unres(f"call of {name} is not evaluated", loc)

    def _builtin_dict(self, args: List[Node], kwargs: List[Tuple[Any, Node]], loc: N.Loc) -> Node:
        data: Dict[Any, Node] = {}
        if len(args) > 1:
            return N.unres("dict() with several positional arguments", loc)
        if args:
            first = args[0]
            if first.kind == N.DICT:
                data.update(first.data)
            else:
                pairs = self._iterate(first)
                if pairs is None:
                    return N.unres("dict() of an unknown value", loc)
                for pair in pairs:
                    kv = self._iterate(pair)
                    if kv is None or len(kv) != 2:
                        return N.unres("dict() of a sequence that is not of pairs", loc)
                    key = N.to_plain(kv[0])
                    if _has_unresolved(key):
                        return N.unres("dict() key cannot be known statically", loc)
                    data[key] = kv[1]
        for k, v in kwargs:
            data[k] = v
        return Node(N.DICT, data, loc)

    def _pure_builtin(
        self, name: str, args: List[Node], kwargs: List[Tuple[Any, Node]], loc: N.Loc
    ) -> Node:
        fn = _PURE_BUILTINS.get(name)
        if fn is None:
            return N.unres(f"call of {name}() is not evaluated", loc)
        plain_args = [N.to_plain(a) for a in args]
        plain_kwargs = {k: N.to_plain(v) for k, v in kwargs}
        if _has_unresolved(plain_args) or _has_unresolved(list(plain_kwargs.values())):
            return N.unres(f"{name}() of an unknown value", loc)
        if name == "range" and len(plain_args) >= 1:
            try:
                if len(range(*plain_args)) > _MAX_ITEMS:
                    return N.unres("range too long", loc)
            except Exception as exc:
                return N.unres(f"range() failed: {exc}", loc)
        if name == "pow" and len(plain_args) == 2:
            try:
                return N.from_plain(_safe_binop(ast.Pow, *plain_args), loc)
            except Exception as exc:
                return N.unres(f"pow() failed: {exc}", loc)
        try:
            result = fn(*plain_args, **plain_kwargs)
            if not isinstance(
                result, (str, bytes, int, float, complex, bool, list, tuple, dict, type(None))
            ):
                result = list(itertools.islice(result, _MAX_ITEMS + 1))
                if len(result) > _MAX_ITEMS:
                    return N.unres(f"{name}() result too long", loc)
            if _too_big(result):
                return N.unres(f"{name}() result too large", loc)
        except Exception as exc:
            return N.unres(f"{name}() failed: {exc}", loc)
        return N.from_plain(result, loc)

    def _method(self, obj: Node, method: str, node: ast.Call, loc: N.Loc) -> Node:
        parsed = self._arguments(node)
        if parsed is None:
            return N.unres("call arguments cannot be known statically", loc)
        args, kwargs = parsed
        none = Node(N.SCALAR, None, loc)
        kind = obj.kind
        if kind == N.DICT:
            data = obj.data
            if method == "update" and len(args) <= 1:
                items: List[Tuple[Any, Node]] = []
                if args:
                    if args[0].kind != N.DICT:
                        return N.unres("update() with a non-dict argument", loc)
                    items.extend(args[0].data.items())
                items.extend(kwargs)
                N.update_inplace(obj, items)
                return none
            if method == "merge" and len(args) == 1 and not kwargs and args[0].kind == N.DICT:
                merged = N.merge_configdict(args[0], obj)
                merged = N.hook(merged)
                data.clear()
                data.update(merged.data)
                return none
            if method == "copy" and not args and not kwargs:
                return N.shallow_copy(obj, loc)
            if method in ("get", "pop", "setdefault") and 1 <= len(args) <= 2 and not kwargs:
                key = N.to_plain(args[0])
                if _has_unresolved(key):
                    return N.unres(f"{method}() key cannot be known statically", loc)
                default = args[1] if len(args) == 2 else none
                try:
                    if method == "get":
                        found = data.get(key)
                    elif method == "pop":
                        found = data.pop(key, None)
                    else:
                        found = data.get(key)
                        if found is None:
                            data[key] = N.hook(default) if obj.cfg else default
                except TypeError:
                    return N.unres("unhashable key", loc)
                return N.relocate(found if found is not None else default, loc)
            if method == "keys" and not args:
                return Node(N.LIST, [Node(N.SCALAR, k, loc) for k in data], loc)
            if method == "values" and not args:
                return Node(N.LIST, list(data.values()), loc)
            if method == "items" and not args:
                return Node(
                    N.LIST,
                    [Node(N.TUPLE, [Node(N.SCALAR, k, loc), v], loc) for k, v in data.items()],
                    loc,
                )
            return N.unres(f"dict method {method}() is not evaluated", loc)
        if kind == N.LIST:
            data = obj.data
            if method == "append" and len(args) == 1 and not kwargs:
                data.append(args[0])
                return none
            if method == "extend" and len(args) == 1 and not kwargs:
                items_ = self._iterate(args[0])
                if items_ is None:
                    return N.unres("extend() with an unknown value", loc)
                data.extend(items_)
                return none
            if method == "insert" and len(args) == 2 and isinstance(args[0].data, int):
                data.insert(args[0].data, args[1])
                return none
            if method == "copy" and not args:
                return N.shallow_copy(obj, loc)
            if method == "pop" and len(args) <= 1:
                idx = args[0].data if args else -1
                if isinstance(idx, int) and -len(data) <= idx < len(data):
                    return N.relocate(data.pop(idx), loc)
                return N.unres("pop() index out of range", loc)
            return N.unres(f"list method {method}() is not evaluated", loc)
        if kind == N.SCALAR and isinstance(obj.data, str) and method in _STR_METHODS:
            plain_args = [N.to_plain(a) for a in args]
            plain_kwargs = {k: N.to_plain(v) for k, v in kwargs}
            if _has_unresolved(plain_args) or _has_unresolved(list(plain_kwargs.values())):
                return N.unres(f"str.{method}() of an unknown value", loc)
            if method == "format" and not _SIMPLE_FORMAT.match(obj.data):
                return N.unres("str.format() with attribute or index fields", loc)
            try:
                result = getattr(obj.data, method)(*plain_args, **plain_kwargs)
            except Exception as exc:
                return N.unres(f"str.{method}() failed: {exc}", loc)
            if _too_big(result):
                return N.unres("string too long", loc)
            return N.from_plain(result, loc)
        if kind == N.UNRES:
            return Node(N.UNRES, obj.data, loc)
        return N.unres(f"method {method}() of a {kind} value is not evaluated", loc)


class _NoKey:
    pass


_NO_KEY = _NoKey()


def _with_loc(node: Node, loc: N.Loc) -> Node:
    node.org = node.org or node.loc
    node.loc = loc
    return node
