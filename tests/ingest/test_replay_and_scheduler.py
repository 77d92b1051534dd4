"""Replays are idempotent; the scheduler runs the jobs on its own."""

from __future__ import annotations

import json
import time

from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hallofshame.db.models import Base, Cycle, JobRun
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
