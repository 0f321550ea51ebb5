"""Metafiles, model indexes and READMEs as open documents: their names,
references and findings, with occurrences for hover and semantic tokens."""

from __future__ import annotations

import os
from typing import (
    Callable,
    List,
    Optional,
    Set,
    Tuple,
)

from mmname_lsp.analysis import Analysis, Finding, Occurrence, settings_decoder
from mmname_lsp.analysis.pipeline import profile_decision
from mmname_lsp.analysis.profile_of import SHARED_CODES
from mmname_lsp.codes import RULES
from mmname_lsp.naming import model as m
from mmname_lsp.naming.model import Problem
from mmname_lsp.rules.consistency import Related
from mmname_lsp.rules.metafile import metafile_name_issues
from mmname_lsp.rules.references import (
    REF_CONFIG,
    REF_IMPORT,
    REF_LINK,
    duplicate_model,
    yaml_error,
)
from mmname_lsp.settings import Settings
from mmname_lsp.text import Positions, Range, units  # noqa: F401  (units: re-exported)
from mmname_lsp.workspace.index import (
    WorkspaceIndex,
    published_in_zoo,
    readme_config_links,
    reference_issue,
    short_path,
)
from mmname_lsp.workspace.model import (
    MD_CHECKPOINT,
    MD_CONFIG,
    MD_NAME,
    META_CONFIG,
    META_NAME,
    META_WEIGHTS,
    METAFILE,
    MODEL_INDEX,
    README,
    Ref,
    file_kind,
)

# ---------------------------------------------------------------------------
# Open documents: the same, with occurrences (hover, semantic tokens)


def analyse_document(
    text: str,
    path: str,
    settings: Optional[Settings] = None,
    index: Optional[WorkspaceIndex] = None,
    *,
    exists: Callable[[str], bool] = os.path.isfile,
) -> Analysis:
    """The Analysis of a metafile, model index or README (for an open editor).

    The names in it are occurrences (hover, semantic tokens, navigation); the
    findings are those the workspace reports for the file, with offsets."""
    settings = settings or Settings()
    result = Analysis(text, path)
    if not settings.enable:
        return result
    kind = file_kind(path)
    if index is not None:
        decision = index.profile_of(path)
    else:
        decision = profile_decision(path, "", settings)
    result.choice = choice = decision.choice
    decoder = settings_decoder(settings, index.learned if index is not None else None,
                               choice.name)
    published = index.published if index is not None else published_in_zoo
    root = index.repo_root(path) if index is not None else os.path.dirname(path)
    issues: List[Tuple[Problem, Optional[Occurrence]]] = []
    if kind == METAFILE:
        _metafile_document(result, text, path, decoder, published, root, index, exists, issues)
    elif kind == MODEL_INDEX:
        from mmname_lsp.sources.yaml_source import parse_metafile

        mf = parse_metafile(text)
        folder = os.path.dirname(path)
        for s in mf.imports:
            ref = Ref(REF_IMPORT, s.value, s.start, s.end, (0, 0, 0, 0),
                      os.path.normpath(os.path.join(folder, s.value)))
            issue = reference_issue(ref, exists)
            if issue is not None:
                issues.append((issue, None))
        if mf.error is not None:
            issues.append((yaml_error(mf.error[0], mf.error[1]), None))
    elif kind == README:
        _readme_document(result, text, path, decoder, root, exists, issues)
    findings = []
    for issue, occ in issues:
        if choice.profile is None and issue.code not in SHARED_CODES:
            continue  # quietly: no convention to hold the names to
        rule = RULES.get(issue.code)
        findings.append(Finding(issue.code, issue.severity, issue.message, issue.start,
                                issue.end, issue.replacement, occ,
                                rule.category if rule else "reference", issue.related))
    from mmname_lsp.rules.suppressions import finalize_findings

    result.findings = finalize_findings(text, findings, settings)
    result.occurrences.sort(key=lambda o: o.start)
    return result


