"""Every view of a figure agrees: rollups vs raw, rankings vs details, before vs after a
purge, and a recompute run twice. Over simulated history of a ThemeParks.wiki park and a
Queue-Times park, 41 days, on every configured database."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from hallofshame import clock
from hallofshame.catalog import bundled_parks
from hallofshame.config import get_settings
from hallofshame.db import migrate
from hallofshame.db.dialects import recreate_database
from hallofshame.db.engine import make_engine
from hallofshame.db.models import (
    Cycle,
    Observation,
    Park,
    ParkDayRollup,
    ParkSpanRollup,
    RideDayRollup,
    RideSpanRollup,
)
from hallofshame.domain.localtime import day_number, local_date_of
from hallofshame.domain.periods import resolve
from hallofshame.ingest.collector import park_refs
from hallofshame.ingest.live_sources import SimulatedSource
from hallofshame.ingest.tiers import load_overrides
from hallofshame.jobs import tasks
from hallofshame.jobs.collect import collect_once
from hallofshame.jobs.tasks import simulate_history
from hallofshame.metrics import charts, rankings, timeseries
from hallofshame.metrics.windows import kept_spans, running_days
from tests.conftest import sibling_url

NOW = datetime(2026, 8, 14, 18, 0, tzinfo=UTC)
INTERVAL = 900  # a coarser interval keeps the dataset small; the rules are the same
PERIODS = ("today", "yesterday", "last_week", "last_month", "7days", "30days")
RAW_ONLY = 999  # a metrics version with no rollups: every figure comes from raw


@pytest.fixture(scope="module")
def history(db_url: str) -> Iterator[sessionmaker[Session]]:
    """Built once per database for this module; the purge test runs last."""
    url = sibling_url(db_url, "hist")
    recreate_database(url)
    engine = make_engine(url)
    migrate.upgrade(engine)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    # Two small parks: one ThemeParks.wiki (DOWN, schedules), one Queue-Times (heuristic).
    parks = [
        p for p in bundled_parks() if p.name in ("Animal Kingdom", "Peppa Pig Theme Park Florida")
    ]
    assert len(parks) == 2
    clock.set_now(NOW)
    with factory() as s, s.begin():
        load_overrides(s)
    simulate_history(
        factory, start=NOW - timedelta(days=41), end=NOW, interval_s=INTERVAL, parks=parks
    )
    tasks.rollup_due(factory)
    yield factory
    clock.set_now(None)
    engine.dispose()


def _figures(snap: rankings.Snapshot) -> dict[int, tuple[object, ...]]:
    out = {}
    for row in snap.parks:
        f = row.figures
        rides = tuple(
            sorted(
                (
                    r.ride_id,
                    r.sums.up_s,
                    r.sums.down_s,
                    r.sums.capacity_s,
                    r.sums.wait_sum,
                    r.sums.wait_n,
                    r.sums.wait_max,
                    r.sums.episodes,
                    r.sums.longest_s,
                )
                for r in f.rides
            )
        )
        out[row.park.id] = (
            f.weighted_down_s,
            f.weighted_capacity_s,
            f.up_s,
            f.open.open_s,
            f.open.cycles,
            rides,
        )
    return out


def test_every_view_agrees(history: sessionmaker[Session]) -> None:
    with history() as s:
        parks = list(s.scalars(select(Park).where(Park.active.is_(True))))
        assert parks and s.scalar(select(RideDayRollup.id).limit(1)) is not None
        # Today is read from the running sums kept as cycles arrived (not from raw), so
        # "rolled == raw" below also proves running == raw for today.
        today = {p.id: [local_date_of(NOW, p.timezone)] for p in parks}
        assert set(running_days(s, today, 1, NOW)) == {p.id for p in parks}
        for period in PERIODS:
            rolled = rankings.compute(s, period, now=NOW, version=1)
            raw = rankings.compute(s, period, now=NOW, version=RAW_ONLY)
            assert _figures(rolled) == _figures(raw), period
            ranked = {r.park.id: r.figures.shame_score for r in rankings.park_downtime(rolled)}
            for park in parks:
                detail = rankings.compute(s, period, now=NOW, version=1, park_id=park.id)
                assert _figures(detail)[park.id] == _figures(rolled)[park.id]
                score = detail.parks[0].figures.shame_score
                assert 0.0 <= score <= 10.0
                if park.id in ranked:
                    assert ranked[park.id] == score
            for row in rolled.parks:
                for ride in row.figures.rides:
                    assert ride.sums.down_s <= ride.sums.capacity_s
    # The dataset is not trivial: some downtime somewhere last month.
    with history() as s:
        snap = rankings.compute(s, "last_month", now=NOW, version=1)
        assert any(r.figures.down_s > 0 for r in snap.parks)


def _daily_series(s: Session, park: Park, period: str, version: int) -> list[object]:
    """The park page's series (one bucket per local day) and each ride's, as served."""
    window = resolve(period, NOW, park.timezone)
    series = charts.window_series(s, park, window, version=version, now=NOW)
    items: list[object] = [timeseries.park_bucket_item(series, i) for i in range(len(series))]
    for ride_id in sorted(series.tiers):
        items.extend(timeseries.ride_bucket_item(series, i, ride_id) for i in range(len(series)))
    return items


def test_daily_series_from_rollups_equal_raw(history: sessionmaker[Session]) -> None:
    """Whole complete days come from the rollups, the rest from raw: same buckets; and a
    month of complete days reads no observation at all."""
    from sqlalchemy import event

    engine = history.kw["bind"]
    read: list[str] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if "observations" in statement:
            read.append(statement)

    with history() as s:
        parks = list(s.scalars(select(Park).where(Park.active.is_(True))))
        assert parks
        for period in ("last_week", "last_month"):
            for park in parks:
                event.listen(engine, "before_cursor_execute", capture)
                try:
                    rolled = _daily_series(s, park, period, 1)
                finally:
                    event.remove(engine, "before_cursor_execute", capture)
                assert read == [], (period, park.name)
                assert rolled == _daily_series(s, park, period, RAW_ONLY), (period, park.name)
                scores = [i["shame_score"] for i in rolled if isinstance(i, dict) and "cycles" in i]
                assert len(scores) == resolve(period, NOW, park.timezone).day_count
                assert any(scores)


def _rollup_rows(factory: sessionmaker[Session]) -> list[tuple[object, ...]]:
    with factory() as s:
        rows = s.scalars(select(RideDayRollup)).all()
        return sorted(
            (
                r.ride_id,
                r.local_date,
                r.metrics_version,
                r.up_s,
                r.down_s,
                r.capacity_s,
                r.wait_sum,
                r.wait_n,
                r.wait_max,
                r.operated,
                r.first_operated_at,
                r.episodes,
                r.longest_outage_s,
            )
            for r in rows
        )


def _span_rows(factory: sessionmaker[Session]) -> list[tuple[object, ...]]:
    """Every kept week and month sum, ride and park rows, without their timestamps."""
    out: list[tuple[object, ...]] = []
    with factory() as s:
        for model in (RideSpanRollup, ParkSpanRollup):
            cols = [c for c in model.__table__.columns if c.name != "computed_at"]
            out.extend(tuple(row) for row in s.execute(select(*cols)))
    return sorted(out, key=repr)


def _rolled(s: Session, wanted: dict[int, list[date]]) -> dict[int, set[date]]:
    return {
        pid: set(
            s.scalars(
                select(ParkDayRollup.local_date).where(
                    ParkDayRollup.park_id == pid,
                    ParkDayRollup.metrics_version == 1,
                    ParkDayRollup.local_date.in_(days),
                )
            )
        )
        for pid, days in wanted.items()
    }


def test_kept_spans_stand_for_their_days(history: sessionmaker[Session]) -> None:
    """Each kept week and month is the SUM of its days' rollups; periods read them; and a
    span whose days no longer match what it summed is not read (the days are)."""
    with history() as s:
        parks = list(s.scalars(select(Park).where(Park.active.is_(True))))
        spans = s.scalars(select(RideSpanRollup)).all()
        assert {(r.first_date, r.last_date) for r in spans} >= {
            (date(2026, 7, 1), date(2026, 7, 31)),
            (date(2026, 8, 2), date(2026, 8, 8)),
        }
        for span in spans:
            days = s.scalars(
                select(RideDayRollup).where(
                    RideDayRollup.ride_id == span.ride_id,
                    RideDayRollup.metrics_version == span.metrics_version,
                    RideDayRollup.local_date.between(span.first_date, span.last_date),
                )
            ).all()
            assert span.down_s == sum(d.down_s for d in days)
            assert span.capacity_s == sum(d.capacity_s for d in days)
            assert span.episodes == sum(d.episodes for d in days)
            assert span.wait_max == max(
                (d.wait_max for d in days if d.wait_max is not None), default=None
            )
        for period in ("last_week", "last_month"):
            windows = {p.id: resolve(period, NOW, p.timezone) for p in parks}
            wanted = {pid: w.days for pid, w in windows.items()}
            kept = kept_spans(s, wanted, _rolled(s, wanted), {}, 1)
            assert all(k is not None for ks in kept.values() for k in ks.values())
            assert {pid: len(ks) for pid, ks in kept.items()} == {p.id: 1 for p in parks}, period
        # One July day loses its rollup behind the writer's back: July is read day by day,
        # that day from raw, and the month still agrees with raw.
        park = parks[0]
        s.execute(
            delete(ParkDayRollup).where(
                ParkDayRollup.park_id == park.id, ParkDayRollup.local_date == date(2026, 7, 20)
            )
        )
        s.execute(
            delete(RideDayRollup).where(
                RideDayRollup.park_id == park.id, RideDayRollup.local_date == date(2026, 7, 20)
            )
        )
        window = resolve("last_month", NOW, park.timezone)
        wanted = {park.id: window.days}
        assert kept_spans(s, wanted, _rolled(s, wanted), {}, 1) == {}
        rolled_month = rankings.compute(s, "last_month", now=NOW, version=1)
        raw = rankings.compute(s, "last_month", now=NOW, version=RAW_ONLY)
        assert _figures(rolled_month) == _figures(raw)
        s.rollback()


def test_recompute_is_idempotent(history: sessionmaker[Session]) -> None:
    before = _rollup_rows(history)
    spans = _span_rows(history)
    assert spans
    first, last = min(r[1] for r in before), max(r[1] for r in before)
    tasks.recompute(history, first, last, version=1)
    once = _rollup_rows(history)
    tasks.recompute(history, first, last, version=1)
    assert _rollup_rows(history) == once == before
    assert _span_rows(history) == spans
    tasks.recompute(history, first, last, version=2)  # versions coexist
    rows = _rollup_rows(history)
    assert len(rows) == 2 * len(once)
    assert [r[:2] + r[3:] for r in rows if r[2] == 2] == [r[:2] + r[3:] for r in once]


def test_overlapping_recomputes_at_once_leave_the_same_rows(
    history: sessionmaker[Session],
) -> None:
    """Two recomputes of overlapping ranges started together (as from two processes, each
    with its own worker threads): no duplicate, no lost row, the same rollups."""
    before = _rollup_rows(history)
    spans = _span_rows(history)
    first, last = min(r[1] for r in before), max(r[1] for r in before)
    middle = first + (last - first) / 2
    start = threading.Barrier(2)

    def run(a: date, b: date) -> None:
        start.wait()
        tasks.recompute(history, a, b, version=1)

    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = [pool.submit(run, first, middle + timedelta(days=3)), pool.submit(run, middle, last)]
        for job in jobs:
            job.result()
    assert _rollup_rows(history) == before
    assert _span_rows(history) == spans


def test_collection_during_a_recompute_loses_nothing(history: sessionmaker[Session]) -> None:
    """The scheduler collects while an operator recomputes every day: each new cycle is
    stored once and whole, and the recomputed rollups are the same as before."""
    before = _rollup_rows(history)
    first, last = min(r[1] for r in before), max(r[1] for r in before)
    with history() as s:
        simulated = set(s.scalars(select(RideDayRollup.park_id).distinct()))
        parks = [ref for ref in park_refs(s) if ref.id in simulated]
        cycles_before = s.scalar(select(func.count()).select_from(Cycle))
    assert len(parks) == 2
    instants = [NOW + timedelta(minutes=5 * k) for k in range(3)]  # today: not recomputed
    start = threading.Barrier(2)

    def recompute() -> None:
        start.wait()
        tasks.recompute(history, first, last, version=1)

    def collect() -> list[int]:
        start.wait()
        stored = []
        for at in instants:
            clock.set_now(at)
            report = collect_once(history, SimulatedSource(), interval_s=INTERVAL, parks=parks)
            stored.append(report.cycles)
        return stored

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            done = pool.submit(recompute)
            collected = pool.submit(collect).result()
            done.result()
    finally:
        clock.set_now(NOW)
    assert collected == [2, 2, 2]  # both parks, every instant
    assert _rollup_rows(history) == before
    with history() as s:
        new = s.execute(
            select(Cycle.id, Cycle.park_id, Cycle.ts, Cycle.rides_seen).where(Cycle.ts >= NOW)
        ).all()
        counts = dict(
            s.execute(
                select(Observation.cycle_id, func.count())
                .where(Observation.cycle_id.in_([c.id for c in new]))
                .group_by(Observation.cycle_id)
            ).all()
        )
        total = s.scalar(select(func.count()).select_from(Cycle))
    assert total == cycles_before + 6 == cycles_before + len(new)
    assert len({(c.park_id, c.ts) for c in new}) == 6
    assert all(counts.get(c.id, 0) == c.rides_seen > 0 for c in new)  # each cycle whole


def _observation_scans(plan: object) -> list[str]:
    """Every way the plan reads ``observations``: MariaDB's and PostgreSQL's JSON plans,
    SQLite's detail lines; each as "<access> <index>"."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("table_name") == "observations":  # MariaDB
                found.append(f"{node.get('access_type')} {node.get('key')}")
            if node.get("Relation Name") == "observations":  # PostgreSQL
                found.append(f"{node.get('Node Type')} {node.get('Index Name')}")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):  # SQLite: "SEARCH observations USING INDEX …"
            words = node.split()
            if words[:1] in (["SCAN"], ["SEARCH"]) and words[1:2] == ["observations"]:
                found.append(f"{words[0]} {' '.join(words[2:])}")

    walk(plan)
    return found


