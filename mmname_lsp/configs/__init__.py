"""Static reader of MMEngine (OpenMMLab) config files.

Resolves a config's effective values the way ``mmengine.Config.fromfile``
would - ``_base_`` inheritance, ``_delete_``, ``{{_base_.x}}``, new-style
``with read_base():`` imports - from the ``ast`` alone: nothing is imported
or executed.  Every value remembers the span that set it.

Example::

    cfg = resolve_config("configs/resnet/resnet50_8xb32_in1k.py")
    v = cfg.get("train_dataloader.batch_size")
    v.value, v.file, v.line  # 32, ".../_base_/datasets/imagenet_bs32.py", 26
"""

from __future__ import annotations

from .cache import CacheStats, ConfigCache
from .model import (
    CYCLE,
    ISSUE_KINDS,
    MISSING,
    NOT_A_FILE,
    SYNTAX,
    UNREADABLE,
    ConfigIssue,
    Location,
    ResolvedConfig,
    Value,
    find_all,
    format_key_path,
    iter_values,
)
from .nodes import Unresolved
from .resolver import resolve_config

__all__ = [
    "CYCLE",
    "ISSUE_KINDS",
    "MISSING",
    "NOT_A_FILE",
    "SYNTAX",
    "UNREADABLE",
    "CacheStats",
    "ConfigCache",
    "ConfigIssue",
    "Location",
    "ResolvedConfig",
    "Unresolved",
    "Value",
    "find_all",
    "format_key_path",
    "iter_values",
    "resolve_config",
]
