"""Print the mutation score per module from mutmut's results (scripts/mutation.sh).

A mutant counts as killed when a test failed or timed out on it; one that no selected test
reaches, or that every test survives, counts against the score.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

ROOT = Path(__file__).resolve().parents[1] / "mutants" / "src"
DETECTED = {"killed", "timeout", "caught by type check"}


def main() -> int:
    metas = sorted(ROOT.rglob("*.py.meta"))
    if not metas:
        print("no mutmut results under mutants/: run scripts/mutation.sh first", file=sys.stderr)
        return 1
    total: Counter[str] = Counter()
    print(f"{'module':45} {'killed':>7} {'total':>6} {'score':>7}  other")
    for meta in metas:
        codes = json.loads(meta.read_text())["exit_code_by_key"].values()
        if not codes:
            continue
        counts = Counter(status_by_exit_code[c] for c in codes)
        total += counts
        module = str(meta.relative_to(ROOT)).removesuffix(".meta")
        killed = sum(counts[s] for s in DETECTED)
        others = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()) if s not in DETECTED)
        print(f"{module:45} {killed:7} {len(codes):6} {killed / len(codes):7.1%}  {others}")
    killed, n = sum(total[s] for s in DETECTED), sum(total.values())
    print(f"{'all':45} {killed:7} {n:6} {killed / n:7.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
