"""Analytics: timeseries of any window, charts, heatmaps, trends and awards.

Every number comes from ``metrics`` (timeseries, charts, trends, rankings); routes only
parse parameters and shape the answer.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from hallofshame import clock
from hallofshame.api.common import (
    blueprint,
    db,
    envelope,
    metric_period,
    now,
    settings,
    snapshot,
)
from hallofshame.api.export import FORMATS, empty_columns
from hallofshame.api.lookups import get_park, get_ride
from hallofshame.api.params import (
    DEFAULT_LIMIT,
    FORMAT_TEXT,
    INSTANT_PATTERN,
    MAX_LIMIT,
    ParkPath,
    PeriodQuery,
    Query,
    RidePath,
    choice,
)
from hallofshame.api.schemas import Envelope
from hallofshame.api.views import add_state_now
from hallofshame.domain.localtime import local_date_of, local_midnight
from hallofshame.domain.periods import BUCKETS, Bucket, parse_bucket
from hallofshame.metrics import charts, present, timeseries, trends
from hallofshame.metrics.ranking_lists import park_parts, window_meta
from hallofshame.metrics.rankings import FILTERS

bp = blueprint("analytics", ["analytics"])


# --- parameters ----------------------------------------------------------------------


#: Edges of a series as the document states them (``INSTANT_PATTERN``).
Edge = Annotated[
    str | None,
    Field(pattern=INSTANT_PATTERN),
    WithJsonSchema({"type": "string", "pattern": INSTANT_PATTERN}),
]
#: The time zones furthest from UTC: a window valid in both is valid in every park's.
_EXTREME_ZONES = ("Etc/GMT+12", "Etc/GMT-14")


class TimeseriesQuery(Query):
    start: Edge = Field(
        None,
        description="UTC instant (…Z or with offset), local date-time, or local date; "
        "default: the park's local midnight today",
    )
    end: Edge = Field(None, description="exclusive end, same forms; default: now")
    bucket: str = choice(Bucket.H1.value, BUCKETS, "bucket size, aligned to local time")

    def window(self, tz: str, at: datetime) -> tuple[datetime, datetime]:
        """[start, end) as instants in the park's zone ``tz`` at ``at`` (now)."""
        start = (
            timeseries.parse_instant_param("start", self.start, tz)
            if self.start
            else local_midnight(local_date_of(at, tz), tz)
        )
        # Default end: just after now, so a cycle at this very instant is included.
        end = (
            timeseries.parse_instant_param("end", self.end, tz)
            if self.end
            else at + timedelta(seconds=1)
        )
        return start, end

    def check_together(self) -> None:
        # The park's zone is not known here: a window must hold in every zone.
        for tz in _EXTREME_ZONES:
            start, end = self.window(tz, clock.now())
            timeseries.checked_edges(start, end, self.bucket, tz)


class ParkChartQuery(PeriodQuery):
    type: str = choice("downtime", charts.RIDE_CHART_TYPES, "what each ride's dataset shows")
    limit: int = Field(MAX_LIMIT, ge=1, le=MAX_LIMIT, description="rides to chart")


class TopQuery(PeriodQuery):
    filter: str = choice("all-parks", FILTERS, "all parks, or Disney and Universal parks only")
    limit: int = Field(10, ge=1, le=MAX_LIMIT, description="entities to chart")


class ChartQuery(TopQuery):
    type: str = choice("parks", charts.CHART_TYPES, "which ranking's top entities to chart")


class HeatmapQuery(TopQuery):
    type: str = choice("parks-shame", charts.HEATMAP_TYPES, "entities × time of which figure")


class TrendQuery(PeriodQuery):
    category: str = choice("parks-improving", trends.TREND_CATEGORIES, "which trend list")
    filter: str = choice("all-parks", FILTERS, "all parks, or Disney and Universal parks only")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="items to return")
    format: str = choice("json", FORMATS, FORMAT_TEXT)


class AwardQuery(PeriodQuery):
    entity: str = choice("parks", trends.AWARD_ENTITIES, "parks or rides")
    filter: str = choice("all-parks", FILTERS, "all parks, or Disney and Universal parks only")
    limit: int = Field(1, ge=1, le=MAX_LIMIT, description="winner, then runners-up")
    format: str = choice("json", FORMATS, FORMAT_TEXT)


