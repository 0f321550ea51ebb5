"""`mmname check`: which files, which findings, which fixes.

Everything here is independent of how results are shown (see
:mod:`mmname_lsp.cli.output`) and of argparse (see :mod:`mmname_lsp.cli`):
:func:`run_check` takes a :class:`CheckOptions` and returns a
:class:`CheckResult`.  Nothing here imports pygls.

Files
    Files given directly are always checked.  Folders are walked for ``.py``
    and ``.pyi`` files, skipping hidden folders, ``node_modules``,
    ``__pycache__`` and virtual environments, and honouring ``.gitignore``:
    inside a git work tree through ``git ls-files`` (so git's own rules apply,
    global excludes included), elsewhere (or without git) through the small
    gitignore matcher below.  ``exclude`` patterns from the configuration or
    ``--exclude`` apply on top.
Findings
    :func:`mmname_lsp.analysis.analyse` per file (suppression comments are
    honoured there), then filtered by ``--select``/``--ignore`` and by the
    lowest severity to report (hints are not reported unless asked for, like
    an editor's problem list).
Fixes
    Safe text fixes of reported findings, repeated until nothing changes;
    renames of config files for file-name findings (``--rename-files``), which
    also update ``_base_`` references to the renamed file in the checked files.
    A fix inside a ``_base_`` path to an existing file, or inside a URL, is
    never applied to the text alone: it would break the reference.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

from mmname_lsp.analysis import Analysis, Finding, Occurrence, analyse, settings_decoder
from mmname_lsp.analysis.fixes import apply_text_fixes, text_fixes
from mmname_lsp.analysis.pipeline import profile_decision
from mmname_lsp.analysis.profile_of import SHARED_CODES
from mmname_lsp.cli.cache import FindingCache
from mmname_lsp.cli.parallel import analyse_files
from mmname_lsp.cli.words import learn_checked
from mmname_lsp.codes import RULES, SEVERITY_RANK, Selection
from mmname_lsp.files import (
    BOM,
    MAX_FILE_BYTES,
    IgnoreSpec,
    Notice,
    Skip,
    Target,
    discover,
    read_regular,
    read_source,
    write_source,
)
from mmname_lsp.filestate import file_stamp
from mmname_lsp.naming.profiles import SHARED, Choice
from mmname_lsp.settings import AUTO, Settings

DEFAULT_MIN_SEVERITY = "information"
MAX_FIX_PASSES = 5
NAME_PATH = "<name>"
NAME_SOURCE = "name"


# ---------------------------------------------------------------------------
# Checking


@dataclass
class CheckOptions:
    paths: List[str] = field(default_factory=list)
    names: List[str] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)
    select: Optional[Sequence[str]] = None
    ignore: Sequence[str] = ()
    excludes: Sequence[IgnoreSpec] = ()
    force_exclude: bool = False
    min_severity: str = DEFAULT_MIN_SEVERITY
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False  # compute the fixes, write nothing
    rename_files: bool = False
    use_git: Optional[bool] = None
    # Folder of the persistent findings cache (None: no cache); whether a
    # cache that cannot be written is worth a warning (a folder the user named).
    cache_dir: Optional[str] = None
    cache_warnings: bool = False
    cache_scope: str = ""  # the project's folder (projects may share a cache folder)
    # Processes for files not in the cache (0: one per CPU); many files only.
    jobs: int = 1
    # The files to check, already found (per-file configuration groups them);
    # None: found from ``paths`` here.
    targets: Optional[List[Target]] = None
    # Text read from standard input (`mmname check -`), reported under
    # ``stdin_path`` ("-" when not named); never written, never cached.
    stdin_text: Optional[str] = None
    stdin_path: Optional[str] = None
    # Say which profile judged each file (--verbose).
    profiles: bool = False
    # With --rename-files: the files checked under other configurations, whose
    # `_base_` paths to a file renamed here could not be updated with it.
    foreign: Sequence[Target] = ()


@dataclass
class FileReport:
    """One checked file (or one ``--name``, with ``path`` ``<name>``)."""

    path: str  # shown path (the new one after a rename)
    abs_path: Optional[str]
    text: str  # the text the findings are about (after fixes)
    findings: List[Finding]
    original_text: Optional[str] = None  # set when fixes changed the text
    fixes: int = 0  # findings the text fixes fix (0 once they are not made)
    renamed_from: Optional[str] = None  # shown path before a rename
    bom: bool = False
    fixable: int = 0  # reported findings --fix would fix (now, without renames)
    unsafe_fixable: int = 0  # more with --unsafe-fixes
    fixable_ids: FrozenSet[int] = frozenset()  # id() of those findings
    # What the static config reader left out, and why (for --verbose).
    skipped: List[Tuple[str, str]] = field(default_factory=list)
    # The profile that judged it and why (with CheckOptions.profiles).
    profile: Optional[Choice] = None

    def is_fixable(self, finding: Finding) -> bool:
        """Whether --fix would fix ``finding`` (a safe text fix that breaks nothing)."""
        return id(finding) in self.fixable_ids

    @property
    def changed(self) -> bool:
        return self.original_text is not None and self.original_text != self.text


@dataclass
class Rename:
    old: str  # shown paths
    new: str
    old_abs: str
    new_abs: str
    fixes: int = 0  # file-name findings the new name fixes


@dataclass
class CheckResult:
    reports: List[FileReport] = field(default_factory=list)
    notices: List[Notice] = field(default_factory=list)
    fixed: int = 0  # findings fixed (or that --diff would fix)
    renames: List[Rename] = field(default_factory=list)
    references_updated: int = 0
    files_checked: int = 0
    cached: int = 0  # files whose findings came from the persistent cache
    cache_folder: Optional[str] = None  # None: no cache used
    workers: int = 1  # processes that analysed the files not in the cache

    @property
    def findings(self) -> List[Tuple[FileReport, Finding]]:
        return [(r, f) for r in self.reports for f in r.findings]

    @property
    def errors(self) -> List[Notice]:
        return [n for n in self.notices if n.level == "error"]

    @property
    def has_changes(self) -> bool:
        return bool(self.renames) or any(r.changed for r in self.reports)


class Checker:
    def __init__(self, options: CheckOptions):
        self.options = options
        self.settings = options.settings
        self.selection = Selection(options.select, options.ignore)
        self.max_rank = SEVERITY_RANK[options.min_severity]

    def wanted(self, code: str, severity: str) -> bool:
        """Whether findings of ``code`` with ``severity`` are reported."""
        return self.selection(code) and SEVERITY_RANK.get(severity, 3) <= self.max_rank

    def reported(self, findings: Iterable[Finding]) -> List[Finding]:
        return [f for f in findings if self.wanted(f.code, f.severity)]

    # -- fixes ---------------------------------------------------------------

    def text_fix_allowed(self, f: Finding, abs_path: Optional[str]) -> bool:
        """Whether --fix may apply ``f``'s text fix without breaking a reference."""
        occ = f.occurrence
        if occ is None or occ.on_filename:
            return True
        value = occ.decoded.input
        if "://" in value:
            return False  # a URL: the fixed name would point at nothing
        if occ.source == "base" and abs_path is not None:
            target = os.path.normpath(os.path.join(os.path.dirname(abs_path), value))
            # A base that exists is renamed (--rename-files), not re-spelled here.
            return not os.path.exists(target)
        return True

    def fixable(self, findings: Iterable[Finding], abs_path: Optional[str],
                unsafe: bool) -> List[Finding]:
        out = []
        for f in findings:
            fx = f.fix
            if fx is None or fx.new_filename is not None or (not fx.safe and not unsafe):
                continue
            if self.text_fix_allowed(f, abs_path):
                out.append(f)
        return out

    def analyse(self, text: str, path: str) -> Analysis:
        # The absolute path, as the language server has it: the same findings
        # whatever the current folder (a `configs` folder above it counts).
        return analyse(text, os.path.abspath(path), self.settings)

    def fix_text(self, text: str, path: str, abs_path: str) -> Tuple[str, int, Analysis]:
        """Apply fixes until none is left (or MAX_FIX_PASSES); the last analysis."""
        unsafe = self.options.unsafe_fixes
        seen = {text}
        total = 0
        analysis = self.analyse(text, path)
        for _ in range(MAX_FIX_PASSES):
            fixes = text_fixes(self.fixable(self.reported(analysis.findings), abs_path, unsafe),
                               unsafe=unsafe)
            if not fixes:
                break
            new_text, count = apply_text_fixes(text, fixes)
            if count == 0 or new_text in seen:
                break
            seen.add(new_text)
            text = new_text
            total += count
            analysis = self.analyse(text, path)
        return text, total, analysis

    def new_filename(self, text: str, path: str, analysis: Analysis) -> Tuple[str, int]:
        """The file name after its safe file-name fixes (the same name when none)."""
        folder, name = os.path.split(path)
        count = 0
        only_name = dataclasses.replace(self.settings, sources=frozenset({"filename"}))
        for _ in range(MAX_FIX_PASSES):
            occ = analysis.filename_occurrence()
            if occ is None:
                break
            edits = []
            for f in self.reported(analysis.findings):
                fx = f.fix
                if not f.on_filename or fx is None:
                    continue
                if fx.safe or self.options.unsafe_fixes:
                    edits.append((f.start, f.end, f.replacement or ""))
            edits.sort()
            pieces, pos, applied = [], 0, 0
            current = occ.decoded.input
            for start, end, repl in edits:
                if start < pos:
                    continue
                pieces.append(current[pos:start])
                pieces.append(repl)
                pos = end
                applied += 1
            if not applied:
                break
            pieces.append(current[pos:])
            candidate = "".join(pieces)
            if candidate == current or not _plain_file_name(candidate):
                break
            name = candidate
            count += applied
            analysis = analyse(text, os.path.abspath(os.path.join(folder, name)), only_name)
        return name, count

    # -- the persistent cache ----------------------------------------------------

    def _open_cache(self) -> Optional[FindingCache]:
        if self.options.cache_dir is None:
            return None
        return FindingCache.open(Path(self.options.cache_dir), self.settings,
                                 self.options.cache_scope, chosen=self.options.cache_warnings)

    def _read(self, t: Target, result: CheckResult, cache: Optional[FindingCache],
              ) -> Optional[Tuple[str, bool, Optional[str]]]:
        """(text, BOM, content hash when caching) of a target; None with a
        notice when it cannot be checked."""
        hashed_at = time.time_ns()
        try:
            text, bom, data, st = read_source(t.abs_path)
        except Skip as exc:
            result.notices.append(Notice("warning", t.display, str(exc)))
            return None
        except OSError as exc:
            result.notices.append(Notice("error", t.display,
                                         f"cannot read: {exc.strerror or exc}"))
            return None
        digest = (cache.remember(t.abs_path, file_stamp(st), data, hashed_at)
                  if cache is not None else None)
        return text, bom, digest

    # -- the run ---------------------------------------------------------------

    def run(self) -> CheckResult:
        opts = self.options
        result = CheckResult()
        paths = list(opts.paths)
        if opts.targets is not None:
            targets = list(opts.targets)
        else:
            targets, notices = discover(paths, opts.excludes, use_git=opts.use_git,
                                        force_exclude=opts.force_exclude)
            result.notices.extend(notices)
        do_fix = opts.fix or opts.diff
        # The checked files' own words, as the editor learns its workspace's:
        # a word several of them use is not a typo.
        memo = Path(opts.cache_dir) if opts.cache_dir is not None and not do_fix else None
        learned = learn_checked(targets, self.settings, memo, opts.cache_scope)
        self.settings = dataclasses.replace(self.settings, learned=learned)
        reports: List[FileReport] = []
        analyses: Dict[int, Analysis] = {}
        cache = None if do_fix else self._open_cache()
        # First the state of every file, so that a file's cached findings can
        # be checked against the bases it inherits from, wherever they are.
        read: List[Tuple[Target, Optional[Tuple[str, bool]], Optional[str]]] = []
        for t in targets:
            digest = cache.known_digest(t.abs_path) if cache is not None else None
            if digest is not None:
                read.append((t, None, digest))  # unchanged: read only if needed
                continue
            source = self._read(t, result, cache)
            if source is not None:
                read.append((t, source[:2], source[2]))
        misses: List[Tuple[FileReport, Optional[str]]] = []
        for t, source, digest in read:
            if do_fix:
                assert source is not None
                text, bom = source
                new_text, count, analysis = self.fix_text(text, t.display, t.abs_path)
                report = FileReport(t.display, t.abs_path, new_text, [], text, bom=bom,
                                    fixes=count)
                analyses[id(report)] = analysis
            else:
                found = None
                if cache is not None and digest is not None:
                    found = cache.lookup(t.abs_path, digest, self.wanted)
                if source is None and (found is None or found[0]):
                    # Findings to place in the text, or none cached after all.
                    read_now = self._read(t, result, cache)
                    if read_now is None:
                        continue
                    source = read_now[:2]
                    if read_now[2] != digest:  # changed since: analyse what is there
                        found, digest = None, read_now[2]
                text, bom = source if source is not None else ("", False)
                report = FileReport(t.display, t.abs_path, text, [], bom=bom)
                if found is not None:
                    # `text` is "" when nothing is reported: no position to find.
                    analyses[id(report)] = Analysis(text, t.abs_path, findings=found[0],
                                                    skipped=found[1])
                else:
                    misses.append((report, digest))
            result.files_checked += 1
            reports.append(report)
        done, result.workers = analyse_files(
            [(r.text, os.path.abspath(r.path)) for r, _digest in misses], self.settings,
            opts.jobs)
        for (report, digest), analysis in zip(misses, done):
            analyses[id(report)] = analysis
            if cache is not None and digest is not None:
                cache.store(report.abs_path, digest, analysis.deps, analysis.findings,
                            analysis.skipped)
        if cache is not None:
            result.cache_folder = str(cache.folder)
            result.cached = cache.hits
            cache.forget_missing(t.abs_path for t, _source, _digest in read)
            problem = cache.save()
            if problem and opts.cache_warnings:
                result.notices.append(Notice("warning", str(cache.folder), problem))

        stale: List[FileReport] = []
        if do_fix:
            stale = self._settle_fixes(reports, analyses, result)
        for report in stale:
            # After the renames are on disk, so that `_base_` paths resolve.
            analyses[id(report)] = self.analyse(report.text, report.path)
        result.fixed = (sum(r.fixes for r in reports)
                        + sum(r.fixes for r in result.renames))

        for report in reports:
            analysis = analyses[id(report)]
            if opts.profiles:
                report.profile = analysis.choice or self.profile_of(report)
            found = self.reported(analysis.findings)
            report.findings = _sorted(found, report.text)
            report.skipped = list(analysis.skipped)
            safe = self.fixable(found, report.abs_path, False)
            report.fixable = len(safe)
            report.fixable_ids = frozenset(id(f) for f in safe)
            report.unsafe_fixable = len(self.fixable(found, report.abs_path, True)) - len(safe)
        result.reports = reports
        if opts.stdin_text is not None:
            result.reports.append(self.check_stdin(opts.stdin_text, opts.stdin_path))
            result.files_checked += 1
        result.reports.extend(self.check_names(opts.names))
        return result

    def profile_of(self, report: FileReport) -> Optional[Choice]:
        """The profile of a file whose findings came from the cache."""
        text = report.text
        if not text and report.abs_path is not None:
            try:
                text = read_source(report.abs_path)[0]
            except (Skip, OSError):
                return None
        path = report.abs_path or os.path.abspath(report.path)
        return profile_decision(path, text, self.settings).choice

    def check_stdin(self, text: str, path: Optional[str]) -> FileReport:
        """Findings of ``text`` as if it were the file ``path`` (its file name,
        its folder for `_base_` paths); no file name at all when None."""
        analysis = analyse(text, os.path.abspath(path) if path else None, self.settings)
        found = self.reported(analysis.findings)
        # No abs_path: nothing may be written or renamed for it.
        report = FileReport(path or "-", None, text, _sorted(found, text))
        report.skipped = list(analysis.skipped)
        report.profile = analysis.choice if self.options.profiles else None
        return report

    def _settle_fixes(self, reports: List[FileReport], analyses: Dict[int, Analysis],
                      result: CheckResult) -> List[FileReport]:
        """Decide which fixes are made, make them (``--fix``), and return the
        reports to analyse again.

        A file gets no fix at all (text, rename or `_base_` references) when
        it resolves outside the checked paths (a link out of the tree), and
        with ``--fix`` when it cannot be written or changed on disk since it
        was read: its findings are those of the text on disk, and the count
        of fixes does not claim them.  A rename whose `_base_` references
        cannot all be updated is not made either (it would break them).
        """
        opts = self.options
        writing = opts.fix and not opts.diff
        guard = _WriteGuard(opts.paths)
        as_read = {id(r): r.original_text if r.original_text is not None else r.text
                   for r in reports}
        fixed_text = {id(r): r.text for r in reports}
        wanted_names: Dict[int, Tuple[str, int]] = {}
        if opts.rename_files:
            for r in reports:
                if r.abs_path is not None:
                    wanted_names[id(r)] = self.new_filename(r.text, r.path, analyses[id(r)])
        frozen: Set[int] = set()
        checked: Dict[int, bool] = {}  # reports looked at: whether as to be written
        renamable: Set[str] = set()  # files whose folder takes a rename
        cancelled: Set[str] = set()  # renames (normcased old paths) not made
        by_key = {_key(r.abs_path): r for r in reports if r.abs_path is not None}
        for key, where in self._foreign_references(reports, wanted_names):
            # Another configuration's run cannot update that `_base_` path in
            # step with this rename: renaming would break it.
            cancelled.add(key)
            result.notices.append(Notice(
                "warning", by_key[key].path,
                f"not renamed: the `_base_` reference to it in {where} (a file of another "
                "configuration) cannot be updated in the same run"))
        while True:
            planned, clashes = self._plan_renames(reports, wanted_names, frozen, cancelled)
            edits = {id(r): self._reference_edits(r, analyses[id(r)], planned)
                     for r in reports if r.abs_path is not None}
            settled = True
            for r in reports:
                if r.abs_path is None or id(r) in frozen:
                    continue
                rewrite = fixed_text[id(r)] != as_read[id(r)] or bool(edits[id(r)])
                key = _key(r.abs_path)
                renamed = key in planned
                done = checked.get(id(r))
                # Again when it is to be written now and was not then (a
                # rename planned once another was dropped adds references).
                if (rewrite or renamed) and (done is None or (rewrite and not done)):
                    checked[id(r)] = rewrite
                    refusal = guard.refusal(r.abs_path, r.path, as_read[id(r)], r.bom,
                                            rewrite and writing)
                    if refusal is not None:
                        result.notices.append(refusal)
                        frozen.add(id(r))
                        settled = False
                        continue
                if renamed and writing and key not in renamable:
                    # Only the rename is dropped: the text fixes can still be made.
                    refusal = guard.rename_refusal(r.abs_path, r.path)
                    if refusal is not None:
                        result.notices.append(refusal)
                        cancelled.add(key)
                        settled = False
                    else:
                        renamable.add(key)
            for r in reports:
                # References a frozen file keeps would break with the rename.
                if id(r) not in frozen:
                    continue
                for key in {k for _s, _e, _new, k in edits.get(id(r), ())} - cancelled:
                    cancelled.add(key)
                    renamed_report = by_key[key]
                    result.notices.append(Notice(
                        "warning", renamed_report.path,
                        f"not renamed: the `_base_` reference to it in {r.path} "
                        "cannot be updated"))
                    settled = False
            if settled:
                break
        result.notices.extend(clashes)

        stale: List[FileReport] = []
        for r in reports:
            if r.abs_path is None:
                continue
            if id(r) in frozen:
                if r.text != as_read[id(r)]:
                    r.text = as_read[id(r)]
                    stale.append(r)
                r.original_text = None
                r.fixes = 0
                continue
            own = edits[id(r)]
            if own:
                r.text = _apply_edits(r.text, own)
                result.references_updated += len(own)
                stale.append(r)
        for r, new_abs, count in planned.values():
            old_display = r.path
            new_display = os.path.join(os.path.dirname(old_display), os.path.basename(new_abs))
            result.renames.append(Rename(old_display, new_display, r.abs_path or "", new_abs,
                                         count))
            r.renamed_from = old_display
            r.path = new_display
            r.abs_path = new_abs
            if r not in stale:
                stale.append(r)
        if writing:
            stale.extend(r for r in self._write(result, reports, as_read) if r not in stale)
        return stale

    def _foreign_references(self, reports: List[FileReport],
                            wanted: Dict[int, Tuple[str, int]]) -> List[Tuple[str, str]]:
        """(key of a file to rename, shown path of a file of another group that
        names it in a `_base_` path), for ``options.foreign``."""
        renaming = {_key(r.abs_path) for r in reports
                    if r.abs_path is not None and id(r) in wanted
                    and wanted[id(r)][0] != os.path.basename(r.abs_path)}
        if not renaming or not self.options.foreign:
            return []
        found = []
        for t in self.options.foreign:
            try:
                text = read_source(t.abs_path)[0]
            except (Skip, OSError):
                continue  # its own group says why it cannot be read
            for occ in analyse(text, t.abs_path, self.settings).occurrences:
                value = text[occ.start : occ.end]
                if occ.source != "base" or "::" in value:
                    continue
                key = os.path.normcase(os.path.normpath(
                    os.path.join(os.path.dirname(t.abs_path), value)))
                if key in renaming:
                    found.append((key, t.display))
        return found

    def _plan_renames(self, reports: List[FileReport], wanted: Dict[int, Tuple[str, int]],
                      frozen: Set[int], cancelled: Set[str],
                      ) -> Tuple[Dict[str, Tuple[FileReport, str, int]], List[Notice]]:
        """The renames to make, by the normcased old path: (report, new path,
        fixes); and the notices of renames a file in the way prevents."""
        planned: Dict[str, Tuple[FileReport, str, int]] = {}
        clashes: List[Notice] = []
        taken = set()
        for report in reports:
            if report.abs_path is None or id(report) in frozen or id(report) not in wanted:
                continue
            name, count = wanted[id(report)]
            folder, old_name = os.path.split(report.abs_path)
            old_key = _key(report.abs_path)
            if name == old_name or old_key in cancelled:
                continue
            new_abs = os.path.join(folder, name)
            key = os.path.normcase(new_abs)
            clash = key in taken or (
                os.path.lexists(new_abs) and not _same_file(new_abs, report.abs_path)
            )
            if clash:
                clashes.append(Notice(
                    "warning", report.path, f"not renamed: `{name}` exists already"))
                continue
            taken.add(key)
            planned[old_key] = (report, new_abs, count)
        return planned, clashes

    def _reference_edits(self, report: FileReport, analysis: Analysis,
                         planned: Dict[str, Tuple[FileReport, str, int]],
                         ) -> List[Tuple[int, int, str, str]]:
        """Edits of `_base_` references to renamed files in ``report``:
        (start, end, new text, the renamed file's key)."""
        if not planned or report.abs_path is None:
            return []
        edits = []
        for occ in analysis.occurrences:
            if occ.source != "base":
                continue
            edit = _reference_edit(report.abs_path, report.text, occ, planned)
            if edit is not None:
                edits.append(edit)
        return edits

    def _write(self, result: CheckResult, reports: List[FileReport],
               as_read: Dict[int, str]) -> List[FileReport]:
        """Write the fixed texts, then rename; the reports whose changes did
        not reach the disk (their findings are those of the disk again)."""
        undone: List[FileReport] = []
        for report in reports:
            if report.abs_path is None or not report.changed:
                continue
            target = report.abs_path
            if report.renamed_from is not None:
                rename = next(r for r in result.renames if r.new_abs == target)
                target = rename.old_abs
            before = as_read[id(report)]
            try:
                write_source(os.path.realpath(target), report.text, report.bom,
                             previous=_encoded(before, report.bom))
            except OSError as exc:
                # Checked writable a moment ago: rare (a full disk), but the
                # count and the findings must not claim what is not on disk.
                result.notices.append(Notice("error", report.path,
                                             f"not fixed: cannot write: {exc.strerror or exc}"))
                report.text = before
                report.original_text = None
                report.fixes = 0
                undone.append(report)
        for rename in list(result.renames):
            try:
                _rename(rename.old_abs, rename.new_abs)
            except OSError as exc:
                result.notices.append(Notice(
                    "error", rename.old, f"cannot rename to {rename.new}: {exc.strerror or exc}"))
                result.renames.remove(rename)
                report = next(r for r in reports if r.abs_path == rename.new_abs)
                report.path, report.abs_path = rename.old, rename.old_abs
                report.renamed_from = None
                undone.append(report)
        return undone

    # -- names -----------------------------------------------------------------

    def check_names(self, names: Sequence[str]) -> List[FileReport]:
        out = []
        if not self.settings.enable:
            return out
        # A name on its own has no file to place it: the profile set (the
        # default one when `auto`).
        chosen = self.settings.profile
        decoder = settings_decoder(self.settings, profile=None if chosen == AUTO else chosen)
        for name in names:
            decoded = decoder.decode(name)
            occ = Occurrence(NAME_SOURCE, 0, len(name), decoded)
            shown = name if len(name) <= 80 else name[:77] + "..."
            shown = _printable(shown)
            findings = []
            for p in decoded.problems:
                sev = self.settings.severity_of(p.code, p.severity)
                if sev is None or (chosen == SHARED and p.code not in SHARED_CODES):
                    continue
                rule = RULES.get(p.code)
                category = rule.category if rule else "name"
                findings.append(Finding(p.code, sev, f"Name `{shown}`: {p.message}", p.start,
                                        p.end, p.replacement, occ, category))
            found = self.reported(findings)
            report = FileReport(NAME_PATH, None, name, _sorted(found, name))
            out.append(report)
        return out


