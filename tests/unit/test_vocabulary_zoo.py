"""The vocabulary (meanings, typo suggestions) and the model zoo (links between
names, checkpoints and configs), from the bundled data files only."""

from __future__ import annotations

import importlib
import json
from importlib import resources
from pathlib import Path

import pytest

from mmname_lsp.naming import patterns
from mmname_lsp.naming.decoder import Decoder
from mmname_lsp.naming.vocabulary import (
    Entry,
    Vocabulary,
    default_vocabulary,
    edit_distance,
    known_kinds,
)
from mmname_lsp.naming.zoo import Zoo, default_zoo, installed_model_index, read_model_index

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "scripts" / "vocabulary_seed.tsv"


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return default_vocabulary()


@pytest.fixture(scope="module")
def zoo() -> Zoo:
    return default_zoo()


def _seed_tokens() -> dict:
    tokens = {}
    for line in SEED.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            cols = line.split("\t")
            tokens[cols[0]] = cols
    return tokens


# -- vocabulary ---------------------------------------------------------------------------


def test_default_vocabulary_is_loaded_once(vocab):
    assert default_vocabulary() is vocab
    assert len(vocab.entries) > 200


def test_bundled_vocabulary_matches_the_seed(vocab):
    """Catches a seed edit without `python3 scripts/build_data.py` (no corpus needed)."""
    seed = _seed_tokens()
    assert set(vocab.entries) == set(seed)
    for token, cols in seed.items():
        e = vocab.get(token)
        assert (e.kind, e.meaning) == (cols[1], cols[2]), token
        assert e.preferred == (cols[4] if len(cols) > 4 and cols[4] else None), token


def test_entries_are_well_formed(vocab):
    kinds = set(known_kinds(vocab))
    assert {"algorithm", "backbone", "dataset", "marker", "scheduler", "training-type"} <= kinds
    for token, e in vocab.entries.items():
        assert isinstance(e, Entry) and e.token == token
        assert token and token == token.strip() and "_" not in token, token
        assert e.meaning.strip(), token
        assert e.count >= 0


def test_preferred_spellings_are_known(vocab):
    for e in vocab.entries.values():
        if e.preferred:
            assert e.preferred in vocab or patterns.classify(e.preferred), e.token
            assert e.preferred != e.token


def test_core_words(vocab):
    assert vocab.get("pre").kind == "marker"
    assert vocab.get("headless").kind == "marker"
    assert vocab.get("3rdparty").kind == "training-type"
    assert vocab.get("in1k").kind == "dataset"
    assert vocab.get("imagenet").preferred == "in1k"
    assert vocab.get("in22k").preferred == "in21k"
    assert vocab.get("coslr").kind == "scheduler"
    assert "resnet50" not in vocab  # a shape: backbone + depth
    assert vocab.get("in1k").count > 1000  # counted over the corpus


def test_compounds(vocab):
    assert "cn-clip" in vocab.compounds
    assert all("-" in c for c in vocab.compounds)
    assert vocab.max_compound == max(c.count("-") + 1 for c in vocab.compounds)


def test_gpus_x_batch_counts(vocab):
    assert vocab.gpus_x_batch["8xb32"] > 0
    assert all(patterns.GPUS_X_BATCH.fullmatch(k) for k in vocab.gpus_x_batch)


def test_of_kind_is_sorted_by_use(vocab):
    datasets = vocab.of_kind("dataset")
    assert datasets[0].token == "in1k"
    counts = [e.count for e in datasets]
    assert counts == sorted(counts, reverse=True)
    assert {e.kind for e in vocab.of_kind("dataset", "task")} == {"dataset", "task"}


def test_with_extra_copies(vocab):
    extra = vocab.with_extra({"my-net": ("backbone", "Mine."), "coslr": ("loss", "Overridden.")})
    assert extra.get("my-net").meaning == "Mine."
    assert "my-net" in extra.compounds
    assert extra.get("coslr").kind == "loss"
    assert "my-net" not in vocab and vocab.get("coslr").kind == "scheduler"
    assert extra.gpus_x_batch == vocab.gpus_x_batch


