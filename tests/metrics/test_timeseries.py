"""Timeseries buckets: DST-true local hours, and buckets that add up to the day."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from hallofshame.clock import parse_instant
from hallofshame.config import get_settings, reset_settings
from hallofshame.db.models import Park
from hallofshame.db.types import UTCDateTime
from hallofshame.domain.localtime import day_bounds
from hallofshame.domain.periods import Bucket, PeriodError, custom_period
from hallofshame.metrics import timeseries
from hallofshame.metrics.windows import period_figures
from hallofshame.rollups.daily import rollup_park_days
from tests.metrics._scenario import load

Expected = dict[str, Any]

HOURLY_FIELDS = (
    "start",
    "local_start",
    "shame_score",
    "total_downtime_hours",
    "weighted_downtime_hours",
    "operating_hours",
    "rides_down",
)


@pytest.fixture
def dst(session: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Session, Expected]]:
    expected = load(session, "02_dst_los_angeles", monkeypatch)
    yield session, expected
    reset_settings()


def _park(session: Session, wiki_id: str) -> Park:
    return session.scalars(select(Park).where(Park.wiki_id == wiki_id)).one()


def test_hourly_buckets_follow_real_local_hours(dst: tuple[Session, Expected]) -> None:
    session, expected = dst
    failures = []
    for day_text, parks in expected["hourly"].items():
        for wiki_id, want in parks.items():
            park = _park(session, wiki_id)
            start, end = day_bounds(date.fromisoformat(day_text), park.timezone)
            s = timeseries.series(session, park, start, end, Bucket.H1, version=1, now=end)
            have = [timeseries.park_bucket_item(s, i) for i in range(len(s))]
            if len(have) != len(want):
                failures.append(f"{day_text}: {len(have)} buckets, want {len(want)}")
                continue
            for w, h in zip(want, have, strict=True):
                w_pick = {k: w[k] for k in HOURLY_FIELDS if k in w}
                h_pick = {k: h[k] for k in w_pick}
                if w_pick != h_pick:
                    failures.append(f"{day_text}:\n  want {w_pick}\n  have {h_pick}")
    assert not failures, "\n".join(failures)


def test_buckets_of_a_day_sum_to_the_day(dst: tuple[Session, Expected]) -> None:
    session, expected = dst
    now = parse_instant(expected["now"])
    park = session.scalars(select(Park)).one()
    # Two of the days come from rollups, the others from raw: both must match the buckets.
    for d in (date(2026, 11, 1), date(2026, 3, 8)):
        rollup_park_days(session, park, d, d, version=1, now=now, cap_s=get_settings().span_cap_s)
    # One replay serves every case: loading the scenario dominates the test's time.
    for day in ("2026-11-01", "2026-03-08", "2026-10-31", "2026-11-02"):
        for bucket in (Bucket.M15, Bucket.H1, Bucket.D1):
            _check_day_sums(session, park, now, date.fromisoformat(day), bucket)


def _check_day_sums(session: Session, park: Park, now: datetime, d: date, bucket: Bucket) -> None:
    start, end = day_bounds(d, park.timezone)
    s = timeseries.series(
        session, park, start, min(end, now + timedelta(seconds=1)), bucket, version=1, now=now
    )
    buckets = [s.park_figures(i) for i in range(len(s))]
    (whole,) = period_figures(session, [park], custom_period(d, d), now, 1)
    day_fig = whole.figures
    assert sum(b.down_s for b in buckets) == day_fig.down_s
    assert sum(b.up_s for b in buckets) == day_fig.up_s
    assert sum(b.weighted_down_s for b in buckets) == day_fig.weighted_down_s
    assert sum(b.weighted_capacity_s for b in buckets) == day_fig.weighted_capacity_s
    assert sum(b.open.open_s for b in buckets) == day_fig.open.open_s
    assert sum(b.wait_n for b in buckets) == day_fig.wait_n
    if bucket is Bucket.D1:
        assert len(buckets) == 1
        assert buckets[0].shame_score == pytest.approx(day_fig.shame_score)


def test_ride_series_shares_cover_observed_time(dst: tuple[Session, Expected]) -> None:
    session, _ = dst
    park = session.scalars(select(Park)).one()
    start, end = day_bounds(date(2026, 11, 1), park.timezone)
    ride_id = next(iter(timeseries.ride_tiers(session, [park.id])))
    s = timeseries.series(session, park, start, end, Bucket.H1, version=1, now=end, ride_id=ride_id)
    assert len(s) == 25
    seen = 0
    for i in range(len(s)):
        item = timeseries.ride_bucket_item(s, i, ride_id)
        st_ = item["status"]
        observed = s.rides[i][ride_id].observed_s if ride_id in s.rides[i] else 0
        assert st_["up_seconds"] + st_["down_seconds"] + st_["other_seconds"] == observed
        assert set(s.rides[i]) <= {ride_id}
        seen += observed or 0
    assert seen > 0


def test_too_many_buckets_is_a_parameter_error() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(PeriodError) as err:
        timeseries.checked_edges(start, start + timedelta(days=30), Bucket.M5, "UTC")
    assert err.value.param == "bucket"
    with pytest.raises(PeriodError):
        timeseries.checked_edges(start, start, Bucket.H1, "UTC")


def test_local_date_times_use_the_park_zone() -> None:
    la = "America/Los_Angeles"
    assert timeseries.parse_instant_param("start", "2026-11-01", la) == datetime(
        2026, 11, 1, 7, tzinfo=UTC
    )
    # 01:30 happens twice on 2026-11-01; the first (PDT) is meant.
    assert timeseries.parse_instant_param("start", "2026-11-01T01:30", la) == datetime(
        2026, 11, 1, 8, 30, tzinfo=UTC
    )
    assert timeseries.parse_instant_param("end", "2026-11-01T09:30:00Z", la) == datetime(
        2026, 11, 1, 9, 30, tzinfo=UTC
    )
    with pytest.raises(PeriodError):
        timeseries.parse_instant_param("start", "yesterday", la)


@given(
    start=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)),
    hours=st.integers(min_value=1, max_value=24 * 20),
    bucket=st.sampled_from([Bucket.M30, Bucket.H1, Bucket.D1]),
    tz=st.sampled_from(["America/Los_Angeles", "Europe/Paris", "Australia/Lord_Howe", "UTC"]),
)
def test_bucket_index_matches_the_edges(
    start: datetime, hours: int, bucket: Bucket, tz: str
) -> None:
    """Every instant of the window falls in exactly the bucket whose edges hold it."""
    t0 = start.replace(tzinfo=UTC)
    edges = timeseries.checked_edges(t0, t0 + timedelta(hours=hours), bucket, tz)
    assert edges[0] <= t0 < edges[1]
    assert edges[-2] < t0 + timedelta(hours=hours) <= edges[-1]
    assert all(a < b for a, b in pairwise(edges))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    offsets=st.lists(st.integers(min_value=0, max_value=3 * 86400 - 1), min_size=1, max_size=20),
    bucket=st.sampled_from([Bucket.M5, Bucket.M30, Bucket.H1]),
)
def test_sql_bucket_index_agrees_with_bisect(
    session: Session, offsets: list[int], bucket: Bucket
) -> None:
    """The CASE tree evaluated by the database puts each instant in its bucket."""
    start = datetime(2026, 11, 1, 7, tzinfo=UTC)  # a 25-hour local day in Los Angeles
    edges = timeseries.checked_edges(
        start, start + timedelta(days=3), bucket, "America/Los_Angeles"
    )
    instants = [start + timedelta(seconds=o) for o in offsets]
    exprs = [timeseries.bucket_of(literal(t, UTCDateTime()), len(edges)) for t in instants]
    stmt = select(*exprs).params(timeseries.edge_values(edges))
    got = list(session.execute(stmt).one())
    assert got == [bisect_right(edges, t) - 1 for t in instants]
