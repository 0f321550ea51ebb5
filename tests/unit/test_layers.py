"""The package's layers, read from the source's own imports (AST, nothing run).

Fails when a module imports one from a higher layer, when the naming core
reaches beyond itself, when anything but the server imports pygls or
lsprotocol, when modules import each other in a cycle, when a private name is
imported from another module, or when code patches pygls's tables at run time.
The layers are documented in README's development section.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "mmname_lsp"

# Lowest first: a module may import its own layer and those below it.
LAYERS: Tuple[Tuple[str, ...], ...] = (
    ("mmname_lsp", "mmname_lsp.codes", "mmname_lsp.text", "mmname_lsp.filestate",
     "mmname_lsp.files", "mmname_lsp.data"),
    ("mmname_lsp.naming",),
    ("mmname_lsp.settings", "mmname_lsp.sources", "mmname_lsp.configs",
     "mmname_lsp.project_config"),
    ("mmname_lsp.findings",),
    ("mmname_lsp.rules",),
    ("mmname_lsp.analysis",),
    ("mmname_lsp.workspace", "mmname_lsp.ide"),
    ("mmname_lsp.cli",),
    ("mmname_lsp.server", "mmname_lsp.__main__"),
)
PROTOCOL_PACKAGES = ("pygls", "lsprotocol")


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> Dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> int:
    best, best_len = -1, -1
    for i, layer in enumerate(LAYERS):
        for prefix in layer:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = i, len(prefix)
    return best


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports(path: Path, name: str) -> List[Tuple[str, Tuple[str, ...], int]]:
    """(imported module, names taken, line) for every import that runs (those
    under ``if TYPE_CHECKING:`` do not), at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: List[Tuple[str, Tuple[str, ...], int]] = []
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking_only(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    out.append((alias.name, (), child.lineno))
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parts = package.split(".")
                    parts = parts[: len(parts) - (child.level - 1)]
                    base = ".".join(parts + ([base] if base else []))
                names = tuple(a.name for a in child.names)
                out.append((base, names, child.lineno))
                # `from pkg import module` imports the module too.
                for n in names:
                    out.append((f"{base}.{n}", (), child.lineno))
            visit(child)

    visit(tree)
    return out


def internal_graph() -> Dict[str, Set[str]]:
    mods = modules()
    graph: Dict[str, Set[str]] = {m: set() for m in mods}
    for name, path in mods.items():
        for target, _names, _line in imports(path, name):
            if target in mods and target != name:
                graph[name].add(target)
    return graph


def test_every_module_has_a_layer():
    missing = [m for m in modules() if layer_of(m) < 0]
    assert not missing, f"modules outside every layer (add them to LAYERS and README): {missing}"


def test_no_module_imports_a_higher_layer():
    wrong = []
    for name, targets in internal_graph().items():
        for target in targets:
            if layer_of(target) > layer_of(name):
                wrong.append(f"{name} (layer {layer_of(name)}) imports {target} "
                             f"(layer {layer_of(target)})")
    assert not wrong, "\n".join(wrong)


def test_the_naming_core_imports_only_naming_data_and_codes():
    allowed = ("mmname_lsp.naming", "mmname_lsp.data", "mmname_lsp.codes")
    wrong = []
    for name, path in modules().items():
        if not name.startswith("mmname_lsp.naming"):
            continue
        for target, _names, line in imports(path, name):
            if target.startswith("mmname_lsp") and not target.startswith(allowed):
                wrong.append(f"{path.name}:{line} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_only_the_server_imports_the_protocol_libraries():
    wrong = []
    for name, path in modules().items():
        if name.startswith("mmname_lsp.server"):
            continue
        for target, _names, line in imports(path, name):
            if target.split(".")[0] in PROTOCOL_PACKAGES:
                wrong.append(f"{name}:{line} imports {target}")
    assert not wrong, "\n".join(wrong)


def _cycles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    out: List[List[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


def _without_packages(graph: Dict[str, Set[str]]) -> Dict[str, Set[str]]:
    # A package's __init__ that re-exports its modules is not a cycle with them.
    mods = modules()
    packages = {m for m, p in mods.items() if p.name == "__init__.py"}
    return {m: {t for t in ts if not (t in packages and m.startswith(t + "."))}
            for m, ts in graph.items()}


def test_no_import_cycles():
    cycles = _cycles(_without_packages(internal_graph()))
    assert not cycles, f"modules that import each other: {cycles}"


def test_the_cycle_check_finds_a_cycle():
    # The check itself must see what it is there to see.
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_private_name_crosses_modules():
    mods = modules()
    wrong = []
    for name, path in mods.items():
        for target, names, line in imports(path, name):
            if target not in mods or target == name:
                continue
            for n in names:
                if n.startswith("_") and not n.startswith("__"):
                    wrong.append(f"{name}:{line} imports {n} from {target}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("needle", ["MethodType", "fm.features[", "# type: ignore[method-assign]"])
def test_nothing_patches_pygls_or_methods_at_run_time(needle):
    found = [f"{name}" for name, path in modules().items()
             if needle in path.read_text(encoding="utf-8")]
    assert not found, f"{needle!r} in {found}"
