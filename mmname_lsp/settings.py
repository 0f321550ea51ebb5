"""Typed settings with defaults, validated in one place.

The same keys come from the editor (``workspace/configuration`` section
``mmname``, or ``initializationOptions``) and, for the CLI, from
``[tool.mmname]`` in pyproject.toml.  Bad values never stop anything: each is
reported by key and replaced by its default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Tuple

from mmname_lsp.naming.model import SEVERITIES

# Where names are looked for (see mmname_lsp.sources.python for the contexts).
SOURCE_KINDS = ("filename", "base", "base_import", "checkpoint", "model_api", "literal")
OFF = "off"

@dataclass(frozen=True)
class SettingSpec:
    """One setting: its JSON schema (for the editors), its README line, and
    whether the server reads it or only the editor extension does."""

    key: str  # under the section `mmname`
    schema: Mapping[str, Any]  # JSON schema of the value, with its default
    default_text: str  # the default, as the README tables show it
    meaning: str  # one line, Markdown (README tables)
    description: str  # the editors' description, Markdown
    scope: str = "resource"  # VS Code: per folder ("resource") or per window
    server: bool = True  # False: the editor's own setting (how to start the server)


_SEVERITY_VALUES = list(SEVERITIES) + [OFF]
SCHEMA: Tuple[SettingSpec, ...] = (
    SettingSpec(
        "enable", {"type": "boolean", "default": True}, "`true`",
        "`false`: no checks",
        "Check MMPretrain names. When false, the server reports nothing for this workspace.",
    ),
    SettingSpec(
        "severity",
        {"type": "object", "default": {}, "propertyNames": {"pattern": "^MMN[0-9]+$"},
         "additionalProperties": {"type": "string", "enum": _SEVERITY_VALUES}},
        "`{}`",
        "per rule code: `error`, `warning`, `information`, `hint`, `off`",
        "Severity per rule code, e.g. `{\"MMN101\": \"error\", \"MMN102\": \"hint\"}`; "
        "`off` turns a rule off.",
    ),
    SettingSpec(
        "extraTokens",
        {"type": "object", "default": {},
         "additionalProperties": {"anyOf": [
             {"type": "string"},
             {"type": "object", "properties": {"kind": {"type": "string"},
                                               "meaning": {"type": "string"}},
              "required": ["meaning"]}]}},
        "`{}`",
        "your own words and their meaning, e.g. `{\"mydata\": \"our in-house dataset\"}` "
        "(or `{\"kind\", \"meaning\"}`), known to decoder, hover and typo check",
        "Extra name tokens the checker should know, token to meaning, e.g. "
        "`{\"mydata\": \"our in-house dataset\"}`. A value may also be "
        "`{\"kind\": ..., \"meaning\": ...}`. Tokens cannot contain `_`.",
    ),
    SettingSpec(
        "sources",
        {"type": "array", "uniqueItems": True,
         "items": {"type": "string", "enum": list(SOURCE_KINDS), "enumDescriptions": [
             "The name of the config file itself.",
             "Paths in `_base_ = [...]`.",
             "Base configs imported with the new-style `read_base()` imports.",
             "Checkpoint file names and URLs (`checkpoint=`, `load_from`, ...).",
             "Model names passed to `get_model`, `init_model`, inferencers, ...",
             "Other string literals that look like names."]},
         "default": list(SOURCE_KINDS)},
        "all",
        "where names are looked for: " + ", ".join(f"`{s}`" for s in SOURCE_KINDS),
        "Where to look for names.",
    ),
    SettingSpec(
        "configGlobs", {"type": "array", "items": {"type": "string"}, "default": []}, "`[]`",
        "configs outside a `configs` folder, as gitignore-style globs (e.g. "
        "`experiments/**/*.py`); files whose content is a config's are found anyway",
        "Python files that are OpenMMLab configs although they are not under a folder named "
        "`configs`, as gitignore-style globs, e.g. `[\"experiments/**/*.py\"]`. Files whose "
        "content reads as a config (`_base_`, `read_base()`, a top-level `model = dict(...)`) "
        "are recognised without it.",
    ),
    SettingSpec(
        "workspaceDiagnostics", {"type": "boolean", "default": True}, "`true`",
        "also report on files that are not open (the workspace index)",
        "Report problems of files that are not open (configs, metafiles, READMEs of "
        "the workspace), not only of open documents.",
    ),
    SettingSpec(
        "trace.server", {"type": "string", "enum": ["off", "messages", "verbose"],
                         "default": "off"}, "`off`",
        "the editor's trace of the messages (the editor sends it as `$/setTrace`)",
        "Log the messages between VS Code and the server in the \"mmname\" output channel.",
        scope="window", server=False,
    ),
    SettingSpec(
        "server.path", {"type": "string", "default": ""}, "`\"\"`",
        "VS Code: the `mmname-lsp` executable to start",
        "Path of the `mmname-lsp` executable (started with `--stdio`). Wins over "
        "`#mmname.server.interpreter#`. `~` and `${workspaceFolder}` are expanded.",
        scope="window", server=False,
    ),
    SettingSpec(
        "server.interpreter", {"type": "string", "default": ""}, "`\"\"`",
        "VS Code: the Python that runs the server (its own `mmname-lsp`, else the bundled one)",
        "Python interpreter (3.9 or newer) that runs the server, as "
        "`<interpreter> -m mmname_lsp --stdio`: the `mmname-lsp` installed in it when its "
        "version matches the extension's, else the copy bundled with the extension. When "
        "empty: the Python extension's selected interpreter if that extension is installed, "
        "else `python3` (or `python`) on `PATH`.",
        scope="window", server=False,
    ),
)

# Keys the server accepts: its own, and the first word of the editor's own
# settings (clients send the whole section).
_KEYS = tuple(dict.fromkeys(s.key.split(".")[0] for s in SCHEMA))
# The keys that change what is reported: the editor's and `[tool.mmname]`'s.
SERVER_KEYS = tuple(s.key for s in SCHEMA if s.server)


def vscode_configuration() -> Dict[str, Any]:
    """``contributes.configuration`` of the VS Code extension."""
    props: Dict[str, Any] = {}
    for s in SCHEMA:
        prop = dict(s.schema)
        prop["scope"] = s.scope
        prop["markdownDescription"] = s.description
        props[f"mmname.{s.key}"] = prop
    return {"title": "mmname", "properties": props}


def settings_table() -> str:
    """The README table of the settings (README.md and editors/README.md)."""
    rows = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for s in SCHEMA:
        kind = s.schema.get("type", "")
        rows.append(f"| `{s.key}` | {kind} | {s.default_text} | {s.meaning} |")
    return "\n".join(rows) + "\n"



@dataclass(frozen=True)
class Settings:
    enable: bool = True
    severity: Mapping[str, str] = field(default_factory=dict)
    extra_tokens: Mapping[str, Tuple[str, str]] = field(default_factory=dict)
    sources: FrozenSet[str] = frozenset(SOURCE_KINDS)
    workspace_diagnostics: bool = True
    config_globs: Tuple[str, ...] = ()
    # The words the workspace uses (naming.learned.LearnedWords), learned by
    # the language server's index or `mmname check` over the checked files;
    # not a user setting.
    learned: Any = field(default=None, compare=False)

    def severity_of(self, code: str, default: str) -> Optional[str]:
        """The severity a finding of ``code`` gets, or None when the rule is off."""
        sev = self.severity.get(code, default)
        return None if sev == OFF else sev


def _section(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(raw.get("mmname"), Mapping) and len(raw) == 1:
        # initializationOptions may wrap the section in its name.
        return raw["mmname"]
    return raw


def explicit_settings(raw: Any) -> Dict[str, Any]:
    """The keys of an editor's section that the user set: those whose value,
    read alone, differs from the default.

    VS Code answers ``workspace/configuration`` with every key of the section,
    defaults included, so a value equal to the default cannot be told from one
    never set; it counts as not set, and ``[tool.mmname]`` keeps its say."""
    if not isinstance(raw, Mapping):
        return {}
    out: Dict[str, Any] = {}
    default = Settings()
    for key, value in _section(raw).items():
        if key in SERVER_KEYS and parse_settings({key: value})[0] != default:
            out[key] = value
    return out


def overlay_settings(base: Mapping[str, Any], top: Mapping[str, Any]) -> Dict[str, Any]:
    """``top``'s keys over ``base``'s (raw sections): a key in both takes
    ``top``'s value, but two objects (``severity``, ``extraTokens``) merge
    entry by entry, ``top`` winning for the same entry; ``top``'s entries come
    first (for objects whose first matching entry wins)."""
    out = dict(base)
    for key, value in top.items():
        below = out.get(key)
        if isinstance(below, Mapping) and isinstance(value, Mapping):
            out[key] = {**value, **{k: v for k, v in below.items() if k not in value}}
        else:
            out[key] = value
    return out


def parse_settings(raw: Any) -> Tuple[Settings, List[str]]:
    """Validate ``raw`` (a mapping) into Settings; returns the errors, one per bad key."""
    errors: List[str] = []
    if raw is None:
        return Settings(), errors
    if not isinstance(raw, Mapping):
        return Settings(), [f"settings must be an object, not {type(raw).__name__}"]
    raw = _section(raw)
    kwargs: Dict[str, Any] = {}
    for key, value in raw.items():
        if key not in _KEYS:
            errors.append(f"unknown setting `mmname.{key}` (known: {', '.join(_KEYS)})")
            continue
        if key in ("enable", "workspaceDiagnostics"):
            field_name = "enable" if key == "enable" else "workspace_diagnostics"
            if isinstance(value, bool):
                kwargs[field_name] = value
            else:
                errors.append(f"`mmname.{key}` must be true or false")
        elif key == "severity":
            sev, errs = _parse_severity(value)
            kwargs["severity"] = sev
            errors.extend(errs)
        elif key == "extraTokens":
            tokens, errs = _parse_tokens(value)
            kwargs["extra_tokens"] = tokens
            errors.extend(errs)
        elif key == "configGlobs":
            if value == {}:
                kwargs["config_globs"] = ()  # Neovim sends an empty Lua table as a map
            elif isinstance(value, list) and all(isinstance(v, str) and v for v in value):
                kwargs["config_globs"] = tuple(value)
            else:
                errors.append("`mmname.configGlobs` must be a list of glob patterns")
        elif key == "sources":
            if isinstance(value, list) and all(v in SOURCE_KINDS for v in value):
                kwargs["sources"] = frozenset(value)
            else:
                errors.append(f"`mmname.sources` must be a list of {', '.join(SOURCE_KINDS)}")
    return Settings(**kwargs), errors


def _parse_severity(value: Any) -> Tuple[Dict[str, str], List[str]]:
    from mmname_lsp.codes import RULES

    if value == []:
        return {}, []  # Neovim sends an empty Lua table as a list
    if not isinstance(value, Mapping):
        return {}, ["`mmname.severity` must map rule codes to a severity"]
    out: Dict[str, str] = {}
    errors: List[str] = []
    for code, sev in value.items():
        if code not in RULES:
            errors.append(f"`mmname.severity.{code}`: unknown rule code")
        elif sev not in SEVERITIES + (OFF,):
            errors.append(
                f"`mmname.severity.{code}` must be one of {', '.join(SEVERITIES + (OFF,))}"
            )
        else:
            out[code] = sev
    return out, errors


def _parse_tokens(value: Any) -> Tuple[Dict[str, Tuple[str, str]], List[str]]:
    if value == []:
        return {}, []  # Neovim sends an empty Lua table as a list
    if not isinstance(value, Mapping):
        return {}, ["`mmname.extraTokens` must map tokens to meanings"]
    out: Dict[str, Tuple[str, str]] = {}
    errors: List[str] = []
    for token, spec in value.items():
        if not isinstance(token, str) or not token or "_" in token:
            errors.append(f"`mmname.extraTokens`: {token!r} is not a token (no `_`, not empty)")
        elif isinstance(spec, str):
            out[token] = ("custom", spec)
        elif (
            isinstance(spec, Mapping)
            and isinstance(spec.get("meaning"), str)
            and isinstance(spec.get("kind", "custom"), str)
        ):
            out[token] = (spec.get("kind", "custom"), spec["meaning"])
        else:
            errors.append(f"`mmname.extraTokens.{token}` must be a string or {{kind, meaning}}")
    return out, errors
