"""The schema, defined once as typed ORM models. Migrations are generated from these.

Conventions:
- every instant is a ``UTCDateTime``; every local calendar day is stored next to the
  instant it was derived from (``local_date`` and ``local_day``, the day number since
  1970-01-01 in the park's own calendar, which makes "D-6 .. D" portable arithmetic);
- park-level and ride-level rows are joined by the collection cycle, never by
  matching timestamps; composite foreign keys make the database itself refuse an
  observation whose cycle and ride belong to different parks.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Double,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.selectable import ScalarSelect

from hallofshame.db.types import BigIntPK, UTCDateTime, bigpk, intpk, name200, utc

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

STATUS_VALUES = "('OPERATING','DOWN','CLOSED','REFURBISHMENT','UNKNOWN')"
SOURCE_VALUES = "('themeparks.wiki','queue-times')"
ORIGIN_VALUES = "('live','replay','archive','simulated')"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Park(Base):
    __tablename__ = "parks"
    __table_args__ = (
        UniqueConstraint("wiki_id"),
        UniqueConstraint("queue_times_id"),
    )

    id: Mapped[intpk]
    name: Mapped[name200]
    wiki_id: Mapped[str | None] = mapped_column(String(64))
    queue_times_id: Mapped[int | None] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(String(64))
    city: Mapped[str | None] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(120))
    country: Mapped[str | None] = mapped_column(String(64))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    operator: Mapped[str | None] = mapped_column(String(120))
    is_disney: Mapped[bool] = mapped_column(Boolean, default=False)
    is_universal: Mapped[bool] = mapped_column(Boolean, default=False)
    # Its feed tells a breakdown (DOWN) from a planned closure (CLOSED).
    reports_down: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    rides: Mapped[list[Ride]] = relationship(back_populates="park")


class Ride(Base):
    __tablename__ = "rides"
    __table_args__ = (
        # Upstream ids are unique within a park; feeds have reused them across parks.
        UniqueConstraint("park_id", "wiki_id"),
        UniqueConstraint("park_id", "queue_times_id"),
        # Target of the composite foreign key that ties an observation to one park.
        UniqueConstraint("id", "park_id"),
        CheckConstraint("tier IS NULL OR tier IN (1, 2, 3)", name="tier_range"),
        CheckConstraint("tier_source IN ('manual','rule','default')", name="tier_source"),
        Index(None, "park_id", "category", "active"),
    )

    id: Mapped[intpk]
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"))
    name: Mapped[name200]
    land: Mapped[str | None] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(32), default="ATTRACTION")
    wiki_id: Mapped[str | None] = mapped_column(String(64))
    queue_times_id: Mapped[int | None] = mapped_column(Integer)
    tier: Mapped[int | None] = mapped_column(SmallInteger)
    tier_source: Mapped[str] = mapped_column(String(16), default="default")
    tier_reason: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    park: Mapped[Park] = relationship(back_populates="rides")


class TierOverride(Base):
    """A hand-made tier; kept even before its ride is known, applied when it appears."""

    __tablename__ = "tier_overrides"
    __table_args__ = (
        UniqueConstraint("source", "upstream_ride_id"),
        CheckConstraint("tier IN (1, 2, 3)", name="tier_range"),
        CheckConstraint(f"source IN {SOURCE_VALUES}", name="source"),
    )

    id: Mapped[intpk]
    source: Mapped[str] = mapped_column(String(32))
    upstream_ride_id: Mapped[str] = mapped_column(String(64))
    tier: Mapped[int] = mapped_column(SmallInteger)
    reason: Mapped[str | None] = mapped_column(String(200))


class Cycle(Base):
    """One poll of one park's live feed at instant ``ts``."""

    __tablename__ = "cycles"
    __table_args__ = (
        UniqueConstraint("park_id", "ts"),
        # Target of the observations' composite foreign key.
        UniqueConstraint("id", "park_id", "ts"),
        Index(None, "park_id", "local_day"),
        Index(None, "ts"),
        # Where each origin's history starts and ends (health, data quality): two seeks.
        Index(None, "origin", "ts"),
        CheckConstraint("span_s > 0", name="span_positive"),
        CheckConstraint(f"source IN {SOURCE_VALUES}", name="source"),
        CheckConstraint(f"origin IN {ORIGIN_VALUES}", name="origin"),
    )

    id: Mapped[bigpk]
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"))
    ts: Mapped[utc]
    span_s: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(32))
    local_date: Mapped[date] = mapped_column(Date)
    local_day: Mapped[int] = mapped_column(Integer)
    park_open: Mapped[bool] = mapped_column(Boolean)
    # How park_open was decided: "schedule" or "heuristic" (METRICS.md §2).
    open_basis: Mapped[str] = mapped_column(String(16))
    rides_seen: Mapped[int] = mapped_column(Integer, default=0)
    # Where the poll came from (``domain.statuses.Origin``): a live poll, a recorded feed,
    # the ThemeParks.wiki archive's log of changes, or the simulator.
    origin: Mapped[str] = mapped_column(String(16), default="live", server_default="live")


