"""`mmname` command line: ``decode`` and ``check``.

Imports nothing from pygls: the CLI must start fast in CI and pre-commit.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import sys
from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, TextIO, Tuple

from mmname_lsp import __version__
from mmname_lsp.cli.terminal import SEVERITY_COLOURS, paint, printable, use_colour

if TYPE_CHECKING:  # imported when a command runs: `decode` needs none of it
    from mmname_lsp.cli.check import CheckResult

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
        fix = _fix_text(pr.replacement, decoded.input[pr.start : pr.end])
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


def _fix_text(replacement: Optional[str], current: str) -> str:
    """`` (fix: ...)`` for a problem; a deletion names what goes (an empty
    replacement printed as '' reads like a missing fix)."""
    if replacement is None:
        return ""
    if replacement == "":
        return f" (fix: remove {printable(current)!r})"
    return f" (fix: {printable(replacement)!r})"


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
    if args.profile is not None:
        from mmname_lsp.analysis import settings_decoder
        from mmname_lsp.settings import Settings

        decoder = settings_decoder(Settings(), profile=args.profile)
        results = [decoder.decode(n, expected) for n in names]
    else:
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
and virtual environments; files given directly are checked unless
--force-exclude and an `exclude` pattern match them.
Each file's settings come from [tool.mmname] in the nearest pyproject.toml
above it (keys: enable, severity, extraTokens, sources, profile, select,
ignore, exclude, cache-dir); --config FILE uses one for all. Each file is
judged by its own profile (see `mmname profiles`; --verbose says which and
why), --profile sets one for all. `-` checks the text on
stdin, as --stdin-filename PATH when given.

Findings are cached (in .mmname_cache next to each pyproject.toml, or in the
current folder): a file is analysed again only when it, a file it inherits
from, the settings or mmname itself changed. --no-cache analyses everything.

Text output is `path:line:col: CODE [severity] message` with 1-based lines
and columns; JSON has 0-based lines and code-point characters (file-name
findings on line 0); SARIF 2.1.0 counts columns in code points. Hints are not reported unless
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
                raise UsageError(f"{option}: `{code}` is not a rule code or a prefix of one "
                                 "(`mmname rule --all` lists them)")
            out.append(code)
    return out


def _say(stream: TextIO, text: str) -> None:
    """Write ``text``, escaping what the stream's encoding cannot show."""
    try:
        stream.write(text)
    except UnicodeEncodeError:
        enc = getattr(stream, "encoding", None) or "utf-8"
        stream.write(text.encode(enc, "backslashreplace").decode(enc))


def _read_stdin_text() -> str:
    """All of standard input as text (a UTF-8 byte order mark dropped)."""
    buffer = getattr(sys.stdin, "buffer", None)
    data = buffer.read() if buffer is not None else sys.stdin.read().encode("utf-8")
    text = data.decode("utf-8")
    return text[1:] if text.startswith("\ufeff") else text


