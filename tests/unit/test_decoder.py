"""Unit tests of the decoder: behaviours one at a time, and regressions.

The hand-checked readings of whole names are in ``test_decoder_golden.py``.
"""

from __future__ import annotations

import re

import pytest

from mmname_lsp.codes import NAME, RULES
from mmname_lsp.naming import decode
from mmname_lsp.naming.decoder import MAX_INPUT, Decoder, default_decoder
from mmname_lsp.naming.model import Decoded
from mmname_lsp.naming.vocabulary import default_vocabulary
from mmname_lsp.naming.zoo import Zoo


def codes(d: Decoded) -> list:
    return [p.code for p in d.problems]


def roles(d: Decoded) -> list:
    return [p.role for p in d.parts]


@pytest.fixture(scope="module")
def raw() -> Decoder:
    """A decoder without the zoo: rules alone, no cap of upstream names."""
    return Decoder(zoo=Zoo({}, {}, {}))


# -- the registry's own examples ----------------------------------------------------

_NAME_RULES = [r for r in RULES.values() if r.category == NAME]
_CALL = re.compile(r"get_model\('(.*)'\)")


def _example(text: str):
    m = _CALL.fullmatch(text)
    return (m.group(1), "model") if m else (text, None)


@pytest.mark.parametrize("rule", _NAME_RULES, ids=lambda r: r.code)
def test_registry_bad_example_triggers_its_rule(rule, raw):
    text, expected = _example(rule.bad)
    assert rule.code in codes(raw.decode(text, expected))


@pytest.mark.parametrize("rule", _NAME_RULES, ids=lambda r: r.code)
def test_registry_good_example_does_not(rule, raw):
    text, expected = _example(rule.good)
    assert rule.code not in codes(raw.decode(text, expected))


def test_every_name_rule_has_an_example_pair():
    assert {r.code for r in _NAME_RULES} >= {f"MMN{n}" for n in range(100, 120)}


def test_fixable_rules_offer_a_replacement_on_their_example(raw):
    for rule in _NAME_RULES:
        if not rule.fixable or rule.code == "MMN101":  # batch256 has no safe fix
            continue
        text, expected = _example(rule.bad)
        found = [p for p in raw.decode(text, expected).problems if p.code == rule.code]
        assert any(p.replacement is not None for p in found), rule.code


# -- unreadable input ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text, detail",
    [
        ("", "empty"),
        ("resnet50 8xb32_in1k", "white space"),
        ("resnet50\t8xb32", "white space"),
        ("resnet50\x00", "control character"),
        ("res\x1bnet", "control character"),
        ("res\udcffnet", "not valid text"),
        ("a" * (MAX_INPUT + 1), "far too long"),
    ],
)
def test_unreadable_input_is_one_error_over_the_whole_text(text, detail):
    d = decode(text)
    assert d.parts == ()
    assert len(d.problems) == 1
    p = d.problems[0]
    assert (p.code, p.severity, p.start, p.end) == ("MMN100", "error", 0, len(text))
    assert detail in p.message
    assert d.confidence == 0.0


def test_max_input_is_still_decoded():
    text = "a" * MAX_INPUT
    assert "MMN100" not in codes(decode(text))


def test_huge_input_is_neither_scanned_nor_cached():
    dec = Decoder()
    text = "resnet50_" * 20_000
    d = dec.decode(text)
    assert codes(d) == ["MMN100"]
    assert "180000 characters" in d.problems[0].message
    assert dec._cache.cache_info().currsize == 0


def test_non_string_input_is_converted():
    assert decode(12345).input == "12345"


# -- kinds and where the name is ------------------------------------------------------


@pytest.mark.parametrize(
    "text, kind, name",
    [
        ("resnet50_8xb32_in1k", "model", "resnet50_8xb32_in1k"),
        ("configs/resnet/resnet50_8xb32_in1k.py", "config", "resnet50_8xb32_in1k"),
        ("C:\\cfg\\resnet50_8xb32_in1k.py", "config", "resnet50_8xb32_in1k"),
        ("vit-base-p16_headless.py", "config", "vit-base-p16"),
        ("resnet50_8xb32_in1k_20210831-ea4938fc.pth", "checkpoint", "resnet50_8xb32_in1k"),
        ("RESNET50_8XB32_IN1K_20210831-ea4938fc.PTH", "checkpoint", "RESNET50_8XB32_IN1K"),
        (
            "https://x.org/a/resnet50_8xb32_in1k_20210831-ea4938fc.pth?v=1#top",
            "checkpoint",
            "resnet50_8xb32_in1k",
        ),
        ("swin_tiny_patch4_window7_224-160bb0a5.pth", "checkpoint", "swin_tiny_patch4_window7_224"),
    ],
)
def test_kind_and_name_span(text, kind, name):
    d = decode(text)
    assert d.kind == kind
    assert d.name == name


