"""The decoder of each naming profile: what differs between the OpenMMLab
repositories' conventions, the numbers a token means, the `shared` profile, the
data files and the script that makes them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mmname_lsp.naming import patterns
from mmname_lsp.naming.decoder import Decoder, default_decoder, profile_decoder
from mmname_lsp.naming.profiles import PROFILES_DIR, profiles
from mmname_lsp.naming.zoo import profile_zoo

ROOT = Path(__file__).resolve().parents[2]
FAMILY = ROOT.parent / "shared" / "corpus" / "family"


def parts(profile: str, text: str):
    return [(p.role, p.text) for p in profile_decoder(profile).decode(text).parts]


def token(profile: str, text: str, word: str):
    d = profile_decoder(profile).decode(text)
    return next(t for p in d.parts for t in p.tokens if t.text == word)


def codes(profile: str, text: str):
    return {p.code for p in profile_decoder(profile).decode(text).problems}


def test_mmpretrain_is_the_default_decoder():
    assert profile_decoder("mmpretrain") is default_decoder()
    assert profile_decoder("mmdet3") is profile_decoder("mmdet3")
    with pytest.raises(ValueError):
        Decoder(profile="no-such-profile")


def test_every_profile_file_names_its_data_and_the_data_loads():
    for p in profiles().values():
        assert (PROFILES_DIR.parent / p.vocabulary).is_file(), p.name
        assert (PROFILES_DIR.parent / p.zoo).is_file(), p.name
        assert len(profile_zoo(p.name)) > 0, p.name
        assert p.inferencers and p.checkpoints and p.parts, p.name
    # Legacy profiles have no registry scope; the others have one each.
    assert all(not p.scopes for p in profiles().values() if p.legacy)
    assert all(p.scopes for p in profiles().values() if not p.legacy)


def test_several_module_parts_and_a_testing_dataset():
    assert parts("mmdet3", "faster-rcnn_r50_fpn_1x_coco") == [
        ("algorithm", "faster-rcnn"), ("module", "r50"), ("module", "fpn"),
        ("training", "1x"), ("data", "coco")]
    assert codes("mmdet3", "faster-rcnn_r50_fpn_1x_coco") == set()
    # The same name by MMPretrain's convention: modules split over parts.
    assert "MMN117" in {p.code for p in default_decoder().decode(
        "faster-rcnn_r50_fpn_1x_coco").problems}
    assert parts("mmseg1", "pspnet_r50-d8_4xb2-80k_cityscapes-512x1024_dark-zurich-1920x1080")[
        -1] == ("test-data", "dark-zurich-1920x1080")


def test_pretraining_inside_the_module_part():
    assert parts("mmaction2", "tsn_imagenet-pretrained-r50_8xb32-1x1x3-100e_kinetics400-rgb")[
        1] == ("module", "imagenet-pretrained-r50")
    assert parts("mmseg1", "icnet_r50-d8-in1k-pre_4xb2-80k_cityscapes-832x832")[1] == (
        "module", "r50-d8-in1k-pre")
    # No pretrain part exists in these profiles.
    for name in ("mmdet3", "mmseg1", "mmpose1", "mmaction2"):
        d = profile_decoder(name).decode("mask-rcnn_swin-t-p4-w7-in1k-pre_fpn_1x_coco")
        assert "pretrain" not in [p.role for p in d.parts]


def test_legacy_names_join_words_with_underscores_and_write_nxm():
    assert parts("mmdet2", "mask_rcnn_r50_caffe_fpn_mstrain-poly_3x_coco") == [
        ("algorithm", "mask_rcnn"), ("module", "r50"), ("module", "caffe"), ("module", "fpn"),
        ("training", "mstrain-poly"), ("training", "3x"), ("data", "coco")]
    d = profile_decoder("mmseg0").decode("knet_s3_fcn_r50-d8_8x2_512x512_adamw_80k_ade20k")
    kinds = {t.text: t.kind for p in d.parts for t in p.tokens}
    assert kinds["8x2"] == "gpus-x-batch" and kinds["512x512"] == "input-size"
    assert d.problems == ()
    # `512x512` before the batch is still the size, `4x4` still the batch.
    d = profile_decoder("mmseg0").decode("pspnet_r50-d8_512x512_4x4_20k_coco-stuff10k")
    kinds = {t.text: t.kind for p in d.parts for t in p.tokens}
    assert kinds["512x512"] == "input-size" and kinds["4x4"] == "gpus-x-batch"
    assert codes("mmcls0", "resnet50_b32x8_imagenet") == set()
    # The same legacy batch by a 1.x profile is the error it is there.
    assert "MMN101" in codes("mmdet3", "faster-rcnn_r50_fpn_8x2_1x_coco")


@pytest.mark.parametrize("profile, name, word, kind, numbers", [
    ("mmdet3", "faster-rcnn_r50_fpn_2x_coco", "2x", "schedule", {"epochs": 24}),
    ("mmdet2", "faster_rcnn_r50_fpn_1x_coco", "1x", "schedule", {"epochs": 12}),
    ("mmseg1", "pspnet_r50-d8_4xb2-40k_cityscapes-512x1024", "40k", "iterations",
     {"iterations": 40000}),
    ("mmseg1", "pspnet_r50-d8_4xb2-40k_cityscapes-512x1024", "512x1024", "input-size",
     {"height": 512, "width": 1024}),
    ("mmseg0", "deeplabv3_r50-d8_512x1024_40k_cityscapes", "512x1024", "input-size",
     {"height": 512, "width": 1024}),
    ("mmpose1", "td-hm_hrnet-w32_8xb64-210e_coco-256x192", "256x192", "input-size",
     {"height": 256, "width": 192}),
    ("mmpose1", "td-hm_hrnet-w32_8xb64-210e_coco-256x192", "210e", "epochs", {"epochs": 210}),
    ("mmaction2", "slowfast_r50_8xb8-32x2x1-256e_kinetics400-rgb", "32x2x1", "clip-sampling",
     {"clip_len": 32, "frame_interval": 2, "num_clips": 1}),
    ("mmaction2", "slowonly_r50_8xb16-u48-240e_gym-limb", "u48", "uniform-sampling",
     {"num_segments": 48}),
    ("mmaction2", "slowonly_r50_8xb16-u48-240e_gym-limb", "limb", "modality", {}),
    ("mmdet2", "retinanet_r50_fpn_8x2_1x_coco", "8x2", "gpus-x-batch",
     {"gpus": 8, "batch_per_gpu": 2}),
    ("mmcls0", "resnet50_b32x8_imagenet", "b32x8", "gpus-x-batch",
     {"gpus": 8, "batch_per_gpu": 32}),
])
def test_token_kinds_and_the_numbers_they_mean(profile, name, word, kind, numbers):
    t = token(profile, name, word)
    assert t.kind == kind
    assert patterns.numbers(t.kind, t.text) == numbers


def test_hxw_in_the_data_part_is_never_gpus_x_batch():
    for profile in ("mmseg1", "mmpose1", "mmdet3", "shared"):
        for name in ("pspnet_r50-d8_4xb2-80k_cityscapes-769x769",
                     "td-hm_res50_8xb64-210e_coco-256x192", "yolox_s_8xb8-300e_coco-640x640"):
            d = profile_decoder(profile).decode(name)
            data = [t for p in d.parts if p.role in ("data", "test-data") for t in p.tokens]
            assert all(t.kind != "gpus-x-batch" for t in data), (profile, name)


def test_checkpoint_layouts():
    d = profile_decoder("mmpose1").decode(
        "td-hm_hrnet-w32_8xb64-210e_coco-256x192-81c58e40_20220909.pth")
    assert [p.role for p in d.parts][-2:] == ["hash", "date"] and d.problems == ()
    d = profile_decoder("mmdet2").decode("faster_rcnn_r50_fpn_1x_coco_20200130-047c8118.pth")
    assert d.parts[0].text == "faster_rcnn" and d.problems == ()
    # MMDetection 3.x publishes its 2.x checkpoints under their 2.x names.
    d = profile_decoder("mmdet3").decode(
        "ms_rcnn_r50_caffe_fpn_1x_coco_20200702_180848-61c9355e.pth")
    assert d.parts[0].text == "ms_rcnn" and d.problems == ()


def test_a_checkpoint_url_is_judged_by_the_profile_that_publishes_it():
    url = ("https://download.openmmlab.com/mmdetection/v2.0/yolox/yolox_s_8x8_300e_coco/"
           "yolox_s_8x8_300e_coco_20211121_095711-4592a793.pth")
    # Read in an MMPose config: the MMDetection 2.x convention applies.
    assert codes("mmpose1", url) == set()
    assert "MMN101" in codes("mmpose1", "https://download.openmmlab.com/mmpose/v1/x/"
                                        "yolox_s_8x8_300e_coco_20230829-4592a793.pth")
    # A file outside OpenMMLab's downloads owes no date or hash.
    third = "https://github.com/SwinTransformer/storage/releases/download/v1.0.0/swin_base_22k.pth"
    assert "MMN115" not in codes("mmdet3", third)


def test_shared_profile_is_quiet_about_one_repository_s_habits():
    for name in ("faster_rcnn_r50_fpn_1x_coco", "resnet50_8x32_in1k", "resnet50_colsr_in1k",
                 "coco_1x_faster-rcnn_r50"):
        d = profile_decoder("shared").decode(name)
        assert all(p.code in ("MMN108", "MMN113", "MMN114", "MMN115", "MMN116")
                   for p in d.problems), (name, d.problems)
    # Malformed text is still malformed.
    assert "MMN108" in {p.code for p in profile_decoder("shared").decode("a__b").problems}


def test_a_profile_reads_its_words_without_per_call_lookups():
    dec = profile_decoder("mmocr1")
    assert dec.conventions.title == "MMOCR 1.x"
    d = dec.decode("dbnet_resnet18_fpnc_1200e_icdar2015")
    assert [p.role for p in d.parts] == ["algorithm", "module", "module", "training", "data"]
    unknown = dec.decode("zorknet_resnet18_fpnc_1200e_icdar2015")
    assert unknown.parts[0].role == "algorithm" and "position" in unknown.parts[0].how


def test_installed_package_metafiles_add_to_the_zoo(tmp_path, monkeypatch):
    """An installed package's `.mim` model index is read as data, never imported."""
    pkg = tmp_path / "mmocr"
    (pkg / ".mim" / "configs" / "textdet").mkdir(parents=True)
    (pkg / "__init__.py").write_text("raise RuntimeError('imported')\n")
    (pkg / ".mim" / "model-index.yml").write_text("Import:\n- configs/textdet/metafile.yml\n")
    (pkg / ".mim" / "configs" / "textdet" / "metafile.yml").write_text(
        "Models:\n- Name: newnet_resnet18_fpnc_9e_icdar2015\n"
        "  Config: configs/textdet/newnet_resnet18_fpnc_9e_icdar2015.py\n"
        "  Weights: https://download.openmmlab.com/mmocr/textdet/newnet/"
        "newnet_resnet18_fpnc_9e_icdar2015_20240101_000000-0123abcd.pth\n")
    dist = tmp_path / "mmocr-1.0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: mmocr\nVersion: 1.0.1\n")
    pytest.importorskip("yaml")
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib

    importlib.invalidate_caches()
    profile_zoo.cache_clear()
    try:
        zoo = profile_zoo("mmocr1")
        assert zoo.model("newnet_resnet18_fpnc_9e_icdar2015") is not None
        assert zoo.model("dbnet_resnet18_fpnc_1200e_icdar2015") is not None  # bundled too
        assert "mmocr" not in sys.modules
    finally:
        profile_zoo.cache_clear()


