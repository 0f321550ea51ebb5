"""Document -> findings: the one pipeline the server and the CLI share.

Pure Python on code-point offsets; reads the file system only to check that
``_base_`` files exist.  Never imports or executes the analysed code.
"""

from __future__ import annotations

import os
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Dict, List, Mapping, Optional, Set, Tuple

from mmname_lsp.analysis.profile_of import (
    SHARED_CODES,
    Decision,
    ProfileFinder,
    default_finder,
    matches_glob,
)
from mmname_lsp.findings import FILENAME, Finding, Occurrence, to_finding
from mmname_lsp.naming import model as m
from mmname_lsp.naming.decoder import Decoder, profile_decoder, profile_vocabulary
from mmname_lsp.naming.learned import LearnedWords
from mmname_lsp.naming.model import Decoded
from mmname_lsp.naming.profiles import DEFAULT as DEFAULT_PROFILE
from mmname_lsp.naming.profiles import Choice, profiles_of_call
from mmname_lsp.rules.references import broken_base, missing_reference, unknown_model
from mmname_lsp.rules.suppressions import finalize_findings
from mmname_lsp.settings import Settings
from mmname_lsp.sources.python import looks_like_config, module_to_path, registered_names

# A plain string literal is reported only when it is very likely a name.
LITERAL_CONFIDENCE = 0.7
# A file outside a `configs` folder is treated as a config only when its stem
# decodes this surely.
FILENAME_CONFIDENCE = 0.6
MAX_RESOLVE_CHARS = 200_000


@dataclass
class Analysis:
    text: str
    path: Optional[str]
    occurrences: List[Occurrence] = field(default_factory=list)
    findings: List[Finding] = field(default_factory=list)
    # What the resolved config says about each file-name token (for hover):
    # mmname_lsp.rules.consistency.TokenFact objects.
    facts: List[Any] = field(default_factory=list)
    # Other paths whose state on disk the findings depend on (bases, probed
    # paths): what a persistent cache of the findings must check.
    deps: Set[str] = field(default_factory=set)
    # What the static config reader left out, and why: (what, reason) pairs
    # (a scoped base, a statement that needs running code); verbose output.
    skipped: List[Tuple[str, str]] = field(default_factory=list)
    # The config's resolved train_dataloader.batch_size (it decides which
    # reading of an ambiguous `NxM` the editor offers first).
    batch_size: Optional[int] = None
    # The profile that judged the names, and why (hover says so); None only
    # when the checks are off.
    choice: Optional[Choice] = None
    # Occurrences judged by the profile of the call they stand in: id() ->
    # that profile's choice.
    claimed: Dict[int, Choice] = field(default_factory=dict, repr=False)
    _starts: Optional[List[int]] = field(default=None, repr=False)
    _strings: List[Occurrence] = field(default_factory=list, repr=False)

    def occurrence_at(self, offset: int) -> Optional[Occurrence]:
        """The string occurrence covering ``offset`` (ends included, for the cursor)."""
        if self._starts is None:
            strings = sorted((o for o in self.occurrences if not o.on_filename),
                             key=lambda o: o.start)
            self._strings = strings
            self._starts = [o.start for o in strings]
        i = bisect_right(self._starts, offset) - 1
        # Occurrences do not overlap; the one before may end right at the cursor.
        for j in (i, i - 1):
            if 0 <= j < len(self._strings):
                occ = self._strings[j]
                if occ.start <= offset <= occ.end:
                    return occ
        return None

    def choice_of(self, occ: Occurrence) -> Optional[Choice]:
        """The profile that judged ``occ``: the file's, or its call's."""
        return self.claimed.get(id(occ), self.choice)

    def filename_occurrence(self) -> Optional[Occurrence]:
        for occ in self.occurrences:
            if occ.on_filename:
                return occ
        return None


@lru_cache(maxsize=16)
def decoder_for(extra: Tuple[Tuple[str, Tuple[str, str]], ...],
                profile: Optional[str] = None) -> Decoder:
    """A decoder of naming ``profile`` (None: the default one) with the user's
    extra tokens (the profile's own decoder when there are none)."""
    profile = profile or DEFAULT_PROFILE
    if not extra:
        return profile_decoder(profile)
    return Decoder(profile_vocabulary(profile).with_extra(dict(extra)), profile=profile)


