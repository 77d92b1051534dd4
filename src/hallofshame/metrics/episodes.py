"""Downtime episodes (METRICS.md §4) as set-based SQL with window functions.

An episode is a run of down cycles of one ride; it ends at the first cycle where the
ride is up or the park is closed, or when the local day ends. A cycle that is neither
up nor down, or a gap, neither extends nor ends it — so those rows are simply left out
before the runs are numbered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, Subquery, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from hallofshame.metrics.classify import Scope, classified


def _numbered(scope: Scope) -> Subquery:
    c = classified(scope)
    relevant = (
        select(
            c.c.ride_id,
            c.c.local_day,
            c.c.ts,
            c.c.span_s,
            c.c.down,
            func.lag(c.c.down)
            .over(partition_by=(c.c.ride_id, c.c.local_day), order_by=c.c.ts)
            .label("prev_down"),
        )
        .where(or_(c.c.down == 1, c.c.up == 1, c.c.open == 0))
        .subquery("relevant")
    )
    starts = case(
        (
            and_(
                relevant.c.down == 1, or_(relevant.c.prev_down.is_(None), relevant.c.prev_down == 0)
            ),
            1,
        ),
        else_=0,
    ).cast(Integer)
    return select(
        relevant.c.ride_id,
        relevant.c.local_day,
        relevant.c.ts,
        relevant.c.span_s,
        relevant.c.down,
        starts.label("is_start"),
        func.sum(starts)
        .over(
            partition_by=(relevant.c.ride_id, relevant.c.local_day),
            order_by=relevant.c.ts,
            rows=(None, 0),
        )
        .label("episode_no"),
    ).subquery("numbered")


def _episodes(scope: Scope) -> Subquery:
    n = _numbered(scope)
    return (
        select(
            n.c.ride_id,
            n.c.local_day,
            n.c.episode_no,
            func.min(n.c.ts).label("first_ts"),
            func.max(n.c.ts).label("last_ts"),
            func.max(case((n.c.is_start == 1, n.c.span_s), else_=None)).label("first_span"),
            func.sum(n.c.span_s).label("duration_s"),
            func.count().label("cycles"),
        )
        .where(n.c.down == 1)
        .group_by(n.c.ride_id, n.c.local_day, n.c.episode_no)
        .subquery("episodes")
    )


def episode_summary(
    session: Session, scope: Scope, *, by_day: bool = False
) -> dict[tuple[int, int], tuple[int, int | None]]:
    """Per ride (and local day): (number of episodes, longest episode in seconds)."""
    e = _episodes(scope)
    day = e.c.local_day if by_day else literal(0)
    stmt = select(e.c.ride_id, day, func.count(), func.max(e.c.duration_s)).group_by(
        e.c.ride_id, *((e.c.local_day,) if by_day else ())
    )
    return {
        (row[0], int(row[1])): (int(row[2]), int(row[3]) if row[3] is not None else None)
        for row in session.execute(stmt)
    }


@dataclass(frozen=True)
class Episode:
    ride_id: int
    start: datetime
    end: datetime
    duration_s: int
    cycles: int


def list_episodes(session: Session, scope: Scope) -> list[Episode]:
    """Every episode with its true start (the first down cycle's span reaches back)."""
    e = _episodes(scope)
    stmt = select(
        e.c.ride_id, e.c.first_ts, e.c.last_ts, e.c.first_span, e.c.duration_s, e.c.cycles
    ).order_by(e.c.first_ts)
    out = []
    for ride_id, first_ts, last_ts, first_span, duration, cycles in session.execute(stmt):
        first_ts, last_ts = _aware(first_ts), _aware(last_ts)
        out.append(
            Episode(
                ride_id=ride_id,
                start=first_ts - timedelta(seconds=int(first_span)),
                end=last_ts,
                duration_s=int(duration),
                cycles=int(cycles),
            )
        )
    return out


def _aware(value: object) -> datetime:
    from hallofshame.db.types import UTCDateTime

    return UTCDateTime().process_result_value(value, None)  # type: ignore[arg-type,return-value]
