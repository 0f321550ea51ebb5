"""`mmname` command line: ``decode`` (and, later, ``check``).

Imports nothing from pygls: the CLI must start fast in CI and pre-commit.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Iterable, List, Optional, TextIO

from mmname_lsp import __version__

# ANSI colours per role; chosen to stay readable on dark and light terminals.
_ROLE_COLOURS = {
    "algorithm": "35",
    "module": "36",
    "pretrain": "33",
    "training": "32",
    "data": "34",
    "headless": "90",
    "date": "90",
    "hash": "90",
}
_SEVERITY_COLOURS = {"error": "31;1", "warning": "33;1", "information": "36", "hint": "90"}
MAX_LINE = 4096


class UsageError(Exception):
    pass


def _use_colour(choice: str, stream: TextIO) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def _paint(text: str, code: Optional[str], colour: bool) -> str:
    if not colour or not code:
        return text
    return f"\x1b[{code}m{text}\x1b[0m"


def _safe(text: str) -> str:
    """Show control characters escaped so a binary input cannot drive the terminal."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def render_text(decoded, colour: bool) -> str:  # decoded: Decoded
    lines: List[str] = []
    shown = decoded.input if len(decoded.input) <= 200 else decoded.input[:200] + "…"
    lines.append(f"{_paint(_safe(shown), '1', colour)}  ({decoded.kind})")
    if decoded.parts:
        coloured = []
        pos = decoded.name_start
        text = decoded.input
        for p in decoded.parts:
            coloured.append(_safe(text[pos : p.start]))
            coloured.append(_paint(p.text, _ROLE_COLOURS.get(p.role), colour))
            pos = p.end
        coloured.append(_safe(text[pos:]) if pos > decoded.name_start else "")
        lines.append("  " + "".join(coloured))
    for p in decoded.parts:
        role = _paint(f"{p.role:<9}", _ROLE_COLOURS.get(p.role), colour)
        lines.append(f"  {role} {p.text}")
        for t in p.tokens:
            lines.append(f"      {t.text:<14} {t.kind:<13} {t.meaning}")
    for a in decoded.ambiguities:
        lines.append(f"  note: {a}")
    for pr in decoded.problems:
        sev = _paint(pr.severity, _SEVERITY_COLOURS.get(pr.severity), colour)
        fix = f" (fix: {pr.replacement!r})" if pr.replacement is not None else ""
        lines.append(f"  {sev} {pr.code} [{pr.start}:{pr.end}] {_safe(pr.message)}{fix}")
    zoo = decoded.zoo
    if zoo:
        lines.append("  zoo:")
        for key in (
            "name",
            "config",
            "weights",
            "top1",
            "parameters",
            "flops",
            "epochs",
            "batch_size",
            "collection",
            "paper",
        ):
            if zoo.get(key) is not None:
                lines.append(f"      {key:<11} {zoo[key]}")
        if zoo.get("config_models"):
            lines.append(f"      models     {', '.join(zoo['config_models'])}")
    return "\n".join(lines)


def _read_stdin_names(stream: TextIO) -> Iterable[str]:
    for line in stream:
        line = line.rstrip("\r\n")
        if len(line) > MAX_LINE:
            # Still reported as one (unreadable) input, without holding a huge copy.
            yield line[: MAX_LINE + 1]
        elif line.strip():
            yield line.strip()


def cmd_decode(args: argparse.Namespace, out: TextIO) -> int:
    from mmname_lsp.naming import decode

    names: List[str] = []
    for n in args.names:
        if n == "-":
            stdin = sys.stdin
            try:
                names.extend(_read_stdin_names(stdin))
            except UnicodeDecodeError:
                print("mmname: standard input is not valid UTF-8 text", file=sys.stderr)
                return 2
        else:
            names.append(n)
    expected = None if args.kind == "auto" else args.kind
    results = [decode(n, expected) for n in names]
    if args.json:
        json.dump([r.to_dict() for r in results], out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        colour = _use_colour(args.color, out)
        out.write("\n\n".join(render_text(r, colour) for r in results))
        out.write("\n" if results else "")
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="mmname", description="Decode and check OpenMMLab MMPretrain names."
    )
    ap.add_argument("--version", action="version", version=f"mmname {__version__}")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")
    dec = sub.add_parser("decode", help="explain names part by part ('-' reads stdin)")
    dec.add_argument(
        "names", nargs="+", metavar="NAME", help="model name, config path or checkpoint"
    )
    dec.add_argument("--json", action="store_true", help="print one JSON array")
    dec.add_argument("--color", "--colour", choices=("auto", "always", "never"), default="auto")
    dec.add_argument(
        "--kind",
        choices=("auto", "model", "config", "checkpoint"),
        default="auto",
        help="what the names are expected to be (default: detect)",
    )
    dec.set_defaults(func=cmd_decode)
    return ap


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return args.func(args, sys.stdout)
    except BrokenPipeError:
        # `mmname decode - | head`: the reader went away; not an error of ours.
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        except OSError:
            pass
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
