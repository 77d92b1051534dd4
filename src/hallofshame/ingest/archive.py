"""The ThemeParks.wiki archive into the database (REPLAY.md, "ThemeParks.wiki archive").

The archive is a log of changes; the cycles it implies depend on every event of the park
ever loaded (the state a day starts from is in the days before it, and a quiet hour is a
gap only if no event falls in it). So events are stored, and a load derives the park's
cycles again from its earliest new event on, from all stored events: loads of any days in
any order, or twice, end with the cycles of one load of everything.

Code here works in the caller's transaction and never commits.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import Session

from hallofshame.db.dialects import bulk_insert
from hallofshame.db.models import ArchiveEvent as StoredEvent
from hallofshame.db.models import Cycle, Observation, Park, Ride, table_of
from hallofshame.domain.statuses import ATTRACTION, Origin, RideStatus
from hallofshame.ingest import derived
from hallofshame.ingest.catalog_sync import ensure_wiki_park
from hallofshame.ingest.cycles import record_cycles
from hallofshame.sources.archive import Archive, ArchiveEvent, polls_for_park
from hallofshame.sources.replay import batched

#: Cycles recorded per call: a day of 5-minute cycles, so statements stay few and bounded.
POLLS_PER_BATCH = 288


@dataclass
class ArchiveStats:
    events: int = 0
    new_events: int = 0
    cycles: int = 0
    replaced: int = 0
    observations: int = 0

    def add(self, other: ArchiveStats) -> None:
        for name in ("events", "new_events", "cycles", "replaced", "observations"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def summary(self) -> str:
        return (
            f"{self.events} events ({self.new_events} new): {self.cycles} cycles "
            f"({self.replaced} derived again), {self.observations} observations"
        )


def archive_park(session: Session, archive: Archive, upstream_id: str) -> Park:
    """The park of an archive's events, created from them when not known yet."""
    events = archive.events_of(upstream_id)
    info = archive.parks.get(upstream_id)
    own = next((e for e in events if e.entity_id == upstream_id), None)
    name = (info.name if info else None) or (own.name if own else None) or upstream_id
    timezone = (info.timezone if info else None) or next(
        (e.timezone for e in events if e.timezone), "UTC"
    )
    return ensure_wiki_park(session, upstream_id, name, timezone)


def import_events(
    session: Session,
    park: Park,
    events: Sequence[ArchiveEvent],
    *,
    entity_types: dict[str, str],
    interval_s: int,
) -> ArchiveStats:
    """Store one park's events and derive its cycles again from the earliest new one."""
    stats = ArchiveStats(events=len(events))
    new = _new_events(session, park, events)
    stats.new_events = len(new)
    if not new:
        return stats
    first_new = min(e.event_time for e in new)
    # The instants after the park's last event before the new ones were past its end
    # (or in a gap) and may be cycles now; earlier instants cannot change.
    start = (
        session.scalar(
            select(func.max(StoredEvent.event_time)).where(
                StoredEvent.park_id == park.id, StoredEvent.event_time < first_new
            )
        )
        or first_new
    )
    # Every stored archive cycle from there on is derived again from all the events.
    replaced = session.execute(
        select(Cycle.id, Cycle.local_date).where(
            Cycle.park_id == park.id, Cycle.origin == Origin.ARCHIVE.value, Cycle.ts >= start
        )
    ).all()
    if replaced:
        ids = [r[0] for r in replaced]
        for chunk in range(0, len(ids), 1000):
            part = ids[chunk : chunk + 1000]
            session.execute(delete(Observation).where(Observation.cycle_id.in_(part)))
            session.execute(delete(Cycle).where(Cycle.id.in_(part)))
    stats.replaced = len(replaced)
    types = {**_known_types(session, park.id), **entity_types}
    # The stored events that decide the polls from ``start`` on, read before the new ones
    # are stored (they are in hand already, exactly as they are stored).
    known = _stored_events(session, park, start)
    _insert_events(session, park.id, new)
    polls = polls_for_park(
        sorted([*known, *new], key=lambda x: x.event_time),
        interval_s=interval_s,
        park_name=park.name,
        timezone=park.timezone,
        entity_types=types,
        start=start,
    )
    for batch in batched(polls, POLLS_PER_BATCH):
        outcomes = record_cycles(
            session,
            park,
            batch,
            interval_s=interval_s,
            version=None,  # history: rolled up at the end of the load
            origin=Origin.ARCHIVE,
        )
        stats.cycles += sum(1 for o in outcomes if o.created)
        stats.observations += sum(
            len(s.rides) for s, o in zip(batch, outcomes, strict=True) if o.created
        )
    if replaced:
        # The replaced cycles' rides may have operated differently: count again, and drop
        # the sums of those days and the days that look back at them.
        days = sorted({r[1] for r in replaced})
        moved = derived.recount_operated(session, park.id, days)
        derived.drop_sums(session, park.id, derived.affected_dates(set(days) | moved), at=start)
    return stats


