"""The tiers file (REPLAY.md "Tier overrides") reaches the rides through the jobs alone.

Every job that may create or re-key rides brings the configured file into force first
(``ingest.tiers.prepare_tiers``): a row for a ride not yet known waits for it, a bad
file is refused whole, an edited file takes effect at the next job, and since periods
are weighed by the current tier (METRICS.md §1) past figures move with it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from hallofshame import clock
from hallofshame.clock import parse_instant
from hallofshame.config import get_settings, reset_settings
from hallofshame.db.models import JobRun, Park, ParkDayRollup, Ride, TierOverride
from hallofshame.domain.statuses import RideStatus, Source
from hallofshame.domain.tiers import TierFileError
from hallofshame.ingest.catalog_sync import ensure_wiki_park, sync_rides
from hallofshame.ingest.pipeline import ingest_lines
from hallofshame.ingest.tiers import prepare_tiers, sync_overrides
from hallofshame.jobs import tasks
from hallofshame.metrics import audit, rankings
from hallofshame.sources.base import RideReading
from hallofshame.sources.replay import read_replay
from tests.conftest import SHARED
from tests.ingest.test_collector import MK, _serve_good, _source, world  # noqa: F401

SCENARIO = SHARED / "scenarios" / "01_basic_day_reporting_park"
FEED = SCENARIO / "feed.ndjson.gz"
NOW = parse_instant("2026-07-21T19:00:00Z")
YESTERDAY = date(2026, 7, 20)

THUNDER = "e9028e13-c65f-4193-82af-4dd9d46ba887"
PIRATE = "5732c80f-1f13-49b8-86c2-34f9c6ae1e16"
CAROUSEL = "20dec7c6-dc92-42ed-a58c-d6c1f70cb65f"
HAUNTED = "5ec42eff-7094-4168-af66-d702017772a0"
ROCKET = "0b891eb3-ac54-49a4-80bd-aab384432b60"
JUNGLE = "7f0fe0d4-1aa7-41b9-9c52-7094e8901012"
SHOW = "b04df7ce-14ca-447b-ab72-3da11968cb36"
GRILL = "ec1610b3-bcec-4aab-a589-c808b242c01a"
#: The scenario's tiers.csv; Rocket Orbiter, the show and the restaurant are not in it.
SCENARIO_TIERS = {
    THUNDER: 1,
    PIRATE: 2,
    CAROUSEL: 3,
    HAUNTED: 2,
    ROCKET: None,
    JUNGLE: 3,
    SHOW: None,
    GRILL: None,
}

HEADER = "source,upstream_ride_id,tier,reason\n"

TiersFile = Callable[..., Path]


@pytest.fixture
def tiers_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TiersFile]:
    """``write(text, rules=False)``: the configured tiers file now holds ``text``."""
    path = tmp_path / "tiers.csv"

    def write(text: str, *, rules: bool = False) -> Path:
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv("HOS_TIER_OVERRIDES", str(path))
        monkeypatch.setenv("HOS_TIER_RULES", "1" if rules else "0")
        monkeypatch.setenv("HOS_COLLECT_INTERVAL", "300")
        reset_settings()
        return path

    yield write
    reset_settings()
    clock.set_now(None)


def _rows(tiers: dict[str, int]) -> str:
    return HEADER + "".join(f"themeparks.wiki,{rid},{t},test\n" for rid, t in tiers.items())


def _tiers(session: Session) -> dict[str, int | None]:
    return {r.wiki_id: r.tier for r in session.scalars(select(Ride)) if r.wiki_id}


def _overrides(session: Session) -> list[tuple[str, str, int, str | None]]:
    return sorted(
        (o.source, o.upstream_ride_id, o.tier, o.reason)
        for o in session.scalars(select(TierOverride))
    )


def _reading(upstream_id: str, name: str) -> RideReading:
    return RideReading(
        upstream_id=upstream_id,
        name=name,
        category="ATTRACTION",
        status=RideStatus.OPERATING,
        raw_status="OPERATING",
        wait_minutes=None,
    )


def _yesterday(session: Session) -> tuple[float, dict[str, Any]]:
    """The scenario park's shame score yesterday, and its audit trace."""
    version = get_settings().metrics_version
    (row,) = rankings.compute(session, "yesterday", now=NOW, version=version).parks
    trace = audit.explain(
        session, "park", row.park.id, "yesterday", "shame_score", now=NOW, version=version
    )
    return row.figures.shame_score, trace


# --- through the jobs --------------------------------------------------------------


def test_replay_applies_the_file(
    committed_factory: sessionmaker[Session], tiers_file: TiersFile
) -> None:
    tiers_file((SCENARIO / "tiers.csv").read_text(encoding="utf-8"))
    stats = tasks.replay_files(committed_factory, [FEED], interval_s=300)
    assert stats.cycles > 0
    with committed_factory() as s:
        assert _tiers(s) == SCENARIO_TIERS
        sources = {r.wiki_id: r.tier_source for r in s.scalars(select(Ride)) if r.wiki_id}
        assert sources[THUNDER] == "manual" and sources[ROCKET] == "default"
        assert len(_overrides(s)) == 5


