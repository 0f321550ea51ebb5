"""Applying fixes to text: shared by `mmname check --fix` and `source.fixAll`."""

from __future__ import annotations

from typing import Iterable, List, Tuple

from mmname_lsp.findings import Finding, Fix


def text_fixes(findings: Iterable[Finding], *, unsafe: bool = False) -> List[Fix]:
    """The in-text fixes to apply, in document order, without overlaps."""
    fixes = []
    for f in findings:
        fx = f.fix
        if fx is None or fx.new_filename is not None or (not fx.safe and not unsafe):
            continue
        fixes.append(fx)
    fixes.sort(key=lambda x: (x.start, x.end))
    out: List[Fix] = []
    last_end = -1
    for fx in fixes:
        if fx.start < last_end or (out and fx.start == out[-1].start == fx.end == out[-1].end):
            continue  # overlapping fixes: the first wins; the next run applies the rest
        out.append(fx)
        last_end = fx.end
    return out


def apply_text_fixes(text: str, fixes: Iterable[Fix]) -> Tuple[str, int]:
    """Apply non-overlapping fixes (document offsets); returns the text and how many."""
    pieces = []
    pos = 0
    count = 0
    for fx in sorted(fixes, key=lambda x: x.start):
        if fx.start < pos:
            continue
        pieces.append(text[pos : fx.start])
        pieces.append(fx.text)
        pos = fx.end
        count += 1
    pieces.append(text[pos:])
    return "".join(pieces), count
