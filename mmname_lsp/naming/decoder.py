"""Decode a model name, config file name/path or checkpoint file name/URL.

The decoder works in three steps:

1. find the name inside the input (a URL's file name, a config's stem) and the
   file-only parts (``headless``, date, hash);
2. split the name into ``_`` parts and ``-`` words, look each word up in the
   vocabulary or recognise its shape (``8xb32``, ``300e``, ``384px``), and let
   every word vote for the roles its part may play;
3. choose the roles of all parts together: the convention's order
   (algorithm, module, pretrain, training, data) is a constraint, strong
   markers (``-pre``, ``NxbM``, ``3rdparty``, datasets) carry most weight.
   When strong markers contradict the order, the parts are reported as being
   in the wrong order instead of being forced into it.

Problems are graded by how sure the decoder is: deviations that upstream
MMPretrain itself uses get a hint, likely mistakes a warning, malformed text an
error.  Known zoo models and checkpoints cannot be renamed by users, so their
problems are capped at hints.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import replace
from functools import cache, lru_cache
from typing import Dict, List, Optional, Sequence, Tuple

from mmname_lsp.codes import RULES
from mmname_lsp.naming import model as m
from mmname_lsp.naming import patterns
from mmname_lsp.naming.model import Decoded, Part, Problem, Token
from mmname_lsp.naming.vocabulary import LEARNED, Entry, Vocabulary, default_vocabulary

MAX_INPUT = 512
_HASH_MEANING = "First 8 hex digits of the file's SHA-256."
ROLE_ORDER = m.NAME_ROLES + (m.TEST_DATA,)
ALG, MOD, PRE, TRAIN, DATA, TEST = range(6)
_ROLE_INDEX = {r: i for i, r in enumerate(ROLE_ORDER)}
_CKPT_TAIL = re.compile(r"_(\d{8}(?:_\d{6})?)-([^_\-]*)$|_([^_]*)-([^_\-]*)$")
_HASH_ONLY = re.compile(r"-([0-9a-f]{8})$")
_SEPARATORS = re.compile(r"[\\/]")
# White space, control characters, and lone surrogates (undecodable bytes read
# with `surrogateescape`; no UTF-8 encoder accepts them).
_BAD_CHAR = re.compile("[\\s\x00-\x1f\x7f\ud800-\udfff]")
# Checkpoints MMEngine writes to a work_dir: epoch_12, iter_4000, best_acc_epoch_9, latest.
# Rules about the date and hash of published checkpoints.
_PUBLISHED_ONLY = frozenset({"MMN113", "MMN114", "MMN115"})
# `1e-3` split on `-`: a one-digit mantissa with `e`, then the exponent.
_MANTISSA = re.compile(r"[a-z]*\d(?:\.\d+)?e")
_EXPONENT_TAIL = re.compile(r"\d{1,2}")
_DECIMAL_LEFT = re.compile(r"[a-z]*\d")
_OPENMMLAB_HOST = "download.openmmlab.com/"
# `_20200130-047c8118`, `_20200604_211715-42eb79e1`, `-61c9355e`: a checkpoint's tail.
_DATED_TAIL = re.compile(r"(?:_\d{8}(?:_\d{6})?)?-[0-9a-f]{6,}$")
_WORK_DIR_CKPT = re.compile(r"(?:best_\w+_)?(?:epoch|iter)_\d+|latest")

# How strongly each kind of word votes for each role (ALG, MOD, PRE, TRAIN, DATA).
_VOTES: Dict[str, Tuple[float, float, float, float, float]] = {
    "algorithm": (3, 1, 2, 0.5, 0),
    "backbone": (1, 3, 0.5, 0, 0),
    "size": (0, 3, 0, 0, 0),
    "variant": (0, 2, 0, 0.5, 0),
    "patch": (0, 3, 0, 0, 0),
    "window": (0, 3, 0, 0, 0),
    "cardinality": (0, 3, 0, 0, 0),
    "params": (0, 2, 0, 0, 0),
    "flops": (0, 3, 0, 0, 0),
    "version": (0, 2, 0, 0, 0),
    "variant-code": (0, 2, 0, 0, 0),
    "depth-backbone": (0.5, 2.5, 0, 0, 0),
    "method": (0.5, 0, 2, 1, 0),
    "source": (0, 0, 2, 1, 0),
    "dataset": (0, 0, 1, 0, 3),
    "task": (0, 0, 0, 0.5, 3),
    "resolution": (0, 0, 1, 0, 3),
    "training-type": (0, 0, 0.5, 4, 0),
    "recipe": (0, 0, 0, 3, 0),
    "augmentation": (0, 0, 0, 3, 0),
    "loss": (0, 0, 0, 3, 0),
    "scheduler": (0, 0, 0, 3, 0),
    "precision": (0, 0, 0, 3, 0),
    "strategy": (0, 0, 0, 3, 0),
    "gpus-x-batch": (0, 0, 0, 5, 0),
    "batch-no-b": (0, 0, 0, 5, 0),
    "batch-upper": (0, 0, 0, 5, 0),
    "batch-old": (0, 0, 0, 5, 0),
    "batch-total": (0, 0, 0, 5, 0),
    "batch-bs": (0, 0, 0, 4, 0),
    "epochs": (0, 0, 0.5, 3, 0),
    "number": (0, 0.5, 0, 0.3, 0.5),
    "iterations": (0, 0, 0, 3, 0),
    "patch-3d": (0, 3, 0, 0, 0),
    "window-3d": (0, 3, 0, 0, 0),
    "decimal": (0, 0, 0, 1, 0),
    "input-size": (0, 0, 0, 0.5, 3),
    # A word seen in other names of the workspace: known, but not its role.
    "learned": (0.3, 1, 0.2, 0.2, 0.2),
    "marker": (0, 0, 6, 0, 0),
    # Words of the sister repositories' profiles.
    "component": (0.5, 3, 0, 0, 0),
    "schedule": (0, 0, 0, 4, 0),
    "clip-sampling": (0, 0, 0, 4, 0),
    "uniform-sampling": (0, 0, 0, 3, 0),
    "modality": (0, 0, 0, 0, 3),
    "test": (0, 0, 0, 0, 3),
    # An unknown word says nothing of pretraining: that part ends with `-pre`.
    "unknown": (0.3, 1, 0, 0.2, 0.2),
}
_PRE_WORDS = frozenset({"pre", "pretrained", "pretrain"})
_SHAPE_WORDS = frozenset(
    {"iterations", "patch-3d", "window-3d", "decimal", "input-size", "width", "number"}
)
_UNKNOWN_VOTES = _VOTES["unknown"]
_SUFFIX_HOW = "not a known word; read as a variant suffix of the name by its position"
_SUFFIX_MEANING = "Not a known word of MMPretrain names; read as a variant suffix of the name."
_TRAIN_MARKERS = {"gpus-x-batch", "batch-no-b", "batch-upper", "batch-old", "batch-total",
                  "schedule"}
_REPEAT_PENALTY = (-99.0, -2.5, -1.0, -1.0, -2.0)
# Rules whose findings depend on one repository's words or habits: the
# `shared` profile (a file nothing ties to one repository) keeps quiet on them.
_WORD_RULES = ("MMN102", "MMN103", "MMN104", "MMN105", "MMN106", "MMN110", "MMN111",
               "MMN112", "MMN117", "MMN118", "MMN119")
# Checkpoint layouts other than `{name}_{date}[_{time}]-{hash}` (read by
# _CKPT_TAIL for every profile): MMPose's hash before the date.
_LAYOUTS = {"{name}-{hash}_{date}": re.compile(r"-([0-9a-f]{8})_(\d{8})$")}


class Conventions:
    """What a profile says about reading its names, resolved once per decoder:
    which parts exist and may repeat, the batch forms written normally, the
    profile's own word shapes and the rules that do not apply to it."""

    __slots__ = ("name", "title", "has_pre", "module_optional", "repeat", "test_data",
                 "joiner", "batch", "shapes", "rules_off", "layouts", "penalty", "votes",
                 "urls", "older", "sure_module", "train_words", "acronyms")

    def __init__(self, profile: object = None, quiet: bool = False) -> None:
        from mmname_lsp.naming.profiles import profiles

        if quiet:
            every = list(profiles().values())
            self.name, self.title = "shared", "OpenMMLab"
            self.has_pre, self.module_optional, self.test_data = True, True, True
            self.repeat = frozenset({MOD, TRAIN, DATA})
            self.joiner = "-"
            self.batch = frozenset(b for p in every for b in p.batch) | {"NxbM"}
            self.shapes = tuple(sorted({s for p in every for s in p.shapes}))
            self.rules_off = frozenset(_WORD_RULES) | {"MMN101"}
            self.layouts = tuple(rx for k, rx in _LAYOUTS.items()
                                 if any(k in p.checkpoints for p in every))
        else:
            specs = {ps.role: ps for ps in getattr(profile, "parts", ())}
            self.name = getattr(profile, "name", "mmpretrain")
            self.title = getattr(profile, "title", "MMPretrain")
            self.has_pre = not specs or m.PRETRAIN in specs
            module = specs.get(m.MODULE)
            self.module_optional = bool(module and module.optional)
            self.test_data = m.TEST_DATA in specs
            self.repeat = frozenset(_ROLE_INDEX[r] for r, ps in specs.items()
                                    if ps.repeat and r in _ROLE_INDEX)
            self.joiner = getattr(profile, "joiner", "-")
            self.batch = frozenset(getattr(profile, "batch", ("NxbM",)))
            self.shapes = tuple(getattr(profile, "shapes", ()))
            self.rules_off = frozenset(getattr(profile, "rules_off", ()))
            self.layouts = tuple(rx for k, rx in _LAYOUTS.items()
                                 if k in getattr(profile, "checkpoints", ()))
        self.penalty = tuple(0.0 if i in self.repeat else p
                             for i, p in enumerate(_REPEAT_PENALTY))
        # Checkpoint URLs of the other repositories, judged by their own
        # profile: (host/path prefix, profile name).  MMPretrain's decoder
        # keeps judging every name by its own convention, as it always has.
        own = self.name
        self.older = getattr(profile, "older", "") if not quiet else ""
        self.urls: Tuple[Tuple[str, str], ...] = ()
        if own != "mmpretrain":
            self.urls = tuple(sorted(((u, p.name) for p in profiles().values()
                                      if p.name != own for u in p.urls),
                                     key=lambda e: -len(e[0])))
        # Word kinds that make a part surely the module, and those that make
        # a part surely training information, for reading new words by
        # position; the sister repositories' names lean on both more.
        sister = own != "mmpretrain"
        self.sure_module = _SURE_MODULE | (
            {"variant-code", "component"} if sister else frozenset())
        self.train_words = frozenset(
            {"epochs", "iterations", "schedule", "clip-sampling"} if sister else ())
        # Detection, segmentation and OCR name their models with short
        # acronyms a letter apart (`pspnet`/`psanet`, `yolox`/`yolof`,
        # `fpnc`/`fpnf`): one letter off such a word is not a sure typo.
        self.acronyms = sister
        self.votes = dict(_VOTES)
        if TRAIN in self.repeat and "NxM" in self.batch:
            # `_8x2_512x1024_80k_`: legacy names give the crop size its own
            # part among the training information.
            self.votes["input-size"] = (0, 0, 0, 3, 0.5)


