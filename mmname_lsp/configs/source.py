"""Reading and parsing one config file, never raising.

Broken files
------------
``ast.parse`` is tried on the whole text first.  When it fails, the text is
cut into *chunks* at every line that can start a top-level statement (first
character at column 0 and not whitespace, ``#``, a closing bracket, or an
``else``/``elif``/``except``/``finally`` continuation).  Chunks are parsed
one at a time; a chunk that fails because it is incomplete (an open
bracket, an unterminated triple-quoted string, a missing block, an error on
its last line) is retried joined with the following chunks, so a docstring
or a call whose lines start at column 0 is still read.  A chunk that cannot
be parsed even so is reported as a ``syntax`` issue and skipped; parsing
resumes at the next chunk.  Joining is capped (chunk count and a budget of
characters re-parsed) so a pathological file stays linear-ish.  Node
positions of a chunk are shifted back to file lines with
``ast.increment_lineno`` (chunks start at column 0, so columns hold).
"""

from __future__ import annotations

import ast
import re
import warnings
from typing import Dict, List, Optional, Tuple

from ..files import FileTooLarge, NotRegularFile, read_regular
from ..filestate import Stamp
from .model import MISSING, NOT_A_FILE, SYNTAX, UNREADABLE, ConfigIssue

MAX_FILE_BYTES = 4 * 1024 * 1024  # configs are small; refuse to slurp huge files
_MAX_JOIN = 64
_LINE_SPLIT = re.compile(r"\r\n|\r|\n")
_CONTINUATION = re.compile(r"(else|elif|except|finally)\b")
_NEEDS_MORE = (
    "EOF",
    "never closed",
    "unterminated triple",
    "expected an indented block",
    "unexpected indent",
)

class SourceFile:
    """One read and parsed file.

    ``error`` is ``(kind, message)`` when nothing could be read at all
    (missing, unreadable, a directory); ``problems`` are issues inside a file
    that was read (invalid UTF-8, syntax errors).
    """

    __slots__ = ("path", "stamp", "text", "body", "error", "problems", "_wide")

    def __init__(self, path: str, stamp: Stamp) -> None:
        self.path = path
        self.stamp = stamp
        self.text = ""
        self.body: List[ast.stmt] = []
        self.error: Optional[Tuple[str, str]] = None
        self.problems: List[ConfigIssue] = []
        # Lines holding non-ASCII text, as UTF-8 bytes: ``ast`` columns are
        # byte offsets and we report code points.
        self._wide: Dict[int, bytes] = {}

    def set_text(self, text: str) -> None:
        if text.startswith("\ufeff"):
            text = text[1:]
        self.text = text
        if not text.isascii():
            for i, line in enumerate(_LINE_SPLIT.split(text)):
                if not line.isascii():
                    self._wide[i] = line.encode("utf-8", "surrogatepass")
        self.body, syntax = parse_recovering(text, self.path)
        self.problems.extend(syntax)

    def col(self, line: int, byte_col: int) -> int:
        raw = self._wide.get(line)
        if raw is None:
            return byte_col
        return len(raw[:byte_col].decode("utf-8", "replace"))

    def loc(self, node: ast.AST) -> Tuple[str, int, int, int, int]:
        # Hot path (every expression): plain attribute reads, no getattr.
        line = node.lineno - 1  # type: ignore[attr-defined]
        col = node.col_offset  # type: ignore[attr-defined]
        try:
            end_line = node.end_lineno - 1  # type: ignore[attr-defined]
            end_col = node.end_col_offset  # type: ignore[attr-defined]
        except (AttributeError, TypeError):  # nodes built by hand lack end positions
            end_line, end_col = line, col
        if self._wide:
            col = self.col(line, col)
            end_col = self.col(end_line, end_col)
        return (self.path, line, col, end_line, end_col)


