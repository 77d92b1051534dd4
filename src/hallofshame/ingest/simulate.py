"""History from the simulator, through the same parsers and cycle writer as live data.

Days are written a park-day at a time (one batch of cycles and observations per park
and UTC day), so a month of 48 parks takes minutes, not hours. Everything here takes the
caller's ``Session`` and never commits: the job (``jobs.tasks.simulate_history``) commits
each simulated day.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from hallofshame.catalog import BundledPark
from hallofshame.db.dialects import refresh_statistics
from hallofshame.db.models import Cycle, Observation, OperatedDay, Park, Ride, table_of
from hallofshame.domain.localtime import local_date_of
from hallofshame.domain.statuses import Origin, Source
from hallofshame.ingest.catalog_sync import find_park, load_bundled_catalog
from hallofshame.ingest.cycles import record_cycles
from hallofshame.ingest.quality import record_source_error
from hallofshame.ingest.schedules import store_schedule
from hallofshame.ingest.tiers import apply_tiers
from hallofshame.ingest.weather import store_weather_history
from hallofshame.sources import queue_times, themeparks_wiki
from hallofshame.sources.base import LiveSnapshot, SourceError
from hallofshame.sources.open_meteo import parse_forecast
from hallofshame.sources.sim.ids import upstream_park_id
from hallofshame.sources.sim.synthetic import rides_of_parks, simulated_parks
from hallofshame.sources.simulator import (
    POLL_OFFSET_S,
    SCHEDULE_DAYS,
    Simulator,
    feed_of,
    wiki_park_id,
    wiki_ride_id,
)

log = logging.getLogger("hallofshame.simulate")

AWAKE_MARGIN_S = 3600


def choose_parks(count: int | None) -> list[BundledPark]:
    """The first ``count`` catalog parks; beyond the catalog's 48, synthetic ones
    ("Synthetic Park 49", …: ``sources.sim.synthetic``)."""
    return simulated_parks(count)


def link_simulated_ids(session: Session, parks: Sequence[BundledPark]) -> None:
    """Give catalog parks that the simulator serves as ThemeParks.wiki their wiki ids."""
    rides_of = rides_of_parks(parks)
    load_bundled_catalog(session, parks, rides_of)
    wiki_parks = {p.queue_times_id for p in parks if feed_of(p) is Source.THEMEPARKS_WIKI}
    by_qt = {p.queue_times_id: p for p in session.scalars(select(Park))}
    for qt_id in wiki_parks:
        park = by_qt[qt_id]
        park.wiki_id, park.reports_down = wiki_park_id(qt_id), True
    rides = {r.queue_times_id: r for r in session.scalars(select(Ride))}
    rekeyed = []
    for item in rides_of:
        ride = rides.get(item.queue_times_id)
        if ride is None or item.park_queue_times_id not in wiki_parks:
            continue
        if ride.wiki_id != (wiki_id := wiki_ride_id(item.queue_times_id)):
            ride.wiki_id = wiki_id
            rekeyed.append(ride)
    session.flush()
    apply_tiers(session, rekeyed)  # an override may name the ride by its new id


@dataclass
class SimulationStats:
    days: int = 0
    cycles: int = 0
    observations: int = 0
    issues: int = 0


def latest_cycle(session: Session) -> datetime | None:
    return session.scalar(select(func.max(Cycle.ts)))


def earliest_cycle(session: Session) -> datetime | None:
    return session.scalar(select(func.min(Cycle.ts)))


def _poll(sim: Simulator, park: BundledPark, at: datetime) -> LiveSnapshot:
    """One simulated poll through the real parsers (the same normalisation as live)."""
    raw = sim.live_payload(park, at)
    if feed_of(park) is Source.THEMEPARKS_WIKI:
        return themeparks_wiki.parse_live(
            raw, at, park_upstream_id=wiki_park_id(park.queue_times_id)
        )
    return queue_times.parse_live(raw, at, str(park.queue_times_id))


def _awake(sim: Simulator, park: BundledPark, at: datetime) -> bool:
    """History polls only around opening hours, as a thrifty collector would: an hour
    either side, so the capped span of the first poll of a day falls on a closed-park
    cycle and every open cycle stands for exactly one interval."""
    plan = sim.plan(park, local_date_of(at, park.timezone))
    if plan.operating is None:
        return False
    opening, closing = plan.operating
    return opening - AWAKE_MARGIN_S <= at.timestamp() < closing + AWAKE_MARGIN_S


def _record_park_day(
    session: Session,
    sim: Simulator,
    item: BundledPark,
    day: datetime,
    day_end: datetime,
    interval_s: int,
    version: int,
    stats: SimulationStats,
) -> None:
    park = find_park(session, Source.QUEUE_TIMES, str(item.queue_times_id))
    if park is None:
        return
    if feed_of(item) is Source.THEMEPARKS_WIKI:
        fetched = day - timedelta(seconds=1)
        raw = sim.schedule_payload(item, local_date_of(day, item.timezone), SCHEDULE_DAYS)
        store_schedule(
            session,
            park,
            themeparks_wiki.parse_schedule(
                raw, fetched, park_upstream_id=wiki_park_id(item.queue_times_id)
            ),
        )
    snapshots = []
    tick = day
    while tick < day_end:
        at = tick + timedelta(seconds=POLL_OFFSET_S)
        tick += timedelta(seconds=interval_s)
        if not _awake(sim, item, at):
            continue
        try:
            snapshots.append(_poll(sim, item, at))
        except SourceError as error:
            stats.issues += 1
            record_source_error(
                session,
                error,
                source=feed_of(item).value,
                detected_at=at,
                upstream_park_id=str(upstream_park_id(item)),
                park_id=park.id,
            )
    outcomes = record_cycles(
        session, park, snapshots, interval_s=interval_s, version=version, origin=Origin.SIMULATED
    )
    stats.cycles += sum(1 for o in outcomes if o.created)
    stats.observations += sum(sum(o.statuses.values()) for o in outcomes if o.created)


def _record_weather(
    session: Session, sim: Simulator, parks: Sequence[BundledPark], day: datetime, day_end: datetime
) -> None:
    """The day's hours as weather observations, as an hourly poller would have stored."""
    for item in parks:
        park = find_park(session, Source.QUEUE_TIMES, str(item.queue_times_id))
        if park is not None:
            fetch = parse_forecast(sim.weather_payload(item, day), day_end)
            store_weather_history(session, park, fetch)


