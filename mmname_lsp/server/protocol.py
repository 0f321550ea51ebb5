"""The pygls server and protocol classes: a protocol that answers requests
whose params do not validate, and a server that owns one :class:`Session` and
reads stdio with a loop that survives broken framing."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict

from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol

from mmname_lsp import __version__
from mmname_lsp.server.session import Session

log = logging.getLogger("mmname_lsp")
_IGNORED = object()


class MMNameProtocol(LanguageServerProtocol):
    """Answers requests whose params do not validate with an error instead of
    dropping them (a bare pygls server leaves the client waiting forever)."""

    def structure_message(self, data: Dict[str, Any]):  # noqa: ANN201 - pygls's signature
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if isinstance(data, dict) and "id" in data and "method" in data:
                self._send_response(data["id"], error=exc.to_response_error())
            return _IGNORED

    def handle_message(self, message):  # noqa: ANN001, ANN201 - pygls's signature
        if message is _IGNORED:
            return None
        return super().handle_message(message)


class MMNameServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("mmname-lsp", __version__, protocol_cls=MMNameProtocol)
        self.session = Session(self)

    def start_io(self, stdin=None, stdout=None) -> None:  # noqa: ANN001
        """Like pygls's, with a message loop that resynchronises on bad framing."""
        import sys
        import threading

        from pygls.io_ import StdinAsyncReader, StdoutWriter

        from mmname_lsp.server.io import run_stdio

        self._stop_event = threading.Event()
        reader = StdinAsyncReader(stdin or sys.stdin.buffer, self.thread_pool)
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        try:
            asyncio.run(run_stdio(self._stop_event, reader, self.protocol))
        except BrokenPipeError:
            log.error("the connection to the client is lost")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()