class Observation(Base):
    """One ride's state in one cycle."""

    __tablename__ = "observations"
    __table_args__ = (
        ForeignKeyConstraint(
            ["cycle_id", "park_id", "ts"],
            ["cycles.id", "cycles.park_id", "cycles.ts"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(["ride_id", "park_id"], ["rides.id", "rides.park_id"]),
        Index(None, "ride_id", "ts"),
        CheckConstraint(f"status IN {STATUS_VALUES}", name="status"),
        CheckConstraint("wait_minutes IS NULL OR wait_minutes >= 0", name="wait_nonneg"),
    )

    cycle_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    ride_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    park_id: Mapped[int] = mapped_column(Integer)
    ts: Mapped[utc]
    status: Mapped[str] = mapped_column(String(16))
    raw_status: Mapped[str | None] = mapped_column(String(32))
    wait_minutes: Mapped[int | None] = mapped_column(Integer)
    last_updated: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OperatedDay(Base):
    """A ride operated (OPERATING while its park was open) on a local day.

    Derived from observations (and rebuilt from them by the recompute job); kept when
    raw observations are purged, so eligibility stays computable.
    """

    __tablename__ = "operated_days"

    ride_id: Mapped[int] = mapped_column(ForeignKey("rides.id"), primary_key=True)
    local_day: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_operated_at: Mapped[utc]


class ScheduleDay(Base):
    """A local date covered by one fetched schedule (covered with no window = closed).

    Every fetch is kept, not only the latest: a cycle is decided by the latest fetch made
    before it (METRICS.md §2), and a fetch loaded late must not erase the one that decided
    the cycles after it (REPLAY.md, "Load order").
    """

    __tablename__ = "schedule_days"

    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"), primary_key=True)
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    fetched_at: Mapped[utc] = mapped_column(primary_key=True)


class ScheduleWindow(Base):
    __tablename__ = "schedule_windows"
    __table_args__ = (
        Index(None, "park_id", "local_date"),
        CheckConstraint("closing_at > opening_at", name="window_order"),
    )

    id: Mapped[intpk]
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"))
    local_date: Mapped[date] = mapped_column(Date)
    window_type: Mapped[str] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(String(200))
    opening_at: Mapped[utc]
    closing_at: Mapped[utc]
    fetched_at: Mapped[utc]


class RideDayRollup(Base):
    """The additive sums of METRICS.md §3 for one ride and one local day."""

    __tablename__ = "ride_day_rollups"
    __table_args__ = (
        UniqueConstraint("ride_id", "local_date", "metrics_version"),
        Index(None, "park_id", "local_date", "metrics_version"),
        CheckConstraint("down_s <= capacity_s", name="down_within_capacity"),
    )

    id: Mapped[bigpk]
    ride_id: Mapped[int] = mapped_column(ForeignKey("rides.id"))
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"))
    local_date: Mapped[date] = mapped_column(Date)
    metrics_version: Mapped[int] = mapped_column(Integer)
    up_s: Mapped[int] = mapped_column(BigInteger)
    down_s: Mapped[int] = mapped_column(BigInteger)
    capacity_s: Mapped[int] = mapped_column(BigInteger)
    wait_sum: Mapped[int] = mapped_column(BigInteger)
    wait_n: Mapped[int] = mapped_column(Integer)
    wait_max: Mapped[int | None] = mapped_column(Integer)
    operated: Mapped[bool] = mapped_column(Boolean)
    first_operated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    episodes: Mapped[int] = mapped_column(Integer)
    longest_outage_s: Mapped[int | None] = mapped_column(Integer)
    # Σ span of the ride's observations whatever their status; NULL on rows rolled up
    # before revision 0004 (unknown until the day is recomputed).
    observed_s: Mapped[int | None] = mapped_column(BigInteger)
    computed_at: Mapped[utc]


class ParkDayRollup(Base):
    __tablename__ = "park_day_rollups"
    __table_args__ = (
        UniqueConstraint("park_id", "local_date", "metrics_version"),
        Index(None, "computed_at"),  # the latest computation is read by every stamp
    )

    id: Mapped[bigpk]
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"))
    local_date: Mapped[date] = mapped_column(Date)
    metrics_version: Mapped[int] = mapped_column(Integer)
    open_s: Mapped[int] = mapped_column(BigInteger)
    cycles: Mapped[int] = mapped_column(Integer)
    # No weighted sums here: every period is weighed by each ride's current tier
    # (METRICS.md §1), so weights are applied when a figure is read, never stored.
    # Σ span of the day's cycles, open or not; NULL as ``RideDayRollup.observed_s``.
    span_s: Mapped[int | None] = mapped_column(BigInteger)
    # True when the day's outages (``ride_outages``) were derived with it: days rolled
    # up before revision 0009 have none stored, so their outages are read from raw.
    outages: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    computed_at: Mapped[utc]

    @classmethod
    def latest_computation(cls) -> ScalarSelect[datetime]:
        """When rollups were last computed, as a scalar subquery (None before any): what
        the response cache and the rankings kept ready are keyed by, with the facts."""
        return select(func.max(cls.computed_at)).scalar_subquery()


class RideOutage(Base):
    """One outage (METRICS.md §8) of a rolled-up day, kept so that a recovery curve reads
    90 days of outages instead of 90 days of cycles.

    Written with the day's rollup: every outage whose first down cycle lies on that local
    day, followed to when the rollup ran. One still ``ongoing`` then is kept as it was and
    read again from raw (``metrics.outage_history``).
    """

    __tablename__ = "ride_outages"
    __table_args__ = (
        Index(None, "park_id", "local_date", "metrics_version"),
        CheckConstraint("outcome IN ('reopened','park_closed','ongoing')", name="outcome"),
        CheckConstraint("kind IN ('breakdown','opening_delay')", name="kind"),
    )

    ride_id: Mapped[int] = mapped_column(ForeignKey("rides.id"), primary_key=True)
    metrics_version: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_ts: Mapped[utc] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"))
    local_date: Mapped[date] = mapped_column(Date)
    started_at: Mapped[utc]
    last_ts: Mapped[utc]
    duration_s: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))


