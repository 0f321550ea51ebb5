"""The persistent cache of `mmname check`: same answers as without it, and
every change that matters is seen."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import List, Tuple

import pytest

from mmname_lsp.cli import cache as check_cache
from mmname_lsp.cli.cache import FindingCache, environment_key
from mmname_lsp.cli.check import CheckOptions, CheckResult, run_check
from mmname_lsp.filestate import file_stamp
from mmname_lsp.settings import Settings
from tests.conftest import CORPUS, requires_corpus
from tests.unit.check_support import run

CONFIG = "configs/resnet/resnet50_8xb32_in1k.py"
BASE = "configs/_base_/data.py"


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def age(path: Path, seconds: float = 3600) -> None:
    """Make a file look written long ago (its stamp is then trusted)."""
    past = time.time() - seconds
    os.utime(path, (past, past))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    write(root, BASE, "train_dataloader = dict(batch_size=32)\n")
    write(root, CONFIG, "_base_ = ['../_base_/data.py']\n"
                        "load_from = 'resnet50_8xb32_in1k_20210831-ea4938fc.pth'\n")
    write(root, "tools/ok.py", "x = 1\n")
    for p in root.rglob("*.py"):
        age(p)
    return root


def check(root: Path, cache: Path, **kw) -> CheckResult:
    return run_check(CheckOptions(paths=[str(root)], cache_dir=str(cache), use_git=False, **kw))


def summary(result: CheckResult) -> List[Tuple[str, str, str, int, int]]:
    return [(r.path, f.code, f.message, f.start, f.end) for r, f in result.findings]


def codes(result: CheckResult) -> List[str]:
    return sorted(f.code for _r, f in result.findings)


def test_second_run_comes_from_the_cache_with_the_same_findings(project, tmp_path):
    cache = tmp_path / "cache"
    first = check(project, cache)
    second = check(project, cache)
    assert first.cached == 0
    assert second.cached == second.files_checked == 3
    assert summary(second) == summary(first)
    fresh = run_check(CheckOptions(paths=[str(project)], use_git=False))
    assert summary(fresh) == summary(first)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_every_output_format_is_the_same_from_the_cache(fmt, capsys, tree, tmp_path):
    cache = str(tmp_path / "cache")
    args = [".", "--format", fmt, "--min-severity", "hint", "--cache-dir", cache]
    cold = run(capsys, *args)
    warm = run(capsys, *args)
    none = run(capsys, ".", "--format", fmt, "--min-severity", "hint", "--no-cache")
    assert cold == warm == none
    assert cold[1].strip()


def test_an_edited_file_is_analysed_again(project, tmp_path):
    cache = tmp_path / "cache"
    assert "MMN" not in "".join(codes(check(project, cache)))
    write(project, "tools/ok.py", "x = get_model('resnet50_8xb32_in1k_typo')\n")
    again = check(project, cache)
    assert again.cached == 2
    assert "MMN202" in codes(again)


def test_a_changed_base_reaches_every_config_that_inherits_it(project, tmp_path):
    cache = tmp_path / "cache"
    assert "MMN301" not in codes(check(project, cache))
    base = write(project, BASE, "train_dataloader = dict(batch_size=64)\n")
    age(base)  # an old-looking time: only the content (and ctime) tell
    changed = check(project, cache)
    assert "MMN301" in codes(changed)
    assert changed.cached == 1  # tools/ok.py; the base itself and the config are new
    write(project, BASE, "train_dataloader = dict(batch_size=32)\n")
    assert "MMN301" not in codes(check(project, cache))


def test_same_size_and_time_after_an_edit_is_still_seen(project, tmp_path):
    cache = tmp_path / "cache"
    check(project, cache)
    base = project / BASE
    st = base.stat()
    base.write_text("train_dataloader = dict(batch_size=64)\n", encoding="utf-8")
    os.utime(base, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert base.stat().st_size == st.st_size and base.stat().st_mtime_ns == st.st_mtime_ns
    assert "MMN301" in codes(check(project, cache))


def test_a_base_outside_the_checked_paths_is_a_dependency_too(project, tmp_path):
    cache = tmp_path / "cache"
    only = CheckOptions(paths=[str(project / CONFIG)], cache_dir=str(cache))
    assert "MMN301" not in codes(run_check(only))
    write(project, BASE, "train_dataloader = dict(batch_size=16)\n")
    result = run_check(only)
    assert result.cached == 0
    assert "MMN301" in codes(result)


def test_creating_or_removing_a_missing_base_is_seen(project, tmp_path):
    cache = tmp_path / "cache"
    write(project, CONFIG, "_base_ = ['../_base_/later.py']\n")
    assert "MMN201" in codes(check(project, cache))
    write(project, "configs/_base_/later.py", "x = 1\n")
    assert "MMN201" not in codes(check(project, cache))
    (project / "configs/_base_/later.py").unlink()
    assert "MMN201" in codes(check(project, cache))


def test_a_dangling_link_is_not_the_same_as_nothing(project, tmp_path):
    cache = tmp_path / "cache"
    write(project, CONFIG, "_base_ = ['../_base_/link.py']\n")
    first = codes(check(project, cache))
    (project / "configs/_base_/link.py").symlink_to(project / "nowhere.py")
    second = check(project, cache)
    fresh = run_check(CheckOptions(paths=[str(project)], use_git=False))
    assert codes(second) == codes(fresh) != first


def test_settings_have_their_own_cache(project, tmp_path):
    cache = tmp_path / "cache"
    write(project, "tools/ok.py", "x = get_model('resnet50_8xb32_in1k_typo')\n")
    assert "MMN202" in codes(check(project, cache))
    off = Settings(severity={"MMN202": "off"})
    result = check(project, cache, settings=off)
    assert result.cached == 0
    assert "MMN202" not in codes(result)
    assert environment_key(off) != environment_key(Settings())
    assert len(list(cache.glob("*.json"))) == 2


def test_projects_sharing_a_cache_folder_keep_files_of_their_own(tmp_path, capsys,
                                                                  monkeypatch):
    shared = tmp_path / "shared-cache"
    monkeypatch.setenv(check_cache.ENV_DIR, str(shared))
    for name in ("one", "two"):
        root = tmp_path / name
        write(root, "pyproject.toml", "[tool.mmname]\nignore = []\n")
        write(root, "tools/a.py", "x = 1\n")
        monkeypatch.chdir(root)
        run(capsys, ".")
    assert len(list(shared.glob("*.json"))) == 2


def test_select_and_severity_filters_apply_to_cached_findings(project, tmp_path):
    cache = tmp_path / "cache"
    write(project, "tools/ok.py", "x = get_model('resnet50_8x32_in1k_typo')\n")
    everything = check(project, cache, min_severity="hint")
    picked = check(project, cache, select=["MMN202"])
    assert picked.cached == 3
    assert codes(picked) == ["MMN202"]
    assert len(codes(everything)) > 1


def test_the_cache_folder_is_marked_and_ignored_by_git(project, tmp_path):
    cache = tmp_path / "cache"
    check(project, cache)
    assert (cache / ".gitignore").read_text().strip().endswith("*")
    assert (cache / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172")


@pytest.mark.parametrize("damage", [
    b"", b"not json", b"[]", b'{"format": 1}', b'{"format": 1, "strings": 3, "stamps": [],'
    b' "files": []}', b"\xff\xfe\x00",
])
def test_a_damaged_cache_is_ignored_and_rewritten(project, tmp_path, damage):
    cache = tmp_path / "cache"
    expected = summary(check(project, cache))
    (cache_file,) = cache.glob("*.json")
    cache_file.write_bytes(damage)
    result = check(project, cache)
    assert result.cached == 0
    assert summary(result) == expected
    assert json.loads(cache_file.read_bytes())["format"] == check_cache.FORMAT


def test_entries_not_of_our_making_are_not_trusted(project, tmp_path):
    cache = tmp_path / "cache"
    write(project, "tools/ok.py", "x = get_model('resnet50_8xb32_in1k_typo')\n")
    expected = summary(check(project, cache))
    (cache_file,) = cache.glob("*.json")
    data = json.loads(cache_file.read_bytes())
    for row in data["files"]:
        # Types outside the fixed table, wrong shapes, deep nesting.
        row[3] = [[f[0], f[1], payload] for f, payload in zip(
            row[3], ['{"$os.system": ["true"]}', '{"$Finding": 3}', "[" * 5000])]
    cache_file.write_text(json.dumps(data))
    result = check(project, cache)
    assert summary(result) == expected
    assert result.cached == sum(1 for row in data["files"] if not row[3])


def test_an_unwritable_cache_named_by_the_user_is_a_warning(project, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    rc, out, err = run(capsys, str(project), "--cache-dir", str(blocker / "cache"),
                       "--format", "json")
    assert rc == 0
    assert json.loads(out) == []
    assert "cannot write the cache" in err


def test_an_unwritable_default_cache_is_silent(project, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(check_cache.ENV_DIR, raising=False)
    monkeypatch.chdir(project)
    (project / check_cache.DIRNAME).write_text("a file, not a folder")
    rc, out, err = run(capsys, ".")
    assert rc == 0
    assert "cache" not in err


def test_default_location_is_next_to_the_pyproject(project, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(check_cache.ENV_DIR, raising=False)
    (project / "pyproject.toml").write_text("[tool.mmname]\nignore = []\n")
    monkeypatch.chdir(project / "configs")
    run(capsys, ".")
    assert (project / check_cache.DIRNAME / "CACHEDIR.TAG").is_file()
    assert not (project / "configs" / check_cache.DIRNAME).exists()


def test_cache_dir_key_of_the_configuration(project, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(check_cache.ENV_DIR, raising=False)
    (project / "pyproject.toml").write_text('[tool.mmname]\ncache-dir = "build/mm"\n')
    monkeypatch.chdir(project)
    run(capsys, ".")
    assert (project / "build" / "mm" / "CACHEDIR.TAG").is_file()
    (project / "pyproject.toml").write_text("[tool.mmname]\ncache-dir = 3\n")
    rc, _out, err = run(capsys, ".")
    assert rc == 2
    assert "cache-dir" in err


def test_environment_variable_and_flag(project, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(check_cache.ENV_DIR, str(tmp_path / "env"))
    monkeypatch.chdir(project)
    run(capsys, ".")
    assert (tmp_path / "env" / "CACHEDIR.TAG").is_file()
    run(capsys, ".", "--cache-dir", str(tmp_path / "flag"))
    assert (tmp_path / "flag" / "CACHEDIR.TAG").is_file()
    rc, _out, err = run(capsys, ".", "--no-cache", "--cache-dir", "x")
    assert rc == 2 and "not allowed with" in err


def test_no_cache_and_fixing_runs_write_nothing(project, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(project)
    run(capsys, ".", "--no-cache")
    run(capsys, ".", "--fix", "--cache-dir", str(tmp_path / "fix"))
    run(capsys, ".", "--diff", "--cache-dir", str(tmp_path / "fix"))
    assert not (tmp_path / "fix").exists()
    assert not any(p.name == check_cache.DIRNAME for p in project.rglob("*"))


def test_after_fix_the_cache_sees_the_fixed_text(tmp_path, capsys, monkeypatch):
    root = tmp_path / "p"
    write(root, "tools/a.py", "load_from = 'resnet50_8xb32_in1k_20210831-ea4938fc.pth'\n"
                              "ckpt = 'resnet50_8xb32-coslr_in1k_20210831-ea4938fc.pth'\n")
    cache = str(tmp_path / "c")
    monkeypatch.chdir(root)
    before = run(capsys, ".", "--format", "json", "--cache-dir", cache)
    run(capsys, ".", "--fix", "--unsafe-fixes")
    after = run(capsys, ".", "--format", "json", "--cache-dir", cache)
    fresh = run(capsys, ".", "--format", "json", "--no-cache")
    assert after == fresh
    assert before[1] != after[1] or before[1] == fresh[1]


def test_deleted_files_leave_the_cache(project, tmp_path):
    cache = tmp_path / "cache"
    check(project, cache)
    (project / "tools/ok.py").unlink()
    check(project, cache)
    (cache_file,) = cache.glob("*.json")
    data = json.loads(cache_file.read_bytes())
    assert not any(s.endswith("ok.py") for s in data["strings"])


def test_a_run_over_one_folder_keeps_the_rest(project, tmp_path):
    cache = tmp_path / "cache"
    check(project, cache)
    run_check(CheckOptions(paths=[str(project / "tools")], cache_dir=str(cache)))
    assert check(project, cache).cached == 3


def test_stale_caches_of_other_environments_are_pruned(project, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    old = cache / ("0" * 32 + ".json")
    recent = cache / ("1" * 32 + ".json")
    other = cache / "notes.json"
    for p in (old, recent, other):
        p.write_text("{}")
    age(old, (check_cache.STALE_DAYS + 1) * 86400)
    age(other, (check_cache.STALE_DAYS + 1) * 86400)
    check(project, cache)
    assert not old.exists()
    assert recent.exists() and other.exists()


def test_runs_saving_at_the_same_time_keep_each_others_work(project, tmp_path):
    cache = tmp_path / "cache"
    check(project, cache)
    key = environment_key(Settings())
    one, two = FindingCache(cache, key), FindingCache(cache, key)
    one.load()
    two.load()
    a, b = str(project / "tools" / "a.py"), str(project / "tools" / "b.py")
    for path in (a, b):
        Path(path).write_text("x = 1\n")
    one.store(a, "digest-a", [], [])
    assert one.save() is None
    two.store(b, "digest-b", [], [])
    assert two.save() is None
    final = FindingCache(cache, key)
    final.load()
    assert final.entries[a].digest == "digest-a" and final.entries[b].digest == "digest-b"
    assert str(project / CONFIG) in final.entries


def test_racily_clean_stamps_are_not_trusted(tmp_path):
    path = tmp_path / "a.py"
    path.write_bytes(b"x = 1\n")
    cache = FindingCache(tmp_path / "c", "k")
    st = path.stat()
    # Hashed in the same instant the file was written: it may change unseen.
    cache.remember(str(path), file_stamp(st), path.read_bytes(), st.st_mtime_ns)
    assert cache.known_digest(str(path)) is None
    cache.remember(str(path), file_stamp(st), path.read_bytes(), st.st_mtime_ns + 3 * 10**9)
    assert cache.known_digest(str(path)) == check_cache.content_digest(b"x = 1\n")


def test_fingerprints_tell_kinds_apart(tmp_path):
    cache = FindingCache(tmp_path / "c", "k")
    (tmp_path / "d").mkdir()
    (tmp_path / "f").write_text("a")
    (tmp_path / "l").symlink_to(tmp_path / "nowhere")
    os.mkfifo(tmp_path / "p")
    kinds = {name: cache.fingerprint(str(tmp_path / name)) for name in "dflpm"}
    assert kinds["d"] == "dir"
    assert kinds["l"] == "dangling-link"
    assert kinds["p"] == "special"  # never opened: reading a FIFO would block
    assert kinds["m"] == "missing"
    assert kinds["f"] == check_cache.content_digest(b"a")


@requires_corpus
def test_real_tree_same_findings_cold_and_warm(tmp_path):
    tree = CORPUS / "tree"
    cache = tmp_path / "cache"
    opts = dict(paths=[str(tree)], min_severity="hint", use_git=False)
    cold = run_check(CheckOptions(cache_dir=str(cache), **opts))
    warm = run_check(CheckOptions(cache_dir=str(cache), **opts))
    assert warm.cached == warm.files_checked == cold.files_checked > 900
    assert summary(warm) == summary(cold)
    assert [f.fix for _r, f in warm.findings] == [f.fix for _r, f in cold.findings]
    assert [f.related for _r, f in warm.findings] == [f.related for _r, f in cold.findings]


def test_verbose_says_what_the_reader_left_out_cached_or_not(tmp_path, capsys, monkeypatch):
    root = tmp_path / "p"
    write(root, "configs/_base_/data.py", "train_dataloader = dict(batch_size=32)\n")
    write(root, CONFIG, "_base_ = ['mmdet::x/y.py', '../_base_/data.py']\n"
                        "\n"
                        "model['head']['num_classes'] = 10\n")
    monkeypatch.chdir(root)
    args = [".", "-v", "--cache-dir", str(tmp_path / "c")]
    lines = []
    for _ in range(2):
        _rc, _out, err = run(capsys, *args)
        lines.append([x for x in err.splitlines() if x.startswith("mmname check: info:")])
    cold, warm = lines
    assert cold[:-1] == warm[:-1]
    shown = "\n".join(cold)
    assert (f"{os.path.normpath(CONFIG)}: not read statically: mmdet::x/y.py: scoped base "
            "from package 'mmdet' is not read") in shown
    assert (f"{os.path.normpath(CONFIG)}: not read statically: line 3: assignment into an "
            "unknown value: undefined name 'model'") in shown
    assert cold[-1].endswith("2 files checked; 0 from the cache in "
                             f"{tmp_path / 'c'}, 2 analysed")
    assert warm[-1].endswith(f"2 from the cache in {tmp_path / 'c'}, 0 analysed")
    _rc, _out, quiet = run(capsys, ".", "--cache-dir", str(tmp_path / "c"))
    assert "info:" not in quiet
    _rc, _out, off = run(capsys, ".", "-v", "--no-cache")
    assert "info: 2 files checked; the cache was not used" in off
