"""Which profile judges a file: the evidence, gathered from what is there.

:func:`mmname_lsp.naming.profiles.choose` weighs evidence; this module finds
it, statically and cheaply (nothing is imported or run):

- the ``profile`` setting (a name, or gitignore-style globs to names);
- ``default_scope`` of the config, or of the first of its ``_base_`` files
  (followed on disk, relative references only) that sets it;
- scoped bases (``mmdet::...`` in ``_base_``) of the config and its bases;
- the repository the file is in: the nearest ``pyproject.toml``
  (``[project] name``), ``setup.py`` (``name=`` of its ``setup()`` call) or,
  next to a ``configs`` folder, a package folder named after a profile's
  package; with its version when ``<package>/version.py`` says it;
- the ``default_scope`` of the Python files next to it, their own or their
  bases' (and of its ``_base_`` folder's): the names around it;
- the OpenMMLab distributions installed (read once).

Evidence is read lazily, strongest first, and only as far as needed: a file
whose own ``default_scope`` decides never looks at its repository.  The files
read for a decision are returned with it (a persistent cache of findings must
check them).  A :class:`ProfileFinder` keeps what it read per file and folder;
its owner (the server's session, a ``mmname check`` run) calls
:meth:`ProfileFinder.forget` when files change.
"""

from __future__ import annotations

import ast
import os
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePath
from typing import Dict, FrozenSet, Iterable, List, Mapping, Optional, Set, Tuple

from mmname_lsp.files import glob_to_regex, read_regular
from mmname_lsp.filestate import stamp_of
from mmname_lsp.naming.profiles import Choice, Evidence, choose, profiles
from mmname_lsp.settings import AUTO, Settings
from mmname_lsp.sources.bases import base_literals
from mmname_lsp.sources.python import module_to_path

# `default_scope = 'mmdet'` at the top level of a config (any annotation).
_SCOPE_LINE = re.compile(r"^default_scope[ \t]*(?::[^=\n]*)?=[ \t]*(['\"])([A-Za-z_][\w.]*)\1",
                         re.MULTILINE)
