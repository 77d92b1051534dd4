"""Polls of one park → cycles and observations, in the caller's transaction.

The span, the local day and the park-open decision are fixed here, once, from stored
data; the metrics layer reads them and never re-derives them from timestamps. Live
collection records one poll at a time and history simulation a day of polls at a time,
through the same function, so both write exactly the same rows; the number of queries
per batch does not grow with the number of rides.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from hallofshame.db.dialects import bulk_insert, lock_park
from hallofshame.db.models import Cycle, Observation, OperatedDay, Park, table_of
from hallofshame.domain.cycle_span import cycle_span
from hallofshame.domain.localtime import date_of_day_number, day_number, local_date_of, zone
from hallofshame.domain.statuses import ATTRACTION, Origin, RideStatus, Source
from hallofshame.ingest import derived
from hallofshame.ingest.catalog_sync import (
    UnknownParkError,
    ensure_wiki_park,
    find_park,
    sync_rides,
)
from hallofshame.ingest.quality import record_issue
from hallofshame.ingest.schedules import active_attractions, load_schedule_book
from hallofshame.rollups import running
from hallofshame.sources.base import LiveSnapshot, RideReading

log = logging.getLogger("hallofshame.cycle")


@dataclass
class CycleOutcome:
    park_id: int
    park_name: str
    ts_iso: str
    created: bool
    cycle_id: int | None = None
    span_s: int = 0
    park_open: bool = False
    statuses: Counter[str] = field(default_factory=Counter)
    origin: str = Origin.LIVE.value


def resolve_park(session: Session, snapshot: LiveSnapshot) -> Park:
    if snapshot.source is Source.THEMEPARKS_WIKI:
        return ensure_wiki_park(
            session, snapshot.park_upstream_id, snapshot.park_name, snapshot.timezone
        )
    park = find_park(session, snapshot.source, snapshot.park_upstream_id)
    if park is None:
        raise UnknownParkError(
            f"Queue-Times park {snapshot.park_upstream_id} is not in the catalog"
        )
    return park


def _unique(readings: Sequence[RideReading]) -> list[RideReading]:
    seen: dict[str, RideReading] = {}
    for reading in readings:
        seen.setdefault(reading.upstream_id, reading)
    return list(seen.values())


def record_cycle(
    session: Session,
    snapshot: LiveSnapshot,
    *,
    interval_s: int,
    version: int,
    origin: Origin = Origin.LIVE,
) -> CycleOutcome:
    """Write one poll as a cycle unless the park already has one at this instant."""
    park = resolve_park(session, snapshot)
    return record_cycles(
        session, park, [snapshot], interval_s=interval_s, version=version, origin=origin
    )[0]


@dataclass(frozen=True)
class _Neighbours:
    """The park's stored cycles around a batch: what decides its spans and its order."""

    stored: set[datetime]  # instants already stored between the batch's first and last
    prev: datetime | None  # the latest stored cycle before the batch
    next: datetime | None  # the first stored cycle after the batch

    def in_order(self, first: datetime) -> bool:
        """Nothing stored after the batch's first new cycle: live collection's case."""
        return self.next is None and not any(ts > first for ts in self.stored)


def _neighbours(session: Session, park_id: int, first: datetime, last: datetime) -> _Neighbours:
    stored = set(
        session.scalars(
            select(Cycle.ts).where(Cycle.park_id == park_id, Cycle.ts.between(first, last))
        )
    )
    prev, nxt = session.execute(
        select(
            select(func.max(Cycle.ts))
            .where(Cycle.park_id == park_id, Cycle.ts < first)
            .scalar_subquery(),
            select(func.min(Cycle.ts))
            .where(Cycle.park_id == park_id, Cycle.ts > last)
            .scalar_subquery(),
        )
    ).one()
    return _Neighbours(stored=stored, prev=prev, next=nxt)


