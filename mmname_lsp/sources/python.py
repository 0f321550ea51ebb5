"""Find where MMPretrain names stand in Python source (configs and user scripts).

:func:`extract_python` returns the plain string literals of a Python source text
(adjacent literals joined into one string, as Python reads them),
each tagged with the syntactic context it sits in (``_base_`` list, checkpoint
keyword, ``get_model(...)`` argument, ...), plus the dotted modules imported under
``with read_base():`` in new-style configs.

Design notes
------------
* The code is only *lexed*, never parsed, imported or run, and the lexer cannot
  fail: half-typed code (unclosed brackets, unterminated strings, bad indentation)
  just produces odd tokens locally and scanning carries on with the next line.
* The lexer is one compiled regular expression walked left to right, not the
  stdlib :mod:`tokenize`: on a 10,000-line config (Python 3.11, instructions
  counted with callgrind) ``tokenize`` alone costs about 3.5 times this whole
  extraction, well over the keystroke budget; it also raises at the first syntax
  error (earlier and more often since 3.12) and its f-string tokens differ
  between versions.  The regex lexer follows Python's lexical rules for what
  matters here (string prefixes, triple quotes, escapes, comments, line
  continuations, PEP 701 f-strings) on every supported version, and the unit
  tests cross-check its literals against ``tokenize`` on valid code.
* Offsets are indices into the ``str`` given (code points), so they are right
  whatever characters precede a literal and whatever line endings are used.
* Every step is linear in the input: no prefix is re-scanned, a failed search for
  the end of a triple-quoted string is remembered, and bracket recovery only looks
  at a bounded number of frames.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Collection, List, Optional, Tuple

from mmname_lsp.naming.model import new_frozen
from mmname_lsp.naming.profiles import inferencer_calls

__all__ = [
    "ALL_CONTEXTS",
    "BASE",
    "BASE_IMPORT",
    "CHECKPOINT",
    "CHECKPOINT_KEYS",
    "LITERAL",
    "MODEL_API",
    "MODEL_APIS",
    "PATTERN_APIS",
    "Occurrence",
    "extract_python",
    "looks_like_config",
    "registered_names",
]

# Context kinds: where a literal stands.
BASE = "base"
BASE_IMPORT = "base_import"
CHECKPOINT = "checkpoint"
MODEL_API = "model_api"
LITERAL = "literal"
ALL_CONTEXTS = (BASE, BASE_IMPORT, CHECKPOINT, MODEL_API, LITERAL)

# Expected kinds of name (same words as mmname_lsp.naming.model.KINDS, plus "pattern").
_EXP_MODEL = "model"
_EXP_CONFIG = "config"
_EXP_CHECKPOINT = "checkpoint"
_EXP_PATTERN = "pattern"

# Keyword arguments, dict keys and assignment targets whose value is a checkpoint.
CHECKPOINT_KEYS = frozenset({"checkpoint", "pretrained", "load_from", "resume_from"})

# Callables whose first argument (or ``model=``) is a model name or config.
MODEL_APIS = frozenset(
    {
        "get_model",
        "init_model",
        "inference_model",
        "list_models",
        "ImageClassificationInferencer",
        "ImageRetrievalInferencer",
        "ImageCaptionInferencer",
        "VisualQuestionAnsweringInferencer",
        "VisualGroundingInferencer",
        "TextToImageRetrievalInferencer",
        "ImageToTextRetrievalInferencer",
        "NLVRInferencer",
        "FeatureExtractor",
    }
) | inferencer_calls()
# ... whose first argument (or ``pattern=``) is a wildcard pattern instead.
PATTERN_APIS = frozenset({"list_models"})
# ... whose second positional argument is the weights: get_model(model, pretrained),
# init_model(config, checkpoint), init_detector(config, checkpoint) and every
# inferencer's (model, weights).  The second argument of inference_model (and
# of every `inference_*`) is an input, list_models' is not a checkpoint.
_SECOND_IS_CHECKPOINT = frozenset(
    f for f in MODEL_APIS if not f.startswith("inference_") and f != "list_models")
# First letters of the keys and callees that matter, to skip most others unread.
_KEY_INITIALS = frozenset(k[0] for k in CHECKPOINT_KEYS | {"model", "pattern"})
_CALLEE_INITIALS = frozenset(f[0] for f in MODEL_APIS | {"read_base"})


@dataclass(frozen=True)
class Occurrence:
    """One place in the source where a name may stand.

    ``source[start:end] == text`` holds for a single literal: only literals
    whose value is exactly their source text between the quotes are reported.
    Adjacent literals (``'a_' 'b.py'``, also across a backslash continuation)
    are one string, reported once with their joined value as ``text``;
    ``start``/``end`` then span from the first piece's value to the last's
    and ``pieces`` maps the text to the source (see :meth:`source_span`).
    """

    text: str
    start: int
    end: int
    context: str
    expected: Optional[str]
    key: Optional[str]
    # For a joined string: (offset in text, offset in source - start) of each
    # piece's value, in order; empty for a single literal.
    pieces: Tuple[Tuple[int, int], ...] = ()

    def source_span(self, start: int, end: int) -> Tuple[int, int, bool]:
        """Source offsets of ``text[start:end]``, and whether the span lies in
        one piece (an edit across pieces would delete the quotes between)."""
        if not self.pieces:
            return self.start + start, self.end - len(self.text) + end, True
        a = b = 0
        for k, (t_off, _) in enumerate(self.pieces):
            if t_off <= start:
                a = k
            if t_off < end:
                b = k
        b = max(a, b)
        sa = self.start + self.pieces[a][1] + start - self.pieces[a][0]
        sb = self.start + self.pieces[b][1] + end - self.pieces[b][0]
        return sa, sb, a == b

    def text_offset(self, source_offset: int) -> int:
        """The offset in ``text`` of a source offset inside the string (for
        hover on a joined string); clamped to the nearest piece."""
        if not self.pieces:
            return source_offset - self.start
        rel = source_offset - self.start
        found = 0
        for t_off, s_off in self.pieces:
            if s_off <= rel:
                found = max(0, t_off + rel - s_off)
        return min(found, len(self.text))


# ---------------------------------------------------------------------------
# The lexer.
#
# The per-token work is what the time budget goes on, so the regex does as much
# as it can per match (tuned by counting instructions under callgrind):
# * each match carries the blanks and line breaks before its token (group 1 is the
#   indentation after the last line break, group 2 marks where the token starts);
# * ``key='value',`` and ``'value',`` and ``)),`` are single tokens;
# * a "run" token swallows what cannot hold or steer a name: numbers, operators,
#   commas, names not followed by "(" and ``key=`` not followed by a plain
#   string.  It reports its last ``key=`` (groups ``k0``/``lk``) and last comma
#   (``lc``), which is all that a bracket frame needs to know about it;
# * every name-led token goes through one alternative whose last branch (a run,
#   maybe of the bare name) always matches, so the engine never backtracks into
#   the name; the other alternatives start with a literal character or class,
#   which the engine rejects after one look.  Each alternative ends with an empty
#   named group that ``m.lastgroup`` reports.

_ID = r"[^\W\d]\w*"
_NAME = re.compile(_ID)
# A plain string with no prefix and no backslash: its value is its text.
_PLAIN = r"""(?:'[^'\\\r\n]*'|"[^"\\\r\n]*")(?!['"])"""


