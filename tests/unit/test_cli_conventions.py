"""The command-line conventions of ruff and flake8 users: `mmname rule`,
`mmname check -` with --stdin-filename, -o, --output-format, --quiet, the
severity in plain text, and configuration found per file (monorepos).

Every run is a real process (`python -m mmname_lsp.cli ...`) with a timeout,
of the code in this checkout (checked once below).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60
BAD = "x = 'resnet50_b32x8_imagenet.py'\n"  # MMN101 (error) and MMN103 (warning)


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.pop("MMNAME_CACHE_DIR", None)
    env["NO_COLOR"] = "1"
    return env


def mmname(*args: str, cwd: Path, stdin: Optional[str] = None) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "mmname_lsp.cli", *args], cwd=cwd,
                          input=stdin if stdin is not None else "", capture_output=True,
                          text=True, timeout=TIMEOUT, env=_env(), check=False)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def lines(out: str):
    """(path, code, severity) of each finding line of text output."""
    found = []
    for line in out.splitlines():
        parts = line.split(" ")
        if len(parts) >= 3 and parts[1].startswith("MMN") and parts[0].endswith(":"):
            found.append((parts[0].split(":")[0], parts[1], parts[2].strip("[]")))
    return found


def test_the_processes_run_this_checkout(tmp_path):
    proc = subprocess.run([sys.executable, "-c", "import mmname_lsp; print(mmname_lsp.__file__)"],
                          cwd=tmp_path, capture_output=True, text=True, env=_env(),
                          timeout=TIMEOUT, check=True)
    assert Path(proc.stdout.strip()).resolve() == ROOT / "mmname_lsp" / "__init__.py"


# -- mmname rule ---------------------------------------------------------------


def test_rule_prints_name_severity_explanation_examples_and_fix_safety(tmp_path):
    from mmname_lsp.codes import RULES

    proc = mmname("rule", "MMN101", cwd=tmp_path)
    assert proc.returncode == 0
    r = RULES["MMN101"]
    assert proc.stdout.startswith("### MMN101 batch-format\n")
    for piece in ("Default severity: **error**", "fix: safe (applied by `--fix`)",
                  r.explanation, f"Bad: `{r.bad}`", f"Good: `{r.good}`", r.url):
        assert piece in proc.stdout
    assert "fix: unsafe" in mmname("rule", "mmn102", cwd=tmp_path).stdout  # any case


def test_rule_all_prefix_json_and_unknown(tmp_path):
    from mmname_lsp.codes import RULES

    every = mmname("rule", "--all", cwd=tmp_path).stdout
    assert [ln.split()[1] for ln in every.splitlines() if ln.startswith("### ")] == list(RULES)
    data = json.loads(mmname("rule", "MMN2", "--format", "json", cwd=tmp_path).stdout)
    assert [d["code"] for d in data] == [c for c in RULES if c.startswith("MMN2")]
    one = json.loads(mmname("rule", "MMN290", "--output-format", "json", cwd=tmp_path).stdout)
    assert (one["name"], one["fix"], one["severity"]) == ("unused-suppression", "safe",
                                                          "warning")
    bad = mmname("rule", "MMN999", cwd=tmp_path)
    assert bad.returncode == 2 and "`MMN999` is not a rule code" in bad.stderr
    assert mmname("rule", cwd=tmp_path).returncode == 2


def test_rule_text_is_a_pure_function_for_hovers():
    from mmname_lsp.rules.docs import rule_text

    text = rule_text("mmn290")
    assert text.startswith("### MMN290 unused-suppression") and "Bad: `" in text
    with pytest.raises(KeyError):
        rule_text("MMN999")


# -- small conventions -------------------------------------------------------------


def test_plain_text_output_names_the_severity(tmp_path):
    (tmp_path / "a.py").write_text(BAD)
    proc = mmname("check", "a.py", "--color", "never", "--no-cache", cwd=tmp_path)
    assert proc.stdout.splitlines()[0] == (
        "a.py:1:15: MMN101 [error] Batch size written as `b32x8`; the convention writes "
        "`8xb32`")
    assert ("a.py", "MMN103", "warning") in lines(proc.stdout)
    # Machine formats are unchanged.
    gh = mmname("check", "a.py", "--format", "github", "--no-cache", cwd=tmp_path).stdout
    assert gh.startswith("::error file=a.py,") and "[error]" not in gh


def test_a_missing_path_gives_no_verdict(tmp_path):
    proc = mmname("check", "nosuchdir", cwd=tmp_path)
    assert proc.returncode == 2
    assert "nosuchdir: no such file or folder" in proc.stderr
    assert "passed" not in proc.stdout and "No problems" not in proc.stdout
    assert proc.stdout == "Nothing was checked; see the errors above.\n"


def test_name_adds_to_the_default_path(tmp_path):
    (tmp_path / "a.py").write_text(BAD)
    proc = mmname("check", "--name", "resnet50_8xb32_in1k", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 1
    assert {p for p, _c, _s in lines(proc.stdout)} == {"a.py"}
    proc = mmname("check", "--name", "resnet50_b32x8_in1k", "--no-cache", cwd=tmp_path)
    assert {p for p, _c, _s in lines(proc.stdout)} == {"a.py", "<name>"}


def test_unknown_code_is_a_sentence(tmp_path):
    proc = mmname("check", "--select", "NOPE", cwd=tmp_path)
    assert proc.returncode == 2
    assert "`NOPE` is not a rule code or a prefix of one" in proc.stderr


def test_decode_names_what_a_deletion_removes(tmp_path):
    proc = mmname("decode", "resnet50__8xb32_in1k", cwd=tmp_path)
    assert "(fix: remove '_')" in proc.stdout and "(fix: '')" not in proc.stdout


def test_the_summary_after_fix_says_what_is_pending(tmp_path):
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "resnet50_b32x8_imagenet.py").write_text(
        "load_from = 'resnet50_8xb32-colsr_in1k.pth'\n"
        "pretrained = 'resnet50_8xb32_in1k.pth'  # mmname: disable=MMN103\n")
    proc = mmname("check", "configs", "--fix", cwd=tmp_path)
    assert proc.stdout.splitlines()[-3:] == [
        "Fixed 1 problem.",
        "Found 5 problems (1 error, 4 warnings) in 1 file.",
        # colsr: a guess; two file-name findings: one rename; MMN115 twice: no fix.
        "Still pending: 1 with `--unsafe-fixes` (guesses: review them); 1 file to rename "
        "with `--rename-files`; 2 without an automatic fix, by hand.",
    ], proc.stdout
    renamed = mmname("check", "configs", "--fix", "--rename-files", "--unsafe-fixes",
                     cwd=tmp_path)
    assert renamed.stdout.splitlines()[-3:] == [
        "Fixed 3 problems, renamed 1 file.",
        "Found 2 problems (2 warnings) in 1 file.",
        "Still pending: 2 without an automatic fix, by hand.",
    ], renamed.stdout


# -- output options ------------------------------------------------------------------


def test_output_file_output_format_and_quiet(tmp_path):
    (tmp_path / "a.py").write_text(BAD)
    proc = mmname("check", "a.py", "-o", "out.json", "--output-format", "json", "--no-cache",
                  cwd=tmp_path)
    assert proc.returncode == 1 and proc.stdout == ""
    assert {d["code"] for d in json.loads((tmp_path / "out.json").read_text())} == {
        "MMN101", "MMN103"}
    quiet = mmname("check", "a.py", "-q", "--no-cache", cwd=tmp_path)
    assert quiet.returncode == 1 and len(lines(quiet.stdout)) == 2
    assert len(quiet.stdout.splitlines()) == 2  # no summary
    silent = mmname("check", "a.py", "-qq", "--no-cache", cwd=tmp_path)
    assert (silent.returncode, silent.stdout, silent.stderr) == (1, "", "")
    missing = mmname("check", "nosuch.py", "-qq", cwd=tmp_path)
    assert missing.returncode == 2 and "no such file" in missing.stderr  # errors still say why
    unwritable = mmname("check", "a.py", "-o", "no/such/dir/out.txt", cwd=tmp_path)
    assert unwritable.returncode == 2 and "cannot write no/such/dir/out.txt" in unwritable.stderr


# -- standard input ---------------------------------------------------------------------


def _project(root: Path, body: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text("[tool.mmname]\n" + body)
    return root


def test_stdin_is_reported_under_stdin_filename_with_its_config(tmp_path):
    _project(tmp_path / "proj", 'severity = { MMN101 = "warning" }\nexclude = ["gen"]\n')
    (tmp_path / "proj" / "gen").mkdir()
    proc = mmname("check", "-", "--stdin-filename", "proj/configs/resnet50_b32x8_in1k.py",
                  cwd=tmp_path, stdin=BAD)
    assert proc.returncode == 1
    found = lines(proc.stdout)
    # The file name counts (as the file it will be saved as), and the config is proj's.
    assert ("proj/configs/resnet50_b32x8_in1k.py", "MMN101", "warning") in found
    assert proc.stdout.count("File name:") == 1
    assert not (tmp_path / "proj" / "configs").exists()  # nothing written
    data = json.loads(mmname("check", "-", "--stdin-filename", "proj/a.py", "--format", "json",
                             cwd=tmp_path, stdin=BAD).stdout)
    assert {(d["path"], d["code"]) for d in data} == {("proj/a.py", "MMN101"),
                                                      ("proj/a.py", "MMN103")}
    # Excluded: checked when named, skipped with --force-exclude (as ruff).
    named = mmname("check", "-", "--stdin-filename", "proj/gen/a.py", cwd=tmp_path, stdin=BAD)
    assert named.returncode == 1 and lines(named.stdout)
    skipped = mmname("check", "-", "--stdin-filename", "proj/gen/a.py", "--force-exclude",
                     cwd=tmp_path, stdin=BAD)
    assert (skipped.returncode, skipped.stdout) == (0, "")
    by_option = mmname("check", "-", "--stdin-filename", "proj/a.py", "--exclude", "proj",
                       "--force-exclude", cwd=tmp_path, stdin=BAD)
    assert (by_option.returncode, by_option.stdout) == (0, "")


def test_stdin_without_a_file_name_and_usage_errors(tmp_path):
    proc = mmname("check", "-", cwd=tmp_path, stdin=BAD)
    assert proc.returncode == 1
    assert {p for p, _c, _s in lines(proc.stdout)} == {"-"}
    assert "File name" not in proc.stdout
    assert mmname("check", "-", cwd=tmp_path, stdin="").returncode == 0
    for args in (["-", "--fix"], ["-", "--diff"], ["-", "a.py"], ["--stdin-filename", "a.py"]):
        bad = mmname("check", *args, cwd=tmp_path, stdin=BAD)
        assert bad.returncode == 2 and "error:" in bad.stderr, args
    latin = subprocess.run([sys.executable, "-m", "mmname_lsp.cli", "check", "-"], cwd=tmp_path,
                           input=b"x = 'caf\xe9'\n", capture_output=True, timeout=TIMEOUT,
                           env=_env(), check=False)
    assert latin.returncode == 2 and b"not valid UTF-8" in latin.stderr


# -- configuration per file ----------------------------------------------------------------


@pytest.fixture
def monorepo(tmp_path):
    """Two projects with different [tool.mmname]: a's MMN101 is a warning and
    its `gen` is excluded; b reports MMN103 only.  A top-level pyproject.toml
    without the table is passed over."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'mono'\n")
    a = _project(tmp_path / "a", 'severity = { MMN101 = "warning" }\nexclude = ["gen"]\n')
    b = _project(tmp_path / "b", 'select = ["MMN103"]\n')
    (a / "gen").mkdir()
    for f in (a / "m.py", a / "gen" / "m.py", b / "m.py", b / "gen.py"):
        f.write_text(BAD)
    return tmp_path


