"""Hostile input over the real stdio: broken framing, bad requests, huge and binary
documents, random edit storms, broken files on disk, and no side effects."""

from __future__ import annotations

import json
import os
import random
import socket
import sys
from pathlib import Path

import pytest

from mmname_lsp.analysis import analyse
from tests.e2e.rawclient import RawClient

LONG = 120  # seconds: generous bounds that only a hang or a blow-up would exceed


@pytest.fixture
def raw():
    client = RawClient()
    client.initialize()
    yield client
    rc = client.close()
    # Still alive at the end and shut down cleanly: nothing above broke it.
    assert rc == 0, client.stderr[-3000:]


def hover(raw: RawClient, uri: str, line: int, char: int):
    return raw.request("textDocument/hover", {"textDocument": {"uri": uri},
                                              "position": {"line": line, "character": char}})


def test_body_that_is_not_json_gets_a_parse_error(raw):
    raw.send_bytes(b"Content-Length: 9\r\n\r\n{nope: 1}")
    err = raw.wait(lambda m: m.get("error", {}).get("code") == -32700)
    assert err["id"] is None
    assert "result" in hover(raw, "file:///a.py", 0, 0)


def test_wrong_content_length_resynchronises(raw):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "textDocument/hover",
                       "params": {"textDocument": {"uri": "file:///a.py"},
                                  "position": {"line": 0, "character": 0}}}).encode()
    raw.send_bytes(b"Content-Length: 12\r\n\r\n" + body)  # too short: garbage follows
    ok = hover(raw, "file:///a.py", 0, 0)
    assert "result" in ok and ok["result"] is None


def test_valid_json_that_is_no_message(raw):
    raw.send_bytes(b"Content-Length: 7\r\n\r\n[1,2,3]")
    err = raw.wait(lambda m: m.get("error", {}).get("code") == -32600)
    assert err["id"] is None
    assert "result" in hover(raw, "file:///a.py", 0, 0)


def test_unknown_methods(raw):
    res = raw.request("mmname/doesNotExist", {})
    assert res["error"]["code"] == -32601
    raw.notify("mmname/unknownNotification", {"x": 1})
    raw.notify("$/unknown", {})
    assert "result" in hover(raw, "file:///a.py", 0, 0)


def test_requests_for_unopened_documents(raw, tmp_path):
    real = tmp_path / "resnet50_8x32_in1k.py"
    real.write_text("load_from = 'resnet50_8x32_in1k'\n")
    uri = real.as_uri()
    assert hover(raw, uri, 0, 15)["result"] is None  # never read from disk
    comp = raw.request("textDocument/completion", {"textDocument": {"uri": uri},
                                                   "position": {"line": 0, "character": 20}})
    assert comp["result"] is None
    acts = raw.request("textDocument/codeAction", {
        "textDocument": {"uri": uri},
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}},
        "context": {"diagnostics": []}})
    assert acts["result"] == []
    lens = raw.request("textDocument/codeLens", {"textDocument": {"uri": uri}})
    assert lens["result"] == []


def test_positions_out_of_range_and_negative(raw):
    uri = "file:///tmp/pos.py"
    raw.open(uri, "load_from = 'resnet50_8xb32_in1k'\n")
    raw.diagnostics(uri)
    for line, char in ((0, 10_000), (500, 0), (2**31 - 1, 2**31 - 1)):
        res = hover(raw, uri, line, char)
        assert "error" not in res
    res = hover(raw, uri, -1, 3)
    assert res["error"]["code"] == -32602
    res = hover(raw, uri, 0, -5)
    assert res["error"]["code"] == -32602
    assert hover(raw, uri, 0, 15)["result"] is not None  # still serving


def test_old_version_and_out_of_range_edit(raw):
    uri = "file:///tmp/edit.py"
    raw.open(uri, "load_from = 'resnet50_8xb32_in1k'\n", version=5)
    raw.diagnostics(uri)
    # An edit far beyond the end, then one with an older version number.
    raw.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 6},
        "contentChanges": [{"range": {"start": {"line": 40, "character": 3},
                                      "end": {"line": 90, "character": 1}}, "text": "x = 1\n"}]})
    raw.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 2},
        "contentChanges": [{"text": "load_from = 'resnet50_8x32_in1k'\n"}]})
    diags = raw.diagnostics(uri, version=2)
    assert [d["code"] for d in diags] == ["MMN101"]
    assert hover(raw, uri, 0, 15)["result"] is not None


