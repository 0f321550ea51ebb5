"""Property tests: a valid name with a new algorithm or backbone word.

Replacing the algorithm word or the backbone word of a valid name by a word
the decoder has never seen must not produce a warning or an error, and must
leave every other part's role as it was.  A word one small edit away from a
known word is left out on purpose: that one is a probable typo by design.
"""

from __future__ import annotations

from typing import List, Tuple

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mmname_lsp.naming import patterns
from mmname_lsp.naming.decoder import Decoder
from mmname_lsp.naming.model import ALGORITHM, MODULE
from mmname_lsp.naming.vocabulary import default_vocabulary
from mmname_lsp.naming.zoo import Zoo

SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# Valid names in the convention's form, with where their algorithm (`a`)
# and backbone (`b`) words are: (name, index of the part, index of the word).
VALID: List[Tuple[str, str, Tuple[int, int]]] = [
    ("mae_vit-base-p16_8xb512-amp-coslr-300e_in1k", "a", (0, 0)),
    ("mae_vit-base-p16_8xb512-amp-coslr-300e_in1k", "b", (1, 0)),
    ("beit_beit-base-p16_8xb256-amp-coslr-300e_in1k", "a", (0, 0)),
    ("simclr_resnet50_16xb256-coslr-200e_in1k", "a", (0, 0)),
    ("mocov3_vit-small-p16_16xb256-amp-coslr-300e_in1k", "a", (0, 0)),
    ("mocov3_vit-small-p16_16xb256-amp-coslr-300e_in1k", "b", (1, 0)),
    ("simmim_swin-base-w6_8xb256-amp-coslr-100e_in1k-192px", "a", (0, 0)),
    ("simmim_swin-base-w6_8xb256-amp-coslr-100e_in1k-192px", "b", (1, 0)),
    ("vit-base-p16_mae-in21k-pre_8xb128-coslr-100e_in1k", "b", (0, 0)),
    ("vit-base-p32_clip-openai-pre_3rdparty_in1k", "b", (0, 0)),
    ("convnext-base_32xb128_in1k", "b", (0, 0)),
    ("swin-base_16xb64_in1k-384px", "b", (0, 0)),
    ("deit-small_4xb256_in1k", "b", (0, 0)),
    ("efficientnet-b0_3rdparty_8xb32_in1k", "b", (0, 0)),
    ("resnet50_8xb32-coslr_in1k", "b", (0, 0)),
]

_VOCAB = default_vocabulary()
_DECODER = Decoder(zoo=Zoo({}, {}, {}))


def _new_word(word: str) -> bool:
    return (
        word not in _VOCAB
        and patterns.classify(word) is None
        and _VOCAB.suggest(word) is None
        and word not in ("pre", "headless")
    )


NEW_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=10).filter(
    _new_word
)


def _replace(name: str, where: Tuple[int, int], word: str, keep_digits: bool) -> str:
    parts = [p.split("-") for p in name.split("_")]
    i, j = where
    old = parts[i][j]
    digits = old[len(old.rstrip("0123456789")) :] if keep_digits else ""
    parts[i][j] = word + digits
    return "_".join("-".join(p) for p in parts)


def _loud(d) -> list:
    return [(p.code, p.severity, p.message) for p in d.problems
            if p.severity in ("warning", "error")]


@SETTINGS
@given(case=st.sampled_from(VALID), word=NEW_WORDS, keep_digits=st.booleans())
def test_a_new_algorithm_or_backbone_word_is_no_finding(case, word, keep_digits):
    name, which, where = case
    new = _replace(name, where, word, keep_digits and which == "b")
    assume(new != name)
    before, after = _DECODER.decode(name), _DECODER.decode(new)
    assert _loud(after) == _loud(before) == [], (new, _loud(after))
    roles_before = [p.role for p in before.parts]
    roles_after = [p.role for p in after.parts]
    assert len(roles_after) == len(roles_before), (new, roles_after)
    others = [k for k in range(len(roles_before)) if k != where[0]]
    assert [roles_after[k] for k in others] == [roles_before[k] for k in others], (
        new, roles_before, roles_after)
    # The part of the new word keeps its role too, and says it was inferred.
    assert roles_after[where[0]] == roles_before[where[0]], (new, roles_after)
    part = after.parts[where[0]]
    if which == "a":
        assert part.role == ALGORITHM and "position" in part.how, (new, part)
    else:
        assert part.role == MODULE, (new, part)
        token = part.tokens[where[1]]
        assert "position" in token.how or token.kind == "backbone", (new, token)
