"""Trends, charts, heatmaps and awards read the same figures as the rankings."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from hallofshame.db.models import Park, Ride
from hallofshame.domain.periods import Bucket
from hallofshame.metrics import charts, rankings, trends
from tests.metrics import _builder as b

D0 = date(2026, 6, 8)  # a Monday; nothing near a DST change in New York
NOW = datetime(2026, 6, 10, 16, 0, tzinfo=UTC)  # 12:00 EDT on 2026-06-10


def _setup(session: Session, *, worse_yesterday: bool) -> tuple[Park, Ride, Ride]:
    p = b.park(session)
    coaster = b.ride(session, p, "Coaster", 1)
    wheel = b.ride(session, p, "Wheel", 3)
    bad = b.down_between("Coaster", 9, 13)  # 4 of the 8 open hours
    # A ride is eligible only once it has operated; an earlier good day sees to that.
    b.day(session, p, [coaster, wheel], date(2026, 6, 7))
    b.day(session, p, [coaster, wheel], D0, b.all_up if worse_yesterday else bad)
    b.day(session, p, [coaster, wheel], date(2026, 6, 9), bad if worse_yesterday else b.all_up)
    return p, coaster, wheel


@pytest.mark.parametrize("worse", [True, False])
def test_trend_direction_of_parks_and_rides(session: Session, worse: bool) -> None:
    p, coaster, _ = _setup(session, worse_yesterday=worse)
    kind = "declining" if worse else "improving"
    (park_trend,) = trends.trends(session, f"parks-{kind}", "yesterday", now=NOW, version=1)
    assert park_trend.park.id == p.id
    # Park uptime pools its rides' seconds: 12 of 16 ride-hours up = 75 %.
    now_pct, before_pct = (75.0, 100.0) if worse else (100.0, 75.0)
    assert park_trend.uptime_now == pytest.approx(now_pct)
    assert park_trend.uptime_before == pytest.approx(before_pct)
    assert park_trend.uptime_change_pp == pytest.approx(now_pct - before_pct)
    assert park_trend.previous.start_date == D0
    (ride_trend,) = trends.trends(session, f"rides-{kind}", "yesterday", now=NOW, version=1)
    assert ride_trend.ride is not None and ride_trend.ride.id == coaster.id
    assert ride_trend.downtime_hours_now == pytest.approx(4.0 if worse else 0.0)
    other = "improving" if worse else "declining"
    assert trends.trends(session, f"parks-{other}", "yesterday", now=NOW, version=1) == []


def test_a_window_without_an_hour_of_capacity_is_no_trend() -> None:
    assert trends.uptime_change((3000, 0, 3599), (0, 3600, 3600)) is None
    assert trends.uptime_change((3600, 0, 3600), (0, 3600, 3600)) == (100.0, 0.0, 100.0)
    assert trends.uptime_change((0, 0, 7200), (3600, 0, 3600)) is None  # no uptime now


@given(st.floats(min_value=-100, max_value=100, allow_nan=False))
def test_direction_thresholds(change: float) -> None:
    d = trends.direction(change)
    assert (d == "improving") == (change >= 5)
    assert (d == "declining") == (change <= -5)
    assert trends.direction(-change) in {"stable", {"improving": "declining"}.get(d, "improving")}


def test_chart_heatmap_and_awards_follow_the_rankings(session: Session) -> None:
    p, coaster, _ = _setup(session, worse_yesterday=True)
    chart = charts.build_chart(
        session, charts.CHART_METRICS["parks"], "yesterday", now=NOW, version=1
    )
    assert chart.granularity is Bucket.H1
    assert len(chart.labels) == 24 and chart.labels[9] == "09:00"
    (dataset,) = chart.datasets
    # 09:00-10:00: the coaster (weight 3) is down, the wheel (weight 1) is up.
    assert dataset["data"][9] == pytest.approx(10 * 3 * 3600 / (3 * 3600 + 1 * 3600))
    assert dataset["data"][14] == 0.0
    assert dataset["data"][3] == 0.0  # closed: no capacity, score 0

    week = charts.build_chart(session, charts.CHART_METRICS["rides"], "7days", now=NOW, version=1)
    assert week.granularity is Bucket.D1 and len(week.labels) == 7
    assert week.labels[-1] == "2026-06-09"
    assert [d["ride_id"] for d in week.datasets] == [coaster.id]
    assert week.datasets[0]["data"][-1] == 4.0

    hm = charts.heatmap(
        charts.build_chart(
            session, charts.HEATMAP_METRICS["rides-waits"], "yesterday", now=NOW, version=1
        )
    )
    assert hm["unit"] == "minutes" and len(hm["matrix"]) == 2
    assert all(len(row) == len(hm["time_labels"]) for row in hm["matrix"])
    # Coaster first (a tie on 20 min breaks by name); it posts no wait while down.
    assert hm["matrix"][0][10] is None and hm["matrix"][0][14] == 20.0
    assert hm["matrix"][1][10] == 20.0

    snap = rankings.compute(session, "yesterday", now=NOW, version=1)
    assert [r.park.id for r in trends.least_reliable(snap, "parks")] == [p.id]
    assert [r.ride.id for r in trends.least_reliable(snap, "rides")] == [coaster.id]
    assert len(trends.longest_waits(snap, "rides", limit=5)) == 2


def test_park_ride_chart_of_today(session: Session) -> None:
    p, coaster, wheel = _setup(session, worse_yesterday=True)
    b.day(session, p, [coaster, wheel], date(2026, 6, 10), b.down_between("Wheel", 9, 10))
    chart = charts.park_ride_chart(session, p.id, "downtime", "today", now=NOW, version=1)
    # Today runs to now (12:00 local): the buckets stop at the current hour.
    assert len(chart.labels) == 13
    assert [d["label"] for d in chart.datasets] == ["Wheel"]
    assert chart.datasets[0]["data"][9] == 1.0
