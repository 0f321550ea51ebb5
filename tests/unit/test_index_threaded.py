"""The server indexes in a worker thread (records built there, taken in on the
event loop, the workspace's words learned there too): the index it ends with
must be the one the plain, sequential path builds, file for file, finding for
finding, on the fixture workspace and on the whole real corpus."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import List

import pytest

from mmname_lsp.server.features.workspace import index_paths, learn_words
from mmname_lsp.workspace.index import WorkspaceIndex

ROOT = Path(__file__).resolve().parents[2]
WS2 = ROOT / "tests" / "fixtures" / "ws2"
CORPUS = ROOT.parent / "shared" / "corpus"
TREES = [CORPUS / "mmpretrain" / "tree"] + sorted(
    p for p in (CORPUS / "family").glob("*") if p.is_dir()
)


def snapshot(index: WorkspaceIndex):
    """Everything a record holds that others see, and every file's report."""
    files = {}
    for path, r in sorted(index.files.items()):
        files[path] = (
            r.kind, r.is_config, r.stamp, r.refs, r.hits, r.names, r.classes,
            r.suppressed, r.line_suppressed,
            tuple((e.name, e.start, e.end, e.range, sorted(e.meta.items(), key=str))
                  for e in r.models),
        )
    reports = {path: index.report(path) for path in sorted(index.files)}
    learned = {w: index.learned.count(w) for w in index.learned.known()}
    return files, reports, learned, index.model_names()


def sequential(roots: List[Path]) -> WorkspaceIndex:
    index = WorkspaceIndex("utf-16")
    for root in roots:
        index.index_root(str(root))
    index.learn_and_recheck()
    return index


def threaded(roots: List[Path]) -> WorkspaceIndex:
    """As the server does it: batches built in the default executor's thread."""
    index = WorkspaceIndex("utf-16")

    async def run() -> None:
        for root in roots:
            order = index.files_to_index(str(root))
            progress: List[int] = []
            await index_paths(index, order, progress.append)
            assert progress[-1] == len(order)  # every file of the root reported done
        await learn_words(index)

    asyncio.run(run())
    return index


def test_threaded_indexing_equals_sequential_on_the_fixture(tmp_path: Path):
    ws = tmp_path / "ws2"
    shutil.copytree(WS2, ws)
    (ws / "gitignore").rename(ws / ".gitignore")
    one, two = sequential([ws]), threaded([ws])
    assert one.files, "the fixture workspace indexed nothing"
    assert any(r.hits for r in one.files.values()), "the fixture should have findings"
    assert snapshot(two) == snapshot(one)


def test_learning_in_the_thread_reindexes_what_the_words_concern(tmp_path: Path):
    ws = tmp_path / "ws2"
    shutil.copytree(WS2, ws)
    (ws / "gitignore").rename(ws / ".gitignore")
    index = WorkspaceIndex("utf-16")

    async def first_pass() -> None:
        await index_paths(index, index.files_to_index(str(ws)), lambda done: None)

    asyncio.run(first_pass())
    before_learning = snapshot(index)
    assert asyncio.run(learn_words(index)) is True  # words learned: files indexed again
    assert asyncio.run(learn_words(index)) is False  # nothing new the second time
    assert snapshot(index) == snapshot(sequential([ws]))
    assert snapshot(index)[2] != before_learning[2]


@pytest.mark.corpus
def test_threaded_indexing_equals_sequential_on_the_real_corpus():
    roots = [t for t in TREES if t.is_dir()]
    if not roots:
        pytest.skip("../shared/corpus (MMPretrain tree, family) is absent")
    one, two = sequential(roots), threaded(roots)
    assert len(one.files) > 1000
    assert snapshot(two) == snapshot(one)
