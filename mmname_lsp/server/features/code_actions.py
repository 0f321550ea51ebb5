"""Code actions: replace a wrong word, rename a config file (updating `_base_`
references in open documents), disable a rule for a line or file, fix all
safe problems, and the command that opens the setting a name contradicts."""

from __future__ import annotations

import logging
import os
import re
from typing import Any, List, Optional

from lsprotocol import types
from pygls.uris import from_fs_path
from pygls.workspace import TextDocument

from mmname_lsp.analysis import Finding
from mmname_lsp.naming.patterns import order_batch_readings
from mmname_lsp.server.convert import (
    SOURCE,
    LineIndex,
    document_path,
    to_diagnostic,
)
from mmname_lsp.server.protocol import MMNameServer
from mmname_lsp.server.session import guarded

log = logging.getLogger("mmname_lsp")


FIX_ALL_KIND = "source.fixAll.mmname"


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


@guarded("code actions", list)
def code_action(ls: MMNameServer, params: types.CodeActionParams) -> List[types.CodeAction]:
    from mmname_lsp.analysis.fixes import text_fixes

    doc = ls.session.open_document(params.text_document.uri)
    index = ls.session.line_index(doc)
    result = ls.session.analysis(doc)
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
        # A guess (`8x32`) is offered in every reading, the one the config's
        # batch size supports first, none of them preferred.
        readings = order_batch_readings(f.alternatives, result.batch_size)
        guess = len(readings) > 1
        for text in readings if fix is not None else ():
            alt = f.fix_with(text)
            if alt.new_filename is None:
                old = doc.source[f.start:f.end]
                title = (f"Replace `{old}` with `{alt.text}`" if alt.text
                         else f"Remove `{old.strip()}`")
                actions.append(types.CodeAction(
                    title=title, kind=types.CodeActionKind.QuickFix, diagnostics=[diag],
                    is_preferred=not guess,
                    edit=types.WorkspaceEdit(document_changes=[_versioned_edit(
                        doc, [types.TextEdit(range=index.range(f.start, f.end),
                                             new_text=alt.text)])]),
                ))
            else:
                action = _rename_action(ls, doc, alt.new_filename, diag)
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
        other_index = ls.session.line_index(other)
        edits = []
        for occ in ls.session.analysis(other).occurrences:
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


def register(server: MMNameServer) -> None:
    server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND], resolve_provider=False
    ),
)(code_action)
    server.command(SHOW_LOCATION)(show_location)
