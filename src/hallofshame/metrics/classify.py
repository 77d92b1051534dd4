"""METRICS.md §2 as SQL: one observation → up / down / in capacity.

This is the only place where the rules that turn a stored observation into a state
live. Everything else (sums, episodes, rollups, live) selects from ``classified()``.

A scope's values (parks, days, instants, ride and cycle ids) are bound parameters named
by ``Scope``, never part of the statement: ``classified`` builds the statement once per
*shape* of scope (which filters it has, how many parks) and returns that same construct
for every scope of the shape. Building it took 4-5 ms of Python per call (a park's
details build two), more than most of the queries take to run; the database's compiled
form was cached already. The caller binds the values on the statement it executes,
``bound(stmt, scope)``; a statement executed without them fails (every scope parameter
is required), it cannot run with another scope's values.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Subquery,
    and_,
    bindparam,
    case,
    exists,
    false,
    literal,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, aliased
from sqlalchemy.sql.base import ExecutableStatement

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
            return column == _param("ride_id")
        if self.ride_ids is not None:
            return column.in_(_param("ride_ids", expanding=True)) if self.ride_ids else false()
        return None

    def day_range(self) -> tuple[int, int] | None:
        """The first and last local day number of the scope, when it is given by days."""
        numbers = [d for days in self.days.values() for d in days]
        return (min(numbers), max(numbers)) if numbers else None

    def cycle_filter(self) -> ColumnElement[bool]:
        conds: list[ColumnElement[bool]] = []
        if self.cycle_ids is not None:
            conds.append(
                Cycle.id.in_(_param("cycle_ids", expanding=True)) if self.cycle_ids else false()
            )
        if self.days:
            conds.append(
                or_(
                    *(
                        and_(Cycle.park_id == _param(f"park_{i}"), _day_match(i, days))
                        for i, days in enumerate(self.days.values())
                    )
                )
            )
        elif self.cycle_ids is None:
            conds.append(false())
        if self.until is not None:
            conds.append(Cycle.ts <= _param("until"))
        if self.start is not None:
            conds.append(Cycle.ts >= _param("start"))
        if self.end is not None:
            conds.append(Cycle.ts < _param("end"))
        return and_(*conds)

    def shape(self) -> tuple[object, ...]:
        """What the statements of this scope look like, its values aside: scopes of one
        shape share their statements (``classified``)."""
        return (
            None if self.cycle_ids is None else bool(self.cycle_ids),
            tuple(_day_kind(days) for days in self.days.values()),
            self.until is not None,
            self.start is not None,
            self.end is not None,
            self.ride_id is not None,
            None if self.ride_ids is None else bool(self.ride_ids),
        )

    def values(self) -> dict[str, Any]:
        """The scope's values, by the names of its parameters (``_param``)."""
        out: dict[str, Any] = {}
        if self.cycle_ids:
            out["cycle_ids"] = list(self.cycle_ids)
        for i, (park_id, days) in enumerate(self.days.items()):
            out[f"park_{i}"] = park_id
            kind = _day_kind(days)
            if kind == "range":
                out[f"first_{i}"], out[f"last_{i}"] = min(days), max(days)
            elif kind == "list":
                out[f"days_{i}"] = sorted(days)
        bounds = self.day_range()
        if bounds is not None:
            out["day_from"], out["day_to"] = bounds
        named = {"until": self.until, "start": self.start, "end": self.end}
        out.update({k: v for k, v in named.items() if v is not None})
        if self.ride_id is not None:
            out["ride_id"] = self.ride_id
        if self.ride_ids:
            out["ride_ids"] = list(self.ride_ids)
        return {PREFIX + k: v for k, v in out.items()}


#: The names of a scope's parameters start with this (no other parameter does).
PREFIX = "scope_"


def _param(name: str, *, expanding: bool = False) -> BindParameter[Any]:
    """A scope's value as a required parameter: its type is the column it is compared
    with; a statement executed without it is refused."""
    return bindparam(PREFIX + name, required=True, expanding=expanding)


def _day_kind(days: tuple[int, ...]) -> str:
    if not days:
        return "none"
    ordered = sorted(days)
    # Contiguous days are an index range; others a list.
    return "range" if ordered[-1] - ordered[0] + 1 == len(ordered) else "list"


def _day_match(i: int, days: tuple[int, ...]) -> ColumnElement[bool]:
    kind = _day_kind(days)
    if kind == "none":
        return false()
    if kind == "range":
        return Cycle.local_day.between(_param(f"first_{i}"), _param(f"last_{i}"))
    return Cycle.local_day.in_(_param(f"days_{i}", expanding=True))


E = TypeVar("E", bound=ExecutableStatement)


def bound(stmt: E, scope: Scope) -> E:
    """``stmt`` (built on ``classified(scope)`` or ``scope.cycle_filter()``) with the
    scope's values bound: what is executed. One scope per statement."""
    return stmt.params(scope.values())


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
    if scope.day_range() is not None:
        cond = and_(cond, _today.local_day.between(_param("day_from"), _param("day_to")))
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


#: Built statements by (what they are, scope shape). A shape is a handful of filters and
#: the number of parks, so the distinct shapes a process meets stay few (22 after every
#: ranking, detail and series of every named period was asked once on L); one takes
#: 80-150 KB, and the bound keeps a caller that varies the park count widely from
#: growing the cache without end.
_BUILT: OrderedDict[tuple[object, ...], Any] = OrderedDict()
_BUILT_MAX = 256
_BUILDING = threading.Lock()

S = TypeVar("S", bound=Subquery | ExecutableStatement)


def shaped(scope: Scope, what: tuple[object, ...], build: Callable[[], S]) -> S:
    """The statement ``what`` over ``scope``, built by ``build`` once per shape of scope
    and reused for every scope of that shape: its values are the scope's parameters, bound
    at execution (``bound``). ``what`` names the statement and anything else its form
    depends on; constructs are immutable (every method on them returns a new one)."""
    key = (*what, scope.shape())
    with _BUILDING:
        built = _BUILT.get(key)
        if built is not None:
            _BUILT.move_to_end(key)
            return cast(S, built)
    built = build()
    if isinstance(built, Subquery):
        built.c  # noqa: B018 - its column collection made here, not by two threads at once
    with _BUILDING:
        _BUILT[key] = built
        if len(_BUILT) > _BUILT_MAX:
            _BUILT.popitem(last=False)
    return built


def classified(scope: Scope) -> Subquery:
    """One row per (ride, cycle) in scope with integer flags ``up``, ``down``, ``cap``;
    executed as ``bound(stmt, scope)``, built once per shape of scope (``shaped``)."""
    return shaped(scope, ("classified",), lambda: _classified(scope))


def _classified(scope: Scope) -> Subquery:
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
