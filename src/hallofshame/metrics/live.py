"""What each attraction is doing now, and which rides count at all (METRICS.md §2, §5).

The live state of a ride is read from its park's latest cycle (``latest_cycles``: at
most 30 minutes old) through ``classified``, so "down now" here is exactly the ``down``
flag the live shame score sums. The roster answers "is this ride in the denominator,
and if not, why" from ``operated_days``, the same table eligibility reads.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from hallofshame.db.models import Cycle, OperatedDay, Park, Ride
from hallofshame.domain.localtime import date_of_day_number, day_number, local_date_of
from hallofshame.domain.statuses import ATTRACTION, RideStatus
from hallofshame.metrics.classify import (
    ELIGIBILITY_DAYS,
    Scope,
    bound,
    classified,
    counted_rides,
)
from hallofshame.metrics.windows import latest_cycles

OPERATING = RideStatus.OPERATING.value
DOWN = RideStatus.DOWN.value
CLOSED = RideStatus.CLOSED.value
REFURBISHMENT = RideStatus.REFURBISHMENT.value
UNKNOWN = RideStatus.UNKNOWN.value
PARK_CLOSED = "PARK_CLOSED"

#: Every state the live panel counts, in display order.
LIVE_STATES: tuple[str, ...] = (OPERATING, DOWN, CLOSED, REFURBISHMENT, PARK_CLOSED, UNKNOWN)


def live_state(*, has_live: bool, park_open: bool, down: bool, status: str | None) -> str:
    """The one mapping from what we know about a ride now to the state shown.

    The order matters, each rule hides the ones after it:
    - no cycle in the last 30 minutes: we cannot say anything, so UNKNOWN;
    - the park is closed at its live cycle: its rides are not "closed rides", PARK_CLOSED;
    - down by the rules of METRICS.md §2 (eligible, and DOWN, or CLOSED after operating
      today at a park that does not report DOWN): DOWN, the same flag live shame sums;
    - otherwise the reported status. A ride absent from the live cycle is UNKNOWN, and a
      ride reported DOWN that the rules do not count (it is not eligible: it has not run
      for a week) is shown as CLOSED, since it is neither running nor a breakdown.
    """
    if not has_live:
        return UNKNOWN
    if not park_open:
        return PARK_CLOSED
    if down:
        return DOWN
    if status is None:
        return UNKNOWN
    if status == DOWN:
        return CLOSED
    return status if status in LIVE_STATES else UNKNOWN


@dataclass(frozen=True)
class RideNow:
    ride_id: int
    park_id: int
    state: str
    status: str | None  # the normalised status at the live cycle, None if not seen
    wait_minutes: int | None  # the posted wait, only while the ride is up
    at: datetime | None  # the live cycle's instant


def ride_states(
    session: Session,
    parks: Sequence[Park],
    now: datetime,
    ride_ids: Sequence[int] | None = None,
    cycles: dict[int, Cycle] | None = None,
) -> dict[int, RideNow]:
    """Every counted attraction of ``parks`` (or only those of ``ride_ids``: a listing's
    rides) with its state now, keyed by ride id; ``cycles``: the parks' live cycles, when
    the caller has read them (``live_cycles``)."""
    park_ids = [p.id for p in parks]
    if not park_ids:
        return {}
    if cycles is None:
        cycles = latest_cycles(session, park_ids, now)
    only = tuple(ride_ids) if ride_ids is not None else None
    scope = Scope(cycle_ids=tuple(cy.id for cy in cycles.values()), ride_ids=only)
    c = classified(scope)
    seen = {
        row.ride_id: row
        for row in session.execute(
            bound(select(c.c.ride_id, c.c.status, c.c.down, c.c.wait), scope)
        )
    }
    # Ids only: every live panel reads the whole catalog's counted rides, and building
    # ~1,500 ORM instances cost more than the query.
    wanted = select(Ride.id, Ride.park_id).where(Ride.park_id.in_(park_ids), counted_rides())
    if only is not None:
        wanted = wanted.where(Ride.id.in_(only))
    rides = session.execute(wanted.order_by(Ride.id))
    out: dict[int, RideNow] = {}
    for ride in rides:
        cycle = cycles.get(ride.park_id)
        row = seen.get(ride.id)
        state = live_state(
            has_live=cycle is not None,
            park_open=bool(cycle is not None and cycle.park_open),
            down=bool(row is not None and row.down),
            status=row.status if row is not None else None,
        )
        out[ride.id] = RideNow(
            ride_id=ride.id,
            park_id=ride.park_id,
            state=state,
            status=row.status if row is not None else None,
            wait_minutes=row.wait if row is not None else None,
            at=cycle.ts if cycle is not None else None,
        )
    return out


def state_counts(states: dict[int, RideNow]) -> dict[str, int]:
    """Attractions per live state plus ``total``; each ride is counted exactly once."""
    counts = Counter(s.state for s in states.values())
    out = {state: counts.get(state, 0) for state in LIVE_STATES}
    out["total"] = len(states)
    return out


def live_cycles(session: Session, parks: Sequence[Park], now: datetime) -> dict[int, Cycle]:
    """Each park's live cycle (re-exported so the API needs only this module)."""
    return latest_cycles(session, [p.id for p in parks], now)