class RideOutageNow(Base):
    """The live listings' stay-or-go answer for a ride down now, computed after each
    collection (``rollups.outages_now``), so a listing reads it instead of computing it.

    An answer is for the data it was computed from: the park's live cycle (``cycle_ts``),
    the ``data_versions`` counter, the metrics version and the span cap; it is used only
    while all four are still those of the request, the request's clock is not before
    ``as_of`` and its 90-day window still holds the oldest outage the curve rests on
    (``metrics.outage_now.listed``). Anything else is computed, by the same function.
    """

    __tablename__ = "ride_outages_now"
    __table_args__ = (
        CheckConstraint("kind IN ('breakdown','opening_delay')", name="kind"),
        CheckConstraint("chance >= 0 AND chance <= 1", name="chance_is_a_probability"),
    )

    ride_id: Mapped[int] = mapped_column(ForeignKey("rides.id"), primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"))
    cycle_ts: Mapped[utc]
    as_of: Mapped[utc]
    facts_version: Mapped[int] = mapped_column(Integer)
    metrics_version: Mapped[int] = mapped_column(Integer)
    cap_s: Mapped[int] = mapped_column(Integer)
    duration_s: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    #: Back within the listings' 30 minutes; None when the history is too short.
    chance: Mapped[float | None] = mapped_column(Double)
    #: The oldest start among the outages the curve rests on (None: no outage).
    oldest_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RankingAnswer(Base):
    """A ranking kept ready: one list (``metrics.ranking_lists``) of one named period for
    every active park, computed after the data changed (``rollups.stored_rankings``) so
    that a request reads it instead of computing it.

    It is the answer for the data it was computed from, and a request uses it only while
    that is still the request's data (``metrics.stored_rankings``, one rule): the same
    metrics version, ``data_versions`` counter and latest rollup computation; no cycle
    stored after ``cycle_id`` whose instant lies in its windows (up to ``window_end``, or
    up to the request's clock for a running period); and the request's clock in
    [``as_of``, ``valid_until``), before which no window rolls over and no live cycle
    grows stale.
    """

    __tablename__ = "ranking_answers"
    __table_args__ = (UniqueConstraint("list_name", "period", "metrics_version"),)

    id: Mapped[bigpk]
    list_name: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(16))
    metrics_version: Mapped[int] = mapped_column(Integer)
    facts_version: Mapped[int] = mapped_column(BigInteger)
    #: ``max(park_day_rollups.computed_at)`` when it was computed (None: no rollup yet).
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The highest cycle id it has seen (the answer is checked against later ones).
    cycle_id: Mapped[int] = mapped_column(BigInteger)
    as_of: Mapped[utc]
    valid_until: Mapped[utc]
    #: The last instant its windows reach (None: a running period, up to the clock).
    window_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: JSON: per park of the snapshot, its window and its part of the summary.
    parks: Mapped[str] = mapped_column(Text)


