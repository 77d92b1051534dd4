"""Webhook deliveries: fan-out, signed bodies, one POST, and what an answer changes.

The session functions take the caller's ``Session`` and never commit; the POST takes no
session at all. The job (``jobs.webhooks``) puts them together so that no transaction
is open while a receiver is waited on.

Delivery is at least once: a delivery stays pending until a 2xx answer, retried with
exponential backoff and jitter; a subscription whose every attempt has failed for a day
is disabled (its pending deliveries are kept, unsent).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hallofshame import __version__
from hallofshame.backoff import equal_jitter
from hallofshame.db.models import (
    BreakdownEvent,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
    WebhookSubscriptionPark,
)
from hallofshame.domain.tiers import TIER_WEIGHTS, weight
from hallofshame.webhooks.outbox import STARTED

SIGNATURE_HEADER = "X-HallOfShame-Signature"
EVENT_HEADER = "X-HallOfShame-Event"
EVENT_ID_HEADER = "X-HallOfShame-Event-Id"
DELIVERY_HEADER = "X-HallOfShame-Delivery"

FORMATS = ("json", "discord", "slack")
PENDING, DELIVERED = "pending", "delivered"

#: The first retry waits about this long; each further one twice as long, up to the cap.
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
#: A subscription failing without a single success for this long is disabled.
DISABLE_AFTER = timedelta(days=1)
#: Events fanned out, and deliveries attempted, per step of a run.
BATCH = 500


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: HMAC-SHA256 of the raw body under the secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts: int, rng: random.Random) -> timedelta:
    """The wait after the ``attempts``-th failure: doubling from ``BACKOFF_BASE`` to
    ``BACKOFF_CAP``, then a random half of it taken off so that receivers that failed
    together are not all retried in the same second."""
    seconds = equal_jitter(
        attempts - 1, BACKOFF_BASE.total_seconds(), BACKOFF_CAP.total_seconds(), rng.random()
    )
    return timedelta(seconds=seconds)


# --- fan-out ----------------------------------------------------------------------------


def _effective_tier(tier: int | None) -> int:
    """An unclassified ride is filtered as the tier it weighs like (METRICS.md §1)."""
    if tier is not None:
        return tier
    return next(t for t, w in TIER_WEIGHTS.items() if t is not None and w == weight(None))


def wants(sub: WebhookSubscription, parks: set[int], payload: dict[str, Any]) -> bool:
    """Whether the subscription's filters let the event through.

    A minimum duration can only be judged once a breakdown has ended: a subscription with
    one hears only ``breakdown.ended`` of breakdowns that lasted at least that long.
    """
    if parks and payload["park_id"] not in parks:
        return False
    if sub.max_tier is not None and _effective_tier(payload["tier"]) > sub.max_tier:
        return False
    if sub.min_duration_minutes > 0:
        if payload["event_type"] == STARTED:
            return False
        return int(payload["duration_seconds"]) >= sub.min_duration_minutes * 60
    return True


def fan_out(session: Session, now: datetime) -> int:
    """Owe each new event to every active subscription that wants it; deliveries made."""
    events = list(
        session.scalars(
            select(BreakdownEvent)
            .where(BreakdownEvent.dispatched_at.is_(None))
            .order_by(BreakdownEvent.id)
            .limit(BATCH)
        )
    )
    if not events:
        return 0
    subs = list(session.scalars(select(WebhookSubscription).where(WebhookSubscription.active)))
    parks: dict[int, set[int]] = {s.id: set() for s in subs}
    for sub_id, park_id in session.execute(
        select(WebhookSubscriptionPark.subscription_id, WebhookSubscriptionPark.park_id)
    ):
        parks.setdefault(sub_id, set()).add(park_id)
    rows: list[dict[str, Any]] = []
    for event in events:
        payload = json.loads(event.payload)
        rows.extend(
            {
                "subscription_id": sub.id,
                "event_id": event.id,
                "state": PENDING,
                "attempts": 0,
                "created_at": now,
                "next_attempt_at": now,
            }
            for sub in subs
            if wants(sub, parks[sub.id], payload)
        )
    if rows:
        session.execute(WebhookDelivery.__table__.insert(), rows)  # type: ignore[attr-defined]
    session.execute(
        update(BreakdownEvent)
        .where(BreakdownEvent.id.in_([e.id for e in events]))
        .values(dispatched_at=now)
    )
    return len(rows)


# --- one POST ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """A delivery to attempt, detached from any session."""

    delivery_id: int
    subscription_id: int
    url: str
    secret: str
    body_format: str
    event_key: str
    event_type: str
    payload: str
    attempts: int


def has_work(session: Session, now: datetime) -> bool:
    """Whether an event waits to be fanned out or a delivery is due: two indexed seeks, so
    the job's timer can look often without recording a run each time."""
    d, s = WebhookDelivery, WebhookSubscription
    undispatched = select(BreakdownEvent.id).where(BreakdownEvent.dispatched_at.is_(None))
    due = (
        select(d.id)
        .join(s, s.id == d.subscription_id)
        .where(d.state == PENDING, d.next_attempt_at <= now, s.active)
    )
    return (
        session.scalar(undispatched.limit(1)) is not None
        or session.scalar(due.limit(1)) is not None
    )


