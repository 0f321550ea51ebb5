"""The words a workspace uses: learned from its names, never typos.

A word that several names of a workspace use (config file names, metafile and
model-index entries, README tables, registered class names, ``type='...'``
values) is a word of that workspace, whatever the bundled vocabulary says.
:class:`WordCounter` counts them, one vote per name, and freezes into
:class:`LearnedWords`, which :meth:`Vocabulary.with_learned
<mmname_lsp.naming.vocabulary.Vocabulary.with_learned>` turns into known words.

Pure and fast: no file is read here; callers pass the names they found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, Iterable, Mapping, Optional, Tuple

from mmname_lsp.naming import patterns

# Separators of parts and words, and of a path or URL before a file name.
_SPLIT = re.compile(r"[_\-]+")
_TAIL = re.compile(r"(?:\.pth|\.py|\.yml|\.yaml)$", re.IGNORECASE)
# Where CamelCase starts a new piece: `Efficient|ViT`, `Mask|RCNN`, `HR|Former`.
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=\D)(?=\d)")
# Words shorter than this carry too little to vouch for anything.
MIN_WORD = 3


def words_of_name(name: str) -> list[str]:
    """The words of a name, path or URL worth learning, lower case, in order.

    Shaped words (``8xb32``, ``300e``, dates and hashes) and words under
    three letters are left out: the decoder reads them by their shape.
    """
    base = re.split(r"[\\/]", name.split("?", 1)[0].split("#", 1)[0])[-1]
    base = _TAIL.sub("", base)
    out = []
    for word in _SPLIT.split(base):
        low = word.lower()
        if len(low) < MIN_WORD or not any(c.isalpha() for c in low):
            continue
        shape = patterns.classify(low)
        if shape is not None and shape not in ("depth-backbone", "variant-code"):
            continue
        if patterns.HASH.fullmatch(low):
            continue
        out.append(low)
    return out


def words_of_class(name: str) -> list[str]:
    """The words of a registered class name or ``type`` value: the whole name
    in lower case (``EfficientViT`` -> ``efficientvit``, as a model name
    writes it) and its CamelCase pieces of three letters or more."""
    whole = name.lower()
    out = [whole] if len(whole) >= MIN_WORD and whole.isalnum() else []
    pieces: list[str] = []
    carry = ""
    for piece in _CAMEL.split(name):
        # `Vi` + `T`: pieces under three letters belong to the next one (`ViT`).
        piece = carry + piece
        if len(piece) < MIN_WORD:
            carry = piece
            continue
        carry = ""
        pieces.append(piece)
    if carry and pieces:
        pieces[-1] += carry
    for piece in pieces:
        low = piece.lower()
        if len(low) >= MIN_WORD and low.isalpha() and low not in out:
            out.append(low)
    return out


@dataclass(frozen=True)
class LearnedWords:
    """Words with the number of names of the workspace that use each."""

    counts: Mapping[str, int] = field(default_factory=dict)
    names: int = 0

    def __contains__(self, word: str) -> bool:
        return word in self.counts

    def count(self, word: str) -> int:
        return self.counts.get(word, 0)

    def known(self, min_count: int = 2) -> frozenset:
        """The words used by ``min_count`` names or more."""
        return frozenset(w for w, c in self.counts.items() if c >= min_count)

    def meaning(self, word: str) -> Optional[str]:
        n = self.counts.get(word)
        return None if n is None else f"Seen in {n} names of this workspace."


# A workspace names the same classes (`ImageClassifier`, `ResNet`) in most of
# its files, and counting is redone after every batch of file events: the
# words of a name or class are worked out once.
@lru_cache(maxsize=16384)
def _name_words(name: str) -> Tuple[str, ...]:
    return tuple(words_of_name(name))


@lru_cache(maxsize=16384)
def _class_words(name: str) -> Tuple[str, ...]:
    return tuple(words_of_class(name))


class WordCounter:
    """Counts the words of a workspace's names, one vote per name and word."""

    def __init__(self) -> None:
        self._counts: Dict[str, int] = {}
        self._names = 0

    def add_name(self, name: str) -> None:
        """A config file name or path, model name, checkpoint or URL."""
        self._add(_name_words(name))

    def add_names(self, names: Iterable[str]) -> None:
        for name in names:
            self.add_name(name)

    def add_class(self, name: str) -> None:
        """A registered class name or a ``type='...'`` value."""
        self._add(_class_words(name))

    def add_classes(self, names: Iterable[str]) -> None:
        for name in names:
            self.add_class(name)

    def _add(self, words: Iterable[str]) -> None:
        self._names += 1
        counts = self._counts
        for w in set(words):
            counts[w] = counts.get(w, 0) + 1

    def freeze(self) -> LearnedWords:
        return LearnedWords(dict(self._counts), self._names)


def learn(names: Iterable[str] = (), classes: Iterable[str] = ()) -> LearnedWords:
    """The learned words of ``names`` and registered ``classes`` in one call."""
    counter = WordCounter()
    counter.add_names(names)
    counter.add_classes(classes)
    return counter.freeze()
