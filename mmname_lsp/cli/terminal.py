"""What the terminal sees: colours (ANSI, when wanted) and text that cannot
drive it (control characters escaped).  Shared by ``decode`` and ``check``."""

from __future__ import annotations

import os
from typing import Optional, TextIO

SEVERITY_COLOURS = {"error": "31;1", "warning": "33;1", "information": "36", "hint": "90"}


def use_colour(choice: str, stream: TextIO) -> bool:
    """``--color always|never|auto``: auto is a terminal without ``NO_COLOR``."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def paint(text: str, code: Optional[str], colour: bool) -> str:
    if not colour or not code:
        return text
    return f"\x1b[{code}m{text}\x1b[0m"


def printable(text: str) -> str:
    """Control characters escaped, so that no input can drive the terminal."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
