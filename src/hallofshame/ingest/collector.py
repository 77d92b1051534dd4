"""The collection cycle: poll every active park, each in its own transaction.

Polls run concurrently on a bounded pool (HTTP is the slow part); writes happen one park
at a time in the calling thread. A park whose poll fails gets one data-quality issue and
no rows; the other parks go on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from hallofshame import clock
from hallofshame.db.dialects import begin_writing
from hallofshame.db.models import Park
from hallofshame.domain.localtime import local_date_of
from hallofshame.domain.statuses import Source
from hallofshame.domain.tiers import TierFileError
from hallofshame.ingest.catalog_sync import UnknownParkError
from hallofshame.ingest.cycles import CycleOutcome
from hallofshame.ingest.pipeline import ingest_snapshot
from hallofshame.ingest.quality import record_issue, record_source_error
from hallofshame.ingest.schedules import has_schedule_for, store_schedule
from hallofshame.ingest.tiers import prepare_tiers
from hallofshame.ingest.weather import store_weather
from hallofshame.sources.base import (
    CatalogRide,
    LiveSnapshot,
    ScheduleFetch,
    SourceError,
    WeatherFetch,
)

log = logging.getLogger("hallofshame.collect")

T = TypeVar("T")


@dataclass(frozen=True)
class ParkRef:
    """What a source needs to poll a park, detached from any session."""

    id: int
    name: str
    source: Source
    upstream_id: str
    timezone: str
    latitude: float | None
    longitude: float | None
    queue_times_id: int | None = None


class LiveSource(Protocol):
    def live(self, park: ParkRef, at: datetime) -> LiveSnapshot: ...

    def schedule(self, park: ParkRef, at: datetime) -> ScheduleFetch | None: ...

    def weather(self, park: ParkRef, at: datetime) -> WeatherFetch | None: ...

    def directory(self, park: ParkRef, at: datetime) -> list[CatalogRide]: ...


def park_refs(session: Session) -> list[ParkRef]:
    refs = []
    for p in session.scalars(select(Park).where(Park.active.is_(True)).order_by(Park.id)):
        if p.wiki_id:
            source, upstream = Source.THEMEPARKS_WIKI, p.wiki_id
        elif p.queue_times_id is not None:
            source, upstream = Source.QUEUE_TIMES, str(p.queue_times_id)
        else:
            continue
        refs.append(
            ParkRef(
                p.id,
                p.name,
                source,
                upstream,
                p.timezone,
                p.latitude,
                p.longitude,
                p.queue_times_id,
            )
        )
    return refs


@dataclass
class CollectReport:
    cycles: int = 0
    issues: int = 0
    duplicates: int = 0
    db_errors: int = 0  # parks whose cycle the database did not take (rolled back)
    seconds: float = 0.0
    lines: list[str] = field(default_factory=list)
    tiers_refused: str | None = None  # the tiers file was refused; stored tiers kept


def _poll(source: LiveSource, park: ParkRef, at: datetime) -> LiveSnapshot | SourceError:
    try:
        return source.live(park, at)
    except SourceError as error:
        return error


def _store(
    factory: sessionmaker[Session],
    park: ParkRef,
    result: LiveSnapshot | SourceError,
    at: datetime,
    interval_s: int,
) -> CycleOutcome | None:
    """One park's poll in one transaction: its cycle, or (``None``) one data-quality issue."""
    with factory() as session, session.begin():
        begin_writing(session)
        if isinstance(result, SourceError):
            record_source_error(
                session,
                result,
                source=park.source.value,
                detected_at=at,
                upstream_park_id=park.upstream_id,
                park_id=park.id,
            )
            return None
        try:
            with session.begin_nested():
                return ingest_snapshot(session, result, interval_s=interval_s)
        except (UnknownParkError, ValueError) as error:
            record_issue(
                session,
                source=park.source.value,
                kind="malformed_payload",
                message=str(error),
                detected_at=at,
                park_id=park.id,
                upstream_park_id=park.upstream_id,
            )
            return None


