"""A recompute asked for over the API is queued (202), run by the queue runner one at a
time in the order asked, and followed at ``GET /api/admin/jobs/{id}``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hallofshame.db.models import JobRun, ParkDayRollup
from hallofshame.jobs import tasks
from hallofshame.jobs.runs import finish_run, start_run
from tests.api.conftest import Populated, joined_factory, make_app

KEY = {"X-API-Key": "k1"}
DAY = "2026-07-20"  # a day of the contract scenario


@pytest.fixture
def keyed(pinned: Populated) -> Iterator[tuple[FlaskClient, sessionmaker[Session]]]:
    """A keyed client and the runner's sessions; everything is rolled back afterwards."""
    nested = pinned.conn.begin_nested()
    try:
        yield make_app(pinned.conn, api_keys="k1").test_client(), joined_factory(pinned.conn)
    finally:
        nested.rollback()


def _queue(client: FlaskClient, start: str = DAY, end: str = DAY) -> Any:
    return client.post(f"/api/admin/recompute?start={start}&end={end}", headers=KEY)


def _status(client: FlaskClient, job_id: int) -> dict[str, Any]:
    answer = client.get(f"/api/admin/jobs/{job_id}", headers=KEY)
    assert answer.status_code == 200, answer.json
    data: dict[str, Any] = answer.json["data"]
    return data


def _rollups(factory: sessionmaker[Session]) -> int:
    with factory() as s:
        return (
            s.scalar(
                select(func.count())
                .select_from(ParkDayRollup)
                .where(ParkDayRollup.local_date == date(2026, 7, 20))
            )
            or 0
        )


def test_a_recompute_is_queued_then_run(keyed: tuple[FlaskClient, sessionmaker[Session]]) -> None:
    client, factory = keyed
    with factory() as s, s.begin():  # nothing rolled up for the day yet
        s.execute(ParkDayRollup.__table__.delete())  # type: ignore[arg-type]
    queued = _queue(client)
    assert queued.status_code == 202, queued.json
    job_id = queued.json["data"]["job_id"]
    assert queued.json["data"] == {"job_id": job_id, "status": "queued"}
    assert queued.headers["Location"] == f"/api/admin/jobs/{job_id}"
    status = _status(client, job_id)
    assert status["status"] == "queued" and status["started_at"] is None
    assert status["params"] == {"start": DAY, "end": DAY, "metrics_version": 1}
    assert _rollups(factory) == 0  # the request ran nothing

    assert tasks.run_queued(factory) == 1
    status = _status(client, job_id)
    assert status["status"] == "ok", status
    assert status["progress"] == {"done": 1, "total": 1, "unit": "park-weeks"}
    assert status["started_at"] and status["finished_at"]
    assert status["message"].startswith("1 park-days")
    assert _rollups(factory) == 1
    assert tasks.run_queued(factory) == 0  # nothing left


def test_recomputes_run_one_at_a_time_in_the_order_asked(
    keyed: tuple[FlaskClient, sessionmaker[Session]], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, factory = keyed
    first = _queue(client).json["data"]["job_id"]
    # Another process picks the first up and is still running it ...
    assert start_run(factory, tasks.RECOMPUTE_JOB, queued_id=first) == first
    assert _status(client, first)["status"] == "running"
    # ... when a second is asked for: accepted, and it waits.
    second_answer = _queue(client, "2026-07-19", "2026-07-20")
    assert second_answer.status_code == 202
    second = second_answer.json["data"]["job_id"]
    assert tasks.run_queued(factory) == 0  # the lock is held elsewhere
    assert _status(client, second)["status"] == "queued"

    finish_run(
        factory,
        tasks.RECOMPUTE_JOB,
        first,
        outcome="ok",
        elapsed_ms=1,
        rows=0,
        message=None,
        exclusive=True,
    )
    third = _queue(client).json["data"]["job_id"]
    ran: list[tuple[date, date]] = []
    real = tasks.recompute_range

    def spy(factory: sessionmaker[Session], first: date, last: date, **kw: Any) -> Any:
        ran.append((first, last))
        return real(factory, first, last, **kw)

    monkeypatch.setattr(tasks, "recompute_range", spy)
    assert tasks.run_queued(factory) == 2
    assert ran == [(date(2026, 7, 19), date(2026, 7, 20)), (date(2026, 7, 20),) * 2]
    assert [_status(client, j)["status"] for j in (first, second, third)] == ["ok"] * 3
    with factory() as s:
        outcomes = dict(s.execute(select(JobRun.id, JobRun.outcome)).all())
    assert outcomes[second] == outcomes[third] == "ok"


def test_a_failed_recompute_is_reported_and_the_queue_goes_on(
    keyed: tuple[FlaskClient, sessionmaker[Session]], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, factory = keyed
    bad = _queue(client).json["data"]["job_id"]
    good = _queue(client).json["data"]["job_id"]
    real = tasks.recompute_range
    calls = iter([True, False])

    def flaky(*args: Any, **kw: Any) -> Any:
        if next(calls):
            raise RuntimeError("disk full")
        return real(*args, **kw)

    monkeypatch.setattr(tasks, "recompute_range", flaky)
    assert tasks.run_queued(factory) == 2
    failed = _status(client, bad)
    assert failed["status"] == "failed" and "disk full" in failed["message"]
    assert _status(client, good)["status"] == "ok"


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("start=2026-02-30&end=2026-03-01", "start"),
        ("start=2026-03-01&end=2026-13-01", "end"),
        ("start=yesterday&end=2026-03-01", "start"),
        ("start=2026-03-02&end=2026-03-01", "end"),
        ("start=2026-03-01", "end"),
    ],
)
def test_a_bad_date_is_400_naming_it(
    keyed: tuple[FlaskClient, sessionmaker[Session]], query: str, param: str
) -> None:
    client, factory = keyed
    answer = client.post(f"/api/admin/recompute?{query}", headers=KEY)
    assert answer.status_code == 400, answer.json
    assert answer.json["error"]["details"]["parameter"] == param
    with factory() as s:  # nothing was queued
        assert not s.scalar(select(func.count()).select_from(JobRun))


def test_job_status_needs_a_key_and_a_known_id(
    keyed: tuple[FlaskClient, sessionmaker[Session]], pinned: Populated
) -> None:
    client, _ = keyed
    job_id = _queue(client).json["data"]["job_id"]
    assert client.get(f"/api/admin/jobs/{job_id}").status_code == 401
    assert make_app(pinned.conn).test_client().get(f"/api/admin/jobs/{job_id}").status_code == 403
    missing = client.get(f"/api/admin/jobs/{job_id + 1000}", headers=KEY)
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    assert client.get("/api/admin/jobs/0", headers=KEY).status_code == 404
    answer = client.get(f"/api/admin/jobs/{job_id}", headers=KEY)
    assert answer.headers["Cache-Control"] == "no-store"


def test_the_openapi_document_describes_the_queue(
    keyed: tuple[FlaskClient, sessionmaker[Session]],
) -> None:
    client, _ = keyed
    spec = client.get("/api/openapi.json").json
    post = spec["paths"]["/api/admin/recompute"]["post"]
    assert "202" in post["responses"] and "200" not in post["responses"]
    get = spec["paths"]["/api/admin/jobs/{job_id}"]["get"]
    assert {"200", "401", "403", "404"} <= set(get["responses"])
