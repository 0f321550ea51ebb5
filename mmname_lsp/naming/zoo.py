"""The model zoo: every MMPretrain model with its metadata, and the links
checkpoint -> model and config -> models.

The bundled zoo (``data/zoo.json``) is generated from the corpus.  When an
mmpretrain package is installed, its ``.mim/model-index.yml`` and metafiles are
read too (found with ``importlib.util.find_spec``; mmpretrain itself is never
imported), so users of a newer MMPretrain see its models.
"""

from __future__ import annotations

import importlib.util
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

from mmname_lsp.naming.vocabulary import DATA_DIR

_CKPT_NAME = re.compile(r"[^/\\?#]+\.pth")


class Zoo:
    def __init__(
        self,
        models: Dict[str, Dict[str, Any]],
        checkpoints: Dict[str, str],
        configs: Dict[str, List[str]],
    ) -> None:
        self._set(models, checkpoints, configs)
        # The published models (this zoo before any workspace layer), and a
        # count of changes: decoders drop their cached results when it moves.
        self._published: Optional[Zoo] = None
        self.generation = 0

    def _set(self, models: Dict[str, Dict[str, Any]], checkpoints: Dict[str, str],
             configs: Dict[str, List[str]]) -> None:
        self.models = models
        self.checkpoints = checkpoints
        self.configs = configs
        # Config file name -> config paths, to link a bare file name.
        self._config_names: Dict[str, List[str]] = {}
        for path in configs:
            self._config_names.setdefault(path.rsplit("/", 1)[-1], []).append(path)

    def set_workspace(self, workspace: Optional[Zoo]) -> None:
        """Add a workspace's own metafile models to the published ones, in place
        (every decoder holding this zoo sees them), replacing the workspace
        models set before; None removes them."""
        if self._published is None:
            self._published = Zoo(dict(self.models), dict(self.checkpoints),
                                  {k: list(v) for k, v in self.configs.items()})
        merged = self._published.merged(workspace) if workspace is not None else self._published
        self._set(dict(merged.models), dict(merged.checkpoints),
                  {k: list(v) for k, v in merged.configs.items()})
        self.generation += 1

    def is_published(self, name: str) -> bool:
        """A model of the published zoo (not one of a workspace's metafiles)."""
        return (self._published or self).models.get(name) is not None

    def __len__(self) -> int:
        return len(self.models)

    def model(self, name: str) -> Optional[Dict[str, Any]]:
        """Metadata of model ``name`` (with its name added), or None."""
        meta = self.models.get(name)
        if meta is None:
            return None
        return {"name": name, **meta}

    def model_of_checkpoint(self, text: str) -> Optional[str]:
        """The model whose weights file is named as in ``text`` (a URL, path or file name)."""
        m = _CKPT_NAME.search(text.rsplit("/", 1)[-1]) if text else None
        return self.checkpoints.get(m.group(0)) if m else None

    def models_of_config(self, path: str) -> List[str]:
        """Models built from the config at ``path`` (by ``configs/...`` path or file name)."""
        norm = path.replace("\\", "/")
        idx = norm.rfind("configs/")
        if idx >= 0 and norm[idx:] in self.configs:
            return list(self.configs[norm[idx:]])
        found: List[str] = []
        for cfg in self._config_names.get(norm.rsplit("/", 1)[-1], ()):
            found.extend(self.configs[cfg])
        return found

    def names(self) -> Iterable[str]:
        return self.models.keys()

    def merged(self, other: Zoo) -> Zoo:
        """A zoo with ``other``'s models added (``other`` wins on conflicts)."""
        configs = {k: list(v) for k, v in self.configs.items()}
        for k, v in other.configs.items():
            configs[k] = sorted(set(configs.get(k, [])) | set(v))
        return Zoo(
            {**self.models, **other.models},
            {**self.checkpoints, **other.checkpoints},
            configs,
        )


def _bundled() -> Zoo:
    raw = json.loads(
        (DATA_DIR / "zoo.json").read_text(encoding="utf-8")
    )
    return Zoo(raw["models"], raw["checkpoints"], raw["configs"])


