"""Open-world names: new words read by structure, shapes read by position,
typos only when sure, learned workspace words, and fixes safe only when they
cannot change meaning."""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

from mmname_lsp.analysis import analyse
from mmname_lsp.configs import resolve_config
from mmname_lsp.naming import patterns
from mmname_lsp.naming.decoder import Decoder, decode
from mmname_lsp.naming.learned import LearnedWords, WordCounter, learn, words_of_class
from mmname_lsp.naming.model import Decoded
from mmname_lsp.naming.vocabulary import LEARNED, default_vocabulary
from mmname_lsp.naming.zoo import Zoo
from mmname_lsp.rules.consistency import AGREE, CONTRADICT, evaluate
from mmname_lsp.sources.python import extract_python, looks_like_config, registered_names

RAW = Decoder(zoo=Zoo({}, {}, {}))


def roles(d: Decoded) -> List[str]:
    return [p.role for p in d.parts]


def loud(d: Decoded) -> List[str]:
    return [p.code for p in d.problems if p.severity in ("warning", "error")]


def token(d: Decoded, text: str):
    return next(t for p in d.parts for t in p.tokens if t.text == text)


# -- the two examples -------------------------------------------------------


def test_unknown_part_before_a_sure_module_is_the_algorithm():
    d = RAW.decode("myalgo_vit-base-p16_8xb64-coslr-100e_in1k")
    assert roles(d) == ["algorithm", "module", "training", "data"]
    assert d.problems == ()
    assert "position" in d.parts[0].how
    assert "position" in token(d, "myalgo").how
    assert token(d, "myalgo").kind == "unknown"


def test_a_compound_of_known_pieces_is_a_new_word_not_a_typo():
    d = RAW.decode("efficientvit-b1_8xb256_in1k")
    assert roles(d) == ["module", "training", "data"]
    assert d.problems == ()


def test_known_module_words_keep_their_own_reading():
    # A known first part is not pushed to the algorithm by the rule for new words.
    assert roles(RAW.decode("resnet50_8xb32_in1k")) == ["module", "training", "data"]
    assert roles(RAW.decode("mae_vit-base-p16_8xb512-amp-coslr-300e_in1k"))[0] == "algorithm"


# -- roles of unknown words by where they stand ----------------------------------------


def test_unknown_word_in_the_data_part_reads_as_a_dataset():
    d = RAW.decode("resnet50_8xb32_mydata")
    assert roles(d) == ["module", "training", "data"]
    assert "dataset" in token(d, "mydata").how
    assert loud(d) == []


def test_unknown_word_after_dash_in_training_part_reads_as_training():
    d = RAW.decode("resnet50_8xb32-myaug-coslr-100e_in1k")
    assert roles(d) == ["module", "training", "data"]
    assert "training word" in token(d, "myaug").how
    assert loud(d) == []


def test_new_words_before_pre_are_pretrain_information():
    d = RAW.decode("vit-large-p14_zork02_m38m-pre_8xb64_in1k")
    assert roles(d) == ["module", "pretrain", "pretrain", "training", "data"]


# -- shapes by position ------------------------------------------------------------


@pytest.mark.parametrize(
    "name, word",
    [
        ("pspnet_r50-d8_4xb2-40k_cityscapes-512x1024", "512x1024"),
        ("deeplabv3_r50-d8_4xb2-80k_cityscapes-769x769", "769x769"),
        ("td-hm_hrnet-w32_8xb64-210e_coco-256x192", "256x192"),
        ("bsn_pgm_400x100_activitynet-feature", "400x100"),
    ],
)
def test_hxw_near_data_or_next_to_a_batch_is_an_input_size(name, word):
    d = RAW.decode(name)
    assert token(d, word).kind == "input-size"
    assert "MMN101" not in [p.code for p in d.problems]


