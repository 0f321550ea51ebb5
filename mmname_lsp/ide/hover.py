"""Markdown explanation of a decoded name (hover, and the file-name lens)."""

from __future__ import annotations

from typing import Iterable, List, Optional, Tuple

from mmname_lsp.naming.model import Decoded, Token

_SEVERITY_MARK = {"error": "error", "warning": "warning", "information": "info", "hint": "hint"}
_KIND_WORDS = {"model": "model name", "config": "config file", "checkpoint": "checkpoint"}


def _esc(text: str) -> str:
    """Escape what would break a markdown table cell."""
    return text.replace("|", "\\|").replace("`", "'")


def rule_hover(text: str, offset: int) -> Optional[Tuple[str, int, int]]:
    """Markdown for the rule code under ``offset`` in a suppression comment
    (a ``disable=`` or ``disable-file=`` comment): the rule's documentation, the text
    ``mmname rule`` prints; (markdown, start, end of the code) or None."""
    from mmname_lsp.codes import RULES
    from mmname_lsp.rules.docs import rule_text
    from mmname_lsp.rules.suppressions import suppression_code_at

    hit = suppression_code_at(text, offset)
    if hit is None:
        return None
    code, start, end = hit
    if code not in RULES:
        md = f"`{_esc(code)}` is not a rule code of mmname (`mmname rule --all` lists them)."
    else:
        md = rule_text(code)
    return md, start, end


def summary(decoded: Decoded) -> str:
    """One line: each part's role and text, e.g. for the file-name lens."""
    bits = [f"{p.role}: {p.text}" for p in decoded.parts]
    return " · ".join(bits) if bits else "not a name"


def hover_markdown(
    decoded: Decoded,
    input_offset: Optional[int] = None,
    problems: Optional[Iterable[tuple]] = None,
    facts: Iterable = (),
) -> str:
    """Markdown for ``decoded``; ``input_offset`` (into ``decoded.input``) marks the
    hovered token; ``problems`` are (code, severity, message) as finally reported
    (after settings), defaulting to the decoder's own."""
    lines: List[str] = []
    kind = _KIND_WORDS.get(decoded.kind, decoded.kind)
    known = " (MMPretrain zoo)" if decoded.zoo and decoded.zoo.get("name") else ""
    lines.append(f"**`{_esc(decoded.name)}`** {kind}{known}")
    lines.append("")
    hovered: Optional[Token] = None
    if input_offset is not None:
        hovered = decoded.token_at(input_offset)
    if decoded.parts:
        lines.append("| part | text | meaning |")
        lines.append("|---|---|---|")
        for part in decoded.parts:
            first = True
            for tok in part.tokens or ():
                role = f"**{part.role}**" if first else ""
                text = f"**`{_esc(tok.text)}`**" if tok is hovered else f"`{_esc(tok.text)}`"
                lines.append(f"| {role} | {text} | {_esc(tok.kind)}: {_esc(tok.meaning)} |")
                first = False
        lines.append("")
    if hovered is not None:
        lines.append(f"**`{_esc(hovered.text)}`** — {hovered.kind}: {hovered.meaning}")
        lines.append("")
        part = decoded.part_at(hovered.start)
        if part is not None and part.how:
            # Structure, not a known word, gave this part its role: say so.
            lines.append(f"`{_esc(part.text)}`: {_esc(part.how)}.")
            lines.append("")
    facts = list(facts)
    if facts:
        lines.append("**What the config says**")
        lines.append("")
        for fact in facts:
            tok = decoded.token_at(fact.start)
            meaning = f" — {tok.meaning.rstrip('.')}" if tok is not None else ""
            lines.append(f"- `{_esc(fact.text)}`{meaning} · {fact.summary}")
        lines.append("")
    probs = list(problems) if problems is not None else [
        (p.code, p.severity, p.message) for p in decoded.problems
    ]
    if probs:
        lines.append("**Problems**")
        lines.append("")
        for code, severity, message in probs:
            lines.append(f"- {_SEVERITY_MARK.get(severity, severity)} `{code}` {message}")
        lines.append("")
    for note in decoded.ambiguities:
        lines.append(f"_Note: {note}_")
        lines.append("")
    zoo = decoded.zoo
    if zoo and zoo.get("name"):
        lines.extend(_zoo_lines(zoo))
    return "\n".join(lines).rstrip() + "\n"


def _zoo_lines(zoo: dict) -> List[str]:
    out = [f"**Zoo model** `{zoo['name']}`", ""]
    facts = []
    if zoo.get("top1") is not None:
        ds = f" on {zoo['top1_dataset']}" if zoo.get("top1_dataset") else ""
        facts.append(f"top-1 {zoo['top1']}%{ds}")
    if zoo.get("parameters"):
        facts.append(f"params {zoo['parameters'] / 1e6:.2f} M")
    if zoo.get("flops"):
        facts.append(f"FLOPs {zoo['flops'] / 1e9:.2f} G")
    if zoo.get("epochs"):
        facts.append(f"{zoo['epochs']} epochs")
    if zoo.get("batch_size"):
        facts.append(f"batch size {zoo['batch_size']}")
    if facts:
        out.append("- " + " · ".join(facts))
    if zoo.get("config"):
        out.append(f"- config: `{zoo['config']}`")
    if zoo.get("config_models") and len(zoo["config_models"]) > 1:
        out.append(f"- models from this config: {', '.join(zoo['config_models'])}")
    if zoo.get("weights"):
        out.append(f"- weights: [{zoo.get('checkpoint') or 'download'}]({zoo['weights']})")
    if zoo.get("converted_from"):
        out.append(f"- converted from: {zoo['converted_from']}")
    if zoo.get("paper"):
        url = zoo.get("paper_url")
        paper = f"[{zoo['paper']}]({url})" if url else zoo["paper"]
        out.append(f"- paper: {paper}")
    return out
