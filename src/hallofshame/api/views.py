"""Serialisers shared by several routes (live status, ride identity, summaries).

Figures are named and rounded by ``metrics.present``; here are only the shapes that
the API adds around them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from hallofshame.api.common import iso, settings
from hallofshame.db.models import Cycle, Park, Ride
from hallofshame.domain.periods import PeriodKind
from hallofshame.domain.tiers import weight
from hallofshame.metrics import live, present
from hallofshame.metrics.outage_now import Listed, asked, listed
from hallofshame.metrics.rankings import STATE_NOW


def park_status(
    session: Session,
    park: Park,
    now: datetime,
    states: dict[int, live.RideNow] | None = None,
    cycles: dict[int, Cycle] | None = None,
) -> dict[str, Any]:
    """The park's state now; ``states`` (its rides' states now) and ``cycles`` (its live
    cycle), when the caller has them."""
    if cycles is None:
        cycles = live.live_cycles(session, [park], now)
    if states is None:
        states = live.ride_states(session, [park], now, cycles=cycles)
    cycle = cycles.get(park.id)
    return {
        "has_live_data": cycle is not None,
        "park_is_open": cycle.park_open if cycle is not None else None,
        "last_cycle_at": iso(cycle.ts) if cycle is not None else None,
        "rides": live.state_counts(states),
    }


def ride_now(state: live.RideNow | None) -> dict[str, Any]:
    if state is None:  # not a counted attraction: it has no live state of its own
        return {"state": live.UNKNOWN, "status": None, "wait_minutes": None, "at": None}
    return {
        "state": state.state,
        "status": state.status,
        "wait_minutes": state.wait_minutes,
        "at": iso(state.at),
    }


def ride_one(ride: Ride, park: Park, state: live.RideNow | None) -> dict[str, Any]:
    return {
        "ride_id": ride.id,
        "name": ride.name,
        "park_id": park.id,
        "park_name": park.name,
        "land": ride.land,
        "category": ride.category,
        "active": bool(ride.active),
        "tier": ride.tier,
        "weight": weight(ride.tier),
        "current_status": ride_now(state),
    }


def add_state_now(
    session: Session,
    items: list[dict[str, Any]],
    parks: list[Park],
    kind: PeriodKind,
    now: datetime,
    *,
    is_park: bool,
    downtime: bool,
) -> None:
    """The state-now fields that live and today rankings carry (and awards, so a winner
    reads like rank 1): a park's ``park_is_open`` on today's downtime ranking (live rows
    already carry their cycle's), a ride's ``current_status`` or ``current_wait_minutes``."""
    if kind not in STATE_NOW or not items:
        return
    if is_park:
        if downtime and kind is PeriodKind.TODAY:
            cycles = live.live_cycles(session, parks, now)
            for item in items:
                cycle = cycles.get(item["park_id"])
                item["park_is_open"] = cycle.park_open if cycle is not None else None
        return
    listed = [i["ride_id"] for i in items]
    states = live.ride_states(session, parks, now, listed)
    down = outages_now_of(session, parks, states, listed, now)
    for item in items:
        state = states.get(item["ride_id"])
        if downtime:
            item["current_status"] = state.state if state else live.UNKNOWN
            item.update(outage_fields(down.get(item["ride_id"])))
        else:
            item["current_wait_minutes"] = state.wait_minutes if state else None


def outages_now_of(
    session: Session,
    parks: Sequence[Park],
    states: Mapping[int, live.RideNow],
    ride_ids: Iterable[int],
    now: datetime,
) -> dict[int, Listed]:
    """The outage now of each of ``ride_ids`` that is down now, read for all at once."""
    cfg = settings()
    return listed(
        session,
        asked({p.id: p.timezone for p in parks}, states, ride_ids),
        now,
        cfg.span_cap_s,
        cfg.metrics_version,
    )


def outage_fields(found: Listed | None) -> dict[str, Any]:
    """The stay-or-go fields of a listed ride: nulls unless it is down now."""
    return present.live_outage_fields(found)
