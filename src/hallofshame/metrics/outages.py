"""Outages of one ride (METRICS.md §8): runs of down cycles not cut at local midnight.

One pass over the park's cycles in time order, each joined to the ride's ``classified``
row of that cycle (if the ride was observed). An outage starts at a down cycle; it ends
at the first cycle where the ride is up (``reopened``) or the park is closed
(``park_closed``); still down at the park's latest cycle it is ``ongoing``. A cycle
where the ride is neither up nor down (unknown, not eligible, not observed), or a gap,
neither extends nor ends it. Its duration is the sum of its down cycles' spans.

Its kind is ``opening_delay`` when it starts before the ride has been up at any earlier
cycle of the same opening (a run of open cycles with no closed cycle and no gap longer
than the span cap between them), else ``breakdown``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, union_all
from sqlalchemy.orm import Session

from hallofshame.db.dialects import joined_ids, split_ids
from hallofshame.db.models import Cycle
from hallofshame.db.types import UTCDateTime
from hallofshame.metrics.classify import Scope, bound, classified

REOPENED = "reopened"
PARK_CLOSED = "park_closed"
ONGOING = "ongoing"
OUTCOMES = (REOPENED, PARK_CLOSED, ONGOING)

BREAKDOWN = "breakdown"
OPENING_DELAY = "opening_delay"
KINDS = (BREAKDOWN, OPENING_DELAY)

MINOR = "minor"
MODERATE = "moderate"
MAJOR = "major"
SEVERITIES = (MINOR, MODERATE, MAJOR)


def severity(duration_s: float) -> str:
    """minor < 15 min, moderate 15–60 min, major ≥ 60 min."""
    if duration_s < 15 * 60:
        return MINOR
    if duration_s < 60 * 60:
        return MODERATE
    return MAJOR


@dataclass(frozen=True)
class Outage:
    ride_id: int
    #: The first down cycle's instant minus its span: when the ride was last seen fine.
    started_at: datetime
    #: The first down cycle's instant (the cycle the outage belongs to, for windows).
    first_ts: datetime
    #: The last down cycle's instant; None while ongoing.
    ended_at: datetime | None
    last_ts: datetime
    duration_s: int
    outcome: str
    kind: str

    @property
    def severity(self) -> str:
        return severity(self.duration_s)

    @property
    def censored(self) -> bool:
        return self.outcome != REOPENED


@dataclass(frozen=True)
class CycleState:
    """One park cycle as the pass sees it (``up``/``down`` for the ride; None = unseen)."""

    ts: datetime
    span_s: int
    park_open: bool
    up: bool
    down: bool


def extract(ride_id: int, cycles: Iterable[CycleState], cap_s: int) -> list[Outage]:
    """The outages of one ride from its park's cycles in time order (one pass)."""
    out: list[Outage] = []
    prev_ts: datetime | None = None
    up_in_opening = False
    # The outage being built: first cycle, its span, last down cycle, duration, kind.
    first_ts: datetime | None = None
    first_span = 0
    last_ts: datetime | None = None
    duration = 0
    kind = BREAKDOWN

    def close(outcome: str) -> None:
        nonlocal first_ts
        if first_ts is None or last_ts is None:
            return
        out.append(
            Outage(
                ride_id=ride_id,
                started_at=first_ts - timedelta(seconds=first_span),
                first_ts=first_ts,
                ended_at=None if outcome == ONGOING else last_ts,
                last_ts=last_ts,
                duration_s=duration,
                outcome=outcome,
                kind=kind,
            )
        )
        first_ts = None

    for c in cycles:
        gap = prev_ts is not None and (c.ts - prev_ts).total_seconds() > cap_s
        prev_ts = c.ts
        if not c.park_open:
            up_in_opening = False
            if first_ts is not None:
                close(PARK_CLOSED)
            continue
        if gap:  # a new opening starts here
            up_in_opening = False
        if c.up:
            up_in_opening = True
            if first_ts is not None:
                close(REOPENED)
        elif c.down:
            if first_ts is None:
                first_ts, first_span, duration = c.ts, c.span_s, 0
                kind = BREAKDOWN if up_in_opening else OPENING_DELAY
            last_ts = c.ts
            duration += c.span_s
    if first_ts is not None:
        close(ONGOING)
    return out


def _aware(value: object) -> datetime:
    return UTCDateTime().process_result_value(value, None)  # type: ignore[arg-type,return-value]


def ride_outages(
    session: Session,
    park_id: int,
    ride_id: int,
    since: datetime,
    now: datetime,
    cap_s: int,
) -> list[Outage]:
    """Every outage of the ride whose cycles lie in (since, now], in time order.

    The pass starts at ``since``: callers start it early enough that the openings and
    outages they report began after it (an outage running at ``since`` is seen from
    there on only).
    """
    return outages_of(session, {park_id: Pass(since, (ride_id,))}, now, cap_s).get(ride_id, [])


@dataclass(frozen=True)
class Pass:
    """Which cycles of one park a pass reads, (since, now], and for which rides (None:
    every counted ride)."""

    since: datetime
    ride_ids: tuple[int, ...] | None


