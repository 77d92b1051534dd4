"""The additive sums of METRICS.md §3, from raw observations or from daily rollups.

Sums are plain integers of seconds and counts; they add across days, which is why a
longer period is always a SUM of daily rows and never an average of averages.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    func,
    literal,
    null,
    or_,
    select,
)
from sqlalchemy.orm import Session

from hallofshame.db.models import (
    Cycle,
    ParkDayRollup,
    ParkDayRunning,
    ParkSpanRollup,
    RideDayRollup,
    RideDayRunning,
    RideSpanRollup,
)
from hallofshame.domain.spans import Span
from hallofshame.metrics.classify import Scope, bound, classified, shaped
from hallofshame.metrics.episodes import keyed


@dataclass
class RideSums:
    ride_id: int
    park_id: int
    up_s: int = 0
    down_s: int = 0
    capacity_s: int = 0
    wait_sum: int = 0
    wait_n: int = 0
    wait_max: int | None = None
    episodes: int = 0
    longest_s: int | None = None
    observations: int = 0
    #: Σ span of the ride's observations, whatever their status (the whole of the time
    #: the ride was seen). None when unknown: rows rolled up before it was stored.
    observed_s: int | None = 0

    def add(self, other: RideSums) -> None:
        self.up_s += other.up_s
        self.down_s += other.down_s
        self.capacity_s += other.capacity_s
        self.wait_sum += other.wait_sum
        self.wait_n += other.wait_n
        self.wait_max = _max(self.wait_max, other.wait_max)
        self.episodes += other.episodes
        self.longest_s = _max(self.longest_s, other.longest_s)
        self.observations += other.observations
        self.observed_s = _plus(self.observed_s, other.observed_s)


@dataclass
class ParkOpen:
    park_id: int
    open_s: int = 0
    cycles: int = 0
    latest_ts: datetime | None = None
    #: Σ span of the park's cycles, open or not. None when unknown (as ``observed_s``).
    span_s: int | None = 0

    def add(self, other: ParkOpen) -> None:
        self.open_s += other.open_s
        self.cycles += other.cycles
        self.span_s = _plus(self.span_s, other.span_s)
        if other.latest_ts and (self.latest_ts is None or other.latest_ts > self.latest_ts):
            self.latest_ts = other.latest_ts


def _max(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def _plus(a: int | None, b: int | None) -> int | None:
    # An unknown part makes the whole unknown.
    return None if a is None or b is None else a + b


def as_int(value: Any) -> int:
    """A database sum (int, Decimal or None for no rows) as an int."""
    return int(value or 0)


def raw_ride_sums(session: Session, scope: Scope, *, episodes: bool = True) -> dict[int, RideSums]:
    """Per-ride sums over the scope's cycles, computed from raw observations."""
    return {key[0]: sums for key, sums in _raw_sums(session, scope, episodes, False).items()}


def raw_ride_day_sums(session: Session, scope: Scope) -> dict[tuple[int, int], RideSums]:
    """Per (ride, local day) sums over the scope's cycles: what a daily rollup stores."""
    return _raw_sums(session, scope, True, True)


def sum_columns(c: Any) -> list[ColumnElement[Any]]:
    """METRICS.md §3 as aggregates over ``classified`` rows (``c`` = its columns):
    up_s, down_s, capacity_s, wait_sum, wait_n, wait_max, observations, observed_s."""
    span = c.span_s
    return [
        func.sum(span * c.up),
        func.sum(span * c.down),
        func.sum(span * c.cap),
        func.sum(func.coalesce(c.wait, 0)),
        func.sum(c.waited),
        func.max(c.wait),
        func.count(),
        func.sum(span),
    ]


#: How many values ``sum_columns`` selects.
SUM_WIDTH = 8


