"""One schema of settings: every declaration is generated from it and the
parser agrees with it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mmname_lsp.settings import SCHEMA, Settings, parse_settings

ROOT = Path(__file__).resolve().parents[2]


def test_generated_declarations_are_up_to_date():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_settings.py"),
                           "--check"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_stale_table_is_found(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import generate_settings as gen
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{gen.START}| old | table |\n{gen.END}after\n")
    fresh = gen.readme(readme.read_text(), readme)
    assert fresh != readme.read_text()
    assert "| `enable` |" in fresh and "| old | table |" not in fresh
    assert fresh.startswith("intro\n") and fresh.endswith("after\n")


@pytest.mark.parametrize("spec", [s for s in SCHEMA if s.server], ids=lambda s: s.key)
def test_the_parser_takes_each_setting_with_its_schema_default(spec):
    settings, errors = parse_settings({spec.key: spec.schema["default"]})
    assert errors == []
    assert settings == Settings(), f"the schema's default of {spec.key} is not the parser's"


@pytest.mark.parametrize("spec", [s for s in SCHEMA if not s.server], ids=lambda s: s.key)
def test_the_editors_own_settings_are_accepted_quietly(spec):
    head, _, rest = spec.key.partition(".")
    _settings, errors = parse_settings({head: {rest: spec.schema["default"]}})
    assert errors == []


def test_an_unknown_setting_names_the_known_ones():
    _settings, errors = parse_settings({"nosuch": 1})
    assert len(errors) == 1 and "nosuch" in errors[0]
    for spec in SCHEMA:
        assert spec.key.split(".")[0] in errors[0]


def test_only_keys_the_user_set_count_as_explicit():
    from mmname_lsp.settings import explicit_settings

    # VS Code's answer: every key, most with their defaults.
    section = {"enable": True, "severity": {"MMN101": "hint"}, "extraTokens": {},
               "sources": ["literal", "base", "filename", "base_import", "checkpoint",
                           "model_api"],
               "configGlobs": [], "workspaceDiagnostics": False,
               "trace": {"server": "off"}, "server": {"path": ""}}
    assert explicit_settings(section) == {"severity": {"MMN101": "hint"},
                                          "workspaceDiagnostics": False}
    assert explicit_settings({"mmname": {"enable": False}}) == {"enable": False}
    # Neovim's empty Lua tables are defaults too.
    assert explicit_settings({"severity": [], "configGlobs": {}}) == {}
    assert explicit_settings(None) == {} and explicit_settings([1]) == {}


def test_overlay_replaces_values_and_merges_objects_by_entry():
    from mmname_lsp.settings import overlay_settings

    base = {"severity": {"MMN101": "hint", "MMN102": "off"}, "sources": ["base"],
            "extraTokens": {"mydata": "ours"}}
    top = {"severity": {"MMN101": "error"}, "sources": ["literal"], "enable": False}
    merged = overlay_settings(base, top)
    assert merged == {"severity": {"MMN101": "error", "MMN102": "off"}, "sources": ["literal"],
                      "extraTokens": {"mydata": "ours"}, "enable": False}
    assert list(merged["severity"]) == ["MMN101", "MMN102"]  # the top's entries first
    assert list(overlay_settings({"x": {"a": 1, "b": 2}}, {"x": {"c": 3, "b": 4}})["x"].items()) \
        == [("c", 3), ("b", 4), ("a", 1)]
    assert base["severity"] == {"MMN101": "hint", "MMN102": "off"}  # not changed in place
