"""Name-versus-content checks with the meanings of the sister repositories
(MMDetection, MMSegmentation, MMPose, MMAction2), on small configs written to
pytest's ``tmp_path``: each check agrees, contradicts, or stays silent when
the content lacks the value; words mean something only in the family whose
convention gives them that meaning.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

from mmname_lsp.analysis.pipeline import analyse
from mmname_lsp.codes import CONSISTENCY, RULES
from mmname_lsp.configs import resolve_config
from mmname_lsp.naming import patterns
from mmname_lsp.naming.decoder import decode
from mmname_lsp.rules.consistency import (
    AGREE,
    CHECKS,
    CONTRADICT,
    UNKNOWN,
    ConsistencyFinding,
    Outcome,
    evaluate,
    family_checks,
    family_of,
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def outcomes(path: Path, profile: Optional[str]) -> List[Outcome]:
    found, _ = evaluate(decode(path.name, "config"), resolve_config(path), profile)
    return found


def status(path: Path, profile: Optional[str], code: str) -> Dict[str, str]:
    """token text -> status of ``code``'s comparisons."""
    return {o.token.text: o.status for o in outcomes(path, profile) if o.code == code}


def finding(path: Path, profile: Optional[str], code: str) -> ConsistencyFinding:
    found = [o.finding for o in outcomes(path, profile) if o.code == code and o.finding]
    assert len(found) == 1, found
    return found[0]


def line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if needle in line:
            return i
    raise AssertionError(needle)


# -- the words' numbers ---------------------------------------------------------


@pytest.mark.parametrize(
    "fn,word,value",
    [
        (patterns.schedule_epochs, "1x", 12),
        (patterns.schedule_epochs, "3x", 36),
        (patterns.schedule_epochs, "1xb8", None),
        (patterns.iteration_count, "40k", 40000),
        (patterns.iteration_count, "30ki", 30000),
        (patterns.input_size, "512x1024", (512, 1024)),
        (patterns.input_size, "8xb2", None),
        (patterns.clip_sampling, "32x2x1", (32, 2, 1)),
        (patterns.uniform_sampling, "u48", 48),
        (patterns.gpus_batch, "8xb2", (8, 2)),
        (patterns.gpus_batch, "8x2", (8, 2)),
        (patterns.epoch_count, "300e", 300),
    ],
)
def test_numbers_of_words(fn, word: str, value) -> None:
    assert fn(word) == value


def test_new_rules_are_consistency_rules() -> None:
    for code in ("MMN316", "MMN317", "MMN318", "MMN319"):
        assert code in CHECKS
        rule = RULES[code]
        assert rule.category == CONSISTENCY and rule.bad and rule.good
        assert not (rule.fixable and rule.safe_fix)


def test_profiles_name_families() -> None:
    assert family_of("mmdet3") == "mmdet"
    assert family_of("mmaction2") == "mmaction2"
    assert family_of("mmseg") == "mmseg"
    assert family_of("mmpretrain") == "mmpretrain"
    assert family_of("nothing") is None
    assert "MMN316" in family_checks("mmdet") and "MMN316" not in family_checks("mmpretrain")
    assert "MMN319" in family_checks("mmaction2") and "MMN319" not in family_checks("mmseg")


# -- MMDetection: `1x` is 12 epochs -----------------------------------------------

DET_SCHEDULE = """default_scope = 'mmdet'
model = dict(type='FasterRCNN')
train_dataloader = dict(batch_size=2, dataset=dict(type='CocoDataset'))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs={epochs}, val_interval=1)
"""


def test_schedule_agrees_and_contradicts(tmp_path: Path) -> None:
    ok = write(tmp_path, "faster-rcnn_r50_fpn_1x_coco.py", DET_SCHEDULE.format(epochs=12))
    assert status(ok, "mmdet", "MMN316") == {"1x": AGREE}
    bad = write(tmp_path, "faster-rcnn_r50_fpn_2x_coco.py", DET_SCHEDULE.format(epochs=12))
    f = finding(bad, "mmdet", "MMN316")
    assert bad.name[f.start:f.end] == "2x"
    assert f.replacement == "1x"
    (rel,) = f.related
    assert rel.file == str(bad) and rel.line == line_of(bad, "max_epochs=12")
    assert "train_cfg.max_epochs = 12" in f.message


