"""`[tool.mmname]` in pyproject.toml, as `mmname check` reads it."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmname_lsp.project_config import ConfigError, discover, find_pyproject, parse_config
from tests.unit.check_support import run


def codes(out):
    return {line.split(": ", 1)[1].split()[0] for line in out.splitlines()
            if line.count(":") >= 3 and ": MMN" in line}


def paths(out):
    return {line.split(":", 1)[0] for line in out.splitlines() if ": MMN" in line}


def write_config(root: Path, body: str) -> None:
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n\n[tool.mmname]\n" + body)


def test_config_is_applied(tree, capsys):
    write_config(tree, 'select = ["MMN1"]\nignore = ["MMN106"]\nexclude = ["tools/demo.py"]\n'
                       'severity = { MMN103 = "off" }\n')
    rc, out, _ = run(capsys)
    assert codes(out) == {"MMN101"}
    assert "tools/demo.py" not in paths(out)


def test_command_line_select_replaces_and_ignore_adds(tree, capsys):
    write_config(tree, 'select = ["MMN103"]\n')
    _, out, _ = run(capsys, "--select", "MMN101")
    assert codes(out) == {"MMN101"}
    write_config(tree, 'ignore = ["MMN103"]\n')
    _, out, _ = run(capsys, "--ignore", "MMN101")
    assert codes(out) == {"MMN106", "MMN290"}


def test_nearest_pyproject_upward_from_the_first_path(tree, capsys):
    write_config(tree, 'select = ["MMN290"]\n')
    # A pyproject.toml without [tool.mmname] is passed over.
    (tree / "tools" / "pyproject.toml").write_text("[project]\nname = 'tools'\n")
    _, out, _ = run(capsys, "tools")
    assert codes(out) == {"MMN290"}
    assert find_pyproject(tree / "tools" / "demo.py") == (tree / "pyproject.toml").resolve()


def test_exclude_is_relative_to_the_pyproject(tree, capsys, monkeypatch):
    write_config(tree, 'exclude = ["/tools/"]\n')
    monkeypatch.chdir(tree / "configs")
    _, out, _ = run(capsys, "..")
    assert paths(out) and not any(p.startswith("../tools/") for p in paths(out))
    # Files given directly are checked, unless --force-exclude.
    _, out, _ = run(capsys, "../tools/demo.py")
    assert paths(out) == {"../tools/demo.py"}
    _, out, _ = run(capsys, "../tools/demo.py", "--force-exclude")
    assert out == "All checks passed.\n"


def test_enable_false_turns_everything_off(tree, capsys):
    write_config(tree, "enable = false\n")
    assert run(capsys) == (0, "All checks passed.\n", "")


def test_extra_tokens_and_config_option(tree, capsys):
    (tree / "tools" / "custom.py").write_text(
        "load_from = 'resnet50_8xb32-colsr_in1k_20220825-57307488.pth'\n")
    _, out, _ = run(capsys, "tools/custom.py", "--min-severity", "hint", "--select", "MMN102")
    assert "Unknown word `colsr`" in out
    alt = tree / "alt.toml"
    alt.write_text('[tool.mmname]\nextraTokens = { colsr = "our own schedule" }\n')
    _, out2, _ = run(capsys, "tools/custom.py", "--config", str(alt), "--select", "MMN102",
                     "--min-severity", "hint")
    assert out2 == "All checks passed.\n"


@pytest.mark.parametrize(
    "body, needle",
    [
        ('enable = "yes"\n', "`tool.mmname.enable`"),
        ('selct = ["MMN1"]\n', "`tool.mmname.selct`"),
        ('select = "MMN1"\n', "`tool.mmname.select` must be a list of strings"),
        ('select = ["NOPE"]\n',
         "`tool.mmname.select`: `NOPE` is not a rule code or a prefix of one"),
        ('ignore = [1]\n', "`tool.mmname.ignore`"),
        ('exclude = "build"\n', "`tool.mmname.exclude`"),
        ('severity = { MMN999 = "error" }\n', "`tool.mmname.severity.MMN999`"),
        ('severity = { MMN101 = "loud" }\n', "`tool.mmname.severity.MMN101`"),
        ('sources = ["everywhere"]\n', "`tool.mmname.sources`"),
        ('extraTokens = { "a_b" = "x" }\n', "`tool.mmname.extraTokens`"),
        ("select = [\n", "not valid TOML"),
    ],
)
def test_bad_configuration_exits_2_and_names_the_key(tree, capsys, body, needle):
    write_config(tree, body)
    rc, out, err = run(capsys)
    assert rc == 2 and out == ""
    assert err.startswith("mmname check: configuration error: ")
    assert str(tree / "pyproject.toml") in err
    assert needle in err


def test_not_a_table(tmp_path):
    with pytest.raises(ConfigError, match=r"\[tool.mmname\] must be a table"):
        parse_config(["x"])


def test_missing_config_file_and_no_config(tree, capsys):
    rc, _, err = run(capsys, "--config", "nope.toml")
    assert rc == 2 and "nope.toml: no such configuration file" in err
    write_config(tree, "enable = false\n")
    rc, out, _ = run(capsys, "--no-config", "tools")
    assert rc == 1 and codes(out)


def test_defaults_without_any_pyproject(tmp_path):
    config = discover(tmp_path)
    assert config.path is None and config.select is None and config.exclude == ()


def test_every_server_setting_of_the_schema_is_a_pyproject_key(tmp_path):
    from mmname_lsp.settings import SCHEMA

    for spec in SCHEMA:
        raw = {spec.key: spec.schema["default"]}
        if spec.server:
            config = parse_config(raw, tmp_path / "pyproject.toml")
            assert config.raw_settings == raw
        else:  # the editor's own settings (how to start the server) are not
            with pytest.raises(ConfigError):
                parse_config(raw)
    config = parse_config({"configGlobs": ["experiments/**/*.py"]})
    assert config.settings.config_globs == ("experiments/**/*.py",)


def test_a_config_error_names_its_file(tmp_path):
    bad = tmp_path / "pyproject.toml"
    bad.write_text("[tool.mmname]\ncolour = 1\n")
    with pytest.raises(ConfigError) as info:
        discover(tmp_path)
    assert info.value.path == bad
    bad.write_text("[tool.mmname\n")
    with pytest.raises(ConfigError) as info:
        discover(tmp_path)
    assert info.value.path == bad
