"""The real server over stdio with VS Code (UTF-16) and Neovim 0.11 (UTF-8) clients."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.e2e.conftest import (
    FIXTURES,
    TIMEOUT,
    codes,
    encoding_of,
    is_pull,
    open_doc,
    pull,
    text_at,
    wait_diagnostics,
)

BAD_CONFIG = FIXTURES / "configs" / "resnet" / "resnet50_8x32-colsr_in1k.py"
CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "mmpretrain"


def pos(line: int, char: int) -> types.Position:
    return types.Position(line=line, character=char)


def client_char(text_line: str, index: int, encoding: str) -> int:
    """Column of code-point ``index`` of a line in the client's units."""
    before = text_line[:index]
    if encoding == "utf-8":
        return len(before.encode("utf-8"))
    if encoding == "utf-16":
        return len(before.encode("utf-16-le")) // 2
    return len(before)


async def test_file_name_diagnostics_on_line_zero(client: LanguageClient):
    text = BAD_CONFIG.read_text()
    diags = await open_doc(client, BAD_CONFIG.as_uri(), text)
    on_name = [d for d in diags if d.message.startswith("File name:")]
    assert {str(d.code) for d in on_name} == {"MMN101", "MMN102"}
    first_line = text.splitlines()[0]
    for d in on_name:
        assert d.range.start == pos(0, 0)
        assert d.range.end.line == 0
        assert d.range.end.character == client_char(first_line, len(first_line),
                                                    encoding_of(client))
        assert d.source == "mmname"
        assert d.code_description is not None and "rules.md#mmn1" in d.code_description.href
    batch = next(d for d in on_name if d.code == "MMN101")
    assert batch.severity == types.DiagnosticSeverity.Error
    assert "8x32" in batch.message and "8xb32" in batch.message


async def test_literals_in_a_config(client: LanguageClient):
    text = BAD_CONFIG.read_text()
    diags = await open_doc(client, BAD_CONFIG.as_uri(), text)
    enc = encoding_of(client)
    by_code = {}
    for d in diags:
        if not d.message.startswith("File name:"):
            by_code.setdefault(str(d.code), []).append(text_at(text, d.range, enc))
    # The missing base is reported on its string, the others exist.
    assert by_code["MMN201"] == ["../_base_/schedules/missing.py"]
    # The bad date in the checkpoint URL, exactly on the date.
    assert by_code["MMN113"] == ["2021083"]
    # load_from = 'resnet50_8xb32-colsr_imagenet'
    assert "colsr" in by_code["MMN102"]
    assert "imagenet" in by_code["MMN103"]
    # Ordinary strings are never flagged.
    flagged = "".join(t for ts in by_code.values() for t in ts)
    assert "bicubic" not in flagged and "LoadImageFromFile" not in flagged


async def test_positions_after_cjk_and_emoji(client: LanguageClient, tmp_path: Path):
    line = "x = '名前😀'; m = get_model('resnet50_8xb32_in1kk')  # 😀"
    text = f"from mmpretrain import get_model\n{line}\n"
    uri = (tmp_path / "demo.py").as_uri()
    diags = await open_doc(client, uri, text)
    unknown = [d for d in diags if d.code == "MMN202"]
    assert len(unknown) == 1
    d = unknown[0]
    enc = encoding_of(client)
    start = line.index("resnet50")
    assert d.range.start == pos(1, client_char(line, start, enc))
    assert d.range.end == pos(1, client_char(line, start + len("resnet50_8xb32_in1kk"), enc))
    assert text_at(text, d.range, enc) == "resnet50_8xb32_in1kk"
    assert "resnet50_8xb32_in1k`" in d.message  # the closest zoo model is suggested

    # Hover in the middle of the name, in client units.
    col = client_char(line, start + len("resnet50_8x"), enc)
    hover = await asyncio.wait_for(
        client.text_document_hover_async(
            types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri),
                              position=pos(1, col))
        ),
        TIMEOUT,
    )
    assert hover is not None
    assert "**`8xb32`** — gpus-x-batch: 8 GPUs x 32 images per GPU" in hover.contents.value
    assert hover.range == d.range


