"""Severities from the settings and suppression comments ("mmname: disable=CODES"
on a line, "mmname: disable-file=CODES" for the file), and the rule that reports
suppressions hiding nothing (MMN290)."""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Iterable, List, Optional, Tuple, TypeVar

from mmname_lsp.codes import RULES
from mmname_lsp.findings import Finding
from mmname_lsp.settings import Settings
from mmname_lsp.text import line_starts

_F = TypeVar("_F")


def regrade(items: Iterable[_F], settings: Settings) -> List[_F]:
    """Apply the settings' per-rule severities to findings of any dataclass with
    ``code`` and ``severity`` (documents' findings, the workspace index's hits);
    rules set to ``off`` are dropped."""
    kept = []
    for f in items:
        sev = settings.severity_of(f.code, f.severity)
        if sev is None:
            continue
        if sev != f.severity:
            f = dataclasses.replace(f, severity=sev)
        kept.append(f)
    return kept


def finalize_findings(text: str, findings: List[Finding], settings: Settings) -> List[Finding]:
    """Apply the settings' severities (or drop rules that are off), then the
    suppression comments of ``text``."""
    return apply_suppressions(text, regrade(findings, settings), settings)


# Suppression comments: "mmname: disable=CODES" on a line, "mmname: disable-file=CODES".
SUPPRESSION = re.compile(r"#\s*mmname:\s*(disable|disable-file)\s*=\s*([A-Za-z0-9_, ]+)")


@dataclass(frozen=True)
class Suppression:
    scope: str  # "line" or "file"
    codes: Tuple[str, ...]
    line: int
    start: int  # document offsets of the comment
    end: int


def find_suppressions(text: str) -> List[Suppression]:
    if "mmname:" not in text:
        return []
    starts = line_starts(text)
    out = []
    for mt in SUPPRESSION.finditer(text):
        line = bisect_right(starts, mt.start()) - 1
        if _in_string(text[starts[line] : mt.start()]):
            continue  # text that only mentions the syntax, e.g. in a string
        codes = tuple(code for code, _, _ in _code_spans(mt))
        scope = "file" if mt.group(1) == "disable-file" else "line"
        out.append(Suppression(scope, codes, line, mt.start(), mt.end()))
    return out


_PIECE = re.compile(r"[^,]+")


def _code_spans(mt: re.Match) -> List[Tuple[str, int, int]]:
    """The codes of a suppression comment, upper case, with their offsets in
    the text ``mt`` matched."""
    out = []
    for piece in _PIECE.finditer(mt.group(2)):
        raw = piece.group()
        code = raw.strip()
        if code:
            start = mt.start(2) + piece.start() + (len(raw) - len(raw.lstrip()))
            out.append((code.upper(), start, start + len(code)))
    return out


def suppression_code_at(text: str, offset: int) -> Optional[Tuple[str, int, int]]:
    """The rule code under ``offset`` in a suppression comment of ``text``, as
    (code in upper case, start, end); None elsewhere.  The comment is read as
    :func:`find_suppressions` reads it (every form, any spacing, several
    codes), on the line of ``offset`` only."""
    if not 0 <= offset <= len(text):
        return None
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    line = text[line_start:line_end if line_end >= 0 else len(text)]
    if "mmname:" not in line:
        return None
    for mt in SUPPRESSION.finditer(line):
        if _in_string(line[:mt.start()]):
            continue
        for code, start, end in _code_spans(mt):
            if start <= offset - line_start <= end:
                return code, line_start + start, line_start + end
    return None


def _in_string(line_prefix: str) -> bool:
    """Whether the end of ``line_prefix`` is inside a string (one-line strings)."""
    quote = None
    i = 0
    while i < len(line_prefix):
        ch = line_prefix[i]
        if quote is None:
            if ch == "#":
                return False  # a comment before ours: `# type: ignore  # mmname: ...`
            if line_prefix.startswith(('"""', "'''"), i):
                quote = line_prefix[i : i + 3]
                i += 3
                continue
            if ch in "'\"":
                quote = ch
        elif ch == "\\":
            i += 1
        elif line_prefix.startswith(quote, i):
            i += len(quote)
            quote = None
            continue
        i += 1
    return quote is not None


def apply_suppressions(
    text: str, findings: List[Finding], settings: Settings
) -> List[Finding]:
    """Drop suppressed findings; report suppressions that hide nothing (MMN290)."""
    sups = find_suppressions(text)
    if not sups:
        return findings
    starts = line_starts(text)
    used = set()
    kept = []
    for f in findings:
        line = None if f.on_filename else bisect_right(starts, f.start) - 1
        hidden = False
        for i, s in enumerate(sups):
            if f.code in s.codes and (s.scope == "file" or s.line == line):
                used.add((i, f.code))
                hidden = True
        if not hidden:
            kept.append(f)
    rule = RULES["MMN290"]
    sev = settings.severity_of("MMN290", rule.severity)
    if sev is not None:
        for i, s in enumerate(sups):
            stale = [c for c in s.codes if (i, c) not in used]
            if not stale:
                continue
            if len(stale) == len(s.codes):
                replacement = ""
                start = s.start
                # Also drop the white space before the comment on its line.
                while start > starts[s.line] and text[start - 1] in " \t":
                    start -= 1
            else:
                keep = [c for c in s.codes if c not in stale]
                verb = "disable-file" if s.scope == "file" else "disable"
                replacement = f"# mmname: {verb}={','.join(keep)}"
                start = s.start
            kept.append(
                Finding("MMN290", sev, rule.message.format(found=", ".join(stale)),
                        start, s.end, replacement, None, rule.category)
            )
    kept.sort(key=lambda f: (f.start, f.end, f.code))
    return kept
