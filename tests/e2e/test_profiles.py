"""Profiles per file, end to end over stdio: a workspace holding MMPretrain and
MMDetection configs side by side, each placed by what is there (its
``default_scope``, its repository's package, a scoped base; nothing at all),
judged, hovered and completed by its own convention.

The server runs without ``MMNAME_PROFILE`` (the other tests' fallback), as a
user's would: a file nothing places is judged by the shared rules only.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path
from typing import List

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.e2e.conftest import PRESETS, SERVER, TIMEOUT, codes, init_params, open_doc

ENV = {k: v for k, v in os.environ.items() if k != "MMNAME_PROFILE"}
DET_NAME = "faster-rcnn_r50_fpn_1x_coco.py"
FILES = {
    # MMDetection, by its own default_scope.
    "mixed/configs/det/" + DET_NAME: "default_scope = 'mmdet'\nmodel = dict(type='FasterRCNN')\n",
    # The same name in an MMPretrain config: not how MMPretrain names things.
    "mixed/configs/cls/" + DET_NAME: "_base_ = ['../_base_/default_runtime.py']\n",
    "mixed/configs/_base_/default_runtime.py": "default_scope = 'mmpretrain'\n",
    "mixed/configs/cls/resnet50_8xb32_in1k.py": "_base_ = ['../_base_/default_runtime.py']\n",
    # MMDetection, by the repository it is in.
    "mmdetection/setup.py": "from setuptools import setup\nsetup(name='mmdet')\n",
    "mmdetection/mmdet/version.py": "__version__ = '3.3.0'\n",
    "mmdetection/configs/retinanet/retinanet_r50_fpn_1x_coco.py": "model = dict()\n",
    # MMDetection, by a scoped base.
    "mine/configs/my-faster-rcnn_r50_fpn_1x_coco.py":
        "_base_ = ['mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py']\n",
    # Nothing says.
    "loose/configs/resnet50_8xb32-cosl_in1k.py": "model = dict()\n",
    "loose/demo.py": "from mmdet.apis import DetInferencer\n"
                     "good = DetInferencer('rtmdet_tiny_8xb32-300e_coco')\n"
                     "bad = DetInferencer(model='rtmdet_tinyy_8xb32-300e_coco')\n"
                     "new = DetInferencer('rtm')\n",
}


@dataclass
class Ws:
    client: LanguageClient
    root: Path

    def uri(self, rel: str) -> str:
        return (self.root / rel).as_uri()


def write_files(root: Path) -> None:
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


@pytest_lsp.fixture(params=PRESETS,
                    config=ClientServerConfig(server_command=SERVER, server_env=ENV))
async def profiles_client(request, lsp_client: LanguageClient, tmp_path: Path):
    root = tmp_path / "side-by-side"
    write_files(root)
    await asyncio.wait_for(lsp_client.initialize_session(init_params(request.param, root=root)),
                           TIMEOUT)
    lsp_client.mmname_ws = Ws(lsp_client, root)
    yield
    await asyncio.wait_for(lsp_client.shutdown_session(), TIMEOUT)


@pytest.fixture
def ws(profiles_client: LanguageClient) -> Ws:
    return profiles_client.mmname_ws


async def opened(ws: Ws, rel: str) -> List[types.Diagnostic]:
    return await open_doc(ws.client, ws.uri(rel), FILES[rel])


async def hover(ws: Ws, rel: str, line: int = 0, character: int = 2) -> str:
    result = await asyncio.wait_for(ws.client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=ws.uri(rel)),
        position=types.Position(line=line, character=character))), TIMEOUT)
    assert result is not None, f"no hover on {rel}:{line}:{character}"
    assert isinstance(result.contents, types.MarkupContent)
    return result.contents.value


async def test_each_file_is_judged_and_hovered_by_its_own_profile(ws: Ws):
    det = "mixed/configs/det/" + DET_NAME
    cls = "mixed/configs/cls/" + DET_NAME
    # A correct MMDetection name: nothing to say about it ...
    assert codes(await opened(ws, det)) == []
    assert "Read as an MMDetection 3.x name (`default_scope = 'mmdet'`)" in await hover(ws, det)
    # ... which MMPretrain's convention would not accept (a module split in parts).
    assert "MMN117" in codes(await opened(ws, cls))
    text = await hover(ws, cls)
    assert ("Read as an MMPretrain 1.x name (`default_scope = 'mmpretrain'` in "
            "`../_base_/default_runtime.py`)") in text
    assert codes(await opened(ws, "mixed/configs/cls/resnet50_8xb32_in1k.py")) == []

    repo = "mmdetection/configs/retinanet/retinanet_r50_fpn_1x_coco.py"
    assert codes(await opened(ws, repo)) == []
    assert "(the repository is the `mmdet` package)" in await hover(ws, repo)

    scoped = "mine/configs/my-faster-rcnn_r50_fpn_1x_coco.py"
    await opened(ws, scoped)
    assert "MMDetection 3.x name (it inherits `mmdet::` configs)" in await hover(ws, scoped)


async def test_a_file_nothing_places_is_judged_quietly_and_hover_says_so(ws: Ws):
    loose = "loose/configs/resnet50_8xb32-cosl_in1k.py"
    # `cosl` is a typo of MMPretrain's `coslr`; nothing says this is MMPretrain's.
    assert codes(await opened(ws, loose)) == []
    assert "No OpenMMLab profile: judged only by the rules all profiles share" \
        in await hover(ws, loose)


async def test_an_inferencer_call_takes_its_profiles_zoo_names(ws: Ws):
    demo = "loose/demo.py"
    lines = FILES[demo].splitlines()
    diags = await opened(ws, demo)
    # The good name raises nothing; the misspelt one (and the half-typed one).
    assert sorted(d.range.start.line for d in diags if d.code == "MMN202") == [2, 3]
    (unknown,) = [d for d in diags if d.range.start.line == 2]
    assert "MMDetection 3.x zoo" in unknown.message and "rtmdet_tiny_8xb32-300e_coco" \
        in unknown.message
    text = await hover(ws, demo, 1, lines[1].index("rtmdet") + 3)
    assert "box AP 40.9" in text  # the zoo entry, with its metric
    assert "`DetInferencer(...)` takes MMDetection 3.x model names" in text

    col = lines[3].index("'rtm") + 4
    result = await asyncio.wait_for(ws.client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=ws.uri(demo)),
                               position=types.Position(line=3, character=col))), TIMEOUT)
    items = result.items if isinstance(result, types.CompletionList) else result
    labels = [i.label for i in items]
    assert "rtmdet_tiny_8xb32-300e_coco" in labels
    assert all(label.startswith("rtm") for label in labels[:5])
    # MMPretrain's zoo is not offered there.
    assert "resnet50_8xb32_in1k" not in labels


@pytest_lsp.fixture(params=["visual-studio-code"],
                    config=ClientServerConfig(server_command=SERVER, server_env=ENV))
async def set_client(request, lsp_client: LanguageClient, tmp_path: Path):
    root = tmp_path / "set"
    write_files(root)
    options = {"profile": {"loose/configs/**": "mmpretrain"}}
    await asyncio.wait_for(lsp_client.initialize_session(
        init_params(request.param, options, root=root)), TIMEOUT)
    lsp_client.mmname_ws = Ws(lsp_client, root)
    yield
    await asyncio.wait_for(lsp_client.shutdown_session(), TIMEOUT)


async def test_the_editors_profile_setting_places_files_by_glob(set_client: LanguageClient):
    ws = set_client.mmname_ws
    loose = "loose/configs/resnet50_8xb32-cosl_in1k.py"
    # Set to MMPretrain's for that folder: now `cosl` is a typo of `coslr`.
    assert "MMN102" in codes(await opened(ws, loose))
    assert "(set to `mmpretrain` in the settings)" in await hover(ws, loose)
    # Files no glob matches are still placed by their own evidence.
    det = "mixed/configs/det/" + DET_NAME
    assert codes(await opened(ws, det)) == []
    assert "`default_scope = 'mmdet'`" in await hover(ws, det)
