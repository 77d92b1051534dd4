"""Stored schedules and the park-open decision of METRICS.md §2.

A fetched schedule covers every local date from its first to its last entry; a cycle is
decided by the latest fetch made before it that covers its date. A covered date with no
OPERATING window means the park is closed; only an uncovered date falls back to the
attraction-count heuristic.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hallofshame.db.models import Cycle, Park, Ride, ScheduleDay, ScheduleWindow
from hallofshame.domain.statuses import ATTRACTION
from hallofshame.ingest import derived
from hallofshame.sources.base import ScheduleFetch

OPERATING = "OPERATING"


def store_schedule(session: Session, park: Park, fetch: ScheduleFetch) -> int:
    """Keep this fetch's covered dates and windows; returns windows stored.

    Every fetch is kept: a cycle is decided by the latest fetch made before it, so a
    fetch loaded after the cycles it decides (a backfill) decides them again
    (``reopen``), and one loaded before a later fetch never replaces it.
    """
    covered = fetch.covered
    if covered is None:
        return 0
    first, last = covered
    fetched_at = fetch.fetched_at.replace(microsecond=0)
    if session.scalar(
        select(func.count())
        .select_from(ScheduleDay)
        .where(ScheduleDay.park_id == park.id, ScheduleDay.fetched_at == fetched_at)
    ):
        return 0  # this very fetch is already stored (a replay seen twice)
    days = (last - first).days + 1
    session.add_all(
        ScheduleDay(park_id=park.id, local_date=first + timedelta(days=i), fetched_at=fetched_at)
        for i in range(days)
    )
    session.add_all(
        ScheduleWindow(
            park_id=park.id,
            local_date=w.local_date,
            window_type=w.window_type,
            description=w.description,
            opening_at=w.opening_at,
            closing_at=w.closing_at,
            fetched_at=fetched_at,
        )
        for w in fetch.windows
        if w.closing_at > w.opening_at
    )
    session.flush()
    reopen(session, park, first, last + timedelta(days=1), since=fetched_at)
    return len(fetch.windows)


def reopen(session: Session, park: Park, first: date, last: date, *, since: datetime) -> None:
    """Decide park-open again for the stored cycles of local dates first..last at or after
    ``since`` (a schedule fetched then was just stored); what changed is derived again.

    Live collection stores a schedule before the cycles it decides, so this finds nothing
    to do; a schedule loaded late changes cycles, their rides' operated days and the
    figures of those days and the 7 that follow (``ingest.derived``).
    """
    rows = session.execute(
        select(Cycle.id, Cycle.ts, Cycle.local_date, Cycle.park_open, Cycle.open_basis).where(
            Cycle.park_id == park.id,
            Cycle.local_date.between(first, last),
            Cycle.ts >= since,
        )
    ).all()
    if not rows:
        return
    book = load_schedule_book(session, park.id, first - timedelta(days=1), last)
    active = active_attractions(session, park.id)
    operating = derived.operating_attractions(session, [r[0] for r in rows])
    changed: set[date] = set()
    for cid, ts, local, was_open, was_basis in rows:
        is_open, basis = book.park_open(ts, local, operating.get(cid, 0), active)
        if (is_open, basis) != (bool(was_open), was_basis):
            session.execute(
                update(Cycle).where(Cycle.id == cid).values(park_open=is_open, open_basis=basis)
            )
            changed.add(local)
    if not changed:
        return
    days = sorted(changed)
    # Operated days follow park-open; the days that look back at a changed one follow them.
    moved = derived.recount_operated(session, park.id, days)
    derived.drop_sums(
        session, park.id, derived.affected_dates(changed | moved), at=max(r[1] for r in rows)
    )


def open_threshold(active_attractions: int) -> int:
    """At least max(2, ceil(10 % of the park's active attractions)) must be operating."""
    return max(2, math.ceil(active_attractions / 10))


def active_attractions(session: Session, park_id: int) -> int:
    """Attractions known for the park so far, in any status (shows excluded)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Ride)
            .where(Ride.park_id == park_id, Ride.category == ATTRACTION, Ride.active.is_(True))
        )
        or 0
    )


@dataclass(frozen=True)
class ScheduleBook:
    """A park's stored schedule fetches for a few local dates, to decide park-open per
    cycle by the latest fetch made before it."""

    #: local date → the instants of the fetches that cover it, oldest first
    covered: dict[date, list[datetime]]
    #: (local date, fetched at) → that fetch's OPERATING windows of that date
    windows: dict[tuple[date, datetime], list[tuple[datetime, datetime]]]

    def fetch_for(self, local_date: date, ts: datetime) -> datetime | None:
        """The latest fetch covering ``local_date`` made at or before ``ts``."""
        fetches = self.covered.get(local_date, [])
        i = bisect_right(fetches, ts)
        return fetches[i - 1] if i else None

    def park_open(
        self, ts: datetime, local_date: date, operating: int, active: int
    ) -> tuple[bool, str]:
        """(open, basis) at ``ts``: the schedule fetched before ``ts``, else the heuristic."""
        fetched = self.fetch_for(local_date, ts)
        if fetched is None:
            return operating >= open_threshold(active), "heuristic"
        inside = any(
            opening <= ts < closing
            for opening, closing in self.windows.get((local_date, fetched), [])
        )
        # A window of the previous local date that runs past midnight counts too.
        before = local_date - timedelta(days=1)
        earlier = self.fetch_for(before, ts)
        if earlier is not None:
            inside = inside or any(
                opening <= ts < closing
                for opening, closing in self.windows.get((before, earlier), [])
            )
        return inside, "schedule"


def load_schedule_book(session: Session, park_id: int, first: date, last: date) -> ScheduleBook:
    covered: dict[date, list[datetime]] = {}
    for local, fetched in session.execute(
        select(ScheduleDay.local_date, ScheduleDay.fetched_at)
        .where(ScheduleDay.park_id == park_id, ScheduleDay.local_date.between(first, last))
        .order_by(ScheduleDay.local_date, ScheduleDay.fetched_at)
    ):
        covered.setdefault(local, []).append(fetched)
    windows: dict[tuple[date, datetime], list[tuple[datetime, datetime]]] = {}
    for local, opening, closing, fetched in session.execute(
        select(
            ScheduleWindow.local_date,
            ScheduleWindow.opening_at,
            ScheduleWindow.closing_at,
            ScheduleWindow.fetched_at,
        ).where(
            ScheduleWindow.park_id == park_id,
            ScheduleWindow.local_date.between(first, last),
            ScheduleWindow.window_type == OPERATING,
        )
    ):
        windows.setdefault((local, fetched), []).append((opening, closing))
    return ScheduleBook(covered=covered, windows=windows)


def latest_fetch(session: Session, park_id: int, local_date: date) -> datetime | None:
    """When the newest stored schedule covering the date was fetched (what to show)."""
    return session.scalar(
        select(func.max(ScheduleDay.fetched_at)).where(
            ScheduleDay.park_id == park_id, ScheduleDay.local_date == local_date
        )
    )


def has_schedule_for(session: Session, park_id: int, local_date: date) -> bool:
    return latest_fetch(session, park_id, local_date) is not None


def windows_on(session: Session, park_id: int, local_date: date) -> list[ScheduleWindow] | None:
    """The windows of a park's local date by its newest schedule; None when no schedule
    covers the date."""
    fetched = latest_fetch(session, park_id, local_date)
    if fetched is None:
        return None
    return list(
        session.scalars(
            select(ScheduleWindow)
            .where(
                ScheduleWindow.park_id == park_id,
                ScheduleWindow.local_date == local_date,
                ScheduleWindow.fetched_at == fetched,
            )
            .order_by(ScheduleWindow.opening_at)
        )
    )
