"""Trends and awards (METRICS.md §4 "trend", §6): built on the period figures.

A trend compares each park's (or ride's) uptime in the current window with the previous
window of the same kind, both resolved in the park's own calendar. Awards are simply
the first entries of the rankings, so an award and the ranking can never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from hallofshame.db.models import Park
from hallofshame.domain.fidelity import fidelity_of
from hallofshame.domain.periods import Period, PeriodKind, Window, as_period, custom_period
from hallofshame.domain.rounding import round_hours, round_percent
from hallofshame.metrics import rankings
from hallofshame.metrics.figures import ParkFigures, RideFigures, uptime_percentage
from hallofshame.metrics.windows import (
    ParkPeriod,
    RideInfo,
    park_windows,
    period_figures,
    ride_tiers,
)

#: A change of at least this many percentage points is a trend (METRICS.md §4).
TREND_THRESHOLD_PP = 5.0
#: Both windows need this much capacity, so a ride seen for a minute is not a trend.
MIN_TREND_CAPACITY_S = 3600

TREND_CATEGORIES = ("parks-improving", "parks-declining", "rides-improving", "rides-declining")
AWARD_ENTITIES = ("parks", "rides")

IMPROVING = "improving"
DECLINING = "declining"
STABLE = "stable"


def direction(change_pp: float) -> str:
    """improving at ≥ +5 points, declining at ≤ −5, else stable."""
    if change_pp >= TREND_THRESHOLD_PP:
        return IMPROVING
    if change_pp <= -TREND_THRESHOLD_PP:
        return DECLINING
    return STABLE


def uptime_change(
    now_up: tuple[int, int, int], before_up: tuple[int, int, int]
) -> tuple[float, float, float] | None:
    """``(uptime_now, uptime_before, change)`` from ``(up_s, down_s, capacity_s)`` of both
    windows, or None when either window lacks an hour of capacity or an uptime."""
    if now_up[2] < MIN_TREND_CAPACITY_S or before_up[2] < MIN_TREND_CAPACITY_S:
        return None
    now_pct = uptime_percentage(now_up[0], now_up[1])
    before_pct = uptime_percentage(before_up[0], before_up[1])
    if now_pct is None or before_pct is None:
        return None
    return now_pct, before_pct, now_pct - before_pct


def _trend_period(period: Period | str) -> Period:
    # ``live`` has no previous cycle worth comparing; its views show today's hours.
    p = as_period(period)
    return Period(PeriodKind.TODAY) if p.kind is PeriodKind.LIVE else p


def previous_figures(
    session: Session, parks: Sequence[Park], period: Period | str, now: datetime, version: int
) -> dict[int, ParkPeriod]:
    """Each park's figures for the window before ``period`` (its own calendar)."""
    windows = park_windows(parks, _trend_period(period), now)
    groups: dict[tuple[date, date], list[Park]] = {}
    for park in parks:
        prev = windows[park.id].previous()
        groups.setdefault((prev.start_date, prev.end_date), []).append(park)
    out: dict[int, ParkPeriod] = {}
    for (first, last), members in groups.items():
        for pp in period_figures(session, members, custom_period(first, last), now, version):
            out[pp.park.id] = pp
    return out


@dataclass(frozen=True)
class Trend:
    park: Park
    ride: RideInfo | None
    now: ParkFigures | RideFigures
    before: ParkFigures | RideFigures
    window: Window
    previous: Window
    uptime_now: float
    uptime_before: float
    uptime_change_pp: float

    @property
    def direction(self) -> str:
        return direction(self.uptime_change_pp)

    @property
    def downtime_hours_now(self) -> float:
        f = self.now
        return f.total_downtime_hours if isinstance(f, ParkFigures) else f.downtime_hours

    @property
    def downtime_hours_before(self) -> float:
        f = self.before
        return f.total_downtime_hours if isinstance(f, ParkFigures) else f.downtime_hours


def _park_key(f: ParkFigures) -> tuple[int, int, int]:
    return f.up_s, f.down_s, sum(r.sums.capacity_s for r in f.rides)


