"""Showing the results of `mmname check`: text, JSON, SARIF 2.1.0, GitHub annotations.

Positions
    Internally every finding has code-point offsets into its document.  JSON
    gives 0-based lines and code-point characters (like LSP positions, but in
    code points); text and GitHub annotations give 1-based lines and columns
    for people; SARIF gives 1-based lines and columns and says
    ``columnKind: unicodeCodePoints``.  A file-name finding stands on the first
    line: in JSON from 0:0 to the end of that line.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple
from urllib.parse import quote

from mmname_lsp import __version__
from mmname_lsp.analysis import Finding
from mmname_lsp.cli.check import NAME_PATH, CheckResult, rule_name
from mmname_lsp.cli.terminal import SEVERITY_COLOURS, paint, printable
from mmname_lsp.codes import DOCS_URL, RULES
from mmname_lsp.files import Notice
from mmname_lsp.text import Positions as TextPositions

FORMATS = ("text", "json", "json-envelope", "sarif", "github")
# The version of the JSON of a finding.  `--format json` stays a bare array
# of findings (tools parse it as one); `--format json-envelope` wraps it in an
# object that carries this number, the notices and the counts.  Adding a key
# keeps the version; removing or changing one raises it.
JSON_VERSION = 1
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "information": "note", "hint": "note"}
_GITHUB_LEVEL = {"error": "error", "warning": "warning", "information": "notice",
                 "hint": "notice"}
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

Position = Tuple[int, int]  # 0-based line, code-point character


# ---------------------------------------------------------------------------
# Positions


class Positions(TextPositions):
    """Offsets of one document to (line, character), both 0-based, in code points."""

    def __init__(self, text: str):
        super().__init__(text, "utf-32")

    def first_line_length(self) -> int:
        m = re.search(r"[\r\n]", self.text)
        return m.start() if m else len(self.text)

    def range_of(self, f: Finding) -> Tuple[Position, Position]:
        if f.on_filename:
            return (0, 0), (0, self.first_line_length())
        return self.position(f.start), self.position(f.end)


def _lsp_range(r: Tuple[Position, Position]) -> Dict[str, Any]:
    (l0, c0), (l1, c1) = r
    return {"start": {"line": l0, "character": c0}, "end": {"line": l1, "character": c1}}


def shown_path(path: str, cwd: Optional[str] = None) -> str:
    """``path`` relative to the current folder when it is under it."""
    cwd = cwd or os.getcwd()
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:  # another drive
        return path
    return path if rel.startswith(os.pardir) else rel


def related(f: Finding) -> List[Tuple[str, Tuple[Position, Position], str]]:
    """Where a consistency finding's contradicting value is set: (path, range, text)."""
    out = []
    for r in getattr(f, "related", ()) or ():
        try:
            rng = ((int(r.line), int(r.col)), (int(r.end_line), int(r.end_col)))
            out.append((shown_path(str(r.file)), rng, str(r.message)))
        except (AttributeError, TypeError, ValueError):
            continue
    return out


def message_with_related(f: Finding) -> str:
    """The message, plus where the contradicting values are set (one line)."""
    rel = related(f)
    if not rel:
        return f.message
    where = "; ".join(f"{path}:{l0 + 1}:{c0 + 1}" for path, ((l0, c0), _), _ in rel)
    return f"{f.message} (set at {where})"


def _iter(result: CheckResult):
    """(report, finding, range) in output order."""
    for report in result.reports:
        pos = Positions(report.text)
        for f in report.findings:
            yield report, f, pos.range_of(f)


# ---------------------------------------------------------------------------
# Text


def render_text(result: CheckResult, colour: bool = False) -> str:
    lines = []
    for report, f, ((l0, c0), _) in _iter(result):
        where = paint(f"{printable(report.path)}:{l0 + 1}:{c0 + 1}:", "1", colour)
        code = paint(f.code, SEVERITY_COLOURS.get(f.severity), colour)
        # The word too, not only its colour: logs, NO_COLOR and pipes lose colours.
        sev = paint(f"[{f.severity}]", SEVERITY_COLOURS.get(f.severity), colour)
        lines.append(f"{where} {code} {sev} {printable(message_with_related(f))}")
    return "".join(line + "\n" for line in lines)