@pytest.mark.parametrize(
    "word, guess",
    [
        ("colsr", "coslr"),  # swapped neighbours
        ("coslrr", "coslr"),  # one letter too many
        ("mixpu", "mixup"),
        ("autoagu", "autoaug"),  # longer words allow two edits
        ("imagenett", "imagenet"),
        ("in1kk", "in1k"),
        ("resnet", "resnet"),  # a known word is its own closest match
        ("abc", None),  # too short to guess
        ("zzzzzz", None),
        ("", None),
    ],
)
def test_suggest(vocab, word, guess):
    assert vocab.suggest(word) == guess


def test_suggest_prefers_the_more_used_token():
    v = Vocabulary(
        {
            "abcd": Entry("abcd", "variant", "rare", count=1),
            "abce": Entry("abce", "variant", "common", count=50),
        },
        {},
    )
    assert v.suggest("abcf") == "abce"


@pytest.mark.parametrize(
    "a, b, limit, dist",
    [
        ("coslr", "coslr", 1, 0),
        ("colsr", "coslr", 1, 1),
        ("coslr", "cosl", 1, 1),
        ("kitten", "sitting", 3, 3),
        ("kitten", "sitting", 1, 2),  # past the limit: limit + 1
        ("a", "abcdef", 2, 3),
        ("", "", 0, 0),
    ],
)
def test_edit_distance(a, b, limit, dist):
    assert edit_distance(a, b, limit) == dist


def test_every_vocabulary_word_decodes_in_a_name(vocab):
    dec = Decoder()
    for token in vocab.entries:
        name = f"resnet50_{token}_8xb32_in1k"
        d = dec.decode(name)
        assert any(t.text == token for p in d.parts for t in p.tokens), token


# -- zoo -------------------------------------------------------------------------------------


def test_the_bundled_zoo_has_548_models(zoo):
    raw = json.loads(resources.files("mmname_lsp.data").joinpath("zoo.json").read_text("utf-8"))
    assert len(raw["models"]) == 548
    assert len(zoo) >= 548
    assert set(raw["models"]) <= set(zoo.names())


def test_model_metadata(zoo):
    m = zoo.model("resnet50_8xb32_in1k")
    assert m["name"] == "resnet50_8xb32_in1k"
    assert m["config"] == "configs/resnet/resnet50_8xb32_in1k.py"
    assert m["checkpoint"] == "resnet50_8xb32_in1k_20210831-ea4938fc.pth"
    assert m["weights"].endswith("/" + m["checkpoint"])
    assert m["collection"] == "ResNet"
    assert m["top1"] == pytest.approx(76.55)
    assert zoo.model("resnet50_8xb32_in1kk") is None
    assert zoo.model("") is None


def test_zoo_is_consistent(zoo):
    for name in zoo.names():
        m = zoo.models[name]
        if m["checkpoint"]:
            assert zoo.checkpoints[m["checkpoint"]], name
            assert m["weights"].rsplit("/", 1)[-1] == m["checkpoint"]
        if m["config"]:
            assert name in zoo.configs[m["config"]], name
    for ckpt, name in zoo.checkpoints.items():
        assert zoo.models[name]["checkpoint"] == ckpt


@pytest.mark.parametrize(
    "text",
    [
        "resnet50_8xb32_in1k_20210831-ea4938fc.pth",
        "https://download.openmmlab.com/mmclassification/v0/resnet/"
        "resnet50_8xb32_in1k_20210831-ea4938fc.pth",
        "https://download.openmmlab.com/x/resnet50_8xb32_in1k_20210831-ea4938fc.pth?dl=1#a",
        "/data/ckpt/resnet50_8xb32_in1k_20210831-ea4938fc.pth",
        "C:\\ckpt\\resnet50_8xb32_in1k_20210831-ea4938fc.pth",
    ],
)
def test_model_of_checkpoint(zoo, text):
    assert zoo.model_of_checkpoint(text) == "resnet50_8xb32_in1k"


@pytest.mark.parametrize(
    "text", ["", "resnet50_8xb32_in1k", "resnet50_8xb32_in1k_20210831-00000000.pth", "x.pth/"]
)
def test_model_of_checkpoint_unknown(zoo, text):
    assert zoo.model_of_checkpoint(text) is None


def test_checkpoint_named_unlike_its_model(zoo):
    assert (
        zoo.model_of_checkpoint("beit-base_3rdparty_in1k_20221114-c0a4df23.pth")
        == "beit-base-p16_beit-in21k-pre_3rdparty_in1k"
    )


