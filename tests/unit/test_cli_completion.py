"""Shell completion: generated from the parser, committed, and working."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def test_committed_completion_scripts_are_up_to_date():
    proc = subprocess.run([sys.executable, "scripts/generate_completions.py", "--check"],
                          cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT,
                          env=_env(), check=False)
    assert proc.returncode == 0, proc.stderr


def test_mmname_completion_prints_the_committed_scripts(tmp_path):
    from mmname_lsp.cli.completion import FILE_NAMES

    for shell, name in FILE_NAMES.items():
        proc = subprocess.run([sys.executable, "-m", "mmname_lsp.cli", "completion", shell],
                              cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT,
                              env=_env(), check=False)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == (ROOT / "completions" / name).read_text()


def test_every_option_of_every_command_is_in_every_script():
    from mmname_lsp.cli.completion import script
    from mmname_lsp.cli.main import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for shell in ("bash", "zsh", "fish"):
        text = script(shell, parser)
        for name, command in sub.choices.items():
            assert name in text
            for action in command._actions:
                for option in action.option_strings:
                    spelled = option if shell != "fish" else (
                        f"-l {option[2:]}" if option.startswith("--") else f"-s {option[1:]}")
                    assert spelled in text, (shell, name, option)


def _bash_complete(tmp_path: Path, line: str) -> list:
    """COMPREPLY of the completion function for the command line ``line``."""
    words = line.split(" ")
    script = (ROOT / "completions" / "mmname.bash").read_text()
    program = (script + "\nCOMP_WORDS=(" + " ".join(f"'{w}'" for w in words) + ")\n"
               f"COMP_CWORD={len(words) - 1}\n_mmname\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n")
    proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], cwd=tmp_path,
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert proc.returncode == 0, proc.stderr
    return [w for w in proc.stdout.split("\n") if w]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_commands_options_values_codes_and_files(tmp_path):
    (tmp_path / "configs").mkdir()
    assert _bash_complete(tmp_path, "mmname ch") == ["check"]
    assert _bash_complete(tmp_path, "mmname check --output-f") == ["--output-format",
                                                                  "--output-file"]
    assert _bash_complete(tmp_path, "mmname check --format js") == ["json", "json-envelope"]
    assert _bash_complete(tmp_path, "mmname check --select MMN101,MMN29") == [
        "MMN101,MMN290", "MMN101,MMN291", "MMN101,MMN292"]
    assert _bash_complete(tmp_path, "mmname rule MMN10") == [f"MMN10{i}" for i in range(10)]
    assert _bash_complete(tmp_path, "mmname check conf") == ["configs"]
    assert _bash_complete(tmp_path, "mmname completion f") == ["fish"]


@pytest.mark.parametrize("shell, name, check", [
    ("zsh", "_mmname", ["zsh", "-n"]),
    ("fish", "mmname.fish", ["fish", "--no-execute"]),
])
def test_zsh_and_fish_scripts_parse(shell, name, check):
    if shutil.which(check[0]) is None:
        pytest.skip(f"{shell} is not installed (apt-get install {shell} to run this test)")
    proc = subprocess.run([*check, str(ROOT / "completions" / name)], capture_output=True,
                          text=True, timeout=TIMEOUT, check=False)
    assert proc.returncode == 0, proc.stderr


def test_fish_loads_the_completions_and_offers_them(tmp_path):
    if shutil.which("fish") is None:
        pytest.skip("fish is not installed (apt-get install fish to run this test)")
    script = ROOT / "completions" / "mmname.fish"
    proc = subprocess.run(
        ["fish", "--no-config", "-c",
         f"source {script}; complete -C 'mmname check --format js'; "
         "complete -C 'mmname ru'"],
        capture_output=True, text=True, timeout=TIMEOUT, check=False, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    offered = [line.split("\t")[0] for line in proc.stdout.splitlines()]
    assert offered == ["json", "json-envelope", "rule"]