def run_check(options: CheckOptions) -> CheckResult:
    return Checker(options).run()


def merge_results(results: Sequence[CheckResult], order: Dict[str, int]) -> CheckResult:
    """One result from the runs of several configuration groups; file reports
    in ``order`` (by the key of their path before any rename), then stdin and
    names, so that the output does not depend on how files were grouped."""
    merged = CheckResult()
    folders: List[str] = []
    files: List[Tuple[int, FileReport]] = []
    others: List[FileReport] = []
    for result in results:
        merged.notices.extend(result.notices)
        merged.fixed += result.fixed
        merged.renames.extend(result.renames)
        merged.references_updated += result.references_updated
        merged.files_checked += result.files_checked
        merged.cached += result.cached
        merged.workers = max(merged.workers, result.workers)
        if result.cache_folder is not None and result.cache_folder not in folders:
            folders.append(result.cache_folder)
        for report in result.reports:
            if report.abs_path is None:
                others.append(report)
                continue
            before = next((r.old_abs for r in result.renames if r.new_abs == report.abs_path),
                          report.abs_path)
            files.append((order.get(_key(before), len(order)), report))
    files.sort(key=lambda pair: pair[0])
    merged.reports = [r for _i, r in files] + others
    merged.cache_folder = ", ".join(folders) if folders else None
    return merged