# Entries per memo table of a decoder (a full table stops growing).
MEMO_SIZE = 65536


class _Memo:
    """What a decoder works out once and reuses across names: the lexed words
    of each part text (offsets from the part's start, with their problems), the
    role search for each pattern of votes, each word's meaning in each role.
    Only the decoder's vocabulary and conventions go into them, which never
    change; :meth:`Decoder.clear_cache` drops them with the results."""

    __slots__ = ("words", "roles", "meanings")

    def __init__(self) -> None:
        self.words: Dict[str, Tuple[tuple, Tuple[Problem, ...]]] = {}
        self.roles: Dict[tuple, tuple] = {}
        self.meanings: Dict[tuple, Tuple[str, str]] = {}

    def sizes(self) -> Dict[str, int]:
        return {"words": len(self.words), "roles": len(self.roles),
                "meanings": len(self.meanings)}


def _moved(p: Problem, by: int) -> Problem:
    """``p`` moved ``by`` characters (a copy: the dataclass is frozen)."""
    return replace(p, start=p.start + by, end=p.end + by)


class _Word:
    """A word of a part with what the vocabulary or its shape says about it."""

    __slots__ = ("text", "start", "end", "lex", "entry", "lookup")

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.lex = "unknown"
        self.entry: Optional[Entry] = None
        # The spelling used for lookup (lower case when the original is not known).
        self.lookup = text


class _Segment:
    __slots__ = ("text", "start", "end", "words", "votes", "forced", "how", "suffix")

    def __init__(self, text: str, start: int, end: int, words: List[_Word]) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.words = words
        self.votes = [0.0] * 5
        self.forced: Optional[int] = None
        # How the role was inferred, when structure rather than words decided it.
        self.how = ""
        # A variant suffix after the data part (`_v2`, `_wout_bn`, `_freeze`).
        self.suffix = False


