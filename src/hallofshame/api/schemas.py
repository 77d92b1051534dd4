"""Response models: they document every answer in the OpenAPI document.

Routes build plain dicts (``metrics.present`` names and rounds the figures); these
models only describe them, so the document and the answers cannot drift apart
unnoticed: the contract tests validate answers against them.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Summary(BaseModel):
    parks_tracked: int
    parks_open: int
    rides_operating: int
    rides_down: int
    total_downtime_hours: float


class Meta(BaseModel):
    model_config = ConfigDict(extra="allow")

    generated_at: str = Field(description="UTC instant, ISO 8601 with Z")
    period: str | None = None
    filter: str | None = None
    sort_by: str | None = None
    limit: int | None = None
    metrics_version: int | None = None
    start_date: str | None = None
    end_date: str | None = None
    summary: Summary | None = None


class Envelope(BaseModel, Generic[T]):
    data: T
    meta: Meta


class ErrorBody(BaseModel):
    code: str
    message: str
    details: dict[str, Any]


class ErrorResponse(BaseModel):
    error: ErrorBody


class StateCounts(BaseModel):
    OPERATING: int
    DOWN: int
    CLOSED: int
    REFURBISHMENT: int
    PARK_CLOSED: int
    UNKNOWN: int
    total: int


class ParkStatus(BaseModel):
    has_live_data: bool
    park_is_open: bool | None
    last_cycle_at: str | None
    rides: StateCounts


class ParkItem(BaseModel):
    park_id: int
    name: str
    location: str | None
    country: str | None
    timezone: str
    operator: str | None
    is_disney: bool
    is_universal: bool
    reports_down: bool
    fidelity: str = Field(description="reported (the feed reports DOWN) or inferred")
    attractions: int


class ScheduleItem(BaseModel):
    type: str
    description: str | None
    opening: str
    closing: str


class ParkOne(ParkItem):
    current_status: ParkStatus
    schedule_date: str
    # Today's published windows (local date of the park); null when no schedule covers
    # the date (then the park's attractions decide whether it is open).
    schedule: list[ScheduleItem] | None


class ParkDowntimeItem(BaseModel):
    rank: int
    park_id: int
    name: str
    location: str | None
    fidelity: str = Field(description="reported (the feed reports DOWN) or inferred")
    shame_score: float
    total_downtime_hours: float
    weighted_downtime_hours: float
    uptime_percentage: float | None
    rides_down: int
    operating_hours: float
    local_date: str
    park_is_open: bool | None = None


class ParkWaitItem(BaseModel):
    rank: int
    park_id: int
    name: str
    location: str | None
    fidelity: str = Field(description="reported (the feed reports DOWN) or inferred")
    avg_wait_minutes: float | None
    peak_wait_minutes: float | None
    rides_reporting: int


class DownNow(BaseModel):
    """What a ride down now carries (METRICS.md §8), the same in every live listing."""

    down_for_minutes: float | None = Field(
        None,
        description="down now: how long its outage has lasted so far (not cut at midnight), "
        "as /rides/{id}/recovery answers by default; null when not down now",
    )
    outage_kind: str | None = Field(
        None, description="down now: breakdown or opening_delay; null when not down now"
    )
    chance_back_within_30_percentage: float | None = Field(
        None,
        description="down now: the chance it is back within 30 minutes, from its own outages "
        "of that kind in the last 90 days; null when not down now or without enough history",
    )


class RideDowntimeItem(DownNow):
    rank: int
    ride_id: int
    name: str
    park_id: int
    park_name: str
    tier: int | None
    fidelity: str = Field(description="reported (the feed reports DOWN) or inferred")
    downtime_hours: float
    uptime_percentage: float | None
    breakdowns: int
    longest_outage_minutes: float | None
    current_status: str | None = None


class RideWaitItem(BaseModel):
    rank: int
    ride_id: int
    name: str
    park_id: int
    park_name: str
    tier: int | None
    fidelity: str = Field(description="reported (the feed reports DOWN) or inferred")
    avg_wait_minutes: float | None
    peak_wait_minutes: float | None
    current_wait_minutes: float | None = None


class DetailRide(DownNow):
    ride_id: int
    name: str
    tier: int | None
    weight: int
    downtime_hours: float
    weighted_downtime_hours: float
    uptime_percentage: float | None
    breakdowns: int
    contribution: float = Field(description="the ride's share of the shame score")
    status: str = Field(description="its live state now")


class ExcludedRide(BaseModel):
    ride_id: int
    name: str
    category: str
    last_operated_at: str | None
    reason: str


class TierCount(BaseModel):
    tier: int | None
    weight: int
    rides: int


class ParkDetail(BaseModel):
    park: ParkItem
    local_date: str | None = None
    shame_score: float
    weighted_downtime_hours: float
    weighted_capacity_hours: float
    total_downtime_hours: float
    operating_hours: float
    uptime_percentage: float | None
    rides_down: int
    avg_wait_minutes: float | None
    peak_wait_minutes: float | None
    rides: list[DetailRide]
    excluded_rides: list[ExcludedRide]
    tier_distribution: list[TierCount]
    current_status: ParkStatus
    series: list[dict[str, Any]]


class RosterItem(BaseModel):
    ride_id: int
    name: str
    land: str | None
    category: str
    active: bool
    tier: int | None
    tier_source: str
    weight: int
    eligible: bool
    last_operated_at: str | None
    last_operated_date: str | None
    reason: str | None


class RideNowModel(BaseModel):
    state: str
    status: str | None
    wait_minutes: int | None
    at: str | None


class RideOne(BaseModel):
    ride_id: int
    name: str
    park_id: int
    park_name: str
    land: str | None
    category: str
    active: bool
    tier: int | None
    weight: int
    current_status: RideNowModel


class RideSummary(BaseModel):
    downtime_hours: float
    uptime_percentage: float | None
    avg_wait_minutes: float | None
    peak_wait_minutes: float | None
    breakdowns: int
    longest_outage_minutes: float | None


class EpisodeItem(BaseModel):
    start: str
    end: str
    duration_minutes: float


class RideDetail(BaseModel):
    ride: RideOne
    local_date: str | None = None
    summary: RideSummary
    episodes: list[EpisodeItem]
    series: list[dict[str, Any]]


class SearchHit(BaseModel):
    type: str
    id: int
    name: str
    park_id: int
    park_name: str
    score: float | None = None


class WeatherPoint(BaseModel):
    at: str
    temperature_c: float | None
    precipitation_mm: float | None
    weather_code: int | None
    wind_kmh: float | None


class Forecast(BaseModel):
    issued_at: str | None
    hours: list[WeatherPoint]


class Weather(BaseModel):
    park_id: int
    timezone: str
    observations: list[WeatherPoint]
    forecast: Forecast


class SourceAge(BaseModel):
    source: str
    latest_cycle_at: str | None
    age_seconds: float | None


class JobItem(BaseModel):
    job: str
    started_at: str
    finished_at: str | None
    outcome: str


class OriginSpan(BaseModel):
    origin: str = Field(description="live, replay (recorded feeds), archive or simulated")
    first_cycle_at: str
    latest_cycle_at: str


class ReadReplicaItem(BaseModel):
    replica: str = Field(description="host:port/database of a HOS_READ_DATABASE_URL entry")
    status: str = Field(
        description="ok; lagging (behind by more than one collection interval, or its "
        "replication is not running); unreachable (requests read elsewhere until it answers)"
    )
    replication: str = Field(
        description="as the engine reports it: running, stopped, paused, not_replicating, "
        "or unknown (unreachable, or no privilege to ask)"
    )
    lag_seconds: float | None = Field(
        description="the engine's replication delay: MariaDB Seconds_Behind_Master, "
        "PostgreSQL time since the last replayed commit while WAL waits to be replayed; "
        "null when the engine does not say"
    )
    data_lag_seconds: float | None = Field(
        description="the primary's latest collection cycle minus the replica's: the data "
        "its readers do not see yet; null when either has no cycle or is unreachable"
    )
    latest_cycle_at: str | None = Field(description="the replica's latest cycle (UTC)")
    error: str | None = Field(description="why it is unreachable; null when it answers")


class Health(BaseModel):
    status: str
    database: bool = Field(description="the primary database answers")
    sources: list[SourceAge]
    latest_rollup_date: str | None
    history: list[OriginSpan] = Field(description="where the stored cycles came from")
    jobs: list[JobItem]
    reasons: list[str] = Field(description="why the status is not ok; empty when it is")
    read_replicas: list[ReadReplicaItem] = Field(
        description="each configured read replica (HOS_READ_DATABASE_URL); empty without"
    )


class JobQueued(BaseModel):
    job_id: int = Field(description="the run's id: GET /api/admin/jobs/{job_id} reports it")
    status: str = Field(description="always queued")


class JobProgress(BaseModel):
    done: int
    total: int
    unit: str = Field(description="what is counted, e.g. park-weeks")


class JobStatus(BaseModel):
    job_id: int
    job: str
    status: str = Field(description="queued, running, ok or failed")
    params: dict[str, Any] | None = Field(description="what the job was asked to do")
    progress: JobProgress | None
    started_at: str | None = Field(description="UTC instant; null while queued")
    finished_at: str | None
    duration_ms: int | None
    rows: int | None
    message: str | None = Field(description="the result, or the error of a failed run")


#: The error answers every operation may give, documented once.
ERROR_RESPONSES: dict[int, type[BaseModel]] = {
    400: ErrorResponse,
    404: ErrorResponse,
    429: ErrorResponse,
    500: ErrorResponse,
    503: ErrorResponse,
}


class BreakdownItem(BaseModel):
    started_at: str = Field(description="when the ride was last seen fine (UTC)")
    ended_at: str | None = Field(description="the last down cycle; null when ongoing")
    duration_minutes: float
    outcome: str = Field(description="reopened, park_closed or ongoing")
    kind: str = Field(description="breakdown or opening_delay")
    severity: str = Field(description="minor (< 15 min), moderate (15-60), major (>= 60)")


class Percentiles(BaseModel):
    p25: float | None
    p50: float | None
    p75: float | None
    p90: float | None


class CurvePoint(BaseModel):
    minutes: float
    still_down_percentage: float


class Recovery(BaseModel):
    ride_id: int
    kind: str
    down_for_minutes: float
    within_minutes: float
    breakdowns_considered: int = Field(description="outages of the kind in the last 90 days")
    at_risk: int = Field(description="of those, how many lasted at least down_for")
    enough_history: bool
    chance_back_within_percentage: float | None
    median_remaining_minutes: float | None
    percentiles: Percentiles
    curve: list[CurvePoint]
    reason: str | None = Field(description="why figures are null, with the counts")


class WebhookItem(BaseModel):
    webhook_id: int
    url: str
    format: str
    park_ids: list[int]
    max_tier: int | None
    min_duration_minutes: int
    active: bool
    created_at: str | None
    failing_since: str | None
    disabled_at: str | None
    disabled_reason: str | None


class WebhookAttemptItem(BaseModel):
    delivery_id: str = Field(description="the X-HallOfShame-Delivery header of that POST")
    attempted_at: str | None
    status_code: int | None
    error: str | None
    elapsed_ms: int


class WebhookDeliveryItem(BaseModel):
    event_id: str
    event_type: str
    state: str = Field(description="pending (until a 2xx answer) or delivered")
    attempts: int
    created_at: str | None
    last_attempt_at: str | None
    last_status: int | None
    last_error: str | None
    next_attempt_at: str | None
    delivered_at: str | None
    log: list[WebhookAttemptItem]
