#!/usr/bin/env python3
"""Benchmark the server under file-watcher storms and many open documents.

Measured over real stdio (the JSON-RPC client of ``bench_server.py``):

* storm: a workspace of ``--files`` configs (default 20,000) is indexed; then
  ``--delete`` of them (default 10,000) are deleted on disk and announced in
  one ``workspace/didChangeWatchedFiles``; a hover is sent right after the
  notification and then every few milliseconds until the storm is handled.
  The figures are the first hover's latency and the worst one during the
  storm, against hovers of the same document before it (the floor);
* opens: ``--opens`` documents (default 5,000) are opened one after the
  other, in batches of 1,000, each batch closed by a hover that waits for all
  of them; the time of each batch shows whether the cost per open is flat
  (linear) or grows (quadratic).

This is a measurement, not a test: it exits 0 and prints what it measured.

    python3 benchmarks/bench_storm.py [--files 20000] [--delete 10000] [--opens 5000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_server import BenchError, Client, client_capabilities  # noqa: E402

SERVER = [sys.executable, "-m", "mmname_lsp", "--stdio"]
TIMEOUT = 600.0


def make_tree(root: Path, files: int) -> List[Path]:
    base = root / "configs" / "_base_" / "default_runtime.py"
    base.parent.mkdir(parents=True)
    base.write_text("default_scope = 'mmpretrain'\n")
    out = []
    for i in range(files - 1):
        folder = root / "configs" / f"group{i // 500:03d}"
        folder.mkdir(exist_ok=True)
        path = folder / f"net{i}_8xb32_in1k.py"
        path.write_text("_base_ = ['../_base_/default_runtime.py']\n")
        out.append(path)
    return out


def start(root: Path) -> Client:
    client = Client("mmname", SERVER, root)
    caps = client_capabilities()
    client.call("initialize", {"processId": os.getpid(), "rootUri": root.as_uri(),
                               "capabilities": caps,
                               "workspaceFolders": [{"uri": root.as_uri(), "name": "ws"}]},
                timeout=TIMEOUT)
    client.notify("initialized", {})
    return client


def open_doc(client: Client, path: Path, text: str) -> None:
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": path.as_uri(), "languageId": "python", "version": 1, "text": text}})


def hover(client: Client, uri: str) -> float:
    latency, _ = client.call("textDocument/hover", {
        "textDocument": {"uri": uri}, "position": {"line": 0, "character": 2}}, timeout=TIMEOUT)
    return latency * 1000


def wait_indexed(client: Client, since: int) -> None:
    def done(msg: Dict[str, Any]) -> bool:
        if msg.get("method") != "window/logMessage":
            return False
        return "indexed" in str((msg.get("params") or {}).get("message", ""))

    client.wait_notification(done, since, TIMEOUT, "the end of indexing")


def storm(files: int, delete: int) -> Dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="mmname-storm-") as tmp:
        root = Path(tmp)
        paths = make_tree(root, files)
        client = start(root)
        try:
            since = client.mark()
            t0 = time.perf_counter()
            wait_indexed(client, 0)
            index_s = time.perf_counter() - t0
            target = paths[-1]
            open_doc(client, target, target.read_text())
            uri = target.as_uri()
            floor = [hover(client, uri) for _ in range(30)]
            gone = paths[:delete]
            for p in gone:
                p.unlink()
            since = client.mark()
            client.notify("workspace/didChangeWatchedFiles", {"changes": [
                {"uri": p.as_uri(), "type": 3} for p in gone]})
            during = [hover(client, uri)]
            # Keep asking until the deletions are handled (the pushed
            # diagnostics of the open document come after the storm settles).
            deadline = time.perf_counter() + TIMEOUT
            while time.perf_counter() < deadline:
                if any(m.get("method") == "textDocument/publishDiagnostics"
                       for _, m in client.notifications[since:]):
                    break
                during.append(hover(client, uri))
                time.sleep(0.005)
            handled_s = time.perf_counter() - t0
            del handled_s
            return {"files": files, "deleted": delete, "index_s": index_s,
                    "floor_p50": statistics.median(floor), "first": during[0],
                    "worst": max(during), "hovers": len(during)}
        finally:
            client.notify("exit", None)
            client.close()


def opens(count: int) -> List[float]:
    tmp = Path(tempfile.mkdtemp(prefix="mmname-opens-"))
    try:
        client = start(tmp)
        try:
            times = []
            n = 0
            while n < count:
                t0 = time.perf_counter()
                for _ in range(min(1000, count - n)):
                    path = tmp / "configs" / f"m{n}" / f"net{n}_8xb32_in1k.py"
                    open_doc(client, path, "model = dict(type='ImageClassifier')\n")
                    n += 1
                    if n % 50 == 0:
                        # Keep the pipes flowing: the client reads the server's
                        # publishes in a thread that also answers its requests.
                        hover(client, path.as_uri())
                hover(client, path.as_uri())
                times.append((time.perf_counter() - t0) * 1000)
            return times
        finally:
            client.notify("exit", None)
            client.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: Any = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--delete", type=int, default=10_000)
    parser.add_argument("--opens", type=int, default=5_000)
    args = parser.parse_args(argv)
    try:
        s = storm(args.files, args.delete)
        print(f"storm: {s['files']:,} files indexed in {s['index_s']:.1f} s; "
              f"{s['deleted']:,} deleted in one didChangeWatchedFiles")
        print("| hover | latency |\n|---|---:|")
        print(f"| before the storm (floor, p50) | {s['floor_p50']:.1f} ms |")
        print(f"| first, sent right after the storm | {s['first']:.1f} ms |")
        print(f"| worst of {s['hovers']} during the storm | {s['worst']:.1f} ms |")
        batches = opens(args.opens)
        print(f"\nopens: {args.opens:,} documents, 1,000 per batch")
        print("| batch | time | per open |\n|---|---:|---:|")
        for i, ms in enumerate(batches, 1):
            print(f"| {i} | {ms:.0f} ms | {ms / 1000:.2f} ms |")
        if len(batches) > 1:
            print(f"last/first batch: {batches[-1] / batches[0]:.2f}x (flat = linear)")
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
