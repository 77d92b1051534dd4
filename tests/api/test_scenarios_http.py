"""Every recorded scenario through HTTP: the four rankings per period, and each park's
details showing exactly the ranking's shame score.

The scenario is replayed by the ``scenario`` fixture of tests/test_scenarios.py and
compared with its field lists, so the HTTP answers are held to the same expectations
as the metrics layer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy.orm import Session

from hallofshame.config import reset_settings
from tests.api.conftest import make_app
from tests.test_scenarios import (
    LIVE_PARK_FIELDS,
    LIVE_RIDE_FIELDS,
    PARK_RANK_FIELDS,
    PARK_WAIT_FIELDS,
    RIDE_RANK_FIELDS,
    RIDE_WAIT_FIELDS,
    _pick,
    scenario,  # noqa: F401 - the fixture that replays each scenario
)

TABLES = {
    "park_rankings": "/api/parks/downtime",
    "ride_rankings": "/api/rides/downtime",
    "park_wait_rankings": "/api/parks/waittimes",
    "ride_wait_rankings": "/api/rides/waittimes",
}


def period_params(key: str) -> dict[str, str]:
    if key.startswith("custom:"):
        start, end = key.removeprefix("custom:").split("..")
        return {"start": start, "end": end}
    return {"period": key}


def test_scenario_through_http(
    scenario: tuple[Path, dict[str, Any], Session],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder, expected, session = scenario
    monkeypatch.setenv("HOS_NOW", expected["now"])
    monkeypatch.setenv("HOS_ENV", "test")
    reset_settings()
    client = make_app(session.connection()).test_client()
    parks = client.get("/api/parks").json["data"]
    assert parks and expected["periods"]  # else the comparisons below check nothing
    failures: list[str] = []
    for key, exp in expected["periods"].items():
        live = key == "live"
        fields = {
            "park_rankings": LIVE_PARK_FIELDS if live else PARK_RANK_FIELDS,
            "ride_rankings": LIVE_RIDE_FIELDS if live else RIDE_RANK_FIELDS,
            "park_wait_rankings": PARK_WAIT_FIELDS,
            "ride_wait_rankings": RIDE_WAIT_FIELDS,
        }
        params = period_params(key)
        got: dict[str, list[dict[str, Any]]] = {}
        for table, url in TABLES.items():
            response = client.get(f"{url}?{urlencode({**params, 'limit': 200})}")
            assert response.status_code == 200, (key, url, response.json)
            got[table] = response.json["data"]
            want, have = _pick(exp[table], fields[table]), _pick(got[table], fields[table])
            if want != have:
                failures.append(f"{key} {table}:\n  want {want}\n  have {have}")
        ranked = {item["park_id"]: item["shame_score"] for item in got["park_rankings"]}
        for park in parks:
            response = client.get(f"/api/parks/{park['park_id']}/details?{urlencode(params)}")
            assert response.status_code == 200, (key, park["name"], response.json)
            detail = response.json["data"]
            if park["park_id"] in ranked:
                if detail["shame_score"] != ranked[park["park_id"]]:
                    failures.append(
                        f"{key} {park['name']}: details shame {detail['shame_score']} "
                        f"!= ranking {ranked[park['park_id']]}"
                    )
            elif not live and detail["shame_score"] != 0:
                failures.append(f"{key} {park['name']}: unranked but shame {detail['shame_score']}")
    assert not failures, f"{folder.name}:\n" + "\n".join(failures)