HOSTILE = {
    "ten_mb": lambda: "x = 'resnet50_8xb32_in1k'\n" * 400_000,
    "one_mb_line": lambda: "x = [" + "'a_b', " * 150_000 + "]\n",
    "binary": lambda: "\x00\x01\x02\xff load_from = 'resnet50_8x32_in1k'\n" + "\x00" * 5000,
    "nested": lambda: "x = " + "[" * 50_000 + "]" * 50_000 + "\n",
    "many_literals": lambda: "".join(f"a{i} = 'v{i}'\n" for i in range(100_000)),
    "unterminated": lambda: "x = '" + "a_b" * 300_000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_documents_are_answered(raw, name):
    text = HOSTILE[name]()
    uri = f"file:///tmp/hostile/{name}.py"
    raw.open(uri, text)
    diags = raw.diagnostics(uri, timeout=LONG)
    assert isinstance(diags, list)
    if name == "binary":
        assert [d["code"] for d in diags] == ["MMN101"]
    res = raw.request("textDocument/hover", {"textDocument": {"uri": uri},
                                             "position": {"line": 0, "character": 6}},
                      timeout=LONG)
    assert "error" not in res
    raw.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    cleared = raw.diagnostics(uri)
    assert cleared == []


def test_closing_releases_the_document_state():
    from lsprotocol import types
    from pygls.workspace import Workspace

    from mmname_lsp.server.app import create_server
    from mmname_lsp.server.features.documents import did_close

    ls = create_server()
    ls.protocol.set_writer(_NullWriter())
    ls.protocol._workspace = Workspace(None)  # what `initialize` would set up
    uri = "file:///tmp/release.py"
    ls.workspace.put_text_document(types.TextDocumentItem(
        uri=uri, language_id="python", version=1, text="x = 'resnet50_8x32_in1k'\n" * 1000))
    doc = ls.workspace.get_text_document(uri)
    session = ls.session
    session.analysis(doc)
    session.line_index(doc)
    assert uri in session.analyses and uri in session.indexes
    ls.workspace.remove_text_document(uri)
    did_close(ls, types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert uri not in session.analyses and uri not in session.indexes
    assert not session.has_pending(uri)


class _NullWriter:
    def write(self, data):  # noqa: ANN001
        pass

    def close(self):
        pass


# -- a storm of random edits ends where a fresh open would ---------------------------

ALPHABET = "resnet50_8xb32-colsr_in1k'\"名😀\n #"


def _utf16_pos(text: str, offset: int):
    before = text[:offset]
    line = before.count("\n")
    col_text = before[before.rfind("\n") + 1:]
    return {"line": line, "character": len(col_text.encode("utf-16-le")) // 2}


def test_a_thousand_random_edits_end_like_a_fresh_open(tmp_path):
    rng = random.Random(20261127)
    raw = RawClient()
    try:
        raw.initialize()
        uri = (tmp_path / "storm.py").as_uri()
        text = "load_from = 'resnet50_8xb32_in1k'\nm = get_model('resnet50_8x32_in1k')\n"
        raw.open(uri, text, version=1)
        raw.diagnostics(uri)
        version = 1
        for _ in range(1000):
            a = rng.randint(0, len(text))
            b = min(len(text), a + rng.choice((0, 0, 1, 2, 5)))
            new = "".join(rng.choice(ALPHABET) for _ in range(rng.choice((0, 1, 1, 3))))
            change = {"range": {"start": _utf16_pos(text, a), "end": _utf16_pos(text, b)},
                      "text": new}
            text = text[:a] + new + text[b:]
            version += 1
            raw.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                  "contentChanges": [change]})
        final = raw.diagnostics(uri, version=version, timeout=LONG)
        fresh_uri = (tmp_path / "fresh.py").as_uri()
        raw.open(fresh_uri, text)
        fresh = raw.diagnostics(fresh_uri, timeout=LONG)

        def key(ds):
            return sorted((d["code"], json.dumps(d["range"], sort_keys=True)) for d in ds)

        assert key(final) == key(fresh)
        # And both equal what the core says about the final text.
        expected = sorted(f.code for f in analyse(text, str(tmp_path / "fresh.py")).findings)
        assert sorted(d["code"] for d in fresh) == expected
    finally:
        assert raw.close() == 0


# -- broken files on disk ----------------------------------------------------------------


def test_broken_bases_on_disk_get_diagnostics(tmp_path, raw):
    (tmp_path / "a.py").write_text("_base_ = ['./b.py']\n")
    (tmp_path / "b.py").write_text("_base_ = ['./a.py']\n")
    (tmp_path / "bad.py").write_bytes(b"x = '\xff\xfe'\n")
    (tmp_path / "folder.py").mkdir()
    os.symlink("loop.py", tmp_path / "loop.py")
    child = tmp_path / "child.py"
    text = ("_base_ = ['./a.py', './bad.py', './folder.py', './loop.py', './missing.py']\n")
    raw.open(child.as_uri(), text)
    diags = raw.diagnostics(child.as_uri(), timeout=LONG)
    got = sorted((d["code"], text.splitlines()[0][d["range"]["start"]["character"]:
                                                 d["range"]["end"]["character"]]) for d in diags)
    assert got == [
        ("MMN201", "./folder.py"),
        ("MMN201", "./missing.py"),
        ("MMN291", "./a.py"),
        ("MMN292", "./bad.py"),
        ("MMN292", "./loop.py"),
    ]


# -- no side effects: nothing is executed, nothing goes to the network ------------------

CANARY = """\
import os, socket
open({marker!r}, 'w').write('executed')
socket.create_connection(('127.0.0.1', 9))
_base_ = ['./base.py']
model = dict(type='ImageClassifier')
load_from = 'resnet50_8x32_in1k'
"""


def test_canary_config_is_never_executed(tmp_path):
    marker = tmp_path / "EXECUTED"
    cfg = tmp_path / "configs" / "resnet50_8xb32_in1k.py"
    cfg.parent.mkdir()
    (cfg.parent / "base.py").write_text(
        f"open({str(tmp_path / 'BASE_EXECUTED')!r}, 'w').write('x')\nmodel = dict()\n")
    cfg.write_text(CANARY.format(marker=str(marker)))
    guard = _network_guard(tmp_path)
    env = dict(os.environ, PYTHONPATH=f"{guard}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
               MMNAME_NET_LOG=str(tmp_path / "net.log"))
    raw = RawClient(env=env)
    try:
        raw.initialize()
        raw.open(cfg.as_uri(), cfg.read_text())
        diags = raw.diagnostics(cfg.as_uri(), timeout=LONG)
        assert "MMN101" in [d["code"] for d in diags]
        assert hover(raw, cfg.as_uri(), 5, 15)["result"] is not None
    finally:
        assert raw.close() == 0
    import subprocess

    proc = subprocess.run([sys.executable, "-m", "mmname_lsp.cli", "check", str(cfg.parent),
                           "--exit-zero"], env=env, capture_output=True, text=True, timeout=LONG)
    assert proc.returncode == 0, proc.stderr
    assert "MMN101" in proc.stdout
    assert not marker.exists() and not (tmp_path / "BASE_EXECUTED").exists()
    net_log = tmp_path / "net.log"
    assert not net_log.exists(), net_log.read_text()


def _network_guard(tmp_path: Path) -> Path:
    """A sitecustomize that records (and refuses) every network connection."""
    folder = tmp_path / "guard"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(
        "import os, socket\n"
        "_log = os.environ.get('MMNAME_NET_LOG')\n"
        "def _refuse(self, address, *a, **k):\n"
        "    if self.family in (socket.AF_INET, socket.AF_INET6) and _log:\n"
        "        with open(_log, 'a') as f:\n"
        "            f.write(repr(address) + '\\n')\n"
        "    raise OSError('network disabled by the test')\n"
        "socket.socket.connect = _refuse\n"
        "socket.socket.connect_ex = _refuse\n"
    )
    return folder


def test_guard_really_blocks(tmp_path):
    # The guard itself works: a connection attempt is logged and refused.
    import subprocess

    guard = _network_guard(tmp_path)
    log = tmp_path / "net.log"
    env = dict(os.environ, PYTHONPATH=str(guard), MMNAME_NET_LOG=str(log))
    code = (
        "import socket\ntry:\n    socket.create_connection(('127.0.0.1', 9), 1)\n"
        "except OSError:\n    pass\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
    assert "127.0.0.1" in log.read_text()
    assert socket is not None