def test_critical_queries_use_the_composite_indexes(history: sessionmaker[Session]) -> None:
    """The statements that today, yesterday, live, a one-day timeseries, the ride page and
    the nightly rollup really send: none reads ``observations`` by a full scan."""
    from sqlalchemy import event

    from hallofshame.db.dialects import explain
    from hallofshame.metrics import live, timeseries
    from hallofshame.metrics.classify import Scope
    from hallofshame.metrics.episodes import list_episodes
    from hallofshame.rollups.daily import rollup_park_days

    engine = history.kw["bind"]
    sent: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if "observations" in statement and statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with history() as s:
            parks = list(s.scalars(select(Park).order_by(Park.id)))
            park = parks[0]
            rankings.compute(s, "yesterday", now=NOW, version=RAW_ONLY)
            rankings.compute(s, "today", now=NOW, version=RAW_ONLY)
            live.ride_states(s, parks, NOW)
            timeseries.series(s, park, NOW - timedelta(days=1), NOW, "15m", version=1, now=NOW)
            ride_id = s.scalar(select(RideDayRollup.ride_id).where(RideDayRollup.down_s > 0))
            day = local_date_of(NOW, park.timezone)
            week = tuple(range(day_number(day) - 6, day_number(day) + 1))
            list_episodes(s, Scope(days={park.id: week}, ride_id=ride_id))
            before = day - timedelta(days=2)
            rollup_park_days(
                s,
                park,
                before,
                before,
                version=RAW_ONLY,
                now=NOW,
                cap_s=get_settings().span_cap_s,
            )
            s.rollback()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(sent) >= 6
    with engine.connect() as conn:
        for statement, parameters in sent:
            # PostgreSQL prices this small dataset's observations as cheaper to scan whole;
            # with sequential scans priced out its plan shows whether an index serves.
            scans = _observation_scans(explain(conn, statement, parameters, index_paths=True))
            assert scans, statement
            # MariaDB ALL/index and PostgreSQL Seq Scan read every row; SQLite's SCAN
            # (without a covering index's row filter) does too.
            bad = [x for x in scans if x.split()[0] in ("ALL", "index", "Seq", "SCAN")]
            assert not bad, f"{bad} in {statement}"