# --- response models (documentation; the answers are built by metrics) ----------------


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ParkBucket(Open):
    start: str
    local_start: str
    shame_score: float
    downtime_hours: float
    weighted_downtime_hours: float
    operating_hours: float
    rides_down: int
    avg_wait_minutes: float | None
    park_open_fraction: float | None


class StatusShare(Open):
    up_seconds: int
    down_seconds: int
    other_seconds: int
    up_share: float | None
    down_share: float | None
    other_share: float | None


class RideBucket(Open):
    start: str
    local_start: str
    status: StatusShare
    downtime_minutes: float
    avg_wait_minutes: float | None


class Dataset(Open):
    label: str
    data: list[float | None]


class ChartData(Open):
    labels: list[str]
    datasets: list[Dataset]


class Heatmap(Open):
    entities: list[dict[str, Any]]
    time_labels: list[str]
    matrix: list[list[float | None]]
    metric: str
    unit: str


class TrendItem(Open):
    park_id: int
    name: str
    uptime_now: float
    uptime_before: float
    uptime_change_pp: float
    downtime_hours_now: float
    downtime_hours_before: float


empty_columns("analytics.trends_list", TrendItem)


# --- timeseries ----------------------------------------------------------------------


@bp.get("/parks/<int:park_id>/timeseries", responses={200: Envelope[list[ParkBucket]]})
def park_timeseries(path: ParkPath, query: TimeseriesQuery) -> dict[str, Any]:
    """A park's figures in buckets of local time over any window."""
    park = get_park(db(), path.park_id)
    start, end = query.window(park.timezone, now())
    s = timeseries.series(db(), park, start, end, parse_bucket(query.bucket), **_source())
    items = [timeseries.park_bucket_item(s, i) for i in range(len(s))]
    return envelope(items, **_series_meta(s, start, end, park.timezone))


@bp.get("/rides/<int:ride_id>/timeseries", responses={200: Envelope[list[RideBucket]]})
def ride_timeseries(path: RidePath, query: TimeseriesQuery) -> dict[str, Any]:
    """A ride's status shares, downtime and waits in buckets of its park's local time."""
    ride = get_ride(db(), path.ride_id)
    park = get_park(db(), ride.park_id)
    start, end = query.window(park.timezone, now())
    s = timeseries.series(
        db(), park, start, end, parse_bucket(query.bucket), ride_id=ride.id, **_source()
    )
    items = [timeseries.ride_bucket_item(s, i, ride.id) for i in range(len(s))]
    return envelope(items, ride_id=ride.id, **_series_meta(s, start, end, park.timezone))


def _source() -> dict[str, Any]:
    # Whole complete days of a daily series come from this version's rollups.
    return {"version": settings().metrics_version, "now": now()}


def _series_meta(s: timeseries.Series, start: Any, end: Any, tz: str) -> dict[str, Any]:
    return {
        "park_id": s.park.id,
        "timezone": tz,
        "bucket": s.bucket.value,
        "start": timeseries.iso_utc(start),
        "end": timeseries.iso_utc(end),
        "metrics_version": settings().metrics_version,
    }


# --- charts and heatmaps ----------------------------------------------------------------


def _chart_meta(chart: charts.Chart, query: PeriodQuery, **extra: Any) -> dict[str, Any]:
    windows = list(chart.windows.values())
    dates = {(w.start_date, w.end_date) for w in windows}
    meta: dict[str, Any] = {
        "period": query.parsed_period().key,
        "granularity": "hourly" if chart.granularity is Bucket.H1 else "daily",
        "metric": chart.metric.name,
        "unit": chart.metric.unit,
        "metrics_version": settings().metrics_version,
        **extra,
    }
    if len(dates) == 1:
        first, last = dates.pop()
        meta.update(start_date=first.isoformat(), end_date=last.isoformat())
    return meta


def _chart(query: PeriodQuery, metric: charts.Metric, **kw: Any) -> charts.Chart:
    return charts.build_chart(
        db(),
        metric,
        metric_period(query.parsed_period()),
        now=now(),
        version=settings().metrics_version,
        **kw,
    )