def _check_groups(args: argparse.Namespace, paths: List[str], stdin_path: Optional[str],
                  cli_excludes: list) -> Tuple[list, list, bool, Dict[str, int]]:
    """The files to check grouped by the configuration that applies to each
    (like ruff, the nearest pyproject.toml with [tool.mmname] above each file,
    unless --config or --no-config), so that `mmname check a b` and `mmname
    check b a` agree in a monorepo.

    Returns (groups, notices, whether stdin is excluded, the walk's order of
    the files); a group is [config, targets, names, whether it checks stdin].
    Raises ConfigError."""
    from pathlib import Path

    from mmname_lsp.files import IgnoreSpec, discover
    from mmname_lsp.project_config import (
        ConfigError,
        ConfigFinder,
        ProjectConfig,
        excluded_by,
        load_config,
    )

    fixed = None
    if args.no_config:
        fixed = ProjectConfig()
    elif args.config is not None:
        cfg = Path(args.config)
        if not os.path.lexists(cfg):
            raise ConfigError(f"{cfg}: no such configuration file")
        # Anything else (a folder, a FIFO, no permission) the reader
        # refuses with its reason.
        fixed = load_config(cfg)
    excludes = list(cli_excludes)
    if fixed is not None and fixed.exclude and fixed.root is not None:
        # One configuration: its patterns prune the walk too.
        excludes.append(IgnoreSpec.from_lines(str(fixed.root), fixed.exclude))

    finder = ConfigFinder()  # this run's: the files may have changed since the last

    def config(path: str) -> ProjectConfig:
        return fixed if fixed is not None else finder.config_for(path)

    targets, notices = discover(paths, excludes, force_exclude=args.force_exclude)
    given_files = {os.path.normcase(os.path.abspath(p)) for p in paths if not os.path.isdir(p)}
    groups: dict = {}

    def group(cfg: ProjectConfig) -> list:
        return groups.setdefault(cfg.path, [cfg, [], [], False])

    walk_roots = sorted((os.path.abspath(p) for p in paths if os.path.isdir(p)),
                        key=len, reverse=True)

    def pruned_above(cfg: ProjectConfig, walk_root: Optional[str]) -> bool:
        """Whether a project above ``cfg``'s excludes the folder ``cfg`` is in,
        as ruff's walk would not go into it: only folders the walk went
        through count (all with --force-exclude)."""
        if fixed is not None:
            return False  # one configuration for all: its patterns pruned the walk
        inner = cfg.root
        while inner is not None:
            parent = os.path.dirname(str(inner))
            if parent == str(inner):
                return False
            outer = config(parent)
            if outer.root is None or not str(inner).startswith(str(outer.root)):
                return False  # nothing above, or not above (a loop guard)
            if excluded_by(outer, inner, is_dir=True, below=walk_root):
                return True
            inner = outer.root
        return False

    for t in targets:
        cfg = config(t.abs_path)
        # Like a folder's own patterns: a file given by name is checked unless
        # --force-exclude (pre-commit passes excluded files by name).
        direct = os.path.normcase(t.abs_path) in given_files
        if direct and not args.force_exclude:
            group(cfg)[1].append(t)
            continue
        walk_root = None if direct or args.force_exclude else next(
            (r for r in walk_roots if t.abs_path.startswith(r.rstrip(os.sep) + os.sep)), None)
        # A folder named on the command line is walked even when excluded (as
        # before, and as ruff): only the folders below it count.
        if excluded_by(cfg, t.abs_path, below=walk_root) or pruned_above(cfg, walk_root):
            continue
        group(cfg)[1].append(t)
    stdin_excluded = False
    if stdin_path is not None:
        where = os.path.abspath(stdin_path or "stdin.py")
        cfg = config(where)
        stdin_excluded = bool(stdin_path) and args.force_exclude and (
            excluded_by(cfg, where) or any(s.excludes(where, False) for s in cli_excludes))
        if not stdin_excluded:
            group(cfg)[3] = True
    if args.names:
        group(config(os.getcwd()))[2].extend(args.names)
    ordered = sorted(groups.values(), key=lambda g: str(g[0].path or ""))
    order = {os.path.normcase(t.abs_path): i for i, t in enumerate(targets)}
    return ordered, notices, stdin_excluded, order


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from pathlib import Path

    from mmname_lsp.cli.cache import cache_folder
    from mmname_lsp.cli.check import CheckOptions, merge_results, run_check
    from mmname_lsp.files import IgnoreSpec
    from mmname_lsp.project_config import ConfigError

    err = sys.stderr
    paths = list(args.paths)
    stdin = "-" in paths
    try:
        if args.rename_files and not (args.fix or args.diff):
            raise UsageError("--rename-files needs --fix or --diff")
        if args.statistics and args.format == "sarif":
            raise UsageError("--statistics cannot be combined with --format sarif")
        if stdin and (len(paths) > 1 or args.fix or args.diff):
            raise UsageError("`-` (standard input) is checked alone, without --fix or --diff")
        if args.stdin_filename is not None and not stdin:
            raise UsageError("--stdin-filename names the text read from `-`; give `-` too")
        select = _codes(args.select, "--select")
        ignore = _codes(args.ignore, "--ignore") or []
    except UsageError as exc:
        err.write(f"mmname check: error: {exc}\n")
        return 2
    stdin_text = stdin_path = None
    if stdin:
        paths = []
        stdin_path = args.stdin_filename or ""
        try:
            stdin_text = _read_stdin_text()
        except UnicodeDecodeError:
            err.write("mmname check: error: standard input is not valid UTF-8 text\n")
            return 2
    elif not paths:
        # `--name` adds to the default path, as its help says ("also check").
        paths = ["."]
    cli_excludes = [IgnoreSpec.from_lines(os.getcwd(), args.exclude)] if args.exclude else []
    try:
        groups, notices, stdin_excluded, order = _check_groups(args, paths, stdin_path,
                                                               cli_excludes)
    except ConfigError as exc:
        err.write(f"mmname check: configuration error: {exc}\n")
        return 2
    results = []
    for config, targets, names, with_stdin in groups:
        cache_dir, cache_chosen = cache_folder(args.cache_dir, config.cache_dir, config.root)
        settings = config.settings
        if args.profile is not None:
            settings = dataclasses.replace(settings, profile=args.profile, profile_globs=())
        options = CheckOptions(
            paths=paths,
            names=names,
            settings=settings,
            profiles=args.verbose,
            select=select if select is not None else config.select,
            ignore=tuple(config.ignore) + tuple(ignore),
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
            targets=targets,
            stdin_text=stdin_text if with_stdin else None,
            stdin_path=stdin_path or None,
            foreign=([t for other in groups if other[1] is not targets for t in other[1]]
                     if args.rename_files and len(groups) > 1 else ()),
        )
        try:
            results.append(run_check(options))
        except Exception as exc:  # a bug of ours: one line, not a traceback
            if os.environ.get("MMNAME_DEBUG"):
                raise
            err.write(f"mmname check: internal error: {type(exc).__name__}: {exc} "
                      "(MMNAME_DEBUG=1 shows the traceback)\n")
            return 2
    # Back in the order of the walk (sorted paths), whatever the groups.
    result = merge_results(results, order)
    result.notices[:0] = notices
    if stdin_excluded and not result.reports:
        return 0  # as ruff: an excluded file is not checked, and says nothing
    if args.output_file is None:
        return _report(args, result, out, err)
    try:
        with open(args.output_file, "w", encoding="utf-8", newline="") as stream:
            return _report(args, result, stream, err)
    except OSError as exc:
        err.write(f"mmname check: error: cannot write {args.output_file}: "
                  f"{exc.strerror or exc}\n")
        return 2


