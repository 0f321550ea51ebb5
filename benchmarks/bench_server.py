"""Benchmark mmname-lsp against a do-nothing pygls server, over real stdio.

Both servers run in the same invocation, alternating, ``--runs`` times; the
table shows medians over the runs and their spread (min – max).  The floor
(benchmarks/floor_server.py) answers every request with a constant of the size
of our answers (a 1 kB Markdown hover, 50 completion items of about 300 bytes),
so it measures what pygls, lsprotocol, the pipe and answers of that size cost
by themselves, and the ratios measure our work.

    python3 benchmarks/bench_server.py [--runs 5] [--requests 500] [--json]

Each run, for each server:
  1. spawn -> ``initialize`` response, and -> ``initialized`` sent;
  2. ``didOpen`` of a real config right after ``initialized`` -> its first
     ``publishDiagnostics`` (from the didOpen, and from the spawn: what a user waits);
  3. once the workspace (the MMPretrain tree) is indexed: hover / completion
     latency (p50, p99) inside name strings of that document;
  4. a burst of 50 incremental ``didChange`` edits -> diagnostics for the last version;
  5. ``didOpen`` of a generated 10,000-line file -> its diagnostics;
  6. peak RSS (VmHWM) of the server process;
then ``shutdown`` / ``exit``.  Then, per run, a server per workspace (the
MMPretrain tree; the family corpus, four repositories as workspace folders):
hover and completion back to back from the first diagnostics until a second
after the indexing progress ended (p50, p99, max); the floor, which does not
index, answers ``--requests`` of each.

The client is a small JSON-RPC client over pipes with a reader thread; every
wait has a timeout and the servers are killed in ``finally``.  This is a
measurement, not a test: it exits 0 and prints what it has even when a target
is missed or a server misbehaves.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS_CONFIGS = ROOT.parent / "shared" / "corpus" / "mmpretrain" / "tree" / "configs"
FAMILY = ROOT.parent / "shared" / "corpus" / "family"
CONFIG_CANDIDATES = [
    CORPUS_CONFIGS / "convnext" / "convnext-base_32xb128_in1k-384px.py",
    CORPUS_CONFIGS / "resnet" / "resnet50_8xb32_in1k.py",
    ROOT / "tests/fixtures/workspace/configs/resnet/resnet50_8x32-colsr_in1k.py",
]

SERVERS = {
    "floor": [sys.executable, str(HERE / "floor_server.py")],
    "mmname": [sys.executable, "-m", "mmname_lsp", "--stdio"],
}

INIT_TIMEOUT = 60.0
DIAG_TIMEOUT = 30.0
REQUEST_TIMEOUT = 10.0
INDEX_TIMEOUT = 300.0
# Requests go on this long after the indexing progress ended (learning the
# workspace's words, merging its zoo, pushing its diagnostics).
AFTER_INDEX_S = 1.0
INDEX_START_S = 1.0
WORKSPACES = ("mmpretrain", "family")
BURST_EDITS = 50
BIG_LINES = 10_000
WARMUP_REQUESTS = 20

# Lines appended (as one incremental edit) to the opened config so that it
# holds a checkpoint URL, a model name and a half-typed name to complete.
URL = (
    "https://download.openmmlab.com/mmclassification/v0/resnet/"
    "resnet50_8xb32_in1k_20210831-ea4938fc.pth"
)
APPENDED = (
    "\n# appended by benchmarks/bench_server.py\n"
    f"pretrained = '{URL}'\n"
    "model_name = 'resnet50_8xb32_in1k'\n"
    "load_from = 'resnet50_'\n"
)
TYPED = ("8xb32-lbs_in1k-384px_" * 3)[:BURST_EDITS]


class BenchError(Exception):
    pass


# -- client capabilities: like VS Code's, without pull diagnostics ----------------------


def client_capabilities() -> Dict[str, Any]:
    markup = ["markdown", "plaintext"]
    return {
        "general": {
            "positionEncodings": ["utf-16"],
            "markdown": {"parser": "marked", "version": "1.1.0"},
            "regularExpressions": {"engine": "ECMAScript", "version": "ES2020"},
            "staleRequestSupport": {
                "cancel": True,
                "retryOnContentModified": ["textDocument/semanticTokens/full"],
            },
        },
        "window": {
            "workDoneProgress": True,
            "showMessage": {"messageActionItem": {"additionalPropertiesSupport": True}},
            "showDocument": {"support": True},
        },
        "workspace": {
            "applyEdit": True,
            "configuration": True,
            "workspaceFolders": True,
            "didChangeConfiguration": {"dynamicRegistration": True},
            "didChangeWatchedFiles": {"dynamicRegistration": True},
            "workspaceEdit": {"documentChanges": True},
            "codeLens": {"refreshSupport": True},
        },
        "textDocument": {
            "synchronization": {
                "dynamicRegistration": True,
                "willSave": True,
                "willSaveWaitUntil": True,
                "didSave": True,
            },
            "hover": {"dynamicRegistration": True, "contentFormat": markup},
            "completion": {
                "dynamicRegistration": True,
                "contextSupport": True,
                "completionItem": {
                    "snippetSupport": True,
                    "commitCharactersSupport": True,
                    "documentationFormat": markup,
                    "deprecatedSupport": True,
                    "preselectSupport": True,
                    "insertReplaceSupport": True,
                    "labelDetailsSupport": True,
                    "resolveSupport": {"properties": ["documentation", "detail"]},
                },
                "completionItemKind": {"valueSet": list(range(1, 26))},
            },
            "publishDiagnostics": {
                "relatedInformation": True,
                "versionSupport": True,
                "tagSupport": {"valueSet": [1, 2]},
                "codeDescriptionSupport": True,
                "dataSupport": True,
            },
            "codeAction": {
                "dynamicRegistration": True,
                "isPreferredSupport": True,
                "dataSupport": True,
                "resolveSupport": {"properties": ["edit"]},
            },
            "codeLens": {"dynamicRegistration": True},
        },
    }


# -- a small JSON-RPC client over the server's pipes ------------------------------------


class Client:
    def __init__(self, name: str, cmd: List[str], cwd: Path) -> None:
        self.name = name
        self.cond = threading.Condition()
        self.responses: Dict[int, Tuple[float, Dict[str, Any]]] = {}
        self.notifications: List[Tuple[float, Dict[str, Any]]] = []
        self.server_requests: List[str] = []
        self.sizes: Dict[int, int] = {}  # response id -> body bytes
        self.last_bytes = 0
        self.closed = False
        self.stderr_tail = b""
        self._next_id = 0
        self._write_lock = threading.Lock()
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.t_spawn = time.perf_counter()
        self.proc = subprocess.Popen(
            cmd,
            cwd=str(cwd),
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()
        self._err_reader = threading.Thread(target=self._drain_stderr, daemon=True)
        self._err_reader.start()

    # transport

    def _write(self, msg: Dict[str, Any]) -> float:
        body = json.dumps(msg, separators=(",", ":")).encode("utf-8")
        data = b"Content-Length: %d\r\n\r\n" % len(body) + body
        with self._write_lock:
            t = time.perf_counter()
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write(data)
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError, ValueError) as exc:
                raise BenchError(f"{self.name}: cannot write to the server: {exc}") from exc
        return t

    def _read_loop(self) -> None:
        out = self.proc.stdout
        assert out is not None
        try:
            while True:
                length = None
                while True:
                    line = out.readline()
                    if not line:
                        return
                    line = line.strip()
                    if not line:
                        if length is not None:
                            break
                        continue
                    key, _, value = line.partition(b":")
                    if key.strip().lower() == b"content-length":
                        length = int(value.strip())
                body = out.read(length)
                if len(body) < length:
                    return
                t = time.perf_counter()
                try:
                    msg = json.loads(body)
                except ValueError:
                    continue
                self._dispatch(t, msg, length)
        except Exception:  # noqa: BLE001 - a broken stream ends the reader
            return
        finally:
            with self.cond:
                self.closed = True
                self.cond.notify_all()

    def _dispatch(self, t: float, msg: Dict[str, Any], size: int = 0) -> None:
        if "method" in msg and "id" in msg:  # a request from the server: answer it
            method = msg["method"]
            result: Any = None
            if method == "workspace/configuration":
                items = (msg.get("params") or {}).get("items") or []
                result = [{} for _ in items]
            with self.cond:
                self.server_requests.append(method)
            try:
                self._write({"jsonrpc": "2.0", "id": msg["id"], "result": result})
            except BenchError:
                pass
            return
        with self.cond:
            if "method" in msg:
                self.notifications.append((t, msg))
            elif "id" in msg:
                self.responses[msg["id"]] = (t, msg)
                self.sizes[msg["id"]] = size
            self.cond.notify_all()

    def _drain_stderr(self) -> None:
        err = self.proc.stderr
        assert err is not None
        while True:
            chunk = err.read1(65536) if hasattr(err, "read1") else err.read(65536)
            if not chunk:
                return
            self.stderr_tail = (self.stderr_tail + chunk)[-4000:]

    # JSON-RPC

    def request(self, method: str, params: Any) -> Tuple[int, float]:
        self._next_id += 1
        rid = self._next_id
        t = self._write({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        return rid, t

    def notify(self, method: str, params: Any) -> float:
        return self._write({"jsonrpc": "2.0", "method": method, "params": params})

    def wait_response(self, rid: int, timeout: float) -> Tuple[float, Dict[str, Any]]:
        with self.cond:
            ok = self.cond.wait_for(lambda: rid in self.responses or self.closed, timeout)
            if rid in self.responses:
                return self.responses.pop(rid)
        what = "server closed its output" if ok else f"no answer in {timeout:.0f} s"
        raise BenchError(f"{self.name}: request {rid}: {what}")

    def call(self, method: str, params: Any, timeout: float = REQUEST_TIMEOUT):
        """(latency in seconds, result)."""
        rid, t0 = self.request(method, params)
        t1, msg = self.wait_response(rid, timeout)
        with self.cond:
            self.last_bytes = self.sizes.pop(rid, 0)
        if "error" in msg:
            raise BenchError(f"{self.name}: {method} failed: {msg['error']}")
        return t1 - t0, msg.get("result")

    def mark(self) -> int:
        with self.cond:
            return len(self.notifications)

    def wait_notification(
        self, pred: Callable[[Dict[str, Any]], bool], since: int, timeout: float, what: str
    ) -> Tuple[float, Dict[str, Any]]:
        found: List[Tuple[float, Dict[str, Any]]] = []

        def ready() -> bool:
            for item in self.notifications[since:]:
                if pred(item[1]):
                    found.append(item)
                    return True
            return self.closed

        with self.cond:
            self.cond.wait_for(ready, timeout)
        if found:
            return found[0]
        why = "server closed its output" if self.closed else f"nothing in {timeout:.0f} s"
        raise BenchError(f"{self.name}: waiting for {what}: {why}")

    def peak_rss_kib(self) -> Optional[int]:
        try:
            with open(f"/proc/{self.proc.pid}/status", encoding="ascii") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            return None
        return None

    def close(self) -> Optional[int]:
        """Kill if still running; the exit code (None if it had to be killed)."""
        code = None
        try:
            code = self.proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        self._reader.join(timeout=2)
        self._err_reader.join(timeout=2)
        return code


def publish_for(uri: str, version: Optional[int] = None) -> Callable[[Dict[str, Any]], bool]:
    def pred(msg: Dict[str, Any]) -> bool:
        if msg.get("method") != "textDocument/publishDiagnostics":
            return False
        params = msg.get("params") or {}
        if params.get("uri") != uri:
            return False
        return version is None or params.get("version") == version

    return pred


# -- documents --------------------------------------------------------------------------


def utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def position_of(text: str, needle: str, delta: int = 0, last: bool = False) -> Dict[str, int]:
    """LSP position (UTF-16) of ``needle``'s first (or last) occurrence + ``delta`` code points."""
    idx = text.rfind(needle) if last else text.find(needle)
    if idx < 0:
        raise BenchError(f"{needle!r} not in the benchmark document")
    idx += delta
    line = text.count("\n", 0, idx)
    line_start = text.rfind("\n", 0, idx) + 1
    return {"line": line, "character": utf16_len(text[line_start:idx])}


