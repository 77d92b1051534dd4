"""Webhook subscriptions and their delivery log, in the caller's transaction.

The secret is stored to sign with and never handed back: ``as_item`` leaves it out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hallofshame.db.models import (
    BreakdownEvent,
    Park,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
    WebhookSubscriptionPark,
)
from hallofshame.metrics.breakdown_entries import utc_text


class UnknownParks(ValueError):
    def __init__(self, ids: Sequence[int]) -> None:
        super().__init__(f"no park with id {', '.join(map(str, ids))}")
        self.ids = list(ids)


def _iso(value: datetime | None) -> str | None:
    return utc_text(value) if value is not None else None


def create(
    session: Session,
    *,
    url: str,
    secret: str,
    park_ids: Sequence[int],
    max_tier: int | None,
    min_duration_minutes: int,
    body_format: str,
    now: datetime,
) -> WebhookSubscription:
    wanted = sorted(set(park_ids))
    known = set(session.scalars(select(Park.id).where(Park.id.in_(wanted)))) if wanted else set()
    missing = [p for p in wanted if p not in known]
    if missing:
        raise UnknownParks(missing)
    sub = WebhookSubscription(
        url=url,
        secret=secret,
        body_format=body_format,
        max_tier=max_tier,
        min_duration_minutes=min_duration_minutes,
        active=True,
        created_at=now,
    )
    session.add(sub)
    session.flush()
    session.add_all(WebhookSubscriptionPark(subscription_id=sub.id, park_id=p) for p in wanted)
    session.flush()
    return sub


def park_ids_of(session: Session, sub_ids: Sequence[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {s: [] for s in sub_ids}
    if sub_ids:
        for sub_id, park_id in session.execute(
            select(WebhookSubscriptionPark.subscription_id, WebhookSubscriptionPark.park_id)
            .where(WebhookSubscriptionPark.subscription_id.in_(sub_ids))
            .order_by(WebhookSubscriptionPark.park_id)
        ):
            out[sub_id].append(park_id)
    return out


def as_item(sub: WebhookSubscription, park_ids: list[int]) -> dict[str, Any]:
    return {
        "webhook_id": sub.id,
        "url": sub.url,
        "format": sub.body_format,
        "park_ids": park_ids,
        "max_tier": sub.max_tier,
        "min_duration_minutes": sub.min_duration_minutes,
        "active": bool(sub.active),
        "created_at": _iso(sub.created_at),
        "failing_since": _iso(sub.failing_since),
        "disabled_at": _iso(sub.disabled_at),
        "disabled_reason": sub.disabled_reason,
    }


def list_items(session: Session) -> list[dict[str, Any]]:
    subs = list(session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id)))
    parks = park_ids_of(session, [s.id for s in subs])
    return [as_item(s, parks[s.id]) for s in subs]


def remove(session: Session, sub_id: int) -> bool:
    """Delete a subscription with its log; False when there is none. The children go
    explicitly: SQLite enforces no ON DELETE CASCADE unless asked to per connection."""
    if session.get(WebhookSubscription, sub_id) is None:
        return False
    deliveries = select(WebhookDelivery.id).where(WebhookDelivery.subscription_id == sub_id)
    session.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(deliveries)))
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.subscription_id == sub_id))
    session.execute(
        delete(WebhookSubscriptionPark).where(WebhookSubscriptionPark.subscription_id == sub_id)
    )
    session.execute(delete(WebhookSubscription).where(WebhookSubscription.id == sub_id))
    return True


def delivery_log(session: Session, sub_id: int, limit: int) -> list[dict[str, Any]]:
    """The subscription's latest deliveries, newest first, each with its attempts."""
    d, e = WebhookDelivery, BreakdownEvent
    rows = session.execute(
        select(d, e.event_key, e.event_type)
        .join(e, e.id == d.event_id)
        .where(d.subscription_id == sub_id)
        .order_by(d.id.desc())
        .limit(limit)
    ).all()
    attempts: dict[int, list[dict[str, Any]]] = {row[0].id: [] for row in rows}
    if attempts:
        for a in session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_(list(attempts)))
            .order_by(WebhookAttempt.id)
        ):
            attempts[a.delivery_id].append(
                {
                    "delivery_id": a.delivery_uuid,
                    "attempted_at": _iso(a.attempted_at),
                    "status_code": a.status_code,
                    "error": a.error,
                    "elapsed_ms": a.elapsed_ms,
                }
            )
    return [
        {
            "event_id": key,
            "event_type": kind,
            "state": delivery.state,
            "attempts": delivery.attempts,
            "created_at": _iso(delivery.created_at),
            "last_attempt_at": _iso(delivery.last_attempt_at),
            "last_status": delivery.last_status,
            "last_error": delivery.last_error,
            "next_attempt_at": _iso(delivery.next_attempt_at)
            if delivery.state == "pending"
            else None,
            "delivered_at": _iso(delivery.delivered_at),
            "log": attempts[delivery.id],
        }
        for delivery, key, kind in rows
    ]