def test_http_ranking_details_and_explain_agree(
    history: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the API, on the simulated history: the ranking's shame = the park details'
    = the audit trace's, and a ride's ranked downtime = its details' downtime."""
    from hallofshame.config import reset_settings
    from tests.api.conftest import make_app

    monkeypatch.setenv("HOS_NOW", NOW.isoformat().replace("+00:00", "Z"))
    monkeypatch.setenv("HOS_CACHE_ENABLED", "0")
    reset_settings()
    engine = history.kw["bind"]
    with engine.connect() as conn:
        client = make_app(conn).test_client()
        parks = [p["park_id"] for p in client.get("/api/parks").json["data"]]
        checked = rides_checked = 0
        for period in (*PERIODS, "live"):
            ranked = {
                r["park_id"]: r["shame_score"]
                for r in client.get(f"/api/parks/downtime?period={period}&limit=200").json["data"]
            }
            for park_id in parks:
                details = client.get(f"/api/parks/{park_id}/details?period={period}").json["data"]
                trace = client.get(
                    f"/api/audit/explain?entity=park&id={park_id}"
                    f"&period={period}&metric=shame_score"
                ).json["data"]
                assert details["shame_score"] == trace["displayed"], (period, park_id)
                if park_id in ranked:
                    assert ranked[park_id] == details["shame_score"], (period, park_id)
                    checked += 1
            for row in client.get(f"/api/rides/downtime?period={period}&limit=200").json["data"]:
                summary = client.get(f"/api/rides/{row['ride_id']}/details?period={period}").json[
                    "data"
                ]["summary"]
                if period != "live":  # live rows show today's downtime (METRICS.md §5)
                    assert summary["downtime_hours"] == row["downtime_hours"], (period, row)
                    rides_checked += 1
        assert checked > 0 and rides_checked > 0
    reset_settings()


def test_zz_purging_raw_data_changes_no_rolled_up_figure(
    history: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    with history() as s:
        before = _figures(rankings.compute(s, "last_month", now=NOW, version=1))
        parks = list(s.scalars(select(Park).order_by(Park.id)))
        series_before = [_daily_series(s, p, "last_month", 1) for p in parks]
    monkeypatch.setenv("HOS_RAW_RETENTION_DAYS", "8")
    from hallofshame.config import reset_settings

    reset_settings()
    assert tasks.purge_raw(history) > 0
    reset_settings()
    with history() as s:
        after = _figures(rankings.compute(s, "last_month", now=NOW, version=1))
        series_after = [_daily_series(s, p, "last_month", 1) for p in parks]
    assert after == before
    # The park page's month is read from the rollups, so it too outlives the raw rows.
    assert series_after == series_before
    # A recompute over purged days has nothing to recompute them from: it keeps their
    # rollups (and the week and month sums made of them) instead of emptying them.
    rows = _rollup_rows(history)
    spans = _span_rows(history)
    tasks.recompute(history, min(r[1] for r in rows), max(r[1] for r in rows), version=1)
    assert _rollup_rows(history) == rows
    assert _span_rows(history) == spans
    with history() as s:
        assert _figures(rankings.compute(s, "last_month", now=NOW, version=1)) == before
