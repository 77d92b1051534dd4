"""Test databases: SQLite always, MariaDB and PostgreSQL when their URLs are set.

Each database is built once per run by ``alembic upgrade head`` (never ``create_all``),
and each test runs inside a transaction that is rolled back.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hallofshame.db import migrate
from hallofshame.db.dialects import recreate_database
from hallofshame.db.engine import make_engine

#: The project's copy of the shared data the tests read (scenarios, upstream payloads, the
#: catalog, the archive example): a clone alone runs the whole suite.
SHARED = Path(__file__).resolve().parent / "data" / "shared"
#: The workspace's shared/ beside the clone, where the copies come from (absent in a
#: user's clone; ``tests/test_shared_copies.py`` checks the copies when it is there).
WORKSPACE_SHARED = Path(__file__).resolve().parents[2] / "shared"

_TMP = Path(tempfile.mkdtemp(prefix="hos-tests-"))


#: The pytest-xdist worker this process is ("gw0", "gw1", …; empty when not distributed).
#: Each worker gets databases of its own (the configured name + ``_gw0``…) and a Redis
#: database of its own, so workers never see each other's rows or cache entries.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def for_this_worker(url: str) -> str:
    """``url`` with a database name of this worker's own (unchanged outside xdist)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if not WORKER or parsed.get_backend_name() == "sqlite":
        return url
    return parsed.set(database=f"{parsed.database}_{WORKER}").render_as_string(hide_password=False)


def database_urls() -> dict[str, str]:
    urls = {"sqlite": f"sqlite:///{_TMP / 'test.db'}"}
    if os.environ.get("HOS_TEST_MARIADB_URL"):
        urls["mariadb"] = for_this_worker(os.environ["HOS_TEST_MARIADB_URL"])
    if os.environ.get("HOS_TEST_POSTGRES_URL"):
        urls["postgres"] = for_this_worker(os.environ["HOS_TEST_POSTGRES_URL"])
    if os.environ.get("HOS_REQUIRE_ALL_DATABASES") and len(urls) < 3:
        raise RuntimeError("HOS_REQUIRE_ALL_DATABASES is set but a database URL is missing")
    return urls


def sibling_url(url: str, suffix: str) -> str:
    """A second database on the same server (for tests that need their own schema)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite:///{_TMP / f'test_{suffix}.db'}"
    return parsed.set(database=f"{parsed.database}_{suffix}").render_as_string(hide_password=False)


DATABASES = database_urls()


def worker_redis_url() -> str:
    """HOS_TEST_REDIS_URL, moved to the next database number for each xdist worker
    (gw0 keeps it, gw1 takes the one after); never database 0, the product's default."""
    url = os.environ.get("HOS_TEST_REDIS_URL", "")
    if not url or not WORKER:
        return url
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    number = base + int(WORKER.removeprefix("gw"))
    if base == 0 or number > 15:
        raise RuntimeError(f"no Redis database for worker {WORKER} after {url}")
    return urlunsplit(parts._replace(path=f"/{number}"))


@pytest.fixture
def redis_url() -> str:
    """An emptied Redis database for the shared cache and rate limit (HOS_TEST_REDIS_URL);
    CI always sets it, so these tests run there."""
    url = worker_redis_url()
    if not url:
        if os.environ.get("HOS_REQUIRE_ALL_DATABASES"):
            raise RuntimeError("HOS_REQUIRE_ALL_DATABASES is set but HOS_TEST_REDIS_URL is not")
        pytest.skip("HOS_TEST_REDIS_URL is not set")
    import redis

    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture
def upstream() -> Iterator[HTTPServer]:
    """A fake upstream on loopback; threaded, so one slow answer does not stall the rest."""
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture(scope="session", params=sorted(DATABASES))
def db_url(request: pytest.FixtureRequest) -> str:
    return DATABASES[request.param]