def test_schedule_only_where_the_profile_means_it(tmp_path: Path) -> None:
    path = write(tmp_path, "faster-rcnn_r50_fpn_2x_coco.py", DET_SCHEDULE.format(epochs=12))
    # In MMPretrain `2x` is a width: nothing to compare.
    assert status(path, "mmpretrain", "MMN316") == {}
    # Without a profile the config's default_scope says it is MMDetection's.
    assert status(path, None, "MMN316") == {"2x": CONTRADICT}


@pytest.mark.parametrize("name,text", [
    ("mask-rcnn_r50_fpn_ms-3x_coco.py", """
model = dict(type='MaskRCNN')
train_dataloader = dict(batch_size=2, dataset=dict(
    type='RepeatDataset', times=3, dataset=dict(type='CocoDataset')))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12)
"""),
    # MMDetection 2.x `mstrain_3x` configs: 12 epochs of `data.train` repeated 3 times.
    ("mask_rcnn_r50_fpn_mstrain_3x_coco.py", """
model = dict(type='MaskRCNN')
data = dict(samples_per_gpu=2, train=dict(
    type='RepeatDataset', times=3, dataset=dict(type='CocoDataset')))
runner = dict(type='EpochBasedRunner', max_epochs=12)
"""),
])
def test_schedule_counts_repeats(tmp_path: Path, name: str, text: str) -> None:
    path = write(tmp_path, name, text)
    assert status(path, "mmdet", "MMN316") == {"3x": AGREE}
    path.write_text(path.read_text().replace("times=3", "times=2"))
    f = finding(path, "mmdet", "MMN316")
    assert f.replacement == "2x"
    assert {r.line for r in f.related} == {line_of(path, "max_epochs"), line_of(path, "times=2")}


def test_schedule_absent(tmp_path: Path) -> None:
    path = write(tmp_path, "faster-rcnn_r50_fpn_1x_coco.py",
                 "model = dict(type='FasterRCNN')\n")
    assert status(path, "mmdet", "MMN316") == {"1x": UNKNOWN}
    # Iteration-based: epochs are not compared.
    path.write_text("train_cfg = dict(type='IterBasedTrainLoop', max_iters=90000)\n")
    assert status(path, "mmdet", "MMN316") == {"1x": UNKNOWN}
    # The name lacks the word: no comparison at all.
    other = write(tmp_path, "faster-rcnn_r50_fpn_coco.py", DET_SCHEDULE.format(epochs=12))
    assert status(other, "mmdet", "MMN316") == {}


def test_legacy_runner_epochs(tmp_path: Path) -> None:
    path = write(tmp_path, "faster_rcnn_r50_fpn_1x_coco.py", """
model = dict(type='FasterRCNN')
data = dict(samples_per_gpu=2, train=dict(type='CocoDataset'))
runner = dict(type='EpochBasedRunner', max_epochs=24)
""")
    f = finding(path, "mmdet", "MMN316")
    assert f.replacement == "2x"
    assert f.related[0].line == line_of(path, "max_epochs=24")
    path.write_text(path.read_text().replace("max_epochs=24", "max_epochs=12"))
    assert status(path, "mmdet", "MMN316") == {"1x": AGREE}


def test_legacy_batch_without_b(tmp_path: Path) -> None:
    path = write(tmp_path, "faster_rcnn_r50_fpn_8x4_coco_1x.py", """
model = dict(type='FasterRCNN')
data = dict(samples_per_gpu=2)
""")
    f = finding(path, "mmdet", "MMN301")
    assert path.name[f.start:f.end] == "8x4"
    assert f.replacement == "8x2"  # the legacy spelling is kept
    assert f.related[0].message == "data.samples_per_gpu = 2"


