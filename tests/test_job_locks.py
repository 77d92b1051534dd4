"""One run of a job at a time, whichever process starts it: the database's job lock."""

from __future__ import annotations

import multiprocessing
import os
import socket
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hallofshame.db.dialects import WRITER_OPTION
from hallofshame.db.engine import make_engine
from hallofshame.db.models import JobLock, JobRun
from hallofshame.jobs import runs
from hallofshame.jobs.runs import JobBusy, job_run, run_job

RACERS = 4


def _writer_factory(url: str) -> sessionmaker[Session]:
    """As the jobs get their sessions (``db.engine.writer_factory``), for ``url``."""
    return sessionmaker(
        bind=make_engine(url).execution_options(**{WRITER_OPTION: True}), expire_on_commit=False
    )


def _racer(url: str, start: Any, results: Any) -> None:
    """One process: wait for the others, then try to run the job (it takes a second)."""
    factory = _writer_factory(url)
    start.wait()
    try:
        with job_run(factory, "race"):
            time.sleep(1.0)
        results.put("ran")
    except JobBusy:
        results.put("busy")
    finally:
        factory.kw["bind"].dispose()


def _url_of(factory: sessionmaker[Session]) -> str:
    return factory.kw["bind"].url.render_as_string(hide_password=False)


def test_processes_racing_for_one_job_run_it_once(committed_factory: sessionmaker[Session]) -> None:
    url = _url_of(committed_factory)
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(RACERS)
    results = ctx.Queue()
    procs = [ctx.Process(target=_racer, args=(url, start, results)) for _ in range(RACERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    outcomes = sorted(results.get(timeout=5) for _ in procs)
    assert outcomes == ["busy"] * (RACERS - 1) + ["ran"]
    with committed_factory() as s:
        recorded = [(r.job, r.outcome) for r in s.scalars(select(JobRun))]
        assert s.scalars(select(JobLock)).all() == []  # given back
    assert recorded == [("race", "ok")]  # the ones that stood down left no record


def test_threads_racing_round_after_round(committed_factory: sessionmaker[Session]) -> None:
    """Threads with connections of their own, many rounds: never two at once."""
    import threading

    url = _url_of(committed_factory)
    factory = _writer_factory(url)
    inside = 0
    most = 0
    guard = threading.Lock()
    ran: list[int] = []

    def body(ctx: runs.JobContext) -> None:
        nonlocal inside, most
        with guard:
            inside += 1
            most = max(most, inside)
        time.sleep(0.05)
        with guard:
            inside -= 1
        ran.append(ctx.run_id)

    try:
        for _ in range(10):
            barrier = threading.Barrier(3)

            def go(b: threading.Barrier = barrier) -> None:
                b.wait()
                run_job(factory, "rounds", body)

            threads = [threading.Thread(target=go) for _ in range(3)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
    finally:
        factory.kw["bind"].dispose()
    assert most == 1
    assert 10 <= len(ran) <= 30


def _lock_held(
    factory: sessionmaker[Session],
    name: str,
    holder: str,
    acquired: datetime,
    heartbeat: datetime,
    expires: datetime,
    *,
    running: bool = False,
) -> int | None:
    """Lock ``name`` held by ``holder``, with (``running``) the run it guards recorded as
    running: that run's id."""
    with factory() as s, s.begin():
        run = JobRun(job=name, started_at=acquired, outcome="running") if running else None
        if run is not None:
            s.add(run)
            s.flush()
        s.add(
            JobLock(
                name=name,
                run_id=run.id if run is not None else None,
                holder=holder,
                acquired_at=acquired,
                heartbeat_at=heartbeat,
                expires_at=expires,
            )
        )
        return run.id if run is not None else None


def test_a_lock_whose_lease_ran_out_is_taken_over_and_its_run_marked_failed(
    committed_factory: sessionmaker[Session],
) -> None:
    long_ago = datetime.now(UTC) - runs.LEASE - timedelta(minutes=1)
    dead_id = _lock_held(
        committed_factory,
        "collect",
        "gone:1",
        long_ago,
        long_ago,
        long_ago + runs.LEASE,
        running=True,
    )
    assert run_job(committed_factory, "collect", lambda ctx: None)
    with committed_factory() as s:
        outcomes = dict(s.execute(select(JobRun.id, JobRun.outcome)).all())
        message = s.scalar(select(JobRun.message).where(JobRun.id == dead_id))
        assert s.scalars(select(JobLock)).all() == []
    assert outcomes.pop(dead_id) == "failed" and "abandoned" in (message or "")
    assert list(outcomes.values()) == ["ok"]


def test_a_fresh_lock_of_a_dead_process_of_this_host_is_taken_over(
    committed_factory: sessionmaker[Session],
) -> None:
    """A job killed a moment ago (SIGKILL) must not block its next run for minutes."""
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a pid that existed and is now free
    now = datetime.now(UTC)
    _lock_held(
        committed_factory,
        "rollups",
        f"{socket.gethostname()}:{gone.pid}",
        now,
        now,
        now + runs.LEASE,
    )
    assert run_job(committed_factory, "rollups", lambda ctx: None)
    # The same lock held by a live process of this host is respected.
    _lock_held(
        committed_factory,
        "rollups",
        f"{socket.gethostname()}:{os.getppid()}",
        now,
        now,
        now + runs.LEASE,
    )
    assert not run_job(committed_factory, "rollups", lambda ctx: None)


def test_a_fresh_lock_is_respected(committed_factory: sessionmaker[Session]) -> None:
    now = datetime.now(UTC)
    _lock_held(committed_factory, "weather", "h:1", now, now, now + timedelta(seconds=30))
    assert not run_job(committed_factory, "weather", lambda ctx: None)
    with committed_factory() as s:
        assert s.scalars(select(JobRun)).all() == []


def test_the_holder_keeps_its_lock_fresh(
    committed_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runs, "HEARTBEAT_EVERY", timedelta(seconds=0.3))
    seen: list[tuple[datetime, datetime, datetime, str]] = []

    def body(ctx: runs.JobContext) -> None:
        time.sleep(2.2)
        with committed_factory() as s:
            lock = s.scalars(select(JobLock)).one()
            seen.append((lock.acquired_at, lock.heartbeat_at, lock.expires_at, lock.holder))

    assert run_job(committed_factory, "beating", body)
    ((acquired, beat, expires, holder),) = seen
    assert beat >= acquired + timedelta(seconds=1)
    assert expires >= beat + runs.LEASE  # renewed with the heartbeat, rounded up
    assert holder == runs.holder_name()


def test_a_failed_job_gives_its_lock_back(committed_factory: sessionmaker[Session]) -> None:
    def boom(ctx: runs.JobContext) -> None:
        raise RuntimeError("upstream exploded")

    with pytest.raises(RuntimeError):
        run_job(committed_factory, "boom", boom)
    assert run_job(committed_factory, "boom", lambda ctx: None)  # free again
    with committed_factory() as s:
        assert [r.outcome for r in s.scalars(select(JobRun).order_by(JobRun.id))] == [
            "failed",
            "ok",
        ]


def test_a_lease_is_half_the_period_of_the_job() -> None:
    assert runs.lease_for(timedelta(minutes=5)) == timedelta(seconds=150)
    assert runs.lease_for(timedelta(seconds=2)) == timedelta(seconds=1)
    assert runs.lease_for(timedelta(days=1)) == runs.LEASE  # never longer than the default


@pytest.fixture
def bound(session: Session) -> sessionmaker[Session]:
    """Sessions whose transactions are savepoints of the test's own, rolled back at the
    end (no database of its own to build; the lease is not renewed from a thread)."""
    return sessionmaker(
        bind=session.connection(), join_transaction_mode="create_savepoint", expire_on_commit=False
    )


def test_a_lock_is_held_for_the_lease_its_job_asks_for(
    bound: sessionmaker[Session],
) -> None:
    seen: list[tuple[datetime, datetime]] = []

    def body(ctx: runs.JobContext) -> None:
        with bound() as s:
            lock = s.scalars(select(JobLock)).one()
            seen.append((lock.acquired_at, lock.expires_at))

    assert run_job(bound, "collect", body, lease=timedelta(seconds=150))
    ((acquired, expires),) = seen
    # Whole seconds, rounded up: stored, a lease is never shorter than asked.
    assert expires.microsecond == 0
    assert timedelta(seconds=150) <= expires - acquired <= timedelta(seconds=152)


def test_a_lock_of_another_host_is_taken_over_once_its_lease_ran_out(
    bound: sessionmaker[Session],
) -> None:
    """No waiting ten minutes: a lock is over at its lease's end, however fresh its
    heartbeat (a short lease: the collection's, half an interval)."""
    now = datetime.now(UTC).replace(microsecond=0)
    dead_id = _lock_held(
        bound,
        "collect",
        "elsewhere:1",
        now - timedelta(seconds=3),
        now - timedelta(seconds=1),
        now,
        running=True,
    )
    assert run_job(bound, "collect", lambda ctx: None)
    with bound() as s:
        assert s.scalar(select(JobRun.outcome).where(JobRun.id == dead_id)) == "failed"


def test_a_holder_named_by_instance_waits_for_its_lease(
    bound: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Schedulers named apart (``HOS_INSTANCE``: containers sharing a host name) may not
    see each other's processes: a pid that is gone here proves nothing about them."""
    import subprocess
    import sys

    from hallofshame.config import reset_settings

    monkeypatch.setenv("HOS_INSTANCE", "sched-a")
    reset_settings()
    try:
        assert runs.holder_name() == f"sched-a:{os.getpid()}"
        gone = subprocess.Popen([sys.executable, "-c", "pass"])
        gone.wait()
        now = datetime.now(UTC).replace(microsecond=0)
        _lock_held(bound, "weather", f"sched-b:{gone.pid}", now, now, now + timedelta(seconds=30))
        assert not run_job(bound, "weather", lambda ctx: None)
    finally:
        monkeypatch.delenv("HOS_INSTANCE")
        reset_settings()
