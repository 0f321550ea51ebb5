"""Where names stand in MMPretrain ``metafile.yml`` and ``model-index.yml`` files.

:func:`parse_metafile` reads the models of a metafile (``Name``, ``Config``,
``Weights`` and the metadata a name can contradict: ``Epochs``, ``Batch Size``,
``Training Data``, ``Converted From``), the collections (their paper), the
``Import`` list of a model index and every URL, each value with its span in
the text (code-point offsets; for a quoted value, the span inside the quotes).

Positions come from PyYAML's composer (``yaml.compose``: node marks, no Python
objects built), with libyaml when it is there.  A file that does not parse
(mid-edit) is read by a line-based scan of ``Name:``, ``Config:``,
``Weights:``... keys instead, so the names in it are still seen.

Pure: no editor protocol, no file access.  PyYAML is imported lazily.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from mmname_lsp.text import line_starts

__all__ = ["Collection", "MetaModel", "Metafile", "Scalar", "parse_metafile"]


@dataclass(frozen=True)
class Scalar:
    """A scalar value and where its text stands."""

    value: str
    start: int
    end: int
    # True when ``text[start:end] == value`` (no escapes, not folded): the
    # value's characters can be located one by one (hover on a word).
    exact: bool = True
    key: str = ""  # the mapping key it is the value of ("Name", "URL", ...)


@dataclass
class MetaModel:
    """One entry of ``Models:``."""

    start: int  # span of the entry (its mapping)
    end: int
    name: Optional[Scalar] = None
    config: Optional[Scalar] = None
    weights: Optional[Scalar] = None
    collection: Optional[str] = None
    epochs: Optional[Scalar] = None
    batch_size: Optional[Scalar] = None
    training_data: List[Scalar] = field(default_factory=list)
    converted_from: Optional[Scalar] = None  # the `Converted From` key itself
    converted_code: Optional[str] = None
    top1: Any = None
    top1_dataset: Optional[str] = None
    parameters: Any = None
    flops: Any = None


@dataclass(frozen=True)
class Collection:
    name: str
    paper_title: Optional[str] = None
    paper_url: Optional[str] = None


@dataclass
class Metafile:
    models: List[MetaModel] = field(default_factory=list)
    collections: Dict[str, Collection] = field(default_factory=dict)
    imports: List[Scalar] = field(default_factory=list)  # model-index.yml
    urls: List[Scalar] = field(default_factory=list)  # every http(s) value
    # Set when the YAML does not parse: (message, offset); the content then
    # comes from the line scan.
    error: Optional[Tuple[str, int]] = None


_LOADER: Any = None


def _loader():
    """PyYAML and a loader that only composes: no implicit tags (every scalar
    stays a string; the values are read as text anyway), which saves a third."""
    global _LOADER
    import yaml  # noqa: PLC0415 - lazily: only workspaces with metafiles pay for it

    if _LOADER is None:
        base = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader

        class ComposeLoader(base):  # type: ignore[misc, valid-type]
            pass

        ComposeLoader.yaml_implicit_resolvers = {}
        _LOADER = ComposeLoader
    return yaml, _LOADER


def parse_metafile(text: str, urls: bool = True) -> Metafile:
    """The models, collections, imports and (with ``urls``) the URLs of a
    metafile or model index."""
    try:
        yaml, loader = _loader()
    except ImportError:  # pragma: no cover - PyYAML is a dependency
        return _scan(text, ("PyYAML is not installed", 0))
    try:
        root = yaml.compose(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        offset = 0
        if mark is not None:
            offset = _Marks(text).offset(mark)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return _scan(text, (str(problem), offset))
    except (ValueError, RecursionError) as exc:  # odd input: never raise
        return _scan(text, (str(exc), 0))
    out = Metafile()
    if root is None:
        return out
    try:
        _Walker(text, out).top(root, urls)
    except (RecursionError, TypeError, AttributeError, ValueError) as exc:
        return _scan(text, (f"unexpected structure ({type(exc).__name__})", 0))
    return out


class _Marks:
    """Node marks (line, column in code points) -> offsets into the text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = line_starts(text)
        # PyYAML drops a leading BOM: columns of line 0 then start after it.
        self.bom = 1 if text.startswith("\ufeff") else 0

    def offset(self, mark) -> int:
        line = min(max(mark.line, 0), len(self.starts) - 1)
        off = self.starts[line] + mark.column + (self.bom if line == 0 else 0)
        return min(off, len(self.text))


_URL = re.compile(r"https?://", re.IGNORECASE)