def end_position(text: str) -> Dict[str, int]:
    line = text.count("\n")
    return {"line": line, "character": utf16_len(text[text.rfind("\n") + 1 :])}


NAMES = [
    "resnet50_8xb32_in1k",
    "convnext-base_32xb128_in1k",
    "swin-tiny_16xb64_in1k",
    "vit-base-p16_32xb128-mae_in1k",
    "mobilenet-v2_8xb32_in1k",
    "efficientnet-b0_3rdparty_8xb32_in1k",
    # a few that break the convention, so that there is something to report
    "resnet50_8xb32_imagenet",
    "convnext_base_32xb128_in1k",
    "resnet50-8xb32_in1k",
]
URLS = [
    URL,
    "https://download.openmmlab.com/mmclassification/v0/convnext/"
    "convnext-base_32xb128_in1k_20221207-fbdb5eb9.pth",
    "https://download.openmmlab.com/mmclassification/v0/efficientnet/"
    "efficientnet-b0_3rdparty_8xb32_in1k_20220119-a7e2a0b1.pth",
    "https://download.openmmlab.com/mmclassification/v0/resnet/resnet50_8xb32_in1k.pth",
]


def big_document(lines: int = BIG_LINES) -> str:
    out = [
        "_base_ = [",
        "    '../_base_/models/resnet50.py',",
        "    '../_base_/datasets/imagenet_bs32.py',",
        "    '../_base_/default_runtime.py',",
        "]",
    ]
    i = 0
    while len(out) < lines - 1:
        name = NAMES[i % len(NAMES)]
        other = NAMES[(i * 7 + 3) % len(NAMES)]
        url = URLS[i % len(URLS)]
        out += [
            f"block_{i:05d} = dict(",
            "    type='ImageClassifier',",
            f"    model_name='{name}',",
            f"    backbone=dict(type='ResNet', depth=50, num_stages=4, out_indices=({i % 4}, )),",
            "    init_cfg=dict(",
            "        type='Pretrained',",
            f"        checkpoint='{url}',",
            "        prefix='backbone'),",
            f"    head=dict(type='LinearClsHead', num_classes={1000 + i}, in_channels=2048),",
            f"    load_from='{other}',",
            "    pipeline=[dict(type='LoadImageFromFile'), dict(type='RandomResizedCrop')],",
            ")",
        ]
        i += 1
    out = out[: lines - 1] + ["# end of generated file"]
    return "\n".join(out) + "\n"