def sums_from(ride_id: int, park_id: int, values: Sequence[Any]) -> RideSums:
    """A ``RideSums`` from the values ``sum_columns`` selects, in that order."""
    up, down, cap, wait_sum, wait_n, wait_max, n, observed = values
    return RideSums(
        ride_id=ride_id,
        park_id=park_id,
        up_s=as_int(up),
        down_s=as_int(down),
        capacity_s=as_int(cap),
        wait_sum=as_int(wait_sum),
        wait_n=as_int(wait_n),
        wait_max=None if wait_max is None else int(wait_max),
        observations=as_int(n),
        observed_s=as_int(observed),
    )


_SUM_NAMES = ("up_s", "down_s", "capacity_s", "wait_sum", "wait_n", "wait_max", "n", "observed")


def _raw_sums(
    session: Session, scope: Scope, episodes: bool, by_day: bool
) -> dict[tuple[int, int], RideSums]:
    if episodes:
        return _raw_sums_with_episodes(session, scope, by_day)
    stmt = shaped(scope, ("sums", by_day), lambda: _sums(scope, by_day))
    return {
        (row[0], int(row[1])): sums_from(row[0], row[2], row[3 : 3 + SUM_WIDTH])
        for row in session.execute(bound(stmt, scope))
    }


def _sums(scope: Scope, by_day: bool) -> Select[Any]:
    c = classified(scope)
    day = c.c.local_day if by_day else literal(0)
    return select(c.c.ride_id, day, c.c.park_id, *sum_columns(c.c)).group_by(
        c.c.ride_id, c.c.park_id, *((c.c.local_day,) if by_day else ())
    )


def _raw_sums_with_episodes(
    session: Session, scope: Scope, by_day: bool
) -> dict[tuple[int, int], RideSums]:
    """The sums and the episodes in one scan of the observations."""
    stmt = shaped(scope, ("sums with episodes", by_day), lambda: _sums_with_episodes(scope, by_day))
    out: dict[tuple[int, int], RideSums] = {}
    for row in session.execute(bound(stmt, scope)):
        sums = sums_from(row[0], row[2], row[3 : 3 + SUM_WIDTH])
        sums.episodes = as_int(row[3 + SUM_WIDTH])
        sums.longest_s = None if row[4 + SUM_WIDTH] is None else int(row[4 + SUM_WIDTH])
        out[(row[0], int(row[1]))] = sums
    return out


def _sums_with_episodes(scope: Scope, by_day: bool) -> Select[Any]:
    """Rows are first summed per episode key (``episodes.keyed``), then per ride (and
    day): the additive sums add up unchanged, a key group with a down cycle is one
    episode, and its down seconds are that episode's duration."""
    k = keyed(scope)
    per_key = (
        select(
            k.c.ride_id,
            k.c.park_id,
            k.c.local_day,
            *(col.label(name) for col, name in zip(sum_columns(k.c), _SUM_NAMES, strict=True)),
            func.max(k.c.down).label("has_down"),
        )
        .group_by(k.c.ride_id, k.c.park_id, k.c.local_day, k.c.episode_key)
        .subquery("per_key")
    )
    p = per_key.c
    day = p.local_day if by_day else literal(0)
    totals = [func.max(p[n]) if n == "wait_max" else func.sum(p[n]) for n in _SUM_NAMES]
    return select(
        p.ride_id,
        day,
        p.park_id,
        *totals,
        func.sum(p.has_down),
        func.max(case((p.has_down == 1, p.down_s), else_=None)),
    ).group_by(p.ride_id, p.park_id, *((p.local_day,) if by_day else ()))


def raw_park_open(session: Session, scope: Scope) -> dict[int, ParkOpen]:
    """Per-park open seconds and cycle counts over the scope (METRICS.md §3 ``open_s``)."""
    return {key[0]: o for key, o in _raw_open(session, scope, by_day=False).items()}


def raw_park_day_open(session: Session, scope: Scope) -> dict[tuple[int, int], ParkOpen]:
    """Per (park, local day) open seconds and cycles."""
    return _raw_open(session, scope, by_day=True)


