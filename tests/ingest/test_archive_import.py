"""The ThemeParks.wiki archive into the database: the real Disney California Adventure
example gives exactly the figures of replaying the polls it implies, in any order of days,
and a second import changes nothing."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hallofshame.api.lookups import cycles_by_origin
from hallofshame.clock import parse_instant
from hallofshame.config import reset_settings
from hallofshame.db.models import ArchiveEvent, Cycle, Observation, Ride
from hallofshame.domain.periods import custom_period
from hallofshame.ingest.pipeline import ingest_lines
from hallofshame.jobs.tasks import import_archive, rollup_due
from hallofshame.metrics import present, rankings
from hallofshame.sources.replay import read_replay
from tests.conftest import SHARED

DATA = SHARED / "data" / "archive"
TREE = DATA / "dca_2021-08"
POLLS = DATA / "dca_2021-08.polls.ndjson.gz"
NOW = parse_instant("2021-08-23T12:00:00Z")
INTERVAL = 600
PERIODS: list[Any] = [
    "today",
    "yesterday",
    "last_week",
    "last_month",
    "7days",
    "30days",
    custom_period("2021-08-18", "2021-08-20"),
    custom_period("2021-08-19", "2021-08-19"),
]


@pytest.fixture(autouse=True)
def archive_interval(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("HOS_COLLECT_INTERVAL", str(INTERVAL))
    monkeypatch.setenv("HOS_NOW", NOW.isoformat())
    reset_settings()
    yield
    reset_settings()


def figures(session: Session) -> dict[str, Any]:
    """Every park's and ride's presented figures for every period, by name."""
    out: dict[str, Any] = {}
    for period in PERIODS:
        snap = rankings.compute(session, period, now=NOW, version=1)
        for row in snap.parks:
            out[f"{period} {row.park.name}"] = present.park_figures(row.figures)
            for f in row.figures.rides:
                out[f"{period} {row.park.name} / {snap.rides[f.ride_id].name}"] = (
                    present.ride_figures(f)
                )
    return out


def cycles(session: Session) -> list[tuple[Any, ...]]:
    return [
        tuple(r)
        for r in session.execute(
            select(Cycle.ts, Cycle.span_s, Cycle.park_open, Cycle.local_date).order_by(Cycle.ts)
        )
    ]


def observations(session: Session) -> list[tuple[Any, ...]]:
    return [
        tuple(r)
        for r in session.execute(
            select(Observation.ts, Ride.wiki_id, Observation.status, Observation.wait_minutes)
            .join(Ride, Ride.id == Observation.ride_id)
            .order_by(Observation.ts, Ride.wiki_id)
        )
    ]


def day_file(d: date) -> Path:
    return next(TREE.glob(f"*/{d:%Y}/{d:%m}/{d:%d}.json.gz"))


def test_archive_gives_the_figures_of_its_polls(
    session: Session, committed_factory: sessionmaker[Session]
) -> None:
    ingest_lines(session, read_replay(POLLS), interval_s=INTERVAL, version=1)
    stats = import_archive(committed_factory, [TREE])
    assert stats.cycles == session.scalar(select(func.count()).select_from(Cycle)) == 222
    with committed_factory() as archived:
        assert cycles(archived) == cycles(session)
        assert observations(archived) == observations(session)
        want, have = figures(session), figures(archived)
        assert any(v["total_downtime_hours"] for k, v in want.items() if " / " not in k)
        assert have == want
        history = cycles_by_origin(archived)
        assert [(o, first.date(), last.date()) for o, first, last in history] == [
            ("archive", date(2021, 8, 18), date(2021, 8, 21))
        ]


def test_importing_twice_changes_nothing(committed_factory: sessionmaker[Session]) -> None:
    import_archive(committed_factory, [TREE])
    with committed_factory() as s:
        before = (cycles(s), observations(s), figures(s))
        events = s.scalar(select(func.count()).select_from(ArchiveEvent))
    again = import_archive(committed_factory, [TREE])
    assert again.new_events == 0 and again.cycles == 0
    with committed_factory() as s:
        assert (cycles(s), observations(s), figures(s)) == before
        assert s.scalar(select(func.count()).select_from(ArchiveEvent)) == events


def test_days_in_any_order_give_the_same_cycles_and_figures(
    session: Session, committed_factory: sessionmaker[Session]
) -> None:
    ingest_lines(session, read_replay(POLLS), interval_s=INTERVAL, version=1)
    children = next(TREE.glob("children-*.json"))
    for d in (date(2021, 8, 20), date(2021, 8, 18), date(2021, 8, 19)):
        import_archive(committed_factory, [day_file(d), children])
    with committed_factory() as archived:
        assert cycles(archived) == cycles(session)
        assert observations(archived) == observations(session)
        assert figures(archived) == figures(session)


def test_a_date_range_loads_only_its_days(committed_factory: sessionmaker[Session]) -> None:
    import_archive(
        committed_factory, [TREE], from_date=date(2021, 8, 19), to_date=date(2021, 8, 19)
    )
    with committed_factory() as s:
        days = set(s.scalars(select(Cycle.local_date).distinct()))
    assert days and all(d >= date(2021, 8, 19) for d in days)
    assert datetime(2021, 8, 18).date() not in days


#: Every figure-bearing GET endpoint, with each period where it takes one.
ENDPOINTS = [
    *(
        f"/api/{kind}/{what}?period={period}"
        for kind in ("parks", "rides")
        for what in ("downtime", "waittimes")
        for period in ("live", "today", "yesterday", "last_week", "last_month", "7days", "30days")
    ),
    "/api/parks/downtime?start=2021-08-18&end=2021-08-20",
    "/api/live/status-summary",
    "/api/trends?period=last_week",
    "/api/trends/chart-data?period=last_month",
    "/api/trends/heatmap-data?period=last_month",
    "/api/trends/least-reliable?period=last_month",
    "/api/trends/longest-wait-times?period=last_month",
    "/api/audit/checks?date=2021-08-19",
    "/api/search?q=a",
]
PER_PARK = [
    "/api/parks/{park}",
    "/api/parks/{park}/details?start=2021-08-18&end=2021-08-20",
    "/api/parks/{park}/details?period=last_month",
    "/api/parks/{park}/rides",
    "/api/parks/{park}/rides/charts?start=2021-08-19&end=2021-08-19",
    "/api/parks/{park}/timeseries?start=2021-08-19T14:00:00Z&end=2021-08-20T06:00:00Z",
    "/api/audit/explain?entity=park&id={park}&start=2021-08-18&end=2021-08-20",
]
PER_RIDE = [
    "/api/rides/{ride}",
    "/api/rides/{ride}/details?start=2021-08-18&end=2021-08-20",
    "/api/rides/{ride}/timeseries?start=2021-08-19T14:00:00Z&end=2021-08-20T06:00:00Z",
    "/api/audit/explain?entity=ride&id={ride}&metric=downtime_hours&start=2021-08-18&end=2021-08-20",
]
#: Keys whose values are the database's own numbering, not figures.
NUMBERING = {"id", "park_id", "ride_id", "generated_at", "url", "links", "href"}


def _figures_only(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _figures_only(v) for k, v in value.items() if k not in NUMBERING}
    if isinstance(value, list):
        return [_figures_only(v) for v in value]
    return value


def _answers(factory: sessionmaker[Session]) -> dict[str, Any]:
    from hallofshame.api.app import create_app
    from hallofshame.config import get_settings

    settings = get_settings().model_copy(update={"env": "test", "cache_enabled": False})
    client = create_app(settings, session_factory=factory).test_client()
    park = client.get("/api/parks").json["data"][0]["park_id"]
    ranked = client.get("/api/rides/downtime?start=2021-08-18&end=2021-08-20").json["data"]
    down = ranked[0]["ride_id"]
    urls = {
        **{u: u for u in ENDPOINTS},
        **{u: u.format(park=park) for u in PER_PARK},
        **{u: u.format(ride=down) for u in PER_RIDE},
    }
    out = {}
    for name, url in urls.items():
        answer = client.get(url)
        assert answer.status_code == 200, (url, answer.json)
        out[name] = _figures_only(answer.json)
    return out


def test_archive_gives_every_endpoint_of_its_polls(
    session: Session, committed_factory: sessionmaker[Session]
) -> None:
    from tests.api.conftest import joined_factory

    replayed = joined_factory(session.connection())
    ingest_lines(session, read_replay(POLLS), interval_s=INTERVAL, version=1)
    session.commit()
    rollup_due(replayed)  # as the archive import does at its end
    import_archive(committed_factory, [TREE])
    want = _answers(replayed)
    have = _answers(committed_factory)
    assert want.keys() == have.keys()
    for url in want:
        assert have[url] == want[url], url
