"""The one owner of the server's state: settings, open documents' analyses and
line tables, pending publishes, the static config reader's cache, the
workspace index and its events.

Features never keep state of their own: they ask the session (``ls.session``)
for what they need, and subscribe to document events (:class:`DocumentEvents`)
when they must act after the session has taken a change in.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import sys
from collections import deque
from dataclasses import dataclass
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Deque,
    Dict,
    Iterator,
    List,
    Mapping,
    Optional,
    Set,
    Tuple,
    TypeVar,
)
from urllib.parse import unquote

from lsprotocol import types
from pygls.uris import from_fs_path
from pygls.workspace import TextDocument

from mmname_lsp.analysis import Analysis, analyse, settings_decoder
from mmname_lsp.analysis.profile_of import Decision, ProfileFinder
from mmname_lsp.codes import Selection
from mmname_lsp.naming.decoder import Decoder
from mmname_lsp.project_config import (
    ConfigError,
    ProjectConfig,
    config_for,
    excluded_by,
    forget_configs,
)
from mmname_lsp.server.convert import LineIndex, document_path, to_diagnostic
from mmname_lsp.settings import (
    Settings,
    explicit_settings,
    overlay_settings,
    parse_settings,
)

if TYPE_CHECKING:
    from mmname_lsp.server.protocol import MMNameServer
    from mmname_lsp.workspace.index import WorkspaceIndex

log = logging.getLogger("mmname_lsp")

# Edits closer together than this are analysed once, for the last text.
DEBOUNCE_S = 0.03
SETTINGS_WAIT_S = 2.0
# A document larger than this is analysed for its file name only.
MAX_DOCUMENT_CHARS = 5_000_000
# A document larger than this is analysed again in a worker thread after an
# edit; until that is done, requests are answered from its last analysis.
BACKGROUND_CHARS = 200_000
BACKGROUND_SWITCH_S = 0.0005
# How long navigation and willRename wait for the first indexing.
INDEX_WAIT_S = 10.0
# Metafiles, model indexes and READMEs: analysed by the workspace layer.
OTHER_KINDS = ("metafile", "model_index", "readme")

Listener = Callable[["MMNameServer", Any], None]
_Coded = TypeVar("_Coded")


@dataclass(frozen=True)
class FolderConfig:
    """What applies to the files of one folder: the settings (the project's
    ``[tool.mmname]`` under the editor's), and the project's ``select``/
    ``ignore`` and ``exclude``."""

    settings: Settings
    project: ProjectConfig
    selection: Optional[Selection] = None  # None: every code

_switch_users = 0
_switch_saved = 0.005


@contextlib.contextmanager
def responsive_threads() -> Iterator[None]:
    """While a worker thread computes (an analysis, indexing), the event loop
    takes the GIL back every BACKGROUND_SWITCH_S instead of every 5 ms, so a
    request waits a fraction of a millisecond, not the thread's whole slice."""
    global _switch_users, _switch_saved
    if _switch_users == 0:
        _switch_saved = sys.getswitchinterval()
        sys.setswitchinterval(min(_switch_saved, BACKGROUND_SWITCH_S))
    _switch_users += 1
    try:
        yield
    finally:
        _switch_users -= 1
        if _switch_users == 0:
            sys.setswitchinterval(_switch_saved)


def workspace_zoos(index: WorkspaceIndex) -> Dict[str, Any]:
    """{profile: Zoo} of the workspace's metafile models, one zoo per profile
    that judges some of them; reads the index only, so a worker thread may
    make it."""
    from mmname_lsp.naming.zoo import Zoo

    names = {index.metafile_profile(p) for p, r in list(index.files.items()) if r.models}
    return {name: Zoo(*index.zoo_models(name)) for name in sorted(names)}


def prepare_zoo(index: WorkspaceIndex) -> Tuple[Any, Dict[str, Any]]:
    """(signature, :func:`workspace_zoos`), made beforehand in a worker thread."""
    return index.zoo_signature(), workspace_zoos(index)


class NotOpen(Exception):
    """A request about a document the client has not opened."""


def guarded(what: str, empty: Callable[[], Any] = lambda: None) -> Callable[[Any], Any]:
    """Make a request handler answer ``empty()`` about a document that is not
    open, and log its own errors: a bug never becomes a popup or a request the
    editor waits for forever."""

    def wrap(fn: Any) -> Any:
        if asyncio.iscoroutinefunction(fn):
            @functools.wraps(fn)
            async def run_async(ls: Any, params: Any) -> Any:
                try:
                    return await fn(ls, params)
                except NotOpen:
                    return empty()
                except Exception:  # noqa: BLE001
                    log.exception("%s failed", what)
                    return empty()

            return run_async

        @functools.wraps(fn)
        def run(ls: Any, params: Any) -> Any:
            try:
                return fn(ls, params)
            except NotOpen:
                return empty()
            except Exception:  # noqa: BLE001
                log.exception("%s failed", what)
                return empty()

        return run

    return wrap


class DocumentEvents:
    """Who wants to hear about a document event once the session has taken it
    in; features subscribe in their ``register``, in the composition root's order."""

    def __init__(self) -> None:
        self.initialized: List[Listener] = []
        self.opened: List[Listener] = []
        self.changed: List[Listener] = []
        self.saved: List[Listener] = []
        self.closed: List[Listener] = []

    def emit(self, ls: MMNameServer, listeners: List[Listener], params: Any) -> None:
        for listener in listeners:
            try:
                listener(ls, params)
            except Exception:  # noqa: BLE001 - one feature must not break another
                log.exception("%s failed", getattr(listener, "__qualname__", listener))


class WorkspaceState:
    """What the server knows of the workspace beyond its open documents."""

    def __init__(self) -> None:
        self.index: Optional[WorkspaceIndex] = None  # built on `initialized`
        self.ready: Optional[asyncio.Event] = None
        self.changed: Optional[asyncio.Event] = None
        self.tasks: Set[asyncio.Task] = set()
        self.pushed: Dict[str, int] = {}  # uri -> hash of the diagnostics pushed
        self.zoo_signature: Any = ()
        self.zoo_profiles: Set[str] = set()  # profiles whose zoos have workspace models
        self.timers: Dict[str, asyncio.TimerHandle] = {}
        self.last_index_s = 0.0
        self.indexed_roots: List[str] = []
        # File events not handled yet (deleted?, path), and the paths handled
        # since the open documents were last re-checked.
        self.file_events: Deque[Tuple[bool, str]] = deque()
        self.file_touched: List[str] = []
        self.draining = False

    def events(self) -> None:
        if self.ready is None:
            self.ready = asyncio.Event()
            self.changed = asyncio.Event()


def uri_key(uri: str) -> str:
    """The key pygls files a document under: clients percent-encode URIs in
    their own ways (``file:///c%3A/...`` from VS Code on Windows, ``%20`` for
    spaces); every lookup of an open document goes through this."""
    return unquote(uri)


class OpenTexts(Mapping[str, str]):
    """The unsaved texts of the open documents by normalised path, as a live
    view (nothing is copied per analysis), without the document analysed."""

    def __init__(self, session: Session, exclude: Optional[str]) -> None:
        self._session = session
        self._exclude = exclude

    def __getitem__(self, path: str) -> str:
        if path == self._exclude:
            raise KeyError(path)
        uri = self._session.open_paths()[path]
        return self._session.server.workspace.get_text_document(uri).source

    def __iter__(self) -> Iterator[str]:
        return (p for p in self._session.open_paths() if p != self._exclude)

    def __len__(self) -> int:
        paths = self._session.open_paths()
        return len(paths) - (1 if self._exclude in paths else 0)


class Session:
    def __init__(self, server: MMNameServer) -> None:
        self.server = server
        self.events = DocumentEvents()
        # TCP: clients come one after the other; their editors' processes are
        # not the server's life (no parent watch).
        self.serves_many = False
        self.state = WorkspaceState()
        self.default_settings = Settings()
        self.folder_settings: Dict[str, Settings] = {}
        # The keys of the editor's settings the user set (not defaults), by
        # workspace folder URI ("" for the whole workspace): they win over
        # `[tool.mmname]`.
        self.editor_explicit: Dict[str, Dict[str, Any]] = {"": {}}
        # Effective configuration by folder of the file, and the last
        # configuration error shown per pyproject.toml.
        self._folder_configs: Dict[str, FolderConfig] = {}
        self._config_errors: Dict[str, str] = {}
        self.pull_mode = False
        self.configuration_support = False
        self.shutdown_received = False
        self.exit_received = False
        self.analyses: Dict[str, Tuple[int, str, Analysis]] = {}
        # What the config reader left out per document, as last traced.
        self._traced_skips: Dict[str, Tuple[Tuple[str, str], ...]] = {}
        self.indexes: Dict[str, Tuple[int, str, LineIndex]] = {}
        self._pending: Dict[str, asyncio.TimerHandle] = {}
        self.config_cache: Any = None
        # Set once the first workspace/configuration answer is in (or cannot
        # come), so that the first diagnostics already honour the settings.
        self.settings_ready: Optional[asyncio.Event] = None
        # Open documents by normalised path -> the URI as the client wrote it,
        # kept as documents open and close (not rebuilt per request).
        self._open_paths: Dict[str, str] = {}
        # Documents being analysed in a worker thread, and those edited since.
        self._running: Set[str] = set()
        # What decided the files' profiles (repositories, bases, neighbours),
        # forgotten file by file as they change.
        self.profiles = ProfileFinder()

    def reset(self) -> None:
        """Forget everything a client left (TCP: the next one starts afresh);
        the features' subscriptions stay."""
        for handle in list(self._pending.values()) + list(self.state.timers.values()):
            handle.cancel()
        for task in list(self.state.tasks):
            task.cancel()
        events, serves_many = self.events, self.serves_many
        forget_configs()
        self.__init__(self.server)  # type: ignore[misc]
        self.events, self.serves_many = events, serves_many

    # -- settings -----------------------------------------------------------------

    async def wait_for_settings(self) -> None:
        if self.settings_ready is None:
            return
        try:
            await asyncio.wait_for(self.settings_ready.wait(), SETTINGS_WAIT_S)
        except asyncio.TimeoutError:
            log.warning("no workspace/configuration answer; using the settings at hand")
            self.settings_ready.set()

    def settings_for(self, uri: str) -> Settings:
        """The settings of the document ``uri``: its project's ``[tool.mmname]``
        with the editor's settings (those the user set) on top."""
        return self.folder_config(uri).settings

    def _editor_folder(self, uri: str) -> str:
        best = ""
        for folder in self.folder_settings:
            if uri.startswith(folder.rstrip("/") + "/") and len(folder) > len(best):
                best = folder
        return best

    def folder_config(self, uri: str) -> FolderConfig:
        """What applies to ``uri``'s folder (computed once per folder until the
        settings or a pyproject.toml change); a notebook cell's is its notebook's."""
        uri = self.notebook_of(uri) or uri
        path = document_path(uri)
        key = os.path.dirname(os.path.normpath(path)) if path else ""
        hit = self._folder_configs.get(key)
        if hit is not None:
            return hit
        folder = self._editor_folder(uri)
        editor = self.folder_settings.get(folder, self.default_settings)
        project = self._project_config(path) if path else ProjectConfig()
        if project.path is None:
            settings = editor
        else:
            raw = overlay_settings(project.raw_settings,
                                   self.editor_explicit.get(folder, {}))
            # The editor's errors were reported when it sent them; the
            # project's made it a ConfigError.
            settings = parse_settings(raw)[0]
        selection = None
        if project.select is not None or project.ignore:
            selection = Selection(project.select, project.ignore)
        config = FolderConfig(settings, project, selection)
        self._folder_configs[key] = config
        return config

    def _project_config(self, path: str) -> ProjectConfig:
        try:
            project = config_for(path)
        except ConfigError as exc:
            self._config_problem(exc)
            return ProjectConfig()  # that project's files get the defaults
        if project.path is not None:
            self._config_errors.pop(str(project.path), None)  # fixed: a new error is news
        return project

    def _config_problem(self, exc: ConfigError) -> None:
        """Tell the user once per pyproject.toml and error (the command line
        would stop with exit 2), not once per file or keystroke."""
        message = str(exc)
        key = str(exc.path) if exc.path is not None else message
        if self._config_errors.get(key) == message:
            return
        self._config_errors[key] = message
        text = f"mmname: configuration error: {message}; using the defaults for that project"
        log.warning(text)
        self.server.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Warning, message=text))

    def configs_changed(self) -> None:
        """A pyproject.toml was created, changed or deleted: read them again."""
        forget_configs()
        self._folder_configs.clear()
        self.analyses.clear()

    def screen(self, uri: str, items: List[_Coded]) -> List[_Coded]:
        """``items`` (findings or index hits, with ``code``) of ``uri`` that its
        project reports: none for a file its ``exclude`` matches, and only the
        codes its ``select``/``ignore`` keep (as ``mmname check`` does)."""
        if not items:
            return items
        config = self.folder_config(uri)
        project = config.project
        if project.exclude:
            path = document_path(self.notebook_of(uri) or uri)
            if path is not None and excluded_by(project, path):
                return []
        if config.selection is None:
            return items
        return [i for i in items if config.selection(i.code)]  # type: ignore[attr-defined]

    def apply_settings(self, raw: Any, folder: Optional[str], origin: str) -> None:
        settings, errors = parse_settings(raw)
        if errors:
            msg = f"mmname: invalid settings ({origin}): " + "; ".join(errors) + "; using defaults"
            log.warning(msg)
            self.server.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Warning, message=msg)
            )
        if folder is None:
            self.default_settings = settings
        else:
            self.folder_settings[folder] = settings
        self.editor_explicit[folder or ""] = explicit_settings(raw)
        self._folder_configs.clear()

    def workspace_diagnostics_on(self, path: Optional[str] = None) -> bool:
        """Whether files that are not open get diagnostics (``workspaceDiagnostics``)."""
        settings = self.settings_for(from_fs_path(path) or "") if path else self.default_settings
        return bool(settings.workspace_diagnostics) and settings.enable

    def client_supports(self, dotted: str) -> bool:
        obj: Any = self.server.client_capabilities
        for part in dotted.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                return False
        return bool(obj)

    def encoding(self) -> str:
        ws = self.server.workspace
        enc = ws.position_encoding if ws else None
        value = getattr(enc, "value", enc)
        return str(value) if value in ("utf-8", "utf-16", "utf-32") else "utf-16"

    # -- open documents -----------------------------------------------------------

    def opened(self, uri: str) -> None:
        """The client opened ``uri`` (pygls holds its text)."""
        path = document_path(uri)
        if path is not None:
            self._open_paths[os.path.normpath(path)] = uri

    def closed(self, uri: str) -> None:
        self.forget(uri)
        path = document_path(uri)
        if path is not None and self._open_paths.get(os.path.normpath(path)) == uri:
            del self._open_paths[os.path.normpath(path)]

    def is_open(self, uri: str) -> bool:
        return uri_key(uri) in self.server.workspace.text_documents

    def open_document(self, uri: str) -> TextDocument:
        # pygls would read an unopened file from disk (or fail); we answer only
        # about documents the client has opened.
        if not self.is_open(uri):
            raise NotOpen(uri)
        return self.server.workspace.get_text_document(uri)

    # -- notebook cells (pygls keeps the notebooks and their cells' texts) ---------

    def notebook_of(self, uri: str) -> Optional[str]:
        """The URI of the notebook whose cell ``uri`` is, or None."""
        try:
            notebook = self.server.workspace.get_notebook_document(cell_uri=uri)
        except RuntimeError:  # before initialize: no workspace, no notebook
            return None
        return notebook.uri if notebook is not None else None

    def is_code_cell(self, uri: str) -> bool:
        """Whether ``uri`` is a Python code cell of an open notebook."""
        notebook = self.server.workspace.get_notebook_document(cell_uri=uri)
        if notebook is None:
            return False
        key = uri_key(uri)
        for cell in notebook.cells:
            if uri_key(cell.document) == key:
                doc = self.server.workspace.text_documents.get(key)
                return (cell.kind == types.NotebookCellKind.Code and doc is not None
                        and (doc.language_id or "python") == "python")
        return False

    def open_uris(self) -> List[str]:
        """The open documents' URIs as the client wrote them."""
        return [doc.uri for doc in list(self.server.workspace.text_documents.values())]

    def doc_and_offset(
        self, params: types.TextDocumentPositionParams
    ) -> Tuple[TextDocument, LineIndex, int]:
        doc = self.open_document(params.text_document.uri)
        index = self.line_index(doc)
        return doc, index, index.offset(params.position)

    def open_paths(self) -> Mapping[str, str]:
        """Open documents: normalised path -> uri (read only)."""
        return self._open_paths

    def open_texts(self, exclude: Optional[str]) -> Mapping[str, str]:
        """Unsaved texts of the other open files, by path (bases being edited)."""
        return OpenTexts(self, os.path.normpath(exclude) if exclude else None)

    # -- analysis -----------------------------------------------------------------

    def analysis(self, doc: TextDocument) -> Analysis:
        """The analysis of ``doc``'s current text; for a large document that was
        edited, the last finished one while the new one runs in a thread (a
        request never waits behind a whole-document analysis)."""
        version = doc.version if doc.version is not None else -1
        cached = self.analyses.get(doc.uri)
        source = doc.source
        if cached and cached[0] == version and cached[1] is source:
            return cached[2]
        if cached is not None and len(source) > BACKGROUND_CHARS:
            self.analyse_later(doc.uri)
            return cached[2]
        return self._analyse(doc)

    def _inputs(self, doc: TextDocument) -> Tuple[str, Optional[str], Settings, bool]:
        """(text, path, settings, other kind?) of an analysis of ``doc``."""
        from mmname_lsp.workspace.model import file_kind

        source = doc.source
        if self.notebook_of(doc.uri) is not None:
            # A cell: Python source like a script's, never a config (no file
            # name); a Markdown or other-language cell has nothing to check.
            code = self.is_code_cell(doc.uri) and len(source) <= MAX_DOCUMENT_CHARS
            return (source if code else ""), None, self.settings_for(doc.uri), False
        path = document_path(doc.uri)
        other = path is not None and file_kind(path) in OTHER_KINDS
        text = "" if len(source) > MAX_DOCUMENT_CHARS and not other else source
        return text, path, self.settings_for(doc.uri), other

    def _analyse(self, doc: TextDocument) -> Analysis:
        version = doc.version if doc.version is not None else -1
        source = doc.source
        text, path, settings, other = self._inputs(doc)
        if other:
            from mmname_lsp.workspace.documents import analyse_document

            result = analyse_document(text, path, settings, self.index())
        else:
            if self.config_cache is None:
                from mmname_lsp.configs import ConfigCache

                self.config_cache = ConfigCache()
            decision = self.profile_of(path, text, settings)
            result = analyse(text, path, settings, config_cache=self.config_cache,
                             overlay=self.open_texts(exclude=path),
                             decoder=self.decoder(settings, decision.choice.name),
                             choice=decision.choice)
            result.deps.update(decision.deps)
            self.trace_skipped(doc.uri, path, result)
        result.findings = self.screen(doc.uri, result.findings)
        self.analyses[doc.uri] = (version, source, result)
        return result

    def analyse_later(self, uri: str) -> None:
        """Analyse ``uri`` in a worker thread, then publish; while one runs, the
        latest text is taken up when it ends (superseded versions are skipped)."""
        if uri in self._running:
            return
        self._running.add(uri)
        self.spawn(self._analyse_in_thread(uri))

    async def _analyse_in_thread(self, uri: str) -> None:
        loop = asyncio.get_event_loop()
        # The analysis holds the GIL; the event loop takes it back at each
        # switch interval (5 ms by default), several times per request.
        fast = responsive_threads()
        fast.__enter__()
        try:
            while self.is_open(uri):
                doc = self.server.workspace.get_text_document(uri)
                version = doc.version if doc.version is not None else -1
                source = doc.source
                cached = self.analyses.get(uri)
                if cached and cached[0] == version and cached[1] is source:
                    break
                text, path, settings, other = self._inputs(doc)
                if other:
                    result = self._analyse(doc)  # metafiles read the index: not in a thread
                else:
                    # Large texts are not resolved statically: no shared state is
                    # touched but the decoders' thread-safe caches.
                    choice = self.profile_of(path, text, settings).choice
                    result = await loop.run_in_executor(None, functools.partial(
                        analyse, text, path, settings, consistency=False,
                        decoder=self.decoder(settings, choice.name), choice=choice))
                    result.findings = self.screen(uri, result.findings)
                self.analyses[uri] = (version, source, result)
            else:
                return
        except Exception:  # noqa: BLE001
            log.exception("background analysis of %s failed", uri)
            return
        finally:
            self._running.discard(uri)
            fast.__exit__(None, None, None)
        if self.pull_mode:
            if self.client_supports("workspace.diagnostics.refresh_support"):
                self.server.workspace_diagnostic_refresh(None)
        else:
            self.publish(uri)

    def decoder(self, settings: Settings, profile: Optional[str] = None) -> Decoder:
        """The decoder for ``settings`` and ``profile`` (a name; None: the
        default) that knows the workspace's own words."""
        index = self.state.index
        return settings_decoder(settings, index.learned if index is not None else None,
                                profile)

    def profile_of(self, path: Optional[str], text: str, settings: Settings) -> Decision:
        """The profile of a document (``text`` its current content): from the
        index when there is one (the names around it are its records), else
        from the evidence on disk."""
        if path is not None and self.state.index is not None:
            return self.state.index.profile_of(path, text)
        return self.profiles.decide(path, text, settings)

    def learn(self) -> None:
        """Count the workspace's words again; when they changed, the files they
        concern are indexed again and every open document is analysed again."""
        index = self.state.index
        if index is None:
            return
        if index.learn_and_recheck():
            log.info("the workspace's words changed: %d known", len(index.learned.known()))
            self.refresh_all()

    def workspace_hits(self, path: str) -> List[Any]:
        """The findings of an indexed file that is not open, as its project
        reports them (settings, ``select``/``ignore``, ``exclude``)."""
        index = self.state.index
        if index is None:
            return []
        return self.screen(from_fs_path(path) or "", index.report(path))

    def trace_skipped(self, uri: str, path: Optional[str], result: Analysis) -> None:
        """Say what the static config reader left out and why: in the log, and
        as ``$/logTrace`` when the client asked for a trace (once per change,
        not per keystroke)."""
        skipped = tuple(result.skipped)
        if self._traced_skips.get(uri, ()) == skipped:
            return
        self._traced_skips[uri] = skipped
        if not skipped:
            return
        lines = [f"{what}: {why}" for what, why in skipped]
        message = f"{path or uri}: not read statically: {len(skipped)} item(s)"
        log.info("%s\n  %s", message, "\n  ".join(lines))
        trace = self.server.protocol.trace
        if trace in (None, types.TraceValue.Off):
            return
        verbose = "\n".join(lines) if trace == types.TraceValue.Verbose else None
        self.server.log_trace(types.LogTraceParams(message=message, verbose=verbose))

    def line_index(self, doc: TextDocument) -> LineIndex:
        """The line table of ``doc``'s current text (rebuilt only when it changed)."""
        version = doc.version if doc.version is not None else -1
        source = doc.source
        cached = self.indexes.get(doc.uri)
        if cached and cached[0] == version and cached[1] is source:
            return cached[2]
        index = LineIndex(doc)
        self.indexes[doc.uri] = (version, source, index)
        return index

    def drop_analysis(self, uri: str) -> None:
        """Analyse ``uri`` again when next asked (something it depends on changed)."""
        self.analyses.pop(uri, None)

    def forget(self, uri: str) -> None:
        self.analyses.pop(uri, None)
        self._traced_skips.pop(uri, None)
        self.indexes.pop(uri, None)
        handle = self._pending.pop(uri, None)
        if handle:
            handle.cancel()

    def has_pending(self, uri: str) -> bool:
        """Whether a publish of ``uri`` is scheduled."""
        return uri in self._pending

    def diagnostics(self, doc: TextDocument) -> List[types.Diagnostic]:
        result = self.analysis(doc)
        index = self.line_index(doc)
        return [to_diagnostic(f, index) for f in result.findings]

    def publish(self, uri: str) -> None:
        self._pending.pop(uri, None)
        if self.pull_mode:
            return
        try:
            if not self.is_open(uri):
                return  # closed meanwhile
            doc = self.server.workspace.get_text_document(uri)
            cached = self.analyses.get(doc.uri)
            version = doc.version if doc.version is not None else -1
            current = cached is not None and cached[0] == version and cached[1] is doc.source
            if len(doc.source) > BACKGROUND_CHARS and not current:
                self.analyse_later(doc.uri)  # publishes when done
                return
            diags = self.diagnostics(doc)
            self.server.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=diags, version=doc.version)
            )
        except Exception:  # noqa: BLE001 - a handler must never take the server down
            log.exception("publishing diagnostics for %s failed", uri)

    def schedule(self, uri: str, delay: float = DEBOUNCE_S) -> None:
        if self.pull_mode:
            return
        handle = self._pending.pop(uri, None)
        if handle:
            handle.cancel()
        loop = asyncio.get_event_loop()
        self._pending[uri] = loop.call_later(delay, self.publish, uri)

    def refresh_all(self) -> None:
        self.analyses.clear()
        if self.pull_mode:
            if self.client_supports("workspace.diagnostics.refresh_support"):
                self.server.workspace_diagnostic_refresh(None)
            return
        for uri in self.open_uris():
            self.publish(uri)

    # -- background work ----------------------------------------------------------

    def spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self.state.tasks.add(task)
        task.add_done_callback(self.state.tasks.discard)

    def later(self, key: str, delay: float, fn: Callable[[], None]) -> None:
        """Run ``fn`` once after ``delay``; a new call with the same key restarts the wait."""
        timers = self.state.timers
        old = timers.pop(key, None)
        if old is not None:
            old.cancel()

        def run() -> None:
            timers.pop(key, None)
            try:
                fn()
            except Exception:  # noqa: BLE001
                log.exception("deferred %s failed", key)

        try:
            timers[key] = asyncio.get_event_loop().call_later(delay, run)
        except RuntimeError:
            run()

    # -- the workspace index and zoo ----------------------------------------------

    def roots(self) -> List[str]:
        ws = self.server.workspace
        roots = []
        for folder in (ws.folders or {}).values():
            p = document_path(folder.uri)
            if p:
                roots.append(os.path.normpath(p))
        if not roots and ws.root_path:
            roots.append(os.path.normpath(ws.root_path))
        return roots

    def index(self) -> WorkspaceIndex:
        """The workspace index (created empty on first use)."""
        if self.state.index is None:
            from mmname_lsp.naming.zoo import default_zoo
            from mmname_lsp.workspace.index import WorkspaceIndex

            zoo = default_zoo()
            self.state.index = WorkspaceIndex(
                self.encoding(),
                settings_for=lambda path: self.settings_for(from_fs_path(path) or ""),
                published=zoo.is_published,
                finder=self.profiles,
            )
        return self.state.index

    async def wait_index(self, timeout: float = INDEX_WAIT_S) -> WorkspaceIndex:
        """The index once the first indexing is done (or the timeout passed)."""
        index = self.index()
        self.state.events()
        assert self.state.ready is not None
        if not self.state.ready.is_set():
            try:
                await asyncio.wait_for(self.state.ready.wait(), timeout)
            except asyncio.TimeoutError:
                log.warning("workspace index not ready after %.0f s; answering with what it "
                            "has", timeout)
        return index

    def install_workspace_zoo(self, prepared: Optional[Tuple[Any, Any]] = None) -> bool:
        """Give the zoo the workspace's own metafile models; True when that changed
        it (then every analysis is redone: the decoders drop their caches).
        ``prepared``: what :func:`prepare_zoo` made beforehand (in a worker thread)."""
        index = self.index()
        signature = prepared[0] if prepared is not None else index.zoo_signature()
        if signature == self.state.zoo_signature:
            return False
        self.state.zoo_signature = signature
        from mmname_lsp.naming.decoder import profile_decoder
        from mmname_lsp.naming.zoo import Zoo

        workspace = prepared[1] if prepared is not None else workspace_zoos(index)
        # Each profile's zoo takes the models of the metafiles it judges (and
        # drops those it took before).
        for name in sorted(set(workspace) | self.state.zoo_profiles):
            mine = workspace.get(name) or Zoo({}, {}, {})
            zoo = profile_decoder(name).zoo
            zoo.set_workspace(mine)
            log.info("zoo of %s: %d models (%d from workspace metafiles)", name, len(zoo),
                     len(mine.models))
        self.state.zoo_profiles = set(workspace)
        self.analyses.clear()
        return True
