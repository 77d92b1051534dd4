"""A park's published windows for its local today, through HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from hallofshame.config import reset_settings
from hallofshame.ingest.pipeline import ingest_lines
from hallofshame.sources.replay import read_replay
from tests.api.conftest import make_app
from tests.conftest import SHARED

SCENARIOS = SHARED / "scenarios"


def _client(session: Session, monkeypatch: pytest.MonkeyPatch, folder: str, now: str):  # type: ignore[no-untyped-def]
    ingest_lines(
        session, read_replay(SCENARIOS / folder / "feed.ndjson.gz"), interval_s=300, version=1
    )
    monkeypatch.setenv("HOS_NOW", now)
    monkeypatch.setenv("HOS_ENV", "test")
    reset_settings()
    return make_app(session.connection()).test_client()


def test_todays_windows_in_utc(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    client = _client(session, monkeypatch, "01_basic_day_reporting_park", "2026-07-21T19:00:00Z")
    park = next(
        p for p in client.get("/api/parks").json["data"] if p["name"] == "Lakeshore Kingdom"
    )
    body = client.get(f"/api/parks/{park['park_id']}").json["data"]
    assert body["schedule_date"] == "2026-07-21"
    assert body["schedule"] == [
        {
            "type": "TICKETED_EVENT",
            "description": "Early Entry",
            "opening": "2026-07-21T12:30:00Z",
            "closing": "2026-07-21T13:00:00Z",
        },
        {
            "type": "OPERATING",
            "description": None,
            "opening": "2026-07-21T13:00:00Z",
            "closing": "2026-07-22T01:00:00Z",
        },
    ]
    reset_settings()


def test_no_schedule_is_null_and_a_dark_day_is_empty(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _client(session, monkeypatch, "08_schedule_no_window", "2026-07-21T18:00:00Z")
    park = client.get("/api/parks").json["data"][0]
    assert client.get(f"/api/parks/{park['park_id']}").json["data"]["schedule"] == []
    client = _client(session, monkeypatch, "09_heuristic_no_schedule", "2026-07-21T18:00:00Z")
    for item in client.get("/api/parks").json["data"]:
        if item["name"] != park["name"]:
            assert client.get(f"/api/parks/{item['park_id']}").json["data"]["schedule"] is None
    reset_settings()
