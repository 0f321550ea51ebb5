"""Which profile judges a file: each kind of evidence, found on disk as it is
written (nothing run), their precedence, the setting, and what the pipeline
does with the choice.

The profiles are test data files in a temporary folder (the shipped ones
change as sister repositories are added): an MMEngine-era detection profile,
its legacy 2.x sibling, and the shipped MMPretrain one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mmname_lsp.analysis import analyse
from mmname_lsp.analysis.profile_of import SHARED_CODES, ProfileFinder, profile_setting
from mmname_lsp.naming import profiles as profiles_module
from mmname_lsp.settings import Settings, parse_settings

SHIPPED = Path(profiles_module.__file__).resolve().parents[1] / "data" / "profiles"
DET3 = {"name": "det3", "title": "MMDetection 3.x", "package": "mmdet",
        "distributions": ["mmdet"], "versions": "3", "scopes": ["mmdet"],
        "inferencers": ["DetInferencer", "init_detector"]}
DET2 = {"name": "det2", "title": "MMDetection 2.x", "package": "mmdet",
        "distributions": ["mmdet"], "versions": "2", "legacy": True,
        "inferencers": ["init_detector"]}
NOTHING: dict = {}
DEFAULTS = Settings()


@pytest.fixture
def test_profiles(tmp_path, monkeypatch):
    """Profiles read from a temporary folder: mmpretrain (shipped), det3, det2."""
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "mmpretrain.json").write_text((SHIPPED / "mmpretrain.json").read_text())
    for data in (DET3, DET2):
        (folder / f"{data['name']}.json").write_text(json.dumps(data))
    monkeypatch.setattr(profiles_module, "PROFILES_DIR", folder)
    profiles_module.profiles.cache_clear()
    monkeypatch.delenv("MMNAME_PROFILE", raising=False)
    yield folder
    profiles_module.profiles.cache_clear()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def decide(path: Path, settings: Settings = DEFAULTS, installed=NOTHING, **kw):
    finder = ProfileFinder(installed=installed)
    return finder.decide(str(path), path.read_text(), settings, **kw)


# -- each kind of evidence ----------------------------------------------------------


def test_the_configs_own_default_scope(test_profiles, tmp_path):
    cfg = write(tmp_path / "w" / "configs" / "a.py", "default_scope = 'mmdet'\nmodel = dict()\n")
    choice = decide(cfg).choice
    assert choice.name == "det3"
    assert choice.reason == "`default_scope = 'mmdet'`"


def test_default_scope_of_a_base_says_which_file_set_it(test_profiles, tmp_path):
    root = tmp_path / "w" / "configs"
    runtime = write(root / "_base_" / "default_runtime.py", "default_scope = 'mmpretrain'\n")
    write(root / "_base_" / "models" / "r50.py", "_base_ = ['../default_runtime.py']\n")
    cfg = write(root / "resnet" / "resnet50_8xb32_in1k.py",
                "_base_ = ['../_base_/models/r50.py']\n")
    decision = decide(cfg)
    assert decision.choice.name == "mmpretrain"
    assert decision.choice.reason == \
        "`default_scope = 'mmpretrain'` in `../_base_/default_runtime.py`"
    # A persistent cache of findings must check the files that decided it.
    assert str(runtime) in decision.deps


def test_a_new_style_base_import_is_followed_too(test_profiles, tmp_path):
    root = tmp_path / "w" / "configs"
    write(root / "_base_" / "default_runtime.py", "default_scope = 'mmdet'\n")
    cfg = write(root / "det" / "x_1x_coco.py",
                "from mmengine.config import read_base\n"
                "with read_base():\n    from .._base_.default_runtime import *\n")
    assert decide(cfg).choice.name == "det3"


def test_a_scoped_base(test_profiles, tmp_path):
    cfg = write(tmp_path / "w" / "configs" / "b.py",
                "_base_ = ['mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py']\n")
    choice = decide(cfg).choice
    assert choice.name == "det3"
    assert "mmdet::" in choice.reason


def test_a_new_style_import_of_another_packages_configs_is_a_scoped_base(test_profiles,
                                                                         tmp_path):
    cfg = write(tmp_path / "w" / "x.py",
                "from mmengine.config import read_base\nwith read_base():\n"
                "    from mmdet.configs._base_.default_runtime import *  # noqa\n")
    assert decide(cfg).choice.name == "det3"


@pytest.mark.parametrize("version,expected", [("2.28.2", "det2"), ("3.3.0", "det3")])
def test_the_repository_package_from_setup_py_and_its_version(test_profiles, tmp_path,
                                                              version, expected):
    repo = tmp_path / "mmdetection"
    write(repo / "setup.py", "from setuptools import setup\n"
          "setup(name='mmdet', version=get_version(), packages=[])\n")
    write(repo / "mmdet" / "version.py", f"__version__ = '{version}'\n")
    cfg = write(repo / "configs" / "retinanet" / "retinanet_r50_fpn_1x_coco.py",
                "_base_ = ['../_base_/models/retinanet_r50_fpn.py']\n")
    choice = decide(cfg).choice
    assert choice.name == expected
    assert choice.reason == "the repository is the `mmdet` package"


def test_the_repository_package_from_pyproject(test_profiles, tmp_path):
    repo = tmp_path / "repo"
    write(repo / "pyproject.toml", "[project]\nname = 'mmpretrain'\nversion = '1.2.0'\n")
    cfg = write(repo / "configs" / "x" / "y.py", "model = dict()\n")
    assert decide(cfg).choice.name == "mmpretrain"


def test_a_setup_py_that_does_not_parse_still_names_its_package(test_profiles, tmp_path):
    repo = tmp_path / "repo"
    write(repo / "setup.py", "setup(name='mmdet',\n  version=(\n")  # unclosed
    cfg = write(repo / "configs" / "y.py", "model = dict()\n")
    assert decide(cfg).choice.name == "det3"


def test_the_top_package_folder_next_to_configs(test_profiles, tmp_path):
    repo = tmp_path / "checkout"
    write(repo / "mmdet" / "__init__.py", "")
    write(repo / "mmdet" / "version.py", "__version__ = '3.1.0'\n")
    cfg = write(repo / "configs" / "y.py", "model = dict()\n")
    assert decide(cfg).choice.name == "det3"


@pytest.mark.parametrize("version,expected", [("2.28.2", "det2"), ("3.3.0", "det3")])
@pytest.mark.parametrize("configs", [".mim/configs", "configs"])
def test_a_packages_own_configs(test_profiles, tmp_path, version, expected, configs):
    # `pip install mmdet` ships its configs in `site-packages/mmdet/.mim/configs`;
    # new-style configs live inside the package (`mmdet/configs/`).
    package = tmp_path / "site-packages" / "mmdet"
    write(package / "__init__.py", "")
    write(package / "version.py", f"__version__ = '{version}'\n")
    cfg = write(package / configs / "faster_rcnn" / "faster_rcnn_r50_fpn_1x_coco.py",
                "_base_ = ['../_base_/models/faster_rcnn_r50_fpn.py']\n")
    choice = decide(cfg).choice
    assert choice.name == expected
    assert choice.reason == "the repository is the `mmdet` package"


def test_a_checkout_folder_named_like_the_package_is_not_the_package(test_profiles, tmp_path):
    # `git clone ... mmdet`: the folder is the repository, its setup.py decides.
    repo = tmp_path / "mmdet"
    write(repo / "setup.py", "setup(name='mmdet')\n")
    write(repo / "mmdet" / "version.py", "__version__ = '2.28.2'\n")
    cfg = write(repo / "configs" / "faster_rcnn_r50_fpn_1x_coco.py", "model = dict()\n")
    assert decide(cfg).choice.name == "det2"


def test_a_project_of_its_own_stops_the_search(test_profiles, tmp_path):
    # An outer mmdet checkout does not claim a project that has its own
    # pyproject.toml (its name is no OpenMMLab package).
    write(tmp_path / "setup.py", "setup(name='mmdet')\n")
    project = tmp_path / "projects" / "mine"
    write(project / "pyproject.toml", "[project]\nname = 'my-thing'\n")
    cfg = write(project / "configs" / "y.py", "model = dict()\n")
    assert decide(cfg).choice.name == "shared"


def test_the_names_around_it(test_profiles, tmp_path):
    folder = tmp_path / "w" / "configs" / "det"
    write(folder / "a.py", "default_scope = 'mmdet'\n")
    write(folder / "b.py", "default_scope = 'mmdet'\n")
    cfg = write(folder / "c.py", "model = dict()\n")
    choice = decide(cfg).choice
    assert choice.name == "det3"
    assert "around" in choice.reason


def test_a_base_file_takes_the_scope_of_its_base_tree(test_profiles, tmp_path):
    base = tmp_path / "w" / "configs" / "_base_"
    write(base / "default_runtime.py", "default_scope = 'mmdet'\n")
    model = write(base / "models" / "faster-rcnn_r50_fpn.py", "model = dict()\n")
    assert decide(model).choice.name == "det3"


def test_installed_packages_decide_only_when_one_family_member_is(test_profiles, tmp_path):
    cfg = write(tmp_path / "w" / "configs" / "y.py", "model = dict()\n")
    assert decide(cfg, installed={"mmdet": "2.25.0"}).choice.name == "det2"
    both = {"mmdet": "3.3.0", "mmpretrain": "1.2.0"}
    assert decide(cfg, installed=both).choice.name == "shared"


def test_nothing_known_is_shared_unless_a_fallback_is_set(test_profiles, tmp_path,
                                                          monkeypatch):
    cfg = write(tmp_path / "w" / "configs" / "y.py", "model = dict()\n")
    assert decide(cfg).choice.name == "shared"
    monkeypatch.setenv("MMNAME_PROFILE", "det3")
    choice = decide(cfg).choice
    assert choice.name == "det3" and "MMNAME_PROFILE" in choice.reason


# -- precedence ---------------------------------------------------------------------


def test_own_default_scope_wins_over_the_repository(test_profiles, tmp_path):
    repo = tmp_path / "mmdetection"
    write(repo / "setup.py", "setup(name='mmdet')\n")
    cfg = write(repo / "configs" / "cls.py", "default_scope = 'mmpretrain'\n")
    assert decide(cfg).choice.name == "mmpretrain"


def test_the_repository_wins_over_neighbours_and_installed(test_profiles, tmp_path):
    repo = tmp_path / "mmpretrain"
    write(repo / "setup.py", "setup(name='mmpretrain')\n")
    write(repo / "configs" / "a.py", "default_scope = 'mmdet'\n")
    cfg = write(repo / "configs" / "b.py", "model = dict()\n")
    assert decide(cfg, installed={"mmdet": "3.0.0"}).choice.name == "mmpretrain"


def test_neighbours_win_over_installed(test_profiles, tmp_path):
    write(tmp_path / "w" / "a.py", "default_scope = 'mmpretrain'\n")
    cfg = write(tmp_path / "w" / "b.py", "model = dict()\n")
    assert decide(cfg, installed={"mmdet": "3.0.0"}).choice.name == "mmpretrain"


def test_the_setting_wins_over_everything(test_profiles, tmp_path):
    cfg = write(tmp_path / "w" / "configs" / "a.py", "default_scope = 'mmdet'\n")
    choice = decide(cfg, Settings(profile="mmpretrain")).choice
    assert choice.name == "mmpretrain" and "settings" in choice.reason
    assert decide(cfg, Settings(profile="shared")).choice.name == "shared"


def test_per_glob_setting(test_profiles, tmp_path):
    settings, errors = parse_settings({"profile": {"configs/det/**": "det3",
                                                   "legacy/*.py": "det2"}})
    assert errors == []
    det = write(tmp_path / "w" / "configs" / "det" / "x.py", "model = dict()\n")
    old = write(tmp_path / "w" / "legacy" / "y.py", "default_scope = 'mmpretrain'\n")
    other = write(tmp_path / "w" / "configs" / "cls" / "z.py", "default_scope = 'mmpretrain'\n")
    assert profile_setting(str(det), settings) == "det3"
    assert decide(det, settings).choice.name == "det3"
    assert decide(old, settings).choice.name == "det2"
    # Files no glob matches are `auto`: their own evidence decides.
    assert decide(other, settings).choice.name == "mmpretrain"


def test_bad_profile_settings_are_reported_by_key(test_profiles):
    settings, errors = parse_settings({"profile": "mmdet9"})
    assert settings.profile == "auto"
    assert errors and "mmdet9" in errors[0] and "det3" in errors[0]
    settings, errors = parse_settings({"profile": {"a/**": "det3", "b/**": 3}})
    assert settings.profile_globs == (("a/**", "det3"),)
    assert len(errors) == 1 and "mmname.profile.b/**" in errors[0]
    _, errors = parse_settings({"profile": ["det3"]})
    assert errors == ["`mmname.profile` must be a profile name or map globs to profile names"]


# -- robustness and invalidation ----------------------------------------------------


def test_a_config_that_does_not_parse_still_says_its_scope(test_profiles, tmp_path):
    cfg = write(tmp_path / "w" / "a.py", "default_scope = 'mmdet'\nmodel = dict(\n")
    assert decide(cfg).choice.name == "det3"


def test_an_inheritance_cycle_ends(test_profiles, tmp_path):
    folder = tmp_path / "w" / "configs"
    write(folder / "a.py", "_base_ = ['./b.py']\n")
    b = write(folder / "b.py", "_base_ = ['./a.py']\n")
    assert decide(b).choice.name == "shared"


def test_a_change_deep_in_the_chain_is_seen(test_profiles, tmp_path):
    root = tmp_path / "w" / "configs"
    runtime = write(root / "_base_" / "default_runtime.py", "default_scope = 'mmpretrain'\n")
    write(root / "_base_" / "models" / "m.py", "_base_ = ['../default_runtime.py']\n")
    cfg = write(root / "x" / "c.py", "_base_ = ['../_base_/models/m.py']\n")
    finder = ProfileFinder(installed={})
    assert finder.choose(str(cfg), cfg.read_text(), Settings()).name == "mmpretrain"
    runtime.write_text("default_scope = 'mmdet'  # the middle file is unchanged\n")
    assert finder.choose(str(cfg), cfg.read_text(), Settings()).name == "det3"


def test_a_changed_base_is_read_again_and_forget_drops_the_repository(test_profiles,
                                                                       tmp_path):
    repo = tmp_path / "repo"
    setup = write(repo / "setup.py", "setup(name='mmpretrain')\n")
    base = write(repo / "configs" / "_base_" / "rt.py", "x = 1\n")
    cfg = write(repo / "configs" / "m" / "c.py", "_base_ = ['../_base_/rt.py']\n")
    finder = ProfileFinder(installed={})
    assert finder.choose(str(cfg), cfg.read_text(), Settings()).name == "mmpretrain"
    base.write_text("default_scope = 'mmdet'  # now a detection base\n")
    assert finder.choose(str(cfg), cfg.read_text(), Settings()).name == "det3"
    base.write_text("x = 2\n")
    setup.write_text("setup(name='mmdet')\n")
    finder.forget(str(setup))
    assert finder.choose(str(cfg), cfg.read_text(), Settings()).name == "det3"


# -- what the pipeline does with it -----------------------------------------------


def test_a_file_no_profile_claims_gets_only_the_shared_rules(test_profiles, tmp_path,
                                                               monkeypatch):
    text = "a = 'resnet50_8xb32-cosl_in1k'\nb = 'Resnet50_8xb32_in1k'\n"
    cfg = write(tmp_path / "w" / "configs" / "resnet50_8xb32_in1k.py", text)
    quiet = analyse(text, str(cfg), finder=ProfileFinder(installed={}))
    assert quiet.choice.name == "shared"
    # The typo (MMN102) is MMPretrain's vocabulary's; lower case is everyone's.
    assert sorted(f.code for f in quiet.findings) == ["MMN107"]
    assert all(f.code in SHARED_CODES for f in quiet.findings)
    monkeypatch.setenv("MMNAME_PROFILE", "mmpretrain")
    loud = analyse(text, str(cfg), finder=ProfileFinder(installed={}))
    assert loud.choice.name == "mmpretrain"
    assert sorted(f.code for f in loud.findings) == ["MMN102", "MMN107"]


def test_the_call_says_whose_model_name_it_is(test_profiles, tmp_path):
    # `get_model` takes MMPretrain names wherever it is called: its name is
    # judged by MMPretrain even in a file nothing places.
    text = "from mmpretrain import get_model\nm = get_model('resnet50_8xb32-cosl_in1k')\n"
    path = write(tmp_path / "w" / "demo.py", text)
    result = analyse(text, str(path), finder=ProfileFinder(installed={}))
    assert result.choice.name == "shared"
    assert "MMN102" in [f.code for f in result.findings]
    (occ,) = [o for o in result.occurrences if o.source == "model_api"]
    assert result.choice_of(occ).name == "mmpretrain"
    assert "get_model" in result.choice_of(occ).reason


def test_the_choice_and_its_files_are_part_of_the_analysis(test_profiles, tmp_path):
    root = tmp_path / "w" / "configs"
    runtime = write(root / "_base_" / "default_runtime.py", "default_scope = 'mmpretrain'\n")
    text = "_base_ = ['../_base_/default_runtime.py']\n"
    cfg = write(root / "r" / "resnet50_8xb32_in1k.py", text)
    result = analyse(text, str(cfg), finder=ProfileFinder(installed={}))
    assert result.choice.name == "mmpretrain"
    assert os.path.normpath(str(runtime)) in result.deps
