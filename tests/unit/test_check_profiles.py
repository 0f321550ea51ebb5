"""`mmname check` and `mmname decode` per profile, as a user runs them (a
subprocess, the shipped profiles, no ``MMNAME_PROFILE`` fallback): MMPretrain
and MMDetection configs side by side, `--profile`, `[tool.mmname] profile`,
the cache, and `mmname profiles`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[2]
DET_NAME = "faster-rcnn_r50_fpn_1x_coco.py"


def mmname(*args: str, cwd: Path, env_extra: Dict[str, str] = {}) -> Tuple[int, str, str]:  # noqa: B006
    env = {k: v for k, v in os.environ.items() if k != "MMNAME_PROFILE"}
    env["PYTHONPATH"] = str(ROOT)
    env.update(env_extra)
    proc = subprocess.run([sys.executable, "-m", "mmname_lsp.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def side_by_side(tmp_path: Path) -> Path:
    files = {
        "configs/det/" + DET_NAME: "default_scope = 'mmdet'\nmodel = dict(type='FasterRCNN')\n",
        "configs/cls/" + DET_NAME: "_base_ = ['../_base_/default_runtime.py']\n",
        "configs/_base_/default_runtime.py": "default_scope = 'mmpretrain'\n",
        "configs/cls/resnet50_8xb32_in1k.py": "_base_ = ['../_base_/default_runtime.py']\n",
        "configs/scoped/my-faster-rcnn_r50_fpn_1x_coco.py":
            "_base_ = ['mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py']\n",
        "configs/loose/resnet50_8xb32-cosl_in1k.py": "model = dict()\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path


def findings(out: str) -> List[Tuple[str, str]]:
    return sorted((f["path"].replace(os.sep, "/").split("configs/", 1)[1], f["code"])
                  for f in json.loads(out))


def test_each_file_gets_its_own_profile(side_by_side):
    rc, out, err = mmname("check", ".", "--format", "json", "--min-severity", "hint",
                          "--verbose", cwd=side_by_side)
    assert rc == 1, err
    # Only the MMDetection name in the MMPretrain folder is held to MMPretrain's
    # convention; the same name under `default_scope = 'mmdet'` passes, and the
    # typo `cosl` of a file nothing places is nobody's business.
    assert findings(out) == [("cls/" + DET_NAME, "MMN117")]
    said = {line.split(": ")[2]: line.split(": judged by ", 1)[1]
            for line in err.splitlines() if "judged by" in line}
    assert said["configs/det/" + DET_NAME] == \
        "MMDetection 3.x [mmdet3] (`default_scope = 'mmdet'`)"
    assert said["configs/cls/" + DET_NAME] == ("MMPretrain 1.x [mmpretrain] (`default_scope "
                                               "= 'mmpretrain'` in `../_base_/default_runtime.py`)")
    assert said["configs/scoped/my-faster-rcnn_r50_fpn_1x_coco.py"].startswith(
        "MMDetection 3.x [mmdet3] (it inherits `mmdet::` configs)")
    assert said["configs/loose/resnet50_8xb32-cosl_in1k.py"].startswith(
        "the shared rules [shared]")


def test_the_profile_option_and_setting_override(side_by_side):
    rc, out, _ = mmname("check", ".", "--format", "json", "--min-severity", "hint",
                        "--profile", "mmpretrain", cwd=side_by_side)
    found = findings(out)
    assert ("det/" + DET_NAME, "MMN117") in found  # judged as MMPretrain's now
    assert ("loose/resnet50_8xb32-cosl_in1k.py", "MMN102") in found
    (side_by_side / "pyproject.toml").write_text(
        "[tool.mmname.profile]\n\"configs/loose/**\" = \"mmpretrain\"\n")
    rc, out, _ = mmname("check", ".", "--format", "json", "--min-severity", "hint",
                        cwd=side_by_side)
    assert findings(out) == [("cls/" + DET_NAME, "MMN117"),
                             ("loose/resnet50_8xb32-cosl_in1k.py", "MMN102")]
    (side_by_side / "pyproject.toml").write_text("[tool.mmname]\nprofile = \"mmdet9\"\n")
    rc, _, err = mmname("check", ".", cwd=side_by_side)
    assert rc == 2 and "mmdet9" in err


def test_the_cache_sees_a_base_change_the_profile(side_by_side):
    args = ("check", ".", "--format", "json", "--min-severity", "hint")
    env = {"MMNAME_CACHE_DIR": str(side_by_side / "cache")}
    rc, first, _ = mmname(*args, cwd=side_by_side, env_extra=env)
    assert ("cls/" + DET_NAME, "MMN117") in findings(first)
    # The base now says MMDetection: the file it decided is judged again.
    (side_by_side / "configs/_base_/default_runtime.py").write_text("default_scope = 'mmdet'\n")
    rc, second, _ = mmname(*args, cwd=side_by_side, env_extra=env)
    assert findings(second) == []
    # A repository that says what it is, where nothing did: the file nothing
    # placed is MMPretrain's now, and its typo is one.
    (side_by_side / "setup.py").write_text("setup(name='mmpretrain')\n")
    rc, third, _ = mmname(*args, cwd=side_by_side, env_extra=env)
    assert ("loose/resnet50_8xb32-cosl_in1k.py", "MMN102") in findings(third)


def test_decode_and_profiles(tmp_path):
    rc, out, _ = mmname("decode", "--json", "--profile", "mmdet3", DET_NAME, cwd=tmp_path)
    assert rc == 0
    (det,) = json.loads(out)
    rc, out, _ = mmname("decode", "--json", DET_NAME, cwd=tmp_path)
    (cls,) = json.loads(out)
    assert [p["code"] for p in det["problems"]] == []
    assert "MMN117" in [p["code"] for p in cls["problems"]]
    rc, out, _ = mmname("decode", "--profile", "nope", DET_NAME, cwd=tmp_path)
    assert rc == 2
    rc, out, _ = mmname("profiles", "--json", cwd=tmp_path)
    rows = {r["name"]: r for r in json.loads(out)}
    assert rows["mmdet3"]["title"] == "MMDetection 3.x"
    assert rows["mmdet3"]["scopes"] == ["mmdet"]
    assert Path(rows["mmdet3"]["source"]).is_file()
    rc, out, _ = mmname("profiles", cwd=tmp_path)
    assert rc == 0 and out.splitlines()[-1].startswith("shared")
