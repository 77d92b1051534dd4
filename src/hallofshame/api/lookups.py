"""Catalog reads the routes need besides figures: parks, rides, weather, health.

Plain ORM queries; no rule of METRICS.md lives here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hallofshame.api.errors import not_found
from hallofshame.db.models import (
    Cycle,
    JobRun,
    Park,
    ParkDayRollup,
    Ride,
    WeatherForecast,
    WeatherObservation,
)
from hallofshame.domain.statuses import Origin


def get_park(session: Session, park_id: int) -> Park:
    park = session.get(Park, park_id)
    if park is None or not park.active:
        raise not_found("park", park_id)
    return park


def get_ride(session: Session, ride_id: int) -> Ride:
    ride = session.get(Ride, ride_id)
    if ride is None:
        raise not_found("ride", ride_id)
    return ride


def search_entries(session: Session) -> list[dict[str, Any]]:
    """Every active park and every active ride of one, for the search index."""
    parks = {p.id: p for p in session.scalars(select(Park).where(Park.active.is_(True)))}
    out: list[dict[str, Any]] = [
        {"type": "park", "id": p.id, "name": p.name, "park_id": p.id, "park_name": p.name}
        for p in sorted(parks.values(), key=lambda p: (p.name, p.id))
    ]
    rides = session.scalars(
        select(Ride)
        .where(Ride.active.is_(True), Ride.park_id.in_(list(parks)))
        .order_by(Ride.name, Ride.id)
    )
    out.extend(
        {
            "type": "ride",
            "id": r.id,
            "name": r.name,
            "park_id": r.park_id,
            "park_name": parks[r.park_id].name,
        }
        for r in rides
    )
    return out


def weather(
    session: Session, park_id: int, start: datetime, end: datetime
) -> tuple[list[WeatherObservation], datetime | None, list[WeatherForecast]]:
    """Observations in [start, end) and the latest forecast issued by ``end``."""
    observations = list(
        session.scalars(
            select(WeatherObservation)
            .where(
                WeatherObservation.park_id == park_id,
                WeatherObservation.observed_at >= start,
                WeatherObservation.observed_at < end,
            )
            .order_by(WeatherObservation.observed_at)
        )
    )
    issued = session.scalar(
        select(func.max(WeatherForecast.issued_at)).where(
            WeatherForecast.park_id == park_id, WeatherForecast.issued_at < end
        )
    )
    forecast: list[WeatherForecast] = []
    if issued is not None:
        forecast = list(
            session.scalars(
                select(WeatherForecast)
                .where(WeatherForecast.park_id == park_id, WeatherForecast.issued_at == issued)
                .order_by(WeatherForecast.forecast_for)
            )
        )
    return observations, issued, forecast


def latest_cycle_by_source(session: Session, now: datetime) -> dict[str, datetime]:
    """The newest cycle at or before ``now`` of each source.

    Found park by park (one backward seek on the (park, instant) index each) and then
    per source: grouping all cycles by source would read every cycle ever stored.
    """
    # ORDER BY … LIMIT 1 rather than MAX(): a correlated MAX reads all the park's cycles
    # on MariaDB, the limit walks the index backwards and stops at the first.
    newest = (
        select(Cycle.id)
        .where(Cycle.park_id == Park.id, Cycle.ts <= now)
        .order_by(Cycle.ts.desc())
        .limit(1)
        .correlate(Park)
        .scalar_subquery()
    )
    ids = [cid for cid in session.scalars(select(newest).select_from(Park)) if cid is not None]
    if not ids:
        return {}
    # By id: a condition per park (two comparisons each) cost more to build than to run.
    stmt = select(Cycle.source, Cycle.ts).where(Cycle.id.in_(ids))
    out: dict[str, datetime] = {}
    for source, ts in session.execute(stmt):
        if source not in out or ts > out[source]:
            out[source] = ts
    return out


def latest_rollup_date(session: Session, version: int) -> Any:
    return session.scalar(
        select(func.max(ParkDayRollup.local_date)).where(ParkDayRollup.metrics_version == version)
    )


def cycles_by_origin(session: Session) -> list[tuple[str, datetime, datetime]]:
    """Where the stored history came from: each origin's first and latest cycle (live
    polls, recorded feeds, the ThemeParks.wiki archive, the simulator)."""
    out = []
    for origin in Origin:
        first, last = session.execute(
            select(func.min(Cycle.ts), func.max(Cycle.ts)).where(Cycle.origin == origin.value)
        ).one()
        if first is not None:
            out.append((origin.value, first, last))
    return out


def latest_job_runs(session: Session) -> list[JobRun]:
    latest = (
        select(JobRun.job, func.max(JobRun.started_at).label("started"))
        .group_by(JobRun.job)
        .subquery()
    )
    return list(
        session.scalars(
            select(JobRun)
            .join(latest, (JobRun.job == latest.c.job) & (JobRun.started_at == latest.c.started))
            .order_by(JobRun.job)
        )
    )


def data_stamp(
    session: Session,
) -> tuple[datetime | None, datetime | None, int, list[str]]:
    """The latest cycle instant, the latest rollup computation, the count of changes behind
    the latest cycle (late data, tiers: ``data_versions``) and the parks' zones.

    The response cache keys on these, so new data, late data, a tier change or a recompute
    is never hidden.
    """
    from hallofshame.db.models import DataVersion
    from hallofshame.db.models import ParkDayRollup as P

    # One round trip: every request of a cacheable path reads this stamp first.
    cycle, computed, facts = session.execute(
        select(
            select(func.max(Cycle.ts)).scalar_subquery(),
            P.latest_computation(),
            DataVersion.current(),
        )
    ).one()
    zones = _zones(session)
    return _aware(cycle), _aware(computed), int(facts or 0), zones


def _zones(session: Session) -> list[str]:
    return sorted(session.scalars(select(Park.timezone).distinct()))


def _aware(value: Any) -> datetime | None:
    from hallofshame.db.types import UTCDateTime

    result: datetime | None = UTCDateTime().process_result_value(value, None)  # type: ignore[arg-type]
    return result
