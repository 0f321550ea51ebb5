"""The LSP shell: translates core results (code-point offsets) into LSP types.

Every handler catches its own errors and answers None/empty with a log line,
so that a bug never becomes a popup or a hung request in the editor.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from bisect import bisect_right
from typing import Any, Dict, List, Optional, Tuple

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import ServerTextPosition, TextDocument

from mmname_lsp import __version__
from mmname_lsp.analysis import Analysis, Finding, Occurrence, analyse, settings_decoder
from mmname_lsp.codes import RULES
from mmname_lsp.settings import Settings, parse_settings

log = logging.getLogger("mmname_lsp")

SOURCE = "mmname"
# Edits closer together than this are analysed once, for the last text.
DEBOUNCE_S = 0.03
SETTINGS_WAIT_S = 2.0
MAX_COMPLETIONS = 50
# A document larger than this is analysed for its file name only.
MAX_DOCUMENT_CHARS = 5_000_000
_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}
_MODEL_CALL = re.compile(
    r"(?:get_model|init_model|inference_model|list_models|\w*Inferencer|FeatureExtractor)"
    r"\s*\(\s*(?:model\s*=\s*)?$"
)
_CHECKPOINT_KEY = re.compile(r"(?:checkpoint|pretrained|load_from|resume_from)['\"]?\s*[=:]\s*$")
_BASE = re.compile(r"_base_\s*=\s*[\[(]?\s*(?:(['\"]).*?\1\s*,\s*)*$")
_IGNORED = object()


class MMNameProtocol(LanguageServerProtocol):
    """Answers requests whose params do not validate with an error instead of
    dropping them (a bare pygls server leaves the client waiting forever)."""

    def structure_message(self, data: Dict[str, Any]):
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if isinstance(data, dict) and "id" in data and "method" in data:
                self._send_response(data["id"], error=exc.to_response_error())
            return _IGNORED

    def handle_message(self, message):
        if message is _IGNORED:
            return None
        return super().handle_message(message)



class MMNameServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("mmname-lsp", __version__, protocol_cls=MMNameProtocol)
        self.default_settings = Settings()
        self.folder_settings: Dict[str, Settings] = {}
        self.pull_mode = False
        self.configuration_support = False
        self.shutdown_received = False
        self.exit_received = False
        self._analyses: Dict[str, Tuple[int, str, Analysis]] = {}
        # What the config reader left out per document, as last traced.
        self._traced_skips: Dict[str, Tuple[Tuple[str, str], ...]] = {}
        self._indexes: Dict[str, Tuple[int, str, LineIndex]] = {}
        self._pending: Dict[str, asyncio.TimerHandle] = {}
        self.config_cache: Any = None
        # Set once the first workspace/configuration answer is in (or cannot
        # come), so that the first diagnostics already honour the settings.
        self.settings_ready: Optional[asyncio.Event] = None

    async def wait_for_settings(self) -> None:
        if self.settings_ready is None:
            return
        try:
            await asyncio.wait_for(self.settings_ready.wait(), SETTINGS_WAIT_S)
        except asyncio.TimeoutError:
            log.warning("no workspace/configuration answer; using the settings at hand")
            self.settings_ready.set()

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

    # -- settings -----------------------------------------------------------------

    def settings_for(self, uri: str) -> Settings:
        best = ""
        for folder in self.folder_settings:
            if uri.startswith(folder.rstrip("/") + "/") and len(folder) > len(best):
                best = folder
        return self.folder_settings.get(best, self.default_settings)

    def apply_settings(self, raw: Any, folder: Optional[str], origin: str) -> None:
        settings, errors = parse_settings(raw)
        if errors:
            msg = f"mmname: invalid settings ({origin}): " + "; ".join(errors) + "; using defaults"
            log.warning(msg)
            self.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Warning, message=msg)
            )
        if folder is None:
            self.default_settings = settings
        else:
            self.folder_settings[folder] = settings

    # -- analysis -----------------------------------------------------------------

    def analysis(self, doc: TextDocument) -> Analysis:
        version = doc.version if doc.version is not None else -1
        cached = self._analyses.get(doc.uri)
        source = doc.source
        if cached and cached[0] == version and cached[1] is source:
            return cached[2]
        settings = self.settings_for(doc.uri)
        path = document_path(doc.uri)
        if len(source) > MAX_DOCUMENT_CHARS:
            source_for_analysis = ""
        else:
            source_for_analysis = source
        if self.config_cache is None:
            from mmname_lsp.configs import ConfigCache

            self.config_cache = ConfigCache()
        result = analyse(source_for_analysis, path, settings, config_cache=self.config_cache,
                         overlay=self.open_texts(exclude=doc.uri))
        self._analyses[doc.uri] = (version, source, result)
        self.trace_skipped(doc.uri, path, result)
        return result

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
        trace = self.protocol.trace
        if trace in (None, types.TraceValue.Off):
            return
        verbose = "\n".join(lines) if trace == types.TraceValue.Verbose else None
        self.log_trace(types.LogTraceParams(message=message, verbose=verbose))

    def open_texts(self, exclude: str) -> Dict[str, str]:
        """Unsaved texts of the other open files, by path (bases being edited)."""
        out = {}
        for uri, other in self.workspace.text_documents.items():
            if uri != exclude:
                p = document_path(uri)
                if p is not None:
                    out[p] = other.source
        return out

    def line_index(self, doc: TextDocument) -> LineIndex:
        """The line table of ``doc``'s current text (rebuilt only when it changed)."""
        version = doc.version if doc.version is not None else -1
        source = doc.source
        cached = self._indexes.get(doc.uri)
        if cached and cached[0] == version and cached[1] is source:
            return cached[2]
        index = LineIndex(doc)
        self._indexes[doc.uri] = (version, source, index)
        return index

    def forget(self, uri: str) -> None:
        self._analyses.pop(uri, None)
        self._traced_skips.pop(uri, None)
        self._indexes.pop(uri, None)
        handle = self._pending.pop(uri, None)
        if handle:
            handle.cancel()

    def diagnostics(self, doc: TextDocument) -> List[types.Diagnostic]:
        result = self.analysis(doc)
        index = self.line_index(doc)
        return [to_diagnostic(f, index) for f in result.findings]

    def publish(self, uri: str) -> None:
        self._pending.pop(uri, None)
        if self.pull_mode:
            return
        try:
            if uri not in self.workspace.text_documents:
                return  # closed meanwhile
            doc = self.workspace.get_text_document(uri)
            diags = self.diagnostics(doc)
            self.text_document_publish_diagnostics(
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
        self._analyses.clear()
        if self.pull_mode:
            caps = self.client_capabilities.workspace
            if caps and caps.diagnostics and caps.diagnostics.refresh_support:
                self.workspace_diagnostic_refresh(None)
            return
        for uri in list(self.workspace.text_documents):
            self.publish(uri)


class NotOpen(Exception):
    """A request about a document the client has not opened."""


def open_document(ls: MMNameServer, uri: str) -> TextDocument:
    # pygls would read an unopened file from disk (or fail); we answer only
    # about documents the client has opened.
    if uri not in ls.workspace.text_documents:
        raise NotOpen(uri)
    return ls.workspace.get_text_document(uri)


def document_path(uri: str) -> Optional[str]:
    if not uri.startswith("file:"):
        return None  # untitled: documents: no file name, no folder
    try:
        return to_fs_path(uri)
    except Exception:  # noqa: BLE001
        return None


class LineIndex:
    """Code-point offsets <-> client positions, in O(log n) per conversion."""

    def __init__(self, doc: TextDocument) -> None:
        self.doc = doc
        self.lines = doc.lines
        starts = [0]
        total = 0
        for line in self.lines:
            total += len(line)
            starts.append(total)
        self.starts = starts

    def position(self, offset: int) -> types.Position:
        offset = max(0, min(offset, self.starts[-1]))
        line = max(0, bisect_right(self.starts, offset) - 1)
        if line >= len(self.lines):
            if not self.lines:
                return types.Position(line=0, character=0)
            line = len(self.lines) - 1
        col = offset - self.starts[line]
        return self.doc.position_codec.position_to_client_units(
            self.lines, ServerTextPosition(line=line, character=col)
        )

    def range(self, start: int, end: int) -> types.Range:
        return types.Range(start=self.position(start), end=self.position(end))

    def first_line_range(self) -> types.Range:
        if not self.lines:
            return types.Range(start=types.Position(0, 0), end=types.Position(0, 0))
        first = self.lines[0].rstrip("\r\n")
        return types.Range(start=types.Position(0, 0), end=self.position(len(first)))

    def offset(self, pos: types.Position) -> int:
        if pos.line >= len(self.lines):
            return self.starts[-1]
        line = self.lines[pos.line]
        server = self.doc.position_codec.position_from_client_units(self.lines, pos)
        return self.starts[pos.line] + min(server.character, len(line))


_CODE_DESCRIPTIONS: Dict[str, types.CodeDescription] = {}


def _code_description(code: str) -> Optional[types.CodeDescription]:
    desc = _CODE_DESCRIPTIONS.get(code)
    if desc is None and code in RULES:
        desc = _CODE_DESCRIPTIONS[code] = types.CodeDescription(href=RULES[code].url)
    return desc


def to_diagnostic(f: Finding, index: LineIndex) -> types.Diagnostic:
    rng = index.first_line_range() if f.on_filename else index.range(f.start, f.end)
    data = None
    if f.replacement is not None:
        data = {"replacement": f.replacement, "start": f.start, "end": f.end}
        if f.on_filename and f.occurrence is not None:
            d = f.occurrence.decoded
            data["filename"] = d.input
            data["name_start"] = d.name_start
    return types.Diagnostic(
        range=rng,
        message=f.message,
        severity=_SEVERITY.get(f.severity, types.DiagnosticSeverity.Warning),
        code=f.code,
        code_description=_code_description(f.code),
        source=SOURCE,
        data=data,
        related_information=related_information(f.related),
    )


def related_information(related) -> Optional[List[types.DiagnosticRelatedInformation]]:
    """LSP related information from the core's `Related` locations (0-based)."""
    if not related:
        return None
    return [
        types.DiagnosticRelatedInformation(
            location=types.Location(
                uri=from_fs_path(r.file) or r.file,
                range=types.Range(start=types.Position(r.line, r.col),
                                  end=types.Position(r.end_line, r.end_col)),
            ),
            message=r.message,
        )
        for r in related
    ]


server = MMNameServer()


@server.feature(types.INITIALIZE)
def on_initialize(ls: MMNameServer, params: types.InitializeParams) -> None:
    caps = params.capabilities
    ls.pull_mode = bool(caps.text_document and caps.text_document.diagnostic)
    ls.configuration_support = bool(caps.workspace and caps.workspace.configuration)
    if params.initialization_options is not None:
        ls.apply_settings(params.initialization_options, None, "initializationOptions")
    if params.trace is not None:
        # pygls follows $/setTrace only; the initial value comes from here.
        ls.protocol.trace = params.trace
    if params.process_id:
        _watch_parent(params.process_id)
    if ls.configuration_support:
        ls.settings_ready = asyncio.Event()
    # Load data and code paths right after answering, while the client is
    # still busy with our answer, so the first didOpen finds them warm.
    try:
        asyncio.get_event_loop().call_soon(_warm_up)
    except RuntimeError:
        pass


def _warm_up() -> None:
    try:
        analyse("load_from = 'resnet50_8xb32_in1k'\n", None)
        import mmname_lsp.configs  # noqa: F401
        import mmname_lsp.ide.completion  # noqa: F401
        import mmname_lsp.ide.hover  # noqa: F401
        import mmname_lsp.rules.consistency  # noqa: F401
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


@server.feature(types.INITIALIZED)
async def on_initialized(ls: MMNameServer, params: types.InitializedParams) -> None:
    try:
        await _pull_configuration(ls)
    finally:
        if ls.settings_ready is not None:
            ls.settings_ready.set()


async def _pull_configuration(ls: MMNameServer) -> None:
    if not ls.configuration_support:
        return
    folders = list(ls.workspace.folders.values()) if ls.workspace.folders else []
    items = [types.ConfigurationItem(section="mmname")]
    items += [types.ConfigurationItem(scope_uri=f.uri, section="mmname") for f in folders]
    try:
        result = await asyncio.wait_for(
            ls.workspace_configuration_async(types.ConfigurationParams(items=items)), 10
        )
    except Exception as exc:  # noqa: BLE001 - the client may not answer
        log.warning("workspace/configuration failed: %s", exc)
        return
    if not result:
        return
    if result[0] is not None:
        ls.apply_settings(result[0], None, "workspace configuration")
    for folder, raw in zip(folders, result[1:]):
        if raw is not None:
            ls.apply_settings(raw, folder.uri, f"workspace folder {folder.name}")
    ls.refresh_all()


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def on_configuration(ls: MMNameServer, params: types.DidChangeConfigurationParams) -> None:
    if ls.configuration_support:
        await _pull_configuration(ls)
        return
    raw = params.settings
    if isinstance(raw, dict) and "mmname" in raw:
        raw = raw["mmname"]
    ls.apply_settings(raw, None, "didChangeConfiguration")
    ls.refresh_all()


@server.feature(types.SHUTDOWN)
def on_shutdown(ls: MMNameServer, params: Any) -> None:
    ls.shutdown_received = True


@server.feature(types.EXIT)
def on_exit(ls: MMNameServer, params: Any) -> None:
    ls.exit_received = True


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
async def did_open(ls: MMNameServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.forget(params.text_document.uri)
    await ls.wait_for_settings()
    ls.publish(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: MMNameServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: MMNameServer, params: types.DidSaveTextDocumentParams) -> None:
    # The file system may have changed (a base created next to it): recheck.
    ls.forget(params.text_document.uri)
    ls.schedule(params.text_document.uri, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: MMNameServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.forget(uri)
    if not ls.pull_mode:
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )


@server.feature(
    types.TEXT_DOCUMENT_DIAGNOSTIC,
    types.DiagnosticOptions(
        identifier=SOURCE, inter_file_dependencies=True, workspace_diagnostics=False
    ),
)
async def pull_diagnostics(
    ls: MMNameServer, params: types.DocumentDiagnosticParams
) -> types.FullDocumentDiagnosticReport:
    await ls.wait_for_settings()
    try:
        doc = open_document(ls, params.text_document.uri)
        items = ls.diagnostics(doc)
    except NotOpen:
        items = []
    except Exception:  # noqa: BLE001
        log.exception("diagnostics for %s failed", params.text_document.uri)
        items = []
    return types.FullDocumentDiagnosticReport(items=items)


def _doc_and_offset(
    ls: MMNameServer, params: types.TextDocumentPositionParams
) -> Tuple[TextDocument, LineIndex, int]:
    doc = open_document(ls, params.text_document.uri)
    index = ls.line_index(doc)
    return doc, index, index.offset(params.position)


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: MMNameServer, params: types.HoverParams) -> Optional[types.Hover]:
    try:
        return _hover(ls, params)
    except NotOpen:
        return None
    except Exception:  # noqa: BLE001
        log.exception("hover failed")
        return None


def _findings_of(result: Analysis, occ: Occurrence) -> List[Tuple[str, str, str]]:
    return [(f.code, f.severity, f.message) for f in result.findings if f.occurrence is occ]


def _hover(ls: MMNameServer, params: types.HoverParams) -> Optional[types.Hover]:
    from mmname_lsp.ide.hover import hover_markdown

    doc, index, offset = _doc_and_offset(ls, params)
    result = ls.analysis(doc)
    occ = result.occurrence_at(offset)
    if occ is not None:
        md = hover_markdown(occ.decoded, offset - occ.start, _findings_of(result, occ))
        rng = index.range(occ.start, occ.end)
    elif params.position.line == 0 and result.filename_occurrence() is not None:
        occ = result.filename_occurrence()
        md = "File name: " + hover_markdown(occ.decoded, None, _findings_of(result, occ),
                                            result.facts)
        rng = index.first_line_range()
    else:
        return None
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=md), range=rng
    )


