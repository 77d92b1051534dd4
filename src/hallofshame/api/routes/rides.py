"""Rides: the downtime and wait rankings, one ride, and one ride's period explained."""

from __future__ import annotations

from typing import Any

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
from hallofshame.api.lookups import get_park, get_ride
from hallofshame.api.params import (
    BreakdownsQuery,
    NoQuery,
    PeriodQuery,
    RecoveryQuery,
    RideDowntimeQuery,
    RidePath,
    WaitQuery,
)
from hallofshame.api.ranked import ranked
from hallofshame.api.schemas import (
    BreakdownItem,
    Envelope,
    Recovery,
    RideDetail,
    RideDowntimeItem,
    RideOne,
    RideWaitItem,
)
from hallofshame.api.series import ride_series
from hallofshame.api.views import add_state_now, ride_one
from hallofshame.domain.localtime import day_number
from hallofshame.domain.periods import resolve
from hallofshame.domain.rounding import round_minutes
from hallofshame.metrics import live, present, rankings
from hallofshame.metrics.classify import Scope
from hallofshame.metrics.episodes import list_episodes
from hallofshame.metrics.figures import ride_figures
from hallofshame.metrics.outage_history import one_ride
from hallofshame.metrics.outage_now import current
from hallofshame.metrics.outages import BREAKDOWN, outages_started_in
from hallofshame.metrics.ranking_lists import RIDE_DOWNTIME, RIDE_WAITS
from hallofshame.metrics.rankings import RideRow
from hallofshame.metrics.recovery import MIN_HISTORY, curve_of, stay_or_go
from hallofshame.metrics.sums import RideSums
from hallofshame.metrics.windows import ride_info

bp = blueprint("rides", ["rides"])

#: Periods whose rankings also show each ride's state now.


@bp.get("/rides/downtime", responses={200: Envelope[list[RideDowntimeItem]]})
def rides_downtime(query: RideDowntimeQuery) -> dict[str, Any]:
    """Attractions ranked by downtime (or uptime, or breakdowns) over a period."""
    period = query.parsed_period()
    answer = ranked(RIDE_DOWNTIME, period, query.filter, query.fidelity, query.sort_by, query.limit)
    add_state_now(
        db(), answer.items, answer.parks, period.kind, now(), is_park=False, downtime=True
    )
    return envelope(
        answer.items,
        period=period.key,
        filter=query.filter,
        fidelity=query.fidelity,
        sort_by=query.sort_by,
        limit=query.limit,
        metrics_version=settings().metrics_version,
    )


@bp.get("/rides/waittimes", responses={200: Envelope[list[RideWaitItem]]})
def rides_waittimes(query: WaitQuery) -> dict[str, Any]:
    """Attractions ranked by average (or peak) posted wait over a period."""
    period = query.parsed_period()
    answer = ranked(RIDE_WAITS, period, query.filter, query.fidelity, query.sort_by, query.limit)
    add_state_now(
        db(), answer.items, answer.parks, period.kind, now(), is_park=False, downtime=False
    )
    return envelope(
        answer.items,
        period=period.key,
        filter=query.filter,
        fidelity=query.fidelity,
        sort_by=query.sort_by,
        limit=query.limit,
        metrics_version=settings().metrics_version,
    )


@bp.get("/rides/<int:ride_id>", responses={200: Envelope[RideOne]})
def ride_get(path: RidePath, query: NoQuery) -> dict[str, Any]:
    """One ride with its park, tier, weight, category and state now."""
    ride = get_ride(db(), path.ride_id)
    park = get_park(db(), ride.park_id)
    state = live.ride_states(db(), [park], now(), ride_ids=[ride.id]).get(ride.id)
    return envelope(ride_one(ride, park, state))