def _plural(n: int, word: str) -> str:
    if word == "information":
        return f"{n} information"
    return f"{n} {word}" + ("" if n == 1 else "s")


def _skipped_where(what: str, abs_path: Optional[str]) -> str:
    """``what`` as the reader of ``abs_path`` knows it: ``line 18`` of the file
    itself, a base relative to it (as its `_base_` entry writes it)."""
    if abs_path is None:
        return what
    if what.startswith(abs_path + ":"):
        return "line " + what[len(abs_path) + 1 :]
    if os.path.isabs(what):
        return os.path.relpath(what, os.path.dirname(abs_path))
    return what


def render_verbose(result: CheckResult) -> str:
    """--verbose: the profile that judged each file, what the config reader
    left out, and the cache's share."""
    lines = []
    for r in result.reports:
        if r.profile is not None:
            name = r.profile.profile.title if r.profile.profile else "the shared rules"
            lines.append(f"mmname check: info: {printable(r.path)}: judged by "
                         f"{printable(name)} [{r.profile.name}] ({printable(r.profile.reason)})")
        for what, why in r.skipped:
            lines.append(f"mmname check: info: {printable(r.path)}: not read statically: "
                         f"{printable(_skipped_where(what, r.abs_path))}: {printable(why)}")
    files = result.files_checked
    if result.cache_folder is None:
        cache = "the cache was not used"
    else:
        cache = (f"{result.cached} from the cache in {printable(result.cache_folder)}, "
                 f"{files - result.cached} analysed")
    lines.append(f"mmname check: info: {_plural(files, 'file')} checked; {cache}"
                 + (f" (in {result.workers} processes)" if result.workers > 1 else ""))
    return "\n".join(lines) + "\n"


def summary(result: CheckResult, fix: bool = False, rename_files: bool = False,
            unsafe_fixes: bool = False) -> str:
    """The closing lines: problem counts, what --fix did or could do.

    ``fix``/``rename_files``/``unsafe_fixes``: the options of the run, so that
    after ``--fix`` the last line says what is still pending instead of
    advertising the options that were just used.
    """
    lines = []
    if result.fixed or result.renames or result.references_updated:
        done = [f"Fixed {_plural(result.fixed, 'problem')}"]
        if result.renames:
            done.append(f"renamed {_plural(len(result.renames), 'file')}")
        if result.references_updated:
            done.append(f"updated {_plural(result.references_updated, '`_base_` reference')}")
        lines.append(", ".join(done) + ".")
    found = result.findings
    if not found and result.errors and not result.files_checked and not any(
            r.path == NAME_PATH for r in result.reports):
        # Nothing at all was checked (`mmname check nosuchdir`): no verdict.
        lines.append("Nothing was checked; see the errors above.")
    elif not found and result.errors:
        # Not "passed": a folder or file that could not be read was not checked.
        lines.append("No problems found in what could be checked; see the errors above.")
    elif not found:
        lines.append("All checks passed.")
    else:
        counts = {}
        for _, f in found:
            counts[f.severity] = counts.get(f.severity, 0) + 1
        parts = [_plural(counts[s], s) for s in ("error", "warning", "information", "hint")
                 if counts.get(s)]
        files = {r.path for r, _ in found if r.path != NAME_PATH}
        names = sum(1 for r in result.reports if r.path == NAME_PATH and r.findings)
        where = []
        if files:
            where.append(_plural(len(files), "file"))
        if names:
            where.append(_plural(names, "name"))
        lines.append(f"Found {_plural(len(found), 'problem')} ({', '.join(parts)}) in "
                     f"{' and '.join(where)}.")
        fixable = sum(r.fixable for r in result.reports)
        unsafe = sum(r.unsafe_fixable for r in result.reports)
        renamable = sum(1 for r in result.reports if r.abs_path is not None
                        for f in r.findings if f.on_filename and f.fix is not None and f.fix.safe)
        if fix:
            lines.extend(_pending(result, found, unsafe, renamable, rename_files,
                                  unsafe_fixes))
        else:
            hints = []
            if fixable:
                hints.append(f"{fixable} fixable with `--fix`")
            if unsafe:
                hints.append(f"{unsafe} {'more ' if fixable else ''}with "
                             "`--fix --unsafe-fixes`")
            if renamable:
                hints.append(f"{renamable} in file names with `--fix --rename-files`")
            if hints:
                lines.append("[*] " + "; ".join(hints) + ".")
    return "".join(line + "\n" for line in lines)


