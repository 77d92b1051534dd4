"""Periods (METRICS.md §5): parsing the request, resolving it in a park's own calendar,
the previous window of the same kind (for trends), and chart buckets.

Every period is local to each park, so the same ``last_week`` is a different UTC
interval in Paris and in Los Angeles; :func:`resolve` is therefore called per park.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

from hallofshame.domain.localtime import (
    ONE_DAY,
    day_bounds,
    days_in,
    local_date_of,
    local_midnight,
    require_aware,
    zone,
)
from hallofshame.domain.spans import month_of, week_of, week_start

#: Custom ranges are capped so one request cannot ask for years of raw data.
MAX_CUSTOM_DAYS = 366

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class PeriodError(ValueError):
    """A request parameter that cannot be a period; the API answers 400 with it."""

    def __init__(self, param: str, message: str, allowed: tuple[str, ...] | None = None) -> None:
        super().__init__(message)
        self.param = param
        self.message = message
        self.allowed = allowed

    def __str__(self) -> str:
        return f"{self.param}: {self.message}"


class PeriodKind(StrEnum):
    LIVE = "live"
    TODAY = "today"
    YESTERDAY = "yesterday"
    LAST_WEEK = "last_week"
    LAST_MONTH = "last_month"
    DAYS_7 = "7days"
    DAYS_30 = "30days"
    CUSTOM = "custom"


#: What ``period=`` accepts (custom is spelled with ``start``/``end`` instead).
NAMED_PERIODS: tuple[str, ...] = tuple(k.value for k in PeriodKind if k is not PeriodKind.CUSTOM)

_ROLLING_DAYS = {PeriodKind.DAYS_7: 7, PeriodKind.DAYS_30: 30}


@dataclass(frozen=True)
class Period:
    """A requested period; ``start``/``end`` are set only for custom ranges."""

    kind: PeriodKind
    start: date | None = None
    end: date | None = None

    @property
    def key(self) -> str:
        """A stable text form, e.g. ``today`` or ``custom:2026-07-01..2026-07-31``."""
        if self.kind is PeriodKind.CUSTOM:
            assert self.start is not None and self.end is not None  # noqa: S101 - invariant
            return f"custom:{self.start.isoformat()}..{self.end.isoformat()}"
        return self.kind.value

    def __str__(self) -> str:
        return self.key


def _parse_date(param: str, text: str) -> date:
    # date.fromisoformat also takes "20260701" and week dates; the API promises YYYY-MM-DD.
    text = text.strip()
    if not _ISO_DATE.fullmatch(text):
        raise PeriodError(param, f"expected a date as YYYY-MM-DD, got {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise PeriodError(param, f"not a valid date: {text!r}") from exc


def custom_period(start: str | date, end: str | date) -> Period:
    """An inclusive range of local dates, at most :data:`MAX_CUSTOM_DAYS` days."""
    first = start if isinstance(start, date) else _parse_date("start", start)
    last = end if isinstance(end, date) else _parse_date("end", end)
    if last < first:
        raise PeriodError("end", f"end ({last}) is before start ({first})")
    days = (last - first).days + 1
    if days > MAX_CUSTOM_DAYS:
        raise PeriodError("end", f"a custom range is at most {MAX_CUSTOM_DAYS} days, got {days}")
    return Period(PeriodKind.CUSTOM, first, last)


def parse_period(
    period: str | None = None,
    start: str | None = None,
    end: str | None = None,
    *,
    default: PeriodKind = PeriodKind.TODAY,
) -> Period:
    """Read the ``period``, ``start`` and ``end`` query parameters.

    ``start``/``end`` (both) mean a custom range; ``period=custom`` may accompany them.
    Empty strings count as absent, as browsers send them for blank form fields.
    """
    period = (period or "").strip() or None
    start = (start or "").strip() or None
    end = (end or "").strip() or None
    if start is not None or end is not None or period == PeriodKind.CUSTOM:
        if period is not None and period != PeriodKind.CUSTOM:
            raise PeriodError(
                "period", "give either a named period or start/end, not both", NAMED_PERIODS
            )
        if start is None:
            raise PeriodError("start", "a custom range needs start=YYYY-MM-DD")
        if end is None:
            raise PeriodError("end", "a custom range needs end=YYYY-MM-DD")
        return custom_period(start, end)
    if period is None:
        return Period(default)
    if period not in NAMED_PERIODS:
        raise PeriodError("period", f"unknown period {period!r}", NAMED_PERIODS)
    return Period(PeriodKind(period))


def as_period(period: Period | str) -> Period:
    """Accept a :class:`Period` or a named period's text (``"today"``)."""
    return period if isinstance(period, Period) else parse_period(period)


@dataclass(frozen=True)
class Window:
    """A resolved period for one park.

    ``start_date``..``end_date`` are the local dates covered (inclusive); ``start`` and
    ``end`` are UTC instants. For a complete window ``end`` is the local midnight after
    ``end_date`` and cycles count when ``start <= t < end``; for a window still running
    (``today``) ``end`` is now and cycles count when ``start <= t <= end`` (METRICS.md §5
    "cycles at or before now"). :meth:`contains` applies the right rule.
    """

    kind: PeriodKind
    start_date: date
    end_date: date
    start: datetime
    end: datetime
    is_complete: bool
    tz: tzinfo

    @property
    def days(self) -> list[date]:
        return days_in(self.start_date, self.end_date)

    @property
    def day_count(self) -> int:
        return (self.end_date - self.start_date).days + 1

    def contains(self, instant: datetime) -> bool:
        t = require_aware(instant)
        if self.is_complete:
            return self.start <= t < self.end
        return self.start <= t <= self.end

    def previous(self) -> Window:
        """The previous window of the same kind, used for trends (METRICS.md §4).

        ``today``/``live`` compare with the whole previous day, since a trend compares
        ratios (uptime %) and the matching part of yesterday would need a clock time
        that DST can make ambiguous.
        """
        kind = self.kind
        if kind is PeriodKind.LAST_MONTH:
            month = month_of(self.start_date - ONE_DAY)
            return _days_window(kind, month.first, month.last, self.tz)
        if kind in (PeriodKind.TODAY, PeriodKind.LIVE):
            day = self.start_date - ONE_DAY
            return _days_window(kind, day, day, self.tz)
        # yesterday, last_week, 7days, 30days, custom: the same number of days just before.
        n = timedelta(days=self.day_count)
        return _days_window(kind, self.start_date - n, self.end_date - n, self.tz)


