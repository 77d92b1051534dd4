"""Stored schedules and the park-open decision of METRICS.md §2.

A fetched schedule covers every local date from its first to its last entry; a later
fetch replaces the dates it covers. A covered date with no OPERATING window means the
park is closed; only an uncovered date falls back to the attraction-count heuristic.
"""

from __future__ import annotations

import math
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


def has_schedule_for(session: Session, park_id: int, local_date: date) -> bool:
    return (
        session.scalar(
            select(func.count())
            .select_from(ScheduleDay)
            .where(ScheduleDay.park_id == park_id, ScheduleDay.local_date == local_date)
        )
        != 0
    )


def open_threshold(active_attractions: int) -> int:
    """At least max(2, ceil(10 % of the park's active attractions)) must be operating."""
    return max(2, math.ceil(active_attractions / 10))


def park_open_at(
    session: Session, park: Park, ts: datetime, local_date: date, operating_attractions: int
) -> tuple[bool, str]:
    """(open, basis): from the schedule fetched before ``ts``, else the heuristic."""
    covered = session.scalar(
        select(func.count())
        .select_from(ScheduleDay)
        .where(
            ScheduleDay.park_id == park.id,
            ScheduleDay.local_date == local_date,
            ScheduleDay.fetched_at <= ts,
        )
    )
    if covered:
        # A window of the previous local date that runs past midnight counts too.
        inside = session.scalar(
            select(func.count())
            .select_from(ScheduleWindow)
            .where(
                ScheduleWindow.park_id == park.id,
                ScheduleWindow.local_date.between(local_date - timedelta(days=1), local_date),
                ScheduleWindow.window_type == OPERATING,
                ScheduleWindow.opening_at <= ts,
                ScheduleWindow.closing_at > ts,
                ScheduleWindow.fetched_at <= ts,
            )
        )
        return bool(inside), "schedule"
    active = (
        session.scalar(
            select(func.count())
            .select_from(Ride)
            .where(Ride.park_id == park.id, Ride.category == ATTRACTION, Ride.active.is_(True))
        )
        or 0
    )
    return operating_attractions >= open_threshold(active), "heuristic"