# Decoders that know a workspace's learned words, by (user words, profile, learned words).
_LEARNED: Dict[Tuple[Any, str, int], Tuple[LearnedWords, Decoder]] = {}


def settings_decoder(settings: Settings, learned: Optional[LearnedWords] = None,
                     profile: Optional[str] = None) -> Decoder:
    """The decoder for ``settings`` (its extra tokens) and naming ``profile``
    (a name of :mod:`mmname_lsp.naming.profiles`, or ``shared``; None: the
    default one), knowing the words a workspace uses (``learned``, else the
    settings' own: a snapshot that is replaced, never mutated)."""
    extra = tuple(sorted(settings.extra_tokens.items()))
    profile = profile or DEFAULT_PROFILE
    if learned is None:
        learned = settings.learned
    if learned is None or not learned.counts:
        return decoder_for(extra, profile)
    key = (extra, profile, id(learned))
    hit = _LEARNED.get(key)
    if hit is not None and hit[0] is learned:
        return hit[1]
    vocab = profile_vocabulary(profile).with_extra(dict(extra)).with_learned(learned)
    decoder = Decoder(vocab, profile=profile)
    if len(_LEARNED) >= 8:
        _LEARNED.clear()
    _LEARNED[key] = (learned, decoder)
    return decoder


def declared_config(path: str, text: str, settings: Settings,
                    is_config: Optional[bool] = None) -> str:
    """Why ``path`` is a config: "folder" (under a ``configs`` folder or matched
    by ``configGlobs``), "content" (its text reads as a config's; ``is_config``
    when the caller already looked), or "" (not declared one)."""
    if in_configs_folder(path) or matches_glob(path, settings.config_globs):
        return "folder"
    if is_config if is_config is not None else looks_like_config(text):
        return "content"
    return ""


def workspace_words(path: str, text: str, settings: Settings,
                    is_config: Optional[bool] = None
                    ) -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
    """What a Python file adds to its workspace's words: its file name when it
    is a config (:func:`declared_config`), and the classes it registers or
    names in ``type=``."""
    name = config_stem_candidate(path)
    declared = name is not None and declared_config(path, text, settings, is_config)
    return ((name,) if declared else ()), tuple(registered_names(text))


def config_stem_candidate(path: str) -> Optional[str]:
    """The file name of ``path`` when it may be a named config, else None.

    ``_base_`` files, private helpers (``_x.py``) and ``__init__.py`` are not
    model configs and are never judged by the naming convention.
    """
    # Plain string work (as PurePath's parts and suffix): this runs for every
    # file of a check and of the workspace, where pathlib cost a twentieth.
    parts = _parts(path)
    name = parts[-1] if parts else ""
    dot = name.rfind(".")
    if dot <= 0 or name[dot:] != ".py" or name.startswith("_") or "_base_" in parts:
        return None
    return name


def in_configs_folder(path: str) -> bool:
    return "configs" in _parts(path)[:-1]


def _parts(path: str) -> List[str]:
    """The components of ``path`` as PurePath gives them (but the root)."""
    return [p for p in path.replace("\\", "/").split("/") if p and p != "."]