# `setup(name='mmdet', ...)` when setup.py does not parse.
_SETUP_NAME = re.compile(r"\bname\s*=\s*['\"]([A-Za-z0-9][\w.\-]*)['\"]")
_VERSION_LINE = re.compile(r"^__version__\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
FALLBACK_ENV = "MMNAME_PROFILE"
# A base chain deeper than this is a cycle or a generated tree.
MAX_BASE_DEPTH = 16
# The names around a file: at most this many neighbours, this much of each.
MAX_NEIGHBOURS = 64
NEIGHBOUR_BYTES = 64 * 1024  # of a version.py
MAX_SOURCE_BYTES = 1024 * 1024
# Codes of the rules every profile shares: malformed text, batch written
# wrongly, upper case, empty or joined parts, a checkpoint's date and hash,
# `.py` on a model name, references and suppressions (the `shared` decoder
# is quiet on the others of MMN1xx).  A file no profile claims is judged by
# these only, so a convention it does not follow raises nothing.
SHARED_CODES: FrozenSet[str] = frozenset({
    "MMN100", "MMN101", "MMN107", "MMN108", "MMN109", "MMN113", "MMN114", "MMN115",
    "MMN116",
    "MMN201", "MMN290", "MMN291", "MMN292", "MMN301",
    "MMN207", "MMN209", "MMN210", "MMN211", "MMN212",
})


def matches_glob(path: str, globs: Iterable[str]) -> bool:
    """Whether ``path`` (or any tail of it) matches one of the gitignore-style ``globs``."""
    parts = PurePath(path.replace("\\", "/")).parts
    for pattern in globs:
        rx = _glob(pattern)
        if any(rx.fullmatch("/".join(parts[i:])) for i in range(len(parts))):
            return True
    return False


@lru_cache(maxsize=64)
def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile(glob_to_regex(pattern.strip("/")))


def profile_setting(path: Optional[str], settings: Settings) -> str:
    """The ``profile`` setting that applies to ``path``: the first of its globs
    that matches, else the plain setting (``auto`` by default)."""
    if path:
        for glob, name in settings.profile_globs:
            if matches_glob(path, (glob,)):
                return name
    return settings.profile


@lru_cache(maxsize=1)
def installed_distributions() -> Mapping[str, str]:
    """The OpenMMLab distributions installed (of every profile), to their versions."""
    from importlib import metadata

    found: Dict[str, str] = {}
    for dist in sorted({d for p in profiles().values() for d in p.distributions}):
        try:
            found[dist] = metadata.version(dist)
        except Exception:  # noqa: BLE001 - not installed, or a broken install
            continue
    return found


@dataclass(frozen=True)
class Repository:
    """The package a repository is, as its own files say."""

    package: str
    version: Optional[str]
    root: str
    where: str  # the file that says it


@dataclass(frozen=True)
class ScopeFacts:
    """What a config and its bases say of their registry scope."""

    scope: Optional[str] = None
    where: Optional[str] = None  # the file that sets default_scope
    scoped: Tuple[str, ...] = ()  # scopes of `scope::` bases, in order
    files: Tuple[str, ...] = ()  # base files read


@dataclass(frozen=True)
class Decision:
    """A file's profile, and the files whose content decided it."""

    choice: Choice
    deps: Tuple[str, ...] = ()


@dataclass
class _Folder:
    repo: Optional[Repository]
    repo_files: Tuple[str, ...]
    around: Optional[Dict[str, int]] = None
    around_files: Tuple[str, ...] = ()


@dataclass
class ProfileFinder:
    """Finds the evidence for files' profiles and remembers what it read.

    Safe to share between threads (the server analyses large documents in a
    worker thread).  ``installed`` replaces the installed distributions (tests,
    and a check run that already read them)."""

    installed: Optional[Mapping[str, str]] = None
    # A base file's facts, with the stamps of it and its chain when read.
    _bases: Dict[str, Tuple[Tuple[Tuple[str, object], ...], ScopeFacts]] = field(
        default_factory=dict, repr=False)
    _folders: Dict[str, _Folder] = field(default_factory=dict, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    # -- the decision ------------------------------------------------------------

    def decide(self, path: Optional[str], text: str, settings: Settings,
               neighbours: Optional[Mapping[str, int]] = None) -> Decision:
        """The profile of ``path`` (its current ``text``), strongest evidence first."""
        setting = profile_setting(path, settings)
        if setting != AUTO:
            return Decision(choose(Evidence(setting=setting)))
        with self._lock:
            return self._decide(path, text, neighbours)

    def choose(self, path: Optional[str], text: str, settings: Settings) -> Choice:
        return self.decide(path, text, settings).choice

    def _decide(self, path: Optional[str], text: str,
                neighbours: Optional[Mapping[str, int]]) -> Decision:
        facts = self.scope_facts(path, text)
        deps: List[str] = list(facts.files)
        evidence = Evidence(default_scope=facts.scope, scoped_bases=facts.scoped)
        choice = choose(evidence)
        if choice.profile is not None:
            return Decision(self._placed(choice, facts, path), tuple(deps))
        if path is None:
            evidence = Evidence(installed=self.installed_now())
            return Decision(_or_fallback(choose(evidence)), tuple(deps))
        folder = self._folder(os.path.dirname(os.path.abspath(path)))
        deps.extend(folder.repo_files)
        repo = folder.repo
        if repo is not None:
            evidence = Evidence(repo_package=repo.package, repo_version=repo.version)
            choice = choose(evidence)
            if choice.profile is not None:
                return Decision(choice, tuple(deps))
        if neighbours is None:
            neighbours, files = self._around(os.path.abspath(path), folder)
            deps.extend(files)
        if neighbours:
            choice = choose(Evidence(neighbours=neighbours))
            if choice.profile is not None:
                return Decision(choice, tuple(deps))
        return Decision(_or_fallback(choose(Evidence(installed=self.installed_now()))),
                        tuple(deps))

    def installed_now(self) -> Mapping[str, str]:
        return self.installed if self.installed is not None else installed_distributions()

    @staticmethod
    def _placed(choice: Choice, facts: ScopeFacts, path: Optional[str]) -> Choice:
        """Say which base set ``default_scope`` when the config itself does not."""
        if (facts.scope is None or facts.where is None or path is None
                or choice.reason != choose(Evidence(default_scope=facts.scope)).reason):
            return choice
        rel = os.path.relpath(facts.where, os.path.dirname(os.path.abspath(path)))
        return Choice(choice.profile, f"{choice.reason} in `{rel.replace(os.sep, '/')}`")

    # -- default_scope and scoped bases --------------------------------------------

    def scope_facts(self, path: Optional[str], text: str) -> ScopeFacts:
        """``default_scope`` and the scoped bases of a config (``text``) and its bases."""
        own = _SCOPE_LINE.search(text)
        scoped: List[str] = []
        files: List[str] = []
        found: Tuple[Optional[str], Optional[str]] = (own.group(2), None) if own else (None, None)
        targets = _bases(text, path, scoped)
        seen: Set[str] = {os.path.normpath(os.path.abspath(path))} if path else set()
        for target in targets:
            facts = self._base_facts(target, seen, 1)
            files.append(target)
            files.extend(facts.files)
            for s in facts.scoped:
                if s not in scoped:
                    scoped.append(s)
            if found[0] is None and facts.scope is not None:
                found = (facts.scope, facts.where)
        return ScopeFacts(found[0], found[1], tuple(scoped), tuple(dict.fromkeys(files)))

    def _base_facts(self, path: str, seen: Set[str], depth: int) -> ScopeFacts:
        if path in seen or depth > MAX_BASE_DEPTH:
            return ScopeFacts()
        cached = self._bases.get(path)
        # Valid while neither it nor any file of its chain changed.
        if cached is not None and all(stamp_of(f) == st for f, st in cached[0]):
            return cached[1]
        stamp = stamp_of(path)
        text = _read(path, MAX_SOURCE_BYTES)
        if text is None:
            facts = ScopeFacts()
        else:
            own = _SCOPE_LINE.search(text)
            scoped: List[str] = []
            files: List[str] = []
            scope, where = (own.group(2), path) if own else (None, None)
            for target in _bases(text, path, scoped):
                deeper = self._base_facts(target, seen | {path}, depth + 1)
                files.append(target)
                files.extend(deeper.files)
                scoped.extend(s for s in deeper.scoped if s not in scoped)
                if scope is None and deeper.scope is not None:
                    scope, where = deeper.scope, deeper.where
            facts = ScopeFacts(scope, where, tuple(scoped), tuple(dict.fromkeys(files)))
        if len(self._bases) > 4096:
            self._bases.clear()
        chain = ((path, stamp),) + tuple((f, stamp_of(f)) for f in facts.files)
        self._bases[path] = (chain, facts)
        return facts

    # -- the repository ----------------------------------------------------------

    def repository(self, path: str) -> Optional[Repository]:
        """The package the repository holding ``path`` is (None: none that says)."""
        with self._lock:
            return self._folder(os.path.dirname(os.path.abspath(path))).repo

    def _folder(self, folder: str) -> _Folder:
        found = self._folders.get(folder)
        if found is not None:
            return found
        repo, files = _find_repository(folder)
        if len(self._folders) > 4096:
            self._folders.clear()
        entry = self._folders[folder] = _Folder(repo, files)
        return entry

    # -- the names around ------------------------------------------------------------

    def _around(self, path: str, folder: _Folder) -> Tuple[Dict[str, int], Tuple[str, ...]]:
        if folder.around is None:
            here = os.path.dirname(path)
            places = [here]
            parts = PurePath(here).parts
            if "_base_" in parts:
                # A base file's neighbours are the `_base_` tree's own files.
                top = os.path.join(*parts[: parts.index("_base_") + 1])
                if top != here:
                    places.append(top)
            counts: Dict[str, int] = {}
            files: List[str] = []
            for place in places:
                found, read = self._scopes_in(place)
                for name, n in found.items():
                    counts[name] = counts.get(name, 0) + n
                files.extend(read)
            folder.around, folder.around_files = counts, tuple(files)
        mine = os.path.normpath(path)
        return folder.around, tuple(f for f in folder.around_files if f != mine)

    def _scopes_in(self, folder: str) -> Tuple[Dict[str, int], Tuple[str, ...]]:
        """How many of ``folder``'s Python files have a ``default_scope`` (their
        own or their bases') of each profile, and the files read."""
        try:
            names = sorted(e.name for e in os.scandir(folder)
                           if e.name.endswith(".py") and e.is_file())
        except OSError:
            return {}, ()
        counts: Dict[str, int] = {}
        files: List[str] = []
        for name in names[:MAX_NEIGHBOURS]:
            path = os.path.join(folder, name)
            facts = self._base_facts(path, set(), 1)
            files.append(path)
            files.extend(facts.files)
            if facts.scope is None:
                continue
            chosen = choose(Evidence(default_scope=facts.scope)).profile
            if chosen is not None:
                counts[chosen.name] = counts.get(chosen.name, 0) + 1
        return counts, tuple(dict.fromkeys(files))

    # -- invalidation ------------------------------------------------------------

    def forget(self, path: Optional[str] = None) -> None:
        """Forget what depended on ``path`` (None: everything): a file changed."""
        with self._lock:
            if path is None:
                self._bases.clear()
                self._folders.clear()
                return
            path = os.path.normpath(os.path.abspath(path))
            self._bases.pop(path, None)
            name = os.path.basename(path)
            folder = os.path.dirname(path)
            if name in ("pyproject.toml", "setup.py", "version.py", "__init__.py") \
                    or not os.path.splitext(name)[1]:
                # What a repository is may have changed for every folder below.
                for key in [k for k in self._folders if _under(k, os.path.dirname(folder))]:
                    del self._folders[key]
            elif name.endswith(".py"):
                for key, entry in self._folders.items():
                    if key == folder or path in entry.around_files:
                        entry.around, entry.around_files = None, ()
                if "_base_" in PurePath(folder).parts:
                    for key, entry in self._folders.items():
                        if _under(key, folder.split("_base_")[0]):
                            entry.around, entry.around_files = None, ()


def fallback_profile() -> Optional[str]:
    """The profile of files nothing places, from the environment variable
    ``MMNAME_PROFILE`` (None: unset or not a profile; such files are judged
    by the shared rules)."""
    name = os.environ.get(FALLBACK_ENV, "").strip()
    return name if name in profiles() else None


def _or_fallback(choice: Choice) -> Choice:
    if choice.profile is not None:
        return choice
    name = fallback_profile()
    if name is None:
        return choice
    return Choice(profiles()[name], f"nothing else says; `{FALLBACK_ENV}={name}`")


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _read(path: str, cap: int) -> Optional[str]:
    try:
        return read_regular(path, cap).decode("utf-8", "replace")
    except (OSError, ValueError):
        return None


def _bases(text: str, path: Optional[str], scoped: List[str]) -> List[str]:
    """The files ``text``'s relative ``_base_`` entries point at (absolute);
    the scopes of its ``scope::`` entries are added to ``scoped``."""
    if "_base_" not in text:
        return []
    out: List[str] = []
    for lit in base_literals(text):
        value = lit.text
        absolute = lit.context == "base_import" and not value.startswith(".")
        if "::" in value or absolute:
            # `mmdet::x.py`, and in a new-style config `from mmdet.configs.x import *`.
            scope = value.split("::", 1)[0] if not absolute else value.split(".", 1)[0]
            if scope and scope not in scoped:
                scoped.append(scope)
            continue
        rel = module_to_path(value) if lit.context == "base_import" else value
        if not rel or path is None:
            continue
        target = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(path)), rel))
        if not os.path.splitext(target)[1] and not os.path.exists(target):
            target += ".py"  # `_base_ = ['./faster-rcnn_..._mot17halfval']`
        if target not in out:
            out.append(target)
    return out