@pytest.mark.parametrize("word, n", [("40k", "40"), ("160k", "160"), ("30ki", "30")])
def test_iterations(word, n):
    d = RAW.decode(f"pspnet_r50-d8_4xb2-{word}_cityscapes-512x1024")
    t = token(d, word)
    assert t.kind == "iterations" and f"{n}k iterations" in t.meaning
    assert loud(d) == []


@pytest.mark.parametrize("word", ["0_005", "1e-3", "lr5e-3", "sample1e-3"])
def test_decimals_are_values_not_parts(word):
    d = RAW.decode(f"resnet50_8xb32-coslr-{word}-100e_in1k")
    assert roles(d) == ["module", "training", "data"]
    assert token(d, word).kind == "value"
    assert loud(d) == []


@pytest.mark.parametrize("word, dims", [("p244", "2x4x4"), ("w877", "8x7x7")])
def test_three_digit_patch_and_window_are_3d(word, dims):
    d = RAW.decode(f"swin-base-{word}_8xb8-32x2x1-30e_kinetics400-rgb")
    assert dims in token(d, word).meaning
    assert roles(d)[0] == "module"


def test_width_inside_a_module_word_is_not_a_batch():
    d = RAW.decode("resnet50-50x1_8xb32_in1k")
    assert token(d, "50x1").kind == "width"
    assert "MMN101" not in [p.code for p in d.problems]


def test_numbers_after_a_word_are_counts_not_epochs():
    d = RAW.decode("dino_vit-small-p16_8xb64-mcrop-2-6-coslr-100e_in1k")
    assert [p.code for p in d.problems] == []
    assert token(d, "2").kind == "number"
    d = RAW.decode("mff_vit-base-p16_8xb512-amp-coslr-300e-mr60_in1k")
    assert token(d, "mr60").kind == "setting" and loud(d) == []


def test_bare_number_epochs_are_a_guess():
    at_end = [p for p in RAW.decode("resnet50_8xb32-300_in1k").problems if p.code == "MMN106"]
    assert [(p.severity, p.fix_is_safe) for p in at_end] == [("hint", False)]
    sched = [p for p in RAW.decode("resnet50_8xb32-coslr-300_in1k").problems if p.code == "MMN106"]
    assert [(p.severity, p.replacement, p.fix_is_safe) for p in sched] == [
        ("warning", "300e", False)
    ]


# -- names with `_` inside a word and variant suffixes ---------------------------------


def test_module_name_written_with_underscores_is_at_most_a_hint():
    d = RAW.decode("plain_mamba_l1_8xb128_in1k")
    assert roles(d) == ["module", "module", "module", "training", "data"]
    assert {p.severity for p in d.problems} <= {"hint"}
    assert "plain_mamba_l1" in d.parts[0].how


@pytest.mark.parametrize("suffix", ["_v2", "_wout_bn", "_freeze", "_v1"])
def test_variant_suffix_after_the_data_is_no_finding(suffix):
    d = RAW.decode("resnet50_8xb32_in1k" + suffix)
    assert roles(d)[:3] == ["module", "training", "data"]
    assert set(roles(d)[3:]) == {"data"}
    assert d.problems == ()
    assert "suffix" in d.parts[-1].how


def test_dataset_in_the_second_part_before_a_suffix_is_the_data():
    d = RAW.decode("ssd300_coco_v1")
    assert roles(d) == ["module", "data", "data"]
    assert "MMN104" not in [p.code for p in d.problems]


def test_pre_inside_a_part_is_pretrain_with_pre():
    d = RAW.decode("c2d_r50-in1k-pre-nopool_8xb32-8x8x1-100e_kinetics400-rgb")
    assert "MMN104" not in [p.code for p in d.problems]


# -- typos only when sure ------------------------------------------------------------


