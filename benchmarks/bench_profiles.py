"""How long deciding each file's profile takes, and what it decides, over the
config trees of the shared family corpus (MMDetection, MMSegmentation,
MMPose, MMAction2) and the MMPretrain tree.

    python3 benchmarks/bench_profiles.py [--corpus DIR] [--json]

For each tree: the files, the time to decide every file's profile with a
fresh finder (cold: every base file, repository and folder read once) and
again with the same finder (warm: what the server pays per edit, the base
files' stamps checked), and how many files each profile got.  Nothing is
installed and ``MMNAME_PROFILE`` is ignored: the evidence is the files'.

This is a measurement, not a test: it prints what it measured and exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mmname_lsp.analysis.profile_of import ProfileFinder  # noqa: E402
from mmname_lsp.settings import Settings  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
TREES = ("family/mmdet/configs", "family/mmseg/configs", "family/mmpose/configs",
         "family/mmaction2/configs", "mmpretrain/tree/configs")


def measure(folder: Path) -> dict:
    texts = [(str(p), p.read_text(encoding="utf-8", errors="replace"))
             for p in sorted(folder.rglob("*.py"))]
    finder = ProfileFinder(installed={})
    settings = Settings()
    started = time.perf_counter()
    chosen = [finder.choose(p, t, settings).name for p, t in texts]
    cold = time.perf_counter() - started
    started = time.perf_counter()
    for p, t in texts:
        finder.choose(p, t, settings)
    warm = time.perf_counter() - started
    n = max(len(texts), 1)
    return {"tree": str(folder), "files": len(texts), "cold_ms": cold * 1000,
            "warm_ms": warm * 1000, "cold_ms_per_file": cold * 1000 / n,
            "warm_ms_per_file": warm * 1000 / n,
            "profiles": dict(Counter(chosen).most_common())}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    os.environ.pop("MMNAME_PROFILE", None)
    rows = [measure(args.corpus / t) for t in TREES if (args.corpus / t).is_dir()]
    if not rows:
        print(f"no corpus trees under {args.corpus}")
        return 0
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for r in rows:
        profiles = ", ".join(f"{k} {v}" for k, v in r["profiles"].items())
        print(f"{r['tree']}: {r['files']} files, cold {r['cold_ms']:.0f} ms "
              f"({r['cold_ms_per_file']:.2f} ms/file), warm {r['warm_ms']:.0f} ms "
              f"({r['warm_ms_per_file']:.2f} ms/file); {profiles}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
