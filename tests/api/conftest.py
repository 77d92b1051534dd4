"""Fixtures for the HTTP API: an app bound to the test connection, and recorded data.

``populated`` replays one recorded scenario once per module (inside a transaction that
is rolled back at the end) so that the contract tests share it; each request's session
joins that transaction through a savepoint, as the ``session`` fixture does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from hallofshame.api.app import create_app
from hallofshame.config import get_settings, reset_settings
from hallofshame.ingest.pipeline import ingest_lines
from hallofshame.ingest.tiers import load_overrides
from hallofshame.sources.replay import read_replay
from tests.api.quarter import pinned_quarter, quarter  # noqa: F401  (fixtures)
from tests.conftest import SHARED, analyse

SCENARIO_DIR = SHARED / "scenarios"
#: The scenario the contract tests read: one park, every period, breakdowns and waits.
CONTRACT_SCENARIO = SCENARIO_DIR / "01_basic_day_reporting_park"


def load_scenario(session: Session, folder: Path, mp: pytest.MonkeyPatch) -> dict[str, Any]:
    """Replay a scenario as tests/test_scenarios.py does, and pin the clock at its now."""
    meta: dict[str, Any] = json.loads((folder / "scenario.json").read_text())
    mp.setenv("HOS_TIER_RULES", "0")
    mp.setenv("HOS_COLLECT_INTERVAL", str(meta["interval_s"]))
    mp.setenv("HOS_NOW", meta["now"])
    mp.setenv("HOS_ENV", "test")
    reset_settings()
    load_overrides(session, folder / "tiers.csv")
    ingest_lines(
        session, read_replay(folder / "feed.ndjson.gz"), interval_s=meta["interval_s"], version=1
    )
    analyse(session)
    return meta


def joined_factory(conn: Connection) -> sessionmaker[Session]:
    """Sessions whose commits become savepoints of the test's outer transaction."""
    return sessionmaker(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)


def make_app(conn: Connection, **overrides: Any) -> Flask:
    settings = get_settings().model_copy(update={"env": "test", **overrides})
    return create_app(settings, session_factory=joined_factory(conn))


@dataclass
class Populated:
    conn: Connection
    meta: dict[str, Any]
    expected: dict[str, Any]


@pytest.fixture(scope="module")
def populated(engine: Engine) -> Iterator[Populated]:
    conn = engine.connect()
    outer = conn.begin()
    mp = pytest.MonkeyPatch()
    sess = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        meta = load_scenario(sess, CONTRACT_SCENARIO, mp)
        sess.commit()
        expected = json.loads((CONTRACT_SCENARIO / "expected.json").read_text())
        yield Populated(conn, meta, expected)
    finally:
        sess.close()
        outer.rollback()
        conn.close()
        mp.undo()
        reset_settings()


@pytest.fixture
def pinned(populated: Populated, monkeypatch: pytest.MonkeyPatch) -> Populated:
    """Re-pin the clock for this test (other modules may have reset the settings)."""
    monkeypatch.setenv("HOS_NOW", populated.meta["now"])
    monkeypatch.setenv("HOS_COLLECT_INTERVAL", str(populated.meta["interval_s"]))
    monkeypatch.setenv("HOS_TIER_RULES", "0")
    monkeypatch.setenv("HOS_ENV", "test")
    reset_settings()
    return populated


@pytest.fixture
def app(pinned: Populated) -> Iterator[Flask]:
    yield make_app(pinned.conn)
    reset_settings()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def empty_client(session: Session, monkeypatch: pytest.MonkeyPatch) -> FlaskClient:
    """An app over an empty database (the function-scoped, rolled-back session)."""
    monkeypatch.setenv("HOS_ENV", "test")
    reset_settings()
    conn = session.connection()
    return make_app(conn).test_client()
