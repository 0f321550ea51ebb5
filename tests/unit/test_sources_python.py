"""Tests for mmname_lsp.sources.python: literals and their contexts in Python source."""

from __future__ import annotations

import io
import sys
import sysconfig
import token
import tokenize
from pathlib import Path
from typing import List, Optional, Set, Tuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmname_lsp.sources import python as pysrc
from mmname_lsp.sources.python import (
    ALL_CONTEXTS,
    BASE,
    BASE_IMPORT,
    CHECKPOINT,
    LITERAL,
    MODEL_API,
    MODEL_APIS,
    Occurrence,
    extract_python,
)

CORPUS = Path(__file__).resolve().parents[3] / "shared/corpus/mmpretrain"


def check_invariants(source: str, occs: List[Occurrence]) -> None:
    """What every result must satisfy, whatever the input."""
    last_end = -1
    for o in occs:
        assert isinstance(o, Occurrence)
        if o.pieces:
            # Adjacent literals: each piece's value stands in the source.
            bounds = [t for t, _ in o.pieces[1:]] + [len(o.text)]
            for (t_off, s_off), t_end in zip(o.pieces, bounds):
                at = o.start + s_off
                assert source[at : at + t_end - t_off] == o.text[t_off:t_end]
            assert o.start + o.pieces[-1][1] + len(o.text) - o.pieces[-1][0] == o.end
        else:
            assert source[o.start : o.end] == o.text
        assert o.text  # empty literals name nothing and are not reported
        assert o.start >= last_end  # sorted, no overlaps
        last_end = o.end
        assert o.context in ALL_CONTEXTS
        assert o.expected in (None, "model", "config", "checkpoint", "pattern")


def extract(source: str, contexts=None) -> List[Occurrence]:
    occs = extract_python(source, contexts)
    check_invariants(source, occs)
    return occs


def triples(source: str, contexts=None) -> List[Tuple[str, str, Optional[str]]]:
    """(text, context, key) of each occurrence, for compact assertions."""
    return [(o.text, o.context, o.key) for o in extract(source, contexts)]


def find(occs: List[Occurrence], text: str) -> Occurrence:
    hits = [o for o in occs if o.text == text]
    assert len(hits) == 1, (text, occs)
    return hits[0]


# ---------------------------------------------------------------------------
# _base_


@pytest.mark.parametrize(
    "source",
    [
        "_base_ = ['../_base_/models/a.py', \"../_base_/b.py\"]\n",
        "_base_ = [\n    '../_base_/models/a.py',\n    \"../_base_/b.py\",\n]\n",
        "_base_ = ('../_base_/models/a.py', \"../_base_/b.py\",)\n",
        "_base_ = [['../_base_/models/a.py'], ('../_base_/b.py',)]\n",
        "_base_=['../_base_/models/a.py',\n        '../_base_/b.py']  # trailing comment\n",
    ],
)
def test_base_list_tuple_and_nesting(source: str) -> None:
    occs = extract(source)
    assert [(o.text, o.context, o.expected, o.key) for o in occs] == [
        ("../_base_/models/a.py", BASE, "config", "_base_"),
        ("../_base_/b.py", BASE, "config", "_base_"),
    ]


def test_base_single_string() -> None:
    source = "_base_ = '../resnet50_8xb32_in1k.py'\nmodel = dict(type='X')\n"
    occs = extract(source)
    assert triples(source) == [
        ("../resnet50_8xb32_in1k.py", BASE, "_base_"),
        ("X", LITERAL, None),
    ]
    assert occs[0].start == source.index("../")


def test_base_context_ends_with_the_statement() -> None:
    source = "_base_ = ['a.py']\nx = 'b.py'\n"
    assert triples(source) == [("a.py", BASE, "_base_"), ("b.py", LITERAL, None)]


def test_base_attribute_access_is_not_base() -> None:
    source = "_base_.model.backbone = 'x.py'\ncfg._base_ = ['y.py']\nprint(_base_, 'z.py')\n"
    assert {o.context for o in extract(source)} == {LITERAL}


# ---------------------------------------------------------------------------
# base_import (new-style configs)


