"""Stored schedules and the park-open decision of METRICS.md §2.

A fetched schedule covers every local date from its first to its last entry; a later
fetch replaces the dates it covers. A covered date with no OPERATING window means the
park is closed; only an uncovered date falls back to the attraction-count heuristic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import Session

from hallofshame.db.models import Park, Ride, ScheduleDay, ScheduleWindow
from hallofshame.domain.statuses import ATTRACTION
from hallofshame.sources.base import ScheduleFetch

OPERATING = "OPERATING"


def store_schedule(session: Session, park: Park, fetch: ScheduleFetch) -> int:
    """Replace the covered dates with this fetch's windows; returns windows stored."""
    covered = fetch.covered
    if covered is None:
        return 0
    first, last = covered
    fetched_at = fetch.fetched_at.replace(microsecond=0)
    in_range = and_(ScheduleDay.park_id == park.id, ScheduleDay.local_date.between(first, last))
    stored = session.execute(
        select(func.count(), func.min(ScheduleDay.fetched_at)).where(in_range)
    ).one()
    days = (last - first).days + 1
    if stored[0] == days and stored[1] == fetched_at:
        return 0  # this very fetch is already stored (a replay seen twice)
    session.execute(delete(ScheduleDay).where(in_range))
    session.execute(
        delete(ScheduleWindow).where(
            ScheduleWindow.park_id == park.id, ScheduleWindow.local_date.between(first, last)
        )
    )
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
    return len(fetch.windows)


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
    """A park's stored schedule for a few local dates, to decide park-open per cycle."""

    covered: dict[date, datetime]  # local date → when the covering schedule was fetched
    windows: list[tuple[date, datetime, datetime, datetime]]  # OPERATING windows

    def park_open(
        self, ts: datetime, local_date: date, operating: int, active: int
    ) -> tuple[bool, str]:
        """(open, basis) at ``ts``: the schedule fetched before ``ts``, else the heuristic."""
        fetched = self.covered.get(local_date)
        if fetched is not None and fetched <= ts:
            # A window of the previous local date that runs past midnight counts too.
            inside = any(
                day in (local_date, local_date - timedelta(days=1))
                and opening <= ts < closing
                and fetched_at <= ts
                for day, opening, closing, fetched_at in self.windows
            )
            return inside, "schedule"
        return operating >= open_threshold(active), "heuristic"


def load_schedule_book(session: Session, park_id: int, first: date, last: date) -> ScheduleBook:
    covered = dict(
        session.execute(
            select(ScheduleDay.local_date, ScheduleDay.fetched_at).where(
                ScheduleDay.park_id == park_id, ScheduleDay.local_date.between(first, last)
            )
        ).all()
    )
    windows = [
        (row[0], row[1], row[2], row[3])
        for row in session.execute(
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
        )
    ]
    return ScheduleBook(covered=covered, windows=windows)


def has_schedule_for(session: Session, park_id: int, local_date: date) -> bool:
    return (
        session.scalar(
            select(func.count())
            .select_from(ScheduleDay)
            .where(ScheduleDay.park_id == park_id, ScheduleDay.local_date == local_date)
        )
        != 0
    )


def windows_on(session: Session, park_id: int, local_date: date) -> list[ScheduleWindow] | None:
    """The stored windows of a park's local date; None when no schedule covers the date."""
    if not has_schedule_for(session, park_id, local_date):
        return None
    return list(
        session.scalars(
            select(ScheduleWindow)
            .where(ScheduleWindow.park_id == park_id, ScheduleWindow.local_date == local_date)
            .order_by(ScheduleWindow.opening_at)
        )
    )
