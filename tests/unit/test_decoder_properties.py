"""Property tests: the decoder never raises, keeps its spans honest and is deterministic.

Inputs are arbitrary text (NUL, lone surrogates, combining marks, right-to-left
text) and names built from a grammar of real tokens, separators and wrappers
(paths, URLs, checkpoint tails).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmname_lsp.codes import RULES
from mmname_lsp.naming import decode
from mmname_lsp.naming.decoder import MAX_INPUT, Decoder
from mmname_lsp.naming.model import ALL_ROLES, KINDS, SEVERITIES, Decoded
from mmname_lsp.naming.vocabulary import default_vocabulary

SETTINGS = settings(
    max_examples=300,
    deadline=None,  # a loaded CI machine must not make these flaky
    suppress_health_check=[HealthCheck.too_slow],
)

# -- strategies ----------------------------------------------------------------------

ANY_CHAR = st.characters(exclude_categories=())  # includes surrogates and controls
ODD_BITS = st.sampled_from(
    [
        "\x00",
        "\u0301",  # combining acute accent
        "e\u0301",
        "\u200f",  # right-to-left mark
        "\u202e",  # right-to-left override
        "\u05d0\u05d1",  # Hebrew
        "\u0627\u0644",  # Arabic
        "\u0663\u0660\u0660",  # Arabic-Indic digits "300"
        "\ufeff",
        "\u0130",  # capital I with dot: lower() is two code points
        "\ud800",
        "\U0001f600",
        "ß",
        "\u2028",
    ]
)
TOKENS = sorted(default_vocabulary().entries)
NUMBER = st.integers(min_value=0, max_value=4096)
SHAPED = st.one_of(
    st.builds("{}xb{}".format, NUMBER, NUMBER),
    st.builds("{}x{}".format, NUMBER, NUMBER),
    st.builds("{}xB{}".format, NUMBER, NUMBER),
    st.builds("b{}x{}".format, NUMBER, NUMBER),
    st.builds("batch{}".format, NUMBER),
    st.builds("{}e".format, NUMBER),
    st.builds("{}px".format, NUMBER),
    st.builds("p{}".format, NUMBER),
    st.builds("w{}".format, NUMBER),
    st.builds("{}x{}d".format, NUMBER, NUMBER),
    st.builds("v{}.{}".format, NUMBER, NUMBER),
    st.builds(str, NUMBER),
)
WORD = st.one_of(
    st.sampled_from(TOKENS),
    st.sampled_from(TOKENS).map(str.upper),
    SHAPED,
    ODD_BITS,
    st.text(st.sampled_from("abcxyz0123456789.-_"), max_size=6),
)
PART = st.lists(WORD, min_size=1, max_size=5).map("-".join)
SEP = st.sampled_from(["_", "_", "_", "-", "__", "--", "", "/", ".", "\\"])


@st.composite
def grammar_names(draw) -> str:
    parts = draw(st.lists(PART, min_size=1, max_size=7))
    name = parts[0]
    for p in parts[1:]:
        name += draw(SEP) + p
    wrap = draw(
        st.sampled_from(
            [
                "{}",
                "{}.py",
                "{}.PY",
                "configs/x/{}.py",
                "C:\\x\\{}.py",
                "{}_headless.py",
                "_{}.py",
                "{}.pth",
                "{}_20220825-57307488.pth",
                "{}_2022-0825-5730748.pth",
                "{}-0123abcd.pth",
                "https://h.org/a/{}_20220825-57307488.pth?x=1#y",
                "https://h.org/{}/",
                "{}?#",
            ]
        )
    )
    return wrap.format(name)


ANY_TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=80),
    st.lists(st.one_of(ODD_BITS, WORD, st.text(ANY_CHAR, max_size=3)), max_size=12).map("".join),
    grammar_names(),
)


# -- checks ----------------------------------------------------------------------------


def check_valid(text: str, d: Decoded) -> None:
    n = len(text)
    assert d.input == text
    assert d.kind in KINDS
    assert 0 <= d.name_start <= d.name_end <= n
    assert 0.0 <= d.confidence <= 1.0
    for part in d.parts:
        assert part.role in ALL_ROLES
        assert 0 <= part.start <= part.end <= n
        assert text[part.start : part.end] == part.text
        for tok in part.tokens:
            assert part.start <= tok.start <= tok.end <= part.end
            assert text[tok.start : tok.end] == tok.text
            assert isinstance(tok.kind, str) and isinstance(tok.meaning, str)
    starts = [p.start for p in d.parts]
    assert starts == sorted(starts)
    for p in d.problems:
        assert p.code in RULES
        assert p.severity in SEVERITIES
        assert 0 <= p.start <= p.end <= n
        assert p.replacement is None or isinstance(p.replacement, str)
        assert isinstance(p.message, str) and p.message
    assert len(set(d.problems)) == len(d.problems)
    d.to_dict()  # never raises


def snapshot(d: Decoded):
    return d.to_dict(), d.ambiguities, d.confidence, d.name_start, d.name_end


# -- properties ------------------------------------------------------------------------


@SETTINGS
@given(ANY_TEXT, st.sampled_from([None, "model", "config", "checkpoint"]))
def test_decode_never_raises_and_spans_are_valid(text, expected):
    check_valid(text, decode(text, expected))


@SETTINGS
@given(grammar_names())
def test_grammar_names_are_decoded_with_valid_spans(text):
    d = decode(text)
    check_valid(text, d)
    if 0 < len(text) <= MAX_INPUT and text.isascii() and text.isprintable() and " " not in text:
        assert "MMN100" not in {p.code for p in d.problems}


@SETTINGS
@given(ANY_TEXT)
def test_decode_is_deterministic(text):
    first = decode(text)
    assert snapshot(decode(text)) == snapshot(first)
    fresh = Decoder()
    assert snapshot(fresh.decode(text)) == snapshot(first)
    assert snapshot(fresh._decode(text, None)) == snapshot(first) or len(text) > MAX_INPUT


@settings(max_examples=25, deadline=None)
@given(st.text(ANY_CHAR, min_size=1, max_size=20), st.integers(100_000, 120_000))
def test_huge_inputs_return_one_unreadable_problem(seed, size):
    text = (seed * (size // len(seed) + 1))[:size]
    d = decode(text)
    check_valid(text, d)
    assert [(p.code, p.start, p.end) for p in d.problems] == [("MMN100", 0, size)]
    assert d.parts == ()


def test_a_100k_name_like_string_is_unreadable():
    text = ("resnet50_8xb32_in1k_" * 5000)[:100_000]
    d = decode(text)
    assert [p.code for p in d.problems] == ["MMN100"]
    assert "100000 characters" in d.problems[0].message
