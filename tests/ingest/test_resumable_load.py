"""A load longer than any batch, killed part-way (SIGKILL) and run again, ends with the
rows of a load never interrupted; late cycles and a metrics-version switch lose nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hallofshame.clock import parse_instant
from hallofshame.config import reset_settings
from hallofshame.db import migrate
from hallofshame.db.dialects import recreate_database
from hallofshame.db.engine import make_engine
from hallofshame.db.models import Base, Cycle, ParkDayRunning, Ride, RideDayRunning
from hallofshame.ingest.pipeline import ingest_lines
from hallofshame.jobs.tasks import REPLAY_BATCH_LINES
from hallofshame.metrics import present, rankings
from hallofshame.sources.replay import ReplayLine, read_replay
from tests.conftest import SHARED, sibling_url

SCENARIO = SHARED / "scenarios" / "01_basic_day_reporting_park"
#: Tables whose rows are the record of a run, not data: they differ between two loads.
RUN_RECORDS = {"job_runs", "job_locks", "alembic_version"}
#: Rankings kept ready: answers stamped with the cycle ids and instant they were computed
#: at (how many times a load kept them is a record of the run); their equality with the
#: computed rankings is tests/test_rankings_kept.py's.
KEPT_ANSWERS = {"ranking_answers", "ranking_rows"}
#: Columns numbered by the database: a killed transaction may have used some numbers.
NUMBERED = {"id", "cycle_id", "computed_at"}
#: Lines of the long feed: more than a batch (``REPLAY_BATCH_LINES``), so a load is killed
#: with a batch committed and another under way.
LONG = REPLAY_BATCH_LINES * 3 // 2


def long_feed(path: Path, lines: int) -> Path:
    """A real park's live bodies repeated every 5 minutes for ``lines`` polls, with its
    schedule lines where they fall: longer than any batch a load commits."""
    source = list(read_replay(SCENARIO / "feed.ndjson.gz"))
    live = [x for x in source if x.kind == "live"]
    start = live[0].ts
    with path.open("w", encoding="utf-8") as out:
        for i in range(lines):
            template = live[i % len(live)]
            obj = {
                "ts": (start + timedelta(seconds=300 * i)).isoformat(),
                "source": template.source.value,
                "park_id": template.park_id,
                "kind": "live",
                "raw": template.raw,
            }
            out.write(json.dumps(obj) + "\n")
    return path


def _engine(url: str) -> Engine:
    recreate_database(url)
    eng = make_engine(url)
    migrate.upgrade(eng)
    return eng


def dump(eng: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every data table's rows, without the numbers the database hands out."""
    out = {}
    with eng.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in RUN_RECORDS | KEPT_ANSWERS:
                continue
            cols = [c for c in table.columns if c.name not in NUMBERED]
            rows = conn.execute(select(*cols)).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def _replay(url: str, feed: Path, now: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "HOS_DATABASE_URL": url,
        "HOS_COLLECT_INTERVAL": "300",
        "HOS_TIER_RULES": "0",
        "HOS_NOW": now,
    }
    code = "from hallofshame.cli import main; main()"
    return subprocess.Popen(
        [sys.executable, "-c", code, "ingest", "replay", str(feed)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_a_killed_replay_run_again_ends_with_the_rows_of_one_whole_load(
    db_url: str, tmp_path: Path
) -> None:
    feed = long_feed(tmp_path / "long.ndjson", LONG)
    now = "2026-08-10T00:00:00Z"  # after the feed: every day of it has ended
    killed_url, whole_url = sibling_url(db_url, "killed"), sibling_url(db_url, "whole")
    killed, whole = _engine(killed_url), _engine(whole_url)
    try:
        run = _replay(killed_url, feed, now)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and run.poll() is None:
            with killed.connect() as conn:
                if conn.scalar(select(func.count()).select_from(Cycle)):
                    break  # the first batch is committed: stop it in the middle
            time.sleep(0.02)
        assert run.poll() is None, "the load ended before it could be stopped"
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
        with killed.connect() as conn:
            part = conn.scalar(select(func.count()).select_from(Cycle))
        assert 0 < part < LONG
        for url in (killed_url, whole_url):
            done = _replay(url, feed, now)
            _, err = done.communicate(timeout=600)
            assert done.returncode == 0, err.decode()
        assert dump(killed) == dump(whole)
        with whole.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(Cycle)) == LONG
    finally:
        killed.dispose()
        whole.dispose()


def _today(session: Session, now: Any, version: int) -> dict[str, Any]:
    snap = rankings.compute(session, "today", now=now, version=version)
    return {
        snap.rides[f.ride_id].name: present.ride_figures(f)
        for row in snap.parks
        for f in row.figures.rides
    }


def _lines() -> tuple[list[ReplayLine], Any]:
    meta = json.loads((SCENARIO / "scenario.json").read_text())
    return list(read_replay(SCENARIO / "feed.ndjson.gz")), parse_instant(meta["now"])


def _running(session: Session) -> list[tuple[Any, ...]]:
    rows = session.execute(
        select(
            Ride.name,
            RideDayRunning.local_date,
            RideDayRunning.metrics_version,
            RideDayRunning.up_s,
            RideDayRunning.down_s,
            RideDayRunning.capacity_s,
            RideDayRunning.episodes,
            RideDayRunning.longest_outage_s,
        )
        .join(Ride, Ride.id == RideDayRunning.ride_id)
        .order_by(Ride.name, RideDayRunning.local_date, RideDayRunning.metrics_version)
    )
    return [tuple(r) for r in rows]


def test_a_late_cycle_of_today_loses_nothing(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOS_TIER_RULES", "0")
    reset_settings()
    lines, now = _lines()
    live = [i for i, x in enumerate(lines) if x.kind == "live" and x.ts <= now]
    late = live[-20]  # a poll of today, an hour and a half before the latest
    ingest_lines(session, [x for i, x in enumerate(lines) if i != late], interval_s=300, version=1)
    ingest_lines(session, [lines[late]], interval_s=300, version=1)
    got, running = _today(session, now, 1), _running(session)
    session.rollback()
    ingest_lines(session, lines, interval_s=300, version=1)
    assert got == _today(session, now, 1)
    assert running == _running(session) and running
    reset_settings()


def test_a_version_switch_mid_day_loses_nothing(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOS_TIER_RULES", "0")
    reset_settings()
    lines, now = _lines()
    half = len(lines) * 3 // 4
    ingest_lines(session, lines[:half], interval_s=300, version=1)
    # The load names its version; the settings still say 1, and nothing below the load
    # may read them instead (the version was once read deep in the running sums).
    ingest_lines(session, lines[half:], interval_s=300, version=2)
    got = _today(session, now, 2)
    v2 = session.scalar(
        select(func.count()).select_from(ParkDayRunning).where(ParkDayRunning.metrics_version == 2)
    )
    assert v2, "the switched version keeps running sums of today"
    running = [r for r in _running(session) if r[2] == 2]
    session.rollback()
    ingest_lines(session, lines, interval_s=300, version=2)
    assert got == _today(session, now, 2)
    assert any(r[4] for r in running), "someone was down today"
    assert running == [r for r in _running(session) if r[2] == 2]
    reset_settings()


def _simulate(url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "HOS_DATABASE_URL": url, "HOS_NOW": "2026-08-10T15:00:00Z"}
    code = "from hallofshame.cli import main; main()"
    return subprocess.Popen(
        [sys.executable, "-c", code, "simulate", "--parks", "3", "--days", "4"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _simulated(url: str) -> None:
    done = _simulate(url)
    _, err = done.communicate(timeout=600)
    assert done.returncode == 0, err.decode()


@pytest.fixture(scope="module")
def whole_simulation(db_url: str) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
    """The rows of one simulation never interrupted (what each killed run must end with)."""
    url = sibling_url(db_url, "simwhole")
    eng = _engine(url)
    try:
        _simulated(url)
        rows = dump(eng)
    finally:
        eng.dispose()
    assert len(rows["park_day_rollups"]) > 3
    yield rows
    recreate_database(url)


@pytest.mark.parametrize("stage", ["history", "rollups"])
def test_a_killed_simulation_run_again_ends_with_the_rows_of_one_whole_run(
    db_url: str, stage: str, whole_simulation: dict[str, list[tuple[Any, ...]]]
) -> None:
    from hallofshame.db.models import ParkDayRollup

    killed_url = sibling_url(db_url, "simkilled")
    killed = _engine(killed_url)
    watched = Cycle if stage == "history" else ParkDayRollup
    try:
        run = _simulate(killed_url)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and run.poll() is None:
            with killed.connect() as conn:
                if conn.scalar(select(func.count()).select_from(watched)):
                    break  # stop it once it has committed some of this stage
            time.sleep(0.02)
        assert run.poll() is None, f"the simulation ended before its {stage} could be stopped"
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
        _simulated(killed_url)
        assert dump(killed) == whole_simulation
    finally:
        killed.dispose()