def test_read_base_imports() -> None:
    source = (
        "from mmengine.config import read_base\n"
        "\n"
        "with read_base():\n"
        "    from .._base_.models.resnet18 import *\n"
        "    # a comment\n"
        "    from .._base_.datasets.imagenet_bs32 import *\n"
        "    from .x import y\n"
        "\n"
        "from mmpretrain.models import ImageClassifier\n"
        "from ..other import z\n"
    )
    occs = extract(source)
    assert [(o.text, o.context, o.expected) for o in occs] == [
        (".._base_.models.resnet18", BASE_IMPORT, "config"),
        (".._base_.datasets.imagenet_bs32", BASE_IMPORT, "config"),
        (".x", BASE_IMPORT, "config"),
    ]
    for o in occs:
        assert source[o.start : o.end] == o.text
        assert o.key == "read_base"


def test_read_base_block_on_one_line() -> None:
    source = "with read_base(): from .._base_.default_runtime import *\nx = 'a'\n"
    assert triples(source) == [
        (".._base_.default_runtime", BASE_IMPORT, "read_base"),
        ("a", LITERAL, None),
    ]


# ---------------------------------------------------------------------------
# checkpoint


def test_checkpoint_keywords_and_assignments() -> None:
    source = (
        "checkpoint = 'https://download.openmmlab.com/a/resnet50_20210831-ea4938fc.pth'\n"
        "load_from = 'work_dirs/epoch_10.pth'\n"
        "resume_from = None\n"
        "model = dict(backbone=dict(pretrained='resnet50_8xb32_in1k'))\n"
        "runner = Runner(load_from='x.pth?download=1', resume_from=\"y.pth\")\n"
    )
    occs = extract(source)
    got = [(o.text, o.context, o.expected, o.key) for o in occs]
    assert got == [
        (
            "https://download.openmmlab.com/a/resnet50_20210831-ea4938fc.pth",
            CHECKPOINT,
            "checkpoint",
            "checkpoint",
        ),
        ("work_dirs/epoch_10.pth", CHECKPOINT, "checkpoint", "load_from"),
        ("resnet50_8xb32_in1k", CHECKPOINT, None, "pretrained"),
        ("x.pth?download=1", CHECKPOINT, "checkpoint", "load_from"),
        ("y.pth", CHECKPOINT, "checkpoint", "resume_from"),
    ]


def test_init_cfg_nesting() -> None:
    source = (
        "model = dict(\n"
        "    type='ImageClassifier',\n"
        "    backbone=dict(\n"
        "        type='ResNet',\n"
        "        depth=50,\n"
        "        init_cfg=dict(\n"
        "            type='Pretrained', checkpoint='https://x/r50.pth', prefix='backbone')),\n"
        "    head=dict(type='LinearClsHead', num_classes=1000))\n"
    )
    assert triples(source) == [
        ("ImageClassifier", LITERAL, None),
        ("ResNet", LITERAL, None),
        ("Pretrained", LITERAL, None),
        ("https://x/r50.pth", CHECKPOINT, "checkpoint"),
        ("backbone", LITERAL, None),
        ("LinearClsHead", LITERAL, None),
    ]


def test_checkpoint_dict_entry_and_dict_keys_skipped() -> None:
    source = "cfg = {'checkpoint': 'a.pth', 'type': 'Pretrained', \"pretrained\": \"b\"}\n"
    assert triples(source) == [
        ("a.pth", CHECKPOINT, "checkpoint"),
        ("Pretrained", LITERAL, None),
        ("b", CHECKPOINT, "pretrained"),
    ]


def test_checkpoint_key_holds_for_the_whole_value() -> None:
    source = (
        "load_from = work_dir + '/latest.pth'\n"
        "model = dict(pretrained=('https://download.openmmlab.com/a/'\n"
        "                         'b_20230101-12345678.pth'), depth=50)\n"
        "x = dict(checkpoint=None, y='z')\n"
    )
    assert triples(source) == [
        ("/latest.pth", CHECKPOINT, "load_from"),
        # Implicitly concatenated pieces are one string, reported joined.
        ("https://download.openmmlab.com/a/b_20230101-12345678.pth", CHECKPOINT, "pretrained"),
        ("z", LITERAL, None),
    ]


