"""Name-versus-content checks (MMN3xx) on the configs of tests/fixtures/consistency.

Every check must fire on a contradiction, agree when name and content match,
and stay silent when the value is absent, not statically known, or comes from
a base that cannot be read.  Variants are passed to the reader as editor
buffers (``text=``), so nothing is written outside pytest's ``tmp_path``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

from mmname_lsp.codes import CONSISTENCY, RULES
from mmname_lsp.configs import ConfigCache, resolve_config
from mmname_lsp.naming.decoder import decode
from mmname_lsp.rules import consistency as cons
from mmname_lsp.rules.consistency import (
    AGREE,
    CHECKS,
    CONTRADICT,
    UNKNOWN,
    ConsistencyFinding,
    TokenFact,
    check_consistency,
    evaluate,
    family_checks,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "consistency"
AGREE_DIR = FIXTURES / "agree"
CONTRA_DIR = FIXTURES / "contradict"
ABSENT_DIR = FIXTURES / "absent"
ALL_WRONG = "vit-large-p32_4xb64-amp-cutmix-lbs-steplr-100e_cifar10-384px.py"

_CACHE = ConfigCache()


def run(path: Path, text: Optional[str] = None, name: Optional[str] = None):
    resolved = resolve_config(path, text, cache=None if text is not None else _CACHE)
    decoded = decode(name or path.name, "config")
    return evaluate(decoded, resolved)


def statuses(path: Path, text: Optional[str] = None) -> Dict[Tuple[str, str], str]:
    """``(code, token text) -> status`` of every comparison made."""
    outcomes, _ = run(path, text)
    return {(o.code, o.token.text): o.status for o in outcomes}


def findings(path: Path, text: Optional[str] = None) -> Dict[str, ConsistencyFinding]:
    resolved = resolve_config(path, text, cache=None if text is not None else _CACHE)
    found, _ = check_consistency(decode(path.name, "config"), resolved)
    out = {f.code: f for f in found}
    assert len(out) == len(found), "one finding per code in these fixtures"
    return out


def line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in {path}")


# -- the rules themselves ---------------------------------------------------------


def test_every_check_has_a_consistency_rule() -> None:
    for code in CHECKS:
        rule = RULES[code]
        assert rule.category == CONSISTENCY
        assert rule.code.startswith("MMN3")
        assert rule.explanation and rule.bad and rule.good
        # Renaming a file is a guess about which side is wrong: never a safe fix.
        assert not (rule.fixable and rule.safe_fix)


def test_module_is_pure() -> None:
    source = Path(cons.__file__).read_text(encoding="utf-8")
    for forbidden in ("pygls", "lsprotocol", "open(", "write_text", "write_bytes"):
        assert forbidden not in source


# -- agreement --------------------------------------------------------------------

AGREEING = {
    "vit-base-p16_8xb32-amp-mixup-cutmix-lbs-coslr-300e_in1k-224px.py": {
        ("MMN301", "8xb32"),
        ("MMN302", "8xb32"),
        ("MMN303", "300e"),
        ("MMN304", "coslr"),
        ("MMN305", "amp"),
        ("MMN306", "224px"),
        ("MMN307", "p16"),
        ("MMN309", "base"),
        ("MMN311", "in1k"),
        ("MMN313", "mixup"),
        ("MMN313", "cutmix"),
        ("MMN314", "lbs"),
    },
    "resnet50_8xb32-steplr-100e_in1k.py": {
        ("MMN301", "8xb32"),
        ("MMN303", "100e"),
        ("MMN304", "steplr"),
        ("MMN310", "resnet50"),
    },
    "swin-tiny-w7_8xb32_in1k.py": {("MMN308", "w7"), ("MMN309", "tiny")},
    "mae_vit-base-p16_8xb32-coslr-300e_in1k.py": {("MMN312", "mae"), ("MMN307", "p16")},
    "vit-base-p16_headless.py": {("MMN315", "headless")},
    # New style: `type=ImageNet` imported by name.
    "vit_base_p16_8xb32_in1k.py": {
        ("MMN301", "8xb32"),
        ("MMN307", "p16"),
        ("MMN309", "base"),
        ("MMN311", "in1k"),
    },
    # 32 per GPU with gradients accumulated twice: 64 per GPU and step.
    "accumulate/resnet50_8xb64_in1k.py": {("MMN301", "8xb64"), ("MMN302", "8xb64")},
}


@pytest.mark.parametrize("name", sorted(AGREEING))
def test_agreeing_configs_are_silent(name: str) -> None:
    path = AGREE_DIR / name
    found = statuses(path)
    for key in AGREEING[name]:
        assert found.get(key) == AGREE, (key, found)
    assert CONTRADICT not in found.values(), found
    assert findings(path) == {}


def test_every_check_agrees_somewhere() -> None:
    # The sister repositories' checks are in test_consistency_family.py.
    seen = {code for cases in AGREEING.values() for code, _ in cases}
    assert seen == set(family_checks("mmpretrain"))


# -- contradiction ----------------------------------------------------------------

# code -> (token, replacement, text of the related message)
ALL_WRONG_EXPECTED = {
    "MMN301": ("4xb64", "8xb32", "train_dataloader.batch_size = 32"),
    "MMN303": ("100e", "300e", "train_cfg.max_epochs = 300"),
    "MMN304": ("steplr", "coslr", "'CosineAnnealingLR'"),
    "MMN305": ("amp", None, "optim_wrapper.type = 'OptimWrapper'"),
    "MMN306": ("384px", "224px", "model.backbone.img_size = 224"),
    "MMN307": ("p32", "p16", "model.backbone.patch_size = 16"),
    "MMN309": ("large", "base", "model.backbone.arch = 'b'"),
    "MMN311": ("cifar10", "in1k", "train_dataloader.dataset.type = 'ImageNet'"),
    "MMN313": ("cutmix", None, "[Mixup]"),
    "MMN314": ("lbs", None, "'CrossEntropyLoss'"),
}


@pytest.mark.parametrize("code", sorted(ALL_WRONG_EXPECTED))
def test_contradictions_of_one_config(code: str) -> None:
    path = CONTRA_DIR / ALL_WRONG
    found = findings(path)
    token, replacement, related = ALL_WRONG_EXPECTED[code]
    f = found[code]
    assert path.name[f.start : f.end] == token
    assert f.replacement == replacement
    assert f.severity == RULES[code].severity
    assert token in f.message
    assert any(related in r.message for r in f.related), f.related


def test_all_wrong_config_finds_exactly_those() -> None:
    found = findings(CONTRA_DIR / ALL_WRONG)
    assert set(found) == set(ALL_WRONG_EXPECTED)
    # mixup is used, so only `cutmix` is a contradiction
    assert statuses(CONTRA_DIR / ALL_WRONG)[("MMN302", "4xb64")] == AGREE


def test_related_points_at_the_contradicting_value() -> None:
    path = CONTRA_DIR / ALL_WRONG
    found = findings(path)
    base = FIXTURES / "_base_"
    f = found["MMN301"]
    (bs,) = [r for r in f.related if r.message.startswith("train_dataloader.batch_size")]
    assert bs.file == str(base / "imagenet_bs32.py")
    assert bs.line == line_of(base / "imagenet_bs32.py", "batch_size=32")
    assert (bs.end_line, bs.end_col - bs.col) == (bs.line, 2)
    wrapper = found["MMN305"].related[0]
    assert wrapper.file == str(path)
    assert wrapper.line == line_of(path, "optim_wrapper = dict(type='OptimWrapper')")
    # the per-GPU fix uses the total batch size to find the GPUs
    assert any(r.message == "auto_scale_lr.base_batch_size = 256" for r in f.related)


@pytest.mark.parametrize(
    "name,code,token,replacement",
    [
        ("vit-base-p16_16xb32_in1k.py", "MMN302", "16xb32", "8xb32"),
        ("swin-tiny-w12_8xb32_in1k.py", "MMN308", "w12", "w7"),
        ("resnet101_8xb32_in1k.py", "MMN310", "resnet101", "resnet50"),
        ("mae_vit-base-p16_8xb32-coslr-300e_in1k.py", "MMN312", "mae", None),
        ("vit-base-p16_headless.py", "MMN315", "headless", None),
    ],
)
def test_single_contradictions(
    name: str, code: str, token: str, replacement: Optional[str]
) -> None:
    path = CONTRA_DIR / name
    found = findings(path)
    assert set(found) == {code}
    f = found[code]
    assert name[f.start : f.end] == token
    assert f.replacement == replacement
    assert f.related


def test_headless_names_what_it_should_not_have() -> None:
    f = findings(CONTRA_DIR / "vit-base-p16_headless.py")["MMN315"]
    assert {r.message.split(" = ")[0] for r in f.related} == {"model.head", "train_dataloader"}


def test_every_check_contradicts_somewhere() -> None:
    seen = set(ALL_WRONG_EXPECTED) | {"MMN302", "MMN308", "MMN310", "MMN312", "MMN315"}
    assert seen == set(family_checks("mmpretrain"))


# -- silence ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "folder", ["", "unresolved", "missing_base"], ids=["absent", "unresolved", "missing-base"]
)
def test_absent_values_keep_every_check_silent(folder: str) -> None:
    path = ABSENT_DIR / folder / ALL_WRONG
    found = statuses(path)
    # the name speaks of everything the all-wrong config contradicts ...
    assert {code for code, _ in found} >= set(ALL_WRONG_EXPECTED)
    # ... and nothing could be compared
    assert set(found.values()) == {UNKNOWN}, found
    assert findings(path) == {}


def test_missing_base_reported_by_the_reader_not_by_us() -> None:
    resolved = resolve_config(ABSENT_DIR / "missing_base" / ALL_WRONG)
    assert [i.kind for i in resolved.issues] == ["missing"]


def test_iteration_based_training_is_not_compared_with_epochs() -> None:
    found = statuses(ABSENT_DIR / "iter" / "resnet50_8xb32-steplr-100e_in1k.py")
    assert found[("MMN303", "100e")] == UNKNOWN
    assert found[("MMN304", "steplr")] == AGREE


def test_custom_dataset_is_neutral() -> None:
    found = statuses(ABSENT_DIR / "custom" / "resnet50_8xb32_cifar10.py")
    assert found[("MMN311", "cifar10")] == UNKNOWN


def test_headless_without_a_model_is_unknown() -> None:
    path = ABSENT_DIR / "vit-base-p16_headless.py"  # never on disk: an editor buffer
    found = statuses(path, "_base_ = ['../_base_/runtime.py']\n")
    assert found[("MMN315", "headless")] == UNKNOWN
    assert set(found.values()) == {UNKNOWN}


# -- variants as editor buffers ----------------------------------------------------

BASES = """_base_ = [
    '../_base_/model_vit.py',
    '../_base_/imagenet_bs32.py',
    '../_base_/cos_300e.py',
    '../_base_/runtime.py',
]
"""


def variant(name: str, extra: str) -> Tuple[List[ConsistencyFinding], List[TokenFact]]:
    path = CONTRA_DIR / name  # not on disk: the text is given
    resolved = resolve_config(path, BASES + extra)
    return check_consistency(decode(name, "config"), resolved)


def test_gpus_kept_when_the_total_is_unknown() -> None:
    found, _ = variant(
        "vit-base-p16_8xb32_in1k.py",
        "auto_scale_lr = None\ntrain_dataloader = dict(batch_size=64)\n",
    )
    (f,) = found
    assert (f.code, f.replacement) == ("MMN301", "8xb64")


def test_total_not_reported_twice() -> None:
    # 8 x 64 = 512 != 256, but the per-GPU size is the real mistake.
    found, _ = variant("vit-base-p16_8xb64_in1k.py", "")
    assert [(f.code, f.replacement) for f in found] == [("MMN301", "8xb32")]


def test_legacy_samples_per_gpu_is_mentioned() -> None:
    found, _ = variant("vit-base-p16_8xb128_in1k.py", "data = dict(samples_per_gpu=128)\n")
    (f,) = found
    assert any(r.message.startswith("data.samples_per_gpu = 128") for r in f.related)


def test_unused_dataset_type_variable_is_mentioned() -> None:
    found, _ = variant("vit-base-p16_8xb32_in21k.py", "dataset_type = 'ImageNet21k'\n")
    (f,) = found
    assert f.code == "MMN311" and f.replacement == "in1k"
    assert any("dataset_type" in r.message for r in f.related)


def test_train_crop_below_test_size_is_a_recipe() -> None:
    extra = (
        "model = dict(backbone=dict(img_size=384))\n"
        "val_dataloader = dict(dataset=dict(pipeline=[\n"
        "    dict(type='LoadImageFromFile'),\n"
        "    dict(type='Resize', scale=(384, 384)),\n"
        "    dict(type='PackInputs')]))\n"
    )
    found, facts = variant(
        "vit-base-p16_8xb32_in1k-384px.py", extra + "test_dataloader = val_dataloader\n"
    )
    assert found == []
    (fact,) = [x for x in facts if x.text == "384px"]
    assert "train_dataloader.dataset.pipeline[1].scale = 224" in fact.summary
    assert "model.backbone.img_size = 384" in fact.summary


def test_test_loader_left_behind() -> None:
    # Only the validation pipeline was changed: testing still runs at 224.
    extra = (
        "model = dict(backbone=dict(img_size=384))\n"
        "val_dataloader = dict(dataset=dict(pipeline=[\n"
        "    dict(type='LoadImageFromFile'),\n"
        "    dict(type='CenterCrop', crop_size=384),\n"
        "    dict(type='PackInputs')]))\n"
    )
    found, _ = variant("vit-base-p16_8xb32_in1k-384px.py", extra)
    (f,) = found
    assert f.code == "MMN306" and f.replacement is None
    assert [r.message for r in f.related] == ["test_dataloader.dataset.pipeline[2].crop_size = 224"]


def test_train_crop_used_when_nothing_else_is_known() -> None:
    extra = (
        "model = dict(backbone=dict(img_size=None))\ntest_dataloader = None\n"
        "val_dataloader = None\n"
    )
    found, _ = variant("vit-base-p16_8xb32_in1k-192px.py", extra)
    (f,) = found
    assert f.code == "MMN306" and f.replacement == "224px"
    assert "train_dataloader.dataset.pipeline[1].scale = 224" in f.related[0].message


def test_cosine_weight_decay_is_not_a_cosine_lr() -> None:
    extra = (
        "param_scheduler = [dict(type='MultiStepLR', milestones=[30]),\n"
        "    dict(type='CosineAnnealingParamScheduler', param_name='weight_decay')]\n"
    )
    found, _ = variant("vit-base-p16_8xb32-coslr_in1k.py", extra)
    (f,) = found
    assert (f.code, f.replacement) == ("MMN304", "steplr")


def test_single_scheduler_dict() -> None:
    found, _ = variant(
        "vit-base-p16_8xb32-coslr_in1k.py", "param_scheduler = dict(type='CosineAnnealingLR')\n"
    )
    assert found == []


def test_legacy_fp16_key_counts_as_amp() -> None:
    found, _ = variant(
        "vit-base-p16_8xb32-fp16_in1k.py",
        "optim_wrapper = dict(type='OptimWrapper')\nfp16 = dict(loss_scale=512.0)\n",
    )
    assert found == []


def test_letter_sizes_keep_their_style() -> None:
    found, _ = variant("vit-l-p16_8xb32_in1k.py", "")
    (f,) = found
    assert (f.code, f.replacement) == ("MMN309", "b")


def test_arch_that_is_no_size_is_not_compared() -> None:
    found, _ = variant(
        "vit-large-p16_8xb32_in1k.py", "model = dict(backbone=dict(arch='deit-large'))\n"
    )
    assert found == []
    found, _ = variant(
        "vit-large-p16_8xb32_in1k.py",
        "model = dict(backbone=dict(arch=dict(embed_dims=1024, num_layers=24)))\n",
    )
    assert found == []


def test_pretrain_part_is_not_compared() -> None:
    # `in21k` and `800e` describe the pre-training, not this config.
    found, _ = variant("vit-base-p16_mae-in21k-800e-pre_8xb32-coslr-300e_in1k.py", "")
    assert found == []


# -- hover facts ------------------------------------------------------------------


def test_facts_for_hover() -> None:
    path = AGREE_DIR / "vit-base-p16_8xb32-amp-mixup-cutmix-lbs-coslr-300e_in1k-224px.py"
    _, facts = run(path)
    by_text = {f.text: f for f in facts}
    bs = by_text["8xb32"]
    assert path.name[bs.start : bs.end] == "8xb32"
    line = line_of(FIXTURES / "_base_" / "imagenet_bs32.py", "batch_size=32") + 1
    assert bs.summary.startswith(
        f"config: train_dataloader.batch_size = 32 (imagenet_bs32.py:{line})"
    )
    assert "auto_scale_lr.base_batch_size = 256" in bs.summary
    assert "'AmpOptimWrapper'" in by_text["amp"].summary
    assert "[LinearLR, CosineAnnealingLR]" in by_text["coslr"].summary
    # facts are sorted and do not overlap
    spans = [(f.start, f.end) for f in facts]
    assert spans == sorted(spans)


def test_offsets_index_a_full_path() -> None:
    path = CONTRA_DIR / ALL_WRONG
    text = str(path)
    found, facts = check_consistency(decode(text, "config"), resolve_config(path, cache=_CACHE))
    assert found and facts
    for f in found:
        assert text[f.start : f.end] in ALL_WRONG
        assert f.start > len(str(CONTRA_DIR))
    for fact in facts:
        assert text[fact.start : fact.end] == fact.text


def test_not_a_name_gives_nothing() -> None:
    path = AGREE_DIR / "resnet50_8xb32-steplr-100e_in1k.py"
    resolved = resolve_config(path, cache=_CACHE)
    assert check_consistency(decode("", "config"), resolved) == ([], [])
    assert check_consistency(decode("my_experiment.py", "config"), resolved) == ([], [])


def test_label_smoothing_switched_off() -> None:
    found, _ = variant(
        "vit-base-p16_8xb32-lbs_in1k.py", "model = dict(head=dict(loss=dict(label_smooth_val=0)))\n"
    )
    (f,) = found
    assert f.code == "MMN314" and "label_smooth_val = 0" in f.message


def test_class_names_with_a_module_prefix() -> None:
    extra = (
        "optim_wrapper = dict(type='mmengine.optim.AmpOptimWrapper')\n"
        "model = dict(train_cfg=dict(augments=[dict(type='mmpretrain.models.CutMix')]))\n"
    )
    found, _ = variant("vit-base-p16_8xb32-amp-cutmix_in1k.py", extra)
    assert found == []
