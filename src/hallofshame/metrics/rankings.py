"""Rankings (METRICS.md §6): which parks and rides are listed, in which order.

Every ranking reads the figures of ``windows``; a ranking and the detail of one of its
entries therefore always show the same number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from hallofshame.db.models import Cycle, Park
from hallofshame.domain.fidelity import INFERRED, REPORTED
from hallofshame.domain.periods import PeriodKind
from hallofshame.metrics.figures import ParkFigures, RideFigures
from hallofshame.metrics.windows import (
    ParkPeriod,
    RideInfo,
    latest_cycles,
    live_figures,
    period_figures,
    ride_tiers,
)

LIVE = "live"
#: The periods whose rankings carry the state now of what they list (a park's
#: ``park_is_open``, a ride's current status or wait): one rule for the listing and the API.
STATE_NOW = frozenset({PeriodKind.LIVE, PeriodKind.TODAY})
FILTERS = ("all-parks", "disney-universal")
PARK_DOWNTIME_SORTS = ("shame_score", "total_downtime_hours", "uptime_percentage", "rides_down")
RIDE_DOWNTIME_SORTS = ("downtime_hours", "uptime_percentage", "breakdowns")
WAIT_SORTS = ("avg_wait_minutes", "peak_wait_minutes")


@dataclass(frozen=True)
class ParkRow:
    park: Park
    period: ParkPeriod
    figures: ParkFigures  # the period's figures (for live: the live cycle's)
    today: ParkFigures | None = None  # live only: today's figures for hours and uptime
    live_cycle: Cycle | None = None

    @property
    def park_is_open(self) -> bool | None:
        return self.live_cycle.park_open if self.live_cycle is not None else None


@dataclass(frozen=True)
class RideRow:
    ride: RideInfo
    park: Park
    figures: RideFigures
    today: RideFigures | None = None
    current_status: str | None = None
    current_wait: int | None = None


def _selection(
    stmt: Select[tuple[Any]], filter_: str, park_id: int | None, fidelity: str
) -> Select[tuple[Any]]:
    """The active parks a filter, a park id and a fidelity select (one rule for both)."""
    stmt = stmt.where(Park.active.is_(True))
    if fidelity in (REPORTED, INFERRED):  # "all" keeps both
        stmt = stmt.where(Park.reports_down.is_(fidelity == REPORTED))
    if filter_ == "disney-universal":
        stmt = stmt.where(Park.is_disney.is_(True) | Park.is_universal.is_(True))
    if park_id is not None:
        stmt = stmt.where(Park.id == park_id)
    return stmt


def selected_parks(
    session: Session,
    filter_: str = "all-parks",
    park_id: int | None = None,
    fidelity: str = "all",
) -> list[Park]:
    stmt = _selection(select(Park), filter_, park_id, fidelity)
    return list(session.scalars(stmt.order_by(Park.name, Park.id)))


def selected_park_ids(
    session: Session,
    filter_: str = "all-parks",
    fidelity: str = "all",
    *,
    park_id: int | None = None,
) -> set[int]:
    """The ids of ``selected_parks`` (what an answer kept ready is filtered by)."""
    return set(session.scalars(_selection(select(Park.id), filter_, park_id, fidelity)))


@dataclass(frozen=True)
class Snapshot:
    """Everything a ranking needs for one period, computed once."""

    period: str | object
    parks: list[ParkRow]
    rides: dict[int, RideInfo]


def compute(
    session: Session,
    period: Any,
    *,
    now: datetime,
    version: int,
    filter_: str = "all-parks",
    park_id: int | None = None,
    fidelity: str = "all",
) -> Snapshot:
    parks = selected_parks(session, filter_, park_id, fidelity)
    tiers = ride_tiers(session, [p.id for p in parks])
    if period == LIVE:
        today = {
            pp.park.id: pp
            for pp in period_figures(session, parks, "today", now, version, tiers=tiers)
        }
        cycles = latest_cycles(session, [p.id for p in parks], now)
        rows = [
            ParkRow(
                park=pp.park,
                period=pp,
                figures=pp.figures,
                today=today[pp.park.id].figures,
                live_cycle=cycles[pp.park.id],
            )
            for pp in live_figures(session, parks, now, tiers=tiers)
        ]
    else:
        rows = [
            ParkRow(park=pp.park, period=pp, figures=pp.figures)
            for pp in period_figures(session, parks, period, now, version, tiers=tiers)
        ]
    return Snapshot(period=period, parks=rows, rides=tiers)


def _desc(value: float | int | None) -> float:
    return -(value if value is not None else float("-inf"))


def _order(rows: Sequence[Any], key: Callable[[Any], tuple[Any, ...]]) -> list[Any]:
    return sorted(rows, key=key)


def park_downtime(snapshot: Snapshot, sort_by: str = "shame_score") -> list[ParkRow]:
    rows = [r for r in snapshot.parks if r.figures.shame_score > 0]
    if snapshot.period == LIVE:
        rows = [r for r in rows if r.park_is_open]

    def key(r: ParkRow) -> tuple[Any, ...]:
        f = (
            r.today
            if (
                snapshot.period == LIVE
                and r.today
                and sort_by in ("total_downtime_hours", "uptime_percentage")
            )
            else r.figures
        )
        primary = {
            "shame_score": _desc(f.shame_score),
            "total_downtime_hours": _desc(f.total_downtime_hours),
            "uptime_percentage": (
                f.uptime_percentage if f.uptime_percentage is not None else float("inf")
            ),
            "rides_down": _desc(f.rides_down),
        }[sort_by]
        return (
            primary,
            _desc(r.figures.shame_score),
            _desc(r.figures.total_downtime_hours),
            r.park.name,
            r.park.id,
        )

    return _order(rows, key)


def ride_rows(snapshot: Snapshot) -> list[RideRow]:
    out = []
    for prow in snapshot.parks:
        today = {f.ride_id: f for f in prow.today.rides} if prow.today else {}
        for f in prow.figures.rides:
            ride = snapshot.rides[f.ride_id]
            out.append(RideRow(ride=ride, park=prow.park, figures=f, today=today.get(f.ride_id)))
    return out


def ride_downtime(snapshot: Snapshot, sort_by: str = "downtime_hours") -> list[RideRow]:
    rows = [r for r in ride_rows(snapshot) if r.figures.sums.down_s > 0]
    if snapshot.period == LIVE:
        rows = [r for r in rows if _park_open_now(snapshot, r.park.id)]

    def key(r: RideRow) -> tuple[Any, ...]:
        f = r.today if (snapshot.period == LIVE and r.today is not None) else r.figures
        primary = {
            "downtime_hours": _desc(f.downtime_hours),
            "uptime_percentage": (
                f.uptime_percentage if f.uptime_percentage is not None else float("inf")
            ),
            "breakdowns": _desc(f.breakdowns),
        }[sort_by]
        return (primary, _desc(f.downtime_hours), r.ride.name, r.ride.id)

    return _order(rows, key)


def _park_open_now(snapshot: Snapshot, park_id: int) -> bool:
    return any(p.park.id == park_id and p.park_is_open for p in snapshot.parks)


def park_waits(snapshot: Snapshot, sort_by: str = "avg_wait_minutes") -> list[ParkRow]:
    rows = [r for r in snapshot.parks if r.figures.wait_n > 0]

    def key(r: ParkRow) -> tuple[Any, ...]:
        f = r.figures
        primary = _desc(
            f.avg_wait_minutes if sort_by == "avg_wait_minutes" else f.peak_wait_minutes
        )
        return (primary, _desc(f.avg_wait_minutes), r.park.name, r.park.id)

    return _order(rows, key)


def ride_waits(snapshot: Snapshot, sort_by: str = "avg_wait_minutes") -> list[RideRow]:
    rows = [r for r in ride_rows(snapshot) if r.figures.sums.wait_n > 0]

    def key(r: RideRow) -> tuple[Any, ...]:
        f = r.figures
        primary = _desc(
            f.avg_wait_minutes if sort_by == "avg_wait_minutes" else f.peak_wait_minutes
        )
        return (primary, _desc(f.avg_wait_minutes), r.ride.name, r.ride.id)

    return _order(rows, key)