def read_source(path: str, stamp: Stamp, overlay_text: Optional[str]) -> SourceFile:
    """Build a :class:`SourceFile` for ``path`` in the state ``stamp`` names."""
    src = SourceFile(path, stamp)
    if overlay_text is not None:
        src.set_text(overlay_text)
        return src
    kind = stamp[0]
    if kind == "missing":
        src.error = (MISSING, f"file not found: {path}")
        return src
    if kind == "dir":
        src.error = (NOT_A_FILE, f"a directory, not a file: {path}")
        return src
    if kind == "special":
        src.error = (NOT_A_FILE, f"not a regular file: {path}")
        return src
    if kind == "error":
        src.error = (UNREADABLE, f"cannot read {path}: {stamp[2]}")
        return src
    size = stamp[3]
    if size > MAX_FILE_BYTES:
        src.error = (UNREADABLE, f"file too large to be a config ({size} bytes): {path}")
        return src
    try:
        # Regular files only, never blocking, never more than the cap: a base
        # swapped for a FIFO or a link to /dev/zero after the stamp is refused.
        data = read_regular(path, MAX_FILE_BYTES)
    except NotRegularFile as exc:
        src.error = (NOT_A_FILE, f"not a regular file ({exc.kind}): {path}")
        return src
    except FileTooLarge:
        src.error = (UNREADABLE, f"file too large to be a config: {path}")
        return src
    except (FileNotFoundError, NotADirectoryError):
        src.error = (MISSING, f"file not found: {path}")
        return src
    except IsADirectoryError:
        src.error = (NOT_A_FILE, f"a directory, not a file: {path}")
        return src
    except OSError as exc:
        src.error = (UNREADABLE, f"cannot read {path}: {exc.strerror or exc}")
        return src
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Keep going with replacement characters: most of the file is usable.
        text = data.decode("utf-8", "replace")
        before = data[: exc.start]
        line = before.count(b"\n")
        col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace"))
        src.problems.append(
            ConfigIssue(
                UNREADABLE,
                f"invalid UTF-8 at byte {exc.start}; undecodable bytes were replaced",
                path,
                line,
                col,
                line,
                col + 1,
                path,
            )
        )
    src.set_text(text)
    return src


def _parse(text: str, filename: str) -> ast.Module:
    with warnings.catch_warnings():
        # Invalid escape sequences etc. warn on 3.12+; a reader must stay quiet.
        warnings.simplefilter("ignore")
        return ast.parse(text, filename)


_PARSE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError)


def _syntax_issue(
    exc: BaseException, filename: str, line_base: int, lines: List[str]
) -> ConfigIssue:
    if isinstance(exc, SyntaxError):
        msg = exc.msg or "invalid syntax"
        line = max((exc.lineno or 1) - 1, 0) + line_base
        col = max((exc.offset or 1) - 1, 0)
        end_line = getattr(exc, "end_lineno", None)
        end_off = getattr(exc, "end_offset", None)
        if end_line and end_off and end_line >= (exc.lineno or 1):
            end_line = end_line - 1 + line_base
            end_col = max(end_off - 1, col + 1 if end_line == line else 0)
        else:
            end_line, end_col = line, col + 1
    else:
        msg = f"cannot parse: {exc}"
        line, col, end_line, end_col = line_base, 0, line_base, 1
    if 0 <= line < len(lines):
        col = min(col, len(lines[line]))
    return ConfigIssue(SYNTAX, msg, filename, line, col, end_line, end_col, filename)


def _is_statement_start(line: str) -> bool:
    if not line or line[0] in " \t\f#)]}":
        return False
    return not _CONTINUATION.match(line)


def _needs_more(exc: BaseException, chunk_lines: int) -> bool:
    if not isinstance(exc, SyntaxError):
        return False
    msg = exc.msg or ""
    if any(m in msg for m in _NEEDS_MORE):
        return True
    return (exc.lineno or 0) >= chunk_lines


def parse_recovering(text: str, filename: str) -> Tuple[List[ast.stmt], List[ConfigIssue]]:
    """Statements of ``text`` and the syntax issues met (see module doc)."""
    try:
        return _parse(text, filename).body, []
    except _PARSE_ERRORS as exc:
        first = exc
    lines = _LINE_SPLIT.split(text)
    starts = [i for i, ln in enumerate(lines) if _is_statement_start(ln)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    bounds = starts + [len(lines)]
    n = len(starts)
    body: List[ast.stmt] = []
    issues: List[ConfigIssue] = []
    budget = 20 * len(text) + 200_000
    i = 0
    while i < n:
        first_err: Optional[BaseException] = None
        parsed = False
        for j in range(i + 1, min(n, i + _MAX_JOIN) + 1):
            chunk = "\n".join(lines[bounds[i] : bounds[j]])
            budget -= len(chunk)
            try:
                tree = _parse(chunk, filename)
            except _PARSE_ERRORS as exc:
                if first_err is None:
                    first_err = exc
                if budget < 0 or not _needs_more(exc, bounds[j] - bounds[i]):
                    break
                continue
            ast.increment_lineno(tree, bounds[i])
            body.extend(tree.body)
            i = j
            parsed = True
            break
        if not parsed:
            issues.append(_syntax_issue(first_err or first, filename, bounds[i], lines))
            i += 1
    if not issues:  # cannot happen in practice; never hide that the file is broken
        issues.append(_syntax_issue(first, filename, 0, lines))
    return body, issues
