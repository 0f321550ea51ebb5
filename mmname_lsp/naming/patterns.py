"""Word shapes the decoder recognises without a vocabulary entry."""

from __future__ import annotations

import re
from typing import Dict, Optional, Sequence, Tuple

GPUS_X_BATCH = re.compile(r"(\d+)xb(\d+)")
# Shapes people write instead of NxbM: 8x32, 8xB32, b32x8 (old mmcls), batch256.
BATCH_NO_B = re.compile(r"(\d+)[xX](\d+)")
BATCH_UPPER = re.compile(r"(\d+)[xX]B(\d+)")
BATCH_OLD = re.compile(r"b(\d+)x(\d+)")
BATCH_TOTAL = re.compile(r"batch(\d+)")
EPOCHS = re.compile(r"(\d+)e")
RESOLUTION = re.compile(r"(\d+)px")
PATCH = re.compile(r"p(\d+)")
WINDOW = re.compile(r"w(\d+)")
CARDINALITY = re.compile(r"(\d+)x(\d+)d")
PARAMS = re.compile(r"(\d+(?:\.\d+)?)([mb])")
FLOPS = re.compile(r"(\d+(?:\.\d+)?)([gm]f)")
VERSION = re.compile(r"v(\d+(?:\.\d+)?)")
VARIANT_CODE = re.compile(r"[a-zA-Z]{1,2}\d+[a-z0-9]*")
NUMBER = re.compile(r"\d+")
DEPTH_BACKBONE = re.compile(r"([a-z][a-z0-9]*?[a-z])(\d+)")
# MMSegmentation schedules: `40k`, `160k` iterations (`30ki` in MMPose).
ITERATIONS = re.compile(r"(\d+)ki?")
# `p244`, `w877`: 3-D (time x height x width) patch and window sizes of video
# backbones; no 2-D patch or window is 100 or more.
PATCH_3D = re.compile(r"p([1-9])([1-9])([1-9])")
WINDOW_3D = re.compile(r"w([1-9])([1-9])([1-9])")
# `1e-3`, `lr5e-3` after joining, `0_005`: values, never epochs or parts.
DECIMAL = re.compile(r"[a-z]*(?:\d+[._]\d+|\d(?:[._]\d+)?e-?\d+)")
DATE = re.compile(r"\d{8}")
HASH = re.compile(r"[0-9a-f]{8}")

# (shape name, regex) in the order they are tried; the first full match wins.
SHAPES = (
    ("gpus-x-batch", GPUS_X_BATCH),
    ("patch-3d", PATCH_3D),
    ("window-3d", WINDOW_3D),
    ("iterations", ITERATIONS),
    ("batch-upper", BATCH_UPPER),
    ("cardinality", CARDINALITY),
    ("batch-no-b", BATCH_NO_B),
    ("batch-old", BATCH_OLD),
    ("batch-total", BATCH_TOTAL),
    ("epochs", EPOCHS),
    ("resolution", RESOLUTION),
    ("patch", PATCH),
    ("window", WINDOW),
    ("version", VERSION),
    ("flops", FLOPS),
    ("params", PARAMS),
    ("decimal", DECIMAL),
    ("number", NUMBER),
    ("variant-code", VARIANT_CODE),
    ("depth-backbone", DEPTH_BACKBONE),
)


# All shapes in one pattern: an alternation tries its branches in order and
# fullmatch backtracks into the next branch, so the first shape that matches
# the whole word wins, as in SHAPES; the empty named group closing each branch
# names it.  One regex call instead of one per shape.
_ALL_SHAPES = re.compile(
    "|".join(f"(?:{rx.pattern})(?P<{shape.replace('-', '_')}>)" for shape, rx in SHAPES)
)
_SHAPE_NAMES = {shape.replace("-", "_"): shape for shape, _ in SHAPES}
# Words repeat across names (`in1k`, `8xb32`): remember their shapes.
_CLASSIFIED: Dict[str, Optional[str]] = {}