EXPECTED = [("a/m.py", "MMN101", "warning"), ("a/m.py", "MMN103", "warning"),
            ("b/gen.py", "MMN103", "warning"), ("b/m.py", "MMN103", "warning")]


def test_each_file_gets_the_configuration_above_it_in_any_argument_order(monorepo):
    ab = mmname("check", "a", "b", "--no-cache", cwd=monorepo)
    ba = mmname("check", "b", "a", "--no-cache", cwd=monorepo)
    assert lines(ab.stdout) == lines(ba.stdout) == EXPECTED
    assert ab.stdout == ba.stdout
    whole = mmname("check", "--no-cache", cwd=monorepo)
    assert lines(whole.stdout) == EXPECTED
    files = mmname("check", "b/m.py", "a/m.py", "--no-cache", cwd=monorepo)
    assert lines(files.stdout) == [f for f in EXPECTED if f[0] in ("a/m.py", "b/m.py")]
    # From inside a project, the other one still gets its own configuration.
    inside = mmname("check", ".", "../b", "--no-cache", cwd=monorepo / "a")
    assert [(p, c) for p, c, _s in lines(inside.stdout)] == [
        ("../b/gen.py", "MMN103"), ("../b/m.py", "MMN103"), ("m.py", "MMN101"),
        ("m.py", "MMN103")]


