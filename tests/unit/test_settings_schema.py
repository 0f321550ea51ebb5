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