@server.feature(types.TEXT_DOCUMENT_CODE_LENS)
def code_lens(ls: MMNameServer, params: types.CodeLensParams) -> List[types.CodeLens]:
    from mmname_lsp.ide.hover import summary

    try:
        doc = open_document(ls, params.text_document.uri)
        occ = ls.analysis(doc).filename_occurrence()
        if occ is None:
            return []
        title = f"mmname: {summary(occ.decoded)}"
        return [
            types.CodeLens(
                range=types.Range(start=types.Position(0, 0), end=types.Position(0, 0)),
                command=types.Command(title=title, command=""),
            )
        ]
    except Exception:  # noqa: BLE001
        log.exception("code lens failed")
        return []


@server.feature(
    types.TEXT_DOCUMENT_COMPLETION,
    types.CompletionOptions(trigger_characters=["_", "-", "'", '"', "/"], resolve_provider=False),
)
def completion(ls: MMNameServer, params: types.CompletionParams) -> Optional[Dict[str, Any]]:
    try:
        return _completion(ls, params)
    except NotOpen:
        return None
    except Exception:  # noqa: BLE001
        log.exception("completion failed")
        return None


def string_before_cursor(line: str, col: int) -> Optional[Tuple[int, str]]:
    """(index of the opening quote, quote char) of the string the cursor is in."""
    quote: Optional[str] = None
    start = -1
    i = 0
    while i < col:
        ch = line[i]
        if quote is None:
            if ch == "#":
                return None
            if ch in "'\"":
                quote, start = ch, i
        elif ch == "\\":
            i += 1
        elif ch == quote:
            quote = None
        i += 1
    return (start, quote) if quote is not None else None


