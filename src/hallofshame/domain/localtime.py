"""Local days of a park: day numbers, the local date of an instant, and day bounds.

A local day runs from one local midnight to the next, converted to UTC with the real
DST rules of the park's IANA zone (METRICS.md §1), so it lasts 23, 24 or 25 hours.
Everything here takes and returns timezone-aware UTC instants; a naive datetime is a
bug (its meaning would depend on the host), so it is refused rather than guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

#: Day numbers count from this date, so they are small, stable integers for storage.
EPOCH = date(1970, 1, 1)

ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=512)
def _zone_named(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone(tz: tzinfo | str) -> tzinfo:
    """The zone itself, or the IANA zone of that name (cached: parks share a few zones)."""
    return _zone_named(tz) if isinstance(tz, str) else tz


def require_aware(instant: datetime, name: str = "instant") -> datetime:
    """The same instant in UTC; naive datetimes are refused (see module docstring)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {instant.isoformat()}")
    return instant.astimezone(UTC)


def day_number(d: date) -> int:
    """Days since 1970-01-01 (the stored form of a local day)."""
    return (d - EPOCH).days


def date_of_day_number(n: int) -> date:
    """The inverse of :func:`day_number`."""
    return EPOCH + timedelta(days=n)


def local_date_of(instant_utc: datetime, tz: tzinfo | str) -> date:
    """The calendar date in the park's zone at this instant."""
    return require_aware(instant_utc, "instant_utc").astimezone(zone(tz)).date()


def local_midnight(d: date, tz: tzinfo | str) -> datetime:
    """The UTC instant at which local day ``d`` begins.

    ``fold=0`` matters in the rare zones that change clocks at midnight: if midnight is
    repeated, the day begins at its first occurrence; if midnight is skipped, PEP 495
    maps the missing wall time with the offset from before the jump, which is exactly
    the transition instant, i.e. the first instant that is locally on ``d``.
    """
    wall = datetime(d.year, d.month, d.day, tzinfo=zone(tz), fold=0)
    return wall.astimezone(UTC)


def day_bounds(d: date, tz: tzinfo | str) -> tuple[datetime, datetime]:
    """``[start, end)`` of local day ``d`` in UTC: 23, 24 or 25 hours across DST."""
    return local_midnight(d, tz), local_midnight(d + ONE_DAY, tz)


def day_length(d: date, tz: tzinfo | str) -> timedelta:
    start, end = day_bounds(d, tz)
    return end - start


def days_in(start: date, end: date) -> list[date]:
    """Every date from ``start`` to ``end`` inclusive (empty if ``end`` < ``start``)."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def next_local_midnight(zones: Iterable[tzinfo | str], at: datetime) -> datetime | None:
    """The first local midnight after ``at`` in any of the zones: when a day-based window
    of one of them rolls over (None without a zone)."""
    return min(
        (local_midnight(local_date_of(at, z) + ONE_DAY, z) for z in zones),
        default=None,
    )
