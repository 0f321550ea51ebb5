"""The decoder and the zoo over every real name of the shared MMPretrain corpus.

Skipped (with the reason) when ``../shared/corpus`` is absent.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from importlib import resources
from pathlib import Path
from typing import Dict, List, Set

import pytest

from mmname_lsp.codes import RULES
from mmname_lsp.naming.decoder import Decoder
from mmname_lsp.naming.model import ALL_ROLES, HINT, INFORMATION, KINDS, SEVERITIES, Decoded
from mmname_lsp.naming.zoo import Zoo, default_zoo
from tests.conftest import CORPUS, requires_corpus

pytestmark = [pytest.mark.corpus, requires_corpus]

ROOT = Path(__file__).resolve().parents[2]


def _lines(name: str) -> List[str]:
    return (CORPUS / name).read_text(encoding="utf-8").split()


@pytest.fixture(scope="module")
def records() -> List[dict]:
    with (CORPUS / "metafile_records.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="module")
def inputs(records) -> Dict[str, List[str]]:
    """Every corpus input by the kind it must be detected as."""
    base = set(_lines("base_configs.txt"))
    return {
        "model": _lines("model_names.txt"),
        "config": _lines("config_files.txt"),
        "checkpoint": _lines("checkpoints.txt") + [r["weights"] for r in records if r["weights"]],
        "base-config": sorted(base) + _lines("new_style_configs.txt"),
    }


@pytest.fixture(scope="module")
def decoder() -> Decoder:
    return Decoder()


@pytest.fixture(scope="module")
def decoded(inputs, decoder) -> Dict[str, List[Decoded]]:
    return {kind: [decoder.decode(t) for t in texts] for kind, texts in inputs.items()}


def _check_spans(d: Decoded) -> None:
    text = d.input
    n = len(text)
    assert 0 <= d.name_start <= d.name_end <= n, d
    for part in d.parts:
        assert part.role in ALL_ROLES, (text, part.role)
        assert 0 <= part.start <= part.end <= n, (text, part)
        assert text[part.start : part.end] == part.text, (text, part)
        for tok in part.tokens:
            assert part.start <= tok.start <= tok.end <= part.end, (text, tok)
            assert text[tok.start : tok.end] == tok.text, (text, tok)
            assert tok.kind and tok.meaning, (text, tok)
    for pr in d.problems:
        assert pr.code in RULES, (text, pr.code)
        assert pr.severity in SEVERITIES, (text, pr)
        assert 0 <= pr.start <= pr.end <= n, (text, pr)
        assert pr.message, (text, pr)


def test_corpus_sizes(inputs, records):
    assert len(inputs["model"]) == 548
    assert len(records) == 548
    assert len(inputs["config"]) == 538
    assert len(_lines("checkpoints.txt")) == 522


@pytest.mark.parametrize("kind", ["model", "config", "checkpoint", "base-config"])
def test_every_corpus_input_decodes_with_valid_spans(kind, inputs, decoded):
    assert len(decoded[kind]) == len(inputs[kind]) > 0
    for d in decoded[kind]:
        _check_spans(d)
        assert d.kind in KINDS


@pytest.mark.parametrize("kind", ["model", "config", "checkpoint"])
def test_kind_is_detected(kind, decoded):
    wrong = [d.input for d in decoded[kind] if d.kind != kind]
    assert not wrong, wrong[:10]


def test_base_configs_are_configs(decoded):
    assert {d.kind for d in decoded["base-config"]} == {"config"}


def test_every_model_name_has_a_module_part(decoded):
    missing = [d.input for d in decoded["model"] if not any(p.role == "module" for p in d.parts)]
    assert not missing, missing


def test_every_checkpoint_file_name_has_a_hash(decoded):
    missing = [d.input for d in decoded["checkpoint"] if not any(p.role == "hash" for p in d.parts)]
    assert not missing, missing


@pytest.mark.parametrize("kind", ["model", "config", "checkpoint"])
def test_upstream_names_get_at_most_hints(kind, decoded):
    """Policy: published names cannot be renamed by users; errors are for malformed text."""
    loud = [
        (d.input, p.code, p.severity)
        for d in decoded[kind]
        for p in d.problems
        if p.severity not in (HINT, INFORMATION)
    ]
    assert not loud, loud[:10]


def test_model_names_and_checkpoints_link_to_the_zoo(decoded):
    assert all(d.zoo is not None and d.confidence == 1.0 for d in decoded["model"])
    unlinked = [d.input for d in decoded["checkpoint"] if d.zoo is None]
    assert not unlinked, unlinked[:10]


def test_the_zoo_has_every_model(records):
    zoo = default_zoo()
    names = {r["name"] for r in records}
    assert len(names) == 548
    assert names <= set(zoo.names())
    bundled = json.loads(
        resources.files("mmname_lsp.data").joinpath("zoo.json").read_text(encoding="utf-8")
    )
    assert len(bundled["models"]) == 548
    assert set(bundled["models"]) == names


def test_every_record_links_checkpoint_and_config_to_its_model(records, decoder):
    zoo = Zoo(*_bundled_parts())
    sharing: Dict[str, Set[str]] = defaultdict(set)
    for r in records:
        if r["checkpoint"]:
            sharing[r["checkpoint"]].add(r["name"])
    for r in records:
        name = r["name"]
        assert zoo.model(name)["name"] == name
        assert decoder.decode(name).zoo["name"] == name
        if r["weights"]:
            # A few checkpoints are shared by two models; either is a right answer.
            owners = sharing[r["checkpoint"]]
            assert zoo.model_of_checkpoint(r["weights"]) in owners, name
            assert zoo.model_of_checkpoint(r["checkpoint"]) in owners, name
            assert decoder.decode(r["weights"]).zoo["name"] in owners, name
        if r["config"]:
            assert name in zoo.models_of_config(r["config"]), name
            assert name in zoo.models_of_config("/abs/mmpretrain/" + r["config"]), name
            assert name in zoo.models_of_config(r["config"].replace("/", "\\")), name
            d = decoder.decode(r["config"])
            assert d.kind == "config"
            assert name in d.zoo["config_models"], name


def test_shared_checkpoints_are_few(records):
    counts: Dict[str, int] = defaultdict(int)
    for r in records:
        if r["checkpoint"]:
            counts[r["checkpoint"]] += 1
    assert sum(1 for n in counts.values() if n > 1) <= 10


def test_name_literals_of_the_corpus_decode(decoder):
    """Every literal found in upstream Python files and READMEs decodes cleanly."""
    count = 0
    for name in ("python_name_literals.txt", "markdown_name_literals.txt"):
        for line in (CORPUS / name).read_text(encoding="utf-8").splitlines():
            cols = line.split("\t")
            if len(cols) < 3:
                continue
            _check_spans(decoder.decode(cols[2]))
            count += 1
    assert count > 3000


def test_build_data_check_passes():
    """The bundled data files are what scripts/build_data.py makes from the corpus."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_data.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr


def _bundled_parts():
    raw = json.loads(
        resources.files("mmname_lsp.data").joinpath("zoo.json").read_text(encoding="utf-8")
    )
    return raw["models"], raw["checkpoints"], raw["configs"]