def _pending(result: CheckResult, found: Sequence[Tuple[Any, Finding]], unsafe: int,
             renamable: int, rename_files: bool, unsafe_fixes: bool) -> List[str]:
    """After ``--fix``: what the findings left need, by what would fix them."""
    parts = []
    if unsafe:
        if unsafe_fixes:  # guesses that were not applied (a file that changed...)
            parts.append(f"{unsafe} guessed fixes not applied (see the warnings above)")
        else:
            parts.append(f"{unsafe} with `--unsafe-fixes` (guesses: review them)")
    if renamable:
        names = sum(1 for r in result.reports
                    if any(f.on_filename and f.fix is not None and f.fix.safe
                           for f in r.findings))
        if rename_files:
            parts.append(f"{_plural(names, 'file')} not renamed (see the warnings above)")
        else:
            parts.append(f"{_plural(names, 'file')} to rename with `--rename-files`")
    manual = len(found) - sum(r.fixable for r in result.reports) - unsafe - renamable
    if manual > 0:
        parts.append(f"{manual} without an automatic fix, by hand")
    if not parts:
        return []
    return ["Still pending: " + "; ".join(parts) + "."]


def statistics(result: CheckResult) -> List[Dict[str, Any]]:
    """Findings per code, most frequent first (like ``ruff --statistics``)."""
    per: Dict[str, Dict[str, Any]] = {}
    for report, f in result.findings:
        row = per.setdefault(f.code, {"code": f.code, "name": rule_name(f.code), "count": 0,
                                      "fixable": 0})
        row["count"] += 1
        if report.is_fixable(f):
            row["fixable"] += 1
    return sorted(per.values(), key=lambda r: (-r["count"], r["code"]))


def render_statistics_text(rows: Sequence[Dict[str, Any]]) -> str:
    if not rows:
        return ""
    width = max(len(str(r["count"])) for r in rows)
    name_w = max(len(r["name"]) for r in rows)
    out = []
    for r in rows:
        mark = "[*]" if r["fixable"] else "   "
        out.append(f"{r['count']:>{width}}  {r['code']}  {mark} {r['name']:<{name_w}}".rstrip())
    return "".join(line + "\n" for line in out)


def render_diff(result: CheckResult) -> str:
    from mmname_lsp.cli.check import unified_diff

    return "".join(unified_diff(r) for r in result.reports if r.abs_path is not None)


# ---------------------------------------------------------------------------
# JSON


def _fix_json(f: Finding, pos: Positions) -> Optional[Dict[str, Any]]:
    fx = f.fix
    if fx is None:
        return None
    if fx.new_filename is not None:
        return {"text": fx.text, "safe": fx.safe, "range": None,
                "new_filename": fx.new_filename}
    r = (pos.position(fx.start), pos.position(fx.end))
    return {"text": fx.text, "safe": fx.safe, "range": _lsp_range(r), "new_filename": None}


