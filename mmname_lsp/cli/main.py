"""`mmname` command line: ``decode`` and ``check``.

Imports nothing from pygls: the CLI must start fast in CI and pre-commit.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from typing import Iterable, List, Optional, TextIO

from mmname_lsp import __version__
from mmname_lsp.cli.terminal import SEVERITY_COLOURS, paint, printable, use_colour

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
MAX_LINE = 4096


class UsageError(Exception):
    pass


def render_text(decoded, colour: bool) -> str:  # decoded: Decoded
    lines: List[str] = []
    shown = decoded.input if len(decoded.input) <= 200 else decoded.input[:200] + "…"
    lines.append(f"{paint(printable(shown), '1', colour)}  ({decoded.kind})")
    if decoded.parts:
        coloured = []
        pos = decoded.name_start
        text = decoded.input
        for p in decoded.parts:
            coloured.append(printable(text[pos : p.start]))
            coloured.append(paint(p.text, _ROLE_COLOURS.get(p.role), colour))
            pos = p.end
        coloured.append(printable(text[pos:]) if pos > decoded.name_start else "")
        lines.append("  " + "".join(coloured))
    for p in decoded.parts:
        role = paint(f"{p.role:<9}", _ROLE_COLOURS.get(p.role), colour)
        lines.append(f"  {role} {p.text}")
        for t in p.tokens:
            lines.append(f"      {t.text:<14} {t.kind:<13} {t.meaning}")
    for a in decoded.ambiguities:
        lines.append(f"  note: {a}")
    for pr in decoded.problems:
        sev = paint(pr.severity, SEVERITY_COLOURS.get(pr.severity), colour)
        fix = f" (fix: {pr.replacement!r})" if pr.replacement is not None else ""
        lines.append(f"  {sev} {pr.code} [{pr.start}:{pr.end}] {printable(pr.message)}{fix}")
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
            # Undecodable bytes become lone surrogates, which the decoder reports
            # per line, whatever the locale (instead of failing the whole batch).
            reconfigure = getattr(stdin, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(errors="surrogateescape")
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
        data = [r.to_dict() for r in results]
        text = json.dumps(data, indent=2, ensure_ascii=False)
        try:
            text.encode(getattr(out, "encoding", None) or "utf-8")
        except (UnicodeEncodeError, LookupError):
            # Lone surrogates or a narrow terminal encoding: escape everything
            # rather than emit bad bytes or fail.
            text = json.dumps(data, indent=2)
        out.write(text + "\n")
    else:
        colour = use_colour(args.color, out)
        _say(out, "\n\n".join(render_text(r, colour) for r in results))
        out.write("\n" if results else "")
    return 0


CHECK_DESCRIPTION = """\
Lint MMPretrain names: the file names of config files and the names in Python
sources (_base_ paths, checkpoints, get_model(...) and other literals) under
each PATH (default: the current folder), plus every --name.

Folders are walked for .py files, honouring .gitignore (through `git ls-files`
inside a git work tree) and skipping hidden folders, node_modules, __pycache__
and virtual environments; files given directly are always checked.
Settings come from [tool.mmname] in the nearest pyproject.toml above the first
PATH (keys: enable, severity, extraTokens, sources, select, ignore, exclude,
cache-dir).

Findings are cached (in .mmname_cache next to that pyproject.toml, or in the
current folder): a file is analysed again only when it, a file it inherits
from, the settings or mmname itself changed. --no-cache analyses everything.

Text output is `path:line:col: CODE message` with 1-based lines and columns;
JSON has 0-based lines and code-point characters (file-name findings on line
0); SARIF 2.1.0 counts columns in code points. Hints are not reported unless
--min-severity hint.