# ---------------------------------------------------------------------------
# model_api


@pytest.mark.parametrize("func", sorted(MODEL_APIS - {"list_models"}))
def test_model_api_first_argument(func: str) -> None:
    source = f"obj = {func}('resnet50_8xb32_in1k', device='cpu')\n"
    occs = extract(source)
    o = find(occs, "resnet50_8xb32_in1k")
    assert (o.context, o.expected, o.key) == (MODEL_API, "model", func)
    assert find(occs, "cpu").context == LITERAL


def test_model_api_attribute_calls_and_keyword() -> None:
    source = (
        "import mmpretrain\n"
        "m1 = mmpretrain.get_model('a_in1k', pretrained=True)\n"
        "m2 = mmpretrain.apis.init_model(model='configs/resnet/resnet50_8xb32_in1k.py')\n"
        "m3 = apis . get_model (\n    'b_in1k')\n"
        "inf = ImageClassificationInferencer(model='c_in1k', pretrained='c.pth')\n"
    )
    assert triples(source) == [
        ("a_in1k", MODEL_API, "get_model"),
        ("configs/resnet/resnet50_8xb32_in1k.py", MODEL_API, "init_model"),
        ("b_in1k", MODEL_API, "get_model"),
        ("c_in1k", MODEL_API, "ImageClassificationInferencer"),
        ("c.pth", CHECKPOINT, "pretrained"),
    ]


def test_model_api_second_positional_is_the_checkpoint() -> None:
    source = (
        "get_model('a_in1k', 'a.pth')\n"
        "init_model('cfg.py', 'b.pth', device='cpu')\n"
        "inference_model(model, 'demo.jpg')\n"
        "get_model(name, 'c.pth')\n"
    )
    occs = extract(source)
    assert (find(occs, "a.pth").context, find(occs, "a.pth").key) == (CHECKPOINT, "get_model")
    assert find(occs, "b.pth").expected == "checkpoint"
    assert find(occs, "cpu").context == LITERAL
    assert find(occs, "demo.jpg").context == LITERAL
    assert find(occs, "c.pth").context == CHECKPOINT


def test_list_models_pattern() -> None:
    source = "list_models('swin*in1k')\nmmpretrain.list_models(pattern='*mae*')\n"
    occs = extract(source)
    assert [(o.text, o.context, o.expected, o.key) for o in occs] == [
        ("swin*in1k", MODEL_API, "pattern", "list_models"),
        ("*mae*", MODEL_API, "pattern", "list_models"),
    ]


def test_nested_call_inside_model_api_is_not_the_model() -> None:
    source = "get_model(name_for('x'), device='cuda')\nget_model(m, foo='y')\n"
    assert {o.context for o in extract(source)} == {LITERAL}


def test_function_definitions_are_not_calls() -> None:
    source = "def get_model(model='nope', pretrained='also-nope'):\n    pass\n"
    occs = extract(source)
    assert find(occs, "nope").context == LITERAL
    # A default value keyed "pretrained" still reads as a checkpoint slot.
    assert find(occs, "also-nope").context == CHECKPOINT


# ---------------------------------------------------------------------------
# literal, docstrings, skipped strings


def test_plain_literals() -> None:
    source = "x = 'a'\ny = [\"b\", 'c']\nz = f(1, 'd')\nif m == 'e':\n    pass\n"
    assert triples(source) == [(t, LITERAL, None) for t in "abcde"]
    assert all(o.expected is None for o in extract(source))


def test_docstrings_and_expression_statements_are_skipped() -> None:
    source = (
        '"""Module docstring."""\n'
        "def f():\n"
        "    '''Function docstring.'''\n"
        "    'statement string'\n"
        "    return 'kept'\n"
        "class A:\n"
        '    "class doc"\n'
        "    x = 'kept too'\n"
        "if x: 'same-line body'\n"
        "'a' 'b'\n"
        "'x'; y = 'after semicolon'\n"
        "'joined'.join(items)\n"
        "f = lambda: 'lambda body'\n"
    )
    assert [o.text for o in extract(source)] == [
        "kept",
        "kept too",
        "after semicolon",
        "joined",
        "lambda body",
    ]


