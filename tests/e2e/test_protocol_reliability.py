"""The protocol layer over a real server process: futures that must not pile up
with notifications, Content-Length values that cannot be read, the lifecycle
rules of the LSP spec, errors that must not become popups, and the TCP mode."""

from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from types import SimpleNamespace
from typing import Any, Dict, List, Tuple

import pytest

from tests.e2e.conftest import ROOT
from tests.e2e.rawclient import RawClient

TIMEOUT = 30.0
INVALID_REQUEST = -32600
SERVER_NOT_INITIALIZED = -32002
PARSE_ERROR = -32700
STATS = "mmname/_protocolStats"
SHOW_MESSAGE = "window/showMessage"


def hover_params(uri: str = "file:///tmp/a.py", line: int = 0, char: int = 0) -> Dict[str, Any]:
    return {"textDocument": {"uri": uri}, "position": {"line": line, "character": char}}


def hover_body(msg_id: Any, jsonrpc: str = "2.0") -> bytes:
    return json.dumps({"jsonrpc": jsonrpc, "id": msg_id, "method": "textDocument/hover",
                       "params": hover_params()}).encode()


def popups(client: RawClient) -> List[Dict[str, Any]]:
    """The showMessage notifications among what arrived and was not waited for."""
    return [m for m in client.seen if m.get("method") == SHOW_MESSAGE]


def error_with(code: int, msg_id: Any = None):
    def pred(m: Dict[str, Any]) -> bool:
        return ("method" not in m and m.get("error", {}).get("code") == code
                and m.get("id") == msg_id)
    return pred


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


# -- 4. a Content-Length that cannot be read ------------------------------------------


@pytest.mark.parametrize("length", [b"1000000000000", b"%d" % 2**63, b"9" * 5000],
                         ids=["1e12", "2**63", "5000-digits"])
def test_huge_content_length_is_refused_and_the_next_message_served(raw, length):
    raw.send_bytes(b"Content-Length: " + length + b"\r\n\r\n" + hover_body(7))
    err = raw.wait(error_with(INVALID_REQUEST), timeout=TIMEOUT)
    assert "too large" in err["error"]["message"]
    res = raw.request("textDocument/hover", hover_params())
    assert "result" in res and res["result"] is None
    assert popups(raw) == []


