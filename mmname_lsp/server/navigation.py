"""Navigation between configs, bases, metafiles and READMEs: go to definition,
find references, document links, semantic tokens (a name's parts coloured by
role), document symbols, and completion in metafiles and READMEs.

Registered on ``mmname_lsp.server.app.server`` when imported.  Every handler
catches its own errors, logs them and answers None or an empty list.
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any, List, Optional, Tuple

from lsprotocol import types
from pygls.uris import from_fs_path

from mmname_lsp.naming import model as m
from mmname_lsp.server.app import (
    MAX_COMPLETIONS,
    LineIndex,
    MMNameServer,
    NotOpen,
    _doc_and_offset,
    document_path,
    open_document,
    server,
)
from mmname_lsp.server.workspace import (
    _OTHER_KINDS,
    _open_paths,
    get_index,
    to_lsp_range,
    wait_index,
)

log = logging.getLogger("mmname_lsp")

_ZERO = types.Range(start=types.Position(0, 0), end=types.Position(0, 0))
_BASE_SOURCES = ("base", "base_import")


def _loc(path: str, rng: types.Range = _ZERO) -> types.Location:
    return types.Location(uri=from_fs_path(path) or path, range=rng)


def _occurrence_text(result, occ) -> str:
    return result.text[occ.start:occ.end]


def _base_target_of(path: Optional[str], result, occ) -> Optional[str]:
    from mmname_lsp.workspace.bases import base_target

    if path is None:
        return None
    return base_target(path, _occurrence_text(result, occ), occ.source)


def _config_target_of(ls: MMNameServer, path: Optional[str], result, occ) -> Optional[str]:
    """The file a metafile `Config` or a README config link names."""
    from mmname_lsp.workspace.index import readme_config_links
    from mmname_lsp.workspace.model import MD_CONFIG, META_CONFIG

    if path is None:
        return None
    index = get_index(ls)
    value = _occurrence_text(result, occ)
    if occ.source == META_CONFIG:
        return os.path.normpath(os.path.join(index.repo_root(path), value))
    if occ.source == MD_CONFIG:
        for span, target in readme_config_links(result.text, path, index.repo_root(path)):
            if span.start == occ.start:
                return target
    return None


def _model_name_of(ls: MMNameServer, result, occ) -> Optional[str]:
    """The model an occurrence names (a model name, or the owner of a checkpoint)."""
    from mmname_lsp.workspace.model import MD_CONFIG, META_CONFIG

    d = occ.decoded
    if occ.source in _BASE_SOURCES or occ.source in (META_CONFIG, MD_CONFIG):
        return None
    if d.kind == m.KIND_CHECKPOINT:
        entry = get_index(ls).model_of_checkpoint(_occurrence_text(result, occ))
        if entry is not None:
            return entry.name
        if d.zoo and d.zoo.get("name"):
            return str(d.zoo["name"])
        return None
    if d.kind == m.KIND_MODEL:
        return d.name
    return None


def _model_locations(ls: MMNameServer, name: str, with_config: bool = True
                     ) -> List[types.Location]:
    index = get_index(ls)
    out = []
    for e in index.models(name):
        out.append(_loc(e.path, to_lsp_range(e.range)))
        config = e.meta.get("config")
        if with_config and config:
            target = os.path.normpath(os.path.join(index.repo_root(e.path), config))
            if os.path.isfile(target):
                out.append(_loc(target))
    if not out:
        # A model of the bundled zoo whose config is in this workspace.
        from mmname_lsp.naming.zoo import default_zoo

        meta = default_zoo().model(name)
        config = meta.get("config") if meta else None
        if config:
            for root in index.roots:
                target = os.path.normpath(os.path.join(root, config))
                if os.path.isfile(target):
                    out.append(_loc(target))
    return _unique(out)


def _unique(locs: List[types.Location]) -> List[types.Location]:
    seen = set()
    out = []
    for loc in locs:
        key = (loc.uri, loc.range.start.line, loc.range.start.character,
               loc.range.end.line, loc.range.end.character)
        if key not in seen:
            seen.add(key)
            out.append(loc)
    return out


# ---------------------------------------------------------------------------
# go to definition


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
async def definition(
    ls: MMNameServer, params: types.DefinitionParams
) -> Optional[List[types.Location]]:
    try:
        await wait_index(ls, 2.0)
        return _definition(ls, params) or None
    except NotOpen:
        return None
    except Exception:  # noqa: BLE001
        log.exception("definition failed")
        return None


def _definition(ls: MMNameServer, params: types.DefinitionParams) -> List[types.Location]:
    from mmname_lsp.workspace.model import META_NAME

    doc, _index, offset = _doc_and_offset(ls, params)
    result = ls.analysis(doc)
    path = document_path(doc.uri)
    occ = result.occurrence_at(offset)
    if occ is None:
        if params.position.line == 0 and result.filename_occurrence() is not None and path:
            # The config's file name: the metafile entries built from it.
            entries = get_index(ls).models_of_config(path)
            return [_loc(e.path, to_lsp_range(e.range)) for e in entries]
        return []
    if occ.source in _BASE_SOURCES:
        target = _base_target_of(path, result, occ)
        return [_loc(target)] if target and os.path.isfile(target) else []
    target = _config_target_of(ls, path, result, occ)
    if target is not None:
        return [_loc(target)] if os.path.isfile(target) else []
    name = _model_name_of(ls, result, occ)
    if name is None:
        return []
    if occ.decoded.kind == m.KIND_CHECKPOINT:
        # A checkpoint: the model that owns it.
        return _model_locations(ls, name, with_config=False)
    locs = _model_locations(ls, name)
    if occ.source == META_NAME and path:
        # Already at the entry: go on to its config (and other entries).
        here = (from_fs_path(path), occ.start)
        locs = [x for x in locs if not (x.uri == here[0] and _is_at(x, result, occ))] or locs
    return locs


def _is_at(loc: types.Location, result, occ) -> bool:
    return loc.range.start.line == _line_of(result.text, occ.start)


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset)


# ---------------------------------------------------------------------------
# find references


@server.feature(types.TEXT_DOCUMENT_REFERENCES)
async def references(
    ls: MMNameServer, params: types.ReferenceParams
) -> Optional[List[types.Location]]:
    try:
        await wait_index(ls)
        return _references(ls, params)
    except NotOpen:
        return None
    except Exception:  # noqa: BLE001
        log.exception("references failed")
        return None


def _references(ls: MMNameServer, params: types.ReferenceParams) -> List[types.Location]:
    from mmname_lsp.workspace.search import find_name

    doc, _index, offset = _doc_and_offset(ls, params)
    result = ls.analysis(doc)
    path = document_path(doc.uri)
    index = get_index(ls)
    occ = result.occurrence_at(offset)
    include = bool(params.context and params.context.include_declaration)
    if occ is not None and occ.source in _BASE_SOURCES:
        target = _base_target_of(path, result, occ)
        return _inheritor_refs(ls, target, include) if target else []
    if occ is not None:
        target = _config_target_of(ls, path, result, occ)
        if target is not None:
            return _inheritor_refs(ls, target, include)
        name = _model_name_of(ls, result, occ)
        if name is None:
            return []
        overlay = {p: ls.workspace.get_text_document(u).source
                   for p, u in _open_paths(ls).items()}
        definitions = {(e.path, e.start) for e in index.models(name)}
        out = []
        for p, a, _b, rng in find_name(index, name, overlay):
            if not include and (p, a) in definitions:
                continue
            out.append(_loc(p, to_lsp_range(rng)))
        return _unique(out)
    if path is None:
        return []
    # Anywhere else in a config: the configs that inherit it.
    return _inheritor_refs(ls, os.path.normpath(path), include)


def _inheritor_refs(ls: MMNameServer, target: str, include: bool) -> List[types.Location]:
    """The `_base_` entries through which configs inherit ``target`` (directly or
    through other bases)."""
    from mmname_lsp.workspace.bases import REF_BASE_IMPORT
    from mmname_lsp.workspace.index import REF_BASE

    index = get_index(ls)
    chain = {target} | set(index.inheritors(target))
    out = [_loc(target)] if include and os.path.isfile(target) else []
    for path in sorted(chain - {target}):
        record = index.files.get(path)
        if record is None:
            continue
        for ref in record.refs:
            if ref.kind in (REF_BASE, REF_BASE_IMPORT) and ref.target in chain:
                out.append(_loc(path, to_lsp_range(ref.range)))
    return _unique(out)


# ---------------------------------------------------------------------------
# document links


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_LINK,
                types.DocumentLinkOptions(resolve_provider=False))
def document_links(ls: MMNameServer, params: types.DocumentLinkParams) -> List[types.DocumentLink]:
    try:
        return _document_links(ls, params)
    except NotOpen:
        return []
    except Exception:  # noqa: BLE001
        log.exception("document links failed")
        return []


def _document_links(ls: MMNameServer, params: types.DocumentLinkParams
                    ) -> List[types.DocumentLink]:
    from mmname_lsp.workspace.model import METAFILE, README, file_kind

    doc = open_document(ls, params.text_document.uri)
    index = ls.line_index(doc)
    result = ls.analysis(doc)
    path = document_path(doc.uri)
    out: List[types.DocumentLink] = []
    taken = set()
    caps = ls.client_capabilities.text_document
    tooltips = bool(caps and caps.document_link and caps.document_link.tooltip_support)

    def add(start: int, end: int, target: str, tip: str) -> None:
        if start in taken or end <= start:
            return
        taken.add(start)
        out.append(types.DocumentLink(range=index.range(start, end), target=target,
                                      tooltip=tip if tooltips else None))

    for occ in result.occurrences:
        if occ.on_filename:
            continue
        text = _occurrence_text(result, occ)
        if occ.source in _BASE_SOURCES:
            target = _base_target_of(path, result, occ)
            if target and os.path.isfile(target):
                add(occ.start, occ.end, from_fs_path(target), "Open the base config")
            continue
        config = _config_target_of(ls, path, result, occ)
        if config is not None:
            if os.path.isfile(config):
                add(occ.start, occ.end, from_fs_path(config), "Open the config")
            continue
        if occ.decoded.kind == m.KIND_CHECKPOINT and re.match(r"https?://", text):
            add(occ.start, occ.end, text, "Download the checkpoint")
    kind = file_kind(path) if path else None
    if kind == METAFILE:
        from mmname_lsp.sources.yaml_source import parse_metafile

        for s in parse_metafile(result.text).urls:
            if s.exact:
                tip = {"URL": "Open the paper" if "arxiv" in s.value or "paper" in s.value
                       else "Open the link", "Weights": "Download the weights",
                       "Code": "Open the code"}.get(s.key, "Open the link")
                add(s.start, s.end, s.value, tip)
    elif kind == README:
        from mmname_lsp.sources.markdown import LINK, URL, extract_markdown

        for span in extract_markdown(result.text).spans:
            if span.kind in (LINK, URL) and re.match(r"https?://", span.text):
                add(span.start, span.end, span.text, "Open the link")
    out.sort(key=lambda d: (d.range.start.line, d.range.start.character))
    return out


# ---------------------------------------------------------------------------
# semantic tokens: a name's parts by role

# Standard token types, so that every theme colours them without configuration.
TOKEN_TYPES = ["keyword", "class", "function", "number", "enumMember", "modifier", "string"]
ROLE_TYPES = {
    m.ALGORITHM: "keyword",
    m.MODULE: "class",
    m.PRETRAIN: "function",
    m.TRAINING: "number",
    m.DATA: "enumMember",
    m.HEADLESS: "modifier",
    m.DATE: "number",
    m.HASH: "string",
}
LEGEND = types.SemanticTokensLegend(token_types=TOKEN_TYPES, token_modifiers=[])


@server.feature(types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL, LEGEND)
def semantic_tokens(ls: MMNameServer, params: types.SemanticTokensParams
                    ) -> types.SemanticTokens:
    try:
        doc = open_document(ls, params.text_document.uri)
        return types.SemanticTokens(data=token_data(ls.analysis(doc), ls.line_index(doc)))
    except NotOpen:
        return types.SemanticTokens(data=[])
    except Exception:  # noqa: BLE001
        log.exception("semantic tokens failed")
        return types.SemanticTokens(data=[])


def token_data(result, index: LineIndex) -> List[int]:
    """The relative-encoded semantic tokens of every name part of ``result``."""
    spans: List[Tuple[int, int, int]] = []
    for occ in result.occurrences:
        if occ.on_filename:
            continue
        d = occ.decoded
        if result.text[occ.start:occ.end] != d.input:
            continue  # e.g. a read_base() module: the name is not written as decoded
        for part in d.parts:
            ttype = ROLE_TYPES.get(part.role)
            if ttype is None or part.end <= part.start:
                continue
            spans.append((occ.start + part.start, occ.start + part.end,
                          TOKEN_TYPES.index(ttype)))
    spans.sort()
    data: List[int] = []
    prev_line = prev_char = 0
    last_end = -1
    for start, end, ttype in spans:
        if start < last_end:
            continue  # tokens must not overlap
        a = index.position(start)
        b = index.position(end)
        if b.line != a.line:
            continue  # a token may not span lines
        length = b.character - a.character
        if length <= 0:
            continue
        delta_line = a.line - prev_line
        delta_char = a.character - prev_char if delta_line == 0 else a.character
        data.extend([delta_line, delta_char, length, ttype, 0])
        prev_line, prev_char = a.line, a.character
        last_end = end
    return data


# ---------------------------------------------------------------------------
# document symbols

_TOP_ASSIGN = re.compile(r"^([A-Za-z_]\w*)[ \t]*(?::[^=\n]*)?(?:\+|-|\*|\|)?=(?!=)", re.MULTILINE)
_READ_BASE = re.compile(r"^with[ \t]+read_base[ \t]*\([ \t]*\)[ \t]*:", re.MULTILINE)
_ROLE_KIND = {
    m.ALGORITHM: types.SymbolKind.Namespace,
    m.MODULE: types.SymbolKind.Class,
    m.PRETRAIN: types.SymbolKind.Function,
    m.TRAINING: types.SymbolKind.Number,
    m.DATA: types.SymbolKind.EnumMember,
}


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbols(ls: MMNameServer, params: types.DocumentSymbolParams) -> List[Any]:
    try:
        return _document_symbols(ls, params)
    except NotOpen:
        return []
    except Exception:  # noqa: BLE001
        log.exception("document symbols failed")
        return []


def _document_symbols(ls: MMNameServer, params: types.DocumentSymbolParams) -> List[Any]:
    from mmname_lsp.ide.hover import summary
    from mmname_lsp.workspace.bases import statement_end
    from mmname_lsp.workspace.model import METAFILE, PYTHON, file_kind

    doc = open_document(ls, params.text_document.uri)
    index = ls.line_index(doc)
    result = ls.analysis(doc)
    path = document_path(doc.uri)
    kind = file_kind(path) if path else PYTHON
    text = result.text
    symbols: List[types.DocumentSymbol] = []
    if kind == PYTHON:
        occ = result.filename_occurrence()
        if occ is not None:
            d = occ.decoded
            children = [
                types.DocumentSymbol(
                    name=f"{p.role}: {p.text}", kind=_ROLE_KIND.get(p.role,
                                                                    types.SymbolKind.Key),
                    range=_ZERO, selection_range=_ZERO,
                    detail=" · ".join(t.meaning.rstrip(".") for t in p.tokens)[:200] or None,
                )
                for p in d.parts
            ]
            symbols.append(types.DocumentSymbol(
                name=os.path.basename(path or d.input), kind=types.SymbolKind.File,
                detail=summary(d), range=_ZERO, selection_range=_ZERO, children=children,
            ))
        for mt in _TOP_ASSIGN.finditer(text):
            end = statement_end(text, mt.end())
            rng = index.range(mt.start(), end)
            sel = index.range(mt.start(1), mt.end(1))
            name = mt.group(1)
            symbols.append(types.DocumentSymbol(
                name=name, range=rng, selection_range=sel,
                kind=types.SymbolKind.Module if name == "_base_" else
                types.SymbolKind.Variable,
            ))
        for mt in _READ_BASE.finditer(text):
            from mmname_lsp.workspace.bases import block_end

            end = block_end(text, mt.start(), "")
            symbols.append(types.DocumentSymbol(
                name="read_base()", kind=types.SymbolKind.Module,
                range=index.range(mt.start(), end), selection_range=index.range(
                    mt.start(), mt.end()),
            ))
    elif kind == METAFILE:
        from mmname_lsp.sources.yaml_source import parse_metafile

        for model in parse_metafile(text).models:
            if model.name is None:
                continue
            end = max(model.end, model.name.end)
            symbols.append(types.DocumentSymbol(
                name=model.name.value, kind=types.SymbolKind.Class,
                detail=model.config.value if model.config else None,
                range=index.range(min(model.start, model.name.start), end),
                selection_range=index.range(model.name.start, model.name.end),
            ))
    symbols.sort(key=lambda s: (s.range.start.line, s.range.start.character))
    caps = ls.client_capabilities.text_document
    hierarchical = bool(caps and caps.document_symbol
                        and caps.document_symbol.hierarchical_document_symbol_support)
    if hierarchical:
        return symbols
    return [
        types.SymbolInformation(name=s.name, kind=s.kind,
                                location=types.Location(uri=doc.uri, range=s.range))
        for s in symbols
    ]


# ---------------------------------------------------------------------------
# completion in metafiles and READMEs (Python documents: app.py's handler)

_YAML_KEY = re.compile(r"^(?P<lead>[ \t]*(?:-[ \t]+)?)(?P<key>Name|Config|Weights)[ \t]*:[ \t]*"
                       r"(?P<q>['\"]?)")


def complete_other(ls: MMNameServer, params: types.CompletionParams
                   ) -> Optional[types.CompletionList]:
    """Completion in a metafile value or a README code span; None: not such a place."""
    from mmname_lsp.analysis import settings_decoder
    from mmname_lsp.ide.completion import complete
    from mmname_lsp.workspace.model import METAFILE, README, file_kind

    doc, index, offset = _doc_and_offset(ls, params)
    path = document_path(doc.uri)
    kind = file_kind(path) if path else None
    line_no = params.position.line
    if line_no >= len(index.lines):
        return None
    line_start = index.starts[line_no]
    line = index.lines[line_no].rstrip("\r\n")
    col = offset - line_start
    decoder = settings_decoder(ls.settings_for(doc.uri))
    base_dir = None
    if kind == METAFILE:
        km = _YAML_KEY.match(line)
        if km is None or col < km.end():
            return None
        prefix = line[km.end():col]
        key = km.group("key")
        if key == "Config":
            context: Optional[str] = "base"
            base_dir = get_index(ls).repo_root(path) if path else None
        elif key == "Name":
            context = None
        else:
            return None
        value_start = km.end()
    elif kind == README:
        before = line[:col]
        if before.count("`") % 2 == 0:
            return None
        value_start = before.rfind("`") + 1
        prefix = before[value_start:]
        context = "model_api" if "_" not in prefix and "/" not in prefix else None
    else:
        return None
    token_start, cands = complete(prefix, context, base_dir=base_dir, decoder=decoder)
    rng = index.range(line_start + value_start + token_start, offset)
    items = []
    for i, c in enumerate(cands[:MAX_COMPLETIONS]):
        items.append(types.CompletionItem(
            label=c.label,
            kind=types.CompletionItemKind.File if c.kind == "config" else (
                types.CompletionItemKind.Folder if c.kind == "folder" else (
                    types.CompletionItemKind.Module if c.kind == "model"
                    else types.CompletionItemKind.Value)),
            detail=c.kind,
            documentation=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                              value=c.documentation),
            sort_text=f"{i:05d}",
            text_edit=types.TextEdit(range=rng, new_text=c.label),
        ))
    return types.CompletionList(is_incomplete=len(cands) > MAX_COMPLETIONS, items=items)


def _wrap_completion() -> None:
    fm = server.protocol.fm
    original = fm.features.get(types.TEXT_DOCUMENT_COMPLETION)

    def completion(params: types.CompletionParams) -> Any:
        from mmname_lsp.workspace.model import file_kind

        path = document_path(params.text_document.uri)
        if path and file_kind(path) in _OTHER_KINDS:
            try:
                return complete_other(server, params)
            except NotOpen:
                return None
            except Exception:  # noqa: BLE001
                log.exception("completion failed")
                return None
        return original(params) if original is not None else None

    fm.features[types.TEXT_DOCUMENT_COMPLETION] = completion


_wrap_completion()