_engines: dict[str, Engine] = {}


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    if db_url not in _engines:
        recreate_database(db_url)
        eng = make_engine(db_url)
        migrate.upgrade(eng)
        _engines[db_url] = eng
    yield _engines[db_url]


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose every commit becomes a savepoint of one rolled-back transaction."""
    conn = engine.connect()
    outer = conn.begin()
    sess = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield sess
    finally:
        sess.close()
        outer.rollback()
        conn.close()


#: Test files that share a session fixture too costly to build twice run in one xdist
#: process (``make test`` distributes by file): the simulated quarter of the uptime strips
#: and fidelity tests, and the dashboard's simulated history and its one Chromium.
SHARED_SESSIONS = {
    "tests/api/test_days.py": "quarter",
    "tests/api/test_fidelity.py": "quarter",
    "tests/web/": "web",
}

#: The scopes that take longest, longest first (from CI's slowest durations): a process
#: starts on them, so the run does not end with one process alone on a long file. The
#: other scopes follow, those with more tests first.
LONGEST_FIRST = (
    "tests/test_documented_commands.py",
    "web",
    "quarter",
    "tests/api/test_schemathesis.py",
    "tests/test_stay_or_go_live.py",
    "tests/ingest/test_resumable_load.py",
    "tests/test_stay_or_go_real.py",
    "tests/test_read_replicas.py",
    "tests/test_schedulers.py",
)


def _database_of(nodeid: str) -> str | None:
    """The database a test runs on, read off its parameters (``…[mariadb-rollups]``)."""
    params = nodeid.rsplit("[", 1)[1].rstrip("]") if nodeid.endswith("]") else ""
    return next((d for d in params.split("-") if d in ("sqlite", "mariadb", "postgres")), None)


def _scope_of(nodeid: str) -> str:
    """A test's unit of distribution: its file (or shared session), and its database.

    Every fixture costlier than a test is built per database (the ``db_url`` parameter),
    so a file's databases can run in three processes at once without building it twice."""
    path = nodeid.split("::", 1)[0]
    scope = next((s for p, s in SHARED_SESSIONS.items() if path.startswith(p)), path)
    database = _database_of(nodeid)
    return f"{scope}@{database}" if database else scope


def _rank(scope: str, tests: int) -> tuple[int, int]:
    base = scope.split("@", 1)[0]
    longest = LONGEST_FIRST.index(base) if base in LONGEST_FIRST else len(LONGEST_FIRST)
    return (longest, -tests)


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """Distribute by file and database (``_scope_of``), the longest scopes first."""
    from xdist.scheduler import LoadFileScheduling

    class LongestFirst(LoadFileScheduling):
        ranked = False

        def _split_scope(self, nodeid: str) -> str:
            return _scope_of(nodeid)

        def _assign_work_unit(self, node: Any) -> None:
            if not self.ranked:  # the queue is complete once the first unit is handed out
                queue = sorted(self.workqueue.items(), key=lambda s: _rank(s[0], len(s[1])))
                self.workqueue.clear()
                self.workqueue.update(queue)
                self.ranked = True
            super()._assign_work_unit(node)

    return LongestFirst(config, log)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for eng in _engines.values():
        eng.dispose()


@pytest.fixture
def committed_factory(db_url: str) -> Iterator[sessionmaker[Session]]:
    """A fresh database of its own, for code that commits (jobs, collectors, the app)."""
    url = sibling_url(db_url, "jobs")
    recreate_database(url)
    eng = make_engine(url)
    migrate.upgrade(eng)
    yield sessionmaker(bind=eng, expire_on_commit=False)
    eng.dispose()


def analyse(session: Session) -> None:
    """What the load jobs do after a load, inside a test's rolled-back transaction:
    refresh the planner's statistics of the tables a load grows (PostgreSQL plans a
    month's outage queries for empty tables otherwise: 116 s instead of 2 s).

    PostgreSQL only: MariaDB's ANALYZE TABLE commits implicitly, which would end the
    transaction the test rolls back, and SQLite plans these queries well without it.
    """
    from hallofshame.db.dialects import refresh_statistics
    from hallofshame.ingest.simulate import grown_tables

    if session.get_bind().dialect.name == "postgresql":
        refresh_statistics(session, grown_tables())
