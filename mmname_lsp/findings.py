"""What the rules report: a finding (code, severity, message, span, fix) and
the name occurrence it is about.  Shared by every rule, the analysis pipeline,
the CLI and the server (which turns findings into LSP diagnostics at its edge).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Tuple

from mmname_lsp.codes import RULES
from mmname_lsp.naming.model import Decoded, Problem

FILENAME = "filename"


@dataclass(frozen=True)
class Occurrence:
    """A name standing in a document (its file name or a string)."""

    source: str  # "filename" or a context of mmname_lsp.sources.python
    start: int  # code-point offsets in the document; 0, 0 for the file name
    end: int
    decoded: Decoded
    key: Optional[str] = None

    @property
    def on_filename(self) -> bool:
        return self.source == FILENAME

    def doc_offset(self, input_offset: int) -> int:
        """Document offset of an offset into ``decoded.input``."""
        return self.start + input_offset


# Strings that name files: fixing their text alone would change what is loaded.
_FILE_REFERENCES = ("checkpoint", "base", "base_import")


@dataclass(frozen=True)
class Fix:
    """A replacement of ``[start, end)`` in the document, or of the file name."""

    start: int
    end: int
    text: str
    safe: bool
    new_filename: Optional[str] = None  # set for file-name fixes (a rename)


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    message: str
    start: int  # document code-point offsets (0, 0 for file-name findings)
    end: int
    replacement: Optional[str]
    occurrence: Optional[Occurrence]
    category: str = "name"
    # Where the value that contradicts the name is set (consistency rules):
    # mmname_lsp.rules.consistency.Related objects.
    related: Tuple[Any, ...] = ()

    @property
    def on_filename(self) -> bool:
        return self.occurrence is not None and self.occurrence.on_filename

    @property
    def alternatives(self) -> Tuple[str, ...]:
        """Every replacement worth offering, the finding's own first (a guess
        such as ``8x32`` has two readings: ``8xb32`` and ``32xb8``)."""
        if self.replacement is None:
            return ()
        occ = self.occurrence
        if occ is not None:
            for p in occ.decoded.problems:
                if p.code == self.code and p.replacement == self.replacement and p.alternatives:
                    return tuple(p.alternatives)
        return (self.replacement,)

    def fix_with(self, replacement: str) -> Fix:
        """The fix that writes ``replacement`` (one of :attr:`alternatives`)."""
        fix = self.fix
        assert fix is not None
        occ = self.occurrence
        if fix.new_filename is not None and occ is not None:
            d = occ.decoded
            name = d.input[: self.start] + replacement + d.input[self.end:]
            return Fix(0, 0, replacement, fix.safe, new_filename=name)
        return Fix(fix.start, fix.end, replacement, fix.safe)

    @property
    def fix(self) -> Optional[Fix]:
        if self.replacement is None:
            return None
        rule = RULES.get(self.code)
        safe = bool(rule and rule.safe_fix)
        occ = self.occurrence
        if occ is not None and any(
            p.code == self.code and p.replacement == self.replacement and p.safe is False
            for p in occ.decoded.problems
        ):
            # The decoder marked this one finding a guess (`8x32`: GPUs x batch
            # or batch x GPUs), whatever the rule's other fixes are.
            safe = False
        if occ is not None and (occ.source in _FILE_REFERENCES or "/" in occ.decoded.input):
            # Editing a path or URL does not rename the file it points at.
            safe = False
        occ = self.occurrence
        if occ is not None and occ.on_filename:
            d = occ.decoded
            # Problem offsets of a file-name finding index the file name itself.
            name = d.input[: self.start] + self.replacement + d.input[self.end :]
            return Fix(0, 0, self.replacement, safe, new_filename=name)
        return Fix(self.start, self.end, self.replacement, safe)


def problem(code: str, start: int, end: int, *, capped: bool = False,
            replacement: Optional[str] = None, related: Tuple[Any, ...] = (),
            **fmt: Any) -> Problem:
    """A problem of rule ``code`` at ``[start, end)``, its message filled from
    ``fmt``; ``capped``: nobody can rename the thing (a published zoo name), so
    it is worth a hint at most."""
    rule = RULES[code]
    severity = rule.severity
    if capped and severity in ("error", "warning", "information"):
        severity = "hint"
    return Problem(code, severity, rule.message.format(**fmt), start, end, replacement,
                   tuple(related))


def to_finding(p: Problem, occ: Optional[Occurrence], offset: int = 0,
               prefix: str = "") -> Finding:
    """A document finding of ``p`` (whose offsets are shifted by ``offset``)."""
    rule = RULES.get(p.code)
    return Finding(p.code, p.severity, f"{prefix}{p.message}", offset + p.start,
                   offset + p.end, p.replacement, occ,
                   rule.category if rule else "name", tuple(p.related))