def test_images_per_item_count_in_the_batch(tmp_path: Path) -> None:
    # MMDetection ReID: one item is num_ids x ins_per_id images.
    path = write(tmp_path, "reid_r50_8xb32-6e_mot17train80_test-mot17val20.py", """
model = dict(type='BaseReID')
train_dataloader = dict(batch_size=1, dataset=dict(
    type='ReIDDataset', triplet_sampler=dict(num_ids=8, ins_per_id=4)))
""")
    assert status(path, "mmdet", "MMN301") == {"8xb32": AGREE}
    path.write_text(path.read_text().replace("ins_per_id=4", "ins_per_id=2"))
    assert status(path, "mmdet", "MMN301") == {"8xb32": CONTRADICT}


# -- MMSegmentation: `40k` iterations, `512x1024` crop (height, width) ---------------

SEG = """default_scope = 'mmseg'
crop_size = {crop}
model = dict(type='EncoderDecoder', data_preprocessor=dict(size=crop_size))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResize', scale=(2048, 1024), ratio_range=(0.5, 2.0)),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(batch_size=2, dataset=dict(
    type='CityscapesDataset', pipeline=train_pipeline))
train_cfg = dict(type='IterBasedTrainLoop', max_iters={iters}, val_interval=4000)
"""


def test_iterations(tmp_path: Path) -> None:
    path = write(tmp_path, "pspnet_r50-d8_4xb2-40k_cityscapes-512x1024.py",
                 SEG.format(crop=(512, 1024), iters=40000))
    assert status(path, "mmseg", "MMN317") == {"40k": AGREE}
    path.write_text(SEG.format(crop=(512, 1024), iters=80000))
    f = finding(path, "mmseg", "MMN317")
    assert f.replacement == "80k"
    assert f.related[0].line == line_of(path, "max_iters=80000")


def test_iterations_set_after_the_base_used_them(tmp_path: Path) -> None:
    # A variable set in the child does not change the dict the base built.
    write(tmp_path, "base_270k.py", "max_iters = 270000\n"
          "train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters)\n")
    path = write(tmp_path, "mask-rcnn_r50_fpn_32xb2-ssj-90k_coco.py",
                 "_base_ = './base_270k.py'\nmax_iters = 90000\n")
    f = finding(path, "mmdet", "MMN317")
    assert f.replacement == "270k"
    assert any(r.message == "max_iters = 90000 (unused)" for r in f.related)


def test_legacy_runner_iterations(tmp_path: Path) -> None:
    path = write(tmp_path, "pspnet_r50-d8_512x1024_40k_cityscapes.py",
                 "runner = dict(type='IterBasedRunner', max_iters=40000)\n")
    assert status(path, "mmseg", "MMN317") == {"40k": AGREE}
    # Next to an MMEngine train_cfg the legacy key is ignored (and said so).
    path.write_text("train_cfg = dict(type='IterBasedTrainLoop', max_iters=160000)\n"
                    "runner = dict(type='IterBasedRunner', max_iters=40000)\n")
    f = finding(path, "mmseg", "MMN317")
    assert f.replacement == "160k"
    assert any("ignored by MMEngine" in r.message for r in f.related)


def test_crop_size_height_by_width(tmp_path: Path) -> None:
    path = write(tmp_path, "pspnet_r50-d8_4xb2-40k_cityscapes-512x1024.py",
                 SEG.format(crop=(512, 1024), iters=40000))
    assert status(path, "mmseg", "MMN318") == {"512x1024": AGREE}
    swapped = write(tmp_path, "pspnet_r50-d8_4xb2-40k_cityscapes-1024x512.py",
                    SEG.format(crop=(512, 1024), iters=40000))
    f = finding(swapped, "mmseg", "MMN318")
    assert f.replacement == "512x1024"
    assert f.related[0].line == line_of(swapped, "RandomCrop")


def test_crop_of_a_testing_dataset_is_not_compared(tmp_path: Path) -> None:
    path = write(tmp_path,
                 "pspnet_r50-d8_4xb2-40k_cityscapes-512x1024_dark-zurich-1920x1080.py",
                 SEG.format(crop=(512, 1024), iters=40000))
    assert status(path, "mmseg", "MMN318") == {"512x1024": AGREE}