class RankingRow(Base):
    """One listed park or ride of a ``RankingAnswer``: its item as the API shows it (JSON,
    without its rank) and its place in the order of each sort of the list."""

    __tablename__ = "ranking_rows"
    __table_args__ = (
        Index(None, "answer_id", "pos0"),
        Index(None, "answer_id", "pos1"),
        Index(None, "answer_id", "pos2"),
        Index(None, "answer_id", "pos3"),
    )

    answer_id: Mapped[int] = mapped_column(
        ForeignKey("ranking_answers.id", ondelete="CASCADE"), primary_key=True
    )
    entity_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    park_id: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    pos0: Mapped[int] = mapped_column(Integer)
    pos1: Mapped[int | None] = mapped_column(Integer)
    pos2: Mapped[int | None] = mapped_column(Integer)
    pos3: Mapped[int | None] = mapped_column(Integer)


class RideSpanRollup(Base):
    """A ride's daily rollups summed over a kept span (a week or a month, ``domain.spans``).

    Rewritten with the days it sums, in their transaction, so it always equals the SUM
    of its days' ``ride_day_rollups``; the primary key clusters a park's span together.
    """

    __tablename__ = "ride_span_rollups"
    __table_args__ = (
        CheckConstraint("last_date >= first_date", name="ordered"),
        CheckConstraint("down_s <= capacity_s", name="down_within_capacity"),
    )

    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"), primary_key=True)
    first_date: Mapped[date] = mapped_column(Date, primary_key=True)
    last_date: Mapped[date] = mapped_column(Date, primary_key=True)
    metrics_version: Mapped[int] = mapped_column(Integer, primary_key=True)
    ride_id: Mapped[int] = mapped_column(ForeignKey("rides.id"), primary_key=True)
    up_s: Mapped[int] = mapped_column(BigInteger)
    down_s: Mapped[int] = mapped_column(BigInteger)
    capacity_s: Mapped[int] = mapped_column(BigInteger)
    wait_sum: Mapped[int] = mapped_column(BigInteger)
    wait_n: Mapped[int] = mapped_column(Integer)
    wait_max: Mapped[int | None] = mapped_column(Integer)
    episodes: Mapped[int] = mapped_column(Integer)
    longest_outage_s: Mapped[int | None] = mapped_column(Integer)
    observed_s: Mapped[int | None] = mapped_column(BigInteger)
    computed_at: Mapped[utc]


