"""A cloned repository can hold FIFOs and links to devices, and a checkout can
delete thousands of files at once: the server indexes, answers and keeps its
memory, over real stdio."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from .conftest import PRESETS, SERVER, TIMEOUT
from .test_workspace import (
    Ws,
    codes_of,
    diagnostics_of_open,
    has,
    make_ws,
    open_text,
    start,
    wait_report,
)

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo") or sys.platform == "win32",
                                reason="FIFOs and /dev links are POSIX things")

BAD = "configs/resnet/resnet50_8x32_in1k.py"


def plant_traps(root: Path) -> None:
    os.mkfifo(root / "configs" / "trap.py")
    os.mkfifo(root / "configs" / "README_trap.md")
    os.symlink("/dev/stdin", root / "configs" / "stdin.py")
    os.symlink("/dev/zero", root / "configs" / "zero.py")
    os.symlink("/dev/zero", root / "configs" / "metafile.yml")
    os.mkfifo(root / "configs" / "_base_" / "fifo_base.py")
    (root / "configs" / "resnet" / "fifo_child_8xb32_in1k.py").write_text(
        "_base_ = ['../_base_/fifo_base.py']\n")
    (root / BAD).write_text("_base_ = ['../_base_/default_runtime.py']\n")


@pytest_lsp.fixture(params=PRESETS, config=ClientServerConfig(server_command=SERVER))
async def hostile(request, lsp_client: LanguageClient, tmp_path: Path):
    root = make_ws(tmp_path / "ws2")
    plant_traps(root)
    # start() waits for the end of indexing: it would time out on a hang.
    lsp_client.mmname_ws = await start(lsp_client, request.param, root)
    yield
    await asyncio.wait_for(lsp_client.shutdown_session(), TIMEOUT)


@pytest.fixture
def ws(hostile: LanguageClient) -> Ws:
    return hostile.mmname_ws


async def test_fifos_and_device_links_are_not_read(ws: Ws):
    # The regular files around the traps are indexed and reported.
    got = await wait_report(ws, ws.uri(BAD), has("MMN101"))
    assert "MMN101" in codes_of(got)
    # A config whose base is a FIFO is answered, the base reported as no file.
    diags = await open_text(ws, "configs/resnet/fifo_child_8xb32_in1k.py")
    assert {"MMN201", "MMN292"} & set(codes_of(diags)), diags
    hover = await asyncio.wait_for(ws.client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=ws.uri(BAD)),
        position=types.Position(0, 2))), TIMEOUT)
    del hover  # not open: None; what matters is that it is answered


STORM = 1500


@pytest_lsp.fixture(params=PRESETS, config=ClientServerConfig(server_command=SERVER))
async def stormy(request, lsp_client: LanguageClient, tmp_path: Path):
    root = make_ws(tmp_path / "ws2")
    folder = root / "configs" / "many"
    folder.mkdir()
    for i in range(STORM):
        (folder / f"net{i}_8xb32_in1k.py").write_text(
            "_base_ = ['../_base_/default_runtime.py']\n")
    lsp_client.mmname_ws = await start(lsp_client, request.param, root)
    yield
    await asyncio.wait_for(lsp_client.shutdown_session(), TIMEOUT)


async def test_a_storm_of_deletions_is_handled_and_requests_still_answered(stormy):
    ws: Ws = stormy.mmname_ws
    inheritor = "configs/resnet/resnet50_8xb32_in1k.py"
    await open_text(ws, inheritor)
    gone = sorted((ws.root / "configs" / "many").iterdir())
    gone.append(ws.root / "configs" / "_base_" / "default_runtime.py")
    for p in gone:
        p.unlink()
    ws.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=p.as_uri(), type=types.FileChangeType.Deleted) for p in gone]))
    # A request right behind the storm is answered (the events are handled in
    # slices between requests)...
    symbols = await asyncio.wait_for(ws.client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(
            uri=ws.uri(inheritor)))), TIMEOUT)
    assert symbols
    # ...and every event is handled: the deleted base breaks its open inheritor.
    got = await diagnostics_of_open(ws, inheritor, has("MMN201"))
    assert "MMN201" in codes_of(got)
