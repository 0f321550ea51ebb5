"""Finding and reading the files to check: one walk for the CLI and the
workspace index.

Files given directly are always taken.  Folders are walked skipping hidden
folders, ``node_modules``, ``__pycache__`` and virtual environments, and
honouring ``.gitignore``: inside a git work tree through ``git ls-files`` (so
git's own rules apply, global excludes included), elsewhere (or without git)
through the small gitignore matcher below.  ``exclude`` patterns apply on top.
A folder that cannot be listed is a notice, not a silent gap.

Reading: :func:`read_regular` (and :func:`read_regular_stat`, which also
gives the stat of the open file) is the one way to read a file that a
workspace, a repository or a configuration names.  It follows links but
reads regular files only, never blocks (a FIFO, ``/dev/stdin``) and never
reads more than its cap (``/dev/zero``); what it refuses raises a
:class:`RefusedFile` (an OSError: :class:`NotRegularFile` or
:class:`FileTooLarge`) whose ``strerror`` is the reason for the user.
:func:`write_source` writes a fixed file in place, never through a link.

Nothing here knows about names or rules; it imports only the standard library.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import re
import stat
import subprocess
import sys
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

PYTHON_SUFFIXES = (".py", ".pyi")
SKIP_DIRS = frozenset(
    {"node_modules", "__pycache__", "site-packages", "__pypackages__", "venv", "virtualenv"}
)
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_IGNORE_BYTES = 1024 * 1024  # a .gitignore larger than this is not one
PathArg = Union[str, "os.PathLike[str]"]
BOM = "\ufeff"


# ---------------------------------------------------------------------------
# gitignore patterns


@dataclass(frozen=True)
class IgnoreRule:
    pattern: str
    regex: re.Pattern[str]
    negate: bool
    dir_only: bool


def _class_to_regex(pat: str, i: int) -> Tuple[Optional[str], int]:
    """Translate the ``[...]`` starting at ``pat[i]``; (None, i) when unclosed."""
    j = i + 1
    negate = j < len(pat) and pat[j] in "!^"
    if negate:
        j += 1
    k = j
    if k < len(pat) and pat[k] == "]":
        k += 1  # a leading "]" is a literal
    while k < len(pat) and pat[k] != "]":
        k += 2 if pat[k] == "\\" else 1
    if k >= len(pat):
        return None, i
    body = pat[j:k].replace("\\", "\\\\").replace("[", "\\[")
    if body.startswith("^"):
        body = "\\" + body
    return ("[^/" if negate else "[") + body + "]", k + 1


def glob_to_regex(pat: str) -> str:
    """Regex source for a gitignore glob (no leading ``!``, no trailing ``/``).

    ``*`` and ``?`` never match ``/``; ``**/`` at the start or after a ``/``
    matches any number of folders, ``/**`` at the end everything inside.
    """
    out: List[str] = []
    i, n = 0, len(pat)
    while i < n:
        c = pat[i]
        if c == "*" and pat.startswith("**", i):
            after = pat[i + 2] if i + 2 < n else None
            at_boundary = i == 0 or pat[i - 1] == "/"
            if at_boundary and after == "/":
                out.append("(?:.*/)?")
                i += 3
                continue
            if at_boundary and after is None:
                out.append(".*")
                i += 2
                continue
            j = i
            while j < n and pat[j] == "*":
                j += 1
            out.append("[^/]*")
            i = j
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            cls, j = _class_to_regex(pat, i)
            if cls is not None:
                out.append(cls)
                i = j
                continue
            out.append(re.escape(c))
        elif c == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pat[i]))
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def parse_ignore_line(line: str) -> Optional[IgnoreRule]:
    """One line of a .gitignore file as a rule; None for blanks and comments."""
    line = line.rstrip("\r\n")
    # Trailing spaces do not count, unless escaped with a backslash.
    while line.endswith(" ") and not line.endswith("\\ "):
        line = line[:-1]
    if not line or line.startswith("#"):
        return None
    negate = line.startswith("!")
    if negate:
        line = line[1:]
    dir_only = line.endswith("/") and not line.endswith("\\/")
    if dir_only:
        line = line.rstrip("/")
    if not line:
        return None
    # A slash at the start or in the middle anchors the pattern to its folder.
    anchored = "/" in line
    if line.startswith("/"):
        line = line[1:]
    body = glob_to_regex(line)
    source = ("" if anchored else "(?:.*/)?") + body
    try:
        regex = re.compile(source + r"\Z", re.DOTALL)
    except re.error:
        return None
    return IgnoreRule(line, regex, negate, dir_only)