def to_json(result: CheckResult) -> List[Dict[str, Any]]:
    out = []
    for report in result.reports:
        pos = Positions(report.text)
        for f in report.findings:
            rule = RULES.get(f.code)
            out.append({
                "path": report.path,
                "code": f.code,
                "name": rule_name(f.code),
                "category": f.category or (rule.category if rule else "name"),
                "severity": f.severity,
                "message": f.message,
                "range": _lsp_range(pos.range_of(f)),
                "fix": _fix_json(f, pos),
                "related": [{"path": path, "range": _lsp_range(rng), "message": text}
                            for path, rng, text in related(f)],
            })
    return out


def dumps(data: Any) -> str:
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if _LONE_SURROGATE.search(text):
        # Undecodable file names: escape everything rather than emit bad bytes.
        text = json.dumps(data, indent=2)
    return text + "\n"


def render_json(result: CheckResult) -> str:
    return dumps(to_json(result))


def to_envelope(result: CheckResult, statistics_rows: Optional[List[Dict[str, Any]]] = None,
                ) -> Dict[str, Any]:
    """``--format json-envelope``: the findings (or the statistics) with the
    schema version, mmname's version, the notices and the counts."""
    body: Dict[str, Any] = {"version": JSON_VERSION, "mmname": __version__}
    if statistics_rows is not None:
        body["statistics"] = statistics_rows
    else:
        body["findings"] = to_json(result)
    body["notices"] = [{"level": n.level, "path": n.path, "message": n.message}
                       for n in result.notices]
    body["summary"] = {"files": result.files_checked, "problems": len(result.findings),
                       "fixed": result.fixed, "renamed": len(result.renames),
                       "errors": len(result.errors)}
    return body


# ---------------------------------------------------------------------------
# SARIF 2.1.0


def _uri(path: str, cwd: str) -> Tuple[str, Optional[str]]:
    """A relative URI with the %SRCROOT% base when under ``cwd``, else a file URI."""
    abs_path = os.path.abspath(path)
    rel = os.path.relpath(abs_path, cwd) if os.path.splitdrive(abs_path)[0] == \
        os.path.splitdrive(cwd)[0] else None
    if rel is not None and not rel.startswith(os.pardir):
        # The bytes of the name, percent-encoded: a name that is not UTF-8
        # (surrogate escapes here) has no other spelling in a URI.
        return quote(os.fsencode(rel.replace(os.sep, "/")), safe="/"), SRCROOT
    return Path(abs_path).as_uri(), None


def _first_sentence(text: str) -> str:
    m = re.match(r"(.+?[.!?])(\s|$)", text, re.DOTALL)
    return (m.group(1) if m else text).strip()


def _sarif_rules() -> Tuple[List[Dict[str, Any]], Dict[str, int]]:
    rules = []
    index = {}
    for i, (code, rule) in enumerate(sorted(RULES.items())):
        index[code] = i
        help_text = f"{rule.explanation}\n\nBad: {rule.bad}\nGood: {rule.good}"
        rules.append({
            "id": code,
            "name": rule.name,
            "shortDescription": {"text": _first_sentence(rule.explanation)},
            "fullDescription": {"text": rule.explanation},
            "help": {"text": help_text},
            "helpUri": rule.url,
            "defaultConfiguration": {"level": _SARIF_LEVEL.get(rule.severity, "note")},
            "properties": {"category": rule.category, "fixable": rule.fixable,
                           "severity": rule.severity},
        })
    return rules, index


def _region(r: Tuple[Position, Position]) -> Dict[str, int]:
    (l0, c0), (l1, c1) = r
    return {"startLine": l0 + 1, "startColumn": c0 + 1, "endLine": l1 + 1,
            "endColumn": c1 + 1}


def _notification(n: Notice, cwd: str) -> Dict[str, Any]:
    out: Dict[str, Any] = {
        "level": "error" if n.level == "error" else "warning",
        "message": {"text": f"{n.path}: {n.message}"},
    }
    if n.path and n.path != NAME_PATH:
        uri, base = _uri(n.path, cwd)
        loc: Dict[str, Any] = {"uri": uri}
        if base:
            loc["uriBaseId"] = base
        out["locations"] = [{"physicalLocation": {"artifactLocation": loc}}]
    return out


