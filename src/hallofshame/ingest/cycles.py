"""One poll of one park → one cycle and its observations, in the caller's transaction.

The span, the local day and the park-open decision are fixed here, once, from stored
data; the metrics layer reads them and never re-derives them from timestamps.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from hallofshame.db.models import Cycle, Observation, OperatedDay, Park
from hallofshame.domain.localtime import day_number, local_date_of
from hallofshame.domain.statuses import ATTRACTION, RideStatus, Source
from hallofshame.ingest.catalog_sync import (
    UnknownParkError,
    ensure_wiki_park,
    find_park,
    sync_rides,
)
from hallofshame.ingest.schedules import park_open_at
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


def span_cap(interval_s: int) -> int:
    """Beyond twice the collection interval a gap is unknown time (METRICS.md §1)."""
    return 2 * interval_s


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


def _unique_readings(readings: tuple[RideReading, ...]) -> list[RideReading]:
    seen: dict[str, RideReading] = {}
    for reading in readings:
        seen.setdefault(reading.upstream_id, reading)
    return list(seen.values())


def record_cycle(session: Session, snapshot: LiveSnapshot, *, interval_s: int) -> CycleOutcome:
    """Write the cycle unless this park already has one at this instant (idempotent)."""
    park = resolve_park(session, snapshot)
    ts = snapshot.fetched_at.replace(microsecond=0)
    outcome = CycleOutcome(
        park_id=park.id, park_name=park.name, ts_iso=ts.isoformat(), created=False
    )
    if session.scalar(select(Cycle.id).where(Cycle.park_id == park.id, Cycle.ts == ts)):
        return outcome
    readings = _unique_readings(snapshot.rides)
    rides = sync_rides(session, park, snapshot.source, readings)
    if snapshot.source is Source.QUEUE_TIMES:
        park.reports_down = False

    prev = session.scalar(select(func.max(Cycle.ts)).where(Cycle.park_id == park.id, Cycle.ts < ts))
    span = (
        interval_s if prev is None else min(int((ts - prev).total_seconds()), span_cap(interval_s))
    )
    local_date = local_date_of(ts, ZoneInfo(park.timezone))
    local_day = day_number(local_date)
    operating_attractions = sum(
        1
        for r in readings
        if r.status is RideStatus.OPERATING
        and rides[r.upstream_id].category == ATTRACTION
        and rides[r.upstream_id].active
    )
    is_open, basis = park_open_at(session, park, ts, local_date, operating_attractions)

    cycle = Cycle(
        park_id=park.id,
        ts=ts,
        span_s=span,
        source=snapshot.source.value,
        local_date=local_date,
        local_day=local_day,
        park_open=is_open,
        open_basis=basis,
        rides_seen=len(readings),
    )
    session.add(cycle)
    session.flush()
    if readings:
        session.execute(
            insert(Observation),
            [
                {
                    "cycle_id": cycle.id,
                    "ride_id": rides[r.upstream_id].id,
                    "park_id": park.id,
                    "ts": ts,
                    "status": r.status.value,
                    "raw_status": r.raw_status,
                    "wait_minutes": r.wait_minutes,
                    "last_updated": r.last_updated,
                }
                for r in readings
            ],
        )
    if is_open:
        _mark_operated(
            session,
            [rides[r.upstream_id].id for r in readings if r.status is RideStatus.OPERATING],
            local_day,
            ts,
        )
    outcome.created, outcome.cycle_id, outcome.span_s = True, cycle.id, span
    outcome.park_open = is_open
    outcome.statuses = Counter(r.status.value for r in readings)
    return outcome


def _mark_operated(session: Session, ride_ids: list[int], local_day: int, ts: object) -> None:
    """Remember the first instant each ride operated on this local day."""
    if not ride_ids:
        return
    known = dict(
        session.execute(
            select(OperatedDay.ride_id, OperatedDay.first_operated_at).where(
                OperatedDay.local_day == local_day, OperatedDay.ride_id.in_(ride_ids)
            )
        ).all()
    )
    new = [rid for rid in ride_ids if rid not in known]
    if new:
        session.execute(
            insert(OperatedDay),
            [{"ride_id": rid, "local_day": local_day, "first_operated_at": ts} for rid in new],
        )
    later = [rid for rid, first in known.items() if first > ts]  # type: ignore[operator]
    if later:  # a cycle loaded out of order moves the first instant earlier
        session.execute(
            update(OperatedDay)
            .where(OperatedDay.local_day == local_day, OperatedDay.ride_id.in_(later))
            .values(first_operated_at=ts)
        )
