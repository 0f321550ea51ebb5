"""Name-versus-content checks over the real MMPretrain tree (../shared/corpus).

Skipped when the corpus is absent.  The contradictions asserted here were read
by hand in the config files and are real upstream inconsistencies; the
"silent" cases were false alarms of earlier versions of the checks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest

from mmname_lsp.configs import ConfigCache, resolve_config
from mmname_lsp.naming.decoder import decode
from mmname_lsp.rules.consistency import AGREE, CONTRADICT, Outcome, evaluate, family_checks

TREE = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "mmpretrain" / "tree"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(
        not (TREE / "configs").is_dir(),
        reason=f"MMPretrain corpus not found at {TREE} (needs ../shared/corpus)",
    ),
]


def model_configs() -> List[Path]:
    out = []
    for top in (TREE / "configs", TREE / "mmpretrain" / "configs"):
        for path in sorted(top.rglob("*.py")):
            if "_base_" in path.relative_to(top).parts or path.name.startswith("_"):
                continue
            out.append(path)
    return out


@pytest.fixture(scope="module")
def outcomes() -> Dict[str, List[Outcome]]:
    cache = ConfigCache()
    out: Dict[str, List[Outcome]] = {}
    # Timing is measured by scripts/consistency_report.py, never asserted here.
    for path in model_configs():
        resolved = resolve_config(path, cache=cache)
        decoded = decode(path.name, "config")
        out[str(path.relative_to(TREE))], _ = evaluate(decoded, resolved)
    return out


def contradictions(outcomes: Dict[str, List[Outcome]]) -> Set[Tuple[str, str, str]]:
    return {
        (code_path, o.code, o.token.text)
        for code_path, found in outcomes.items()
        for o in found
        if o.status == CONTRADICT
    }


def test_tree_is_mostly_consistent(outcomes: Dict[str, List[Outcome]]) -> None:
    assert len(outcomes) > 600
    statuses = [o.status for found in outcomes.values() for o in found]
    assert statuses.count(AGREE) > 2000
    assert statuses.count(CONTRADICT) < 150
    seen = {o.code for found in outcomes.values() for o in found if o.status == AGREE}
    assert seen == set(family_checks("mmpretrain"))


REAL_BUGS = [
    # ConvNeXt-L/XL ImageNet-21k configs build a ConvNeXt-B.
    ("configs/convnext/convnext-large_64xb64_in21k.py", "MMN309", "large"),
    ("configs/convnext/convnext-xlarge_64xb64_in21k.py", "MMN309", "xlarge"),
    # New-style ConvNeXt configs all import the base model.
    ("mmpretrain/configs/convnext/convnext-tiny_32xb128_in1k.py", "MMN309", "tiny"),
    # CLIP ViT-L/14 headless config with patch_size=16.
    ("configs/clip/vit-large-p14_headless.py", "MMN307", "p14"),
    # CSPDarkNet with depth 53 named cspdarknet50.
    ("configs/cspnet/cspdarknet50_8xb32_in1k.py", "MMN310", "cspdarknet50"),
    # `dataset_type = 'ImageNet21k'` set after the base built its dataloaders.
    ("configs/efficientnet_v2/efficientnetv2-s_8xb32_in21k.py", "MMN311", "in21k"),
    # Swin SimMIM named coslr, trained with MultiStepLR.
    (
        "configs/simmim/simmim_swin-base-w6_16xb128-amp-coslr-800e_in1k-192px.py",
        "MMN304",
        "coslr",
    ),
    # MILAN named amp, with a plain OptimWrapper.
    ("configs/milan/milan_vit-base-p16_16xb256-amp-coslr-400e_in1k.py", "MMN305", "amp"),
    # The test dataloader keeps the base's 224 pipeline.
    ("configs/vision_transformer/vit-base-p16_8xb64-lora_in1k-384px.py", "MMN306", "384px"),
    # A 384px fine-tune whose ViT keeps img_size=224.
    ("configs/clip/vit-base-p16_pt-64xb64_in1k-384px.py", "MMN306", "384px"),
    # `data = dict(samples_per_gpu=128)`: an mmcls 0.x key MMEngine ignores.
    ("configs/hornet/hornet-tiny_8xb128_in1k.py", "MMN301", "8xb128"),
    # batch_size=128 set in the file itself, name says 8 per GPU.
    ("configs/mae/benchmarks/vit-huge-p14_32xb8-coslr-50e_in1k-448px.py", "MMN301", "32xb8"),
    # auto_scale_lr.base_batch_size = 1025 (typo).
    ("configs/deit3/deit3-large-p16_64xb16_in1k-384px.py", "MMN302", "64xb16"),
]


@pytest.mark.parametrize("path,code,token", REAL_BUGS)
def test_real_upstream_inconsistencies_found(
    outcomes: Dict[str, List[Outcome]], path: str, code: str, token: str
) -> None:
    assert (path, code, token) in contradictions(outcomes)


FORMER_FALSE_ALARMS = [
    # EfficientNetV2 trains below its test size (train 384, test 480).
    ("configs/efficientnet_v2/efficientnetv2-l_8xb32_in1k-480px.py", "MMN306", "480px"),
    ("configs/efficientnet_v2/efficientnetv2-s_8xb32_in1k-384px.py", "MMN306", "384px"),
    # Test-only 3rdparty config: test pipeline and img_size say 384.
    ("configs/tinyvit/tinyvit-21m-distill_8xb256_in1k-384px.py", "MMN306", "384px"),
]


@pytest.mark.parametrize("path,code,token", FORMER_FALSE_ALARMS)
def test_former_false_alarms_stay_silent(
    outcomes: Dict[str, List[Outcome]], path: str, code: str, token: str
) -> None:
    statuses = {(o.code, o.token.text): o.status for o in outcomes[path]}
    assert statuses[(code, token)] == AGREE


def test_unreadable_statements_keep_checks_silent(outcomes: Dict[str, List[Outcome]]) -> None:
    # `_base_['train_pipeline'][1]['scale'] = 192` cannot be read statically:
    # values from the bases are not trusted, the file's own ones are.
    found = outcomes["configs/swin_transformer_v2/swinv2-base-w12_8xb128_in21k-192px.py"]
    statuses = {(o.code, o.token.text): o.status for o in found}
    assert statuses[("MMN306", "192px")] == AGREE  # img_size=192 set in the file
    assert statuses[("MMN301", "8xb128")] != CONTRADICT
    assert CONTRADICT not in statuses.values()