def to_sarif(result: CheckResult, cwd: Optional[str] = None) -> Dict[str, Any]:
    cwd = os.path.abspath(cwd or os.getcwd())
    rules, index = _sarif_rules()
    results = []
    for report in result.reports:
        pos = Positions(report.text)
        artifact: Optional[Dict[str, Any]] = None
        if report.path != NAME_PATH:
            uri, base = _uri(report.path, cwd)
            artifact = {"uri": uri}
            if base:
                artifact["uriBaseId"] = base
        for f in report.findings:
            res: Dict[str, Any] = {
                "ruleId": f.code,
                "level": _SARIF_LEVEL.get(f.severity, "note"),
                "message": {"text": f.message},
                "properties": {"severity": f.severity, "category": f.category},
            }
            if f.code in index:
                res["ruleIndex"] = index[f.code]
            links = []
            for i, (path, rng, text) in enumerate(related(f)):
                uri, base = _uri(path, cwd)
                loc = {"uri": uri, **({"uriBaseId": base} if base else {})}
                links.append({"id": i, "message": {"text": text},
                              "physicalLocation": {"artifactLocation": loc,
                                                   "region": _region(rng)}})
            if links:
                res["relatedLocations"] = links
            if artifact is not None:
                res["locations"] = [{"physicalLocation": {
                    "artifactLocation": dict(artifact),
                    "region": _region(pos.range_of(f)),
                }}]
                fx = f.fix
                if fx is not None and fx.new_filename is None:
                    deleted = _region((pos.position(fx.start), pos.position(fx.end)))
                    res["fixes"] = [{
                        "description": {"text": f"Replace with `{fx.text}`"
                                        + ("" if fx.safe else " (unsafe fix)")},
                        "artifactChanges": [{
                            "artifactLocation": dict(artifact),
                            "replacements": [{"deletedRegion": deleted,
                                              "insertedContent": {"text": fx.text}}],
                        }],
                    }]
                elif fx is not None:
                    res["properties"]["newFilename"] = fx.new_filename
            else:
                res["locations"] = [{"logicalLocations": [{"name": report.text,
                                                           "kind": "name"}]}]
            results.append(res)
    run: Dict[str, Any] = {
        "tool": {"driver": {
            "name": "mmname",
            "version": __version__,
            "informationUri": DOCS_URL,
            "rules": rules,
        }},
        "originalUriBaseIds": {SRCROOT: {"uri": Path(cwd).as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "invocations": [{
            "executionSuccessful": not result.errors,
            "toolExecutionNotifications": [_notification(n, cwd) for n in result.notices],
        }],
        "results": results,
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(result: CheckResult, cwd: Optional[str] = None) -> str:
    return dumps(to_sarif(result, cwd))


# ---------------------------------------------------------------------------
# GitHub workflow commands


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(result: CheckResult) -> str:
    out = []
    for report, f, ((l0, c0), (l1, c1)) in _iter(result):
        props = []
        if report.path != NAME_PATH:
            props.append(f"file={escape_property(report.path)}")
            props.append(f"line={l0 + 1}")
            props.append(f"col={c0 + 1}")
            props.append(f"endLine={l1 + 1}")
            props.append(f"endColumn={c1 + 1}")
        props.append(f"title={escape_property(f.code)}")
        level = _GITHUB_LEVEL.get(f.severity, "notice")
        out.append(f"::{level} {','.join(props)}::{escape_data(message_with_related(f))}")
    return "".join(line + "\n" for line in out)


def render(result: CheckResult, fmt: str, colour: bool = False) -> str:
    if fmt == "json":
        return render_json(result)
    if fmt == "json-envelope":
        return dumps(to_envelope(result))
    if fmt == "sarif":
        return render_sarif(result)
    if fmt == "github":
        return render_github(result)
    return render_text(result, colour)