def _run_tail(n: str) -> str:
    """Run atoms after the first one; *n* keeps the group names unique."""
    atom = rf"""(?:
          (?P<lc{n}>,)
        | \d\w*
        | [^\s\w'"\#()\[\]{{}},;:=\\]+=?
        | ==|:=
        | (?!(?:def|class|from)(?!\w)){_ID}(?![\w'"])(?![ \t\f]*(?:=(?!=)|\())
        | (?P<lk{n}>{_ID})[ \t\f]*=(?!=)(?![ \t\f]*{_PLAIN})
        )"""
    return rf"(?:[ \t\f]*{atom})*"


_SQ = "'"
_DQ = '"'
_TOKEN = re.compile(
    rf"""[ \t\f]*(?:[\r\n](?:[ \t\f\r\n]*[\r\n])?([ \t\f]*)|)()(?:
      {_ID}(?:
          (?=['"])(?P<pfx>)
        | [ \t\f]*=[ \t\f]*(?P<kv>{_PLAIN})(?:[ \t\f]*(?P<kc>,))?(?P<key>)
        | [ \t\f]*\((?P<call>)
        | (?<=from)(?<!\wfrom)[ \t\f]+(?P<mod>\.+(?:{_ID}(?:\.{_ID})*)?|{_ID}(?:\.{_ID})*)
            (?=[ \t\f]+import(?!\w))(?P<from>)
        | (?<=def)(?<!\wdef)(?P<kw>)
        | (?<=class)(?<!\wclass)(?P<kwc>)
        | (?:[ \t\f]*=(?!=)(?P<k0>))?{_run_tail("")}(?P<run>)
        )
    | [)\]}}](?:[ \t\f]*[)\]}}])*(?:[ \t\f]*(?P<cc>,))?(?P<close>)
    | {_SQ}(?!{_SQ}{_SQ})[^{_SQ}\\\r\n]*(?:\\(?:\r\n|[\s\S])[^{_SQ}\\\r\n]*)*
        (?:(?P<sqe>{_SQ})(?:[ \t\f]*(?P<sqc>,))?)?(?P<sq>)
    | {_DQ}(?!{_DQ}{_DQ})[^{_DQ}\\\r\n]*(?:\\(?:\r\n|[\s\S])[^{_DQ}\\\r\n]*)*
        (?:(?P<dqe>{_DQ})(?:[ \t\f]*(?P<dqc>,))?)?(?P<dq>)
    | [(\[{{](?P<open>)
    | (?:(?P<lc0>,)|\d\w*|[^\s\w'"\#()\[\]{{}},;:=\\]+=?|==|:=){_run_tail("2")}(?P<run2>)
    | ['"](?P<tq>)
    | =(?P<eq>)
    | :(?P<colon>)
    | ;(?P<semi>)
    | \\(?:\r\n|\r|\n)(?P<cont>)
    | \#[^\r\n]*(?P<com>)
    | \Z(?P<eof>)
    | [\s\S](?P<any>)
    )""",
    re.VERBOSE,
)
# String prefixes (lower-cased) that the lexer hands over to _string_end.
_PREFIXES = frozenset({"r", "u", "b", "f", "t", "br", "rb", "fr", "rf", "tr", "rt"})
# "name = " at column 0: the start of a statement rather than a keyword argument.
_ASSIGNMENT = re.compile(rf"{_ID}[ \t\f]+=(?!=)")

