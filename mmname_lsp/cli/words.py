"""The words of the checked files, learned like the language server learns a
workspace's (config file names, registered classes and ``type=`` values), so
that `mmname check` and the editor agree on what is a typo.

Every checked file's words are kept in a small JSON memo beside the findings
cache, by size, modification time and inode: an unchanged file is not read
again.  The memo is data only (never pickle) and a damaged one is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from mmname_lsp.analysis.pipeline import workspace_words
from mmname_lsp.files import MAX_FILE_BYTES, Target, read_regular_stat
from mmname_lsp.naming.learned import LearnedWords, WordCounter
from mmname_lsp.settings import Settings

MEMO_FORMAT = 1
_Entry = Tuple[int, int, int, List[str], List[str]]  # size, mtime_ns, inode, names, classes


def learn_checked(targets: Sequence[Target], settings: Settings,
                  memo_folder: Optional[Path], scope: str = "") -> LearnedWords:
    """The learned words of ``targets``, reading only files the memo does not
    know (one memo per project: projects may share a cache folder)."""
    memo_path = None
    if memo_folder is not None:
        key = hashlib.blake2b(scope.encode("utf-8", "surrogateescape"), digest_size=8)
        memo_path = memo_folder / f"words-{key.hexdigest()}.memo"
    old = _load(memo_path)
    new: Dict[str, _Entry] = {}
    counter = WordCounter()
    for t in targets:
        try:
            st = os.stat(t.abs_path)
        except (OSError, ValueError):
            continue
        entry = old.get(t.abs_path)
        if entry is None or (entry[0], entry[1], entry[2]) != (st.st_size, st.st_mtime_ns,
                                                                st.st_ino):
            try:
                data, st = read_regular_stat(t.abs_path, MAX_FILE_BYTES)
            except OSError:
                continue
            names, classes = workspace_words(t.abs_path, data.decode("utf-8", "replace"),
                                             settings)
            entry = (st.st_size, st.st_mtime_ns, st.st_ino, list(names), list(classes))
        new[t.abs_path] = entry
        counter.add_names(entry[3])
        counter.add_classes(entry[4])
    if memo_path is not None and new != old:
        _save(memo_path, new)
    return counter.freeze()


def _load(path: Optional[Path]) -> Dict[str, _Entry]:
    if path is None:
        return {}
    try:
        if not path.is_file() or path.is_symlink():
            return {}
        raw = json.loads(path.read_text(encoding="utf-8", errors="surrogateescape"))
    except (OSError, ValueError, RecursionError):
        return {}
    files = raw.get("files") if isinstance(raw, dict) and raw.get("format") == MEMO_FORMAT \
        else None
    out: Dict[str, _Entry] = {}
    if not isinstance(files, dict):
        return out
    for key, value in files.items():
        if _valid(value):
            out[key] = (value[0], value[1], value[2], list(value[3]), list(value[4]))
    return out


def _valid(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 5
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value[:3])
            and all(isinstance(v, list) and all(isinstance(s, str) for s in v)
                    for v in value[3:]))


def _save(path: Path, files: Dict[str, _Entry]) -> None:
    """Write the memo through an exclusive temporary file (never following a
    link planted at its name); a memo that cannot be written is skipped."""
    try:
        if not path.parent.is_dir() or path.parent.is_symlink():
            return
        fd, tmp = tempfile.mkstemp(prefix=".words-", suffix=".tmp", dir=str(path.parent))
        try:
            with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as fh:
                json.dump({"format": MEMO_FORMAT, "files": files}, fh)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass
