"""The server's life: initialize (capabilities, trace, the editor's process),
initialized (settings pulled per workspace folder), configuration changes,
shutdown and exit.  Warm-up loads the analysis code while the client is busy."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, Callable, Optional

from lsprotocol import types

from mmname_lsp.analysis import analyse
from mmname_lsp.server.protocol import MMNameServer

log = logging.getLogger("mmname_lsp")


def on_initialize(ls: MMNameServer, params: types.InitializeParams) -> None:
    caps = params.capabilities
    ls.session.pull_mode = bool(caps.text_document and caps.text_document.diagnostic)
    ls.session.configuration_support = bool(caps.workspace and caps.workspace.configuration)
    if params.initialization_options is not None:
        ls.session.apply_settings(params.initialization_options, None, "initializationOptions")
    if params.trace is not None:
        # pygls follows $/setTrace only; the initial value comes from here.
        ls.protocol.trace = params.trace
    if params.process_id and not ls.session.serves_many:
        _watch_parent(params.process_id)
    if ls.session.configuration_support:
        ls.session.settings_ready = asyncio.Event()


# Code that no diagnostics need, loaded once the first ones are out.
LATE_WARM_UP_S = 0.25


def warm_up() -> None:
    """Load the data (vocabulary, zoo) and the decoder's code paths that the
    first analysis needs."""
    try:
        analyse("load_from = 'resnet50_8xb32_in1k'\n", None)
    except Exception:  # noqa: BLE001
        log.exception("warm-up failed")


def _late_warm_up() -> None:
    try:
        import mmname_lsp.ide.completion  # noqa: F401
        import mmname_lsp.ide.hover  # noqa: F401
    except Exception:  # noqa: BLE001
        log.exception("warm-up failed")


def _watch_parent(pid: int) -> None:
    """End when the editor that started us is gone (it cannot send `exit` then)."""

    def check() -> None:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            log.warning("client process %s is gone; exiting", pid)
            os._exit(1)
        except (PermissionError, OSError):
            pass  # exists but not ours to signal: still alive
        loop.call_later(1.0, check)

    try:
        loop = asyncio.get_event_loop()
        loop.call_later(1.0, check)
    except RuntimeError:
        log.debug("no event loop to watch the client process")


async def on_initialized(ls: MMNameServer, params: types.InitializedParams) -> None:
    try:
        # Ask for the settings first, and load the data while the client
        # answers: the editor's didOpen (right behind `initialized`) waits for both.
        await _pull_configuration(ls, while_waiting=warm_up)
    finally:
        try:
            asyncio.get_event_loop().call_later(LATE_WARM_UP_S, _late_warm_up)
        except RuntimeError:
            pass
        if ls.session.settings_ready is not None:
            ls.session.settings_ready.set()
        ls.session.events.emit(ls, ls.session.events.initialized, params)


async def _pull_configuration(
    ls: MMNameServer, while_waiting: Optional[Callable[[], None]] = None
) -> None:
    if not ls.session.configuration_support:
        if while_waiting is not None:
            while_waiting()
        return
    folders = list(ls.workspace.folders.values()) if ls.workspace.folders else []
    items = [types.ConfigurationItem(section="mmname")]
    items += [types.ConfigurationItem(scope_uri=f.uri, section="mmname") for f in folders]
    try:
        # The request is written when its future is made; the work of
        # ``while_waiting`` then overlaps the client's answer.
        answer = asyncio.wrap_future(
            ls.workspace_configuration(types.ConfigurationParams(items=items)))
        if while_waiting is not None:
            while_waiting()
        result = await asyncio.wait_for(answer, 10)
    except Exception as exc:  # noqa: BLE001 - the client may not answer
        log.warning("workspace/configuration failed: %s", exc)
        return
    if not result:
        return
    if result[0] is not None:
        ls.session.apply_settings(result[0], None, "workspace configuration")
    for folder, raw in zip(folders, result[1:]):
        if raw is not None:
            ls.session.apply_settings(raw, folder.uri, f"workspace folder {folder.name}")
    ls.session.refresh_all()


async def on_configuration(ls: MMNameServer, params: types.DidChangeConfigurationParams) -> None:
    if ls.session.configuration_support:
        await _pull_configuration(ls)
        return
    raw = params.settings
    if isinstance(raw, dict) and "mmname" in raw:
        raw = raw["mmname"]
    ls.session.apply_settings(raw, None, "didChangeConfiguration")
    ls.session.refresh_all()


def on_shutdown(ls: MMNameServer, params: Any) -> None:
    ls.session.shutdown_received = True


def on_exit(ls: MMNameServer, params: Any) -> None:
    ls.session.exit_received = True


def register(server: MMNameServer) -> None:
    server.feature(types.INITIALIZE)(on_initialize)
    server.feature(types.INITIALIZED)(on_initialized)
    server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(on_configuration)
    server.feature(types.SHUTDOWN)(on_shutdown)
    server.feature(types.EXIT)(on_exit)
