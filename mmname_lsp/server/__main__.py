"""`mmname-lsp` entry point: our own argparse, since pygls's helper rejects `--stdio`."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import List, Optional

from mmname_lsp import __version__

EDITORS_README = "https://github.com/mmname-lsp/mmname-lsp/blob/main/editors/README.md"
TTY_HINT = (
    "mmname-lsp is a language server: it speaks the Language Server Protocol on\n"
    "stdin/stdout and waits for an editor to talk to it. Start it from your editor\n"
    f"(see {EDITORS_README}),\n"
    "or use `mmname check` and `mmname decode` in a terminal; `mmname-lsp --tcp`\n"
    "serves an editor over a loopback TCP port. Ctrl-C quits.\n"
)


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="mmname-lsp", description="Language server for OpenMMLab MMPretrain names."
    )
    ap.add_argument("--version", action="version", version=f"mmname-lsp {__version__}")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (default)")
    mode.add_argument("--tcp", action="store_true", help="listen on a TCP port")
    ap.add_argument("--host", default="127.0.0.1",
                    help="TCP host, a loopback address (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=2087,
                    help="TCP port (default 2087; 0: any free port, printed on stderr)")
    ap.add_argument("--log-file", metavar="PATH", help="write the log to this file")
    ap.add_argument("-v", "--verbose", action="count", default=0, help="more log (-vv: debug)")
    # VS Code's client may pass --clientProcessId=N; accept and ignore unknown extras.
    return ap


def _setup_logging(verbose: int, log_file: Optional[str]) -> None:
    level = logging.WARNING if verbose == 0 else (logging.INFO if verbose == 1 else logging.DEBUG)
    # Logs go to stderr or a file, never stdout: stdout carries the protocol.
    handler: logging.Handler
    if log_file:
        handler = logging.FileHandler(log_file, encoding="utf-8")
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # pygls logs every message body at INFO, and routine events (a cancelled
    # request) as warnings; keep those for -vv only.
    logging.getLogger("pygls").setLevel(logging.DEBUG if verbose >= 2 else logging.ERROR)


def _stdin_is_terminal() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):  # closed or detached
        return False


def main(argv: Optional[List[str]] = None) -> int:
    args, unknown = build_parser().parse_known_args(argv)
    try:
        _setup_logging(args.verbose, args.log_file)
    except OSError as exc:
        print(f"mmname-lsp: cannot open log file: {exc}", file=sys.stderr)
        return 2
    if unknown:
        logging.getLogger("mmname_lsp").info("ignoring arguments: %s", " ".join(unknown))
    if args.tcp:
        from mmname_lsp.server.io import is_loopback

        # Whoever connects can make the server read files: no other network.
        if not is_loopback(args.host):
            print(f"mmname-lsp: --host {args.host} is not a loopback address; "
                  "the server listens only on this machine (127.0.0.1, ::1, localhost)",
                  file=sys.stderr)
            return 2
    if not args.tcp and _stdin_is_terminal():
        # An editor never gives the server a terminal: a person typed the
        # command. Say what this is, then serve as asked (it may be a test).
        sys.stderr.write(TTY_HINT)
        sys.stderr.flush()
    from mmname_lsp.server.app import create_server

    server = create_server()
    if args.tcp:
        try:
            server.start_tcp(args.host, args.port)
        except OSError as exc:
            print(f"mmname-lsp: cannot listen on {args.host}:{args.port}: {exc}",
                  file=sys.stderr)
            return 2
    else:
        server.start_io()
    # The spec: exit code 0 only when `shutdown` came before `exit`.
    session = server.session
    if session.exit_received or session.shutdown_received:
        return 0 if session.shutdown_received else 1
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