def due_deliveries(session: Session, now: datetime, limit: int = BATCH) -> list[Due]:
    """Pending deliveries of active subscriptions whose next attempt is due, in the order
    their events happened."""
    d, s, e = WebhookDelivery, WebhookSubscription, BreakdownEvent
    stmt = (
        select(
            d.id,
            d.subscription_id,
            s.url,
            s.secret,
            s.body_format,
            e.event_key,
            e.event_type,
            e.payload,
            d.attempts,
        )
        .join(s, s.id == d.subscription_id)
        .join(e, e.id == d.event_id)
        .where(d.state == PENDING, d.next_attempt_at <= now, s.active)
        .order_by(d.id)
        .limit(limit)
    )
    return [Due(*row) for row in session.execute(stmt)]


def text_of(payload: dict[str, Any]) -> str:
    """One line for chat (the ``discord`` and ``slack`` formats)."""
    tier = f"tier {payload['tier']}" if payload["tier"] is not None else "unclassified"
    start = payload["start_local"][11:16]
    where = f"{payload['ride_name']} ({tier}) at {payload['park_name']}"
    if payload["event_type"] == STARTED:
        return f"DOWN: {where}, since {start} local time."
    return (
        f"BACK UP: {where}, down from {start} to {payload['end_local'][11:16]} local time "
        f"({payload['duration_minutes']} min)."
    )


def body_of(due: Due) -> bytes:
    """The raw body: the event itself, or a chat message carrying it for Discord/Slack."""
    if due.body_format == "json":
        return due.payload.encode()
    payload = json.loads(due.payload)
    key = "content" if due.body_format == "discord" else "text"
    return json.dumps({key: text_of(payload)}, ensure_ascii=False).encode()


@dataclass(frozen=True)
class Attempt:
    delivery_uuid: str
    status_code: int | None
    error: str | None
    elapsed_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(client: httpx.Client, due: Due) -> Attempt:
    """POST one delivery; never raises (a failure is an ``Attempt`` with its error)."""
    body = body_of(due)
    delivery = str(uuid.uuid4())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"hallofshame-webhooks/{__version__}",
        SIGNATURE_HEADER: sign(due.secret, body),
        EVENT_HEADER: due.event_type,
        EVENT_ID_HEADER: due.event_key,
        DELIVERY_HEADER: delivery,
    }
    t0 = time.perf_counter()
    status: int | None = None
    error: str | None = None
    try:
        # Streamed and not read: a receiver's answer body is of no use to us, and a huge
        # one must not be loaded.
        with client.stream("POST", due.url, content=body, headers=headers) as answer:
            status = answer.status_code
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except httpx.TimeoutException as exc:
        error = f"timeout: {type(exc).__name__}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    elapsed = int((time.perf_counter() - t0) * 1000)
    return Attempt(delivery, status, error, elapsed)


# --- what an answer changes -------------------------------------------------------------


def record(
    session: Session,
    results: Sequence[tuple[Due, Attempt]],
    now: datetime,
    rng: random.Random,
) -> None:
    """Log each attempt, settle or reschedule its delivery, and judge its subscription."""
    for due, attempt in results:
        delivery = session.get(WebhookDelivery, due.delivery_id)
        sub = session.get(WebhookSubscription, due.subscription_id)
        if delivery is None or sub is None:  # deleted while it was being sent
            continue
        session.add(
            WebhookAttempt(
                delivery_id=delivery.id,
                delivery_uuid=attempt.delivery_uuid,
                attempted_at=now,
                status_code=attempt.status_code,
                error=attempt.error,
                elapsed_ms=attempt.elapsed_ms,
            )
        )
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.last_status = attempt.status_code
        delivery.last_error = attempt.error
        if attempt.ok:
            delivery.state, delivery.delivered_at = DELIVERED, now
            sub.failing_since = None
            continue
        delivery.next_attempt_at = now + backoff(delivery.attempts, rng)
        if sub.failing_since is None:
            sub.failing_since = now
        elif sub.active and now - sub.failing_since >= DISABLE_AFTER:
            sub.active = False
            sub.disabled_at = now
            sub.disabled_reason = (
                f"every attempt failed since {sub.failing_since.isoformat()}; last: {attempt.error}"
            )[:500]
    session.flush()
