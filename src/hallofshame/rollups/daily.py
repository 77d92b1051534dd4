"""Daily rollups: the additive sums of one ride-day and one park-day, per metrics version,
and the week and month sums kept beside them (``rollups.spans``).

Recomputing a range for a version replaces exactly that version's rows for the days of
that range whose raw cycles are all still there (delete + insert in the caller's
transaction), so running it twice leaves the same rows.
Only complete local days are rolled up; today is always computed from raw.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from hallofshame.db.dialects import lock_park
from hallofshame.db.models import (
    OperatedDay,
    Park,
    ParkDayRollup,
    ParkDayRunning,
    RideDayRollup,
    RideDayRunning,
    table_of,
)
from hallofshame.domain.localtime import date_of_day_number, day_number, local_date_of
from hallofshame.metrics.classify import Scope
from hallofshame.metrics.sums import raw_park_day_open, raw_ride_day_sums
from hallofshame.metrics.windows import ride_tiers
from hallofshame.rollups.outages import rewrite_outages
from hallofshame.rollups.spans import rewrite_spans

log = logging.getLogger("hallofshame.rollups")


@dataclass
class RollupResult:
    park_days: int = 0
    ride_days: int = 0
    empty_days: int = 0
    #: Rolled-up days left as they were: their raw cycles are (partly) purged.
    kept_days: int = 0

    def add(self, other: RollupResult) -> None:
        self.park_days += other.park_days
        self.ride_days += other.ride_days
        self.empty_days += other.empty_days
        self.kept_days += other.kept_days


def last_complete_day(park: Park, now: datetime) -> date:
    return local_date_of(now, ZoneInfo(park.timezone)) - timedelta(days=1)


def rollup_park_days(
    session: Session,
    park: Park,
    first: date,
    last: date,
    *,
    version: int,
    now: datetime,
    cap_s: int,
) -> RollupResult:
    """Replace ``version``'s rows of ``park`` for local dates first..last (complete only),
    except days whose raw data is no longer whole (``kept_days``)."""
    last = min(last, last_complete_day(park, now))
    result = RollupResult()
    if last < first:
        return result
    # One writer of a park's rollups at a time: the week and month sums rewritten at the
    # end add up days other transactions may be rewriting, and the last writer must see
    # the others' committed days. Taken first, before any write, so two writers never hold
    # each other's locks (PostgreSQL's NO KEY UPDATE leaves the collector's foreign-key
    # checks on the park free; MariaDB's FOR UPDATE makes them wait for this transaction).
    lock_park(session, park.id)
    d0, d1 = day_number(first), day_number(last)
    scope = Scope(days={park.id: tuple(range(d0, d1 + 1))})
    ride_days = raw_ride_day_sums(session, scope)
    park_days = raw_park_day_open(session, scope)
    tiers = ride_tiers(session, [park.id])
    operated = (
        {
            (ride_id, day): first_at
            for ride_id, day, first_at in session.execute(
                select(
                    OperatedDay.ride_id, OperatedDay.local_day, OperatedDay.first_operated_at
                ).where(OperatedDay.ride_id.in_(list(tiers)), OperatedDay.local_day.between(d0, d1))
            )
        }
        if tiers
        else {}
    )

    # Only days whose raw cycles are all still there are replaced: a day purged (wholly or
    # in part, the retention cut falls inside days) keeps the rollup made when it was
    # whole, instead of being emptied or shrunk by a recompute.
    existing = dict(
        session.execute(
            select(ParkDayRollup.local_date, ParkDayRollup.cycles).where(
                ParkDayRollup.park_id == park.id,
                ParkDayRollup.metrics_version == version,
                ParkDayRollup.local_date.between(first, last),
            )
        ).all()
    )
    replace = {
        day
        for (_, day), o in park_days.items()
        if o.cycles >= existing.get(date_of_day_number(day), 0)
    }
    kept_days = set(existing) - {date_of_day_number(d) for d in replace}
    result.kept_days = len(kept_days)
    dates = sorted(date_of_day_number(d) for d in replace)
    # A rolled day's running sums are superseded by its rollup.
    for model in (RideDayRollup, ParkDayRollup, RideDayRunning, ParkDayRunning):
        if dates:
            session.execute(
                delete(model).where(
                    model.park_id == park.id,
                    model.metrics_version == version,
                    model.local_date.in_(dates),
                )
            )

    computed_at = now.replace(microsecond=0)
    ride_rows = []
    for (ride_id, day), s in ride_days.items():
        if ride_id not in tiers or day not in replace:
            continue
        first_at = operated.get((ride_id, day))
        ride_rows.append(
            {
                "ride_id": ride_id,
                "park_id": park.id,
                "local_date": date_of_day_number(day),
                "metrics_version": version,
                "up_s": s.up_s,
                "down_s": s.down_s,
                "capacity_s": s.capacity_s,
                "wait_sum": s.wait_sum,
                "wait_n": s.wait_n,
                "wait_max": s.wait_max,
                "operated": first_at is not None,
                "first_operated_at": first_at,
                "episodes": s.episodes,
                "longest_outage_s": s.longest_s,
                "observed_s": s.observed_s,
                "computed_at": computed_at,
            }
        )
    park_rows = [
        {
            "park_id": park.id,
            "local_date": date_of_day_number(day),
            "metrics_version": version,
            "open_s": o.open_s,
            "cycles": o.cycles,
            "span_s": o.span_s,
            "outages": True,
            "computed_at": computed_at,
        }
        for (_, day), o in park_days.items()
        if day in replace
    ]
    if ride_rows:
        session.execute(insert(table_of(RideDayRollup)), ride_rows)
    if park_rows:
        session.execute(insert(table_of(ParkDayRollup)), park_rows)
    rewrite_outages(session, park, dates, version=version, now=now, cap_s=cap_s)
    rewrite_spans(session, park.id, first, last, version=version, now=now)
    result.park_days, result.ride_days = len(park_rows), len(ride_rows)
    polled = {date_of_day_number(day) for _, day in park_days}
    result.empty_days = (d1 - d0 + 1) - len(polled | kept_days)
    if result.kept_days:
        log.warning(
            "%s: %d rolled-up days between %s and %s kept as they were (raw data purged)",
            park.name,
            result.kept_days,
            first,
            last,
        )
    if result.empty_days:
        log.warning(
            "%s: %d of %d days between %s and %s have no cycles",
            park.name,
            result.empty_days,
            d1 - d0 + 1,
            first,
            last,
        )
    return result