# Bodies of triple-quoted strings, from after the opening quotes to after the closing ones.
_TQ_BODY = {
    "'''": re.compile(r"[^'\\]*(?:(?:\\[\s\S]|'(?!''))[^'\\]*)*'''"),
    '"""': re.compile(r'[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*"""'),
}
# Bodies of single-quoted strings, from after the opening quote to after the closing one.
_SQ_BODY = {
    "'": re.compile(r"[^'\\\r\n]*(?:\\(?:\r\n|[\s\S])[^'\\\r\n]*)*'"),
    '"': re.compile(r'[^"\\\r\n]*(?:\\(?:\r\n|[\s\S])[^"\\\r\n]*)*"'),
}
_EOL = re.compile(r"[\r\n]")
# Statements whose header ends with ":" and may be followed by a body on the same line.
_COMPOUND = re.compile(
    r"(?:if|elif|else|for|while|def|class|try|except|finally|with|async|match|case)(?!\w)"
)
_CLOSERS = {")": "(", "]": "[", "}": "{"}
# Tokens that change nothing but what line we are on.
_TRIVIA_KINDS = frozenset({"com", "cont", "eof"})
# Tokens that start a statement, even at column 0 inside brackets (see recovery).
_STATEMENT_KINDS = frozenset({"from", "kw", "kwc"})
# Tokens that may start with "name =" (then checked against _ASSIGNMENT).
_KEY_KINDS = frozenset({"run", "key"})
# How far down the bracket stack a closer looks for its opener: mismatches are
# typos, and an unbounded search would make ")))..." after "[[[..." quadratic.
_CLOSER_REACH = 8

# Inside f-strings: what ends a stretch of literal text or of format spec.
_FS_TEXT = {
    "'": re.compile(r"[{}\\\r\n']"),
    '"': re.compile(r'[{}\\\r\n"]'),
    "'''": re.compile(r"[{}\\]|'''"),
    '"""': re.compile(r'[{}\\]|"""'),
}
# ... and what matters inside a replacement field's expression.
_FS_EXPR = re.compile(
    r"""(?P<str>(?:(?<!\w)[rRbBuUfFtT]{1,2})?(?:'''|\"\"\"|'|"))|[{}()\[\]:#\\\r\n]"""
)


def _quote_at(src: str, i: int) -> str:
    if src.startswith("'''", i) or src.startswith('"""', i):
        return src[i : i + 3]
    return src[i]


def _eol(src: str, i: int) -> int:
    m = _EOL.search(src, i)
    return m.start() if m else len(src)


