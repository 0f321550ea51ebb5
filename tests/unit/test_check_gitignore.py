"""The gitignore matcher of `mmname check` (used where git is not)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from mmname_lsp.files import IgnoreSpec, discover, glob_to_regex, parse_ignore_line

BASE = os.path.abspath(os.sep + "r")


def spec(*lines: str) -> IgnoreSpec:
    return IgnoreSpec.from_lines(BASE, lines)


def ignored(s: IgnoreSpec, rel: str, is_dir: bool = False):
    return s.match(os.path.join(BASE, *rel.split("/")), is_dir)


@pytest.mark.parametrize(
    "lines, rel, is_dir, expected",
    [
        # A pattern without a slash matches at any depth.
        (["*.py"], "a.py", False, True),
        (["*.py"], "d/e/a.py", False, True),
        (["*.py"], "a.pyc", False, None),
        # A leading or middle slash anchors the pattern to the .gitignore's folder.
        (["/a.py"], "a.py", False, True),
        (["/a.py"], "d/a.py", False, None),
        (["d/a.py"], "d/a.py", False, True),
        (["d/a.py"], "x/d/a.py", False, None),
        # `*` and `?` stop at slashes.
        (["d/*.py"], "d/a.py", False, True),
        (["d/*.py"], "d/e/a.py", False, None),
        (["a?.py"], "ab.py", False, True),
        (["a?.py"], "a/.py", False, None),
        # A trailing slash matches folders only.
        (["build/"], "build", True, True),
        (["build/"], "x/build", True, True),
        (["build/"], "build", False, None),
        # `**`.
        (["**/foo"], "foo", False, True),
        (["**/foo"], "a/b/foo", False, True),
        (["a/**/b"], "a/b", False, True),
        (["a/**/b"], "a/x/y/b", False, True),
        (["a/**/b"], "xa/b", False, None),
        (["abc/**"], "abc/x/y.py", False, True),
        (["abc/**"], "abc", True, None),
        # Negation: the last matching line wins.
        (["*.py", "!keep.py"], "keep.py", False, False),
        (["*.py", "!keep.py"], "other.py", False, True),
        (["!keep.py", "*.py"], "keep.py", False, True),
        # Character classes.
        (["[ab].py"], "a.py", False, True),
        (["[ab].py"], "c.py", False, None),
        (["[!ab].py"], "c.py", False, True),
        (["[!ab].py"], "a.py", False, None),
        (["[a-c]x"], "bx", False, True),
        # Escapes, comments, blanks and trailing spaces.
        (["\\#file"], "#file", False, True),
        (["#file"], "#file", False, None),
        (["\\!bang"], "!bang", False, True),
        (["", "   ", "# comment"], "x", False, None),
        (["a.py   "], "a.py", False, True),
        (["a\\ "], "a ", False, True),
        # Regex characters are literal.
        (["a+b(1).py"], "a+b(1).py", False, True),
        (["a.py"], "aXpy", False, None),
    ],
)
def test_patterns(lines, rel, is_dir, expected):
    assert ignored(spec(*lines), rel, is_dir) is expected


def test_blank_and_comment_lines_are_no_rules():
    assert parse_ignore_line("\n") is None
    assert parse_ignore_line("# x\n") is None
    assert parse_ignore_line("!") is None
    rule = parse_ignore_line("/out/\r\n")
    assert rule is not None and rule.dir_only and not rule.negate and rule.pattern == "out"


def test_glob_translation_keeps_unclosed_bracket_literal():
    assert glob_to_regex("a[b") == "a\\[b"


def test_paths_outside_the_base_never_match():
    s = spec("*")
    assert s.match(os.path.abspath(os.sep + "elsewhere" + os.sep + "a.py"), False) is None
    assert s.match(BASE, True) is None


def test_excludes_checks_parent_folders():
    s = spec("gen/")
    assert s.excludes(os.path.join(BASE, "gen", "deep", "a.py"), False)
    assert not s.excludes(os.path.join(BASE, "src", "a.py"), False)


def _write(root, rel, text="x = 1\n"):
    path = root.joinpath(*rel.split("/"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _found(root, use_git):
    targets, notices = discover([str(root)], use_git=use_git)
    assert not notices
    return sorted(os.path.relpath(t.abs_path, root).replace(os.sep, "/") for t in targets)


def _layout(root):
    _write(root, ".gitignore", "*.gen.py\nout/\n/top.py\nsub/**/deep.py\n")
    _write(root, "a.py")
    _write(root, "a.gen.py")
    _write(root, "top.py")
    _write(root, "pkg/top.py")
    _write(root, "out/x.py")
    _write(root, "pkg/out/x.py")
    _write(root, "sub/.gitignore", "!keep.gen.py\n*.txt.py\n")
    _write(root, "sub/keep.gen.py")
    _write(root, "sub/notes.txt.py")
    _write(root, "sub/a/b/deep.py")
    _write(root, "sub/deep.py")
    _write(root, ".hidden/a.py")
    _write(root, "node_modules/a.py")
    _write(root, "__pycache__/a.py")
    _write(root, "env/pyvenv.cfg", "home = /usr\n")
    _write(root, "env/lib/a.py")
    _write(root, "notes.md")
    _write(root, "stub.pyi")


EXPECTED = ["a.py", "pkg/top.py", "stub.pyi", "sub/keep.gen.py"]


def test_walk_without_git(tmp_path):
    _layout(tmp_path)
    assert _found(tmp_path, use_git=False) == EXPECTED


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_walk_with_git_gives_the_same_files(tmp_path):
    _layout(tmp_path)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert _found(tmp_path, use_git=True) == EXPECTED
    assert _found(tmp_path, use_git=None) == EXPECTED


def test_gitignore_above_the_walked_folder_applies_inside_a_repository(tmp_path):
    (tmp_path / ".git").mkdir()  # a work tree, as far as the matcher is concerned
    _write(tmp_path, ".gitignore", "skip_*.py\n")
    _write(tmp_path, "src/skip_me.py")
    _write(tmp_path, "src/keep.py")
    targets, _ = discover([str(tmp_path / "src")], use_git=False)
    assert [os.path.basename(t.abs_path) for t in targets] == ["keep.py"]


def test_exclude_patterns_apply_on_top(tmp_path):
    _write(tmp_path, "a.py")
    _write(tmp_path, "tools/b.py")
    _write(tmp_path, "tools/keep.py")
    excludes = [IgnoreSpec.from_lines(str(tmp_path), ["tools/*", "!tools/keep.py"])]
    targets, _ = discover([str(tmp_path)], excludes, use_git=False)
    assert sorted(os.path.relpath(t.abs_path, tmp_path).replace(os.sep, "/")
                  for t in targets) == ["a.py", "tools/keep.py"]


def test_files_given_directly_are_always_checked(tmp_path):
    _write(tmp_path, ".gitignore", "*.py\n")
    _write(tmp_path, "a.py")
    _write(tmp_path, ".hidden/b.py")
    direct = [str(tmp_path / "a.py"), str(tmp_path / ".hidden" / "b.py")]
    targets, _ = discover(direct, use_git=False)
    assert len(targets) == 2
    excludes = [IgnoreSpec.from_lines(str(tmp_path), [".hidden/"])]
    forced, _ = discover(direct, excludes, use_git=False, force_exclude=True)
    assert [os.path.basename(t.abs_path) for t in forced] == ["a.py"]


def test_missing_path_is_an_error_notice(tmp_path):
    targets, notices = discover([str(tmp_path / "nope")], use_git=False)
    assert targets == []
    assert [(n.level, n.message) for n in notices] == [("error", "no such file or folder")]