# ---------------------------------------------------------------------------
# Helpers


def _sorted(findings: List[Finding], text: str) -> List[Finding]:
    # File-name findings stand on the first line, before anything in the text.
    return sorted(findings, key=lambda f: (not f.on_filename, f.start, f.end, f.code))


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def _plain_file_name(name: str) -> bool:
    return (
        bool(name)
        and name not in (".", "..")
        and "/" not in name
        and "\\" not in name
        and "\0" not in name
        and name.endswith(".py")
    )


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _rename(old: str, new: str) -> None:
    """Rename without replacing another file (case-only renames go through a
    temporary name, for case-insensitive file systems)."""
    if os.path.lexists(new):
        if not _same_file(old, new):
            raise FileExistsError(f"{new} exists")
        tmp = new + ".mmname-rename"
        os.rename(old, tmp)
        os.rename(tmp, new)
        return
    os.rename(old, new)


def _key(path: str) -> str:
    return os.path.normcase(os.path.abspath(path))


def _encoded(text: str, bom: bool) -> bytes:
    return ((BOM if bom else "") + text).encode("utf-8")


def _apply_edits(text: str, edits: Iterable[Tuple[int, int, str, str]]) -> str:
    pieces, pos = [], 0
    for start, end, new, _key in sorted(edits):
        pieces.append(text[pos:start])
        pieces.append(new)
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