def test_exclude_of_each_configuration_and_force_exclude(monorepo):
    named = mmname("check", "a/gen/m.py", "b/m.py", "--no-cache", cwd=monorepo)
    assert "a/gen/m.py" in {p for p, _c, _s in lines(named.stdout)}
    forced = mmname("check", "a/gen/m.py", "b/m.py", "--force-exclude", "--no-cache",
                    cwd=monorepo)
    assert {p for p, _c, _s in lines(forced.stdout)} == {"b/m.py"}


def test_config_option_forces_one_configuration(monorepo):
    proc = mmname("check", "a", "b", "--config", "b/pyproject.toml", "--no-cache", cwd=monorepo)
    assert {c for _p, c, _s in lines(proc.stdout)} == {"MMN103"}
    # a's exclude is not in b's configuration: a/gen is checked.
    assert "a/gen/m.py" in {p for p, _c, _s in lines(proc.stdout)}
    none = mmname("check", "a", "b", "--no-config", "--no-cache", cwd=monorepo)
    assert ("a/m.py", "MMN101", "error") in lines(none.stdout)


def test_each_project_keeps_its_cache(monorepo):
    first = mmname("check", "a", "b", "-v", cwd=monorepo)
    assert (monorepo / "a" / ".mmname_cache").is_dir()
    assert (monorepo / "b" / ".mmname_cache").is_dir()
    second = mmname("check", "b", "a", "-v", cwd=monorepo)
    assert lines(first.stdout) == lines(second.stdout) == EXPECTED
    assert "3 files checked; 3 from the cache" in second.stderr, second.stderr


