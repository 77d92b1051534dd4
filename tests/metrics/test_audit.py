"""Audit: traces reproduce the rankings' numbers; checks and anomalies find real faults."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import update
from sqlalchemy.orm import Session

from hallofshame.clock import parse_instant
from hallofshame.config import get_settings, reset_settings
from hallofshame.db.models import DataQualityIssue, RideDayRollup
from hallofshame.metrics import anomalies, audit, checks, present, rankings
from hallofshame.rollups.daily import rollup_park_days
from tests.metrics import _builder as b
from tests.metrics._scenario import load

PARK_METRICS = (
    "shame_score",
    "total_downtime_hours",
    "weighted_downtime_hours",
    "uptime_percentage",
    "rides_down",
    "operating_hours",
)
RIDE_METRICS = ("downtime_hours", "uptime_percentage", "breakdowns", "longest_outage_minutes")


@pytest.fixture
def dst(session: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Session, Any]]:
    expected = load(session, "02_dst_los_angeles", monkeypatch)
    yield session, expected
    reset_settings()


def test_explain_reproduces_every_ranked_figure(dst: tuple[Session, Any]) -> None:
    session, expected = dst
    now = parse_instant(expected["now"])
    checked = 0
    for period in ("yesterday", "today", "7days", "live"):
        snap = rankings.compute(session, period, now=now, version=1)
        for i, prow in enumerate(rankings.park_downtime(snap), 1):
            item = present.park_downtime_item(i, prow, period)
            for metric in PARK_METRICS:
                trace = audit.explain(
                    session, "park", prow.park.id, period, metric, now=now, version=1
                )
                assert trace["displayed"] == item[metric], (period, metric, trace)
                checked += 1
        for i, rrow in enumerate(rankings.ride_downtime(snap), 1):
            item = present.ride_downtime_item(i, rrow, period)
            for metric in RIDE_METRICS:
                trace = audit.explain(
                    session, "ride", rrow.ride.id, period, metric, now=now, version=1
                )
                assert trace["displayed"] == item[metric], (period, metric, trace)
                checked += 1
        for i, wrow in enumerate(rankings.park_waits(snap), 1):
            item = present.park_wait_item(i, wrow)
            for metric in ("avg_wait_minutes", "peak_wait_minutes"):
                trace = audit.explain(
                    session, "park", wrow.park.id, period, metric, now=now, version=1
                )
                assert trace["displayed"] == item[metric]
                checked += 1
    assert checked > 40
    shame = audit.explain(
        session, "park", snap.parks[0].park.id, "yesterday", "shame_score", now=now, version=1
    )
    # WHY.md of the scenario: 168 000 / 567 000 on the 25-hour day.
    assert shame["inputs"]["weighted_down_s"] * 10 == 168_000
    assert shame["inputs"]["weighted_capacity_s"] == 567_000
    assert shame["displayed"] == 0.3
    with pytest.raises(audit.NotFound):
        audit.explain(session, "ride", 10**9, "today", "downtime_hours", now=now, version=1)


D = date(2026, 6, 20)
NOW = datetime(2026, 6, 22, 16, tzinfo=UTC)


def test_checks_pass_then_catch_a_tampered_rollup(session: Session) -> None:
    p = b.park(session)
    rides = [b.ride(session, p, "Coaster", 1), b.ride(session, p, "Wheel", 3)]
    b.day(session, p, rides, D - timedelta(days=1))
    b.day(session, p, rides, D, b.down_between("Coaster", 10, 12))
    results = checks.checks(session, D, now=NOW, version=1)
    by_name = {r.check: r for r in results if r.park_id == p.id}
    assert by_name["rollup_matches_raw"].status == "skipped"
    assert all(r.status == "pass" for n, r in by_name.items() if n != "rollup_matches_raw")

    rollup_park_days(session, p, D, D, version=1, now=NOW, cap_s=get_settings().span_cap_s)
    by_name = {r.check: r for r in checks.checks(session, D, now=NOW, version=1)}
    assert {r.status for r in by_name.values()} == {"pass"}, by_name

    session.execute(
        update(RideDayRollup)
        .where(RideDayRollup.ride_id == rides[1].id, RideDayRollup.local_date == D)
        .values(up_s=RideDayRollup.up_s - 900)
    )
    by_name = {r.check: r for r in checks.checks(session, D, now=NOW, version=1)}
    assert by_name["rollup_matches_raw"].status == "fail"
    (diff,) = by_name["rollup_matches_raw"].details["diffs"]
    assert diff["ride_id"] == rides[1].id
    assert checks.summary([checks.item(r) for r in by_name.values()])["fail"] == 1


def test_a_bad_day_after_quiet_weeks_is_an_anomaly(session: Session) -> None:
    p = b.park(session)
    coaster, wheel = b.ride(session, p, "Coaster", 1), b.ride(session, p, "Wheel", 3)
    for k in range(10, 0, -1):
        # A little noise: the wheel stops for 15 minutes on odd days.
        fn = b.down_between("Wheel", 12, 12.25) if k % 2 else b.all_up
        b.day(session, p, [coaster, wheel], D - timedelta(days=k), fn)
    b.day(session, p, [coaster, wheel], D, b.down_between("Coaster", 9, 14))
    found = anomalies.anomalies(session, D, now=NOW, version=1)
    kinds = {(a.entity, a.ride.name if a.ride else None): a for a in found}
    assert ("park", None) in kinds and ("ride", "Coaster") in kinds
    assert kinds[("ride", "Coaster")].value == pytest.approx(5.0)
    assert kinds[("ride", "Coaster")].severity == "critical"
    assert ("ride", "Wheel") not in kinds
    quiet = anomalies.anomalies(session, D - timedelta(days=1), now=NOW, version=1)
    assert quiet == []


@given(
    history=st.lists(st.floats(min_value=0, max_value=10), min_size=7, max_size=28),
    shift=st.floats(min_value=-5, max_value=5),
)
def test_robust_z_is_shift_invariant_and_centred(history: list[float], shift: float) -> None:
    med = sorted(history)[len(history) // 2]
    z = anomalies.robust_z(med + 1.0, history, 0.1)
    z_shifted = anomalies.robust_z(med + 1.0 + shift, [h + shift for h in history], 0.1)
    assert z == pytest.approx(z_shifted, abs=1e-6)
    assert anomalies.robust_z(statistics.median(history), history, 0.1) == 0.0
    assert anomalies.severity_of(z) in (None, "warning", "critical")


def test_data_quality_lists_recent_issues(session: Session) -> None:
    now = datetime(2026, 6, 22, 12, tzinfo=UTC)
    for hours_ago, source in ((1, "queue-times"), (5, "themeparks.wiki"), (30, "queue-times")):
        session.add(
            DataQualityIssue(
                detected_at=now - timedelta(hours=hours_ago),
                source=source,
                upstream_park_id="x",
                kind="http_error",
                message="HTTP 503",
            )
        )
    session.flush()
    assert len(audit.data_quality(session, hours_back=24, now=now)) == 2
    recent = audit.data_quality(session, hours_back=24, now=now, source="queue-times")
    assert [i.source for i in recent] == ["queue-times"]
    assert len(audit.data_quality(session, hours_back=48, now=now)) == 3
