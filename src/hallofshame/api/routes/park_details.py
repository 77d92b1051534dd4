"""One park's score explained: the same snapshot as the ranking, ride by ride.

The figures of a named period are read from the details kept ready with the rankings
while they hold (``X-Ranking``), else computed (``metrics.park_details``); what only the
request's instant decides is added here to either.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import g
from sqlalchemy.orm import Session

from hallofshame.api.common import (
    blueprint,
    db,
    envelope,
    iso,
    metric_period,
    now,
    settings,
    snapshot,
)
from hallofshame.api.lookups import get_park
from hallofshame.api.params import ParkPath, PeriodQuery
from hallofshame.api.schemas import Envelope, ParkDetail
from hallofshame.api.views import outage_fields, outages_now_of, park_status
from hallofshame.db.models import Park
from hallofshame.domain.periods import Period
from hallofshame.domain.tiers import TIERS, weight
from hallofshame.metrics import live, stored_rankings
from hallofshame.metrics import park_details as details
from hallofshame.metrics.rankings import ParkRow

bp = blueprint("park_details", ["parks"])


def _kept(session: Session, park: Park, period: Period) -> dict[str, Any] | None:
    """The park's details kept ready for a named period, if they still hold."""
    if period.kind.value not in stored_rankings.DETAILS_PERIODS:
        return None  # never kept: running periods change with every cycle
    answer = stored_rankings.holding(
        session,
        stored_rankings.PARK_DETAILS,
        str(metric_period(period)),
        settings().metrics_version,
        now(),
    )
    return None if answer is None else stored_rankings.body_of(session, answer, park.id)


def _computed(session: Session, park: Park, period: Period) -> dict[str, Any]:
    snap = snapshot(period, park_id=park.id)
    row: ParkRow | None = snap.parks[0] if snap.parks else None
    return details.body(
        session,
        park,
        row,
        snap.period,
        now=now(),
        version=settings().metrics_version,
    )


def _add_now(session: Session, park: Park, data: dict[str, Any]) -> None:
    """What the request's instant decides: each ride's state now (and stay-or-go fields),
    the rides not counted now and why, the tiers counted now, the park's status now."""
    at = now()
    cycles = live.live_cycles(session, [park], at)
    states = live.ride_states(session, [park], at, cycles=cycles)
    listed = [item["ride_id"] for item in data["rides"]]
    down = outages_now_of(session, [park], states, listed, at)
    for item in data["rides"]:
        state = states.get(item["ride_id"])
        item["status"] = state.state if state is not None else live.UNKNOWN
        item.update(outage_fields(down.get(item["ride_id"])))
    roster = live.roster(session, park, at)
    tiers = Counter(e.ride.tier for e in roster if e.eligible)
    data["excluded_rides"] = [
        {
            "ride_id": e.ride.id,
            "name": e.ride.name,
            "category": e.ride.category,
            "last_operated_at": iso(e.last_operated_at),
            "reason": e.reason,
        }
        for e in roster
        if not e.eligible
    ]
    data["tier_distribution"] = [
        {"tier": t, "weight": weight(t), "rides": tiers.get(t, 0)} for t in (*TIERS, None)
    ]
    data["current_status"] = park_status(session, park, at, states, cycles)


@bp.get("/parks/<int:park_id>/details", responses={200: Envelope[ParkDetail]})
def park_details(path: ParkPath, query: PeriodQuery) -> dict[str, Any]:
    """Why the park scores what it scores: its figures, ride by ride, for a period."""
    session = db()
    park = get_park(session, path.park_id)
    period = query.parsed_period()
    body = _kept(session, park, period)
    g.hos_ranking = "computed" if body is None else "stored"
    if body is None:
        body = _computed(session, park, period)
    _add_now(session, park, body["data"])
    return envelope(body["data"], period=period.key, **body["meta"])
