"""Learn which classes the algorithm and dataset words of the sister
repositories name, from their real configs: ``mmname_lsp/data/class_words.json``.

For every model config of the four family trees in ``../shared/corpus/family``
(MMDetection, MMSegmentation, MMPose, MMAction2) the name is decoded with its
family's profile and the config read statically; the algorithm words
(:func:`~mmname_lsp.rules.consistency.algorithm_phrase`) are paired with
``model.type`` and the dataset words
(:func:`~mmname_lsp.rules.consistency.dataset_phrase`) with the classes of the
datasets it trains on.  A config whose value cannot be read teaches nothing.

The name <-> content checks (MMN311, MMN312) then compare a word only with the
classes learned for it: a word never seen, or a class that names no algorithm
or dataset, is not compared.

Usage::

    python scripts/build_class_words.py          # write the file
    python scripts/build_class_words.py --check  # fail when it is stale
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, Optional, Sequence, Set

ROOT = Path(__file__).resolve().parents[1]
for folder in (ROOT, ROOT / "scripts"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from consistency_report import PACKAGES, TREES, decoder_for, model_configs, profile_name  # noqa: E402

from mmname_lsp.configs import ConfigCache, Unresolved, resolve_config  # noqa: E402
from mmname_lsp.data import CLASS_WORDS  # noqa: E402
from mmname_lsp.files import write_generated  # noqa: E402
from mmname_lsp.rules.consistency import (  # noqa: E402
    algorithm_phrase,
    dataset_phrase,
    train_dataset_classes,
)

FAMILIES = ("mmdet", "mmseg", "mmpose", "mmaction2")


def learn(family: str, tree: Path) -> Dict[str, Dict[str, list]]:
    decode = decoder_for(profile_name(family) or family)
    cache = ConfigCache()
    words: Dict[str, Dict[str, Set[str]]] = {
        "algorithm": defaultdict(set), "dataset": defaultdict(set)
    }
    for path in model_configs(tree, PACKAGES[family]):
        decoded = decode(path.name)
        resolved = resolve_config(path, cache=cache)
        if resolved.issues:
            continue
        alg = algorithm_phrase(decoded, family)
        model = resolved.get("model.type")
        if alg is not None and model is not None and isinstance(model.value, str):
            words["algorithm"][alg.text.lower()].add(model.value.rsplit(".", 1)[-1])
        data = dataset_phrase(decoded, family)
        classes = train_dataset_classes(resolved)
        if data is not None and classes and not any(isinstance(c, Unresolved) for c in classes):
            words["dataset"][data.text.lower()].update(classes)
    return {
        what: {w: sorted(cs) for w, cs in sorted(table.items())}
        for what, table in words.items()
    }


def build() -> Dict[str, Dict[str, Dict[str, list]]]:
    out = {}
    for family in FAMILIES:
        tree = TREES[family][1]
        if not (tree / "configs").is_dir():
            raise SystemExit(f"no configs/ under {tree}: the family corpus is needed")
        out[family] = learn(family, tree)
    return out


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail when the file is stale")
    args = parser.parse_args(argv)
    text = json.dumps(build(), indent=1, sort_keys=True) + "\n"
    status = write_generated(CLASS_WORDS, text, args.check, "scripts/build_class_words.py")
    if not args.check:
        print(f"wrote {CLASS_WORDS}")
    return status


if __name__ == "__main__":
    sys.exit(main())
