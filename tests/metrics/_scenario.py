"""Loading a recorded scenario into the test database (shared by the metrics tests)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from hallofshame.config import reset_settings
from hallofshame.ingest.pipeline import ingest_lines
from hallofshame.ingest.tiers import load_overrides
from hallofshame.sources.replay import read_replay
from tests.conftest import SHARED, analyse

SCENARIOS = SHARED / "scenarios"


def load(session: Session, name: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Replay scenario ``name`` into ``session``; returns its expected.json."""
    folder: Path = SCENARIOS / name
    meta = json.loads((folder / "scenario.json").read_text())
    monkeypatch.setenv("HOS_TIER_RULES", "0")
    monkeypatch.setenv("HOS_COLLECT_INTERVAL", str(meta["interval_s"]))
    reset_settings()
    load_overrides(session, folder / "tiers.csv")
    ingest_lines(
        session, read_replay(folder / "feed.ndjson.gz"), interval_s=meta["interval_s"], version=1
    )
    analyse(session)
    expected: dict[str, Any] = json.loads((folder / "expected.json").read_text())
    return expected