def test_a_real_body_over_the_limit_is_skipped(raw):
    from mmname_lsp.server.io import MAX_BODY

    body = json.dumps({"jsonrpc": "2.0", "method": "x/y", "params": "a" * MAX_BODY}).encode()
    raw.send_bytes(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    raw.wait(error_with(INVALID_REQUEST), timeout=TIMEOUT)
    res = raw.request("textDocument/hover", hover_params(), timeout=TIMEOUT)
    assert "result" in res and res["result"] is None


def test_a_long_line_without_newline_is_read_in_bounded_pieces(raw):
    # A header split over the boundary of two pieces is still found.
    raw.send_bytes(b"x" * (1024 * 1024 - 7))
    res = raw.request("textDocument/hover", hover_params(), timeout=TIMEOUT)
    assert "result" in res


# -- 7. the lifecycle and the envelope -------------------------------------------------


def test_requests_before_initialize_get_server_not_initialized():
    raw = RawClient()
    try:
        res = raw.request("textDocument/hover", hover_params("file:///tmp/early.py"))
        assert res["error"]["code"] == SERVER_NOT_INITIALIZED
        # A notification before initialize is dropped, without a popup.
        raw.open("file:///tmp/early.py", "load_from = 'resnet50_8x32_in1k'\n")
        raw.initialize()
        res = raw.request("textDocument/hover", hover_params("file:///tmp/early.py", 0, 15))
        assert res["result"] is None  # never opened
        again = raw.request("initialize", {"processId": None, "rootUri": None,
                                           "capabilities": {}})
        assert again["error"]["code"] == INVALID_REQUEST
        assert popups(raw) == []
    finally:
        assert raw.close() == 0, raw.stderr[-3000:]


def test_requests_after_shutdown_are_invalid():
    raw = RawClient()
    try:
        raw.initialize()
        assert raw.request("shutdown")["result"] is None
        res = raw.request("textDocument/hover", hover_params())
        assert res["error"]["code"] == INVALID_REQUEST
        res = raw.request("shutdown")
        assert res["error"]["code"] == INVALID_REQUEST
        raw.notify("exit")
        assert raw.proc.wait(timeout=TIMEOUT) == 0
    finally:
        raw.close()


@pytest.mark.parametrize("msg_id", [{"a": 1}, [1, 2], None, 1.5, True],
                         ids=["object", "array", "null", "float", "bool"])
def test_ids_that_are_not_ints_or_strings_are_invalid_requests(raw, msg_id):
    body = hover_body(msg_id)
    raw.send_bytes(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    raw.wait(error_with(INVALID_REQUEST, None))
    assert "result" in raw.request("textDocument/hover", hover_params())


def test_jsonrpc_other_than_2_0_is_an_invalid_request(raw):
    body = hover_body(5, jsonrpc="1.0")
    raw.send_bytes(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    raw.wait(error_with(INVALID_REQUEST, 5))
    body = json.dumps({"id": 6, "method": "textDocument/hover", "params": hover_params()})
    raw.send_bytes(b"Content-Length: %d\r\n\r\n%s" % (len(body), body.encode()))
    raw.wait(error_with(INVALID_REQUEST, 6))
    body = json.dumps({"jsonrpc": "2.0"}).encode()  # neither request nor response
    raw.send_bytes(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    raw.wait(error_with(INVALID_REQUEST, None))
    assert "result" in raw.request("textDocument/hover", hover_params())


def test_responses_are_never_answered(raw):
    # A client's error response with id null is valid JSON-RPC: no reply to it.
    raw.send({"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "x"}})
    raw.send({"jsonrpc": "2.0", "id": "no-such-request", "result": None})
    res = raw.request("textDocument/hover", hover_params())
    assert "result" in res
    assert [m for m in raw.seen if "error" in m and "method" not in m] == []


# -- 8. no popups for bad notifications ------------------------------------------------


def test_change_to_an_unopened_document_is_quiet(raw):
    raw.notify("textDocument/didChange", {
        "textDocument": {"uri": "file:///tmp/never-opened.py", "version": 2},
        "contentChanges": [{"text": "load_from = 'resnet50_8x32_in1k'\n"}]})
    raw.notify("textDocument/didChange", {"textDocument": {"uri": 3}})  # does not validate
    raw.notify("textDocument/didClose", {"textDocument": {"uri": "file:///tmp/never.py"}})
    res = raw.request("textDocument/hover", hover_params("file:///tmp/never-opened.py", 0, 15))
    assert res["result"] is None
    assert popups(raw) == []


# -- 9. TCP ----------------------------------------------------------------------------


class TcpClient(RawClient):
    """RawClient's protocol over a socket instead of a process's pipes."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.sock.settimeout(None)
        self.proc = SimpleNamespace(stdout=self.sock.makefile("rb"))
        self.messages: queue.Queue[Dict[str, Any]] = queue.Queue()
        self.seen = []
        self.next_id = 100
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def send_bytes(self, data: bytes) -> None:
        self.sock.sendall(data)

    def disconnect(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def start_tcp_server(*extra: str) -> Tuple[subprocess.Popen, queue.Queue[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "mmname_lsp", "--tcp", *extra], cwd=str(ROOT),
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in proc.stderr:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    return proc, lines


def wait_for_port(lines: queue.Queue[str]) -> int:
    deadline = time.monotonic() + TIMEOUT
    seen = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            break
        seen.append(line)
        if line.startswith("mmname-lsp: listening on "):
            return int(line.rsplit(":", 1)[1])
    raise TimeoutError(f"the server did not say where it listens: {seen}")


def test_tcp_uses_the_robust_framing_and_serves_the_next_client():
    proc, lines = start_tcp_server("--port", "0")
    clients: List[TcpClient] = []
    try:
        port = wait_for_port(lines)
        first = TcpClient(port)
        clients.append(first)
        first.initialize()
        first.send_bytes(b"Content-Length: 9\r\n\r\n{nope: 1}")
        first.wait(error_with(PARSE_ERROR, None))
        first.send_bytes(b"Content-Length: 12\r\n\r\n" + hover_body(1))  # too short
        assert "result" in first.request("textDocument/hover", hover_params())
        assert popups(first) == []
        first.disconnect()  # gone without shutdown: the server waits for the next

        second = TcpClient(port)
        clients.append(second)
        res = second.request("textDocument/hover", hover_params())
        assert res["error"]["code"] == SERVER_NOT_INITIALIZED  # a fresh session
        second.initialize()
        uri = "file:///tmp/tcp.py"
        second.open(uri, "load_from = 'resnet50_8x32_in1k'\n")
        assert [d["code"] for d in second.diagnostics(uri, timeout=TIMEOUT)] == ["MMN101"]
        assert second.request("shutdown")["result"] is None
        second.notify("exit")
        assert proc.wait(timeout=TIMEOUT) == 0
    finally:
        for c in clients:
            c.disconnect()
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=TIMEOUT)


def test_tcp_refuses_addresses_other_than_loopback():
    proc, lines = start_tcp_server("--host", "0.0.0.0", "--port", "0")
    try:
        assert proc.wait(timeout=TIMEOUT) == 2
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=TIMEOUT)
    said = []
    deadline = time.monotonic() + TIMEOUT
    while not any("loopback" in line for line in said) and time.monotonic() < deadline:
        try:
            said.append(lines.get(timeout=1))
        except queue.Empty:
            continue
    assert any("loopback" in line for line in said), said