@bp.get("/rides/<int:ride_id>/details", responses={200: Envelope[RideDetail]})
def ride_details(path: RidePath, query: PeriodQuery) -> dict[str, Any]:
    """One ride over a period: the ranking's figures, its outages and a series."""
    session = db()
    ride = get_ride(session, path.ride_id)
    park = get_park(session, ride.park_id)
    period = query.parsed_period()
    snap = snapshot(period, park_id=park.id)
    row = next((r for r in rankings.ride_rows(snap) if r.ride.id == ride.id), None)
    if row is None:  # no counted observation in the window: every sum is zero
        empty = ride_figures(RideSums(ride_id=ride.id, park_id=park.id), ride.tier)
        row = RideRow(ride=ride_info(ride), park=park, figures=empty)
    downtime = present.ride_downtime_item(0, row, snap.period)
    waits = present.ride_wait_item(0, row)
    # Outages of the period's local days (live shows today's, like every live view).
    window = resolve(metric_period(period), now(), park.timezone)
    episodes = []
    if window.end > window.start:
        days = tuple(day_number(d) for d in window.days)
        scope = Scope(days={park.id: days}, until=now(), ride_id=ride.id)
        episodes = [
            {
                "start": iso(e.start),
                "end": iso(e.end),
                "duration_minutes": round_minutes(e.duration_s / 60.0),
            }
            for e in list_episodes(session, scope)
        ]
    state = live.ride_states(session, [park], now(), ride_ids=[ride.id]).get(ride.id)
    data = {
        "ride": ride_one(ride, park, state),
        "local_date": window.end_date.isoformat(),
        "summary": {
            "downtime_hours": downtime["downtime_hours"],
            "uptime_percentage": downtime["uptime_percentage"],
            "avg_wait_minutes": waits["avg_wait_minutes"],
            "peak_wait_minutes": waits["peak_wait_minutes"],
            "breakdowns": downtime["breakdowns"],
            "longest_outage_minutes": downtime["longest_outage_minutes"],
        },
        "episodes": episodes,
        "series": ride_series(session, park, ride.id, period),
    }
    return envelope(
        data,
        period=period.key,
        metrics_version=settings().metrics_version,
        timezone=park.timezone,
        start_date=window.start_date.isoformat(),
        end_date=window.end_date.isoformat(),
    )


@bp.get("/rides/<int:ride_id>/breakdowns", responses={200: Envelope[list[BreakdownItem]]})
def ride_breakdowns(path: RidePath, query: BreakdownsQuery) -> dict[str, Any]:
    """The ride's outages that started in the period, newest first (METRICS.md §8)."""
    session = db()
    ride = get_ride(session, path.ride_id)
    park = get_park(session, ride.park_id)
    period = query.parsed_period()
    window = resolve(metric_period(period), now(), park.timezone)
    found = []
    if window.end > window.start:
        found = outages_started_in(
            session, park.id, ride.id, window.start, window.end, now(), settings().span_cap_s
        )
    items = []
    for o in sorted(found, key=lambda o: o.first_ts, reverse=True):
        item = present.breakdown_item(o)
        item["started_at"] = iso(o.started_at)
        item["ended_at"] = iso(o.ended_at)
        items.append(item)
    return envelope(
        items,
        period=period.key,
        timezone=park.timezone,
        start_date=window.start_date.isoformat(),
        end_date=window.end_date.isoformat(),
        **present.breakdowns_meta(found),
    )


@bp.get("/rides/<int:ride_id>/recovery", responses={200: Envelope[Recovery]})
def ride_recovery(path: RidePath, query: RecoveryQuery) -> dict[str, Any]:
    """Stay or go: the chance the ride is back soon, from its own outages (METRICS.md §8)."""
    session = db()
    ride = get_ride(session, path.ride_id)
    park = get_park(session, ride.park_id)
    at = now()
    history = one_ride(
        session,
        park.id,
        park.timezone,
        ride.id,
        now=at,
        cap_s=settings().span_cap_s,
        version=settings().metrics_version,
    )
    outage = current(history)
    kind = query.kind or (outage.kind if outage is not None else BREAKDOWN)
    if query.down_for is not None:
        down_for_s = query.down_for * 60.0
    else:
        down_for_s = float(outage.duration_s) if outage is not None else 0.0
    answer = stay_or_go(curve_of(history, kind, at), down_for_s, query.within * 60.0)
    reasons = []
    if not answer.enough_history:
        reasons.append(
            f"only {answer.at_risk} {kind} outage(s) of the last 90 days lasted at least "
            f"{round_minutes(down_for_s / 60.0)} minutes; {MIN_HISTORY} are needed "
            "for the chance and the median remaining"
        )
    if answer.considered < MIN_HISTORY:
        reasons.append(
            f"only {answer.considered} {kind} outage(s) in the last 90 days; "
            f"{MIN_HISTORY} are needed for the percentiles"
        )
    data = {
        "ride_id": ride.id,
        "kind": kind,
        "down_for_minutes": round_minutes(down_for_s / 60.0),
        "within_minutes": round_minutes(query.within),
        **present.recovery_figures(answer),
        "reason": "; ".join(reasons) or None,
    }
    return envelope(data, timezone=park.timezone)
