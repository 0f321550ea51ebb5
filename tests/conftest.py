"""Where the shared MMPretrain corpus is, and a marker that skips tests without it."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "mmpretrain"
HAVE_CORPUS = (CORPUS / "model_names.txt").is_file()

requires_corpus = pytest.mark.skipif(not HAVE_CORPUS, reason=f"shared corpus not found at {CORPUS}")


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The corpus folder; skips the test when it is absent."""
    if not HAVE_CORPUS:
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return CORPUS


# `mmname check` keeps a cache next to the project it checks (or in the
# current folder); tests run it on the repository and on the read-only corpus,
# so every run, subprocesses included, gets a throw-away cache folder instead.
_CACHE_DIR = tempfile.mkdtemp(prefix="mmname-test-cache-")
os.environ["MMNAME_CACHE_DIR"] = _CACHE_DIR
atexit.register(shutil.rmtree, _CACHE_DIR, True)

# The tests' workspaces are MMPretrain's unless they say otherwise (most were
# written before there were other profiles; a file nothing places is otherwise
# judged by the shared rules only).  Tests of that unset it.
os.environ["MMNAME_PROFILE"] = "mmpretrain"