def analyse(
    text: str,
    path: Optional[str],
    settings: Optional[Settings] = None,
    *,
    decoder: Optional[Decoder] = None,
    config_cache: Any = None,
    overlay: Optional[Mapping[str, str]] = None,
    consistency: bool = True,
    is_config: Optional[bool] = None,
    choice: Optional[Choice] = None,
    finder: Optional[ProfileFinder] = None,
) -> Analysis:
    """Find and decode every name in ``text`` (the content of ``path``, if any).

    For a config file, its content is also compared with its name (statically
    resolved; ``overlay`` gives unsaved texts of other open files by path).
    A config is a file under a ``configs`` folder, one matching the setting
    ``configGlobs``, or one whose content reads as a config (``is_config``
    says so for a caller that read the content but passes no text).

    The names are judged by the file's profile: ``choice`` when the caller
    made it (then ``decoder`` is that profile's), else found by ``finder``
    (:func:`profile_decision`).  A file no profile claims gets only the
    findings of the rules all profiles share.
    """
    settings = settings or Settings()
    result = Analysis(text, path)
    if not settings.enable:
        return result
    if choice is None:
        decision = profile_decision(path, text, settings, finder)
        choice = decision.choice
        result.deps.update(decision.deps)
    result.choice = choice
    decoder = decoder or settings_decoder(settings, profile=choice.name)
    if path and FILENAME in settings.sources:
        _filename(result, path, decoder, declared_config(path, text, settings, is_config))
    if path is None or path.endswith((".py", ".pyi")) or not os.path.splitext(path)[1]:
        _python(result, text, path, settings, decoder)
    occ = result.filename_occurrence()
    named_config = occ is not None and occ.decoded.kind == m.KIND_CONFIG
    has_bases = any(o.source in ("base", "base_import") for o in result.occurrences)
    # Real configs are a few hundred lines; a huge generated file would cost
    # seconds of static resolution per edit for checks that do not apply to it.
    if consistency and path and (named_config or has_bases) and len(text) <= MAX_RESOLVE_CHARS:
        _resolve(result, occ if named_config else None, path, text, config_cache, overlay,
                 _profile_name(decoder))
    if choice.profile is None:
        # Quietly: what one convention asks of its names is not asked here.
        result.findings = [f for f in result.findings if f.code in SHARED_CODES
                           or (f.occurrence is not None and id(f.occurrence) in result.claimed)]
    result.findings = finalize_findings(text, result.findings, settings)
    return result


def profile_decision(path: Optional[str], text: str, settings: Settings,
                     finder: Optional[ProfileFinder] = None) -> Decision:
    """The profile that judges ``path`` (``text`` its content), and the files
    whose content decided it."""
    return (finder or default_finder()).decide(path, text, settings)


def _filename(result: Analysis, path: str, decoder: Decoder, declared: str) -> None:
    """Judge the file name of a config: one in a ``configs`` folder or matched
    by ``configGlobs`` (``declared`` "folder"), one whose content is a config's
    ("content": its name is judged when it has parts at all, so `train.py`
    is left alone), or any file whose name decodes surely as a config's."""
    name = config_stem_candidate(path)
    if name is None:
        return
    decoded = decoder.decode(name, m.KIND_CONFIG)
    if declared == "content":
        if len(decoded.parts) < 2:
            return
    elif not declared and not _looks_like_name(decoded, FILENAME_CONFIDENCE):
        return
    occ = Occurrence(FILENAME, 0, 0, decoded)
    result.occurrences.append(occ)
    for p in decoded.problems:
        # Offsets stay those of the file name: the finding is shown on line 0
        # and its fix is a rename.
        result.findings.append(Finding(p.code, p.severity, f"File name: {p.message}", p.start,
                                       p.end, p.replacement, occ))


_DEFAULT_CACHE: Any = None


def _profile_name(decoder: Any) -> Optional[str]:
    """The name of the profile a decoder reads names with, when it has one:
    the name <-> content checks give the words the same meanings."""
    profile = getattr(decoder, "profile", None)
    name = getattr(profile, "name", profile)
    return name if isinstance(name, str) else None


def _resolve(
    result: Analysis, occ: Optional[Occurrence], path: str, text: str, cache: Any,
    overlay: Optional[Mapping[str, str]], profile: Optional[str] = None,
) -> None:
    """Resolve the config statically: report broken bases, and compare the
    content with the file name when the file is a named config."""
    from mmname_lsp.configs import ConfigCache, resolve_config

    global _DEFAULT_CACHE
    if cache is None:
        if _DEFAULT_CACHE is None:
            _DEFAULT_CACHE = ConfigCache()
        cache = _DEFAULT_CACHE
    resolved = resolve_config(path, text, overlay=overlay, cache=cache)
    result.deps.update(resolved.deps)
    batch = resolved.get("train_dataloader.batch_size")
    if batch is not None and isinstance(batch.value, int) and not isinstance(batch.value, bool):
        result.batch_size = batch.value
    result.skipped.extend(resolved.skipped)
    _base_issues(result, resolved, path, text)
    if occ is not None:
        _consistency(result, occ, resolved, profile=profile)
    # A model name in a string whose zoo entry is built from this very config
    # (the model's own name) is held to the same content.
    for o in list(result.occurrences):
        zoo = o.decoded.zoo
        if o.on_filename or not zoo or o.decoded.kind != m.KIND_MODEL:
            continue
        own = zoo.get("config") or ""
        if own and os.path.normpath(path).endswith(os.path.normpath(own)):
            _consistency(result, o, resolved, prefix="", offset=o.start, profile=profile)


