"""Does a config's content agree with its name?

A config file name promises things: ``8xb32`` (32 images per GPU, 256 in
total), ``300e``, ``coslr``, ``amp``, ``384px``, ``p16``, ``base``,
``resnet50``, ``in1k``, ``mae_``, ``mixup``, ``lbs``, ``headless``.  The
statically resolved config (:mod:`mmname_lsp.configs`) says what the file
really sets.  Each check here compares one promise with the matching value and
speaks only when the two *contradict*: a value that is absent, not statically
known (``Unresolved``) or set in a file that could not be read keeps the check
silent, and well-known defaults are never contradictions (a name without
``coslr`` may still train with a cosine schedule).

Pure functions: no editor protocol types, no file access.  Offsets of findings
and facts index ``decoded.input`` (usually the config's file name or path).

Words mean what the repository's convention (its *profile*) makes them mean:
``1x`` is a 12-epoch schedule in MMDetection and a width multiplier in
MMPretrain; ``512x1024`` is a crop of height x width in MMSegmentation, and
``256x192`` an input of height x width that MMPose configs write as
``(192, 256)``.  Each family of the OpenMMLab repositories has the checks that
its words give a meaning to (:func:`family_checks`); the profile comes from the
caller, else from the config's ``default_scope``, else MMPretrain.  Which model
and dataset classes an algorithm or dataset word names in a sister repository
is learned from its real configs (``data/class_words.json``, written by
``scripts/build_class_words.py``); a word or class not learned is not compared.

Example::

    cfg = resolve_config("configs/resnet/resnet50_8xb32_in1k.py")
    findings, facts = check_consistency(decode("resnet50_8xb32_in1k.py", "config"), cfg)
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from mmname_lsp.codes import RULES
from mmname_lsp.configs import ResolvedConfig, Unresolved, Value
from mmname_lsp.data import class_words
from mmname_lsp.naming import model as m
from mmname_lsp.naming import patterns
from mmname_lsp.naming.model import Decoded, Part, Token
from mmname_lsp.naming.profiles import get_profile

__all__ = [
    "AGREE",
    "CHECKS",
    "CONTRADICT",
    "UNKNOWN",
    "ConsistencyFinding",
    "Outcome",
    "Related",
    "TokenFact",
    "algorithm_phrase",
    "check_consistency",
    "dataset_phrase",
    "evaluate",
    "family_checks",
    "family_of",
    "train_dataset_classes",
]


@dataclass(frozen=True)
class Related:
    """Where the contradicting value is set (0-based line and column)."""

    file: str
    line: int
    col: int
    end_line: int
    end_col: int
    message: str  # e.g. "train_dataloader.batch_size = 64"


@dataclass(frozen=True)
class ConsistencyFinding:
    """A name token that the config's content contradicts."""

    code: str
    severity: str
    message: str
    start: int  # offsets into decoded.input
    end: int
    replacement: Optional[str]  # the token rewritten to match the config, or None
    related: Tuple[Related, ...]


@dataclass(frozen=True)
class TokenFact:
    """What the config says about one name token (for hover)."""

    start: int
    end: int
    text: str
    summary: str  # e.g. "config: train_dataloader.batch_size = 32 (imagenet_bs32.py:40)"


# Outcomes of one check on one token (for reports and tests).
AGREE = "agree"
CONTRADICT = "contradict"
UNKNOWN = "unknown"  # the value is absent, Unresolved or could not be read


@dataclass(frozen=True)
class Outcome:
    """The result of one check on one name token."""

    code: str
    status: str
    token: Token
    finding: Optional[ConsistencyFinding] = None


# code -> what it compares (for reports).
CHECKS: Dict[str, str] = {
    "MMN301": "NxbM: M vs train_dataloader.batch_size",
    "MMN302": "NxbM: NxM vs auto_scale_lr.base_batch_size",
    "MMN303": "NNNe vs train_cfg.max_epochs",
    "MMN304": "coslr/steplr vs param_scheduler",
    "MMN305": "amp/fp16 vs optim_wrapper.type",
    "MMN306": "NNNpx vs pipelines and img_size",
    "MMN307": "pNN vs model.backbone.patch_size",
    "MMN308": "wNN vs model.backbone.window_size",
    "MMN309": "size word vs model.backbone.arch",
    "MMN310": "depth vs model.backbone.depth",
    "MMN311": "dataset vs train dataset type",
    "MMN312": "algorithm vs model.type",
    "MMN313": "mixup/cutmix vs model.train_cfg.augments",
    "MMN314": "lbs vs head loss",
    "MMN315": "headless vs model.head/train_dataloader",
    "MMN316": "1x/2x schedule vs train_cfg.max_epochs (x RepeatDataset.times)",
    "MMN317": "40k iterations vs train_cfg.max_iters",
    "MMN318": "HxW vs the train pipeline's crop or input size",
    "MMN319": "clip sampling vs SampleFrames/UniformSample",
}

# -- families: which words mean what ------------------------------------------------

MMPRETRAIN = "mmpretrain"
# The OpenMMLab families whose words the checks know, by import package.
_PACKAGE_FAMILY = {
    "mmpretrain": MMPRETRAIN,
    "mmcls": MMPRETRAIN,
    "mmdet": "mmdet",
    "mmseg": "mmseg",
    "mmpose": "mmpose",
    "mmaction": "mmaction2",
    "mmaction2": "mmaction2",
}
_COMMON = ("MMN301", "MMN302", "MMN303", "MMN304", "MMN305", "MMN307", "MMN308",
           "MMN311", "MMN312", "MMN317")
# The checks each family's words give a meaning to.  MMPretrain's size words,
# depths, `NNNpx`, batch augments and `headless` are its own; `1x` is a schedule
# only in MMDetection, `HxW` a crop in MMSegmentation and an input in MMPose,
# `32x2x1`/`u48` a clip sampling only in MMAction2.
_FAMILY_CODES: Dict[str, Tuple[str, ...]] = {
    MMPRETRAIN: tuple(f"MMN3{i:02d}" for i in range(1, 16)),
    "mmdet": _COMMON + ("MMN316",),
    "mmseg": _COMMON + ("MMN318",),
    "mmpose": _COMMON + ("MMN318",),
    "mmaction2": _COMMON + ("MMN319",),
}
# Order of the two numbers of an input size in the content, per family: the
# names write height x width everywhere; MMSegmentation's `crop_size` is
# (h, w), MMPose's `input_size` (w, h).
_SIZE_ORDER = {"mmseg": "hw", "mmpose": "wh"}
# Pipeline steps holding the size, per family: type -> key (first found wins,
# the last such step of the pipeline counts).
_FAMILY_SIZE_OPS: Dict[str, Dict[str, str]] = {
    "mmseg": {"RandomCrop": "crop_size"},
    "mmpose": {"TopdownAffine": "input_size", "BottomupRandomAffine": "input_size"},
}
# Config keys holding the size when no pipeline step gives it.
_FAMILY_SIZE_KEYS = {
    "mmseg": ("model.data_preprocessor.size", "crop_size"),
    "mmpose": ("codec.input_size",),
}
_SAMPLERS = frozenset({"SampleFrames", "SampleAVAFrames", "DenseSampleFrames"})
_UNIFORM_SAMPLERS = frozenset({"UniformSample", "UniformSampleFrames"})
# A dataset wrapper's inner datasets: one under `dataset`, several under `datasets`.
_FAMILY_WRAPPERS = frozenset({"RepeatDataset", "ClassBalancedDataset", "KFoldDataset",
                              "ConcatDataset", "CombinedDataset", "MultiImageMixDataset"})
# Words of a data part that say how the data is given, not which data.
_DATA_FORM = frozenset({"rgb", "flow", "audio", "feature", "keypoint", "2d", "3d",
                        "skeleton", "heatmap", "rawframes", "video"})


def family_of(profile: Any) -> Optional[str]:
    """The family whose meanings a profile's words have (``"mmdet3"`` ->
    ``"mmdet"``, or a profile object by its name), or None for a profile that
    is none of them."""
    if not isinstance(profile, str):
        profile = getattr(profile, "name", None)
    if not isinstance(profile, str) or not profile:
        return None
    found = get_profile(profile)
    if found is not None and found.package in _PACKAGE_FAMILY:
        return _PACKAGE_FAMILY[found.package]
    for prefix in sorted(_PACKAGE_FAMILY, key=len, reverse=True):
        if profile.lower().startswith(prefix):
            return _PACKAGE_FAMILY[prefix]
    return None