def installed_model_index(package: str = "mmpretrain") -> Optional[Path]:
    """Path of an installed ``package``'s ``.mim/model-index.yml``, without importing it."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for loc in spec.submodule_search_locations:
        index = Path(loc) / ".mim" / "model-index.yml"
        if index.is_file():
            return index
    return None


def read_model_index(index: Path) -> Zoo:
    """Read a model-index.yml and the metafiles it imports (needs PyYAML; empty without it)."""
    try:
        import yaml  # noqa: PLC0415 - optional dependency, only for this path
    except ImportError:
        return Zoo({}, {}, {})
    root = index.parent
    models: Dict[str, Dict[str, Any]] = {}
    checkpoints: Dict[str, str] = {}
    configs: Dict[str, List[str]] = {}
    try:
        imports = (yaml.safe_load(index.read_text(encoding="utf-8")) or {}).get("Import", [])
    except (OSError, yaml.YAMLError, UnicodeDecodeError, AttributeError):
        return Zoo({}, {}, {})
    for rel in imports or []:
        try:
            meta = yaml.safe_load((root / rel).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            continue
        if not isinstance(meta, dict):
            continue
        papers = {}
        for coll in meta.get("Collections") or []:
            if isinstance(coll, dict):
                papers[coll.get("Name")] = coll.get("Paper") or {}
        for m in meta.get("Models") or []:
            if not isinstance(m, dict) or not isinstance(m.get("Name"), str):
                continue
            entry = _metafile_entry(m, papers)
            models[m["Name"]] = entry
            if entry["checkpoint"]:
                checkpoints[entry["checkpoint"]] = m["Name"]
            if entry["config"]:
                configs.setdefault(entry["config"], []).append(m["Name"])
    return Zoo(models, checkpoints, configs)


def _metafile_entry(m: Dict[str, Any], papers: Dict[Any, Any]) -> Dict[str, Any]:
    md = m.get("Metadata") or {}
    weights = m.get("Weights") if isinstance(m.get("Weights"), str) else None
    top1 = None
    results = m.get("Results") or []
    if isinstance(results, dict):  # MMSegmentation writes one result as a mapping
        results = [results]
    for res in results:
        metrics = (res or {}).get("Metrics") or {} if isinstance(res, dict) else {}
        if "Top 1 Accuracy" in metrics:
            top1 = metrics["Top 1 Accuracy"]
            break
    paper = papers.get(m.get("In Collection")) or {}
    conv = m.get("Converted From") or {}
    return {
        "config": m.get("Config"),
        "weights": weights,
        "checkpoint": weights.rsplit("/", 1)[-1] if weights else None,
        "top1": top1,
        "top1_dataset": None,
        "parameters": md.get("Parameters"),
        "flops": md.get("FLOPs"),
        "epochs": md.get("Epochs"),
        "batch_size": md.get("Batch Size"),
        "collection": m.get("In Collection"),
        "paper": paper.get("Title") if isinstance(paper, dict) else None,
        "paper_url": paper.get("URL") if isinstance(paper, dict) else None,
        "converted_from": conv.get("Code") if isinstance(conv, dict) else None,
        "training_data": md.get("Training Data"),
        "metafile": None,
    }


@lru_cache(maxsize=1)
def installed_names() -> List[str]:
    """Model names of an installed mmpretrain's model index (none without one):
    their words are words of a newer release, never typos."""
    index = installed_model_index()
    return list(read_model_index(index).names()) if index is not None else []


@lru_cache(maxsize=1)
def default_zoo() -> Zoo:
    """The bundled zoo, merged with an installed mmpretrain's model index when present."""
    zoo = _bundled()
    index = installed_model_index()
    if index is not None:
        zoo = zoo.merged(read_model_index(index))
    return zoo


def _installed_version(distributions: Iterable[str]) -> Optional[str]:
    from importlib import metadata

    for dist in distributions:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
        except Exception:  # noqa: BLE001 - a broken installation is no version
            return None
    return None


@lru_cache(maxsize=16)
def profile_zoo(name: str) -> Zoo:
    """The published models of profile ``name``: its bundled zoo, merged with
    the installed package's model index when the installed version is one the
    profile describes (read as data, never imported).  Unknown names and the
    ``shared`` profile get MMPretrain's zoo."""
    from mmname_lsp.naming.profiles import get_profile

    profile = get_profile(name)
    if profile is None or profile.zoo in ("", "zoo.json"):
        return default_zoo()
    try:
        raw = json.loads((DATA_DIR / profile.zoo).read_text(encoding="utf-8"))
        zoo = Zoo(raw["models"], raw["checkpoints"], raw["configs"])
    except (OSError, ValueError, KeyError):
        zoo = Zoo({}, {}, {})
    version = _installed_version(profile.distributions)
    if version is not None and profile.covers_version(version):
        index = installed_model_index(profile.package)
        if index is not None:
            zoo = zoo.merged(read_model_index(index))
    return zoo