def test_a_changed_file_moves_past_figures_at_the_next_job(
    committed_factory: sessionmaker[Session], tiers_file: TiersFile
) -> None:
    tiers_file((SCENARIO / "tiers.csv").read_text(encoding="utf-8"))
    tasks.replay_files(committed_factory, [FEED], interval_s=300)
    clock.set_now(NOW)
    # Yesterday is rolled up: the period is read from the stored daily sums.
    tasks.recompute(committed_factory, YESTERDAY, YESTERDAY, version=1)
    with committed_factory() as s:
        rolled = select(func.count()).where(ParkDayRollup.local_date == YESTERDAY)
        assert s.scalar(rolled) == 1
        before, trace = _yesterday(s)
    # WHY.md: Haunted Hollow (tier 2) down 1 h; Σw = 11 over 12 open hours.
    assert before == pytest.approx(10 * 2 * 3600 / (11 * 43_200))
    assert trace["result"] == pytest.approx(before)

    # Haunted Hollow becomes tier 1 (weight 3); Thunder Run loses its row (tier 1 →
    # unclassified, weight 3 → 2): Σw stays 11.
    tiers_file(_rows({PIRATE: 2, CAROUSEL: 3, HAUNTED: 1, JUNGLE: 3}))
    with committed_factory() as s:
        assert _tiers(s)[HAUNTED] == 2  # nothing moves before a job runs
    again = tasks.replay_files(committed_factory, [FEED], interval_s=300)
    assert again.cycles == 0  # the feed is already stored: only the tiers moved
    clock.set_now(NOW)
    with committed_factory() as s:
        assert _tiers(s) == SCENARIO_TIERS | {HAUNTED: 1, THUNDER: None}
        after, trace = _yesterday(s)
    assert after == pytest.approx(10 * 3 * 3600 / (11 * 43_200))
    assert trace["result"] == pytest.approx(after)
    haunted = [r for r in trace["rides"] if r["down_s"] > 0]
    assert [r["tier"] for r in haunted] == [1]


def test_a_bad_file_fails_the_replay_and_keeps_the_tiers(
    committed_factory: sessionmaker[Session], tiers_file: TiersFile
) -> None:
    tiers_file((SCENARIO / "tiers.csv").read_text(encoding="utf-8"))
    tasks.replay_files(committed_factory, [FEED], interval_s=300)
    path = tiers_file(HEADER + f"themeparks.wiki,{THUNDER},3,\nthemeparks.wiki,{PIRATE},4,\n")
    with pytest.raises(TierFileError) as info:
        tasks.replay_files(committed_factory, [FEED], interval_s=300)
    assert info.value.line_numbers == [3]
    with committed_factory() as s:
        assert _tiers(s) == SCENARIO_TIERS
        assert len(_overrides(s)) == 5
        run = s.scalars(select(JobRun).order_by(JobRun.id.desc())).first()
    assert run is not None and run.outcome == "failed"
    assert run.message is not None and str(path) in run.message and "line 3" in run.message


def test_collect_applies_the_file_and_goes_on_without_a_bad_one(
    world: sessionmaker[Session],  # noqa: F811
    upstream: HTTPServer,
    tiers_file: TiersFile,
) -> None:
    # Against the rules (TRON is a coaster, Dumbo a spinner), to show the file wins.
    tron, dumbo, indiana = (
        "5a43d1a7-ad53-4d25-abfe-25625f0da304",
        "890fa430-89c0-4a3f-96c9-11597888005e",
        326,
    )
    tiers_file(
        HEADER
        + f"themeparks.wiki,{tron},3,file\nthemeparks.wiki,{dumbo},1,file\n"
        + f"queue-times,{indiana},3,file\n",
        rules=True,
    )
    _serve_good(upstream)
    report = tasks.collect_cycle(world, _source(upstream))
    assert report.cycles == 2 and report.tiers_refused is None

    def tiers() -> dict[str | int | None, tuple[int | None, str]]:
        with world() as s:
            return {
                r.wiki_id or r.queue_times_id: (r.tier, r.tier_source)
                for r in s.scalars(select(Ride))
            }

    applied = tiers()
    assert applied[tron] == (3, "manual") and applied[dumbo] == (1, "manual")
    assert applied[indiana] == (3, "manual")

    tiers_file(HEADER + f"themeparks.wiki,{tron},1,\ndisneyland-api,{dumbo},1,\n", rules=True)
    clock.set_now(clock.now() + timedelta(minutes=5))
    report = tasks.collect_cycle(world, _source(upstream))
    assert report.cycles == 2  # the polls are stored all the same
    assert report.tiers_refused is not None and "line 3" in report.tiers_refused
    assert tiers() == applied
    with world() as s:
        collect = select(JobRun).where(JobRun.job == "collect")
        run = s.scalars(collect.order_by(JobRun.id.desc())).first()
    assert run is not None and run.outcome == "ok"
    assert run.message is not None and "unknown source" in run.message


# --- the sync itself -----------------------------------------------------------------