@pytest.mark.parametrize(
    "name, typo, fix",
    [
        ("resnet50_8xb32-colsr_in1k", "colsr", "coslr"),
        ("resnet50_8xb32_in1l", "in1l", "in1k"),
        ("resnte50_8xb32_in1k", "resnte50", "resnet50"),
        ("convnxet-base_8xb32_in1k", "convnxet", "convnext"),
        ("swin-bsae_8xb32_in1k", "bsae", "base"),
        ("resnet50_8xb32_in1kk", "in1kk", "in1k"),
    ],
)
def test_one_letter_typos_of_real_words_still_warn(name, typo, fix):
    d = RAW.decode(name)
    found = [p for p in d.problems if p.code == "MMN102"]
    assert [(d.input[p.start : p.end], p.replacement, p.severity) for p in found] == [
        (typo, fix, "warning")
    ]
    assert not found[0].fix_is_safe  # a suggestion is never a safe fix


@pytest.mark.parametrize(
    "word",
    [
        "efficientvit",  # efficient + vit
        "uniformer",  # a new head on -former
        "hrformer",  # two edits from riformer in eight letters
        "mvit",  # a letter before vit
        "swinl",  # swin + size letter
        "pretrained",  # an inflection
        "finetune",
        "resnest",  # a letter more inside a model's name: another model
        "scnn",  # first letter differs from rcnn
    ],
)
def test_new_words_near_known_ones_are_not_typos(word):
    d = RAW.decode(f"{word}_8xb32_in1k")
    assert "MMN102" not in [p.code for p in d.problems], d.problems


@pytest.mark.parametrize("word", ["in21k", "in12k", "voc12", "cifar1000"])
def test_numbered_relatives_of_datasets_are_not_typos(word):
    vocab = default_vocabulary()
    entries = {t: e for t, e in vocab.entries.items() if t not in ("in21k", "in12k")}
    from mmname_lsp.naming.vocabulary import Vocabulary

    small = Decoder(Vocabulary(entries, vocab.gpus_x_batch), Zoo({}, {}, {}))
    d = small.decode(f"resnet50_8xb32_{word}")
    assert "MMN102" not in [p.code for p in d.problems], d.problems


# -- learned workspace words -----------------------------------------------------------


def test_word_counter_counts_each_word_once_per_name():
    c = WordCounter()
    c.add_names(["hrformer-base_8xb32_in1k", "configs/x/hrformer-small_8xb32_in1k.py",
                 "https://h/x/hrformer-base_8xb32_in1k_20220101-0123abcd.pth"])
    c.add_name("hrformer_hrformer_8xb32")
    lw = c.freeze()
    assert lw.count("hrformer") == 4 and lw.names == 4
    # shapes, dates and hashes are read by their shape, not learned
    assert "8xb32" not in lw and "20220101" not in lw and "0123abcd" not in lw
    assert lw.known(2) >= {"hrformer", "in1k", "base"}
    assert "small" not in lw.known(2)
    assert lw.meaning("hrformer") == "Seen in 4 names of this workspace."


def test_class_names_give_their_whole_name_and_pieces():
    assert words_of_class("EfficientViT") == ["efficientvit", "efficient", "vit"]
    assert words_of_class("MaskRCNN") == ["maskrcnn", "mask", "rcnn"]
    lw = learn(classes=["EfficientViT", "EfficientViT"])
    assert lw.count("efficientvit") == 2


def test_learned_words_are_never_typos():
    name = "resnet50_8xb32-colsr_in1k"
    assert "MMN102" in [p.code for p in RAW.decode(name).problems]
    lw = learn([name, "resnet50_16xb32-colsr_in1k"])
    vocab = default_vocabulary().with_learned(lw)
    d = Decoder(vocab, Zoo({}, {}, {})).decode(name)
    assert d.problems == ()
    t = token(d, "colsr")
    assert t.kind == LEARNED and "Seen in 2 names" in t.meaning


def test_a_typo_in_one_name_does_not_vouch_for_itself():
    name = "resnet50_8xb32-colsr_in1k"
    vocab = default_vocabulary().with_learned(learn([name, "resnet50_8xb32-coslr_in1k"]))
    d = Decoder(vocab, Zoo({}, {}, {})).decode(name)
    assert [p.code for p in d.problems] == ["MMN102"]


