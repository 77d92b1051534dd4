"""The webhook job: fan new breakdown events out, POST what is due, record the answers.

Three short transactions per run and none open while a receiver is waited on: the POSTs
run between the read of what is due and the write of what came back. A process that
dies mid-run leaves its deliveries pending, so they are sent again (at least once).
"""

from __future__ import annotations

import logging
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import httpx
from sqlalchemy.orm import Session, sessionmaker

from hallofshame import clock
from hallofshame.db.dialects import begin_writing
from hallofshame.jobs.runs import LEASE, JobContext, run_job
from hallofshame.webhooks.delivery import (
    Attempt,
    Due,
    due_deliveries,
    fan_out,
    has_work,
    post,
    record,
)

log = logging.getLogger("hallofshame.webhooks")

JOB = "webhooks"
#: Seconds a receiver has to answer a POST (connect, send and first byte each).
TIMEOUT_S = 10.0
#: POSTs in flight at once: one slow receiver holds one worker, not the run.
WORKERS = 16


@dataclass
class DeliveryReport:
    fanned_out: int = 0
    attempted: int = 0
    delivered: int = 0
    failed: int = 0

    def summary(self) -> str:
        return (
            f"{self.fanned_out} deliveries queued, {self.attempted} attempted: "
            f"{self.delivered} delivered, {self.failed} failed"
        )


def deliver_once(
    factory: sessionmaker[Session],
    *,
    client: httpx.Client | None = None,
    rng: random.Random | None = None,
    timeout_s: float = TIMEOUT_S,
    workers: int = WORKERS,
) -> DeliveryReport:
    """One pass: fan out, POST the due deliveries (each at most once), record what came
    back; not recorded as a job (``webhooks_job`` is)."""
    report = DeliveryReport()
    rng = rng or random.Random()  # noqa: S311 (jitter, not a secret)
    with factory() as session, session.begin():
        begin_writing(session)
        report.fanned_out = fan_out(session, clock.now())
    with factory() as session:
        due = due_deliveries(session, clock.now())
    if not due:
        return report
    own = client is None
    http = client or httpx.Client(
        timeout=timeout_s,
        follow_redirects=False,  # a redirect is an answer we do not follow: not a 2xx
        limits=httpx.Limits(max_connections=workers),
    )
    # One worker per subscription, its deliveries in order: a receiver hears a
    # breakdown start before it ends. After a failure the rest wait for the next run, so
    # an unreachable receiver costs one timeout per run, not one per event.
    queues: dict[int, list[Due]] = {}
    for d in due:
        queues.setdefault(d.subscription_id, []).append(d)

    def send(queue: list[Due]) -> list[tuple[Due, Attempt]]:
        done = []
        for d in queue:
            attempt = post(http, d)
            done.append((d, attempt))
            if not attempt.ok:
                break
        return done

    try:
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            results = [r for rs in pool.map(send, queues.values()) for r in rs]
    finally:
        if own:
            http.close()
    with factory() as session, session.begin():
        begin_writing(session)
        record(session, results, clock.now(), rng)
    report.attempted = len(results)
    report.delivered = sum(1 for _, a in results if a.ok)
    report.failed = report.attempted - report.delivered
    for d, a in results:
        if not a.ok:
            log.warning(
                "webhook %s to subscription %s: %s", d.event_key, d.subscription_id, a.error
            )
    return report


def webhooks_job(
    factory: sessionmaker[Session],
    *,
    client: httpx.Client | None = None,
    rng: random.Random | None = None,
    timeout_s: float = TIMEOUT_S,
    lease: timedelta = LEASE,
) -> DeliveryReport:
    """``deliver_once`` as a recorded job that never overlaps itself (its lock held for
    ``lease``, renewed as it goes); when there is nothing to send (most of the
    scheduler's looks) nothing runs and nothing is recorded."""
    report = DeliveryReport()
    with factory() as session:
        if not has_work(session, clock.now()):
            return report

    def body(ctx: JobContext) -> None:
        nonlocal report
        report = deliver_once(factory, client=client, rng=rng, timeout_s=timeout_s)
        ctx.rows = report.delivered
        ctx.message = report.summary()

    run_job(factory, JOB, body, lease=lease)
    return report
