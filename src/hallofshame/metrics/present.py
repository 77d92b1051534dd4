"""Rows → the API's field names, rounded once, half-up (METRICS.md §4, API.md).

Used by the HTTP API and by the scenario tests, so both see the same numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hallofshame.domain.fidelity import fidelity_of
from hallofshame.domain.rounding import round_half_up
from hallofshame.metrics.figures import ParkFigures, RideFigures
from hallofshame.metrics.outages import KINDS, SEVERITIES, Outage
from hallofshame.metrics.rankings import LIVE, STATE_NOW, ParkRow, RideRow
from hallofshame.metrics.recovery import StayOrGo

if TYPE_CHECKING:  # a type only: the presentation edge does not load the reading code
    from hallofshame.db.models import Park
    from hallofshame.metrics.outage_now import Listed


def _r(value: float | None, places: int) -> float | None:
    return round_half_up(value, places)


def park_figures(f: ParkFigures) -> dict[str, Any]:
    return {
        "shame_score": _r(f.shame_score, 1),
        "total_downtime_hours": _r(f.total_downtime_hours, 2),
        "weighted_downtime_hours": _r(f.weighted_downtime_hours, 2),
        "weighted_capacity_hours": _r(f.weighted_capacity_hours, 2),
        "uptime_percentage": _r(f.uptime_percentage, 1),
        "rides_down": f.rides_down,
        "operating_hours": _r(f.operating_hours, 2),
        "avg_wait_minutes": _r(f.avg_wait_minutes, 1),
        "peak_wait_minutes": _r(f.peak_wait_minutes, 1),
        "rides_reporting": f.rides_reporting,
        "cycles": f.open.cycles,
    }


def ride_figures(f: RideFigures) -> dict[str, Any]:
    return {
        "tier": f.tier,
        "weight": f.weight,
        "downtime_hours": _r(f.downtime_hours, 2),
        "uptime_hours": _r(f.uptime_hours, 2),
        "capacity_hours": _r(f.capacity_hours, 2),
        "uptime_percentage": _r(f.uptime_percentage, 1),
        "breakdowns": f.breakdowns,
        "longest_outage_minutes": _r(f.longest_outage_minutes, 1),
        "avg_wait_minutes": _r(f.avg_wait_minutes, 1),
        "peak_wait_minutes": _r(f.peak_wait_minutes, 1),
    }


def location(park: Park) -> str | None:
    return ", ".join(x for x in (park.city, park.region) if x) or None


def park_item(park: Park, attractions: int) -> dict[str, Any]:
    """A park as the API lists it (its own page, the park list, its details)."""
    return {
        "park_id": park.id,
        "name": park.name,
        "location": location(park),
        "country": park.country,
        "timezone": park.timezone,
        "operator": park.operator,
        "is_disney": bool(park.is_disney),
        "is_universal": bool(park.is_universal),
        "reports_down": bool(park.reports_down),
        "fidelity": fidelity_of(park.reports_down),
        "attractions": attractions,
    }


def park_identity(row: ParkRow) -> dict[str, Any]:
    p = row.park
    return {
        "park_id": p.id,
        "name": p.name,
        "location": location(p),
        "fidelity": fidelity_of(p.reports_down),
    }


def park_downtime_item(rank: int, row: ParkRow, period: object) -> dict[str, Any]:
    shown = row.today if (period == LIVE and row.today is not None) else row.figures
    figures = park_figures(shown)
    item = {
        "rank": rank,
        **park_identity(row),
        "shame_score": _r(row.figures.shame_score, 1),
        "total_downtime_hours": figures["total_downtime_hours"],
        "weighted_downtime_hours": figures["weighted_downtime_hours"],
        "uptime_percentage": figures["uptime_percentage"],
        "rides_down": row.figures.rides_down,
        "operating_hours": figures["operating_hours"],
        "local_date": row.period.window.end_date.isoformat(),
    }
    if period in STATE_NOW:
        item["park_is_open"] = row.park_is_open
    return item


def park_wait_item(rank: int, row: ParkRow) -> dict[str, Any]:
    f = row.figures
    return {
        "rank": rank,
        **park_identity(row),
        "avg_wait_minutes": _r(f.avg_wait_minutes, 1),
        "peak_wait_minutes": _r(f.peak_wait_minutes, 1),
        "rides_reporting": f.rides_reporting,
    }


def ride_identity(row: RideRow) -> dict[str, Any]:
    return {
        "ride_id": row.ride.id,
        "name": row.ride.name,
        "park_id": row.park.id,
        "park_name": row.park.name,
        "tier": row.ride.tier,
        "fidelity": fidelity_of(row.park.reports_down),
    }


def ride_downtime_item(rank: int, row: RideRow, period: object) -> dict[str, Any]:
    shown = row.today if (period == LIVE and row.today is not None) else row.figures
    f = ride_figures(shown)
    return {
        "rank": rank,
        **ride_identity(row),
        "downtime_hours": f["downtime_hours"],
        "uptime_percentage": f["uptime_percentage"],
        "breakdowns": f["breakdowns"],
        "longest_outage_minutes": f["longest_outage_minutes"],
    }


def ride_wait_item(rank: int, row: RideRow) -> dict[str, Any]:
    f = row.figures
    return {
        "rank": rank,
        **ride_identity(row),
        "avg_wait_minutes": _r(f.avg_wait_minutes, 1),
        "peak_wait_minutes": _r(f.peak_wait_minutes, 1),
    }


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else _r(seconds / 60.0, 1)


def _percent(probability: float | None) -> float | None:
    return None if probability is None else _r(100.0 * probability, 1)


def breakdown_item(o: Outage) -> dict[str, Any]:
    """One outage of ``/rides/{id}/breakdowns`` (instants as ISO strings by the caller)."""
    return {
        "started_at": o.started_at,
        "ended_at": o.ended_at,
        "duration_minutes": _minutes(o.duration_s),
        "outcome": o.outcome,
        "kind": o.kind,
        "severity": o.severity,
    }


def breakdowns_meta(outages: list[Outage]) -> dict[str, Any]:
    """Counts by kind and severity, and the total downtime of the listed outages."""
    return {
        "count": len(outages),
        "by_kind": {k: sum(o.kind == k for o in outages) for k in KINDS},
        "by_severity": {s: sum(o.severity == s for o in outages) for s in SEVERITIES},
        "total_downtime_minutes": _minutes(sum(o.duration_s for o in outages)),
    }


def recovery_figures(a: StayOrGo) -> dict[str, Any]:
    """The stay-or-go answer, rounded once: percentages and minutes to 1 decimal."""
    return {
        "breakdowns_considered": a.considered,
        "at_risk": a.at_risk,
        "enough_history": a.enough_history,
        "chance_back_within_percentage": _percent(a.chance_back_within),
        "median_remaining_minutes": _minutes(a.median_remaining_s),
        "percentiles": {f"p{p}": _minutes(v) for p, v in a.percentiles_s.items()},
        "curve": [
            {"minutes": _minutes(t), "still_down_percentage": _percent(s)} for t, s in a.curve
        ],
    }


#: The stay-or-go fields of a ride in the live listings (null for a ride not down now).
LIVE_OUTAGE_FIELDS = ("down_for_minutes", "outage_kind", "chance_back_within_30_percentage")


def live_outage_fields(o: Listed | None) -> dict[str, Any]:
    """What a ride carries in the live listings: its outage now, rounded once."""
    return {
        "down_for_minutes": None if o is None else _minutes(o.duration_s),
        "outage_kind": None if o is None else o.kind,
        "chance_back_within_30_percentage": None if o is None else _percent(o.chance_back_within),
    }
