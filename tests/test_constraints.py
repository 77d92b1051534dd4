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


@pytest.mark.parametrize("bad", ["status", "duplicate", "park"])
def test_bulk_loads_are_refused_whole(session: Session, bad: str) -> None:
    """``bulk_insert`` of more rows than one statement (MariaDB: a LOAD DATA stream, which
    turns refusals into warnings) still fails on one bad row and stores none of them."""
    from datetime import timedelta

    from sqlalchemy import func, select

    from hallofshame.db.dialects import LOAD_DATA_ROWS, bulk_insert
    from hallofshame.db.models import table_of

    park, other = _park(session, "Bulk"), _park(session, "Other")
    rides = [_ride(session, park, f"Ride {i}") for i in range(50)]
    cycles = [_cycle(session, park, T + timedelta(minutes=5 * i)) for i in range(50)]
    rows = [
        {
            "cycle_id": c.id,
            "ride_id": r.id,
            "park_id": park.id,
            "ts": c.ts,
            "status": "OPERATING",
            "raw_status": "OPERATING",
            "wait_minutes": 5,
            "last_updated": None,
        }
        for c in cycles
        for r in rides
    ]
    assert len(rows) > LOAD_DATA_ROWS
    if bad == "status":
        rows[1234]["status"] = "BROKEN"
    elif bad == "duplicate":
        rows.append(dict(rows[77]))
    else:
        rows[2001]["park_id"] = other.id  # the cycle and ride are the first park's
    error = session.get_bind().dialect.dbapi.Error  # type: ignore[union-attr]
    with pytest.raises(error), session.begin_nested():
        bulk_insert(session, table_of(Observation), rows)
    assert session.scalar(select(func.count()).select_from(Observation)) == 0