@pytest.mark.parametrize(
    "literal",
    [
        "f'resnet50'",
        'F"resnet50"',
        "rf'resnet50'",
        "b'resnet50'",
        "Rb'resnet50'",
        "'res\\net50'",
        "'resnet\\x35'",
        '"res\\"net"',
        "''",
        "f'{model}_in1k'",
        "f'{d[\"k\"]}'",
        "f'''{x}\n'''",
    ],
)
def test_skipped_literals(literal: str) -> None:
    source = f"x = {literal}\ny = 'after'\n"
    assert triples(source) == [("after", LITERAL, None)]


def test_pep701_fstrings_do_not_leak_literals() -> None:
    # Valid from Python 3.12 on; lexed the same way on every version.
    source = (
        "a = f'{cfg['model']}_{d[\"k\"]:>{width}}'\n"
        "b = f\"{f'{x!r}'}\"\n"
        "c = f'{x:{'{'}}}' + 'after'\n"
        "d = f'{(\n    1 + 2\n)}'\n"
        "e = 'last'\n"
    )
    assert [o.text for o in extract(source)] == ["after", "last"]


def test_raw_and_unicode_prefixed_strings_are_kept() -> None:
    source = "a = r'C:\\models\\r50.pth'\nb = u'resnet18_8xb32_in1k'\nc = R\"x\\d\"\n"
    assert [o.text for o in extract(source)] == [
        "C:\\models\\r50.pth",
        "resnet18_8xb32_in1k",
        "x\\d",
    ]


def test_triple_quoted_strings() -> None:
    source = "x = '''abc'''\ny = \"\"\"two\nlines\"\"\"\nz = '''it's'''\n"
    assert [o.text for o in extract(source)] == ["abc", "two\nlines", "it's"]


def test_comments_hide_quotes() -> None:
    source = "x = 1  # it's a 'comment'\ny = 'real'  # \"also\"\n"
    assert [o.text for o in extract(source)] == ["real"]


def test_contexts_filter() -> None:
    source = (
        "_base_ = ['a.py']\n"
        "checkpoint = 'b.pth'\n"
        "m = get_model('c')\n"
        "d = 'd'\n"
        "with read_base():\n"
        "    from .e import *\n"
    )
    everything = extract(source)
    assert [o.context for o in everything] == [BASE, CHECKPOINT, MODEL_API, LITERAL, BASE_IMPORT]
    for ctx in ALL_CONTEXTS:
        assert extract(source, [ctx]) == [o for o in everything if o.context == ctx]
    assert extract(source, {CHECKPOINT, MODEL_API}) == everything[1:3]
    assert extract(source, []) == []
    assert extract(source, ["no-such-context"]) == []


def test_occurrence_is_a_frozen_value() -> None:
    (o,) = extract("x = get_model('a')\n")
    assert o == Occurrence("a", 15, 16, MODEL_API, "model", "get_model")
    assert hash(o) == hash(Occurrence("a", 15, 16, MODEL_API, "model", "get_model"))
    with pytest.raises(AttributeError):
        o.text = "b"  # type: ignore[misc]


# ---------------------------------------------------------------------------
# offsets


def test_offsets_after_cjk_and_emoji_on_the_same_line() -> None:
    source = "x = dict(note='模型 🚀', checkpoint='r50_🚀.pth')  # 说明\ny = 'ok'\n"
    occs = extract(source)
    assert [o.text for o in occs] == ["模型 🚀", "r50_🚀.pth", "ok"]
    assert occs[1].start == source.index("r50_")
    assert occs[1].context == CHECKPOINT
    assert occs[2].start == source.index("'ok'") + 1


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_line_endings(newline: str) -> None:
    lines = [
        "_base_ = [",
        "    '../_base_/a.py',",
        "]",
        "def f():",
        "    '''doc'''",
        "    return get_model('m_in1k')",
        "checkpoint = 'c.pth'",
    ]
    source = newline.join(lines) + newline
    assert triples(source) == [
        ("../_base_/a.py", BASE, "_base_"),
        ("m_in1k", MODEL_API, "get_model"),
        ("c.pth", CHECKPOINT, "checkpoint"),
    ]