class Decoder:
    """Decodes names with one vocabulary and zoo (the default ones unless given)
    by one profile's convention (MMPretrain's unless given).

    ``profile`` is a :class:`~mmname_lsp.naming.profiles.Profile`, a profile
    name, ``"shared"`` (only what every profile shares, quietly) or None
    (MMPretrain).  Without ``vocabulary``/``zoo`` the profile's own are used:
    the shared words with the profile's on top, and its published models.
    """

    def __init__(self, vocabulary: Optional[Vocabulary] = None, zoo: object = None,
                 profile: object = None, *, memoise: bool = True) -> None:
        from mmname_lsp.naming.profiles import SHARED, get_profile

        if isinstance(profile, str):
            name = profile
            profile = get_profile(profile) if profile != SHARED else None
            if profile is None and name != SHARED:
                raise ValueError(f"no naming profile called {name!r}")
            self._profile_name = name
        else:
            self._profile_name = getattr(profile, "name", "mmpretrain")
        self.conventions = Conventions(profile, quiet=self._profile_name == SHARED)
        self.profile = profile
        self._vocab = vocabulary
        self._zoo = zoo
        self._cache = lru_cache(maxsize=8192)(self._decode)
        # ``memoise=False``: every name worked out afresh (tests compare).
        self._memoise = memoise
        self._memo: Optional[_Memo] = _Memo() if memoise else None
        self._zoo_generation = 0
        self._heads: frozenset = frozenset()
        self._heads_of: Optional[Vocabulary] = None

    @property
    def profile_name(self) -> str:
        """The name of the profile this decoder judges by ("shared" for none)."""
        return self._profile_name

    @property
    def vocab(self) -> Vocabulary:
        if self._vocab is None:
            self._vocab = profile_vocabulary(self._profile_name)
        return self._vocab

    @property
    def zoo(self):  # -> Zoo, imported lazily to keep start-up lean
        if self._zoo is None:
            from mmname_lsp.naming.zoo import default_zoo, profile_zoo

            name = self._profile_name
            self._zoo = profile_zoo(name) if name not in ("mmpretrain", "shared") else default_zoo()
        return self._zoo

    def decode(self, text: str, expected: Optional[str] = None) -> Decoded:
        """Decode ``text``; ``expected`` ("model", "config", "checkpoint") is what
        the place the text stands in asks for, when known."""
        if not isinstance(text, str):
            text = str(text)
        if len(text) > MAX_INPUT:
            # Never cache or scan huge inputs: one clear problem is enough.
            return _unreadable(text, f"{len(text)} characters is far too long")
        conv = self.conventions
        if conv.urls and "://" in text:
            other = self._url_profile(text)
            if other is not None:
                return profile_decoder(other).decode(text, expected)
        if conv.older and text.endswith(".pth") and "://" not in text and self._older_name(text):
            # The 3.x zoo still publishes its 2.x checkpoints under their names.
            return profile_decoder(conv.older).decode(text, expected)
        zoo = self._zoo
        if zoo is not None and zoo.generation != self._zoo_generation:
            # The zoo learnt a workspace's models: cached zoo links are stale.
            self._zoo_generation = zoo.generation
            self.clear_cache()
        return self._cache(text, expected)

    def _url_profile(self, text: str) -> Optional[str]:
        """The profile that publishes the checkpoint at URL ``text``, when it
        is another one; ``shared`` for a file outside OpenMMLab's downloads."""
        rest = text.split("://", 1)[1]
        for prefix, name in self.conventions.urls:
            if rest.startswith(prefix):
                return name
        if not rest.startswith(_OPENMMLAB_HOST):
            return "shared" if self._profile_name != "shared" else None
        return None

    def _older_name(self, text: str) -> bool:
        """Whether checkpoint ``text`` is named by the older convention: no
        `-` in its name, an `NxM` part, or a word of the older profile joined
        with `_` first (`ms_rcnn_r50_...`, `mask_rcnn_r50_fpg-chn128_...`)."""
        base = _SEPARATORS.split(text)[-1]
        stem = _DATED_TAIL.sub("", base[:-4])
        if "-" not in stem:
            return True
        pieces = stem.split("_")
        if any(patterns.BATCH_NO_B.fullmatch(piece) for piece in pieces):
            return True  # `_8x2_`, `_512x1024_`: sizes and batches as parts of their own
        older = profile_vocabulary(self.conventions.older)
        return any("_".join(pieces[:k]) in older for k in (4, 3, 2))

    def memo_sizes(self) -> Dict[str, int]:
        """Entries in each memo table (empty when the decoder does not memoise)."""
        return self._memo.sizes() if self._memo is not None else {}

    def clear_cache(self) -> None:
        """Forget every decoded name (the vocabulary or zoo changed)."""
        self._cache.cache_clear()
        if self._memoise:
            self._memo = _Memo()

    # -- step 1: where the name is -------------------------------------------------

    def _decode(self, text: str, expected: Optional[str]) -> Decoded:
        if not text:
            return _unreadable(text, "the text is empty")
        bad = _BAD_CHAR.search(text)
        if bad:
            ch = bad.group()
            if ch.isspace():
                what = "white space"
            elif "\ud800" <= ch <= "\udfff":
                what = "a character that is not valid text (undecodable byte?)"
            else:
                what = "a control character"
            return _unreadable(text, f"it contains {what} at position {bad.start()}")

        end = len(text)
        for stop in ("?", "#"):
            i = text.find(stop)
            if i >= 0:
                end = min(end, i)
        slash = max((mt.end() for mt in _SEPARATORS.finditer(text, 0, end)), default=0)
        base = text[slash:end]
        lower = base.lower()
        problems: List[Problem] = []
        file_parts: List[Part] = []
        kind = m.KIND_MODEL
        name_start, name_end = slash, end

        if lower.endswith(".pth"):
            kind = m.KIND_CHECKPOINT
            name_end = end - 4
            if _WORK_DIR_CKPT.fullmatch(text, slash, name_end):
                # MMEngine's own file names (`epoch_100.pth`): not a model name.
                return Decoded(text, kind, name_start, name_end, (), (), confidence=0.0)
            for layout in self.conventions.layouts:
                # `..._coco-256x192-81c58e40_20220909.pth`: the hash before the date.
                mt = layout.search(text, slash, name_end)
                if mt is not None:
                    break
            else:
                mt = None
            tail = None if mt is not None else _CKPT_TAIL.search(text, slash, name_end)
            hash_only = None if mt is not None else _HASH_ONLY.search(text, slash, name_end)
            if mt is not None:
                name_end = mt.start()
                file_parts.extend(self._hash_date(text, mt, problems))
            # `_224-4670dd19.pth` is an old name with a hash and no date; a
            # wrong date next to a wrong hash is a malformed new-style name.
            # `-4670dd19.pth` with no `_` before it has no date part at all.
            legacy = hash_only is not None and (
                tail is None or (tail.group(1) is None and not _date_like(tail.group(3)))
            )
            # `_in21k-384px.pth`: neither a date nor a hash, just the end of
            # the name; the date and hash are missing, not malformed.
            if tail and tail.group(1) is None and not legacy and not (
                any(c.isdigit() for c in tail.group(3) or "")
                and (_date_like(tail.group(3)) or re.fullmatch(r"[0-9a-f]{6,}", tail.group(4)))
            ):
                tail = None
            if mt is not None:
                pass
            elif tail and not legacy:
                name_end = tail.start()
                file_parts.extend(self._date_hash(text, tail, problems))
            elif hash_only:
                # Old checkpoints: `{name}-{hash}.pth`, no date.
                name_end = hash_only.start()
                h0, h1 = hash_only.span(1)
                problems.append(_problem("MMN115", name_end, h1))
                file_parts.append(
                    Part(
                        m.HASH,
                        text[h0:h1],
                        h0,
                        h1,
                        (Token(text[h0:h1], h0, h1, "hash", _HASH_MEANING),),
                    )
                )
            else:
                problems.append(_problem("MMN115", name_end, end))
        elif lower.endswith(".py"):
            if expected == m.KIND_MODEL and slash == 0:
                name_end = end - 3
                problems.append(_problem("MMN116", name_end, end, "", expected=text[:name_end]))
            else:
                kind = m.KIND_CONFIG
                name_end = end - 3
                if text.startswith("_", slash, name_end):
                    # A private helper module (`_randaug_policies.py`): not a config name.
                    return Decoded(text, kind, name_start, name_end, (), (), confidence=0.0)
                if text.endswith("_headless", slash, name_end):
                    head_start = name_end - len("headless")
                    file_parts.append(
                        Part(
                            m.HEADLESS,
                            "headless",
                            head_start,
                            name_end,
                            (self._marker(text, head_start, name_end, "headless"),),
                        )
                    )
                    name_end = head_start - 1

        if kind == m.KIND_CHECKPOINT and slash and (
            "://" not in text[:slash]
            or (self._profile_name != "mmpretrain" and _OPENMMLAB_HOST not in text[:slash])
        ):
            # `./pretrain/x.pth`, `work_dirs/...`, `/data/x.pth`: a file of the
            # user's, not a published checkpoint; no date or hash is owed.
            problems = [p for p in problems if p.code not in _PUBLISHED_ONLY]
        parts, more, ambiguities, confidence = self._decode_name(text, name_start, name_end, kind)
        problems.extend(more)
        parts.extend(file_parts)
        parts.sort(key=lambda p: p.start)
        headless = any(p.role == m.HEADLESS for p in parts)
        roles = {p.role for p in parts}

        if kind == m.KIND_CONFIG:
            train_words = {t.text for p in parts if p.role == m.TRAINING for t in p.tokens}
            if "3rdparty" in train_words:
                first = next(p for p in parts if p.role == m.TRAINING)
                problems.append(_problem("MMN111", first.start, first.end))
        if (
            m.TRAINING not in roles
            and not headless
            and kind != m.KIND_CHECKPOINT
            and len(parts) >= 2
            and confidence >= 0.3
        ):
            problems.append(
                _problem(
                    "MMN112", name_start, name_end, kind="config" if kind == "config" else "model"
                )
            )

        off = self.conventions.rules_off
        if off:
            problems = [p for p in problems if p.code not in off]
        zoo_entry = self._zoo_entry(text, kind, name_start, name_end)
        if zoo_entry is not None:
            confidence = 1.0
            if kind in (m.KIND_MODEL, m.KIND_CHECKPOINT):
                # `.py` after a known model name is the user's mistake, not upstream's.
                problems = [p if p.code == "MMN116" else _cap_to_hint(p) for p in problems]
        # Drop exact duplicates (`_` alone is both a leading and a trailing separator).
        problems = sorted(dict.fromkeys(problems), key=lambda p: (p.start, p.end, p.code))
        return Decoded(
            input=text,
            kind=kind,
            name_start=name_start,
            name_end=name_end,
            parts=tuple(parts),
            problems=tuple(problems),
            ambiguities=tuple(ambiguities),
            confidence=confidence,
            zoo=zoo_entry,
        )

    def _date_hash(self, text: str, tail: re.Match, problems: List[Problem]) -> List[Part]:
        g = 1 if tail.group(1) is not None else 3
        d_start, d_end = tail.span(g)
        h_start, h_end = tail.span(g + 1)
        date, digest = tail.group(g), tail.group(g + 1)
        if (
            patterns.DATE.fullmatch(date[:8])
            and _valid_date(date[:8])
            and (len(date) == 8 or date[8] == "_")
        ):
            meaning = f"Published on {date[:4]}-{date[4:6]}-{date[6:8]}."
            if len(date) > 8:
                meaning += f" Time {date[9:11]}:{date[11:13]}:{date[13:]} (old style)."
        else:
            meaning = "Should be the publication date as YYYYMMDD."
            problems.append(_problem("MMN113", d_start, d_end, found=date))
        if patterns.HASH.fullmatch(digest):
            h_meaning = _HASH_MEANING
        else:
            h_meaning = "Should be the first 8 hex digits of the file's SHA-256."
            problems.append(_problem("MMN114", h_start, h_end, found=digest))
        return [
            Part(m.DATE, date, d_start, d_end, (Token(date, d_start, d_end, "date", meaning),)),
            Part(
                m.HASH, digest, h_start, h_end, (Token(digest, h_start, h_end, "hash", h_meaning),)
            ),
        ]

    def _hash_date(self, text: str, mt: re.Match, problems: List[Problem]) -> List[Part]:
        """Date and hash parts of the `{name}-{hash}_{date}` layout."""
        h0, h1 = mt.span(1)
        d0, d1 = mt.span(2)
        date = mt.group(2)
        if _valid_date(date):
            meaning = f"Published on {date[:4]}-{date[4:6]}-{date[6:8]}."
        else:
            meaning = "Should be the publication date as YYYYMMDD."
            problems.append(_problem("MMN113", d0, d1, found=date))
        digest = text[h0:h1]
        return [
            Part(m.HASH, digest, h0, h1, (Token(digest, h0, h1, "hash", _HASH_MEANING),)),
            Part(m.DATE, date, d0, d1, (Token(date, d0, d1, "date", meaning),)),
        ]

    def _marker(self, text: str, start: int, end: int, word: str) -> Token:
        entry = self.vocab.get(word)
        meaning = entry.meaning if entry else word
        return Token(text[start:end], start, end, "marker", meaning)

    def _zoo_entry(self, text: str, kind: str, start: int, end: int) -> Optional[dict]:
        zoo = self.zoo
        if kind == m.KIND_MODEL:
            return zoo.model(text[start:end])
        if kind == m.KIND_CHECKPOINT:
            name = zoo.model_of_checkpoint(text)
            return zoo.model(name) if name else None
        models = zoo.models_of_config(text)
        if models:
            return {"config_models": models, **(zoo.model(models[0]) or {})}
        return None

    # -- step 2 and 3: parts, words, roles -------------------------------------------

    def _decode_name(
        self, text: str, start: int, end: int, kind: str
    ) -> Tuple[List[Part], List[Problem], List[str], float]:
        problems: List[Problem] = []
        if start >= end:
            problems.append(_problem("MMN108", start, end, what="name"))
            return [], problems, [], 0.0
        segments = self._segments(text, start, end, problems)
        if not segments:
            return [], problems, [], 0.0
        _input_sizes(segments, self.conventions)
        segments = self._split_glued(text, segments, problems)
        roles, ambiguities = self._assign_roles(text, segments, problems)
        _underscored_modules(text, segments, roles)
        family = _family(segments)
        parts = [
            _part(
                ROLE_ORDER[r],
                s.text,
                s.start,
                s.end,
                self._tokens(s, ROLE_ORDER[r], family),
                s.how or _how(s, ROLE_ORDER[r]),
            )
            for s, r in zip(segments, roles)
        ]
        self._part_problems(text, segments, roles, parts, problems, kind)
        return parts, problems, ambiguities, _confidence(segments, roles)

    def _segments(self, text: str, start: int, end: int, problems: List[Problem]) -> List[_Segment]:
        segments: List[_Segment] = []
        pos = start
        while pos <= end:
            stop = text.find("_", pos, end)
            while (
                0 < stop < end - 1
                and text[stop - 1].isdigit()
                and text[stop + 1].isdigit()
                and _decimal_underscore(text, pos, stop, end)
            ):
                stop = text.find("_", stop + 1, end)
            if stop < 0:
                stop = end
            if stop == pos:
                # An empty part: the fix removes the doubled or stray separator.
                lo, hi = (pos, pos + 1) if stop < end else (pos - 1, pos)
                problems.append(_problem("MMN108", lo, hi, "", what="part"))
            else:
                words = self._words(text, pos, stop, problems)
                if words:  # a part of dashes only (`a_-_b`) is already an MMN108
                    segments.append(_Segment(text[pos:stop], pos, stop, words))
            pos = stop + 1
        if self.conventions.joiner == "_" and len(segments) > 1:
            segments = self._joined(text, segments)
        return segments

    def _joined(self, text: str, segments: List[_Segment]) -> List[_Segment]:
        """Legacy names join the words of one part with `_` too (`faster_rcnn`):
        consecutive parts that make a known word together become one part."""
        vocab = self.vocab
        out: List[_Segment] = []
        i = 0
        while i < len(segments):
            for size in range(min(4, len(segments) - i), 1, -1):
                group = segments[i : i + size]
                if any(group[k].end + 1 != group[k + 1].start for k in range(size - 1)):
                    continue
                cand = text[group[0].start : group[-1].end]
                if cand in vocab:
                    w = _Word(cand, group[0].start, group[-1].end)
                    w.entry = vocab.get(cand)
                    w.lex = w.entry.kind
                    out.append(_Segment(cand, w.start, w.end, [w]))
                    i += size
                    break
            else:
                out.append(segments[i])
                i += 1
        return out

    def _words(self, text: str, start: int, end: int, problems: List[Problem]) -> List[_Word]:
        """The lexed words of the part ``text[start:end]``.  A part's words depend
        on its text alone (``8xb32``, ``in1k``, ``resnet50`` stand in many names):
        they are worked out once per text at offset 0, then placed at ``start``."""
        memo = self._memo
        if memo is None:
            return self._lexed_words(text, start, end, problems)
        part = text[start:end]
        hit = memo.words.get(part)
        if hit is None:
            found: List[Problem] = []
            words = self._lexed_words(part, 0, len(part), found)
            hit = (tuple((w.text, w.start, w.end, w.lex, w.entry, w.lookup) for w in words),
                   tuple(found))
            if len(memo.words) < MEMO_SIZE:
                memo.words[part] = hit
        out = []
        for t, a, b, lex, entry, lookup in hit[0]:
            w = _Word(t, a + start, b + start)
            w.lex, w.entry, w.lookup = lex, entry, lookup
            out.append(w)
        for p in hit[1]:
            problems.append(_moved(p, start) if start else p)
        return out

    def _lexed_words(self, text: str, start: int, end: int, problems: List[Problem]
                     ) -> List[_Word]:
        raw: List[_Word] = []
        pos = start
        while pos <= end:
            stop = text.find("-", pos, end)
            if stop < 0:
                stop = end
            if stop == pos:
                lo, hi = (pos, pos + 1) if stop < end else (pos - 1, pos)
                problems.append(_problem("MMN108", lo, hi, "", what="word"))
            elif (
                raw
                and text[pos - 2] == "e"
                and text[pos].isdigit()
                and _EXPONENT_TAIL.fullmatch(text, pos, stop)
                and _MANTISSA.fullmatch(raw[-1].text)
                and raw[-1].end + 1 == pos
            ):
                # `1e-3`, `sample1e-3`: the `-` is the exponent's sign, not a separator.
                prev = raw.pop()
                raw.append(_Word(text[prev.start : stop], prev.start, stop))
            else:
                raw.append(_Word(text[pos:stop], pos, stop))
            pos = stop + 1
        # Group compounds (``cn-clip``, ``rsb-a1``), longest first.
        vocab = self.vocab
        heads = self._compound_heads(vocab)
        words: List[_Word] = []
        i = 0
        while i < len(raw):
            took = 1
            if raw[i].text.lower() not in heads:
                words.append(raw[i])
                i += 1
                continue
            for size in range(min(vocab.max_compound, len(raw) - i), 1, -1):
                group = raw[i : i + size]
                if any(group[k].end + 1 != group[k + 1].start for k in range(size - 1)):
                    continue
                cand = text[group[0].start : group[-1].end]
                if cand in vocab.compounds or cand.lower() in vocab.compounds:
                    words.append(_Word(cand, group[0].start, group[-1].end))
                    took = size
                    break
            else:
                words.append(raw[i])
            i += took
        for w in words:
            self._lex(w, problems)
        return words

    def _compound_heads(self, vocab: Vocabulary) -> frozenset:
        """First words of the vocabulary's compounds (lower case), to skip most lookups."""
        if self._heads_of is not vocab:
            self._heads = frozenset(c.split("-", 1)[0].lower() for c in vocab.compounds)
            self._heads_of = vocab
        return self._heads

    def _lex(self, w: _Word, problems: List[Problem]) -> None:
        vocab = self.vocab
        entry = vocab.get(w.text)
        if entry is not None:
            w.entry, w.lex = entry, entry.kind
            return
        shapes = self.conventions.shapes
        if shapes:
            own = patterns.classify_profile(w.text, shapes)
            if own is not None:
                w.lex = own
                return
        shape = patterns.classify(w.text)
        if shape is not None and shape != "depth-backbone":
            w.lex = shape
            return
        low = w.text.lower()
        if low != w.text:
            entry = vocab.get(low)
            low_shape = patterns.classify(low)
            if entry is not None or (low_shape and low_shape not in ("number", "variant-code")):
                if low_shape != "batch-old":  # MMN101 rewrites the whole word (`B32X8`)
                    problems.append(
                        _problem("MMN107", w.start, w.end, low, found=w.text, expected=low)
                    )
                w.lookup = low
                if entry is not None:
                    w.entry, w.lex = entry, entry.kind
                else:
                    w.lex = low_shape or "unknown"
                return
        if shape == "depth-backbone":
            mt = patterns.DEPTH_BACKBONE.fullmatch(w.text)
            base = vocab.get(mt.group(1)) if mt else None
            if base is not None and base.kind in ("backbone", "algorithm"):
                w.entry, w.lex = base, "depth-backbone"
                return
        if patterns.BATCH_BS.fullmatch(w.text):
            w.lex = "batch-bs"
            return
        if shape is not None:
            w.lex = shape

    def _split_glued(
        self, text: str, segments: List[_Segment], problems: List[Problem]
    ) -> List[_Segment]:
        """Split parts joined with ``-`` where the words' roles change inside one part."""
        out: List[_Segment] = []
        for seg in segments:
            cut = _glue_cut(seg.words)
            if cut is None:
                out.append(seg)
                continue
            left, right = seg.words[:cut], seg.words[cut:]
            left_role = (
                PRE if left[-1].lookup == "pre" else (TRAIN if _has_train_marker(left) else MOD)
            )
            right_role = DATA if right[0].lex in ("dataset",) and left_role == TRAIN else TRAIN
            sep = left[-1].end
            # `in21k-pre-3rdparty` (MMPretrain) and `ghm-1x`, `hrnetv2p-w18-1x`
            # (MMDetection) are how upstream itself writes them.
            upstream_style = (left_role == PRE and right[0].lookup == "3rdparty") or (
                right[0].lex == "schedule")
            problems.append(
                _problem(
                    "MMN109",
                    sep,
                    sep + 1,
                    "_",
                    severity="hint" if upstream_style else None,
                    found=seg.text,
                    left=ROLE_ORDER[left_role],
                    right=ROLE_ORDER[right_role],
                )
            )
            a = _Segment(text[seg.start : sep], seg.start, sep, left)
            b = _Segment(text[sep + 1 : seg.end], sep + 1, seg.end, right)
            a.forced, b.forced = left_role, right_role
            out.extend((a, b))
        return out

    def _assign_roles(
        self, text: str, segments: List[_Segment], problems: List[Problem]
    ) -> Tuple[List[int], List[str]]:
        conv = self.conventions
        votes_of = conv.votes
        n = len(segments)
        for i, seg in enumerate(segments):
            words = seg.words
            a = b = c = d = e = 0.0
            for w in words:
                v = votes_of.get(w.lex, _UNKNOWN_VOTES)
                a += v[0]
                b += v[1]
                c += v[2]
                d += v[3]
                e += v[4]
            votes = [a, b, c, d, e]
            if words and words[-1].lookup == "pre":
                if _module_with_pretrain(seg):
                    votes = [0.0, 10.0, 0.0, 0.0, 0.0]
                    seg.how = "read as the module with its pretraining inside, ending with `-pre`"
                else:
                    votes = [0.0, 0.0, 10.0, 0.0, 0.0]
            # A role no word votes for is unlikely, not merely neutral.
            votes = [v if v > 0 else -1.0 for v in votes]
            if not conv.has_pre:
                # No pretrain part: the pretraining sits inside the module part
                # (`swin-t-p4-w7-in1k-pre`, `imagenet-pretrained-r50`).
                if any(w.lookup in _PRE_WORDS or w.lex == "marker" for w in words):
                    votes[MOD] += max(votes[PRE], 0.0) + max(votes[DATA], 0.0)
                    votes[DATA] = -1.0
                    seg.how = seg.how or "read as the module with its pretraining inside"
                votes[PRE] = -99.0
            if i == 0 and not (
                conv.module_optional and any(w.lex == "algorithm" for w in words)
            ):
                votes[MOD] += 2
            if i == n - 1 and n > 1 and votes[DATA] > 0:
                votes[DATA] += 1
            # `vit-large-p14_eva02_m38m-pre`: a word that may describe the
            # pretraining, right before the `-pre` part, belongs to it.
            nxt = segments[i + 1].words if i + 1 < n else None
            if i > 0 and nxt and nxt[-1].lookup == "pre":
                if votes[PRE] > 0:
                    votes[PRE] += 1.5
                elif all(_is_new(w) for w in words):
                    # A new word there (`eva02` of `_eva02_m38m-pre`) too.
                    votes[PRE] = 2.0
                    seg.how = "read as pretrain information by its position, before `-pre`"
            seg.votes = votes

        _structural_priors(segments, conv)
        # Strong markers that contradict the order: the parts are misplaced.
        strong = [(_strong_role(s), i) for i, s in enumerate(segments)]
        if not conv.has_pre:
            strong = [(MOD if r == PRE else r, i) for r, i in strong]
        # `vit_in21k_8xb64_in1k`: a dataset before the training part, with the data
        # part after it, is the pretraining dataset without `-pre`, not misplaced data.
        train_at = [i for r, i in strong if r == TRAIN]
        if train_at and any(r == DATA and i > train_at[-1] for r, i in strong):
            strong = [(PRE if r == DATA and 0 < i < train_at[0] else r, i) for r, i in strong]
        seq = [r for r, _ in strong if r is not None]
        misplaced = any(a > b for a, b in zip(seq, seq[1:]))
        if not misplaced:
            # In order, a batch size or `3rdparty` fixes its part's role
            # (`8xb32_in1k` has no module rather than a module `8xb32`).
            for r, i in strong:
                if r == TRAIN:
                    segments[i].forced = r
        roles, score, runner_up = self._role_search(segments, conv)
        if misplaced:
            roles = [r if r is not None else roles[i] for r, i in strong]
            order = sorted(range(n), key=lambda i: (roles[i], i))
            fixed = "_".join(segments[i].text for i in order)
            found = ", ".join(f"{segments[i].text} ({ROLE_ORDER[roles[i]]})" for i in range(n))
            problems.append(
                _problem("MMN110", segments[0].start, segments[-1].end, fixed, found=found)
            )
        if conv.test_data:
            _test_data(segments, roles)
        ambiguities: List[str] = []
        if runner_up is not None and score - runner_up[0] < 1.0:
            alt = runner_up[1]
            for seg, a, b in zip(segments, roles, alt):
                if a != b:
                    ambiguities.append(
                        f"`{seg.text}` read as {ROLE_ORDER[a]}; it could also be {ROLE_ORDER[b]}"
                    )
        return roles, ambiguities

    def _role_search(
        self, segments: List[_Segment], conv: Conventions
    ) -> Tuple[List[int], float, Optional[Tuple[float, List[int]]]]:
        """:func:`_best_roles`, once per pattern of votes and forced roles (a
        few hundred patterns cover thousands of names)."""
        memo = self._memo
        if memo is None:
            return _best_roles(segments, conv)
        key = tuple((tuple(seg.votes), seg.forced) for seg in segments)
        hit = memo.roles.get(key)
        if hit is None:
            hit = _best_roles(segments, conv)
            if len(memo.roles) < MEMO_SIZE:
                memo.roles[key] = hit
        return list(hit[0]), hit[1], hit[2]

    def _tokens(self, seg: _Segment, role: str, family: str) -> Tuple[Token, ...]:
        meanings = self._memo.meanings if self._memo is not None else None
        out = []
        for w in seg.words:
            if meanings is None:
                kind, meaning = self._meaning(w, role, family)
            else:
                key = (w.text, w.lookup, w.lex, w.entry, role, family)
                hit = meanings.get(key)
                if hit is None:
                    hit = self._meaning(w, role, family)
                    if len(meanings) < MEMO_SIZE:
                        meanings[key] = hit
                kind, meaning = hit
            if seg.suffix and kind == "unknown":
                out.append(_token(w.text, w.start, w.end, kind, _SUFFIX_MEANING, _SUFFIX_HOW))
            elif w.entry is None or w.lex == LEARNED:
                out.append(_token(w.text, w.start, w.end, kind, meaning, _token_how(w, role)))
            else:
                out.append(_token(w.text, w.start, w.end, kind, meaning, ""))
        return tuple(out)

    def _meaning(self, w: _Word, role: str, family: str) -> Tuple[str, str]:
        t = w.lookup
        lex = w.lex
        if w.entry is not None and lex != "depth-backbone":
            return w.entry.kind, w.entry.meaning
        if lex == "depth-backbone" and w.entry is not None:
            mt = patterns.DEPTH_BACKBONE.fullmatch(t)
            depth = mt.group(2) if mt else "?"
            return "backbone", f"{w.entry.meaning.rstrip('.')}, depth {depth}."
        if lex == "gpus-x-batch":
            g, b = (int(x) for x in patterns.GPUS_X_BATCH.fullmatch(t).groups())
            return "gpus-x-batch", f"{g} GPUs x {b} images per GPU (total batch size {g * b})."
        if lex == "batch-no-b" and "NxM" in self.conventions.batch:
            g, b = (int(x) for x in re.findall(r"\d+", t)[:2])
            return "gpus-x-batch", (
                f"{g} GPUs x {b} images per GPU (total batch size {g * b}; "
                f"{self.conventions.title} writes it without `b`)."
            )
        if lex in ("batch-no-b", "batch-upper"):
            g, b = (int(x) for x in re.findall(r"\d+", t)[:2])
            return "gpus-x-batch", f"Probably {g} GPUs x {b} images per GPU, written without `b`."
        if lex == "batch-old":
            b, g = (int(x) for x in patterns.BATCH_OLD.fullmatch(t).groups())
            return "gpus-x-batch", f"Old mmcls form: {b} images per GPU on {g} GPUs (`{g}xb{b}`)."
        if lex == "batch-total":
            return "batch-size", f"Total batch size {t[5:]} (old form; GPUs unknown)."
        if lex == "batch-bs":
            return "batch-size", f"Batch size {t[2:]} per GPU (base config)."
        if lex == "epochs":
            n = t[:-1]
            if role == m.PRETRAIN:
                return "epochs", f"Pre-trained for {n} epochs."
            return "epochs", f"Trained for {n} epochs."
        if lex == "resolution":
            n = t[:-2]
            if role == m.PRETRAIN:
                return "resolution", f"Pre-trained at {n}x{n} pixels."
            return "resolution", f"Input images of {n}x{n} pixels."
        if lex == "patch":
            n = t[1:]
            return "patch", f"Patch size {n}x{n}."
        if lex == "window":
            n = t[1:]
            if family.startswith("swin"):
                return "window", f"Attention window of {n}x{n} patches."
            return "width", f"Width {n}."
        if lex == "cardinality":
            a, b = patterns.CARDINALITY.fullmatch(t).groups()
            return "cardinality", f"{a} groups of {b} channels (ResNeXt cardinality)."
        if lex == "params":
            n, unit = patterns.PARAMS.fullmatch(t).groups()
            if unit == "b":
                return "size", f"About {n} billion parameters."
            return "size", f"About {n} million parameters."
        if lex == "flops":
            n, unit = patterns.FLOPS.fullmatch(t).groups()
            scale = "GFLOPs" if unit == "gf" else "MFLOPs"
            return "size", f"About {n} {scale} per image."
        if lex == "version":
            return "variant", f"Version {t[1:]}."
        if lex == "variant-code":
            if role == m.TRAINING:
                mt = re.fullmatch(r"([a-zA-Z]+)(\d.*)", w.text)
                if mt:
                    return "setting", (
                        f"Setting `{mt.group(1)}` of {mt.group(2)} (a count or ratio)."
                    )
            return "variant", f"Variant `{w.text}` of the {family or 'model'}."
        if lex == "iterations":
            return "iterations", f"Trained for {t.rstrip('ki')}k iterations."
        if lex == "schedule":
            n = patterns.numbers("schedule", t).get("epochs", 0)
            return "schedule", f"Schedule {t}: {n:g} epochs ({patterns.SCHEDULE_EPOCHS} per `1x`)."
        if lex == "clip-sampling":
            c, f, k = patterns.CLIP_SAMPLING.fullmatch(t).groups()
            return "clip-sampling", (
                f"Clips of {c} frames, one every {f} frames, {k} clip(s) per video "
                "(clip_len x frame_interval x num_clips)."
            )
        if lex == "uniform-sampling":
            return "uniform-sampling", f"{t[1:]} segments sampled uniformly from each video."
        if lex in ("patch-3d", "window-3d"):
            d, h, wd = t[1:]
            what = "Patch" if lex == "patch-3d" else "Attention window"
            return lex[:-3], f"{what} of {d}x{h}x{wd} (time x height x width)."
        if lex == "decimal":
            return "value", f"The value {t.replace('_', '.')} (a setting, not a part of the name)."
        if lex == "input-size":
            h, wd = re.findall(r"\d+", t)[:2]
            return "input-size", f"Input or crop size {h}x{wd} pixels."
        if lex == "width":
            a, b = re.findall(r"\d+", t)[:2]
            return "width", f"Width {a}x{b} of the {family or 'backbone'}."
        if lex == "number":
            if role == m.DATA:
                return "resolution", f"Input images of {t}x{t} pixels (written without `px`)."
            if role == m.TRAINING:
                return "number", f"The number {t}: a count or value (epochs are written `{t}e`)."
            return "variant", f"Variant number {t} of the {family or 'model'}."
        return "unknown", (
            f"Not a known word of {self.conventions.title} names; "
            f"read as {_ROLE_WORDS[role]} by its position."
        )

    # -- problems that need the roles ------------------------------------------------

    def _part_problems(
        self,
        text: str,
        segments: List[_Segment],
        roles: List[int],
        parts: List[Part],
        problems: List[Problem],
        kind: str,
    ) -> None:
        vocab = self.vocab
        conv = self.conventions
        for seg, r in zip(segments, roles):
            for w in seg.words:
                if (w.lex == "batch-no-b" and "NxM" in conv.batch) or (
                    w.lex == "batch-old" and "bMxN" in conv.batch
                ):
                    continue  # the profile's own batch form
                if w.lex == "batch-upper":
                    g, b = re.findall(r"\d+", w.text)[:2]
                    problems.append(
                        _problem(
                            "MMN101",
                            w.start,
                            w.end,
                            f"{g}xb{b}",
                            found=w.text,
                            expected=f"`{g}xb{b}`",
                        )
                    )
                elif w.lex == "batch-no-b":
                    # GPUs x batch in the legacy detection repositories, batch x
                    # GPUs in some research ones: a guess, never applied unasked.
                    readings = patterns.batch_readings(w.lookup)
                    pr = _problem(
                        "MMN101",
                        w.start,
                        w.end,
                        readings[0],
                        found=w.text,
                        expected=" or ".join(f"`{r}`" for r in readings),
                    )
                    problems.append(replace(pr, safe=False, alternatives=readings))
                elif w.lex == "batch-old":
                    b, g = patterns.BATCH_OLD.fullmatch(w.lookup).groups()
                    problems.append(
                        _problem(
                            "MMN101",
                            w.start,
                            w.end,
                            f"{g}xb{b}",
                            found=w.text,
                            expected=f"`{g}xb{b}`",
                        )
                    )
                elif w.lex == "batch-total":
                    problems.append(
                        _problem(
                            "MMN101", w.start, w.end, found=w.text, expected="`{gpus}xb{per_gpu}`"
                        )
                    )
                elif w.lex == "number" and r == TRAIN and _bare_epochs(seg, w):
                    # Bare numbers are counts or values unless written `NNNe`:
                    # right after a scheduler (`coslr-300`) the convention's
                    # order makes epochs likely, elsewhere only possible; the
                    # `e` is a guess either way.
                    after_scheduler = seg.words.index(w) > 0 and (
                        seg.words[seg.words.index(w) - 1].lex == "scheduler"
                    )
                    pr = _problem(
                        "MMN106",
                        w.start,
                        w.end,
                        w.text + "e",
                        severity=None if after_scheduler else m.HINT,
                        found=w.text,
                        expected=w.text + "e",
                    )
                    problems.append(replace(pr, safe=False))
                elif w.lex == "number" and r == DATA and _after_dataset(seg, w):
                    problems.append(
                        _problem("MMN105", w.start, w.end, w.text + "px", found=w.text, size=w.text)
                    )
                elif w.entry is not None and w.entry.preferred:
                    code = "MMN103" if w.entry.kind == "dataset" else "MMN118"
                    problems.append(
                        _problem(
                            code,
                            w.start,
                            w.end,
                            w.entry.preferred,
                            found=w.text,
                            expected=w.entry.preferred,
                        )
                    )
                elif (w.lex == "unknown" and w.text.isalpha()) or (
                    r == DATA and w.entry is None and w.lex in ("variant-code", "depth-backbone")
                ):
                    guess = vocab.suggest(w.lookup)
                    # In the data part a shaped word (`in1kk`) is only a typo of a dataset.
                    if (
                        guess is not None
                        and (w.lex == "unknown" or vocab.get(guess).kind in ("dataset", "task"))
                        and not _new_word(vocab, w.lookup, guess)
                        and not (conv.acronyms and _acronym(vocab, w.lookup, guess))
                    ):
                        problems.append(
                            _problem("MMN102", w.start, w.end, guess, found=w.text, expected=guess)
                        )
                elif w.lex == "depth-backbone" and w.entry is None and r in (ALG, MOD):
                    # `resnte50`: a backbone typo followed by its depth.
                    mt = patterns.DEPTH_BACKBONE.fullmatch(w.lookup)
                    stem = mt.group(1) if mt else ""
                    known = vocab.get(stem) is not None
                    guess = vocab.suggest(stem) if stem.isalpha() and not known else None
                    if (
                        guess is not None
                        and vocab.get(guess).kind in ("backbone", "algorithm")
                        and not _new_word(vocab, stem, guess)
                        and not (conv.acronyms and _acronym(vocab, w.lookup, guess))
                    ):
                        fixed = guess + w.lookup[len(stem) :]
                        problems.append(
                            _problem("MMN102", w.start, w.end, fixed, found=w.text, expected=fixed)
                        )

        # Missing `-pre` at the end of a run of pretrain parts.
        i = 0
        while i < len(roles):
            if roles[i] != PRE:
                i += 1
                continue
            j = i
            while j + 1 < len(roles) and roles[j + 1] == PRE:
                j += 1
            run = segments[i : j + 1]
            # `r50-in1k-pre-nopool`: the family writes `-pre` inside a part too.
            if not any(w.lookup in _PRE_WORDS for s in run for w in s.words):
                last = run[-1]
                # Sure only when the part names a pretraining dataset or length.
                sure = any(w.lex in ("dataset", "epochs") for s in run for w in s.words)
                problems.append(
                    _problem(
                        "MMN104",
                        last.start,
                        last.end,
                        last.text + "-pre",
                        severity=None if sure else "hint",
                        found=last.text,
                    )
                )
            i = j + 1

        # One kind of information split over several parts.
        for r in (MOD, PRE, TRAIN, DATA):
            idx = [i for i, x in enumerate(roles) if x == r and not segments[i].suffix]
            if len(idx) > 1 and r != PRE and r not in conv.repeat:
                first, last = segments[idx[0]], segments[idx[-1]]
                problems.append(
                    _problem("MMN117", first.start, last.end, role=ROLE_ORDER[r], count=len(idx))
                )
        if (
            MOD not in roles
            and not conv.module_optional
            and (TRAIN in roles or DATA in roles)
            and len(segments) > 1
        ):
            problems.append(_problem("MMN119", segments[0].start, segments[-1].end))


