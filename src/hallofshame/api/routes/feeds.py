"""Atom feeds of recent breakdowns: all parks, one park, one ride.

Not part of the JSON API (no envelope, not in the OpenAPI document), but its errors
have the API's JSON shape: a bad parameter is a 400 naming it, an unknown id a 404.
Each answer carries ``ETag``, ``Last-Modified`` and ``Cache-Control``; a matching
``If-None-Match`` (or, without one, an ``If-Modified-Since`` not older than the feed's
``updated``) gets 304.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from flask import Blueprint, Response, request
from sqlalchemy import func, select

from hallofshame.api import atom
from hallofshame.api.common import db, now, settings
from hallofshame.api.errors import invalid, not_found
from hallofshame.api.lookups import get_park, get_ride
from hallofshame.api.params import MAX_ID
from hallofshame.db.models import Cycle
from hallofshame.domain.tiers import TIERS
from hallofshame.metrics.breakdown_entries import BreakdownEntry, recent_breakdowns, tag_uri

bp = Blueprint("feeds", __name__, url_prefix="/feeds")

#: Entries per feed: the most recently changed.
MAX_ENTRIES = 50
#: Feeds change at most once a collection cycle; a reader polling faster gains nothing.
MAX_AGE_S = 60
#: The ``updated`` of a feed about parks that have never been polled.
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def _only(allowed: Iterable[str]) -> None:
    names = sorted(allowed)
    for name in request.args:
        if name not in names:
            raise invalid(name, f"unknown parameter {name!r}", names)


def _int_arg(name: str, low: int, high: int) -> int | None:
    values = request.args.getlist(name)
    if not values:
        return None
    if len(values) > 1:
        raise invalid(name, f"{name} may be given once", f"an integer from {low} to {high}")
    text = values[0].strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise invalid(
            name,
            f"{name}: {values[0]!r} is not an integer from {low} to {high}",
            f"an integer from {low} to {high}",
        )
    return int(text)


def _id(what: str, value: int) -> int:
    """An id in the path; beyond the column's range nothing can have it."""
    if not 1 <= value <= MAX_ID:
        raise not_found(what, value)
    return value


def _latest_cycle(park_ids: list[int] | None) -> datetime:
    stmt = select(func.max(Cycle.ts))
    if park_ids is not None:
        stmt = stmt.where(Cycle.park_id.in_(park_ids))
    latest = db().scalar(stmt)
    if latest is None:
        return NEVER
    return latest if latest.tzinfo else latest.replace(tzinfo=UTC)


def _answer(
    *,
    specific: str,
    title: str,
    entries: list[BreakdownEntry],
    park_ids: list[int] | None,
) -> Response:
    cfg = settings()
    root = request.url_root
    updated = max((e.updated for e in entries), default=None) or _latest_cycle(park_ids)
    info = atom.FeedInfo(
        feed_id=tag_uri(cfg.feed_authority, specific),
        title=title,
        self_url=request.url,
        alternate_url=root,
        updated=updated,
    )
    body = atom.render(info, entries, authority=cfg.feed_authority, root_url=root)
    response = Response(body, content_type=atom.CONTENT_TYPE)
    response.set_etag(atom.etag_of(body))
    response.last_modified = updated
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE_S}"
    response.make_conditional(request)
    return response


@bp.get("/breakdowns.atom")
def all_breakdowns() -> Response:
    """Every active park's recent breakdowns; ``tier`` and ``park_id`` narrow it."""
    _only(("tier", "park_id"))
    tier = _int_arg("tier", min(TIERS), max(TIERS))
    park_id = _int_arg("park_id", 1, MAX_ID)
    park_ids = None
    specific = "feeds/breakdowns"
    title = "Ride breakdowns"
    if park_id is not None:
        park = get_park(db(), park_id)
        park_ids = [park.id]
        specific += f"/park-{park.id}"
        title += f" at {park.name}"
    if tier is not None:
        specific += f"/tier-{tier}"
        title += f", tier {tier} rides"
    entries = recent_breakdowns(db(), now=now(), park_ids=park_ids, tier=tier, limit=MAX_ENTRIES)
    return _answer(specific=specific, title=title, entries=entries, park_ids=park_ids)


@bp.get("/parks/<int:park_id>.atom")
def park_breakdowns(park_id: int) -> Response:
    """One park's recent breakdowns."""
    _only(())
    park = get_park(db(), _id("park", park_id))
    entries = recent_breakdowns(db(), now=now(), park_ids=[park.id], limit=MAX_ENTRIES)
    return _answer(
        specific=f"feeds/parks/{park.id}",
        title=f"Ride breakdowns at {park.name}",
        entries=entries,
        park_ids=[park.id],
    )


@bp.get("/rides/<int:ride_id>.atom")
def ride_breakdowns(ride_id: int) -> Response:
    """One ride's recent breakdowns."""
    _only(())
    ride = get_ride(db(), _id("ride", ride_id))
    park = get_park(db(), ride.park_id)
    entries = recent_breakdowns(
        db(), now=now(), park_ids=[park.id], ride_id=ride.id, limit=MAX_ENTRIES
    )
    return _answer(
        specific=f"feeds/rides/{ride.id}",
        title=f"Breakdowns of {ride.name} at {park.name}",
        entries=entries,
        park_ids=[park.id],
    )
