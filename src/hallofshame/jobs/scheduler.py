"""The scheduler: collection every interval, webhook deliveries within seconds of the
cycle that saw a breakdown, schedules daily (and when today's is missing), weather
hourly, rollups shortly after each park's local midnight, retention nightly, and queued
jobs (recomputes asked for over the API) within seconds. Each job
runs in its own sessions, is recorded in ``job_runs`` and never overlaps itself, in this
process or any other (``job_locks``)."""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.orm import Session, sessionmaker

from hallofshame.config import get_settings
from hallofshame.ingest.collector import LiveSource
from hallofshame.jobs import tasks

log = logging.getLogger("hallofshame.scheduler")

#: How often the queue of jobs asked for over the API is looked at.
QUEUE_POLL_S = 5
#: How often the webhook job looks for events to send and retries that are due: a
#: breakdown reaches a receiver at most this long after the cycle that saw it (plus the
#: POST), without tying the collection job to a slow receiver.
WEBHOOK_POLL_S = 10


def build_scheduler(
    factory: sessionmaker[Session], source: LiveSource, *, collect_every_s: int | None = None
) -> BackgroundScheduler:
    interval = collect_every_s or get_settings().collect_interval
    sched = BackgroundScheduler(
        timezone="UTC",
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": interval},
    )
    sched.add_job(
        tasks.collect_cycle,
        "interval",
        seconds=interval,
        args=(factory, source),
        id="collect",
        name="collect",
    )
    add_webhook_job(sched, factory)
    sched.add_job(
        tasks.schedules_job,
        "interval",
        hours=1,
        args=(factory, source),
        kwargs={"only_missing": True},
        id="schedules-missing",
        name="schedules",
    )
    sched.add_job(
        tasks.schedules_job,
        "cron",
        hour=6,
        args=(factory, source),
        id="schedules-daily",
        name="schedules daily",
    )
    sched.add_job(
        tasks.weather_job, "interval", hours=1, args=(factory, source), id="weather", name="weather"
    )
    # Parks sit in many timezones: checking every 15 minutes rolls each park's day up
    # shortly after its own local midnight.
    sched.add_job(
        tasks.rollup_due, "interval", minutes=15, args=(factory,), id="rollups", name="rollups"
    )
    sched.add_job(
        tasks.run_queued,
        "interval",
        seconds=QUEUE_POLL_S,
        args=(factory,),
        id="queued",
        name="queued jobs",
    )
    sched.add_job(
        tasks.purge_raw,
        "cron",
        hour=3,
        minute=30,
        args=(factory,),
        id="retention",
        name="retention",
    )
    return sched


def add_webhook_job(sched: BackgroundScheduler, factory: sessionmaker[Session]) -> None:
    """Register the webhook job (after collection: it sends what the cycles recorded)."""
    from hallofshame.jobs.webhooks import webhooks_job

    sched.add_job(
        webhooks_job,
        "interval",
        seconds=WEBHOOK_POLL_S,
        args=(factory,),
        id="webhooks",
        name="webhooks",
    )
