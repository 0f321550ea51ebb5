"""Every rule in one place: code, name, default severity, message, explanation,
a bad and a good example, and whether it has a fix.

``docs/rules.md`` is generated from these objects (``python -m mmname_lsp.rules.docs``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Sequence

DOCS_URL = "https://github.com/mmname-lsp/mmname-lsp/blob/main/docs/rules.md"

NAME = "name"
REFERENCE = "reference"
CONSISTENCY = "consistency"


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    category: str
    message: str
    explanation: str
    bad: str
    good: str
    fixable: bool = False
    # A safe fix never changes what the text means (applied by --fix and
    # source.fixAll); an unsafe one is a guess offered as a quick fix only.
    safe_fix: bool = True

    @property
    def anchor(self) -> str:
        return f"{self.code.lower()}-{self.name}"

    @property
    def url(self) -> str:
        return f"{DOCS_URL}#{self.anchor}"


_RULES = (
    Rule(
        "MMN100",
        "unreadable-input",
        "error",
        NAME,
        "Not a name: {detail}",
        "The text cannot be an MMPretrain name: it is empty, far too long, or holds "
        "white space or control characters.",
        "get_model('resnet50 8xb32 in1k')",
        "get_model('resnet50_8xb32_in1k')",
    ),
    Rule(
        "MMN101",
        "batch-format",
        "error",
        NAME,
        "Batch size written as `{found}`; the convention writes {expected}",
        "The training part gives GPUs and images per GPU as `{gpus}xb{batch}`, e.g. "
        "`8xb32` for 8 GPUs with 32 images each. `8xB32` and the old mmcls `b32x8` "
        "say the same thing in a form other tools do not understand (a safe fix); "
        "`8x32` without `b` is GPUs x batch in the legacy detection repositories but "
        "batch x GPUs in some others, so its fix is a guess offered with both readings; "
        "`batch256` gives only the total.",
        "resnet50_b32x8_in1k.py",
        "resnet50_8xb32_in1k.py",
        True,
    ),
    Rule(
        "MMN102",
        "unknown-token",
        "warning",
        NAME,
        "Unknown word `{found}`; did you mean `{expected}`?",
        "The word is not in the vocabulary of MMPretrain names but is one or two "
        "edits away from a known one, so it is most likely a typo.",
        "resnet50_8xb32-colsr_in1k.py",
        "resnet50_8xb32-coslr_in1k.py",
        True,
        safe_fix=False,
    ),
    Rule(
        "MMN103",
        "dataset-spelled-out",
        "warning",
        NAME,
        "Dataset written as `{found}`; the convention writes `{expected}`",
        "Datasets have short names: `in1k` for ImageNet-1k, `in21k` for "
        "ImageNet-21k (also called ImageNet-22k).",
        "resnet50_8xb32_imagenet.py",
        "resnet50_8xb32_in1k.py",
        True,
    ),
    Rule(
        "MMN104",
        "pretrain-without-pre",
        "warning",
        NAME,
        "Pretrain information `{found}` does not end with `-pre`",
        "The part that describes the pre-trained weights (source, method, dataset) "
        "ends with `-pre`, so that readers and tools can tell it from the module "
        "and the training parts.",
        "vit-base-p16_mae-in21k_8xb128-coslr-100e_in1k.py",
        "vit-base-p16_mae-in21k-pre_8xb128-coslr-100e_in1k.py",
        True,
        safe_fix=False,
    ),
    Rule(
        "MMN105",
        "resolution-without-px",
        "hint",
        NAME,
        "Input size `{found}` without `px`",
        "The input size in the data part is written `{size}px`, e.g. `in1k-384px`. "
        "Several upstream names write `-384`; it reads the same but is not the "
        "convention.",
        "swin-base_16xb64_in1k-384.py",
        "swin-base_16xb64_in1k-384px.py",
        True,
    ),
    Rule(
        "MMN106",
        "epochs-without-e",
        "warning",
        NAME,
        "Number `{found}` in the training part; epochs are written `{expected}`",
        "Epoch counts in the training part end with `e` (`300e`); a bare number is ambiguous.",
        "resnet50_8xb32-coslr-300_in1k.py",
        "resnet50_8xb32-coslr-300e_in1k.py",
        True,
    ),
    Rule(
        "MMN107",
        "upper-case",
        "warning",
        NAME,
        "`{found}` is written in upper case; the known word is `{expected}`",
        "Names are lower case, except for a few upstream variant codes such as "
        "`repvgg-A0` or `replknet-31B`.",
        "ResNet50_8xb32_in1k.py",
        "resnet50_8xb32_in1k.py",
        True,
    ),
    Rule(
        "MMN108",
        "empty-part",
        "error",
        NAME,
        "Empty {what} in the name",
        "Two separators in a row (`__`, `--`) or a separator at the start or end "
        "leave an empty part or word.",
        "resnet50__8xb32_in1k.py",
        "resnet50_8xb32_in1k.py",
        True,
    ),
    Rule(
        "MMN109",
        "joined-parts",
        "warning",
        NAME,
        "`{found}` joins the {left} and {right} parts with `-`; parts are joined with `_`",
        "Words inside a part are joined with `-`, parts with `_`. Upstream "
        "MMPretrain writes `in21k-pre-3rdparty` in some names; that is accepted "
        "with a hint.",
        "resnet50-8xb32_in1k.py",
        "resnet50_8xb32_in1k.py",
        True,
    ),
    Rule(
        "MMN110",
        "wrong-order",
        "warning",
        NAME,
        "Parts in the wrong order: {found}",
        "The parts come in the order algorithm, module, pretrain, training, data.",
        "resnet50_in1k_8xb32.py",
        "resnet50_8xb32_in1k.py",
        True,
        safe_fix=False,
    ),
    Rule(
        "MMN111",
        "config-3rdparty",
        "warning",
        NAME,
        "A config name carries `3rdparty`; its training information must be real",
        "A config describes how to train, so its training part gives the schedule; "
        "`3rdparty` belongs to names of converted weights only.",
        "convnext-base_3rdparty_in1k.py",
        "convnext-base_32xb128_in1k.py",
    ),
    Rule(
        "MMN112",
        "missing-training",
        "hint",
        NAME,
        "No training information in the {kind} name",
        "The convention asks for a training part (`8xb32-coslr-100e`) or `3rdparty` "
        "for converted weights. Some upstream names leave it out (task and "
        "evaluation-only configs).",
        "resnet50_in1k.py",
        "resnet50_8xb32_in1k.py",
    ),
    Rule(
        "MMN113",
        "checkpoint-date",
        "error",
        NAME,
        "`{found}` is not a date (YYYYMMDD)",
        "Checkpoint files are named `{model_name}_{YYYYMMDD}-{hash8}.pth`; the date "
        "is the day the weights were published.",
        "resnet50_8xb32_in1k_2022-0825-57307488.pth",
        "resnet50_8xb32_in1k_20220825-57307488.pth",
    ),
    Rule(
        "MMN114",
        "checkpoint-hash",
        "error",
        NAME,
        "`{found}` is not an 8-digit hexadecimal hash",
        "The hash after the date is the first 8 hexadecimal digits of the file's "
        "SHA-256, in lower case.",
        "resnet50_8xb32_in1k_20220825-5730748.pth",
        "resnet50_8xb32_in1k_20220825-57307488.pth",
    ),
    Rule(
        "MMN115",
        "checkpoint-without-date-hash",
        "warning",
        NAME,
        "Checkpoint file name without `_{{date}}-{{hash}}`",
        "Published checkpoints end with the date and the hash: "
        "`{model_name}_{YYYYMMDD}-{hash8}.pth`.",
        "resnet50_8xb32_in1k.pth",
        "resnet50_8xb32_in1k_20220825-57307488.pth",
    ),
    Rule(
        "MMN116",
        "model-name-with-py",
        "warning",
        NAME,
        "A model name does not end with `.py`; use `{expected}` or a path to the config",
        "`get_model` and the inferencers take a model name (`resnet50_8xb32_in1k`) "
        "or a path to a config file; a bare file name is neither.",
        "get_model('resnet50_8xb32_in1k.py')",
        "get_model('resnet50_8xb32_in1k')",
        True,
        safe_fix=False,
    ),
    Rule(
        "MMN117",
        "split-part",
        "hint",
        NAME,
        "The {role} information is split over {count} parts",
        "Each kind of information forms one part. Many upstream names split the "
        "training part (`3rdparty_8xb32`); it is accepted with a hint.",
        "efficientnet-b0_3rdparty_8xb32_in1k",
        "efficientnet-b0_8xb32_in1k",
    ),
    Rule(
        "MMN118",
        "legacy-spelling",
        "hint",
        NAME,
        "`{found}` is an old spelling; the convention writes `{expected}`",
        "Some words have a newer, shorter form (`p4` for `patch4`, `w7` for `window7`).",
        "swin-tiny_patch4-window7_in1k",
        "swin-tiny-p4-w7_in1k",
        True,
    ),
    Rule(
        "MMN119",
        "missing-module",
        "warning",
        NAME,
        "No module (backbone) part in the name",
        "Every name gives its backbone (`resnet50`, `vit-base-p16`) as the module part.",
        "8xb32_in1k.py",
        "resnet50_8xb32_in1k.py",
    ),
)

_RULES += (
    Rule(
        "MMN201",
        "missing-base",
        "error",
        REFERENCE,
        "Base config `{found}` not found ({where})",
        "Every `_base_` entry is a path relative to the config that names it; MMEngine "
        "fails to load a config whose base does not exist.",
        "_base_ = ['../_base_/models/resnet5.py']",
        "_base_ = ['../_base_/models/resnet50.py']",
    ),
    Rule(
        "MMN202",
        "unknown-model",
        "warning",
        REFERENCE,
        "`{found}` is not a model of the MMPretrain zoo{hint}",
        "`get_model`, `init_model`, `inference_model` and the inferencers look the "
        "name up in the model zoo (model-index.yml); an unknown name fails at run "
        "time. Config paths are accepted as they are.",
        "get_model('resnet50_8xb32_in1kk')",
        "get_model('resnet50_8xb32_in1k')",
        True,
        safe_fix=False,
    ),
)

_RULES += (
    Rule(
        "MMN290",
        "unused-suppression",
        "warning",
        REFERENCE,
        "Suppression of {found} matches no finding",
        "A `# mmname: disable=CODE` comment (or `disable-file=CODE`) that hides "
        "nothing is stale: the problem was fixed or the code is wrong. Remove it.",
        "load_from = 'resnet50_8xb32_in1k'  # mmname: disable=MMN102",
        "load_from = 'resnet50_8xb32_in1k'",
        True,
    ),
)

_RULES += (
    Rule(
        "MMN301",
        "batch-size-mismatch",
        "warning",
        CONSISTENCY,
        "`{found}` says {said} images per GPU; the config sets {actual}",
        "The `M` of `NxbM` is the batch size per GPU, which the config sets as "
        "`train_dataloader.batch_size`. When they differ, the name misleads anyone "
        "reproducing the result (and the learning rate scaled from it).",
        "resnet50_8xb32_in1k.py  # train_dataloader = dict(batch_size=64, ...)",
        "resnet50_4xb64_in1k.py",
        True,
        safe_fix=False,
    ),
    Rule(
        "MMN302",
        "total-batch-mismatch",
        "hint",
        CONSISTENCY,
        "`{found}` is a total batch size of {said}; the config sets {actual}",
        "`auto_scale_lr.base_batch_size` is the total batch size the learning rate "
        "was tuned for; with `--auto-scale-lr` MMEngine rescales the learning rate by "
        "the real total batch size divided by it. The name's GPUs x images per GPU "
        "should equal it. (Information only: the scaling is off unless asked for.)",
        "resnet50_8xb32_in1k.py  # auto_scale_lr = dict(base_batch_size=1024)",
        "resnet50_32xb32_in1k.py",
        True,
        safe_fix=False,
    ),
    Rule(
        "MMN303",
        "epochs-mismatch",
        "warning",
        CONSISTENCY,
        "`{found}` says {said} epochs; the config sets {actual}",
        "The epochs of the training part must be the `max_epochs` of the config's "
        "epoch-based `train_cfg`. (Iteration-based configs are not compared.)",
        "resnet50_8xb32-coslr-300e_in1k.py  # train_cfg = dict(max_epochs=100)",
        "resnet50_8xb32-coslr-100e_in1k.py",
        True,
        safe_fix=False,
    ),
    Rule(
        "MMN304",
        "scheduler-mismatch",
        "warning",
        CONSISTENCY,
        "`{found}` says {said}; the config's param_scheduler has {actual}",
        "`coslr` names a cosine annealing learning-rate schedule and `steplr` a step "
        "one; the config's `param_scheduler` must contain such a scheduler (warm-up "
        "entries such as `LinearLR` may come with it).",
        "resnet50_8xb32-coslr_in1k.py  # param_scheduler = dict(type='MultiStepLR', ...)",
        "resnet50_8xb32_in1k.py",
        True,
        safe_fix=False,
    ),
    Rule(
        "MMN305",
        "precision-mismatch",
        "warning",
        CONSISTENCY,
        "`{found}` says mixed-precision training; the config sets {actual}",
        "`amp` and `fp16` mean training with automatic mixed precision, which MMEngine "
        "does with `optim_wrapper = dict(type='AmpOptimWrapper', ...)` (old configs: a "
        "top-level `fp16` dict). A plain `OptimWrapper` trains in full precision.",
        "vit-base-p16_8xb64-amp_in1k.py  # optim_wrapper = dict(type='OptimWrapper', ...)",
        "vit-base-p16_8xb64_in1k.py",
    ),
    Rule(
        "MMN306",
        "resolution-mismatch",
        "warning",
        CONSISTENCY,
        "`{found}` says {said}x{said} input; the config sets {actual}",
        "The resolution of the data part is the size of the images the model sees: "
        "the crop of the train pipeline, the final crop or resize of the test "
        "pipeline and the backbone's `img_size` should all be that size.",
        "vit-base-p16_64xb64_in1k-384px.py  # test pipeline CenterCrop(crop_size=224)",
        "vit-base-p16_64xb64_in1k.py",
        True,
        safe_fix=False,
    ),
    Rule(
        "MMN307",
        "patch-size-mismatch",
        "warning",
        CONSISTENCY,
        "`{found}` says patch size {said}; the config sets {actual}",
        "`pNN` in the module part is the backbone's patch size, set as "
        "`model.backbone.patch_size`.",
        "vit-base-p16_64xb64_in1k.py  # model.backbone.patch_size = 32",
        "vit-base-p32_64xb64_in1k.py",
        True,
        safe_fix=False,
    ),
    Rule(
        "MMN308",
        "window-size-mismatch",
        "warning",
        CONSISTENCY,
        "`{found}` says window size {said}; the config sets {actual}",
        "`wNN` in the module part of a Swin model is its attention window, set as "
        "`model.backbone.window_size` (one number, or one per stage).",
        "swinv2-base-w16_16xb64_in1k-256px.py  # window_size=[8, 8, 8, 8]",
        "swinv2-base-w8_16xb64_in1k-256px.py",
        True,
        safe_fix=False,
    ),
    Rule(
        "MMN309",
        "arch-size-mismatch",
        "warning",
        CONSISTENCY,
        "`{found}` says {said}; the config sets {actual}",
        "The size word of the module part (`tiny`, `small`, `base`, `large`, ... or "
        "the letters `t`, `s`, `b`, `l`) names the backbone's `arch`.",
        "vit-base-p16_64xb64_in1k.py  # model.backbone.arch = 'large'",
        "vit-large-p16_64xb64_in1k.py",
        True,
        safe_fix=False,
    ),
    Rule(
        "MMN310",
        "depth-mismatch",
        "warning",
        CONSISTENCY,
        "`{found}` says depth {said}; the config sets {actual}",
        "The number after a ResNet-like backbone name (`resnet50`, `vgg16`, "
        "`densenet121`) is its depth, set as `model.backbone.depth` (DenseNet: `arch`).",
        "resnet50_8xb32_in1k.py  # model.backbone.depth = 101",
        "resnet101_8xb32_in1k.py",
        True,
        safe_fix=False,
    ),
    Rule(
        "MMN311",
        "dataset-mismatch",
        "warning",
        CONSISTENCY,
        "`{found}` says {said}; the config trains on {actual}",
        "The dataset of the data part is the one the config trains on (or, for a "
        "test-only config, evaluates on): `train_dataloader.dataset.type`. A "
        "`CustomDataset` can hold anything and is never a contradiction.",
        "resnet50_8xb32_in1k.py  # train_dataloader.dataset.type = 'CIFAR10'",
        "resnet50_8xb32_cifar10.py",
        True,
        safe_fix=False,
    ),
    Rule(
        "MMN312",
        "algorithm-mismatch",
        "warning",
        CONSISTENCY,
        "`{found}` names the {said} algorithm; the config sets {actual}",
        "The algorithm part names the training algorithm, which is the class of the "
        "config's `model` (`mae` is `MAE`, `simclr` is `SimCLR`, ...).",
        "mae_vit-base-p16_8xb512-coslr-400e_in1k.py  # model.type = 'SimMIM'",
        "simmim_vit-base-p16_8xb512-coslr-400e_in1k.py",
    ),
    Rule(
        "MMN313",
        "batch-augment-mismatch",
        "warning",
        CONSISTENCY,
        "`{found}` says {said}; the config's batch augments are {actual}",
        "`mixup` and `cutmix` are batch augmentations, set in "
        "`model.train_cfg.augments` (`Mixup`, `CutMix`).",
        "resnet50_8xb32-mixup_in1k.py  # augments=dict(type='CutMix', alpha=1.0)",
        "resnet50_8xb32-cutmix_in1k.py",
    ),
    Rule(
        "MMN314",
        "label-smoothing-mismatch",
        "warning",
        CONSISTENCY,
        "`{found}` says label smoothing; the head's loss is {actual}",
        "`lbs` means the classification head is trained with label smoothing "
        "(`LabelSmoothLoss`, or a loss with `label_smooth_val`).",
        "resnet50_8xb32-lbs_in1k.py  # loss=dict(type='CrossEntropyLoss')",
        "resnet50_8xb32_in1k.py",
    ),
    Rule(
        "MMN315",
        "headless-mismatch",
        "warning",
        CONSISTENCY,
        "A `headless` config holds no head and no training data; this one sets {actual}",
        "`{module}_headless.py` configs hold only the backbone (and neck): no "
        "`model.head` and no `train_dataloader`. One that has them is a complete "
        "config and should be named like one.",
        "vit-base-p14_headless.py  # model = dict(..., head=dict(...))",
        "vit-base-p14_8xb64_in1k.py",
    ),
    Rule(
        "MMN316",
        "schedule-mismatch",
        "warning",
        CONSISTENCY,
        "`{found}` says {said} epochs; the config sets {actual}",
        "In MMDetection names `1x`, `2x`, `3x` are schedules of 12, 24 and 36 epochs: "
        "the config's epoch-based `train_cfg.max_epochs` (before MMEngine "
        "`runner.max_epochs`), times `RepeatDataset.times` when the training data is "
        "repeated (`3x` is often 12 epochs of a dataset repeated 3 times). Only "
        "profiles that give `1x` this meaning are checked: in MMPretrain it is a width.",
        "faster-rcnn_r50_fpn_1x_coco.py  # train_cfg = dict(max_epochs=24)",
        "faster-rcnn_r50_fpn_2x_coco.py",
        True,
        safe_fix=False,
    ),
    Rule(
        "MMN317",
        "iterations-mismatch",
        "warning",
        CONSISTENCY,
        "`{found}` says {said} iterations; the config sets {actual}",
        "`40k`, `160k` (MMSegmentation, MMDetection) and `30ki` (MMPose) are the "
        "iterations of an iteration-based schedule: `train_cfg.max_iters` (before "
        "MMEngine `runner.max_iters`). Epoch-based configs are not compared.",
        "pspnet_r50-d8_4xb2-40k_cityscapes-512x1024.py  # train_cfg.max_iters = 80000",
        "pspnet_r50-d8_4xb2-80k_cityscapes-512x1024.py",
        True,
        safe_fix=False,
    ),
    Rule(
        "MMN318",
        "input-size-mismatch",
        "warning",
        CONSISTENCY,
        "`{found}` says {said}; the config sets {actual}",
        "`{dataset}-{H}x{W}` is the size the training pipeline crops or warps its "
        "inputs to, height first: in MMSegmentation the `RandomCrop`'s `crop_size`, "
        "written (height, width); in MMPose the `TopdownAffine` (or "
        "`BottomupRandomAffine`) `input_size` of the codec, written (width, height), "
        "so `256x192` is `input_size=(192, 256)`. A second dataset's size (MMSegmentation "
        "testing on another dataset) is not compared.",
        "pspnet_r50-d8_4xb2-40k_cityscapes-512x1024.py  # crop_size = (769, 769)",
        "pspnet_r50-d8_4xb2-40k_cityscapes-769x769.py",
        True,
        safe_fix=False,
    ),
    Rule(
        "MMN319",
        "clip-sampling-mismatch",
        "warning",
        CONSISTENCY,
        "`{found}` says {said}; the training pipeline has {actual}",
        "MMAction2 writes how frames are sampled: `32x2x1` is clip length x frame "
        "interval x number of clips, the `SampleFrames(clip_len, frame_interval, "
        "num_clips)` of the training pipeline, and `u48` is 48 frames sampled "
        "uniformly (`UniformSample`/`UniformSampleFrames(clip_len=48)`). SlowFast "
        "names its slow pathway (`SampleFrames(32, 2, 1)` with `resample_rate=8` is "
        "`4x16x1`); a test-only config is compared on clip length and interval only.",
        "tsn_r50_8xb32-1x1x3-100e_kinetics400-rgb.py  # SampleFrames(clip_len=1, "
        "frame_interval=1, num_clips=8)",
        "tsn_r50_8xb32-1x1x8-100e_kinetics400-rgb.py",
        True,
        safe_fix=False,
    ),
)

_RULES += (
    Rule(
        "MMN291",
        "base-cycle",
        "error",
        REFERENCE,
        "`_base_` cycle: {found}",
        "A config that inherits itself, directly or through other bases, cannot be "
        "loaded: MMEngine would recurse until it fails.",
        "# a.py: _base_ = ['./b.py']   # b.py: _base_ = ['./a.py']",
        "# a.py: _base_ = ['./b.py']   # b.py: no _base_ back to a.py",
    ),
    Rule(
        "MMN292",
        "base-unreadable",
        "error",
        REFERENCE,
        "Base config `{found}` cannot be read: {detail}",
        "The base exists but cannot be used: it is not valid UTF-8 text, cannot be "
        "opened (permissions, a symbolic link loop), or does not parse as Python.",
        "_base_ = ['./binary_blob.py']",
        "_base_ = ['./models/resnet50.py']",
    ),
)

_RULES += (
    Rule(
        "MMN203",
        "metafile-epochs-mismatch",
        "warning",
        REFERENCE,
        "The name says `{found}`; the metafile gives Epochs: {actual}",
        "In a `metafile.yml`, a model's `NNNe` word and its `Metadata: Epochs` describe "
        "the same training. When they differ, one of them is wrong. Models of the "
        "published MMPretrain zoo cannot be renamed, so there it is a hint.",
        "- Name: resnet50_8xb32-coslr-300e_in1k  # Metadata: Epochs: 100",
        "- Name: resnet50_8xb32-coslr-100e_in1k  # Metadata: Epochs: 100",
        True,
        safe_fix=False,
    ),
    Rule(
        "MMN204",
        "metafile-batch-mismatch",
        "warning",
        REFERENCE,
        "The name says `{found}` ({total} images per step); the metafile gives "
        "Batch Size: {actual}",
        "`NxbM` in a name means N GPUs with M images each, a total batch of N*M, which "
        "is what `Metadata: Batch Size` gives in a `metafile.yml`.",
        "- Name: resnet50_8xb32_in1k  # Metadata: Batch Size: 512",
        "- Name: resnet50_8xb32_in1k  # Metadata: Batch Size: 256",
    ),
    Rule(
        "MMN205",
        "metafile-data-mismatch",
        "warning",
        REFERENCE,
        "The name says `{found}`; the metafile gives Training Data: {actual}",
        "The dataset word of a model name's data part (`in1k`, `in21k`, `cifar10`...) "
        "is the data the model was trained (or fine-tuned) on, so it should be among "
        "the entry's `Metadata: Training Data`.",
        "- Name: resnet50_8xb32_cifar10  # Training Data: ImageNet-1k",
        "- Name: resnet50_8xb32_in1k  # Training Data: ImageNet-1k",
    ),
    Rule(
        "MMN206",
        "metafile-3rdparty-mismatch",
        "warning",
        REFERENCE,
        "`{found}` {said}, but the metafile entry {actual}",
        "Weights converted from another code base are marked `3rdparty` in the model "
        "name and carry a `Converted From` block (Weights, Code) in the metafile; the "
        "two go together.",
        "- Name: vit-base-p16_in1k  # Converted From: {Weights: ..., Code: ...}",
        "- Name: vit-base-p16_3rdparty_in1k  # Converted From: {Weights: ..., Code: ...}",
    ),
    Rule(
        "MMN207",
        "metafile-missing-config",
        "error",
        REFERENCE,
        "Config `{found}` not found ({where})",
        "A metafile's `Config` is a path relative to the repository root (the folder "
        "that holds `model-index.yml`). `mim` and `get_model` fail on a model whose "
        "config does not exist.",
        "Config: configs/resnet/resnet50_8xb32_in1.py",
        "Config: configs/resnet/resnet50_8xb32_in1k.py",
    ),
    Rule(
        "MMN208",
        "checkpoint-not-named-after-model",
        "hint",
        REFERENCE,
        "Checkpoint `{found}` is not named after its model (`{expected}`)",
        "A checkpoint published for a model is best named `{name}_{date}-{hash}.pth`, so "
        "that the file tells which model it holds. Upstream MMPretrain often keeps the "
        "older names of re-released checkpoints, hence only a hint.",
        "Weights: .../resnet50_b32x8_imagenet_20210531-x.pth  # Name: resnet50_8xb32_in1k",
        "Weights: .../resnet50_8xb32_in1k_20210831-ea4938fc.pth",
    ),
    Rule(
        "MMN209",
        "duplicate-model-name",
        "error",
        REFERENCE,
        "Model `{found}` is defined more than once (also in {where})",
        "Model names are the keys of the model index: `get_model` and `mim` find only "
        "one of two models with the same name.",
        "- Name: resnet50_8xb32_in1k  (in two metafiles)",
        "- Name: resnet50_8xb32-coslr_in1k",
    ),
    Rule(
        "MMN210",
        "readme-missing-config",
        "warning",
        REFERENCE,
        "Link to config `{found}`, which does not exist ({where})",
        "A README links to a config file that is not there (renamed or deleted); the "
        "link is broken for readers.",
        "[config](resnet50_8xb32_in1.py)",
        "[config](resnet50_8xb32_in1k.py)",
    ),
    Rule(
        "MMN211",
        "model-index-missing-metafile",
        "error",
        REFERENCE,
        "Metafile `{found}` not found ({where})",
        "Every `Import` entry of `model-index.yml` is a metafile path relative to the "
        "model index; a missing one hides its models from `mim` and `get_model`.",
        "Import:\n  - configs/resnet/metafle.yml",
        "Import:\n  - configs/resnet/metafile.yml",
    ),
    Rule(
        "MMN212",
        "yaml-syntax",
        "error",
        REFERENCE,
        "YAML does not parse: {detail}",
        "A metafile or model index that is not valid YAML cannot be read by `mim` or "
        "`get_model`. Until it is fixed, mmname reads its `Name`, `Config` and "
        "`Weights` lines one by one.",
        "- Name: resnet50_8xb32_in1k\n  Config: [configs/resnet",
        "- Name: resnet50_8xb32_in1k\n  Config: configs/resnet/resnet50_8xb32_in1k.py",
    ),
)

RULES: Dict[str, Rule] = {r.code: r for r in _RULES}


def rule(code: str) -> Rule:
    return RULES[code]


def maybe_rule(code: str) -> Optional[Rule]:
    return RULES.get(code)


# Severities, most severe first, and their rank (lower is more severe).
SEVERITY_RANK = {"error": 0, "warning": 1, "information": 2, "hint": 3}


# ---------------------------------------------------------------------------
# Rule selection


def unknown_selector(code: str) -> bool:
    """True when ``code`` is neither ``ALL`` nor a prefix of a rule code."""
    return code != "ALL" and not any(c.startswith(code) for c in RULES)


class Selection:
    """Which rule codes to report, from ``select`` and ``ignore`` codes or prefixes.

    The most specific (longest) matching entry decides; on a tie ``ignore``
    wins.  So ``select = ["MMN1"]``, ``ignore = ["MMN11"]`` reports MMN101 but
    not MMN112, and ``ignore = ["MMN1"]``, ``select = ["MMN118"]`` keeps MMN118.
    """

    def __init__(self, select: Optional[Sequence[str]] = None, ignore: Sequence[str] = ()):
        self.select = tuple(select) if select is not None else ("ALL",)
        self.ignore = tuple(ignore)
        self._cache: Dict[str, bool] = {}

    @staticmethod
    def _best(code: str, entries: Sequence[str]) -> int:
        best = -1
        for e in entries:
            if e == "ALL":
                best = max(best, 0)
            elif code.startswith(e):
                best = max(best, len(e))
        return best

    def __call__(self, code: str) -> bool:
        hit = self._cache.get(code)
        if hit is None:
            sel = self._best(code, self.select)
            ign = self._best(code, self.ignore)
            hit = self._cache[code] = sel >= 0 and sel > ign
        return hit
