"""METRICS.md §2 as SQL: one observation → up / down / in capacity.

This is the only place where the rules that turn a stored observation into a state
live. Everything else (sums, episodes, rollups, live) selects from ``classified()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Subquery,
    and_,
    case,
    exists,
    false,
    literal,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, aliased

from hallofshame.db.models import Cycle, Observation, OperatedDay, Park, Ride
from hallofshame.domain.statuses import ATTRACTION, RideStatus

#: A ride is eligible if it operated on one of the local days D-6 … D (by t).
ELIGIBILITY_DAYS = 7


@dataclass(frozen=True)
class Scope:
    """Which cycles (and rides) a computation covers.

    ``days`` maps a park id to the local day numbers it covers; ``until`` keeps cycles at
    or before an instant (``today``); ``start``/``end`` cut an arbitrary [start, end)
    window; ``cycle_ids`` pins exact cycles (``live``).
    """

    days: dict[int, tuple[int, ...]] = field(default_factory=dict)
    until: datetime | None = None
    start: datetime | None = None
    end: datetime | None = None
    cycle_ids: tuple[int, ...] | None = None
    ride_id: int | None = None
    #: Several rides at once (the outage passes of a listing's rides down now).
    ride_ids: tuple[int, ...] | None = None

    def ride_filter(
        self, column: ColumnElement[int] | InstrumentedAttribute[int]
    ) -> ColumnElement[bool] | None:
        """The condition on a ride id column that ``ride_id``/``ride_ids`` ask for."""
        if self.ride_id is not None:
            return column == self.ride_id
        if self.ride_ids is not None:
            return column.in_(self.ride_ids) if self.ride_ids else false()
        return None

    def day_range(self) -> tuple[int, int] | None:
        """The first and last local day number of the scope, when it is given by days."""
        numbers = [d for days in self.days.values() for d in days]
        return (min(numbers), max(numbers)) if numbers else None

    def cycle_filter(self) -> ColumnElement[bool]:
        conds: list[ColumnElement[bool]] = []
        if self.cycle_ids is not None:
            conds.append(Cycle.id.in_(self.cycle_ids) if self.cycle_ids else false())
        if self.days:
            conds.append(
                or_(
                    *(
                        and_(Cycle.park_id == park_id, _day_match(days))
                        for park_id, days in self.days.items()
                    )
                )
            )
        elif self.cycle_ids is None:
            conds.append(false())
        if self.until is not None:
            conds.append(Cycle.ts <= self.until)
        if self.start is not None:
            conds.append(Cycle.ts >= self.start)
        if self.end is not None:
            conds.append(Cycle.ts < self.end)
        return and_(*conds)


def _day_match(days: tuple[int, ...]) -> ColumnElement[bool]:
    if not days:
        return false()
    ordered = sorted(days)
    if ordered[-1] - ordered[0] + 1 == len(ordered):  # contiguous: an index range
        return Cycle.local_day.between(ordered[0], ordered[-1])
    return Cycle.local_day.in_(ordered)


#: Operated-days row of the observation's own ride and local day (joined by primary key).
_today = aliased(OperatedDay, name="operated_same_day")


def _operated_today() -> ColumnElement[bool]:
    """Operated earlier on the observation's local day, by its instant (never NULL)."""
    return and_(_today.first_operated_at.is_not(None), _today.first_operated_at <= Cycle.ts)


def _operated_before(scope: Scope) -> Subquery:
    """(ride, local day) pairs of the scope whose ride operated on one of the six local
    days before that day.

    Evaluated once per ride-day of the scope (its parks' counted rides × the local days
    its cycles fall on), then joined to the observations by (ride, day): a correlated
    test per observation row cost a lookup per row that MariaDB could not cache.
    """
    days = (
        select(Cycle.park_id, Cycle.local_day)
        .where(scope.cycle_filter())
        .distinct()
        .subquery("scope_days")
    )
    stmt = (
        select(Ride.id.label("ride_id"), days.c.local_day)
        .join(days, days.c.park_id == Ride.park_id)
        .where(
            counted_rides(),
            exists(
                select(literal(1)).where(
                    OperatedDay.ride_id == Ride.id,
                    OperatedDay.local_day.between(
                        days.c.local_day - (ELIGIBILITY_DAYS - 1), days.c.local_day - 1
                    ),
                )
            ),
        )
    )
    rides = scope.ride_filter(Ride.id)
    if rides is not None:
        stmt = stmt.where(rides)
    # DISTINCT (the pairs are distinct already) keeps MariaDB from merging this into the
    # outer query, which evaluated the EXISTS again for every observation row (a third
    # of a one-day series' time on L).
    return stmt.distinct().subquery("operated_before")


