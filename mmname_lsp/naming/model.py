"""The data model of a decoded name: plain frozen dataclasses, no behaviour.

Every offset is a code-point index into the *input string as given* (a URL
stays a URL), so ``input[start:end] == text`` holds for every part and token.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Tuple

# Roles a part of a name can play, in the order the convention writes them.
ALGORITHM = "algorithm"
MODULE = "module"
PRETRAIN = "pretrain"
TRAINING = "training"
DATA = "data"
# The testing dataset some repositories add after the training data
# (MMDetection and MMSegmentation 1.x: `..._cityscapes-512x1024_dark-zurich-1920x1080`).
TEST_DATA = "test-data"
# Roles that only file names have.
HEADLESS = "headless"
DATE = "date"
HASH = "hash"

NAME_ROLES = (ALGORITHM, MODULE, PRETRAIN, TRAINING, DATA)
ALL_ROLES = NAME_ROLES + (TEST_DATA, HEADLESS, DATE, HASH)

# Kinds of input.
KIND_MODEL = "model"
KIND_CONFIG = "config"
KIND_CHECKPOINT = "checkpoint"
KINDS = (KIND_MODEL, KIND_CONFIG, KIND_CHECKPOINT)

# Severities, most severe first (same words as LSP and SARIF use).
ERROR = "error"
WARNING = "warning"
INFORMATION = "information"
HINT = "hint"
SEVERITIES = (ERROR, WARNING, INFORMATION, HINT)


_new_object = object.__new__


def new_frozen(cls: type, **fields: Any) -> Any:
    """The object ``cls(**fields)`` would be, for a frozen dataclass, at a
    fraction of the cost: its generated __init__ sets each field through
    object.__setattr__, which shows when one is built per word decoded or per
    literal of a large file.  Every field must be given."""
    obj = _new_object(cls)
    obj.__dict__.update(fields)
    return obj


@dataclass(frozen=True)
class Token:
    """One word of a part (split on ``-``, or a known sub-token such as ``8xb32``)."""

    text: str
    start: int
    end: int
    kind: str
    meaning: str
    # How the word's meaning was found when no vocabulary entry gave it, in
    # words for hover ("not a known word; read as the algorithm by its
    # position"); "" when the vocabulary knows the word.
    how: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "meaning": self.meaning,
        }


@dataclass(frozen=True)
class Part:
    """One ``_``-separated part of a name with the role it plays."""

    role: str
    text: str
    start: int
    end: int
    tokens: Tuple[Token, ...] = ()
    # How the role was inferred when no known word settled it ("read as the
    # algorithm by its position"), for hover; "" when its words settled it.
    how: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "tokens": [t.to_dict() for t in self.tokens],
        }


@dataclass(frozen=True)
class Problem:
    """Something wrong (or unusual) about a name.

    ``code`` is a rule code from :mod:`mmname_lsp.codes`;
    ``replacement`` (when set) is the text that should replace
    ``input[start:end]``; ``related`` says where the values that contradict the
    name are set (the consistency and metafile rules).  ``safe`` overrides the
    rule's ``safe_fix`` for this one finding (None: the rule decides): the same rule may have an
    unambiguous fix on one name (``8xB32``) and a guess on another (``8x32``).
    ``alternatives`` are every reading worth offering, ``replacement`` first
    (a caller that knows more reorders them with
    :func:`mmname_lsp.naming.patterns.order_batch_readings`).
    """

    code: str
    severity: str
    message: str
    start: int
    end: int
    replacement: Optional[str] = None
    related: Tuple[Any, ...] = ()
    safe: Optional[bool] = None
    alternatives: Tuple[str, ...] = ()

    @property
    def fix_is_safe(self) -> bool:
        """Whether ``--fix`` may apply ``replacement`` without asking."""
        if self.replacement is None:
            return False
        if self.safe is not None:
            return self.safe
        from mmname_lsp.codes import RULES

        rule = RULES.get(self.code)
        return bool(rule and rule.safe_fix)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "start": self.start,
            "end": self.end,
            "replacement": self.replacement,
        }


@dataclass(frozen=True)
class Decoded:
    """The result of decoding one input."""

    input: str
    kind: str
    # Span of the decoded file or model name inside ``input`` (for a URL, the
    # file name; for a config path, the stem without ``.py``).
    name_start: int
    name_end: int
    parts: Tuple[Part, ...]
    problems: Tuple[Problem, ...]
    # Readings the decoder considered but did not pick, in words.
    ambiguities: Tuple[str, ...] = ()
    # How sure the decoder is that the input is an MMPretrain name at all
    # (0..1); used by callers to ignore ordinary strings.
    confidence: float = 0.0
    zoo: Optional[dict[str, Any]] = field(default=None, compare=False)

    @property
    def name(self) -> str:
        return self.input[self.name_start : self.name_end]

    def part(self, role: str) -> Optional[Part]:
        for p in self.parts:
            if p.role == role:
                return p
        return None

    def part_at(self, offset: int) -> Optional[Part]:
        for p in self.parts:
            if p.start <= offset <= p.end:
                return p
        return None

    def token_at(self, offset: int) -> Optional[Token]:
        for p in self.parts:
            for t in p.tokens:
                if t.start <= offset <= t.end:
                    return t
        return None

    def worst_severity(self) -> Optional[str]:
        found = {p.severity for p in self.problems}
        for sev in SEVERITIES:
            if sev in found:
                return sev
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "kind": self.kind,
            "parts": [p.to_dict() for p in self.parts],
            "problems": [p.to_dict() for p in self.problems],
            "zoo": self.zoo,
        }
