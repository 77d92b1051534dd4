"""The collection jobs' loops: fetch first, then store each park in a short transaction
of its own. No transaction is open while a source is asked (SQLite would hold its single
write lock across the network wait; the servers would keep a snapshot and locks), and
the code below (``ingest``) takes a ``Session`` and never commits.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from hallofshame import clock
from hallofshame.config import get_settings
from hallofshame.db.dialects import begin_writing
from hallofshame.db.models import Park
from hallofshame.domain.tiers import TierFileError
from hallofshame.ingest.collector import (
    CollectReport,
    LiveSource,
    ParkRef,
    missing_schedule,
    park_refs,
    poll,
    serves_synthetic,
    store_directory,
    store_fetched,
    store_poll,
)
from hallofshame.ingest.schedules import store_schedule
from hallofshame.ingest.tiers import prepare_tiers
from hallofshame.ingest.weather import store_weather
from hallofshame.sources.base import SourceError

log = logging.getLogger("hallofshame.collect")

T = TypeVar("T")
R = TypeVar("R")


def active_parks(
    factory: sessionmaker[Session],
    at: datetime,
    skip: Callable[[Session, ParkRef, datetime], bool] | None = None,
    *,
    synthetic: bool = False,
) -> list[ParkRef]:
    """The active parks (less those ``skip`` names, and synthetic ones unless
    ``synthetic``), read in a transaction that is over before anything is fetched."""
    with factory() as s:
        parks = [p for p in park_refs(s) if synthetic or not p.synthetic]
        if skip is not None:
            parks = [p for p in parks if not skip(s, p, at)]
    return parks


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
    workers: int | None = None,
) -> CollectReport:
    """One cycle for every active park: every park polled concurrently on a bounded pool
    of ``workers`` (``HOS_COLLECT_CONCURRENCY``; HTTP is the slow part, and the client
    keeps each upstream host to its own limit), then each park's cycle stored in its own
    transaction, one park at a time in this thread."""
    t0 = time.perf_counter()
    at = clock.now()
    # Read once: a setting changed while the cycle runs applies from the next one.
    version = get_settings().metrics_version
    report = CollectReport(tiers_refused=tiers_before_polling(factory))
    if parks is None:
        parks = active_parks(factory, at, synthetic=serves_synthetic(source))
    results = fetch_all(parks, lambda park: poll(source, park, at), workers)
    for park, result in results:
        try:
            with factory() as session, session.begin():
                begin_writing(session)
                outcome = store_poll(session, park, result, at, interval_s, version)
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


def fetch_all(
    parks: Sequence[ParkRef], fetch: Callable[[ParkRef], R], workers: int | None = None
) -> list[tuple[ParkRef, R]]:
    """``fetch`` for every park on a bounded pool (``HOS_COLLECT_CONCURRENCY`` threads
    unless ``workers``), in the parks' order. No database work happens here."""
    size = workers if workers is not None else get_settings().collect_concurrency
    with ThreadPoolExecutor(max_workers=max(1, min(size, len(parks) or 1))) as pool:
        return list(pool.map(lambda park: (park, fetch(park)), parks))


def for_each_park(
    factory: sessionmaker[Session],
    fetch: Callable[[ParkRef, datetime], T | None],
    store: Callable[[Session, Park, T], int],
    *,
    source_name: Callable[[ParkRef], str] = lambda park: park.source.value,
    skip: Callable[[Session, ParkRef, datetime], bool] | None = None,
    synthetic: bool = False,
) -> int:
    """Fetch something per active park (concurrently, as a collection cycle does), then
    store each park's in its own transaction; a failed fetch is one data-quality issue
    and the other parks go on."""
    at = clock.now()
    stored = 0

    def fetch_one(park: ParkRef) -> T | SourceError | None:
        try:
            return fetch(park, at)
        except SourceError as error:
            return error

    parks = active_parks(factory, at, skip, synthetic=synthetic)
    for park, fetched in fetch_all(parks, fetch_one):
        with factory() as session, session.begin():
            begin_writing(session)
            stored += store_fetched(session, park, fetched, at, store, source_name(park))
    return stored


def refresh_schedules(
    factory: sessionmaker[Session], source: LiveSource, *, only_missing: bool = False
) -> int:
    """Fetch schedules (all parks daily, or only parks missing today's)."""
    skip = (lambda s, park, at: not missing_schedule(s, park, at)) if only_missing else None
    return for_each_park(
        factory, source.schedule, store_schedule, skip=skip, synthetic=serves_synthetic(source)
    )


def refresh_weather(factory: sessionmaker[Session], source: LiveSource) -> int:
    return for_each_park(
        factory,
        source.weather,
        store_weather,
        source_name=lambda park: "open-meteo",
        synthetic=serves_synthetic(source),
    )


def refresh_catalog(factory: sessionmaker[Session], source: LiveSource) -> int:
    """Sync every park's rides with its upstream directory; returns rides deactivated."""
    tiers_before_polling(factory)
    return for_each_park(
        factory, source.directory, store_directory, synthetic=serves_synthetic(source)
    )
