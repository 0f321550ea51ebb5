"""The decoder's memos (lexed words per part text, the role search per pattern
of votes, meanings per word and role) change nothing: a memoising decoder and
one that works everything out afresh give equal results, problem for problem,
on every name of the real corpus (MMPretrain's names, config paths,
checkpoints and URLs; the family's config file names, each with its own
profile's decoder), decoded in corpus order so that the memos fill as in a
real run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List

import pytest

from mmname_lsp.naming.decoder import Decoder

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
MMPRETRAIN = CORPUS / "mmpretrain"
FAMILY = CORPUS / "family"

# Names that exercise the memos' edges: one part in two places (offsets must
# follow), a problem inside a repeated part (MMN107 upper case, MMN108 empty
# words), the same part text in different roles, URLs and paths around names.
EDGES = [
    "resnet50_8xb32_in1k", "resnet101_8xb32_in1k", "in1k_8xb32_resnet50",
    "resnet50_8xB32_in1k", "ResNet50_8xb32_in1k", "resnet50_8xB32_IN1K",
    "resnet50--a_8xb32_in1k", "resnet50_8xb32__in1k", "resnet50_8xb32_in1k_",
    "vit-base-p16_in21k-pre_3rdparty_in1k-384px", "vit-base-p16_in21k-pre_3rdparty_in1k",
    "configs/resnet/resnet50_8xb32_in1k.py", "resnet50_8xb32_in1k_20210831-ea4938fc.pth",
    "https://download.openmmlab.com/mmclassification/v0/resnet/"
    "resnet50_8xb32_in1k_20210831-ea4938fc.pth",
    "swin-tiny_16xb64_in1k", "swin-tiny_16xb64_in1k", "mobilenet-v2_8xb32_in1k",
    "faster-rcnn_r50_fpn_1x_coco", "faster_rcnn_r50_fpn_1x_coco",
]


def mmpretrain_texts() -> List[str]:
    def lines(name: str) -> List[str]:
        return (MMPRETRAIN / name).read_text(encoding="utf-8").split()

    urls = []
    with (MMPRETRAIN / "metafile_records.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip() and json.loads(line).get("weights"):
                urls.append(json.loads(line)["weights"])
    return (lines("model_names.txt") + lines("config_files.txt") + lines("checkpoints.txt")
            + urls)


def family_names(repo: str) -> List[str]:
    return sorted(p.name for p in (FAMILY / repo).glob("configs/**/*.py")
                  if not p.name.startswith("_") and "_base_" not in p.parts)


def assert_same(memo: Decoder, fresh: Decoder, texts: List[str]) -> None:
    for text in texts:
        for expected in (None, "model", "config", "checkpoint"):
            a = memo.decode(text, expected)
            b = fresh.decode(text, expected)
            assert a == b, (text, expected)
            assert a.to_dict() == b.to_dict(), (text, expected)
            assert [p.how for p in a.parts] == [p.how for p in b.parts], text
            assert [t.how for p in a.parts for t in p.tokens] == \
                [t.how for p in b.parts for t in p.tokens], text


def test_memoised_decoding_equals_fresh_decoding_on_edge_names():
    memo, fresh = Decoder(), Decoder(memoise=False)
    assert_same(memo, fresh, EDGES + EDGES[::-1])


def test_the_memos_are_used_and_follow_a_new_zoo():
    memo = Decoder()
    memo.decode("resnet50_8xb32_in1k")
    memo.decode("resnet101_8xb32_in1k")
    assert memo.memo_sizes()["words"] >= 3  # resnet50, 8xb32, in1k, resnet101
    memo.clear_cache()
    assert memo.memo_sizes() == {k: 0 for k in memo.memo_sizes()}
    assert Decoder(memoise=False).memo_sizes() == {}


@pytest.mark.corpus
def test_memoised_decoding_equals_fresh_decoding_on_mmpretrain():
    if not (MMPRETRAIN / "model_names.txt").is_file():
        pytest.skip("../shared/corpus/mmpretrain is absent")
    texts = mmpretrain_texts()
    assert len(texts) > 2000
    assert_same(Decoder(), Decoder(memoise=False), texts)


@pytest.mark.corpus
@pytest.mark.parametrize("repo,profile", [("mmdet", "mmdet3"), ("mmseg", "mmseg1"),
                                          ("mmpose", "mmpose1"), ("mmaction2", "mmaction2")])
def test_memoised_decoding_equals_fresh_decoding_on_the_family(repo: str, profile: str):
    if not (FAMILY / repo).is_dir():
        pytest.skip(f"../shared/corpus/family/{repo} is absent")
    names = family_names(repo)
    assert len(names) > 100
    assert_same(Decoder(profile=profile), Decoder(profile=profile, memoise=False), names)
    # and the default (MMPretrain) conventions on some of the same names
    assert_same(Decoder(), Decoder(memoise=False), names[::7])