async def test_hover_on_a_zoo_model(client: LanguageClient, tmp_path: Path):
    line = "model = get_model('convnext-base_32xb128_in1k')"
    text = f"{line}\n"
    uri = (tmp_path / "zoo.py").as_uri()
    diags = await open_doc(client, uri, text)
    assert diags == []
    hover = await asyncio.wait_for(
        client.text_document_hover_async(
            types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri),
                              position=pos(0, line.index("in1k")))
        ),
        TIMEOUT,
    )
    value = hover.contents.value
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert "| **module** | `convnext` |" in value
    assert "**`in1k`** — dataset:" in value
    assert "**Zoo model** `convnext-base_32xb128_in1k`" in value
    assert "top-1 83." in value and "params 88." in value
    assert "configs/convnext/convnext-base_32xb128_in1k.py" in value
    assert "A ConvNet for the 2020s" in value


async def test_hover_on_line_zero_explains_the_file_name(client: LanguageClient):
    text = BAD_CONFIG.read_text()
    await open_doc(client, BAD_CONFIG.as_uri(), text)
    hover = await asyncio.wait_for(
        client.text_document_hover_async(
            types.HoverParams(text_document=types.TextDocumentIdentifier(uri=BAD_CONFIG.as_uri()),
                              position=pos(0, 0))
        ),
        TIMEOUT,
    )
    assert hover.contents.value.startswith("File name: **`resnet50_8x32-colsr_in1k`** config file")
    assert "MMN101" in hover.contents.value
    lens = await asyncio.wait_for(
        client.text_document_code_lens_async(
            types.CodeLensParams(text_document=types.TextDocumentIdentifier(BAD_CONFIG.as_uri()))
        ),
        TIMEOUT,
    )
    assert len(lens) == 1
    assert lens[0].command.title == (
        "mmname: module: resnet50 · training: 8x32-colsr · data: in1k"
    )


async def _complete(client: LanguageClient, uri: str, line: int, char: int):
    result = await asyncio.wait_for(
        client.text_document_completion_async(
            types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri),
                                   position=pos(line, char))
        ),
        TIMEOUT,
    )
    assert result is not None
    return result.items


async def test_completion_inside_a_name(client: LanguageClient, tmp_path: Path):
    lines = [
        "load_from = 'resnet50_'",
        "load_from = 'resnet50_8xb32-co'",
        "x = 'resnet50_8xb32_i'",
        "m = get_model('cvnxt-base')",
    ]
    text = "\n".join(lines) + "\n"
    uri = (tmp_path / "c.py").as_uri()
    await open_doc(client, uri, text)
    enc = encoding_of(client)

    items = await _complete(client, uri, 0, len(lines[0]) - 1)
    labels = [i.label for i in items]
    assert labels[0] == "8xb32"  # the most used NxbM first
    assert {"8xb64", "16xb64", "32xb128"} <= set(labels)
    first = items[0]
    assert first.text_edit.range.start == first.text_edit.range.end  # nothing typed yet
    assert "8 GPUs x 32 images per GPU" in first.documentation.value

    items = await _complete(client, uri, 1, len(lines[1]) - 1)
    labels = [i.label for i in items]
    assert labels == ["coslr"]
    edit = items[0].text_edit
    assert text_at(text, edit.range, enc) == "co"  # replaces exactly the current token

    items = await _complete(client, uri, 2, len(lines[2]) - 1)
    labels = [i.label for i in items]
    assert "in1k" in labels and "in21k" in labels and "in1k-384px" in labels

    items = await _complete(client, uri, 3, len(lines[3]) - 2)
    labels = [i.label for i in items]
    assert labels and labels[0].startswith("convnext-base")  # fuzzy match on zoo names
    assert text_at(text, items[0].text_edit.range, enc) == "cvnxt-base"


async def test_completion_of_base_paths(client: LanguageClient):
    path = FIXTURES / "configs" / "resnet" / "new_config.py"
    text = "_base_ = ['../_base_/models/']\n"
    uri = path.as_uri()
    await open_doc(client, uri, text)
    items = await _complete(client, uri, 0, text.index("/']") + 1)
    assert [i.label for i in items] == ["resnet50.py"]
    items = await _complete(client, uri, 0, text.index("_base_/"))
    assert "_base_/" in [i.label for i in items]