def _raw_open(session: Session, scope: Scope, *, by_day: bool) -> dict[tuple[int, int], ParkOpen]:
    stmt = shaped(scope, ("opens", by_day), lambda: _opens(scope, by_day))
    return {
        (row[0], int(row[1])): ParkOpen(
            park_id=row[0],
            open_s=as_int(row[2]),
            cycles=as_int(row[3]),
            latest_ts=row[4] if isinstance(row[4], datetime) else None,
            span_s=as_int(row[5]),
        )
        for row in session.execute(bound(stmt, scope))
    }


def _opens(scope: Scope, by_day: bool) -> Select[Any]:
    open_span = func.sum(Cycle.span_s * Cycle.park_open.cast(Integer))
    day = Cycle.local_day if by_day else literal(0)
    return (
        select(
            Cycle.park_id, day, open_span, func.count(), func.max(Cycle.ts), func.sum(Cycle.span_s)
        )
        .where(scope.cycle_filter())
        .group_by(Cycle.park_id, *((Cycle.local_day,) if by_day else ()))
    )


StoredRide = type[RideDayRollup] | type[RideDayRunning] | type[RideSpanRollup]
StoredPark = type[ParkDayRollup] | type[ParkDayRunning]


def _parks_sharing(
    park_id: Any,
    per_park: Mapping[int, Sequence[Any]],
    term: Callable[[tuple[Any, ...]], ColumnElement[bool]],
) -> ColumnElement[bool]:
    """``park_id IN (…) AND term(values)``, one per distinct set of values: a period is the
    same calendar dates in every park's own time zone, so a 48-park month is one or two
    index ranges instead of 48 OR-ed terms."""
    groups: dict[tuple[Any, ...], list[int]] = {}
    for pid, values in per_park.items():
        if values:
            groups.setdefault(tuple(sorted(values)), []).append(pid)
    return or_(*(and_(park_id.in_(pids), term(vs)) for vs, pids in groups.items()))


def rollup_filter(
    model: StoredRide | StoredPark, days: Mapping[int, Sequence[date]], version: int
) -> ColumnElement[bool]:
    """``version``'s stored rows of the given park days."""
    local_date = model.local_date  # type: ignore[union-attr]
    return and_(
        model.metrics_version == version,
        _parks_sharing(model.park_id, days, lambda ds: local_date.in_(ds)),
    )


def _span_filter(
    model: type[RideSpanRollup] | type[ParkSpanRollup],
    spans: Mapping[int, Sequence[Span]],
    version: int,
) -> ColumnElement[bool]:
    """``version``'s kept sums of the given park spans."""

    def these(ss: tuple[Span, ...]) -> ColumnElement[bool]:
        return or_(*(and_(model.first_date == s.first, model.last_date == s.last) for s in ss))

    return and_(model.metrics_version == version, _parks_sharing(model.park_id, spans, these))


def _known_sum(column: Any) -> ColumnElement[Any]:
    """SUM of a column whose NULL means unknown: unknown as soon as one row is."""
    return case((func.count(column) == func.count(), func.sum(column)), else_=None)


#: The stored per-ride sums, in the order ``ride_aggregates`` selects them.
STORED_RIDE_SUMS = (
    "up_s",
    "down_s",
    "capacity_s",
    "wait_sum",
    "wait_n",
    "wait_max",
    "episodes",
    "longest_outage_s",
    "observed_s",
)


def ride_aggregates(r: StoredRide) -> list[ColumnElement[Any]]:
    """Stored rows add up: SUM the sums, MAX the maxima (METRICS.md §3), in the order of
    ``STORED_RIDE_SUMS``. Running rows keep no observed time (only rollups need it)."""
    return [
        func.sum(r.up_s),
        func.sum(r.down_s),
        func.sum(r.capacity_s),
        func.sum(r.wait_sum),
        func.sum(r.wait_n),
        func.max(r.wait_max),
        func.sum(r.episodes),
        func.max(r.longest_outage_s),
        null() if r is RideDayRunning else _known_sum(r.observed_s),  # type: ignore[union-attr]
    ]


