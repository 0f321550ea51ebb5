"""``[tool.mmname]`` in pyproject.toml: where it is, and what it says.

The keys are those of the editor settings (``enable``, ``severity``,
``extraTokens``, ``sources``; see :mod:`mmname_lsp.settings`) plus three that
only the command line uses:

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

Unlike the editor, which reports a bad value and goes on with its default, the
command line refuses to run on a bad configuration: a CI job should not pass
because a typo switched a rule off.  Every problem is a :class:`ConfigError`
whose message names the file and the key.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, List, Mapping, Optional, Tuple

from mmname_lsp.settings import Settings, parse_settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10 only
    import tomli as tomllib

PYPROJECT = "pyproject.toml"
SECTION = "tool.mmname"
# Keys that only the command line reads; the rest go to parse_settings.
CLI_KEYS = ("select", "ignore", "exclude", "cache-dir")
SETTINGS_KEYS = ("enable", "severity", "extraTokens", "sources")


class ConfigError(Exception):
    """A configuration that cannot be used; the message is for the user."""


@dataclass(frozen=True)
class ProjectConfig:
    path: Optional[Path] = None  # the pyproject.toml read, None for defaults
    settings: Settings = field(default_factory=Settings)
    select: Optional[Tuple[str, ...]] = None  # None: not given
    ignore: Tuple[str, ...] = ()
    exclude: Tuple[str, ...] = ()
    cache_dir: Optional[str] = None  # as written (relative to root)

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


def parse_config(raw: Any, path: Optional[Path] = None) -> ProjectConfig:
    """Validate the ``[tool.mmname]`` table ``raw``; raises ConfigError."""
    where = f"{path}: " if path is not None else ""
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}[{SECTION}] must be a table")
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
        raise ConfigError(where + "; ".join(errors))
    return ProjectConfig(path, settings, select, ignore, exclude, cache_dir)


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
            errors.append(f"`{SECTION}.{key}`: `{v}` is no rule code or prefix")
        else:
            codes.append(code)
    return codes


def _read_toml(path: Path) -> Mapping[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not valid UTF-8: {exc.reason}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _section(data: Mapping[str, Any]) -> Optional[Any]:
    tool = data.get("tool")
    if not isinstance(tool, Mapping):
        return None
    return tool.get("mmname")
