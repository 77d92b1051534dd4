"""The retention purge takes what was derived from the raw data it deletes, and keeps what
the kept time still needs (each archive entity's latest state before the cut)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hallofshame import clock
from hallofshame.config import reset_settings
from hallofshame.db.models import (
    ArchiveEvent,
    JobRun,
    Park,
    ParkDayRunning,
    PendingPoll,
    Ride,
    RideDayRunning,
    StaleDay,
)
from hallofshame.jobs import tasks

NOW = datetime(2026, 8, 20, 12, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=40)
RECENT = NOW - timedelta(days=2)


def _running(ride: Ride, day: date) -> list[object]:
    sums = dict(up_s=0, down_s=0, capacity_s=0, wait_sum=0, wait_n=0, episodes=0)
    return [
        RideDayRunning(
            ride_id=ride.id,
            park_id=ride.park_id,
            local_date=day,
            metrics_version=1,
            observations=1,
            **sums,
        ),
        ParkDayRunning(
            park_id=ride.park_id,
            local_date=day,
            metrics_version=1,
            open_s=0,
            cycles=1,
            last_ts=NOW,
        ),
    ]


def _event(park: Park, entity: str, at: datetime, status: str) -> ArchiveEvent:
    return ArchiveEvent(
        park_id=park.id,
        entity_id=entity,
        event_time=at,
        name=entity,
        status=status,
        raw_status=status,
        wait_minutes=None,
        has_standby=False,
    )


def test_the_purge_takes_derived_rows_of_purged_time(
    committed_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOS_RAW_RETENTION_DAYS", "30")
    reset_settings()
    clock.set_now(NOW)
    try:
        with committed_factory() as s, s.begin():
            park = Park(name="Lakeshore Kingdom", timezone="America/New_York", wiki_id="p")
            s.add(park)
            s.flush()
            ride = Ride(park_id=park.id, name="Thunder Run", wiki_id="r", category="ATTRACTION")
            s.add(ride)
            s.flush()
            for day in (OLD.date(), RECENT.date()):
                s.add_all(_running(ride, day))
                s.add(StaleDay(park_id=park.id, local_date=day, marked_at=NOW))
            for at in (OLD, RECENT):
                s.add(PendingPoll(source="queue-times", upstream_park_id="9", ts=at, raw="{}"))
            s.add_all(
                [
                    _event(park, "r", OLD - timedelta(days=5), "DOWN"),
                    _event(park, "r", OLD, "OPERATING"),  # the latest before the cut
                    _event(park, "r", RECENT, "DOWN"),
                    _event(park, "s", OLD - timedelta(days=3), "CLOSED"),  # latest of "s"
                ]
            )
        tasks.purge_raw(committed_factory)
        with committed_factory() as s:
            for model in (RideDayRunning, ParkDayRunning, StaleDay):
                assert list(s.scalars(select(model.local_date))) == [RECENT.date()], model
            assert list(s.scalars(select(PendingPoll.ts))) == [RECENT]
            events = sorted(s.execute(select(ArchiveEvent.entity_id, ArchiveEvent.event_time)))
            assert events == [
                ("r", OLD),
                ("r", RECENT),
                ("s", OLD - timedelta(days=3)),
            ]
            assert s.scalar(select(JobRun.outcome).where(JobRun.job == "purge")) == "ok"
    finally:
        clock.set_now(None)
        reset_settings()