def rollup_ride_sums(
    session: Session, days: Mapping[int, Sequence[date]], version: int
) -> dict[int, RideSums]:
    """Per-ride sums of the stored ride-day rollups for the given park days."""
    if not any(days.values()):
        return {}
    return _per_ride(session, RideDayRollup, rollup_filter(RideDayRollup, days, version))


def rollup_ride_day_sums(
    session: Session, days: Mapping[int, Sequence[date]], version: int
) -> dict[tuple[int, date], RideSums]:
    """The stored ride-day rollups themselves, by (ride, local date)."""
    if not any(days.values()):
        return {}
    where = rollup_filter(RideDayRollup, days, version)
    return _stored_ride_sums(session, RideDayRollup, where, by_day=True)  # type: ignore[return-value]


def running_ride_sums(
    session: Session, days: Mapping[int, Sequence[date]], version: int
) -> dict[int, RideSums]:
    """Per-ride sums of the running (today's) rows for the given park days."""
    if not any(days.values()):
        return {}
    return _per_ride(session, RideDayRunning, rollup_filter(RideDayRunning, days, version))


def running_ride_day_sums(
    session: Session, days: Mapping[int, Sequence[date]], version: int
) -> dict[tuple[int, date], RideSums]:
    """The running rows themselves, by (ride, local date)."""
    if not any(days.values()):
        return {}
    where = rollup_filter(RideDayRunning, days, version)
    return _stored_ride_sums(session, RideDayRunning, where, by_day=True)  # type: ignore[return-value]


def span_ride_sums(
    session: Session, spans: Mapping[int, Sequence[Span]], version: int
) -> dict[int, RideSums]:
    """Per-ride sums of the kept week and month sums for the given park spans."""
    if not any(spans.values()):
        return {}
    return _per_ride(session, RideSpanRollup, _span_filter(RideSpanRollup, spans, version))


def _per_ride(session: Session, r: StoredRide, where: ColumnElement[bool]) -> dict[int, RideSums]:
    return {k[0]: s for k, s in _stored_ride_sums(session, r, where).items()}


def _stored_ride_sums(
    session: Session,
    r: StoredRide,
    where: ColumnElement[bool],
    *,
    by_day: bool = False,
) -> dict[tuple[int, date | None], RideSums]:
    day = r.local_date if by_day else null()  # type: ignore[union-attr]
    stmt = (
        select(r.ride_id, r.park_id, *ride_aggregates(r), day)
        .where(where)
        .group_by(r.ride_id, r.park_id, *((r.local_date,) if by_day else ()))  # type: ignore[union-attr]
    )
    out: dict[tuple[int, date | None], RideSums] = {}
    for row in session.execute(stmt):
        up, down, cap, wait_sum, wait_n, wait_max, episodes, longest, observed, d = row[2:]
        out[(row[0], d)] = RideSums(
            ride_id=row[0],
            park_id=row[1],
            up_s=as_int(up),
            down_s=as_int(down),
            capacity_s=as_int(cap),
            wait_sum=as_int(wait_sum),
            wait_n=as_int(wait_n),
            wait_max=None if wait_max is None else int(wait_max),
            episodes=as_int(episodes),
            longest_s=None if longest is None else int(longest),
            observations=1,
            observed_s=None if observed is None else int(observed),
        )
    return out


def park_aggregates(p: type[ParkDayRollup]) -> list[ColumnElement[Any]]:
    """A park's daily rollups added up: days summed, open_s, cycles, span_s."""
    return [func.count(), func.sum(p.open_s), func.sum(p.cycles), _known_sum(p.span_s)]