def _report(args: argparse.Namespace, result: CheckResult, out: TextIO, err: TextIO) -> int:
    """Print ``result`` as asked; the exit status."""
    from mmname_lsp.cli import output

    quiet = args.quiet or 0
    for n in result.notices:
        # -qq leaves the exit status alone, but errors still say why it is 2.
        if quiet < 2 or n.level == "error":
            _say(err, f"mmname check: {n.level}: {printable(n.path)}: {n.message}\n")
    if args.verbose:
        _say(err, output.render_verbose(result))
    machine = args.format in ("json", "json-envelope", "sarif", "github") or args.diff
    closing = err if machine else out
    if args.diff:
        if quiet < 2:
            _say(out, output.render_diff(result))
        if quiet:
            pass
        elif result.fixed or result.renames or result.references_updated:
            _say(err, f"Would fix {result.fixed} problem{'s' if result.fixed != 1 else ''}"
                      + (f" and rename {len(result.renames)} file(s)" if result.renames else "")
                      + ".\n")
        else:
            _say(err, "No fixes to make.\n")
        if result.errors:
            return 2
        return 1 if result.has_changes else 0
    if quiet >= 2:
        pass
    elif args.statistics:
        rows = output.statistics(result)
        if args.format == "json":
            _say(out, output.dumps(rows))
        elif args.format == "json-envelope":
            _say(out, output.dumps(output.to_envelope(result, rows)))
        else:
            _say(out, output.render_statistics_text(rows))
    else:
        colour = args.format == "text" and use_colour(args.color, out)
        _say(out, output.render(result, args.format, colour))
    if not quiet:
        _say(closing, output.summary(result, fix=args.fix, rename_files=args.rename_files,
                                     unsafe_fixes=args.unsafe_fixes))
    if result.errors:
        return 2
    if result.findings and not args.exit_zero:
        return 1
    return 0


def cmd_rule(args: argparse.Namespace, out: TextIO) -> int:
    from mmname_lsp.codes import RULES
    from mmname_lsp.rules.docs import rule_dict, rule_text

    if args.all == bool(args.codes):
        sys.stderr.write("mmname rule: error: give rule codes or --all\n")
        return 2
    codes: List[str] = []
    for given in args.codes:
        wanted = given.strip().upper()
        # A prefix (MMN1) shows its rules, as --select MMN1 would select them.
        hits = [c for c in RULES if c.startswith(wanted)] if wanted else []
        if not hits:
            sys.stderr.write(f"mmname rule: error: `{printable(given)}` is not a rule code "
                             "or a prefix of one (`mmname rule --all` lists them)\n")
            return 2
        codes.extend(c for c in hits if c not in codes)
    if args.all:
        codes = list(RULES)
    if args.format == "json":
        data = [rule_dict(c) for c in codes]
        single = len(args.codes) == 1 and len(codes) == 1
        out.write(json.dumps(data[0] if single else data, indent=2, ensure_ascii=False) + "\n")
    else:
        _say(out, "\n".join(rule_text(c) for c in codes))
    return 0


def _profile_names() -> List[str]:
    from mmname_lsp.naming.profiles import profile_names

    return list(profile_names())


def _default_profile() -> str:
    from mmname_lsp.naming.profiles import DEFAULT

    return DEFAULT


