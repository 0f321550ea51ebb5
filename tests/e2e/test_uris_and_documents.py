"""Documents under percent-encoded URIs (spaces, CJK folders, Windows drive
letters as VS Code writes them), many open documents, and requests about
closed ones, over real stdio."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import TIMEOUT, codes, open_doc

NAME = "resnet50_8x32_in1k.py"
TEXT = "_base_ = ['./missing_base.py']\nmodel = dict(init_cfg=dict(checkpoint='x'))\n" \
       "m = get_model('resnet50_8xb32_in1k')\n"


def _uris(tmp_path: Path):
    spaced = tmp_path / "my configs" / "名前" / "configs" / "resnet"
    spaced.mkdir(parents=True)
    (spaced / NAME).write_text(TEXT, encoding="utf-8")
    # Path.as_uri percent-encodes the space and the CJK folder.
    yield "space-and-cjk", (spaced / NAME).as_uri()
    # VS Code on Windows: the drive letter's colon encoded (nothing on disk).
    yield "windows-drive", "file:///c%3A/Users/me/configs/resnet/" + NAME


@pytest.mark.parametrize("which", ["space-and-cjk", "windows-drive"])
async def test_percent_encoded_uris_get_every_feature(client: LanguageClient, tmp_path: Path,
                                                      which: str):
    uri = dict(_uris(tmp_path))[which]
    assert "%" in uri
    diags = await open_doc(client, uri, TEXT)
    assert "MMN101" in codes(diags), diags  # `8x32` in the file name
    doc = types.TextDocumentIdentifier(uri=uri)
    hover = await asyncio.wait_for(client.text_document_hover_async(
        types.HoverParams(text_document=doc, position=types.Position(0, 2))), TIMEOUT)
    assert hover is not None and "8x32" in hover.contents.value
    line = TEXT.splitlines()[2]
    completion = await asyncio.wait_for(client.text_document_completion_async(
        types.CompletionParams(text_document=doc, position=types.Position(
            2, line.index("in1k")))), TIMEOUT)
    items = completion.items if isinstance(completion, types.CompletionList) else completion
    assert items, "no completion items"
    fix = next(d for d in diags if d.code == "MMN101")
    actions = await asyncio.wait_for(client.text_document_code_action_async(
        types.CodeActionParams(text_document=doc, range=fix.range,
                               context=types.CodeActionContext(diagnostics=[fix]))), TIMEOUT)
    assert any("MMN101" in a.title for a in actions), [a.title for a in actions]
    lens = await asyncio.wait_for(client.text_document_code_lens_async(
        types.CodeLensParams(text_document=doc)), TIMEOUT)
    assert lens and "8x32" in lens[0].command.title


async def test_code_lens_of_a_closed_document_is_empty_and_quiet(client: LanguageClient,
                                                                  tmp_path: Path):
    uri = (tmp_path / NAME).as_uri()
    await open_doc(client, uri, TEXT)
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    lens = await asyncio.wait_for(client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))), TIMEOUT)
    assert list(lens) == []
    assert not [m for m in client.messages if m.type == types.MessageType.Error]


async def test_many_open_documents_see_each_others_unsaved_bases(client: LanguageClient,
                                                                  tmp_path: Path):
    # The overlay of open documents is a live view: an unsaved base is seen by
    # the config opened after it, and a closed one is not.
    folder = tmp_path / "configs" / "resnet"
    folder.mkdir(parents=True)
    for i in range(30):
        await open_doc(client, (tmp_path / f"other_{i}.py").as_uri(), f"x = {i}\n")
    base = folder / "base_bs32.py"
    base_text = "train_dataloader = dict(batch_size=64)\n"
    await open_doc(client, base.as_uri(), base_text)  # never saved to disk
    child = folder / "resnet50_8xb32_in1k.py"
    child_text = "_base_ = ['./base_bs32.py']\n"
    child.write_text(child_text)
    base.write_text("x = 1\n")  # on disk the base says nothing of the batch
    diags = await open_doc(client, child.as_uri(), child_text)
    assert "MMN301" in codes(diags), diags  # 8xb32 vs the unsaved batch_size=64


def test_typing_in_a_large_document_is_answered_from_the_last_analysis():
    # A 1.2 MB document: every keystroke would cost a whole analysis. Requests
    # are answered from the last finished one while the next runs in a thread,
    # and the diagnostics finally published are those of the last text.
    from .rawclient import RawClient

    # Lines of one length: a hover inside a string of the new text is inside
    # a string of any older one too.
    good = "x = 'resnet50_8xb32_in1k'\n"
    text = "y = 'resnet50_8x32_in21k'\n" + good * 50_000
    uri = "file:///tmp/mmname-large/big.py"
    client = RawClient()
    try:
        client.initialize()
        client.open(uri, text)
        first = client.diagnostics(uri, version=1, timeout=120)
        assert [d["code"] for d in first] == ["MMN101"]
        for version in range(2, 22):
            client.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": {"start": {"line": 0, "character": 0},
                                              "end": {"line": 0, "character": 0}},
                                    "text": "z = 'resnet50_8x16_in21k'\n"}]})
            hover = client.request("textDocument/hover", {
                "textDocument": {"uri": uri},
                "position": {"line": version - 1, "character": 8}}, timeout=60)
            assert hover.get("result") is not None, hover
        last = client.diagnostics(uri, version=21, timeout=120)
        assert sorted(d["code"] for d in last) == ["MMN101"] * 21
        assert {d["range"]["start"]["line"] for d in last} == set(range(21))
    finally:
        client.close()


async def test_an_ambiguous_batch_is_offered_in_both_readings_the_configs_first(
        client: LanguageClient, tmp_path: Path):
    folder = tmp_path / "configs" / "resnet"
    folder.mkdir(parents=True)
    path = folder / "resnet50_8x32_in1k.py"
    text = ("train_dataloader = dict(batch_size=8)\n"
            "m = get_model('resnet50_8x32_in1k')\n")
    path.write_text(text)
    diags = await open_doc(client, path.as_uri(), text)
    in_string = next(d for d in diags if d.code == "MMN101" and d.range.start.line == 1)
    actions = await asyncio.wait_for(client.text_document_code_action_async(
        types.CodeActionParams(text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
                               range=in_string.range,
                               context=types.CodeActionContext(diagnostics=[in_string]))),
        TIMEOUT)
    replace = [a for a in actions if a.title.startswith("Replace `8x32`")]
    # batch_size=8 per GPU: `32xb8` is what the config supports, offered first;
    # a guess is never the preferred (auto-applied) fix.
    assert [a.title for a in replace] == ["Replace `8x32` with `32xb8`",
                                          "Replace `8x32` with `8xb32`"]
    assert not any(a.is_preferred for a in replace)