def _base_issues(result: Analysis, resolved: Any, path: str, text: str) -> None:
    """Broken bases (cycles, unreadable files), shown on this file's `_base_` entry
    through which the broken file is reached."""
    here = os.path.normpath(path)
    folder = os.path.dirname(path)
    entries = [o for o in result.occurrences if o.source in ("base", "base_import")]
    if not entries:
        return
    direct = {}
    for o in entries:
        rel = o.decoded.input if o.source == "base" else module_to_path(o.decoded.input)
        if rel and "::" not in rel:
            direct.setdefault(os.path.normpath(os.path.join(folder, rel)), o)
    seen = set()
    for issue in resolved.issues:
        if issue.kind not in ("cycle", "unreadable") or not issue.file:
            continue
        where = None
        for candidate in (issue.file, issue.target):
            if candidate and os.path.normpath(candidate) in direct:
                where = direct[os.path.normpath(candidate)]
                break
        if where is None and os.path.normpath(issue.file) != here:
            where = entries[0]  # reached through a deeper base
        if where is None:
            continue
        code = "MMN291" if issue.kind == "cycle" else "MMN292"
        if (code, where.start) in seen:
            continue
        seen.add((code, where.start))
        p = broken_base(issue.kind, where.decoded.input, issue.message, where.start, where.end)
        result.findings.append(to_finding(p, where))


def _consistency(
    result: Analysis, occ: Occurrence, resolved: Any, prefix: str = "File name: ",
    offset: int = 0, profile: Optional[str] = None,
) -> None:
    """Compare a name with the resolved content; ``offset`` places the findings
    in the document (0 for the file name, whose offsets index the name).
    Without a profile, the config's ``default_scope`` says whose words they are."""
    from mmname_lsp.rules.consistency import check_consistency

    findings, facts = check_consistency(occ.decoded, resolved, profile)
    if occ.on_filename:
        result.facts.extend(facts)
    for f in findings:
        result.findings.append(to_finding(f, occ, offset, prefix))


def _looks_like_name(d: Decoded, threshold: float) -> bool:
    if d.confidence < threshold or len(d.parts) < 2:
        return False
    return any(p.role in (m.TRAINING, m.DATA, m.PRETRAIN) for p in d.parts)


def _python(
    result: Analysis, text: str, path: Optional[str], settings: Settings, decoder: Decoder
) -> None:
    from mmname_lsp.sources.python import extract_python

    wanted = settings.sources - {FILENAME}
    for lit in extract_python(text, wanted):
        ctx = lit.context
        value = lit.text
        if ctx in ("base", "base_import"):
            _base(result, lit, path, decoder)
            continue
        if ctx == "model_api":
            called, owner = call_decoder(lit.key, result.choice, decoder, settings)
            _model_api(result, lit, called, owner)
            continue
        if ctx == "checkpoint":
            decoded = decoder.decode(value, lit.expected if lit.expected != "pattern" else None)
            # `dalle_encoder.pth`, `work_dirs/epoch_3.pth`: files, not model names.
            if decoded.zoo is None and not _looks_like_name(decoded, 0.5):
                continue
        else:  # any other literal: only when it is surely a name
            # A name has at least two `_` parts; most strings are ruled out here
            # without decoding (a file with 100,000 strings stays fast).
            if "_" not in value or len(value) > 300 or " " in value:
                continue
            decoded = decoder.decode(value)
            if decoded.kind == m.KIND_CONFIG and ("/" in value or "\\" in value):
                # A config path in a plain string: judge its file name only.
                if config_stem_candidate(value) is None:
                    continue
            if not _looks_like_name(decoded, LITERAL_CONFIDENCE):
                continue
        _add(result, lit, decoded)