def record_cycles(
    session: Session,
    park: Park,
    snapshots: Sequence[LiveSnapshot],
    *,
    interval_s: int,
    version: int | None,
    origin: Origin = Origin.LIVE,
) -> list[CycleOutcome]:
    """Write a park's polls as cycles; instants already stored are skipped. The outcomes
    are in the order of ``snapshots``.

    ``version`` is the metrics version whose running sums of today the new cycles
    advance; None (a load of history) leaves them to the next live cycle: the days it
    writes are rolled up at the end of the load, and read from raw until then.

    Polls may arrive in any order and before, between or after the stored ones: whatever
    the stored rows were derived from and the new polls change is derived again
    (``ingest.derived``), so the figures equal those of all the polls loaded in time order.
    """
    polls = sorted(snapshots, key=lambda s: s.fetched_at)
    if not polls:
        return []
    lock_park(session, park.id)
    first_ts = polls[0].fetched_at.replace(microsecond=0)
    last_ts = polls[-1].fetched_at.replace(microsecond=0)
    around = _neighbours(session, park.id, first_ts, last_ts)
    source = polls[0].source
    all_readings = _unique([r for s in polls for r in s.rides])
    synced = sync_rides(session, park, source, all_readings)
    rides = synced.rides
    for relink in synced.relinked:
        record_issue(
            session,
            source=source.value,
            kind="ride_id_changed",
            message=f"{relink.name!r} now listed as {relink.new_id} (was {relink.old_id})",
            detected_at=polls[0].fetched_at,
            park_id=park.id,
            upstream_park_id=polls[0].park_upstream_id,
        )
    if source is Source.QUEUE_TIMES:
        park.reports_down = False
    tz = zone(park.timezone)
    active = active_attractions(session, park.id)
    book = load_schedule_book(
        session,
        park.id,
        local_date_of(first_ts, tz) - timedelta(days=1),
        local_date_of(last_ts, tz),
    )
    # The new polls and the stored cycles between them, in time order: each new cycle's
    # span runs from its predecessor, and a stored cycle right after a new one gets its
    # span from it (METRICS.md §1).
    # Read once: an ORM attribute costs a descriptor call, and a load reads them for
    # every ride of every poll.
    ride_ids = {upstream_id: ride.id for upstream_id, ride in rides.items()}
    attractions = {
        upstream_id
        for upstream_id, ride in rides.items()
        if ride.category == ATTRACTION and ride.active
    }
    fresh: dict[datetime, tuple[LiveSnapshot, CycleOutcome]] = {}
    outcomes: list[CycleOutcome] = []  # in the order the polls were given
    for snap in snapshots:
        ts = snap.fetched_at.replace(microsecond=0)
        outcome = CycleOutcome(
            park.id, park.name, ts.isoformat(), created=False, origin=origin.value
        )
        outcomes.append(outcome)
        if ts not in around.stored and ts not in fresh:
            fresh[ts] = (snap, outcome)
            outcome.created = True
    followers: dict[datetime, datetime] = {}
    cycle_rows: list[dict[str, object]] = []
    pending: list[tuple[CycleOutcome, datetime, list[RideReading], bool, int]] = []
    prev, prev_is_new = around.prev, False
    for ts in sorted(around.stored | set(fresh)):
        if ts in around.stored:
            if prev_is_new and prev is not None:
                followers[ts] = prev
            prev, prev_is_new = ts, False
            continue
        snap, outcome = fresh[ts]
        readings = _unique(snap.rides)
        local = local_date_of(ts, tz)
        operating = _operating_attractions(readings, attractions)
        is_open, basis = book.park_open(ts, local, operating, active)
        span = cycle_span(ts, prev, interval_s)
        prev, prev_is_new = ts, True
        cycle_rows.append(
            {
                "park_id": park.id,
                "ts": ts,
                "span_s": span,
                "source": snap.source.value,
                "origin": origin.value,
                "local_date": local,
                "local_day": day_number(local),
                "park_open": is_open,
                "open_basis": basis,
                "rides_seen": len(readings),
            }
        )
        outcome.span_s, outcome.park_open = span, is_open
        outcome.statuses = Counter(r.status.value for r in readings)
        pending.append((outcome, ts, readings, is_open, day_number(local)))
    if not cycle_rows:
        return outcomes
    if around.next is not None and prev_is_new and prev is not None:
        followers[around.next] = prev
    in_order = around.in_order(min(fresh))

    session.execute(insert(table_of(Cycle)), cycle_rows)
    if origin is not Origin.LIVE:
        # History written beside live collection may commit after a later live cycle:
        # answers kept ready (keyed by the highest cycle id they saw) must not miss it.
        derived.facts_changed(session)
    ids = dict(
        session.execute(
            select(Cycle.ts, Cycle.id).where(
                Cycle.park_id == park.id, Cycle.ts.between(first_ts, last_ts)
            )
        ).all()
    )
    observations = []
    operated: dict[tuple[int, int], datetime] = {}
    for outcome, ts, readings, is_open, local_day in pending:
        outcome.cycle_id = cycle_id = ids[ts]
        park_id = park.id
        for r in readings:
            ride_id = ride_ids[r.upstream_id]
            observations.append(
                {
                    "cycle_id": cycle_id,
                    "ride_id": ride_id,
                    "park_id": park_id,
                    "ts": ts,
                    "status": STATUS_TEXT[r.status],
                    "raw_status": r.raw_status,
                    "wait_minutes": r.wait_minutes,
                    "last_updated": r.last_updated,
                }
            )
            # Operated: OPERATING while the park was open (METRICS.md §2).
            if is_open and r.status is RideStatus.OPERATING:
                operated.setdefault((ride_id, local_day), ts)
    for chunk in range(0, len(observations), 5000):
        bulk_insert(session, table_of(Observation), observations[chunk : chunk + 5000])
    _mark_operated(session, operated)

    new_dates = sorted({date_of_day_number(p[4]) for p in pending})
    if in_order:
        # Nothing stored depends on the new cycles, unless their day was already rolled
        # up (a cycle arriving after its day closed).
        stale = derived.rolled_dates(session, park.id, new_dates)
    else:
        stale = derived.affected_dates(new_dates) | derived.affected_dates(
            derived.respan(session, park.id, followers, lambda ts, p: cycle_span(ts, p, interval_s))
        )
    derived.drop_sums(session, park.id, stale, at=last_ts)
    if version is None:
        running.forget(session, park.id, new_dates)
        return outcomes
    # In order, nothing stored is later than the new cycles: the latest day is theirs.
    latest_day = (
        max(p[4] for p in pending)
        if in_order
        else session.scalar(select(func.max(Cycle.local_day)).where(Cycle.park_id == park.id))
    )
    running.advance(
        session,
        park.id,
        [
            (ids[ts], ts, outcome.span_s, local_day, is_open)
            for outcome, ts, _readings, is_open, local_day in pending
        ],
        latest_day=int(latest_day or 0),
        version=version,
    )
    return outcomes