Exit status: 0 no problem, 1 problems found (with --diff: changes to make),
2 usage, configuration or I/O error."""


def _codes(values: Optional[List[str]], option: str) -> Optional[List[str]]:
    """Codes from repeated and comma-separated options; UsageError for unknown ones."""
    if values is None:
        return None
    from mmname_lsp.codes import unknown_selector

    out = []
    for value in values:
        for code in value.split(","):
            code = code.strip().upper()
            if not code:
                continue
            if unknown_selector(code):
                raise UsageError(f"{option}: `{code}` is no rule code or prefix")
            out.append(code)
    return out


def _say(stream: TextIO, text: str) -> None:
    """Write ``text``, escaping what the stream's encoding cannot show."""
    try:
        stream.write(text)
    except UnicodeEncodeError:
        enc = getattr(stream, "encoding", None) or "utf-8"
        stream.write(text.encode(enc, "backslashreplace").decode(enc))


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from pathlib import Path

    from mmname_lsp.cli import output
    from mmname_lsp.cli.cache import cache_folder
    from mmname_lsp.cli.check import CheckOptions, run_check
    from mmname_lsp.files import IgnoreSpec
    from mmname_lsp.project_config import ConfigError, ProjectConfig, discover, load_config

    err = sys.stderr
    try:
        if args.rename_files and not (args.fix or args.diff):
            raise UsageError("--rename-files needs --fix or --diff")
        if args.statistics and args.format == "sarif":
            raise UsageError("--statistics cannot be combined with --format sarif")
        select = _codes(args.select, "--select")
        ignore = _codes(args.ignore, "--ignore") or []
    except UsageError as exc:
        err.write(f"mmname check: error: {exc}\n")
        return 2
    paths = list(args.paths)
    if not paths and not args.names:
        paths = ["."]
    try:
        if args.no_config:
            config = ProjectConfig()
        elif args.config is not None:
            cfg = Path(args.config)
            if not os.path.lexists(cfg):
                raise ConfigError(f"{cfg}: no such configuration file")
            # Anything else (a folder, a FIFO, no permission) the reader
            # refuses with its reason.
            config = load_config(cfg)
        else:
            config = discover(Path(paths[0]) if paths else Path.cwd())
    except ConfigError as exc:
        err.write(f"mmname check: configuration error: {exc}\n")
        return 2
    excludes = []
    if config.exclude and config.root is not None:
        excludes.append(IgnoreSpec.from_lines(str(config.root), config.exclude))
    if args.exclude:
        excludes.append(IgnoreSpec.from_lines(os.getcwd(), args.exclude))
    cache_dir, cache_chosen = cache_folder(args.cache_dir, config.cache_dir, config.root)
    options = CheckOptions(
        paths=paths,
        names=list(args.names),
        settings=config.settings,
        select=select if select is not None else config.select,
        ignore=tuple(config.ignore) + tuple(ignore),
        excludes=excludes,
        force_exclude=args.force_exclude,
        min_severity=args.min_severity,
        fix=args.fix,
        unsafe_fixes=args.unsafe_fixes,
        diff=args.diff,
        rename_files=args.rename_files,
        cache_dir=None if args.no_cache else str(cache_dir),
        cache_warnings=cache_chosen,
        cache_scope=str(config.root or Path.cwd()),
        jobs=args.jobs,
    )
    try:
        result = run_check(options)
    except Exception as exc:  # a bug of ours: one line, not a traceback
        if os.environ.get("MMNAME_DEBUG"):
            raise
        err.write(f"mmname check: internal error: {type(exc).__name__}: {exc} "
                  "(MMNAME_DEBUG=1 shows the traceback)\n")
        return 2
    for n in result.notices:
        _say(err, f"mmname check: {n.level}: {printable(n.path)}: {n.message}\n")
    if args.verbose:
        _say(err, output.render_verbose(result))
    machine = args.format in ("json", "sarif", "github") or args.diff
    closing = err if machine else out
    if args.diff:
        _say(out, output.render_diff(result))
        if result.fixed or result.renames or result.references_updated:
            _say(err, f"Would fix {result.fixed} problem{'s' if result.fixed != 1 else ''}"
                      + (f" and rename {len(result.renames)} file(s)" if result.renames else "")
                      + ".\n")
        else:
            _say(err, "No fixes to make.\n")
        if result.errors:
            return 2
        return 1 if result.has_changes else 0
    if args.statistics:
        rows = output.statistics(result)
        if args.format == "json":
            _say(out, output.dumps(rows))
        else:
            _say(out, output.render_statistics_text(rows))
    else:
        colour = args.format == "text" and use_colour(args.color, out)
        _say(out, output.render(result, args.format, colour))
    _say(closing, output.summary(result))
    if result.errors:
        return 2
    if result.findings and not args.exit_zero:
        return 1
    return 0


