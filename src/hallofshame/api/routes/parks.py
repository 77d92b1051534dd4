"""Parks: the catalog, the downtime and wait rankings, one park, its roster."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hallofshame.api.common import (
    blueprint,
    db,
    envelope,
    iso,
    now,
    settings,
)
from hallofshame.api.lookups import get_park
from hallofshame.api.params import NoQuery, ParkDowntimeQuery, ParkPath, WaitQuery
from hallofshame.api.ranked import ranked
from hallofshame.api.schemas import (
    Envelope,
    ParkDowntimeItem,
    ParkItem,
    ParkOne,
    ParkWaitItem,
    RosterItem,
)
from hallofshame.api.views import add_state_now, park_status
from hallofshame.db.models import Park
from hallofshame.domain.localtime import local_date_of
from hallofshame.domain.tiers import weight
from hallofshame.ingest.schedules import windows_on
from hallofshame.metrics import live
from hallofshame.metrics.present import park_item
from hallofshame.metrics.ranking_lists import PARK_DOWNTIME, PARK_WAITS, summary, window_meta
from hallofshame.metrics.timeseries import iso_utc
from hallofshame.metrics.windows import attraction_counts

bp = blueprint("parks", ["parks"])


@bp.get("/parks", responses={200: Envelope[list[ParkItem]]})
def parks_list(query: NoQuery) -> dict[str, Any]:
    """Every tracked park."""
    parks = list(db().scalars(select(Park).where(Park.active.is_(True)).order_by(Park.name)))
    counts = attraction_counts(db(), [p.id for p in parks])
    return envelope([park_item(p, counts.get(p.id, 0)) for p in parks])


@bp.get("/parks/downtime", responses={200: Envelope[list[ParkDowntimeItem]]})
def parks_downtime(query: ParkDowntimeQuery) -> dict[str, Any]:
    """Parks ranked by shame score (or another figure) over a period."""
    period = query.parsed_period()
    answer = ranked(PARK_DOWNTIME, period, query.filter, query.fidelity, query.sort_by, query.limit)
    add_state_now(db(), answer.items, answer.parks, period.kind, now(), is_park=True, downtime=True)
    return envelope(
        answer.items,
        period=period.key,
        filter=query.filter,
        fidelity=query.fidelity,
        sort_by=query.sort_by,
        limit=query.limit,
        metrics_version=settings().metrics_version,
        summary=summary(answer.parts),
        **window_meta(answer.parts),
    )


@bp.get("/parks/waittimes", responses={200: Envelope[list[ParkWaitItem]]})
def parks_waittimes(query: WaitQuery) -> dict[str, Any]:
    """Parks ranked by average (or peak) posted wait over a period."""
    period = query.parsed_period()
    answer = ranked(PARK_WAITS, period, query.filter, query.fidelity, query.sort_by, query.limit)
    return envelope(
        answer.items,
        period=period.key,
        filter=query.filter,
        fidelity=query.fidelity,
        sort_by=query.sort_by,
        limit=query.limit,
        metrics_version=settings().metrics_version,
        **window_meta(answer.parts),
    )


@bp.get("/parks/<int:park_id>", responses={200: Envelope[ParkOne]})
def park_one(path: ParkPath, query: NoQuery) -> dict[str, Any]:
    """One park with its current status."""
    park = get_park(db(), path.park_id)
    item = park_item(park, attraction_counts(db(), [park.id]).get(park.id, 0))
    item["current_status"] = park_status(db(), park, now())
    today = local_date_of(now(), park.timezone)
    windows = windows_on(db(), park.id, today)
    item["schedule_date"] = today.isoformat()
    item["schedule"] = (
        None
        if windows is None
        else [
            {
                "type": w.window_type,
                "description": w.description,
                "opening": iso_utc(w.opening_at),
                "closing": iso_utc(w.closing_at),
            }
            for w in windows
        ]
    )
    return envelope(item)


@bp.get("/parks/<int:park_id>/rides", responses={200: Envelope[list[RosterItem]]})
def park_rides(path: ParkPath, query: NoQuery) -> dict[str, Any]:
    """The park's roster: every ride, whether it counts now, and why not."""
    park = get_park(db(), path.park_id)
    entries = live.roster(db(), park, now())
    return envelope(
        [
            {
                "ride_id": e.ride.id,
                "name": e.ride.name,
                "land": e.ride.land,
                "category": e.ride.category,
                "active": bool(e.ride.active),
                "tier": e.ride.tier,
                "tier_source": e.ride.tier_source,
                "weight": weight(e.ride.tier),
                "eligible": e.eligible,
                "last_operated_at": iso(e.last_operated_at),
                "last_operated_date": (
                    e.last_operated_date.isoformat() if e.last_operated_date else None
                ),
                "reason": e.reason,
            }
            for e in entries
        ]
    )
