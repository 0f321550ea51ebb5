"""The workspace's own words and configs: learned words are never typos,
configs are found outside `configs` folders by a setting or by their content."""

from __future__ import annotations

from pathlib import Path

from mmname_lsp.analysis import analyse, settings_decoder
from mmname_lsp.settings import Settings, parse_settings
from mmname_lsp.workspace.index import WorkspaceIndex


def _config(root: Path, rel: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("_base_ = ['../_base_/x.py']\n")
    return path


def _codes(index: WorkspaceIndex, path: Path):
    return sorted(h.code for h in index.report(str(path)))


def test_a_word_used_by_several_names_of_the_workspace_is_not_a_typo(tmp_path):
    one = _config(tmp_path, "configs/a/resnet50_8xb32-colsr_in1k.py")
    index = WorkspaceIndex()
    index.index_root(str(tmp_path))
    assert "MMN102" in _codes(index, one)  # alone, `colsr` reads as a typo of `coslr`
    two = _config(tmp_path, "configs/b/resnet101_8xb32-colsr_in1k.py")
    index = WorkspaceIndex()
    index.index_root(str(tmp_path))
    assert "MMN102" not in _codes(index, one)
    assert "MMN102" not in _codes(index, two)
    assert "colsr" in index.learned.known()
    # The open documents' decoder knows it too, with its meaning.
    decoded = settings_decoder(Settings(), index.learned).decode("resnet50_8xb32-colsr_in1k")
    token = next(t for p in decoded.parts for t in p.tokens if t.text == "colsr")
    assert "2 names of this workspace" in token.meaning


def test_registered_classes_are_words_of_the_workspace(tmp_path):
    cfg = _config(tmp_path, "configs/fastvitx/fastvitx-b1_8xb256_in1k.py")
    (tmp_path / "mylib").mkdir()
    (tmp_path / "mylib" / "models.py").write_text(
        "@MODELS.register_module()\nclass FastViTX:\n    pass\n")
    (tmp_path / "mylib" / "other.py").write_text("model = dict(type='FastViTX')\n")
    index = WorkspaceIndex()
    index.index_root(str(tmp_path))
    assert "fastvitx" in index.learned.known()
    assert "MMN102" not in _codes(index, cfg)


def test_the_words_are_counted_again_when_files_change(tmp_path):
    one = _config(tmp_path, "configs/a/resnet50_8xb32-colsr_in1k.py")
    two = _config(tmp_path, "configs/b/resnet101_8xb32-colsr_in1k.py")
    index = WorkspaceIndex()
    index.index_root(str(tmp_path))
    assert "MMN102" not in _codes(index, one)
    two.unlink()
    index.remove(str(two))
    assert index.learn_and_recheck()
    assert "MMN102" in _codes(index, one)


def test_config_globs_and_config_content_make_a_config():
    path = "/w/experiments/mynet_8x32.py"
    assert analyse("", path, Settings(), consistency=False).findings == []
    globbed = analyse("", path, Settings(config_globs=("experiments/*.py",)), consistency=False)
    assert [f.code for f in globbed.findings] == ["MMN101"]
    by_content = analyse("model = dict(type='X')\n", path, Settings(), consistency=False)
    assert [f.code for f in by_content.findings] == ["MMN101"]
    # A config by content whose name has no parts (train.py) is not judged.
    plain = analyse("model = dict(type='X')\n", "/w/tools/train.py", Settings(),
                    consistency=False)
    assert plain.findings == [] and plain.filename_occurrence() is None


def test_config_globs_setting_is_validated():
    settings, errors = parse_settings({"configGlobs": ["experiments/**/*.py"]})
    assert errors == [] and settings.config_globs == ("experiments/**/*.py",)
    _settings, errors = parse_settings({"configGlobs": "experiments"})
    assert errors and "configGlobs" in errors[0]


def _check(root: Path, *args: str):
    import json
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "mmname_lsp.cli", "check", ".",
                           "--format", "json", *args], cwd=root, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    return sorted((f["path"], f["code"]) for f in json.loads(proc.stdout))


def test_mmname_check_learns_the_words_of_the_checked_files(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.mmname]\n")
    _config(tmp_path, "configs/a/resnet50_8xb32-colsr_in1k.py")
    cache = tmp_path / "cache"
    one = _check(tmp_path, "--cache-dir", str(cache))
    assert ("configs/a/resnet50_8xb32-colsr_in1k.py", "MMN102") in one
    _config(tmp_path, "configs/b/resnet101_8xb32-colsr_in1k.py")
    for _run in range(2):  # cold, then from the cache and the words memo
        assert [c for c in _check(tmp_path, "--cache-dir", str(cache))
                if c[1] == "MMN102"] == []
    assert list(cache.glob("words-*.memo"))
    # The editor's index agrees.
    index = WorkspaceIndex()
    index.index_root(str(tmp_path))
    assert "colsr" in index.learned.known()


def test_words_of_an_installed_packages_model_names_are_not_typos(tmp_path, monkeypatch):
    from mmname_lsp.naming import decoder as decoder_module
    from mmname_lsp.naming import zoo as zoo_module
    from mmname_lsp.naming.decoder import Decoder

    name = "convnxet-base_32xb128_in1k"  # alone: a typo of `convnext`
    assert "MMN102" in [p.code for p in Decoder().decode(name).problems]
    (tmp_path / "model-index.yml").write_text("Import:\n  - configs/x/metafile.yml\n")
    (tmp_path / "configs" / "x").mkdir(parents=True)
    (tmp_path / "configs" / "x" / "metafile.yml").write_text(
        "Models:\n  - Name: convnxet-tiny_32xb128_in1k\n    Config: configs/x/a.py\n")
    monkeypatch.setattr(zoo_module, "installed_model_index",
                        lambda: tmp_path / "model-index.yml")
    zoo_module.installed_names.cache_clear()
    decoder_module.base_vocabulary.cache_clear()
    try:
        decoded = Decoder().decode(name)
        assert "MMN102" not in [p.code for p in decoded.problems]
        token = next(t for p in decoded.parts for t in p.tokens if t.text == "convnxet")
        assert "installed mmpretrain" in token.meaning
    finally:
        zoo_module.installed_names.cache_clear()
        decoder_module.base_vocabulary.cache_clear()