def test_crlf_inside_triple_quoted_string_is_skipped() -> None:
    # Python reads "\r\n" inside a literal as "\n": the value differs from the text.
    source = "x = '''a\r\nb'''\r\ny = 'c'\r\n"
    assert [o.text for o in extract(source)] == ["c"]


def test_other_unicode_line_separators_are_not_line_breaks() -> None:
    # str.splitlines() splits on these; Python's tokenizer does not.
    source = "x = 'a\x0cb' \x0c ; y = 'c\u2028d' ; z = 'e\x85f'\n"
    assert [o.text for o in extract(source)] == ["a\x0cb", "c\u2028d", "e\x85f"]


# ---------------------------------------------------------------------------
# broken code


def test_unclosed_paren_then_later_statements() -> None:
    source = (
        "model = dict(type='A',\n"
        "    backbone=dict(depth=50\n"
        "_base_ = ['../_base_/b.py']\n"
        "checkpoint = 'c.pth'\n"
        "m = get_model('d')\n"
    )
    assert triples(source) == [
        ("A", LITERAL, None),
        ("../_base_/b.py", BASE, "_base_"),
        ("c.pth", CHECKPOINT, "checkpoint"),
        ("d", MODEL_API, "get_model"),
    ]


def test_unclosed_paren_at_end_of_file() -> None:
    source = "x = 'a'\nm = get_model('b',\n"
    assert triples(source) == [("a", LITERAL, None), ("b", MODEL_API, "get_model")]


def test_bad_indentation() -> None:
    source = "if x:\n        a = 'a'\n    b = 'b'\n  c = 'c'\n\td = get_model('d')\n"
    assert [o.text for o in extract(source)] == ["a", "b", "c", "d"]
    assert extract(source)[-1].context == MODEL_API


def test_unterminated_single_quoted_string() -> None:
    source = "x = 'abc\ny = \"def\nz = 'ghi'\ncheckpoint = 'j.pth'\n"
    assert triples(source) == [("ghi", LITERAL, None), ("j.pth", CHECKPOINT, "checkpoint")]


def test_unterminated_triple_quoted_string() -> None:
    # Python would read to EOF; one stray quote must not hide the rest.
    source = 'x = 1\n\'\'\'unterminated docstring\nload_from = \'a.pth\'\ny = """b"""\n'
    assert triples(source) == [("a.pth", CHECKPOINT, "load_from"), ("b", LITERAL, None)]


def test_unterminated_fstring() -> None:
    source = "x = f'{model\ny = 'after'\nz = f\"{\n_base_ = ['b.py']\n"
    assert triples(source) == [("after", LITERAL, None), ("b.py", BASE, "_base_")]


def test_junk_between_statements() -> None:
    source = "x = 'a' $ ? ` !\n😀 = 'b'\n€ = get_model('c')\n) ] }\ny = 'd'\n"
    assert [o.text for o in extract(source)] == ["a", "b", "c", "d"]


def test_nul_bytes_and_binary_content() -> None:
    source = "x = 'a'\x00\x00\ny = 'b\x00c'\n" + "".join(map(chr, range(256))) + "\nz = 'd'\n"
    texts = [o.text for o in extract(source)]
    assert texts[:2] == ["a", "b\x00c"]
    assert texts[-1] == "d"


def test_huge_line_does_not_raise() -> None:
    source = "x = [" + ", ".join(f"'mm{i}'" for i in range(100_000)) + "]\n"
    assert len(source) > 1_000_000
    occs = extract(source)
    assert len(occs) == 100_000
    assert occs[-1].text == "mm99999"
    long_expr = "y = " + "a + " * 300_000 + "'end'\n"
    assert [o.text for o in extract(long_expr)] == ["end"]
    long_literal = "z = '" + "x" * 1_000_000 + "'\n"
    assert extract(long_literal)[0].end == len(long_literal) - 2


