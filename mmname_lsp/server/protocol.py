"""The pygls server and protocol classes.

The protocol adds what pygls 2.1.1 leaves out: it answers requests whose
params do not validate, follows the spec's lifecycle rules (nothing before
``initialize``, nothing after ``shutdown``), answers envelopes that are not
JSON-RPC 2.0 with InvalidRequest, and keeps no futures for notifications.
The server owns one :class:`Session`, reads stdio and TCP with a loop that
survives broken framing, and logs its errors instead of showing popups."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from typing import Any, BinaryIO, Dict, Generator, Optional
from urllib.parse import unquote

from lsprotocol import types
from pygls.exceptions import FeatureRequestError, JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import RPCNotification, RPCRequest
from pygls.protocol.language_server import lsp_method

from mmname_lsp import __version__
from mmname_lsp.server.convert import json_converter
from mmname_lsp.server.session import Session

log = logging.getLogger("mmname_lsp")
_IGNORED = object()
_MISSING = object()
TEST_HOOKS_ENV = "MMNAME_LSP_TEST_HOOKS"
STATS_METHOD = "mmname/_protocolStats"
INVALID_REQUEST = int(types.ErrorCodes.InvalidRequest.value)
SERVER_NOT_INITIALIZED = int(types.ErrorCodes.ServerNotInitialized.value)


def envelope_problem(data: Dict[str, Any]) -> Optional[str]:
    """What makes ``data`` something other than a JSON-RPC 2.0 message, or None."""
    msg_id = data.get("id", _MISSING)
    if data.get("jsonrpc") != "2.0":
        return "jsonrpc must be \"2.0\""
    if "method" in data:
        if not isinstance(data["method"], str):
            return "method must be a string"
        # LSP ids are integers or strings; bool is an int to Python, not to JSON.
        if msg_id is not _MISSING and (
            not isinstance(msg_id, (int, str)) or isinstance(msg_id, bool)
        ):
            return "id must be an integer or a string"
        return None
    if msg_id is _MISSING or ("result" not in data and "error" not in data):
        return "neither a request, a notification nor a response"
    return None


def _valid_id(msg_id: Any) -> bool:
    return isinstance(msg_id, (int, str)) and not isinstance(msg_id, bool)


class MMNameProtocol(LanguageServerProtocol):
    """pygls's LSP protocol, strict about the lifecycle and the envelope."""

    def __init__(self, server: Any, converter: Any) -> None:
        super().__init__(server, converter)
        self.initialize_received = False
        self.shutdown_requested = False

    # -- reading ------------------------------------------------------------------

    def read_message(self, data: Any) -> Any:
        """The message object for one parsed JSON body, or a marker that it was
        answered (or dropped) already.  Only the top level is a message: nested
        objects stay plain data, whatever keys they have."""
        if not isinstance(data, dict):
            log.warning("not a JSON-RPC message: %.200r", data)
            self.send_error(None, INVALID_REQUEST, "Invalid request: not an object")
            return _IGNORED
        problem = envelope_problem(data)
        if problem is not None:
            log.warning("invalid message (%s): %.200r", problem, data)
            if "method" in data or ("result" not in data and "error" not in data):
                # Echo the id only when it can be one; never answer a response.
                msg_id = data.get("id")
                reply_to = msg_id if "method" in data and _valid_id(msg_id) else None
                self.send_error(reply_to, INVALID_REQUEST, f"Invalid request: {problem}")
            return _IGNORED
        return self.structure_message(data)

    def structure_message(self, data: Dict[str, Any]) -> Any:
        if data.get("method") == types.WORKSPACE_DID_CHANGE_WATCHED_FILES:
            changes = (data.get("params") or {}).get("changes")
            if isinstance(changes, list) and "id" not in data:
                # A checkout announces thousands of files at once: typed
                # FileEvents cost ~15 us each before the handler could even
                # queue them; it takes the raw {uri, type} objects instead.
                return types.DidChangeWatchedFilesNotification(
                    params=types.DidChangeWatchedFilesParams(changes=changes))
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if isinstance(data, dict) and "id" in data and "method" in data:
                self._send_response(data["id"], error=exc.to_response_error())
            return _IGNORED

    # -- dispatching --------------------------------------------------------------

    def handle_message(self, message: Any) -> None:
        if message is _IGNORED:
            return None
        if isinstance(message, RPCRequest):
            method = message.method
            if method == types.INITIALIZE:
                if self.initialize_received:
                    self.send_error(message.id, INVALID_REQUEST,
                                    "Invalid request: initialize was received already")
                    return None
                self.initialize_received = True
            elif not self.initialize_received:
                self.send_error(message.id, SERVER_NOT_INITIALIZED,
                                "The server is not initialized yet")
                return None
            elif self.shutdown_requested or self._shutdown:
                self.send_error(message.id, INVALID_REQUEST,
                                "Invalid request: the server is shutting down")
                return None
            elif method == types.SHUTDOWN:
                # Set before pygls runs the handlers, which may not finish at once.
                self.shutdown_requested = True
        elif isinstance(message, RPCNotification) and message.method != types.EXIT:
            if not self.initialize_received:
                log.info("dropped %s: it came before initialize", message.method)
                return None
            if self.shutdown_requested:
                log.info("dropped %s: it came after shutdown", message.method)
                return None
        elif hasattr(message, "error"):
            # pygls forgets the expected result type only for successful answers.
            self._result_types.pop(getattr(message, "id", None), None)
        super().handle_message(message)

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

    # -- built-in document sync ---------------------------------------------------

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(
        self, params: types.DidChangeTextDocumentParams
    ) -> Generator[Any, Any, None]:
        # pygls raises KeyError for a document that is not open, which becomes
        # an "Error in server" popup; a stale edit is not worth the user's eyes.
        uri = params.text_document.uri
        if unquote(uri) not in self.workspace.text_documents:
            log.warning("didChange for %s, which is not open: ignored", uri)
            return None
        yield from super().lsp_text_document__did_change(params)

    # -- writing ------------------------------------------------------------------

    def send_error(self, msg_id: Any, code: int, message: str) -> None:
        """Send an error response; ``msg_id`` None is written as ``"id": null``."""
        # A plain dict: the typed response would drop an unset id, and JSON-RPC
        # wants the key present with null when the id could not be read.
        self._send_data(
            {"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}}
        )

    def reset_connection(self) -> None:
        """Forget the client that went away (TCP), so that the next one starts
        with ``initialize`` as the spec wants, and its requests' futures."""
        for future in list(self._request_futures.values()):
            if not future.done():
                future.cancel()
        self._request_futures.clear()
        self._result_types.clear()
        self.initialize_received = False
        self.shutdown_requested = False
        self._shutdown = False
        session = getattr(self._server, "session", None)
        if session is not None:
            session.reset()


# Jupyter notebooks' Python cells are synced to the server (pygls keeps each
# cell as a text document; features/notebooks.py analyses and publishes them).
NOTEBOOK_SYNC = types.NotebookDocumentSyncOptions(
    notebook_selector=[types.NotebookDocumentFilterWithCells(
        notebook="jupyter-notebook", cells=[types.NotebookCellLanguage(language="python")])],
    save=True,
)


class MMNameServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("mmname-lsp", __version__, protocol_cls=MMNameProtocol,
                         converter_factory=json_converter,
                         notebook_document_sync=NOTEBOOK_SYNC)
        self.session = Session(self)
        if os.environ.get(TEST_HOOKS_ENV) == "1":
            # Only for tests: the size of the protocol's bookkeeping tables, so
            # that a test can see them stay flat without measuring memory.
            self.feature(STATS_METHOD)(_protocol_stats)

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Log what went wrong; never a ``window/showMessage``.

        pygls pops up "Error in server: ..." for any exception outside a
        request (a stale didChange, a message it cannot read): noise the user
        can do nothing about.  Requests already carry their error in the answer."""
        # A failed request was answered with its error: the log has enough.
        level = logging.INFO if source is FeatureRequestError else logging.WARNING
        log.log(level, "%s: %s", getattr(source, "__name__", source), error)

    def start_io(
        self, stdin: Optional[BinaryIO] = None, stdout: Optional[BinaryIO] = None
    ) -> None:
        """Like pygls's, with a message loop that resynchronises on bad framing."""
        import threading

        from pygls.io_ import StdoutWriter

        from mmname_lsp.server.io import StdinReader, run_stdio

        self._stop_event = threading.Event()
        reader = StdinReader(stdin or sys.stdin.buffer, self.thread_pool)
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        try:
            asyncio.run(run_stdio(self._stop_event, reader, self.protocol))
        except BrokenPipeError:
            log.error("the connection to the client is lost")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()

    def start_tcp(self, host: str, port: int) -> None:
        """Serve one client at a time on ``host:port`` with the stdio loop; the
        process ends on ``exit`` or when a client that sent ``shutdown`` leaves."""
        import threading

        from mmname_lsp.server.io import NullWriter, announce, serve_tcp

        self._stop_event = threading.Event()
        self.session.serves_many = True
        self.protocol.set_writer(NullWriter())
        try:
            asyncio.run(serve_tcp(host, port, self._stop_event, self.protocol, announce))
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