def classify(word: str) -> Optional[str]:
    """The shape name of ``word``, or None when it has no known shape."""
    try:
        return _CLASSIFIED[word]
    except KeyError:
        pass
    mt = _ALL_SHAPES.fullmatch(word)
    shape = _SHAPE_NAMES[mt.lastgroup] if mt is not None else None
    if len(_CLASSIFIED) < 8192:
        _CLASSIFIED[word] = shape
    return shape

# `bs32` in base config names: batch size per GPU.
BATCH_BS = re.compile(r"bs(\d+)")


def batch_readings(word: str) -> Tuple[str, ...]:
    """Both ``NxbM`` readings of ``NxM`` written without ``b``: GPUs x batch
    first (the legacy detection repositories' order), then batch x GPUs (some
    research repositories); one reading when both numbers are equal."""
    mt = BATCH_NO_B.fullmatch(word)
    if mt is None:
        return ()
    a, b = mt.groups()
    first = f"{a}xb{b}"
    second = f"{b}xb{a}"
    return (first,) if first == second else (first, second)


def order_batch_readings(
    readings: Sequence[str], batch_per_gpu: Optional[int] = None
) -> Tuple[str, ...]:
    """``readings`` (``NxbM`` texts) with those whose per-GPU batch is
    ``batch_per_gpu`` first, the others after in their given order.

    A caller that knows the config's resolved ``train_dataloader.batch_size``
    offers the reading it supports first; without it the order is unchanged.
    """
    if batch_per_gpu is None:
        return tuple(readings)

    def supported(text: str) -> bool:
        mt = GPUS_X_BATCH.fullmatch(text)
        return mt is not None and int(mt.group(2)) == batch_per_gpu

    return tuple(sorted(readings, key=lambda r: not supported(r)))


# -- shapes only some profiles use (listed in a profile's ``shapes``) ------------------
# MMDetection schedules: `1x`, `2x`, `0.5x`; one `x` is 12 epochs.
SCHEDULE = re.compile(r"(\d+(?:\.\d+)?)x")
SCHEDULE_EPOCHS = 12
# MMAction2 frame sampling: clip_len x frame_interval x num_clips (`32x2x1`).
CLIP_SAMPLING = re.compile(r"(\d+)x(\d+)x(\d+)")
# MMAction2 uniform sampling of N segments (`u48`).
UNIFORM_SAMPLING = re.compile(r"u(\d+)")
# `HxW`: an input or crop size (also a legacy part of its own, `512x1024`).
INPUT_SIZE = re.compile(r"(\d+)x(\d+)")

PROFILE_SHAPES = {
    "schedule": SCHEDULE,
    "clip-sampling": CLIP_SAMPLING,
    "uniform-sampling": UNIFORM_SAMPLING,
}


def classify_profile(word: str, shapes: Sequence[str]) -> Optional[str]:
    """The profile-only shape (of ``shapes``, names of PROFILE_SHAPES) that
    ``word`` has, or None."""
    for shape in shapes:
        rx = PROFILE_SHAPES.get(shape)
        if rx is not None and rx.fullmatch(word):
            return shape
    return None


