"""Every recorded feed we hold loads through the replay job, on every database, and a
second load of it changes nothing (the scenarios' feeds, the stay-or-go month longer than
any batch, the polls of the real archive example)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hallofshame.config import reset_settings
from hallofshame.db.models import Cycle
from hallofshame.jobs import tasks
from hallofshame.sources.replay import read_replay
from tests.conftest import SHARED
from tests.ingest.test_resumable_load import dump

FEEDS = sorted([*SHARED.glob("scenarios/*/*.ndjson.gz"), *SHARED.glob("data/**/*.ndjson.gz")])


def _interval(feed: Path) -> int:
    meta = feed.parent / "scenario.json"
    if meta.exists():
        return int(json.loads(meta.read_text())["interval_s"])
    return 600  # the archive's polls and the stay-or-go month are 10 minutes apart


def test_the_feeds_are_there() -> None:
    assert len(FEEDS) >= 13, FEEDS


@pytest.mark.parametrize("feed", FEEDS, ids=[f"{p.parent.name}/{p.name}" for p in FEEDS])
def test_every_feed_loads_and_loads_once(
    feed: Path, committed_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOS_TIER_RULES", "0")
    tiers = feed.parent / "tiers.csv"
    if tiers.exists():
        monkeypatch.setenv("HOS_TIER_OVERRIDES", str(tiers))
    reset_settings()
    try:
        lines = sum(1 for _ in read_replay(feed))
        stats = tasks.replay_files(committed_factory, [feed], interval_s=_interval(feed))
        assert stats.lines == lines
        with committed_factory() as s:
            stored = s.scalar(select(func.count()).select_from(Cycle))
        assert stored == stats.cycles > 0
        before = dump(committed_factory.kw["bind"])
        again = tasks.replay_files(committed_factory, [feed], interval_s=_interval(feed))
        assert (again.cycles, again.duplicates) == (0, stats.cycles)
        assert dump(committed_factory.kw["bind"]) == before
    finally:
        reset_settings()
