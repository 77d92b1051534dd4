"""Engines and session scopes.

The transaction boundary lives here and in its callers (one session per request, one
per job); code below takes a ``Session`` and never commits on its own.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from hallofshame.config import Settings, get_settings
from hallofshame.db.dialects import WRITER_OPTION, sqlite_setup

log = logging.getLogger("hallofshame.sql")

_LITERALS = re.compile(r"('(?:[^']|'')*'|\b\d+(?:\.\d+)?\b)")


def statement_shape(statement: str) -> str:
    """The statement with literals masked, so a slow-query log never carries data."""
    shape = " ".join(_LITERALS.sub("?", statement).split())
    return shape if len(shape) <= 600 else shape[:600] + " …"


def _install_slow_query_log(engine: Engine, threshold_ms: int) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def _start(
        conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        conn.info.setdefault("hos_started", []).append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def _stop(
        conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        started = conn.info["hos_started"].pop()
        elapsed_ms = (time.perf_counter() - started) * 1000
        if elapsed_ms < threshold_ms:
            return
        if statement == "BEGIN IMMEDIATE":
            # SQLite's writers queue for its one write lock at BEGIN (``begin_writing``):
            # a wait there is the design, not a slow statement.
            log.debug("waited %.0f ms for SQLite's write lock", elapsed_ms)
            return
        log.warning("slow query %.0f ms: %s", elapsed_ms, statement_shape(statement))


def make_engine(
    url: str | None = None, settings: Settings | None = None, *, connect_timeout: int | None = None
) -> Engine:
    """An engine with the project's connection setup; ``connect_timeout`` (seconds, servers
    only) bounds how long a connection attempt to an unreachable host may take."""
    settings = settings or get_settings()
    url = url or settings.effective_database_url
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": settings.sql_echo, "future": True}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            from pathlib import Path

            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs.update(pool_pre_ping=True, pool_recycle=1800)
    if parsed.get_backend_name() == "mysql":
        # Every instant is UTC; make the server agree for NOW() and friends.
        # LOCAL INFILE: bulk loads stream rows (``dialects.bulk_insert``), from temporary
        # files this process writes; the server never names a file to read.
        kwargs["connect_args"] = {"init_command": "SET time_zone = '+00:00'", "local_infile": True}
    if connect_timeout is not None and parsed.get_backend_name() in ("mysql", "postgresql"):
        kwargs.setdefault("connect_args", {})["connect_timeout"] = connect_timeout
    engine = create_engine(parsed, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        sqlite_setup(engine)
    _install_slow_query_log(engine, settings.slow_query_ms)
    return engine


_engine: Engine | None = None
_factory: sessionmaker[Session] | None = None


def get_engine() -> Engine:
    global _engine, _factory
    if _engine is None:
        _engine = make_engine()
        _factory = sessionmaker(bind=_engine, expire_on_commit=False)
    return _engine


def session_factory() -> sessionmaker[Session]:
    get_engine()
    if _factory is None:  # pragma: no cover - get_engine() always sets it
        raise RuntimeError("no session factory")
    return _factory


def writer_factory() -> sessionmaker[Session]:
    """Sessions for the jobs: each of their transactions writes, so on SQLite each takes
    the write lock at BEGIN and queues behind a concurrent job (collection, rollups,
    weather run in parallel threads of one scheduler) instead of failing when its read
    turns into a write. Same connections and pool as ``session_factory``; API requests,
    which only read, keep plain transactions."""
    return sessionmaker(
        bind=get_engine().execution_options(**{WRITER_OPTION: True}), expire_on_commit=False
    )


def dispose_engine() -> None:
    global _engine, _factory
    if _engine is not None:
        _engine.dispose()
    _engine = None
    _factory = None


@contextmanager
def session_scope(factory: sessionmaker[Session] | None = None) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = (factory or session_factory())()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