def numbers(kind: str, text: str) -> Dict[str, float]:
    """The numbers a decoded token means, by its ``Token.kind`` and text.

    The one place callers (the consistency rules) read figures from names:

    - ``gpus-x-batch`` ``8xb32``, legacy ``8x2``, old ``b32x8``: ``{"gpus", "batch_per_gpu"}``
    - ``epochs`` ``300e``: ``{"epochs"}``
    - ``schedule`` ``1x``: ``{"epochs"}`` (``SCHEDULE_EPOCHS`` per ``x``, MMDetection)
    - ``iterations`` ``40k``, ``30ki``: ``{"iterations"}``
    - ``input-size`` ``512x1024``: ``{"height", "width"}`` (as written: first, second)
    - ``resolution`` ``384px``: ``{"height", "width"}``
    - ``clip-sampling`` ``32x2x1``: ``{"clip_len", "frame_interval", "num_clips"}``
    - ``uniform-sampling`` ``u48``: ``{"num_segments"}``

    Anything else, or a text that does not have the kind's shape: ``{}``.
    """
    t = text.lower()
    if kind == "gpus-x-batch":
        mt = GPUS_X_BATCH.fullmatch(t) or BATCH_NO_B.fullmatch(t)
        if mt is not None:
            return {"gpus": int(mt.group(1)), "batch_per_gpu": int(mt.group(2))}
        mt = BATCH_OLD.fullmatch(t)
        if mt is not None:
            return {"gpus": int(mt.group(2)), "batch_per_gpu": int(mt.group(1))}
        return {}
    if kind == "epochs":
        mt = EPOCHS.fullmatch(t)
        return {"epochs": int(mt.group(1))} if mt else {}
    if kind == "schedule":
        mt = SCHEDULE.fullmatch(t)
        return {"epochs": float(mt.group(1)) * SCHEDULE_EPOCHS} if mt else {}
    if kind == "iterations":
        mt = ITERATIONS.fullmatch(t)
        return {"iterations": int(mt.group(1)) * 1000} if mt else {}
    if kind == "input-size":
        mt = INPUT_SIZE.fullmatch(t)
        return {"height": int(mt.group(1)), "width": int(mt.group(2))} if mt else {}
    if kind == "resolution":
        mt = RESOLUTION.fullmatch(t)
        return {"height": int(mt.group(1)), "width": int(mt.group(1))} if mt else {}
    if kind == "clip-sampling":
        mt = CLIP_SAMPLING.fullmatch(t)
        if mt is None:
            return {}
        a, b, c = (int(x) for x in mt.groups())
        return {"clip_len": a, "frame_interval": b, "num_clips": c}
    if kind == "uniform-sampling":
        mt = UNIFORM_SAMPLING.fullmatch(t)
        return {"num_segments": int(mt.group(1))} if mt else {}
    return {}
# -- the numbers a word of a name gives (pure naming facts) ---------------------
# Callers decide, by the profile, whether a word has that meaning at all: `1x`
# is a schedule in MMDetection and a width multiplier in MMPretrain.

# MMDetection's schedules count 12 epochs per `x` (`1x` = 12, `2x` = 24).
EPOCHS_PER_SCHEDULE = 12


def schedule_epochs(word: str) -> Optional[int]:
    """``"2x"`` -> 24: the epochs of an MMDetection schedule word."""
    mt = SCHEDULE.fullmatch(word)
    if mt is None:
        return None
    epochs = float(mt.group(1)) * EPOCHS_PER_SCHEDULE
    return int(epochs) if epochs.is_integer() else None


def iteration_count(word: str) -> Optional[int]:
    """``"40k"`` (or MMPose's ``"30ki"``) -> 40000 iterations."""
    mt = ITERATIONS.fullmatch(word)
    return int(mt.group(1)) * 1000 if mt else None


def epoch_count(word: str) -> Optional[int]:
    """``"300e"`` -> 300."""
    mt = EPOCHS.fullmatch(word)
    return int(mt.group(1)) if mt else None


def input_size(word: str) -> Optional[Tuple[int, int]]:
    """``"512x1024"`` -> ``(512, 1024)``: height x width, as names write it."""
    mt = INPUT_SIZE.fullmatch(word)
    return (int(mt.group(1)), int(mt.group(2))) if mt else None


def clip_sampling(word: str) -> Optional[Tuple[int, int, int]]:
    """``"32x2x1"`` -> ``(32, 2, 1)``: clip length x frame interval x clips."""
    mt = CLIP_SAMPLING.fullmatch(word)
    return (int(mt.group(1)), int(mt.group(2)), int(mt.group(3))) if mt else None


def uniform_sampling(word: str) -> Optional[int]:
    """``"u48"`` -> 48: frames sampled uniformly over the whole video."""
    mt = UNIFORM_SAMPLING.fullmatch(word)
    return int(mt.group(1)) if mt else None


def gpus_batch(word: str) -> Optional[Tuple[int, int]]:
    """``"8xb2"`` (or the legacy detection ``"8x2"``) -> ``(8, 2)``: GPUs and
    images per GPU."""
    mt = GPUS_X_BATCH.fullmatch(word) or BATCH_NO_B.fullmatch(word)
    return (int(mt.group(1)), int(mt.group(2))) if mt else None