_COMPLETION_KINDS = {
    "config": int(types.CompletionItemKind.File),
    "folder": int(types.CompletionItemKind.Folder),
    "model": int(types.CompletionItemKind.Module),
}
_VALUE_KIND = int(types.CompletionItemKind.Value)


def _completion(ls: MMNameServer, params: types.CompletionParams) -> Optional[Dict[str, Any]]:
    from mmname_lsp.ide.completion import complete

    doc, index, offset = _doc_and_offset(ls, params)
    line_no = params.position.line
    if line_no >= len(index.lines):
        return None
    line_start = index.starts[line_no]
    line = index.lines[line_no]
    col = offset - line_start
    found = string_before_cursor(line, col)
    if found is None:
        return None
    q, _ = found
    prefix = line[q + 1 : col]
    before = line[:q]
    context = None
    occ = ls.analysis(doc).occurrence_at(offset)
    if occ is not None and occ.start == line_start + q + 1:
        context = occ.source
    elif _MODEL_CALL.search(before):
        context = "model_api"
    elif _CHECKPOINT_KEY.search(before):
        context = "checkpoint"
    elif _BASE.search(before):
        context = "base"
    path = document_path(doc.uri)
    base_dir = os.path.dirname(path) if path else None
    settings = ls.settings_for(doc.uri)
    token_start, cands = complete(
        prefix, context, base_dir=base_dir, decoder=settings_decoder(settings)
    )
    rng = index.range(line_start + q + 1 + token_start, offset)
    # Items are built as plain LSP-shaped dicts: constructing and validating
    # 50 typed objects per keystroke cost more than the completion itself.
    edit_range = {
        "start": {"line": rng.start.line, "character": rng.start.character},
        "end": {"line": rng.end.line, "character": rng.end.character},
    }
    incomplete = len(cands) > MAX_COMPLETIONS
    items = []
    for i, c in enumerate(cands[:MAX_COMPLETIONS]):
        items.append({
            "label": c.label,
            "kind": _COMPLETION_KINDS.get(c.kind, _VALUE_KIND),
            "detail": c.kind,
            "documentation": {"kind": "markdown", "value": c.documentation},
            "sortText": f"{i:05d}",
            "textEdit": {"range": edit_range, "newText": c.label},
        })
    return {"isIncomplete": incomplete, "items": items}