def _skip_fstring(src: str, i: int, raw: bool) -> int:
    """Return where the f-string whose opening quote is at *i* ends.

    Follows PEP 701 (Python 3.12): replacement fields may hold any string,
    including ones with the same quotes and nested f-strings.  In a single-quoted
    f-string a line break ends the string unless it falls inside brackets of a
    replacement field: 3.12 also lets a bare field run on to the next line, but
    then a half-typed ``f"{`` would swallow the rest of the file.
    """
    n = len(src)
    outer = _quote_at(src, i)
    single_line = len(outer) == 1
    # Frames: ["L", quote, raw] literal text, ["E", depth] field expression,
    # ["S", quote, raw] format spec (belongs to the field below it).
    frames: List[list] = [["L", outer, raw]]
    pos = i + len(outer)
    while frames and pos < n:
        top = frames[-1]
        if top[0] == "E":
            m = _FS_EXPR.search(src, pos)
            if m is None:
                return n
            j = m.start()
            tok = m.group()
            if m.group("str") is not None:
                quote = tok.lstrip("rRbBuUfFtT")
                prefix = tok[: len(tok) - len(quote)].lower()
                qpos = j + len(prefix)
                if "f" in prefix or "t" in prefix:
                    frames.append(["L", quote, "r" in prefix])
                    pos = qpos + len(quote)
                    continue
                body = (_TQ_BODY if len(quote) == 3 else _SQ_BODY)[quote].match(
                    src, qpos + len(quote)
                )
                if body is None:
                    return n if len(quote) == 3 else _eol(src, qpos)
                pos = body.end()
            elif tok in "([{":
                top[1] += 1
                pos = j + 1
            elif tok in ")]":
                top[1] = max(0, top[1] - 1)
                pos = j + 1
            elif tok == "}":
                pos = j + 1
                if top[1]:
                    top[1] -= 1
                else:
                    frames.pop()  # the field is over
            elif tok == ":":
                pos = j + 1
                if not top[1]:
                    # The format spec takes the quote rules of the enclosing string.
                    lit = next(f for f in reversed(frames) if f[0] == "L")
                    frames[-1] = ["S", lit[1], lit[2]]
            elif tok == "#":
                pos = _eol(src, j)
            elif tok == "\\":
                pos = j + 1
            else:  # a line break
                if single_line and not top[1]:
                    return j
                pos = j + 1
            continue
        # Literal text or format spec.
        quote = top[1]
        m = _FS_TEXT[quote].search(src, pos)
        if m is None:
            return n
        j = m.start()
        c = src[j]
        if c == "{":
            if top[0] == "L" and src.startswith("{{", j):
                pos = j + 2
            else:
                frames.append(["E", 0])
                pos = j + 1
        elif c == "}":
            if top[0] == "S":
                frames.pop()  # "}" closes the field that owns this spec
                pos = j + 1
            else:
                pos = j + (2 if src.startswith("}}", j) else 1)
        elif c == "\\":
            nxt = src[j + 1 : j + 2]
            if nxt in ("{", "}"):
                pos = j + 1  # a brace after a backslash is still a brace
            elif nxt == "N" and not top[2] and src.startswith("{", j + 2):
                close = src.find("}", j + 3)
                pos = n if close < 0 else close + 1  # \N{NAME} escape
            else:
                pos = j + (3 if src.startswith("\r\n", j + 1) else 2)
        elif c in "\r\n":
            return j  # single-quoted and unterminated
        else:  # the closing quote: drop this string's frames
            pos = j + len(quote)
            while frames:
                if frames.pop()[0] == "L":
                    break
    return min(pos, n)


def _checkpoint_expected(text: str) -> Optional[str]:
    if text.endswith(".pth") or ".pth?" in text:
        return _EXP_CHECKPOINT
    return None


def _occurrence(text: str, s: int, e: int, ctx: str, key: Optional[str]) -> Occurrence:
    if ctx == LITERAL:
        exp: Optional[str] = None
    elif ctx == BASE:
        exp = _EXP_CONFIG
    elif ctx == CHECKPOINT:
        exp = _checkpoint_expected(text)
    elif ctx == MODEL_API:
        exp = _EXP_PATTERN if key in PATTERN_APIS else _EXP_MODEL
    else:
        exp = _EXP_CONFIG
    return new_frozen(Occurrence, text=text, start=s, end=e, context=ctx, expected=exp,
                      key=key)


