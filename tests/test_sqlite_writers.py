"""On the embedded SQLite, the scheduler's jobs write from parallel threads. A job's
transaction reads, then writes; if another job commits in between, a plain (deferred)
transaction can no longer write and fails at once. Job sessions take the write lock at
BEGIN instead, and wait for it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from hallofshame.config import reset_settings
from hallofshame.db import migrate
from hallofshame.db.engine import dispose_engine, get_engine, session_factory, writer_factory
from hallofshame.db.models import JobRun

AT = datetime(2026, 8, 14, 18, 0, tzinfo=UTC)


@pytest.fixture
def sqlite_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("HOS_DATABASE_URL", f"sqlite:///{tmp_path / 'jobs.db'}")
    reset_settings()
    dispose_engine()
    migrate.upgrade(get_engine())
    yield
    dispose_engine()
    reset_settings()


def _read_then_write(factory: sessionmaker[Session], meanwhile: Callable[[], None]) -> None:
    """A job's transaction: a read, another job commits meanwhile, then a write."""
    with factory() as session, session.begin():
        session.scalar(select(func.count()).select_from(JobRun))
        meanwhile()
        session.add(JobRun(job="first", started_at=AT))


def _other_job(factory: sessionmaker[Session], done: list[str]) -> threading.Thread:
    def run() -> None:
        with factory() as session, session.begin():
            session.add(JobRun(job="second", started_at=AT))
        done.append("second")

    return threading.Thread(target=run)


def test_a_plain_transaction_fails_when_another_writer_commits_first(sqlite_file: None) -> None:
    done: list[str] = []
    other = _other_job(session_factory(), done)

    def meanwhile() -> None:
        other.start()
        other.join()  # it commits: nothing stops it

    with pytest.raises(OperationalError, match="locked"):
        _read_then_write(session_factory(), meanwhile)
    assert done == ["second"]


def test_job_sessions_queue_for_the_write_lock(sqlite_file: None) -> None:
    done: list[str] = []
    other = _other_job(writer_factory(), done)

    def meanwhile() -> None:
        other.start()
        other.join(timeout=0.5)  # it waits for our lock instead of committing under us
        assert done == []

    _read_then_write(writer_factory(), meanwhile)
    other.join()
    with session_factory()() as s:
        jobs = sorted(s.scalars(select(JobRun.job)))
    assert done == ["second"] and jobs == ["first", "second"]