def test_crop_absent(tmp_path: Path) -> None:
    path = write(tmp_path, "pspnet_r50-d8_4xb2-40k_cityscapes-512x1024.py",
                 "model = dict(type='EncoderDecoder')\n")
    assert status(path, "mmseg", "MMN318") == {"512x1024": UNKNOWN}
    # MMDetection gives `HxW` no meaning: not compared.
    assert status(path, "mmdet", "MMN318") == {}


# -- MMPose: `256x192` is input_size=(192, 256) ----------------------------------

POSE = """default_scope = 'mmpose'
codec = dict(type='MSRAHeatmap', input_size={size}, heatmap_size=(48, 64), sigma=2)
model = dict(type='TopdownPoseEstimator')
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='RandomBBoxTransform'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='GenerateTarget', encoder=codec),
]
train_dataloader = dict(batch_size=32, dataset=dict(
    type='CocoDataset', pipeline=train_pipeline))
train_cfg = dict(max_epochs=210, val_interval=10)
"""


def test_pose_input_size_width_by_height(tmp_path: Path) -> None:
    path = write(tmp_path, "td-hm_hrnet-w32_8xb32-210e_coco-256x192.py",
                 POSE.format(size=(192, 256)))
    assert status(path, "mmpose", "MMN318") == {"256x192": AGREE}
    assert status(path, "mmpose", "MMN303") == {"210e": AGREE}
    path.write_text(POSE.format(size=(256, 192)))
    f = finding(path, "mmpose", "MMN318")
    assert f.replacement == "192x256"
    assert "(width, height)" in f.message


# -- MMAction2: `32x2x1` is SampleFrames(32, 2, 1) --------------------------------

ACTION = """default_scope = 'mmaction'
model = dict(type='Recognizer3D', backbone=dict(type='{backbone}'{rate}))
train_pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len={clip}, frame_interval={interval}, num_clips=1),
    dict(type='FormatShape', input_format='NCTHW'),
]
train_dataloader = dict(batch_size=8, dataset=dict(
    type='VideoDataset', pipeline=train_pipeline))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=30)
"""


def test_clip_sampling(tmp_path: Path) -> None:
    text = ACTION.format(backbone="SwinTransformer3D", rate="", clip=32, interval=2)
    path = write(tmp_path, "swin-tiny-p244-w877_8xb8-32x2x1-30e_kinetics400-rgb.py", text)
    assert status(path, "mmaction2", "MMN319") == {"32x2x1": AGREE}
    bad = write(tmp_path, "swin-tiny-p244-w877_8xb8-16x2x1-30e_kinetics400-rgb.py", text)
    f = finding(bad, "mmaction2", "MMN319")
    assert f.replacement == "32x2x1"
    assert f.related[0].line == line_of(bad, "SampleFrames")
    # The word has no such meaning in MMSegmentation.
    assert status(bad, "mmseg", "MMN319") == {}


def test_slowfast_names_its_slow_pathway(tmp_path: Path) -> None:
    for rate, word in (("", "4x16x1"), (", resample_rate=4", "8x8x1")):
        text = ACTION.format(backbone="ResNet3dSlowFast", rate=rate, clip=32, interval=2)
        path = write(tmp_path, f"slowfast_r50_8xb8-{word}-256e_kinetics400-rgb.py", text)
        assert status(path, "mmaction2", "MMN319") == {word: AGREE}
    text = ACTION.format(backbone="ResNet3dSlowFast", rate="", clip=32, interval=2)
    path = write(tmp_path, "slowfast_r50_8xb8-8x8x1-256e_kinetics400-rgb.py", text)
    assert status(path, "mmaction2", "MMN319") == {"8x8x1": CONTRADICT}


