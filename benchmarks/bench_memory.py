"""Does the server's memory plateau over a long day of typing?

Spawns the server over stdio, warms it up, then sends 50,000 incremental
``didChange`` (typing a character and deleting it again, so the document keeps
its size) and 20,000 ``didOpen``/``didClose`` cycles of another document,
sampling VmRSS from /proc/PID/status after each phase.  The same runs against
the bare pygls server of benchmarks/floor_server.py give the floor: what
pygls, lsprotocol and the interpreter grow by themselves.

    python3 benchmarks/bench_memory.py [--edits 50000] [--cycles 20000]
                                       [--server-root DIR] [--no-floor] [--json]

``--server-root`` runs the mmname server from another checkout (its directory
goes first on PYTHONPATH), e.g. to measure a version before a fix.  Linux only
(/proc).  A measurement, not a test: it prints what it has and exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_server import BenchError, Client, client_capabilities  # noqa: E402

ROOT = HERE.parent
DOC = (
    "_base_ = ['../_base_/models/resnet50.py']\n"
    "load_from = 'resnet50_8xb32_in1k'\n"
    "model = dict(backbone=dict(depth=50))\n"
)
LINE = 1  # the line being typed into, inside the name string
COLUMN = len("load_from = 'resnet50_8xb32_in1k") - 1
TIMEOUT = 120.0
WARMUP_EDITS = 2_000
WARMUP_CYCLES = 1_000


def vm_rss_kib(pid: int) -> Optional[int]:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class Run:
    def __init__(self, name: str, client: Client) -> None:
        self.name = name
        self.client = client
        self.version = 1
        self.cycle_version = 0
        self.uri = (ROOT / "bench_memory_typing.py").as_uri()
        self.other = (ROOT / "bench_memory_cycle.py").as_uri()

    def start(self) -> None:
        c = self.client
        c.call("initialize", {"processId": os.getpid(), "rootUri": None,
                              "capabilities": client_capabilities()}, timeout=TIMEOUT)
        c.notify("initialized", {})
        since = c.mark()
        c.notify("textDocument/didOpen", {"textDocument": {
            "uri": self.uri, "languageId": "python", "version": 1, "text": DOC}})
        self._wait_publish(self.uri, 1, since)

    def _wait_publish(self, uri: str, version: int, since: int) -> None:
        def pred(m: Dict[str, Any]) -> bool:
            p = m.get("params") or {}
            return (m.get("method") == "textDocument/publishDiagnostics"
                    and p.get("uri") == uri and p.get("version") == version)

        self.client.wait_notification(pred, since, TIMEOUT, f"diagnostics of version {version}")

    def barrier(self) -> None:
        # Answered only after every earlier message was dispatched.
        self.client.call("textDocument/hover", {"textDocument": {"uri": self.uri},
                                                "position": {"line": LINE, "character": 15}},
                         timeout=TIMEOUT)

    def edits(self, n: int) -> None:
        c = self.client
        since = c.mark()
        for i in range(n):
            self.version += 1
            if i % 2 == 0:
                rng = {"start": {"line": LINE, "character": COLUMN},
                       "end": {"line": LINE, "character": COLUMN}}
                text = "x"
            else:
                rng = {"start": {"line": LINE, "character": COLUMN},
                       "end": {"line": LINE, "character": COLUMN + 1}}
                text = ""
            c.notify("textDocument/didChange", {
                "textDocument": {"uri": self.uri, "version": self.version},
                "contentChanges": [{"range": rng, "text": text}]})
        self._wait_publish(self.uri, self.version, since)
        self.barrier()

    def cycles(self, n: int) -> None:
        c = self.client
        since = c.mark()
        for _ in range(n):
            self.cycle_version += 1
            c.notify("textDocument/didOpen", {"textDocument": {
                "uri": self.other, "languageId": "python", "version": self.cycle_version,
                "text": DOC}})
            c.notify("textDocument/didClose", {"textDocument": {"uri": self.other}})
        # A document closed at once may never get diagnostics: the last one
        # stays open until its diagnostics arrived, so that all work is done.
        self.cycle_version += 1
        c.notify("textDocument/didOpen", {"textDocument": {
            "uri": self.other, "languageId": "python", "version": self.cycle_version,
            "text": DOC}})
        self._wait_publish(self.other, self.cycle_version, since)
        c.notify("textDocument/didClose", {"textDocument": {"uri": self.other}})
        self.barrier()
        # The client keeps what it was sent; that is not what is measured.
        with c.cond:
            del c.notifications[:]

    def rss(self) -> int:
        value = vm_rss_kib(self.client.proc.pid)
        if value is None:
            raise BenchError(f"{self.name}: no VmRSS for pid {self.client.proc.pid}")
        return value

    def stop(self) -> None:
        try:
            self.client.call("shutdown", None, timeout=TIMEOUT)
            self.client.notify("exit", None)
        except BenchError:
            pass
        self.client.close()


def measure(name: str, cmd: List[str], cwd: Path, env_root: Optional[Path],
            edits: int, cycles: int) -> Dict[str, Any]:
    saved = os.environ.get("PYTHONPATH")
    if env_root is not None:
        os.environ["PYTHONPATH"] = os.pathsep.join(
            [str(env_root)] + ([saved] if saved else []))
    try:
        client = Client(name, cmd, cwd)
    finally:
        if saved is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved
    run = Run(name, client)
    out: Dict[str, Any] = {"server": name}
    try:
        run.start()
        run.edits(WARMUP_EDITS)
        run.cycles(WARMUP_CYCLES)
        out["before_kib"] = run.rss()
        t = time.perf_counter()
        run.edits(edits)
        out["edits_s"] = time.perf_counter() - t
        out["after_edits_kib"] = run.rss()
        t = time.perf_counter()
        run.cycles(cycles)
        out["cycles_s"] = time.perf_counter() - t
        out["after_cycles_kib"] = run.rss()
    except BenchError as exc:
        out["error"] = str(exc)
        out["stderr"] = client.stderr_tail.decode("utf-8", "replace")[-1000:]
    finally:
        run.stop()
    return out


def mib(kib: Optional[int]) -> str:
    return "-" if kib is None else f"{kib / 1024:.1f}"


def table(results: List[Dict[str, Any]], edits: int, cycles: int) -> str:
    head = (f"{'server':<10} {'before':>8} {'+edits':>8} {'+cycles':>8} "
            f"{'edits':>8} {'cycles':>8} {'total':>8}   (MiB; {edits} didChange, "
            f"{cycles} open/close)")
    rows = [head]
    for r in results:
        b, e, c = r.get("before_kib"), r.get("after_edits_kib"), r.get("after_cycles_kib")
        grow_e = None if b is None or e is None else e - b
        grow_c = None if e is None or c is None else c - e
        total = None if b is None or c is None else c - b
        rows.append(f"{r['server']:<10} {mib(b):>8} {mib(e):>8} {mib(c):>8} "
                    f"{mib(grow_e):>8} {mib(grow_c):>8} {mib(total):>8}")
        if "error" in r:
            rows.append(f"  {r['server']}: {r['error']}")
    return "\n".join(rows)


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--edits", type=int, default=50_000)
    ap.add_argument("--cycles", type=int, default=20_000)
    ap.add_argument("--server-root", type=Path, default=ROOT,
                    help="checkout whose mmname_lsp to run (default: this one)")
    ap.add_argument("--no-floor", action="store_true", help="skip the bare pygls server")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = ap.parse_args(argv)
    root = args.server_root.resolve()
    results = [measure("mmname", [sys.executable, "-m", "mmname_lsp", "--stdio"], root, root,
                       args.edits, args.cycles)]
    if not args.no_floor:
        results.append(measure("floor", [sys.executable, str(HERE / "floor_server.py")], ROOT,
                               None, args.edits, args.cycles))
    if args.json:
        print(json.dumps({"edits": args.edits, "cycles": args.cycles, "server_root": str(root),
                          "results": results}, indent=2))
    else:
        print(f"server root: {root}")
        print(table(results, args.edits, args.cycles))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
