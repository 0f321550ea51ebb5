"""The pygls server and protocol classes: a protocol that answers requests
whose params do not validate and keeps no futures for notifications, and a
server that owns one :class:`Session` and reads stdio with a loop that
survives broken framing."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, Dict, Optional

from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol

from mmname_lsp import __version__
from mmname_lsp.server.session import Session

log = logging.getLogger("mmname_lsp")
_IGNORED = object()
TEST_HOOKS_ENV = "MMNAME_LSP_TEST_HOOKS"
STATS_METHOD = "mmname/_protocolStats"


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

    def _execute_handler(
        self,
        msg_id: Any,
        handler: Any,
        callback: Any,
        args: Optional[tuple] = None,
        kwargs: Optional[Dict[str, Any]] = None,
    ) -> None:
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        # pygls files the future of every notification and of every step of its
        # built-in handlers under a fresh id that nothing ever removes: about
        # 2 KB per keystroke.  Only a client's request can be looked up again
        # (to cancel it, or to send its result); pygls sets its id in the
        # context just before running it, so anything else is let go now.
        if msg_id != self._ctx_msg_id.get():
            self._request_futures.pop(msg_id, None)


class MMNameServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("mmname-lsp", __version__, protocol_cls=MMNameProtocol)
        self.session = Session(self)
        if os.environ.get(TEST_HOOKS_ENV) == "1":
            # Only for tests: the size of the protocol's bookkeeping tables, so
            # that a test can see them stay flat without measuring memory.
            self.feature(STATS_METHOD)(_protocol_stats)

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


def _protocol_stats(ls: MMNameServer, params: Any) -> Dict[str, int]:
    protocol = ls.protocol
    return {
        "requestFutures": len(protocol._request_futures),
        "resultTypes": len(protocol._result_types),
        "textDocuments": len(ls.workspace.text_documents),
    }