def test_a_row_for_an_unknown_ride_is_applied_when_it_appears(
    session: Session, tiers_file: TiersFile
) -> None:
    later = "11111111-2222-4333-8444-555555555555"
    tiers_file(
        (SCENARIO / "tiers.csv").read_text(encoding="utf-8") + f"themeparks.wiki,{later},1,\n"
    )
    result = prepare_tiers(session)  # no ride is known yet
    assert (result.added, result.rides) == (6, 0)
    ingest_lines(session, read_replay(FEED), interval_s=300, version=1)
    assert _tiers(session) == SCENARIO_TIERS
    park = session.scalars(select(Park)).one()
    readings = [_reading(r.wiki_id or "", r.name) for r in park.rides]
    sync_rides(session, park, Source.THEMEPARKS_WIKI, [*readings, _reading(later, "Newcomer")])
    assert _tiers(session)[later] == 1


def test_a_re_keyed_ride_gets_the_tier_of_its_new_id(
    session: Session, tiers_file: TiersFile
) -> None:
    tiers_file(_rows({"new-id": 3}), rules=True)
    prepare_tiers(session)
    park = ensure_wiki_park(session, "park-1", "Lakeside", "America/New_York")
    sync_rides(session, park, Source.THEMEPARKS_WIKI, [_reading("old-id", "Thunder Run Coaster")])
    (ride,) = park.rides
    assert (ride.tier, ride.tier_source) == (1, "rule")
    result = sync_rides(
        session, park, Source.THEMEPARKS_WIKI, [_reading("new-id", "Thunder Run Coaster")]
    )
    assert [r.new_id for r in result.relinked] == ["new-id"]
    assert (ride.tier, ride.tier_source) == (3, "manual")


@pytest.mark.parametrize(("rules", "fallback"), [(True, (1, "rule")), (False, (None, "default"))])
def test_a_ride_that_loses_its_override_falls_back(
    session: Session, tiers_file: TiersFile, rules: bool, fallback: tuple[int | None, str]
) -> None:
    tiers_file(_rows({"t1": 3, "t2": 2}), rules=rules)
    prepare_tiers(session)
    park = ensure_wiki_park(session, "park-1", "Lakeside", "America/New_York")
    sync_rides(
        session,
        park,
        Source.THEMEPARKS_WIKI,
        [_reading("t1", "Thunder Run Coaster"), _reading("t2", "Pirate Lagoon Voyage")],
    )
    tiers_file(_rows({"t2": 2}), rules=rules)
    result = prepare_tiers(session)
    assert (result.added, result.changed, result.removed, result.rides) == (0, 0, 1, 1)
    by_id = {r.wiki_id: (r.tier, r.tier_source) for r in park.rides}
    assert by_id == {"t1": fallback, "t2": (2, "manual")}


@pytest.mark.parametrize(
    ("bad_line", "problem"),
    [
        (f"themeparks.wiki,{HAUNTED},4,too high\n", "tier must be 1, 2 or 3, got '4'"),
        (f"disneyland-api,{HAUNTED},1,\n", "unknown source 'disneyland-api'"),
    ],
    ids=["tier-4", "unknown-source"],
)
def test_a_bad_file_is_refused_whole(
    session: Session, tiers_file: TiersFile, bad_line: str, problem: str
) -> None:
    tiers_file((SCENARIO / "tiers.csv").read_text(encoding="utf-8"))
    prepare_tiers(session)
    ingest_lines(session, read_replay(FEED), interval_s=300, version=1)
    overrides, tiers = _overrides(session), _tiers(session)
    # Line 2 alone would move Thunder Run; line 3 is bad, so nothing moves.
    path = tiers_file(HEADER + f"themeparks.wiki,{THUNDER},3,\n" + bad_line)
    with pytest.raises(TierFileError) as info:
        prepare_tiers(session)
    assert info.value.line_numbers == [3]
    assert str(path) in str(info.value) and f"line 3: {problem}" in str(info.value)
    assert _overrides(session) == overrides
    assert _tiers(session) == tiers


def test_an_unchanged_file_costs_one_read_and_writes_nothing(
    session: Session, tiers_file: TiersFile
) -> None:
    tiers_file((SCENARIO / "tiers.csv").read_text(encoding="utf-8"))
    prepare_tiers(session)
    ingest_lines(session, read_replay(FEED), interval_s=300, version=1)
    sent: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        sent.append(statement)

    conn = session.connection()
    event.listen(conn, "before_cursor_execute", count)
    try:
        result = prepare_tiers(session)
        session.flush()
    finally:
        event.remove(conn, "before_cursor_execute", count)
    assert result.unchanged and result.overrides == 5
    assert len(sent) == 1 and sent[0].lstrip().upper().startswith("SELECT")
    assert "tier_overrides" in sent[0]


def test_sync_overrides_reads_the_file_it_is_given(
    session: Session, tiers_file: TiersFile, tmp_path: Path
) -> None:
    tiers_file(HEADER)
    other = tmp_path / "other.csv"
    shutil.copy(SCENARIO / "tiers.csv", other)
    assert sync_overrides(session, other).added == 5
    assert prepare_tiers(session).removed == 5  # the configured file is empty
    assert _overrides(session) == []