def prepare_simulation(session: Session, parks: Sequence[BundledPark]) -> None:
    """Load the catalog with the simulator's ids, and fresh statistics for it: without
    them the planner takes the just-filled catalog tables for empty and reads every
    observation of every ride (seen: 1.5 s a batch)."""
    link_simulated_ids(session, parks)
    refresh_statistics(session, [table_of(m) for m in (Park, Ride)])


def grown_tables() -> list[Table]:
    """The tables a simulation or a load grows (their statistics are refreshed as they
    grow). The rides and parks too: a first load creates them, and PostgreSQL planning
    for an empty ride table joined the eligibility of every ride to every observation
    (1.2 s instead of 0.15 s for a park-week's rollup of a new park)."""
    return [table_of(m) for m in (Observation, Cycle, OperatedDay, Ride, Park)]


def simulate_day(
    session: Session,
    sim: Simulator,
    parks: Sequence[BundledPark],
    day: datetime,
    day_end: datetime,
    interval_s: int,
    version: int,
    stats: SimulationStats,
) -> None:
    """Every park's polls of [day, day_end) and the hours' weather (the cycles advance
    ``version``'s running sums of today)."""
    for item in parks:
        _record_park_day(session, sim, item, day, day_end, interval_s, version, stats)
    _record_weather(session, sim, parks, day, day_end)
    stats.days += 1
