"""A collection cycle costs the database a fixed number of statements per park, however
many rides the park has: rides are looked up and observations written in batches."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from hallofshame import clock
from hallofshame.catalog import bundled_parks
from hallofshame.db.models import Cycle, Observation, Park
from hallofshame.ingest.collector import park_refs
from hallofshame.ingest.live_sources import SimulatedSource
from hallofshame.ingest.simulate import link_simulated_ids
from hallofshame.jobs.collect import collect_once

# Midday in July: every simulated park is open and polled.
NOON = datetime(2026, 7, 18, 17, 0, tzinfo=UTC)


@pytest.fixture
def catalog(committed_factory: sessionmaker[Session]) -> Iterator[sessionmaker[Session]]:
    with committed_factory() as s, s.begin():
        link_simulated_ids(s, bundled_parks())
    yield committed_factory
    clock.set_now(None)


def _statements(factory: sessionmaker[Session], park_name: str, at: datetime) -> tuple[int, int]:
    """(statements sent, observations stored) for one park's cycle at ``at``."""
    engine = factory.kw["bind"]
    sent: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        sent.append(statement)

    with factory() as s:
        refs = [r for r in park_refs(s) if r.name == park_name]
    clock.set_now(at)
    event.listen(engine, "before_cursor_execute", count)
    try:
        report = collect_once(factory, SimulatedSource(), interval_s=300, parks=refs)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert report.cycles == 1, report
    with factory() as s:
        stored = s.scalar(
            select(func.count())
            .select_from(Observation)
            .join(Cycle, Cycle.id == Observation.cycle_id)
            .join(Park, Park.id == Cycle.park_id)
            .where(Park.name == park_name, Cycle.ts == at)
        )
    return len(sent), stored or 0


def test_statements_per_cycle_do_not_grow_with_rides(catalog: sessionmaker[Session]) -> None:
    with catalog() as s:
        sizes = {
            name: n
            for name, n in s.execute(
                select(Park.name, func.count()).join(Park.rides).group_by(Park.name)
            )
        }
    big = max(sizes, key=lambda n: (sizes[n], n))
    small = min(sizes, key=lambda n: (sizes[n], n))
    assert sizes[big] >= 3 * sizes[small]
    # The second cycle of each park is the steady state (the first may meet new rides).
    for name in (big, small):
        _statements(catalog, name, NOON)
    big_sent, big_rows = _statements(catalog, big, NOON + timedelta(minutes=5))
    small_sent, small_rows = _statements(catalog, small, NOON + timedelta(minutes=5))
    assert big_rows >= 3 * small_rows > 0
    assert big_sent == small_sent, (big_sent, small_sent)
