"""Replays are idempotent; the scheduler runs the jobs on its own."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hallofshame.db.models import Base, Cycle, DataQualityIssue, JobRun
from hallofshame.ingest.quality import record_issue
from hallofshame.jobs import tasks
from hallofshame.jobs.scheduler import build_scheduler
from tests.conftest import SHARED
from tests.ingest.test_collector import DL_LIVE, MK, MK_LIVE, _source, world  # noqa: F401

SCENARIO = SHARED / "scenarios" / "15_failed_and_stale_polls"


def _snapshot(factory: sessionmaker[Session]) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table except job_runs (a replay is itself a recorded job)."""
    out = {}
    with factory() as s:
        for table in Base.metadata.sorted_tables:
            if table.name == "job_runs":
                continue
            out[table.name] = sorted(map(tuple, s.execute(select(table)).all()), key=repr)
    return out


def test_replaying_a_file_twice_changes_nothing(committed_factory: sessionmaker[Session]) -> None:
    feed = SCENARIO / "feed.ndjson.gz"
    first = tasks.replay_files(committed_factory, [feed], interval_s=300)
    assert first.cycles > 0 and first.issues == 3
    before = _snapshot(committed_factory)
    second = tasks.replay_files(committed_factory, [feed], interval_s=300)
    assert second.cycles == 0 and second.duplicates == first.cycles
    assert _snapshot(committed_factory) == before


def test_scheduler_collects_on_its_own(
    world: sessionmaker[Session],  # noqa: F811
    upstream: HTTPServer,
) -> None:
    upstream.expect_request(f"/v1/entity/{MK}/live").respond_with_json(MK_LIVE)
    upstream.expect_request("/parks/16/queue_times.json").respond_with_json(DL_LIVE)
    upstream.expect_request(f"/v1/entity/{MK}/schedule").respond_with_json(
        json.loads(
            (
                SHARED / "data/fixtures/themeparks_wiki/"
                "schedule_magic_kingdom_full_official_sdk_2026-04-14.json"
            ).read_text()
        )
    )
    upstream.expect_request("/meteo/forecast").respond_with_json({"hourly": {"time": []}})
    sched = build_scheduler(world, _source(upstream), collect_every_s=1)
    sched.start()
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with world() as s:
                if (s.scalar(select(func.count()).select_from(Cycle)) or 0) >= 2:
                    break
            time.sleep(0.2)
    finally:
        sched.shutdown(wait=True)
    with world() as s:
        assert s.scalar(select(func.count()).select_from(Cycle)) == 2
        jobs = set(s.scalars(select(JobRun.job).where(JobRun.outcome == "ok")))
    assert "collect" in jobs


def test_a_load_reports_its_data_quality_issues_once(
    committed_factory: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    """Every issue is stored and logged, but a terminal gets one line for the whole load
    (a simulated month recorded hundreds of stale feeds, one warning each)."""
    with caplog.at_level(logging.DEBUG, logger="hallofshame.quality"):
        tasks.replay_files(committed_factory, [SCENARIO / "feed.ndjson.gz"], interval_s=300)
    with committed_factory() as s:
        stored = s.scalar(select(func.count()).select_from(DataQualityIssue))
    mine = [r for r in caplog.records if r.name == "hallofshame.quality"]
    warned = [r.getMessage() for r in mine if r.levelno >= logging.WARNING]
    assert stored and len([r for r in mine if r.levelno == logging.DEBUG]) == stored
    assert len(warned) == 1 and f"{stored} issues in the replayed feeds" in warned[0]
    # Outside a load (a collection cycle), each issue is a warning of its own.
    caplog.clear()
    with committed_factory() as s, s.begin(), caplog.at_level(logging.WARNING):
        record_issue(
            s,
            source="queue-times",
            kind="stale_feed",
            message="stale for the whole park",
            detected_at=datetime(2026, 8, 1, 12, tzinfo=UTC),
            upstream_park_id="16",
        )
    assert [r.getMessage() for r in caplog.records if r.name == "hallofshame.quality"] == [
        "data quality: queue-times 16 stale_feed: stale for the whole park"
    ]
