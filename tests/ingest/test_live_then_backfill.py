"""Live collection of today, then a backfill of the 10 days before it: every figure of
every period equals that of the same polls loaded once in time order."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from hallofshame import clock
from hallofshame.clock import parse_instant
from hallofshame.config import reset_settings
from hallofshame.db import migrate
from hallofshame.db.dialects import recreate_database
from hallofshame.db.engine import make_engine
from hallofshame.ingest.catalog_sync import ensure_wiki_park
from hallofshame.ingest.collector import ParkRef
from hallofshame.jobs import tasks
from hallofshame.jobs.collect import active_parks, collect_once
from hallofshame.metrics import present, rankings
from hallofshame.sources.base import LiveSnapshot
from hallofshame.sources.replay import ReplayLine, read_replay, snapshot_from_line
from tests.conftest import SHARED, sibling_url

FEED = SHARED / "scenarios" / "16_stay_or_go" / "copper_gulch.ndjson.gz"
NOW = parse_instant("2026-10-15T20:00:00Z")
TODAY = parse_instant("2026-10-15T07:00:00Z")  # local midnight in Los Angeles
FIRST = TODAY - timedelta(days=10)
INTERVAL = 600
PERIODS = ("live", "today", "yesterday", "last_week", "last_month", "7days", "30days")


class RecordedSource:
    """The recorded polls as a live upstream: the poll fetched at the asked instant."""

    def __init__(self, lines: list[ReplayLine]) -> None:
        self.by_ts = {line.ts: line for line in lines}

    def live(self, park: ParkRef, at: datetime) -> LiveSnapshot:
        return snapshot_from_line(self.by_ts[at])

    def schedule(self, park: ParkRef, at: datetime) -> None:
        return None

    def weather(self, park: ParkRef, at: datetime) -> None:
        return None

    def directory(self, park: ParkRef, at: datetime) -> list[Any]:
        return []


def _write(path: Path, lines: list[ReplayLine]) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for x in lines:
            obj = {"ts": x.ts.isoformat(), "source": x.source.value, "park_id": x.park_id}
            out.write(json.dumps({**obj, "kind": x.kind, "raw": x.raw}) + "\n")
    return path


def figures(factory: sessionmaker[Session]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with factory() as session:
        for period in PERIODS:
            snap = rankings.compute(session, period, now=NOW, version=1)
            for row in snap.parks:
                out[f"{period} {row.park.name}"] = present.park_figures(row.figures)
                for f in row.figures.rides:
                    name = snap.rides[f.ride_id].name
                    out[f"{period} {row.park.name} / {name}"] = present.ride_figures(f)
    return out


def test_live_today_then_a_backfill_gives_the_in_order_figures(
    db_url: str,
    committed_factory: sessionmaker[Session],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOS_COLLECT_INTERVAL", str(INTERVAL))
    monkeypatch.setenv("HOS_TIER_RULES", "0")
    reset_settings()
    lines = [x for x in read_replay(FEED) if FIRST <= x.ts <= NOW]
    today = [x for x in lines if x.ts >= TODAY and x.kind == "live"]
    before = [x for x in lines if x.ts < TODAY]
    assert len(today) > 50 and len(before) > 1000
    url = sibling_url(db_url, "inorder")
    recreate_database(url)
    engine = make_engine(url)
    migrate.upgrade(engine)
    in_order = sessionmaker(bind=engine, expire_on_commit=False)
    try:
        first = snapshot_from_line(today[0])
        with committed_factory() as s, s.begin():
            ensure_wiki_park(s, first.park_upstream_id, first.park_name, first.timezone)
        source = RecordedSource(today)
        for line in today:  # collected live, one cycle at a time
            clock.set_now(line.ts)
            parks = active_parks(committed_factory, line.ts)
            report = collect_once(committed_factory, source, interval_s=INTERVAL, parks=parks)
            assert report.cycles == 1
        clock.set_now(NOW)
        tasks.replay_files(committed_factory, [_write(tmp_path / "backfill.ndjson", before)])
        tasks.replay_files(in_order, [_write(tmp_path / "all.ndjson", lines)])
        want, have = figures(in_order), figures(committed_factory)
        assert any(v.get("total_downtime_hours") for k, v in want.items() if " / " not in k)
        assert have == want
    finally:
        clock.set_now(None)
        reset_settings()
        engine.dispose()