def _find_repository(folder: str) -> Tuple[Optional[Repository], Tuple[str, ...]]:
    """The repository above ``folder`` and the files looked at (also the missing
    ones: creating one changes the answer).  The search stops at the first
    folder that holds a ``pyproject.toml``, ``setup.py`` or ``.git``."""
    packages = {p.package for p in profiles().values()}
    here = folder
    looked: List[str] = []
    while True:
        pyproject = os.path.join(here, "pyproject.toml")
        setup = os.path.join(here, "setup.py")
        looked.extend((pyproject, setup))
        name, version, where = _pyproject_name(pyproject)
        if name is None:
            name, where = _setup_name(setup), setup
        if name is None and os.path.isdir(os.path.join(here, "configs")):
            for pkg in sorted(packages):
                init = os.path.join(here, pkg, "__init__.py")
                if os.path.isfile(init):
                    name, where = pkg, init
                    looked.append(init)
                    break
        if name is None and os.path.basename(here) in (".mim", "configs") \
                and os.path.basename(os.path.dirname(here)) in packages \
                and not any(os.path.exists(os.path.join(os.path.dirname(here), f))
                            for f in ("setup.py", "pyproject.toml", ".git")):
            # A package's own configs: installed (`site-packages/mmdet/.mim/configs`)
            # or the new-style ones inside the package (`mmpretrain/configs/`); a
            # checkout folder named like its package is a repository, not the package.
            package_dir = os.path.dirname(here)
            looked.extend(os.path.join(package_dir, f) for f in ("setup.py", "pyproject.toml"))
            name, where = os.path.basename(package_dir), package_dir
            here = os.path.dirname(package_dir)
        if name is not None:
            if version is None:
                version, files = _package_version(here, name)
                looked.extend(files)
            return Repository(name.lower(), version, here, where), tuple(looked)
        if os.path.exists(pyproject) or os.path.exists(setup) \
                or os.path.exists(os.path.join(here, ".git")):
            return None, tuple(looked)
        parent = os.path.dirname(here)
        if parent == here:
            return None, tuple(looked)
        here = parent


