"""The scheduler: collection every interval, webhook deliveries within seconds of the
cycle that saw a breakdown, schedules daily (and when today's is missing), weather
hourly, rollups shortly after each park's local midnight, retention nightly, and queued
jobs (recomputes asked for over the API) within seconds. Each job
runs in its own sessions, is recorded in ``job_runs`` and never overlaps itself, in this
process or any other (``job_locks``).

Several schedulers may run against one database (on several hosts, for availability):
each job fires on every one of them at the same due times, and runs on the one that
claims the due time (``due``). When a scheduler dies, the others carry on at the next
due times; the collection lock's lease is half an interval, so a run the dead one held
is taken over within two intervals (``runs.lease_for``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.orm import Session, sessionmaker

from hallofshame.config import get_settings
from hallofshame.ingest.collector import LiveSource
from hallofshame.jobs import tasks
from hallofshame.jobs.due import Cadence, run_on_time
from hallofshame.jobs.runs import lease_for

log = logging.getLogger("hallofshame.scheduler")

#: How often the queue of jobs asked for over the API is looked at.
QUEUE_POLL_S = 5
#: How often the webhook job looks for events to send and retries that are due: a
#: breakdown reaches a receiver at most this long after the cycle that saw it (plus the
#: POST), without tying the collection job to a slow receiver.
WEBHOOK_POLL_S = 10

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def build_scheduler(
    factory: sessionmaker[Session], source: LiveSource, *, collect_every_s: int | None = None
) -> BackgroundScheduler:
    interval = collect_every_s or get_settings().collect_interval
    sched = BackgroundScheduler(
        timezone="UTC",
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": interval},
    )
    add_due_job(
        sched,
        factory,
        "collect",
        Cadence(timedelta(seconds=interval)),
        tasks.collect_cycle,
        factory,
        source,
        interval_s=interval,
    )
    add_webhook_job(sched, factory)
    add_due_job(
        sched,
        factory,
        "schedules-missing",
        Cadence(HOUR),
        tasks.schedules_job,
        factory,
        source,
        only_missing=True,
    )
    # Daily at 06:00 UTC.
    add_due_job(
        sched,
        factory,
        "schedules-daily",
        Cadence(DAY, timedelta(hours=6)),
        tasks.schedules_job,
        factory,
        source,
    )
    add_due_job(sched, factory, "weather", Cadence(HOUR), tasks.weather_job, factory, source)
    # Parks sit in many timezones: checking every 15 minutes rolls each park's day up
    # shortly after its own local midnight.
    add_due_job(
        sched, factory, "rollups", Cadence(timedelta(minutes=15)), tasks.scheduled_rollups, factory
    )
    add_due_job(
        sched,
        factory,
        "queued",
        Cadence(timedelta(seconds=QUEUE_POLL_S)),
        tasks.run_queued,
        factory,
    )
    # Nightly at 03:30 UTC.
    add_due_job(
        sched,
        factory,
        "retention",
        Cadence(DAY, timedelta(hours=3, minutes=30)),
        tasks.purge_raw,
        factory,
    )
    return sched


def add_due_job(
    sched: BackgroundScheduler,
    factory: sessionmaker[Session],
    job_id: str,
    cadence: Cadence,
    func: Callable[..., object],
    *args: Any,
    **kwargs: Any,
) -> None:
    """Fire ``func(*args, **kwargs)`` at ``cadence``'s due times, run by whichever
    scheduler claims each (``job_id`` names the job's claims)."""

    def work() -> object:
        return func(*args, **kwargs)

    sched.add_job(
        run_on_time,
        cadence.trigger(),
        args=(factory, job_id, cadence, work),
        id=job_id,
        name=job_id,
    )


def add_webhook_job(sched: BackgroundScheduler, factory: sessionmaker[Session]) -> None:
    """Register the webhook job (after collection: it sends what the cycles recorded)."""
    from hallofshame.jobs.webhooks import webhooks_job

    every = timedelta(seconds=WEBHOOK_POLL_S)
    add_due_job(
        sched, factory, "webhooks", Cadence(every), webhooks_job, factory, lease=lease_for(every)
    )
