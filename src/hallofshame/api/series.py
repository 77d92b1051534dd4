"""The ``series`` of the detail views: the period's window in buckets, via timeseries.

Day-long windows are shown hourly, longer ones daily, in the park's local time
(``charts.window_series``, the same series the charts draw).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from hallofshame.api.common import metric_period, now, settings
from hallofshame.db.models import Park
from hallofshame.domain.periods import Period, resolve
from hallofshame.metrics import timeseries
from hallofshame.metrics.charts import window_series


def _series(
    session: Session, park: Park, period: Period, ride_id: int | None
) -> timeseries.Series | None:
    at = now()
    window = resolve(metric_period(period), at, park.timezone)
    if window.end <= window.start:
        return None
    return window_series(
        session, park, window, version=settings().metrics_version, now=at, ride_id=ride_id
    )


def park_series(session: Session, park: Park, period: Period) -> list[dict[str, Any]]:
    s = _series(session, park, period, None)
    return [] if s is None else [timeseries.park_bucket_item(s, i) for i in range(len(s))]


def ride_series(session: Session, park: Park, ride_id: int, period: Period) -> list[dict[str, Any]]:
    s = _series(session, park, period, ride_id)
    return [] if s is None else [timeseries.ride_bucket_item(s, i, ride_id) for i in range(len(s))]
