"""Weather stored for a park: observed hours and the latest forecast."""

from __future__ import annotations

from typing import Any

from hallofshame.api.common import blueprint, db, envelope, iso, now
from hallofshame.api.lookups import get_park, weather
from hallofshame.api.params import ParkPath, WeatherQuery
from hallofshame.api.schemas import Envelope, Weather
from hallofshame.domain.localtime import day_bounds, local_date_of

bp = blueprint("weather", ["weather"])


def _point(row: Any, at: Any) -> dict[str, Any]:
    return {
        "at": iso(at),
        "temperature_c": row.temperature_c,
        "precipitation_mm": row.precipitation_mm,
        "weather_code": row.weather_code,
        "wind_kmh": row.wind_kmh,
    }


@bp.get("/weather/<int:park_id>", responses={200: Envelope[Weather]})
def park_weather(path: ParkPath, query: WeatherQuery) -> dict[str, Any]:
    """Observations over local dates start..end (default today) and the latest forecast."""
    park = get_park(db(), path.park_id)
    today = local_date_of(now(), park.timezone)
    period = query.window(today)
    assert period.start is not None and period.end is not None  # noqa: S101 - custom
    start, _ = day_bounds(period.start, park.timezone)
    _, end = day_bounds(period.end, park.timezone)
    observations, issued, forecast = weather(db(), park.id, start, min(end, now()))
    data = {
        "park_id": park.id,
        "timezone": park.timezone,
        "observations": [_point(o, o.observed_at) for o in observations],
        "forecast": {
            "issued_at": iso(issued),
            "hours": [_point(f, f.forecast_for) for f in forecast],
        },
    }
    return envelope(data, start_date=period.start.isoformat(), end_date=period.end.isoformat())
