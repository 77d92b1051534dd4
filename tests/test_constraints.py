"""The database itself refuses rows that would corrupt the figures."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from hallofshame.db.models import Cycle, Observation, Park, Ride, RideDayRollup

T = datetime(2026, 7, 21, 14, 0, 2, tzinfo=UTC)


def _park(session: Session, name: str) -> Park:
    park = Park(
        name=name,
        timezone="America/New_York",
        is_disney=False,
        is_universal=False,
        reports_down=True,
        active=True,
    )
    session.add(park)
    session.flush()
    return park


def _ride(session: Session, park: Park, name: str) -> Ride:
    ride = Ride(
        park_id=park.id, name=name, category="ATTRACTION", tier_source="default", active=True
    )
    session.add(ride)
    session.flush()
    return ride


def _cycle(session: Session, park: Park, ts: datetime = T) -> Cycle:
    cycle = Cycle(
        park_id=park.id,
        ts=ts,
        span_s=300,
        source="themeparks.wiki",
        local_date=date(2026, 7, 21),
        local_day=20655,
        park_open=True,
        open_basis="schedule",
        rides_seen=1,
    )
    session.add(cycle)
    session.flush()
    return cycle


def _refused(session: Session, *rows: object) -> None:
    # MariaDB reports a failed CHECK as an OperationalError (4025), the others as integrity.
    with pytest.raises((IntegrityError, OperationalError)), session.begin_nested():
        session.add_all(rows)
        session.flush()


def test_observation_cycle_and_ride_of_different_parks(session: Session) -> None:
    a, b = _park(session, "A"), _park(session, "B")
    cycle, ride = _cycle(session, a), _ride(session, b, "Elsewhere")
    _refused(
        session,
        Observation(cycle_id=cycle.id, ride_id=ride.id, park_id=a.id, ts=T, status="OPERATING"),
    )
    _refused(
        session,
        Observation(cycle_id=cycle.id, ride_id=ride.id, park_id=b.id, ts=T, status="OPERATING"),
    )


def test_observation_instant_must_be_its_cycles(session: Session) -> None:
    park = _park(session, "A")
    cycle, ride = _cycle(session, park), _ride(session, park, "R")
    _refused(
        session,
        Observation(
            cycle_id=cycle.id,
            ride_id=ride.id,
            park_id=park.id,
            ts=datetime(2026, 7, 21, 15, tzinfo=UTC),
            status="DOWN",
        ),
    )


def test_duplicate_cycle_for_same_park_and_instant(session: Session) -> None:
    park = _park(session, "A")
    _cycle(session, park)
    _refused(
        session,
        Cycle(
            park_id=park.id,
            ts=T,
            span_s=300,
            source="themeparks.wiki",
            local_date=date(2026, 7, 21),
            local_day=20655,
            park_open=True,
            open_basis="schedule",
            rides_seen=1,
        ),
    )


def test_duplicate_observation(session: Session) -> None:
    park = _park(session, "A")
    cycle, ride = _cycle(session, park), _ride(session, park, "R")
    session.add(
        Observation(cycle_id=cycle.id, ride_id=ride.id, park_id=park.id, ts=T, status="OPERATING")
    )
    session.flush()
    _refused(
        session,
        Observation(cycle_id=cycle.id, ride_id=ride.id, park_id=park.id, ts=T, status="DOWN"),
    )


def test_unknown_status_value(session: Session) -> None:
    park = _park(session, "A")
    cycle, ride = _cycle(session, park), _ride(session, park, "R")
    _refused(
        session,
        Observation(cycle_id=cycle.id, ride_id=ride.id, park_id=park.id, ts=T, status="BROKEN"),
    )


def _rollup(ride: Ride, version: int, down: int = 0) -> RideDayRollup:
    return RideDayRollup(
        ride_id=ride.id,
        park_id=ride.park_id,
        local_date=date(2026, 7, 20),
        metrics_version=version,
        up_s=0,
        down_s=down,
        capacity_s=300,
        wait_sum=0,
        wait_n=0,
        wait_max=None,
        operated=False,
        first_operated_at=None,
        episodes=0,
        longest_outage_s=None,
        computed_at=T,
    )


def test_duplicate_rollup_row_but_versions_coexist(session: Session) -> None:
    park = _park(session, "A")
    ride = _ride(session, park, "R")
    session.add_all([_rollup(ride, 1), _rollup(ride, 2)])
    session.flush()
    _refused(session, _rollup(ride, 1))


def test_rollup_downtime_within_capacity(session: Session) -> None:
    park = _park(session, "A")
    ride = _ride(session, park, "R")
    _refused(session, _rollup(ride, 1, down=301))
