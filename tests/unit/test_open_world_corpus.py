"""Leave-one-out on the real MMPretrain names: take every word of one model
family out of the vocabulary, decode that family's real names, and the roles
must still come out as with the full vocabulary, with no warning.

This is how the decoder meets a name it was not built from: the convention's
order, the shapes of words and the known words around the new one must carry
the reading.  Skipped (with the reason) when ``../shared/corpus`` is absent.
Run as a script to print the table of figures.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, Dict, List, NamedTuple, Tuple

import pytest

from mmname_lsp.naming.decoder import Decoder
from mmname_lsp.naming.vocabulary import Entry, Vocabulary, default_vocabulary
from mmname_lsp.naming.zoo import Zoo
from tests.conftest import CORPUS, requires_corpus

pytestmark = [pytest.mark.corpus, requires_corpus]

# The least share of a family's names whose roles must survive.
MIN_SAME_ROLES = 0.95


class Family(NamedTuple):
    label: str
    # Whether a vocabulary entry belongs to the family (and is taken out).
    removed: Callable[[Entry], bool]


def _word(*words: str) -> Callable[[Entry], bool]:
    """Entries that are one of ``words``, or compounds or versions of them
    (`convnext-v2`, `convnextv2`, `mocov3` for `moco`)."""

    def removed(e: Entry) -> bool:
        t = e.token
        return any(t == w or t.startswith(w + "-") or t.startswith(w) for w in words)

    return removed


FAMILIES = (
    Family("mae", _word("mae")),
    Family("convnext", _word("convnext")),
    Family("swin", _word("swin")),
    Family("vit", _word("vit")),
    Family("resnet", _word("resnet")),
    Family("efficientnet", _word("efficientnet")),
    Family("beit", _word("beit")),
    Family("deit", _word("deit")),
    Family("eva", _word("eva")),
    Family("riformer", _word("riformer")),
    Family("mocov3 / mocov2", _word("moco")),
    Family("simmim", _word("simmim")),
    Family("clip", _word("clip", "cn-clip")),
    Family("every dataset but in1k", lambda e: e.kind == "dataset" and e.token != "in1k"),
)


def _without(vocab: Vocabulary, removed: Callable[[Entry], bool]) -> Tuple[Vocabulary, set]:
    gone = {t for t, e in vocab.entries.items() if removed(e)}
    entries = {t: e for t, e in vocab.entries.items() if t not in gone}
    return Vocabulary(entries, vocab.gpus_x_batch, vocab.shapes, vocab.parts), gone


def _names() -> List[str]:
    base = set((CORPUS / "base_configs.txt").read_text(encoding="utf-8").split())
    models = (CORPUS / "model_names.txt").read_text(encoding="utf-8").split()
    configs = [
        c.rsplit("/", 1)[-1][:-3]
        for c in (CORPUS / "config_files.txt").read_text(encoding="utf-8").split()
        if c not in base
    ]
    return sorted(set(models) | set(configs))


def _words(name: str) -> set:
    found = set()
    for part in name.lower().split("_"):
        words = part.split("-")
        found.update(words)
        # compounds of the vocabulary (`cn-clip`, `convnext-v2`)
        found.update("-".join(words[i : i + 2]) for i in range(len(words) - 1))
    return found


def _uses(name: str, gone: set) -> bool:
    for w in _words(name):
        if w in gone:
            return True
        # `resnet50`, `deit3`: a removed word followed by digits
        if any(w.startswith(g) and w[len(g) :].isdigit() for g in gone):
            return True
    return False


def _loud(d) -> set:
    return {(p.code, d.input[p.start : p.end]) for p in d.problems
            if p.severity in ("warning", "error")}


def leave_one_out() -> Dict[str, dict]:
    """Per family: how many names, how many keep every role, which warn."""
    empty = Zoo({}, {}, {})
    full_vocab = default_vocabulary()
    full = Decoder(full_vocab, empty)
    names = _names()
    out: Dict[str, dict] = {}
    for fam in FAMILIES:
        vocab, gone = _without(full_vocab, fam.removed)
        blind = Decoder(vocab, empty)
        mine = [n for n in names if _uses(n, gone)]
        same, louder, wrong = 0, [], []
        for name in mine:
            ref, got = full.decode(name), blind.decode(name)
            if [p.role for p in ref.parts] == [p.role for p in got.parts]:
                same += 1
            else:
                wrong.append(name)
            new = _loud(got) - _loud(ref)
            if new:
                louder.append((name, sorted(new)))
        out[fam.label] = {
            "removed": len(gone),
            "names": len(mine),
            "same": same,
            "wrong": wrong,
            "louder": louder,
        }
    return out


@pytest.fixture(scope="module")
def figures() -> Dict[str, dict]:
    return leave_one_out()


@pytest.mark.parametrize("label", [f.label for f in FAMILIES])
def test_roles_survive_leaving_a_family_out(figures, label):
    fig = figures[label]
    assert fig["removed"] > 0 and fig["names"] >= 5, (label, fig["removed"], fig["names"])
    share = fig["same"] / fig["names"]
    assert share >= MIN_SAME_ROLES, (label, f"{share:.1%}", fig["wrong"][:10])


@pytest.mark.parametrize("label", [f.label for f in FAMILIES])
def test_leaving_a_family_out_adds_no_warning(figures, label):
    assert figures[label]["louder"] == [], figures[label]["louder"][:10]


def _family_names() -> List[str]:
    root = CORPUS.parent / "family"
    if not root.is_dir():
        pytest.skip(f"family corpus not found at {root}")
    return sorted(
        p.name
        for repo in ("mmdet", "mmseg", "mmpose", "mmaction2")
        for p in (root / repo / "configs").rglob("*.py")
        if not p.name.startswith("_") and "_base_" not in p.parts
    )


def test_sister_repositories_names_are_read_without_false_alarms():
    """2,127 config names of MMDetection, MMSegmentation, MMPose and MMAction2:
    names nobody built the vocabulary from.  `512x1024` after a dataset, `40k`,
    `1e-3`, `p244`, new model words and `-pre` inside a part raise nothing;
    what is left is the convention's own spelling rules (`in22k`, `1.6GF`)
    and the ambiguous `8x4`, which is reported with an unsafe fix."""
    decoder = Decoder(zoo=Zoo({}, {}, {}))
    names = _family_names()
    assert len(names) > 2000
    loud = [(n, p) for n in names for p in decoder.decode(n).problems
            if p.severity in ("warning", "error")]
    codes = {p.code for _, p in loud}
    assert codes <= {"MMN101", "MMN102", "MMN103", "MMN107", "MMN119"}, codes
    typos = [n for n, p in loud if p.code == "MMN102"]
    assert len(typos) <= 3, typos
    for name, p in loud:
        if p.code == "MMN101":
            assert p.safe is False and len(p.alternatives) >= 1, (name, p)
    assert len(loud) < 0.06 * len(names), len(loud)


def main() -> int:
    print("| family left out | words removed | names | roles unchanged | share | new warnings |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, fig in leave_one_out().items():
        share = fig["same"] / fig["names"] if fig["names"] else 0.0
        print(f"| {label} | {fig['removed']} | {fig['names']} | {fig['same']} | "
              f"{share:.1%} | {len(fig['louder'])} |")
        for name in fig["wrong"][:8]:
            print(f"|   roles differ: `{name}` | | | | | |", file=sys.stderr)
        for name, new in fig["louder"][:8]:
            print(f"|   louder: `{name}` {new} | | | | | |", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    raise SystemExit(main())