class ParkSpanRollup(Base):
    """A park's daily rollups summed over a kept span, with how many days were summed
    (a reader uses the span only when that is every rolled day it would have read)."""

    __tablename__ = "park_span_rollups"
    __table_args__ = (
        CheckConstraint("last_date >= first_date", name="ordered"),
        CheckConstraint("days > 0", name="days_positive"),
    )

    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"), primary_key=True)
    first_date: Mapped[date] = mapped_column(Date, primary_key=True)
    last_date: Mapped[date] = mapped_column(Date, primary_key=True)
    metrics_version: Mapped[int] = mapped_column(Integer, primary_key=True)
    days: Mapped[int] = mapped_column(Integer)
    open_s: Mapped[int] = mapped_column(BigInteger)
    cycles: Mapped[int] = mapped_column(Integer)
    span_s: Mapped[int | None] = mapped_column(BigInteger)
    computed_at: Mapped[utc]


class WeatherObservation(Base):
    __tablename__ = "weather_observations"
    __table_args__ = (UniqueConstraint("park_id", "observed_at"),)

    id: Mapped[bigpk]
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"))
    observed_at: Mapped[utc]
    temperature_c: Mapped[float | None] = mapped_column(Float)
    precipitation_mm: Mapped[float | None] = mapped_column(Float)
    weather_code: Mapped[int | None] = mapped_column(Integer)
    wind_kmh: Mapped[float | None] = mapped_column(Float)


class WeatherForecast(Base):
    __tablename__ = "weather_forecasts"
    __table_args__ = (UniqueConstraint("park_id", "issued_at", "forecast_for"),)

    id: Mapped[bigpk]
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"))
    issued_at: Mapped[utc]
    forecast_for: Mapped[utc]
    temperature_c: Mapped[float | None] = mapped_column(Float)
    precipitation_mm: Mapped[float | None] = mapped_column(Float)
    weather_code: Mapped[int | None] = mapped_column(Integer)
    wind_kmh: Mapped[float | None] = mapped_column(Float)


class DataQualityIssue(Base):
    __tablename__ = "data_quality_issues"
    __table_args__ = (
        # The same problem seen at the same instant is one issue (replays are idempotent).
        UniqueConstraint("source", "upstream_park_id", "kind", "detected_at"),
        Index(None, "detected_at"),
        Index(None, "park_id", "detected_at"),
    )

    id: Mapped[bigpk]
    detected_at: Mapped[utc]
    source: Mapped[str] = mapped_column(String(32))
    park_id: Mapped[int | None] = mapped_column(ForeignKey("parks.id"))
    upstream_park_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(String(500))
    sample: Mapped[str | None] = mapped_column(Text)


class JobRun(Base):
    __tablename__ = "job_runs"
    __table_args__ = (Index(None, "job", "started_at"),)

    id: Mapped[bigpk]
    job: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[utc]
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16), default="running")
    rows: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(String(1000))
    params: Mapped[str | None] = mapped_column(Text)  # a queued job's parameters, JSON
    progress: Mapped[str | None] = mapped_column(String(200))  # JSON: done, total, unit