def _ride_key(f: RideFigures) -> tuple[int, int, int]:
    return f.sums.up_s, f.sums.down_s, f.sums.capacity_s


def trends(
    session: Session,
    category: str,
    period: Period | str,
    *,
    now: datetime,
    version: int,
    filter_: str = "all-parks",
) -> list[Trend]:
    """Parks or rides whose uptime moved by 5 points or more, largest move first."""
    if category not in TREND_CATEGORIES:
        raise ValueError(f"unknown trend category {category!r}")
    entity, wanted = category.split("-")
    parks = rankings.selected_parks(session, filter_)
    p = _trend_period(period)
    current = {pp.park.id: pp for pp in period_figures(session, parks, p, now, version)}
    before = previous_figures(session, parks, p, now, version)
    rides = ride_tiers(session, [pk.id for pk in parks]) if entity == "rides" else {}
    out: list[Trend] = []
    for park in parks:
        cur, prev = current[park.id], before[park.id]
        pairs: list[tuple[RideInfo | None, Any, Any, tuple[int, int, int], tuple[int, int, int]]]
        if entity == "parks":
            pairs = [
                (None, cur.figures, prev.figures, _park_key(cur.figures), _park_key(prev.figures))
            ]
        else:
            old = {f.ride_id: f for f in prev.figures.rides}
            pairs = [
                (rides[f.ride_id], f, old[f.ride_id], _ride_key(f), _ride_key(old[f.ride_id]))
                for f in cur.figures.rides
                if f.ride_id in old and f.ride_id in rides
            ]
        for ride, f_now, f_before, k_now, k_before in pairs:
            change = uptime_change(k_now, k_before)
            if change is None or direction(change[2]) != wanted:
                continue
            out.append(
                Trend(
                    park=park,
                    ride=ride,
                    now=f_now,
                    before=f_before,
                    window=cur.window,
                    previous=cur.window.previous(),
                    uptime_now=change[0],
                    uptime_before=change[1],
                    uptime_change_pp=change[2],
                )
            )
    sign = -1.0 if wanted == IMPROVING else 1.0
    return sorted(
        out,
        key=lambda t: (
            sign * t.uptime_change_pp,
            (t.ride or t.park).name,
            (t.ride or t.park).id,
        ),
    )


def trend_item(t: Trend) -> dict[str, Any]:
    """A trend with the API's field names, rounded once (METRICS.md §4)."""
    item: dict[str, Any] = (
        {
            "ride_id": t.ride.id,
            "name": t.ride.name,
            "park_id": t.park.id,
            "park_name": t.park.name,
            "tier": t.ride.tier,
        }
        if t.ride is not None
        else {
            "park_id": t.park.id,
            "name": t.park.name,
            "fidelity": fidelity_of(t.park.reports_down),
        }
    )
    return item | {
        "uptime_now": round_percent(t.uptime_now),
        "uptime_before": round_percent(t.uptime_before),
        "uptime_change_pp": round_percent(t.uptime_change_pp),
        "downtime_hours_now": round_hours(t.downtime_hours_now),
        "downtime_hours_before": round_hours(t.downtime_hours_before),
        "direction": t.direction,
        "local_date": t.window.end_date.isoformat(),
    }


# --- awards ------------------------------------------------------------------------


def least_reliable(snapshot: rankings.Snapshot, entity: str, limit: int = 1) -> list[Any]:
    """The top of the downtime rankings (same windows, same order)."""
    rows: list[Any] = (
        rankings.park_downtime(snapshot) if entity == "parks" else rankings.ride_downtime(snapshot)
    )
    return rows[:limit]


def longest_waits(snapshot: rankings.Snapshot, entity: str, limit: int = 1) -> list[Any]:
    """The top of the wait rankings (same windows, same order)."""
    rows: list[Any] = (
        rankings.park_waits(snapshot) if entity == "parks" else rankings.ride_waits(snapshot)
    )
    return rows[:limit]