def _jobs(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, not {value!r}")
    return n


def _add_check_parser(sub) -> None:
    chk = sub.add_parser(
        "check",
        help="lint config file names and names in Python sources",
        description=CHECK_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    chk.add_argument("paths", nargs="*", metavar="PATH",
                     help="files and folders to check (default: .)")
    chk.add_argument("--name", dest="names", action="append", default=[], metavar="NAME",
                     help="also check NAME (model name, config path or checkpoint); "
                          "reported with path <name>; repeatable")
    chk.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text",
                     help="output format (default: text)")
    chk.add_argument("--select", action="append", metavar="CODES",
                     help="report only these rule codes or prefixes (MMN1, ALL); "
                          "comma-separated, repeatable; replaces `select` of the config")
    chk.add_argument("--ignore", action="append", metavar="CODES",
                     help="do not report these codes or prefixes; adds to `ignore`")
    chk.add_argument("--min-severity", choices=("error", "warning", "information", "hint"),
                     default="information",
                     help="lowest severity to report (default: information; hints are "
                          "shown by editors, not reported)")
    chk.add_argument("--fix", action="store_true",
                     help="apply safe fixes in place, until nothing changes")
    chk.add_argument("--unsafe-fixes", action="store_true",
                     help="with --fix/--diff, apply unsafe fixes (guesses) too")
    chk.add_argument("--diff", action="store_true",
                     help="print a unified diff of what --fix would change, write nothing; "
                          "exit 1 when there is one")
    chk.add_argument("--rename-files", action="store_true",
                     help="with --fix/--diff, rename config files whose file names have "
                          "fixes, and update `_base_` paths to them in the checked files "
                          "(not in metafiles, READMEs or unchecked files)")
    chk.add_argument("--exit-zero", action="store_true",
                     help="exit 0 even when problems are found")
    chk.add_argument("--statistics", action="store_true",
                     help="print the number of findings per rule instead of each finding")
    chk.add_argument("--exclude", action="append", default=[], metavar="PATTERN",
                     help="gitignore-style pattern (relative to the current folder) of "
                          "files and folders to skip; adds to `exclude`; repeatable")
    chk.add_argument("--force-exclude", action="store_true",
                     help="apply `exclude` patterns to files given directly, too")
    group = chk.add_mutually_exclusive_group()
    group.add_argument("--config", metavar="FILE",
                       help="read [tool.mmname] from FILE instead of the nearest pyproject.toml")
    group.add_argument("--no-config", action="store_true",
                       help="ignore pyproject.toml files; use the defaults")
    chk.add_argument("-j", "--jobs", type=_jobs, default=0, metavar="N",
                     help="processes for files not in the cache (default 0: one per CPU; "
                          "1: this process only); used for 64 files or more")
    chk.add_argument("-v", "--verbose", action="store_true",
                     help="also say what the static config reader left out and why "
                          "(scoped bases, statements that need running code), and how "
                          "many files came from the cache (on stderr)")
    cache = chk.add_mutually_exclusive_group()
    cache.add_argument("--no-cache", action="store_true",
                       help="analyse every file afresh; neither read nor write the cache")
    cache.add_argument("--cache-dir", metavar="DIR",
                       help="keep the cache of findings in DIR (default: "
                            "$MMNAME_CACHE_DIR, `cache-dir` of the configuration, or "
                            ".mmname_cache next to the pyproject.toml or in the current "
                            "folder)")
    chk.add_argument("--color", "--colour", choices=("auto", "always", "never"), default="auto")
    chk.set_defaults(func=cmd_check)


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
    _add_check_parser(sub)
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


def entry() -> int:
    """The `mmname` command: ``main`` in a process that ends right after it."""
    # A run keeps every parsed config alive to its end, and builds no garbage
    # cycles worth finding: the cyclic collector would only rescan the same
    # objects again and again.  Freezing them at the end also spares the
    # full collections the interpreter runs on them while it shuts down.
    gc.disable()
    try:
        return main()
    finally:
        gc.freeze()