class RideDayRunning(Base):
    """Today's sums of one ride, kept up to date as cycles arrive (METRICS.md §3).

    The same additive sums as a rollup, plus the length of the episode still open, so a
    new cycle updates the row instead of rescanning the day. Maintained for the current
    metrics version only; a day whose cycles arrived out of order loses its rows and is
    computed from raw instead.
    """

    __tablename__ = "ride_day_running"
    __table_args__ = (Index(None, "park_id", "local_date", "metrics_version"),)

    ride_id: Mapped[int] = mapped_column(ForeignKey("rides.id"), primary_key=True)
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    metrics_version: Mapped[int] = mapped_column(Integer, primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"))
    up_s: Mapped[int] = mapped_column(BigInteger)
    down_s: Mapped[int] = mapped_column(BigInteger)
    capacity_s: Mapped[int] = mapped_column(BigInteger)
    wait_sum: Mapped[int] = mapped_column(BigInteger)
    wait_n: Mapped[int] = mapped_column(Integer)
    wait_max: Mapped[int | None] = mapped_column(Integer)
    episodes: Mapped[int] = mapped_column(Integer)
    longest_outage_s: Mapped[int | None] = mapped_column(Integer)
    open_episode_s: Mapped[int | None] = mapped_column(Integer)
    observations: Mapped[int] = mapped_column(Integer)


class ParkDayRunning(Base):
    __tablename__ = "park_day_running"

    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"), primary_key=True)
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    metrics_version: Mapped[int] = mapped_column(Integer, primary_key=True)
    open_s: Mapped[int] = mapped_column(BigInteger)
    cycles: Mapped[int] = mapped_column(Integer)
    last_ts: Mapped[utc]


class StaleDay(Base):
    """A park's local day whose stored sums were dropped because data it depends on
    arrived late (REPLAY.md, "Load order"): read from raw until the rollup job redoes it."""

    __tablename__ = "stale_days"

    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"), primary_key=True)
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    marked_at: Mapped[utc]


class ArchiveEvent(Base):
    """One change of one entity in the ThemeParks.wiki archive's log (REPLAY.md).

    Kept because the cycles an archive implies depend on every event ever loaded: a day
    loaded later changes the state the following day's first cycles start from.
    """

    __tablename__ = "archive_events"
    __table_args__ = (CheckConstraint(f"status IN {STATUS_VALUES}", name="status"),)

    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_time: Mapped[utc] = mapped_column(primary_key=True)
    name: Mapped[name200]
    status: Mapped[str] = mapped_column(String(16))
    raw_status: Mapped[str | None] = mapped_column(String(32))
    wait_minutes: Mapped[int | None] = mapped_column(Integer)
    has_standby: Mapped[bool] = mapped_column(Boolean, default=False)


class PendingPoll(Base):
    """A recorded live poll of a park not known yet (a Queue-Times park is known from a
    catalog line): kept, and recorded as a cycle when the park appears, so a feed loaded
    before its catalog gives the figures of one loaded after it."""

    __tablename__ = "pending_polls"

    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    upstream_park_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    ts: Mapped[utc] = mapped_column(primary_key=True)
    raw: Mapped[str] = mapped_column(Text)


class DataVersion(Base):
    """A counter bumped whenever stored facts change other than by a new latest cycle
    (late or backfilled data, a tier change): answers cached before it are stale."""

    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)

    @classmethod
    def current(cls) -> ScalarSelect[int]:
        """The counter now, as a scalar subquery (0 before any change): what the response
        cache and the stored stay-or-go answers are keyed by."""
        return select(func.coalesce(func.max(cls.version), 0)).scalar_subquery()


def table_of(model: type[Base]) -> Table:
    """The Core table of a model (for bulk statements that skip ORM bookkeeping)."""
    return cast(Table, model.__table__)


class JobLock(Base):
    """The one run of a job allowed at a time, across processes and hosts.

    Taken by inserting the job's row (the primary key refuses a second holder on every
    database), given back by deleting it. The row is a lease: its holder extends
    ``expires_at`` while it runs (``heartbeat_at`` says when it last did), and a row whose
    lease has run out belongs to a process that died and may be taken over.
    """

    __tablename__ = "job_locks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    run_id: Mapped[int | None] = mapped_column(BigInteger)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[utc]
    heartbeat_at: Mapped[utc]
    expires_at: Mapped[utc]