@dataclass(frozen=True)
class IgnoreSpec:
    """The rules of one .gitignore file (or exclude list), for paths under ``base``."""

    base: str  # absolute folder the patterns are relative to
    rules: Tuple[IgnoreRule, ...]

    @classmethod
    def from_lines(cls, base: str, lines: Iterable[str]) -> IgnoreSpec:
        rules = tuple(r for r in (parse_ignore_line(x) for x in lines) if r is not None)
        return cls(os.path.abspath(base), rules)

    @classmethod
    def from_file(cls, path: str) -> Optional[IgnoreSpec]:
        try:
            # A hostile repository's .gitignore may be a FIFO or a link to
            # /dev/zero: read it like any file it holds.
            data = read_regular(path, MAX_IGNORE_BYTES)
        except OSError:
            return None
        text = data.decode("utf-8", errors="replace")
        spec = cls.from_lines(os.path.dirname(path), text.split("\n"))
        return spec if spec.rules else None

    def relative(self, abs_path: str) -> Optional[str]:
        base = self.base
        if abs_path == base:
            return None
        prefix = base if base.endswith(os.sep) else base + os.sep
        if not abs_path.startswith(prefix):
            return None
        rel = abs_path[len(prefix) :]
        return rel.replace(os.sep, "/") if os.sep != "/" else rel

    def match(self, abs_path: str, is_dir: bool) -> Optional[bool]:
        """True: ignored, False: re-included by a ``!`` rule, None: no rule matches."""
        rel = self.relative(abs_path)
        if rel is None:
            return None
        for rule in reversed(self.rules):
            if rule.dir_only and not is_dir:
                continue
            if rule.regex.match(rel):
                return not rule.negate
        return None

    def excludes(self, abs_path: str, is_dir: bool) -> bool:
        """Whether ``abs_path`` or one of its folders below ``base`` is matched."""
        rel = self.relative(abs_path)
        if rel is None:
            return False
        parts = rel.split("/")
        for k in range(1, len(parts)):
            if self.match(os.path.join(self.base, *parts[:k]), True):
                return True
        return bool(self.match(abs_path, is_dir))


def ignored_by(specs: Sequence[IgnoreSpec], abs_path: str, is_dir: bool) -> bool:
    """gitignore precedence: deeper files first, the last matching line wins."""
    for spec in reversed(specs):
        hit = spec.match(abs_path, is_dir)
        if hit is not None:
            return hit
    return False


