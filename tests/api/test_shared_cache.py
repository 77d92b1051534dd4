"""The shared cache and rate limit on a real Redis: what one API worker computes another
serves, the warmer fills it ahead of visitors, and the per-client limit is one count
across workers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hallofshame.api.warming import dashboard_paths, warm
from hallofshame.config import get_settings, reset_settings
from hallofshame.db.models import Cycle, JobRun, Park
from hallofshame.jobs.tasks import warm_cache
from tests.api.conftest import Populated, joined_factory, make_app

VISITOR = {"REMOTE_ADDR": "203.0.113.7"}


def test_one_worker_computes_another_serves(pinned: Populated, redis_url: str) -> None:
    first, second = (make_app(pinned.conn, cache_url=redis_url).test_client() for _ in range(2))
    computed = first.get("/api/parks/downtime?period=yesterday")
    assert computed.headers["X-Cache"] == "miss"
    served = second.get("/api/parks/downtime?period=yesterday&sort_by=shame_score")
    assert served.headers["X-Cache"] == "hit"
    assert served.json == computed.json


def test_warming_fills_what_the_dashboard_asks_for(
    pinned: Populated, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The clock just after the latest cycle: a running window's answer lives until the next
    # cycle is due (a whole interval here). At the scenario's own "now" that is 5 s of real
    # time, which a busy machine spends between the two passes below.
    with joined_factory(pinned.conn)() as s:
        latest = s.scalar(select(func.max(Cycle.ts)))
    assert latest is not None
    monkeypatch.setenv("HOS_NOW", (latest + timedelta(seconds=1)).isoformat())
    reset_settings()
    settings = get_settings().model_copy(update={"cache_url": redis_url, "env": "test"})
    report = warm(joined_factory(pinned.conn), settings=settings)
    parks = list(pinned_parks(pinned))
    assert report.answers == len(dashboard_paths(parks)) == 22 + 6 * len(parks)
    assert report.failed == 0 and report.computed == report.answers
    # A visitor then finds every one of them, spelled as the dashboard spells it.
    visitor = make_app(pinned.conn, cache_url=redis_url).test_client()
    for path in (
        "/api/rides/waittimes?period=last_week&filter=all-parks",
        dashboard_paths(parks)[-1],
    ):
        assert visitor.get(path).headers["X-Cache"] == "hit", path
    # The same answers computed without any cache.
    fresh = make_app(pinned.conn, cache_enabled=False).test_client()
    path = "/api/parks/downtime?period=today"
    assert visitor.get(path).json == fresh.get(path).json
    # Nothing new landed: a second pass computes nothing.
    assert warm(joined_factory(pinned.conn), settings=settings).computed == 0


def test_the_warm_job_is_recorded(
    pinned: Populated, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    factory = joined_factory(pinned.conn)
    assert warm_cache(factory).answers == 0  # no shared cache configured: nothing to do
    monkeypatch.setenv("HOS_CACHE_URL", redis_url)
    reset_settings()
    report = warm_cache(factory)
    assert report.computed > 0
    with factory() as s:
        run = s.scalars(select(JobRun).where(JobRun.job == "warm-cache")).one()
    assert run.outcome == "ok" and run.rows == report.computed


def test_the_rate_limit_is_one_count_across_workers(pinned: Populated, redis_url: str) -> None:
    workers = [
        make_app(pinned.conn, cache_url=redis_url, rate_limit="3/minute").test_client()
        for _ in range(3)
    ]
    codes = [w.get("/api/parks", environ_base=VISITOR).status_code for w in workers * 2]
    assert codes == [200, 200, 200, 429, 429, 429]


def pinned_parks(pinned: Populated) -> list[int]:
    with joined_factory(pinned.conn)() as s:
        return list(s.scalars(select(Park.id).where(Park.active.is_(True))))
