"""One park's details for a period: its score explained ride by ride, and its series.

``body`` is what the figures of the period decide (the same snapshot row as the ranking),
shown as the API shows it: the API computes it per request, or reads it from the details
kept ready with the rankings of the named periods (``rollups.stored_rankings``). What
only the request's instant decides (each ride's state now, the eligibility now behind
the excluded rides and the tier distribution, the park's status now) is added by the API
to either (``api.routes.park_details``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from hallofshame.db.models import Park
from hallofshame.domain.periods import resolve
from hallofshame.domain.rounding import round_hours, round_percent, round_shame
from hallofshame.metrics import present, timeseries
from hallofshame.metrics.charts import window_series
from hallofshame.metrics.figures import ParkFigures, RideFigures, hours
from hallofshame.metrics.rankings import ParkRow
from hallofshame.metrics.sums import ParkOpen
from hallofshame.metrics.windows import RideInfo, ride_tiers


def park_series(
    session: Session,
    park: Park,
    period: Any,
    *,
    now: datetime,
    version: int,
    ride_id: int | None = None,
    tiers: dict[int, RideInfo] | None = None,
) -> list[dict[str, Any]]:
    """The buckets of the period's window (hourly for a day, else daily), as listed."""
    window = resolve(period, now, park.timezone)
    if window.end <= window.start:
        return []
    s = window_series(session, park, window, version=version, now=now, ride_id=ride_id, tiers=tiers)
    if ride_id is None:
        return [timeseries.park_bucket_item(s, i) for i in range(len(s))]
    return [timeseries.ride_bucket_item(s, i, ride_id) for i in range(len(s))]


def _ride_item(figures: ParkFigures, f: RideFigures, names: dict[int, str]) -> dict[str, Any]:
    return {
        "ride_id": f.ride_id,
        "name": names.get(f.ride_id, ""),
        "tier": f.tier,
        "weight": f.weight,
        "downtime_hours": round_hours(f.downtime_hours),
        "weighted_downtime_hours": round_hours(hours(f.weighted_down_s)),
        "uptime_percentage": round_percent(f.uptime_percentage),
        "breakdowns": f.breakdowns,
        "contribution": round_shame(figures.contribution(f)),
    }


def body(
    session: Session,
    park: Park,
    row: ParkRow | None,
    period: Any,
    *,
    now: datetime,
    version: int,
) -> dict[str, Any]:
    """``{"data": …, "meta": …}`` of the park's details for ``period`` (a metrics period:
    a named period's text or a custom period), from its snapshot ``row`` (None: nothing
    counted, e.g. live without a live cycle, so every figure is 0)."""
    figures = row.figures if row else ParkFigures(park.id, [], ParkOpen(park_id=park.id))
    headline = present.park_downtime_item(0, row, period) if row else {}
    shown = row.today if (row and row.today is not None) else figures
    # The park's counted rides, read once: the rides' names, the attraction count and the
    # series' tiers.
    tiers = ride_tiers(session, [park.id])
    names = {ride_id: info.name for ride_id, info in tiers.items()}
    rides = sorted(
        figures.rides,
        key=lambda f: (
            -figures.contribution(f),
            -f.sums.down_s,
            names.get(f.ride_id, ""),
            f.ride_id,
        ),
    )
    rounded = present.park_figures(figures)
    data = {
        "park": present.park_item(park, len(tiers)),
        "local_date": headline.get("local_date"),
        "shame_score": rounded["shame_score"],
        "weighted_downtime_hours": headline.get(
            "weighted_downtime_hours", rounded["weighted_downtime_hours"]
        ),
        "weighted_capacity_hours": present.park_figures(shown)["weighted_capacity_hours"],
        "total_downtime_hours": headline.get(
            "total_downtime_hours", rounded["total_downtime_hours"]
        ),
        "operating_hours": headline.get("operating_hours", rounded["operating_hours"]),
        "uptime_percentage": headline.get("uptime_percentage", rounded["uptime_percentage"]),
        "rides_down": figures.rides_down,
        "avg_wait_minutes": rounded["avg_wait_minutes"],
        "peak_wait_minutes": rounded["peak_wait_minutes"],
        "rides": [_ride_item(figures, f, names) for f in rides],
        "series": park_series(session, park, period, now=now, version=version, tiers=tiers),
    }
    window = row.period.window if row else None
    meta = {
        "metrics_version": version,
        "start_date": window.start_date.isoformat() if window else None,
        "end_date": window.end_date.isoformat() if window else None,
    }
    return {"data": data, "meta": meta}