# -- helpers ----------------------------------------------------------------------


def _token(text: str, start: int, end: int, kind: str, meaning: str, how: str) -> Token:
    return m.new_frozen(Token, text=text, start=start, end=end, kind=kind, meaning=meaning,
                        how=how)


def _part(
    role: str, text: str, start: int, end: int, tokens: Tuple[Token, ...], how: str
) -> Part:
    return m.new_frozen(Part, role=role, text=text, start=start, end=end, tokens=tokens,
                        how=how)


def _problem(
    code: str,
    start: int,
    end: int,
    replacement: Optional[str] = None,
    *,
    severity: Optional[str] = None,
    **fields: object,
) -> Problem:
    rule = RULES[code]
    try:
        message = rule.message.format(**fields)
    except (KeyError, IndexError):
        message = rule.message
    return Problem(code, severity or rule.severity, message, start, end, replacement)


def _cap_to_hint(p: Problem) -> Problem:
    if p.severity in (m.HINT, m.INFORMATION):
        return p
    return Problem(
        p.code,
        m.HINT,
        p.message + " (kept: published upstream name)",
        p.start,
        p.end,
        p.replacement,
    )


def _unreadable(text: str, detail: str) -> Decoded:
    return Decoded(
        input=text,
        kind=m.KIND_MODEL,
        name_start=0,
        name_end=len(text),
        parts=(),
        problems=(_problem("MMN100", 0, len(text), detail=detail),),
        confidence=0.0,
    )