def test_uniform_sampling_and_test_only_configs(tmp_path: Path) -> None:
    path = write(tmp_path, "slowonly_r50_8xb16-u48-240e_gym-keypoint.py", """
model = dict(type='Recognizer3D')
train_dataloader = dict(batch_size=16, dataset=dict(type='PoseDataset', pipeline=[
    dict(type='UniformSampleFrames', clip_len=48), dict(type='PoseDecode')]))
""")
    assert status(path, "mmaction2", "MMN319") == {"u48": AGREE}
    # A test-only config: its number of clips is the views of the test.
    test_only = write(tmp_path, "vit-base-p16_videomae-k400-pre_16x4x1_kinetics-400.py", """
model = dict(type='Recognizer3D')
test_dataloader = dict(batch_size=1, dataset=dict(type='VideoDataset', pipeline=[
    dict(type='SampleFrames', clip_len=16, frame_interval=4, num_clips=5, test_mode=True)]))
""")
    assert status(test_only, "mmaction2", "MMN319") == {"16x4x1": AGREE}


def test_epochs_of_a_tuple_loader_are_unknown(tmp_path: Path) -> None:
    # `train_dataloader = dict(...),` makes a tuple: its repeats cannot be seen.
    path = write(tmp_path, "slowonly_r50_8xb16-u48-240e_gym-limb.py", """
train_dataloader = dict(batch_size=16, dataset=dict(type='RepeatDataset', times=10)),
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=24)
""")
    assert status(path, "mmaction2", "MMN303") == {"240e": UNKNOWN}


# -- classes: algorithm and dataset words ------------------------------------------


def test_dataset_classes(tmp_path: Path) -> None:
    path = write(tmp_path, "pspnet_r50-d8_4xb2-40k_cityscapes-512x1024.py",
                 SEG.format(crop=(512, 1024), iters=40000))
    assert status(path, "mmseg", "MMN311") == {"cityscapes": AGREE}
    path.write_text(path.read_text().replace("CityscapesDataset", "ADE20KDataset"))
    f = finding(path, "mmseg", "MMN311")
    assert "ADE20KDataset" in f.message
    # A class that names no dataset is never a contradiction.
    path.write_text(path.read_text().replace("ADE20KDataset", "BaseSegDataset"))
    assert status(path, "mmseg", "MMN311") == {"cityscapes": UNKNOWN}


def test_format_classes_are_not_datasets(tmp_path: Path) -> None:
    text = ACTION.format(backbone="SwinTransformer3D", rate="", clip=32, interval=2)
    path = write(tmp_path, "swin-tiny-p244-w877_8xb8-32x2x1-30e_kinetics400-rgb.py", text)
    assert status(path, "mmaction2", "MMN311")["kinetics400"] != CONTRADICT
    path.write_text(text.replace("VideoDataset", "AVADataset"))
    assert status(path, "mmaction2", "MMN311") == {"kinetics400": CONTRADICT}


def test_algorithm_classes(tmp_path: Path) -> None:
    ok = write(tmp_path, "faster-rcnn_r50_fpn_1x_coco.py", DET_SCHEDULE.format(epochs=12))
    assert status(ok, "mmdet", "MMN312") == {"faster-rcnn": AGREE}
    ok.write_text(ok.read_text().replace("FasterRCNN", "RetinaNet"))
    f = finding(ok, "mmdet", "MMN312")
    assert ok.name[f.start:f.end] == "faster-rcnn"
    assert f.related[0].message == "model.type = 'RetinaNet'"
    # A word no config of the family used is not compared.
    new = write(tmp_path, "my-new-detector_r50_fpn_1x_coco.py", DET_SCHEDULE.format(epochs=12))
    assert status(new, "mmdet", "MMN312") == {"my-new-detector": UNKNOWN}


# -- the pipeline: editor and CLI ----------------------------------------------------


def test_analysis_reports_on_the_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, "configs/faster_rcnn/faster-rcnn_r50_fpn_2x_coco.py",
                 DET_SCHEDULE.format(epochs=12))
    result = analyse(path.read_text(), str(path))
    found = [f for f in result.findings if f.code == "MMN316"]
    assert len(found) == 1
    assert found[0].message.startswith("File name: ")
    codes: Tuple[str, ...] = tuple(sorted(f.code for f in result.findings if f.code >= "MMN3"))
    assert "MMN312" not in codes and "MMN311" not in codes