def tiers_before_polling(factory: sessionmaker[Session]) -> str | None:
    """Bring the tiers file into force (``prepare_tiers``) before a live job polls, in a
    short transaction of its own, so rides met during the job get the file's tiers.

    A refused file is logged and returned, and the job goes on with the tiers stored: a
    poll can't be taken again later, and the tiers follow once the file is fixed.
    """
    try:
        with factory() as session, session.begin():
            begin_writing(session)
            prepare_tiers(session)
    except (TierFileError, OSError) as error:
        log.error("%s", error)
        return str(error)
    except DBAPIError as error:  # e.g. another job storing the same new rows just now
        log.error("tier overrides not synced: %s", error.__class__.__name__)
        return f"tier overrides not synced: {error.__class__.__name__}"
    return None


def collect_once(
    factory: sessionmaker[Session],
    source: LiveSource,
    *,
    interval_s: int,
    parks: Sequence[ParkRef] | None = None,
    workers: int = 8,
) -> CollectReport:
    """One cycle for every active park."""
    t0 = time.perf_counter()
    at = clock.now()
    report = CollectReport(tiers_refused=tiers_before_polling(factory))
    if parks is None:
        with factory() as s:
            parks = park_refs(s)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(lambda p: (p, _poll(source, p, at)), parks))
    for park, result in results:
        try:
            outcome = _store(factory, park, result, at, interval_s)
        except DBAPIError as error:
            # The database refused or went away: this park's transaction was rolled back
            # whole (no partial cycle); the others still get their turn, and the next
            # cycle polls again.
            report.db_errors += 1
            log.error("cycle park=%r not stored: %s", park.name, error.__class__.__name__)
            continue
        if outcome is None:
            report.issues += 1
            continue
        if outcome.created:
            report.cycles += 1
            line = (
                f"cycle park={park.name!r} rides={sum(outcome.statuses.values())} "
                f"open={outcome.park_open} statuses={dict(outcome.statuses)}"
            )
            log.info(line)
            report.lines.append(line)
        else:
            report.duplicates += 1
    report.seconds = time.perf_counter() - t0
    return report


def for_each_park(
    factory: sessionmaker[Session],
    fetch: Callable[[ParkRef, datetime], T | None],
    store: Callable[[Session, Park, T], int],
    *,
    source_name: Callable[[ParkRef], str] = lambda park: park.source.value,
    skip: Callable[[Session, ParkRef, datetime], bool] | None = None,
) -> int:
    """Fetch and store something per active park, each park in its own transaction; a
    failed fetch is one data-quality issue and the other parks go on."""
    at = clock.now()
    stored = 0
    with factory() as s:
        parks = park_refs(s)
    for park in parks:
        with factory() as session, session.begin():
            if skip is not None and skip(session, park, at):
                continue
            try:
                value = fetch(park, at)
            except SourceError as error:
                record_source_error(
                    session,
                    error,
                    source=source_name(park),
                    detected_at=at,
                    upstream_park_id=park.upstream_id,
                    park_id=park.id,
                )
                continue
            db_park = session.get(Park, park.id)
            if value is not None and db_park is not None:
                stored += store(session, db_park, value)
    return stored


def refresh_schedules(
    factory: sessionmaker[Session], source: LiveSource, *, only_missing: bool = False
) -> int:
    """Fetch schedules (all parks daily, or only parks missing today's)."""

    def has_today(session: Session, park: ParkRef, at: datetime) -> bool:
        return only_missing and has_schedule_for(session, park.id, local_date_of(at, park.timezone))

    return for_each_park(factory, source.schedule, store_schedule, skip=has_today)


def refresh_weather(factory: sessionmaker[Session], source: LiveSource) -> int:
    return for_each_park(
        factory, source.weather, store_weather, source_name=lambda park: "open-meteo"
    )


def refresh_catalog(factory: sessionmaker[Session], source: LiveSource) -> int:
    """Sync every park's rides with its upstream directory; returns rides deactivated."""
    from hallofshame.ingest.catalog_refresh import apply_directory

    def store(session: Session, park: Park, rides: list[CatalogRide]) -> int:
        return apply_directory(session, park, Source(park_source(park)), rides)[1]

    tiers_before_polling(factory)
    return for_each_park(factory, source.directory, store)


def park_source(park: Park) -> str:
    return (Source.THEMEPARKS_WIKI if park.wiki_id else Source.QUEUE_TIMES).value
