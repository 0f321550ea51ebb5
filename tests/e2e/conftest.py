"""Shared helpers for end-to-end tests: the real server over real stdio."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Callable, List, Optional, Sequence

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import default_feature

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "workspace"
# The folder the test clients open as their workspace (renames stay inside it).
WORKSPACE_ROOT = ROOT / "tests" / "fixtures"
SERVER = [sys.executable, "-m", "mmname_lsp", "--stdio"]
TIMEOUT = 15.0
PRESETS = ["visual-studio-code", "neovim"]


# The test client answers dynamic registrations as a real editor does (pytest-lsp
# leaves them unanswered and fails the test otherwise).
@default_feature(types.CLIENT_REGISTER_CAPABILITY)
def _register_capability(client: LanguageClient, params: types.RegistrationParams) -> None:
    return None


@default_feature(types.CLIENT_UNREGISTER_CAPABILITY)
def _unregister_capability(client: LanguageClient, params: types.UnregistrationParams) -> None:
    return None


def init_params(
    preset: str, options=None, root: Path = WORKSPACE_ROOT
) -> types.InitializeParams:
    return types.InitializeParams(
        capabilities=client_capabilities(preset),
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        initialization_options=options,
    )


@pytest_lsp.fixture(params=PRESETS, config=ClientServerConfig(server_command=SERVER))
async def client(request, lsp_client: LanguageClient):
    await asyncio.wait_for(lsp_client.initialize_session(init_params(request.param)), TIMEOUT)
    yield
    await asyncio.wait_for(lsp_client.shutdown_session(), TIMEOUT)


def is_pull(client: LanguageClient) -> bool:
    caps = client.capabilities
    return bool(caps and caps.text_document and caps.text_document.diagnostic)


async def open_doc(
    client: LanguageClient, uri: str, text: str, version: int = 1
) -> List[types.Diagnostic]:
    """Open a document and return its diagnostics (pulled or pushed, as the client does)."""
    if is_pull(client):
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="python", version=version, text=text
                )
            )
        )
        return await pull(client, uri)
    # Other files' diagnostics may arrive first (workspace indexing): wait for ours.
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=version, text=text
            )
        )
    )

    async def mine() -> None:
        while uri not in client.diagnostics:
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    await asyncio.wait_for(mine(), TIMEOUT)
    return list(client.diagnostics.get(uri, []))


async def pull(client: LanguageClient, uri: str) -> List[types.Diagnostic]:
    report = await asyncio.wait_for(
        client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
        ),
        TIMEOUT,
    )
    return list(report.items)


async def wait_diagnostics(
    client: LanguageClient,
    uri: str,
    predicate: Callable[[Sequence[types.Diagnostic]], bool],
    timeout: float = TIMEOUT,
) -> List[types.Diagnostic]:
    """Diagnostics of ``uri`` once ``predicate`` holds (pushed ones: wait for publishes)."""
    if is_pull(client):
        return await pull(client, uri)

    async def loop() -> List[types.Diagnostic]:
        while True:
            current = client.diagnostics.get(uri)
            if current is not None and predicate(current):
                return list(current)
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    return await asyncio.wait_for(loop(), timeout)


def codes(diags: Sequence[types.Diagnostic]) -> List[str]:
    return sorted(str(d.code) for d in diags)


def text_at(text: str, rng: types.Range, encoding: Optional[str]) -> str:
    """The text a range covers, reading its characters in the given encoding's units."""
    lines = text.splitlines(keepends=True)

    def offset(pos: types.Position) -> int:
        line = lines[pos.line]
        if encoding in (None, "utf-16"):
            units = line.encode("utf-16-le")
            return len(units[: pos.character * 2].decode("utf-16-le"))
        if encoding == "utf-8":
            return len(line.encode("utf-8")[: pos.character].decode("utf-8"))
        return pos.character

    start = sum(len(x) for x in lines[: rng.start.line]) + offset(rng.start)
    end = sum(len(x) for x in lines[: rng.end.line]) + offset(rng.end)
    return text[start:end]


def encoding_of(client: LanguageClient) -> str:
    caps = client.capabilities
    encs = caps.general.position_encodings if caps and caps.general else None
    return str(encs[0].value if hasattr(encs[0], "value") else encs[0]) if encs else "utf-16"


@pytest.fixture
def workspace_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture workspace (tests never write into the repo)."""
    import shutil

    dest = tmp_path / "ws"
    shutil.copytree(FIXTURES, dest)
    return dest
