"""Golden names: readings checked by hand against the naming convention.

Every row of ``tests/fixtures/golden_names.tsv`` fixes the kind, the role of
every part, the exact set of problems (code, severity, covered text,
replacement) and the zoo link of one input.  The rows need the bundled data
only, not the shared corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import FrozenSet, List, Optional, Tuple

import pytest

from mmname_lsp.codes import RULES
from mmname_lsp.naming.decoder import Decoder
from mmname_lsp.naming.model import ALL_ROLES, HINT, INFORMATION

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden_names.tsv"
_PROBLEM = re.compile(r"(MMN\d{3})/(\w+)@([^=]*)(?:=(.*))?")

ProblemKey = Tuple[str, str, str, Optional[str]]


@dataclass(frozen=True)
class Row:
    line: int
    input: str
    expected: Optional[str]
    kind: str
    roles: Tuple[str, ...]
    problems: FrozenSet[ProblemKey]
    zoo: Optional[str]
    note: str


def _parse_problems(field: str, line: int) -> FrozenSet[ProblemKey]:
    if field == "-":
        return frozenset()
    found = set()
    for item in field.split("; "):
        m = _PROBLEM.fullmatch(item)
        assert m, f"{GOLDEN.name}:{line}: bad problem {item!r}"
        found.add((m.group(1), m.group(2), m.group(3), m.group(4)))
    return frozenset(found)


def _rows() -> List[Row]:
    rows = []
    for n, raw in enumerate(GOLDEN.read_text(encoding="utf-8").split("\n"), 1):
        if not raw or raw.startswith("#"):
            continue
        cols = raw.split("\t")
        assert len(cols) == 7, f"{GOLDEN.name}:{n}: expected 7 tab-separated columns"
        text, expected, kind, roles, problems, zoo, note = cols
        rows.append(
            Row(
                n,
                text,
                None if expected == "-" else expected,
                kind,
                () if roles == "-" else tuple(roles.split(",")),
                _parse_problems(problems, n),
                None if zoo == "-" else zoo,
                note,
            )
        )
    return rows


ROWS = _rows()


def _id(row: Row) -> str:
    return f"L{row.line}:{row.input[:60] or '<empty>'}"


@pytest.fixture(scope="module")
def decoder() -> Decoder:
    return Decoder()


def test_golden_file_is_large_and_well_formed():
    assert len(ROWS) >= 60
    keys = [(r.input, r.expected) for r in ROWS]
    assert len(keys) == len(set(keys)), "duplicate golden rows"
    for row in ROWS:
        assert row.kind in ("model", "config", "checkpoint"), row
        assert set(row.roles) <= set(ALL_ROLES), row
        assert {code for code, *_ in row.problems} <= set(RULES), row
        assert row.note, row


def test_golden_file_covers_every_name_rule_and_kind():
    codes = {code for row in ROWS for code, *_ in row.problems}
    wanted = {f"MMN{n}" for n in range(100, 120)}
    assert wanted <= codes, f"no golden row for {sorted(wanted - codes)}"
    assert {row.kind for row in ROWS} == {"model", "config", "checkpoint"}
    # Real upstream names are in the file, and so are inputs outside the zoo.
    assert sum(row.zoo is not None for row in ROWS) >= 25
    assert sum(row.zoo is None for row in ROWS) >= 25


@pytest.mark.parametrize("row", ROWS, ids=_id)
def test_golden(row: Row, decoder: Decoder):
    d = decoder.decode(row.input, row.expected)
    got_problems = frozenset(
        (p.code, p.severity, row.input[p.start : p.end], p.replacement) for p in d.problems
    )
    got = (d.kind, tuple(p.role for p in d.parts), got_problems, (d.zoo or {}).get("name"))
    want = (row.kind, row.roles, row.problems, row.zoo)
    assert got == want, row.note


@pytest.mark.parametrize("row", [r for r in ROWS if r.zoo is not None], ids=_id)
def test_golden_upstream_names_get_at_most_hints(row: Row, decoder: Decoder):
    """Policy: a published name cannot be renamed, so it never gets more than a hint.

    The one exception is MMN116: `.py` after a model name is the user's text,
    not the upstream name.
    """
    d = decoder.decode(row.input, row.expected)
    for p in d.problems:
        if p.code != "MMN116":
            assert p.severity in (HINT, INFORMATION), (p.code, p.severity, row.note)


def test_golden_replacements_make_the_problem_go_away(decoder: Decoder):
    """Applying one problem's fix removes that problem."""
    checked = 0
    for row in ROWS:
        d = decoder.decode(row.input, row.expected)
        for p in d.problems:
            if p.replacement is None:
                continue
            fixed = row.input[: p.start] + p.replacement + row.input[p.end :]
            after = decoder.decode(fixed, row.expected)
            before_n = sum(q.code == p.code for q in d.problems)
            after_n = sum(q.code == p.code for q in after.problems)
            assert after_n < before_n, (row.input, fixed, p.code)
            checked += 1
    assert checked >= 20
