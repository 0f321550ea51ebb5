"""A persistent cache of `mmname check` findings, so an unchanged tree is not
analysed again.

What a file's findings depend on, and so what an entry is checked against:

* the file's bytes (a content hash, not the modification time: a fresh clone
  or a restored CI cache has new times but the same contents; a file whose
  stat is unchanged since it was hashed is not read again);
* every other path the analysis looked at on disk: the ``_base_`` files of
  the whole inheritance chain, the files that decided the file's profile
  (bases that set ``default_scope``, the repository's ``setup.py`` or
  ``pyproject.toml``, neighbours) and paths probed but missing, each by the
  hash of its bytes or by what it is (missing, a folder, ...);
* the environment, in the name of the cache file: this tool's version and
  the contents of its source and data files, the Python version, the
  contents of an installed mmpretrain's model index, the OpenMMLab packages
  installed and ``MMNAME_PROFILE``, and the settings (and
  the project's folder, for projects sharing a cache folder).  Never times
  or places of an install: a CI job that installs the same wheel again must
  find the cache its last run saved.

Entries are stored as JSON (never pickle: a cache found in a repository must
not be able to run code) and read back into the same dataclasses, through a
fixed table of types.  A cache that cannot be read is ignored, one that
cannot be written is skipped: the cache can make a run faster, never wrong
and never fail.  Runs that fix files do not use it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Set, Tuple

from mmname_lsp import __version__
from mmname_lsp.files import FileTooLarge, NotRegularFile, read_regular
from mmname_lsp.filestate import Stamp, stamp_of
from mmname_lsp.settings import Settings

FORMAT = 4
DIRNAME = ".mmname_cache"
ENV_DIR = "MMNAME_CACHE_DIR"
MAX_DEP_BYTES = 4 * 1024 * 1024  # the config reader refuses larger files too
MAX_CACHE_BYTES = 512 * 1024 * 1024  # far more than a large monorepo's cache
MAX_PACKAGE_FILE_BYTES = 64 * 1024 * 1024
# The whole of mmname_lsp, not only this cli/ folder: a rule lives elsewhere.
_PACKAGE = Path(__file__).resolve().parents[1]
STALE_DAYS = 14
RACY_NS = 2_000_000_000  # coarser than any file system's time stamps
_CACHE_FILE = re.compile(r"[0-9a-f]{32}\.json|package-[0-9a-f]{16}\.stamp")
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n"  # the CACHEDIR.TAG standard


def content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _racy(mtime_ns: int, hashed_at_ns: int) -> bool:
    """Written too shortly before it was hashed for its stamp to be trusted
    (the file may have changed again within the same clock tick)."""
    return mtime_ns >= hashed_at_ns - RACY_NS


def _not_a_file(path: str, stamp: Stamp) -> str:
    """The fingerprint of a path that is no regular file: what it is."""
    if stamp[0] == "missing":
        # A link to nothing is not the same as nothing (MMN201 vs MMN292).
        return "dangling-link" if os.path.islink(path) else "missing"
    if stamp[0] == "error":
        return f"error:{stamp[1]}"
    return stamp[0]  # "dir", "special" (a FIFO would block when read)


def _package_files() -> List[Tuple[str, str, os.stat_result]]:
    """The package's source and data files: (name relative to it, path, stat)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(_PACKAGE):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith((".py", ".json")):
                path = os.path.join(dirpath, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                out.append((os.path.relpath(path, _PACKAGE).replace(os.sep, "/"), path, st))
    return out


class PackageDigest:
    """The digest of this tool's source and data files by their contents, so
    that two installs of the same wheel (a CI job restoring the cache of the
    last one) share a cache, while an editable install that changes a rule
    does not get results of the old rule.

    Hashing the contents costs several ms (more on a cold disk), too much
    for every run served from the cache; the stats of the files cost a tenth
    of a ms.  So the digest is memoised in ``memo`` in the cache folder, by
    the stats it was computed for: a new install hashes once.
    """

    def __init__(self, folder: Optional[Path]) -> None:
        # One memo per install location (two virtual environments may share
        # a cache folder).
        where = content_digest(str(_PACKAGE).encode("utf-8", "surrogateescape"))[:16]
        self.memo = folder / f"package-{where}.stamp" if folder is not None else None
        files = _package_files()
        stats = [[rel, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
                 for rel, _path, st in files]
        self.stats_key = content_digest(json.dumps(stats).encode("utf-8", "surrogateescape"))
        self.to_save: Optional[bytes] = None  # memo content still to write
        found = self._read_memo()
        if found is not None:
            self.value = found
            return
        hashed_at = time.time_ns()
        h = hashlib.blake2b(digest_size=16)
        for rel, path, _st in files:
            try:
                data = read_regular(path, MAX_PACKAGE_FILE_BYTES)
            except OSError as exc:
                data = f"error:{exc.errno}".encode()
            name = rel.encode("utf-8", "surrogateescape")
            h.update(b"%d:%s%d:" % (len(name), name, len(data)))
            h.update(data)
        self.value = h.hexdigest()
        # A file written within the clock's resolution of the hash may change
        # again unseen under the same stats: do not memoise that.
        if all(not _racy(st.st_mtime_ns, hashed_at) for _rel, _path, st in files):
            self.to_save = json.dumps({"stats": self.stats_key,
                                       "digest": self.value}).encode("utf-8")

    def _read_memo(self) -> Optional[str]:
        if self.memo is None:
            return None
        try:
            raw = json.loads(read_regular(self.memo, 4096))
        except (OSError, ValueError, RecursionError):
            return None
        if (isinstance(raw, dict) and raw.get("stats") == self.stats_key
                and isinstance(raw.get("digest"), str)):
            return raw["digest"]
        return None


_package_digests: Dict[Optional[Path], PackageDigest] = {}


def package_digest(folder: Optional[Path] = None) -> PackageDigest:
    """This tool's :class:`PackageDigest`, computed once per process (and
    cache folder)."""
    found = _package_digests.get(folder)
    if found is None:
        found = _package_digests[folder] = PackageDigest(folder)
    return found


def _zoo_stamp() -> Optional[List[Any]]:
    from mmname_lsp.naming.zoo import installed_model_index

    index = installed_model_index()
    if index is None:
        return None
    # By content, as the package: a reinstall of the same mmpretrain has new times.
    try:
        return [str(index), content_digest(read_regular(index, MAX_DEP_BYTES))]
    except OSError as exc:
        return [str(index), f"error:{exc.errno}"]


def _profile_stamp() -> List[Any]:
    """What places files in profiles beyond the files themselves: the
    OpenMMLab packages installed and the fallback profile."""
    from mmname_lsp.analysis.profile_of import fallback_profile, installed_distributions

    return [sorted(installed_distributions().items()), fallback_profile()]


def settings_stamp(settings: Settings) -> List[Any]:
    return [
        settings.enable,
        sorted(settings.severity.items()),
        sorted([k, list(v)] for k, v in settings.extra_tokens.items()),
        sorted(settings.sources),
        sorted(settings.config_globs),
        settings.profile,
        [list(g) for g in settings.profile_globs],
        # The learned words change what is a typo: their counts are part of
        # the environment (a word's meaning says how many names use it).
        sorted([w, settings.learned.count(w)] for w in settings.learned.known())
        if settings.learned is not None else [],
    ]


def environment_key(settings: Settings, scope: str = "",
                    package: Optional[PackageDigest] = None) -> str:
    """Names the cache file: results of another environment are never read.
    ``scope`` (the project's folder) keeps projects that share a cache folder
    in files of their own, each as small as its project.  Nothing in it
    depends on when or where this tool was installed, only on what it is."""
    if package is None:
        package = package_digest()
    stamp = [FORMAT, __version__, list(sys.version_info[:2]), package.value,
             _zoo_stamp(), settings_stamp(settings), scope, _profile_stamp()]
    return content_digest(json.dumps(stamp, sort_keys=True).encode("utf-8"))


def cache_folder(given: Optional[str], configured: Optional[str],
                 project_root: Optional[Path]) -> Tuple[Path, bool]:
    """Where the cache lives, and whether the user chose it.

    ``--cache-dir`` (``given``), else ``$MMNAME_CACHE_DIR``, else ``cache-dir``
    of the configuration (relative to the project folder), else
    ``.mmname_cache`` in the project folder (the pyproject.toml's) or the
    current one.
    """
    root = project_root or Path.cwd()
    env = os.environ.get(ENV_DIR)
    if given:
        return Path(given), True
    if env:
        return Path(env), True
    if configured:
        return root / Path(configured).expanduser(), True
    return root / DIRNAME, False


# ---------------------------------------------------------------------------
# Findings <-> JSON


def _types() -> Dict[str, type]:
    from mmname_lsp.findings import Finding, Occurrence
    from mmname_lsp.naming.model import Decoded, Part, Problem, Token
    from mmname_lsp.rules.consistency import Related

    return {cls.__name__: cls
            for cls in (Finding, Occurrence, Decoded, Part, Problem, Token, Related)}


def encode(obj: Any) -> Any:
    """A JSON-able form of a finding: a dataclass becomes ``{"$Name": [its
    field values in order]}``, tuples become lists."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {"$" + type(obj).__name__: [encode(getattr(obj, f.name))
                                           for f in dataclasses.fields(obj)]}
    if isinstance(obj, (list, tuple)):
        return [encode(v) for v in obj]
    return obj


class _Builder:
    """json's object_hook that turns encoded dataclasses back into objects, of
    the known types only (other objects, such as zoo metadata, stay dicts)."""

    def __init__(self) -> None:
        self.types = {"$" + name: cls for name, cls in _types().items()}

    def __call__(self, obj: Dict[str, Any]) -> Any:
        if len(obj) != 1:
            return obj
        (tag, values), = obj.items()
        if not tag.startswith("$"):
            return obj
        cls = self.types.get(tag)
        if cls is None or not isinstance(values, list):
            raise ValueError(f"unknown type {tag!r} in the cache")
        # Every sequence field of these dataclasses is a tuple.
        return cls(*[tuple(v) if isinstance(v, list) else v for v in values])


# ---------------------------------------------------------------------------
# The cache


@dataclasses.dataclass
class Entry:
    digest: str
    deps: List[Tuple[str, str]]  # (path, fingerprint)
    # (code, severity, the finding's JSON): only the findings a run reports
    # are parsed and rebuilt.
    findings: List[Tuple[str, str, str]]
    skipped: List[Tuple[str, str]]  # what the config reader left out, and why


def _int(v: Any) -> bool:
    return type(v) is int  # not bool, which JSON's true would be


def _string(strings: List[Any], i: Any) -> Optional[str]:
    if _int(i) and 0 <= i < len(strings) and isinstance(strings[i], str):
        return strings[i]
    return None


def _stamp_row(row: Any, strings: List[Any]) -> Optional[Tuple[str, Tuple[Stamp, str, int]]]:
    """A ``stamps`` row of the cache file, None unless every field has its type."""
    if not isinstance(row, list) or len(row) != 7:
        return None
    path_i, mtime, ctime, size, ino, digest, hashed_at = row
    path = _string(strings, path_i)
    if (path is None or not all(_int(v) for v in (mtime, ctime, size, ino, hashed_at))
            or not isinstance(digest, str)):
        return None
    return path, (("file", mtime, ctime, size, ino), digest, hashed_at)


def _pairs(row: Any, size: int) -> bool:
    return isinstance(row, list) and all(
        isinstance(x, list) and len(x) == size and all(isinstance(v, str) for v in x)
        for x in row)


def _file_row(row: Any, strings: List[Any]) -> Optional[Tuple[str, Entry]]:
    """A ``files`` row of the cache file, None unless every field has its type."""
    if not isinstance(row, list) or len(row) != 5:
        return None
    path_i, digest, deps, findings, skipped = row
    path = _string(strings, path_i)
    if (path is None or not isinstance(digest, str) or not isinstance(deps, list)
            or len(deps) % 2 or not _pairs(findings, 3) or not _pairs(skipped, 2)):
        return None
    names = [_string(strings, i) for i in deps]
    if any(n is None for n in names):
        return None
    pairs = [(names[i], names[i + 1]) for i in range(0, len(names), 2)]
    return path, Entry(digest, pairs, [tuple(f) for f in findings],
                       [tuple(x) for x in skipped])


_CREATE_FLAGS = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                 | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


def _create_new(path: Path, data: bytes) -> None:
    """Create ``path`` with ``data`` unless something is there already.

    Exclusive, never through a link: a dangling link at ``path`` (a hostile
    repository's ``.mmname_cache/CACHEDIR.TAG -> ~/.bashrc``) would otherwise
    make us create its target.
    """
    try:
        fd = os.open(path, _CREATE_FLAGS, 0o644)
    except FileExistsError:
        return  # ours from an earlier run, or not ours to replace
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _replace(path: Path, data: bytes) -> None:
    """Replace ``path`` by a file of ``data`` atomically: a concurrent run
    reads the old file or the new one.  The temporary file is created
    exclusively (mkstemp) and the rename replaces a link at ``path`` rather
    than writing where it points."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class FindingCache:
    """The entries of one environment, loaded from and saved to ``folder``.

    On disk: ``{"format", "strings", "stamps", "files"}``, where ``strings``
    holds each path and fingerprint once, ``stamps`` rows are ``[path,
    mtime_ns, ctime_ns, size, inode, digest, hashed_at_ns]`` (the content hash
    of a file as last read) and ``files`` rows are ``[path, digest, deps,
    findings, skipped]``; paths and fingerprints are indexes into ``strings`` (the same
    bases are shared by hundreds of configs).

    A file whose stat matches its stamp is not read again, as git does with
    its index; a stamp whose modification time is not safely older than the
    moment its content was hashed is not trusted (the file may have changed
    within the same clock tick), so the content decides.
    """

    def __init__(self, folder: Path, key: str) -> None:
        self.folder = folder
        self.file = folder / f"{key}.json"
        self.entries: Dict[str, Entry] = {}
        self.changed = False
        self.hits = 0
        # path -> (file stamp of mmname_lsp.filestate, digest, hashed_at_ns)
        self.stamps: Dict[str, Tuple[Stamp, str, int]] = {}
        self._now: Dict[str, str] = {}  # fingerprints taken in this run
        self._loaded_stamp: Optional[Stamp] = None
        self._stored: Set[str] = set()  # paths whose entries this run made
        self._builder: Optional[_Builder] = None
        self.package: Optional[PackageDigest] = None  # whose memo save() writes
        self.chosen = True  # see open()

    @classmethod
    def open(cls, folder: Path, settings: Settings, scope: str = "",
             chosen: bool = True) -> FindingCache:
        """The cache in ``folder``; ``chosen``: whether the user named the
        folder (the default one is never written through a link)."""
        package = package_digest(folder)
        cache = cls(folder, environment_key(settings, scope, package))
        cache.package = package
        cache.chosen = chosen
        cache.load()
        return cache

    def load(self) -> None:
        self._loaded_stamp = stamp_of(str(self.file))
        try:
            # A cache committed to a hostile repository may be a FIFO.
            raw = json.loads(read_regular(self.file, MAX_CACHE_BYTES))
        except (OSError, ValueError, RecursionError):
            return  # no cache yet, or a damaged one: start afresh
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            return
        strings = raw.get("strings")
        stamps = raw.get("stamps")
        files = raw.get("files")
        if not (isinstance(strings, list) and isinstance(stamps, list)
                and isinstance(files, list)):
            return
        # Row by row: a row with a field of the wrong JSON type (damaged, or
        # not of our making) is dropped, the others are still good.
        for row in stamps:
            stamp = _stamp_row(row, strings)
            if stamp is not None:
                self.stamps[stamp[0]] = stamp[1]
        for row in files:
            entry = _file_row(row, strings)
            if entry is not None:
                self.entries[entry[0]] = entry[1]

    # -- the state of files --------------------------------------------------

    def known_digest(self, path: str, stamp: Optional[Stamp] = None) -> Optional[str]:
        """The content hash of the regular file ``path`` when its stamp (taken
        now unless given) shows it unchanged since it was hashed; None when
        it must be read."""
        if stamp is None:
            stamp = stamp_of(path)
        known = self.stamps.get(path)
        if stamp[0] != "file" or known is None or known[0] != stamp or _racy(stamp[1], known[2]):
            return None
        self._now[path] = known[1]
        return known[1]

    def remember(self, path: str, stamp: Stamp, data: bytes, hashed_at: int) -> str:
        """Record the content hash of ``path`` read as ``data`` (``stamp`` taken
        before reading, ``hashed_at`` a clock reading from before the stamp)."""
        digest = content_digest(data)
        self._now[path] = digest
        known = self.stamps.get(path)
        if (known is None or known[0] != stamp or known[1] != digest
                or _racy(stamp[1], known[2])):
            self.stamps[path] = (stamp, digest, hashed_at)
            self.changed = True
        return digest

    def fingerprint(self, path: str) -> str:
        """What ``path`` is now, as dependencies are compared: the content hash
        of a regular file, else what it is (missing, a folder, ...)."""
        found = self._now.get(path)
        if found is not None:
            return found
        hashed_at = time.time_ns()
        stamp = stamp_of(path)
        found = self.known_digest(path, stamp)
        if found is None and stamp[0] != "file":
            found = _not_a_file(path, stamp)
        elif found is None:
            try:
                data = read_regular(path, MAX_DEP_BYTES)
            except NotRegularFile as exc:  # swapped since the stat: never block on it
                found = "dir" if exc.kind == "a folder" else "special"
            except FileTooLarge as exc:
                found = f"large:{exc.size}"
            except OSError as exc:
                found = f"error:{exc.errno}"
            else:
                found = self.remember(path, stamp, data, hashed_at)
        self._now[path] = found
        return found

    # -- findings ------------------------------------------------------------

    def lookup(self, path: str, digest: str,
               wanted: Callable[[str, str], bool] = lambda code, severity: True,
               ) -> Optional[Tuple[List[Any], List[Tuple[str, str]]]]:
        """The findings stored for ``path`` and what the config reader left
        out, when it and all it depends on are unchanged; None otherwise.  Only
        findings whose (code, severity) is ``wanted`` are rebuilt (most stored
        findings are hints nobody asked for)."""
        entry = self.entries.get(path)
        if entry is None or entry.digest != digest:
            return None
        for dep, fp in entry.deps:
            if self.fingerprint(dep) != fp:
                return None
        try:
            findings = [self._decode(text) for code, severity, text in entry.findings
                        if wanted(code, severity)]
            skipped = [(str(what), str(why)) for what, why in entry.skipped]
        except (TypeError, ValueError, KeyError, AttributeError, RecursionError):
            return None  # an entry not of our making
        self.hits += 1
        return findings, skipped

    def _decode(self, text: str) -> Any:
        if self._builder is None:
            self._builder = _Builder()
        return json.loads(text, object_hook=self._builder)

    def store(self, path: str, digest: str, deps: Iterable[str],
              findings: Iterable[Any], skipped: Iterable[Tuple[str, str]] = ()) -> None:
        """Remember ``findings`` of ``path`` (whose bytes hash to ``digest``),
        what the config reader left out, and the fingerprints of the other
        paths they depend on."""
        rows = [(f.code, f.severity, json.dumps(encode(f), separators=(",", ":")))
                for f in findings]
        pairs = sorted((d, self.fingerprint(d)) for d in set(deps) if d != path)
        self.entries[path] = Entry(digest, pairs, rows, [list(x) for x in skipped])
        self._stored.add(path)
        self.changed = True

    def forget_missing(self, seen: Iterable[str]) -> None:
        """Drop entries of files that no longer exist (other entries stay: a
        run over one folder keeps those of the rest of the project)."""
        seen = set(seen)
        for path in [p for p in self.entries if p not in seen]:
            if not os.path.exists(path):
                del self.entries[path]
                self.changed = True
        needed = set(self.entries)
        for e in self.entries.values():
            needed.update(dep for dep, _fp in e.deps)
        for path in [p for p in self.stamps if p not in needed]:
            del self.stamps[path]
            self.changed = True

    def save(self) -> Optional[str]:
        """Write the entries if anything changed; the reason when it could not."""
        if not self.chosen and self.folder.is_symlink():
            # A repository can ship `.mmname_cache -> somewhere`: writing (and
            # pruning) there is not ours to do unless the user named it.
            return None
        if not self.changed:
            try:
                self._save_package_memo()
            except OSError:
                pass  # costs the next run a few ms, no more
            return None
        if stamp_of(str(self.file)) != self._loaded_stamp:
            self._merge_newer()
        index: Dict[str, int] = {}

        def at(text: str) -> int:
            found = index.get(text)
            if found is None:
                found = index[text] = len(index)
            return found

        stamps = [[at(path), *stamp[1:], digest, hashed_at]
                  for path, (stamp, digest, hashed_at) in self.stamps.items()]
        files = []
        for path, e in self.entries.items():
            deps = [i for dep, fp in e.deps for i in (at(dep), at(fp))]
            files.append([at(path), e.digest, deps, [list(f) for f in e.findings], e.skipped])
        data = {"format": FORMAT, "strings": list(index), "stamps": stamps, "files": files}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for name, text in ((".gitignore", "# created by mmname\n*\n"),
                               ("CACHEDIR.TAG", _TAG)):
                _create_new(self.folder / name, text.encode("utf-8"))
            _replace(self.file, json.dumps(data, separators=(",", ":")).encode("utf-8"))
            self._save_package_memo()
        except OSError as exc:
            return f"cannot write the cache in {self.folder}: {exc.strerror or exc}"
        self.changed = False
        self._prune()
        return None

    def _save_package_memo(self) -> None:
        package = self.package
        if package is None or package.to_save is None or package.memo is None:
            return
        if not self.folder.is_dir():
            return  # the cache itself was not written: neither is this
        _replace(package.memo, package.to_save)
        package.to_save = None

    def _merge_newer(self) -> None:
        """Another run saved since we loaded (pre-commit runs several at once):
        keep its entries for the files this run did not analyse, rather than
        the last writer dropping the other's work."""
        newer = FindingCache(self.folder, self.file.stem)
        newer.load()
        for path, entry in newer.entries.items():
            if path not in self._stored:
                self.entries[path] = entry
        for path, stamp in newer.stamps.items():
            if path not in self._now:
                self.stamps[path] = stamp

    def _prune(self) -> None:
        """Delete caches of other environments (an older mmname, other
        settings) and digests of other installs that no run has written for
        STALE_DAYS."""
        limit = time.time() - STALE_DAYS * 86400
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        keep = {self.file.name}
        if self.package is not None and self.package.memo is not None:
            keep.add(self.package.memo.name)
        for name in names:
            if not _CACHE_FILE.fullmatch(name) or name in keep:
                continue
            path = os.path.join(self.folder, name)
            try:
                if os.stat(path).st_mtime < limit:
                    os.unlink(path)
            except OSError:
                pass  # gone already, or not ours to delete

