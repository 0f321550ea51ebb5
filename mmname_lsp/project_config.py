"""``[tool.mmname]`` in pyproject.toml: where it is, and what it says.

The keys are those of the editor settings (every key of
:data:`mmname_lsp.settings.SCHEMA` that the server reads: ``enable``,
``severity``, ``extraTokens``, ``sources``, ``configGlobs``, ...) plus four
that the editor does not have:

``select``
    rule codes or prefixes (``MMN1``) to report; ``ALL`` for every rule.
``ignore``
    rule codes or prefixes not to report.
``exclude``
    gitignore-style patterns, relative to the folder of the pyproject.toml, of
    files and folders not to walk into.
``cache-dir``
    where ``mmname check`` keeps its cache of findings (relative to the folder
    of the pyproject.toml; default ``.mmname_cache`` there).

The language server reads the same tables (``select``, ``ignore`` and
``exclude`` included) under the editor's own settings.  Unlike the editor,
which reports a bad value and goes on with its default, the command line
refuses to run on a bad configuration: a CI job should not pass because a
typo switched a rule off.  Every problem is a :class:`ConfigError`
whose message names the file and the key.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

from mmname_lsp.files import IgnoreSpec, read_regular
from mmname_lsp.settings import SERVER_KEYS, Settings, parse_settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10 only
    import tomli as tomllib

PYPROJECT = "pyproject.toml"
SECTION = "tool.mmname"
# Keys that only the command line reads; the rest go to parse_settings.
CLI_KEYS = ("select", "ignore", "exclude", "cache-dir")
# The rest go to parse_settings: every setting of the schema the server reads.
SETTINGS_KEYS = SERVER_KEYS
MAX_CONFIG_BYTES = 4 * 1024 * 1024  # a pyproject.toml is a few KiB
MAX_KEY_PARTS = 1000


class ConfigError(Exception):
    """A configuration that cannot be used; the message is for the user, and
    ``path`` the pyproject.toml it is about (when known)."""

    def __init__(self, message: str, path: Optional[Path] = None) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class ProjectConfig:
    path: Optional[Path] = None  # the pyproject.toml read, None for defaults
    settings: Settings = field(default_factory=Settings)
    select: Optional[Tuple[str, ...]] = None  # None: not given
    ignore: Tuple[str, ...] = ()
    exclude: Tuple[str, ...] = ()
    cache_dir: Optional[str] = None  # as written (relative to root)
    # The settings keys of the table as written (validated): the language
    # server lays the editor's settings over them.
    raw_settings: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def root(self) -> Optional[Path]:
        """The folder the ``exclude`` patterns are relative to."""
        return self.path.parent if self.path is not None else None


def find_pyproject(start: Path) -> Optional[Path]:
    """The nearest pyproject.toml with a ``[tool.mmname]`` table, from ``start`` up.

    A pyproject.toml without the table is passed over (the project may keep its
    mmname settings higher up); one that is not valid TOML stops the search
    with a :class:`ConfigError`, since it may be the one meant.
    """
    try:
        here = start.resolve()
    except OSError:
        here = Path(os.path.abspath(start))
    if not here.is_dir():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / PYPROJECT
        try:
            found = candidate.is_file()
        except OSError:
            # A folder that cannot be searched: nothing in it can be checked
            # either, and the walk says so.
            continue
        if found:
            data = _read_toml(candidate)
            if _section(data) is not None:
                return candidate
    return None


def load_config(path: Path) -> ProjectConfig:
    """Read and validate ``[tool.mmname]`` of ``path`` (missing table: defaults)."""
    data = _read_toml(path)
    raw = _section(data)
    if raw is None:
        return ProjectConfig(path=path)
    return parse_config(raw, path)


def discover(start: Path) -> ProjectConfig:
    """The configuration for a run that starts at ``start`` (defaults when none)."""
    found = find_pyproject(start)
    return load_config(found) if found is not None else ProjectConfig()


class ConfigFinder:
    """Finds the configuration of each file, remembering per folder which
    pyproject.toml governs it and per pyproject.toml what it says: a run asks
    for every file, and the walk up and the TOML parsing happen once per
    folder and once per file found.  One finder per ``mmname check`` run; a
    long-lived process calls :meth:`forget` when a pyproject.toml may have
    changed."""

    def __init__(self) -> None:
        self._governing: Dict[str, Optional[Path]] = {}
        self._loaded: Dict[Path, ProjectConfig] = {}
        self._lock = threading.Lock()

    def config_for(self, path: Union[str, os.PathLike]) -> ProjectConfig:
        """See :func:`config_for`."""
        abs_path = os.path.abspath(os.fspath(path))
        folder = abs_path if os.path.isdir(abs_path) else os.path.dirname(abs_path)
        with self._lock:
            found = self._governing.get(folder, False)
        if found is False:
            found = find_pyproject(Path(folder))
            with self._lock:
                self._governing[folder] = found
        if found is None:
            return ProjectConfig()
        with self._lock:
            config = self._loaded.get(found)
        if config is None:
            config = load_config(found)  # a ConfigError is not remembered: it may be fixed
            with self._lock:
                self._loaded[found] = config
        return config

    def forget(self) -> None:
        with self._lock:
            self._governing.clear()
            self._loaded.clear()


_FINDER = ConfigFinder()


def config_for(path: Union[str, os.PathLike]) -> ProjectConfig:
    """The configuration that applies to ``path`` (a file or a folder): the
    ``[tool.mmname]`` of the nearest pyproject.toml above it that has one (as
    ruff finds its configuration per file); defaults when there is none.

    The result holds the editor settings (``.settings``) and what the command
    line adds (``.select``, ``.ignore``, ``.exclude`` relative to ``.root``,
    ``.cache_dir``; :func:`excluded_by` applies ``exclude``).  Memoised per
    folder and per pyproject.toml for the life of the process: call
    :func:`forget_configs` when a pyproject.toml may have changed.  Raises
    :class:`ConfigError` for a pyproject.toml that cannot be used.
    """
    return _FINDER.config_for(path)


def forget_configs() -> None:
    """Drop what :func:`config_for` remembers (a pyproject.toml was edited)."""
    _FINDER.forget()


def excluded_by(config: ProjectConfig, path: Union[str, os.PathLike], is_dir: bool = False,
                below: Optional[str] = None) -> bool:
    """Whether ``config``'s ``exclude`` patterns match ``path`` or one of its
    folders below the pyproject.toml's folder.

    ``below``: only ``path`` and the folders strictly below ``below`` count
    (the folders a walk from ``below`` went through)."""
    if not config.exclude or config.root is None:
        return False
    spec = _exclude_spec(str(config.root), config.exclude)
    abs_path = os.path.abspath(os.fspath(path))
    if below is None:
        return spec.excludes(abs_path, is_dir)
    start = os.path.abspath(below)
    if not abs_path.startswith(start.rstrip(os.sep) + os.sep):
        return False
    parts = os.path.relpath(abs_path, start).split(os.sep)
    folder = start
    for k, part in enumerate(parts):
        folder = os.path.join(folder, part)
        last = k == len(parts) - 1
        if spec.match(folder, is_dir or not last):
            return True
    return False


@lru_cache(maxsize=64)
def _exclude_spec(root: str, patterns: Tuple[str, ...]) -> IgnoreSpec:
    # By value: the same patterns of the same folder match the same files.
    return IgnoreSpec.from_lines(root, patterns)


def parse_config(raw: Any, path: Optional[Path] = None) -> ProjectConfig:
    """Validate the ``[tool.mmname]`` table ``raw``; raises ConfigError."""
    where = f"{path}: " if path is not None else ""
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}[{SECTION}] must be a table", path)
    errors: List[str] = []
    for key in raw:
        if key not in SETTINGS_KEYS and key not in CLI_KEYS:
            known = ", ".join(SETTINGS_KEYS + CLI_KEYS)
            errors.append(f"unknown key `{SECTION}.{key}` (known keys: {known})")
    settings_raw = {k: v for k, v in raw.items() if k in SETTINGS_KEYS}
    settings, setting_errors = parse_settings(settings_raw)
    # parse_settings names keys as the editor sees them (`mmname.enable`).
    errors.extend(e.replace("`mmname.", f"`{SECTION}.") for e in setting_errors)
    select = None
    if "select" in raw:
        select = tuple(_codes(raw["select"], "select", errors))
    ignore = tuple(_codes(raw.get("ignore", []), "ignore", errors))
    exclude = tuple(_strings(raw.get("exclude", []), "exclude", errors))
    cache_dir = raw.get("cache-dir")
    if cache_dir is not None and (not isinstance(cache_dir, str) or not cache_dir.strip()
                                  or "\0" in cache_dir):
        errors.append(f"`{SECTION}.cache-dir` must be a folder path (a non-empty string)")
        cache_dir = None
    if errors:
        raise ConfigError(where + "; ".join(errors), path)
    return ProjectConfig(path, settings, select, ignore, exclude, cache_dir, settings_raw)


def _strings(value: Any, key: str, errors: List[str]) -> List[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.append(f"`{SECTION}.{key}` must be a list of strings")
        return []
    return list(value)


def _codes(value: Any, key: str, errors: List[str]) -> List[str]:
    from mmname_lsp.codes import unknown_selector

    codes = []
    for v in _strings(value, key, errors):
        code = v.strip().upper()
        if unknown_selector(code):
            errors.append(f"`{SECTION}.{key}`: `{v}` is not a rule code or a prefix of one")
        else:
            codes.append(code)
    return codes


def _read_toml(path: Path) -> Mapping[str, Any]:
    try:
        # Never blocks on a FIFO nor reads /dev/zero forever (a hostile
        # repository's pyproject.toml).
        data = read_regular(path, MAX_CONFIG_BYTES)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}", path) from None
    try:
        text = data.decode("utf-8")
        if _dotted_too_deep(text):
            raise ConfigError(f"{path}: cannot be read: a key with more than "
                              f"{MAX_KEY_PARTS} dotted parts (tables nested too deeply)", path)
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}", path) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not valid UTF-8: {exc.reason}", path) from None
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively.
        raise ConfigError(f"{path}: cannot be read: arrays or tables nested too "
                          "deeply", path) from None


def _dotted_too_deep(text: str) -> bool:
    """Whether a line holds more dotted-key separators than MAX_KEY_PARTS.

    tomllib takes quadratic time over the parts of one dotted key: a header
    of 100,000 parts (``[a.a.a...]``) takes a minute, far from any real key.
    Dots in strings, comments and numbers (``1.5``) do not count.
    """
    if all(line.count(".") <= MAX_KEY_PARTS for line in text.split("\n")):
        return False  # every real pyproject.toml: no need to look closer
    i, n, dots = 0, len(text), 0
    while i < n:
        c = text[i]
        if c == "\n":
            dots = 0
        elif c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                if c == '"' and text[i] == "\\":
                    i += 1  # an escaped character, maybe a quote
                elif text[i] == "\n" and len(quote) == 1:
                    break  # an unclosed string: tomllib says so
                i += 1
            i += len(quote)
            continue
        elif c == "." and not (0 < i < n - 1 and text[i - 1].isdigit()
                               and text[i + 1].isdigit()):
            dots += 1
            if dots > MAX_KEY_PARTS:
                return True
        i += 1
    return False


def _section(data: Mapping[str, Any]) -> Optional[Any]:
    tool = data.get("tool")
    if not isinstance(tool, Mapping):
        return None
    return tool.get("mmname")
