"""Completion candidates inside a name string, by position (pure, no LSP types).

``complete(prefix, context)`` gets the string's text from its opening quote to
the cursor and the place the string stands in; it answers where the token being
typed starts (an index into ``prefix``) and the candidates, best first.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable, List, Optional, Tuple

from mmname_lsp.naming import model as m
from mmname_lsp.naming.decoder import Decoder, base_vocabulary, default_decoder

MAX_ITEMS = 200
# The kinds of words of each part, of every profile (`1x` schedules, clip
# sampling, `component` words of the sister repositories).
_TRAINING_KINDS = (
    "training-type", "scheduler", "recipe", "augmentation", "loss", "precision", "strategy",
    "schedule", "clip-sampling", "uniform-sampling",
)
_DATA_KINDS = ("dataset", "task", "modality")
_MODULE_KINDS = ("backbone", "size", "variant", "component")


@dataclass(frozen=True)
class Candidate:
    label: str
    kind: str  # the token kind, e.g. "gpus-x-batch", "dataset", "model"
    documentation: str
    rank: int  # lower is better


def complete(
    prefix: str,
    context: Optional[str],
    *,
    base_dir: Optional[str] = None,
    decoder: Optional[Decoder] = None,
    title: str = "MMPretrain",
) -> Tuple[int, List[Candidate]]:
    """``decoder`` is the profile's (its words and zoo), ``title`` its name."""
    decoder = decoder or default_decoder()
    if context in ("base",):
        return _paths(prefix, base_dir)
    if context == "model_api" and "/" not in prefix:
        return 0, _zoo_names(prefix, decoder, title)
    return _tokens(prefix, decoder)


# -- model names -------------------------------------------------------------------


def fuzzy_score(query: str, name: str) -> Optional[int]:
    """Lower is better; None when ``query``'s letters are not in ``name`` in order."""
    if not query:
        return 0
    q = query.lower()
    if name.startswith(q):
        return 0
    pos = name.find(q)
    if pos >= 0:
        return 1 + pos
    i = 0
    gaps = 0
    last = -1
    for j, ch in enumerate(name):
        if i < len(q) and ch == q[i]:
            if last >= 0 and j != last + 1:
                gaps += 1
            last = j
            i += 1
    return 100 + gaps if i == len(q) else None


def _zoo_names(prefix: str, decoder: Decoder, title: str) -> List[Candidate]:
    zoo = decoder.zoo
    scored = []
    for name in zoo.names():
        s = fuzzy_score(prefix, name)
        if s is not None:
            scored.append((s, name))
    scored.sort()
    out = []
    for rank, (_, name) in enumerate(scored[:MAX_ITEMS]):
        meta = zoo.model(name) or {}
        facts = []
        if meta.get("top1") is not None:
            facts.append(f"top-1 {meta['top1']}%")
        metrics = meta.get("metrics")
        if isinstance(metrics, dict):
            facts.extend(f"{k} {v}" for k, v in metrics.items()
                         if k != "top1" and isinstance(v, (int, float, str)))
        if meta.get("collection"):
            facts.append(str(meta["collection"]))
        doc = " · ".join(facts) or f"{title} zoo model"
        out.append(Candidate(name, "model", doc, rank))
    return out


# -- config paths ----------------------------------------------------------------


def _paths(prefix: str, base_dir: Optional[str]) -> Tuple[int, List[Candidate]]:
    cut = prefix.rfind("/") + 1
    if base_dir is None:
        return cut, []
    folder = os.path.normpath(os.path.join(base_dir, prefix[:cut] or "."))
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return cut, []
    out: List[Candidate] = []
    if not prefix[cut:] and prefix[:cut] in ("", "./", "../") or prefix[:cut].endswith("../"):
        out.append(Candidate("../", "folder", "Parent folder", 0))
    for e in entries:
        if e.name.startswith(".") or e.name == "__pycache__":
            continue
        try:
            is_dir = e.is_dir()
        except OSError:
            continue
        if is_dir:
            out.append(Candidate(e.name + "/", "folder", f"Folder {e.name}", 1))
        elif e.name.endswith(".py"):
            out.append(Candidate(e.name, "config", f"Config {e.name}", 2))
        if len(out) >= MAX_ITEMS:
            break
    return cut, out


# -- tokens inside a name ----------------------------------------------------------


def _token_start(prefix: str) -> int:
    return max(prefix.rfind("_"), prefix.rfind("-"), prefix.rfind("/")) + 1


def _tokens(prefix: str, decoder: Decoder) -> Tuple[int, List[Candidate]]:
    start = _token_start(prefix)
    typed = prefix[start:]
    part_start = max(prefix.rfind("_"), prefix.rfind("/")) + 1
    done = prefix[part_start:start]  # words of the current part already typed
    before = prefix[: part_start - 1] if part_start > 0 else ""
    roles_before: List[str] = []
    if before:
        roles_before = [p.role for p in decoder.decode(before).parts]
    if done:
        # Inside a part: words of the same role as the part so far.
        role = _role_of_part(prefix[part_start:start].rstrip("-"), roles_before, decoder)
        roles = [role]
    else:
        roles = _next_roles(roles_before)
    cands = _by_roles(roles, decoder, whole_parts=not done)
    low = typed.lower()
    out = [c for c in cands if c.label.lower().startswith(low)]
    seen = set()
    unique = []
    for c in sorted(out, key=lambda c: c.rank):
        if c.label not in seen:
            seen.add(c.label)
            unique.append(c)
    return start, unique[:MAX_ITEMS]


