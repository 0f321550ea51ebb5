"""The message loop, for stdio and TCP alike, that survives broken framing.

pygls's own loop matches a header only when it fills a whole line, so after
one wrong ``Content-Length`` the leftover bytes glue onto every later header
and the server never hears the client again.  This loop finds the next header
wherever it starts, answers bodies that are not JSON with a ParseError, and
keeps serving.  It never holds more than ``MAX_BODY`` bytes of one message or
``LINE_LIMIT`` bytes of one line: a ``Content-Length`` over the limit is
answered with an error and its body skipped while looking for the next header.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import re
import socket
import sys
import threading
from typing import Any, BinaryIO, Callable, Optional

log = logging.getLogger("mmname_lsp.io")

_HEADER = re.compile(rb"Content-Length:[ \t]*(\d+)[ \t]*\r?\n?$", re.IGNORECASE)
# Editors do not sync files over 50 MB to extensions (VS Code); a body larger
# than this is not read at all but skipped up to the next header.
MAX_BODY = 64 * 1024 * 1024
# Headers are short; a "line" longer than this is read in pieces of this size.
LINE_LIMIT = 64 * 1024
# Enough of a piece's tail to hold a header cut in two by the piece boundary.
_CARRY = 64
PARSE_ERROR = -32700
INVALID_REQUEST = -32600


class StdinReader:
    """Reads stdin in a worker thread, a line at a time but at most LINE_LIMIT bytes."""

    def __init__(self, stdin: BinaryIO, executor: Any = None) -> None:
        self.stdin = stdin
        self.executor = executor

    async def readline(self) -> bytes:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, self.stdin.readline, LINE_LIMIT)

    async def readexactly(self, n: int) -> bytes:
        # Short at the end of the input: the caller checks the length.
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, self.stdin.read, n)


class StreamReaderAdapter:
    """An asyncio StreamReader (TCP) with the reader interface of the loop.

    StreamReader.readline raises on a line over its buffer limit and throws the
    buffer away, next header included; here such a line comes out in pieces."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self.reader = reader

    async def readline(self) -> bytes:
        try:
            return await self.reader.readuntil(b"\n")
        except asyncio.IncompleteReadError as exc:
            return exc.partial  # the connection ended in the middle of a line
        except asyncio.LimitOverrunError as exc:
            return await self.reader.readexactly(max(1, min(exc.consumed, LINE_LIMIT)))

    async def readexactly(self, n: int) -> bytes:
        try:
            return await self.reader.readexactly(n)
        except asyncio.IncompleteReadError as exc:
            return exc.partial


async def run_stdio(stop_event: threading.Event, reader: Any, protocol: Any) -> None:
    """Read messages from ``reader`` and hand them to ``protocol`` until the input ends.

    ``reader`` has ``readline()`` (at most LINE_LIMIT bytes) and ``readexactly(n)``
    (fewer only at the end of the input), both awaitable."""
    content_length: Optional[int] = None
    carry = b""
    while not stop_event.is_set():
        piece = await reader.readline()
        if not piece:
            break  # the input is closed: the client is gone
        line = carry + piece
        carry = b""
        if not line.endswith(b"\n"):
            # Part of an overlong line: a header may be cut at its end, so keep
            # the tail for the next piece and look for headers only in whole lines.
            carry = line[-_CARRY:]
            continue
        match = _HEADER.search(line)
        if match:
            if match.start() > 0:
                log.warning("skipped %d bytes before a header", match.start())
            digits = match.group(1)
            # int() of thousands of digits raises; anything this long is too large.
            content_length = int(digits) if len(digits) <= 18 else MAX_BODY + 1
            continue
        if line.strip():
            continue  # another header (Content-Type) or garbage between messages
        if content_length is None:
            continue
        length, content_length = content_length, None
        if length > MAX_BODY:
            # Reading it would need that much memory (or raise): answer, and
            # let the search for the next header skip the body.
            log.error("refused a message of %d bytes (limit %d)", length, MAX_BODY)
            _send_error(protocol, INVALID_REQUEST,
                        f"Invalid request: message too large ({length} bytes)")
            continue
        body = await reader.readexactly(length)
        if len(body) < length:
            break
        handle_body(protocol, body)


def handle_body(protocol: Any, body: bytes) -> None:
    """Parse one message body and hand it to the protocol; answer what cannot be."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        log.warning("a message body is not JSON: %s", exc)
        _send_error(protocol, PARSE_ERROR, f"Parse error: {exc}")
        return
    except RecursionError:
        log.warning("a message body is nested too deeply")
        _send_error(protocol, PARSE_ERROR, "Parse error: nested too deeply")
        return
    try:
        message = protocol.read_message(data)
    except RecursionError:
        log.warning("a message is nested too deeply to structure")
        _send_error(protocol, INVALID_REQUEST, "Invalid request: nested too deeply")
        return
    try:
        protocol.handle_message(message)
    except Exception:  # noqa: BLE001 - one bad message must not end the session
        log.exception("unable to handle a message")


def _send_error(protocol: Any, code: int, text: str) -> None:
    try:
        protocol.send_error(None, code, text)
    except Exception:  # noqa: BLE001
        log.exception("could not send an error response")


# -- TCP --------------------------------------------------------------------------------


def is_loopback(host: str) -> bool:
    """Whether every address ``host`` stands for is a loopback address.

    The server has no authentication: whoever connects can make it read files,
    so it listens only where nobody but this machine's users can reach it."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    addresses = {info[4][0] for info in infos}
    try:
        return bool(addresses) and all(
            ipaddress.ip_address(a.split("%", 1)[0]).is_loopback for a in addresses
        )
    except ValueError:
        return False


class _SocketWriter:
    """The writer pygls sends through, bound to one connection; after the
    client is gone, messages (late diagnostics) are dropped."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer

    def write(self, data: bytes) -> None:
        if not self.writer.is_closing():
            self.writer.write(data)

    def close(self) -> None:
        self.writer.close()


class NullWriter:
    """Where messages go while no client is connected."""

    def write(self, data: bytes) -> None:
        pass

    def close(self) -> None:
        pass


async def serve_tcp(
    host: str,
    port: int,
    stop_event: threading.Event,
    protocol: Any,
    on_listening: Callable[[str, int], None],
) -> None:
    """Serve clients one after the other on ``host:port`` with the same loop as
    stdio, until a client that sent ``shutdown`` disconnects (or ``exit`` ends
    the process).  A client connecting while another is served waits its turn."""
    turn = asyncio.Lock()
    finished = asyncio.Event()

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async with turn:
            if finished.is_set():
                writer.close()
                return
            peer = writer.get_extra_info("peername")
            log.info("client %s connected", peer)
            protocol.set_writer(_SocketWriter(writer))
            try:
                await run_stdio(stop_event, StreamReaderAdapter(reader), protocol)
            except (ConnectionError, OSError) as exc:
                log.warning("connection to %s lost: %s", peer, exc)
            finally:
                protocol.set_writer(NullWriter())
                writer.close()
            log.info("client %s disconnected", peer)
            if protocol.shutdown_requested or stop_event.is_set():
                finished.set()
            else:
                protocol.reset_connection()

    server = await asyncio.start_server(connection, host, port, limit=LINE_LIMIT)
    async with server:
        for sock in server.sockets:
            name = sock.getsockname()
            on_listening(name[0], name[1])
        await finished.wait()


def announce(host: str, port: int) -> None:
    # On stderr whatever the log level: with --port 0 this is how a client
    # (or a test) learns the port.
    print(f"mmname-lsp: listening on {host}:{port}", file=sys.stderr, flush=True)