def _days_window(
    kind: PeriodKind, first: date, last: date, tz: tzinfo, now: datetime | None = None
) -> Window:
    start, _ = day_bounds(first, tz)
    _, end = day_bounds(last, tz)
    complete = now is None or end <= now
    if not complete:
        assert now is not None  # noqa: S101 - narrowed by the line above
        # Data exists only up to now; a future start still yields an empty, ordered window.
        end = max(start, now)
    return Window(kind, first, last, start, end, complete, tz)


def resolve(period: Period | str, now_utc: datetime, tz: tzinfo | str) -> Window:
    """The window of ``period`` in the park's calendar at instant ``now_utc``.

    ``live`` is really the park's latest cycle, which is found elsewhere; its window
    here is today's, which is what live views show for hours, uptime and outages.
    """
    p = as_period(period)
    now = require_aware(now_utc, "now_utc")
    zone_ = zone(tz)
    today = local_date_of(now, zone_)
    kind = p.kind
    if kind in (PeriodKind.TODAY, PeriodKind.LIVE):
        return Window(kind, today, today, local_midnight(today, zone_), now, False, zone_)
    yesterday = today - ONE_DAY
    if kind is PeriodKind.YESTERDAY:
        return _days_window(kind, yesterday, yesterday, zone_)
    # The previous whole week and month: the very spans whose sums are kept (domain.spans).
    if kind is PeriodKind.LAST_WEEK:
        week = week_of(week_start(today) - ONE_DAY)
        return _days_window(kind, week.first, week.last, zone_)
    if kind is PeriodKind.LAST_MONTH:
        month = month_of(today.replace(day=1) - ONE_DAY)
        return _days_window(kind, month.first, month.last, zone_)
    if kind in _ROLLING_DAYS:
        n = _ROLLING_DAYS[kind]
        return _days_window(kind, yesterday - timedelta(days=n - 1), yesterday, zone_)
    assert p.start is not None and p.end is not None  # noqa: S101 - custom invariant
    return _days_window(kind, p.start, p.end, zone_, now)


# --- chart buckets ------------------------------------------------------------------


class Bucket(StrEnum):
    M5 = "5m"
    M10 = "10m"
    M15 = "15m"
    M30 = "30m"
    H1 = "1h"
    D1 = "1d"

    @property
    def seconds(self) -> int:
        return _BUCKET_SECONDS[self]


_BUCKET_SECONDS = {
    Bucket.M5: 300,
    Bucket.M10: 600,
    Bucket.M15: 900,
    Bucket.M30: 1800,
    Bucket.H1: 3600,
    Bucket.D1: 86400,
}

BUCKETS: tuple[str, ...] = tuple(b.value for b in Bucket)


def parse_bucket(text: str | None, default: Bucket | None = None) -> Bucket:
    value = (text or "").strip()
    if not value and default is not None:
        return default
    try:
        return Bucket(value)
    except ValueError:
        raise PeriodError("bucket", f"unknown bucket {value!r}", BUCKETS) from None


def _day_grid(d: date, bucket: Bucket, tz: tzinfo) -> list[datetime]:
    """Bucket starts within local day ``d`` (its end is the next day's first point)."""
    start, end = day_bounds(d, tz)
    if bucket is Bucket.D1:
        return [start]
    # Real elapsed time from local midnight: a 25-hour day has 25 hourly buckets, and
    # a day whose length is not a multiple of the bucket ends with a shorter one.
    step = timedelta(seconds=bucket.seconds)
    points = []
    t = start
    while t < end:
        points.append(t)
        t += step
    return points


def bucket_edges(
    start_utc: datetime, end_utc: datetime, bucket: Bucket | str, tz: tzinfo | str
) -> list[datetime]:
    """Edges of the buckets covering ``[start_utc, end_utc]``, aligned to local time.

    Bucket i is ``[edges[i], edges[i+1])``. The first edge is the aligned edge at or
    before ``start_utc`` and the last the first aligned edge at or after ``end_utc``, so
    a running window (today) ends with a whole, partly future bucket. An empty window
    gives the single edge at or before its start (no buckets).
    """
    b = bucket if isinstance(bucket, Bucket) else parse_bucket(bucket)
    start = require_aware(start_utc, "start_utc")
    end = require_aware(end_utc, "end_utc")
    if end < start:
        raise ValueError(f"end_utc {end.isoformat()} is before start_utc {start.isoformat()}")
    edges: list[datetime] = []
    for t in _grid_from(local_date_of(start, zone(tz)), b, zone(tz)):
        if edges and t <= edges[-1]:
            continue  # a zero-length local day (a zone skipping a date) repeats a point
        if t <= start:
            edges = [t]  # the grid point at or before start; the day's midnight is one
            continue
        if start == end:
            break
        edges.append(t)
        if t >= end:
            break
    return edges


def _grid_from(first_day: date, bucket: Bucket, tz: tzinfo) -> Iterator[datetime]:
    day = first_day
    while True:
        yield from _day_grid(day, bucket, tz)
        day += ONE_DAY