class _WriteGuard:
    """Where ``--fix`` may write: inside the checked paths once links are
    followed, in files that can be written and still hold what was read."""

    def __init__(self, paths: Sequence[str]) -> None:
        self.folders: List[str] = []
        self.files: Set[str] = set()
        for given in paths:
            abs_path = os.path.abspath(given)
            if os.path.isdir(abs_path):
                self.folders.append(_real(abs_path))
            elif not os.path.islink(abs_path):
                # A file named itself; one named through a link is the
                # link's target, which was not named.
                self.files.add(_real(abs_path))

    def inside(self, real: str) -> bool:
        if real in self.files:
            return True
        return any(real == f or real.startswith(f.rstrip(os.sep) + os.sep)
                   for f in self.folders)

    def refusal(self, abs_path: str, shown: str, text: str, bom: bool,
                rewrite: bool) -> Optional[Notice]:
        """Why no fix of ``abs_path`` is made (None: they may be).
        ``rewrite``: whether it is to be written now (not for --diff, which
        only needs the first rule)."""
        real = os.path.realpath(abs_path)
        if not self.inside(os.path.normcase(real)):
            return Notice("warning", shown, "not fixed: it is a link to "
                          f"{_printable(real)}, outside the checked paths")
        if rewrite:
            # access(), not a trial open for writing: that would look like
            # a write to the editors watching the file.
            if not os.access(real, os.W_OK):
                return Notice("error", shown, "not fixed: cannot write: "
                              + _access_error(real, "the file is read-only"))
            try:
                now = read_regular(real, MAX_FILE_BYTES)
            except OSError as exc:
                return Notice("error", shown, f"not fixed: cannot read it again: "
                              f"{exc.strerror or exc}")
            if now != _encoded(text, bom):
                # Someone (an editor's save) wrote it during the run: the
                # fixed text would drop their edit.
                return Notice("warning", shown,
                              "not fixed: it changed on disk during the run; run again")
        return None

    def rename_refusal(self, abs_path: str, shown: str) -> Optional[Notice]:
        """Why ``abs_path`` cannot be renamed now (None: it can)."""
        folder = os.path.dirname(abs_path) or os.curdir
        if not os.access(folder, os.W_OK | os.X_OK):
            return Notice("error", shown, "not renamed: cannot write in its folder: "
                          + _access_error(folder, "permission denied"))
        return None


