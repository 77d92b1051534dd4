"""One upstream response → rows, the same way for live polling and recorded feeds.

Each response is handled inside a savepoint: a response that fails anywhere leaves no
rows but its data-quality issue.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hallofshame.db.models import Park, PendingPoll
from hallofshame.domain.statuses import Origin, Source
from hallofshame.ingest.catalog_sync import (
    UnknownParkError,
    ensure_wiki_park,
    find_park,
    upsert_catalog_parks,
)
from hallofshame.ingest.cycles import CycleOutcome, record_cycle, record_cycles, resolve_park
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

    def summary(self) -> str:
        return (
            f"{self.lines} lines: {self.cycles} new cycles, {self.duplicates} already "
            f"stored, {self.issues} data-quality issues"
        )

    def count(self, outcome: CycleOutcome) -> None:
        if outcome.created:
            self.cycles += 1
        else:
            self.duplicates += 1


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


def ingest_snapshot(
    session: Session,
    snapshot: LiveSnapshot,
    *,
    interval_s: int,
    version: int,
    origin: Origin = Origin.LIVE,
) -> CycleOutcome:
    outcome = record_cycle(session, snapshot, interval_s=interval_s, version=version, origin=origin)
    note_snapshot(session, snapshot, outcome)
    return outcome


def note_snapshot(session: Session, snapshot: LiveSnapshot, outcome: CycleOutcome) -> None:
    """The data-quality notes a stored poll carries (clock skew, unknown statuses)."""
    if not outcome.created:
        return
    skew = clock_skew(snapshot)
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
    if snapshot.unknown_statuses:
        record_issue(
            session,
            source=snapshot.source.value,
            kind="unknown_status",
            message="unknown status " + ", ".join(sorted(set(snapshot.unknown_statuses))),
            detected_at=snapshot.fetched_at,
            park_id=outcome.park_id,
            upstream_park_id=snapshot.park_upstream_id,
        )


def _apply(
    session: Session, line: ReplayLine, interval_s: int, version: int, stats: IngestStats
) -> None:
    if line.kind == "live":
        outcome = ingest_snapshot(
            session,
            snapshot_from_line(line),
            interval_s=interval_s,
            version=version,
            origin=Origin.REPLAY,
        )
        stats.count(outcome)
    elif line.kind == "schedule":
        fetch = schedule_from_line(line)
        park = find_park(session, line.source, fetch.park_upstream_id)
        if park is None and line.source is Source.THEMEPARKS_WIKI:
            park = ensure_wiki_park(
                session, fetch.park_upstream_id, fetch.park_name, fetch.timezone
            )
        if park is None:
            raise UnknownParkError(f"schedule for unknown park {fetch.park_upstream_id}")
        stats.schedules += store_schedule(session, park, fetch)
    elif line.kind in ("parks", "destinations"):
        for park in upsert_catalog_parks(session, parks_from_line(line)):
            release_pending(session, park, interval_s, version, stats)
    elif line.kind == "weather":
        park = find_park(session, line.source, line.park_id or "")
        if park is not None:
            store_weather(session, park, weather_from_line(line))
    # children / entity lines describe the catalog; live bodies already carry it.


def _guarded(
    session: Session, line: ReplayLine, stats: IngestStats, work: Callable[[], None]
) -> None:
    """Run one line's work in a savepoint: a line that fails leaves only its issue."""
    try:
        with session.begin_nested():
            work()
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
        if line.kind == "live" and line.park_id is not None:
            keep_pending(session, line)
        record_issue(
            session,
            source=line.source.value,
            kind="unknown_park",
            message=str(error),
            detected_at=line.ts,
            upstream_park_id=line.park_id,
        )


def keep_pending(session: Session, line: ReplayLine) -> None:
    """Keep a live poll of a park not known yet, to record when the park appears."""
    key = (line.source.value, str(line.park_id), line.ts.replace(microsecond=0))
    if session.get(PendingPoll, key) is None:
        session.add(
            PendingPoll(source=key[0], upstream_park_id=key[1], ts=key[2], raw=json.dumps(line.raw))
        )
        session.flush()


