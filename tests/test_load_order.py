"""Figures never depend on the order data arrived in (REPLAY.md, "Load order").

Each scenario is cut into one file per UTC day (per hour for a feed of one day) and loaded
newest first (what a backfill is), then in a shuffled order; either way every figure of its
``expected.json`` must come out, on every database.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from hallofshame.config import reset_settings
from hallofshame.ingest.pipeline import ingest_lines
from hallofshame.ingest.tiers import prepare_tiers
from hallofshame.sources.replay import ReplayLine, read_replay
from tests.conftest import analyse
from tests.test_scenarios import SCENARIOS, scenario_failures


def files_of(lines: list[ReplayLine]) -> dict[str, list[ReplayLine]]:
    """The feed as one file per UTC day, each in its own line order; a feed of one day as
    one file per UTC hour, so that its order is put to the test too."""
    out: dict[str, list[ReplayLine]] = {}
    for line in lines:
        out.setdefault(line.ts.date().isoformat(), []).append(line)
    if len(out) > 1:
        return out
    out = {}
    for line in lines:
        out.setdefault(line.ts.strftime("%Y-%m-%dT%H"), []).append(line)
    return out


ORDERS = ("newest_first", "shuffled")


@pytest.fixture
def scenario_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("HOS_TIER_RULES", "0")
    reset_settings()
    yield
    reset_settings()


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("folder", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_any_order_of_days_gives_the_expected_figures(
    folder: Path,
    order: str,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
    scenario_settings: None,
) -> None:
    meta = json.loads((folder / "scenario.json").read_text())
    expected: dict[str, Any] = json.loads((folder / "expected.json").read_text())
    monkeypatch.setenv("HOS_COLLECT_INTERVAL", str(meta["interval_s"]))
    monkeypatch.setenv("HOS_TIER_OVERRIDES", str(folder / "tiers.csv"))
    reset_settings()
    prepare_tiers(session)  # what every load does first, as in tests/test_scenarios.py
    files = files_of(list(read_replay(folder / "feed.ndjson.gz")))
    keys = sorted(files, reverse=True)
    if order == "shuffled":
        random.Random(folder.name).shuffle(keys)
    assert len(keys) >= 2, "a feed of one file says nothing about order"
    for key in keys:
        ingest_lines(session, files[key], interval_s=meta["interval_s"], version=1)
    analyse(session)
    failures = scenario_failures(session, expected)
    assert not failures, f"{folder.name} ({order}, days {keys}):\n" + "\n".join(failures)
