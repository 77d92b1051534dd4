"""What the collection jobs fetch and how each park's answer is stored.

Fetching touches no database; storing takes the caller's ``Session`` and never commits.
The loops that fetch first, then store each park in a short transaction of its own, are
the jobs' (``jobs.collect``): no transaction is ever open while waiting on the network.
A park whose poll fails gets one data-quality issue and no rows; the other parks go on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from hallofshame.db.models import Park
from hallofshame.domain.localtime import local_date_of
from hallofshame.domain.statuses import Source
from hallofshame.ingest.catalog_sync import UnknownParkError
from hallofshame.ingest.cycles import CycleOutcome
from hallofshame.ingest.pipeline import ingest_snapshot
from hallofshame.ingest.quality import record_issue, record_source_error
from hallofshame.ingest.schedules import has_schedule_for
from hallofshame.sources.base import (
    CatalogRide,
    LiveSnapshot,
    ScheduleFetch,
    SourceError,
    WeatherFetch,
)
from hallofshame.sources.sim.synthetic import SYNTHETIC_OPERATOR
from hallofshame.webhooks.outbox import record_breakdown_events

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
    #: A synthetic park of a simulation (``sources.sim.synthetic``): only a source that
    #: says it serves them (``serves_synthetic``) is ever asked about it.
    synthetic: bool = False


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
                p.operator == SYNTHETIC_OPERATOR,
            )
        )
    return refs


def serves_synthetic(source: object) -> bool:
    """Whether ``source`` answers for synthetic parks (the simulator, or a benchmark's
    fake upstream that says so); the real upstreams never see them."""
    return bool(getattr(source, "serves_synthetic", False))


@dataclass
class CollectReport:
    cycles: int = 0
    issues: int = 0
    duplicates: int = 0
    db_errors: int = 0  # parks whose cycle the database did not take (rolled back)
    seconds: float = 0.0
    lines: list[str] = field(default_factory=list)
    tiers_refused: str | None = None  # the tiers file was refused; stored tiers kept


def poll(source: LiveSource, park: ParkRef, at: datetime) -> LiveSnapshot | SourceError:
    """One park's live poll, or the error that stands for it."""
    try:
        return source.live(park, at)
    except SourceError as error:
        return error


def store_poll(
    session: Session,
    park: ParkRef,
    result: LiveSnapshot | SourceError,
    at: datetime,
    interval_s: int,
    version: int,
) -> CycleOutcome | None:
    """One park's poll: its cycle (advancing ``version``'s running sums), or (``None``)
    one data-quality issue."""
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
            outcome = ingest_snapshot(session, result, interval_s=interval_s, version=version)
            # The breakdowns this live cycle saw start or end, in its own transaction
            # (the webhooks' outbox): an event exists exactly when its cycle does.
            record_breakdown_events(session, outcome)
            return outcome
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


def store_fetched(
    session: Session,
    park: ParkRef,
    fetched: T | SourceError | None,
    at: datetime,
    store: Callable[[Session, Park, T], int],
    source_name: str,
) -> int:
    """Store one park's fetched value with ``store`` (or its error as one data-quality
    issue); returns what ``store`` counted."""
    if isinstance(fetched, SourceError):
        record_source_error(
            session,
            fetched,
            source=source_name,
            detected_at=at,
            upstream_park_id=park.upstream_id,
            park_id=park.id,
        )
        return 0
    db_park = session.get(Park, park.id)
    if fetched is None or db_park is None:
        return 0
    return store(session, db_park, fetched)


def missing_schedule(session: Session, park: ParkRef, at: datetime) -> bool:
    """The park has no schedule for its local today."""
    return not has_schedule_for(session, park.id, local_date_of(at, park.timezone))


def store_directory(session: Session, park: Park, rides: list[CatalogRide]) -> int:
    """Sync a park's rides with its upstream directory; returns rides deactivated."""
    from hallofshame.ingest.catalog_refresh import apply_directory

    return apply_directory(session, park, Source(park_source(park)), rides)[1]


def park_source(park: Park) -> str:
    return (Source.THEMEPARKS_WIKI if park.wiki_id else Source.QUEUE_TIMES).value
