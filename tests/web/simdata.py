"""A small simulated history for the dashboard tests (and for looking at it by hand).

A handful of parks (Disney, Universal and Queue-Times-only ones, so that the
"Disney & Universal" filter changes the tables) over eleven days up to a pinned
instant: enough for today, yesterday, last week and the 7-day eligibility rule.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

#: Wednesday afternoon in Florida: parks are open, last week is complete.
PINNED_NOW = "2026-03-18T17:32:00Z"
#: Queue-Times ids: Magic Kingdom, Disneyland, Islands of Adventure, Cedar Point, Dollywood,
#: and Busch Gardens Tampa (a Queue-Times park open in March: inferred breakdowns).
PARK_IDS = (6, 16, 64, 50, 55, 24)
DAYS = 11
INTERVAL_S = 300


def pin_environment(db_path: Path) -> None:
    """Point the settings at ``db_path`` and pin the clock (the app reads both)."""
    from hallofshame.config import reset_settings

    os.environ["HOS_DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["HOS_NOW"] = PINNED_NOW
    os.environ["HOS_ENV"] = "test"
    os.environ["HOS_COLLECT_INTERVAL"] = str(INTERVAL_S)
    os.environ.setdefault("HOS_SLOW_QUERY_MS", "600000")  # big simulator queries are expected
    reset_settings()


def build(db_path: Path) -> None:
    """Migrate a fresh SQLite file and fill it with simulated cycles and rollups."""
    from sqlalchemy.orm import sessionmaker

    from hallofshame.db import migrate
    from hallofshame.db.engine import make_engine
    from hallofshame.ingest.simulate import choose_parks
    from hallofshame.ingest.tiers import load_overrides
    from hallofshame.jobs.tasks import rollup_due, simulate_history

    pin_environment(db_path)
    engine = make_engine(f"sqlite:///{db_path}")
    migrate.upgrade(engine)
    factory = sessionmaker(engine, expire_on_commit=False)
    now = datetime.fromisoformat(PINNED_NOW.replace("Z", "+00:00")).astimezone(UTC)
    end = now.replace(second=0, microsecond=0) - timedelta(minutes=now.minute % 5)
    start = datetime.combine(now.date() - timedelta(days=DAYS), datetime.min.time(), UTC)
    parks = [p for p in choose_parks(None) if p.queue_times_id in PARK_IDS]
    with factory() as session, session.begin():
        load_overrides(session)
    simulate_history(factory, start=start, end=end, interval_s=INTERVAL_S, parks=parks)
    rollup_due(factory)
    engine.dispose()


if __name__ == "__main__":  # build a database to look at: python tests/web/simdata.py PATH
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "var/web-dev.db")
    target.unlink(missing_ok=True)
    build(target)
    print(target)
