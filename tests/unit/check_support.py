"""Shared by the `mmname check` tests: the fixture tree and an in-process run."""

from __future__ import annotations

from pathlib import Path

from mmname_lsp.cli import main

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "check_tree"


def run(capsys, *argv):
    """`mmname check ARGV` in process: (exit code, stdout, stderr); never a traceback."""
    rc = main(["check", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return rc, out, err
