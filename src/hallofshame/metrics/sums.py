"""The additive sums of METRICS.md §3, from raw observations or from daily rollups.

Sums are plain integers of seconds and counts; they add across days, which is why a
longer period is always a SUM of daily rows and never an average of averages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from hallofshame.db.models import (
    Cycle,
    ParkDayRollup,
    ParkDayRunning,
    RideDayRollup,
    RideDayRunning,
)
from hallofshame.metrics.classify import Scope, classified
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


@dataclass
class ParkOpen:
    park_id: int
    open_s: int = 0
    cycles: int = 0
    latest_ts: datetime | None = None

    def add(self, other: ParkOpen) -> None:
        self.open_s += other.open_s
        self.cycles += other.cycles
        if other.latest_ts and (self.latest_ts is None or other.latest_ts > self.latest_ts):
            self.latest_ts = other.latest_ts


def _max(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def _int(value: object) -> int:
    return int(value or 0)  # type: ignore[call-overload]


def raw_ride_sums(session: Session, scope: Scope, *, episodes: bool = True) -> dict[int, RideSums]:
    """Per-ride sums over the scope's cycles, computed from raw observations."""
    return {key[0]: sums for key, sums in _raw_sums(session, scope, episodes, False).items()}


def raw_ride_day_sums(session: Session, scope: Scope) -> dict[tuple[int, int], RideSums]:
    """Per (ride, local day) sums over the scope's cycles: what a daily rollup stores."""
    return _raw_sums(session, scope, True, True)


def sum_columns(c: Any) -> list[ColumnElement[Any]]:
    """METRICS.md §3 as aggregates over ``classified`` rows (``c`` = its columns):
    up_s, down_s, capacity_s, wait_sum, wait_n, wait_max, observations."""
    span = c.span_s
    return [
        func.sum(span * c.up),
        func.sum(span * c.down),
        func.sum(span * c.cap),
        func.sum(func.coalesce(c.wait, 0)),
        func.sum(c.waited),
        func.max(c.wait),
        func.count(),
    ]


def sums_from(ride_id: int, park_id: int, values: Sequence[Any]) -> RideSums:
    """A ``RideSums`` from the seven values ``sum_columns`` selects, in that order."""
    up, down, cap, wait_sum, wait_n, wait_max, n = values
    return RideSums(
        ride_id=ride_id,
        park_id=park_id,
        up_s=_int(up),
        down_s=_int(down),
        capacity_s=_int(cap),
        wait_sum=_int(wait_sum),
        wait_n=_int(wait_n),
        wait_max=None if wait_max is None else int(wait_max),
        observations=_int(n),
    )


_SUM_NAMES = ("up_s", "down_s", "capacity_s", "wait_sum", "wait_n", "wait_max", "n")


def _raw_sums(
    session: Session, scope: Scope, episodes: bool, by_day: bool
) -> dict[tuple[int, int], RideSums]:
    if episodes:
        return _raw_sums_with_episodes(session, scope, by_day)
    c = classified(scope)
    day = c.c.local_day if by_day else literal(0)
    stmt = select(c.c.ride_id, day, c.c.park_id, *sum_columns(c.c)).group_by(
        c.c.ride_id, c.c.park_id, *((c.c.local_day,) if by_day else ())
    )
    return {
        (row[0], int(row[1])): sums_from(row[0], row[2], row[3:10]) for row in session.execute(stmt)
    }


def _raw_sums_with_episodes(
    session: Session, scope: Scope, by_day: bool
) -> dict[tuple[int, int], RideSums]:
    """The sums and the episodes in one scan of the observations.

    Rows are first summed per episode key (``episodes.keyed``), then per ride (and day):
    the additive sums add up unchanged, a key group with a down cycle is one episode, and
    its down seconds are that episode's duration.
    """
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
    stmt = select(
        p.ride_id,
        day,
        p.park_id,
        *totals,
        func.sum(p.has_down),
        func.max(case((p.has_down == 1, p.down_s), else_=None)),
    ).group_by(p.ride_id, p.park_id, *((p.local_day,) if by_day else ()))
    out: dict[tuple[int, int], RideSums] = {}
    for row in session.execute(stmt):
        sums = sums_from(row[0], row[2], row[3:10])
        sums.episodes = _int(row[10])
        sums.longest_s = None if row[11] is None else int(row[11])
        out[(row[0], int(row[1]))] = sums
    return out


def raw_park_open(session: Session, scope: Scope) -> dict[int, ParkOpen]:
    """Per-park open seconds and cycle counts over the scope (METRICS.md §3 ``open_s``)."""
    open_span = func.sum(Cycle.span_s * Cycle.park_open.cast(Integer))
    stmt = (
        select(Cycle.park_id, open_span, func.count(), func.max(Cycle.ts))
        .where(scope.cycle_filter())
        .group_by(Cycle.park_id)
    )
    return {
        row[0]: ParkOpen(
            park_id=row[0],
            open_s=_int(row[1]),
            cycles=_int(row[2]),
            latest_ts=row[3] if not isinstance(row[3], str) else None,
        )
        for row in session.execute(stmt)
    }