def cmd_profiles(args: argparse.Namespace, out: TextIO) -> int:
    from mmname_lsp.analysis.profile_of import installed_distributions
    from mmname_lsp.naming.profiles import PROFILES_DIR, profiles

    installed = installed_distributions()
    rows = []
    for p in profiles().values():
        here = {d: installed[d] for d in p.distributions if d in installed}
        rows.append({
            "name": p.name, "title": p.title, "package": p.package,
            "distributions": list(p.distributions), "versions": p.versions,
            "scopes": list(p.scopes), "legacy": p.legacy,
            "source": str(PROFILES_DIR / f"{p.name}.json"),
            "installed": here,
        })
    if args.json:
        out.write(json.dumps(rows, indent=2) + "\n")
        return 0
    width = max((len(r["name"]) for r in rows), default=0)
    lines = []
    for r in rows:
        scopes = ", ".join(f"`{s}`" for s in r["scopes"]) or "none (before MMEngine)"
        inst = "; installed " + ", ".join(f"{d} {v}" for d, v in r["installed"].items()) \
            if r["installed"] else ""
        lines.append(f"{r['name']:<{width}}  {r['title']} (package {r['package']}, "
                     f"default_scope {scopes}{inst})  {r['source']}")
    lines.append(f"{'shared':<{width}}  the rules every profile shares (a file nothing "
                 "places is judged by these only)")
    _say(out, "\n".join(lines) + "\n")
    return 0


def cmd_completion(args: argparse.Namespace, out: TextIO) -> int:
    from mmname_lsp.cli.completion import script

    out.write(script(args.shell, build_parser()))
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
                     help="files and folders to check (default: .); `-` reads one "
                          "file's text from stdin")
    chk.add_argument("--name", dest="names", action="append", default=[], metavar="NAME",
                     help="also check NAME (model name, config path or checkpoint); "
                          "reported with path <name>; repeatable")
    chk.add_argument("--format", "--output-format", dest="format",
                     choices=("text", "json", "json-envelope", "sarif", "github"),
                     default="text",
                     help="output format (default: text); json is an array of findings, "
                          "json-envelope an object with the schema `version`, the "
                          "findings, the notices and the counts")
    chk.add_argument("-o", "--output-file", metavar="FILE",
                     help="write the findings and the summary to FILE instead of stdout")
    chk.add_argument("--stdin-filename", metavar="PATH",
                     help="with `-` as the path: report the text read from stdin as "
                          "PATH, with the configuration found for PATH (and its "
                          "`exclude` with --force-exclude); for editors without LSP")
    chk.add_argument("-q", "--quiet", action="count", default=0,
                     help="print the findings only, no summary; twice (-qq): nothing "
                          "but errors, for the exit status alone")
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
                       help="read [tool.mmname] from FILE for every file, instead of the "
                            "nearest pyproject.toml above each file")
    group.add_argument("--no-config", action="store_true",
                       help="ignore pyproject.toml files; use the defaults")
    chk.add_argument("--profile", metavar="PROFILE",
                     choices=["auto", "shared"] + _profile_names(),
                     help="judge every file by this profile (`auto`: each file's own, the "
                          "default; `shared`: only the rules all profiles share); wins "
                          "over the `profile` setting. `mmname profiles` lists them")
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
    dec.add_argument("--profile", choices=_profile_names(), metavar="PROFILE",
                     help="read the names by this profile's convention (default: "
                          f"{_default_profile()}); one of: {', '.join(_profile_names())} "
                          "(`mmname profiles` describes them)")
    dec.set_defaults(func=cmd_decode)
    prof = sub.add_parser(
        "profiles", help="list the naming conventions (profiles) mmname knows",
        description="List the profiles: the naming conventions of the OpenMMLab "
                    "repositories mmname judges names by, with the package and "
                    "`default_scope` that place a file in each, and the data file "
                    "it comes from.")
    prof.add_argument("--json", action="store_true", help="print one JSON array")
    prof.set_defaults(func=cmd_profiles)
    _add_check_parser(sub)
    rule = sub.add_parser(
        "rule", help="explain rules: severity, fix, examples (offline)",
        description="Print the documentation of rules, from the rule table inside "
                    "mmname (no network, no checkout needed): name, default severity, "
                    "fix safety, message, explanation, a bad and a good example.")
    rule.add_argument("codes", nargs="*", metavar="CODE",
                      help="rule codes or prefixes (MMN101, MMN1)")
    rule.add_argument("--all", action="store_true", help="every rule")
    rule.add_argument("--format", "--output-format", dest="format", choices=("text", "json"),
                      default="text",
                      help="text (Markdown) or json (an object for one code, else an array)")
    rule.set_defaults(func=cmd_rule)
    comp = sub.add_parser(
        "completion", help="print a shell completion script (bash, zsh, fish)",
        description="Print the completion script of SHELL. bash: "
                    "`source <(mmname completion bash)` in ~/.bashrc; zsh: `mmname "
                    "completion zsh > ~/.zfunc/_mmname` with ~/.zfunc in $fpath; fish: "
                    "`mmname completion fish > ~/.config/fish/completions/mmname.fish`.")
    comp.add_argument("shell", choices=("bash", "zsh", "fish"))
    comp.set_defaults(func=cmd_completion)
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