def extract_python(source: str, contexts: Optional[Collection[str]] = None) -> list[Occurrence]:
    """Return the name-bearing literals of *source*, sorted by ``start``.

    *contexts* restricts the result to those context kinds (see
    :data:`ALL_CONTEXTS`); unknown kinds are ignored.  Never raises: on an
    internal error the occurrences found so far are returned.
    """
    if not isinstance(source, str):
        return []
    wanted = frozenset(ALL_CONTEXTS if contexts is None else contexts)
    out: List[Occurrence] = []
    if not wanted:
        return out
    try:
        _scan(source, wanted, out)
    except Exception:  # a scanner bug must not take the language server down
        pass
    return out


def _classify(
    src: str, stack: List[list], in_base: bool, stmt_key: object
) -> Tuple[str, Optional[str]]:
    """Context kind and key of a literal read now."""
    if in_base:
        return BASE, "_base_"
    if not stack:
        if stmt_key is not None:
            if stmt_key.__class__ is int:
                stmt_key = _NAME.match(src, stmt_key).group()  # type: ignore[union-attr]
            if stmt_key in CHECKPOINT_KEYS:
                return CHECKPOINT, stmt_key  # type: ignore[return-value]
        return LITERAL, None
    _, func, argi, key, inherited = stack[-1]
    if key is not None:
        if key.__class__ is int:
            if src[key] not in _KEY_INITIALS:  # cheap test first: most keys are "type"
                return LITERAL, None
            key = _NAME.match(src, key).group()  # type: ignore[union-attr]
        if key in CHECKPOINT_KEYS:
            return CHECKPOINT, key
        if func in MODEL_APIS and (key == "model" or (key == "pattern" and func in PATTERN_APIS)):
            return MODEL_API, func
        return LITERAL, None
    if func is not None:
        if func in MODEL_APIS:
            if argi == 0:
                return MODEL_API, func
            if argi == 1 and func in _SECOND_IS_CHECKPOINT:
                return CHECKPOINT, func
        return LITERAL, None
    if inherited is not None:
        return inherited
    return LITERAL, None


def _flush(run: list, keep: bool, wanted: frozenset, out: List[Occurrence]) -> None:
    """Emit (or drop) a finished run of adjacent strings: one string, whose
    value is its pieces joined (``None`` marks a piece whose value is not its
    text, which makes the joined value unknown)."""
    if keep and run:
        if len(run) == 1:
            if run[0] is None:
                run.clear()
                return
            text, s, e, ctx, key = run[0]
            if ctx in wanted:
                out.append(_occurrence(text, s, e, ctx, key))
        elif None not in run:
            ctx, key = run[0][3], run[0][4]
            if ctx in wanted:
                s0 = run[0][1]
                pieces = []
                t_off = 0
                for text, s, _, _, _ in run:
                    pieces.append((t_off, s - s0))
                    t_off += len(text)
                joined = "".join(item[0] for item in run)
                occ = _occurrence(joined, s0, run[-1][2], ctx, key)
                occ.__dict__["pieces"] = tuple(pieces)
                out.append(occ)
    run.clear()


