"""Chart data and heatmaps: the top entities of a ranking, bucketed through the period.

The entities are chosen by the rankings (same window, same order) and every value is a
figure of a timeseries bucket, so a chart never computes anything of its own. A period
of one day is shown by the hour, a longer one by the day; each park's buckets follow its
own local calendar (a DST day has 23 or 25 hourly buckets).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from hallofshame.db.models import Park
from hallofshame.domain.periods import Bucket, Period, PeriodKind, Window, as_period, resolve
from hallofshame.domain.rounding import round_hours, round_shame, round_wait
from hallofshame.metrics import rankings
from hallofshame.metrics.figures import ParkFigures, RideFigures
from hallofshame.metrics.timeseries import Series, series
from hallofshame.metrics.windows import RideInfo

CHART_TYPES = ("parks", "rides", "waittimes", "ridewaittimes")
HEATMAP_TYPES = ("parks-shame", "parks-waits", "rides-downtime", "rides-waits")
RIDE_CHART_TYPES = ("downtime", "wait_times")


@dataclass(frozen=True)
class Metric:
    """One charted figure: which ranking picks the entities, and which value is drawn."""

    name: str
    unit: str
    rides: bool
    pick: Callable[[rankings.Snapshot], list[Any]]
    park_value: Callable[[ParkFigures], float | None] | None = None
    ride_value: Callable[[RideFigures], float | None] | None = None


_SHAME = Metric(
    "shame_score",
    "score",
    False,
    rankings.park_downtime,
    park_value=lambda f: round_shame(f.shame_score),
)
_PARK_WAIT = Metric(
    "avg_wait_minutes",
    "minutes",
    False,
    rankings.park_waits,
    park_value=lambda f: round_wait(f.avg_wait_minutes),
)
_RIDE_DOWN = Metric(
    "downtime_hours",
    "hours",
    True,
    rankings.ride_downtime,
    ride_value=lambda f: round_hours(f.downtime_hours),
)
_RIDE_WAIT = Metric(
    "avg_wait_minutes",
    "minutes",
    True,
    rankings.ride_waits,
    ride_value=lambda f: round_wait(f.avg_wait_minutes),
)

CHART_METRICS = {
    "parks": _SHAME,
    "rides": _RIDE_DOWN,
    "waittimes": _PARK_WAIT,
    "ridewaittimes": _RIDE_WAIT,
}
HEATMAP_METRICS = {
    "parks-shame": _SHAME,
    "parks-waits": _PARK_WAIT,
    "rides-downtime": _RIDE_DOWN,
    "rides-waits": _RIDE_WAIT,
}
RIDE_CHART_METRICS = {"downtime": _RIDE_DOWN, "wait_times": _RIDE_WAIT}


def chart_period(period: Period | str) -> Period:
    # A chart of ``live`` is a chart of today: one cycle is not a curve.
    p = as_period(period)
    return Period(PeriodKind.TODAY) if p.kind is PeriodKind.LIVE else p


def granularity(window: Window) -> Bucket:
    return Bucket.H1 if window.day_count == 1 else Bucket.D1


def window_series(
    session: Session,
    park: Park,
    window: Window,
    *,
    version: int,
    now: datetime,
    ride_id: int | None = None,
    tiers: dict[int, RideInfo] | None = None,
) -> Series:
    """The park's (or one ride's) buckets over ``window``, hourly for one day, else daily:
    cycles at or before its end while it runs (``tiers``: as ``series`` takes them)."""
    # A running window counts cycles at or before now; the series takes [start, end).
    end = window.end if window.is_complete else window.end + timedelta(microseconds=1)
    if end <= window.start:
        end = window.start + timedelta(microseconds=1)
    return series(
        session,
        park,
        window.start,
        end,
        granularity(window),
        version=version,
        now=now,
        ride_id=ride_id,
        tiers=tiers,
    )


def bucket_label(s: Series, i: int) -> str:
    local = s.local_start(i)
    return local.date().isoformat() if s.bucket is Bucket.D1 else local.strftime("%H:%M")


@dataclass(frozen=True)
class Chart:
    metric: Metric
    granularity: Bucket
    labels: list[str]
    datasets: list[dict[str, Any]]
    windows: dict[int, Window]


def _values(s: Series, metric: Metric, ride_id: int | None) -> list[float | None]:
    if ride_id is None:
        assert metric.park_value is not None  # noqa: S101 - the table pairs them
        return [metric.park_value(s.park_figures(i)) for i in range(len(s))]
    assert metric.ride_value is not None  # noqa: S101 - the table pairs them
    return [metric.ride_value(s.ride_figures(i, ride_id)) for i in range(len(s))]


def build_chart(
    session: Session,
    metric: Metric,
    period: Period | str,
    *,
    now: datetime,
    version: int,
    filter_: str = "all-parks",
    limit: int = 10,
    park_id: int | None = None,
) -> Chart:
    """Datasets for the top ``limit`` entities of ``metric``'s ranking over ``period``."""
    p = chart_period(period)
    snapshot = rankings.compute(
        session, p, now=now, version=version, filter_=filter_, park_id=park_id
    )
    top = metric.pick(snapshot)[:limit]
    cache: dict[int, Series] = {}
    windows: dict[int, Window] = {}
    datasets: list[dict[str, Any]] = []
    labels: list[str] = []
    for row in top:
        park: Park = row.park
        if park.id not in cache:
            windows[park.id] = resolve(p, now, park.timezone)
            cache[park.id] = window_series(
                session, park, windows[park.id], version=version, now=now
            )
        s = cache[park.id]
        if len(s) > len(labels):
            # Labels come from the longest series: a 25-hour day shows its repeated hour.
            labels = [bucket_label(s, i) for i in range(len(s))]
        if metric.rides:
            datasets.append(
                {
                    "ride_id": row.ride.id,
                    "label": row.ride.name,
                    "park_id": park.id,
                    "park_name": park.name,
                    "tier": row.ride.tier,
                    "data": _values(s, metric, row.ride.id),
                }
            )
        else:
            datasets.append(
                {"park_id": park.id, "label": park.name, "data": _values(s, metric, None)}
            )
    for d in datasets:
        d["data"] = d["data"] + [None] * (len(labels) - len(d["data"]))
    return Chart(metric, granularity_of(p, windows), labels, datasets, windows)


def granularity_of(period: Period, windows: dict[int, Window]) -> Bucket:
    if windows:
        return granularity(next(iter(windows.values())))
    return Bucket.H1 if period.kind in (PeriodKind.TODAY, PeriodKind.YESTERDAY) else Bucket.D1


def heatmap(chart: Chart) -> dict[str, Any]:
    """The same data as a chart, shaped as entities × time for a heatmap."""
    return {
        "entities": [
            {k: v for k, v in d.items() if k != "data"} | {"name": d["label"]}
            for d in chart.datasets
        ],
        "time_labels": chart.labels,
        "matrix": [d["data"] for d in chart.datasets],
        "metric": chart.metric.name,
        "unit": chart.metric.unit,
    }


def park_ride_chart(
    session: Session,
    park_id: int,
    kind: str,
    period: Period | str,
    *,
    now: datetime,
    version: int,
    limit: int = 200,
) -> Chart:
    """Per-ride datasets of one park (its rides ranked by the period's figure)."""
    return build_chart(
        session,
        RIDE_CHART_METRICS[kind],
        period,
        now=now,
        version=version,
        limit=limit,
        park_id=park_id,
    )