def outages_of(
    session: Session, passes: Mapping[int, Pass], now: datetime, cap_s: int
) -> dict[int, list[Outage]]:
    """The outages of several rides of several parks, by ride, each in time order.

    Two queries whatever the number of parks and rides: the parks' cycles, and the
    cycles where one of the rides is up or down. Every cycle of its park is part of a
    ride's pass, seen or not, because a closed cycle or a gap ends an opening.
    """
    if not passes:
        return {}
    # Each park's cycles by their own index seek, as one statement: with an OR of several
    # parks' windows MariaDB no longer seeks each park by index (4 s instead of 0.2 s
    # for 13 parks on L).
    per_park = [
        select(
            Cycle.id, Cycle.park_id, Cycle.ts, Cycle.span_s, Cycle.park_open, Cycle.local_day
        ).where(Cycle.park_id == pid, Cycle.ts > p.since, Cycle.ts <= now)
        for pid, p in passes.items()
    ]
    query = per_park[0] if len(per_park) == 1 else union_all(*per_park)
    cycles = session.execute(query).all()
    start = min(p.since for p in passes.values())
    if not cycles:
        return {}
    days: dict[int, tuple[int, int]] = {}
    for _, pid, _, _, _, day in cycles:
        lo, hi = days.get(pid, (day, day))
        days[pid] = (min(lo, day), max(hi, day))
    every_ride = any(p.ride_ids is None for p in passes.values())
    ride_ids = tuple(r for p in passes.values() for r in p.ride_ids or ())
    scope = Scope(
        days={pid: tuple(range(lo, hi + 1)) for pid, (lo, hi) in days.items()},
        until=now,
        start=start,
        ride_ids=None if every_ride else ride_ids,
    )
    c = classified(scope)
    # The cycles where a ride is up, and where it is down, one row per ride and local day
    # each (a row per cycle made reading them most of a rollup's time).
    flagged = session.execute(
        bound(
            select(c.c.park_id, c.c.ride_id, c.c.up, joined_ids(c.c.cycle_id))
            .where(or_(c.c.up == 1, c.c.down == 1))
            .group_by(c.c.park_id, c.c.ride_id, c.c.local_day, c.c.up),
            scope,
        )
    )
    # (park, ride) → {cycle id: up (True) or down (False)}
    flags: dict[tuple[int, int], dict[int, bool]] = {}
    for pid, ride_id, up, cycle_ids in flagged:
        wanted = passes[pid].ride_ids
        if wanted is None or ride_id in wanted:
            flags.setdefault((pid, ride_id), {}).update(
                dict.fromkeys(split_ids(cycle_ids), up == 1)
            )
    by_park: dict[int, list[tuple[int, datetime, int, bool]]] = {}
    for cycle_id, pid, ts, span, park_open, _ in cycles:
        by_park.setdefault(pid, []).append((cycle_id, _aware(ts), int(span), bool(park_open)))
    for in_order in by_park.values():
        in_order.sort(key=lambda c: c[1])
    found_by_ride: dict[int, list[Outage]] = {}
    for (pid, ride_id), seen in flags.items():
        states = (
            CycleState(
                ts=ts,
                span_s=span,
                park_open=park_open,
                up=seen.get(cycle_id) is True,
                down=seen.get(cycle_id) is False,
            )
            for cycle_id, ts, span, park_open in by_park.get(pid, [])
        )
        found = extract(ride_id, states, cap_s)
        if found:
            found_by_ride[ride_id] = found
    return found_by_ride


#: How far before a window the pass starts, so that the opening an outage of the window
#: starts in is seen whole (openings are at most a day long in every feed we know).
LEAD = timedelta(days=2)


def opening_start(session: Session, park_id: int, start: datetime) -> datetime:
    """Where a pass must start to see whole the opening ``start`` falls in: at the park's
    last closed cycle before ``start`` (a pass started just after it finds the same
    outages from there on as one started any earlier), or ``LEAD`` before ``start``
    when there is none within ``LEAD``."""
    return opening_starts(session, {park_id: start})[park_id]


def opening_starts(session: Session, starts: Mapping[int, datetime]) -> dict[int, datetime]:
    """``opening_start`` of several parks, in one query (one index seek per park)."""
    if not starts:
        return {}
    parks = list(starts)
    closed = session.execute(
        select(
            *(
                select(Cycle.ts)
                .where(
                    Cycle.park_id == pid,
                    Cycle.ts < starts[pid],
                    Cycle.ts > starts[pid] - LEAD,
                    Cycle.park_open.is_(False),
                )
                .order_by(Cycle.ts.desc())
                .limit(1)
                .scalar_subquery()
                .label(f"p{i}")
                for i, pid in enumerate(parks)
            )
        )
    ).one()
    return {
        pid: starts[pid] - LEAD if ts is None else _aware(ts)
        for pid, ts in zip(parks, closed, strict=True)
    }


def closing_after(session: Session, park_id: int, at: datetime) -> datetime:
    """Where a pass may stop and still see whole every outage running at ``at``: the
    park's first closed cycle from ``at`` on (a closed cycle ends every outage), or
    ``LEAD`` after ``at`` when there is none within ``LEAD``."""
    ts = session.scalar(
        select(Cycle.ts)
        .where(
            Cycle.park_id == park_id,
            Cycle.ts >= at,
            Cycle.ts < at + LEAD,
            Cycle.park_open.is_(False),
        )
        .order_by(Cycle.ts)
        .limit(1)
    )
    return at + LEAD if ts is None else _aware(ts)


def outages_started_in(
    session: Session,
    park_id: int,
    ride_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
    cap_s: int,
) -> list[Outage]:
    """The outages whose first down cycle lies in [start, end), followed to ``now``."""
    found = ride_outages(session, park_id, ride_id, start - LEAD, now, cap_s)
    return [o for o in found if start <= o.first_ts < end]