def _new_events(session: Session, park: Park, events: Sequence[ArchiveEvent]) -> list[ArchiveEvent]:
    """The events not stored yet, as they will be stored and read back (to the second,
    one per entity and instant: the last given wins)."""
    if not events:
        return []
    first = min(e.event_time for e in events).replace(microsecond=0)
    last = max(e.event_time for e in events)
    stored = {
        (entity_id, at)
        for entity_id, at in session.execute(
            select(StoredEvent.entity_id, StoredEvent.event_time).where(
                StoredEvent.park_id == park.id, StoredEvent.event_time.between(first, last)
            )
        )
    }
    fresh: dict[tuple[str, datetime], ArchiveEvent] = {}
    for e in events:
        key = (e.entity_id, e.event_time.replace(microsecond=0))
        if key not in stored:
            fresh[key] = ArchiveEvent(
                entity_id=e.entity_id,
                name=(e.name or e.entity_id)[:200],
                park_id=park.wiki_id or "",
                timezone=park.timezone,
                event_time=key[1],
                status=e.status,
                raw_status=None if e.raw_status is None else str(e.raw_status)[:32],
                wait_minutes=e.wait_minutes,
                has_standby=e.has_standby,
            )
    return list(fresh.values())


def _insert_events(session: Session, park_id: int, events: Sequence[ArchiveEvent]) -> None:
    rows = [
        {
            "park_id": park_id,
            "entity_id": e.entity_id,
            "event_time": e.event_time,
            "name": e.name,
            "status": e.status.value,
            "raw_status": e.raw_status,
            "wait_minutes": e.wait_minutes,
            "has_standby": e.has_standby,
        }
        for e in events
    ]
    for chunk in range(0, len(rows), 5000):
        bulk_insert(session, table_of(StoredEvent), rows[chunk : chunk + 5000])


def _stored_events(session: Session, park: Park, start: datetime) -> list[ArchiveEvent]:
    """The park's stored events from ``start`` on, and each entity's latest before it
    (the state ``start`` begins with; the latest of them also decides a gap)."""
    e = StoredEvent
    columns = (
        e.entity_id,
        e.name,
        e.event_time,
        e.status,
        e.raw_status,
        e.wait_minutes,
        e.has_standby,
    )
    latest = (
        select(e.entity_id, func.max(e.event_time).label("at"))
        .where(e.park_id == park.id, e.event_time < start)
        .group_by(e.entity_id)
        .subquery()
    )
    before = (
        select(*columns)
        .join(latest, and_(e.entity_id == latest.c.entity_id, e.event_time == latest.c.at))
        .where(e.park_id == park.id)
    )
    after = select(*columns).where(e.park_id == park.id, e.event_time >= start)
    rows = [*session.execute(before), *session.execute(after)]
    upstream = park.wiki_id or ""
    return sorted(
        (
            ArchiveEvent(
                entity_id=entity,
                name=name,
                park_id=upstream,
                timezone=park.timezone,
                event_time=at,
                status=RideStatus(status),
                raw_status=raw,
                wait_minutes=wait,
                has_standby=bool(standby),
            )
            for entity, name, at, status, raw, wait, standby in rows
        ),
        key=lambda x: x.event_time,
    )


def _known_types(session: Session, park_id: int) -> dict[str, str]:
    """Types already known: the park's stored rides, and entities whose stored events
    ever listed a standby queue (REPLAY.md: then an attraction, if never typed)."""
    types = {
        str(wid): cat
        for wid, cat in session.execute(
            select(Ride.wiki_id, Ride.category).where(
                Ride.park_id == park_id, Ride.wiki_id.is_not(None), Ride.category != "UNKNOWN"
            )
        )
    }
    for (entity,) in session.execute(
        select(StoredEvent.entity_id)
        .where(StoredEvent.park_id == park_id, StoredEvent.has_standby.is_(True))
        .distinct()
    ):
        types.setdefault(entity, ATTRACTION)
    return types


def day_chunks(events: Sequence[ArchiveEvent], days: int = 1) -> Iterator[list[ArchiveEvent]]:
    """A park's events (time order) cut into runs of ``days`` UTC days: a transaction each."""
    chunk: list[ArchiveEvent] = []
    end: datetime | None = None
    for e in events:
        if end is not None and e.event_time >= end:
            yield chunk
            chunk, end = [], None
        if end is None:
            midnight = e.event_time.replace(hour=0, minute=0, second=0, microsecond=0)
            end = midnight + timedelta(days=days)
        chunk.append(e)
    if chunk:
        yield chunk