def _metafile_document(result, text, path, decoder, published, root, index, exists, issues):
    from mmname_lsp.sources.yaml_source import parse_metafile

    mf = parse_metafile(text)
    for model in mf.models:
        name_occ = None
        if model.name is not None and model.name.exact:
            decoded = decoder.decode(model.name.value, m.KIND_MODEL)
            name_occ = Occurrence(META_NAME, model.name.start, model.name.end, decoded, "Name")
            result.occurrences.append(name_occ)
        if model.config is not None and model.config.exact:
            decoded = decoder.decode(model.config.value, m.KIND_CONFIG)
            result.occurrences.append(Occurrence(META_CONFIG, model.config.start,
                                                 model.config.end, decoded, "Config"))
            ref = Ref(REF_CONFIG, model.config.value, model.config.start, model.config.end,
                      (0, 0, 0, 0), os.path.normpath(os.path.join(root, model.config.value)))
            issue = reference_issue(ref, exists)
            if issue is not None:
                issues.append((issue, None))
        if model.weights is not None and model.weights.exact and ".pth" in model.weights.value:
            decoded = decoder.decode(model.weights.value, m.KIND_CHECKPOINT)
            result.occurrences.append(Occurrence(META_WEIGHTS, model.weights.start,
                                                 model.weights.end, decoded, "Weights"))
        for issue in metafile_name_issues(model, decoder, published):
            issues.append((issue, name_occ if issue.code != "MMN208" else None))
        if index is not None and model.name is not None:
            dup = _duplicate_in_document(index, mf, model, path)
            if dup is not None:
                issues.append((dup, name_occ))
    if mf.error is not None:
        issues.append((yaml_error(mf.error[0], mf.error[1]), None))


def _duplicate_in_document(index: WorkspaceIndex, mf, model, path: str) -> Optional[Problem]:
    """A duplicate of ``model``'s name: in this (open) text or in other files."""
    name = model.name
    related: List[Related] = []
    for other in mf.models:
        if other is not model and other.name is not None and other.name.value == name.value:
            related.append(Related(path, 0, 0, 0, 0, f"`{name.value}` also defined here"))
    elsewhere = [e for e in index.models(name.value) if e.path != path]
    for e in elsewhere[:5]:
        related.append(Related(e.path, e.range[0], e.range[1], e.range[2], e.range[3],
                               f"`{name.value}` also defined here"))
    if not related:
        return None
    places = sorted({short_path(e.path, index.root_of(e.path)) for e in elsewhere})
    if len(related) > len(elsewhere):
        places.insert(0, "this file")
    # Positions of same-file duplicates are filled in by the caller's index
    # conversion; offsets are not known to Related: keep only other files there.
    related = [r for r in related if r.file != path]
    return duplicate_model(name.value, name.start, name.end, ", ".join(places), related)


# Model names stand in a README as code spans, table cells and fenced Python.
_MD_NAME_CONFIDENCE = 0.6


def _readme_document(result, text, path, decoder, root, exists, issues):
    from mmname_lsp.sources.markdown import CODE, LINK, TABLE, URL, extract_markdown
    from mmname_lsp.sources.python import CHECKPOINT, MODEL_API, extract_python

    md = extract_markdown(text)
    links = {span.start: target for span, target in readme_config_links(text, path, root)}
    taken: Set[int] = set()
    for span in md.spans:
        value = span.text
        occ = None
        if span.kind in (CODE, TABLE):
            if span.kind == TABLE and span.column != 0:
                continue
            if len(value) > 200 or " " in value:
                continue
            decoded = decoder.decode(value)
            if decoded.zoo is None and not _name_like(decoded):
                continue
            occ = Occurrence(MD_NAME, span.start, span.end, decoded, span.kind)
        elif span.kind == LINK and span.start in links:
            decoded = decoder.decode(value, m.KIND_CONFIG)
            occ = Occurrence(MD_CONFIG, span.start, span.end, decoded, "link")
            ref = Ref(REF_LINK, value, span.start, span.end, (0, 0, 0, 0), links[span.start])
            issue = reference_issue(ref, exists)
            if issue is not None:
                issues.append((issue, occ))
        elif span.kind in (LINK, URL) and ".pth" in value:
            decoded = decoder.decode(value, m.KIND_CHECKPOINT)
            occ = Occurrence(MD_CHECKPOINT, span.start, span.end, decoded, "url")
        if occ is not None and occ.start not in taken:
            taken.add(occ.start)
            result.occurrences.append(occ)
    for fence in md.fences:
        if fence.lang not in ("python", "py", "python3"):
            continue
        body = text[fence.start:fence.end]
        for lit in extract_python(body, (MODEL_API, CHECKPOINT)):
            start = fence.start + lit.start
            if start in taken or not lit.text:
                continue
            expected = m.KIND_MODEL if lit.context == MODEL_API else None
            if lit.expected == "pattern":
                continue
            decoded = decoder.decode(lit.text, expected)
            if lit.context == CHECKPOINT and decoded.kind != m.KIND_CHECKPOINT:
                continue
            taken.add(start)
            result.occurrences.append(Occurrence(lit.context, start, fence.start + lit.end,
                                                 decoded, lit.key))


def _name_like(decoded) -> bool:
    if decoded.confidence < _MD_NAME_CONFIDENCE or len(decoded.parts) < 2:
        return False
    return any(p.role in (m.TRAINING, m.DATA, m.PRETRAIN) for p in decoded.parts)
