"""One park's score explained: the same snapshot as the ranking, ride by ride."""

from __future__ import annotations

from collections import Counter
from typing import Any

from hallofshame.api.common import blueprint, db, envelope, iso, now, settings, snapshot
from hallofshame.api.lookups import attraction_counts, get_park, park_item
from hallofshame.api.params import ParkPath, PeriodQuery
from hallofshame.api.schemas import Envelope, ParkDetail
from hallofshame.api.series import park_series
from hallofshame.api.views import outage_fields, outages_now_of, park_status
from hallofshame.domain.rounding import round_hours, round_percent, round_shame
from hallofshame.domain.tiers import TIERS, weight
from hallofshame.metrics import live, present
from hallofshame.metrics.figures import ParkFigures, RideFigures, hours
from hallofshame.metrics.outage_now import Listed
from hallofshame.metrics.rankings import ParkRow
from hallofshame.metrics.sums import ParkOpen

bp = blueprint("park_details", ["parks"])


def _ride_item(
    figures: ParkFigures,
    f: RideFigures,
    names: dict[int, str],
    states: dict[int, live.RideNow],
    down: dict[int, Listed],
) -> dict[str, Any]:
    state = states.get(f.ride_id)
    return {
        "ride_id": f.ride_id,
        "name": names.get(f.ride_id, ""),
        "tier": f.tier,
        "weight": f.weight,
        "downtime_hours": round_hours(f.downtime_hours),
        "weighted_downtime_hours": round_hours(hours(f.weighted_down_s)),
        "uptime_percentage": round_percent(f.uptime_percentage),
        "breakdowns": f.breakdowns,
        "contribution": round_shame(figures.contribution(f)),
        "status": state.state if state is not None else live.UNKNOWN,
        **outage_fields(down.get(f.ride_id)),
    }


@bp.get("/parks/<int:park_id>/details", responses={200: Envelope[ParkDetail]})
def park_details(path: ParkPath, query: PeriodQuery) -> dict[str, Any]:
    """Why the park scores what it scores: its figures, ride by ride, for a period."""
    session = db()
    park = get_park(session, path.park_id)
    period = query.parsed_period()
    snap = snapshot(period, park_id=park.id)
    row: ParkRow | None = snap.parks[0] if snap.parks else None
    # live without a cycle in the last 30 minutes: nothing is known, so every figure is 0.
    figures = row.figures if row else ParkFigures(park.id, [], ParkOpen(park_id=park.id))
    headline = present.park_downtime_item(0, row, snap.period) if row else {}
    shown = row.today if (row and row.today is not None) else figures
    states = live.ride_states(session, [park], now())
    down = outages_now_of(session, [park], states, [f.ride_id for f in figures.rides], now())
    roster = live.roster(session, park, now())
    names = {e.ride.id: e.ride.name for e in roster}
    rides = sorted(
        figures.rides,
        key=lambda f: (
            -figures.contribution(f),
            -f.sums.down_s,
            names.get(f.ride_id, ""),
            f.ride_id,
        ),
    )
    tiers = Counter(e.ride.tier for e in roster if e.eligible)
    rounded = present.park_figures(figures)
    data = {
        "park": park_item(park, attraction_counts(session, [park.id]).get(park.id, 0)),
        "local_date": headline.get("local_date"),
        "shame_score": rounded["shame_score"],
        "weighted_downtime_hours": headline.get(
            "weighted_downtime_hours", rounded["weighted_downtime_hours"]
        ),
        "weighted_capacity_hours": present.park_figures(shown)["weighted_capacity_hours"],
        "total_downtime_hours": headline.get(
            "total_downtime_hours", rounded["total_downtime_hours"]
        ),
        "operating_hours": headline.get("operating_hours", rounded["operating_hours"]),
        "uptime_percentage": headline.get("uptime_percentage", rounded["uptime_percentage"]),
        "rides_down": figures.rides_down,
        "avg_wait_minutes": rounded["avg_wait_minutes"],
        "peak_wait_minutes": rounded["peak_wait_minutes"],
        "rides": [_ride_item(figures, f, names, states, down) for f in rides],
        "excluded_rides": [
            {
                "ride_id": e.ride.id,
                "name": e.ride.name,
                "category": e.ride.category,
                "last_operated_at": iso(e.last_operated_at),
                "reason": e.reason,
            }
            for e in roster
            if not e.eligible
        ],
        "tier_distribution": [
            {"tier": t, "weight": weight(t), "rides": tiers.get(t, 0)} for t in (*TIERS, None)
        ],
        "current_status": park_status(session, park, now(), states),
        "series": park_series(session, park, period),
    }
    return envelope(
        data,
        period=period.key,
        metrics_version=settings().metrics_version,
        start_date=row.period.window.start_date.isoformat() if row else None,
        end_date=row.period.window.end_date.isoformat() if row else None,
    )