def test_expected_model_turns_a_bare_py_file_into_a_mistake():
    d = decode("resnet50_8xb32_in1k.py", "model")
    assert d.kind == "model"
    assert codes(d) == ["MMN116"]
    # The user's text fails in get_model(): not capped although the model is known.
    assert d.problems[0].severity == "warning"
    assert d.zoo["name"] == "resnet50_8xb32_in1k"


def test_expected_model_accepts_a_config_path():
    d = decode("configs/resnet/resnet50_8xb32_in1k.py", "model")
    assert d.kind == "config"
    assert codes(d) == []


@pytest.mark.parametrize(
    "text", ["epoch_12.pth", "work_dirs/x/iter_4000.pth", "best_accuracy_top1_epoch_9.pth"]
)
def test_mmengine_work_dir_checkpoints_are_not_names(text):
    d = decode(text)
    assert (d.kind, d.parts, d.problems, d.confidence) == ("checkpoint", (), (), 0.0)


def test_private_helper_module_is_not_a_config_name():
    d = decode("configs/resnest/_randaug_policies.py")
    assert (d.kind, d.parts, d.problems) == ("config", (), ())


# -- regressions ----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["resnet50-ea4938fc.pth", "-ea4938fc.pth", "https://h/a/-0123abcd.pth"])
def test_hash_without_underscore_does_not_crash(text):
    d = decode(text)
    assert "MMN115" in codes(d)
    assert d.part("hash").text == text[-12:-4]


def test_upper_case_old_batch_form_does_not_crash_and_has_one_fix():
    d = decode("RESNET50_B32X8_IN1K")
    on_batch = [p for p in d.problems if d.input[p.start : p.end] == "B32X8"]
    assert [(p.code, p.replacement) for p in on_batch] == [("MMN101", "8xb32")]


def test_identical_problems_are_reported_once():
    d = decode("_")
    assert len(d.problems) == len(set(d.problems))


def test_mangled_date_is_a_date_problem_not_a_legacy_name():
    d = decode("resnet50_8xb32_in1k_2022-08-25-57307488.pth")
    assert roles(d) == ["module", "training", "data", "date", "hash"]
    assert codes(d) == ["MMN113"]


def test_batch_marker_is_never_the_module():
    d = decode("8xb32_in1k")
    assert roles(d) == ["training", "data"]
    assert "MMN119" in codes(d)


def test_dataset_before_training_is_pretrain_without_pre():
    d = decode("vit-base-p16_in21k_8xb64_in1k")
    assert roles(d) == ["module", "pretrain", "training", "data"]
    assert [(p.code, p.replacement) for p in d.problems] == [("MMN104", "in21k-pre")]


def test_data_typo_in_data_part():
    d = decode("resnet50_8xb32_in21kk")
    assert [(p.code, p.replacement) for p in d.problems] == [("MMN102", "in21k")]


# -- tokens and their meanings ----------------------------------------------------------


@pytest.mark.parametrize(
    "name, token, kind, words",
    [
        ("resnet50_8xb32_in1k", "resnet50", "backbone", ["depth 50"]),
        ("resnet50_8xb32_in1k", "8xb32", "gpus-x-batch", ["8 GPUs", "32 images", "256"]),
        ("resnet50_8x32_in1k", "8x32", "gpus-x-batch", ["without `b`"]),
        ("resnet50_b32x8_in1k", "b32x8", "gpus-x-batch", ["8xb32"]),
        ("resnet50_8xb32-coslr-300e_in1k", "300e", "epochs", ["300 epochs"]),
        ("vit-base-p16_mae-300e-pre_8xb32_in1k", "300e", "epochs", ["Pre-trained", "300"]),
        ("resnet50_8xb32_in1k-384px", "384px", "resolution", ["384x384"]),
        ("swin-base_3rdparty_in1k-384", "384", "resolution", ["without `px`"]),
        ("vit-base-p16_8xb32_in1k", "p16", "patch", ["16x16"]),
        ("swin-base-w7_8xb32_in1k", "w7", "window", ["window of 7x7"]),
        ("hrnet-w18_3rdparty_8xb32_in1k", "w18", "width", ["Width 18"]),
        ("resnext50-32x4d_8xb32_in1k", "32x4d", "cardinality", ["32 groups"]),
        ("resnet50_8xb32-coslr_in1k", "coslr", "scheduler", ["osine"]),
        ("resnet50_8xb32_in1k_20210831-ea4938fc.pth", "20210831", "date", ["2021-08-31"]),
        ("resnet50_8xb32_in1k_20210831-ea4938fc.pth", "ea4938fc", "hash", ["SHA-256"]),
        ("resnet50_8xb32-colsr_in1k", "colsr", "unknown", ["Not a known word"]),
    ],
)
def test_token_meaning(name, token, kind, words):
    d = decode(name)
    tok = next(t for p in d.parts for t in p.tokens if t.text == token)
    assert tok.kind == kind
    for w in words:
        assert w in tok.meaning


