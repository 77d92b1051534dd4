"""Open-Meteo forecast: hourly weather for a park, in metric units and UTC."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hallofshame import clock
from hallofshame.sources._parse import as_float, as_int, sample_of
from hallofshame.sources.base import PayloadError, WeatherFetch, WeatherHour
from hallofshame.sources.http import HttpClient

DEFAULT_BASE_URL = "https://api.open-meteo.com/v1"
HOURLY_VARIABLES = ("temperature_2m", "precipitation", "weather_code", "wind_speed_10m")

# Open-Meteo has renamed variables over time; recorded bodies use either spelling.
_ALIASES: dict[str, tuple[str, ...]] = {
    "temperature": ("temperature_2m",),
    "precipitation": ("precipitation",),
    "weather_code": ("weather_code", "weathercode"),
    "wind": ("wind_speed_10m", "windspeed_10m"),
}

Convert = Callable[[float], float]


def _identity(value: float) -> float:
    return value


def _temperature_converter(unit: str) -> Convert:
    if "f" in unit.lower():  # "°F", "fahrenheit"
        return lambda f: (f - 32.0) * 5.0 / 9.0
    return _identity


def _wind_converter(unit: str) -> Convert:
    u = unit.lower().replace(" ", "")
    if u in ("mph", "mp/h", "mi/h"):  # Open-Meteo really spells it "mp/h"
        return lambda v: v * 1.609344
    if u in ("m/s", "ms"):
        return lambda v: v * 3.6
    if u in ("kn", "kt", "knots"):
        return lambda v: v * 1.852
    return _identity


def _precipitation_converter(unit: str) -> Convert:
    if unit.lower() in ("inch", "in", "inches"):
        return lambda v: v * 25.4
    return _identity


def _local_zone(raw: dict[str, Any]) -> tzinfo:
    """The zone the ``time`` array is written in.

    An IANA name follows DST across a long forecast; the single ``utc_offset_seconds``
    is only right for its first hours, so it is the fallback.
    """
    name = raw.get("timezone")
    if isinstance(name, str) and "/" in name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    offset = as_int(raw.get("utc_offset_seconds")) or 0
    return timezone(timedelta(seconds=offset))


def _hour(value: Any, zone: tzinfo) -> datetime:
    if isinstance(value, int | float) and not isinstance(value, bool):  # timeformat=unixtime
        return datetime.fromtimestamp(value, tz=UTC)
    if not isinstance(value, str):
        raise PayloadError("malformed forecast body: bad time", sample=sample_of(value))
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise PayloadError("malformed forecast body: bad time", sample=value) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def _series(hourly: dict[str, Any], key: str, length: int) -> tuple[list[Any], str | None]:
    for name in _ALIASES[key]:
        values = hourly.get(name)
        if values is None:
            continue
        if not isinstance(values, list) or len(values) != length:
            raise PayloadError(f"malformed forecast body: {name} length", sample=sample_of(values))
        return values, name
    return [None] * length, None


def parse_forecast(raw: Any, fetched_at: datetime) -> WeatherFetch:
    """Hourly arrays → one ``WeatherHour`` per hour, °C / mm / km/h, UTC."""
    if not isinstance(raw, dict):
        raise PayloadError("malformed forecast body", sample=sample_of(raw))
    hourly = raw.get("hourly")
    if not isinstance(hourly, dict) or not isinstance(hourly.get("time"), list):
        raise PayloadError("malformed forecast body", sample=sample_of(raw))
    units_raw = raw.get("hourly_units")
    units: dict[str, Any] = units_raw if isinstance(units_raw, dict) else {}
    zone = _local_zone(raw)
    times = hourly["time"]
    n = len(times)

    temps, temp_name = _series(hourly, "temperature", n)
    precs, prec_name = _series(hourly, "precipitation", n)
    codes, _ = _series(hourly, "weather_code", n)
    winds, wind_name = _series(hourly, "wind", n)
    to_c = _temperature_converter(str(units.get(temp_name, "°C")) if temp_name else "°C")
    to_mm = _precipitation_converter(str(units.get(prec_name, "mm")) if prec_name else "mm")
    to_kmh = _wind_converter(str(units.get(wind_name, "km/h")) if wind_name else "km/h")

    def convert(value: Any, fn: Convert) -> float | None:
        number = as_float(value) if not isinstance(value, str) else None
        return None if number is None else round(fn(number), 2)

    hours = tuple(
        WeatherHour(
            at=_hour(times[i], zone),
            temperature_c=convert(temps[i], to_c),
            precipitation_mm=convert(precs[i], to_mm),
            weather_code=as_int(codes[i]),
            wind_kmh=convert(winds[i], to_kmh),
        )
        for i in range(n)
    )
    return WeatherFetch(fetched_at=fetched_at, hours=hours)


class OpenMeteoClient:
    def __init__(self, http: HttpClient | None = None, base_url: str = DEFAULT_BASE_URL) -> None:
        self.http = http or HttpClient()
        self.base_url = base_url.rstrip("/")

    def forecast_raw(self, latitude: float, longitude: float, *, days: int = 2) -> Any:
        params: dict[str, str | int | float] = {
            "latitude": round(latitude, 4),
            "longitude": round(longitude, 4),
            "hourly": ",".join(HOURLY_VARIABLES),
            # Ask for UTC and metric units: nothing to convert, no DST ambiguity. The
            # parser still handles other settings for recorded bodies.
            "timezone": "UTC",
            "temperature_unit": "celsius",
            "wind_speed_unit": "kmh",
            "precipitation_unit": "mm",
            "forecast_days": days,
        }
        return self.http.get_json(f"{self.base_url}/forecast", params=params)

    def forecast(self, latitude: float, longitude: float, *, days: int = 2) -> WeatherFetch:
        return parse_forecast(self.forecast_raw(latitude, longitude, days=days), clock.now())
