"""`mmname decode`: in-process through ``main([...])`` and as a real subprocess.

Whatever the input, the command never prints a traceback: usage errors exit 2,
everything else (even binary or huge input) is reported as a problem with exit 0.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List, Optional

import jsonschema
import pytest

from mmname_lsp.cli.main import MAX_LINE, main

ROOT = Path(__file__).resolve().parents[2]
ANSI = "\x1b["

TOKEN = {
    "type": "object",
    "additionalProperties": False,
    "required": ["text", "start", "end", "kind", "meaning"],
    "properties": {
        "text": {"type": "string"},
        "start": {"type": "integer", "minimum": 0},
        "end": {"type": "integer", "minimum": 0},
        "kind": {"type": "string"},
        "meaning": {"type": "string"},
    },
}
PART = {
    "type": "object",
    "additionalProperties": False,
    "required": ["role", "text", "start", "end", "tokens"],
    "properties": {
        "role": {
            "enum": [
                "algorithm",
                "module",
                "pretrain",
                "training",
                "data",
                "headless",
                "date",
                "hash",
            ]
        },
        "text": {"type": "string"},
        "start": {"type": "integer", "minimum": 0},
        "end": {"type": "integer", "minimum": 0},
        "tokens": {"type": "array", "items": TOKEN},
    },
}
PROBLEM = {
    "type": "object",
    "additionalProperties": False,
    "required": ["code", "severity", "message", "start", "end", "replacement"],
    "properties": {
        "code": {"type": "string", "pattern": "^MMN[0-9]{3}$"},
        "severity": {"enum": ["error", "warning", "information", "hint"]},
        "message": {"type": "string", "minLength": 1},
        "start": {"type": "integer", "minimum": 0},
        "end": {"type": "integer", "minimum": 0},
        "replacement": {"type": ["string", "null"]},
    },
}
SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["input", "kind", "parts", "problems", "zoo"],
        "properties": {
            "input": {"type": "string"},
            "kind": {"enum": ["model", "config", "checkpoint"]},
            "parts": {"type": "array", "items": PART},
            "problems": {"type": "array", "items": PROBLEM},
            "zoo": {"type": ["object", "null"]},
        },
    },
}


def run_cli(
    args: List[str],
    stdin: Optional[bytes] = None,
    env: Optional[dict] = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    full_env["PYTHONPATH"] = str(ROOT) + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "mmname_lsp.cli", *args],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        env=full_env,
        cwd=ROOT,
        timeout=timeout,
    )


def assert_no_traceback(stderr) -> None:
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    assert "Traceback" not in text, text


def check_json(stdout: bytes) -> list:
    data = json.loads(stdout.decode("utf-8"))  # strict UTF-8: no raw surrogate bytes
    jsonschema.validate(data, SCHEMA)
    for item in data:
        text = item["input"]
        for part in item["parts"]:
            assert text[part["start"] : part["end"]] == part["text"]
            for tok in part["tokens"]:
                assert text[tok["start"] : tok["end"]] == tok["text"]
        for pr in item["problems"]:
            assert 0 <= pr["start"] <= pr["end"] <= len(text)
    return data


# -- in-process ---------------------------------------------------------------------------


def test_text_output_explains_every_part(capsys):
    assert main(["decode", "resnet50_8x32-colsr_imagenet"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert ANSI not in out  # captured stdout is no terminal
    assert out.startswith("resnet50_8x32-colsr_imagenet  (model)\n")
    for line in (
        "  module    resnet50",
        "  training  8x32-colsr",
        "  data      imagenet",
        "error MMN101 [9:13]",
        "warning MMN102 [14:19] Unknown word `colsr`; did you mean `coslr`? (fix: 'coslr')",
        "warning MMN103 [20:28]",
        "(fix: 'in1k')",
    ):
        assert line in out, line


def test_text_output_shows_the_zoo_entry(capsys):
    assert main(["decode", "resnet50_8xb32_in1k"]) == 0
    out = capsys.readouterr().out
    assert "  zoo:" in out
    assert "configs/resnet/resnet50_8xb32_in1k.py" in out
    assert "Deep Residual Learning" in out
    assert "error" not in out and "warning" not in out


def test_several_names_are_separated_by_a_blank_line(capsys):
    assert main(["decode", "resnet50_8xb32_in1k", "vit-base-p16_headless.py"]) == 0
    out = capsys.readouterr().out
    blocks = out.rstrip("\n").split("\n\n")
    assert [b.splitlines()[0] for b in blocks] == [
        "resnet50_8xb32_in1k  (model)",
        "vit-base-p16_headless.py  (config)",
    ]


def test_json_output_schema_and_content(capsys):
    names = [
        "resnet50_8x32-colsr_imagenet",
        "configs/resnet/resnet50_8xb32_in1k.py",
        "https://download.openmmlab.com/mmclassification/v0/resnet/"
        "resnet50_8xb32_in1k_20210831-ea4938fc.pth",
        "",
    ]
    assert main(["decode", "--json", *names]) == 0
    data = check_json(capsys.readouterr().out.encode("utf-8"))
    assert [d["input"] for d in data] == names
    assert [d["kind"] for d in data] == ["model", "config", "checkpoint", "model"]
    assert data[0]["zoo"] is None
    assert [p["code"] for p in data[0]["problems"]] == ["MMN101", "MMN102", "MMN103"]
    assert data[0]["problems"][0]["replacement"] == "8xb32"
    assert "resnet50_8xb32_in1k" in data[1]["zoo"]["config_models"]
    assert data[2]["zoo"]["name"] == "resnet50_8xb32_in1k"
    assert [p["role"] for p in data[2]["parts"]][-2:] == ["date", "hash"]
    assert [p["code"] for p in data[3]["problems"]] == ["MMN100"]


def test_kind_option_is_passed_to_the_decoder(capsys):
    assert main(["decode", "--json", "--kind", "model", "resnet50_8xb32_in1k.py"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0]["kind"] == "model"
    assert [p["code"] for p in data[0]["problems"]] == ["MMN116"]


def test_empty_name(capsys):
    assert main(["decode", ""]) == 0
    out = capsys.readouterr().out
    assert "MMN100" in out and "empty" in out


def test_stdin_batch_in_process(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("resnet50_8xb32_in1k\n\n   \nvit_8x32_in1k\r\n"))
    assert main(["decode", "--json", "-", "extra_8xb32_in1k"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["input"] for d in data] == [
        "resnet50_8xb32_in1k",
        "vit_8x32_in1k",
        "extra_8xb32_in1k",
    ]


@pytest.mark.parametrize("choice", ["never", "auto"])
def test_no_colour_unless_asked(choice, capsys):
    assert main(["decode", "--color", choice, "resnet50__8x32_in1k"]) == 0
    assert ANSI not in capsys.readouterr().out


def test_colour_always(capsys, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")  # an explicit --color always wins
    assert main(["decode", "--color", "always", "resnet50__8x32_in1k"]) == 0
    out = capsys.readouterr().out
    assert "\x1b[36mresnet50\x1b[0m" in out  # module in cyan
    assert "\x1b[31;1merror\x1b[0m" in out


def test_control_characters_are_escaped_in_text_output(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("res\x00net\x1b[31m_in1k\n"))
    assert main(["decode", "-"]) == 0
    out = capsys.readouterr().out
    assert "\x00" not in out and "\x1b" not in out
    assert "res\\x00net\\x1b[31m_in1k" in out
    assert "MMN100" in out


@pytest.mark.parametrize(
    "argv",
    [[], ["decode"], ["decode", "--bogus", "x"], ["--bogus"], ["decode", "--kind", "x", "y"]],
)
def test_usage_errors_exit_2(argv, capsys):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert "usage:" in err
    assert_no_traceback(err)


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("mmname ")


# -- subprocess ---------------------------------------------------------------------------


def test_subprocess_text_output():
    proc = run_cli(["decode", "resnet50_8x32-colsr_imagenet"])
    assert proc.returncode == 0
    assert proc.stderr == b""
    out = proc.stdout.decode("utf-8")
    assert ANSI not in out  # a pipe is no terminal
    assert "MMN101" in out and "MMN102" in out and "MMN103" in out


def test_subprocess_json_output():
    proc = run_cli(["decode", "--json", "resnet50_8xb32_in1k", "resnet50_in1k_8xb32"])
    assert proc.returncode == 0, proc.stderr
    data = check_json(proc.stdout)
    assert data[0]["zoo"]["name"] == "resnet50_8xb32_in1k"
    assert data[1]["problems"][0]["code"] == "MMN110"
    assert data[1]["problems"][0]["replacement"] == "resnet50_8xb32_in1k"


def test_subprocess_stdin_batch():
    names = ["resnet50_8xb32_in1k", "", "  ", "vit-base-p16_headless.py", "x_8xb32.pth"]
    proc = run_cli(["decode", "--json", "-"], stdin="\n".join(names).encode() + b"\n")
    assert proc.returncode == 0, proc.stderr
    data = check_json(proc.stdout)
    assert [d["input"] for d in data] == [
        "resnet50_8xb32_in1k",
        "vit-base-p16_headless.py",
        "x_8xb32.pth",
    ]
    assert [d["kind"] for d in data] == ["model", "config", "checkpoint"]


@pytest.mark.parametrize(
    "args, env",
    [
        (["decode", "resnet50__8x32_in1k"], {"NO_COLOR": "1"}),
        (["decode", "--color", "never", "resnet50__8x32_in1k"], {}),
        (["decode", "--color", "auto", "resnet50__8x32_in1k"], {}),
    ],
)
def test_subprocess_no_colour(args, env):
    proc = run_cli(args, env=env)
    assert proc.returncode == 0
    assert ANSI.encode() not in proc.stdout


def test_subprocess_colour_always():
    proc = run_cli(["decode", "--color", "always", "resnet50__8x32_in1k"])
    assert proc.returncode == 0
    assert ANSI.encode() in proc.stdout


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal (POSIX)")
@pytest.mark.parametrize("no_color, coloured", [(None, True), ("1", False)])
def test_terminal_is_coloured_unless_no_color(no_color, coloured):
    master, slave = os.openpty()
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["PYTHONPATH"] = str(ROOT)
    if no_color:
        env["NO_COLOR"] = no_color
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mmname_lsp.cli", "decode", "resnet50_8x32_in1k"],
            stdout=slave,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=ROOT,
        )
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO once the child has closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait(timeout=60) == 0
        assert_no_traceback(proc.stderr.read())
        proc.stderr.close()
    finally:
        os.close(master)
    assert (ANSI.encode() in b"".join(chunks)) is coloured


def test_subprocess_empty_string():
    proc = run_cli(["decode", ""])
    assert proc.returncode == 0
    assert b"MMN100" in proc.stdout
    assert_no_traceback(proc.stderr)


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_subprocess_binary_and_nul_input(json_flag):
    stdin = b"res\x00net_8xb32\n\xff\xfe\x00\x01garbage\nres\xc3net\nresnet50_8xb32_in1k\n"
    proc = run_cli(["decode", *json_flag, "-"], stdin=stdin)
    assert proc.returncode == 0
    assert_no_traceback(proc.stderr)
    if json_flag:
        data = check_json(proc.stdout)
        assert [d["problems"][0]["code"] for d in data[:3]] == ["MMN100"] * 3
        assert data[3]["problems"] == []
    else:
        out = proc.stdout.decode("utf-8")  # escaped: always valid UTF-8
        assert out.count("MMN100") == 3
        assert "\x00" not in out


@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "utf-8"}, {"PYTHONIOENCODING": "ascii"}])
def test_subprocess_narrow_or_strict_encodings(env):
    proc = run_cli(["decode", "résnet50_8xb32_in1k"], env=env)
    assert proc.returncode == 0
    assert_no_traceback(proc.stderr)
    stdin = "résnet\nres\udcffx\n".encode("utf-8", "surrogateescape")
    proc = run_cli(["decode", "--json", "-"], stdin=stdin, env=env)
    assert proc.returncode == 0
    assert_no_traceback(proc.stderr)
    data = check_json(proc.stdout)
    assert data[1]["problems"][0]["code"] == "MMN100"
    if env["PYTHONIOENCODING"] == "utf-8":
        assert data[0]["input"] == "résnet"


def test_subprocess_one_megabyte_line():
    line = b"resnet50_8xb32_in1k_" * 52_429  # just over 1 MB, one line
    proc = run_cli(["decode", "-"], stdin=line + b"\nresnet50_8xb32_in1k\n")
    assert proc.returncode == 0
    assert_no_traceback(proc.stderr)
    out = proc.stdout.decode("utf-8")
    assert "error MMN100" in out and "far too long" in out
    assert len(out) < 10_000  # the huge input is not echoed back
    assert "resnet50_8xb32_in1k  (model)" in out
    proc = run_cli(["decode", "--json", "-"], stdin=line + b"\n")
    data = check_json(proc.stdout)
    assert len(data[0]["input"]) == MAX_LINE + 1
    assert data[0]["problems"][0]["code"] == "MMN100"


@pytest.mark.parametrize(
    "args", [[], ["decode"], ["decode", "--bogus", "x"], ["decode", "--color", "pink", "x"]]
)
def test_subprocess_usage_errors(args):
    proc = run_cli(args)
    assert proc.returncode == 2
    assert b"usage:" in proc.stderr
    assert_no_traceback(proc.stderr)


def test_subprocess_closed_pipe_is_not_an_error():
    names = ("resnet50_8xb32_in1k\n" * 20_000).encode()
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.Popen(
        [sys.executable, "-m", "mmname_lsp.cli", "decode", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    proc.stdin.write(names)
    proc.stdin.close()
    assert proc.stdout.readline().startswith(b"resnet50_8xb32_in1k")
    proc.stdout.close()  # like `| head -1`
    assert proc.wait(timeout=120) == 0
    assert_no_traceback(proc.stderr.read())
    proc.stderr.close()


def test_cli_import_does_not_load_the_language_server():
    code = "import sys, mmname_lsp.cli; print(sorted(m for m in sys.modules if 'pygls' in m))"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


@pytest.mark.skipif(shutil.which("mmname") is None, reason="mmname console script not installed")
def test_console_script():
    proc = subprocess.run(
        ["mmname", "decode", "--json", "resnet50_8xb32_in1k"],
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert check_json(proc.stdout)[0]["zoo"]["name"] == "resnet50_8xb32_in1k"
