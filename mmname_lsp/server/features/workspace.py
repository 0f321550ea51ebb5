"""The whole workspace: indexing with progress, diagnostics of files that are
not open (workspace/diagnostic or pushed), file watching and file operations
(create, rename, delete, willRename edits), bases whose change re-checks their
inheritors, and the workspace's own metafiles in the zoo.

The pure work is in :mod:`mmname_lsp.workspace`; this module schedules it and
speaks LSP.  It hears document events from :mod:`.documents` through the
session.  Every handler catches its own errors and logs them."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import time
import uuid
from typing import Any, Callable, Dict, Iterable, List, Optional, Set, Tuple

from lsprotocol import types
from pygls.uris import from_fs_path

from mmname_lsp.files import read_regular
from mmname_lsp.project_config import PYPROJECT
from mmname_lsp.server.convert import (
    document_path,
    hit_to_diagnostic,
    to_lsp_range,
)
from mmname_lsp.server.protocol import MMNameServer
from mmname_lsp.server.session import prepare_zoo, responsive_threads
from mmname_lsp.workspace.index import WorkspaceIndex
from mmname_lsp.workspace.model import MAX_FILE_BYTES

log = logging.getLogger("mmname_lsp")


# File events are handled in slices of this many seconds, between which the
# server answers requests.
SLICE_S = 0.004


# Debounce of re-indexing an edited buffer and of republishing.
REINDEX_DELAY_S = 0.15


INDEX_START_DELAY_S = 0.3


PUSH_SLICE_S = 0.005


PUBLISH_DELAY_S = 0.05


# A workspace/diagnostic pull whose reports are all unchanged is held open this
# long, waiting for a change (clients re-pull as soon as they get an answer).
LONG_POLL_S = 30.0


WATCH_ID = "mmname-watched-files"


WATCH_GLOBS = ("**/*.py", "**/metafile.yml", "**/metafile.yaml", "**/model-index.yml",
               "**/README*.md", "**/" + PYPROJECT)


# Files read and turned into records per trip to the worker thread while
# indexing; the event loop only takes the records in (microseconds each).
READ_BATCH = 32


async def index_paths(index: WorkspaceIndex, paths: List[str],
                       progress: Callable[[int], None]) -> None:
    """Index ``paths``: read and built in a worker thread, a batch at a time
    (however large a file, its decoding never holds up a request: the loop
    takes the GIL back every fraction of a millisecond), taken in here."""
    loop = asyncio.get_event_loop()
    done = 0
    with responsive_threads():
        for start in range(0, len(paths), READ_BATCH):
            batch = paths[start:start + READ_BATCH]
            built = await loop.run_in_executor(None, index.build_many, batch)
            for loaded, record in built:
                index.put(loaded, record)
            done += len(batch)
            progress(done)


async def learn_words(index: WorkspaceIndex) -> bool:
    """Count the workspace's words (in the worker thread) and index again the
    files they concern; True when the words changed."""
    loop = asyncio.get_event_loop()
    with responsive_threads():
        changed = await loop.run_in_executor(None, index.refresh_learned)
        paths = await loop.run_in_executor(None, index.concerned, changed)
    for path in paths:
        index.forget_stamp(path)
    await index_paths(index, paths, lambda done: None)
    if changed:
        log.info("the workspace's words changed: %d known", len(index.learned.known()))
    return bool(changed)


async def index_roots(ls: MMNameServer, roots: Iterable[str]) -> None:
    """Index the folders ``roots`` in a worker thread, with work-done progress."""
    ls.session.state.events()
    index = ls.session.index()
    roots = [r for r in roots if os.path.isdir(r)]
    token: Optional[str] = None
    if roots and ls.session.client_supports("window.work_done_progress"):
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
    learned = False
    # The records are acyclic and live long: a cyclic collection in the middle
    # of indexing walks them again and again (a full one of a family workspace
    # holds the GIL for a tenth of a second or more, a hitch in any request).
    # No collection while indexing; then they go to the permanent generation,
    # which later collections skip.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for n, root in enumerate(roots):
            order = await loop.run_in_executor(None, index.files_to_index, root)
            total = len(order)
            last = [-1]

            def report(done: int, n: int = n, total: int = total, last: List[int] = last) -> None:
                pct = int(100 * (n + (done / total if total else 1)) / len(roots))
                if token and pct != last[0]:
                    last[0] = pct
                    ls.work_done_progress.report(token, types.WorkDoneProgressReport(
                        message=f"{done}/{total} files", percentage=pct))

            await index_paths(index, order, report)
            if root in index.truncated:
                from mmname_lsp.workspace.model import MAX_FILES

                msg = (f"mmname: {root} has more than {MAX_FILES} files; indexed the first "
                       f"{MAX_FILES} only")
                log.warning(msg)
                ls.window_log_message(types.LogMessageParams(
                    type=types.MessageType.Warning, message=msg))
            if root not in ls.session.state.indexed_roots:
                ls.session.state.indexed_roots.append(root)
        if token:
            ls.work_done_progress.report(token, types.WorkDoneProgressReport(
                message="learning the workspace's words"))
        learned = await learn_words(index)
    except asyncio.CancelledError:
        raise
    except Exception:  # noqa: BLE001
        log.exception("indexing failed")
    finally:
        if collecting:
            gc.enable()
        gc.freeze()
        elapsed = time.perf_counter() - started
        ls.session.state.last_index_s = elapsed
        by_profile = ", ".join(f"{name} {n}" for name, n in
                               sorted(index.profiles().items(), key=lambda kv: -kv[1]))
        msg = (f"mmname: indexed {len(index.files)} files ({len(index.model_names())} "
               f"metafile models) in {elapsed:.2f} s"
               + (f"; Python files by profile: {by_profile}" if by_profile else ""))
        log.info(msg)
        try:
            ls.window_log_message(types.LogMessageParams(type=types.MessageType.Log,
                                                         message=msg))
            if token:
                ls.work_done_progress.end(token, types.WorkDoneProgressEnd(
                    message=f"{len(index.files)} files"))
        except Exception:  # noqa: BLE001
            log.exception("progress end failed")
        assert ls.session.state.ready is not None
        ls.session.state.ready.set()
    try:
        # The workspace's zoo is made in the worker thread too (thousands of
        # models in a family workspace); only its installation is done here.
        with responsive_threads():
            prepared = await loop.run_in_executor(None, prepare_zoo, index)
        zoo_changed = ls.session.install_workspace_zoo(prepared)
        if zoo_changed or learned:
            ls.session.refresh_all()
    except Exception:  # noqa: BLE001
        log.exception("merging the workspace zoo failed")
    workspace_changed(ls)


def workspace_changed(ls: MMNameServer, paths: Iterable[str] = ()) -> None:
    """Something in the index changed: tell waiting pulls, refresh or push."""
    ls.session.state.events()
    assert ls.session.state.changed is not None
    ls.session.state.changed.set()
    ls.session.state.changed = asyncio.Event()
    if ls.session.pull_mode:
        if ls.session.client_supports("workspace.diagnostics.refresh_support"):
            ls.session.later("refresh", PUBLISH_DELAY_S,
                             lambda: ls.workspace_diagnostic_refresh(None))
        return
    ls.session.later("push", PUBLISH_DELAY_S, lambda: ls.session.spawn(push_workspace(ls)))


async def push_workspace(ls: MMNameServer) -> None:
    """Push the diagnostics of indexed files that are not open (push clients).

    Yields to the event loop every few milliseconds, so that requests of the
    user (hover, completion) are not held up by a thousand publishes."""
    if ls.session.pull_mode or ls.session.state.index is None:
        return
    index = ls.session.state.index
    open_paths = ls.session.open_paths()
    enabled = ls.session.workspace_diagnostics_on()
    now: Dict[str, int] = {}
    slice_start = time.perf_counter()
    for path in list(index.files):
        if time.perf_counter() - slice_start > PUSH_SLICE_S:
            await asyncio.sleep(0)
            slice_start = time.perf_counter()
            open_paths = ls.session.open_paths()
        if path in open_paths:
            continue
        hits = (ls.session.workspace_hits(path)
                if enabled and ls.session.workspace_diagnostics_on(path) else [])
        uri = from_fs_path(path)
        if not uri:
            continue
        key = hash(tuple((h.code, h.severity, h.message, h.range) for h in hits))
        if hits:
            now[uri] = key
        if ls.session.state.pushed.get(uri, hash(())) != key:
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=uri, diagnostics=[hit_to_diagnostic(h) for h in hits]))
    # Files that left the index (deleted, ignored) and still show findings.
    for uri in list(ls.session.state.pushed):
        if uri not in now:
            p = document_path(uri)
            if p is None or os.path.normpath(p) not in open_paths:
                if p is None or os.path.normpath(p) not in index.files:
                    ls.text_document_publish_diagnostics(
                        types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
    ls.session.state.pushed = now


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
    index = ls.session.state.index
    items: List[Any] = []
    changed = False
    if index is None:
        return items, changed
    open_paths = ls.session.open_paths()
    enabled = ls.session.workspace_diagnostics_on()
    seen = set()
    for path in sorted(index.files):
        if path in open_paths:
            continue
        uri = from_fs_path(path)
        if not uri:
            continue
        hits = (ls.session.workspace_hits(path)
                if enabled and ls.session.workspace_diagnostics_on(path) else [])
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
    await ls.session.wait_for_settings()
    await ls.session.wait_index()
    previous = {p.uri: p.value for p in (params.previous_result_ids or [])}
    items, changed = _workspace_items(ls, previous)
    if previous and not changed:
        ls.session.state.events()
        assert ls.session.state.changed is not None
        try:
            await asyncio.wait_for(ls.session.state.changed.wait(), LONG_POLL_S)
        except asyncio.TimeoutError:
            pass
        items, _ = _workspace_items(ls, previous)
    return types.WorkspaceDiagnosticReport(items=items)


def _after_initialized(ls: MMNameServer, params: Any) -> None:
    ls.session.state.events()
    ls.session.index()
    ls.session.spawn(_register_watchers(ls))
    # Editors open a document right after `initialized`: answer that first,
    # then index the workspace in the background.
    ls.session.later("index-start", INDEX_START_DELAY_S,
                     lambda: ls.session.spawn(index_roots(ls, ls.session.roots())))


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
    if ls.session.state.index is None:
        return
    uri = params.text_document.uri
    if not ls.session.pull_mode and uri in ls.session.state.pushed:
        ls.session.state.pushed.pop(uri, None)  # the open document's own diagnostics replace them


def _after_change(ls: MMNameServer, params: types.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    path = document_path(uri)
    if path is None or ls.session.state.index is None:
        return
    path = os.path.normpath(path)
    # Inheritors depend on this buffer (through app's overlay): re-check them now.
    _recheck_inheritors(ls, path, invalidate=False)
    ls.session.later(f"reindex:{uri}", REINDEX_DELAY_S, lambda: _reindex_buffer(ls, uri))


def _reindex_buffer(ls: MMNameServer, uri: str) -> None:
    path = document_path(uri)
    if path is None or ls.session.state.index is None or not ls.session.is_open(uri):
        return
    doc = ls.workspace.get_text_document(uri)
    from mmname_lsp.workspace.model import file_kind

    if file_kind(path) is None:
        return
    if ls.session.state.index.root_of(os.path.normpath(path)) is None:
        return
    before = _record_signature(ls.session.state.index.files.get(os.path.normpath(path)))
    record = ls.session.state.index.index_file(path, doc.source)
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
    if path is None or ls.session.state.index is None:
        return
    file_changed(ls, os.path.normpath(path))


def _after_close(ls: MMNameServer, params: types.DidCloseTextDocumentParams) -> None:
    path = document_path(params.text_document.uri)
    if path is None or ls.session.state.index is None:
        return
    path = os.path.normpath(path)
    # The buffer may have been closed unsaved: the disk is the truth again.
    if ls.session.state.index.root_of(path) is not None:
        if os.path.isfile(path):
            ls.session.state.index.index_file(path)
        else:
            ls.session.state.index.remove(path)
        _after_index_change(ls, [path])
    ls.session.state.pushed.pop(params.text_document.uri, None)
    workspace_changed(ls)


def _after_index_change(ls: MMNameServer, paths: List[str]) -> None:
    from mmname_lsp.workspace.model import METAFILE, file_kind

    if any(file_kind(p) == METAFILE for p in paths):
        if ls.session.install_workspace_zoo():
            ls.session.refresh_all()
    workspace_changed(ls, paths)


def _recheck_inheritors(ls: MMNameServer, path: str, invalidate: bool = True) -> List[str]:
    """Drop what depends on ``path`` (a base) and re-check the open inheritors."""
    index = ls.session.state.index
    if ls.session.config_cache is not None and invalidate:
        try:
            ls.session.config_cache.invalidate(path)
        except Exception:  # noqa: BLE001
            log.exception("config cache invalidation failed")
    users = index.inheritors(path) if index is not None else []
    if not users:
        return []
    open_paths = ls.session.open_paths()
    touched = []
    for user in users:
        uri = open_paths.get(user)
        if uri is None:
            continue
        ls.session.drop_analysis(uri)
        touched.append(uri)
        if not ls.session.pull_mode:
            ls.session.schedule(uri)
    if touched and ls.session.pull_mode:
        if ls.session.client_supports("workspace.diagnostics.refresh_support"):
            ls.session.later("refresh", PUBLISH_DELAY_S,
                             lambda: ls.workspace_diagnostic_refresh(None))
    return touched


def _changed(ls: MMNameServer, path: str) -> None:
    """A file (or folder) was created or changed on disk: index it and drop what
    was resolved from it.  The open documents are re-checked once per batch
    (:func:`_settle`)."""
    index = ls.session.index()
    from mmname_lsp.workspace.model import file_kind

    ls.session.profiles.forget(path)
    index.reprofile(path)  # a repository that says something else now
    open_paths = ls.session.open_paths()
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
    _recheck_inheritors(ls, path)
    if ls.session.config_cache is not None:
        ls.session.config_cache.invalidate(path)
    uri = open_paths.get(path)
    if uri is not None:
        ls.session.forget(uri)
        ls.session.schedule(uri, 0)


def _deleted(ls: MMNameServer, paths: List[str]) -> List[str]:
    """Files or folders were deleted: forget them (one pass over the index for
    the lot) and re-check what inherited them.  Returns the paths gone."""
    gone = ls.session.index().remove_many(paths)
    for p in paths:
        ls.session.profiles.forget(p)
        ls.session.index().reprofile(p)
    for p in gone or paths:
        if ls.session.config_cache is not None:
            ls.session.config_cache.invalidate(p)
        _recheck_inheritors(ls, p, invalidate=False)
    return gone or paths


def file_changed(ls: MMNameServer, path: str) -> None:
    """A file was created or changed on disk (queued with the other file events)."""
    _queue_file_events(ls, [(False, path)])


# File events are handled in order, in slices of SLICE_S between which the
# server answers requests, however many arrive at once (a checkout, a `git
# clean`, a deleted folder of 10,000 files).  Deletions in a row are one pass
# over the index per chunk.  Events are queued as the client wrote them
# (paths or URIs): turning 10,000 URIs into paths is itself work for slices.
_DELETE_CHUNK = 64


def _event_path(where: str) -> Optional[str]:
    if not where:
        return None
    path = document_path(where) if where.startswith("file:") else where
    return os.path.normpath(path) if path else None


def _raw_event(change: Any) -> Tuple[bool, str]:
    """(deleted?, uri) of a FileEvent, typed or as the raw JSON object the
    protocol passes for speed (a bad one is an event about no file)."""
    if isinstance(change, dict):
        uri = change.get("uri")
        return change.get("type") == _DELETED, uri if isinstance(uri, str) else ""
    return change.type == types.FileChangeType.Deleted, change.uri


_DELETED = int(types.FileChangeType.Deleted)


def _queue_file_events(ls: MMNameServer, events: List[Tuple[bool, str]]) -> None:
    state = ls.session.state
    state.file_events.extend(events)
    if state.draining:
        return  # the running drain takes them
    # Most events come alone: handle the first slice at once, so that the
    # next request already sees them.
    _drain_slice(ls)
    if state.file_events:
        state.draining = True
        ls.session.spawn(_drain(ls))


async def _drain(ls: MMNameServer) -> None:
    state = ls.session.state
    try:
        while state.file_events:
            await asyncio.sleep(0)
            _drain_slice(ls)
    finally:
        state.draining = False


def _drain_slice(ls: MMNameServer) -> None:
    """Handle queued file events for up to SLICE_S; settle when the queue is empty."""
    state = ls.session.state
    queue = state.file_events
    end = time.perf_counter() + SLICE_S
    while queue and time.perf_counter() < end:
        deleted, where = queue.popleft()
        try:
            path = _event_path(where)
            if path is None:
                continue
            if os.path.basename(path) == PYPROJECT:
                state.file_touched.append(path)
                _project_changed(ls, path)
            elif deleted:
                batch = [path]
                while queue and queue[0][0] and len(batch) < _DELETE_CHUNK:
                    more = _event_path(queue.popleft()[1])
                    if more is not None:
                        batch.append(more)
                state.file_touched.extend(_deleted(ls, batch))
            else:
                _changed(ls, path)
                state.file_touched.append(path)
        except Exception:  # noqa: BLE001 - one bad event must not stop the rest
            log.exception("handling a file event for %s failed", where)
    if not queue and state.file_touched:
        touched, state.file_touched = state.file_touched, []
        _settle(ls, touched)


def _project_changed(ls: MMNameServer, path: str) -> None:
    """A pyproject.toml was created, changed or deleted: its settings are read
    again, and the indexed files of its folder, judged by them, are queued to
    be indexed again (the open documents are re-checked when the queue is
    done, like after any batch of file events)."""
    ls.session.configs_changed()
    # Its `[project] name` may say another repository now (the files below
    # are indexed again here anyway).
    ls.session.profiles.forget(path)
    index = ls.session.state.index
    if index is not None:
        ls.session.state.file_events.extend(
            (False, p) for p in index.stale_under(os.path.dirname(path)))


def _settle(ls: MMNameServer, paths: List[str]) -> None:
    """After a batch of file events: re-check the open documents (a file they
    name may have appeared or gone) and publish what changed, once."""
    ls.session.learn()
    _refresh_open(ls)
    _after_index_change(ls, paths)


def _refresh_open(ls: MMNameServer) -> None:
    """Re-check every open document (a file they may name appeared or went)."""
    for uri in ls.session.open_uris():
        ls.session.drop_analysis(uri)
        if not ls.session.pull_mode:
            ls.session.schedule(uri)
    if ls.session.pull_mode and ls.session.client_supports("workspace.diagnostics.refresh_support"):
        ls.session.later("refresh", PUBLISH_DELAY_S, lambda: ls.workspace_diagnostic_refresh(None))


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


def did_change_watched_files(ls: MMNameServer, params: types.DidChangeWatchedFilesParams) -> None:
    try:
        # Even before the first indexing is done, a changed base must drop what
        # was resolved from it and re-check the open documents.
        _queue_file_events(ls, [_raw_event(c) for c in params.changes])
    except Exception:  # noqa: BLE001
        log.exception("didChangeWatchedFiles failed")


def did_create_files(ls: MMNameServer, params: types.CreateFilesParams) -> None:
    try:
        _queue_file_events(ls, [(False, f.uri) for f in params.files])
    except Exception:  # noqa: BLE001
        log.exception("didCreateFiles failed")


def did_delete_files(ls: MMNameServer, params: types.DeleteFilesParams) -> None:
    try:
        _queue_file_events(ls, [(True, f.uri) for f in params.files])
    except Exception:  # noqa: BLE001
        log.exception("didDeleteFiles failed")


def did_rename_files(ls: MMNameServer, params: types.RenameFilesParams) -> None:
    try:
        events = []
        for f in params.files:
            events += [(True, f.old_uri), (False, f.new_uri)]
        _queue_file_events(ls, events)
    except Exception:  # noqa: BLE001
        log.exception("didRenameFiles failed")


async def will_rename_files(
    ls: MMNameServer, params: types.RenameFilesParams
) -> Optional[types.WorkspaceEdit]:
    try:
        index = await ls.session.wait_index()
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
    open_paths = ls.session.open_paths()
    encoding = ls.session.encoding()
    per_file: Dict[str, Tuple[Optional[int], List[types.TextEdit]]] = {}
    for path in sorted(candidates):
        uri = open_paths.get(path)
        if uri is not None:
            doc = ls.workspace.get_text_document(uri)
            text = doc.source
            version = doc.version
            index_of = ls.session.line_index(doc)

            def rng(a: int, b: int, _ix=index_of) -> types.Range:
                return _ix.range(a, b)
        else:
            try:
                text = read_regular(path, MAX_FILE_BYTES).decode("utf-8", "replace")
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


def did_change_workspace_folders(
    ls: MMNameServer, params: types.DidChangeWorkspaceFoldersParams
) -> None:
    try:
        index = ls.session.index()
        removed = []
        for f in params.event.removed or []:
            p = document_path(f.uri)
            if p:
                removed.extend(index.remove_root(os.path.normpath(p)))
                if os.path.normpath(p) in ls.session.state.indexed_roots:
                    ls.session.state.indexed_roots.remove(os.path.normpath(p))
        added = [os.path.normpath(p) for p in
                 (document_path(f.uri) for f in params.event.added or []) if p]
        if removed:
            _after_index_change(ls, removed)
        if added:
            ls.session.state.events()
            ls.session.spawn(index_roots(ls, added))
    except Exception:  # noqa: BLE001
        log.exception("didChangeWorkspaceFolders failed")


def register(server: MMNameServer) -> None:
    events = server.session.events
    events.initialized.append(_after_initialized)
    events.opened.append(_after_open)
    events.changed.append(_after_change)
    events.saved.append(_after_save)
    events.closed.append(_after_close)
    server.feature(types.WORKSPACE_DIAGNOSTIC)(workspace_diagnostic)
    server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(did_change_watched_files)
    server.feature(types.WORKSPACE_DID_CREATE_FILES, _FILE_FILTERS)(did_create_files)
    server.feature(types.WORKSPACE_DID_DELETE_FILES, _FILE_FILTERS)(did_delete_files)
    server.feature(types.WORKSPACE_DID_RENAME_FILES, _FILE_FILTERS)(did_rename_files)
    server.feature(types.WORKSPACE_WILL_RENAME_FILES, _FILE_FILTERS)(will_rename_files)
    server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)(did_change_workspace_folders)