# -- one server, one run ---------------------------------------------------------------


def percentile(values: List[float], q: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def run_server(name: str, config: Path, big_path: Path, big_text: str, requests: int) -> dict:
    res: Dict[str, Any] = {"server": name}
    client = Client(name, SERVERS[name], ROOT)
    try:
        _exercise(client, res, config, big_path, big_text, requests)
    except BenchError as exc:
        _bail_out(client, res, exc)
    finally:
        _finish(client, res)
    return res


def run_indexing(name: str, config: Path, workspace: str, requests: int) -> dict:
    """Hover and completion latency while the server indexes ``workspace``."""
    res: Dict[str, Any] = {"server": name}
    client = Client(name, SERVERS[name], ROOT)
    try:
        _during_indexing(client, res, config, workspace, requests)
    except BenchError as exc:
        _bail_out(client, res, exc)
    finally:
        _finish(client, res)
    return res


def _bail_out(client: Client, res: Dict[str, Any], exc: BenchError) -> None:
    res["error"] = str(exc)
    try:  # ask politely, briefly; close() kills what is left
        c_rid, _ = client.request("shutdown", None)
        client.wait_response(c_rid, 2.0)
        client.notify("exit", None)
    except BenchError:
        pass


def _finish(client: Client, res: Dict[str, Any]) -> None:
    res["exit_code"] = client.close()
    if "error" in res and client.stderr_tail:
        res["stderr_tail"] = client.stderr_tail.decode("utf-8", "replace")[-1500:]
    res["server_requests"] = sorted(set(client.server_requests))


def workspace_folders(config: Path, workspace: str) -> List[Path]:
    """The folders opened: the config's own tree, or the family's repositories."""
    if workspace == "family":
        return sorted(p for p in FAMILY.iterdir() if p.is_dir()) if FAMILY.is_dir() else []
    folder = config.parent.parent.parent if config.parent.parent.name == "configs" else None
    return [folder or config.parent]


def _initialize(c: Client, res: Dict[str, Any], folders: List[Path]) -> None:
    ms = 1000.0
    first = folders[0] if folders else ROOT
    init_params = {
        "processId": os.getpid(),
        "clientInfo": {"name": "bench_server.py", "version": "1"},
        "rootUri": first.as_uri(),
        "rootPath": str(first),
        "workspaceFolders": [{"uri": f.as_uri(), "name": f.name} for f in folders],
        "capabilities": client_capabilities(),
        "trace": "off",
    }
    rid, _ = c.request("initialize", init_params)
    t_init, msg = c.wait_response(rid, INIT_TIMEOUT)
    if "error" in msg:
        raise BenchError(f"initialize failed: {msg['error']}")
    res["initialize_ms"] = (t_init - c.t_spawn) * ms
    t_initialized = c.notify("initialized", {})
    res["initialized_ms"] = (t_initialized - c.t_spawn) * ms


def _open_config(c: Client, res: Dict[str, Any], config: Path) -> Tuple[str, str, int]:
    """didOpen right after `initialized` (as editors do) -> first diagnostics; then
    append the lines that hover and completion aim at.  (uri, text, version)."""
    ms = 1000.0
    text = config.read_text(encoding="utf-8")
    uri = config.as_uri()
    since = c.mark()
    t0 = c.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
    )
    t1, first = c.wait_notification(publish_for(uri), since, DIAG_TIMEOUT, "first diagnostics")
    res["first_diagnostics_ms"] = (t1 - t0) * ms
    res["spawn_first_diagnostics_ms"] = (t1 - c.t_spawn) * ms
    res["first_diagnostics_count"] = len(first["params"].get("diagnostics") or [])
    version = 2
    since = c.mark()
    end = end_position(text)
    c.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {"start": end, "end": end}, "text": APPENDED}],
        },
    )
    text += APPENDED
    c.wait_notification(publish_for(uri, version), since, DIAG_TIMEOUT, "diagnostics, version 2")
    return uri, text, version


