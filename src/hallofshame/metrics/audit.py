"""Audit: the computation trace of a displayed figure, and recent feed problems.

``explain`` takes the figure from the very snapshot the rankings use, lists the sums it
was computed from, and evaluates the formula of ``figures`` on them again; the rounded
result is the number the rankings show (the tests hold it to that).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hallofshame.db.models import DataQualityIssue, Park, Ride
from hallofshame.domain.periods import Period
from hallofshame.domain.rounding import round_half_up
from hallofshame.metrics import rankings
from hallofshame.metrics.figures import (
    ParkFigures,
    RideFigures,
    average_wait,
    hours,
    shame,
    uptime_percentage,
)


class NotFound(LookupError):
    """The entity does not exist (or has nothing to explain in this period)."""


@dataclass(frozen=True)
class Formula:
    text: str
    places: int
    inputs: Callable[[Any], dict[str, Any]]
    evaluate: Callable[[dict[str, Any]], float | int | None]
    #: live views show this figure from today's window rather than the live cycle
    from_today_when_live: bool = True


def _park_sums(f: ParkFigures) -> dict[str, Any]:
    return {
        "weighted_down_s": f.weighted_down_s,
        "weighted_capacity_s": f.weighted_capacity_s,
        "down_s": f.down_s,
        "up_s": f.up_s,
        "open_s": f.open.open_s,
        "wait_sum": sum(r.sums.wait_sum for r in f.rides),
        "wait_n": f.wait_n,
        "wait_max": [r.sums.wait_max for r in f.rides if r.sums.wait_max is not None],
        "rides_with_down_s": sum(1 for r in f.rides if r.sums.down_s > 0),
    }


def _ride_sums(f: RideFigures) -> dict[str, Any]:
    s = f.sums
    return {
        "weight": f.weight,
        "up_s": s.up_s,
        "down_s": s.down_s,
        "capacity_s": s.capacity_s,
        "wait_sum": s.wait_sum,
        "wait_n": s.wait_n,
        "wait_max": s.wait_max,
        "episodes": s.episodes,
        "longest_outage_s": s.longest_s,
    }


def _peak(values: Any) -> float | None:
    if isinstance(values, list):
        return float(max(values)) if values else None
    return None if values is None else float(values)


PARK_FORMULAS: dict[str, Formula] = {
    "shame_score": Formula(
        "10 × weighted_down_s / weighted_capacity_s (0 when capacity is 0)",
        1,
        _park_sums,
        lambda i: shame(i["weighted_down_s"], i["weighted_capacity_s"]),
        from_today_when_live=False,
    ),
    "total_downtime_hours": Formula("down_s / 3600", 2, _park_sums, lambda i: hours(i["down_s"])),
    "weighted_downtime_hours": Formula(
        "weighted_down_s / 3600", 2, _park_sums, lambda i: hours(i["weighted_down_s"])
    ),
    "uptime_percentage": Formula(
        "100 × up_s / (up_s + down_s)",
        1,
        _park_sums,
        lambda i: uptime_percentage(i["up_s"], i["down_s"]),
    ),
    "operating_hours": Formula("open_s / 3600", 2, _park_sums, lambda i: hours(i["open_s"])),
    "rides_down": Formula(
        "count of rides with down_s > 0 (live: rides down at the latest cycle)",
        0,
        _park_sums,
        lambda i: i["rides_with_down_s"],
        from_today_when_live=False,
    ),
    "avg_wait_minutes": Formula(
        "wait_sum / wait_n",
        1,
        _park_sums,
        lambda i: average_wait(i["wait_sum"], i["wait_n"]),
        from_today_when_live=False,
    ),
    "peak_wait_minutes": Formula(
        "max(wait_max)", 1, _park_sums, lambda i: _peak(i["wait_max"]), from_today_when_live=False
    ),
}

RIDE_FORMULAS: dict[str, Formula] = {
    "downtime_hours": Formula("down_s / 3600", 2, _ride_sums, lambda i: hours(i["down_s"])),
    "uptime_percentage": Formula(
        "100 × up_s / (up_s + down_s)",
        1,
        _ride_sums,
        lambda i: uptime_percentage(i["up_s"], i["down_s"]),
    ),
    "breakdowns": Formula("episodes", 0, _ride_sums, lambda i: i["episodes"]),
    "longest_outage_minutes": Formula(
        "longest_outage_s / 60",
        1,
        _ride_sums,
        lambda i: None if i["longest_outage_s"] is None else i["longest_outage_s"] / 60.0,
    ),
    "avg_wait_minutes": Formula(
        "wait_sum / wait_n",
        1,
        _ride_sums,
        lambda i: average_wait(i["wait_sum"], i["wait_n"]),
        from_today_when_live=False,
    ),
    "peak_wait_minutes": Formula(
        "wait_max", 1, _ride_sums, lambda i: _peak(i["wait_max"]), from_today_when_live=False
    ),
}

ENTITIES = ("park", "ride")


def formulas_of(entity: str) -> dict[str, Formula]:
    """The figures of a park or of a ride, as their explanations compute them."""
    return PARK_FORMULAS if entity == "park" else RIDE_FORMULAS


def _shown(row: rankings.ParkRow | rankings.RideRow, formula: Formula, live: bool) -> Any:
    # The rankings show hours, uptime and outages of today in live views (METRICS.md §5).
    if live and formula.from_today_when_live and row.today is not None:
        return row.today, "today"
    return row.figures, "live cycle" if live else "period"


def explain(
    session: Session,
    entity: str,
    entity_id: int,
    period: Period | str,
    metric: str,
    *,
    now: datetime,
    version: int,
) -> dict[str, Any]:
    """The trace of one figure: its inputs (the sums), formula, and result."""
    formula = formulas_of(entity)[metric]
    if entity == "park":
        park_id = entity_id
    else:
        ride = session.get(Ride, entity_id)
        if ride is None:
            raise NotFound(f"no ride with id {entity_id}")
        park_id = ride.park_id
    snap = rankings.compute(session, period, now=now, version=version, park_id=park_id)
    if not snap.parks:
        if session.get(Park, park_id) is None:
            raise NotFound(f"no park with id {park_id}")
        # Only live leaves a known park out: it has no cycle in the last 30 minutes.
        raise NotFound(f"park {park_id} has no live data (no recent collection cycle)")
    live = snap.period == rankings.LIVE
    prow = snap.parks[0]
    row: rankings.ParkRow | rankings.RideRow = prow
    name = prow.park.name
    if entity == "ride":
        rows = [r for r in rankings.ride_rows(snap) if r.ride.id == entity_id]
        if not rows:
            raise NotFound(f"ride {entity_id} has no figures in this period (not counted)")
        row, name = rows[0], rows[0].ride.name
    figures, source = _shown(row, formula, live)
    inputs = formula.inputs(figures)
    result = formula.evaluate(inputs)
    window = prow.period.window
    trace: dict[str, Any] = {
        "entity": entity,
        "id": entity_id,
        "name": name,
        "metric": metric,
        "window": {
            "start_date": window.start_date.isoformat(),
            "end_date": window.end_date.isoformat(),
            "start": window.start,
            "end": window.end,
            "source": source,
        },
        "inputs": inputs,
        "formula": formula.text,
        "result": result,
        "displayed": _display(result, formula.places),
        "rounding": "none" if formula.places == 0 else f"half-up, {formula.places} decimal(s)",
    }
    if entity == "park":
        trace["rides"] = [
            {"ride_id": f.ride_id, "tier": f.tier, **_ride_sums(f)} for f in figures.rides
        ]
    return trace


def _display(value: float | int | None, places: int) -> float | int | None:
    if value is None or places == 0:
        return value
    return round_half_up(float(value), places)


# --- data quality ----------------------------------------------------------------


def data_quality(
    session: Session, *, hours_back: int, now: datetime, source: str | None = None, limit: int = 500
) -> list[DataQualityIssue]:
    """Recorded feed problems of the last ``hours_back`` hours, newest first."""
    stmt = select(DataQualityIssue).where(
        DataQualityIssue.detected_at >= now - timedelta(hours=hours_back),
        DataQualityIssue.detected_at <= now,
    )
    if source is not None:
        stmt = stmt.where(DataQualityIssue.source == source)
    stmt = stmt.order_by(DataQualityIssue.detected_at.desc(), DataQualityIssue.id.desc())
    return list(session.scalars(stmt.limit(limit)))
