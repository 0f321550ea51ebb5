"""Text positions: code-point offsets <-> lines and the client's code units.

The core works on code-point offsets; only the edges (the language server,
the CLI's output) turn them into (line, character) pairs, counted in UTF-16,
UTF-8 or UTF-32 code units as the client asked.  Imports only the standard
library.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import List, Optional, Tuple

# (start line, start character, end line, end character) in the client's units.
Range = Tuple[int, int, int, int]
_NEWLINE = re.compile(r"\r\n|\r|\n")


def line_starts(text: str) -> List[int]:
    """Offsets where each line of ``text`` starts (``\r\n``, ``\r`` and ``\n`` end lines)."""
    starts = [0]
    for mt in _NEWLINE.finditer(text):
        starts.append(mt.end())
    return starts


class Positions:
    """Code-point offsets of one text -> ranges in a client's position encoding.

    The line table is built only when many positions are asked for: most files
    need two or three (a file name, a `_base_` entry)."""

    _TABLE_AFTER = 8

    def __init__(self, text: str, encoding: str = "utf-16") -> None:
        self.text = text
        self.encoding = encoding
        self._starts: Optional[List[int]] = None
        self._calls = 0
        self._plain = "\r" not in text

    @property
    def starts(self) -> List[int]:
        if self._starts is None:
            self._starts = line_starts(self.text)
        return self._starts

    def position(self, offset: int) -> Tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        self._calls += 1
        if self._starts is None and self._plain and self._calls < self._TABLE_AFTER:
            line = self.text.count("\n", 0, offset)
            start = self.text.rfind("\n", 0, offset) + 1
        else:
            starts = self.starts
            line = bisect_right(starts, offset) - 1
            start = starts[line]
        return line, units(self.text[start:offset], self.encoding)

    def range(self, start: int, end: int) -> Range:
        a = self.position(start)
        b = self.position(end)
        return (a[0], a[1], b[0], b[1])

    def first_line(self) -> Range:
        m = re.search(r"\r\n|\r|\n", self.text)
        line = self.text[: m.start()] if m else self.text
        return (0, 0, 0, units(line, self.encoding))


def units(text: str, encoding: str) -> int:
    """Length of ``text`` in the code units of ``encoding``."""
    if text.isascii():
        return len(text)
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == "utf-32":
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2
