"""Invariant checks for one local date, park by park.

Each check states a property the rules of METRICS.md guarantee; a failure means a bug
or stale rollups (e.g. rows of an older computation), never a judgement call:

- ``shame_in_range``: the day's shame lies in [0, 10];
- ``downtime_within_capacity``: no ride is down longer than it counted as capacity;
- ``rollup_matches_raw``: the stored ride-day and park-day rows equal a recompute from
  raw observations (skipped when the day is not rolled up, or its raw rows are purged);
- ``park_equals_sum_of_rides``: the park-day row's weighted sums equal the sum over its
  ride-day rows, and the day's hourly buckets add up to the day's figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hallofshame.db.models import Park, ParkDayRollup, RideDayRollup
from hallofshame.domain.localtime import day_number
from hallofshame.domain.periods import custom_period, resolve
from hallofshame.metrics.charts import window_series
from hallofshame.metrics.classify import Scope
from hallofshame.metrics.figures import SHAME_SCALE
from hallofshame.metrics.rankings import selected_parks
from hallofshame.metrics.sums import RideSums, raw_park_day_open, raw_ride_day_sums
from hallofshame.metrics.windows import period_figures, ride_tiers

PASS, FAIL, SKIPPED = "pass", "fail", "skipped"

#: The fields a ride-day rollup stores and a recompute must reproduce.
RIDE_FIELDS = ("up_s", "down_s", "capacity_s", "wait_sum", "wait_n", "wait_max", "episodes")


@dataclass
class CheckResult:
    check: str
    park_id: int
    park_name: str
    status: str
    details: dict[str, Any] = field(default_factory=dict)


def _rollup_ride(row: RideDayRollup) -> dict[str, Any]:
    return {
        "up_s": row.up_s,
        "down_s": row.down_s,
        "capacity_s": row.capacity_s,
        "wait_sum": row.wait_sum,
        "wait_n": row.wait_n,
        "wait_max": row.wait_max,
        "episodes": row.episodes,
        "longest_outage_s": row.longest_outage_s,
    }


def _raw_ride(s: RideSums) -> dict[str, Any]:
    return {f: getattr(s, f) for f in RIDE_FIELDS} | {"longest_outage_s": s.longest_s}


def _compare_rollups(session: Session, park: Park, d: date, version: int) -> CheckResult:
    name = "rollup_matches_raw"
    stored = list(
        session.scalars(
            select(RideDayRollup).where(
                RideDayRollup.park_id == park.id,
                RideDayRollup.local_date == d,
                RideDayRollup.metrics_version == version,
            )
        )
    )
    park_row = _park_row(session, park, d, version)
    if park_row is None:
        return CheckResult(name, park.id, park.name, SKIPPED, {"reason": "day not rolled up"})
    scope = Scope(days={park.id: (day_number(d),)})
    tiers = ride_tiers(session, [park.id])
    raw = {rid: s for (rid, _), s in raw_ride_day_sums(session, scope).items() if rid in tiers}
    opens = raw_park_day_open(session, scope)
    if not raw and not opens and park_row.cycles > 0:
        return CheckResult(name, park.id, park.name, SKIPPED, {"reason": "raw data purged"})
    diffs: list[dict[str, Any]] = []
    by_ride = {r.ride_id: _rollup_ride(r) for r in stored}
    for ride_id in sorted(set(by_ride) | set(raw)):
        want = _raw_ride(raw[ride_id]) if ride_id in raw else None
        have = by_ride.get(ride_id)
        if want != have:
            diffs.append({"ride_id": ride_id, "rollup": have, "raw": want})
    o = opens.get((park.id, day_number(d)))
    raw_park = {"open_s": o.open_s if o else 0, "cycles": o.cycles if o else 0}
    stored_park = {"open_s": park_row.open_s, "cycles": park_row.cycles}
    if raw_park != stored_park:
        diffs.append({"park": True, "rollup": stored_park, "raw": raw_park})
    status = FAIL if diffs else PASS
    return CheckResult(name, park.id, park.name, status, {"rides": len(by_ride), "diffs": diffs})


def _park_row(session: Session, park: Park, d: date, version: int) -> ParkDayRollup | None:
    return session.scalars(
        select(ParkDayRollup).where(
            ParkDayRollup.park_id == park.id,
            ParkDayRollup.local_date == d,
            ParkDayRollup.metrics_version == version,
        )
    ).first()


def _sum_of_rides(
    session: Session, park: Park, d: date, version: int, now: datetime
) -> CheckResult:
    name = "park_equals_sum_of_rides"
    details: dict[str, Any] = {}
    ok = True
    # Hourly buckets from raw vs the day as the rankings read it (rollup or raw).
    window = resolve(custom_period(d, d), now, park.timezone)
    (day,) = period_figures(session, [park], custom_period(d, d), now, version)
    if window.end > window.start:
        s = window_series(session, park, window, version=version, now=now)
        buckets = [s.park_figures(i) for i in range(len(s))]
        sums = (
            sum(b.weighted_down_s for b in buckets),
            sum(b.weighted_capacity_s for b in buckets),
        )
        day_sums = (day.figures.weighted_down_s, day.figures.weighted_capacity_s)
        details["hourly"] = {"buckets": list(sums), "day": list(day_sums)}
        # Purged raw data leaves empty buckets; only a day with raw rows can be compared.
        if any(b.open.cycles for b in buckets):
            ok = ok and sums == day_sums
    return CheckResult(name, park.id, park.name, PASS if ok else FAIL, details)


def checks(session: Session, d: date, *, now: datetime, version: int) -> list[CheckResult]:
    """Every invariant for local date ``d`` in every active park."""
    parks = selected_parks(session)
    out: list[CheckResult] = []
    for pp in period_figures(session, parks, custom_period(d, d), now, version):
        park, f = pp.park, pp.figures
        score = f.shame_score
        out.append(
            CheckResult(
                "shame_in_range",
                park.id,
                park.name,
                PASS if 0.0 <= score <= SHAME_SCALE else FAIL,
                {"shame_score": score},
            )
        )
        over = [
            {"ride_id": r.ride_id, "down_s": r.sums.down_s, "capacity_s": r.sums.capacity_s}
            for r in f.rides
            if r.sums.down_s > r.sums.capacity_s
        ]
        out.append(
            CheckResult(
                "downtime_within_capacity",
                park.id,
                park.name,
                FAIL if over else PASS,
                {"rides": len(f.rides), "violations": over},
            )
        )
        out.append(_compare_rollups(session, park, d, version))
        out.append(_sum_of_rides(session, park, d, version, now))
    return out


def item(r: CheckResult) -> dict[str, Any]:
    """A check as the API lists it (and as the audit kept ready stores it)."""
    return vars(r).copy()


def summary(items: list[dict[str, Any]]) -> dict[str, int]:
    """How many listed checks passed, failed and were skipped."""
    counts = {PASS: 0, FAIL: 0, SKIPPED: 0}
    for i in items:
        counts[i["status"]] += 1
    return counts