def _role_of_part(part: str, roles_before: List[str], decoder: Decoder) -> str:
    probe = "_".join(["x"] * len(roles_before) + [part]) if roles_before else part
    decoded = decoder.decode(probe)
    if decoded.parts:
        role = decoded.parts[-1].role
        if roles_before or role != m.MODULE:
            return role
    return m.MODULE if not roles_before else m.TRAINING


def _next_roles(roles_before: List[str]) -> List[str]:
    if not roles_before:
        return [m.MODULE, m.ALGORITHM]
    last = roles_before[-1]
    order = list(m.NAME_ROLES)
    idx = order.index(last) if last in order else 1
    nxt = order[idx + 1 :] if last != m.DATA else []
    if last == m.ALGORITHM:
        return [m.MODULE]
    # Training info is by far the most common next part, so it leads.
    return sorted((r for r in nxt if r != m.ALGORITHM), key=lambda r: r != m.TRAINING)


_BY_ROLES_CACHE: dict = {}


def _by_roles(roles: Iterable[str], decoder: Decoder, *, whole_parts: bool) -> List[Candidate]:
    # The candidates depend only on the roles and the vocabulary: build once.
    key = (decoder.vocab, tuple(roles), whole_parts)
    found = _BY_ROLES_CACHE.get(key)
    if found is None:
        if len(_BY_ROLES_CACHE) > 256:
            _BY_ROLES_CACHE.clear()
        found = _BY_ROLES_CACHE[key] = _build_by_roles(key[1], decoder, whole_parts=whole_parts)
    return found


def _build_by_roles(
    roles: Iterable[str], decoder: Decoder, *, whole_parts: bool
) -> List[Candidate]:
    vocab = decoder.vocab
    shared = base_vocabulary()
    if vocab is not shared and vocab.entries is not shared.entries:
        # Another profile's vocabulary: its own words (counted in its names)
        # before the shared ones (counted in MMPretrain's).
        own = {t for t, e in vocab.entries.items() if shared.entries.get(t) is not e}

        def of_kind(*kinds: str) -> list:
            return sorted(vocab.of_kind(*kinds), key=lambda e: e.token not in own)
    else:
        of_kind = vocab.of_kind
    out: List[Candidate] = []
    base_rank = 0
    for role in roles:
        if role == m.TRAINING:
            batches = []
            for i, (tok, n) in enumerate(
                sorted(vocab.gpus_x_batch.items(), key=lambda kv: (-kv[1], kv[0]))
            ):
                g, b = tok.split("xb")
                batches.append(Candidate(
                    tok, "gpus-x-batch",
                    f"{g} GPUs x {b} images per GPU (total {int(g) * int(b)}); "
                    f"used in {n} upstream names.", i,
                ))
            found = of_kind(*_TRAINING_KINDS)
            if not whole_parts:
                # Inside a training part the recipe words lead; `3rdparty` or
                # `ft` usually stand alone.
                found.sort(key=lambda e: (e.kind == "training-type", -e.count, e.token))
            words = _entries(found, 0)
            epochs = [Candidate(tok, "epochs", f"Train for {tok[:-1]} epochs.", i)
                      for i, tok in enumerate(vocab.shapes.get("epochs", {}))]
            # A part starts with NxbM; after `-` come the recipe words and epochs.
            order = [batches, words, epochs] if whole_parts else [words, epochs, batches]
            for offset, group in zip((0, 100, 200), order):
                out.extend(Candidate(c.label, c.kind, c.documentation, base_rank + offset + c.rank)
                           for c in group)
        elif role == m.DATA:
            if whole_parts:
                for i, (part, n) in enumerate(vocab.parts.get("data", {}).items()):
                    out.append(Candidate(part, "data", f"Data part used in {n} upstream names.",
                                         base_rank + i))
            out.extend(_entries(of_kind(*_DATA_KINDS), base_rank + 40))
            for i, tok in enumerate(vocab.shapes.get("resolution", {})):
                out.append(Candidate(tok, "resolution", f"Input images of {tok[:-2]}x{tok[:-2]} "
                                     "pixels.", base_rank + 80 + i))
        elif role == m.PRETRAIN:
            if whole_parts:
                for i, (part, n) in enumerate(vocab.parts.get("pretrain", {}).items()):
                    out.append(Candidate(part, "pretrain",
                                         f"Pretrain information used in {n} upstream names.",
                                         base_rank + 20 + i))
            else:
                out.append(Candidate("pre", "marker", vocab.get("pre").meaning
                                     if vocab.get("pre") else "End of the pretrain part.",
                                     base_rank))
                out.extend(_entries(of_kind("method", "source", "dataset"), base_rank + 5))
        elif role == m.MODULE:
            out.extend(_entries(of_kind(*_MODULE_KINDS), base_rank))
            for i, tok in enumerate(vocab.shapes.get("patch", {})):
                out.append(Candidate(tok, "patch", f"Patch size {tok[1:]}.", base_rank + 30 + i))
        elif role == m.ALGORITHM:
            out.extend(_entries(of_kind("algorithm"), base_rank + 10))
        base_rank += 1000
    return out


def _entries(entries, rank0: int) -> List[Candidate]:
    return [Candidate(e.token, e.kind, e.meaning, rank0 + i) for i, e in enumerate(entries)]