def _scan(src: str, wanted: frozenset, out: List[Occurrence]) -> None:
    # Occurrences are appended in source order, so ``out`` needs no sorting.
    want_import = BASE_IMPORT in wanted
    # A frame per open bracket: [opener, callee or None, positional index (kept
    # for model API calls only), current key, context inherited by a bare "("
    # group].  A key is the offset of its name in src (read only when a literal
    # needs it) or, for dict keys, the key's text.
    stack: List[list] = []
    line_start = 0  # offset where the current physical line starts
    at_line_start = True
    stmt_start = True  # the next token starts a statement (meaningful at depth 0)
    stmt_pos = 0  # where the current statement starts
    stmt_col = 0  # ... and its column
    stmt_key: object = None  # target of the top-level assignment being read
    in_base = False  # inside the value of "_base_ = ..."
    rb_col = -1  # indentation of "with read_base():" while in its block, else -1
    after_def = False  # "def name(" / "class name(" is no call
    dead_tq: set = set()  # triple quotes known to have no closing partner
    # The run of adjacent string tokens being read.  Its fate depends on the token
    # after it: a dict key (followed by ":") or a whole expression statement (a
    # docstring) is dropped; anything else is kept, each piece on its own.
    run: List[Tuple[str, int, int, str, Optional[str]]] = []
    run_active = False
    run_stmt = False  # the run started a statement at depth 0
    run_key: Optional[str] = None  # the run's text when it is one clean literal
    text = ""

    pos = 0
    while True:
        restart = -1
        for m in _TOKEN.finditer(src, pos):
            kind = m.lastgroup
            ls = m.start(1)
            if ls >= 0:  # line breaks before this token
                if not stack:
                    if run_active:
                        _flush(run, not run_stmt, wanted, out)
                        run_active = False
                    stmt_start = True
                    stmt_key = None
                    in_base = False
                    after_def = False
                line_start = ls
                at_line_start = True
            if kind in _TRIVIA_KINDS:
                continue
            tstart = m.end(2)
            if at_line_start:
                at_line_start = False
                col = tstart - line_start
                if (
                    stack
                    and col == 0
                    and (
                        kind in _STATEMENT_KINDS
                        or (kind in _KEY_KINDS and _ASSIGNMENT.match(src, tstart))
                    )
                ):
                    # A statement-looking line at column 0 inside brackets: a
                    # bracket was most likely left open mid-edit.  Python would read
                    # on to EOF; starting afresh keeps the later contexts right.
                    if run_active:
                        _flush(run, True, wanted, out)
                        run_active = False
                    stack.clear()
                    stmt_start = True
                    stmt_key = None
                    in_base = False
                if not stack and stmt_start:
                    if rb_col >= 0 and col <= rb_col:
                        rb_col = -1
                    stmt_col = col
            if stmt_start and not stack:
                stmt_pos = tstart

            if kind == "pfx" and src[tstart : m.end()].lower() not in _PREFIXES:
                kind = "run"  # a name directly followed by a string: just a name

            if (kind == "run2" and run_active and in_base and m.end() - tstart == 1
                    and src[tstart] == "+" and run[-1] is not None):
                # `_base_ = ['i3d_..._' + '8xb8-....py']`: a `+` between strings
                # of a base path joins them as adjacency does.
                continue

            if kind == "run" or kind == "run2":
                if run_active:
                    _flush(run, True, wanted, out)
                    run_active = False
                if kind == "run":
                    lk = m.start("lk")
                    if lk < 0 and m.start("k0") >= 0:
                        lk = tstart  # the run's first name is a key
                    lc = m.start("lc")
                else:
                    lk = m.start("lk2")
                    lc = max(m.start("lc2"), m.start("lc0"))
                if stack:
                    top = stack[-1]
                    if lc >= 0 and top[1] in MODEL_APIS:
                        top[2] += src.count(",", tstart, m.end())
                    if lk > lc:
                        top[3] = lk
                    elif lc >= 0:
                        top[3] = None
                elif lk >= 0:
                    stmt_key = lk
                    if stmt_start and lk == tstart and _NAME.match(src, lk).group() == "_base_":
                        in_base = True
                stmt_start = False
                after_def = False
                continue

            if kind == "key":  # key='value' with an optional comma
                if run_active:
                    _flush(run, True, wanted, out)
                if stack:
                    stack[-1][3] = tstart
                else:
                    if stmt_start and _NAME.match(src, tstart).group() == "_base_":
                        in_base = True
                    stmt_key = tstart
                stmt_start = False
                s, e = m.span("kv")
                s += 1
                e -= 1
                if e > s:
                    text = src[s:e]
                    if stack and not in_base and src[tstart] not in _KEY_INITIALS:
                        ctx = LITERAL  # the common case, decided without a call
                        key = None
                    else:
                        ctx, key = _classify(src, stack, in_base, stmt_key)
                    if m.start("kc") >= 0:
                        # Followed by a comma: kept for sure, no need to queue it.
                        run_active = False
                        if ctx in wanted:
                            out.append(_occurrence(text, s, e, ctx, key))
                        if stack:
                            top = stack[-1]
                            top[2] += 1
                            top[3] = None
                        continue
                    run.append((text, s, e, ctx, key))
                    run_key = text
                else:
                    run.append(None)  # an empty piece: no joined value to read
                    run_key = None
                run_active = True
                run_stmt = False
                if m.start("kc") >= 0:
                    _flush(run, True, wanted, out)
                    run_active = False
                    if stack:
                        top = stack[-1]
                        top[2] += 1
                        top[3] = None
                continue

            if (kind == "sq" or kind == "dq") and not run_active:
                # Fast path for the common 'value', (or "value",): a plain string
                # followed by a comma is kept for sure, so it needs no queueing.
                closer = m.start("sqe" if kind == "sq" else "dqe")
                if m.start("sqc" if kind == "sq" else "dqc") >= 0 and closer > tstart + 1:
                    text = src[tstart + 1 : closer]
                    if "\\" not in text:
                        ctx, key = _classify(src, stack, in_base, stmt_key)
                        if ctx in wanted:
                            out.append(_occurrence(text, tstart + 1, closer, ctx, key))
                    stmt_start = False
                    if stack:
                        top = stack[-1]
                        top[2] += 1
                        top[3] = None
                    continue

            if kind == "sq" or kind == "dq" or kind == "pfx" or kind == "tq":
                clean = False
                comma = False
                s = e = tstart
                if kind == "pfx" or kind == "tq":
                    if kind == "tq":
                        prefix = ""
                        qpos = tstart
                    else:
                        prefix = src[tstart : m.end()].lower()
                        qpos = m.end()
                    if "f" in prefix or "t" in prefix:
                        restart = _skip_fstring(src, qpos, "r" in prefix)
                    else:
                        quote = _quote_at(src, qpos)
                        bstart = qpos + len(quote)
                        if len(quote) == 3:
                            body = None if quote in dead_tq else _TQ_BODY[quote].match(src, bstart)
                            if body is None:
                                # Unterminated: Python would read to EOF; giving up on
                                # this line only keeps one stray quote from hiding
                                # the rest of the file.
                                dead_tq.add(quote)
                        else:
                            body = _SQ_BODY[quote].match(src, bstart)
                        if body is None:
                            restart = _eol(src, bstart)
                        else:
                            restart = body.end()
                            s = bstart
                            e = restart - len(quote)
                            if e > s and "b" not in prefix:
                                text = src[s:e]
                                clean = ("\\" not in text or "r" in prefix) and "\r" not in text
                else:
                    closer = m.start("sqe" if kind == "sq" else "dqe")
                    if closer > tstart + 1:
                        s = tstart + 1
                        e = closer
                        text = src[s:e]
                        clean = "\\" not in text
                    comma = m.start("sqc" if kind == "sq" else "dqc") >= 0
                if not run_active:
                    run_active = True
                    run_stmt = stmt_start and not stack
                    run_key = text if clean else None
                else:
                    run_key = None
                if clean:
                    ctx, key = _classify(src, stack, in_base, stmt_key)
                    run.append((text, s, e, ctx, key))
                else:
                    run.append(None)  # a value we do not read (f-string, escapes, bytes)
                stmt_start = False
                if comma:
                    _flush(run, True, wanted, out)
                    run_active = False
                    if stack:
                        top = stack[-1]
                        top[2] += 1
                        top[3] = None
                if restart >= 0:
                    break
                continue

            # Any other token ends a run of strings.
            if run_active:
                run_active = False
                if kind == "colon" and stack and stack[-1][0] == "{":
                    run.clear()  # a dict key: no name, but it keys the value
                    stack[-1][3] = run_key
                    stmt_start = False
                    continue
                _flush(run, not (kind == "semi" and run_stmt), wanted, out)

            if kind == "close":
                if m.end() - tstart == 1:  # most often a single closer
                    if stack and stack[-1][0] == _CLOSERS[src[tstart]]:
                        stack.pop()
                        stmt_start = False
                        continue
                for ch in src[tstart : m.end()]:
                    if ch == ",":
                        if stack:
                            top = stack[-1]
                            top[2] += 1
                            top[3] = None
                    elif ch in _CLOSERS:
                        opener = _CLOSERS[ch]
                        if stack and stack[-1][0] == opener:
                            stack.pop()
                        else:
                            depth = len(stack) - 1
                            floor = max(-1, depth - _CLOSER_REACH)
                            while depth > floor:
                                if stack[depth][0] == opener:
                                    del stack[depth:]
                                    break
                                depth -= 1
                stmt_start = False
            elif kind == "call":
                if after_def:
                    func = None
                elif src[tstart] in _CALLEE_INITIALS:
                    func = src[tstart : m.end() - 1].rstrip(" \t\f")
                else:
                    func = ""  # a call, but of nothing we look at
                after_def = False
                if not stack and func == "read_base":
                    rb_col = stmt_col
                stack.append(["(", func, 0, None, None])
                stmt_start = False
            elif kind == "open":
                c = src[tstart]
                inherited = None
                if c == "(":
                    # A bare group takes the context of the slot it fills:
                    # checkpoint=('https://...' '...pth').
                    cls = _classify(src, stack, in_base, stmt_key)
                    if cls[0] == CHECKPOINT or cls[0] == MODEL_API:
                        inherited = cls
                stack.append([c, None, 0, None, inherited])
                stmt_start = False
            elif kind == "eq":
                # Assignment to a subscript or an attribute of a call: no known key.
                if stack:
                    stack[-1][3] = None
                else:
                    stmt_key = None
                stmt_start = False
            elif kind == "colon":
                if stack:
                    if stack[-1][0] == "{":
                        stack[-1][3] = None
                elif _COMPOUND.match(src, stmt_pos):
                    # "if x: 'body'" - a new statement follows on the same line.
                    stmt_start = True
                    stmt_key = None
                    in_base = False
                else:
                    stmt_start = False
            elif kind == "semi":
                if not stack:
                    stmt_start = True
                    stmt_key = None
                    in_base = False
            elif kind == "from":
                if want_import and rb_col >= 0 and not stack:
                    ms = m.start("mod")
                    me = m.end("mod")
                    mod = src[ms:me]
                    if mod.strip("."):
                        out.append(_occurrence(mod, ms, me, BASE_IMPORT, "read_base"))
                stmt_start = False
            elif kind == "kw" or kind == "kwc":
                after_def = True
                stmt_start = False
            else:  # a lone name or an odd character
                after_def = False
                stmt_start = False
        if restart < 0:
            break
        pos = restart
    if run_active:
        # Nothing followed the run: it ended its statement.
        _flush(run, not run_stmt, wanted, out)