@pytest.mark.parametrize(
    "path",
    [
        "configs/resnet/resnet50_8xb32_in1k.py",
        "/home/me/mmpretrain/configs/resnet/resnet50_8xb32_in1k.py",
        "C:\\mmpretrain\\configs\\resnet\\resnet50_8xb32_in1k.py",
        "resnet50_8xb32_in1k.py",
        "elsewhere/resnet50_8xb32_in1k.py",
    ],
)
def test_models_of_config(zoo, path):
    assert "resnet50_8xb32_in1k" in zoo.models_of_config(path)


def test_models_of_config_unknown(zoo):
    assert zoo.models_of_config("configs/resnet/resnet50_8xb32_in1kk.py") == []
    assert zoo.models_of_config("") == []


def test_one_config_many_models(zoo):
    many = {cfg: names for cfg, names in zoo.configs.items() if len(names) > 1}
    assert many  # converted 3rdparty models reuse a trained config
    cfg, names = next(iter(many.items()))
    assert set(zoo.models_of_config(cfg)) == set(names)


def test_merged_zoo():
    a = Zoo({"m1": {"checkpoint": "c1.pth", "config": "configs/a.py"}}, {"c1.pth": "m1"}, {})
    a.configs["configs/a.py"] = ["m1"]
    b = Zoo(
        {"m1": {"checkpoint": None, "config": "configs/a.py", "top1": 1.0}, "m2": {}},
        {"c2.pth": "m2"},
        {"configs/a.py": ["m2"]},
    )
    c = a.merged(b)
    assert len(c) == 2
    assert c.model("m1")["top1"] == 1.0  # the other zoo wins
    assert c.model_of_checkpoint("x/c1.pth") == "m1"
    assert c.model_of_checkpoint("c2.pth") == "m2"
    assert c.models_of_config("configs/a.py") == ["m1", "m2"]


def _write_model_index(root: Path) -> Path:
    (root / "configs" / "resnet").mkdir(parents=True)
    (root / "model-index.yml").write_text("Import:\n  - configs/resnet/metafile.yml\n")
    (root / "configs" / "resnet" / "metafile.yml").write_text(
        "Collections:\n"
        "  - Name: ResNet\n"
        "    Paper:\n"
        "      Title: Deep Residual Learning\n"
        "      URL: https://arxiv.org/abs/1512.03385\n"
        "Models:\n"
        "  - Name: resnet50_new_in1k\n"
        "    In Collection: ResNet\n"
        "    Config: configs/resnet/resnet50_new_in1k.py\n"
        "    Metadata:\n"
        "      Epochs: 100\n"
        "    Results:\n"
        "      - Task: Image Classification\n"
        "        Dataset: ImageNet-1k\n"
        "        Metrics:\n"
        "          Top 1 Accuracy: 77.0\n"
        "    Weights: https://x.org/resnet50_new_in1k_20240101-0123abcd.pth\n"
        "  - not a model\n"
        "  - Name: 42\n"
    )
    return root / "model-index.yml"


def test_read_model_index(tmp_path):
    pytest.importorskip("yaml")
    z = read_model_index(_write_model_index(tmp_path))
    assert list(z.names()) == ["resnet50_new_in1k"]
    m = z.model("resnet50_new_in1k")
    assert (m["top1"], m["epochs"], m["paper"]) == (77.0, 100, "Deep Residual Learning")
    assert z.model_of_checkpoint("resnet50_new_in1k_20240101-0123abcd.pth") == "resnet50_new_in1k"
    assert z.models_of_config("configs/resnet/resnet50_new_in1k.py") == ["resnet50_new_in1k"]


def test_read_model_index_tolerates_broken_files(tmp_path):
    pytest.importorskip("yaml")
    (tmp_path / "model-index.yml").write_text("Import: [missing.yml, bad.yml]\n")
    (tmp_path / "bad.yml").write_text("Models: [: :\n")
    assert len(read_model_index(tmp_path / "model-index.yml")) == 0
    (tmp_path / "model-index.yml").write_text("{{{{")
    assert len(read_model_index(tmp_path / "model-index.yml")) == 0


def test_installed_mmpretrain_is_found_without_importing_it(tmp_path, monkeypatch):
    pkg = tmp_path / "mmpretrain"
    (pkg / ".mim").mkdir(parents=True)
    (pkg / "__init__.py").write_text("raise RuntimeError('must not be imported')\n")
    (pkg / ".mim" / "model-index.yml").write_text("Import: []\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    assert installed_model_index() == pkg / ".mim" / "model-index.yml"
