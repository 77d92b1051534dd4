"""The recorded scenarios of shared/scenarios, through ingestion and the metrics layer.

Each scenario is replayed into every configured database with its tiers file configured
(``HOS_TIER_OVERRIDES``, no keyword rules) and its collection interval, the clock is
pinned at its ``now``, and every figure of ``expected.json`` is compared after rounding;
rankings are compared in order.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from hallofshame.clock import parse_instant
from hallofshame.config import reset_settings
from hallofshame.ingest.pipeline import ingest_lines
from hallofshame.ingest.tiers import prepare_tiers
from hallofshame.metrics import present, rankings
from hallofshame.sources.replay import read_replay
from tests.conftest import SHARED, analyse

SCENARIOS = sorted(p for p in (SHARED / "scenarios").glob("*") if (p / "expected.json").exists())

PARK_RANK_FIELDS = (
    "rank",
    "name",
    "shame_score",
    "total_downtime_hours",
    "weighted_downtime_hours",
    "uptime_percentage",
    "rides_down",
    "operating_hours",
)
RIDE_RANK_FIELDS = (
    "rank",
    "name",
    "park_name",
    "tier",
    "downtime_hours",
    "uptime_percentage",
    "breakdowns",
    "longest_outage_minutes",
)
PARK_WAIT_FIELDS = ("rank", "name", "avg_wait_minutes", "peak_wait_minutes", "rides_reporting")
RIDE_WAIT_FIELDS = ("rank", "name", "park_name", "tier", "avg_wait_minutes", "peak_wait_minutes")
PARK_FIELDS = (
    "shame_score",
    "total_downtime_hours",
    "weighted_downtime_hours",
    "weighted_capacity_hours",
    "uptime_percentage",
    "rides_down",
    "operating_hours",
    "avg_wait_minutes",
    "peak_wait_minutes",
    "rides_reporting",
)
RIDE_FIELDS = (
    "tier",
    "weight",
    "downtime_hours",
    "uptime_hours",
    "capacity_hours",
    "uptime_percentage",
    "breakdowns",
    "longest_outage_minutes",
    "avg_wait_minutes",
    "peak_wait_minutes",
)
# live: the window is the latest cycle alone; hours and uptime shown are today's.
LIVE_PARK_FIELDS = ("rank", "name", "shame_score", "rides_down")
LIVE_RIDE_FIELDS = ("rank", "name", "park_name", "tier")
LIVE_PARK_DETAIL = (
    "shame_score",
    "rides_down",
    "avg_wait_minutes",
    "peak_wait_minutes",
    "rides_reporting",
)


def _period(key: str) -> Any:
    if key.startswith("custom:"):
        from hallofshame.domain.periods import custom_period

        start, end = key.removeprefix("custom:").split("..")
        return custom_period(start, end)
    return key


def _pick(items: list[dict[str, Any]], fields: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{k: item.get(k) for k in fields} for item in items]


@pytest.fixture(params=SCENARIOS, ids=[p.name for p in SCENARIOS])
def scenario(
    request: pytest.FixtureRequest, session: Session, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, dict[str, Any], Session]:
    folder: Path = request.param
    meta = json.loads((folder / "scenario.json").read_text())
    monkeypatch.setenv("HOS_TIER_OVERRIDES", str(folder / "tiers.csv"))
    monkeypatch.setenv("HOS_TIER_RULES", "0")
    monkeypatch.setenv("HOS_COLLECT_INTERVAL", str(meta["interval_s"]))
    reset_settings()
    # The tiers arrive as in every ingest job: the job's first step brings the
    # configured file into force, then the feed is ingested.
    prepare_tiers(session)
    ingest_lines(
        session, read_replay(folder / "feed.ndjson.gz"), interval_s=meta["interval_s"], version=1
    )
    analyse(session)
    yield folder, json.loads((folder / "expected.json").read_text()), session
    reset_settings()


def test_scenario(scenario: tuple[Path, dict[str, Any], Session]) -> None:
    folder, expected, session = scenario
    failures = scenario_failures(session, expected)
    assert not failures, f"{folder.name}:\n" + "\n".join(failures)


def scenario_failures(session: Session, expected: dict[str, Any]) -> list[str]:
    """Every figure of ``expected.json`` that the stored data does not give."""
    now = parse_instant(expected["now"])
    failures: list[str] = []
    for key, exp in expected["periods"].items():
        period = _period(key)
        snap = rankings.compute(session, period, now=now, version=1)
        live = key == "live"
        got = {
            "park_rankings": [
                present.park_downtime_item(i, r, period)
                for i, r in enumerate(rankings.park_downtime(snap), 1)
            ],
            "ride_rankings": [
                present.ride_downtime_item(i, r, period)
                for i, r in enumerate(rankings.ride_downtime(snap), 1)
            ],
            "park_wait_rankings": [
                present.park_wait_item(i, r) for i, r in enumerate(rankings.park_waits(snap), 1)
            ],
            "ride_wait_rankings": [
                present.ride_wait_item(i, r) for i, r in enumerate(rankings.ride_waits(snap), 1)
            ],
        }
        fields = {
            "park_rankings": LIVE_PARK_FIELDS if live else PARK_RANK_FIELDS,
            "ride_rankings": LIVE_RIDE_FIELDS if live else RIDE_RANK_FIELDS,
            "park_wait_rankings": PARK_WAIT_FIELDS,
            "ride_wait_rankings": RIDE_WAIT_FIELDS,
        }
        for table, names in fields.items():
            want, have = _pick(exp[table], names), _pick(got[table], names)
            if want != have:
                failures.append(f"{key} {table}:\n  want {want}\n  have {have}")
        by_name = {r.park.name: r for r in snap.parks}
        if {p["name"] for p in exp["parks"]} != set(by_name):
            failures.append(
                f"{key} parks: want {[p['name'] for p in exp['parks']]}, have {sorted(by_name)}"
            )
        for park in exp["parks"]:
            row = by_name.get(park["name"])
            if row is None:
                continue
            figures = present.park_figures(row.figures)
            names = LIVE_PARK_DETAIL if live else PARK_FIELDS
            want = {k: park.get(k) for k in names if k in park}
            have = {k: figures.get(k) for k in want}
            if want != have:
                failures.append(f"{key} park {park['name']}:\n  want {want}\n  have {have}")
            if live:
                continue
            rides = {snap.rides[f.ride_id].name: present.ride_figures(f) for f in row.figures.rides}
            for ride in park.get("rides", []):
                have_ride = rides.get(ride["name"], {})
                want_r = {k: ride.get(k) for k in RIDE_FIELDS if k in ride}
                have_r = {k: have_ride.get(k) for k in want_r}
                if want_r != have_r:
                    failures.append(f"{key} ride {ride['name']}:\n  want {want_r}\n  have {have_r}")
    return failures