def counted_rides() -> ColumnElement[bool]:
    """Only active attractions count in downtime metrics (METRICS.md §1)."""
    return and_(Ride.category == ATTRACTION, Ride.active.is_(True))


def _same_day(scope: Scope) -> ColumnElement[bool]:
    """The observation's own (ride, local day) row of ``operated_days``.

    The scope's day range is repeated as constants although the equality implies it:
    PostgreSQL, misjudging how many cycles a window holds, otherwise seeks the ride's
    operated days by ride alone and filters the day afterwards (every day of the ride's
    history read once per observation: 200 of a one-day series' 296 ms on L).
    """
    cond = and_(_today.ride_id == Observation.ride_id, _today.local_day == Cycle.local_day)
    bounds = scope.day_range()
    if bounds is not None:
        cond = and_(cond, _today.local_day.between(*bounds))
    return cond


def _facts(scope: Scope) -> Subquery:
    """Observation rows with the stored facts the rules need, eligibility evaluated once.

    Eligible = operated on one of the local days D-6 … D by instant t (METRICS.md §2).
    Days before D are wholly before t, so only day D's first operation needs the instant.
    """
    before = _operated_before(scope)
    eligible = or_(before.c.ride_id.is_not(None), _operated_today())
    stmt = (
        select(
            Observation.ride_id,
            Observation.park_id,
            Observation.cycle_id,
            Cycle.ts,
            Cycle.local_day,
            Cycle.span_s,
            Cycle.park_open,
            Observation.status,
            Observation.wait_minutes,
            Park.reports_down,
            eligible.label("eligible"),
            _operated_today().label("operated_today"),
        )
        .select_from(Observation)
        .join(Cycle, Cycle.id == Observation.cycle_id)
        .join(Ride, Ride.id == Observation.ride_id)
        .join(Park, Park.id == Observation.park_id)
        .outerjoin(_today, _same_day(scope))
        .outerjoin(
            before,
            and_(before.c.ride_id == Observation.ride_id, before.c.local_day == Cycle.local_day),
        )
        .where(scope.cycle_filter(), counted_rides())
    )
    rides = scope.ride_filter(Observation.ride_id)
    if rides is not None:
        stmt = stmt.where(rides)
    return stmt.subquery("facts")


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0).cast(Integer)


def classified(scope: Scope) -> Subquery:
    """One row per (ride, cycle) in scope with integer flags ``up``, ``down``, ``cap``."""
    f = _facts(scope)
    is_open = f.c.park_open.is_(True)
    eligible = f.c.eligible.is_(True)
    status = f.c.status
    up = and_(is_open, status == RideStatus.OPERATING.value)
    down = and_(
        is_open,
        eligible,
        or_(
            status == RideStatus.DOWN.value,
            and_(
                status == RideStatus.CLOSED.value,
                not_(f.c.reports_down.is_(True)),
                f.c.operated_today.is_(True),
            ),
        ),
    )
    capacity = and_(is_open, eligible, status != RideStatus.UNKNOWN.value)
    waited = and_(up, f.c.wait_minutes.is_not(None))
    return select(
        f.c.ride_id,
        f.c.park_id,
        f.c.cycle_id,
        f.c.ts,
        f.c.local_day,
        f.c.span_s,
        f.c.status,
        _flag(is_open).label("open"),
        _flag(up).label("up"),
        _flag(down).label("down"),
        _flag(capacity).label("cap"),
        _flag(waited).label("waited"),
        case((waited, f.c.wait_minutes), else_=None).label("wait"),
    ).subquery("classified")


def classified_rows(scope: Scope) -> Select[tuple[object, ...]]:
    c = classified(scope)
    return select(c)