class _Walker:
    def __init__(self, text: str, out: Metafile) -> None:
        self.text = text
        self.out = out
        self.marks = _Marks(text)

    # -- nodes ----------------------------------------------------------------

    @staticmethod
    def _kind(node) -> str:
        return type(node).__name__  # ScalarNode, SequenceNode, MappingNode

    def scalar(self, node, key: str = "") -> Optional[Scalar]:
        if self._kind(node) != "ScalarNode":
            return None
        value = node.value
        start = self.marks.offset(node.start_mark)
        end = self.marks.offset(node.end_mark)
        if node.style in ("'", '"') and end - start >= 2:
            start += 1
            end -= 1
        elif node.style in ("|", ">"):
            return Scalar(value, start, end, False, key)
        exact = self.text[start:end] == value
        if not exact and node.style is None:
            # A plain scalar's end mark can sit past trailing spaces: trim.
            raw = self.text[start:end].rstrip()
            if raw == value:
                end = start + len(raw)
                exact = True
        return Scalar(value, start, end, exact, key)

    def mapping(self, node) -> List[Tuple[str, Any, Any]]:
        """(key text, key node, value node) of a mapping node (empty otherwise)."""
        if self._kind(node) != "MappingNode":
            return []
        out = []
        for k, v in node.value:
            if self._kind(k) == "ScalarNode":
                out.append((str(k.value), k, v))
        return out

    def sequence(self, node) -> List[Any]:
        return list(node.value) if self._kind(node) == "SequenceNode" else []

    def urls(self, root) -> None:
        """Every http(s) scalar under ``root`` (iterative: aliases may form cycles)."""
        seen = set()
        todo = [(root, "")]
        while todo:
            node, key = todo.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            kind = self._kind(node)
            if kind == "ScalarNode":
                if isinstance(node.value, str) and _URL.match(node.value):
                    s = self.scalar(node, key)
                    if s is not None:
                        self.out.urls.append(s)
            elif kind == "SequenceNode":
                todo.extend((item, key) for item in reversed(node.value))
            elif kind == "MappingNode":
                todo.extend((v, str(getattr(k, "value", ""))) for k, v in reversed(node.value))
        self.out.urls.sort(key=lambda s: s.start)

    # -- document -------------------------------------------------------------

    def top(self, root, urls: bool = True) -> None:
        if urls:
            self.urls(root)
        for key, _, value in self.mapping(root):
            if key == "Models":
                for item in self.sequence(value):
                    model = self.model(item)
                    if model is not None:
                        self.out.models.append(model)
            elif key == "Collections":
                for item in self.sequence(value):
                    self.collection(item)
            elif key == "Import":
                for item in self.sequence(value):
                    s = self.scalar(item, "Import")
                    if s is not None and s.value:
                        self.out.imports.append(s)

    def collection(self, node) -> None:
        name = None
        title = url = None
        for key, _, value in self.mapping(node):
            if key == "Name" and self._kind(value) == "ScalarNode":
                name = str(value.value)
            elif key == "Paper":
                for pk, _, pv in self.mapping(value):
                    if self._kind(pv) == "ScalarNode":
                        if pk == "Title":
                            title = str(pv.value)
                        elif pk == "URL":
                            url = str(pv.value)
        if name:
            self.out.collections[name] = Collection(name, title, url)

    def model(self, node) -> Optional[MetaModel]:
        if self._kind(node) != "MappingNode":
            return None
        m = MetaModel(self.marks.offset(node.start_mark), self.marks.offset(node.end_mark))
        for key, knode, value in self.mapping(node):
            if key in ("Name", "Config", "Weights"):
                s = self.scalar(value, key)
                if s is not None and s.value:
                    setattr(m, key.lower(), s)
            elif key == "In Collection" and self._kind(value) == "ScalarNode":
                m.collection = str(value.value)
            elif key == "Metadata":
                self.metadata(value, m)
            elif key == "Converted From":
                m.converted_from = self.scalar(knode, key)
                for ck, _, cv in self.mapping(value):
                    if ck == "Code" and self._kind(cv) == "ScalarNode":
                        m.converted_code = str(cv.value)
            elif key == "Results":
                self.results(value, m)
        return m

    def metadata(self, node, m: MetaModel) -> None:
        for key, _, value in self.mapping(node):
            if key == "Epochs":
                m.epochs = self.scalar(value, key)
            elif key == "Batch Size":
                m.batch_size = self.scalar(value, key)
            elif key == "Training Data":
                items = self.sequence(value) or [value]
                for item in items:
                    s = self.scalar(item, key)
                    if s is not None and s.value:
                        m.training_data.append(s)
            elif key == "Parameters" and self._kind(value) == "ScalarNode":
                m.parameters = _number(value.value)
            elif key == "FLOPs" and self._kind(value) == "ScalarNode":
                m.flops = _number(value.value)

    def results(self, node, m: MetaModel) -> None:
        for res in self.sequence(node):
            dataset = None
            for key, _, value in self.mapping(res):
                if key == "Dataset" and self._kind(value) == "ScalarNode":
                    dataset = str(value.value)
            for key, _, value in self.mapping(res):
                if key != "Metrics":
                    continue
                for mk, _, mv in self.mapping(value):
                    if mk == "Top 1 Accuracy" and self._kind(mv) == "ScalarNode":
                        m.top1 = _number(mv.value)
                        m.top1_dataset = dataset
                        return