def _targets(text: str) -> Tuple[List[Dict[str, int]], Dict[str, int]]:
    """Hover positions (a checkpoint URL, a model name, a `_base_` path) and the
    completion position (inside a half-typed name)."""
    base_line = next((ln for ln in text.splitlines() if "_base_/" in ln), None)
    hover_at = [
        position_of(text, "resnet50_8xb32_in1k_2021", 4),  # inside the checkpoint URL
        position_of(text, "'resnet50_8xb32_in1k'", 6),  # a model name
    ]
    if base_line is not None:
        hover_at.append(position_of(text, base_line.strip(), len(base_line.strip()) - 6))
    return hover_at, position_of(text, "'resnet50_'", len("'resnet50_"))


def _progress_end(msg: Dict[str, Any]) -> bool:
    if msg.get("method") != "$/progress":
        return False
    value = (msg.get("params") or {}).get("value") or {}
    return isinstance(value, dict) and value.get("kind") == "end"


def _progress_begin(msg: Dict[str, Any]) -> bool:
    if msg.get("method") != "$/progress":
        return False
    value = (msg.get("params") or {}).get("value") or {}
    return isinstance(value, dict) and value.get("kind") == "begin"


def _wait_quiet(c: Client, quiet: float, timeout: float) -> None:
    """Until the server sent nothing for ``quiet`` seconds (publishes of the
    workspace's files after indexing), at most ``timeout``."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        n = c.mark()
        time.sleep(quiet)
        if c.mark() == n:
            return


def _wait_indexed(c: Client, res: Dict[str, Any]) -> None:
    """For a server that indexes: wait for the end of its progress, then quiet."""
    if "window/workDoneProgress/create" not in c.server_requests:
        time.sleep(INDEX_START_S)  # the request comes just after `initialized`
    if "window/workDoneProgress/create" in c.server_requests:
        t, _ = c.wait_notification(_progress_end, 0, INDEX_TIMEOUT, "end of indexing")
        res["index_end_after_spawn_s"] = t - c.t_spawn
    _wait_quiet(c, 0.5, 60.0)


def _during_indexing(
    c: Client, res: Dict[str, Any], config: Path, workspace: str, requests: int
) -> None:
    """Hover and completion back to back from the first diagnostics until one
    second after the indexing progress ended (the words learned, the zoo merged,
    the workspace's diagnostics pushed); a server that does not index (the
    floor) answers ``requests`` of each."""
    ms = 1000.0
    folders = workspace_folders(config, workspace)
    _initialize(c, res, folders)
    uri, text, _version = _open_config(c, res, config)
    hover_at, complete_at = _targets(text)
    doc = {"uri": uri}
    comp_params = {
        "textDocument": doc,
        "position": complete_at,
        "context": {"triggerKind": 2, "triggerCharacter": "_"},
    }
    hover_lat: List[float] = []
    comp_lat: List[float] = []
    t_end: Optional[float] = None
    t_stop = time.perf_counter() + INDEX_TIMEOUT
    indexes = "window/workDoneProgress/create" in c.server_requests
    i = 0
    while time.perf_counter() < t_stop:
        lat, _ = c.call("textDocument/hover", {"textDocument": doc,
                                               "position": hover_at[i % len(hover_at)]})
        hover_lat.append(lat * ms)
        lat, _ = c.call("textDocument/completion", comp_params)
        comp_lat.append(lat * ms)
        i += 1
        indexes = indexes or "window/workDoneProgress/create" in c.server_requests
        if not indexes:
            if i >= requests:
                break
            continue
        if t_end is None:
            with c.cond:
                ended = [t for t, m in c.notifications if _progress_end(m)]
                begun = [t for t, m in c.notifications if _progress_begin(m)]
            if ended:
                t_end = ended[0]
                res["index_s"] = t_end - (begun[0] if begun else t_end)
                t_stop = min(t_stop, time.perf_counter() + AFTER_INDEX_S)
    res["indexing_hover_p50_ms"] = percentile(hover_lat, 0.5)
    res["indexing_hover_p99_ms"] = percentile(hover_lat, 0.99)
    res["indexing_hover_max_ms"] = max(hover_lat) if hover_lat else None
    res["indexing_completion_p50_ms"] = percentile(comp_lat, 0.5)
    res["indexing_completion_p99_ms"] = percentile(comp_lat, 0.99)
    res["indexing_completion_max_ms"] = max(comp_lat) if comp_lat else None
    res["indexing_requests"] = len(hover_lat) + len(comp_lat)
    if indexes and t_end is None:
        raise BenchError(f"{c.name}: indexing did not end in {INDEX_TIMEOUT:.0f} s")
    c.call("shutdown", None)
    c.notify("exit", None)


def _exercise(
    c: Client, res: Dict[str, Any], config: Path, big_path: Path, big_text: str, requests: int
) -> None:
    ms = 1000.0
    # 1. initialize; 2. didOpen -> first diagnostics
    _initialize(c, res, workspace_folders(config, "mmpretrain"))
    uri, text, version = _open_config(c, res, config)
    # Steady state: the workspace indexed (its own rows measure the latency
    # during indexing).
    _wait_indexed(c, res)

    # 3. hover / completion latency
    doc = {"uri": uri}
    hover_at, complete_at = _targets(text)
    lat, result = c.call("textDocument/hover", {"textDocument": doc, "position": hover_at[0]})
    res["hover_cold_ms"] = lat * ms
    hover_lat: List[float] = []
    hover_hits = 0
    hover_bytes: List[int] = []
    for i in range(requests + WARMUP_REQUESTS):
        pos = hover_at[i % len(hover_at)]
        lat, result = c.call("textDocument/hover", {"textDocument": doc, "position": pos})
        if i >= WARMUP_REQUESTS:
            hover_lat.append(lat * ms)
            hover_hits += result is not None
            hover_bytes.append(c.last_bytes)
    res["hover_p50_ms"] = percentile(hover_lat, 0.5)
    res["hover_p99_ms"] = percentile(hover_lat, 0.99)
    res["hover_answered_pct"] = 100.0 * hover_hits / max(1, len(hover_lat))
    res["hover_bytes"] = statistics.mean(hover_bytes) if hover_bytes else None

    comp_params = {
        "textDocument": doc,
        "position": complete_at,
        "context": {"triggerKind": 2, "triggerCharacter": "_"},
    }
    lat, result = c.call("textDocument/completion", comp_params)
    res["completion_cold_ms"] = lat * ms
    comp_lat: List[float] = []
    items = 0
    for i in range(requests + WARMUP_REQUESTS):
        lat, result = c.call("textDocument/completion", comp_params)
        if i >= WARMUP_REQUESTS:
            comp_lat.append(lat * ms)
        if isinstance(result, dict):
            items = len(result.get("items") or [])
        elif isinstance(result, list):
            items = len(result)
    res["completion_p50_ms"] = percentile(comp_lat, 0.5)
    res["completion_p99_ms"] = percentile(comp_lat, 0.99)
    res["completion_items"] = items
    res["completion_bytes"] = c.last_bytes

    # 4. burst of edits typed into the half-typed name
    start = complete_at
    since = c.mark()
    t_last = 0.0
    for k, ch in enumerate(TYPED):
        version += 1
        pos = {"line": start["line"], "character": start["character"] + k}
        t_last = c.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": {"start": pos, "end": pos}, "text": ch}],
            },
        )
    t1, _ = c.wait_notification(
        publish_for(uri, version), since, DIAG_TIMEOUT, f"diagnostics, version {version}"
    )
    res["burst_final_diagnostics_ms"] = (t1 - t_last) * ms
    res["burst_publishes"] = sum(
        1 for _, m in c.notifications[since:] if publish_for(uri)(m)
    )

    # 5. a 10,000-line document
    big_uri = big_path.as_uri()
    since = c.mark()
    t0 = c.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": big_uri, "languageId": "python", "version": 1, "text": big_text}},
    )
    t1, big = c.wait_notification(publish_for(big_uri), since, DIAG_TIMEOUT, "10k diagnostics")
    res["big_diagnostics_ms"] = (t1 - t0) * ms
    res["big_diagnostics_count"] = len(big["params"].get("diagnostics") or [])
    # hover near the end of the big document (informational: cost that grows with size)
    big_pos = position_of(big_text, "checkpoint='https", len("checkpoint='https") + 3, last=True)
    big_lat = []
    for _ in range(max(10, requests // 10)):
        lat, _ = c.call(
            "textDocument/hover", {"textDocument": {"uri": big_uri}, "position": big_pos}
        )
        big_lat.append(lat * ms)
    res["big_hover_p50_ms"] = percentile(big_lat, 0.5)

    # 6. peak RSS, then a clean shutdown
    res["peak_rss_mib"] = (c.peak_rss_kib() or 0) / 1024.0 or None
    c.call("shutdown", None)
    c.notify("exit", None)


# -- report -----------------------------------------------------------------------------


def machine() -> Dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        from importlib.metadata import version

        pygls_version = version("pygls")
        lsprotocol_version = version("lsprotocol")
    except Exception:  # noqa: BLE001
        pygls_version = lsprotocol_version = "?"
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "nproc": usable,
        "cpu": cpu,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "pygls": pygls_version,
        "lsprotocol": lsprotocol_version,
        "platform": platform.platform(),
    }


# (metric key, label, unit, kind, target); kinds: ratio (≤ target × floor),
# abs (mmname ≤ target), plus (≤ floor + target), info (no target).  Keys with
# a workspace suffix come from the runs during indexing (run_indexing).
METRICS = [
    ("initialize_ms", "initialize: spawn → response", "ms", "ratio", 1.1),
    ("first_diagnostics_ms", "first diagnostics: didOpen → publish", "ms", "plus", 20.0),
    ("spawn_first_diagnostics_ms", "first diagnostics: spawn → publish (as a user sees it)",
     "ms", "ratio", 1.1),
    ("hover_p50_ms", "hover p50 (workspace indexed)", "ms", "ratio", 1.3),
    ("hover_p99_ms", "hover p99 (workspace indexed)", "ms", "abs", 5.0),
    ("completion_p50_ms", "completion p50 (workspace indexed)", "ms", "ratio", 1.3),
    ("completion_p99_ms", "completion p99 (workspace indexed)", "ms", "abs", 5.0),
    ("indexing_hover_p99_ms@mmpretrain", "hover p99 while MMPretrain is indexed", "ms", "abs",
     5.0),
    ("indexing_completion_p99_ms@mmpretrain", "completion p99 while MMPretrain is indexed",
     "ms", "abs", 5.0),
    ("indexing_hover_p99_ms@family", "hover p99 while the family corpus is indexed", "ms",
     "abs", 5.0),
    ("indexing_completion_p99_ms@family", "completion p99 while the family corpus is indexed",
     "ms", "abs", 5.0),
    ("big_diagnostics_ms", f"{BIG_LINES:,}-line file: didOpen → publish", "ms", "abs", 100.0),
    ("burst_final_diagnostics_ms", f"{BURST_EDITS} edits: last edit → final publish", "ms",
     "abs", 200.0),
    ("peak_rss_mib", "peak RSS (VmHWM)", "MiB", "ratio", 1.3),
    ("initialized_ms", "initialize: spawn → `initialized` sent", "ms", "info", None),
    ("indexing_hover_max_ms@mmpretrain", "hover max while MMPretrain is indexed", "ms", "info",
     None),
    ("indexing_completion_max_ms@mmpretrain", "completion max while MMPretrain is indexed", "ms",
     "info", None),
    ("indexing_hover_max_ms@family", "hover max while the family corpus is indexed", "ms",
     "info", None),
    ("indexing_completion_max_ms@family", "completion max while the family corpus is indexed",
     "ms", "info", None),
    ("index_s@mmpretrain", "indexing MMPretrain (progress begin → end)", "s", "info", None),
    ("index_s@family", "indexing the family corpus (progress begin → end)", "s", "info", None),
    ("indexing_requests@family", "requests answered while the family corpus is indexed", "",
     "info", None),
    ("hover_bytes", "hover answer size (bytes, mean)", "", "info", None),
    ("completion_bytes", "completion answer size (bytes)", "", "info", None),
    ("hover_cold_ms", "hover, first request", "ms", "info", None),
    ("completion_cold_ms", "completion, first request", "ms", "info", None),
    ("big_hover_p50_ms", f"hover p50 near the end of the {BIG_LINES:,}-line file", "ms", "info",
     None),
    ("first_diagnostics_count", "diagnostics in the first publish", "", "info", None),
    ("big_diagnostics_count", f"diagnostics in the {BIG_LINES:,}-line file", "", "info", None),
    ("burst_publishes", "publishes during the burst", "", "info", None),
    ("completion_items", "completion items", "", "info", None),
    ("hover_answered_pct", "hovers answered (non-null)", "%", "info", None),
]


def values_of(runs: List[dict], key: str) -> List[float]:
    return [r[key] for r in runs if isinstance(r.get(key), (int, float))]


def evaluate(floor: Optional[float], mine: Optional[float], kind: str, target) -> dict:
    out: Dict[str, Any] = {"floor": floor, "mmname": mine, "kind": kind, "target": target}
    if mine is None:
        out["met"] = None if kind == "info" else False
        return out
    if floor:
        out["ratio"] = mine / floor
    if kind == "ratio":
        out["met"] = floor is not None and mine <= target * floor
    elif kind == "abs":
        out["met"] = mine <= target
    elif kind == "plus":
        out["met"] = floor is not None and mine <= floor + target
        out["delta"] = None if floor is None else mine - floor
    else:
        out["met"] = None
    return out


def fmt(v: Optional[float], unit: str) -> str:
    if v is None:
        return "—"
    if unit in ("", "%") and float(v).is_integer():
        return f"{int(v)}{unit}"
    if abs(v) >= 100:
        return f"{v:.0f} {unit}".strip()
    if abs(v) >= 10:
        return f"{v:.1f} {unit}".strip()
    return f"{v:.2f} {unit}".strip()


def spread(values: List[float], unit: str) -> str:
    if len(values) < 2:
        return ""
    return f"{fmt(min(values), unit)} – {fmt(max(values), unit)}"


def target_text(e: dict, unit: str) -> str:
    kind, target = e["kind"], e["target"]
    ratio = e.get("ratio")
    r = f"{ratio:.2f}×" if ratio is not None else "—"
    if kind == "ratio":
        return f"{r} (≤ {target}×)"
    if kind == "abs":
        return f"{r} (≤ {target:g} {unit})"
    if kind == "plus":
        d = e.get("delta")
        ds = "—" if d is None else f"{d:+.1f} {unit}"
        return f"{ds} (≤ +{target:g} {unit})"
    return r if unit in ("ms", "MiB") else ""


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [
        f"Machine: nproc={m['nproc']}, CPU: {m['cpu']}, {m['implementation']} {m['python']}, "
        f"pygls {m['pygls']}, lsprotocol {m['lsprotocol']} ({m['platform']})",
        f"Document: {report['config']}; {report['runs']} runs (servers alternated), "
        f"{report['requests']} hover + {report['requests']} completion requests per run "
        f"(after {WARMUP_REQUESTS} warm-up each); medians over runs, spread = "
        "min – max over runs.",
        "",
        "| metric | floor | floor spread | mmname | mmname spread | ratio/target | met? |",
        "|---|---:|---:|---:|---:|---|:---:|",
    ]
    for key, label, unit, _kind, _ in METRICS:
        e = report["results"][key]
        met = {True: "yes", False: "**NO**", None: ""}[e["met"]]
        lines.append(
            f"| {label} | {fmt(e['floor'], unit)} | {spread(e['floor_values'], unit)} | "
            f"{fmt(e['mmname'], unit)} | {spread(e['mmname_values'], unit)} | "
            f"{target_text(e, unit)} | {met} |"
        )
    missed = [lbl for k, lbl, _, kind, _ in METRICS
              if kind != "info" and report["results"][k]["met"] is False]
    lines.append("")
    lines.append(f"Targets missed: {', '.join(missed) if missed else 'none'}")
    for name in ("floor", "mmname"):
        runs = report["per_run"][name] + report["indexing_runs"][name]
        codes = [r.get("exit_code") for r in runs]
        asked = sorted({q for r in runs for q in r["server_requests"]})
        lines.append(f"{name}: exit codes {codes}; server→client requests {asked}")
        for r in runs:
            if "error" in r:
                lines.append(f"  error: {r['error']}")
                if r.get("stderr_tail"):
                    lines.append("  stderr: " + r["stderr_tail"].replace("\n", "\n    "))
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="repetitions per server (default 5)")
    ap.add_argument("--requests", type=int, default=500,
                    help="hover and completion requests per run (default 500)")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = ap.parse_args(argv)
    # An installed package has its bytecode compiled (pip does it); a checkout
    # run with PYTHONDONTWRITEBYTECODE=1 would otherwise recompile every start.
    import compileall

    compileall.compile_dir(str(Path(__file__).resolve().parents[1] / "mmname_lsp"), quiet=1)
    runs = max(1, args.runs)
    requests = max(10, args.requests)

    config = next((p for p in CONFIG_CANDIDATES if p.is_file()), None)
    if config is None:
        print("no benchmark config found", file=sys.stderr)
        return 0

    # Warm the file cache and the .pyc files so that the first spawn is not special.
    try:
        subprocess.run(
            [sys.executable, "-c", "import lsprotocol.types, pygls.lsp.server, "
             "mmname_lsp.server.app"],
            cwd=str(ROOT), timeout=120, capture_output=True, check=False,
        )
    except subprocess.TimeoutExpired:
        pass

    per_run: Dict[str, List[dict]] = {"floor": [], "mmname": []}
    indexing_runs: Dict[str, List[dict]] = {"floor": [], "mmname": []}
    with tempfile.TemporaryDirectory(prefix="mmname-bench-") as tmp:
        big_path = Path(tmp) / "configs" / "resnet" / "resnet50_8xb32-bench10k_in1k.py"
        big_path.parent.mkdir(parents=True)
        big_text = big_document()
        big_path.write_text(big_text, encoding="utf-8")
        for i in range(runs):
            order = ["floor", "mmname"] if i % 2 == 0 else ["mmname", "floor"]
            for name in order:
                if not args.json:
                    print(f"run {i + 1}/{runs}: {name} …", file=sys.stderr, flush=True)
                per_run[name].append(run_server(name, config, big_path, big_text, requests))
                for workspace in WORKSPACES:
                    if workspace == "family" and not FAMILY.is_dir():
                        continue
                    if not args.json:
                        print(f"run {i + 1}/{runs}: {name}, requests while {workspace} is "
                              "indexed …", file=sys.stderr, flush=True)
                    got = run_indexing(name, config, workspace, requests)
                    got["workspace"] = workspace
                    indexing_runs[name].append(got)

    results = {}
    for key, _, _, kind, target in METRICS:
        base, _, workspace = key.partition("@")
        values = {}
        for name in ("floor", "mmname"):
            runs_of = [r for r in indexing_runs[name] if r.get("workspace") == workspace] \
                if workspace else per_run[name]
            values[name] = values_of(runs_of, base)
        results[key] = evaluate(
            statistics.median(values["floor"]) if values["floor"] else None,
            statistics.median(values["mmname"]) if values["mmname"] else None, kind, target
        )
        results[key]["floor_values"] = values["floor"]
        results[key]["mmname_values"] = values["mmname"]
    report = {
        "machine": machine(),
        "config": str(config.relative_to(ROOT.parent)) if ROOT.parent in config.parents
        else str(config),
        "runs": runs,
        "requests": requests,
        "results": results,
        "per_run": per_run,
        "indexing_runs": indexing_runs,
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(markdown(report))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