def _date_like(s: str) -> bool:
    """A mangled date (`2022-0825`, `20220825x`): at least six digits, digit first."""
    return s[:1].isdigit() and sum(c.isdigit() for c in s) >= 6


def _valid_date(s: str) -> bool:
    try:
        d = datetime.date(int(s[:4]), int(s[4:6]), int(s[6:]))
    except ValueError:
        return False
    return 2015 <= d.year <= 2100


# Word kinds that make a part read surely as the module.
_SURE_MODULE = frozenset(
    {"backbone", "depth-backbone", "size", "patch", "window", "patch-3d", "window-3d",
     "cardinality", "flops"}
)
# Word kinds that say nothing about a part's role by themselves.
_NEW_WORDS = frozenset({"unknown", "learned"})
_ROLE_WORDS = {
    m.ALGORITHM: "the algorithm",
    m.MODULE: "a module word",
    m.PRETRAIN: "a pretrain word",
    m.TRAINING: "a training word",
    m.DATA: "a dataset",
    m.TEST_DATA: "the testing dataset",
}
_NUMBERED_BEFORE_SIZE = frozenset(
    {"dataset", "task", "resolution", "input-size", "unknown", "learned", "variant-code", "number"}
)


def _input_sizes(segments: Sequence[_Segment], conv: Optional[Conventions] = None) -> None:
    """Re-read ``HxW`` words written without ``b`` that cannot be GPUs x batch.

    ``512x1024`` after a dataset (``cityscapes-512x1024``), any ``NxM`` in a
    name that gives its batch as ``NxbM`` elsewhere, and a first number no GPU
    count reaches, are input or crop sizes; ``50x1`` right after a backbone
    word is a width.  What is left is the ambiguous batch form.
    """
    found = has_batch = False
    for seg in segments:
        for w in seg.words:
            lex = w.lex
            if lex == "batch-no-b":
                found = True
            elif lex == "gpus-x-batch" or lex == "batch-upper" or lex == "batch-old":
                has_batch = True
    if not found:
        return
    legacy = conv is not None and "NxM" in conv.batch
    batch_seen = False
    for seg in segments:
        for k, w in enumerate(seg.words):
            if w.lex != "batch-no-b":
                continue
            if legacy:
                # `8x2_512x1024`, `512x512_4x4`: no GPU count reaches 32, and
                # a name gives one batch; any other `HxW` is a size.
                a = int(patterns.BATCH_NO_B.fullmatch(w.lookup).group(1))
                if batch_seen or a >= 32 or has_batch:
                    w.lex = "input-size"
                else:
                    batch_seen = True
                continue
            a, b = (int(x) for x in patterns.BATCH_NO_B.fullmatch(w.lookup).groups())
            prev = seg.words[k - 1].lex if k else None
            if prev in ("backbone", "depth-backbone") and b <= 4:
                w.lex = "width"
            elif has_batch or prev in _NUMBERED_BEFORE_SIZE or a >= 128:
                w.lex = "input-size"


