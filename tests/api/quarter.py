"""A simulated quarter (90 days and a bit) of three small parks, built once per database.

One ThemeParks.wiki park (it reports DOWN) and two Queue-Times parks (breakdowns are
inferred) in three time zones, across the March change to daylight saving time. The
days are rolled up as the scheduler would, except a few days of one park whose rollups
are dropped, so that those days are read from raw observations; today is read from the
running sums or raw. The database is committed (the simulator commits a day at a time),
so it lives in a sibling database of its own and is dropped with the test run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from hallofshame.api.app import create_app
from hallofshame.config import get_settings, reset_settings
from hallofshame.db import migrate
from hallofshame.db.dialects import recreate_database
from hallofshame.db.engine import make_engine
from hallofshame.db.models import Park, ParkDayRollup, RideDayRollup
from hallofshame.ingest.simulate import choose_parks
from hallofshame.ingest.tiers import load_overrides
from hallofshame.jobs.tasks import rollup_due, simulate_history
from tests.conftest import sibling_url

NOW = "2026-03-18T17:32:00Z"
INTERVAL_S = 900
DAYS = 95
#: Queue-Times ids: Disney Hollywood Studios (wiki), SeaWorld San Diego, SeaWorld San Antonio.
PARKS = (7, 20, 22)
#: Local dates of the reporting park whose rollups are dropped (read from raw instead).
RAW_DAYS = (date(2026, 2, 10), date(2026, 3, 8))
ENV = {
    "HOS_NOW": NOW,
    "HOS_COLLECT_INTERVAL": str(INTERVAL_S),
    "HOS_ENV": "test",
    "HOS_SLOW_QUERY_MS": "600000",
}


@dataclass
class Quarter:
    client: FlaskClient
    factory: sessionmaker[Session]
    #: park id → reports_down, for the three parks
    parks: dict[int, bool]


def _pin() -> None:
    os.environ.update(ENV)
    reset_settings()


@pytest.fixture(scope="session")
def quarter(db_url: str) -> Iterator[Quarter]:
    saved = {k: os.environ.get(k) for k in ENV}
    _pin()
    url = sibling_url(db_url, "quarter")
    recreate_database(url)
    engine = make_engine(url)
    migrate.upgrade(engine)
    factory = sessionmaker(engine, expire_on_commit=False)
    now = datetime.fromisoformat(NOW.replace("Z", "+00:00")).astimezone(UTC)
    end = now.replace(second=0, microsecond=0) - timedelta(minutes=now.minute % 15)
    start = datetime.combine(now.date() - timedelta(days=DAYS), datetime.min.time(), UTC)
    chosen = [p for p in choose_parks(None) if p.queue_times_id in PARKS]
    try:
        with factory() as session, session.begin():
            load_overrides(session)
        simulate_history(factory, start=start, end=end, interval_s=INTERVAL_S, parks=chosen)
        rollup_due(factory)
        with factory() as session, session.begin():
            parks = {p.id: bool(p.reports_down) for p in session.scalars(select(Park))}
            reporting = next(pid for pid, reports in parks.items() if reports)
            for model in (RideDayRollup, ParkDayRollup):
                session.execute(
                    delete(model).where(model.park_id == reporting, model.local_date.in_(RAW_DAYS))
                )
        settings = get_settings().model_copy(update={"cache_enabled": False})
        app = create_app(settings, session_factory=factory)
        yield Quarter(client=app.test_client(), factory=factory, parks=parks)
    finally:
        engine.dispose()
        recreate_database(url)  # leave an empty database behind, not a quarter of data
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        reset_settings()


@pytest.fixture
def pinned_quarter(quarter: Quarter) -> Quarter:
    """Re-pin the clock for this test (other modules may have reset the settings)."""
    _pin()
    return quarter
