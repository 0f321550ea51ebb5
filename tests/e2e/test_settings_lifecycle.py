"""Settings (initializationOptions, workspace/configuration) and the process lifecycle."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.e2e.conftest import SERVER, TIMEOUT, codes, init_params, open_doc, wait_diagnostics

DOC = "load_from = 'resnet50_8xb32-colsr_in1k'\nget_model('resnet50_8x32_in1k')\n"


@pytest_lsp.fixture(
    params=["visual-studio-code", "neovim"],
    config=ClientServerConfig(server_command=SERVER),
)
async def off_client(request, lsp_client: LanguageClient):
    # Rule MMN102 off and MMN101 down to a hint, through initializationOptions.
    options = {"severity": {"MMN102": "off", "MMN101": "hint"}}
    await asyncio.wait_for(
        lsp_client.initialize_session(init_params(request.param, options)), TIMEOUT
    )
    yield
    await asyncio.wait_for(lsp_client.shutdown_session(), TIMEOUT)


async def test_initialization_options_turn_a_rule_off(off_client: LanguageClient, tmp_path):
    diags = await open_doc(off_client, (tmp_path / "a.py").as_uri(), DOC)
    assert "MMN102" not in codes(diags)
    batch = [d for d in diags if d.code == "MMN101"]
    assert batch and all(d.severity == types.DiagnosticSeverity.Hint for d in batch)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def configured_client(lsp_client: LanguageClient):
    # workspace/configuration wins over initializationOptions.
    lsp_client.set_configuration({"severity": {"MMN202": "off"}}, section="mmname")
    await asyncio.wait_for(
        lsp_client.initialize_session(
            init_params("visual-studio-code", {"severity": {"MMN202": "error"}})
        ),
        TIMEOUT,
    )
    yield
    await asyncio.wait_for(lsp_client.shutdown_session(), TIMEOUT)


async def test_workspace_configuration_and_change(configured_client: LanguageClient, tmp_path):
    client = configured_client
    uri = (tmp_path / "b.py").as_uri()
    diags = await open_doc(client, uri, DOC)
    assert "MMN202" not in codes(diags)
    assert "MMN102" in codes(diags)
    # The user now turns MMN102 off too; the server re-pulls and republishes.
    client.set_configuration({"severity": {"MMN202": "off", "MMN102": "off"}}, section="mmname")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    diags = await wait_diagnostics(client, uri, lambda d: "MMN102" not in codes(d))
    assert codes(diags) == ["MMN101"]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def bad_settings_client(lsp_client: LanguageClient):
    options = {"severity": {"MMN102": "loud"}, "colour": "red", "enable": True}
    await asyncio.wait_for(
        lsp_client.initialize_session(init_params("visual-studio-code", options)), TIMEOUT
    )
    yield
    await asyncio.wait_for(lsp_client.shutdown_session(), TIMEOUT)


async def test_invalid_settings_warn_and_fall_back(bad_settings_client: LanguageClient, tmp_path):
    client = bad_settings_client
    diags = await open_doc(client, (tmp_path / "c.py").as_uri(), DOC)
    assert "MMN102" in codes(diags)  # the bad severity was not applied
    warnings = [m for m in client.messages if m.type == types.MessageType.Warning]
    assert warnings, "a window/showMessage warning is expected"
    text = " ".join(m.message for m in warnings)
    assert "mmname.severity.MMN102" in text and "mmname.colour" in text


# -- lifecycle, with a raw JSON-RPC client over the real pipes -------------------------


def _frame(obj: dict) -> bytes:
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _initialize(pid=None) -> bytes:
    return _frame({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                   "params": {"processId": pid, "rootUri": None, "capabilities": {}}})


def _run(messages: bytes, timeout: float = 20) -> subprocess.CompletedProcess:
    return subprocess.run(SERVER, input=messages, capture_output=True, timeout=timeout)


def test_exit_after_shutdown_is_0():
    msgs = (
        _initialize()
        + _frame({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        + _frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
        + _frame({"jsonrpc": "2.0", "method": "exit"})
    )
    proc = _run(msgs)
    assert proc.returncode == 0, proc.stderr.decode()
    assert b'"id": 2' in proc.stdout and b"Traceback" not in proc.stderr


def test_exit_without_shutdown_is_1():
    proc = _run(_initialize() + _frame({"jsonrpc": "2.0", "method": "exit"}))
    assert proc.returncode == 1


def test_stdin_closed_ends_the_process():
    proc = subprocess.Popen(SERVER, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdin.write(_initialize())
    proc.stdin.close()
    try:
        proc.wait(timeout=20)
        err = proc.stderr.read()
    except subprocess.TimeoutExpired:
        pytest.fail("the server kept running after its stdin was closed")
    finally:
        proc.kill()
        proc.stdout.close()
        proc.stderr.close()
    assert b"Traceback" not in err


def test_invalid_params_get_an_error_response():
    # A negative line does not validate; a bare pygls server would never answer.
    msgs = (
        _initialize()
        + _frame({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        + _frame({"jsonrpc": "2.0", "id": 7, "method": "textDocument/hover",
                  "params": {"textDocument": {"uri": "file:///x.py"},
                             "position": {"line": -1, "character": 0}}})
        + _frame({"jsonrpc": "2.0", "id": 8, "method": "shutdown"})
        + _frame({"jsonrpc": "2.0", "method": "exit"})
    )
    proc = _run(msgs)
    out = proc.stdout.decode()
    responses = [json.loads(chunk[chunk.index("{"):]) for chunk in out.split("Content-Length")
                 if "{" in chunk]
    by_id = {r.get("id"): r for r in responses}
    assert by_id[7]["error"]["code"] == -32602
    assert 8 in by_id and proc.returncode == 0


def test_version_and_flags():
    out = subprocess.run([sys.executable, "-m", "mmname_lsp", "--version"],
                         capture_output=True, text=True, timeout=20)
    assert out.returncode == 0 and out.stdout.startswith("mmname-lsp ")
    bad = subprocess.run([sys.executable, "-m", "mmname_lsp", "--tcp", "--stdio"],
                         capture_output=True, text=True, timeout=20)
    assert bad.returncode == 2 and "not allowed with" in bad.stderr


def test_log_file_and_nothing_else_on_stdout(tmp_path: Path):
    log = tmp_path / "server.log"
    msgs = (
        _initialize()
        + _frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
        + _frame({"jsonrpc": "2.0", "method": "exit"})
    )
    proc = subprocess.run(SERVER + ["-vv", "--log-file", str(log)], input=msgs,
                          capture_output=True, timeout=20)
    assert proc.returncode == 0
    assert log.read_text().strip(), "the log goes to the file"
    # stdout holds protocol frames only.
    assert proc.stdout.startswith(b"Content-Length:")


def test_parent_process_gone_ends_the_server():
    # A short-lived parent: its pid is given as processId, then it exits.
    parent = subprocess.Popen([sys.executable, "-c", "pass"])
    parent.wait(timeout=20)
    proc = subprocess.Popen(SERVER, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        proc.stdin.write(_initialize(parent.pid))
        proc.stdin.flush()
        rc = proc.wait(timeout=20)  # stdin stays open: only the watcher can end it
    finally:
        proc.kill()
        proc.stdin.close()
    assert rc == 1