# ---------------------------------------------------------------------------
# Whole-file facts: is this a config, which names does it register.

# `_base_ = ...`, `with read_base():`, or a top-level `model = dict(` at the
# start of a line: what OpenMMLab configs have and other Python files do not.
_CONFIG_MARK = re.compile(
    r"^(?:_base_\s*=|with\s+read_base\s*\(\s*\)\s*:|model\s*=\s*dict\s*\()", re.MULTILINE
)
# `@MODELS.register_module()` (any registry, with or without arguments) then
# the class it decorates, other decorators allowed in between.
_REGISTERED = re.compile(
    r"^[ \t]*@\s*\w+(?:\.\w+)*\.register_module\s*\([^)]*\)\s*\n"
    r"(?:[ \t]*@[^\n]*\n)*[ \t]*class\s+(" + _ID + r")",
    re.MULTILINE,
)
_REGISTERED_NAMED = re.compile(r"\.register_module\s*\(\s*(?:name\s*=\s*)?['\"]([\w.\-]+)['\"]")
_TYPE_VALUE = re.compile(
    r"\btype\s*=\s*['\"]([A-Za-z_][\w.\-]*)['\"]"
    r"|['\"]type['\"]\s*:\s*['\"]([A-Za-z_][\w.\-]*)['\"]"
)


