"""`mmname check`'s analysis of each OpenMMLab family tree with its own naming
profile: few files flagged, and `HxW` in a data part never read as GPUs x
batch.  The 1.x trees come from ``../shared/corpus/family``, the legacy ones and
MMOCR from the wheels ``scripts/build_profiles.py`` extracts (skipped, with the
reason, when absent)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The most files of a tree that may get an error or a warning.
MAX_FLAGGED = 0.10

pytestmark = pytest.mark.corpus


def _report_module():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        spec = importlib.util.spec_from_file_location(
            "family_report", ROOT / "scripts" / "family_report.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return module


@pytest.mark.parametrize("profile", ["mmdet3", "mmseg1", "mmpose1", "mmaction2", "mmocr1",
                                     "mmcls0", "mmdet2", "mmseg0"])
def test_family_tree_with_its_profile(profile):
    fr = _report_module()
    root = fr.tree(profile, fr.bp.CACHE, [])
    if root is None:
        pytest.skip(f"the {profile} tree is not here (run scripts/build_profiles.py)")
    r = fr.report(profile, root, shared=False, listing=0)
    assert r["files"] > 100
    assert r["flagged"] <= MAX_FLAGGED * r["files"], (profile, r["flagged"], r["codes"])
    assert r["hxw_as_batch"] == 0
