"""The ``series`` of the detail views: the period's window in buckets, via timeseries.

Day-long windows are shown hourly, longer ones daily, in the park's local time.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from hallofshame.api.common import metric_period, now
from hallofshame.db.models import Park
from hallofshame.domain.periods import Bucket, Period, Window, resolve
from hallofshame.metrics import timeseries


def _window(park: Park, period: Period) -> tuple[Window, Bucket] | None:
    window = resolve(metric_period(period), now(), park.timezone)
    bucket = Bucket.H1 if window.day_count == 1 else Bucket.D1
    return (window, bucket) if window.end > window.start else None


def _end(window: Window) -> Any:
    # A running window (today) holds cycles at or before now; series cuts [start, end).
    return window.end if window.is_complete else window.end + timedelta(seconds=1)


def park_series(session: Session, park: Park, period: Period) -> list[dict[str, Any]]:
    found = _window(park, period)
    if found is None:
        return []
    window, bucket = found
    s = timeseries.series(session, park, window.start, _end(window), bucket)
    return [timeseries.park_bucket_item(s, i) for i in range(len(s))]


def ride_series(session: Session, park: Park, ride_id: int, period: Period) -> list[dict[str, Any]]:
    found = _window(park, period)
    if found is None:
        return []
    window, bucket = found
    s = timeseries.series(session, park, window.start, _end(window), bucket, ride_id=ride_id)
    return [timeseries.ride_bucket_item(s, i, ride_id) for i in range(len(s))]
