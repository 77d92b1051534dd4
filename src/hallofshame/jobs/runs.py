"""Every job run is logged, timed and recorded in ``job_runs``; an exclusive job never
overlaps itself, whichever process or host starts it.

The guard is the job's row in ``job_locks``: inserted (with the run's ``job_runs`` row) in
one short transaction, so the primary key admits exactly one holder on every database;
deleted when the run ends. The row is a lease with an end (``expires_at``): the holder
extends it while it runs, several times per lease; a row whose lease has run out belongs
to a process that died (or lost the database), and the next run takes it over (an UPDATE
that only matches a run-out row, so only one can). That one rule decides, on every host,
whether a holder is alive; ``lease_for`` says how long a lease is.

Every transaction here is short and its own: none is open while the job runs.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hallofshame import clock
from hallofshame.config import get_settings
from hallofshame.db.dialects import begin_writing
from hallofshame.db.models import JobLock, JobRun

log = logging.getLogger("hallofshame.jobs")

#: The lease of a job that asks for no shorter one (``lease_for``): its lock is taken over
#: once this long has passed since its holder's last renewal.
LEASE = timedelta(minutes=10)
#: The longest time between two renewals of a lease (a short lease is renewed more often).
HEARTBEAT_EVERY = timedelta(seconds=60)
#: Renewals per lease: a live holder would have to miss this many in a row to lose it.
RENEWALS_PER_LEASE = 4

#: Outcomes of a run: waiting to be picked up, going, and how it ended.
QUEUED, RUNNING, OK, FAILED = "queued", "running", "ok", "failed"


class JobBusy(RuntimeError):
    pass


class NotQueued(JobBusy):
    """The queued run to be claimed was claimed (or cancelled) meanwhile."""


@dataclass
class JobContext:
    session: Session
    run_id: int = 0
    rows: int = 0
    message: str | None = None


def lease_for(period: timedelta) -> timedelta:
    """The lease of a job that is due every ``period``: half of it, at most ``LEASE``.

    Why half: a holder that dies at instant d renewed its lease last before d, so the
    lease has run out by d + period / 2 (plus the second ``_lease_end`` rounds up to);
    the next due time after that, at most one period later, is claimed by a live
    scheduler, which takes the lock over. A dead holder is so replaced within two
    periods of its death (for a period of 2 s or more). The other half period is the
    margin for clocks that differ between hosts and for a slow renewal.
    """
    return min(LEASE, period / 2)


def _renew_every(lease: timedelta) -> timedelta:
    return min(HEARTBEAT_EVERY, lease / RENEWALS_PER_LEASE)


def _lease_end(lease: timedelta) -> datetime:
    """When a lease taken or renewed now runs out: rounded up to the whole second, the
    precision every database keeps (MariaDB's DATETIME drops fractions), so that storing
    it never shortens it."""
    end = datetime.now(UTC) + lease
    if end.microsecond:
        end = end.replace(microsecond=0) + timedelta(seconds=1)
    return end


def holder_name() -> str:
    """Who holds a lock or a claim: ``host:pid``, or ``instance:pid`` when the setting
    ``HOS_INSTANCE`` names this process's host otherwise."""
    return f"{get_settings().instance or socket.gethostname()}:{os.getpid()}"[:200]


def _died_here(holder: str) -> bool:
    """Whether ``holder`` (``host:pid``) was a process of this host that is gone (never
    for a holder named by ``HOS_INSTANCE``: its pid is not known to be of this host)."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except PermissionError:  # it exists, under another user
        return False
    return False


def _wall() -> datetime:
    """Lock instants are the real time, which every process shares (the application clock
    may be pinned, e.g. by ``HOS_NOW``, in one process and not in another)."""
    return datetime.now(UTC).replace(microsecond=0)


def _open_run(session: Session, name: str, started: datetime, queued_id: int | None) -> int:
    """The run's row: a new one, or the queued row ``queued_id`` claimed (else JobBusy)."""
    if queued_id is None:
        run = JobRun(job=name, started_at=started, outcome=RUNNING)
        session.add(run)
        session.flush()
        return run.id
    claimed = session.execute(
        update(JobRun)
        .where(JobRun.id == queued_id, JobRun.job == name, JobRun.outcome == QUEUED)
        .values(outcome=RUNNING, started_at=started)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise NotQueued(f"run {queued_id} of {name} is no longer queued")
    return queued_id


def _take_over(session: Session, name: str, run_id: int, now: datetime, lease: timedelta) -> bool:
    """Take lock ``name`` if its lease has run out; its previous run is marked failed."""
    row = session.execute(
        select(JobLock.run_id, JobLock.holder).where(JobLock.name == name)
    ).first()
    previous, holder = (row[0], row[1]) if row else (None, None)
    # ``now`` is whole seconds, as stored leases are: a lease ending at 12:00:05 is over
    # from 12:00:05 on.
    expired = JobLock.expires_at <= now
    if holder is not None and _died_here(holder):
        # A process of this host that no longer exists (killed, crashed) holds it: no need
        # to wait for its lease to run out.
        expired = or_(expired, JobLock.holder == holder)
    taken = session.execute(
        update(JobLock)
        .where(JobLock.name == name, expired)
        .values(
            run_id=run_id,
            holder=holder_name(),
            acquired_at=now,
            heartbeat_at=now,
            expires_at=_lease_end(lease),
        )
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return False
    if previous is not None:
        session.execute(
            update(JobRun)
            .where(JobRun.id == previous, JobRun.outcome == RUNNING)
            .values(
                outcome=FAILED,
                finished_at=clock.now().replace(microsecond=0),
                message=f"abandoned: its holder {holder} stopped before {now}",
            )
        )
    log.warning("%s: took over the lock of run %s (its lease ran out)", name, previous)
    return True


def start_run(
    factory: sessionmaker[Session],
    name: str,
    *,
    exclusive: bool = True,
    queued_id: int | None = None,
    lease: timedelta = LEASE,
) -> int:
    """Record a run of ``name`` as running (or claim the queued run ``queued_id``) and,
    for an exclusive job, take its lock for ``lease`` in the same transaction; JobBusy
    when another run holds it. Returns the run's id."""
    started = clock.now().replace(microsecond=0)
    if not exclusive:
        with factory() as s, s.begin():
            begin_writing(s)
            return _open_run(s, name, started, queued_id)
    now = _wall()
    try:
        with factory() as s, s.begin():
            begin_writing(s)
            run_id = _open_run(s, name, started, queued_id)
            s.add(
                JobLock(
                    name=name,
                    run_id=run_id,
                    holder=holder_name(),
                    acquired_at=now,
                    heartbeat_at=now,
                    expires_at=_lease_end(lease),
                )
            )
            s.flush()
            return run_id
    except IntegrityError:
        pass  # held: perhaps by a process that died
    with factory() as s, s.begin():
        begin_writing(s)
        run_id = _open_run(s, name, started, queued_id)
        if not _take_over(s, name, run_id, now, lease):
            raise JobBusy(f"{name} is already running")
        return run_id


def heartbeat(
    factory: sessionmaker[Session], name: str, run_id: int, lease: timedelta = LEASE
) -> bool:
    """Renew the lock's lease; False when the run no longer holds it."""
    with factory() as s, s.begin():
        begin_writing(s)
        result = s.execute(
            update(JobLock)
            .where(JobLock.name == name, JobLock.run_id == run_id)
            .values(heartbeat_at=_wall(), expires_at=_lease_end(lease))
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def finish_run(
    factory: sessionmaker[Session],
    name: str,
    run_id: int,
    *,
    outcome: str,
    elapsed_ms: int,
    rows: int | None,
    message: str | None,
    exclusive: bool,
) -> None:
    """Record how the run ended and give its lock back (only if it still holds it)."""
    with factory() as s, s.begin():
        begin_writing(s)
        s.execute(
            update(JobRun)
            .where(JobRun.id == run_id)
            .values(
                finished_at=clock.now().replace(microsecond=0),
                duration_ms=elapsed_ms,
                outcome=outcome,
                rows=rows,
                message=message,
            )
        )
        if exclusive:
            s.execute(delete(JobLock).where(JobLock.name == name, JobLock.run_id == run_id))


def set_progress(
    factory: sessionmaker[Session], run_id: int, done: int, total: int, unit: str
) -> None:
    """Record how far a run has got, in a short transaction of its own."""
    value = json.dumps({"done": done, "total": total, "unit": unit})
    with factory() as s, s.begin():
        begin_writing(s)
        s.execute(update(JobRun).where(JobRun.id == run_id).values(progress=value))


def _shares_one_connection(factory: sessionmaker[Session]) -> bool:
    return isinstance(factory.kw.get("bind"), Connection)


@contextmanager
def _heartbeating(
    factory: sessionmaker[Session], name: str, run_id: int, lease: timedelta
) -> Iterator[None]:
    """Renew the lock's lease from a thread while the job runs. Not for sessions bound
    to one connection (tests): a connection is not shared between threads."""
    if _shares_one_connection(factory):
        yield
        return
    stop = threading.Event()
    every = _renew_every(lease).total_seconds()

    def beat() -> None:
        while not stop.wait(every):
            try:
                if not heartbeat(factory, name, run_id, lease):
                    log.error("%s run %s lost its lock (taken over)", name, run_id)
                    return
            except Exception:  # the next beat tries again
                log.exception("%s run %s: heartbeat failed", name, run_id)

    thread = threading.Thread(target=beat, name=f"heartbeat-{name}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@contextmanager
def job_run(
    factory: sessionmaker[Session],
    name: str,
    *,
    exclusive: bool = True,
    queued_id: int | None = None,
    lease: timedelta = LEASE,
) -> Iterator[JobContext]:
    """Run a job: record start, end, duration, outcome and rows; an exclusive job holds
    its lock throughout (JobBusy, before anything runs, when another run holds it),
    renewing its ``lease`` (``lease_for`` the job's cadence) as it goes.

    ``queued_id`` runs a queued run (its row becomes this run's record). ``ctx.session``
    is the job's own session for jobs that write in one transaction; it takes a
    connection only when used, and is committed when the body returns.
    """
    run_id = start_run(factory, name, exclusive=exclusive, queued_id=queued_id, lease=lease)
    t0 = time.perf_counter()
    outcome, message = OK, None
    ctx: JobContext | None = None
    try:
        with (
            _heartbeating(factory, name, run_id, lease) if exclusive else _nothing(),
            factory() as session,
            session.begin(),
        ):
            ctx = JobContext(session=session, run_id=run_id)
            yield ctx
            message = ctx.message
    except Exception as exc:
        outcome, message = FAILED, f"{type(exc).__name__}: {exc}"[:1000]
        log.exception("job %s failed", name)
        raise
    finally:
        elapsed = int((time.perf_counter() - t0) * 1000)
        finish_run(
            factory,
            name,
            run_id,
            outcome=outcome,
            elapsed_ms=elapsed,
            rows=ctx.rows if ctx else None,
            message=message,
            exclusive=exclusive,
        )
        log.info("job %s %s in %d ms, %s rows", name, outcome, elapsed, ctx.rows if ctx else 0)


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def run_job(
    factory: sessionmaker[Session],
    name: str,
    body: Callable[[JobContext], None],
    *,
    lease: timedelta = LEASE,
) -> bool:
    """Run ``body`` as job ``name``; False when another run of it is in progress."""
    try:
        with job_run(factory, name, lease=lease) as ctx:
            body(ctx)
    except JobBusy:
        log.warning("skipping %s: the previous run is still going", name)
        return False
    return True


def queue_run(session: Session, name: str, params: dict[str, Any]) -> int:
    """Queue a run of ``name`` with ``params`` (in the caller's transaction); its id."""
    run = JobRun(
        job=name,
        started_at=clock.now().replace(microsecond=0),
        outcome=QUEUED,
        params=json.dumps(params, sort_keys=True),
    )
    session.add(run)
    session.flush()
    return run.id


def next_queued(factory: sessionmaker[Session], name: str) -> tuple[int, dict[str, Any]] | None:
    """The oldest queued run of ``name`` and its parameters."""
    with factory() as s:
        row = s.execute(
            select(JobRun.id, JobRun.params)
            .where(JobRun.job == name, JobRun.outcome == QUEUED)
            .order_by(JobRun.id)
            .limit(1)
        ).first()
    if row is None:
        return None
    return row.id, json.loads(row.params or "{}")
