"""Write the shell completion scripts of `mmname` from its argument parser:
``completions/mmname.bash``, ``completions/_mmname`` (zsh) and
``completions/mmname.fish``.  The same text is printed by
``mmname completion bash|zsh|fish``.

    python scripts/generate_completions.py          # write
    python scripts/generate_completions.py --check  # exit 1 when a file is stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mmname_lsp.cli.completion import FILE_NAMES, SHELLS, script  # noqa: E402
from mmname_lsp.cli.main import build_parser  # noqa: E402

FOLDER = ROOT / "completions"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 when a file is stale")
    args = ap.parse_args()
    stale = []
    for shell in SHELLS:
        path = FOLDER / FILE_NAMES[shell]
        text = script(shell, build_parser())
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            continue
        if args.check:
            stale.append(path)
        else:
            FOLDER.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if stale:
        names = ", ".join(str(p.relative_to(ROOT)) for p in stale)
        print(f"stale: {names}; run python scripts/generate_completions.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