def _structural_priors(segments: Sequence[_Segment], conv: Optional[Conventions] = None) -> None:
    """Let the convention's order decide the role of parts of new words.

    An unknown first part before a part that reads surely as the module is the
    algorithm; new words after the data part are a variant suffix of it.
    """
    n = len(segments)
    sure = conv.sure_module if conv is not None else _SURE_MODULE
    train_words = conv.train_words if conv is not None else frozenset()
    if n >= 2:
        first, second = segments[0], segments[1]
        if (
            first.forced is None
            and _all_new(first.words)
            and any(w.lex in sure for w in second.words)
            and _strong_role(second) is None
        ):
            first.votes[ALG] += 4.0
            first.how = f"read as the algorithm by its position, before the module `{second.text}`"
        elif (
            conv is not None
            and conv.module_optional
            and first.forced is None
            and _all_new(first.words)
            and _strong_role(second) == TRAIN
        ):
            # MMPose, MMAction2, MMOCR: `{algorithm}_{training}_...` without a module.
            first.votes[ALG] += 4.0
            first.how = (f"read as the algorithm by its position, before the training "
                         f"part `{second.text}`")
    last_seg = segments[-1]
    if (
        n >= 2
        and last_seg.forced is None
        and _all_new(last_seg.words)
        and any(_strong_role(seg) in (PRE, TRAIN)
                or any(w.lex in train_words for w in seg.words) for seg in segments[:-1])
    ):
        # New words after the pretrain or training part: the data.
        last_seg.votes[DATA] = max(last_seg.votes[DATA], 0.0) + 3.0
        last_seg.how = "read as the data part by its position, after the training information"
    last = -1
    for i in range(n - 1, 0, -1):
        if _has_data_word(segments[i].words):
            last = i
            break
    if not 0 < last < n - 1:
        return
    tail = segments[last + 1 :]
    if not all(_suffix_like(seg) for seg in tail):
        return
    if _strong_role(segments[last]) not in (None, DATA):
        return
    segments[last].forced = DATA
    for seg in tail:
        seg.forced = DATA
        seg.suffix = True
        seg.how = f"read as a variant suffix after the data part `{segments[last].text}`"


