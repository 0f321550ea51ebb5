"""Analysing many files for `mmname check`, in worker processes when that pays.

A cold check of a large tree is CPU-bound pure Python (parsing configs,
evaluating their ``_base_`` chains, decoding names), so worker processes put
the other cores to use.  Workers are forked: they start with this process's
modules and with the vocabulary and zoo already loaded (loaded here first).
Each keeps its own cache of parsed bases, and files are handed out in runs of
neighbours, as a folder's configs share their bases.

Everything runs in this process instead when the files are few, when fork is
not available, or when other threads run here (forking a threaded process can
deadlock); the results are the same either way.  A worker that dies (killed,
out of memory) costs time, not results: what it did not return is analysed
here.  A worker whose parent dies (``kill -9``) ends too.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
import threading
import time
from typing import List, Optional, Sequence, Tuple

from mmname_lsp.analysis import Analysis, analyse, settings_decoder
from mmname_lsp.settings import Settings

MIN_FILES = 64  # fewer: starting workers costs more than it saves
CHUNK = 32  # files a worker takes at a time
MAX_WORKERS = 16


def cpu_count() -> int:
    """CPUs this process may run on (a container's limit, not the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def worker_count(jobs: int, files: int) -> int:
    """How many processes analyse ``files`` files for ``jobs`` (0: one per CPU)."""
    if files < MIN_FILES:
        return 1
    wanted = cpu_count() if jobs <= 0 else jobs
    wanted = min(wanted, MAX_WORKERS, -(-files // CHUNK))
    if wanted <= 1:
        return 1
    if not hasattr(os, "fork"):
        return 1
    if threading.active_count() > 1:
        return 1
    return wanted


def analyse_files(
    items: Sequence[Tuple[str, str]], settings: Settings, jobs: int = 1
) -> Tuple[List[Analysis], int]:
    """The analyses of ``(text, absolute path)`` items, in order, and the
    number of processes that made them."""
    workers = worker_count(jobs, len(items))
    if workers == 1:
        return [analyse(text, path, settings) for text, path in items], 1
    # Imported here: a run served from the cache should not pay for them.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    _warm_up(settings)
    # What exists now is shared with the workers copy-on-write; the collector
    # touching it in a worker would copy it page by page.
    gc.freeze()
    done: List[Optional[Analysis]] = [None] * len(items)
    chunks = [range(i, min(i + CHUNK, len(items))) for i in range(0, len(items), CHUNK)]
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_watch_parent, initargs=(os.getpid(),)) as pool:
            futures = [(chunk, pool.submit(_analyse_chunk, [items[i] for i in chunk], settings))
                       for chunk in chunks]
            for chunk, future in futures:
                for i, (findings, deps, skipped, choice) in zip(chunk, future.result()):
                    done[i] = Analysis(items[i][0], items[i][1], findings=findings, deps=deps,
                                       skipped=skipped, choice=choice)
    except (BrokenProcessPool, OSError, pickle.PicklingError):
        pass  # what the workers did not return is analysed below
    finally:
        gc.unfreeze()
    return [a if a is not None else analyse(text, path, settings)
            for a, (text, path) in zip(done, items)], workers


PARENT_POLL_SECONDS = 0.25
_PR_SET_PDEATHSIG = 1


def _watch_parent(parent: int) -> None:
    """In a worker: end when the parent process ends.

    A worker waits for work on a pipe whose writing end its siblings hold
    too, so a parent killed with SIGKILL (no executor shutdown) would leave
    the workers waiting forever.  Linux can signal a process when its
    parent dies; everywhere, a thread sees the parent change (the orphan is
    adopted by another process).
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the thread below does it, a little later
    if os.getppid() != parent:
        os._exit(1)  # gone before the signal was asked for
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True,
                     name="mmname-parent-watch").start()


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    # No cleanup to do: the results have nowhere to go.
    os._exit(1)


def _warm_up(settings: Settings) -> None:
    # Loaded once here rather than once per worker after the fork.
    import mmname_lsp.configs  # noqa: F401
    import mmname_lsp.rules.consistency  # noqa: F401
    import mmname_lsp.sources.python  # noqa: F401

    settings_decoder(settings).decode("resnet50_8xb32_in1k")


def _analyse_chunk(items: List[Tuple[str, str]], settings: Settings) -> List[tuple]:
    """In a worker: what the parent needs of each analysis (not the occurrences)."""
    out = []
    for text, path in items:
        a = analyse(text, path, settings)
        out.append((a.findings, a.deps, a.skipped, a.choice))
    return out