FIX_ALL_KIND = "source.fixAll.mmname"


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND], resolve_provider=False
    ),
)
def code_action(ls: MMNameServer, params: types.CodeActionParams) -> List[types.CodeAction]:
    try:
        return _code_actions(ls, params)
    except NotOpen:
        return []
    except Exception:  # noqa: BLE001
        log.exception("code actions failed")
        return []


def _wants(params: types.CodeActionParams, kind: str) -> bool:
    only = params.context.only
    return not only or any(kind == k or kind.startswith(str(k) + ".") for k in only)


def _versioned_edit(doc: TextDocument, edits: List[types.TextEdit]) -> types.TextDocumentEdit:
    return types.TextDocumentEdit(
        text_document=types.OptionalVersionedTextDocumentIdentifier(
            uri=doc.uri, version=doc.version
        ),
        edits=edits,
    )


def _code_actions(ls: MMNameServer, params: types.CodeActionParams) -> List[types.CodeAction]:
    from mmname_lsp.analysis.fixes import text_fixes

    doc = open_document(ls, params.text_document.uri)
    index = ls.line_index(doc)
    result = ls.analysis(doc)
    actions: List[types.CodeAction] = []
    if _wants(params, FIX_ALL_KIND) and params.context.only:
        fixes = text_fixes(result.findings)
        if fixes:
            edits = [types.TextEdit(range=index.range(f.start, f.end), new_text=f.text)
                     for f in fixes]
            actions.append(types.CodeAction(
                title="mmname: fix all safe problems", kind=FIX_ALL_KIND,
                edit=types.WorkspaceEdit(document_changes=[_versioned_edit(doc, edits)]),
            ))
        return actions
    if not _wants(params, types.CodeActionKind.QuickFix):
        return actions
    lo = index.offset(params.range.start)
    hi = index.offset(params.range.end)
    diags = {(d.code, d.range.start.line, d.range.start.character, d.range.end.line,
              d.range.end.character): d for d in params.context.diagnostics if d.source == SOURCE}
    for f in result.findings:
        diag = to_diagnostic(f, index)
        rng = diag.range
        if f.on_filename:
            if params.range.start.line != 0:
                continue
        elif not (f.start <= hi and lo <= f.end):
            continue
        key = (f.code, rng.start.line, rng.start.character, rng.end.line, rng.end.character)
        diag = diags.get(key, diag)
        fix = f.fix
        if fix is not None and fix.new_filename is None:
            old = doc.source[f.start:f.end]
            title = (f"Replace `{old}` with `{fix.text}`" if fix.text
                     else f"Remove `{old.strip()}`")
            actions.append(types.CodeAction(
                title=title, kind=types.CodeActionKind.QuickFix, diagnostics=[diag],
                is_preferred=True,
                edit=types.WorkspaceEdit(document_changes=[_versioned_edit(
                    doc, [types.TextEdit(range=index.range(f.start, f.end), new_text=fix.text)])]),
            ))
        elif fix is not None and fix.new_filename is not None:
            action = _rename_action(ls, doc, fix.new_filename, diag)
            if action is not None:
                actions.append(action)
        for r in f.related[:1]:
            actions.append(types.CodeAction(
                title=f"Go to the setting: {r.message}", kind=types.CodeActionKind.QuickFix,
                diagnostics=[diag],
                command=types.Command(
                    title="Go to the setting", command=SHOW_LOCATION,
                    arguments=[from_fs_path(r.file) or r.file, r.line, r.col, r.end_line,
                               r.end_col],
                ),
            ))
        if f.code != "MMN290":
            actions.extend(_suppress_actions(doc, index, f, diag))
    return actions


