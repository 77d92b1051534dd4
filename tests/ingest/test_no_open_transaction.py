"""No job keeps a database transaction open while it waits on the network.

The real upstream client is pointed (through the ``HOS_*_URL`` settings, as production
is) at a local server serving the recorded payloads. One of its answers is held for a
second, and while it is held, from the server's thread:

- another connection writes to the database and commits (SQLite has one writer: a job
  holding a write transaction across the fetch makes this fail with "database is
  locked");
- on the servers, the database is asked whether any other connection to it has a
  transaction open (PostgreSQL: ``pg_stat_activity.xact_start``; MariaDB:
  ``information_schema.innodb_trx``).

The jobs use the sessions production gives them (``WRITER_OPTION``: on SQLite every job
transaction takes the write lock at BEGIN).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.orm import Session, sessionmaker
from werkzeug import Request, Response

from hallofshame import clock
from hallofshame.config import reset_settings
from hallofshame.db.dialects import WRITER_OPTION, backend
from hallofshame.db.models import DataQualityIssue
from hallofshame.jobs import tasks
from tests.conftest import SHARED
from tests.ingest.test_collector import (
    DL_LIVE,
    MK,
    MK_LIVE,
    MK_SCHEDULE,
    NOW,
    WIKI,
    disneyland,
    magic_kingdom,
)

HOLD_S = 1.0
PROBE_AFTER_S = 0.3  # MariaDB refreshes information_schema.innodb_trx every 0.1 s

CHILDREN = json.loads(
    (WIKI / "children_magic_kingdom_full_official_sdk_2026-04-14.json").read_text()
)
METEO = json.loads(
    (
        SHARED / "data" / "fixtures" / "open_meteo" / "forecast_new_jersey_336h_pi-inky.json"
    ).read_text()
)
BODIES: dict[str, Any] = {
    f"/v1/entity/{MK}/live": MK_LIVE,
    f"/v1/entity/{MK}/schedule": MK_SCHEDULE,
    f"/v1/entity/{MK}/children": CHILDREN,
    "/parks/16/queue_times.json": DL_LIVE,
    "/meteo/forecast": METEO,
}


@dataclass
class Probe:
    """Looks at the database while an answer is held."""

    url: str
    seen: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        kind = backend(self.url)
        # A writer that does not wait long: the held answer lasts a second.
        args: dict[str, Any] = {"timeout": 0.2} if kind == "sqlite" else {}
        self.engine: Engine = create_engine(self.url, connect_args=args)
        self.lock = threading.Lock()

    def look(self) -> None:
        # Parks are fetched concurrently, so two answers may be held at once: one look at
        # a time, or each would see the other's write and query as an open transaction.
        with self.lock:
            self.seen.append(self._write() + self._open_transactions())

    def _write(self) -> str:
        try:
            with self.engine.begin() as conn:
                if backend(self.url) == "mysql":
                    conn.execute(text("SET SESSION innodb_lock_wait_timeout = 1"))
                elif backend(self.url) == "postgresql":
                    conn.execute(text("SET LOCAL lock_timeout = '200ms'"))
                conn.execute(
                    DataQualityIssue.__table__.insert().values(  # type: ignore[attr-defined]
                        detected_at=clock.now(),
                        source="test",
                        kind="probe",
                        message="written while an upstream answer was held",
                    )
                )
        except Exception as exc:  # what a concurrent writer would meet
            return f"write failed: {exc.__class__.__name__}: {str(exc).splitlines()[0]}; "
        return ""

    def _open_transactions(self) -> str:
        kind = backend(self.url)
        if kind == "sqlite":
            return ""
        if kind == "postgresql":
            stmt = (
                "SELECT pid, state FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
            )
        else:
            stmt = (
                "SELECT t.trx_mysql_thread_id, t.trx_state FROM information_schema.innodb_trx t"
                " JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id"
                " WHERE p.db = DATABASE() AND p.id <> CONNECTION_ID()"
            )
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            rows = conn.execute(text(stmt)).all()
        return f"open transactions: {[tuple(r) for r in rows]}" if rows else ""


@pytest.fixture
def world(
    committed_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[sessionmaker[Session], HTTPServer, Probe]]:
    with committed_factory() as s, s.begin():
        s.add_all(
            [
                magic_kingdom(latitude=28.4, longitude=-81.6),
                disneyland(latitude=33.8, longitude=-117.9),
            ]
        )
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    base = server.url_for("").rstrip("/")
    monkeypatch.setenv("HOS_WIKI_URL", base + "/v1")
    monkeypatch.setenv("HOS_QUEUE_TIMES_URL", base)
    monkeypatch.setenv("HOS_WEATHER_URL", base + "/meteo")
    reset_settings()
    bind = committed_factory.kw["bind"]
    # The sessions the jobs get in production (``db.engine.writer_factory``).
    jobs = sessionmaker(
        bind=bind.execution_options(**{WRITER_OPTION: True}), expire_on_commit=False
    )
    probe = Probe(bind.url.render_as_string(hide_password=False))
    clock.set_now(NOW)
    try:
        yield jobs, server, probe
    finally:
        clock.set_now(None)
        server.clear()
        server.stop()
        probe.engine.dispose()
        reset_settings()


def _serve(server: HTTPServer, held: str, probe: Probe) -> None:
    def handler(request: Request) -> Response:
        if request.path == held:
            time.sleep(PROBE_AFTER_S)
            probe.look()
            time.sleep(HOLD_S - PROBE_AFTER_S)
        body = BODIES.get(request.path)
        if body is None:
            return Response("{}", 404, content_type="application/json")
        return Response(json.dumps(body), 200, content_type="application/json")

    server.expect_request(held).respond_with_handler(handler)
    for path in BODIES:
        if path != held:
            server.expect_request(path).respond_with_handler(handler)


JOBS: dict[str, tuple[str, Callable[[sessionmaker[Session]], object]]] = {
    "collect": (f"/v1/entity/{MK}/live", lambda f: tasks.collect_cycle(f, "live")),
    "collect-queue-times": ("/parks/16/queue_times.json", lambda f: tasks.collect_cycle(f, "live")),
    "schedules": (f"/v1/entity/{MK}/schedule", lambda f: tasks.schedules_job(f, "live")),
    "schedules-missing": (
        f"/v1/entity/{MK}/schedule",
        lambda f: tasks.schedules_job(f, "live", only_missing=True),
    ),
    "weather": ("/meteo/forecast", lambda f: tasks.weather_job(f, "live")),
    "catalog": (f"/v1/entity/{MK}/children", lambda f: tasks.catalog_job(f, "live")),
}


@pytest.mark.parametrize("job", sorted(JOBS))
def test_no_transaction_is_open_while_an_answer_is_awaited(
    job: str, world: tuple[sessionmaker[Session], HTTPServer, Probe]
) -> None:
    factory, server, probe = world
    held, run = JOBS[job]
    _serve(server, held, probe)
    run(factory)
    assert probe.seen, "the held answer was never asked for"
    assert probe.seen == [""] * len(probe.seen), probe.seen
    with factory() as s:  # the job did its work, and the probe's writes are there
        kinds = list(s.scalars(select(DataQualityIssue.kind)))
    assert kinds.count("probe") == len(probe.seen)
    assert set(kinds) == {"probe"}, kinds