def test_config_for_finds_the_nearest_table_and_remembers_it(monorepo):
    from mmname_lsp.project_config import ConfigFinder, config_for, excluded_by, forget_configs

    a = config_for(monorepo / "a" / "gen" / "m.py")
    assert a.path == (monorepo / "a" / "pyproject.toml").resolve()
    assert a.settings.severity_of("MMN101", "error") == "warning"
    assert excluded_by(a, monorepo / "a" / "gen" / "m.py")
    assert not excluded_by(a, monorepo / "a" / "m.py")
    assert config_for(monorepo / "b").select == ("MMN103",)
    assert config_for(monorepo / "m.py").path is None  # no table above: defaults
    # Remembered until forgotten (a language server forgets on a change).
    (monorepo / "b" / "pyproject.toml").write_text('[tool.mmname]\nselect = ["MMN1"]\n')
    assert config_for(monorepo / "b" / "m.py").select == ("MMN103",)
    forget_configs()
    assert config_for(monorepo / "b" / "m.py").select == ("MMN1",)
    assert ConfigFinder().config_for(monorepo / "b" / "x.py").select == ("MMN1",)


def test_json_stays_an_array_and_the_envelope_carries_the_version(tmp_path):
    from mmname_lsp.cli.output import JSON_VERSION

    (tmp_path / "a.py").write_text(BAD)
    plain = json.loads(mmname("check", "a.py", "nosuch.py", "--format", "json", "--no-cache",
                              cwd=tmp_path).stdout)
    assert isinstance(plain, list) and {d["code"] for d in plain} == {"MMN101", "MMN103"}
    proc = mmname("check", "a.py", "nosuch.py", "--format", "json-envelope", "--no-cache",
                  cwd=tmp_path)
    body = json.loads(proc.stdout)
    assert body["version"] == JSON_VERSION == 1
    assert body["findings"] == plain
    assert body["notices"] == [{"level": "error", "path": "nosuch.py",
                                "message": "no such file or folder"}]
    assert body["summary"] == {"files": 1, "problems": 2, "fixed": 0, "renamed": 0,
                               "errors": 1}
    stats = json.loads(mmname("check", "a.py", "--statistics", "--format", "json-envelope",
                              "--no-cache", cwd=tmp_path).stdout)
    assert stats["version"] == 1 and {r["code"] for r in stats["statistics"]} == {
        "MMN101", "MMN103"}


# -- pre-commit hooks --------------------------------------------------------------------


def _hooks():
    yaml = pytest.importorskip("yaml", reason="PyYAML reads .pre-commit-hooks.yaml")
    return {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}


def test_the_file_hook_honours_each_projects_exclude_for_named_files(monorepo):
    # As pre-commit runs it: the entry, then the staged files by name.
    entry = _hooks()["mmname"]["entry"].split()
    assert entry[0] == "mmname"
    proc = mmname(*entry[1:], "a/gen/m.py", "a/m.py", "b/m.py", cwd=monorepo)
    assert proc.returncode == 1
    assert {p for p, _c, _s in lines(proc.stdout)} == {"a/m.py", "b/m.py"}
    only_excluded = mmname(*entry[1:], "a/gen/m.py", cwd=monorepo)
    assert (only_excluded.returncode, lines(only_excluded.stdout)) == (0, [])


