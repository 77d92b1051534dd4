"""Uptime strips: a ride's or a park's figures day by day, ending today (local).

Each item equals the details of the same entity for ``start=D&end=D`` (the figures come
from ``metrics.days``, which reads every day from the store its one-day window reads).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from hallofshame.api.common import blueprint, db, envelope, now, settings
from hallofshame.api.export import FORMATS, empty_columns
from hallofshame.api.lookups import get_park, get_ride
from hallofshame.api.params import ParkPath, Query, RidePath, choice
from hallofshame.api.schemas import Envelope
from hallofshame.db.models import Park
from hallofshame.domain.fidelity import fidelity_of
from hallofshame.domain.rounding import round_hours, round_percent, round_shame
from hallofshame.metrics.days import (
    DEFAULT_DAYS,
    MAX_DAYS,
    STATUSES,
    last_days,
    park_days,
    park_status,
    ride_status,
)
from hallofshame.metrics.windows import ride_info

bp = blueprint("days", ["days"])

STATUS_TEXT = (
    "no_data (nothing polled that day), closed (the park, or for a ride the ride, never "
    "ran while the park was open), or a reliability class: good, fair, poor, bad "
    "(thresholds in the methodology)"
)


class DaysQuery(Query):
    days: int = Field(DEFAULT_DAYS, ge=1, le=MAX_DAYS, description="how many local days")
    format: str = choice("json", FORMATS, "json, or csv (a download of the same rows)")


class RideDayItem(BaseModel):
    date: str = Field(description="local date (YYYY-MM-DD) in the park's time zone")
    status: str = Field(description=STATUS_TEXT, json_schema_extra={"enum": list(STATUSES)})
    uptime_percentage: float | None
    downtime_hours: float
    breakdowns: int


class ParkDayItem(BaseModel):
    date: str = Field(description="local date (YYYY-MM-DD) in the park's time zone")
    status: str = Field(description=STATUS_TEXT, json_schema_extra={"enum": list(STATUSES)})
    shame_score: float
    uptime_percentage: float | None
    downtime_hours: float = Field(description="ride-hours down (the details' total)")
    operating_hours: float


empty_columns("days.ride_days", RideDayItem)
empty_columns("days.park_days_route", ParkDayItem)


def _strip(
    items: list[dict[str, Any]], park: Park, first: date, last: date, days: int
) -> dict[str, Any]:
    """A strip's answer: its days and, in ``meta``, whose days they are."""
    return envelope(
        items,
        metrics_version=settings().metrics_version,
        timezone=park.timezone,
        fidelity=fidelity_of(park.reports_down),
        start_date=first.isoformat(),
        end_date=last.isoformat(),
        days=days,
    )


@bp.get("/rides/<int:ride_id>/days", responses={200: Envelope[list[RideDayItem]]})
def ride_days(path: RidePath, query: DaysQuery) -> dict[str, Any]:
    """The ride's last N local days, oldest first: each day's uptime, downtime and
    breakdowns (equal to its details for start=D&end=D) and a reliability class."""
    session = db()
    ride = get_ride(session, path.ride_id)
    park = get_park(session, ride.park_id)
    first, last = last_days(park, now(), query.days)
    info = ride_info(ride)
    items = []
    for day in park_days(session, park, first, last, now(), settings().metrics_version):
        f = day.ride(info)
        items.append(
            {
                "date": day.date.isoformat(),
                "status": ride_status(day, f),
                "uptime_percentage": round_percent(f.uptime_percentage),
                "downtime_hours": round_hours(f.downtime_hours),
                "breakdowns": f.breakdowns,
            }
        )
    return _strip(items, park, first, last, query.days)


@bp.get("/parks/<int:park_id>/days", responses={200: Envelope[list[ParkDayItem]]})
def park_days_route(path: ParkPath, query: DaysQuery) -> dict[str, Any]:
    """The park's last N local days, oldest first: each day's shame score, uptime and
    downtime (equal to its details for start=D&end=D) and a reliability class."""
    session = db()
    park = get_park(session, path.park_id)
    first, last = last_days(park, now(), query.days)
    items = [
        {
            "date": day.date.isoformat(),
            "status": park_status(day),
            "shame_score": round_shame(day.figures.shame_score),
            "uptime_percentage": round_percent(day.figures.uptime_percentage),
            "downtime_hours": round_hours(day.figures.total_downtime_hours),
            "operating_hours": round_hours(day.figures.operating_hours),
        }
        for day in park_days(session, park, first, last, now(), settings().metrics_version)
    ]
    return _strip(items, park, first, last, query.days)
