"""The pure workspace index: walking, `_base_` links, metafile checks, reports."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from mmname_lsp.settings import parse_settings
from mmname_lsp.workspace.bases import base_literals, relative_reference
from mmname_lsp.workspace.documents import analyse_document
from mmname_lsp.workspace.index import WorkspaceIndex
from mmname_lsp.workspace.model import (
    METAFILE,
    PYTHON,
    README,
    Positions,
    file_kind,
    units,
    walk_folder,
)
from mmname_lsp.workspace.search import find_in_text, find_name

ROOT = Path(__file__).resolve().parents[2]
WS2 = ROOT / "tests" / "fixtures" / "ws2"
CORPUS = ROOT.parent / "shared" / "corpus" / "mmpretrain" / "tree"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    dest = tmp_path / "ws2"
    shutil.copytree(WS2, dest)
    (dest / "gitignore").rename(dest / ".gitignore")
    return dest


@pytest.fixture
def index(ws: Path) -> WorkspaceIndex:
    ix = WorkspaceIndex("utf-16")
    ix.index_root(str(ws))
    return ix


def codes(hits):
    return sorted(h.code for h in hits)


def test_file_kinds():
    assert file_kind("a/b/x.py") == PYTHON
    assert file_kind("configs/r/metafile.yml") == METAFILE
    assert file_kind("configs/r/README_zh-CN.md") == README
    assert file_kind("docs/index.md") is None
    assert file_kind("data.json") is None


def test_walk_skips_ignored_venvs_and_hidden(ws: Path):
    (ws / ".git").mkdir()
    (ws / ".git" / "x.py").write_text("")
    (ws / "node_modules" / "p").mkdir(parents=True)
    (ws / "node_modules" / "p" / "y.py").write_text("")
    found = {os.path.relpath(p, ws) for p in walk_folder(str(ws)).files}
    assert "configs/resnet/resnet50_8xb32_in1k.py" in found
    assert "configs/mynet/metafile.yml" in found and "model-index.yml" in found
    assert not any(p.startswith(("ignored", "venv_like", ".git", "node_modules")) for p in found)


def test_walk_stops_at_the_cap(ws: Path):
    result = walk_folder(str(ws), max_files=5)
    assert result.truncated and len(result.files) <= 5
    ix = WorkspaceIndex()
    ix.index_root(str(ws), max_files=5)
    assert ix.truncated == [str(ws)]


def test_base_literals_old_and_new_style():
    text = ("x = 'a'\n_base_ = [\n    './a.py',  # c\n    \"../b/c.py\"]\n"
            "from mmengine.config import read_base\nwith read_base():\n"
            "    from .._base_.models.r50 import *\n    from .d import x\ny = 'e.py'\n")
    lits = base_literals(text)
    assert [(lit.text, lit.context) for lit in lits] == [
        ("./a.py", "base"), ("../b/c.py", "base"), (".._base_.models.r50", "base_import"),
        (".d", "base_import")]
    for lit in lits:
        assert text[lit.start:lit.end] == lit.text
    assert base_literals("print('no bases')") == []
    # Odd places still work (the whole text is lexed then).
    assert [x.text for x in base_literals("if True:\n    _base_ = ['./z.py']\n")] == ["./z.py"]


def test_relative_reference_styles(tmp_path: Path):
    f = str(tmp_path / "configs" / "r" / "a.py")
    t = str(tmp_path / "configs" / "_base_" / "m" / "x.py")
    assert relative_reference(f, t, "base", "../_base_/m/y.py") == "../_base_/m/x.py"
    assert relative_reference(f, t, "base_import", ".._base_.m.y") == ".._base_.m.x"
    sib = str(tmp_path / "configs" / "r" / "b.py")
    assert relative_reference(f, sib, "base", "./c.py") == "./b.py"
    assert relative_reference(f, sib, "base", "c.py") == "b.py"
    assert relative_reference(f, sib, "base_import", ".c") == ".b"


def test_inheritance_is_indexed_both_ways(index: WorkspaceIndex, ws: Path):
    bs32 = str(ws / "configs/_base_/datasets/imagenet_bs32.py")
    direct = index.inheritors(bs32, transitive=False)
    assert sorted(os.path.relpath(p, ws) for p in direct) == [
        "configs/_base_/datasets/imagenet_bs64.py", "configs/resnet/resnet50_8xb32_in1k.py"]
    everyone = {os.path.relpath(p, ws) for p in index.inheritors(bs32)}
    assert {"configs/mynet/mynet-tiny_8xb64_in1k.py", "configs/resnet/resnet50_8x32_in1k.py",
            "configs/resnet/resnet50_8xb32-coslr_in1k.py",
            "configs/resnet/resnet50_8xb64_in1k.py"} <= everyone
    # Editing a file's `_base_` moves it in the reverse index.
    child = str(ws / "configs/resnet/resnet50_8xb32-coslr_in1k.py")
    index.index_file(child, "_base_ = ['../_base_/datasets/imagenet_bs32.py']\n")
    assert child in index.inheritors(bs32, transitive=False)
    index.remove(child)
    assert child not in index.inheritors(bs32)


def test_reports_of_files_that_are_not_open(index: WorkspaceIndex, ws: Path):
    def report(rel):
        return index.report(str(ws / rel))

    assert codes(report("configs/resnet/resnet50_8x32_in1k.py")) == ["MMN101"]
    assert report("configs/resnet/resnet50_8x32_in1k.py")[0].on_filename
    assert codes(report("configs/mynet/metafile.yml")) == [
        "MMN203", "MMN204", "MMN205", "MMN206", "MMN207", "MMN208", "MMN209"]
    assert codes(report("configs/resnet/metafile.yml")) == ["MMN209"]
    assert codes(report("configs/resnet/README.md")) == ["MMN210"]
    assert codes(report("model-index.yml")) == ["MMN211"]
    assert report("configs/_base_/datasets/imagenet_bs32.py") == []
    # A deleted base is missing at once for its inheritors.
    (ws / "configs/_base_/default_runtime.py").unlink()
    index.remove(str(ws / "configs/_base_/default_runtime.py"))
    hits = report("configs/resnet/resnet50_8xb64_in1k.py")
    assert codes(hits) == ["MMN201"]
    text = (ws / "configs/resnet/resnet50_8xb64_in1k.py").read_text()
    start, end = hits[0].start, hits[0].end
    assert text[start:end] == "../_base_/default_runtime.py"
    # The new-style inheritor too (its import names a missing module file).
    assert codes(report("configs/mynet/mynet-tiny_8xb64_in1k.py")) == ["MMN201"]


def test_settings_and_suppressions_apply(ws: Path):
    raw, _ = parse_settings({"severity": {"MMN101": "off", "MMN209": "warning"}})
    ix = WorkspaceIndex(settings_for=lambda p: raw)
    ix.index_root(str(ws))
    assert ix.report(str(ws / "configs/resnet/resnet50_8x32_in1k.py")) == []
    assert {h.severity for h in ix.report(str(ws / "configs/resnet/metafile.yml"))} == {"warning"}
    bad = ws / "configs/resnet/resnet50_8x32_in1k.py"
    bad.write_text("# mmname: disable-file=MMN101\n" + bad.read_text())
    ix2 = WorkspaceIndex()
    ix2.index_root(str(ws))
    assert ix2.report(str(bad)) == []


def test_published_models_are_capped_at_hints(ws: Path):
    ix = WorkspaceIndex(published=lambda name: True)
    ix.index_root(str(ws))
    hits = ix.report(str(ws / "configs/mynet/metafile.yml"))
    by_code = {h.code: h.severity for h in hits}
    assert by_code["MMN203"] == by_code["MMN204"] == by_code["MMN205"] == "hint"
    assert by_code["MMN207"] == "error"  # a missing file is real, whoever owns the name


def test_zoo_of_the_workspace(index: WorkspaceIndex):
    models, checkpoints, configs = index.zoo_models()
    assert models["mynet-tiny_8xb64_in1k"]["top1"] == 71.25
    assert models["mynet-tiny_8xb64_in1k"]["paper"] == "MyNet: a network of our own"
    assert checkpoints["mynet-tiny_8xb64_in1k_20240101-0123abcd.pth"] == "mynet-tiny_8xb64_in1k"
    assert "mynet-tiny_8xb64_in1k" in configs["configs/mynet/mynet-tiny_8xb64_in1k.py"]
    assert index.model_of_checkpoint("https://x/mynet-tiny_8xb64_in1k_20240101-0123abcd.pth"
                                     ).name == "mynet-tiny_8xb64_in1k"


def test_find_name_whole_words(index: WorkspaceIndex):
    assert find_in_text("a resnet50_8xb32_in1k b", "resnet50_8xb32_in1k") == [(2, 21)]
    assert find_in_text("resnet50_8xb32_in1k_20210831-ea4938fc.pth", "resnet50_8xb32_in1k") \
        == [(0, 19)]
    assert find_in_text("resnet50_8xb32_in1k.py", "resnet50_8xb32_in1k") == [(0, 19)]
    assert find_in_text("xresnet50_8xb32_in1k", "resnet50_8xb32_in1k") == []
    assert find_in_text("resnet50_8xb32_in1k-384px", "resnet50_8xb32_in1k") == []
    found = {os.path.basename(p) for p, *_ in find_name(index, "mynet-tiny_8xb64_in1k")}
    assert {"demo.py", "metafile.yml", "mynet-tiny_8xb64_in1k.py"} >= found >= {"demo.py",
                                                                                "metafile.yml"}


def test_positions_in_each_encoding():
    text = "a😀b\nxé😀y\n"
    assert units("😀", "utf-16") == 2 and units("😀", "utf-8") == 4 and units("😀", "utf-32") == 1
    assert Positions(text, "utf-16").range(7, 8) == (1, 4, 1, 5)
    assert Positions(text, "utf-8").range(7, 8) == (1, 7, 1, 8)
    assert Positions(text, "utf-32").range(7, 8) == (1, 3, 1, 4)
    assert Positions(text, "utf-16").first_line() == (0, 0, 0, 4)


def test_open_documents_get_occurrences_and_findings(index: WorkspaceIndex, ws: Path):
    path = str(ws / "configs/mynet/metafile.yml")
    text = Path(path).read_text()
    result = analyse_document(text, path, None, index)
    names = [o.decoded.input for o in result.occurrences if o.source == "metafile_name"]
    assert names[0] == "mynet-tiny_8xb64_in1k"
    for occ in result.occurrences:
        assert text[occ.start:occ.end] == occ.decoded.input
    assert {"MMN203", "MMN207", "MMN209"} <= {f.code for f in result.findings}
    readme = str(ws / "configs/resnet/README.md")
    result = analyse_document(Path(readme).read_text(), readme, None, index)
    assert [f.code for f in result.findings] == ["MMN210"]
    assert "model_api" in {o.source for o in result.occurrences}


@pytest.mark.corpus
def test_the_corpus_tree_is_indexed_quickly_and_completely():
    if not (CORPUS / "model-index.yml").is_file():
        pytest.skip("../shared/corpus/mmpretrain/tree is absent")
    ix = WorkspaceIndex()
    started = time.perf_counter()
    ix.index_root(str(CORPUS))
    elapsed = time.perf_counter() - started
    assert len(ix.model_names()) == 548
    assert elapsed < 30  # generous: CI machines are shared; the benchmark has the real figure
    worst = {h.severity for p in ix.files for h in ix.report(p)}
    assert worst <= {"hint"}  # upstream is at most hinted at
    runtime = str(CORPUS / "configs" / "_base_" / "default_runtime.py")
    assert len(ix.inheritors(runtime)) > 400
