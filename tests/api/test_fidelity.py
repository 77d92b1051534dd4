"""Reported and inferred breakdowns: every park says which it has, and the rankings
filter by it (over the simulated quarter: one reporting park, two inferring ones)."""

from __future__ import annotations

from typing import Any

import pytest

from hallofshame.domain.fidelity import INFERRED, REPORTED
from tests.api.quarter import Quarter

RANKINGS = [
    "/api/parks/downtime",
    "/api/parks/waittimes",
    "/api/rides/downtime",
    "/api/rides/waittimes",
]
WINDOW = "start=2026-01-01&end=2026-03-17"


def _data(q: Quarter, url: str) -> list[dict[str, Any]]:
    response = q.client.get(url)
    assert response.status_code == 200, response.json
    data: list[dict[str, Any]] = response.json["data"]
    return data


def test_every_park_says_how_its_breakdowns_are_known(pinned_quarter: Quarter) -> None:
    q = pinned_quarter
    parks = _data(q, "/api/parks")
    assert {p["park_id"]: p["fidelity"] for p in parks} == {
        pid: REPORTED if reports else INFERRED for pid, reports in q.parks.items()
    }
    for pid, reports in q.parks.items():
        expected = REPORTED if reports else INFERRED
        assert q.client.get(f"/api/parks/{pid}").json["data"]["fidelity"] == expected
        details = q.client.get(f"/api/parks/{pid}/details?{WINDOW}").json["data"]
        assert details["park"]["fidelity"] == expected
        assert q.client.get(f"/api/parks/{pid}/days?days=3").json["meta"]["fidelity"] == expected


@pytest.mark.parametrize("url", RANKINGS)
def test_rankings_filter_by_fidelity(pinned_quarter: Quarter, url: str) -> None:
    q = pinned_quarter
    everything = _data(q, f"{url}?{WINDOW}&limit=200")
    kinds = {i["fidelity"] for i in everything}
    assert kinds == {REPORTED, INFERRED}, "both kinds of park rank over the quarter"
    for fidelity in (REPORTED, INFERRED):
        only = _data(q, f"{url}?{WINDOW}&limit=200&fidelity={fidelity}")
        assert only and {i["fidelity"] for i in only} == {fidelity}
        # The same items in the same order, ranked again among themselves.
        key = "ride_id" if "ride_id" in only[0] else "park_id"
        kept = [i[key] for i in everything if i["fidelity"] == fidelity]
        assert [i[key] for i in only] == kept
        assert [i["rank"] for i in only] == list(range(1, len(only) + 1))
    assert _data(q, f"{url}?{WINDOW}&limit=200&fidelity=all") == everything


@pytest.mark.parametrize("bad", ["reportedd", "ALL", ""])
def test_bad_fidelity_is_a_400_naming_it(pinned_quarter: Quarter, bad: str) -> None:
    response = pinned_quarter.client.get(f"/api/parks/downtime?fidelity={bad}")
    assert response.status_code == 400
    error = response.json["error"]
    assert error["details"]["parameter"] == "fidelity"
    assert error["details"]["allowed"] == ["all", REPORTED, INFERRED]


def test_inferred_parks_report_breakdowns_from_closures(pinned_quarter: Quarter) -> None:
    """A park without DOWN still has breakdowns: closures after operating that day."""
    q = pinned_quarter
    inferred = _data(q, f"/api/rides/downtime?{WINDOW}&limit=200&fidelity={INFERRED}")
    assert sum(r["breakdowns"] for r in inferred) > 0
