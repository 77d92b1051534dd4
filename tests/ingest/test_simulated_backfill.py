"""The demo serves after simulating its last day or two and fills the rest of its history
behind it, newest day first: the same cycles as a simulation run forward, rolled up, and
a fill stopped part-way and run again ends with the rows of one never stopped."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hallofshame.config import reset_settings
from hallofshame.db import migrate
from hallofshame.db.dialects import recreate_database
from hallofshame.db.engine import make_engine
from hallofshame.db.models import Cycle, ParkDayRollup
from hallofshame.jobs.tasks import simulate_backfill, simulate_until_now
from tests.conftest import sibling_url
from tests.ingest.test_resumable_load import dump

NOW = "2026-08-10T15:00:00Z"
PARKS, DAYS, INTERVAL = 2, 2, 900


@pytest.fixture
def factories(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[sessionmaker[Session]]]:
    monkeypatch.setenv("HOS_NOW", NOW)
    monkeypatch.setenv("HOS_COLLECT_INTERVAL", str(INTERVAL))
    reset_settings()
    engines = []
    for name in ("fill_stopped", "fill_whole", "fill_forward"):
        url = sibling_url(db_url, name)
        recreate_database(url)
        engine = make_engine(url)
        migrate.upgrade(engine)
        engines.append(engine)
    yield [sessionmaker(bind=e, expire_on_commit=False) for e in engines]
    for e in engines:
        e.dispose()
    reset_settings()


def _recent_then_fill(factory: sessionmaker[Session], **kwargs: Any) -> int:
    simulate_until_now(factory, days=0, interval_s=INTERVAL, park_count=PARKS)
    return simulate_backfill(
        factory, days=DAYS, interval_s=INTERVAL, park_count=PARKS, **kwargs
    ).days


def _cycles(factory: sessionmaker[Session]) -> list[tuple[int, Any]]:
    with factory() as s:
        return [
            tuple(r)
            for r in s.execute(select(Cycle.park_id, Cycle.ts).order_by(Cycle.ts, Cycle.park_id))
        ]


@pytest.mark.slow
def test_history_filled_behind_the_demo(factories: list[sessionmaker[Session]]) -> None:
    stopped, whole, forward = factories
    simulate_until_now(forward, days=DAYS, interval_s=INTERVAL, park_count=PARKS)
    assert _recent_then_fill(whole) == DAYS
    # Every poll of the forward run, none more: no hole and no overlap at the seams.
    assert _cycles(whole) == _cycles(forward)
    with whole() as s:
        rolled = s.scalar(select(func.count(func.distinct(ParkDayRollup.local_date))))
    assert rolled is not None and rolled >= DAYS  # the filled days are rolled up
    # Stopped after its first day, then run again: the rows of a fill never stopped.
    asked = iter([False, True])
    assert _recent_then_fill(stopped, stop=lambda: next(asked, True)) == 1
    assert simulate_backfill(stopped, days=DAYS, interval_s=INTERVAL, park_count=PARKS).days == 1
    assert dump(stopped.kw["bind"]) == dump(whole.kw["bind"])