def family_checks(family: str) -> Tuple[str, ...]:
    """The codes of the checks that apply to names of ``family``."""
    return _FAMILY_CODES.get(family, ())

# -- vocabularies of the checks -------------------------------------------------

_GXB = re.compile(r"(\d+)xb(\d+)")
_EPOCHS = re.compile(r"(\d+)e")
_PX = re.compile(r"(\d+)px")
_PATCH = re.compile(r"p(?:atch)?(\d+)")
_WINDOW = re.compile(r"(?:w|window|ws)(\d+)")
_DEPTH_WORD = re.compile(r"([a-z][a-z0-9-]*?[a-z])(\d+)")

# Lower-case size words and letters -> one canonical word.
_SIZES = {
    "t": "tiny",
    "tiny": "tiny",
    "s": "small",
    "small": "small",
    "b": "base",
    "base": "base",
    "m": "medium",
    "medium": "medium",
    "l": "large",
    "large": "large",
    "h": "huge",
    "huge": "huge",
    "g": "giant",
    "giant": "giant",
    "xl": "xlarge",
    "xlarge": "xlarge",
    "xs": "xsmall",
    "xsmall": "xsmall",
    "xxs": "xxsmall",
    "xxsmall": "xxsmall",
    "n": "nano",
    "nano": "nano",
    "atto": "atto",
    "femto": "femto",
    "pico": "pico",
}

# Backbone families whose trailing number is the depth.
_DEPTH_FAMILIES = frozenset(
    {
        "resnet",
        "resnetv1c",
        "resnetv1d",
        "resnext",
        "seresnet",
        "seresnext",
        "res2net",
        "resnest",
        "wide-resnet",
        "wrn",
        "vgg",
        "cspresnet",
        "cspresnext",
        "cspdarknet",
        "densenet",
    }
)
# Families whose depth is given as the `arch` string ("121").
_DEPTH_AS_ARCH = frozenset({"densenet"})

# Dataset word -> dataset classes it names (exact names, or prefixes ending in "*").
_DATASETS: Dict[str, Tuple[str, ...]] = {
    "in1k": ("ImageNet",),
    "imagenet": ("ImageNet",),
    "imagenet1k": ("ImageNet",),
    "in21k": ("ImageNet21k",),
    "in22k": ("ImageNet21k",),
    "imagenet21k": ("ImageNet21k",),
    "imagenet22k": ("ImageNet21k",),
    "cifar10": ("CIFAR10",),
    "cifar100": ("CIFAR100",),
    "cub": ("CUB",),
    "inshop": ("InShop",),
    "mnist": ("MNIST",),
    "fashionmnist": ("FashionMNIST",),
    "voc": ("VOC",),
    "voc07": ("VOC",),
    "coco": ("COCO*",),
    "flickr30k": ("Flickr30k*",),
    "refcoco": ("RefCOCO",),
    "gqa": ("GQA",),
    "ocrvqa": ("OCRVQA",),
    "okvqa": ("COCOVQA",),
    "nocaps": ("NoCaps",),
    "nlvr": ("NLVR2",),
}
# Dataset classes that can hold any data: never a contradiction.
_NEUTRAL_DATASETS = frozenset({"CustomDataset", "BaseDataset", "ConcatDataset"})
# Wrappers whose real dataset is their `dataset`.
_WRAPPERS = frozenset({"RepeatDataset", "ClassBalancedDataset", "KFoldDataset"})
# The dataset classes the checks know: a contradiction needs one of these.
_KNOWN_DATASETS = frozenset(
    {
        "ImageNet",
        "ImageNet21k",
        "CIFAR10",
        "CIFAR100",
        "CUB",
        "InShop",
        "MNIST",
        "FashionMNIST",
        "VOC",
        "RefCOCO",
        "GQA",
        "OCRVQA",
        "NoCaps",
        "NLVR2",
        "Places205",
        "StanfordCars",
        "Caltech101",
        "Food101",
        "OxfordIIITPet",
        "Flowers102",
        "DTD",
        "SUN397",
        "FGVCAircraft",
    }
)
# The name word for a dataset class (for the replacement).
_DATASET_WORD = {
    "ImageNet": "in1k",
    "ImageNet21k": "in21k",
    "CIFAR10": "cifar10",
    "CIFAR100": "cifar100",
    "CUB": "cub",
    "InShop": "inshop",
    "MNIST": "mnist",
    "VOC": "voc",
}

# Algorithm word -> model classes.
_ALGORITHMS: Dict[str, Tuple[str, ...]] = {
    "mae": ("MAE",),
    "beit": ("BEiT",),
    "beitv2": ("BEiT", "BEiTv2"),
    "simclr": ("SimCLR",),
    "mocov2": ("MoCo", "MoCoV2"),
    "mocov3": ("MoCoV3",),
    "byol": ("BYOL",),
    "barlowtwins": ("BarlowTwins",),
    "densecl": ("DenseCL",),
    "simsiam": ("SimSiam",),
    "swav": ("SwAV",),
    "cae": ("CAE",),
    "maskfeat": ("MaskFeat",),
    "milan": ("MILAN",),
    "mixmim": ("MixMIM",),
    "eva": ("EVA",),
    "eva-mae-style": ("EVA",),
    "itpn": ("iTPN",),
    "itpn-pixel": ("iTPN",),
    "itpn-clip-b": ("iTPN",),
    "spark": ("SparK",),
    "mff": ("MFF",),
    "simmim": ("SimMIM",),
    "clip": ("CLIP", "CLIPZeroShot"),
    "cn-clip": ("ChineseCLIP",),
    "minigpt-4": ("MiniGPT4",),
}
# Algorithm classes: a contradiction needs model.type to be one of these (or
# ImageClassifier, which no self-supervised algorithm is).
_ALGORITHM_CLASSES = frozenset(c for cs in _ALGORITHMS.values() for c in cs) | {"ImageClassifier"}

_COSINE = frozenset(
    {
        "CosineAnnealingLR",
        "CosineRestartLR",
        "CosineAnnealingParamScheduler",
        "CosineRestartParamScheduler",
    }
)
_STEP = frozenset({"StepLR", "MultiStepLR", "StepParamScheduler", "MultiStepParamScheduler"})

_AUGMENTS = {"mixup": ("Mixup", "BatchMixup"), "cutmix": ("CutMix", "BatchCutMix")}

# Pipeline transforms that set the output size: type -> keys holding the size.
_SIZE_OPS: Dict[str, Tuple[str, ...]] = {
    "RandomResizedCrop": ("scale", "size"),
    "EfficientNetRandomCrop": ("scale",),
    "RandomResizedCropAndInterpolationWithTwoPic": ("size",),
    "MAERandomResizedCrop": ("size",),
    "CenterCrop": ("crop_size",),
    "EfficientNetCenterCrop": ("crop_size",),
    "RandomCrop": ("crop_size",),
    "Resize": ("scale", "size"),
    "ResizeEdge": ("scale",),
    "torchvision/Resize": ("size",),
    "torchvision/CenterCrop": ("size",),
    "torchvision/RandomCrop": ("size",),
    "torchvision/RandomResizedCrop": ("size",),
}


# -- reading the config -----------------------------------------------------------