def release_pending(
    session: Session, park: Park, interval_s: int, version: int, stats: IngestStats
) -> None:
    """Record the kept polls of a park that just became known, as of their instants."""
    keys = [(Source.QUEUE_TIMES, park.queue_times_id), (Source.THEMEPARKS_WIKI, park.wiki_id)]
    for source, upstream in keys:
        if upstream is None:
            continue
        where = (
            PendingPoll.source == source.value,
            PendingPoll.upstream_park_id == str(upstream),
        )
        kept = list(session.scalars(select(PendingPoll).where(*where).order_by(PendingPoll.ts)))
        if not kept:
            continue
        session.execute(delete(PendingPoll).where(*where))
        lines = [
            ReplayLine(
                ts=p.ts,
                source=source,
                park_id=str(upstream),
                kind="live",
                http_status=None,
                raw=json.loads(p.raw),
                line_no=0,
            )
            for p in kept
        ]
        released = IngestStats()  # its lines were counted when they were kept
        _live_batch(session, lines, interval_s, version, released)
        stats.cycles += released.cycles
        stats.issues += released.issues


def _tally(stats: IngestStats, line: ReplayLine) -> None:
    stats.lines += 1
    stats.kinds[line.kind] = stats.kinds.get(line.kind, 0) + 1


def ingest_line(
    session: Session,
    line: ReplayLine,
    *,
    interval_s: int,
    version: int,
    stats: IngestStats | None = None,
) -> None:
    """Apply one recorded response, in the caller's transaction; the running sums it
    advances are ``version``'s."""
    stats = stats or IngestStats()
    _tally(stats, line)
    _guarded(session, line, stats, lambda: _apply(session, line, interval_s, version, stats))


def _live_batch(
    session: Session,
    lines: Sequence[ReplayLine],
    interval_s: int,
    version: int,
    stats: IngestStats,
) -> None:
    """Live lines of one park, recorded together (one set of statements per batch); when
    the batch cannot be (an unknown park, a bad payload), each line on its own."""
    snapshots: list[tuple[ReplayLine, LiveSnapshot]] = []
    for line in lines:
        try:
            snapshots.append((line, snapshot_from_line(line)))
        except SourceError:
            # Records its issue.
            ingest_line(session, line, interval_s=interval_s, version=version, stats=stats)
    if not snapshots:
        return
    try:
        with session.begin_nested():
            park = resolve_park(session, snapshots[0][1])
            outcomes = record_cycles(
                session,
                park,
                [s for _, s in snapshots],
                interval_s=interval_s,
                version=version,
                origin=Origin.REPLAY,
            )
            for (_, snap), outcome in zip(snapshots, outcomes, strict=True):
                note_snapshot(session, snap, outcome)
    except (SourceError, UnknownParkError):
        for line, _ in snapshots:
            ingest_line(session, line, interval_s=interval_s, version=version, stats=stats)
        return
    for (line, _), outcome in zip(snapshots, outcomes, strict=True):
        _tally(stats, line)
        stats.count(outcome)


def ingest_lines(
    session: Session,
    lines: Iterable[ReplayLine],
    *,
    interval_s: int,
    version: int,
    stats: IngestStats | None = None,
) -> IngestStats:
    """Apply recorded responses in the caller's transaction (it decides when to commit).

    Consecutive live lines of one park are recorded as one batch; any other line is
    applied on its own, after the live lines before it.
    """
    stats = stats or IngestStats()
    pending: list[ReplayLine] = []

    def flush() -> None:
        if pending:
            _live_batch(session, pending, interval_s, version, stats)
            pending.clear()

    for line in lines:
        if line.kind == "live" and line.park_id is not None:
            if pending and (pending[0].source, pending[0].park_id) != (line.source, line.park_id):
                flush()
            pending.append(line)
            continue
        flush()
        ingest_line(session, line, interval_s=interval_s, version=version, stats=stats)
    flush()
    return stats