def _operating_attractions(readings: Sequence[RideReading], attractions: set[str]) -> int:
    """How many of the readings are active attractions OPERATING (by upstream id)."""
    return sum(
        1 for r in readings if r.status is RideStatus.OPERATING and r.upstream_id in attractions
    )


#: Each status as stored (an enum's ``.value`` is a descriptor call per observation).
STATUS_TEXT = {status: status.value for status in RideStatus}


def _mark_operated(session: Session, first_seen: dict[tuple[int, int], datetime]) -> None:
    """Remember the first instant each ride operated on each local day."""
    if not first_seen:
        return
    ride_ids = sorted({ride for ride, _ in first_seen})
    days = [day for _, day in first_seen]
    known = {
        (row[0], row[1]): row[2]
        for row in session.execute(
            select(OperatedDay.ride_id, OperatedDay.local_day, OperatedDay.first_operated_at).where(
                OperatedDay.ride_id.in_(ride_ids),
                OperatedDay.local_day.between(min(days), max(days)),
            )
        )
    }
    new = [
        {"ride_id": ride, "local_day": day, "first_operated_at": ts}
        for (ride, day), ts in first_seen.items()
        if (ride, day) not in known
    ]
    if new:
        session.execute(insert(table_of(OperatedDay)), new)
    for (ride, day), ts in first_seen.items():
        if (ride, day) in known and known[(ride, day)] > ts:
            # A poll loaded out of order moves the first instant earlier.
            session.execute(
                update(OperatedDay)
                .where(OperatedDay.ride_id == ride, OperatedDay.local_day == day)
                .values(first_operated_at=ts)
            )