def rollup_park_open(
    session: Session, days: Mapping[int, Sequence[date]], version: int
) -> dict[int, ParkOpen]:
    return {k[0]: o for k, o in _stored_park_open(session, ParkDayRollup, days, version).items()}


def rollup_park_day_open(
    session: Session, days: Mapping[int, Sequence[date]], version: int
) -> dict[tuple[int, date], ParkOpen]:
    """The stored park-day rollups themselves, by (park, local date)."""
    return _stored_park_open(session, ParkDayRollup, days, version, by_day=True)  # type: ignore[return-value]


def running_park_open(
    session: Session, days: Mapping[int, Sequence[date]], version: int
) -> dict[int, ParkOpen]:
    return {k[0]: o for k, o in _stored_park_open(session, ParkDayRunning, days, version).items()}


def running_park_day_open(
    session: Session, days: Mapping[int, Sequence[date]], version: int
) -> dict[tuple[int, date], ParkOpen]:
    """The running park rows themselves, by (park, local date)."""
    return _stored_park_open(session, ParkDayRunning, days, version, by_day=True)  # type: ignore[return-value]


def _stored_park_open(
    session: Session,
    p: StoredPark,
    days: Mapping[int, Sequence[date]],
    version: int,
    *,
    by_day: bool = False,
) -> dict[tuple[int, date | None], ParkOpen]:
    if not any(days.values()):
        return {}
    running = p is ParkDayRunning
    # Only running rows know the day's latest cycle; only rollups keep the cycles' span.
    latest = func.max(ParkDayRunning.last_ts) if running else null()
    span = null() if running else _known_sum(ParkDayRollup.span_s)
    day = p.local_date if by_day else null()
    stmt = (
        select(p.park_id, func.sum(p.open_s), func.sum(p.cycles), latest, span, day)
        .where(rollup_filter(p, days, version))
        .group_by(p.park_id, *((p.local_date,) if by_day else ()))
    )
    return {
        (row[0], row[5]): ParkOpen(
            park_id=row[0],
            open_s=as_int(row[1]),
            cycles=as_int(row[2]),
            latest_ts=row[3],
            span_s=None if row[4] is None else int(row[4]),
        )
        for row in session.execute(stmt)
    }


@dataclass(frozen=True)
class SpanOpen:
    """A kept span's park sums and how many daily rollups they add up."""

    days: int
    open: ParkOpen


def span_park_open(
    session: Session, spans: Mapping[int, Sequence[Span]], version: int
) -> dict[tuple[int, Span], SpanOpen]:
    if not any(spans.values()):
        return {}
    p = ParkSpanRollup
    stmt = select(p.park_id, p.first_date, p.last_date, p.days, p.open_s, p.cycles, p.span_s).where(
        _span_filter(p, spans, version)
    )
    return {
        (pid, Span(first, last)): SpanOpen(
            days=days,
            open=ParkOpen(
                park_id=pid,
                open_s=as_int(open_s),
                cycles=as_int(cycles),
                span_s=None if span_s is None else int(span_s),
            ),
        )
        for pid, first, last, days, open_s, cycles, span_s in session.execute(stmt)
    }


def merge_rides(*parts: dict[int, RideSums]) -> dict[int, RideSums]:
    out: dict[int, RideSums] = {}
    for part in parts:
        for ride_id, sums in part.items():
            if ride_id in out:
                out[ride_id].add(sums)
            else:
                out[ride_id] = copy.copy(sums)  # the parts are never changed
    return out


def merge_parks(*parts: dict[int, ParkOpen]) -> dict[int, ParkOpen]:
    out: dict[int, ParkOpen] = {}
    for part in parts:
        for park_id, sums in part.items():
            out.setdefault(park_id, ParkOpen(park_id=park_id)).add(sums)
    return out


def group_by_park(rides: Iterable[RideSums]) -> dict[int, list[RideSums]]:
    out: dict[int, list[RideSums]] = {}
    for sums in rides:
        out.setdefault(sums.park_id, []).append(sums)
    return out