@bp.get("/parks/<int:park_id>/rides/charts", responses={200: Envelope[ChartData]})
def park_ride_charts(path: ParkPath, query: ParkChartQuery) -> dict[str, Any]:
    """Per-ride downtime or waits of one park through the period, in its local time."""
    park = get_park(db(), path.park_id)
    chart = _chart(query, charts.RIDE_CHART_METRICS[query.type], limit=query.limit, park_id=park.id)
    data = {"labels": chart.labels, "datasets": chart.datasets}
    return envelope(data, **_chart_meta(chart, query, type=query.type, timezone=park.timezone))


@bp.get("/trends/chart-data", responses={200: Envelope[ChartData]})
def trends_chart_data(query: ChartQuery) -> dict[str, Any]:
    """The top entities of a ranking, bucketed hourly (one day) or daily."""
    metric = charts.CHART_METRICS[query.type]
    chart = _chart(query, metric, filter_=query.filter, limit=query.limit)
    data = {"labels": chart.labels, "datasets": chart.datasets}
    return envelope(
        data, **_chart_meta(chart, query, type=query.type, filter=query.filter, limit=query.limit)
    )


@bp.get("/trends/heatmap-data", responses={200: Envelope[Heatmap]})
def trends_heatmap(query: HeatmapQuery) -> dict[str, Any]:
    """Entities × hours (one day) or days of shame, downtime or waits."""
    chart = _chart(
        query, charts.HEATMAP_METRICS[query.type], filter_=query.filter, limit=query.limit
    )
    return envelope(
        charts.heatmap(chart),
        **_chart_meta(chart, query, type=query.type, filter=query.filter, limit=query.limit),
    )


# --- trends and awards -----------------------------------------------------------------


@bp.get("/trends", responses={200: Envelope[list[TrendItem]]})
def trends_list(query: TrendQuery) -> dict[str, Any]:
    """Parks or rides whose uptime moved by at least 5 points against the window before."""
    period = query.parsed_period()
    found = trends.trends(
        db(),
        query.category,
        metric_period(period),
        now=now(),
        version=settings().metrics_version,
        filter_=query.filter,
    )[: query.limit]
    meta: dict[str, Any] = {}
    windows = {
        (t.window.start_date, t.window.end_date, t.previous.start_date, t.previous.end_date)
        for t in found
    }
    if len(windows) == 1:
        a, b, c, d = windows.pop()
        meta = {
            "start_date": a.isoformat(),
            "end_date": b.isoformat(),
            "previous_start_date": c.isoformat(),
            "previous_end_date": d.isoformat(),
        }
    return envelope(
        [trends.trend_item(t) for t in found],
        period=period.key,
        category=query.category,
        filter=query.filter,
        limit=query.limit,
        metrics_version=settings().metrics_version,
        threshold_pp=trends.TREND_THRESHOLD_PP,
        **meta,
    )


def _award(query: AwardQuery, downtime: bool) -> dict[str, Any]:
    period = query.parsed_period()
    snap = snapshot(period, query.filter)
    parks = query.entity == "parks"
    if downtime:
        rows = trends.least_reliable(snap, query.entity, query.limit)
        item = present.park_downtime_item if parks else present.ride_downtime_item
        items = [item(i, r, snap.period) for i, r in enumerate(rows, 1)]
    else:
        rows = trends.longest_waits(snap, query.entity, query.limit)
        wait_item = present.park_wait_item if parks else present.ride_wait_item
        items = [wait_item(i, r) for i, r in enumerate(rows, 1)]
    add_state_now(
        db(), items, [r.park for r in rows], period.kind, now(), is_park=parks, downtime=downtime
    )
    return envelope(
        items,
        period=period.key,
        entity=query.entity,
        filter=query.filter,
        limit=query.limit,
        metrics_version=settings().metrics_version,
        **window_meta(park_parts(snap).values()),
    )


@bp.get("/trends/least-reliable", responses={200: Envelope[list[dict[str, Any]]]})
def least_reliable(query: AwardQuery) -> dict[str, Any]:
    """The park or ride at the top of the downtime ranking (same window, same order)."""
    return _award(query, downtime=True)


@bp.get("/trends/longest-wait-times", responses={200: Envelope[list[dict[str, Any]]]})
def longest_wait_times(query: AwardQuery) -> dict[str, Any]:
    """The park or ride at the top of the wait ranking (same window, same order)."""
    return _award(query, downtime=False)
