from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hallofshame.sources.base import PayloadError
from hallofshame.sources.open_meteo import parse_forecast

from ._fixtures import load

FETCHED = datetime(2026, 1, 1, tzinfo=UTC)


def test_fahrenheit_local_times_converted() -> None:
    weather = parse_forecast(
        load(
            "open_meteo/forecast_dubai_current_hourly_daily_fahrenheit_mph_wisekiosk_2026-09-01.json"
        ),
        FETCHED,
    )
    assert len(weather.hours) == 8
    first = weather.hours[0]
    # 17:00 Asia/Dubai (UTC+4) is 13:00 UTC; 97.7 °F is 36.5 °C.
    assert first.at == datetime(2026, 9, 1, 13, 0, tzinfo=UTC)
    assert first.temperature_c == pytest.approx(36.5)
    assert first.weather_code == 0
    assert first.precipitation_mm is None and first.wind_kmh is None
    assert weather.hours[-1].at == datetime(2026, 9, 1, 20, 0, tzinfo=UTC)
    assert weather.hours[-1].temperature_c == pytest.approx(33.44, abs=0.01)


def test_metric_gmt_with_weather_code() -> None:
    weather = parse_forecast(
        load("open_meteo/forecast_melbourne_168h_with_weather_code_pi-inky_2025-10-25.json"),
        FETCHED,
    )
    assert len(weather.hours) == 168
    second = weather.hours[1]
    assert second.at == datetime(2025, 10, 25, 1, 0, tzinfo=UTC)
    assert (
        second.temperature_c,
        second.precipitation_mm,
        second.weather_code,
        second.wind_kmh,
    ) == (
        16.2,
        0.3,
        51,
        6.3,
    )
    assert weather.hours[-1].at == datetime(2025, 10, 31, 23, 0, tzinfo=UTC)


def test_without_weather_code() -> None:
    weather = parse_forecast(load("open_meteo/forecast_new_jersey_336h_pi-inky.json"), FETCHED)
    assert len(weather.hours) == 336
    hour = weather.hours[18]
    assert hour.at == datetime(2025, 12, 28, 18, 0, tzinfo=UTC)
    assert (hour.temperature_c, hour.precipitation_mm, hour.wind_kmh) == (-1.6, 0.0, 6.7)
    assert all(h.weather_code is None for h in weather.hours)


def test_imperial_units_old_names_and_dst_zone() -> None:
    raw = {
        "timezone": "America/New_York",
        "utc_offset_seconds": -14400,
        "hourly_units": {"temperature_2m": "°F", "precipitation": "inch", "windspeed_10m": "mp/h"},
        "hourly": {
            # The forecast crosses the end of DST: the single offset would be wrong here.
            "time": ["2026-10-31T12:00", "2026-11-02T12:00"],
            "temperature_2m": [50.0, 32.0],
            "precipitation": [0.1, None],
            "weathercode": [61, 3],
            "windspeed_10m": [10.0, 0.0],
        },
    }
    first, second = parse_forecast(raw, FETCHED).hours
    assert first.at == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert second.at == datetime(2026, 11, 2, 17, 0, tzinfo=UTC)
    assert first.temperature_c == pytest.approx(10.0)
    assert second.temperature_c == pytest.approx(0.0)
    assert first.precipitation_mm == pytest.approx(2.54)
    assert second.precipitation_mm is None
    assert first.wind_kmh == pytest.approx(16.09, abs=0.01)
    assert (first.weather_code, second.weather_code) == (61, 3)


@pytest.mark.parametrize(
    "raw",
    [
        {"error": True, "reason": "Latitude must be in range"},
        {"hourly": {"time": ["2026-01-01T00:00"], "temperature_2m": [1.0, 2.0]}},
        {"hourly": {"time": ["not a time"]}},
        [],
    ],
)
def test_malformed(raw: object) -> None:
    with pytest.raises(PayloadError, match="malformed forecast body"):
        parse_forecast(raw, FETCHED)