SHOW_LOCATION = "mmname.showLocation"


@server.command(SHOW_LOCATION)
async def show_location(ls: MMNameServer, *args: Any) -> Optional[bool]:
    """Open a file at a range in the editor (`window/showDocument`)."""
    try:
        uri, line, col, end_line, end_col = (args[0] if len(args) == 1 else args)[:5]
        result = await ls.window_show_document_async(types.ShowDocumentParams(
            uri=str(uri), take_focus=True,
            selection=types.Range(start=types.Position(int(line), int(col)),
                                  end=types.Position(int(end_line), int(end_col))),
        ))
        return bool(result and result.success)
    except Exception:  # noqa: BLE001
        log.exception("showLocation failed: %r", args)
        return False


def _suppress_actions(
    doc: TextDocument, index: LineIndex, f: Finding, diag: types.Diagnostic
) -> List[types.CodeAction]:
    out = []
    if not f.on_filename:
        line = index.position(f.start).line
        text = index.lines[line].rstrip("\r\n")
        existing = re.search(r"#\s*mmname:\s*disable\s*=\s*([A-Za-z0-9_, ]+)$", text)
        if existing:
            start = index.starts[line] + existing.end(1)
            edit = types.TextEdit(range=index.range(start, start), new_text=f",{f.code}")
        else:
            end = index.starts[line] + len(text)
            edit = types.TextEdit(range=index.range(end, end),
                                  new_text=f"  # mmname: disable={f.code}")
        out.append(types.CodeAction(
            title=f"Disable {f.code} for this line", kind=types.CodeActionKind.QuickFix,
            diagnostics=[diag],
            edit=types.WorkspaceEdit(document_changes=[_versioned_edit(doc, [edit])]),
        ))
    edit = types.TextEdit(range=types.Range(start=types.Position(0, 0), end=types.Position(0, 0)),
                          new_text=f"# mmname: disable-file={f.code}\n")
    out.append(types.CodeAction(
        title=f"Disable {f.code} for this file", kind=types.CodeActionKind.QuickFix,
        diagnostics=[diag],
        edit=types.WorkspaceEdit(document_changes=[_versioned_edit(doc, [edit])]),
    ))
    return out