class JobClaim(Base):
    """One scheduled job's due time, claimed by the scheduler that runs it.

    Every scheduler fires every job at each of its due times; the one whose insert the
    primary key admits runs it, the others stand down. Claims older than a day are
    deleted as new ones are made.
    """

    __tablename__ = "job_claims"

    job: Mapped[str] = mapped_column(String(64), primary_key=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    claimed_at: Mapped[utc]


EVENT_TYPES = "('breakdown.started','breakdown.ended')"
WEBHOOK_FORMATS = "('json','discord','slack')"
DELIVERY_STATES = "('pending','delivered')"


class BreakdownEvent(Base):
    """A breakdown started or ended, seen by a live cycle: the webhooks' outbox.

    Written in the transaction of the cycle that saw it, so an event exists exactly when
    its cycle does; sent later by the webhook job (``jobs.webhooks``), which fans it out to
    the subscriptions (``dispatched_at``). ``event_key`` is the event's public, stable id.
    """

    __tablename__ = "breakdown_events"
    __table_args__ = (
        UniqueConstraint("event_key"),
        # One event of each type per episode (a ride and its first down cycle).
        UniqueConstraint("ride_id", "episode_first_ts", "event_type"),
        ForeignKeyConstraint(["ride_id", "park_id"], ["rides.id", "rides.park_id"]),
        Index(None, "park_id", "episode_first_ts"),
        Index(None, "dispatched_at"),
        CheckConstraint(f"event_type IN {EVENT_TYPES}", name="event_type"),
    )

    id: Mapped[bigpk]
    event_key: Mapped[str] = mapped_column(String(80))
    event_type: Mapped[str] = mapped_column(String(32))
    ride_id: Mapped[int] = mapped_column(Integer)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"))
    episode_first_ts: Mapped[utc]
    occurred_at: Mapped[utc]  # the instant of the cycle that saw it
    payload: Mapped[str] = mapped_column(Text)  # the event's JSON body, as detected
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebhookSubscription(Base):
    """Where to POST breakdown events, which ones, and how to sign them."""

    __tablename__ = "webhook_subscriptions"
    __table_args__ = (
        CheckConstraint(f"body_format IN {WEBHOOK_FORMATS}", name="body_format"),
        CheckConstraint("max_tier IS NULL OR max_tier IN (1, 2, 3)", name="max_tier"),
        CheckConstraint("min_duration_minutes >= 0", name="min_duration"),
    )

    id: Mapped[intpk]
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))
    body_format: Mapped[str] = mapped_column(String(16), default="json")
    max_tier: Mapped[int | None] = mapped_column(SmallInteger)
    min_duration_minutes: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[utc]
    # The first failed attempt of the current run of failures (None after a success).
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disabled_reason: Mapped[str | None] = mapped_column(String(500))


class WebhookSubscriptionPark(Base):
    """A park a subscription is limited to (none listed: every park)."""

    __tablename__ = "webhook_subscription_parks"

    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), primary_key=True
    )
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"), primary_key=True)


class WebhookDelivery(Base):
    """One event owed to one subscription, until a 2xx answer."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id"),
        Index(None, "state", "next_attempt_at"),
        CheckConstraint(f"state IN {DELIVERY_STATES}", name="state"),
        CheckConstraint("attempts >= 0", name="attempts_nonneg"),
    )

    id: Mapped[bigpk]
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    event_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("breakdown_events.id"))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[utc]
    next_attempt_at: Mapped[utc]
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebhookAttempt(Base):
    """One POST of a delivery: what the receiver answered (the delivery log)."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (
        UniqueConstraint("delivery_uuid"),
        Index(None, "delivery_id", "attempted_at"),
    )

    id: Mapped[bigpk]
    delivery_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("webhook_deliveries.id", ondelete="CASCADE")
    )
    # Sent as X-HallOfShame-Delivery: unique per POST, so a receiver can tell a retry of
    # an event (same event id) from a duplicate of one POST.
    delivery_uuid: Mapped[str] = mapped_column(String(36))
    attempted_at: Mapped[utc]
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    elapsed_ms: Mapped[int] = mapped_column(Integer)
