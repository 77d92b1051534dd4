"""The ``series`` of the detail views: the period's window in buckets
(``metrics.park_details.park_series``: hourly for one day, daily for longer, in the park's
local time; the same series the charts draw)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from hallofshame.api.common import metric_period, now, settings
from hallofshame.db.models import Park
from hallofshame.domain.periods import Period
from hallofshame.metrics import park_details


def ride_series(session: Session, park: Park, ride_id: int, period: Period) -> list[dict[str, Any]]:
    return park_details.park_series(
        session,
        park,
        metric_period(period),
        now=now(),
        version=settings().metrics_version,
        ride_id=ride_id,
    )