def _pyproject_name(path: str) -> Tuple[Optional[str], Optional[str], str]:
    if not os.path.isfile(path):
        return None, None, path
    from mmname_lsp.project_config import tomllib

    text = _read(path, MAX_SOURCE_BYTES)
    try:
        data = tomllib.loads(text or "")
    except (tomllib.TOMLDecodeError, RecursionError):
        return None, None, path
    project = data.get("project")
    if not isinstance(project, dict) or not isinstance(project.get("name"), str):
        return None, None, path
    version = project.get("version")
    return project["name"], version if isinstance(version, str) else None, path


def _setup_name(path: str) -> Optional[str]:
    """``name=`` of setup.py's ``setup()`` call, read without running it."""
    text = _read(path, MAX_SOURCE_BYTES) if os.path.isfile(path) else None
    if text is None:
        return None
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        m = _SETUP_NAME.search(text)
        return m.group(1) if m else None
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        callee = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if callee != "setup":
            continue
        for kw in node.keywords:
            if kw.arg == "name" and isinstance(kw.value, ast.Constant) \
                    and isinstance(kw.value.value, str):
                return kw.value.value
    return None


def _package_version(root: str, name: str) -> Tuple[Optional[str], Tuple[str, ...]]:
    """``__version__`` of ``<package>/version.py`` (or its ``__init__.py``): the
    import package of a distribution named ``name`` when a profile knows it."""
    candidates = [name.replace("-", "_")]
    for p in profiles().values():
        if name.lower() in p.distributions or name.lower() == p.package:
            candidates.append(p.package)
    looked: List[str] = []
    for pkg in dict.fromkeys(candidates):
        for file in ("version.py", "__init__.py"):
            path = os.path.join(root, pkg, file)
            looked.append(path)
            text = _read(path, NEIGHBOUR_BYTES) if os.path.isfile(path) else None
            m = _VERSION_LINE.search(text or "")
            if m:
                return m.group(1), tuple(looked)
    return None, tuple(looked)


_DEFAULT: Optional[ProfileFinder] = None


def default_finder() -> ProfileFinder:
    """The finder of a process without an owner of its own (a check run, a script)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = ProfileFinder()
    return _DEFAULT
