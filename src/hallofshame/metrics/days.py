"""Day by day: one park's figures for each local day of a range (the uptime strips).

Each day's figures are the figures of the one-day window ``start=D&end=D``: every day
is read from exactly the store ``windows.period_figures`` would read for that window
(the daily rollup of the version when the day is complete and rolled up, else the
running sums when they cover all of the day's cycles up to now, else the raw
observations), but the whole range is read in a few queries grouped by day instead of
one window at a time.

The reliability class of a day is decided here, once, from unrounded figures (as every
filter is, METRICS.md §4); the thresholds are published in docs/methodology.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from hallofshame.db.models import Park
from hallofshame.domain.localtime import date_of_day_number, day_number, local_date_of
from hallofshame.metrics.classify import Scope
from hallofshame.metrics.figures import ParkFigures, RideFigures, ride_figures
from hallofshame.metrics.sums import (
    ParkOpen,
    RideSums,
    raw_park_day_open,
    raw_ride_day_sums,
    rollup_park_day_open,
    rollup_ride_day_sums,
    running_park_day_open,
    running_ride_day_sums,
)
from hallofshame.metrics.windows import (
    RideInfo,
    _rolled_days,
    build_figures,
    days_with_cycles,
    ride_tiers,
    running_days,
)

DEFAULT_DAYS = 90
MAX_DAYS = 366

#: Day statuses that are not a judgement: nothing was polled, or the park never opened.
NO_DATA = "no_data"
CLOSED = "closed"
#: Reliability classes, best first.
GOOD = "good"
FAIR = "fair"
POOR = "poor"
BAD = "bad"
CLASSES = (GOOD, FAIR, POOR, BAD)
STATUSES = (NO_DATA, CLOSED, *CLASSES)

#: A ride's day by its uptime percentage: at least 99 → good, 95 → fair, 85 → poor,
#: else bad.
RIDE_UPTIME_AT_LEAST = ((99.0, GOOD), (95.0, FAIR), (85.0, POOR))
#: A park's day by its shame score: below 0.25 → good, 0.5 → fair, 1.0 → poor, else bad.
PARK_SHAME_BELOW = ((0.25, GOOD), (0.5, FAIR), (1.0, POOR))


@dataclass(frozen=True)
class ParkDay:
    """One local day of a park: its figures, as the one-day window would give them."""

    date: date
    figures: ParkFigures

    @property
    def polled(self) -> bool:
        return self.figures.open.cycles > 0

    @property
    def open(self) -> bool:
        return self.figures.open.open_s > 0

    def ride(self, ride: RideInfo) -> RideFigures:
        """The ride's figures of the day; a counted ride never seen that day sums to 0."""
        found = next((r for r in self.figures.rides if r.ride_id == ride.id), None)
        if found is not None:
            return found
        return ride_figures(RideSums(ride_id=ride.id, park_id=ride.park_id), ride.tier)


def park_status(day: ParkDay) -> str:
    if not day.polled:
        return NO_DATA
    if not day.open:
        return CLOSED
    if day.figures.weighted_capacity_s <= 0:  # open, but no counted ride had a known status
        return NO_DATA
    score = day.figures.shame_score
    return next((c for below, c in PARK_SHAME_BELOW if score < below), BAD)


def ride_status(day: ParkDay, figures: RideFigures) -> str:
    if not day.polled:
        return NO_DATA
    if not day.open:
        return CLOSED
    uptime = figures.uptime_percentage
    if uptime is None:  # the park was open, the ride neither up nor down: closed for it
        return CLOSED if figures.sums.capacity_s > 0 or figures.sums.observations else NO_DATA
    return next((c for least, c in RIDE_UPTIME_AT_LEAST if uptime >= least), BAD)


def last_days(park: Park, now: datetime, n: int) -> tuple[date, date]:
    """The first and last local date of the ``n`` days ending today in the park's zone."""
    today = local_date_of(now, ZoneInfo(park.timezone))
    return today - timedelta(days=n - 1), today


def park_days(
    session: Session,
    park: Park,
    first: date,
    last: date,
    now: datetime,
    version: int,
    *,
    tiers: dict[int, RideInfo] | None = None,
) -> list[ParkDay]:
    """The park's figures for each local date first..last (oldest first), each from the
    store its one-day window reads (see the module docstring)."""
    pid = park.id
    today = local_date_of(now, ZoneInfo(park.timezone))
    dates = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    complete = [d for d in dates if d < today]
    rolled = _rolled_days(session, {pid: complete}, version).get(pid, set())
    rest = days_with_cycles(session, {pid: [d for d in dates if d not in rolled]}).get(pid, [])
    running = running_days(session, {pid: rest}, version, now).get(pid, set())
    raw = tuple(day_number(d) for d in rest if d not in running)

    rides: dict[date, list[RideSums]] = {}
    opens: dict[date, ParkOpen] = {}
    stored = {pid: sorted(rolled)}
    kept = {pid: sorted(running)}
    for (_, d), s in rollup_ride_day_sums(session, stored, version).items():
        rides.setdefault(d, []).append(s)
    for (_, d), s in running_ride_day_sums(session, kept, version).items():
        rides.setdefault(d, []).append(s)
    for (_, d), o in rollup_park_day_open(session, stored, version).items():
        opens[d] = o
    for (_, d), o in running_park_day_open(session, kept, version).items():
        opens[d] = o
    if raw:
        scope = Scope(days={pid: raw}, until=now)
        for (_, n), s in raw_ride_day_sums(session, scope).items():
            rides.setdefault(date_of_day_number(n), []).append(s)
        for (_, n), o in raw_park_day_open(session, scope).items():
            opens[date_of_day_number(n)] = o
    if tiers is None:
        tiers = ride_tiers(session, [pid])
    return [
        ParkDay(date=d, figures=build_figures(pid, rides.get(d, []), tiers, opens.get(d)))
        for d in dates
    ]