def _add(result: Analysis, lit, decoded: Decoded, problems=None) -> Occurrence:
    occ = Occurrence(lit.context, lit.start, lit.end, decoded, lit.key)
    result.occurrences.append(occ)
    span = getattr(lit, "source_span", None)
    for p in decoded.problems if problems is None else problems:
        start, end, whole = (lit.start + p.start, lit.start + p.end, True) if span is None \
            else span(p.start, p.end)
        # An edit across adjacent literals (`'a_' 'b'`) would delete the quotes.
        result.findings.append(
            Finding(p.code, p.severity, p.message, start, end,
                    p.replacement if whole else None, occ)
        )
    return occ


def _base(result: Analysis, lit, path: Optional[str], decoder: Decoder) -> None:
    value = lit.text
    if lit.context == "base_import":
        rel = module_to_path(value)
    else:
        rel = value
    if "::" in value or not rel:
        return  # scoped bases (mmdet::...) live in another package
    decoded = decoder.decode(rel, m.KIND_CONFIG)
    name = config_stem_candidate(rel)
    keep_problems = name is not None and _looks_like_name(decoded, FILENAME_CONFIDENCE)
    occ = _add(result, lit, decoded, None if keep_problems and lit.context == "base" else ())
    if path is None:
        return  # untitled document: nothing to resolve against
    target = os.path.normpath(os.path.join(os.path.dirname(path), rel))
    result.deps.add(target)
    # A link that leads nowhere readable is reported as unreadable (MMN292).
    if not os.path.isfile(target) and not os.path.islink(target):
        p = missing_reference(lit.context, value, target, lit.start, lit.end)
        result.findings.append(to_finding(p, occ))


def call_profile(callee: Optional[str], choice: Optional[Choice]) -> Optional[Choice]:
    """The profile whose model names ``callee(...)`` takes when it is not the
    file's own (``DetInferencer`` takes MMDetection names wherever it is
    called); None when the file's profile has that call, or when it is not
    clear whose call it is (``init_model`` of several repositories)."""
    owners = profiles_of_call(callee) if callee else ()
    if not owners or (choice is not None and choice.profile in owners):
        return None
    modern = [p for p in owners if not p.legacy] or list(owners)
    # MMPretrain's calls were this tool's first: they keep their reading.
    owner = next((p for p in modern if p.name == DEFAULT_PROFILE), None)
    if owner is None:
        if len(modern) > 1:
            return None
        owner = modern[0]
    return Choice(owner, f"`{callee}(...)` takes {owner.title} model names")


def call_decoder(callee: Optional[str], choice: Optional[Choice], decoder: Decoder,
                 settings: Settings, learned: Optional[LearnedWords] = None,
                 ) -> Tuple[Decoder, Optional[Choice]]:
    """The decoder of the model names ``callee(...)`` takes (``decoder``, the
    file's, unless :func:`call_profile` says otherwise) and that other
    profile's choice."""
    owner = call_profile(callee, choice)
    if owner is None:
        return decoder, None
    return settings_decoder(settings, learned, owner.name), owner


def _model_api(result: Analysis, lit, decoder: Decoder, owner: Optional[Choice] = None,
               ) -> None:
    """A model name in a call; ``owner``: the call's own profile, which judges
    it whatever the file's is."""
    if owner is not None:
        before = len(result.occurrences)
        _model_api(result, lit, decoder)
        result.claimed.update((id(o), owner) for o in result.occurrences[before:])
        return
    value = lit.text
    if lit.expected == "pattern" or "*" in value or "?" in value:
        decoded = decoder.decode(value.replace("*", "").strip("_-") or value)
        _add(result, lit, decoded, ())
        return
    if "/" in value or "\\" in value:
        # A config path: its file name is judged like a config's.
        decoded = decoder.decode(value, m.KIND_CONFIG)
        keep = config_stem_candidate(value) is not None
        _add(result, lit, decoded, None if keep else ())
        return
    decoded = decoder.decode(value, m.KIND_MODEL)
    zoo = decoder.zoo
    problems = list(decoded.problems)
    occ = _add(result, lit, decoded, problems)
    if decoded.zoo is None and decoded.kind == m.KIND_MODEL and value and len(zoo):
        stem = value[:-3] if value.endswith(".py") else value
        if zoo.model(stem) is None:
            p = unknown_model(value, zoo.names(), lit.start, lit.end,
                              decoder.conventions.title)
            result.findings.append(to_finding(p, occ))
