"""The database server stops in the middle of a collection and of a recompute, really.

Each test runs against a private MariaDB or PostgreSQL server (tests/servers.py) that it
stops at a chosen statement and starts again. What must hold: no partial cycle and no
half-written day; the API answers 503 in the error format while the database is down and
recovers without a restart; the next cycle and a rerun of the recompute complete.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from hallofshame import clock
from hallofshame.api.app import create_app
from hallofshame.catalog import bundled_parks
from hallofshame.config import get_settings
from hallofshame.db import migrate
from hallofshame.db.dialects import recreate_database
from hallofshame.db.engine import make_engine
from hallofshame.db.models import Cycle, Observation, RideDayRollup
from hallofshame.ingest.live_sources import SimulatedSource
from hallofshame.ingest.simulate import link_simulated_ids
from hallofshame.jobs import tasks
from hallofshame.jobs.collect import collect_once
from hallofshame.jobs.tasks import simulate_history
from tests.servers import PrivateServer, available

# Mid-afternoon on the US east coast: most simulated parks are open.
NOW = datetime(2026, 8, 14, 18, 0, tzinfo=UTC)
KINDS = ("mariadb", "postgres")


@pytest.fixture(scope="module", params=KINDS)
def server(request: pytest.FixtureRequest) -> Iterator[PrivateServer]:
    kind = request.param
    if not available(kind):
        if os.environ.get("HOS_REQUIRE_ALL_DATABASES"):
            pytest.fail(f"{kind} binaries are required for the fault tests")
        pytest.skip(f"no {kind} binaries on this machine")
    # Not under pytest's tmp_path: its parents are private to root, and PostgreSQL runs
    # as its own user.
    srv = PrivateServer(kind, Path(tempfile.mkdtemp(prefix=f"hos-{kind}-")))
    srv.init()
    srv.start()
    yield srv
    srv.close()


@pytest.fixture
def database(server: PrivateServer) -> Iterator[tuple[Engine, sessionmaker[Session]]]:
    recreate_database(server.url)
    engine = make_engine(server.url)
    migrate.upgrade(engine)
    clock.set_now(NOW)
    yield engine, sessionmaker(bind=engine, expire_on_commit=False)
    clock.set_now(None)
    engine.dispose()


@contextmanager
def stopping_after(engine: Engine, server: PrivateServer, prefix: str, nth: int) -> Iterator[None]:
    """Stop the server right after the nth statement starting with ``prefix`` has run."""
    seen = [0]

    def hook(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().startswith(prefix):
            seen[0] += 1
            if seen[0] == nth:
                server.stop()

    event.listen(engine, "after_cursor_execute", hook)
    try:
        yield
    finally:
        event.remove(engine, "after_cursor_execute", hook)
    assert seen[0] >= nth, f"only {seen[0]} statements {prefix!r}: the server was not stopped"


def _partial_cycles(factory: sessionmaker[Session]) -> list[tuple[int, int, int]]:
    """Cycles whose stored observations differ from the rides their poll saw."""
    with factory() as s:
        counts = (
            select(Observation.cycle_id, func.count().label("n"))
            .group_by(Observation.cycle_id)
            .subquery()
        )
        rows = s.execute(
            select(Cycle.id, Cycle.rides_seen, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.cycle_id == Cycle.id)
            .where(Cycle.rides_seen != func.coalesce(counts.c.n, 0))
        )
        return [tuple(r) for r in rows]


def test_collection_survives_the_database_stopping_midway(
    server: PrivateServer, database: tuple[Engine, sessionmaker[Session]]
) -> None:
    engine, factory = database
    with factory() as s, s.begin():
        link_simulated_ids(s, bundled_parks())
    source = SimulatedSource()
    first = collect_once(factory, source, interval_s=300)
    assert first.db_errors == 0 and first.cycles + first.issues == 48

    app = create_app(
        get_settings().model_copy(update={"env": "test", "cache_enabled": False, "rate_limit": ""}),
        session_factory=factory,
    )
    client = app.test_client()
    assert client.get("/api/parks/downtime?period=live").status_code == 200

    # The server stops once the fifth park's cycle row is written, before its rides are.
    clock.set_now(NOW + timedelta(minutes=5))
    with stopping_after(engine, server, "INSERT INTO cycles", 5):
        report = collect_once(factory, source, interval_s=300)  # must not raise
    assert report.cycles == 4
    assert report.cycles + report.issues + report.db_errors == 48
    assert report.db_errors >= 40  # every park after the stop

    down = client.get("/api/parks/downtime?period=today")
    assert down.status_code == 503
    assert down.json["error"]["code"] == "unavailable"

    server.start()
    assert client.get("/api/parks/downtime?period=today").status_code == 200  # same app
    assert _partial_cycles(factory) == []
    with factory() as s:
        at_stop = s.scalar(select(func.count()).select_from(Cycle).where(Cycle.ts == clock.now()))
    assert at_stop == 4

    clock.set_now(NOW + timedelta(minutes=10))
    after = collect_once(factory, source, interval_s=300)
    assert after.db_errors == 0 and after.cycles + after.issues == 48
    assert after.cycles >= first.cycles - 1  # a feed may go stale; the database took all
    assert _partial_cycles(factory) == []


def _rollups(factory: sessionmaker[Session]) -> list[tuple[object, ...]]:
    with factory() as s:
        return sorted(
            (r.ride_id, r.local_date, r.up_s, r.down_s, r.capacity_s, r.episodes, r.wait_n)
            for r in s.scalars(select(RideDayRollup))
        )


def test_recompute_survives_the_database_stopping_midway(
    server: PrivateServer, database: tuple[Engine, sessionmaker[Session]]
) -> None:
    engine, factory = database
    names = ("Animal Kingdom", "Peppa Pig Theme Park Florida")
    parks = [p for p in bundled_parks() if p.name in names]
    simulate_history(factory, start=NOW - timedelta(days=16), end=NOW, interval_s=900, parks=parks)
    tasks.rollup_due(factory)
    before = _rollups(factory)
    first, last = min(r[1] for r in before), max(r[1] for r in before)
    assert (last - first).days >= 14  # several park-weeks, so the stop lands mid-job

    # Stop while the second park-week is being replaced (its old rows just deleted).
    with (
        stopping_after(engine, server, "DELETE FROM ride_day_rollups", 2),
        pytest.raises(DBAPIError),
    ):
        tasks.recompute(factory, first, last, version=1)

    server.start()
    assert _rollups(factory) == before  # no half-written day: the cut week rolled back
    tasks.recompute(factory, first, last, version=1)
    assert _rollups(factory) == before