# --- roster -------------------------------------------------------------------------

NOT_ATTRACTION = "not an attraction"
INACTIVE = "inactive"
NOT_OPERATED = f"not operated in the last {ELIGIBILITY_DAYS} local days"


@dataclass(frozen=True)
class RosterRide:
    """What the roster shows of a ride (read as plain rows: ORM objects for a park's
    rides cost more than the query)."""

    id: int
    name: str
    land: str | None
    category: str
    active: bool
    tier: int | None
    tier_source: str


@dataclass(frozen=True)
class RosterEntry:
    ride: RosterRide
    eligible: bool
    last_operated_date: date | None  # the park-local day it last operated
    last_operated_at: datetime | None  # when it was first seen operating on that day
    reason: str | None  # why it is not eligible


def roster(session: Session, park: Park, now: datetime) -> list[RosterEntry]:
    """Every ride of the park with its eligibility now (METRICS.md §2 "Eligible")."""
    today = day_number(local_date_of(now, ZoneInfo(park.timezone)))
    # Each ride's latest operated day by now, looked up ride by ride in the primary key,
    # newest first, stopping at the first match: a grouped subquery joined back made
    # PostgreSQL scan every park's operated days twice (49 ms of a park's details on L),
    # and MAX() made MariaDB read every day of each ride (6 ms); this way 1-2 ms on both.
    earlier = aliased(OperatedDay)
    latest = (
        select(earlier.local_day)
        .where(
            earlier.ride_id == Ride.id,
            earlier.local_day <= today,
            earlier.first_operated_at <= now,
        )
        .order_by(earlier.local_day.desc())
        .limit(1)
        .scalar_subquery()
    )
    last_seen = {
        ride_id: (day, at)
        for ride_id, day, at in session.execute(
            select(OperatedDay.ride_id, OperatedDay.local_day, OperatedDay.first_operated_at)
            .join(Ride, Ride.id == OperatedDay.ride_id)
            .where(Ride.park_id == park.id, OperatedDay.local_day == latest)
        )
    }
    rows = session.execute(
        select(
            Ride.id, Ride.name, Ride.land, Ride.category, Ride.active, Ride.tier, Ride.tier_source
        )
        .where(Ride.park_id == park.id)
        .order_by(Ride.name, Ride.id)
    )
    out = []
    for row in rows:
        ride = RosterRide(*row)
        day, at = last_seen.get(ride.id, (None, None))
        if not ride.active:
            reason: str | None = INACTIVE
        elif ride.category != ATTRACTION:
            reason = NOT_ATTRACTION
        elif day is None or day < today - (ELIGIBILITY_DAYS - 1):
            reason = NOT_OPERATED
        else:
            reason = None
        out.append(
            RosterEntry(
                ride=ride,
                eligible=reason is None,
                last_operated_date=date_of_day_number(day) if day is not None else None,
                last_operated_at=at,
                reason=reason,
            )
        )
    return out
