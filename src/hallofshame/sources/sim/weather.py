"""A deterministic hourly weather model per (park, local date).

Only rain matters to ride status (outdoor rides close in storms); temperature and wind
exist so the Open-Meteo payload looks like the real one. Everything for one local day
comes from one RNG seeded by (seed, park, date), so any hour is computable on its own.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hallofshame.catalog import BundledPark
from hallofshame.sources.sim.rng import seeded

# Hourly precipitation (mm) from which outdoor rides close; thunder closes them anyway.
RAIN_CLOSURE_MM = 2.5
THUNDERSTORM = 95


@dataclass(frozen=True, slots=True)
class DayWeather:
    """24 local hours (index = local wall-clock hour) of one park's day."""

    temperature_c: tuple[float, ...]
    precipitation_mm: tuple[float, ...]
    weather_code: tuple[int, ...]
    wind_kmh: tuple[float, ...]

    def closes_outdoor_rides(self, hour: int) -> bool:
        return (
            self.precipitation_mm[hour] >= RAIN_CLOSURE_MM
            or self.weather_code[hour] == THUNDERSTORM
        )


def _rain_code(mm: float, storm: bool) -> int:
    if storm and mm >= 2.0:
        return THUNDERSTORM
    if mm < 0.5:
        return 51  # light drizzle
    if mm < 2.5:
        return 61
    return 63 if mm < 7.0 else 65


def day_weather(seed: int, park: BundledPark, day: date) -> DayWeather:
    rng = seeded(seed, "wx", park.queue_times_id, day.isoformat())
    lat = abs(park.latitude)
    # Seasonal mean and swing grow with latitude; peak warmth around late July.
    season = math.cos(2 * math.pi * (day.timetuple().tm_yday - 200) / 365.25)
    mean = 22.0 - 0.55 * (lat - 28.0) + (6.0 + 0.35 * (lat - 25.0)) * season
    mean += rng.gauss(0.0, 2.0)
    swing = rng.uniform(3.0, 6.0)
    # Summer afternoons in the subtropics are the classic pop-up thunderstorm setting.
    subtropical_summer = lat < 31.0 and 5 <= day.month <= 9
    rainy = rng.random() < (0.55 if subtropical_summer else 0.28)
    cloud = rng.random()

    precip = [0.0] * 24
    storm = False
    if rainy:
        storm = subtropical_summer and rng.random() < 0.7
        for _ in range(rng.randint(1, 2)):
            start = rng.randint(12, 18) if storm else rng.randint(0, 22)
            length = rng.randint(1, 3)
            intensity = rng.uniform(0.3, 12.0 if storm else 6.0)
            for hour in range(start, min(24, start + length)):
                precip[hour] = round(precip[hour] + intensity * rng.uniform(0.5, 1.2), 1)

    temps: list[float] = []
    codes: list[int] = []
    winds: list[float] = []
    base_wind = rng.uniform(5.0, 20.0)
    for hour in range(24):
        # Coolest before dawn, warmest mid-afternoon; rain cools the hour.
        diurnal = -math.cos(2 * math.pi * (hour - 3) / 24)
        temp = mean + swing * diurnal - (2.0 if precip[hour] > 0 else 0.0)
        temps.append(round(temp + rng.uniform(-0.4, 0.4), 1))
        if precip[hour] > 0:
            codes.append(_rain_code(precip[hour], storm))
        else:
            codes.append(0 if cloud < 0.3 else 1 if cloud < 0.55 else 2 if cloud < 0.8 else 3)
        gust = 8.0 if codes[-1] == THUNDERSTORM else 0.0
        winds.append(round(max(0.0, base_wind + gust + rng.uniform(-3.0, 3.0)), 1))
    return DayWeather(
        temperature_c=tuple(temps),
        precipitation_mm=tuple(precip),
        weather_code=tuple(codes),
        wind_kmh=tuple(winds),
    )


def forecast_payload(
    park: BundledPark, ts: float, weather_of: Callable[[date], DayWeather]
) -> dict[str, Any]:
    """Open-Meteo ``/v1/forecast`` body: 48 hourly rows from UTC midnight, ``timezone=GMT``."""
    zone = ZoneInfo(park.timezone)
    midnight = datetime.fromtimestamp(ts, UTC).replace(hour=0, minute=0, second=0)
    midnight = midnight.replace(microsecond=0)
    times: list[str] = []
    temps: list[float] = []
    precip: list[float] = []
    codes: list[int] = []
    winds: list[float] = []
    for h in range(48):
        at = midnight + timedelta(hours=h)
        local = at.astimezone(zone)
        wx = weather_of(local.date())
        times.append(at.strftime("%Y-%m-%dT%H:%M"))
        temps.append(wx.temperature_c[local.hour])
        precip.append(wx.precipitation_mm[local.hour])
        codes.append(wx.weather_code[local.hour])
        winds.append(wx.wind_kmh[local.hour])
    return {
        "latitude": round(park.latitude, 3),
        "longitude": round(park.longitude, 3),
        "generationtime_ms": 0.08,
        "utc_offset_seconds": 0,
        "timezone": "GMT",
        "timezone_abbreviation": "GMT",
        # A stable made-up elevation: the catalog has none and nothing reads it.
        "elevation": float(round(abs(park.latitude * 7919 + park.longitude * 104729) % 300)),
        "hourly_units": {
            "time": "iso8601",
            "temperature_2m": "°C",
            "precipitation": "mm",
            "weather_code": "wmo code",
            "wind_speed_10m": "km/h",
        },
        "hourly": {
            "time": times,
            "temperature_2m": temps,
            "precipitation": precip,
            "weather_code": codes,
            "wind_speed_10m": winds,
        },
    }