def _repo_root(start: str) -> Optional[str]:
    here = start
    while True:
        if os.path.exists(os.path.join(here, ".git")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def ancestor_specs(root: str) -> List[IgnoreSpec]:
    """.gitignore files that apply to ``root`` from the folders above it, up to
    the top of its git work tree (none outside a work tree), and
    ``.git/info/exclude``."""
    top = _repo_root(root)
    if top is None:
        return []
    specs = []
    info = IgnoreSpec.from_file(os.path.join(top, ".git", "info", "exclude"))
    if info is not None:
        specs.append(dataclasses.replace(info, base=top))
    folders = []
    here = os.path.dirname(root)
    while len(here) >= len(top):
        folders.append(here)
        if here == top:
            break
        here = os.path.dirname(here)
    for folder in reversed(folders):
        spec = IgnoreSpec.from_file(os.path.join(folder, ".gitignore"))
        if spec is not None:
            specs.append(spec)
    return specs


# ---------------------------------------------------------------------------
# Finding the files


@dataclass
class Notice:
    """Something about the run itself, not a finding: a skipped file, an I/O error."""

    level: str  # "error" (exit 2) or "warning" (skipped, the run goes on)
    path: str
    message: str


@dataclass(frozen=True)
class Target:
    display: str  # path as shown to the user
    abs_path: str


def is_venv(folder: str) -> bool:
    return os.path.isfile(os.path.join(folder, "pyvenv.cfg")) or os.path.isdir(
        os.path.join(folder, "conda-meta")
    )


def skip_dir(name: str, abs_path: str) -> bool:
    return name.startswith(".") or name in SKIP_DIRS or is_venv(abs_path)


def _display(root_given: str, rel: str) -> str:
    return os.path.normpath(os.path.join(root_given, rel))


# git's warning for a folder it cannot list (its messages in the C locale).
_GIT_UNREADABLE = re.compile(rb"^warning: could not open directory '(.*)': (.*)$", re.M)


def _git_listing(root: str) -> Optional[Tuple[List[str], List[Tuple[str, str]]]]:
    """Files under ``root`` that git does not ignore (tracked or not), and the
    folders git could not list (path relative to ``root``, reason); None when
    ``root`` is not in a git work tree or git is missing."""
    env = dict(os.environ, LC_ALL="C", LANGUAGE="C")
    try:
        proc = subprocess.run(
            ["git", "-C", root, "ls-files", "-z", "--cached", "--others",
             "--exclude-standard", "--", "."],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=120,
            check=False,
            env=env,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    # git only warns about a folder it cannot open, and lists the rest: the
    # folder must not pass for one without Python files.
    unreadable = [(os.fsdecode(m.group(1)).rstrip("/"), os.fsdecode(m.group(2)))
                  for m in _GIT_UNREADABLE.finditer(proc.stderr)]
    return sorted({os.fsdecode(p) for p in proc.stdout.split(b"\0") if p}), unreadable


def _walk_git(
    root_given: str, root: str, listing: List[str], excludes: Sequence[IgnoreSpec]
) -> Iterator[Target]:
    dir_ok: Dict[str, bool] = {}
    for rel in listing:
        if not rel.endswith(PYTHON_SUFFIXES):
            continue
        parts = rel.split("/")
        ok = True
        for k in range(1, len(parts)):
            sub = "/".join(parts[:k])
            hit = dir_ok.get(sub)
            if hit is None:
                abs_dir = os.path.join(root, *parts[:k])
                hit = not skip_dir(parts[k - 1], abs_dir) and not any(
                    s.match(abs_dir, True) for s in excludes
                )
                dir_ok[sub] = hit
            if not hit:
                ok = False
                break
        if not ok:
            continue
        abs_path = os.path.join(root, *parts)
        try:
            st = os.stat(abs_path)
        except (FileNotFoundError, NotADirectoryError):
            continue  # deleted in the work tree (still in the index), or a dangling link
        except OSError:
            st = None  # the reader says why it cannot be read
        if st is not None and stat.S_ISDIR(st.st_mode):
            continue  # a submodule
        # A FIFO or a link to a device is not left out silently: the reader
        # refuses it with a notice.
        if any(s.match(abs_path, False) for s in excludes):
            continue
        yield Target(_display(root_given, rel), abs_path)


def _walk_plain(
    root_given: str, root: str, excludes: Sequence[IgnoreSpec], unreadable: List[Notice]
) -> Iterator[Target]:
    """The files under ``root``; folders that cannot be listed are added to
    ``unreadable`` (the walk goes on with the rest)."""
    specs_of: Dict[str, Tuple[IgnoreSpec, ...]] = {}
    top_specs = tuple(ancestor_specs(root))
    prefix = len(root if root.endswith(os.sep) else root + os.sep)
    shown = os.path.normpath(root_given)
    shown = "" if shown == os.curdir else shown.rstrip(os.sep) + os.sep

    def failed(exc: OSError) -> None:
        where = exc.filename if isinstance(exc.filename, str) else root
        display = shown + where[prefix:] if where.startswith(root + os.sep) else root_given
        unreadable.append(Notice("error", display.rstrip(os.sep) or root_given,
                                 f"cannot read folder: {exc.strerror or exc}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=failed):
        parent = specs_of.get(os.path.dirname(dirpath), top_specs)
        if dirpath == root:
            parent = top_specs
        specs = parent
        if ".gitignore" in filenames:
            own = IgnoreSpec.from_file(os.path.join(dirpath, ".gitignore"))
            if own is not None:
                specs = parent + (own,)
        specs_of[dirpath] = specs
        # Plain concatenation: os.path.join per file is a visible part of a
        # cached run's time.
        here = dirpath if dirpath.endswith(os.sep) else dirpath + os.sep
        keep = []
        for d in sorted(dirnames):
            full = here + d
            if skip_dir(d, full) or ignored_by(specs, full, True):
                continue
            if any(s.match(full, True) for s in excludes):
                continue
            keep.append(d)
        dirnames[:] = keep
        for f in sorted(filenames):
            if not f.endswith(PYTHON_SUFFIXES):
                continue
            full = here + f
            if (specs and ignored_by(specs, full, False)) or (
                excludes and any(s.match(full, False) for s in excludes)
            ):
                continue
            yield Target(shown + full[prefix:], full)


def discover(
    paths: Sequence[str],
    excludes: Sequence[IgnoreSpec] = (),
    *,
    use_git: Optional[bool] = None,
    force_exclude: bool = False,
) -> Tuple[List[Target], List[Notice]]:
    """The files to check under ``paths``, in a stable order, without duplicates.

    ``use_git``: None tries ``git ls-files`` and falls back to the own matcher,
    False always uses the own matcher, True requires git (an error otherwise).
    """
    notices: List[Notice] = []
    found: Dict[str, Target] = {}
    for given in paths:
        abs_path = os.path.abspath(given)
        try:
            st: Optional[os.stat_result] = os.stat(abs_path)
        except (OSError, ValueError) as exc:
            st = None
            if isinstance(exc, OSError) and not isinstance(
                    exc, (FileNotFoundError, NotADirectoryError)):
                notices.append(Notice("error", given, f"cannot read: {exc.strerror or exc}"))
                continue
        if st is not None and not stat.S_ISDIR(st.st_mode):
            if force_exclude and any(s.excludes(abs_path, False) for s in excludes):
                continue
            # Not only regular files: a FIFO given here is refused by the
            # reader with a notice that says what it is.
            found.setdefault(os.path.normcase(abs_path), Target(os.path.normpath(given),
                                                                abs_path))
            continue
        if st is None:
            why = ("no such file or folder" if not os.path.lexists(abs_path)
                   else "a link to nothing")
            notices.append(Notice("error", given, why))
            continue
        if force_exclude and any(s.excludes(abs_path, True) for s in excludes):
            continue
        in_repo = use_git is True or _repo_root(abs_path) is not None or "GIT_DIR" in os.environ
        # Outside any work tree, spare the git process (a few ms a run).
        git = _git_listing(abs_path) if use_git is not False and in_repo else None
        if use_git is True and git is None:
            notices.append(Notice("error", given, "not in a git work tree (or git is missing)"))
            continue
        unreadable: List[Notice] = []
        if git is not None:
            listing, git_unreadable = git
            walker = _walk_git(given, abs_path, listing, excludes)
            unreadable.extend(
                Notice("error", _display(given, rel) if rel not in ("", ".") else given,
                       f"cannot read folder: {why}")
                for rel, why in git_unreadable)
        else:
            walker = _walk_plain(given, abs_path, excludes, unreadable)
        any_found = False
        try:
            for t in walker:
                any_found = True
                found.setdefault(os.path.normcase(t.abs_path), t)
        except OSError as exc:
            notices.append(Notice("error", given, exc.strerror or str(exc)))
            continue
        notices.extend(unreadable)
        if not any_found and not unreadable:
            notices.append(Notice("warning", given,
                                  "no Python files to check (hidden, ignored or excluded?)"))
    return sorted(found.values(), key=lambda t: t.display), notices


# ---------------------------------------------------------------------------
# Reading


class Skip(Exception):
    """A file that is not checked, with the reason (the run goes on)."""


class RefusedFile(OSError):
    """A path :func:`read_regular` will not read; ``strerror`` says why, for
    the user.  An OSError, so that a reader's ``except OSError`` already
    covers it; catch it first to tell "skipped" from "cannot read"."""

    def __init__(self, code: int, reason: str, path: PathArg) -> None:
        super().__init__(code, reason, os.fspath(path))

    # OSError pickles as (errno, strerror, filename): rebuild through our own
    # arguments instead, so these cross process boundaries (worker pools).
    def __reduce__(self) -> Tuple[Any, ...]:
        return (RefusedFile, (self.errno, self.strerror, self.filename))


class NotRegularFile(RefusedFile):
    """Not a regular file after following links: a folder, a FIFO, a device,
    a socket.  ``kind`` names it (``"a FIFO"``)."""

    def __init__(self, path: PathArg, mode: int) -> None:
        self.mode = mode
        self.kind = file_kind(mode)
        code = errno.EISDIR if stat.S_ISDIR(mode) else errno.EINVAL
        super().__init__(code, f"not a regular file ({self.kind})", path)

    def __reduce__(self) -> Tuple[Any, ...]:
        return (NotRegularFile, (self.filename, self.mode))


class FileTooLarge(RefusedFile):
    """Larger than the cap; ``size`` is the size seen (None when it grew
    while being read)."""

    def __init__(self, path: PathArg, cap: int, size: Optional[int]) -> None:
        self.cap = cap
        self.size = size
        limit = _amount(cap)
        reason = (f"larger than {limit} ({size} bytes)" if size is not None
                  else f"larger than {limit}")
        super().__init__(errno.EFBIG, reason, path)

    def __reduce__(self) -> Tuple[Any, ...]:
        return (FileTooLarge, (self.filename, self.cap, self.size))


def _amount(n: int) -> str:
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MiB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KiB"
    return f"{n} bytes"


def file_kind(mode: int) -> str:
    """What a stat mode is, as a user reads it: ``"a FIFO"``, ``"a folder"``..."""
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


# Never block in open(): a FIFO swapped in after the stat would wait for a
# writer forever.  O_NOCTTY: opening a terminal must not make it ours.
_READ_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
_READ_CHUNK = 1 << 16


def read_regular_stat(path: PathArg,
                      cap: int = MAX_FILE_BYTES) -> Tuple[bytes, os.stat_result]:
    """The bytes of the regular file at ``path`` (links followed) and its stat
    taken on the open file before reading, without ever blocking or reading
    more than ``cap`` bytes.

    Raises :class:`NotRegularFile` for a folder, FIFO, device or socket (also
    one swapped in between the stat and the open), :class:`FileTooLarge` past
    ``cap`` bytes (also a file that grows past it, or a ``/proc`` file whose
    size the kernel does not know), and OSError as ``open`` does (missing,
    permission, a link loop).  A path with a NUL byte is a RefusedFile.
    """
    try:
        st = os.stat(path)
    except ValueError:  # an embedded NUL byte
        raise RefusedFile(errno.EINVAL, "not a valid path", str(path)) from None
    if not stat.S_ISREG(st.st_mode):
        # Refused before opening: opening a FIFO or a tape device has effects.
        raise NotRegularFile(path, st.st_mode)
    if st.st_size > cap:
        raise FileTooLarge(path, cap, st.st_size)
    fd = os.open(path, _READ_FLAGS)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(path, st.st_mode)
        if st.st_size > cap:
            raise FileTooLarge(path, cap, st.st_size)
        parts: List[bytes] = []
        total = 0
        # Sized from the stat: one read of size + 1 sees the end at once.
        want = st.st_size + 1
        while True:
            chunk = os.read(fd, min(want, cap + 1 - total))
            if not chunk:
                break
            parts.append(chunk)
            total += len(chunk)
            if total > cap:
                raise FileTooLarge(path, cap, None)
            want = _READ_CHUNK  # grown since the stat, or a size-less /proc file
    finally:
        os.close(fd)
    return b"".join(parts), st


def read_regular(path: PathArg, cap: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file at ``path``, at most ``cap`` of them.

    THE way to read a file named by a workspace, a repository or a
    configuration: it never blocks (FIFOs, ``/dev/stdin``), never reads
    forever (``/dev/zero``) and never holds more than ``cap`` bytes.  See
    :func:`read_regular_stat` for what it raises.
    """
    return read_regular_stat(path, cap)[0]


def read_source(abs_path: str) -> Tuple[str, bool, bytes, os.stat_result]:
    """The text of a file, whether it starts with a UTF-8 byte-order mark, its
    bytes, and its stat from before they were read.

    Raises Skip for binary, non-UTF-8, huge and non-regular files (FIFOs,
    devices), OSError when unreadable.  Line endings are kept as they are, so
    offsets match the bytes on disk.
    """
    try:
        data, st = read_regular_stat(abs_path, MAX_FILE_BYTES)
    except (NotRegularFile, FileTooLarge) as exc:
        raise Skip(f"skipped: {exc.strerror}") from None
    if b"\0" in data:
        raise Skip("skipped: binary file (contains NUL bytes)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Skip(f"skipped: not valid UTF-8 (byte {exc.start})") from None
    if text.startswith(BOM):
        return text[1:], True, data, st
    return text, False, data, st


_WRITE_FLAGS = (os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
                | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


def write_source(abs_path: str, text: str, bom: bool, *,
                 previous: Optional[bytes] = None) -> None:
    """Write ``text`` over the existing regular file ``abs_path`` in place
    (its permissions, owner and hard links stay), as UTF-8 with a byte-order
    mark when ``bom``.

    Never creates a file, never follows a link in the last component (pass
    a resolved path) and never writes to a FIFO or device.  When writing
    fails half way (a full disk) and ``previous`` is given, the previous
    bytes are put back before the OSError is raised.
    """
    data = ((BOM if bom else "") + text).encode("utf-8")
    fd = os.open(abs_path, _WRITE_FLAGS)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(abs_path, st.st_mode)
        try:
            _write_all(fd, data)
        except OSError:
            if previous is not None:
                try:
                    _write_all(fd, previous)
                except OSError:
                    pass  # nothing more we can do; the error says what failed
            raise
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    os.lseek(fd, 0, os.SEEK_SET)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.ftruncate(fd, len(data))


# ---------------------------------------------------------------------------
# The workspace index's walk (no git process: it runs in the editor)


@dataclass
class WalkResult:
    files: List[str]
    seen: int  # files looked at (all kinds)
    truncated: bool


def walk(root: str, wanted: Callable[[str], bool], max_files: int) -> WalkResult:
    """The files under ``root`` whose names ``wanted`` accepts, skipping hidden folders
    (``.git``), virtual environments, ``node_modules``, ``__pycache__`` and what
    ``.gitignore`` files exclude; stops after ``max_files`` files."""
    root = os.path.abspath(root)
    out: List[str] = []
    seen = 0
    specs_of: Dict[str, tuple] = {}
    top = tuple(ancestor_specs(root))
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        parent = specs_of.get(os.path.dirname(folder), top) if folder != root else top
        specs = parent
        names = {e.name for e in entries}
        if ".gitignore" in names:
            own = IgnoreSpec.from_file(os.path.join(folder, ".gitignore"))
            if own is not None:
                specs = parent + (own,)
        specs_of[folder] = specs
        subdirs = []
        for e in entries:
            try:
                is_dir = e.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if skip_dir(e.name, e.path) or ignored_by(specs, e.path, True):
                    continue
                subdirs.append(e.path)
                continue
            seen += 1
            if seen > max_files:
                return WalkResult(out, seen - 1, True)
            if not wanted(e.name) or ignored_by(specs, e.path, False):
                continue
            out.append(e.path)
        stack.extend(reversed(subdirs))
    return WalkResult(out, seen, False)


def write_generated(path: PathArg, text: str, check: bool, regenerate: str) -> int:
    """Write a generated file, or with ``check`` only say whether the committed
    one is stale (exit status 1, naming the command ``regenerate`` that makes it)."""
    path = os.fspath(path)
    if check:
        try:
            with open(path, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = ""
        if current != text:
            print(f"{path} is stale: run {regenerate}", file=sys.stderr)
            return 1
        return 0
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return 0