def test_compound_tokens_are_one_word():
    d = decode("cn-clip_resnet50_zeroshot-cls_cn")
    assert d.parts[0].tokens[0].text == "cn-clip"


# -- the result object -----------------------------------------------------------------


def test_decoded_helpers():
    d = decode("resnet50_8xb32-coslr_in1k")
    assert d.name == "resnet50_8xb32-coslr_in1k"
    assert d.part("training").text == "8xb32-coslr"
    assert d.part("pretrain") is None
    assert d.part_at(10).role == "training"
    assert d.token_at(16).text == "coslr"
    assert d.token_at(100) is None
    assert d.worst_severity() is None
    assert decode("resnet50__8xb32_in1k").worst_severity() == "error"
    assert decode("riformer-m36_in1k").worst_severity() == "hint"


def test_to_dict_has_exactly_the_documented_keys():
    d = decode("resnet50_8x32_in1k").to_dict()
    assert set(d) == {"input", "kind", "parts", "problems", "zoo"}
    assert set(d["parts"][0]) == {"role", "text", "start", "end", "tokens"}
    assert set(d["parts"][0]["tokens"][0]) == {"text", "start", "end", "kind", "meaning"}
    assert set(d["problems"][0]) == {"code", "severity", "message", "start", "end", "replacement"}
    assert d["zoo"] is None
    assert decode("resnet50_8xb32_in1k").to_dict()["zoo"]["name"] == "resnet50_8xb32_in1k"


def test_problems_are_sorted_by_position():
    d = decode("RESNET50_8x32-colsr_imagenet")
    keys = [(p.start, p.end, p.code) for p in d.problems]
    assert keys == sorted(keys)
    assert codes(d) == ["MMN107", "MMN101", "MMN102", "MMN103"]


# -- confidence: telling names from ordinary strings ---------------------------------------


@pytest.mark.parametrize("text", ["hello", "True", "data_root", "train_pipeline", "my_model"])
def test_ordinary_strings_have_low_confidence(text):
    assert decode(text).confidence < 0.3


@pytest.mark.parametrize(
    "text", ["resnet50_8xb32_in1k", "vit-base-p16_8xb64-coslr-100e_in1k-384px", "foo_8xb32_in1k"]
)
def test_names_have_high_confidence(text):
    assert decode(text).confidence >= 0.5


# -- caching and instances ----------------------------------------------------------------


def test_cache_returns_the_same_result_as_the_uncached_path():
    dec = Decoder()
    first = dec.decode("resnet50_8xb32_in1k")
    assert dec.decode("resnet50_8xb32_in1k") is first
    assert dec._decode("resnet50_8xb32_in1k", None) == first
    assert dec.decode("resnet50_8xb32_in1k.py", "model") != dec.decode("resnet50_8xb32_in1k.py")


def test_module_decode_uses_one_default_decoder():
    assert default_decoder() is default_decoder()
    assert decode("resnet50_8xb32_in1k") is default_decoder().decode("resnet50_8xb32_in1k")


def test_user_tokens_extend_the_vocabulary():
    vocab = default_vocabulary().with_extra({"mynet": ("backbone", "Our in-house backbone.")})
    d = Decoder(vocabulary=vocab).decode("mynet_8xb32_in1k")
    tok = d.parts[0].tokens[0]
    assert (tok.kind, tok.meaning) == ("backbone", "Our in-house backbone.")
    assert decode("mynet_8xb32_in1k").parts[0].tokens[0].kind == "unknown"


def test_without_the_zoo_upstream_deviations_keep_their_severity(raw):
    name = "resnetv1d50_b32x8_imagenet_20210531-db14775a.pth"
    assert {p.severity for p in decode(name).problems} == {"hint"}
    assert {(p.code, p.severity) for p in raw.decode(name).problems} == {
        ("MMN101", "error"),
        ("MMN103", "warning"),
    }