def _number(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return int(value)
    except ValueError:
        try:
            return float(value)
        except ValueError:
            return value


# -- the line-based fallback -----------------------------------------------------

_LINE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<dash>-[ \t]+)?(?:(?P<key>[A-Za-z][\w .-]*?)[ \t]*:(?=[ \t]|$))?"
    r"[ \t]*(?P<val>.*?)[ \t]*$"
)
_SCAN_KEYS = ("Name", "Config", "Weights", "Epochs", "Batch Size", "Training Data",
              "In Collection", "Converted From")


def _scan_value(raw: str, start: int) -> Optional[Scalar]:
    """A plain or quoted scalar written on one line (comments dropped)."""
    if not raw:
        return None
    if raw[0] in "'\"":
        end = raw.find(raw[0], 1)
        if end < 0:
            value = raw[1:]
            return Scalar(value, start + 1, start + 1 + len(value), True) if value else None
        value = raw[1:end]
        return Scalar(value, start + 1, start + 1 + len(value), True) if value else None
    cut = re.search(r"[ \t]#", raw)
    if cut:
        raw = raw[: cut.start()].rstrip()
    if not raw or raw[0] in "[{&*!|>":
        return None
    return Scalar(raw, start, start + len(raw), True)


def _scan(text: str, error: Tuple[str, int]) -> Metafile:
    """Read what a broken metafile still says, line by line."""
    out = Metafile(error=error)
    section = ""
    model: Optional[MetaModel] = None
    model_indent = -1
    in_training_data = -1
    converted_indent = -1  # inside `Converted From:` (its Weights are not the model's)
    for mt in re.finditer(r"[^\r\n]*", text):
        line = mt.group()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        lm = _LINE.match(line)
        if lm is None:  # pragma: no cover - the pattern matches any line
            continue
        indent = len(lm.group("indent"))
        key = lm.group("key")
        dash = lm.group("dash")
        val_start = mt.start() + lm.start("val")
        value = _scan_value(lm.group("val"), val_start)
        col = indent + (len(dash) if dash else 0)
        if indent == 0 and not dash and key:
            section = key
            model = None
            continue
        if value is not None and _URL.match(value.value):
            out.urls.append(Scalar(value.value, value.start, value.end, True, key or ""))
        if section == "Import" and dash and not key and value is not None:
            out.imports.append(Scalar(value.value, value.start, value.end, True, "Import"))
            continue
        if section != "Models":
            continue
        if dash and key == "Name" and (model is None or col <= model_indent):
            if model is not None:
                model.end = mt.start()
            model = MetaModel(mt.start() + indent, len(text))
            out.models.append(model)
            model_indent = col
            in_training_data = -1
        if model is None:
            continue
        if converted_indent >= 0:
            if indent > converted_indent:
                if key == "Code" and value is not None:
                    model.converted_code = value.value
                continue
            converted_indent = -1
        if in_training_data >= 0:
            if dash and not key and indent >= in_training_data and value is not None:
                model.training_data.append(Scalar(value.value, value.start, value.end, True,
                                                  "Training Data"))
                continue
            in_training_data = -1
        if key not in _SCAN_KEYS:
            continue
        if key == "Training Data":
            if value is not None:
                model.training_data.append(Scalar(value.value, value.start, value.end, True, key))
            else:
                in_training_data = indent
            continue
        if key == "Converted From":
            k0 = mt.start() + lm.start("key")
            model.converted_from = Scalar(key, k0, k0 + len(key), True, key)
            converted_indent = indent
            continue
        if value is None:
            continue
        scalar = Scalar(value.value, value.start, value.end, True, key)
        if key == "In Collection":
            model.collection = value.value
        elif key == "Batch Size":
            model.batch_size = scalar
        else:
            setattr(model, key.lower(), scalar)
    return out
