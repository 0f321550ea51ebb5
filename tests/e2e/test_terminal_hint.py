"""`mmname-lsp` started by a person in a terminal says what it is on stderr,
and keeps serving; started by an editor (stdin a pipe), it says nothing."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from typing import Callable

import pytest

from mmname_lsp.server.__main__ import TTY_HINT
from tests.e2e.conftest import SERVER

WAIT_S = 30.0  # an upper bound for a loaded machine, never a measurement


def frame(obj: dict) -> bytes:
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


INITIALIZE = frame({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                    "params": {"processId": None, "rootUri": None, "capabilities": {}}})
SHUTDOWN_EXIT = (frame({"jsonrpc": "2.0", "method": "initialized", "params": {}})
                 + frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
                 + frame({"jsonrpc": "2.0", "method": "exit"}))


def read_until(fd: int, done: Callable[[bytes], bool]) -> bytes:
    """Bytes read from ``fd`` until ``done`` holds for them (or WAIT_S passes)."""
    got = b""
    deadline = time.monotonic() + WAIT_S
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while not done(got):
            left = deadline - time.monotonic()
            if left <= 0 or not sel.select(left):
                break
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            got += chunk
    return got


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals (pty) are POSIX only")
def test_a_terminal_gets_one_hint_and_the_server_keeps_serving():
    import pty
    import tty

    master, slave = pty.openpty()
    # Raw: the protocol's bytes go through the terminal unchanged (no echo,
    # no line editing), as a person pasting a message would need.
    tty.setraw(slave)
    proc = subprocess.Popen(SERVER, stdin=slave, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    os.close(slave)
    try:
        err = read_until(proc.stderr.fileno(), lambda b: TTY_HINT.encode() in b)
        text = err.decode()
        assert text.count(TTY_HINT) == 1, text
        assert "Language Server Protocol" in text and "editors/README.md" in text
        assert "mmname check" in text and "--tcp" in text
        # Still a server: initialize is answered on stdout.
        os.write(master, INITIALIZE)
        out = read_until(proc.stdout.fileno(), lambda b: b'"capabilities"' in b)
        assert b'"id": 1' in out and b'"capabilities"' in out
        os.write(master, SHUTDOWN_EXIT)
        assert proc.wait(timeout=WAIT_S) == 0
        # Nothing more was said on stderr than the hint.
        rest = proc.stderr.read().decode()
        assert TTY_HINT not in rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=WAIT_S)
        os.close(master)
        proc.stdout.close()
        proc.stderr.close()


def test_an_editor_pipe_gets_no_hint():
    proc = subprocess.run(SERVER, input=INITIALIZE + SHUTDOWN_EXIT, capture_output=True,
                          timeout=WAIT_S)
    assert proc.returncode == 0, proc.stderr.decode()
    assert b'"capabilities"' in proc.stdout  # it served
    assert TTY_HINT.encode() not in proc.stderr and b"Language Server Protocol" not in \
        proc.stderr
