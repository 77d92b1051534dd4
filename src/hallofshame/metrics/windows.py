"""Periods → sums for every park, each in its own local calendar (METRICS.md §5).

Complete days come from the daily rollups of the configured version when they exist;
every other day (today, or a day not rolled up yet) is computed from raw observations
by the same sums. Both halves are additive, so the period total is their sum.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from hallofshame.db.models import Cycle, Park, ParkDayRollup, ParkDayRunning, Ride
from hallofshame.domain.localtime import date_of_day_number, day_number, local_date_of
from hallofshame.domain.periods import Window, resolve
from hallofshame.domain.spans import Span, cover
from hallofshame.metrics.classify import Scope, counted_rides
from hallofshame.metrics.figures import ParkFigures, RideFigures, ride_figures
from hallofshame.metrics.sums import (
    ParkOpen,
    RideSums,
    SpanOpen,
    group_by_park,
    merge_parks,
    merge_rides,
    raw_park_open,
    raw_ride_sums,
    rollup_filter,
    rollup_park_open,
    rollup_ride_sums,
    running_park_open,
    running_ride_sums,
    span_park_open,
    span_ride_sums,
)

#: A park's latest cycle is live only while it is at most this old (METRICS.md §5).
LIVE_MAX_AGE = timedelta(minutes=30)


@dataclass(frozen=True)
class ParkPeriod:
    park: Park
    window: Window
    figures: ParkFigures


def park_windows(parks: Sequence[Park], period: object, now: datetime) -> dict[int, Window]:
    return {p.id: resolve(period, now, ZoneInfo(p.timezone)) for p in parks}  # type: ignore[arg-type]


def _days(window: Window) -> list[date]:
    n = (window.end_date - window.start_date).days + 1
    return [window.start_date + timedelta(days=i) for i in range(n)]


def _rolled_days(
    session: Session, wanted: dict[int, list[date]], version: int
) -> dict[int, set[date]]:
    if not any(wanted.values()):
        return {}
    stmt = select(ParkDayRollup.park_id, ParkDayRollup.local_date).where(
        rollup_filter(ParkDayRollup, wanted, version)
    )
    out: dict[int, set[date]] = {}
    for pid, d in session.execute(stmt):
        out.setdefault(pid, set()).add(d)
    return out


def running_days(
    session: Session, wanted: dict[int, list[date]], version: int, now: datetime
) -> dict[int, set[date]]:
    """Park days whose running rows cover every cycle of the day up to ``now``.

    A day with a cycle after ``now`` (the clock is pinned in the past) or whose running
    rows were dropped is left to the raw computation.
    """
    if not any(wanted.values()):
        return {}
    rows = session.execute(
        select(
            ParkDayRunning.park_id,
            ParkDayRunning.local_date,
            ParkDayRunning.last_ts,
            ParkDayRunning.cycles,
        ).where(rollup_filter(ParkDayRunning, wanted, version), ParkDayRunning.last_ts <= now)
    ).all()
    if not rows:
        return {}
    # By local day number: the (park, local_day) index answers each pair with a seek.
    stored = {
        (pid, date_of_day_number(int(day))): (ts, int(n))
        for pid, day, ts, n in session.execute(
            select(Cycle.park_id, Cycle.local_day, func.max(Cycle.ts), func.count())
            .where(
                or_(
                    *(
                        and_(Cycle.park_id == pid, Cycle.local_day == day_number(d))
                        for pid, d, _, _ in rows
                    )
                )
            )
            .group_by(Cycle.park_id, Cycle.local_day)
        )
    }
    out: dict[int, set[date]] = {}
    # The one completeness rule: the rows count exactly the day's cycles, up to its last.
    for pid, d, last_ts, cycles in rows:
        if stored.get((pid, d)) == (last_ts, cycles):
            out.setdefault(pid, set()).add(d)
    return out


@dataclass(frozen=True, slots=True)
class RideInfo:
    """What figures and listings need of a ride: where it is, its name and its tier.

    Plain values rather than ORM objects: every ranking reads the whole catalog's counted
    rides, and building ~1,500 ORM instances a request cost more than its sums.
    """

    id: int
    park_id: int
    name: str
    tier: int | None


def attraction_counts(session: Session, park_ids: Sequence[int]) -> dict[int, int]:
    """How many attractions count in each park (active attractions, METRICS.md §1)."""
    if not park_ids:
        return {}
    stmt = (
        select(Ride.park_id, func.count())
        .where(Ride.park_id.in_(park_ids), counted_rides())
        .group_by(Ride.park_id)
    )
    return {pid: int(n) for pid, n in session.execute(stmt)}


def ride_tiers(session: Session, park_ids: Sequence[int]) -> dict[int, RideInfo]:
    """The counted rides of the parks (the rides a figure is made of), by id."""
    if not park_ids:
        return {}
    rows = session.execute(
        select(Ride.id, Ride.park_id, Ride.name, Ride.tier).where(
            Ride.park_id.in_(park_ids), counted_rides()
        )
    )
    return {r.id: RideInfo(r.id, r.park_id, r.name, r.tier) for r in rows}


def ride_info(ride: Ride) -> RideInfo:
    return RideInfo(ride.id, ride.park_id, ride.name, ride.tier)


def build_figures(
    park_id: int,
    rides: Iterable[RideSums],
    tiers: dict[int, RideInfo],
    open_: ParkOpen | None,
) -> ParkFigures:
    """The park's figures from its counted rides' sums (other parks' sums are ignored)."""
    figures: list[RideFigures] = [
        ride_figures(s, tiers[s.ride_id].tier)
        for s in rides
        if s.park_id == park_id and s.ride_id in tiers
    ]
    return ParkFigures(park_id=park_id, rides=figures, open=open_ or ParkOpen(park_id=park_id))


def period_figures(
    session: Session,
    parks: Sequence[Park],
    period: object,
    now: datetime,
    version: int,
    *,
    tiers: dict[int, RideInfo] | None = None,
) -> list[ParkPeriod]:
    """Every park's figures for a period (not ``live``).

    Each park-day comes from exactly one place: the kept week or month sums when a whole
    such span of complete days is rolled up (``kept_spans``), else the daily rollup of
    ``version`` when the day is complete and rolled up, else the running sums kept as its
    cycles arrived (today), else the raw observations. Days without any cycle need none.
    """
    windows = park_windows(parks, period, now)
    today = {p.id: local_date_of(now, ZoneInfo(p.timezone)) for p in parks}
    wanted = {pid: [d for d in _days(w) if d < today[pid]] for pid, w in windows.items()}
    rolled = _rolled_days(session, wanted, version)
    rest = days_with_cycles(
        session,
        {
            pid: [d for d in _days(w) if d not in rolled.get(pid, set())]
            for pid, w in windows.items()
        },
    )
    kept = kept_spans(session, wanted, rolled, rest, version)
    covered = {pid: {d for s in spans for d in s.dates()} for pid, spans in kept.items()}
    rolled_list = {
        pid: sorted(d for d in ds if d not in covered.get(pid, set())) for pid, ds in rolled.items()
    }
    running = running_days(session, rest, version, now)
    running_list = {pid: sorted(ds) for pid, ds in running.items()}
    raw_days = {
        pid: tuple(day_number(d) for d in ds if d not in running.get(pid, set()))
        for pid, ds in rest.items()
    }
    scope = Scope(days={pid: ds for pid, ds in raw_days.items() if ds}, until=now)
    span_reads = {pid: [s for s, k in spans.items() if k] for pid, spans in kept.items()}
    rides = merge_rides(
        span_ride_sums(session, span_reads, version),
        rollup_ride_sums(session, rolled_list, version),
        running_ride_sums(session, running_list, version),
        raw_ride_sums(session, scope) if scope.days else {},
    )
    opens = merge_parks(
        *({pid: k.open} for pid, spans in kept.items() for k in spans.values() if k),
        rollup_park_open(session, rolled_list, version),
        running_park_open(session, running_list, version),
        raw_park_open(session, scope) if scope.days else {},
    )
    if tiers is None:
        tiers = ride_tiers(session, [p.id for p in parks])
    by_park = group_by_park(rides.values())
    return [
        ParkPeriod(
            park=p,
            window=windows[p.id],
            figures=build_figures(p.id, by_park.get(p.id, []), tiers, opens.get(p.id)),
        )
        for p in parks
    ]


def kept_spans(
    session: Session,
    wanted: dict[int, list[date]],
    rolled: dict[int, set[date]],
    rest: dict[int, list[date]],
    version: int,
) -> dict[int, dict[Span, SpanOpen | None]]:
    """The weeks and months of each park's complete days that the kept span sums can
    stand for: every day of the span with cycles is rolled up, and the kept sums add up
    exactly that many days. ``None`` marks a span with no rolled day (nothing to read)."""
    candidates: dict[int, list[Span]] = {}
    covers: dict[tuple[date, ...], list[Span]] = {}  # most parks share their dates
    for pid, days in wanted.items():
        pending = rest.get(pid, [])
        key = tuple(days)
        if key not in covers:
            covers[key] = cover(key)[0]
        spans = covers[key]
        candidates[pid] = [s for s in spans if not any(s.first <= d <= s.last for d in pending)]
    stored = span_park_open(session, candidates, version)
    out: dict[int, dict[Span, SpanOpen | None]] = {}
    for pid, spans in candidates.items():
        have = rolled.get(pid, set())
        for span in spans:
            n = sum(1 for d in have if span.first <= d <= span.last)
            k = stored.get((pid, span))
            if (k.days if k else 0) == n:
                out.setdefault(pid, {})[span] = k
    return out


def days_with_cycles(session: Session, wanted: dict[int, list[date]]) -> dict[int, list[date]]:
    """Only days that have cycles need computing (a closed or unpolled day has none)."""
    if not any(wanted.values()):
        return {}
    groups: dict[tuple[date, ...], list[int]] = {}
    for pid, ds in wanted.items():
        if ds:
            groups.setdefault(tuple(ds), []).append(pid)
    stmt = (
        select(Cycle.park_id, Cycle.local_day)
        .distinct()
        .where(
            or_(
                *(
                    and_(
                        Cycle.park_id.in_(pids),
                        Cycle.local_day.between(day_number(min(ds)), day_number(max(ds))),
                    )
                    for ds, pids in groups.items()
                )
            )
        )
    )
    found: dict[int, set[int]] = {}
    for pid, day in session.execute(stmt):
        found.setdefault(pid, set()).add(int(day))
    return {
        pid: [d for d in ds if day_number(d) in found.get(pid, set())] for pid, ds in wanted.items()
    }


def latest_cycles(session: Session, park_ids: Sequence[int], now: datetime) -> dict[int, Cycle]:
    """Each park's latest cycle at or before now, if it is at most 30 minutes old."""
    if not park_ids:
        return {}
    latest = (
        select(Cycle.park_id, func.max(Cycle.ts).label("ts"))
        .where(Cycle.park_id.in_(park_ids), Cycle.ts <= now, Cycle.ts >= now - LIVE_MAX_AGE)
        .group_by(Cycle.park_id)
        .subquery()
    )
    rows = session.scalars(
        select(Cycle).join(latest, and_(Cycle.park_id == latest.c.park_id, Cycle.ts == latest.c.ts))
    )
    return {c.park_id: c for c in rows}


def live_figures(
    session: Session,
    parks: Sequence[Park],
    now: datetime,
    *,
    tiers: dict[int, RideInfo] | None = None,
) -> list[ParkPeriod]:
    """Figures of each park's live cycle; parks without live data are left out."""
    cycles = latest_cycles(session, [p.id for p in parks], now)
    scope = Scope(cycle_ids=tuple(c.id for c in cycles.values()))
    rides = raw_ride_sums(session, scope, episodes=False)
    opens = raw_park_open(session, scope)
    if tiers is None:
        tiers = ride_tiers(session, list(cycles))
    by_park = group_by_park(rides.values())
    out = []
    for p in parks:
        if p.id not in cycles:
            continue
        window = resolve("today", now, ZoneInfo(p.timezone))
        out.append(
            ParkPeriod(
                park=p,
                window=window,
                figures=build_figures(p.id, by_park.get(p.id, []), tiers, opens.get(p.id)),
            )
        )
    return out
