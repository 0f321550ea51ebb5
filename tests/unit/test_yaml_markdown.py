"""Names with positions in metafiles, model indexes and READMEs (pure readers)."""

from __future__ import annotations

import glob
from pathlib import Path

import pytest

from mmname_lsp.sources.markdown import CODE, LINK, TABLE, URL, extract_markdown
from mmname_lsp.sources.yaml_source import _scan, parse_metafile

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "mmpretrain" / "tree"

META = """\
# é€😀 a comment with wide characters
Collections:
  - Name: Net
    Paper:
      URL: https://arxiv.org/abs/1234.5678
      Title: "A net"
Models:
  - Name: ré😀s_8xb32_in1k   # trailing comment
    Metadata:
      Training Data:
        - ImageNet-21k
        - ImageNet-1k
      Epochs: 300
      Batch Size: 256
    In Collection: Net
    Results:
      - Dataset: ImageNet-1k
        Metrics:
          Top 1 Accuracy: 80.5
    Weights: 'https://x.org/a/res_8xb32_in1k_20220101-abcdef12.pth'
    Config: "configs/res/res_8xb32_in1k.py"
    Converted From:
      Weights: https://elsewhere.org/res.pth
      Code: https://github.com/someone/res
"""


def _check_spans(text, mf):
    for model in mf.models:
        for s in (model.name, model.config, model.weights, model.epochs, model.batch_size,
                  *model.training_data):
            if s is not None and s.exact:
                assert text[s.start:s.end] == s.value


def test_compose_gives_values_with_spans():
    mf = parse_metafile(META)
    assert mf.error is None
    (model,) = mf.models
    assert model.name.value == "ré😀s_8xb32_in1k"
    assert model.config.value == "configs/res/res_8xb32_in1k.py"
    assert model.weights.value.endswith("abcdef12.pth")
    assert [s.value for s in model.training_data] == ["ImageNet-21k", "ImageNet-1k"]
    assert model.epochs.value == "300" and model.batch_size.value == "256"
    assert model.top1 == 80.5 and model.top1_dataset == "ImageNet-1k"
    assert model.converted_from is not None
    assert model.converted_code == "https://github.com/someone/res"
    assert model.collection == "Net"
    assert mf.collections["Net"].paper_url == "https://arxiv.org/abs/1234.5678"
    _check_spans(META, mf)
    # Quoted values: the span is inside the quotes.
    assert META[model.config.start - 1] == '"'
    assert {s.key for s in mf.urls} >= {"URL", "Weights", "Code"}


def test_broken_yaml_falls_back_to_the_line_scan():
    broken = META.replace("Epochs: 300", "Epochs: [300")
    mf = parse_metafile(broken)
    assert mf.error is not None
    message, offset = mf.error
    assert message and 0 <= offset <= len(broken)
    (model,) = mf.models
    assert model.name.value == "ré😀s_8xb32_in1k"
    assert model.config.value == "configs/res/res_8xb32_in1k.py"
    # The converted-from Weights are not the model's.
    assert model.weights.value.endswith("abcdef12.pth")
    assert [s.value for s in model.training_data] == ["ImageNet-21k", "ImageNet-1k"]
    assert model.converted_code == "https://github.com/someone/res"
    _check_spans(broken, mf)


@pytest.mark.parametrize("text", ["", "\ufeff", "- a\n- b", "Models: 3", "Models:\n  - 5\n",
                                  ": : :", "Models:\n  - Name: [unclosed", "\x00\x01",
                                  "Import: {a: b}", "a: &x\n  b: *x\n"])
def test_odd_input_never_raises(text):
    mf = parse_metafile(text)
    assert isinstance(mf.models, list)


def test_bom_and_crlf_keep_spans_right():
    text = "\ufeffModels:\r\n  - Name: res_8xb32_in1k\r\n    Config: c/x.py\r\n"
    mf = parse_metafile(text)
    _check_spans(text, mf)
    assert mf.models[0].name.value == "res_8xb32_in1k"


def test_model_index_imports():
    mf = parse_metafile("Import:\n  - configs/a/metafile.yml\n  - 'configs/b/metafile.yml'\n")
    assert [s.value for s in mf.imports] == ["configs/a/metafile.yml", "configs/b/metafile.yml"]
    scanned = _scan("Import:\n  - configs/a/metafile.yml\n", ("x", 0))
    assert [s.value for s in scanned.imports] == ["configs/a/metafile.yml"]


@pytest.mark.corpus
def test_the_line_scan_reads_the_corpus_like_the_composer():
    files = sorted(glob.glob(str(CORPUS / "configs" / "*" / "metafile.yml")))
    if not files:
        pytest.skip("../shared/corpus/mmpretrain/tree is absent")
    total = 0
    for f in files:
        text = Path(f).read_text(encoding="utf-8")
        a, b = parse_metafile(text), _scan(text, ("x", 0))
        assert len(a.models) == len(b.models), f
        for x, y in zip(a.models, b.models):
            for attr in ("name", "config", "weights", "epochs", "batch_size", "training_data"):
                assert getattr(x, attr) == getattr(y, attr), (f, attr)
        total += len(a.models)
    assert total == 548


README = """\
# Net 😀

> [A paper](https://arxiv.org/abs/1234.5678)

```python
model = get_model('res_8xb32_in1k')
```

| Model | Config | Download |
| :---- | :----: | :------: |
| `res_8xb32_in1k` 😀 | [config](res_8xb32_in1k.py) | {download} |
| res_8xb64_in1k | [config](./res_8xb64_in1k.py "title") | - |

See `res_8xb16_in1k` and https://x.org/bare.pth.
""".format(download="[model](https://x.org/res_8xb32_in1k_20220101-abcdef12.pth) \\| "
                    "[log](https://x.org/l.json)")


def test_markdown_spans():
    md = extract_markdown(README)
    for span in md.spans:
        assert README[span.start:span.end] == span.text
    kinds = {(s.kind, s.text) for s in md.spans}
    assert (CODE, "res_8xb32_in1k") in kinds
    assert (LINK, "res_8xb32_in1k.py") in kinds
    assert (LINK, "./res_8xb64_in1k.py") in kinds
    assert (LINK, "https://x.org/res_8xb32_in1k_20220101-abcdef12.pth") in kinds
    assert (TABLE, "res_8xb64_in1k") in kinds
    assert (CODE, "res_8xb16_in1k") in kinds
    assert (URL, "https://x.org/bare.pth") in kinds
    cell = next(s for s in md.spans if s.text == "res_8xb32_in1k" and s.kind == CODE)
    assert cell.in_table and cell.column == 0
    # The fenced block is not read as Markdown, but kept for the Python reader.
    assert not any(s.text == "res_8xb32_in1k'" for s in md.spans)
    (fence,) = md.fences
    assert fence.lang == "python" and "get_model" in README[fence.start:fence.end]


@pytest.mark.parametrize("text", ["", "```", "| a |", "`", "[x](", "|||\n|-|", "~~~~\n`a`"])
def test_markdown_odd_input(text):
    md = extract_markdown(text)
    for span in md.spans:
        assert text[span.start:span.end] == span.text
