"""The static config reader over the real MMPretrain tree (../shared/corpus).

Skipped when the corpus is absent.  Facts below were checked by hand against
the config files; lines are found by searching the files so that they state
*which* line is meant.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Dict

import pytest

from mmname_lsp.configs import ConfigCache, ResolvedConfig, Unresolved, find_all, resolve_config

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "mmpretrain"
TREE = CORPUS / "tree"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(
        not (TREE / "configs").is_dir(),
        reason=f"MMPretrain corpus not found at {TREE} (needs ../shared/corpus)",
    ),
]


def line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in {path}")


@pytest.fixture(scope="module")
def resolved_tree() -> Dict[Path, ResolvedConfig]:
    """Every config of the tree, resolved with one shared cache (timed)."""
    files = sorted((TREE / "configs").rglob("*.py")) + sorted(
        (TREE / "mmpretrain" / "configs").rglob("*.py")
    )
    cache = ConfigCache()
    start = time.perf_counter()
    out = {path: resolve_config(path, cache=cache) for path in files}
    elapsed = time.perf_counter() - start
    # Reported, not asserted: wall-clock limits make flaky tests.
    print(f"\nresolved {len(files)} configs in {elapsed:.2f}s ({cache.stats})")
    return out


def test_every_config_resolves(resolved_tree: Dict[Path, ResolvedConfig]) -> None:
    assert len(resolved_tree) > 900
    full = with_issues = scoped = 0
    for path, resolved in resolved_tree.items():
        assert isinstance(resolved, ResolvedConfig)
        assert resolved.files and resolved.files[0] == str(path)
        assert isinstance(resolved.to_plain(), dict)
        assert not any("internal error" in reason for _, reason in resolved.skipped), path
        # the real tree is consistent: no cycles, missing bases or syntax errors
        assert resolved.issues == [], path
        unresolved = find_all(resolved, lambda v: isinstance(v.value, Unresolved))
        with_issues += bool(resolved.issues)
        scoped += any("::" in what for what, _ in resolved.skipped)
        full += not (resolved.issues or resolved.skipped or unresolved)
    print(f"fully resolved {full}, with issues {with_issues}, with scoped bases {scoped}")
    assert full > 0.95 * len(resolved_tree)
    assert scoped == 2  # the two byol mask-rcnn benchmarks inherit from mmdet::


def test_resnet50_old_style(resolved_tree: Dict[Path, ResolvedConfig]) -> None:
    r = resolved_tree[TREE / "configs" / "resnet" / "resnet50_8xb32_in1k.py"]
    base = TREE / "configs" / "_base_"
    bs = r.get("train_dataloader.batch_size")
    assert bs is not None and bs.value == 32
    assert bs.file == str(base / "datasets" / "imagenet_bs32.py")
    assert bs.line == line_of(base / "datasets" / "imagenet_bs32.py", "batch_size=32")
    depth = r.get("model.backbone.depth")
    assert depth.value == 50 and depth.file == str(base / "models" / "resnet50.py")
    assert r.get("model.head.num_classes").value == 1000
    epochs = r.get("train_cfg.max_epochs")
    assert epochs.value == 100 and epochs.file == str(base / "schedules" / "imagenet_bs256.py")
    assert r.get("optim_wrapper.optimizer").value == {
        "type": "SGD",
        "lr": 0.1,
        "momentum": 0.9,
        "weight_decay": 0.0001,
    }
    types = [step["type"] for step in r.get("train_dataloader.dataset.pipeline").value]
    assert types == ["LoadImageFromFile", "RandomResizedCrop", "RandomFlip", "PackInputs"]
    assert r.get("test_dataloader.dataset.split").value == "val"
    assert r.get("default_scope").value == "mmpretrain"
    assert len(r.bases) == 4 and r.style == "old"


def test_resnet18_new_style(resolved_tree: Dict[Path, ResolvedConfig]) -> None:
    path = TREE / "mmpretrain" / "configs" / "resnet" / "resnet18_8xb32_in1k.py"
    assert path.is_file()
    r = resolved_tree[path]
    base = TREE / "mmpretrain" / "configs" / "_base_"
    assert r.style == "new"
    model_type = r.get("model.type")
    assert model_type.value == "ImageClassifier"
    assert model_type.imported_from == "mmpretrain.models"
    depth = r.get("model.backbone.depth")
    assert depth.value == 18 and depth.file == str(base / "models" / "resnet18.py")
    bs = r.get("train_dataloader.batch_size")
    assert bs.value == 32 and bs.file == str(base / "datasets" / "imagenet_bs32.py")
    assert bs.line == line_of(base / "datasets" / "imagenet_bs32.py", "batch_size=32")
    assert r.get("train_dataloader.dataset.type").value == "ImageNet"
    optimizer = r.get("optim_wrapper.optimizer.type")
    assert optimizer.value == "SGD" and optimizer.imported_from == "torch.optim"
    assert r.get("train_cfg.max_epochs").value == 100
    assert "ImageNet" not in r.keys()


def test_delete_in_a_real_child(resolved_tree: Dict[Path, ResolvedConfig]) -> None:
    path = TREE / "configs" / "swin_transformer" / "swin-large_8xb8_cub-384px.py"
    optimizer = resolved_tree[path].get("optim_wrapper.optimizer")
    assert optimizer.value == {
        "type": "AdamW",
        "lr": 5e-6,
        "weight_decay": 0.0005,
        "eps": 1e-8,
        "betas": (0.9, 0.999),
    }
    assert optimizer.file == str(path)


def test_base_substitution_in_a_real_child(resolved_tree: Dict[Path, ResolvedConfig]) -> None:
    path = TREE / "configs" / "resnest" / "resnest50_32xb64_in1k.py"
    policies = resolved_tree[path].get("train_pipeline.1.policies")
    assert isinstance(policies.value, list) and len(policies.value) > 10
    assert policies.file == str(path)  # set by `policies={{_base_.policies}}`
    assert policies.origin.file == str(TREE / "configs" / "resnest" / "_randaug_policies.py")


def test_base_edited_through_base_name(resolved_tree: Dict[Path, ResolvedConfig]) -> None:
    # mobileone-s1 assigns `_base_.train_dataloader.dataset.pipeline = train_pipeline_1e`;
    # ConfigDict copies on assignment, so later edits of train_pipeline_1e do not
    # reach the training pipeline (0.7, not 7 * 0.1 * 0.2 * 0.3).
    r = resolved_tree[TREE / "configs" / "mobileone" / "mobileone-s1_8xb32_in1k.py"]
    assert r.get("train_dataloader.dataset.pipeline.1.scale").value == 160
    magnitude = r.get("train_dataloader.dataset.pipeline.3.magnitude_level").value
    assert magnitude == pytest.approx(0.7)
    assert r.get("train_pipeline_1e.3.magnitude_level").value == pytest.approx(0.042)
    assert r.get("custom_hooks.0.schedule.0.pipeline.1.scale").value == 192
    assert r.get("train_dataloader.dataset.pipeline.3.hparams.pad_val").value == [104, 116, 124]


def test_new_style_merge_with_delete(resolved_tree: Dict[Path, ResolvedConfig]) -> None:
    path = TREE / "mmpretrain" / "configs" / "mobilenet_v3" / "mobilenet_v3_small_8xb16_cifar10.py"
    r = resolved_tree[path]
    head = r.get("model.head").value
    assert head["type"] == "StackedLinearClsHead" and "_delete_" not in head
    assert r.get("train_cfg.max_epochs").value == 200


def test_scoped_and_broken_references_are_skipped(
    resolved_tree: Dict[Path, ResolvedConfig],
) -> None:
    byol = resolved_tree[
        TREE / "configs" / "byol" / "benchmarks" / "mask-rcnn_r50_fpn_ms-1x_coco.py"
    ]
    assert byol.skipped == [
        (
            "mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py",
            "scoped base from package 'mmdet' is not read",
        )
    ]
    assert "model" in byol.keys()
    # the in21k dataset base has no test_pipeline, yet the child edits it
    swin = resolved_tree[
        TREE / "configs" / "swin_transformer_v2" / "swinv2-base-w12_8xb128_in21k-192px.py"
    ]
    assert any("no key 'test_pipeline'" in reason for _, reason in swin.skipped)
    assert swin.get("train_pipeline.1.scale").value == 192