async def test_syntax_error_mid_file_keeps_other_findings(client: LanguageClient, tmp_path: Path):
    text = (
        "model = dict(type='ImageClassifier',\n"
        "def broken(:\n"
        "load_from = 'resnet50_8xb32-colsr_in1k'\n"
    )
    uri = (tmp_path / "broken.py").as_uri()
    diags = await open_doc(client, uri, text)
    assert "MMN102" in codes(diags)


async def test_untitled_document(client: LanguageClient):
    uri = "untitled:Untitled-1"
    text = "from mmpretrain import get_model\nget_model('resnet50_8x32_in1k')\n"
    diags = await open_doc(client, uri, text)
    assert codes(diags) == ["MMN101", "MMN202"]


async def test_burst_of_edits_ends_with_final_text(client: LanguageClient, tmp_path: Path):
    uri = (tmp_path / "burst.py").as_uri()
    text = "load_from = 'resnet50_8xb32_in1k'\n"
    await open_doc(client, uri, text)
    # Type `-colsr` one character at a time after `8xb32`, then fix it to `-coslr`.
    col = text.index("_in1k")
    typed = "-colsr"
    version = 1
    for i, ch in enumerate(typed):
        version += 1
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(
                range=types.Range(start=pos(0, col + i), end=pos(0, col + i)), text=ch)],
        ))
    version += 1
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(start=pos(0, col + 3), end=pos(0, col + 5)), text="sl")],
    ))
    final = await wait_diagnostics(client, uri, lambda d: True)
    if not is_pull(client):
        final = await wait_diagnostics(client, uri, lambda d: "MMN102" not in codes(d))
    assert codes(final) == []
    # And the text the server has is the final one: a hover shows `coslr`.
    hover = await asyncio.wait_for(
        client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=pos(0, col + 2))),
        TIMEOUT,
    )
    assert "**`coslr`**" in hover.contents.value


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")
async def test_real_configs_from_the_corpus(client: LanguageClient):
    tree = CORPUS / "tree" / "configs"
    cases = [
        tree / "resnet" / "resnet50_8xb32_in1k.py",
        tree / "convnext" / "convnext-base_32xb128_in1k-384px.py",
        tree / "swin_transformer" / "swin-base_16xb64_in1k-384px.py",
        tree / "mae" / "mae_vit-base-p16_8xb512-amp-coslr-300e_in1k.py",
    ]
    enc = encoding_of(client)
    for path in cases:
        text = path.read_text()
        diags = await open_doc(client, path.as_uri(), text)
        # A real upstream config: no errors, no warnings; every range is inside a string.
        for d in diags:
            assert d.severity not in (types.DiagnosticSeverity.Error,
                                      types.DiagnosticSeverity.Warning), (path, d)
            if not d.message.startswith("File name:"):
                covered = text_at(text, d.range, enc)
                assert covered and covered in text
    # The checkpoint URL of a real fine-tune config decodes on hover.
    path = tree / "convnext" / "convnext-base_32xb128_in1k-384px.py"
    text = path.read_text()
    line_no, line = next((i, x) for i, x in enumerate(text.splitlines()) if "_base_" in x)
    hover = await asyncio.wait_for(
        client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
            position=pos(0, 0))),
        TIMEOUT,
    )
    assert hover is not None and "convnext-base_32xb128_in1k-384px" in hover.contents.value
    assert line_no >= 0 and line


async def test_pull_and_push_agree(client: LanguageClient, tmp_path: Path):
    uri = (tmp_path / "agree.py").as_uri()
    text = "load_from = 'resnet50_b32x8_imagenet'\n"
    diags = await open_doc(client, uri, text)
    if is_pull(client):
        again = await pull(client, uri)
        assert codes(again) == codes(diags)
    assert codes(diags) == ["MMN101", "MMN103"]
    fix = next(d for d in diags if d.code == "MMN101")
    assert fix.data["replacement"] == "8xb32"
