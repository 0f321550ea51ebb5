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

Example::

    cfg = resolve_config("configs/resnet/resnet50_8xb32_in1k.py")
    findings, facts = check_consistency(decode("resnet50_8xb32_in1k.py", "config"), cfg)
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from mmname_lsp.codes import RULES
from mmname_lsp.configs import ResolvedConfig, Unresolved, Value
from mmname_lsp.naming import model as m
from mmname_lsp.naming.model import Decoded, Token

__all__ = [
    "AGREE",
    "CHECKS",
    "CONTRADICT",
    "UNKNOWN",
    "ConsistencyFinding",
    "Outcome",
    "Related",
    "TokenFact",
    "check_consistency",
    "evaluate",
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
}

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
    def __init__(self, decoded: Decoded, resolved: ResolvedConfig) -> None:
        self.decoded = decoded
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
        if not d.parts:
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

    # -- the checks -----------------------------------------------------------

    def batch(self, tok: Token) -> None:
        g, b = (int(x) for x in _GXB.fullmatch(tok.text).groups())
        bs = self.cfg.scalar("train_dataloader.batch_size", (int,))
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
                f"{gpus}xb{per_gpu}",
                related,
                said=b,
                actual=f"train_dataloader.batch_size = {per_gpu}",
            )
        # MMN302: total batch size; not repeated when the per-GPU size is wrong.
        if base is None:
            self.unknown("MMN302", tok)
        elif base.value == g * b:
            self.agree("MMN302", tok)
        elif bs is not None and not per_gpu_ok:
            self.unknown("MMN302", tok)
        else:
            repl = f"{base.value // b}xb{b}" if b > 0 and base.value % b == 0 else None
            self.contradict(
                "MMN302",
                tok,
                repl,
                [_related("auto_scale_lr.base_batch_size", base)],
                said=g * b,
                actual=f"auto_scale_lr.base_batch_size = {base.value}",
            )

    def epochs(self, tok: Token) -> None:
        code = "MMN303"
        n = int(_EPOCHS.fullmatch(tok.text).group(1))
        cfg = self.cfg.get("train_cfg")
        max_epochs = self.cfg.scalar("train_cfg.max_epochs", (int,))
        if cfg is None or not isinstance(cfg.value, dict) or max_epochs is None:
            self.unknown(code, tok)
            return
        train_cfg = cfg.value
        loop = train_cfg.get("type")
        if isinstance(loop, Unresolved) or isinstance(train_cfg.get("by_epoch"), Unresolved):
            self.unknown(code, tok)
            return
        by_epoch = train_cfg.get("by_epoch")
        iter_based = (
            "max_iters" in train_cfg
            or (isinstance(loop, str) and "Iter" in loop)
            or by_epoch is False
        )
        epoch_based = loop == "EpochBasedTrainLoop" or by_epoch is True or loop is None
        if iter_based or not epoch_based:
            self.unknown(code, tok)
            return
        repeat = self._repeats()
        if repeat is None:
            self.unknown(code, tok)
            return
        times, times_key, times_value = repeat
        self.fact(tok, _fact("train_cfg.max_epochs", max_epochs))
        related = [_related("train_cfg.max_epochs", max_epochs)]
        actual = f"train_cfg.max_epochs = {max_epochs.value}"
        if times_value is not None:
            # 24 epochs of a dataset repeated 10 times is `240e`.
            self.fact(tok, _fact(times_key, times_value))
            related.append(_related(times_key, times_value))
            actual += f" of a dataset repeated {times} times ({max_epochs.value * times} epochs)"
        if n in (max_epochs.value, max_epochs.value * times):
            self.agree(code, tok)
        else:
            self.contradict(
                code,
                tok,
                f"{max_epochs.value * times}e",
                related,
                said=n,
                actual=actual,
            )

    def _repeats(self) -> Optional[Tuple[int, str, Optional[Value]]]:
        """How many times ``RepeatDataset`` wrappers repeat the training data:
        (times, key of the last ``times``, its Value or None when there is no
        wrapper); None when a ``times`` is not statically known."""
        cfg = self.cfg
        key = "train_dataloader.dataset"
        times, last_key, last = 1, "", None
        for _ in range(4):
            t = cfg.scalar(f"{key}.type", (str,))
            if t is None or _cls(t.value) not in _WRAPPERS:
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


def _norm_arch(arch: str) -> Optional[str]:
    """A backbone's ``arch`` as a canonical size word, or None when it is not one
    (``'deit-base'`` -> base, ``'eva-g'`` -> giant, ``'small_050'`` -> small)."""
    text = arch.strip().lower().split("_", 1)[0]
    text = text.rsplit("-", 1)[-1]
    return _SIZES.get(text)


def evaluate(decoded: Decoded, resolved: ResolvedConfig) -> Tuple[List[Outcome], List[TokenFact]]:
    """Every comparison made, agreeing or not (for reports and tests)."""
    run = _Run(decoded, resolved)
    run.run()
    return run.outcomes, run.token_facts()


def check_consistency(
    decoded: Decoded, resolved: ResolvedConfig
) -> Tuple[List[ConsistencyFinding], List[TokenFact]]:
    """Findings where the config contradicts its name, and what the config
    says about each name token it was compared with (for hover)."""
    outcomes, facts = evaluate(decoded, resolved)
    findings = [o.finding for o in outcomes if o.finding is not None]
    findings.sort(key=lambda f: (f.start, f.end, f.code))
    return findings, facts
