"""Scenario 16 (stay or go, METRICS.md §8) through the HTTP API, on every database.

The feed is replayed as its README says (10-minute interval, no tiers, the clock at the
file's ``now``); then every ride's ``/recovery`` for each kind and ``down_for`` of
``copper_gulch.json`` and its ``/breakdowns`` over the file's start/end window must give
exactly the file's figures.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hallofshame.config import reset_settings
from hallofshame.db.models import Park, Ride
from hallofshame.ingest.pipeline import ingest_lines
from hallofshame.ingest.tiers import prepare_tiers
from hallofshame.sources.replay import read_replay
from tests.api.conftest import make_app
from tests.conftest import SHARED, analyse

FOLDER = SHARED / "scenarios" / "16_stay_or_go"
EXPECTED: dict[str, Any] = json.loads((FOLDER / "copper_gulch.json").read_text())
RECOVERY_FIELDS = (
    "breakdowns_considered",
    "at_risk",
    "enough_history",
    "chance_back_within_percentage",
    "median_remaining_minutes",
    "percentiles",
)


@pytest.fixture
def client(session: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[FlaskClient]:
    monkeypatch.setenv("HOS_TIER_RULES", "0")
    monkeypatch.delenv("HOS_TIER_OVERRIDES", raising=False)
    monkeypatch.setenv("HOS_COLLECT_INTERVAL", str(EXPECTED["interval_s"]))
    monkeypatch.setenv("HOS_NOW", EXPECTED["now"])
    monkeypatch.setenv("HOS_ENV", "test")
    reset_settings()
    prepare_tiers(session)
    ingest_lines(
        session,
        read_replay(FOLDER / EXPECTED["feed"]),
        interval_s=EXPECTED["interval_s"],
        version=1,
    )
    analyse(session)
    yield make_app(session.connection()).test_client()
    reset_settings()


def _ride_ids(session: Session) -> dict[tuple[str, str], int]:
    stmt = select(Park.name, Ride.name, Ride.id).join(Park, Park.id == Ride.park_id)
    rows = session.execute(stmt)
    return {(park, ride): ride_id for park, ride, ride_id in rows}


def _get(client: FlaskClient, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.get_json())
    body: dict[str, Any] = response.get_json()
    return body


def test_copper_gulch(client: FlaskClient, session: Session) -> None:
    ids = _ride_ids(session)
    failures: list[str] = []
    listed: dict[int, dict[str, Any]] = {}
    for kind, by_down_for in EXPECTED["recovery"].items():
        for down_for, parks in by_down_for.items():
            for park, rides in parks.items():
                for ride, want in rides.items():
                    ride_id = ids[(park, ride)]
                    url = f"/api/rides/{ride_id}/recovery?down_for={down_for}&kind={kind}"
                    got = _get(client, url)["data"]
                    for field in RECOVERY_FIELDS:
                        if got[field] != want[field]:
                            failures.append(
                                f"{ride} {kind} down_for={down_for} {field}: "
                                f"{got[field]} != {want[field]}"
                            )
                    if ride_id not in listed:
                        listed[ride_id] = _get(
                            client,
                            f"/api/rides/{ride_id}/breakdowns"
                            f"?start={EXPECTED['start']}&end={EXPECTED['end']}",
                        )
                    body = listed[ride_id]
                    items = body["data"]
                    got_lists = {
                        "outcomes": Counter(i["outcome"] for i in items),
                        "kinds": Counter(i["kind"] for i in items),
                        "severity": Counter(i["severity"] for i in items),
                        "durations_minutes": sorted(i["duration_minutes"] for i in items),
                    }
                    for field, value in got_lists.items():
                        wanted = want[field]
                        if isinstance(wanted, dict):
                            wanted = Counter({k: n for k, n in wanted.items() if n})
                        if value != wanted:
                            failures.append(f"{ride} breakdowns {field}: {value} != {wanted}")
                    meta = body["meta"]
                    if meta["by_kind"] != want["kinds"] or meta["by_severity"] != want["severity"]:
                        failures.append(f"{ride} breakdowns meta: {meta}")
    assert not failures, "\n".join(failures)
