"""Archive import throughput: observations per second of `hallofshame ingest archive`.

Writes a synthetic ThemeParks.wiki archive tree (REPLAY.md layout: one zlib-compressed
``{"events": [...]}`` file per local date, and the park's children file) for one park of
``--rides`` attractions over ``--days`` days, then times ``jobs.tasks.import_archive``
into a database it recreates, ``--runs`` times. The log is shaped like a real one: each
ride changes its posted wait every 10-40 minutes while the park is open (09:00-21:00
local), goes DOWN a few times a day, and is CLOSED from closing until the next morning,
so nights are gaps. A park-year is extrapolated from the rate.

    .venv/bin/python bench/archive_import.py --url mysql+pymysql://root@127.0.0.1:3306/hos_bench_archive
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import zlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from hallofshame.config import reset_settings
from hallofshame.db import migrate
from hallofshame.db.dialects import recreate_database
from hallofshame.db.engine import make_engine
from hallofshame.db.models import Observation
from hallofshame.jobs.tasks import import_archive

DESTINATION = "00000000-0000-4000-8000-00000000d000"
PARK = "00000000-0000-4000-8000-00000000a000"
TZ = "America/New_York"


def _event(ride: int, at: datetime, status: str, wait: int | None) -> dict[str, object]:
    return {
        "entityId": f"00000000-0000-4000-8000-{ride:012d}",
        "name": f"Ride {ride}",
        "parkId": PARK,
        "timezone": TZ,
        "eventTime": at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "localTime": at.isoformat(),
        "data": {"status": status, "queue": {"STANDBY": {"waitTime": wait}}},
    }


def write_archive(root: Path, *, first: date, days: int, rides: int, seed: int) -> int:
    """The tree; returns the number of events written."""
    rng = random.Random(seed)
    zone = ZoneInfo(TZ)
    children = {
        "id": PARK,
        "name": "Benchmark Park",
        "timezone": TZ,
        "children": [
            {
                "id": f"00000000-0000-4000-8000-{r:012d}",
                "name": f"Ride {r}",
                "entityType": "ATTRACTION",
            }
            for r in range(rides)
        ],
    }
    root.mkdir(parents=True, exist_ok=True)
    (root / f"children-{PARK}.json").write_text(json.dumps(children))
    total = 0
    for n in range(days):
        d = first + timedelta(days=n)
        opening = datetime(d.year, d.month, d.day, 9, tzinfo=zone)
        closing = datetime(d.year, d.month, d.day, 21, tzinfo=zone)
        events = []
        for r in range(rides):
            at = opening - timedelta(minutes=rng.randint(0, 20))
            while at < closing:
                if rng.random() < 0.03:
                    events.append(_event(r, at, "DOWN", None))
                    at += timedelta(minutes=rng.randint(5, 60))
                events.append(_event(r, at, "OPERATING", rng.randrange(5, 90, 5)))
                at += timedelta(minutes=rng.randint(10, 40))
            events.append(
                _event(r, closing + timedelta(minutes=rng.randint(0, 15)), "CLOSED", None)
            )
        events.sort(key=lambda e: str(e["eventTime"]))
        folder = root / DESTINATION / f"{d:%Y}" / f"{d:%m}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{d:%d}.json.gz").write_bytes(
            zlib.compress(json.dumps({"events": events}).encode())
        )
        total += len(events)
    return total


def one_run(url: str, tree: Path, interval_s: int) -> tuple[float, int, int]:
    recreate_database(url)
    engine = make_engine(url)
    migrate.upgrade(engine)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    started = time.perf_counter()
    stats = import_archive(factory, [tree], interval_s=interval_s)
    elapsed = time.perf_counter() - started
    with factory() as s:
        stored = int(s.scalar(select(func.count()).select_from(Observation)) or 0)
    engine.dispose()
    return elapsed, stats.observations, stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--rides", type=int, default=60)
    parser.add_argument("--interval", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    reset_settings()
    with tempfile.TemporaryDirectory(prefix="hos-archive-") as tmp:
        tree = Path(tmp) / "archive"
        events = write_archive(
            tree, first=date(2025, 6, 1), days=args.days, rides=args.rides, seed=args.seed
        )
        print(f"archive: 1 park, {args.rides} rides, {args.days} days, {events} events")
        rates = []
        for i in range(args.runs):
            elapsed, observations, stored = one_run(args.url, tree, args.interval)
            assert observations == stored, (observations, stored)
            rates.append(observations / elapsed)
            print(
                f"run {i + 1}: {observations} observations in {elapsed:.1f} s "
                f"= {rates[-1]:,.0f} obs/s"
            )
        rate = statistics.median(rates)
        year = observations * 365 / args.days
        print(
            f"median {rate:,.0f} observations/s (min {min(rates):,.0f}, max {max(rates):,.0f}); "
            f"a park-year ({year:,.0f} observations) in {year / rate / 60:.1f} minutes"
        )


if __name__ == "__main__":
    main()
