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

_KEYS = {
    "enable": "true/false: turn mmname off for this workspace",
    "severity": "map of rule code to error/warning/information/hint/off",
    "extraTokens": "map of token to its meaning (string) or {kind, meaning}",
    "sources": f"list of places to scan: {', '.join(SOURCE_KINDS)}",
    "trace": "the editor's trace level for this server (the editor sends it as $/setTrace)",
    "workspaceDiagnostics": "true/false: diagnostics for files that are not open",
    "server": "editor-side settings (how to start the server), ignored by the server",
}


@dataclass(frozen=True)
class Settings:
    enable: bool = True
    severity: Mapping[str, str] = field(default_factory=dict)
    extra_tokens: Mapping[str, Tuple[str, str]] = field(default_factory=dict)
    sources: FrozenSet[str] = frozenset(SOURCE_KINDS)
    workspace_diagnostics: bool = True

    def severity_of(self, code: str, default: str) -> Optional[str]:
        """The severity a finding of ``code`` gets, or None when the rule is off."""
        sev = self.severity.get(code, default)
        return None if sev == OFF else sev


def parse_settings(raw: Any) -> Tuple[Settings, List[str]]:
    """Validate ``raw`` (a mapping) into Settings; returns the errors, one per bad key."""
    errors: List[str] = []
    if raw is None:
        return Settings(), errors
    if not isinstance(raw, Mapping):
        return Settings(), [f"settings must be an object, not {type(raw).__name__}"]
    if isinstance(raw.get("mmname"), Mapping) and len(raw) == 1:
        # initializationOptions may wrap the section in its name.
        raw = raw["mmname"]
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
