"""The shared pipeline: sources, thresholds, settings, suppressions, fixes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mmname_lsp.analysis import analyse
from mmname_lsp.analysis.fixes import apply_text_fixes, text_fixes
from mmname_lsp.settings import Settings, parse_settings

ROOT = Path(__file__).resolve().parents[2]


def codes(result):
    return [f.code for f in result.findings]


def test_ordinary_strings_are_not_names():
    src = (
        "interpolation = 'bicubic'\n"
        "pipeline = [dict(type='LoadImageFromFile'), dict(type='PackInputs')]\n"
        "work_dir = './work_dirs/exp1'\n"
        "d = {'resnet50_8x32_in1k': 1}\n"  # a dict key is not a value
        "load_from = 'work_dirs/epoch_100.pth'\n"  # a local checkpoint path
    )
    assert analyse(src, None).findings == []


def test_literal_name_found_with_exact_span():
    src = "x = 1\nname = 'resnet50_8x32_in1k'\n"
    result = analyse(src, None)
    (f,) = result.findings
    assert f.code == "MMN101"
    assert src[f.start : f.end] == "8x32"
    # `8x32` may be GPUs x batch or batch x GPUs: the fix is a guess.
    assert f.fix.text == "8xb32" and not f.fix.safe


def test_filename_findings_and_rename_fix(tmp_path):
    path = tmp_path / "configs" / "resnet" / "resnet50_b32x8_in1k.py"
    result = analyse("", str(path))
    (f,) = result.findings
    assert f.on_filename and f.message.startswith("File name:")
    assert f.fix.new_filename == "resnet50_8xb32_in1k.py"


def test_base_and_private_files_are_not_judged():
    for path in ("/r/configs/_base_/datasets/imagenet_bs32.py", "/r/configs/x/_helper.py",
                 "/r/configs/x/__init__.py"):
        assert analyse("", path).findings == []


def test_missing_base_only_when_missing(tmp_path):
    base = tmp_path / "_base_" / "models"
    base.mkdir(parents=True)
    (base / "resnet50.py").write_text("model = dict()\n")
    cfg = tmp_path / "resnet50_8xb32_in1k.py"
    src = "_base_ = ['./_base_/models/resnet50.py', './_base_/models/nope.py']\n"
    result = analyse(src, str(cfg))
    missing = [f for f in result.findings if f.code == "MMN201"]
    assert [src[f.start : f.end] for f in missing] == ["./_base_/models/nope.py"]


def test_settings_severity_and_off():
    src = "a = 'resnet50_8x32-colsr_in1k'\n"
    settings, errors = parse_settings({"severity": {"MMN102": "off", "MMN101": "hint"}})
    assert errors == []
    result = analyse(src, None, settings)
    assert [(f.code, f.severity) for f in result.findings] == [("MMN101", "hint")]
    assert analyse(src, None, Settings(enable=False)).findings == []


def test_bad_settings_are_named():
    settings, errors = parse_settings(
        {"severity": {"MMN999": "error", "MMN101": "loud"}, "sources": "all", "foo": 1}
    )
    assert settings == Settings()
    text = " ".join(errors)
    for key in ("MMN999", "MMN101", "mmname.sources", "mmname.foo"):
        assert key in text


def test_extra_tokens_are_known():
    src = "a = 'resnet50_8xb32-cosl_in1k'\n"
    assert codes(analyse(src, None)) == ["MMN102"]  # `cosl` looks like a typo of `coslr`
    settings, errors = parse_settings({"extraTokens": {"cosl": "my own cosine variant"}})
    assert errors == []
    result = analyse(src, None, settings)
    assert result.findings == []
    token = result.occurrences[0].decoded.token_at(len("resnet50_8xb32-c"))
    assert (token.text, token.meaning) == ("cosl", "my own cosine variant")


def test_suppression_line_and_file_and_stale():
    src = (
        "a = 'resnet50_8x32_in1k'  # mmname: disable=MMN101\n"
        "b = 'resnet50_8xb32-colsr_in1k'\n"
        "c = 'resnet50_8xb32_in1k'  # mmname: disable=MMN102\n"
    )
    result = analyse(src, None)
    assert codes(result) == ["MMN102", "MMN290"]
    stale = result.findings[1]
    assert src[stale.start : stale.end] == "  # mmname: disable=MMN102"
    new, n = apply_text_fixes(src, text_fixes(result.findings))
    assert n == 1 and "disable=MMN102" not in new
    whole = "# mmname: disable-file=MMN102\n" + src.replace("  # mmname: disable=MMN102", "")
    assert codes(analyse(whole, None)) == []


def test_safe_fixes_are_idempotent():
    src = "a = 'resnet50_b32x8_imagenet'\nb = 'swin-base_16xb64_in1k-384'\n"
    fixed, n = apply_text_fixes(src, text_fixes(analyse(src, None).findings))
    assert n == 3
    assert fixed == "a = 'resnet50_8xb32_in1k'\nb = 'swin-base_16xb64_in1k-384px'\n"
    again, n2 = apply_text_fixes(fixed, text_fixes(analyse(fixed, None).findings))
    assert n2 == 0 and again == fixed


def test_unknown_model_in_get_model():
    src = "get_model('resnet50_8xb32_in1kk')\nget_model('configs/resnet/x.py')\n"
    result = analyse(src, None)
    (f,) = [f for f in result.findings if f.code == "MMN202"]
    assert f.fix.text == "resnet50_8xb32_in1k" and not f.fix.safe


def test_rules_docs_are_up_to_date():
    proc = subprocess.run([sys.executable, "-m", "mmname_lsp.rules.docs", "--check"],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_ruff_is_clean():
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_suppression_syntax_inside_a_string_is_not_a_directive():
    src = 'doc = "write # mmname: disable=MMN101 to silence a line"\n'
    assert analyse(src, None).findings == []


def test_fixes_inside_paths_and_urls_are_unsafe():
    src = (
        "load_from = 'work_dirs/resnet50_b32x8_imagenet_20210531-6e13bcd3.pth'\n"
        "name = 'resnet50_b32x8_imagenet'\n"
    )
    result = analyse(src, None)
    by_line = {src[: f.start].count("\n"): f for f in result.findings if f.code == "MMN101"}
    assert by_line[0].fix.safe is False  # renaming the text would not rename the file
    assert by_line[1].fix.safe is True


def test_the_projects_own_tree_is_clean():
    proc = subprocess.run([sys.executable, "-m", "mmname_lsp.cli", "check", "."], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_models_own_name_in_a_string_is_checked_against_the_content(tmp_path):
    # The zoo builds `resnet50_8xb32_in1k` from configs/resnet/resnet50_8xb32_in1k.py.
    cfg = tmp_path / "configs" / "resnet" / "resnet50_8xb32_in1k.py"
    cfg.parent.mkdir(parents=True)
    src = (
        "train_dataloader = dict(batch_size=64)\n"
        "model_name = 'resnet50_8xb32_in1k'\n"
        "other = 'resnet101_8xb32_in1k'\n"  # another model's name: not this config's
    )
    result = analyse(src, str(cfg))
    mismatches = [f for f in result.findings if f.code == "MMN301"]
    assert len(mismatches) == 2
    on_name, in_string = sorted(mismatches, key=lambda f: not f.on_filename)
    assert on_name.on_filename
    assert src[in_string.start : in_string.end] == "8xb32"
    assert in_string.start > src.index("model_name")
    assert in_string.start < src.index("other")
