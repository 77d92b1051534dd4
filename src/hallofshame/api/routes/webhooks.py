"""Webhook subscriptions: create, list, delete, and each one's delivery log.

Key-protected like every ``/api/admin`` route. A request only reads or writes rows, in
its own short transaction; the webhook job does every POST.
"""

from __future__ import annotations

from typing import Any

from hallofshame.api.common import blueprint as api_blueprint
from hallofshame.api.common import envelope, factory, now, primary_db
from hallofshame.api.errors import ApiError, not_found
from hallofshame.api.params import DeliveriesQuery, NoQuery, WebhookBody, WebhookPath
from hallofshame.api.routes.admin import require_api_key
from hallofshame.api.schemas import (
    Envelope,
    ErrorResponse,
    WebhookDeliveryItem,
    WebhookItem,
)
from hallofshame.db.dialects import begin_writing
from hallofshame.db.models import WebhookSubscription
from hallofshame.webhooks import subscriptions

bp = api_blueprint("webhooks", ["operations"])

KEYED: dict[int | str, Any] = {401: ErrorResponse, 403: ErrorResponse}


@bp.post(
    "/admin/webhooks",
    responses={201: Envelope[WebhookItem], 404: ErrorResponse, **KEYED},
    security=[{"apiKey": []}],
)
def create_webhook(body: WebhookBody) -> tuple[dict[str, Any], int]:
    """Subscribe a URL to breakdown.started and breakdown.ended events (signed)."""
    require_api_key()
    with factory()() as session, session.begin():
        begin_writing(session)
        try:
            sub = subscriptions.create(
                session,
                url=body.url,
                secret=body.secret,
                park_ids=body.park_ids,
                max_tier=body.max_tier,
                min_duration_minutes=body.min_duration_minutes,
                body_format=body.format,
                now=now(),
            )
        except subscriptions.UnknownParks as exc:
            # A park named that does not exist is not found, as its own URL would be
            # (and as clients of a schema-valid request expect); the field is named.
            raise ApiError(404, str(exc), parameter="park_ids", ids=exc.ids) from None
        item = subscriptions.as_item(sub, sorted(set(body.park_ids)))
    return envelope(item), 201


@bp.get(
    "/admin/webhooks",
    responses={200: Envelope[list[WebhookItem]], **KEYED},
    security=[{"apiKey": []}],
)
def list_webhooks(query: NoQuery) -> dict[str, Any]:
    """Every subscription, active or disabled (never its secret)."""
    require_api_key()
    return envelope(subscriptions.list_items(primary_db()))


@bp.delete(
    "/admin/webhooks/<int:webhook_id>",
    responses={204: None, **KEYED},
    security=[{"apiKey": []}],
)
def delete_webhook(path: WebhookPath, query: NoQuery) -> tuple[str, int]:
    """Delete a subscription and its delivery log; nothing more is sent to it."""
    require_api_key()
    with factory()() as session, session.begin():
        begin_writing(session)
        if not subscriptions.remove(session, path.webhook_id):
            raise not_found("webhook", path.webhook_id)
    return "", 204


@bp.get(
    "/admin/webhooks/<int:webhook_id>/deliveries",
    responses={200: Envelope[list[WebhookDeliveryItem]], **KEYED},
    security=[{"apiKey": []}],
)
def webhook_deliveries(path: WebhookPath, query: DeliveriesQuery) -> dict[str, Any]:
    """The subscription's latest deliveries, newest first, with every POST's answer."""
    require_api_key()
    session = primary_db()
    if session.get(WebhookSubscription, path.webhook_id) is None:
        raise not_found("webhook", path.webhook_id)
    return envelope(
        subscriptions.delivery_log(session, path.webhook_id, query.limit), limit=query.limit
    )
