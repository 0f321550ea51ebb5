"""`mmname check` in worker processes: the same findings as in one process."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from mmname_lsp.cli import parallel as check_parallel
from mmname_lsp.cli.check import CheckOptions, run_check
from mmname_lsp.cli.parallel import analyse_files, worker_count
from mmname_lsp.settings import Settings
from tests.conftest import CORPUS, requires_corpus
from tests.unit.check_support import run


@pytest.fixture
def forkable():
    """Workers are forked only while this process runs no other thread."""
    others = [t.name for t in threading.enumerate() if t is not threading.current_thread()]
    if others:
        pytest.skip(f"other threads run in the test process ({', '.join(others)})")


def findings(result):
    return [(r.path, f.code, f.severity, f.message, f.start, f.end, f.replacement, f.related)
            for r, f in result.findings]


def make_tree(root: Path, n: int = 40) -> Path:
    base = root / "configs" / "_base_" / "data.py"
    base.parent.mkdir(parents=True)
    base.write_text("train_dataloader = dict(batch_size=32)\n")
    for i in range(n):
        d = root / "configs" / f"m{i}"
        d.mkdir(parents=True)
        per_gpu = 32 if i % 3 else 64
        scoped = ", 'mmdet::x/y.py'" if i % 5 == 0 else ""
        (d / f"resnet50_8xb{per_gpu}_in1k.py").write_text(
            f"_base_ = ['../_base_/data.py'{scoped}]\n"
            f"load_from = 'resnet50_8x{per_gpu}_in1k_20210831-ea4938fc.pth'\n")
    return root


def test_workers_find_what_one_process_finds(tmp_path, monkeypatch, forkable):
    root = make_tree(tmp_path / "t")
    monkeypatch.setattr(check_parallel, "MIN_FILES", 1)
    monkeypatch.setattr(check_parallel, "CHUNK", 7)
    opts = dict(paths=[str(root)], min_severity="hint", use_git=False)
    one = run_check(CheckOptions(jobs=1, **opts))
    many = run_check(CheckOptions(jobs=3, **opts))
    assert one.workers == 1 and many.workers == 3
    assert findings(many) == findings(one)
    assert [r.skipped for r in many.reports] == [r.skipped for r in one.reports]
    assert {f.code for _r, f in one.findings} >= {"MMN301", "MMN101"}
    assert any(r.skipped for r in one.reports)


def test_workers_fill_the_cache_like_one_process(tmp_path, monkeypatch, forkable):
    root = make_tree(tmp_path / "t")
    monkeypatch.setattr(check_parallel, "MIN_FILES", 1)
    opts = dict(paths=[str(root)], use_git=False)
    filled = run_check(CheckOptions(jobs=2, cache_dir=str(tmp_path / "c"), **opts))
    served = run_check(CheckOptions(jobs=2, cache_dir=str(tmp_path / "c"), **opts))
    assert served.cached == served.files_checked == filled.files_checked
    assert findings(served) == findings(filled)


_PARENT = os.getpid()
_REAL_CHUNK = check_parallel._analyse_chunk


def _dies_on_m7(items, settings):
    # Module level: the pool pickles the function by its name.
    if os.getpid() != _PARENT and any("/m7/" in path for _text, path in items):
        os._exit(3)  # killed in the middle of its work
    return _REAL_CHUNK(items, settings)


def test_a_dying_worker_costs_time_not_findings(tmp_path, monkeypatch, forkable):
    root = make_tree(tmp_path / "t")
    monkeypatch.setattr(check_parallel, "MIN_FILES", 1)
    monkeypatch.setattr(check_parallel, "CHUNK", 5)
    opts = dict(paths=[str(root)], min_severity="hint", use_git=False)
    expected = findings(run_check(CheckOptions(jobs=1, **opts)))
    monkeypatch.setattr(check_parallel, "_analyse_chunk", _dies_on_m7)
    assert findings(run_check(CheckOptions(jobs=2, **opts))) == expected


def test_when_workers_are_used(forkable):
    assert worker_count(0, check_parallel.MIN_FILES - 1) == 1
    assert worker_count(1, 10_000) == 1
    assert worker_count(4, 10_000) == 4
    assert worker_count(64, 10_000) == check_parallel.MAX_WORKERS
    # Never more workers than runs of files to hand out.
    assert worker_count(8, check_parallel.MIN_FILES) == -(-check_parallel.MIN_FILES //
                                                          check_parallel.CHUNK)
    assert 1 <= worker_count(0, 10_000) <= check_parallel.cpu_count()


def test_no_fork_while_other_threads_run():
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert worker_count(4, 10_000) == 1
        done, workers = analyse_files([("x = 1\n", "/nowhere/a.py")] * 100, Settings(), 4)
        assert workers == 1 and len(done) == 100
    finally:
        stop.set()
        other.join()


def test_jobs_option(tree, capsys):
    assert run(capsys, ".", "-j", "1")[0] == 1
    rc, _out, err = run(capsys, ".", "-j", "-1")
    assert rc == 2 and "whole number" in err
    rc, _out, err = run(capsys, ".", "--jobs", "two")
    assert rc == 2 and "whole number" in err


@requires_corpus
def test_real_tree_in_workers_matches_one_process(forkable):
    opts = dict(paths=[str(CORPUS / "tree")], min_severity="hint", use_git=False)
    one = run_check(CheckOptions(jobs=1, **opts))
    two = run_check(CheckOptions(jobs=2, **opts))
    if two.workers == 1:
        pytest.skip("no worker processes here (one CPU, no fork, or threads running)")
    assert findings(two) == findings(one)