def test_learned_words_are_not_suggested_and_known_words_keep_their_meaning():
    lw = LearnedWords({"zorknet": 5, "resnet": 9}, 9)
    vocab = default_vocabulary().with_learned(lw)
    assert vocab.get("resnet").kind == "backbone"
    assert vocab.get("zorknet").kind == LEARNED
    assert vocab.suggest("zorknat") is None
    assert default_vocabulary().get("zorknet") is None  # the default is untouched


def test_learned_words_keep_the_roles_by_position():
    vocab = default_vocabulary().with_learned(learn(["myalgo_a", "myalgo_b"]))
    d = Decoder(vocab, Zoo({}, {}, {})).decode("myalgo_vit-base-p16_8xb64-coslr-100e_in1k")
    assert roles(d) == ["algorithm", "module", "training", "data"]


# -- python sources: configs by content, registered names, joined strings ----------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("_base_ = ['../_base_/default_runtime.py']\n", True),
        ("from mmengine.config import read_base\nwith read_base():\n    from .a import *\n", True),
        ("model = dict(type='ImageClassifier')\n", True),
        ("import torch\nmodel = build(cfg)\n", False),
        ("def f():\n    model = dict(a=1)\n", False),  # not top level
        ("# _base_ = []\nx = 1\n", False),
        ("", False),
    ],
)
def test_looks_like_config(text, expected):
    assert looks_like_config(text) is expected


def test_registered_names_and_type_values():
    src = (
        "@MODELS.register_module()\n"
        "@some_decorator\n"
        "class EfficientViT(BaseBackbone):\n"
        "    pass\n"
        "@TRANSFORMS.register_module(name='my-aug')\n"
        "class MyAug:\n"
        "    pass\n"
        "model = dict(type='ImageClassifier', backbone=dict(type='mmpretrain.EfficientViT'),\n"
        "             neck={'type': 'GlobalAveragePooling'})\n"
    )
    assert registered_names(src) == [
        "EfficientViT", "my-aug", "MyAug", "ImageClassifier", "GlobalAveragePooling"
    ]
    assert registered_names("class A:\n    pass\n") == []


@pytest.mark.parametrize(
    "src",
    [
        "name = ('resnet50_' '8xb32_in1k')\n",
        "name = 'resnet50_' \\\n    '8xb32_in1k'\n",
    ],
)
def test_adjacent_literals_are_decoded_joined(src):
    (occ,) = extract_python(src)
    assert occ.text == "resnet50_8xb32_in1k"
    assert analyse(src, None).findings == []  # the pieces alone would warn


def test_finding_in_a_joined_string_points_into_its_piece():
    src = "name = ('resnet50_8xb32-' 'colsr_in1k')\n"
    (f,) = [f for f in analyse(src, None).findings if f.code == "MMN102"]
    assert src[f.start : f.end] == "colsr"
    assert f.fix is not None and f.fix.text == "coslr"


def test_finding_across_pieces_has_no_fix():
    src = "name = ('resnet50_8x' '32_in1k')\n"
    (f,) = [f for f in analyse(src, None).findings if f.code == "MMN101"]
    assert f.fix is None


# -- the safety of fixes -----------------------------------------------------------------


def test_nxm_without_b_is_reported_with_both_readings_and_no_safe_fix():
    (p,) = [p for p in RAW.decode("resnet50_8x32_in1k").problems if p.code == "MMN101"]
    assert p.replacement == "8xb32"
    assert p.alternatives == ("8xb32", "32xb8")
    assert p.safe is False and not p.fix_is_safe
    src = "name = 'resnet50_8x32_in1k'\n"
    (f,) = analyse(src, None).findings
    assert not f.fix.safe


