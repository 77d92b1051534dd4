"""Every job run is logged, timed and recorded in ``job_runs``, and never overlaps itself.

The overlap guard is a row in ``job_runs`` with outcome ``running``, taken in its own
transaction: a second process that finds a fresh one for the same job stands down.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from hallofshame import clock
from hallofshame.db.models import JobRun

log = logging.getLogger("hallofshame.jobs")

#: A "running" row older than this is taken to be from a process that died.
STALE_AFTER = timedelta(hours=2)


class JobBusy(RuntimeError):
    pass


@dataclass
class JobContext:
    session: Session
    rows: int = 0
    message: str | None = None


@contextmanager
def job_run(
    factory: sessionmaker[Session], name: str, *, exclusive: bool = True
) -> Iterator[JobContext]:
    """Run a job in its own session; record start, end, duration, outcome and rows."""
    started = clock.now().replace(microsecond=0)
    with factory() as s, s.begin():
        if exclusive and s.scalar(
            select(JobRun.id).where(
                JobRun.job == name,
                JobRun.outcome == "running",
                JobRun.started_at > started - STALE_AFTER,
            )
        ):
            raise JobBusy(f"{name} is already running")
        run = JobRun(job=name, started_at=started, outcome="running")
        s.add(run)
        s.flush()
        run_id = run.id
    t0 = time.perf_counter()
    outcome, message = "ok", None
    ctx: JobContext | None = None
    try:
        with factory() as session, session.begin():
            ctx = JobContext(session=session)
            yield ctx
            message = ctx.message
    except Exception as exc:
        outcome, message = "failed", f"{type(exc).__name__}: {exc}"[:1000]
        log.exception("job %s failed", name)
        raise
    finally:
        elapsed = int((time.perf_counter() - t0) * 1000)
        with factory() as s, s.begin():
            s.execute(
                update(JobRun)
                .where(JobRun.id == run_id)
                .values(
                    finished_at=clock.now().replace(microsecond=0),
                    duration_ms=elapsed,
                    outcome=outcome,
                    rows=ctx.rows if ctx else None,
                    message=message,
                )
            )
        log.info("job %s %s in %d ms, %s rows", name, outcome, elapsed, ctx.rows if ctx else 0)


def run_job(factory: sessionmaker[Session], name: str, body: Callable[[JobContext], None]) -> bool:
    """Run ``body`` as job ``name``; False when another run of it is in progress."""
    try:
        with job_run(factory, name) as ctx:
            body(ctx)
    except JobBusy:
        log.warning("skipping %s: the previous run is still going", name)
        return False
    return True