def test_pathological_inputs_stay_linear_and_complete() -> None:
    # Each of these would be quadratic with a naive recovery strategy; here they
    # must simply finish (pytest's own timeout is the guard) with sane results.
    assert extract("'''" + "\\'''" * 20_000) == []
    assert extract("[" * 50_000 + ")" * 50_000 + "\nx = 'a'\n")[-1].text == "a"
    many = "x = [\n" + "".join(f"    'lit{i}',\n" for i in range(100_000)) + "]\n"
    assert len(extract(many)) == 100_000


def test_non_string_input_returns_empty() -> None:
    assert extract_python(b"x = 'a'") == []  # type: ignore[arg-type]
    assert extract_python(None) == []  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# properties


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_property_arbitrary_text(source: str) -> None:
    out: List[Occurrence] = []
    # Call the scanner itself: extract_python would hide a crash.
    pysrc._scan(source, frozenset(ALL_CONTEXTS), out)
    check_invariants(source, out)
    assert extract_python(source) == out


_FRAGMENTS = [
    "_base_",
    " = ",
    "=",
    "==",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    ",",
    ":",
    ";",
    ".",
    " ",
    "\n",
    "\r\n",
    "\r",
    "    ",
    "\t",
    "#",
    "# c\n",
    "\\",
    "\\\n",
    "'",
    '"',
    "'''",
    '"""',
    "'a.py'",
    '"b.pth"',
    "r'c\\d'",
    "f'{x}'",
    "f'{",
    "b'x'",
    "'es\\'c'",
    "checkpoint=",
    "pretrained",
    "load_from = ",
    "get_model(",
    "list_models(",
    "x.",
    "dict(",
    "def ",
    "class ",
    "from ",
    ".._base_.m",
    " import *",
    "with read_base():",
    "if x:",
    "1.5e-3",
    "模型",
    "🚀",
    "\x00",
    "\x0c",
    "\u2028",
    "model=",
    "'k': ",
    "lambda: ",
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=60))
def test_property_python_like_text(parts: List[str]) -> None:
    source = "".join(parts)
    out: List[Occurrence] = []
    pysrc._scan(source, frozenset(ALL_CONTEXTS), out)
    check_invariants(source, out)
    for ctx in ALL_CONTEXTS:
        assert extract_python(source, [ctx]) == [o for o in out if o.context == ctx]


# ---------------------------------------------------------------------------
# cross-check against the stdlib tokenizer on valid code

_COMPOUND = {
    "if",
    "elif",
    "else",
    "for",
    "while",
    "def",
    "class",
    "try",
    "except",
    "finally",
    "with",
    "async",
    "match",
    "case",
}