def test_the_whole_tree_hook_rechecks_configs_that_inherit_an_edited_base(tmp_path):
    hook = _hooks()["mmname-all"]
    assert hook["pass_filenames"] is False
    base = tmp_path / "configs" / "_base_" / "models"
    base.mkdir(parents=True)
    (base / "resnet50.py").write_text("model = dict(type='ImageClassifier')\n")
    child = tmp_path / "configs" / "resnet" / "resnet50_8xb32_in1k.py"
    child.parent.mkdir()
    child.write_text("_base_ = ['../_base_/models/resnet50.py']\n")
    entry = hook["entry"].split()[1:]
    assert mmname(*entry, cwd=tmp_path).returncode == 0
    # Only the base is edited (and staged): the child's finding about it shows.
    (base / "resnet50.py").unlink()
    proc = mmname(*entry, cwd=tmp_path)
    assert proc.returncode == 1
    assert "configs/resnet/resnet50_8xb32_in1k.py" in {p for p, _c, _s in lines(proc.stdout)}


def test_a_rename_referenced_from_another_configuration_is_not_made(monorepo):
    # a's config inherits from a file of b that --rename-files would rename:
    # b's run cannot update a's `_base_` path, so the rename would break it.
    base = monorepo / "b" / "configs" / "resnet50_b32x8_imagenet.py"
    base.parent.mkdir()
    base.write_text("model = dict(type='ImageClassifier')\n")
    child = monorepo / "a" / "configs" / "resnet50_8xb32_in1k.py"
    child.parent.mkdir()
    child.write_text("_base_ = ['../../b/configs/resnet50_b32x8_imagenet.py']\n")
    for order in (("a", "b"), ("b", "a")):
        proc = mmname("check", *order, "--fix", "--rename-files", "--select", "MMN1",
                      cwd=monorepo)
        assert base.exists() and not (base.parent / "resnet50_8xb32_in1k.py").exists()
        assert child.read_text() == "_base_ = ['../../b/configs/resnet50_b32x8_imagenet.py']\n"
        assert ("b/configs/resnet50_b32x8_imagenet.py: not renamed: the `_base_` reference "
                "to it in a/configs/resnet50_8xb32_in1k.py (a file of another configuration)"
                ) in proc.stderr, proc.stderr
    # Within one configuration the rename and the reference go together.
    (monorepo / "b" / "configs" / "child_8xb32_in1k.py").write_text(
        "_base_ = ['./resnet50_b32x8_imagenet.py']\n")
    child.unlink()
    proc = mmname("check", "b", "a", "--fix", "--rename-files", "--select", "MMN1",
                  cwd=monorepo)
    assert (base.parent / "resnet50_8xb32_in1k.py").exists() and not base.exists()
    assert "renamed 1 file, updated 1 `_base_` reference" in proc.stdout, proc.stdout


def test_an_outer_projects_exclude_prunes_a_nested_project_as_ruffs_walk(tmp_path):
    # The outer project excludes `vendor`; a project inside it has its own table.
    _project(tmp_path, 'exclude = ["vendor"]\n')
    inner = _project(tmp_path / "vendor" / "lib", 'severity = { MMN101 = "warning" }\n')
    (inner / "m.py").write_text(BAD)
    (tmp_path / "m.py").write_text(BAD)

    def paths(*args):
        return {p for p, _c, _s in lines(mmname("check", *args, "--no-cache",
                                                cwd=tmp_path).stdout)}

    assert paths() == {"m.py"}  # the walk does not go into vendor/
    assert paths("vendor/lib") == {"vendor/lib/m.py"}  # a walk that starts inside does
    assert paths("vendor/lib", "--force-exclude") == set()
    assert paths("vendor/lib/m.py") == {"vendor/lib/m.py"}  # named: checked
    assert paths("vendor/lib/m.py", "--force-exclude") == set()
    # vendor/lib's own settings apply to it.
    proc = mmname("check", "vendor/lib", "--no-cache", cwd=tmp_path)
    assert ("vendor/lib/m.py", "MMN101", "warning") in lines(proc.stdout)


def test_a_named_folder_is_walked_even_when_its_project_excludes_it(monorepo):
    # As before configurations were found per file, and as ruff: the folders
    # below it are judged, not the one named (unless --force-exclude).
    def paths(*args):
        return {p for p, _c, _s in lines(mmname("check", *args, "--no-cache",
                                                cwd=monorepo).stdout)}

    assert paths("a/gen") == {"a/gen/m.py"}
    assert paths("a/gen", "--force-exclude") == set()
    assert paths("a") == {"a/m.py"}
