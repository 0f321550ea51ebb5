"""`mmname check` end to end, in process, over a copy of tests/fixtures/check_tree."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mmname_lsp import files as files_module
from tests.unit.check_support import FIXTURE, run

LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>MMN\d{3}) (?P<msg>.+)$")

DEMO_FIXED = """\
from mmpretrain import get_model

model = get_model('resnet50_8xb32_in1k')
load_from = 'resnet50_8xb32-coslr-300_in1k_20220825-57307488.pth'
checkpoint = 'resnet50_b32x8_imagenet_20210531-1a2b3c4d.pth'  # mmname: disable=MMN101
pretrained = 'resnet50_8xb32_in1k_20220825-57307488.pth'
"""
# Checkpoint paths keep their text: fixing it would point at another file, so
# only the stale suppression comment is removed by a safe fix.






def findings(out):
    return [m.groupdict() for m in map(LINE.match, out.splitlines()) if m]


def snapshot(root):
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


# -- walking and text output -------------------------------------------------


def test_text_output_lines_summary_and_exit_code(tree, capsys):
    rc, out, err = run(capsys)
    assert rc == 1
    found = findings(out)
    assert found, out
    # Every finding line is path:line:col: CODE message; the rest is the summary.
    other = [ln for ln in out.splitlines() if not LINE.match(ln)]
    assert other[0] == f"Found {len(found)} problems (5 errors, 8 warnings) in 5 files."
    # A file-name finding stands at 1:1.
    assert {"path": "configs/resnet/resnet50_b32x8_imagenet.py", "line": "1", "col": "1",
            "code": "MMN101"}.items() <= next(
        f for f in found if f["path"].endswith("imagenet.py")).items()
    # 1-based positions: `b32x8` in `load_from` on line 3 of this config.
    text = (tree / "configs/resnet/resnet50_8xb32-coslr_in1k.py").read_text()
    line3 = text.splitlines()[2]
    hit = next(f for f in found if f["path"].endswith("coslr_in1k.py") and f["line"] == "3"
               and f["code"] == "MMN101")
    assert int(hit["col"]) == line3.index("b32x8") + 1


def test_gitignore_negation_anchoring_and_hidden_folders(tree, capsys):
    (tree / "node_modules").mkdir()
    shutil.copy(tree / "ignored_dir" / "bad.py", tree / "node_modules" / "bad.py")
    rc, out, _ = run(capsys, ".")
    paths = {f["path"] for f in findings(out)}
    assert "tools/keep_generated.py" in paths  # re-included by `!keep_generated.py`
    assert "tools/anchored.py" in paths  # `/anchored.py` is anchored to the top
    for skipped in ("ignored_dir/bad.py", "tools/sample_generated.py", "anchored.py",
                    ".hidden/bad.py", "node_modules/bad.py"):
        assert skipped not in paths
    # The same file given directly is checked.
    rc, out, _ = run(capsys, "ignored_dir/bad.py", ".hidden/bad.py")
    assert {f["path"] for f in findings(out)} == {"ignored_dir/bad.py", ".hidden/bad.py"}


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_inside_a_git_work_tree_the_same_files_are_checked(tree, capsys):
    _, before, _ = run(capsys, ".")
    subprocess.run(["git", "init", "-q", "."], check=True)
    _, after, _ = run(capsys, ".")
    assert after == before


def test_clean_tree_passes(tmp_path, capsys, monkeypatch):
    (tmp_path / "configs" / "resnet").mkdir(parents=True)
    (tmp_path / "configs" / "resnet" / "resnet50_8xb32_in1k.py").write_text(
        "load_from = 'resnet50_8xb32_in1k_20220825-57307488.pth'\n")
    monkeypatch.chdir(tmp_path)
    rc, out, err = run(capsys)
    assert (rc, out) == (0, "All checks passed.\n")


def test_exit_zero(tree, capsys):
    rc, out, _ = run(capsys, "--exit-zero")
    assert rc == 0 and findings(out)


def test_min_severity_hint_reports_hints(tree, capsys):
    (tree / "configs" / "resnet" / "resnet50_8xb32_in1k-384.py").write_text("")
    _, out, _ = run(capsys, "configs")
    assert "MMN105" not in out
    _, out, _ = run(capsys, "configs", "--min-severity", "hint")
    assert "resnet50_8xb32_in1k-384.py:1:1: MMN105" in out


# -- selection ---------------------------------------------------------------


def test_select_and_ignore(tree, capsys):
    _, out, _ = run(capsys, "--select", "MMN103")
    assert {f["code"] for f in findings(out)} == {"MMN103"}
    _, out, _ = run(capsys, "--ignore", "MMN1")
    assert {f["code"] for f in findings(out)} == {"MMN290"}
    # The more specific entry wins, whatever list it is in.
    _, out, _ = run(capsys, "--ignore", "MMN1", "--select", "MMN10,MMN290")
    assert {f["code"] for f in findings(out)} == {"MMN101", "MMN103", "MMN106", "MMN290"}
    _, out, _ = run(capsys, "--select", "MMN1", "--ignore", "mmn103")
    assert "MMN103" not in {f["code"] for f in findings(out)}


def test_unknown_code_is_a_usage_error(tree, capsys):
    rc, out, err = run(capsys, "--select", "XYZ1")
    assert rc == 2 and out == ""
    assert "--select" in err and "XYZ1" in err


# -- fixes ---------------------------------------------------------------------


def test_fix_result_and_idempotence(tree, capsys):
    rc, out, _ = run(capsys, "--fix")
    assert "Fixed 1 problem." in out
    assert (tree / "tools" / "demo.py").read_text() == DEMO_FIXED
    config = (tree / "configs/resnet/resnet50_8xb32-coslr_in1k.py").read_text()
    # The `_base_` path names an existing file: left alone without --rename-files.
    assert "_base_ = ['./resnet50_b32x8_imagenet.py']" in config
    # A checkpoint path keeps its text: another text would load another file.
    assert "load_from = 'work_dirs/resnet50_b32x8_imagenet_20210531-1a2b3c4d.pth'" in config
    remaining = {(f["path"], f["code"]) for f in findings(out)}
    assert ("configs/resnet/resnet50_b32x8_imagenet.py", "MMN101") in remaining
    assert rc == 1
    before = snapshot(tree)
    rc2, out2, _ = run(capsys, "--fix")
    assert snapshot(tree) == before
    assert "Fixed" not in out2
    assert findings(out2) == findings(out) and rc2 == 1


def test_unsafe_fixes_apply_guesses(tree, capsys):
    (tree / "tools" / "typo.py").write_text("load_from = 'resnet50_8xb32-colsr_in1k.pth'\n")
    run(capsys, "tools/typo.py", "--fix")
    assert "colsr" in (tree / "tools" / "typo.py").read_text()
    run(capsys, "tools/typo.py", "--fix", "--unsafe-fixes")
    assert "coslr" in (tree / "tools" / "typo.py").read_text()


def test_fix_keeps_line_endings_and_byte_order_mark(tmp_path, capsys, monkeypatch):
    path = tmp_path / "demo.py"
    path.write_bytes(b"\xef\xbb\xbfa = 1\r\nname = 'resnet50_b32x8_in1k'\r\n")
    monkeypatch.chdir(tmp_path)
    run(capsys, "--fix")
    assert path.read_bytes() == b"\xef\xbb\xbfa = 1\r\nname = 'resnet50_8xb32_in1k'\r\n"


def test_diff_prints_and_writes_nothing(tree, capsys):
    before = snapshot(tree)
    rc, out, err = run(capsys, "--diff")
    assert rc == 1
    assert snapshot(tree) == before
    assert "--- a/tools/demo.py\n+++ b/tools/demo.py\n" in out
    # Only the stale suppression goes; checkpoint paths keep their text.
    assert ("-pretrained = 'resnet50_8xb32_in1k_20220825-57307488.pth'"
            "  # mmname: disable=MMN103\n") in out
    assert "+pretrained = 'resnet50_8xb32_in1k_20220825-57307488.pth'\n" in out
    assert "load_from" not in out.replace(" load_from", "")
    assert "rename from" not in out
    assert "Would fix 1 problem." in err
    run(capsys, "--fix")
    rc, out, err = run(capsys, "--diff")
    assert (rc, out) == (0, "")


def test_rename_files_renames_and_updates_base_paths(tree, capsys):
    rc, out, err = run(capsys, "--diff", "--rename-files")
    assert rc == 1
    assert ("rename from configs/resnet/resnet50_b32x8_imagenet.py\n"
            "rename to configs/resnet/resnet50_8xb32_in1k.py\n") in out
    assert "+_base_ = ['./resnet50_8xb32_in1k.py']\n" in out
    assert (tree / "configs/resnet/resnet50_b32x8_imagenet.py").exists()

    rc, out, err = run(capsys, "--fix", "--rename-files")
    assert "renamed 1 file, updated 1 `_base_` reference" in out
    assert not (tree / "configs/resnet/resnet50_b32x8_imagenet.py").exists()
    renamed = tree / "configs/resnet/resnet50_8xb32_in1k.py"
    assert renamed.read_text().startswith("_base_ = [\n    '../_base_/models/resnet50.py',")
    config = (tree / "configs/resnet/resnet50_8xb32-coslr_in1k.py").read_text()
    assert config.startswith("_base_ = ['./resnet50_8xb32_in1k.py']\n")
    # What remains sits in checkpoint paths, whose fixes are not safe.
    assert rc == 1
    assert {f["path"] for f in findings(out)} <= {
        "configs/resnet/resnet50_8xb32-coslr_in1k.py", "tools/anchored.py", "tools/demo.py",
        "tools/keep_generated.py"}
    assert not [f for f in findings(out) if "resnet50_8xb32_in1k.py" in f["path"]]
    before = snapshot(tree)
    assert run(capsys, "--fix", "--rename-files")[0] == 1
    assert snapshot(tree) == before


def test_rename_files_stays_inside_the_checked_paths(tree, capsys):
    target = "configs/resnet/resnet50_8xb32-coslr_in1k.py"
    run(capsys, target, "--fix", "--rename-files")
    # The base it names was not checked: neither renamed nor re-spelled.
    assert (tree / "configs/resnet/resnet50_b32x8_imagenet.py").exists()
    assert (tree / target).read_text().startswith("_base_ = ['./resnet50_b32x8_imagenet.py']")


def test_rename_never_replaces_an_existing_file(tree, capsys):
    (tree / "configs/resnet/resnet50_8xb32_in1k.py").write_text("# already here\n")
    rc, out, err = run(capsys, "configs", "--fix", "--rename-files")
    assert "not renamed: `resnet50_8xb32_in1k.py` exists already" in err
    assert (tree / "configs/resnet/resnet50_8xb32_in1k.py").read_text() == "# already here\n"
    assert (tree / "configs/resnet/resnet50_b32x8_imagenet.py").exists()


def test_rename_files_needs_fix(tree, capsys):
    rc, out, err = run(capsys, "--rename-files")
    assert rc == 2 and "--rename-files needs --fix or --diff" in err


# -- suppression comments, names, statistics -----------------------------------


def test_suppression_comments(tree, capsys):
    _, out, _ = run(capsys, "tools/demo.py")
    on_line = {(f["line"], f["code"]) for f in findings(out)}
    # Line 5 hides MMN101 and still reports MMN103; line 6 hides nothing.
    assert ("5", "MMN101") not in on_line
    assert ("5", "MMN103") in on_line
    assert ("6", "MMN290") in on_line
    assert "Suppression of MMN103 matches no finding" in out


def test_names(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rc, out, _ = run(capsys, "--name", "resnet50_b32x8_imagenet", "--name",
                     "resnet50_8xb32_in1k")
    assert rc == 1
    assert [(f["path"], f["line"], f["col"], f["code"]) for f in findings(out)] == [
        ("<name>", "1", "10", "MMN101"),
        ("<name>", "1", "16", "MMN103"),
    ]
    assert "Name `resnet50_b32x8_imagenet`" in out
    assert out.splitlines()[-1] == "Found 2 problems (1 error, 1 warning) in 1 name."
    rc, out, _ = run(capsys, "--name", "resnet50_8xb32_in1k", "--format", "json")
    assert (rc, json.loads(out)) == (0, [])
    rc, out, _ = run(capsys, "--name", "configs/resnet/resnet50_b32x8_in1k.py",
                     "--format", "json")
    data = json.loads(out)
    assert [(d["path"], d["code"]) for d in data] == [("<name>", "MMN101")]
    start = data[0]["range"]["start"]
    assert start == {"line": 0, "character": len("configs/resnet/resnet50_")}


def test_statistics(tree, capsys):
    rc, out, _ = run(capsys, "--statistics")
    rows = [ln.split() for ln in out.splitlines() if re.match(r"^\s*\d+\s+MMN", ln)]
    counts = {r[1]: int(r[0]) for r in rows}
    assert counts == {"MMN101": 5, "MMN103": 6, "MMN106": 1, "MMN290": 1}
    assert rows[0][1] == "MMN103"  # most frequent first
    rc, out, _ = run(capsys, "--statistics", "--format", "json")
    data = json.loads(out)
    assert {d["code"]: d["count"] for d in data} == counts
    assert {d["name"] for d in data} >= {"batch-format", "unused-suppression"}
    fixable = {d["code"]: d["fixable"] for d in data}
    # Only the stale suppression has a safe text fix: the others stand in
    # checkpoint paths, a file name (a rename) or a `_base_` path to a file.
    assert fixable == {"MMN101": 0, "MMN103": 0, "MMN106": 0, "MMN290": 1}


# -- files that cannot be checked, I/O errors ----------------------------------


def test_binary_undecodable_and_huge_files_are_skipped(tree, capsys, monkeypatch):
    (tree / "tools" / "blob.py").write_bytes(b"\x00\x01\x02load_from = 'x'")
    (tree / "tools" / "latin1.py").write_bytes(b"name = 'caf\xe9'\n")
    (tree / "tools" / "big.py").write_text("x = 1\n" * 100)
    monkeypatch.setattr(files_module, "MAX_FILE_BYTES", 500)
    rc, out, err = run(capsys, "tools")
    assert "tools/blob.py: skipped: binary file" in err
    assert "tools/latin1.py: skipped: not valid UTF-8 (byte 11)" in err
    assert "tools/big.py: skipped: larger than" in err
    assert rc == 1 and findings(out)  # the other files are still checked


def test_missing_path_exits_2(tree, capsys):
    rc, out, err = run(capsys, "tools", "no/such/dir")
    assert rc == 2
    assert "no/such/dir: no such file or folder" in err
    assert findings(out)  # what could be checked was


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_unreadable_file_exits_2(tree, capsys):
    import os

    locked = tree / "tools" / "locked.py"
    locked.write_text("x = 1\n")
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("running with privileges that ignore file permissions")
        rc, out, err = run(capsys, "tools")
    finally:
        locked.chmod(0o644)
    assert rc == 2 and "tools/locked.py: cannot read" in err


# -- start-up: no pygls --------------------------------------------------------


def test_check_does_not_import_pygls(tree):
    code = (
        "import sys, mmname_lsp.cli as c\n"
        f"rc = c.main(['check', {str(tree)!r}, '--name', 'resnet50_b32x8_in1k', "
        "'--format', 'sarif'])\n"
        "assert rc == 1, rc\n"
        "assert 'pygls' not in sys.modules and 'lsprotocol' not in sys.modules\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr


# -- pre-commit hooks and the real tree ------------------------------------------


def test_pre_commit_hooks_file():
    yaml = pytest.importorskip("yaml", reason="PyYAML reads .pre-commit-hooks.yaml")
    hooks = yaml.safe_load((FIXTURE.parents[2] / ".pre-commit-hooks.yaml").read_text())
    by_id = {h["id"]: h for h in hooks}
    # pre-commit names excluded files too: --force-exclude honours `exclude`.
    assert by_id["mmname"]["entry"] == "mmname check --force-exclude"
    assert by_id["mmname-fix"]["entry"] == "mmname check --force-exclude --fix"
    # The whole tree, so that a config inheriting from an edited base is checked.
    assert by_id["mmname-all"]["entry"] == "mmname check"
    assert by_id["mmname-all"]["pass_filenames"] is False
    for hook in hooks:
        assert hook["language"] == "python" and hook["types"] == ["python"]
        # The entry parses as a `check` command line.
        from mmname_lsp.cli.main import build_parser

        args = build_parser().parse_args(hook["entry"].split()[1:] + ["x.py"])
        assert args.command == "check" and args.paths == ["x.py"]
        assert hook.get("pass_filenames", True) == (hook["id"] != "mmname-all")


def test_real_tree_is_checked_without_errors(corpus, capsys):
    from mmname_lsp.cli.check import CheckOptions, run_check

    result = run_check(CheckOptions(paths=[str(corpus / "tree")], use_git=False))
    assert result.errors == [] and result.files_checked > 900
    # Hints (most of what upstream names get) are not reported by default.
    assert all(f.severity != "hint" for _, f in result.findings)
    everything = run_check(CheckOptions(paths=[str(corpus / "tree")], use_git=False,
                                        min_severity="hint"))
    hints = [f for _, f in everything.findings if f.severity == "hint"]
    assert len(everything.findings) == len(result.findings) + len(hints) and hints


def test_console_scripts_name_existing_functions():
    import importlib

    from mmname_lsp.project_config import tomllib

    root = Path(__file__).resolve().parents[2]
    scripts = tomllib.loads((root / "pyproject.toml").read_text())["project"]["scripts"]
    assert {"mmname", "mmname-lsp"} <= set(scripts)
    for target in scripts.values():
        module, func = target.split(":")
        assert callable(getattr(importlib.import_module(module), func))


def test_the_mmname_command_runs_in_a_process_of_its_own(tree):
    # `entry` (the console script) freezes the collector and ends the process.
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from mmname_lsp.cli import entry; "
                               "sys.argv = ['mmname', 'check', '.', '--format', 'json', "
                               "'--no-cache']; raise SystemExit(entry())"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert {f["code"] for f in json.loads(proc.stdout)}