def _module_with_pretrain(seg: _Segment) -> bool:
    """`swin-base-patch4-window7-in22k-pre`: the sister repositories write the
    pretraining inside the module part; a known backbone first and a size,
    patch or window word make it the module."""
    words = seg.words
    first = words[0]
    if len(words) < 3 or first.entry is None or first.lex not in ("backbone", "depth-backbone"):
        return False
    for w in words[1:]:
        if w.lex in _SURE_MODULE:
            return True
    return False


def _all_new(words: Sequence[_Word]) -> bool:
    for w in words:
        if not _is_new(w):
            return False
    return True


def _has_data_word(words: Sequence[_Word]) -> bool:
    for w in words:
        if w.lex == "dataset" or w.lex == "task":
            return True
    return False


def _is_new(w: _Word) -> bool:
    """A word no vocabulary entry explains (`myalgo`, `beitv2` without `beit`)."""
    return w.lex in _NEW_WORDS or (
        w.entry is None and w.lex in ("depth-backbone", "variant-code")
    )


def _underscored_modules(text: str, segments: Sequence[_Segment], roles: Sequence[int]) -> None:
    """Name the reading of a module written with ``_`` inside (``plain_mamba_l1``,
    ``mask_rcnn``): consecutive module parts of which one at least is new."""
    if roles.count(MOD) < 2:
        return
    i = 0
    while i < len(roles):
        j = i
        while j + 1 < len(roles) and roles[j + 1] == MOD == roles[i]:
            j += 1
        run = segments[i : j + 1]
        if j > i and any(all(_is_new(w) for w in seg.words) for seg in run):
            whole = text[run[0].start : run[-1].end]
            for seg in run:
                if not seg.how:
                    seg.how = f"read as part of the module name `{whole}`, written with `_`"
        i = j + 1


def _suffix_like(seg: _Segment) -> bool:
    return (
        seg.forced is None
        and len(seg.words) <= 2
        and all(
            w.lex in ("version", "variant", "unknown", "learned")
            or patterns.VERSION.fullmatch(w.lookup)
            for w in seg.words
        )
    )


def _how(seg: _Segment, role: str) -> str:
    """How a part's role was inferred when none of its words is known."""
    for w in seg.words:
        if w.lex not in _NEW_WORDS:
            return ""
    return f"read as {_ROLE_WORDS[role]} by its position"


def _decimal_underscore(text: str, start: int, at: int, end: int) -> bool:
    """Whether the ``_`` at ``at`` is the decimal point of a value (``0_005``,
    ``lr0_01``) rather than a separator of parts: one digit before it ends a
    word, only digits follow it up to the next separator."""
    left = max(text.rfind("-", start, at), text.rfind("_", start, at)) + 1
    if not _DECIMAL_LEFT.fullmatch(text, left, at):
        return False
    nxt = at + 1
    stop = nxt
    while stop < end and text[stop] not in "_-":
        stop += 1
    return stop > nxt and text[nxt:stop].isdigit()


def _has_train_marker(words: Sequence[_Word]) -> bool:
    return any(w.lex in _TRAIN_MARKERS or w.lookup == "3rdparty" for w in words)


def _glue_cut(words: Sequence[_Word]) -> Optional[int]:
    """Index where a part glued with ``-`` should be cut, or None."""
    n = len(words)
    for k in range(1, n):
        prev, cur = words[k - 1], words[k]
        # `in21k-pre-3rdparty`: the pretrain marker ends a part.
        if prev.lookup == "pre" and (cur.lex in _TRAIN_MARKERS or cur.lex == "training-type"):
            return k
        # `resnet50-8xb32`, `gn-head-1x`: module words, then a batch or a
        # schedule (not `8xb4-crop896-1x`: that part began as training).
        if cur.lex in _TRAIN_MARKERS and not _has_train_marker(words[:k]) and prev.lex in (
            "backbone",
            "size",
            "patch",
            "window",
            "depth-backbone",
            "variant-code",
            "cardinality",
            "component",
        ):
            return k
        # `8xb32-in1k`: training words, then the dataset.
        if (
            cur.lex == "dataset"
            and _has_train_marker(words[:k])
            and not any(w.lookup == "pre" for w in words[k:])
        ):
            return k
    return None


def _strong_role(seg: _Segment) -> Optional[int]:
    if seg.forced is not None:
        return seg.forced
    words = seg.words
    if not words:
        return None
    if words[-1].lookup == "pre":
        return None if _module_with_pretrain(seg) else PRE
    if any(w.lex in _TRAIN_MARKERS or w.lookup == "3rdparty" for w in words):
        return TRAIN
    if words[0].lex == "dataset" and all(
        w.lex in ("dataset", "resolution", "number", "task") for w in words
    ):
        return DATA
    return None


def _test_data(segments: Sequence[_Segment], roles: List[int]) -> None:
    """A second data part names the testing dataset (MMDetection's optional
    last part, `_test-mot17halfval`, `_dark-zurich-1920x1080`)."""
    first = next((i for i, r in enumerate(roles) if r == DATA), None)
    if first is None:
        return
    for i in range(first + 1, len(roles)):
        seg = segments[i]
        if roles[i] == DATA and (
            not seg.suffix
            or any(w.lex in ("test", "dataset", "input-size") for w in seg.words)
        ):
            roles[i] = TEST
            seg.suffix = False
            seg.how = seg.how if not seg.how.startswith("read as a variant") else ""


