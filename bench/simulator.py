"""How fast the simulator renders a day of the whole catalog (48 parks, 5-minute ticks).

    python bench/simulator.py [--runs 5]

Prints the median, min and max wall time of rendering every REPLAY.md line of one day,
and lines per second. The standard datasets (``make_dataset.py``) are built from these
lines, so this bounds how fast they can be made; the tests check the lines, not the time.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta

from hallofshame.sources.simulator import Simulator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    start = datetime(2026, 7, 14, 4, tzinfo=UTC)
    times, count = [], 0
    for _ in range(args.runs):
        began = time.perf_counter()
        count = sum(1 for _ in Simulator().replay_lines(start, start + timedelta(days=1)))
        times.append(time.perf_counter() - began)
    median = statistics.median(times)
    print(
        f"simulator: {count} lines for a day of all parks; median {median:.2f} s "
        f"(min {min(times):.2f}, max {max(times):.2f}, {args.runs} runs), "
        f"{count / median:,.0f} lines/s"
    )


if __name__ == "__main__":
    main()
