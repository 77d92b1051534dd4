"""Anomalies: a day whose figure is far from the entity's own previous 28 days.

"Far" is measured with a robust z-score, ``0.6745 × (x − median) / MAD`` (Iglewicz and
Hoaglin), so one earlier bad day does not hide the next one the way a mean and standard
deviation would. Thresholds:

- ``warning`` when |z| ≥ 3.5, ``critical`` when |z| ≥ 6;
- at least 7 days of history with data, else no judgement;
- the MAD is floored (0.1 shame points for parks, 0.1 hours for rides), so an entity
  with an unvarying history is flagged only for a change of about half a point / half
  an hour, not for any change at all.

Parks are judged on their daily shame score, rides on their daily downtime hours. Each
day's figures are the period figures of that day (rollups where they exist, else raw).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from hallofshame.db.models import Park
from hallofshame.domain.periods import custom_period
from hallofshame.domain.rounding import PLACES, FigureKind, round_half_up
from hallofshame.metrics.rankings import selected_parks
from hallofshame.metrics.windows import RideInfo, period_figures, ride_tiers

HISTORY_DAYS = 28
MIN_HISTORY = 7
WARNING_Z = 3.5
CRITICAL_Z = 6.0
#: Scales the MAD to a standard deviation's units for normal data.
MAD_SCALE = 0.6745
PARK_MAD_FLOOR = 0.1  # shame points
RIDE_MAD_FLOOR = 0.1  # hours
SEVERITIES = ("warning", "critical")


def robust_z(value: float, history: Sequence[float], floor: float) -> float:
    """How many (robust) deviations ``value`` lies from the median of ``history``."""
    med = statistics.median(history)
    mad = statistics.median(abs(x - med) for x in history)
    return MAD_SCALE * (value - med) / max(mad, floor)


def severity_of(z: float) -> str | None:
    if abs(z) >= CRITICAL_Z:
        return "critical"
    if abs(z) >= WARNING_Z:
        return "warning"
    return None


@dataclass(frozen=True)
class Anomaly:
    entity: str  # "park" or "ride"
    park: Park
    ride: RideInfo | None
    metric: str
    value: float
    median: float
    z: float
    severity: str
    history_days: int

    @property
    def direction(self) -> str:
        return "high" if self.z > 0 else "low"


def _daily(
    session: Session, parks: Sequence[Park], d: date, now: datetime, version: int
) -> dict[date, dict[int, Any]]:
    """Each day's ParkFigures per park, for d-28 … d, days with cycles only."""
    out: dict[date, dict[int, Any]] = {}
    for k in range(HISTORY_DAYS, -1, -1):
        day = d - timedelta(days=k)
        out[day] = {
            pp.park.id: pp.figures
            for pp in period_figures(session, parks, custom_period(day, day), now, version)
            if pp.figures.open.cycles > 0
        }
    return out


def anomalies(
    session: Session, d: date, *, now: datetime, version: int, severity: str = "warning"
) -> list[Anomaly]:
    """Parks and rides whose figure on local date ``d`` is far from their last 28 days."""
    parks = selected_parks(session)
    daily = _daily(session, parks, d, now, version)
    history_days = [d - timedelta(days=k) for k in range(HISTORY_DAYS, 0, -1)]
    rides = ride_tiers(session, [p.id for p in parks])
    found: list[Anomaly] = []
    for park in parks:
        today = daily[d].get(park.id)
        if today is None:
            continue
        past = [daily[h][park.id] for h in history_days if park.id in daily[h]]
        found += _judge(
            "park",
            park,
            None,
            "shame_score",
            today.shame_score,
            [f.shame_score for f in past],
            PARK_MAD_FLOOR,
        )
        for rf in today.rides:
            ride = rides.get(rf.ride_id)
            if ride is None or rf.sums.capacity_s == 0:
                continue  # a ride that was not in capacity has no downtime to judge
            hist = [
                r.downtime_hours
                for f in past
                for r in f.rides
                if r.ride_id == rf.ride_id and r.sums.capacity_s > 0
            ]
            found += _judge(
                "ride", park, ride, "downtime_hours", rf.downtime_hours, hist, RIDE_MAD_FLOOR
            )
    found = [a for a in found if a.severity in at_least(severity)]
    return sorted(found, key=lambda a: (-abs(a.z), a.entity, (a.ride or a.park).name))


def _judge(
    entity: str,
    park: Park,
    ride: RideInfo | None,
    metric: str,
    value: float,
    history: list[float],
    floor: float,
) -> list[Anomaly]:
    if len(history) < MIN_HISTORY:
        return []
    z = robust_z(value, history, floor)
    level = severity_of(z)
    if level is None:
        return []
    return [
        Anomaly(
            entity, park, ride, metric, value, statistics.median(history), z, level, len(history)
        )
    ]


def _places(metric: str) -> int:
    return PLACES[FigureKind.SHAME if metric == "shame_score" else FigureKind.HOURS]


def item(a: Anomaly) -> dict[str, Any]:
    """An anomaly as the API lists it (and as the audit kept ready stores it)."""
    return {
        "entity": a.entity,
        "park_id": a.park.id,
        "park_name": a.park.name,
        "ride_id": a.ride.id if a.ride else None,
        "ride_name": a.ride.name if a.ride else None,
        "metric": a.metric,
        "value": round_half_up(a.value, _places(a.metric)),
        "median": round_half_up(a.median, _places(a.metric)),
        "robust_z": round_half_up(a.z, 2),
        "direction": a.direction,
        "severity": a.severity,
        "history_days": a.history_days,
    }


def at_least(severity: str) -> tuple[str, ...]:
    """The severities listed when ``severity`` is asked for: it and the worse ones."""
    return SEVERITIES[SEVERITIES.index(severity) :]
