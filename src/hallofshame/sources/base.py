"""What every source hands to ingestion: parsed, normalised, database-free values.

Sources know HTTP and payloads, never the database. A payload that is not what its
kind promises raises ``PayloadError``; a request that failed raises ``FetchError``.
Both become one data-quality issue upstream and never a partial write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from hallofshame.domain.statuses import RideStatus, Source


class SourceError(Exception):
    """A poll that produced nothing usable. ``kind`` names the problem for data quality."""

    kind = "source_error"

    def __init__(self, message: str, *, sample: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.sample = sample[:2000] if sample else None


class FetchError(SourceError):
    """Timeouts, connection errors, HTTP errors after the retries ran out.

    ``status`` is the HTTP status of the last answer, when there was one: some callers
    treat a 404 as "nothing there" rather than as a failure.
    """

    kind = "http_error"

    def __init__(self, message: str, *, sample: str | None = None, status: int | None = None):
        super().__init__(message, sample=sample)
        self.status = status


class PayloadError(SourceError):
    """Truncated, malformed or schema-drifted body (missing fields, wrong types)."""

    kind = "malformed_payload"


class StaleFeedError(SourceError):
    """Every ride's record is stale: the whole poll is not a cycle (METRICS.md §2)."""

    kind = "stale_feed"


@dataclass(frozen=True, slots=True)
class RideReading:
    """One ride's state in one poll, already normalised by METRICS.md §2."""

    upstream_id: str
    name: str
    category: str  # ATTRACTION, SHOW, MEET_AND_GREET, RESTAURANT, EXPERIENCE, …
    status: RideStatus
    raw_status: str | None
    wait_minutes: int | None
    last_updated: datetime | None = None
    land: str | None = None


@dataclass(frozen=True, slots=True)
class LiveSnapshot:
    """One poll of one park's live feed."""

    source: Source
    park_upstream_id: str
    fetched_at: datetime
    rides: tuple[RideReading, ...]
    park_name: str | None = None
    timezone: str | None = None
    # Statuses the normaliser did not know (mapped to UNKNOWN): a data-quality note.
    unknown_statuses: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ScheduleWindow:
    local_date: date
    window_type: str  # OPERATING, TICKETED_EVENT, EXTRA_HOURS, INFO, …
    opening_at: datetime  # aware UTC
    closing_at: datetime  # aware UTC
    description: str | None = None


@dataclass(frozen=True, slots=True)
class ScheduleFetch:
    """A fetched schedule covers every local date from its first to its last entry."""

    park_upstream_id: str
    fetched_at: datetime
    windows: tuple[ScheduleWindow, ...]
    park_name: str | None = None
    timezone: str | None = None
    # First and last entry ``date`` of the body, entries without times included: a date
    # whose only entry has no opening/closing time is still covered (and so closed).
    covered_dates: tuple[date, date] | None = None

    @property
    def covered(self) -> tuple[date, date] | None:
        if self.covered_dates is not None:
            return self.covered_dates
        if not self.windows:
            return None
        dates = [w.local_date for w in self.windows]
        return min(dates), max(dates)


@dataclass(frozen=True, slots=True)
class WeatherHour:
    at: datetime  # aware UTC, start of the hour
    temperature_c: float | None
    precipitation_mm: float | None
    weather_code: int | None
    wind_kmh: float | None


@dataclass(frozen=True, slots=True)
class WeatherFetch:
    fetched_at: datetime
    hours: tuple[WeatherHour, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class CatalogPark:
    """A park as an upstream directory (or the bundled catalog) describes it."""

    source: Source
    upstream_id: str
    name: str
    timezone: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    country: str | None = None
    operator: str | None = None


@dataclass(frozen=True, slots=True)
class CatalogRide:
    source: Source
    upstream_id: str
    park_upstream_id: str
    name: str
    category: str
    land: str | None = None
