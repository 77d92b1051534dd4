"""Where a ride's outages of the last 90 days come from: the days the rollup stored
(``ride_outages``), then raw cycles for the rest (METRICS.md §8).

The recovery curve and the live listings' stay-or-go fields read them here, so both
give the same outages as one pass over 90 days of raw cycles would:

- a park's stored days are its rolled-up days (``park_day_rollups.outages``), up to the
  latest one, as long as every rolled day of the window has its outages stored and no
  day of it was made stale by late data (``stale_days``); otherwise everything is raw;
- an outage the rollup stored while it was still ``ongoing`` is read again from raw,
  from its day on;
- the raw pass starts at the park's last closed cycle before the first raw day (at most
  ``LEAD`` before it: ``outages.opening_start``), so it sees whole the opening an outage
  of that day starts in, and keeps the outages whose first down cycle lies on a raw day.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Integer, and_, case, func, or_, select
from sqlalchemy.orm import Session

from hallofshame.db.models import ParkDayRollup, RideOutage, StaleDay
from hallofshame.domain.localtime import local_date_of, local_midnight
from hallofshame.metrics.outages import (
    LEAD,
    ONGOING,
    REOPENED,
    Outage,
    Pass,
    opening_starts,
    outages_of,
)
from hallofshame.metrics.recovery import HISTORY, history_window


@dataclass(frozen=True)
class Wanted:
    """The rides of one park whose history is asked for."""

    timezone: str
    ride_ids: tuple[int, ...]


@dataclass(frozen=True)
class Split:
    """Where each park's outages of the window come from: stored up to ``stored_until``
    (a park absent there has none stored), raw from ``raw_from`` on, and the raw outages
    of the wanted rides (those whose first down cycle lies on a raw day), in time order."""

    #: Outages that began after this are the window's (90 days and ``LEAD`` before now).
    since: datetime
    stored_until: dict[int, date]
    raw_from: dict[int, datetime]
    raw: dict[int, list[Outage]]


def split(
    session: Session, parks: Mapping[int, Wanted], now: datetime, cap_s: int, version: int
) -> Split:
    """The stored days of each park, and the raw outages of the days after them."""
    since = now - HISTORY - LEAD
    stored_until = _stored_until(session, parks, since, now, version)
    # An outage stored while still going on is read again from raw, from its day on.
    for pid, day in _first_ongoing(session, parks, stored_until, since, version).items():
        stored_until[pid] = day - timedelta(days=1)
    raw_from = {
        pid: local_midnight(last + timedelta(days=1), parks[pid].timezone)
        for pid, last in stored_until.items()
    }
    opening = opening_starts(session, raw_from)
    passes = {
        pid: Pass(max(since, opening[pid]) if pid in opening else since, w.ride_ids)
        for pid, w in parks.items()
    }
    found = outages_of(session, passes, now, cap_s)
    raw: dict[int, list[Outage]] = {}
    for pid, w in parks.items():
        start = raw_from.get(pid)
        for ride_id in w.ride_ids:
            raw[ride_id] = [
                o for o in found.get(ride_id, []) if start is None or o.first_ts >= start
            ]
    return Split(since, stored_until, raw_from, raw)


def histories(
    session: Session, parks: Mapping[int, Wanted], now: datetime, cap_s: int, version: int
) -> dict[int, list[Outage]]:
    """Each ride's outages that began after now − 90 days − LEAD, in time order."""
    parks = {pid: w for pid, w in parks.items() if w.ride_ids}
    if not parks:
        return {}
    where = split(session, parks, now, cap_s, version)
    stored = _stored(session, parks, where.stored_until, where.since, version)
    return {
        ride_id: stored.get(ride_id, []) + where.raw[ride_id]
        for w in parks.values()
        for ride_id in w.ride_ids
    }


@dataclass
class Samples:
    """The (duration, reopened) samples of one ride's curve and the oldest start among
    the outages they come from (None: no sample)."""

    samples: list[tuple[float, bool]] = field(default_factory=list)
    oldest_started_at: datetime | None = None

    def add(self, sample: tuple[float, bool], count: int, started_at: datetime) -> None:
        self.samples.extend([sample] * count)
        if self.oldest_started_at is None or started_at < self.oldest_started_at:
            self.oldest_started_at = started_at


def stored_samples(
    session: Session,
    parks: Mapping[int, Wanted],
    where: Split,
    kinds: Mapping[int, str],
    now: datetime,
    version: int,
) -> dict[int, Samples]:
    """The samples of the stored outages each ride's curve of the kind ``kinds[ride]``
    rests on (started within 90 days before ``now``), read as counts per distinct duration
    rather than outage by outage: what the live listings need of a ride's history, at a
    fraction of the rows."""
    stored = _stored_of(parks, where.stored_until, where.since, version, only=kinds)
    if stored is None:
        return {}
    o = RideOutage
    first, last = history_window(now)
    rows = session.execute(
        select(
            o.park_id,
            o.ride_id,
            o.kind,
            o.duration_s,
            o.outcome,
            func.count(),
            func.min(o.started_at),
        )
        .where(
            *stored,
            o.started_at.between(first, last),
            o.kind.in_(sorted(set(kinds.values()))),
        )
        .group_by(o.park_id, o.ride_id, o.kind, o.duration_s, o.outcome)
    )
    out: dict[int, Samples] = {}
    for _, ride_id, kind, duration, outcome, n, oldest in rows:
        if kinds[ride_id] == kind:
            sample = (float(duration), outcome == REOPENED)
            out.setdefault(ride_id, Samples()).add(sample, int(n), oldest)
    return out


