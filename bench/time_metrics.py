"""Time the metrics layer on a dataset made by make_dataset.py.

    python bench/time_metrics.py --url mysql+pymysql://root@127.0.0.1:3306/hos_bench_s --runs 5

Reports the median and spread of several runs of: the park rankings of each period, a
one-day 15-minute park timeseries, 30 days' daily series of one park (the park page),
and the recompute of every rollup.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import timedelta


def timed(label: str, runs: int, fn: Callable[[], object]) -> None:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    p95 = sorted(samples)[math.ceil(0.95 * runs) - 1]  # nearest rank: a measured sample
    print(
        f"{label:<40} median {statistics.median(samples):9.1f} ms   p95 {p95:9.1f}   "
        f"min {min(samples):9.1f}   max {max(samples):9.1f}   (n={runs})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-recompute", action="store_true")
    parser.add_argument("--recompute-runs", type=int, default=1)
    args = parser.parse_args()
    os.environ["HOS_DATABASE_URL"] = args.url
    os.environ.setdefault("HOS_NOW", "2026-08-15T12:00:00Z")

    from sqlalchemy import func, select

    from hallofshame import clock
    from hallofshame.db.engine import session_factory
    from hallofshame.db.models import Observation, Park, Ride, RideDayRollup
    from hallofshame.jobs.tasks import recompute
    from hallofshame.metrics import rankings

    factory = session_factory()
    now = clock.now()
    with factory() as s:
        obs = s.scalar(select(func.count()).select_from(Observation))
        first = s.scalar(select(func.min(RideDayRollup.local_date)))
        last = s.scalar(select(func.max(RideDayRollup.local_date)))
        # The park with the most rides: the heaviest single-park series.
        biggest = (
            select(Ride.park_id)
            .group_by(Ride.park_id)
            .order_by(func.count().desc(), Ride.park_id)
            .limit(1)
            .scalar_subquery()
        )
        park = s.scalars(select(Park).where(Park.id == biggest)).one()
    print(
        f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} cores; "
        f"database: {args.url.split('@')[-1]}; observations: {obs}; rollups {first}..{last}; "
        f"single-park series of {park.name}"
    )

    def ranking(period: str) -> Callable[[], object]:
        def run() -> object:
            with factory() as s:
                snap = rankings.compute(s, period, now=now, version=1)
                return rankings.park_downtime(snap)

        return run

    for period in ("live", "today", "yesterday", "last_week", "last_month"):
        timed(f"park rankings, {period}", args.runs, ranking(period))

    from hallofshame.domain.periods import resolve
    from hallofshame.metrics import charts, timeseries

    def series() -> object:
        with factory() as s:
            start = now - timedelta(days=1)
            return timeseries.series(s, park, start, now, "15m", version=1, now=now)

    timed("one park, one day, 15-minute buckets", max(args.runs, 20), series)

    def month() -> object:
        # The park page's score through a month: one bucket per local day.
        with factory() as s:
            window = resolve("30days", now, park.timezone)
            return charts.window_series(s, park, window, version=1, now=now)

    timed("one park, 30 days, daily buckets", max(args.runs, 20), month)

    if not args.skip_recompute and first and last:
        timed(
            f"recompute {first}..{last}, all parks",
            args.recompute_runs,
            lambda: recompute(factory, first, last, version=1),
        )


if __name__ == "__main__":
    main()