def _known(value: Any) -> bool:
    """A value with no Unresolved anywhere inside (shallow for big containers)."""
    if isinstance(value, Unresolved):
        return False
    if isinstance(value, dict):
        return all(_known(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(_known(v) for v in value)
    return True


class _Config:
    """Read access that hides what cannot be trusted."""

    def __init__(self, resolved: ResolvedConfig) -> None:
        self.resolved = resolved
        # When a base could not be read or a statement was skipped, a value
        # from a base may be overridden by what we did not see: then only
        # values the config file itself sets are trusted.
        self.partial = bool(resolved.issues) or any(
            "read anyway" not in reason for _, reason in resolved.skipped
        )

    def get(self, key: str) -> Optional[Value]:
        v = self.resolved.get(key)
        if v is None or v.value is None or isinstance(v.value, Unresolved):
            return None
        if self.partial and v.file != self.resolved.path:
            return None
        return v

    def scalar(self, key: str, kinds: Tuple[type, ...]) -> Optional[Value]:
        v = self.get(key)
        if v is None or isinstance(v.value, bool) or not isinstance(v.value, kinds):
            return None
        return v

    def present(self, key: str) -> Optional[Value]:
        """The value even when Unresolved (its presence is what counts)."""
        v = self.resolved.get(key)
        if v is None or v.value is None:
            return None
        if self.partial and v.file != self.resolved.path:
            return None
        return v


def _where(v: Value) -> str:
    return f"{os.path.basename(v.file)}:{v.line + 1}"


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        return f"{value['type']}(...)"
    if isinstance(value, (list, tuple)) and all(
        isinstance(x, dict) and isinstance(x.get("type"), str) for x in value
    ):
        inner = ", ".join(x["type"] for x in value)
        return f"[{inner}]"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _related(key: str, v: Value, shown: Optional[str] = None) -> Related:
    return Related(
        v.file,
        v.line,
        v.col,
        v.end_line,
        v.end_col,
        f"{key} = {shown if shown is not None else _show(v.value)}",
    )


def _fact(key: str, v: Value, shown: Optional[str] = None) -> str:
    return f"{key} = {shown if shown is not None else _show(v.value)} ({_where(v)})"


def _int(value: Any) -> Optional[int]:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _joined_digits(value: Any) -> Optional[str]:
    """``(8, 7, 7)`` -> ``"877"``: how names write a 3-D size, one digit each."""
    if isinstance(value, (list, tuple)) and len(value) == 3 and all(
            isinstance(x, int) and not isinstance(x, bool) and 0 <= x <= 9 for x in value):
        return "".join(str(x) for x in value)
    return None


def _square(value: Any) -> Optional[int]:
    """Side of a square size: ``384`` or ``(384, 384)``; None otherwise."""
    n = _int(value)
    if n is not None:
        return n
    if isinstance(value, (list, tuple)) and len(value) == 2:
        a, b = _int(value[0]), _int(value[1])
        if a is not None and a == b:
            return a
    return None


def _types(value: Any) -> Optional[List[str]]:
    """``type`` of a dict or of every dict of a list; None when any is unknown."""
    items = [value] if isinstance(value, dict) else value
    if not isinstance(items, (list, tuple)):
        return None
    out = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            return None
        out.append(_cls(item["type"]))
    return out


def _cls(name: str) -> str:
    """A class name without its module or scope (``mmpretrain.models.MAE`` -> ``MAE``)."""
    return name.rsplit(".", 1)[-1]


# -- the run ----------------------------------------------------------------------


class _Run:
    def __init__(
        self, decoded: Optional[Decoded], resolved: ResolvedConfig, family: str
    ) -> None:
        self.decoded = decoded
        self.family = family
        self.codes = frozenset(family_checks(family))
        self.cfg = _Config(resolved)
        self.outcomes: List[Outcome] = []
        self.facts: Dict[Tuple[int, int], List[str]] = {}
        self.tokens: Dict[Tuple[int, int], Token] = {}

    # recording
    def fact(self, tok: Token, text: str) -> None:
        key = (tok.start, tok.end)
        self.tokens[key] = tok
        found = self.facts.setdefault(key, [])
        if text not in found:
            found.append(text)

    def agree(self, code: str, tok: Token) -> None:
        self.outcomes.append(Outcome(code, AGREE, tok))

    def unknown(self, code: str, tok: Token) -> None:
        self.outcomes.append(Outcome(code, UNKNOWN, tok))

    def contradict(
        self,
        code: str,
        tok: Token,
        replacement: Optional[str],
        related: Sequence[Related],
        **fields: object,
    ) -> None:
        rule = RULES[code]
        try:
            message = rule.message.format(found=tok.text, **fields)
        except (KeyError, IndexError):
            message = rule.message
        if replacement == tok.text:
            replacement = None
        finding = ConsistencyFinding(
            code, rule.severity, message, tok.start, tok.end, replacement, tuple(related)
        )
        self.outcomes.append(Outcome(code, CONTRADICT, tok, finding))

    # tokens of the name
    def tokens_of(self, roles: Iterable[str]) -> List[Token]:
        wanted = set(roles)
        return [t for p in self.decoded.parts if p.role in wanted for t in p.tokens]

    def run(self) -> None:
        d = self.decoded
        if d is None or not d.parts:
            return
        if self.family != MMPRETRAIN:
            self.run_family()
            return
        training = self.tokens_of((m.TRAINING,))
        module = self.tokens_of((m.MODULE,))
        data = self.tokens_of((m.DATA,))
        for tok in training:
            if tok.kind == "gpus-x-batch" and _GXB.fullmatch(tok.text):
                self.batch(tok)
            elif tok.kind == "epochs" and _EPOCHS.fullmatch(tok.text):
                self.epochs(tok)
            elif tok.kind == "scheduler" and tok.text in ("coslr", "steplr"):
                self.scheduler(tok)
            elif tok.kind == "precision" and tok.text in ("amp", "fp16"):
                self.precision(tok)
            elif tok.kind == "augmentation" and tok.text in _AUGMENTS:
                self.augment(tok)
            elif tok.kind == "loss" and tok.text == "lbs":
                self.label_smoothing(tok)
        for tok in module:
            if tok.kind == "patch" and _PATCH.fullmatch(tok.text):
                self.patch(tok)
            elif tok.kind == "window" and _WINDOW.fullmatch(tok.text):
                self.window(tok)
            elif tok.kind == "size" and tok.text.lower() in _SIZES:
                self.size(tok)
            elif tok.kind == "backbone":
                mt = _DEPTH_WORD.fullmatch(tok.text.lower())
                if mt and mt.group(1) in _DEPTH_FAMILIES:
                    self.depth(tok, mt.group(1), int(mt.group(2)))
        datasets = [t for t in data if t.kind == "dataset" and t.text.lower() in _DATASETS]
        for tok in datasets:
            self.dataset(tok)
        for tok in data:
            if tok.kind == "resolution" and _PX.fullmatch(tok.text):
                self.resolution(tok)
        alg = d.part(m.ALGORITHM)
        if alg is not None:
            for tok in alg.tokens:
                if tok.text.lower() in _ALGORITHMS:
                    self.algorithm(tok)
        headless = d.part(m.HEADLESS)
        if headless is not None and headless.tokens:
            self.headless(headless.tokens[0])

    def run_family(self) -> None:
        """The checks of a sister repository's name: each word by the meaning
        its family gives it (the decoder's kind, else the word's shape)."""
        d = self.decoded
        on = self.codes.__contains__
        # The first size of the data parts is the training data's; a later one
        # belongs to a testing dataset (`..._cityscapes-512x1024_dark-zurich-1920x1080`).
        data_parts = [p for p in d.parts if p.role == m.DATA] or list(d.parts[-1:])
        sizes = [t for p in data_parts for t in p.tokens if _is_size(t)]
        train_size = sizes[0] if sizes else None
        for part in d.parts:
            for tok in part.tokens:
                kind = self.family_kind(tok, part, train_size)
                if kind == "gpus-x-batch" and on("MMN301"):
                    self.batch(tok)
                elif kind == "epochs" and on("MMN303"):
                    self.epochs(tok)
                elif kind == "schedule" and on("MMN316"):
                    self.schedule(tok)
                elif kind == "iterations" and on("MMN317"):
                    self.iterations(tok)
                elif kind == "input-size" and on("MMN318"):
                    self.input_size(tok)
                elif kind in ("clip-sampling", "uniform-sampling") and on("MMN319"):
                    self.sampling(tok, kind)
                elif tok.kind == "scheduler" and tok.text in ("coslr", "steplr"):
                    self.scheduler(tok)
                elif tok.kind == "precision" and tok.text in ("amp", "fp16"):
                    self.precision(tok)
                elif tok.kind == "patch" and _PATCH.fullmatch(tok.text):
                    self.patch(tok)
                elif tok.kind == "window" and _WINDOW.fullmatch(tok.text):
                    self.window(tok)
        alg = algorithm_phrase(d, self.family)
        if alg is not None and on("MMN312"):
            self.family_class("MMN312", alg, "algorithm")
        data = dataset_phrase(d, self.family)
        if data is not None and on("MMN311"):
            self.family_class("MMN311", data, "dataset")

    def family_kind(self, tok: Token, part: Part, train_size: Optional[Token]) -> Optional[str]:
        """What a word of a sister repository's name says, by the decoder's
        kind where it has one, else by its shape where the family gives that
        shape one meaning."""
        fam, text, kind = self.family, tok.text, tok.kind
        if _is_size(tok):
            return "input-size" if tok is train_size else None
        if kind in ("schedule", "iterations", "epochs", "clip-sampling", "uniform-sampling"):
            return kind
        if kind == "gpus-x-batch" or kind.startswith("batch"):
            if patterns.GPUS_X_BATCH.fullmatch(text):
                return "gpus-x-batch"
            # `8x2` without `b`: GPUs x batch in the detection repositories only.
            if fam in ("mmdet", "mmseg") and patterns.BATCH_NO_B.fullmatch(text):
                return "gpus-x-batch"
            return None
        if part.role in (m.ALGORITHM, m.MODULE) and kind not in ("unknown", "variant"):
            return None
        if fam == "mmdet" and patterns.schedule_epochs(text) is not None:
            return "schedule"
        if fam == "mmaction2" and patterns.clip_sampling(text) is not None:
            return "clip-sampling"
        if fam == "mmaction2" and patterns.uniform_sampling(text) is not None:
            return "uniform-sampling"
        return None

    # -- the checks -----------------------------------------------------------

    def batch(self, tok: Token) -> None:
        g, b = patterns.gpus_batch(tok.text)
        bs = self.cfg.scalar("train_dataloader.batch_size", (int,))
        if bs is None and self.cfg.present("train_dataloader") is None:
            # A config from before MMEngine: `data = dict(samples_per_gpu=2)`.
            legacy = self.cfg.scalar("data.samples_per_gpu", (int,))
            if legacy is not None:
                return self.batch_legacy(tok, b, legacy)
        sep = tok.text[len(str(g)):-len(str(b))]  # `xb`, or legacy `x`
        base = self.cfg.scalar("auto_scale_lr.base_batch_size", (int,))
        accum = self.cfg.scalar("optim_wrapper.accumulative_counts", (int,))
        if bs is not None:
            self.fact(tok, _fact("train_dataloader.batch_size", bs))
        if accum is not None and accum.value > 1:
            self.fact(tok, _fact("optim_wrapper.accumulative_counts", accum))
        if base is not None:
            self.fact(tok, _fact("auto_scale_lr.base_batch_size", base))
        # With gradient accumulation, M may count the accumulated batch.
        per_gpu_ok = bs is not None and (
            bs.value == b or (accum is not None and accum.value > 1 and bs.value * accum.value == b)
        )
        items = self._images_per_item() if bs is not None and not per_gpu_ok else None
        per_item = 1
        if items is not None and bs.value * items[0] == b:
            # One item of the dataset holds several images or clips.
            self.fact(tok, _fact(items[1], items[2]))
            per_gpu_ok, per_item = True, items[0]
        # MMN301: images per GPU.
        if bs is None:
            self.unknown("MMN301", tok)
        elif per_gpu_ok:
            self.agree("MMN301", tok)
        else:
            per_gpu = bs.value
            gpus = g
            related = [_related("train_dataloader.batch_size", bs)]
            if base is not None and per_gpu > 0 and base.value % per_gpu == 0:
                gpus = base.value // per_gpu
                related.append(_related("auto_scale_lr.base_batch_size", base))
            legacy = self.cfg.scalar("data.samples_per_gpu", (int,))
            if legacy is not None:
                # mmcls 0.x spelling, which MMEngine ignores.
                related.append(
                    _related(
                        "data.samples_per_gpu", legacy, f"{legacy.value} (ignored by MMEngine)"
                    )
                )
            self.contradict(
                "MMN301",
                tok,
                f"{gpus}{sep}{per_gpu}",
                related,
                said=b,
                actual=f"train_dataloader.batch_size = {per_gpu}",
            )
        # MMN302: total batch size; not repeated when the per-GPU size is wrong.
        if base is None:
            self.unknown("MMN302", tok)
        elif g * b in (base.value, base.value * per_item):
            # The total counts images or clips; `base_batch_size` may count items.
            self.agree("MMN302", tok)
        elif bs is not None and not per_gpu_ok:
            self.unknown("MMN302", tok)
        else:
            repl = f"{base.value // b}{sep}{b}" if b > 0 and base.value % b == 0 else None
            self.contradict(
                "MMN302",
                tok,
                repl,
                [_related("auto_scale_lr.base_batch_size", base)],
                said=g * b,
                actual=f"auto_scale_lr.base_batch_size = {base.value}",
            )

    def epochs(self, tok: Token) -> None:
        n = patterns.epoch_count(tok.text)
        self.compare_epochs("MMN303", tok, n, lambda total: f"{total}e")

    def schedule(self, tok: Token) -> None:
        # `2x` is 24 epochs; `3x` may be 12 epochs of a dataset repeated 3 times.
        n = patterns.schedule_epochs(tok.text)
        per = patterns.EPOCHS_PER_SCHEDULE
        self.compare_epochs(
            "MMN316", tok, n, lambda total: f"{total // per}x" if total % per == 0 else None
        )

    def compare_epochs(
        self, code: str, tok: Token, n: Optional[int], spell: Callable[[int], Optional[str]]
    ) -> None:
        """The name's ``n`` epochs against the config's epoch budget, which
        may count the repeats of a ``RepeatDataset`` (``max_epochs x times``)."""
        budget = self._epoch_budget()
        repeat = self._repeats() if budget is not None else None
        if n is None or budget is None or repeat is None:
            self.unknown(code, tok)
            return
        key, max_epochs = budget
        times, times_key, times_value = repeat
        self.fact(tok, _fact(key, max_epochs))
        related = [_related(key, max_epochs)]
        actual = f"{key} = {max_epochs.value}"
        if times_value is not None:
            # 24 epochs of a dataset repeated 10 times is `240e`.
            self.fact(tok, _fact(times_key, times_value))
            related.append(_related(times_key, times_value))
            actual += f" of a dataset repeated {times} times ({max_epochs.value * times} epochs)"
        if n in (max_epochs.value, max_epochs.value * times):
            self.agree(code, tok)
        else:
            related += self._stale(key, max_epochs, ("max_epochs", "runner.max_epochs"))
            self.contradict(
                code, tok, spell(max_epochs.value * times), related, said=n, actual=actual
            )

    def _epoch_budget(self) -> Optional[Tuple[str, Value]]:
        """(key, Value) of the epochs an epoch-based config trains for:
        ``train_cfg.max_epochs``, or before MMEngine ``runner.max_epochs`` or
        ``total_epochs``; None when the config trains by iterations or the
        loop is not statically known."""
        cfg = self.cfg.get("train_cfg")
        max_epochs = self.cfg.scalar("train_cfg.max_epochs", (int,))
        if cfg is not None and isinstance(cfg.value, dict) and max_epochs is not None:
            train_cfg = cfg.value
            loop = train_cfg.get("type")
            if isinstance(loop, Unresolved) or isinstance(train_cfg.get("by_epoch"), Unresolved):
                return None
            by_epoch = train_cfg.get("by_epoch")
            iter_based = (
                "max_iters" in train_cfg
                or (isinstance(loop, str) and "Iter" in loop)
                or by_epoch is False
            )
            epoch_based = (
                (isinstance(loop, str) and loop.endswith("EpochBasedTrainLoop"))
                or by_epoch is True
                or loop is None
            )
            if iter_based or not epoch_based:
                return None
            return "train_cfg.max_epochs", max_epochs
        if self.cfg.present("train_cfg.max_iters") is not None:
            return None
        runner = self.cfg.scalar("runner.type", (str,))
        legacy = self.cfg.scalar("runner.max_epochs", (int,))
        if legacy is not None and (runner is None or "Epoch" in runner.value):
            return "runner.max_epochs", legacy
        total = self.cfg.scalar("total_epochs", (int,))
        if total is not None and runner is None:
            return "total_epochs", total
        return None

    def _iter_budget(self) -> Optional[Tuple[str, Value]]:
        """(key, Value) of the iterations an iteration-based config trains
        for: ``train_cfg.max_iters``, or before MMEngine ``runner.max_iters``."""
        v = self.cfg.scalar("train_cfg.max_iters", (int,))
        if v is not None:
            loop = self.cfg.present("train_cfg.type")
            if loop is not None and not (isinstance(loop.value, str) and "Iter" in loop.value):
                return None
            return "train_cfg.max_iters", v
        if self.cfg.present("train_cfg.max_epochs") is not None:
            return None
        runner = self.cfg.scalar("runner.type", (str,))
        legacy = self.cfg.scalar("runner.max_iters", (int,))
        if legacy is not None and (runner is None or "Iter" in runner.value):
            return "runner.max_iters", legacy
        return None

    def iterations(self, tok: Token) -> None:
        code = "MMN317"
        n = patterns.iteration_count(tok.text)
        budget = self._iter_budget()
        if n is None or budget is None:
            self.unknown(code, tok)
            return
        key, v = budget
        self.fact(tok, _fact(key, v))
        if v.value == n:
            self.agree(code, tok)
            return
        suffix = tok.text[len(str(n // 1000)):]  # `k`, or MMPose's `ki`
        repl = f"{v.value // 1000}{suffix}" if v.value % 1000 == 0 and v.value > 0 else None
        related = [_related(key, v)] + self._stale(key, v, ("max_iters", "runner.max_iters"))
        self.contradict(code, tok, repl, related, said=n, actual=f"{key} = {v.value}")

    def _stale(self, key: str, v: Value, others: Sequence[str]) -> List[Related]:
        """Places that set the same budget to another value with no effect: a
        top-level variable set after a base used it (``max_iters = 90000``),
        or a key from before MMEngine that it ignores (``runner``)."""
        out = []
        for other in others:
            if other == key:
                continue
            o = self.cfg.scalar(other, (int,))
            if o is not None and o.value != v.value:
                why = "ignored by MMEngine" if other.startswith("runner") else "unused"
                out.append(_related(other, o, f"{o.value} ({why})"))
        return out

    def batch_legacy(self, tok: Token, b: int, legacy: Value) -> None:
        """Images per GPU of a config from before MMEngine."""
        self.fact(tok, _fact("data.samples_per_gpu", legacy))
        if legacy.value == b:
            self.agree("MMN301", tok)
            return
        g = patterns.gpus_batch(tok.text)[0]
        sep = tok.text[len(str(g)):-len(str(b))]  # `xb`, or legacy `x`
        self.contradict(
            "MMN301",
            tok,
            f"{g}{sep}{legacy.value}",
            [_related("data.samples_per_gpu", legacy)],
            said=b,
            actual=f"data.samples_per_gpu = {legacy.value}",
        )

    # -- sister repositories: sizes, sampling, classes ----------------------------

    def leaves(self, loader: str) -> List[str]:
        """Key paths of the datasets a loader reads, through wrappers
        (``RepeatDataset.dataset``, ``ConcatDataset.datasets``)."""
        out: List[str] = []
        todo = [(f"{loader}.dataset", 0)]
        while todo and len(out) < 16:
            key, depth = todo.pop(0)
            t = self.cfg.scalar(f"{key}.type", (str,))
            if t is None or _cls(t.value) not in _FAMILY_WRAPPERS or depth > 4:
                out.append(key)
                continue
            inner = self.cfg.present(f"{key}.datasets")
            if inner is not None and isinstance(inner.value, (list, tuple)):
                todo.extend((f"{key}.datasets.{i}", depth + 1) for i in range(len(inner.value)))
            else:
                todo.append((f"{key}.dataset", depth + 1))
        return out

    def pipeline_steps(self, loader: str, types: Iterable[str]) -> List[Tuple[str, Value]]:
        """(key, Value) of the last step of each of the loader's pipelines whose
        type is one of ``types``."""
        wanted = frozenset(types)
        found = []
        for leaf in self.leaves(loader):
            v = self.cfg.get(f"{leaf}.pipeline")
            if v is None or not isinstance(v.value, list):
                continue
            last = None
            for i, step in enumerate(v.value):
                if isinstance(step, dict) and isinstance(step.get("type"), str):
                    if _cls(step["type"]) in wanted:
                        last = i
            if last is not None:
                sv = self.cfg.get(f"{leaf}.pipeline.{last}")
                if sv is not None and isinstance(sv.value, dict):
                    found.append((f"{leaf}.pipeline[{last}]", sv))
        return found

    def input_size(self, tok: Token) -> None:
        code = "MMN318"
        said = patterns.input_size(tok.text)
        found = self._family_size()
        if said is None or found is None:
            self.unknown(code, tok)
            return
        key, v, size = found
        self.fact(tok, _fact(key, v))
        if size == said:
            self.agree(code, tok)
            return
        order = "(width, height)" if _SIZE_ORDER[self.family] == "wh" else "(height, width)"
        self.contradict(
            code,
            tok,
            f"{size[0]}x{size[1]}",
            [_related(key, v)],
            said=f"{said[0]}x{said[1]} (height x width)",
            actual=f"{key} = {v.value!r}, {order}",
        )

    def _family_size(self) -> Optional[Tuple[str, Value, Tuple[int, int]]]:
        """(key, Value, (height, width)) of the size a sister repository's
        training crops or warps its inputs to."""
        ops = _FAMILY_SIZE_OPS.get(self.family, {})
        candidates: List[Tuple[str, Value]] = []
        for key, step in self.pipeline_steps("train_dataloader", ops):
            arg = ops[_cls(step.value["type"])]
            sv = self.cfg.get(f"{key.replace('[', '.').rstrip(']')}.{arg}")
            if sv is not None:
                candidates.append((f"{key}.{arg}", sv))
        if not candidates:
            for key in _FAMILY_SIZE_KEYS.get(self.family, ()):
                sv = self.cfg.get(key)
                if sv is not None:
                    candidates.append((key, sv))
                    break
        for key, sv in candidates[:1]:
            pair = _pair(sv.value)
            if pair is None:
                return None
            if _SIZE_ORDER.get(self.family) == "wh":
                pair = (pair[1], pair[0])
            return key, sv, pair
        return None

    def sampling(self, tok: Token, kind: str) -> None:
        code = "MMN319"
        uniform = kind == "uniform-sampling"
        loader = "train_dataloader"
        # A test-only config samples for testing: its clip count is the views.
        test_only = self.cfg.present("train_dataloader") is None
        if test_only:
            loader = "test_dataloader"
        steps = self.pipeline_steps(loader, _UNIFORM_SAMPLERS if uniform else _SAMPLERS)
        if not steps:
            self.unknown(code, tok)
            return
        key, v = steps[0]
        step = v.value
        shown = _show_step(step)
        clip = step.get("clip_len")
        interval = step.get("frame_interval", 1)
        clips = step.get("num_clips", 1)
        if not all(_int(x) is not None for x in (clip, interval, clips)):
            self.unknown(code, tok)
            return
        self.fact(tok, _fact(key, v, shown))
        if uniform:
            n = patterns.uniform_sampling(tok.text)
            if n == clip:
                self.agree(code, tok)
                return
            self.contradict(code, tok, f"u{clip}", [_related(key, v, shown)],
                            said=f"{n} frames sampled uniformly", actual=shown)
            return
        said = patterns.clip_sampling(tok.text)
        readings = [(clip, interval, clips)]
        rate = self._slowfast_rate()
        if rate:
            # SlowFast names its slow pathway: every `rate`-th sampled frame.
            readings.append((clip // rate, interval * rate, clips))
        width = 2 if test_only else 3
        if any(said[:width] == r[:width] for r in readings):
            self.agree(code, tok)
            return
        repl = None if test_only else "x".join(str(x) for x in readings[-1])
        self.contradict(
            code,
            tok,
            repl,
            [_related(key, v, shown)],
            said="clip length {} x frame interval {} x {} clips".format(*said),
            actual=shown,
        )

    def _slowfast_rate(self) -> Optional[int]:
        """The slow pathway's resample rate of a SlowFast backbone, else None."""
        t = self.cfg.scalar("model.backbone.type", (str,))
        if t is None or _cls(t.value) != "ResNet3dSlowFast":
            return None
        rate = self.cfg.scalar("model.backbone.resample_rate", (int,))
        if rate is None:
            if self.cfg.present("model.backbone.resample_rate") is not None:
                return None
            return 8  # the backbone's default
        return rate.value if rate.value > 0 else None

    def family_class(self, code: str, tok: Token, what: str) -> None:
        """An algorithm (``model.type``) or dataset (the training dataset
        classes) word of a sister repository against the classes its real
        configs use with that word."""
        if what == "algorithm":
            v = self.cfg.scalar("model.type", (str,))
            found = [("model.type", v)] if v is not None else None
        else:
            found = self.dataset_classes()
        if not found:
            self.unknown(code, tok)
            return
        for key, v in found:
            self.fact(tok, _fact(key, v))
        words = _learned(self.family, what)
        phrase = tok.text.lower()
        accepted = words.get(phrase, ())
        classes = [_cls(v.value) for _, v in found]
        if any(c in accepted or _names(c, phrase) for c in classes):
            self.agree(code, tok)
            return
        known = _known_classes(self.family, what)
        if not accepted or not all(c in known for c in classes):
            # A new word, or a class that names no algorithm or dataset.
            self.unknown(code, tok)
            return
        said = " or ".join(sorted(accepted))
        actual = ", ".join(repr(c) for c in classes)
        if what == "algorithm":
            actual = f"model.type = {actual}"
        self.contradict(
            code, tok, None, [_related(key, v) for key, v in found], said=said, actual=actual
        )

    def dataset_classes(self) -> Optional[List[Tuple[str, Value]]]:
        """(key, Value) of the type of every dataset the config trains on (or
        tests on, when it does not train); None when one is unknown."""
        loader = "train_dataloader"
        if self.cfg.present("train_dataloader") is None:
            loader = "test_dataloader"
        out = []
        for leaf in self.leaves(loader):
            t = self.cfg.scalar(f"{leaf}.type", (str,))
            if t is None:
                return None
            out.append((f"{leaf}.type", t))
        return out

    def _images_per_item(self) -> Optional[Tuple[int, str, Value]]:
        """(count, key, Value) when one item of the training dataset holds
        several samples: MMDetection's ReID triplets (``num_ids x
        ins_per_id`` images), MMAction2's ``RepeatAugDataset`` (``num_repeats``
        clips of one video)."""
        for leaf in self.leaves("train_dataloader"):
            ids = self.cfg.scalar(f"{leaf}.triplet_sampler.num_ids", (int,))
            per = self.cfg.scalar(f"{leaf}.triplet_sampler.ins_per_id", (int,))
            if ids is not None and per is not None:
                v = self.cfg.get(f"{leaf}.triplet_sampler")
                return ids.value * per.value, f"{leaf}.triplet_sampler", v
            t = self.cfg.scalar(f"{leaf}.type", (str,))
            rep = self.cfg.scalar(f"{leaf}.num_repeats", (int,))
            if t is not None and _cls(t.value) == "RepeatAugDataset" and rep is not None:
                return rep.value, f"{leaf}.num_repeats", rep
        return None

    def _repeats(self) -> Optional[Tuple[int, str, Optional[Value]]]:
        """How many times ``RepeatDataset`` wrappers repeat the training data:
        (times, key of the last ``times``, its Value or None when there is no
        wrapper); None when a ``times`` is not statically known."""
        cfg = self.cfg
        loader = cfg.present("train_dataloader")
        if loader is not None and not isinstance(loader.value, dict):
            # `train_dataloader = dict(...),`: a tuple, whose wrappers we cannot see.
            return None
        key = "train_dataloader.dataset"
        if loader is None and cfg.present("data.train") is not None:
            # Legacy (MMCV 1.x) configs keep the training dataset in `data.train`.
            key = "data.train"
        times, last_key, last = 1, "", None
        for _ in range(4):
            t = cfg.scalar(f"{key}.type", (str,))
            if t is None or _cls(t.value) not in _WRAPPERS | _FAMILY_WRAPPERS:
                break
            if _cls(t.value) == "RepeatDataset":
                v = cfg.scalar(f"{key}.times", (int,))
                if v is None or v.value < 1:
                    return None
                times *= v.value
                last_key, last = f"{key}.times", v
            key += ".dataset"
        return times, last_key, last

    def scheduler(self, tok: Token) -> None:
        code = "MMN304"
        v = self.cfg.get("param_scheduler")
        entries = v.value if v is not None else None
        if isinstance(entries, dict):
            entries = [entries]
        types = _types(entries) if isinstance(entries, list) else None
        if v is None or types is None or not _known([e.get("param_name") for e in entries]):
            self.unknown(code, tok)
            return
        lr = [(i, t, e) for i, (t, e) in enumerate(zip(types, entries)) if _is_lr(t, e)]

        def kind(t: str, e: dict) -> str:
            if t in _COSINE or (t == "OneCycleLR" and e.get("anneal_strategy", "cos") == "cos"):
                return "cosine"
            if t in _STEP:
                return "step"
            return "other"

        kinds = [kind(t, e) for _, t, e in lr]
        shown = "[" + ", ".join(types) + "]" if types else "[]"
        self.fact(tok, _fact("param_scheduler", v, shown))
        want = "cosine" if tok.text == "coslr" else "step"
        if want in kinds:
            self.agree(code, tok)
            return
        replacement = None
        if want == "cosine" and "step" in kinds and "cosine" not in kinds:
            replacement = "steplr"
        elif want == "step" and "cosine" in kinds:
            replacement = "coslr"
        related = []
        for i, t, _ in lr:
            key = (
                f"param_scheduler.{i}.type" if isinstance(v.value, list) else "param_scheduler.type"
            )
            where = self.cfg.get(key) or v
            related.append(_related(f"param_scheduler[{i}].type", where, repr(t)))
        if not related:
            related.append(_related("param_scheduler", v, shown))
        said = "a cosine learning-rate schedule" if want == "cosine" else "a step schedule"
        self.contradict(
            code, tok, replacement, related, said=said, actual=shown if lr else "no LR scheduler"
        )

    def precision(self, tok: Token) -> None:
        code = "MMN305"
        fp16 = self.cfg.present("fp16")
        if fp16 is not None:  # mmcv-era mixed precision
            self.fact(tok, _fact("fp16", fp16))
            self.agree(code, tok)
            return
        wrapper = self.cfg.scalar("optim_wrapper.type", (str,))
        if wrapper is None:
            self.unknown(code, tok)
            return
        self.fact(tok, _fact("optim_wrapper.type", wrapper))
        cls = _cls(wrapper.value)
        if cls == "AmpOptimWrapper":
            self.agree(code, tok)
        elif cls in ("OptimWrapper", "OptimWrapperDict"):
            strategy = self.cfg.present("strategy")
            if strategy is not None:  # FSDP / DeepSpeed may set the precision there
                self.unknown(code, tok)
                return
            self.contradict(
                code,
                tok,
                None,
                [_related("optim_wrapper.type", wrapper)],
                actual=f"optim_wrapper.type = {cls!r}",
            )
        else:  # DeepSpeedOptimWrapper and others: precision set elsewhere
            self.unknown(code, tok)

    def augment(self, tok: Token) -> None:
        code = "MMN313"
        v = self.cfg.get("model.train_cfg.augments")
        types = _types(v.value) if v is not None else None
        if v is None or types is None:
            self.unknown(code, tok)
            return
        shown = "[" + ", ".join(types) + "]"
        self.fact(tok, _fact("model.train_cfg.augments", v, shown))
        if any(t in _AUGMENTS[tok.text] for t in types):
            self.agree(code, tok)
            return
        said = "Mixup" if tok.text == "mixup" else "CutMix"
        self.contradict(
            code,
            tok,
            None,
            [_related("model.train_cfg.augments", v, shown)],
            said=said,
            actual=shown,
        )

    def label_smoothing(self, tok: Token) -> None:
        code = "MMN314"
        v = self.cfg.get("model.head.loss")
        loss = v.value if v is not None else None
        if not isinstance(loss, dict) or not isinstance(loss.get("type"), str):
            self.unknown(code, tok)
            return
        t = self.cfg.get("model.head.loss.type") or v
        cls = _cls(loss["type"])
        self.fact(tok, _fact("model.head.loss.type", t, repr(cls)))
        smooth = loss.get("label_smooth_val")
        off = _int(smooth) == 0  # smoothing written but switched off
        if (cls == "LabelSmoothLoss" or "label_smooth_val" in loss) and not off:
            self.agree(code, tok)
            return
        actual = repr(cls) + (" with label_smooth_val = 0" if off else "")
        related = [_related("model.head.loss.type", t, repr(cls))]
        if off:
            where = self.cfg.get("model.head.loss.label_smooth_val")
            if where is not None:
                related.append(_related("model.head.loss.label_smooth_val", where))
        self.contradict(code, tok, None, related, actual=actual)

    def patch(self, tok: Token) -> None:
        code = "MMN307"
        n = int(_PATCH.fullmatch(tok.text).group(1))
        v = self.cfg.get("model.backbone.patch_size")
        if v is not None and _joined_digits(v.value) == str(n):
            # `p244` is a 3-D patch of 2x4x4: `patch_size=(2, 4, 4)`.
            self.fact(tok, _fact("model.backbone.patch_size", v))
            self.agree(code, tok)
            return
        size = _square(v.value) if v is not None else None
        if size is None:
            self.unknown(code, tok)
            return
        self.fact(tok, _fact("model.backbone.patch_size", v))
        if size == n:
            self.agree(code, tok)
            return
        prefix = tok.text[: len(tok.text) - len(str(n))]
        self.contradict(
            code,
            tok,
            f"{prefix}{size}",
            [_related("model.backbone.patch_size", v)],
            said=n,
            actual=f"model.backbone.patch_size = {v.value!r}",
        )

    def window(self, tok: Token) -> None:
        code = "MMN308"
        n = int(_WINDOW.fullmatch(tok.text).group(1))
        v = self.cfg.get("model.backbone.window_size")
        if v is None:
            self.unknown(code, tok)
            return
        value = v.value
        if _joined_digits(value) == str(n):
            # `w877` is a 3-D window of 8x7x7: `window_size=(8, 7, 7)`.
            self.fact(tok, _fact("model.backbone.window_size", v))
            self.agree(code, tok)
            return
        sizes: List[int] = []
        if _square(value) is not None:
            sizes = [_square(value)]
        elif isinstance(value, (list, tuple)) and all(_int(x) is not None for x in value):
            sizes = [_int(x) for x in value]
        if not sizes:
            self.unknown(code, tok)
            return
        self.fact(tok, _fact("model.backbone.window_size", v))
        # One size per stage: the later stages may be smaller (`[16, 16, 16, 8]`).
        if n in sizes:
            self.agree(code, tok)
            return
        prefix = tok.text[: len(tok.text) - len(str(n))]
        self.contradict(
            code,
            tok,
            f"{prefix}{max(sizes)}",
            [_related("model.backbone.window_size", v)],
            said=n,
            actual=f"model.backbone.window_size = {value!r}",
        )

    def size(self, tok: Token) -> None:
        code = "MMN309"
        v = self.cfg.scalar("model.backbone.arch", (str,))
        arch = _norm_arch(v.value) if v is not None else None
        if v is None or arch is None:
            self.unknown(code, tok)
            return
        self.fact(tok, _fact("model.backbone.arch", v))
        said = _SIZES[tok.text.lower()]
        if arch == said:
            self.agree(code, tok)
            return
        # Keep the name's style: a letter stays a letter, a word a word.
        if len(tok.text) <= 2:
            letters = {w: k for k, w in _SIZES.items() if len(k) <= 2}
            repl = letters.get(arch, arch)
            repl = repl.upper() if tok.text.isupper() else repl
        else:
            repl = arch
        self.contradict(
            code,
            tok,
            repl,
            [_related("model.backbone.arch", v)],
            said=f"size {said}",
            actual=f"model.backbone.arch = {v.value!r}",
        )

    def depth(self, tok: Token, family: str, n: int) -> None:
        code = "MMN310"
        key = "model.backbone.arch" if family in _DEPTH_AS_ARCH else "model.backbone.depth"
        v = self.cfg.get(key)
        depth: Optional[int] = None
        if v is not None:
            if isinstance(v.value, str) and v.value.isdigit():
                depth = int(v.value)
            else:
                depth = _int(v.value)
        if v is None or depth is None:
            self.unknown(code, tok)
            return
        self.fact(tok, _fact(key, v))
        if depth == n:
            self.agree(code, tok)
            return
        self.contradict(
            code,
            tok,
            tok.text[: len(tok.text) - len(str(n))] + str(depth),
            [_related(key, v)],
            said=n,
            actual=f"{key} = {v.value!r}",
        )

    def _dataset(self) -> Optional[Tuple[str, Value]]:
        """(key, Value of its type) of the dataset trained on, or evaluated on
        when the config does not train."""
        cfg = self.cfg
        loader = "train_dataloader"
        if cfg.present("train_dataloader") is None:
            loader = "test_dataloader"
        key = f"{loader}.dataset"
        for _ in range(4):
            t = cfg.scalar(f"{key}.type", (str,))
            if t is None or _cls(t.value) not in _WRAPPERS:
                break
            key += ".dataset"
        t = cfg.scalar(f"{key}.type", (str,))
        return (f"{key}.type", t) if t is not None else None

    def dataset(self, tok: Token) -> None:
        code = "MMN311"
        found = self._dataset()
        if found is None:
            self.unknown(code, tok)
            return
        key, v = found
        self.fact(tok, _fact(key, v))
        cls = _cls(v.value)
        wanted = _DATASETS[tok.text.lower()]
        if any(cls == w or (w.endswith("*") and cls.startswith(w[:-1])) for w in wanted):
            self.agree(code, tok)
        elif cls in _NEUTRAL_DATASETS or cls not in _KNOWN_DATASETS:
            self.unknown(code, tok)
        else:
            related = [_related(key, v)]
            var = self.cfg.scalar("dataset_type", (str,))
            if var is not None and var.value != v.value:
                # Set after the base built its dataloaders: it changes nothing.
                related.append(_related("dataset_type", var, f"{var.value!r} (unused)"))
            self.contradict(
                code,
                tok,
                _DATASET_WORD.get(cls),
                related,
                said=" or ".join(w.rstrip("*") for w in wanted),
                actual=repr(cls),
            )

    def resolution(self, tok: Token) -> None:
        code = "MMN306"
        n = int(_PX.fullmatch(tok.text).group(1))
        # What the model is evaluated at, and built for.  The train crop is
        # compared only when neither is known: training below the test size is
        # a common recipe (EfficientNetV2, FixRes).
        seen: List[Tuple[str, Value, int]] = []
        places = set()
        for loader in ("test_dataloader", "val_dataloader"):
            found = self._pipeline_size(loader)
            if found is not None and found[1].location not in places:
                places.add(found[1].location)
                seen.append(found)
        img = self.cfg.get("model.backbone.img_size")
        if img is not None and _square(img.value) is not None:
            seen.append(("model.backbone.img_size", img, _square(img.value)))
        train = self._pipeline_size("train_dataloader")
        if train is not None:
            self.fact(tok, _fact(train[0], train[1]))
            if not seen:
                seen.append(train)
        if not seen:
            self.unknown(code, tok)
            return
        for key, v, _size in seen:
            self.fact(tok, _fact(key, v))
        wrong = [(key, v, size) for key, v, size in seen if size != n]
        if not wrong:
            self.agree(code, tok)
            return
        sizes = {size for _, _, size in seen}
        # A fix only when every place agrees on one other size.
        repl = f"{sizes.pop()}px" if len(sizes) == 1 else None
        self.contradict(
            code,
            tok,
            repl,
            [_related(key, v) for key, v, _ in wrong],
            said=n,
            actual=", ".join(f"{key} = {v.value!r}" for key, v, _ in wrong),
        )

    def _pipeline_size(self, loader: str) -> Optional[Tuple[str, Value, int]]:
        """The image size a pipeline ends with: the size set by its last
        crop/resize transform; None when unknown or not square."""
        key = f"{loader}.dataset"
        for _ in range(4):
            t = self.cfg.scalar(f"{key}.type", (str,))
            if t is None or _cls(t.value) not in _WRAPPERS:
                break
            key += ".dataset"
        v = self.cfg.get(f"{key}.pipeline")
        if v is None or not isinstance(v.value, list):
            return None
        last: Optional[Tuple[int, str]] = None
        for i, step in enumerate(v.value):
            if not isinstance(step, dict):
                return None  # a step we cannot see may resize
            t = step.get("type")
            if not isinstance(t, str):
                return None
            t = _cls(t)
            if t in _SIZE_OPS:
                arg = next((a for a in _SIZE_OPS[t] if a in step), None)
                if arg is None:
                    return None
                last = (i, arg)
        if last is None:
            return None
        i, arg = last
        sv = self.cfg.get(f"{key}.pipeline.{i}.{arg}")
        if sv is None:
            return None
        size = _square(sv.value)
        step = v.value[i]
        if size is not None and _cls(step["type"]) == "ResizeEdge":
            # Only the short edge: a size only when the long one is not bounded.
            size = size if step.get("edge", "short") == "short" else None
        if size is None:
            return None
        return f"{key}.pipeline[{i}].{arg}", sv, size

    def algorithm(self, tok: Token) -> None:
        code = "MMN312"
        v = self.cfg.scalar("model.type", (str,))
        if v is None:
            self.unknown(code, tok)
            return
        self.fact(tok, _fact("model.type", v))
        cls = _cls(v.value)
        wanted = _ALGORITHMS[tok.text.lower()]
        if cls in wanted:
            self.agree(code, tok)
        elif cls not in _ALGORITHM_CLASSES:
            self.unknown(code, tok)
        else:
            self.contradict(
                code,
                tok,
                None,
                [_related("model.type", v)],
                said=" or ".join(wanted),
                actual=f"model.type = {cls!r}",
            )

    def headless(self, tok: Token) -> None:
        code = "MMN315"
        found = []
        for key in ("model.head", "train_dataloader"):
            v = self.cfg.present(key)
            if v is not None:
                found.append((key, v))
        if not found:
            # Absent on purpose, or from a base that could not be read.
            if self.cfg.partial or self.cfg.resolved.get("model") is None:
                self.unknown(code, tok)
            else:
                self.agree(code, tok)
            return
        for key, v in found:
            self.fact(tok, _fact(key, v))
        self.contradict(
            code,
            tok,
            None,
            [_related(key, v) for key, v in found],
            said=" or ".join(key for key, _ in found),
            actual=", ".join(key for key, _ in found),
        )

    # -- results --------------------------------------------------------------

    def token_facts(self) -> List[TokenFact]:
        out = []
        for (start, end), texts in sorted(self.facts.items()):
            tok = self.tokens[(start, end)]
            out.append(TokenFact(start, end, tok.text, "config: " + "; ".join(texts)))
        return out


def _is_lr(t: str, entry: dict) -> bool:
    """Whether a ``param_scheduler`` entry schedules the learning rate."""
    if t.endswith(("Momentum", "WeightDecay")):
        return False
    if t.endswith("ParamScheduler"):
        return entry.get("param_name", "lr") == "lr"
    return True


def _is_size(tok: Token) -> bool:
    """An ``HxW`` input or crop size (the decoder's kind, or its shape where
    the MMPretrain reading calls it a resolution)."""
    if tok.kind == "input-size":
        return True
    return tok.kind == "resolution" and patterns.input_size(tok.text) is not None


def _pair(value: Any) -> Optional[Tuple[int, int]]:
    """``512`` -> ``(512, 512)``; ``(512, 1024)`` -> ``(512, 1024)``; else None."""
    n = _int(value)
    if n is not None:
        return n, n
    if isinstance(value, (list, tuple)) and len(value) == 2:
        a, b = _int(value[0]), _int(value[1])
        if a is not None and b is not None:
            return a, b
    return None


def _show_step(step: dict) -> str:
    """``SampleFrames(clip_len=32, frame_interval=2, num_clips=1)``."""
    args = ", ".join(
        f"{k}={step[k]!r}" for k in ("clip_len", "frame_interval", "num_clips") if k in step
    )
    return f"{_cls(str(step.get('type')))}({args})"


def _alnum(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _core(cls: str) -> str:
    """What a class name says: ``CityscapesDataset`` -> ``cityscapes``,
    ``FasterRCNN`` -> ``fasterrcnn``."""
    return _alnum(cls).replace("dataset", "")


def _names(cls: str, phrase: str) -> bool:
    """Whether a class's own name spells the word (``coco`` and
    ``CocoDataset``, ``libra-faster-rcnn`` and ``FasterRCNN``)."""
    core, said = _core(cls), _alnum(phrase)
    if len(core) < 4 or len(said) < 4:
        # Short words only as the start (`ava21` and `AVADataset`).
        return len(core) >= 3 and said.startswith(core) or (core == said and bool(core))
    return core in said or said in core


def _learned(family: str, what: str) -> Dict[str, Tuple[str, ...]]:
    """phrase -> classes its family's real configs use with it."""
    table = class_words().get(family, {}).get(what, {})
    return {k: tuple(v) for k, v in table.items() if isinstance(v, list)}


def _known_classes(family: str, what: str) -> frozenset:
    """The classes that name an algorithm or a dataset in ``family``: every
    model class learned for an algorithm word; a dataset class only when
    some word it was learned for spells it (``CocoDataset`` for ``coco``),
    so that format classes (``VideoDataset`` for ``kinetics400``) never
    contradict a dataset word."""
    out = set()
    for phrase, classes in _learned(family, what).items():
        for c in classes:
            if what == "algorithm" or _names(c, phrase):
                out.add(c)
    return frozenset(out)


def _span_token(d: Decoded, start: int, end: int, kind: str) -> Token:
    return Token(d.input[start:end], start, end, kind, "")


def algorithm_phrase(d: Decoded, family: str) -> Optional[Token]:
    """The words of a sister repository's name that name its algorithm: the
    algorithm part, else the first part (MMDetection, MMPose and MMAction2
    write the algorithm first); None for a name of one part."""
    if family == MMPRETRAIN or len(d.parts) < 2:
        return None
    part = d.part(m.ALGORITHM) or d.parts[0]
    return _span_token(d, part.start, part.end, "algorithm")


def dataset_phrase(d: Decoded, family: str) -> Optional[Token]:
    """The words of a sister repository's name that name its training
    dataset: the first data part (else the last part) without its size and
    modality words (``cityscapes-512x1024`` -> ``cityscapes``,
    ``kinetics400-rgb`` -> ``kinetics400``)."""
    if family == MMPRETRAIN or len(d.parts) < 2:
        return None
    part = d.part(m.DATA) or d.parts[-1]
    kept = [
        t for t in part.tokens
        if t.text.lower() not in _DATA_FORM
        and patterns.input_size(t.text) is None
        and patterns.RESOLUTION.fullmatch(t.text) is None
    ]
    if not kept:
        return None
    return _span_token(d, kept[0].start, kept[-1].end, "dataset")


def _family_of_config(resolved: ResolvedConfig) -> Optional[str]:
    """The family a config's ``default_scope`` names (``'mmdet'`` -> mmdet)."""
    v = resolved.get("default_scope")
    if v is None or not isinstance(v.value, str):
        return None
    return _PACKAGE_FAMILY.get(v.value.split(".", 1)[0])


def _choose_family(decoded: Decoded, resolved: ResolvedConfig, profile: Optional[str]) -> str:
    return (
        family_of(profile)
        or family_of(getattr(decoded, "profile", None))
        or _family_of_config(resolved)
        or MMPRETRAIN
    )


def train_dataset_classes(resolved: ResolvedConfig) -> Optional[List[str]]:
    """The classes of the datasets a config trains on (tests on, when it
    does not train), through wrappers; None when one is not known."""
    run = _Run(None, resolved, MMPRETRAIN)
    found = run.dataset_classes()
    return None if found is None else [_cls(v.value) for _, v in found]


def _norm_arch(arch: str) -> Optional[str]:
    """A backbone's ``arch`` as a canonical size word, or None when it is not one
    (``'deit-base'`` -> base, ``'eva-g'`` -> giant, ``'small_050'`` -> small)."""
    text = arch.strip().lower().split("_", 1)[0]
    text = text.rsplit("-", 1)[-1]
    return _SIZES.get(text)


def evaluate(
    decoded: Decoded, resolved: ResolvedConfig, profile: Optional[str] = None
) -> Tuple[List[Outcome], List[TokenFact]]:
    """Every comparison made, agreeing or not (for reports and tests).

    ``profile`` (a profile's name, e.g. ``"mmdet3"``) says whose meanings the
    name's words have; without it, the decoder's profile when it tells, else
    the family the config's ``default_scope`` names, else MMPretrain."""
    run = _Run(decoded, resolved, _choose_family(decoded, resolved, profile))
    run.run()
    return run.outcomes, run.token_facts()


def check_consistency(
    decoded: Decoded, resolved: ResolvedConfig, profile: Optional[str] = None
) -> Tuple[List[ConsistencyFinding], List[TokenFact]]:
    """Findings where the config contradicts its name, and what the config
    says about each name token it was compared with (for hover)."""
    outcomes, facts = evaluate(decoded, resolved, profile)
    findings = [o.finding for o in outcomes if o.finding is not None]
    findings.sort(key=lambda f: (f.start, f.end, f.code))
    return findings, facts
