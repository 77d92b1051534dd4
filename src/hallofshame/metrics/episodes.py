"""Downtime episodes (METRICS.md §4) as set-based SQL with window functions.

An episode is a run of down cycles of one ride; it ends at the first cycle where the
ride is up or the park is closed, or when the local day ends. A cycle that is neither
up nor down, or a gap, neither extends nor ends it. ``keyed`` states that rule once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, Subquery, case, func, or_, select
from sqlalchemy.orm import Session

from hallofshame.domain.localtime import date_of_day_number, local_midnight
from hallofshame.metrics.classify import Scope, bound, classified, shaped


def keyed(scope: Scope) -> Subquery:
    """``classified`` rows with ``episode_key``: the episode a down row belongs to.

    The key counts the cycles so far in the ride's local day that end an episode (the ride
    up, or the park closed). Down rows with the same (ride, day, key) are one episode: a
    new key starts after every ending cycle, the day boundary starts a new partition, and
    rows that are neither up nor down nor park-closed (or gaps) do not move the key, so
    they neither extend nor end an episode. This is the one definition of METRICS.md §4's
    episode; sums, rollups and the ride page's outage list all group by it.
    """
    return shaped(scope, ("keyed",), lambda: _keyed(scope))


def _keyed(scope: Scope) -> Subquery:
    c = classified(scope)
    ends = case((or_(c.c.up == 1, c.c.open == 0), 1), else_=0).cast(Integer)
    key = func.sum(ends).over(
        partition_by=(c.c.ride_id, c.c.local_day), order_by=c.c.ts, rows=(None, 0)
    )
    return select(c, key.label("episode_key")).subquery("keyed")


def _episodes(scope: Scope) -> Subquery:
    return shaped(scope, ("episodes",), lambda: _build_episodes(scope))


def _build_episodes(scope: Scope) -> Subquery:
    k = keyed(scope)
    part = (k.c.ride_id, k.c.local_day, k.c.episode_key)
    down = (
        select(
            k.c.ride_id,
            k.c.park_id,
            k.c.local_day,
            k.c.episode_key,
            k.c.ts,
            k.c.span_s,
            # Window functions see only the rows WHERE kept: the first down cycle's span.
            func.first_value(k.c.span_s)
            .over(partition_by=part, order_by=k.c.ts)
            .label("first_span"),
        )
        .where(k.c.down == 1)
        .subquery("down_rows")
    )
    return (
        select(
            down.c.ride_id,
            down.c.local_day,
            down.c.episode_key,
            func.min(down.c.ts).label("first_ts"),
            func.max(down.c.ts).label("last_ts"),
            func.max(down.c.first_span).label("first_span"),
            func.sum(down.c.span_s).label("duration_s"),
            func.count().label("cycles"),
            func.max(down.c.park_id).label("park_id"),  # one park per ride
        )
        .group_by(down.c.ride_id, down.c.local_day, down.c.episode_key)
        .subquery("episodes")
    )


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
    for ride_id, first_ts, last_ts, first_span, duration, cycles in session.execute(
        bound(stmt, scope)
    ):
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


@dataclass(frozen=True)
class EpisodeState:
    """An episode and whether it has ended yet, as of the scope's last cycle or ``now``.

    ``first_ts`` (the first down cycle's instant) and the ride name the episode for good:
    later cycles lengthen it but never move its first cycle, unlike ``start``, which
    follows the first cycle's span.
    """

    episode: Episode
    park_id: int
    local_day: int
    first_ts: datetime
    #: The instant it ended: the cycle where the ride was up or the park closed, or the
    #: local midnight that cut it; None while it runs.
    closed_at: datetime | None


def episode_states(
    session: Session, scope: Scope, now: datetime, zones: dict[int, str]
) -> list[EpisodeState]:
    """Every episode of the scope, with the cycle (or local midnight) that ended it;
    ``zones`` are the scope's parks' time zones.

    The ending cycle of the episode with key k is the first row of its ride-day whose key
    is k + 1: ``keyed`` counts the ending row itself, and nothing else moves the key. An
    episode with no such row has ended only when its local day has (by ``now``). Two
    statements, whatever the data: the live collection counts on a fixed cost per cycle.
    """
    e = _episodes(scope)
    rows = session.execute(
        bound(
            select(
                e.c.ride_id,
                e.c.park_id,
                e.c.local_day,
                e.c.episode_key,
                e.c.first_ts,
                e.c.last_ts,
                e.c.first_span,
                e.c.duration_s,
                e.c.cycles,
            ).order_by(e.c.first_ts, e.c.ride_id),
            scope,
        )
    ).all()
    k = keyed(scope)
    ending = (
        select(k.c.ride_id, k.c.local_day, k.c.episode_key, func.min(k.c.ts))
        .where(or_(k.c.up == 1, k.c.open == 0))
        .group_by(k.c.ride_id, k.c.local_day, k.c.episode_key)
    )
    ends = {
        (int(r), int(d), int(key)): _aware(ts)
        for r, d, key, ts in session.execute(bound(ending, scope)).all()
    }
    out = []
    for ride_id, park_id, day, key, first_ts, last_ts, first_span, duration, cycles in rows:
        first, last = _aware(first_ts), _aware(last_ts)
        closed = ends.get((int(ride_id), int(day), int(key) + 1))
        if closed is None:
            midnight = local_midnight(date_of_day_number(int(day) + 1), zones[park_id])
            closed = midnight if midnight <= now else None
        episode = Episode(
            ride_id=int(ride_id),
            start=first - timedelta(seconds=int(first_span)),
            end=last,
            duration_s=int(duration),
            cycles=int(cycles),
        )
        out.append(EpisodeState(episode, int(park_id), int(day), first, closed))
    return out


def _aware(value: object) -> datetime:
    from hallofshame.db.types import UTCDateTime

    return UTCDateTime().process_result_value(value, None)  # type: ignore[arg-type,return-value]
