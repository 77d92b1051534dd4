"""Due times, and their claims: every scheduled job runs once per due time, however many
schedulers (on however many hosts) run against one database.

A job's due times are the instants ``offset + n × every`` counted from the Unix epoch
(collection every 300 s is due at :00, :05, …; the nightly retention, every day at
03:30 UTC). Every scheduler fires every job at each of them (its triggers are ``trigger``),
works out the due time it fired for from its own clock (``Cadence.due_at``, the one place
that does) and claims it by inserting a ``job_claims`` row: the primary key (job, due
time) admits one insert on every database, that scheduler runs the job, and the others
stand down. No leader is elected, so none has to be replaced: when a scheduler dies, the
next due time is claimed by one that is alive.

The assumption is that the hosts' clocks agree (NTP) to well within half the shortest
period: a host whose clock is ahead fires, and claims, first; one whose clock is off by
more than a period would work out another due time than the others. A claim only ever
keeps a due time from running twice; the job's own lock (``runs``) still keeps a run that
outlasts its period from overlapping the next one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hallofshame.db.dialects import begin_writing
from hallofshame.db.models import JobClaim
from hallofshame.jobs.runs import holder_name

log = logging.getLogger("hallofshame.jobs")

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: How long claims are kept: each new claim deletes its job's claims older than this.
CLAIMS_KEPT = timedelta(days=1)


@dataclass(frozen=True)
class Cadence:
    """When a job is due: every ``every``, ``offset`` past each multiple of it since the
    epoch (whole seconds: the precision every database stores a due time at)."""

    every: timedelta
    offset: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        if self.every.total_seconds() < 1 or self.every % timedelta(seconds=1):
            raise ValueError(f"a period of whole seconds is needed, not {self.every}")
        if self.offset % timedelta(seconds=1) or not timedelta(0) <= self.offset < self.every:
            raise ValueError(f"an offset of whole seconds within the period, not {self.offset}")

    def due_at(self, now: datetime) -> datetime:
        """The due time ``now`` belongs to: the latest at or before it. A scheduler fires
        at a due time or a little after it (never before), so the instant it reads its
        clock belongs to the due time it fired for."""
        return now - (now - EPOCH - self.offset) % self.every

    def trigger(self) -> IntervalTrigger:
        """APScheduler's trigger firing at exactly these due times."""
        return IntervalTrigger(
            seconds=int(self.every.total_seconds()), start_date=EPOCH + self.offset, timezone=UTC
        )


def claim(factory: sessionmaker[Session], job: str, due: datetime) -> bool:
    """Claim ``job``'s due time ``due`` for this process, in a short transaction of its
    own; False when another scheduler has claimed it. The job's claims older than a day
    go in the same transaction (the table stays a day long)."""
    try:
        with factory() as s, s.begin():
            begin_writing(s)
            s.add(
                JobClaim(
                    job=job,
                    due_at=due,
                    holder=holder_name(),
                    claimed_at=datetime.now(UTC).replace(microsecond=0),
                )
            )
            s.flush()  # the insert first: a refused one ends the transaction on PostgreSQL
            s.execute(
                delete(JobClaim).where(JobClaim.job == job, JobClaim.due_at < due - CLAIMS_KEPT)
            )
    except IntegrityError:
        return False
    return True


def run_due(
    factory: sessionmaker[Session],
    job: str,
    due: datetime,
    work: Callable[[], object],
) -> bool:
    """Run ``work`` as ``job``'s run for due time ``due`` if this process claims it;
    False (and nothing run) when another scheduler has it."""
    if not claim(factory, job, due):
        log.debug("%s due %s: claimed by another scheduler", job, due.isoformat())
        return False
    work()
    return True


def run_on_time(
    factory: sessionmaker[Session], job: str, cadence: Cadence, work: Callable[[], object]
) -> bool:
    """What a scheduler fires: ``run_due`` for the due time the real clock is in (the
    application clock may be pinned, e.g. by ``HOS_NOW``; due times are real instants
    that every scheduler must agree on)."""
    return run_due(factory, job, cadence.due_at(datetime.now(UTC)), work)
