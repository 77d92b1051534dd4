"""Build a standard dataset with the simulator: S = 48 parks × 14 days, L = 48 × 90 days.

    python bench/make_dataset.py --size S --url mysql+pymysql://root@127.0.0.1:3306/hos_bench_s

The database named in --url is dropped and recreated. The clock is pinned (HOS_NOW) so
the dataset is the same on every run and machine.
"""

from __future__ import annotations

import argparse
import os
import time

SIZES = {"S": 14, "L": 90, "XS": 3}
PINNED_NOW = "2026-08-15T12:00:00Z"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    parser.add_argument("--url", required=True, help="SQLAlchemy URL of the bench database")
    parser.add_argument(
        "--parks", type=int, default=48, help="the catalog's 48, then synthetic parks"
    )
    parser.add_argument("--days", type=int, default=None, help="instead of the size's days")
    args = parser.parse_args()
    days = args.days if args.days is not None else SIZES[args.size]
    os.environ["HOS_DATABASE_URL"] = args.url
    os.environ.setdefault("HOS_NOW", PINNED_NOW)

    from hallofshame.db import migrate
    from hallofshame.db.dialects import recreate_database
    from hallofshame.db.engine import get_engine, session_factory
    from hallofshame.jobs.tasks import simulate_until_now

    recreate_database(args.url)
    migrate.upgrade(get_engine())
    started = time.perf_counter()
    stats = simulate_until_now(
        session_factory(),
        days=days,
        interval_s=300,
        park_count=args.parks,
        rollups=True,
        progress=True,
    )
    elapsed = time.perf_counter() - started
    print(
        f"dataset {args.size if args.days is None else ''}: {args.parks} parks, {days} days, "
        f"{stats.cycles} cycles, {stats.observations} observations, {elapsed:.0f} s "
        f"({stats.observations / elapsed:.0f} observations/s, rollups included)"
    )


if __name__ == "__main__":
    main()