def tokenize_literals(source: str) -> Set[Tuple[int, int, str]]:
    """The plain literals per the stdlib tokenizer, minus dict keys and string statements.

    An independent second reading of the rules extract_python implements, for
    source that tokenizes (LF line endings).
    """
    line_starts = [0]
    for line in source.split("\n"):
        line_starts.append(line_starts[-1] + len(line) + 1)
    fstring_start = getattr(token, "FSTRING_START", None)
    toks = []
    fdepth = 0
    for t in tokenize.generate_tokens(io.StringIO(source).readline):
        if t.type in (tokenize.COMMENT, tokenize.NL):
            continue
        if fstring_start is not None and t.type == fstring_start:
            if not fdepth:
                toks.append(("FSTRING", t))  # 3.12+: one opaque token per f-string
            fdepth += 1
        elif fstring_start is not None and t.type == token.FSTRING_END:
            fdepth -= 1
        elif not fdepth:
            toks.append((tokenize.tok_name[t.type], t))
    found = set()
    brackets: List[str] = []
    prev = "NEWLINE"
    first: Optional[str] = None  # first name of the logical line
    i = 0
    while i < len(toks):
        kind, t = toks[i]
        if kind in ("STRING", "FSTRING"):
            j = i
            while j < len(toks) and toks[j][0] in ("STRING", "FSTRING"):
                j += 1
            nkind, nt = toks[j] if j < len(toks) else ("ENDMARKER", None)
            dict_key = bool(brackets) and brackets[-1] == "{" and nkind == "OP" and nt.string == ":"
            statement = (
                not brackets
                and prev in ("NEWLINE", "INDENT", "DEDENT", ";", ":")
                and (nkind in ("NEWLINE", "ENDMARKER") or (nkind == "OP" and nt.string == ";"))
            )
            # Adjacent literals are one string: reported once, joined, when
            # every piece's value is its text.
            pieces = []
            for kind_k, tk in toks[i:j]:
                if kind_k != "STRING" or dict_key or statement:
                    pieces.append(None)
                    continue
                text = tk.string
                q = 0
                while text[q] not in "'\"":
                    q += 1
                prefix = text[:q].lower()
                qlen = 3 if text[q : q + 3] in ("'''", '"""') else 1
                body = text[q + qlen : len(text) - qlen]
                if set(prefix) & set("bft") or not body or "\r" in body:
                    pieces.append(None)
                    continue
                if "\\" in body and "r" not in prefix:
                    pieces.append(None)
                    continue
                start = line_starts[tk.start[0] - 1] + tk.start[1] + q + qlen
                pieces.append((start, start + len(body), body))
            if pieces and None not in pieces and not (dict_key or statement):
                found.add((pieces[0][0], pieces[-1][1], "".join(p[2] for p in pieces)))
            prev = "STRING"
            i = j
            continue
        if kind == "OP":
            if t.string in "([{":
                brackets.append(t.string)
            elif t.string in ")]}" and brackets:
                brackets.pop()
            prev = "OP"
            if t.string == ";" and not brackets:
                prev = ";"
                first = None
            elif t.string == ":" and not brackets and first in _COMPOUND:
                prev = ":"
        else:
            if kind in ("NEWLINE", "INDENT", "DEDENT"):
                first = None
            elif first is None:
                first = t.string
            prev = kind
        i += 1
    return found


def assert_matches_tokenize(source: str) -> None:
    expected = tokenize_literals(source)
    got = {(o.start, o.end, o.text) for o in extract(source) if o.context != BASE_IMPORT}
    assert got == expected


TRICKY_VALID_SOURCE = "\n".join(
    [
        '"""Docstring with \'quotes\' and "more"."""',
        "import mmpretrain",
        "from mmpretrain import get_model",
        "",
        "_base_ = ['../_base_/models/resnet50.py',",
        "          \"../_base_/datasets/imagenet_bs32.py\"]  # comment with 'quote'",
        "x = r'raw\\d' + u'uni' + b'bytes' + rb'raw-bytes' + Rb\"x\" + BR'y'",
        "y = '''triple ' \" '' inside''' + \"\"\"other\"\"\"",
        "z = f'{x!r:>10}' f\"{y}\" 'tail' \"tail2\"",
        "w = {'key': 'value', \"k2\": (\"v2\"), 3: 'v3', **{'k4': 'v4'}}",
        "v = [s for s in ('a', 'b') if s != 'c'][0:'d'.find('e')]",
        "u = 'a\\",
        "b'",
        "t = lambda q='default': q or 'fallback'",
        "",
        "",
        "class Model:",
        '    """Class docstring."""',
        "",
        "    name: str = 'annotated'",
        "",
        "    def method(self, arg='default2') -> 'Forward':",
        '        """Method docstring."""',
        "        'not a docstring but a statement'",
        "        return get_model('r50_8xb32_in1k', pretrained='x.pth'); 'after-semicolon'",
        "",
        "",
        "if __name__ == '__main__':",
        "    print('done', end='')",
        "",
    ]
)


def test_matches_tokenize_on_tricky_source() -> None:
    assert_matches_tokenize(TRICKY_VALID_SOURCE)


def _stdlib_sample() -> List[Path]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(stdlib.glob("*.py"))
    return files[::10][:30]