@pytest.mark.parametrize("name, fixed", [("resnet50_8xB32_in1k", "8xb32"),
                                         ("resnet50_b32x8_in1k", "8xb32")])
def test_unambiguous_batch_forms_keep_a_safe_fix(name, fixed):
    (p,) = [p for p in RAW.decode(name).problems if p.code == "MMN101"]
    assert p.replacement == fixed and p.fix_is_safe
    (f,) = [f for f in analyse(f"name = '{name}'\n", None).findings if f.code == "MMN101"]
    assert f.fix.safe


def test_equal_numbers_have_one_reading():
    assert patterns.batch_readings("8x8") == ("8xb8",)
    assert patterns.batch_readings("8xb8") == ()


@pytest.mark.parametrize(
    "batch, expected",
    [(None, ("8xb4", "4xb8")), (4, ("8xb4", "4xb8")), (8, ("4xb8", "8xb4")),
     (16, ("8xb4", "4xb8"))],
)
def test_order_batch_readings_puts_the_supported_one_first(batch, expected):
    assert patterns.order_batch_readings(patterns.batch_readings("8x4"), batch) == expected


def test_local_checkpoint_paths_owe_no_date_or_hash():
    for path in ("./pretrain/resnet50_8xb32_in1k.pth", "work_dirs/exp/resnet50_8xb32_in1k.pth",
                 "/data/ckpt/resnet50_8xb32_in1k.pth"):
        assert decode(path).problems == (), path
    published = "https://download.openmmlab.com/x/resnet50_8xb32_in1k.pth"
    assert "MMN115" in [p.code for p in decode(published).problems]


# -- RepeatDataset and NNNe -----------------------------------------------------------


_REPEAT_CFG = (
    "train_dataloader = dict(batch_size=32, dataset=dict(type='RepeatDataset', times={times},\n"
    "    dataset=dict(type='CIFAR10')))\n"
    "train_cfg = dict(by_epoch=True, max_epochs=24)\n"
)


@pytest.mark.parametrize("times, status", [(10, AGREE), (1, CONTRADICT), (5, CONTRADICT)])
def test_epochs_count_repeats_of_the_dataset(tmp_path: Path, times, status):
    path = tmp_path / "configs" / "resnet50_8xb32-240e_cifar10.py"
    resolved = resolve_config(path, _REPEAT_CFG.format(times=times))
    outcomes, _ = evaluate(decode(path.name, "config"), resolved)
    found = {(o.code, o.token.text): o for o in outcomes}
    assert found[("MMN303", "240e")].status == status


def test_epochs_of_the_dataset_itself_also_agree(tmp_path: Path):
    path = tmp_path / "configs" / "resnet50_8xb32-24e_cifar10.py"
    resolved = resolve_config(path, _REPEAT_CFG.format(times=10))
    outcomes, _ = evaluate(decode(path.name, "config"), resolved)
    assert {(o.code, o.token.text): o.status for o in outcomes}[("MMN303", "24e")] == AGREE


def test_fix_and_rename_files_never_apply_the_nxm_guess(tmp_path, monkeypatch, capsys):
    from mmname_lsp.cli import main

    folder = tmp_path / "proj" / "configs" / "resnet"
    folder.mkdir(parents=True)
    guess = folder / "resnet50_8x32_in1k.py"
    sure = folder / "resnet50_8xB32-coslr_in1k.py"
    for path in (guess, sure):
        path.write_text("model = dict(type='ImageClassifier')\nname = 'resnet50_8x32_in1k'\n")
    monkeypatch.chdir(tmp_path / "proj")
    main(["check", "configs", "--fix", "--rename-files"])
    capsys.readouterr()
    assert guess.exists()  # 8x32: GPUs x batch or batch x GPUs, not renamed
    assert "name = 'resnet50_8x32_in1k'" in guess.read_text()  # nor re-spelled
    assert not sure.exists() and (folder / "resnet50_8xb32-coslr_in1k.py").exists()
