"""The whole workspace in the server: indexing with progress, diagnostics of
files that are not open (``workspace/diagnostic`` or pushed), file watching,
file operations (create, rename, delete, willRename edits), base changes that
re-check their inheritors, and the workspace's own metafiles in the zoo.

The pure work is in :mod:`mmname_lsp.workspace`; this module only
schedules it and speaks LSP.  It registers its features on
``mmname_lsp.server.app.server`` when imported (the last line of ``app.py``).

A few handlers of ``app.py`` are *chained* (run first, then ours) through
pygls's feature table: ``initialized``, ``didOpen``, ``didChange``,
``didSave``, ``didClose``, ``completion``; and ``server.analysis`` is extended
for metafiles, model indexes and READMEs.  Every handler catches its own
errors and logs them.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import types as _pytypes
import uuid
from typing import Any, Callable, Dict, Iterable, List, Optional, Set, Tuple

from lsprotocol import types
from pygls.uris import from_fs_path

from mmname_lsp.server.app import (
    SOURCE,
    MMNameServer,
    _code_description,
    document_path,
    server,
)

log = logging.getLogger("mmname_lsp")

# Indexing runs in slices of this many seconds, between which the server
# answers requests.
SLICE_S = 0.004
# Debounce of re-indexing an edited buffer and of republishing.
REINDEX_DELAY_S = 0.15
INDEX_START_DELAY_S = 0.3
PUSH_SLICE_S = 0.005
PUBLISH_DELAY_S = 0.05
# How long navigation and willRename wait for the first indexing.
INDEX_WAIT_S = 10.0
# A workspace/diagnostic pull whose reports are all unchanged is held open this
# long, waiting for a change (clients re-pull as soon as they get an answer).
LONG_POLL_S = 30.0
WATCH_ID = "mmname-watched-files"
WATCH_GLOBS = ("**/*.py", "**/metafile.yml", "**/metafile.yaml", "**/model-index.yml",
               "**/README*.md")
_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}
_OTHER_KINDS = ("metafile", "model_index", "readme")


class WorkspaceState:
    """What the server knows of the workspace beyond its open documents."""

    def __init__(self) -> None:
        self.index: Any = None  # WorkspaceIndex, built on `initialized`
        self.ready: Optional[asyncio.Event] = None
        self.changed: Optional[asyncio.Event] = None
        self.tasks: Set[asyncio.Task] = set()
        self.pushed: Dict[str, int] = {}  # uri -> hash of the diagnostics pushed
        self.pristine_zoo: Any = None
        self.zoo_signature: Any = ()
        self._timers: Dict[str, asyncio.TimerHandle] = {}
        self.last_index_s = 0.0
        self.indexed_roots: List[str] = []

    def events(self) -> None:
        if self.ready is None:
            self.ready = asyncio.Event()
            self.changed = asyncio.Event()


STATE = WorkspaceState()
server.workspace_state = STATE  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------
# helpers


def _spawn(coro) -> None:
    task = asyncio.ensure_future(coro)
    STATE.tasks.add(task)
    task.add_done_callback(STATE.tasks.discard)


def _later(key: str, delay: float, fn: Callable[[], None]) -> None:
    """Run ``fn`` once after ``delay``; a new call with the same key restarts the wait."""
    old = STATE._timers.pop(key, None)
    if old is not None:
        old.cancel()

    def run() -> None:
        STATE._timers.pop(key, None)
        try:
            fn()
        except Exception:  # noqa: BLE001
            log.exception("deferred %s failed", key)

    try:
        STATE._timers[key] = asyncio.get_event_loop().call_later(delay, run)
    except RuntimeError:
        run()


def _encoding(ls: MMNameServer) -> str:
    enc = ls.workspace.position_encoding if ls.workspace else None
    value = getattr(enc, "value", enc)
    return str(value) if value in ("utf-8", "utf-16", "utf-32") else "utf-16"


def workspace_diagnostics_on(ls: MMNameServer, path: Optional[str] = None) -> bool:
    """Whether files that are not open get diagnostics (setting
    ``workspaceDiagnostics``, true unless settings.py says otherwise)."""
    settings = ls.settings_for(from_fs_path(path) or "") if path else ls.default_settings
    return bool(getattr(settings, "workspace_diagnostics", True)) and settings.enable


def _client_supports(ls: MMNameServer, dotted: str) -> bool:
    obj: Any = ls.client_capabilities
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return False
    return bool(obj)


def _open_paths(ls: MMNameServer) -> Dict[str, str]:
    """Open documents: path -> uri."""
    out = {}
    for uri in list(ls.workspace.text_documents):
        p = document_path(uri)
        if p is not None:
            out[os.path.normpath(p)] = uri
    return out


def _roots(ls: MMNameServer) -> List[str]:
    roots = []
    for folder in (ls.workspace.folders or {}).values():
        p = document_path(folder.uri)
        if p:
            roots.append(os.path.normpath(p))
    if not roots and ls.workspace.root_path:
        roots.append(os.path.normpath(ls.workspace.root_path))
    return roots


def get_index(ls: MMNameServer):
    """The workspace index (created empty on first use)."""
    if STATE.index is None:
        from mmname_lsp.workspace.index import WorkspaceIndex

        _snapshot_zoo()
        STATE.index = WorkspaceIndex(
            _encoding(ls),
            settings_for=lambda path: ls.settings_for(from_fs_path(path) or ""),
            published=_published,
        )
    return STATE.index


async def wait_index(ls: MMNameServer, timeout: float = INDEX_WAIT_S):
    """The index once the first indexing is done (or the timeout passed)."""
    index = get_index(ls)
    STATE.events()
    assert STATE.ready is not None
    if not STATE.ready.is_set():
        try:
            await asyncio.wait_for(STATE.ready.wait(), timeout)
        except asyncio.TimeoutError:
            log.warning("workspace index not ready after %.0f s; answering with what it has",
                        timeout)
    return index


def to_lsp_range(r: Tuple[int, int, int, int]) -> types.Range:
    return types.Range(start=types.Position(r[0], r[1]), end=types.Position(r[2], r[3]))


def hit_to_diagnostic(h) -> types.Diagnostic:
    from mmname_lsp.server.app import related_information

    related = related_information(h.related)
    return types.Diagnostic(
        range=to_lsp_range(h.range),
        message=h.message,
        severity=_SEVERITY.get(h.severity, types.DiagnosticSeverity.Warning),
        code=h.code,
        code_description=_code_description(h.code),
        source=SOURCE,
        related_information=related,
    )


# ---------------------------------------------------------------------------
# the zoo: bundled + installed + the workspace's metafiles


def _snapshot_zoo() -> None:
    if STATE.pristine_zoo is not None:
        return
    from mmname_lsp.naming.zoo import Zoo, default_zoo

    z = default_zoo()
    STATE.pristine_zoo = Zoo(dict(z.models), dict(z.checkpoints),
                             {k: list(v) for k, v in z.configs.items()})


def _published(name: str) -> bool:
    _snapshot_zoo()
    return STATE.pristine_zoo.model(name) is not None


def install_workspace_zoo(ls: MMNameServer) -> bool:
    """Merge the workspace's metafiles into the zoo every decoder uses; True when
    it changed (then cached decodes and analyses are dropped)."""
    index = get_index(ls)
    signature = index.zoo_signature()
    if signature == STATE.zoo_signature:
        return False
    STATE.zoo_signature = signature
    from mmname_lsp.analysis import decoder_for
    from mmname_lsp.naming.decoder import default_decoder
    from mmname_lsp.naming.zoo import Zoo, default_zoo

    _snapshot_zoo()
    models, checkpoints, configs = index.zoo_models()
    merged = STATE.pristine_zoo.merged(Zoo(models, checkpoints, configs))
    # Every decoder holds default_zoo()'s object: update it in place.
    # (A `naming.zoo.set_workspace_zoo()` would be cleaner; see the report.)
    target = default_zoo()
    target.models = merged.models
    target.checkpoints = merged.checkpoints
    target.configs = merged.configs
    target._config_names = merged._config_names
    cache = getattr(default_decoder(), "_cache", None)
    if cache is not None and hasattr(cache, "cache_clear"):
        cache.cache_clear()
    decoder_for.cache_clear()
    ls._analyses.clear()
    log.info("zoo: %d models (%d from workspace metafiles)", len(target), len(models))
    return True


# ---------------------------------------------------------------------------
# indexing


async def index_roots(ls: MMNameServer, roots: Iterable[str]) -> None:
    """Index the folders ``roots`` in slices, with work-done progress."""
    STATE.events()
    index = get_index(ls)
    roots = [r for r in roots if os.path.isdir(r)]
    token: Optional[str] = None
    if roots and _client_supports(ls, "window.work_done_progress"):
        token = f"mmname-index-{uuid.uuid4()}"
        try:
            await asyncio.wait_for(ls.work_done_progress.create_async(token), 5)
            ls.work_done_progress.begin(token, types.WorkDoneProgressBegin(
                title="mmname: indexing configs, metafiles and READMEs",
                percentage=0, cancellable=False))
        except Exception as exc:  # noqa: BLE001 - the client may refuse
            log.info("no work-done progress: %s", exc)
            token = None
    started = time.perf_counter()
    loop = asyncio.get_event_loop()
    done_files = 0
    try:
        for n, root in enumerate(roots):
            last_pct = -1
            slice_end = loop.time() + SLICE_S
            for done, total in index.iter_index_root(root):
                done_files = done
                if loop.time() < slice_end:
                    continue
                pct = int(100 * (n + (done / total if total else 1)) / len(roots))
                if token and pct != last_pct:
                    last_pct = pct
                    ls.work_done_progress.report(token, types.WorkDoneProgressReport(
                        message=f"{done}/{total} files", percentage=pct))
                await asyncio.sleep(0)
                slice_end = loop.time() + SLICE_S
            if root in index.truncated:
                from mmname_lsp.workspace.model import MAX_FILES

                msg = (f"mmname: {root} has more than {MAX_FILES} files; indexed the first "
                       f"{MAX_FILES} only")
                log.warning(msg)
                ls.window_log_message(types.LogMessageParams(
                    type=types.MessageType.Warning, message=msg))
            if root not in STATE.indexed_roots:
                STATE.indexed_roots.append(root)
    except asyncio.CancelledError:
        raise
    except Exception:  # noqa: BLE001
        log.exception("indexing failed")
    finally:
        elapsed = time.perf_counter() - started
        STATE.last_index_s = elapsed
        msg = (f"mmname: indexed {len(index.files)} files ({len(index.model_names())} "
               f"metafile models) in {elapsed:.2f} s")
        log.info(msg)
        try:
            ls.window_log_message(types.LogMessageParams(type=types.MessageType.Log,
                                                         message=msg))
            if token:
                ls.work_done_progress.end(token, types.WorkDoneProgressEnd(
                    message=f"{len(index.files)} files"))
        except Exception:  # noqa: BLE001
            log.exception("progress end failed")
        assert STATE.ready is not None
        STATE.ready.set()
    del done_files
    try:
        if install_workspace_zoo(ls):
            ls.refresh_all()
    except Exception:  # noqa: BLE001
        log.exception("merging the workspace zoo failed")
    workspace_changed(ls)


def workspace_changed(ls: MMNameServer, paths: Iterable[str] = ()) -> None:
    """Something in the index changed: tell waiting pulls, refresh or push."""
    STATE.events()
    assert STATE.changed is not None
    STATE.changed.set()
    STATE.changed = asyncio.Event()
    if ls.pull_mode:
        if _client_supports(ls, "workspace.diagnostics.refresh_support"):
            _later("refresh", PUBLISH_DELAY_S, lambda: ls.workspace_diagnostic_refresh(None))
        return
    _later("push", PUBLISH_DELAY_S, lambda: _spawn(push_workspace(ls)))


async def push_workspace(ls: MMNameServer) -> None:
    """Push the diagnostics of indexed files that are not open (push clients).

    Yields to the event loop every few milliseconds, so that requests of the
    user (hover, completion) are not held up by a thousand publishes."""
    if ls.pull_mode or STATE.index is None:
        return
    index = STATE.index
    open_paths = _open_paths(ls)
    enabled = workspace_diagnostics_on(ls)
    now: Dict[str, int] = {}
    slice_start = time.perf_counter()
    for path in list(index.files):
        if time.perf_counter() - slice_start > PUSH_SLICE_S:
            await asyncio.sleep(0)
            slice_start = time.perf_counter()
            open_paths = _open_paths(ls)
        if path in open_paths:
            continue
        hits = index.report(path) if enabled and workspace_diagnostics_on(ls, path) else []
        uri = from_fs_path(path)
        if not uri:
            continue
        key = hash(tuple((h.code, h.severity, h.message, h.range) for h in hits))
        if hits:
            now[uri] = key
        if STATE.pushed.get(uri, hash(())) != key:
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=uri, diagnostics=[hit_to_diagnostic(h) for h in hits]))
    # Files that left the index (deleted, ignored) and still show findings.
    for uri in list(STATE.pushed):
        if uri not in now:
            p = document_path(uri)
            if p is None or os.path.normpath(p) not in open_paths:
                if p is None or os.path.normpath(p) not in index.files:
                    ls.text_document_publish_diagnostics(
                        types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
    STATE.pushed = now


# ---------------------------------------------------------------------------
# workspace/diagnostic


@server.feature(types.WORKSPACE_DIAGNOSTIC)
async def workspace_diagnostic(
    ls: MMNameServer, params: types.WorkspaceDiagnosticParams
) -> types.WorkspaceDiagnosticReport:
    try:
        return await _workspace_diagnostic(ls, params)
    except asyncio.CancelledError:
        raise
    except Exception:  # noqa: BLE001
        log.exception("workspace diagnostics failed")
        return types.WorkspaceDiagnosticReport(items=[])


def _workspace_items(ls: MMNameServer, previous: Dict[str, str]) -> Tuple[List[Any], bool]:
    index = STATE.index
    items: List[Any] = []
    changed = False
    if index is None:
        return items, changed
    open_paths = _open_paths(ls)
    enabled = workspace_diagnostics_on(ls)
    seen = set()
    for path in sorted(index.files):
        if path in open_paths:
            continue
        uri = from_fs_path(path)
        if not uri:
            continue
        hits = index.report(path) if enabled and workspace_diagnostics_on(ls, path) else []
        if not hits and uri not in previous:
            continue
        seen.add(uri)
        digest = hash(tuple((h.code, h.severity, h.message, h.range) for h in hits))
        result_id = f"{digest & 0xFFFFFFFFFFFF:x}"
        old = previous.get(uri)
        if old is not None and old == result_id:
            items.append(types.WorkspaceUnchangedDocumentDiagnosticReport(
                uri=uri, result_id=old, version=None))
            continue
        changed = True
        items.append(types.WorkspaceFullDocumentDiagnosticReport(
            uri=uri, version=None, items=[hit_to_diagnostic(h) for h in hits],
            result_id=result_id))
    # Files reported before that are gone from the index: clear them.
    for uri in previous:
        if uri not in seen:
            p = document_path(uri)
            if p is not None and os.path.normpath(p) in open_paths:
                continue
            changed = True
            items.append(types.WorkspaceFullDocumentDiagnosticReport(
                uri=uri, version=None, items=[], result_id="gone"))
    return items, changed


async def _workspace_diagnostic(
    ls: MMNameServer, params: types.WorkspaceDiagnosticParams
) -> types.WorkspaceDiagnosticReport:
    await ls.wait_for_settings()
    await wait_index(ls)
    previous = {p.uri: p.value for p in (params.previous_result_ids or [])}
    items, changed = _workspace_items(ls, previous)
    if previous and not changed:
        STATE.events()
        assert STATE.changed is not None
        try:
            await asyncio.wait_for(STATE.changed.wait(), LONG_POLL_S)
        except asyncio.TimeoutError:
            pass
        items, _ = _workspace_items(ls, previous)
    return types.WorkspaceDiagnosticReport(items=items)


# ---------------------------------------------------------------------------
# chaining onto app.py's handlers


def _chain(method: str, after: Callable[[MMNameServer, Any], None]) -> None:
    """Run ``after(server, params)`` once the handler of ``method`` is done."""
    fm = server.protocol.fm
    original = fm.features.get(method)

    def call_after(params: Any) -> None:
        try:
            after(server, params)
        except Exception:  # noqa: BLE001
            log.exception("%s (workspace part) failed", method)

    if original is None:
        fm.features[method] = call_after
        return
    if asyncio.iscoroutinefunction(original):

        async def chained_async(*args: Any, **kwargs: Any) -> Any:
            try:
                return await original(*args, **kwargs)
            finally:
                call_after(args[0] if args else kwargs.get("params"))

        fm.features[method] = chained_async
    else:

        def chained(*args: Any, **kwargs: Any) -> Any:
            try:
                return original(*args, **kwargs)
            finally:
                call_after(args[0] if args else kwargs.get("params"))

        fm.features[method] = chained


def _after_initialized(ls: MMNameServer, params: Any) -> None:
    STATE.events()
    get_index(ls)
    _spawn(_register_watchers(ls))
    # Editors open a document right after `initialized`: answer that first,
    # then index the workspace in the background.
    _later("index-start", INDEX_START_DELAY_S, lambda: _spawn(index_roots(ls, _roots(ls))))


async def _register_watchers(ls: MMNameServer) -> None:
    caps = ls.client_capabilities.workspace
    watched = caps.did_change_watched_files if caps else None
    if not watched or not watched.dynamic_registration:
        log.info("client cannot watch files for us; relying on file operations and saves")
        return
    try:
        await asyncio.wait_for(ls.client_register_capability_async(types.RegistrationParams(
            registrations=[types.Registration(
                id=WATCH_ID,
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(
                    watchers=[types.FileSystemWatcher(glob_pattern=g) for g in WATCH_GLOBS]
                ),
            )]
        )), 10)
    except Exception as exc:  # noqa: BLE001 - not fatal
        log.info("file watchers not registered: %s", exc)


def _after_open(ls: MMNameServer, params: types.DidOpenTextDocumentParams) -> None:
    if STATE.index is None:
        return
    uri = params.text_document.uri
    if not ls.pull_mode and uri in STATE.pushed:
        STATE.pushed.pop(uri, None)  # the open document's own diagnostics replace them


def _after_change(ls: MMNameServer, params: types.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    path = document_path(uri)
    if path is None or STATE.index is None:
        return
    path = os.path.normpath(path)
    # Inheritors depend on this buffer (through app's overlay): re-check them now.
    _recheck_inheritors(ls, path, invalidate=False)
    _later(f"reindex:{uri}", REINDEX_DELAY_S, lambda: _reindex_buffer(ls, uri))


def _reindex_buffer(ls: MMNameServer, uri: str) -> None:
    path = document_path(uri)
    if path is None or STATE.index is None or uri not in ls.workspace.text_documents:
        return
    doc = ls.workspace.get_text_document(uri)
    from mmname_lsp.workspace.model import file_kind

    if file_kind(path) is None:
        return
    if STATE.index.root_of(os.path.normpath(path)) is None:
        return
    before = _record_signature(STATE.index.files.get(os.path.normpath(path)))
    record = STATE.index.index_file(path, doc.source)
    if _record_signature(record) != before:
        _after_index_change(ls, [path])


def _record_signature(record) -> Tuple:
    """What others see of a record (not its offsets): no change, no refresh."""
    if record is None:
        return ()
    return (
        tuple((r.kind, r.text, r.target) for r in record.refs),
        tuple((h.code, h.severity, h.message) for h in record.hits),
        tuple((e.name, tuple(sorted((k, str(v)) for k, v in e.meta.items())))
              for e in record.models),
    )


def _after_save(ls: MMNameServer, params: types.DidSaveTextDocumentParams) -> None:
    path = document_path(params.text_document.uri)
    if path is None or STATE.index is None:
        return
    file_changed(ls, os.path.normpath(path))


def _after_close(ls: MMNameServer, params: types.DidCloseTextDocumentParams) -> None:
    path = document_path(params.text_document.uri)
    if path is None or STATE.index is None:
        return
    path = os.path.normpath(path)
    # The buffer may have been closed unsaved: the disk is the truth again.
    if STATE.index.root_of(path) is not None:
        if os.path.isfile(path):
            STATE.index.index_file(path)
        else:
            STATE.index.remove(path)
        _after_index_change(ls, [path])
    STATE.pushed.pop(params.text_document.uri, None)
    workspace_changed(ls)


def _after_index_change(ls: MMNameServer, paths: List[str]) -> None:
    from mmname_lsp.workspace.model import METAFILE, file_kind

    if any(file_kind(p) == METAFILE for p in paths):
        if install_workspace_zoo(ls):
            ls.refresh_all()
    workspace_changed(ls, paths)


def _recheck_inheritors(ls: MMNameServer, path: str, invalidate: bool = True) -> List[str]:
    """Drop what depends on ``path`` (a base) and re-check the open inheritors."""
    index = STATE.index
    if ls.config_cache is not None and invalidate:
        try:
            ls.config_cache.invalidate(path)
        except Exception:  # noqa: BLE001
            log.exception("config cache invalidation failed")
    users = index.inheritors(path) if index is not None else []
    if not users:
        return []
    open_paths = _open_paths(ls)
    touched = []
    for user in users:
        uri = open_paths.get(user)
        if uri is None:
            continue
        ls._analyses.pop(uri, None)
        touched.append(uri)
        if not ls.pull_mode:
            ls.schedule(uri)
    if touched and ls.pull_mode:
        if _client_supports(ls, "workspace.diagnostics.refresh_support"):
            _later("refresh", PUBLISH_DELAY_S, lambda: ls.workspace_diagnostic_refresh(None))
    return touched


def file_changed(ls: MMNameServer, path: str) -> None:
    """A file was created or changed on disk."""
    index = get_index(ls)
    from mmname_lsp.workspace.model import file_kind

    open_paths = _open_paths(ls)
    if os.path.isdir(path):
        # A folder appeared (created, or the target of a rename): index its files.
        if index.root_of(path) is not None:
            from mmname_lsp.workspace.model import walk_folder

            for p in walk_folder(path).files:
                index.index_file(p)
    elif file_kind(path) is not None and index.root_of(path) is not None:
        if path in open_paths:
            index.index_file(path, ls.workspace.get_text_document(open_paths[path]).source)
        else:
            index.index_file(path)
    # Open documents whose `_base_` points here may have been missing it.
    for uri in open_paths.values():
        if uri != open_paths.get(path):
            ls._analyses.pop(uri, None)
    _recheck_inheritors(ls, path)
    if ls.config_cache is not None:
        ls.config_cache.invalidate(path)
    uri = open_paths.get(path)
    if uri is not None:
        ls.forget(uri)
        ls.schedule(uri, 0)
    _refresh_open(ls)
    _after_index_change(ls, [path])


def file_deleted(ls: MMNameServer, path: str) -> None:
    index = get_index(ls)
    users: Set[str] = set(index.inheritors(path))
    for p in list(index.files):
        if p == path or p.startswith(path.rstrip(os.sep) + os.sep):
            users.update(index.inheritors(p))
    gone = index.remove(path)
    if ls.config_cache is not None:
        for p in gone or [path]:
            ls.config_cache.invalidate(p)
    for p in gone or [path]:
        _recheck_inheritors(ls, p, invalidate=False)
    _refresh_open(ls)
    _after_index_change(ls, gone or [path])


def _refresh_open(ls: MMNameServer) -> None:
    """Re-check every open document (a file they may name appeared or went)."""
    for uri in list(ls.workspace.text_documents):
        ls._analyses.pop(uri, None)
        if not ls.pull_mode:
            ls.schedule(uri)
    if ls.pull_mode and _client_supports(ls, "workspace.diagnostics.refresh_support"):
        _later("refresh", PUBLISH_DELAY_S, lambda: ls.workspace_diagnostic_refresh(None))


# ---------------------------------------------------------------------------
# watched files, file operations, folders

_FILE_FILTERS = types.FileOperationRegistrationOptions(filters=[
    types.FileOperationFilter(
        scheme="file",
        pattern=types.FileOperationPattern(glob="**/*.{py,yml,yaml,md}",
                                           matches=types.FileOperationPatternKind.File),
    ),
    types.FileOperationFilter(
        scheme="file",
        pattern=types.FileOperationPattern(glob="**/*",
                                           matches=types.FileOperationPatternKind.Folder),
    ),
])


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(ls: MMNameServer, params: types.DidChangeWatchedFilesParams) -> None:
    try:
        # Even before the first indexing is done, a changed base must drop what
        # was resolved from it and re-check the open documents.
        for change in params.changes:
            path = document_path(change.uri)
            if path is None:
                continue
            path = os.path.normpath(path)
            if change.type == types.FileChangeType.Deleted:
                file_deleted(ls, path)
            else:
                file_changed(ls, path)
    except Exception:  # noqa: BLE001
        log.exception("didChangeWatchedFiles failed")


@server.feature(types.WORKSPACE_DID_CREATE_FILES, _FILE_FILTERS)
def did_create_files(ls: MMNameServer, params: types.CreateFilesParams) -> None:
    try:
        for f in params.files:
            path = document_path(f.uri)
            if path is not None:
                file_changed(ls, os.path.normpath(path))
    except Exception:  # noqa: BLE001
        log.exception("didCreateFiles failed")


@server.feature(types.WORKSPACE_DID_DELETE_FILES, _FILE_FILTERS)
def did_delete_files(ls: MMNameServer, params: types.DeleteFilesParams) -> None:
    try:
        for f in params.files:
            path = document_path(f.uri)
            if path is not None:
                file_deleted(ls, os.path.normpath(path))
    except Exception:  # noqa: BLE001
        log.exception("didDeleteFiles failed")


@server.feature(types.WORKSPACE_DID_RENAME_FILES, _FILE_FILTERS)
def did_rename_files(ls: MMNameServer, params: types.RenameFilesParams) -> None:
    try:
        for f in params.files:
            old = document_path(f.old_uri)
            new = document_path(f.new_uri)
            if old is not None:
                file_deleted(ls, os.path.normpath(old))
            if new is not None:
                file_changed(ls, os.path.normpath(new))
    except Exception:  # noqa: BLE001
        log.exception("didRenameFiles failed")


@server.feature(types.WORKSPACE_WILL_RENAME_FILES, _FILE_FILTERS)
async def will_rename_files(
    ls: MMNameServer, params: types.RenameFilesParams
) -> Optional[types.WorkspaceEdit]:
    try:
        index = await wait_index(ls)
        return rename_edit(ls, index, [
            (os.path.normpath(o), os.path.normpath(n))
            for o, n in ((document_path(f.old_uri), document_path(f.new_uri))
                         for f in params.files)
            if o is not None and n is not None
        ])
    except Exception:  # noqa: BLE001
        log.exception("willRenameFiles failed")
        return None


def rename_edit(
    ls: MMNameServer, index, moves: List[Tuple[str, str]]
) -> Optional[types.WorkspaceEdit]:
    """The edits that keep every `_base_` reference right after ``moves``
    (old path -> new path; files or folders)."""
    from mmname_lsp.workspace.bases import (
        REF_BASE_IMPORT,
        base_literals,
        base_target,
        relative_reference,
    )
    from mmname_lsp.workspace.index import REF_BASE
    from mmname_lsp.workspace.model import Positions

    def moved(p: str) -> str:
        for old, new in moves:
            if p == old:
                return new
            if p.startswith(old.rstrip(os.sep) + os.sep):
                return new + p[len(old.rstrip(os.sep)):]
        return p

    # Files whose references may change: those that name a moved file, and the
    # moved files themselves (their relative references start elsewhere).
    candidates: Set[str] = set()
    for old, _ in moves:
        for user, _ref in index.refs_to(old):
            candidates.add(user)
        for p, record in index.files.items():
            if (p == old or p.startswith(old.rstrip(os.sep) + os.sep)) and record.refs:
                candidates.add(p)
    open_paths = _open_paths(ls)
    encoding = _encoding(ls)
    per_file: Dict[str, Tuple[Optional[int], List[types.TextEdit]]] = {}
    for path in sorted(candidates):
        uri = open_paths.get(path)
        if uri is not None:
            doc = ls.workspace.get_text_document(uri)
            text = doc.source
            version = doc.version
            index_of = ls.line_index(doc)

            def rng(a: int, b: int, _ix=index_of) -> types.Range:
                return _ix.range(a, b)
        else:
            try:
                with open(path, encoding="utf-8", errors="replace") as fh:
                    text = fh.read()
            except OSError:
                continue
            version = None
            pos = Positions(text, encoding)

            def rng(a: int, b: int, _pos=pos) -> types.Range:
                return to_lsp_range(_pos.range(a, b))
        new_path = moved(path)
        edits = []
        for lit in base_literals(text):
            ctx = REF_BASE_IMPORT if lit.context == REF_BASE_IMPORT else REF_BASE
            target = base_target(path, lit.text, ctx)
            if target is None:
                continue
            new_target = moved(target)
            if new_target == target and new_path == path:
                continue
            new_text = relative_reference(new_path, new_target, ctx, lit.text)
            if new_text != lit.text:
                edits.append(types.TextEdit(range=rng(lit.start, lit.end), new_text=new_text))
        if edits:
            per_file[path] = (version, edits)
    if not per_file:
        return None
    caps = ls.client_capabilities.workspace
    edit_caps = caps.workspace_edit if caps else None
    if edit_caps and edit_caps.document_changes:
        return types.WorkspaceEdit(document_changes=[
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(
                    uri=from_fs_path(p), version=v),
                edits=e,
            )
            for p, (v, e) in per_file.items()
        ])
    return types.WorkspaceEdit(changes={from_fs_path(p): e for p, (_, e) in per_file.items()})


@server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
def did_change_workspace_folders(
    ls: MMNameServer, params: types.DidChangeWorkspaceFoldersParams
) -> None:
    try:
        index = get_index(ls)
        removed = []
        for f in params.event.removed or []:
            p = document_path(f.uri)
            if p:
                removed.extend(index.remove_root(os.path.normpath(p)))
                if os.path.normpath(p) in STATE.indexed_roots:
                    STATE.indexed_roots.remove(os.path.normpath(p))
        added = [os.path.normpath(p) for p in
                 (document_path(f.uri) for f in params.event.added or []) if p]
        if removed:
            _after_index_change(ls, removed)
        if added:
            STATE.events()
            _spawn(index_roots(ls, added))
    except Exception:  # noqa: BLE001
        log.exception("didChangeWorkspaceFolders failed")


# ---------------------------------------------------------------------------
# metafiles, model indexes and READMEs as documents


_original_analysis = MMNameServer.analysis


def _analysis(self: MMNameServer, doc):
    path = document_path(doc.uri)
    from mmname_lsp.workspace.model import file_kind

    kind = file_kind(path) if path else None
    if kind not in _OTHER_KINDS:
        return _original_analysis(self, doc)
    version = doc.version if doc.version is not None else -1
    source = doc.source
    cached = self._analyses.get(doc.uri)
    if cached and cached[0] == version and cached[1] is source:
        return cached[2]
    from mmname_lsp.workspace.documents import analyse_document

    result = analyse_document(source, path, self.settings_for(doc.uri), get_index(self))
    self._analyses[doc.uri] = (version, source, result)
    return result


server.analysis = _pytypes.MethodType(_analysis, server)  # type: ignore[method-assign]

_chain(types.INITIALIZED, _after_initialized)
_chain(types.TEXT_DOCUMENT_DID_OPEN, _after_open)
_chain(types.TEXT_DOCUMENT_DID_CHANGE, _after_change)
_chain(types.TEXT_DOCUMENT_DID_SAVE, _after_save)
_chain(types.TEXT_DOCUMENT_DID_CLOSE, _after_close)
