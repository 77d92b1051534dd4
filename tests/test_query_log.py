"""Query observability: HOS_SQL_ECHO logs every statement; statements slower than
HOS_SLOW_QUERY_MS are logged with their duration and without their literals."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, literal, select

from hallofshame.config import Settings
from hallofshame.db.dialects import WRITER_OPTION
from hallofshame.db.engine import make_engine
from hallofshame.db.models import Park


def test_slow_statements_are_logged_without_their_values(
    db_url: str, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    own = make_engine(db_url, Settings(slow_query_ms=0))
    try:
        with caplog.at_level(logging.WARNING), own.connect() as conn:
            conn.execute(select(Park.id).where(Park.name == "Secret Lagoon Park")).all()
            conn.execute(select(literal("inline 'quoted' secret"))).all()
    finally:
        own.dispose()
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("slow query")]
    assert any("FROM parks" in line for line in lines), lines
    assert all("Secret Lagoon" not in line and "secret" not in line for line in lines), lines
    assert all(line.split()[3] == "ms:" for line in lines)  # "slow query N ms: …"


def test_a_fast_statement_is_not_logged(
    db_url: str, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    own = make_engine(db_url, Settings(slow_query_ms=60_000))
    try:
        with caplog.at_level(logging.WARNING), own.connect() as conn:
            conn.execute(select(Park.id)).all()
    finally:
        own.dispose()
    assert not [r for r in caplog.records if r.getMessage().startswith("slow query")]


def test_echo_logs_every_statement(
    db_url: str, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    own = make_engine(db_url, Settings(sql_echo=True))
    try:
        with caplog.at_level(logging.INFO, logger="sqlalchemy.engine"), own.connect() as conn:
            conn.execute(select(Park.id).where(Park.active.is_(True))).all()
    finally:
        own.dispose()
    assert any("FROM parks" in r.getMessage() for r in caplog.records)


def test_a_writer_queuing_for_sqlite_s_lock_is_not_a_slow_query(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """On SQLite a writer takes the one write lock at BEGIN and waits there for another
    writer (by design: ``begin_writing``). The demo's terminal showed each such wait as a
    "slow query … BEGIN IMMEDIATE" warning; it is a lock wait, logged as one, at debug."""
    own = make_engine(f"sqlite:///{tmp_path / 'locks.db'}", Settings(slow_query_ms=50))
    holder = own.connect().execution_options(**{WRITER_OPTION: True})
    holder.begin()  # takes the write lock
    released = threading.Timer(0.3, holder.rollback)
    released.start()
    try:
        with caplog.at_level(logging.DEBUG, logger="hallofshame.sql"):
            waiter = own.connect().execution_options(**{WRITER_OPTION: True})
            with waiter.begin():  # waits ~0.3 s for the holder
                waiter.execute(select(literal(1))).all()
            waiter.close()
    finally:
        released.join()
        holder.close()
        own.dispose()
    messages = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "hallofshame.sql"]
    assert not [m for level, m in messages if m.startswith("slow query")], messages
    waits = [(level, m) for level, m in messages if "write lock" in m]
    assert waits and all(level == logging.DEBUG for level, _ in waits), messages
