"""Fixtures of the unit tests."""

from __future__ import annotations

import shutil

import pytest

from tests.unit.check_support import FIXTURE


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A copy of the fixture tree, its `gitignore` as `.gitignore`; the cwd.

    (A real `.gitignore` in the repository would hide the fixture files from git.)
    """
    root = tmp_path / "tree"
    shutil.copytree(FIXTURE, root)
    (root / "gitignore").rename(root / ".gitignore")
    monkeypatch.chdir(root)
    return root
