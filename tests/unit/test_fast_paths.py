"""Fast paths give what the plain paths give: the string-based file-name tests
against pathlib's reading of the same paths, and the memoised word counting
against counting each name's words afresh, on every path and name of the real
corpus (and on awkward paths)."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path, PurePath
from typing import List, Optional

import pytest

from mmname_lsp.analysis.pipeline import config_stem_candidate, in_configs_folder
from mmname_lsp.naming.learned import WordCounter, words_of_class, words_of_name
from mmname_lsp.sources.python import registered_names

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"

AWKWARD = [
    "a/b.py", ".py", "..py", "a/_base_/x.py", "a/_x.py", "configs/x.py", "/configs",
    "configs/", "x.pyi", "a\\configs\\b.py", "a//configs/./b.py", "C:\\x\\configs\\r.py",
    "a.b.py", "/", "", "x.py/", "./x.py", "configs/./", "/configs/a.py", "configs/__init__.py",
    "a/_base_", "_base_/x.py", "x.PY", "configs/a b/c.py",
]


def pathlib_stem_candidate(path: str) -> Optional[str]:
    p = PurePath(path.replace("\\", "/"))
    if p.suffix != ".py" or p.name.startswith("_") or "_base_" in p.parts:
        return None
    return p.name


def pathlib_in_configs(path: str) -> bool:
    return "configs" in PurePath(path.replace("\\", "/")).parts[:-1]


def corpus_files() -> List[str]:
    out = []
    for top in (CORPUS / "mmpretrain" / "tree", CORPUS / "family"):
        for folder, _dirs, files in os.walk(top):
            out.extend(os.path.join(folder, f) for f in files)
    return out


def test_file_name_tests_agree_with_pathlib_on_awkward_paths():
    for path in AWKWARD:
        assert config_stem_candidate(path) == pathlib_stem_candidate(path), path
        assert in_configs_folder(path) == pathlib_in_configs(path), path


@pytest.mark.corpus
def test_file_name_tests_agree_with_pathlib_on_the_corpus():
    files = corpus_files()
    if not files:
        pytest.skip("../shared/corpus is absent")
    judged = 0
    for path in files:
        for variant in (path, os.path.relpath(path, CORPUS)):
            assert config_stem_candidate(variant) == pathlib_stem_candidate(variant), variant
            assert in_configs_folder(variant) == pathlib_in_configs(variant), variant
        judged += config_stem_candidate(path) is not None
    assert judged > 1000


@pytest.mark.corpus
def test_memoised_word_counting_equals_counting_afresh():
    files = [p for p in corpus_files() if p.endswith(".py")]
    if not files:
        pytest.skip("../shared/corpus is absent")
    counter = WordCounter()
    plain: Counter = Counter()
    names = 0
    for path in files:
        with open(path, encoding="utf-8", errors="replace") as fh:
            classes = list(registered_names(fh.read()))
        stem = os.path.basename(path)
        # twice: the second time the memo answers
        for _ in range(2):
            counter.add_name(stem)
            counter.add_classes(classes)
            plain.update(set(words_of_name(stem)))
            for c in classes:
                plain.update(set(words_of_class(c)))
            names += 1 + len(classes)
    learned = counter.freeze()
    assert learned.names == names
    assert dict(learned.counts) == dict(plain)
    assert len(plain) > 500


def test_a_json_result_is_sent_as_the_converter_would_send_the_dict():
    """Completion answers are built as JSON-shaped dicts; the server's converter
    passes them through instead of walking them: the same JSON either way."""
    import json

    from lsprotocol import types
    from pygls.protocol import default_converter

    from mmname_lsp.server.convert import JsonResult, json_converter

    rng = {"start": {"line": 3, "character": 10}, "end": {"line": 3, "character": 19}}
    items = [{"label": f"resnet50_8xb{32 * i}_in1k", "kind": 12, "detail": "model",
              "documentation": {"kind": "markdown", "value": f"**{i}** 名前"},
              "sortText": f"{i:05d}", "textEdit": {"range": rng, "newText": "x"}}
             for i in range(50)]
    plain = types.CompletionResponse(id=7, result={"isIncomplete": True, "items": items})
    fast = types.CompletionResponse(id=7, result=JsonResult(isIncomplete=True, items=items))
    walked = default_converter().unstructure(plain)
    passed = json_converter().unstructure(fast)
    assert passed["result"] is fast.result  # not walked
    assert json.dumps(passed, sort_keys=True) == json.dumps(walked, sort_keys=True)
