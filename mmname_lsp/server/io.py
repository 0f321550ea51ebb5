"""A stdio message loop that survives broken framing.

pygls's own loop matches a header only when it fills a whole line, so after
one wrong ``Content-Length`` the leftover bytes glue onto every later header
and the server never hears the client again.  This loop finds the next header
wherever it starts, answers bodies that are not JSON with a ParseError, and
keeps serving.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from typing import Any

log = logging.getLogger("mmname_lsp.io")

_HEADER = re.compile(rb"Content-Length:[ \t]*(\d+)[ \t]*\r?\n?$", re.IGNORECASE)
# A body larger than this is read and dropped rather than parsed.
MAX_BODY = 512 * 1024 * 1024
PARSE_ERROR = -32700
INVALID_REQUEST = -32600


async def run_stdio(stop_event: threading.Event, reader: Any, protocol: Any) -> None:
    content_length = None
    while not stop_event.is_set():
        line = await reader.readline()
        if not line:
            break  # stdin closed: the client is gone
        match = _HEADER.search(line)
        if match:
            if match.start() > 0:
                log.warning("skipped %d bytes of garbage before a header", match.start())
            content_length = int(match.group(1))
            continue
        if line.strip():
            continue  # another header (Content-Type) or garbage between messages
        if content_length is None:
            continue
        length, content_length = content_length, None
        body = await reader.readexactly(length)
        if len(body) < length:
            break
        if length > MAX_BODY:
            log.error("dropped a message of %d bytes", length)
            continue
        try:
            message = json.loads(body, object_hook=protocol.structure_message)
        except (ValueError, UnicodeDecodeError) as exc:
            log.warning("a message body is not JSON: %s", exc)
            _send_error(protocol, PARSE_ERROR, f"Parse error: {exc}")
            continue
        except RecursionError:
            log.warning("a message body is nested too deeply")
            _send_error(protocol, PARSE_ERROR, "Parse error: nested too deeply")
            continue
        if not _is_message(message):
            log.warning("not a JSON-RPC message: %.200r", message)
            _send_error(protocol, INVALID_REQUEST, "Invalid request")
            continue
        try:
            protocol.handle_message(message)
        except Exception:  # noqa: BLE001 - one bad message must not end the session
            log.exception("unable to handle a message")


def _is_message(message: Any) -> bool:
    # structure_message turns valid messages into objects; plain dicts, lists,
    # numbers and strings are not JSON-RPC messages.
    return message is not None and not isinstance(message, (dict, list, str, int, float, bool))


def _send_error(protocol: Any, code: int, text: str) -> None:
    # A plain dict: JSON-RPC wants `"id": null` here, which the typed message
    # would drop as an unset field.
    try:
        protocol._send_data(
            {"jsonrpc": "2.0", "id": None, "error": {"code": code, "message": text}}
        )
    except Exception:  # noqa: BLE001
        log.exception("could not send an error response")
