"""Hover on a rule code in a suppression comment shows that rule's
documentation, the text `mmname rule CODE` prints (real server over stdio)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Optional

from lsprotocol import types
from pytest_lsp import LanguageClient

from mmname_lsp.rules.docs import rule_text
from tests.e2e.conftest import TIMEOUT, encoding_of, open_doc, text_at
from tests.e2e.test_workspace import position_of

# Every form the suppression reader takes: spacing, lower case, several codes,
# the file form; a comment inside a string is no suppression; non-ASCII text
# before a code tests the position units.
TEXT = (
    "get_model('resnet50_8x32_in1k')  # mmname: disable=MMN101\n"
    "y = 'жёлтый'  #mmname:disable = mmn102 , MMN202\n"
    "# mmname: disable-file=MMN290,MMN301\n"
    's = "# mmname: disable=MMN103"\n'
    "z = '🙂'  # mmname: disable=MMN999\n"
)


async def hover_at(client: LanguageClient, uri: str, needle: str,
                   delta: int = 1) -> Optional[types.Hover]:
    pos = position_of(TEXT, needle, encoding_of(client), delta)
    return await asyncio.wait_for(client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=pos)), TIMEOUT)


async def test_hover_on_a_suppressed_code_shows_the_rule(client: LanguageClient, tmp_path):
    uri = (tmp_path / "nb_script.py").as_uri()
    await open_doc(client, uri, TEXT)
    cli = subprocess.run([sys.executable, "-m", "mmname_lsp.cli", "rule", "MMN101"],
                         capture_output=True, text=True, timeout=60)
    # `needle` and the code it leads to, at its start, middle and end.
    cases = [("MMN101\n", "MMN101", 0), ("MMN101\n", "MMN101", 3), ("MMN101\n", "MMN101", 6),
             ("mmn102", "MMN102", 2), ("MMN202", "MMN202", 5),
             ("MMN290", "MMN290", 1), ("MMN301", "MMN301", 4)]
    for needle, code, delta in cases:
        hover = await hover_at(client, uri, needle, delta)
        assert hover is not None, code
        assert isinstance(hover.contents, types.MarkupContent)
        assert hover.contents.kind == types.MarkupKind.Markdown
        assert hover.contents.value == rule_text(code)
        # The range is the code as written.
        assert text_at(TEXT, hover.range, encoding_of(client)).upper() == code
    first = await hover_at(client, uri, "MMN101\n")
    assert first.contents.value.strip() == cli.stdout.strip()


async def test_no_rule_hover_outside_a_suppression(client: LanguageClient, tmp_path):
    uri = (tmp_path / "other.py").as_uri()
    await open_doc(client, uri, TEXT)
    # Inside a string that only mentions the syntax: not a suppression.
    assert await hover_at(client, uri, "MMN103") is None
    # Between codes and on the keyword: nothing.
    assert await hover_at(client, uri, ", MMN202", 1) is None
    assert await hover_at(client, uri, "disable-file") is None
    # An unknown code says so.
    unknown = await hover_at(client, uri, "MMN999")
    assert unknown is not None and "not a rule code" in unknown.contents.value
    assert text_at(TEXT, unknown.range, encoding_of(client)) == "MMN999"
