"""Golden names of every naming profile: real names of each OpenMMLab
repository (config files, metafile model names, checkpoint files and URLs from
the corpus and the pinned wheels), each reading checked by hand.

``tests/fixtures/golden/<profile>.tsv``: ``input, kind, parts, problems,
note``; ``parts`` is ``role=text,...`` in order, ``problems`` is
``CODE/severity@covered-text[=replacement]; ...`` (``-`` for none).  The rows
need the bundled data only.  Leave-one-out: every word the profile adds to the
shared vocabulary that a golden name uses is taken out in turn, and the name
must decode with the same roles and no typo finding.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import FrozenSet, List, NamedTuple, Optional, Tuple

import pytest

from mmname_lsp.codes import RULES
from mmname_lsp.naming.decoder import Decoder, profile_decoder, profile_vocabulary
from mmname_lsp.naming.model import ALL_ROLES, KINDS
from mmname_lsp.naming.profiles import get_profile, profile_names
from mmname_lsp.naming.vocabulary import Vocabulary, profile_additions
from mmname_lsp.naming.zoo import Zoo

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"
PROFILES = ("mmpretrain", "mmdet3", "mmseg1", "mmpose1", "mmaction2", "mmocr1",
            "mmcls0", "mmdet2", "mmseg0")
# The least share of leave-one-out readings whose roles must not change.
MIN_SAME_ROLES = 0.9
_PROBLEM = re.compile(r"(MMN\d{3})/(\w+)@([^=]*)(?:=(.*))?")


class Row(NamedTuple):
    profile: str
    line: int
    input: str
    kind: str
    parts: Tuple[Tuple[str, str], ...]
    problems: FrozenSet[Tuple[str, str, str, Optional[str]]]
    note: str


def _rows(profile: str) -> List[Row]:
    path = GOLDEN / f"{profile}.tsv"
    rows = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if not raw or raw.startswith("#"):
            continue
        cols = raw.split("\t")
        assert len(cols) == 5, f"{path.name}:{n}: expected 5 tab-separated columns"
        text, kind, parts, problems, note = cols
        got_parts = tuple(tuple(p.split("=", 1)) for p in parts.split(",")) if parts != "-" else ()
        found = set()
        if problems != "-":
            for item in problems.split("; "):
                mt = _PROBLEM.fullmatch(item)
                assert mt, f"{path.name}:{n}: bad problem {item!r}"
                found.add((mt.group(1), mt.group(2), mt.group(3), mt.group(4)))
        rows.append(Row(profile, n, text, kind, got_parts, frozenset(found), note))  # type: ignore[arg-type]
    return rows


ROWS = [row for p in PROFILES for row in _rows(p)]


def _id(row: Row) -> str:
    return f"{row.profile}:L{row.line}:{row.input[-60:]}"


def _reading(decoder: Decoder, text: str):
    d = decoder.decode(text)
    parts = tuple((p.role, p.text) for p in d.parts)
    problems = frozenset((p.code, p.severity, text[p.start : p.end], p.replacement)
                         for p in d.problems)
    return d.kind, parts, problems


def test_every_profile_has_a_golden_file_of_forty_real_names():
    assert set(PROFILES) == set(profile_names())
    for profile in PROFILES:
        rows = [r for r in ROWS if r.profile == profile]
        assert len(rows) >= 40, profile
        assert len({r.input for r in rows}) == len(rows), f"duplicate rows in {profile}"
        # Config files, model names and checkpoints all appear.
        assert {r.kind for r in rows} == set(KINDS), profile
        for r in rows:
            assert {role for role, _ in r.parts} <= set(ALL_ROLES), r
            assert {code for code, *_ in r.problems} <= set(RULES), r
            assert r.note, r


@pytest.mark.parametrize("row", ROWS, ids=_id)
def test_golden(row: Row):
    got = _reading(profile_decoder(row.profile), row.input)
    assert got == (row.kind, row.parts, row.problems), row.note


def test_the_profiles_read_what_makes_them_differ():
    # The reasons the profiles exist, each on a real name of its golden file.
    roles = {(r.profile, r.input): [role for role, _ in r.parts] for r in ROWS}
    assert any("test-data" in v for (p, _), v in roles.items() if p == "mmdet3")
    assert any("test-data" in v for (p, _), v in roles.items() if p == "mmseg1")
    assert any(v.count("module") >= 2 for (p, _), v in roles.items() if p == "mmdet3")
    legacy = [r for r in ROWS if r.profile == "mmdet2" and r.kind == "config"]
    assert any(text == "faster_rcnn" for r in legacy for role, text in r.parts
               if role == "algorithm")


# -- leave-one-out --------------------------------------------------------------------------


def _new_word(vocab: Vocabulary, word: str) -> bool:
    """A word that is new once taken out: not a compound of words the
    vocabulary still knows (`mask-rcnn` of `mask` and `rcnn`), and not a legacy
    word joined with `_` (without it the name has other parts, by definition)."""
    if "_" in word:
        return False
    pieces = word.split("-")
    return len(pieces) == 1 or not all(p in vocab for p in pieces)


def _without(vocab: Vocabulary, word: str) -> Vocabulary:
    entries = {t: e for t, e in vocab.entries.items() if t != word}
    return Vocabulary(entries, vocab.gpus_x_batch, vocab.shapes, vocab.parts)


@pytest.mark.parametrize("profile", [p for p in PROFILES if p != "mmpretrain"])
def test_leave_one_out_of_the_profile_words(profile: str):
    """A word of the profile's own vocabulary taken out: the golden names that
    use it keep their roles (90% at least; the figures per profile are in the
    README) and never get a typo finding."""
    added = profile_additions(get_profile(profile).vocabulary)
    full = profile_vocabulary(profile)
    empty = Zoo({}, {}, {})
    base = Decoder(full, zoo=empty, profile=profile)
    tried = same = 0
    typos = []
    for row in (r for r in ROWS if r.profile == profile and "://" not in r.input):
        d = base.decode(row.input)
        words = {t.text for p in d.parts for t in p.tokens if t.text in added}
        for word in sorted(w for w in words if _new_word(_without(full, w), w)):
            left = Decoder(_without(full, word), zoo=empty, profile=profile).decode(row.input)
            tried += 1
            same += [p.role for p in left.parts] == [p.role for p in d.parts]
            new = {p.code for p in left.problems} - {p.code for p in d.problems}
            if "MMN102" in new:
                typos.append((row.input, word))
    assert tried >= 3, profile
    assert same / tried >= MIN_SAME_ROLES, (profile, same, tried)
    assert typos == []