def _real(path: str) -> str:
    return os.path.normcase(os.path.realpath(path))


def _access_error(path: str, fallback: str) -> str:
    """Why access() said no: a read-only file system or a permission."""
    try:
        st = os.statvfs(path)
    except (AttributeError, OSError):
        return fallback
    if st.f_flag & getattr(os, "ST_RDONLY", 1):
        return "read-only file system"
    return "permission denied"


def _reference_edit(
    abs_path: str, text: str, occ: Occurrence, planned: Dict[str, Tuple[FileReport, str, int]]
) -> Optional[Tuple[int, int, str, str]]:
    value = text[occ.start : occ.end]
    if "::" in value:
        return None
    target = os.path.normcase(os.path.normpath(os.path.join(os.path.dirname(abs_path), value)))
    hit = planned.get(target)
    if hit is None:
        return None
    new_name = os.path.basename(hit[1])
    cut = max(value.rfind("/"), value.rfind("\\")) + 1
    return occ.start + cut, occ.end, new_name, target


@cache
def rule_name(code: str) -> str:
    rule = RULES.get(code)
    return rule.name if rule else code.lower()


def unified_diff(report: FileReport) -> str:
    """The unified diff of a changed or renamed file (empty when neither)."""
    old_path = report.renamed_from or report.path
    new_path = report.path
    before = report.original_text if report.original_text is not None else report.text
    head = ""
    if report.renamed_from is not None:
        head = (f"diff --git a/{old_path} b/{new_path}\n"
                f"rename from {old_path}\nrename to {new_path}\n")
    if before == report.text:
        return head
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        report.text.splitlines(keepends=True),
        fromfile=f"a/{old_path}",
        tofile=f"b/{new_path}",
    )
    out = []
    for line in lines:
        if not line.endswith(("\n", "\r")):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return head + "".join(out)