def raw_park_day_open(session: Session, scope: Scope) -> dict[tuple[int, int], ParkOpen]:
    """Per (park, local day) open seconds and cycles."""
    open_span = func.sum(Cycle.span_s * Cycle.park_open.cast(Integer))
    stmt = (
        select(Cycle.park_id, Cycle.local_day, open_span, func.count())
        .where(scope.cycle_filter())
        .group_by(Cycle.park_id, Cycle.local_day)
    )
    return {
        (row[0], int(row[1])): ParkOpen(park_id=row[0], open_s=_int(row[2]), cycles=_int(row[3]))
        for row in session.execute(stmt)
    }


def _rollup_filter(
    model: type[RideDayRollup] | type[ParkDayRollup] | type[RideDayRunning] | type[ParkDayRunning],
    days: Mapping[int, Sequence[date]],
    version: int,
) -> ColumnElement[bool]:
    return and_(
        model.metrics_version == version,
        or_(
            *(
                and_(model.park_id == pid, model.local_date.in_(ds))
                for pid, ds in days.items()
                if ds
            )
        ),
    )


def rollup_ride_sums(
    session: Session, days: Mapping[int, Sequence[date]], version: int
) -> dict[int, RideSums]:
    """Per-ride sums of the stored ride-day rollups for the given park days."""
    return _stored_ride_sums(session, RideDayRollup, days, version)


def running_ride_sums(
    session: Session, days: Mapping[int, Sequence[date]], version: int
) -> dict[int, RideSums]:
    """Per-ride sums of the running (today's) rows for the given park days."""
    return _stored_ride_sums(session, RideDayRunning, days, version)


def _stored_ride_sums(
    session: Session,
    r: type[RideDayRollup] | type[RideDayRunning],
    days: Mapping[int, Sequence[date]],
    version: int,
) -> dict[int, RideSums]:
    """Daily rows add up: SUM the sums, MAX the maxima (METRICS.md §3)."""
    if not any(days.values()):
        return {}
    stmt = (
        select(
            r.ride_id,
            r.park_id,
            func.sum(r.up_s),
            func.sum(r.down_s),
            func.sum(r.capacity_s),
            func.sum(r.wait_sum),
            func.sum(r.wait_n),
            func.max(r.wait_max),
            func.sum(r.episodes),
            func.max(r.longest_outage_s),
        )
        .where(_rollup_filter(r, days, version))
        .group_by(r.ride_id, r.park_id)
    )
    return {
        row[0]: RideSums(
            ride_id=row[0],
            park_id=row[1],
            up_s=_int(row[2]),
            down_s=_int(row[3]),
            capacity_s=_int(row[4]),
            wait_sum=_int(row[5]),
            wait_n=_int(row[6]),
            wait_max=None if row[7] is None else int(row[7]),
            episodes=_int(row[8]),
            longest_s=None if row[9] is None else int(row[9]),
            observations=1,
        )
        for row in session.execute(stmt)
    }


def rollup_park_open(
    session: Session, days: Mapping[int, Sequence[date]], version: int
) -> dict[int, ParkOpen]:
    if not any(days.values()):
        return {}
    p = ParkDayRollup
    stmt = (
        select(p.park_id, func.sum(p.open_s), func.sum(p.cycles))
        .where(_rollup_filter(p, days, version))
        .group_by(p.park_id)
    )
    return {
        row[0]: ParkOpen(park_id=row[0], open_s=_int(row[1]), cycles=_int(row[2]))
        for row in session.execute(stmt)
    }


def merge_rides(*parts: dict[int, RideSums]) -> dict[int, RideSums]:
    out: dict[int, RideSums] = {}
    for part in parts:
        for ride_id, sums in part.items():
            if ride_id in out:
                out[ride_id].add(sums)
            else:
                out[ride_id] = RideSums(**{f.name: getattr(sums, f.name) for f in fields(sums)})
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


def running_park_open(
    session: Session, days: Mapping[int, Sequence[date]], version: int
) -> dict[int, ParkOpen]:
    if not any(days.values()):
        return {}
    p = ParkDayRunning
    stmt = (
        select(p.park_id, func.sum(p.open_s), func.sum(p.cycles), func.max(p.last_ts))
        .where(_rollup_filter(p, days, version))
        .group_by(p.park_id)
    )
    return {
        row[0]: ParkOpen(park_id=row[0], open_s=_int(row[1]), cycles=_int(row[2]), latest_ts=row[3])
        for row in session.execute(stmt)
    }
