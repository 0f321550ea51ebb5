"""Generated data files of the package, read lazily."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict

DATA_DIR = Path(__file__).resolve().parent
CLASS_WORDS = DATA_DIR / "class_words.json"


@lru_cache(maxsize=1)
def class_words() -> Dict[str, Any]:
    """Which model and dataset classes the algorithm and dataset words of each
    OpenMMLab family name, learned from its real configs
    (``scripts/build_class_words.py``); empty when the file is missing."""
    try:
        with CLASS_WORDS.open(encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
