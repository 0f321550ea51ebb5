"""Word shapes the decoder recognises without a vocabulary entry."""

from __future__ import annotations

import re
from typing import Optional

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
DATE = re.compile(r"\d{8}")
HASH = re.compile(r"[0-9a-f]{8}")

# (shape name, regex) in the order they are tried; the first full match wins.
SHAPES = (
    ("gpus-x-batch", GPUS_X_BATCH),
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
    ("number", NUMBER),
    ("variant-code", VARIANT_CODE),
    ("depth-backbone", DEPTH_BACKBONE),
)


def classify(word: str) -> Optional[str]:
    """The shape name of ``word``, or None when it has no known shape."""
    for shape, rx in SHAPES:
        if rx.fullmatch(word):
            return shape
    return None

# `bs32` in base config names: batch size per GPU.
BATCH_BS = re.compile(r"bs(\d+)")
