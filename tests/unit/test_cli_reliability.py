"""`mmname check` on hostile trees: FIFOs, links out of the tree, unreadable
folders, read-only files, odd file names, damaged caches, killed runs.

Most tests run the real command in a subprocess, each with a timeout: a
regression to a hang fails instead of hanging the suite.  Imports of what
the fixes added are inside the tests, so that each test fails on its own
against the code before them.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional

import pytest

from mmname_lsp.cli.check import CheckOptions, run_check
from tests.unit.check_support import run

TIMEOUT = 60  # seconds for one run of the command; a hang fails the test
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file types and permissions")

# A stale suppression comment: a finding (MMN290) with a safe text fix.
FIXABLE = ("pretrained = 'resnet50_8xb32_in1k_20220825-57307488.pth'"
           "  # mmname: disable=MMN103\n")
FIXED = "pretrained = 'resnet50_8xb32_in1k_20220825-57307488.pth'\n"
# A config whose file name has a rename fix, and one that inherits from it.
OLD_NAME = "resnet50_b32x8_imagenet.py"
NEW_NAME = "resnet50_8xb32_in1k.py"


def mmname(*args: str, cwd: Path, timeout: float = TIMEOUT,
           preexec_fn: Optional[Callable[[], None]] = None,
           env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess:
    """`mmname check ARGS` in a process of its own; fails on a hang."""
    return subprocess.run(
        [sys.executable, "-m", "mmname_lsp.cli", "check", *args],
        cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout,
        preexec_fn=preexec_fn, env=env, check=False)


def text(b: bytes) -> str:
    return b.decode("utf-8", "backslashreplace")


def assert_clean_exit(proc: subprocess.CompletedProcess) -> None:
    err = text(proc.stderr)
    assert "Traceback" not in err and "internal error" not in err, err


# ---------------------------------------------------------------------------
# Without the privileges of root
#
# CI runs as root, for whom chmod 000 stops nothing.  Rather than skip there,
# the command runs as root without the capabilities that bypass file
# permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH): dropped from the
# bounding set before exec, they are gone in the new program, so the real
# permission checks of the kernel apply to it.  (A plain user such as
# `nobody` cannot run this interpreter when it lives under /root.)

_CAP_DAC_OVERRIDE = 1
_CAP_DAC_READ_SEARCH = 2
_PR_CAPBSET_DROP = 24


def _drop_dac_capabilities() -> None:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.fixture
def unprivileged(tmp_path) -> Optional[Callable[[], None]]:
    """A preexec_fn under which file permissions apply to the child (None
    when they apply already); skips when they cannot be made to apply."""
    if sys.platform == "win32":
        pytest.skip("POSIX permissions")
    if os.geteuid() != 0:
        return None
    probe = tmp_path / "probe"
    probe.write_text("x")
    probe.chmod(0)
    try:
        proc = subprocess.run([sys.executable, "-c", f"open({str(probe)!r})"],
                              preexec_fn=_drop_dac_capabilities, capture_output=True,
                              timeout=TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"root here cannot drop CAP_DAC_OVERRIDE: {exc}")
    finally:
        probe.chmod(0o600)
    if b"PermissionError" not in proc.stderr:
        pytest.skip("root here cannot drop CAP_DAC_OVERRIDE (permissions would not apply)")
    return _drop_dac_capabilities


# ---------------------------------------------------------------------------
# 11. FIFOs and links to devices: skipped with a notice, never waited on


@POSIX
@pytest.mark.parametrize("in_git", [False, True], ids=["plain", "git"])
def test_fifos_and_links_to_devices_are_skipped_not_read(tmp_path, in_git):
    root = tmp_path / "tree"
    root.mkdir()
    (root / "bad.py").write_text(FIXABLE)
    os.mkfifo(root / "fifo.py")
    (root / "stdin.py").symlink_to("/dev/stdin")
    (root / "zero.py").symlink_to("/dev/zero")
    if in_git:
        if shutil.which("git") is None:
            pytest.skip("git is not installed")
        subprocess.run(["git", "init", "-q", "."], cwd=root, check=True)
        # git keeps links (not FIFOs): stdin.py and zero.py are tracked.
        subprocess.run(["git", "add", "bad.py", "stdin.py", "zero.py"], cwd=root, check=True)
    out, err = tmp_path / "out", tmp_path / "err"
    # Standard input a pipe that stays open: reading /dev/stdin would wait.
    with open(out, "wb") as fo, open(err, "wb") as fe:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mmname_lsp.cli", "check", ".", "--no-cache"],
            cwd=root, stdin=subprocess.PIPE, stdout=fo, stderr=fe)
        try:
            rc = proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            pytest.fail("`mmname check` hung on a FIFO or a link to a device")
        finally:
            assert proc.stdin is not None
            proc.stdin.close()
    stderr = text(err.read_bytes())
    assert "Traceback" not in stderr
    assert rc == 1  # the findings of bad.py; the skipped files are warnings
    assert "MMN290" in text(out.read_bytes())
    if not in_git:
        assert "fifo.py: skipped: not a regular file (a FIFO)" in stderr
    assert "stdin.py: skipped: not a regular file (a " in stderr
    assert "zero.py: skipped: not a regular file (a character device)" in stderr


@POSIX
def test_a_fifo_given_directly_is_skipped(tmp_path):
    os.mkfifo(tmp_path / "fifo.py")
    proc = mmname("fifo.py", "--no-cache", cwd=tmp_path)
    assert_clean_exit(proc)
    assert "fifo.py: skipped: not a regular file (a FIFO)" in text(proc.stderr)


@POSIX
def test_a_fifo_pyproject_or_gitignore_is_not_waited_on(tmp_path):
    (tmp_path / "a.py").write_text(FIXABLE)
    os.mkfifo(tmp_path / ".gitignore")
    proc = mmname(".", "--no-cache", cwd=tmp_path)
    assert_clean_exit(proc)
    assert proc.returncode == 1
    os.mkfifo(tmp_path / "pyproject.toml")
    proc = mmname(".", "--no-cache", cwd=tmp_path)
    assert_clean_exit(proc)
    # Not a regular file: not taken for a configuration.
    assert proc.returncode == 1
    proc = mmname(".", "--no-cache", "--config", "pyproject.toml", cwd=tmp_path)
    assert proc.returncode == 2
    assert "not a regular file (a FIFO)" in text(proc.stderr)


@POSIX
def test_read_regular_refuses_what_is_not_a_regular_file(tmp_path):
    from mmname_lsp.files import (
        FileTooLarge,
        NotRegularFile,
        RefusedFile,
        read_regular,
        read_regular_stat,
    )

    (tmp_path / "f").write_bytes(b"abc")
    assert read_regular(tmp_path / "f", 3) == b"abc"
    data, st = read_regular_stat(str(tmp_path / "f"), 10)
    assert data == b"abc" and stat.S_ISREG(st.st_mode) and st.st_size == 3
    (tmp_path / "link").symlink_to(tmp_path / "f")
    assert read_regular(tmp_path / "link", 10) == b"abc"  # links are followed
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "zero").symlink_to("/dev/zero")
    cases = {"fifo": "a FIFO", "zero": "a character device", ".": "a folder"}
    for name, kind in cases.items():
        with pytest.raises(NotRegularFile) as info:
            read_regular(tmp_path / name, 10)
        assert info.value.kind == kind
        assert info.value.strerror == f"not a regular file ({kind})"
        assert isinstance(info.value, OSError) and isinstance(info.value, RefusedFile)
    with pytest.raises(FileTooLarge) as too_large:
        read_regular(tmp_path / "f", 2)
    assert too_large.value.size == 3 and too_large.value.cap == 2
    with pytest.raises(FileNotFoundError):
        read_regular(tmp_path / "missing", 10)
    # They cross process boundaries (a worker pool pickles exceptions).
    import pickle

    for exc in (too_large.value, info.value, RefusedFile(22, "not a valid path", "x")):
        back = pickle.loads(pickle.dumps(exc))
        assert (type(back), back.args, back.filename, back.strerror) == (
            type(exc), exc.args, exc.filename, exc.strerror)


@POSIX
def test_read_regular_never_blocks_on_a_fifo_swapped_in_after_the_stat(tmp_path, monkeypatch):
    from mmname_lsp import files
    from mmname_lsp.files import NotRegularFile, read_regular

    (tmp_path / "f").write_text("x")
    real_stat = os.stat

    def stat_then_swap(path, *args, **kwargs):
        st = real_stat(path, *args, **kwargs)
        if str(path) == str(tmp_path / "f"):
            os.unlink(path)
            os.mkfifo(path)
        return st

    monkeypatch.setattr(files.os, "stat", stat_then_swap)
    done: List[BaseException] = []

    def read() -> None:
        try:
            read_regular(tmp_path / "f", 10)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            done.append(exc)

    worker = threading.Thread(target=read, daemon=True)
    worker.start()
    worker.join(TIMEOUT)
    if worker.is_alive():
        # Unblock the reader before failing, so the thread can end.
        with open(tmp_path / "f", "wb"):
            pass
        pytest.fail("read_regular blocked on a FIFO")
    assert done and isinstance(done[0], NotRegularFile)


@POSIX
def test_the_cache_never_blocks_on_a_dependency_swapped_for_a_fifo(tmp_path):
    # Between the stat of a `_base_` file and its read, a FIFO takes its place.
    fifo = tmp_path / "base.py"
    os.mkfifo(fifo)
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from mmname_lsp.cli import cache\n"
        "cache.stamp_of = lambda path: ('file', 1, 1, 1, 1)\n"
        f"c = cache.FindingCache(Path({str(tmp_path / 'c')!r}), 'k')\n"
        f"print(c.fingerprint({str(fifo)!r}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=TIMEOUT, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "special"


# ---------------------------------------------------------------------------
# 12. --fix never writes outside the checked paths


@POSIX
def test_fix_never_writes_through_a_link_out_of_the_checked_tree(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim.py"
    victim.write_text(FIXABLE)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "link.py").symlink_to(victim)
    (tree / "own.py").write_text(FIXABLE)

    proc = mmname(".", "--diff", "--no-cache", cwd=tree)
    assert_clean_exit(proc)
    assert "link.py" not in text(proc.stdout)  # --diff shows what --fix does
    assert "+++ b/own.py" in text(proc.stdout)

    proc = mmname(".", "--fix", "--no-cache", cwd=tree)
    assert_clean_exit(proc)
    assert victim.read_text() == FIXABLE
    assert (tree / "own.py").read_text() == FIXED
    err = text(proc.stderr)
    assert f"link.py: not fixed: it is a link to {victim.resolve()}, outside the checked " \
           "paths" in err
    out = text(proc.stdout)
    assert "Fixed 1 problem." in out  # own.py only
    assert "link.py:1:" in out and "MMN290" in out  # its finding is still reported
    assert proc.returncode == 1

    # Given directly, the link names its target, which was not named.
    proc = mmname("link.py", "--fix", "--no-cache", cwd=tree)
    assert victim.read_text() == FIXABLE
    assert "Fixed" not in text(proc.stdout)
    assert "link.py: not fixed" in text(proc.stderr)


@POSIX
def test_fix_writes_through_a_link_that_stays_inside_the_tree(tmp_path):
    (tmp_path / "sub").mkdir()
    real = tmp_path / "sub" / "real.py"
    real.write_text(FIXABLE)
    (tmp_path / "alias.py").symlink_to("sub/real.py")
    proc = mmname("alias.py", "sub", "--fix", "--no-cache", cwd=tmp_path)
    assert_clean_exit(proc)
    assert real.read_text() == FIXED
    assert (tmp_path / "alias.py").is_symlink()


@POSIX
def test_rename_files_never_renames_or_rewrites_outside_the_checked_tree(tmp_path):
    outside = tmp_path / "outside" / "configs" / "resnet"
    outside.mkdir(parents=True)
    victim = outside / OLD_NAME
    victim.write_text("model = dict(type='ImageClassifier')\n")
    child = outside / "resnet50_8xb32-coslr_in1k.py"
    child.write_text(f"_base_ = ['./{OLD_NAME}']\n")
    tree = tmp_path / "tree" / "configs" / "resnet"
    tree.mkdir(parents=True)
    (tree / OLD_NAME).symlink_to(victim)
    (tree / "resnet50_8xb32-coslr_in1k.py").symlink_to(child)
    proc = mmname("configs", "--fix", "--rename-files", "--no-cache",
                  cwd=tmp_path / "tree")
    assert_clean_exit(proc)
    assert victim.exists() and not (outside / NEW_NAME).exists()
    assert child.read_text() == f"_base_ = ['./{OLD_NAME}']\n"
    assert (tree / OLD_NAME).is_symlink() and not (tree / NEW_NAME).exists()
    assert "renamed 1 file" not in text(proc.stdout)
    assert f"{OLD_NAME}: not fixed: it is a link to" in text(proc.stderr)


def _rename_tree(root: Path) -> Path:
    configs = root / "configs" / "resnet"
    configs.mkdir(parents=True)
    (configs / OLD_NAME).write_text("model = dict(type='ImageClassifier')\n")
    child = configs / "resnet50_8xb32-coslr_in1k.py"
    child.write_text(f"_base_ = ['./{OLD_NAME}']\n")
    return child


@POSIX
def test_a_rename_whose_reference_cannot_be_updated_is_not_made(tmp_path, monkeypatch, capsys):
    # The file that inherits from the renamed one is a link out of the tree:
    # its `_base_` path would go on naming the old file.
    outside = tmp_path / "outside.py"
    outside.write_text(f"_base_ = ['./{OLD_NAME}']\n")
    child = _rename_tree(tmp_path / "tree")
    child.unlink()
    child.symlink_to(outside)
    monkeypatch.chdir(tmp_path / "tree")
    rc, out, err = run(capsys, "configs", "--fix", "--rename-files", "--no-cache")
    assert (tmp_path / "tree" / "configs" / "resnet" / OLD_NAME).exists()
    assert not (tmp_path / "tree" / "configs" / "resnet" / NEW_NAME).exists()
    assert outside.read_text() == f"_base_ = ['./{OLD_NAME}']\n"
    assert f"{OLD_NAME}: not renamed: the `_base_` reference to it in " in err
    assert "renamed 1 file" not in out


# ---------------------------------------------------------------------------
# 13. Links in the cache folder are never followed when writing


@POSIX
def test_dangling_links_in_the_cache_folder_are_not_followed(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    cache = tmp_path / "cache"
    cache.mkdir()
    victims = {name: tmp_path / f"victim-{name}" for name in (".gitignore", "CACHEDIR.TAG")}
    for name, victim in victims.items():
        (cache / name).symlink_to(victim)
    proc = mmname(".", "--cache-dir", str(cache), cwd=tmp_path)
    assert_clean_exit(proc)
    assert proc.returncode == 0
    for name, victim in victims.items():
        assert not victim.exists(), f"{name} was written through its link"
        assert (cache / name).is_symlink()
    assert list(cache.glob("*.json")), "the cache itself is still written"


@POSIX
def test_a_link_or_fifo_in_place_of_the_cache_file_is_not_followed(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    cache = tmp_path / "cache"
    assert mmname(".", "--cache-dir", str(cache), cwd=tmp_path).returncode == 0
    (cache_file,) = cache.glob("*.json")
    cache_file.unlink()
    os.mkfifo(cache_file)  # a cache committed to a hostile repository
    proc = mmname(".", "--cache-dir", str(cache), cwd=tmp_path)
    assert_clean_exit(proc)
    assert proc.returncode == 0
    assert cache_file.is_file()  # replaced by a good cache
    victim = tmp_path / "victim"
    cache_file.unlink()
    cache_file.symlink_to(victim)
    (tmp_path / "a.py").write_text("x = 2\n")
    assert mmname(".", "--cache-dir", str(cache), cwd=tmp_path).returncode == 0
    assert not victim.exists() and cache_file.is_file() and not cache_file.is_symlink()


@POSIX
def test_a_default_cache_folder_that_is_a_link_is_not_written(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    stale = elsewhere / ("0" * 32 + ".json")  # looks like an old cache: would be pruned
    stale.write_text("{}")
    os.utime(stale, (time.time() - 30 * 86400,) * 2)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.py").write_text("x = 1\n")
    (tree / ".mmname_cache").symlink_to(elsewhere)
    env = {k: v for k, v in os.environ.items() if k != "MMNAME_CACHE_DIR"}
    proc = mmname(".", cwd=tree, env=env)
    assert_clean_exit(proc)
    assert proc.returncode == 0 and text(proc.stderr) == ""
    assert sorted(p.name for p in elsewhere.iterdir()) == [stale.name]
    # Named by the user, a link is the user's choice.
    proc = mmname(".", "--cache-dir", ".mmname_cache", cwd=tree, env=env)
    assert proc.returncode == 0
    assert list(elsewhere.glob("*.json")) != [stale]


# ---------------------------------------------------------------------------
# 14. An unreadable folder is reported, exit 2


def _tree_with_locked_folder(root: Path) -> Path:
    (root / "ok").mkdir(parents=True)
    (root / "ok" / "a.py").write_text("x = 1\n")
    locked = root / "locked"
    locked.mkdir()
    (locked / "b.py").write_text(FIXABLE)
    locked.chmod(0)
    return locked


@pytest.mark.parametrize("in_git", [False, True], ids=["plain", "git"])
def test_an_unreadable_folder_is_reported(tmp_path, unprivileged, in_git):
    root = tmp_path / "tree"
    root.mkdir()
    if in_git:
        if shutil.which("git") is None:
            pytest.skip("git is not installed")
        subprocess.run(["git", "init", "-q", "."], cwd=root, check=True)
    locked = _tree_with_locked_folder(root)
    try:
        proc = mmname(".", "--no-cache", cwd=root, preexec_fn=unprivileged)
        given = mmname("locked", "--no-cache", cwd=root, preexec_fn=unprivileged)
    finally:
        locked.chmod(0o755)
    for p in (proc, given):
        assert_clean_exit(p)
        assert p.returncode == 2, text(p.stderr)
        assert "locked: cannot read folder: Permission denied" in text(p.stderr)
        assert "All checks passed." not in text(p.stdout)


def test_an_unreadable_folder_is_reported_in_process(tmp_path, monkeypatch, capsys):
    # Whatever the privileges of the test: listing the folder fails.
    root = tmp_path / "tree"
    (root / "ok").mkdir(parents=True)
    (root / "ok" / "a.py").write_text("x = 1\n")
    (root / "locked").mkdir()
    real_scandir = os.scandir

    def scandir(path="."):
        if os.path.basename(os.fspath(path)) == "locked":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = run_check(CheckOptions(paths=[str(root)], use_git=False))
    assert [(n.level, n.path, n.message) for n in result.errors] == [
        ("error", str(root / "locked"), "cannot read folder: Permission denied")]
    result = run_check(CheckOptions(paths=[str(root / "locked")], use_git=False))
    assert [(n.path, n.message) for n in result.errors] == [
        (str(root / "locked"), "cannot read folder: Permission denied")]


def test_a_folder_that_cannot_be_searched_for_pyproject_is_not_a_crash(tmp_path, monkeypatch,
                                                                        capsys):
    from pathlib import Path as P

    (tmp_path / "locked").mkdir()
    real_stat = P.stat

    def stat_(self, *args, **kwargs):
        if self.parent.name == "locked":
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, *args, **kwargs)

    monkeypatch.setattr(P, "stat", stat_)
    monkeypatch.chdir(tmp_path)
    rc, out, err = run(capsys, "locked", "--no-cache")
    assert rc in (0, 2) and "Traceback" not in err


# ---------------------------------------------------------------------------
# 15. A fix that cannot be written is not claimed


def test_fix_of_a_read_only_file_claims_nothing(tmp_path, unprivileged):
    target = tmp_path / "a.py"
    target.write_text(FIXABLE)
    (tmp_path / "b.py").write_text(FIXABLE)
    target.chmod(0o444)
    try:
        proc = mmname(".", "--fix", "--no-cache", cwd=tmp_path, preexec_fn=unprivileged)
    finally:
        target.chmod(0o644)
    assert_clean_exit(proc)
    assert target.read_text() == FIXABLE
    assert (tmp_path / "b.py").read_text() == FIXED
    out, err = text(proc.stdout), text(proc.stderr)
    assert "a.py: not fixed: cannot write: permission denied" in err
    assert "Fixed 1 problem." in out  # b.py's, not a.py's
    assert "a.py:1:" in out and "All checks passed." not in out
    assert proc.returncode == 2


def test_a_rename_in_a_read_only_folder_keeps_the_text_fixes(tmp_path, unprivileged):
    configs = tmp_path / "configs" / "resnet"
    configs.mkdir(parents=True)
    old = configs / OLD_NAME
    old.write_text(FIXABLE)
    configs.chmod(0o555)
    try:
        proc = mmname("configs", "--fix", "--rename-files", "--no-cache", cwd=tmp_path,
                      preexec_fn=unprivileged)
    finally:
        configs.chmod(0o755)
    assert_clean_exit(proc)
    assert old.read_text() == FIXED  # the file itself could be written
    assert not (configs / NEW_NAME).exists()
    err, out = text(proc.stderr), text(proc.stdout)
    assert f"{OLD_NAME}: not renamed: cannot write in its folder: permission denied" in err
    assert "Fixed 1 problem." in out and "renamed 1 file" not in out
    assert "Still pending: 1 file not renamed (see the warnings above)." in out
    assert proc.returncode == 2


def test_fix_of_a_file_that_access_refuses_is_not_claimed(tmp_path, monkeypatch, capsys):
    # In process, whatever the privileges: the file cannot be written.
    target = tmp_path / "a.py"
    target.write_text(FIXABLE)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, *a, **k: False if str(p) == str(
        target.resolve()) else real_access(p, mode, *a, **k))
    monkeypatch.chdir(tmp_path)
    rc, out, err = run(capsys, ".", "--fix", "--no-cache")
    assert target.read_text() == FIXABLE
    assert "a.py: not fixed: cannot write" in err
    assert "Fixed" not in out and "All checks passed." not in out
    assert "a.py:1:" in out
    assert rc == 2


def test_a_write_that_fails_half_way_is_not_claimed(tmp_path, monkeypatch, capsys):
    from mmname_lsp.cli import check as check_module

    target = tmp_path / "a.py"
    target.write_text(FIXABLE)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(check_module, "write_source", full_disk)
    monkeypatch.chdir(tmp_path)
    rc, out, err = run(capsys, ".", "--fix", "--no-cache")
    assert "a.py: not fixed: cannot write: No space left on device" in err
    assert "Fixed" not in out and "a.py:1:" in out
    assert rc == 2


def test_fix_does_not_overwrite_an_edit_made_during_the_run(tmp_path, monkeypatch, capsys):
    from mmname_lsp.cli.check import Checker

    target = tmp_path / "a.py"
    target.write_text(FIXABLE)
    edited = FIXABLE + "x = 1  # typed in the editor meanwhile\n"
    real_fix_text = Checker.fix_text

    def fix_text_while_someone_saves(self, text, path, abs_path):
        found = real_fix_text(self, text, path, abs_path)
        target.write_text(edited)
        return found

    monkeypatch.setattr(Checker, "fix_text", fix_text_while_someone_saves)
    monkeypatch.chdir(tmp_path)
    rc, out, err = run(capsys, ".", "--fix", "--no-cache")
    assert target.read_text() == edited
    assert "a.py: not fixed: it changed on disk during the run; run again" in err
    assert "Fixed" not in out


def test_the_fixed_file_keeps_its_mode_and_inode(tmp_path):
    target = tmp_path / "a.py"
    target.write_text(FIXABLE)
    target.chmod(0o640)
    before = target.stat()
    proc = mmname(".", "--fix", "--no-cache", cwd=tmp_path)
    assert_clean_exit(proc)
    after = target.stat()
    assert target.read_text() == FIXED
    assert (after.st_ino, stat.S_IMODE(after.st_mode)) == (before.st_ino, 0o640)


# ---------------------------------------------------------------------------
# 16. Odd file names, deep TOML, damaged cache entries


@pytest.mark.skipif(sys.platform in ("win32", "darwin"),
                    reason="file names that are not UTF-8 (macOS refuses them)")
def test_sarif_output_with_a_file_name_that_is_not_utf8(tmp_path):
    name = b"caf\xe9_resnet50_b32x8.py"
    with open(os.path.join(os.fsencode(tmp_path), name), "w") as fh:
        fh.write(FIXABLE)
    for fmt in ("sarif", "json", "text", "github"):
        proc = mmname(".", "--format", fmt, "--no-cache", cwd=tmp_path)
        assert_clean_exit(proc)
        assert proc.returncode == 1, (fmt, text(proc.stderr))
    proc = mmname(".", "--format", "sarif", "--no-cache", cwd=tmp_path)
    sarif = json.loads(proc.stdout)
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for res in sarif["runs"][0]["results"] for loc in res["locations"]}
    assert uris == {"caf%E9_resnet50_b32x8.py"}


@pytest.mark.parametrize("nested", [
    "x = " + "[" * 100_000 + "]" * 100_000,
    "x = " + "{a = " * 100_000 + "1" + "}" * 100_000,
], ids=["arrays", "inline-tables"])
def test_a_deeply_nested_pyproject_is_a_configuration_error(tmp_path, nested):
    (tmp_path / "pyproject.toml").write_text(f"[tool.mmname]\n{nested}\n")
    (tmp_path / "a.py").write_text("x = 1\n")
    proc = mmname(".", "--no-cache", cwd=tmp_path)
    assert_clean_exit(proc)
    assert proc.returncode == 2
    err = text(proc.stderr)
    assert err.startswith("mmname check: configuration error: ")
    assert "nested too deeply" in err


def test_a_deeply_nested_table_header_is_a_configuration_error(tmp_path):
    dotted = ".".join(["a"] * 100_000)
    (tmp_path / "pyproject.toml").write_text(f"[tool.mmname]\n[tool.mmname.{dotted}]\n")
    (tmp_path / "a.py").write_text("x = 1\n")
    # tomllib takes a minute over such a key: refused before it gets there.
    proc = mmname(".", "--no-cache", cwd=tmp_path, timeout=20)
    assert_clean_exit(proc)
    assert proc.returncode == 2
    assert "configuration error" in text(proc.stderr)
    assert "nested too deeply" in text(proc.stderr)


DAMAGES = {
    "stamp-time-a-string": lambda d: d["stamps"][0].__setitem__(1, "yesterday"),
    "stamp-digest-a-number": lambda d: d["stamps"][0].__setitem__(5, 7),
    "stamp-short-row": lambda d: d["stamps"].__setitem__(0, [0, 1]),
    "stamp-path-out-of-range": lambda d: d["stamps"][0].__setitem__(0, 10**6),
    "stamp-path-negative": lambda d: d["stamps"][0].__setitem__(0, -1),
    "stamp-path-true": lambda d: d["stamps"][0].__setitem__(0, True),
    "file-digest-a-list": lambda d: d["files"][0].__setitem__(1, ["x"]),
    "file-deps-strings": lambda d: d["files"][0].__setitem__(2, ["a", "b"]),
    "file-deps-odd": lambda d: d["files"][0].__setitem__(2, [0]),
    "file-findings-numbers": lambda d: d["files"][0].__setitem__(3, [[1, 2, 3]]),
    "file-findings-an-object": lambda d: d["files"][0].__setitem__(3, {"a": 1}),
    "file-skipped-a-string": lambda d: d["files"][0].__setitem__(4, "none"),
    "file-row-an-object": lambda d: d["files"].__setitem__(0, {"path": 0}),
    "strings-numbers": lambda d: d.__setitem__("strings", list(range(len(d["strings"])))),
    "strings-an-object": lambda d: d.__setitem__("strings", {"0": "x"}),
    "stamps-an-object": lambda d: d.__setitem__("stamps", {"a": 1}),
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_cache_entries_of_the_wrong_type_are_dropped(tmp_path, damage):
    tree = tmp_path / "tree"
    (tree / "configs").mkdir(parents=True)
    (tree / "configs" / "resnet50_b32x8_imagenet.py").write_text(FIXABLE)
    (tree / "ok.py").write_text("x = 1\n")
    past = time.time() - 3600  # stamps of files this old are trusted
    for p in tree.rglob("*.py"):
        os.utime(p, (past, past))
    cache = tmp_path / "cache"
    first = mmname(".", "--cache-dir", str(cache), cwd=tree)
    assert first.returncode == 1
    (cache_file,) = cache.glob("*.json")
    data = json.loads(cache_file.read_bytes())
    assert data["stamps"] and data["files"]
    DAMAGES[damage](data)
    cache_file.write_text(json.dumps(data))
    again = mmname(".", "--cache-dir", str(cache), cwd=tree)
    assert_clean_exit(again)
    assert (again.returncode, again.stdout) == (first.returncode, first.stdout)
    # And the cache is good again afterwards.
    assert mmname(".", "--cache-dir", str(cache), cwd=tree).stdout == first.stdout


# ---------------------------------------------------------------------------
# 17. The cache key does not depend on when the package was installed


def _environment_key(package_parent: Path, cache: Optional[Path] = None) -> str:
    code = (
        "from pathlib import Path\n"
        "from mmname_lsp.cli import cache\n"
        "from mmname_lsp.settings import Settings\n"
        "import mmname_lsp\n"
        f"assert mmname_lsp.__file__.startswith({str(package_parent)!r}), mmname_lsp.__file__\n"
        "print(cache.environment_key(Settings(), 'scope'))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(package_parent))
    # Not run from the work tree: the current folder comes first in sys.path.
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=package_parent, stdin=subprocess.DEVNULL,
                          timeout=TIMEOUT, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_two_installs_of_the_same_package_share_the_cache_key(tmp_path):
    import mmname_lsp

    source = Path(mmname_lsp.__file__).parent
    ignore = shutil.ignore_patterns("__pycache__")
    one, two = tmp_path / "one", tmp_path / "two"
    shutil.copytree(source, one / "mmname_lsp", ignore=ignore)
    time.sleep(0.02)  # other modification times, as a later install has
    shutil.copytree(source, two / "mmname_lsp", ignore=ignore)
    for p in (two / "mmname_lsp").rglob("*"):
        os.utime(p, (time.time() - 86400, time.time() - 86400))
    assert _environment_key(one) == _environment_key(two)
    # A changed rule is another environment.
    codes = two / "mmname_lsp" / "codes.py"
    codes.write_text(codes.read_text() + "\n# changed\n")
    assert _environment_key(one) != _environment_key(two)


def test_the_package_digest_is_memoised_by_the_files_stats(tmp_path, monkeypatch):
    from mmname_lsp.cli import cache as check_cache

    folder = tmp_path / "cache"
    folder.mkdir()
    first = check_cache.PackageDigest(folder)
    assert first.to_save is not None and first.memo is not None
    first.memo.write_bytes(first.to_save)
    # Read back without hashing any file.
    monkeypatch.setattr(check_cache, "read_regular", _only_the_memo(first.memo))
    again = check_cache.PackageDigest(folder)
    assert again.value == first.value and again.to_save is None
    # A memo of other stats (another install) is not used.
    first.memo.write_text(json.dumps({"stats": "other", "digest": "forged"}))
    monkeypatch.undo()
    assert check_cache.PackageDigest(folder).value == first.value


def _only_the_memo(memo: Path):
    from mmname_lsp.files import read_regular

    def reader(path, cap=0):
        if Path(path) != memo:
            pytest.fail(f"hashed {path} although the memo matches")
        return read_regular(path, cap)

    return reader


def test_a_run_from_the_cache_writes_the_memo_for_the_next_one(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    cache = tmp_path / "cache"
    assert mmname(".", "--cache-dir", str(cache), cwd=tmp_path).returncode == 0
    memos = list(cache.glob("package-*.stamp"))
    assert len(memos) == 1
    assert set(json.loads(memos[0].read_bytes())) == {"stats", "digest"}


# ---------------------------------------------------------------------------
# 18. Workers end when their parent is killed


def _children(pid: int) -> List[int]:
    """Processes whose parent is ``pid`` and that are not zombies."""
    out = []
    if os.path.isdir("/proc"):
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    fields = fh.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != b"Z":
                out.append(int(entry))
        return out
    ps = subprocess.run(["ps", "-A", "-o", "pid=", "-o", "ppid=", "-o", "stat="],
                        capture_output=True, text=True, timeout=TIMEOUT, check=True)
    for line in ps.stdout.splitlines():
        fields = line.split()
        if len(fields) >= 3 and int(fields[1]) == pid and not fields[2].startswith("Z"):
            out.append(int(fields[0]))
    return out


def _alive(pid: int) -> bool:
    if os.path.isdir("/proc"):
        try:
            with open(f"/proc/{pid}/stat", "rb") as fh:
                return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
        except OSError:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _large_tree(root: Path, n: int) -> None:
    base = root / "configs" / "_base_" / "data.py"
    base.parent.mkdir(parents=True)
    base.write_text("train_dataloader = dict(batch_size=32)\n")
    body = "".join(f"v{k} = dict(name='resnet50_8xb32_in1k', k={k})\n" for k in range(40))
    for i in range(n):
        d = root / "configs" / f"m{i // 50}"
        d.mkdir(exist_ok=True)
        (d / f"resnet50_8xb32_in1k_v{i}.py").write_text(
            "_base_ = ['../_base_/data.py']\n"
            f"load_from = 'resnet50_8x32_in1k_20210831-ea4938fc.pth'\n{body}")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked")
def test_workers_end_when_the_check_is_killed(tmp_path):
    _large_tree(tmp_path, 4000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "mmname_lsp.cli", "check", ".", "-j", "2", "--no-cache",
         "--format", "json"],
        cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    workers: List[int] = []
    try:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline and proc.poll() is None:
            workers = _children(proc.pid)
            if len(workers) >= 2:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the run ended before its workers were seen"
        assert len(workers) >= 2, "no worker processes within the time allowed"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=TIMEOUT)
        deadline = time.monotonic() + 20
        alive = workers
        while time.monotonic() < deadline:
            alive = [w for w in workers if _alive(w)]
            if not alive:
                break
            time.sleep(0.05)
        assert not alive, f"workers {alive} outlived their parent"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for w in workers:
            try:
                os.kill(w, signal.SIGKILL)
            except OSError:
                pass