@pytest.mark.parametrize("path", _stdlib_sample(), ids=lambda p: p.name)
def test_matches_tokenize_on_stdlib_modules(path: Path) -> None:
    try:
        source = path.read_text(encoding="utf-8")
        tokenize_literals(source)
    except (UnicodeDecodeError, SyntaxError, tokenize.TokenError):
        pytest.skip(f"{path.name} does not tokenize as UTF-8 here")
    assert_matches_tokenize(source)


# ---------------------------------------------------------------------------
# the real MMPretrain tree


def _corpus_configs() -> List[Path]:
    tree = CORPUS / "tree" / "configs"
    if not tree.is_dir():
        pytest.skip(f"corpus not found at {tree}")
    files = sorted(tree.rglob("*.py"))
    assert files
    return files


@pytest.mark.corpus
def test_corpus_configs_extract_cleanly() -> None:
    total = 0
    for path in _corpus_configs():
        source = path.read_text(encoding="utf-8")
        occs = extract(source)
        total += len(occs)
        assert_matches_tokenize(source)
    assert total > 1000


@pytest.mark.corpus
def test_corpus_name_literal_rows_are_found() -> None:
    rows_file = CORPUS / "python_name_literals.txt"
    if not rows_file.is_file():
        pytest.skip(f"corpus file not found: {rows_file}")
    tree = CORPUS / "tree"
    cache = {}
    found = {"config_path": 0, "checkpoint_url": 0}
    seen = {"config_path": 0, "checkpoint_url": 0}
    missed = []
    for row in rows_file.read_text(encoding="utf-8").splitlines():
        rel, line, literal, kind, key_path = row.split("\t")
        if kind not in seen or not (tree / rel).is_file():
            continue
        if rel not in cache:
            source = (tree / rel).read_text(encoding="utf-8")
            starts = [0]
            for text_line in source.splitlines(keepends=True):
                starts.append(starts[-1] + len(text_line))
            cache[rel] = (extract(source), starts)
        occs, starts = cache[rel]
        lineno = int(line)
        line_lo, line_hi = starts[lineno - 1], starts[min(lineno, len(starts) - 1)]
        if kind == "checkpoint_url":
            want: Optional[str] = CHECKPOINT
        elif key_path.startswith("_base_"):
            want = BASE
        else:
            want = None  # a config path elsewhere: any context will do
        ok_ctx = [o for o in occs if want is None or o.context == want]
        ok = any(o.text == literal and line_lo <= o.start < line_hi for o in ok_ctx)
        if not ok:
            # A literal the corpus merged from implicitly concatenated pieces: the
            # pieces, starting on that line, must spell it.
            joined = ""
            for o in (o for o in ok_ctx if o.start >= line_lo):
                joined += o.text
                if not literal.startswith(joined) or joined == literal:
                    break
            ok = joined == literal
        seen[kind] += 1
        found[kind] += ok
        if not ok:
            missed.append(row)
    assert seen["config_path"] > 1000 and seen["checkpoint_url"] > 10, seen
    for kind in seen:
        assert found[kind] >= 0.95 * seen[kind], (kind, found, seen, missed[:10])


def test_python_version_independent() -> None:
    # The lexer is not tokenize, so results must not depend on the interpreter;
    # spot-check a PEP 701 source on whatever version runs the suite.
    source = "x = f'{a['b']}'\ny = 'c'\n"
    assert [o.text for o in extract(source)] == ["c"], sys.version


def test_a_base_path_joined_with_plus_is_one_path() -> None:
    # MMAction2's i3d configs build a `_base_` file name with an explicit `+`.
    src = ("_base_ = [\n    'i3d_r50-nl-dot-product_' +\n"
           "    '8xb8-32x2x1-100e_kinetics400-rgb.py'\n]\n")
    bases = [o for o in extract(src) if o.context == BASE]
    assert [o.text for o in bases] == ["i3d_r50-nl-dot-product_8xb8-32x2x1-100e_kinetics400-rgb.py"]
    # Elsewhere `+` keeps its strings apart, as Python's tokenizer does.
    assert [o.text for o in extract("x = 'ab' + 'cd'\n")] == ["ab", "cd"]
