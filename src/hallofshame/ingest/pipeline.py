"""One upstream response → rows, the same way for live polling and recorded feeds.

Each response is handled inside a savepoint: a response that fails anywhere leaves no
rows but its data-quality issue.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session

from hallofshame import clock
from hallofshame.domain.statuses import Source
from hallofshame.ingest.catalog_sync import UnknownParkError, find_park, upsert_catalog_parks
from hallofshame.ingest.cycles import CycleOutcome, record_cycle
from hallofshame.ingest.quality import record_issue, record_source_error
from hallofshame.ingest.schedules import store_schedule
from hallofshame.ingest.weather import store_weather
from hallofshame.sources.base import LiveSnapshot, SourceError
from hallofshame.sources.replay import (
    ReplayLine,
    parks_from_line,
    schedule_from_line,
    snapshot_from_line,
    weather_from_line,
)

log = logging.getLogger("hallofshame.ingest")


@dataclass
class IngestStats:
    lines: int = 0
    cycles: int = 0
    duplicates: int = 0
    issues: int = 0
    schedules: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


#: How far ahead of our poll an upstream ``lastUpdated`` may be before it is reported:
#: clocks a little apart are normal, a record from the future beyond this is not.
CLOCK_SKEW_TOLERANCE = timedelta(minutes=5)


def clock_skew(snapshot: LiveSnapshot) -> timedelta | None:
    """How far the newest ``lastUpdated`` is ahead of the poll, when beyond tolerance.

    The cycle is still stored: METRICS.md §2 judges staleness only (a record from the
    future is not stale), so the statuses stand; the skew is a data-quality note.
    """
    stamps = [r.last_updated for r in snapshot.rides if r.last_updated is not None]
    ahead = max(stamps) - snapshot.fetched_at if stamps else None
    return ahead if ahead is not None and ahead > CLOCK_SKEW_TOLERANCE else None


def ingest_snapshot(session: Session, snapshot: LiveSnapshot, *, interval_s: int) -> CycleOutcome:
    outcome = record_cycle(session, snapshot, interval_s=interval_s)
    skew = clock_skew(snapshot) if outcome.created else None
    if skew is not None:
        ahead = [
            r for r in snapshot.rides if r.last_updated and r.last_updated > snapshot.fetched_at
        ]
        record_issue(
            session,
            source=snapshot.source.value,
            kind="clock_skew",
            message=(
                f"lastUpdated up to {int(skew.total_seconds())} s after the poll "
                f"on {len(ahead)} of {len(snapshot.rides)} records"
            ),
            detected_at=snapshot.fetched_at,
            park_id=outcome.park_id,
            upstream_park_id=snapshot.park_upstream_id,
        )
    if snapshot.unknown_statuses and outcome.created:
        record_issue(
            session,
            source=snapshot.source.value,
            kind="unknown_status",
            message="unknown status " + ", ".join(sorted(set(snapshot.unknown_statuses))),
            detected_at=snapshot.fetched_at,
            park_id=outcome.park_id,
            upstream_park_id=snapshot.park_upstream_id,
        )
    return outcome


def _apply(session: Session, line: ReplayLine, interval_s: int, stats: IngestStats) -> None:
    if line.kind == "live":
        outcome = ingest_snapshot(session, snapshot_from_line(line), interval_s=interval_s)
        if outcome.created:
            stats.cycles += 1
        else:
            stats.duplicates += 1
    elif line.kind == "schedule":
        fetch = schedule_from_line(line)
        park = find_park(session, line.source, fetch.park_upstream_id)
        if park is None and line.source is Source.THEMEPARKS_WIKI:
            from hallofshame.ingest.catalog_sync import ensure_wiki_park

            park = ensure_wiki_park(
                session, fetch.park_upstream_id, fetch.park_name, fetch.timezone
            )
        if park is None:
            raise UnknownParkError(f"schedule for unknown park {fetch.park_upstream_id}")
        stats.schedules += store_schedule(session, park, fetch)
    elif line.kind in ("parks", "destinations"):
        upsert_catalog_parks(session, parks_from_line(line))
    elif line.kind == "weather":
        park = find_park(session, line.source, line.park_id or "")
        if park is not None:
            store_weather(session, park, weather_from_line(line))
    # children / entity lines describe the catalog; live bodies already carry it.


def ingest_line(
    session: Session, line: ReplayLine, *, interval_s: int, stats: IngestStats | None = None
) -> None:
    """Apply one recorded response with the application clock at its instant."""
    stats = stats or IngestStats()
    stats.lines += 1
    stats.kinds[line.kind] = stats.kinds.get(line.kind, 0) + 1
    clock.set_now(line.ts)
    try:
        with session.begin_nested():
            _apply(session, line, interval_s, stats)
    except SourceError as error:
        stats.issues += 1
        park = find_park(session, line.source, line.park_id) if line.park_id else None
        record_source_error(
            session,
            error,
            source=line.source.value,
            detected_at=line.ts,
            upstream_park_id=line.park_id,
            park_id=park.id if park else None,
        )
    except UnknownParkError as error:
        stats.issues += 1
        record_issue(
            session,
            source=line.source.value,
            kind="unknown_park",
            message=str(error),
            detected_at=line.ts,
            upstream_park_id=line.park_id,
        )


def ingest_lines(
    session: Session, lines: Iterable[ReplayLine], *, interval_s: int, commit_every: int = 500
) -> IngestStats:
    stats = IngestStats()
    try:
        for i, line in enumerate(lines, start=1):
            ingest_line(session, line, interval_s=interval_s, stats=stats)
            if i % commit_every == 0:
                session.commit()
        session.commit()
    finally:
        clock.set_now(None)
    return stats
