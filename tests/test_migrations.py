"""The migrations are the only way the schema is made: round trips and drift."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, TableClause, column, func, insert, inspect, select, table

from hallofshame.db import migrate
from hallofshame.db.dialects import recreate_database
from hallofshame.db.engine import make_engine
from hallofshame.db.models import Base, Park, ParkDayRollup, ScheduleDay
from hallofshame.db.types import UTCDateTime
from tests.conftest import sibling_url

HEAD = "0012"


@pytest.fixture
def scratch_engine(db_url: str) -> Engine:
    url = sibling_url(db_url, "mig")
    recreate_database(url)
    eng = make_engine(url)
    yield eng
    eng.dispose()


def _add_park(conn: Connection, name: str, tz: str = "America/New_York") -> int:
    row = conn.execute(
        insert(Park.__table__).values(
            name=name,
            timezone=tz,
            is_disney=False,
            is_universal=False,
            reports_down=True,
            active=True,
        )
    )
    return int(row.inserted_primary_key[0])


def test_round_trip_keeps_rows_of_earlier_revisions(scratch_engine: Engine) -> None:
    migrate.upgrade(scratch_engine)
    assert migrate.current(scratch_engine) == HEAD
    with scratch_engine.begin() as conn:
        _add_park(conn, "Lakeshore Kingdom")
    migrate.downgrade(scratch_engine, "0001")
    assert "weather_observations" not in inspect(scratch_engine).get_table_names()
    migrate.upgrade(scratch_engine)
    with scratch_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Park.__table__)).scalar() == 1
    migrate.downgrade(scratch_engine, "base")
    assert set(inspect(scratch_engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(scratch_engine)
    assert migrate.current(scratch_engine) == HEAD
    with scratch_engine.begin() as conn:
        _add_park(conn, "Again", "UTC")


def test_rollups_of_before_0004_keep_their_sums_with_unknown_span(
    scratch_engine: Engine,
) -> None:
    """0004 adds the observed time to the rollups: older rows stay, their span unknown."""
    migrate.upgrade(scratch_engine, "0003")
    with scratch_engine.begin() as conn:
        park_id = _add_park(conn, "Lakeshore Kingdom")
        old = {
            "park_id": park_id,
            "local_date": date(2026, 7, 1),
            "metrics_version": 1,
            "open_s": 36000,
            "cycles": 150,
            "weighted_down_s": 900,
            "weighted_capacity_s": 720000,
            "computed_at": datetime(2026, 7, 2, 6, 0, tzinfo=UTC),
        }
        conn.execute(insert(_rollups_of_0003()).values(**old))
    migrate.upgrade(scratch_engine)
    table = ParkDayRollup.__table__
    with scratch_engine.connect() as conn:
        row = conn.execute(select(table)).one()._mapping
    assert row["span_s"] is None
    # 0006 dropped the weighted sums (weights are applied when figures are read).
    kept = {k: v for k, v in old.items() if k != "computed_at" and not k.startswith("weighted")}
    assert {k: row[k] for k in kept} == kept
    migrate.downgrade(scratch_engine, "0003")
    assert "span_s" not in {
        c["name"] for c in inspect(scratch_engine).get_columns("park_day_rollups")
    }
    migrate.upgrade(scratch_engine)
    with scratch_engine.connect() as conn:
        assert conn.execute(select(table.c.open_s)).scalar_one() == 36000


def _rollups_of_0003() -> TableClause:
    """``park_day_rollups`` as revision 0003 made it (the models describe head)."""
    names = ("park_id", "local_date", "metrics_version", "open_s", "cycles")
    return table(
        "park_day_rollups",
        *(column(n) for n in names),
        column("weighted_down_s"),
        column("weighted_capacity_s"),
        column("computed_at", UTCDateTime()),
    )


def test_every_schedule_fetch_is_kept_and_a_downgrade_keeps_the_latest(
    scratch_engine: Engine,
) -> None:
    """0006 keys schedule days by their fetch too; going back keeps each date's newest."""
    migrate.upgrade(scratch_engine)
    early = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)
    late = datetime(2026, 7, 2, 6, 0, tzinfo=UTC)
    days = ScheduleDay.__table__
    with scratch_engine.begin() as conn:
        park_id = _add_park(conn, "Lakeshore Kingdom")
        for fetched in (early, late):
            conn.execute(
                insert(days).values(
                    park_id=park_id, local_date=date(2026, 7, 3), fetched_at=fetched
                )
            )
    migrate.downgrade(scratch_engine, "0005")
    with scratch_engine.connect() as conn:
        rows = conn.execute(select(days.c.fetched_at)).scalars().all()
    assert rows == [late]
    migrate.upgrade(scratch_engine)
    assert migrate.current(scratch_engine) == HEAD


def test_locks_held_across_0010_keep_ten_minutes_after_their_heartbeat(
    scratch_engine: Engine,
) -> None:
    """0010 gives every lock a lease's end: for a lock held while upgrading, the old rule's
    (ten minutes after its last heartbeat)."""
    migrate.upgrade(scratch_engine, "0009")
    beat = datetime(2026, 12, 5, 10, 0, 7, tzinfo=UTC)
    locks = table(
        "job_locks",
        column("name"),
        column("run_id"),
        column("holder"),
        column("acquired_at", UTCDateTime()),
        column("heartbeat_at", UTCDateTime()),
    )
    with scratch_engine.begin() as conn:
        conn.execute(
            insert(locks).values(
                name="collect", run_id=None, holder="h:1", acquired_at=beat, heartbeat_at=beat
            )
        )
    migrate.upgrade(scratch_engine)
    with scratch_engine.connect() as conn:
        expires = conn.execute(select(column("expires_at", UTCDateTime())).select_from(locks))
        assert expires.scalar_one() == datetime(2026, 12, 5, 10, 10, 7, tzinfo=UTC)


def test_models_and_migrations_do_not_drift(engine: Engine) -> None:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_instants_come_back_as_aware_utc(session) -> None:  # type: ignore[no-untyped-def]
    from hallofshame.db.models import JobRun

    started = datetime(2026, 7, 21, 12, 0, 2, tzinfo=UTC)
    session.add(JobRun(job="probe", started_at=started, outcome="ok"))
    session.flush()
    session.expire_all()
    got = session.scalars(select(JobRun.started_at).where(JobRun.job == "probe")).one()
    assert got == started and got.tzinfo is not None
