"""Rankings kept ready (``rollups.stored_rankings``) are the rankings a request computes.

Ten simulated days of three parks (one reporting, two inferring; one Disney) are
collected and rolled up as the scheduler does, in a database of their own. After each
kind of change — a live cycle, the clock moving on (within a cycle, past a live cycle's
30 minutes, past a local midnight, to a cycle stored beyond it), a tier change, a ride
renamed, late data, a rollup recomputed, another metrics version — every ranking of
every named period (and the live panel's counts, and every park's details of the closed
periods) answers exactly what it answers
computed from scratch; and once the rankings are kept ready again, each is read from
them. The audit of yesterday (checks and anomalies) likewise, after the rollups.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from hallofshame.api.app import create_app
from hallofshame.config import get_settings, reset_settings
from hallofshame.db import migrate
from hallofshame.db.dialects import recreate_database
from hallofshame.db.engine import make_engine
from hallofshame.db.models import Park, RankingAnswer, RankingRow, Ride, RideDayRollup
from hallofshame.domain.periods import NAMED_PERIODS
from hallofshame.domain.statuses import RideStatus, Source
from hallofshame.ingest.catalog_sync import sync_rides
from hallofshame.ingest.simulate import choose_parks
from hallofshame.ingest.tiers import load_overrides, overrides_path, sync_overrides
from hallofshame.jobs.tasks import (
    audit_job,
    collect_cycle,
    rankings_job,
    recompute,
    scheduled_rollups,
    simulate_history,
)
from hallofshame.metrics.ranking_lists import LISTS
from hallofshame.metrics.stored_rankings import DETAILS_PERIODS
from hallofshame.sources.base import RideReading
from tests.conftest import sibling_url

INTERVAL_S = 900
DAYS = 10
#: Queue-Times ids: Disney Hollywood Studios (ThemeParks.wiki), SeaWorld San Diego and
#: SeaWorld San Antonio (Queue-Times): three zones, both fidelities, one Disney park.
PARKS = (7, 20, 22)
START = datetime(2026, 7, 15, 18, 7, tzinfo=UTC)  # every park open
ENV = {"HOS_COLLECT_INTERVAL": str(INTERVAL_S), "HOS_ENV": "test", "HOS_TIER_RULES": "1"}
ROUTES = {
    "park_downtime": "/api/parks/downtime?{q}",
    "park_waits": "/api/parks/waittimes?{q}",
    "ride_downtime": "/api/rides/downtime?{q}",
    "ride_waits": "/api/rides/waittimes?{q}",
    "live_states": "/api/live/status-summary?{q}",
    "park_details": "/api/parks/{q}",
}


def _at(when: datetime) -> None:
    os.environ["HOS_NOW"] = when.isoformat().replace("+00:00", "Z")
    reset_settings()


@pytest.fixture(scope="module")
def kept(db_url: str) -> Iterator[sessionmaker[Session]]:
    saved = {k: os.environ.get(k) for k in [*ENV, "HOS_NOW", "HOS_METRICS_VERSION"]}
    os.environ.update(ENV)
    _at(START)
    url = sibling_url(db_url, "kept")
    recreate_database(url)
    engine = make_engine(url)
    migrate.upgrade(engine)
    factory = sessionmaker(engine, expire_on_commit=False)
    chosen = [p for p in choose_parks(None) if p.queue_times_id in PARKS]
    try:
        with factory() as session, session.begin():
            load_overrides(session)
        first = datetime.combine(START.date() - timedelta(days=DAYS), datetime.min.time(), UTC)
        # Simulated history up to an hour before the clock, and one cycle beyond it.
        simulate_history(
            factory,
            start=first,
            end=START - timedelta(hours=1),
            interval_s=INTERVAL_S,
            parks=chosen,
        )
        scheduled_rollups(factory)  # as the scheduler: the rankings kept ready after
        yield factory
    finally:
        engine.dispose()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        reset_settings()


def _client(factory: sessionmaker[Session]) -> FlaskClient:
    settings = get_settings().model_copy(update={"env": "test", "cache_enabled": False})
    return create_app(settings, session_factory=factory).test_client()


def _asks(thorough: bool, parks: list[int]) -> list[tuple[str, str]]:
    """(list, query) of every named period: every sort, filter, fidelity and a short
    limit when ``thorough``, the defaults otherwise."""
    out = []
    for ranking in LISTS:
        for period in NAMED_PERIODS:
            queries = [f"period={period}"]
            if thorough:
                queries += [f"period={period}&sort_by={s}" for s in ranking.sorts[1:]]
                queries += [
                    f"period={period}&filter={f}&fidelity={d}"
                    for f in ("all-parks", "disney-universal")
                    for d in ("all", "reported", "inferred")
                ]
                queries += [f"period={period}&limit=2&sort_by={ranking.sorts[-1]}"]
            out += [(ranking.name, q) for q in queries]
    # The live panel's counts, kept with the live rankings.
    out += [("live_states", f"filter={f}") for f in ("all-parks", "disney-universal")]
    if thorough:
        out += [("live_states", f"park_id={p}") for p in parks]
    # Every park's details of the closed periods, kept with their rankings.
    out += [
        ("park_details", f"{p}/details?period={period}")
        for p in parks
        for period in DETAILS_PERIODS
    ]
    return out


def _answers(api: FlaskClient, asks: list[tuple[str, str]]) -> dict[str, tuple[Any, str]]:
    return _fetched(api, [ROUTES[name].format(q=query) for name, query in asks])


def _fetched(api: FlaskClient, urls: list[str]) -> dict[str, tuple[Any, str]]:
    """Each answer (without its generation instant) and how it was answered, by URL."""
    out = {}
    for url in urls:
        response = api.get(url)
        assert response.status_code == 200, (url, response.get_json())
        body = response.get_json()
        body["meta"].pop("generated_at")
        out[url] = (body, response.headers["X-Ranking"])
    return out


def _simulated(factory: sessionmaker[Session]) -> list[int]:
    with factory() as session:
        return list(session.scalars(select(Park.id).where(Park.queue_times_id.in_(PARKS))))


def _forget(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        session.execute(delete(RankingRow))
        session.execute(delete(RankingAnswer))


def _same_as_computed(factory: sessionmaker[Session], *, thorough: bool = False) -> set[str]:
    """Every ranking as shown now equals the ranking computed from scratch; then, kept
    ready again, each is read from the rankings kept and is still the same. Returns the
    sources of what was shown before the rankings were kept again."""
    api = _client(factory)
    asks = _asks(thorough, _simulated(factory))
    shown = _answers(api, asks)
    _forget(factory)
    truth = _answers(api, asks)
    assert {source for _, source in truth.values()} == {"computed"}
    for url, (body, _) in truth.items():
        assert shown[url][0] == body, url
    assert any(body["data"] for body, _ in truth.values())  # not a comparison of nothing
    rankings_job(factory)
    again = _answers(api, asks)
    for url, (body, source) in again.items():
        assert (body, source) == (truth[url][0], "stored"), url
    return {source for _, source in shown.values()}


def test_kept_rankings_are_the_computed_ones_after_every_change(
    kept: sessionmaker[Session], tmp_path: Path
) -> None:
    factory = kept
    # Kept ready by the rollup job: every ranking, filter, fidelity, sort and limit.
    assert _same_as_computed(factory, thorough=True) == {"stored"}

    # Live cycles (the collection job keeps the rankings ready itself).
    now = START
    for _ in range(2):
        now += timedelta(seconds=INTERVAL_S)
        _at(now)
        assert collect_cycle(factory, "sim").cycles == len(PARKS)
    assert _same_as_computed(factory) == {"stored"}

    # The clock moves on within the cycle: nothing changed, nothing is computed.
    _at(now + timedelta(minutes=10))
    assert _same_as_computed(factory) == {"stored"}

    # A new cycle stored but not yet kept: the running periods are computed.
    _at(now + timedelta(seconds=INTERVAL_S))
    collected = collect_cycle_without_keeping(factory)
    assert collected == len(PARKS)
    assert "computed" in _same_as_computed(factory)

    # 31 minutes without a cycle: the live cycles are no longer live.
    now += timedelta(seconds=INTERVAL_S + 31 * 60)
    _at(now)
    assert "computed" in _same_as_computed(factory)

    # A cycle already stored beyond the clock the rankings were kept at (a clock pinned
    # in the past, a host whose clock lags): once the clock reaches it, they are computed.
    _at(now + timedelta(seconds=INTERVAL_S))
    assert collect_cycle_without_keeping(factory) == len(PARKS)
    _at(now + timedelta(minutes=1))
    rankings_job(factory)
    now += timedelta(seconds=INTERVAL_S + 60)
    _at(now)
    assert "computed" in _same_as_computed(factory)

    # A tier changed by the overrides file (the bundled one, and one ride more).
    with factory() as session, session.begin():
        ride = session.scalars(
            select(Ride)
            .where(Ride.queue_times_id.is_not(None), Ride.tier_source != "manual")
            .order_by(Ride.id)
            .limit(1)
        ).one()
        file = tmp_path / "tiers.csv"
        file.write_text(
            overrides_path().read_text()
            + f"queue-times,{ride.queue_times_id},{1 + (ride.tier or 0) % 3},test\n"
        )
        assert sync_overrides(session, file).rides == 1
    assert "computed" in _same_as_computed(factory)

    # A ride renamed upstream (it keeps its history, the rankings show its new name).
    with factory() as session, session.begin():
        ride = session.get_one(Ride, ride.id)
        park = session.get_one(Park, ride.park_id)
        reading = RideReading(
            upstream_id=str(ride.queue_times_id),
            name=ride.name + " Reimagined",
            category=ride.category,
            status=RideStatus.UNKNOWN,
            raw_status=None,
            wait_minutes=None,
            land=ride.land,
        )
        sync_rides(session, park, Source.QUEUE_TIMES, [reading])
    assert "computed" in _same_as_computed(factory)

    # Late data: polls between the stored ones of yesterday, then its rollup redone.
    yesterday = now - timedelta(days=1)
    chosen = [p for p in choose_parks(None) if p.queue_times_id in PARKS]
    simulate_history(
        factory,
        start=yesterday,
        end=yesterday + timedelta(hours=1),
        interval_s=INTERVAL_S // 2,
        parks=chosen,
    )
    assert "computed" in _same_as_computed(factory)
    assert scheduled_rollups(factory) > 0
    assert _same_as_computed(factory) == {"stored"}  # the rollup job kept them ready

    truth_before = _answers(_client(factory), _asks(False, []))
    # A recompute that corrects a rollup (as one of older code would have been): the
    # rankings kept from the wrong rollup are set aside by the recompute's stamp.
    with factory() as session, session.begin():
        wrong = session.scalars(
            select(RideDayRollup)
            .where(RideDayRollup.down_s > 0)
            .order_by(RideDayRollup.local_date.desc(), RideDayRollup.id)
        ).first()
        assert wrong is not None
        wrong.down_s = 0
        day = wrong.local_date
    _forget(factory)
    rankings_job(factory)  # kept from the wrong rollup
    assert _answers(_client(factory), _asks(False, [])) != truth_before
    now += timedelta(seconds=1)
    _at(now)  # a recompute later than the rollup it corrects
    version = get_settings().metrics_version
    recompute(factory, day - timedelta(days=1), day, version=version)
    assert "computed" in _same_as_computed(factory)

    # Past local midnight in every zone: every window rolled over.
    _at(now + timedelta(hours=12))
    assert "computed" in _same_as_computed(factory)

    # Another metrics version: nothing kept for it yet.
    os.environ["HOS_METRICS_VERSION"] = str(get_settings().metrics_version + 1)
    reset_settings()
    assert _same_as_computed(factory) == {"computed"}
    os.environ.pop("HOS_METRICS_VERSION")
    reset_settings()


def collect_cycle_without_keeping(factory: sessionmaker[Session]) -> int:
    """One live cycle stored as the collection job stores it, the rankings not kept."""
    from hallofshame.jobs.collect import collect_once
    from hallofshame.jobs.tasks import make_source

    return collect_once(factory, make_source("sim"), interval_s=INTERVAL_S).cycles


AUDIT = ("/api/audit/checks", "/api/audit/anomalies", "/api/audit/anomalies?severity=critical")


def _audit(api: FlaskClient) -> dict[str, tuple[Any, str]]:
    return _fetched(api, list(AUDIT))


def _audit_as_computed(factory: sessionmaker[Session]) -> set[str]:
    """The audit as shown now equals the audit computed from scratch; returns how what
    was shown was answered."""
    api = _client(factory)
    shown = _audit(api)
    with factory() as session, session.begin():
        kept_ids = select(RankingAnswer.id).where(RankingAnswer.list_name.like("audit%"))
        session.execute(delete(RankingRow).where(RankingRow.answer_id.in_(kept_ids)))
        session.execute(delete(RankingAnswer).where(RankingAnswer.list_name.like("audit%")))
    truth = _audit(api)
    assert {source for _, source in truth.values()} == {"computed"}
    for url, (body, _) in truth.items():
        assert shown[url][0] == body, url
    return {source for _, source in shown.values()}


def test_the_audit_kept_ready_is_the_computed_one(kept: sessionmaker[Session]) -> None:
    factory = kept
    # The morning after (every zone past midnight): yesterday is over everywhere.
    clock = START + timedelta(hours=15)
    _at(clock)
    scheduled_rollups(factory)
    audit_job(factory)
    api = _client(factory)
    shown = _audit(api)
    assert {source for _, source in shown.values()} == {"stored"}
    checks = shown["/api/audit/checks"][0]
    assert checks["meta"]["date"] == (clock - timedelta(days=1)).date().isoformat()
    assert checks["data"] and checks["meta"]["summary_counts"]["pass"] > 0
    assert _audit_as_computed(factory) == {"stored"}
    assert audit_job(factory)  # kept again (the comparison set it aside)
    assert not audit_job(factory)  # and nothing changed since: it holds

    # Late data on that day: the audit kept is set aside until the rollups run again.
    chosen = [p for p in choose_parks(None) if p.queue_times_id in PARKS]
    late = clock - timedelta(hours=20)
    simulate_history(
        factory, start=late, end=late + timedelta(hours=1), interval_s=INTERVAL_S // 2, parks=chosen
    )
    assert _audit_as_computed(factory) == {"computed"}
    assert scheduled_rollups(factory) > 0  # the day rolled up again: its audit kept again
    assert _audit_as_computed(factory) == {"stored"}
    audit_job(factory)

    # A rollup corrected by a recompute: the audit of the wrong rollup is set aside.
    _at(clock + timedelta(seconds=1))
    version = get_settings().metrics_version
    day = (clock - timedelta(days=1)).date()
    recompute(factory, day, day, version=version)
    assert _audit_as_computed(factory) == {"computed"}

    # Early the next UTC day the new default date is not over in the Pacific: nothing is
    # kept for it, and it is computed per request.
    _at(clock + timedelta(hours=16))
    assert (clock + timedelta(hours=16)).date() == clock.date() + timedelta(days=1)
    assert not audit_job(factory)
    assert {source for _, source in _audit(_client(factory)).values()} == {"computed"}