def _stored_until(
    session: Session, parks: Mapping[int, Wanted], since: datetime, now: datetime, version: int
) -> dict[int, date]:
    """Per park, the last day up to which the window's outages are stored (absent: none).

    Only days that ended before ``now`` count: a rollup made later than ``now`` (a clock
    pinned in the past) holds outages ``now`` has not seen yet."""
    first = min(local_date_of(since, w.timezone) for w in parks.values()) - timedelta(days=1)
    with_outages = func.sum(case((ParkDayRollup.outages.is_(True), 1), else_=0).cast(Integer))
    rolled = session.execute(
        select(
            ParkDayRollup.park_id,
            func.max(ParkDayRollup.local_date),
            func.count(),
            with_outages,
        )
        .where(
            ParkDayRollup.park_id.in_(list(parks)),
            ParkDayRollup.metrics_version == version,
            ParkDayRollup.local_date >= first,
        )
        .group_by(ParkDayRollup.park_id)
    )
    stale = dict(
        session.execute(
            select(StaleDay.park_id, func.min(StaleDay.local_date))
            .where(StaleDay.park_id.in_(list(parks)), StaleDay.local_date >= first)
            .group_by(StaleDay.park_id)
        ).all()
    )
    out: dict[int, date] = {}
    for pid, last, days, stored_days in rolled:
        if int(stored_days or 0) < int(days):  # days rolled up before outages were kept
            continue
        last = min(_date(last), local_date_of(now, parks[pid].timezone) - timedelta(days=1))
        if pid in stale and _date(stale[pid]) <= last:
            last = _date(stale[pid]) - timedelta(days=1)
        out[pid] = last
    return out


def _stored_of(
    parks: Mapping[int, Wanted],
    until: Mapping[int, date],
    since: datetime,
    version: int,
    only: Collection[int] | None = None,
) -> list[ColumnElement[bool]] | None:
    """What picks the stored outages of the window for the wanted rides (or those of them
    in ``only``): of this version, begun after ``since``, on each park's stored days (up
    to its ``until``). None when no such ride has stored days."""
    rides = [r for pid in until for r in parks[pid].ride_ids if only is None or r in only]
    if not rides:
        return None
    o = RideOutage
    return [
        o.ride_id.in_(rides),
        o.metrics_version == version,
        o.first_ts > since,
        or_(*(and_(o.park_id == pid, o.local_date <= day) for pid, day in until.items())),
    ]


def _stored(
    session: Session,
    parks: Mapping[int, Wanted],
    until: Mapping[int, date],
    since: datetime,
    version: int,
) -> dict[int, list[Outage]]:
    """Each ride's stored outages of the days up to its park's ``until``, in time order."""
    where = _stored_of(parks, until, since, version)
    if where is None:
        return {}
    o = RideOutage
    rows = session.execute(
        select(
            o.ride_id,
            o.started_at,
            o.first_ts,
            o.last_ts,
            o.duration_s,
            o.outcome,
            o.kind,
        )
        .where(*where)
        .order_by(o.first_ts)
    )
    out: dict[int, list[Outage]] = {}
    for ride_id, started, first, last, duration, outcome, kind in rows:
        outage = Outage(
            ride_id=ride_id,
            started_at=started,
            first_ts=first,
            ended_at=None if outcome == ONGOING else last,
            last_ts=last,
            duration_s=int(duration),
            outcome=outcome,
            kind=kind,
        )
        out.setdefault(ride_id, []).append(outage)
    return out


def _first_ongoing(
    session: Session,
    parks: Mapping[int, Wanted],
    until: Mapping[int, date],
    since: datetime,
    version: int,
) -> dict[int, date]:
    """Per park, the first stored day (up to ``until``) holding an outage of a wanted ride
    that was still going on when its day was rolled up."""
    where = _stored_of(parks, until, since, version)
    if where is None:
        return {}
    o = RideOutage
    rows = session.execute(
        select(o.park_id, func.min(o.local_date))
        .where(*where, o.outcome == ONGOING)
        .group_by(o.park_id)
    )
    return {pid: _date(day) for pid, day in rows}


def _date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def one_ride(
    session: Session,
    park_id: int,
    timezone: str,
    ride_id: int,
    *,
    now: datetime,
    cap_s: int,
    version: int,
) -> list[Outage]:
    """One ride's outages of the window (the recovery endpoint's)."""
    found = histories(session, {park_id: Wanted(timezone, (ride_id,))}, now, cap_s, version)
    return found.get(ride_id, [])