def _best_roles(
    segments: Sequence[_Segment], conv: Optional[Conventions] = None,
) -> Tuple[List[int], float, Optional[Tuple[float, List[int]]]]:
    """Best monotone role assignment by dynamic programming, with the runner-up."""
    penalty = conv.penalty if conv is not None else _REPEAT_PENALTY
    module_optional = conv is not None and conv.module_optional
    n = len(segments)
    # state: (last role, module seen) -> the two best (score, roles), best first;
    # on equal scores the one found first stays ahead.
    states: Dict[Tuple[int, bool], List[Tuple[float, Tuple[int, ...]]]] = {(-1, False): [(0.0, ())]}
    for i, seg in enumerate(segments):
        votes = seg.votes
        forced = seg.forced
        nxt: Dict[Tuple[int, bool], List[Tuple[float, Tuple[int, ...]]]] = {}
        for (last, mod_seen), entries in states.items():
            if forced is not None:
                allowed: Sequence[int] = (forced,) if forced >= last else ()
            elif last == ALG and not module_optional:
                allowed = (MOD,)
            else:
                allowed = range(max(last, 0 if i == 0 else MOD), 5)
            for r in allowed:
                if (r == ALG and i != 0) or (last == ALG and r != MOD and not module_optional):
                    continue
                gain = votes[r] + penalty[r] if r == last else votes[r]
                key = (r, mod_seen or r == MOD)
                bucket = nxt.get(key)
                for score, roles in entries:
                    # The roles tuple is built only for a candidate that is kept.
                    sc = score + gain
                    if bucket is None:
                        bucket = nxt[key] = [(sc, roles + (r,))]
                    elif sc > bucket[0][0]:
                        bucket.insert(0, (sc, roles + (r,)))
                        del bucket[2:]
                    elif len(bucket) == 1:
                        bucket.append((sc, roles + (r,)))
                    elif sc > bucket[1][0]:
                        bucket[1] = (sc, roles + (r,))
        states = nxt
    finals: List[Tuple[float, Tuple[int, ...]]] = []
    for (last, mod_seen), entries in states.items():
        if last == ALG:
            continue
        for score, roles in entries:
            finals.append((score - (0 if mod_seen or module_optional else 4.0), roles))
    if not finals:  # a single algorithm-only part: call it the module
        return [MOD] * n, 0.0, None
    finals.sort(key=lambda e: -e[0])
    best = finals[0]
    runner = next(((sc, list(ro)) for sc, ro in finals[1:] if ro != best[1]), None)
    return list(best[1]), best[0], runner


def _token_how(w: _Word, role: str) -> str:
    if w.lex == "unknown" or (w.entry is None and w.lex == "depth-backbone"):
        return f"not a known word; read as {_ROLE_WORDS[role]} by its position"
    if w.lex == "learned":
        return "a word of this workspace's names"
    if w.entry is None and w.lex in _SHAPE_WORDS:
        return "read by its shape"
    return ""


_INFLECTIONS = ("s", "d", "ed", "ing", "er")
# Letters that name a size after a backbone (`swinl`, `convnexts`).
_SIZE_LETTERS = frozenset("tsbmlhx")


def _new_word(vocab: Vocabulary, word: str, guess: str) -> bool:
    """Whether ``word``, close to the known ``guess``, reads as a new word
    rather than a typo: an inflection of a known word (``finetune``,
    ``pretrained``), a known backbone with a size letter (``swinl``), or a
    compound of known pieces (``efficientvit`` = ``efficient`` + ``vit``)."""
    for suffix in _INFLECTIONS:
        if word == guess + suffix or guess == word + suffix:
            return True
    # `in21k` / `in1k`, `voc12` / `voc07`: numbered relatives, not typos.
    if any(c.isdigit() for c in word + guess) and _letters(word) == _letters(guess):
        return True
    entry = vocab.get(guess)
    if (
        entry is not None
        and entry.kind in ("backbone", "algorithm")
        and len(word) != len(guess)
    ):
        # A letter more or less inside a model's name makes another model
        # (`resnet`, `resnest`, `resnext`); a swapped or wrong letter is a typo.
        return True
    # One letter before or after a whole known word names a variant or a
    # relative (`mvit`, `refcocog`, `mobilenetv2`, `crop` of `mcrop`); typos
    # fall inside words or drop their end (`colsr`, `cosl`).
    if word.isalpha() and len(word) == len(guess) + 1 and guess in (word[1:], word[:-1]):
        return True
    if word.isalpha() and len(guess) == len(word) + 1 and guess[1:] == word:
        return True
    # Names differ in their first letter (`scnn` / `rcnn`); typos seldom do.
    if len(word) == len(guess) and word[1:] == guess[1:]:
        return True
    if word[-1] in _SIZE_LETTERS and vocab.get(word[:-1]) is not None:
        return True
    return _compound(vocab, word)


def _acronym(vocab: Vocabulary, word: str, guess: str) -> bool:
    """A short model or component acronym next to another (`psanet`/`pspnet`)."""
    entry = vocab.get(guess)
    return (len(word) <= 6 and entry is not None
            and entry.kind in ("algorithm", "component", "backbone"))


def _letters(word: str) -> str:
    return "".join(c for c in word if not c.isdigit())


def _compound(vocab: Vocabulary, word: str) -> bool:
    """``word`` is a stem of a known word followed by a known word, each of
    three letters or more (``efficient`` + ``vit``, ``conv`` + ``former``)."""
    for cut in range(3, len(word) - 2):
        head, tail = word[:cut], word[cut:]
        tail_entry = vocab.get(tail)
        if tail_entry is None or not tail.isalpha():
            continue
        if vocab.get(head) is not None or vocab.is_stem(head):
            return True
    # `uniformer`: a new head on an ending that known words share (`-former`).
    return any(
        len(word) - cut >= 2 and vocab.is_ending(word[len(word) - cut :])
        for cut in range(5, len(word) - 1)
    )


def _family(segments: Sequence[_Segment]) -> str:
    for seg in segments:
        for w in seg.words:
            if w.lex in ("backbone", "depth-backbone"):
                return w.entry.token if w.entry else w.text
    return ""


def _bare_epochs(seg: _Segment, w: _Word) -> bool:
    """A bare number reads as epochs at the end of the part or after a scheduler
    (`coslr-300`); elsewhere it is a parameter of the word before (`mcrop-2-6`)."""
    idx = seg.words.index(w)
    if idx > 0 and seg.words[idx - 1].lex == "scheduler":
        return True
    return 0 < idx == len(seg.words) - 1 and seg.words[idx - 1].lex != "number"


def _after_dataset(seg: _Segment, w: _Word) -> bool:
    idx = seg.words.index(w)
    return idx > 0 and seg.words[idx - 1].lex in ("dataset", "task")


def _confidence(segments: Sequence[_Segment], roles: Sequence[int]) -> float:
    if len(segments) < 2:
        return 0.1
    score = 0.0
    for seg, r in zip(segments, roles):
        lexes = {w.lex for w in seg.words}
        if r == TRAIN and (
            lexes & _TRAIN_MARKERS or any(w.lookup == "3rdparty" for w in seg.words)
        ):
            score += 0.5
        elif r == TRAIN and lexes & {"scheduler", "epochs", "training-type", "recipe", "precision",
                                     "schedule", "iterations", "clip-sampling"}:
            score += 0.3
        if r in (DATA, TEST) and lexes & {"dataset", "task"}:
            score += 0.3
        if r == PRE and seg.words and seg.words[-1].lookup == "pre":
            score += 0.3
        if r in (ALG, MOD) and lexes & {"backbone", "algorithm", "depth-backbone", "component"}:
            score += 0.2
        if "unknown" in lexes:
            score -= 0.1
    return max(0.0, min(1.0, score))


_DEFAULT: Optional[Decoder] = None


@lru_cache(maxsize=1)
def base_vocabulary() -> Vocabulary:
    """The bundled vocabulary, knowing also the words of an installed
    mmpretrain's model names (a newer release's words are not typos)."""
    from mmname_lsp.naming.learned import learn
    from mmname_lsp.naming.zoo import installed_names

    names = installed_names()
    vocab = default_vocabulary()
    if not names:
        return vocab
    return vocab.with_learned(learn(names=names), min_count=1,
                              where="the installed mmpretrain's model index")


def default_decoder() -> Decoder:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Decoder()
    return _DEFAULT


def profile_vocabulary(name: str) -> Vocabulary:
    """The words profile ``name`` knows: the shared ones (``base_vocabulary``)
    with the profile's own on top; for ``shared``, every profile's words."""
    return _with_profile_words(name, base_vocabulary())


@lru_cache(maxsize=32)
def _with_profile_words(name: str, base: Vocabulary) -> Vocabulary:
    # Keyed on the base object too: a new base (an installed package appeared)
    # makes new merged vocabularies.
    from mmname_lsp.naming.profiles import SHARED, get_profile, profiles
    from mmname_lsp.naming.vocabulary import profile_additions, profile_batches

    if name == SHARED:
        files = [p.vocabulary for p in profiles().values()]
    else:
        profile = get_profile(name)
        files = [profile.vocabulary] if profile is not None else []
    added: Dict[str, Entry] = {}
    for path in files:
        for tok, e in profile_additions(path).items():
            added.setdefault(tok, e)
    if not added:
        return base
    entries = dict(base.entries)
    entries.update(added)
    if name != SHARED and len(files) == 1:
        # Completion offers the profile's own batches (most used first), and
        # no MMPretrain whole parts (`in1k-384px`) in another repository's names.
        batches = profile_batches(files[0])
        if batches:
            return Vocabulary(entries, batches, base.shapes, {})
    return Vocabulary(entries, base.gpus_x_batch, base.shapes, base.parts)


@cache
def profile_decoder(name: str) -> Decoder:
    """The decoder of profile ``name`` (a file name of ``data/profiles``, or
    ``shared``), made once; ``mmpretrain`` is :func:`default_decoder`.  The one
    entry point for judging a name by a chosen profile."""
    if name == "mmpretrain":
        return default_decoder()
    return Decoder(profile=name)


def decode(text: str, expected: Optional[str] = None) -> Decoded:
    """Decode ``text`` with the bundled vocabulary and zoo."""
    return default_decoder().decode(text, expected)
