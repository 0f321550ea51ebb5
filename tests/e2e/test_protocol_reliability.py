"""The protocol layer over a real server process: futures that must not pile up
with notifications."""

from __future__ import annotations

import os
from typing import Any, Dict

import pytest

from tests.e2e.rawclient import RawClient

TIMEOUT = 30.0
STATS = "mmname/_protocolStats"


def hover_params(uri: str = "file:///tmp/a.py", line: int = 0, char: int = 0) -> Dict[str, Any]:
    return {"textDocument": {"uri": uri}, "position": {"line": line, "character": char}}


@pytest.fixture
def raw():
    client = RawClient()
    client.initialize()
    yield client
    rc = client.close()
    assert rc == 0, client.stderr[-3000:]


# -- 3. notifications leave no futures behind -----------------------------------------


def test_notifications_leave_no_futures_behind():
    # The server exposes the size of its table of in-flight futures only when
    # started for tests; it must not grow with the number of notifications.
    raw = RawClient(env=dict(os.environ, MMNAME_LSP_TEST_HOOKS="1"))
    try:
        raw.initialize()
        uri = "file:///tmp/typing.py"
        text = "load_from = 'resnet50_8xb32_in1k'\n"
        raw.open(uri, text)
        raw.diagnostics(uri, timeout=TIMEOUT)
        before = raw.request(STATS)["result"]

        version = 1
        for i in range(300):  # type a character, then delete it again
            version += 1
            col = len(text) - 2
            if i % 2 == 0:
                change = {"range": {"start": {"line": 0, "character": col},
                                    "end": {"line": 0, "character": col}}, "text": "x"}
            else:
                change = {"range": {"start": {"line": 0, "character": col},
                                    "end": {"line": 0, "character": col + 1}}, "text": ""}
            raw.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
        other = "file:///tmp/other.py"
        for _ in range(100):
            raw.open(other, text)
            raw.notify("textDocument/didClose", {"textDocument": {"uri": other}})
        # Both the last edit and the last close have been handled to the end:
        # every open and every close of `other` publishes once.
        raw.diagnostics(uri, version=version, timeout=TIMEOUT)
        for _ in range(200):
            raw.diagnostics(other, timeout=TIMEOUT)
        after = raw.request(STATS)["result"]
        # 500 notifications went through; a few handlers may still be finishing.
        assert after["requestFutures"] - before["requestFutures"] < 10, (before, after)
        assert after["resultTypes"] - before["resultTypes"] < 10, (before, after)
        assert after["textDocuments"] == before["textDocuments"]
    finally:
        assert raw.close() == 0, raw.stderr[-3000:]


def test_stats_request_exists_only_for_tests(raw):
    assert raw.request(STATS)["error"]["code"] == -32601
