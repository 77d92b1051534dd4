"""Weather: the latest forecast per park, and the hour that has passed as an observation."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hallofshame.db.models import Park, WeatherForecast, WeatherObservation
from hallofshame.sources.base import WeatherFetch


def store_weather(session: Session, park: Park, fetch: WeatherFetch) -> int:
    """Store the forecast hours (once per issue instant) and the hour just passed."""
    issued = fetch.fetched_at.replace(microsecond=0)
    if session.scalar(
        select(WeatherForecast.id).where(
            WeatherForecast.park_id == park.id, WeatherForecast.issued_at == issued
        )
    ):
        return 0
    session.add_all(
        WeatherForecast(
            park_id=park.id,
            issued_at=issued,
            forecast_for=h.at,
            temperature_c=h.temperature_c,
            precipitation_mm=h.precipitation_mm,
            weather_code=h.weather_code,
            wind_kmh=h.wind_kmh,
        )
        for h in fetch.hours
    )
    passed = [
        h
        for h in fetch.hours
        if h.at <= issued < h.at + timedelta(hours=1)
        or issued - timedelta(hours=1) <= h.at < issued
    ]
    for hour in passed:
        exists = session.scalar(
            select(WeatherObservation.id).where(
                WeatherObservation.park_id == park.id, WeatherObservation.observed_at == hour.at
            )
        )
        if exists is None and hour.at < issued:
            session.add(
                WeatherObservation(
                    park_id=park.id,
                    observed_at=hour.at,
                    temperature_c=hour.temperature_c,
                    precipitation_mm=hour.precipitation_mm,
                    weather_code=hour.weather_code,
                    wind_kmh=hour.wind_kmh,
                )
            )
    session.flush()
    return len(fetch.hours)


def store_weather_history(session: Session, park: Park, fetch: WeatherFetch) -> int:
    """Store every hour of a fetch that has passed as an observation (backfilled history)."""
    issued = fetch.fetched_at.replace(microsecond=0)
    hours = [h for h in fetch.hours if h.at < issued]
    if not hours:
        return 0
    known = set(
        session.scalars(
            select(WeatherObservation.observed_at).where(
                WeatherObservation.park_id == park.id,
                WeatherObservation.observed_at.between(hours[0].at, hours[-1].at),
            )
        )
    )
    fresh = [h for h in hours if h.at not in known]
    session.add_all(
        WeatherObservation(
            park_id=park.id,
            observed_at=h.at,
            temperature_c=h.temperature_c,
            precipitation_mm=h.precipitation_mm,
            weather_code=h.weather_code,
            wind_kmh=h.wind_kmh,
        )
        for h in fresh
    )
    session.flush()
    return len(fresh)
