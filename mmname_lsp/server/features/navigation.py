"""Navigation between configs, bases, metafiles and READMEs: go to definition,
find references and document links.  Every handler catches its own errors,
logs them and answers None or an empty list."""

from __future__ import annotations

import logging
import os
import re
from typing import List, Optional

from lsprotocol import types
from pygls.uris import from_fs_path

from mmname_lsp.naming import model as m
from mmname_lsp.server.convert import (
    ZERO_RANGE,
    document_path,
    to_lsp_range,
)
from mmname_lsp.server.protocol import MMNameServer
from mmname_lsp.server.session import guarded

log = logging.getLogger("mmname_lsp")


_BASE_SOURCES = ("base", "base_import")


def _loc(path: str, rng: types.Range = ZERO_RANGE) -> types.Location:
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
    index = ls.session.index()
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
        entry = ls.session.index().model_of_checkpoint(_occurrence_text(result, occ))
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
    index = ls.session.index()
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


@guarded("definition")
async def definition(
    ls: MMNameServer, params: types.DefinitionParams
) -> Optional[List[types.Location]]:
    await ls.session.wait_index(2.0)
    return _definition(ls, params) or None


def _definition(ls: MMNameServer, params: types.DefinitionParams) -> List[types.Location]:
    from mmname_lsp.workspace.model import META_NAME

    doc, _index, offset = ls.session.doc_and_offset(params)
    result = ls.session.analysis(doc)
    path = document_path(doc.uri)
    occ = result.occurrence_at(offset)
    if occ is None:
        if params.position.line == 0 and result.filename_occurrence() is not None and path:
            # The config's file name: the metafile entries built from it.
            entries = ls.session.index().models_of_config(path)
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


@guarded("references")
async def references(
    ls: MMNameServer, params: types.ReferenceParams
) -> Optional[List[types.Location]]:
    await ls.session.wait_index()
    return _references(ls, params)


def _references(ls: MMNameServer, params: types.ReferenceParams) -> List[types.Location]:
    from mmname_lsp.workspace.search import find_name

    doc, _index, offset = ls.session.doc_and_offset(params)
    result = ls.session.analysis(doc)
    path = document_path(doc.uri)
    index = ls.session.index()
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
                   for p, u in ls.session.open_paths().items()}
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

    index = ls.session.index()
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


@guarded("document links", list)
def document_links(ls: MMNameServer, params: types.DocumentLinkParams) -> List[types.DocumentLink]:
    from mmname_lsp.workspace.model import METAFILE, README, file_kind

    doc = ls.session.open_document(params.text_document.uri)
    index = ls.session.line_index(doc)
    result = ls.session.analysis(doc)
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


def register(server: MMNameServer) -> None:
    server.feature(types.TEXT_DOCUMENT_DEFINITION)(definition)
    server.feature(types.TEXT_DOCUMENT_REFERENCES)(references)
    server.feature(types.TEXT_DOCUMENT_DOCUMENT_LINK,
                types.DocumentLinkOptions(resolve_provider=False))(document_links)