def looks_like_config(text: str) -> bool:
    """Whether a Python source reads as an OpenMMLab config by its content.

    True for a top-level ``_base_ = ...``, ``with read_base():`` or
    ``model = dict(...)``; the file is only searched, never run.
    """
    if not isinstance(text, str):
        return False
    return _CONFIG_MARK.search(text) is not None


def registered_names(text: str) -> list[str]:
    """Class names registered with ``@REGISTRY.register_module()`` (and names
    given to it explicitly), then the ``type='...'`` values of a source, each
    once, in source order: the words a workspace's own code adds.
    """
    if not isinstance(text, str):
        return []
    found: dict[str, int] = {}
    for mt in _REGISTERED.finditer(text):
        found.setdefault(mt.group(1), mt.start(1))
    for mt in _REGISTERED_NAMED.finditer(text):
        found.setdefault(mt.group(1), mt.start(1))
    for mt in _TYPE_VALUE.finditer(text):
        i = 1 if mt.group(1) is not None else 2
        # `type='mmpretrain.VisionTransformer'`: the class name is the last piece.
        found.setdefault(mt.group(i).rsplit(".", 1)[-1], mt.start(i))
    return sorted(found, key=found.__getitem__)


def module_to_path(module: str) -> str:
    """`.._base_.models.resnet18` -> `../_base_/models/resnet18.py` ("" if absolute)."""
    dots = len(module) - len(module.lstrip("."))
    rest = module[dots:].replace(".", "/")
    if dots == 0:
        return ""
    prefix = "./" if dots == 1 else "../" * (dots - 1)
    return prefix + rest + ".py"