@pytest.mark.corpus
def test_committed_profile_data_is_what_the_script_makes():
    if not (FAMILY / "mmdet" / "configs").is_dir():
        pytest.skip(f"family corpus not found at {FAMILY}")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_profiles.py"), "--check", "--offline"],
        capture_output=True, text=True, timeout=600)
    if proc.returncode == 2:
        pytest.skip(f"a profile's corpus is missing (run scripts/build_profiles.py): "
                    f"{proc.stderr.strip()}")
    assert proc.returncode == 0, proc.stderr


def test_profile_data_files_are_small_json():
    for path in PROFILES_DIR.rglob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(data, dict), path
    words = sum(p.stat().st_size for p in (PROFILES_DIR / "vocabulary").glob("*.json"))
    assert words < 400_000


@pytest.mark.parametrize("evidence, chosen", [
    ({"default_scope": "mmdet"}, "mmdet3"),
    ({"default_scope": "mmcls"}, "mmpretrain"),  # MMClassification 1.0rc
    ({"scoped_bases": ("mmpose",)}, "mmpose1"),
    ({"repo_package": "mmdet", "repo_version": "2.28.2"}, "mmdet2"),
    ({"repo_package": "mmcls", "repo_version": "0.25.0"}, "mmcls0"),
    ({"installed": {"mmsegmentation": "0.30.0"}}, "mmseg0"),
    ({"installed": {"mmsegmentation": "1.2.2"}}, "mmseg1"),
    ({"installed": {"mmocr": "1.0.1"}}, "mmocr1"),
])
def test_the_profiles_data_lets_evidence_choose_them(evidence, chosen):
    from mmname_lsp.naming.profiles import Evidence, choose

    assert choose(Evidence(**evidence)).name == chosen