def _inside_workspace(ls: MMNameServer, *paths: str) -> bool:
    """Renames stay inside a workspace folder (or the root); without one, none."""
    roots = [document_path(f.uri) for f in (ls.workspace.folders or {}).values()]
    if ls.workspace.root_path:
        roots.append(ls.workspace.root_path)
    roots = [os.path.realpath(r) for r in roots if r]
    if not roots:
        return False
    for p in paths:
        real = os.path.realpath(p)
        if not any(os.path.commonpath([real, r]) == r for r in roots):
            return False
    return True


def _rename_action(
    ls: MMNameServer, doc: TextDocument, new_name: str, diag: types.Diagnostic
) -> Optional[types.CodeAction]:
    """Rename the config file, and update `_base_` references in open documents."""
    caps = ls.client_capabilities.workspace
    edit_caps = caps.workspace_edit if caps else None
    ops = edit_caps.resource_operations if edit_caps else None
    if not ops or types.ResourceOperationKind.Rename not in ops:
        return None
    old_path = document_path(doc.uri)
    if old_path is None:
        return None
    new_path = os.path.join(os.path.dirname(old_path), new_name)
    if os.path.exists(new_path) or not _inside_workspace(ls, old_path, new_path):
        return None
    new_uri = from_fs_path(new_path)
    changes: List[Any] = [types.RenameFile(old_uri=doc.uri, new_uri=new_uri)]
    old_name = os.path.basename(old_path)
    for other in list(ls.workspace.text_documents.values()):
        if other.uri == doc.uri:
            continue
        other_path = document_path(other.uri)
        if other_path is None:
            continue
        other_index = ls.line_index(other)
        edits = []
        for occ in ls.analysis(other).occurrences:
            if occ.source != "base" or not occ.decoded.input.endswith(old_name):
                continue
            target = os.path.normpath(os.path.join(os.path.dirname(other_path),
                                                   occ.decoded.input))
            if target != os.path.normpath(old_path):
                continue
            s = occ.end - len(old_name)
            edits.append(types.TextEdit(range=other_index.range(s, occ.end), new_text=new_name))
        if edits:
            changes.append(_versioned_edit(other, edits))
    return types.CodeAction(
        title=f"Rename file to `{new_name}`", kind=types.CodeActionKind.QuickFix,
        diagnostics=[diag], edit=types.WorkspaceEdit(document_changes=changes),
    )
from mmname_lsp.server import navigation, workspace  # noqa: E402,F401  (registers features)
